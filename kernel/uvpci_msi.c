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
 * MSI-X (a device created with an MSI-X table) shares the domain: its
 * hardware IRQ numbers are table entries, on the "uvpci-MSI-X" chip,
 * whose mask and unmask set and clear the entry's Mask bit in the table,
 * as the PCI core's MSI-X chip does. uvPCI keeps the table and the
 * Pending Bit Array (under msi_lock) in the BAR the device was created
 * with: the driver's accesses there never reach the model. An MSI-X
 * fired at a masked entry (its Mask bit, or the Function Mask) sets its
 * pending bit instead; unmasking delivers it and clears the bit, as the
 * PCI spec says. Entries to deliver wait in msix_deliver, one bit of
 * msi_pending (UVPCI_MSIX_PENDING) saying so, so that MSI-X uses the
 * same kick and delivery as MSI.
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

#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

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

static void uvpci_msi_kick(struct uvpci_device *d);

/* Entry @e's Mask bit, or the Function Mask, is set. msi_lock held. */
static bool uvpci_msix_masked(struct uvpci_device *d, unsigned int e)
{
	return READ_ONCE(d->msix_maskall) ||
	       (d->msix_table[e * 4 + 3] & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

/* Have entry @e delivered in hard IRQ context; interrupts off. */
static void uvpci_msix_queue(struct uvpci_device *d, unsigned int e)
{
	set_bit(e, d->msix_deliver);
	/* The entry's bit before the summary bit the delivery takes. */
	smp_mb__before_atomic();
	set_bit(UVPCI_MSIX_PENDING, &d->msi_pending);
	uvpci_msi_kick(d);
}

/*
 * Entry @e was unmasked (or the Function Mask cleared, or MSI-X enabled):
 * a message it holds pending goes out now. msi_lock held, interrupts off.
 */
static void uvpci_msix_flush_one(struct uvpci_device *d, unsigned int e)
{
	if (!READ_ONCE(d->msix_on) || uvpci_msix_masked(d, e) ||
	    !test_bit(e, d->msix_pba))
		return;
	__clear_bit(e, d->msix_pba);
	/* An entry no driver allocated points nowhere: the message is lost. */
	if (d->msix_mode && d->msix_irqs[e])
		uvpci_msix_queue(d, e);
}

static void uvpci_msix_mask_irq(struct irq_data *data)
{
	struct uvpci_device *d = irq_data_get_irq_chip_data(data);
	unsigned long flags;

	spin_lock_irqsave(&d->msi_lock, flags);
	d->msix_table[data->hwirq * 4 + 3] |= PCI_MSIX_ENTRY_CTRL_MASKBIT;
	spin_unlock_irqrestore(&d->msi_lock, flags);
}

/* Desc lock held, interrupts off. */
static void uvpci_msix_unmask_irq(struct irq_data *data)
{
	struct uvpci_device *d = irq_data_get_irq_chip_data(data);
	unsigned long flags;

	spin_lock_irqsave(&d->msi_lock, flags);
	d->msix_table[data->hwirq * 4 + 3] &= ~PCI_MSIX_ENTRY_CTRL_MASKBIT;
	uvpci_msix_flush_one(d, data->hwirq);
	spin_unlock_irqrestore(&d->msi_lock, flags);
}

static int uvpci_msix_retrigger(struct irq_data *data)
{
	struct uvpci_device *d = irq_data_get_irq_chip_data(data);

	set_bit(data->hwirq, d->msix_deliver);
	/* The entry's bit before the summary bit, as in uvpci_msix_queue(). */
	smp_mb__before_atomic();
	set_bit(UVPCI_MSIX_PENDING, &d->msi_pending);
	irq_work_queue(&d->msi_work);
	return 1;
}

static const struct irq_chip uvpci_msix_chip = {
	.name		= "uvpci-MSI-X",
	.irq_ack	= uvpci_msi_noop,
	.irq_mask	= uvpci_msix_mask_irq,
	.irq_unmask	= uvpci_msix_unmask_irq,
	.irq_retrigger	= uvpci_msix_retrigger,
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

/* Deliver the MSI-X entries queued; hard IRQ context. */
static void uvpci_msix_deliver(struct uvpci_device *d)
{
	unsigned int w, b, e;
	unsigned long bits;
	bool live;

	for (w = 0; w < BITS_TO_LONGS(d->params.msix_count); w++) {
		if (!READ_ONCE(d->msix_deliver[w]))
			continue;
		bits = xchg(&d->msix_deliver[w], 0);
		for_each_set_bit(b, &bits, BITS_PER_LONG) {
			e = w * BITS_PER_LONG + b;
			spin_lock(&d->msi_lock);
			live = d->msix_mode && d->msix_irqs[e];
			spin_unlock(&d->msi_lock);
			/* As for MSI: freeing waits for us before disposing. */
			if (live) {
				trace_uvpci_irq_deliver(d, UVPCI_TR_IRQ_MSIX, e);
				generic_handle_domain_irq(d->msi_domain, e);
			}
		}
	}
}

/* Deliver the pending vectors; hard IRQ context. */
static void uvpci_msi_deliver(struct uvpci_device *d)
{
	unsigned long pending = xchg(&d->msi_pending, 0);
	unsigned int vec;
	bool live;

	for_each_set_bit(vec, &pending, UVPCI_MAX_MSI) {
		spin_lock(&d->msi_lock);
		live = !d->msix_mode && vec < d->msi_nvec;
		spin_unlock(&d->msi_lock);
		/* Freeing vectors waits for us (uvpci_msi_quiesce()) before disposing. */
		if (live) {
			trace_uvpci_irq_deliver(d, UVPCI_TR_IRQ_MSI, vec);
			generic_handle_domain_irq(d->msi_domain, vec);
		}
	}
	if (pending & BIT(UVPCI_MSIX_PENDING))
		uvpci_msix_deliver(d);
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
static void uvpci_msi_kick_away(struct uvpci_device *d, unsigned int avoid)
{
	unsigned int cpu = nr_cpu_ids;

	if (avoid < nr_cpu_ids)
		cpu = cpumask_any_but(cpu_online_mask, avoid);
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

static void uvpci_msi_kick(struct uvpci_device *d)
{
	unsigned int avoid = nr_cpu_ids;

	if (in_task()) {
		avoid = smp_processor_id();
		WRITE_ONCE(d->msi_model_cpu, avoid);
	}
	uvpci_msi_kick_away(d, avoid);
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
	struct uvpci_device *d = container_of(timer, struct uvpci_device, intx_timer);

	/*
	 * Not on this CPU if the model last ran here: the handlers' reads
	 * would spin on a model that cannot run until they return.
	 */
	if (!uvpci_intx_live(d))
		return HRTIMER_NORESTART;
	set_bit(UVPCI_INTX_PENDING, &d->msi_pending);
	uvpci_msi_kick_away(d, READ_ONCE(d->msi_model_cpu));
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

static void uvpci_msix_free(struct uvpci_device *d)
{
	kfree(d->msix_table);
	bitmap_free(d->msix_pba);
	bitmap_free(d->msix_deliver);
	kfree(d->msix_irqs);
	kfree(d->msix_vecs);
	d->msix_table = NULL;
	d->msix_pba = NULL;
	d->msix_deliver = NULL;
	d->msix_irqs = NULL;
	d->msix_vecs = NULL;
}

/* The table (every entry masked, as at reset) and the bitmaps. */
static int uvpci_msix_init(struct uvpci_device *d)
{
	unsigned int n = d->params.msix_count, e;

	d->msix_table = kcalloc(n, UVPCI_MSIX_ENTRY_SIZE, GFP_KERNEL);
	d->msix_pba = bitmap_zalloc(n, GFP_KERNEL);
	d->msix_deliver = bitmap_zalloc(n, GFP_KERNEL);
	d->msix_irqs = kcalloc(n, sizeof(*d->msix_irqs), GFP_KERNEL);
	d->msix_vecs = kcalloc(n, sizeof(*d->msix_vecs), GFP_KERNEL);
	if (!d->msix_table || !d->msix_pba || !d->msix_deliver ||
	    !d->msix_irqs || !d->msix_vecs) {
		uvpci_msix_free(d);
		return -ENOMEM;
	}
	for (e = 0; e < n; e++)
		d->msix_table[e * 4 + 3] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	return 0;
}

/**
 * uvpci_msi_init() - set up a device's IRQ domain (none without MSI or
 * MSI-X), its MSI-X table and its INTx IRQ (none without a pin).
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
	d->msi_model_cpu = nr_cpu_ids;
	BUILD_BUG_ON(UVPCI_MSIX_PENDING >= BITS_PER_LONG);
	err = uvpci_intx_init(d);
	if (err)
		return err;
	if (!d->params.msi_count && !d->params.msix_count)
		return 0;
	if (d->params.msix_count && uvpci_msix_init(d))
		goto err_free_intx;

	snprintf(name, sizeof(name), "uvpci-%s", uvpci_dname(d));
	d->msi_fwnode = irq_domain_alloc_named_fwnode(name);
	if (!d->msi_fwnode)
		goto err_free_msix;
	/* Hardware IRQs: MSI vectors or MSI-X entries, never both at once. */
	d->msi_domain = irq_domain_create_linear(d->msi_fwnode,
						 max_t(unsigned int, d->params.msi_count,
						       d->params.msix_count),
						 &irq_domain_simple_ops, d);
	if (!d->msi_domain)
		goto err_free_fwnode;
	return 0;

err_free_fwnode:
	irq_domain_free_fwnode(d->msi_fwnode);
	d->msi_fwnode = NULL;
err_free_msix:
	uvpci_msix_free(d);
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
	uvpci_msix_free(d);
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

/* Set and clear bits of the MSI-X Message Control register. */
static void uvpci_msix_ctl(struct uvpci_device *d, u16 clear, u16 set)
{
	u32 ctl;

	uvpci_cfg_read(d, UVPCI_MSIX_CAP + PCI_MSIX_FLAGS, 2, &ctl);
	uvpci_cfg_write(d, UVPCI_MSIX_CAP + PCI_MSIX_FLAGS, 2,
			(ctl & ~clear) | set);
}

/* Mask every entry, as the PCI core does around MSI-X setup and teardown. */
static void uvpci_msix_mask_all(struct uvpci_device *d)
{
	unsigned int e;

	spin_lock_irq(&d->msi_lock);
	for (e = 0; e < d->params.msix_count; e++)
		d->msix_table[e * 4 + 3] |= PCI_MSIX_ENTRY_CTRL_MASKBIT;
	spin_unlock_irq(&d->msi_lock);
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

	if (!d->params.msi_count)
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

/* Every entry @entries names is in the table, and named once. */
static bool uvpci_msix_entries_ok(struct uvpci_device *d,
				  const struct msix_entry *entries,
				  unsigned int nvec)
{
	unsigned int i, j;

	for (i = 0; i < nvec; i++) {
		if (entries[i].entry >= d->params.msix_count)
			return false;
		for (j = 0; j < i; j++)
			if (entries[j].entry == entries[i].entry)
				return false;
	}
	return true;
}

/*
 * MSI-X vectors: entries[i].entry (or i without @entries) for vector i,
 * set up as the PCI core does: MSI-X enabled with the Function Mask set,
 * every entry masked, the allocated ones given an address and data, the
 * Function Mask cleared. Each entry stays masked until request_irq()
 * starts its IRQ (the chip's unmask).
 */
static int uvpci_msix_alloc(struct uvpci_device *d, struct msix_entry *entries,
			    unsigned int min_vecs, unsigned int max_vecs)
{
	struct uvpci_dev *udev = &d->udev;
	unsigned int i, e, irq, nvec;
	int err;

	if (!d->params.msix_count)
		return -EINVAL;
	nvec = min_t(unsigned int, max_vecs, d->params.msix_count);
	if (nvec < min_vecs)
		return -ENOSPC;
	if (entries && !uvpci_msix_entries_ok(d, entries, nvec))
		return -EINVAL;

	mutex_lock(&d->msi_mutex);
	err = -EINVAL;
	if (d->msi_nvec || d->msi_leaked || d->intx_vector)
		goto err_unlock;
	uvpci_msix_ctl(d, 0, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	uvpci_msix_mask_all(d);
	for (i = 0; i < nvec; i++) {
		e = entries ? entries[i].entry : i;
		irq = irq_create_mapping_affinity(d->msi_domain, e, NULL);
		if (!irq) {
			err = -ENOMEM;
			goto err_dispose;
		}
		irq_set_chip_and_handler_name(irq, &uvpci_msix_chip,
					      handle_edge_irq, "edge");
		irq_set_chip_data(irq, d);
		spin_lock_irq(&d->msi_lock);
		d->msix_table[e * 4 + 0] = UVPCI_MSI_ADDRESS;
		d->msix_table[e * 4 + 1] = 0;
		d->msix_table[e * 4 + 2] = e;
		d->msix_irqs[e] = irq;
		d->msix_vecs[i] = e;
		spin_unlock_irq(&d->msi_lock);
	}
	spin_lock_irq(&d->msi_lock);
	d->msi_nvec = nvec;
	d->msix_mode = true;
	spin_unlock_irq(&d->msi_lock);
	for (i = 0; entries && i < nvec; i++)
		entries[i].vector = d->msix_irqs[entries[i].entry];
	udev->msix_enabled = 1;
	/* As the PCI core: INTx off while MSI-X is on; udev->irq stays. */
	if (d->intx_irq)
		uvpci_cfg_intx(d, false);
	uvpci_msix_ctl(d, PCI_MSIX_FLAGS_MASKALL, 0);
	mutex_unlock(&d->msi_mutex);
	return nvec;

err_dispose:
	while (i--) {
		e = d->msix_vecs[i];
		irq_dispose_mapping(d->msix_irqs[e]);
		spin_lock_irq(&d->msi_lock);
		d->msix_irqs[e] = 0;
		spin_unlock_irq(&d->msi_lock);
	}
	uvpci_msix_ctl(d, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 0);
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
	/* As pci_alloc_irq_vectors(): MSI-X, then MSI, then INTx for one. */
	if ((flags & PCI_IRQ_MSIX) && d->params.msix_count) {
		ret = uvpci_msix_alloc(d, NULL, min_vecs, max_vecs);
		if (ret > 0)
			return ret;
	}
	if ((flags & PCI_IRQ_MSI) && d->params.msi_count) {
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

int uvpci_enable_msix_range(struct uvpci_dev *udev, struct msix_entry *entries,
			    int minvec, int maxvec)
{
	if (!entries || minvec < 1 || maxvec < minvec)
		return -EINVAL;
	return uvpci_msix_alloc(to_uvpci_device(udev), entries, minvec, maxvec);
}
EXPORT_SYMBOL_GPL(uvpci_enable_msix_range);

int uvpci_enable_msi(struct uvpci_dev *udev)
{
	int ret = uvpci_msi_alloc(to_uvpci_device(udev), 1, 1);

	return ret < 0 ? ret : 0;
}
EXPORT_SYMBOL_GPL(uvpci_enable_msi);

int uvpci_msi_vec_count(struct uvpci_dev *udev)
{
	return to_uvpci_device(udev)->params.msi_count ?: -EINVAL;
}
EXPORT_SYMBOL_GPL(uvpci_msi_vec_count);

int uvpci_msix_vec_count(struct uvpci_dev *udev)
{
	return to_uvpci_device(udev)->params.msix_count ?: -EINVAL;
}
EXPORT_SYMBOL_GPL(uvpci_msix_vec_count);

/* Vector @nr's Linux IRQ; @nr < msi_nvec; msi_mutex or msi_lock held. */
static unsigned int uvpci_vec_irq(struct uvpci_device *d, unsigned int nr)
{
	return d->msix_mode ? d->msix_irqs[d->msix_vecs[nr]] : d->msi_irqs[nr];
}

int uvpci_irq_vector(struct uvpci_dev *udev, unsigned int nr)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	unsigned long flags;
	int irq = -EINVAL;

	spin_lock_irqsave(&d->msi_lock, flags);
	if (nr < d->msi_nvec)
		irq = uvpci_vec_irq(d, nr);
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
		if (irq_has_action(uvpci_vec_irq(d, i)))
			return uvpci_vec_irq(d, i);
	return 0;
}

/* Stop delivery and forget the vectors; @dispose unless handlers remain. */
static void uvpci_msi_release(struct uvpci_device *d, bool dispose)
{
	unsigned int nvec = d->msi_nvec, i, e;
	bool msix = d->msix_mode;

	if (msix) {
		/* As the PCI core: every entry masked, MSI-X off, INTx back. */
		uvpci_msix_mask_all(d);
		uvpci_msix_ctl(d, PCI_MSIX_FLAGS_ENABLE, 0);
		if (d->intx_irq)
			uvpci_cfg_intx(d, true);
	} else {
		uvpci_msi_cfg(d, 0, false);
	}
	spin_lock_irq(&d->msi_lock);
	d->msi_nvec = 0;
	d->msix_mode = false;
	spin_unlock_irq(&d->msi_lock);
	uvpci_msi_quiesce(d);
	if (msix) {
		for (i = 0; i < nvec; i++) {
			e = d->msix_vecs[i];
			if (dispose)
				irq_dispose_mapping(d->msix_irqs[e]);
			d->msix_irqs[e] = 0;
		}
	} else if (dispose) {
		uvpci_msi_dispose(d->msi_irqs, nvec);
	}
	d->udev.irq = d->intx_irq;	/* back to INTx, as PCI */
	d->udev.msi_enabled = 0;
	d->udev.msix_enabled = 0;
}

/* Free the vectors if they are of the kind @msix says; msi_mutex held. */
static void uvpci_vectors_free(struct uvpci_device *d, const char *fn)
{
	unsigned int busy = uvpci_msi_busy(d);

	if (busy)
		dev_err(&d->udev.dev, "%s() with IRQ %u still requested: call free_irq() first; vectors kept\n",
			fn, busy);
	else
		uvpci_msi_release(d, true);
}

void uvpci_free_irq_vectors(struct uvpci_dev *udev)
{
	struct uvpci_device *d = to_uvpci_device(udev);

	mutex_lock(&d->msi_mutex);
	d->intx_vector = false;
	if (d->msi_nvec)
		uvpci_vectors_free(d, __func__);
	mutex_unlock(&d->msi_mutex);
}
EXPORT_SYMBOL_GPL(uvpci_free_irq_vectors);

void uvpci_disable_msi(struct uvpci_dev *udev)
{
	struct uvpci_device *d = to_uvpci_device(udev);

	mutex_lock(&d->msi_mutex);
	if (d->msi_nvec && !d->msix_mode)
		uvpci_vectors_free(d, __func__);
	mutex_unlock(&d->msi_mutex);
}
EXPORT_SYMBOL_GPL(uvpci_disable_msi);

void uvpci_disable_msix(struct uvpci_dev *udev)
{
	struct uvpci_device *d = to_uvpci_device(udev);

	mutex_lock(&d->msi_mutex);
	if (d->msi_nvec && d->msix_mode)
		uvpci_vectors_free(d, __func__);
	mutex_unlock(&d->msi_mutex);
}
EXPORT_SYMBOL_GPL(uvpci_disable_msix);

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

/*
 * An MSI-X message for entry @vec: delivered, or held pending while the
 * entry is masked. Atomic context.
 */
static int uvpci_msix_fire(struct uvpci_device *d, u32 vec, const char **why)
{
	unsigned long flags;
	int err = 0;

	if (vec >= d->params.msix_count) {
		*why = "no such vector";
		return -ERANGE;
	}
	spin_lock_irqsave(&d->msi_lock, flags);
	if (uvpci_msix_masked(d, vec)) {
		/* As the PCI spec: the message waits in the PBA. */
		__set_bit(vec, d->msix_pba);
		atomic64_inc(&d->stats.msix_masked);
	} else if (!d->msix_mode || !d->msix_irqs[vec]) {
		*why = "vector not enabled by the driver";
		err = -ERANGE;
	} else {
		/* Traced before the queueing: the delivery's event comes after. */
		trace_uvpci_msi_fire(d, vec, 0, NULL);
		/* The DMA data before the bit, as for MSI below. */
		smp_mb__before_atomic();
		uvpci_msix_queue(d, vec);
	}
	spin_unlock_irqrestore(&d->msi_lock, flags);
	return err;
}

/**
 * uvpci_msi_rx() - UVPCI_MSG_MSI from a port: an MSI-X entry while MSI-X
 * is enabled, else an MSI vector.
 * @d:   the device
 * @msg: the message
 *
 * Atomic context. Return: 0 (delivered, or pending on a masked MSI-X
 * entry); -EINVAL (malformed), -ERANGE (no such vector, or one the driver
 * did not enable), -EPERM (neither MSI nor MSI-X enabled): each logged
 * (rate-limited) and counted.
 */
int uvpci_msi_rx(struct uvpci_device *d, const struct uvbus_msg *msg)
{
	u32 vec = msg->msi.vector;
	unsigned int nvec, has;
	unsigned long flags;
	const char *why;
	bool msix_mode;
	int err;

	spin_lock_irqsave(&d->msi_lock, flags);
	nvec = d->msi_nvec;
	msix_mode = d->msix_mode;
	spin_unlock_irqrestore(&d->msi_lock, flags);
	has = max_t(unsigned int, d->params.msi_count, d->params.msix_count);

	if (msg->msi.reserved0) {
		why = "reserved field set";
		err = -EINVAL;
	} else if (READ_ONCE(d->msix_on)) {
		has = d->params.msix_count;
		err = uvpci_msix_fire(d, vec, &why);
		if (!err) {
			atomic64_inc(&d->stats.msi);
			return 0;
		}
	} else if (vec >= has) {
		why = "no such vector";
		err = -ERANGE;
	} else if (!READ_ONCE(d->msi_on) || !nvec || msix_mode) {
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
	uvpci_rl(err, d, &d->rs_dev, "%s vector %u refused: %s (device has %u, driver enabled %u)\n",
		 READ_ONCE(d->msix_on) ? "MSI-X" : "MSI", vec, why, has, nvec);
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

/* ------------------------------------------------------------------ */
/* The MSI-X table and PBA in their BAR                                */
/* ------------------------------------------------------------------ */

/* Writable bits of each dword of a table entry. */
static const u32 uvpci_msix_wmask[4] = {
	0xfffffffc,			/* Message Address, dword aligned */
	0xffffffff,			/* Message Upper Address */
	0xffffffff,			/* Message Data */
	PCI_MSIX_ENTRY_CTRL_MASKBIT,	/* Vector Control */
};

/**
 * uvpci_msix_owns() - whether an access falls on the MSI-X table or PBA.
 * @d:    the device
 * @bar:  the BAR accessed
 * @off:  offset in it, aligned to @size
 * @size: 1, 2, 4 or 8
 *
 * Table and PBA start and end on multiples of 8, so an aligned access is
 * either wholly inside them or wholly outside.
 */
bool uvpci_msix_owns(struct uvpci_device *d, unsigned int bar, u64 off,
		     unsigned int size)
{
	const struct uvpci_params *p = &d->params;
	u64 end = p->msix_offset + UVPCI_MSIX_TABLE_SIZE(p->msix_count) +
		  UVPCI_MSIX_PBA_SIZE(p->msix_count);

	return p->msix_count && bar == p->msix_bar && off >= p->msix_offset &&
	       off + size <= end;
}

/* Byte @o of table + PBA (@o past the table: of the PBA). msi_lock held. */
static u8 uvpci_msix_byte(struct uvpci_device *d, u64 o)
{
	u64 tsize = UVPCI_MSIX_TABLE_SIZE(d->params.msix_count);

	if (o < tsize)
		return d->msix_table[o / 4] >> (8 * (o % 4));
	o -= tsize;
	return d->msix_pba[o / sizeof(long)] >> (8 * (o % sizeof(long)));
}

/**
 * uvpci_msix_read() - a host read of the MSI-X table or PBA.
 * @d:    the device
 * @off:  offset in the BAR; uvpci_msix_owns() said yes
 * @size: 1, 2, 4 or 8
 *
 * Answered by uvPCI, which keeps both: the model is not asked. Any context.
 * Return: the value.
 */
u64 uvpci_msix_read(struct uvpci_device *d, u64 off, unsigned int size)
{
	u64 rel = off - d->params.msix_offset, v = 0;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&d->msi_lock, flags);
	for (i = 0; i < size; i++)
		v |= (u64)uvpci_msix_byte(d, rel + i) << (8 * i);
	spin_unlock_irqrestore(&d->msi_lock, flags);
	return v;
}

/**
 * uvpci_msix_write() - a host write of the MSI-X table or PBA.
 * @d:     the device
 * @off:   offset in the BAR; uvpci_msix_owns() said yes
 * @size:  1, 2, 4 or 8
 * @value: the value; read-only bits (the PBA, reserved bits) ignore it
 *
 * Clearing an entry's Mask bit delivers what it held pending. Any context.
 */
void uvpci_msix_write(struct uvpci_device *d, u64 off, unsigned int size,
		      u64 value)
{
	u64 rel = off - d->params.msix_offset;
	u64 tsize = UVPCI_MSIX_TABLE_SIZE(d->params.msix_count);
	unsigned long flags;
	unsigned int i;

	if (rel >= tsize)
		return;		/* the PBA is read-only */
	spin_lock_irqsave(&d->msi_lock, flags);
	for (i = 0; i < size; i++) {
		u64 o = rel + i;
		unsigned int sh = 8 * (o % 4);
		u32 m = uvpci_msix_wmask[(o / 4) % 4] & (0xffU << sh);
		u32 *dw = &d->msix_table[o / 4];

		*dw = (*dw & ~m) | (((u32)(value >> (8 * i)) << sh) & m);
	}
	/* An aligned access of at most 8 bytes touches one entry. */
	uvpci_msix_flush_one(d, rel / UVPCI_MSIX_ENTRY_SIZE);
	spin_unlock_irqrestore(&d->msi_lock, flags);
}

/**
 * uvpci_msix_unmasked() - MSI-X was enabled or its Function Mask cleared:
 * every pending entry not masked by its own bit is delivered now.
 * @d: the device
 */
void uvpci_msix_unmasked(struct uvpci_device *d)
{
	unsigned long flags;
	unsigned int e;

	if (!d->params.msix_count)
		return;
	spin_lock_irqsave(&d->msi_lock, flags);
	for_each_set_bit(e, d->msix_pba, d->params.msix_count)
		uvpci_msix_flush_one(d, e);
	spin_unlock_irqrestore(&d->msi_lock, flags);
}

/**
 * uvpci_ioctl_msix() - UVPCI_IOC_MSIX: the device side reads the MSI-X
 * mask and pending bits.
 * @d:   the device
 * @arg: struct uvpci_msix_state
 *
 * Return: 0, -EPERM without CAP_SYS_ADMIN, -EFAULT, -EINVAL (reserved
 * fields).
 */
long uvpci_ioctl_msix(struct uvpci_device *d, void __user *arg)
{
	struct uvpci_msix_state *st;
	unsigned int e, n = d->params.msix_count;
	unsigned long flags;
	long err = 0;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	if (copy_from_user(st, arg, sizeof(*st))) {
		err = -EFAULT;
		goto out;
	}
	if (st->reserved0 || memchr_inv(st->reserved, 0, sizeof(st->reserved))) {
		err = -EINVAL;
		goto out;
	}
	memset(st->mask, 0, sizeof(st->mask));
	memset(st->pending, 0, sizeof(st->pending));
	st->count = n;
	st->flags = 0;
	if (READ_ONCE(d->msix_on))
		st->flags |= UVPCI_MSIX_ENABLED;
	if (READ_ONCE(d->msix_maskall))
		st->flags |= UVPCI_MSIX_MASKALL;
	spin_lock_irqsave(&d->msi_lock, flags);
	for (e = 0; e < n; e++) {
		if (d->msix_table[e * 4 + 3] & PCI_MSIX_ENTRY_CTRL_MASKBIT)
			st->mask[e / 64] |= 1ULL << (e % 64);
		if (test_bit(e, d->msix_pba))
			st->pending[e / 64] |= 1ULL << (e % 64);
	}
	spin_unlock_irqrestore(&d->msi_lock, flags);
	if (copy_to_user(arg, st, sizeof(*st)))
		err = -EFAULT;
out:
	kfree(st);
	return err;
}
