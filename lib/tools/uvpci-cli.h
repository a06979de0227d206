/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uvpci-cli.h - command-line support shared by the uvPCI tools (uvpci-peek,
 * uvpci-poke, uvdma-inject, uvmsi-fire): the steps every one of them takes,
 * each ending the program with one clear line when it fails. Built on the
 * CLI support in libuvnic.h: call them after uvnic_cli_parse(). Included
 * by the tools (not installed: the library's own, not its API).
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
 * uvpci_cli_regspecs() - the register arguments of uvpci-peek/uvpci-poke,
 * every one parsed and checked against device @name's BARs before the
 * first access; or uvnic_usage_die() with "PROG: 'SPEC': reason" for bad
 * syntax, uvnic_die() with "PROG: NAME: ..." for no such device, not a
 * uvPCI device, or a register outside its BAR.
 * @strs: @n arguments, BAR:OFFSET[.WIDTH][=VALUE[:MASK]]
 * @flags: UVPCI_REGSPEC_NO_VALUE or UVPCI_REGSPEC_NEED_VALUE
 * @fd: set to /dev/uvbus, open, for the accesses that follow
 * @return @n specs, to free()
 */
struct uvpci_regspec *uvpci_cli_regspecs(const char *name,
					 const char **strs, int n,
					 unsigned int flags, int *fd);

struct uvregmap;

/**
 * uvpci_cli_regspecs_map() - uvpci_cli_regspecs() where an argument may
 * also name a register of @map (uvregmap_regspec()): "CTRL=1".
 * @map: a register map (uvregmap(5)), or NULL: as uvpci_cli_regspecs()
 */
struct uvpci_regspec *uvpci_cli_regspecs_map(const char *name,
					     const struct uvregmap *map,
					     const char **strs, int n,
					     unsigned int flags, int *fd);

/**
 * uvpci_cli_map() - the map of a --map option: uvregmap_load(), or
 * uvnic_die() with "PROG: FILE:LINE: reason".
 * @path: the file, or NULL: no map
 * @return the map (to uvregmap_free()), or NULL when @path is NULL
 */
struct uvregmap *uvpci_cli_map(const char *path);

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

/**
 * uvpci_cli_pin_cpu() - a device model's --cpu N|auto|here|any.
 * @arg: a CPU number; "auto" or NULL (the default): the first CPU the
 *       kernel isolated from the scheduler (isolcpus=, as uvnic-vm's
 *       --model-cpus gives), else as "here"; "here": the CPU it runs on
 *       now, when there are two or more; "any": do not pin.
 *
 * A driver that reads a register where it cannot sleep (an IRQ handler,
 * NAPI, a spinlocked section) spins until the model answers, so the model
 * needs a CPU that no such section spins on. uvPCI delivers the model's
 * interrupts to another CPU than the model's; a model free to move could
 * be queued on the spinning CPU (it looks idle under a softirq) and wait
 * there until the read timed out. Only a CPU of its own is safe from
 * every spinning section (a driver's watchdog under its stats lock, say).
 * Bad @arg: uvnic_usage_die(); a refusal: uvnic_die().
 */
void uvpci_cli_pin_cpu(const char *arg);

#ifdef __cplusplus
}
#endif

#endif /* UVPCI_CLI_H */
