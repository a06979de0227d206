// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * uvnic-model.c - the uvNIC reference NIC's device model: the register
 * file, the descriptor rings, interrupts and counters of uvnic(4). See
 * uvnic-model.h for the API.
 *
 * What a frame costs on the uvPCI transport (the hot path). Every DMA goes
 * through the library, which cuts it into <= 128-byte requests. A request
 * that waits (a read, a sync) rings the kernel's doorbell, a write(2) that
 * the kernel serves before it returns; posted requests (writes, MSIs) are
 * queued without a doorbell between uvpci_device_batch_begin() and _end(),
 * and leave with the next wait or the end of the batch.
 *   TX, per batch of up to UVNIC_MODEL_BATCH descriptors: one read of the
 *      descriptors (two across the ring's end), one read of all its
 *      frames' buffers into an arena (uvpci_dma_readv(): one wait, each
 *      buffer alone only after a refusal), the offloads applied (TSO
 *      frames whole to cfg.tx_gso, or cut here), the frames sent
 *      (cfg.tx_flush), then the write-back of the whole batch (status
 *      DONE[|ERR_*]) and the MSI queued, and one sync that hands them over
 *      and checks them: 3 doorbells (more if the frames take more than
 *      one read wave). The MSI is the last thing: a driver that
 *      reads a register in its handler waits for our next turn only.
 *   RX, per burst (what the caller hands over before uvnic_model_rx_flush):
 *      descriptors read ahead UVNIC_MODEL_BATCH at a time; the frames'
 *      data and the burst's len write-back (status still 0) queued and
 *      checked by one sync; then the status write-back and the MSI queued
 *      for the doorbell that ends the burst: 2 doorbells per burst, plus
 *      one per read-ahead. A refused buffer is found by writing each frame
 *      again, alone (slow path, only after a refusal).
 * The MSI rule (no MSI while the cause is latched, or masked: IAM masks
 * it when its MSI goes) does the interrupt moderation; the driver's
 * register reads are answered between frames, never behind a long batch.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uvnic-model.h"

#define DESC_SIZE	((uint32_t)sizeof(struct uvnic_desc))
#define SLOT_SIZE	9024	/* one RX frame buffer: UVNIC_MAX_FRAME, rounded up */
#define TX_ARENA	(1U << 20)	/* a TX batch's frames, packed */
#define SEG_AREA	(128U << 10)	/* segments cut from TSO frames, packed */
#define DEF_MAX_FRAME	1514
#define ALL_CAUSES	(UVNIC_INT_RX | UVNIC_INT_TX | UVNIC_INT_LINK | UVNIC_INT_ERROR)

_Static_assert(sizeof(struct uvnic_desc) == 16, "uvnic(4): a descriptor is 16 bytes");
_Static_assert(SLOT_SIZE >= UVNIC_MAX_FRAME, "a slot holds the largest frame");
_Static_assert(TX_ARENA >= UVNIC_TSO_MAX_FRAME + 64, "the arena holds the largest frame");
_Static_assert(SEG_AREA >= UVNIC_MAX_FRAME + 64, "the segment area holds a segment");
_Static_assert(UVNIC_MODEL_BATCH <= 256, "tx_batch() numbers frames in a byte");

/* Which causes each MSI vector carries (uvnic(4), "Interrupts"). */
static const uint32_t vector_causes[UVNIC_MSI_COUNT] = {
	[UVNIC_MSI_RX]		= UVNIC_INT_RX,
	[UVNIC_MSI_TX]		= UVNIC_INT_TX,
	[UVNIC_MSI_OTHER]	= UVNIC_INT_LINK | UVNIC_INT_ERROR,
};

struct uvnic_ring {
	const char *name;	/* "TX", "RX" */
	uint32_t enable;	/* its CTRL bit */
	uint64_t base;
	uint32_t len;		/* LEN as written; checked when enabled */
	uint32_t head;		/* HEAD: next descriptor to complete */
	uint32_t gen;		/* bumped when the ring stops or starts */
	uint32_t tail;		/* TAIL: as the driver wrote it */
	bool on;
	bool wait;		/* TX: the frame at HEAD ends beyond TAIL */

	/*
	 * RX read-ahead: desc[0..c_n) are ring[c_first..c_first + c_n).
	 * [0, c_done) completed, [c_done, c_used) hold frames waiting for
	 * their write-back, [c_used, c_n) are free buffers. fetch is the
	 * ring index of the first descriptor not read yet.
	 */
	uint32_t c_first, c_n, c_used, c_done, fetch;
};

struct uvnic_model {
	struct uvpci_device *dev;
	struct uvnic_model_config cfg;

	uint32_t ctrl;		/* RX_EN | TX_EN as they read back */
	uint32_t status;
	uint32_t max_frame;
	uint32_t icr;
	uint32_t imr;
	uint32_t iam;
	struct uvnic_ring tx, rx;

	struct uvnic_model_counters c;
	uint64_t status_reads;
	int fatal;
	bool rx_batch;		/* a burst holds a uvpci_device_batch_begin() */

	struct uvnic_desc txd[UVNIC_MODEL_BATCH];
	struct uvnic_desc rxd[UVNIC_MODEL_BATCH];
	uint16_t rx_status[UVNIC_MODEL_BATCH];	/* status to write back */
	uint16_t rx_len[UVNIC_MODEL_BATCH];	/* frame length in the slot; 0: none */
	uint8_t *txbuf;		/* TX_ARENA: a TX batch's frames */
	uint8_t *segbuf;	/* SEG_AREA: segments cut from TSO frames */
	uint32_t seg_used;	/* bytes of segbuf the sink may still hold */
	uint8_t *rxbuf;		/* UVNIC_MODEL_BATCH slots: frames until completed */
};

/* ------------------------------------------------------------------ */
/* Errors, logging, interrupts                                         */
/* ------------------------------------------------------------------ */

/* The host refused a DMA (IOMMU-like check, bus mastering off, ...). */
static bool dma_refused(int err)
{
	return err == -EFAULT || err == -EACCES || err == -EPERM ||
	       err == -EINVAL;
}

bool uvnic_model_fatal(int err)
{
	return err < 0 && !dma_refused(err) && err != -ERANGE;
}

/* Record @err if fatal; return it either way. */
static int check_fatal(struct uvnic_model *m, int err)
{
	if (uvnic_model_fatal(err) && !m->fatal)
		m->fatal = err;
	return err;
}

__attribute__((format(printf, 2, 3)))
static void mlog(struct uvnic_model *m, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (!m->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	m->cfg.log(m->cfg.opaque, buf);
}

/* Send the MSI of every vector that carries one of @causes. */
static int fire(struct uvnic_model *m, uint32_t causes)
{
	unsigned int v;
	int err;

	for (v = 0; v < UVNIC_MSI_COUNT; v++) {
		if (!(causes & vector_causes[v]))
			continue;
		/* Auto-mask: the MSI acknowledges and masks its IAM causes. */
		m->icr &= ~(vector_causes[v] & m->iam);
		m->imr &= ~(vector_causes[v] & m->iam);
		err = uvpci_msi_fire(m->dev, v);
		if (err && uvnic_model_fatal(check_fatal(m, err)))
			return err;
		if (!err)
			m->c.msi++;
	}
	return 0;
}

/*
 * Latch @causes in ICR. The MSI rule of uvnic(4): a vector fires for a
 * cause that becomes latched while enabled; one already latched sends
 * nothing more until the driver clears it.
 */
static int latch(struct uvnic_model *m, uint32_t causes)
{
	uint32_t fresh = causes & ~m->icr;

	m->icr |= causes;
	return fire(m, fresh & m->imr);
}

/* A misprogrammed ring: counted, logged, ERROR latched; the write is ignored. */
__attribute__((format(printf, 2, 3)))
static void ring_error(struct uvnic_model *m, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	m->c.ring_errors++;
	if (m->cfg.log) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		m->cfg.log(m->cfg.opaque, buf);
	}
	latch(m, UVNIC_INT_ERROR);
}

static void ring_reset(struct uvnic_ring *r)
{
	r->head = r->tail = 0;
	r->wait = false;
	r->c_first = r->c_n = r->c_used = r->c_done = r->fetch = 0;
}

static void ring_stop(struct uvnic_model *m, struct uvnic_ring *r)
{
	r->gen++;
	r->on = false;
	m->ctrl &= ~r->enable;
	ring_reset(r);
}

/*
 * The host refused a DMA to or from the ring itself: the device cannot go
 * on with it. As uvnic(4) says: DMA_ERRORS, ERROR, and the ring's enable
 * bit clears (the driver's watchdog sees it and resets the device).
 */
static void ring_fault(struct uvnic_model *m, struct uvnic_ring *r,
		       const char *what, uint64_t addr, size_t len, int err)
{
	m->c.dma_errors++;
	mlog(m, "%s ring: %s of %zu bytes at %#llx refused by the host (%s): ring disabled",
	     r->name, what, len, (unsigned long long)addr, strerror(-err));
	ring_stop(m, r);
	latch(m, UVNIC_INT_ERROR);
}

/*
 * Wait until the host has handled every request sent so far and sort the
 * outcome: 0, a refusal (-EFAULT, ...), or a fatal error. An error from an
 * earlier MSI (-ERANGE/-EPERM: the driver has not enabled it) says nothing
 * about the DMA, so callers that see a refusal check again alone.
 */
static int dma_sync(struct uvnic_model *m)
{
	return check_fatal(m, uvpci_device_sync(m->dev));
}

/*
 * A safe point in a long batch: handle the host requests the library took
 * off the ring while we waited for DMA data. A driver may be spinning on a
 * register read; it should wait for one frame of ours, not for a batch.
 * Register writes handled here may stop or restart a ring: callers check
 * its generation afterwards. Returns 0 or a fatal error.
 */
static int serve_host(struct uvnic_model *m)
{
	int rc;

	if (!uvpci_device_pending(m->dev))
		return 0;
	rc = uvpci_device_process(m->dev, 0);
	if (rc >= 0 || rc == -EDEADLK || rc == -EINTR)
		return 0;	/* -EDEADLK: we run inside a callback; later then */
	return check_fatal(m, rc);
}

/*
 * Post the write-back of @n descriptors from @desc at ring index @idx (two
 * writes when they go past the ring's end). The host's verdict comes with
 * the next sync: see ring_verify().
 */
static int ring_post(struct uvnic_model *m, struct uvnic_ring *r, uint32_t idx,
		     const struct uvnic_desc *desc, uint32_t n)
{
	uint32_t part = n < r->len - idx ? n : r->len - idx;
	int err;

	err = check_fatal(m, uvpci_dma_write(m->dev, r->base + (uint64_t)idx * DESC_SIZE,
					     desc, part * DESC_SIZE));
	if (!err && part < n)
		err = check_fatal(m, uvpci_dma_write(m->dev, r->base, desc + part,
						     (n - part) * DESC_SIZE));
	return err;
}

/*
 * A sync reported a refusal after a write-back of ours: was it that one?
 * (It may have been another posted request's, such as an MSI the driver
 * has not enabled; refused reads are never reported by a sync.) Write the same descriptors again, alone, and sync. Returns 0,
 * a fatal error, or -EFAULT after a ring fault (the ring is stopped).
 */
static int ring_verify(struct uvnic_model *m, struct uvnic_ring *r,
		       uint32_t idx, const struct uvnic_desc *desc, uint32_t n)
{
	int err = ring_post(m, r, idx, desc, n);

	if (!err)
		err = dma_sync(m);
	if (!err || uvnic_model_fatal(err))
		return err;
	ring_fault(m, r, "descriptor write-back", r->base + (uint64_t)idx * DESC_SIZE,
		   n * DESC_SIZE, err);
	return -EFAULT;
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                           */
/* ------------------------------------------------------------------ */

static void power_on(struct uvnic_model *m)
{
	m->ctrl = 0;
	m->icr = 0;
	m->imr = 0;
	m->iam = 0;
	ring_stop(m, &m->tx);
	ring_stop(m, &m->rx);
	m->c.rx_packets = m->c.rx_bytes = 0;
	m->c.tx_packets = m->c.tx_bytes = 0;
	m->c.rx_no_desc = m->c.rx_errors = 0;
	m->c.tx_errors = m->c.dma_errors = 0;
}

int uvnic_model_new(struct uvpci_device *dev,
		    const struct uvnic_model_config *cfg,
		    struct uvnic_model **modelp)
{
	static const uint8_t zero[6];
	struct uvnic_model *m;

	if (!dev || !cfg || !cfg->tx || (cfg->mac[0] & 1) ||
	    !memcmp(cfg->mac, zero, sizeof(zero)))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->txbuf = malloc(TX_ARENA);
	m->segbuf = malloc(SEG_AREA);
	m->rxbuf = malloc((size_t)UVNIC_MODEL_BATCH * SLOT_SIZE);
	if (!m->txbuf || !m->segbuf || !m->rxbuf) {
		uvnic_model_free(m);
		return -ENOMEM;
	}
	m->dev = dev;
	m->cfg = *cfg;
	m->tx.name = "TX";
	m->tx.enable = UVNIC_CTRL_TX_EN;
	m->rx.name = "RX";
	m->rx.enable = UVNIC_CTRL_RX_EN;
	m->max_frame = DEF_MAX_FRAME;
	power_on(m);
	*modelp = m;
	return 0;
}

void uvnic_model_free(struct uvnic_model *m)
{
	if (!m)
		return;
	free(m->txbuf);
	free(m->segbuf);
	free(m->rxbuf);
	free(m);
}

int uvnic_model_error(const struct uvnic_model *m)
{
	return m->fatal;
}

void uvnic_model_counters(const struct uvnic_model *m,
			  struct uvnic_model_counters *counters)
{
	*counters = m->c;
}

uint64_t uvnic_model_status_reads(const struct uvnic_model *m)
{
	return m->status_reads;
}

bool uvnic_model_link(const struct uvnic_model *m)
{
	return m->status & UVNIC_STATUS_LINK_UP;
}

int uvnic_model_set_link(struct uvnic_model *m, bool up)
{
	uint32_t old = m->status;

	if (up)
		m->status |= UVNIC_STATUS_LINK_UP;
	else
		m->status &= ~UVNIC_STATUS_LINK_UP;
	if (m->status == old)
		return 0;
	return latch(m, UVNIC_INT_LINK);
}

/* ------------------------------------------------------------------ */
/* Registers                                                           */
/* ------------------------------------------------------------------ */

static uint64_t *counter_reg(struct uvnic_model *m, uint32_t off)
{
	switch (off & ~7U) {
	case UVNIC_REG_RX_PACKETS:	return &m->c.rx_packets;
	case UVNIC_REG_RX_BYTES:	return &m->c.rx_bytes;
	case UVNIC_REG_TX_PACKETS:	return &m->c.tx_packets;
	case UVNIC_REG_TX_BYTES:	return &m->c.tx_bytes;
	case UVNIC_REG_RX_NO_DESC:	return &m->c.rx_no_desc;
	case UVNIC_REG_RX_ERRORS:	return &m->c.rx_errors;
	case UVNIC_REG_TX_ERRORS:	return &m->c.tx_errors;
	case UVNIC_REG_DMA_ERRORS:	return &m->c.dma_errors;
	default:			return NULL;
	}
}

/* The 32-bit register at @off (4-aligned), without side effects. */
static uint32_t reg_peek(struct uvnic_model *m, uint32_t off)
{
	uint64_t *cnt;

	switch (off) {
	case UVNIC_REG_ID:		return UVNIC_ID_MAGIC;
	case UVNIC_REG_VERSION:		return UVNIC_HW_VERSION;
	case UVNIC_REG_CTRL:		return m->ctrl;
	case UVNIC_REG_STATUS:		return m->status;
	case UVNIC_REG_MAC_LO:
		return m->cfg.mac[0] | m->cfg.mac[1] << 8 |
		       m->cfg.mac[2] << 16 | (uint32_t)m->cfg.mac[3] << 24;
	case UVNIC_REG_MAC_HI:		return m->cfg.mac[4] | m->cfg.mac[5] << 8;
	case UVNIC_REG_MAX_FRAME:	return m->max_frame;
	case UVNIC_REG_FEATURES:
		return UVNIC_FEAT_SG | UVNIC_FEAT_CSUM | UVNIC_FEAT_TSO;
	case UVNIC_REG_ICR:		return m->icr;
	case UVNIC_REG_IMR:		return m->imr;
	case UVNIC_REG_IAM:		return m->iam;
	case UVNIC_REG_TX_BASE:		return (uint32_t)m->tx.base;
	case UVNIC_REG_TX_BASE + 4:	return m->tx.base >> 32;
	case UVNIC_REG_TX_LEN:		return m->tx.len;
	case UVNIC_REG_TX_TAIL:		return m->tx.tail;
	case UVNIC_REG_TX_HEAD:		return m->tx.head;
	case UVNIC_REG_RX_BASE:		return (uint32_t)m->rx.base;
	case UVNIC_REG_RX_BASE + 4:	return m->rx.base >> 32;
	case UVNIC_REG_RX_LEN:		return m->rx.len;
	case UVNIC_REG_RX_TAIL:		return m->rx.tail;
	case UVNIC_REG_RX_HEAD:		return m->rx.head;
	}
	cnt = counter_reg(m, off);
	if (cnt)
		return off & 4 ? *cnt >> 32 : (uint32_t)*cnt;
	return 0;	/* undefined offsets read 0 */
}

static uint32_t reg_read(struct uvnic_model *m, uint32_t off)
{
	if (off == UVNIC_REG_STATUS)
		m->status_reads++;
	return reg_peek(m, off);
}

/* Setting an enable bit checks the ring and resets HEAD and TAIL. */
static void ring_enable(struct uvnic_model *m, struct uvnic_ring *r, bool on)
{
	const char *why = NULL;

	if (on == r->on)
		return;
	if (!on) {
		ring_stop(m, r);
		return;
	}
	if (!r->base)
		why = "BASE is 0";
	else if (r->base & (DESC_SIZE - 1))
		why = "BASE is not 16-byte aligned";
	else if (r->len < UVNIC_RING_MIN || r->len > UVNIC_RING_MAX ||
		 (r->len & (r->len - 1)))
		why = "LEN is not a power of two from 8 to 4096";
	if (why) {
		ring_error(m, "%s ring not enabled: %s (BASE %#llx, LEN %u)",
			   r->name, why, (unsigned long long)r->base, r->len);
		return;
	}
	ring_reset(r);
	r->gen++;
	r->on = true;
	m->ctrl |= r->enable;
}

static void ring_config(struct uvnic_model *m, struct uvnic_ring *r,
			uint32_t off, uint32_t v)
{
	uint32_t rel = off - (r == &m->tx ? UVNIC_REG_TX_BASE : UVNIC_REG_RX_BASE);

	if (r->on) {
		ring_error(m, "%s ring: BASE/LEN written while the ring is enabled: ignored",
			   r->name);
		return;
	}
	if (rel == 0)
		r->base = (r->base & ~0xffffffffULL) | v;
	else if (rel == 4)
		r->base = (r->base & 0xffffffffULL) | (uint64_t)v << 32;
	else
		r->len = v;
}

static void ring_tail(struct uvnic_model *m, struct uvnic_ring *r, uint32_t v)
{
	if (!r->on)
		return;		/* enabling resets TAIL anyway */
	if (v >= r->len) {
		ring_error(m, "%s_TAIL %u is not below LEN %u: ignored", r->name,
			   v, r->len);
		return;
	}
	r->tail = v;
	r->wait = false;
	if (r == &m->tx)
		m->c.tx_doorbells++;
}

static void reg_write(struct uvnic_model *m, uint32_t off, uint32_t v)
{
	uint32_t old;

	switch (off) {
	case UVNIC_REG_CTRL:
		if (v & UVNIC_CTRL_RESET) {
			m->c.resets++;
			power_on(m);
			return;
		}
		ring_enable(m, &m->tx, v & UVNIC_CTRL_TX_EN);
		ring_enable(m, &m->rx, v & UVNIC_CTRL_RX_EN);
		return;
	case UVNIC_REG_MAX_FRAME:
		if (v < UVNIC_MIN_FRAME || v > UVNIC_MAX_FRAME) {
			mlog(m, "MAX_FRAME %u out of range %u..%u: ignored", v,
			     UVNIC_MIN_FRAME, UVNIC_MAX_FRAME);
			return;
		}
		m->max_frame = v;
		return;
	case UVNIC_REG_ICR:
		m->icr &= ~v;
		return;
	case UVNIC_REG_IMR:
		/* Enabling a cause already latched sends its MSI (uvnic(4)). */
		old = m->imr;
		m->imr = v & ALL_CAUSES;
		fire(m, m->imr & ~old & m->icr);
		return;
	case UVNIC_REG_IAM:
		m->iam = v & ALL_CAUSES;
		return;
	case UVNIC_REG_TX_BASE:
	case UVNIC_REG_TX_BASE + 4:
	case UVNIC_REG_TX_LEN:
		ring_config(m, &m->tx, off, v);
		return;
	case UVNIC_REG_TX_TAIL:
		ring_tail(m, &m->tx, v);
		return;
	case UVNIC_REG_RX_BASE:
	case UVNIC_REG_RX_BASE + 4:
	case UVNIC_REG_RX_LEN:
		ring_config(m, &m->rx, off, v);
		return;
	case UVNIC_REG_RX_TAIL:
		ring_tail(m, &m->rx, v);
		return;
	default:
		return;		/* read-only or undefined: ignored */
	}
}

uint64_t uvnic_model_mmio_read(void *opaque, unsigned int bar,
			       uint64_t offset, unsigned int size)
{
	struct uvnic_model *m = opaque;
	uint32_t off = offset, shift;
	uint64_t v;

	m->c.mmio_reads++;
	if (bar != 0 || offset >= UVNIC_BAR0_SIZE)
		return 0;
	switch (size) {
	case 8:
		v = reg_read(m, off & ~7U);
		return v | (uint64_t)reg_read(m, (off & ~7U) + 4) << 32;
	case 4:
		return reg_read(m, off & ~3U);
	case 2:
	case 1:
		shift = (off & 3) * 8;
		v = reg_read(m, off & ~3U) >> shift;
		return v & ((1ULL << (8 * size)) - 1);
	default:
		return 0;
	}
}

void uvnic_model_mmio_write(void *opaque, unsigned int bar, uint64_t offset,
			    unsigned int size, uint64_t value)
{
	struct uvnic_model *m = opaque;
	uint32_t off = offset, shift, mask, cur;

	m->c.mmio_writes++;
	if (bar != 0 || offset >= UVNIC_BAR0_SIZE)
		return;
	switch (size) {
	case 8:
		/* Low half first, as two 32-bit writes would be. */
		reg_write(m, off & ~7U, (uint32_t)value);
		reg_write(m, (off & ~7U) + 4, value >> 32);
		return;
	case 4:
		reg_write(m, off & ~3U, (uint32_t)value);
		return;
	case 2:
	case 1:
		/* A narrow write changes its bytes of the register only. */
		shift = (off & 3) * 8;
		mask = (uint32_t)((1ULL << (8 * size)) - 1) << shift;
		off &= ~3U;
		cur = off == UVNIC_REG_ICR ? 0 : reg_peek(m, off);
		reg_write(m, off, (cur & ~mask) | ((uint32_t)value << shift & mask));
		return;
	default:
		return;
	}
}

const struct uvpci_device_ops uvnic_model_device_ops = {
	.mmio_read = uvnic_model_mmio_read,
	.mmio_write = uvnic_model_mmio_write,
};

/* ------------------------------------------------------------------ */
/* Transmit                                                            */
/* ------------------------------------------------------------------ */

static uint32_t ring_mask(const struct uvnic_ring *r)
{
	return r->len - 1;
}

bool uvnic_model_tx_pending(const struct uvnic_model *m)
{
	return m->tx.on && m->tx.head != m->tx.tail && !m->tx.wait && !m->fatal;
}

/* One TX frame of a batch: descriptors txd[first, first + n). */
struct tx_frame {
	uint32_t first;
	uint32_t n;
	uint32_t len;		/* the sum of their lengths */
	uint8_t *buf;		/* in the arena; NULL if not read */
	int st;			/* 0 until it is done or failed */
};

static uint32_t align_up(uint32_t v)
{
	return (v + 63) & ~63U;
}

/* Bytes a frame of @len takes on the wire: padded to 60. */
static uint32_t wire_len(uint32_t len)
{
	return len < UVNIC_MIN_FRAME ? UVNIC_MIN_FRAME : len;
}

/* Room a frame takes in the arena or the segment area: padding included. */
static uint32_t room(uint32_t len)
{
	return align_up(wire_len(len));
}

/*
 * Read @n descriptors from ring index @head into txd: two reads when they
 * go past the ring's end. Returns 0, a fatal error, or -EFAULT after a
 * ring fault (the ring is stopped).
 */
static int tx_read_descs(struct uvnic_model *m, uint32_t head, uint32_t n)
{
	struct uvnic_ring *r = &m->tx;
	uint32_t done = 0, idx = head, part;
	uint64_t addr;
	int err;

	while (done < n) {
		part = n - done < r->len - idx ? n - done : r->len - idx;
		addr = r->base + (uint64_t)idx * DESC_SIZE;
		m->c.desc_reads++;
		err = uvpci_dma_read(m->dev, addr, m->txd + done, part * DESC_SIZE);
		if (err) {
			if (uvnic_model_fatal(check_fatal(m, err)))
				return err;
			ring_fault(m, r, "descriptor read", addr, part * DESC_SIZE, err);
			return -EFAULT;
		}
		done += part;
		idx = 0;
	}
	return 0;
}

/*
 * The frame that starts at txd[@i] of the @n read: its descriptor count,
 * or 0 if its last descriptor is not among them. UVNIC_TX_MAX_DESCS with
 * *@too_long set when that many all have DESC_MORE.
 */
static uint32_t tx_frame_descs(struct uvnic_model *m, uint32_t i, uint32_t n,
			       bool *too_long)
{
	uint32_t k;

	*too_long = false;
	for (k = i; k < n; k++) {
		if (!(le16toh(m->txd[k].flags) & UVNIC_DESC_MORE))
			return k - i + 1;
		if (k - i + 1 == UVNIC_TX_MAX_DESCS) {
			*too_long = true;
			return UVNIC_TX_MAX_DESCS;
		}
	}
	return 0;
}

/* Check a frame's lengths: 0, or DONE|ERR_LEN (logged). */
static int tx_check(struct uvnic_model *m, uint32_t head, struct tx_frame *f,
		    bool too_long)
{
	uint32_t idx = (head + f->first) & ring_mask(&m->tx), k, limit, len;
	uint16_t flags = le16toh(m->txd[f->first].flags);

	limit = flags & UVNIC_DESC_TSO ? UVNIC_TSO_MAX_FRAME : m->max_frame;
	if (too_long) {
		mlog(m, "TX descriptor %u: frame of more than %u descriptors: DONE|ERR_LEN",
		     idx, UVNIC_TX_MAX_DESCS);
		return UVNIC_STAT_DONE | UVNIC_STAT_ERR_LEN;
	}
	f->len = 0;
	for (k = 0; k < f->n; k++) {
		len = le16toh(m->txd[f->first + k].len);
		if (!len && f->n > 1) {
			mlog(m, "TX descriptor %u: frame of %u descriptors: length 0 in its descriptor %u: DONE|ERR_LEN",
			     idx, f->n, k);
			return UVNIC_STAT_DONE | UVNIC_STAT_ERR_LEN;
		}
		f->len += len;
	}
	if (!f->len || f->len > limit) {
		if (f->n > 1)
			mlog(m, "TX descriptor %u: frame of %u descriptors: length %u out of range 1..%u: DONE|ERR_LEN",
			     idx, f->n, f->len, limit);
		else
			mlog(m, "TX descriptor %u: length %u out of range 1..%u: DONE|ERR_LEN",
			     idx, f->len, limit);
		return UVNIC_STAT_DONE | UVNIC_STAT_ERR_LEN;
	}
	return 0;
}

/*
 * Read the @nvec buffers of @vec (vec[k] is part of frame @fr[@vf[k]]).
 * All in one go (one doorbell per wave); only after a refusal each
 * alone, to find it (slow path): its frame fails with DONE|ERR_ADDR.
 * Returns 0 or a fatal error.
 */
static int tx_read(struct uvnic_model *m, uint32_t head,
		   const struct uvpci_dma_vec *vec, const uint8_t *vf,
		   uint32_t nvec, struct tx_frame *fr)
{
	uint32_t k;
	int err;

	err = check_fatal(m, uvpci_dma_readv(m->dev, vec, nvec));
	if (!err || uvnic_model_fatal(err))
		return err;
	for (k = 0; k < nvec; k++) {
		struct tx_frame *f = &fr[vf[k]];

		if (f->st)
			continue;	/* one refusal is enough to fail it */
		err = check_fatal(m, uvpci_dma_read(m->dev, vec[k].addr,
						    vec[k].buf, vec[k].len));
		if (uvnic_model_fatal(err))
			return err;
		if (!err)
			continue;
		m->c.dma_errors++;
		mlog(m, "TX descriptor %u: buffer %#llx (%zu bytes) refused by the host (%s): DONE|ERR_ADDR",
		     (head + f->first) & ring_mask(&m->tx),
		     (unsigned long long)vec[k].addr, vec[k].len, strerror(-err));
		f->st = UVNIC_STAT_DONE | UVNIC_STAT_ERR_ADDR;
	}
	return 0;
}

/* A frame (or segment) leaves: padded to 60 bytes, counted. */
static void tx_out(struct uvnic_model *m, uint8_t *buf, uint32_t len)
{
	uint32_t wire = wire_len(len);

	if (wire > len)
		memset(buf + len, 0, wire - len);
	m->cfg.tx(m->cfg.opaque, buf, wire);
	m->c.tx_packets++;
	m->c.tx_bytes += wire;
}

/* Room for one more segment in the segment area; the sink's buffers back first. */
static uint8_t *seg_room(struct uvnic_model *m, uint32_t need)
{
	if (!m->cfg.tx_flush) {
		m->seg_used = 0;	/* tx() returned: its buffer is ours again */
	} else if (m->seg_used + need > SEG_AREA) {
		m->cfg.tx_flush(m->cfg.opaque);
		m->seg_used = 0;
	}
	return m->segbuf + m->seg_used;
}

/*
 * TSO: to cfg.tx_gso whole (headers set as its contract says), or cut
 * into segments here, each to cfg.tx. TX_PACKETS/TX_BYTES count the
 * segments as they go (or would go) on the wire.
 */
static void tx_tso(struct uvnic_model *m, uint8_t *buf, uint32_t len,
		   const struct uvnic_frame_info *fi, uint16_t mss)
{
	uint32_t payload = len - fi->hdr_len, segs, i, slen;
	uint8_t *s;

	segs = uvnic_tso_segments(payload, mss);
	m->c.tx_tso++;
	if (segs > 1 && m->cfg.tx_gso) {
		uint32_t full = payload / mss, rest = payload % mss;
		struct uvnic_model_gso g = {
			.mss = mss, .l3 = fi->l3, .l4 = fi->l4,
			.hdr_len = fi->hdr_len, .ipv6 = fi->ipv6, .segs = segs,
		};

		if (fi->ipv6) {
			uvnic_put_be16(buf + fi->l3 + 4, (uint16_t)(len - fi->l3 - 40));
		} else {
			uvnic_put_be16(buf + fi->l3 + 2, (uint16_t)(len - fi->l3));
			uvnic_put_be16(buf + fi->l3 + 10, 0);
			uvnic_put_be16(buf + fi->l3 + 10,
				       uvnic_csum_final(uvnic_csum_sum(buf + fi->l3,
								       fi->l4 - fi->l3)));
		}
		/* NEEDS_CSUM: the pseudo-header sum, not complemented. */
		uvnic_put_be16(buf + fi->l4 + 16,
			       (uint16_t)~uvnic_csum_final(uvnic_csum_pseudo(buf, fi,
									     len - fi->l4)));
		m->cfg.tx_gso(m->cfg.opaque, buf, len, &g);
		m->c.tx_packets += segs;
		m->c.tx_bytes += (uint64_t)full * wire_len(fi->hdr_len + mss) +
				 (rest ? wire_len(fi->hdr_len + rest) : 0);
		return;
	}
	for (i = 0; i < segs; i++) {
		s = seg_room(m, room(fi->hdr_len + mss));
		slen = (uint32_t)uvnic_tso_segment(buf, len, fi, mss, i, s);
		m->seg_used += room(slen);
		tx_out(m, s, slen);
	}
}

/*
 * Apply a good frame's offloads and send it. Returns its status: DONE, or
 * DONE|ERR_OFFLOAD (logged) when it asked for an offload on a frame the
 * device cannot parse.
 */
static int tx_send(struct uvnic_model *m, uint32_t head, const struct tx_frame *f)
{
	const struct uvnic_desc *d = &m->txd[f->first];
	uint16_t flags = le16toh(d->flags), mss = le16toh(d->mss);
	uint32_t idx = (head + f->first) & ring_mask(&m->tx);
	const char *what = flags & UVNIC_DESC_TSO ? "TSO" : "CSUM";
	struct uvnic_frame_info fi;
	int err;

	if (!(flags & (UVNIC_DESC_CSUM | UVNIC_DESC_TSO))) {
		tx_out(m, f->buf, f->len);
		return UVNIC_STAT_DONE;
	}
	err = uvnic_frame_parse(f->buf, f->len, &fi);
	if (err) {
		mlog(m, "TX descriptor %u: %s on %s: DONE|ERR_OFFLOAD", idx, what,
		     err == -EOPNOTSUPP ? "an IPv4 fragment" :
		     err == -EBADMSG ? "a frame with headers cut short or malformed" :
		     "a frame that is not TCP/UDP over IPv4/IPv6");
		goto bad;
	}
	if (!(flags & UVNIC_DESC_TSO)) {
		uvnic_l4_csum_fill(f->buf, fi.ip_end, &fi);
		m->c.tx_csum++;
		tx_out(m, f->buf, f->len);
		return UVNIC_STAT_DONE;
	}
	if (fi.proto != UVNIC_IPPROTO_TCP) {
		mlog(m, "TX descriptor %u: TSO on a UDP frame: DONE|ERR_OFFLOAD", idx);
		goto bad;
	}
	if (!mss) {
		mlog(m, "TX descriptor %u: TSO with mss 0: DONE|ERR_OFFLOAD", idx);
		goto bad;
	}
	if (fi.hdr_len + (uint32_t)mss > m->max_frame) {
		mlog(m, "TX descriptor %u: TSO mss %u: %u bytes of headers + mss above MAX_FRAME %u: DONE|ERR_OFFLOAD",
		     idx, mss, fi.hdr_len, m->max_frame);
		goto bad;
	}
	tx_tso(m, f->buf, fi.ip_end, &fi, mss);
	return UVNIC_STAT_DONE;
bad:
	m->c.tx_offload_errors++;
	return UVNIC_STAT_DONE | UVNIC_STAT_ERR_OFFLOAD;
}

/*
 * One batch: the whole frames among the next UVNIC_MODEL_BATCH handed-over
 * descriptors from HEAD (at most @max descriptors, but at least one
 * frame; and as many as fit in the arena). Their buffers are read
 * together (one wait, not one per frame), then the frames go out
 * (cfg.tx_flush) before the batch completes: the write-back and the MSI
 * then leave with the batch's one sync, as the last thing before the
 * caller can answer the register read the MSI's handler is likely to make.
 * Returns descriptors done, or a fatal error.
 */
static int tx_batch(struct uvnic_model *m, uint32_t max)
{
	struct uvnic_ring *r = &m->tx;
	uint32_t head = r->head, gen = r->gen, n, i, k, c, nf = 0, nvec = 0;
	uint32_t done = 0, used = 0, causes = 0;
	struct uvpci_dma_vec vec[UVNIC_MODEL_BATCH];
	uint8_t vf[UVNIC_MODEL_BATCH];	/* vec[k] belongs to frame fr[vf[k]] */
	struct tx_frame fr[UVNIC_MODEL_BATCH];
	bool too_long, sent = false;
	int err;

	n = (r->tail - head) & ring_mask(r);
	if (n > UVNIC_MODEL_BATCH)
		n = UVNIC_MODEL_BATCH;
	err = tx_read_descs(m, head, n);
	if (err)
		return err == -EFAULT ? 0 : err;

	for (i = 0; i < n; i += c) {
		struct tx_frame *f = &fr[nf];
		uint8_t *p;

		c = tx_frame_descs(m, i, n, &too_long);
		if (!c || (nf && done + c > max))
			break;
		f->first = i;
		f->n = c;
		f->buf = NULL;
		f->st = tx_check(m, head, f, too_long);
		if (!f->st) {
			if (nf && used + room(f->len) > TX_ARENA)
				break;	/* the next batch's first frame */
			f->buf = m->txbuf + used;
			used += room(f->len);
			for (k = 0, p = f->buf; k < c; k++) {
				const struct uvnic_desc *d = &m->txd[i + k];

				vec[nvec].addr = le64toh(d->addr);
				vec[nvec].buf = p;
				vec[nvec].len = le16toh(d->len);
				p += vec[nvec].len;
				vf[nvec++] = (uint8_t)nf;
			}
		}
		done += c;
		nf++;
	}
	if (!nf) {
		/* A frame TAIL does not cover yet: wait for the next TAIL write. */
		r->wait = true;
		return 0;
	}

	err = nvec ? tx_read(m, head, vec, vf, nvec, fr) : 0;
	if (!err)
		err = serve_host(m);
	if (err)
		return err;
	if (r->gen != gen)
		return 0;	/* the driver stopped or reset the ring meanwhile */

	m->seg_used = 0;
	for (i = 0; i < nf; i++) {
		if (fr[i].st)
			continue;
		fr[i].st = tx_send(m, head, &fr[i]);
		sent = true;
	}
	if (sent && m->cfg.tx_flush)
		m->cfg.tx_flush(m->cfg.opaque);

	for (i = 0; i < nf; i++) {
		if (fr[i].st != UVNIC_STAT_DONE) {
			m->c.tx_errors++;
			causes |= UVNIC_INT_ERROR;
		}
		for (k = fr[i].first; k < fr[i].first + fr[i].n; k++) {
			struct uvnic_desc *d = &m->txd[k];

			if (le16toh(d->flags) & UVNIC_DESC_IRQ)
				causes |= UVNIC_INT_TX;
			d->status = htole16(fr[i].st);
		}
	}

	/* Write-back, MSI, sync: one doorbell (the sync rings it). */
	err = ring_post(m, r, head, m->txd, done);
	if (!err && causes)
		err = latch(m, causes);
	if (!err)
		err = dma_sync(m);
	if (err && !uvnic_model_fatal(err))
		err = ring_verify(m, r, head, m->txd, done);
	if (!err)
		r->head = (head + done) & ring_mask(r);
	if (err == -EFAULT)
		return 0;	/* ring fault: the ring is stopped, the frames went out */
	if (err)
		return err;
	m->c.tx_batches++;
	return done;
}

int uvnic_model_tx_work(struct uvnic_model *m, unsigned int budget)
{
	struct uvnic_ring *r = &m->tx;
	unsigned int done = 0;
	int n = 0;

	uvpci_device_batch_begin(m->dev);
	while (!m->fatal && r->on && r->head != r->tail && !r->wait &&
	       done < budget) {
		n = tx_batch(m, budget - done < UVNIC_MODEL_BATCH ?
			     budget - done : UVNIC_MODEL_BATCH);
		if (n <= 0)
			break;
		done += n;
	}
	if (uvnic_model_fatal(check_fatal(m, uvpci_device_batch_end(m->dev))))
		return m->fatal;
	if (n < 0)
		return n;
	return m->fatal ? m->fatal : (int)done;
}

/* ------------------------------------------------------------------ */
/* Receive                                                             */
/* ------------------------------------------------------------------ */

bool uvnic_model_rx_enabled(const struct uvnic_model *m)
{
	return m->rx.on && !m->fatal;
}

unsigned int uvnic_model_rx_avail(const struct uvnic_model *m)
{
	const struct uvnic_ring *r = &m->rx;

	if (!uvnic_model_rx_enabled(m))
		return 0;
	return (r->c_n - r->c_used) + ((r->tail - r->fetch) & ring_mask(r));
}

/*
 * Complete the descriptors that took frames since the last completion:
 * their data and the len write-back (status still 0) are checked with one
 * sync; then the status write-back and the MSI are queued, for the
 * doorbell that ends the burst (or the next wait). Returns how many, or a
 * fatal error.
 */
static int rx_complete(struct uvnic_model *m)
{
	struct uvnic_ring *r = &m->rx;
	uint32_t from = r->c_done, to = r->c_used, i, causes = 0;
	uint32_t idx = r->c_first + from;
	int err;

	if (from == to)
		return 0;
	/* len first (status still 0), then status: uvnic(4)'s order. */
	for (i = from; i < to; i++) {
		m->rxd[i].len = htole16(m->rx_len[i]);
		m->rxd[i].status = 0;
	}
	err = ring_post(m, r, idx, &m->rxd[from], to - from);
	if (!err)
		err = dma_sync(m);
	if (uvnic_model_fatal(err))
		return err;
	if (err) {
		/* Something was refused: each buffer again, alone, to find it. */
		for (i = from; i < to; i++) {
			uint64_t addr = le64toh(m->rxd[i].addr);
			int e;

			if (!m->rx_len[i])
				continue;
			e = check_fatal(m, uvpci_dma_write(m->dev, addr,
					m->rxbuf + (size_t)i * SLOT_SIZE, m->rx_len[i]));
			if (!e)
				e = dma_sync(m);
			if (uvnic_model_fatal(e))
				return e;
			if (!e)
				continue;
			m->c.dma_errors++;
			mlog(m, "RX descriptor %u: buffer %#llx (%u bytes) refused by the host (%s): DONE|ERR_ADDR",
			     (r->c_first + i) & ring_mask(r),
			     (unsigned long long)addr, m->rx_len[i], strerror(-e));
			m->rx_len[i] = 0;
			m->rxd[i].len = 0;
			m->rx_status[i] = UVNIC_STAT_DONE | UVNIC_STAT_ERR_ADDR;
		}
		err = ring_verify(m, r, idx, &m->rxd[from], to - from);
		if (err)
			return err == -EFAULT ? 0 : err;
	}

	for (i = from; i < to; i++) {
		m->rxd[i].status = htole16(m->rx_status[i]);
		if (le16toh(m->rxd[i].flags) & UVNIC_DESC_IRQ)
			causes |= UVNIC_INT_RX;
		if (m->rx_status[i] != UVNIC_STAT_DONE) {
			m->c.rx_errors++;
			causes |= UVNIC_INT_ERROR;
		} else {
			m->c.rx_packets++;
			m->c.rx_bytes += m->rx_len[i];
		}
	}
	/* The len write-back went through: so does this one, to the same place. */
	err = ring_post(m, r, idx, &m->rxd[from], to - from);
	if (err)
		return err;
	r->c_done = to;
	r->head = (r->c_first + to) & ring_mask(r);
	if (causes) {
		err = latch(m, causes);
		if (err)
			return err;
	}
	return to - from;
}

/* Read ahead the next run of handed-over RX descriptors. Returns how many. */
static int rx_refill(struct uvnic_model *m)
{
	struct uvnic_ring *r = &m->rx;
	uint32_t n = (r->tail - r->fetch) & ring_mask(r);
	uint64_t addr = r->base + (uint64_t)r->fetch * DESC_SIZE;
	int err;

	if (!n)
		return 0;
	if (n > r->len - r->fetch)
		n = r->len - r->fetch;
	if (n > UVNIC_MODEL_BATCH)
		n = UVNIC_MODEL_BATCH;
	m->c.desc_reads++;
	err = uvpci_dma_read(m->dev, addr, m->rxd, n * DESC_SIZE);
	if (err) {
		if (uvnic_model_fatal(check_fatal(m, err)))
			return err;
		ring_fault(m, r, "descriptor read", addr, n * DESC_SIZE, err);
		return 0;
	}
	r->c_first = r->fetch;
	r->c_n = n;
	r->c_used = r->c_done = 0;
	r->fetch = (r->fetch + n) & ring_mask(r);
	return n;
}

int uvnic_model_rx(struct uvnic_model *m, const void *frame, size_t len)
{
	struct uvnic_ring *r = &m->rx;
	size_t wire = len < UVNIC_MIN_FRAME ? UVNIC_MIN_FRAME : len;
	struct uvnic_desc *d;
	uint32_t i, size;
	uint8_t *slot;
	int err;

	if (m->fatal)
		return m->fatal;
	if (!r->on) {
		m->c.rx_down++;
		return -ENETDOWN;
	}
	/* Posted requests wait for the burst's doorbell (uvnic_model_rx_flush()). */
	if (!m->rx_batch) {
		uvpci_device_batch_begin(m->dev);
		m->rx_batch = true;
	}
	if (len > m->max_frame) {
		m->c.rx_errors++;
		mlog(m, "RX frame of %zu bytes is longer than MAX_FRAME %u: dropped",
		     len, m->max_frame);
		return -EMSGSIZE;
	}
	if (r->c_used == r->c_n) {
		err = rx_complete(m);
		if (err < 0)
			return err;
		if (!r->on) {
			m->c.rx_down++;
			return -ENETDOWN;
		}
		err = rx_refill(m);
		if (err < 0)
			return err;
		if (!err) {
			if (!r->on) {
				m->c.rx_down++;
				return -ENETDOWN;
			}
			m->c.rx_no_desc++;
			return -ENOBUFS;
		}
	}

	i = r->c_used++;
	d = &m->rxd[i];
	size = le16toh(d->len);
	m->rx_len[i] = 0;
	if (size < wire) {
		mlog(m, "RX descriptor %u: buffer of %u bytes too small for a %zu-byte frame: DONE|ERR_LEN",
		     (r->c_first + i) & ring_mask(r), size, wire);
		m->rx_status[i] = UVNIC_STAT_DONE | UVNIC_STAT_ERR_LEN;
		return 0;
	}
	slot = m->rxbuf + (size_t)i * SLOT_SIZE;
	memcpy(slot, frame, len);
	if (wire > len)
		memset(slot + len, 0, wire - len);
	err = check_fatal(m, uvpci_dma_write(m->dev, le64toh(d->addr), slot, wire));
	if (uvnic_model_fatal(err))
		return err;
	if (err) {
		m->c.dma_errors++;
		mlog(m, "RX descriptor %u: buffer %#llx refused (%s): DONE|ERR_ADDR",
		     (r->c_first + i) & ring_mask(r),
		     (unsigned long long)le64toh(d->addr), strerror(-err));
		m->rx_status[i] = UVNIC_STAT_DONE | UVNIC_STAT_ERR_ADDR;
		return 0;
	}
	m->rx_len[i] = wire;
	m->rx_status[i] = UVNIC_STAT_DONE;
	return 0;
}

int uvnic_model_rx_flush(struct uvnic_model *m)
{
	int n, err;

	if (m->fatal)
		return m->fatal;
	n = rx_complete(m);
	if (n > 0)
		m->c.rx_batches++;
	if (m->rx_batch) {
		m->rx_batch = false;
		err = check_fatal(m, uvpci_device_batch_end(m->dev));
		if (uvnic_model_fatal(err))
			return err;
	}
	return n;
}
