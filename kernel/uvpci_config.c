// SPDX-License-Identifier: GPL-2.0
/*
 * uvPCI config space, enable/disable, bus mastering, BAR
 * resources and regions.
 *
 * The kernel owns each device's 4 KiB config space: a type 0 header with
 * the creation parameters, BARs that size like real ones (write all-ones,
 * read back the size mask), a Power Management capability (D0..D3hot) at
 * UVPCI_PM_CAP, an MSI capability (64-bit address, no per-vector
 * masking) at UVPCI_MSI_CAP, an MSI-X capability at UVPCI_MSIX_CAP (its
 * table and PBA in a BAR: uvpci_msi.c), the PCI Express endpoint
 * capability at UVPCI_PCIE_CAP and AER at UVPCI_AER_CAP, the only
 * extended capability. Only the bits in cfg_wmask are writable;
 * every write is also told to the model as UVPCI_MSG_CFG_WRITE, in order
 * with its MMIO traffic. When a write changes what a device acts on (the
 * command register, MSI enable and vectors, the D-state), the model is
 * told the new whole state too (UVPCI_MSG_HOST_STATE, right after that
 * write), so that no model decodes config offsets itself. Once the model
 * is gone, config space reads all-ones and ignores writes, as a
 * surprise-removed card does.
 */
#define pr_fmt(fmt) "uvpci: " fmt

#include <linux/ioport.h>
#include <linux/log2.h>
#include <linux/pci.h>

#include "uvpci_priv.h"
#include "uvpci_trace.h"

static struct resource uvpci_root =
	DEFINE_RES_MEM_NAMED(UVPCI_CPU_OFFSET, UVPCI_BUS64_MAX + 1, "uvpci");

static void cfg_put(u8 *space, unsigned int off, unsigned int size, u32 val)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		space[off + i] = val >> (8 * i);
}

static u32 cfg_get(const u8 *space, unsigned int off, unsigned int size)
{
	unsigned int i;
	u32 val = 0;

	for (i = 0; i < size; i++)
		val |= (u32)space[off + i] << (8 * i);
	return val;
}

/* Max_Payload_Size never above what Device Capabilities offers. */
static void uvpci_cfg_derive_pcie(struct uvpci_device *d)
{
	unsigned int off = UVPCI_PCIE_CAP + PCI_EXP_DEVCTL;
	u16 ctl = cfg_get(d->cfg, off, 2);

	if (((ctl & PCI_EXP_DEVCTL_PAYLOAD) >> 5) > UVPCI_PCIE_MPS_CAP)
		ctl = (ctl & ~PCI_EXP_DEVCTL_PAYLOAD) | (UVPCI_PCIE_MPS_CAP << 5);
	/* 6 and 7 are reserved Max_Read_Request_Size encodings. */
	if (((ctl & PCI_EXP_DEVCTL_READRQ) >> 12) > 5)
		ctl = (ctl & ~PCI_EXP_DEVCTL_READRQ) | (5 << 12);
	cfg_put(d->cfg, off, 2, ctl);
}

/*
 * The write-1-to-clear bits of config byte @o: AER's Uncorrectable and
 * Correctable Error Status, Device Status's error detected bits.
 */
static u8 uvpci_cfg_w1c(unsigned int o)
{
	if ((o >= UVPCI_AER_CAP + PCI_ERR_UNCOR_STATUS &&
	     o < UVPCI_AER_CAP + PCI_ERR_UNCOR_STATUS + 4) ||
	    (o >= UVPCI_AER_CAP + PCI_ERR_COR_STATUS &&
	     o < UVPCI_AER_CAP + PCI_ERR_COR_STATUS + 4))
		return 0xff;
	if (o == UVPCI_PCIE_CAP + PCI_EXP_DEVSTA)
		return PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED |
		       PCI_EXP_DEVSTA_FED | PCI_EXP_DEVSTA_URD;
	return 0;
}

/* Recompute what the rest of uvpci.ko caches from config space. */
static void uvpci_cfg_derive(struct uvpci_device *d)
{
	u16 cmd = cfg_get(d->cfg, PCI_COMMAND, 2);

	WRITE_ONCE(d->mem_on, !!(cmd & PCI_COMMAND_MEMORY));
	WRITE_ONCE(d->io_on, !!(cmd & PCI_COMMAND_IO));
	WRITE_ONCE(d->master_on, !!(cmd & PCI_COMMAND_MASTER));
	WRITE_ONCE(d->intx_off, !!(cmd & PCI_COMMAND_INTX_DISABLE));
	uvpci_cfg_derive_pcie(d);
	if (d->params.msi_count) {
		u16 ctl = cfg_get(d->cfg, UVPCI_MSI_CAP + PCI_MSI_FLAGS, 2);
		unsigned int mmc = (ctl & PCI_MSI_FLAGS_QMASK) >> 1;
		unsigned int mme = (ctl & PCI_MSI_FLAGS_QSIZE) >> 4;

		/* Multiple Message Enable never exceeds what is advertised. */
		if (mme > mmc) {
			ctl = (ctl & ~PCI_MSI_FLAGS_QSIZE) | (mmc << 4);
			cfg_put(d->cfg, UVPCI_MSI_CAP + PCI_MSI_FLAGS, 2, ctl);
		}
		WRITE_ONCE(d->msi_on, !!(ctl & PCI_MSI_FLAGS_ENABLE));
	}
	if (d->params.msix_count) {
		u16 ctl = cfg_get(d->cfg, UVPCI_MSIX_CAP + PCI_MSIX_FLAGS, 2);

		WRITE_ONCE(d->msix_on, !!(ctl & PCI_MSIX_FLAGS_ENABLE));
		WRITE_ONCE(d->msix_maskall, !!(ctl & PCI_MSIX_FLAGS_MASKALL));
	}
}

/* MSI-X can send: enabled, Function Mask clear. */
static bool uvpci_msix_live(struct uvpci_device *d)
{
	return d->msix_on && !d->msix_maskall;
}

/* The host state config space now describes; cfg_lock held. */
static void uvpci_host_state_fill(struct uvpci_device *d,
				  struct uvpci_host_state *hs)
{
	u16 cmd = cfg_get(d->cfg, PCI_COMMAND, 2);

	*hs = (struct uvpci_host_state) {
		.command = cmd,
		.power_state = cfg_get(d->cfg, UVPCI_PM_CAP + PCI_PM_CTRL, 2) &
			       PCI_PM_CTRL_STATE_MASK,
		.generation = d->host.generation,
	};
	if (cmd & PCI_COMMAND_MEMORY)
		hs->flags |= UVPCI_HOST_MEMORY;
	if (cmd & PCI_COMMAND_MASTER)
		hs->flags |= UVPCI_HOST_MASTER;
	if (cmd & PCI_COMMAND_INTX_DISABLE)
		hs->flags |= UVPCI_HOST_INTX_DISABLE;
	if (d->msi_on) {
		hs->flags |= UVPCI_HOST_MSI;
		/* Set before MSI is enabled, cleared after it is disabled. */
		hs->msi_vectors = READ_ONCE(d->msix_mode) ? 0 : READ_ONCE(d->msi_nvec);
	}
	if (d->msix_on)
		hs->flags |= UVPCI_HOST_MSIX;
	if (d->msix_maskall)
		hs->flags |= UVPCI_HOST_MSIX_MASKALL;
}

/**
 * uvpci_host_state_send() - tell a model that just attached the host state.
 * @d:    the device
 * @port: the model's port, already d->model (so that a config write that
 *        changes the state after our snapshot reaches the model too)
 *
 * Process context; the port's ring is empty, so the send cannot fail for
 * want of room.
 */
void uvpci_host_state_send(struct uvpci_device *d, struct uvbus_port *port)
{
	struct uvbus_msg msg = { .type = UVPCI_MSG_HOST_STATE };

	spin_lock_irq(&d->cfg_lock);
	msg.host = d->host;
	spin_unlock_irq(&d->cfg_lock);
	uvbus_port_send(port, &msg);
}

/* Link a capability at @off into the list; @next: the last link. */
static void cfg_cap_add(u8 *c, unsigned int *next, unsigned int off, u8 id)
{
	cfg_put(c, *next, 1, off);
	cfg_put(c, off + PCI_CAP_LIST_ID, 1, id);
	cfg_put(c, off + PCI_CAP_LIST_NEXT, 1, 0);
	*next = off + PCI_CAP_LIST_NEXT;
}

/*
 * The PCI Express capability of a version 2 endpoint with its link
 * trained at 8 GT/s x4, Max_Payload_Size up to 256 bytes, and the AER
 * extended capability (no error logged yet: its status registers read 0).
 */
static void uvpci_cfg_init_pcie(struct uvpci_device *d, unsigned int *next)
{
	u8 *c = d->cfg, *w = d->cfg_wmask;
	const unsigned int e = UVPCI_PCIE_CAP;

	cfg_cap_add(c, next, e, PCI_CAP_ID_EXP);
	cfg_put(c, e + PCI_EXP_FLAGS, 2, 2 | (PCI_EXP_TYPE_ENDPOINT << 4));
	cfg_put(c, e + PCI_EXP_DEVCAP, 4, UVPCI_PCIE_MPS_CAP | PCI_EXP_DEVCAP_RBER);
	/* The reset values: MPS 128, MRRS 512, relaxed ordering and no snoop on. */
	cfg_put(c, e + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_RELAX_EN |
		PCI_EXP_DEVCTL_NOSNOOP_EN | (2 << 12));
	cfg_put(w, e + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_CERE |
		PCI_EXP_DEVCTL_NFERE | PCI_EXP_DEVCTL_FERE | PCI_EXP_DEVCTL_URRE |
		PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_PAYLOAD |
		PCI_EXP_DEVCTL_EXT_TAG | PCI_EXP_DEVCTL_AUX_PME |
		PCI_EXP_DEVCTL_NOSNOOP_EN | PCI_EXP_DEVCTL_READRQ);
	cfg_put(c, e + PCI_EXP_LNKCAP, 4, PCI_EXP_LNKCAP_SLS_8_0GB | (4 << 4));
	cfg_put(w, e + PCI_EXP_LNKCTL, 2, PCI_EXP_LNKCTL_ASPMC |
		PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ES);
	cfg_put(c, e + PCI_EXP_LNKSTA, 2, PCI_EXP_LNKSTA_CLS_8_0GB |
		PCI_EXP_LNKSTA_NLW_X4 | PCI_EXP_LNKSTA_SLC);
	cfg_put(w, e + PCI_EXP_DEVCTL2, 2, PCI_EXP_DEVCTL2_COMP_TIMEOUT |
		PCI_EXP_DEVCTL2_COMP_TMOUT_DIS);
	cfg_put(c, e + PCI_EXP_LNKCAP2, 4, PCI_EXP_LNKCAP2_SLS_2_5GB |
		PCI_EXP_LNKCAP2_SLS_5_0GB | PCI_EXP_LNKCAP2_SLS_8_0GB);
	cfg_put(c, e + PCI_EXP_LNKCTL2, 2, PCI_EXP_LNKCTL2_TLS_8_0GT);

	/* Version 2, the last extended capability. */
	cfg_put(c, UVPCI_AER_CAP, 4, PCI_EXT_CAP_ID_ERR | (2 << 16));
	/* Advisory Non-Fatal masked, severities as the spec's defaults. */
	cfg_put(c, UVPCI_AER_CAP + PCI_ERR_UNCOR_SEVER, 4, UVPCI_AER_SEVER_DEF);
	cfg_put(w, UVPCI_AER_CAP + PCI_ERR_UNCOR_MASK, 4, UVPCI_AER_UNC_BITS);
	cfg_put(w, UVPCI_AER_CAP + PCI_ERR_UNCOR_SEVER, 4, UVPCI_AER_UNC_BITS);
	cfg_put(c, UVPCI_AER_CAP + PCI_ERR_COR_MASK, 4, PCI_ERR_COR_ADV_NFAT);
	cfg_put(w, UVPCI_AER_CAP + PCI_ERR_COR_MASK, 4, UVPCI_AER_COR_BITS);
}

/**
 * uvpci_cfg_init() - build a device's config space from its parameters.
 * @d: the device; BAR resources already allocated
 */
void uvpci_cfg_init(struct uvpci_device *d)
{
	const struct uvpci_params *p = &d->params;
	u8 *c = d->cfg, *w = d->cfg_wmask;
	unsigned int i, next = PCI_CAPABILITY_LIST;

	memset(c, 0, sizeof(d->cfg));
	memset(w, 0, sizeof(d->cfg_wmask));

	cfg_put(c, PCI_VENDOR_ID, 2, p->vendor);
	cfg_put(c, PCI_DEVICE_ID, 2, p->device);
	cfg_put(w, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		PCI_COMMAND_MASTER | PCI_COMMAND_INVALIDATE | PCI_COMMAND_PARITY |
		PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	cfg_put(c, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	cfg_put(c, PCI_REVISION_ID, 1, p->revision);
	cfg_put(c, PCI_CLASS_PROG, 3, p->class_code);
	cfg_put(w, PCI_CACHE_LINE_SIZE, 1, 0xff);
	cfg_put(c, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL);

	for (i = 0; i < UVPCI_NUM_BARS; i++) {
		const struct uvpci_bar *bar = &p->bar[i];
		unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * i;
		u64 bus;
		u32 lo;

		if (!bar->size)
			continue;
		if (bar->flags & UVPCI_BAR_IO) {
			/* The port number is a token: the slot stands for it here. */
			cfg_put(c, reg, 4, (d->slot << 8) | PCI_BASE_ADDRESS_SPACE_IO);
			cfg_put(w, reg, 4, ~((u32)bar->size - 1) & PCI_BASE_ADDRESS_IO_MASK);
			continue;
		}
		bus = d->udev.resource[i].start - UVPCI_CPU_OFFSET;
		lo = lower_32_bits(bus) | PCI_BASE_ADDRESS_SPACE_MEMORY;
		if (bar->flags & UVPCI_BAR_64)
			lo |= PCI_BASE_ADDRESS_MEM_TYPE_64;
		if (bar->flags & UVPCI_BAR_PREFETCH)
			lo |= PCI_BASE_ADDRESS_MEM_PREFETCH;
		cfg_put(c, reg, 4, lo);
		cfg_put(w, reg, 4, ~((u32)bar->size - 1) & PCI_BASE_ADDRESS_MEM_MASK);
		if (bar->flags & UVPCI_BAR_64) {
			/* The upper half: all address bits, BARs being < 4 GiB. */
			cfg_put(c, reg + 4, 4, upper_32_bits(bus));
			cfg_put(w, reg + 4, 4, 0xffffffff);
			i++;
		}
	}

	cfg_put(c, PCI_SUBSYSTEM_VENDOR_ID, 2, p->subvendor);
	cfg_put(c, PCI_SUBSYSTEM_ID, 2, p->subdevice);
	cfg_put(w, PCI_INTERRUPT_LINE, 1, 0xff);
	cfg_put(c, PCI_INTERRUPT_PIN, 1, p->intx_pin);

	/* Power Management, version 3, D1 and D2 too: every D-state is valid. */
	cfg_cap_add(c, &next, UVPCI_PM_CAP, PCI_CAP_ID_PM);
	cfg_put(c, UVPCI_PM_CAP + PCI_PM_PMC, 2,
		3 | PCI_PM_CAP_D1 | PCI_PM_CAP_D2 | PCI_PM_CAP_PME_D0 |
		PCI_PM_CAP_PME_D3hot);
	/* No soft reset on D3hot -> D0: the model keeps its state. */
	cfg_put(c, UVPCI_PM_CAP + PCI_PM_CTRL, 2, PCI_PM_CTRL_NO_SOFT_RESET);
	cfg_put(w, UVPCI_PM_CAP + PCI_PM_CTRL, 2, PCI_PM_CTRL_STATE_MASK |
		PCI_PM_CTRL_PME_ENABLE);

	if (p->msi_count) {
		unsigned int mmc = order_base_2(p->msi_count);

		cfg_cap_add(c, &next, UVPCI_MSI_CAP, PCI_CAP_ID_MSI);
		cfg_put(c, UVPCI_MSI_CAP + PCI_MSI_FLAGS, 2,
			PCI_MSI_FLAGS_64BIT | (mmc << 1));
		cfg_put(w, UVPCI_MSI_CAP + PCI_MSI_FLAGS, 2,
			PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
		cfg_put(w, UVPCI_MSI_CAP + PCI_MSI_ADDRESS_LO, 4, 0xfffffffc);
		cfg_put(w, UVPCI_MSI_CAP + PCI_MSI_ADDRESS_HI, 4, 0xffffffff);
		cfg_put(w, UVPCI_MSI_CAP + PCI_MSI_DATA_64, 2, 0xffff);
	}
	if (p->msix_count) {
		u32 pba = p->msix_offset + UVPCI_MSIX_TABLE_SIZE(p->msix_count);

		cfg_cap_add(c, &next, UVPCI_MSIX_CAP, PCI_CAP_ID_MSIX);
		cfg_put(c, UVPCI_MSIX_CAP + PCI_MSIX_FLAGS, 2, p->msix_count - 1);
		cfg_put(w, UVPCI_MSIX_CAP + PCI_MSIX_FLAGS, 2,
			PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
		cfg_put(c, UVPCI_MSIX_CAP + PCI_MSIX_TABLE, 4,
			p->msix_offset | p->msix_bar);
		cfg_put(c, UVPCI_MSIX_CAP + PCI_MSIX_PBA, 4, pba | p->msix_bar);
	}
	uvpci_cfg_init_pcie(d, &next);
	/* Where they are, as the PCI core finds them at enumeration. */
	d->udev.pm_cap = UVPCI_PM_CAP;
	d->udev.msi_cap = p->msi_count ? UVPCI_MSI_CAP : 0;
	d->udev.msix_cap = p->msix_count ? UVPCI_MSIX_CAP : 0;
	d->udev.pcie_cap = UVPCI_PCIE_CAP;
	d->udev.pcie_flags_reg = cfg_get(c, UVPCI_PCIE_CAP + PCI_EXP_FLAGS, 2);
	uvpci_cfg_derive(d);
	d->host.generation = 1;
	uvpci_host_state_fill(d, &d->host);
}

/* From Uncorrectable Error Status to Correctable Error Mask. */
#define UVPCI_AER_STICKY	(UVPCI_AER_CAP + PCI_ERR_UNCOR_STATUS)

/**
 * uvpci_cfg_reset() - a Function Level Reset's effect on config space:
 * back to the power-on values (BARs keep their addresses, AER its sticky
 * registers: errors logged, masks, severities), and the model told the
 * host state that gives.
 * @d: the device
 */
void uvpci_cfg_reset(struct uvpci_device *d)
{
	struct uvbus_msg state = { .type = UVPCI_MSG_HOST_STATE };
	u8 sticky[PCI_ERR_CAP - PCI_ERR_UNCOR_STATUS];
	unsigned long flags;
	u32 generation;

	spin_lock_irqsave(&d->cfg_lock, flags);
	generation = d->host.generation;
	/* AER's status, mask and severity registers are sticky (RW1CS, RWS). */
	memcpy(sticky, &d->cfg[UVPCI_AER_STICKY], sizeof(sticky));
	uvpci_cfg_init(d);
	memcpy(&d->cfg[UVPCI_AER_STICKY], sticky, sizeof(sticky));
	d->host.generation = generation + 1;
	state.host = d->host;
	spin_unlock_irqrestore(&d->cfg_lock, flags);
	uvpci_posted_send(d, &state);
}

static bool uvpci_cfg_bad(unsigned int off, unsigned int size)
{
	return off >= UVPCI_CFG_SIZE || off + size > UVPCI_CFG_SIZE ||
	       (off & (size - 1));
}

/**
 * uvpci_cfg_do_read() - read config space (uvpci_cfg_read() traces it).
 * @d:    the device
 * @off:  byte offset
 * @size: 1, 2 or 4, @off aligned to it
 * @val:  out: the value, all-ones on error or once the model is gone
 *
 * Any context. Return: PCIBIOS_SUCCESSFUL or PCIBIOS_BAD_REGISTER_NUMBER.
 */
static int uvpci_cfg_do_read(struct uvpci_device *d, unsigned int off,
			     unsigned int size, u32 *val)
{
	unsigned long flags;

	*val = size == 4 ? ~0U : (1U << (8 * size)) - 1;
	if (uvpci_cfg_bad(off, size))
		return PCIBIOS_BAD_REGISTER_NUMBER;
	if (uvpci_is_gone(d))
		return PCIBIOS_SUCCESSFUL;
	spin_lock_irqsave(&d->cfg_lock, flags);
	*val = cfg_get(d->cfg, off, size);
	spin_unlock_irqrestore(&d->cfg_lock, flags);
	return PCIBIOS_SUCCESSFUL;
}

/**
 * uvpci_cfg_do_write() - write config space and tell the model
 * (uvpci_cfg_write() traces it).
 * @d:    the device
 * @off:  byte offset
 * @size: 1, 2 or 4, @off aligned to it
 * @val:  the value; read-only bits ignore it
 *
 * Any context (waits for ring space like a posted MMIO write).
 * Return: PCIBIOS_SUCCESSFUL or PCIBIOS_BAD_REGISTER_NUMBER.
 */
static int uvpci_cfg_do_write(struct uvpci_device *d, unsigned int off,
			      unsigned int size, u32 val)
{
	struct uvbus_msg msg = {
		.type = UVPCI_MSG_CFG_WRITE,
		.cfg = { .offset = off, .size = size, .value = val },
	};
	struct uvbus_msg state = { .type = UVPCI_MSG_HOST_STATE };
	unsigned long flags;
	bool changed, intx_was_off, msix_was_live, msix_unmasked;
	unsigned int i;

	if (uvpci_cfg_bad(off, size))
		return PCIBIOS_BAD_REGISTER_NUMBER;
	if (uvpci_is_gone(d))
		return PCIBIOS_SUCCESSFUL;

	spin_lock_irqsave(&d->cfg_lock, flags);
	intx_was_off = d->intx_off;
	msix_was_live = uvpci_msix_live(d);
	for (i = 0; i < size; i++) {
		unsigned int o = off + i;
		u8 m;

		if (o >= sizeof(d->cfg_wmask))
			break;
		m = d->cfg_wmask[o];
		d->cfg[o] = (d->cfg[o] & ~m) | ((val >> (8 * i)) & m);
		/* AER's status registers, Device Status: write 1 to clear. */
		d->cfg[o] &= ~((val >> (8 * i)) & uvpci_cfg_w1c(o));
	}
	uvpci_cfg_derive(d);
	msix_unmasked = !msix_was_live && uvpci_msix_live(d);
	uvpci_host_state_fill(d, &state.host);
	changed = memcmp(&state.host, &d->host, sizeof(state.host));
	if (changed) {
		state.host.generation++;
		d->host = state.host;
	}
	spin_unlock_irqrestore(&d->cfg_lock, flags);

	atomic64_inc(&d->stats.cfg_writes);
	uvpci_posted_send(d, &msg);
	if (changed)
		uvpci_posted_send(d, &state);
	/* Interrupt Disable cleared: a level still asserted fires now. */
	if (intx_was_off && !READ_ONCE(d->intx_off))
		uvpci_intx_unmasked(d);
	/* MSI-X enabled or unmasked as a whole: pending entries go out. */
	if (msix_unmasked)
		uvpci_msix_unmasked(d);
	return PCIBIOS_SUCCESSFUL;
}

/* uvpci_cfg_do_read() and uvpci_cfg_do_write(), each traced. */
int uvpci_cfg_read(struct uvpci_device *d, unsigned int off, unsigned int size,
		   u32 *val)
{
	int ret = uvpci_cfg_do_read(d, off, size, val);

	trace_uvpci_cfg_read(d, off, size, *val, ret);
	return ret;
}

int uvpci_cfg_write(struct uvpci_device *d, unsigned int off, unsigned int size,
		    u32 val)
{
	int ret = uvpci_cfg_do_write(d, off, size, val);

	trace_uvpci_cfg_write(d, off, size, val, ret);
	return ret;
}

/* Read-modify-write of the command register. */
static void uvpci_command_update(struct uvpci_device *d, u16 clear, u16 set)
{
	u32 cmd;

	uvpci_cfg_read(d, PCI_COMMAND, 2, &cmd);
	if (cmd == 0xffff)	/* gone */
		return;
	uvpci_cfg_write(d, PCI_COMMAND, 2, (cmd & ~clear) | set);
}

/**
 * uvpci_cfg_intx() - clear (@enable) or set Interrupt Disable.
 * @d:      the device
 * @enable: whether INTx may reach the host
 */
void uvpci_cfg_intx(struct uvpci_device *d, bool enable)
{
	if (enable)
		uvpci_command_update(d, PCI_COMMAND_INTX_DISABLE, 0);
	else
		uvpci_command_update(d, 0, PCI_COMMAND_INTX_DISABLE);
}

/**
 * uvpci_cfg_intx_status() - the Interrupt Status bit follows the level,
 * whatever Interrupt Disable says (as PCI 2.3). The device owns it: the
 * model is not told.
 * @d:     the device
 * @level: asserted
 */
void uvpci_cfg_intx_status(struct uvpci_device *d, bool level)
{
	unsigned long flags;
	u16 st;

	spin_lock_irqsave(&d->cfg_lock, flags);
	st = cfg_get(d->cfg, PCI_STATUS, 2) & ~PCI_STATUS_INTERRUPT;
	cfg_put(d->cfg, PCI_STATUS, 2, st | (level ? PCI_STATUS_INTERRUPT : 0));
	spin_unlock_irqrestore(&d->cfg_lock, flags);
}

/**
 * uvpci_cfg_aer_log() - log an error the device detected, as its AER
 * capability does: its bits in the Uncorrectable or Correctable Error
 * Status register whatever the mask says, and, for the bits the mask
 * leaves clear, Device Status's Detected bit of its kind. The device owns
 * these: the model is not told.
 * @d:        the device
 * @severity: UVPCI_AER_*
 * @status:   the bits, within the register's (checked by the caller)
 * @unmasked: out: the bits the mask leaves clear, to be reported
 * @reported: out: Device Control enables this kind's report
 *
 * Atomic context. Return: 0; or -EINVAL, nothing logged, when an unmasked
 * uncorrectable bit's severity (Uncorrectable Error Severity) is not
 * @severity.
 */
int uvpci_cfg_aer_log(struct uvpci_device *d, unsigned int severity,
		      u32 status, u32 *unmasked, bool *reported)
{
	static const u16 devsta[] = {
		[UVPCI_AER_CORRECTABLE] = PCI_EXP_DEVSTA_CED,
		[UVPCI_AER_NONFATAL] = PCI_EXP_DEVSTA_NFED,
		[UVPCI_AER_FATAL] = PCI_EXP_DEVSTA_FED,
	};
	static const u16 enable[] = {
		[UVPCI_AER_CORRECTABLE] = PCI_EXP_DEVCTL_CERE,
		[UVPCI_AER_NONFATAL] = PCI_EXP_DEVCTL_NFERE,
		[UVPCI_AER_FATAL] = PCI_EXP_DEVCTL_FERE,
	};
	bool cor = severity == UVPCI_AER_CORRECTABLE;
	unsigned int sreg = UVPCI_AER_CAP + (cor ? PCI_ERR_COR_STATUS : PCI_ERR_UNCOR_STATUS);
	unsigned int mreg = UVPCI_AER_CAP + (cor ? PCI_ERR_COR_MASK : PCI_ERR_UNCOR_MASK);
	unsigned int sta = UVPCI_PCIE_CAP + PCI_EXP_DEVSTA;
	unsigned long flags;
	u32 bits, sever;

	spin_lock_irqsave(&d->cfg_lock, flags);
	bits = status & ~cfg_get(d->cfg, mreg, 4);
	if (!cor) {
		sever = cfg_get(d->cfg, UVPCI_AER_CAP + PCI_ERR_UNCOR_SEVER, 4) & bits;
		if (severity == UVPCI_AER_FATAL ? sever != bits : sever) {
			spin_unlock_irqrestore(&d->cfg_lock, flags);
			return -EINVAL;
		}
	}
	cfg_put(d->cfg, sreg, 4, cfg_get(d->cfg, sreg, 4) | status);
	if (bits)
		cfg_put(d->cfg, sta, 2, cfg_get(d->cfg, sta, 2) | devsta[severity]);
	*reported = cfg_get(d->cfg, UVPCI_PCIE_CAP + PCI_EXP_DEVCTL, 2) &
		    enable[severity];
	spin_unlock_irqrestore(&d->cfg_lock, flags);
	*unmasked = bits;
	return 0;
}

void uvpci_intx(struct uvpci_dev *udev, int enable)
{
	uvpci_cfg_intx(to_uvpci_device(udev), enable);
}
EXPORT_SYMBOL_GPL(uvpci_intx);

int uvpci_read_config_byte(struct uvpci_dev *udev, int where, u8 *val)
{
	u32 v;
	int ret = uvpci_cfg_read(to_uvpci_device(udev), where, 1, &v);

	*val = v;
	return ret;
}
EXPORT_SYMBOL_GPL(uvpci_read_config_byte);

int uvpci_read_config_word(struct uvpci_dev *udev, int where, u16 *val)
{
	u32 v;
	int ret = uvpci_cfg_read(to_uvpci_device(udev), where, 2, &v);

	*val = v;
	return ret;
}
EXPORT_SYMBOL_GPL(uvpci_read_config_word);

int uvpci_read_config_dword(struct uvpci_dev *udev, int where, u32 *val)
{
	return uvpci_cfg_read(to_uvpci_device(udev), where, 4, val);
}
EXPORT_SYMBOL_GPL(uvpci_read_config_dword);

int uvpci_write_config_byte(struct uvpci_dev *udev, int where, u8 val)
{
	return uvpci_cfg_write(to_uvpci_device(udev), where, 1, val);
}
EXPORT_SYMBOL_GPL(uvpci_write_config_byte);

int uvpci_write_config_word(struct uvpci_dev *udev, int where, u16 val)
{
	return uvpci_cfg_write(to_uvpci_device(udev), where, 2, val);
}
EXPORT_SYMBOL_GPL(uvpci_write_config_word);

int uvpci_write_config_dword(struct uvpci_dev *udev, int where, u32 val)
{
	return uvpci_cfg_write(to_uvpci_device(udev), where, 4, val);
}
EXPORT_SYMBOL_GPL(uvpci_write_config_dword);

/* Capabilities: as the PCI core's walks, bounded against loops. */
#define UVPCI_CAP_TTL		48
#define UVPCI_EXT_CAP_TTL	((UVPCI_CFG_SIZE - PCI_CFG_SPACE_SIZE) / 8)

u8 uvpci_find_next_capability(struct uvpci_dev *udev, u8 pos, int cap)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	unsigned int ttl = UVPCI_CAP_TTL;
	u32 v;

	uvpci_cfg_read(d, pos, 1, &v);
	pos = v;
	while (ttl--) {
		if (pos < PCI_STD_HEADER_SIZEOF)
			break;
		pos &= ~3;
		uvpci_cfg_read(d, pos, 2, &v);
		if ((v & 0xff) == 0xff)
			break;
		if ((v & 0xff) == cap)
			return pos;
		pos = v >> 8;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(uvpci_find_next_capability);

u8 uvpci_find_capability(struct uvpci_dev *udev, int cap)
{
	u32 st;

	uvpci_cfg_read(to_uvpci_device(udev), PCI_STATUS, 2, &st);
	if (st == 0xffff || !(st & PCI_STATUS_CAP_LIST))
		return 0;
	return uvpci_find_next_capability(udev, PCI_CAPABILITY_LIST, cap);
}
EXPORT_SYMBOL_GPL(uvpci_find_capability);

u16 uvpci_find_next_ext_capability(struct uvpci_dev *udev, u16 start, int cap)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	unsigned int ttl = UVPCI_EXT_CAP_TTL;
	u16 pos = PCI_CFG_SPACE_SIZE;
	u32 header;

	if (start)
		pos = start;
	uvpci_cfg_read(d, pos, 4, &header);
	/* No extended capabilities, or the device is gone. */
	if (!header || header == ~0U)
		return 0;
	while (ttl--) {
		if (PCI_EXT_CAP_ID(header) == cap && pos != start)
			return pos;
		pos = PCI_EXT_CAP_NEXT(header);
		if (pos < PCI_CFG_SPACE_SIZE)
			break;
		uvpci_cfg_read(d, pos, 4, &header);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(uvpci_find_next_ext_capability);

u16 uvpci_find_ext_capability(struct uvpci_dev *udev, int cap)
{
	return uvpci_find_next_ext_capability(udev, 0, cap);
}
EXPORT_SYMBOL_GPL(uvpci_find_ext_capability);

/*
 * The registers of a version 2 endpoint's PCI Express capability; the
 * slot and root port ones read 0 and ignore writes, as for PCI.
 */
static bool uvpci_pcie_reg_ok(struct uvpci_dev *udev, int pos)
{
	if (!uvpci_is_pcie(udev))
		return false;
	return (pos >= 0 && pos < PCI_EXP_SLTCAP) ||
	       (pos >= PCI_EXP_DEVCAP2 && pos < PCI_EXP_SLTCAP2);
}

int uvpci_pcie_capability_read_word(struct uvpci_dev *udev, int pos, u16 *val)
{
	int ret;

	*val = 0;
	if (pos & 1)
		return PCIBIOS_BAD_REGISTER_NUMBER;
	if (!uvpci_pcie_reg_ok(udev, pos))
		return 0;
	ret = uvpci_read_config_word(udev, udev->pcie_cap + pos, val);
	if (ret)
		*val = 0;
	return ret;
}
EXPORT_SYMBOL_GPL(uvpci_pcie_capability_read_word);

int uvpci_pcie_capability_read_dword(struct uvpci_dev *udev, int pos, u32 *val)
{
	int ret;

	*val = 0;
	if (pos & 3)
		return PCIBIOS_BAD_REGISTER_NUMBER;
	if (!uvpci_pcie_reg_ok(udev, pos))
		return 0;
	ret = uvpci_read_config_dword(udev, udev->pcie_cap + pos, val);
	if (ret)
		*val = 0;
	return ret;
}
EXPORT_SYMBOL_GPL(uvpci_pcie_capability_read_dword);

int uvpci_pcie_capability_write_word(struct uvpci_dev *udev, int pos, u16 val)
{
	if (pos & 1)
		return PCIBIOS_BAD_REGISTER_NUMBER;
	if (!uvpci_pcie_reg_ok(udev, pos))
		return 0;
	return uvpci_write_config_word(udev, udev->pcie_cap + pos, val);
}
EXPORT_SYMBOL_GPL(uvpci_pcie_capability_write_word);

int uvpci_pcie_capability_write_dword(struct uvpci_dev *udev, int pos, u32 val)
{
	if (pos & 3)
		return PCIBIOS_BAD_REGISTER_NUMBER;
	if (!uvpci_pcie_reg_ok(udev, pos))
		return 0;
	return uvpci_write_config_dword(udev, udev->pcie_cap + pos, val);
}
EXPORT_SYMBOL_GPL(uvpci_pcie_capability_write_dword);

int uvpci_pcie_capability_clear_and_set_word(struct uvpci_dev *udev, int pos,
					     u16 clear, u16 set)
{
	u16 val;
	int ret = uvpci_pcie_capability_read_word(udev, pos, &val);

	if (ret)
		return ret;
	return uvpci_pcie_capability_write_word(udev, pos, (val & ~clear) | set);
}
EXPORT_SYMBOL_GPL(uvpci_pcie_capability_clear_and_set_word);

int uvpci_pcie_capability_clear_and_set_dword(struct uvpci_dev *udev, int pos,
					      u32 clear, u32 set)
{
	u32 val;
	int ret = uvpci_pcie_capability_read_dword(udev, pos, &val);

	if (ret)
		return ret;
	return uvpci_pcie_capability_write_dword(udev, pos, (val & ~clear) | set);
}
EXPORT_SYMBOL_GPL(uvpci_pcie_capability_clear_and_set_dword);

int uvpci_pcie_get_mps(struct uvpci_dev *udev)
{
	u16 ctl;

	uvpci_pcie_capability_read_word(udev, PCI_EXP_DEVCTL, &ctl);
	return 128 << ((ctl & PCI_EXP_DEVCTL_PAYLOAD) >> 5);
}
EXPORT_SYMBOL_GPL(uvpci_pcie_get_mps);

int uvpci_pcie_set_mps(struct uvpci_dev *udev, int mps)
{
	u32 cap;
	int v;

	if (mps < 128 || mps > 4096 || !is_power_of_2(mps))
		return -EINVAL;
	v = ffs(mps) - 8;
	uvpci_pcie_capability_read_dword(udev, PCI_EXP_DEVCAP, &cap);
	if (v > (cap & PCI_EXP_DEVCAP_PAYLOAD))
		return -EINVAL;
	return pcibios_err_to_errno(uvpci_pcie_capability_clear_and_set_word(udev,
			PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_PAYLOAD, v << 5));
}
EXPORT_SYMBOL_GPL(uvpci_pcie_set_mps);

int uvpci_pcie_get_readrq(struct uvpci_dev *udev)
{
	u16 ctl;

	uvpci_pcie_capability_read_word(udev, PCI_EXP_DEVCTL, &ctl);
	return 128 << ((ctl & PCI_EXP_DEVCTL_READRQ) >> 12);
}
EXPORT_SYMBOL_GPL(uvpci_pcie_get_readrq);

int uvpci_pcie_set_readrq(struct uvpci_dev *udev, int rq)
{
	if (rq < 128 || rq > 4096 || !is_power_of_2(rq))
		return -EINVAL;
	return pcibios_err_to_errno(uvpci_pcie_capability_clear_and_set_word(udev,
			PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_READRQ, (ffs(rq) - 8) << 12));
}
EXPORT_SYMBOL_GPL(uvpci_pcie_set_readrq);

/*
 * The decode enables for @types, as pci_enable_device_flags(): memory
 * always for IORESOURCE_MEM (uvPCI's own accesses need it), I/O only if
 * the device has an I/O BAR.
 */
static u16 uvpci_enable_bits(struct uvpci_device *d, unsigned long types)
{
	u16 bits = types & IORESOURCE_MEM ? PCI_COMMAND_MEMORY : 0;

	if ((types & IORESOURCE_IO) && uvpci_select_bars(&d->udev, IORESOURCE_IO))
		bits |= PCI_COMMAND_IO;
	return bits;
}

/* As pci_enable_device_flags(): to D0 first, then decode @types. */
static int uvpci_enable_flags(struct uvpci_dev *udev, unsigned long types)
{
	struct uvpci_device *d = to_uvpci_device(udev);

	if (atomic_inc_return(&d->enable_cnt) > 1)
		return 0;
	uvpci_set_power_state(udev, PCI_D0);
	uvpci_command_update(d, 0, uvpci_enable_bits(d, types));
	return 0;
}

int uvpci_enable_device(struct uvpci_dev *udev)
{
	return uvpci_enable_flags(udev, IORESOURCE_MEM | IORESOURCE_IO);
}
EXPORT_SYMBOL_GPL(uvpci_enable_device);

int uvpci_enable_device_mem(struct uvpci_dev *udev)
{
	return uvpci_enable_flags(udev, IORESOURCE_MEM);
}
EXPORT_SYMBOL_GPL(uvpci_enable_device_mem);

int uvpci_enable_device_io(struct uvpci_dev *udev)
{
	return uvpci_enable_flags(udev, IORESOURCE_IO);
}
EXPORT_SYMBOL_GPL(uvpci_enable_device_io);

void uvpci_disable_device(struct uvpci_dev *udev)
{
	struct uvpci_device *d = to_uvpci_device(udev);

	if (atomic_dec_if_positive(&d->enable_cnt) < 0) {
		dev_warn(&udev->dev, "disabling an already disabled device\n");
		return;
	}
	if (atomic_read(&d->enable_cnt))
		return;
	uvpci_command_update(d, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
			     PCI_COMMAND_MASTER, 0);
	udev->is_busmaster = 0;
}
EXPORT_SYMBOL_GPL(uvpci_disable_device);

int uvpci_set_power_state(struct uvpci_dev *udev, pci_power_t state)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	int ds = (__force int)state;
	u32 ctl;

	/* D3cold: the device sees D3hot (no power rail to cut). */
	if (ds == (__force int)PCI_D3cold)
		ds = (__force int)PCI_D3hot;
	if (ds < (__force int)PCI_D0 || ds > (__force int)PCI_D3hot)
		return -EINVAL;
	uvpci_cfg_read(d, UVPCI_PM_CAP + PCI_PM_CTRL, 2, &ctl);
	if (ctl == 0xffff)	/* gone */
		return -ENODEV;
	/* As pci_set_power_state(): nothing to write if already there. */
	if ((ctl & PCI_PM_CTRL_STATE_MASK) == ds)
		return 0;
	ctl = (ctl & ~PCI_PM_CTRL_STATE_MASK) | ds;
	uvpci_cfg_write(d, UVPCI_PM_CAP + PCI_PM_CTRL, 2, ctl);
	return 0;
}
EXPORT_SYMBOL_GPL(uvpci_set_power_state);

bool uvpci_is_enabled(struct uvpci_dev *udev)
{
	return atomic_read(&to_uvpci_device(udev)->enable_cnt) > 0;
}
EXPORT_SYMBOL_GPL(uvpci_is_enabled);

bool uvpci_device_is_present(struct uvpci_dev *udev)
{
	return !uvpci_is_gone(to_uvpci_device(udev));
}
EXPORT_SYMBOL_GPL(uvpci_device_is_present);

void uvpci_set_master(struct uvpci_dev *udev)
{
	uvpci_command_update(to_uvpci_device(udev), 0, PCI_COMMAND_MASTER);
	udev->is_busmaster = 1;
}
EXPORT_SYMBOL_GPL(uvpci_set_master);

void uvpci_clear_master(struct uvpci_dev *udev)
{
	uvpci_command_update(to_uvpci_device(udev), PCI_COMMAND_MASTER, 0);
	udev->is_busmaster = 0;
}
EXPORT_SYMBOL_GPL(uvpci_clear_master);

/* ------------------------------------------------------------------ */
/* BAR resources and regions                                           */
/* ------------------------------------------------------------------ */

/**
 * uvpci_resources_init() - give each BAR an address in the bus's space.
 * @d: the device, named, parameters validated
 *
 * Return: 0, or -ENOSPC when the window is full (nothing left allocated).
 */
int uvpci_resources_init(struct uvpci_device *d)
{
	unsigned int i;
	int err;

	for (i = 0; i < UVPCI_NUM_BARS; i++) {
		const struct uvpci_bar *bar = &d->params.bar[i];
		struct resource *res = &d->udev.resource[i];
		bool is64 = bar->flags & UVPCI_BAR_64;
		u64 min = UVPCI_CPU_OFFSET + (is64 ? UVPCI_BUS64_MIN : UVPCI_BUS32_MIN);
		u64 max = UVPCI_CPU_OFFSET + (is64 ? UVPCI_BUS64_MAX : UVPCI_BUS32_MAX);

		if (!bar->size)
			continue;
		res->name = uvpci_dname(d);
		if (bar->flags & UVPCI_BAR_IO) {
			/*
			 * Port numbers are cookies (uv_inl() takes them as
			 * they are); outside the memory window's tree.
			 */
			res->flags = IORESOURCE_IO;
			res->start = (__force unsigned long)uvpci_cookie(d, i, 0);
			res->end = res->start + bar->size - 1;
			continue;
		}
		res->flags = IORESOURCE_MEM | IORESOURCE_SIZEALIGN;
		if (is64)
			res->flags |= IORESOURCE_MEM_64;
		if (bar->flags & UVPCI_BAR_PREFETCH)
			res->flags |= IORESOURCE_PREFETCH;
		err = allocate_resource(&uvpci_root, res, bar->size, min, max,
					bar->size, NULL, NULL);
		if (err) {
			res->flags = 0;
			uvpci_resources_release(d);
			return -ENOSPC;
		}
		if (is64)
			i++;
	}
	return 0;
}

/**
 * uvpci_resources_release() - give the BAR addresses back.
 * @d: the device; no region claimed any more
 */
void uvpci_resources_release(struct uvpci_device *d)
{
	unsigned int i;

	for (i = 0; i < UVPCI_NUM_BARS; i++) {
		struct resource *res = &d->udev.resource[i];

		if (res->parent)
			release_resource(res);
	}
}

int uvpci_request_region(struct uvpci_dev *udev, int bar, const char *name)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	struct resource *res;

	if (bar < 0 || bar >= UVPCI_NUM_BARS)
		return -EINVAL;
	if (!uvpci_resource_len(udev, bar))
		return 0;
	res = &udev->resource[bar];
	if (!__request_region(res, res->start, resource_size(res), name, 0)) {
		dev_warn(&udev->dev, "BAR %d: can't reserve, already claimed\n",
			 bar);
		return -EBUSY;
	}
	set_bit(bar, &d->regions);
	return 0;
}
EXPORT_SYMBOL_GPL(uvpci_request_region);

void uvpci_release_region(struct uvpci_dev *udev, int bar)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	struct resource *res;

	if (bar < 0 || bar >= UVPCI_NUM_BARS ||
	    !test_and_clear_bit(bar, &d->regions))
		return;
	res = &udev->resource[bar];
	__release_region(res, res->start, resource_size(res));
}
EXPORT_SYMBOL_GPL(uvpci_release_region);

int uvpci_request_regions(struct uvpci_dev *udev, const char *name)
{
	return uvpci_request_selected_regions(udev, (1 << UVPCI_NUM_BARS) - 1,
					      name);
}
EXPORT_SYMBOL_GPL(uvpci_request_regions);

void uvpci_release_regions(struct uvpci_dev *udev)
{
	uvpci_release_selected_regions(udev, (1 << UVPCI_NUM_BARS) - 1);
}
EXPORT_SYMBOL_GPL(uvpci_release_regions);

/**
 * uvpci_regions_release_all() - after remove(): release what the driver
 * left claimed, and say so.
 * @d: the device
 */
void uvpci_regions_release_all(struct uvpci_device *d)
{
	if (!READ_ONCE(d->regions))
		return;
	dev_warn(&d->udev.dev, "driver left BAR regions claimed; releasing them\n");
	uvpci_release_regions(&d->udev);
}
