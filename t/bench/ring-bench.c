// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ring-bench - the uvBus ring (uvbus.h, in plain memory) between two
 * threads beside DPDK's rte_ring (Debian's libdpdk-dev, on malloc'd memory,
 * single producer and single consumer, no EAL), measured in the same run:
 * 64- and 256-byte messages, one at a time and in batches of 32, and a
 * one-message round trip; an eventfd ping-pong as the sleeping baseline.
 *
 * Truth under noise: the two threads are pinned to CPUs 0 and 1; every row
 * is measured in short chunks, the rows interleaved round by round, so a
 * burst of other load hits every row alike. Each row gives the median and
 * the fast decile of its chunks beside its whole-run figure, and the load
 * average seen while it ran; ring / rte_ring ratios are taken round by
 * round (same moment, same load) and their median printed.
 *
 * Usage: ring-bench [SECONDS, default 1]   (make bench; about 5 s per SECOND)
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

#ifdef HAVE_RTE_RING
#include <rte_ring.h>
#include <rte_ring_elem.h>
#endif

#define ENTRIES		256
#define BATCH		32
#define CHUNK_S		0.02		/* one measurement */
#define ROUNDS_PER_S	25
#define STOP_TAG	UINT64_MAX

struct shared {
	_Alignas(128) __u32 head;
	_Alignas(128) __u32 tail;
	_Alignas(128) __u32 flags;
	_Alignas(128) struct uvbus_msg slots[ENTRIES];
};

static struct shared shm[2];		/* [0] there, [1] back (round trips) */
static int pinned;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void relax(unsigned int *spins)
{
	if (++*spins < 256) {
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

static double load1(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

/* ---------------------------------------------------------------- */
/* one chunk: two pinned threads, a start barrier                    */
/* ---------------------------------------------------------------- */

enum impl { IMPL_UVBUS, IMPL_RTE, IMPL_EVENTFD };

struct run {
	enum impl impl;
	unsigned int size;	/* message bytes, header included */
	unsigned int batch;	/* 1 = one at a time */
	int rtt;		/* round trips instead of a stream */
	int ready;		/* atomic: threads at the barrier */
	int done;		/* atomic: the producer stopped */
	uint64_t produced;	/* valid once done */
	uint64_t count;
	double t0, t1;
	int bad;
	void *ring[2];		/* rte_ring */
	int efd[2];
};

static void pin(int cpu)
{
	cpu_set_t set;

	if (!pinned)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void barrier(struct run *run)
{
	unsigned int spins = 0;

	__atomic_add_fetch(&run->ready, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&run->ready, __ATOMIC_ACQUIRE) < 2)
		relax(&spins);
}

static void ring_view(struct uvbus_ring *r, int which)
{
	struct uvbus_ring_offsets off = {
		.head = offsetof(struct shared, head),
		.tail = offsetof(struct shared, tail),
		.flags = offsetof(struct shared, flags),
		.entries = ENTRIES,
		.slots = offsetof(struct shared, slots),
	};

	uvbus_ring_setup(r, &shm[which], &off);
}

/* The messages a side sends: a DATA message of run->size bytes, tag first. */
static void fill(struct uvbus_msg *m, unsigned int n, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		memset(&m[i], 0xa5, sizeof(m[i]));
		m[i].type = UVBUS_MSG_DATA;
		m[i].flags = 0;
		m[i].len = size - UVBUS_MSG_HDR_SIZE;
	}
}

/* Send @n messages (tags @seq..), spinning while the ring is full. */
static void send_n(struct run *run, int which, struct uvbus_ring *r,
		   struct uvbus_msg *m, unsigned int n, uint64_t seq)
{
	unsigned int i, done = 0, spins = 0;
	int k;

	for (i = 0; i < n; i++)
		m[i].tag = seq + i;	/* the tag is the first 8 bytes of an rte element */
	while (done < n) {
		if (run->impl == IMPL_UVBUS) {
			k = uvbus_ring_push(r, m + done, n - done);
			if (k < 0)
				die("push");
		} else {
#ifdef HAVE_RTE_RING
			/* rte elements are the same bytes, packed at run->size */
			static _Thread_local char buf[BATCH * UVBUS_MSG_SIZE];

			if (!done)
				for (i = 0; i < n; i++)
					memcpy(buf + i * run->size, &m[i].tag, 8);
			k = (int)rte_ring_sp_enqueue_burst_elem(run->ring[which],
					buf + done * run->size, run->size, n - done, NULL);
#else
			(void)which;
			k = 0;
#endif
		}
		if (k)
			done += (unsigned int)k;
		else
			relax(&spins);
	}
}

/* Receive up to @max messages; their tags into @tags. */
static unsigned int recv_some(struct run *run, int which, struct uvbus_ring *r,
			      struct uvbus_msg *m, unsigned int max,
			      uint64_t *tags)
{
	unsigned int i, k = 0;
	int n;

	if (run->impl == IMPL_UVBUS) {
		n = uvbus_ring_pop(r, m, max);
		if (n < 0)
			die("pop");
		k = (unsigned int)n;
		for (i = 0; i < k; i++)
			tags[i] = m[i].tag;
	} else {
#ifdef HAVE_RTE_RING
		static _Thread_local char buf[BATCH * UVBUS_MSG_SIZE];

		k = rte_ring_sc_dequeue_burst_elem(run->ring[which], buf,
						   run->size, max, NULL);
		for (i = 0; i < k; i++)
			memcpy(&tags[i], buf + i * run->size, 8);
#else
		(void)which;
#endif
	}
	return k;
}

static void *producer(void *arg)
{
	static _Thread_local struct uvbus_msg m[BATCH];
	struct run *run = arg;
	struct uvbus_ring r;
	uint64_t seq = 0, iter = 0, v;
	double stop;

	pin(0);
	ring_view(&r, 0);
	fill(m, BATCH, run->size);
	barrier(run);
	run->t0 = now_s();
	stop = run->t0 + CHUNK_S;
	if (run->impl == IMPL_EVENTFD) {
		do {
			v = 1;
			if (write(run->efd[0], &v, sizeof(v)) != sizeof(v) ||
			    read(run->efd[1], &v, sizeof(v)) != sizeof(v))
				die("eventfd");
			seq++;
		} while ((seq & 15) || now_s() < stop);
		v = STOP_TAG - 1;
		if (write(run->efd[0], &v, sizeof(v)) != sizeof(v))
			die("eventfd");
		run->t1 = now_s();
		run->count = seq;
		return NULL;
	}
	if (run->rtt) {
		struct uvbus_ring back;
		uint64_t tag;
		unsigned int spins = 0;

		ring_view(&back, 1);
		do {
			send_n(run, 0, &r, m, 1, seq);
			while (!recv_some(run, 1, &back, m + 1, 1, &tag))
				relax(&spins);
			if (tag != seq)
				run->bad = 1;
			seq++;
		} while ((seq & 15) || now_s() < stop);
		run->t1 = now_s();
		send_n(run, 0, &r, m, 1, STOP_TAG);
		run->count = seq;
		return NULL;
	}
	for (;;) {
		/* The clock is read once per 64 batches. */
		if (!(iter++ & 63) && now_s() >= stop)
			break;
		send_n(run, 0, &r, m, run->batch, seq);
		seq += run->batch;
	}
	__atomic_store_n(&run->produced, seq, __ATOMIC_RELAXED);
	__atomic_store_n(&run->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *consumer(void *arg)
{
	static _Thread_local struct uvbus_msg m[BATCH];
	uint64_t tags[BATCH], seq = 0, v;
	struct run *run = arg;
	struct uvbus_ring r, back;
	unsigned int spins = 0, i, n;

	pin(1);
	ring_view(&r, 0);
	ring_view(&back, 1);
	fill(m, BATCH, run->size);
	barrier(run);
	if (run->impl == IMPL_EVENTFD) {
		for (;;) {
			if (read(run->efd[0], &v, sizeof(v)) != sizeof(v))
				die("eventfd read");
			if (v >= STOP_TAG - 1)
				return NULL;
			v = 1;
			if (write(run->efd[1], &v, sizeof(v)) != sizeof(v))
				die("eventfd write");
		}
	}
	if (run->rtt) {
		for (;;) {
			if (!recv_some(run, 0, &r, m, 1, tags)) {
				relax(&spins);
				continue;
			}
			if (tags[0] == STOP_TAG)
				return NULL;
			send_n(run, 1, &back, m, 1, tags[0]);
		}
	}
	for (;;) {
		n = recv_some(run, 0, &r, m, run->batch, tags);
		for (i = 0; i < n; i++, seq++)
			if (tags[i] != seq)
				run->bad = 1;
		if (n)
			continue;
		if (__atomic_load_n(&run->done, __ATOMIC_ACQUIRE) &&
		    seq == __atomic_load_n(&run->produced, __ATOMIC_RELAXED))
			break;
		relax(&spins);
	}
	run->count = seq;
	run->t1 = now_s();
	return NULL;
}

/* One chunk of a row: messages per second, or nanoseconds per round trip. */
static double chunk(enum impl impl, unsigned int size, unsigned int batch, int rtt)
{
	struct run run = { .impl = impl, .size = size, .batch = batch, .rtt = rtt };
	pthread_t p, c;

	memset(shm, 0, offsetof(struct shared, slots));
	memset((char *)&shm[1], 0, offsetof(struct shared, slots));
#ifdef HAVE_RTE_RING
	if (impl == IMPL_RTE) {
		ssize_t sz = rte_ring_get_memsize_elem(size, ENTRIES);
		int i;

		if (sz < 0)
			die("rte_ring_get_memsize_elem");
		for (i = 0; i < 2; i++) {
			run.ring[i] = aligned_alloc(128, ((size_t)sz + 127) & ~(size_t)127);
			if (!run.ring[i] ||
			    rte_ring_init(run.ring[i], i ? "back" : "there", ENTRIES,
					  RING_F_SP_ENQ | RING_F_SC_DEQ))
				die("rte_ring_init");
		}
	}
#endif
	if (impl == IMPL_EVENTFD) {
		run.efd[0] = eventfd(0, EFD_CLOEXEC);
		run.efd[1] = eventfd(0, EFD_CLOEXEC);
		if (run.efd[0] < 0 || run.efd[1] < 0)
			die("eventfd");
	}
	if (pthread_create(&c, NULL, consumer, &run) ||
	    pthread_create(&p, NULL, producer, &run))
		die("pthread_create");
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	free(run.ring[0]);
	free(run.ring[1]);
	if (impl == IMPL_EVENTFD) {
		close(run.efd[0]);
		close(run.efd[1]);
	}
	if (run.bad) {
		fprintf(stderr, "ring-bench: messages out of order\n");
		exit(1);
	}
	if (rtt)
		return (run.t1 - run.t0) * 1e9 / (double)run.count;
	return (double)run.count / (run.t1 - run.t0);
}

/* ---------------------------------------------------------------- */
/* rows, rounds, statistics                                          */
/* ---------------------------------------------------------------- */

struct row {
	const char *name;
	enum impl impl;
	unsigned int size, batch;
	int rtt;
	int peer;		/* uvbus rows: the rte_ring row to compare with, or -1 */
	double *v;		/* per round */
	double *load;
	double units, secs;	/* whole run */
};

static struct row rows[] = {
	{ "uvbus  64 B, one at a time",	IMPL_UVBUS, 64, 1, 0, 1, NULL, NULL, 0, 0 },
	{ "rte    64 B, one at a time",	IMPL_RTE, 64, 1, 0, -1, NULL, NULL, 0, 0 },
	{ "uvbus  64 B, batches of 32",	IMPL_UVBUS, 64, BATCH, 0, 3, NULL, NULL, 0, 0 },
	{ "rte    64 B, batches of 32",	IMPL_RTE, 64, BATCH, 0, -1, NULL, NULL, 0, 0 },
	{ "uvbus 256 B, one at a time",	IMPL_UVBUS, 256, 1, 0, 5, NULL, NULL, 0, 0 },
	{ "rte   256 B, one at a time",	IMPL_RTE, 256, 1, 0, -1, NULL, NULL, 0, 0 },
	{ "uvbus 256 B, batches of 32",	IMPL_UVBUS, 256, BATCH, 0, 7, NULL, NULL, 0, 0 },
	{ "rte   256 B, batches of 32",	IMPL_RTE, 256, BATCH, 0, -1, NULL, NULL, 0, 0 },
	{ "uvbus 256 B round trip",	IMPL_UVBUS, 256, 1, 1, 9, NULL, NULL, 0, 0 },
	{ "rte   256 B round trip",	IMPL_RTE, 256, 1, 1, -1, NULL, NULL, 0, 0 },
	{ "eventfd ping-pong",		IMPL_EVENTFD, 8, 1, 1, -1, NULL, NULL, 0, 0 },
};
#define NROWS	(sizeof(rows) / sizeof(rows[0]))

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of @n values, sorted in a copy. */
static double quantile(const double *v, unsigned int n, double q)
{
	double *s = malloc(n * sizeof(*s)), r;

	if (!s)
		die("malloc");
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	r = s[(unsigned int)(q * (n - 1) + 0.5)];
	free(s);
	return r;
}

static void fmt(char *buf, size_t len, double v, int rtt)
{
	if (rtt)
		snprintf(buf, len, "%8.0f ns", v);
	else
		snprintf(buf, len, "%6.2f M/s", v / 1e6);
}

int main(int argc, char **argv)
{
	unsigned int rounds, i, k;
	double secs = 1, l0, l1;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int have_rte = 0;

	if (argc > 1) {
		uint64_t s;

		if (uvnic_parse_u64(argv[1], 600, &s) || !s) {
			fprintf(stderr, "ring-bench: invalid seconds '%s' (1 to 600)\n", argv[1]);
			return 2;
		}
		secs = (double)s;
	}
#ifdef HAVE_RTE_RING
	have_rte = 1;
#endif
	pinned = ncpu >= 2;
	rounds = (unsigned int)(secs * ROUNDS_PER_S);
	for (i = 0; i < NROWS; i++) {
		rows[i].v = calloc(rounds, sizeof(double));
		rows[i].load = calloc(rounds, sizeof(double));
		if (!rows[i].v || !rows[i].load)
			die("calloc");
	}

	l0 = load1();
	printf("host: %s, %ld CPUs online, %d-entry rings, %u rounds of %.0f ms chunks, rows interleaved\n",
	       pinned ? "threads pinned to CPUs 0 and 1" : "threads NOT pinned (one CPU)",
	       ncpu, ENTRIES, rounds, CHUNK_S * 1e3);
	printf("load average (1 min) at start: %.2f\n", l0);
	fflush(stdout);
	for (k = 0; k < rounds; k++) {
		for (i = 0; i < NROWS; i++) {
			struct row *r = &rows[i];
			double t = now_s(), v;

			if (r->impl == IMPL_RTE && !have_rte)
				continue;
			v = chunk(r->impl, r->size, r->batch, r->rtt);
			r->v[k] = v;
			r->load[k] = load1();
			if (r->rtt) {
				r->units += 1;	/* mean of chunks: whole run for a latency */
				r->secs += v;
			} else {
				r->units += v * (now_s() - t);
				r->secs += now_s() - t;
			}
		}
	}
	l1 = load1();

	printf("%-28s %12s %12s %12s %6s\n", "row", "median", "fast decile",
	       "whole run", "load");
	for (i = 0; i < NROWS; i++) {
		struct row *r = &rows[i];
		char a[32], b[32], c[32];

		if (r->impl == IMPL_RTE && !have_rte) {
			printf("%-28s %12s (libdpdk-dev not installed at build time)\n",
			       r->name, "n/a");
			continue;
		}
		fmt(a, sizeof(a), quantile(r->v, rounds, 0.5), r->rtt);
		/* fast decile: the highest rates, the lowest latencies */
		fmt(b, sizeof(b), quantile(r->v, rounds, r->rtt ? 0.1 : 0.9), r->rtt);
		fmt(c, sizeof(c), r->rtt ? r->secs / r->units : r->units / r->secs, r->rtt);
		printf("%-28s %12s %12s %12s %6.2f\n", r->name, a, b, c,
		       quantile(r->load, rounds, 0.5));
	}
	if (have_rte) {
		double *ratio = calloc(rounds, sizeof(double));

		if (!ratio)
			die("calloc");
		printf("ring / rte_ring, median of the per-round ratios (>1: uvbus faster):\n");
		for (i = 0; i < NROWS; i++) {
			struct row *r = &rows[i], *p;

			if (r->peer < 0)
				continue;
			p = &rows[r->peer];
			for (k = 0; k < rounds; k++)
				ratio[k] = r->rtt ? p->v[k] / r->v[k] : r->v[k] / p->v[k];
			printf("  %-26s %5.2fx  (fast decile %5.2fx)\n", r->name + 6,
			       quantile(ratio, rounds, 0.5), quantile(ratio, rounds, 0.9));
		}
		free(ratio);
	}
	printf("load average (1 min) at end: %.2f\n", l1);
	printf("(M/s: million messages per second; ns: per round trip, both threads spinning;\n"
	       " eventfd: one sleeping wake-up each way)\n");
	return 0;
}
