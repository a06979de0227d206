// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvnic-frames - raw Ethernet frames for the uvNIC kernel suites, without
 * a python3 start (over a second in the TCG guest) per frame:
 *
 *   uvnic-frames gen DST SRC LEN [TYPE]
 *           Print a LEN-byte frame as hex: DST, SRC (aa:bb:cc:dd:ee:ff),
 *           TYPE (hex, default 88b5, local experimental), then payload
 *           bytes counting up from 0. TYPE 8100 makes the first 4 payload
 *           bytes a VLAN tag, which lets a packet socket send MTU + 18.
 *   uvnic-frames send IFACE HEX...
 *           Send each frame out of IFACE through a packet socket.
 *   uvnic-frames capture IFACE TYPE FILE
 *           Write the first frame of ethertype TYPE that IFACE receives
 *           (not one it sends) to FILE, as hex and a newline, atomically
 *           (FILE.tmp renamed). FILE.ready appears once listening. Gives
 *           up after 30 s.
 *
 * Exit 0 on success, 1 with one line on stderr otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FRAME_MAX	65536

static const char *const helper_prog = "uvnic-frames";

#include "helper.h"

static unsigned long number(const char *s, int base, unsigned long max,
			    const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || end == s || *end || v > max)
		fail("invalid %s '%s'", what, s);
	return v;
}

static void parse_mac(const char *s, uint8_t *mac)
{
	unsigned int v[6];
	int n = -1, i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &n) != 6 || n != 17 || s[n])
		fail("invalid MAC address '%s'", s);
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
}

static int packet_socket(const char *ifname, uint16_t proto)
{
	struct sockaddr_ll sll = { 0 };
	int fd;

	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(proto);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		fail("%s: no such network interface", ifname);
	fd = socket(AF_PACKET, SOCK_RAW, htons(proto));
	if (fd < 0)
		fail("packet socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		fail("%s: bind: %s", ifname, strerror(errno));
	return fd;
}

static int gen(int argc, char **argv)
{
	uint8_t hdr[14];
	unsigned long len, type = 0x88b5, i;

	if (argc < 4 || argc > 5)
		fail("usage: gen DST SRC LEN [TYPE]");
	parse_mac(argv[1], hdr);
	parse_mac(argv[2], hdr + 6);
	len = number(argv[3], 10, FRAME_MAX, "length");
	if (len < 14)
		fail("a frame has at least 14 bytes, not %lu", len);
	if (argc == 5)
		type = number(argv[4], 16, 0xffff, "ethertype");
	hdr[12] = (uint8_t)(type >> 8);
	hdr[13] = (uint8_t)type;
	for (i = 0; i < 14; i++)
		printf("%02x", hdr[i]);
	for (i = 0; i < len - 14; i++)
		printf("%02lx", i & 255);
	putchar('\n');
	return fflush(stdout) ? 1 : 0;
}

static size_t unhex(const char *s, uint8_t *buf, size_t max)
{
	size_t n = 0;
	unsigned int b;

	if (strlen(s) % 2)
		fail("odd number of hex digits");
	for (; *s; s += 2) {
		if (n == max || sscanf(s, "%2x", &b) != 1)
			fail("invalid or too long hex frame");
		buf[n++] = (uint8_t)b;
	}
	return n;
}

static int send_frames(int argc, char **argv)
{
	static uint8_t buf[FRAME_MAX];
	int fd, i;

	if (argc < 2)
		fail("usage: send IFACE HEX...");
	fd = packet_socket(argv[1], 0);
	for (i = 2; i < argc; i++) {
		size_t len = unhex(argv[i], buf, sizeof(buf));

		if (send(fd, buf, len, 0) != (ssize_t)len)
			fail("%s: sending a %zu-byte frame: %s", argv[1], len,
			     strerror(errno));
	}
	close(fd);
	return 0;
}

static int capture(int argc, char **argv)
{
	static uint8_t buf[FRAME_MAX];
	struct sockaddr_ll from;
	char tmp[4096], ready[4096];
	struct pollfd pfd;
	socklen_t alen;
	ssize_t n;
	FILE *f;
	int fd, i;

	if (argc != 4)
		fail("usage: capture IFACE TYPE FILE");
	fd = packet_socket(argv[1], (uint16_t)number(argv[2], 16, 0xffff, "ethertype"));
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[3]);
	snprintf(ready, sizeof(ready), "%s.ready", argv[3]);
	f = fopen(ready, "w");
	if (!f || fclose(f))
		fail("%s: %s", ready, strerror(errno));
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	for (;;) {
		if (poll(&pfd, 1, 30000) <= 0)
			fail("%s: no frame in 30 s", argv[1]);
		alen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &alen);
		if (n < 0)
			fail("%s: receiving: %s", argv[1], strerror(errno));
		if (from.sll_pkttype != PACKET_OUTGOING)
			break;
	}
	f = fopen(tmp, "w");
	if (!f)
		fail("%s: %s", tmp, strerror(errno));
	for (i = 0; i < n; i++)
		fprintf(f, "%02x", buf[i]);
	fputc('\n', f);
	if (fclose(f) || rename(tmp, argv[3]))
		fail("%s: %s", argv[3], strerror(errno));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		fail("usage: gen|send|capture ...");
	helper_cmd = argv[1];
	if (!strcmp(helper_cmd, "gen"))
		return gen(argc - 1, argv + 1);
	if (!strcmp(helper_cmd, "send"))
		return send_frames(argc - 1, argv + 1);
	if (!strcmp(helper_cmd, "capture"))
		return capture(argc - 1, argv + 1);
	fail("unknown command (gen, send, capture)");
}
