// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * uvregmap-regfile.c - a register file that behaves as its uvregmap(5) map says
 * (RW, RO, W1C, RC, WO per field), so a model gets hardware-like
 * registers without code, and counts every access per register and field
 * for the coverage report (uvregmap_coverage_report(), also here: the
 * counts' file format is this file's to define and read).
 *
 * An access may be narrower than its register (a 64-bit register as two
 * 32-bit halves, a byte of a 32-bit one): it acts on the bytes it covers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uvregmap.h"

struct counts {
	uint64_t reads, writes;
};

struct uvregfile {
	const struct uvregmap *map;
	uint64_t *val;
	struct counts *reg;	/* per register */
	struct counts *field;	/* per field, at each register's field_base */
};

static uint64_t bytes_mask(unsigned int size)
{
	return size >= 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1;
}

struct uvregfile *uvregfile_new(const struct uvregmap *map)
{
	struct uvregfile *rf = calloc(1, sizeof(*rf));

	if (!rf)
		return NULL;
	rf->map = map;
	rf->val = calloc(map->nregs + 1, sizeof(*rf->val));
	rf->reg = calloc(map->nregs + 1, sizeof(*rf->reg));
	rf->field = calloc(map->nfields_total + 1, sizeof(*rf->field));
	if (!rf->val || !rf->reg || !rf->field) {
		uvregfile_free(rf);
		return NULL;
	}
	uvregfile_reset(rf);
	return rf;
}

void uvregfile_free(struct uvregfile *rf)
{
	if (!rf)
		return;
	free(rf->val);
	free(rf->reg);
	free(rf->field);
	free(rf);
}

void uvregfile_reset(struct uvregfile *rf)
{
	unsigned int i;

	for (i = 0; i < rf->map->nregs; i++)
		rf->val[i] = rf->map->regs[i].reset;
}

static unsigned int idx(const struct uvregfile *rf, const struct uvregmap_reg *r)
{
	return (unsigned int)(r - rf->map->regs);
}

/* The register and the bits of it an access of @size at @offset covers. */
static const struct uvregmap_reg *window(const struct uvregfile *rf, unsigned int bar,
					 uint64_t offset, unsigned int size,
					 unsigned int *shift, uint64_t *win)
{
	const struct uvregmap_reg *r = uvregmap_find(rf->map, bar, offset);

	if (!r)
		return NULL;
	*shift = 8 * (unsigned int)(offset - r->offset);
	/* An access running past its register's end touches only its bytes. */
	*win = (bytes_mask(size) << *shift) & bytes_mask(r->width / 8);
	return r;
}

/* Count a read of the bits @win of @r, or a write of the bits @v. */
static void count_read(struct uvregfile *rf, const struct uvregmap_reg *r, uint64_t win)
{
	unsigned int i;

	rf->reg[idx(rf, r)].reads++;
	for (i = 0; i < r->nfields; i++)
		if (uvregmap_field_mask(&r->fields[i]) & win)
			rf->field[r->field_base + i].reads++;
}

static void count_write(struct uvregfile *rf, const struct uvregmap_reg *r, uint64_t v)
{
	unsigned int i;

	rf->reg[idx(rf, r)].writes++;
	for (i = 0; i < r->nfields; i++)
		if (uvregmap_field_mask(&r->fields[i]) & v)
			rf->field[r->field_base + i].writes++;
}

uint64_t uvregfile_read(struct uvregfile *rf, unsigned int bar,
			uint64_t offset, unsigned int size)
{
	const struct uvregmap_reg *r;
	unsigned int shift, k;
	uint64_t win, v;

	r = window(rf, bar, offset, size, &shift, &win);
	if (!r)
		return 0;
	k = idx(rf, r);
	v = rf->val[k] & win & ~r->mask[UVREGMAP_WO];
	rf->val[k] &= ~(r->mask[UVREGMAP_RC] & win);
	count_read(rf, r, win);
	return v >> shift;
}

const struct uvregmap_reg *uvregfile_count(struct uvregfile *rf, unsigned int bar,
					   uint64_t offset, unsigned int size,
					   bool write, uint64_t value)
{
	const struct uvregmap_reg *r;
	unsigned int shift;
	uint64_t win;

	r = window(rf, bar, offset, size, &shift, &win);
	if (!r)
		return NULL;
	if (write)
		count_write(rf, r, ((value & bytes_mask(size)) << shift) & win);
	else
		count_read(rf, r, win);
	return r;
}

const struct uvregmap_reg *uvregfile_write(struct uvregfile *rf,
					   unsigned int bar, uint64_t offset,
					   unsigned int size, uint64_t value)
{
	const struct uvregmap_reg *r;
	unsigned int shift, k;
	uint64_t win, v, takes;

	r = window(rf, bar, offset, size, &shift, &win);
	if (!r)
		return NULL;
	k = idx(rf, r);
	v = ((value & bytes_mask(size)) << shift) & win;
	takes = (r->mask[UVREGMAP_RW] | r->mask[UVREGMAP_WO]) & win;
	rf->val[k] = (rf->val[k] & ~takes) | (v & takes);
	rf->val[k] &= ~(v & r->mask[UVREGMAP_W1C]);
	count_write(rf, r, v);
	return r;
}

uint64_t uvregfile_get(const struct uvregfile *rf, const struct uvregmap_reg *reg)
{
	return rf->val[idx(rf, reg)];
}

void uvregfile_set(struct uvregfile *rf, const struct uvregmap_reg *reg,
		   uint64_t value)
{
	rf->val[idx(rf, reg)] = value & bytes_mask(reg->width / 8);
}

int uvregfile_coverage(const struct uvregfile *rf, FILE *out)
{
	const struct uvregmap *map = rf->map;
	unsigned int i, j;

	for (i = 0; i < map->nregs; i++) {
		const struct uvregmap_reg *r = &map->regs[i];

		fprintf(out, "reg %s %" PRIu64 " %" PRIu64 "\n", r->name,
			rf->reg[i].reads, rf->reg[i].writes);
		for (j = 0; j < r->nfields; j++)
			fprintf(out, "field %s.%s %" PRIu64 " %" PRIu64 "\n", r->name,
				r->fields[j].name, rf->field[r->field_base + j].reads,
				rf->field[r->field_base + j].writes);
	}
	if (fflush(out) || ferror(out))
		return -EIO;
	return 0;
}

static int bad(char *err, size_t errlen, const char *file, unsigned int line,
	       const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "%s:%u: %s", file, line, what);
	return -EINVAL;
}

/* Add one coverage file's counts to @reg and @field. */
static int add_file(const struct uvregmap *map, const char *file,
		    struct counts *reg, struct counts *field, char *err, size_t errlen)
{
	char line[256], kind[8], name[2 * UVREGMAP_NAME_MAX + 2], *dot;
	const struct uvregmap_reg *r;
	unsigned int n = 0, j;
	uint64_t rd, wr;
	FILE *f = fopen(file, "r");
	int rc = 0;

	if (!f) {
		rc = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", file, strerror(-rc));
		return rc;
	}
	while (!rc && fgets(line, sizeof(line), f)) {
		n++;
		if (sscanf(line, "%7s %65s %" SCNu64 " %" SCNu64, kind, name, &rd, &wr) != 4) {
			rc = bad(err, errlen, file, n, "not a coverage line (reg|field NAME READS WRITES)");
			break;
		}
		dot = strchr(name, '.');
		if (dot)
			*dot++ = '\0';
		if (strcmp(kind, dot ? "field" : "reg")) {
			rc = bad(err, errlen, file, n, "not a coverage line (reg|field NAME READS WRITES)");
			break;
		}
		r = uvregmap_lookup(map, name);
		if (!r) {
			rc = bad(err, errlen, file, n, "names a register the map does not have");
			break;
		}
		if (!dot) {
			reg[r - map->regs].reads += rd;
			reg[r - map->regs].writes += wr;
			continue;
		}
		for (j = 0; j < r->nfields && strcmp(r->fields[j].name, dot); j++)
			;
		if (j == r->nfields) {
			rc = bad(err, errlen, file, n, "names a field the map does not have");
			break;
		}
		field[r->field_base + j].reads += rd;
		field[r->field_base + j].writes += wr;
	}
	if (!rc && ferror(f))
		rc = bad(err, errlen, file, n, "read error");
	fclose(f);
	return rc;
}

static void count(FILE *out, uint64_t v)
{
	if (v)
		fprintf(out, "\t%" PRIu64, v);
	else
		fputs("\t-", out);
}

int uvregmap_coverage_report(const struct uvregmap *map,
			     const char *const *files, unsigned int nfiles,
			     FILE *out, char *err, size_t errlen)
{
	struct counts *reg = calloc(map->nregs + 1, sizeof(*reg));
	struct counts *field = calloc(map->nfields_total + 1, sizeof(*field));
	unsigned int i, j, nr = 0, nf = 0;
	int rc = reg && field ? 0 : -ENOMEM;

	for (i = 0; !rc && i < nfiles; i++)
		rc = add_file(map, files[i], reg, field, err, errlen);
	if (rc) {
		free(reg);
		free(field);
		return rc;
	}
	fputs("REGISTER\tREADS\tWRITES\n", out);
	for (i = 0; i < map->nregs; i++) {
		const struct uvregmap_reg *r = &map->regs[i];

		fputs(r->name, out);
		count(out, reg[i].reads);
		count(out, reg[i].writes);
		fputc('\n', out);
		nr += reg[i].reads || reg[i].writes;
		for (j = 0; j < r->nfields; j++) {
			const struct counts *c = &field[r->field_base + j];

			fprintf(out, "%s.%s", r->name, r->fields[j].name);
			count(out, c->reads);
			count(out, c->writes);
			fputc('\n', out);
			nf += c->reads || c->writes;
		}
	}
	fprintf(out, "covered: %u of %u registers, %u of %u fields\n", nr, map->nregs,
		nf, map->nfields_total);
	free(reg);
	free(field);
	if (fflush(out) || ferror(out))
		return -EIO;
	return 0;
}
