// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvbus-ctl - create, list, show, reset and destroy uvBus channels.
 *
 * One argtable2 syntax per command; libuvnic's uvnic_cli_parse() adds
 * -h/--help and --version and picks the syntax. See uvbus-ctl(8).
 */
#include <argtable2.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libuvnic.h"

#define MAXERR	5

/*
 * create. Options come in groups: the channel itself (NAME, --entries)
 * and, later, the uvPCI device options (--vendor, --device, --class,
 * --subsystem, --bar, --msi). A group adds its entries to create_table[]
 * and its step to create_request(); giving any uvPCI option will make the
 * channel a uvPCI device instead of a loopback.
 */
struct create_args {
	struct arg_str *name;
	struct arg_str *entries;
};

static void create_request(const struct create_args *a,
			   struct uvbus_create *req)
{
	memset(req, 0, sizeof(*req));
	strcpy(req->name, uvnic_cli_name(a->name->sval[0]));
	req->type = UVBUS_TYPE_LOOPBACK;

	if (a->entries->count) {
		uint64_t n = uvnic_cli_number("--entries", a->entries->sval[0],
					      UVBUS_RING_MIN_ENTRIES,
					      UVBUS_RING_MAX_ENTRIES);

		if (n & (n - 1))
			uvnic_usage_die("invalid --entries '%s': not a power of two",
					a->entries->sval[0]);
		/*
		 * ABI 1 sizes rings per port, at attach time: there is no
		 * channel default to set yet. See uvbus-ctl(8).
		 */
	}
}

static int do_create(int fd, const struct uvbus_create *req)
{
	int rc = uvbus_create(fd, req);

	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "create '%s'", req->name);
	return 0;
}

static void print_pci(const struct uvpci_params *p)
{
	unsigned int i;

	printf("vendor: 0x%04x\n", p->vendor);
	printf("device: 0x%04x\n", p->device);
	printf("subsystem: 0x%04x:0x%04x\n", p->subvendor, p->subdevice);
	printf("class: 0x%06x\n", p->class_code);
	printf("revision: 0x%02x\n", p->revision);
	printf("msi: %u\n", p->msi_count);
	for (i = 0; i < UVPCI_NUM_BARS; i++) {
		if (!p->bar[i].size)
			continue;
		printf("bar%u: 0x%" PRIx64 "%s%s\n", i, (uint64_t)p->bar[i].size,
		       p->bar[i].flags & UVPCI_BAR_64 ? " 64bit" : "",
		       p->bar[i].flags & UVPCI_BAR_PREFETCH ? " prefetch" : "");
	}
}

static int do_show(int fd, const char *name)
{
	struct uvbus_info info;
	int rc = uvbus_info(fd, name, &info);

	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "show '%s'", name);
	info.name[sizeof(info.name) - 1] = '\0';
	printf("name: %s\n", info.name);
	printf("type: %s\n", uvbus_type_name(info.type));
	printf("flags: %s\n",
	       info.flags & UVBUS_CREATE_EPHEMERAL ? "ephemeral" : "none");
	printf("state: %s\n", uvbus_state_name(info.state));
	printf("ports: %u\n", info.ports);
	printf("k2u_msgs: %" PRIu64 "\n", (uint64_t)info.k2u_msgs);
	printf("u2k_msgs: %" PRIu64 "\n", (uint64_t)info.u2k_msgs);
	printf("k2u_full: %" PRIu64 "\n", (uint64_t)info.k2u_full);
	printf("signals_in: %" PRIu64 "\n", (uint64_t)info.signals_in);
	printf("signals_out: %" PRIu64 "\n", (uint64_t)info.signals_out);
	printf("errors: %" PRIu64 "\n", (uint64_t)info.errors);
	if (info.type == UVBUS_TYPE_UVPCI)
		print_pci(&info.pci);
	return 0;
}

#define LIST_FORMAT	"%-31s  %-8s  %-6s  %5s\n"

static int do_list(int fd)
{
	struct uvbus_info info;
	char ports[16];
	uint32_t i;
	int rc;

	printf(LIST_FORMAT, "NAME", "TYPE", "STATE", "PORTS");
	for (i = 0;; i++) {
		rc = uvbus_list(fd, i, &info);
		if (rc == -ENOENT)
			break;
		if (rc)
			uvnic_die_err(rc, UVNIC_CTX_NONE, "list");
		snprintf(ports, sizeof(ports), "%u", info.ports);
		printf(LIST_FORMAT, info.name, uvbus_type_name(info.type),
		       uvbus_state_name(info.state), ports);
	}
	return 0;
}

int main(int argc, char **argv)
{
	/* create NAME [--entries=N] */
	struct create_args c = {
		.name = arg_str1(NULL, NULL, "NAME",
				 "channel name: 1 to 31 characters of A-Z a-z 0-9 _ . -"),
		.entries = arg_str0(NULL, "entries", "N",
				    "ring size for create: a power of two, 2 to 4096"),
	};
	struct arg_end *c_end = arg_end(MAXERR);
	void *create_table[] = { uvnic_cli_command("create"), c.name, c.entries, c_end };

	/* list */
	struct arg_end *l_end = arg_end(MAXERR);
	void *list_table[] = { uvnic_cli_command("list"), l_end };

	/* show NAME, destroy NAME, reset NAME */
	struct arg_str *s_name = arg_str1(NULL, NULL, "NAME", NULL);
	struct arg_end *s_end = arg_end(MAXERR);
	void *show_table[] = { uvnic_cli_command("show"), s_name, s_end };

	struct arg_str *d_name = arg_str1(NULL, NULL, "NAME", NULL);
	struct arg_end *d_end = arg_end(MAXERR);
	void *destroy_table[] = { uvnic_cli_command("destroy"), d_name, d_end };

	struct arg_str *r_name = arg_str1(NULL, NULL, "NAME", NULL);
	struct arg_end *r_end = arg_end(MAXERR);
	void *reset_table[] = { uvnic_cli_command("reset"), r_name, r_end };

	enum { CREATE, LIST, SHOW, DESTROY, RESET };
	const struct uvnic_cli_syntax syntax[] = {
		[CREATE] = { "create", "create a loopback channel",
			     create_table, ARRAY_SIZE(create_table) },
		[LIST] = { "list", "list the channels: name, type, state, ports",
			   list_table, ARRAY_SIZE(list_table) },
		[SHOW] = { "show", "print a channel's state and counters",
			   show_table, ARRAY_SIZE(show_table) },
		[DESTROY] = { "destroy", "destroy a channel",
			      destroy_table, ARRAY_SIZE(destroy_table) },
		[RESET] = { "reset", "reset a channel (what that means is its type's)",
			    reset_table, ARRAY_SIZE(reset_table) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvbus-ctl",
		.purpose = "Create, list, show, reset and destroy uvBus channels (/dev/uvbus,\n"
			   "or $UVBUS_DEVICE). Quiet on success, except list and show.",
		.epilog = "Exit status: 0 on success, 1 on any error. See uvbus-ctl(8).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	struct uvbus_create req;
	const char *name;
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
	}

	fd = uvnic_cli_open_bus();
	switch (which) {
	case CREATE:
		rc = do_create(fd, &req);
		break;
	case LIST:
		rc = do_list(fd);
		break;
	case SHOW:
		rc = do_show(fd, name);
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
	}
	close(fd);
	if (fflush(stdout) || ferror(stdout))
		uvnic_die_err(errno, UVNIC_CTX_NONE, "write error");
	uvnic_cli_free(&cli);
	return rc ? 1 : 0;
}
