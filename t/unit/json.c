// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * json - libuvnic's JSON string writer (uvbus-ctl list/show --json): every
 * string comes out quoted, escaped and valid UTF-8, whatever bytes it
 * holds. TAP output; exit 0 when every test passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libuvnic.h"
#include "tap.h"

/* uvnic_json_string(@in) must print exactly @want. */
static void str(const char *in, const char *want, const char *desc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp) {
		ok(0, "%s: open_memstream", desc);
		return;
	}
	uvnic_json_string(fp, in);
	fclose(fp);
	ok(buf && !strcmp(buf, want), "%s: %s", desc, buf ? buf : "(nothing)");
	if (buf && strcmp(buf, want))
		printf("# expected: %s\n", want);
	free(buf);
}

int main(void)
{
	str("dev0", "\"dev0\"", "plain name");
	str("", "\"\"", "empty string");
	str(NULL, "null", "NULL is null");
	str("a\"b\\c", "\"a\\\"b\\\\c\"", "quote and backslash");
	str("t\tn\nr\rb\bf\f", "\"t\\tn\\nr\\rb\\bf\\f\"", "short escapes");
	str("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"", "other control characters");
	str("/</>", "\"/</>\"", "solidus and brackets kept");
	str("caf\xc3\xa9", "\"caf\xc3\xa9\"", "valid 2-byte UTF-8 kept");
	str("\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xe2\x82\xac\xf0\x9f\x98\x80\"",
	    "valid 3- and 4-byte UTF-8 kept");
	str("a\xffz", "\"a\\ufffdz\"", "a byte that is never UTF-8");
	str("\xc3", "\"\\ufffd\"", "a sequence cut by the end");
	str("\xc3z", "\"\\ufffdz\"", "a sequence cut by an ASCII byte");
	str("\xc0\xaf", "\"\\ufffd\\ufffd\"", "an overlong form");
	str("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "a UTF-16 surrogate");
	str("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "above U+10FFFF");
	return tap_done();
}
