// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvbus-loop - drive a loopback channel through libuvnic, for the kernel
 * suites (t/kernel/uvbus-ctl.bats): round trips of many messages checked
 * for order and content, signal wake-ups, waits that end in a timeout or
 * a destroy, ephemeral channels. Not installed.
 *
 * Messages: the tag is the sequence number; the payload (length too)
 * follows from it, and the last 4 data bytes hold its checksum, so an
 * echo that is reordered, stale or damaged is caught.
 */
#include <argtable2.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libuvnic.h"

#define MAXERR		5
#define MAX_BATCH	UVBUS_RING_MAX_ENTRIES

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dULL;
	return x ^ (x >> 33);
}

static uint32_t checksum(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/*
 * A message of 12 to UVBUS_MSG_DATA_SIZE bytes: its sequence number, a
 * pseudo-random body, and a checksum in its last 4 bytes. Everything is
 * inside m->len: the ring carries a message's length, not its whole slot.
 */
static void msg_fill(struct uvbus_msg *m, uint64_t seq)
{
	uint64_t x = mix(seq + 1);
	uint32_t i, len = 12 + (uint32_t)(x % (UVBUS_MSG_DATA_SIZE - 12 + 1)), sum;

	memset(m, 0, sizeof(*m));
	m->type = UVBUS_MSG_DATA;
	m->len = len;
	m->tag = seq;
	memcpy(m->data, &seq, sizeof(seq));
	for (i = 8; i < len - 4; i++) {
		if (!(i & 7))
			x = mix(x);
		m->data[i] = (uint8_t)(x >> ((i & 7) * 8));
	}
	sum = checksum(m->data, len - 4);
	memcpy(m->data + len - 4, &sum, sizeof(sum));
}

static const char *msg_check(const struct uvbus_msg *m, uint64_t seq)
{
	uint64_t s;
	uint32_t sum;

	if (m->tag != seq)
		return "out of order";
	if (m->type != UVBUS_MSG_DATA || m->flags || m->len < 12 ||
	    m->len > UVBUS_MSG_DATA_SIZE)
		return "bad header";
	memcpy(&s, m->data, sizeof(s));
	memcpy(&sum, m->data + m->len - 4, sizeof(sum));
	if (s != seq || sum != checksum(m->data, m->len - 4))
		return "bad payload";
	return NULL;
}

static struct uvbus_port *attach(const char *name, unsigned int entries)
{
	return uvnic_cli_port_open(name, 0, entries);
}

/* ---------------------------------------------------------------- */
/* roundtrip                                                         */
/* ---------------------------------------------------------------- */

struct trip {
	struct uvbus_port *port;
	uint64_t count;
	unsigned int batch;
	int timeout_ms;
	int err;		/* first failure, -errno */
	const char *what;	/* ... or a content failure at seq */
	uint64_t seq;
};

static struct uvbus_msg *alloc_msgs(unsigned int n)
{
	struct uvbus_msg *m = calloc(n, sizeof(*m));

	if (!m)
		uvnic_die("out of memory");
	return m;
}

/* Receive up to @want echoes, checking each; returns how many or -errno. */
static int recv_check(struct trip *t, struct uvbus_msg *buf, unsigned int want,
		      uint64_t *next)
{
	int n = uvbus_port_recv_wait(t->port, buf, want, t->timeout_ms);
	int i;

	if (n < 0)
		return n;
	for (i = 0; i < n; i++, (*next)++) {
		t->what = msg_check(&buf[i], *next);
		if (t->what) {
			t->seq = *next;
			return -EBADMSG;
		}
	}
	return n;
}

static void *trip_sender(void *arg)
{
	struct trip *t = arg;
	struct uvbus_msg *buf = alloc_msgs(t->batch);
	uint64_t seq = 0;
	unsigned int i, k;
	int n;

	while (seq < t->count && !__atomic_load_n(&t->err, __ATOMIC_RELAXED)) {
		k = t->count - seq < t->batch ? (unsigned int)(t->count - seq) : t->batch;
		for (i = 0; i < k; i++)
			msg_fill(&buf[i], seq + i);
		n = uvbus_port_send_all(t->port, buf, k, t->timeout_ms);
		if (n < 0) {
			__atomic_store_n(&t->err, n, __ATOMIC_RELAXED);
			break;
		}
		seq += (unsigned int)n;
		if ((unsigned int)n < k) {
			__atomic_store_n(&t->err, -ETIMEDOUT, __ATOMIC_RELAXED);
			break;
		}
	}
	free(buf);
	return NULL;
}

/* Two threads: one sends everything, the other receives (the SPSC split). */
static int trip_threads(struct trip *t)
{
	struct uvbus_msg *buf = alloc_msgs(t->batch);
	uint64_t next = 0;
	pthread_t tid;
	int n = 0;

	if (pthread_create(&tid, NULL, trip_sender, t))
		uvnic_die("pthread_create failed");
	while (next < t->count) {
		n = recv_check(t, buf, t->batch, &next);
		if (n < 0)
			break;
	}
	if (n < 0)
		__atomic_store_n(&t->err, n, __ATOMIC_RELAXED);
	pthread_join(tid, NULL);
	free(buf);
	return t->err;
}

/* One thread: keep at most a ring's worth in flight. */
static int trip_single(struct trip *t)
{
	unsigned int window = uvbus_port_entries(t->port);
	struct uvbus_msg *buf = alloc_msgs(t->batch);
	uint64_t sent = 0, next = 0;
	unsigned int i, k;
	int n = 0;

	while (next < t->count) {
		k = t->count - sent < t->batch ? (unsigned int)(t->count - sent) : t->batch;
		if (k && sent - next + k <= window) {
			for (i = 0; i < k; i++)
				msg_fill(&buf[i], sent + i);
			n = uvbus_port_send_all(t->port, buf, k, t->timeout_ms);
			if (n >= 0 && (unsigned int)n < k)
				n = -ETIMEDOUT;
			if (n < 0)
				break;
			sent += k;
			continue;
		}
		n = recv_check(t, buf, t->batch, &next);
		if (n < 0)
			break;
	}
	free(buf);
	return n < 0 ? n : 0;
}

static int do_roundtrip(const char *name, uint64_t count, unsigned int batch,
			unsigned int entries, int threads, int timeout_ms)
{
	struct trip t = { .count = count, .timeout_ms = timeout_ms };
	double ms;
	int rc;

	t.port = attach(name, entries);
	t.batch = batch ? batch : 1;
	if (t.batch > uvbus_port_entries(t.port))
		t.batch = uvbus_port_entries(t.port);
	ms = now_ms();
	rc = threads ? trip_threads(&t) : trip_single(&t);
	ms = now_ms() - ms;
	uvbus_port_close(t.port);
	if (rc == -EBADMSG)
		uvnic_die("message %" PRIu64 ": %s", t.seq, t.what);
	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "roundtrip on '%s'", name);
	printf("%" PRIu64 " messages echoed in order and intact, batch %u, %s, %.0f msgs/s\n",
	       count, t.batch, threads ? "2 threads" : "1 thread",
	       ms > 0 ? count / (ms / 1e3) : 0.0);
	return 0;
}

/* ---------------------------------------------------------------- */
/* signal: a blocked waiter wakes up on the echoed bits              */
/* ---------------------------------------------------------------- */

struct waiter {
	struct uvbus_port *port;
	uint64_t want;
	int timeout_ms;
	int rc;
	uint64_t bits;
	double woke;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	double deadline = now_ms() + w->timeout_ms;
	uint64_t bits;

	/* Stray UVBUS_SIG_RING bits are possible: wait for the ones we want. */
	do {
		w->rc = uvbus_port_wait(w->port, (int)(deadline - now_ms()) + 1, &bits);
		if (!w->rc)
			w->bits |= bits;
	} while (!w->rc && (w->bits & w->want) != w->want);
	w->woke = now_ms();
	return NULL;
}

static int do_signal(const char *name, uint64_t bits, int delay_ms, int timeout_ms)
{
	struct waiter w = { .want = bits, .timeout_ms = timeout_ms };
	struct timespec ts = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };
	pthread_t tid;
	double sent;
	int rc;

	w.port = attach(name, 0);
	if (pthread_create(&tid, NULL, wait_thread, &w))
		uvnic_die("pthread_create failed");
	nanosleep(&ts, NULL);
	sent = now_ms();
	rc = uvbus_port_signal(w.port, bits);
	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "signal '%s'", name);
	pthread_join(tid, NULL);
	uvbus_port_close(w.port);
	if (w.rc)
		uvnic_die_err(w.rc, UVNIC_CTX_CHANNEL, "wait on '%s'", name);
	if (w.woke < sent)
		uvnic_die("woke before the signal was sent");
	printf("woke %.3f ms after the signal, bits 0x%" PRIx64 "\n", w.woke - sent,
	       w.bits);
	return 0;
}

/* ---------------------------------------------------------------- */
/* wait: report how a wait ends                                      */
/* ---------------------------------------------------------------- */

static int do_wait(const char *name, int timeout_ms)
{
	struct uvbus_port *port = attach(name, 0);
	uint64_t bits;
	int rc;

	printf("attached\n");
	fflush(stdout);
	rc = uvbus_port_wait(port, timeout_ms, &bits);
	switch (rc) {
	case 0:
		printf("signal 0x%" PRIx64 "\n", bits);
		break;
	case -ETIMEDOUT:
		printf("timeout\n");
		break;
	case -ENODEV:
		printf("destroyed\n");
		break;
	case -EPIPE:
		printf("broken\n");
		break;
	default:
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "wait on '%s'", name);
	}
	/* After a hang-up, sending must fail cleanly too. */
	if (rc == -ENODEV) {
		struct uvbus_msg m;

		msg_fill(&m, 0);
		rc = uvbus_port_send_all(port, &m, 1, 100);
		printf("send after destroy: %s\n", rc < 0 ? uvnic_strerror(rc) : "accepted");
	}
	uvbus_port_close(port);
	return 0;
}

/* ---------------------------------------------------------------- */
/* ephemeral: a channel that lives as long as this process           */
/* ---------------------------------------------------------------- */

static int do_ephemeral(const char *name, int hold_ms)
{
	struct timespec ts = { hold_ms / 1000, (hold_ms % 1000) * 1000000L };
	struct uvbus_port *port;
	struct uvbus_msg m, echo;
	int fd = uvnic_cli_open_bus(), rc;

	rc = uvbus_create_loopback(fd, name, UVBUS_CREATE_EPHEMERAL);
	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "create '%s'", name);
	/* The port takes the creating descriptor: the channel dies with it. */
	rc = uvbus_port_open_fd(fd, name, 0, 0, &port);
	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "attach '%s'", name);
	msg_fill(&m, 42);
	rc = uvbus_port_send_all(port, &m, 1, 5000);
	if (rc == 1)
		rc = uvbus_port_recv_wait(port, &echo, 1, 5000);
	if (rc < 0)
		uvnic_die_err(rc, UVNIC_CTX_CHANNEL, "echo on '%s'", name);
	if (msg_check(&echo, 42))
		uvnic_die("bad echo on '%s'", name);
	printf("created\n");
	fflush(stdout);
	nanosleep(&ts, NULL);
	uvbus_port_close(port);
	return 0;
}

int main(int argc, char **argv)
{
	struct arg_str *rt_name = arg_str1(NULL, NULL, "NAME", "a loopback channel");
	struct arg_str *rt_count = arg_str1(NULL, NULL, "COUNT", "messages to send and check");
	struct arg_str *rt_batch = arg_str0(NULL, "batch", "B", "messages per send (default 1)");
	struct arg_str *rt_entries = arg_str0(NULL, "entries", "E", "ring size (default 256)");
	struct arg_lit *rt_threads = arg_lit0(NULL, "threads", "send and receive from two threads");
	struct arg_str *rt_timeout = arg_str0(NULL, "timeout", "MS", "give up after MS ms (default 10000)");
	struct arg_end *rt_end = arg_end(MAXERR);
	void *rt[] = { uvnic_cli_command("roundtrip"), rt_name, rt_count, rt_batch,
		       rt_entries, rt_threads, rt_timeout, rt_end };

	struct arg_str *sg_name = arg_str1(NULL, NULL, "NAME", NULL);
	struct arg_str *sg_bits = arg_str0(NULL, "bits", "BITS", "user bits to echo (default 0x10000)");
	struct arg_str *sg_delay = arg_str0(NULL, "delay", "MS", "signal after MS ms (default 100)");
	struct arg_str *sg_timeout = arg_str0(NULL, "timeout", "MS", NULL);
	struct arg_end *sg_end = arg_end(MAXERR);
	void *sg[] = { uvnic_cli_command("signal"), sg_name, sg_bits, sg_delay,
		       sg_timeout, sg_end };

	struct arg_str *wt_name = arg_str1(NULL, NULL, "NAME", NULL);
	struct arg_str *wt_timeout = arg_str0(NULL, "timeout", "MS", NULL);
	struct arg_end *wt_end = arg_end(MAXERR);
	void *wt[] = { uvnic_cli_command("wait"), wt_name, wt_timeout, wt_end };

	struct arg_str *ep_name = arg_str1(NULL, NULL, "NAME", NULL);
	struct arg_str *ep_hold = arg_str0(NULL, "hold", "MS", "keep the channel MS ms (default 0)");
	struct arg_end *ep_end = arg_end(MAXERR);
	void *ep[] = { uvnic_cli_command("ephemeral"), ep_name, ep_hold, ep_end };

	enum { ROUNDTRIP, SIGNAL, WAIT, EPHEMERAL };
	const struct uvnic_cli_syntax syntax[] = {
		[ROUNDTRIP] = { "roundtrip", "send COUNT messages, check every echo",
				rt, ARRAY_SIZE(rt) },
		[SIGNAL] = { "signal", "a waiting thread must wake on the echoed bits",
			     sg, ARRAY_SIZE(sg) },
		[WAIT] = { "wait", "attach, print \"attached\", then how the wait ended",
			   wt, ARRAY_SIZE(wt) },
		[EPHEMERAL] = { "ephemeral", "create an ephemeral channel, echo one message, hold it",
				ep, ARRAY_SIZE(ep) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvbus-loop",
		.purpose = "Exercise a uvBus loopback channel through libuvnic (a test helper).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	int which = uvnic_cli_parse(&cli, argc, argv), rc = 1;

	switch (which) {
	case ROUNDTRIP:
		rc = do_roundtrip(uvnic_cli_name(rt_name->sval[0]),
				  uvnic_cli_number("COUNT", rt_count->sval[0], 1, UINT64_MAX / 2),
				  (unsigned int)(rt_batch->count ?
				  uvnic_cli_number("--batch", rt_batch->sval[0], 1, MAX_BATCH) : 1),
				  (unsigned int)(rt_entries->count ?
				  uvnic_cli_number("--entries", rt_entries->sval[0], 0, UVBUS_RING_MAX_ENTRIES) : 0),
				  rt_threads->count > 0,
				  (int)(rt_timeout->count ?
				  uvnic_cli_number("--timeout", rt_timeout->sval[0], 0, 3600000) : 10000));
		break;
	case SIGNAL:
		rc = do_signal(uvnic_cli_name(sg_name->sval[0]),
			       sg_bits->count ?
			       uvnic_cli_number("--bits", sg_bits->sval[0], 1, UINT64_MAX) : 1ULL << 16,
			       (int)(sg_delay->count ?
			       uvnic_cli_number("--delay", sg_delay->sval[0], 0, 60000) : 100),
			       (int)(sg_timeout->count ?
			       uvnic_cli_number("--timeout", sg_timeout->sval[0], 0, 3600000) : 10000));
		break;
	case WAIT:
		rc = do_wait(uvnic_cli_name(wt_name->sval[0]),
			     (int)(wt_timeout->count ?
			     uvnic_cli_number("--timeout", wt_timeout->sval[0], 0, 3600000) : 10000));
		break;
	case EPHEMERAL:
		rc = do_ephemeral(uvnic_cli_name(ep_name->sval[0]),
				  (int)(ep_hold->count ?
				  uvnic_cli_number("--hold", ep_hold->sval[0], 0, 3600000) : 0));
		break;
	}
	uvnic_cli_free(&cli);
	return rc;
}
