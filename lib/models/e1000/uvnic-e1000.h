/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uvnic-e1000.h - a device model of the Intel 82540EM (8086:100e), the
 * gigabit NIC that Linux's e1000 driver drives, on uvPCI's device side:
 * its registers (BAR 0, 128 KiB) and the indirect IOADDR/IODATA window of
 * its I/O BAR, a Microwire EEPROM (bit-banged through EECD, or EERD), an
 * M88E1011 PHY behind MDIC, legacy RX descriptors and legacy, context and
 * data TX descriptors (checksum insertion, TSO), the interrupt cause and
 * mask registers driving INTx, RA/MTA filtering and the statistics
 * registers. See uvpci-e1000(8) for what is and is not modelled.
 *
 * One thread: the model's callbacks run from uvpci_device_process() on
 * the same thread that calls the functions below.
 */
#ifndef UVNIC_E1000_H
#define UVNIC_E1000_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uvpci-device.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UVNIC_E1000_VENDOR	0x8086
#define UVNIC_E1000_DEVICE	0x100e	/* 82540EM */
#define UVNIC_E1000_BAR0_SIZE	0x20000
#define UVNIC_E1000_IO_SIZE	0x40

struct uvnic_e1000;

/**
 * struct uvnic_e1000_config - how the model meets the world.
 * @mac:    the station address in the EEPROM (words 0..2)
 * @tx:     a frame the driver transmitted, whole (TSO already cut,
 *          checksums inserted), without FCS
 * @log:    a line about a driver error (bad descriptor...); may be NULL
 * @opaque: passed to @tx and @log
 */
struct uvnic_e1000_config {
	uint8_t mac[6];
	void (*tx)(void *opaque, const void *frame, size_t len);
	void (*log)(void *opaque, const char *msg);
	void *opaque;
};

/** struct uvnic_e1000_counters - the model's own counts. */
struct uvnic_e1000_counters {
	uint64_t rx_frames;	/* frames written to RX descriptors */
	uint64_t rx_filtered;	/* frames not for us (RA/MTA/RCTL) */
	uint64_t rx_no_desc;	/* frames dropped: no RX descriptor */
	uint64_t tx_frames;	/* frames handed to @tx */
	uint64_t tx_tso;	/* TSO frames cut into segments */
	uint64_t tx_errors;	/* bad descriptors, DMA refusals */
	uint64_t resets;	/* CTRL.RST */
	uint64_t irqs;		/* INTx assertions */
};

/** uvnic_e1000_device_ops - install with uvpci_device_set_ops(dev, .., model). */
extern const struct uvpci_device_ops uvnic_e1000_device_ops;

/**
 * uvnic_e1000_new() - a model in its power-on state, link down, for @dev
 * (opened with UVPCI_OPEN_MODEL; its I/O BAR, if any, is the IOADDR/IODATA
 * window). @return 0 or -errno (-ENOMEM; -EINVAL no 128 KiB BAR 0 or no
 * interrupt pin)
 */
int uvnic_e1000_new(struct uvpci_device *dev, const struct uvnic_e1000_config *cfg,
		    struct uvnic_e1000 **mp);

/** uvnic_e1000_free() - free the model (not the device); @m may be NULL. */
void uvnic_e1000_free(struct uvnic_e1000 *m);

/** uvnic_e1000_set_link() - cable in or out: STATUS.LU, the PHY, ICR.LSC. */
int uvnic_e1000_set_link(struct uvnic_e1000 *m, bool up);

/** uvnic_e1000_tx_pending() - whether TDT moved and TX work waits. */
bool uvnic_e1000_tx_pending(const struct uvnic_e1000 *m);

/**
 * uvnic_e1000_tx_work() - transmit what the driver queued (TDH to TDT),
 * up to @budget descriptors. @return descriptors done, or -errno (the
 * device is gone)
 */
int uvnic_e1000_tx_work(struct uvnic_e1000 *m, unsigned int budget);

/** uvnic_e1000_rx_enabled() - RCTL.EN set and the ring set up. */
bool uvnic_e1000_rx_enabled(const struct uvnic_e1000 *m);

/** uvnic_e1000_rx_avail() - RX descriptors the driver gave (RDH to RDT). */
unsigned int uvnic_e1000_rx_avail(const struct uvnic_e1000 *m);

/**
 * uvnic_e1000_rx() - a frame from the wire (no FCS): filtered, padded to
 * 60 bytes, given its FCS, written to RX descriptors, RXT0 raised.
 * @return 0 (delivered or dropped: counted), or -errno (the device is gone)
 */
int uvnic_e1000_rx(struct uvnic_e1000 *m, const void *frame, size_t len);

/** uvnic_e1000_counters() - the model's counts. */
void uvnic_e1000_counters(const struct uvnic_e1000 *m, struct uvnic_e1000_counters *c);

/** uvnic_e1000_error() - the first fatal device error (-ENODEV...), or 0. */
int uvnic_e1000_error(const struct uvnic_e1000 *m);

#ifdef __cplusplus
}
#endif

#endif /* UVNIC_E1000_H */
