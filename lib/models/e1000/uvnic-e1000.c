// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * uvnic-e1000.c - the Intel 82540EM model (see uvnic-e1000.h and
 * uvpci-e1000(8)). Written from the 8254x programming model as Linux's
 * e1000 driver uses it: registers are a plain register file except those
 * with side effects, handled in reg_read()/reg_write().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uvnic-e1000.h"
#include "uvnic-offload.h"

/* Registers (byte offsets in BAR 0) */
#define CTRL		0x0000
#define STATUS		0x0008
#define EECD		0x0010
#define EERD		0x0014
#define MDIC		0x0020
#define ICR		0x00c0
#define ITR		0x00c4
#define ICS		0x00c8
#define IMS		0x00d0
#define IMC		0x00d8
#define RCTL		0x0100
#define TCTL		0x0400
#define PBA		0x1000
#define RDBAL		0x2800
#define RDBAH		0x2804
#define RDLEN		0x2808
#define RDH		0x2810
#define RDT		0x2818
#define TDBAL		0x3800
#define TDBAH		0x3804
#define TDLEN		0x3808
#define TDH		0x3810
#define TDT		0x3818
#define STATS_FIRST	0x4000
#define STATS_LAST	0x40fc
#define MPC		0x4010
#define PRC64		0x405c
#define GPRC		0x4074
#define BPRC		0x4078
#define MPRC		0x407c
#define GPTC		0x4080
#define GORCL		0x4088
#define GOTCL		0x4090
#define RNBC		0x40a0
#define ROC		0x40ac
#define TORL		0x40c0
#define TOTL		0x40c8
#define TPR		0x40d0
#define TPT		0x40d4
#define PTC64		0x40d8
#define MPTC		0x40f0
#define BPTC		0x40f4
#define TSCTC		0x40f8
#define MTA		0x5200
#define RA		0x5400
#define VET		0x0038

#define CTRL_SLU	(1u << 6)
#define CTRL_SPD_1000	(1u << 9)
#define CTRL_RST	(1u << 26)
#define CTRL_VME	(1u << 30)
#define CTRL_PHY_RST	(1u << 31)

#define STATUS_FD	(1u << 0)
#define STATUS_LU	(1u << 1)
#define STATUS_SPEED_1000 (1u << 7)

#define EECD_SK		(1u << 0)
#define EECD_CS		(1u << 1)
#define EECD_DI		(1u << 2)
#define EECD_DO		(1u << 3)
#define EECD_REQ	(1u << 6)
#define EECD_GNT	(1u << 7)
#define EECD_PRES	(1u << 8)
#define EECD_KEEP	(EECD_SK | EECD_CS | EECD_DI | EECD_REQ | 0x30)

#define EERD_START	(1u << 0)
#define EERD_DONE	(1u << 4)

#define MDIC_OP_WRITE	(1u << 26)
#define MDIC_OP_READ	(2u << 26)
#define MDIC_READY	(1u << 28)
#define MDIC_INT_EN	(1u << 29)
#define MDIC_ERROR	(1u << 30)

#define ICR_TXDW	(1u << 0)
#define ICR_TXQE	(1u << 1)
#define ICR_LSC		(1u << 2)
#define ICR_RXDMT0	(1u << 4)
#define ICR_RXO		(1u << 6)
#define ICR_RXT0	(1u << 7)
#define ICR_MDAC	(1u << 9)
#define ICR_ASSERTED	(1u << 31)

#define RCTL_EN		(1u << 1)
#define RCTL_UPE	(1u << 3)
#define RCTL_MPE	(1u << 4)
#define RCTL_LPE	(1u << 5)
#define RCTL_BAM	(1u << 15)
#define RCTL_BSEX	(1u << 25)
#define RCTL_SECRC	(1u << 26)

#define TCTL_EN		(1u << 1)
#define TCTL_PSP	(1u << 3)

/* TX descriptor: the dword at 8 (length, DTYP, command) */
#define TXD_EOP		(1u << 24)
#define TXD_IC		(1u << 26)	/* legacy: insert checksum */
#define TXD_TSE		(1u << 26)	/* data: TCP segmentation */
#define TXD_RS		(1u << 27)
#define TXD_RPS		(1u << 28)
#define TXD_DEXT	(1u << 29)
#define TXD_VLE		(1u << 30)
#define TXD_DTYP_D	(1u << 20)
#define TXD_TCP		(1u << 24)	/* context: TUCMD.TCP */
#define TXD_IP		(1u << 25)	/* context: TUCMD.IP (IPv4) */
#define POPTS_IXSM	0x01
#define POPTS_TXSM	0x02

/* RX descriptor status */
#define RXD_DD		0x01
#define RXD_EOP		0x02
#define RXD_IXSM	0x04
#define RXD_VP		0x08

/* PHY (M88E1011) registers and bits */
#define PHY_CTRL	0
#define PHY_STATUS	1
#define PHY_ID1		2
#define PHY_ID2		3
#define PHY_LP		5
#define PHY_EXP		6
#define PHY_1000T_STATUS 10
#define PHY_EXT_STATUS	15
#define M88_SPEC_STATUS	17
#define MII_CR_RESTART_AN 0x0200
#define MII_CR_RESET	0x8000
#define MII_SR_LINK	0x0004
#define MII_SR_AN_DONE	0x0020

#define EE_WORDS	64
#define EE_CHECKSUM	0xbaba
#define NUM_RA		16
#define TX_MAX		65536		/* the largest frame the driver may queue */
#define DESC		16

struct uvnic_e1000 {
	struct uvpci_device *dev;
	struct uvnic_e1000_config cfg;
	int io_bar;			/* the I/O BAR, or -1 */
	uint32_t regs[UVNIC_E1000_BAR0_SIZE / 4];
	uint32_t ioaddr;
	uint16_t phy[32];
	uint16_t eeprom[EE_WORDS];
	bool link;
	bool pin;			/* INTx asserted */
	int err;			/* fatal */
	/* Microwire state */
	unsigned int ee_bits;		/* bits clocked in since CS rose */
	uint32_t ee_in;
	bool ee_reading;
	unsigned int ee_addr, ee_out;	/* word being shifted out, next bit */
	bool ee_do;
	/* TX: the frame being gathered, and the last context */
	uint8_t tx[TX_MAX + 4];
	size_t tx_len;
	bool tx_drop;			/* a bad descriptor: drop to EOP */
	struct {
		uint8_t ipcss, ipcso, tucss, tucso;
		uint16_t ipcse, tucse, mss;
		uint8_t hdr_len;
		uint32_t cmd;
	} ctx;
	uint8_t seg[TX_MAX + 4];
	uint8_t rx[TX_MAX + 8];
	uint32_t crc_table[256];
	struct uvnic_e1000_counters cnt;
};

static void mlog(struct uvnic_e1000 *m, const char *fmt, ...)
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

/* A DMA error: the driver's fault (counted) or the device's end (fatal). */
static bool dma_failed(struct uvnic_e1000 *m, int rc, const char *what)
{
	if (!rc)
		return false;
	if (rc == -ENODEV || rc == -EPIPE || rc == -ETIMEDOUT || rc == -ENOMEM) {
		if (!m->err)
			m->err = rc;
	} else {
		m->cnt.tx_errors++;
		mlog(m, "%s: DMA refused (%s)", what, strerror(-rc));
	}
	return true;
}

static uint32_t *reg(struct uvnic_e1000 *m, uint32_t off)
{
	return &m->regs[off / 4];
}

static void update_irq(struct uvnic_e1000 *m)
{
	bool level = (*reg(m, ICR) & *reg(m, IMS)) != 0;
	int rc;

	if (level == m->pin)
		return;
	m->pin = level;
	if (level)
		m->cnt.irqs++;
	rc = uvpci_intx_set(m->dev, level);
	if (rc && !m->err && rc != -EPERM)
		m->err = rc;
}

static void raise_icr(struct uvnic_e1000 *m, uint32_t cause)
{
	*reg(m, ICR) |= cause;
	update_irq(m);
}

static void stat_add(struct uvnic_e1000 *m, uint32_t off, uint32_t n)
{
	*reg(m, off) += n;
}

/* A 64-bit statistics pair (low, then high). */
static void stat_add64(struct uvnic_e1000 *m, uint32_t off, uint64_t n)
{
	uint64_t v = *reg(m, off) | (uint64_t)*reg(m, off + 4) << 32;

	v += n;
	*reg(m, off) = (uint32_t)v;
	*reg(m, off + 4) = (uint32_t)(v >> 32);
}

/* The packet size buckets: 64, 65-127, 128-255, 256-511, 512-1023, 1024+. */
static void stat_size(struct uvnic_e1000 *m, uint32_t base, size_t len)
{
	unsigned int b = len <= 64 ? 0 : len < 128 ? 1 : len < 256 ? 2 :
			 len < 512 ? 3 : len < 1024 ? 4 : 5;

	stat_add(m, base + 4 * b, 1);
}

/* The statistics registers of one direction of a frame. */
struct frame_stats {
	uint32_t good, total, octets_good, octets_total, size64, multi, bcast;
};

static const struct frame_stats tx_stats = {
	GPTC, TPT, GOTCL, TOTL, PTC64, MPTC, BPTC,
};

static const struct frame_stats rx_stats = {
	GPRC, TPR, GORCL, TORL, PRC64, MPRC, BPRC,
};

/* Count frame @f (its first bytes) of @wire bytes with its FCS. */
static void stat_frame(struct uvnic_e1000 *m, const struct frame_stats *s,
		       const uint8_t *f, size_t wire)
{
	stat_add(m, s->good, 1);
	stat_add(m, s->total, 1);
	stat_add64(m, s->octets_good, wire);
	stat_add64(m, s->octets_total, wire);
	stat_size(m, s->size64, wire);
	if (f[0] & 1)
		stat_add(m, memcmp(f, "\xff\xff\xff\xff\xff\xff", 6) ? s->multi : s->bcast, 1);
}

/* ------------------------------------------------------------------ */
/* PHY and EEPROM                                                      */
/* ------------------------------------------------------------------ */

static void phy_link(struct uvnic_e1000 *m)
{
	if (m->link) {
		m->phy[PHY_STATUS] |= MII_SR_LINK | MII_SR_AN_DONE;
		m->phy[M88_SPEC_STATUS] = 0xac00;	/* 1000, full, resolved, link */
	} else {
		m->phy[PHY_STATUS] &= ~(MII_SR_LINK | MII_SR_AN_DONE);
		m->phy[M88_SPEC_STATUS] = 0;
	}
}

static void phy_reset(struct uvnic_e1000 *m)
{
	memset(m->phy, 0, sizeof(m->phy));
	m->phy[PHY_CTRL] = 0x1140;		/* autoneg on, full duplex, 1000 */
	m->phy[PHY_STATUS] = 0x7949;		/* 10/100 capable, ext. status, autoneg */
	m->phy[PHY_ID1] = 0x0141;		/* M88E1011 */
	m->phy[PHY_ID2] = 0x0c20;
	m->phy[4] = 0x01e1;			/* autoneg advertisement */
	m->phy[PHY_LP] = 0x41e1;		/* link partner: 10/100, ack */
	m->phy[PHY_EXP] = 0x0001;
	m->phy[9] = 0x0e00;			/* 1000BASE-T control */
	m->phy[PHY_1000T_STATUS] = 0x3c00;	/* partner: 1000 full/half */
	m->phy[PHY_EXT_STATUS] = 0x3000;	/* 1000BASE-T full/half */
	m->phy[16] = 0x0360;			/* M88 specific control */
	m->phy[20] = 0x0d60;			/* M88 extended specific control */
	phy_link(m);
}

static uint16_t phy_read(struct uvnic_e1000 *m, unsigned int r)
{
	return m->phy[r & 31];
}

static void phy_write(struct uvnic_e1000 *m, unsigned int r, uint16_t v)
{
	switch (r) {
	case PHY_CTRL:
		/* Reset and autoneg restart are done at once and self-clear. */
		if (v & MII_CR_RESET) {
			phy_reset(m);
			return;
		}
		m->phy[r] = v & ~MII_CR_RESTART_AN;
		phy_link(m);
		return;
	case PHY_STATUS: case PHY_ID1: case PHY_ID2: case PHY_LP: case PHY_EXP:
	case PHY_1000T_STATUS: case PHY_EXT_STATUS: case M88_SPEC_STATUS:
		return;		/* read-only */
	default:
		m->phy[r & 31] = v;
	}
}

static void mdic_write(struct uvnic_e1000 *m, uint32_t v)
{
	unsigned int phyaddr = (v >> 21) & 31, r = (v >> 16) & 31;
	uint32_t op = v & (3u << 26);

	v &= ~(MDIC_READY | MDIC_ERROR);
	if (phyaddr != 1 || (op != MDIC_OP_READ && op != MDIC_OP_WRITE)) {
		v |= MDIC_ERROR;
	} else if (op == MDIC_OP_READ) {
		v = (v & ~0xffffu) | phy_read(m, r);
	} else {
		phy_write(m, r, (uint16_t)v);
	}
	*reg(m, MDIC) = v | MDIC_READY;
	if (v & MDIC_INT_EN)
		raise_icr(m, ICR_MDAC);
}

static void eeprom_init(struct uvnic_e1000 *m)
{
	uint16_t sum = 0;
	unsigned int i;

	memset(m->eeprom, 0, sizeof(m->eeprom));
	for (i = 0; i < 3; i++)
		m->eeprom[i] = (uint16_t)(m->cfg.mac[2 * i] | m->cfg.mac[2 * i + 1] << 8);
	m->eeprom[0x04] = 0xffff;		/* ID LEDs: the defaults */
	m->eeprom[0x0a] = 0x4408;		/* init control 1 */
	m->eeprom[0x0b] = UVNIC_E1000_DEVICE;	/* subsystem */
	m->eeprom[0x0c] = UVNIC_E1000_VENDOR;
	m->eeprom[0x0d] = UVNIC_E1000_DEVICE;
	m->eeprom[0x0e] = UVNIC_E1000_VENDOR;
	m->eeprom[0x0f] = 0x0000;		/* init control 2: no pause frames */
	for (i = 0; i < EE_WORDS - 1; i++)
		sum = (uint16_t)(sum + m->eeprom[i]);
	m->eeprom[EE_WORDS - 1] = (uint16_t)(EE_CHECKSUM - sum);
}

/*
 * Microwire, bit-banged: with CS high, DI is sampled on each rising edge of
 * SK: a start bit and the READ opcode (110), then 6 address bits; then each
 * rising edge puts the next data bit (MSB first) on DO. Dropping CS ends it.
 */
static void eecd_write(struct uvnic_e1000 *m, uint32_t v)
{
	uint32_t old = *reg(m, EECD);

	*reg(m, EECD) = v & EECD_KEEP;
	if (!(v & EECD_CS)) {
		m->ee_bits = 0;
		m->ee_in = 0;
		m->ee_reading = false;
		m->ee_do = false;
		return;
	}
	if (!(v & EECD_SK) || (old & EECD_SK))
		return;		/* not a rising edge */
	if (m->ee_reading) {
		m->ee_do = (m->eeprom[m->ee_addr % EE_WORDS] >> (15 - m->ee_out)) & 1;
		if (++m->ee_out == 16) {	/* sequential read: the next word */
			m->ee_out = 0;
			m->ee_addr++;
		}
		return;
	}
	m->ee_in = m->ee_in << 1 | !!(v & EECD_DI);
	if (++m->ee_bits == 3 + 6) {
		if ((m->ee_in >> 6) == 0x6) {
			m->ee_reading = true;
			m->ee_addr = m->ee_in & 0x3f;
			m->ee_out = 0;
		}
		m->ee_do = false;
	}
}

/* ------------------------------------------------------------------ */
/* Registers                                                           */
/* ------------------------------------------------------------------ */

static void reset(struct uvnic_e1000 *m)
{
	memset(m->regs, 0, sizeof(m->regs));
	*reg(m, CTRL) = CTRL_SLU | CTRL_SPD_1000;
	*reg(m, PBA) = 0x00100030;
	*reg(m, VET) = 0x8100;
	*reg(m, EECD) = 0;
	/* RA[0] is loaded from the EEPROM, valid. */
	*reg(m, RA) = (uint32_t)m->cfg.mac[0] | m->cfg.mac[1] << 8 |
		      m->cfg.mac[2] << 16 | (uint32_t)m->cfg.mac[3] << 24;
	*reg(m, RA + 4) = (uint32_t)m->cfg.mac[4] | m->cfg.mac[5] << 8 | 1u << 31;
	m->ee_bits = 0;
	m->ee_reading = false;
	m->ee_do = false;
	m->tx_len = 0;
	m->tx_drop = false;
	memset(&m->ctx, 0, sizeof(m->ctx));
	update_irq(m);
}

static uint32_t reg_read(struct uvnic_e1000 *m, uint32_t off)
{
	uint32_t v;

	switch (off) {
	case STATUS:
		return (m->link ? STATUS_LU | STATUS_FD | STATUS_SPEED_1000 : 0);
	case EECD:
		v = *reg(m, EECD) | EECD_PRES;
		if (v & EECD_REQ)
			v |= EECD_GNT;
		if (m->ee_do)
			v |= EECD_DO;
		return v;
	case ICR:
		v = *reg(m, ICR);
		*reg(m, ICR) = 0;
		update_irq(m);
		return v ? v | ICR_ASSERTED : 0;
	case ICS:
	case IMC:
		return 0;	/* write-only */
	}
	if (off >= STATS_FIRST && off <= STATS_LAST) {
		v = *reg(m, off);
		*reg(m, off) = 0;	/* read-to-clear */
		return v;
	}
	return *reg(m, off);
}

static void reg_write(struct uvnic_e1000 *m, uint32_t off, uint32_t v)
{
	uint32_t n;

	switch (off) {
	case CTRL:
		if (v & CTRL_RST) {
			m->cnt.resets++;
			reset(m);
			return;
		}
		*reg(m, CTRL) = v;
		return;
	case STATUS:
		return;
	case EECD:
		eecd_write(m, v);
		return;
	case EERD:
		if (v & EERD_START) {
			n = (v >> 8) & 0xff;
			*reg(m, EERD) = (uint32_t)m->eeprom[n % EE_WORDS] << 16 |
					n << 8 | EERD_DONE;
		}
		return;
	case MDIC:
		mdic_write(m, v);
		return;
	case ICR:
		*reg(m, ICR) &= ~v;	/* write 1 to clear */
		update_irq(m);
		return;
	case ICS:
		raise_icr(m, v);
		return;
	case IMS:
		*reg(m, IMS) |= v;
		update_irq(m);
		return;
	case IMC:
		*reg(m, IMS) &= ~v;
		update_irq(m);
		return;
	case RDLEN:
	case TDLEN:
		*reg(m, off) = v & 0xfff80;
		return;
	case RDH: case RDT: case TDH: case TDT:
		*reg(m, off) = v & 0xffff;
		return;
	}
	if (off >= STATS_FIRST && off <= STATS_LAST)
		return;		/* read-only */
	*reg(m, off) = v;
}

static uint64_t mmio_read(void *opaque, unsigned int bar, uint64_t offset,
			  unsigned int size)
{
	struct uvnic_e1000 *m = opaque;
	uint32_t off = (uint32_t)offset, v;

	if ((int)bar == m->io_bar) {
		if (off < 4)
			v = m->ioaddr;
		else if (off < 8)
			v = m->ioaddr < UVNIC_E1000_BAR0_SIZE ? reg_read(m, m->ioaddr & ~3u) : 0;
		else
			return 0;
		return v >> (8 * (off & 3));
	}
	if (bar != 0 || offset >= UVNIC_E1000_BAR0_SIZE)
		return ~0ull;
	if (size == 8)
		return reg_read(m, off) | (uint64_t)reg_read(m, off + 4) << 32;
	return reg_read(m, off & ~3u) >> (8 * (off & 3));
}

/* A write narrower than the register: merged into what it holds. */
static uint32_t merge(uint32_t old, uint32_t off, unsigned int size, uint64_t value)
{
	unsigned int sh = 8 * (off & 3);
	uint32_t mask = size >= 4 ? ~0u : ((1u << (8 * size)) - 1) << sh;

	return (old & ~mask) | ((uint32_t)(value << sh) & mask);
}

static void mmio_write(void *opaque, unsigned int bar, uint64_t offset,
		       unsigned int size, uint64_t value)
{
	struct uvnic_e1000 *m = opaque;
	uint32_t off = (uint32_t)offset;

	if ((int)bar == m->io_bar) {
		if (off < 4)
			m->ioaddr = merge(m->ioaddr, off, size, value);
		else if (off < 8 && m->ioaddr < UVNIC_E1000_BAR0_SIZE)
			reg_write(m, m->ioaddr & ~3u,
				  merge(*reg(m, m->ioaddr & ~3u), off, size, value));
		return;
	}
	if (bar != 0 || offset >= UVNIC_E1000_BAR0_SIZE)
		return;
	if (size == 8) {
		reg_write(m, off, (uint32_t)value);
		reg_write(m, off + 4, (uint32_t)(value >> 32));
		return;
	}
	reg_write(m, off & ~3u, merge(*reg(m, off & ~3u), off, size, value));
}

const struct uvpci_device_ops uvnic_e1000_device_ops = {
	.mmio_read = mmio_read,
	.mmio_write = mmio_write,
};

/* ------------------------------------------------------------------ */
/* Transmit                                                            */
/* ------------------------------------------------------------------ */

static unsigned int ring_size(const struct uvnic_e1000 *m, uint32_t len_reg)
{
	return m->regs[len_reg / 4] / DESC;
}

bool uvnic_e1000_tx_pending(const struct uvnic_e1000 *m)
{
	unsigned int n = ring_size(m, TDLEN);

	return (m->regs[TCTL / 4] & TCTL_EN) && n &&
	       m->regs[TDH / 4] != m->regs[TDT / 4] &&
	       m->regs[TDH / 4] < n && m->regs[TDT / 4] < n;
}

/* Insert the 16-bit ones' complement sum of [css, cse] at cso. */
static void insert_csum(uint8_t *f, size_t len, unsigned int css, unsigned int cso,
			unsigned int cse)
{
	size_t end = cse ? (size_t)cse + 1 : len;
	uint16_t c;

	if (end > len || css >= end || cso + 2 > len)
		return;
	c = uvnic_csum_final(uvnic_csum_sum(f + css, end - css));
	uvnic_put_be16(f + cso, c);
}

static void tx_send(struct uvnic_e1000 *m, uint8_t *f, size_t len, bool vle,
		    uint16_t vlan)
{
	size_t wire;

	if (vle) {
		/* The tag goes after the addresses, as VET says. */
		memmove(f + 16, f + 12, len - 12);
		uvnic_put_be16(f + 12, (uint16_t)*reg(m, VET));
		uvnic_put_be16(f + 14, vlan);
		len += 4;
	}
	if (len < 60 && (*reg(m, TCTL) & TCTL_PSP)) {
		memset(f + len, 0, 60 - len);
		len = 60;
	}
	wire = len + 4;		/* and the FCS */
	stat_frame(m, &tx_stats, f, wire);
	m->cnt.tx_frames++;
	m->cfg.tx(m->cfg.opaque, f, len);
}

/* The frame gathered up to EOP: offloads as the descriptors asked. */
static void tx_frame(struct uvnic_e1000 *m, uint32_t cmd, uint8_t popts,
		     uint16_t special, bool legacy, uint8_t css, uint8_t cso)
{
	uint8_t *f = m->tx;
	size_t len = m->tx_len;
	bool vle = cmd & TXD_VLE;

	if (len < 14) {
		m->cnt.tx_errors++;
		mlog(m, "TX: a %zu-byte frame: dropped", len);
		return;
	}
	if (legacy) {
		if (cmd & TXD_IC)
			insert_csum(f, len, css, cso, 0);
		tx_send(m, f, len, vle, special);
		return;
	}
	if (cmd & TXD_TSE) {
		struct uvnic_frame_info fi = {
			.l3 = m->ctx.ipcss, .l4 = m->ctx.tucss, .hdr_len = m->ctx.hdr_len,
			.ip_end = (uint32_t)len,
			.proto = (m->ctx.cmd & TXD_TCP) ? UVNIC_IPPROTO_TCP : UVNIC_IPPROTO_UDP,
			.ipv6 = !(m->ctx.cmd & TXD_IP),
		};
		unsigned int i, mss = m->ctx.mss;
		size_t n;

		if (!mss || fi.proto != UVNIC_IPPROTO_TCP || fi.hdr_len >= len ||
		    fi.l4 >= fi.hdr_len || fi.l3 >= fi.l4 || fi.hdr_len + mss > 9216) {
			m->cnt.tx_errors++;
			mlog(m, "TX: bad TSO context (hdr_len %u, mss %u, len %zu)",
			     fi.hdr_len, mss, len);
			return;
		}
		m->cnt.tx_tso++;
		stat_add(m, TSCTC, 1);
		for (i = 0; (n = uvnic_tso_segment(f, len, &fi, mss, i, m->seg)); i++)
			tx_send(m, m->seg, n, vle, special);
		return;
	}
	if (popts & POPTS_IXSM)
		insert_csum(f, len, m->ctx.ipcss, m->ctx.ipcso, m->ctx.ipcse);
	if (popts & POPTS_TXSM)
		insert_csum(f, len, m->ctx.tucss, m->ctx.tucso, m->ctx.tucse);
	tx_send(m, f, len, vle, special);
}

int uvnic_e1000_tx_work(struct uvnic_e1000 *m, unsigned int budget)
{
	uint64_t base = (uint64_t)*reg(m, TDBAH) << 32 | *reg(m, TDBAL);
	unsigned int n = ring_size(m, TDLEN), done = 0;
	uint8_t d[DESC];
	bool wrote = false;

	while (done < budget && uvnic_e1000_tx_pending(m)) {
		uint32_t h = *reg(m, TDH), lower, cmd, len;
		uint64_t addr;
		bool legacy, eop;
		int rc;

		rc = uvpci_dma_read(m->dev, base + (uint64_t)h * DESC, d, DESC);
		if (dma_failed(m, rc, "TX descriptor"))
			return m->err ? m->err : (int)done;
		memcpy(&addr, d, 8);
		memcpy(&lower, d + 8, 4);
		cmd = lower & 0xff000000u;
		legacy = !(cmd & TXD_DEXT);
		if (!legacy && !(lower & TXD_DTYP_D)) {
			/* A context descriptor: offsets for what follows. */
			m->ctx.ipcss = d[0];
			m->ctx.ipcso = d[1];
			m->ctx.ipcse = (uint16_t)(d[2] | d[3] << 8);
			m->ctx.tucss = d[4];
			m->ctx.tucso = d[5];
			m->ctx.tucse = (uint16_t)(d[6] | d[7] << 8);
			m->ctx.cmd = cmd;
			m->ctx.hdr_len = d[13];
			m->ctx.mss = (uint16_t)(d[14] | d[15] << 8);
			eop = false;
		} else {
			len = legacy ? (lower & 0xffff) : (lower & 0xfffff);
			eop = cmd & TXD_EOP;
			if (m->tx_drop || m->tx_len + len > TX_MAX) {
				if (!m->tx_drop) {
					m->cnt.tx_errors++;
					mlog(m, "TX: a frame longer than %u bytes: dropped", TX_MAX);
				}
				m->tx_drop = true;
			} else if (len) {
				rc = uvpci_dma_read(m->dev, addr, m->tx + m->tx_len, len);
				if (dma_failed(m, rc, "TX buffer")) {
					if (m->err)
						return m->err;
					m->tx_drop = true;
				} else {
					m->tx_len += len;
				}
			}
			if (eop) {
				if (!m->tx_drop)
					tx_frame(m, cmd, d[13], (uint16_t)(d[14] | d[15] << 8),
						 legacy, d[13], d[10]);
				m->tx_len = 0;
				m->tx_drop = false;
			}
		}
		if (cmd & (TXD_RS | TXD_RPS)) {
			uint8_t st = 0x01;	/* DD */

			rc = uvpci_dma_write(m->dev, base + (uint64_t)h * DESC + 12, &st, 1);
			if (rc && dma_failed(m, rc, "TX write-back") && m->err)
				return m->err;
			wrote = true;
		}
		*reg(m, TDH) = (h + 1) % n;
		done++;
	}
	if (wrote)
		raise_icr(m, ICR_TXDW);
	if (done && *reg(m, TDH) == *reg(m, TDT))
		raise_icr(m, ICR_TXQE);
	return m->err ? m->err : (int)done;
}

/* ------------------------------------------------------------------ */
/* Receive                                                             */
/* ------------------------------------------------------------------ */

bool uvnic_e1000_rx_enabled(const struct uvnic_e1000 *m)
{
	return (m->regs[RCTL / 4] & RCTL_EN) && ring_size(m, RDLEN);
}

unsigned int uvnic_e1000_rx_avail(const struct uvnic_e1000 *m)
{
	unsigned int n = ring_size(m, RDLEN);
	uint32_t h = m->regs[RDH / 4], t = m->regs[RDT / 4];

	if (!uvnic_e1000_rx_enabled(m) || h >= n || t >= n)
		return 0;
	return (t + n - h) % n;
}

static size_t rx_buf_size(uint32_t rctl)
{
	static const size_t sz[2][4] = { { 2048, 1024, 512, 256 },
					 { 2048, 16384, 8192, 4096 } };

	return sz[!!(rctl & RCTL_BSEX)][(rctl >> 16) & 3];
}

static bool rx_accept(struct uvnic_e1000 *m, const uint8_t *f)
{
	uint32_t rctl = *reg(m, RCTL);
	unsigned int i, h, mo;

	if (!memcmp(f, "\xff\xff\xff\xff\xff\xff", 6))
		return rctl & RCTL_BAM;
	if (f[0] & 1) {
		if (rctl & RCTL_MPE)
			return true;
		/* MTA: 12 bits of the address, where RCTL.MO says. */
		mo = (rctl >> 12) & 3;
		h = ((unsigned int)f[4] >> (4 - mo) | (unsigned int)f[5] << (4 + mo)) & 0xfff;
		return (*reg(m, MTA + 4 * (h >> 5)) >> (h & 31)) & 1;
	}
	if (rctl & RCTL_UPE)
		return true;
	for (i = 0; i < NUM_RA; i++) {
		uint32_t lo = *reg(m, RA + 8 * i), hi = *reg(m, RA + 8 * i + 4);

		if ((hi & (1u << 31)) && f[0] == (uint8_t)lo && f[1] == (uint8_t)(lo >> 8) &&
		    f[2] == (uint8_t)(lo >> 16) && f[3] == (uint8_t)(lo >> 24) &&
		    f[4] == (uint8_t)hi && f[5] == (uint8_t)(hi >> 8))
			return true;
	}
	return false;
}

static uint32_t crc32_eth(const uint32_t *t, const uint8_t *p, size_t len)
{
	uint32_t c = ~0u;

	while (len--)
		c = t[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

int uvnic_e1000_rx(struct uvnic_e1000 *m, const void *frame, size_t len)
{
	uint64_t base = (uint64_t)*reg(m, RDBAH) << 32 | *reg(m, RDBAL);
	unsigned int n = ring_size(m, RDLEN), need, i, avail;
	uint32_t rctl = *reg(m, RCTL), crc;
	size_t bsize = rx_buf_size(rctl), done = 0, wire;
	uint16_t vlan = 0;
	uint8_t *f = m->rx, status = RXD_IXSM;
	int rc;

	if (m->err)
		return m->err;
	if (!m->link || !uvnic_e1000_rx_enabled(m) || len < 14 || len > TX_MAX)
		return 0;
	if (!rx_accept(m, frame)) {
		m->cnt.rx_filtered++;
		return 0;
	}
	memcpy(f, frame, len);
	if (len < 60) {
		memset(f + len, 0, 60 - len);	/* as the sender padded it */
		len = 60;
	}
	wire = len + 4;
	if (len > 1518 && !(rctl & RCTL_LPE)) {
		stat_add(m, ROC, 1);
		return 0;
	}
	if ((*reg(m, CTRL) & CTRL_VME) && uvnic_get_be16(f + 12) == (uint16_t)*reg(m, VET)) {
		/* VLAN stripping: the tag goes to the descriptor. */
		vlan = uvnic_get_be16(f + 14);
		memmove(f + 12, f + 16, len - 16);
		len -= 4;
		status |= RXD_VP;
	}
	if (!(rctl & RCTL_SECRC)) {
		crc = crc32_eth(m->crc_table, f, len);
		f[len] = (uint8_t)crc;
		f[len + 1] = (uint8_t)(crc >> 8);
		f[len + 2] = (uint8_t)(crc >> 16);
		f[len + 3] = (uint8_t)(crc >> 24);
		len += 4;
	}
	need = (unsigned int)((len + bsize - 1) / bsize);
	avail = uvnic_e1000_rx_avail(m);
	if (avail < need) {
		m->cnt.rx_no_desc++;
		stat_add(m, RNBC, 1);
		stat_add(m, MPC, 1);
		raise_icr(m, ICR_RXO);
		return 0;
	}
	for (i = 0; i < need; i++) {
		uint32_t h = *reg(m, RDH);
		uint64_t daddr = base + (uint64_t)h * DESC, buf;
		size_t chunk = len - done < bsize ? len - done : bsize;
		uint8_t wb[8] = { 0 };

		rc = uvpci_dma_read(m->dev, daddr, &buf, 8);
		if (!rc)
			rc = uvpci_dma_write(m->dev, buf, f + done, chunk);
		wb[0] = (uint8_t)chunk;
		wb[1] = (uint8_t)(chunk >> 8);
		wb[4] = status | RXD_DD | (i + 1 == need ? RXD_EOP : 0);
		wb[6] = (uint8_t)vlan;
		wb[7] = (uint8_t)(vlan >> 8);
		if (!rc)
			rc = uvpci_dma_write(m->dev, daddr + 8, wb, 8);
		if (rc) {
			dma_failed(m, rc, "RX");
			if (m->err)
				return m->err;
		}
		*reg(m, RDH) = (h + 1) % n;
		done += chunk;
	}
	m->cnt.rx_frames++;
	stat_frame(m, &rx_stats, f, wire);
	/* RXDMT0: free descriptors under the threshold RCTL.RDMTS names. */
	if (uvnic_e1000_rx_avail(m) <= n >> (1 + ((rctl >> 8) & 3)))
		raise_icr(m, ICR_RXT0 | ICR_RXDMT0);
	else
		raise_icr(m, ICR_RXT0);
	return m->err;
}

/* ------------------------------------------------------------------ */

int uvnic_e1000_set_link(struct uvnic_e1000 *m, bool up)
{
	m->link = up;
	phy_link(m);
	raise_icr(m, ICR_LSC);
	return m->err;
}

int uvnic_e1000_new(struct uvpci_device *dev, const struct uvnic_e1000_config *cfg,
		    struct uvnic_e1000 **mp)
{
	struct uvpci_params p;
	struct uvnic_e1000 *m;
	unsigned int i, k;
	int rc;

	rc = uvpci_device_params(dev, &p);
	if (rc)
		return rc;
	if (p.bar[0].size < UVNIC_E1000_BAR0_SIZE || (p.bar[0].flags & UVPCI_BAR_IO) ||
	    !p.intx_pin)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->dev = dev;
	m->cfg = *cfg;
	m->io_bar = -1;
	for (i = 1; i < UVPCI_NUM_BARS; i++)
		if (p.bar[i].size && (p.bar[i].flags & UVPCI_BAR_IO)) {
			m->io_bar = (int)i;
			break;
		}
	for (i = 0; i < 256; i++) {
		uint32_t c = i;

		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		m->crc_table[i] = c;
	}
	eeprom_init(m);
	phy_reset(m);
	reset(m);
	*mp = m;
	return 0;
}

void uvnic_e1000_free(struct uvnic_e1000 *m)
{
	free(m);
}

void uvnic_e1000_counters(const struct uvnic_e1000 *m, struct uvnic_e1000_counters *c)
{
	*c = m->cnt;
}

int uvnic_e1000_error(const struct uvnic_e1000 *m)
{
	return m->err;
}
