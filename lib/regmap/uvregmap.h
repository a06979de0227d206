/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uvregmap.h - register maps as data: a device's BARs, registers, fields,
 * access types and reset values, parsed from the text format of
 * uvregmap(5) (uvregmap.c); the C header, man-page table and model skeleton
 * generated from a map (uvregmap-gen.c); and a register file that behaves
 * as the map says, with per-register and per-field access counts for a
 * coverage report (uvregmap-regfile.c). uvregmap(1) is the command line over it.
 *
 * A map is read-only once parsed; one struct uvregfile per model thread.
 */
#ifndef UVREGMAP_H
#define UVREGMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Names (registers, fields, constants, the prefix) are at most this long. */
#define UVREGMAP_NAME_MAX	32
/* A buffer this large always holds a whole parse error. */
#define UVREGMAP_ERR_MAX	256
/* BARs are numbered 0 .. UVREGMAP_NUM_BARS - 1 (as in uvpci-regspec.h). */
#define UVREGMAP_NUM_BARS	6

/**
 * enum uvregmap_access - what a host access does to a register or field.
 * @UVREGMAP_RW:  read-write: reads return what was last written
 * @UVREGMAP_RO:  read-only: writes are ignored; the device sets the value
 * @UVREGMAP_W1C: write 1 to clear: the device latches bits, a write of 1
 *                clears them, a write of 0 leaves them
 * @UVREGMAP_RC:  read to clear: a read returns the bits and clears them
 * @UVREGMAP_WO:  write-only: reads return 0; the write reaches the device
 */
enum uvregmap_access {
	UVREGMAP_RW,
	UVREGMAP_RO,
	UVREGMAP_W1C,
	UVREGMAP_RC,
	UVREGMAP_WO,
	UVREGMAP_NUM_ACCESS
};

/**
 * struct uvregmap_field - a named run of bits of a register.
 * @name:   the field's name, as in the map
 * @lo:     its lowest bit
 * @hi:     its highest bit (== @lo for a one-bit field)
 * @access: its access type (the register's unless the map gives one)
 * @desc:   its description ("" when none)
 */
struct uvregmap_field {
	char name[UVREGMAP_NAME_MAX + 1];
	unsigned int lo, hi;
	enum uvregmap_access access;
	char *desc;
};

/**
 * struct uvregmap_reg - one register.
 * @name:       its name, as in the map
 * @bar:        its BAR
 * @offset:     its byte offset in the BAR, a multiple of its size
 * @width:      its width in bits: 8, 16, 32 or 64
 * @access:     its access type (that of bits outside any field, when it
 *              has none; a register with fields has reserved bits that
 *              read 0 and ignore writes outside them)
 * @reset:      its value at reset
 * @fprefix:    the prefix of its fields' C macros (its name by default)
 * @fields_of:  index of the register whose fields it shares (fields=REG),
 *              or -1; @fields then points into that register's
 * @fields:     its fields, lowest bit first
 * @nfields:    how many
 * @field_base: index of its first field among all fields of the map
 *              (registers sharing fields count their own), for counters
 * @mask:       per access type, the bits that behave so
 * @desc:       its description ("" when none)
 */
struct uvregmap_reg {
	char name[UVREGMAP_NAME_MAX + 1];
	unsigned int bar;
	uint64_t offset;
	unsigned int width;
	enum uvregmap_access access;
	uint64_t reset;
	char fprefix[UVREGMAP_NAME_MAX + 1];
	int fields_of;
	struct uvregmap_field *fields;
	unsigned int nfields;
	unsigned int field_base;
	uint64_t mask[UVREGMAP_NUM_ACCESS];
	char *desc;
};

/**
 * struct uvregmap_const - a named value of the device (const NAME VALUE).
 * @literal: the value as the map wrote it (decimal or hex), for the header
 */
struct uvregmap_const {
	char name[UVREGMAP_NAME_MAX + 1];
	uint64_t value;
	char literal[24];
	char *desc;
};

/**
 * struct uvregmap - a parsed map.
 * @prefix:  the C macro prefix of the device (device PREFIX), e.g. UVNIC
 * @desc:    the device's description
 * @path:    the file it was read from ("-" for a string)
 * @text:    the map's text, as read (the skeleton embeds it)
 * @bar_size: per BAR, its size in bytes; 0 when the map has no such BAR
 * @regs:    the registers, in the map's order
 * @nregs:   how many
 * @nfields_total: fields of all registers (see @field_base)
 * @consts:  the constants, in the map's order
 * @nconsts: how many
 */
struct uvregmap {
	char prefix[UVREGMAP_NAME_MAX + 1];
	char *desc;
	char *path;
	char *text;
	uint64_t bar_size[UVREGMAP_NUM_BARS];
	struct uvregmap_reg *regs;
	unsigned int nregs;
	unsigned int nfields_total;
	struct uvregmap_const *consts;
	unsigned int nconsts;
};

/**
 * uvregmap_parse() - parse a map from @text (uvregmap(5)).
 * @text:   the whole map, NUL-terminated
 * @path:   the name to give in messages ("FILE:LINE: ...")
 * @mapp:   set to the new map on success
 * @err:    on failure, "PATH:LINE: reason" as one line; may be NULL
 * @errlen: size of @err (UVREGMAP_ERR_MAX suffices)
 *
 * @return 0; -EINVAL on any error in the map (the first is reported);
 *         -ENOMEM.
 */
int uvregmap_parse(const char *text, const char *path, struct uvregmap **mapp,
		   char *err, size_t errlen);

/**
 * uvregmap_load() - read and parse the map in file @path ("-": stdin).
 * @return as uvregmap_parse(); or the -errno of opening or reading @path
 *         (@err then says so).
 */
int uvregmap_load(const char *path, struct uvregmap **mapp, char *err,
		  size_t errlen);

/** uvregmap_free() - free a map; @map may be NULL. */
void uvregmap_free(struct uvregmap *map);

/** uvregmap_access_name() - "RW", "RO", "W1C", "RC", "WO" (or "?"). */
const char *uvregmap_access_name(enum uvregmap_access access);

/**
 * uvregmap_find() - the register that holds byte @offset of @bar.
 * @return the register, or NULL when none does.
 */
const struct uvregmap_reg *uvregmap_find(const struct uvregmap *map,
					 unsigned int bar, uint64_t offset);

/** uvregmap_lookup() - the register named @name, or NULL (exact match). */
const struct uvregmap_reg *uvregmap_lookup(const struct uvregmap *map,
					   const char *name);

/** uvregmap_field_mask() - the bits of @f in its register. */
uint64_t uvregmap_field_mask(const struct uvregmap_field *f);

/**
 * uvregmap_decode() - one access, in words: "CTRL", "TX_BASE+4" (an
 * access inside a register), "0:0x200" (no register there); with a value,
 * " = 0x3 RX_EN=1 TX_EN=1" follows (the fields with a bit set in the
 * accessed bytes, multi-bit ones in hex).
 * @size:      access size in bytes: 1, 2, 4 or 8
 * @has_value: false for an address only
 * @buf, @len: as for snprintf()
 *
 * This is the decoder uvregmap(1) "decode" and the tracing tools use.
 * @return as snprintf(): the length the whole text needs.
 */
int uvregmap_decode(const struct uvregmap *map, unsigned int bar,
		    uint64_t offset, unsigned int size, bool has_value,
		    uint64_t value, char *buf, size_t len);

/**
 * uvregmap_parse_assign() - parse "REG=VALUE" (a register's name, '=',
 * a number under uvnic_parse_u64n()'s rule, at most the register's width).
 * @return 0 with *@regp and *@value set; -EINVAL (unknown register, bad
 *         number) or -ERANGE (too wide), with the reason in @err.
 */
int uvregmap_parse_assign(const struct uvregmap *map, const char *str,
			  const struct uvregmap_reg **regp, uint64_t *value,
			  char *err, size_t errlen);

struct uvpci_regspec;

/**
 * uvregmap_regspec() - a register argument of uvpci-peek/uvpci-poke: a
 * register spec (BAR:OFFSET[.WIDTH][=VALUE[:MASK]], uvpci-regspec.h) or,
 * with a map, a register's name in its place: NAME[=VALUE[:MASK]] is the
 * register NAME at its own width. An argument starting with a digit is a
 * spec, any other a name.
 * @map:   the map, or NULL (then only specs)
 * @flags: as for uvpci_regspec_parse()
 * @return as uvpci_regspec_parse() (which alone parses @str when @map is
 *         NULL); -EINVAL also for a name the map does not have, the
 *         reason in @err
 */
int uvregmap_regspec(const struct uvregmap *map, const char *str,
		     unsigned int flags, struct uvpci_regspec *spec,
		     char *err, size_t errlen);

/* ---- generators (uvregmap-gen.c); each returns 0 or -errno of writing ---- */

/**
 * uvregmap_emit_header() - the C header of the map: per BAR its size,
 * per register PREFIX_REG_NAME (its offset), per field PREFIX_FPREFIX_NAME
 * (the mask: (1U << n), or PREFIX_..._MASK and _SHIFT for a wider one),
 * per constant PREFIX_NAME; kernel style, usable from the kernel and
 * userspace alike (no type beyond integer constants).
 * @guard: the include guard macro
 * @spdx:  the SPDX-License-Identifier of the header
 */
int uvregmap_emit_header(const struct uvregmap *map, FILE *out,
			 const char *guard, const char *spdx);

/**
 * uvregmap_emit_man() - the register table for a man page: a tbl(1)
 * table (.TS to .TE) of offset, name, access and meaning (with the reset
 * value when not 0),
 * a row per register and one per field under it.
 */
int uvregmap_emit_man(const struct uvregmap *map, FILE *out);

/**
 * uvregmap_emit_skeleton() - the C source of a device model serving the
 * map: a struct uvregfile behind struct uvpci_device_ops, the map
 * embedded, and one empty hook for the behaviour behind writes.
 * @prog: the program's name
 */
int uvregmap_emit_skeleton(const struct uvregmap *map, FILE *out,
			   const char *prog);

/* ---- register file (uvregmap-regfile.c) ---------------------------------------- */

struct uvregfile;

/**
 * uvregfile_new() - a register file for @map, at its reset values; @map
 * must outlive it. @return it, or NULL (out of memory).
 */
struct uvregfile *uvregfile_new(const struct uvregmap *map);

/** uvregfile_free() - free @rf (may be NULL); @map is not freed. */
void uvregfile_free(struct uvregfile *rf);

/** uvregfile_reset() - every register to its reset value (counts kept). */
void uvregfile_reset(struct uvregfile *rf);

/**
 * uvregfile_read() - a host read: @size bytes at @offset of @bar. Bits
 * of WO fields and reserved bits read 0; RC bits that were read clear.
 * An offset no register holds reads 0. Counts the read.
 */
uint64_t uvregfile_read(struct uvregfile *rf, unsigned int bar,
			uint64_t offset, unsigned int size);

/**
 * uvregfile_write() - a host write: RW and WO bits take @value, W1C bits
 * written 1 clear, RO and RC bits and reserved bits keep their value. A
 * write no register holds is ignored. Counts the write.
 * @return the register written, or NULL.
 */
const struct uvregmap_reg *uvregfile_write(struct uvregfile *rf,
					   unsigned int bar, uint64_t offset,
					   unsigned int size, uint64_t value);

/**
 * uvregfile_count() - count a host access that a model with registers of
 * its own served (uvnic-bridge --coverage): no value is stored or changed.
 * @write: a write of @value, else a read
 * @return the register accessed, or NULL (nothing counted)
 */
const struct uvregmap_reg *uvregfile_count(struct uvregfile *rf, unsigned int bar,
					   uint64_t offset, unsigned int size,
					   bool write, uint64_t value);

/** uvregfile_get() - the device's view of @reg: its whole value. */
uint64_t uvregfile_get(const struct uvregfile *rf,
		       const struct uvregmap_reg *reg);

/** uvregfile_set() - the device sets @reg to @value (no access rule). */
void uvregfile_set(struct uvregfile *rf, const struct uvregmap_reg *reg,
		   uint64_t value);

/**
 * uvregfile_coverage() - write the access counts of @rf to @out as
 * uvregmap(1) "coverage" reads them: a line "reg NAME READS WRITES" per
 * register and "field NAME.FIELD READS WRITES" per field. A field counts
 * as read by every read of bytes holding it, as written by every write
 * that sets one of its bits (writing 0 to CTRL does not exercise RESET).
 * @return 0 or -errno of writing.
 */
int uvregfile_coverage(const struct uvregfile *rf, FILE *out);

/**
 * uvregmap_coverage_report() - sum the coverage files @files (as written
 * by uvregfile_coverage()) over @map and print a report to @out: every
 * register and field with its reads and writes, "-" for none, and a
 * summary line of how many registers and fields were read or written.
 * @return 0; -EINVAL when a file is malformed or names what the map does
 *         not have; -errno of reading; the reason in @err.
 */
int uvregmap_coverage_report(const struct uvregmap *map,
			     const char *const *files, unsigned int nfiles,
			     FILE *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* UVREGMAP_H */
