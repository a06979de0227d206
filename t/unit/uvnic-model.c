// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvnic-model - unit test of the uvNIC device model (lib/uvnic_model.c)
 * against a fake host: this file defines the uvPCI calls the model makes
 * (uvpci_dma_read/readv/write, uvpci_msi_fire, uvpci_device_sync), so the
 * linker never pulls the real ones from libuvnic.a (and the two batch
 * calls, which only count here). Host memory is a few
 * regions with a direction, checked byte-exact as uvpci.ko does; a refused
 * posted write is reported by the next sync, as on the real transport.
 *
 * Exit 0 when every check passed.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uvnic-model.h"

/* ------------------------------------------------------------------ */
/* The fake host                                                       */
/* ------------------------------------------------------------------ */

#define DEV_READS	1	/* DMA_TO_DEVICE */
#define DEV_WRITES	2	/* DMA_FROM_DEVICE */

struct region {
	uint64_t addr;
	size_t size;
	unsigned int dir;
	uint8_t *mem;
};

static struct region regions[16];
static unsigned int nregions;
static int posted_err;			/* first refusal since the last sync */
static unsigned int msis[UVNIC_MSI_COUNT];
static unsigned int dma_reads, dma_writes, syncs;
static struct uvpci_device *fake_dev = (struct uvpci_device *)&regions;

static uint8_t *host(uint64_t addr, size_t len, unsigned int dir)
{
	unsigned int i;

	for (i = 0; i < nregions; i++) {
		struct region *r = &regions[i];

		if (addr >= r->addr && len <= r->size &&
		    addr - r->addr <= r->size - len)
			return r->dir & dir ? r->mem + (addr - r->addr) : NULL;
	}
	return NULL;
}

static uint8_t *map(uint64_t addr, size_t size, unsigned int dir)
{
	struct region *r = &regions[nregions++];

	r->addr = addr;
	r->size = size;
	r->dir = dir;
	r->mem = calloc(1, size);
	return r->mem;
}

static void unmap_all(void)
{
	while (nregions)
		free(regions[--nregions].mem);
	posted_err = 0;
	memset(msis, 0, sizeof(msis));
}

int uvpci_dma_read(struct uvpci_device *dev, uint64_t addr, void *buf,
		   size_t len)
{
	uint8_t *p = host(addr, len, DEV_READS);

	(void)dev;
	dma_reads++;
	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

/* As the library: every transfer is read; the first failure is returned. */
static unsigned int dma_readvs;

int uvpci_dma_readv(struct uvpci_device *dev, const struct uvpci_dma_vec *vec,
		    unsigned int n)
{
	unsigned int i;
	int err = 0;

	(void)dev;
	dma_readvs++;
	for (i = 0; i < n; i++) {
		uint8_t *p = host(vec[i].addr, vec[i].len, DEV_READS);

		if (p)
			memcpy(vec[i].buf, p, vec[i].len);
		else if (!err)
			err = -EFAULT;
	}
	return err;
}

int uvpci_dma_write(struct uvpci_device *dev, uint64_t addr, const void *buf,
		    size_t len)
{
	uint8_t *p = host(addr, len, DEV_WRITES);

	(void)dev;
	dma_writes++;
	if (!p) {
		if (!posted_err)
			posted_err = -EFAULT;
		return 0;
	}
	memcpy(p, buf, len);
	return 0;
}

int uvpci_msi_fire(struct uvpci_device *dev, unsigned int vector)
{
	(void)dev;
	if (vector >= UVNIC_MSI_COUNT)
		return -ERANGE;
	msis[vector]++;
	return 0;
}

static unsigned int batch_depth, batch_ends;

unsigned int uvpci_device_pending(const struct uvpci_device *dev)
{
	(void)dev;
	return 0;
}

int uvpci_device_process(struct uvpci_device *dev, int timeout_ms)
{
	(void)dev;
	(void)timeout_ms;
	return 0;
}

void uvpci_device_batch_begin(struct uvpci_device *dev)
{
	(void)dev;
	batch_depth++;
}

int uvpci_device_batch_end(struct uvpci_device *dev)
{
	(void)dev;
	if (batch_depth)
		batch_depth--;
	batch_ends++;
	return 0;
}

int uvpci_device_sync(struct uvpci_device *dev)
{
	int err = posted_err;

	(void)dev;
	syncs++;
	posted_err = 0;
	return err;
}

/* ------------------------------------------------------------------ */
/* Test plumbing                                                       */
/* ------------------------------------------------------------------ */

static unsigned int failures, checks;

#define CHECK(cond) check((cond), #cond, __LINE__)
#define CHECK_EQ(a, b) check_eq((uint64_t)(a), (uint64_t)(b), #a, #b, __LINE__)

static void check(bool ok, const char *what, int line)
{
	checks++;
	if (ok)
		return;
	failures++;
	fprintf(stderr, "uvnic-model.c:%d: check failed: %s\n", line, what);
}

static void check_eq(uint64_t a, uint64_t b, const char *sa, const char *sb,
		     int line)
{
	checks++;
	if (a == b)
		return;
	failures++;
	fprintf(stderr, "uvnic-model.c:%d: %s == %#llx, expected %s == %#llx\n",
		line, sa, (unsigned long long)a, sb, (unsigned long long)b);
}

#define MAXF	64
static struct {
	uint8_t data[UVNIC_MAX_FRAME];
	size_t len;
} sent[MAXF];
static unsigned int nsent, flushes, nlog;
static char lastlog[256];

static void tx_cb(void *opaque, const void *frame, size_t len)
{
	(void)opaque;
	if (nsent < MAXF) {
		memcpy(sent[nsent].data, frame, len);
		sent[nsent].len = len;
	}
	nsent++;
}

static void flush_cb(void *opaque)
{
	(void)opaque;
	flushes++;
}

static void log_cb(void *opaque, const char *msg)
{
	(void)opaque;
	nlog++;
	snprintf(lastlog, sizeof(lastlog), "%s", msg);
	if (getenv("UVNIC_TEST_VERBOSE"))
		fprintf(stderr, "  log: %s\n", msg);
}

static struct uvnic_model *new_model(void)
{
	struct uvnic_model_config cfg = {
		.mac = { 0x02, 0x75, 0x76, 0x01, 0x02, 0x03 },
		.tx = tx_cb, .tx_flush = flush_cb, .log = log_cb,
	};
	struct uvnic_model *m;

	unmap_all();
	nsent = flushes = nlog = 0;
	if (uvnic_model_new(fake_dev, &cfg, &m)) {
		fprintf(stderr, "uvnic-model: uvnic_model_new failed\n");
		exit(1);
	}
	return m;
}

static uint64_t rd(struct uvnic_model *m, uint32_t off, unsigned int size)
{
	return uvnic_model_mmio_read(m, 0, off, size);
}

static void wr(struct uvnic_model *m, uint32_t off, unsigned int size,
	       uint64_t v)
{
	uvnic_model_mmio_write(m, 0, off, size, v);
}

static struct uvnic_desc *desc_at(uint8_t *ring, uint32_t i)
{
	return (struct uvnic_desc *)(ring + 16 * i);
}

static void set_desc(uint8_t *ring, uint32_t i, uint64_t addr, uint16_t len,
		     uint16_t flags)
{
	struct uvnic_desc *d = desc_at(ring, i);

	d->addr = htole64(addr);
	d->len = htole16(len);
	d->flags = htole16(flags);
	d->status = 0;
	d->reserved = 0;
}

static uint16_t dstat(uint8_t *ring, uint32_t i)
{
	return le16toh(desc_at(ring, i)->status);
}

static uint64_t counter(struct uvnic_model *m, uint32_t reg)
{
	return rd(m, reg, 8);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

static void test_registers(void)
{
	struct uvnic_model *m = new_model();

	CHECK_EQ(rd(m, UVNIC_REG_ID, 4), UVNIC_ID_MAGIC);
	CHECK_EQ(rd(m, UVNIC_REG_VERSION, 4), UVNIC_HW_VERSION);
	CHECK_EQ(rd(m, UVNIC_REG_ID, 8), UVNIC_ID_MAGIC | (uint64_t)UVNIC_HW_VERSION << 32);
	CHECK_EQ(rd(m, UVNIC_REG_ID + 1, 1), 0x4e);
	CHECK_EQ(rd(m, UVNIC_REG_ID + 2, 2), 0x5556);
	CHECK_EQ(rd(m, UVNIC_REG_MAC_LO, 4), 0x01767502);
	CHECK_EQ(rd(m, UVNIC_REG_MAC_HI, 4), 0x0302);
	CHECK_EQ(rd(m, UVNIC_REG_MAX_FRAME, 4), 1514);
	CHECK_EQ(rd(m, UVNIC_REG_STATUS, 4), 0);
	CHECK_EQ(rd(m, UVNIC_REG_CTRL, 4), 0);
	CHECK_EQ(rd(m, 0x800, 4), 0);			/* undefined: 0 */
	CHECK_EQ(uvnic_model_mmio_read(m, 1, 0, 4), 0);	/* other BARs */

	/* RO registers ignore writes; MAX_FRAME is range-checked. */
	wr(m, UVNIC_REG_ID, 4, 0);
	CHECK_EQ(rd(m, UVNIC_REG_ID, 4), UVNIC_ID_MAGIC);
	wr(m, UVNIC_REG_MAX_FRAME, 4, 9018);
	CHECK_EQ(rd(m, UVNIC_REG_MAX_FRAME, 4), 9018);
	wr(m, UVNIC_REG_MAX_FRAME, 4, 59);
	wr(m, UVNIC_REG_MAX_FRAME, 4, 9019);
	CHECK_EQ(rd(m, UVNIC_REG_MAX_FRAME, 4), 9018);
	wr(m, UVNIC_REG_MAX_FRAME, 2, 1500);
	CHECK_EQ(rd(m, UVNIC_REG_MAX_FRAME, 4), 1500);

	/* 64-bit BASE: one access, or two halves. */
	wr(m, UVNIC_REG_TX_BASE, 8, 0x123456789abcdef0ULL);
	CHECK_EQ(rd(m, UVNIC_REG_TX_BASE, 8), 0x123456789abcdef0ULL);
	wr(m, UVNIC_REG_RX_BASE, 4, 0xdeadbee0);
	wr(m, UVNIC_REG_RX_BASE + 4, 4, 0x1);
	CHECK_EQ(rd(m, UVNIC_REG_RX_BASE, 8), 0x1deadbee0ULL);
	CHECK_EQ(rd(m, UVNIC_REG_RX_BASE + 4, 4), 1);
	uvnic_model_free(m);
}

static void test_interrupts(void)
{
	struct uvnic_model *m = new_model();

	/* Link up while masked: latched, no MSI; unmasking sends it. */
	CHECK_EQ(uvnic_model_set_link(m, true), 0);
	CHECK_EQ(rd(m, UVNIC_REG_STATUS, 4), UVNIC_STATUS_LINK_UP);
	CHECK_EQ(rd(m, UVNIC_REG_ICR, 4), UVNIC_INT_LINK);
	CHECK_EQ(msis[UVNIC_MSI_OTHER], 0);
	wr(m, UVNIC_REG_IMR, 4, UVNIC_INT_LINK | UVNIC_INT_ERROR | 0xff00);
	CHECK_EQ(rd(m, UVNIC_REG_IMR, 4), UVNIC_INT_LINK | UVNIC_INT_ERROR);
	CHECK_EQ(msis[UVNIC_MSI_OTHER], 1);
	/* Rewriting IMR with the same bits sends nothing. */
	wr(m, UVNIC_REG_IMR, 4, UVNIC_INT_LINK | UVNIC_INT_ERROR);
	CHECK_EQ(msis[UVNIC_MSI_OTHER], 1);

	/* Already latched: no second MSI. */
	uvnic_model_set_link(m, false);
	CHECK_EQ(msis[UVNIC_MSI_OTHER], 1);
	/* Same state: no cause at all. */
	wr(m, UVNIC_REG_ICR, 4, UVNIC_INT_LINK);
	CHECK_EQ(rd(m, UVNIC_REG_ICR, 4), 0);
	uvnic_model_set_link(m, false);
	CHECK_EQ(rd(m, UVNIC_REG_ICR, 4), 0);
	/* Cleared, then latched again: a new MSI. */
	uvnic_model_set_link(m, true);
	CHECK_EQ(msis[UVNIC_MSI_OTHER], 2);

	/* W1C: writing 0 bits clears nothing; narrow writes clear their bits. */
	wr(m, UVNIC_REG_ICR, 4, 0);
	CHECK_EQ(rd(m, UVNIC_REG_ICR, 4), UVNIC_INT_LINK);
	wr(m, UVNIC_REG_ICR, 1, UVNIC_INT_LINK);
	CHECK_EQ(rd(m, UVNIC_REG_ICR, 4), 0);

	/* ERROR shares vector 2 with LINK but is its own cause. */
	uvnic_model_set_link(m, false);
	CHECK_EQ(msis[UVNIC_MSI_OTHER], 3);
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_TX_EN);	/* BASE 0: refused */
	CHECK_EQ(rd(m, UVNIC_REG_CTRL, 4), 0);
	CHECK_EQ(rd(m, UVNIC_REG_ICR, 4), UVNIC_INT_LINK | UVNIC_INT_ERROR);
	CHECK_EQ(msis[UVNIC_MSI_OTHER], 4);

	/* RESET clears ICR and IMR, keeps the link. */
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_RESET);
	CHECK_EQ(rd(m, UVNIC_REG_CTRL, 4), 0);
	CHECK_EQ(rd(m, UVNIC_REG_ICR, 4), 0);
	CHECK_EQ(rd(m, UVNIC_REG_IMR, 4), 0);
	CHECK_EQ(rd(m, UVNIC_REG_STATUS, 4), 0);
	CHECK(uvnic_model_status_reads(m) >= 2);

	/* IAM: the MSI acks and masks its IAM causes, and only those. */
	wr(m, UVNIC_REG_IAM, 4, UVNIC_INT_LINK | 0xff00);
	CHECK_EQ(rd(m, UVNIC_REG_IAM, 4), UVNIC_INT_LINK);
	wr(m, UVNIC_REG_IMR, 4, UVNIC_INT_LINK | UVNIC_INT_ERROR);
	CHECK_EQ(msis[UVNIC_MSI_OTHER], 4);
	uvnic_model_set_link(m, true);
	CHECK_EQ(msis[UVNIC_MSI_OTHER], 5);
	CHECK_EQ(rd(m, UVNIC_REG_ICR, 4), 0);
	CHECK_EQ(rd(m, UVNIC_REG_IMR, 4), UVNIC_INT_ERROR);
	/* Masked: a change latches silently; unmasking sends it (and masks). */
	uvnic_model_set_link(m, false);
	CHECK_EQ(msis[UVNIC_MSI_OTHER], 5);
	CHECK_EQ(rd(m, UVNIC_REG_ICR, 4), UVNIC_INT_LINK);
	wr(m, UVNIC_REG_IMR, 4, UVNIC_INT_LINK | UVNIC_INT_ERROR);
	CHECK_EQ(msis[UVNIC_MSI_OTHER], 6);
	CHECK_EQ(rd(m, UVNIC_REG_ICR, 4), 0);
	CHECK_EQ(rd(m, UVNIC_REG_IMR, 4), UVNIC_INT_ERROR);
	/* Unmasking with nothing latched sends nothing. */
	wr(m, UVNIC_REG_IMR, 4, UVNIC_INT_LINK | UVNIC_INT_ERROR);
	CHECK_EQ(msis[UVNIC_MSI_OTHER], 6);
	CHECK_EQ(rd(m, UVNIC_REG_IMR, 4), UVNIC_INT_LINK | UVNIC_INT_ERROR);
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_RESET);
	CHECK_EQ(rd(m, UVNIC_REG_IAM, 4), 0);
	uvnic_model_free(m);
}

static void test_ring_programming(void)
{
	struct uvnic_model *m = new_model();
	struct uvnic_model_counters c;

	map(0x10000, 4096, DEV_READS | DEV_WRITES);

	wr(m, UVNIC_REG_TX_BASE, 8, 0x10008);		/* not aligned */
	wr(m, UVNIC_REG_TX_LEN, 4, 8);
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_TX_EN);
	CHECK_EQ(rd(m, UVNIC_REG_CTRL, 4), 0);
	wr(m, UVNIC_REG_TX_BASE, 8, 0x10000);
	wr(m, UVNIC_REG_TX_LEN, 4, 12);			/* not a power of two */
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_TX_EN);
	CHECK_EQ(rd(m, UVNIC_REG_CTRL, 4), 0);
	wr(m, UVNIC_REG_TX_LEN, 4, 8192);		/* too big */
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_TX_EN);
	CHECK_EQ(rd(m, UVNIC_REG_CTRL, 4), 0);
	wr(m, UVNIC_REG_TX_LEN, 4, 4);			/* too small */
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_TX_EN);
	CHECK_EQ(rd(m, UVNIC_REG_CTRL, 4), 0);
	wr(m, UVNIC_REG_TX_LEN, 4, 8);
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_TX_EN);
	CHECK_EQ(rd(m, UVNIC_REG_CTRL, 4), UVNIC_CTRL_TX_EN);
	uvnic_model_counters(m, &c);
	CHECK_EQ(c.ring_errors, 4);

	/* While enabled: BASE/LEN writes ignored, TAIL range-checked. */
	wr(m, UVNIC_REG_TX_LEN, 4, 16);
	CHECK_EQ(rd(m, UVNIC_REG_TX_LEN, 4), 8);
	wr(m, UVNIC_REG_TX_TAIL, 4, 8);
	CHECK_EQ(rd(m, UVNIC_REG_TX_TAIL, 4), 0);
	CHECK(strstr(lastlog, "TX_TAIL 8 is not below LEN 8") != NULL);
	uvnic_model_counters(m, &c);
	CHECK_EQ(c.ring_errors, 6);
	CHECK(rd(m, UVNIC_REG_ICR, 4) & UVNIC_INT_ERROR);
	/* Nothing handed over: nothing done, never a loop. */
	CHECK_EQ(uvnic_model_tx_work(m, 100), 0);

	/* RX TAIL writes while disabled are ignored; enabling resets. */
	wr(m, UVNIC_REG_RX_TAIL, 4, 3);
	CHECK_EQ(rd(m, UVNIC_REG_RX_TAIL, 4), 0);
	uvnic_model_free(m);
}

#define TXR	0x100000ULL	/* TX ring */
#define TXB	0x200000ULL	/* TX buffers: 2 KiB each */
#define RXR	0x300000ULL
#define RXB	0x400000ULL

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i);
}

static void test_tx(void)
{
	struct uvnic_model *m = new_model();
	uint8_t *ring = map(TXR, 8 * 16, DEV_READS | DEV_WRITES);
	uint8_t *buf = map(TXB, 8 * 2048, DEV_READS);
	struct uvnic_model_counters c;
	unsigned int i;

	wr(m, UVNIC_REG_TX_BASE, 8, TXR);
	wr(m, UVNIC_REG_TX_LEN, 4, 8);
	wr(m, UVNIC_REG_IMR, 4, UVNIC_INT_TX | UVNIC_INT_ERROR);
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_TX_EN);

	/* 0: good, 1: short (padded), 2: len 0, 3: > MAX_FRAME,
	 * 4: unmapped, 5: partly outside its mapping, 6: good + IRQ */
	fill(buf, 2048, 1);
	set_desc(ring, 0, TXB, 1514, 0);
	fill(buf + 2048, 20, 2);
	set_desc(ring, 1, TXB + 2048, 20, 0);
	set_desc(ring, 2, TXB + 4096, 0, 0);
	set_desc(ring, 3, TXB + 4096, 1515, 0);
	set_desc(ring, 4, 0x900000, 100, 0);
	set_desc(ring, 5, TXB + 8 * 2048 - 50, 100, 0);
	fill(buf + 6 * 2048, 60, 6);
	set_desc(ring, 6, TXB + 6 * 2048, 60, UVNIC_DESC_IRQ);
	wr(m, UVNIC_REG_TX_TAIL, 4, 7);
	CHECK(uvnic_model_tx_pending(m));
	/* Nothing happens before tx_work. */
	CHECK_EQ(rd(m, UVNIC_REG_TX_HEAD, 4), 0);

	dma_reads = dma_readvs = 0;
	CHECK_EQ(uvnic_model_tx_work(m, 64), 7);
	CHECK(!uvnic_model_tx_pending(m));
	CHECK_EQ(rd(m, UVNIC_REG_TX_HEAD, 4), 7);
	/*
	 * One descriptor read, one read of the 5 frames with a valid length;
	 * it is refused, so each of them again, alone, to find which.
	 */
	CHECK_EQ(dma_readvs, 1);
	CHECK_EQ(dma_reads, 1 + 5);
	CHECK_EQ(nsent, 3);
	CHECK_EQ(flushes, 1);
	CHECK_EQ(sent[0].len, 1514);
	CHECK(!memcmp(sent[0].data, buf, 1514));
	CHECK_EQ(sent[1].len, 60);
	CHECK(!memcmp(sent[1].data, buf + 2048, 20));
	for (i = 20; i < 60; i++)
		CHECK_EQ(sent[1].data[i], 0);
	CHECK_EQ(sent[2].len, 60);
	CHECK_EQ(dstat(ring, 0), UVNIC_STAT_DONE);
	CHECK_EQ(dstat(ring, 1), UVNIC_STAT_DONE);
	CHECK_EQ(dstat(ring, 2), UVNIC_STAT_DONE | UVNIC_STAT_ERR_LEN);
	CHECK_EQ(dstat(ring, 3), UVNIC_STAT_DONE | UVNIC_STAT_ERR_LEN);
	CHECK_EQ(dstat(ring, 4), UVNIC_STAT_DONE | UVNIC_STAT_ERR_ADDR);
	CHECK_EQ(dstat(ring, 5), UVNIC_STAT_DONE | UVNIC_STAT_ERR_ADDR);
	CHECK_EQ(dstat(ring, 6), UVNIC_STAT_DONE);
	CHECK_EQ(dstat(ring, 7), 0);
	/* The write-back keeps the driver's fields. */
	CHECK_EQ(le16toh(desc_at(ring, 0)->len), 1514);
	CHECK_EQ(le64toh(desc_at(ring, 4)->addr), 0x900000);
	uvnic_model_counters(m, &c);
	CHECK_EQ(c.tx_packets, 3);
	CHECK_EQ(c.tx_bytes, 1514 + 60 + 60);
	CHECK_EQ(c.tx_errors, 4);
	CHECK_EQ(c.dma_errors, 2);
	CHECK_EQ(counter(m, UVNIC_REG_TX_PACKETS), 3);
	CHECK_EQ(counter(m, UVNIC_REG_TX_ERRORS), 4);
	CHECK_EQ(rd(m, UVNIC_REG_TX_BYTES, 4), 1634);
	CHECK_EQ(rd(m, UVNIC_REG_TX_BYTES + 4, 4), 0);
	CHECK_EQ(rd(m, UVNIC_REG_ICR, 4), UVNIC_INT_TX | UVNIC_INT_ERROR);
	CHECK_EQ(msis[UVNIC_MSI_TX], 1);
	CHECK_EQ(msis[UVNIC_MSI_OTHER], 1);
	CHECK_EQ(nlog, 4);

	/* Wrap: 7 -> 3 hands over 7, 0, 1, 2, two runs. */
	for (i = 0; i < 8; i++)
		set_desc(ring, i, TXB + i * 2048, 100 + i, 0);
	wr(m, UVNIC_REG_TX_TAIL, 4, 3);
	nsent = 0;
	dma_reads = dma_readvs = 0;
	CHECK_EQ(uvnic_model_tx_work(m, 64), 4);
	CHECK_EQ(nsent, 4);
	/* No refusal: per run, one descriptor read and one of its frames. */
	CHECK_EQ(dma_reads, 2);
	CHECK_EQ(dma_readvs, 2);
	CHECK_EQ(sent[0].len, 107);
	CHECK_EQ(sent[1].len, 100);
	CHECK_EQ(sent[3].len, 102);
	CHECK_EQ(rd(m, UVNIC_REG_TX_HEAD, 4), 3);
	/* TX still latched and no descriptor asked: no new MSI. */
	CHECK_EQ(msis[UVNIC_MSI_TX], 1);

	/* Budget: stop after 2 of 4, resume later. */
	wr(m, UVNIC_REG_TX_TAIL, 4, 7);
	CHECK_EQ(uvnic_model_tx_work(m, 2), 2);
	CHECK_EQ(rd(m, UVNIC_REG_TX_HEAD, 4), 5);
	CHECK_EQ(uvnic_model_tx_work(m, 2), 2);
	CHECK_EQ(uvnic_model_tx_work(m, 2), 0);

	/* Disabling stops the ring; enabling resets HEAD and TAIL. */
	wr(m, UVNIC_REG_CTRL, 4, 0);
	CHECK_EQ(rd(m, UVNIC_REG_TX_HEAD, 4), 0);
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_TX_EN);
	CHECK_EQ(rd(m, UVNIC_REG_TX_TAIL, 4), 0);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 0);

	/* RESET clears the counters. */
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_RESET);
	CHECK_EQ(counter(m, UVNIC_REG_TX_PACKETS), 0);
	CHECK_EQ(counter(m, UVNIC_REG_DMA_ERRORS), 0);
	uvnic_model_free(m);
}

static void test_tx_ring_fault(void)
{
	struct uvnic_model *m = new_model();
	uint8_t *buf = map(TXB, 2048, DEV_READS);
	struct uvnic_model_counters c;

	(void)buf;
	/* The ring itself is not mapped: descriptor read refused. */
	wr(m, UVNIC_REG_TX_BASE, 8, TXR);
	wr(m, UVNIC_REG_TX_LEN, 4, 8);
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_TX_EN);
	wr(m, UVNIC_REG_TX_TAIL, 4, 1);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 0);
	CHECK_EQ(rd(m, UVNIC_REG_CTRL, 4), 0);
	CHECK(!uvnic_model_tx_pending(m));
	uvnic_model_counters(m, &c);
	CHECK_EQ(c.dma_errors, 1);
	CHECK(rd(m, UVNIC_REG_ICR, 4) & UVNIC_INT_ERROR);

	/* Readable but not writable (mapped to-device): write-back refused. */
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_RESET);
	{
		uint8_t *ring = map(TXR, 8 * 16, DEV_READS);

		set_desc(ring, 0, TXB, 64, 0);
	}
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_TX_EN);
	wr(m, UVNIC_REG_TX_TAIL, 4, 1);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 0);
	CHECK_EQ(rd(m, UVNIC_REG_CTRL, 4), 0);
	CHECK_EQ(counter(m, UVNIC_REG_DMA_ERRORS), 1);
	CHECK(strstr(lastlog, "write-back") != NULL);
	uvnic_model_free(m);
}

static void setup_rx(struct uvnic_model *m, uint8_t *ring, uint32_t len,
		     uint16_t bufsize)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		set_desc(ring, i, RXB + i * 2048ULL, bufsize, UVNIC_DESC_IRQ);
	wr(m, UVNIC_REG_RX_BASE, 8, RXR);
	wr(m, UVNIC_REG_RX_LEN, 4, len);
	wr(m, UVNIC_REG_IMR, 4, UVNIC_INT_RX | UVNIC_INT_ERROR);
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_RX_EN);
}

static void test_rx(void)
{
	struct uvnic_model *m = new_model();
	uint8_t *ring = map(RXR, 8 * 16, DEV_READS | DEV_WRITES);
	uint8_t *buf = map(RXB, 8 * 2048, DEV_WRITES);
	uint8_t frame[UVNIC_MAX_FRAME];
	struct uvnic_model_counters c;
	unsigned int i;

	/* Disabled: dropped, not counted as a register counter. */
	CHECK_EQ(uvnic_model_rx(m, frame, 100), -ENETDOWN);
	setup_rx(m, ring, 8, 2048);
	/* No descriptor handed over yet. */
	CHECK_EQ(uvnic_model_rx_avail(m), 0);
	CHECK_EQ(uvnic_model_rx(m, frame, 100), -ENOBUFS);
	CHECK_EQ(counter(m, UVNIC_REG_RX_NO_DESC), 1);

	set_desc(ring, 2, RXB + 2 * 2048, 100, UVNIC_DESC_IRQ);	/* small */
	set_desc(ring, 3, 0x900000, 2048, UVNIC_DESC_IRQ);	/* unmapped */
	wr(m, UVNIC_REG_RX_TAIL, 4, 7);
	CHECK_EQ(uvnic_model_rx_avail(m), 7);

	fill(frame, 1514, 10);
	CHECK_EQ(uvnic_model_rx(m, frame, 1514), 0);
	fill(frame, 42, 11);					/* ARP: padded */
	CHECK_EQ(uvnic_model_rx(m, frame, 42), 0);
	CHECK_EQ(uvnic_model_rx(m, frame, 200), 0);		/* too small */
	CHECK_EQ(uvnic_model_rx(m, frame, 200), 0);		/* refused */
	CHECK_EQ(uvnic_model_rx(m, frame, 1515), -EMSGSIZE);	/* > MAX_FRAME */
	fill(frame, 1000, 12);
	CHECK_EQ(uvnic_model_rx(m, frame, 1000), 0);
	CHECK_EQ(uvnic_model_rx_avail(m), 2);
	/* Nothing is visible before the flush. */
	CHECK_EQ(dstat(ring, 0), 0);
	CHECK_EQ(rd(m, UVNIC_REG_RX_HEAD, 4), 0);
	CHECK_EQ(msis[UVNIC_MSI_RX], 0);

	CHECK_EQ(uvnic_model_rx_flush(m), 5);
	CHECK_EQ(rd(m, UVNIC_REG_RX_HEAD, 4), 5);
	CHECK_EQ(dstat(ring, 0), UVNIC_STAT_DONE);
	CHECK_EQ(le16toh(desc_at(ring, 0)->len), 1514);
	fill(frame, 1514, 10);
	CHECK(!memcmp(buf, frame, 1514));
	CHECK_EQ(dstat(ring, 1), UVNIC_STAT_DONE);
	CHECK_EQ(le16toh(desc_at(ring, 1)->len), 60);
	fill(frame, 42, 11);
	CHECK(!memcmp(buf + 2048, frame, 42));
	for (i = 42; i < 60; i++)
		CHECK_EQ(buf[2048 + i], 0);
	CHECK_EQ(dstat(ring, 2), UVNIC_STAT_DONE | UVNIC_STAT_ERR_LEN);
	CHECK_EQ(le16toh(desc_at(ring, 2)->len), 0);
	CHECK_EQ(dstat(ring, 3), UVNIC_STAT_DONE | UVNIC_STAT_ERR_ADDR);
	CHECK_EQ(le16toh(desc_at(ring, 3)->len), 0);
	CHECK_EQ(le64toh(desc_at(ring, 3)->addr), 0x900000);
	CHECK_EQ(dstat(ring, 4), UVNIC_STAT_DONE);
	CHECK_EQ(le16toh(desc_at(ring, 4)->len), 1000);
	CHECK_EQ(dstat(ring, 5), 0);
	uvnic_model_counters(m, &c);
	CHECK_EQ(c.rx_packets, 3);
	CHECK_EQ(c.rx_bytes, 1514 + 60 + 1000);
	CHECK_EQ(c.rx_errors, 3);	/* small, refused, oversize */
	CHECK_EQ(c.dma_errors, 1);
	CHECK_EQ(c.rx_no_desc, 1);
	CHECK_EQ(msis[UVNIC_MSI_RX], 1);
	CHECK_EQ(msis[UVNIC_MSI_OTHER], 1);
	CHECK_EQ(rd(m, UVNIC_REG_ICR, 4), UVNIC_INT_RX | UVNIC_INT_ERROR);

	/* Flushing nothing does nothing. */
	CHECK_EQ(uvnic_model_rx_flush(m), 0);

	/* The ring runs dry at TAIL, then wraps once the driver refills. */
	CHECK_EQ(uvnic_model_rx(m, frame, 64), 0);
	CHECK_EQ(uvnic_model_rx(m, frame, 64), 0);
	/* Looking for a third completed the two: nothing left to flush. */
	CHECK_EQ(uvnic_model_rx(m, frame, 64), -ENOBUFS);
	CHECK_EQ(uvnic_model_rx_flush(m), 0);
	CHECK_EQ(rd(m, UVNIC_REG_RX_HEAD, 4), 7);
	for (i = 0; i < 8; i++)
		set_desc(ring, i, RXB + i * 2048ULL, 2048, 0);
	wr(m, UVNIC_REG_ICR, 4, UVNIC_INT_RX | UVNIC_INT_ERROR);
	wr(m, UVNIC_REG_RX_TAIL, 4, 6);
	CHECK_EQ(uvnic_model_rx_avail(m), 7);
	for (i = 0; i < 7; i++) {
		fill(frame, 300 + i, 20 + i);
		CHECK_EQ(uvnic_model_rx(m, frame, 300 + i), 0);
	}
	/* Descriptor 7 was completed at the wrap, 0..5 now. */
	CHECK_EQ(uvnic_model_rx_flush(m), 6);
	CHECK_EQ(rd(m, UVNIC_REG_RX_HEAD, 4), 6);
	CHECK_EQ(le16toh(desc_at(ring, 7)->len), 300);
	CHECK_EQ(le16toh(desc_at(ring, 5)->len), 306);
	fill(frame, 306, 26);
	CHECK(!memcmp(buf + 5 * 2048, frame, 306));
	/* No descriptor asked for an interrupt this time. */
	CHECK_EQ(msis[UVNIC_MSI_RX], 1);
	CHECK_EQ(rd(m, UVNIC_REG_ICR, 4), 0);
	uvnic_model_free(m);
}

/* A burst bigger than the read-ahead, on a big ring, round and round. */
static void test_rx_bulk(void)
{
	struct uvnic_model *m = new_model();
	uint8_t *ring = map(RXR, 256 * 16, DEV_READS | DEV_WRITES);
	uint8_t *buf = map(RXB, 256 * 2048, DEV_WRITES);
	uint8_t frame[1514];
	uint32_t tail = 255, n = 0, round;
	unsigned int reads;

	setup_rx(m, ring, 256, 2048);
	wr(m, UVNIC_REG_RX_TAIL, 4, tail);
	for (round = 0; round < 10; round++) {
		unsigned int i, got = 0;

		reads = dma_reads;
		for (i = 0; i < 200; i++) {
			fill(frame, 1514, n + i);
			if (uvnic_model_rx(m, frame, 1514) == 0)
				got++;
		}
		CHECK_EQ(uvnic_model_rx_flush(m) >= 0, 1);
		/* Descriptors are read in runs of up to 64, not one by one. */
		CHECK(dma_reads - reads <= 8);
		/* The driver takes them all back and hands them over again. */
		for (i = 0; i < got; i++) {
			uint32_t idx = (tail + 1 + i) & 255;

			if (i == got - 1) {
				fill(frame, 1514, n + i);
				CHECK(!memcmp(buf + idx * 2048, frame, 1514));
			}
			CHECK_EQ(dstat(ring, idx), UVNIC_STAT_DONE);
			set_desc(ring, idx, RXB + idx * 2048ULL, 2048, UVNIC_DESC_IRQ);
		}
		n += got;
		tail = (tail + got) & 255;
		wr(m, UVNIC_REG_RX_TAIL, 4, tail);
		wr(m, UVNIC_REG_ICR, 4, UVNIC_INT_RX);
	}
	CHECK_EQ(n, 2000);
	CHECK_EQ(counter(m, UVNIC_REG_RX_PACKETS), 2000);
	CHECK_EQ(msis[UVNIC_MSI_RX], 10);
	uvnic_model_free(m);
}

/* A TX burst bigger than a batch on a big ring: batched reads, no loss. */
static void test_tx_bulk(void)
{
	struct uvnic_model *m = new_model();
	uint8_t *ring = map(TXR, 512 * 16, DEV_READS | DEV_WRITES);
	uint8_t *buf = map(TXB, 512 * 2048, DEV_READS);
	uint32_t i, tail = 0;
	unsigned int total = 0;
	int rc;

	(void)buf;
	wr(m, UVNIC_REG_TX_BASE, 8, TXR);
	wr(m, UVNIC_REG_TX_LEN, 4, 512);
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_TX_EN);
	for (i = 0; i < 511; i++)
		set_desc(ring, i, TXB + i * 2048ULL, 64 + i, 0);
	tail = 511;
	wr(m, UVNIC_REG_TX_TAIL, 4, tail);
	dma_reads = 0;
	flushes = 0;
	while ((rc = uvnic_model_tx_work(m, 100)) > 0)
		total += rc;
	CHECK_EQ(rc, 0);
	CHECK_EQ(total, 511);
	CHECK_EQ(nsent, 511);
	/* 511 frames + descriptor reads in runs of at most 64. */
	CHECK(dma_reads <= 511 + 12);
	CHECK(flushes >= 8 && flushes <= 12);
	CHECK_EQ(rd(m, UVNIC_REG_TX_HEAD, 4), 511);
	CHECK_EQ(counter(m, UVNIC_REG_TX_BYTES), 511 * 64 + 511 * 510 / 2);
	uvnic_model_free(m);
}

int main(void)
{
	test_registers();
	test_interrupts();
	test_ring_programming();
	test_tx();
	test_tx_ring_fault();
	test_rx();
	test_rx_bulk();
	test_tx_bulk();
	if (failures) {
		fprintf(stderr, "uvnic-model: %u of %u checks failed\n", failures, checks);
		return 1;
	}
	printf("uvnic-model: %u checks passed\n", checks);
	return 0;
}
