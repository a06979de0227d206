/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uvpci-regspec.h - the one register-spec grammar every uvNIC tool that
 * names a device register uses (uvpci-peek, uvpci-poke, device models),
 * after setpci(8):
 *
 *	BAR:OFFSET[.WIDTH][=VALUE[:MASK]]
 *
 *  BAR     the BAR number, 0 to 5.
 *  OFFSET  the byte offset into the BAR. Like every number here, and
 *          every number any uvNIC tool reads (uvnic_parse_u64n()), it is
 *          decimal, or hex with 0x or 0X: "16" and "0x10" are both
 *          sixteen. Unlike setpci, a bare "10" is decimal ten; a leading
 *          zero ("010") is refused, as is hex without 0x ("1f").
 *  WIDTH   b (8 bits), w (16), l (32) or q (64), upper or lower case;
 *          ".l" when absent. OFFSET must be a multiple of the width's size.
 *  VALUE   the value to write, at most as wide as WIDTH.
 *  MASK    at most as wide as WIDTH, not zero: a read-modify-write.
 *          Only the bits set in MASK change:
 *	        new = (old & ~MASK) | (VALUE & MASK)
 *          VALUE may not have bits outside MASK (that is almost always a
 *          typo, so it is refused rather than silently dropped).
 *
 * Numbers have no sign, no spaces and no suffix; nothing may follow the
 * spec. Examples: "0:0x10", "2:0x1f8.b", "0:8.Q=0xdeadbeefcafe",
 * "1:0x40.w=0x8000:0x8000", "0:16=1".
 *
 * Errors come back in two parts: a negative errno for programs and a one-
 * line reason for people. Tools print it as
 *
 *	uvpci-poke: '0:0x13.l=1': offset 0x13 is not aligned to 4 bytes
 *
 * i.e. fprintf(stderr, "%s: '%s': %s\n", prog, spec_string, err).
 */
#ifndef UVPCI_REGSPEC_H
#define UVPCI_REGSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* BARs are numbered 0 .. UVPCI_REGSPEC_BAR_MAX. */
#define UVPCI_REGSPEC_BAR_MAX	5

/* A buffer this large always holds a whole error reason. */
#define UVPCI_REGSPEC_ERR_MAX	128

/**
 * struct uvpci_regspec - one parsed register spec.
 * @bar:       the BAR, 0..5
 * @offset:    byte offset into the BAR, a multiple of @size
 * @size:      access width in bytes: 1, 2, 4 or 8
 * @has_value: true if the spec had "=VALUE"
 * @value:     the value to write (0 when !@has_value); never has bits
 *             outside @mask
 * @mask:      the bits a write changes: the whole width (0xff, 0xffff,
 *             0xffffffff or ~0) unless the spec gave ":MASK"; all of the
 *             width also when !@has_value
 */
struct uvpci_regspec {
	unsigned int bar;
	uint64_t offset;
	unsigned int size;
	bool has_value;
	uint64_t value;
	uint64_t mask;
};

/* Flags for uvpci_regspec_parse() */
#define UVPCI_REGSPEC_NO_VALUE	(1U << 0) /* refuse "=VALUE": a read */
#define UVPCI_REGSPEC_NEED_VALUE (1U << 1) /* require "=VALUE": a write */

/**
 * uvpci_regspec_parse() - parse BAR:OFFSET[.WIDTH][=VALUE[:MASK]].
 * @str:    the spec, NUL-terminated
 * @flags:  0 (a value is optional), UVPCI_REGSPEC_NO_VALUE or
 *          UVPCI_REGSPEC_NEED_VALUE
 * @spec:   filled in on success; untouched on failure
 * @err:    on failure, the reason as one line without a newline; may be
 *          NULL. Left untouched on success.
 * @errlen: size of @err; UVPCI_REGSPEC_ERR_MAX always suffices (a shorter
 *          buffer gets a truncated reason)
 *
 * The parser does not know BAR sizes: see uvpci_regspec_check().
 *
 * @return 0;
 *         -EINVAL when @str is malformed: empty, no ':', a BAR, offset,
 *         value or mask that is not a number, an unknown width, an
 *         offset not aligned to the width, a zero mask, value bits outside
 *         the mask, a value given with UVPCI_REGSPEC_NO_VALUE or missing
 *         with UVPCI_REGSPEC_NEED_VALUE, anything after the spec; also
 *         when @str or @spec is NULL or @flags has both or unknown bits;
 *         -ERANGE when a well-formed number is too large: a BAR above 5,
 *         an offset beyond 64 bits, a value or mask wider than the width.
 */
int uvpci_regspec_parse(const char *str, unsigned int flags,
			struct uvpci_regspec *spec, char *err, size_t errlen);

/**
 * uvpci_regspec_check() - check a parsed spec against the BAR's size.
 * @spec:     from uvpci_regspec_parse()
 * @bar_size: the size of BAR @spec->bar in bytes; 0 when the BAR is absent
 * @err:      as for uvpci_regspec_parse(); may be NULL
 * @errlen:   size of @err
 *
 * @return 0 if the whole access (@spec->offset .. + @spec->size - 1) lies
 *         inside the BAR; -ERANGE if it does not or the BAR is absent
 *         (the reason names the BAR, offset and size); -EINVAL if @spec
 *         is NULL.
 */
int uvpci_regspec_check(const struct uvpci_regspec *spec, uint64_t bar_size,
			char *err, size_t errlen);

/**
 * uvpci_regspec_width_mask() - all the bits of an access width.
 * @size: 1, 2, 4 or 8
 *
 * @return 0xff, 0xffff, 0xffffffff or 0xffffffffffffffff; 0 for any other
 *         @size.
 */
uint64_t uvpci_regspec_width_mask(unsigned int size);

/**
 * uvpci_regspec_apply() - the value a write of @spec leaves in a register.
 * @spec: a spec with has_value set
 * @old:  the register's current value (only needed when @spec has a mask
 *        narrower than its width; pass 0 otherwise)
 *
 * @return (@old & ~mask) | (value & mask), limited to the width.
 */
uint64_t uvpci_regspec_apply(const struct uvpci_regspec *spec, uint64_t old);

/**
 * uvpci_regspec_is_rmw() - does a write of @spec need the old value?
 * @spec: a parsed spec
 *
 * @return true if @spec has a value and a mask narrower than its width
 *         (the caller must read the register first), else false.
 */
bool uvpci_regspec_is_rmw(const struct uvpci_regspec *spec);

#ifdef __cplusplus
}
#endif

#endif /* UVPCI_REGSPEC_H */
