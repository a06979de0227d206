// SPDX-License-Identifier: GPL-2.0
/*
 * uvbus_loopback.c - the built-in loopback channel type (UVBUS_TYPE_LOOPBACK).
 *
 * The kernel side echoes every UVBUS_MSG_DATA message back, unchanged, to
 * the port it came from, and every user signal bit back to the same port.
 * It uses only the uvbus_core.h interface, as any other channel type does.
 *
 * Backpressure: when the port's k2u ring is full the echo cannot be sent.
 * rx then returns -EAGAIN, which tells the core to keep the message it
 * already took out of the u2k ring and offer it again, first, on the next
 * drain (the next doorbell, read() or poll()); the messages behind it stay
 * in the u2k ring. Nothing is dropped, and the failed attempt is counted in
 * k2u_full.
 */
#define pr_fmt(fmt) "uvbus: " fmt

#include <linux/atomic.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "uvbus_internal.h"

struct uvbus_loopback {
	atomic64_t echoed;
	atomic64_t nops;
	atomic64_t signals;
};

static int uvbus_loopback_create(struct uvbus_channel *ch,
				 const struct uvbus_create *req)
{
	struct uvbus_loopback *lb;

	if (memchr_inv(req->raw, 0, sizeof(req->raw)))
		return -EINVAL;
	lb = kzalloc(sizeof(*lb), GFP_KERNEL);
	if (!lb)
		return -ENOMEM;
	uvbus_channel_set_priv(ch, lb);
	return 0;
}

static void uvbus_loopback_destroy(struct uvbus_channel *ch)
{
	kfree(uvbus_channel_priv(ch));
}

static int uvbus_loopback_rx(struct uvbus_channel *ch, struct uvbus_port *port,
			     const struct uvbus_msg *msg)
{
	struct uvbus_loopback *lb = uvbus_channel_priv(ch);
	int err;

	switch (msg->type) {
	case UVBUS_MSG_NOP:
		atomic64_inc(&lb->nops);
		return 0;
	case UVBUS_MSG_DATA:
		if (!msg->flags && msg->len <= UVBUS_MSG_DATA_SIZE)
			break;
		fallthrough;
	default:
		/* Only a corrupted ring produces this: a user of the ABI cannot. */
		uvbus_channel_break(ch, "malformed u2k message: type %#x, flags %#x, len %u",
				    msg->type, msg->flags, msg->len);
		return -EPROTO;
	}

	err = uvbus_port_send(port, msg);
	if (err == -ENOBUFS)
		return -EAGAIN;
	if (!err)
		atomic64_inc(&lb->echoed);
	return err;
}

static void uvbus_loopback_signal(struct uvbus_channel *ch,
				  struct uvbus_port *port, u64 bits)
{
	struct uvbus_loopback *lb = uvbus_channel_priv(ch);

	atomic64_inc(&lb->signals);
	uvbus_port_signal(port, bits);
}

static void uvbus_loopback_show(struct uvbus_channel *ch, struct seq_file *m)
{
	struct uvbus_loopback *lb = uvbus_channel_priv(ch);

	seq_printf(m, "loopback:    echoed %lld, nops %lld, signals echoed %lld\n",
		   (long long)atomic64_read(&lb->echoed),
		   (long long)atomic64_read(&lb->nops),
		   (long long)atomic64_read(&lb->signals));
}

static const struct uvbus_type uvbus_loopback_type = {
	.type		= UVBUS_TYPE_LOOPBACK,
	.name		= "loopback",
	.owner		= THIS_MODULE,
	.create		= uvbus_loopback_create,
	.destroy	= uvbus_loopback_destroy,
	.rx		= uvbus_loopback_rx,
	.signal		= uvbus_loopback_signal,
	.show		= uvbus_loopback_show,
};

int uvbus_loopback_init(void)
{
	return uvbus_register_type(&uvbus_loopback_type);
}

void uvbus_loopback_exit(void)
{
	uvbus_unregister_type(&uvbus_loopback_type);
}
