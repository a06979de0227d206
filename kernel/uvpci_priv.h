/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uvpci.ko's insides, shared by its source files; drivers
 * include uvpci.h only.
 *
 * Files: uvpci_main.c (module, bus, driver model, sysfs, the uvBus channel
 * type), uvpci_config.c (config space, enable, bus master, regions),
 * uvpci_mmio.c (BAR cookies, register files, the model, non-posted reads),
 * uvpci_msi.c (IRQ domain, vectors, MSI from the device),
 * uvpci_dma.c (dma_map_ops, IOVAs, DMA from the device), uvpci_aer.c
 * (errors the device reports, the driver's recovery).
 *
 * Locking, outermost first:
 *	uvbus_lock (uvbus.ko)	create/destroy of devices
 *	device_lock(&udev->dev)	driver bind/unbind
 *	d->msi_mutex		vector allocation
 *	uvbus port->rx_lock	rx callbacks run under it, interrupts off
 *	d->lock			model, gone, pending reads, port states
 *	d->msi_lock		allocated vectors, as seen by MSI delivery
 *	d->dma_lock		the mapping tree, DMA copies
 *	d->cfg_lock		config space bytes
 *	d->aer_lock		AER errors waiting for aer_work (not nested)
 *	the register files' xa_lock
 */
#ifndef _UVPCI_PRIV_H
#define _UVPCI_PRIV_H

#include <linux/hrtimer.h>
#include <linux/iova.h>
#include <linux/irq_work.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/smp.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "uvbus_core.h"
#include "uvpci.h"

#define UVPCI_CFG_SIZE		4096
#define UVPCI_PM_CAP		0x40	/* the Power Management capability */
#define UVPCI_MSI_CAP		0x50	/* where the MSI capability lives */
#define UVPCI_MSIX_CAP		0x60	/* the MSI-X capability */
#define UVPCI_PCIE_CAP		0x70	/* the PCI Express endpoint capability */
#define UVPCI_AER_CAP		0x100	/* the AER extended capability */
/* Device Capabilities' Max_Payload_Size Supported: 1 = 256 bytes. */
#define UVPCI_PCIE_MPS_CAP	1
/* Uncorrectable Error Severity's default: DLP, Surprise Down, FCP, RX overflow, malformed TLP fatal. */
#define UVPCI_AER_SEVER_DEF	0x00062030
/* Config space with writable bits: the header, the capabilities, AER. */
#define UVPCI_CFG_WMASK_SIZE	(UVPCI_AER_CAP + PCI_ERR_ROOT_COMMAND)

/* Biggest I/O BAR, as PCI's. */
#define UVPCI_IO_BAR_MAX	256

/* Biggest BAR; and the most a read may be told to wait. */
#define UVPCI_BAR_MAX		(256ULL << 20)
#define UVPCI_TIMEOUT_MAX_US	(10 * USEC_PER_SEC)

/*
 * The bus's address space: a private resource tree (never iomem_resource)
 * whose addresses are bus addresses plus UVPCI_CPU_OFFSET, as behind a
 * host bridge that translates. The offset puts every BAR above 2^52, past
 * any CPU's physical address width, so an ioremap() of a BAR fails loudly.
 * 32-bit BARs get bus addresses in [2 GiB, 4 GiB), 64-bit ones above 4 GiB.
 */
#define UVPCI_CPU_OFFSET	0x00f0000000000000ULL
#define UVPCI_BUS32_MIN		0x80000000ULL
#define UVPCI_BUS32_MAX		0xffffffffULL
#define UVPCI_BUS64_MIN		0x100000000ULL
#define UVPCI_BUS64_MAX		0xffffffffffULL		/* 1 TiB */

/*
 * BAR cookies: not addresses, tokens. Bit layout of the value uvpci_iomap()
 * returns (plus the driver's register offsets):
 *	63..56	0x7f: bit 63 clear and bit 62 set, non-canonical with 4- and
 *		5-level paging, so any dereference takes a general protection
 *		fault at once instead of touching memory
 *	55..51	zero
 *	50..35	device slot (1..65535)
 *	34..32	BAR
 *	31..0	offset inside the BAR (BARs are at most 256 MiB, so an offset
 *		that ran past the BAR is still caught here)
 */
#define UVPCI_COOKIE_TAG	0x7f00000000000000ULL
#define UVPCI_COOKIE_TAG_MASK	0xfff8000000000000ULL
#define UVPCI_COOKIE_SLOT_SHIFT	35
#define UVPCI_COOKIE_SLOT_MASK	0xffffU
#define UVPCI_COOKIE_BAR_SHIFT	32
#define UVPCI_COOKIE_BAR_MASK	0x7U
#define UVPCI_COOKIE_OFF_MASK	0xffffffffULL
#define UVPCI_SLOT_MAX		0xffff

/* uvpci_device.stall_flags bits */
#define UVPCI_STALL_LOGGED	0	/* a posted-write stall was logged */

/* uvpci_device.msi_flags bits */
#define UVPCI_MSI_IPI_QUEUED	0	/* msi_csd is queued, its run not begun */

/* In msi_pending, after the MSI vectors: INTx is to be delivered. */
#define UVPCI_INTX_PENDING	UVPCI_MAX_MSI
/* In msi_pending: MSI-X entries wait in msix_deliver. */
#define UVPCI_MSIX_PENDING	(UVPCI_MAX_MSI + 1)

/* Counters, shown by the channel's debugfs file. */
struct uvpci_stats {
	atomic64_t reads;		/* non-posted reads, all paths */
	atomic64_t writes;		/* posted writes, all paths */
	atomic64_t host_accesses;	/* of which UVPCI_IOC_MMIO */
	atomic64_t read_timeouts;
	atomic64_t read_gone;		/* answered all-ones: model gone */
	atomic64_t write_drops;		/* model gone or dead, or writer killed */
	atomic64_t cpl_stale;		/* completions nobody waited for */
	atomic64_t cpl_errors;		/* completions with a status */
	atomic64_t bad_cookie;		/* accesses through a bad cookie */
	atomic64_t regfile_nomem;
	atomic64_t cfg_writes;
	atomic64_t dma_writes;
	atomic64_t dma_reads;
	atomic64_t dma_bytes;
	atomic64_t dma_faults;
	atomic64_t msi;			/* MSIs accepted from the device */
	atomic64_t msi_refused;
	atomic64_t msix_masked;		/* MSI-X fired while masked: pending */
	atomic64_t intx;		/* INTx level changes accepted */
	atomic64_t intx_runs;		/* INTx handler runs started */
	atomic64_t intx_refused;
	atomic64_t aer;			/* AER errors logged */
	atomic64_t aer_refused;
	atomic64_t malformed;		/* messages refused as malformed */
	atomic64_t acks;
};

/* One outstanding non-posted read, on the reader's stack. */
struct uvpci_pending {
	struct list_head node;
	u64 tag;
	u64 value;
	int status;
	bool done;			/* written with release, read with acquire */
};

/*
 * What uvPCI remembers about each port attached to the device: the
 * sticky status reported by the next UVPCI_MSG_ACK, and replies that found
 * the port's ring full (rx then returns -EAGAIN and uvBus offers the same
 * message again, which only flushes them).
 */
struct uvpci_port_state {
	struct list_head node;
	struct uvbus_port *port;
	s32 status;			/* first -errno since the last ACK */
	u32 faults;			/* refused requests since the last ACK */
	unsigned int nowed;		/* replies waiting in @owed */
	int owed_rc;			/* rx's result for the held message */
	struct uvbus_msg owed[2];	/* a DMA_CPL and/or an ACK */
};

/* One live DMA mapping: the only memory the device may touch. */
struct uvpci_dma_map {
	struct rb_node node;
	dma_addr_t addr;		/* first bus address */
	size_t size;			/* bytes */
	struct page *page;		/* backing memory: first page ... */
	unsigned int offset;		/* ... and the offset into it of @addr */
	enum dma_data_direction dir;
	bool coherent;			/* from dma_alloc_coherent() */
	unsigned long pfn_lo;		/* the IOVA range */
};

/**
 * struct uvpci_device - everything uvpci.ko keeps per device.
 * @udev:     what drivers see; first, so one allocation serves both
 * @ch:       the uvBus channel that made the device
 * @slot:     index in the cookie table (cookies carry it)
 * @params:   the validated creation parameters
 * @timeout_us: non-posted read timeout
 * @users:    cookie accesses in progress (destroy waits for none)
 * @enable_cnt: uvpci_enable_device() calls not undone
 * @regions:  BARs claimed with uvpci_request_region()
 */
struct uvpci_device {
	struct uvpci_dev udev;
	struct uvbus_channel *ch;
	unsigned int slot;
	struct uvpci_params params;
	u32 timeout_us;
	atomic_t users;
	atomic_t enable_cnt;
	atomic_t held;			/* UVBUS_CREATE_HELD: match() refuses every driver */
	unsigned long regions;		/* BARs claimed by the driver (bitops) */

	/* config space */
	spinlock_t cfg_lock;		/* cfg */
	u8 cfg[UVPCI_CFG_SIZE];
	u8 cfg_wmask[UVPCI_CFG_WMASK_SIZE];	/* writable bits */
	bool mem_on;			/* PCI_COMMAND_MEMORY */
	bool io_on;			/* PCI_COMMAND_IO: the I/O BARs decode */
	bool master_on;			/* PCI_COMMAND_MASTER */
	bool msi_on;			/* PCI_MSI_FLAGS_ENABLE */
	bool msix_on;			/* PCI_MSIX_FLAGS_ENABLE */
	bool msix_maskall;		/* PCI_MSIX_FLAGS_MASKALL */
	bool intx_off;			/* PCI_COMMAND_INTX_DISABLE */
	struct uvpci_host_state host;	/* as last told to the model (cfg_lock) */

	/* MMIO: the model and non-posted reads */
	spinlock_t lock;		/* model, gone, pending, ports */
	struct uvbus_port *model;
	bool gone;			/* the model went away; no RESET since */
	bool ring_stuck;		/* its ring stayed full a whole timeout */
	unsigned long stall_flags;	/* UVPCI_STALL_* (atomic bitops) */
	u64 next_tag;
	struct list_head pending;
	struct list_head ports;		/* struct uvpci_port_state */
	atomic_t inflight;		/* accesses using @model outside @lock */
	wait_queue_head_t wq;		/* readers that sleep */
	struct xarray regs[UVPCI_NUM_BARS];	/* register files: pages */
	atomic_t regfile_pages;
	atomic_t bar_maps[UVPCI_NUM_BARS];	/* iomap cookies given out */

	/* MSI */
	struct mutex msi_mutex;		/* vector (de)allocation */
	spinlock_t msi_lock;		/* msi_nvec, msi_irqs */
	struct fwnode_handle *msi_fwnode;
	struct irq_domain *msi_domain;
	unsigned int msi_nvec;
	unsigned int msi_irqs[UVPCI_MAX_MSI];
	unsigned long msi_pending;	/* vectors to deliver (atomic bitops) */
	unsigned long msi_flags;	/* UVPCI_MSI_* (atomic bitops) */
	struct irq_work msi_work;	/* delivery on this CPU */
	call_single_data_t msi_csd;	/* delivery on another CPU */
	atomic_t msi_remote;		/* such deliveries queued or running */
	unsigned int msi_model_cpu;	/* CPU of the model's last kick */
	bool msi_leaked;		/* a driver left an IRQ requested */

	/*
	 * MSI-X: the table and PBA uvPCI keeps in a BAR (msi_lock), and the
	 * vectors allocated from it. msi_nvec counts them too, msix_mode
	 * says which kind they are.
	 */
	u32 *msix_table;		/* 4 dwords per entry, as in the BAR */
	unsigned long *msix_pba;	/* the Pending Bit Array */
	unsigned long *msix_deliver;	/* entries to deliver (atomic bitops) */
	unsigned int *msix_irqs;	/* entry -> Linux IRQ, 0: not allocated */
	u16 *msix_vecs;			/* vector -> entry */
	bool msix_mode;			/* the vectors are MSI-X (msi_lock) */

	/* INTx (with a pin): one Linux IRQ, level flow, for the device's life */
	unsigned int intx_irq;		/* 0 without a pin */
	bool intx_level;		/* asserted by the device (msi_lock) */
	bool intx_vector;		/* allocated with PCI_IRQ_LEGACY (msi_mutex) */
	bool intx_leaked;		/* a driver left its handler requested */
	struct hrtimer intx_timer;	/* runs the handler again while asserted */

	/* DMA */
	spinlock_t dma_lock;		/* the mappings, DMA copies */
	struct rb_root dma_maps;
	unsigned int dma_nmaps;
	bool dma_dead;
	struct iova_domain iovad;

	/* managed (pcim_*) state, saved config space (device lock) */
	bool pcim_managed;		/* uvpcim_enable_device() */
	bool pcim_mwi;			/* uvpcim_set_mwi() */
	int pcim_regions;		/* BARs claimed by uvpcim_iomap_regions() */
	void __iomem *pcim_table[UVPCI_NUM_BARS];
	bool state_saved;
	u8 saved_cfg[UVPCI_CFG_WMASK_SIZE];

	/* AER: errors reported and not yet handled (aer_lock), by kind */
	spinlock_t aer_lock;
	u32 aer_cor;			/* Correctable Error Status bits */
	u32 aer_nonfatal;		/* Uncorrectable, non-fatal */
	u32 aer_fatal;			/* Uncorrectable, fatal */
	bool aer_dead;			/* destroyed: nothing more is queued */
	struct work_struct aer_work;	/* logs them, runs the err_handler */
	struct ratelimit_state rs_aer;	/* its log lines */

	struct uvpci_stats stats;
	struct ratelimit_state rs_dev;	/* refusals of what the device sent */
	struct ratelimit_state rs_io;	/* timeouts and refused accesses */
	bool cpu_hinted;		/* said why an atomic read timed out */
};

/*
 * dev_err()/dev_warn() under one of the device's own rate limits, so that
 * one device flooding the log does not hide another's messages.
 */
#define uvpci_rl(level, d, rs, fmt, ...)				\
do {									\
	if (__ratelimit(rs))						\
		dev_##level(&(d)->udev.dev, fmt, ##__VA_ARGS__);	\
} while (0)

static inline struct uvpci_device *to_uvpci_device(struct uvpci_dev *udev)
{
	return container_of(udev, struct uvpci_device, udev);
}

static inline const char *uvpci_dname(const struct uvpci_device *d)
{
	return dev_name(&d->udev.dev);
}

/* uvpci_main.c */
extern unsigned int uvpci_timeout_us;
struct uvpci_device *uvpci_slot_get(unsigned int slot);
void uvpci_slot_put(struct uvpci_device *d);

/* uvpci_config.c */
void uvpci_cfg_init(struct uvpci_device *d);
void uvpci_cfg_reset(struct uvpci_device *d);
int uvpci_cfg_read(struct uvpci_device *d, unsigned int off, unsigned int size,
		   u32 *val);
int uvpci_cfg_write(struct uvpci_device *d, unsigned int off, unsigned int size,
		    u32 val);
void uvpci_host_state_send(struct uvpci_device *d, struct uvbus_port *port);
void uvpci_cfg_intx(struct uvpci_device *d, bool enable);
void uvpci_cfg_intx_status(struct uvpci_device *d, bool level);
int uvpci_cfg_aer_log(struct uvpci_device *d, unsigned int severity,
		      u32 status, u32 *unmasked, bool *reported);
int uvpci_resources_init(struct uvpci_device *d);
void uvpci_resources_release(struct uvpci_device *d);
void uvpci_regions_release_all(struct uvpci_device *d);

/* uvpci_mmio.c */
void uvpci_mmio_init(struct uvpci_device *d);
void uvpci_mmio_fini(struct uvpci_device *d);
u64 uvpci_bar_read(struct uvpci_device *d, unsigned int bar, u64 off,
		   unsigned int size);
void uvpci_bar_write(struct uvpci_device *d, unsigned int bar, u64 off,
		     unsigned int size, u64 value);
int uvpci_model_attach(struct uvpci_device *d, struct uvbus_port *port);
void uvpci_model_detach(struct uvpci_device *d, struct uvbus_port *port);
int uvpci_mmio_cpl(struct uvpci_device *d, const struct uvbus_msg *msg);
int uvpci_posted_send(struct uvpci_device *d, struct uvbus_msg *msg);
long uvpci_ioctl_mmio(struct uvpci_device *d, void __user *arg);
int uvpci_mmio_reset(struct uvpci_device *d);
unsigned int uvpci_unmap_all_cookies(struct uvpci_device *d);
void __iomem *uvpci_cookie(struct uvpci_device *d, unsigned int bar,
			   unsigned long off);
bool uvpci_cookie_decode(const void __iomem *addr, unsigned int *slot,
			 unsigned int *bar, u64 *off);
bool uvpci_is_gone(struct uvpci_device *d);

/* uvpci_api.c */
void uvpci_pcim_release(struct uvpci_device *d);

/* uvpci_msi.c */
int uvpci_msi_init(struct uvpci_device *d);
void uvpci_msi_fini(struct uvpci_device *d);
void uvpci_msi_unbind(struct uvpci_device *d);
int uvpci_msi_rx(struct uvpci_device *d, const struct uvbus_msg *msg);
int uvpci_intx_rx(struct uvpci_device *d, const struct uvbus_msg *msg);

/* uvpci_aer.c */
void uvpci_aer_init(struct uvpci_device *d);
void uvpci_aer_fini(struct uvpci_device *d);
int uvpci_aer_rx(struct uvpci_device *d, const struct uvbus_msg *msg);
bool uvpci_msix_owns(struct uvpci_device *d, unsigned int bar, u64 off,
		     unsigned int size);
u64 uvpci_msix_read(struct uvpci_device *d, u64 off, unsigned int size);
void uvpci_msix_write(struct uvpci_device *d, u64 off, unsigned int size,
		      u64 value);
void uvpci_msix_unmasked(struct uvpci_device *d);
long uvpci_ioctl_msix(struct uvpci_device *d, void __user *arg);
void uvpci_intx_unmasked(struct uvpci_device *d);
void uvpci_intx_drop(struct uvpci_device *d);

/* uvpci_dma.c */
extern const struct dma_map_ops uvpci_dma_ops;
int uvpci_dma_global_init(void);
void uvpci_dma_global_fini(void);
void uvpci_dma_init(struct uvpci_device *d);
void uvpci_dma_fini(struct uvpci_device *d);
unsigned int uvpci_dma_unbind(struct uvpci_device *d);
int uvpci_dma_rx(struct uvpci_device *d, const struct uvbus_msg *msg,
		 struct uvbus_msg *cpl);
void uvpci_dma_cpl_init(const struct uvbus_msg *msg, struct uvbus_msg *cpl,
			int status);

#endif /* _UVPCI_PRIV_H */
