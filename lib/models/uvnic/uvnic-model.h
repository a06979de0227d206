/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uvnic-model.h - the uvNIC reference NIC's device model, in libuvnic: the
 * register file, descriptor processing, interrupts and counters of
 * uvnic(4), on top of a struct uvpci_device. The model knows nothing of
 * sockets: frames leave through a transmit callback and arrive through
 * uvnic_model_rx(), so uvnic-bridge plugs it onto an AF_PACKET socket and
 * a test can drive it with no network at all.
 *
 * Conventions as in libuvnic.h: 0 (or a count) on success, -errno on
 * failure; the library never prints (bad descriptors are reported through
 * the optional log callback). One thread per model, the same one that
 * calls uvpci_device_process() on its device.
 *
 * The event loop of a model (see uvnic-bridge.c):
 *
 *	uvpci_device_set_ops(dev, &uvnic_model_device_ops, model);
 *	uvnic_model_set_link(model, true);
 *	for (;;) {
 *		poll() the device fd and the frame source;
 *		uvpci_device_process(dev, 0);	  registers; TX_TAIL noted
 *		uvnic_model_tx_work(model, N);	  TX descriptors -> cfg.tx()
 *		for each received frame: uvnic_model_rx(model, frame, len);
 *		uvnic_model_rx_flush(model);	  write-back, RX interrupt
 *		uvnic_model_error(model)	  a callback's fatal error
 *	}
 *
 * uvnic_model_tx_work() serves the host's register accesses between
 * frames too (uvpci_device_process(dev, 0), when the library has some
 * queued), so that a driver spinning on a register read waits for one
 * frame, not for a whole batch: call it from the event loop, not from a
 * callback. A caller feeding uvnic_model_rx() a long burst may do the same
 * between frames (the model copes with a ring stopped meanwhile).
 *
 * Fatal errors are those of the transport (-ENODEV: the device was
 * destroyed; -EPIPE: the channel is broken; ...): the model cannot go on
 * and the caller should close the device. A refused DMA is never fatal:
 * it is the driver's bug, reported as uvnic(4) says (status bits,
 * counters, the ERROR interrupt).
 */
#ifndef UVNIC_MODEL_H
#define UVNIC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uvnic.h"
#include "uvnic-offload.h"
#include "uvpci-device.h"

#ifdef __cplusplus
extern "C" {
#endif

struct uvnic_model;

/* Descriptors the model handles per TX batch and reads ahead on RX. */
#define UVNIC_MODEL_BATCH	64

/**
 * struct uvnic_model_gso - a TCP super-packet handed over whole (tx_gso).
 * @mss:     TCP payload bytes per segment (virtio-net gso_size)
 * @l3:      offset of the IP header
 * @l4:      offset of the TCP header: csum_start (csum_offset is 16)
 * @hdr_len: offset of the TCP payload (all headers)
 * @ipv6:    TCP over IPv6, else over IPv4
 * @segs:    segments it makes (at least 2), as counted in TX_PACKETS
 */
struct uvnic_model_gso {
	uint16_t mss;
	uint16_t l3;
	uint16_t l4;
	uint16_t hdr_len;
	bool ipv6;
	unsigned int segs;
};

/**
 * struct uvnic_model_config - what a model is built with.
 * @mac:      the station address MAC_LO/MAC_HI report
 * @tx:       a frame the driver transmitted, @len bytes (60..MAX_FRAME:
 *            shorter frames are padded with zeros, as Ethernet does). The
 *            buffer stays valid until @tx_flush returns (or, without
 *            @tx_flush, until @tx returns). Required.
 * @tx_gso:   a DESC_TSO frame of more than one segment, whole (@len up to
 *            UVNIC_TSO_MAX_FRAME), for a sink that cuts it itself (e.g. a
 *            packet socket with a virtio-net GSO header). The model has
 *            set the IPv4 total length and header checksum (IPv6: payload
 *            length) for the whole frame and left the pseudo-header sum
 *            over the whole TCP length, not complemented, in the TCP
 *            checksum field (virtio-net's NEEDS_CSUM convention). Buffer
 *            lifetime as for @tx. Optional: without it, the model cuts the
 *            segments and hands each to @tx.
 * @tx_flush: the end of a TX batch: send what @tx queued. Optional. The
 *            model may also call it within a batch, when it needs buffers
 *            back (segments of a long TSO frame).
 * @log:      one line, without newline, per bad descriptor or misprogrammed
 *            ring ("TX descriptor 5: length 0 out of range 1..1514").
 *            Optional.
 * @opaque:   passed to the callbacks
 */
struct uvnic_model_config {
	uint8_t mac[6];
	void (*tx)(void *opaque, const void *frame, size_t len);
	void (*tx_gso)(void *opaque, const void *frame, size_t len,
		       const struct uvnic_model_gso *gso);
	void (*tx_flush)(void *opaque);
	void (*log)(void *opaque, const char *msg);
	void *opaque;
};

/**
 * struct uvnic_model_counters - the device's counters.
 *
 * The first eight are the registers of uvnic(4) (cleared by CTRL_RESET);
 * the rest are the model's own and survive a reset.
 */
struct uvnic_model_counters {
	uint64_t rx_packets;	/* RX_PACKETS */
	uint64_t rx_bytes;	/* RX_BYTES */
	uint64_t tx_packets;	/* TX_PACKETS */
	uint64_t tx_bytes;	/* TX_BYTES */
	uint64_t rx_no_desc;	/* RX_NO_DESC */
	uint64_t rx_errors;	/* RX_ERRORS */
	uint64_t tx_errors;	/* TX_ERRORS */
	uint64_t dma_errors;	/* DMA_ERRORS */

	uint64_t ring_errors;	/* misprogrammed rings (TAIL >= LEN, bad BASE/LEN, ...) */
	uint64_t rx_down;	/* frames dropped because RX was disabled */
	uint64_t msi;		/* MSIs sent */
	uint64_t mmio_reads;	/* register reads served */
	uint64_t mmio_writes;	/* register writes served */
	uint64_t tx_doorbells;	/* TX_TAIL writes */
	uint64_t tx_batches;	/* uvnic_model_tx_work() rounds that found work */
	uint64_t rx_batches;	/* uvnic_model_rx_flush() calls that completed frames */
	uint64_t desc_reads;	/* DMA reads of descriptors (each a batch) */
	uint64_t resets;	/* CTRL_RESET writes */
	uint64_t tx_tso;	/* DESC_TSO frames sent (segmented or via tx_gso) */
	uint64_t tx_csum;	/* DESC_CSUM frames checksummed (without TSO) */
	uint64_t tx_offload_errors; /* frames completed with ERR_OFFLOAD */
};

/**
 * uvnic_model_new() - a model in its power-on state for device @dev.
 * @dev:    the device, opened with UVPCI_OPEN_MODEL; the model only DMAs
 *          and fires MSIs through it. Install the register callbacks with
 *          uvpci_device_set_ops(dev, &uvnic_model_device_ops, *@modelp).
 * @cfg:    copied; @cfg->tx is required
 * @modelp: set on success
 *
 * Power-on state: as after CTRL_RESET, with BASE and LEN 0, MAX_FRAME 1514
 * and the link down.
 *
 * @return 0, -EINVAL (@dev or @cfg->tx missing, multicast or zero MAC), or
 *         -ENOMEM.
 */
int uvnic_model_new(struct uvpci_device *dev,
		    const struct uvnic_model_config *cfg,
		    struct uvnic_model **modelp);

/** uvnic_model_free() - free a model (NULL is fine); the device is the caller's. */
void uvnic_model_free(struct uvnic_model *model);

/*
 * The register callbacks, for uvpci_device_set_ops() with the model as
 * opaque. A read or write of BAR0 as uvnic(4) describes; other BARs read 0.
 * A TX_TAIL write only notes the doorbell: uvnic_model_tx_work() does the
 * work, after uvpci_device_process() has returned, so that the host's
 * register reads are answered at once.
 */
extern const struct uvpci_device_ops uvnic_model_device_ops;

/** uvnic_model_mmio_read() - the mmio_read callback, callable directly. */
uint64_t uvnic_model_mmio_read(void *model, unsigned int bar, uint64_t offset,
			       unsigned int size);

/** uvnic_model_mmio_write() - the mmio_write callback, callable directly. */
void uvnic_model_mmio_write(void *model, unsigned int bar, uint64_t offset,
			    unsigned int size, uint64_t value);

/**
 * uvnic_model_set_link() - the cable: set or clear STATUS.LINK_UP; a change
 * latches the LINK cause (and sends its MSI if enabled).
 * @return 0, or a fatal -errno from uvpci_msi_fire().
 */
int uvnic_model_set_link(struct uvnic_model *model, bool up);

/** uvnic_model_link() - STATUS.LINK_UP. */
bool uvnic_model_link(const struct uvnic_model *model);

/**
 * uvnic_model_tx_pending() - whether the TX ring is enabled and holds
 * descriptors (HEAD != TAIL) that uvnic_model_tx_work() can process: not
 * when all it found there is a frame that TAIL does not cover yet (its
 * last descriptor has DESC_MORE), until TAIL moves.
 */
bool uvnic_model_tx_pending(const struct uvnic_model *model);

/**
 * uvnic_model_tx_work() - transmit: process up to @budget TX descriptors.
 *
 * Reads the descriptors between HEAD and TAIL in batches of up to
 * UVNIC_MODEL_BATCH (one DMA read, two across the ring's end), then the
 * batch's frames (one descriptor or a DESC_MORE run) with one wait;
 * applies the frames' offloads; hands good frames to cfg.tx (TSO frames:
 * to cfg.tx_gso, or their segments to cfg.tx), then calls cfg.tx_flush
 * once per batch; writes the descriptors back with their status (one DMA
 * write per batch, two across the end), advances HEAD, latches TX if one
 * of them asked for an interrupt and ERROR if a frame failed. A frame is
 * never split: a batch may go over @budget to finish its first frame.
 *
 * @return descriptors processed (0: nothing to do), or a fatal -errno.
 */
int uvnic_model_tx_work(struct uvnic_model *model, unsigned int budget);

/**
 * uvnic_model_rx_avail() - RX descriptors the device may fill now, read
 * ahead or not yet read (0 when none, or when RX is disabled: then
 * uvnic_model_rx_enabled() says which).
 */
unsigned int uvnic_model_rx_avail(const struct uvnic_model *model);

/** uvnic_model_rx_enabled() - CTRL.RX_EN, and the RX ring is usable. */
bool uvnic_model_rx_enabled(const struct uvnic_model *model);

/**
 * uvnic_model_rx() - a frame arrived from the wire: put it in the next RX
 * descriptor's buffer. The frame is copied: @frame is the caller's again
 * on return. Shorter than 60 bytes: padded with zeros.
 *
 * The descriptor is completed (len and status written back, RX latched) by
 * uvnic_model_rx_flush(), so that a burst costs one write-back: call it
 * after each burst.
 *
 * @return 0 (taken; if its buffer turns out bad the descriptor completes
 *         with an error status), -ENOBUFS (no RX descriptor: counted in
 *         RX_NO_DESC, dropped), -EMSGSIZE (longer than MAX_FRAME: counted
 *         in RX_ERRORS, dropped), -ENETDOWN (RX disabled: dropped, counted
 *         in rx_down only), or a fatal -errno.
 */
int uvnic_model_rx(struct uvnic_model *model, const void *frame, size_t len);

/**
 * uvnic_model_rx_flush() - complete the frames uvnic_model_rx() took since
 * the last flush: check that the host accepted their data (a refused
 * buffer gets ERR_ADDR), write back the descriptors (len, then status),
 * advance RX_HEAD's view, latch RX / ERROR.
 *
 * @return the number of descriptors completed, or a fatal -errno.
 */
int uvnic_model_rx_flush(struct uvnic_model *model);

/**
 * uvnic_model_error() - the fatal error a register callback met (they
 * cannot return one), or 0. Sticky.
 */
int uvnic_model_error(const struct uvnic_model *model);

/** uvnic_model_counters() - a snapshot of the counters. */
void uvnic_model_counters(const struct uvnic_model *model,
			  struct uvnic_model_counters *counters);

/**
 * uvnic_model_status_reads() - how many STATUS reads the host made: a caller
 * that lowers the link can wait until the driver has looked.
 */
uint64_t uvnic_model_status_reads(const struct uvnic_model *model);

/**
 * uvnic_model_fatal() - whether a uvPCI error means the device is gone or
 * unusable (as opposed to a refused DMA or MSI, which the model reports to
 * the driver and survives).
 */
bool uvnic_model_fatal(int err);

#ifdef __cplusplus
}
#endif

#endif /* UVNIC_MODEL_H */
