/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uvBus tracepoints, system "uvbus": the life of channels and their ports,
 * and a channel breaking. Each starts with the channel name in "dev", as
 * uvPCI's events do (uvpci_trace.h), so one filter serves both systems.
 *
 *   uvbus_channel_create   a channel created: type, UVBUS_CREATE_* flags
 *   uvbus_channel_destroy  a channel destroyed
 *   uvbus_port_attach      a port (a process) attached: id, ring entries,
 *                          UVBUS_ATTACH_* flags
 *   uvbus_port_detach      a port detached
 *   uvbus_channel_broken   a peer corrupted a ring: the reason, as logged
 *
 * Defined in uvbus_main.c (CREATE_TRACE_POINTS).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM uvbus

#if !defined(_UVBUS_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _UVBUS_TRACE_H

#include <linux/tracepoint.h>

#include "uvbus_internal.h"

TRACE_EVENT(uvbus_channel_create,
	TP_PROTO(const struct uvbus_channel *ch),
	TP_ARGS(ch),
	TP_STRUCT__entry(
		__string(dev, ch->name)
		__string(type, ch->type->name)
		__field(u32, flags)
	),
	TP_fast_assign(
		__assign_str(dev, ch->name);
		__assign_str(type, ch->type->name);
		__entry->flags = ch->flags;
	),
	TP_printk("dev=%s type=%s flags=%#x", __get_str(dev), __get_str(type),
		  __entry->flags)
);

TRACE_EVENT(uvbus_channel_destroy,
	TP_PROTO(const struct uvbus_channel *ch),
	TP_ARGS(ch),
	TP_STRUCT__entry(
		__string(dev, ch->name)
	),
	TP_fast_assign(
		__assign_str(dev, ch->name);
	),
	TP_printk("dev=%s", __get_str(dev))
);

TRACE_EVENT(uvbus_port_attach,
	TP_PROTO(const struct uvbus_channel *ch, const struct uvbus_port *port,
		 u32 entries),
	TP_ARGS(ch, port, entries),
	TP_STRUCT__entry(
		__string(dev, ch->name)
		__field(u32, port)
		__field(u32, entries)
		__field(u32, flags)
	),
	TP_fast_assign(
		__assign_str(dev, ch->name);
		__entry->port = port->id;
		__entry->entries = entries;
		__entry->flags = port->flags;
	),
	TP_printk("dev=%s port=%u entries=%u flags=%#x", __get_str(dev),
		  __entry->port, __entry->entries, __entry->flags)
);

TRACE_EVENT(uvbus_port_detach,
	TP_PROTO(const struct uvbus_channel *ch, const struct uvbus_port *port),
	TP_ARGS(ch, port),
	TP_STRUCT__entry(
		__string(dev, ch->name)
		__field(u32, port)
	),
	TP_fast_assign(
		__assign_str(dev, ch->name);
		__entry->port = port->id;
	),
	TP_printk("dev=%s port=%u", __get_str(dev), __entry->port)
);

TRACE_EVENT(uvbus_channel_broken,
	TP_PROTO(const struct uvbus_channel *ch, struct va_format *vaf),
	TP_ARGS(ch, vaf),
	TP_STRUCT__entry(
		__string(dev, ch->name)
		__vstring(why, vaf->fmt, vaf->va)
	),
	TP_fast_assign(
		__assign_str(dev, ch->name);
		__assign_vstr(why, vaf->fmt, vaf->va);
	),
	TP_printk("dev=%s why=%s", __get_str(dev), __get_str(why))
);

#endif /* _UVBUS_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE uvbus_trace
#include <trace/define_trace.h>
