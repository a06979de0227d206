/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uvnic.h - the uvNIC reference NIC's hardware interface: BAR0 registers
 * (from uvnic.regmap, through the generated uvnic_regs.h), descriptor
 * format and MSI vectors, as in a data sheet. The kernel driver
 * (kernel/uvnic_drv.c) and the device model (lib/, run by uvnic-bridge)
 * both include this file; uvnic(4) documents it.
 *
 * All registers are little-endian, 32 bits wide unless marked 64; 64-bit
 * registers may be accessed as one 64-bit access or as two 32-bit halves,
 * low half first.
 */
#ifndef _UAPI_LINUX_UVNIC_H
#define _UAPI_LINUX_UVNIC_H

#include <linux/types.h>

#define UVNIC_VENDOR_ID		0x5556	/* "UV": not in pci.ids; see uvnic(4) */
#define UVNIC_DEVICE_ID		0x0100
#define UVNIC_CLASS		0x020000 /* network controller, ethernet */
#define UVNIC_MSI_COUNT		3

/*
 * The registers: offsets, fields, reset values. Generated at build time by
 * uvregmap(1) from uvnic.regmap, the register spec; edit that, never add
 * a register here (t/host/uvregmap.bats checks).
 */
#include "uvnic_regs.h"

/* MSI vectors: the ICR causes each one carries (see uvnic.regmap) */
#define UVNIC_MSI_RX		0	/* UVNIC_INT_RX */
#define UVNIC_MSI_TX		1	/* UVNIC_INT_TX */
#define UVNIC_MSI_OTHER		2	/* UVNIC_INT_LINK, UVNIC_INT_ERROR */

#define UVNIC_TX_MAX_DESCS	32	/* descriptors of one TX frame, at most */
#define UVNIC_TSO_MAX_FRAME	65535	/* largest TSO frame, headers included */

/**
 * struct uvnic_desc - one TX or RX descriptor (16 bytes).
 * @addr:   bus address of the buffer
 * @len:    TX: bytes of the frame in this buffer; RX: buffer size
 *          (driver), frame length (written back by the device)
 * @flags:  UVNIC_DESC_* set by the driver
 * @status: UVNIC_STAT_* written back by the device, last, once it is done
 *          with the descriptor; the driver clears it when handing it over
 * @mss:    TX, first descriptor of a DESC_TSO frame: TCP payload bytes per
 *          segment; 0 otherwise (was "reserved" before 1.2)
 *
 * A TX frame is a run of descriptors, each but the last with DESC_MORE;
 * the first one's CSUM, TSO and mss apply to the whole frame. The device
 * writes the frame's status into each of its descriptors, and raises the
 * interrupt if any of them has DESC_IRQ. It starts a frame only once TAIL
 * covers its last descriptor.
 */
struct uvnic_desc {
	__le64	addr;
	__le16	len;
	__le16	flags;
	__le16	status;
	__le16	mss;
};

#define UVNIC_DESC_IRQ		(1U << 0) /* raise the ring's interrupt when done */
#define UVNIC_DESC_MORE		(1U << 1) /* TX: the frame goes on in the next one */
#define UVNIC_DESC_CSUM		(1U << 2) /* TX: fill in the TCP/UDP checksum */
#define UVNIC_DESC_TSO		(1U << 3) /* TX: cut into TCP segments of mss bytes */

#define UVNIC_STAT_DONE		(1U << 0) /* descriptor processed */
#define UVNIC_STAT_ERR_ADDR	(1U << 1) /* buffer outside the host's DMA mappings */
#define UVNIC_STAT_ERR_LEN	(1U << 2) /* length 0 or out of range */
#define UVNIC_STAT_ERR_OFFLOAD	(1U << 3) /* CSUM/TSO on a frame it cannot parse */

#endif /* _UAPI_LINUX_UVNIC_H */
