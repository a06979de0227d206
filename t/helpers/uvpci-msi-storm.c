// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvpci-msi-storm - several device-side ports fire MSIs at one uvPCI
 * device as fast as they can, for t/kernel/uvpci-storm.bats.
 *
 *   uvpci-msi-storm NAME SECONDS [--ports N] [--batch N] [--rate N]
 *                   [--allow-gone]
 *
 * Opens N auxiliary ports (libuvnic's uvpci-device.h; default 2) on device
 * NAME, one thread each, thread i pinned to CPU i modulo the CPUs online,
 * and from the same instant on, each fires MSIs for SECONDS seconds: a
 * batch of N (default 8) MSIs per doorbell, vector after vector over all
 * of the device's vectors (the kernel drains each doorbell in the
 * writer's context on its own CPU, so both CPUs deliver at once). Each
 * port then syncs: the host must have accepted every MSI. --rate caps
 * each port at N MSIs a second (in whole batches), so that the guest's
 * tasks keep a share of the CPUs beside the storm.
 *
 * Prints one line per port and a total, e.g.
 *   port 0 cpu 0: 123456 MSIs in 3.001 s, accepted
 *   port 1 cpu 1: 120001 MSIs in 3.000 s, accepted
 *   total: 243457 MSIs in 3.001 s, 81125 per second
 * A port that sees the device destroyed stops and says "device
 * destroyed"; a refusal is named ("refused: ..."). Exit 0 when every port
 * ran its time and the host accepted everything (with --allow-gone a port
 * that saw the device destroyed counts as done); 1 otherwise.
 */
#include <argtable2.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libuvnic.h"
#include "uvpci-cli.h"

#define MAX_PORTS	16

struct storm_port {
	pthread_t thread;
	struct uvpci_device *dev;
	unsigned int index, cpu, nvec, batch;
	uint64_t rate;		/* MSIs a second, 0: no cap */
	int64_t end_ns;
	uint64_t fired;
	int64_t elapsed_ns;
	int rc;			/* 0, or the first -errno */
	bool gone;		/* the device was destroyed */
};

static pthread_barrier_t start_line;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Sleep until CLOCK_MONOTONIC reaches @when_ns (at once if it has). */
static void pace(int64_t when_ns)
{
	struct timespec ts = {
		.tv_sec = when_ns / 1000000000,
		.tv_nsec = when_ns % 1000000000,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop)
		;
}

static void *storm(void *arg)
{
	struct storm_port *p = arg;
	unsigned int vec = p->index % p->nvec, i;
	int64_t t0;
	int rc = 0;

	pthread_barrier_wait(&start_line);
	t0 = mono_ns();
	p->end_ns += t0;
	while (!stop && mono_ns() < p->end_ns) {
		uvpci_device_batch_begin(p->dev);
		for (i = 0; i < p->batch && !rc; i++) {
			rc = uvpci_msi_fire(p->dev, vec);
			if (!rc)
				p->fired++;
			vec = (vec + 1) % p->nvec;
		}
		if (!rc)
			rc = uvpci_device_batch_end(p->dev);
		else
			uvpci_device_batch_end(p->dev);
		if (rc)
			break;
		if (p->rate)
			pace(t0 + (int64_t)(p->fired * 1000000000 / p->rate));
	}
	p->elapsed_ns = mono_ns() - t0;
	if (!rc)
		rc = uvpci_device_sync(p->dev);
	p->gone = rc == -ENODEV;
	p->rc = rc;
	return NULL;
}

static void pin(unsigned int cpu)
{
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	err = sched_setaffinity(0, sizeof(set), &set);
	if (err)
		uvnic_die_err(errno, UVNIC_CTX_NONE, "pin to CPU %u", cpu);
}

int main(int argc, char **argv)
{
	struct arg_str *name = arg_str1(NULL, NULL, "NAME", "uvPCI device to storm");
	struct arg_str *secs = arg_str1(NULL, NULL, "SECONDS", "how long to fire");
	struct arg_str *ports = arg_str0(NULL, "ports", "N", "ports (threads), default 2");
	struct arg_str *batch = arg_str0(NULL, "batch", "N", "MSIs per doorbell, default 8");
	struct arg_str *rate = arg_str0(NULL, "rate", "N",
					"at most N MSIs a second per port, default no cap");
	struct arg_lit *allow_gone = arg_lit0(NULL, "allow-gone",
					      "a device destroyed mid-storm is no failure");
	struct arg_end *end = arg_end(6);
	void *table[] = { name, secs, ports, batch, rate, allow_gone, end };
	const struct uvnic_cli_syntax syntax[] = {
		{ NULL, NULL, table, ARRAY_SIZE(table) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvpci-msi-storm",
		.purpose = "Fire MSIs at one uvPCI device from several ports at once,\n"
			   "one thread per port, each pinned to its own CPU (see the source).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	struct storm_port port[MAX_PORTS];
	unsigned int nports = 2, nbatch = 8, i;
	uint64_t nrate = 0;
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct uvpci_params params;
	uint64_t total = 0, seconds;
	int64_t longest = 0;
	bool ok = true;
	int err;

	uvnic_cli_parse(&cli, argc, argv);
	seconds = uvnic_cli_number("SECONDS", secs->sval[0], 1, 3600);
	if (ports->count)
		nports = uvnic_cli_number("--ports", ports->sval[0], 1, MAX_PORTS);
	if (batch->count)
		nbatch = uvnic_cli_number("--batch", batch->sval[0], 1, 256);
	if (rate->count)
		nrate = uvnic_cli_number("--rate", rate->sval[0], 1, 100000000);
	if (ncpus < 1)
		ncpus = 1;
	uvnic_cli_stop_on_signals(on_signal);

	memset(port, 0, sizeof(port));
	for (i = 0; i < nports; i++) {
		struct storm_port *p = &port[i];

		p->dev = uvpci_cli_device_open(name->sval[0], 0);
		if (!i) {
			uvpci_device_params(p->dev, &params);
			if (!params.msi_count && !params.msix_count)
				uvnic_die("%s: the device has no MSI vectors", name->sval[0]);
		}
		p->index = i;
		p->cpu = i % ncpus;
		/* MSI-X entries when the device has a table: the driver's choice. */
		p->nvec = params.msix_count ? params.msix_count : params.msi_count;
		p->batch = nbatch;
		p->rate = nrate;
		p->end_ns = (int64_t)seconds * 1000000000;
	}

	/* Each thread inherits the CPU its creator was pinned to when created. */
	pthread_barrier_init(&start_line, NULL, nports);
	for (i = 0; i < nports; i++) {
		pin(port[i].cpu);
		err = pthread_create(&port[i].thread, NULL, storm, &port[i]);
		if (err)
			uvnic_die_err(err, UVNIC_CTX_NONE, "pthread_create");
	}
	for (i = 0; i < nports; i++)
		pthread_join(port[i].thread, NULL);

	for (i = 0; i < nports; i++) {
		struct storm_port *p = &port[i];
		const char *why;

		printf("port %u cpu %u: %" PRIu64 " MSIs in %.3f s, ", i, p->cpu,
		       p->fired, p->elapsed_ns / 1e9);
		if (!p->rc) {
			printf("accepted\n");
		} else if (p->gone) {
			printf("device destroyed\n");
			ok &= allow_gone->count > 0;
		} else {
			why = uvpci_cli_refusal(p->rc, -1);
			printf("%s%s\n", why ? "" : "failed: ",
			       why ? why : uvnic_strerror(p->rc));
			ok = false;
		}
		total += p->fired;
		if (p->elapsed_ns > longest)
			longest = p->elapsed_ns;
		uvpci_device_close(p->dev);
	}
	printf("total: %" PRIu64 " MSIs in %.3f s, %.0f per second\n", total,
	       longest / 1e9, longest ? total / (longest / 1e9) : 0.0);
	fflush(stdout);
	pthread_barrier_destroy(&start_line);
	uvnic_cli_free(&cli);
	return ok ? 0 : 1;
}
