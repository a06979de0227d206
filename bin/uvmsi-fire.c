// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvmsi-fire - raise an MSI (or MSI-X), or assert or deassert INTx, from
 * the device side of a uvPCI device, as the device would: the driver's
 * handler for that vector or line runs (if the driver enabled it); or
 * report an error through the device's AER capability.
 * Attaches as an auxiliary port, so it works while a model runs; waits
 * for the host's verdict before exiting. --msix-state shows what the
 * device sees of its MSI-X table: masked and pending entries. See
 * uvmsi-fire(8).
 */
#include <argtable2.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libuvnic.h"
#include "uvpci-cli.h"

/* uvmsi-fire DEV --intx assert|deassert */
static int intx(const char *name, const char *level)
{
	struct uvpci_device *d;
	const char *why;
	int on, rc;

	if (!strcmp(level, "assert"))
		on = 1;
	else if (!strcmp(level, "deassert"))
		on = 0;
	else
		uvnic_usage_die("invalid --intx '%s': assert or deassert", level);

	d = uvpci_cli_device_open(name, 0);
	rc = uvpci_intx_set(d, on);
	if (rc == -ERANGE)
		uvnic_die("%s: INTx %s: the device has no interrupt pin (create it with --intx)",
			  name, level);
	if (!rc)
		rc = uvpci_device_sync(d);
	if (rc) {
		why = uvpci_cli_refusal(rc, -1);
		if (why && rc != -ERANGE && rc != -EPERM)
			uvnic_die("%s: INTx %s: %s", name, level, why);
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "%s: INTx %s", name, level);
	}
	uvpci_device_close(d);
	return 0;
}

/* uvmsi-fire DEV --aer correctable|nonfatal|fatal[:BITS] */
static int aer(const char *name, const char *spec)
{
	static const struct {
		const char *name;
		unsigned int severity;
		uint32_t bits, valid;	/* the default bit, the register's */
		const char *reg;
	} kinds[] = {
		/* Receiver Error; Completion Timeout; Data Link Protocol Error */
		{ "correctable", UVPCI_AER_CORRECTABLE, 0x1, UVPCI_AER_COR_BITS, "Correctable" },
		{ "nonfatal", UVPCI_AER_NONFATAL, 0x4000, UVPCI_AER_UNC_BITS, "Uncorrectable" },
		{ "fatal", UVPCI_AER_FATAL, 0x10, UVPCI_AER_UNC_BITS, "Uncorrectable" },
	};
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	struct uvpci_device *d;
	unsigned int i;
	uint32_t bits;
	const char *why;
	int rc;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strlen(kinds[i].name) == len && !strncmp(spec, kinds[i].name, len))
			break;
	if (i == ARRAY_SIZE(kinds))
		uvnic_usage_die("invalid --aer '%s': correctable, nonfatal or fatal, then :BITS if you like",
				spec);
	bits = kinds[i].bits;
	if (colon)
		bits = (uint32_t)uvnic_cli_number("--aer status bits", colon + 1, 1, 0xffffffff);
	if (bits & ~kinds[i].valid)
		uvnic_usage_die("invalid --aer '%s': bits 0x%08x are not in %s Error Status (0x%08x)",
				spec, bits & ~kinds[i].valid, kinds[i].reg, kinds[i].valid);

	d = uvpci_cli_device_open(name, 0);
	rc = uvpci_aer_report(d, kinds[i].severity, bits);
	if (!rc)
		rc = uvpci_device_sync(d);
	if (rc == -EINVAL)
		uvnic_die("%s: AER %s 0x%08x: refused by the host (an unmasked bit's Uncorrectable Error Severity is not %s: see the kernel log)",
			  name, kinds[i].name, bits, kinds[i].name);
	if (rc) {
		why = uvpci_cli_refusal(rc, -1);
		if (why && rc == -ENODEV)
			uvnic_die("%s: AER %s: %s", name, kinds[i].name, why);
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "%s: AER %s", name, kinds[i].name);
	}
	uvpci_device_close(d);
	return 0;
}

/* The set bits of @bits (@n of them) as "0 2-5 9", or "none". */
static void print_entries(const char *what, const __u64 *bits, unsigned int n)
{
	unsigned int e = 0, start;
	int any = 0;

	printf("%s:", what);
	while (e < n) {
		if (!(bits[e / 64] >> (e % 64) & 1)) {
			e++;
			continue;
		}
		start = e;
		while (e < n && (bits[e / 64] >> (e % 64) & 1))
			e++;
		if (e - 1 > start)
			printf(" %u-%u", start, e - 1);
		else
			printf(" %u", start);
		any = 1;
	}
	printf("%s\n", any ? "" : " none");
}

/* uvmsi-fire DEV --msix-state */
static int msix_state(const char *name)
{
	struct uvpci_msix_state st;
	int fd = uvnic_cli_open_bus(), rc;

	rc = uvpci_msix_state(fd, name, &st);
	close(fd);
	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "%s: MSI-X state", name);
	if (!st.count)
		uvnic_die("%s: the device has no MSI-X table (create it with --msix COUNT)",
			  name);
	printf("msix: %u entries, %s, function mask %s\n", st.count,
	       st.flags & UVPCI_MSIX_ENABLED ? "enabled" : "disabled",
	       st.flags & UVPCI_MSIX_MASKALL ? "on" : "off");
	print_entries("masked", st.mask, st.count);
	print_entries("pending", st.pending, st.count);
	return 0;
}

int main(int argc, char **argv)
{
	struct arg_str *dev = arg_str1(NULL, NULL, "DEV", "uvPCI device (channel) name");
	struct arg_str *vec = arg_str1(NULL, NULL, "VECTOR",
				       "MSI vector, 0 to the device's count - 1 (decimal or 0x hex); the MSI-X table entry while the driver has MSI-X enabled");
	struct arg_end *end = arg_end(5);
	void *table[] = { dev, vec, end };
	struct arg_str *idev = arg_str1(NULL, NULL, "DEV", "uvPCI device (channel) name");
	struct arg_str *level = arg_str1(NULL, "intx", "assert|deassert",
					 "drive the device's INTx level instead (a device created with --intx)");
	struct arg_end *iend = arg_end(5);
	void *itable[] = { idev, level, iend };
	struct arg_str *sdev = arg_str1(NULL, NULL, "DEV", "uvPCI device (channel) name");
	struct arg_lit *state = arg_lit1(NULL, "msix-state",
					 "print the device's MSI-X table state instead: entries masked, entries pending");
	struct arg_end *send = arg_end(5);
	void *stable[] = { sdev, state, send };
	struct arg_str *adev = arg_str1(NULL, NULL, "DEV", "uvPCI device (channel) name");
	struct arg_str *kind = arg_str1(NULL, "aer", "correctable|nonfatal|fatal[:BITS]",
					"report an error through the device's AER capability instead: BITS (default 0x1, 0x4000, 0x10) in its Correctable or Uncorrectable Error Status; the driver's err_handler runs");
	struct arg_end *aend = arg_end(5);
	void *atable[] = { adev, kind, aend };
	const struct uvnic_cli_syntax syntax[] = {
		{ NULL, NULL, table, ARRAY_SIZE(table) },
		{ NULL, NULL, itable, ARRAY_SIZE(itable) },
		{ NULL, NULL, stable, ARRAY_SIZE(stable) },
		{ NULL, NULL, atable, ARRAY_SIZE(atable) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvmsi-fire",
		.purpose = "Fire MSI vector VECTOR of a uvPCI device from the device side, after\n"
			   "its earlier DMA has landed (MSI-X table entry VECTOR while the driver\n"
			   "has MSI-X enabled: held pending while it is masked); or assert or\n"
			   "deassert its INTx level (the driver's handler runs while it is\n"
			   "asserted); or show its MSI-X mask and pending bits; or report a\n"
			   "correctable, non-fatal or fatal error through its AER capability (the\n"
			   "driver's err_handler runs, as Linux's AER driver runs it). Works while\n"
			   "a device model runs. Quiet, but for --msix-state.",
		.epilog = "Exit status: 0 when the host accepted the MSI, the level or the error,\n"
			  "1 otherwise "
			  "(one line on stderr). See uvmsi-fire(8).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	struct uvpci_params params;
	struct uvpci_device *d;
	const char *name, *why;
	unsigned int v;
	int rc;

	switch (uvnic_cli_parse(&cli, argc, argv)) {
	case 1:
		rc = intx(uvnic_cli_name(idev->sval[0]), level->sval[0]);
		uvnic_cli_free(&cli);
		return rc;
	case 2:
		rc = msix_state(uvnic_cli_name(sdev->sval[0]));
		uvnic_cli_free(&cli);
		return rc;
	case 3:
		rc = aer(uvnic_cli_name(adev->sval[0]), kind->sval[0]);
		uvnic_cli_free(&cli);
		return rc;
	}
	name = uvnic_cli_name(dev->sval[0]);
	v = (unsigned int)uvnic_cli_number("VECTOR", vec->sval[0], 0, UVPCI_MAX_MSIX - 1);

	d = uvpci_cli_device_open(name, 0);
	uvpci_device_params(d, &params);
	rc = uvpci_msi_fire(d, v);
	if (rc == -ERANGE) {
		unsigned int n = params.msi_count > params.msix_count ?
				 params.msi_count : params.msix_count;

		if (!n)
			uvnic_die("%s: MSI vector %u out of range: the device has no MSI vectors (create it with --msi COUNT or --msix COUNT)",
				  name, v);
		uvnic_die("%s: MSI vector %u out of range: the device has %u (0 to %u)",
			  name, v, n, n - 1);
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
