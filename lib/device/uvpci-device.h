/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uvpci-device.h - the device side of uvPCI in libuvnic: what a device
 * model (uvnic-bridge, a test model, an RTL co-simulation) and the device
 * CLIs (uvdma-inject, uvmsi-fire) use, plus host-side register access
 * (uvpci-peek, uvpci-poke). Included by libuvnic.h.
 *
 * Conventions as in libuvnic.h: functions return 0 (or a count) on success
 * and -errno on failure; the library never prints.
 *
 * A struct uvpci_device is one uvBus port on a uvPCI channel. Opened with
 * UVPCI_OPEN_MODEL it is THE device model (one at a time per device): it
 * receives the host's register reads and writes and config writes through
 * struct uvpci_device_ops. Opened without it, it is an auxiliary port that
 * can only DMA and fire MSIs, so several tools may act on one device while
 * a model runs. One thread per struct uvpci_device (the ring's SPSC rule).
 *
 * Doorbells. Requests to the host (DMA, MSI, completions) are queued on the
 * port's ring and the kernel is woken by one doorbell write per batch:
 *  - outside callbacks, each call below rings once at its end;
 *  - inside a struct uvpci_device_ops callback, and between
 *    uvpci_device_batch_begin() and uvpci_device_batch_end(), posted
 *    requests (DMA writes, MSIs) are only queued; uvpci_device_process()
 *    rings once after its callbacks, uvpci_device_batch_end() once at the
 *    end of the batch;
 *  - a call that must wait for the host (uvpci_dma_read(),
 *    uvpci_device_sync()) and an MMIO completion ring at once, which also
 *    hands over everything queued before them, in order.
 * A full ring is never an error: the library rings, keeps its receive ring
 * drained (so the kernel is never stalled on its replies) and waits, up to
 * UVPCI_DEVICE_TIMEOUT_MS without progress, then fails with -ETIMEDOUT.
 *
 * Waits inside the library (ring space, DMA read data, sync) retry when a
 * signal interrupts them; only uvpci_device_process() returns -EINTR.
 */
#ifndef UVPCI_DEVICE_H
#define UVPCI_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "uvbus.h"

#ifdef __cplusplus
extern "C" {
#endif

struct uvpci_device;

/* uvpci_device_open() flags */
#define UVPCI_OPEN_MODEL	(1U << 0) /* claim the model role (-EBUSY if taken) */

/* The longest the library waits for the host without any progress. */
#define UVPCI_DEVICE_TIMEOUT_MS	5000

/**
 * struct uvpci_device_ops - a model's answers to host requests.
 * @mmio_read:  a non-posted register read of @size bytes (1, 2, 4, 8) at a
 *              size-aligned @offset of @bar; return the value (bits above
 *              @size are dropped). Called from uvpci_device_process()
 *              only; the host CPU spins until the completion is back, so
 *              be quick. Required.
 * @mmio_write: a posted register write; @value has only @size bytes' bits.
 *              Required.
 * @cfg_write:  the host wrote config space (the kernel keeps config space;
 *              this is a notification). Optional (NULL).
 * @host_state: what the host enabled changed: @state->flags has
 *              UVPCI_HOST_MEMORY, _MASTER, _INTX_DISABLE, _MSI;
 *              @state->msi_vectors the MSI vectors the host accepts,
 *              @state->power_state the D-state (0..3), @state->command the
 *              command register (see struct uvpci_host_state). Called
 *              once with the state at attach, on the first
 *              uvpci_device_process(), then after the config write that
 *              changed it, in order with the other requests. Optional.
 *
 * Callbacks may call uvpci_dma_write()/uvpci_dma_read()/uvpci_msi_fire()/
 * uvpci_device_sync() on the same device: requests that arrive meanwhile
 * are queued and handled after the callback returns, in arrival order
 * (never dropped, never handled re-entrantly). uvpci_device_process() from
 * a callback returns -EDEADLK.
 */
struct uvpci_device_ops {
	uint64_t (*mmio_read)(void *opaque, unsigned int bar, uint64_t offset,
			      unsigned int size);
	void (*mmio_write)(void *opaque, unsigned int bar, uint64_t offset,
			   unsigned int size, uint64_t value);
	void (*cfg_write)(void *opaque, unsigned int offset, unsigned int size,
			  uint32_t value);
	void (*host_state)(void *opaque, const struct uvpci_host_state *state);
};

/**
 * uvpci_device_open() - attach to the uvPCI device @name.
 * @flags: 0 or UVPCI_OPEN_MODEL
 * @return 0 and *@devp set, or -errno: -ENOENT no such device, -EINVAL not
 *         a uvPCI device (or bad @flags), -EBUSY another model is attached,
 *         -EPERM without CAP_SYS_ADMIN (any port of a uvPCI device, the
 *         model's or another, needs it: see uvpci(9)), -EACCES not root
 *         (/dev/uvbus is mode 0600), -ENAMETOOLONG, -ENOMEM, or an error
 *         opening /dev/uvbus (see uvbus_port_open()).
 */
int uvpci_device_open(const char *name, unsigned int flags,
		      struct uvpci_device **devp);

/**
 * uvpci_device_close() - ring the doorbell for anything still queued,
 * detach and free. A model's pending host reads complete as all-ones, and
 * the host treats the device as surprise-removed until a model attaches
 * again or the device is reset. @dev may be NULL.
 */
void uvpci_device_close(struct uvpci_device *dev);

/** uvpci_device_name() - the device's (channel's) name, owned by @dev. */
const char *uvpci_device_name(const struct uvpci_device *dev);

/**
 * uvpci_device_params() - the device's identity, BARs and MSI count, as
 * created (read once at open: they never change). @return 0 or -errno
 */
int uvpci_device_params(struct uvpci_device *dev, struct uvpci_params *params);

/**
 * uvpci_device_fd() - a descriptor to poll() for POLLIN in an event loop
 * (POLLHUP: device destroyed; POLLERR: channel broken). Owned by @dev.
 * Requests the library already took off the ring (while waiting in
 * uvpci_dma_read() or uvpci_device_sync()) do not make it readable: poll
 * only while uvpci_device_pending() is 0, and call
 * uvpci_device_process(dev, 0) after each wake-up.
 */
int uvpci_device_fd(const struct uvpci_device *dev);

/**
 * uvpci_device_pending() - host requests received and queued but not yet
 * handled (see uvpci_device_fd()). @return the count (>= 0)
 */
unsigned int uvpci_device_pending(const struct uvpci_device *dev);

/**
 * uvpci_device_host_state() - the host state as of the last request
 * handled (see struct uvpci_device_ops.host_state): known from
 * uvpci_device_open() on, as the kernel tells a model when it attaches.
 * @return 0 and *@state set; -EINVAL not opened with UVPCI_OPEN_MODEL
 *         (only the model is told); -ENODATA the kernel said nothing (a
 *         uvpci.ko older than UVPCI_MSG_HOST_STATE)
 */
int uvpci_device_host_state(struct uvpci_device *dev,
			    struct uvpci_host_state *state);

/** uvpci_device_set_ops() - install a model's callbacks (UVPCI_OPEN_MODEL only). */
void uvpci_device_set_ops(struct uvpci_device *dev,
			  const struct uvpci_device_ops *ops, void *opaque);

/**
 * uvpci_device_process() - serve host requests: first those already
 * queued, then those on the ring, in arrival order. A register read is
 * answered (MMIO_CPL, same tag) and the doorbell rung at once; after the
 * last callback the doorbell is rung once for what the callbacks queued.
 * Handles at most 256 requests per call.
 * @timeout_ms: how long to wait for the first request: 0 = don't wait,
 *              -1 = forever
 * @return the number of requests handled (0 on timeout), or -errno:
 *         -ENODEV the device was destroyed, -EPIPE the channel is broken,
 *         -EINTR a signal arrived while waiting, -EINVAL not opened with
 *         UVPCI_OPEN_MODEL or no ops installed (a model without ops is a
 *         bug: requests stay queued), -EDEADLK called from a callback,
 *         -ENOMEM, -ETIMEDOUT (no ring space for a completion).
 */
int uvpci_device_process(struct uvpci_device *dev, int timeout_ms);

/**
 * uvpci_device_batch_begin() - start deferring doorbells: posted requests
 * (uvpci_dma_write(), uvpci_msi_fire()) are only queued until the matching
 * uvpci_device_batch_end(). Nests. A wait (uvpci_dma_read(), sync, a full
 * ring) still rings, and hands over what was queued before it.
 */
void uvpci_device_batch_begin(struct uvpci_device *dev);

/**
 * uvpci_device_batch_end() - end a batch; the outermost end rings the
 * doorbell once if anything was queued (unless inside a callback, where
 * uvpci_device_process() rings after it).
 * @return 0 or -errno from the doorbell (-ENODEV, -EPIPE)
 */
int uvpci_device_batch_end(struct uvpci_device *dev);

/**
 * uvpci_dma_split() - the first PCIe-legal request of a transfer: the one
 * function that splits DMA (uvpci_dma_write() and uvpci_dma_read() call
 * it in a loop; exported for tests).
 * @addr:  bus address of the first byte, any alignment
 * @len:   bytes left to transfer, > 0; @addr + @len - 1 must not wrap
 * @chunk: its addr (@addr rounded down to a dword), ndw (1..32), first_be
 *         and last_be (0 in a one-dword request) are set; the rest of
 *         @chunk is untouched. The byte at @addr is chunk->data[@addr & 3].
 *
 * The request never crosses a 4 KiB boundary, and takes as many bytes as
 * those rules allow (up to 128 per request), so a transfer takes the
 * fewest requests possible.
 * @return the number of bytes it covers (1 .. min(@len, 128)); 0 if @len
 *         is 0.
 */
size_t uvpci_dma_split(uint64_t addr, size_t len, struct uvpci_dma *chunk);

/**
 * uvpci_dma_write() - write @len bytes of host memory at bus address @addr.
 *
 * Any address and length: the library splits the transfer into PCIe-legal
 * requests (dword-aligned, at most 128 bytes, byte enables for the ragged
 * ends, never crossing 4 KiB; see uvpci_dma_split()). Posted: returns once
 * queued; the host checks each request against its live DMA mappings and
 * reports a refusal only through the next uvpci_device_sync(). Requests
 * from one device are handled in order, so data lands before a later
 * uvpci_msi_fire() on the same struct uvpci_device.
 * @return 0 or -errno: -EINVAL @addr + @len wraps past 2^64; -ETIMEDOUT no
 *         ring space for UVPCI_DEVICE_TIMEOUT_MS (some requests may have
 *         been queued); -ENODEV device destroyed; -EPIPE broken. @len 0 is
 *         a no-op.
 */
int uvpci_dma_write(struct uvpci_device *dev, uint64_t addr, const void *buf,
		    size_t len);

/**
 * uvpci_dma_read() - read @len bytes of host memory at @addr into @buf.
 * Non-posted: sends the read requests in waves of half the ring, rings
 * once per wave, and matches each completion to its request by tag. A
 * refusal is reported here, once, from the completion of the request
 * that caused it; uvpci_device_sync() never reports it again.
 * @return 0, or the first refusal, the host's status unchanged: -EFAULT
 *         outside every live mapping, -EACCES the mapping's direction
 *         forbids the device to read it (DMA_FROM_DEVICE), -EPERM bus
 *         mastering is off, -ENODEV the device's model is gone (the host
 *         refuses device requests until a reset) or the device was
 *         destroyed; or -EINVAL (@addr + @len wraps), -ETIMEDOUT,
 *         -EPROTO (a completion that does not match its request), -EPIPE,
 *         -ENOMEM. On error the contents of @buf are unspecified.
 */
int uvpci_dma_read(struct uvpci_device *dev, uint64_t addr, void *buf,
		   size_t len);

/** struct uvpci_dma_vec - one transfer of uvpci_dma_readv(). */
struct uvpci_dma_vec {
	uint64_t addr;	/* bus address of the first byte */
	void *buf;	/* where its @len bytes go */
	size_t len;
};

/**
 * uvpci_dma_readv() - uvpci_dma_read() of @n transfers at once: their
 * requests share the waves (one doorbell and one wait per wave, not per
 * transfer), so a device that reads many small buffers (a TX batch's
 * frames) waits once.
 * @return 0, or the first failure of any transfer, as uvpci_dma_read():
 *         which one is not said (read them one by one to find it). -EINVAL
 *         if any transfer wraps (nothing is read).
 */
int uvpci_dma_readv(struct uvpci_device *dev, const struct uvpci_dma_vec *vec,
		    unsigned int n);

/**
 * uvpci_msi_fire() - raise MSI @vector (posted); while the driver has
 * MSI-X enabled, MSI-X table entry @vector instead (held pending if the
 * entry is masked: see uvpci_msix_state()).
 * @return 0 or -errno; -ERANGE if @vector >= both the device's MSI count
 *         and its MSI-X count (checked against uvpci_device_params()
 *         before sending). Whether the driver enabled the vector is the
 *         host's to check: see uvpci_device_sync().
 */
int uvpci_msi_fire(struct uvpci_device *dev, unsigned int vector);

/**
 * uvpci_intx_set() - assert (@level 1) or deassert (@level 0) the
 * device's INTx pin (posted). A level: the host's handlers run while it
 * is asserted and Interrupt Disable is clear, again after each run, until
 * it is deasserted, so a model deasserts once the driver has acknowledged
 * the cause (typically in its register write callback). The pin is the
 * device's, whichever port drives it; the host deasserts it when the
 * model goes away. Orders with DMA as uvpci_msi_fire() does.
 * @return 0 or -errno; -ERANGE if the device has no interrupt pin (checked
 *         against uvpci_device_params() before sending), -EINVAL if
 *         @level is neither 0 nor 1.
 */
int uvpci_intx_set(struct uvpci_device *dev, int level);

/**
 * uvpci_aer_report() - report an error the device detected through its
 * AER capability (posted), as a PCIe device sends ERR_COR, ERR_NONFATAL
 * or ERR_FATAL: the host sets @status in the Correctable or Uncorrectable
 * Error Status register and, for the bits the mask leaves clear and if
 * Device Control enables the report, logs it and runs the bound driver's
 * err_handler (uncorrectable: error_detected() .. resume(); fatal resets
 * the function first, which the model sees as a Function Level Reset).
 * See uvpci(9), "Error reporting".
 * @severity: UVPCI_AER_CORRECTABLE, UVPCI_AER_NONFATAL or UVPCI_AER_FATAL
 * @status:   non-zero bits within UVPCI_AER_COR_BITS (correctable) or
 *            UVPCI_AER_UNC_BITS; for an uncorrectable error, those the
 *            host has unmasked must all have the severity sent
 *            (Uncorrectable Error Severity), or the host refuses it
 * @return 0 or -errno; -EINVAL for a severity or bits outside the above
 *         (checked before sending). The host's verdict (-EINVAL for a
 *         severity mismatch) comes with uvpci_device_sync().
 */
int uvpci_aer_report(struct uvpci_device *dev, unsigned int severity,
		     uint32_t status);

/**
 * uvpci_device_sync() - wait until the host has handled every request sent
 * so far on @dev and return the outcome of the posted ones (DMA writes,
 * MSIs): a UVBUS_MSG_NOP flagged UVPCI_F_ACK, answered by UVPCI_MSG_ACK,
 * which carries the first refusal of a posted request since the previous
 * ACK on this port. The rule: every refusal is reported once. A DMA read
 * is reported by the uvpci_dma_read() that made it, never here; a posted
 * request has no answer of its own, so its refusal is reported by the
 * first sync after it, and only by that one: sync after the posted
 * requests whose outcome matters, before queueing unrelated ones.
 * @return 0 if all posted requests since the last sync were accepted; else
 *         the host's first refusal among them:
 *         -EFAULT a DMA outside the live mappings (IOMMU fault), -EACCES
 *         a DMA against the mapping's direction, -EPERM bus mastering off
 *         or MSI not enabled by the driver, -ERANGE an MSI vector the
 *         driver did not enable, -ENODEV the model is gone, -EINVAL a
 *         malformed request; or -ETIMEDOUT, -ENODEV (destroyed), -EPIPE.
 */
int uvpci_device_sync(struct uvpci_device *dev);

/*
 * Host-side register access, down the same path as a driver's (a model, if
 * one is attached, sees it): uvpci-peek and uvpci-poke. @fd is from
 * uvbus_open(). Needs CAP_SYS_ADMIN. A read the model does not answer in
 * time, or that finds the model gone, returns all-ones (as PCIe) and 0.
 * @return 0 or -errno (-EINVAL bad BAR/size/alignment, -ERANGE beyond the
 * BAR or a value wider than @size, -ENOENT no such device, -ENOTTY not a
 * uvPCI device, -EPERM).
 */
int uvpci_mmio_read(int fd, const char *name, unsigned int bar,
		    uint64_t offset, unsigned int size, uint64_t *value);
int uvpci_mmio_write(int fd, const char *name, unsigned int bar,
		     uint64_t offset, unsigned int size, uint64_t value);

/**
 * uvpci_msix_state() - the device side's view of the MSI-X table the host
 * keeps (UVPCI_IOC_MSIX): @state->count entries, @state->flags
 * UVPCI_MSIX_ENABLED and UVPCI_MSIX_MASKALL, and per entry its Mask bit
 * (@state->mask) and pending bit (@state->pending): an MSI-X fired while
 * masked is held there and delivered when the driver unmasks it. @fd is
 * from uvbus_open(). Needs CAP_SYS_ADMIN.
 * @return 0 or -errno (-ENOENT no such device, -ENOTTY not a uvPCI device
 *         or a uvpci.ko older than MSI-X, -EPERM)
 */
int uvpci_msix_state(int fd, const char *name, struct uvpci_msix_state *state);

/**
 * uvpci_params_msix() - give a device being created an MSI-X table of
 * @count entries (and its PBA, right after it) in BAR @bar at @offset:
 * what uvbus-ctl create --msix COUNT[:BAR[:OFFSET]] does.
 * @p:      the parameters, with their BARs already set
 * @bar:    0..5, or -1 for BAR 0
 * @offset: where the table starts, a multiple of 8; -1 for the default,
 *          the upper half of the BAR (offset BAR size / 2)
 * @return 0, or -EINVAL (@count 0 or above UVPCI_MAX_MSIX, @bar above 5,
 *         @offset not a multiple of 8), -ENOENT (BAR @bar not set in @p),
 *         -ERANGE (table and PBA do not fit in the BAR from @offset)
 */
int uvpci_params_msix(struct uvpci_params *p, unsigned int count, int bar,
		      int64_t offset);

/**
 * uvpci_driver_name() - the driver bound to uvPCI device @name, as the
 * driver model says (the basename of /sys/bus/uvpci/devices/NAME/driver,
 * what lspci -k calls "Kernel driver in use"). Needs no privilege.
 * @buf:  set to the driver's name on success
 * @size: size of @buf; 64 holds any module name (MODULE_NAME_LEN)
 *
 * @return 0; -ENOENT when no driver is bound (or there is no such
 *         device); -ENAMETOOLONG when @buf is too small; -EINVAL for a
 *         bad @name; another -errno from readlink(2).
 */
int uvpci_driver_name(const char *name, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* UVPCI_DEVICE_H */
