/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uvnic.h - the uvNIC reference NIC's hardware interface: BAR0 registers,
 * descriptor format and MSI vectors, as in a data sheet. The kernel driver
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
#define UVNIC_BAR0_SIZE		4096
#define UVNIC_MSI_COUNT		3

/* Identification (read-only) */
#define UVNIC_REG_ID		0x000	/* UVNIC_ID_MAGIC */
#define UVNIC_REG_VERSION	0x004	/* major << 16 | minor */
#define UVNIC_ID_MAGIC		0x55564e43 /* "UVNC" */
#define UVNIC_HW_VERSION	0x00010002 /* VERSION (not UVNIC_VERSION: the package version) */

/* Control (read-write) */
#define UVNIC_REG_CTRL		0x008
#define UVNIC_CTRL_RX_EN	(1U << 0) /* device fills RX descriptors */
#define UVNIC_CTRL_TX_EN	(1U << 1) /* device consumes TX descriptors */
#define UVNIC_CTRL_RESET	(1U << 31) /* self-clearing: rings, ICR, IMR to 0 */

/* Status (read-only) */
#define UVNIC_REG_STATUS	0x00c
#define UVNIC_STATUS_LINK_UP	(1U << 0)

/* Station address: bytes 0-3 in MAC_LO (byte 0 lowest), 4-5 in MAC_HI */
#define UVNIC_REG_MAC_LO	0x010
#define UVNIC_REG_MAC_HI	0x014

/* Largest frame the device sends or receives, without FCS (read-write) */
#define UVNIC_REG_MAX_FRAME	0x018
#define UVNIC_MIN_FRAME		60
#define UVNIC_MAX_FRAME		9018

/*
 * Transmit offloads the device implements (read-only, since 1.2; reads 0
 * before). A driver uses a DESC_* flag only if its FEATURES bit is set.
 */
#define UVNIC_REG_FEATURES	0x01c
#define UVNIC_FEAT_SG		(1U << 0) /* frames spanning descriptors: DESC_MORE */
#define UVNIC_FEAT_CSUM		(1U << 1) /* TCP/UDP checksum insertion: DESC_CSUM */
#define UVNIC_FEAT_TSO		(1U << 2) /* TCP segmentation: DESC_TSO */
#define UVNIC_TX_MAX_DESCS	32	/* descriptors of one TX frame, at most */
#define UVNIC_TSO_MAX_FRAME	65535	/* largest TSO frame, headers included */

/*
 * Interrupts. ICR latches causes; writing 1 to a bit clears it. IMR
 * enables causes onto MSI vectors: RX on vector 0, TX on 1, LINK and
 * ERROR on 2. The device sends an MSI when a cause is latched while
 * enabled; it sends no MSI for a cause already latched. IAM (since 1.1)
 * selects causes that sending their vector's MSI clears from both ICR and
 * IMR (acknowledged and masked at once): the driver re-enables them with
 * an IMR write once it has polled, and needs no register read for that.
 */
#define UVNIC_REG_ICR		0x020
#define UVNIC_REG_IMR		0x024
#define UVNIC_REG_IAM		0x028
#define UVNIC_INT_RX		(1U << 0)
#define UVNIC_INT_TX		(1U << 1)
#define UVNIC_INT_LINK		(1U << 2)
#define UVNIC_INT_ERROR		(1U << 3)
#define UVNIC_MSI_RX		0
#define UVNIC_MSI_TX		1
#define UVNIC_MSI_OTHER		2

/*
 * Descriptor rings in host memory. BASE (64) is the bus address of the
 * first descriptor, 16-byte aligned; LEN the number of descriptors, a
 * power of two from 8 to 4096. The driver owns TAIL (a doorbell): it
 * writes the index one past the last descriptor it handed to the device.
 * The device owns HEAD (read-only): the next descriptor it will process.
 * HEAD == TAIL means the device has nothing to do. Set BASE and LEN while
 * the ring is disabled (CTRL); enabling a ring resets HEAD and TAIL to 0.
 */
#define UVNIC_REG_TX_BASE	0x040	/* 64 */
#define UVNIC_REG_TX_LEN	0x048
#define UVNIC_REG_TX_TAIL	0x04c
#define UVNIC_REG_TX_HEAD	0x050
#define UVNIC_REG_RX_BASE	0x060	/* 64 */
#define UVNIC_REG_RX_LEN	0x068
#define UVNIC_REG_RX_TAIL	0x06c
#define UVNIC_REG_RX_HEAD	0x070
#define UVNIC_RING_MIN		8
#define UVNIC_RING_MAX		4096

/* Counters (read-only, 64 bits, cleared by CTRL_RESET only) */
#define UVNIC_REG_RX_PACKETS	0x100
#define UVNIC_REG_RX_BYTES	0x108
#define UVNIC_REG_TX_PACKETS	0x110
#define UVNIC_REG_TX_BYTES	0x118
#define UVNIC_REG_RX_NO_DESC	0x120	/* frames dropped: no RX descriptor */
#define UVNIC_REG_RX_ERRORS	0x128	/* frames dropped: descriptor error */
#define UVNIC_REG_TX_ERRORS	0x130	/* descriptors failed */
#define UVNIC_REG_DMA_ERRORS	0x138	/* DMA refused by the host */

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
