// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * regspec.c - unit test of the register-spec parser (lib/tools/uvpci-regspec.c):
 * every valid form and every class of error, with the exact errno and the
 * reason a tool would print. TAP output; exit 0 when all pass.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "uvpci-regspec.h"
#include "tap.h"


#define M8 UINT64_MAX

static const struct good {
	const char *str;
	unsigned int flags;
	unsigned int bar;
	uint64_t offset;
	unsigned int size;
	int has_value;
	uint64_t value, mask;
} goods[] = {
	{ "0:0x10", 0, 0, 0x10, 4, 0, 0, 0xffffffff },
	{ "0:16", 0, 0, 0x10, 4, 0, 0, 0xffffffff },	/* decimal: setpci would say hex */
	{ "0:0", 0, 0, 0, 4, 0, 0, 0xffffffff },
	{ "0:0X10", 0, 0, 0x10, 4, 0, 0, 0xffffffff },
	{ "5:0", 0, 5, 0, 4, 0, 0, 0xffffffff },
	{ "0x3:0x1f8.b", 0, 3, 0x1f8, 1, 0, 0, 0xff },
	{ "2:0X1F9.B", 0, 2, 0x1f9, 1, 0, 0, 0xff },
	{ "2:505.b", 0, 2, 0x1f9, 1, 0, 0, 0xff },
	{ "1:0x6.w", 0, 1, 6, 2, 0, 0, 0xffff },
	{ "1:0x6.W", 0, 1, 6, 2, 0, 0, 0xffff },
	{ "1:0x8.l", 0, 1, 8, 4, 0, 0, 0xffffffff },
	{ "1:0x8.L", 0, 1, 8, 4, 0, 0, 0xffffffff },
	{ "4:0x18.q", 0, 4, 0x18, 8, 0, 0, M8 },
	{ "4:0x18.Q", 0, 4, 0x18, 8, 0, 0, M8 },
	{ "0:0xfffffffffffffff8.q", 0, 0, 0xfffffffffffffff8ULL, 8, 0, 0, M8 },
	{ "0:18446744073709551608.q", 0, 0, 0xfffffffffffffff8ULL, 8, 0, 0, M8 },
	{ "0:0x00000000000000000000010", 0, 0, 0x10, 4, 0, 0, 0xffffffff },
	{ "0:0x10=1", 0, 0, 0x10, 4, 1, 1, 0xffffffff },
	{ "0:0x10=0", 0, 0, 0x10, 4, 1, 0, 0xffffffff },
	{ "0:0x10.l=0xffffffff", 0, 0, 0x10, 4, 1, 0xffffffff, 0xffffffff },
	{ "0:0x10.l=4294967295", 0, 0, 0x10, 4, 1, 0xffffffff, 0xffffffff },
	{ "0:0x10=10", 0, 0, 0x10, 4, 1, 10, 0xffffffff },
	{ "0:3.b=0xff", 0, 0, 3, 1, 1, 0xff, 0xff },
	{ "0:2.w=0XBEEF", 0, 0, 2, 2, 1, 0xbeef, 0xffff },
	{ "0:8.Q=0xdeadbeefcafe", 0, 0, 8, 8, 1, 0xdeadbeefcafeULL, M8 },
	{ "0:0.q=0xffffffffffffffff", 0, 0, 0, 8, 1, M8, M8 },
	{ "1:0x40.w=0x8000:0x8000", 0, 1, 0x40, 2, 1, 0x8000, 0x8000 },
	{ "1:0x40=0:1", 0, 1, 0x40, 4, 1, 0, 1 },
	{ "1:0x40.l=5:0xffffffff", 0, 1, 0x40, 4, 1, 5, 0xffffffff },
	{ "1:64.w=32768:32768", 0, 1, 0x40, 2, 1, 0x8000, 0x8000 },
	{ "0:0x10=1", UVPCI_REGSPEC_NEED_VALUE, 0, 0x10, 4, 1, 1, 0xffffffff },
	{ "0:0x10.b", UVPCI_REGSPEC_NO_VALUE, 0, 0x10, 1, 0, 0, 0xff },
};

static const struct bad {
	const char *str;
	unsigned int flags;
	int ret;
	const char *msg;	/* the whole reason */
} bads[] = {
	{ "", 0, -EINVAL, "empty register spec (expected BAR:OFFSET[.WIDTH][=VALUE[:MASK]])" },
	{ "0x10", 0, -EINVAL, "no BAR (expected BAR:OFFSET, e.g. 0:0x10)" },
	{ "10=5:1", 0, -EINVAL, "no BAR (expected BAR:OFFSET, e.g. 0:0x10)" },
	{ ":10", 0, -EINVAL, "missing BAR before ':'" },
	{ "x:10", 0, -EINVAL, "BAR 'x' is not a number (0 to 5)" },
	{ "-1:10", 0, -EINVAL, "BAR '-1' is not a number (0 to 5)" },
	{ "6:0", 0, -ERANGE, "BAR 6 is out of range (0 to 5)" },
	{ "0x10:0", 0, -ERANGE, "BAR 0x10 is out of range (0 to 5)" },
	{ "0:", 0, -EINVAL, "missing offset after '0:'" },
	{ "0:.l", 0, -EINVAL, "missing offset after '0:'" },
	{ "0:=1", 0, -EINVAL, "missing offset after '0:'" },
	{ "0:xyz", 0, -EINVAL, "offset 'xyz': not a number (decimal, or hex with 0x)" },
	{ "0:0x", 0, -EINVAL, "offset '0x': not a number (decimal, or hex with 0x)" },
	{ "0: 10", 0, -EINVAL, "offset ' 10': not a number (decimal, or hex with 0x)" },
	{ "0:+10", 0, -EINVAL, "offset '+10': not a number (decimal, or hex with 0x)" },
	{ "0:10h", 0, -EINVAL, "offset '10h': not a number (decimal, or hex with 0x)" },
	/* hex without 0x (setpci's habit) is refused, never read as decimal */
	{ "0:1f8", 0, -EINVAL, "offset '1f8': not a number (decimal, or hex with 0x)" },
	{ "0:fffc.w", 0, -EINVAL, "offset 'fffc': not a number (decimal, or hex with 0x)" },
	{ "0:010", 0, -EINVAL,
	  "offset '010': a leading zero is ambiguous (decimal, or hex with 0x, no octal)" },
	{ "0:00", 0, -EINVAL,
	  "offset '00': a leading zero is ambiguous (decimal, or hex with 0x, no octal)" },
	{ "0:0x123456789abcdef0123456789abcdef0123", 0, -ERANGE,
	  "offset '0x123456789abcdef0123456789abcde...' does not fit in 64 bits" },
	{ "0:0x10000000000000000", 0, -ERANGE, "offset '0x10000000000000000' does not fit in 64 bits" },
	{ "0:18446744073709551616", 0, -ERANGE, "offset '18446744073709551616' does not fit in 64 bits" },
	{ "0:0x10.x", 0, -EINVAL, "unknown width '.x' (use .b, .w, .l or .q)" },
	{ "0:0x10.ll", 0, -EINVAL, "unknown width '.ll' (use .b, .w, .l or .q)" },
	{ "0:0x10.", 0, -EINVAL, "missing width after '.' (use .b, .w, .l or .q)" },
	{ "0:0x10.=1", 0, -EINVAL, "missing width after '.' (use .b, .w, .l or .q)" },
	{ "0:0x10.l.l", 0, -EINVAL, "unknown width '.l.l' (use .b, .w, .l or .q)" },
	{ "0:0x13.l=1", 0, -EINVAL, "offset 0x13 is not aligned to 4 bytes" },
	{ "0:0x13", 0, -EINVAL, "offset 0x13 is not aligned to 4 bytes" },
	{ "0:0x1.w", 0, -EINVAL, "offset 0x1 is not aligned to 2 bytes" },
	{ "0:0x4.q", 0, -EINVAL, "offset 0x4 is not aligned to 8 bytes" },
	{ "0:0x10=", 0, -EINVAL, "missing value after '='" },
	{ "0:0x10=zz", 0, -EINVAL, "value 'zz': not a number (decimal, or hex with 0x)" },
	{ "0:0x10=-1", 0, -EINVAL, "value '-1': not a number (decimal, or hex with 0x)" },
	{ "0:0x10=1 ", 0, -EINVAL, "value '1 ': not a number (decimal, or hex with 0x)" },
	{ "0:0x10=ff", 0, -EINVAL, "value 'ff': not a number (decimal, or hex with 0x)" },
	{ "0:0x10=0100", 0, -EINVAL,
	  "value '0100': a leading zero is ambiguous (decimal, or hex with 0x, no octal)" },
	{ "0:0x10.b=0x100", 0, -ERANGE, "value 0x100 does not fit in .b (8 bits)" },
	{ "0:0x10.b=256", 0, -ERANGE, "value 0x100 does not fit in .b (8 bits)" },
	{ "0:0x10.w=0x10000", 0, -ERANGE, "value 0x10000 does not fit in .w (16 bits)" },
	{ "0:0x10=0x100000000", 0, -ERANGE, "value 0x100000000 does not fit in .l (32 bits)" },
	{ "0:0x10.q=0x10000000000000000", 0, -ERANGE, "value '0x10000000000000000' does not fit in 64 bits" },
	{ "0:0x10=1:", 0, -EINVAL, "missing mask after ':'" },
	{ "0:0x10=1:g", 0, -EINVAL, "mask 'g': not a number (decimal, or hex with 0x)" },
	{ "0:0x10=1:1:1", 0, -EINVAL, "mask '1:1': not a number (decimal, or hex with 0x)" },
	{ "0:0x10.b=1:0x100", 0, -ERANGE, "mask 0x100 does not fit in .b (8 bits)" },
	{ "0:0x10=1:0", 0, -EINVAL, "mask 0 selects no bit to write" },
	{ "0:0x10=0x12:0x0f", 0, -EINVAL, "value 0x12 has bits outside mask 0xf" },
	{ "0:0x10=1", UVPCI_REGSPEC_NO_VALUE, -EINVAL, "unexpected '=1' (a read takes no value)" },
	{ "0:0x10=1:1", UVPCI_REGSPEC_NO_VALUE, -EINVAL, "unexpected '=1:1' (a read takes no value)" },
	{ "0:0x10", UVPCI_REGSPEC_NEED_VALUE, -EINVAL,
	  "missing '=VALUE' (expected BAR:OFFSET[.WIDTH]=VALUE[:MASK])" },
	{ "0:0x10", UVPCI_REGSPEC_NO_VALUE | UVPCI_REGSPEC_NEED_VALUE, -EINVAL,
	  "invalid parser flags 0x3" },
	{ "0:0x10", 0x80, -EINVAL, "invalid parser flags 0x80" },
};

static const struct range {
	const char *str;
	uint64_t bar_size;
	int ret;
	const char *msg;
} ranges[] = {
	{ "0:0xffc", 0x1000, 0, NULL },
	{ "0:0xfff.b", 0x1000, 0, NULL },
	{ "0:0xff8.q", 0x1000, 0, NULL },
	{ "0:0x1000.b", 0x1000, -ERANGE, "offset 0x1000.b is beyond BAR 0 (size 0x1000)" },
	{ "2:0x1000", 0x1000, -ERANGE, "offset 0x1000.l is beyond BAR 2 (size 0x1000)" },
	{ "1:0.l", 2, -ERANGE, "offset 0x0.l is beyond BAR 1 (size 0x2)" },
	{ "1:0.w", 2, 0, NULL },
	{ "3:0", 0, -ERANGE, "BAR 3 is not present" },
	{ "0:0xfffffffffffffff8.q", M8, -ERANGE,
	  "offset 0xfffffffffffffff8.q is beyond BAR 0 (size 0xffffffffffffffff)" },
	{ "0:0xfffffffffffffff0.q", M8, 0, NULL },
};

static void test_goods(void)
{
	char err[UVPCI_REGSPEC_ERR_MAX];
	size_t i;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		struct uvpci_regspec s;
		int ret;

		strcpy(err, "untouched");
		memset(&s, 0xa5, sizeof(s));
		ret = uvpci_regspec_parse(g->str, g->flags, &s, err, sizeof(err));
		ok(ret == 0 && s.bar == g->bar && s.offset == g->offset &&
		   s.size == g->size && s.has_value == !!g->has_value &&
		   s.value == g->value && s.mask == g->mask &&
		   !strcmp(err, "untouched"),
		   "'%s' parses (ret %d, bar %u off 0x%" PRIx64 " size %u value %d 0x%" PRIx64
		   " mask 0x%" PRIx64 ")", g->str, ret, s.bar, s.offset, s.size,
		   s.has_value, s.value, s.mask);
	}
}

static void test_bads(void)
{
	char err[UVPCI_REGSPEC_ERR_MAX];
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		struct uvpci_regspec s, before;
		int ret;

		memset(&s, 0x5a, sizeof(s));
		before = s;
		err[0] = 0;
		ret = uvpci_regspec_parse(b->str, b->flags, &s, err, sizeof(err));
		ok(ret == b->ret && !strcmp(err, b->msg) &&
		   !memcmp(&s, &before, sizeof(s)),
		   "'%s' (flags %#x) fails with %d: %s", b->str, b->flags, ret, err);
		if (strcmp(err, b->msg))
			printf("# expected: %s\n", b->msg);
	}
}

static void test_misc(void)
{
	char err[UVPCI_REGSPEC_ERR_MAX], tiny[8];
	struct uvpci_regspec s;
	int ret;

	ret = uvpci_regspec_parse(NULL, 0, &s, err, sizeof(err));
	ok(ret == -EINVAL && !strcmp(err, "no register spec"), "NULL spec: -EINVAL");
	ret = uvpci_regspec_parse("0:0", 0, NULL, err, sizeof(err));
	ok(ret == -EINVAL, "NULL result: -EINVAL");
	ret = uvpci_regspec_parse("0:0x13", 0, &s, NULL, 0);
	ok(ret == -EINVAL, "a NULL error buffer is allowed");
	ret = uvpci_regspec_parse("0:0x13", 0, &s, tiny, sizeof(tiny));
	ok(ret == -EINVAL && !strcmp(tiny, "offset "),
	   "a short error buffer gets a truncated, terminated reason ('%s')", tiny);

	/* the CLI line of STYLE.md item 8 */
	ret = uvpci_regspec_parse("0:0x13.l=1", UVPCI_REGSPEC_NEED_VALUE, &s, err, sizeof(err));
	{
		char line[256];

		snprintf(line, sizeof(line), "%s: '%s': %s", "uvpci-poke", "0:0x13.l=1", err);
		ok(ret == -EINVAL && !strcmp(line,
			"uvpci-poke: '0:0x13.l=1': offset 0x13 is not aligned to 4 bytes"),
		   "CLI message: %s", line);
	}

	ok(uvpci_regspec_width_mask(1) == 0xff && uvpci_regspec_width_mask(2) == 0xffff &&
	   uvpci_regspec_width_mask(4) == 0xffffffff && uvpci_regspec_width_mask(8) == M8 &&
	   uvpci_regspec_width_mask(3) == 0 && uvpci_regspec_width_mask(0) == 0,
	   "width masks");

	ret = uvpci_regspec_parse("1:0x40.w=0x8000:0x8000", 0, &s, err, sizeof(err));
	ok(ret == 0 && uvpci_regspec_is_rmw(&s) &&
	   uvpci_regspec_apply(&s, 0x1234) == 0x9234 &&
	   uvpci_regspec_apply(&s, 0xffff) == 0xffff,
	   "mask: read-modify-write sets only the masked bits");
	ret = uvpci_regspec_parse("1:0x40.w=0:0x8000", 0, &s, err, sizeof(err));
	ok(ret == 0 && uvpci_regspec_apply(&s, 0xffff) == 0x7fff,
	   "mask: read-modify-write clears only the masked bits");
	ret = uvpci_regspec_parse("0:3.b=0x12", 0, &s, err, sizeof(err));
	ok(ret == 0 && !uvpci_regspec_is_rmw(&s) &&
	   uvpci_regspec_apply(&s, 0xffff) == 0x12,
	   "no mask: a plain write, the old value is ignored and the width kept");
	ret = uvpci_regspec_parse("0:0.l=7:0xffffffff", 0, &s, err, sizeof(err));
	ok(ret == 0 && !uvpci_regspec_is_rmw(&s), "a mask of the whole width is a plain write");
	ret = uvpci_regspec_parse("0:0.q", 0, &s, err, sizeof(err));
	ok(ret == 0 && !uvpci_regspec_is_rmw(&s), "a read is not a read-modify-write");
}

static void test_ranges(void)
{
	char err[UVPCI_REGSPEC_ERR_MAX];
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		const struct range *r = &ranges[i];
		struct uvpci_regspec s;
		int ret;

		ret = uvpci_regspec_parse(r->str, 0, &s, err, sizeof(err));
		if (ret) {
			ok(0, "'%s' parses: %s", r->str, err);
			continue;
		}
		strcpy(err, "untouched");
		ret = uvpci_regspec_check(&s, r->bar_size, err, sizeof(err));
		ok(ret == r->ret && !strcmp(err, r->msg ? r->msg : "untouched"),
		   "'%s' in a BAR of 0x%" PRIx64 " bytes: %d%s%s", r->str, r->bar_size,
		   ret, r->msg ? ": " : "", r->msg ? err : "");
	}
	ok(uvpci_regspec_check(NULL, 1, NULL, 0) == -EINVAL, "check of NULL: -EINVAL");
}

int main(void)
{
	test_goods();
	test_bads();
	test_misc();
	test_ranges();
	return tap_done();
}
