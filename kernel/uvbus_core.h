/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uvbus_core.h - the in-kernel interface of uvbus.ko, for the modules that
 * give a channel type its meaning (the built-in loopback, uvpci.ko).
 *
 * uvbus.ko owns /dev/uvbus, channel names and lifetimes, ports (one per
 * attached file descriptor) and their rings. A channel type owns what the
 * messages mean.
 */
#ifndef _UVBUS_CORE_H
#define _UVBUS_CORE_H

#include <linux/types.h>
#include <linux/module.h>
#include "uapi/uvbus.h"

struct uvbus_channel;
struct uvbus_port;
struct seq_file;

/**
 * struct uvbus_type - what serves the kernel side of a channel type.
 * @type:    enum uvbus_channel_type
 * @name:    short name for logs and debugfs ("loopback", "uvpci")
 * @owner:   THIS_MODULE; held while @create runs. Channels do not pin it:
 *           unregistering (the module's exit) destroys them instead.
 * @create:  set up a new channel from @req (reserved fields already checked
 *           zero by the core; the params union is the type's to validate).
 *           Process context, may sleep. Return 0 or -errno.
 * @destroy: tear down (process context). No port is attached any more and
 *           no @rx/@signal/@ioctl call is running or will start.
 * @attach:  a port attached (process context: the attaching task, so
 *           capable() asks about it); may refuse with -errno (e.g. -EBUSY
 *           for a second UVBUS_ATTACH_MODEL port, -EPERM without a
 *           capability the type requires).
 * @detach:  a port is going away (process context): after this returns the
 *           type must not use @port again. Optional.
 * @rx:      one message from @port's u2k ring, already copied out of shared
 *           memory (validate every field). May run in atomic context and
 *           concurrently for different ports. Return 0, -EAGAIN for "not
 *           taken now" (the core keeps the message and offers it first on the
 *           next drain, so the type must not have acted on it), or another
 *           -errno to count an error (the core logs nothing; the type logs
 *           what it refuses).
 * @signal:  user bits other than UVBUS_SIG_RING written to @port. Optional.
 * @ioctl:   channel-specific ioctls (UVPCI_IOC_MMIO, ...), called with a
 *           reference on the channel. Optional: -ENOTTY without it.
 * @reset:   UVBUS_IOC_RESET. Optional: -EOPNOTSUPP without it.
 * @show:    extra lines for the channel's debugfs file. Optional.
 */
struct uvbus_type {
	u32 type;
	const char *name;
	struct module *owner;
	int (*create)(struct uvbus_channel *ch, const struct uvbus_create *req);
	void (*destroy)(struct uvbus_channel *ch);
	int (*attach)(struct uvbus_channel *ch, struct uvbus_port *port);
	void (*detach)(struct uvbus_channel *ch, struct uvbus_port *port);
	int (*rx)(struct uvbus_channel *ch, struct uvbus_port *port,
		  const struct uvbus_msg *msg);
	void (*signal)(struct uvbus_channel *ch, struct uvbus_port *port, u64 bits);
	long (*ioctl)(struct uvbus_channel *ch, unsigned int cmd, void __user *arg);
	int (*reset)(struct uvbus_channel *ch);
	void (*show)(struct uvbus_channel *ch, struct seq_file *m);
};

/*
 * Register a channel type. Unregistering destroys every channel of that
 * type first (so rmmod of uvpci.ko removes its devices).
 */
int uvbus_register_type(const struct uvbus_type *type);
void uvbus_unregister_type(const struct uvbus_type *type);

const char *uvbus_channel_name(const struct uvbus_channel *ch);
void *uvbus_channel_priv(const struct uvbus_channel *ch);
void uvbus_channel_set_priv(struct uvbus_channel *ch, void *priv);
/* Clear UVBUS_CREATE_* bits that no longer apply (HELD once released). */
void uvbus_channel_clear_flags(struct uvbus_channel *ch, u32 flags);

/*
 * Mark a channel broken after a peer corrupted shared memory: logs one
 * line naming the channel (under the channel's own rate limit), its rings
 * stop moving, pollers see EPOLLERR. Any context.
 */
__printf(2, 3)
void uvbus_channel_break(struct uvbus_channel *ch, const char *fmt, ...);
bool uvbus_channel_broken(const struct uvbus_channel *ch);

u32 uvbus_port_flags(const struct uvbus_port *port);	/* UVBUS_ATTACH_* */

/*
 * Port references: a type that keeps a port pointer beyond a callback
 * (uvPCI's model port) takes one in @attach and drops it in @detach.
 * The last put frees the rings: call uvbus_port_put() in process context.
 */
void uvbus_port_get(struct uvbus_port *port);
void uvbus_port_put(struct uvbus_port *port);

/*
 * Queue one message on @port's k2u ring and raise UVBUS_SIG_RING. Any
 * context. Returns 0, -ENOBUFS if the ring is full, -EPIPE if the port is
 * detached or the channel broken.
 */
int uvbus_port_send(struct uvbus_port *port, const struct uvbus_msg *msg);

/* Raise signal bits to @port's reader (poll/read). Any context. */
void uvbus_port_signal(struct uvbus_port *port, u64 bits);

/*
 * Drain up to @budget messages from @port's u2k ring, calling the type's
 * @rx for each. Any context (a spinning non-posted read calls this). At most
 * one drainer runs per port; a concurrent caller returns 0 at once.
 * Returns the number consumed, or -EPIPE once the channel is broken.
 */
int uvbus_port_poll(struct uvbus_port *port, unsigned int budget);
void uvbus_port_poll_begin(struct uvbus_port *port);
void uvbus_port_poll_end(struct uvbus_port *port);

#endif /* _UVBUS_CORE_H */
