// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * parse.c - the one number rule of every uvNIC tool, in one place:
 * decimal ("4096"), or hex with 0x/0X ("0x1000"), nothing else, checked
 * against a maximum. Every number accepted means what C's strtoull(s,
 * NULL, 0) makes of it; what strtoull would take otherwise is refused:
 * signs, blanks, trailing junk, overflow, and a leading zero ("010" is
 * octal to C, hex to setpci, decimal to people: no guess is safe).
 * Register specs (uvpci-regspec.c), options and arguments all come here.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "libuvnic.h"

int uvnic_parse_u64n(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	const char *end = s + len;
	unsigned int base = 10;
	uint64_t v = 0;
	int d, range = 0;

	if (!s || !len)
		return -EINVAL;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (s == end)
			return -EINVAL;
	} else if (len >= 2 && s[0] == '0') {
		return -EINVAL;		/* a leading zero: see above */
	}
	for (; s < end; s++) {
		d = uvnic_hex_digit(*s);
		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		/* Keep scanning after an overflow: "99...9x" is -EINVAL, not -ERANGE. */
		if (v > (UINT64_MAX - (unsigned int)d) / base)
			range = 1;
		else
			v = v * base + (unsigned int)d;
	}
	if (range || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int uvnic_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	return uvnic_parse_u64n(s, s ? strlen(s) : 0, max, out);
}

const char *uvnic_parse_why(const char *s, size_t len, int rc)
{
	if (rc == -ERANGE)
		return "too large";
	if (s && len >= 2 && s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		return "a leading zero is ambiguous (" UVNIC_NUMBER_RULE ", no octal)";
	return "not a number (" UVNIC_NUMBER_RULE ")";
}

int uvnic_parse_uint(const char *s, unsigned int min, unsigned int max,
		     unsigned int *out)
{
	uint64_t v;
	int rc = uvnic_parse_u64(s, max, &v);

	if (rc)
		return rc;
	if (v < min)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}

int uvnic_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
