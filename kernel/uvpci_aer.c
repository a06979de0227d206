// SPDX-License-Identifier: GPL-2.0
/*
 * uvPCI: errors the device reports through its AER capability
 * (UVPCI_MSG_AER), handled as Linux's AER driver handles them for an
 * endpoint (drivers/pci/pcie/aer.c, err.c): the error is logged in config
 * space at once (uvpci_config.c), then, in process context, one log line;
 * a correctable error is then cleared, as Linux 6.1 tells no driver of
 * one; for an uncorrectable one the bound driver's err_handler, in the
 * steps of
 * pcie_do_recovery(): error_detected() (pci_channel_io_normal for
 * non-fatal, pci_channel_io_frozen for fatal, after which the function
 * is reset as the AER driver resets the link), mmio_enabled() or
 * slot_reset() as the votes say, resume(). Errors that arrive while one
 * is handled are handled together, next: a fatal one takes the
 * non-fatal ones with it, as its reset covers them.
 */
#define pr_fmt(fmt) "uvpci: " fmt

#include <linux/device.h>
#include <linux/pci.h>
#include <linux/workqueue.h>

#include "uvpci_priv.h"

static const char * const uvpci_aer_severity[] = {
	[UVPCI_AER_CORRECTABLE] = "Corrected",
	[UVPCI_AER_NONFATAL] = "Uncorrected (Non-Fatal)",
	[UVPCI_AER_FATAL] = "Uncorrected (Fatal)",
};

static const struct uvpci_error_handlers *uvpci_aer_handlers(struct uvpci_dev *udev)
{
	return udev->dev.driver ? to_uvpci_driver(udev->dev.driver)->err_handler : NULL;
}

/* As pci_dev_set_io_state(): a permanent failure stays. */
static bool uvpci_aer_set_state(struct uvpci_dev *udev, pci_channel_state_t new)
{
	pci_channel_state_t cur = udev->error_state;

	if (cur == pci_channel_io_perm_failure && new != pci_channel_io_perm_failure)
		return false;
	WRITE_ONCE(udev->error_state, new);
	return true;
}

/* As err.c's merge_result(). */
static pci_ers_result_t uvpci_aer_merge(pci_ers_result_t orig,
					pci_ers_result_t new)
{
	if (new == PCI_ERS_RESULT_NO_AER_DRIVER)
		return PCI_ERS_RESULT_NO_AER_DRIVER;
	if (new == PCI_ERS_RESULT_NONE)
		return orig;
	switch (orig) {
	case PCI_ERS_RESULT_CAN_RECOVER:
	case PCI_ERS_RESULT_RECOVERED:
		return new;
	case PCI_ERS_RESULT_DISCONNECT:
		return new == PCI_ERS_RESULT_NEED_RESET ? new : orig;
	default:
		return orig;
	}
}

/* The line Linux's aer_print_error() starts with, with the registers. */
static void uvpci_aer_print(struct uvpci_device *d, unsigned int severity)
{
	bool cor = severity == UVPCI_AER_CORRECTABLE;
	u32 status, mask;

	uvpci_cfg_read(d, UVPCI_AER_CAP + (cor ? PCI_ERR_COR_STATUS : PCI_ERR_UNCOR_STATUS),
		       4, &status);
	uvpci_cfg_read(d, UVPCI_AER_CAP + (cor ? PCI_ERR_COR_MASK : PCI_ERR_UNCOR_MASK),
		       4, &mask);
	if (!__ratelimit(&d->rs_aer))
		return;
	if (cor)
		dev_warn(&d->udev.dev, "AER: PCIe Bus Error: severity=%s, device [%04x:%04x] error status/mask=%08x/%08x\n",
			 uvpci_aer_severity[severity], d->udev.vendor,
			 d->udev.device, status, mask);
	else
		dev_err(&d->udev.dev, "AER: PCIe Bus Error: severity=%s, device [%04x:%04x] error status/mask=%08x/%08x\n",
			uvpci_aer_severity[severity], d->udev.vendor,
			d->udev.device, status, mask);
}

/* Device Status' error bits, as pcie_clear_device_status(). */
static void uvpci_aer_clear_devsta(struct uvpci_device *d)
{
	u32 sta;

	uvpci_cfg_read(d, UVPCI_PCIE_CAP + PCI_EXP_DEVSTA, 2, &sta);
	if (sta != 0xffff)
		uvpci_cfg_write(d, UVPCI_PCIE_CAP + PCI_EXP_DEVSTA, 2, sta);
}

/*
 * As 6.1's aer.c handle_error_source() for a correctable error: logged
 * and cleared; no driver callback (struct pci_error_handlers has none).
 */
static void uvpci_aer_correctable(struct uvpci_device *d)
{
	u32 status;

	uvpci_aer_print(d, UVPCI_AER_CORRECTABLE);
	uvpci_cfg_read(d, UVPCI_AER_CAP + PCI_ERR_COR_STATUS, 4, &status);
	if (status != ~0U)
		uvpci_cfg_write(d, UVPCI_AER_CAP + PCI_ERR_COR_STATUS, 4, status);
	uvpci_aer_clear_devsta(d);
}

/* As pcie_do_recovery() for one endpoint; the device lock held. */
static void uvpci_aer_recover(struct uvpci_device *d, pci_channel_state_t state)
{
	const struct uvpci_error_handlers *eh = uvpci_aer_handlers(&d->udev);
	struct uvpci_dev *udev = &d->udev;
	pci_ers_result_t status = PCI_ERS_RESULT_CAN_RECOVER, vote;

	uvpci_aer_print(d, state == pci_channel_io_frozen ?
			UVPCI_AER_FATAL : UVPCI_AER_NONFATAL);
	/* report_error_detected() */
	if (uvpci_is_gone(d)) {
		vote = PCI_ERS_RESULT_DISCONNECT;
	} else if (!uvpci_aer_set_state(udev, state)) {
		dev_info(&udev->dev, "AER: can't recover (state transition %u -> %u invalid)\n",
			 udev->error_state, state);
		vote = PCI_ERS_RESULT_NONE;
	} else if (!eh || !eh->error_detected) {
		dev_info(&udev->dev, "AER: can't recover (no error_detected callback)\n");
		vote = PCI_ERS_RESULT_NO_AER_DRIVER;
	} else {
		vote = eh->error_detected(udev, state);
	}
	status = uvpci_aer_merge(status, vote);

	/* aer_root_reset(): the link's reset is the function's, here an FLR. */
	if (state == pci_channel_io_frozen) {
		if (uvpcie_flr(udev)) {
			dev_warn(&udev->dev, "AER: device reset failed\n");
			goto failed;
		}
	}

	if (status == PCI_ERS_RESULT_CAN_RECOVER) {
		status = PCI_ERS_RESULT_RECOVERED;
		if (eh && eh->mmio_enabled)
			status = uvpci_aer_merge(status, eh->mmio_enabled(udev));
	}
	if (status == PCI_ERS_RESULT_NEED_RESET) {
		status = PCI_ERS_RESULT_RECOVERED;
		if (eh && eh->slot_reset)
			status = uvpci_aer_merge(status, eh->slot_reset(udev));
	}
	if (status != PCI_ERS_RESULT_RECOVERED)
		goto failed;

	/* report_resume() */
	if (uvpci_aer_set_state(udev, pci_channel_io_normal) && eh && eh->resume)
		eh->resume(udev);
	uvpci_aer_clear_devsta(d);
	uvpci_aer_clear_nonfatal_status(udev);
	dev_info(&udev->dev, "AER: device recovery successful\n");
	return;

failed:
	/* report_perm_failure_detected() */
	uvpci_aer_set_state(udev, pci_channel_io_perm_failure);
	if (eh && eh->error_detected)
		eh->error_detected(udev, pci_channel_io_perm_failure);
	dev_info(&udev->dev, "AER: device recovery failed\n");
}

static void uvpci_aer_work(struct work_struct *work)
{
	struct uvpci_device *d = container_of(work, struct uvpci_device, aer_work);
	u32 cor, nonfatal, fatal;

	spin_lock_irq(&d->aer_lock);
	cor = d->aer_cor;
	nonfatal = d->aer_nonfatal;
	fatal = d->aer_fatal;
	d->aer_cor = 0;
	d->aer_nonfatal = 0;
	d->aer_fatal = 0;
	spin_unlock_irq(&d->aer_lock);

	/* As err.c: the driver cannot be unbound while its callbacks run. */
	device_lock(&d->udev.dev);
	if (cor)
		uvpci_aer_correctable(d);
	if (fatal)
		uvpci_aer_recover(d, pci_channel_io_frozen);
	else if (nonfatal)
		uvpci_aer_recover(d, pci_channel_io_normal);
	device_unlock(&d->udev.dev);
}

/**
 * uvpci_aer_rx() - UVPCI_MSG_AER from a port.
 * @d:   the device
 * @msg: the message
 *
 * Atomic context: logs the error in config space and queues its report.
 * Return: 0 (also for an error masked or whose report is disabled, which
 * the device logs but does not report; one line says so); -EINVAL
 * (malformed): logged (rate-limited) and counted.
 */
int uvpci_aer_rx(struct uvpci_device *d, const struct uvbus_msg *msg)
{
	const struct uvpci_aer *a = &msg->aer;
	unsigned long flags;
	const char *why;
	bool reported;
	u32 bits;

	if (memchr_inv(a->reserved0, 0, sizeof(a->reserved0)) ||
	    a->reserved1[0] || a->reserved1[1]) {
		why = "reserved field set";
	} else if (a->severity > UVPCI_AER_FATAL) {
		why = "severity neither correctable, non-fatal nor fatal";
	} else if (!a->status) {
		why = "no status bit set";
	} else if (a->status & ~(a->severity == UVPCI_AER_CORRECTABLE ?
				 UVPCI_AER_COR_BITS : UVPCI_AER_UNC_BITS)) {
		why = "status bits the register does not have";
	} else if (uvpci_cfg_aer_log(d, a->severity, a->status, &bits, &reported)) {
		why = "an unmasked bit's Uncorrectable Error Severity is not the one sent";
	} else {
		atomic64_inc(&d->stats.aer);
		if (!bits || !reported) {
			if (__ratelimit(&d->rs_aer))
				dev_info(&d->udev.dev, "AER: %s error %#010x logged, not reported: %s\n",
					 uvpci_aer_severity[a->severity], a->status,
					 !bits ? "masked" : a->severity == UVPCI_AER_CORRECTABLE ?
					 "Correctable Error Reporting Enable is off" :
					 a->severity == UVPCI_AER_NONFATAL ?
					 "Non-Fatal Error Reporting Enable is off" :
					 "Fatal Error Reporting Enable is off");
			return 0;
		}
		spin_lock_irqsave(&d->aer_lock, flags);
		if (!d->aer_dead) {
			if (a->severity == UVPCI_AER_CORRECTABLE)
				d->aer_cor |= bits;
			else if (a->severity == UVPCI_AER_NONFATAL)
				d->aer_nonfatal |= bits;
			else
				d->aer_fatal |= bits;
			schedule_work(&d->aer_work);
		}
		spin_unlock_irqrestore(&d->aer_lock, flags);
		return 0;
	}
	atomic64_inc(&d->stats.aer_refused);
	uvpci_rl(err, d, &d->rs_dev, "AER severity %u status %#010x refused: %s\n",
		 a->severity, a->status, why);
	return -EINVAL;
}

/**
 * uvpci_aer_init() - a new device: no error waiting.
 * @d: the device
 */
void uvpci_aer_init(struct uvpci_device *d)
{
	spin_lock_init(&d->aer_lock);
	INIT_WORK(&d->aer_work, uvpci_aer_work);
	ratelimit_state_init(&d->rs_aer, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
}

/**
 * uvpci_aer_fini() - the device goes: queue nothing more, wait for the
 * report running. Process context, the device lock not held.
 * @d: the device
 */
void uvpci_aer_fini(struct uvpci_device *d)
{
	spin_lock_irq(&d->aer_lock);
	d->aer_dead = true;
	spin_unlock_irq(&d->aer_lock);
	cancel_work_sync(&d->aer_work);
}
