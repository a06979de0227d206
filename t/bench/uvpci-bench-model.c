// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvpci-bench-model - the device model of uvpci_bench.ko, on libuvnic's
 * device API (uvpci-device.h); registers in kernel/uapi/uvpci_bench.h.
 * t/bench/uvpci-bench starts it in the uvnic-vm guest:
 *
 *   uvpci-bench-model NAME [--ready FILE]
 *
 * Attaches to uvPCI device NAME as its model and serves until SIGTERM or
 * SIGINT, or until the device is destroyed (exit 0 either way). BAR0 is a
 * register file with these answers and actions:
 *
 *   ID        reads UVPCI_BENCH_MAGIC
 *   POST      each write counts in WRITES
 *   MSI       a write stores its value in MSI_SEQ, then, after the write
 *             callback returned, stamps CLOCK_MONOTONIC into STAMP and
 *             fires MSI 0 at once
 *   DMA_SEED  a write builds the pattern of DMA_LEN bytes for that seed
 *   DMA_GO    after the callback: uvpci_dma_write() the pattern to
 *             DMA_ADDR, or uvpci_dma_read() DMA_LEN bytes from it; fire
 *             MSI 0; then check what was read and set DMA_STATUS
 *
 * The actions run outside the callbacks so that each library call rings
 * the doorbell when it returns (inside a callback posted requests wait
 * for the callback to end). Failures of the library are counted in
 * DMA_STATUS or reported on stderr; the driver sees them as wrong data or
 * a missing MSI.
 */
#include <argtable2.h>
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libuvnic.h"
#include "uvpci-cli.h"
#include "uvpci_bench.h"

enum action {
	ACT_NONE,
	ACT_MSI,
	ACT_DMA_TO_HOST,
	ACT_DMA_FROM_HOST,
	ACT_DMA_BAD,
};

struct model {
	struct uvpci_device *dev;
	uint8_t regs[UVPCI_BENCH_BAR0_SIZE];
	uint32_t writes;
	uint32_t *pattern;	/* UVPCI_BENCH_DMA_MAX bytes, little-endian words */
	uint32_t pattern_len;	/* bytes built */
	uint8_t *in;		/* what a DMA read brought */
	enum action action;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t load(const struct model *m, uint64_t off, unsigned int size)
{
	uint64_t v = 0;
	unsigned int i;

	if (off >= sizeof(m->regs) || sizeof(m->regs) - off < size)
		return 0;
	for (i = 0; i < size; i++)
		v |= (uint64_t)m->regs[off + i] << (8 * i);
	return v;
}

static void store(struct model *m, uint64_t off, unsigned int size, uint64_t v)
{
	unsigned int i;

	if (off >= sizeof(m->regs) || sizeof(m->regs) - off < size)
		return;
	for (i = 0; i < size; i++)
		m->regs[off + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t model_read(void *opaque, unsigned int bar, uint64_t off,
			   unsigned int size)
{
	return bar ? 0 : load(opaque, off, size);
}

static void build_pattern(struct model *m, uint32_t seed)
{
	uint32_t len = (uint32_t)load(m, UVPCI_BENCH_REG_DMA_LEN, 4), i;

	if (len > UVPCI_BENCH_DMA_MAX)
		len = 0;
	for (i = 0; i < len / 4; i++)
		m->pattern[i] = htole32(uvpci_bench_pattern(seed, i));
	m->pattern_len = len;
}

static void model_write(void *opaque, unsigned int bar, uint64_t off,
			unsigned int size, uint64_t v)
{
	struct model *m = opaque;

	if (bar)
		return;
	store(m, off, size, v);
	if (size != 4)
		return;
	switch (off) {
	case UVPCI_BENCH_REG_POST:
		store(m, UVPCI_BENCH_REG_WRITES, 4, ++m->writes);
		break;
	case UVPCI_BENCH_REG_MSI:
		store(m, UVPCI_BENCH_REG_MSI_SEQ, 4, v);
		m->action = ACT_MSI;
		break;
	case UVPCI_BENCH_REG_DMA_SEED:
		build_pattern(m, (uint32_t)v);
		break;
	case UVPCI_BENCH_REG_DMA_GO:
		m->action = v == UVPCI_BENCH_DMA_TO_HOST ? ACT_DMA_TO_HOST :
			    v == UVPCI_BENCH_DMA_FROM_HOST ? ACT_DMA_FROM_HOST :
			    ACT_DMA_BAD;
		break;
	}
}

static const struct uvpci_device_ops ops = {
	.mmio_read = model_read,
	.mmio_write = model_write,
};

static void fire(struct model *m)
{
	int rc = uvpci_msi_fire(m->dev, 0);

	if (rc)
		uvnic_warn_err(rc, UVNIC_CTX_CHANNEL, "%s: MSI",
			       uvpci_device_name(m->dev));
}

/* What the last write asked for, now that its callback has returned. */
static void act(struct model *m)
{
	uint64_t addr = load(m, UVPCI_BENCH_REG_DMA_ADDR, 8);
	uint32_t len = (uint32_t)load(m, UVPCI_BENCH_REG_DMA_LEN, 4);
	enum action a = m->action;
	int rc = 0;

	m->action = ACT_NONE;
	if (a == ACT_MSI) {
		store(m, UVPCI_BENCH_REG_STAMP, 8, now_ns());
		fire(m);
		return;
	}
	/* A DMA command: the length must be the one the pattern was built for. */
	if (a == ACT_DMA_BAD || !len || len % 4 || len != m->pattern_len)
		rc = -EINVAL;
	else if (a == ACT_DMA_TO_HOST)
		rc = uvpci_dma_write(m->dev, addr, m->pattern, len);
	else
		rc = uvpci_dma_read(m->dev, addr, m->in, len);
	fire(m);
	/* Checked after the MSI, off the clock: the driver reads STATUS later. */
	if (!rc && a == ACT_DMA_FROM_HOST && memcmp(m->in, m->pattern, len))
		rc = -EIO;
	store(m, UVPCI_BENCH_REG_DMA_STATUS, 4, (uint32_t)-rc);
}

int main(int argc, char **argv)
{
	struct arg_str *name = arg_str1(NULL, NULL, "NAME", "uvPCI device to serve");
	struct arg_str *ready = arg_str0(NULL, "ready", "FILE", "create FILE once attached");
	struct arg_end *end = arg_end(5);
	void *table[] = { name, ready, end };
	const struct uvnic_cli_syntax syntax[] = {
		{ NULL, NULL, table, ARRAY_SIZE(table) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvpci-bench-model",
		.purpose = "The device model of uvpci_bench.ko, for t/bench/uvpci-bench\n"
			   "(registers in kernel/uapi/uvpci_bench.h).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	struct model m;
	int rc;

	uvnic_cli_parse(&cli, argc, argv);
	memset(&m, 0, sizeof(m));
	m.pattern = malloc(UVPCI_BENCH_DMA_MAX);
	m.in = malloc(UVPCI_BENCH_DMA_MAX);
	if (!m.pattern || !m.in)
		uvnic_die("out of memory");
	store(&m, UVPCI_BENCH_REG_ID, 4, UVPCI_BENCH_MAGIC);

	uvnic_cli_stop_on_signals(on_signal);

	m.dev = uvpci_cli_device_open(name->sval[0], UVPCI_OPEN_MODEL);
	uvpci_device_set_ops(m.dev, &ops, &m);
	if (ready->count)
		uvnic_cli_ready(ready->sval[0]);

	while (!stop) {
		/* A bounded wait: a signal landing just before it is seen soon. */
		rc = uvpci_device_process(m.dev, 200);
		if (rc == -EINTR)
			continue;
		if (rc == -ENODEV)
			break;
		if (rc < 0)
			uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "%s: serving",
				      name->sval[0]);
		if (m.action != ACT_NONE)
			act(&m);
	}
	uvpci_device_close(m.dev);
	free(m.pattern);
	free(m.in);
	uvnic_cli_free(&cli);
	return 0;
}
