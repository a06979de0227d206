// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * regmap.c - unit test of register maps as data (lib/regmap/uvregmap.h): the
 * uvregmap(5) parser and each error it promises, the register file's
 * RW/RO/W1C/RC/WO semantics (whole, narrow and split 64-bit accesses),
 * its coverage counts and the report summing them, and the decoder.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libuvnic.h"
#include "tap.h"

static const char good[] =
	"# a comment\n"
	"device T -- test device\n"
	"bar 0 4096\n"
	"bar 2 256\n"
	"const MAGIC 0x1234 -- what ID reads\n"
	"reg ID 0:0x000 32 RO reset=0x1234 -- identification\n"
	"reg CTRL 0:0x008 32 RW -- control\n"
	"field GO 31 WO -- start\n"
	"field EN 0 -- enable\n"
	"field MODE 5:4\n"
	"reg ISR 0:0x00c 32 W1C\n"
	"field DONE 0\n"
	"field ERR 1\n"
	"reg IMR 0:0x010 32 RW fields=ISR\n"
	"reg EVT 0:0x014 32 RC\n"
	"reg DB 0:0x018 32 WO\n"
	"reg ADDR 0:0x020 64 RW -- 64 -- bits\n"
	"reg STAT 2:0x10 16 RO reset=0xbeef\n";

struct bad {
	const char *text;
	const char *why;	/* a piece of the message */
};

#define HEAD "device T\nbar 0 4096\n"

static const struct bad bads[] = {
	{ "bar 0 4096\n", "no 'device' line" },
	{ "device T\ndevice U\n", ":2: a second 'device' line" },
	{ "device t\n", "only A-Z" },
	{ HEAD "frob X\n", ":3: unknown keyword 'frob'" },
	{ HEAD "bar 0 4096\n", "BAR 0 is declared twice" },
	{ HEAD "bar 1 1000\n", "not a power of two" },
	{ HEAD "bar 6 4096\n", "BAR '6' is too large" },
	{ HEAD "reg A 1:0 32 RW\n", "BAR 1 is not declared" },
	{ HEAD "reg A 0:2 32 RW\n", "not aligned" },
	{ HEAD "reg A 0:4096 32 RW\n", "lies outside BAR 0" },
	{ HEAD "reg A 0:0 24 RW\n", "width 24 is not 8, 16, 32 or 64" },
	{ HEAD "reg A 0:0 32 RX\n", "unknown access type 'RX'" },
	{ HEAD "reg A 0:0 32 RW\nreg A 0:4 32 RW\n", "'A' is defined twice" },
	{ HEAD "reg A 0:0 64 RW\nreg B 0:4 32 RW\n", "B overlaps A" },
	{ HEAD "reg A 0:0 8 RW reset=0x100\n", "reset value '0x100' is too large" },
	{ HEAD "reg A 0:0 32 RW bogus=1\n", "unknown register option 'bogus='" },
	{ HEAD "reg A 0:0 32 RW fields=B\n", "fields=B: no such register above" },
	{ HEAD "reg A 0:0 32 RW\nreg B 0:4 32 RW fields=A\n", "it has no fields of its own" },
	{ HEAD "field F 0\n", "'field' before any 'reg'" },
	{ HEAD "reg A 0:0 16 RW\nfield F 16\n", "bit 16 is outside the 16-bit A" },
	{ HEAD "reg A 0:0 32 RW\nfield F 3:4\n", "the high bit comes first" },
	{ HEAD "reg A 0:0 32 RW\nfield F 7:0\nfield G 4\n", "field G overlaps A.F" },
	{ HEAD "reg A 0:0 32 RW\nfield F 0\nfield F 1\n", "A has two fields F" },
	{ HEAD "reg A 0:0 32 RW reset=2\nfield F 0\n", "sets bits outside its fields" },
	{ HEAD "reg A 0:0 32 RW\nfield F 0\nreg B 0:4 32 RW fields=A\nfield G 1\n",
	  "cannot have fields of its own" },
	{ HEAD "const A_X 1\nreg A 0:0 32 RW prefix=A\nfield X 0\n", "make the C macro T_A_X" },
	{ HEAD "reg A 0:0 32 RW\r\n", "carriage return" },
	{ HEAD "reg A 0:010 32 RW\n", "offset '010' is not a number" },
	{ HEAD "const\n", "usage: const" },
};

static struct uvregmap *parse_ok(const char *text)
{
	char err[UVREGMAP_ERR_MAX] = "";
	struct uvregmap *map = NULL;
	int rc = uvregmap_parse(text, "t.regmap", &map, err, sizeof(err));

	ok(rc == 0 && map, "the good map parses (%s)", err);
	return map;
}

static void test_parse(const struct uvregmap *map)
{
	const struct uvregmap_reg *ctrl = uvregmap_lookup(map, "CTRL");
	const struct uvregmap_reg *imr = uvregmap_lookup(map, "IMR");
	const struct uvregmap_reg *addr = uvregmap_lookup(map, "ADDR");
	char err[UVREGMAP_ERR_MAX];
	struct uvregmap *m;
	size_t i;
	int rc;

	ok(!strcmp(map->prefix, "T") && !strcmp(map->desc, "test device") &&
	   map->bar_size[0] == 4096 && map->bar_size[2] == 256 && !map->bar_size[1],
	   "device and BARs");
	ok(map->nregs == 8 && map->nconsts == 1 && map->consts[0].value == 0x1234 &&
	   !strcmp(map->consts[0].literal, "0x1234"), "8 registers, one constant as written");
	ok(ctrl && ctrl->nfields == 3 && !strcmp(ctrl->fields[0].name, "EN") &&
	   !strcmp(ctrl->fields[1].name, "MODE") && ctrl->fields[1].lo == 4 &&
	   ctrl->fields[1].hi == 5 && !strcmp(ctrl->fields[2].name, "GO") &&
	   ctrl->fields[2].access == UVREGMAP_WO, "fields sorted by bit, access per field");
	ok(imr && imr->fields_of >= 0 && imr->nfields == 2 &&
	   !strcmp(imr->fields[1].name, "ERR") && imr->fields[0].access == UVREGMAP_W1C &&
	   imr->mask[UVREGMAP_RW] == 0 && imr->mask[UVREGMAP_W1C] == 0x3,
	   "fields=ISR: ISR's fields, ISR's access for them (as written in the map)");
	ok(addr && !strcmp(addr->desc, "64 -- bits"), "the description starts after the first ' -- '");
	ok(uvregmap_find(map, 0, 0x24) == addr && uvregmap_find(map, 0, 0x28) == NULL &&
	   uvregmap_find(map, 2, 0x11) == uvregmap_lookup(map, "STAT") &&
	   uvregmap_find(map, 1, 0) == NULL, "find: by any byte of a register, per BAR");
	ok(map->nfields_total == 3 + 2 + 2, "field counters: ISR's and IMR's counted apart");

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		m = NULL;
		err[0] = '\0';
		rc = uvregmap_parse(bads[i].text, "b.regmap", &m, err, sizeof(err));
		ok(rc == -EINVAL && !m && strstr(err, bads[i].why) && !strncmp(err, "b.regmap:", 9),
		   "refused: %s (%s)", bads[i].why, err);
	}
	rc = uvregmap_load("/nonexistent/x.regmap", &m, err, sizeof(err));
	ok(rc == -ENOENT && strstr(err, "No such file"), "load: a missing file (%s)", err);
}

static void test_regfile(const struct uvregmap *map)
{
	struct uvregfile *rf = uvregfile_new(map);
	const struct uvregmap_reg *isr = uvregmap_lookup(map, "ISR");
	const struct uvregmap_reg *evt = uvregmap_lookup(map, "EVT");
	const struct uvregmap_reg *ctrl = uvregmap_lookup(map, "CTRL");

	ok(rf != NULL, "a register file");
	ok(uvregfile_read(rf, 0, 0, 4) == 0x1234, "RO: reads its reset value");
	uvregfile_write(rf, 0, 0, 4, 0xffffffff);
	ok(uvregfile_read(rf, 0, 0, 4) == 0x1234, "RO: a write is ignored");
	ok(uvregfile_read(rf, 0, 1, 1) == 0x12, "a narrow read: its byte");

	uvregfile_write(rf, 0, 8, 4, 0xffffffff);
	ok(uvregfile_read(rf, 0, 8, 4) == 0x31, "RW fields read back, WO field GO reads 0, reserved bits stay 0");
	ok(uvregfile_get(rf, ctrl) == 0x80000031, "the device sees GO written");

	uvregfile_set(rf, isr, 0x3);
	ok(uvregfile_read(rf, 0, 0xc, 4) == 0x3, "W1C: the device's latched bits read");
	uvregfile_write(rf, 0, 0xc, 4, 0x1);
	ok(uvregfile_read(rf, 0, 0xc, 4) == 0x2, "W1C: writing 1 clears that bit only");
	uvregfile_write(rf, 0, 0xc, 4, 0x0);
	ok(uvregfile_read(rf, 0, 0xc, 4) == 0x2, "W1C: writing 0 clears nothing");

	uvregfile_set(rf, evt, 0x5);
	ok(uvregfile_read(rf, 0, 0x15, 1) == 0 && uvregfile_read(rf, 0, 0x14, 4) == 0x5,
	   "RC: a read of other bytes leaves these");
	ok(uvregfile_read(rf, 0, 0x14, 4) == 0, "RC: the read cleared it");
	uvregfile_write(rf, 0, 0x14, 4, 7);
	ok(uvregfile_read(rf, 0, 0x14, 4) == 0, "RC: writes are ignored");

	uvregfile_write(rf, 0, 0x18, 4, 0xabc);
	ok(uvregfile_read(rf, 0, 0x18, 4) == 0 &&
	   uvregfile_get(rf, uvregmap_lookup(map, "DB")) == 0xabc, "WO: reads 0, the device has it");

	uvregfile_write(rf, 0, 0x20, 4, 0x89abcdef);
	uvregfile_write(rf, 0, 0x24, 4, 0x01234567);
	ok(uvregfile_read(rf, 0, 0x20, 8) == 0x0123456789abcdefULL &&
	   uvregfile_read(rf, 0, 0x24, 4) == 0x01234567, "64-bit: two halves make one value");
	ok(uvregfile_read(rf, 0, 0x200, 4) == 0 && !uvregfile_write(rf, 0, 0x200, 4, 1),
	   "no register there: reads 0, a write is ignored");
	ok(uvregfile_read(rf, 2, 0x10, 2) == 0xbeef, "BAR2's 16-bit register");

	uvregfile_reset(rf);
	ok(uvregfile_read(rf, 0, 8, 4) == 0 && uvregfile_get(rf, isr) == 0,
	   "reset: every register at its reset value");
	uvregfile_free(rf);
}

/* Counts: a run, its file, and the report. */
static void test_coverage(const struct uvregmap *map)
{
	char path[] = "/tmp/regmap-cov-XXXXXX", line[256], err[UVREGMAP_ERR_MAX] = "";
	struct uvregfile *rf = uvregfile_new(map);
	const char *files[2] = { path, path };
	bool ctrl = false, en = false, mode = false, go = false, sum = false, id = false;
	FILE *f, *out;
	int fd, rc;

	uvregfile_read(rf, 0, 8, 4);
	uvregfile_write(rf, 0, 8, 4, 0x1);		/* sets EN only */
	uvregfile_write(rf, 0, 0x20, 4, 1);
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	ok(f && uvregfile_coverage(rf, f) == 0 && fclose(f) == 0, "counts written");
	out = tmpfile();
	rc = uvregmap_coverage_report(map, files, 2, out, err, sizeof(err));
	ok(rc == 0, "the report sums two files (%s)", err);
	rewind(out);
	while (fgets(line, sizeof(line), out)) {
		ctrl |= !strcmp(line, "CTRL\t2\t2\n");
		en |= !strcmp(line, "CTRL.EN\t2\t2\n");
		mode |= !strcmp(line, "CTRL.MODE\t2\t-\n");
		go |= !strcmp(line, "CTRL.GO\t2\t-\n");
		id |= !strcmp(line, "ID\t-\t-\n");
		sum |= !strcmp(line, "covered: 2 of 8 registers, 3 of 7 fields\n");
	}
	fclose(out);
	ok(ctrl && id, "registers: reads and writes, '-' for none");
	ok(en && mode && go, "fields: read by every read of them, written only when set");
	ok(sum, "the summary line");

	f = fopen(path, "w");
	fputs("reg NOPE 1 1\n", f);
	fclose(f);
	out = tmpfile();
	rc = uvregmap_coverage_report(map, files, 1, out, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, ":1: names a register the map does not have"),
	   "a file naming another map's register is refused (%s)", err);
	f = fopen(path, "w");
	fputs("field CTRL 1 1\n", f);
	fclose(f);
	rc = uvregmap_coverage_report(map, files, 1, out, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "not a coverage line"), "a malformed line is refused (%s)", err);
	fclose(out);
	unlink(path);
	uvregfile_free(rf);
}

static void test_decode(const struct uvregmap *map)
{
	char buf[256];

	uvregmap_decode(map, 0, 8, 4, true, 0x80000021, buf, sizeof(buf));
	ok(!strcmp(buf, "CTRL = 0x80000021 EN=1 MODE=0x2 GO=1"), "decode a write: %s", buf);
	uvregmap_decode(map, 0, 0x24, 4, false, 0, buf, sizeof(buf));
	ok(!strcmp(buf, "ADDR+4"), "decode the upper half of a 64-bit register: %s", buf);
	uvregmap_decode(map, 0, 0x300, 4, true, 5, buf, sizeof(buf));
	ok(!strcmp(buf, "0:0x300 = 0x5"), "decode where no register is: %s", buf);
	ok(uvregmap_decode(map, 0, 8, 4, true, 0x80000021, buf, 4) == 36 && !strcmp(buf, "CTR"),
	   "decode truncates like snprintf and says the length needed");
}

static void test_assign(const struct uvregmap *map)
{
	const struct uvregmap_reg *r = NULL;
	char err[UVREGMAP_ERR_MAX] = "";
	uint64_t v = 0;

	ok(uvregmap_parse_assign(map, "ISR=0x3", &r, &v, err, sizeof(err)) == 0 &&
	   r == uvregmap_lookup(map, "ISR") && v == 3, "REG=VALUE");
	ok(uvregmap_parse_assign(map, "STAT=0x10000", &r, &v, err, sizeof(err)) == -ERANGE,
	   "REG=VALUE wider than the register: %s", err);
	ok(uvregmap_parse_assign(map, "NOPE=1", &r, &v, err, sizeof(err)) == -EINVAL &&
	   strstr(err, "no register NOPE"), "unknown register: %s", err);
}

/* A model with registers of its own counts through uvregfile_count(). */
static void test_count(const struct uvregmap *map)
{
	struct uvregfile *rf = uvregfile_new(map);
	const struct uvregmap_reg *isr = uvregmap_lookup(map, "ISR");
	char path[] = "/tmp/regmap-cnt-XXXXXX", buf[4096];
	FILE *f;
	size_t n;
	int fd;

	ok(uvregfile_count(rf, 0, 0xc, 4, true, 0x2) == isr &&
	   uvregfile_count(rf, 0, 0xc, 4, false, 0) == isr &&
	   uvregfile_count(rf, 0, 0x300, 4, true, 1) == NULL, "count: the register, or NULL");
	uvregfile_set(rf, isr, 0x3);
	uvregfile_count(rf, 0, 0xc, 4, true, 0x3);
	ok(uvregfile_get(rf, isr) == 0x3, "count: no value changes");
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w+") : NULL;
	ok(f && uvregfile_coverage(rf, f) == 0, "count: written");
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(path);
	ok(strstr(buf, "reg ISR 1 2\n") && strstr(buf, "field ISR.DONE 1 1\n") &&
	   strstr(buf, "field ISR.ERR 1 2\n") && strstr(buf, "reg ID 0 0\n"),
	   "count: per register and field, as reads and writes would");
	uvregfile_free(rf);
}

/* Register arguments of uvpci-peek/uvpci-poke, by name with a map. */
static void test_regspec(const struct uvregmap *map)
{
	char err[UVREGMAP_ERR_MAX] = "";
	struct uvpci_regspec s;

	ok(uvregmap_regspec(map, "ADDR=0x1122334455667788", UVPCI_REGSPEC_NEED_VALUE, &s,
			    err, sizeof(err)) == 0 && s.bar == 0 && s.offset == 0x20 && s.size == 8 &&
	   s.value == 0x1122334455667788ULL, "a 64-bit register by name, at its width (%s)", err);
	ok(uvregmap_regspec(map, "STAT", UVPCI_REGSPEC_NO_VALUE, &s, err, sizeof(err)) == 0 &&
	   s.bar == 2 && s.offset == 0x10 && s.size == 2, "BAR2's 16-bit register by name");
	ok(uvregmap_regspec(map, "CTRL=0x10:0x30", 0, &s, err, sizeof(err)) == 0 &&
	   uvpci_regspec_is_rmw(&s) && s.mask == 0x30, "a name with a mask");
	ok(uvregmap_regspec(map, "0:0x8.b=1", 0, &s, err, sizeof(err)) == 0 && s.size == 1,
	   "a spec still parses as a spec");
	ok(uvregmap_regspec(map, "NOPE=1", 0, &s, err, sizeof(err)) == -EINVAL &&
	   !strcmp(err, "no register NOPE in t.regmap"), "an unknown name: %s", err);
	ok(uvregmap_regspec(map, "STAT=0x10000", 0, &s, err, sizeof(err)) == -ERANGE,
	   "a value wider than the register: %s", err);
	ok(uvregmap_regspec(NULL, "CTRL=1", 0, &s, err, sizeof(err)) == -EINVAL,
	   "no map: a name is not a spec (%s)", err);
}

int main(void)
{
	struct uvregmap *map = parse_ok(good);

	if (!map)
		return tap_done();
	test_parse(map);
	test_regfile(map);
	test_coverage(map);
	test_decode(map);
	test_assign(map);
	test_count(map);
	test_regspec(map);
	uvregmap_free(map);
	return tap_done();
}
