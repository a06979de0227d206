// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * uvnic-wire.c - a device model's wire: an AF_PACKET socket on a network
 * interface (see uvnic-wire.h). Moved out of uvnic-bridge so that every
 * model's bridge shares it.
 */
#include <endian.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "uvnic-offload.h"
#include "uvnic-wire.h"

#define RX_BATCH	32		/* packets per recvmmsg() */
#define PKT_MAX		65536		/* the largest packet the socket hands us */
#define VNET_LEN	((int)sizeof(struct virtio_net_hdr))
#define SOCK_BUF	(8 << 20)

struct uvnic_wire {
	int sock;
	int ifindex;
	bool more;
	struct uvnic_wire_stats st;
	uvnic_wire_deliver_fn deliver;
	void *opaque;
	struct mmsghdr rxmsg[RX_BATCH];
	struct iovec rxiov[RX_BATCH];
	struct sockaddr_ll rxaddr[RX_BATCH];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} rxctl[RX_BATCH];		/* PACKET_AUXDATA: the VLAN tag */
	uint8_t *rxbuf;			/* RX_BATCH * (VNET_LEN + PKT_MAX) */
	uint8_t seg[UVNIC_WIRE_FRAME_MAX];	/* one segment being built */
};

static int setopt(int sock, int level, int name, int val, bool required)
{
	if (!setsockopt(sock, level, name, &val, sizeof(val)) || !required)
		return 0;
	return -errno;
}

int uvnic_wire_open(const char *ifname, struct uvnic_wire **wp,
		    enum uvnic_wire_step *step)
{
	enum uvnic_wire_step dummy;
	struct sockaddr_ll sll = { 0 };
	struct packet_mreq mr = { 0 };
	struct uvnic_wire *w;
	unsigned int i;
	int rc;

	if (!step)
		step = &dummy;
	*step = UVNIC_WIRE_STEP_IFACE;
	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->sock = -1;
	w->rxbuf = malloc((size_t)RX_BATCH * (VNET_LEN + PKT_MAX));
	if (!w->rxbuf) {
		rc = -ENOMEM;
		goto fail;
	}
	w->ifindex = (int)if_nametoindex(ifname);
	if (!w->ifindex) {
		rc = -ENODEV;
		goto fail;
	}
	*step = UVNIC_WIRE_STEP_SOCKET;
	w->sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (w->sock < 0) {
		rc = -errno;
		goto fail;
	}
	*step = UVNIC_WIRE_STEP_OPTION;
	rc = setopt(w->sock, SOL_PACKET, PACKET_VNET_HDR, 1, true);
	if (!rc)
		rc = setopt(w->sock, SOL_PACKET, PACKET_AUXDATA, 1, true);
	if (rc)
		goto fail;
	setopt(w->sock, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1, false);
	setopt(w->sock, SOL_PACKET, PACKET_QDISC_BYPASS, 1, false);
	if (setsockopt(w->sock, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ SOCK_BUF }, sizeof(int)))
		setopt(w->sock, SOL_SOCKET, SO_RCVBUF, SOCK_BUF, false);
	if (setsockopt(w->sock, SOL_SOCKET, SO_SNDBUFFORCE, &(int){ SOCK_BUF / 2 }, sizeof(int)))
		setopt(w->sock, SOL_SOCKET, SO_SNDBUF, SOCK_BUF / 2, false);
	/* A full interface must not stall the device: give up on a frame after 100 ms. */
	if (setsockopt(w->sock, SOL_SOCKET, SO_SNDTIMEO,
		       &(struct timeval){ .tv_usec = 100000 }, sizeof(struct timeval))) {
		rc = -errno;
		goto fail;
	}
	*step = UVNIC_WIRE_STEP_BIND;
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = w->ifindex;
	if (bind(w->sock, (struct sockaddr *)&sll, sizeof(sll))) {
		rc = -errno;
		goto fail;
	}
	/* Frames for the model's MAC are not for the interface's: take them all. */
	*step = UVNIC_WIRE_STEP_PROMISC;
	mr.mr_ifindex = w->ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(w->sock, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr))) {
		rc = -errno;
		goto fail;
	}
	for (i = 0; i < RX_BATCH; i++) {
		w->rxiov[i].iov_base = w->rxbuf + (size_t)i * (VNET_LEN + PKT_MAX);
		w->rxiov[i].iov_len = VNET_LEN + PKT_MAX;
		w->rxmsg[i].msg_hdr.msg_iov = &w->rxiov[i];
		w->rxmsg[i].msg_hdr.msg_iovlen = 1;
	}
	*wp = w;
	return 0;
fail:
	uvnic_wire_close(w);
	return rc;
}

void uvnic_wire_close(struct uvnic_wire *w)
{
	if (!w)
		return;
	if (w->sock >= 0)
		close(w->sock);
	free(w->rxbuf);
	free(w);
}

int uvnic_wire_fd(const struct uvnic_wire *w)
{
	return w->sock;
}

int uvnic_wire_ifindex(const struct uvnic_wire *w)
{
	return w->ifindex;
}

bool uvnic_wire_more(const struct uvnic_wire *w)
{
	return w->more;
}

/*
 * Cut a TCP super-packet (virtio-net GSO) into segments of @mss payload
 * bytes, each with its own IP length, IPv4 id and checksum, TCP sequence
 * number, flags and checksum (uvnic_tso_segment()), delivered in order.
 */
static void rx_gso_tcp(struct uvnic_wire *w, const uint8_t *p, size_t len,
		       unsigned int mss, bool v6)
{
	struct uvnic_frame_info fi;
	unsigned int i;
	size_t n;

	if (uvnic_frame_parse(p, len, &fi) || fi.proto != UVNIC_IPPROTO_TCP ||
	    fi.ipv6 != v6 || !mss || fi.hdr_len + mss > sizeof(w->seg)) {
		w->st.rx_bad++;
		return;
	}
	w->st.rx_gso++;
	for (i = 0; (n = uvnic_tso_segment(p, fi.ip_end, &fi, mss, i, w->seg)); i++)
		w->deliver(w->opaque, w->seg, n);
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
static void rx_packet(struct uvnic_wire *w, uint8_t *pkt, size_t len,
		      const uint8_t *tag)
{
	struct virtio_net_hdr vh;
	uint8_t *frame = pkt + VNET_LEN;
	size_t flen;
	unsigned int start, off, gso;

	if (len < (size_t)VNET_LEN + ETH_HLEN) {
		w->st.rx_bad++;
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
	w->st.rx_packets++;

	if (gso == VIRTIO_NET_HDR_GSO_TCPV4 || gso == VIRTIO_NET_HDR_GSO_TCPV6) {
		rx_gso_tcp(w, frame, flen, le16toh(vh.gso_size),
			   gso == VIRTIO_NET_HDR_GSO_TCPV6);
		return;
	}
	if (gso != VIRTIO_NET_HDR_GSO_NONE) {
		w->st.rx_bad++;
		return;
	}
	if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		uint16_t c;

		start = le16toh(vh.csum_start);
		off = le16toh(vh.csum_offset);
		if (start > flen || off + 2 > flen - start) {
			w->st.rx_bad++;
			return;
		}
		/* The field holds the pseudo-header sum: sum it in. */
		c = uvnic_csum_final(uvnic_csum_sum(frame + start, flen - start));
		uvnic_put_be16(frame + start + off, c ? c : 0xffff);
		w->st.rx_csum++;
	}
	w->deliver(w->opaque, frame, flen);
}

int uvnic_wire_recv(struct uvnic_wire *w, unsigned int max,
		    uvnic_wire_deliver_fn deliver, void *opaque)
{
	unsigned int i;
	int n;

	if (max > RX_BATCH)
		max = RX_BATCH;
	if (!max)
		max = 1;
	w->deliver = deliver;
	w->opaque = opaque;
	for (i = 0; i < max; i++) {
		w->rxmsg[i].msg_hdr.msg_name = &w->rxaddr[i];
		w->rxmsg[i].msg_hdr.msg_namelen = sizeof(w->rxaddr[i]);
		w->rxmsg[i].msg_hdr.msg_control = w->rxctl[i].buf;
		w->rxmsg[i].msg_hdr.msg_controllen = sizeof(w->rxctl[i].buf);
		w->rxmsg[i].msg_hdr.msg_flags = 0;
	}
	n = recvmmsg(w->sock, w->rxmsg, max, MSG_DONTWAIT, NULL);
	if (n < 0) {
		w->more = false;
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		if (errno == EINVAL) {
			/* The kernel could not describe a packet (e.g. UDP GSO): it is gone. */
			w->st.rx_bad++;
			w->more = true;
			return 0;
		}
		if (errno == ENETDOWN || errno == ENXIO || errno == ENODEV) {
			if (!if_indextoname((unsigned int)w->ifindex, (char[IF_NAMESIZE]){ 0 }))
				return -ENODEV;
			return 0;	/* went down: it may come back up */
		}
		return -errno;
	}
	w->more = (unsigned int)n == max;
	for (i = 0; i < (unsigned int)n; i++) {
		struct msghdr *h = &w->rxmsg[i].msg_hdr;
		uint8_t tag[4];

		if (w->rxaddr[i].sll_pkttype == PACKET_OUTGOING)
			continue;
		if (h->msg_flags & MSG_TRUNC) {
			w->st.rx_bad++;
			continue;
		}
		rx_packet(w, h->msg_iov->iov_base, w->rxmsg[i].msg_len,
			  rx_vlan_tag(h, tag) ? tag : NULL);
	}
	return n;
}

int uvnic_wire_send(struct uvnic_wire *w, const void *frame, size_t len)
{
	static const struct virtio_net_hdr none;
	struct iovec iov[2] = {
		{ .iov_base = (void *)&none, .iov_len = VNET_LEN },
		{ .iov_base = (void *)frame, .iov_len = len },
	};
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

	for (;;) {
		if (sendmsg(w->sock, &m, 0) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

void uvnic_wire_stats(struct uvnic_wire *w, struct uvnic_wire_stats *st)
{
	struct tpacket_stats ps;
	socklen_t len = sizeof(ps);

	if (!getsockopt(w->sock, SOL_PACKET, PACKET_STATISTICS, &ps, &len))
		w->st.sock_drops += ps.tp_drops;
	*st = w->st;
}

int uvnic_wire_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int v[6];
	int n = -1, i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &n) != 6 || n < 0 || s[n] || strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	if ((mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return -EADDRNOTAVAIL;
	return 0;
}

void uvnic_wire_default_mac(const char *name, uint8_t mac[6])
{
	uint32_t h = 2166136261u;

	for (; *name; name++) {
		h ^= (uint8_t)*name;
		h *= 16777619u;
	}
	mac[0] = 0x02;
	mac[1] = 0x75;
	mac[2] = 0x76;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}
