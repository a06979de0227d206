// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * uvregmap.c - the uvregmap(5) parser, lookups and the access decoder.
 *
 * A map is line-oriented: a keyword, blank-separated words, and optionally
 * " -- " and a description to the end of the line. Every check that can
 * be made on the text is made here, once, so that the generators and the
 * register file may trust a parsed map: registers aligned, inside their
 * BAR and not overlapping, fields inside their register and not
 * overlapping, reset values as wide as their register, names unique.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libuvnic.h"
#include "uvregmap.h"

#define MAX_WORDS	8
/* The largest map file uvregmap_load() reads. */
#define MAX_MAP_BYTES	(4U << 20)

static const char *const access_names[UVREGMAP_NUM_ACCESS] = {
	[UVREGMAP_RW] = "RW", [UVREGMAP_RO] = "RO", [UVREGMAP_W1C] = "W1C",
	[UVREGMAP_RC] = "RC", [UVREGMAP_WO] = "WO",
};

const char *uvregmap_access_name(enum uvregmap_access access)
{
	return (unsigned int)access < UVREGMAP_NUM_ACCESS ? access_names[access] : "?";
}

static uint64_t width_mask(unsigned int bits)
{
	return bits >= 64 ? UINT64_MAX : (1ULL << bits) - 1;
}

uint64_t uvregmap_field_mask(const struct uvregmap_field *f)
{
	return width_mask(f->hi - f->lo + 1) << f->lo;
}

struct parser {
	struct uvregmap *map;
	const char *path;
	unsigned int line;
	char *err;
	size_t errlen;
	unsigned int regs_cap, consts_cap, fields_cap;
};

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err && p->errlen) {
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->path, p->line);
		if (n >= 0 && (size_t)n < p->errlen) {
			va_start(ap, fmt);
			vsnprintf(p->err + n, p->errlen - n, fmt, ap);
			va_end(ap);
		}
	}
	return -EINVAL;
}

static int num(struct parser *p, const char *what, const char *s, uint64_t max,
	       uint64_t *out)
{
	int rc = uvnic_parse_u64n(s, strlen(s), max, out);

	if (rc == -ERANGE)
		return fail(p, "%s '%s' is too large (at most %#" PRIx64 ")", what, s, max);
	if (rc)
		return fail(p, "%s '%s' is not a number (decimal, or hex with 0x)", what, s);
	return 0;
}

/* Names are C identifiers in upper case: they become macros. */
static int name(struct parser *p, const char *what, const char *s, char *out)
{
	size_t i, n = strlen(s);

	if (!n || n > UVREGMAP_NAME_MAX)
		return fail(p, "%s name '%s' must be 1 to %d characters", what, s,
			    UVREGMAP_NAME_MAX);
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || c == '_' || (i && c >= '0' && c <= '9')))
			return fail(p, "%s name '%s': only A-Z, 0-9 and _, not starting with a digit",
				    what, s);
	}
	memcpy(out, s, n + 1);
	return 0;
}

static int access_of(struct parser *p, const char *s, enum uvregmap_access *out)
{
	unsigned int i;

	for (i = 0; i < UVREGMAP_NUM_ACCESS; i++) {
		if (!strcmp(s, access_names[i])) {
			*out = i;
			return 0;
		}
	}
	return fail(p, "unknown access type '%s' (RW, RO, W1C, RC or WO)", s);
}

static char *dup_desc(struct parser *p, const char *s, int *rc)
{
	char *d = strdup(s ? s : "");

	if (!d)
		*rc = -ENOMEM;
	(void)p;
	return d;
}

static void *grow(void *arr, unsigned int *cap, unsigned int n, size_t elem)
{
	void *a;
	unsigned int c;

	if (n < *cap)
		return arr;
	c = *cap ? *cap * 2 : 16;
	a = realloc(arr, (size_t)c * elem);
	if (!a)
		return NULL;
	memset((char *)a + (size_t)*cap * elem, 0, (size_t)(c - *cap) * elem);
	*cap = c;
	return a;
}

static struct uvregmap_reg *last_reg(struct parser *p)
{
	return p->map->nregs ? &p->map->regs[p->map->nregs - 1] : NULL;
}

static bool reg_taken(const struct uvregmap *map, const char *n)
{
	unsigned int i;

	for (i = 0; i < map->nregs; i++)
		if (!strcmp(map->regs[i].name, n))
			return true;
	return false;
}

static bool const_taken(const struct uvregmap *map, const char *n)
{
	unsigned int i;

	for (i = 0; i < map->nconsts; i++)
		if (!strcmp(map->consts[i].name, n))
			return true;
	return false;
}

#define MACRO_MAX (3 * UVREGMAP_NAME_MAX + 16)

/* Every C macro the header will define, in the header's order. */
static int macros(const struct uvregmap *map, char (**out)[MACRO_MAX], unsigned int *n)
{
	char (*m)[MACRO_MAX];
	unsigned int i, j, k = 0;

	m = calloc(UVREGMAP_NUM_BARS + map->nconsts + map->nregs + 2 * map->nfields_total + 1,
		   sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (i = 0; i < UVREGMAP_NUM_BARS; i++)
		if (map->bar_size[i])
			snprintf(m[k++], MACRO_MAX, "%s_BAR%u_SIZE", map->prefix, i);
	for (i = 0; i < map->nconsts; i++)
		snprintf(m[k++], MACRO_MAX, "%s_%s", map->prefix, map->consts[i].name);
	for (i = 0; i < map->nregs; i++) {
		const struct uvregmap_reg *r = &map->regs[i];

		snprintf(m[k++], MACRO_MAX, "%s_REG_%s", map->prefix, r->name);
		for (j = 0; r->fields_of < 0 && j < r->nfields; j++) {
			const struct uvregmap_field *f = &r->fields[j];

			if (f->hi == f->lo) {
				snprintf(m[k++], MACRO_MAX, "%s_%s_%s", map->prefix, r->fprefix, f->name);
				continue;
			}
			snprintf(m[k++], MACRO_MAX, "%s_%s_%s_MASK", map->prefix, r->fprefix, f->name);
			snprintf(m[k++], MACRO_MAX, "%s_%s_%s_SHIFT", map->prefix, r->fprefix, f->name);
		}
	}
	*out = m;
	*n = k;
	return 0;
}

static int do_device(struct parser *p, char **w, int nw, const char *desc)
{
	int rc = 0;

	if (nw != 2)
		return fail(p, "usage: device PREFIX [-- DESCRIPTION]");
	if (p->map->prefix[0])
		return fail(p, "a second 'device' line");
	rc = name(p, "device", w[1], p->map->prefix);
	if (rc)
		return rc;
	free(p->map->desc);
	p->map->desc = dup_desc(p, desc, &rc);
	return rc;
}

static int do_bar(struct parser *p, char **w, int nw)
{
	uint64_t bar, size;
	int rc;

	if (nw != 3)
		return fail(p, "usage: bar N SIZE [-- DESCRIPTION]");
	rc = num(p, "BAR", w[1], UVREGMAP_NUM_BARS - 1, &bar);
	if (!rc)
		rc = num(p, "BAR size", w[2], UINT64_MAX, &size);
	if (rc)
		return rc;
	if (p->map->bar_size[bar])
		return fail(p, "BAR %" PRIu64 " is declared twice", bar);
	if (!size || (size & (size - 1)))
		return fail(p, "BAR %" PRIu64 " size %#" PRIx64 " is not a power of two",
			    bar, size);
	p->map->bar_size[bar] = size;
	return 0;
}

static int do_const(struct parser *p, char **w, int nw, const char *desc)
{
	struct uvregmap *map = p->map;
	struct uvregmap_const *c;
	int rc = 0;

	if (nw != 3)
		return fail(p, "usage: const NAME VALUE [-- DESCRIPTION]");
	map->consts = grow(map->consts, &p->consts_cap, map->nconsts, sizeof(*c));
	if (!map->consts)
		return -ENOMEM;
	c = &map->consts[map->nconsts];
	rc = name(p, "constant", w[1], c->name);
	if (!rc && const_taken(map, c->name))
		rc = fail(p, "'%s' is defined twice", c->name);
	if (!rc)
		rc = num(p, "value", w[2], UINT64_MAX, &c->value);
	if (rc)
		return rc;
	if (strlen(w[2]) > 18)
		snprintf(c->literal, sizeof(c->literal), "%#" PRIx64, c->value);
	else
		snprintf(c->literal, sizeof(c->literal), "%s", w[2]);
	if (c->value > UINT32_MAX)
		strcat(c->literal, "ULL");
	c->desc = dup_desc(p, desc, &rc);
	if (!rc)
		map->nconsts++;
	return rc;
}

static int do_reg(struct parser *p, char **w, int nw, const char *desc)
{
	struct uvregmap *map = p->map;
	struct uvregmap_reg *r, *o;
	char *colon, fields_of[UVREGMAP_NAME_MAX + 1] = "";
	uint64_t bar, off, width;
	unsigned int i;
	int rc = 0, k;

	if (nw < 5)
		return fail(p, "usage: reg NAME BAR:OFFSET WIDTH ACCESS [reset=V] [prefix=P] [fields=REG] [-- DESCRIPTION]");
	if (!map->prefix[0])
		return fail(p, "'reg' before the 'device' line");
	map->regs = grow(map->regs, &p->regs_cap, map->nregs, sizeof(*r));
	if (!map->regs)
		return -ENOMEM;
	r = &map->regs[map->nregs];
	memset(r, 0, sizeof(*r));
	r->fields_of = -1;
	rc = name(p, "register", w[1], r->name);
	if (rc)
		return rc;
	if (reg_taken(map, r->name))
		return fail(p, "'%s' is defined twice", r->name);
	colon = strchr(w[2], ':');
	if (!colon)
		return fail(p, "register address '%s' is not BAR:OFFSET", w[2]);
	*colon = '\0';
	rc = num(p, "BAR", w[2], UVREGMAP_NUM_BARS - 1, &bar);
	if (!rc)
		rc = num(p, "offset", colon + 1, UINT64_MAX, &off);
	if (!rc)
		rc = num(p, "width", w[3], 64, &width);
	if (!rc)
		rc = access_of(p, w[4], &r->access);
	if (rc)
		return rc;
	if (width != 8 && width != 16 && width != 32 && width != 64)
		return fail(p, "width %" PRIu64 " is not 8, 16, 32 or 64", width);
	if (!map->bar_size[bar])
		return fail(p, "BAR %" PRIu64 " is not declared (a 'bar' line first)", bar);
	if (off % (width / 8))
		return fail(p, "offset %#" PRIx64 " is not aligned to the register's %" PRIu64 " bytes",
			    off, width / 8);
	if (off >= map->bar_size[bar] || map->bar_size[bar] - off < width / 8)
		return fail(p, "%s at %#" PRIx64 " lies outside BAR %" PRIu64 " (%#" PRIx64 " bytes)",
			    r->name, off, bar, map->bar_size[bar]);
	r->bar = bar;
	r->offset = off;
	r->width = width;
	strcpy(r->fprefix, r->name);
	for (k = 5; k < nw; k++) {
		char *eq = strchr(w[k], '=');

		if (!eq)
			return fail(p, "unknown register option '%s' (reset=, prefix=, fields=)", w[k]);
		*eq++ = '\0';
		if (!strcmp(w[k], "reset"))
			rc = num(p, "reset value", eq, width_mask(width), &r->reset);
		else if (!strcmp(w[k], "prefix"))
			rc = name(p, "field prefix", eq, r->fprefix);
		else if (!strcmp(w[k], "fields"))
			rc = name(p, "fields=", eq, fields_of);
		else
			rc = fail(p, "unknown register option '%s=' (reset=, prefix=, fields=)", w[k]);
		if (rc)
			return rc;
	}
	for (i = 0; i < map->nregs; i++) {
		o = &map->regs[i];
		if (o->bar == r->bar && o->offset < r->offset + width / 8 &&
		    r->offset < o->offset + o->width / 8)
			return fail(p, "%s overlaps %s (BAR %u, %#" PRIx64 ")", r->name,
				    o->name, o->bar, o->offset);
	}
	if (fields_of[0]) {
		o = (struct uvregmap_reg *)uvregmap_lookup(map, fields_of);
		if (!o)
			return fail(p, "fields=%s: no such register above", fields_of);
		if (o->fields_of >= 0 || !o->nfields)
			return fail(p, "fields=%s: it has no fields of its own", fields_of);
		if (o->width > r->width)
			return fail(p, "fields=%s: it is wider than %s", fields_of, r->name);
		r->fields_of = (int)(o - map->regs);
	}
	r->desc = dup_desc(p, desc, &rc);
	if (!rc)
		map->nregs++;
	return rc;
}

static int do_field(struct parser *p, char **w, int nw, const char *desc)
{
	struct uvregmap_reg *r = last_reg(p);
	struct uvregmap_field *f;
	uint64_t hi, lo;
	char *colon;
	unsigned int i;
	int rc = 0;

	if (nw != 3 && nw != 4)
		return fail(p, "usage: field NAME BIT|HI:LO [ACCESS] [-- DESCRIPTION]");
	if (!r)
		return fail(p, "'field' before any 'reg'");
	if (r->fields_of >= 0)
		return fail(p, "%s has fields=%s: it cannot have fields of its own", r->name,
			    p->map->regs[r->fields_of].name);
	if (r->fields == NULL || r->nfields >= p->fields_cap) {
		if (!r->fields)
			p->fields_cap = 0;
		r->fields = grow(r->fields, &p->fields_cap, r->nfields, sizeof(*f));
		if (!r->fields)
			return -ENOMEM;
	}
	f = &r->fields[r->nfields];
	memset(f, 0, sizeof(*f));
	rc = name(p, "field", w[1], f->name);
	if (rc)
		return rc;
	colon = strchr(w[2], ':');
	if (colon)
		*colon = '\0';
	rc = num(p, "bit", w[2], 63, &hi);
	lo = hi;
	if (!rc && colon)
		rc = num(p, "bit", colon + 1, 63, &lo);
	if (rc)
		return rc;
	if (lo > hi)
		return fail(p, "bits %" PRIu64 ":%" PRIu64 ": the high bit comes first", hi, lo);
	if (hi >= r->width)
		return fail(p, "field %s: bit %" PRIu64 " is outside the %u-bit %s",
			    f->name, hi, r->width, r->name);
	f->lo = lo;
	f->hi = hi;
	f->access = r->access;
	if (nw == 4) {
		rc = access_of(p, w[3], &f->access);
		if (rc)
			return rc;
	}
	for (i = 0; i < r->nfields; i++) {
		if (!strcmp(r->fields[i].name, f->name))
			return fail(p, "%s has two fields %s", r->name, f->name);
		if (uvregmap_field_mask(&r->fields[i]) & uvregmap_field_mask(f))
			return fail(p, "field %s overlaps %s.%s", f->name, r->name,
				    r->fields[i].name);
	}
	f->desc = dup_desc(p, desc, &rc);
	if (!rc)
		r->nfields++;
	return rc;
}

/* Two names of the map must not become one C macro (a const FOO_BAR and
 * the field BAR of a register with prefix=FOO, say). */
static int unique_macros(struct parser *p)
{
	char (*m)[MACRO_MAX] = NULL;
	unsigned int i, j, n = 0;
	int rc = macros(p->map, &m, &n);

	for (i = 0; !rc && i < n; i++)
		for (j = i + 1; !rc && j < n; j++)
			if (!strcmp(m[i], m[j])) {
				p->line = 0;
				rc = fail(p, "two names of the map make the C macro %s", m[i]);
			}
	free(m);
	return rc;
}

static int field_cmp(const void *a, const void *b)
{
	const struct uvregmap_field *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* Once the map is read: access masks, field order, counters' indices. */
static int finish(struct parser *p)
{
	struct uvregmap *map = p->map;
	unsigned int i, j, base = 0;

	if (!map->prefix[0])
		return fail(p, "no 'device' line");
	for (i = 0; i < map->nregs; i++) {
		struct uvregmap_reg *r = &map->regs[i];
		uint64_t all = width_mask(r->width), defined = 0;

		if (r->fields_of >= 0) {
			r->fields = map->regs[r->fields_of].fields;
			r->nfields = map->regs[r->fields_of].nfields;
		} else if (r->nfields) {
			qsort(r->fields, r->nfields, sizeof(*r->fields), field_cmp);
		}
		for (j = 0; j < r->nfields; j++) {
			uint64_t m = uvregmap_field_mask(&r->fields[j]) & all;

			r->mask[r->fields[j].access] |= m;
			defined |= m;
		}
		if (!r->nfields) {
			r->mask[r->access] = all;
			defined = all;
		} else {
			/* Reserved bits: read-only, so they keep their reset value. */
			r->mask[UVREGMAP_RO] |= all & ~defined;
		}
		if (r->reset & ~defined) {
			p->line = 0;
			return fail(p, "%s: reset value %#" PRIx64 " sets bits outside its fields",
				    r->name, r->reset);
		}
		r->field_base = base;
		base += r->nfields;
	}
	map->nfields_total = base;
	return unique_macros(p);
}

static int parse_line(struct parser *p, char *line)
{
	char *w[MAX_WORDS + 1], *desc = NULL, *s, *tok, *save;
	int nw = 0;

	if (line[strspn(line, " \t")] == '#')
		return 0;
	/* " -- " starts the description: find it before splitting words. */
	for (s = line; (s = strstr(s, "--")); s += 2) {
		if ((s == line || s[-1] == ' ' || s[-1] == '\t') &&
		    (s[2] == '\0' || s[2] == ' ' || s[2] == '\t')) {
			*s = '\0';
			desc = s + 2;
			desc += strspn(desc, " \t");
			break;
		}
	}
	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (nw == MAX_WORDS)
			return fail(p, "too many words (a description goes after ' -- ')");
		w[nw++] = tok;
	}
	if (!nw) {
		if (desc)
			return fail(p, "a description without a keyword");
		return 0;
	}
	if (desc && strstr(desc, "*/"))
		return fail(p, "a description may not hold '*/' (it goes into C comments)");
	if (strchr(desc ? desc : "", '\t'))
		for (s = desc; *s; s++)
			if (*s == '\t')
				*s = ' ';
	if (!strcmp(w[0], "device"))
		return do_device(p, w, nw, desc);
	if (!strcmp(w[0], "bar"))
		return do_bar(p, w, nw);
	if (!strcmp(w[0], "const"))
		return do_const(p, w, nw, desc);
	if (!strcmp(w[0], "reg"))
		return do_reg(p, w, nw, desc);
	if (!strcmp(w[0], "field"))
		return do_field(p, w, nw, desc);
	return fail(p, "unknown keyword '%s' (device, bar, reg, field, const)", w[0]);
}

int uvregmap_parse(const char *text, const char *path, struct uvregmap **mapp,
		   char *err, size_t errlen)
{
	struct parser p = { .path = path ? path : "-", .err = err, .errlen = errlen };
	struct uvregmap *map;
	char *copy, *line, *next;
	int rc = 0;

	if (!text || !mapp)
		return -EINVAL;
	map = calloc(1, sizeof(*map));
	copy = strdup(text);
	if (!map || !copy) {
		free(map);
		free(copy);
		return -ENOMEM;
	}
	p.map = map;
	map->text = strdup(text);
	map->path = strdup(p.path);
	map->desc = strdup("");
	if (!map->text || !map->path || !map->desc)
		rc = -ENOMEM;
	for (line = copy; !rc && line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		if (strchr(line, '\r'))
			rc = fail(&p, "a carriage return: the map must have Unix line ends");
		else
			rc = parse_line(&p, line);
	}
	free(copy);
	if (!rc)
		rc = finish(&p);
	if (rc) {
		if (rc == -ENOMEM && err && errlen)
			snprintf(err, errlen, "%s: out of memory", p.path);
		uvregmap_free(map);
		return rc;
	}
	*mapp = map;
	return 0;
}

int uvregmap_load(const char *path, struct uvregmap **mapp, char *err,
		  size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t n = 0, cap = 0, got;
	char *buf = NULL, *b;
	int rc = 0;

	if (!f) {
		rc = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			b = cap > MAX_MAP_BYTES ? NULL : realloc(buf, cap + 1);
			if (!b) {
				rc = cap > MAX_MAP_BYTES ? -EFBIG : -ENOMEM;
				break;
			}
			buf = b;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (!rc && ferror(f))
		rc = -EIO;
	if (f != stdin)
		fclose(f);
	if (!rc && memchr(buf, '\0', n))
		rc = -EILSEQ;
	if (rc) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path,
				 rc == -EILSEQ ? "a NUL byte: not a text file" :
				 rc == -EFBIG ? "larger than 4 MiB" : strerror(-rc));
		free(buf);
		return rc == -EILSEQ || rc == -EFBIG ? -EINVAL : rc;
	}
	buf[n] = '\0';
	rc = uvregmap_parse(buf, path, mapp, err, errlen);
	free(buf);
	return rc;
}

void uvregmap_free(struct uvregmap *map)
{
	unsigned int i, j;

	if (!map)
		return;
	for (i = 0; i < map->nregs; i++) {
		struct uvregmap_reg *r = &map->regs[i];

		free(r->desc);
		if (r->fields_of >= 0)
			continue;
		for (j = 0; j < r->nfields; j++)
			free(r->fields[j].desc);
		free(r->fields);
	}
	for (i = 0; i < map->nconsts; i++)
		free(map->consts[i].desc);
	free(map->regs);
	free(map->consts);
	free(map->desc);
	free(map->path);
	free(map->text);
	free(map);
}

const struct uvregmap_reg *uvregmap_find(const struct uvregmap *map,
					 unsigned int bar, uint64_t offset)
{
	unsigned int i;

	for (i = 0; i < map->nregs; i++) {
		const struct uvregmap_reg *r = &map->regs[i];

		if (r->bar == bar && offset >= r->offset &&
		    offset - r->offset < r->width / 8)
			return r;
	}
	return NULL;
}

const struct uvregmap_reg *uvregmap_lookup(const struct uvregmap *map,
					   const char *name)
{
	unsigned int i;

	for (i = 0; i < map->nregs; i++)
		if (!strcmp(map->regs[i].name, name))
			return &map->regs[i];
	return NULL;
}

int uvregmap_decode(const struct uvregmap *map, unsigned int bar,
		    uint64_t offset, unsigned int size, bool has_value,
		    uint64_t value, char *buf, size_t len)
{
	const struct uvregmap_reg *r = uvregmap_find(map, bar, offset);
	unsigned int shift, i;
	uint64_t win, v;
	size_t n = 0;
	int k;

#define ADD(...) do {							\
		k = snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, __VA_ARGS__); \
		if (k > 0)						\
			n += k;						\
	} while (0)

	if (size != 1 && size != 2 && size != 4 && size != 8)
		size = 4;
	if (!r) {
		ADD("%u:%#" PRIx64, bar, offset);
		if (has_value)
			ADD(" = %#" PRIx64, value);
		return (int)n;
	}
	if (offset == r->offset)
		ADD("%s", r->name);
	else
		ADD("%s+%" PRIu64, r->name, offset - r->offset);
	if (!has_value)
		return (int)n;
	shift = 8 * (unsigned int)(offset - r->offset);
	win = width_mask(8 * size) << shift;
	value &= width_mask(8 * size);
	ADD(" = %#" PRIx64, value);
	v = value << shift;
	for (i = 0; i < r->nfields; i++) {
		const struct uvregmap_field *f = &r->fields[i];
		uint64_t m = uvregmap_field_mask(f);

		if (!(m & win) || !(v & m))
			continue;
		if (f->hi == f->lo)
			ADD(" %s=1", f->name);
		else
			ADD(" %s=%#" PRIx64, f->name, (v & m) >> f->lo);
	}
#undef ADD
	return (int)n;
}

int uvregmap_parse_assign(const struct uvregmap *map, const char *str,
			  const struct uvregmap_reg **regp, uint64_t *value,
			  char *err, size_t errlen)
{
	const char *eq = strchr(str, '=');
	char nm[UVREGMAP_NAME_MAX + 1];
	const struct uvregmap_reg *r;
	size_t n;
	int rc;

	n = eq ? (size_t)(eq - str) : 0;
	if (!eq || !n || n > UVREGMAP_NAME_MAX) {
		if (err && errlen)
			snprintf(err, errlen, "'%s' is not REGISTER=VALUE", str);
		return -EINVAL;
	}
	memcpy(nm, str, n);
	nm[n] = '\0';
	r = uvregmap_lookup(map, nm);
	if (!r) {
		if (err && errlen)
			snprintf(err, errlen, "'%s': no register %s in %s", str, nm, map->path);
		return -EINVAL;
	}
	rc = uvnic_parse_u64n(eq + 1, strlen(eq + 1), width_mask(r->width), value);
	if (rc) {
		if (err && errlen)
			snprintf(err, errlen, "'%s': %s", str, rc == -ERANGE ?
				 "the value is wider than the register" :
				 "the value is not a number (decimal, or hex with 0x)");
		return rc;
	}
	*regp = r;
	return 0;
}

int uvregmap_regspec(const struct uvregmap *map, const char *str,
		     unsigned int flags, struct uvpci_regspec *spec,
		     char *err, size_t errlen)
{
	char nm[UVREGMAP_NAME_MAX + 1], *buf;
	const struct uvregmap_reg *r;
	const char *rest;
	size_t n, len;
	int rc;

	/* Without a map, exactly uvpci_regspec_parse(): its messages unchanged. */
	if (!map || !str || (str[0] >= '0' && str[0] <= '9'))
		return uvpci_regspec_parse(str, flags, spec, err, errlen);
	n = strcspn(str, "=");
	rest = str + n;
	if (!n || n > UVREGMAP_NAME_MAX) {
		if (err && errlen)
			snprintf(err, errlen, "not a register name or BAR:OFFSET");
		return -EINVAL;
	}
	memcpy(nm, str, n);
	nm[n] = '\0';
	r = uvregmap_lookup(map, nm);
	if (!r) {
		if (err && errlen)
			snprintf(err, errlen, "no register %s in %s", nm, map->path);
		return -EINVAL;
	}
	/* The spec the name stands for, so that values and masks are checked once. */
	len = 48 + strlen(rest);
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	snprintf(buf, len, "%u:%#" PRIx64 ".%c%s", r->bar, r->offset,
		 r->width == 8 ? 'b' : r->width == 16 ? 'w' : r->width == 64 ? 'q' : 'l', rest);
	rc = uvpci_regspec_parse(buf, flags, spec, err, errlen);
	free(buf);
	return rc;
}
