// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvpci-echo-model - a tiny device model on libuvnic's device API
 * (uvpci-device.h), for t/kernel/uvpci-cli.bats.
 *
 *   uvpci-echo-model NAME [--ready FILE] [--stall OFFSET]
 *
 * Attaches to uvPCI device NAME as its model and serves until SIGTERM or
 * SIGINT (then exits 0), or until the device is destroyed (exit 0). Every
 * BAR is a register file (the first 1 MiB of it; little-endian, so narrow
 * reads see a wide write's bytes), with these twists in BAR0, so a test
 * can tell that the model, not the kernel's plain register file, answered:
 *
 *   0x40 READS   (32-bit, read-only) reads this model served before this one
 *   0x44 WRITES  (32-bit, read-only) writes it received
 *   0x80 SRC     (64-bit) bus address to copy from
 *   0x88 DST     (64-bit) bus address to copy to
 *   0x90 LEN     (32-bit) bytes to copy, at most 1 MiB
 *   0x94 MSI     (32-bit) vector + 1 to fire after the copy; 0 = none
 *   0x98 GO      (32-bit) any write copies, from inside the write callback:
 *                uvpci_dma_read(SRC), uvpci_dma_write(DST), uvpci_msi_fire(),
 *                uvpci_device_sync()
 *   0x9c RESULT  (32-bit) 0, or the positive errno of the last copy
 *   0xa0 INTX    (32-bit) with an interrupt pin: writing 1 asserts INTx,
 *                0 deasserts it
 *   0x0c IRQ_ACK (32-bit) as uvpci_sample.ko's: a write deasserts INTx,
 *                the way a device clears its cause once the driver acks
 * (an INTx change is logged as "INTX LEVEL = RESULT")
 *
 * Each request is logged on stdout, one flushed line: "R BAR OFF SIZE",
 * "W BAR OFF SIZE VALUE", "C OFF SIZE VALUE", "COPY SRC DST LEN = RESULT",
 * and each host state it is told (the host_state callback) as
 * "H mem=0|1 master=0|1 intx_disable=0|1 msi=0|1 vectors=N d=D"; the
 * state uvpci_device_host_state() gives right after attaching is logged
 * first, in the same form with "Q" for "H".
 * --ready FILE is created once attached; --stall OFFSET makes a read of
 * BAR0 OFFSET never answered (the callback sleeps until a signal ends the
 * model), to kill the model in the middle of a host read.
 */
#include <argtable2.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libuvnic.h"
#include "uvpci-cli.h"

#define BAR_STORE	(1U << 20)

#define REG_READS	0x40
#define REG_WRITES	0x44
#define REG_SRC		0x80
#define REG_DST		0x88
#define REG_LEN		0x90
#define REG_MSI		0x94
#define REG_GO		0x98
#define REG_RESULT	0x9c
#define REG_INTX	0xa0
#define REG_IRQ_ACK	0x0c

struct model {
	struct uvpci_device *dev;
	uint8_t *bar[UVPCI_NUM_BARS];
	size_t bar_len[UVPCI_NUM_BARS];
	uint32_t reads, writes;
	bool stall;
	uint64_t stall_off;
	bool intx;		/* the device has an interrupt pin */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t load(const struct model *m, unsigned int bar, uint64_t off,
		     unsigned int size)
{
	uint64_t v = 0;
	unsigned int i;

	if (!m->bar[bar] || off >= m->bar_len[bar] || m->bar_len[bar] - off < size)
		return 0;
	for (i = 0; i < size; i++)
		v |= (uint64_t)m->bar[bar][off + i] << (8 * i);
	return v;
}

static void store(struct model *m, unsigned int bar, uint64_t off,
		  unsigned int size, uint64_t v)
{
	unsigned int i;

	if (!m->bar[bar] || off >= m->bar_len[bar] || m->bar_len[bar] - off < size)
		return;
	for (i = 0; i < size; i++)
		m->bar[bar][off + i] = (uint8_t)(v >> (8 * i));
}

/* GO: the DMA a device does on its own, from inside the write callback. */
static void copy(struct model *m)
{
	uint64_t src = load(m, 0, REG_SRC, 8), dst = load(m, 0, REG_DST, 8);
	uint32_t len = (uint32_t)load(m, 0, REG_LEN, 4);
	uint32_t msi = (uint32_t)load(m, 0, REG_MSI, 4);
	uint8_t *buf;
	int rc = -EINVAL;

	buf = len <= BAR_STORE ? malloc(len ? len : 1) : NULL;
	if (buf) {
		rc = uvpci_dma_read(m->dev, src, buf, len);
		if (!rc)
			rc = uvpci_dma_write(m->dev, dst, buf, len);
		if (!rc && msi)
			rc = uvpci_msi_fire(m->dev, msi - 1);
		if (!rc)
			rc = uvpci_device_sync(m->dev);
		free(buf);
	}
	store(m, 0, REG_RESULT, 4, (uint32_t)-rc);
	printf("COPY %#" PRIx64 " %#" PRIx64 " %" PRIu32 " = %d\n", src, dst, len, rc);
	fflush(stdout);
}

static uint64_t model_read(void *opaque, unsigned int bar, uint64_t off,
			   unsigned int size)
{
	struct model *m = opaque;
	uint64_t v;

	printf("R %u %#" PRIx64 " %u\n", bar, off, size);
	fflush(stdout);
	if (bar == 0 && m->stall && off == m->stall_off) {
		while (!stop)
			pause();
		return UINT64_MAX;
	}
	v = load(m, bar, off, size);
	if (bar == 0 && off == REG_READS && size == 4)
		v = m->reads;
	else if (bar == 0 && off == REG_WRITES && size == 4)
		v = m->writes;
	m->reads++;
	return v;
}

static void model_write(void *opaque, unsigned int bar, uint64_t off,
			unsigned int size, uint64_t v)
{
	struct model *m = opaque;

	printf("W %u %#" PRIx64 " %u %#" PRIx64 "\n", bar, off, size, v);
	fflush(stdout);
	m->writes++;
	if (bar == 0 && off == REG_GO) {
		copy(m);
		return;
	}
	if (bar == 0 && m->intx && (off == REG_INTX || off == REG_IRQ_ACK)) {
		int level = off == REG_INTX && v;

		printf("INTX %d = %d\n", level, uvpci_intx_set(m->dev, level));
		fflush(stdout);
	}
	store(m, bar, off, size, v);
}

static void model_cfg_write(void *opaque, unsigned int off, unsigned int size,
			    uint32_t v)
{
	(void)opaque;
	printf("C %#x %u %#" PRIx32 "\n", off, size, v);
	fflush(stdout);
}

static void log_host(char what, const struct uvpci_host_state *h)
{
	printf("%c mem=%d master=%d intx_disable=%d msi=%d vectors=%u d=%u\n",
	       what, !!(h->flags & UVPCI_HOST_MEMORY),
	       !!(h->flags & UVPCI_HOST_MASTER),
	       !!(h->flags & UVPCI_HOST_INTX_DISABLE),
	       !!(h->flags & UVPCI_HOST_MSI), h->msi_vectors, h->power_state);
	fflush(stdout);
}

static void model_host_state(void *opaque, const struct uvpci_host_state *h)
{
	(void)opaque;
	log_host('H', h);
}

static const struct uvpci_device_ops ops = {
	.mmio_read = model_read,
	.mmio_write = model_write,
	.cfg_write = model_cfg_write,
	.host_state = model_host_state,
};

int main(int argc, char **argv)
{
	struct arg_str *name = arg_str1(NULL, NULL, "NAME", "uvPCI device to serve");
	struct arg_str *ready = arg_str0(NULL, "ready", "FILE", "create FILE once attached");
	struct arg_str *stall = arg_str0(NULL, "stall", "OFFSET",
					 "never answer a read of BAR0 OFFSET");
	struct arg_end *end = arg_end(5);
	void *table[] = { name, ready, stall, end };
	const struct uvnic_cli_syntax syntax[] = {
		{ NULL, NULL, table, ARRAY_SIZE(table) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvpci-echo-model",
		.purpose = "A register-file device model with counters and a DMA copy engine,\n"
			   "for the uvPCI CLI tests (see the source).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	struct uvpci_host_state host;
	struct uvpci_params p;
	struct model m;
	unsigned int i;
	int rc;

	uvnic_cli_parse(&cli, argc, argv);
	memset(&m, 0, sizeof(m));
	if (stall->count) {
		m.stall = true;
		m.stall_off = uvnic_cli_number("--stall", stall->sval[0], 0, UINT64_MAX);
	}

	uvnic_cli_stop_on_signals(on_signal);

	m.dev = uvpci_cli_device_open(name->sval[0], UVPCI_OPEN_MODEL);
	uvpci_device_params(m.dev, &p);
	m.intx = p.intx_pin != 0;
	rc = uvpci_device_host_state(m.dev, &host);
	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "%s: host state",
			      name->sval[0]);
	log_host('Q', &host);
	for (i = 0; i < UVPCI_NUM_BARS; i++) {
		if (!p.bar[i].size)
			continue;
		m.bar_len[i] = p.bar[i].size < BAR_STORE ? p.bar[i].size : BAR_STORE;
		m.bar[i] = calloc(1, m.bar_len[i]);
		if (!m.bar[i])
			uvnic_die("out of memory");
	}
	uvpci_device_set_ops(m.dev, &ops, &m);
	if (ready->count)
		uvnic_cli_ready(ready->sval[0]);

	while (!stop) {
		/* A bounded wait: a signal landing just before it is seen soon. */
		rc = uvpci_device_process(m.dev, 200);
		if (rc == -EINTR)
			continue;
		if (rc == -ENODEV) {
			printf("device gone\n");
			break;
		}
		if (rc < 0)
			uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "%s: serving",
				      name->sval[0]);
	}
	uvpci_device_close(m.dev);
	for (i = 0; i < UVPCI_NUM_BARS; i++)
		free(m.bar[i]);
	printf("exit\n");
	fflush(stdout);
	uvnic_cli_free(&cli);
	return 0;
}
