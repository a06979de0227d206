// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvbus-fuzz - an ABI fuzzer for uvbus.ko and uvpci.ko, run as root in
 * the uvnic-vm guest (make fuzz; t/kernel/uvbus-fuzz.bats).
 *
 *   uvbus-fuzz [--seed N] [--duration SECONDS] [--iterations N]
 *              [--stop-re ERE] [--quiet]
 *
 * Two threads:
 *  - the model thread creates the uvPCI device fz-dev (the id
 *    uvpci_sample.ko binds to: 5556:0001, BAR0 4 KiB, BAR2 256 bytes, 4
 *    MSIs) and attaches to it as its device model on a raw port. It
 *    answers the host's register reads, mostly well, else with malformed
 *    completions: a wrong or reused tag, a wrong size, a status, reserved
 *    bits, flags, len, a duplicate, a late one, none at all. Unasked, it
 *    sends DMA writes and reads to wild addresses and lengths and around
 *    the addresses the driver wrote into BAR0, bogus MSI vectors, junk
 *    message types, signals with reserved bits; now and then it detaches
 *    (surprise removal) and attaches again, and re-creates the device
 *    when it was destroyed or broken.
 *  - the main thread, on a pool of /dev/uvbus descriptors: every ioctl of
 *    uvbus.h and random numbers of the same magic, with zeroed, random,
 *    all-ones and plausible-then-mutated arguments, held between
 *    PROT_NONE guard pages (a kernel that reads or writes past the
 *    argument's size fails with EFAULT, which counts as a finding), or bad
 *    pointers; mmap with random offsets, lengths, protections and flags,
 *    mprotect, mremap; write/read/poll; messages pushed on mapped u2k
 *    rings; scribbles on mapped ring indices and slots; unbind/bind of
 *    uvpci_sample from fz-dev. Host register reads and writes reach the
 *    model from UVPCI_IOC_MMIO and from uvpci_sample's STATUS poll and MSI
 *    handler when that driver is loaded.
 *
 * The seed is printed first; the same seed gives the same sequence of
 * choices in each thread (their interleaving, and so the kernel's
 * answers, depend on timing). At the end: the count of each operation and
 * of each errno it returned. Channels are named fz-*; the fuzzer destroys
 * them at the end.
 *
 * Findings (exit 1): a kernel log line that matches --stop-re, default
 * $UVNIC_VM_PROBLEM_RE (uvnic-vm's own check; /dev/kmsg is read as the run
 * goes, so the run stops at the first one); EFAULT on an argument that
 * was valid memory of its full size; an ioctl number uvbus.h does not
 * define that succeeded; a call that did not return within 60 s; module
 * references left after every descriptor closed. The last operations
 * are printed with a finding.
 */
#include <argtable2.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "libuvnic.h"

#define DEV_NAME	"fz-dev"
#define LO_NAME		"fz-lo"
#define NFDS		8
#define NMAPS		16
#define PAGE		4096UL
#define STALL_SECS	60
#define HISTORY		32
#define MAX_ERRNO	256

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64, one state per thread                    */
/* ------------------------------------------------------------------ */

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0 .. n-1 */
static uint64_t below(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

/* true with probability 1/n */
static bool one_in(uint64_t *s, uint64_t n)
{
	return below(s, n) == 0;
}

/* A value near an edge, or random. */
static uint64_t boundary(uint64_t *s)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 33, 63, 64, 127, 128, 255,
		256, 4095, 4096, 4097, 65535, 65536, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, 0xfffffffffffff000ULL, ~0ULL,
	};

	if (one_in(s, 4))
		return rnd(s);
	return v[below(s, sizeof(v) / sizeof(v[0]))];
}

/* ------------------------------------------------------------------ */
/* Counts                                                              */
/* ------------------------------------------------------------------ */

enum op {
	OP_IOC_VERSION, OP_IOC_CREATE, OP_IOC_DESTROY, OP_IOC_ATTACH,
	OP_IOC_INFO, OP_IOC_LIST, OP_IOC_RESET, OP_IOC_MMIO, OP_IOC_MSIX,
	OP_IOC_OTHER,
	OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_MREMAP, OP_WRITE, OP_READ,
	OP_POLL, OP_RING_PUSH, OP_SCRIBBLE, OP_REOPEN, OP_REBIND,
	/* the model thread */
	M_CPL_GOOD, M_CPL_BAD, M_CPL_DUP, M_CPL_LATE, M_CPL_NONE,
	M_DMA_WRITE, M_DMA_READ, M_MSI, M_JUNK, M_SIGNAL, M_REATTACH,
	M_CREATE,
	NOPS
};

static const char *const op_names[NOPS] = {
	"ioctl VERSION", "ioctl CREATE", "ioctl DESTROY", "ioctl ATTACH",
	"ioctl INFO", "ioctl LIST", "ioctl RESET", "ioctl UVPCI_MMIO",
	"ioctl UVPCI_MSIX", "ioctl other nr/size", "mmap", "munmap", "mprotect", "mremap",
	"write", "read", "poll", "u2k ring push", "ring scribble",
	"reopen fd", "unbind/bind driver",
	"model: good completion", "model: malformed completion",
	"model: duplicate completion", "model: late completion",
	"model: no completion", "model: DMA write", "model: DMA read",
	"model: MSI", "model: junk message", "model: signal",
	"model: detach/attach", "model: create device",
};

/* [op][0]: successes; [op][e]: errno e. Each op is one thread's. */
static uint64_t counts[NOPS][MAX_ERRNO];

static void count(enum op op, int err)
{
	if (err < 0)
		err = -err;
	if (err >= MAX_ERRNO)
		err = MAX_ERRNO - 1;
	counts[op][err]++;
}

/* What the main thread did last: printed with a finding. */
static char history[HISTORY][160];
static unsigned int hist_next;
static atomic_int_fast64_t progress_ns;
static const char *volatile current_op = "start";
/* The main thread, whose kernel stack the watchdog shows when it stalls. */
static pid_t main_tid;
static uint64_t iteration;

__attribute__((format(printf, 1, 2)))
static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(history[hist_next % HISTORY], sizeof(history[0]), fmt, ap);
	va_end(ap);
	hist_next++;
}

static void print_history(void)
{
	unsigned int i = hist_next > HISTORY ? hist_next - HISTORY : 0;

	fprintf(stderr, "uvbus-fuzz: the last main-thread operations (iteration %" PRIu64 "):\n",
		iteration);
	for (; i < hist_next; i++)
		fprintf(stderr, "  %s\n", history[i % HISTORY]);
}

static int findings;
static volatile sig_atomic_t stop;

__attribute__((format(printf, 1, 2)))
static void finding(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "uvbus-fuzz: FINDING: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_history();
	findings++;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A fault of our own (a mapping the kernel took away, or a fuzzer bug). */
static void on_fault(int sig)
{
	fprintf(stderr, "uvbus-fuzz: signal %d in %s\n", sig, current_op);
	print_history();
	_exit(2);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* ------------------------------------------------------------------ */
/* The kernel log                                                      */
/* ------------------------------------------------------------------ */

static int kmsg_fd = -1;
static regex_t problem_re;
static bool have_re;

static void kmsg_open(const char *re)
{
	int err;

	if (!re || !*re)
		return;
	err = regcomp(&problem_re, re, REG_EXTENDED | REG_NOSUB);
	if (err)
		uvnic_die("--stop-re: not a POSIX extended regular expression");
	have_re = true;
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd < 0)
		uvnic_die_err(-errno, UVNIC_CTX_NONE, "open /dev/kmsg");
	lseek(kmsg_fd, 0, SEEK_END);
}

/* Read what the kernel logged since; true on a problem line. */
static bool kmsg_check(void)
{
	static bool bad;	/* one finding for the first line; the rest are printed */
	char rec[8192], *text;
	ssize_t n;

	if (kmsg_fd < 0)
		return false;
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten before we read it: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		text = text ? text + 1 : rec;
		*strchrnul(text, '\n') = '\0';
		if (!regexec(&problem_re, text, 0, NULL, 0)) {
			if (!bad)
				finding("kernel log: %s", text);
			else
				fprintf(stderr, "uvbus-fuzz: kernel log: %s\n", text);
			bad = true;
		}
	}
	return bad;
}

/* ------------------------------------------------------------------ */
/* Guarded argument buffers                                            */
/* ------------------------------------------------------------------ */

/*
 * Two data pages between PROT_NONE pages. An argument of n bytes sits
 * flush against the guard after it, or at the start, just after the guard
 * before it: a kernel access past either end of it fails (EFAULT).
 */
static char *guard_area;

static void guard_init(void)
{
	guard_area = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard_area == MAP_FAILED)
		uvnic_die_err(-errno, UVNIC_CTX_NONE, "mmap");
	if (mprotect(guard_area, PAGE, PROT_NONE) ||
	    mprotect(guard_area + 3 * PAGE, PAGE, PROT_NONE))
		uvnic_die_err(-errno, UVNIC_CTX_NONE, "mprotect");
}

/* @n is at most 2 * PAGE */
static void *guarded(uint64_t *s, size_t n)
{
	if (one_in(s, 2))
		return guard_area + PAGE;
	return guard_area + 3 * PAGE - n;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

static void pick_name(uint64_t *s, char *name)
{
	unsigned int i, n;

	memset(name, 0, UVBUS_NAME_MAX);
	switch (below(s, 12)) {
	case 0: case 1: case 2:
		strcpy(name, DEV_NAME);
		break;
	case 3: case 4:
		strcpy(name, LO_NAME);
		break;
	case 5: case 6: case 7:
		snprintf(name, UVBUS_NAME_MAX, "fz-c%u", (unsigned int)below(s, 8));
		break;
	case 8:		/* empty */
		break;
	case 9:		/* unterminated */
		memset(name, 'f', UVBUS_NAME_MAX);
		break;
	case 10:	/* 31 bytes, valid */
		memset(name, 'z', UVBUS_NAME_MAX - 1);
		memcpy(name, "fz-", 3);
		break;
	default:	/* fz- and random bytes: mostly invalid */
		memcpy(name, "fz-", 3);
		n = 3 + below(s, UVBUS_NAME_MAX - 3);
		for (i = 3; i < n; i++)
			name[i] = (char)rnd(s);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* The model thread                                                    */
/* ------------------------------------------------------------------ */

struct late_cpl {
	struct uvbus_msg msg;
	int delay;		/* iterations to hold it */
};

struct model {
	pthread_t thread;
	uint64_t rng;
	int ctl;			/* creates fz-dev, ephemeral */
	struct uvbus_port *port;
	uint64_t last_tag;
	uint64_t dma_addr[4];		/* what the driver wrote into BAR0 */
	uint32_t addr_lo;
	struct late_cpl late[8];
	unsigned int nlate;
};

static int model_create(struct model *m)
{
	struct uvbus_create c;
	int err;

	memset(&c, 0, sizeof(c));
	strcpy(c.name, DEV_NAME);
	c.type = UVBUS_TYPE_UVPCI;
	c.flags = UVBUS_CREATE_EPHEMERAL;
	c.pci.vendor = 0x5556;
	c.pci.device = 0x0001;
	c.pci.class_code = 0xff0000;
	c.pci.msi_count = 4;
	/* Reads the model drops cost this much each. */
	c.pci.timeout_us = 200000;
	c.pci.bar[0].size = 4096;
	c.pci.bar[2].size = 256;
	err = uvbus_create(m->ctl, &c);
	count(M_CREATE, err);
	return err;
}

static void model_attach(struct model *m)
{
	int err;

	err = uvbus_port_open(DEV_NAME, UVBUS_ATTACH_MODEL,
			      1U << (1 + below(&m->rng, 9)), &m->port);
	if (err == -ENOENT || err == -EPIPE) {
		/* destroyed, or broken by a scribble: start again */
		if (err == -EPIPE)
			uvbus_destroy(m->ctl, DEV_NAME);
		if (model_create(m) == -EEXIST) {
			/* created by the main thread's fuzz: take it over */
			uvbus_destroy(m->ctl, DEV_NAME);
			model_create(m);
		}
		err = uvbus_port_open(DEV_NAME, UVBUS_ATTACH_MODEL, 0, &m->port);
	}
	count(M_REATTACH, err);
	if (err)
		m->port = NULL;
	m->nlate = 0;
}

static void model_send(struct model *m, struct uvbus_msg *msg, unsigned int n)
{
	if (m->port && uvbus_port_send(m->port, msg, n) >= 0)
		uvbus_port_signal(m->port, UVBUS_SIG_RING);
}

static void model_cpl(struct model *m, const struct uvbus_msg *req)
{
	struct uvbus_msg c;
	uint64_t *s = &m->rng;
	unsigned int k = (unsigned int)below(s, 100);

	memset(&c, 0, sizeof(c));
	c.type = UVPCI_MSG_MMIO_CPL;
	c.tag = req->tag;
	c.mmio = req->mmio;
	c.mmio.status = 0;
	c.mmio.value = one_in(s, 2) ? rnd(s) : (k & 1 ? 1 : 0);
	m->last_tag = req->tag;
	if (k < 88) {
		count(M_CPL_GOOD, 0);
	} else if (k < 94) {
		switch (below(s, 9)) {
		case 0: c.tag = rnd(s); break;
		case 1: c.tag = req->tag + 1 + below(s, 3); break;
		case 2: c.mmio.size = (uint8_t)boundary(s); break;
		case 3: c.mmio.status = (int32_t)boundary(s); break;
		case 4: c.mmio.reserved0 = (uint16_t)(1 + below(s, 0xffff)); break;
		case 5: c.flags = (uint16_t)rnd(s); break;
		case 6: c.len = (uint32_t)boundary(s); break;
		case 7: c.mmio.bar = (uint8_t)boundary(s); break;
		default: c.mmio.offset = boundary(s); break;
		}
		count(M_CPL_BAD, 0);
		model_send(m, &c, 1);
		return;		/* the host's read times out */
	} else if (k < 97) {
		count(M_CPL_DUP, 0);
		model_send(m, &c, 1);
	} else if (k < 99 && m->nlate < 8) {
		count(M_CPL_LATE, 0);
		m->late[m->nlate].msg = c;
		m->late[m->nlate].delay = (int)below(s, 20);
		m->nlate++;
		return;
	} else {
		count(M_CPL_NONE, 0);
		return;
	}
	model_send(m, &c, 1);
}

static void model_host_write(struct model *m, const struct uvbus_msg *req)
{
	const struct uvpci_mmio *w = &req->mmio;

	if (w->bar != 0)
		return;
	if (w->offset == 0x10)		/* BUF_ADDR */
		m->dma_addr[0] = w->value;
	else if (w->offset == 0x20)	/* TX_ADDR_LO */
		m->addr_lo = (uint32_t)w->value;
	else if (w->offset == 0x24)	/* TX_ADDR_HI */
		m->dma_addr[1] = (w->value << 32) | m->addr_lo;
}

/* A DMA request: around the driver's buffers, or anywhere. */
static void model_dma(struct model *m, struct uvbus_msg *msg, bool write)
{
	uint64_t *s = &m->rng, base;

	memset(msg, 0, sizeof(*msg));
	msg->type = write ? UVPCI_MSG_DMA_WRITE : UVPCI_MSG_DMA_READ;
	msg->tag = rnd(s);
	base = m->dma_addr[below(s, 2)];
	if (base && !one_in(s, 4))
		msg->dma.addr = base + (below(s, 3 * PAGE) - PAGE);
	else
		msg->dma.addr = boundary(s);
	if (!one_in(s, 3))
		msg->dma.addr &= ~3ULL;
	msg->dma.ndw = (uint16_t)(one_in(s, 3) ? boundary(s) : 1 + below(s, 32));
	msg->dma.first_be = (uint8_t)(one_in(s, 2) ? 0xf : rnd(s));
	msg->dma.last_be = (uint8_t)(one_in(s, 2) ? (msg->dma.ndw > 1 ? 0xf : 0) : rnd(s));
	if (one_in(s, 8))
		msg->dma.status = (int32_t)rnd(s);
	memset(msg->dma.data, (int)rnd(s), sizeof(msg->dma.data));
	if (one_in(s, 4))
		msg->flags = UVPCI_F_ACK;
	count(write ? M_DMA_WRITE : M_DMA_READ, 0);
}

static void model_unasked(struct model *m)
{
	uint64_t *s = &m->rng;
	struct uvbus_msg msg[4];
	unsigned int n = 1 + (unsigned int)below(s, 4), i;

	for (i = 0; i < n; i++) {
		switch (below(s, 6)) {
		case 0:
			model_dma(m, &msg[i], true);
			break;
		case 1:
			model_dma(m, &msg[i], false);
			break;
		case 2:
			memset(&msg[i], 0, sizeof(msg[i]));
			msg[i].type = UVPCI_MSG_MSI;
			msg[i].msi.vector = (uint32_t)(one_in(s, 2) ? below(s, 6) : boundary(s));
			if (one_in(s, 8))
				msg[i].msi.reserved0 = 1;
			if (one_in(s, 4))
				msg[i].flags = UVPCI_F_ACK;
			count(M_MSI, 0);
			break;
		case 3:		/* a completion for a read never made */
			memset(&msg[i], 0, sizeof(msg[i]));
			msg[i].type = UVPCI_MSG_MMIO_CPL;
			msg[i].tag = one_in(s, 2) ? m->last_tag : rnd(s);
			msg[i].mmio.size = (uint8_t)(1U << below(s, 4));
			count(M_CPL_BAD, 0);
			break;
		default:	/* any type, flags, len; random payload */
			for (unsigned int j = 0; j < sizeof(msg[i]) / 8; j++)
				((uint64_t *)&msg[i])[j] = rnd(s);
			if (one_in(s, 2))
				msg[i].type = (uint16_t)(0x100 + below(s, 0x90));
			if (one_in(s, 2))
				msg[i].flags &= UVPCI_F_ACK;
			if (one_in(s, 2))
				msg[i].len = 0;
			count(M_JUNK, 0);
			break;
		}
	}
	model_send(m, msg, n);
}

static void *model_main(void *arg)
{
	struct model *m = arg;
	uint64_t *s = &m->rng;
	struct uvbus_msg msg[64];
	uint64_t bits;
	int n, i, err;

	m->ctl = uvbus_open();
	if (m->ctl < 0)
		uvnic_die_err(m->ctl, UVNIC_CTX_DEVICE, "model: cannot open %s",
			      uvbus_device_path());
	while (!stop) {
		if (!m->port) {
			model_attach(m);
			if (!m->port) {
				usleep(1000);
				continue;
			}
		}
		n = uvbus_port_recv(m->port, msg, 64);
		if (n < 0) {
			uvbus_port_close(m->port);
			m->port = NULL;
			continue;
		}
		for (i = 0; i < n; i++) {
			if (msg[i].type == UVPCI_MSG_MMIO_READ)
				model_cpl(m, &msg[i]);
			else if (msg[i].type == UVPCI_MSG_MMIO_WRITE)
				model_host_write(m, &msg[i]);
		}
		for (i = 0; i < (int)m->nlate; i++) {
			if (m->late[i].delay-- > 0)
				continue;
			model_send(m, &m->late[i].msg, 1);
			m->late[i] = m->late[--m->nlate];
			i--;
		}
		if (one_in(s, 8))
			model_unasked(m);
		if (one_in(s, 64)) {
			bits = one_in(s, 2) ? rnd(s) : UVBUS_SIG_RING | (rnd(s) << UVBUS_SIG_USER_SHIFT);
			count(M_SIGNAL, uvbus_port_signal(m->port, bits));
		}
		if (one_in(s, 1500)) {
			uvbus_port_close(m->port);
			m->port = NULL;
			continue;
		}
		if (!n) {
			err = uvbus_port_wait(m->port, 20, &bits);
			if (err && err != -ETIMEDOUT) {
				uvbus_port_close(m->port);
				m->port = NULL;
			}
		}
	}
	uvbus_port_close(m->port);
	close(m->ctl);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The main thread                                                     */
/* ------------------------------------------------------------------ */

struct fmap {
	void *addr;
	size_t len;
	int fd;			/* the descriptor it maps, if a port mapping */
	bool port;		/* a whole port mapping: rings at @a's offsets */
	struct uvbus_attach a;
	struct uvbus_ring u2k;
};

struct fuzz {
	uint64_t rng;
	int fd[NFDS];
	bool attached[NFDS];
	struct uvbus_attach att[NFDS];
	struct fmap map[NMAPS];
	bool have_driver;
};

static int fuzz_open(void)
{
	int fd = open(uvbus_device_path(), O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		uvnic_die_err(-errno, UVNIC_CTX_DEVICE, "cannot open %s", uvbus_device_path());
	return fd;
}

static void fuzz_unmap_fd(struct fuzz *f, int fd)
{
	unsigned int i;

	for (i = 0; i < NMAPS; i++) {
		if (f->map[i].addr && f->map[i].fd == fd) {
			munmap(f->map[i].addr, f->map[i].len);
			f->map[i].addr = NULL;
		}
	}
}

/* Whether slot I holds a port of the uvPCI device (its model, most likely). */
static bool dev_port(const struct fuzz *f, unsigned int i)
{
	return f->attached[i] &&
	       !strncmp(f->att[i].name, DEV_NAME, sizeof(f->att[i].name));
}

static void op_reopen(struct fuzz *f, unsigned int i)
{
	note("reopen fd slot %u", i);
	/*
	 * Mappings outlive the descriptor; drop some, keep others. Not those
	 * of a device port: they would keep it, where release_dev_ports()
	 * no longer sees it.
	 */
	if (one_in(&f->rng, 2) || dev_port(f, i))
		fuzz_unmap_fd(f, f->fd[i]);
	close(f->fd[i]);
	f->fd[i] = fuzz_open();
	f->attached[i] = false;
	count(OP_REOPEN, 0);
}

/*
 * Before a host access that may wait for the device's model: a posted
 * write waits for room in the model's ring as a PCIe write waits for flow
 * control credits (uvpci(9)), and the driver's remove and probe write
 * registers. A model port of this thread's has nobody to consume it while
 * this thread waits: let it go first, or the wait is on itself (the model
 * thread lets go of its port now and then, and this thread's attach may
 * take it).
 */
static void release_dev_ports(struct fuzz *f)
{
	unsigned int i;

	for (i = 0; i < NFDS; i++)
		if (dev_port(f, i))
			op_reopen(f, i);
}

static void mutate(uint64_t *s, void *buf, size_t n)
{
	unsigned int k = (unsigned int)below(s, 4), i;
	uint8_t *b = buf;
	size_t at;
	uint64_t v;

	for (i = 0; i < k && n; i++) {
		at = below(s, n);
		switch (below(s, 3)) {
		case 0:
			b[at] ^= (uint8_t)(1U << below(s, 8));
			break;
		case 1:
			b[at] = (uint8_t)rnd(s);
			break;
		default:
			v = boundary(s);
			at &= ~(size_t)3;
			memcpy(b + at, &v, n - at < 4 ? n - at : 4);
			break;
		}
	}
}

static void plausible_pci(uint64_t *s, struct uvpci_params *p)
{
	unsigned int i;

	p->vendor = one_in(s, 2) ? 0x5556 : (uint16_t)rnd(s);
	p->device = one_in(s, 2) ? 0x0001 : (uint16_t)below(s, 4);
	p->class_code = (uint32_t)(one_in(s, 4) ? boundary(s) : 0xff0000);
	p->msi_count = (uint8_t)(one_in(s, 4) ? boundary(s) : below(s, 34));
	if (one_in(s, 3)) {
		/* An MSI-X table: any count, BAR and offset; the kernel checks. */
		p->msix_count = (uint16_t)(one_in(s, 4) ? boundary(s) : below(s, 2050));
		p->msix_bar = (uint8_t)below(s, 7);
		p->msix_offset = (uint32_t)(one_in(s, 2) ? 0 : boundary(s));
	}
	p->timeout_us = (uint32_t)(one_in(s, 2) ? 0 : boundary(s) % 20000000);
	for (i = 0; i < UVPCI_NUM_BARS; i++) {
		if (one_in(s, 2))
			continue;
		p->bar[i].size = one_in(s, 4) ? boundary(s) : 1ULL << below(s, 40);
		if (one_in(s, 4))
			p->bar[i].flags = (uint32_t)(one_in(s, 2) ? UVPCI_BAR_64 : rnd(s) & 7);
	}
	if (p->timeout_us > 2000000)
		p->timeout_us = 2000000;	/* keep dropped reads affordable */
}

/* Fill an ioctl argument: zero, random, all-ones, or plausible-then-mutated. */
static void fill_arg(struct fuzz *f, unsigned int nr, void *buf, size_t n)
{
	uint64_t *s = &f->rng;
	size_t i;

	memset(buf, 0, n);
	switch (below(s, 8)) {
	case 0:
		return;
	case 1:
		for (i = 0; i < n; i++)
			((uint8_t *)buf)[i] = (uint8_t)rnd(s);
		return;
	case 2:
		memset(buf, 0xff, n);
		return;
	default:
		break;
	}
	switch (nr) {
	case 0x01: {
		struct uvbus_create *c = buf;

		if (n < sizeof(*c))
			break;
		pick_name(s, c->name);
		c->type = (uint32_t)(one_in(s, 5) ? boundary(s) : 1 + below(s, 2));
		c->flags = one_in(s, 2) ? UVBUS_CREATE_EPHEMERAL : (one_in(s, 3) ? 0 : (uint32_t)rnd(s));
		if (c->type == UVBUS_TYPE_UVPCI)
			plausible_pci(s, &c->pci);
		break;
	}
	case 0x02: case 0x06:
		if (n >= UVBUS_NAME_MAX)
			pick_name(s, buf);
		break;
	case 0x03: {
		struct uvbus_attach *a = buf;

		if (n < sizeof(*a))
			break;
		pick_name(s, a->name);
		a->flags = (uint32_t)(one_in(s, 3) ? UVBUS_ATTACH_MODEL : (one_in(s, 2) ? 0 : boundary(s)));
		a->entries = (uint32_t)(one_in(s, 2) ? 1U << below(s, 14) : boundary(s));
		break;
	}
	case 0x04: case 0x05: {
		struct uvbus_info *in = buf;

		if (n < sizeof(*in))
			break;
		pick_name(s, in->name);
		in->index = (uint32_t)(one_in(s, 2) ? below(s, 12) : boundary(s));
		break;
	}
	case 0x40: {
		struct uvpci_mmio_req *r = buf;

		if (n < sizeof(*r))
			break;
		if (one_in(s, 4))
			pick_name(s, r->name);
		else
			strcpy(r->name, DEV_NAME);
		r->bar = (uint8_t)(one_in(s, 2) ? (one_in(s, 2) ? 0 : 2) : below(s, 8));
		r->size = (uint8_t)(one_in(s, 4) ? boundary(s) : 1U << below(s, 4));
		r->write = (uint8_t)(one_in(s, 8) ? boundary(s) : below(s, 2));
		r->offset = one_in(s, 3) ? boundary(s) : below(s, 0x40) & ~(uint64_t)(r->size - 1);
		r->value = one_in(s, 2) ? below(s, 4) : boundary(s);
		break;
	}
	default:
		break;
	}
	if (one_in(s, 2))
		mutate(s, buf, n);
}

/* Kernel addresses, unaligned user addresses, NULL. */
static void *bad_pointer(uint64_t *s, size_t n)
{
	switch (below(s, 5)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)0xffff888000000000ULL;
	case 2:
		return (void *)(uintptr_t)boundary(s);
	case 3:		/* straddling the guard page */
		return guard_area + 3 * PAGE - n / 2;
	default:
		return guard_area;	/* PROT_NONE */
	}
}

static const struct {
	unsigned long cmd;
	enum op op;
} known_ioctls[] = {
	{ UVBUS_IOC_VERSION, OP_IOC_VERSION },
	{ UVBUS_IOC_CREATE, OP_IOC_CREATE },
	{ UVBUS_IOC_DESTROY, OP_IOC_DESTROY },
	{ UVBUS_IOC_ATTACH, OP_IOC_ATTACH },
	{ UVBUS_IOC_INFO, OP_IOC_INFO },
	{ UVBUS_IOC_LIST, OP_IOC_LIST },
	{ UVBUS_IOC_RESET, OP_IOC_RESET },
	{ UVPCI_IOC_MMIO, OP_IOC_MMIO },
	{ UVPCI_IOC_MSIX, OP_IOC_MSIX },
};
#define NKNOWN	(sizeof(known_ioctls) / sizeof(known_ioctls[0]))

static enum op known_op(unsigned long cmd)
{
	unsigned int i;

	for (i = 0; i < NKNOWN; i++)
		if (known_ioctls[i].cmd == cmd)
			return known_ioctls[i].op;
	return OP_IOC_OTHER;
}

static void op_ioctl(struct fuzz *f)
{
	uint64_t *s = &f->rng;
	unsigned int slot = (unsigned int)below(s, NFDS), nr;
	unsigned long cmd;
	enum op op;
	size_t n;
	void *arg;
	bool good_ptr = true;
	int rc, err;

	if (!one_in(s, 5)) {
		cmd = known_ioctls[below(s, NKNOWN)].cmd;
		/* the model's device and the host reads it answers */
		if (one_in(s, 3))
			cmd = UVPCI_IOC_MMIO;
	} else {
		nr = (unsigned int)(one_in(s, 2) ? below(s, 0x48) : below(s, 256));
		cmd = _IOC((unsigned long)below(s, 4), UVBUS_IOC_MAGIC, nr,
			   (unsigned long)(one_in(s, 2) ? boundary(s) & 0x3fff : below(s, 0x200)));
	}
	op = known_op(cmd);
	n = _IOC_SIZE(cmd);
	if (n > 2 * PAGE)
		n = 2 * PAGE;	/* what the guard area holds; uvBus reads less */
	arg = guarded(s, n);
	fill_arg(f, _IOC_NR(cmd), arg, n);
	if (one_in(s, 16)) {
		arg = bad_pointer(s, n);
		good_ptr = false;
	}
	if (cmd == UVBUS_IOC_CREATE && good_ptr && n == sizeof(struct uvbus_create)) {
		/* fz- names only: the run cleans up after itself */
		char *name = ((struct uvbus_create *)arg)->name;

		if (strncmp(name, "fz-", 3))
			memcpy(name, "fz-", 3);
	}
	if (cmd == UVBUS_IOC_DESTROY && good_ptr && !memcmp(arg, DEV_NAME, sizeof(DEV_NAME)) &&
	    !one_in(s, 4))
		memcpy(arg, LO_NAME, sizeof(LO_NAME));
	if (cmd == UVPCI_IOC_MMIO)
		release_dev_ports(f);
	note("ioctl fd slot %u cmd %#lx (%s) arg %p size %zu", slot, cmd,
	     op_names[op], arg, n);
	current_op = op_names[op];
	rc = ioctl(f->fd[slot], cmd, arg);
	err = rc < 0 ? errno : 0;
	count(op, err);
	if (err == EFAULT && good_ptr && n <= 2 * PAGE)
		finding("%s returned EFAULT on a valid %zu-byte argument at %p (cmd %#lx)",
			op_names[op], n, arg, cmd);
	if (!err && op == OP_IOC_OTHER)
		finding("ioctl %#lx, not in uvbus.h, succeeded", cmd);
	if (!err && cmd == UVBUS_IOC_ATTACH) {
		f->attached[slot] = true;
		memcpy(&f->att[slot], arg, sizeof(f->att[slot]));
	}
}

/* A well-formed attach on a free descriptor, so that the mmap and ring ops have ports. */
static void op_attach(struct fuzz *f)
{
	uint64_t *s = &f->rng;
	unsigned int slot = (unsigned int)below(s, NFDS);
	struct uvbus_attach *a = guarded(s, sizeof(*a));
	int rc;

	if (f->attached[slot])
		return;
	memset(a, 0, sizeof(*a));
	strcpy(a->name, one_in(s, 3) ? DEV_NAME : LO_NAME);
	a->entries = 1U << (1 + below(s, 12));
	note("attach fd slot %u to %s, %u entries", slot, a->name, a->entries);
	current_op = "attach";
	rc = ioctl(f->fd[slot], UVBUS_IOC_ATTACH, a);
	count(OP_IOC_ATTACH, rc < 0 ? errno : 0);
	if (!rc) {
		f->attached[slot] = true;
		f->att[slot] = *a;
	}
}

static int free_map_slot(struct fuzz *f)
{
	unsigned int i = (unsigned int)below(&f->rng, NMAPS);

	if (f->map[i].addr) {
		munmap(f->map[i].addr, f->map[i].len);
		f->map[i].addr = NULL;
		count(OP_MUNMAP, 0);
	}
	return (int)i;
}

static void op_mmap(struct fuzz *f)
{
	uint64_t *s = &f->rng;
	unsigned int slot = (unsigned int)below(s, NFDS);
	const struct uvbus_attach *a = &f->att[slot];
	static const int prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ, PROT_WRITE, PROT_NONE,
		PROT_READ | PROT_WRITE | PROT_EXEC, PROT_EXEC,
	};
	int prot, flags, i;
	size_t len;
	off_t off;
	void *p;
	bool whole;

	whole = f->attached[slot] && !one_in(s, 3);
	if (whole) {
		len = a->mmap_size;
		off = 0;
		prot = PROT_READ | PROT_WRITE;
		flags = MAP_SHARED;
	} else {
		len = one_in(s, 2) ? PAGE * below(s, 40) : boundary(s) & 0xffffffff;
		if (f->attached[slot] && one_in(s, 2))
			len = a->mmap_size + PAGE * (below(s, 3) - 1) + below(s, 2);
		off = (off_t)(one_in(s, 2) ? PAGE * below(s, 4) : (boundary(s) & ~(PAGE - 1) & 0x7fffffffffffULL));
		prot = prots[below(s, 6)];
		flags = one_in(s, 4) ? MAP_PRIVATE : MAP_SHARED;
	}
	note("mmap fd slot %u len %#zx off %#llx prot %d flags %d", slot, len,
	     (unsigned long long)off, prot, flags);
	current_op = "mmap";
	p = mmap(NULL, len, prot, flags, f->fd[slot], off);
	if (p == MAP_FAILED) {
		count(OP_MMAP, errno);
		return;
	}
	count(OP_MMAP, 0);
	i = free_map_slot(f);
	f->map[i].addr = p;
	f->map[i].len = len;
	f->map[i].fd = f->fd[slot];
	f->map[i].port = f->attached[slot] && len == a->mmap_size && !off &&
			 (prot & PROT_WRITE) && (prot & PROT_READ) && flags == MAP_SHARED;
	if (f->map[i].port) {
		f->map[i].a = *a;
		uvbus_ring_setup(&f->map[i].u2k, p, &a->u2k);
		/* carry on from where the ring is */
		uvbus_ring_start(&f->map[i].u2k,
				 __atomic_load_n(f->map[i].u2k.tail, __ATOMIC_ACQUIRE));
	}
}

static struct fmap *some_map(struct fuzz *f, bool port)
{
	unsigned int i = (unsigned int)below(&f->rng, NMAPS), k;

	for (k = 0; k < NMAPS; k++, i = (i + 1) % NMAPS)
		if (f->map[i].addr && (!port || f->map[i].port))
			return &f->map[i];
	return NULL;
}

static void op_vm(struct fuzz *f)
{
	uint64_t *s = &f->rng;
	struct fmap *m = some_map(f, false);
	void *p;
	int rc;

	if (!m)
		return;
	if (one_in(s, 2)) {
		int prot = (int)below(s, 8);

		note("mprotect %p len %#zx prot %d", m->addr, m->len, prot);
		current_op = "mprotect";
		rc = mprotect(m->addr, m->len, prot);
		count(OP_MPROTECT, rc ? errno : 0);
		if (!rc)
			m->port = m->port && (prot & (PROT_READ | PROT_WRITE)) == (PROT_READ | PROT_WRITE);
	} else {
		size_t len = one_in(s, 2) ? m->len + PAGE : (m->len > PAGE ? m->len - PAGE : PAGE);

		note("mremap %p len %#zx -> %#zx", m->addr, m->len, len);
		current_op = "mremap";
		p = mremap(m->addr, m->len, len, MREMAP_MAYMOVE);
		count(OP_MREMAP, p == MAP_FAILED ? errno : 0);
		if (p != MAP_FAILED) {
			m->addr = p;
			m->len = len;
			m->port = false;
		}
	}
}

static void op_rw(struct fuzz *f)
{
	uint64_t *s = &f->rng;
	unsigned int slot = (unsigned int)below(s, NFDS);
	static const size_t lens[] = { 0, 1, 7, 8, 9, 16, 4096 };
	size_t len = lens[below(s, 7)];
	char *buf = guarded(s, len);
	bool good = true;
	uint64_t v;
	ssize_t n;

	if (one_in(s, 16)) {
		buf = bad_pointer(s, len);
		good = false;
	}
	if (one_in(s, 2)) {
		v = one_in(s, 2) ? UVBUS_SIG_RING : (one_in(s, 2) ? rnd(s) << UVBUS_SIG_USER_SHIFT : rnd(s));
		if (good)
			memcpy(buf, &v, len < 8 ? len : 8);
		note("write fd slot %u len %zu %#" PRIx64, slot, len, v);
		current_op = "write";
		n = write(f->fd[slot], buf, len);
		count(OP_WRITE, n < 0 ? errno : 0);
	} else {
		note("read fd slot %u len %zu", slot, len);
		current_op = "read";
		n = read(f->fd[slot], buf, len);
		count(OP_READ, n < 0 ? errno : 0);
	}
	if (n < 0 && errno == EFAULT && good && len)
		finding("%s returned EFAULT on a valid %zu-byte buffer", current_op, len);
}

static void op_poll(struct fuzz *f)
{
	struct pollfd p[NFDS];
	unsigned int i;
	int rc;

	for (i = 0; i < NFDS; i++) {
		p[i].fd = f->fd[i];
		p[i].events = (short)rnd(&f->rng);
		p[i].revents = 0;
	}
	note("poll");
	current_op = "poll";
	rc = poll(p, NFDS, 0);
	count(OP_POLL, rc < 0 ? errno : 0);
}

/* Messages on a mapped u2k ring, well-formed for the ring, any content. */
static void op_push(struct fuzz *f)
{
	uint64_t *s = &f->rng;
	struct fmap *m = some_map(f, true);
	struct uvbus_msg msg[8];
	unsigned int n = 1 + (unsigned int)below(s, 8), i, j;
	int rc;

	if (!m)
		return;
	for (i = 0; i < n; i++) {
		for (j = 0; j < sizeof(msg[i]) / 8; j++)
			((uint64_t *)&msg[i])[j] = one_in(s, 2) ? 0 : rnd(s);
		msg[i].type = (uint16_t)(one_in(s, 4) ? rnd(s) : (one_in(s, 2) ? below(s, 3) : 0x100 + below(s, 0x90)));
		if (one_in(s, 2))
			msg[i].flags &= UVPCI_F_ACK;
		if (one_in(s, 2))
			msg[i].len = (uint32_t)below(s, UVBUS_MSG_DATA_SIZE + 2);
	}
	note("push %u messages on the u2k ring of a mapping of fd %d", n, m->fd);
	current_op = "ring push";
	rc = uvbus_ring_push(&m->u2k, msg, n);
	count(OP_RING_PUSH, rc < 0 ? rc : 0);
	/* a signal for a full ring too, now and then */
	if ((rc > 0 || (rc == 0 && one_in(s, 2))) &&
	    write(m->fd, &(uint64_t){ UVBUS_SIG_RING }, 8) < 0)
		count(OP_WRITE, errno);
}

/* Random values in a mapping: ring indices, flags, slots. */
static void op_scribble(struct fuzz *f)
{
	uint64_t *s = &f->rng;
	struct fmap *m = some_map(f, true);
	const struct uvbus_ring_offsets *r;
	uint32_t *at;
	uint64_t where;

	if (!m)
		return;
	r = one_in(s, 2) ? &m->a.k2u : &m->a.u2k;
	switch (below(s, 4)) {
	case 0:
		where = r->head;
		break;
	case 1:
		where = r->tail;
		break;
	case 2:
		where = r->flags;
		break;
	default:
		where = r->slots + below(s, (uint64_t)r->entries * UVBUS_MSG_SIZE / 4) * 4;
		break;
	}
	if (where + 4 > m->len)
		return;
	at = (uint32_t *)((char *)m->addr + where);
	note("scribble at offset %#" PRIx64 " of a mapping of fd %d", where, m->fd);
	current_op = "scribble";
	*at = (uint32_t)(one_in(s, 2) ? boundary(s) : *at + 1 + below(s, 8));
	if (write(m->fd, &(uint64_t){ UVBUS_SIG_RING }, 8) < 0)
		count(OP_SCRIBBLE, errno);
	else
		count(OP_SCRIBBLE, 0);
}

static int sysfs_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static void op_rebind(struct fuzz *f)
{
	const char *drv = "/sys/bus/uvpci/drivers/uvpci_sample";
	char path[128];
	int err;

	if (!f->have_driver)
		return;
	release_dev_ports(f);
	note("unbind/bind uvpci_sample on " DEV_NAME);
	current_op = "unbind/bind";
	snprintf(path, sizeof(path), "%s/unbind", drv);
	err = sysfs_write(path, DEV_NAME);
	snprintf(path, sizeof(path), "%s/bind", drv);
	if (!err || one_in(&f->rng, 2))
		err = sysfs_write(path, DEV_NAME);
	count(OP_REBIND, err);
}

static void fuzz_step(struct fuzz *f)
{
	uint64_t *s = &f->rng;
	unsigned int k = (unsigned int)below(s, 1000);

	if (k < 500)
		op_ioctl(f);
	else if (k < 600)
		op_mmap(f);
	else if (k < 640)
		op_vm(f);
	else if (k < 760)
		op_rw(f);
	else if (k < 800)
		op_poll(f);
	else if (k < 920)
		op_push(f);
	else if (k < 950)
		op_scribble(f);
	else if (k < 960)
		op_reopen(f, (unsigned int)below(s, NFDS));
	else if (k < 998)
		op_attach(f);
	else
		op_rebind(f);
}

/* ------------------------------------------------------------------ */
/* Watchdog, clean-up, report                                          */
/* ------------------------------------------------------------------ */

/* Where in the kernel thread TID waits (root only; nothing otherwise). */
static void show_stack(pid_t tid)
{
	char path[64], line[256];
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", (int)tid);
	fp = fopen(path, "r");
	if (!fp)
		return;
	fprintf(stderr, "uvbus-fuzz: the main thread's kernel stack:\n");
	while (fgets(line, sizeof(line), fp))
		fprintf(stderr, "  %s", line);
	fclose(fp);
}

static void *watchdog(void *arg)
{
	int64_t last;

	(void)arg;
	for (;;) {
		sleep(1);
		last = atomic_load(&progress_ns);
		if (mono_ns() - last > (int64_t)STALL_SECS * 1000000000) {
			fprintf(stderr, "uvbus-fuzz: FINDING: no progress for %d s, stuck in %s\n",
				STALL_SECS, current_op);
			print_history();
			show_stack(main_tid);
			_exit(1);
		}
	}
	return NULL;
}

static long module_refs(const char *mod)
{
	char path[96];
	long v = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", mod);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	if (fscanf(fp, "%ld", &v) != 1)
		v = -1;
	fclose(fp);
	return v;
}

/* Destroy every fz-* channel left. */
static void cleanup_channels(int fd)
{
	struct uvbus_info info;
	uint32_t i = 0;
	int err;

	while (!(err = uvbus_list(fd, i, &info))) {
		if (!strncmp(info.name, "fz-", 3) && !uvbus_destroy(fd, info.name))
			continue;	/* the next one moved to index i */
		i++;
	}
}

static void report(void)
{
	uint64_t total = 0, calls;
	unsigned int op, e;
	const char *name;

	printf("operations (calls: ok, errno counts):\n");
	for (op = 0; op < NOPS; op++) {
		calls = 0;
		for (e = 0; e < MAX_ERRNO; e++)
			calls += counts[op][e];
		if (!calls)
			continue;
		total += calls;
		printf("  %-28s %10" PRIu64 ":", op_names[op], calls);
		if (counts[op][0])
			printf(" ok %" PRIu64, counts[op][0]);
		for (e = 1; e < MAX_ERRNO; e++) {
			if (!counts[op][e])
				continue;
			name = strerrorname_np((int)e);
			if (name)
				printf(" %s %" PRIu64, name, counts[op][e]);
			else
				printf(" errno%u %" PRIu64, e, counts[op][e]);
		}
		printf("\n");
	}
	printf("total: %" PRIu64 " operations\n", total);
}

int main(int argc, char **argv)
{
	struct arg_str *seed = arg_str0(NULL, "seed", "N", "random seed (default: from the clock)");
	struct arg_str *duration = arg_str0(NULL, "duration", "SECONDS",
					    "stop after SECONDS (default 60 unless --iterations)");
	struct arg_str *iters = arg_str0(NULL, "iterations", "N", "stop after N main-thread operations");
	struct arg_str *stop_re = arg_str0(NULL, "stop-re", "ERE",
					   "stop at a kernel log line matching ERE (default $UVNIC_VM_PROBLEM_RE)");
	struct arg_lit *quiet = arg_lit0("q", "quiet", "print only the seed, findings and the summary line");
	struct arg_end *end = arg_end(5);
	void *table[] = { seed, duration, iters, stop_re, quiet, end };
	const struct uvnic_cli_syntax syntax[] = {
		{ NULL, NULL, table, sizeof(table) / sizeof(table[0]) },
	};
	const struct uvnic_cli cli = {
		.prog = "uvbus-fuzz",
		.purpose = "Fuzz the uvBus/uvPCI ABI as root: random ioctls, mmaps, writes, reads,\n"
			   "ring scribbles, and a device model with malformed messages (see the source).",
		.syntax = syntax,
		.nsyntax = 1,
	};
	static struct fuzz f;
	static struct model m;
	uint64_t seed_v, max_iter = 0, secs = 60;
	long refs0_bus, refs0_pci;
	pthread_t wd;
	int64_t end_ns, t0;
	const char *re;
	unsigned int i;
	int err, ctl;

	uvnic_cli_parse(&cli, argc, argv);
	seed_v = seed->count ? uvnic_cli_number("--seed", seed->sval[0], 0, UINT64_MAX)
			     : (uint64_t)mono_ns() ^ ((uint64_t)getpid() << 32);
	if (iters->count) {
		max_iter = uvnic_cli_number("--iterations", iters->sval[0], 1, UINT64_MAX);
		secs = 0;
	}
	if (duration->count)
		secs = uvnic_cli_number("--duration", duration->sval[0], 1, 7 * 86400);
	re = stop_re->count ? stop_re->sval[0] : getenv("UVNIC_VM_PROBLEM_RE");

	printf("uvbus-fuzz: seed %" PRIu64 "\n", seed_v);
	fflush(stdout);
	uvnic_cli_stop_on_signals(on_signal);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGSEGV, on_fault);
	signal(SIGBUS, on_fault);
	kmsg_open(re);
	guard_init();
	refs0_bus = module_refs("uvbus");
	refs0_pci = module_refs("uvpci");
	f.rng = seed_v;
	m.rng = seed_v ^ 0x5bd1e9955bd1e995ULL;
	f.have_driver = access("/sys/bus/uvpci/drivers/uvpci_sample", F_OK) == 0;
	if (!quiet->count)
		printf("uvbus-fuzz: %s, kernel log %s\n",
		       f.have_driver ? "uvpci_sample loaded" : "no uvpci_sample: host MMIO from UVPCI_IOC_MMIO only",
		       have_re ? "watched" : "not watched (no --stop-re)");
	for (i = 0; i < NFDS; i++)
		f.fd[i] = fuzz_open();
	ctl = fuzz_open();
	/* the loopback channel the ring ops mostly meet */
	uvbus_create_loopback(ctl, LO_NAME, UVBUS_CREATE_EPHEMERAL);

	atomic_store(&progress_ns, mono_ns());
	main_tid = (pid_t)syscall(SYS_gettid);
	err = pthread_create(&wd, NULL, watchdog, NULL);
	if (!err)
		err = pthread_create(&m.thread, NULL, model_main, &m);
	if (err)
		uvnic_die_err(-err, UVNIC_CTX_NONE, "pthread_create");

	t0 = mono_ns();
	end_ns = secs ? t0 + (int64_t)secs * 1000000000 : INT64_MAX;
	for (iteration = 0; !stop && (!max_iter || iteration < max_iter); iteration++) {
		fuzz_step(&f);
		atomic_store(&progress_ns, mono_ns());
		if (!(iteration & 63)) {
			if (kmsg_check() || findings)
				break;
			if (mono_ns() >= end_ns)
				break;
			if (one_in(&f.rng, 16))
				uvbus_create_loopback(ctl, LO_NAME, UVBUS_CREATE_EPHEMERAL);
		}
	}
	stop = 1;
	current_op = "joining the model thread";
	pthread_join(m.thread, NULL);

	current_op = "clean-up";
	for (i = 0; i < NMAPS; i++)
		if (f.map[i].addr)
			munmap(f.map[i].addr, f.map[i].len);
	for (i = 0; i < NFDS; i++)
		close(f.fd[i]);
	cleanup_channels(ctl);
	close(ctl);

	/* Every reference the fuzzer's descriptors held must go. */
	for (i = 0; i < 100; i++) {
		if (module_refs("uvbus") == refs0_bus && module_refs("uvpci") == refs0_pci)
			break;
		atomic_store(&progress_ns, mono_ns());
		usleep(50000);
	}
	if (module_refs("uvbus") != refs0_bus || module_refs("uvpci") != refs0_pci)
		finding("module references not returned: uvbus %ld -> %ld, uvpci %ld -> %ld",
			refs0_bus, module_refs("uvbus"), refs0_pci, module_refs("uvpci"));
	kmsg_check();

	if (!quiet->count)
		report();
	printf("uvbus-fuzz: seed %" PRIu64 ", %" PRIu64 " main-thread operations in %.1f s, %d finding%s\n",
	       seed_v, iteration, (mono_ns() - t0) / 1e9, findings, findings == 1 ? "" : "s");
	uvnic_cli_free(&cli);
	return findings ? 1 : 0;
}
