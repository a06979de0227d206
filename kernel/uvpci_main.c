// SPDX-License-Identifier: GPL-2.0
/*
 * uvpci.ko: the "uvpci" bus, its driver model and sysfs,
 * and the uvBus channel type UVBUS_TYPE_UVPCI that creates its devices.
 *
 * A UVBUS_IOC_CREATE of type UVBUS_TYPE_UVPCI validates struct
 * uvpci_params and registers a device named after the channel: it shows
 * up in /sys/bus/uvpci/devices/NAME (under /sys/devices/uvpci/) and binds
 * to a registered struct uvpci_driver whose id table matches, honouring
 * driver_override; created with UVBUS_CREATE_HELD, it binds to nothing
 * until UVPCI_IOC_RELEASE (so that a model can attach first). Destroying
 * the channel (or rmmod uvpci) unbinds the driver first. The model and
 * other processes attach to the channel as uvBus ports; their messages
 * arrive here through uvpci_rx().
 */
#define pr_fmt(fmt) "uvpci: " fmt

#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait_bit.h>
#include <linux/xarray.h>

#include "uvpci_priv.h"

unsigned int uvpci_timeout_us = 50000;
module_param_named(timeout_us, uvpci_timeout_us, uint, 0644);
MODULE_PARM_DESC(timeout_us, "Non-posted read timeout of devices created with timeout_us 0, in microseconds (default 50000, the top of PCIe's default completion timeout range; at most 10 s)");

static struct device *uvpci_root_dev;

/* Slot -> device, for decoding BAR cookies. Entries are looked up under RCU. */
static DEFINE_XARRAY_ALLOC1(uvpci_slots);
static u32 uvpci_next_slot;

/**
 * uvpci_slot_get() - the device a cookie's slot names, pinned for one access.
 * @slot: from the cookie
 *
 * Return: the device with its user count raised, or NULL.
 */
struct uvpci_device *uvpci_slot_get(unsigned int slot)
{
	struct uvpci_device *d;

	rcu_read_lock();
	d = xa_load(&uvpci_slots, slot);
	if (d)
		atomic_inc(&d->users);
	rcu_read_unlock();
	return d;
}

/**
 * uvpci_slot_put() - end an access begun with uvpci_slot_get().
 * @d: the device
 */
void uvpci_slot_put(struct uvpci_device *d)
{
	if (atomic_dec_and_test(&d->users))
		wake_up_var(&d->users);
}

/* ------------------------------------------------------------------ */
/* Matching, probe, remove                                             */
/* ------------------------------------------------------------------ */

/* What probe() gets when only driver_override matched. */
static const struct uvpci_device_id uvpci_id_any = {
	.vendor = PCI_ANY_ID, .device = PCI_ANY_ID,
	.subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID,
};

static bool uvpci_id_matches(const struct uvpci_device_id *id,
			     const struct uvpci_dev *udev)
{
	return (id->vendor == PCI_ANY_ID || id->vendor == udev->vendor) &&
	       (id->device == PCI_ANY_ID || id->device == udev->device) &&
	       (id->subvendor == PCI_ANY_ID ||
		id->subvendor == udev->subsystem_vendor) &&
	       (id->subdevice == PCI_ANY_ID ||
		id->subdevice == udev->subsystem_device) &&
	       !((id->class ^ udev->class) & id->class_mask);
}

static const struct uvpci_device_id *uvpci_match(struct uvpci_driver *drv,
						 struct uvpci_dev *udev)
{
	const struct uvpci_device_id *id = drv->id_table;
	const char *override = udev->driver_override;

	/* With driver_override set, only the driver it names may bind. */
	if (override && strcmp(override, drv->name))
		return NULL;
	for (; id && (id->vendor || id->subvendor || id->class_mask); id++) {
		if (id->override_only && !override)
			continue;
		if (uvpci_id_matches(id, udev))
			return id;
	}
	return override ? &uvpci_id_any : NULL;
}

/* A held device matches nothing: neither the bus's probe nor sysfs bind. */
static int uvpci_bus_match(struct device *dev, struct device_driver *drv)
{
	struct uvpci_dev *udev = to_uvpci_dev(dev);

	if (atomic_read(&to_uvpci_device(udev)->held))
		return 0;
	return !!uvpci_match(to_uvpci_driver(drv), udev);
}

/* After remove() (or a failed probe()): undo what the driver left behind. */
static void uvpci_unbind_cleanup(struct uvpci_device *d)
{
	struct uvpci_dev *udev = &d->udev;
	unsigned int n;

	/* The managed (pcim_*) resources first, as devres would. */
	uvpci_pcim_release(d);
	uvpci_msi_unbind(d);
	n = uvpci_dma_unbind(d);
	if (n)
		dev_warn(&udev->dev, "driver left %u DMA mappings: the device can no longer reach them\n",
			 n);
	n = uvpci_unmap_all_cookies(d);
	if (n)
		dev_warn(&udev->dev, "driver left %u BAR cookies mapped\n", n);
	uvpci_regions_release_all(d);
	if (atomic_read(&d->enable_cnt)) {
		dev_warn(&udev->dev, "driver left the device enabled; disabling it\n");
		atomic_set(&d->enable_cnt, 1);
		uvpci_disable_device(udev);
	} else if (udev->is_busmaster) {
		uvpci_clear_master(udev);
	}
}

static int uvpci_bus_probe(struct device *dev)
{
	struct uvpci_driver *drv = to_uvpci_driver(dev->driver);
	struct uvpci_dev *udev = to_uvpci_dev(dev);
	const struct uvpci_device_id *id;
	int err;

	id = uvpci_match(drv, udev);
	if (!id || !drv->probe)
		return -ENODEV;
	err = drv->probe(udev, id);
	if (err > 0) {
		dev_warn(dev, "%s: probe() returned %d, not 0 or -errno\n",
			 drv->name, err);
		err = -ENODEV;
	}
	if (err)
		uvpci_unbind_cleanup(to_uvpci_device(udev));
	return err;
}

static void uvpci_bus_remove(struct device *dev)
{
	struct uvpci_driver *drv = to_uvpci_driver(dev->driver);
	struct uvpci_dev *udev = to_uvpci_dev(dev);

	if (drv->remove)
		drv->remove(udev);
	uvpci_unbind_cleanup(to_uvpci_device(udev));
}

static void uvpci_bus_shutdown(struct device *dev)
{
	struct uvpci_driver *drv;

	if (!dev->driver)
		return;
	drv = to_uvpci_driver(dev->driver);
	if (drv->shutdown)
		drv->shutdown(to_uvpci_dev(dev));
}

/* As PCI's modalias, with the "uvpci:" prefix. */
static void uvpci_modalias(struct uvpci_dev *udev, char *buf, size_t len)
{
	snprintf(buf, len, "uvpci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X",
		 udev->vendor, udev->device, udev->subsystem_vendor,
		 udev->subsystem_device, (u8)(udev->class >> 16),
		 (u8)(udev->class >> 8), (u8)udev->class);
}

static int uvpci_bus_uevent(struct device *dev, struct kobj_uevent_env *env)
{
	struct uvpci_dev *udev = to_uvpci_dev(dev);
	char modalias[64];

	uvpci_modalias(udev, modalias, sizeof(modalias));
	if (add_uevent_var(env, "UVPCI_ID=%04X:%04X", udev->vendor, udev->device) ||
	    add_uevent_var(env, "UVPCI_SUBSYS_ID=%04X:%04X",
			   udev->subsystem_vendor, udev->subsystem_device) ||
	    add_uevent_var(env, "UVPCI_CLASS=%06X", udev->class) ||
	    add_uevent_var(env, "MODALIAS=%s", modalias))
		return -ENOMEM;
	return 0;
}

/* ------------------------------------------------------------------ */
/* sysfs                                                               */
/* ------------------------------------------------------------------ */

#define UVPCI_ID_ATTR(field, fmt)					\
static ssize_t field##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, fmt "\n", to_uvpci_dev(dev)->field);	\
}									\
static DEVICE_ATTR_RO(field)

UVPCI_ID_ATTR(vendor, "0x%04x");
UVPCI_ID_ATTR(device, "0x%04x");
UVPCI_ID_ATTR(subsystem_vendor, "0x%04x");
UVPCI_ID_ATTR(subsystem_device, "0x%04x");
UVPCI_ID_ATTR(class, "0x%06x");
UVPCI_ID_ATTR(revision, "0x%02x");
UVPCI_ID_ATTR(irq, "%u");

/* As PCI's: one line per BAR, "start end flags", fake bus-space addresses. */
static ssize_t resource_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct uvpci_dev *udev = to_uvpci_dev(dev);
	int bar, len = 0;

	for (bar = 0; bar < UVPCI_NUM_RESOURCES; bar++) {
		struct resource *res = &udev->resource[bar];
		u64 start = 0, end = 0;

		if (res->flags) {
			start = res->start;
			end = res->end;
		}
		len += sysfs_emit_at(buf, len, "0x%016llx 0x%016llx 0x%016llx\n",
				     start, end, (u64)res->flags);
	}
	return len;
}
static DEVICE_ATTR_RO(resource);

static ssize_t msi_count_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  to_uvpci_device(to_uvpci_dev(dev))->params.msi_count);
}
static DEVICE_ATTR_RO(msi_count);

static ssize_t msix_count_show(struct device *dev, struct device_attribute *attr,
			       char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  to_uvpci_device(to_uvpci_dev(dev))->params.msix_count);
}
static DEVICE_ATTR_RO(msix_count);

/* The Linux IRQ of each allocated vector, in vector order. */
static ssize_t msi_irqs_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct uvpci_dev *udev = to_uvpci_dev(dev);
	int i, irq, len = 0;

	for (i = 0; i < UVPCI_MAX_MSIX; i++) {
		irq = uvpci_irq_vector(udev, i);
		/* Up to 2048 MSI-X vectors: as many as fit in the page, whole. */
		if (irq < 0 || len > PAGE_SIZE - 16)
			break;
		len += sysfs_emit_at(buf, len, "%s%d", i ? " " : "", irq);
	}
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(msi_irqs);

static ssize_t modalias_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	char modalias[64];

	uvpci_modalias(to_uvpci_dev(dev), modalias, sizeof(modalias));
	return sysfs_emit(buf, "%s\n", modalias);
}
static DEVICE_ATTR_RO(modalias);

static ssize_t driver_override_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct uvpci_dev *udev = to_uvpci_dev(dev);
	ssize_t len;

	device_lock(dev);
	len = sysfs_emit(buf, "%s\n", udev->driver_override ?: "");
	device_unlock(dev);
	return len;
}

static ssize_t driver_override_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t count)
{
	int err = driver_set_override(dev, &to_uvpci_dev(dev)->driver_override,
				      buf, count);

	return err ? err : count;
}
static DEVICE_ATTR_RW(driver_override);

/* "attached", "none" (BARs are register files) or "gone". */
static ssize_t model_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct uvpci_device *d = to_uvpci_device(to_uvpci_dev(dev));
	const char *state;
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	state = d->model ? "attached" : d->gone ? "gone" : "none";
	spin_unlock_irqrestore(&d->lock, flags);
	return sysfs_emit(buf, "%s\n", state);
}
static DEVICE_ATTR_RO(model);

static ssize_t timeout_us_show(struct device *dev, struct device_attribute *attr,
			       char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(to_uvpci_device(to_uvpci_dev(dev))->timeout_us));
}

static ssize_t timeout_us_store(struct device *dev, struct device_attribute *attr,
				const char *buf, size_t count)
{
	unsigned int us;
	int err = kstrtouint(buf, 0, &us);

	if (err)
		return err;
	if (!us || us > UVPCI_TIMEOUT_MAX_US)
		return -ERANGE;
	WRITE_ONCE(to_uvpci_device(to_uvpci_dev(dev))->timeout_us, us);
	return count;
}
static DEVICE_ATTR_RW(timeout_us);

/* Config space: all 4 KiB for CAP_SYS_ADMIN, the header for others (as PCI). */
static ssize_t config_read(struct file *filp, struct kobject *kobj,
			   struct bin_attribute *attr, char *buf, loff_t off,
			   size_t count)
{
	struct uvpci_device *d = to_uvpci_device(to_uvpci_dev(kobj_to_dev(kobj)));
	loff_t size = capable(CAP_SYS_ADMIN) ? UVPCI_CFG_SIZE : PCI_STD_HEADER_SIZEOF;
	size_t i;
	u32 v;

	if (off >= size)
		return 0;
	count = min_t(loff_t, count, size - off);
	for (i = 0; i < count; i++) {
		uvpci_cfg_read(d, off + i, 1, &v);
		buf[i] = v;
	}
	return count;
}

/* As PCI's: byte, word, dwords, word, byte, so that setpci-style writes stay whole. */
static ssize_t config_write(struct file *filp, struct kobject *kobj,
			    struct bin_attribute *attr, char *buf, loff_t off,
			    size_t count)
{
	struct uvpci_device *d = to_uvpci_device(to_uvpci_dev(kobj_to_dev(kobj)));
	size_t done = 0;

	if (off >= UVPCI_CFG_SIZE)
		return 0;
	count = min_t(loff_t, count, UVPCI_CFG_SIZE - off);
	while (done < count) {
		unsigned int o = off + done, size = 1, i;
		u32 v = 0;

		if (!(o & 3) && count - done >= 4)
			size = 4;
		else if (!(o & 1) && count - done >= 2)
			size = 2;
		for (i = 0; i < size; i++)
			v |= (u32)(u8)buf[done + i] << (8 * i);
		uvpci_cfg_write(d, o, size, v);
		done += size;
	}
	return count;
}
static BIN_ATTR_RW(config, UVPCI_CFG_SIZE);

static struct attribute *uvpci_dev_attrs[] = {
	&dev_attr_vendor.attr,
	&dev_attr_device.attr,
	&dev_attr_subsystem_vendor.attr,
	&dev_attr_subsystem_device.attr,
	&dev_attr_class.attr,
	&dev_attr_revision.attr,
	&dev_attr_irq.attr,
	&dev_attr_resource.attr,
	&dev_attr_msi_count.attr,
	&dev_attr_msix_count.attr,
	&dev_attr_msi_irqs.attr,
	&dev_attr_modalias.attr,
	&dev_attr_driver_override.attr,
	&dev_attr_model.attr,
	&dev_attr_timeout_us.attr,
	NULL
};

static struct bin_attribute *uvpci_dev_bin_attrs[] = {
	&bin_attr_config,
	NULL
};

static const struct attribute_group uvpci_dev_group = {
	.attrs = uvpci_dev_attrs,
	.bin_attrs = uvpci_dev_bin_attrs,
};

static const struct attribute_group *uvpci_dev_groups[] = {
	&uvpci_dev_group,
	NULL
};

struct bus_type uvpci_bus_type = {
	.name		= UVPCI_BUS_NAME,
	.dev_groups	= uvpci_dev_groups,
	.match		= uvpci_bus_match,
	.uevent		= uvpci_bus_uevent,
	.probe		= uvpci_bus_probe,
	.remove		= uvpci_bus_remove,
	.shutdown	= uvpci_bus_shutdown,
};
EXPORT_SYMBOL_GPL(uvpci_bus_type);

int __uvpci_register_driver(struct uvpci_driver *drv, struct module *owner,
			    const char *mod_name)
{
	drv->driver.name = drv->name;
	drv->driver.bus = &uvpci_bus_type;
	drv->driver.owner = owner;
	drv->driver.mod_name = mod_name;
	drv->driver.dev_groups = drv->dev_groups;
	return driver_register(&drv->driver);
}
EXPORT_SYMBOL_GPL(__uvpci_register_driver);

void uvpci_unregister_driver(struct uvpci_driver *drv)
{
	driver_unregister(&drv->driver);
}
EXPORT_SYMBOL_GPL(uvpci_unregister_driver);

struct uvpci_dev *uvpci_dev_get(struct uvpci_dev *udev)
{
	if (udev)
		get_device(&udev->dev);
	return udev;
}
EXPORT_SYMBOL_GPL(uvpci_dev_get);

void uvpci_dev_put(struct uvpci_dev *udev)
{
	if (udev)
		put_device(&udev->dev);
}
EXPORT_SYMBOL_GPL(uvpci_dev_put);

/* ------------------------------------------------------------------ */
/* Messages from the ports                                             */
/* ------------------------------------------------------------------ */

/* A port's state; the port is attached, so it is on the list. */
static struct uvpci_port_state *uvpci_port_state(struct uvpci_device *d,
						 struct uvbus_port *port)
{
	struct uvpci_port_state *ps, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	list_for_each_entry(ps, &d->ports, node) {
		if (ps->port == port) {
			found = ps;
			break;
		}
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return found;
}

/*
 * Send the replies the held message owes. Returns the message's result,
 * or -EAGAIN to have uvBus offer it again once the ring has room.
 */
static int uvpci_flush_owed(struct uvpci_port_state *ps)
{
	unsigned int i;
	int err;

	for (i = 0; i < ps->nowed; i++) {
		err = uvbus_port_send(ps->port, &ps->owed[i]);
		if (err == -ENOBUFS) {
			memmove(&ps->owed[0], &ps->owed[i],
				(ps->nowed - i) * sizeof(ps->owed[0]));
			ps->nowed -= i;
			return -EAGAIN;
		}
		if (err)	/* detached or broken: nobody to tell */
			break;
	}
	ps->nowed = 0;
	return ps->owed_rc;
}

static int uvpci_malformed(struct uvpci_device *d, const struct uvbus_msg *msg,
			   const char *why)
{
	atomic64_inc(&d->stats.malformed);
	uvpci_rl(err, d, &d->rs_dev, "malformed message refused: %s (type %#x, flags %#x, len %u)\n",
		 why, msg->type, msg->flags, msg->len);
	return -EINVAL;
}

static int uvpci_rx_one(struct uvpci_device *d, struct uvbus_port *port,
			const struct uvbus_msg *msg, struct uvpci_port_state *ps)
{
	if (msg->flags & ~UVPCI_F_ACK)
		return uvpci_malformed(d, msg, "unknown flags");
	if (msg->len)
		return uvpci_malformed(d, msg, "len set in a typed message");

	switch (msg->type) {
	case UVBUS_MSG_NOP:
		return 0;
	case UVPCI_MSG_MMIO_CPL:
		if (port != READ_ONCE(d->model))
			return uvpci_malformed(d, msg, "MMIO completion from a port that is not the model");
		return uvpci_mmio_cpl(d, msg);
	case UVPCI_MSG_DMA_WRITE:
	case UVPCI_MSG_DMA_READ:
	case UVPCI_MSG_MSI:
	case UVPCI_MSG_INTX:
	case UVPCI_MSG_AER:
		break;
	default:
		return uvpci_malformed(d, msg, "not a device-to-host message type");
	}

	if (uvpci_is_gone(d)) {
		/* A surprise-removed card sends nothing; a DMA_READ still gets its CPL. */
		if (msg->type == UVPCI_MSG_DMA_READ)
			uvpci_dma_cpl_init(msg, &ps->owed[ps->nowed++], -ENODEV);
		uvpci_rl(err, d, &d->rs_dev, "request type %#x refused: the device model is gone (reset the device)\n",
			 msg->type);
		return -ENODEV;
	}
	if (msg->type == UVPCI_MSG_MSI)
		return uvpci_msi_rx(d, msg);
	if (msg->type == UVPCI_MSG_INTX)
		return uvpci_intx_rx(d, msg);
	if (msg->type == UVPCI_MSG_AER)
		return uvpci_aer_rx(d, msg);
	if (msg->type == UVPCI_MSG_DMA_WRITE)
		return uvpci_dma_rx(d, msg, NULL);
	return uvpci_dma_rx(d, msg, &ps->owed[ps->nowed++]);
}

/*
 * One message from a port, in ring order, atomic context (the port's
 * rx_lock held, interrupts off). Replies (a DMA_CPL, an ACK) go back on
 * the same port; if its ring is full the message is offered again later
 * and only the replies are retried.
 */
static int uvpci_rx(struct uvbus_channel *ch, struct uvbus_port *port,
		    const struct uvbus_msg *msg)
{
	struct uvpci_device *d = uvbus_channel_priv(ch);
	struct uvpci_port_state *ps = uvpci_port_state(d, port);
	struct uvbus_msg *ack;
	int err;

	if (!ps)
		return -EPIPE;
	if (ps->nowed)
		return uvpci_flush_owed(ps);

	err = uvpci_rx_one(d, port, msg, ps);
	if (msg->type == UVPCI_MSG_DMA_READ) {
		/*
		 * A read's outcome goes back once, in its own DMA_CPL, to the
		 * request that caused it; it is not latched for the next ACK,
		 * or a later good request would report it again. One refused
		 * before it was looked at (flags, len) gets its CPL here.
		 */
		if (!ps->nowed)
			uvpci_dma_cpl_init(msg, &ps->owed[ps->nowed++], err);
	} else if (err) {
		/* A posted request's refusal has no reply of its own: the ACK. */
		if (!ps->status)
			ps->status = err;
		ps->faults++;
	}
	if (msg->flags & UVPCI_F_ACK) {
		ack = &ps->owed[ps->nowed++];
		memset(ack, 0, sizeof(*ack));
		ack->type = UVPCI_MSG_ACK;
		ack->tag = msg->tag;
		ack->ack.status = ps->status;
		ack->ack.faults = ps->faults;
		ps->status = 0;
		ps->faults = 0;
		atomic64_inc(&d->stats.acks);
	}
	ps->owed_rc = err;
	return uvpci_flush_owed(ps);
}

/* ------------------------------------------------------------------ */
/* The channel type                                                    */
/* ------------------------------------------------------------------ */

static int uvpci_params_check(const struct uvpci_params *p)
{
	unsigned int i;

	if (p->reserved0 || memchr_inv(p->reserved1, 0, sizeof(p->reserved1)) ||
	    memchr_inv(p->reserved2, 0, sizeof(p->reserved2)))
		return -EINVAL;
	if (!p->vendor || p->vendor == 0xffff || p->class_code > 0xffffff ||
	    p->msi_count > UVPCI_MAX_MSI || p->intx_pin > UVPCI_INTX_PIN_MAX ||
	    p->timeout_us > UVPCI_TIMEOUT_MAX_US || p->reserved3 ||
	    p->msix_count > UVPCI_MAX_MSIX)
		return -EINVAL;
	if (!p->msix_count && (p->msix_bar || p->msix_offset))
		return -EINVAL;
	if (p->msix_count) {
		/* Table and PBA inside one existing BAR, qword aligned. */
		u64 need = UVPCI_MSIX_TABLE_SIZE(p->msix_count) +
			   UVPCI_MSIX_PBA_SIZE(p->msix_count);

		if (p->msix_bar >= UVPCI_NUM_BARS || p->msix_offset & 7 ||
		    !p->bar[p->msix_bar].size ||
		    p->msix_offset + need > p->bar[p->msix_bar].size)
			return -EINVAL;
	}
	for (i = 0; i < UVPCI_NUM_BARS; i++) {
		const struct uvpci_bar *b = &p->bar[i];
		const struct uvpci_bar *next = &p->bar[i + 1];

		if (b->reserved ||
		    b->flags & ~(UVPCI_BAR_64 | UVPCI_BAR_PREFETCH | UVPCI_BAR_IO))
			return -EINVAL;
		/* I/O BARs are 32-bit, not prefetchable, at most 256 bytes. */
		if (b->flags & UVPCI_BAR_IO &&
		    (b->flags != UVPCI_BAR_IO || b->size > UVPCI_IO_BAR_MAX))
			return -EINVAL;
		if (!b->size) {
			if (b->flags)
				return -EINVAL;
			continue;
		}
		if (!is_power_of_2(b->size) || b->size < 16 ||
		    b->size > UVPCI_BAR_MAX)
			return -EINVAL;
		if (b->flags & UVPCI_BAR_64) {
			/* The upper half takes the next slot, which must be unused. */
			if (i + 1 >= UVPCI_NUM_BARS || next->size || next->flags ||
			    next->reserved)
				return -EINVAL;
			i++;
		}
	}
	return 0;
}

static void uvpci_dev_release(struct device *dev)
{
	struct uvpci_dev *udev = to_uvpci_dev(dev);

	kfree(udev->driver_override);
	kfree(to_uvpci_device(udev));
}

static int uvpci_create(struct uvbus_channel *ch, const struct uvbus_create *req)
{
	const struct uvpci_params *p = &req->pci;
	struct uvpci_device *d;
	struct uvpci_dev *udev;
	u32 slot;
	int err;

	err = uvpci_params_check(p);
	if (err)
		return err;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->ch = ch;
	d->params = *p;
	atomic_set(&d->held, !!(req->flags & UVBUS_CREATE_HELD));
	d->timeout_us = p->timeout_us ?:
			clamp_t(u32, READ_ONCE(uvpci_timeout_us), 1,
				UVPCI_TIMEOUT_MAX_US);
	spin_lock_init(&d->cfg_lock);
	ratelimit_state_init(&d->rs_dev, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	ratelimit_state_init(&d->rs_io, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	uvpci_mmio_init(d);
	uvpci_dma_init(d);
	uvpci_aer_init(d);

	udev = &d->udev;
	udev->vendor = p->vendor;
	udev->device = p->device;
	udev->subsystem_vendor = p->subvendor;
	udev->subsystem_device = p->subdevice;
	udev->class = p->class_code;
	udev->revision = p->revision;
	udev->error_state = pci_channel_io_normal;
	device_initialize(&udev->dev);
	udev->dev.bus = &uvpci_bus_type;
	udev->dev.parent = uvpci_root_dev;
	udev->dev.release = uvpci_dev_release;
	/* As PCI: 32-bit DMA until the driver says otherwise. */
	udev->dma_mask = DMA_BIT_MASK(32);
	udev->dev.dma_mask = &udev->dma_mask;
	udev->dev.coherent_dma_mask = DMA_BIT_MASK(32);
	udev->dev.dma_parms = &udev->dma_parms;
	set_dma_ops(&udev->dev, &uvpci_dma_ops);
	err = dev_set_name(&udev->dev, "%s", uvbus_channel_name(ch));
	if (err)
		goto err_put_device;

	/*
	 * Cyclic: a stale cookie of a destroyed device rarely names a new one.
	 * Reserved (NULL) until the device is ready for cookie accesses; the
	 * slot is known first, as I/O BARs' port numbers carry it.
	 */
	err = xa_alloc_cyclic(&uvpci_slots, &slot, NULL, XA_LIMIT(1, UVPCI_SLOT_MAX),
			      &uvpci_next_slot, GFP_KERNEL);
	if (err < 0)
		goto err_put_device;
	d->slot = slot;
	err = uvpci_resources_init(d);
	if (err)
		goto err_erase_slot;
	uvpci_cfg_init(d);
	err = uvpci_msi_init(d);
	if (err)
		goto err_release_resources;
	xa_store(&uvpci_slots, slot, d, GFP_KERNEL);
	uvbus_channel_set_priv(ch, d);

	err = device_add(&udev->dev);
	if (err)
		goto err_free_slot;
	dev_dbg(&udev->dev, "created: %04x:%04x class %06x, %u MSI vectors\n",
		p->vendor, p->device, p->class_code, p->msi_count);
	return 0;

err_free_slot:
	uvpci_aer_fini(d);
	uvbus_channel_set_priv(ch, NULL);
	xa_erase(&uvpci_slots, d->slot);
	synchronize_rcu();
	wait_var_event(&d->users, !atomic_read(&d->users));
	uvpci_msi_fini(d);
err_release_resources:
	uvpci_resources_release(d);
err_erase_slot:
	xa_erase(&uvpci_slots, d->slot);
err_put_device:
	uvpci_dma_fini(d);
	uvpci_mmio_fini(d);
	put_device(&udev->dev);
	return err;
}

static void uvpci_destroy(struct uvbus_channel *ch)
{
	struct uvpci_device *d = uvbus_channel_priv(ch);

	/* Unbinds the driver: remove() runs before anything goes away. */
	device_del(&d->udev.dev);
	uvpci_aer_fini(d);

	/* No new cookie access can find the device; wait out those running. */
	xa_erase(&uvpci_slots, d->slot);
	synchronize_rcu();
	wait_var_event(&d->users, !atomic_read(&d->users));

	uvpci_msi_fini(d);
	uvpci_dma_fini(d);
	uvpci_mmio_fini(d);
	uvpci_resources_release(d);
	uvbus_channel_set_priv(ch, NULL);
	put_device(&d->udev.dev);
}

/*
 * A port of a device is the device: it can write and read whatever the
 * bound driver mapped for DMA and raise the driver's interrupts, and as
 * the model it answers the driver's register reads. So any port needs
 * what creating the device needs, CAP_SYS_ADMIN, checked here, once: from
 * then on the port is the capability, as an open /dev/mem is.
 */
static int uvpci_attach(struct uvbus_channel *ch, struct uvbus_port *port)
{
	struct uvpci_device *d = uvbus_channel_priv(ch);
	struct uvpci_port_state *ps;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ps = kzalloc(sizeof(*ps), GFP_KERNEL);
	if (!ps)
		return -ENOMEM;
	ps->port = port;
	/* Listed first: a model port may see rx as soon as it is the model. */
	spin_lock_irq(&d->lock);
	list_add_tail(&ps->node, &d->ports);
	spin_unlock_irq(&d->lock);
	if (uvbus_port_flags(port) & UVBUS_ATTACH_MODEL) {
		err = uvpci_model_attach(d, port);
		if (err) {
			spin_lock_irq(&d->lock);
			list_del(&ps->node);
			spin_unlock_irq(&d->lock);
			kfree(ps);
			return err;
		}
	}
	return 0;
}

static void uvpci_detach(struct uvbus_channel *ch, struct uvbus_port *port)
{
	struct uvpci_device *d = uvbus_channel_priv(ch);
	struct uvpci_port_state *ps = uvpci_port_state(d, port);

	uvpci_model_detach(d, port);
	if (!ps)
		return;
	spin_lock_irq(&d->lock);
	list_del(&ps->node);
	spin_unlock_irq(&d->lock);
	kfree(ps);
}

/*
 * UVPCI_IOC_RELEASE: end UVBUS_CREATE_HELD and probe the device now, as
 * device_add() would have; a driver's probe() runs before this returns.
 * Destroy waits for this ioctl, so the device stays registered meanwhile.
 */
static long uvpci_ioctl_release(struct uvbus_channel *ch, void __user *arg)
{
	struct uvpci_device *d = uvbus_channel_priv(ch);
	struct uvbus_name req;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;
	if (!atomic_xchg(&d->held, 0))
		return -EALREADY;
	uvbus_channel_clear_flags(ch, UVBUS_CREATE_HELD);
	dev_dbg(&d->udev.dev, "released: drivers may bind\n");
	err = device_attach(&d->udev.dev);
	return err < 0 ? err : 0;
}

static long uvpci_ioctl(struct uvbus_channel *ch, unsigned int cmd,
			void __user *arg)
{
	switch (cmd) {
	case UVPCI_IOC_MMIO:
		return uvpci_ioctl_mmio(uvbus_channel_priv(ch), arg);
	case UVPCI_IOC_RELEASE:
		return uvpci_ioctl_release(ch, arg);
	case UVPCI_IOC_MSIX:
		return uvpci_ioctl_msix(uvbus_channel_priv(ch), arg);
	default:
		return -ENOTTY;
	}
}

static int uvpci_reset(struct uvbus_channel *ch)
{
	return uvpci_mmio_reset(uvbus_channel_priv(ch));
}

#define UVPCI_SHOW(m, d, name) \
	seq_printf(m, " " #name " %lld", atomic64_read(&(d)->stats.name))

static void uvpci_show(struct uvbus_channel *ch, struct seq_file *m)
{
	struct uvpci_device *d = uvbus_channel_priv(ch);
	struct uvpci_dev *udev = &d->udev;
	const struct uvpci_params *p = &d->params;
	unsigned int i, nvec;
	unsigned long flags;
	const char *model;

	seq_printf(m, "uvpci: %04x:%04x subsystem %04x:%04x class %06x revision %02x\n",
		   p->vendor, p->device, p->subvendor, p->subdevice,
		   p->class_code, p->revision);
	device_lock(&udev->dev);
	seq_printf(m, "driver: %s%s\n",
		   udev->dev.driver ? udev->dev.driver->name : "(none)",
		   atomic_read(&d->held) ? ", held" : "");
	device_unlock(&udev->dev);

	spin_lock_irqsave(&d->lock, flags);
	model = d->model ? "attached" : d->gone ? "gone" : "none (register files)";
	spin_unlock_irqrestore(&d->lock, flags);
	seq_printf(m, "model: %s, read timeout %u us\n", model,
		   READ_ONCE(d->timeout_us));
	seq_printf(m, "command: memory %s, bus master %s\n",
		   READ_ONCE(d->mem_on) ? "on" : "off",
		   READ_ONCE(d->master_on) ? "on" : "off");

	for (i = 0; i < UVPCI_NUM_BARS; i++) {
		const struct uvpci_bar *b = &p->bar[i];

		if (!b->size)
			continue;
		seq_printf(m, "bar%u: size %#llx %s%s bus %#llx cookies %d%s\n",
			   i, b->size, b->flags & UVPCI_BAR_IO ? "I/O" :
			   b->flags & UVPCI_BAR_64 ? "64-bit" : "32-bit",
			   b->flags & UVPCI_BAR_PREFETCH ? " prefetchable" : "",
			   b->flags & UVPCI_BAR_IO ? udev->resource[i].start :
			   udev->resource[i].start - UVPCI_CPU_OFFSET,
			   atomic_read(&d->bar_maps[i]),
			   test_bit(i, &d->regions) ? " claimed" : "");
	}
	seq_printf(m, "register file: %d pages\n", atomic_read(&d->regfile_pages));

	spin_lock_irqsave(&d->msi_lock, flags);
	nvec = d->msix_mode ? 0 : d->msi_nvec;
	spin_unlock_irqrestore(&d->msi_lock, flags);
	seq_printf(m, "msi: %u vectors, %s, %u allocated", p->msi_count,
		   READ_ONCE(d->msi_on) ? "enabled" : "disabled", nvec);
	for (i = 0; i < nvec; i++)
		seq_printf(m, "%s%d", i ? " " : ", irqs ", uvpci_irq_vector(udev, i));
	seq_puts(m, "\n");
	if (p->msix_count) {
		spin_lock_irqsave(&d->msi_lock, flags);
		nvec = d->msix_mode ? d->msi_nvec : 0;
		i = bitmap_weight(d->msix_pba, p->msix_count);
		spin_unlock_irqrestore(&d->msi_lock, flags);
		seq_printf(m, "msix: %u entries, table BAR%u %#x, pba %#llx, %s, function mask %s, %u allocated, %u pending\n",
			   p->msix_count, p->msix_bar, p->msix_offset,
			   p->msix_offset + UVPCI_MSIX_TABLE_SIZE(p->msix_count),
			   READ_ONCE(d->msix_on) ? "enabled" : "disabled",
			   READ_ONCE(d->msix_maskall) ? "on" : "off", nvec, i);
		for (i = 0; i < nvec; i++)
			seq_printf(m, "%s%d", i ? " " : "msix irqs: ",
				   uvpci_irq_vector(udev, i));
		if (nvec)
			seq_puts(m, "\n");
	}
	if (d->intx_irq)
		seq_printf(m, "intx: pin INT%c, irq %u, %s, %s\n",
			   'A' + p->intx_pin - 1, d->intx_irq,
			   READ_ONCE(d->intx_level) ? "asserted" : "deasserted",
			   READ_ONCE(d->intx_off) ? "disabled" : "enabled");

	spin_lock_irqsave(&d->dma_lock, flags);
	i = d->dma_nmaps;
	spin_unlock_irqrestore(&d->dma_lock, flags);
	seq_printf(m, "dma: %u live mappings, mask %#llx\n", i, udev->dma_mask);

	seq_puts(m, "counters:");
	UVPCI_SHOW(m, d, reads);
	UVPCI_SHOW(m, d, writes);
	UVPCI_SHOW(m, d, host_accesses);
	UVPCI_SHOW(m, d, read_timeouts);
	UVPCI_SHOW(m, d, read_gone);
	UVPCI_SHOW(m, d, write_drops);
	UVPCI_SHOW(m, d, cpl_stale);
	UVPCI_SHOW(m, d, cpl_errors);
	UVPCI_SHOW(m, d, bad_cookie);
	UVPCI_SHOW(m, d, regfile_nomem);
	UVPCI_SHOW(m, d, cfg_writes);
	UVPCI_SHOW(m, d, dma_writes);
	UVPCI_SHOW(m, d, dma_reads);
	UVPCI_SHOW(m, d, dma_bytes);
	UVPCI_SHOW(m, d, dma_faults);
	UVPCI_SHOW(m, d, msi);
	UVPCI_SHOW(m, d, msi_refused);
	UVPCI_SHOW(m, d, msix_masked);
	UVPCI_SHOW(m, d, intx);
	UVPCI_SHOW(m, d, intx_runs);
	UVPCI_SHOW(m, d, intx_refused);
	UVPCI_SHOW(m, d, aer);
	UVPCI_SHOW(m, d, aer_refused);
	UVPCI_SHOW(m, d, malformed);
	UVPCI_SHOW(m, d, acks);
	seq_puts(m, "\n");
}

static const struct uvbus_type uvpci_type = {
	.type		= UVBUS_TYPE_UVPCI,
	.name		= "uvpci",
	.owner		= THIS_MODULE,
	.create		= uvpci_create,
	.destroy	= uvpci_destroy,
	.attach		= uvpci_attach,
	.detach		= uvpci_detach,
	.rx		= uvpci_rx,
	.ioctl		= uvpci_ioctl,
	.reset		= uvpci_reset,
	.show		= uvpci_show,
};

static int __init uvpci_init(void)
{
	int err;

	err = uvpci_dma_global_init();
	if (err)
		return err;
	uvpci_root_dev = root_device_register(UVPCI_BUS_NAME);
	if (IS_ERR(uvpci_root_dev)) {
		err = PTR_ERR(uvpci_root_dev);
		goto err_dma_fini;
	}
	err = bus_register(&uvpci_bus_type);
	if (err)
		goto err_unregister_root;
	err = uvbus_register_type(&uvpci_type);
	if (err)
		goto err_unregister_bus;
	return 0;

err_unregister_bus:
	bus_unregister(&uvpci_bus_type);
err_unregister_root:
	root_device_unregister(uvpci_root_dev);
err_dma_fini:
	uvpci_dma_global_fini();
	return err;
}

static void __exit uvpci_exit(void)
{
	/* Destroys every uvPCI device, unbinding its driver first. */
	uvbus_unregister_type(&uvpci_type);
	bus_unregister(&uvpci_bus_type);
	root_device_unregister(uvpci_root_dev);
	uvpci_dma_global_fini();
}

module_init(uvpci_init);
module_exit(uvpci_exit);

MODULE_DESCRIPTION("uvPCI: a PCI-like bus whose devices are userspace programs");
MODULE_AUTHOR("uvNIC project");
MODULE_LICENSE("GPL");
