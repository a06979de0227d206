// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvpci-create - create, destroy and reset uvPCI devices, and peek/poke
 * their registers, through the raw /dev/uvbus ABI (kernel/uapi/uvbus.h and
 * libc only). A test helper for t/kernel/uvpci-core.bats, standing in for
 * uvbus-ctl and uvpci-peek/poke.
 *
 *   uvpci-create create NAME [--vendor V] [--device D] [--subsystem V:D]
 *                [--class C] [--revision R] [--bar N:SIZE[:64][:prefetch]]...
 *                [--msi COUNT] [--msix COUNT:BAR:OFFSET] [--intx PIN]
 *                [--timeout-us US] [--raw-reserved]
 *   uvpci-create destroy NAME
 *   uvpci-create reset NAME
 *   uvpci-create peek NAME BAR OFFSET SIZE      prints 0x... (2*SIZE digits)
 *   uvpci-create poke NAME BAR OFFSET SIZE VALUE
 *   uvpci-create serve      run command lines read from stdin (helper.h),
 *                           each answered by "=== STATUS"
 *
 * Numbers may be decimal or 0x-hex. Defaults: vendor 0x5556, device 1, no
 * BAR, no MSI. Exit 0 on success; on an ioctl error prints
 * "uvpci-create: CMD: ENAME (message)" to stderr and exits 1; bad usage
 * exits 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uvbus.h"

static const char *const helper_prog = "uvpci-create";

#include "helper.h"

static const char *cmd = "";

__attribute__((noreturn, format(printf, 1, 2)))
static void usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "uvpci-create %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

__attribute__((noreturn))
static void ioctl_failed(int err)
{
	const char *name = strerrorname_np(err);

	fprintf(stderr, "uvpci-create: %s: %s (%s)\n", cmd, name ? name : "?",
		strerror(err));
	exit(1);
}

static uint64_t number(const char *s, const char *what, uint64_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max)
		usage("bad %s '%s'", what, s);
	return v;
}

static void set_name(char *field, const char *name)
{
	if (strlen(name) >= UVBUS_NAME_MAX)
		usage("name too long: '%s'", name);
	memset(field, 0, UVBUS_NAME_MAX);
	memcpy(field, name, strlen(name));
}

static int dev_open(void)
{
	int fd = open(UVBUS_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "uvpci-create: open %s: %s\n", UVBUS_DEVICE_PATH,
			strerror(errno));
		exit(1);
	}
	return fd;
}

static void do_ioctl(unsigned long req, void *arg)
{
	int fd = dev_open();

	if (ioctl(fd, req, arg))
		ioctl_failed(errno);
	close(fd);
}

/* N:SIZE[:64][:prefetch] */
static void parse_bar(struct uvpci_params *p, char *spec)
{
	char *save = NULL, *tok;
	unsigned int n;

	tok = strtok_r(spec, ":", &save);
	if (!tok)
		usage("bad --bar");
	n = number(tok, "BAR number", UVPCI_NUM_BARS - 1);
	tok = strtok_r(NULL, ":", &save);
	if (!tok)
		usage("--bar %u: no size", n);
	p->bar[n].size = number(tok, "BAR size", UINT64_MAX);
	while ((tok = strtok_r(NULL, ":", &save))) {
		if (!strcmp(tok, "64"))
			p->bar[n].flags |= UVPCI_BAR_64;
		else if (!strcmp(tok, "prefetch"))
			p->bar[n].flags |= UVPCI_BAR_PREFETCH;
		else
			p->bar[n].flags |= number(tok, "BAR flags", UINT32_MAX);
	}
}

static void cmd_create(int argc, char **argv)
{
	struct uvbus_create c;
	struct uvpci_params *p = &c.pci;
	int i;

	if (argc < 1)
		usage("needs NAME");
	memset(&c, 0, sizeof(c));
	set_name(c.name, argv[0]);
	c.type = UVBUS_TYPE_UVPCI;
	p->vendor = 0x5556;
	p->device = 0x0001;
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];
		char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(opt, "--raw-reserved")) {
			p->reserved1[0] = 1;
			continue;
		}
		if (!val)
			usage("%s needs a value", opt);
		i++;
		if (!strcmp(opt, "--vendor")) {
			p->vendor = number(val, "vendor", 0xffff);
		} else if (!strcmp(opt, "--device")) {
			p->device = number(val, "device", 0xffff);
		} else if (!strcmp(opt, "--subsystem")) {
			char *colon = strchr(val, ':');

			if (!colon)
				usage("--subsystem V:D");
			*colon = 0;
			p->subvendor = number(val, "subsystem vendor", 0xffff);
			p->subdevice = number(colon + 1, "subsystem device", 0xffff);
		} else if (!strcmp(opt, "--class")) {
			p->class_code = number(val, "class", UINT32_MAX);
		} else if (!strcmp(opt, "--revision")) {
			p->revision = number(val, "revision", 0xff);
		} else if (!strcmp(opt, "--bar")) {
			parse_bar(p, val);
		} else if (!strcmp(opt, "--msi")) {
			p->msi_count = number(val, "MSI count", 0xff);
		} else if (!strcmp(opt, "--msix")) {
			char *c1 = strchr(val, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

			if (!c1 || !c2)
				usage("--msix COUNT:BAR:OFFSET");
			*c1 = *c2 = 0;
			p->msix_count = number(val, "MSI-X count", 0xffff);
			p->msix_bar = number(c1 + 1, "MSI-X BAR", 0xff);
			p->msix_offset = number(c2 + 1, "MSI-X offset", UINT32_MAX);
		} else if (!strcmp(opt, "--intx")) {
			p->intx_pin = number(val, "interrupt pin", 0xff);
		} else if (!strcmp(opt, "--timeout-us")) {
			p->timeout_us = number(val, "timeout", UINT32_MAX);
		} else {
			usage("unknown option '%s'", opt);
		}
	}
	do_ioctl(UVBUS_IOC_CREATE, &c);
}

static void cmd_name(unsigned long req, int argc, char **argv)
{
	struct uvbus_name n;

	if (argc != 1)
		usage("needs NAME");
	memset(&n, 0, sizeof(n));
	set_name(n.name, argv[0]);
	do_ioctl(req, &n);
}

static void cmd_mmio(int write, int argc, char **argv)
{
	struct uvpci_mmio_req r;

	if (argc != 4 + write)
		usage("needs NAME BAR OFFSET SIZE%s", write ? " VALUE" : "");
	memset(&r, 0, sizeof(r));
	set_name(r.name, argv[0]);
	r.bar = number(argv[1], "BAR", 0xff);
	r.offset = number(argv[2], "offset", UINT64_MAX);
	r.size = number(argv[3], "size", 0xff);
	r.write = write;
	if (write)
		r.value = number(argv[4], "value", UINT64_MAX);
	do_ioctl(UVPCI_IOC_MMIO, &r);
	if (!write)
		printf("0x%0*" PRIx64 "\n", r.size * 2 > 16 ? 16 : r.size * 2,
		       (uint64_t)r.value);
}

static int run(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: uvpci-create create|destroy|reset|peek|poke NAME ...\n");
		return 2;
	}
	cmd = helper_cmd = argv[1];
	if (!strcmp(cmd, "create"))
		cmd_create(argc - 2, argv + 2);
	else if (!strcmp(cmd, "destroy"))
		cmd_name(UVBUS_IOC_DESTROY, argc - 2, argv + 2);
	else if (!strcmp(cmd, "reset"))
		cmd_name(UVBUS_IOC_RESET, argc - 2, argv + 2);
	else if (!strcmp(cmd, "peek"))
		cmd_mmio(0, argc - 2, argv + 2);
	else if (!strcmp(cmd, "poke"))
		cmd_mmio(1, argc - 2, argv + 2);
	else
		usage("unknown command");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "serve")) {
		cmd = helper_cmd = "serve";
		return helper_serve(run, argv[0]);
	}
	return run(argc, argv);
}
