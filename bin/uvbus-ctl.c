// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvbus-ctl - create, list, show, reset, release and destroy uvBus channels.
 *
 * One argtable2 syntax per command; libuvnic's uvnic_cli_parse() adds
 * -h/--help and --version and picks the syntax. See uvbus-ctl(8).
 */
#include <argtable2.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libuvnic.h"

#define MAXERR	5

/*
 * create. Options come in groups: the channel itself (NAME) and the
 * uvPCI device options (--vendor, --device, --class, --subsystem,
 * --revision, --bar, --msi, --intx, --timeout-us). A group adds its entries to
 * create_table[] and its step to create_request(); --vendor and --device
 * make the channel a uvPCI device instead of a loopback, and the other
 * uvPCI options need them.
 */
struct create_args {
	struct arg_str *name;
	struct arg_str *vendor;
	struct arg_str *device;
	struct arg_str *class_code;
	struct arg_str *subsystem;
	struct arg_str *revision;
	struct arg_str *bar;
	struct arg_str *msi;
	struct arg_str *msix;
	struct arg_lit *intx;
	struct arg_str *timeout;
	struct arg_lit *held;
};

/* A driver's name: MODULE_NAME_LEN (56) and its NUL fit. */
#define DRIVER_MAX	64

/* The kernel's limit on a read timeout (uvpci.ko): 10 s. */
#define PCI_TIMEOUT_MAX_US	10000000

/* A 16-bit ID in decimal or 0x hex, or a usage error naming @what. */
static uint16_t pci_id(const char *what, const char *s)
{
	return (uint16_t)uvnic_cli_number(what, s, 0, 0xffff);
}

/* --subsystem VENDOR:DEVICE */
static void pci_subsystem(const char *s, struct uvpci_params *p)
{
	const char *colon = strchr(s, ':');
	char vendor[32];
	uint64_t v, d;

	if (!colon || (size_t)(colon - s) >= sizeof(vendor))
		uvnic_usage_die("invalid --subsystem '%s': expected VENDOR:DEVICE, e.g. 0x5556:0x0001",
				s);
	memcpy(vendor, s, (size_t)(colon - s));
	vendor[colon - s] = '\0';
	if (uvnic_parse_u64(vendor, 0xffff, &v) || uvnic_parse_u64(colon + 1, 0xffff, &d))
		uvnic_usage_die("invalid --subsystem '%s': expected VENDOR:DEVICE, two numbers 0 to 0xffff",
				s);
	p->subvendor = (uint16_t)v;
	p->subdevice = (uint16_t)d;
}

/*
 * --bar N:SIZE[:64][:prefetch] or N:SIZE:io. A 64-bit BAR N also takes
 * slot N + 1, so slot 5 cannot hold one, and no other --bar may name
 * either slot. An I/O BAR is 16 to 256 bytes, neither 64-bit nor
 * prefetchable.
 */
static void pci_bar(const char *s, struct uvpci_params *p, unsigned int *used)
{
	char buf[64], *field[4], *save = NULL, *t;
	unsigned int n = 0, i, idx, flags = 0;
	uint64_t size;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		uvnic_usage_die("invalid --bar '%.40s...': too long", s);
	for (t = strtok_r(buf, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
		if (n == ARRAY_SIZE(field))
			uvnic_usage_die("invalid --bar '%s': expected N:SIZE[:64][:prefetch] or N:SIZE:io", s);
		field[n++] = t;
	}
	if (n < 2 || strchr(s, ':') == s || strstr(s, "::") || s[strlen(s) - 1] == ':')
		uvnic_usage_die("invalid --bar '%s': expected N:SIZE[:64][:prefetch] or N:SIZE:io", s);
	if (uvnic_parse_uint(field[0], 0, UVPCI_NUM_BARS - 1, &idx))
		uvnic_usage_die("invalid --bar '%s': BAR index '%s' is not 0 to %d", s,
				field[0], UVPCI_NUM_BARS - 1);
	if (uvnic_parse_u64(field[1], UINT64_MAX, &size) || size < 16 ||
	    (size & (size - 1)))
		uvnic_usage_die("invalid --bar '%s': size '%s' is not a power of two of at least 16 bytes",
				s, field[1]);
	for (i = 2; i < n; i++) {
		unsigned int f = !strcmp(field[i], "64") ? UVPCI_BAR_64 :
				 !strcmp(field[i], "prefetch") ? UVPCI_BAR_PREFETCH :
				 !strcmp(field[i], "io") ? UVPCI_BAR_IO : 0;

		if (!f)
			uvnic_usage_die("invalid --bar '%s': unknown flag '%s' (64, prefetch or io)",
					s, field[i]);
		if (flags & f)
			uvnic_usage_die("invalid --bar '%s': flag '%s' given twice", s, field[i]);
		flags |= f;
	}
	if ((flags & UVPCI_BAR_IO) && flags != UVPCI_BAR_IO)
		uvnic_usage_die("invalid --bar '%s': an I/O BAR is neither 64-bit nor prefetchable", s);
	if ((flags & UVPCI_BAR_IO) && size > 256)
		uvnic_usage_die("invalid --bar '%s': an I/O BAR is at most 256 bytes", s);
	if ((flags & UVPCI_BAR_64) && idx + 1 >= UVPCI_NUM_BARS)
		uvnic_usage_die("invalid --bar '%s': a 64-bit BAR takes two slots, so BAR %u cannot be one",
				s, idx);
	if (idx && (p->bar[idx - 1].flags & UVPCI_BAR_64))
		uvnic_usage_die("invalid --bar '%s': slot %u is the upper half of 64-bit BAR %u",
				s, idx, idx - 1);
	if (*used & (1U << idx))
		uvnic_usage_die("invalid --bar '%s': BAR %u is given twice", s, idx);
	if ((flags & UVPCI_BAR_64) && (*used & (1U << (idx + 1))))
		uvnic_usage_die("invalid --bar '%s': a 64-bit BAR %u also takes slot %u, which another --bar uses",
				s, idx, idx + 1);
	*used |= 1U << idx;
	if (flags & UVPCI_BAR_64)
		*used |= 1U << (idx + 1);
	p->bar[idx].size = size;
	p->bar[idx].flags = flags;
}

/* --msix COUNT[:BAR[:OFFSET]], after the BARs: the table and PBA. */
static void pci_msix(const char *s, struct uvpci_params *p)
{
	char buf[64], *count, *bar, *off;
	int64_t b = -1, o = -1;
	unsigned int n;
	int rc;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		uvnic_usage_die("invalid --msix '%s': too long", s);
	count = buf;
	bar = strchr(count, ':');
	if (bar)
		*bar++ = '\0';
	off = bar ? strchr(bar, ':') : NULL;
	if (off)
		*off++ = '\0';
	n = (unsigned int)uvnic_cli_number("--msix", count, 1, UVPCI_MAX_MSIX);
	if (bar)
		b = (int64_t)uvnic_cli_number("--msix BAR", bar, 0, UVPCI_NUM_BARS - 1);
	if (off)
		o = (int64_t)uvnic_cli_number("--msix OFFSET", off, 0, UINT32_MAX);
	rc = uvpci_params_msix(p, n, (int)b, o);
	if (rc == -ENOENT)
		uvnic_usage_die("invalid --msix '%s': the device has no BAR %u (add --bar %u:SIZE)",
				s, b < 0 ? 0 : (unsigned int)b, b < 0 ? 0 : (unsigned int)b);
	if (rc == -EINVAL)
		uvnic_usage_die("invalid --msix '%s': the table's OFFSET must be a multiple of 8", s);
	if (rc == -ERANGE)
		uvnic_usage_die("invalid --msix '%s': %u entries and their PBA (%llu bytes) do not fit in the BAR from offset %#llx",
				s, n,
				(unsigned long long)(UVPCI_MSIX_TABLE_SIZE(n) + UVPCI_MSIX_PBA_SIZE(n)),
				(unsigned long long)(o < 0 ? p->bar[b < 0 ? 0 : b].size / 2 : (uint64_t)o));
}

static void create_pci(const struct create_args *a, struct uvbus_create *req)
{
	struct uvpci_params *p = &req->pci;
	unsigned int used = 0;
	int i;

	if (!a->vendor->count || !a->device->count) {
		const char *opt = a->vendor->count ? "--device" : "--vendor";

		if (a->vendor->count || a->device->count)
			uvnic_usage_die("a uvPCI device needs both --vendor and --device: %s is missing",
					opt);
		uvnic_usage_die("the uvPCI options (--class, --subsystem, --revision, --bar, --msi, --msix, --intx, --timeout-us, --held) need --vendor and --device");
	}
	req->type = UVBUS_TYPE_UVPCI;
	p->vendor = pci_id("--vendor", a->vendor->sval[0]);
	if (p->vendor == 0 || p->vendor == 0xffff)
		uvnic_usage_die("invalid --vendor '%s': 0x0000 and 0xffff are not vendor IDs",
				a->vendor->sval[0]);
	p->device = pci_id("--device", a->device->sval[0]);
	if (a->class_code->count)
		p->class_code = (uint32_t)uvnic_cli_number("--class", a->class_code->sval[0],
							   0, 0xffffff);
	if (a->subsystem->count)
		pci_subsystem(a->subsystem->sval[0], p);
	if (a->revision->count)
		p->revision = (uint8_t)uvnic_cli_number("--revision", a->revision->sval[0],
							0, 0xff);
	for (i = 0; i < a->bar->count; i++)
		pci_bar(a->bar->sval[i], p, &used);
	if (a->msi->count)
		p->msi_count = (uint8_t)uvnic_cli_number("--msi", a->msi->sval[0], 0,
							 UVPCI_MAX_MSI);
	if (a->msix->count)
		pci_msix(a->msix->sval[0], p);
	if (a->intx->count)
		p->intx_pin = 1;	/* INTA, as a single-function device has */
	if (a->timeout->count) {
		uint64_t us = uvnic_cli_number("--timeout-us", a->timeout->sval[0],
					       0, UINT32_MAX);

		if (us > PCI_TIMEOUT_MAX_US)
			uvnic_usage_die("invalid --timeout-us '%s': at most %u (10 s)",
					a->timeout->sval[0], PCI_TIMEOUT_MAX_US);
		p->timeout_us = (uint32_t)us;
	}
	if (a->held->count)
		req->flags |= UVBUS_CREATE_HELD;
}

static void create_request(const struct create_args *a,
			   struct uvbus_create *req)
{
	memset(req, 0, sizeof(*req));
	uvbus_copy_name(req->name, uvnic_cli_name(a->name->sval[0]));
	req->type = UVBUS_TYPE_LOOPBACK;

	if (a->vendor->count || a->device->count || a->class_code->count ||
	    a->subsystem->count || a->revision->count || a->bar->count ||
	    a->msi->count || a->msix->count || a->intx->count || a->timeout->count || a->held->count)
		create_pci(a, req);
}

static int do_create(int fd, const struct uvbus_create *req)
{
	int rc = uvbus_create(fd, req);

	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "create '%s'", req->name);
	return 0;
}

/* The driver bound to uvPCI device @name, or NULL: the buffer's or none. */
static const char *bound_driver(const char *name, char *buf, size_t size)
{
	return uvpci_driver_name(name, buf, size) ? NULL : buf;
}

/* The Interrupt Pin register's value as lspci names it, or "none". */
static const char *intx_pin_name(unsigned int pin)
{
	static const char *const names[] = { "none", "INTA", "INTB", "INTC", "INTD" };

	return pin < ARRAY_SIZE(names) ? names[pin] : "?";
}

static void print_pci(const char *name, const struct uvpci_params *p)
{
	char drv[DRIVER_MAX];
	unsigned int i;

	printf("vendor: 0x%04x\n", p->vendor);
	printf("device: 0x%04x\n", p->device);
	printf("subsystem: 0x%04x:0x%04x\n", p->subvendor, p->subdevice);
	printf("class: 0x%06x\n", p->class_code);
	printf("revision: 0x%02x\n", p->revision);
	printf("msi: %u\n", p->msi_count);
	if (p->msix_count)
		printf("msix: %u bar%u 0x%x\n", p->msix_count, p->msix_bar,
		       p->msix_offset);
	else
		printf("msix: 0\n");
	printf("intx: %s\n", intx_pin_name(p->intx_pin));
	printf("timeout_us: %u\n", p->timeout_us);
	for (i = 0; i < UVPCI_NUM_BARS; i++) {
		if (!p->bar[i].size)
			continue;
		printf("bar%u: 0x%" PRIx64 "%s%s%s\n", i, (uint64_t)p->bar[i].size,
		       p->bar[i].flags & UVPCI_BAR_64 ? " 64bit" : "",
		       p->bar[i].flags & UVPCI_BAR_PREFETCH ? " prefetch" : "",
		       p->bar[i].flags & UVPCI_BAR_IO ? " io" : "");
	}
	printf("driver: %s\n", bound_driver(name, drv, sizeof(drv)) ?: "none");
}

/* "KEY":, the separator before it first; @key is a literal of ours. */
static void json_key(const char *key, int *first)
{
	printf("%s\"%s\":", *first ? "" : ",", key);
	*first = 0;
}

static void json_str(const char *key, const char *val, int *first)
{
	json_key(key, first);
	uvnic_json_string(stdout, val);
}

static void json_u64(const char *key, uint64_t val, int *first)
{
	json_key(key, first);
	printf("%" PRIu64, val);
}

/* An ID as show prints it, "0x5556", @digits hex digits wide. */
static void json_hex(const char *key, unsigned int val, int digits, int *first)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%0*x", digits, val);
	json_str(key, buf, first);
}

static void json_pci(const char *name, const struct uvpci_params *p)
{
	char drv[DRIVER_MAX];
	int first = 1, bfirst;
	unsigned int i, n = 0;

	putchar('{');
	json_hex("vendor", p->vendor, 4, &first);
	json_hex("device", p->device, 4, &first);
	json_hex("subsystem_vendor", p->subvendor, 4, &first);
	json_hex("subsystem_device", p->subdevice, 4, &first);
	json_hex("class", p->class_code, 6, &first);
	json_hex("revision", p->revision, 2, &first);
	json_u64("msi", p->msi_count, &first);
	json_u64("msix", p->msix_count, &first);
	json_u64("msix_bar", p->msix_bar, &first);
	json_u64("msix_offset", p->msix_offset, &first);
	json_str("intx", intx_pin_name(p->intx_pin), &first);
	json_u64("timeout_us", p->timeout_us, &first);
	json_key("bars", &first);
	putchar('[');
	for (i = 0; i < UVPCI_NUM_BARS; i++) {
		if (!p->bar[i].size)
			continue;
		bfirst = 1;
		printf("%s{", n++ ? "," : "");
		json_u64("bar", i, &bfirst);
		json_u64("size", p->bar[i].size, &bfirst);
		json_key("64bit", &bfirst);
		fputs(p->bar[i].flags & UVPCI_BAR_64 ? "true" : "false", stdout);
		json_key("prefetch", &bfirst);
		fputs(p->bar[i].flags & UVPCI_BAR_PREFETCH ? "true" : "false", stdout);
		json_key("io", &bfirst);
		fputs(p->bar[i].flags & UVPCI_BAR_IO ? "true" : "false", stdout);
		putchar('}');
	}
	putchar(']');
	json_str("driver", bound_driver(name, drv, sizeof(drv)), &first);
	putchar('}');
}

/* show's flags: "none", or the names of the set bits, comma-separated. */
static const char *flags_name(uint32_t flags)
{
	static const char *const names[] = {
		"none", "ephemeral", "held", "ephemeral,held",
	};

	return names[flags & (UVBUS_CREATE_EPHEMERAL | UVBUS_CREATE_HELD)];
}

/* list's STATE: a held device that is otherwise ok says "held". */
static const char *state_name(const struct uvbus_info *c)
{
	if (c->state == UVBUS_STATE_OK && (c->flags & UVBUS_CREATE_HELD))
		return "held";
	return uvbus_state_name(c->state);
}

static int do_release(int fd, const char *name)
{
	int rc = uvpci_release(fd, name);

	if (rc == -EALREADY)
		uvnic_die("release '%s': not held (created without --held, or already released)",
			  name);
	if (rc == -ENOTTY)
		uvnic_die("release '%s': not a uvPCI device", name);
	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "release '%s'", name);
	return 0;
}

static int do_show(int fd, const char *name, int json)
{
	struct uvbus_info info;
	const char *flags;
	int rc = uvbus_info(fd, name, &info);
	int first = 1;

	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "show '%s'", name);
	info.name[sizeof(info.name) - 1] = '\0';
	flags = flags_name(info.flags);
	if (json) {
		putchar('{');
		json_str("name", info.name, &first);
		json_str("type", uvbus_type_name(info.type), &first);
		json_str("flags", flags, &first);
		json_key("held", &first);
		fputs(info.flags & UVBUS_CREATE_HELD ? "true" : "false", stdout);
		json_str("state", uvbus_state_name(info.state), &first);
		json_u64("ports", info.ports, &first);
		json_u64("k2u_msgs", info.k2u_msgs, &first);
		json_u64("u2k_msgs", info.u2k_msgs, &first);
		json_u64("k2u_full", info.k2u_full, &first);
		json_u64("signals_in", info.signals_in, &first);
		json_u64("signals_out", info.signals_out, &first);
		json_u64("errors", info.errors, &first);
		json_key("pci", &first);
		if (info.type == UVBUS_TYPE_UVPCI)
			json_pci(info.name, &info.pci);
		else
			fputs("null", stdout);
		puts("}");
		return 0;
	}
	printf("name: %s\n", info.name);
	printf("type: %s\n", uvbus_type_name(info.type));
	printf("flags: %s\n", flags);
	printf("state: %s\n", uvbus_state_name(info.state));
	printf("ports: %u\n", info.ports);
	printf("k2u_msgs: %" PRIu64 "\n", (uint64_t)info.k2u_msgs);
	printf("u2k_msgs: %" PRIu64 "\n", (uint64_t)info.u2k_msgs);
	printf("k2u_full: %" PRIu64 "\n", (uint64_t)info.k2u_full);
	printf("signals_in: %" PRIu64 "\n", (uint64_t)info.signals_in);
	printf("signals_out: %" PRIu64 "\n", (uint64_t)info.signals_out);
	printf("errors: %" PRIu64 "\n", (uint64_t)info.errors);
	if (info.type == UVBUS_TYPE_UVPCI)
		print_pci(info.name, &info.pci);
	return 0;
}

#define LIST_FORMAT	"%-31s  %-8s  %-6s  %5s  %-13s  %-6s  %s\n"

static void list_line(const struct uvbus_info *c)
{
	char ports[16], id[16] = "-", class_code[16] = "-", drv[DRIVER_MAX];
	const char *driver = "-";

	snprintf(ports, sizeof(ports), "%u", c->ports);
	if (c->type == UVBUS_TYPE_UVPCI) {
		/* as lspci -nnk: [vendor:device], [class], Kernel driver in use */
		snprintf(id, sizeof(id), "%04x:%04x", c->pci.vendor, c->pci.device);
		snprintf(class_code, sizeof(class_code), "%06x", c->pci.class_code);
		driver = bound_driver(c->name, drv, sizeof(drv)) ?: "-";
	}
	printf(LIST_FORMAT, c->name, uvbus_type_name(c->type), state_name(c),
	       ports, id, class_code, driver);
}

static void list_json(const struct uvbus_info *c, uint32_t i)
{
	char drv[DRIVER_MAX];
	int first = 1;
	int pci = c->type == UVBUS_TYPE_UVPCI;

	printf("%s{", i ? "," : "");
	json_str("name", c->name, &first);
	json_str("type", uvbus_type_name(c->type), &first);
	json_str("state", uvbus_state_name(c->state), &first);
	json_key("held", &first);
	fputs(c->flags & UVBUS_CREATE_HELD ? "true" : "false", stdout);
	json_u64("ports", c->ports, &first);
	if (pci) {
		json_hex("vendor", c->pci.vendor, 4, &first);
		json_hex("device", c->pci.device, 4, &first);
		json_hex("class", c->pci.class_code, 6, &first);
	} else {
		json_str("vendor", NULL, &first);
		json_str("device", NULL, &first);
		json_str("class", NULL, &first);
	}
	json_str("driver", pci ? bound_driver(c->name, drv, sizeof(drv)) : NULL, &first);
	putchar('}');
}

/* The whole list first: an error prints nothing on stdout, not even the header. */
static int do_list(int fd, int json)
{
	struct uvbus_info *all = NULL, *grown;
	uint32_t i, n = 0, max = 0;
	int rc;

	for (;;) {
		if (n == max) {
			max = max ? 2 * max : 16;
			grown = reallocarray(all, max, sizeof(*all));
			if (!grown)
				uvnic_die_err(ENOMEM, UVNIC_CTX_NONE, "list");
			all = grown;
		}
		rc = uvbus_list(fd, n, &all[n]);
		if (rc == -ENOENT)
			break;
		if (rc)
			uvnic_die_err(rc, UVNIC_CTX_NONE, "list");
		all[n].name[sizeof(all[n].name) - 1] = '\0';
		n++;
	}

	if (json) {
		fputs("{\"channels\":[", stdout);
		for (i = 0; i < n; i++)
			list_json(&all[i], i);
		puts("]}");
	} else {
		printf(LIST_FORMAT, "NAME", "TYPE", "STATE", "PORTS",
		       "VENDOR:DEVICE", "CLASS", "DRIVER");
		for (i = 0; i < n; i++)
			list_line(&all[i]);
	}
	free(all);
	return 0;
}

int main(int argc, char **argv)
{
	/* create NAME [uvPCI device options] */
	struct create_args c = {
		.name = arg_str1(NULL, NULL, "NAME",
				 "channel name: 1 to 31 characters of A-Z a-z 0-9 _ . -"),
		.vendor = arg_str0(NULL, "vendor", "ID",
				   "create a uvPCI device with this PCI vendor ID (1 to 0xfffe)"),
		.device = arg_str0(NULL, "device", "ID",
				   "its PCI device ID (0 to 0xffff); needed with --vendor"),
		.class_code = arg_str0(NULL, "class", "CODE",
				       "its 24-bit class code: class, subclass, prog-if (default 0)"),
		.subsystem = arg_str0(NULL, "subsystem", "V:D",
				      "its subsystem vendor and device IDs (default 0:0)"),
		.revision = arg_str0(NULL, "revision", "N", "its revision ID, 0 to 255 (default 0)"),
		.bar = arg_strn(NULL, "bar", "BAR", 0, UVPCI_NUM_BARS,
				"a BAR, N:SIZE[:64][:prefetch] (memory) or N:SIZE:io (I/O, at most 256 bytes): N 0 to 5, SIZE a power of two of at least 16 bytes; a 64-bit BAR also takes slot N+1 (repeatable)"),
		.msi = arg_str0(NULL, "msi", "COUNT", "its MSI vectors, 0 to 32 (default 0)"),
		.msix = arg_str0(NULL, "msix", "COUNT[:BAR[:OFFSET]]",
				 "an MSI-X table of COUNT entries, 1 to 2048, and its PBA right after it, in BAR (default 0) from OFFSET (a multiple of 8; default: half the BAR's size)"),
		.intx = arg_lit0(NULL, "intx",
				 "give it an interrupt pin (INTA): a level-triggered INTx IRQ, with or without MSI"),
		.timeout = arg_str0(NULL, "timeout-us", "US",
				    "its register read timeout in microseconds, at most 10000000; 0 or absent: the module's default"),
		.held = arg_lit0(NULL, "held",
				 "no driver binds to it until 'uvbus-ctl release NAME': attach its model in between"),
	};
	struct arg_end *c_end = arg_end(MAXERR);
	void *create_table[] = { uvnic_cli_command("create"), c.name,
				 c.vendor, c.device, c.class_code, c.subsystem,
				 c.revision, c.bar, c.msi, c.msix, c.intx, c.timeout, c.held,
				 c_end };

	/* list [--json] */
	struct arg_lit *l_json = arg_lit0(NULL, "json",
					  "list and show: print JSON instead of text (keys in uvbus-ctl(8))");
	struct arg_end *l_end = arg_end(MAXERR);
	void *list_table[] = { uvnic_cli_command("list"), l_json, l_end };

	/* show NAME [--json], destroy NAME, reset NAME */
	struct arg_str *s_name = arg_str1(NULL, NULL, "NAME", NULL);
	struct arg_lit *s_json = arg_lit0(NULL, "json", NULL);
	struct arg_end *s_end = arg_end(MAXERR);
	void *show_table[] = { uvnic_cli_command("show"), s_name, s_json, s_end };

	struct arg_str *d_name = arg_str1(NULL, NULL, "NAME", NULL);
	struct arg_end *d_end = arg_end(MAXERR);
	void *destroy_table[] = { uvnic_cli_command("destroy"), d_name, d_end };

	struct arg_str *r_name = arg_str1(NULL, NULL, "NAME", NULL);
	struct arg_end *r_end = arg_end(MAXERR);
	void *reset_table[] = { uvnic_cli_command("reset"), r_name, r_end };

	struct arg_str *rl_name = arg_str1(NULL, NULL, "NAME", NULL);
	struct arg_end *rl_end = arg_end(MAXERR);
	void *release_table[] = { uvnic_cli_command("release"), rl_name, rl_end };

	enum { CREATE, LIST, SHOW, DESTROY, RESET, RELEASE };
	const struct uvnic_cli_syntax syntax[] = {
		[CREATE] = { "create", "create a loopback channel, or a uvPCI device (--vendor, --device)",
			     create_table, ARRAY_SIZE(create_table) },
		[LIST] = { "list", "list the channels: name, type, state, ports; a uvPCI device's IDs, class, driver",
			   list_table, ARRAY_SIZE(list_table) },
		[SHOW] = { "show", "print a channel's state and counters",
			   show_table, ARRAY_SIZE(show_table) },
		[DESTROY] = { "destroy", "destroy a channel",
			      destroy_table, ARRAY_SIZE(destroy_table) },
		[RESET] = { "reset", "reset a channel (what that means is its type's)",
			    reset_table, ARRAY_SIZE(reset_table) },
		[RELEASE] = { "release", "let drivers bind to a uvPCI device created with --held; they probe it at once",
			      release_table, ARRAY_SIZE(release_table) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvbus-ctl",
		.purpose = "Create, list, show, reset, release and destroy uvBus channels (/dev/uvbus,\n"
			   "or $UVBUS_DEVICE). Quiet on success, except list and show.",
		.epilog = "Exit status: 0 on success, 1 on any error. See uvbus-ctl(8).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	struct uvbus_create req;
	const char *name = NULL;
	int which, fd, rc = 0;

	which = uvnic_cli_parse(&cli, argc, argv);

	/* Check the whole command line before touching the device. */
	switch (which) {
	case CREATE:
		create_request(&c, &req);
		break;
	case SHOW:
		name = uvnic_cli_name(s_name->sval[0]);
		break;
	case DESTROY:
		name = uvnic_cli_name(d_name->sval[0]);
		break;
	case RESET:
		name = uvnic_cli_name(r_name->sval[0]);
		break;
	case RELEASE:
		name = uvnic_cli_name(rl_name->sval[0]);
		break;
	}

	fd = uvnic_cli_open_bus();
	switch (which) {
	case CREATE:
		rc = do_create(fd, &req);
		break;
	case LIST:
		rc = do_list(fd, l_json->count > 0);
		break;
	case SHOW:
		rc = do_show(fd, name, s_json->count > 0);
		break;
	case DESTROY:
		rc = uvbus_destroy(fd, name);
		if (rc)
			uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "destroy '%s'", name);
		break;
	case RESET:
		rc = uvbus_reset(fd, name);
		if (rc)
			uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "reset '%s'", name);
		break;
	case RELEASE:
		rc = do_release(fd, name);
		break;
	}
	close(fd);
	if (fflush(stdout) || ferror(stdout))
		uvnic_die_err(errno, UVNIC_CTX_NONE, "write error");
	uvnic_cli_free(&cli);
	return rc ? 1 : 0;
}
