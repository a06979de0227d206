// SPDX-License-Identifier: GPL-2.0
/*
 * uvPCI: BAR cookies, register files, and the MMIO path to the
 * device model.
 *
 * Cookies. uvpci_iomap() hands out a token, not a mapping (layout in
 * uvpci_priv.h): a non-canonical address that carries the device's slot,
 * the BAR and the offset. The uv_* accessors decode it; a plain readl() or
 * a stray dereference takes a general protection fault at once, so a
 * driver that missed a rename cannot silently read some other memory.
 * A cookie that does not decode, a BAR with no cookie left, a misaligned
 * or out-of-range offset, or a BAR access while memory decoding is off
 * reads all-ones (writes are dropped), with a rate-limited log line.
 *
 * States of a device's BARs:
 *  - no model attached, not gone: each BAR is a register file (pages
 *    allocated on the first non-zero write; a read returns the last value
 *    written, little-endian, so narrower reads see its bytes);
 *  - a model attached: every access is a message on the model port's k2u
 *    ring, writes posted, reads non-posted (MMIO_READ, answered by
 *    MMIO_CPL with the same tag). One ring keeps them in order, so a read
 *    never passes an earlier write;
 *  - gone (the model detached): reads return all-ones at once, writes are
 *    dropped, as on a surprise-removed card, until a model attaches again
 *    or UVBUS_IOC_RESET makes the BARs empty register files again.
 *
 * Waiting. A read spins until its completion arrives, calling
 * uvbus_port_poll() on the model port so that the completion is consumed
 * even when the model never rings the doorbell. Whether it may yield is
 * decided by uvpci_may_sleep(): preemptible() (which Debian's kernels,
 * built with CONFIG_PREEMPT_COUNT, compute from the real preempt count: no
 * spinlock, no softirq or hard IRQ, interrupts on) and outside any RCU
 * read-side section. Such a caller spins with cond_resched() for the first
 * UVPCI_SPIN_US, then sleeps in UVPCI_NAP_US slices, woken early by the
 * completion. Any other caller (a handler, a spinlocked section, and
 * every caller on a kernel without CONFIG_PREEMPT_COUNT, where
 * preemptible() is always 0) only spins with cpu_relax(); there the model
 * must be able to run on another CPU. Either way the device's timeout
 * bounds the wait, counted on a wait clock (struct uvpci_wait_clock) that
 * measures the time the model had to answer, not wall time across a
 * stalled machine. A read whose ring stayed full for a whole timeout
 * marks the model stuck: until it consumes again, a read that finds the
 * ring full fails at once (all-ones, counted) instead of spinning a
 * timeout each, which in atomic context could starve the CPUs that the
 * model, or its exit after a SIGKILL, needs.
 *
 * Posted writes wait for ring space, and are never dropped for want of
 * it: see uvpci_model_post().
 */
#define pr_fmt(fmt) "uvpci: " fmt

#include <linux/capability.h>
#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>

#include "uvpci_priv.h"
#include "uvpci_trace.h"

#define UVPCI_POLL_BUDGET	16
#define UVPCI_SPIN_US		20
#define UVPCI_NAP_US		100
/* A posted write stalled on a full ring naps up to this long. */
#define UVPCI_NAP_MAX_US	10000
/* The longest a posted write that cannot sleep waits for ring space. */
#define UVPCI_ATOMIC_STALL_MS	5000
/*
 * The most one step of a wait adds to its clock. A guest whose host
 * deschedules it (a TCG guest on a busy host stalls as a whole for up to
 * a second; a paused VM for longer) sees one long step that no model could
 * have used; the steps of a healthy wait are microseconds, and a reader
 * preempted inside the guest loses a few ticks, still counted.
 */
#define UVPCI_STEP_MAX_US	10000
/* The most register-file memory one device may use (64 MiB). */
#define UVPCI_REGFILE_MAX_PAGES	16384

static u64 uvpci_ones(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static bool uvpci_size_ok(unsigned int size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static bool uvpci_may_sleep(void)
{
	return preemptible() && !rcu_preempt_depth();
}

/**
 * uvpci_is_gone() - whether the model went away with no RESET since.
 * @d: the device
 */
bool uvpci_is_gone(struct uvpci_device *d)
{
	return READ_ONCE(d->gone);
}

/* ------------------------------------------------------------------ */
/* Register files                                                      */
/* ------------------------------------------------------------------ */

void uvpci_mmio_init(struct uvpci_device *d)
{
	unsigned int i;

	spin_lock_init(&d->lock);
	INIT_LIST_HEAD(&d->pending);
	INIT_LIST_HEAD(&d->ports);
	init_waitqueue_head(&d->wq);
	for (i = 0; i < UVPCI_NUM_BARS; i++)
		xa_init_flags(&d->regs[i], XA_FLAGS_LOCK_IRQ);
}

static void uvpci_regfile_clear(struct uvpci_device *d)
{
	struct page *page;
	unsigned long idx;
	unsigned int i;

	for (i = 0; i < UVPCI_NUM_BARS; i++) {
		xa_for_each(&d->regs[i], idx, page) {
			/* Accessors load and use a page under xa_lock only. */
			xa_erase_irq(&d->regs[i], idx);
			__free_page(page);
			atomic_dec(&d->regfile_pages);
		}
	}
}

void uvpci_mmio_fini(struct uvpci_device *d)
{
	unsigned int i;

	uvpci_regfile_clear(d);
	for (i = 0; i < UVPCI_NUM_BARS; i++)
		xa_destroy(&d->regs[i]);
}

static u64 uvpci_regfile_read(struct uvpci_device *d, unsigned int bar,
			      u64 off, unsigned int size)
{
	struct xarray *xa = &d->regs[bar];
	unsigned long flags;
	struct page *page;
	__le64 v = 0;

	xa_lock_irqsave(xa, flags);
	page = xa_load(xa, off >> PAGE_SHIFT);
	if (page)
		memcpy(&v, page_address(page) + offset_in_page(off), size);
	xa_unlock_irqrestore(xa, flags);
	return le64_to_cpu(v);
}

static void uvpci_regfile_write(struct uvpci_device *d, unsigned int bar,
				u64 off, unsigned int size, u64 value)
{
	struct xarray *xa = &d->regs[bar];
	__le64 v = cpu_to_le64(value);
	struct page *page;
	unsigned long flags;
	void *old;

	xa_lock_irqsave(xa, flags);
	page = xa_load(xa, off >> PAGE_SHIFT);
	if (!page) {
		/* A zero written where nothing was ever written changes nothing. */
		if (!value)
			goto out_unlock;
		if (atomic_read(&d->regfile_pages) >= UVPCI_REGFILE_MAX_PAGES)
			goto err_nomem;
		page = alloc_page(GFP_ATOMIC | __GFP_ZERO | __GFP_NOWARN);
		if (!page)
			goto err_nomem;
		old = __xa_store(xa, off >> PAGE_SHIFT, page,
				 GFP_ATOMIC | __GFP_NOWARN);
		if (xa_is_err(old)) {
			__free_page(page);
			goto err_nomem;
		}
		atomic_inc(&d->regfile_pages);
	}
	memcpy(page_address(page) + offset_in_page(off), &v, size);
out_unlock:
	xa_unlock_irqrestore(xa, flags);
	return;

err_nomem:
	xa_unlock_irqrestore(xa, flags);
	atomic64_inc(&d->stats.regfile_nomem);
	uvpci_rl(warn, d, &d->rs_io, "register file full: write to BAR%u offset %#llx dropped\n",
		 bar, off);
}

/* ------------------------------------------------------------------ */
/* The model                                                           */
/* ------------------------------------------------------------------ */

static bool uvpci_pending_done(struct uvpci_pending *p)
{
	/* acquire: pairs with the release in uvpci_pending_complete() */
	return smp_load_acquire(&p->done);
}

/* Finish a read, d->lock held: the reader may return at once after this. */
static void uvpci_pending_complete(struct uvpci_pending *p, int status,
				   u64 value)
{
	list_del(&p->node);
	p->status = status;
	p->value = value;
	/* release: status and value are visible before done */
	smp_store_release(&p->done, true);
}

/*
 * Take the model port for one access: returns it with d->inflight raised
 * (the detach waits for that to drop), or NULL with *gone telling why.
 * With @p, the read is registered under the same lock, so that a detach
 * either sees it and completes it, or happens before it and fails its send.
 */
static struct uvbus_port *uvpci_model_enter(struct uvpci_device *d,
					    struct uvpci_pending *p, bool *gone)
{
	struct uvbus_port *port;
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	port = d->model;
	*gone = d->gone;
	if (port) {
		atomic_inc(&d->inflight);
		if (p) {
			p->tag = ++d->next_tag;
			list_add_tail(&p->node, &d->pending);
		}
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return port;
}

static void uvpci_model_exit(struct uvpci_device *d)
{
	if (atomic_dec_and_test(&d->inflight))
		wake_up_var(&d->inflight);
}

/*
 * The clock of one wait: the time the device had to answer, as the sum of
 * the wait's steps, each counted for at most UVPCI_STEP_MAX_US.
 */
struct uvpci_wait_clock {
	ktime_t last;
	s64 waited_ns;
	s64 limit_ns;
};

static void uvpci_wait_clock_start(struct uvpci_wait_clock *c, ktime_t now,
				   u32 timeout_us)
{
	c->last = now;
	c->waited_ns = 0;
	c->limit_ns = (s64)timeout_us * NSEC_PER_USEC;
}

/* Count the step since the last call; true once the timeout is used up. */
static bool uvpci_wait_clock_expired(struct uvpci_wait_clock *c)
{
	ktime_t now = ktime_get();
	s64 step = ktime_to_ns(ktime_sub(now, c->last));

	c->last = now;
	c->waited_ns += clamp_t(s64, step, 0, UVPCI_STEP_MAX_US * NSEC_PER_USEC);
	return c->waited_ns >= c->limit_ns;
}

/* One step of a wait that began at @start: spin, yield, or nap. */
static void uvpci_wait_step(struct uvpci_device *d, struct uvpci_pending *p,
			    ktime_t start, bool sleep)
{
	if (!sleep) {
		cpu_relax();
		return;
	}
	if (ktime_us_delta(ktime_get(), start) < UVPCI_SPIN_US) {
		cond_resched();
		return;
	}
	if (p)
		wait_event_hrtimeout(d->wq, uvpci_pending_done(p),
				     ns_to_ktime(UVPCI_NAP_US * NSEC_PER_USEC));
	else
		usleep_range(UVPCI_NAP_US, 2 * UVPCI_NAP_US);
}

/*
 * Queue read @msg on the model port, waiting for ring space until @clock
 * runs out. Returns 0, -ETIMEDOUT, -ENOSPC (the ring is stuck), or -EPIPE
 * once the port is detached or broken (also when @p was completed by a
 * detach meanwhile). Posted writes wait in uvpci_model_post() instead.
 */
static int uvpci_send_wait(struct uvpci_device *d, struct uvbus_port *port,
			   const struct uvbus_msg *msg, struct uvpci_pending *p,
			   ktime_t start, struct uvpci_wait_clock *clock,
			   bool sleep)
{
	int err;

	for (;;) {
		err = uvbus_port_send(port, msg);
		if (!err && READ_ONCE(d->ring_stuck))
			WRITE_ONCE(d->ring_stuck, false);
		if (err != -ENOBUFS)
			return err ? -EPIPE : 0;
		/* Full for a whole timeout already: drop at once until it drains. */
		if (READ_ONCE(d->ring_stuck))
			return -ENOSPC;
		if (p && uvpci_pending_done(p))
			return -EPIPE;
		/* The model may be blocked on its own full u2k ring. */
		if (uvbus_port_poll(port, UVPCI_POLL_BUDGET) < 0)
			return -EPIPE;
		if (uvpci_wait_clock_expired(clock)) {
			WRITE_ONCE(d->ring_stuck, true);
			return -ETIMEDOUT;
		}
		uvpci_wait_step(d, NULL, start, sleep);
	}
}

static u64 uvpci_model_read(struct uvpci_device *d, struct uvbus_port *port,
			    struct uvpci_pending *p, unsigned int bar, u64 off,
			    unsigned int size)
{
	struct uvbus_msg msg = {
		.type = UVPCI_MSG_MMIO_READ,
		.tag = p->tag,
		.mmio = { .bar = bar, .size = size, .offset = off },
	};
	bool sleep = uvpci_may_sleep(), polling;
	ktime_t start = ktime_get();
	struct uvpci_wait_clock clock;
	unsigned long flags;
	int err, n;

	uvpci_wait_clock_start(&clock, start, READ_ONCE(d->timeout_us));
	/* While we spin, the model need not ring for its completion. */
	uvbus_port_poll_begin(port);
	polling = true;
	err = uvpci_send_wait(d, port, &msg, p, start, &clock, sleep);
	while (!err) {
		if (uvpci_pending_done(p))
			break;
		n = uvbus_port_poll(port, UVPCI_POLL_BUDGET);
		if (uvpci_pending_done(p))
			break;
		if (n < 0) {
			err = -EPIPE;
		} else if (uvpci_wait_clock_expired(&clock)) {
			err = -ETIMEDOUT;
		} else if (!n && polling && sleep &&
			   ktime_us_delta(ktime_get(), start) >= UVPCI_SPIN_US) {
			/* About to nap: from now on the completion rings. */
			uvbus_port_poll_end(port);
			polling = false;
		} else if (!n) {
			uvpci_wait_step(d, p, start, sleep);
		}
	}
	if (polling)
		uvbus_port_poll_end(port);

	spin_lock_irqsave(&d->lock, flags);
	if (!p->done) {
		list_del(&p->node);
		p->status = err;
		p->value = ~0ULL;
	}
	spin_unlock_irqrestore(&d->lock, flags);

	if (p->status == -ETIMEDOUT) {
		atomic64_inc(&d->stats.read_timeouts);
		uvpci_rl(warn, d, &d->rs_io, "read timed out after %u us: BAR%u offset %#llx (%u bytes), returning all-ones\n",
			 READ_ONCE(d->timeout_us), bar, off, size);
		/* The likely cause, once: see uvpci(9), MODELS AND CPUS. */
		if (!sleep && !xchg(&d->cpu_hinted, true))
			dev_warn(&d->udev.dev, "a read that could not sleep timed out: the model may be queued behind a spinning reader; give it a CPU of its own (see uvpci(9), MODELS AND CPUS)\n");
	} else if (p->status == -ENOSPC) {
		atomic64_inc(&d->stats.read_timeouts);
	} else if (p->status == -EPIPE || p->status == -ENODEV) {
		atomic64_inc(&d->stats.read_gone);
	}
	return p->status ? uvpci_ones(size) : p->value & uvpci_ones(size);
}

/**
 * uvpci_bar_read() - one non-posted read of a BAR, whatever the state.
 * @d:    the device
 * @bar:  a BAR that exists
 * @off:  in range, aligned to @size
 * @size: 1, 2, 4 or 8
 *
 * Any context; see the top of this file for how it waits.
 * Return: the value, or all-ones.
 */
u64 uvpci_bar_read(struct uvpci_device *d, unsigned int bar, u64 off,
		   unsigned int size)
{
	u64 start = uvpci_trace_start(trace_uvpci_mmio_read_enabled());
	struct uvpci_pending p = { .value = ~0ULL };
	enum uvpci_trace_status st;
	struct uvbus_port *port;
	bool gone;
	u64 v;

	atomic64_inc(&d->stats.reads);
	/* uvPCI keeps the MSI-X table: the model is not asked. */
	if (uvpci_msix_owns(d, bar, off, size))
		return uvpci_is_gone(d) ? uvpci_ones(size) :
					  uvpci_msix_read(d, off, size);
	port = uvpci_model_enter(d, &p, &gone);
	if (port) {
		v = uvpci_model_read(d, port, &p, bar, off, size);
		uvpci_model_exit(d);
		st = uvpci_trace_read_status(p.status);
	} else if (!gone) {
		v = uvpci_regfile_read(d, bar, off, size);
		st = UVPCI_TR_REGFILE;
	} else {
		atomic64_inc(&d->stats.read_gone);
		v = uvpci_ones(size);
		st = UVPCI_TR_REMOVED;
	}
	trace_uvpci_mmio_read(d, bar, off, size, v, start, st);
	return v;
}

static const char *uvpci_post_what(const struct uvbus_msg *msg)
{
	return msg->type == UVPCI_MSG_CFG_WRITE ? "config write" : "write";
}

/*
 * Post @msg to the model port. Returns true once it is on the ring, false
 * if it was discarded because the model is dead (its port detached, the
 * device destroyed, the channel broken) or the writer was killed.
 *
 * A posted write is never dropped because the ring is full: PCIe flow
 * control stalls the sender until the device returns credits, so the
 * writer waits for room as long as the model lives, in one of two ways.
 * __uv_write() promises "any context", as writel(): a driver writes from
 * its IRQ handler, under spinlocks, in softirq. uvpci_may_sleep() tells
 * (see the top of this file) whether this caller may sleep:
 *  - it may: it spins with cond_resched() for UVPCI_SPIN_US, then sleeps
 *    killably in naps that double up to UVPCI_NAP_MAX_US. It waits until
 *    the ring has room or the model is dead; a fatal signal ends the wait
 *    too (a task stuck in D state for ever because of a model, the model
 *    itself writing to its own device among them, is a wedge; and a
 *    killed writer's write is the writer's loss, not backpressure);
 *  - it may not: it spins with cpu_relax(), re-checking the ring and
 *    draining the model's u2k ring (the model may be blocked on it). Such
 *    a wait cannot be unbounded: the CPU has preemption or interrupts
 *    off, so the model, or its exit after a SIGKILL, may need this very
 *    CPU (a TLB shootdown IPI waits for it; on one CPU nothing else runs),
 *    and the lockup detectors fire at 10 s to 20 s. After
 *    UVPCI_ATOMIC_STALL_MS without room the model is taken as dead, as a
 *    link whose flow control credits never come back goes down: the
 *    channel is broken (one log line; the model sees POLLERR), and this
 *    and every later access ends at once.
 * Either way, once the wait has used up the device's timeout (counted on
 * the wait clock, as a read's) one line is logged per stall and device,
 * and another when the ring moves again; meanwhile reads that find the
 * ring full fail at once (d->ring_stuck), as before.
 */
static bool uvpci_model_post(struct uvpci_device *d, struct uvbus_port *port,
			     const struct uvbus_msg *msg)
{
	bool sleep = uvpci_may_sleep(), stalled = false, logged;
	unsigned long nap_us = UVPCI_NAP_US;
	ktime_t start = ktime_get();
	struct uvpci_wait_clock clock;
	int err;

	uvpci_wait_clock_start(&clock, start, READ_ONCE(d->timeout_us));
	for (;;) {
		err = uvbus_port_send(port, msg);
		if (err != -ENOBUFS)
			break;
		/* The model may be blocked on its own full u2k ring. */
		if (uvbus_port_poll(port, UVPCI_POLL_BUDGET) < 0) {
			err = -EPIPE;
			break;
		}
		if (uvpci_wait_clock_expired(&clock) && !stalled) {
			stalled = true;
			WRITE_ONCE(d->ring_stuck, true);
			if (!test_and_set_bit(UVPCI_STALL_LOGGED, &d->stall_flags))
				uvpci_rl(warn, d, &d->rs_io, "model ring full for %u us: posted %s stalled until the model consumes its ring (nothing is dropped)\n",
					 READ_ONCE(d->timeout_us),
					 uvpci_post_what(msg));
		}
		if (!sleep) {
			if (ktime_ms_delta(ktime_get(), start) >=
			    UVPCI_ATOMIC_STALL_MS) {
				uvbus_channel_break(d->ch, "device model's ring full for %u ms while a posted %s could not sleep: the model is taken as dead",
						    UVPCI_ATOMIC_STALL_MS,
						    uvpci_post_what(msg));
				err = -EPIPE;
				break;
			}
			cpu_relax();
			continue;
		}
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		if (ktime_us_delta(ktime_get(), start) < UVPCI_SPIN_US) {
			cond_resched();
			continue;
		}
		usleep_range_state(nap_us, 2 * nap_us, TASK_KILLABLE);
		if (stalled && nap_us < UVPCI_NAP_MAX_US)
			nap_us *= 2;
	}

	/* The stalled writers clear the mark; the first one logs. */
	logged = stalled &&
		 test_and_clear_bit(UVPCI_STALL_LOGGED, &d->stall_flags);
	if (!err) {
		if (READ_ONCE(d->ring_stuck))
			WRITE_ONCE(d->ring_stuck, false);
		if (logged)
			uvpci_rl(info, d, &d->rs_io, "model ring moving again: a posted %s stalled for %lld ms was delivered\n",
				 uvpci_post_what(msg),
				 ktime_ms_delta(ktime_get(), start));
		return true;
	}
	atomic64_inc(&d->stats.write_drops);
	if (err == -EINTR)
		uvpci_rl(warn, d, &d->rs_io, "posted %s discarded: the writer was killed while the model's ring was full\n",
			 uvpci_post_what(msg));
	else
		uvpci_rl(warn, d, &d->rs_io, "posted %s discarded: the device model %s (device removed from the bus)\n",
			 uvpci_post_what(msg),
			 uvbus_channel_broken(d->ch) ? "is dead, its channel broken" :
			 "detached");
	return false;
}

/**
 * uvpci_bar_write() - one posted write to a BAR, whatever the state.
 * @d:     the device
 * @bar:   a BAR that exists
 * @off:   in range, aligned to @size
 * @size:  1, 2, 4 or 8
 * @value: the value
 *
 * Any context; waits only for ring space.
 */
void uvpci_bar_write(struct uvpci_device *d, unsigned int bar, u64 off,
		     unsigned int size, u64 value)
{
	struct uvbus_msg msg = {
		.type = UVPCI_MSG_MMIO_WRITE,
		.mmio = { .bar = bar, .size = size, .offset = off,
			  .value = value & uvpci_ones(size) },
	};
	u64 start = uvpci_trace_start(trace_uvpci_mmio_write_enabled());
	enum uvpci_trace_status st;
	struct uvbus_port *port;
	bool gone;

	atomic64_inc(&d->stats.writes);
	if (uvpci_msix_owns(d, bar, off, size)) {
		if (!uvpci_is_gone(d))
			uvpci_msix_write(d, off, size, msg.mmio.value);
		return;
	}
	port = uvpci_model_enter(d, NULL, &gone);
	if (port) {
		st = uvpci_model_post(d, port, &msg) ? UVPCI_TR_OK :
						       UVPCI_TR_DROPPED;
		uvpci_model_exit(d);
	} else if (!gone) {
		uvpci_regfile_write(d, bar, off, size, msg.mmio.value);
		st = UVPCI_TR_REGFILE;
	} else {
		atomic64_inc(&d->stats.write_drops);
		st = UVPCI_TR_REMOVED;
	}
	trace_uvpci_mmio_write(d, bar, off, size, msg.mmio.value, start, st);
}

/**
 * uvpci_posted_send() - post a message to the model, if one is attached.
 * @d:   the device
 * @msg: e.g. a UVPCI_MSG_CFG_WRITE
 *
 * Any context. Return: 0, or -ENODEV when dropped.
 */
int uvpci_posted_send(struct uvpci_device *d, struct uvbus_msg *msg)
{
	struct uvbus_port *port;
	bool gone, ok;

	port = uvpci_model_enter(d, NULL, &gone);
	if (!port)
		return 0;
	ok = uvpci_model_post(d, port, msg);
	uvpci_model_exit(d);
	return ok ? 0 : -ENODEV;
}

/**
 * uvpci_mmio_cpl() - rx of UVPCI_MSG_MMIO_CPL from the model port.
 * @d:   the device
 * @msg: the message
 *
 * Atomic context. Return: 0, or -EINVAL for a malformed completion (the
 * read it names, if any, then completes with all-ones).
 */
int uvpci_mmio_cpl(struct uvpci_device *d, const struct uvbus_msg *msg)
{
	const struct uvpci_mmio *m = &msg->mmio;
	struct uvpci_pending *p, *found = NULL;
	bool bad = m->reserved0 || !uvpci_size_ok(m->size) ||
		   m->status > 0 || m->status < -MAX_ERRNO;
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	list_for_each_entry(p, &d->pending, node) {
		if (p->tag == msg->tag) {
			found = p;
			break;
		}
	}
	if (found)
		uvpci_pending_complete(found, bad ? -EPROTO : m->status,
				       m->value);
	spin_unlock_irqrestore(&d->lock, flags);

	if (found)
		wake_up(&d->wq);
	if (bad) {
		atomic64_inc(&d->stats.malformed);
		uvpci_rl(err, d, &d->rs_dev, "malformed MMIO completion (tag %llu, size %u, status %d)\n",
			 msg->tag, m->size, m->status);
		return -EINVAL;
	}
	if (!found)
		atomic64_inc(&d->stats.cpl_stale);
	else if (m->status)
		atomic64_inc(&d->stats.cpl_errors);
	return 0;
}

/**
 * uvpci_model_attach() - a UVBUS_ATTACH_MODEL port attached.
 * @d:    the device
 * @port: the port
 *
 * Return: 0, or -EBUSY when a model is attached already.
 */
int uvpci_model_attach(struct uvpci_device *d, struct uvbus_port *port)
{
	unsigned long flags;
	int err = 0;

	uvbus_port_get(port);
	spin_lock_irqsave(&d->lock, flags);
	if (d->model) {
		err = -EBUSY;
	} else {
		d->model = port;
		WRITE_ONCE(d->gone, false);
		WRITE_ONCE(d->ring_stuck, false);
		clear_bit(UVPCI_STALL_LOGGED, &d->stall_flags);
	}
	spin_unlock_irqrestore(&d->lock, flags);
	if (err) {
		uvbus_port_put(port);
		return err;
	}
	/* The model's first message: what the host has enabled so far. */
	uvpci_host_state_send(d, port);
	return 0;
}

/**
 * uvpci_model_detach() - the model port is going away.
 * @d:    the device
 * @port: the port; ignored unless it is the model
 *
 * Every pending read completes now with all-ones; later accesses find the
 * device gone. Returns once no access uses @port any more.
 */
void uvpci_model_detach(struct uvpci_device *d, struct uvbus_port *port)
{
	struct uvpci_pending *p, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	if (d->model != port) {
		spin_unlock_irqrestore(&d->lock, flags);
		return;
	}
	d->model = NULL;
	WRITE_ONCE(d->gone, true);
	list_for_each_entry_safe(p, tmp, &d->pending, node)
		uvpci_pending_complete(p, -ENODEV, ~0ULL);
	spin_unlock_irqrestore(&d->lock, flags);

	wake_up_all(&d->wq);
	uvpci_intx_drop(d);
	wait_var_event(&d->inflight, !atomic_read(&d->inflight));
	uvbus_port_put(port);
	dev_info(&d->udev.dev, "device model detached: BAR reads return all-ones until a model attaches or the device is reset\n");
}

/**
 * uvpci_mmio_reset() - UVBUS_IOC_RESET: back to empty register files.
 * @d: the device
 *
 * Clears the gone state and every register file (all BARs read zero).
 * Config space is kept. Return: 0, or -EBUSY while a model is attached.
 */
int uvpci_mmio_reset(struct uvpci_device *d)
{
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&d->lock, flags);
	if (d->model)
		err = -EBUSY;
	else
		WRITE_ONCE(d->gone, false);
	spin_unlock_irqrestore(&d->lock, flags);
	if (err)
		return err;
	uvpci_regfile_clear(d);
	dev_info(&d->udev.dev, "reset: BARs are empty register files\n");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Cookies and the accessors                                           */
/* ------------------------------------------------------------------ */

void __iomem *uvpci_cookie(struct uvpci_device *d, unsigned int bar,
			   unsigned long off)
{
	u64 c = UVPCI_COOKIE_TAG | ((u64)d->slot << UVPCI_COOKIE_SLOT_SHIFT) |
		((u64)bar << UVPCI_COOKIE_BAR_SHIFT) | off;

	return (__force void __iomem *)(unsigned long)c;
}

bool uvpci_cookie_decode(const void __iomem *addr, unsigned int *slot,
			 unsigned int *bar, u64 *off)
{
	u64 c = (__force unsigned long)addr;

	if ((c & UVPCI_COOKIE_TAG_MASK) != UVPCI_COOKIE_TAG)
		return false;
	*slot = (c >> UVPCI_COOKIE_SLOT_SHIFT) & UVPCI_COOKIE_SLOT_MASK;
	*bar = (c >> UVPCI_COOKIE_BAR_SHIFT) & UVPCI_COOKIE_BAR_MASK;
	*off = c & UVPCI_COOKIE_OFF_MASK;
	return true;
}

/* The checks a driver's access passes; logs and counts a failure. */
static bool uvpci_access_ok(struct uvpci_device *d, unsigned int bar, u64 off,
			    unsigned int size, bool write)
{
	const char *why;
	bool io;
	u64 len;

	if (bar >= UVPCI_NUM_BARS || !d->params.bar[bar].size) {
		why = "no such BAR";
		goto bad;
	}
	len = d->params.bar[bar].size;
	io = d->params.bar[bar].flags & UVPCI_BAR_IO;
	/* An I/O BAR's port numbers are tokens that need no mapping. */
	if (!io && !atomic_read(&d->bar_maps[bar])) {
		why = "BAR not mapped (uvpci_iounmap() already called?)";
		goto bad;
	}
	if (off & (size - 1)) {
		why = "misaligned";
		goto bad;
	}
	if (off >= len || len - off < size) {
		why = "past the end of the BAR";
		goto bad;
	}
	if (!READ_ONCE(d->mem_on) && !io) {
		why = "memory decoding disabled (uvpci_enable_device() not called?)";
		goto bad;
	}
	if (!READ_ONCE(d->io_on) && io) {
		why = "I/O decoding disabled (uvpci_enable_device() not called?)";
		goto bad;
	}
	return true;

bad:
	atomic64_inc(&d->stats.bad_cookie);
	uvpci_rl(err, d, &d->rs_io, "%u-byte %s at BAR%u offset %#llx refused: %s\n",
		 size, write ? "write" : "read", bar, off, why);
	return false;
}

/* The device a cookie names, with a user reference, or NULL. */
static struct uvpci_device *uvpci_cookie_get(const void __iomem *addr,
					     unsigned int size,
					     unsigned int *bar, u64 *off)
{
	unsigned int slot;

	if (!uvpci_size_ok(size) || !uvpci_cookie_decode(addr, &slot, bar, off))
		return NULL;
	return uvpci_slot_get(slot);
}

u64 __uv_read(const void __iomem *addr, unsigned int size)
{
	struct uvpci_device *d;
	unsigned int bar;
	u64 off, v;

	d = uvpci_cookie_get(addr, size, &bar, &off);
	if (!d) {
		pr_err_ratelimited("read through an invalid BAR cookie %p\n",
				   (__force const void *)addr);
		return uvpci_size_ok(size) ? uvpci_ones(size) : ~0ULL;
	}
	v = uvpci_ones(size);
	if (uvpci_access_ok(d, bar, off, size, false))
		v = uvpci_bar_read(d, bar, off, size);
	uvpci_slot_put(d);
	return v;
}
EXPORT_SYMBOL_GPL(__uv_read);

void __uv_write(u64 value, void __iomem *addr, unsigned int size)
{
	struct uvpci_device *d;
	unsigned int bar;
	u64 off;

	d = uvpci_cookie_get(addr, size, &bar, &off);
	if (!d) {
		pr_err_ratelimited("write through an invalid BAR cookie %p\n",
				   (__force const void *)addr);
		return;
	}
	if (uvpci_access_ok(d, bar, off, size, true))
		uvpci_bar_write(d, bar, off, size, value);
	uvpci_slot_put(d);
}
EXPORT_SYMBOL_GPL(__uv_write);

/* The widest access that @a is aligned for and @count covers. */
static unsigned int uvpci_io_width(unsigned long a, size_t count)
{
	if (count >= 8 && !(a & 7))
		return 8;
	if (count >= 4 && !(a & 3))
		return 4;
	if (count >= 2 && !(a & 1))
		return 2;
	return 1;
}

void uv_memcpy_fromio(void *to, const void __iomem *from, size_t count)
{
	u8 *dst = to;

	while (count) {
		unsigned int w = uvpci_io_width((__force unsigned long)from, count);
		/* The register's bytes, lowest address first. */
		__le64 v = cpu_to_le64(__uv_read(from, w));

		memcpy(dst, &v, w);
		from += w;
		dst += w;
		count -= w;
	}
}
EXPORT_SYMBOL_GPL(uv_memcpy_fromio);

void uv_memcpy_toio(void __iomem *to, const void *from, size_t count)
{
	const u8 *src = from;

	while (count) {
		unsigned int w = uvpci_io_width((__force unsigned long)to, count);
		__le64 v = 0;

		memcpy(&v, src, w);
		__uv_write(le64_to_cpu(v), to, w);
		to += w;
		src += w;
		count -= w;
	}
}
EXPORT_SYMBOL_GPL(uv_memcpy_toio);

void uv_memset_io(void __iomem *addr, int value, size_t count)
{
	u64 pattern = 0x0101010101010101ULL * (u8)value;

	while (count) {
		unsigned int w = uvpci_io_width((__force unsigned long)addr, count);

		__uv_write(pattern, addr, w);
		addr += w;
		count -= w;
	}
}
EXPORT_SYMBOL_GPL(uv_memset_io);

void __iomem *uvpci_iomap_range(struct uvpci_dev *udev, int bar,
				unsigned long offset, unsigned long maxlen)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	resource_size_t len;

	if (bar < 0 || bar >= UVPCI_NUM_BARS)
		return NULL;
	len = uvpci_resource_len(udev, bar);
	if (!len || offset >= len)
		return NULL;
	atomic_inc(&d->bar_maps[bar]);
	return uvpci_cookie(d, bar, offset);
}
EXPORT_SYMBOL_GPL(uvpci_iomap_range);

void __iomem *uvpci_iomap(struct uvpci_dev *udev, int bar, unsigned long maxlen)
{
	return uvpci_iomap_range(udev, bar, 0, maxlen);
}
EXPORT_SYMBOL_GPL(uvpci_iomap);

void __iomem *uvpci_ioremap_bar(struct uvpci_dev *udev, int bar)
{
	return uvpci_iomap_range(udev, bar, 0, 0);
}
EXPORT_SYMBOL_GPL(uvpci_ioremap_bar);

void __iomem *uvpci_ioremap_wc_bar(struct uvpci_dev *udev, int bar)
{
	return uvpci_iomap_range(udev, bar, 0, 0);
}
EXPORT_SYMBOL_GPL(uvpci_ioremap_wc_bar);

void uvpci_iounmap(struct uvpci_dev *udev, void __iomem *addr)
{
	struct uvpci_device *d = to_uvpci_device(udev);
	unsigned int slot, bar;
	u64 off;

	if (!addr)
		return;
	if (!uvpci_cookie_decode(addr, &slot, &bar, &off) || slot != d->slot ||
	    bar >= UVPCI_NUM_BARS) {
		dev_err(&udev->dev, "%s() of a cookie that is not this device's\n",
			__func__);
		return;
	}
	if (atomic_dec_if_positive(&d->bar_maps[bar]) < 0)
		dev_err(&udev->dev, "%s() of BAR%u, which has no cookie left\n",
			__func__, bar);
}
EXPORT_SYMBOL_GPL(uvpci_iounmap);

/**
 * uvpci_unmap_all_cookies() - after remove(): forget the driver's cookies.
 * @d: the device
 *
 * Return: how many the driver had not given back.
 */
unsigned int uvpci_unmap_all_cookies(struct uvpci_device *d)
{
	unsigned int i, n = 0;

	for (i = 0; i < UVPCI_NUM_BARS; i++)
		n += atomic_xchg(&d->bar_maps[i], 0);
	return n;
}

/* ------------------------------------------------------------------ */
/* UVPCI_IOC_MMIO: host-side peek and poke                             */
/* ------------------------------------------------------------------ */

/**
 * uvpci_ioctl_mmio() - one register access from userspace.
 * @d:   the device
 * @arg: struct uvpci_mmio_req
 *
 * Goes down the same path as a driver's access (the model sees it), but
 * needs no cookie and no memory decoding. A read that times out or finds
 * the model gone returns all-ones, as it would to a driver.
 * Return: 0, -EPERM without CAP_SYS_ADMIN, -EFAULT, -EINVAL (reserved
 * fields, BAR, size, alignment, @write), -ERANGE (offset past the BAR, or
 * a value wider than @size).
 */
long uvpci_ioctl_mmio(struct uvpci_device *d, void __user *arg)
{
	struct uvpci_mmio_req req;
	u64 len;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.reserved0 || req.reserved1 ||
	    memchr_inv(req.reserved, 0, sizeof(req.reserved)) || req.write > 1 ||
	    req.bar >= UVPCI_NUM_BARS || !d->params.bar[req.bar].size ||
	    !uvpci_size_ok(req.size) || (req.offset & (req.size - 1)))
		return -EINVAL;
	len = d->params.bar[req.bar].size;
	if (req.offset >= len || len - req.offset < req.size)
		return -ERANGE;
	atomic64_inc(&d->stats.host_accesses);
	if (req.write) {
		if (req.value & ~uvpci_ones(req.size))
			return -ERANGE;
		uvpci_bar_write(d, req.bar, req.offset, req.size, req.value);
		return 0;
	}
	req.value = uvpci_bar_read(d, req.bar, req.offset, req.size);
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}
