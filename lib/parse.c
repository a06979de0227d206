// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * parse.c - bounded number parsing for every uvNIC tool: decimal or 0x
 * hex, nothing else, checked against a maximum (no atoi, no unchecked
 * strtoul: those accept "12abc", " 7", "-1" and overflow silently).
 */
#include <errno.h>
#include <stdint.h>

#include "libuvnic.h"

static int digit_value(char c, unsigned int base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return (unsigned int)v < base ? v : -1;
}

int uvnic_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	int d, range = 0;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -EINVAL;
	}
	for (; *s; s++) {
		d = digit_value(*s, base);
		if (d < 0)
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
