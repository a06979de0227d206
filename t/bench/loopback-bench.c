// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loopback-bench - round trips through uvbus.ko's loopback channel (send,
 * signal, wait for the echo), one message at a time and in batches of 32,
 * beside a pipe round trip between two processes measured in the same
 * run. Needs root and uvbus.ko: run it in the guest,
 *
 *	bin/uvnic-vm -- t/bench/loopback-bench [SECONDS per row, default 1]
 *
 * It creates its own ephemeral channel, which goes away when it exits.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libuvnic.h"

#define BATCH	32

static double seconds = 1.0;

struct result {
	double per_rt;		/* seconds per round trip (of one batch) */
	double msgs;		/* messages per second, each way */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- */
/* pipe round trips between two processes                            */
/* ---------------------------------------------------------------- */

static void full_io(int fd, void *buf, size_t len, int writing)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = writing ? write(fd, p, len) : read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			uvnic_die("pipe %s failed", writing ? "write" : "read");
		p += n;
		len -= (size_t)n;
	}
}

/* The child echoes whatever arrives until end of file. */
static void pipe_echo(int in, int out)
{
	char buf[BATCH * UVBUS_MSG_SIZE];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0)
		full_io(out, buf, (size_t)n, 1);
	_exit(n < 0);
}

static struct result bench_pipe(unsigned int batch)
{
	static char buf[BATCH * UVBUS_MSG_SIZE];
	size_t len = (size_t)batch * UVBUS_MSG_SIZE;
	int to[2], from[2], status;
	struct result r;
	uint64_t n = 0;
	double t0, t;
	pid_t pid;

	if (pipe(to) || pipe(from))
		uvnic_die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		uvnic_die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		pipe_echo(to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);

	memset(buf, 0xa5, sizeof(buf));
	t0 = now_s();
	do {
		full_io(to[1], buf, len, 1);
		full_io(from[0], buf, len, 0);
		n++;
	} while ((t = now_s()) < t0 + seconds);
	close(to[1]);
	close(from[0]);
	waitpid(pid, &status, 0);

	r.per_rt = (t - t0) / n;
	r.msgs = n * batch / (t - t0);
	return r;
}

/* ---------------------------------------------------------------- */
/* uvbus loopback round trips                                        */
/* ---------------------------------------------------------------- */

static struct result bench_loopback(struct uvbus_port *port, unsigned int batch)
{
	static struct uvbus_msg out[BATCH], in[BATCH];
	unsigned int i, got;
	struct result r;
	uint64_t n = 0, seq = 0;
	double t0, t;
	int rc;

	for (i = 0; i < batch; i++) {
		out[i].type = UVBUS_MSG_DATA;
		out[i].len = UVBUS_MSG_DATA_SIZE;
		memset(out[i].data, 0xa5, sizeof(out[i].data));
	}
	t0 = now_s();
	do {
		for (i = 0; i < batch; i++)
			out[i].tag = seq + i;
		rc = uvbus_port_send_all(port, out, batch, 5000);
		if (rc != (int)batch)
			uvnic_die_err(rc < 0 ? rc : -ETIMEDOUT, UVNIC_CTX_CHANNEL, "send");
		for (got = 0; got < batch; got += (unsigned int)rc) {
			rc = uvbus_port_recv_wait(port, in + got, batch - got, 5000);
			if (rc < 0)
				uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "receive");
		}
		for (i = 0; i < batch; i++)
			if (in[i].tag != seq + i)
				uvnic_die("echo %u out of order", i);
		seq += batch;
		n++;
	} while ((t = now_s()) < t0 + seconds);

	r.per_rt = (t - t0) / n;
	r.msgs = n * batch / (t - t0);
	return r;
}

static void row(const char *name, struct result r, struct result base,
		const char *per)
{
	char lat[32], tput[32];

	snprintf(lat, sizeof(lat), "%8.2f us/%s", r.per_rt * 1e6, per);
	if (r.msgs >= 1e6)
		snprintf(tput, sizeof(tput), "%7.2f M msg/s", r.msgs / 1e6);
	else
		snprintf(tput, sizeof(tput), "%7.2f k msg/s", r.msgs / 1e3);
	printf("%-32s %-17s %-15s %7.2fx\n", name, lat, tput, r.msgs / base.msgs);
}

int main(int argc, char **argv)
{
	struct result p1, p32, l1, l32;
	struct uvbus_port *port;
	char name[UVBUS_NAME_MAX];
	int fd, rc;

	if (argc > 1) {
		uint64_t s;

		if (uvnic_parse_u64(argv[1], 600, &s) || !s)
			uvnic_die("invalid seconds '%s' (1 to 600)", argv[1]);
		seconds = (double)s;
	}

	fd = uvbus_open();
	if (fd < 0)
		uvnic_die_err(fd, UVNIC_CTX_DEVICE, "cannot open %s (run me with bin/uvnic-vm)",
			      uvbus_device_path());
	snprintf(name, sizeof(name), "bench-%ld", (long)getpid());
	rc = uvbus_create_loopback(fd, name, UVBUS_CREATE_EPHEMERAL);
	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "create '%s'", name);
	/* The port owns the creating descriptor: the channel dies with us. */
	rc = uvbus_port_open_fd(fd, name, 0, 256, &port);
	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "attach '%s'", name);

	printf("guest: uvbus loopback vs pipe round trips, %d-byte messages, %.0f s per row, %ld CPUs\n",
	       UVBUS_MSG_SIZE, seconds, sysconf(_SC_NPROCESSORS_ONLN));
	fflush(stdout);
	p1 = bench_pipe(1);
	l1 = bench_loopback(port, 1);
	p32 = bench_pipe(BATCH);
	l32 = bench_loopback(port, BATCH);
	uvbus_port_close(port);

	printf("%-32s %-17s %-15s %8s\n", "test", "latency", "throughput", "vs pipe");
	row("pipe round trip, 2 processes", p1, p1, "rt");
	row("uvbus loopback round trip", l1, p1, "rt");
	row("pipe, batches of 32", p32, p32, "batch");
	row("uvbus loopback, batches of 32", l32, p32, "batch");
	printf("(a round trip: send, signal, wait for the echo; throughput counts messages echoed)\n");
	return 0;
}
