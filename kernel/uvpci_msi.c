// SPDX-License-Identifier: GPL-2.0
/*
 * uvPCI MSI: an IRQ domain per device, vectors as ordinary Linux
 * IRQs, and delivery of the device's UVPCI_MSG_MSI in hard IRQ context.
 *
 * Each device with MSI gets a linear IRQ domain ("uvpci-NAME") whose
 * hardware IRQ numbers are its vectors. uvpci_alloc_irq_vectors() maps
 * them to Linux IRQs on the "uvpci-MSI" irq_chip with handle_simple_irq,
 * so request_irq()/free_irq() work as on PCI and each delivery counts in
 * /proc/interrupts.
 *
 * An MSI from the device (rx, atomic context) only marks its vector
 * pending and has it delivered in hard IRQ context, by an IPI to another
 * CPU or by the device's irq_work on this one (see uvpci_msi_kick()),
 * which calls generic_handle_domain_irq() for each pending vector. The rx
 * path handles a port's messages in ring order and copies DMA data before
 * it looks at the next message, so the data of every DMA_WRITE queued
 * before an MSI is in memory when the handler runs. A vector fired again
 * before its handler ran is delivered once, as a local APIC coalesces a
 * pending interrupt.
 *
 * Several ports may fire at one device at once, each from its own CPU, so
 * every piece of delivery state is safe against concurrent kicks: the
 * pending vectors are atomic bits; the irq_work may be queued from any
 * CPU (irq_work_queue() claims it atomically); the IPI's csd, which
 * smp_call_function_single_async() requires its callers to serialise, is
 * owned by whoever set UVPCI_MSI_IPI_QUEUED until its function runs. And
 * as two deliveries of one device may still run at once on two CPUs (an
 * IPI on one, the irq_work on another), the vectors use the edge flow
 * handler, as x86's PCI MSIs do: an MSI that arrives while its handler
 * runs elsewhere is marked pending there and handled again, never lost.
 *
 * INTx (a device created with an interrupt pin) is one more Linux IRQ,
 * allocated with the device and kept for its life, so that udev->irq is
 * valid from before the probe, as pdev->irq is. It is a level on the
 * "uvpci-INTx" chip with handle_level_irq, so handlers may share it
 * (IRQF_SHARED). Asserting it delivers it like an MSI (the
 * UVPCI_INTX_PENDING bit of msi_pending); each time a run of the
 * handlers ends (the flow unmasks the line) and the level is still
 * asserted and not masked by Interrupt Disable, the handlers run again,
 * as for an unacknowledged level-triggered line, after
 * UVPCI_INTX_REFIRE_US so that a level nobody clears keeps firing without
 * starving the CPU it lands on. Clearing Interrupt Disable with the level
 * asserted fires it at once.
 */
#define pr_fmt(fmt) "uvpci: " fmt

#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/log2.h>

#include "uvpci_priv.h"
#include "uvpci_trace.h"

#define UVPCI_MSI_ADDRESS	0xfee00000U	/* the x86 MSI doorbell */
/* An asserted INTx runs its handlers again this long after each run. */
#define UVPCI_INTX_REFIRE_US	100

static void uvpci_msi_noop(struct irq_data *data)
{
}

/* Replay of an interrupt that arrived while disabled: in hard IRQ again. */
static int uvpci_msi_retrigger(struct irq_data *data)
{
	struct uvpci_device *d = irq_data_get_irq_chip_data(data);

	set_bit(data->hwirq, &d->msi_pending);
	irq_work_queue(&d->msi_work);
	return 1;
}

static const struct irq_chip uvpci_msi_chip = {
	.name		= "uvpci-MSI",
	.irq_ack	= uvpci_msi_noop,
	.irq_mask	= uvpci_msi_noop,
	.irq_unmask	= uvpci_msi_noop,
	.irq_retrigger	= uvpci_msi_retrigger,
	.flags		= IRQCHIP_SKIP_SET_WAKE,
};

/* The device drives its INTx level and Interrupt Disable does not mask it. */
static bool uvpci_intx_live(struct uvpci_device *d)
{
	return READ_ONCE(d->intx_level) && !READ_ONCE(d->intx_off);
}

/* Run the INTx handlers; hard IRQ context. */
static void uvpci_intx_fire(struct uvpci_device *d)
{
	if (!uvpci_intx_live(d))
		return;
	atomic64_inc(&d->stats.intx_runs);
	trace_uvpci_irq_deliver(d, UVPCI_TR_IRQ_INTX, 0);
	generic_handle_irq(d->intx_irq);
}

/* Deliver the pending vectors; hard IRQ context. */
static void uvpci_msi_deliver(struct uvpci_device *d)
{
	unsigned long pending = xchg(&d->msi_pending, 0);
	unsigned int vec;
	bool live;

	for_each_set_bit(vec, &pending, UVPCI_MAX_MSI) {
		spin_lock(&d->msi_lock);
		live = vec < d->msi_nvec;
		spin_unlock(&d->msi_lock);
		/* Freeing vectors waits for us (uvpci_msi_quiesce()) before disposing. */
		if (live) {
			trace_uvpci_irq_deliver(d, UVPCI_TR_IRQ_MSI, vec);
			generic_handle_domain_irq(d->msi_domain, vec);
		}
	}
	if (pending & BIT(UVPCI_INTX_PENDING))
		uvpci_intx_fire(d);
}

static void uvpci_msi_work(struct irq_work *work)
{
	uvpci_msi_deliver(container_of(work, struct uvpci_device, msi_work));
}

/* The IPI of a delivery on another CPU (hard IRQ context there). */
static void uvpci_msi_remote(void *info)
{
	struct uvpci_device *d = info;

	/*
	 * The csd is free again: the IPI code unlocked it before calling
	 * us, and the release orders that before the clear, so the next
	 * kick that sets the bit finds it unlocked. Cleared before we look
	 * at msi_pending (hence the full barrier): a kick that still saw
	 * the bit set left its vector there for us.
	 */
	clear_bit_unlock(UVPCI_MSI_IPI_QUEUED, &d->msi_flags);
	/* The clear before the read of msi_pending: see above. */
	smp_mb__after_atomic();
	/*
	 * A CPU polling in its idle loop runs its IPI queue from the idle
	 * task, without the interrupt (TIF_POLLING_NRFLAG): on to hard IRQ
	 * context through the irq_work then (uvpci_msi_quiesce() waits for
	 * it after us).
	 */
	if (likely(in_hardirq()))
		uvpci_msi_deliver(d);
	else
		irq_work_queue(&d->msi_work);
	/* Our last access to @d: uvpci_msi_quiesce() may free it after this. */
	smp_mb__before_atomic();
	atomic_dec(&d->msi_remote);
}

/*
 * Deliver the pending vectors in hard IRQ context. When rx runs in task
 * context, that task may be the model itself, draining its ring from its
 * doorbell write(): a handler run on this CPU would interrupt the model,
 * and one that reads a register (or the NAPI poll its IRQ exit runs) would
 * spin, waiting for the model it sits on, until the read timed out. So
 * deliver on another CPU (an IPI, as irq_work_queue_on() is not exported).
 * From a reader spinning in interrupt context, deliver here: the handler
 * then runs after that reader. With one CPU there is no choice.
 *
 * Kicks come from every port's rx, on any CPU at once. The csd is reused
 * only by the kick that sets UVPCI_MSI_IPI_QUEUED, and only after the run
 * of its previous use has begun (uvpci_msi_remote() clears the bit): the
 * serialisation smp_call_function_single_async() leaves to its callers
 * (its own -EBUSY check is not atomic: two CPUs passing it at once link
 * the csd into two IPI queues, or into one twice, and a CPU then walks a
 * self-linked queue forever with interrupts off). A kick that finds the
 * bit set has nothing to do: that IPI has not yet looked at msi_pending
 * and takes the vector set there before this call. Atomic context.
 */
static void uvpci_msi_kick(struct uvpci_device *d)
{
	unsigned int cpu = nr_cpu_ids;

	if (in_task())
		cpu = cpumask_any_but(cpu_online_mask, smp_processor_id());
	if (cpu < nr_cpu_ids) {
		/* Fully ordered: our msi_pending bit is set before the test. */
		if (test_and_set_bit(UVPCI_MSI_IPI_QUEUED, &d->msi_flags))
			return;
		atomic_inc(&d->msi_remote);
		if (!smp_call_function_single_async(cpu, &d->msi_csd))
			return;
		/* Not seen: @cpu is another online CPU, held online by our irqs-off. */
		atomic_dec(&d->msi_remote);
		clear_bit_unlock(UVPCI_MSI_IPI_QUEUED, &d->msi_flags);
		/* The clear before the irq_work's read of msi_pending. */
		smp_mb__after_atomic();
	}
	irq_work_queue(&d->msi_work);
}

/*
 * Wait until no delivery started before this is running or queued: the
 * IPI (counted in msi_remote until its last access to @d) and the
 * irq_work. Deliveries kicked later find no vector live (msi_nvec is 0
 * before this is called) or, at teardown, cannot start: no port is left
 * to kick.
 */
static void uvpci_msi_quiesce(struct uvpci_device *d)
{
	/* Acquire: the IPI's accesses to @d are over once we see its decrement. */
	while (atomic_read_acquire(&d->msi_remote))
		cpu_relax();
	irq_work_sync(&d->msi_work);
}

static void uvpci_intx_mask(struct irq_data *data)
{
}

/*
 * The end of a run of the handlers (the level flow unmasks), and the
 * startup of the first request_irq(): a level still asserted fires again.
 * Desc lock held, interrupts off.
 */
static void uvpci_intx_unmask(struct irq_data *data)
{
	struct uvpci_device *d = irq_data_get_irq_chip_data(data);

	if (uvpci_intx_live(d))
		hrtimer_start(&d->intx_timer, ns_to_ktime(UVPCI_INTX_REFIRE_US * NSEC_PER_USEC),
			      HRTIMER_MODE_REL_HARD);
}

static const struct irq_chip uvpci_intx_chip = {
	.name		= "uvpci-INTx",
	.irq_mask	= uvpci_intx_mask,
	.irq_unmask	= uvpci_intx_unmask,
	.flags		= IRQCHIP_SKIP_SET_WAKE,
};

/* Hard IRQ context (HRTIMER_MODE_REL_HARD). */
static enum hrtimer_restart uvpci_intx_refire(struct hrtimer *timer)
{
	uvpci_intx_fire(container_of(timer, struct uvpci_device, intx_timer));
	return HRTIMER_NORESTART;
}

/* The device's INTx IRQ, for its whole life. */
static int uvpci_intx_init(struct uvpci_device *d)
{
	int irq;

	hrtimer_init(&d->intx_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	d->intx_timer.function = uvpci_intx_refire;
	if (!d->params.intx_pin)
		return 0;
	irq = irq_alloc_desc(NUMA_NO_NODE);
	if (irq < 0)
		return irq;
	irq_set_chip_and_handler_name(irq, &uvpci_intx_chip, handle_level_irq,
				      "level");
	irq_set_chip_data(irq, d);
	/* A level is not replayed by the core: our unmask fires it again. */
	irq_set_status_flags(irq, IRQ_LEVEL);
	d->intx_irq = irq;
	d->udev.irq = irq;
	return 0;
}

/* Stop the level and its timer; deliveries under way: uvpci_msi_quiesce(). */
static void uvpci_intx_stop(struct uvpci_device *d)
{
	unsigned long flags;

	spin_lock_irqsave(&d->msi_lock, flags);
	WRITE_ONCE(d->intx_level, false);
	spin_unlock_irqrestore(&d->msi_lock, flags);
	hrtimer_cancel(&d->intx_timer);
}

/**
 * uvpci_msi_init() - set up a device's IRQ domain (none without MSI) and
 * its INTx IRQ (none without a pin).
 * @d: the device
 *
 * Return: 0 or -ENOMEM.
 */
int uvpci_msi_init(struct uvpci_device *d)
{
	char name[UVBUS_NAME_MAX + 8];
	int err;

	mutex_init(&d->msi_mutex);
	spin_lock_init(&d->msi_lock);
	d->msi_work = IRQ_WORK_INIT_HARD(uvpci_msi_work);
	INIT_CSD(&d->msi_csd, uvpci_msi_remote, d);
	err = uvpci_intx_init(d);
	if (err)
		return err;
	if (!d->params.msi_count)
		return 0;

	snprintf(name, sizeof(name), "uvpci-%s", uvpci_dname(d));
	d->msi_fwnode = irq_domain_alloc_named_fwnode(name);
	if (!d->msi_fwnode)
		goto err_free_intx;
	d->msi_domain = irq_domain_create_linear(d->msi_fwnode,
						 d->params.msi_count,
						 &irq_domain_simple_ops, d);
	if (!d->msi_domain)
		goto err_free_fwnode;
	return 0;

err_free_fwnode:
	irq_domain_free_fwnode(d->msi_fwnode);
	d->msi_fwnode = NULL;
err_free_intx:
	if (d->intx_irq)
		irq_free_desc(d->intx_irq);
	d->intx_irq = 0;
	d->udev.irq = 0;
	return -ENOMEM;
}

/**
 * uvpci_msi_fini() - remove the IRQ domain.
 * @d: the device; no vector allocated (or leaked, see uvpci_msi_unbind())
 */
void uvpci_msi_fini(struct uvpci_device *d)
{
	uvpci_intx_stop(d);
	uvpci_msi_quiesce(d);
	/* A run that was under way may have armed the timer as it ended. */
	hrtimer_cancel(&d->intx_timer);
	if (d->intx_irq && !d->intx_leaked)
		irq_free_desc(d->intx_irq);
	else if (d->intx_irq)
		dev_err(&d->udev.dev, "keeping INTx IRQ %u: its driver left a handler requested\n",
			d->intx_irq);
	if (!d->msi_domain)
		return;
	if (d->msi_leaked) {
		/* Its IRQs still have handlers: the domain must outlive them. */
		dev_err(&d->udev.dev, "keeping the IRQ domain of a device whose driver left IRQs requested\n");
		return;
	}
	irq_domain_remove(d->msi_domain);
	irq_domain_free_fwnode(d->msi_fwnode);
	d->msi_domain = NULL;
	d->msi_fwnode = NULL;
}

/* Program the MSI capability as the kernel's MSI code would. */
static void uvpci_msi_cfg(struct uvpci_device *d, unsigned int nvec, bool on)
{
	u32 ctl;

	uvpci_cfg_read(d, UVPCI_MSI_CAP + PCI_MSI_FLAGS, 2, &ctl);
	ctl &= ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	if (on) {
		uvpci_cfg_write(d, UVPCI_MSI_CAP + PCI_MSI_ADDRESS_LO, 4,
				UVPCI_MSI_ADDRESS);
		uvpci_cfg_write(d, UVPCI_MSI_CAP + PCI_MSI_ADDRESS_HI, 4, 0);
		uvpci_cfg_write(d, UVPCI_MSI_CAP + PCI_MSI_DATA_64, 2, 0);
		ctl |= PCI_MSI_FLAGS_ENABLE | (order_base_2(nvec) << 4);
	}
	uvpci_cfg_write(d, UVPCI_MSI_CAP + PCI_MSI_FLAGS, 2, ctl);
	/* As the PCI core's MSI code: INTx off while MSI is on. */
	if (d->intx_irq)
		uvpci_cfg_intx(d, !on);
}

static void uvpci_msi_dispose(unsigned int *irqs, unsigned int n)
{
	while (n--)
		irq_dispose_mapping(irqs[n]);
}

/* PCI_IRQ_LEGACY: the INTx IRQ as the one vector, INTx enabled. */
static int uvpci_intx_alloc(struct uvpci_device *d)
{
	int err = -EINVAL;

	mutex_lock(&d->msi_mutex);
	if (!d->msi_nvec && !d->intx_vector) {
		d->intx_vector = true;
		err = 1;
	}
	mutex_unlock(&d->msi_mutex);
	if (err == 1)
		uvpci_cfg_intx(d, true);
	return err;
}

static int uvpci_msi_alloc(struct uvpci_device *d, unsigned int min_vecs,
			   unsigned int max_vecs)
{
	struct uvpci_dev *udev = &d->udev;
	unsigned int irqs[UVPCI_MAX_MSI];
	unsigned int i, nvec;
	int err;

	if (!d->msi_domain)
		return -EINVAL;
	nvec = min_t(unsigned int, max_vecs, d->params.msi_count);
	if (nvec < min_vecs)
		return -ENOSPC;

	mutex_lock(&d->msi_mutex);
	err = -EINVAL;
	if (d->msi_nvec || d->msi_leaked || d->intx_vector)
		goto err_unlock;
	for (i = 0; i < nvec; i++) {
		irqs[i] = irq_create_mapping_affinity(d->msi_domain, i, NULL);
		if (!irqs[i]) {
			err = -ENOMEM;
			goto err_dispose;
		}
		irq_set_chip_and_handler_name(irqs[i], &uvpci_msi_chip,
					      handle_edge_irq, "edge");
		irq_set_chip_data(irqs[i], d);
	}
	spin_lock_irq(&d->msi_lock);
	memcpy(d->msi_irqs, irqs, nvec * sizeof(irqs[0]));
	d->msi_nvec = nvec;
	spin_unlock_irq(&d->msi_lock);
	udev->irq = irqs[0];
	udev->msi_enabled = 1;
	uvpci_msi_cfg(d, nvec, true);
	mutex_unlock(&d->msi_mutex);
	return nvec;

err_dispose:
	uvpci_msi_dispose(irqs, i);
err_unlock:
	mutex_unlock(&d->msi_mutex);
	return err;
}

int uvpci_alloc_irq_vectors(struct uvpci_dev *udev, unsigned int min_vecs,
			    unsigned int max_vecs, unsigned int flags)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	int ret = -EINVAL;

	if (!(flags & (PCI_IRQ_MSI | PCI_IRQ_MSIX | PCI_IRQ_LEGACY)) ||
	    !min_vecs || min_vecs > max_vecs)
		return -EINVAL;
	/* As pci_alloc_irq_vectors(): MSI first, then INTx for one vector. */
	if (flags & (PCI_IRQ_MSI | PCI_IRQ_MSIX)) {
		ret = uvpci_msi_alloc(d, min_vecs, max_vecs);
		if (ret > 0)
			return ret;
	}
	if (flags & PCI_IRQ_LEGACY) {
		if (min_vecs == 1 && d->intx_irq)
			return uvpci_intx_alloc(d);
		if (!(flags & (PCI_IRQ_MSI | PCI_IRQ_MSIX)))
			ret = d->intx_irq ? -ENOSPC : -EINVAL;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(uvpci_alloc_irq_vectors);

int uvpci_irq_vector(struct uvpci_dev *udev, unsigned int nr)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	unsigned long flags;
	int irq = -EINVAL;

	spin_lock_irqsave(&d->msi_lock, flags);
	if (nr < d->msi_nvec)
		irq = d->msi_irqs[nr];
	else if (!d->msi_nvec && !nr && d->intx_irq)
		irq = d->intx_irq;	/* as pci_irq_vector() without MSI */
	spin_unlock_irqrestore(&d->msi_lock, flags);
	return irq;
}
EXPORT_SYMBOL_GPL(uvpci_irq_vector);

/* The first allocated IRQ that still has a handler, or 0. msi_mutex held. */
static unsigned int uvpci_msi_busy(struct uvpci_device *d)
{
	unsigned int i;

	for (i = 0; i < d->msi_nvec; i++)
		if (irq_has_action(d->msi_irqs[i]))
			return d->msi_irqs[i];
	return 0;
}

/* Stop delivery and forget the vectors; @dispose unless handlers remain. */
static void uvpci_msi_release(struct uvpci_device *d, bool dispose)
{
	unsigned int nvec = d->msi_nvec;

	uvpci_msi_cfg(d, 0, false);
	spin_lock_irq(&d->msi_lock);
	d->msi_nvec = 0;
	spin_unlock_irq(&d->msi_lock);
	uvpci_msi_quiesce(d);
	if (dispose)
		uvpci_msi_dispose(d->msi_irqs, nvec);
	d->udev.irq = d->intx_irq;	/* back to INTx, as PCI */
	d->udev.msi_enabled = 0;
}

void uvpci_free_irq_vectors(struct uvpci_dev *udev)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	unsigned int busy;

	mutex_lock(&d->msi_mutex);
	d->intx_vector = false;
	if (d->msi_nvec) {
		busy = uvpci_msi_busy(d);
		if (busy)
			dev_err(&udev->dev, "%s() with IRQ %u still requested: call free_irq() first; vectors kept\n",
				__func__, busy);
		else
			uvpci_msi_release(d, true);
	}
	mutex_unlock(&d->msi_mutex);
}
EXPORT_SYMBOL_GPL(uvpci_free_irq_vectors);

/**
 * uvpci_msi_unbind() - after remove(): free what the driver left.
 * @d: the device
 *
 * Vectors whose IRQs still have handlers cannot be disposed of: they stay
 * mapped, no MSI reaches them, and the device can allocate none again.
 */
void uvpci_msi_unbind(struct uvpci_device *d)
{
	unsigned int busy;

	mutex_lock(&d->msi_mutex);
	if (d->msi_nvec) {
		busy = uvpci_msi_busy(d);
		if (busy) {
			dev_err(&d->udev.dev, "driver left IRQ %u requested: its MSI vectors are leaked\n",
				busy);
			d->msi_leaked = true;
		} else {
			dev_warn(&d->udev.dev, "driver left MSI vectors allocated; freeing them\n");
		}
		uvpci_msi_release(d, !busy);
	}
	d->intx_vector = false;
	if (d->intx_irq && irq_has_action(d->intx_irq)) {
		dev_err(&d->udev.dev, "driver left INTx IRQ %u requested: it is leaked\n",
			d->intx_irq);
		d->intx_leaked = true;
	}
	mutex_unlock(&d->msi_mutex);
}

/**
 * uvpci_msi_rx() - UVPCI_MSG_MSI from a port.
 * @d:   the device
 * @msg: the message
 *
 * Atomic context. Return: 0; -EINVAL (malformed), -ERANGE (no such vector,
 * or one the driver did not enable), -EPERM (MSI disabled): each logged
 * (rate-limited) and counted.
 */
int uvpci_msi_rx(struct uvpci_device *d, const struct uvbus_msg *msg)
{
	u32 vec = msg->msi.vector;
	unsigned long flags;
	unsigned int nvec;
	const char *why;
	int err;

	spin_lock_irqsave(&d->msi_lock, flags);
	nvec = d->msi_nvec;
	spin_unlock_irqrestore(&d->msi_lock, flags);

	if (msg->msi.reserved0) {
		why = "reserved field set";
		err = -EINVAL;
	} else if (vec >= d->params.msi_count) {
		why = "no such vector";
		err = -ERANGE;
	} else if (!READ_ONCE(d->msi_on) || !nvec) {
		why = "MSI not enabled by the driver";
		err = -EPERM;
	} else if (vec >= nvec) {
		why = "vector not enabled by the driver";
		err = -ERANGE;
	} else {
		/* Traced before the kick: the delivery's event comes after. */
		trace_uvpci_msi_fire(d, vec, 0, NULL);
		/*
		 * The DMA data this port wrote before the MSI is visible
		 * before the bit: a delivery already running on another CPU
		 * may see the bit (and run the handler) without any kick.
		 */
		smp_mb__before_atomic();
		set_bit(vec, &d->msi_pending);
		uvpci_msi_kick(d);
		atomic64_inc(&d->stats.msi);
		return 0;
	}
	trace_uvpci_msi_fire(d, vec, err, why);
	atomic64_inc(&d->stats.msi_refused);
	uvpci_rl(err, d, &d->rs_dev, "MSI vector %u refused: %s (device has %u, driver enabled %u)\n",
		 vec, why, d->params.msi_count, nvec);
	return err;
}

/**
 * uvpci_intx_rx() - UVPCI_MSG_INTX from a port.
 * @d:   the device
 * @msg: the message
 *
 * Atomic context. Return: 0; -EINVAL (malformed), -ERANGE (the device has
 * no interrupt pin): each logged (rate-limited) and counted.
 */
int uvpci_intx_rx(struct uvpci_device *d, const struct uvbus_msg *msg)
{
	const struct uvpci_intx *x = &msg->intx;
	unsigned long flags;
	bool was, level = x->level;
	const char *why;
	int err;

	if (memchr_inv(x->reserved0, 0, sizeof(x->reserved0)) || x->reserved1) {
		why = "reserved field set";
		err = -EINVAL;
	} else if (x->level > 1) {
		why = "level neither 0 nor 1";
		err = -EINVAL;
	} else if (!d->intx_irq) {
		why = "the device has no interrupt pin";
		err = -ERANGE;
	} else {
		spin_lock_irqsave(&d->msi_lock, flags);
		was = d->intx_level;
		WRITE_ONCE(d->intx_level, level);
		if (was != level)
			uvpci_cfg_intx_status(d, level);
		spin_unlock_irqrestore(&d->msi_lock, flags);
		trace_uvpci_intx_set(d, level, 0, NULL);
		atomic64_inc(&d->stats.intx);
		/* A level asserted again while asserted is no new edge. */
		if (level && !was) {
			/* The DMA data before the assertion, before the bit. */
			smp_mb__before_atomic();
			set_bit(UVPCI_INTX_PENDING, &d->msi_pending);
			uvpci_msi_kick(d);
		}
		return 0;
	}
	trace_uvpci_intx_set(d, x->level, err, why);
	atomic64_inc(&d->stats.intx_refused);
	uvpci_rl(err, d, &d->rs_dev, "INTx level %u refused: %s\n", x->level, why);
	return err;
}

/**
 * uvpci_intx_unmasked() - Interrupt Disable was cleared: an asserted
 * level fires now, as on a real line.
 * @d: the device
 */
void uvpci_intx_unmasked(struct uvpci_device *d)
{
	unsigned long flags;

	if (!d->intx_irq || !READ_ONCE(d->intx_level))
		return;
	set_bit(UVPCI_INTX_PENDING, &d->msi_pending);
	/* uvpci_msi_kick() needs a CPU that stays ours. */
	local_irq_save(flags);
	uvpci_msi_kick(d);
	local_irq_restore(flags);
}

/**
 * uvpci_intx_drop() - the model went away: a removed card drives no line.
 * @d: the device
 */
void uvpci_intx_drop(struct uvpci_device *d)
{
	unsigned long flags;

	if (!d->intx_irq)
		return;
	spin_lock_irqsave(&d->msi_lock, flags);
	if (d->intx_level) {
		WRITE_ONCE(d->intx_level, false);
		uvpci_cfg_intx_status(d, false);
	}
	spin_unlock_irqrestore(&d->msi_lock, flags);
}
