// SPDX-License-Identifier: GPL-2.0
/*
 * A small uvPCI driver that uses every call of the API
 * and logs what it sees. The example of uvpci(9), and what the kernel
 * tests drive. It is written name for name as a PCI driver would be, so
 * that contrib/uvpci-port turns it into one.
 *
 * Binds to vendor 0x5556 ("UV" in ASCII), device 0x0001. 0x5556 is not in
 * the PCI ID database (pci.ids, 2023) and uvPCI devices never appear on a
 * real PCI bus; a real card needs an ID assigned by the PCI-SIG.
 *
 * The device it expects: BAR0 of at least 256 bytes, MSI (1 to 4
 * vectors used) or, with intx=1, an interrupt pin (INTx: one shared,
 * level-triggered IRQ, from PCI_IRQ_LEGACY), optionally a BAR2. With
 * irq_api=msix it takes 1 to 8 MSI-X vectors with uvpci_alloc_irq_vectors()
 * (entries 0..n-1); with irq_api=msix-entries, with
 * uvpci_enable_msix_range() and a struct msix_entry table that puts
 * vector i on entry COUNT-1-i (COUNT the table's size, from
 * uvpci_msix_vec_count()); with irq_api=msi, one MSI vector with the old
 * uvpci_enable_msi(). At probe it logs its PCI Express capability's
 * offsets, link and MPS/MRRS, and sets the MPS and MRRS given as mps= and
 * mrrs=. Its err_handler logs each call ("aer: error_detected: state
 * io_frozen, ..."); with aer=1 probe enables error reporting and saves
 * config space, which slot_reset() restores. BAR0
 * registers, 32-bit unless noted:
 *
 *   0x00 ID           read once at probe and logged
 *   0x04 CTRL         the driver writes 1 (enable) at probe, 0 at remove
 *   0x08 STATUS       read every poll_ms milliseconds; each change is
 *                     logged ("status 0x00000000 -> 0x00000001")
 *   0x0c IRQ_ACK      the handler writes the vector it handled (0 for
 *                     INTx: a model deasserts the level on this write)
 *   0x10 BUF_ADDR     64-bit: bus address of the coherent buffer the
 *                     device writes (written with one 64-bit write)
 *   0x18 BUF_SIZE     its size (4096)
 *   0x20 TX_ADDR_LO   bus address of the streaming buffer the device
 *   0x24 TX_ADDR_HI   reads (DMA_TO_DEVICE; holds a greeting string)
 *   0x28 TX_SIZE      its size (64)
 *   0x2c VECTORS      how many MSI vectors the driver enabled (1 for INTx)
 *
 * Each MSI logs "uvpci_sample NAME: irq vector N: dma buffer starts with
 * XX XX XX XX XX XX XX XX", the first 8 bytes of the coherent buffer, at
 * most 10 lines per 5 s per vector (a device that storms its driver with
 * MSIs must not flood the kernel log; /proc/interrupts counts them). With
 * the uvNIC tools, from a shell (see uvpci(9), EXAMPLES):
 *
 *   uvbus-ctl create dev0 --vendor 0x5556 --device 0x0001 --bar 0:4096 --msi 4
 *   modprobe uvpci_sample          # or insmod kernel/uvpci_sample.ko
 *   uvpci-poke dev0 0:0x8.l=1      # dmesg: status 0x00000000 -> 0x00000001
 *   addr=$(uvpci-peek dev0 0:0x10.q)
 *   uvdma-inject dev0 "$addr" --hex deadbeef
 *   uvmsi-fire dev0 0              # dmesg: ... starts with de ad be ef ...
 */
#include <linux/aer.h>
#include <linux/atomic.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "uvpci.h"

#define DRV_NAME		"uvpci_sample"

#define SAMPLE_VENDOR		0x5556
#define SAMPLE_DEVICE		0x0001

#define SAMPLE_ID		0x00
#define SAMPLE_CTRL		0x04
#define  SAMPLE_CTRL_ENABLE	0x1
#define SAMPLE_STATUS		0x08
#define SAMPLE_IRQ_ACK		0x0c
#define SAMPLE_BUF_ADDR		0x10
#define SAMPLE_BUF_SIZE		0x18
#define SAMPLE_TX_ADDR_LO	0x20
#define SAMPLE_TX_ADDR_HI	0x24
#define SAMPLE_TX_SIZE		0x28
#define SAMPLE_VECTORS		0x2c
#define SAMPLE_REGS_SIZE	0x100

#define SAMPLE_BUF_BYTES	4096
#define SAMPLE_TX_BYTES		64
#define SAMPLE_MAX_VECTORS	4
#define SAMPLE_MAX_MSIX		8

static unsigned int poll_ms = 100;
module_param(poll_ms, uint, 0644);
MODULE_PARM_DESC(poll_ms, "Period of the STATUS register poll in milliseconds, 0 to stop (default 100)");

static char *irq_api = "alloc";
module_param(irq_api, charp, 0444);
MODULE_PARM_DESC(irq_api, "How to get MSI vectors: alloc (PCI_IRQ_MSI; the default), msix (PCI_IRQ_MSIX), msix-entries (a struct msix_entry table, vector i on entry COUNT-1-i), msi (the old one-vector MSI call)");

static int mps;
module_param(mps, int, 0444);
MODULE_PARM_DESC(mps, "Max_Payload_Size to set at probe, in bytes (0: leave it)");

static int mrrs;
module_param(mrrs, int, 0444);
MODULE_PARM_DESC(mrrs, "Max_Read_Request_Size to set at probe, in bytes (0: leave it)");

static char *bar_api = "iomap";
module_param(bar_api, charp, 0444);
MODULE_PARM_DESC(bar_api, "How to map the BARs: iomap (claim every BAR, map with the iomap call; the default), pcim (the managed calls, released on unbind), remap (enable memory only, claim the memory BARs, remap each BAR's resource start)");

static bool intx;
module_param(intx, bool, 0444);
MODULE_PARM_DESC(intx, "Use INTx (PCI_IRQ_LEGACY: udev->irq, shared, level-triggered) instead of MSI");

static bool intx_shared;
module_param(intx_shared, bool, 0444);
MODULE_PARM_DESC(intx_shared, "With intx: a second IRQF_SHARED handler on the line, which finds nothing of its own (IRQ_NONE) and counts its runs in intx_shared_runs");

static bool aer;
module_param(aer, bool, 0444);
MODULE_PARM_DESC(aer, "Error recovery: enable PCIe error reporting and save config space at probe (the err_handler callbacks, which log each call, are always there)");

static char *aer_vote = "default";
module_param(aer_vote, charp, 0644);
MODULE_PARM_DESC(aer_vote, "What error_detected() returns: default (CAN_RECOVER for io_normal, NEED_RESET for io_frozen), recover, reset, disconnect");

static atomic_t shared_runs = ATOMIC_INIT(0);

static int shared_runs_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&shared_runs));
}

static const struct kernel_param_ops shared_runs_ops = {
	.get = shared_runs_get,
};
module_param_cb(intx_shared_runs, &shared_runs_ops, NULL, 0444);
MODULE_PARM_DESC(intx_shared_runs, "Runs of the intx_shared handler, all devices");

struct uvpci_sample;

struct uvpci_sample_vector {
	struct uvpci_sample *priv;
	unsigned int nr;
	int irq;
	struct ratelimit_state log;	/* this vector's log lines */
};

struct uvpci_sample {
	struct uvpci_dev *udev;
	void __iomem *regs;		/* BAR0 */
	void __iomem *bar2;		/* BAR2 if the device has one */
	void *buf;			/* coherent, written by the device */
	dma_addr_t buf_dma;
	char *tx;			/* streaming, read by the device */
	dma_addr_t tx_dma;
	unsigned int nvec;
	struct uvpci_sample_vector vec[SAMPLE_MAX_MSIX];
	struct delayed_work poll;
	u32 status;
	bool shared;			/* the intx_shared handler is requested */
};

static irqreturn_t uvpci_sample_irq(int irq, void *data)
{
	struct uvpci_sample_vector *vec = data;
	struct uvpci_sample *priv = vec->priv;

	/* The device's DMA writes that came before this MSI are in the buffer. */
	if (__ratelimit(&vec->log))
		dev_info(&priv->udev->dev, "irq vector %u: dma buffer starts with %*ph\n",
			 vec->nr, 8, priv->buf);
	uv_writel(vec->nr, priv->regs + SAMPLE_IRQ_ACK);
	/*
	 * A level stays up until the device sees the ack: flush the posted
	 * write, or the line is unmasked while still asserted and fires again.
	 */
	if (intx)
		uv_readl(priv->regs + SAMPLE_IRQ_ACK);
	return IRQ_HANDLED;
}

/* Another function on the same INTx line: never its interrupt. */
static irqreturn_t uvpci_sample_shared_irq(int irq, void *data)
{
	atomic_inc(&shared_runs);
	return IRQ_NONE;
}

/* What a NIC driver's watchdog does for link state: poll, report changes. */
static void uvpci_sample_poll(struct work_struct *work)
{
	struct uvpci_sample *priv = container_of(to_delayed_work(work),
						 struct uvpci_sample, poll);
	u32 status = uv_readl(priv->regs + SAMPLE_STATUS);
	unsigned int ms = READ_ONCE(poll_ms);

	if (status != priv->status)
		dev_info(&priv->udev->dev, "status %#010x -> %#010x\n",
			 priv->status, status);
	priv->status = status;
	schedule_delayed_work(&priv->poll, msecs_to_jiffies(ms ? ms : 1000));
}

/* What a PCIe driver looks at and tunes: capabilities, link, MPS, MRRS. */
static void uvpci_sample_pcie(struct uvpci_dev *udev)
{
	u16 lnksta = 0, aer;
	int err;

	if (!uvpci_is_pcie(udev))
		return;
	uvpci_pcie_capability_read_word(udev, PCI_EXP_LNKSTA, &lnksta);
	aer = uvpci_find_ext_capability(udev, PCI_EXT_CAP_ID_ERR);
	dev_info(&udev->dev, "pcie: cap %#x pm %#x msi %#x msix %#x aer %#x, type %d, link speed %u width x%u, mps %d mrrs %d\n",
		 uvpci_find_capability(udev, PCI_CAP_ID_EXP),
		 uvpci_find_capability(udev, PCI_CAP_ID_PM),
		 uvpci_find_capability(udev, PCI_CAP_ID_MSI),
		 uvpci_find_capability(udev, PCI_CAP_ID_MSIX), aer,
		 uvpci_pcie_type(udev), lnksta & PCI_EXP_LNKSTA_CLS,
		 (lnksta & PCI_EXP_LNKSTA_NLW) >> PCI_EXP_LNKSTA_NLW_SHIFT,
		 uvpci_pcie_get_mps(udev), uvpci_pcie_get_readrq(udev));
	if (udev->pcie_cap != uvpci_find_capability(udev, PCI_CAP_ID_EXP) ||
	    udev->msi_cap != uvpci_find_capability(udev, PCI_CAP_ID_MSI) ||
	    udev->msix_cap != uvpci_find_capability(udev, PCI_CAP_ID_MSIX))
		dev_err(&udev->dev, "pcie: capability offsets in struct uvpci_dev disagree with the list\n");
	if (mps) {
		err = uvpci_pcie_set_mps(udev, mps);
		dev_info(&udev->dev, "pcie: set mps %d: %d, mps now %d\n", mps,
			 err, uvpci_pcie_get_mps(udev));
	}
	if (mrrs) {
		err = uvpci_pcie_set_readrq(udev, mrrs);
		dev_info(&udev->dev, "pcie: set mrrs %d: %d, mrrs now %d\n", mrrs,
			 err, uvpci_pcie_get_readrq(udev));
	}
}

/* Vectors as irq_api says: their number, or -errno. */
static int uvpci_sample_vectors(struct uvpci_dev *udev)
{
	struct msix_entry entries[SAMPLE_MAX_MSIX];
	int count, n, i, err;

	if (intx)
		return uvpci_alloc_irq_vectors(udev, 1, 1, PCI_IRQ_LEGACY);
	if (!strcmp(irq_api, "alloc"))
		return uvpci_alloc_irq_vectors(udev, 1, SAMPLE_MAX_VECTORS,
					       PCI_IRQ_MSI);
	if (!strcmp(irq_api, "msix"))
		return uvpci_alloc_irq_vectors(udev, 1, SAMPLE_MAX_MSIX,
					       PCI_IRQ_MSIX);
	if (!strcmp(irq_api, "msi")) {
		err = uvpci_enable_msi(udev);
		return err ? err : 1;
	}
	if (strcmp(irq_api, "msix-entries"))
		return -EINVAL;
	count = uvpci_msix_vec_count(udev);
	if (count < 0)
		return count;
	n = min(count, SAMPLE_MAX_MSIX);
	for (i = 0; i < n; i++)
		entries[i].entry = count - 1 - i;
	n = uvpci_enable_msix_range(udev, entries, 1, n);
	for (i = 0; i < n; i++)
		dev_info(&udev->dev, "vector %d: MSI-X entry %u, irq %u\n", i,
			 entries[i].entry, entries[i].vector);
	return n;
}

/* Undo uvpci_sample_vectors(), with the call that matches it. */
static void uvpci_sample_vectors_free(struct uvpci_dev *udev)
{
	if (!intx && !strcmp(irq_api, "msix-entries"))
		uvpci_disable_msix(udev);
	else if (!intx && !strcmp(irq_api, "msi"))
		uvpci_disable_msi(udev);
	else
		uvpci_free_irq_vectors(udev);
}

/* Enable the device, claim and map BAR0 (and BAR2), as bar_api says. */
static int uvpci_sample_map(struct uvpci_dev *udev, struct uvpci_sample *priv)
{
	bool has_bar2 = uvpci_resource_len(udev, 2);
	int err;

	if (!strcmp(bar_api, "pcim")) {
		/* Managed: nothing of this is undone by the driver. */
		err = uvpcim_enable_device(udev);
		if (err)
			return err;
		err = uvpcim_iomap_regions(udev, BIT(0) | (has_bar2 ? BIT(2) : 0),
					   DRV_NAME);
		if (err)
			return err;
		priv->regs = uvpcim_iomap_table(udev)[0];
		priv->bar2 = uvpcim_iomap_table(udev)[2];
		return 0;
	}
	if (!strcmp(bar_api, "remap")) {
		err = uvpci_enable_device_mem(udev);
		if (err)
			return err;
		err = uvpci_request_mem_regions(udev, DRV_NAME);
		if (err)
			goto err_disable;
		/* As drivers that remap their BAR's bus address themselves. */
		priv->regs = uv_ioremap(uvpci_resource_start(udev, 0),
					uvpci_resource_len(udev, 0));
		if (has_bar2)
			priv->bar2 = uv_ioremap(uvpci_resource_start(udev, 2),
						uvpci_resource_len(udev, 2));
		if (!priv->regs || (has_bar2 && !priv->bar2)) {
			uv_iounmap(priv->regs);
			uv_iounmap(priv->bar2);
			uvpci_release_mem_regions(udev);
			err = -ENOMEM;
			goto err_disable;
		}
		return 0;
	}
	err = uvpci_enable_device(udev);
	if (err)
		return err;
	err = uvpci_request_regions(udev, DRV_NAME);
	if (err)
		goto err_disable;
	priv->regs = uvpci_iomap(udev, 0, 0);
	if (has_bar2)
		priv->bar2 = uvpci_ioremap_bar(udev, 2);
	if (!priv->regs || (has_bar2 && !priv->bar2)) {
		if (priv->regs)
			uvpci_iounmap(udev, priv->regs);
		if (priv->bar2)
			uvpci_iounmap(udev, priv->bar2);
		uvpci_release_regions(udev);
		err = -ENOMEM;
		goto err_disable;
	}
	return 0;

err_disable:
	uvpci_disable_device(udev);
	return err;
}

/* Undo uvpci_sample_map() (with pcim, unbind does it). */
static void uvpci_sample_unmap(struct uvpci_dev *udev, struct uvpci_sample *priv)
{
	if (!strcmp(bar_api, "pcim"))
		return;
	if (!strcmp(bar_api, "remap")) {
		uv_iounmap(priv->bar2);
		uv_iounmap(priv->regs);
		uvpci_release_mem_regions(udev);
	} else {
		if (priv->bar2)
			uvpci_iounmap(udev, priv->bar2);
		uvpci_iounmap(udev, priv->regs);
		uvpci_release_regions(udev);
	}
	uvpci_disable_device(udev);
}

/* Error recovery: each callback logs what it sees (see uvpci(9)). */
static const char *uvpci_sample_state(pci_channel_state_t state)
{
	if (state == pci_channel_io_normal)
		return "io_normal";
	if (state == pci_channel_io_frozen)
		return "io_frozen";
	return "io_perm_failure";
}

static u32 uvpci_sample_aer_reg(struct uvpci_dev *udev, int reg)
{
	int pos = uvpci_find_ext_capability(udev, PCI_EXT_CAP_ID_ERR);
	u32 val = 0;

	if (pos)
		uvpci_read_config_dword(udev, pos + reg, &val);
	return val;
}

static pci_ers_result_t uvpci_sample_error_detected(struct uvpci_dev *udev,
						    pci_channel_state_t state)
{
	dev_info(&udev->dev, "aer: error_detected: state %s, offline %d, uncorrectable status %#010x\n",
		 uvpci_sample_state(state), uvpci_channel_offline(udev),
		 uvpci_sample_aer_reg(udev, PCI_ERR_UNCOR_STATUS));
	if (state == pci_channel_io_perm_failure ||
	    sysfs_streq(aer_vote, "disconnect"))
		return PCI_ERS_RESULT_DISCONNECT;
	if (sysfs_streq(aer_vote, "recover"))
		return PCI_ERS_RESULT_CAN_RECOVER;
	if (sysfs_streq(aer_vote, "reset") || state == pci_channel_io_frozen)
		return PCI_ERS_RESULT_NEED_RESET;
	return PCI_ERS_RESULT_CAN_RECOVER;
}

static pci_ers_result_t uvpci_sample_mmio_enabled(struct uvpci_dev *udev)
{
	dev_info(&udev->dev, "aer: mmio_enabled: offline %d\n",
		 uvpci_channel_offline(udev));
	return PCI_ERS_RESULT_RECOVERED;
}

/* The function was reset: config space back as probe left it. */
static pci_ers_result_t uvpci_sample_slot_reset(struct uvpci_dev *udev)
{
	u16 cmd;

	uvpci_restore_state(udev);
	uvpci_read_config_word(udev, PCI_COMMAND, &cmd);
	dev_info(&udev->dev, "aer: slot_reset: offline %d, command %#06x\n",
		 uvpci_channel_offline(udev), cmd);
	return PCI_ERS_RESULT_RECOVERED;
}

static void uvpci_sample_resume(struct uvpci_dev *udev)
{
	dev_info(&udev->dev, "aer: resume: offline %d\n",
		 uvpci_channel_offline(udev));
}

static const struct uvpci_error_handlers uvpci_sample_err_handler = {
	.error_detected		= uvpci_sample_error_detected,
	.mmio_enabled		= uvpci_sample_mmio_enabled,
	.slot_reset		= uvpci_sample_slot_reset,
	.resume			= uvpci_sample_resume,
};

static int uvpci_sample_probe(struct uvpci_dev *udev,
			      const struct uvpci_device_id *id)
{
	struct uvpci_sample *priv;
	u16 vendor;
	u32 class;
	u8 rev;
	int err, nvec, i;

	priv = kzalloc(sizeof(*priv), GFP_KERNEL);
	if (!priv)
		return -ENOMEM;
	priv->udev = udev;
	INIT_DELAYED_WORK(&priv->poll, uvpci_sample_poll);
	uvpci_set_drvdata(udev, priv);

	if (!(uvpci_resource_flags(udev, 0) & IORESOURCE_MEM) ||
	    uvpci_resource_len(udev, 0) < SAMPLE_REGS_SIZE) {
		dev_err(&udev->dev, "BAR0 missing or smaller than %#x bytes\n",
			SAMPLE_REGS_SIZE);
		err = -ENODEV;
		goto err_free_priv;
	}
	err = uvpci_sample_map(udev, priv);
	if (err)
		goto err_free_priv;

	uvpci_read_config_word(udev, PCI_VENDOR_ID, &vendor);
	uvpci_read_config_byte(udev, PCI_REVISION_ID, &rev);
	uvpci_read_config_dword(udev, PCI_CLASS_REVISION, &class);
	uvpci_write_config_byte(udev, PCI_CACHE_LINE_SIZE, L1_CACHE_BYTES / 4);
	dev_info(&udev->dev, "vendor %#06x device %#06x revision %#04x class %#08x, BAR0 %llu bytes, id %#010x\n",
		 vendor, udev->device, rev, class >> 8,
		 (unsigned long long)uvpci_resource_len(udev, 0),
		 uv_readl(priv->regs + SAMPLE_ID));
	if (priv->bar2)
		dev_info(&udev->dev, "BAR2 %llu bytes, first dword %#010x\n",
			 (unsigned long long)uvpci_resource_len(udev, 2),
			 uv_ioread32(priv->bar2));

	uvpci_sample_pcie(udev);
	err = dma_set_mask_and_coherent(&udev->dev, DMA_BIT_MASK(64));
	if (err)
		goto err_unmap;
	uvpci_set_master(udev);

	priv->buf = dma_alloc_coherent(&udev->dev, SAMPLE_BUF_BYTES,
				       &priv->buf_dma, GFP_KERNEL);
	if (!priv->buf) {
		err = -ENOMEM;
		goto err_clear_master;
	}
	priv->tx = kzalloc(SAMPLE_TX_BYTES, GFP_KERNEL);
	if (!priv->tx) {
		err = -ENOMEM;
		goto err_free_coherent;
	}
	strscpy(priv->tx, "hello from uvpci_sample", SAMPLE_TX_BYTES);
	priv->tx_dma = dma_map_single(&udev->dev, priv->tx, SAMPLE_TX_BYTES,
				      DMA_TO_DEVICE);
	if (dma_mapping_error(&udev->dev, priv->tx_dma)) {
		err = -ENOMEM;
		goto err_free_tx;
	}

	nvec = uvpci_sample_vectors(udev);
	if (nvec < 0) {
		err = nvec;
		goto err_unmap_tx;
	}
	priv->nvec = nvec;
	for (i = 0; i < nvec; i++) {
		priv->vec[i].priv = priv;
		priv->vec[i].nr = i;
		ratelimit_state_init(&priv->vec[i].log, DEFAULT_RATELIMIT_INTERVAL,
				     DEFAULT_RATELIMIT_BURST);
		priv->vec[i].irq = uvpci_irq_vector(udev, i);
		/* INTx is a line other functions may share. */
		err = request_irq(priv->vec[i].irq, uvpci_sample_irq,
				  intx ? IRQF_SHARED : 0, uvpci_name(udev),
				  &priv->vec[i]);
		if (err)
			goto err_free_irqs;
	}
	if (intx && intx_shared) {
		err = request_irq(udev->irq, uvpci_sample_shared_irq, IRQF_SHARED,
				  DRV_NAME "-shared", priv);
		if (err)
			goto err_free_irqs;
		priv->shared = true;
	}

	/* Tell the device where its buffers are, then switch it on. */
	uv_writeq(priv->buf_dma, priv->regs + SAMPLE_BUF_ADDR);
	uv_writel(SAMPLE_BUF_BYTES, priv->regs + SAMPLE_BUF_SIZE);
	uv_iowrite32(lower_32_bits(priv->tx_dma), priv->regs + SAMPLE_TX_ADDR_LO);
	uv_iowrite32(upper_32_bits(priv->tx_dma), priv->regs + SAMPLE_TX_ADDR_HI);
	uv_writel(SAMPLE_TX_BYTES, priv->regs + SAMPLE_TX_SIZE);
	uv_writeb(nvec, priv->regs + SAMPLE_VECTORS);
	uv_writel(SAMPLE_CTRL_ENABLE, priv->regs + SAMPLE_CTRL);
	/* A read flushes the posted writes above (and cannot pass them). */
	uv_readl(priv->regs + SAMPLE_CTRL);

	priv->status = uv_readl(priv->regs + SAMPLE_STATUS);
	if (aer) {
		/* What slot_reset() restores after a fatal error's reset. */
		uvpci_enable_pcie_error_reporting(udev);
		uvpci_save_state(udev);
	}
	if (poll_ms)
		schedule_delayed_work(&priv->poll, msecs_to_jiffies(poll_ms));
	if (intx)
		dev_info(&udev->dev, "ready: INTx on irq %u%s, coherent buffer at bus address %#llx, tx buffer at %#llx\n",
			 udev->irq, priv->shared ? " (shared)" : "",
			 (unsigned long long)priv->buf_dma,
			 (unsigned long long)priv->tx_dma);
	else
		dev_info(&udev->dev, "ready: %d MSI%s vectors, first irq %d, coherent buffer at bus address %#llx, tx buffer at %#llx\n",
			 nvec, udev->msix_enabled ? "-X" : "", priv->vec[0].irq,
			 (unsigned long long)priv->buf_dma,
			 (unsigned long long)priv->tx_dma);
	return 0;

err_free_irqs:
	while (i--)
		free_irq(priv->vec[i].irq, &priv->vec[i]);
	uvpci_sample_vectors_free(udev);
err_unmap_tx:
	dma_unmap_single(&udev->dev, priv->tx_dma, SAMPLE_TX_BYTES, DMA_TO_DEVICE);
err_free_tx:
	kfree(priv->tx);
err_free_coherent:
	dma_free_coherent(&udev->dev, SAMPLE_BUF_BYTES, priv->buf, priv->buf_dma);
err_clear_master:
	uvpci_clear_master(udev);
err_unmap:
	uvpci_sample_unmap(udev, priv);
err_free_priv:
	kfree(priv);
	return err;
}

static void uvpci_sample_remove(struct uvpci_dev *udev)
{
	struct uvpci_sample *priv = uvpci_get_drvdata(udev);
	unsigned int i;

	cancel_delayed_work_sync(&priv->poll);
	uv_writel(0, priv->regs + SAMPLE_CTRL);
	if (priv->shared)
		free_irq(udev->irq, priv);
	for (i = 0; i < priv->nvec; i++)
		free_irq(priv->vec[i].irq, &priv->vec[i]);
	uvpci_sample_vectors_free(udev);
	dma_unmap_single(&udev->dev, priv->tx_dma, SAMPLE_TX_BYTES, DMA_TO_DEVICE);
	kfree(priv->tx);
	dma_free_coherent(&udev->dev, SAMPLE_BUF_BYTES, priv->buf, priv->buf_dma);
	uvpci_clear_master(udev);
	if (aer)
		uvpci_disable_pcie_error_reporting(udev);
	uvpci_sample_unmap(udev, priv);
	kfree(priv);
	dev_info(&udev->dev, "removed\n");
}

static const struct uvpci_device_id uvpci_sample_ids[] = {
	{ PCI_DEVICE(SAMPLE_VENDOR, SAMPLE_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(uvpci, uvpci_sample_ids);

static struct uvpci_driver uvpci_sample_driver = {
	.name		= DRV_NAME,
	.id_table	= uvpci_sample_ids,
	.probe		= uvpci_sample_probe,
	.remove		= uvpci_sample_remove,
	.err_handler	= &uvpci_sample_err_handler,
};
module_uvpci_driver(uvpci_sample_driver);

MODULE_DESCRIPTION("uvPCI sample driver: registers, DMA and MSI, logged");
MODULE_AUTHOR("uvNIC project");
MODULE_LICENSE("GPL");
