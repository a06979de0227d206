/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uvPCI tracepoints: one event per transaction, in the "uvpci" system
 * (trace-cmd record -e uvpci; perf trace -e 'uvpci:*';
 * /sys/kernel/tracing/events/uvpci/). Every event starts with the device
 * name in the field "dev", so one filter (dev == "NAME") selects a device.
 * Off, each costs a static branch; latencies and IRQ numbers are taken
 * only while the event is on. uvpci-trace(1) reads them.
 *
 *   uvpci_mmio_read    a non-posted BAR read: value, latency, status
 *   uvpci_mmio_write   a posted BAR write: status (ok: on the model's ring)
 *   uvpci_cfg_read     config space read
 *   uvpci_cfg_write    config space write (the model is told)
 *   uvpci_dma_request  one DMA request (a chunk of at most 128 bytes) from
 *                      the device: accepted, or refused and why
 *   uvpci_msi_fire     an MSI from the device: accepted or refused
 *   uvpci_intx_set     an INTx level from the device
 *   uvpci_irq_deliver  a handler run: MSI vector, MSI-X entry or INTx, and
 *                      its Linux IRQ
 *   uvpci_dma_map      a DMA mapping created
 *   uvpci_dma_unmap    a DMA mapping destroyed
 *
 * Status words (the "status" field, printed by name): ok, regfile (no
 * model: the BAR's register file served it), timed-out, removed (the
 * model is gone: surprise removal), stuck (the model's ring stayed full),
 * error (the model answered with an error, or a malformed completion),
 * dropped (a posted write discarded: the writer was killed or the model
 * died), bad-register (config offset out of range or misaligned),
 * refused (a request of the device refused: see "why").
 *
 * Included by uvpci_trace.c with CREATE_TRACE_POINTS, which defines the
 * events; TRACE_INCLUDE_PATH is "." so an out-of-tree build finds this
 * file through Kbuild's -I$(src).
 */
#ifndef _UVPCI_TRACE_DEFS_H
#define _UVPCI_TRACE_DEFS_H

#include <linux/errno.h>
#include <linux/ktime.h>

enum uvpci_trace_status {
	UVPCI_TR_OK,
	UVPCI_TR_REGFILE,
	UVPCI_TR_TIMEDOUT,
	UVPCI_TR_REMOVED,
	UVPCI_TR_STUCK,
	UVPCI_TR_ERROR,
	UVPCI_TR_DROPPED,
	UVPCI_TR_BADREG,
	UVPCI_TR_REFUSED,
};

/* What uvpci_irq_deliver delivers. */
enum uvpci_trace_irq {
	UVPCI_TR_IRQ_MSI,
	UVPCI_TR_IRQ_MSIX,
	UVPCI_TR_IRQ_INTX,
};

/* What a non-posted read's status says, in the words of the trace. */
static inline enum uvpci_trace_status uvpci_trace_read_status(int err)
{
	switch (err) {
	case 0:
		return UVPCI_TR_OK;
	case -ETIMEDOUT:
		return UVPCI_TR_TIMEDOUT;
	case -ENOSPC:
		return UVPCI_TR_STUCK;
	case -EPIPE:
	case -ENODEV:
		return UVPCI_TR_REMOVED;
	default:
		return UVPCI_TR_ERROR;
	}
}

/* The start of a timed transaction: 0 unless @on (the event is enabled). */
static inline u64 uvpci_trace_start(bool on)
{
	return on ? ktime_get_ns() : 0;
}

#endif /* _UVPCI_TRACE_DEFS_H */

#undef TRACE_SYSTEM
#define TRACE_SYSTEM uvpci

#if !defined(_UVPCI_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _UVPCI_TRACE_H

#include <linux/dma-direction.h>
#include <linux/irqdomain.h>
#include <linux/tracepoint.h>

#include "uvpci_priv.h"

TRACE_DEFINE_ENUM(UVPCI_TR_OK);
TRACE_DEFINE_ENUM(UVPCI_TR_REGFILE);
TRACE_DEFINE_ENUM(UVPCI_TR_TIMEDOUT);
TRACE_DEFINE_ENUM(UVPCI_TR_REMOVED);
TRACE_DEFINE_ENUM(UVPCI_TR_STUCK);
TRACE_DEFINE_ENUM(UVPCI_TR_ERROR);
TRACE_DEFINE_ENUM(UVPCI_TR_DROPPED);
TRACE_DEFINE_ENUM(UVPCI_TR_BADREG);
TRACE_DEFINE_ENUM(UVPCI_TR_REFUSED);
TRACE_DEFINE_ENUM(UVPCI_TR_IRQ_MSI);
TRACE_DEFINE_ENUM(UVPCI_TR_IRQ_MSIX);
TRACE_DEFINE_ENUM(UVPCI_TR_IRQ_INTX);

#define uvpci_show_status(s)					\
	__print_symbolic(s,					\
			 { UVPCI_TR_OK,		"ok" },		\
			 { UVPCI_TR_REGFILE,	"regfile" },	\
			 { UVPCI_TR_TIMEDOUT,	"timed-out" },	\
			 { UVPCI_TR_REMOVED,	"removed" },	\
			 { UVPCI_TR_STUCK,	"stuck" },	\
			 { UVPCI_TR_ERROR,	"error" },	\
			 { UVPCI_TR_DROPPED,	"dropped" },	\
			 { UVPCI_TR_BADREG,	"bad-register" }, \
			 { UVPCI_TR_REFUSED,	"refused" })

#define uvpci_show_dir(dir)					\
	__print_symbolic(dir,					\
			 { DMA_BIDIRECTIONAL,	"bidirectional" }, \
			 { DMA_TO_DEVICE,	"to-device" },	\
			 { DMA_FROM_DEVICE,	"from-device" },	\
			 { DMA_NONE,		"none" })

DECLARE_EVENT_CLASS(uvpci_mmio_access,
	TP_PROTO(struct uvpci_device *d, unsigned int bar, u64 off,
		 unsigned int size, u64 value, u64 start,
		 enum uvpci_trace_status status),
	TP_ARGS(d, bar, off, size, value, start, status),
	TP_STRUCT__entry(
		__string(dev, uvpci_dname(d))
		__field(u8, bar)
		__field(u8, size)
		__field(u8, status)
		__field(u64, off)
		__field(u64, value)
		__field(u64, lat_ns)
	),
	TP_fast_assign(
		__assign_str(dev, uvpci_dname(d));
		__entry->bar = bar;
		__entry->size = size;
		__entry->status = status;
		__entry->off = off;
		__entry->value = value;
		__entry->lat_ns = start ? ktime_get_ns() - start : 0;
	),
	TP_printk("dev=%s bar=%u off=%#llx size=%u value=%#llx lat_ns=%llu status=%s",
		  __get_str(dev), __entry->bar, __entry->off, __entry->size,
		  __entry->value, __entry->lat_ns,
		  uvpci_show_status(__entry->status))
);

DEFINE_EVENT(uvpci_mmio_access, uvpci_mmio_read,
	TP_PROTO(struct uvpci_device *d, unsigned int bar, u64 off,
		 unsigned int size, u64 value, u64 start,
		 enum uvpci_trace_status status),
	TP_ARGS(d, bar, off, size, value, start, status)
);

DEFINE_EVENT(uvpci_mmio_access, uvpci_mmio_write,
	TP_PROTO(struct uvpci_device *d, unsigned int bar, u64 off,
		 unsigned int size, u64 value, u64 start,
		 enum uvpci_trace_status status),
	TP_ARGS(d, bar, off, size, value, start, status)
);

/* @ret: PCIBIOS_*; a device whose model is gone reads all-ones. */
DECLARE_EVENT_CLASS(uvpci_cfg_access,
	TP_PROTO(struct uvpci_device *d, unsigned int off, unsigned int size,
		 u32 value, int ret),
	TP_ARGS(d, off, size, value, ret),
	TP_STRUCT__entry(
		__string(dev, uvpci_dname(d))
		__field(u16, off)
		__field(u8, size)
		__field(u8, status)
		__field(u32, value)
	),
	TP_fast_assign(
		__assign_str(dev, uvpci_dname(d));
		__entry->off = off;
		__entry->size = size;
		__entry->status = ret ? UVPCI_TR_BADREG :
				  uvpci_is_gone(d) ? UVPCI_TR_REMOVED : UVPCI_TR_OK;
		__entry->value = value;
	),
	TP_printk("dev=%s off=%#x size=%u value=%#x status=%s",
		  __get_str(dev), __entry->off, __entry->size, __entry->value,
		  uvpci_show_status(__entry->status))
);

DEFINE_EVENT(uvpci_cfg_access, uvpci_cfg_read,
	TP_PROTO(struct uvpci_device *d, unsigned int off, unsigned int size,
		 u32 value, int ret),
	TP_ARGS(d, off, size, value, ret)
);

DEFINE_EVENT(uvpci_cfg_access, uvpci_cfg_write,
	TP_PROTO(struct uvpci_device *d, unsigned int off, unsigned int size,
		 u32 value, int ret),
	TP_ARGS(d, off, size, value, ret)
);

/*
 * @r: the request, one chunk; @write: DMA_WRITE (else DMA_READ);
 * @addr, @len: its enabled bytes (@len 0 when its shape is malformed);
 * @err: 0 or the -errno it was refused with; @why: why, or NULL.
 */
TRACE_EVENT(uvpci_dma_request,
	TP_PROTO(struct uvpci_device *d, const struct uvpci_dma *r, bool write,
		 u64 addr, unsigned int len, int err, const char *why),
	TP_ARGS(d, r, write, addr, len, err, why),
	TP_STRUCT__entry(
		__string(dev, uvpci_dname(d))
		__field(u64, addr)
		__field(u32, len)
		__field(u16, ndw)
		__field(u8, write)
		__field(u8, status)
		__field(u8, first_be)
		__field(u8, last_be)
		__field(int, err)
		__string(why, why ?: "")
	),
	TP_fast_assign(
		__assign_str(dev, uvpci_dname(d));
		__entry->addr = addr;
		__entry->len = len;
		__entry->ndw = r->ndw;
		__entry->write = write;
		__entry->status = err ? UVPCI_TR_REFUSED : UVPCI_TR_OK;
		__entry->first_be = r->first_be;
		__entry->last_be = r->last_be;
		__entry->err = err;
		__assign_str(why, why ?: "");
	),
	TP_printk("dev=%s dir=%s addr=%#llx len=%u ndw=%u be=%#x/%#x err=%d status=%s why=%s",
		  __get_str(dev), __entry->write ? "write" : "read",
		  __entry->addr, __entry->len, __entry->ndw, __entry->first_be,
		  __entry->last_be, __entry->err,
		  uvpci_show_status(__entry->status), __get_str(why))
);

/* An interrupt from the device: @what is the vector (MSI) or level (INTx). */
DECLARE_EVENT_CLASS(uvpci_irq_req,
	TP_PROTO(struct uvpci_device *d, u32 what, int err, const char *why),
	TP_ARGS(d, what, err, why),
	TP_STRUCT__entry(
		__string(dev, uvpci_dname(d))
		__field(u32, what)
		__field(int, err)
		__field(u8, status)
		__string(why, why ?: "")
	),
	TP_fast_assign(
		__assign_str(dev, uvpci_dname(d));
		__entry->what = what;
		__entry->err = err;
		__entry->status = err ? UVPCI_TR_REFUSED : UVPCI_TR_OK;
		__assign_str(why, why ?: "");
	),
	TP_printk("dev=%s vector=%u err=%d status=%s why=%s", __get_str(dev),
		  __entry->what, __entry->err,
		  uvpci_show_status(__entry->status), __get_str(why))
);

DEFINE_EVENT(uvpci_irq_req, uvpci_msi_fire,
	TP_PROTO(struct uvpci_device *d, u32 what, int err, const char *why),
	TP_ARGS(d, what, err, why)
);

DEFINE_EVENT_PRINT(uvpci_irq_req, uvpci_intx_set,
	TP_PROTO(struct uvpci_device *d, u32 what, int err, const char *why),
	TP_ARGS(d, what, err, why),
	TP_printk("dev=%s level=%u err=%d status=%s why=%s", __get_str(dev),
		  __entry->what, __entry->err,
		  uvpci_show_status(__entry->status), __get_str(why))
);

/*
 * A delivery, just before the handlers run: INTx, or MSI vector (MSI-X
 * entry) @vec, whose Linux IRQ is looked up only while the event is on.
 */
TRACE_EVENT(uvpci_irq_deliver,
	TP_PROTO(struct uvpci_device *d, enum uvpci_trace_irq kind,
		 unsigned int vec),
	TP_ARGS(d, kind, vec),
	TP_STRUCT__entry(
		__string(dev, uvpci_dname(d))
		__field(u32, vector)
		__field(u32, irq)
		__field(u8, kind)
	),
	TP_fast_assign(
		__assign_str(dev, uvpci_dname(d));
		__entry->vector = vec;
		__entry->irq = kind == UVPCI_TR_IRQ_INTX ? d->intx_irq :
			       irq_find_mapping(d->msi_domain, vec);
		__entry->kind = kind;
	),
	TP_printk("dev=%s kind=%s vector=%u irq=%u", __get_str(dev),
		  __print_symbolic(__entry->kind,
				   { UVPCI_TR_IRQ_MSI,	"msi" },
				   { UVPCI_TR_IRQ_MSIX,	"msix" },
				   { UVPCI_TR_IRQ_INTX,	"intx" }),
		  __entry->vector, __entry->irq)
);

/*
 * A mapping created (@how "ok") or destroyed: @how "ok", "not-mapped",
 * "mismatch" (size, direction or kind differ: see the log), "unbind" (the
 * driver left it; uvPCI took it away).
 */
DECLARE_EVENT_CLASS(uvpci_dma_mapping,
	TP_PROTO(struct uvpci_device *d, u64 addr, u64 size,
		 enum dma_data_direction dir, bool coherent, const char *how),
	TP_ARGS(d, addr, size, dir, coherent, how),
	TP_STRUCT__entry(
		__string(dev, uvpci_dname(d))
		__field(u64, addr)
		__field(u64, size)
		__field(u8, dir)
		__field(u8, coherent)
		__string(how, how)
	),
	TP_fast_assign(
		__assign_str(dev, uvpci_dname(d));
		__entry->addr = addr;
		__entry->size = size;
		__entry->dir = dir;
		__entry->coherent = coherent;
		__assign_str(how, how);
	),
	TP_printk("dev=%s addr=%#llx size=%llu dir=%s coherent=%u status=%s",
		  __get_str(dev), __entry->addr, __entry->size,
		  uvpci_show_dir(__entry->dir), __entry->coherent,
		  __get_str(how))
);

DEFINE_EVENT(uvpci_dma_mapping, uvpci_dma_map,
	TP_PROTO(struct uvpci_device *d, u64 addr, u64 size,
		 enum dma_data_direction dir, bool coherent, const char *how),
	TP_ARGS(d, addr, size, dir, coherent, how)
);

DEFINE_EVENT(uvpci_dma_mapping, uvpci_dma_unmap,
	TP_PROTO(struct uvpci_device *d, u64 addr, u64 size,
		 enum dma_data_direction dir, bool coherent, const char *how),
	TP_ARGS(d, addr, size, dir, coherent, how)
);

#endif /* _UVPCI_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE uvpci_trace
#include <trace/define_trace.h>
