/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uvbus.h - the uvNIC user/kernel ABI: /dev/uvbus ioctls, the shared ring
 * layout and algorithm, and every message that crosses a ring.
 *
 * This is the ONE place these are defined. The kernel modules (uvbus.ko,
 * uvpci.ko) and libuvnic include this same file; nothing else may carry a
 * copy of the ring code or of a message layout.
 *
 * Overview (see uvbus(4)):
 *  - A channel is a named kernel object created with UVBUS_IOC_CREATE. Its
 *    type says who serves the kernel side: a loopback echo, or a uvPCI
 *    device (uvpci.ko).
 *  - A file descriptor attaches to one channel with UVBUS_IOC_ATTACH. Each
 *    attachment ("port") owns two single-producer/single-consumer rings of
 *    fixed-size messages: kernel->user (k2u) and user->kernel (u2k). Several
 *    processes may attach to one channel; each has its own rings, so every
 *    ring keeps exactly one producer.
 *  - mmap() of the attached descriptor maps both rings; the offsets of
 *    every field come back from UVBUS_IOC_ATTACH and must not be assumed.
 *  - Out-of-band signals: write() of one __u64 rings the kernel's doorbell;
 *    read() returns (and clears) the __u64 set of pending kernel->user
 *    signal bits; poll() reports POLLIN while that set is non-zero.
 */
#ifndef _UAPI_LINUX_UVBUS_H
#define _UAPI_LINUX_UVBUS_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/errno.h>

#define UVBUS_ABI_VERSION	1
#define UVBUS_DEVICE_PATH	"/dev/uvbus"

/* Channel names: 1..31 characters of [A-Za-z0-9_.-], NUL-terminated. */
#define UVBUS_NAME_MAX		32

/* Ring sizes: a power of two between these, in messages. */
#define UVBUS_RING_MIN_ENTRIES	2
#define UVBUS_RING_MAX_ENTRIES	4096
#define UVBUS_RING_DEF_ENTRIES	256

/* ------------------------------------------------------------------ */
/* Messages                                                            */
/* ------------------------------------------------------------------ */

/*
 * Message types. uvBus itself only moves messages; the channel's type
 * gives them meaning. Values below 0x100 belong to uvBus, 0x100.. to uvPCI.
 */
enum uvbus_msg_type {
	UVBUS_MSG_NOP		= 0,	/* ignored by every channel type */
	UVBUS_MSG_DATA		= 1,	/* opaque payload (loopback) */

	/* uvPCI, kernel -> device model */
	UVPCI_MSG_MMIO_WRITE	= 0x100, /* posted register write */
	UVPCI_MSG_MMIO_READ	= 0x101, /* non-posted: answer MMIO_CPL, same tag */
	UVPCI_MSG_CFG_WRITE	= 0x102, /* config space was written (posted) */
	UVPCI_MSG_DMA_CPL	= 0x103, /* data for a DMA_READ, same tag */
	UVPCI_MSG_ACK		= 0x104, /* status for a message sent with UVPCI_F_ACK */
	UVPCI_MSG_HOST_STATE	= 0x105, /* what the host enabled changed (posted) */

	/* uvPCI, device side -> kernel */
	UVPCI_MSG_MMIO_CPL	= 0x180, /* completion of an MMIO_READ */
	UVPCI_MSG_DMA_WRITE	= 0x181, /* write host memory (posted) */
	UVPCI_MSG_DMA_READ	= 0x182, /* read host memory: answered by DMA_CPL */
	UVPCI_MSG_MSI		= 0x183, /* raise an MSI vector (posted) */
	UVPCI_MSG_INTX		= 0x184, /* assert or deassert INTx (posted) */
	UVPCI_MSG_AER		= 0x185, /* report an error through AER (posted) */
};

/* uvbus_msg.flags; uvPCI refuses a message with any other flag, or len != 0 */
#define UVPCI_F_ACK		(1U << 0) /* posted u2k message: reply with UVPCI_MSG_ACK */

/* Register access (MMIO_READ, MMIO_WRITE, MMIO_CPL). */
struct uvpci_mmio {
	__u8	bar;		/* 0..5 */
	__u8	size;		/* 1, 2, 4 or 8 bytes; offset is size-aligned */
	__u16	reserved0;
	__s32	status;		/* MMIO_CPL: 0 or -errno (the value is then all-ones) */
	__u64	offset;		/* byte offset into the BAR */
	__u64	value;		/* written value, or the read's result */
};

/* Config space write notification. The kernel owns config space. */
struct uvpci_cfg {
	__u16	offset;		/* 0..4095 */
	__u8	size;		/* 1, 2 or 4 */
	__u8	reserved0;
	__u32	value;		/* the value written */
	__u32	reserved1[2];
};

/* uvpci_host_state.flags: the host-side state a device acts on */
#define UVPCI_HOST_MEMORY	(1U << 0) /* Memory Space Enable (command register) */
#define UVPCI_HOST_MASTER	(1U << 1) /* Bus Master Enable: the device may DMA */
#define UVPCI_HOST_INTX_DISABLE	(1U << 2) /* Interrupt Disable: INTx masked */
#define UVPCI_HOST_MSI		(1U << 3) /* MSI Enable */
#define UVPCI_HOST_MSIX		(1U << 4) /* MSI-X Enable */
#define UVPCI_HOST_MSIX_MASKALL	(1U << 5) /* MSI-X Function Mask: every vector masked */

/**
 * struct uvpci_host_state - UVPCI_MSG_HOST_STATE, sent to the model once
 * when it attaches (before any other message) and again, after the config
 * write that caused it, whenever one of these changes.
 * @flags:       UVPCI_HOST_*
 * @command:     the command register as it now reads
 * @msi_vectors: MSI vectors the driver enabled and the host accepts
 *               (0 .. msi_count; 0 while MSI is off)
 * @power_state: the D-state in the Power Management capability's PMCSR:
 *               0..3 = D0..D3hot
 * @generation:  grows by one with each change; a model that sees an older
 *               generation than one it already has ignores the message
 *               (two config writers may post theirs out of order)
 */
struct uvpci_host_state {
	__u32	flags;
	__u16	command;
	__u8	msi_vectors;
	__u8	power_state;
	__u32	generation;
	__u32	reserved[5];
};

/*
 * DMA as PCIe memory requests: at most UVPCI_DMA_MAX_BYTES, a dword-aligned
 * address, never crossing a 4 KiB boundary. first_be/last_be are the byte
 * enables of the first and last dword (bit n = byte n of that dword); a
 * one-dword request has last_be == 0. Enabled bytes must be contiguous.
 */
#define UVPCI_DMA_MAX_BYTES	128
#define UVPCI_DMA_BOUNDARY	4096

struct uvpci_dma {
	__u64	addr;		/* bus address (IOVA), 4-byte aligned */
	__u16	ndw;		/* dwords, 1..32 */
	__u8	first_be;
	__u8	last_be;
	__s32	status;		/* DMA_CPL: 0 or -errno */
	__u8	data[UVPCI_DMA_MAX_BYTES]; /* data[0] is the byte at addr */
};

struct uvpci_msi {
	__u32	vector;		/* 0 .. msi_count-1 */
	__u32	reserved0;
};

/*
 * INTx is a level: the host's handler runs while it is asserted and not
 * masked by Interrupt Disable, again after each run until the device
 * deasserts it (as an unacknowledged level-triggered line does). The
 * device has one pin, whichever port drives it; it is deasserted when
 * the model goes away.
 */
struct uvpci_intx {
	__u8	level;		/* 1 = assert, 0 = deassert */
	__u8	reserved0[3];
	__u32	reserved1;
};

/* uvpci_aer.severity: the error message a PCIe device sends */
#define UVPCI_AER_CORRECTABLE	0	/* ERR_COR */
#define UVPCI_AER_NONFATAL	1	/* ERR_NONFATAL */
#define UVPCI_AER_FATAL		2	/* ERR_FATAL */

/*
 * The AER status bits a uvPCI device may report: Uncorrectable Error
 * Status bits 4, 5, 12..25 (Data Link Protocol .. Poisoned TLP blocked),
 * Correctable Error Status bits 0, 6..8, 12..15 (Receiver Error ..
 * Header Log Overflow), as the PCIe spec numbers them.
 */
#define UVPCI_AER_UNC_BITS	0x03fff030
#define UVPCI_AER_COR_BITS	0x0000f1c1

/*
 * UVPCI_MSG_AER: the device detected an error. The host sets @status in
 * the AER capability's Uncorrectable (non-fatal, fatal) or Correctable
 * Error Status register, whatever the masks say, as a device logs it;
 * the error is reported (logged, the driver's err_handler run, as Linux's
 * AER driver does) only for bits the matching mask leaves clear, and only
 * if Device Control enables that kind of report. An uncorrectable
 * error's @status bits that are unmasked must all have the severity
 * (Uncorrectable Error Severity) that @severity says: a device sends
 * ERR_FATAL for the bits software made fatal, ERR_NONFATAL for the rest.
 */
struct uvpci_aer {
	__u8	severity;	/* UVPCI_AER_* */
	__u8	reserved0[3];
	__u32	status;		/* non-zero, within UVPCI_AER_COR_BITS or _UNC_BITS */
	__u32	reserved1[2];
};

/*
 * UVPCI_MSG_ACK: outcome of the u2k messages of the same port since that
 * port's previous ACK, DMA_READs excepted; its tag is the acknowledged
 * message's. The errors: -EINVAL malformed (unknown type or flags, len or
 * a reserved field set, a bad DMA shape, an MMIO_CPL not from the model
 * port, an AER severity or status bits outside the above, an uncorrectable
 * error whose bits' severity is not the one sent), -EFAULT DMA outside every live mapping, -EACCES DMA against the
 * mapping's direction, -EPERM DMA with bus mastering off or MSI not
 * enabled, -ERANGE an MSI vector the device lacks or the driver did not
 * allocate, or INTx on a device without an interrupt pin, -ENODEV the
 * model is gone.
 * Each refusal is reported once, with the request that caused it: a
 * DMA_READ, even a malformed one, is always answered by its own DMA_CPL
 * carrying its status, and is never counted in an ACK; every other
 * message has no reply of its own, so its refusal waits for the next ACK.
 */
struct uvpci_ack {
	__s32	status;		/* 0, or the first -errno since the last ACK */
	__u32	faults;		/* refused messages since the last ACK, reads not counted */
};

#define UVBUS_MSG_SIZE		256
#define UVBUS_MSG_HDR_SIZE	16
#define UVBUS_MSG_DATA_SIZE	(UVBUS_MSG_SIZE - UVBUS_MSG_HDR_SIZE)

/**
 * struct uvbus_msg - one ring slot; every message has this fixed size.
 * @type:  enum uvbus_msg_type
 * @flags: UVPCI_F_* for uvPCI messages, 0 otherwise
 * @len:   bytes of @data in use (UVBUS_MSG_DATA); 0 for typed messages
 * @tag:   matches a completion to its request; opaque to uvBus
 */
struct uvbus_msg {
	__u16	type;
	__u16	flags;
	__u32	len;
	__u64	tag;
	union {
		__u8			data[UVBUS_MSG_DATA_SIZE];
		struct uvpci_mmio	mmio;
		struct uvpci_cfg	cfg;
		struct uvpci_dma	dma;
		struct uvpci_msi	msi;
		struct uvpci_intx	intx;
		struct uvpci_aer	aer;
		struct uvpci_ack	ack;
		struct uvpci_host_state	host;
	};
};

/* ------------------------------------------------------------------ */
/* Signals                                                             */
/* ------------------------------------------------------------------ */

/*
 * Bit 0 in both directions means "the ring you consume has new messages".
 * User->kernel: write() of a __u64; bit 0 makes the kernel drain this
 * port's u2k ring; the other bits go to the channel type (a loopback
 * channel echoes them back). Kernel->user: read() returns and clears the
 * pending set. Bits 1..15 are reserved for uvBus; 16..63 are free for
 * channel types and applications.
 */
#define UVBUS_SIG_RING		(1ULL << 0)
#define UVBUS_SIG_USER_SHIFT	16
/* Bits 1..15: a write() setting one of them is refused with -EINVAL. */
#define UVBUS_SIG_RESERVED	(((1ULL << UVBUS_SIG_USER_SHIFT) - 1) & ~UVBUS_SIG_RING)

/* ------------------------------------------------------------------ */
/* Shared ring layout                                                  */
/* ------------------------------------------------------------------ */

/**
 * struct uvbus_ring_offsets - where one ring lives in the port's mapping.
 * @head:    offset of the __u32 consumer index
 * @tail:    offset of the __u32 producer index
 * @flags:   offset of the __u32 ring flags (UVBUS_RING_F_*), written by
 *           the ring's consumer only
 * @entries: number of slots, a power of two
 * @slots:   offset of the first struct uvbus_msg
 *
 * Indices run freely and wrap at 2^32; slot = index & (entries - 1).
 * The ring holds tail - head messages, never more than @entries.
 */
/*
 * UVBUS_RING_F_POLLING, in the u2k ring's flags: the kernel is spinning on
 * this ring (an MMIO read waiting for its completion), so a doorbell after
 * a push is not needed, as virtio's VRING_USED_F_NO_NOTIFY. The producer
 * checks it after publishing its tail, with a full barrier between
 * (uvbus_ring_needs_bell()); the kernel, when it stops spinning, clears
 * it, then looks at the ring once more, so nothing published meanwhile
 * waits for a doorbell that never comes. Advisory: a bell rung anyway
 * does no harm, and old userspace, which always rings, keeps working.
 * The kernel never reads the k2u flags.
 */
#define UVBUS_RING_F_POLLING	(1U << 0)

struct uvbus_ring_offsets {
	__u32	head;
	__u32	tail;
	__u32	flags;
	__u32	entries;
	__u64	slots;
	__u32	reserved[2];
};

/* ------------------------------------------------------------------ */
/* ioctls                                                              */
/* ------------------------------------------------------------------ */

/* Every reserved field below must be zero: the kernel returns -EINVAL. */

struct uvbus_version {
	__u32	abi;		/* out: UVBUS_ABI_VERSION */
	__u32	msg_size;	/* out: UVBUS_MSG_SIZE */
	__u32	max_entries;	/* out: UVBUS_RING_MAX_ENTRIES */
	__u32	reserved[5];
};

enum uvbus_channel_type {
	UVBUS_TYPE_LOOPBACK	= 1,	/* the kernel echoes each message back */
	UVBUS_TYPE_UVPCI	= 2,	/* a uvPCI device (needs uvpci.ko) */
};

/*
 * uvbus_create.flags. UVBUS_CREATE_HELD (uvPCI only, -EINVAL otherwise):
 * the device is on the bus but no driver binds to it, not even through
 * sysfs bind, until UVPCI_IOC_RELEASE; a model can attach meanwhile, so
 * that the driver's probe finds it. uvbus_info.flags keeps the bit while
 * the device is held. A module older than the flag refuses it (-EINVAL).
 */
#define UVBUS_CREATE_EPHEMERAL	(1U << 0) /* destroyed when the creating fd closes */
#define UVBUS_CREATE_HELD	(1U << 1) /* uvPCI: no driver binds until released */

/* uvpci_bar.flags */
#define UVPCI_BAR_64		(1U << 0) /* 64-bit memory BAR (takes two slots) */
#define UVPCI_BAR_PREFETCH	(1U << 1)
#define UVPCI_BAR_IO		(1U << 2) /* an I/O BAR, 16..256 bytes (not 64, not prefetch) */

#define UVPCI_NUM_BARS		6
#define UVPCI_MAX_MSI		32
#define UVPCI_MAX_MSIX		2048	/* the MSI-X Table Size field's limit */
/* MSI-X table entries and the PBA's qwords, as the PCI spec lays them out */
#define UVPCI_MSIX_ENTRY_SIZE	16
#define UVPCI_MSIX_TABLE_SIZE(n)	((__u64)(n) * UVPCI_MSIX_ENTRY_SIZE)
#define UVPCI_MSIX_PBA_SIZE(n)	((((__u64)(n) + 63) / 64) * 8)
/* uvpci_params.intx_pin: 0 = none, else INTA..INTD as the Interrupt Pin register */
#define UVPCI_INTX_PIN_MAX	4

struct uvpci_bar {
	__u64	size;		/* 0 = unused, else a power of two >= 16 */
	__u32	flags;		/* UVPCI_BAR_* */
	__u32	reserved;
};

/**
 * struct uvpci_params - identity and resources of a uvPCI device.
 * @timeout_us:  non-posted read timeout; 0 = the module default (50 ms)
 * @msix_count:  MSI-X table entries, 0 (no MSI-X capability) ..
 *               UVPCI_MAX_MSIX; a module older than MSI-X refuses it
 * @msix_bar:    the BAR that holds the MSI-X table and PBA (not the upper
 *               half of a 64-bit BAR)
 * @msix_offset: where the table starts in that BAR, a multiple of 8; the
 *               PBA follows it at @msix_offset + UVPCI_MSIX_TABLE_SIZE(),
 *               and both fit in the BAR. uvPCI keeps table and PBA itself,
 *               as it keeps config space: the model never sees accesses to
 *               them (UVPCI_IOC_MSIX reads their state)
 * @reserved3:   zero
 */
struct uvpci_params {
	__u16	vendor;
	__u16	device;
	__u16	subvendor;
	__u16	subdevice;
	__u32	class_code;	/* 24 bits: base class, sub class, prog-if */
	__u8	revision;
	__u8	msi_count;	/* 0..UVPCI_MAX_MSI */
	__u8	intx_pin;	/* 0 (none) .. UVPCI_INTX_PIN_MAX; older modules refuse it */
	__u8	reserved0;
	__u32	timeout_us;
	__u32	reserved1[3];
	struct uvpci_bar bar[UVPCI_NUM_BARS];
	__u16	msix_count;
	__u8	msix_bar;
	__u8	reserved3;
	__u32	msix_offset;
	__u32	reserved2[6];
};

struct uvbus_create {
	char	name[UVBUS_NAME_MAX];
	__u32	type;		/* enum uvbus_channel_type */
	__u32	flags;		/* UVBUS_CREATE_* */
	__u32	reserved[6];
	union {
		struct uvpci_params	pci;	/* UVBUS_TYPE_UVPCI */
		__u64			raw[32];/* zero for LOOPBACK */
	};
};

/* uvbus_attach.flags */
#define UVBUS_ATTACH_MODEL	(1U << 0) /* the device model: receives requests; one at a time */

/**
 * struct uvbus_attach - attach this fd to a channel and get its rings.
 * @entries:   in: ring size wanted (0 = default); out: the size granted
 * @mmap_size: out: the exact length to pass to mmap() at offset 0
 */
struct uvbus_attach {
	char	name[UVBUS_NAME_MAX];
	__u32	flags;
	__u32	entries;
	__u64	mmap_size;
	struct uvbus_ring_offsets k2u;	/* out */
	struct uvbus_ring_offsets u2k;	/* out */
	__u32	reserved[8];
};

/* uvbus_info.state */
enum uvbus_channel_state {
	UVBUS_STATE_OK		= 0,
	UVBUS_STATE_BROKEN	= 1,	/* a peer corrupted a ring; see dmesg */
};

/**
 * struct uvbus_info - a channel's identity and counters.
 * @index: UVBUS_IOC_LIST: in, 0-based position; -ENOENT past the last
 * @name:  UVBUS_IOC_INFO: in; UVBUS_IOC_LIST: out
 */
struct uvbus_info {
	char	name[UVBUS_NAME_MAX];
	__u32	index;
	__u32	type;
	__u32	flags;		/* UVBUS_CREATE_*; HELD only while still held */
	__u32	state;
	__u32	ports;		/* attached descriptors */
	__u32	reserved0;
	__u64	k2u_msgs;	/* messages the kernel produced */
	__u64	u2k_msgs;	/* messages the kernel consumed */
	__u64	k2u_full;	/* sends refused because a k2u ring was full */
	__u64	signals_in;	/* write()s received */
	__u64	signals_out;	/* signals raised to userspace */
	__u64	errors;		/* malformed messages and refused requests */
	struct uvpci_params pci; /* out, UVBUS_TYPE_UVPCI only */
	__u32	reserved[8];
};

struct uvbus_name {
	char	name[UVBUS_NAME_MAX];
	__u32	reserved[8];
};

/*
 * Host-side register access to a uvPCI device, down the same path as a
 * driver's (the model sees it): uvpci-peek and uvpci-poke.
 */
struct uvpci_mmio_req {
	char	name[UVBUS_NAME_MAX];
	__u8	bar;
	__u8	size;		/* 1, 2, 4, 8 */
	__u8	write;		/* 1 = write @value, 0 = read into @value */
	__u8	reserved0;
	__u32	reserved1;
	__u64	offset;
	__u64	value;
	__u32	reserved[4];
};

#define UVBUS_IOC_MAGIC		0xBC
/* ioctl numbers from here up belong to channel types (UVPCI_IOC_MMIO, ...). */
#define UVBUS_IOC_TYPE_FIRST	0x40

#define UVBUS_IOC_VERSION	_IOR(UVBUS_IOC_MAGIC, 0x00, struct uvbus_version)
#define UVBUS_IOC_CREATE	_IOW(UVBUS_IOC_MAGIC, 0x01, struct uvbus_create)
#define UVBUS_IOC_DESTROY	_IOW(UVBUS_IOC_MAGIC, 0x02, struct uvbus_name)
#define UVBUS_IOC_ATTACH	_IOWR(UVBUS_IOC_MAGIC, 0x03, struct uvbus_attach)
#define UVBUS_IOC_INFO		_IOWR(UVBUS_IOC_MAGIC, 0x04, struct uvbus_info)
#define UVBUS_IOC_LIST		_IOWR(UVBUS_IOC_MAGIC, 0x05, struct uvbus_info)
#define UVBUS_IOC_RESET		_IOW(UVBUS_IOC_MAGIC, 0x06, struct uvbus_name)
#define UVPCI_IOC_MMIO		_IOWR(UVBUS_IOC_MAGIC, 0x40, struct uvpci_mmio_req)
/*
 * Let drivers bind to a device created with UVBUS_CREATE_HELD: the bus
 * probes it at once, before the ioctl returns. Needs CAP_SYS_ADMIN.
 * -EALREADY if the device is not held (any more), -ENOENT if there is no
 * such channel, -ENOTTY if it is not a uvPCI device.
 */
#define UVPCI_IOC_RELEASE	_IOW(UVBUS_IOC_MAGIC, 0x41, struct uvbus_name)

/* uvpci_msix_state.flags */
#define UVPCI_MSIX_ENABLED	(1U << 0) /* MSI-X Enable is set in config space */
#define UVPCI_MSIX_MASKALL	(1U << 1) /* Function Mask is set */

/**
 * struct uvpci_msix_state - UVPCI_IOC_MSIX: what the device side sees of
 * its MSI-X table, which the host owns: which vectors the driver masked
 * and which are pending (fired while masked; delivered, and the bit
 * cleared, when unmasked). Needs CAP_SYS_ADMIN, as any device-side access.
 * @name:    in: the device
 * @count:   out: table entries (0: the device has no MSI-X); the bits of
 *           @mask and @pending from @count up are 0
 * @flags:   out: UVPCI_MSIX_*
 * @mask:    out: bit n (of @mask[n / 64]) = entry n's Mask bit
 * @pending: out: the Pending Bit Array, laid out the same way
 * @reserved0: zero
 * @reserved:  zero
 */
struct uvpci_msix_state {
	char	name[UVBUS_NAME_MAX];
	__u16	count;
	__u16	flags;
	__u32	reserved0;
	__u64	mask[UVPCI_MAX_MSIX / 64];
	__u64	pending[UVPCI_MAX_MSIX / 64];
	__u32	reserved[4];
};

#define UVPCI_IOC_MSIX		_IOWR(UVBUS_IOC_MAGIC, 0x42, struct uvpci_msix_state)

/* ------------------------------------------------------------------ */
/* The ring algorithm, shared by the kernel and libuvnic               */
/* ------------------------------------------------------------------ */

/*
 * Acquire/release on the indices is the whole synchronisation: a producer
 * fills slots, then publishes tail with release; the consumer loads tail
 * with acquire before reading slots, and publishes head with release once
 * it has copied them out, so the producer (loading head with acquire) never
 * overwrites a slot still being read.
 */
#ifdef __KERNEL__
#include <linux/string.h>
#include <asm/barrier.h>
/* acquire: later reads of the ring's slots stay after this index load */
#define __uvbus_load_acquire(p)		smp_load_acquire(p)
/* release: earlier slot accesses complete before the index store */
#define __uvbus_store_release(p, v)	smp_store_release(p, v)
#else
#include <string.h>
#define __uvbus_load_acquire(p)		__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define __uvbus_store_release(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)
#endif

/*
 * How much of a slot a message uses: the 16-byte header and the payload
 * its type and length give, so that the ring copies that and not the
 * whole 256-byte slot (a 64-byte payload moves two cache lines, not four).
 * Computed from a private copy of the header and the first payload bytes,
 * never from the shared slot, and bounded by UVBUS_MSG_SIZE whatever a
 * hostile peer wrote: a length too large for its message copies the whole
 * slot and is refused by the message's own validation (len > 240,
 * ndw > 32). Bytes past this size are not carried; a receiver must not
 * read them. The first UVBUS_MSG_MIN_COPY bytes are always carried.
 */
#define UVBUS_MSG_MIN_COPY	64

static inline __u32 uvbus_msg_bytes(const struct uvbus_msg *m)
{
	__u32 n;

	switch (m->type) {
	case UVBUS_MSG_NOP:
		return UVBUS_MSG_HDR_SIZE;
	case UVBUS_MSG_DATA:
		if (m->len > UVBUS_MSG_DATA_SIZE)
			return UVBUS_MSG_SIZE;
		return UVBUS_MSG_HDR_SIZE + m->len;
	case UVPCI_MSG_MMIO_WRITE:
	case UVPCI_MSG_MMIO_READ:
	case UVPCI_MSG_MMIO_CPL:
	case UVPCI_MSG_CFG_WRITE:
	case UVPCI_MSG_ACK:
	case UVPCI_MSG_HOST_STATE:
	case UVPCI_MSG_MSI:
	case UVPCI_MSG_INTX:
	case UVPCI_MSG_AER:
	case UVPCI_MSG_DMA_READ:
		/* fixed payloads, all within the first cache line */
		return UVBUS_MSG_MIN_COPY;
	case UVPCI_MSG_DMA_CPL:
	case UVPCI_MSG_DMA_WRITE:
		n = m->dma.ndw;
		if (n > UVPCI_DMA_MAX_BYTES / 4)
			return UVBUS_MSG_SIZE;
		return UVBUS_MSG_HDR_SIZE + 16 + n * 4;
	default:
		/* unknown to the ring: carried whole, for its channel to judge */
		return UVBUS_MSG_SIZE;
	}
}

/*
 * Copy one message: its first cache line, then what its header (in the
 * copy @dst, not the shared @src) says follows.
 */
static inline void uvbus_msg_copy(struct uvbus_msg *dst,
				  const struct uvbus_msg *src)
{
	__u32 n;

	memcpy(dst, src, UVBUS_MSG_MIN_COPY);
	n = uvbus_msg_bytes(dst);
	if (n > UVBUS_MSG_MIN_COPY)
		memcpy((char *)dst + UVBUS_MSG_MIN_COPY,
		       (const char *)src + UVBUS_MSG_MIN_COPY,
		       n - UVBUS_MSG_MIN_COPY);
}

/**
 * struct uvbus_ring - one side's private view of a shared ring.
 * @head, @tail, @flags: the shared indices, inside the mapping
 * @slots:   the shared slot array
 * @entries: slot count (a power of two), from this side's own knowledge
 * @local:   this side's own index (tail for the producer, head for the
 *           consumer). Authoritative: the shared copy is only ever
 *           written from it, never read back, so a peer scribbling on it
 *           cannot mislead this side.
 * @peer:    the peer's index as last loaded (and validated) by this side:
 *           head for the producer, tail for the consumer. The shared
 *           index is loaded again only when this copy makes the ring look
 *           full (producer) or empty (consumer), so the peer's cache line
 *           moves once per burst, not once per message. A @peer that is
 *           impossible against @local only causes a reload.
 */
struct uvbus_ring {
	__u32			*head;
	__u32			*tail;
	__u32			*flags;
	struct uvbus_msg	*slots;
	__u32			entries;
	__u32			local;
	__u32			peer;
};

/* Point @r at a ring inside a mapping that starts at @base. */
static inline void uvbus_ring_setup(struct uvbus_ring *r, void *base,
				    const struct uvbus_ring_offsets *off)
{
	char *b = (char *)base;

	r->head = (__u32 *)(b + off->head);
	r->tail = (__u32 *)(b + off->tail);
	r->flags = (__u32 *)(b + off->flags);
	r->slots = (struct uvbus_msg *)(b + off->slots);
	r->entries = off->entries;
	r->local = 0;
	/* peer unknown: the ring looks full and empty, so the first use loads it */
	r->peer = 0U - off->entries;
}

/* Take over a ring at index @index (its shared index already says so). */
static inline void uvbus_ring_start(struct uvbus_ring *r, __u32 index)
{
	r->local = index;
	r->peer = index - r->entries;
}

/*
 * Free slots for the producer, loading the consumer's head afresh, or
 * -EPROTO if that head is impossible (it claims to have consumed what
 * was never produced).
 */
static inline int uvbus_ring_space(struct uvbus_ring *r)
{
	/* acquire: the consumer's reads of the slots it released are done */
	__u32 head = __uvbus_load_acquire(r->head);
	__u32 used = r->local - head;

	if (used > r->entries)
		return -EPROTO;
	r->peer = head;
	return (int)(r->entries - used);
}

/*
 * Messages ready for the consumer, loading the producer's tail afresh, or
 * -EPROTO if that tail is impossible (more than the ring can hold, or
 * behind our head).
 */
static inline int uvbus_ring_ready(struct uvbus_ring *r)
{
	/* acquire: the slots the producer filled before this tail are visible */
	__u32 tail = __uvbus_load_acquire(r->tail);
	__u32 avail = tail - r->local;

	if (avail > r->entries)
		return -EPROTO;
	r->peer = tail;
	return (int)avail;
}

/* Free slots as the cached head gives them (0 if that cache is impossible). */
static inline unsigned int __uvbus_ring_space_cached(const struct uvbus_ring *r)
{
	__u32 used = r->local - r->peer;

	return used > r->entries ? 0 : r->entries - used;
}

/* Ready messages as the cached tail gives them (0 if impossible). */
static inline unsigned int __uvbus_ring_ready_cached(const struct uvbus_ring *r)
{
	__u32 avail = r->peer - r->local;

	return avail > r->entries ? 0 : avail;
}

/*
 * Producer: copy up to @n messages in and publish them with one index
 * update. Returns how many went in (0 when full), or -EPROTO.
 */
static inline int uvbus_ring_push(struct uvbus_ring *r,
				  const struct uvbus_msg *msgs, unsigned int n)
{
	unsigned int space = __uvbus_ring_space_cached(r);
	__u32 mask = r->entries - 1;
	unsigned int i;

	if (space < n) {
		int fresh = uvbus_ring_space(r);

		if (fresh < 0)
			return fresh;
		space = (unsigned int)fresh;
	}
	if (n > space)
		n = space;
	for (i = 0; i < n; i++)
		memcpy(&r->slots[(r->local + i) & mask], &msgs[i],
		       uvbus_msg_bytes(&msgs[i]));
	r->local += n;
	/* release: the slot contents above are visible before the new tail */
	__uvbus_store_release(r->tail, r->local);
	return (int)n;
}

/*
 * Producer, after a push: false while the consumer says it is spinning on
 * the ring (UVBUS_RING_F_POLLING), so the doorbell can be skipped.
 */
static inline int uvbus_ring_needs_bell(const struct uvbus_ring *r)
{
#ifdef __KERNEL__
	smp_mb();	/* our tail store before the consumer's flag load */
	return !(READ_ONCE(*r->flags) & UVBUS_RING_F_POLLING);
#else
	/*
	 * A fully ordered RMW that changes nothing (a fence TSan can see):
	 * our tail store is visible before the consumer's flag is read.
	 */
	return !(__atomic_fetch_or(r->flags, 0, __ATOMIC_SEQ_CST) & UVBUS_RING_F_POLLING);
#endif
}

/*
 * Consumer: copy up to @n messages out (the caller validates the copies,
 * never the shared slots) and release their slots with one index update.
 * Each copy holds what uvbus_msg_bytes() gives; the rest of the caller's
 * struct is left as it was. Returns how many came out (0 when empty), or
 * -EPROTO.
 */
static inline int uvbus_ring_pop(struct uvbus_ring *r, struct uvbus_msg *msgs,
				 unsigned int n)
{
	unsigned int avail = __uvbus_ring_ready_cached(r);
	__u32 mask = r->entries - 1;
	unsigned int i;

	if (avail < n) {
		int fresh = uvbus_ring_ready(r);

		if (fresh < 0)
			return fresh;
		avail = (unsigned int)fresh;
	}
	if (n > avail)
		n = avail;
	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		uvbus_msg_copy(&msgs[i], &r->slots[(r->local + i) & mask]);
	r->local += n;
	/* release: our copies are complete before the producer may reuse the slots */
	__uvbus_store_release(r->head, r->local);
	return (int)n;
}

#endif /* _UAPI_LINUX_UVBUS_H */
