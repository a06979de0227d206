// SPDX-License-Identifier: GPL-2.0
/*
 * uvPCI: the rest of the PCI surface that real drivers call, each as its
 * PCI twin: BAR regions by mask, the managed pcim_* calls, Memory Write
 * and Invalidate, wake-up, saved config space, Function Level Reset,
 * error reporting, SR-IOV (refused), and ioremap()/iounmap() of a BAR.
 *
 * Everything here goes through config space (uvpci_config.c) or the
 * cookies (uvpci_mmio.c), so the model sees each config write and every
 * host-state change, as with the calls there.
 */
#define pr_fmt(fmt) "uvpci: " fmt

#include <linux/device.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <asm/unaligned.h>

#include "uvpci_priv.h"

/* ------------------------------------------------------------------ */
/* Regions by mask                                                     */
/* ------------------------------------------------------------------ */

int uvpci_request_selected_regions(struct uvpci_dev *udev, int bars,
				   const char *name)
{
	int bar, err;

	if (bars & ~((1 << UVPCI_NUM_BARS) - 1))
		return -EINVAL;
	for (bar = 0; bar < UVPCI_NUM_BARS; bar++) {
		if (!(bars & (1 << bar)))
			continue;
		err = uvpci_request_region(udev, bar, name);
		if (err)
			goto err_release;
	}
	return 0;

err_release:
	while (--bar >= 0)
		if (bars & (1 << bar))
			uvpci_release_region(udev, bar);
	return err;
}
EXPORT_SYMBOL_GPL(uvpci_request_selected_regions);

void uvpci_release_selected_regions(struct uvpci_dev *udev, int bars)
{
	int bar;

	for (bar = 0; bar < UVPCI_NUM_BARS; bar++)
		if (bars & (1 << bar))
			uvpci_release_region(udev, bar);
}
EXPORT_SYMBOL_GPL(uvpci_release_selected_regions);

/* ------------------------------------------------------------------ */
/* Managed (pcim_*): undone by uvpci_pcim_release() after remove()     */
/* ------------------------------------------------------------------ */

int uvpcim_enable_device(struct uvpci_dev *udev)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	int err;

	if (d->pcim_managed)
		return 0;
	err = uvpci_enable_device(udev);
	if (err)
		return err;
	d->pcim_managed = true;
	return 0;
}
EXPORT_SYMBOL_GPL(uvpcim_enable_device);

bool uvpci_is_managed(struct uvpci_dev *udev)
{
	return to_uvpci_device(udev)->pcim_managed;
}
EXPORT_SYMBOL_GPL(uvpci_is_managed);

void __iomem *uvpcim_iomap(struct uvpci_dev *udev, int bar, unsigned long maxlen)
{
	struct uvpci_device *d = to_uvpci_device(udev);

	if (bar < 0 || bar >= UVPCI_NUM_BARS || d->pcim_table[bar])
		return NULL;
	d->pcim_table[bar] = uvpci_iomap(udev, bar, maxlen);
	return d->pcim_table[bar];
}
EXPORT_SYMBOL_GPL(uvpcim_iomap);

void uvpcim_iounmap(struct uvpci_dev *udev, void __iomem *addr)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	int bar;

	for (bar = 0; bar < UVPCI_NUM_BARS; bar++) {
		if (addr && d->pcim_table[bar] == addr) {
			uvpci_iounmap(udev, addr);
			d->pcim_table[bar] = NULL;
			return;
		}
	}
	dev_err(&udev->dev, "%s() of a cookie uvpcim_iomap() did not give\n",
		__func__);
}
EXPORT_SYMBOL_GPL(uvpcim_iounmap);

void __iomem * const *uvpcim_iomap_table(struct uvpci_dev *udev)
{
	return to_uvpci_device(udev)->pcim_table;
}
EXPORT_SYMBOL_GPL(uvpcim_iomap_table);

void uvpcim_iounmap_regions(struct uvpci_dev *udev, int mask)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	int bar;

	for (bar = 0; bar < UVPCI_NUM_BARS; bar++) {
		if (!(mask & (1 << bar)))
			continue;
		if (d->pcim_table[bar]) {
			uvpci_iounmap(udev, d->pcim_table[bar]);
			d->pcim_table[bar] = NULL;
		}
		if (d->pcim_regions & (1 << bar)) {
			uvpci_release_region(udev, bar);
			d->pcim_regions &= ~(1 << bar);
		}
	}
}
EXPORT_SYMBOL_GPL(uvpcim_iounmap_regions);

int uvpcim_iomap_regions(struct uvpci_dev *udev, int mask, const char *name)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	int bar, err;

	if (mask & ~((1 << UVPCI_NUM_BARS) - 1))
		return -EINVAL;
	for (bar = 0; bar < UVPCI_NUM_BARS; bar++) {
		if (!(mask & (1 << bar)))
			continue;
		err = -EINVAL;
		if (!uvpci_resource_len(udev, bar))
			goto err_undo;
		err = uvpci_request_region(udev, bar, name);
		if (err)
			goto err_undo;
		d->pcim_regions |= 1 << bar;
		err = -ENOMEM;
		if (!uvpcim_iomap(udev, bar, 0))
			goto err_undo;
	}
	return 0;

err_undo:
	uvpcim_iounmap_regions(udev, mask & ((1 << (bar + 1)) - 1));
	return err;
}
EXPORT_SYMBOL_GPL(uvpcim_iomap_regions);

int uvpcim_iomap_regions_request_all(struct uvpci_dev *udev, int mask,
				     const char *name)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	int others = ((1 << UVPCI_NUM_BARS) - 1) & ~mask;
	int bar, err;

	err = uvpcim_iomap_regions(udev, mask, name);
	if (err)
		return err;
	for (bar = 0; bar < UVPCI_NUM_BARS; bar++) {
		if (!(others & (1 << bar)) || !uvpci_resource_len(udev, bar))
			continue;
		err = uvpci_request_region(udev, bar, name);
		if (err) {
			uvpcim_iounmap_regions(udev, (1 << UVPCI_NUM_BARS) - 1);
			return err;
		}
		d->pcim_regions |= 1 << bar;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(uvpcim_iomap_regions_request_all);

int uvpcim_set_mwi(struct uvpci_dev *udev)
{
	int err = uvpci_set_mwi(udev);

	if (!err)
		to_uvpci_device(udev)->pcim_mwi = true;
	return err;
}
EXPORT_SYMBOL_GPL(uvpcim_set_mwi);

/**
 * uvpci_pcim_release() - after remove() or a failed probe(): give back
 * what the managed calls took, as the PCI core's devres does, quietly.
 * @d: the device
 */
void uvpci_pcim_release(struct uvpci_device *d)
{
	struct uvpci_dev *udev = &d->udev;

	uvpcim_iounmap_regions(udev, (1 << UVPCI_NUM_BARS) - 1);
	if (d->pcim_mwi)
		uvpci_clear_mwi(udev);
	d->pcim_mwi = false;
	if (d->pcim_managed && uvpci_is_enabled(udev)) {
		atomic_set(&d->enable_cnt, 1);
		uvpci_disable_device(udev);
	}
	d->pcim_managed = false;
	d->state_saved = false;
}

/* ------------------------------------------------------------------ */
/* Memory Write and Invalidate, wake-up                                */
/* ------------------------------------------------------------------ */

/* Read-modify-write of a config register; -ENODEV once the model is gone. */
static int uvpci_cfg_update(struct uvpci_device *d, unsigned int off,
			    unsigned int size, u32 clear, u32 set)
{
	u32 v;

	uvpci_cfg_read(d, off, size, &v);
	if (v == (size == 4 ? ~0U : (1U << (8 * size)) - 1))
		return -ENODEV;
	uvpci_cfg_write(d, off, size, (v & ~clear) | set);
	return 0;
}

int uvpci_set_mwi(struct uvpci_dev *udev)
{
	return uvpci_cfg_update(to_uvpci_device(udev), PCI_COMMAND, 2, 0,
				PCI_COMMAND_INVALIDATE);
}
EXPORT_SYMBOL_GPL(uvpci_set_mwi);

void uvpci_clear_mwi(struct uvpci_dev *udev)
{
	uvpci_cfg_update(to_uvpci_device(udev), PCI_COMMAND, 2,
			 PCI_COMMAND_INVALIDATE, 0);
}
EXPORT_SYMBOL_GPL(uvpci_clear_mwi);

bool uvpci_pme_capable(struct uvpci_dev *udev, pci_power_t state)
{
	int ds = (__force int)state;
	u32 pmc;

	if (ds == (__force int)PCI_D3cold)
		ds = (__force int)PCI_D3hot;
	if (ds < (__force int)PCI_D0 || ds > (__force int)PCI_D3hot)
		return false;
	uvpci_cfg_read(to_uvpci_device(udev), UVPCI_PM_CAP + PCI_PM_PMC, 2, &pmc);
	if (pmc == 0xffff)
		return false;
	/* PME_Support: bit 11 + N for DN. */
	return pmc & (PCI_PM_CAP_PME_D0 << ds);
}
EXPORT_SYMBOL_GPL(uvpci_pme_capable);

int uvpci_enable_wake(struct uvpci_dev *udev, pci_power_t state, bool enable)
{
	struct uvpci_device *d = to_uvpci_device(udev);

	if (enable && !uvpci_pme_capable(udev, state))
		return -EINVAL;
	return uvpci_cfg_update(d, UVPCI_PM_CAP + PCI_PM_CTRL, 2,
				enable ? 0 : PCI_PM_CTRL_PME_ENABLE,
				enable ? PCI_PM_CTRL_PME_ENABLE : 0);
}
EXPORT_SYMBOL_GPL(uvpci_enable_wake);

int uvpci_prepare_to_sleep(struct uvpci_dev *udev)
{
	uvpci_enable_wake(udev, PCI_D3hot, uvpci_pme_capable(udev, PCI_D3hot));
	return uvpci_set_power_state(udev, PCI_D3hot);
}
EXPORT_SYMBOL_GPL(uvpci_prepare_to_sleep);

int uvpci_back_from_sleep(struct uvpci_dev *udev)
{
	int err = uvpci_set_power_state(udev, PCI_D0);

	uvpci_enable_wake(udev, PCI_D0, false);
	return err;
}
EXPORT_SYMBOL_GPL(uvpci_back_from_sleep);

/* ------------------------------------------------------------------ */
/* Saved config space, Function Level Reset                            */
/* ------------------------------------------------------------------ */

int uvpci_save_state(struct uvpci_dev *udev)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	unsigned int off;
	u32 v;

	for (off = 0; off < sizeof(d->saved_cfg); off += 4) {
		uvpci_cfg_read(d, off, 4, &v);
		put_unaligned_le32(v, &d->saved_cfg[off]);
	}
	d->state_saved = true;
	return 0;
}
EXPORT_SYMBOL_GPL(uvpci_save_state);

void uvpci_restore_state(struct uvpci_dev *udev)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	unsigned int off;

	if (!d->state_saved)
		return;
	/*
	 * Each dword with writable bits that differs; read-only and
	 * write-one-to-clear bits (status registers) have no writable bits,
	 * so writing them back changes nothing.
	 */
	for (off = 0; off < sizeof(d->saved_cfg); off += 4) {
		u32 mask = get_unaligned_le32(&d->cfg_wmask[off]);
		u32 saved = get_unaligned_le32(&d->saved_cfg[off]);
		u32 cur;

		if (!mask)
			continue;
		uvpci_cfg_read(d, off, 4, &cur);
		if ((cur ^ saved) & mask)
			uvpci_cfg_write(d, off, 4, saved);
	}
}
EXPORT_SYMBOL_GPL(uvpci_restore_state);

int uvpcie_flr(struct uvpci_dev *udev)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	u32 ctl;

	if (uvpci_is_gone(d))
		return -ENODEV;
	uvpci_cfg_read(d, UVPCI_PCIE_CAP + PCI_EXP_DEVCTL, 2, &ctl);
	/*
	 * The model sees this write with Initiate Function Level Reset set
	 * (the bit itself always reads 0) and resets itself; then config
	 * space goes back to its power-on values and the model is told the
	 * host state that gives (memory, bus master, MSI off).
	 */
	uvpci_cfg_write(d, UVPCI_PCIE_CAP + PCI_EXP_DEVCTL, 2,
			ctl | PCI_EXP_DEVCTL_BCR_FLR);
	uvpci_cfg_reset(d);
	dev_info(&udev->dev, "function level reset\n");
	return 0;
}
EXPORT_SYMBOL_GPL(uvpcie_flr);

int uvpci_reset_function_locked(struct uvpci_dev *udev)
{
	struct uvpci_driver *drv = udev->dev.driver ?
				   to_uvpci_driver(udev->dev.driver) : NULL;
	const struct uvpci_error_handlers *eh = drv ? drv->err_handler : NULL;
	int err;

	if (uvpci_is_gone(to_uvpci_device(udev)))
		return -ENODEV;
	if (eh && eh->reset_prepare)
		eh->reset_prepare(udev);
	uvpci_save_state(udev);
	err = uvpcie_flr(udev);
	uvpci_restore_state(udev);
	if (eh && eh->reset_done)
		eh->reset_done(udev);
	return err;
}
EXPORT_SYMBOL_GPL(uvpci_reset_function_locked);

int uvpci_reset_function(struct uvpci_dev *udev)
{
	int err;

	device_lock(&udev->dev);
	err = uvpci_reset_function_locked(udev);
	device_unlock(&udev->dev);
	return err;
}
EXPORT_SYMBOL_GPL(uvpci_reset_function);

/* ------------------------------------------------------------------ */
/* Error reporting, SR-IOV                                             */
/* ------------------------------------------------------------------ */

#define UVPCI_DEVCTL_ERR_REPORTING (PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE | \
				    PCI_EXP_DEVCTL_FERE | PCI_EXP_DEVCTL_URRE)

int uvpci_enable_pcie_error_reporting(struct uvpci_dev *udev)
{
	return uvpci_cfg_update(to_uvpci_device(udev),
				UVPCI_PCIE_CAP + PCI_EXP_DEVCTL, 2, 0,
				UVPCI_DEVCTL_ERR_REPORTING) ? -EIO : 0;
}
EXPORT_SYMBOL_GPL(uvpci_enable_pcie_error_reporting);

int uvpci_disable_pcie_error_reporting(struct uvpci_dev *udev)
{
	return uvpci_cfg_update(to_uvpci_device(udev),
				UVPCI_PCIE_CAP + PCI_EXP_DEVCTL, 2,
				UVPCI_DEVCTL_ERR_REPORTING, 0) ? -EIO : 0;
}
EXPORT_SYMBOL_GPL(uvpci_disable_pcie_error_reporting);

int uvpci_aer_clear_nonfatal_status(struct uvpci_dev *udev)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	u32 status, sev;

	uvpci_cfg_read(d, UVPCI_AER_CAP + PCI_ERR_UNCOR_STATUS, 4, &status);
	uvpci_cfg_read(d, UVPCI_AER_CAP + PCI_ERR_UNCOR_SEVER, 4, &sev);
	if (status != ~0U && status & ~sev)
		uvpci_cfg_write(d, UVPCI_AER_CAP + PCI_ERR_UNCOR_STATUS, 4,
				status & ~sev);
	return 0;
}
EXPORT_SYMBOL_GPL(uvpci_aer_clear_nonfatal_status);

int uvpci_enable_sriov(struct uvpci_dev *udev, int nr_virtfn)
{
	dev_info(&udev->dev, "SR-IOV: %d virtual functions refused: uvPCI devices have no SR-IOV capability\n",
		 nr_virtfn);
	return -ENODEV;
}
EXPORT_SYMBOL_GPL(uvpci_enable_sriov);

/* ------------------------------------------------------------------ */
/* ioremap() of a BAR, iounmap() of any cookie                         */
/* ------------------------------------------------------------------ */

struct uvpci_ioremap_req {
	resource_size_t addr;
	unsigned long size;
	void __iomem *cookie;
};

static int uvpci_ioremap_one(struct device *dev, void *data)
{
	struct uvpci_ioremap_req *req = data;
	struct uvpci_dev *udev = to_uvpci_dev(dev);
	int bar;

	for (bar = 0; bar < UVPCI_NUM_RESOURCES; bar++) {
		struct resource *res = &udev->resource[bar];

		if (!(res->flags & IORESOURCE_MEM) || req->addr < res->start ||
		    req->addr > res->end || req->size > res->end - req->addr + 1)
			continue;
		req->cookie = uvpci_iomap_range(udev, bar, req->addr - res->start,
						req->size);
		return 1;
	}
	return 0;
}

void __iomem *uv_ioremap(resource_size_t addr, unsigned long size)
{
	struct uvpci_ioremap_req req = { .addr = addr, .size = size };

	if (!size || !bus_for_each_dev(&uvpci_bus_type, NULL, &req,
				       uvpci_ioremap_one)) {
		pr_err("ioremap(%pa, %#lx) refused: not inside a uvPCI BAR\n",
		       &addr, size);
		return NULL;
	}
	return req.cookie;
}
EXPORT_SYMBOL_GPL(uv_ioremap);

void uv_iounmap(void __iomem *addr)
{
	struct uvpci_device *d;
	unsigned int slot, bar;
	u64 off;

	if (!addr)
		return;
	if (!uvpci_cookie_decode(addr, &slot, &bar, &off)) {
		pr_err("iounmap(%p): not a uvPCI cookie\n", addr);
		return;
	}
	d = uvpci_slot_get(slot);
	if (!d) {
		pr_err("iounmap(%p): its device is gone\n", addr);
		return;
	}
	uvpci_iounmap(&d->udev, addr);
	uvpci_slot_put(d);
}
EXPORT_SYMBOL_GPL(uv_iounmap);
