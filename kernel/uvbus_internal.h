/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uvbus_internal.h - uvbus.ko's own structures, shared by its source files
 * and by nothing else: channel types see only uvbus_core.h.
 */
#ifndef _UVBUS_INTERNAL_H
#define _UVBUS_INTERNAL_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include "uvbus_core.h"

struct dentry;

/* Channel type numbers are indices into a small table. */
#define UVBUS_MAX_TYPES		16

/* Calls into a channel type that destroy waits for (uvbus_channel.active). */
enum {
	UVBUS_CALL_SIGNAL,	/* @signal from a write() */
	UVBUS_CALL_IOCTL,	/* @ioctl, @reset */
	UVBUS_CALL_KINDS
};

/**
 * struct uvbus_channel - one named channel.
 * @kref:      held by the channel list, by each port for its whole life and
 *             by each ioctl that looked the channel up
 * @node:      in uvbus_channels, under uvbus_lock
 * @name:      NUL-terminated, validated
 * @type:      what serves it; never called once @dead is set
 * @type_id:   enum uvbus_channel_type
 * @flags:     UVBUS_CREATE_*; uvbus_channel_clear_flags() changes it under @lock
 * @creator:   EPHEMERAL: the creating file's cookie (compared, never used)
 * @priv:      the type's private data
 * @pci:       UVBUS_TYPE_UVPCI: the parameters it was created with
 * @state:     enum uvbus_channel_state
 * @mutex:     serialises attach, detach and destroy (may sleep)
 * @lock:      protects @ports, @nports, @dead and @active (any context)
 * @ports:     attached ports
 * @nports:    how many are on @ports
 * @next_port: id for the next port (logs and debugfs only)
 * @dead:      destroyed: no new port, ioctl or signal reaches the type
 * @active:    type calls in flight, by UVBUS_CALL_*
 * @idle_wq:   destroy waits here for @active to drop to zero
 * @debugfs:   this channel's debugfs file
 * @rs:        this channel's own log rate limit, so that a flood of log
 *             lines about other channels never hides this one's
 * @k2u_msgs:  messages the kernel queued on k2u rings
 * @u2k_msgs:  messages the kernel took out of u2k rings
 * @k2u_full:  sends refused because a k2u ring was full
 * @signals_in:  doorbell write()s
 * @signals_out: times a port's pending signal set gained bits
 * @errors:    messages a type refused, and ring corruptions
 */
struct uvbus_channel {
	struct kref kref;
	struct list_head node;
	char name[UVBUS_NAME_MAX];
	const struct uvbus_type *type;
	u32 type_id;
	u32 flags;
	const void *creator;
	void *priv;
	struct uvpci_params pci;
	atomic_t state;

	struct mutex mutex;		/* attach, detach, destroy */
	spinlock_t lock;		/* @ports, @nports, @dead, @active */
	struct list_head ports;
	u32 nports;
	u32 next_port;
	bool dead;
	unsigned int active[UVBUS_CALL_KINDS];
	wait_queue_head_t idle_wq;

	struct dentry *debugfs;
	struct ratelimit_state rs;

	atomic64_t k2u_msgs;
	atomic64_t u2k_msgs;
	atomic64_t k2u_full;
	atomic64_t signals_in;
	atomic64_t signals_out;
	atomic64_t errors;
};

/* uvbus_port.state bits */
#define UVBUS_PORT_KICK		0	/* a drain pass is wanted */

/**
 * struct uvbus_port - one attachment: a file descriptor's two rings.
 * @kref:      held by the file and by channel types (uvbus_port_get())
 * @ch:        the channel; a reference is held until the port is freed
 * @node:      in @ch->ports while attached
 * @id:        1, 2, ... within the channel (logs and debugfs)
 * @flags:     UVBUS_ATTACH_*
 * @mem:       the vmalloc_user() area userspace maps
 * @mem_size:  its size, the only length mmap() accepts
 * @k2u:       kernel->user ring; the kernel produces, under @lock
 * @u2k:       user->kernel ring; the kernel consumes, under @rx_lock
 * @lock:      the k2u producer, @pending and @detached (any context)
 * @rx_lock:   held by the one drainer of @u2k; only ever trylocked by
 *             drainers, so a drainer never waits for another
 * @state:     UVBUS_PORT_* bits
 * @detached:  set (under both locks) when the port leaves its channel
 * @stalled:   @held came out of @u2k but the type could not take it yet
 * @pending:   signal bits for read(), under @lock
 * @wq:        readers and pollers
 * @drain_work: finishes a drain that ran out of budget, in process context
 * @held:      the message being delivered, under @rx_lock
 */
struct uvbus_port {
	struct kref kref;
	struct uvbus_channel *ch;
	struct list_head node;
	u32 id;
	u32 flags;
	void *mem;
	size_t mem_size;
	struct uvbus_ring k2u;
	struct uvbus_ring u2k;
	spinlock_t lock;		/* k2u producer, @pending, @detached */
	spinlock_t rx_lock;		/* the u2k drainer, trylocked */
	unsigned long state;
	bool detached;
	bool stalled;
	unsigned int pollers;		/* uvbus_port_poll_begin(), under @lock */
	u64 pending;
	wait_queue_head_t wq;
	struct work_struct drain_work;
	struct uvbus_msg held;
};

extern struct mutex uvbus_lock;
extern struct list_head uvbus_channels;

int uvbus_loopback_init(void);
void uvbus_loopback_exit(void);

void uvbus_debugfs_init(void);
void uvbus_debugfs_exit(void);
void uvbus_debugfs_add_channel(struct uvbus_channel *ch);
void uvbus_debugfs_del_channel(struct uvbus_channel *ch);

#endif /* _UVBUS_INTERNAL_H */
