/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The uvPCI driver API: a PCI-like bus whose devices are
 * userspace programs (device models) reached through uvBus.
 *
 * Every call here is named after its PCI twin (pci_iomap -> uvpci_iomap,
 * readl -> uv_readl, struct pci_dev -> struct uvpci_dev, ...) and behaves
 * like it, so that a driver moves between uvPCI and real PCI by renaming
 * only (contrib/uvpci-port). What needs no renaming:
 *
 *  - The DMA API: each uvPCI device has its own dma_map_ops, so
 *    dma_set_mask_and_coherent(), dma_map_single(), dma_alloc_coherent(),
 *    the sync and unmap calls work on &udev->dev and hand out bus
 *    addresses (IOVAs) that are neither kernel nor physical addresses.
 *  - IRQs: uvpci_irq_vector() returns an ordinary Linux IRQ number for
 *    request_irq()/free_irq(); handlers run in hard IRQ context.
 *  - PCI_DEVICE(), PCI_ANY_ID, PCI_IRQ_MSI, the PCI_* config space
 *    constants and PCIBIOS_* codes, from <linux/pci.h>.
 *
 * BAR cookies (what uvpci_iomap() returns) are not mappings: they are
 * tokens that only the uv_* accessors understand; plain readl() on one
 * faults at once (a non-canonical address) instead of touching memory.
 * See uvpci(9).
 */
#ifndef _UVPCI_H
#define _UVPCI_H

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/iopoll.h>
#include <linux/ioport.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/types.h>

#define UVPCI_BUS_NAME		"uvpci"
#define UVPCI_NUM_RESOURCES	6	/* BARs 0..5 (UVPCI_NUM_BARS in uvbus.h) */

/**
 * struct uvpci_device_id - what a uvPCI driver binds to.
 *
 * Field for field the same as struct pci_device_id, so that PCI_DEVICE(),
 * PCI_VDEVICE(), PCI_DEVICE_CLASS() and PCI_ANY_ID fill it unchanged.
 * A table ends with an all-zero entry.
 *
 * @vendor:        vendor ID or PCI_ANY_ID
 * @device:        device ID or PCI_ANY_ID
 * @subvendor:     subsystem vendor ID or PCI_ANY_ID
 * @subdevice:     subsystem device ID or PCI_ANY_ID
 * @class:         (base class, sub class, prog-if) triplet ...
 * @class_mask:    ... compared under this mask
 * @driver_data:   private to the driver
 * @override_only: match only a device whose driver_override names the driver
 */
struct uvpci_device_id {
	__u32 vendor, device;
	__u32 subvendor, subdevice;
	__u32 class, class_mask;
	kernel_ulong_t driver_data;
	__u32 override_only;
};

/**
 * struct uvpci_dev - a uvPCI device, as struct pci_dev.
 * @dev:              the driver-model device (parent of everything the
 *                    driver creates; the device for the DMA API)
 * @vendor:           vendor ID
 * @device:           device ID
 * @subsystem_vendor: subsystem vendor ID
 * @subsystem_device: subsystem device ID
 * @class:            3 bytes: (base class, sub class, prog-if)
 * @revision:         revision ID
 * @irq:              Linux IRQ of MSI vector 0 while MSI vectors are
 *                    allocated (not MSI-X: as on PCI), else the INTx IRQ of a device created with
 *                    an interrupt pin (valid from before probe, as PCI's),
 *                    else 0
 * @resource:         the BARs; only the bus's fake address space, never
 *                    physical addresses (ioremap() of them fails loudly)
 * @dma_mask:         what dev.dma_mask points to
 * @dma_parms:        what dev.dma_parms points to
 * @driver_override:  set through sysfs; only that driver may bind
 * @is_busmaster:     uvpci_set_master() was called
 * @msi_enabled:      MSI vectors are allocated
 * @msix_enabled:     MSI-X vectors are allocated
 * @pm_cap:           offset of the Power Management capability
 * @msi_cap:          offset of the MSI capability, 0 without MSI
 * @msix_cap:         offset of the MSI-X capability, 0 without MSI-X
 * @pcie_cap:         offset of the PCI Express capability (every uvPCI
 *                    device is a PCIe endpoint)
 * @pcie_flags_reg:   its PCI Express Capabilities register
 * @error_state:      pci_channel_io_normal; pci_channel_io_frozen from a
 *                    fatal error's error_detected() to its resume();
 *                    pci_channel_io_perm_failure once recovery failed
 *                    (uvpci_channel_offline())
 *
 * Drivers read these fields; only the uvPCI core writes them.
 */
struct uvpci_dev {
	struct device dev;
	unsigned short vendor;
	unsigned short device;
	unsigned short subsystem_vendor;
	unsigned short subsystem_device;
	unsigned int class;
	u8 revision;
	unsigned int irq;
	struct resource resource[UVPCI_NUM_RESOURCES];
	u64 dma_mask;
	struct device_dma_parameters dma_parms;
	const char *driver_override;
	unsigned int is_busmaster:1;
	unsigned int msi_enabled:1;
	unsigned int msix_enabled:1;
	u8 pm_cap;
	u8 msi_cap;
	u8 msix_cap;
	u8 pcie_cap;
	u16 pcie_flags_reg;
	pci_channel_state_t error_state;
};

/**
 * struct uvpci_error_handlers - a driver's error recovery, as struct
 * pci_error_handlers; uvPCI calls them, in a workqueue with the device
 * lock held, when the device reports an error through its AER capability
 * (UVPCI_MSG_AER), in the order pcie_do_recovery() does (see uvpci(9),
 * ERROR REPORTING).
 * @error_detected: an error was reported: pci_channel_io_normal
 *                  (non-fatal) or pci_channel_io_frozen (fatal, MMIO is
 *                  blocked); return PCI_ERS_RESULT_CAN_RECOVER,
 *                  _NEED_RESET or _DISCONNECT
 * @mmio_enabled:   MMIO works again (after CAN_RECOVER); optional
 * @slot_reset:     the function was reset (after NEED_RESET); optional
 * @resume:         recovery is over: resume traffic; optional
 * @reset_prepare:  uvpci_reset_function() is about to reset the function
 * @reset_done:     ... and did
 */
struct uvpci_error_handlers {
	pci_ers_result_t (*error_detected)(struct uvpci_dev *dev,
					   pci_channel_state_t error);
	pci_ers_result_t (*mmio_enabled)(struct uvpci_dev *dev);
	pci_ers_result_t (*slot_reset)(struct uvpci_dev *dev);
	void (*reset_prepare)(struct uvpci_dev *dev);
	void (*reset_done)(struct uvpci_dev *dev);
	void (*resume)(struct uvpci_dev *dev);
};

/**
 * struct uvpci_driver - a uvPCI driver, as struct pci_driver.
 * @name:       the driver's name (sysfs, driver_override)
 * @id_table:   the devices it binds to; ends with an all-zero entry
 * @probe:      bind to @dev; @id is the matching entry (a dummy
 *              PCI_ANY_ID entry when only driver_override matched).
 *              Return 0 or -errno. Process context.
 * @remove:     unbind; undo everything probe did. Process context.
 * @shutdown:   quiesce the device at reboot/poweroff. Optional.
 * @sriov_configure: kept for PCI drivers that set it; never called, as
 *              uvPCI devices have no SR-IOV capability
 * @dev_groups: sysfs attribute groups created on each bound device
 * @err_handler: error recovery (AER), optional
 * @driver:     the driver-model driver (.pm and the like may be set)
 */
struct uvpci_driver {
	const char *name;
	const struct uvpci_device_id *id_table;
	int (*probe)(struct uvpci_dev *dev, const struct uvpci_device_id *id);
	void (*remove)(struct uvpci_dev *dev);
	void (*shutdown)(struct uvpci_dev *dev);
	int (*sriov_configure)(struct uvpci_dev *dev, int num_vfs);
	const struct attribute_group **dev_groups;
	const struct uvpci_error_handlers *err_handler;
	struct device_driver driver;
};

/**
 * to_uvpci_dev() - the uvPCI device that embeds a struct device.
 * @n: &udev->dev
 */
#define to_uvpci_dev(n) container_of(n, struct uvpci_dev, dev)

/**
 * to_uvpci_driver() - the uvPCI driver that embeds a struct device_driver.
 * @drv: &uvdrv->driver
 */
#define to_uvpci_driver(drv) container_of(drv, struct uvpci_driver, driver)

extern struct bus_type uvpci_bus_type;

/* ------------------------------------------------------------------ */
/* Drivers                                                             */
/* ------------------------------------------------------------------ */

int __uvpci_register_driver(struct uvpci_driver *drv, struct module *owner,
			    const char *mod_name);

/**
 * uvpci_register_driver() - register a uvPCI driver, as pci_register_driver().
 * @driver: the driver; stays registered until uvpci_unregister_driver()
 *
 * Binds it to every matching device at once (probe() may run before this
 * returns). Context: process context.
 * Return: 0 or -errno.
 */
#define uvpci_register_driver(driver)		\
	__uvpci_register_driver(driver, THIS_MODULE, KBUILD_MODNAME)

/**
 * uvpci_unregister_driver() - unbind from every device and unregister.
 * @drv: what was registered
 *
 * remove() runs for each bound device first. Context: process context.
 */
void uvpci_unregister_driver(struct uvpci_driver *drv);

/**
 * module_uvpci_driver() - register a driver at module init, as
 * module_pci_driver(); unregister it at module exit.
 * @__uvpci_driver: a struct uvpci_driver
 */
#define module_uvpci_driver(__uvpci_driver) \
	module_driver(__uvpci_driver, uvpci_register_driver, \
		      uvpci_unregister_driver)

/**
 * uvpci_get_drvdata() - the driver's private data, as pci_get_drvdata().
 * @udev: the device
 */
static inline void *uvpci_get_drvdata(struct uvpci_dev *udev)
{
	return dev_get_drvdata(&udev->dev);
}

/**
 * uvpci_set_drvdata() - set the driver's private data, as pci_set_drvdata().
 * @udev: the device
 * @data: anything
 */
static inline void uvpci_set_drvdata(struct uvpci_dev *udev, void *data)
{
	dev_set_drvdata(&udev->dev, data);
}

/**
 * uvpci_name() - the device's name (its uvBus channel name), as pci_name().
 * @udev: the device
 */
static inline const char *uvpci_name(const struct uvpci_dev *udev)
{
	return dev_name(&udev->dev);
}

/**
 * uvpci_is_bridge() - as pci_is_bridge(): false, uvPCI devices are endpoints.
 * @udev: the device
 */
static inline bool uvpci_is_bridge(struct uvpci_dev *udev)
{
	return false;
}

/**
 * uvpci_sriov_configure_simple() - as pci_sriov_configure_simple() for a
 * device without SR-IOV: uvPCI devices have no virtual functions.
 * @udev:      the device
 * @nr_virtfn: virtual functions wanted
 *
 * Return: 0 for @nr_virtfn 0, else -ENODEV.
 */
static inline int uvpci_sriov_configure_simple(struct uvpci_dev *udev,
					       int nr_virtfn)
{
	return nr_virtfn ? -ENODEV : 0;
}

/**
 * uvpci_dev_get() - take a reference on a device, as pci_dev_get().
 * @udev: the device, or NULL
 *
 * Return: @udev.
 */
struct uvpci_dev *uvpci_dev_get(struct uvpci_dev *udev);

/**
 * uvpci_dev_put() - drop a reference taken with uvpci_dev_get().
 * @udev: the device, or NULL
 */
void uvpci_dev_put(struct uvpci_dev *udev);

/* ------------------------------------------------------------------ */
/* Enable, bus mastering, resources                                    */
/* ------------------------------------------------------------------ */

/**
 * uvpci_enable_device() - enable memory decoding, as pci_enable_device().
 * @udev: the device
 *
 * Sets PCI_COMMAND_MEMORY (a config write the model sees). Counted: each
 * call needs a uvpci_disable_device(). Until the device is enabled, BAR
 * accesses through a cookie read all-ones and writes are dropped, as on
 * hardware that does not decode its BARs. Context: process context.
 * Return: 0 or -errno.
 */
int uvpci_enable_device(struct uvpci_dev *udev);

/**
 * uvpci_disable_device() - undo uvpci_enable_device().
 * @udev: the device
 *
 * The last one clears PCI_COMMAND_MEMORY and PCI_COMMAND_MASTER.
 */
void uvpci_disable_device(struct uvpci_dev *udev);

/**
 * uvpci_is_enabled() - whether uvpci_enable_device() is in force.
 * @udev: the device
 */
bool uvpci_is_enabled(struct uvpci_dev *udev);

/**
 * uvpci_device_is_present() - false once the device model is gone, as
 * pci_device_is_present() on a surprise-removed card.
 * @udev: the device
 */
bool uvpci_device_is_present(struct uvpci_dev *udev);

/**
 * uvpci_set_power_state() - put the device in a D-state, as
 * pci_set_power_state().
 * @udev:  the device
 * @state: PCI_D0 .. PCI_D3hot; PCI_D3cold is taken as PCI_D3hot
 *
 * Writes the PowerState field of the Power Management capability's PMCSR
 * (the model is told, see uvpci(9)). uvpci_enable_device() puts the device
 * in D0. Context: any (the write is posted).
 * Return: 0, -EINVAL for another @state, -ENODEV once the model is gone.
 */
int uvpci_set_power_state(struct uvpci_dev *udev, pci_power_t state);

/**
 * uvpci_set_master() - enable bus mastering (device DMA), as pci_set_master().
 * @udev: the device
 *
 * Until then every DMA request from the device is refused like an IOMMU
 * fault.
 */
void uvpci_set_master(struct uvpci_dev *udev);

/**
 * uvpci_clear_master() - disable bus mastering, as pci_clear_master().
 * @udev: the device
 */
void uvpci_clear_master(struct uvpci_dev *udev);

/**
 * uvpci_resource_start() - first address of a BAR, as pci_resource_start().
 * @udev: the device
 * @bar:  0..5
 *
 * An address in the uvPCI bus's own address space: stable for the life of
 * the device, never a physical address, and too high for ioremap().
 */
static inline resource_size_t uvpci_resource_start(struct uvpci_dev *udev,
						   int bar)
{
	return udev->resource[bar].start;
}

/**
 * uvpci_resource_end() - last address of a BAR, as pci_resource_end().
 * @udev: the device
 * @bar:  0..5
 */
static inline resource_size_t uvpci_resource_end(struct uvpci_dev *udev,
						 int bar)
{
	return udev->resource[bar].end;
}

/**
 * uvpci_resource_flags() - IORESOURCE_* flags of a BAR, as
 * pci_resource_flags(); 0 for an unused BAR.
 * @udev: the device
 * @bar:  0..5
 */
static inline unsigned long uvpci_resource_flags(struct uvpci_dev *udev,
						 int bar)
{
	return udev->resource[bar].flags;
}

/**
 * uvpci_resource_len() - size of a BAR, as pci_resource_len(); 0 if unused.
 * @udev: the device
 * @bar:  0..5
 */
static inline resource_size_t uvpci_resource_len(struct uvpci_dev *udev,
						 int bar)
{
	if (!udev->resource[bar].flags)
		return 0;
	return resource_size(&udev->resource[bar]);
}

/**
 * uvpci_request_region() - claim one BAR for @name, as pci_request_region().
 * @udev: the device
 * @bar:  0..5; an unused BAR succeeds trivially
 * @name: the owner, shown in debugfs
 *
 * Return: 0, -EBUSY if someone else holds it, -EINVAL for a bad @bar.
 */
int uvpci_request_region(struct uvpci_dev *udev, int bar, const char *name);

/**
 * uvpci_release_region() - release what uvpci_request_region() claimed.
 * @udev: the device
 * @bar:  0..5
 */
void uvpci_release_region(struct uvpci_dev *udev, int bar);

/**
 * uvpci_request_regions() - claim every BAR, as pci_request_regions().
 * @udev: the device
 * @name: the owner
 *
 * Return: 0, or -EBUSY with nothing claimed.
 */
int uvpci_request_regions(struct uvpci_dev *udev, const char *name);

/**
 * uvpci_release_regions() - release every BAR claimed by the driver.
 * @udev: the device
 */
void uvpci_release_regions(struct uvpci_dev *udev);

/* ------------------------------------------------------------------ */
/* BAR cookies and MMIO                                                */
/* ------------------------------------------------------------------ */

/**
 * uvpci_iomap_range() - a cookie for part of a BAR, as pci_iomap_range().
 * @udev:   the device
 * @bar:    0..5
 * @offset: where the cookie starts inside the BAR
 * @maxlen: ignored beyond being checked: 0 or up to the rest of the BAR
 *
 * Return: a cookie for the uv_* accessors, or NULL for an unused BAR or a
 * bad range. Each cookie needs a uvpci_iounmap().
 */
void __iomem *uvpci_iomap_range(struct uvpci_dev *udev, int bar,
				unsigned long offset, unsigned long maxlen);

/**
 * uvpci_iomap() - a cookie for a BAR, as pci_iomap().
 * @udev:   the device
 * @bar:    0..5
 * @maxlen: 0 for the whole BAR
 *
 * Return: a cookie for the uv_* accessors, or NULL.
 */
void __iomem *uvpci_iomap(struct uvpci_dev *udev, int bar, unsigned long maxlen);

/**
 * uvpci_ioremap_bar() - a cookie for a whole BAR, as pci_ioremap_bar().
 * @udev: the device
 * @bar:  0..5
 *
 * Return: a cookie, or NULL. Undo with uvpci_iounmap() (PCI: iounmap()).
 */
void __iomem *uvpci_ioremap_bar(struct uvpci_dev *udev, int bar);

/**
 * uvpci_ioremap_wc_bar() - as uvpci_ioremap_bar(); uvPCI has no caching
 * modes.
 * @udev: the device
 * @bar:  0..5
 */
void __iomem *uvpci_ioremap_wc_bar(struct uvpci_dev *udev, int bar);

/**
 * uvpci_iounmap() - give a cookie back, as pci_iounmap().
 * @udev: the device
 * @addr: a cookie from uvpci_iomap() and friends, or NULL
 *
 * Accesses through a BAR's cookies after its last uvpci_iounmap() read
 * all-ones and are logged.
 */
void uvpci_iounmap(struct uvpci_dev *udev, void __iomem *addr);

/**
 * __uv_read() - one non-posted register read through a BAR cookie.
 * @addr: cookie + offset, naturally aligned for @size
 * @size: 1, 2, 4 or 8
 *
 * What every uv_read and uv_ioread accessor calls. The read is queued to
 * the device model behind every earlier write and spins (yielding when the
 * context may sleep) until the completion comes back or the device's
 * timeout runs out; without a model it reads the BAR's register file.
 *
 * Return: the value; all-ones on timeout, on a gone model, on a bad cookie
 * (each logged, rate-limited).
 */
u64 __uv_read(const void __iomem *addr, unsigned int size);

/**
 * __uv_write() - one posted register write through a BAR cookie.
 * @value: the value (low @size bytes)
 * @addr:  cookie + offset, naturally aligned for @size
 * @size:  1, 2, 4 or 8
 *
 * What every uv_write and uv_iowrite accessor calls. Any context. Never
 * waits for the model to act on the write, only for room in its ring, and
 * is never dropped for want of it (PCIe flow control stalls the writer):
 * a caller that may sleep sleeps until the model consumes its ring, one
 * that may not spins, for at most 5 s, after which the model is taken as
 * dead (uvpci(9), Semantics). The write is discarded only when the model
 * is dead (detached, device destroyed, channel broken) or a sleeping
 * writer gets a fatal signal, each logged.
 */
void __uv_write(u64 value, void __iomem *addr, unsigned int size);

/**
 * uv_readb() - read 8 bits, as readb().
 * @addr: cookie + offset
 */
static inline u8 uv_readb(const void __iomem *addr)
{
	return __uv_read(addr, 1);
}

/**
 * uv_readw() - read 16 bits (little-endian register), as readw().
 * @addr: cookie + offset
 */
static inline u16 uv_readw(const void __iomem *addr)
{
	return __uv_read(addr, 2);
}

/**
 * uv_readl() - read 32 bits (little-endian register), as readl().
 * @addr: cookie + offset
 */
static inline u32 uv_readl(const void __iomem *addr)
{
	return __uv_read(addr, 4);
}

/**
 * uv_readq() - read 64 bits in one access, as readq() on x86-64.
 * @addr: cookie + offset
 */
static inline u64 uv_readq(const void __iomem *addr)
{
	return __uv_read(addr, 8);
}

/**
 * uv_writeb() - posted 8-bit write, as writeb().
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_writeb(u8 value, void __iomem *addr)
{
	__uv_write(value, addr, 1);
}

/**
 * uv_writew() - posted 16-bit write, as writew().
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_writew(u16 value, void __iomem *addr)
{
	__uv_write(value, addr, 2);
}

/**
 * uv_writel() - posted 32-bit write, as writel().
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_writel(u32 value, void __iomem *addr)
{
	__uv_write(value, addr, 4);
}

/**
 * uv_writeq() - posted 64-bit write in one access, as writeq() on x86-64.
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_writeq(u64 value, void __iomem *addr)
{
	__uv_write(value, addr, 8);
}

/*
 * The _relaxed accessors: uvPCI keeps every access in order, so they are
 * the plain ones.
 */

/**
 * uv_readb_relaxed() - as readb_relaxed(); same as uv_readb().
 * @addr: cookie + offset
 */
static inline u8 uv_readb_relaxed(const void __iomem *addr)
{
	return uv_readb(addr);
}

/**
 * uv_readw_relaxed() - as readw_relaxed(); same as uv_readw().
 * @addr: cookie + offset
 */
static inline u16 uv_readw_relaxed(const void __iomem *addr)
{
	return uv_readw(addr);
}

/**
 * uv_readl_relaxed() - as readl_relaxed(); same as uv_readl().
 * @addr: cookie + offset
 */
static inline u32 uv_readl_relaxed(const void __iomem *addr)
{
	return uv_readl(addr);
}

/**
 * uv_readq_relaxed() - as readq_relaxed(); same as uv_readq().
 * @addr: cookie + offset
 */
static inline u64 uv_readq_relaxed(const void __iomem *addr)
{
	return uv_readq(addr);
}

/**
 * uv_writeb_relaxed() - as writeb_relaxed(); same as uv_writeb().
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_writeb_relaxed(u8 value, void __iomem *addr)
{
	uv_writeb(value, addr);
}

/**
 * uv_writew_relaxed() - as writew_relaxed(); same as uv_writew().
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_writew_relaxed(u16 value, void __iomem *addr)
{
	uv_writew(value, addr);
}

/**
 * uv_writel_relaxed() - as writel_relaxed(); same as uv_writel().
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_writel_relaxed(u32 value, void __iomem *addr)
{
	uv_writel(value, addr);
}

/**
 * uv_writeq_relaxed() - as writeq_relaxed(); same as uv_writeq().
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_writeq_relaxed(u64 value, void __iomem *addr)
{
	uv_writeq(value, addr);
}

/**
 * uv_ioread8() - as ioread8() on a memory BAR.
 * @addr: cookie + offset
 */
static inline unsigned int uv_ioread8(const void __iomem *addr)
{
	return uv_readb(addr);
}

/**
 * uv_ioread16() - as ioread16() on a memory BAR.
 * @addr: cookie + offset
 */
static inline unsigned int uv_ioread16(const void __iomem *addr)
{
	return uv_readw(addr);
}

/**
 * uv_ioread32() - as ioread32() on a memory BAR.
 * @addr: cookie + offset
 */
static inline unsigned int uv_ioread32(const void __iomem *addr)
{
	return uv_readl(addr);
}

/**
 * uv_ioread64() - as ioread64(): one 64-bit access.
 * @addr: cookie + offset
 */
static inline u64 uv_ioread64(const void __iomem *addr)
{
	return uv_readq(addr);
}

/**
 * uv_ioread16be() - as ioread16be(): a big-endian 16-bit register.
 * @addr: cookie + offset
 */
static inline unsigned int uv_ioread16be(const void __iomem *addr)
{
	return swab16(uv_readw(addr));
}

/**
 * uv_ioread32be() - as ioread32be(): a big-endian 32-bit register.
 * @addr: cookie + offset
 */
static inline unsigned int uv_ioread32be(const void __iomem *addr)
{
	return swab32(uv_readl(addr));
}

/**
 * uv_iowrite8() - as iowrite8() on a memory BAR.
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_iowrite8(u8 value, void __iomem *addr)
{
	uv_writeb(value, addr);
}

/**
 * uv_iowrite16() - as iowrite16() on a memory BAR.
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_iowrite16(u16 value, void __iomem *addr)
{
	uv_writew(value, addr);
}

/**
 * uv_iowrite32() - as iowrite32() on a memory BAR.
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_iowrite32(u32 value, void __iomem *addr)
{
	uv_writel(value, addr);
}

/**
 * uv_iowrite64() - as iowrite64(): one 64-bit access.
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_iowrite64(u64 value, void __iomem *addr)
{
	uv_writeq(value, addr);
}

/**
 * uv_iowrite16be() - as iowrite16be(): a big-endian 16-bit register.
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_iowrite16be(u16 value, void __iomem *addr)
{
	uv_writew(swab16(value), addr);
}

/**
 * uv_iowrite32be() - as iowrite32be(): a big-endian 32-bit register.
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_iowrite32be(u32 value, void __iomem *addr)
{
	uv_writel(swab32(value), addr);
}

/**
 * uv_lo_hi_readq() - as lo_hi_readq(): two 32-bit reads, low dword first.
 * @addr: cookie + offset
 */
static inline u64 uv_lo_hi_readq(const void __iomem *addr)
{
	u32 lo = uv_readl(addr);
	u32 hi = uv_readl(addr + 4);

	return lo | ((u64)hi << 32);
}

/**
 * uv_hi_lo_readq() - as hi_lo_readq(): two 32-bit reads, high dword first.
 * @addr: cookie + offset
 */
static inline u64 uv_hi_lo_readq(const void __iomem *addr)
{
	u32 hi = uv_readl(addr + 4);
	u32 lo = uv_readl(addr);

	return lo | ((u64)hi << 32);
}

/**
 * uv_lo_hi_writeq() - as lo_hi_writeq(): two 32-bit writes, low dword first.
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_lo_hi_writeq(u64 value, void __iomem *addr)
{
	uv_writel(lower_32_bits(value), addr);
	uv_writel(upper_32_bits(value), addr + 4);
}

/**
 * uv_hi_lo_writeq() - as hi_lo_writeq(): two 32-bit writes, high dword first.
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_hi_lo_writeq(u64 value, void __iomem *addr)
{
	uv_writel(upper_32_bits(value), addr + 4);
	uv_writel(lower_32_bits(value), addr);
}

/**
 * uv_ioread64_lo_hi() - as ioread64_lo_hi(): two 32-bit reads, low first.
 * @addr: cookie + offset
 */
static inline u64 uv_ioread64_lo_hi(const void __iomem *addr)
{
	return uv_lo_hi_readq(addr);
}

/**
 * uv_ioread64_hi_lo() - as ioread64_hi_lo(): two 32-bit reads, high first.
 * @addr: cookie + offset
 */
static inline u64 uv_ioread64_hi_lo(const void __iomem *addr)
{
	return uv_hi_lo_readq(addr);
}

/**
 * uv_iowrite64_lo_hi() - as iowrite64_lo_hi(): two 32-bit writes, low first.
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_iowrite64_lo_hi(u64 value, void __iomem *addr)
{
	uv_lo_hi_writeq(value, addr);
}

/**
 * uv_iowrite64_hi_lo() - as iowrite64_hi_lo(): two 32-bit writes, high first.
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_iowrite64_hi_lo(u64 value, void __iomem *addr)
{
	uv_hi_lo_writeq(value, addr);
}

/**
 * uv_ioread64be() - as ioread64be(): a big-endian 64-bit register.
 * @addr: cookie + offset
 */
static inline u64 uv_ioread64be(const void __iomem *addr)
{
	return swab64(uv_readq(addr));
}

/**
 * uv_iowrite64be() - as iowrite64be(): a big-endian 64-bit register.
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_iowrite64be(u64 value, void __iomem *addr)
{
	uv_writeq(swab64(value), addr);
}

/**
 * __uv_read_rep() - @count reads of one register (a FIFO) into @buf.
 * @addr:  cookie + offset
 * @buf:   @count elements of @size bytes
 * @count: how many
 * @size:  1, 2, 4 or 8
 *
 * What the _rep and reads/writes accessors below call.
 */
static inline void __uv_read_rep(const void __iomem *addr, void *buf,
				 unsigned long count, unsigned int size)
{
	u8 *p = buf;

	for (; count; count--, p += size) {
		u64 v = __uv_read(addr, size);

		memcpy(p, &v, size);	/* the CPU's order, as readsl() */
	}
}

/**
 * __uv_write_rep() - @count writes of @buf to one register (a FIFO).
 * @addr:  cookie + offset
 * @buf:   @count elements of @size bytes
 * @count: how many
 * @size:  1, 2, 4 or 8
 */
static inline void __uv_write_rep(void __iomem *addr, const void *buf,
				  unsigned long count, unsigned int size)
{
	const u8 *p = buf;

	for (; count; count--, p += size) {
		u64 v = 0;

		memcpy(&v, p, size);
		__uv_write(v, addr, size);
	}
}

/**
 * uv_ioread8_rep() - as ioread8_rep(): read a byte FIFO into @buf.
 * @addr:  cookie + offset
 * @buf:   destination
 * @count: bytes
 */
static inline void uv_ioread8_rep(const void __iomem *addr, void *buf,
				  unsigned long count)
{
	__uv_read_rep(addr, buf, count, 1);
}

/**
 * uv_ioread16_rep() - as ioread16_rep().
 * @addr:  cookie + offset
 * @buf:   destination
 * @count: 16-bit words
 */
static inline void uv_ioread16_rep(const void __iomem *addr, void *buf,
				   unsigned long count)
{
	__uv_read_rep(addr, buf, count, 2);
}

/**
 * uv_ioread32_rep() - as ioread32_rep().
 * @addr:  cookie + offset
 * @buf:   destination
 * @count: 32-bit words
 */
static inline void uv_ioread32_rep(const void __iomem *addr, void *buf,
				   unsigned long count)
{
	__uv_read_rep(addr, buf, count, 4);
}

/**
 * uv_iowrite8_rep() - as iowrite8_rep(): write @buf to a byte FIFO.
 * @addr:  cookie + offset
 * @buf:   source
 * @count: bytes
 */
static inline void uv_iowrite8_rep(void __iomem *addr, const void *buf,
				   unsigned long count)
{
	__uv_write_rep(addr, buf, count, 1);
}

/**
 * uv_iowrite16_rep() - as iowrite16_rep().
 * @addr:  cookie + offset
 * @buf:   source
 * @count: 16-bit words
 */
static inline void uv_iowrite16_rep(void __iomem *addr, const void *buf,
				    unsigned long count)
{
	__uv_write_rep(addr, buf, count, 2);
}

/**
 * uv_iowrite32_rep() - as iowrite32_rep().
 * @addr:  cookie + offset
 * @buf:   source
 * @count: 32-bit words
 */
static inline void uv_iowrite32_rep(void __iomem *addr, const void *buf,
				    unsigned long count)
{
	__uv_write_rep(addr, buf, count, 4);
}

/**
 * uv_readsb() - as readsb(): read a byte FIFO into @buf.
 * @addr:  cookie + offset
 * @buf:   destination
 * @count: bytes
 */
static inline void uv_readsb(const void __iomem *addr, void *buf,
			     unsigned long count)
{
	__uv_read_rep(addr, buf, count, 1);
}

/**
 * uv_readsw() - as readsw().
 * @addr:  cookie + offset
 * @buf:   destination
 * @count: 16-bit words
 */
static inline void uv_readsw(const void __iomem *addr, void *buf,
			     unsigned long count)
{
	__uv_read_rep(addr, buf, count, 2);
}

/**
 * uv_readsl() - as readsl().
 * @addr:  cookie + offset
 * @buf:   destination
 * @count: 32-bit words
 */
static inline void uv_readsl(const void __iomem *addr, void *buf,
			     unsigned long count)
{
	__uv_read_rep(addr, buf, count, 4);
}

/**
 * uv_readsq() - as readsq().
 * @addr:  cookie + offset
 * @buf:   destination
 * @count: 64-bit words
 */
static inline void uv_readsq(const void __iomem *addr, void *buf,
			     unsigned long count)
{
	__uv_read_rep(addr, buf, count, 8);
}

/**
 * uv_writesb() - as writesb(): write @buf to a byte FIFO.
 * @addr:  cookie + offset
 * @buf:   source
 * @count: bytes
 */
static inline void uv_writesb(void __iomem *addr, const void *buf,
			      unsigned long count)
{
	__uv_write_rep(addr, buf, count, 1);
}

/**
 * uv_writesw() - as writesw().
 * @addr:  cookie + offset
 * @buf:   source
 * @count: 16-bit words
 */
static inline void uv_writesw(void __iomem *addr, const void *buf,
			      unsigned long count)
{
	__uv_write_rep(addr, buf, count, 2);
}

/**
 * uv_writesl() - as writesl().
 * @addr:  cookie + offset
 * @buf:   source
 * @count: 32-bit words
 */
static inline void uv_writesl(void __iomem *addr, const void *buf,
			      unsigned long count)
{
	__uv_write_rep(addr, buf, count, 4);
}

/**
 * uv_writesq() - as writesq().
 * @addr:  cookie + offset
 * @buf:   source
 * @count: 64-bit words
 */
static inline void uv_writesq(void __iomem *addr, const void *buf,
			      unsigned long count)
{
	__uv_write_rep(addr, buf, count, 8);
}

/**
 * uv_lo_hi_readq_relaxed() - as lo_hi_readq_relaxed(); uv_lo_hi_readq().
 * @addr: cookie + offset
 */
static inline u64 uv_lo_hi_readq_relaxed(const void __iomem *addr)
{
	return uv_lo_hi_readq(addr);
}

/**
 * uv_hi_lo_readq_relaxed() - as hi_lo_readq_relaxed(); uv_hi_lo_readq().
 * @addr: cookie + offset
 */
static inline u64 uv_hi_lo_readq_relaxed(const void __iomem *addr)
{
	return uv_hi_lo_readq(addr);
}

/**
 * uv_lo_hi_writeq_relaxed() - as lo_hi_writeq_relaxed(); uv_lo_hi_writeq().
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_lo_hi_writeq_relaxed(u64 value, void __iomem *addr)
{
	uv_lo_hi_writeq(value, addr);
}

/**
 * uv_hi_lo_writeq_relaxed() - as hi_lo_writeq_relaxed(); uv_hi_lo_writeq().
 * @value: the value
 * @addr:  cookie + offset
 */
static inline void uv_hi_lo_writeq_relaxed(u64 value, void __iomem *addr)
{
	uv_hi_lo_writeq(value, addr);
}

/**
 * uv_iowrite32_copy() - as __iowrite32_copy(): @count 32-bit writes of
 * @from to consecutive registers from @to.
 * @to:    cookie + offset, 4-byte aligned
 * @from:  the source, 4-byte aligned
 * @count: 32-bit words
 */
static inline void uv_iowrite32_copy(void __iomem *to, const void *from,
				     size_t count)
{
	const u32 *src = from;
	size_t i;

	for (i = 0; i < count; i++)
		uv_writel(src[i], to + 4 * i);
}

/**
 * uv_iowrite64_copy() - as __iowrite64_copy(): @count 64-bit writes of
 * @from to consecutive registers from @to (a doorbell or a WC buffer).
 * @to:    cookie + offset, 8-byte aligned
 * @from:  the source, 8-byte aligned
 * @count: 64-bit words
 */
static inline void uv_iowrite64_copy(void __iomem *to, const void *from,
				     size_t count)
{
	const u64 *src = from;
	size_t i;

	for (i = 0; i < count; i++)
		uv_writeq(src[i], to + 8 * i);
}

/**
 * uv_ioread32_copy() - as __ioread32_copy(): @count 32-bit reads of
 * consecutive registers from @from into @to.
 * @to:    the destination, 4-byte aligned
 * @from:  cookie + offset, 4-byte aligned
 * @count: 32-bit words
 */
static inline void uv_ioread32_copy(void *to, const void __iomem *from,
				    size_t count)
{
	u32 *dst = to;
	size_t i;

	for (i = 0; i < count; i++)
		dst[i] = uv_readl(from + 4 * i);
}

/*
 * As <asm/io.h> does for readq and friends, so that a driver's
 * "#ifndef readq" fallback, ported to "#ifndef uv_readq", sees that uvPCI
 * has one.
 */
#define uv_readq uv_readq
#define uv_writeq uv_writeq
#define uv_readq_relaxed uv_readq_relaxed
#define uv_writeq_relaxed uv_writeq_relaxed
#define uv_ioread64 uv_ioread64
#define uv_iowrite64 uv_iowrite64
#define uv_ioread64be uv_ioread64be
#define uv_iowrite64be uv_iowrite64be
#define uv_ioread64_lo_hi uv_ioread64_lo_hi
#define uv_ioread64_hi_lo uv_ioread64_hi_lo
#define uv_iowrite64_lo_hi uv_iowrite64_lo_hi
#define uv_iowrite64_hi_lo uv_iowrite64_hi_lo
#define uv_readsq uv_readsq
#define uv_writesq uv_writesq

/*
 * The register polls of <linux/iopoll.h>, as readl_poll_timeout() and
 * friends: they take the accessor by name, so these pass the uv_ one.
 * Each poll is a non-posted read; the _atomic ones busy-wait.
 */

/**
 * uv_readl_poll_timeout() - as readl_poll_timeout(): read @addr into @val
 * until @cond holds or @timeout_us passes, sleeping @delay_us between.
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   sleep between reads (0: busy-loop)
 * @timeout_us: 0: no timeout
 *
 * Return: 0, or -ETIMEDOUT (with the last read in @val).
 */
#define uv_readl_poll_timeout(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout(uv_readl, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readl_poll_timeout_atomic() - as readl_poll_timeout_atomic().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   udelay() between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readl_poll_timeout_atomic(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout_atomic(uv_readl, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readl_relaxed_poll_timeout() - as readl_relaxed_poll_timeout().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   sleep between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readl_relaxed_poll_timeout(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout(uv_readl_relaxed, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readl_relaxed_poll_timeout_atomic() - as
 * readl_relaxed_poll_timeout_atomic().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   udelay() between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readl_relaxed_poll_timeout_atomic(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout_atomic(uv_readl_relaxed, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readb_relaxed_poll_timeout() - as readb_relaxed_poll_timeout().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   sleep between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readb_relaxed_poll_timeout(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout(uv_readb_relaxed, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readb_relaxed_poll_timeout_atomic() - as
 * readb_relaxed_poll_timeout_atomic().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   udelay() between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readb_relaxed_poll_timeout_atomic(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout_atomic(uv_readb_relaxed, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readw_relaxed_poll_timeout() - as readw_relaxed_poll_timeout().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   sleep between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readw_relaxed_poll_timeout(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout(uv_readw_relaxed, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readw_relaxed_poll_timeout_atomic() - as
 * readw_relaxed_poll_timeout_atomic().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   udelay() between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readw_relaxed_poll_timeout_atomic(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout_atomic(uv_readw_relaxed, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readq_relaxed_poll_timeout() - as readq_relaxed_poll_timeout().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   sleep between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readq_relaxed_poll_timeout(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout(uv_readq_relaxed, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readq_relaxed_poll_timeout_atomic() - as
 * readq_relaxed_poll_timeout_atomic().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   udelay() between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readq_relaxed_poll_timeout_atomic(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout_atomic(uv_readq_relaxed, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readb_poll_timeout() - as readb_poll_timeout().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   sleep between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readb_poll_timeout(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout(uv_readb, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readb_poll_timeout_atomic() - as readb_poll_timeout_atomic().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   udelay() between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readb_poll_timeout_atomic(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout_atomic(uv_readb, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readw_poll_timeout() - as readw_poll_timeout().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   sleep between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readw_poll_timeout(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout(uv_readw, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readw_poll_timeout_atomic() - as readw_poll_timeout_atomic().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   udelay() between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readw_poll_timeout_atomic(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout_atomic(uv_readw, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readq_poll_timeout() - as readq_poll_timeout().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   sleep between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readq_poll_timeout(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout(uv_readq, addr, val, cond, delay_us, timeout_us)

/**
 * uv_readq_poll_timeout_atomic() - as readq_poll_timeout_atomic().
 * @addr:       cookie + offset
 * @val:        an lvalue the reads go to
 * @cond:       an expression of @val
 * @delay_us:   udelay() between reads
 * @timeout_us: 0: no timeout
 */
#define uv_readq_poll_timeout_atomic(addr, val, cond, delay_us, timeout_us) \
	readx_poll_timeout_atomic(uv_readq, addr, val, cond, delay_us, timeout_us)

/**
 * uv_memcpy_fromio() - as memcpy_fromio(): copy out of a BAR.
 * @to:    destination in memory
 * @from:  cookie + offset
 * @count: bytes; done in the widest aligned accesses possible
 */
void uv_memcpy_fromio(void *to, const void __iomem *from, size_t count);

/**
 * uv_memcpy_toio() - as memcpy_toio(): copy into a BAR.
 * @to:    cookie + offset
 * @from:  source in memory
 * @count: bytes; done in the widest aligned accesses possible
 */
void uv_memcpy_toio(void __iomem *to, const void *from, size_t count);

/**
 * uv_memset_io() - as memset_io(): fill part of a BAR.
 * @addr:  cookie + offset
 * @value: the byte
 * @count: bytes
 */
void uv_memset_io(void __iomem *addr, int value, size_t count);

/* ------------------------------------------------------------------ */
/* Config space                                                        */
/* ------------------------------------------------------------------ */

/**
 * uvpci_read_config_byte() - read config space, as pci_read_config_byte().
 * @udev:  the device
 * @where: 0..4095
 * @val:   out: the byte (0xff when the device is gone)
 *
 * Config space is kept by the kernel: reads never go to the model.
 * Return: PCIBIOS_SUCCESSFUL, or PCIBIOS_BAD_REGISTER_NUMBER for a bad
 * offset (@val is then all-ones). pcibios_err_to_errno() converts.
 */
int uvpci_read_config_byte(struct uvpci_dev *udev, int where, u8 *val);

/**
 * uvpci_read_config_word() - read config space, as pci_read_config_word().
 * @udev:  the device
 * @where: 0..4094, even
 * @val:   out: the value
 *
 * Return: PCIBIOS_SUCCESSFUL or PCIBIOS_BAD_REGISTER_NUMBER.
 */
int uvpci_read_config_word(struct uvpci_dev *udev, int where, u16 *val);

/**
 * uvpci_read_config_dword() - read config space, as pci_read_config_dword().
 * @udev:  the device
 * @where: 0..4092, a multiple of 4
 * @val:   out: the value
 *
 * Return: PCIBIOS_SUCCESSFUL or PCIBIOS_BAD_REGISTER_NUMBER.
 */
int uvpci_read_config_dword(struct uvpci_dev *udev, int where, u32 *val);

/**
 * uvpci_write_config_byte() - write config space, as pci_write_config_byte().
 * @udev:  the device
 * @where: 0..4095
 * @val:   the value; read-only bits keep their value
 *
 * Writable: the command register, cache line size, interrupt line, the
 * BARs (writing all-ones and reading back gives the size mask) and the
 * MSI capability's enable, multiple-message-enable, address and data, the
 * MSI-X Enable and Function Mask, the PCI Express capability's Device
 * Control, Link Control and Device Control 2 fields, and AER's masks and
 * severities (see uvpci(9)). The model gets a UVPCI_MSG_CFG_WRITE for
 * every write.
 * Return: PCIBIOS_SUCCESSFUL or PCIBIOS_BAD_REGISTER_NUMBER.
 */
int uvpci_write_config_byte(struct uvpci_dev *udev, int where, u8 val);

/**
 * uvpci_write_config_word() - write config space, as pci_write_config_word().
 * @udev:  the device
 * @where: 0..4094, even
 * @val:   the value
 *
 * Return: PCIBIOS_SUCCESSFUL or PCIBIOS_BAD_REGISTER_NUMBER.
 */
int uvpci_write_config_word(struct uvpci_dev *udev, int where, u16 val);

/**
 * uvpci_write_config_dword() - write config space, as pci_write_config_dword().
 * @udev:  the device
 * @where: 0..4092, a multiple of 4
 * @val:   the value
 *
 * Return: PCIBIOS_SUCCESSFUL or PCIBIOS_BAD_REGISTER_NUMBER.
 */
int uvpci_write_config_dword(struct uvpci_dev *udev, int where, u32 val);

/**
 * uvpci_find_capability() - a capability in the list, as
 * pci_find_capability().
 * @udev: the device
 * @cap:  PCI_CAP_ID_*
 *
 * The list: Power Management, MSI (with MSI), MSI-X (with MSI-X), PCI
 * Express. Return: its offset, or 0 if there is none (or the device is
 * gone).
 */
u8 uvpci_find_capability(struct uvpci_dev *udev, int cap);

/**
 * uvpci_find_next_capability() - the next capability of a kind after
 * @pos, as pci_find_next_capability().
 * @udev: the device
 * @pos:  the offset of a capability's next pointer to start from
 *        (PCI_CAPABILITY_LIST for the first)
 * @cap:  PCI_CAP_ID_*
 *
 * Return: its offset, or 0.
 */
u8 uvpci_find_next_capability(struct uvpci_dev *udev, u8 pos, int cap);

/**
 * uvpci_find_ext_capability() - an extended capability, as
 * pci_find_ext_capability().
 * @udev: the device
 * @cap:  PCI_EXT_CAP_ID_* (uvPCI devices have PCI_EXT_CAP_ID_ERR, AER,
 *        at 0x100)
 *
 * Return: its offset (0x100 or more), or 0.
 */
u16 uvpci_find_ext_capability(struct uvpci_dev *udev, int cap);

/**
 * uvpci_find_next_ext_capability() - the next extended capability of a
 * kind after @start, as pci_find_next_ext_capability().
 * @udev:  the device
 * @start: a capability's offset, or 0 to start at 0x100
 * @cap:   PCI_EXT_CAP_ID_*
 *
 * Return: its offset, or 0.
 */
u16 uvpci_find_next_ext_capability(struct uvpci_dev *udev, u16 start, int cap);

/* ------------------------------------------------------------------ */
/* PCI Express                                                         */
/* ------------------------------------------------------------------ */

/**
 * uvpci_is_pcie() - as pci_is_pcie(): true, uvPCI devices are PCIe
 * endpoints.
 * @udev: the device
 */
static inline bool uvpci_is_pcie(struct uvpci_dev *udev)
{
	return !!udev->pcie_cap;
}

/**
 * uvpci_pcie_cap() - the PCI Express capability's offset, as pci_pcie_cap().
 * @udev: the device
 */
static inline int uvpci_pcie_cap(struct uvpci_dev *udev)
{
	return udev->pcie_cap;
}

/**
 * uvpci_pcie_type() - the device/port type, as pci_pcie_type():
 * PCI_EXP_TYPE_ENDPOINT.
 * @udev: the device
 */
static inline int uvpci_pcie_type(const struct uvpci_dev *udev)
{
	return (udev->pcie_flags_reg & PCI_EXP_FLAGS_TYPE) >> 4;
}

/**
 * uvpci_pcie_capability_read_word() - read a register of the PCI Express
 * capability, as pcie_capability_read_word().
 * @udev: the device
 * @pos:  PCI_EXP_* offset in the capability, even
 * @val:  out: the value; 0 for the slot and root port registers an
 *        endpoint lacks, as on PCI
 *
 * The endpoint's capability (version 2): Device Capabilities (MPS up to
 * 256 bytes), Device Control (writable: error reporting enables, relaxed
 * ordering, Max_Payload_Size, extended tags, aux power, no snoop,
 * Max_Read_Request_Size; reset MPS 128, MRRS 512), Link Capabilities and
 * Status (8 GT/s x4, trained), Link Control (ASPM, common clock, extended
 * synch), Device Control 2 (completion timeout), Link Capabilities 2 and
 * Link Control 2. Each write is a config write the model sees.
 * Return: PCIBIOS_SUCCESSFUL or PCIBIOS_BAD_REGISTER_NUMBER (odd @pos).
 */
int uvpci_pcie_capability_read_word(struct uvpci_dev *udev, int pos, u16 *val);

/**
 * uvpci_pcie_capability_read_dword() - as pcie_capability_read_dword().
 * @udev: the device
 * @pos:  PCI_EXP_* offset, a multiple of 4
 * @val:  out: the value (0 for registers an endpoint lacks)
 *
 * Return: PCIBIOS_SUCCESSFUL or PCIBIOS_BAD_REGISTER_NUMBER.
 */
int uvpci_pcie_capability_read_dword(struct uvpci_dev *udev, int pos, u32 *val);

/**
 * uvpci_pcie_capability_write_word() - as pcie_capability_write_word().
 * @udev: the device
 * @pos:  PCI_EXP_* offset, even; a register an endpoint lacks ignores it
 * @val:  the value; read-only bits keep theirs
 *
 * Return: PCIBIOS_SUCCESSFUL or PCIBIOS_BAD_REGISTER_NUMBER.
 */
int uvpci_pcie_capability_write_word(struct uvpci_dev *udev, int pos, u16 val);

/**
 * uvpci_pcie_capability_write_dword() - as pcie_capability_write_dword().
 * @udev: the device
 * @pos:  PCI_EXP_* offset, a multiple of 4
 * @val:  the value
 *
 * Return: PCIBIOS_SUCCESSFUL or PCIBIOS_BAD_REGISTER_NUMBER.
 */
int uvpci_pcie_capability_write_dword(struct uvpci_dev *udev, int pos, u32 val);

/**
 * uvpci_pcie_capability_clear_and_set_word() - read-modify-write, as
 * pcie_capability_clear_and_set_word().
 * @udev:  the device
 * @pos:   PCI_EXP_* offset, even
 * @clear: bits to clear
 * @set:   bits to set
 *
 * Return: PCIBIOS_SUCCESSFUL or PCIBIOS_BAD_REGISTER_NUMBER.
 */
int uvpci_pcie_capability_clear_and_set_word(struct uvpci_dev *udev, int pos,
					     u16 clear, u16 set);

/**
 * uvpci_pcie_capability_clear_and_set_dword() - as
 * pcie_capability_clear_and_set_dword().
 * @udev:  the device
 * @pos:   PCI_EXP_* offset, a multiple of 4
 * @clear: bits to clear
 * @set:   bits to set
 *
 * Return: PCIBIOS_SUCCESSFUL or PCIBIOS_BAD_REGISTER_NUMBER.
 */
int uvpci_pcie_capability_clear_and_set_dword(struct uvpci_dev *udev, int pos,
					      u32 clear, u32 set);

/**
 * uvpci_pcie_capability_set_word() - as pcie_capability_set_word().
 * @udev: the device
 * @pos:  PCI_EXP_* offset, even
 * @set:  bits to set
 */
static inline int uvpci_pcie_capability_set_word(struct uvpci_dev *udev,
						 int pos, u16 set)
{
	return uvpci_pcie_capability_clear_and_set_word(udev, pos, 0, set);
}

/**
 * uvpci_pcie_capability_clear_word() - as pcie_capability_clear_word().
 * @udev:  the device
 * @pos:   PCI_EXP_* offset, even
 * @clear: bits to clear
 */
static inline int uvpci_pcie_capability_clear_word(struct uvpci_dev *udev,
						   int pos, u16 clear)
{
	return uvpci_pcie_capability_clear_and_set_word(udev, pos, clear, 0);
}

/**
 * uvpci_pcie_capability_set_dword() - as pcie_capability_set_dword().
 * @udev: the device
 * @pos:  PCI_EXP_* offset, a multiple of 4
 * @set:  bits to set
 */
static inline int uvpci_pcie_capability_set_dword(struct uvpci_dev *udev,
						  int pos, u32 set)
{
	return uvpci_pcie_capability_clear_and_set_dword(udev, pos, 0, set);
}

/**
 * uvpci_pcie_capability_clear_dword() - as pcie_capability_clear_dword().
 * @udev:  the device
 * @pos:   PCI_EXP_* offset, a multiple of 4
 * @clear: bits to clear
 */
static inline int uvpci_pcie_capability_clear_dword(struct uvpci_dev *udev,
						    int pos, u32 clear)
{
	return uvpci_pcie_capability_clear_and_set_dword(udev, pos, clear, 0);
}

/**
 * uvpci_pcie_get_mps() - Max_Payload_Size in bytes, as pcie_get_mps().
 * @udev: the device
 */
int uvpci_pcie_get_mps(struct uvpci_dev *udev);

/**
 * uvpci_pcie_set_mps() - set Max_Payload_Size, as pcie_set_mps().
 * @udev: the device
 * @mps:  128 .. 256 bytes (the most Device Capabilities offers), a power
 *        of two
 *
 * Return: 0, or -EINVAL for another @mps.
 */
int uvpci_pcie_set_mps(struct uvpci_dev *udev, int mps);

/**
 * uvpci_pcie_get_readrq() - Max_Read_Request_Size in bytes, as
 * pcie_get_readrq().
 * @udev: the device
 */
int uvpci_pcie_get_readrq(struct uvpci_dev *udev);

/**
 * uvpci_pcie_set_readrq() - set Max_Read_Request_Size, as pcie_set_readrq().
 * @udev: the device
 * @rq:   128 .. 4096 bytes, a power of two
 *
 * Return: 0, or -EINVAL for another @rq.
 */
int uvpci_pcie_set_readrq(struct uvpci_dev *udev, int rq);

/* ------------------------------------------------------------------ */
/* MSI                                                                 */
/* ------------------------------------------------------------------ */

/**
 * uvpci_alloc_irq_vectors() - allocate MSI-X, MSI or INTx vectors, as
 * pci_alloc_irq_vectors().
 * @udev:     the device
 * @min_vecs: fewest acceptable, >= 1
 * @max_vecs: most wanted
 * @flags:    PCI_IRQ_MSIX (a device created with an MSI-X table: entries
 *            0 .. vectors-1), PCI_IRQ_MSI, PCI_IRQ_LEGACY (INTx, for a
 *            device with an interrupt pin, when neither is possible and
 *            @min_vecs is 1), tried in that order as on PCI;
 *            PCI_IRQ_AFFINITY is ignored
 *
 * MSI-X: enables MSI-X in config space as the PCI core does (Function
 * Mask set meanwhile), gives each entry an address and data in the table,
 * sets Interrupt Disable; each entry stays masked until request_irq() on
 * its IRQ (the IRQ chip masks and unmasks entries in the table, as PCI's).
 * MSI: enables MSI in config space and sets Interrupt Disable (the model
 * sees the config writes). INTx: clears Interrupt Disable and gives one
 * vector, udev->irq, a level-triggered IRQ that handlers may share
 * (IRQF_SHARED). Each vector is an ordinary Linux IRQ: see
 * uvpci_irq_vector(). Context: process context.
 * Return: the number of vectors (min(@max_vecs, the device's MSI-X or MSI
 * count); 1 for INTx), -EINVAL for bad arguments, a device with none of
 * the kinds asked for, or vectors already allocated, -ENOSPC if fewer
 * than @min_vecs are possible, -ENOMEM.
 */
int uvpci_alloc_irq_vectors(struct uvpci_dev *udev, unsigned int min_vecs,
			    unsigned int max_vecs, unsigned int flags);

/**
 * uvpci_enable_msix_range() - allocate MSI-X vectors for chosen table
 * entries, as pci_enable_msix_range().
 * @udev:    the device, created with an MSI-X table
 * @entries: in: entries[i].entry, the table entry of vector i (each below
 *           uvpci_msix_vec_count(), none twice); out: entries[i].vector,
 *           its Linux IRQ
 * @minvec:  fewest acceptable, >= 1
 * @maxvec:  length of @entries, most wanted
 *
 * As uvpci_alloc_irq_vectors() with PCI_IRQ_MSIX otherwise. Undo with
 * uvpci_disable_msix(). Context: process context.
 * Return: vectors allocated (min(@maxvec, the table's size)), -EINVAL
 * (bad arguments or entries, no MSI-X, vectors already allocated),
 * -ENOSPC (fewer than @minvec entries), -ENOMEM.
 */
int uvpci_enable_msix_range(struct uvpci_dev *udev, struct msix_entry *entries,
			    int minvec, int maxvec);

/**
 * uvpci_enable_msix_exact() - exactly @nvec MSI-X vectors, as
 * pci_enable_msix_exact().
 * @udev:    the device
 * @entries: as uvpci_enable_msix_range()
 * @nvec:    vectors wanted
 *
 * Return: 0, or -errno as uvpci_enable_msix_range().
 */
static inline int uvpci_enable_msix_exact(struct uvpci_dev *udev,
					  struct msix_entry *entries, int nvec)
{
	int rc = uvpci_enable_msix_range(udev, entries, nvec, nvec);

	return rc < 0 ? rc : 0;
}

/**
 * uvpci_disable_msix() - free MSI-X vectors, as pci_disable_msix(): every
 * entry masked, MSI-X disabled, INTx enabled again.
 * @udev: the device; its IRQs free_irq()'d first (else they are kept and
 *        an error is logged)
 *
 * Nothing happens without MSI-X vectors. Context: process context.
 */
void uvpci_disable_msix(struct uvpci_dev *udev);

/**
 * uvpci_enable_msi() - one MSI vector in udev->irq, as pci_enable_msi().
 * @udev: the device
 *
 * Context: process context.
 * Return: 0, or -errno as uvpci_alloc_irq_vectors() with PCI_IRQ_MSI.
 */
int uvpci_enable_msi(struct uvpci_dev *udev);

/**
 * uvpci_disable_msi() - free MSI vectors, as pci_disable_msi(); udev->irq
 * is the INTx IRQ (or 0) again.
 * @udev: the device; its IRQ free_irq()'d first
 *
 * Nothing happens without MSI vectors. Context: process context.
 */
void uvpci_disable_msi(struct uvpci_dev *udev);

/**
 * uvpci_msix_vec_count() - the MSI-X table's size, as pci_msix_vec_count().
 * @udev: the device
 *
 * Return: the number of entries, or -EINVAL without MSI-X.
 */
int uvpci_msix_vec_count(struct uvpci_dev *udev);

/**
 * uvpci_msi_vec_count() - the MSI vectors the device has, as
 * pci_msi_vec_count().
 * @udev: the device
 *
 * Return: the count, or -EINVAL without MSI.
 */
int uvpci_msi_vec_count(struct uvpci_dev *udev);

/**
 * uvpci_dev_msi_enabled() - MSI or MSI-X vectors are allocated, as
 * pci_dev_msi_enabled().
 * @udev: the device
 */
static inline bool uvpci_dev_msi_enabled(struct uvpci_dev *udev)
{
	return udev->msi_enabled || udev->msix_enabled;
}

/**
 * uvpci_irq_vector() - the Linux IRQ of an allocated vector, as
 * pci_irq_vector().
 * @udev: the device
 * @nr:   0 .. vectors-1
 *
 * Return: the IRQ for request_irq() (for @nr 0 without MSI vectors: the
 * INTx IRQ of a device with a pin, as pci_irq_vector()), or -EINVAL.
 */
int uvpci_irq_vector(struct uvpci_dev *udev, unsigned int nr);

/**
 * uvpci_intx() - enable or disable INTx, as pci_intx().
 * @udev:   the device
 * @enable: nonzero clears Interrupt Disable in the command register,
 *          zero sets it (the model is told, see uvpci(9))
 *
 * While disabled, an asserted level does not reach the handlers; enabling
 * it with the level still asserted runs them at once. Context: any.
 */
void uvpci_intx(struct uvpci_dev *udev, int enable);

/**
 * uvpci_free_irq_vectors() - free what uvpci_alloc_irq_vectors() allocated,
 * as pci_free_irq_vectors().
 * @udev: the device
 *
 * Every IRQ must have been free_irq()'d first (else they are kept and an
 * error is logged). Disables MSI or MSI-X in config space (MSI-X: every
 * entry masked first). Context: process context.
 */
void uvpci_free_irq_vectors(struct uvpci_dev *udev);

/* ------------------------------------------------------------------ */
/* More of the PCI surface: regions by mask, managed (pcim_*) calls,   */
/* power and wake-up, saved state, reset, errors, I/O BARs, ioremap()  */
/* ------------------------------------------------------------------ */

/**
 * uvpci_enable_device_mem() - as pci_enable_device_mem(): enable memory
 * decoding only.
 * @udev: the device
 *
 * Counted together with uvpci_enable_device(); undo with
 * uvpci_disable_device(). Context: process context.
 * Return: 0 or -errno.
 */
int uvpci_enable_device_mem(struct uvpci_dev *udev);

/**
 * uvpci_enable_device_io() - as pci_enable_device_io(): enable I/O
 * decoding only (the device's I/O BARs, see uvpci_inl()).
 * @udev: the device
 *
 * Return: 0 or -errno.
 */
int uvpci_enable_device_io(struct uvpci_dev *udev);

/**
 * uvpci_select_bars() - the mask of BARs whose flags have any of @flags,
 * as pci_select_bars().
 * @udev:  the device
 * @flags: IORESOURCE_MEM, IORESOURCE_IO or both
 */
static inline int uvpci_select_bars(struct uvpci_dev *udev, unsigned long flags)
{
	int bar, bars = 0;

	for (bar = 0; bar < UVPCI_NUM_RESOURCES; bar++)
		if (udev->resource[bar].flags & flags)
			bars |= 1 << bar;
	return bars;
}

/**
 * uvpci_request_selected_regions() - claim the BARs in a mask, as
 * pci_request_selected_regions().
 * @udev: the device
 * @bars: bit N for BAR N
 * @name: the owner
 *
 * Return: 0, or -EBUSY/-EINVAL with nothing claimed.
 */
int uvpci_request_selected_regions(struct uvpci_dev *udev, int bars,
				   const char *name);

/**
 * uvpci_release_selected_regions() - release the BARs in a mask.
 * @udev: the device
 * @bars: bit N for BAR N
 */
void uvpci_release_selected_regions(struct uvpci_dev *udev, int bars);

/**
 * uvpci_request_mem_regions() - claim every memory BAR, as
 * pci_request_mem_regions().
 * @udev: the device
 * @name: the owner
 *
 * Return: 0, or -EBUSY with nothing claimed.
 */
static inline int uvpci_request_mem_regions(struct uvpci_dev *udev,
					    const char *name)
{
	return uvpci_request_selected_regions(udev,
			uvpci_select_bars(udev, IORESOURCE_MEM), name);
}

/**
 * uvpci_release_mem_regions() - release every memory BAR.
 * @udev: the device
 */
static inline void uvpci_release_mem_regions(struct uvpci_dev *udev)
{
	uvpci_release_selected_regions(udev,
			uvpci_select_bars(udev, IORESOURCE_MEM));
}

/**
 * uvpci_request_selected_regions_exclusive() - as
 * pci_request_selected_regions_exclusive(): uvPCI regions are always
 * exclusive to their driver.
 * @udev: the device
 * @bars: bit N for BAR N
 * @name: the owner
 */
static inline int uvpci_request_selected_regions_exclusive(struct uvpci_dev *udev,
							   int bars,
							   const char *name)
{
	return uvpci_request_selected_regions(udev, bars, name);
}

/**
 * uvpci_request_regions_exclusive() - as pci_request_regions_exclusive().
 * @udev: the device
 * @name: the owner
 */
static inline int uvpci_request_regions_exclusive(struct uvpci_dev *udev,
						  const char *name)
{
	return uvpci_request_regions(udev, name);
}

/**
 * uvpcim_enable_device() - as pcim_enable_device(): enable the device, and
 * make it managed: on unbind (after remove()) the device is disabled and
 * what uvpcim_iomap_regions() mapped and claimed is given back.
 * @udev: the device
 *
 * Return: 0 or -errno.
 */
int uvpcim_enable_device(struct uvpci_dev *udev);

/**
 * uvpcim_iomap() - as pcim_iomap(): a managed cookie for a BAR, kept in
 * uvpcim_iomap_table().
 * @udev:   the device
 * @bar:    0..5
 * @maxlen: as uvpci_iomap()
 *
 * Return: the cookie, or NULL (a bad or unused BAR, or already mapped).
 */
void __iomem *uvpcim_iomap(struct uvpci_dev *udev, int bar, unsigned long maxlen);

/**
 * uvpcim_iounmap() - as pcim_iounmap(): give back what uvpcim_iomap()
 * mapped before unbind does.
 * @udev: the device
 * @addr: the cookie
 */
void uvpcim_iounmap(struct uvpci_dev *udev, void __iomem *addr);

/**
 * uvpcim_iomap_table() - as pcim_iomap_table(): the managed cookies,
 * indexed by BAR.
 * @udev: the device
 *
 * Return: the table (entries NULL for BARs not mapped), never NULL for a
 * uvPCI device.
 */
void __iomem * const *uvpcim_iomap_table(struct uvpci_dev *udev);

/**
 * uvpcim_iomap_regions() - as pcim_iomap_regions(): claim and map the
 * BARs in @mask, managed.
 * @udev: the device
 * @mask: bit N for BAR N
 * @name: the owner
 *
 * Return: 0, or -errno with nothing claimed or mapped.
 */
int uvpcim_iomap_regions(struct uvpci_dev *udev, int mask, const char *name);

/**
 * uvpcim_iomap_regions_request_all() - as pcim_iomap_regions_request_all():
 * claim every BAR, map those in @mask.
 * @udev: the device
 * @mask: bit N for BAR N
 * @name: the owner
 *
 * Return: 0 or -errno.
 */
int uvpcim_iomap_regions_request_all(struct uvpci_dev *udev, int mask,
				     const char *name);

/**
 * uvpcim_iounmap_regions() - as pcim_iounmap_regions(): unmap and release
 * the BARs in @mask.
 * @udev: the device
 * @mask: bit N for BAR N
 */
void uvpcim_iounmap_regions(struct uvpci_dev *udev, int mask);

/**
 * uvpcim_set_mwi() - as pcim_set_mwi(): uvpci_set_mwi(), cleared on unbind.
 * @udev: the device
 */
int uvpcim_set_mwi(struct uvpci_dev *udev);

/**
 * uvpci_is_managed() - whether uvpcim_enable_device() was called, as
 * pci_is_managed().
 * @udev: the device
 */
bool uvpci_is_managed(struct uvpci_dev *udev);

/**
 * uvpci_set_mwi() - set Memory Write and Invalidate in the command
 * register, as pci_set_mwi() (the model sees the config write).
 * @udev: the device
 *
 * Return: 0, or -ENODEV once the model is gone.
 */
int uvpci_set_mwi(struct uvpci_dev *udev);

/**
 * uvpci_try_set_mwi() - as pci_try_set_mwi().
 * @udev: the device
 */
static inline int uvpci_try_set_mwi(struct uvpci_dev *udev)
{
	return uvpci_set_mwi(udev);
}

/**
 * uvpci_clear_mwi() - clear Memory Write and Invalidate, as pci_clear_mwi().
 * @udev: the device
 */
void uvpci_clear_mwi(struct uvpci_dev *udev);

/**
 * uvpci_pcix_get_mmrbc() - as pcix_get_mmrbc(): uvPCI devices are PCI
 * Express endpoints, with no PCI-X capability.
 * @udev: the device
 *
 * Return: -EINVAL, as pcix_get_mmrbc() without the capability.
 */
static inline int uvpci_pcix_get_mmrbc(struct uvpci_dev *udev)
{
	return -EINVAL;
}

/**
 * uvpci_pcix_set_mmrbc() - as pcix_set_mmrbc() without a PCI-X capability.
 * @udev: the device
 * @mmrbc: the byte count asked for
 *
 * Return: -EINVAL.
 */
static inline int uvpci_pcix_set_mmrbc(struct uvpci_dev *udev, int mmrbc)
{
	return -EINVAL;
}

/**
 * uvpci_enable_wake() - enable or disable PME from @state, as
 * pci_enable_wake(): sets or clears PME_En in the PMCSR (the model sees
 * the config write).
 * @udev:   the device
 * @state:  the D-state it is to wake from
 * @enable: enable or disable
 *
 * Return: 0, -EINVAL if the device cannot signal PME from @state and
 * @enable is set, -ENODEV once the model is gone.
 */
int uvpci_enable_wake(struct uvpci_dev *udev, pci_power_t state, bool enable);

/**
 * uvpci_wake_from_d3() - as pci_wake_from_d3(): uvpci_enable_wake() for
 * D3hot.
 * @udev:   the device
 * @enable: enable or disable
 */
static inline int uvpci_wake_from_d3(struct uvpci_dev *udev, bool enable)
{
	return uvpci_enable_wake(udev, PCI_D3hot, enable);
}

/**
 * uvpci_pme_capable() - whether the device signals PME from @state, as
 * pci_pme_capable().
 * @udev:  the device
 * @state: a D-state
 */
bool uvpci_pme_capable(struct uvpci_dev *udev, pci_power_t state);

/**
 * uvpci_prepare_to_sleep() - as pci_prepare_to_sleep(): wake-up from
 * D3hot if the device can, then D3hot.
 * @udev: the device
 *
 * Return: 0 or -errno.
 */
int uvpci_prepare_to_sleep(struct uvpci_dev *udev);

/**
 * uvpci_back_from_sleep() - as pci_back_from_sleep(): D0, wake-up off.
 * @udev: the device
 *
 * Return: 0 or -errno.
 */
int uvpci_back_from_sleep(struct uvpci_dev *udev);

/**
 * uvpci_save_state() - save the config space a reset loses, as
 * pci_save_state(): the command register, BARs, cache line size,
 * interrupt line, PMCSR, PCI Express control registers, MSI and MSI-X
 * control, AER masks and severities.
 * @udev: the device
 *
 * Context: process context. Return: 0.
 */
int uvpci_save_state(struct uvpci_dev *udev);

/**
 * uvpci_restore_state() - write back what uvpci_save_state() saved, as
 * pci_restore_state() (each write reaches the model as a config write).
 * @udev: the device
 *
 * Nothing happens without a saved state. The saved state stays valid.
 */
void uvpci_restore_state(struct uvpci_dev *udev);

/**
 * uvpci_reset_function() - reset the function with a Function Level Reset,
 * as pci_reset_function().
 * @udev: the device
 *
 * Saves config space, calls the driver's err_handler->reset_prepare(),
 * writes Initiate Function Level Reset in Device Control (the model sees
 * that config write and is to reset itself), returns config space to its
 * power-on values (the model is told the new host state), restores the
 * saved state, and calls reset_done(). Context: process context, the
 * device lock not held (see uvpci_reset_function_locked()).
 * Return: 0, or -ENODEV once the model is gone.
 */
int uvpci_reset_function(struct uvpci_dev *udev);

/**
 * uvpci_reset_function_locked() - as pci_reset_function_locked(): the
 * same, with the device lock held by the caller.
 * @udev: the device
 */
int uvpci_reset_function_locked(struct uvpci_dev *udev);

/**
 * uvpcie_flr() - as pcie_flr(): the Function Level Reset alone, without
 * saving or restoring config space.
 * @udev: the device
 *
 * Return: 0, or -ENODEV once the model is gone.
 */
int uvpcie_flr(struct uvpci_dev *udev);

/**
 * uvpci_channel_offline() - as pci_channel_offline(): an error reported
 * to the driver froze the device (or it is gone for good).
 * @udev: the device
 */
static inline bool uvpci_channel_offline(struct uvpci_dev *udev)
{
	return udev->error_state != pci_channel_io_normal;
}

/**
 * uvpci_enable_pcie_error_reporting() - as
 * pci_enable_pcie_error_reporting(): set the error reporting enables of
 * Device Control.
 * @udev: the device
 *
 * Return: 0, or -EIO once the model is gone.
 */
int uvpci_enable_pcie_error_reporting(struct uvpci_dev *udev);

/**
 * uvpci_disable_pcie_error_reporting() - clear them again.
 * @udev: the device
 *
 * Return: 0, or -EIO once the model is gone.
 */
int uvpci_disable_pcie_error_reporting(struct uvpci_dev *udev);

/**
 * uvpci_aer_clear_nonfatal_status() - as pci_aer_clear_nonfatal_status():
 * clear the non-fatal bits of Uncorrectable Error Status.
 * @udev: the device
 *
 * Return: 0.
 */
int uvpci_aer_clear_nonfatal_status(struct uvpci_dev *udev);

/**
 * uvpci_enable_sriov() - refused: uvPCI devices have no SR-IOV capability.
 * @udev:   the device
 * @nr_virtfn: virtual functions wanted
 *
 * Logs one line. Return: -ENODEV.
 */
int uvpci_enable_sriov(struct uvpci_dev *udev, int nr_virtfn);

/**
 * uvpci_disable_sriov() - nothing to do: no virtual function exists.
 * @udev: the device
 */
static inline void uvpci_disable_sriov(struct uvpci_dev *udev)
{
}

/**
 * uvpci_num_vf() - as pci_num_vf(): 0.
 * @udev: the device
 */
static inline int uvpci_num_vf(struct uvpci_dev *udev)
{
	return 0;
}

/**
 * uvpci_vfs_assigned() - as pci_vfs_assigned(): 0.
 * @udev: the device
 */
static inline int uvpci_vfs_assigned(struct uvpci_dev *udev)
{
	return 0;
}

/**
 * uvpci_sriov_get_totalvfs() - as pci_sriov_get_totalvfs(): 0.
 * @udev: the device
 */
static inline int uvpci_sriov_get_totalvfs(struct uvpci_dev *udev)
{
	return 0;
}

/**
 * uv_ioremap() - map a range of a BAR that uvpci_resource_start() named,
 * as ioremap() of a PCI BAR: a cookie for the uv_* accessors.
 * @addr: a uvPCI bus address (uvpci_resource_start() + an offset)
 * @size: bytes; the range must lie inside one BAR
 *
 * Anything else (a physical address) is refused with one log line: a
 * uvPCI port never reaches real memory or MMIO. Undo with uv_iounmap().
 * Context: process context. Return: the cookie, or NULL.
 */
void __iomem *uv_ioremap(resource_size_t addr, unsigned long size);

/**
 * uv_ioremap_wc() - as ioremap_wc(): uv_ioremap().
 * @addr: a uvPCI bus address
 * @size: bytes
 */
static inline void __iomem *uv_ioremap_wc(resource_size_t addr,
					  unsigned long size)
{
	return uv_ioremap(addr, size);
}

/**
 * uv_ioremap_uc() - as ioremap_uc(): uv_ioremap().
 * @addr: a uvPCI bus address
 * @size: bytes
 */
static inline void __iomem *uv_ioremap_uc(resource_size_t addr,
					  unsigned long size)
{
	return uv_ioremap(addr, size);
}

/**
 * uv_ioremap_cache() - as ioremap_cache(): uv_ioremap().
 * @addr: a uvPCI bus address
 * @size: bytes
 */
static inline void __iomem *uv_ioremap_cache(resource_size_t addr,
					     unsigned long size)
{
	return uv_ioremap(addr, size);
}

/**
 * uv_iounmap() - give back any uvPCI cookie, as iounmap(): one from
 * uv_ioremap(), uvpci_iomap(), uvpci_ioremap_bar(), ... (the device is
 * found from the cookie). NULL is ignored; anything else is logged.
 * @addr: the cookie
 */
void uv_iounmap(void __iomem *addr);

/*
 * I/O BARs. A device created with an I/O BAR (UVPCI_BAR_IO) has an
 * IORESOURCE_IO resource whose "port number" (uvpci_resource_start()) is
 * a token as BAR cookies are: uv_inl(port) and friends reach the model
 * like uv_readl() on a cookie, when I/O decoding is enabled
 * (uvpci_enable_device() or uvpci_enable_device_io()). No real port is
 * ever touched: a port number that is not a uvPCI token is refused and
 * reads all-ones.
 */
static inline void __iomem *__uv_port(unsigned long port)
{
	return (__force void __iomem *)port;
}

/**
 * uv_inb() - read a byte from an I/O BAR, as inb().
 * @port: uvpci_resource_start() of the I/O BAR plus an offset
 */
static inline u8 uv_inb(unsigned long port)
{
	return __uv_read(__uv_port(port), 1);
}

/**
 * uv_inw() - read 16 bits from an I/O BAR, as inw().
 * @port: uvpci_resource_start() of the I/O BAR plus an offset
 */
static inline u16 uv_inw(unsigned long port)
{
	return __uv_read(__uv_port(port), 2);
}

/**
 * uv_inl() - read 32 bits from an I/O BAR, as inl().
 * @port: uvpci_resource_start() of the I/O BAR plus an offset
 */
static inline u32 uv_inl(unsigned long port)
{
	return __uv_read(__uv_port(port), 4);
}

/**
 * uv_outb() - write a byte to an I/O BAR, as outb() (non-posted on PCI;
 * here posted like a memory write, ordered with the device's other
 * accesses).
 * @value: the byte
 * @port:  uvpci_resource_start() of the I/O BAR plus an offset
 */
static inline void uv_outb(u8 value, unsigned long port)
{
	__uv_write(value, __uv_port(port), 1);
}

/**
 * uv_outw() - write 16 bits to an I/O BAR, as outw().
 * @value: the value
 * @port:  uvpci_resource_start() of the I/O BAR plus an offset
 */
static inline void uv_outw(u16 value, unsigned long port)
{
	__uv_write(value, __uv_port(port), 2);
}

/**
 * uv_outl() - write 32 bits to an I/O BAR, as outl().
 * @value: the value
 * @port:  uvpci_resource_start() of the I/O BAR plus an offset
 */
static inline void uv_outl(u32 value, unsigned long port)
{
	__uv_write(value, __uv_port(port), 4);
}

#define uv_inb_p	uv_inb
#define uv_inw_p	uv_inw
#define uv_inl_p	uv_inl
#define uv_outb_p	uv_outb
#define uv_outw_p	uv_outw
#define uv_outl_p	uv_outl

/**
 * uv_ioport_map() - as ioport_map(): a cookie for @nr ports from @port.
 * @port: uvpci_resource_start() of an I/O BAR plus an offset
 * @nr:   how many
 */
static inline void __iomem *uv_ioport_map(unsigned long port, unsigned int nr)
{
	return __uv_port(port);
}

/**
 * uv_ioport_unmap() - as ioport_unmap(): nothing to undo.
 * @addr: what uv_ioport_map() returned
 */
static inline void uv_ioport_unmap(void __iomem *addr)
{
}

/*
 * Traps for real accessors a port left behind. On x86 readl(), inb() and
 * friends are inline: a leftover one would touch a real address with a
 * uvPCI cookie and link without a trace. From here on each is an extern
 * that nothing defines, so modpost names it ("__uvpci_real_readl"
 * undefined) and uvpci-port --check-module reports it. Headers included
 * before this one keep the real accessors.
 */
#undef readb
u8 __uvpci_real_readb(const void __iomem *addr);
#define readb __uvpci_real_readb
#undef readb_relaxed
u8 __uvpci_real_readb_relaxed(const void __iomem *addr);
#define readb_relaxed __uvpci_real_readb_relaxed
#undef __raw_readb
u8 __uvpci_real___raw_readb(const void __iomem *addr);
#define __raw_readb __uvpci_real___raw_readb
#undef readw
u16 __uvpci_real_readw(const void __iomem *addr);
#define readw __uvpci_real_readw
#undef readw_relaxed
u16 __uvpci_real_readw_relaxed(const void __iomem *addr);
#define readw_relaxed __uvpci_real_readw_relaxed
#undef __raw_readw
u16 __uvpci_real___raw_readw(const void __iomem *addr);
#define __raw_readw __uvpci_real___raw_readw
#undef readl
u32 __uvpci_real_readl(const void __iomem *addr);
#define readl __uvpci_real_readl
#undef readl_relaxed
u32 __uvpci_real_readl_relaxed(const void __iomem *addr);
#define readl_relaxed __uvpci_real_readl_relaxed
#undef __raw_readl
u32 __uvpci_real___raw_readl(const void __iomem *addr);
#define __raw_readl __uvpci_real___raw_readl
#undef readq
u64 __uvpci_real_readq(const void __iomem *addr);
#define readq __uvpci_real_readq
#undef readq_relaxed
u64 __uvpci_real_readq_relaxed(const void __iomem *addr);
#define readq_relaxed __uvpci_real_readq_relaxed
#undef __raw_readq
u64 __uvpci_real___raw_readq(const void __iomem *addr);
#define __raw_readq __uvpci_real___raw_readq
#undef writeb
void __uvpci_real_writeb(u8 value, void __iomem *addr);
#define writeb __uvpci_real_writeb
#undef writeb_relaxed
void __uvpci_real_writeb_relaxed(u8 value, void __iomem *addr);
#define writeb_relaxed __uvpci_real_writeb_relaxed
#undef __raw_writeb
void __uvpci_real___raw_writeb(u8 value, void __iomem *addr);
#define __raw_writeb __uvpci_real___raw_writeb
#undef writew
void __uvpci_real_writew(u16 value, void __iomem *addr);
#define writew __uvpci_real_writew
#undef writew_relaxed
void __uvpci_real_writew_relaxed(u16 value, void __iomem *addr);
#define writew_relaxed __uvpci_real_writew_relaxed
#undef __raw_writew
void __uvpci_real___raw_writew(u16 value, void __iomem *addr);
#define __raw_writew __uvpci_real___raw_writew
#undef writel
void __uvpci_real_writel(u32 value, void __iomem *addr);
#define writel __uvpci_real_writel
#undef writel_relaxed
void __uvpci_real_writel_relaxed(u32 value, void __iomem *addr);
#define writel_relaxed __uvpci_real_writel_relaxed
#undef __raw_writel
void __uvpci_real___raw_writel(u32 value, void __iomem *addr);
#define __raw_writel __uvpci_real___raw_writel
#undef writeq
void __uvpci_real_writeq(u64 value, void __iomem *addr);
#define writeq __uvpci_real_writeq
#undef writeq_relaxed
void __uvpci_real_writeq_relaxed(u64 value, void __iomem *addr);
#define writeq_relaxed __uvpci_real_writeq_relaxed
#undef __raw_writeq
void __uvpci_real___raw_writeq(u64 value, void __iomem *addr);
#define __raw_writeq __uvpci_real___raw_writeq
#undef inb
u8 __uvpci_real_inb(unsigned long port);
#define inb __uvpci_real_inb
#undef outb
void __uvpci_real_outb(u8 value, unsigned long port);
#define outb __uvpci_real_outb
#undef inb_p
u8 __uvpci_real_inb_p(unsigned long port);
#define inb_p __uvpci_real_inb_p
#undef outb_p
void __uvpci_real_outb_p(u8 value, unsigned long port);
#define outb_p __uvpci_real_outb_p
#undef insb
void __uvpci_real_insb(unsigned long port, void *buf, unsigned long count);
#define insb __uvpci_real_insb
#undef outsb
void __uvpci_real_outsb(unsigned long port, const void *buf,
			    unsigned long count);
#define outsb __uvpci_real_outsb
#undef inw
u16 __uvpci_real_inw(unsigned long port);
#define inw __uvpci_real_inw
#undef outw
void __uvpci_real_outw(u16 value, unsigned long port);
#define outw __uvpci_real_outw
#undef inw_p
u16 __uvpci_real_inw_p(unsigned long port);
#define inw_p __uvpci_real_inw_p
#undef outw_p
void __uvpci_real_outw_p(u16 value, unsigned long port);
#define outw_p __uvpci_real_outw_p
#undef insw
void __uvpci_real_insw(unsigned long port, void *buf, unsigned long count);
#define insw __uvpci_real_insw
#undef outsw
void __uvpci_real_outsw(unsigned long port, const void *buf,
			    unsigned long count);
#define outsw __uvpci_real_outsw
#undef inl
u32 __uvpci_real_inl(unsigned long port);
#define inl __uvpci_real_inl
#undef outl
void __uvpci_real_outl(u32 value, unsigned long port);
#define outl __uvpci_real_outl
#undef inl_p
u32 __uvpci_real_inl_p(unsigned long port);
#define inl_p __uvpci_real_inl_p
#undef outl_p
void __uvpci_real_outl_p(u32 value, unsigned long port);
#define outl_p __uvpci_real_outl_p
#undef insl
void __uvpci_real_insl(unsigned long port, void *buf, unsigned long count);
#define insl __uvpci_real_insl
#undef outsl
void __uvpci_real_outsl(unsigned long port, const void *buf,
			    unsigned long count);
#define outsl __uvpci_real_outsl

#endif /* _UVPCI_H */
