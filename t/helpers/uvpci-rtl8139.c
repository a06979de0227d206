// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvpci-rtl8139 - a minimal Realtek RTL8139C device model on libuvnic's
 * device API, enough for Linux's own 8139too driver (ported with
 * contrib/uvpci-port) to probe, read its MAC from the EEPROM, bring its
 * link up and send frames; for t/kernel/rtl8139.bats.
 *
 *   uvpci-rtl8139 NAME [--ready FILE] [--mac XX:XX:XX:XX:XX:XX]
 *
 * It runs on the guest's isolated CPU when there is one (as --cpu=auto of
 * uvpci-e1000(8)).
 *
 * The device: uvbus-ctl create NAME --vendor 0x10ec --device 0x8139
 * --class 0x020000 --revision 0x10 --bar 0:256:io --bar 1:256 --intx.
 * Both BARs are the same 256 registers, as on the chip (BAR0 the I/O
 * window, BAR1 the memory one). What the model does, by register
 * (offsets as the RTL8139C datasheet and 8139too.c name them):
 *
 *   ChipCmd 0x37    CmdReset (0x10) resets the chip; the bit reads back set
 *                   for the next two reads, then clears (the reset is
 *                   done). RxBufEmpty (0x01) is always set: nothing is
 *                   ever received.
 *   IntrMask 0x3c, IntrStatus 0x3e
 *                   status bits are write-1-to-clear; INTx is asserted
 *                   while (IntrStatus & IntrMask) != 0, deasserted
 *                   otherwise.
 *   TxConfig 0x40   the chip-version bits (0x7cc00000) read as RTL-8139C's
 *                   (0x74000000) whatever is written.
 *   Cfg9346 0x50    the 93C46 EEPROM (64 16-bit words), bit-banged with
 *                   EECS, EESK, EEDI; EEDO reads back in bit 0. Word 0 is
 *                   0x8129, words 7-9 the MAC (low byte first).
 *   TxStatus0-3 0x10..0x1c, TxAddr0-3 0x20..0x2c
 *                   a write of a descriptor's status (low 13 bits: the
 *                   size) with the transmitter enabled queues the frame;
 *                   once the requests at hand are answered (as the chip
 *                   sends while the driver goes on: a host CPU spinning
 *                   on a register read never waits for a DMA), the model
 *                   reads it from TxAddr by DMA, logs it, then sets
 *                   TxStatOK and OWN in TxStatus and TxOK in IntrStatus.
 *   BasicModeCtrl 0x62, BasicModeStatus 0x64, NWayAdvert 0x66,
 *   NWayLPAR 0x68, NWayExpansion 0x6a
 *                   the internal PHY's MII registers: 100 Mb/s full
 *                   duplex autonegotiated, link up; BMCR's reset bit
 *                   self-clears, BMSR is read-only.
 *   MediaStatus 0x58  link good, 100 Mb/s.
 * Everything else is a plain register file (little-endian bytes).
 *
 * Each line of its stdout (flushed): "reset", "eeprom read WORD = VALUE",
 * "tx N bytes DST SRC TYPE", "intx 0|1", "device gone", "exit".
 */
#include <argtable2.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libuvnic.h"
#include "uvpci-cli.h"

#define REGS		256

#define R_TXSTATUS0	0x10
#define R_TXADDR0	0x20
#define R_CHIPCMD	0x37
#define R_INTRMASK	0x3c
#define R_INTRSTATUS	0x3e
#define R_TXCONFIG	0x40
#define R_CFG9346	0x50
#define R_MEDIASTATUS	0x58
#define R_BMCR		0x62
#define R_BMSR		0x64
#define R_ANAR		0x66
#define R_ANLPAR	0x68
#define R_ANER		0x6a

#define CMD_RESET	0x10
#define CMD_RXENB	0x08
#define CMD_TXENB	0x04
#define CMD_RXBUFEMPTY	0x01

#define INT_TXOK	0x0004

#define TX_OWN		0x2000
#define TX_STATOK	0x8000
#define TX_SIZE		0x1fff

#define HWREVID_MASK	0x7cc00000u
#define HWREVID_8139C	0x74000000u

#define EE_DO		0x01
#define EE_DI		0x02
#define EE_SK		0x04
#define EE_CS		0x08
#define EE_WORDS	64
#define EE_ADDR_BITS	6

/* The 93C46's serial state: a start bit, a 2-bit opcode, 6 address bits. */
struct eeprom {
	uint16_t word[EE_WORDS];
	bool cs, sk;
	unsigned int nbits;	/* bits shifted in since the start bit, 0: none */
	uint32_t in;
	bool reading;
	uint16_t out;
	int out_bit;		/* next bit of @out to drive, -1: past the end */
	bool dout;
};

struct model {
	struct uvpci_device *dev;
	uint8_t r[REGS];
	unsigned int reset_reads;	/* ChipCmd reads the reset still shows */
	bool intx_pin, level;
	struct eeprom ee;
	/* Descriptors written, in order, sent once the callbacks are done. */
	unsigned int txq[4], txq_len;
	uint8_t frame[TX_SIZE + 1];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t get(const struct model *m, unsigned int off, unsigned int size)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < size && off + i < REGS; i++)
		v |= (uint64_t)m->r[off + i] << (8 * i);
	return v;
}

static void put(struct model *m, unsigned int off, unsigned int size, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < size && off + i < REGS; i++)
		m->r[off + i] = (uint8_t)(v >> (8 * i));
}

/* INTx follows IntrStatus & IntrMask, as the chip's INTA# does. */
static void update_irq(struct model *m)
{
	bool level = (get(m, R_INTRSTATUS, 2) & get(m, R_INTRMASK, 2)) != 0;
	int rc;

	if (level == m->level || !m->intx_pin)
		return;
	m->level = level;
	rc = uvpci_intx_set(m->dev, level);
	printf("intx %d%s\n", level, rc ? " (refused)" : "");
}

/* Power-on and CmdReset state: the MII registers say 100FD, link up. */
static void chip_reset(struct model *m, bool power_on)
{
	uint8_t mac[6];

	memcpy(mac, m->r, sizeof(mac));
	memset(m->r, 0, sizeof(m->r));
	/* The MAC registers keep what the EEPROM loaded (power on: loaded). */
	if (power_on) {
		unsigned int i;

		for (i = 0; i < 3; i++) {
			mac[2 * i] = (uint8_t)m->ee.word[7 + i];
			mac[2 * i + 1] = (uint8_t)(m->ee.word[7 + i] >> 8);
		}
	}
	memcpy(m->r, mac, sizeof(mac));
	put(m, R_CHIPCMD, 1, CMD_RXBUFEMPTY);
	put(m, R_BMCR, 2, 0x3100);	/* autoneg on, 100 Mb/s, full duplex */
	put(m, R_BMSR, 2, 0x782d);	/* 10/100 capable, aneg done, link up */
	put(m, R_ANAR, 2, 0x01e1);
	put(m, R_ANLPAR, 2, 0x45e1);	/* partner: 10/100 FD/HD, ack */
	put(m, R_ANER, 2, 0x0001);
	put(m, R_MEDIASTATUS, 1, 0x00);	/* link good, 100 Mb/s */
	m->reset_reads = 2;
	m->txq_len = 0;
	update_irq(m);
	if (!power_on)
		printf("reset\n");
}

/* One write of Cfg9346's EEPROM pins (with Cfg9346's mode bits 10). */
static void eeprom_pins(struct eeprom *e, uint8_t v)
{
	bool cs = v & EE_CS, sk = v & EE_SK, di = v & EE_DI;

	if (!cs) {
		e->cs = false;
		e->nbits = 0;
		e->in = 0;
		e->reading = false;
		e->dout = false;
		e->sk = sk;
		return;
	}
	e->cs = true;
	if (sk && !e->sk) {	/* rising edge of the clock */
		if (e->reading) {
			e->dout = e->out_bit >= 0 && ((e->out >> e->out_bit) & 1);
			e->out_bit--;
		} else if (e->nbits || di) {	/* leading zeros wait for the start bit */
			e->in = (e->in << 1) | di;
			if (++e->nbits == 3 + EE_ADDR_BITS) {
				unsigned int op = (e->in >> EE_ADDR_BITS) & 3;
				unsigned int addr = e->in & (EE_WORDS - 1);

				if (op == 2) {	/* READ: a dummy 0, then D15..D0 */
					e->reading = true;
					e->out = e->word[addr];
					e->out_bit = 15;
					e->dout = false;
					printf("eeprom read %u = %#06x\n", addr, e->out);
				} else {	/* writes and erases: not modelled */
					e->nbits = 0;
					e->in = 0;
				}
			}
		}
	}
	e->sk = sk;
}

static void transmit(struct model *m, unsigned int n)
{
	uint32_t status = (uint32_t)get(m, R_TXSTATUS0 + 4 * n, 4);
	uint32_t size = status & TX_SIZE;
	uint32_t addr = (uint32_t)get(m, R_TXADDR0 + 4 * n, 4);
	const uint8_t *f = m->frame;
	int rc;

	if (!(get(m, R_CHIPCMD, 1) & CMD_TXENB))
		return;
	rc = uvpci_dma_read(m->dev, addr, m->frame, size);
	if (rc) {
		printf("tx %u bytes at %#" PRIx32 ": DMA refused (%s)\n", size, addr,
		       strerror(-rc));
		return;
	}
	if (size >= 14)
		printf("tx %u bytes %02x:%02x:%02x:%02x:%02x:%02x %02x:%02x:%02x:%02x:%02x:%02x %02x%02x\n",
		       size, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8],
		       f[9], f[10], f[11], f[12], f[13]);
	else
		printf("tx %u bytes (runt)\n", size);
	put(m, R_TXSTATUS0 + 4 * n, 4, (status & TX_SIZE) | TX_OWN | TX_STATOK);
	put(m, R_INTRSTATUS, 2, (uint32_t)get(m, R_INTRSTATUS, 2) | INT_TXOK);
	update_irq(m);
}

static uint64_t model_read(void *opaque, unsigned int bar, uint64_t offset,
			   unsigned int size)
{
	struct model *m = opaque;
	unsigned int off = (unsigned int)offset;
	uint64_t v;

	(void)bar;
	if (offset >= REGS)
		return 0;
	v = get(m, off, size);
	if (off <= R_CHIPCMD && off + size > R_CHIPCMD && m->reset_reads) {
		v |= (uint64_t)CMD_RESET << (8 * (R_CHIPCMD - off));
		m->reset_reads--;
	}
	if (off <= R_TXCONFIG + 3 && off + size > R_TXCONFIG) {
		uint64_t tc = (get(m, R_TXCONFIG, 4) & ~HWREVID_MASK) | HWREVID_8139C;
		unsigned int i;

		for (i = 0; i < size; i++)
			if (off + i >= R_TXCONFIG && off + i < R_TXCONFIG + 4) {
				v &= ~(0xffull << (8 * i));
				v |= ((tc >> (8 * (off + i - R_TXCONFIG))) & 0xff) << (8 * i);
			}
	}
	if (off <= R_CFG9346 && off + size > R_CFG9346 && m->ee.dout)
		v |= (uint64_t)EE_DO << (8 * (R_CFG9346 - off));
	return v;
}

static void model_write(void *opaque, unsigned int bar, uint64_t offset,
			unsigned int size, uint64_t value)
{
	struct model *m = opaque;
	unsigned int off = (unsigned int)offset, i;
	uint32_t v = (uint32_t)value;

	(void)bar;
	if (offset >= REGS)
		return;
	for (i = 0; i < size; i++) {
		unsigned int o = off + i;
		uint8_t b = (uint8_t)(v >> (8 * i));

		switch (o) {
		case R_CHIPCMD:
			if (b & CMD_RESET) {
				chip_reset(m, false);
				break;
			}
			m->r[o] = (b & (CMD_RXENB | CMD_TXENB)) | CMD_RXBUFEMPTY;
			break;
		case R_INTRSTATUS:
		case R_INTRSTATUS + 1:
			m->r[o] &= ~b;	/* write 1 to clear */
			break;
		case R_BMSR:
		case R_BMSR + 1:
			break;		/* read-only */
		case R_BMCR + 1:
			m->r[o] = b & ~0x80;	/* BMCR_RESET self-clears */
			break;
		case R_CFG9346:
			m->r[o] = b & ~EE_DO;
			if ((b & 0xc0) == 0x80)
				eeprom_pins(&m->ee, b);
			else
				eeprom_pins(&m->ee, 0);
			break;
		default:
			m->r[o] = b;
		}
	}
	if (off >= R_TXSTATUS0 && off < R_TXSTATUS0 + 16 && size == 4 &&
	    !(off & 3) && m->txq_len < ARRAY_SIZE(m->txq))
		m->txq[m->txq_len++] = (off - R_TXSTATUS0) / 4;
	if (off <= R_INTRSTATUS + 1 && off + size > R_INTRMASK)
		update_irq(m);
	fflush(stdout);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6], i;
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static const struct uvpci_device_ops ops = {
	.mmio_read = model_read,
	.mmio_write = model_write,
};

int main(int argc, char **argv)
{
	struct arg_str *name = arg_str1(NULL, NULL, "NAME", "uvPCI device to serve");
	struct arg_str *ready = arg_str0(NULL, "ready", "FILE", "create FILE once attached");
	struct arg_str *macs = arg_str0(NULL, "mac", "XX:XX:XX:XX:XX:XX",
					"the MAC address in the EEPROM (default 02:81:39:00:00:01)");
	struct arg_end *end = arg_end(5);
	void *table[] = { name, ready, macs, end };
	const struct uvnic_cli_syntax syntax[] = {
		{ NULL, NULL, table, ARRAY_SIZE(table) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvpci-rtl8139",
		.purpose = "A minimal RTL8139C model (EEPROM, PHY, interrupts over INTx, TX),\n"
			   "for Linux's 8139too driver ported to uvPCI (see the source).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	uint8_t mac[6] = { 0x02, 0x81, 0x39, 0x00, 0x00, 0x01 };
	struct uvpci_params p;
	struct model *m;
	unsigned int i;
	int rc;

	uvnic_cli_parse(&cli, argc, argv);
	/*
	 * On the CPU the guest keeps for models (uvnic-vm --model-cpus): two
	 * host CPUs spinning on its registers at once (start_xmit's flush
	 * read, the IRQ handler's) must not leave it none to answer on.
	 */
	uvpci_cli_pin_cpu(NULL);
	if (macs->count && parse_mac(macs->sval[0], mac))
		uvnic_usage_die("invalid --mac '%s': six hex bytes, colon-separated",
				macs->sval[0]);
	m = calloc(1, sizeof(*m));
	if (!m)
		uvnic_die("out of memory");
	m->ee.word[0] = 0x8129;		/* what a 93C46 of an RTL8139 board holds */
	m->ee.word[1] = 0x10ec;
	m->ee.word[2] = 0x8139;
	for (i = 0; i < 3; i++)
		m->ee.word[7 + i] = (uint16_t)(mac[2 * i] | mac[2 * i + 1] << 8);

	uvnic_cli_stop_on_signals(on_signal);
	m->dev = uvpci_cli_device_open(name->sval[0], UVPCI_OPEN_MODEL);
	uvpci_device_params(m->dev, &p);
	m->intx_pin = p.intx_pin != 0;
	chip_reset(m, true);
	uvpci_device_set_ops(m->dev, &ops, m);
	if (ready->count)
		uvnic_cli_ready(ready->sval[0]);

	while (!stop) {
		rc = uvpci_device_process(m->dev, 200);
		if (rc == -EINTR)
			continue;
		if (rc == -ENODEV) {
			printf("device gone\n");
			break;
		}
		if (rc < 0)
			uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "%s: serving", name->sval[0]);
		for (i = 0; i < m->txq_len; i++)
			transmit(m, m->txq[i]);
		m->txq_len = 0;
		fflush(stdout);
	}
	uvpci_device_close(m->dev);
	free(m);
	printf("exit\n");
	fflush(stdout);
	uvnic_cli_free(&cli);
	return 0;
}
