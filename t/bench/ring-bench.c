// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ring-bench - messages per second between two threads over the uvBus
 * ring (uvbus.h, in plain memory), unbatched and in batches, beside a pipe
 * (one 256-byte write and read per message) and an eventfd ping-pong, all
 * measured in the same run. Every rate is also given as a ratio to the
 * pipe's.
 *
 * Usage: ring-bench [SECONDS per row, default 1]   (make bench)
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "libuvnic.h"

#define ENTRIES		256
#define MAX_BATCH	64

struct shared {
	_Alignas(64) __u32 head;
	_Alignas(64) __u32 tail;
	_Alignas(64) __u32 flags;
	_Alignas(64) struct uvbus_msg slots[ENTRIES];
};

static struct shared shm;
static double seconds = 1.0;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void relax(unsigned int *spins)
{
	if (++*spins < 128) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
		return;
	}
	*spins = 0;
	sched_yield();
}

static void die(const char *what)
{
	fprintf(stderr, "ring-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ---------------------------------------------------------------- */
/* the ring                                                          */
/* ---------------------------------------------------------------- */

struct ring_run {
	unsigned int batch;
	int done;		/* atomic: the producer stopped */
	uint64_t produced;	/* atomic, valid once done */
	uint64_t consumed;
	int bad;
	double end;
};

static void ring_view(struct uvbus_ring *r)
{
	struct uvbus_ring_offsets off = {
		.head = offsetof(struct shared, head),
		.tail = offsetof(struct shared, tail),
		.flags = offsetof(struct shared, flags),
		.entries = ENTRIES,
		.slots = offsetof(struct shared, slots),
	};

	uvbus_ring_setup(r, &shm, &off);
}

static void *ring_producer(void *arg)
{
	static struct uvbus_msg batch[MAX_BATCH];
	struct ring_run *run = arg;
	double stop = now_s() + seconds;
	struct uvbus_ring r;
	uint64_t seq = 0, iter = 0;
	unsigned int i, done, spins = 0;
	int n;

	ring_view(&r);
	for (i = 0; i < MAX_BATCH; i++) {
		batch[i].type = UVBUS_MSG_DATA;
		batch[i].len = UVBUS_MSG_DATA_SIZE;
		memset(batch[i].data, 0xa5, sizeof(batch[i].data));
	}
	for (;;) {
		/* The clock is read once per 1024 batches. */
		if (!(iter++ & 1023) && now_s() >= stop)
			break;
		for (i = 0; i < run->batch; i++)
			batch[i].tag = seq + i;
		for (done = 0; done < run->batch;) {
			n = uvbus_ring_push(&r, batch + done, run->batch - done);
			if (n < 0)
				die("push");
			if (n)
				done += (unsigned int)n;
			else
				relax(&spins);
		}
		seq += run->batch;
	}
	__atomic_store_n(&run->produced, seq, __ATOMIC_RELAXED);
	__atomic_store_n(&run->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *ring_consumer(void *arg)
{
	static struct uvbus_msg batch[MAX_BATCH];
	struct ring_run *run = arg;
	struct uvbus_ring r;
	uint64_t seq = 0;
	unsigned int spins = 0;
	int n, i;

	ring_view(&r);
	for (;;) {
		n = uvbus_ring_pop(&r, batch, run->batch);
		if (n < 0)
			die("pop");
		for (i = 0; i < n; i++, seq++)
			if (batch[i].tag != seq)
				run->bad = 1;
		if (n)
			continue;
		if (__atomic_load_n(&run->done, __ATOMIC_ACQUIRE) &&
		    seq == __atomic_load_n(&run->produced, __ATOMIC_RELAXED))
			break;
		relax(&spins);
	}
	run->consumed = seq;
	run->end = now_s();
	return NULL;
}

static double bench_ring(unsigned int batch)
{
	struct ring_run run = { .batch = batch };
	pthread_t p, c;
	double t0;

	memset(&shm, 0, sizeof(shm));
	t0 = now_s();
	if (pthread_create(&c, NULL, ring_consumer, &run) ||
	    pthread_create(&p, NULL, ring_producer, &run))
		die("pthread_create");
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	if (run.bad) {
		fprintf(stderr, "ring-bench: messages out of order\n");
		exit(1);
	}
	return run.consumed / (run.end - t0);
}

/* ---------------------------------------------------------------- */
/* a pipe: one 256-byte write and one 256-byte read per message      */
/* ---------------------------------------------------------------- */

struct pipe_run {
	int fd[2];
	uint64_t msgs;
	double end;
};

static void *pipe_writer(void *arg)
{
	struct pipe_run *run = arg;
	char buf[UVBUS_MSG_SIZE];
	double stop = now_s() + seconds;
	uint64_t n = 0;

	memset(buf, 0xa5, sizeof(buf));
	while ((n & 1023) || now_s() < stop) {
		if (write(run->fd[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			die("pipe write");
		n++;
	}
	close(run->fd[1]);
	return NULL;
}

static double bench_pipe(void)
{
	struct pipe_run run = { .msgs = 0 };
	char buf[UVBUS_MSG_SIZE];
	pthread_t w;
	ssize_t got;
	size_t bytes = 0;
	double t0;

	if (pipe(run.fd))
		die("pipe");
	t0 = now_s();
	if (pthread_create(&w, NULL, pipe_writer, &run))
		die("pthread_create");
	while ((got = read(run.fd[0], buf, sizeof(buf))) > 0)
		bytes += (size_t)got;
	if (got < 0)
		die("pipe read");
	run.end = now_s();
	pthread_join(w, NULL);
	close(run.fd[0]);
	return bytes / sizeof(buf) / (run.end - t0);
}

/* ---------------------------------------------------------------- */
/* an eventfd ping-pong: round trips between two threads             */
/* ---------------------------------------------------------------- */

static int ping_fd, pong_fd;

static void *ponger(void *arg)
{
	uint64_t v;

	(void)arg;
	for (;;) {
		if (read(ping_fd, &v, sizeof(v)) != sizeof(v))
			die("eventfd read");
		if (v >= 1000000)	/* the stop value */
			return NULL;
		v = 1;
		if (write(pong_fd, &v, sizeof(v)) != sizeof(v))
			die("eventfd write");
	}
}

static double bench_eventfd(void)
{
	double t0, stop, t = 0;
	uint64_t v, n = 0;
	pthread_t tid;

	ping_fd = eventfd(0, EFD_CLOEXEC);
	pong_fd = eventfd(0, EFD_CLOEXEC);
	if (ping_fd < 0 || pong_fd < 0)
		die("eventfd");
	if (pthread_create(&tid, NULL, ponger, NULL))
		die("pthread_create");
	t0 = now_s();
	stop = t0 + seconds;
	do {
		v = 1;
		if (write(ping_fd, &v, sizeof(v)) != sizeof(v) ||
		    read(pong_fd, &v, sizeof(v)) != sizeof(v))
			die("eventfd");
		n++;
	} while ((n & 255) || (t = now_s()) < stop);
	v = 1000000;
	if (write(ping_fd, &v, sizeof(v)) != sizeof(v))
		die("eventfd write");
	pthread_join(tid, NULL);
	close(ping_fd);
	close(pong_fd);
	return n / (t - t0);
}

/* ---------------------------------------------------------------- */

/* "12.34 M msg/s": a rate scaled to k or M, its unit after. */
static void rate_str(char *buf, size_t len, double rate, const char *unit)
{
	if (rate >= 1e6)
		snprintf(buf, len, "%7.2f M%s", rate / 1e6, unit);
	else if (rate >= 1e3)
		snprintf(buf, len, "%7.2f k%s", rate / 1e3, unit);
	else
		snprintf(buf, len, "%7.2f %s", rate, unit);
}

static void row(const char *name, double rate, const char *unit, double base)
{
	char buf[48];

	rate_str(buf, sizeof(buf), rate, unit);
	printf("%-30s %-16s %7.2fx\n", name, buf, rate / base);
}

int main(int argc, char **argv)
{
	double pipe_rate, efd, r1, r32;

	if (argc > 1) {
		uint64_t ms;

		if (uvnic_parse_u64(argv[1], 600, &ms) || !ms) {
			fprintf(stderr, "ring-bench: invalid seconds '%s' (1 to 600)\n", argv[1]);
			return 2;
		}
		seconds = (double)ms;
	}

	printf("host: two threads, %d-byte messages, %.0f s per row, %ld CPUs online\n",
	       UVBUS_MSG_SIZE, seconds, sysconf(_SC_NPROCESSORS_ONLN));
	fflush(stdout);
	pipe_rate = bench_pipe();
	efd = bench_eventfd();
	r1 = bench_ring(1);
	r32 = bench_ring(32);

	printf("%-30s %-16s %8s\n", "test", "   rate", "vs pipe");
	row("pipe, 256-byte write + read", pipe_rate, " msg/s", pipe_rate);
	row("eventfd ping-pong", efd, " rt/s", pipe_rate);
	row("uvbus ring, unbatched", r1, " msg/s", pipe_rate);
	row("uvbus ring, batches of 32", r32, " msg/s", pipe_rate);
	printf("(rt/s: round trips per second, each one wake-up each way)\n");
	return 0;
}
