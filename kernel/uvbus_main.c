// SPDX-License-Identifier: GPL-2.0
/*
 * uvbus_main.c - /dev/uvbus: named channels, ports and their shared rings.
 *
 * A channel is created by name and served by a channel type (the built-in
 * loopback, or uvpci.ko). Each file descriptor may attach to one channel;
 * the attachment ("port") owns a vmalloc_user() area that userspace maps:
 *
 *	page 0:	the six shared ring words (k2u head/tail/flags, u2k
 *		head/tail/flags), each on its own cache line
 *	then:	the k2u slots, then the u2k slots
 *
 * The ring algorithm is the one in uapi/uvbus.h; the kernel keeps its own
 * index of each ring privately and never trusts what userspace writes into
 * the mapping: a ring function that reports -EPROTO breaks the channel.
 *
 * Locking, outermost first:
 *	uvbus_lock (mutex)	the channel list and the type table
 *	uvbus_file.lock (mutex)	ATTACH on one file
 *	channel->mutex		attach, detach, destroy of that channel's ports
 *	port->rx_lock		the u2k drainer (trylock; rx callbacks run under it)
 *	port->lock		the k2u producer, pending signals, @detached
 *	channel->lock		the port list, @dead, @active (innermost)
 */
#define pr_fmt(fmt) "uvbus: " fmt

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "uvbus_internal.h"

#define CREATE_TRACE_POINTS
#include "uvbus_trace.h"

static unsigned int max_channels = 256;
module_param(max_channels, uint, 0644);
MODULE_PARM_DESC(max_channels, "Most channels that may exist at once (default 256)");

DEFINE_MUTEX(uvbus_lock);		/* the channel list, the type table */
LIST_HEAD(uvbus_channels);
static unsigned int uvbus_nchannels;
static const struct uvbus_type *uvbus_types[UVBUS_MAX_TYPES];

/* Each shared ring word sits on its own cache line (128: no adjacent-line sharing). */
#define UVBUS_CTRL_STRIDE	128
enum {
	UVBUS_CTRL_K2U_HEAD,
	UVBUS_CTRL_K2U_TAIL,
	UVBUS_CTRL_K2U_FLAGS,
	UVBUS_CTRL_U2K_HEAD,
	UVBUS_CTRL_U2K_TAIL,
	UVBUS_CTRL_U2K_FLAGS,
	UVBUS_CTRL_WORDS
};

/*
 * Draining: a pass holds rx_lock (interrupts off) for at most
 * UVBUS_POLL_BATCH messages; a doorbell write() drains at most
 * UVBUS_DRAIN_MAX messages before handing the rest to a work item.
 */
#define UVBUS_POLL_BATCH	64
#define UVBUS_POLL_PASSES	4
#define UVBUS_DRAIN_MAX		(2 * UVBUS_RING_MAX_ENTRIES)

/* One per open() of /dev/uvbus. */
struct uvbus_file {
	struct mutex lock;		/* serialises ATTACH */
	struct uvbus_port *port;	/* set once, read with acquire */
};

/* ------------------------------------------------------------------ */
/* Channels                                                            */
/* ------------------------------------------------------------------ */

static void uvbus_channel_free(struct kref *kref)
{
	kfree(container_of(kref, struct uvbus_channel, kref));
}

static void uvbus_channel_put(struct uvbus_channel *ch)
{
	kref_put(&ch->kref, uvbus_channel_free);
}

/* 1..31 characters of [A-Za-z0-9_.-], not "." or "..", NUL inside the field. */
static int uvbus_check_name(const char *name)
{
	size_t len = strnlen(name, UVBUS_NAME_MAX);
	size_t i;

	if (len == UVBUS_NAME_MAX)
		return -ENAMETOOLONG;
	if (!len || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return -EINVAL;
	}
	return 0;
}

static struct uvbus_channel *uvbus_find_locked(const char *name, u32 *index)
{
	struct uvbus_channel *ch;
	u32 i = 0;

	lockdep_assert_held(&uvbus_lock);
	list_for_each_entry(ch, &uvbus_channels, node) {
		if (!strcmp(ch->name, name)) {
			if (index)
				*index = i;
			return ch;
		}
		i++;
	}
	return NULL;
}

/* Find a live channel by name and take a reference on it. */
static struct uvbus_channel *uvbus_channel_lookup(const char *name)
{
	struct uvbus_channel *ch;

	mutex_lock(&uvbus_lock);
	ch = uvbus_find_locked(name, NULL);
	if (ch)
		kref_get(&ch->kref);
	mutex_unlock(&uvbus_lock);
	return ch;
}

/*
 * Bracket a call into the type from an ioctl (@call UVBUS_CALL_IOCTL) or a
 * signal write() (UVBUS_CALL_SIGNAL): false once the channel is being
 * destroyed. Destroy waits until no such call runs: signals before it
 * detaches the ports (a signal callback names a port), ioctls after (a
 * detach completes what a blocked ioctl waits for).
 */
static bool uvbus_channel_enter(struct uvbus_channel *ch, int call)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&ch->lock, flags);
	ok = !ch->dead;
	if (ok)
		ch->active[call]++;
	spin_unlock_irqrestore(&ch->lock, flags);
	return ok;
}

static void uvbus_channel_exit(struct uvbus_channel *ch, int call)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	if (!--ch->active[call] && ch->dead)
		wake_up_all(&ch->idle_wq);
	spin_unlock_irqrestore(&ch->lock, flags);
}

static bool uvbus_channel_idle(struct uvbus_channel *ch, int call)
{
	bool idle;

	spin_lock_irq(&ch->lock);
	idle = !ch->active[call];
	spin_unlock_irq(&ch->lock);
	return idle;
}

static void uvbus_port_detach(struct uvbus_channel *ch, struct uvbus_port *port);

/*
 * Tear a channel down: called with uvbus_lock held, after the caller took
 * it off the channel list (which is what makes the caller its destroyer).
 */
static void uvbus_channel_destroy(struct uvbus_channel *ch)
{
	struct uvbus_port *port;

	lockdep_assert_held(&uvbus_lock);
	uvbus_nchannels--;

	/* First, as it calls type->show: waits for debugfs readers. */
	uvbus_debugfs_del_channel(ch);

	spin_lock_irq(&ch->lock);
	ch->dead = true;
	spin_unlock_irq(&ch->lock);
	wait_event(ch->idle_wq, uvbus_channel_idle(ch, UVBUS_CALL_SIGNAL));

	mutex_lock(&ch->mutex);
	while ((port = list_first_entry_or_null(&ch->ports, struct uvbus_port, node)))
		uvbus_port_detach(ch, port);
	mutex_unlock(&ch->mutex);
	wait_event(ch->idle_wq, uvbus_channel_idle(ch, UVBUS_CALL_IOCTL));

	if (ch->type->destroy)
		ch->type->destroy(ch);
	trace_uvbus_channel_destroy(ch);
	pr_debug("channel %s destroyed\n", ch->name);
	uvbus_channel_put(ch);		/* the channel list's reference */
}

static void uvbus_channel_unlink_destroy(struct uvbus_channel *ch)
{
	list_del_init(&ch->node);
	uvbus_channel_destroy(ch);
}

/**
 * uvbus_channel_name() - a channel's name.
 * @ch: the channel
 *
 * Return: the NUL-terminated name, valid as long as @ch is.
 */
const char *uvbus_channel_name(const struct uvbus_channel *ch)
{
	return ch->name;
}
EXPORT_SYMBOL_GPL(uvbus_channel_name);

/**
 * uvbus_channel_priv() - the channel type's private data.
 * @ch: the channel
 *
 * Return: what uvbus_channel_set_priv() stored, or NULL.
 */
void *uvbus_channel_priv(const struct uvbus_channel *ch)
{
	return ch->priv;
}
EXPORT_SYMBOL_GPL(uvbus_channel_priv);

/**
 * uvbus_channel_set_priv() - store the channel type's private data.
 * @ch:   the channel
 * @priv: anything; uvBus never dereferences it
 *
 * Typically called from &uvbus_type.create.
 */
void uvbus_channel_set_priv(struct uvbus_channel *ch, void *priv)
{
	ch->priv = priv;
}
EXPORT_SYMBOL_GPL(uvbus_channel_set_priv);

/**
 * uvbus_channel_clear_flags() - clear UVBUS_CREATE_* bits a channel no
 * longer has (uvPCI's UVBUS_CREATE_HELD once released), as
 * UVBUS_IOC_INFO reports them.
 * @ch:    the channel
 * @flags: the bits to clear
 *
 * Process context.
 */
void uvbus_channel_clear_flags(struct uvbus_channel *ch, u32 flags)
{
	spin_lock_irq(&ch->lock);
	WRITE_ONCE(ch->flags, ch->flags & ~flags);
	spin_unlock_irq(&ch->lock);
}
EXPORT_SYMBOL_GPL(uvbus_channel_clear_flags);

/**
 * uvbus_channel_broken() - has a peer corrupted this channel's rings?
 * @ch: the channel
 *
 * Return: true once uvbus_channel_break() was called.
 */
bool uvbus_channel_broken(const struct uvbus_channel *ch)
{
	return atomic_read(&ch->state) == UVBUS_STATE_BROKEN;
}
EXPORT_SYMBOL_GPL(uvbus_channel_broken);

/**
 * uvbus_channel_break() - mark a channel broken after a ring corruption.
 * @ch:  the channel
 * @fmt: printf format describing what was wrong (ring, values)
 *
 * The first call logs one line naming the channel, under the channel's own
 * rate limit (never a global one: breaks of other channels, however many,
 * cannot hide this one's); later calls do nothing. From then on every ring
 * of the channel stops: sends and drains fail with -EPIPE, read() and
 * write() with EPIPE, poll() reports EPOLLERR. Other channels are
 * unaffected. Any context.
 */
void uvbus_channel_break(struct uvbus_channel *ch, const char *fmt, ...)
{
	struct uvbus_port *port;
	struct va_format vaf;
	unsigned long flags;
	va_list args;

	if (atomic_cmpxchg(&ch->state, UVBUS_STATE_OK, UVBUS_STATE_BROKEN) !=
	    UVBUS_STATE_OK)
		return;
	atomic64_inc(&ch->errors);

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	trace_uvbus_channel_broken(ch, &vaf);
	if (__ratelimit(&ch->rs))
		pr_err("channel %s broken: %pV\n", ch->name, &vaf);
	va_end(args);

	spin_lock_irqsave(&ch->lock, flags);
	list_for_each_entry(port, &ch->ports, node)
		wake_up_interruptible_all(&port->wq);
	spin_unlock_irqrestore(&ch->lock, flags);
}
EXPORT_SYMBOL_GPL(uvbus_channel_break);

/* ------------------------------------------------------------------ */
/* Channel types                                                       */
/* ------------------------------------------------------------------ */

/**
 * uvbus_register_type() - make a channel type available to UVBUS_IOC_CREATE.
 * @type: the type; must stay valid until uvbus_unregister_type()
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for a malformed @type, -EBUSY if its number is taken.
 */
int uvbus_register_type(const struct uvbus_type *type)
{
	int err = 0;

	if (!type || !type->type || type->type >= UVBUS_MAX_TYPES ||
	    !type->name || !type->create)
		return -EINVAL;

	mutex_lock(&uvbus_lock);
	if (uvbus_types[type->type])
		err = -EBUSY;
	else
		uvbus_types[type->type] = type;
	mutex_unlock(&uvbus_lock);
	return err;
}
EXPORT_SYMBOL_GPL(uvbus_register_type);

/**
 * uvbus_unregister_type() - withdraw a channel type, destroying its channels.
 * @type: what was passed to uvbus_register_type()
 *
 * Every channel of @type is destroyed first (its ports are detached and see
 * POLLHUP), so that rmmod of the type's module removes its channels. When
 * this returns no callback of @type runs or will run.
 *
 * Context: process context, may sleep.
 */
void uvbus_unregister_type(const struct uvbus_type *type)
{
	struct uvbus_channel *ch, *tmp;

	mutex_lock(&uvbus_lock);
	if (type->type < UVBUS_MAX_TYPES && uvbus_types[type->type] == type)
		uvbus_types[type->type] = NULL;
	list_for_each_entry_safe(ch, tmp, &uvbus_channels, node)
		if (ch->type == type)
			uvbus_channel_unlink_destroy(ch);
	mutex_unlock(&uvbus_lock);
}
EXPORT_SYMBOL_GPL(uvbus_unregister_type);

/* ------------------------------------------------------------------ */
/* Ports: signals, the k2u producer, the u2k drainer                   */
/* ------------------------------------------------------------------ */

/* Add @bits to the pending set; wake the reader if that set gained any. */
static void uvbus_port_raise_locked(struct uvbus_port *port, u64 bits)
{
	u64 old = port->pending;

	lockdep_assert_held(&port->lock);
	if ((old | bits) == old)
		return;
	port->pending = old | bits;
	atomic64_inc(&port->ch->signals_out);
	wake_up_interruptible_poll(&port->wq, EPOLLIN | EPOLLRDNORM);
}

/**
 * uvbus_port_signal() - raise signal bits to a port's reader.
 * @port: the port
 * @bits: ORed into the set that the port's next read() returns and clears
 *
 * Does nothing once the port is detached or the channel broken. Any context.
 */
void uvbus_port_signal(struct uvbus_port *port, u64 bits)
{
	unsigned long flags;

	spin_lock_irqsave(&port->lock, flags);
	if (!port->detached && !uvbus_channel_broken(port->ch))
		uvbus_port_raise_locked(port, bits);
	spin_unlock_irqrestore(&port->lock, flags);
}
EXPORT_SYMBOL_GPL(uvbus_port_signal);

/**
 * uvbus_port_send() - queue one message on a port's kernel->user ring.
 * @port: the port
 * @msg:  copied into the ring
 *
 * Raises UVBUS_SIG_RING to the port's reader. Any context; concurrent
 * senders to one port are serialised.
 *
 * Return: 0; -ENOBUFS if the ring is full (counted in k2u_full); -EPIPE if
 * the port is detached or the channel broken (which a corrupted ring head
 * causes, with one log line).
 */
int uvbus_port_send(struct uvbus_port *port, const struct uvbus_msg *msg)
{
	struct uvbus_channel *ch = port->ch;
	unsigned long flags;
	u32 head = 0, tail = 0;
	int n;

	spin_lock_irqsave(&port->lock, flags);
	if (port->detached || uvbus_channel_broken(ch)) {
		spin_unlock_irqrestore(&port->lock, flags);
		return -EPIPE;
	}
	n = uvbus_ring_push(&port->k2u, msg, 1);
	if (n > 0) {
		atomic64_inc(&ch->k2u_msgs);
		uvbus_port_raise_locked(port, UVBUS_SIG_RING);
	} else if (!n) {
		atomic64_inc(&ch->k2u_full);
	} else {
		head = READ_ONCE(*port->k2u.head);
		tail = port->k2u.local;
	}
	spin_unlock_irqrestore(&port->lock, flags);

	if (n < 0) {
		uvbus_channel_break(ch, "k2u ring of port %u: head %#x impossible (kernel tail %#x, %u entries)",
				    port->id, head, tail, port->k2u.entries);
		return -EPIPE;
	}
	return n ? 0 : -ENOBUFS;
}
EXPORT_SYMBOL_GPL(uvbus_port_send);

/*
 * Deliver up to @limit messages from the u2k ring to the type, rx_lock held.
 * A message the type cannot take yet (-EAGAIN from rx) stays in @held and
 * is offered again first by the next pass; the messages behind it stay in
 * the ring. Returns the number delivered, or -EPIPE.
 */
static int uvbus_port_rx_locked(struct uvbus_port *port, unsigned int limit)
{
	struct uvbus_channel *ch = port->ch;
	unsigned int done = 0;
	int err, n;

	lockdep_assert_held(&port->rx_lock);
	if (port->detached || uvbus_channel_broken(ch))
		return -EPIPE;

	while (done < limit) {
		if (!port->stalled) {
			n = uvbus_ring_pop(&port->u2k, &port->held, 1);
			if (n < 0) {
				uvbus_channel_break(ch, "u2k ring of port %u: tail %#x impossible (kernel head %#x, %u entries)",
						    port->id, READ_ONCE(*port->u2k.tail),
						    port->u2k.local, port->u2k.entries);
				return -EPIPE;
			}
			if (!n)
				return done;
			atomic64_inc(&ch->u2k_msgs);
		}

		err = ch->type->rx ? ch->type->rx(ch, port, &port->held) : 0;
		if (err == -EAGAIN) {
			/*
			 * Set before the signal, so that a reader woken by it
			 * (or reading after it) sees the stall and retries.
			 */
			WRITE_ONCE(port->stalled, true);
			uvbus_port_signal(port, UVBUS_SIG_RING);
			return done;
		}
		WRITE_ONCE(port->stalled, false);
		done++;
		if (uvbus_channel_broken(ch))
			return -EPIPE;	/* the break counted the error */
		if (err)
			atomic64_inc(&ch->errors);
	}
	/* Stopped at the limit, not on an empty ring: another pass is due. */
	set_bit(UVBUS_PORT_KICK, &port->state);
	return done;
}

/* Hand the rest of a drain to process context (none once detached). */
static void uvbus_port_kick_work(struct uvbus_port *port)
{
	unsigned long flags;

	spin_lock_irqsave(&port->lock, flags);
	if (!port->detached)
		schedule_work(&port->drain_work);
	spin_unlock_irqrestore(&port->lock, flags);
}

/*
 * One drainer at a time: a caller that finds rx_lock taken leaves its
 * request in UVBUS_PORT_KICK, which the holder rechecks after unlocking, so
 * no doorbell is lost and no drainer ever waits for another. *more is set
 * when the budget ran out with a request still pending.
 */
static int __uvbus_port_poll(struct uvbus_port *port, unsigned int budget,
			     bool *more)
{
	unsigned int done = 0, passes = 0;
	unsigned long flags;
	int n;

	*more = false;
	if (!budget)
		return 0;
	/*
	 * Fully ordered RMW: the messages published before this call are
	 * visible to whichever drainer clears the request.
	 */
	test_and_set_bit(UVBUS_PORT_KICK, &port->state);
	while (done < budget && passes++ < UVBUS_POLL_PASSES) {
		if (!spin_trylock_irqsave(&port->rx_lock, flags))
			return done;
		n = 0;
		if (test_and_clear_bit(UVBUS_PORT_KICK, &port->state))
			n = uvbus_port_rx_locked(port, min_t(unsigned int,
							     budget - done,
							     UVBUS_POLL_BATCH));
		spin_unlock_irqrestore(&port->rx_lock, flags);
		if (n < 0)
			return n;
		done += n;
		/* Pairs with test_and_set_bit(): see requests made while we held the lock. */
		smp_mb();
		if (!test_bit(UVBUS_PORT_KICK, &port->state))
			return done;
	}
	*more = true;
	return done;
}

/**
 * uvbus_port_poll() - consume messages from a port's user->kernel ring.
 * @port:   the port
 * @budget: most messages to hand to the type's @rx callback
 *
 * Calls the channel type's @rx for each message, in ring order, in atomic
 * context. At most one drainer runs per port: a caller that finds another
 * one running returns 0 at once and that drainer does the work. Work left
 * when @budget runs out is finished from a work item. Any context.
 *
 * Return: the number of messages consumed, or -EPIPE once the port is
 * detached or the channel broken.
 */
int uvbus_port_poll(struct uvbus_port *port, unsigned int budget)
{
	bool more;
	int n;

	n = __uvbus_port_poll(port, budget, &more);
	if (more)
		uvbus_port_kick_work(port);
	return n;
}
EXPORT_SYMBOL_GPL(uvbus_port_poll);

/**
 * uvbus_port_poll_begin() - say that the kernel now spins on a port's
 * user->kernel ring.
 * @port: the port
 *
 * Sets UVBUS_RING_F_POLLING in the u2k ring's flags, so that the producer
 * may skip its doorbells; the caller must call uvbus_port_poll() until it
 * stops, then uvbus_port_poll_end(). Nests: several CPUs may spin at once.
 * Any context.
 */
void uvbus_port_poll_begin(struct uvbus_port *port)
{
	unsigned long flags;

	spin_lock_irqsave(&port->lock, flags);
	if (!port->pollers++)
		WRITE_ONCE(*port->u2k.flags, UVBUS_RING_F_POLLING);
	spin_unlock_irqrestore(&port->lock, flags);
}
EXPORT_SYMBOL_GPL(uvbus_port_poll_begin);

/**
 * uvbus_port_poll_end() - the end of a uvbus_port_poll_begin().
 * @port: the port
 *
 * The last spinner clears UVBUS_RING_F_POLLING, then drains the ring once:
 * a message published while the flag was up came without a doorbell.
 * Any context.
 */
void uvbus_port_poll_end(struct uvbus_port *port)
{
	unsigned long flags;
	bool last;

	spin_lock_irqsave(&port->lock, flags);
	last = port->pollers && !--port->pollers;
	if (last)
		WRITE_ONCE(*port->u2k.flags, 0);
	spin_unlock_irqrestore(&port->lock, flags);
	if (last) {
		/* Pairs with uvbus_ring_needs_bell(): flag store before tail load. */
		smp_mb();
		uvbus_port_poll(port, UVBUS_POLL_BATCH);
	}
}
EXPORT_SYMBOL_GPL(uvbus_port_poll_end);

/* Drain in process context, bounded; hand what is left to the work item. */
static int uvbus_port_drain(struct uvbus_port *port)
{
	unsigned int total = 0;
	bool more;
	int n;

	for (;;) {
		n = __uvbus_port_poll(port, UVBUS_POLL_BATCH, &more);
		if (n < 0)
			return n;
		total += n;
		if (!more)
			return 0;
		/*
		 * Nothing consumed, yet the request keeps coming back: a
		 * reader spinning in uvbus_port_poll() for a reply that only
		 * our caller (the port's owner) can send. Leave the rest to
		 * the work item rather than hold the caller here until that
		 * reader times out.
		 */
		if (total >= UVBUS_DRAIN_MAX || !n) {
			uvbus_port_kick_work(port);
			return 0;
		}
		cond_resched();
	}
}

static void uvbus_port_drain_work(struct work_struct *work)
{
	uvbus_port_drain(container_of(work, struct uvbus_port, drain_work));
}

/**
 * uvbus_port_flags() - how a port attached.
 * @port: the port
 *
 * Return: the UVBUS_ATTACH_* flags given to UVBUS_IOC_ATTACH.
 */
u32 uvbus_port_flags(const struct uvbus_port *port)
{
	return port->flags;
}
EXPORT_SYMBOL_GPL(uvbus_port_flags);

static void uvbus_port_free(struct kref *kref)
{
	struct uvbus_port *port = container_of(kref, struct uvbus_port, kref);

	/* Normally idle since the detach; not if a refused attach kicked it. */
	cancel_work_sync(&port->drain_work);
	vfree(port->mem);
	uvbus_channel_put(port->ch);
	kfree(port);
}

/**
 * uvbus_port_get() - take a reference on a port.
 * @port: the port
 *
 * The port's memory stays valid until the matching uvbus_port_put(), even
 * after it is detached. Any context.
 */
void uvbus_port_get(struct uvbus_port *port)
{
	kref_get(&port->kref);
}
EXPORT_SYMBOL_GPL(uvbus_port_get);

/**
 * uvbus_port_put() - drop a reference taken with uvbus_port_get().
 * @port: the port
 *
 * Context: process context: the last reference frees the ring memory.
 */
void uvbus_port_put(struct uvbus_port *port)
{
	might_sleep();
	kref_put(&port->kref, uvbus_port_free);
}
EXPORT_SYMBOL_GPL(uvbus_port_put);

/*
 * Take a port off its channel (ch->mutex held): the rings stop (no drain
 * runs once rx_lock is ours, no send after @detached), the type forgets the
 * port, and the reader sees POLLHUP. The ring memory stays until the last
 * reference goes.
 */
static void uvbus_port_detach(struct uvbus_channel *ch, struct uvbus_port *port)
{
	unsigned long flags;

	lockdep_assert_held(&ch->mutex);

	spin_lock_irqsave(&ch->lock, flags);
	list_del_init(&port->node);
	ch->nports--;
	spin_unlock_irqrestore(&ch->lock, flags);

	spin_lock_irqsave(&port->rx_lock, flags);
	spin_lock(&port->lock);
	WRITE_ONCE(port->detached, true);
	spin_unlock(&port->lock);
	spin_unlock_irqrestore(&port->rx_lock, flags);
	cancel_work_sync(&port->drain_work);

	if (ch->type->detach)
		ch->type->detach(ch, port);
	trace_uvbus_port_detach(ch, port);
	wake_up_interruptible_all(&port->wq);
	pr_debug("channel %s: port %u detached\n", ch->name, port->id);
}

/* Allocate a port and its rings; fills the layout part of @req. */
static struct uvbus_port *uvbus_port_alloc(struct uvbus_channel *ch,
					   struct uvbus_attach *req)
{
	size_t slots = (size_t)req->entries * sizeof(struct uvbus_msg);
	struct uvbus_port *port;

	BUILD_BUG_ON(sizeof(struct uvbus_msg) != UVBUS_MSG_SIZE);
	BUILD_BUG_ON(UVBUS_CTRL_WORDS * UVBUS_CTRL_STRIDE > PAGE_SIZE);

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return NULL;
	port->mem_size = PAGE_ALIGN(PAGE_SIZE + 2 * slots);
	port->mem = vmalloc_user(port->mem_size);
	if (!port->mem) {
		kfree(port);
		return NULL;
	}
	kref_init(&port->kref);
	port->ch = ch;
	INIT_LIST_HEAD(&port->node);
	port->flags = req->flags;
	spin_lock_init(&port->lock);
	spin_lock_init(&port->rx_lock);
	init_waitqueue_head(&port->wq);
	INIT_WORK(&port->drain_work, uvbus_port_drain_work);

	req->mmap_size = port->mem_size;
	memset(&req->k2u, 0, sizeof(req->k2u));
	memset(&req->u2k, 0, sizeof(req->u2k));
	req->k2u.head = UVBUS_CTRL_K2U_HEAD * UVBUS_CTRL_STRIDE;
	req->k2u.tail = UVBUS_CTRL_K2U_TAIL * UVBUS_CTRL_STRIDE;
	req->k2u.flags = UVBUS_CTRL_K2U_FLAGS * UVBUS_CTRL_STRIDE;
	req->k2u.entries = req->entries;
	req->k2u.slots = PAGE_SIZE;
	req->u2k.head = UVBUS_CTRL_U2K_HEAD * UVBUS_CTRL_STRIDE;
	req->u2k.tail = UVBUS_CTRL_U2K_TAIL * UVBUS_CTRL_STRIDE;
	req->u2k.flags = UVBUS_CTRL_U2K_FLAGS * UVBUS_CTRL_STRIDE;
	req->u2k.entries = req->entries;
	req->u2k.slots = PAGE_SIZE + slots;
	uvbus_ring_setup(&port->k2u, port->mem, &req->k2u);
	uvbus_ring_setup(&port->u2k, port->mem, &req->u2k);
	return port;
}

/* ------------------------------------------------------------------ */
/* ioctls                                                              */
/* ------------------------------------------------------------------ */

static long uvbus_ioc_version(void __user *arg)
{
	struct uvbus_version v = {
		.abi = UVBUS_ABI_VERSION,
		.msg_size = UVBUS_MSG_SIZE,
		.max_entries = UVBUS_RING_MAX_ENTRIES,
	};

	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long uvbus_ioc_create(struct uvbus_file *uf, void __user *arg)
{
	const struct uvbus_type *type;
	struct uvbus_create *req;
	struct uvbus_channel *ch;
	long err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	req = memdup_user(arg, sizeof(*req));
	if (IS_ERR(req))
		return PTR_ERR(req);

	err = -EINVAL;
	if (memchr_inv(req->reserved, 0, sizeof(req->reserved)) ||
	    req->flags & ~(UVBUS_CREATE_EPHEMERAL | UVBUS_CREATE_HELD))
		goto err_free_req;
	err = uvbus_check_name(req->name);
	if (err)
		goto err_free_req;
	err = -EINVAL;
	if (req->type != UVBUS_TYPE_LOOPBACK && req->type != UVBUS_TYPE_UVPCI)
		goto err_free_req;
	if (req->flags & UVBUS_CREATE_HELD && req->type != UVBUS_TYPE_UVPCI)
		goto err_free_req;

	err = -ENOMEM;
	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		goto err_free_req;
	kref_init(&ch->kref);
	INIT_LIST_HEAD(&ch->node);
	strscpy(ch->name, req->name, sizeof(ch->name));
	ch->type_id = req->type;
	ch->flags = req->flags;
	if (ch->flags & UVBUS_CREATE_EPHEMERAL)
		ch->creator = uf;
	if (req->type == UVBUS_TYPE_UVPCI)
		ch->pci = req->pci;
	atomic_set(&ch->state, UVBUS_STATE_OK);
	ratelimit_state_init(&ch->rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	mutex_init(&ch->mutex);
	spin_lock_init(&ch->lock);
	INIT_LIST_HEAD(&ch->ports);
	init_waitqueue_head(&ch->idle_wq);

	mutex_lock(&uvbus_lock);
	err = -EEXIST;
	if (uvbus_find_locked(ch->name, NULL))
		goto err_unlock;
	err = -ENOSPC;
	if (uvbus_nchannels >= max_channels)
		goto err_unlock;
	/* A type whose module is on its way out counts as not registered. */
	err = -EPROTONOSUPPORT;
	type = uvbus_types[req->type];
	if (!type || !try_module_get(type->owner))
		goto err_unlock;
	ch->type = type;
	err = type->create(ch, req);
	module_put(type->owner);
	if (err)
		goto err_unlock;

	list_add_tail(&ch->node, &uvbus_channels);
	uvbus_nchannels++;
	uvbus_debugfs_add_channel(ch);
	trace_uvbus_channel_create(ch);
	mutex_unlock(&uvbus_lock);
	pr_debug("channel %s created, type %s, flags %#x\n", ch->name,
		 type->name, ch->flags);
	kfree(req);
	return 0;

err_unlock:
	mutex_unlock(&uvbus_lock);
	kfree(ch);
err_free_req:
	kfree(req);
	return err;
}

static long uvbus_copy_name(struct uvbus_name *req, void __user *arg)
{
	if (copy_from_user(req, arg, sizeof(*req)))
		return -EFAULT;
	if (memchr_inv(req->reserved, 0, sizeof(req->reserved)))
		return -EINVAL;
	return uvbus_check_name(req->name);
}

static long uvbus_ioc_destroy(void __user *arg)
{
	struct uvbus_channel *ch;
	struct uvbus_name req;
	long err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = uvbus_copy_name(&req, arg);
	if (err)
		return err;

	mutex_lock(&uvbus_lock);
	ch = uvbus_find_locked(req.name, NULL);
	if (ch)
		uvbus_channel_unlink_destroy(ch);
	mutex_unlock(&uvbus_lock);
	return ch ? 0 : -ENOENT;
}

static long uvbus_ioc_reset(void __user *arg)
{
	struct uvbus_channel *ch;
	struct uvbus_name req;
	long err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = uvbus_copy_name(&req, arg);
	if (err)
		return err;

	ch = uvbus_channel_lookup(req.name);
	if (!ch)
		return -ENOENT;
	err = -ENOENT;
	if (uvbus_channel_enter(ch, UVBUS_CALL_IOCTL)) {
		err = ch->type->reset ? ch->type->reset(ch) : -EOPNOTSUPP;
		uvbus_channel_exit(ch, UVBUS_CALL_IOCTL);
	}
	uvbus_channel_put(ch);
	return err;
}

static void uvbus_fill_info(struct uvbus_channel *ch, u32 index,
			    struct uvbus_info *info)
{
	memset(info, 0, sizeof(*info));
	strscpy(info->name, ch->name, sizeof(info->name));
	info->index = index;
	info->type = ch->type_id;
	info->state = atomic_read(&ch->state);
	spin_lock_irq(&ch->lock);
	info->flags = ch->flags;
	info->ports = ch->nports;
	spin_unlock_irq(&ch->lock);
	info->k2u_msgs = atomic64_read(&ch->k2u_msgs);
	info->u2k_msgs = atomic64_read(&ch->u2k_msgs);
	info->k2u_full = atomic64_read(&ch->k2u_full);
	info->signals_in = atomic64_read(&ch->signals_in);
	info->signals_out = atomic64_read(&ch->signals_out);
	info->errors = atomic64_read(&ch->errors);
	if (ch->type_id == UVBUS_TYPE_UVPCI)
		info->pci = ch->pci;
}

/* UVBUS_IOC_INFO (by name) and UVBUS_IOC_LIST (by index). */
static long uvbus_ioc_info(void __user *arg, bool by_index)
{
	struct uvbus_channel *ch = NULL, *it;
	struct uvbus_info info;
	u32 index = 0;
	long err;

	if (copy_from_user(&info, arg, sizeof(info)))
		return -EFAULT;
	if (info.reserved0 || memchr_inv(info.reserved, 0, sizeof(info.reserved)))
		return -EINVAL;
	if (!by_index) {
		err = uvbus_check_name(info.name);
		if (err)
			return err;
	}

	mutex_lock(&uvbus_lock);
	if (by_index) {
		list_for_each_entry(it, &uvbus_channels, node) {
			if (index == info.index) {
				ch = it;
				break;
			}
			index++;
		}
	} else {
		ch = uvbus_find_locked(info.name, &index);
	}
	if (ch)
		uvbus_fill_info(ch, index, &info);
	mutex_unlock(&uvbus_lock);

	if (!ch)
		return -ENOENT;
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static struct uvbus_port *uvbus_file_port(struct file *file)
{
	struct uvbus_file *uf = file->private_data;

	/* Pairs with the release in ATTACH: the port is fully set up. */
	return smp_load_acquire(&uf->port);
}

static long uvbus_ioc_attach(struct uvbus_file *uf, void __user *arg)
{
	struct uvbus_channel *ch;
	struct uvbus_port *port;
	struct uvbus_attach req;
	long err;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (memchr_inv(req.reserved, 0, sizeof(req.reserved)) ||
	    req.flags & ~UVBUS_ATTACH_MODEL)
		return -EINVAL;
	err = uvbus_check_name(req.name);
	if (err)
		return err;
	if (!req.entries)
		req.entries = UVBUS_RING_DEF_ENTRIES;
	if (req.entries < UVBUS_RING_MIN_ENTRIES ||
	    req.entries > UVBUS_RING_MAX_ENTRIES || !is_power_of_2(req.entries))
		return -EINVAL;

	mutex_lock(&uf->lock);
	err = -EBUSY;
	if (uf->port)
		goto err_unlock_file;
	err = -ENOENT;
	ch = uvbus_channel_lookup(req.name);
	if (!ch)
		goto err_unlock_file;
	err = -ENOMEM;
	port = uvbus_port_alloc(ch, &req);	/* takes over our reference */
	if (!port) {
		uvbus_channel_put(ch);
		goto err_unlock_file;
	}

	mutex_lock(&ch->mutex);
	err = -ENOENT;
	if (READ_ONCE(ch->dead))
		goto err_unlock_channel;
	err = -EPIPE;
	if (uvbus_channel_broken(ch))
		goto err_unlock_channel;
	err = ch->type->attach ? ch->type->attach(ch, port) : 0;
	if (err)
		goto err_unlock_channel;
	spin_lock_irq(&ch->lock);
	port->id = ++ch->next_port;
	list_add_tail(&port->node, &ch->ports);
	ch->nports++;
	spin_unlock_irq(&ch->lock);
	trace_uvbus_port_attach(ch, port, req.entries);

	if (copy_to_user(arg, &req, sizeof(req))) {
		err = -EFAULT;
		goto err_detach;
	}
	mutex_unlock(&ch->mutex);

	/* Publish the fully set up port to mmap/read/write/poll. */
	smp_store_release(&uf->port, port);
	mutex_unlock(&uf->lock);
	pr_debug("channel %s: port %u attached, %u entries, flags %#x\n",
		 ch->name, port->id, req.entries, req.flags);
	return 0;

err_detach:
	uvbus_port_detach(ch, port);
err_unlock_channel:
	mutex_unlock(&ch->mutex);
	uvbus_port_put(port);
err_unlock_file:
	mutex_unlock(&uf->lock);
	return err;
}

/* An ioctl of a channel type: its struct starts with the channel name. */
static long uvbus_ioc_type(unsigned int cmd, void __user *arg)
{
	char name[UVBUS_NAME_MAX];
	struct uvbus_channel *ch;
	long err;

	if (_IOC_TYPE(cmd) != UVBUS_IOC_MAGIC || _IOC_NR(cmd) < UVBUS_IOC_TYPE_FIRST ||
	    !(_IOC_DIR(cmd) & _IOC_WRITE) || _IOC_SIZE(cmd) < UVBUS_NAME_MAX)
		return -ENOTTY;
	if (copy_from_user(name, arg, sizeof(name)))
		return -EFAULT;
	err = uvbus_check_name(name);
	if (err)
		return err;

	ch = uvbus_channel_lookup(name);
	if (!ch)
		return -ENOENT;
	err = -ENOENT;
	if (uvbus_channel_enter(ch, UVBUS_CALL_IOCTL)) {
		err = ch->type->ioctl ? ch->type->ioctl(ch, cmd, arg) : -ENOTTY;
		uvbus_channel_exit(ch, UVBUS_CALL_IOCTL);
	}
	uvbus_channel_put(ch);
	return err;
}

static long uvbus_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct uvbus_file *uf = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case UVBUS_IOC_VERSION:
		return uvbus_ioc_version(argp);
	case UVBUS_IOC_CREATE:
		return uvbus_ioc_create(uf, argp);
	case UVBUS_IOC_DESTROY:
		return uvbus_ioc_destroy(argp);
	case UVBUS_IOC_ATTACH:
		return uvbus_ioc_attach(uf, argp);
	case UVBUS_IOC_INFO:
		return uvbus_ioc_info(argp, false);
	case UVBUS_IOC_LIST:
		return uvbus_ioc_info(argp, true);
	case UVBUS_IOC_RESET:
		return uvbus_ioc_reset(argp);
	default:
		return uvbus_ioc_type(cmd, argp);
	}
}

/* ------------------------------------------------------------------ */
/* File operations                                                     */
/* ------------------------------------------------------------------ */

static int uvbus_open(struct inode *inode, struct file *file)
{
	struct uvbus_file *uf;

	uf = kzalloc(sizeof(*uf), GFP_KERNEL);
	if (!uf)
		return -ENOMEM;
	mutex_init(&uf->lock);
	file->private_data = uf;
	return stream_open(inode, file);
}

static int uvbus_release(struct inode *inode, struct file *file)
{
	struct uvbus_file *uf = file->private_data;
	struct uvbus_port *port = uf->port;
	struct uvbus_channel *ch, *tmp;

	if (port) {
		ch = port->ch;
		mutex_lock(&ch->mutex);
		/* Off the list already if the channel was destroyed. */
		if (!list_empty(&port->node))
			uvbus_port_detach(ch, port);
		mutex_unlock(&ch->mutex);
		uvbus_port_put(port);
	}

	mutex_lock(&uvbus_lock);
	list_for_each_entry_safe(ch, tmp, &uvbus_channels, node)
		if (ch->creator == uf)
			uvbus_channel_unlink_destroy(ch);
	mutex_unlock(&uvbus_lock);

	mutex_destroy(&uf->lock);
	kfree(uf);
	return 0;
}

static int uvbus_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct uvbus_port *port = uvbus_file_port(file);

	if (!port)
		return -ENOTCONN;
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != port->mem_size)
		return -EINVAL;
	/* MAP_SHARED (VM_MAYSHARE: also on a read-only descriptor), never MAP_PRIVATE. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	vma->vm_flags &= ~VM_MAYEXEC;
	return remap_vmalloc_range(vma, port->mem, 0);
}

/* write(): one __u64 doorbell. */
static ssize_t uvbus_write(struct file *file, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	struct uvbus_port *port = uvbus_file_port(file);
	struct uvbus_channel *ch;
	u64 bits, user;
	int err;

	if (!port)
		return -ENOTCONN;
	if (count != sizeof(bits))
		return -EINVAL;
	if (copy_from_user(&bits, buf, sizeof(bits)))
		return -EFAULT;
	if (bits & UVBUS_SIG_RESERVED)
		return -EINVAL;
	ch = port->ch;
	if (READ_ONCE(port->detached))
		return -ENODEV;
	if (uvbus_channel_broken(ch))
		return -EPIPE;
	atomic64_inc(&ch->signals_in);

	if (bits & UVBUS_SIG_RING) {
		err = uvbus_port_drain(port);
		if (err)
			return READ_ONCE(port->detached) ? -ENODEV : err;
	}

	user = bits & ~UVBUS_SIG_RING;
	if (user) {
		if (!uvbus_channel_enter(ch, UVBUS_CALL_SIGNAL))
			return -ENODEV;
		if (ch->type->signal)
			ch->type->signal(ch, port, user);
		uvbus_channel_exit(ch, UVBUS_CALL_SIGNAL);
	}
	return sizeof(bits);
}

static bool uvbus_port_readable(struct uvbus_port *port)
{
	return READ_ONCE(port->pending) || READ_ONCE(port->detached) ||
	       uvbus_channel_broken(port->ch);
}

/* A message held back for want of k2u space is retried on read and poll. */
static void uvbus_port_retry(struct uvbus_port *port)
{
	if (READ_ONCE(port->stalled) && !READ_ONCE(port->detached))
		uvbus_port_drain(port);
}

/* read(): the pending kernel->user signal bits, then cleared. */
static ssize_t uvbus_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos)
{
	struct uvbus_port *port = uvbus_file_port(file);
	u64 bits;
	int err;

	if (!port)
		return -ENOTCONN;
	if (count < sizeof(bits))
		return -EINVAL;

	uvbus_port_retry(port);
	for (;;) {
		if (uvbus_channel_broken(port->ch))
			return -EPIPE;
		spin_lock_irq(&port->lock);
		bits = port->pending;
		port->pending = 0;
		spin_unlock_irq(&port->lock);
		if (bits)
			break;
		if (READ_ONCE(port->detached))
			return 0;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(port->wq, uvbus_port_readable(port));
		if (err)
			return err;
	}

	if (copy_to_user(buf, &bits, sizeof(bits))) {
		spin_lock_irq(&port->lock);
		port->pending |= bits;
		spin_unlock_irq(&port->lock);
		return -EFAULT;
	}
	return sizeof(bits);
}

static __poll_t uvbus_poll(struct file *file, poll_table *wait)
{
	struct uvbus_port *port = uvbus_file_port(file);
	__poll_t mask = 0;

	if (!port)
		return EPOLLERR;
	uvbus_port_retry(port);
	poll_wait(file, &port->wq, wait);

	if (uvbus_channel_broken(port->ch))
		mask |= EPOLLERR;
	else if (READ_ONCE(port->pending))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(port->detached))
		mask |= EPOLLHUP;
	else if (!(mask & EPOLLERR))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static const struct file_operations uvbus_fops = {
	.owner		= THIS_MODULE,
	.open		= uvbus_open,
	.release	= uvbus_release,
	.read		= uvbus_read,
	.write		= uvbus_write,
	.poll		= uvbus_poll,
	.mmap		= uvbus_mmap,
	.unlocked_ioctl	= uvbus_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

static struct miscdevice uvbus_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "uvbus",
	.fops	= &uvbus_fops,
	.mode	= 0600,
};

/* ------------------------------------------------------------------ */
/* Module                                                              */
/* ------------------------------------------------------------------ */

static void uvbus_destroy_all(void)
{
	struct uvbus_channel *ch, *tmp;

	mutex_lock(&uvbus_lock);
	list_for_each_entry_safe(ch, tmp, &uvbus_channels, node)
		uvbus_channel_unlink_destroy(ch);
	mutex_unlock(&uvbus_lock);
}

static int __init uvbus_init(void)
{
	int err;

	uvbus_debugfs_init();
	err = uvbus_loopback_init();
	if (err)
		goto err_debugfs_exit;
	err = misc_register(&uvbus_misc);
	if (err)
		goto err_loopback_exit;
	return 0;

err_loopback_exit:
	uvbus_loopback_exit();
err_debugfs_exit:
	uvbus_debugfs_exit();
	return err;
}

static void __exit uvbus_exit(void)
{
	misc_deregister(&uvbus_misc);
	/* No file is open (each pins the module): no port is attached. */
	uvbus_loopback_exit();
	uvbus_destroy_all();
	uvbus_debugfs_exit();
}

module_init(uvbus_init);
module_exit(uvbus_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("uvNIC developers");
MODULE_DESCRIPTION("uvBus: named channels of shared-memory rings between the kernel and userspace");
