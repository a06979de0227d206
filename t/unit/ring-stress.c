// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ring-stress - the shared ring (uvbus.h) between two threads, in plain
 * memory, no kernel: one producer, one consumer, millions of messages,
 * each checked for order (sequence number in the tag) and content (a
 * payload derived from the sequence number, plus its checksum); then the
 * corruption checks: a peer index beyond the ring is -EPROTO and nothing
 * is read or written.
 *
 * Usage: ring-stress [MESSAGES]   (also $UVNIC_STRESS_MSGS; default 4M,
 * 200k when built with ThreadSanitizer as ring-stress-tsan). TAP output;
 * exit 0 when every test passed.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libuvnic.h"
#include "tap.h"

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

#ifdef UNDER_TSAN
#define DEFAULT_MSGS	200000ULL
/* A race must fail the run, whatever TSAN_OPTIONS the caller forgot. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	return "halt_on_error=1:exitcode=66:report_signal_unsafe=0";
}
#else
#define DEFAULT_MSGS	(4ULL << 20)
#endif

#define MAX_ENTRIES	UVBUS_RING_MAX_ENTRIES
#define MAX_BATCH	512
/*
 * The sequence number, then derived bytes, then the checksum of what comes
 * before it in the payload's last 4 bytes: the ring carries only @len
 * bytes of payload (uvbus_msg_bytes()), so everything checked is in them.
 */
#define PAYLOAD_MIN	12
#define PAYLOAD_MAX	UVBUS_MSG_DATA_SIZE
#define CSUM_OFF(len)	((len) - 4)

/* The shared memory: indices on their own cache lines, as a kernel would. */
struct shared {
	_Alignas(64) __u32 head;
	_Alignas(64) __u32 tail;
	_Alignas(64) __u32 flags;
	_Alignas(64) struct uvbus_msg slots[MAX_ENTRIES];
};

static struct shared shm;


/* ---------------------------------------------------------------- */
/* messages                                                          */
/* ---------------------------------------------------------------- */

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}

/* Message @seq: its length, payload and checksum all follow from @seq. */
static void msg_fill(struct uvbus_msg *m, uint64_t seq)
{
	uint64_t x = mix(seq), w;
	uint32_t len = PAYLOAD_MIN + (uint32_t)(x % (PAYLOAD_MAX - PAYLOAD_MIN + 1));
	uint32_t i, csum;

	m->type = UVBUS_MSG_DATA;
	m->flags = (uint16_t)seq;
	m->len = len;
	m->tag = seq;
	memcpy(m->data, &seq, sizeof(seq));
	for (i = sizeof(seq); i < CSUM_OFF(len); i += sizeof(w)) {
		x = mix(x);
		w = x;
		memcpy(m->data + i, &w, CSUM_OFF(len) - i < sizeof(w) ?
		       CSUM_OFF(len) - i : sizeof(w));
	}
	csum = fnv1a(m->data, CSUM_OFF(len));
	memcpy(m->data + CSUM_OFF(len), &csum, sizeof(csum));
}

/* 0, or what is wrong with the copy that should be message @seq. */
static const char *msg_check(const struct uvbus_msg *m, uint64_t seq)
{
	uint64_t s;
	uint32_t csum;

	if (m->tag != seq)
		return "out of order (tag)";
	if (m->type != UVBUS_MSG_DATA || m->flags != (uint16_t)seq)
		return "bad header";
	if (m->len < PAYLOAD_MIN || m->len > PAYLOAD_MAX)
		return "bad length";
	memcpy(&s, m->data, sizeof(s));
	if (s != seq)
		return "stale payload";
	memcpy(&csum, m->data + CSUM_OFF(m->len), sizeof(csum));
	if (csum != fnv1a(m->data, CSUM_OFF(m->len)))
		return "bad checksum";
	return NULL;
}

/* ---------------------------------------------------------------- */
/* two threads                                                       */
/* ---------------------------------------------------------------- */

struct phase {
	const char *name;
	unsigned int entries;
	unsigned int pbatch, cbatch;	/* largest batch; 1 = unbatched */
	uint32_t start;			/* first index (to cross 2^32) */
	uint64_t total;

	int stop;			/* atomic: either side gave up */
	uint64_t bad_seq;		/* consumer's first failure */
	const char *bad_what;
	int push_err, pop_err;
};

static void ring_view(struct uvbus_ring *r, const struct phase *ph)
{
	struct uvbus_ring_offsets off = {
		.head = offsetof(struct shared, head),
		.tail = offsetof(struct shared, tail),
		.flags = offsetof(struct shared, flags),
		.entries = ph->entries,
		.slots = offsetof(struct shared, slots),
	};

	uvbus_ring_setup(r, &shm, &off);
	uvbus_ring_start(r, ph->start);
}

static void relax(unsigned int *spins)
{
	if (++*spins < 64) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
		return;
	}
	sched_yield();
}

static unsigned int batch_size(uint64_t *rng, unsigned int max, uint64_t left)
{
	unsigned int k = 1;

	if (max > 1) {
		*rng = mix(*rng);
		k = 1 + (unsigned int)(*rng % max);
	}
	return left < k ? (unsigned int)left : k;
}

static void *producer(void *arg)
{
	static struct uvbus_msg batch[MAX_BATCH];
	struct phase *ph = arg;
	struct uvbus_ring r;
	uint64_t seq = 0, rng = 1;
	unsigned int k, i, done, spins;
	int n;

	ring_view(&r, ph);
	while (seq < ph->total) {
		k = batch_size(&rng, ph->pbatch, ph->total - seq);
		for (i = 0; i < k; i++)
			msg_fill(&batch[i], seq + i);
		for (done = 0, spins = 0; done < k;) {
			n = uvbus_ring_push(&r, batch + done, k - done);
			if (n < 0) {
				ph->push_err = n;
				__atomic_store_n(&ph->stop, 1, __ATOMIC_RELAXED);
				return NULL;
			}
			if (n) {
				done += (unsigned int)n;
				spins = 0;
				continue;
			}
			if (__atomic_load_n(&ph->stop, __ATOMIC_RELAXED))
				return NULL;
			relax(&spins);
		}
		seq += k;
	}
	return NULL;
}

static void *consumer(void *arg)
{
	static struct uvbus_msg batch[MAX_BATCH];
	struct phase *ph = arg;
	struct uvbus_ring r;
	uint64_t seq = 0, rng = 2;
	unsigned int k, spins = 0;
	const char *bad;
	int n, i;

	ring_view(&r, ph);
	while (seq < ph->total) {
		k = batch_size(&rng, ph->cbatch, ph->total - seq);
		n = uvbus_ring_pop(&r, batch, k);
		if (n < 0) {
			ph->pop_err = n;
			__atomic_store_n(&ph->stop, 1, __ATOMIC_RELAXED);
			return NULL;
		}
		if (!n) {
			if (__atomic_load_n(&ph->stop, __ATOMIC_RELAXED))
				return NULL;
			relax(&spins);
			continue;
		}
		spins = 0;
		for (i = 0; i < n; i++, seq++) {
			bad = msg_check(&batch[i], seq);
			if (bad) {
				ph->bad_seq = seq;
				ph->bad_what = bad;
				__atomic_store_n(&ph->stop, 1, __ATOMIC_RELAXED);
				return NULL;
			}
		}
	}
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_phase(struct phase *ph)
{
	pthread_t p, c;
	double t;

	memset(&shm, 0, sizeof(shm));
	shm.head = shm.tail = ph->start;
	t = now_s();
	if (pthread_create(&c, NULL, consumer, ph) ||
	    pthread_create(&p, NULL, producer, ph)) {
		ok(0, "%s: pthread_create failed", ph->name);
		exit(1);
	}
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	t = now_s() - t;

	if (ph->bad_what)
		ok(0, "%s: message %" PRIu64 ": %s", ph->name, ph->bad_seq,
		    ph->bad_what);
	else if (ph->push_err || ph->pop_err)
		ok(0, "%s: push %d, pop %d on a sound ring", ph->name,
		    ph->push_err, ph->pop_err);
	else
		ok(1, "%s: %" PRIu64 " messages in order and intact (%.1f M/s)",
		    ph->name, ph->total, ph->total / t / 1e6);
}

/* ---------------------------------------------------------------- */
/* corruption: a peer's index beyond the ring                        */
/* ---------------------------------------------------------------- */

static void corrupt_producer_view(uint32_t local, uint32_t head, int want)
{
	static struct shared before;
	struct phase ph = { .entries = 8, .start = local };
	struct uvbus_msg m[8];
	struct uvbus_ring r;
	int space, pushed;

	memset(&shm, 0x5a, sizeof(shm));
	shm.tail = local;
	shm.head = head;
	ring_view(&r, &ph);
	memset(m, 0xc3, sizeof(m));
	memcpy(&before, &shm, sizeof(shm));

	space = uvbus_ring_space(&r);
	pushed = uvbus_ring_push(&r, m, 8);
	if (want < 0)
		ok(space == want && pushed == want && r.local == local &&
		    !memcmp(&before, &shm, sizeof(shm)),
		    "producer, head 0x%08x with tail 0x%08x: space %d, push %d, nothing written",
		    head, local, space, pushed);
	else
		ok(space == want && pushed == want,
		    "producer, head 0x%08x with tail 0x%08x: space %d, push %d (want %d)",
		    head, local, space, pushed, want);
}

static void corrupt_consumer_view(uint32_t local, uint32_t tail, int want)
{
	static struct shared before;
	struct phase ph = { .entries = 8, .start = local };
	struct uvbus_msg out[8], pristine[8];
	struct uvbus_ring r;
	int ready, popped;

	memset(&shm, 0x5a, sizeof(shm));
	shm.head = local;
	shm.tail = tail;
	ring_view(&r, &ph);
	memset(out, 0xc3, sizeof(out));
	memcpy(pristine, out, sizeof(out));
	memcpy(&before, &shm, sizeof(shm));

	ready = uvbus_ring_ready(&r);
	popped = uvbus_ring_pop(&r, out, 8);
	if (want < 0)
		ok(ready == want && popped == want && r.local == local &&
		    !memcmp(&before, &shm, sizeof(shm)) &&
		    !memcmp(pristine, out, sizeof(out)),
		    "consumer, tail 0x%08x with head 0x%08x: ready %d, pop %d, nothing read or written",
		    tail, local, ready, popped);
	else
		ok(ready == want && popped == want,
		    "consumer, tail 0x%08x with head 0x%08x: ready %d, pop %d (want %d)",
		    tail, local, ready, popped, want);
}

static void corruption_tests(void)
{
	/* The consumer claims to have consumed what was never produced. */
	corrupt_producer_view(100, 101, -EPROTO);
	corrupt_producer_view(100, 100 - 9, -EPROTO);	/* 9 used of 8 */
	corrupt_producer_view(100, 0xdeadbeef, -EPROTO);
	corrupt_producer_view(0xfffffffe, 0xffffffff, -EPROTO);
	/* Legal extremes: full (0 free), empty (8 free), across 2^32. */
	corrupt_producer_view(100, 100 - 8, 0);
	corrupt_producer_view(3, 0xfffffffb, 0);
	corrupt_producer_view(100, 100, 8);

	/* The producer claims more than the ring holds, or less than consumed. */
	corrupt_consumer_view(100, 100 + 9, -EPROTO);
	corrupt_consumer_view(100, 99, -EPROTO);
	corrupt_consumer_view(100, 0xdeadbeef, -EPROTO);
	corrupt_consumer_view(0xfffffffc, 0x00000005, -EPROTO);	/* 9 across 2^32 */
	/* Legal: empty, full, full across 2^32. */
	corrupt_consumer_view(100, 100, 0);
	corrupt_consumer_view(100, 108, 8);
	corrupt_consumer_view(0xfffffffc, 0x00000004, 8);
}

static uint64_t message_count(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : getenv("UVNIC_STRESS_MSGS");
	uint64_t n = DEFAULT_MSGS;

	if (s && *s && uvnic_parse_u64(s, UINT64_MAX / 2, &n)) {
		fprintf(stderr, "ring-stress: invalid message count '%s'\n", s);
		exit(2);
	}
	return n ? n : 1;
}

int main(int argc, char **argv)
{
	uint64_t n = message_count(argc, argv);
	struct phase phases[] = {
		{ .name = "unbatched, 256 entries", .entries = 256,
		  .pbatch = 1, .cbatch = 1, .start = 0, .total = n },
		{ .name = "random batches 1-64, 64 entries, across 2^32",
		  .entries = 64, .pbatch = 64, .cbatch = 64,
		  .start = (uint32_t)(0x100000000ULL - n / 2), .total = n },
		{ .name = "random batches 1-3, 2 entries", .entries = 2,
		  .pbatch = 3, .cbatch = 3, .start = 0xfffffff0u,
		  .total = n / 8 ? n / 8 : 1 },
		{ .name = "random batches 1-512, 4096 entries", .entries = 4096,
		  .pbatch = 512, .cbatch = 512, .start = 7, .total = n },
	};
	size_t i;

	/*
	 * A hang is a failure too. The bound is for a hang only: two
	 * spinning threads on a 2-core machine under make check-loaded and
	 * a second make check at once took over 600 s (SIGALRM, exit 142).
	 */
	alarm(1800);
	for (i = 0; i < ARRAY_SIZE(phases); i++)
		run_phase(&phases[i]);
	corruption_tests();
	return tap_done();
}
