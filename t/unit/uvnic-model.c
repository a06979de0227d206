// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvnic-model - unit test of the uvNIC device model (lib/models/uvnic/uvnic-model.c)
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

/*
 * The buffer lifetime promise: what tx/tx_gso got stays unchanged until
 * tx_flush. Each buffer's hash is checked again at the flush.
 */
#define MAXPEND	8192
static struct {
	const void *p;
	size_t len;
	uint32_t hash;
} pend[MAXPEND];
static unsigned int npend, stale;

static uint32_t hash(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static void remember(const void *frame, size_t len)
{
	if (npend < MAXPEND) {
		pend[npend].p = frame;
		pend[npend].len = len;
		pend[npend++].hash = hash(frame, len);
	}
}

static void tx_cb(void *opaque, const void *frame, size_t len)
{
	(void)opaque;
	if (nsent < MAXF) {
		memcpy(sent[nsent].data, frame, len);
		sent[nsent].len = len;
	}
	nsent++;
	remember(frame, len);
}

static void flush_cb(void *opaque)
{
	unsigned int i;

	(void)opaque;
	flushes++;
	for (i = 0; i < npend; i++)
		if (hash(pend[i].p, pend[i].len) != pend[i].hash)
			stale++;
	npend = 0;
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
	nsent = flushes = nlog = npend = stale = 0;
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
	d->mss = 0;
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
	CHECK_EQ(rd(m, UVNIC_REG_VERSION, 4), 0x00010002);
	CHECK_EQ(rd(m, UVNIC_REG_FEATURES, 4),
		 UVNIC_FEAT_SG | UVNIC_FEAT_CSUM | UVNIC_FEAT_TSO);
	wr(m, UVNIC_REG_FEATURES, 4, 0);
	CHECK_EQ(rd(m, UVNIC_REG_FEATURES, 4), 7);
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

	/* Wrap: 7 -> 3 hands over 7, 0, 1, 2: one batch, read in two runs. */
	for (i = 0; i < 8; i++)
		set_desc(ring, i, TXB + i * 2048, 100 + i, 0);
	wr(m, UVNIC_REG_TX_TAIL, 4, 3);
	nsent = 0;
	dma_reads = dma_readvs = 0;
	CHECK_EQ(uvnic_model_tx_work(m, 64), 4);
	CHECK_EQ(nsent, 4);
	/* No refusal: a descriptor read per run, one read of the frames. */
	CHECK_EQ(dma_reads, 2);
	CHECK_EQ(dma_readvs, 1);
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

/* ------------------------------------------------------------------ */
/* TX offloads: scatter-gather, checksums, TSO                         */
/* ------------------------------------------------------------------ */

#define TXB_SIZE	(1u << 20)

/* The driver's side of a TX ring: descriptors and buffers it hands over. */
struct txh {
	uint8_t *ring;
	uint8_t *buf;
	uint32_t len;	/* ring size */
	uint32_t idx;	/* next descriptor */
	size_t used;	/* of buf */
};

static void tx_setup(struct uvnic_model *m, struct txh *h, uint32_t len)
{
	h->ring = map(TXR, len * 16, DEV_READS | DEV_WRITES);
	h->buf = map(TXB, TXB_SIZE, DEV_READS);
	h->len = len;
	h->idx = 0;
	h->used = 0;
	wr(m, UVNIC_REG_TX_BASE, 8, TXR);
	wr(m, UVNIC_REG_TX_LEN, 4, len);
	wr(m, UVNIC_REG_IMR, 4, UVNIC_INT_TX | UVNIC_INT_ERROR);
	wr(m, UVNIC_REG_CTRL, 4, UVNIC_CTRL_TX_EN);
}

/*
 * Hand over @frame in @nd descriptors (scattered, with gaps between the
 * pieces): @flags but IRQ and @mss on the first, IRQ on the last, MORE on
 * all but the last. Does not write TAIL. Returns the first index.
 */
static uint32_t post(struct txh *h, const uint8_t *frame, size_t len,
		     unsigned int nd, uint16_t flags, uint16_t mss)
{
	uint32_t first = h->idx;
	size_t off = 0, piece;
	unsigned int k;

	for (k = 0; k < nd; k++) {
		uint16_t f = 0;

		piece = k == nd - 1 ? len - off : len / nd;
		if (h->used + piece + 64 > TXB_SIZE)
			h->used = 0;
		memcpy(h->buf + h->used, frame + off, piece);
		if (!k)
			f |= flags & ~UVNIC_DESC_IRQ;
		if (k < nd - 1)
			f |= UVNIC_DESC_MORE;
		else
			f |= flags & UVNIC_DESC_IRQ;
		set_desc(h->ring, h->idx, TXB + h->used, (uint16_t)piece, f);
		if (!k)
			desc_at(h->ring, h->idx)->mss = htole16(mss);
		h->used = (h->used + piece + 64 + 15) & ~(size_t)15;
		off += piece;
		h->idx = (h->idx + 1) & (h->len - 1);
	}
	return first;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* RFC 1071 the slow way, independent of lib/models/uvnic/uvnic-offload.c. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Pseudo-header sum of the frame's addresses, @proto and @l4len. */
static uint32_t pseudo(const uint8_t *f, size_t l3, bool v6, uint8_t proto,
		       size_t l4len)
{
	uint32_t s = v6 ? sum16(f + l3 + 8, 32, 0) : sum16(f + l3 + 12, 8, 0);

	return s + proto + (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff);
}

/* A valid L4 checksum: pseudo-header + segment fold to 0xffff. */
static bool l4_ok(const uint8_t *f, size_t len, size_t l3, size_t l4, bool v6,
		  uint8_t proto)
{
	return fold(sum16(f + l4, len - l4, pseudo(f, l3, v6, proto, len - l4))) == 0xffff;
}

static bool ip4_ok(const uint8_t *f, size_t l3)
{
	return fold(sum16(f + l3, (f[l3] & 0xf) * 4u, 0)) == 0xffff;
}

static size_t eth(uint8_t *f, bool vlan, uint16_t type)
{
	static const uint8_t macs[12] = {
		0x02, 0, 0, 0, 0, 2, 0x02, 0x75, 0x76, 0x01, 0x02, 0x03,
	};

	memcpy(f, macs, 12);
	if (!vlan) {
		put16(f + 12, type);
		return 14;
	}
	put16(f + 12, 0x8100);
	put16(f + 14, 5);
	put16(f + 16, type);
	return 18;
}

#define SEQ0	0xfffff000u	/* wraps within a super-packet */
#define ID0	0xfffe		/* so does the IPv4 ID */

/* IPv4 (checksum field garbage) or IPv6 header at @l3; returns the L4 offset. */
static size_t ip_hdr(uint8_t *f, size_t l3, bool v6, uint8_t proto, size_t l4len)
{
	uint8_t *ip = f + l3;

	if (v6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = proto;
		ip[7] = 64;
		put32(ip + 8, 0x20010db8);
		ip[23] = 1;
		put32(ip + 24, 0x20010db8);
		ip[39] = 2;
		return l3 + 40;
	}
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(20 + l4len));
	put16(ip + 4, ID0);
	put16(ip + 6, 0x4000);			/* DF */
	ip[8] = 64;
	ip[9] = proto;
	put16(ip + 10, 0xdead);
	put32(ip + 12, 0x0a010203);
	put32(ip + 16, 0x0a040506);
	return l3 + 20;
}

/* TCP with @optlen bytes of options; returns the frame length. */
static size_t build_tcp(uint8_t *f, bool vlan, bool v6, unsigned int optlen,
			size_t payload, uint8_t flags)
{
	size_t l3 = eth(f, vlan, v6 ? 0x86dd : 0x0800);
	size_t l4 = ip_hdr(f, l3, v6, 6, 20 + optlen + payload);
	uint8_t *t = f + l4;

	put16(t, 40000);
	put16(t + 2, 5201);
	put32(t + 4, SEQ0);
	put32(t + 8, 0x01020304);
	t[12] = (uint8_t)((5 + optlen / 4) << 4);
	t[13] = flags;
	put16(t + 14, 512);
	put16(t + 16, 0xbeef);		/* what the driver left: ignored */
	put16(t + 18, 0);
	memset(t + 20, 1, optlen);	/* NOPs */
	fill(t + 20 + optlen, payload, 7);
	return l4 + 20 + optlen + payload;
}

static size_t build_udp(uint8_t *f, bool vlan, bool v6, size_t payload)
{
	size_t l3 = eth(f, vlan, v6 ? 0x86dd : 0x0800);
	size_t l4 = ip_hdr(f, l3, v6, 17, 8 + payload);
	uint8_t *u = f + l4;

	put16(u, 5353);
	put16(u + 2, 53);
	put16(u + 4, (uint16_t)(8 + payload));
	put16(u + 6, 0x1234);
	fill(u + 8, payload, 9);
	return l4 + 8 + payload;
}

#define TCP_FIN	0x01
#define TCP_PSH	0x08
#define TCP_ACK	0x10
#define TCP_CWR	0x80

static void test_tx_sg(void)
{
	struct uvnic_model *m = new_model();
	struct uvnic_model_counters c;
	uint8_t frame[1514];
	struct txh h;
	uint32_t i;

	tx_setup(m, &h, 8);
	/* 3 descriptors, IRQ only on the last: one frame, all 3 DONE. */
	fill(frame, 1000, 3);
	post(&h, frame, 1000, 3, UVNIC_DESC_IRQ, 0);
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	dma_readvs = 0;
	CHECK_EQ(uvnic_model_tx_work(m, 64), 3);
	CHECK_EQ(dma_readvs, 1);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0].len, 1000);
	CHECK(!memcmp(sent[0].data, frame, 1000));
	for (i = 0; i < 3; i++)
		CHECK_EQ(dstat(h.ring, i), UVNIC_STAT_DONE);
	CHECK_EQ(msis[UVNIC_MSI_TX], 1);
	CHECK_EQ(counter(m, UVNIC_REG_TX_PACKETS), 1);
	CHECK_EQ(counter(m, UVNIC_REG_TX_BYTES), 1000);

	/* 3 singles, then a frame of 4 across the ring's end: 6, 7, 0, 1. */
	for (i = 0; i < 3; i++)
		post(&h, frame, 60, 1, 0, 0);
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 3);
	nsent = 0;
	fill(frame, 1514, 4);
	post(&h, frame, 1514, 4, 0, 0);
	CHECK_EQ(h.idx, 2);
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	dma_reads = dma_readvs = 0;
	CHECK_EQ(uvnic_model_tx_work(m, 64), 4);
	CHECK_EQ(dma_reads, 2);		/* descriptors: two runs */
	CHECK_EQ(dma_readvs, 1);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0].len, 1514);
	CHECK(!memcmp(sent[0].data, frame, 1514));
	CHECK_EQ(dstat(h.ring, 6), UVNIC_STAT_DONE);
	CHECK_EQ(dstat(h.ring, 7), UVNIC_STAT_DONE);
	CHECK_EQ(dstat(h.ring, 0), UVNIC_STAT_DONE);
	CHECK_EQ(dstat(h.ring, 1), UVNIC_STAT_DONE);
	CHECK_EQ(rd(m, UVNIC_REG_TX_HEAD, 4), 2);

	/* A frame TAIL covers only in part waits, without error. */
	nsent = 0;
	post(&h, frame, 100, 1, 0, 0);		/* 2 */
	post(&h, frame, 300, 3, 0, 0);		/* 3, 4, 5 */
	wr(m, UVNIC_REG_TX_TAIL, 4, 5);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 1);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(rd(m, UVNIC_REG_TX_HEAD, 4), 3);
	CHECK(!uvnic_model_tx_pending(m));	/* nothing it can do: no busy loop */
	CHECK_EQ(uvnic_model_tx_work(m, 64), 0);
	CHECK_EQ(dstat(h.ring, 3), 0);
	CHECK_EQ(dstat(h.ring, 4), 0);
	wr(m, UVNIC_REG_TX_TAIL, 4, 6);
	CHECK(uvnic_model_tx_pending(m));
	CHECK_EQ(uvnic_model_tx_work(m, 64), 3);
	CHECK_EQ(nsent, 2);
	CHECK_EQ(sent[1].len, 300);
	CHECK_EQ(dstat(h.ring, 5), UVNIC_STAT_DONE);
	uvnic_model_counters(m, &c);
	CHECK_EQ(c.tx_errors, 0);
	CHECK_EQ(nlog, 0);
	CHECK_EQ(stale, 0);
	uvnic_model_free(m);
}

static void test_tx_sg_errors(void)
{
	struct uvnic_model *m = new_model();
	struct uvnic_model_counters c;
	uint8_t frame[2048];
	struct txh h;
	uint32_t i, first;

	tx_setup(m, &h, 64);
	/* 33 descriptors with MORE on the first 32: those 32 fail. */
	fill(frame, sizeof(frame), 5);
	post(&h, frame, 33 * 40, 33, 0, 0);
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 33);
	for (i = 0; i < 32; i++)
		CHECK_EQ(dstat(h.ring, i), UVNIC_STAT_DONE | UVNIC_STAT_ERR_LEN);
	/* The 33rd is a frame of its own. */
	CHECK_EQ(dstat(h.ring, 32), UVNIC_STAT_DONE);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(counter(m, UVNIC_REG_TX_ERRORS), 1);
	CHECK_EQ(nlog, 1);
	CHECK(strstr(lastlog, "TX descriptor 0:") != NULL);
	CHECK(rd(m, UVNIC_REG_ICR, 4) & UVNIC_INT_ERROR);

	/* A frame longer than MAX_FRAME in total; one with a 0-length piece. */
	nsent = nlog = 0;
	first = post(&h, frame, 1515, 2, 0, 0);		/* 33, 34 */
	post(&h, frame, 1000, 3, 0, 0);			/* 35, 36, 37 */
	desc_at(h.ring, 36)->len = 0;
	post(&h, frame, 200, 2, 0, 0);			/* 38, 39: fine */
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 7);
	for (i = first; i < first + 5; i++)
		CHECK_EQ(dstat(h.ring, i), UVNIC_STAT_DONE | UVNIC_STAT_ERR_LEN);
	CHECK_EQ(dstat(h.ring, 38), UVNIC_STAT_DONE);
	CHECK_EQ(dstat(h.ring, 39), UVNIC_STAT_DONE);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(nlog, 2);
	CHECK_EQ(counter(m, UVNIC_REG_TX_ERRORS), 3);

	/* A refused buffer in the middle of a frame fails all of it. */
	nsent = nlog = 0;
	first = post(&h, frame, 900, 3, 0, 0);		/* 40, 41, 42 */
	desc_at(h.ring, first + 1)->addr = htole64(0x900000);
	fill(frame, 700, 6);
	post(&h, frame, 700, 2, UVNIC_DESC_IRQ, 0);	/* 43, 44 */
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 5);
	for (i = first; i < first + 3; i++)
		CHECK_EQ(dstat(h.ring, i), UVNIC_STAT_DONE | UVNIC_STAT_ERR_ADDR);
	CHECK_EQ(dstat(h.ring, 43), UVNIC_STAT_DONE);
	CHECK_EQ(dstat(h.ring, 44), UVNIC_STAT_DONE);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0].len, 700);
	CHECK(!memcmp(sent[0].data, frame, 700));
	CHECK_EQ(nlog, 1);
	CHECK(strstr(lastlog, "TX descriptor 40:") != NULL);
	uvnic_model_counters(m, &c);
	CHECK_EQ(c.dma_errors, 1);
	CHECK_EQ(c.tx_errors, 4);
	CHECK_EQ(c.tx_packets, 3);
	CHECK_EQ(stale, 0);
	uvnic_model_free(m);
}

static void test_tx_csum(void)
{
	struct uvnic_model *m = new_model();
	struct uvnic_model_counters c;
	uint8_t frame[1514];
	uint32_t s;
	size_t len[4];
	struct txh h;
	uint8_t *u;

	tx_setup(m, &h, 16);
	/* TCPv4 with options; UDPv6; VLAN TCPv4 in 2 pieces; short UDPv4. */
	len[0] = build_tcp(frame, false, false, 12, 1000, TCP_ACK);
	post(&h, frame, len[0], 1, UVNIC_DESC_CSUM, 0);
	len[1] = build_udp(frame, false, true, 777);
	post(&h, frame, len[1], 1, UVNIC_DESC_CSUM, 0);
	len[2] = build_tcp(frame, true, false, 0, 1400, TCP_ACK | TCP_PSH);
	post(&h, frame, len[2], 2, UVNIC_DESC_CSUM, 0);
	len[3] = build_udp(frame, false, false, 2);	/* 44 bytes: padded */
	post(&h, frame, len[3], 1, UVNIC_DESC_CSUM, 0);
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 5);
	CHECK_EQ(nsent, 4);
	CHECK_EQ(sent[0].len, len[0]);
	CHECK(l4_ok(sent[0].data, len[0], 14, 34, false, 6));
	CHECK(get16(sent[0].data + 34 + 16) != 0xbeef);
	CHECK_EQ(sent[1].len, len[1]);
	CHECK(l4_ok(sent[1].data, len[1], 14, 54, true, 17));
	CHECK_EQ(sent[2].len, len[2]);
	CHECK(l4_ok(sent[2].data, len[2], 18, 38, false, 6));
	CHECK_EQ(sent[3].len, 60);
	CHECK(l4_ok(sent[3].data, len[3], 14, 34, false, 17));
	/* The rest of the frame is the driver's, untouched. */
	build_tcp(frame, true, false, 0, 1400, TCP_ACK | TCP_PSH);
	CHECK(!memcmp(sent[2].data, frame, 38 + 16));
	CHECK(!memcmp(sent[2].data + 38 + 18, frame + 38 + 18, len[2] - 38 - 18));
	uvnic_model_counters(m, &c);
	CHECK_EQ(c.tx_csum, 4);
	CHECK_EQ(c.tx_errors, 0);

	/* The driver padded a 43-byte UDP frame: the IP length counts. */
	nsent = 0;
	memset(frame, 0, 60);
	len[0] = build_udp(frame, false, false, 1);
	post(&h, frame, 60, 1, UVNIC_DESC_CSUM, 0);
	/* An IP length beyond the frame: the frame's length counts. */
	len[1] = build_udp(frame, false, false, 100);
	put16(frame + 14 + 2, 2000);
	post(&h, frame, len[1], 1, UVNIC_DESC_CSUM, 0);
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 2);
	CHECK_EQ(nsent, 2);
	CHECK_EQ(len[0], 43);
	CHECK_EQ(sent[0].len, 60);
	CHECK(l4_ok(sent[0].data, 43, 14, 34, false, 17));
	CHECK_EQ(sent[1].len, len[1]);
	CHECK(l4_ok(sent[1].data, len[1], 14, 34, false, 17));

	/* UDP whose checksum computes to 0: sent as 0xffff. */
	nsent = 0;
	len[0] = build_udp(frame, false, true, 20);
	u = frame + 54;
	put16(u + 6, 0);
	put16(u + 8, 0);
	s = fold(sum16(u, len[0] - 54, pseudo(frame, 14, true, 17, len[0] - 54)));
	put16(u + 8, (uint16_t)(0xffff - s));	/* the sum becomes 0xffff */
	post(&h, frame, len[0], 1, UVNIC_DESC_CSUM, 0);
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 1);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(get16(sent[0].data + 54 + 6), 0xffff);
	CHECK(l4_ok(sent[0].data, len[0], 14, 54, true, 17));
	CHECK_EQ(stale, 0);
	uvnic_model_free(m);
}

static void test_tx_offload_errors(void)
{
	struct uvnic_model *m = new_model();
	struct uvnic_model_counters c;
	uint8_t frame[1514];
	struct txh h;
	size_t len;
	uint32_t i;

	tx_setup(m, &h, 16);
	/* ARP with CSUM */
	memset(frame, 0, 60);
	eth(frame, false, 0x0806);
	post(&h, frame, 42, 1, UVNIC_DESC_CSUM, 0);			/* 0 */
	/* IPv4 fragment (MF) with CSUM, in 2 pieces */
	len = build_udp(frame, false, false, 100);
	put16(frame + 14 + 6, 0x2000);
	post(&h, frame, len, 2, UVNIC_DESC_CSUM, 0);			/* 1, 2 */
	/* IPv6 with a hop-by-hop extension header */
	len = build_tcp(frame, false, true, 0, 100, TCP_ACK);
	frame[14 + 6] = 0;
	post(&h, frame, len, 1, UVNIC_DESC_CSUM, 0);			/* 3 */
	/* TSO on UDP */
	len = build_udp(frame, false, false, 1000);
	post(&h, frame, len, 1, UVNIC_DESC_TSO, 500);			/* 4 */
	/* TSO with mss 0 */
	len = build_tcp(frame, false, false, 0, 1000, TCP_ACK);
	post(&h, frame, len, 1, UVNIC_DESC_TSO, 0);			/* 5 */
	/* TSO: headers + mss above MAX_FRAME */
	post(&h, frame, len, 1, UVNIC_DESC_TSO, 1461);			/* 6 */
	/* TCP header cut short */
	post(&h, frame, 14 + 20 + 10, 1, UVNIC_DESC_CSUM, 0);		/* 7 */
	/* and a good one after them */
	post(&h, frame, len, 1, UVNIC_DESC_TSO, 1460);			/* 8 */
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 9);
	for (i = 0; i < 8; i++)
		CHECK_EQ(dstat(h.ring, i), UVNIC_STAT_DONE | UVNIC_STAT_ERR_OFFLOAD);
	CHECK_EQ(dstat(h.ring, 8), UVNIC_STAT_DONE);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(nlog, 7);
	uvnic_model_counters(m, &c);
	CHECK_EQ(c.tx_errors, 7);
	CHECK_EQ(c.tx_offload_errors, 7);
	CHECK_EQ(c.tx_packets, 1);
	CHECK(rd(m, UVNIC_REG_ICR, 4) & UVNIC_INT_ERROR);
	uvnic_model_free(m);
}

/* Check segment @s of a TSO frame built by build_tcp(). */
static void check_segment(unsigned int i, unsigned int nseg, size_t l3, bool v6,
			  unsigned int hdr, unsigned int mss, size_t payload,
			  const uint8_t *orig, uint8_t flags)
{
	const uint8_t *f = sent[i].data;
	size_t l4 = l3 + (v6 ? 40 : 20), n = i < nseg - 1 ? mss : payload - (size_t)i * mss;
	uint8_t want = flags;

	CHECK_EQ(sent[i].len, hdr + n < 60 ? 60 : hdr + n);
	if (v6) {
		CHECK_EQ(get16(f + l3 + 4), hdr + n - l3 - 40);
	} else {
		CHECK_EQ(get16(f + l3 + 2), hdr + n - l3);
		CHECK_EQ(get16(f + l3 + 4), (uint16_t)(ID0 + i));
		CHECK(ip4_ok(f, l3));
	}
	CHECK_EQ(get32(f + l4 + 4), (uint32_t)(SEQ0 + i * mss));
	if (i < nseg - 1)
		want &= ~(TCP_FIN | TCP_PSH);
	if (i)
		want &= ~TCP_CWR;
	CHECK_EQ(f[l4 + 13], want);
	CHECK(l4_ok(f, hdr + n, l3, l4, v6, 6));
	CHECK(!memcmp(f + hdr, orig + hdr + (size_t)i * mss, n));
	/* Ports, ack, window, options as in the super-packet. */
	CHECK(!memcmp(f + l4, orig + l4, 4));
	CHECK(!memcmp(f + l4 + 8, orig + l4 + 8, 5));
	CHECK(!memcmp(f + l4 + 20, orig + l4 + 20, hdr - l4 - 20));
}

static void test_tx_tso(void)
{
	struct uvnic_model *m = new_model();
	struct uvnic_model_counters c;
	static uint8_t frame[65536], frame2[65536];
	uint8_t fl = TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR;
	struct txh h;
	size_t len, len2;
	unsigned int i;

	tx_setup(m, &h, 64);
	/* TCPv4 with 12 bytes of options, 5000 bytes, mss 1448: 4 segments. */
	len = build_tcp(frame, false, false, 12, 5000, fl);
	post(&h, frame, len, 3, UVNIC_DESC_TSO | UVNIC_DESC_IRQ, 1448);
	/* VLAN TCPv6, 3000 bytes, mss 1000: 3 segments. */
	len2 = build_tcp(frame2, true, true, 0, 3000, TCP_ACK | TCP_PSH);
	post(&h, frame2, len2, 2, UVNIC_DESC_TSO, 1000);
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 5);
	CHECK_EQ(nsent, 7);
	for (i = 0; i < 4; i++)
		check_segment(i, 4, 14, false, 66, 1448, 5000, frame, fl);
	for (i = 0; i < 3; i++) {
		nsent = i + 4;	/* check_segment() looks at sent[i] */
		memmove(&sent[i], &sent[i + 4], sizeof(sent[0]));
		check_segment(i, 3, 18, true, 78, 1000, 3000, frame2, TCP_ACK | TCP_PSH);
	}
	for (i = 0; i < 5; i++)
		CHECK_EQ(dstat(h.ring, i), UVNIC_STAT_DONE);
	uvnic_model_counters(m, &c);
	CHECK_EQ(c.tx_packets, 7);
	CHECK_EQ(c.tx_bytes, 4 * 66 + 5000 + 3 * 78 + 3000);
	CHECK_EQ(c.tx_tso, 2);
	CHECK_EQ(counter(m, UVNIC_REG_TX_PACKETS), 7);

	/* No payload: one segment; payload <= mss: one, flags kept. */
	nsent = 0;
	memset(frame, 0, 60);
	len = build_tcp(frame, false, false, 0, 0, TCP_ACK | TCP_FIN);
	post(&h, frame, 60, 1, UVNIC_DESC_TSO, 1448);	/* padded by the driver */
	len2 = build_tcp(frame2, false, false, 0, 100, fl);
	post(&h, frame2, len2, 1, UVNIC_DESC_TSO, 1448);
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 2);
	CHECK_EQ(nsent, 2);
	check_segment(0, 1, 14, false, 54, 1448, 0, frame, TCP_ACK | TCP_FIN);
	memmove(&sent[0], &sent[1], sizeof(sent[0]));
	check_segment(0, 1, 14, false, 54, 1448, 100, frame2, fl);

	/*
	 * A 64 KiB frame in 32 pieces cut into 1300 tiny segments: more than
	 * the segment area holds, so the sink is flushed on the way; no buffer
	 * it holds changes before its flush (checked by flush_cb).
	 */
	nsent = 0;
	flushes = 0;
	len = build_tcp(frame, false, false, 0, 65000, TCP_ACK);
	post(&h, frame, len, 32, UVNIC_DESC_TSO, 50);
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 32);
	CHECK_EQ(nsent, 1300);
	CHECK(flushes >= 2);
	CHECK_EQ(stale, 0);
	for (i = 0; i < 3; i++)
		check_segment(i, 1300, 14, false, 54, 50, 65000, frame, TCP_ACK);
	CHECK_EQ(counter(m, UVNIC_REG_TX_ERRORS), 0);
	uvnic_model_free(m);
}

static struct {
	unsigned int calls;
	size_t len;
	struct uvnic_model_gso g;
	uint8_t data[65536];
} gso_got;

static void gso_cb(void *opaque, const void *frame, size_t len,
		   const struct uvnic_model_gso *gso)
{
	(void)opaque;
	gso_got.calls++;
	gso_got.len = len;
	gso_got.g = *gso;
	memcpy(gso_got.data, frame, len);
	remember(frame, len);
}

static void test_tx_tso_gso(void)
{
	struct uvnic_model_config cfg = {
		.mac = { 0x02, 0x75, 0x76, 0x01, 0x02, 0x03 },
		.tx = tx_cb, .tx_gso = gso_cb, .tx_flush = flush_cb, .log = log_cb,
	};
	struct uvnic_model_counters c;
	static uint8_t frame[65536];
	struct uvnic_model *m;
	const uint8_t *f = gso_got.data;
	struct txh h;
	size_t len;

	unmap_all();
	nsent = flushes = nlog = npend = stale = 0;
	memset(&gso_got, 0, sizeof(gso_got));
	if (uvnic_model_new(fake_dev, &cfg, &m)) {
		fprintf(stderr, "uvnic-model: uvnic_model_new failed\n");
		exit(1);
	}
	tx_setup(m, &h, 16);
	/* TCPv4 with options, 4000 bytes, mss 1448: whole, 3 segments' worth. */
	len = build_tcp(frame, false, false, 12, 4000, TCP_ACK | TCP_PSH);
	post(&h, frame, len, 2, UVNIC_DESC_TSO, 1448);
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 2);
	CHECK_EQ(gso_got.calls, 1);
	CHECK_EQ(nsent, 0);
	CHECK_EQ(gso_got.len, len);
	CHECK_EQ(gso_got.g.mss, 1448);
	CHECK_EQ(gso_got.g.l3, 14);
	CHECK_EQ(gso_got.g.l4, 34);
	CHECK_EQ(gso_got.g.hdr_len, 66);
	CHECK_EQ(gso_got.g.ipv6, false);
	CHECK_EQ(gso_got.g.segs, 3);
	CHECK_EQ(get16(f + 14 + 2), len - 14);
	CHECK(ip4_ok(f, 14));
	CHECK_EQ(get16(f + 34 + 16), fold(pseudo(f, 14, false, 6, len - 34)));
	CHECK(!memcmp(f + 34, frame + 34, 16));
	CHECK(!memcmp(f + 66, frame + 66, 4000));
	uvnic_model_counters(m, &c);
	CHECK_EQ(c.tx_packets, 3);
	CHECK_EQ(c.tx_bytes, 3 * 66 + 4000);
	CHECK_EQ(c.tx_tso, 1);

	/* IPv6 in VLAN; and one segment's worth goes through tx, cut as usual. */
	len = build_tcp(frame, true, true, 0, 2001, TCP_ACK);
	post(&h, frame, len, 1, UVNIC_DESC_TSO, 1000);
	post(&h, frame, 78 + 500, 1, UVNIC_DESC_TSO, 1000);
	wr(m, UVNIC_REG_TX_TAIL, 4, h.idx);
	CHECK_EQ(uvnic_model_tx_work(m, 64), 2);
	CHECK_EQ(gso_got.calls, 2);
	CHECK_EQ(gso_got.g.ipv6, true);
	CHECK_EQ(gso_got.g.l3, 18);
	CHECK_EQ(gso_got.g.l4, 58);
	CHECK_EQ(gso_got.g.hdr_len, 78);
	CHECK_EQ(gso_got.g.segs, 3);
	CHECK_EQ(get16(f + 18 + 4), len - 58);
	CHECK_EQ(get16(f + 58 + 16), fold(pseudo(f, 18, true, 6, len - 58)));
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent[0].len, 78 + 500);
	CHECK(l4_ok(sent[0].data, 78 + 500, 18, 58, true, 6));
	CHECK_EQ(get16(sent[0].data + 18 + 4), 20 + 500);
	uvnic_model_counters(m, &c);
	CHECK_EQ(c.tx_packets, 3 + 3 + 1);
	CHECK_EQ(c.tx_tso, 3);
	CHECK_EQ(stale, 0);
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
	test_tx_sg();
	test_tx_sg_errors();
	test_tx_csum();
	test_tx_offload_errors();
	test_tx_tso();
	test_tx_tso_gso();
	if (failures) {
		fprintf(stderr, "uvnic-model: %u of %u checks failed\n", failures, checks);
		return 1;
	}
	printf("uvnic-model: %u checks passed\n", checks);
	return 0;
}
