/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uvpci-cli.h - command-line support shared by the uvPCI tools (uvpci-peek,
 * uvpci-poke, uvdma-inject, uvmsi-fire): the steps every one of them takes,
 * each ending the program with one clear line when it fails. Built on the
 * CLI support in libuvnic.h: call them after uvnic_cli_parse(). Included
 * by libuvnic.h.
 */
#ifndef UVPCI_CLI_H
#define UVPCI_CLI_H

#include <stdint.h>

#include "uvbus.h"
#include "uvpci-regspec.h"

#ifdef __cplusplus
extern "C" {
#endif

struct uvpci_device;

/**
 * uvpci_cli_regspec() - uvpci_regspec_parse() of a command-line argument,
 * or uvnic_usage_die() with "PROG: 'SPEC': reason".
 * @flags: UVPCI_REGSPEC_NO_VALUE or UVPCI_REGSPEC_NEED_VALUE
 */
void uvpci_cli_regspec(const char *str, unsigned int flags,
		       struct uvpci_regspec *spec);

/**
 * uvpci_cli_params() - the identity and BARs of uvPCI device @name, or
 * uvnic_die() naming it: "PROG: NAME: ... (no such channel)",
 * "PROG: NAME: not a uvPCI device (a loopback channel)".
 * @fd: from uvnic_cli_open_bus()
 */
void uvpci_cli_params(int fd, const char *name, struct uvpci_params *params);

/**
 * uvpci_cli_regspec_check() - uvpci_regspec_check() against the device's
 * BAR sizes, or uvnic_die() with "PROG: NAME: 'SPEC': reason".
 */
void uvpci_cli_regspec_check(const char *name, const char *str,
			     const struct uvpci_regspec *spec,
			     const struct uvpci_params *params);

/**
 * uvpci_cli_device_open() - uvpci_device_open(), or uvnic_die() with
 * "PROG: NAME: cannot attach: reason (hint)".
 * @return the device
 */
struct uvpci_device *uvpci_cli_device_open(const char *name, unsigned int flags);

/**
 * uvpci_cli_refusal() - why the host refused a device request, in words,
 * for an error from uvpci_device_sync() or uvpci_dma_read().
 * @err:   the -errno
 * @write: 1 for a DMA write, 0 for a DMA read, -1 for an MSI
 * @return "refused by the host (outside its DMA mappings)" and the like,
 *         or NULL when @err is not a refusal (then print uvnic_strerror()).
 */
const char *uvpci_cli_refusal(int err, int write);

#ifdef __cplusplus
}
#endif

#endif /* UVPCI_CLI_H */
