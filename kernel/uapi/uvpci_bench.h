/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uvpci_bench.h - the benchmark device's hardware interface: what
 * kernel/uvpci_bench.c (the driver, uvpci_bench.ko) and
 * t/bench/uvpci-bench-model.c (its device model) both include. Run by
 * t/bench/uvpci-bench, i.e. 'make bench'.
 *
 * One BAR0 of UVPCI_BENCH_BAR0_SIZE bytes, one MSI vector. Registers are
 * little-endian, 32 bits unless marked 64.
 */
#ifndef _UAPI_LINUX_UVPCI_BENCH_H
#define _UAPI_LINUX_UVPCI_BENCH_H

#include <linux/types.h>

#define UVPCI_BENCH_VENDOR_ID	0x5556	/* "UV", as uvpci_sample and uvnic */
#define UVPCI_BENCH_DEVICE_ID	0x00b0
#define UVPCI_BENCH_BAR0_SIZE	4096
#define UVPCI_BENCH_MSI_COUNT	1

#define UVPCI_BENCH_REG_ID	0x00	/* RO: UVPCI_BENCH_MAGIC, from the model */
#define UVPCI_BENCH_MAGIC	0x55564245 /* "UVBE" */
#define UVPCI_BENCH_REG_POST	0x08	/* WO: counted, else ignored */
#define UVPCI_BENCH_REG_WRITES	0x0c	/* RO: writes to POST so far (wraps) */
/* WO: stamp CLOCK_MONOTONIC into STAMP, the value into MSI_SEQ, fire MSI 0 */
#define UVPCI_BENCH_REG_MSI	0x10
#define UVPCI_BENCH_REG_MSI_SEQ	0x14	/* RO: the last value written to MSI */
#define UVPCI_BENCH_REG_STAMP	0x18	/* RO 64: ns, taken just before the fire */
#define UVPCI_BENCH_REG_DMA_ADDR 0x20	/* RW 64: bus address of the host buffer */
#define UVPCI_BENCH_REG_DMA_LEN	0x28	/* RW: bytes, a multiple of 4, <= DMA_MAX */
/* WO: seed of the pattern; the model builds it (DMA_LEN bytes) at once */
#define UVPCI_BENCH_REG_DMA_SEED 0x2c
#define UVPCI_BENCH_REG_DMA_GO	0x30	/* WO: a UVPCI_BENCH_DMA_* command */
#define  UVPCI_BENCH_DMA_TO_HOST	1 /* uvpci_dma_write() the pattern, fire MSI 0 */
#define  UVPCI_BENCH_DMA_FROM_HOST	2 /* uvpci_dma_read(), check, fire MSI 0 */
/* RO: 0, or the positive errno of the last GO (EIO: pattern mismatch) */
#define UVPCI_BENCH_REG_DMA_STATUS 0x34

#define UVPCI_BENCH_DMA_MAX	(1U << 20)

/*
 * Word @i of the DMA pattern for @seed (stored little-endian). A new seed
 * per transfer makes stale data fail the check.
 */
static inline __u32 uvpci_bench_pattern(__u32 seed, __u32 i)
{
	return seed ^ (i * 0x9e3779b1U);
}

#endif /* _UAPI_LINUX_UVPCI_BENCH_H */
