// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * uvpci-device.c - the device side of uvPCI (uvpci-device.h): a model's
 * request loop, DMA split into PCIe-legal requests, MSI, and sync.
 *
 * One struct uvpci_device is one uvBus port and is used by one thread, so
 * it is both the producer of the u2k ring and the consumer of the k2u ring.
 * Everything taken off the k2u ring goes through take_msgs():
 *  - host requests (MMIO_READ, MMIO_WRITE, CFG_WRITE, HOST_STATE) join the FIFO
 *    dev->q, which only uvpci_device_process() empties, outside any
 *    callback: a request that arrives while a callback runs, or while the
 *    model waits for DMA data, is handled later and in order, never
 *    re-entrantly;
 *  - a DMA_CPL is matched by tag against the read wave in flight;
 *  - an ACK is matched by tag against the sync in flight;
 *  - anything else (a stale completion after a timeout) is counted and
 *    dropped.
 * The kernel replies to a DMA_READ or an ACK request on this same k2u
 * ring; when that ring is full it holds the reply and stops draining our
 * u2k ring until a poll()/read() retries it. So every wait here keeps the
 * k2u ring drained and polls the descriptor, and a full u2k ring is
 * answered by a doorbell plus a drain, never by spinning blind.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libuvnic.h"
#include "deadline.h"

/* Requests one uvpci_device_process() call handles at most. */
#define PROCESS_BUDGET	256
/* Messages taken off the k2u ring per pass. */
#define TAKE_BATCH	32

struct rd_slot {
	uint64_t chunk;		/* the request's dword address */
	uint16_t ndw;
	uint8_t first_be, last_be;
	uint8_t *dst;		/* where its first enabled byte goes */
	size_t len;		/* enabled bytes */
	bool done;
};

/* The DMA read wave in flight: tags base .. base + n - 1. */
struct rd_wave {
	uint64_t base;
	unsigned int n;
	unsigned int left;	/* completions still missing */
	int status;		/* first failure */
	struct rd_slot *slot;
};

struct uvpci_device {
	struct uvbus_port *port;
	unsigned int flags;
	struct uvpci_params params;
	const struct uvpci_device_ops *ops;
	void *opaque;

	/* host requests taken off the ring, not yet handled: a FIFO */
	struct uvbus_msg *q;
	unsigned int qhead, qlen, qcap;	/* qcap: 0 or a power of two */

	unsigned int in_callback;
	unsigned int batch;
	bool bell;			/* queued since the last doorbell */
	uint64_t next_tag;

	struct rd_wave *rd;		/* DMA read waiting for completions */
	struct rd_slot *rd_slots;	/* room for one wave */
	unsigned int wave_max;

	bool ack_wait;			/* a sync waiting for its ACK */
	bool ack_got;
	uint64_t ack_tag;
	struct uvpci_ack ack;

	bool host_known;		/* @host holds the kernel's word */
	struct uvpci_host_state host;	/* as of the last request handled */

	uint64_t dropped;		/* stale or unexpected messages */
};

/* ---------------------------------------------------------------- */
/* time                                                              */
/* ---------------------------------------------------------------- */

/* now_ns(), deadline_after(), ms_left(): lib/transport/deadline.h */

/* ---------------------------------------------------------------- */
/* splitting                                                         */
/* ---------------------------------------------------------------- */

size_t uvpci_dma_split(uint64_t addr, size_t len, struct uvpci_dma *chunk)
{
	unsigned int lead = addr & 3;
	uint64_t start = addr - lead;
	/* Bytes from @start to the 4 KiB boundary, at most one request's worth. */
	uint64_t room = UVPCI_DMA_BOUNDARY - (start & (UVPCI_DMA_BOUNDARY - 1));
	unsigned int span, tail;
	size_t n;

	if (!len)
		return 0;
	if (room > UVPCI_DMA_MAX_BYTES)
		room = UVPCI_DMA_MAX_BYTES;
	n = room - lead;
	if (n > len)
		n = len;
	span = lead + (unsigned int)n;		/* bytes from @start to the end */
	tail = (span - 1) & 3;			/* last byte's place in its dword */

	chunk->addr = start;
	chunk->ndw = (uint16_t)((span + 3) / 4);
	chunk->first_be = (uint8_t)((0xfu << lead) & 0xf);
	if (chunk->ndw == 1) {
		chunk->first_be &= (uint8_t)(0xfu >> (3 - tail));
		chunk->last_be = 0;
	} else {
		chunk->last_be = (uint8_t)(0xfu >> (3 - tail));
	}
	return n;
}

/* @addr + @len - 1 must not wrap; @len 0 is always fine. */
static bool range_ok(uint64_t addr, size_t len)
{
	return !len || addr + (len - 1) >= addr;
}

/* ---------------------------------------------------------------- */
/* the request queue                                                 */
/* ---------------------------------------------------------------- */

/* Make room for @n more requests; the FIFO order is kept. */
static int q_reserve(struct uvpci_device *dev, unsigned int n)
{
	unsigned int cap = dev->qcap ? dev->qcap : 64, i;
	struct uvbus_msg *q;

	if (dev->qcap - dev->qlen >= n)
		return 0;
	while (cap - dev->qlen < n)
		cap *= 2;
	q = malloc((size_t)cap * sizeof(*q));
	if (!q)
		return -ENOMEM;
	for (i = 0; i < dev->qlen; i++)
		q[i] = dev->q[(dev->qhead + i) & (dev->qcap - 1)];
	free(dev->q);
	dev->q = q;
	dev->qcap = cap;
	dev->qhead = 0;
	return 0;
}

static void q_push(struct uvpci_device *dev, const struct uvbus_msg *msg)
{
	dev->q[(dev->qhead + dev->qlen) & (dev->qcap - 1)] = *msg;
	dev->qlen++;
}

static void q_pop(struct uvpci_device *dev, struct uvbus_msg *msg)
{
	*msg = dev->q[dev->qhead];
	dev->qhead = (dev->qhead + 1) & (dev->qcap - 1);
	dev->qlen--;
}

/* ---------------------------------------------------------------- */
/* receiving                                                         */
/* ---------------------------------------------------------------- */

static void take_dma_cpl(struct uvpci_device *dev, const struct uvbus_msg *m)
{
	struct rd_wave *w = dev->rd;
	struct rd_slot *s;
	uint64_t i;

	if (!w || m->tag - w->base >= w->n) {
		dev->dropped++;
		return;
	}
	i = m->tag - w->base;
	s = &w->slot[i];
	if (s->done) {
		dev->dropped++;
		return;
	}
	s->done = true;
	w->left--;
	if (m->dma.status) {
		if (!w->status)
			w->status = m->dma.status < 0 && m->dma.status >= -4095 ?
				    m->dma.status : -EPROTO;
		return;
	}
	/* The completion must describe the request it answers. */
	if (m->dma.addr != s->chunk || m->dma.ndw != s->ndw ||
	    m->dma.first_be != s->first_be || m->dma.last_be != s->last_be) {
		if (!w->status)
			w->status = -EPROTO;
		return;
	}
	/* The first enabled byte is the lowest bit of first_be (never 0). */
	memcpy(s->dst, m->dma.data + __builtin_ctz(s->first_be), s->len);
}

/*
 * Take what the k2u ring holds, without waiting, and route each message.
 * Returns how many were taken, or -errno (-ENOMEM: the queue could not
 * grow; nothing was taken).
 */
static int take_msgs(struct uvpci_device *dev)
{
	struct uvbus_msg msgs[TAKE_BATCH];
	int total = 0, n, i, rc;

	for (;;) {
		/* Room first: a message taken off the ring is never dropped. */
		rc = q_reserve(dev, TAKE_BATCH);
		if (rc)
			return total ? total : rc;
		n = uvbus_port_recv(dev->port, msgs, TAKE_BATCH);
		if (n <= 0)
			return n < 0 ? n : total;
		for (i = 0; i < n; i++) {
			switch (msgs[i].type) {
			case UVPCI_MSG_MMIO_READ:
			case UVPCI_MSG_MMIO_WRITE:
			case UVPCI_MSG_CFG_WRITE:
			case UVPCI_MSG_HOST_STATE:
				if (dev->flags & UVPCI_OPEN_MODEL)
					q_push(dev, &msgs[i]);
				else
					dev->dropped++;
				break;
			case UVPCI_MSG_DMA_CPL:
				take_dma_cpl(dev, &msgs[i]);
				break;
			case UVPCI_MSG_ACK:
				if (dev->ack_wait && !dev->ack_got &&
				    msgs[i].tag == dev->ack_tag) {
					dev->ack = msgs[i].ack;
					dev->ack_got = true;
				} else {
					dev->dropped++;
				}
				break;
			default:
				dev->dropped++;
				break;
			}
		}
		total += n;
		if (n < TAKE_BATCH)
			return total;
	}
}

/*
 * Wait until the descriptor says something arrived, or @deadline, then
 * collect the signal bits. poll() also has the kernel retry a reply it
 * held back for want of k2u space. Returns 0, -ETIMEDOUT, -EINTR (only
 * with @intr), -ENODEV or -EPIPE.
 */
static int wait_fd(struct uvpci_device *dev, int64_t deadline, bool intr)
{
	struct pollfd pfd = { .fd = uvbus_port_fd(dev->port), .events = POLLIN };
	uint64_t bits;
	int rc;

	for (;;) {
		rc = poll(&pfd, 1, ms_left(deadline));
		if (rc < 0) {
			if (errno == EINTR && !intr)
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
		/* Clears the descriptor's bits; the ring is looked at next. */
		rc = uvbus_port_wait(dev->port, 0, &bits);
		if (rc && rc != -ETIMEDOUT)
			return rc;
		return 0;
	}
}

/* ---------------------------------------------------------------- */
/* sending                                                           */
/* ---------------------------------------------------------------- */

static int ring_bell(struct uvpci_device *dev)
{
	dev->bell = false;
	return uvbus_port_signal(dev->port, UVBUS_SIG_RING);
}

/* At the end of a posted call: ring unless a batch or a callback defers it. */
static int kick(struct uvpci_device *dev)
{
	if (!dev->bell || dev->batch || dev->in_callback)
		return 0;
	return ring_bell(dev);
}

/* Back off while the u2k ring stays full: yield, then sleep 10 us doubling to 640 us. */
static void backoff(unsigned int *round)
{
	struct timespec ts = { 0, 0 };

	if (++*round <= 8) {
		sched_yield();
		return;
	}
	ts.tv_nsec = 10000L << (*round - 9 < 6 ? *round - 9 : 6);
	nanosleep(&ts, NULL);
}

/*
 * Queue @n messages on the u2k ring, in order, without ringing unless the
 * ring is full; then ring, drain our k2u ring (the kernel may be holding a
 * reply for want of space there) and wait for room. -ETIMEDOUT after
 * UVPCI_DEVICE_TIMEOUT_MS without progress.
 */
static int push(struct uvpci_device *dev, const struct uvbus_msg *msgs,
		unsigned int n)
{
	int64_t deadline = 0;	/* set when the ring is first found full */
	unsigned int round = 0;
	int k, rc;

	while (n) {
		k = uvbus_port_send(dev->port, msgs, n);
		if (k < 0)
			return k;
		if (k > 0) {
			dev->bell = true;
			msgs += k;
			n -= (unsigned int)k;
			deadline = 0;
			round = 0;
			continue;
		}
		if (!deadline)
			deadline = deadline_after(UVPCI_DEVICE_TIMEOUT_MS);
		rc = ring_bell(dev);
		if (rc)
			return rc;
		rc = take_msgs(dev);
		if (rc < 0)
			return rc;
		if (now_ns() >= deadline)
			return -ETIMEDOUT;
		if (!rc)
			backoff(&round);
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* open / close                                                      */
/* ---------------------------------------------------------------- */

int uvpci_device_open(const char *name, unsigned int flags,
		      struct uvpci_device **devp)
{
	struct uvpci_device *dev;
	struct uvbus_info info;
	int fd, rc;

	if (flags & ~UVPCI_OPEN_MODEL)
		return -EINVAL;
	rc = uvbus_check_name(name);
	if (rc)
		return rc;
	fd = uvbus_open();
	if (fd < 0)
		return fd;
	rc = uvbus_check_version(fd);
	if (rc)
		goto err_close;
	rc = uvbus_info(fd, name, &info);
	if (rc)
		goto err_close;
	if (info.type != UVBUS_TYPE_UVPCI) {
		rc = -EINVAL;
		goto err_close;
	}

	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		rc = -ENOMEM;
		goto err_close;
	}
	rc = uvbus_port_open_fd(fd, name,
				flags & UVPCI_OPEN_MODEL ? UVBUS_ATTACH_MODEL : 0,
				0, &dev->port);
	if (rc)
		goto err_free_dev;
	dev->flags = flags;
	dev->params = info.pci;
	dev->next_tag = 1;
	/* Half the ring per read wave leaves the other half to host requests. */
	dev->wave_max = uvbus_port_entries(dev->port) / 2;
	if (!dev->wave_max)
		dev->wave_max = 1;
	dev->rd_slots = calloc(dev->wave_max, sizeof(*dev->rd_slots));
	if (!dev->rd_slots) {
		uvbus_port_close(dev->port);	/* closes fd too */
		free(dev);
		return -ENOMEM;
	}
	/*
	 * The kernel put the host state on a model's ring during the attach:
	 * known from now on. It stays queued, so that the first
	 * uvpci_device_process() hands it to the callback too.
	 */
	if (flags & UVPCI_OPEN_MODEL && take_msgs(dev) > 0 && dev->qlen &&
	    dev->q[dev->qhead].type == UVPCI_MSG_HOST_STATE) {
		dev->host = dev->q[dev->qhead].host;
		dev->host_known = true;
	}
	*devp = dev;
	return 0;

err_free_dev:
	free(dev);
err_close:
	close(fd);
	return rc;
}

void uvpci_device_close(struct uvpci_device *dev)
{
	if (!dev)
		return;
	/* Posted requests still unannounced would never be seen. */
	if (dev->bell)
		ring_bell(dev);
	uvbus_port_close(dev->port);
	free(dev->rd_slots);
	free(dev->q);
	free(dev);
}

const char *uvpci_device_name(const struct uvpci_device *dev)
{
	return uvbus_port_name(dev->port);
}

int uvpci_device_params(struct uvpci_device *dev, struct uvpci_params *params)
{
	*params = dev->params;
	return 0;
}

int uvpci_device_fd(const struct uvpci_device *dev)
{
	return uvbus_port_fd(dev->port);
}

unsigned int uvpci_device_pending(const struct uvpci_device *dev)
{
	return dev->qlen;
}

int uvpci_device_host_state(struct uvpci_device *dev,
			    struct uvpci_host_state *state)
{
	if (!(dev->flags & UVPCI_OPEN_MODEL))
		return -EINVAL;
	if (!dev->host_known)
		return -ENODATA;
	*state = dev->host;
	return 0;
}

void uvpci_device_set_ops(struct uvpci_device *dev,
			  const struct uvpci_device_ops *ops, void *opaque)
{
	dev->ops = ops;
	dev->opaque = opaque;
}

void uvpci_device_batch_begin(struct uvpci_device *dev)
{
	dev->batch++;
}

int uvpci_device_batch_end(struct uvpci_device *dev)
{
	if (dev->batch)
		dev->batch--;
	return kick(dev);
}

/* ---------------------------------------------------------------- */
/* serving the host                                                  */
/* ---------------------------------------------------------------- */

static uint64_t width_mask(unsigned int size)
{
	return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

static bool mmio_ok(const struct uvpci_mmio *m)
{
	return m->bar < UVPCI_NUM_BARS &&
	       (m->size == 1 || m->size == 2 || m->size == 4 || m->size == 8) &&
	       !(m->offset & (m->size - 1));
}

/* Handle one request; a read is answered and announced at once. */
static int dispatch(struct uvpci_device *dev, const struct uvbus_msg *req)
{
	const struct uvpci_device_ops *ops = dev->ops;
	const struct uvpci_mmio *m = &req->mmio;
	struct uvbus_msg cpl;
	int rc;

	switch (req->type) {
	case UVPCI_MSG_MMIO_READ:
		memset(&cpl, 0, sizeof(cpl));
		cpl.type = UVPCI_MSG_MMIO_CPL;
		cpl.tag = req->tag;
		cpl.mmio.bar = m->bar;
		cpl.mmio.size = m->size;
		cpl.mmio.offset = m->offset;
		if (mmio_ok(m)) {
			dev->in_callback++;
			cpl.mmio.value = ops->mmio_read(dev->opaque, m->bar,
							m->offset, m->size);
			dev->in_callback--;
			cpl.mmio.value &= width_mask(m->size);
		} else {
			/* Not from a sane kernel; answer so nobody waits. */
			cpl.mmio.size = 4;
			cpl.mmio.offset = 0;
			cpl.mmio.status = -EINVAL;
			cpl.mmio.value = UINT64_MAX;
		}
		rc = push(dev, &cpl, 1);
		if (rc)
			return rc;
		/*
		 * The host CPU waits for this one: no batching, and no
		 * doorbell while it spins on the ring (it then sees the
		 * completion, and the messages queued before it, itself).
		 */
		dev->bell = false;
		rc = uvbus_port_kick(dev->port);
		return rc < 0 ? rc : 0;
	case UVPCI_MSG_MMIO_WRITE:
		if (!mmio_ok(m)) {
			dev->dropped++;
			return 0;
		}
		dev->in_callback++;
		ops->mmio_write(dev->opaque, m->bar, m->offset, m->size,
				m->value & width_mask(m->size));
		dev->in_callback--;
		return 0;
	case UVPCI_MSG_CFG_WRITE:
		if (ops->cfg_write) {
			dev->in_callback++;
			ops->cfg_write(dev->opaque, req->cfg.offset,
				       req->cfg.size, req->cfg.value);
			dev->in_callback--;
		}
		return 0;
	case UVPCI_MSG_HOST_STATE:
		/* Two config writers may post theirs out of order: newest wins. */
		if (dev->host_known &&
		    (int32_t)(req->host.generation - dev->host.generation) < 0) {
			dev->dropped++;
			return 0;
		}
		dev->host = req->host;
		dev->host_known = true;
		if (ops->host_state) {
			dev->in_callback++;
			ops->host_state(dev->opaque, &dev->host);
			dev->in_callback--;
		}
		return 0;
	}
	dev->dropped++;
	return 0;
}

int uvpci_device_process(struct uvpci_device *dev, int timeout_ms)
{
	int64_t deadline = deadline_after(timeout_ms);
	struct uvbus_msg req;
	int handled = 0, rc;

	if (!(dev->flags & UVPCI_OPEN_MODEL) || !dev->ops ||
	    !dev->ops->mmio_read || !dev->ops->mmio_write)
		return -EINVAL;
	if (dev->in_callback)
		return -EDEADLK;

	while (!dev->qlen) {
		rc = take_msgs(dev);
		if (rc < 0)
			return rc;
		if (dev->qlen)
			break;
		if (timeout_ms == 0) {
			/*
			 * Do not wait, but take the descriptor's signal bits
			 * now that the ring is empty: else a caller's poll()
			 * reports the descriptor readable for ever.
			 */
			rc = wait_fd(dev, deadline, true);
			if (rc == -ETIMEDOUT || rc == -EINTR)
				return 0;
			if (rc)
				return rc;
			rc = take_msgs(dev);
			if (rc < 0)
				return rc;
			if (!dev->qlen)
				return 0;
			break;
		}
		rc = wait_fd(dev, deadline, true);
		if (rc == -ETIMEDOUT) {
			/* One last look: something may have landed with the deadline. */
			rc = take_msgs(dev);
			if (rc < 0)
				return rc;
			if (!dev->qlen)
				return 0;
			break;
		}
		if (rc)
			return rc;
	}

	while (dev->qlen && handled < PROCESS_BUDGET) {
		q_pop(dev, &req);
		rc = dispatch(dev, &req);
		if (rc)
			return rc;
		handled++;
		if (!dev->qlen) {
			rc = take_msgs(dev);
			if (rc < 0)
				return rc;
		}
	}
	/* What the callbacks queued, announced once. */
	rc = dev->bell && !dev->batch ? ring_bell(dev) : 0;
	return rc ? rc : handled;
}

/* ---------------------------------------------------------------- */
/* DMA, MSI, sync                                                    */
/* ---------------------------------------------------------------- */

int uvpci_dma_write(struct uvpci_device *dev, uint64_t addr, const void *buf,
		    size_t len)
{
	const uint8_t *p = buf;
	struct uvbus_msg msgs[16];
	unsigned int n = 0;
	size_t k;
	int rc;

	if (!range_ok(addr, len))
		return -EINVAL;
	while (len) {
		struct uvbus_msg *m = &msgs[n];

		memset(m, 0, sizeof(*m));
		m->type = UVPCI_MSG_DMA_WRITE;
		k = uvpci_dma_split(addr, len, &m->dma);
		memcpy(m->dma.data + (addr & 3), p, k);
		addr += k;
		p += k;
		len -= k;
		if (++n == ARRAY_SIZE(msgs) || !len) {
			rc = push(dev, msgs, n);
			if (rc)
				return rc;
			n = 0;
		}
	}
	return kick(dev);
}

/* Send one wave of read requests, ring, and collect their completions. */
static int dma_read_wave(struct uvpci_device *dev, struct rd_wave *w)
{
	struct uvbus_msg msgs[16];
	int64_t deadline;
	unsigned int i, n = 0;
	int rc;

	for (i = 0; i < w->n; i++) {
		struct rd_slot *s = &w->slot[i];
		struct uvbus_msg *m = &msgs[n];

		memset(m, 0, sizeof(*m));
		m->type = UVPCI_MSG_DMA_READ;
		m->tag = w->base + i;
		m->dma.addr = s->chunk;
		m->dma.ndw = s->ndw;
		m->dma.first_be = s->first_be;
		m->dma.last_be = s->last_be;
		if (++n == ARRAY_SIZE(msgs) || i + 1 == w->n) {
			rc = push(dev, msgs, n);
			if (rc)
				return rc;
			n = 0;
		}
	}
	rc = ring_bell(dev);
	if (rc)
		return rc;

	deadline = deadline_after(UVPCI_DEVICE_TIMEOUT_MS);
	while (w->left) {
		rc = take_msgs(dev);
		if (rc < 0)
			return rc;
		if (!w->left)
			break;
		if (rc > 0) {
			deadline = deadline_after(UVPCI_DEVICE_TIMEOUT_MS);
			continue;
		}
		rc = wait_fd(dev, deadline, false);
		if (rc)
			return rc;
	}
	return 0;
}

int uvpci_dma_readv(struct uvpci_device *dev, const struct uvpci_dma_vec *vec,
		    unsigned int n)
{
	struct rd_wave w = { .slot = dev->rd_slots };
	struct uvpci_dma c;
	unsigned int v = 0;
	uint64_t addr = 0;
	uint8_t *dst = NULL;
	size_t len = 0, k;
	int rc = 0;

	for (v = 0; v < n; v++)
		if (!range_ok(vec[v].addr, vec[v].len))
			return -EINVAL;
	if (dev->rd)
		return -EDEADLK;	/* cannot happen: one thread per device */

	/* The transfers follow one another in the waves, as one would. */
	dev->rd = &w;
	v = 0;
	while (!rc) {
		w.n = 0;
		w.base = dev->next_tag;
		while (w.n < dev->wave_max) {
			struct rd_slot *s;

			while (!len && v < n) {
				addr = vec[v].addr;
				dst = vec[v].buf;
				len = vec[v++].len;
			}
			if (!len)
				break;
			s = &w.slot[w.n++];
			k = uvpci_dma_split(addr, len, &c);
			s->chunk = c.addr;
			s->ndw = c.ndw;
			s->first_be = c.first_be;
			s->last_be = c.last_be;
			s->dst = dst;
			s->len = k;
			s->done = false;
			addr += k;
			dst += k;
			len -= k;
		}
		if (!w.n)
			break;
		dev->next_tag += w.n;
		w.left = w.n;
		rc = dma_read_wave(dev, &w);
		if (!rc)
			rc = w.status;
	}
	/* Completions still missing after an error are dropped as stale. */
	dev->rd = NULL;
	return rc;
}

int uvpci_dma_read(struct uvpci_device *dev, uint64_t addr, void *buf,
		   size_t len)
{
	const struct uvpci_dma_vec vec = { .addr = addr, .buf = buf, .len = len };

	return uvpci_dma_readv(dev, &vec, 1);
}

int uvpci_msi_fire(struct uvpci_device *dev, unsigned int vector)
{
	struct uvbus_msg m;
	int rc;

	if (vector >= dev->params.msi_count && vector >= dev->params.msix_count)
		return -ERANGE;
	memset(&m, 0, sizeof(m));
	m.type = UVPCI_MSG_MSI;
	m.msi.vector = vector;
	rc = push(dev, &m, 1);
	return rc ? rc : kick(dev);
}

int uvpci_intx_set(struct uvpci_device *dev, int level)
{
	struct uvbus_msg m;
	int rc;

	if (level != 0 && level != 1)
		return -EINVAL;
	if (!dev->params.intx_pin)
		return -ERANGE;
	memset(&m, 0, sizeof(m));
	m.type = UVPCI_MSG_INTX;
	m.intx.level = (uint8_t)level;
	rc = push(dev, &m, 1);
	return rc ? rc : kick(dev);
}

int uvpci_aer_report(struct uvpci_device *dev, unsigned int severity,
		     uint32_t status)
{
	struct uvbus_msg m;
	int rc;

	if (severity > UVPCI_AER_FATAL || !status ||
	    (status & ~(severity == UVPCI_AER_CORRECTABLE ?
			UVPCI_AER_COR_BITS : UVPCI_AER_UNC_BITS)))
		return -EINVAL;
	memset(&m, 0, sizeof(m));
	m.type = UVPCI_MSG_AER;
	m.aer.severity = (uint8_t)severity;
	m.aer.status = status;
	rc = push(dev, &m, 1);
	return rc ? rc : kick(dev);
}

int uvpci_device_sync(struct uvpci_device *dev)
{
	int64_t deadline;
	struct uvbus_msg m;
	int rc;

	if (dev->ack_wait)
		return -EDEADLK;	/* cannot happen: one thread per device */
	memset(&m, 0, sizeof(m));
	m.type = UVBUS_MSG_NOP;
	m.flags = UVPCI_F_ACK;
	m.tag = dev->next_tag++;

	dev->ack_wait = true;
	dev->ack_got = false;
	dev->ack_tag = m.tag;
	rc = push(dev, &m, 1);
	if (!rc)
		rc = ring_bell(dev);
	deadline = deadline_after(UVPCI_DEVICE_TIMEOUT_MS);
	while (!rc && !dev->ack_got) {
		rc = take_msgs(dev);
		if (rc < 0)
			break;
		rc = 0;
		if (dev->ack_got)
			break;
		rc = wait_fd(dev, deadline, false);
	}
	dev->ack_wait = false;
	if (rc)
		return rc;
	if (dev->ack.status > 0 || dev->ack.status < -4095)
		return -EPROTO;
	return dev->ack.status;
}
