// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * uvpci-regspec.c - the register-spec parser: BAR:OFFSET[.WIDTH][=VALUE[:MASK]],
 * setpci's grammar with uvPCI's BARs, and the number rule of every uvNIC
 * tool (parse.c). The grammar and every error are documented in
 * uvpci-regspec.h.
 *
 * The spec is split into fields by its punctuation first (':' after the
 * BAR, '.' before the width, '=' before the value, ':' before the mask),
 * then each field is checked whole, so a message can quote exactly the
 * field that is wrong.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "libuvnic.h"

/* Quote at most this much of a bad field in a message. */
#define FIELD_QUOTE_MAX 32

struct field {
	const char *s;
	size_t len;
};

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* printf arguments quoting a field: "%.*s%s", QUOTE(f) */
#define QUOTE(f) (int)((f).len > FIELD_QUOTE_MAX ? FIELD_QUOTE_MAX : (f).len), \
		 (f).s, ((f).len > FIELD_QUOTE_MAX ? "..." : "")

/* A number, under the rule of every uvNIC tool (uvnic_parse_u64n()). */
static int parse_num(struct field f, uint64_t *out)
{
	return uvnic_parse_u64n(f.s, f.len, UINT64_MAX, out);
}

uint64_t uvpci_regspec_width_mask(unsigned int size)
{
	switch (size) {
	case 1: return 0xffULL;
	case 2: return 0xffffULL;
	case 4: return 0xffffffffULL;
	case 8: return UINT64_MAX;
	default: return 0;
	}
}

static char width_letter(unsigned int size)
{
	switch (size) {
	case 1: return 'b';
	case 2: return 'w';
	case 8: return 'q';
	default: return 'l';
	}
}

/* Index of the first of @set in f, or f.len. */
static size_t span_to(struct field f, const char *set)
{
	size_t i;

	for (i = 0; i < f.len; i++)
		if (strchr(set, f.s[i]))
			break;
	return i;
}

/* Parse VALUE or MASK (@what) into @out, checking it fits @size bytes. */
static int parse_number(struct field f, const char *what, unsigned int size,
			uint64_t *out, char *err, size_t errlen)
{
	uint64_t v;
	int ret;

	if (!f.len)
		return fail(err, errlen, -EINVAL, "missing %s after '%c'", what,
			    what[0] == 'v' ? '=' : ':');
	ret = parse_num(f, &v);
	if (ret == -EINVAL)
		return fail(err, errlen, ret, "%s '%.*s%s': %s", what, QUOTE(f),
			    uvnic_parse_why(f.s, f.len, ret));
	if (ret == -ERANGE)
		return fail(err, errlen, ret, "%s '%.*s%s' does not fit in 64 bits",
			    what, QUOTE(f));
	if (v & ~uvpci_regspec_width_mask(size))
		return fail(err, errlen, -ERANGE,
			    "%s 0x%" PRIx64 " does not fit in .%c (%u bits)",
			    what, v, width_letter(size), size * 8);
	*out = v;
	return 0;
}

int uvpci_regspec_parse(const char *str, unsigned int flags,
			struct uvpci_regspec *spec, char *err, size_t errlen)
{
	const unsigned int both = UVPCI_REGSPEC_NO_VALUE | UVPCI_REGSPEC_NEED_VALUE;
	struct uvpci_regspec r = { .size = 4 };
	struct field all, bar, off, width = { NULL, 0 }, val = { NULL, 0 },
		     mask = { NULL, 0 };
	bool has_width = false, has_mask = false;
	uint64_t n;
	size_t i;
	int ret;

	if (!str || !spec)
		return fail(err, errlen, -EINVAL, "no register spec");
	if ((flags & ~both) || (flags & both) == both)
		return fail(err, errlen, -EINVAL, "invalid parser flags 0x%x", flags);
	if (!*str)
		return fail(err, errlen, -EINVAL,
			    "empty register spec (expected BAR:OFFSET[.WIDTH][=VALUE[:MASK]])");

	all = (struct field){ str, strlen(str) };

	/* BAR ':' -- the first ':' before any '=' (a later one starts MASK) */
	i = span_to(all, ":=");
	if (i == all.len || all.s[i] != ':')
		return fail(err, errlen, -EINVAL,
			    "no BAR (expected BAR:OFFSET, e.g. 0:0x10)");
	bar = (struct field){ all.s, i };
	all.s += i + 1;
	all.len -= i + 1;

	/* OFFSET up to '.', '=' or the end */
	i = span_to(all, ".=");
	off = (struct field){ all.s, i };
	all.s += i;
	all.len -= i;

	/* [.WIDTH] up to '=' or the end */
	if (all.len && all.s[0] == '.') {
		has_width = true;
		i = span_to(all, "=");
		width = (struct field){ all.s + 1, i - 1 };
		all.s += i;
		all.len -= i;
	}

	/* [=VALUE[:MASK]] */
	if (all.len) {	/* all.s[0] == '=' */
		r.has_value = true;
		all.s++;
		all.len--;
		i = span_to(all, ":");
		val = (struct field){ all.s, i };
		if (i < all.len) {
			has_mask = true;
			mask = (struct field){ all.s + i + 1, all.len - i - 1 };
		}
	}

	/* Now each field, left to right. */
	if (!bar.len)
		return fail(err, errlen, -EINVAL, "missing BAR before ':'");
	ret = parse_num(bar, &n);
	if (ret == -EINVAL)
		return fail(err, errlen, ret, "BAR '%.*s%s' is not a number (0 to %d)",
			    QUOTE(bar), UVPCI_REGSPEC_BAR_MAX);
	if (ret == -ERANGE || n > UVPCI_REGSPEC_BAR_MAX)
		return fail(err, errlen, -ERANGE, "BAR %.*s%s is out of range (0 to %d)",
			    QUOTE(bar), UVPCI_REGSPEC_BAR_MAX);
	r.bar = (unsigned int)n;

	if (!off.len)
		return fail(err, errlen, -EINVAL, "missing offset after '%.*s%s:'",
			    QUOTE(bar));
	ret = parse_num(off, &r.offset);
	if (ret == -EINVAL)
		return fail(err, errlen, ret, "offset '%.*s%s': %s", QUOTE(off),
			    uvnic_parse_why(off.s, off.len, ret));
	if (ret == -ERANGE)
		return fail(err, errlen, ret, "offset '%.*s%s' does not fit in 64 bits",
			    QUOTE(off));

	if (has_width) {
		char c = width.len == 1 ? width.s[0] : 0;

		switch (c) {
		case 'b': case 'B': r.size = 1; break;
		case 'w': case 'W': r.size = 2; break;
		case 'l': case 'L': r.size = 4; break;
		case 'q': case 'Q': r.size = 8; break;
		default:
			if (!width.len)
				return fail(err, errlen, -EINVAL,
					    "missing width after '.' (use .b, .w, .l or .q)");
			return fail(err, errlen, -EINVAL,
				    "unknown width '.%.*s%s' (use .b, .w, .l or .q)",
				    QUOTE(width));
		}
	}
	if (r.offset & (r.size - 1))
		return fail(err, errlen, -EINVAL,
			    "offset 0x%" PRIx64 " is not aligned to %u bytes",
			    r.offset, r.size);

	r.mask = uvpci_regspec_width_mask(r.size);
	if (r.has_value) {
		if (flags & UVPCI_REGSPEC_NO_VALUE)
			return fail(err, errlen, -EINVAL,
				    "unexpected '=%.*s%s' (a read takes no value)",
				    QUOTE(((struct field){ all.s, all.len })));
		ret = parse_number(val, "value", r.size, &r.value, err, errlen);
		if (ret)
			return ret;
		if (has_mask) {
			ret = parse_number(mask, "mask", r.size, &r.mask, err, errlen);
			if (ret)
				return ret;
			if (!r.mask)
				return fail(err, errlen, -EINVAL,
					    "mask 0 selects no bit to write");
			if (r.value & ~r.mask)
				return fail(err, errlen, -EINVAL,
					    "value 0x%" PRIx64 " has bits outside mask 0x%" PRIx64,
					    r.value, r.mask);
		}
	} else if (flags & UVPCI_REGSPEC_NEED_VALUE) {
		return fail(err, errlen, -EINVAL,
			    "missing '=VALUE' (expected BAR:OFFSET[.WIDTH]=VALUE[:MASK])");
	}

	*spec = r;
	return 0;
}

int uvpci_regspec_check(const struct uvpci_regspec *spec, uint64_t bar_size,
			char *err, size_t errlen)
{
	if (!spec)
		return fail(err, errlen, -EINVAL, "no register spec");
	if (!bar_size)
		return fail(err, errlen, -ERANGE, "BAR %u is not present",
			    spec->bar);
	if (spec->offset >= bar_size || spec->size > bar_size - spec->offset)
		return fail(err, errlen, -ERANGE,
			    "offset 0x%" PRIx64 ".%c is beyond BAR %u (size 0x%" PRIx64 ")",
			    spec->offset, width_letter(spec->size), spec->bar, bar_size);
	return 0;
}

uint64_t uvpci_regspec_apply(const struct uvpci_regspec *spec, uint64_t old)
{
	uint64_t w = uvpci_regspec_width_mask(spec->size);

	return ((old & ~spec->mask) | (spec->value & spec->mask)) & w;
}

bool uvpci_regspec_is_rmw(const struct uvpci_regspec *spec)
{
	return spec->has_value &&
	       spec->mask != uvpci_regspec_width_mask(spec->size);
}
