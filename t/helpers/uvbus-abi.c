// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvbus-abi - exercise /dev/uvbus through its raw ABI: kernel/uapi/uvbus.h
 * and libc only, in the kselftest spirit. Each subcommand checks one aspect,
 * exits 0 when every check passed, and otherwise prints one line naming the
 * failed check and exits 1. Run as root where uvbus.ko is loaded (the
 * uvnic-vm guest): t/kernel/uvbus-abi.bats drives it.
 *
 * Channels the self-contained subcommands make are EPHEMERAL, so that they
 * vanish with the process even when a check fails half-way.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "uvbus.h"

static const char *const helper_prog = "uvbus-abi";

#include "helper.h"

static const char *errname(int err)
{
	const char *name = err ? strerrorname_np(err) : "success";

	return name ? name : "unknown errno";
}

/* A return value (0, positive, or -errno) against an expected errno (0: success). */
static void expect(long got, int want, const char *what)
{
	if (want == 0 && got >= 0)
		return;
	if (want && got == -want)
		return;
	if (got >= 0)
		fail("%s: succeeded, expected %s", what, errname(want));
	if (!want)
		fail("%s: %s (%s), expected success", what, errname((int)-got),
		     strerror((int)-got));
	fail("%s: %s, expected %s", what, errname((int)-got), errname(want));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long number(const char *s, const char *what, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max)
		fail("bad %s '%s' (0..%lu)", what, s, max);
	return v;
}

/* ------------------------------------------------------------------ */
/* Raw ioctls                                                          */
/* ------------------------------------------------------------------ */

static int dev_open(void)
{
	int fd = open(UVBUS_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fail("open %s: %s", UVBUS_DEVICE_PATH, strerror(errno));
	return fd;
}

static int ioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static void set_name(char *field, const char *name)
{
	memset(field, 0, UVBUS_NAME_MAX);
	memcpy(field, name, strnlen(name, UVBUS_NAME_MAX));
}

static int create_chan(int fd, const char *name, __u32 type, __u32 flags)
{
	struct uvbus_create c;

	memset(&c, 0, sizeof(c));
	set_name(c.name, name);
	c.type = type;
	c.flags = flags;
	return ioc(fd, UVBUS_IOC_CREATE, &c);
}

static int name_ioc(int fd, unsigned long cmd, const char *name)
{
	struct uvbus_name n;

	memset(&n, 0, sizeof(n));
	set_name(n.name, name);
	return ioc(fd, cmd, &n);
}

static int info_chan(int fd, const char *name, struct uvbus_info *info)
{
	memset(info, 0, sizeof(*info));
	set_name(info->name, name);
	return ioc(fd, UVBUS_IOC_INFO, info);
}

static struct uvbus_info info_of(const char *name)
{
	struct uvbus_info info;
	int fd = dev_open();
	int err = info_chan(fd, name, &info);

	if (err)
		fail("INFO %s: %s", name, errname(-err));
	close(fd);
	return info;
}

/* ------------------------------------------------------------------ */
/* Ports                                                               */
/* ------------------------------------------------------------------ */

struct port {
	int fd;
	struct uvbus_attach at;
	void *map;
	struct uvbus_ring k2u;		/* we consume */
	struct uvbus_ring u2k;		/* we produce */
};

static int port_attach(struct port *p, const char *name, __u32 entries)
{
	memset(p, 0, sizeof(*p));
	p->fd = dev_open();
	set_name(p->at.name, name);
	p->at.entries = entries;
	if (ioctl(p->fd, UVBUS_IOC_ATTACH, &p->at)) {
		int err = -errno;

		close(p->fd);
		return err;
	}
	p->map = mmap(NULL, p->at.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      p->fd, 0);
	if (p->map == MAP_FAILED)
		fail("mmap of %s (%llu bytes): %s", name,
		     (unsigned long long)p->at.mmap_size, strerror(errno));
	uvbus_ring_setup(&p->k2u, p->map, &p->at.k2u);
	uvbus_ring_setup(&p->u2k, p->map, &p->at.u2k);
	return 0;
}

static void port_open(struct port *p, const char *name, __u32 entries)
{
	int err = port_attach(p, name, entries);

	if (err)
		fail("ATTACH %s (entries %u): %s", name, entries, errname(-err));
}

static void port_close(struct port *p)
{
	munmap(p->map, p->at.mmap_size);
	close(p->fd);
}

static long sig_write(int fd, __u64 bits)
{
	ssize_t n = write(fd, &bits, sizeof(bits));

	return n < 0 ? -errno : n;
}

/* 8 with *bits set, 0 at EOF, or -errno. */
static long sig_read(int fd, __u64 *bits)
{
	ssize_t n = read(fd, bits, sizeof(*bits));

	return n < 0 ? -errno : n;
}

/* An address that faults: a page mapped, then unmapped. */
static void *bad_address(void)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	munmap(p, 4096);
	return p;
}

static short poll_now(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n = poll(&pfd, 1, timeout_ms);

	if (n < 0)
		fail("poll: %s", strerror(errno));
	return n ? pfd.revents : 0;
}

static void set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK))
		fail("fcntl: %s", strerror(errno));
}

/* ------------------------------------------------------------------ */
/* Messages with distinct, checkable contents                          */
/* ------------------------------------------------------------------ */

static void make_msg(struct uvbus_msg *m, uint64_t seq)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->type = UVBUS_MSG_DATA;
	m->len = (__u32)(seq % (UVBUS_MSG_DATA_SIZE + 1));
	m->tag = seq * 0x9e3779b97f4a7c15ULL + 1;
	for (i = 0; i < UVBUS_MSG_DATA_SIZE; i++)
		m->data[i] = (__u8)(seq * 131 + i * 7 + (seq >> 8));
}

static void check_msg(const struct uvbus_msg *got, uint64_t seq, const char *name)
{
	const unsigned char *a = (const void *)got, *b;
	struct uvbus_msg want;
	size_t i;

	make_msg(&want, seq);
	/* The ring carries the header and @len bytes: the rest is not ours. */
	if (!memcmp(got, &want, uvbus_msg_bytes(&want)))
		return;
	b = (const void *)&want;
	for (i = 0; a[i] == b[i]; i++)
		;
	fail("%s: message %" PRIu64 " came back different at byte %zu (got %#x, expected %#x): out of order or corrupted",
	     name, seq, i, a[i], b[i]);
}

/*
 * The ring of ABI 1's libuvnic, kept here as old userspace ran it: every
 * index loaded afresh, every slot copied whole. "loopback-v1" drives the
 * current kernel with it: old programs must keep working.
 */
static int v1_ring;

static int v1_push(struct uvbus_ring *r, const struct uvbus_msg *msgs,
		   unsigned int n)
{
	__u32 used = r->local - __atomic_load_n(r->head, __ATOMIC_ACQUIRE);
	unsigned int i;

	if (used > r->entries)
		return -EPROTO;
	if (n > r->entries - used)
		n = r->entries - used;
	for (i = 0; i < n; i++)
		memcpy(&r->slots[(r->local + i) & (r->entries - 1)], &msgs[i],
		       sizeof(msgs[i]));
	r->local += n;
	__atomic_store_n(r->tail, r->local, __ATOMIC_RELEASE);
	return (int)n;
}

static int v1_pop(struct uvbus_ring *r, struct uvbus_msg *msgs, unsigned int n)
{
	__u32 avail = __atomic_load_n(r->tail, __ATOMIC_ACQUIRE) - r->local;
	unsigned int i;

	if (avail > r->entries)
		return -EPROTO;
	if (n > avail)
		n = avail;
	for (i = 0; i < n; i++)
		memcpy(&msgs[i], &r->slots[(r->local + i) & (r->entries - 1)],
		       sizeof(msgs[i]));
	r->local += n;
	__atomic_store_n(r->head, r->local, __ATOMIC_RELEASE);
	return (int)n;
}

static int ring_pop(struct uvbus_ring *r, struct uvbus_msg *msgs, unsigned int n)
{
	return v1_ring ? v1_pop(r, msgs, n) : uvbus_ring_pop(r, msgs, n);
}

static int push(struct port *p, const struct uvbus_msg *m, unsigned int n)
{
	int k = v1_ring ? v1_push(&p->u2k, m, n) : uvbus_ring_push(&p->u2k, m, n);

	if (k < 0)
		fail("u2k push: %s", errname(-k));
	return k;
}

/*
 * Round-trip @count messages numbered from @first through @p, at most
 * @batch in flight, checking each echo's order and every byte.
 */
static void roundtrip(struct port *p, const char *name, uint64_t first,
		      uint64_t count, unsigned int batch)
{
	struct uvbus_msg *out = calloc(batch, sizeof(*out)), in[64];
	uint64_t sent = 0, recv = 0, last = 0;
	double since = now();
	__u64 bits;
	long err;

	if (!batch)
		fail("BATCH must be at least 1");
	if (!out)
		fail("out of memory");
	while (recv < count) {
		unsigned int i;
		int k;

		/*
		 * Keep pushing and ringing while the batch allows: with rings
		 * smaller than the batch, k2u fills up and the kernel has to
		 * hold messages back.
		 */
		do {
			uint64_t n = batch - (sent - recv);

			if (n > count - sent)
				n = count - sent;
			for (i = 0; i < n; i++)
				make_msg(&out[i], first + sent + i);
			k = n ? push(p, out, (unsigned int)n) : 0;
			sent += k;
			err = sig_write(p->fd, UVBUS_SIG_RING);
			if (err < 0)
				fail("%s: doorbell write after %" PRIu64 " sent, %" PRIu64 " received: %s",
				     name, sent, recv, errname((int)-err));
		} while (k > 0 && sent - recv < batch && sent < count);

		while ((k = ring_pop(&p->k2u, in, 64)) > 0) {
			for (i = 0; i < (unsigned int)k; i++)
				check_msg(&in[i], first + recv + i, name);
			recv += k;
		}
		if (k < 0)
			fail("%s: k2u pop: %s", name, errname(-k));

		if (recv != last) {
			last = recv;
			since = now();
		} else if (now() - since > 10) {
			fail("%s: stuck: %" PRIu64 " sent, %" PRIu64 " received",
			     name, sent, recv);
		} else if (sent > recv) {
			short ev = poll_now(p->fd, POLLIN, 10);

			if (ev & (POLLERR | POLLHUP))
				fail("%s: poll reports %s", name,
				     ev & POLLERR ? "POLLERR" : "POLLHUP");
			if (ev & POLLIN && sig_read(p->fd, &bits) < 0)
				fail("%s: read: %s", name, strerror(errno));
		}
	}
	free(out);
}

/* ------------------------------------------------------------------ */
/* Subcommands                                                         */
/* ------------------------------------------------------------------ */

static int cmd_version(void)
{
	struct uvbus_version v;
	int fd = dev_open();
	unsigned int i;

	memset(&v, 0xff, sizeof(v));
	expect(ioc(fd, UVBUS_IOC_VERSION, &v), 0, "VERSION");
	if (v.abi != UVBUS_ABI_VERSION || v.msg_size != UVBUS_MSG_SIZE ||
	    v.max_entries != UVBUS_RING_MAX_ENTRIES)
		fail("VERSION: abi %u, msg_size %u, max_entries %u; expected %u, %u, %u",
		     v.abi, v.msg_size, v.max_entries, UVBUS_ABI_VERSION,
		     UVBUS_MSG_SIZE, UVBUS_RING_MAX_ENTRIES);
	for (i = 0; i < sizeof(v.reserved) / sizeof(v.reserved[0]); i++)
		if (v.reserved[i])
			fail("VERSION: reserved[%u] is %#x, expected 0", i, v.reserved[i]);
	expect(ioc(fd, UVBUS_IOC_VERSION, NULL), EFAULT, "VERSION with a NULL argument");
	close(fd);
	return 0;
}

static int cmd_create(const char *name)
{
	int fd = dev_open();
	int err = create_chan(fd, name, UVBUS_TYPE_LOOPBACK, 0);

	if (err)
		fail("CREATE %s: %s (%s)", name, errname(-err), strerror(-err));
	close(fd);
	return 0;
}

static int cmd_destroy(const char *name)
{
	int fd = dev_open();
	int err = name_ioc(fd, UVBUS_IOC_DESTROY, name);

	if (err)
		fail("DESTROY %s: %s (%s)", name, errname(-err), strerror(-err));
	close(fd);
	return 0;
}

static void print_info(const struct uvbus_info *i)
{
	printf("name=%s\nindex=%u\ntype=%u\nflags=%#x\nstate=%u\nports=%u\n",
	       i->name, i->index, i->type, i->flags, i->state, i->ports);
	printf("k2u_msgs=%llu\nu2k_msgs=%llu\nk2u_full=%llu\n",
	       (unsigned long long)i->k2u_msgs, (unsigned long long)i->u2k_msgs,
	       (unsigned long long)i->k2u_full);
	printf("signals_in=%llu\nsignals_out=%llu\nerrors=%llu\n",
	       (unsigned long long)i->signals_in,
	       (unsigned long long)i->signals_out, (unsigned long long)i->errors);
}

static int cmd_info(const char *name)
{
	struct uvbus_info info;
	int fd = dev_open();
	int err = info_chan(fd, name, &info);

	if (err)
		fail("INFO %s: %s (%s)", name, errname(-err), strerror(-err));
	print_info(&info);
	close(fd);
	return 0;
}

static int cmd_list(void)
{
	struct uvbus_info info;
	int fd = dev_open();
	__u32 i;
	int err;

	for (i = 0;; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		err = ioc(fd, UVBUS_IOC_LIST, &info);
		if (err == -ENOENT)
			break;
		expect(err, 0, "LIST");
		if (info.index != i)
			fail("LIST %u: index came back as %u", i, info.index);
		printf("%s\n", info.name);
	}
	close(fd);
	return 0;
}

static int cmd_loopback(const char *name, uint64_t count, unsigned int batch,
			__u32 entries)
{
	struct uvbus_info before, after;
	struct port p;

	port_open(&p, name, entries);
	before = info_of(name);
	roundtrip(&p, name, 0, count, batch);
	after = info_of(name);
	if (after.state != UVBUS_STATE_OK)
		fail("%s: state %u after the round trips", name, after.state);
	if (after.u2k_msgs - before.u2k_msgs != count ||
	    after.k2u_msgs - before.k2u_msgs != count)
		fail("%s: counters moved by u2k %llu, k2u %llu; expected %" PRIu64,
		     name, (unsigned long long)(after.u2k_msgs - before.u2k_msgs),
		     (unsigned long long)(after.k2u_msgs - before.k2u_msgs), count);
	if (after.errors != before.errors)
		fail("%s: %llu errors counted", name,
		     (unsigned long long)(after.errors - before.errors));
	port_close(&p);
	return 0;
}

/* k2u full: the kernel holds the message back, loses nothing, resumes. */
static int cmd_stall(const char *name)
{
	struct uvbus_info before, after;
	struct uvbus_msg m[4], in[4];
	struct port p;
	__u64 bits;
	int i, k;

	port_open(&p, name, 2);
	before = info_of(name);
	for (i = 0; i < 4; i++)
		make_msg(&m[i], 1000 + i);

	if (push(&p, m, 2) != 2)
		fail("could not queue messages 0 and 1");
	expect(sig_write(p.fd, UVBUS_SIG_RING), 0, "doorbell 1");
	if (push(&p, m + 2, 2) != 2)
		fail("u2k not drained by doorbell 1");
	expect(sig_write(p.fd, UVBUS_SIG_RING), 0, "doorbell 2 (k2u full)");

	after = info_of(name);
	if (after.k2u_full == before.k2u_full)
		fail("k2u_full did not count the refused echo");
	if (after.u2k_msgs - before.u2k_msgs != 3)
		fail("kernel consumed %llu messages, expected 3 (one held back, one left in the ring)",
		     (unsigned long long)(after.u2k_msgs - before.u2k_msgs));
	if (__atomic_load_n(p.u2k.head, __ATOMIC_ACQUIRE) != 3)
		fail("u2k head is %u, expected 3", *p.u2k.head);

	expect(sig_read(p.fd, &bits), 0, "read of pending signals");
	k = uvbus_ring_pop(&p.k2u, in, 4);
	if (k != 2)
		fail("popped %d echoes, expected 2", k);
	check_msg(&in[0], 1000, name);
	check_msg(&in[1], 1001, name);

	/* poll() retries the held message now that k2u has room. */
	if (!(poll_now(p.fd, POLLIN, 2000) & POLLIN))
		fail("no POLLIN after making room in k2u");
	k = uvbus_ring_pop(&p.k2u, in, 4);
	if (k != 2)
		fail("popped %d echoes after the retry, expected 2", k);
	check_msg(&in[0], 1002, name);
	check_msg(&in[1], 1003, name);

	after = info_of(name);
	if (after.u2k_msgs - before.u2k_msgs != 4 ||
	    after.k2u_msgs - before.k2u_msgs != 4)
		fail("counters moved by u2k %llu, k2u %llu; expected 4",
		     (unsigned long long)(after.u2k_msgs - before.u2k_msgs),
		     (unsigned long long)(after.k2u_msgs - before.k2u_msgs));
	port_close(&p);
	return 0;
}

struct delayed_write {
	int fd;
	__u64 bits;
};

static void *delayed_write_fn(void *arg)
{
	struct delayed_write *dw = arg;

	usleep(200 * 1000);
	if (sig_write(dw->fd, dw->bits) != 8)
		fail("delayed write: %s", strerror(errno));
	return NULL;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int cmd_signal(const char *name)
{
	struct itimerval it = { .it_value = { .tv_usec = 200 * 1000 } };
	struct uvbus_info before, after;
	struct delayed_write dw;
	struct sigaction sa;
	struct uvbus_msg m;
	pthread_t thr;
	struct port p;
	double t0;
	__u64 bits;
	short ev;

	port_open(&p, name, 0);
	before = info_of(name);

	/* Nothing pending: O_NONBLOCK read fails with EAGAIN, poll has no POLLIN. */
	set_nonblock(p.fd, true);
	expect(sig_read(p.fd, &bits), EAGAIN, "non-blocking read with nothing pending");
	ev = poll_now(p.fd, POLLIN | POLLOUT, 0);
	if (ev & POLLIN || !(ev & POLLOUT))
		fail("idle port: poll revents %#x, expected POLLOUT only", ev);

	/* User bits come back as they were written. */
	bits = (1ULL << 16) | (1ULL << 40) | (1ULL << 63);
	expect(sig_write(p.fd, bits), 0, "write of user bits");
	if (!(poll_now(p.fd, POLLIN, 1000) & POLLIN))
		fail("no POLLIN after writing user bits");
	expect(sig_read(p.fd, &bits), 0, "read of the echoed bits");
	if (bits != ((1ULL << 16) | (1ULL << 40) | (1ULL << 63)))
		fail("read %#llx, expected %#llx", (unsigned long long)bits,
		     (unsigned long long)((1ULL << 16) | (1ULL << 40) | (1ULL << 63)));
	expect(sig_read(p.fd, &bits), EAGAIN, "second read (the set was cleared)");

	/* A message raises UVBUS_SIG_RING. */
	make_msg(&m, 7);
	push(&p, &m, 1);
	expect(sig_write(p.fd, UVBUS_SIG_RING), 0, "doorbell");
	expect(sig_read(p.fd, &bits), 0, "read after the doorbell");
	if (!(bits & UVBUS_SIG_RING))
		fail("read %#llx after an echo, expected UVBUS_SIG_RING", (unsigned long long)bits);
	if (uvbus_ring_pop(&p.k2u, &m, 1) != 1)
		fail("no echo in k2u after UVBUS_SIG_RING");
	check_msg(&m, 7, name);

	/* A blocking read sleeps until a signal arrives. */
	set_nonblock(p.fd, false);
	dw.fd = p.fd;
	dw.bits = 1ULL << 17;
	if (pthread_create(&thr, NULL, delayed_write_fn, &dw))
		fail("pthread_create failed");
	t0 = now();
	expect(sig_read(p.fd, &bits), 0, "blocking read");
	if (bits != 1ULL << 17)
		fail("blocking read returned %#llx, expected %#llx",
		     (unsigned long long)bits, 1ULL << 17);
	if (now() - t0 < 0.1)
		fail("blocking read returned after %.3f s: it did not block", now() - t0);
	pthread_join(thr, NULL);

	/* So does poll(). */
	dw.bits = 1ULL << 18;
	if (pthread_create(&thr, NULL, delayed_write_fn, &dw))
		fail("pthread_create failed");
	t0 = now();
	if (!(poll_now(p.fd, POLLIN, 5000) & POLLIN))
		fail("poll did not wake up for a delayed signal");
	if (now() - t0 < 0.1)
		fail("poll returned after %.3f s: it did not wait", now() - t0);
	pthread_join(thr, NULL);
	expect(sig_read(p.fd, &bits), 0, "read after poll");
	if (bits != 1ULL << 18)
		fail("read %#llx after poll, expected %#llx", (unsigned long long)bits,
		     1ULL << 18);

	/* A blocked read is interruptible. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	expect(sig_read(p.fd, &bits), EINTR, "blocked read hit by a signal");

	after = info_of(name);
	if (after.signals_in - before.signals_in != 4)
		fail("signals_in moved by %llu, expected 4",
		     (unsigned long long)(after.signals_in - before.signals_in));
	if (after.signals_out - before.signals_out < 4)
		fail("signals_out moved by %llu, expected at least 4",
		     (unsigned long long)(after.signals_out - before.signals_out));
	port_close(&p);
	return 0;
}

static void expect_create(int fd, const char *name, __u32 type, __u32 flags,
			  int want, const char *what)
{
	expect(create_chan(fd, name, type, flags), want, what);
}

/* Several ports on one channel: each has its own rings and gets only its own echoes. */
static int cmd_ports(const char *name)
{
	struct uvbus_info info;
	struct uvbus_msg m, nop;
	struct port p[3];
	unsigned int i, round;

	for (i = 0; i < 3; i++)
		port_open(&p[i], name, 4 << i);
	expect(info_chan(p[0].fd, name, &info), 0, "INFO");
	if (info.ports != 3)
		fail("INFO: %u ports, expected 3", info.ports);
	if (p[0].map == p[1].map || p[1].at.entries != 8 || p[2].at.entries != 16)
		fail("ports do not have rings of their own");

	memset(&nop, 0, sizeof(nop));
	nop.type = UVBUS_MSG_NOP;
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 3; i++) {
			/* A NOP is consumed and not echoed. */
			push(&p[i], &nop, 1);
			make_msg(&m, (__u64)i << 32 | round);
			push(&p[i], &m, 1);
			expect(sig_write(p[i].fd, UVBUS_SIG_RING), 0, "doorbell");
		}
		for (i = 0; i < 3; i++) {
			if (uvbus_ring_pop(&p[i].k2u, &m, 1) != 1)
				fail("port %u: no echo in round %u", i, round);
			check_msg(&m, (__u64)i << 32 | round, name);
			if (uvbus_ring_ready(&p[i].k2u) != 0)
				fail("port %u: more than its own echo came back", i);
		}
	}
	port_close(&p[1]);
	expect(info_chan(p[0].fd, name, &info), 0, "INFO");
	if (info.ports != 2 || info.u2k_msgs != 120 || info.k2u_msgs != 60)
		fail("INFO after a close: ports %u, u2k %llu, k2u %llu; expected 2, 120, 60",
		     info.ports, (unsigned long long)info.u2k_msgs,
		     (unsigned long long)info.k2u_msgs);
	roundtrip(&p[2], name, 0, 100, 16);
	port_close(&p[0]);
	port_close(&p[2]);
	return 0;
}

static int cmd_bad_ioctl(void)
{
	char base[UVBUS_NAME_MAX], other[UVBUS_NAME_MAX], buf[64];
	struct uvbus_create c;
	struct uvbus_attach at;
	struct uvbus_info info;
	struct uvbus_name n;
	struct uvpci_mmio_req mr;
	struct port p, q;
	int fd = dev_open();
	__u32 count, bad[] = { 1, 3, 6, 8192, 1U << 31 };
	unsigned int i;

	snprintf(base, sizeof(base), "abi-bad-%d", (int)getpid());
	snprintf(other, sizeof(other), "abi-bad2-%d", (int)getpid());
	expect_create(fd, base, UVBUS_TYPE_LOOPBACK, UVBUS_CREATE_EPHEMERAL, 0, "CREATE");

	/* Unknown commands. */
	expect(ioc(fd, _IO('x', 1), NULL), ENOTTY, "foreign ioctl");
	expect(ioc(fd, _IOR(UVBUS_IOC_MAGIC, 0x3f, __u32), buf), ENOTTY,
	       "unknown uvBus ioctl number");
	expect(ioc(fd, _IOWR(UVBUS_IOC_MAGIC, 0x41, char[8]), buf), ENOTTY,
	       "channel-type ioctl too small to hold a name");
	expect(ioc(fd, _IOR(UVBUS_IOC_MAGIC, 0x41, struct uvbus_name), buf), ENOTTY,
	       "channel-type ioctl that passes nothing in");

	/* CREATE: reserved fields, flags, names, types, parameters. */
	memset(&c, 0, sizeof(c));
	set_name(c.name, other);
	c.type = UVBUS_TYPE_LOOPBACK;
	c.reserved[0] = 1;
	expect(ioc(fd, UVBUS_IOC_CREATE, &c), EINVAL, "CREATE with reserved[0] set");
	c.reserved[0] = 0;
	c.reserved[5] = 0x80000000;
	expect(ioc(fd, UVBUS_IOC_CREATE, &c), EINVAL, "CREATE with reserved[5] set");
	c.reserved[5] = 0;
	c.raw[31] = 1;
	expect(ioc(fd, UVBUS_IOC_CREATE, &c), EINVAL, "loopback CREATE with parameters");
	c.raw[31] = 0;
	c.flags = 1U << 2;
	expect(ioc(fd, UVBUS_IOC_CREATE, &c), EINVAL, "CREATE with an unknown flag");
	c.flags = UVBUS_CREATE_HELD;
	expect(ioc(fd, UVBUS_IOC_CREATE, &c), EINVAL, "loopback CREATE with HELD (uvPCI only)");
	c.flags = 0;
	expect_create(fd, other, 0, 0, EINVAL, "CREATE of type 0");
	expect_create(fd, other, 99, 0, EINVAL, "CREATE of type 99");
	if (access("/sys/module/uvpci", F_OK))
		expect_create(fd, other, UVBUS_TYPE_UVPCI, 0, EPROTONOSUPPORT,
			      "CREATE of a uvPCI channel without uvpci.ko");
	expect_create(fd, "", UVBUS_TYPE_LOOPBACK, 0, EINVAL, "CREATE with an empty name");
	expect_create(fd, "a/b", UVBUS_TYPE_LOOPBACK, 0, EINVAL, "CREATE of 'a/b'");
	expect_create(fd, "a b", UVBUS_TYPE_LOOPBACK, 0, EINVAL, "CREATE of 'a b'");
	expect_create(fd, "caf\xc3\xa9", UVBUS_TYPE_LOOPBACK, 0, EINVAL,
		      "CREATE of a non-ASCII name");
	expect_create(fd, "a\n", UVBUS_TYPE_LOOPBACK, 0, EINVAL, "CREATE of 'a\\n'");
	expect_create(fd, ".", UVBUS_TYPE_LOOPBACK, 0, EINVAL, "CREATE of '.'");
	expect_create(fd, "..", UVBUS_TYPE_LOOPBACK, 0, EINVAL, "CREATE of '..'");
	memset(&c, 0, sizeof(c));
	memset(c.name, 'a', sizeof(c.name));
	c.type = UVBUS_TYPE_LOOPBACK;
	expect(ioc(fd, UVBUS_IOC_CREATE, &c), ENAMETOOLONG,
	       "CREATE of a name with no NUL in its 32 bytes");
	c.name[31] = 0;
	c.flags = UVBUS_CREATE_EPHEMERAL;
	expect(ioc(fd, UVBUS_IOC_CREATE, &c), 0, "CREATE of a 31-character name");
	expect(name_ioc(fd, UVBUS_IOC_DESTROY, c.name), 0, "DESTROY of a 31-character name");
	expect_create(fd, base, UVBUS_TYPE_LOOPBACK, 0, EEXIST, "CREATE of a duplicate");
	expect(ioc(fd, UVBUS_IOC_CREATE, NULL), EFAULT, "CREATE with a NULL argument");

	/* DESTROY, RESET. */
	expect(name_ioc(fd, UVBUS_IOC_DESTROY, other), ENOENT, "DESTROY of a missing channel");
	expect(name_ioc(fd, UVBUS_IOC_DESTROY, "no/such"), EINVAL, "DESTROY of a bad name");
	memset(&n, 0, sizeof(n));
	set_name(n.name, base);
	n.reserved[7] = 1;
	expect(ioc(fd, UVBUS_IOC_DESTROY, &n), EINVAL, "DESTROY with reserved[7] set");
	expect(ioc(fd, UVBUS_IOC_RESET, &n), EINVAL, "RESET with reserved[7] set");
	expect(name_ioc(fd, UVBUS_IOC_RESET, other), ENOENT, "RESET of a missing channel");
	expect(name_ioc(fd, UVBUS_IOC_RESET, base), EOPNOTSUPP, "RESET of a loopback channel");

	/* INFO, LIST. */
	expect(info_chan(fd, other, &info), ENOENT, "INFO of a missing channel");
	memset(&info, 0, sizeof(info));
	set_name(info.name, base);
	info.reserved0 = 1;
	expect(ioc(fd, UVBUS_IOC_INFO, &info), EINVAL, "INFO with reserved0 set");
	info.reserved0 = 0;
	info.reserved[7] = 1;
	expect(ioc(fd, UVBUS_IOC_INFO, &info), EINVAL, "INFO with reserved[7] set");
	expect(info_chan(fd, base, &info), 0, "INFO");
	if (strcmp(info.name, base) || info.type != UVBUS_TYPE_LOOPBACK ||
	    info.flags != UVBUS_CREATE_EPHEMERAL || info.state != UVBUS_STATE_OK ||
	    info.ports != 0)
		fail("INFO of %s: name %s type %u flags %#x state %u ports %u", base,
		     info.name, info.type, info.flags, info.state, info.ports);
	for (count = 0;; count++) {
		memset(&info, 0, sizeof(info));
		info.index = count;
		if (ioc(fd, UVBUS_IOC_LIST, &info))
			break;
	}
	memset(&info, 0, sizeof(info));
	info.index = count;
	expect(ioc(fd, UVBUS_IOC_LIST, &info), ENOENT, "LIST one past the last channel");
	info.index = 0xffffffff;
	expect(ioc(fd, UVBUS_IOC_LIST, &info), ENOENT, "LIST at index 0xffffffff");

	/* ATTACH. */
	memset(&at, 0, sizeof(at));
	set_name(at.name, other);
	expect(ioc(fd, UVBUS_IOC_ATTACH, &at), ENOENT, "ATTACH to a missing channel");
	set_name(at.name, base);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[64];

		at.entries = bad[i];
		snprintf(what, sizeof(what), "ATTACH with %u entries", bad[i]);
		expect(ioc(fd, UVBUS_IOC_ATTACH, &at), EINVAL, what);
	}
	at.entries = 0;
	at.flags = 1U << 7;
	expect(ioc(fd, UVBUS_IOC_ATTACH, &at), EINVAL, "ATTACH with an unknown flag");
	at.flags = 0;
	at.reserved[0] = 1;
	expect(ioc(fd, UVBUS_IOC_ATTACH, &at), EINVAL, "ATTACH with reserved[0] set");
	at.reserved[0] = 0;

	port_open(&p, base, 0);
	if (p.at.entries != UVBUS_RING_DEF_ENTRIES || p.at.k2u.entries != UVBUS_RING_DEF_ENTRIES ||
	    p.at.u2k.entries != UVBUS_RING_DEF_ENTRIES)
		fail("ATTACH with entries 0 granted %u (rings %u, %u), expected %u",
		     p.at.entries, p.at.k2u.entries, p.at.u2k.entries, UVBUS_RING_DEF_ENTRIES);
	{
		const struct uvbus_ring_offsets *r[2] = { &p.at.k2u, &p.at.u2k };
		__u64 slots = (__u64)p.at.entries * UVBUS_MSG_SIZE;
		__u32 w[6] = { p.at.k2u.head, p.at.k2u.tail, p.at.k2u.flags,
			       p.at.u2k.head, p.at.u2k.tail, p.at.u2k.flags };
		unsigned int j;

		for (i = 0; i < 6; i++) {
			if (w[i] % 4 || w[i] + 4 > p.at.k2u.slots)
				fail("ATTACH: ring word %u at offset %u", i, w[i]);
			for (j = 0; j < i; j++)
				if (w[i] / 64 == w[j] / 64)
					fail("ATTACH: ring words %u and %u share a cache line", j, i);
		}
		for (i = 0; i < 2; i++)
			if (r[i]->slots % 4096 || r[i]->slots + slots > p.at.mmap_size ||
			    r[i]->reserved[0] || r[i]->reserved[1])
				fail("ATTACH: ring %u slots at %llu, mmap_size %llu", i,
				     (unsigned long long)r[i]->slots,
				     (unsigned long long)p.at.mmap_size);
		if (p.at.k2u.slots + slots > p.at.u2k.slots && p.at.u2k.slots + slots > p.at.k2u.slots)
			fail("ATTACH: the two slot arrays overlap");
		if (p.at.mmap_size % 4096)
			fail("ATTACH: mmap_size %llu is not page-aligned",
			     (unsigned long long)p.at.mmap_size);
	}
	expect(ioc(p.fd, UVBUS_IOC_ATTACH, &at), EBUSY, "second ATTACH on one descriptor");
	expect(create_chan(fd, other, UVBUS_TYPE_LOOPBACK, UVBUS_CREATE_EPHEMERAL), 0, "CREATE");
	set_name(at.name, other);
	expect(ioc(p.fd, UVBUS_IOC_ATTACH, &at), EBUSY,
	       "second ATTACH on one descriptor, to another channel");
	port_open(&q, base, UVBUS_RING_MIN_ENTRIES);
	port_close(&q);
	port_open(&q, base, UVBUS_RING_MAX_ENTRIES);
	if (q.at.mmap_size < 2ULL * UVBUS_RING_MAX_ENTRIES * UVBUS_MSG_SIZE)
		fail("ATTACH with %u entries: mmap_size %llu", UVBUS_RING_MAX_ENTRIES,
		     (unsigned long long)q.at.mmap_size);
	port_close(&q);
	expect(info_chan(fd, base, &info), 0, "INFO");
	if (info.ports != 1)
		fail("INFO: %u ports, expected 1", info.ports);
	port_close(&p);

	/* Channel-type ioctls go to the channel named first in the argument. */
	memset(&mr, 0, sizeof(mr));
	set_name(mr.name, base);
	expect(ioc(fd, UVPCI_IOC_MMIO, &mr), ENOTTY, "UVPCI_IOC_MMIO on a loopback channel");
	set_name(mr.name, "no-such-channel");
	expect(ioc(fd, UVPCI_IOC_MMIO, &mr), ENOENT, "UVPCI_IOC_MMIO on a missing channel");
	set_name(mr.name, "bad name");
	expect(ioc(fd, UVPCI_IOC_MMIO, &mr), EINVAL, "UVPCI_IOC_MMIO with a bad name");

	close(fd);
	return 0;
}

static int cmd_bad_mmap(const char *name)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct uvbus_attach at;
	int fd = dev_open();
	size_t size;
	void *m, *m2;

#define EXPECT_MMAP(len, prot, flags, off, want, what)				\
	do {									\
		m = mmap(NULL, (len), (prot), (flags), fd, (off));		\
		if (m != MAP_FAILED)						\
			fail("%s: succeeded, expected %s", (what), errname(want)); \
		if (errno != (want))						\
			fail("%s: %s, expected %s", (what), errname(errno),	\
			     errname(want));					\
	} while (0)

	EXPECT_MMAP((size_t)pg, PROT_READ, MAP_SHARED, 0, ENOTCONN, "mmap before ATTACH");

	memset(&at, 0, sizeof(at));
	set_name(at.name, name);
	expect(ioc(fd, UVBUS_IOC_ATTACH, &at), 0, "ATTACH");
	size = at.mmap_size;
	EXPECT_MMAP(size - pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0, EINVAL,
		    "mmap one page short");
	EXPECT_MMAP(size + pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0, EINVAL,
		    "mmap one page long");
	EXPECT_MMAP(size, PROT_READ | PROT_WRITE, MAP_SHARED, pg, EINVAL,
		    "mmap at offset one page");
	EXPECT_MMAP(size - pg, PROT_READ | PROT_WRITE, MAP_SHARED, pg, EINVAL,
		    "mmap of the tail at offset one page");
	EXPECT_MMAP(size, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0, EINVAL, "MAP_PRIVATE mmap");
	EXPECT_MMAP(size, PROT_READ | PROT_EXEC, MAP_SHARED, 0, EPERM, "PROT_EXEC mmap");
#undef EXPECT_MMAP

	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		fail("mmap of exactly mmap_size at 0: %s", strerror(errno));
	if (!mprotect(m, size, PROT_READ | PROT_EXEC))
		fail("mprotect(PROT_EXEC) of the rings succeeded");
	if (*(volatile __u32 *)((char *)m + at.k2u.tail) != 0 ||
	    *(volatile __u32 *)((char *)m + at.u2k.head) != 0)
		fail("fresh rings do not start at index 0");
	/* A second mapping of the same rings is fine, read-only too. */
	m2 = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (m2 == MAP_FAILED)
		fail("second, read-only mmap: %s", strerror(errno));
	munmap(m2, size);
	close(fd);
	/* The mapping outlives the descriptor. */
	if (*(volatile __u32 *)((char *)m + at.k2u.head) != 0)
		fail("mapping unreadable after close");
	munmap(m, size);
	return 0;
}

static int cmd_bad_write(const char *name)
{
	char buf[16] = { 0 };
	unsigned int sizes[] = { 0, 1, 4, 7, 9, 16 };
	struct port p;
	__u64 bits = 0;
	unsigned int i;
	int fd = dev_open();
	char what[64];

	/* Not attached. */
	expect(sig_write(fd, 0), ENOTCONN, "write on an unattached descriptor");
	expect(sig_read(fd, &bits), ENOTCONN, "read on an unattached descriptor");
	if (!(poll_now(fd, POLLIN, 0) & POLLERR))
		fail("poll on an unattached descriptor: no POLLERR");
	close(fd);

	port_open(&p, name, 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ssize_t n = write(p.fd, buf, sizes[i]);

		snprintf(what, sizeof(what), "write of %u bytes", sizes[i]);
		expect(n < 0 ? -errno : n, EINVAL, what);
	}
	expect(sig_write(p.fd, 1ULL << 1), EINVAL, "write of reserved signal bit 1");
	expect(sig_write(p.fd, 1ULL << 15), EINVAL, "write of reserved signal bit 15");
	expect(write(p.fd, bad_address(), 8) < 0 ? -errno : 0, EFAULT, "write from a bad address");
	expect(pwrite(p.fd, &bits, 8, 0) < 0 ? -errno : 0, ESPIPE, "pwrite");
	expect(read(p.fd, buf, 4) < 0 ? -errno : 0, EINVAL, "read of 4 bytes");
	expect(read(p.fd, buf, 7) < 0 ? -errno : 0, EINVAL, "read of 7 bytes");
	expect(sig_write(p.fd, 0), 0, "write of 0 (no bits)");

	expect(sig_write(p.fd, 1ULL << 20), 0, "write of a user bit");
	if (read(p.fd, bad_address(), 8) >= 0 || errno != EFAULT)
		fail("read to a bad address: expected EFAULT");
	/* ... and the bits were not lost. */
	memset(buf, 0, sizeof(buf));
	if (read(p.fd, buf, sizeof(buf)) != 8)
		fail("read of 16 bytes: %s, expected 8 bytes", strerror(errno));
	memcpy(&bits, buf, 8);
	if (bits != 1ULL << 20)
		fail("read %#llx, expected %#llx", (unsigned long long)bits, 1ULL << 20);
	port_close(&p);
	return 0;
}

/* Corrupt shared memory; the channel, and only it, must break cleanly. */
static int cmd_scribble(const char *name, const char *how)
{
	struct uvbus_info info;
	struct uvbus_msg m;
	struct port p, q;
	__u64 bits;
	int err;

	port_open(&p, name, 0);
	roundtrip(&p, name, 0, 10, 4);

	if (!strcmp(how, "u2k-tail")) {
		/* Claims more messages than the ring holds. */
		__atomic_store_n(p.u2k.tail, p.u2k.local + p.u2k.entries + 7, __ATOMIC_RELEASE);
	} else if (!strcmp(how, "k2u-head")) {
		unsigned int i;

		/*
		 * Claims to have consumed messages never produced. The kernel
		 * loads our head only when its cached copy says k2u is full:
		 * echoes go on until it does, a ring's worth at most.
		 */
		__atomic_store_n(p.k2u.head, p.k2u.local + 12345, __ATOMIC_RELEASE);
		for (i = 0; i <= 2 * p.k2u.entries; i++) {
			make_msg(&m, 11 + i);
			push(&p, &m, 1);
			if (sig_write(p.fd, UVBUS_SIG_RING) < 0)
				break;
		}
	} else if (!strcmp(how, "msg")) {
		make_msg(&m, 12);
		push(&p, &m, 1);
		/* Rewrite the queued message's header in place. */
		p.u2k.slots[(p.u2k.local - 1) & (p.u2k.entries - 1)].type = 0x7777;
		p.u2k.slots[(p.u2k.local - 1) & (p.u2k.entries - 1)].len = 0xffffffff;
	} else if (!strcmp(how, "len")) {
		/*
		 * A hostile payload length: the kernel copies at most one
		 * slot and its channel refuses the length.
		 */
		make_msg(&m, 12);
		push(&p, &m, 1);
		p.u2k.slots[(p.u2k.local - 1) & (p.u2k.entries - 1)].len = 0xffffffff;
	} else {
		fail("unknown corruption '%s' (u2k-tail, k2u-head, msg, len)", how);
	}

	expect(sig_write(p.fd, UVBUS_SIG_RING), EPIPE, "doorbell over a corrupted ring");
	expect(info_chan(p.fd, name, &info), 0, "INFO");
	if (info.state != UVBUS_STATE_BROKEN)
		fail("state %u after the corruption, expected UVBUS_STATE_BROKEN", info.state);
	if (!info.errors)
		fail("no error counted");
	if (!(poll_now(p.fd, POLLIN, 0) & POLLERR))
		fail("poll on a broken channel: no POLLERR");
	expect(sig_read(p.fd, &bits), EPIPE, "read on a broken channel");
	make_msg(&m, 13);
	uvbus_ring_push(&p.u2k, &m, 1);
	expect(sig_write(p.fd, UVBUS_SIG_RING), EPIPE, "doorbell on a broken channel");
	expect(sig_write(p.fd, 1ULL << 16), EPIPE, "signal on a broken channel");
	err = port_attach(&q, name, 0);
	expect(err, EPIPE, "ATTACH to a broken channel");
	port_close(&p);
	return 0;
}

/*
 * COUNT channels broken at once, one after the other as fast as possible:
 * abi-brk-PID-0 .. abi-brk-PID-(COUNT-1), EPHEMERAL (gone when we exit).
 * Prints the name prefix; the test counts the log lines.
 */
static int cmd_break_many(unsigned int count)
{
	struct port *ports = calloc(count, sizeof(*ports));
	char name[UVBUS_NAME_MAX];
	struct uvbus_info info;
	int fd = dev_open();
	unsigned int i;

	if (!ports)
		fail("out of memory");
	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "abi-brk-%d-%u", (int)getpid(), i);
		expect(create_chan(fd, name, UVBUS_TYPE_LOOPBACK,
				   UVBUS_CREATE_EPHEMERAL), 0, "CREATE");
		port_open(&ports[i], name, 4);
	}
	for (i = 0; i < count; i++) {
		struct port *p = &ports[i];

		/* Claims more messages than the ring holds. */
		__atomic_store_n(p->u2k.tail, p->u2k.local + p->u2k.entries + 7,
				 __ATOMIC_RELEASE);
		expect(sig_write(p->fd, UVBUS_SIG_RING), EPIPE,
		       "doorbell over a corrupted ring");
	}
	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "abi-brk-%d-%u", (int)getpid(), i);
		expect(info_chan(fd, name, &info), 0, "INFO");
		if (info.state != UVBUS_STATE_BROKEN)
			fail("%s: state %u, expected UVBUS_STATE_BROKEN", name,
			     info.state);
		port_close(&ports[i]);
	}
	printf("abi-brk-%d-\n", (int)getpid());
	close(fd);
	free(ports);
	return 0;
}

static int cmd_many(unsigned int count)
{
	struct port *ports = calloc(count, sizeof(*ports));
	char (*names)[UVBUS_NAME_MAX] = calloc(count, UVBUS_NAME_MAX);
	struct uvbus_msg m;
	struct uvbus_info info;
	unsigned int i, round, found = 0;
	int fd = dev_open();
	__u64 seq;

	if (!ports || !names)
		fail("out of memory");
	for (i = 0; i < count; i++) {
		snprintf(names[i], UVBUS_NAME_MAX, "abi-many-%d-%u", (int)getpid(), i);
		expect(create_chan(fd, names[i], UVBUS_TYPE_LOOPBACK,
				   UVBUS_CREATE_EPHEMERAL), 0, "CREATE");
		port_open(&ports[i], names[i], 4);
	}
	for (i = 0;; i++) {
		memset(&info, 0, sizeof(info));
		info.index = i;
		if (ioc(fd, UVBUS_IOC_LIST, &info))
			break;
		if (!strncmp(info.name, "abi-many-", 9))
			found++;
	}
	if (found != count)
		fail("LIST shows %u of the %u channels", found, count);

	/* Interleaved: a message on every channel, then every echo. */
	for (round = 0; round < 8; round++) {
		for (i = 0; i < count; i++) {
			make_msg(&m, (__u64)i << 32 | round);
			if (push(&ports[i], &m, 1) != 1)
				fail("%s: u2k full", names[i]);
			expect(sig_write(ports[i].fd, UVBUS_SIG_RING), 0, "doorbell");
		}
		for (i = 0; i < count; i++) {
			seq = (__u64)i << 32 | round;
			if (uvbus_ring_pop(&ports[i].k2u, &m, 1) != 1)
				fail("%s: no echo of round %u", names[i], round);
			check_msg(&m, seq, names[i]);
		}
	}
	for (i = 0; i < count; i++) {
		expect(info_chan(fd, names[i], &info), 0, "INFO");
		if (info.k2u_msgs != 8 || info.u2k_msgs != 8 || info.ports != 1)
			fail("%s: k2u %llu, u2k %llu, ports %u; expected 8, 8, 1", names[i],
			     (unsigned long long)info.k2u_msgs,
			     (unsigned long long)info.u2k_msgs, info.ports);
		port_close(&ports[i]);
	}
	close(fd);

	fd = dev_open();
	for (i = 0; i < count; i++)
		expect(info_chan(fd, names[i], &info), ENOENT,
		       "INFO of an ephemeral channel after its creator closed");
	close(fd);
	free(ports);
	free(names);
	return 0;
}

/* Checks a port whose channel was destroyed under it. */
static void check_hung_up(struct port *p, const char *what)
{
	__u64 bits;
	long n;
	short ev = poll_now(p->fd, POLLIN, 0);
	char msg[128];

	if (!(ev & POLLHUP))
		fail("%s: poll revents %#x, expected POLLHUP", what, ev);
	/* Pending bits first, then end of file. */
	while ((n = sig_read(p->fd, &bits)) == 8)
		;
	snprintf(msg, sizeof(msg), "%s: read", what);
	expect(n, 0, msg);
	if (n != 0)
		fail("%s: read returned %ld, expected 0 (end of file)", what, n);
	snprintf(msg, sizeof(msg), "%s: write", what);
	expect(sig_write(p->fd, UVBUS_SIG_RING), ENODEV, msg);
}

static int cmd_ephemeral(void)
{
	char name[UVBUS_NAME_MAX], own[UVBUS_NAME_MAX];
	struct uvbus_info info;
	struct uvbus_msg m;
	struct port p, self;
	int creator = dev_open(), fd = dev_open();

	snprintf(name, sizeof(name), "abi-eph-%d", (int)getpid());
	snprintf(own, sizeof(own), "abi-eph-own-%d", (int)getpid());
	expect(create_chan(creator, name, UVBUS_TYPE_LOOPBACK, UVBUS_CREATE_EPHEMERAL),
	       0, "CREATE EPHEMERAL");
	expect(info_chan(fd, name, &info), 0, "INFO");
	if (info.flags != UVBUS_CREATE_EPHEMERAL)
		fail("INFO flags %#x, expected UVBUS_CREATE_EPHEMERAL", info.flags);

	port_open(&p, name, 0);
	roundtrip(&p, name, 0, 5, 5);
	make_msg(&m, 5);
	push(&p, &m, 1);
	expect(sig_write(p.fd, UVBUS_SIG_RING), 0, "doorbell");

	close(creator);
	expect(info_chan(fd, name, &info), ENOENT, "INFO after the creator closed");
	check_hung_up(&p, "port of a closed ephemeral channel");
	/* The rings stay mapped: the last echo is still there. */
	if (uvbus_ring_pop(&p.k2u, &m, 1) != 1)
		fail("the echo queued before the destroy is gone");
	check_msg(&m, 5, name);
	port_close(&p);

	/* The creator itself attached: closing it detaches, then destroys. */
	memset(&self, 0, sizeof(self));
	self.fd = dev_open();
	expect(create_chan(self.fd, own, UVBUS_TYPE_LOOPBACK, UVBUS_CREATE_EPHEMERAL),
	       0, "CREATE EPHEMERAL");
	set_name(self.at.name, own);
	expect(ioc(self.fd, UVBUS_IOC_ATTACH, &self.at), 0, "ATTACH by the creator");
	close(self.fd);
	expect(info_chan(fd, own, &info), ENOENT, "INFO after the attached creator closed");

	/* Not EPHEMERAL: survives its creator. */
	creator = dev_open();
	expect(create_chan(creator, own, UVBUS_TYPE_LOOPBACK, 0), 0, "CREATE");
	close(creator);
	expect(info_chan(fd, own, &info), 0, "INFO of a persistent channel after its creator closed");
	expect(name_ioc(fd, UVBUS_IOC_DESTROY, own), 0, "DESTROY");
	close(fd);
	return 0;
}

static void *blocked_read_fn(void *arg)
{
	struct port *p = arg;
	__u64 bits;

	return (void *)sig_read(p->fd, &bits);
}

/* DESTROY while a port is attached. */
static int cmd_hup(void)
{
	char name[UVBUS_NAME_MAX];
	struct uvbus_msg m;
	struct port p;
	pthread_t thr;
	void *ret;
	__u64 bits;
	int fd = dev_open();

	snprintf(name, sizeof(name), "abi-hup-%d", (int)getpid());
	expect(create_chan(fd, name, UVBUS_TYPE_LOOPBACK, UVBUS_CREATE_EPHEMERAL), 0, "CREATE");
	port_open(&p, name, 8);
	make_msg(&m, 42);
	push(&p, &m, 1);
	expect(sig_write(p.fd, UVBUS_SIG_RING), 0, "doorbell");

	/* A reader blocked in read() wakes up with end of file. */
	expect(sig_read(p.fd, &bits), 0, "read of the pending doorbell");
	if (pthread_create(&thr, NULL, blocked_read_fn, &p))
		fail("pthread_create failed");
	usleep(200 * 1000);
	expect(name_ioc(fd, UVBUS_IOC_DESTROY, name), 0, "DESTROY with a port attached");
	pthread_join(thr, &ret);
	if ((long)ret != 0)
		fail("read blocked over a DESTROY returned %ld, expected 0 (end of file)",
		     (long)ret);
	check_hung_up(&p, "port of a destroyed channel");
	if (uvbus_ring_pop(&p.k2u, &m, 1) != 1)
		fail("the echo queued before the destroy is gone");
	check_msg(&m, 42, name);
	expect(ioc(p.fd, UVBUS_IOC_ATTACH, &p.at), EBUSY, "ATTACH again on a hung-up descriptor");

	/* The name is free at once, and a new channel works. */
	expect(create_chan(fd, name, UVBUS_TYPE_LOOPBACK, UVBUS_CREATE_EPHEMERAL), 0,
	       "CREATE of the same name again");
	port_close(&p);
	port_open(&p, name, 8);
	roundtrip(&p, name, 0, 20, 3);
	port_close(&p);
	close(fd);
	return 0;
}

/*
 * Several threads on one port: a producer ringing the doorbell, a consumer
 * that polls, a kicker ringing doorbells and signals of its own, so that
 * the kernel sees concurrent drainers and a small ring that keeps filling.
 * Phase 1 checks every message; phase 2 destroys the channel under load.
 */
struct stress {
	struct port p;
	const char *name;
	uint64_t count;		/* 0: until the channel goes away */
	atomic_bool done;
};

static void *stress_producer(void *arg)
{
	struct stress *s = arg;
	struct uvbus_msg m;
	uint64_t seq = 0;
	long err;
	int k;

	while (!s->count || seq < s->count) {
		make_msg(&m, seq);
		k = push(&s->p, &m, 1);
		seq += k;
		if (k && seq % 4 && seq != s->count)
			continue;
		err = sig_write(s->p.fd, UVBUS_SIG_RING);
		if (err == -ENODEV && !s->count)
			break;
		if (err < 0)
			fail("%s: producer doorbell after %" PRIu64 " messages: %s",
			     s->name, seq, errname((int)-err));
		if (!k)
			sched_yield();
	}
	return NULL;
}

static void *stress_kicker(void *arg)
{
	struct stress *s = arg;
	long err;

	while (!atomic_load(&s->done)) {
		err = sig_write(s->p.fd, UVBUS_SIG_RING);
		if (err >= 0)
			err = sig_write(s->p.fd, 1ULL << 16);
		if (err == -ENODEV && !s->count)
			break;
		if (err < 0)
			fail("%s: kicker: %s", s->name, errname((int)-err));
		poll_now(s->p.fd, POLLIN, 0);
	}
	return NULL;
}

static void *stress_consumer(void *arg)
{
	struct stress *s = arg;
	struct uvbus_msg in[32];
	uint64_t recv = 0;
	double since = now();
	__u64 bits;
	short ev;
	int i, k;

	while (!s->count || recv < s->count) {
		k = uvbus_ring_pop(&s->p.k2u, in, 32);
		if (k < 0)
			fail("%s: k2u pop: %s", s->name, errname(-k));
		for (i = 0; i < k; i++)
			check_msg(&in[i], recv + i, s->name);
		recv += k;
		if (k) {
			since = now();
			continue;
		}
		if (now() - since > 10)
			fail("%s: stuck after %" PRIu64 " messages", s->name, recv);
		ev = poll_now(s->p.fd, POLLIN, 10);
		if (ev & POLLERR)
			fail("%s: POLLERR after %" PRIu64 " messages", s->name, recv);
		if (ev & POLLHUP) {
			if (s->count)
				fail("%s: POLLHUP after %" PRIu64 " messages", s->name, recv);
			break;
		}
		if (ev & POLLIN && sig_read(s->p.fd, &bits) < 0)
			fail("%s: read: %s", s->name, strerror(errno));
	}
	atomic_store(&s->done, true);
	return NULL;
}

static int cmd_stress(uint64_t count)
{
	char name[UVBUS_NAME_MAX];
	pthread_t prod, kick, cons;
	struct uvbus_info info;
	struct stress s;
	int fd = dev_open();

	snprintf(name, sizeof(name), "abi-stress-%d", (int)getpid());
	expect(create_chan(fd, name, UVBUS_TYPE_LOOPBACK, UVBUS_CREATE_EPHEMERAL), 0, "CREATE");

	memset(&s, 0, sizeof(s));
	s.name = name;
	s.count = count;
	atomic_init(&s.done, false);
	port_open(&s.p, name, 8);
	if (pthread_create(&prod, NULL, stress_producer, &s) ||
	    pthread_create(&kick, NULL, stress_kicker, &s))
		fail("pthread_create failed");
	stress_consumer(&s);
	pthread_join(prod, NULL);
	pthread_join(kick, NULL);
	expect(info_chan(fd, name, &info), 0, "INFO");
	if (info.state != UVBUS_STATE_OK || info.errors || info.u2k_msgs != count ||
	    info.k2u_msgs != count)
		fail("%s: state %u, errors %llu, u2k %llu, k2u %llu; expected 0, 0, %" PRIu64,
		     name, info.state, (unsigned long long)info.errors,
		     (unsigned long long)info.u2k_msgs, (unsigned long long)info.k2u_msgs, count);
	port_close(&s.p);

	/* Phase 2: the same under a DESTROY. */
	memset(&s, 0, sizeof(s));
	s.name = name;
	atomic_init(&s.done, false);
	port_open(&s.p, name, 8);
	if (pthread_create(&prod, NULL, stress_producer, &s) ||
	    pthread_create(&kick, NULL, stress_kicker, &s) ||
	    pthread_create(&cons, NULL, stress_consumer, &s))
		fail("pthread_create failed");
	usleep(300 * 1000);
	expect(name_ioc(fd, UVBUS_IOC_DESTROY, name), 0, "DESTROY under load");
	pthread_join(prod, NULL);
	pthread_join(cons, NULL);
	pthread_join(kick, NULL);
	expect(info_chan(fd, name, &info), ENOENT, "INFO after the destroy");
	port_close(&s.p);
	close(fd);
	return 0;
}

static int cmd_noperm(const char *name)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	struct uvbus_info info;
	struct port p;
	int fd = dev_open();

	if (syscall(SYS_capget, &hdr, data))
		fail("capget: %s", strerror(errno));
	data[0].effective &= ~(1U << CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		fail("capset: %s", strerror(errno));

	expect(create_chan(fd, "abi-noperm", UVBUS_TYPE_LOOPBACK, 0), EPERM,
	       "CREATE without CAP_SYS_ADMIN");
	expect(name_ioc(fd, UVBUS_IOC_DESTROY, name), EPERM, "DESTROY without CAP_SYS_ADMIN");
	expect(name_ioc(fd, UVBUS_IOC_RESET, name), EPERM, "RESET without CAP_SYS_ADMIN");
	expect(info_chan(fd, name, &info), 0, "INFO without CAP_SYS_ADMIN");
	port_open(&p, name, 0);
	roundtrip(&p, name, 0, 3, 1);
	port_close(&p);
	close(fd);
	return 0;
}

static int cmd_show(const char *name)
{
	char path[128], line[256];
	struct uvbus_msg m;
	struct port p;
	FILE *f;

	port_open(&p, name, 16);
	roundtrip(&p, name, 0, 3, 1);
	make_msg(&m, 3);
	push(&p, &m, 1);
	expect(sig_write(p.fd, UVBUS_SIG_RING), 0, "doorbell");

	snprintf(path, sizeof(path), "/sys/kernel/debug/uvbus/%s", name);
	f = fopen(path, "r");
	if (!f)
		fail("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
	port_close(&p);
	return 0;
}

static int cmd_rmmod_busy(void)
{
	int fd = dev_open();

	if (!syscall(SYS_delete_module, "uvbus", O_NONBLOCK))
		fail("delete_module(uvbus) succeeded while /dev/uvbus was open");
	if (errno != EWOULDBLOCK)
		fail("delete_module(uvbus) with /dev/uvbus open: %s, expected EWOULDBLOCK",
		     errname(errno));
	close(fd);
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: uvbus-abi COMMAND [ARG...]\n"
	      "  version                        VERSION ioctl\n"
	      "  create NAME | destroy NAME     a loopback channel\n"
	      "  info NAME | list               print INFO / the LIST of names\n"
	      "  loopback NAME COUNT [BATCH [ENTRIES]]  round-trip COUNT messages\n"
	      "  ports NAME                     three ports on one channel, NOPs\n"
	      "  stall NAME                     k2u full: held back, then resumed\n"
	      "  signal NAME                    read/poll wake-ups, echo, EAGAIN, EINTR\n"
	      "  bad-ioctl                      malformed ioctls and their errnos\n"
	      "  bad-mmap NAME                  mmap size, offset, flags, before ATTACH\n"
	      "  bad-write NAME                 odd-sized read/write, unattached fd\n"
	      "  loopback-v1 NAME COUNT BATCH   as loopback, with ABI 1's ring code\n"
	      "  scribble NAME u2k-tail|k2u-head|msg|len   corrupt the rings: BROKEN\n"
	      "  many COUNT                     COUNT channels at once\n"
	      "  break-many COUNT               COUNT channels broken in a row\n"
	      "  stress COUNT                   threads racing on one port, then a DESTROY\n"
	      "  ephemeral                      EPHEMERAL channels and their ports\n"
	      "  hup                            DESTROY under an attached port\n"
	      "  noperm NAME                    without CAP_SYS_ADMIN\n"
	      "  show NAME                      print the debugfs file with a port\n"
	      "  rmmod-busy                     delete_module while /dev/uvbus is open\n"
	      "Exit 0 when every check passes, else 1 with one line on stderr.\n", f);
}

int main(int argc, char **argv)
{
	const char *c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	c = helper_cmd = argv[1];
	if (!strcmp(c, "-h") || !strcmp(c, "--help")) {
		usage(stdout);
		return 0;
	}
#define ARGS(n) do { if (argc != (n) + 2) { usage(stderr); return 2; } } while (0)
	if (!strcmp(c, "version")) {
		ARGS(0);
		return cmd_version();
	}
	if (!strcmp(c, "create")) {
		ARGS(1);
		return cmd_create(argv[2]);
	}
	if (!strcmp(c, "destroy")) {
		ARGS(1);
		return cmd_destroy(argv[2]);
	}
	if (!strcmp(c, "info")) {
		ARGS(1);
		return cmd_info(argv[2]);
	}
	if (!strcmp(c, "list")) {
		ARGS(0);
		return cmd_list();
	}
	if (!strcmp(c, "loopback")) {
		if (argc < 4 || argc > 6) {
			usage(stderr);
			return 2;
		}
		return cmd_loopback(argv[2], number(argv[3], "COUNT", ~0UL),
				    argc > 4 ? (unsigned int)number(argv[4], "BATCH", 1 << 20) : 1,
				    argc > 5 ? (__u32)number(argv[5], "ENTRIES", 1UL << 31) : 0);
	}
	if (!strcmp(c, "loopback-v1")) {
		ARGS(3);
		v1_ring = 1;
		return cmd_loopback(argv[2], number(argv[3], "COUNT", ~0UL),
				    (unsigned int)number(argv[4], "BATCH", 1 << 20), 0);
	}
	if (!strcmp(c, "ports")) {
		ARGS(1);
		return cmd_ports(argv[2]);
	}
	if (!strcmp(c, "stall")) {
		ARGS(1);
		return cmd_stall(argv[2]);
	}
	if (!strcmp(c, "signal")) {
		ARGS(1);
		return cmd_signal(argv[2]);
	}
	if (!strcmp(c, "bad-ioctl")) {
		ARGS(0);
		return cmd_bad_ioctl();
	}
	if (!strcmp(c, "bad-mmap")) {
		ARGS(1);
		return cmd_bad_mmap(argv[2]);
	}
	if (!strcmp(c, "bad-write")) {
		ARGS(1);
		return cmd_bad_write(argv[2]);
	}
	if (!strcmp(c, "scribble")) {
		ARGS(2);
		return cmd_scribble(argv[2], argv[3]);
	}
	if (!strcmp(c, "many")) {
		ARGS(1);
		return cmd_many((unsigned int)number(argv[2], "COUNT", 4096));
	}
	if (!strcmp(c, "break-many")) {
		ARGS(1);
		return cmd_break_many((unsigned int)number(argv[2], "COUNT", 256));
	}
	if (!strcmp(c, "stress")) {
		ARGS(1);
		return cmd_stress(number(argv[2], "COUNT", ~0UL));
	}
	if (!strcmp(c, "ephemeral")) {
		ARGS(0);
		return cmd_ephemeral();
	}
	if (!strcmp(c, "hup")) {
		ARGS(0);
		return cmd_hup();
	}
	if (!strcmp(c, "noperm")) {
		ARGS(1);
		return cmd_noperm(argv[2]);
	}
	if (!strcmp(c, "show")) {
		ARGS(1);
		return cmd_show(argv[2]);
	}
	if (!strcmp(c, "rmmod-busy")) {
		ARGS(0);
		return cmd_rmmod_busy();
	}
#undef ARGS
	fprintf(stderr, "uvbus-abi: unknown command '%s'\n", c);
	usage(stderr);
	return 2;
}
