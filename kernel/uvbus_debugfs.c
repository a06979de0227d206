// SPDX-License-Identifier: GPL-2.0
/*
 * uvbus_debugfs.c - /sys/kernel/debug/uvbus/: a "channels" summary and one
 * file per channel with its state, counters and, for each port, the
 * kernel's private ring indices beside what the shared memory says.
 *
 * Values read from shared memory are shown as they are: they are what
 * userspace wrote, and are never used for anything else here.
 */
#define pr_fmt(fmt) "uvbus: " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "uvbus_internal.h"

static struct dentry *uvbus_debugfs_dir;

static const char *uvbus_state_name(const struct uvbus_channel *ch)
{
	return uvbus_channel_broken(ch) ? "broken" : "ok";
}

static void uvbus_debugfs_ring(struct seq_file *m, const char *name,
			       const struct uvbus_ring *r, bool producer)
{
	seq_printf(m, "  %s: kernel %s %u, shared head %u tail %u flags %#x, %u entries\n",
		   name, producer ? "tail" : "head", r->local,
		   READ_ONCE(*r->head), READ_ONCE(*r->tail),
		   READ_ONCE(*r->flags), r->entries);
}

static int uvbus_channel_show(struct seq_file *m, void *unused)
{
	struct uvbus_channel *ch = m->private;
	struct uvbus_port *port;
	u32 flags;

	seq_printf(m, "name:        %s\n", ch->name);
	seq_printf(m, "type:        %s (%u)\n", ch->type->name, ch->type_id);
	seq_printf(m, "state:       %s\n", uvbus_state_name(ch));
	flags = READ_ONCE(ch->flags);
	seq_printf(m, "flags:       %#x%s%s\n", flags,
		   flags & UVBUS_CREATE_EPHEMERAL ? " ephemeral" : "",
		   flags & UVBUS_CREATE_HELD ? " held" : "");
	seq_printf(m, "k2u_msgs:    %lld\n", (long long)atomic64_read(&ch->k2u_msgs));
	seq_printf(m, "u2k_msgs:    %lld\n", (long long)atomic64_read(&ch->u2k_msgs));
	seq_printf(m, "k2u_full:    %lld\n", (long long)atomic64_read(&ch->k2u_full));
	seq_printf(m, "signals_in:  %lld\n", (long long)atomic64_read(&ch->signals_in));
	seq_printf(m, "signals_out: %lld\n", (long long)atomic64_read(&ch->signals_out));
	seq_printf(m, "errors:      %lld\n", (long long)atomic64_read(&ch->errors));

	spin_lock_irq(&ch->lock);
	seq_printf(m, "ports:       %u\n", ch->nports);
	list_for_each_entry(port, &ch->ports, node) {
		seq_printf(m, "port %u: flags %#x, mmap_size %zu, pending %#llx%s\n",
			   port->id, port->flags, port->mem_size,
			   (unsigned long long)READ_ONCE(port->pending),
			   READ_ONCE(port->stalled) ? ", stalled (k2u full)" : "");
		uvbus_debugfs_ring(m, "k2u", &port->k2u, true);
		uvbus_debugfs_ring(m, "u2k", &port->u2k, false);
	}
	spin_unlock_irq(&ch->lock);

	/* The file is removed before the type's destroy: the type is alive. */
	if (ch->type->show)
		ch->type->show(ch, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(uvbus_channel);

static int uvbus_channels_show(struct seq_file *m, void *unused)
{
	struct uvbus_channel *ch;

	seq_puts(m, "name type state ports k2u_msgs u2k_msgs k2u_full errors\n");
	mutex_lock(&uvbus_lock);
	list_for_each_entry(ch, &uvbus_channels, node) {
		spin_lock_irq(&ch->lock);
		seq_printf(m, "%s %s %s %u %lld %lld %lld %lld\n", ch->name,
			   ch->type->name, uvbus_state_name(ch), ch->nports,
			   (long long)atomic64_read(&ch->k2u_msgs),
			   (long long)atomic64_read(&ch->u2k_msgs),
			   (long long)atomic64_read(&ch->k2u_full),
			   (long long)atomic64_read(&ch->errors));
		spin_unlock_irq(&ch->lock);
	}
	mutex_unlock(&uvbus_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(uvbus_channels);

/*
 * debugfs is best effort: without it (or for a channel whose name the
 * summary file takes, "channels") uvBus works the same.
 */
void uvbus_debugfs_add_channel(struct uvbus_channel *ch)
{
	if (IS_ERR_OR_NULL(uvbus_debugfs_dir) || !strcmp(ch->name, "channels"))
		return;
	ch->debugfs = debugfs_create_file(ch->name, 0400, uvbus_debugfs_dir, ch,
					  &uvbus_channel_fops);
}

/* Waits for readers of the file to finish. */
void uvbus_debugfs_del_channel(struct uvbus_channel *ch)
{
	debugfs_remove(ch->debugfs);
	ch->debugfs = NULL;
}

void uvbus_debugfs_init(void)
{
	uvbus_debugfs_dir = debugfs_create_dir("uvbus", NULL);
	debugfs_create_file("channels", 0400, uvbus_debugfs_dir, NULL,
			    &uvbus_channels_fops);
}

void uvbus_debugfs_exit(void)
{
	debugfs_remove_recursive(uvbus_debugfs_dir);
	uvbus_debugfs_dir = NULL;
}
