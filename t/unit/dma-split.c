// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dma-split.c - unit test of uvpci_dma_split() (lib/device/uvpci-device.c), the
 * one function that cuts a DMA transfer into PCIe-legal requests.
 *
 * For each transfer the requests are replayed, by their byte enables, onto
 * a model of memory, and checked:
 *  - each request is legal: dword-aligned address, 1..32 dwords, contiguous
 *    first/last byte enables, first_be reaching the next dword and last_be
 *    starting at byte 0 when ndw > 1, last_be 0 when ndw == 1, no 4 KiB
 *    boundary crossed (the rules the kernel's uvpci_dma_shape() enforces);
 *  - together they enable exactly the transfer's bytes, each once, in
 *    ascending order, and the data lands where it belongs;
 *  - there are as few of them as possible: per 4 KiB page the transfer
 *    touches, ceil((end - start rounded down to a dword) / 128).
 * TAP output; exit 0 when all pass.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libuvnic.h"
#include "tap.h"


/* A non-empty run of adjacent bits within the low four. */
static bool be_contiguous(unsigned int be)
{
	if (!be || be > 0xf)
		return false;
	while (!(be & 1))
		be >>= 1;
	return !(be & (be + 1));
}

static const char *illegal(const struct uvpci_dma *c)
{
	if (c->addr & 3)
		return "address not dword-aligned";
	if (!c->ndw || c->ndw > UVPCI_DMA_MAX_BYTES / 4)
		return "ndw not 1..32";
	if (!be_contiguous(c->first_be))
		return "bad first_be";
	if (c->ndw == 1) {
		if (c->last_be)
			return "last_be set in a one-dword request";
	} else {
		if (!(c->first_be & 8))
			return "first_be does not reach the next dword";
		if (!be_contiguous(c->last_be) || !(c->last_be & 1))
			return "bad last_be";
	}
	if ((c->addr & (UVPCI_DMA_BOUNDARY - 1)) + c->ndw * 4u > UVPCI_DMA_BOUNDARY)
		return "crosses a 4 KiB boundary";
	return NULL;
}

/* The fewest legal requests for [addr, addr + len), counted page by page. */
static uint64_t optimal(uint64_t addr, uint64_t len)
{
	uint64_t n = 0, room, b;

	while (len) {
		room = UVPCI_DMA_BOUNDARY - (addr & (UVPCI_DMA_BOUNDARY - 1));
		b = len < room ? len : room;
		n += ((addr & 3) + b + UVPCI_DMA_MAX_BYTES - 1) / UVPCI_DMA_MAX_BYTES;
		addr += b;	/* may wrap to 0 after the last byte */
		len -= b;
	}
	return n;
}

/*
 * Split [addr, addr + len) and replay it. The memory model covers the
 * transfer plus a dword either side (so a byte enabled outside it shows),
 * indexed from base = addr rounded down, minus 4.
 */
static bool check(uint64_t addr, size_t len, const char *what)
{
	uint64_t base = (addr & ~UINT64_C(3)) - 4;
	size_t span = len + 12;
	uint8_t *src = malloc(len), *mem = calloc(span, 1), *hits = calloc(span, 1);
	uint64_t a = addr, count = 0, next = addr;
	size_t left = len, i, k;
	const char *why = NULL;
	char whybuf[160];
	struct uvpci_dma c;

	if (!src || !mem || !hits) {
		ok(0, "%s: out of memory", what);
		exit(1);
	}
	for (i = 0; i < len; i++)
		src[i] = (uint8_t)(i * 7 + 1);

	while (left && !why) {
		memset(&c, 0xa5, sizeof(c));
		k = uvpci_dma_split(a, left, &c);
		count++;
		if (k == 0 || k > left || k > UVPCI_DMA_MAX_BYTES) {
			snprintf(whybuf, sizeof(whybuf), "request %" PRIu64 " covers %zu of %zu bytes left",
				 count, k, left);
			why = whybuf;
			break;
		}
		why = illegal(&c);
		if (why)
			break;
		/* Fill the request's data as the library does, then apply it. */
		memset(c.data, 0xee, sizeof(c.data));
		memcpy(c.data + (a & 3), src + (a - addr), k);
		for (i = 0; i < c.ndw * 4u; i++) {
			unsigned int dw = i / 4;
			unsigned int be = dw == 0 ? c.first_be :
					  dw == c.ndw - 1u ? c.last_be : 0xf;
			uint64_t byte = c.addr + i;

			if (!(be >> (i & 3) & 1))
				continue;
			if (byte != next) {
				snprintf(whybuf, sizeof(whybuf), "byte %#" PRIx64 " enabled, expected %#" PRIx64,
					 byte, next);
				why = whybuf;
				break;
			}
			next++;
			hits[byte - base]++;
			mem[byte - base] = c.data[i];
		}
		a += k;
		left -= k;
	}
	if (!why && next != addr + len)
		why = "the requests do not cover the transfer";
	for (i = 0; !why && i < span; i++) {
		uint64_t byte = base + i;
		bool inside = byte >= addr && byte - addr < len;

		if (hits[i] != (inside ? 1 : 0))
			why = "a byte enabled twice, or outside the transfer";
		else if (inside && mem[i] != src[byte - addr])
			why = "data landed in the wrong place";
	}
	if (!why && count != optimal(addr, len)) {
		snprintf(whybuf, sizeof(whybuf), "%" PRIu64 " requests, the fewest is %" PRIu64,
			 count, optimal(addr, len));
		why = whybuf;
	}
	ok(!why, "%s: addr %#" PRIx64 " len %zu -> %" PRIu64 " requests%s%s", what,
	   addr, len, count, why ? ": " : "", why ? why : "");
	free(src);
	free(mem);
	free(hits);
	return !why;
}

/* One request, checked field by field. */
static void exact(uint64_t addr, size_t len, uint64_t caddr, unsigned int ndw,
		  unsigned int fbe, unsigned int lbe, size_t covers)
{
	struct uvpci_dma c;
	size_t k;

	memset(&c, 0, sizeof(c));
	k = uvpci_dma_split(addr, len, &c);
	ok(k == covers && c.addr == caddr && c.ndw == ndw && c.first_be == fbe &&
	   c.last_be == lbe,
	   "split(%#" PRIx64 ", %zu) = {addr %#llx ndw %u be %#x/%#x} covering %zu (want %#" PRIx64 " %u %#x/%#x %zu)",
	   addr, len, (unsigned long long)c.addr, c.ndw, c.first_be, c.last_be,
	   k, caddr, ndw, fbe, lbe, covers);
}

int main(void)
{
	static const uint64_t bases[] = {
		0x1000, 0x100000000ULL, 0xfffffffffff00000ULL,
	};
	static const size_t lens[] = {
		1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 124, 125, 127, 128, 129, 130,
		131, 132, 255, 256, 257, 4095, 4096, 4097, 8191, 8193,
	};
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	unsigned int i, j, off;
	struct uvpci_dma c;
	char what[64];

	/* Exact requests. */
	exact(0x1000, 1, 0x1000, 1, 0x1, 0, 1);
	exact(0x1001, 1, 0x1000, 1, 0x2, 0, 1);
	exact(0x1003, 1, 0x1000, 1, 0x8, 0, 1);
	exact(0x1001, 2, 0x1000, 1, 0x6, 0, 2);
	exact(0x1000, 4, 0x1000, 1, 0xf, 0, 4);
	exact(0x1003, 2, 0x1000, 2, 0x8, 0x1, 2);
	exact(0x1002, 4, 0x1000, 2, 0xc, 0x3, 4);
	exact(0x1000, 8, 0x1000, 2, 0xf, 0xf, 8);
	exact(0x1000, 128, 0x1000, 32, 0xf, 0xf, 128);
	exact(0x1000, 129, 0x1000, 32, 0xf, 0xf, 128);
	exact(0x1001, 128, 0x1000, 32, 0xe, 0xf, 127);
	exact(0x1002, 200, 0x1000, 32, 0xc, 0xf, 126);
	exact(0x1ffd, 8, 0x1ffc, 1, 0xe, 0, 3);		/* stops at 4 KiB */
	exact(0x1fc0, 128, 0x1fc0, 16, 0xf, 0xf, 64);
	exact(0x1f84, 128, 0x1f84, 31, 0xf, 0xf, 124);
	exact(0x1f81, 1000, 0x1f80, 32, 0xe, 0xf, 127);
	exact(0xfffffffffffffffcULL, 4, 0xfffffffffffffffcULL, 1, 0xf, 0, 4);
	exact(0xffffffffffffffffULL, 1, 0xfffffffffffffffcULL, 1, 0x8, 0, 1);
	ok(uvpci_dma_split(0x1000, 0, &c) == 0, "split of 0 bytes covers nothing");

	/* Odd addresses and every ragged end, near a 4 KiB boundary and not. */
	for (i = 0; i < ARRAY_SIZE(bases); i++)
		for (off = 0; off < 8; off++)
			for (j = 0; j < ARRAY_SIZE(lens); j++) {
				snprintf(what, sizeof(what), "base %u, odd by %u", i, off);
				check(bases[i] + off, lens[j], what);
				snprintf(what, sizeof(what), "base %u, 4K-crossing", i);
				check(bases[i] + 0xfff - off - lens[j] % 16, lens[j], what);
			}

	/* 128-byte boundaries: starts just before, on and after them. */
	for (off = 0x80 - 5; off <= 0x80 + 5; off++)
		for (j = 0; j < ARRAY_SIZE(lens); j++) {
			snprintf(what, sizeof(what), "128-byte boundary");
			check(0x2000 + off, lens[j], what);
		}

	/* The last bytes below 2^64. */
	check(0xfffffffffffff000ULL, 4096, "top of the address space");
	check(0xffffffffffffff81ULL, 127, "top of the address space, odd");

	/* Big transfers. */
	check(0x10000, 1 << 20, "1 MiB aligned");
	check(0x10003, (1 << 20) + 5, "1 MiB odd");
	check(0x7ffff001, 3 << 20, "3 MiB across 2 GiB");

	/* Random ones (fixed seed, so a failure repeats). */
	for (i = 0; i < 200; i++) {
		uint64_t addr;
		size_t len;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		addr = seed & 0xffffffffffULL;
		len = 1 + (size_t)((seed >> 40) % (i % 4 ? 600 : 20000));
		check(addr, len, "random");
	}

	return tap_done();
}
