// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvpci-e1000 - run the Intel 82540EM model (libuvnic's uvnic_e1000)
 * behind the uvPCI device DEV, with its wire plugged into the network
 * interface IFACE (lib/wire). Linux's own e1000 driver, ported with
 * uvpci-port, drives it. See uvpci-e1000(8).
 *
 * One thread, one poll() loop over the device, the wire and a signalfd:
 * register accesses first (the host may spin on a read), then the TX ring,
 * then frames from the wire while RX descriptors are free (the socket
 * buffer is the receive FIFO meanwhile).
 */
#include <argtable2.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "libuvnic.h"
#include "uvpci-cli.h"
#include "uvnic-e1000.h"
#include "uvnic-wire.h"

#define PROG		"uvpci-e1000"
#define TX_BUDGET	64	/* TX descriptors between two looks at the registers */
#define RX_BUDGET	32	/* frames per turn */

struct e1000_bridge {
	const char *dev_name;
	const char *ifname;
	bool verbose;
	struct uvpci_device *dev;
	struct uvnic_e1000 *model;
	struct uvnic_wire *wire;
	uint64_t wire_tx_errors;
};

static void fatal(struct e1000_bridge *b, int err)
{
	if (err == -ENODEV)
		uvnic_die("%s: device destroyed", b->dev_name);
	if (err == -EPIPE)
		uvnic_die("%s: uvBus channel broken (see the kernel log)", b->dev_name);
	uvnic_die_err(err, UVNIC_CTX_CHANNEL, "%s", b->dev_name);
}

static void model_log(void *opaque, const char *msg)
{
	struct e1000_bridge *b = opaque;

	if (b->verbose)
		fprintf(stderr, "%s: %s: %s\n", PROG, b->dev_name, msg);
}

static void wire_tx(void *opaque, const void *frame, size_t len)
{
	struct e1000_bridge *b = opaque;
	int rc = uvnic_wire_send(b->wire, frame, len);

	if (!rc)
		return;
	b->wire_tx_errors++;
	if (b->verbose)
		fprintf(stderr, "%s: %s: sending a %zu-byte frame: %s\n", PROG,
			b->ifname, len, strerror(-rc));
}

static void serve(struct e1000_bridge *b)
{
	int rc = uvpci_device_process(b->dev, 0);

	if (rc < 0 && rc != -EINTR)
		fatal(b, rc);
	rc = uvnic_e1000_error(b->model);
	if (rc)
		fatal(b, rc);
}

static void deliver(void *opaque, const uint8_t *frame, size_t len)
{
	struct e1000_bridge *b = opaque;
	int rc = uvnic_e1000_rx(b->model, frame, len);

	if (rc)
		fatal(b, rc);
	/* A register read that arrived while the model did DMA: answer it now. */
	if (uvpci_device_pending(b->dev))
		serve(b);
}

static void open_wire(struct e1000_bridge *b)
{
	enum uvnic_wire_step step;
	int rc = uvnic_wire_open(b->ifname, &b->wire, &step);

	if (!rc)
		return;
	switch (step) {
	case UVNIC_WIRE_STEP_IFACE:
		uvnic_die("%s: no such network interface", b->ifname);
		break;
	case UVNIC_WIRE_STEP_SOCKET:
		uvnic_die("cannot open a packet socket: %s%s", strerror(-rc),
			  rc == -EPERM ? " (needs CAP_NET_RAW: run as root)" : "");
		break;
	case UVNIC_WIRE_STEP_BIND:
		uvnic_die("%s: cannot bind a packet socket: %s", b->ifname, strerror(-rc));
		break;
	case UVNIC_WIRE_STEP_PROMISC:
		uvnic_die("%s: cannot make it promiscuous: %s", b->ifname, strerror(-rc));
		break;
	default:
		uvnic_die("%s: packet socket option: %s", b->ifname, strerror(-rc));
	}
}

static void print_counters(struct e1000_bridge *b)
{
	struct uvnic_e1000_counters c;
	struct uvnic_wire_stats ws;

	uvnic_e1000_counters(b->model, &c);
	uvnic_wire_stats(b->wire, &ws);
	printf("%s <-> %s\n", b->dev_name, b->ifname);
	printf("rx_frames: %" PRIu64 "\n", c.rx_frames);
	printf("rx_filtered: %" PRIu64 "\n", c.rx_filtered);
	printf("rx_no_desc: %" PRIu64 "\n", c.rx_no_desc);
	printf("tx_frames: %" PRIu64 "\n", c.tx_frames);
	printf("tx_tso: %" PRIu64 "\n", c.tx_tso);
	printf("tx_errors: %" PRIu64 "\n", c.tx_errors);
	printf("resets: %" PRIu64 "\n", c.resets);
	printf("irqs: %" PRIu64 "\n", c.irqs);
	printf("wire_rx_packets: %" PRIu64 "\n", ws.rx_packets);
	printf("wire_rx_segmented: %" PRIu64 "\n", ws.rx_gso);
	printf("wire_rx_checksummed: %" PRIu64 "\n", ws.rx_csum);
	printf("wire_rx_bad: %" PRIu64 "\n", ws.rx_bad);
	printf("wire_rx_sock_drops: %" PRIu64 "\n", ws.sock_drops);
	printf("wire_tx_errors: %" PRIu64 "\n", b->wire_tx_errors);
	fflush(stdout);
}

/* Returns at SIGINT/SIGTERM; SIGUSR1 pulls the cable, SIGUSR2 plugs it in. */
static void run(struct e1000_bridge *b, int sigfd)
{
	struct pollfd pfd[3];
	int rc;

	for (;;) {
		bool rx_ok = uvnic_e1000_rx_avail(b->model) > 0 ||
			     !uvnic_e1000_rx_enabled(b->model);
		int timeout = -1;

		if (uvpci_device_pending(b->dev) || uvnic_e1000_tx_pending(b->model) ||
		    (rx_ok && uvnic_wire_more(b->wire)))
			timeout = 0;
		pfd[0] = (struct pollfd){ .fd = uvpci_device_fd(b->dev), .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = rx_ok ? uvnic_wire_fd(b->wire) : -1,
					  .events = POLLIN };
		rc = poll(pfd, 3, timeout);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			uvnic_die("poll: %s", strerror(errno));
		}
		if (pfd[1].revents) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGUSR1 || si.ssi_signo == SIGUSR2) {
					rc = uvnic_e1000_set_link(b->model, si.ssi_signo == SIGUSR2);
					if (rc)
						fatal(b, rc);
				} else {
					return;
				}
			}
		}
		serve(b);
		rc = uvnic_e1000_tx_work(b->model, TX_BUDGET);
		if (rc < 0)
			fatal(b, rc);
		if (uvpci_device_pending(b->dev))
			serve(b);
		rx_ok = uvnic_e1000_rx_avail(b->model) > 0 || !uvnic_e1000_rx_enabled(b->model);
		if (rx_ok && (pfd[2].revents || uvnic_wire_more(b->wire))) {
			unsigned int max = uvnic_e1000_rx_enabled(b->model) ?
					   uvnic_e1000_rx_avail(b->model) : RX_BUDGET;

			rc = uvnic_wire_recv(b->wire, max < RX_BUDGET ? max : RX_BUDGET,
					     deliver, b);
			if (rc == -ENODEV)
				uvnic_die("%s: interface removed", b->ifname);
			if (rc < 0)
				uvnic_die("%s: receiving: %s", b->ifname, strerror(-rc));
		}
	}
}

int main(int argc, char **argv)
{
	struct arg_lit *quiet = arg_lit0("q", "quiet", "do not print the counters on exit");
	struct arg_lit *verbose = arg_lit0("v", "verbose",
					   "log bad descriptors and refused frames to stderr");
	struct arg_str *cpu = arg_str0(NULL, "cpu", "N|auto|here|any",
				       "run on CPU N only; auto (default): an isolated CPU if the kernel has one, else here; here: the CPU it starts on; any: anywhere");
	struct arg_str *mac = arg_str0(NULL, "mac", "XX:XX:XX:XX:XX:XX",
				       "station address in the EEPROM (default: derived from DEV, locally administered)");
	struct arg_str *dev = arg_str1(NULL, NULL, "DEV", "uvPCI device (channel) to serve as the 82540EM");
	struct arg_str *iface = arg_str1(NULL, NULL, "IFACE",
					 "network interface that is the wire (e.g. one end of a veth pair)");
	struct arg_end *end = arg_end(5);
	void *table[] = { quiet, verbose, cpu, mac, dev, iface, end };
	const struct uvnic_cli_syntax syntax[] = {
		{ NULL, NULL, table, ARRAY_SIZE(table) },
	};
	const struct uvnic_cli cli = {
		.prog = PROG,
		.purpose = "Run an Intel 82540EM (e1000) model behind uvPCI device DEV: serve its\n"
			   "registers, EEPROM and PHY, move frames between the driver's descriptor\n"
			   "rings and IFACE (AF_PACKET), drive its INTx pin. Raises the link at start;\n"
			   "SIGUSR1 pulls the cable, SIGUSR2 plugs it back; on SIGINT/SIGTERM prints\n"
			   "the counters to stdout and exits 0.",
		.epilog = "Create DEV with:\n"
			  "  uvbus-ctl create DEV --vendor 0x8086 --device 0x100e --bar 0:131072 --bar 1:64:io --intx\n"
			  "Exit status: 0 after SIGINT/SIGTERM, 1 on an error (one line on stderr).\n"
			  "See uvpci-e1000(8).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	struct uvnic_e1000_config cfg = { 0 };
	struct uvpci_params params;
	struct e1000_bridge *b;
	sigset_t sigs;
	int sigfd, rc;

	uvnic_cli_parse(&cli, argc, argv);
	b = calloc(1, sizeof(*b));
	if (!b)
		uvnic_die("out of memory");
	b->dev_name = uvnic_cli_name(dev->sval[0]);
	b->ifname = iface->sval[0];
	b->verbose = verbose->count > 0;
	if (strlen(b->ifname) >= IF_NAMESIZE || !*b->ifname)
		uvnic_usage_die("invalid IFACE '%s': 1 to %d characters", b->ifname,
				IF_NAMESIZE - 1);
	uvpci_cli_pin_cpu(cpu->count ? cpu->sval[0] : NULL);
	if (mac->count) {
		rc = uvnic_wire_parse_mac(mac->sval[0], cfg.mac);
		if (rc == -EADDRNOTAVAIL)
			uvnic_usage_die("invalid --mac '%s': a multicast or all-zero address",
					mac->sval[0]);
		if (rc)
			uvnic_usage_die("invalid --mac '%s': use six hex bytes XX:XX:XX:XX:XX:XX",
					mac->sval[0]);
	} else {
		uvnic_wire_default_mac(b->dev_name, cfg.mac);
	}

	/* Signals arrive through the loop, never in the middle of a request. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGUSR2);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		uvnic_die("signalfd: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);

	open_wire(b);
	b->dev = uvpci_cli_device_open(b->dev_name, UVPCI_OPEN_MODEL);
	uvpci_device_params(b->dev, &params);
	if (params.bar[0].size < UVNIC_E1000_BAR0_SIZE || (params.bar[0].flags & UVPCI_BAR_IO))
		uvnic_die("%s: not an 82540EM: BAR0 must be %u bytes of memory (create it with --bar 0:%u)",
			  b->dev_name, UVNIC_E1000_BAR0_SIZE, UVNIC_E1000_BAR0_SIZE);
	if (!params.intx_pin)
		uvnic_die("%s: not an 82540EM: no interrupt pin (create it with --intx)",
			  b->dev_name);
	cfg.tx = wire_tx;
	cfg.log = model_log;
	cfg.opaque = b;
	rc = uvnic_e1000_new(b->dev, &cfg, &b->model);
	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_NONE, "%s: device model", b->dev_name);
	uvpci_device_set_ops(b->dev, &uvnic_e1000_device_ops, b->model);
	if (b->verbose)
		fprintf(stderr, "%s: %s: attached, MAC %02x:%02x:%02x:%02x:%02x:%02x, wire %s\n",
			PROG, b->dev_name, cfg.mac[0], cfg.mac[1], cfg.mac[2],
			cfg.mac[3], cfg.mac[4], cfg.mac[5], b->ifname);
	rc = uvnic_e1000_set_link(b->model, true);
	if (rc)
		fatal(b, rc);
	run(b, sigfd);

	if (!quiet->count)
		print_counters(b);
	uvnic_e1000_free(b->model);
	uvpci_device_close(b->dev);
	uvnic_wire_close(b->wire);
	close(sigfd);
	free(b);
	uvnic_cli_free(&cli);
	return 0;
}
