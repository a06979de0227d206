// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvpci-model - the device side of a uvPCI device, for the kernel tests:
 * a tiny device model, and one-shot DMA/MSI/raw injections. Raw ABI only
 * (kernel/uapi/uvbus.h: ioctls, the mapping, the shared ring functions).
 *
 *   uvpci-model model NAME [--hang] [--stall] [--hold FILE] [--entries N]
 *           [--cpl-status ERRNO] [--delay-us US] [--ready FILE]
 *           Attach as the device model and serve until the port hangs up
 *           (device destroyed) or a signal ends it. Every request is
 *           logged to stdout, one line each, flushed:
 *             W BAR OFFSET SIZE VALUE    posted write
 *             R BAR OFFSET SIZE          read (answered unless --hang)
 *             C OFFSET SIZE VALUE        config space write
 *             H flags F vectors N dD     host state (UVPCI_MSG_HOST_STATE)
 *           Each BAR is 64 KiB of memory whose unwritten bytes read 0xee.
 *           --cpl-status answers every read with that -errno instead;
 *           --delay-us answers each read that much later.
 *           --ready FILE is created once attached. --stall never
 *           reads the ring at all; --hold FILE does not read it while
 *           FILE exists (looked at every 10 ms; "held" and "resumed"
 *           are logged); --entries sets the ring size.
 *   uvpci-model dmaw NAME ADDR HEXBYTES    device writes host memory
 *   uvpci-model dmar NAME ADDR LEN         device reads host memory
 *   uvpci-model msi NAME VECTOR [--drop-caps]   device fires an MSI;
 *           --drop-caps: after attaching, drop CAP_SYS_ADMIN, show that
 *           a new attach is now refused ("attach without CAP_SYS_ADMIN:
 *           EPERM"), then fire through the port attached with it
 *   uvpci-model serve                     run command lines read from stdin
 *           (as helper.h says), each answered by "=== STATUS"
 *   uvpci-model raw NAME TYPE [--flags F] [--len L] [--tag T] [--addr A]
 *           [--ndw N] [--fbe B] [--lbe B] [--status S] [--vector V]
 *           [--level N] [--reserved R] [--aer-status S] [--model]
 *           (--vector and --reserved overlay struct uvpci_intx too:
 *           reserved0 and reserved1; --level is struct uvpci_aer's
 *           severity, --vector its severity and reserved0)
 *           Send one message exactly as given (flags default UVPCI_F_ACK);
 *           with --model attach as the model to send it.
 *
 * The injections attach as an auxiliary port, split transfers into legal
 * chunks (<= 128 bytes, dword-aligned with byte enables, no 4 KiB
 * crossing), set UVPCI_F_ACK on the last message and print:
 *   "ack: status=NAME faults=N"  (dmaw, msi, raw; NAME is 0 or an errno name)
 *   "data: XX XX ..."            (dmar, when every completion succeeded)
 *   "cpl: status=NAME"           (dmar, first failed completion; raw DMA_READ)
 * Exit 0 when the exchange completed (whatever the status), 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uvbus.h"

#define BAR_MEM		65536

static const char *const helper_prog = "uvpci-model";

#include "helper.h"

static const char *errname(int err)
{
	const char *name;

	if (!err)
		return "0";
	name = strerrorname_np(err < 0 ? -err : err);
	return name ? name : "unknown";
}

static uint64_t number(const char *s, const char *what)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		fail("bad %s '%s'", what, s);
	return v;
}

static int64_t snumber(const char *s, const char *what)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s || *end)
		fail("bad %s '%s'", what, s);
	return v;
}

/* ------------------------------------------------------------------ */
/* A port: one attachment and its two rings                            */
/* ------------------------------------------------------------------ */

struct port {
	int fd;
	struct uvbus_ring k2u, u2k;
};

static uint32_t ring_entries;	/* 0: the default */

static void port_attach(struct port *p, const char *name, uint32_t flags)
{
	struct uvbus_attach a;
	void *map;

	memset(&a, 0, sizeof(a));
	if (strlen(name) >= UVBUS_NAME_MAX)
		fail("name too long");
	memcpy(a.name, name, strlen(name));
	a.flags = flags;
	a.entries = ring_entries;
	p->fd = open(UVBUS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (p->fd < 0)
		fail("open %s: %s", UVBUS_DEVICE_PATH, strerror(errno));
	if (ioctl(p->fd, UVBUS_IOC_ATTACH, &a))
		fail("attach: %s", errname(errno));
	map = mmap(NULL, a.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd, 0);
	if (map == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	uvbus_ring_setup(&p->k2u, map, &a.k2u);
	uvbus_ring_setup(&p->u2k, map, &a.u2k);
}

static void port_kick(struct port *p)
{
	uint64_t sig = UVBUS_SIG_RING;

	if (write(p->fd, &sig, sizeof(sig)) != sizeof(sig) && errno != ENODEV)
		fail("doorbell: %s", strerror(errno));
}

static void port_send(struct port *p, const struct uvbus_msg *m)
{
	int n;

	while ((n = uvbus_ring_push(&p->u2k, m, 1)) == 0) {
		port_kick(p);
		usleep(100);
	}
	if (n < 0)
		fail("u2k ring corrupt");
}

/* 1: got a message; 0: timed out; -1: the port hung up. */
static int port_recv(struct port *p, struct uvbus_msg *m, int timeout_ms)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	uint64_t bits;
	int n;

	for (;;) {
		n = uvbus_ring_pop(&p->k2u, m, 1);
		if (n < 0)
			fail("k2u ring corrupt");
		if (n)
			return 1;
		n = poll(&pfd, 1, timeout_ms);
		if (n < 0 && errno != EINTR)
			fail("poll: %s", strerror(errno));
		if (!n)
			return 0;
		if (pfd.revents & POLLIN) {
			if (read(p->fd, &bits, sizeof(bits)) < 0 && errno != ENODEV)
				fail("read: %s", strerror(errno));
		}
		if (pfd.revents & (POLLHUP | POLLERR)) {
			n = uvbus_ring_pop(&p->k2u, m, 1);
			return n > 0 ? 1 : -1;
		}
	}
}

/* ------------------------------------------------------------------ */
/* The model                                                           */
/* ------------------------------------------------------------------ */

static uint8_t bar_mem[UVPCI_NUM_BARS][BAR_MEM];

static uint64_t mem_read(unsigned int bar, uint64_t off, unsigned int size)
{
	uint64_t v = 0;
	unsigned int i;

	if (bar >= UVPCI_NUM_BARS || off >= BAR_MEM || BAR_MEM - off < size)
		return 0xeeeeeeeeeeeeeeeeULL;
	for (i = 0; i < size && i < 8; i++)
		v |= (uint64_t)bar_mem[bar][off + i] << (8 * i);
	return v;
}

static void mem_write(unsigned int bar, uint64_t off, unsigned int size,
		      uint64_t v)
{
	unsigned int i;

	if (bar >= UVPCI_NUM_BARS || off >= BAR_MEM || BAR_MEM - off < size)
		return;
	for (i = 0; i < size && i < 8; i++)
		bar_mem[bar][off + i] = v >> (8 * i);
}

static int cmd_model(const char *name, int argc, char **argv)
{
	const char *ready = NULL, *hold = NULL;
	bool hang = false, stall = false, held = false;
	int cpl_status = 0;
	uint32_t delay_us = 0;
	struct uvbus_msg m, r;
	struct port p;
	int i, n;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--hang"))
			hang = true;
		else if (!strcmp(argv[i], "--stall"))
			stall = true;
		else if (!strcmp(argv[i], "--hold") && i + 1 < argc)
			hold = argv[++i];
		else if (!strcmp(argv[i], "--entries") && i + 1 < argc)
			ring_entries = number(argv[++i], "entries");
		else if (!strcmp(argv[i], "--ready") && i + 1 < argc)
			ready = argv[++i];
		else if (!strcmp(argv[i], "--cpl-status") && i + 1 < argc)
			cpl_status = snumber(argv[++i], "status");
		else if (!strcmp(argv[i], "--delay-us") && i + 1 < argc)
			delay_us = number(argv[++i], "delay");
		else
			fail("unknown option '%s'", argv[i]);
	}
	memset(bar_mem, 0xee, sizeof(bar_mem));
	setvbuf(stdout, NULL, _IOLBF, 0);
	port_attach(&p, name, UVBUS_ATTACH_MODEL);
	if (ready) {
		n = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (n < 0)
			fail("%s: %s", ready, strerror(errno));
		close(n);
	}
	while (stall)
		pause();

	for (;;) {
		if (hold && !access(hold, F_OK)) {
			if (!held)
				printf("held\n");
			held = true;
			usleep(10000);
			continue;
		}
		if (held)
			printf("resumed\n");
		held = false;
		/* With --hold, come back to look at FILE every 10 ms. */
		n = port_recv(&p, &m, hold ? 10 : -1);
		if (n < 0)
			return 0;
		if (!n)
			continue;
		switch (m.type) {
		case UVPCI_MSG_MMIO_WRITE:
			printf("W %u 0x%" PRIx64 " %u 0x%" PRIx64 "\n", m.mmio.bar,
			       (uint64_t)m.mmio.offset, m.mmio.size,
			       (uint64_t)m.mmio.value);
			mem_write(m.mmio.bar, m.mmio.offset, m.mmio.size,
				  m.mmio.value);
			break;
		case UVPCI_MSG_MMIO_READ:
			printf("R %u 0x%" PRIx64 " %u\n", m.mmio.bar,
			       (uint64_t)m.mmio.offset, m.mmio.size);
			if (hang)
				break;
			if (delay_us)
				usleep(delay_us);
			memset(&r, 0, sizeof(r));
			r.type = UVPCI_MSG_MMIO_CPL;
			r.tag = m.tag;
			r.mmio = m.mmio;
			r.mmio.status = cpl_status;
			r.mmio.value = cpl_status ? 0 :
				mem_read(m.mmio.bar, m.mmio.offset, m.mmio.size);
			port_send(&p, &r);
			port_kick(&p);
			break;
		case UVPCI_MSG_CFG_WRITE:
			printf("C 0x%x %u 0x%x\n", m.cfg.offset, m.cfg.size,
			       m.cfg.value);
			break;
		case UVPCI_MSG_HOST_STATE:
			printf("H flags 0x%x vectors %u d%u\n", m.host.flags,
			       m.host.msi_vectors, m.host.power_state);
			break;
		default:
			printf("? type 0x%x tag %" PRIu64 "\n", m.type,
			       (uint64_t)m.tag);
			break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Injections                                                          */
/* ------------------------------------------------------------------ */

/* Wait for the reply of @type with @tag; returns it in @m. */
static void wait_reply(struct port *p, uint16_t type, uint64_t tag,
		       struct uvbus_msg *m)
{
	int n;

	for (;;) {
		n = port_recv(p, m, 5000);
		if (n == 0)
			fail("no reply (type 0x%x) within 5 s", type);
		if (n < 0)
			fail("port hung up");
		if (m->type == type && m->tag == tag)
			return;
	}
}

static void print_ack(const struct uvbus_msg *m)
{
	printf("ack: status=%s faults=%u\n", errname(m->ack.status),
	       m->ack.faults);
}

/* One legal chunk at @addr: how many of @len bytes it covers. */
static unsigned int chunk(struct uvbus_msg *m, uint64_t addr, size_t len)
{
	uint64_t base = addr & ~3ULL;
	unsigned int head = addr - base;
	unsigned int room = UVPCI_DMA_BOUNDARY - (base & (UVPCI_DMA_BOUNDARY - 1));
	unsigned int span, ndw, lastb;

	if (room > UVPCI_DMA_MAX_BYTES)
		room = UVPCI_DMA_MAX_BYTES;
	span = head + len < room ? head + len : room;
	ndw = (span + 3) / 4;
	lastb = (span - 1) & 3;
	m->dma.addr = base;
	m->dma.ndw = ndw;
	if (ndw == 1) {
		m->dma.first_be = (0xf << head) & (0xf >> (3 - lastb));
		m->dma.last_be = 0;
	} else {
		m->dma.first_be = (0xf << head) & 0xf;
		m->dma.last_be = 0xf >> (3 - lastb);
	}
	return span - head;
}

static int cmd_dmaw(const char *name, int argc, char **argv)
{
	uint8_t bytes[65536];
	struct uvbus_msg m;
	size_t len = 0, done = 0;
	uint64_t addr, tag = 0;
	const char *hex;
	struct port p;
	unsigned int n, head;

	if (argc != 2)
		fail("needs ADDR HEXBYTES");
	addr = number(argv[0], "address");
	for (hex = argv[1]; hex[0] && hex[1] && len < sizeof(bytes); hex += 2) {
		char b[3] = { hex[0], hex[1], 0 };

		bytes[len++] = strtoul(b, NULL, 16);
	}
	if (!len || *hex)
		fail("bad hex bytes");
	port_attach(&p, name, 0);
	while (done < len) {
		memset(&m, 0, sizeof(m));
		m.type = UVPCI_MSG_DMA_WRITE;
		m.tag = ++tag;
		n = chunk(&m, addr + done, len - done);
		head = (addr + done) & 3;
		memcpy(m.dma.data + head, bytes + done, n);
		done += n;
		if (done == len)
			m.flags = UVPCI_F_ACK;
		port_send(&p, &m);
	}
	port_kick(&p);
	wait_reply(&p, UVPCI_MSG_ACK, tag, &m);
	print_ack(&m);
	return 0;
}

static int cmd_dmar(const char *name, int argc, char **argv)
{
	uint8_t bytes[65536];
	struct uvbus_msg m, c;
	size_t len, done = 0, i;
	uint64_t addr, tag = 0;
	unsigned int n, head;
	int status = 0;
	struct port p;

	if (argc != 2)
		fail("needs ADDR LEN");
	addr = number(argv[0], "address");
	len = number(argv[1], "length");
	if (!len || len > sizeof(bytes))
		fail("length 1..%zu", sizeof(bytes));
	port_attach(&p, name, 0);
	while (done < len) {
		memset(&m, 0, sizeof(m));
		m.type = UVPCI_MSG_DMA_READ;
		m.tag = ++tag;
		n = chunk(&m, addr + done, len - done);
		head = (addr + done) & 3;
		port_send(&p, &m);
		port_kick(&p);
		wait_reply(&p, UVPCI_MSG_DMA_CPL, tag, &c);
		if (c.dma.status && !status)
			status = c.dma.status;
		memcpy(bytes + done, c.dma.data + head, n);
		done += n;
	}
	if (status) {
		printf("cpl: status=%s\n", errname(status));
		return 0;
	}
	printf("data:");
	for (i = 0; i < len; i++)
		printf(" %02x", bytes[i]);
	printf("\n");
	return 0;
}

/* Drop CAP_SYS_ADMIN for good: effective, permitted, inheritable. */
static void drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		fail("capget: %s", strerror(errno));
	data[0].effective &= ~(1U << CAP_SYS_ADMIN);
	data[0].permitted &= ~(1U << CAP_SYS_ADMIN);
	data[0].inheritable &= ~(1U << CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		fail("capset: %s", strerror(errno));
}

static int cmd_msi(const char *name, int argc, char **argv)
{
	struct uvbus_msg m;
	struct uvbus_attach a;
	struct port p;
	int fd;

	if (argc != 1 && !(argc == 2 && !strcmp(argv[1], "--drop-caps")))
		fail("needs VECTOR [--drop-caps]");
	memset(&m, 0, sizeof(m));
	m.type = UVPCI_MSG_MSI;
	m.flags = UVPCI_F_ACK;
	m.tag = 1;
	m.msi.vector = number(argv[0], "vector");
	port_attach(&p, name, 0);
	if (argc == 2) {
		drop_sys_admin();
		memset(&a, 0, sizeof(a));
		memcpy(a.name, name, strlen(name));
		fd = open(UVBUS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			fail("open %s: %s", UVBUS_DEVICE_PATH, strerror(errno));
		printf("attach without CAP_SYS_ADMIN: %s\n",
		       ioctl(fd, UVBUS_IOC_ATTACH, &a) ? errname(errno) : "0");
		close(fd);
	}
	port_send(&p, &m);
	port_kick(&p);
	wait_reply(&p, UVPCI_MSG_ACK, 1, &m);
	print_ack(&m);
	return 0;
}

static int cmd_raw(const char *name, int argc, char **argv)
{
	struct uvbus_msg m, r;
	uint32_t flags = 0;
	struct port p;
	int i;

	if (argc < 1)
		fail("needs TYPE");
	memset(&m, 0, sizeof(m));
	m.type = number(argv[0], "type");
	m.flags = UVPCI_F_ACK;
	m.tag = 1;
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(opt, "--model")) {
			flags = UVBUS_ATTACH_MODEL;
			continue;
		}
		if (!val)
			fail("%s needs a value", opt);
		i++;
		if (!strcmp(opt, "--flags"))
			m.flags = number(val, "flags");
		else if (!strcmp(opt, "--len"))
			m.len = number(val, "len");
		else if (!strcmp(opt, "--tag"))
			m.tag = number(val, "tag");
		else if (!strcmp(opt, "--addr"))
			m.dma.addr = number(val, "addr");
		else if (!strcmp(opt, "--ndw"))
			m.dma.ndw = number(val, "ndw");
		else if (!strcmp(opt, "--fbe"))
			m.dma.first_be = number(val, "fbe");
		else if (!strcmp(opt, "--lbe"))
			m.dma.last_be = number(val, "lbe");
		else if (!strcmp(opt, "--status"))
			m.dma.status = snumber(val, "status");
		else if (!strcmp(opt, "--vector"))
			m.msi.vector = number(val, "vector");
		else if (!strcmp(opt, "--level"))
			m.intx.level = number(val, "level");
		else if (!strcmp(opt, "--reserved"))
			m.msi.reserved0 = number(val, "reserved");
		else if (!strcmp(opt, "--aer-status"))
			m.aer.status = number(val, "aer status");
		else
			fail("unknown option '%s'", opt);
	}
	port_attach(&p, name, flags);
	port_send(&p, &m);
	port_kick(&p);
	if (m.type == UVPCI_MSG_DMA_READ) {
		wait_reply(&p, UVPCI_MSG_DMA_CPL, m.tag, &r);
		printf("cpl: status=%s\n", errname(r.dma.status));
	}
	if (m.flags & UVPCI_F_ACK) {
		wait_reply(&p, UVPCI_MSG_ACK, m.tag, &r);
		print_ack(&r);
	}
	return 0;
}

static int run(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: uvpci-model model|dmaw|dmar|msi|raw NAME ...\n");
		return 2;
	}
	helper_cmd = argv[1];
	if (!strcmp(helper_cmd, "model"))
		return cmd_model(argv[2], argc - 3, argv + 3);
	if (!strcmp(helper_cmd, "dmaw"))
		return cmd_dmaw(argv[2], argc - 3, argv + 3);
	if (!strcmp(helper_cmd, "dmar"))
		return cmd_dmar(argv[2], argc - 3, argv + 3);
	if (!strcmp(helper_cmd, "msi"))
		return cmd_msi(argv[2], argc - 3, argv + 3);
	if (!strcmp(helper_cmd, "raw"))
		return cmd_raw(argv[2], argc - 3, argv + 3);
	fail("unknown command");
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "serve")) {
		helper_cmd = "serve";
		return helper_serve(run, argv[0]);
	}
	return run(argc, argv);
}
