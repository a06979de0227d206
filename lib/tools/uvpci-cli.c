// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * uvpci-cli.c - the command-line steps the uvPCI tools share
 * (uvpci-cli.h): register specs, a device's parameters, attaching, and
 * the host's refusals in words. Each step ends the program with one line
 * through libuvnic's uvnic_die() family when it fails.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "libuvnic.h"
#include "uvpci-cli.h"
#include "uvregmap.h"

struct uvregmap *uvpci_cli_map(const char *path)
{
	char err[UVREGMAP_ERR_MAX];
	struct uvregmap *map;

	if (!path)
		return NULL;
	if (uvregmap_load(path, &map, err, sizeof(err)))
		uvnic_die("--map %s", err);
	return map;
}

struct uvpci_regspec *uvpci_cli_regspecs(const char *name,
					 const char **strs, int n,
					 unsigned int flags, int *fd)
{
	return uvpci_cli_regspecs_map(name, NULL, strs, n, flags, fd);
}

struct uvpci_regspec *uvpci_cli_regspecs_map(const char *name,
					     const struct uvregmap *map,
					     const char **strs, int n,
					     unsigned int flags, int *fd)
{
	char why[UVREGMAP_ERR_MAX];
	struct uvpci_regspec *specs;
	struct uvbus_info info;
	int i, rc;

	specs = calloc((size_t)n, sizeof(*specs));
	if (!specs)
		uvnic_die("out of memory");
	/* Syntax first, for every argument: no device needed to judge it. */
	for (i = 0; i < n; i++)
		if (uvregmap_regspec(map, strs[i], flags, &specs[i], why, sizeof(why)))
			uvnic_usage_die("'%s': %s", strs[i], why);

	*fd = uvnic_cli_open_bus();
	rc = uvbus_info(*fd, name, &info);
	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "%s", name);
	if (info.type != UVBUS_TYPE_UVPCI)
		uvnic_die("%s: not a uvPCI device (a %s channel)", name,
			  uvbus_type_name(info.type));
	for (i = 0; i < n; i++)
		if (uvpci_regspec_check(&specs[i], info.pci.bar[specs[i].bar].size,
					why, sizeof(why)))
			uvnic_die("%s: '%s': %s", name, strs[i], why);
	return specs;
}

struct uvpci_device *uvpci_cli_device_open(const char *name, unsigned int flags)
{
	struct uvpci_device *dev;
	int rc;

	/* "cannot open /dev/uvbus" first, so that it is not taken for the device. */
	close(uvnic_cli_open_bus());
	rc = uvpci_device_open(name, flags, &dev);
	if (rc == -EINVAL)
		uvnic_die("%s: cannot attach: not a uvPCI device", name);
	if (rc == -EBUSY)
		uvnic_die("%s: cannot attach: another device model is attached", name);
	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "%s: cannot attach", name);
	return dev;
}

const char *uvpci_cli_refusal(int err, int write)
{
	switch (err) {
	case -EFAULT:
		return "refused by the host (outside its DMA mappings)";
	case -EACCES:
		return write ? "refused by the host (the mapping is read-only for the device: DMA_TO_DEVICE)" :
			       "refused by the host (the mapping is write-only for the device: DMA_FROM_DEVICE)";
	case -EPERM:
		return write < 0 ? "refused by the host (MSI not enabled by the driver)" :
				   "refused by the host (bus mastering is off: no driver enabled it)";
	case -ERANGE:
		return "refused by the host (vector not enabled by the driver)";
	case -ENODEV:
		return "refused by the host (the device model is gone: reset the device with 'uvbus-ctl reset')";
	case -EINVAL:
		return "refused by the host (malformed request: see the kernel log)";
	}
	return NULL;
}

/*
 * The first CPU of /sys/devices/system/cpu/isolated (a cpulist such as
 * "2" or "2-3,6"), which the kernel keeps off the scheduler's hands
 * (isolcpus=), or -1 when there is none.
 */
static long uvpci_cli_isolated_cpu(void)
{
	char buf[64], *end;
	long n = -1;
	FILE *f;

	f = fopen("/sys/devices/system/cpu/isolated", "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && buf[0] >= '0' && buf[0] <= '9') {
		errno = 0;
		n = strtol(buf, &end, 10);
		if (errno || n >= CPU_SETSIZE || (*end && !strchr(",-\n", *end)))
			n = -1;
	}
	fclose(f);
	return n;
}

static int uvpci_cli_set_cpu(long n)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(n, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* See uvpci-cli.h: why a model stays on one CPU, and which. */
void uvpci_cli_pin_cpu(const char *arg)
{
	long n;
	uint64_t v;
	int rc;

	if (!arg || !strcmp(arg, "auto")) {
		n = uvpci_cli_isolated_cpu();
		/* (Outside our cpuset, say: then as if none were isolated.) */
		if (n >= 0 && !uvpci_cli_set_cpu(n))
			return;
		arg = "here";
	}
	if (!strcmp(arg, "any"))
		return;
	if (!strcmp(arg, "here")) {
		if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
			return;
		n = sched_getcpu();
		if (n < 0)
			return;
	} else {
		rc = uvnic_parse_u64(arg, CPU_SETSIZE - 1, &v);
		if (rc == -ERANGE)
			uvnic_usage_die("invalid --cpu '%s': out of range (0 to %d), or auto, here, any",
					arg, CPU_SETSIZE - 1);
		if (rc)
			uvnic_usage_die("invalid --cpu '%s': %s, or auto, here, any", arg,
					uvnic_parse_why(arg, strlen(arg), rc));
		n = (long)v;
	}
	if (uvpci_cli_set_cpu(n))
		uvnic_die("cannot run on CPU %ld: %s", n, strerror(errno));
}
