// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * port.c - a port: one attached /dev/uvbus descriptor, the mapping of its
 * two rings, and send/receive/signal/wait on them.
 *
 * The ring itself (indices, barriers, bounds checks) is uvbus.h's: this
 * file only calls uvbus_ring_push/pop/ready. See the SPSC rule in
 * libuvnic.h: the sending side touches u2k and write(2); the receiving
 * side touches k2u, read(2) and port->pending.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "libuvnic.h"
#include "deadline.h"

struct uvbus_port {
	int fd;
	unsigned int entries;		/* granted by UVBUS_IOC_ATTACH */
	void *map;
	size_t map_size;
	struct uvbus_ring k2u;		/* we consume: the receiving thread's */
	struct uvbus_ring u2k;		/* we produce: the sending thread's */
	uint64_t pending;		/* bits read from fd, not yet returned */
	char name[UVBUS_NAME_MAX];
};

/* ---------------------------------------------------------------- */
/* time                                                              */
/* ---------------------------------------------------------------- */

/* now_ns(), deadline_after(), ms_left(): lib/transport/deadline.h */

/* ---------------------------------------------------------------- */
/* open / close                                                      */
/* ---------------------------------------------------------------- */

/*
 * The kernel reports the layout; check it fits the mapping before any
 * pointer is made from it, so a confused module cannot make us fault.
 */
static int ring_layout_ok(const struct uvbus_ring_offsets *o, uint64_t size)
{
	const uint64_t idx[] = { o->head, o->tail, o->flags };
	uint64_t e = o->entries;
	size_t i;

	if (e < UVBUS_RING_MIN_ENTRIES || e > UVBUS_RING_MAX_ENTRIES ||
	    (e & (e - 1)))
		return 0;
	for (i = 0; i < ARRAY_SIZE(idx); i++)
		if (idx[i] % sizeof(__u32) || idx[i] + sizeof(__u32) > size)
			return 0;
	if (o->slots % sizeof(__u64) || o->slots > size ||
	    e * sizeof(struct uvbus_msg) > size - o->slots)
		return 0;
	return 1;
}

int uvbus_port_open_fd(int fd, const char *name, uint32_t flags,
		       unsigned int entries, struct uvbus_port **portp)
{
	struct uvbus_attach at;
	struct uvbus_port *port;
	int fl, rc;

	rc = uvbus_check_name(name);
	if (rc)
		return rc;
	rc = uvbus_check_version(fd);
	if (rc)
		return rc;

	memset(&at, 0, sizeof(at));
	uvbus_copy_name(at.name, name);
	at.flags = flags;
	at.entries = entries;
	if (ioctl(fd, UVBUS_IOC_ATTACH, &at) < 0)
		return -errno;
	if (at.mmap_size == 0 || at.mmap_size > SIZE_MAX ||
	    !ring_layout_ok(&at.k2u, at.mmap_size) ||
	    !ring_layout_ok(&at.u2k, at.mmap_size))
		return -EPROTO;

	port = calloc(1, sizeof(*port));
	if (!port)
		return -ENOMEM;
	port->map_size = (size_t)at.mmap_size;
	port->map = mmap(NULL, port->map_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
	if (port->map == MAP_FAILED) {
		rc = -errno;
		goto err_free_port;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		rc = -errno;
		goto err_unmap;
	}

	port->fd = fd;
	port->entries = at.entries;
	strlcpy(port->name, at.name, sizeof(port->name));
	uvbus_ring_setup(&port->k2u, port->map, &at.k2u);
	uvbus_ring_setup(&port->u2k, port->map, &at.u2k);
	*portp = port;
	return 0;

err_unmap:
	munmap(port->map, port->map_size);
err_free_port:
	free(port);
	return rc;
}

int uvbus_port_open(const char *name, uint32_t flags, unsigned int entries,
		    struct uvbus_port **portp)
{
	int fd, rc;

	rc = uvbus_check_name(name);
	if (rc)
		return rc;
	fd = open(uvbus_device_path(), O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	rc = uvbus_port_open_fd(fd, name, flags, entries, portp);
	if (rc)
		close(fd);
	return rc;
}

void uvbus_port_close(struct uvbus_port *port)
{
	if (!port)
		return;
	munmap(port->map, port->map_size);
	close(port->fd);
	free(port);
}

int uvbus_port_fd(const struct uvbus_port *port)
{
	return port->fd;
}

unsigned int uvbus_port_entries(const struct uvbus_port *port)
{
	return port->entries;
}

const char *uvbus_port_name(const struct uvbus_port *port)
{
	return port->name;
}

/* ---------------------------------------------------------------- */
/* the sending side                                                  */
/* ---------------------------------------------------------------- */

int uvbus_port_send(struct uvbus_port *port, const struct uvbus_msg *msgs,
		    unsigned int n)
{
	return uvbus_ring_push(&port->u2k, msgs, n);
}

int uvbus_port_signal(struct uvbus_port *port, uint64_t bits)
{
	ssize_t n;

	do
		n = write(port->fd, &bits, sizeof(bits));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(bits) ? 0 : -EIO;
}

int uvbus_port_kick(struct uvbus_port *port)
{
	int rc;

	if (!uvbus_ring_needs_bell(&port->u2k))
		return 0;
	rc = uvbus_port_signal(port, UVBUS_SIG_RING);
	return rc ? rc : 1;
}

/*
 * Nothing tells the sender that the kernel freed u2k slots, so a full ring
 * is waited out: yield a few times, then sleep 10 us doubling to 1 ms,
 * never past the deadline.
 */
static void backoff(unsigned int *round, int64_t deadline)
{
	struct timespec ts;
	int64_t ns, left;

	if (++*round <= 16) {
		sched_yield();
		return;
	}
	ns = 10000LL << (*round - 17 < 7 ? *round - 17 : 7);
	if (ns > 1000000)
		ns = 1000000;
	if (deadline != NO_DEADLINE) {
		left = deadline - now_ns();
		if (left < ns)
			ns = left > 0 ? left : 0;
	}
	ts.tv_sec = 0;
	ts.tv_nsec = ns;
	nanosleep(&ts, NULL);
}

/* POLLERR/POLLHUP without consuming anything: the sender's liveness check. */
static int port_dead(struct uvbus_port *port)
{
	struct pollfd pfd = { .fd = port->fd, .events = 0 };

	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	if (pfd.revents & POLLHUP)
		return -ENODEV;
	if (pfd.revents & POLLERR)
		return -EPIPE;
	return 0;
}

int uvbus_port_send_all(struct uvbus_port *port, const struct uvbus_msg *msgs,
			unsigned int n, int timeout_ms)
{
	int64_t deadline = deadline_after(timeout_ms);
	unsigned int sent = 0, round = 0;
	int rc, pushed;

	while (sent < n) {
		pushed = uvbus_ring_push(&port->u2k, msgs + sent, n - sent);
		if (pushed < 0)
			return pushed;
		sent += (unsigned int)pushed;
		/* Also when nothing went in: the kernel drains on a doorbell. */
		rc = uvbus_port_signal(port, UVBUS_SIG_RING);
		if (rc < 0)
			return rc;
		if (sent == n)
			break;
		if (pushed == 0) {
			/* Full: is anyone still draining? */
			rc = port_dead(port);
			if (rc < 0)
				return rc;
		}
		if (deadline != NO_DEADLINE && now_ns() >= deadline)
			return sent ? (int)sent : -ETIMEDOUT;
		backoff(&round, deadline);
	}
	return (int)n;
}

/* ---------------------------------------------------------------- */
/* the receiving side                                                */
/* ---------------------------------------------------------------- */

int uvbus_port_recv(struct uvbus_port *port, struct uvbus_msg *msgs,
		    unsigned int n)
{
	return uvbus_ring_pop(&port->k2u, msgs, n);
}

/*
 * Wait for the descriptor to have bits (or the deadline), read them and
 * add them to port->pending. Returns 0 once some were read.
 */
static int port_collect(struct uvbus_port *port, int64_t deadline)
{
	struct pollfd pfd = { .fd = port->fd, .events = POLLIN };
	uint64_t bits;
	ssize_t n;
	int rc;

	for (;;) {
		rc = poll(&pfd, 1, ms_left(deadline));
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (rc == 0)
			return -ETIMEDOUT;
		if (pfd.revents & POLLHUP)
			return -ENODEV;
		if (pfd.revents & POLLERR)
			return -EPIPE;
		if (pfd.revents & POLLNVAL)
			return -EBADF;
		n = read(port->fd, &bits, sizeof(bits));
		if (n == sizeof(bits)) {
			if (!bits)
				continue;
			port->pending |= bits;
			return 0;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n == 0)	/* end of file: the channel went away */
			return -ENODEV;
		return n < 0 ? -errno : -EIO;
	}
}

int uvbus_port_wait(struct uvbus_port *port, int timeout_ms, uint64_t *bits)
{
	int rc;

	/* Level-triggered for the ring: messages left over count as a signal. */
	if (uvbus_ring_ready(&port->k2u) > 0)
		port->pending |= UVBUS_SIG_RING;
	if (!port->pending) {
		rc = port_collect(port, deadline_after(timeout_ms));
		if (rc)
			return rc;
	}
	*bits = port->pending;
	port->pending = 0;
	return 0;
}

int uvbus_port_recv_wait(struct uvbus_port *port, struct uvbus_msg *msgs,
			 unsigned int n, int timeout_ms)
{
	int64_t deadline = deadline_after(timeout_ms);
	int rc, got;

	if (n == 0)
		return 0;
	for (;;) {
		got = uvbus_ring_pop(&port->k2u, msgs, n);
		if (got)
			return got;
		rc = port_collect(port, deadline);
		if (rc) {
			/* Messages may have landed with the deadline or the hang-up. */
			got = uvbus_ring_pop(&port->k2u, msgs, n);
			return got ? got : rc;
		}
		/* We act on the ring bit; the others wait for uvbus_port_wait(). */
		port->pending &= ~UVBUS_SIG_RING;
	}
}
