// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvmsi-fire - raise an MSI from the device side of a uvPCI device, as the
 * device would: the driver's handler for that vector runs (if the driver
 * enabled it). Attaches as an auxiliary port, so it works while a model
 * runs; waits for the host's verdict before exiting. See uvmsi-fire(8).
 */
#include <argtable2.h>
#include <errno.h>
#include <stdio.h>

#include "libuvnic.h"
#include "uvpci-cli.h"

int main(int argc, char **argv)
{
	struct arg_str *dev = arg_str1(NULL, NULL, "DEV", "uvPCI device (channel) name");
	struct arg_str *vec = arg_str1(NULL, NULL, "VECTOR",
				       "MSI vector, 0 to the device's count - 1 (decimal or 0x hex)");
	struct arg_end *end = arg_end(5);
	void *table[] = { dev, vec, end };
	const struct uvnic_cli_syntax syntax[] = {
		{ NULL, NULL, table, ARRAY_SIZE(table) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvmsi-fire",
		.purpose = "Fire MSI vector VECTOR of a uvPCI device from the device side, after\n"
			   "its earlier DMA has landed. Works while a device model runs. Quiet.",
		.epilog = "Exit status: 0 when the host accepted the MSI, 1 otherwise (one line\n"
			  "on stderr). See uvmsi-fire(8).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	struct uvpci_params params;
	struct uvpci_device *d;
	const char *name, *why;
	unsigned int v;
	int rc;

	uvnic_cli_parse(&cli, argc, argv);
	name = uvnic_cli_name(dev->sval[0]);
	v = (unsigned int)uvnic_cli_number("VECTOR", vec->sval[0], 0, UVPCI_MAX_MSI - 1);

	d = uvpci_cli_device_open(name, 0);
	uvpci_device_params(d, &params);
	rc = uvpci_msi_fire(d, v);
	if (rc == -ERANGE) {
		if (!params.msi_count)
			uvnic_die("%s: MSI vector %u out of range: the device has no MSI vectors (create it with --msi COUNT)",
				  name, v);
		uvnic_die("%s: MSI vector %u out of range: the device has %u (0 to %u)",
			  name, v, params.msi_count, params.msi_count - 1);
	}
	if (!rc)
		rc = uvpci_device_sync(d);
	if (rc) {
		why = uvpci_cli_refusal(rc, -1);
		if (why)
			uvnic_die("%s: MSI vector %u: %s", name, v, why);
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "%s: MSI vector %u", name, v);
	}
	uvpci_device_close(d);
	uvnic_cli_free(&cli);
	return 0;
}
