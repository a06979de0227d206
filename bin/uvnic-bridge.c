// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvnic-bridge - the uvNIC reference NIC: run its device model (libuvnic's
 * uvnic_model) behind the uvPCI device DEV, with its wire plugged into the
 * network interface IFACE through an AF_PACKET socket. See uvnic-bridge(8)
 * and uvnic(4).
 *
 * One thread, one poll() loop over the device, the socket and a signalfd:
 *  1. serve the host's register accesses (uvpci_device_process());
 *  2. transmit: TX descriptors in batches (uvnic_model_tx_work()), the
 *     batch's frames sent with one sendmmsg(), a TCP flow's consecutive
 *     segments merged into one super-packet (see wire_tx_merge()), the
 *     driver's TSO frames sent whole as super-packets (wire_tx_gso());
 *  3. receive: up to RX_BATCH packets per recvmmsg(), each put in an RX
 *     descriptor, one write-back and at most one MSI per burst.
 *
 * The socket carries a virtio-net header (PACKET_VNET_HDR) because the
 * kernel hands a packet socket what the peer sent as it was: a TCP
 * super-packet of up to 64 KiB from a peer with TSO, and checksums left
 * for "the hardware" from a peer with checksum offload. A NIC on a wire
 * sees neither, so the bridge finishes checksums and cuts TCP
 * super-packets into MTU-sized segments, as the peer's hardware would.
 * For the same reason it puts back the VLAN tag that the kernel hands
 * over apart (PACKET_AUXDATA).
 *
 * Receive back-pressure: the socket buffer is the NIC's receive FIFO.
 * While the RX ring has no free descriptor the bridge stops reading it,
 * for up to HOLD_MS; after that it reads and drops (RX_NO_DESC), as a
 * NIC whose FIFO overflowed. Segments of a super-packet that find no
 * descriptor wait in a small FIFO of the bridge's own.
 */
#include <argtable2.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "libuvnic.h"
#include "uvpci-cli.h"
#include "uvnic-model.h"
#include "uvnic-wire.h"

#define PROG		"uvnic-bridge"

#define RX_BATCH	32		/* packets per recvmmsg() */
#define RX_BUDGET	UVNIC_MODEL_BATCH /* frames offered per turn of the loop */
#define PKT_MAX		65536		/* the largest packet the socket hands us */
#define TX_COAL_MAX	65000		/* the largest super-packet we send */
#define TX_COAL		(2 * TX_COAL_MAX)
#define VNET_LEN	((int)sizeof(struct virtio_net_hdr))
#define TX_BUDGET	UVNIC_MODEL_BATCH /* TX descriptors between two looks at the device */
#define HOLD_MS		100		/* how long received frames wait for a descriptor */
#define FIFO_BYTES	(4u << 20)	/* segments waiting for RX descriptors */
#define SOCK_BUF	(8 << 20)
#define LINK_DOWN_WAIT_MS 2000		/* for the driver to read STATUS at exit */

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#endif

/* The bridge's own counters, printed after the device's. */
struct wire_stats {
	uint64_t rx_frames;	/* frames handed to the model */
	uint64_t rx_packets;	/* packets read from IFACE */
	uint64_t rx_gso;	/* of which super-packets, cut into segments */
	uint64_t rx_csum;	/* checksums completed */
	uint64_t rx_bad;	/* packets dropped: malformed or unsupported */
	uint64_t rx_fifo_full;	/* segments dropped: the bridge's FIFO was full */
	uint64_t tx_frames;	/* frames (or super-packets) sent on IFACE */
	uint64_t tx_merged;	/* TCP segments sent inside a super-packet */
	uint64_t tx_gso;	/* TSO frames of the driver's sent whole */
	uint64_t tx_errors;	/* frames IFACE refused */
	uint64_t sock_drops;	/* packets the kernel dropped: socket buffer full */
};

struct bridge {
	const char *dev_name;
	const char *ifname;
	int ifindex;
	int sock;
	bool verbose;
	bool exact;		/* --exact-frames: no super-packets */
	struct uvpci_device *dev;
	struct uvnic_model *model;
	struct wire_stats ws;
	/* --coverage: the host's accesses, counted per register and field */
	struct uvregmap *map;
	struct uvregfile *cov;
	struct uvpci_device_ops cov_ops;

	/* transmit batch */
	struct mmsghdr txmsg[UVNIC_MODEL_BATCH];
	struct iovec txiov[UVNIC_MODEL_BATCH][2];
	struct virtio_net_hdr txvh[UVNIC_MODEL_BATCH];
	unsigned int ntx;
	uint8_t *coal;			/* TX_COAL bytes: the batch's super-packets */
	size_t coal_used;
	uint16_t tx_mss;		/* the last message's segment size; 0: no merging */
	uint16_t tx_last;		/* and the payload of its last segment */

	/* receive */
	struct mmsghdr rxmsg[RX_BATCH];
	struct iovec rxiov[RX_BATCH];
	struct sockaddr_ll rxaddr[RX_BATCH];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} rxctl[RX_BATCH];		/* PACKET_AUXDATA: the VLAN tag */
	uint8_t *rxbuf;			/* RX_BATCH * (VNET_LEN + PKT_MAX) */
	uint8_t seg[UVNIC_MAX_FRAME];	/* one segment being built */
	bool sock_more;			/* the last read filled its batch */
	unsigned int rx_turn;		/* frames offered in this turn of the loop */
	int64_t hold_since;		/* ms; 0: not holding */

	/* FIFO of frames waiting for descriptors: [u16 len][frame], 2-aligned */
	uint8_t *fifo;
	size_t fifo_head, fifo_tail;
};

static const struct virtio_net_hdr vnet_none;

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fatal(struct bridge *b, int err)
{
	if (err == -ENODEV)
		uvnic_die("%s: device destroyed", b->dev_name);
	if (err == -EPIPE)
		uvnic_die("%s: uvBus channel broken (see the kernel log)", b->dev_name);
	uvnic_die_err(err, UVNIC_CTX_CHANNEL, "%s", b->dev_name);
}

static void model_log(void *opaque, const char *msg)
{
	struct bridge *b = opaque;

	if (b->verbose)
		fprintf(stderr, "%s: %s: %s\n", PROG, b->dev_name, msg);
}

/* ------------------------------------------------------------------ */
/* Transmit: the model hands us frames, we send a batch at once        */
/* ------------------------------------------------------------------ */

static void wire_tx_flush(void *opaque)
{
	struct bridge *b = opaque;
	unsigned int sent = 0;
	int rc;

	while (sent < b->ntx) {
		rc = sendmmsg(b->sock, b->txmsg + sent, b->ntx - sent, 0);
		if (rc > 0) {
			sent += (unsigned int)rc;
			b->ws.tx_frames += (unsigned int)rc;
			continue;
		}
		if (rc < 0 && errno == EINTR)
			continue;
		/* The frame at @sent was refused (IFACE down, too big...): skip it. */
		b->ws.tx_errors++;
		if (b->verbose)
			fprintf(stderr, "%s: %s: sending a %zu-byte frame: %s\n",
				PROG, b->ifname, b->txiov[sent][1].iov_len,
				rc < 0 ? strerror(errno) : "not sent");
		sent++;
	}
	b->ntx = 0;
	b->coal_used = 0;
}

/*
 * A TCP/IPv4 frame that can be part of a super-packet: no VLAN, IP
 * options or fragment, no padding, flags ACK (PSH allowed), a payload.
 * Returns the offset of its payload, or 0.
 */
static size_t tcp_seg(const uint8_t *f, size_t len)
{
	struct uvnic_frame_info fi;

	if (uvnic_frame_parse(f, len, &fi) || fi.ipv6 || fi.l3 != ETH_HLEN ||
	    fi.proto != UVNIC_IPPROTO_TCP || fi.l4 != fi.l3 + 20 ||
	    fi.ip_end != len || fi.hdr_len >= len ||
	    (f[fi.l4 + 13] & ~UVNIC_TCP_PSH) != 0x10)
		return 0;
	return fi.hdr_len;
}

/*
 * Append @f, the next segment of the last message's TCP flow, to it: one
 * super-packet that the kernel's GSO cuts again only if it must (a veth
 * peer takes it whole), so that the far end's stack, which runs in our
 * thread when IFACE is a veth, handles one packet instead of dozens, as
 * with GRO. Same headers but for the sequence, PSH, the lengths and
 * checksums. Returns whether it was appended.
 */
static bool wire_tx_merge(struct bridge *b, const uint8_t *f, size_t len)
{
	struct iovec *io = &b->txiov[b->ntx - 1][1];
	uint8_t *p = io->iov_base;
	size_t pay = tcp_seg(f, len), plen = len - pay, ip = ETH_HLEN;
	size_t tcp = ip + 20;
	const struct uvnic_frame_info fi = {
		.l3 = ETH_HLEN, .l4 = ETH_HLEN + 20, .hdr_len = (uint16_t)pay,
		.proto = UVNIC_IPPROTO_TCP,
	};
	uint32_t seq;
	uint64_t sum;

	if (!pay || !b->tx_mss || b->tx_last != b->tx_mss || plen > b->tx_mss ||
	    pay != tcp_seg(p, io->iov_len) || io->iov_len + plen > TX_COAL_MAX ||
	    (p[tcp + 13] & 0x08))
		return false;
	seq = (uint32_t)uvnic_get_be16(p + tcp + 4) << 16 | uvnic_get_be16(p + tcp + 6);
	seq += (uint32_t)(io->iov_len - pay);
	/* Same addresses, ports, ack, window and options; the next sequence. */
	if (memcmp(p + ip + 12, f + ip + 12, 8) || memcmp(p + tcp, f + tcp, 4) ||
	    memcmp(p + tcp + 8, f + tcp + 8, 5) || memcmp(p + tcp + 14, f + tcp + 14, 2) ||
	    memcmp(p + tcp + 18, f + tcp + 18, pay - tcp - 18) ||
	    seq != ((uint32_t)uvnic_get_be16(f + tcp + 4) << 16 | uvnic_get_be16(f + tcp + 6)) ||
	    p[ip + 1] != f[ip + 1] || p[ip + 8] != f[ip + 8])
		return false;
	if (p < b->coal || p >= b->coal + TX_COAL) {
		/* Its first segment: copy it out of the model's buffer. */
		if (b->coal_used + TX_COAL_MAX > TX_COAL)
			return false;
		memcpy(b->coal + b->coal_used, p, io->iov_len);
		p = io->iov_base = b->coal + b->coal_used;
		b->coal_used += TX_COAL_MAX;
	}
	memcpy(p + io->iov_len, f + pay, plen);
	io->iov_len += plen;
	b->tx_last = (uint16_t)plen;
	p[tcp + 13] = f[tcp + 13];
	b->ws.tx_merged++;

	/* IP: length and header checksum. */
	uvnic_put_be16(p + ip + 2, (uint16_t)(io->iov_len - ip));
	uvnic_put_be16(p + ip + 10, 0);
	uvnic_put_be16(p + ip + 10, uvnic_csum_final(uvnic_csum_sum(p + ip, 20)));
	/* TCP: the pseudo-header sum; the kernel completes it (NEEDS_CSUM). */
	sum = uvnic_csum_pseudo(p, &fi, io->iov_len - tcp);
	uvnic_put_be16(p + tcp + 16, (uint16_t)~uvnic_csum_final(sum));
	b->txvh[b->ntx - 1] = (struct virtio_net_hdr){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = (uint16_t)pay,
		.gso_size = b->tx_mss,
		.csum_start = (uint16_t)tcp,
		.csum_offset = 16,
	};
	return true;
}

/* Queue a message for the batch's sendmmsg(); returns its index. */
static unsigned int wire_tx_queue(struct bridge *b, const void *frame, size_t len)
{
	unsigned int i;

	if (b->ntx == UVNIC_MODEL_BATCH)
		wire_tx_flush(b);
	i = b->ntx++;
	b->txvh[i] = vnet_none;
	b->txiov[i][0].iov_base = &b->txvh[i];
	b->txiov[i][0].iov_len = VNET_LEN;
	b->txiov[i][1].iov_base = (void *)frame;
	b->txiov[i][1].iov_len = len;
	memset(&b->txmsg[i], 0, sizeof(b->txmsg[i]));
	b->txmsg[i].msg_hdr.msg_iov = b->txiov[i];
	b->txmsg[i].msg_hdr.msg_iovlen = 2;
	return i;
}

/*
 * A TSO frame from the driver, whole: the kernel cuts it (or a veth peer
 * takes it as it is), as for our merged super-packets. The model has set
 * the lengths and the pseudo-header sum (its tx_gso contract).
 */
static void wire_tx_gso(void *opaque, const void *frame, size_t len,
			const struct uvnic_model_gso *gso)
{
	struct bridge *b = opaque;
	const uint8_t *f = frame;
	unsigned int i = wire_tx_queue(b, frame, len);
	uint8_t type = gso->ipv6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;

	/* CWR: the kernel's GSO keeps it on the first segment only. */
	if (f[gso->l4 + 13] & UVNIC_TCP_CWR)
		type |= VIRTIO_NET_HDR_GSO_ECN;
	b->txvh[i] = (struct virtio_net_hdr){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = type,
		.hdr_len = gso->hdr_len,
		.gso_size = gso->mss,
		.csum_start = gso->l4,
		.csum_offset = 16,
	};
	b->tx_mss = b->tx_last = 0;	/* nothing merges into it */
	b->ws.tx_gso++;
}

static void wire_tx(void *opaque, const void *frame, size_t len)
{
	struct bridge *b = opaque;
	size_t pay;

	if (b->ntx && !b->exact && wire_tx_merge(b, frame, len))
		return;
	wire_tx_queue(b, frame, len);
	pay = tcp_seg(frame, len);
	b->tx_mss = b->tx_last = pay ? (uint16_t)(len - pay) : 0;
}

/* ------------------------------------------------------------------ */
/* Receive: packets from IFACE into RX descriptors                     */
/* ------------------------------------------------------------------ */

static bool fifo_empty(const struct bridge *b)
{
	return b->fifo_head == b->fifo_tail;
}

static void fifo_push(struct bridge *b, const uint8_t *frame, size_t len)
{
	size_t need = 2 + ((len + 1) & ~(size_t)1);
	uint16_t l = (uint16_t)len;

	if (fifo_empty(b))
		b->fifo_head = b->fifo_tail = 0;
	if (FIFO_BYTES - b->fifo_tail < need) {
		b->ws.rx_fifo_full++;
		return;
	}
	memcpy(b->fifo + b->fifo_tail, &l, 2);
	memcpy(b->fifo + b->fifo_tail + 2, frame, len);
	b->fifo_tail += need;
}

static void serve(struct bridge *b)
{
	int rc = uvpci_device_process(b->dev, 0);

	if (rc < 0 && rc != -EINTR)
		fatal(b, rc);
	rc = uvnic_model_error(b->model);
	if (rc)
		fatal(b, rc);
}

/* Whether a frame offered now reaches the model (which may drop it). */
static bool can_deliver(const struct bridge *b)
{
	if (!uvnic_model_rx_enabled(b->model) || uvnic_model_rx_avail(b->model))
		return true;
	return b->hold_since && now_ms() - b->hold_since >= HOLD_MS;
}

static void deliver(struct bridge *b, const uint8_t *frame, size_t len)
{
	int rc;

	if (!fifo_empty(b) || !can_deliver(b) || b->rx_turn >= RX_BUDGET) {
		fifo_push(b, frame, len);
		return;
	}
	b->rx_turn++;
	/* Dropped frames are the model's to count; only its death matters here. */
	uvnic_model_rx(b->model, frame, len);
	rc = uvnic_model_error(b->model);
	if (rc)
		fatal(b, rc);
	b->ws.rx_frames++;
	/* A register read that arrived while the model waited: answer it now. */
	if (uvpci_device_pending(b->dev))
		serve(b);
}

/* Offer what waits in the FIFO, as far as descriptors allow. */
static void fifo_drain(struct bridge *b)
{
	uint16_t len;
	int rc;

	while (!fifo_empty(b) && can_deliver(b) && b->rx_turn < RX_BUDGET) {
		b->rx_turn++;
		memcpy(&len, b->fifo + b->fifo_head, 2);
		uvnic_model_rx(b->model, b->fifo + b->fifo_head + 2, len);
		rc = uvnic_model_error(b->model);
		if (rc)
			fatal(b, rc);
		b->ws.rx_frames++;
		b->fifo_head += 2 + ((len + 1u) & ~1u);
		if (uvpci_device_pending(b->dev))
			serve(b);
	}
}

/*
 * Cut a TCP super-packet (virtio-net GSO) into segments of @mss payload
 * bytes, each with its own IP length, IPv4 id and checksum, TCP sequence
 * number, flags and checksum (uvnic_tso_segment()), and deliver them in
 * order.
 */
static void rx_gso_tcp(struct bridge *b, const uint8_t *p, size_t len,
		       unsigned int mss, bool v6)
{
	struct uvnic_frame_info fi;
	unsigned int i;
	size_t n;

	if (uvnic_frame_parse(p, len, &fi) || fi.proto != UVNIC_IPPROTO_TCP ||
	    fi.ipv6 != v6 || !mss || fi.hdr_len + mss > sizeof(b->seg))
		goto bad;
	b->ws.rx_gso++;
	for (i = 0; (n = uvnic_tso_segment(p, fi.ip_end, &fi, mss, i, b->seg)); i++)
		deliver(b, b->seg, n);
	return;
bad:
	b->ws.rx_bad++;
	if (b->verbose)
		fprintf(stderr, "%s: %s: cannot segment a %zu-byte TCP super-packet: dropped\n",
			PROG, b->ifname, len);
}

/*
 * The VLAN tag the kernel took out of a packet (a veth peer's VLAN device
 * tags in metadata, and the packet socket hands it over apart, in
 * PACKET_AUXDATA): the 4 bytes to put back after the addresses, as on a
 * wire. Returns whether there is one.
 */
static bool rx_vlan_tag(struct msghdr *h, uint8_t tag[4])
{
	struct tpacket_auxdata aux;
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA ||
		    c->cmsg_len < CMSG_LEN(sizeof(aux)))
			continue;
		memcpy(&aux, CMSG_DATA(c), sizeof(aux));
		if (!(aux.tp_status & TP_STATUS_VLAN_VALID))
			return false;
		uvnic_put_be16(tag, aux.tp_status & TP_STATUS_VLAN_TPID_VALID ?
			       aux.tp_vlan_tpid : ETH_P_8021Q);
		uvnic_put_be16(tag + 2, aux.tp_vlan_tci);
		return true;
	}
	return false;
}

/*
 * One packet from the socket: virtio-net header, then the frame, and
 * @tag (4 bytes, or NULL) to insert after its addresses.
 */
static void rx_packet(struct bridge *b, uint8_t *pkt, size_t len,
		      const uint8_t *tag)
{
	struct virtio_net_hdr vh;
	uint8_t *frame = pkt + VNET_LEN;
	size_t flen;
	unsigned int start, off, gso;

	if (len < (size_t)VNET_LEN + ETH_HLEN) {
		b->ws.rx_bad++;
		return;
	}
	memcpy(&vh, pkt, sizeof(vh));
	flen = len - VNET_LEN;
	if (tag) {
		/* Into the header's room (copied out above): the tag in place. */
		memmove(frame - 4, frame, 12);
		frame -= 4;
		memcpy(frame + 12, tag, 4);
		flen += 4;
		vh.csum_start = htole16(le16toh(vh.csum_start) + 4);
	}
	gso = vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	b->ws.rx_packets++;

	if (gso == VIRTIO_NET_HDR_GSO_TCPV4 || gso == VIRTIO_NET_HDR_GSO_TCPV6) {
		rx_gso_tcp(b, frame, flen, le16toh(vh.gso_size),
			   gso == VIRTIO_NET_HDR_GSO_TCPV6);
		return;
	}
	if (gso != VIRTIO_NET_HDR_GSO_NONE) {
		b->ws.rx_bad++;
		if (b->verbose)
			fprintf(stderr, "%s: %s: super-packet of GSO type %u not supported: dropped\n",
				PROG, b->ifname, gso);
		return;
	}
	if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		uint16_t c;

		start = le16toh(vh.csum_start);
		off = le16toh(vh.csum_offset);
		if (start > flen || off + 2 > flen - start) {
			b->ws.rx_bad++;
			return;
		}
		/* The field holds the pseudo-header sum: sum it in. */
		c = uvnic_csum_final(uvnic_csum_sum(frame + start, flen - start));
		uvnic_put_be16(frame + start + off, c ? c : 0xffff);
		b->ws.rx_csum++;
	}
	deliver(b, frame, flen);
}

/* Read up to @max packets (at least 1) and deliver them. */
static void rx_read(struct bridge *b, unsigned int max)
{
	unsigned int i;
	int n;

	if (max > RX_BATCH)
		max = RX_BATCH;
	if (!max)
		max = 1;
	for (i = 0; i < max; i++) {
		b->rxmsg[i].msg_hdr.msg_name = &b->rxaddr[i];
		b->rxmsg[i].msg_hdr.msg_namelen = sizeof(b->rxaddr[i]);
		b->rxmsg[i].msg_hdr.msg_control = b->rxctl[i].buf;
		b->rxmsg[i].msg_hdr.msg_controllen = sizeof(b->rxctl[i].buf);
		b->rxmsg[i].msg_hdr.msg_flags = 0;
	}
	n = recvmmsg(b->sock, b->rxmsg, max, MSG_DONTWAIT, NULL);
	if (n < 0) {
		b->sock_more = false;
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (errno == EINVAL) {
			/* The kernel could not describe a packet (e.g. UDP GSO): it is gone. */
			b->ws.rx_bad++;
			b->sock_more = true;
			return;
		}
		if (errno == ENETDOWN || errno == ENXIO || errno == ENODEV) {
			if (!if_indextoname(b->ifindex, (char[IF_NAMESIZE]){ 0 }))
				uvnic_die("%s: interface removed", b->ifname);
			return;		/* went down: it may come back up */
		}
		uvnic_die("%s: receiving: %s", b->ifname, strerror(errno));
	}
	b->sock_more = (unsigned int)n == max;
	for (i = 0; i < (unsigned int)n; i++) {
		struct msghdr *h = &b->rxmsg[i].msg_hdr;
		uint8_t tag[4];

		if (b->rxaddr[i].sll_pkttype == PACKET_OUTGOING)
			continue;
		if (h->msg_flags & MSG_TRUNC) {
			b->ws.rx_bad++;
			continue;
		}
		rx_packet(b, h->msg_iov->iov_base, b->rxmsg[i].msg_len,
			  rx_vlan_tag(h, tag) ? tag : NULL);
	}
}

/* ------------------------------------------------------------------ */
/* Setup                                                               */
/* ------------------------------------------------------------------ */

static void setopt(struct bridge *b, int level, int name, int val,
		   const char *what, bool required)
{
	if (!setsockopt(b->sock, level, name, &val, sizeof(val)))
		return;
	if (required)
		uvnic_die("%s: %s: %s", b->ifname, what, strerror(errno));
	if (b->verbose)
		fprintf(stderr, "%s: %s: %s: %s (going on)\n", PROG, b->ifname,
			what, strerror(errno));
}

static void open_wire(struct bridge *b)
{
	struct sockaddr_ll sll = { 0 };
	struct packet_mreq mr = { 0 };
	unsigned int i;

	b->ifindex = (int)if_nametoindex(b->ifname);
	if (!b->ifindex)
		uvnic_die("%s: no such network interface", b->ifname);
	b->sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (b->sock < 0)
		uvnic_die("cannot open a packet socket: %s%s", strerror(errno),
			  errno == EPERM ? " (needs CAP_NET_RAW: run as root)" : "");
	setopt(b, SOL_PACKET, PACKET_VNET_HDR, 1, "PACKET_VNET_HDR", true);
	setopt(b, SOL_PACKET, PACKET_AUXDATA, 1, "PACKET_AUXDATA", true);
	setopt(b, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING", false);
	setopt(b, SOL_PACKET, PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS", false);
	if (setsockopt(b->sock, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ SOCK_BUF }, sizeof(int)))
		setopt(b, SOL_SOCKET, SO_RCVBUF, SOCK_BUF, "SO_RCVBUF", false);
	if (setsockopt(b->sock, SOL_SOCKET, SO_SNDBUFFORCE, &(int){ SOCK_BUF / 2 }, sizeof(int)))
		setopt(b, SOL_SOCKET, SO_SNDBUF, SOCK_BUF / 2, "SO_SNDBUF", false);
	/* A full IFACE must not stall the device: give up on a frame after 100 ms. */
	if (setsockopt(b->sock, SOL_SOCKET, SO_SNDTIMEO,
		       &(struct timeval){ .tv_usec = 100000 }, sizeof(struct timeval)))
		uvnic_die("%s: SO_SNDTIMEO: %s", b->ifname, strerror(errno));

	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = b->ifindex;
	if (bind(b->sock, (struct sockaddr *)&sll, sizeof(sll)))
		uvnic_die("%s: cannot bind a packet socket: %s", b->ifname, strerror(errno));
	/* Frames for the uvNIC's MAC are not for IFACE's: take them all. */
	mr.mr_ifindex = b->ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(b->sock, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)))
		uvnic_die("%s: cannot make it promiscuous: %s", b->ifname, strerror(errno));

	b->rxbuf = malloc((size_t)RX_BATCH * (VNET_LEN + PKT_MAX));
	b->coal = malloc(TX_COAL);
	b->fifo = malloc(FIFO_BYTES);
	if (!b->rxbuf || !b->fifo || !b->coal)
		uvnic_die("out of memory");
	for (i = 0; i < RX_BATCH; i++) {
		b->rxiov[i].iov_base = b->rxbuf + (size_t)i * (VNET_LEN + PKT_MAX);
		b->rxiov[i].iov_len = VNET_LEN + PKT_MAX;
		b->rxmsg[i].msg_hdr.msg_iov = &b->rxiov[i];
		b->rxmsg[i].msg_hdr.msg_iovlen = 1;
	}
}

static void parse_mac(const char *s, uint8_t mac[6])
{
	int rc = uvnic_wire_parse_mac(s, mac);

	if (rc == -EINVAL)
		uvnic_usage_die("invalid --mac '%s': use six hex bytes XX:XX:XX:XX:XX:XX", s);
	if (rc && (mac[0] & 1))
		uvnic_usage_die("invalid --mac '%s': a multicast address", s);
	if (rc)
		uvnic_usage_die("invalid --mac '%s': all zeros", s);
}

static void print_counters(struct bridge *b)
{
	struct uvnic_model_counters c;
	struct tpacket_stats ps;
	socklen_t len = sizeof(ps);

	if (!getsockopt(b->sock, SOL_PACKET, PACKET_STATISTICS, &ps, &len))
		b->ws.sock_drops += ps.tp_drops;
	uvnic_model_counters(b->model, &c);
	printf("%s <-> %s\n", b->dev_name, b->ifname);
	printf("rx_packets: %" PRIu64 "\n", c.rx_packets);
	printf("rx_bytes: %" PRIu64 "\n", c.rx_bytes);
	printf("tx_packets: %" PRIu64 "\n", c.tx_packets);
	printf("tx_bytes: %" PRIu64 "\n", c.tx_bytes);
	printf("rx_no_desc: %" PRIu64 "\n", c.rx_no_desc);
	printf("rx_errors: %" PRIu64 "\n", c.rx_errors);
	printf("tx_errors: %" PRIu64 "\n", c.tx_errors);
	printf("dma_errors: %" PRIu64 "\n", c.dma_errors);
	printf("ring_errors: %" PRIu64 "\n", c.ring_errors);
	printf("rx_down: %" PRIu64 "\n", c.rx_down);
	printf("msi: %" PRIu64 "\n", c.msi);
	printf("mmio_reads: %" PRIu64 "\n", c.mmio_reads);
	printf("mmio_writes: %" PRIu64 "\n", c.mmio_writes);
	printf("tx_doorbells: %" PRIu64 "\n", c.tx_doorbells);
	printf("tx_batches: %" PRIu64 "\n", c.tx_batches);
	printf("rx_batches: %" PRIu64 "\n", c.rx_batches);
	printf("resets: %" PRIu64 "\n", c.resets);
	printf("tx_tso: %" PRIu64 "\n", c.tx_tso);
	printf("tx_csum: %" PRIu64 "\n", c.tx_csum);
	printf("tx_offload_errors: %" PRIu64 "\n", c.tx_offload_errors);
	printf("wire_rx_packets: %" PRIu64 "\n", b->ws.rx_packets);
	printf("wire_rx_segmented: %" PRIu64 "\n", b->ws.rx_gso);
	printf("wire_rx_checksummed: %" PRIu64 "\n", b->ws.rx_csum);
	printf("wire_rx_frames: %" PRIu64 "\n", b->ws.rx_frames);
	printf("wire_rx_bad: %" PRIu64 "\n", b->ws.rx_bad);
	printf("wire_rx_fifo_full: %" PRIu64 "\n", b->ws.rx_fifo_full);
	printf("wire_rx_sock_drops: %" PRIu64 "\n", b->ws.sock_drops);
	printf("wire_tx_frames: %" PRIu64 "\n", b->ws.tx_frames);
	printf("wire_tx_merged: %" PRIu64 "\n", b->ws.tx_merged);
	printf("wire_tx_gso: %" PRIu64 "\n", b->ws.tx_gso);
	printf("wire_tx_errors: %" PRIu64 "\n", b->ws.tx_errors);
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */
/* ------------------------------------------------------------------ */

static void run(struct bridge *b, int sigfd)
{
	struct pollfd pfd[3];

	for (;;) {
		bool hold, want_sock;
		int timeout = -1, rc;

		/* Holding: frames wait, in the socket or the FIFO, for a descriptor. */
		hold = uvnic_model_rx_enabled(b->model) &&
		       !uvnic_model_rx_avail(b->model) &&
		       (!fifo_empty(b) || b->sock_more);
		if (!hold)
			b->hold_since = 0;
		else if (!b->hold_since)
			b->hold_since = now_ms();
		want_sock = fifo_empty(b) && can_deliver(b);
		if (hold && !can_deliver(b))
			timeout = (int)(b->hold_since + HOLD_MS - now_ms()) + 1;
		if (uvpci_device_pending(b->dev) || uvnic_model_tx_pending(b->model) ||
		    (!fifo_empty(b) && can_deliver(b)) || (want_sock && b->sock_more))
			timeout = 0;	/* work left over: look, do not wait */

		pfd[0] = (struct pollfd){ .fd = uvpci_device_fd(b->dev), .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = want_sock ? b->sock : -1, .events = POLLIN };
		rc = poll(pfd, 3, timeout);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			uvnic_die("poll: %s", strerror(errno));
		}
		if (pfd[1].revents)
			return;

		/* 1. registers: the host may be spinning on a read */
		serve(b);
		/* 2. transmit */
		rc = uvnic_model_tx_work(b->model, TX_BUDGET);
		if (rc < 0)
			fatal(b, rc);
		/* Register accesses that arrived while it waited for DMA data. */
		if (uvpci_device_pending(b->dev))
			serve(b);
		/* 3. receive, a bounded number of frames per turn */
		b->rx_turn = 0;
		if (!fifo_empty(b))
			fifo_drain(b);
		if (fifo_empty(b) && can_deliver(b) &&
		    (pfd[2].revents || b->sock_more)) {
			if (pfd[2].revents & POLLERR) {
				int err = 0;

				getsockopt(b->sock, SOL_SOCKET, SO_ERROR, &err,
					   &(socklen_t){ sizeof(err) });
				if (!if_indextoname(b->ifindex, (char[IF_NAMESIZE]){ 0 }))
					uvnic_die("%s: interface removed", b->ifname);
			}
			rx_read(b, uvnic_model_rx_avail(b->model));
		}
		rc = uvnic_model_rx_flush(b->model);
		if (rc < 0)
			fatal(b, rc);
	}
}

/* Lower the link and let the driver see it before the model goes away. */
static void shutdown_link(struct bridge *b)
{
	uint64_t seen = uvnic_model_status_reads(b->model);
	bool told = uvnic_model_mmio_read(b->model, 0, UVNIC_REG_IMR, 4) &
		    UVNIC_INT_LINK;
	int64_t end = now_ms() + LINK_DOWN_WAIT_MS;
	int rc;

	rc = uvnic_model_set_link(b->model, false);
	if (rc)
		fatal(b, rc);
	while (told && uvnic_model_status_reads(b->model) == seen &&
	       now_ms() < end) {
		rc = uvpci_device_process(b->dev, 50);
		if (rc < 0 && rc != -EINTR)
			fatal(b, rc);
	}
	/* Answer what follows the STATUS read (the driver's ICR ack...). */
	while (told && (rc = uvpci_device_process(b->dev, 20)) > 0)
		;
}

/* --coverage: the model serves the access, the register file counts it. */
static uint64_t cov_read(void *opaque, unsigned int bar, uint64_t offset, unsigned int size)
{
	struct bridge *b = opaque;
	uint64_t v = uvnic_model_mmio_read(b->model, bar, offset, size);

	uvregfile_count(b->cov, bar, offset, size, false, v);
	return v;
}

static void cov_write(void *opaque, unsigned int bar, uint64_t offset, unsigned int size,
		      uint64_t value)
{
	struct bridge *b = opaque;

	uvnic_model_mmio_write(b->model, bar, offset, size, value);
	uvregfile_count(b->cov, bar, offset, size, true, value);
}

static void cov_cfg_write(void *opaque, unsigned int offset, unsigned int size, uint32_t value)
{
	struct bridge *b = opaque;

	uvnic_model_device_ops.cfg_write(b->model, offset, size, value);
}

/* --map FILE --coverage FILE: the uvNIC's map, a counting register file. */
static void cov_open(struct bridge *b, const char *map_path)
{
	b->map = uvpci_cli_map(map_path);
	if (strcmp(b->map->prefix, "UVNIC") || b->map->bar_size[0] != UVNIC_BAR0_SIZE)
		uvnic_die("--map %s: not the uvNIC's register map (device UVNIC, BAR0 of %u bytes)",
			  map_path, UVNIC_BAR0_SIZE);
	b->cov = uvregfile_new(b->map);
	if (!b->cov)
		uvnic_die("out of memory");
	/* The model's ops, so that whatever they gain stays; two wrapped. */
	b->cov_ops = uvnic_model_device_ops;
	b->cov_ops.mmio_read = cov_read;
	b->cov_ops.mmio_write = cov_write;
	if (b->cov_ops.cfg_write)
		b->cov_ops.cfg_write = cov_cfg_write;
}

/* Write the counts to @path (NULL: none), free the map and counts. */
static void cov_save(struct bridge *b, const char *path)
{
	FILE *f = path ? fopen(path, "w") : NULL;

	if (path && (!f || uvregfile_coverage(b->cov, f) || fclose(f)))
		uvnic_die_err(errno, UVNIC_CTX_NONE, "--coverage %s", path);
	uvregfile_free(b->cov);
	uvregmap_free(b->map);
}

int main(int argc, char **argv)
{
	struct arg_lit *quiet = arg_lit0("q", "quiet", "do not print the counters on exit");
	struct arg_lit *verbose = arg_lit0("v", "verbose",
					   "log bad descriptors and refused frames to stderr");
	struct arg_lit *exact = arg_lit0(NULL, "exact-frames",
					 "send each frame as the driver built it: no TCP super-packets on IFACE");
	struct arg_str *cpu = arg_str0(NULL, "cpu", "N|auto|here|any",
				       "run on CPU N only; auto (default): an isolated CPU if the kernel has one, else here; here: the CPU it starts on; any: anywhere");
	struct arg_str *mac = arg_str0(NULL, "mac", "XX:XX:XX:XX:XX:XX",
				       "station address (default: derived from DEV, locally administered)");
	struct arg_str *mapf = arg_str0(NULL, "map", "FILE",
					"the uvNIC's register map (uvnic.regmap, uvregmap(5)), for --coverage");
	struct arg_str *covf = arg_str0(NULL, "coverage", "FILE",
					"on exit, write to FILE which registers and fields the host read or wrote (for uvregmap coverage); needs --map");
	struct arg_str *dev = arg_str1(NULL, NULL, "DEV", "uvPCI device (channel) to serve as the uvNIC");
	struct arg_str *iface = arg_str1(NULL, NULL, "IFACE",
					 "network interface that is the wire (e.g. one end of a veth pair)");
	struct arg_end *end = arg_end(5);
	void *table[] = { quiet, verbose, exact, cpu, mac, mapf, covf, dev, iface, end };
	const struct uvnic_cli_syntax syntax[] = {
		{ NULL, NULL, table, ARRAY_SIZE(table) },
	};
	const struct uvnic_cli cli = {
		.prog = PROG,
		.purpose = "Run the uvNIC reference NIC behind uvPCI device DEV: serve its registers,\n"
			   "move frames between the driver's descriptor rings and IFACE (AF_PACKET),\n"
			   "fire its MSIs. Raises the link at start and lowers it on SIGINT/SIGTERM,\n"
			   "then prints the counters to stdout and exits 0.",
		.epilog = "Exit status: 0 after SIGINT/SIGTERM, 1 on an error (one line on stderr),\n"
			  "e.g. when DEV is destroyed under it. See uvnic-bridge(8) and uvnic(4).",
		.syntax = syntax,
		.nsyntax = ARRAY_SIZE(syntax),
	};
	struct uvnic_model_config cfg = { 0 };
	struct uvpci_params params;
	struct bridge *b;
	sigset_t sigs;
	int sigfd, rc;

	uvnic_cli_parse(&cli, argc, argv);
	b = calloc(1, sizeof(*b));
	if (!b)
		uvnic_die("out of memory");
	b->dev_name = uvnic_cli_name(dev->sval[0]);
	b->ifname = iface->sval[0];
	b->verbose = verbose->count > 0;
	b->exact = exact->count > 0;
	if (strlen(b->ifname) >= IF_NAMESIZE || !*b->ifname)
		uvnic_usage_die("invalid IFACE '%s': 1 to %d characters", b->ifname,
				IF_NAMESIZE - 1);
	if (covf->count && !mapf->count)
		uvnic_usage_die("--coverage needs --map (the uvNIC's register map, uvnic.regmap)");
	if (mapf->count)
		cov_open(b, mapf->sval[0]);
	uvpci_cli_pin_cpu(cpu->count ? cpu->sval[0] : NULL);
	if (mac->count)
		parse_mac(mac->sval[0], cfg.mac);
	else
		uvnic_wire_default_mac(b->dev_name, cfg.mac);

	/* Signals arrive through the loop, never in the middle of a request. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		uvnic_die("signalfd: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);

	open_wire(b);
	b->dev = uvpci_cli_device_open(b->dev_name, UVPCI_OPEN_MODEL);
	uvpci_device_params(b->dev, &params);
	if (params.bar[0].size < UVNIC_BAR0_SIZE)
		uvnic_die("%s: not a uvNIC: BAR0 is %" PRIu64 " bytes, it needs %u (create it with --bar 0:%u)",
			  b->dev_name, (uint64_t)params.bar[0].size, UVNIC_BAR0_SIZE,
			  UVNIC_BAR0_SIZE);
	if (params.msi_count < UVNIC_MSI_COUNT)
		uvnic_die("%s: not a uvNIC: %u MSI vectors, it needs %u (create it with --msi %u)",
			  b->dev_name, params.msi_count, UVNIC_MSI_COUNT, UVNIC_MSI_COUNT);

	cfg.tx = wire_tx;
	/* --exact-frames: the model cuts TSO frames, IFACE sees every segment. */
	cfg.tx_gso = b->exact ? NULL : wire_tx_gso;
	cfg.tx_flush = wire_tx_flush;
	cfg.log = model_log;
	cfg.opaque = b;
	rc = uvnic_model_new(b->dev, &cfg, &b->model);
	if (rc)
		uvnic_die_err(rc, UVNIC_CTX_NONE, "%s: device model", b->dev_name);
	if (b->cov)
		uvpci_device_set_ops(b->dev, &b->cov_ops, b);
	else
		uvpci_device_set_ops(b->dev, &uvnic_model_device_ops, b->model);
	if (b->verbose)
		fprintf(stderr, "%s: %s: attached, MAC %02x:%02x:%02x:%02x:%02x:%02x, wire %s\n",
			PROG, b->dev_name, cfg.mac[0], cfg.mac[1], cfg.mac[2],
			cfg.mac[3], cfg.mac[4], cfg.mac[5], b->ifname);

	rc = uvnic_model_set_link(b->model, true);
	if (rc)
		fatal(b, rc);
	run(b, sigfd);

	shutdown_link(b);
	if (!quiet->count)
		print_counters(b);
	if (b->cov)
		cov_save(b, covf->count ? covf->sval[0] : NULL);
	uvnic_model_free(b->model);
	uvpci_device_close(b->dev);
	close(b->sock);
	close(sigfd);
	free(b->rxbuf);
	free(b->coal);
	free(b->fifo);
	free(b);
	uvnic_cli_free(&cli);
	return 0;
}
