/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uvnic-wire.h - a device model's wire: an AF_PACKET socket bound to a
 * network interface (one end of a veth pair, a tap...), as a NIC's cable.
 * Shared by the device models' bridges (uvnic-bridge, uvpci-e1000).
 *
 * The socket carries a virtio-net header (PACKET_VNET_HDR) because the
 * kernel hands a packet socket what the peer sent as it was: a TCP
 * super-packet of up to 64 KiB from a peer with TSO, and checksums left
 * for "the hardware" from a peer with checksum offload. A NIC on a wire
 * sees neither, so uvnic_wire_recv() finishes checksums and cuts TCP
 * super-packets into segments, as the peer's hardware would, and puts back
 * the VLAN tag that the kernel hands over apart (PACKET_AUXDATA).
 *
 * Conventions as in libuvnic.h: 0 (or a count) or -errno; never prints.
 */
#ifndef UVNIC_WIRE_H
#define UVNIC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct uvnic_wire;

/* The largest frame uvnic_wire_recv() delivers (a segment it cut). */
#define UVNIC_WIRE_FRAME_MAX	9216

/** struct uvnic_wire_stats - what the wire did, since uvnic_wire_open(). */
struct uvnic_wire_stats {
	uint64_t rx_packets;	/* packets read from the interface */
	uint64_t rx_gso;	/* of which super-packets, cut into segments */
	uint64_t rx_csum;	/* checksums completed */
	uint64_t rx_bad;	/* packets dropped: malformed or unsupported */
	uint64_t sock_drops;	/* packets the kernel dropped: socket buffer full */
};

/**
 * enum uvnic_wire_step - what uvnic_wire_open() was doing when it failed,
 * for the caller's message.
 */
enum uvnic_wire_step {
	UVNIC_WIRE_STEP_IFACE,	/* no such interface (-ENODEV) */
	UVNIC_WIRE_STEP_SOCKET,	/* socket(AF_PACKET) (-EPERM: needs CAP_NET_RAW) */
	UVNIC_WIRE_STEP_OPTION,	/* a socket option it needs */
	UVNIC_WIRE_STEP_BIND,	/* bind() to the interface */
	UVNIC_WIRE_STEP_PROMISC, /* PACKET_MR_PROMISC */
};

/**
 * uvnic_wire_open() - open the wire on interface @ifname: a packet socket
 * with PACKET_VNET_HDR and PACKET_AUXDATA, large buffers, a 100 ms send
 * timeout (a full interface never stalls the device), bound to @ifname
 * and promiscuous (frames for the model's MAC are not the interface's).
 * @step: set to the failing step on error (may be NULL)
 * @return 0 and *@wp set, or -errno (-ENODEV no such interface, -EINVAL a
 *         bad name, -ENOMEM, or the failing call's errno)
 */
int uvnic_wire_open(const char *ifname, struct uvnic_wire **wp,
		    enum uvnic_wire_step *step);

/** uvnic_wire_close() - close and free; @w may be NULL. */
void uvnic_wire_close(struct uvnic_wire *w);

/** uvnic_wire_fd() - the socket, to poll() for POLLIN (and to send on). */
int uvnic_wire_fd(const struct uvnic_wire *w);

/** uvnic_wire_ifindex() - the interface's index. */
int uvnic_wire_ifindex(const struct uvnic_wire *w);

/** uvnic_wire_deliver_fn - a frame from the wire, as it would be on a cable. */
typedef void (*uvnic_wire_deliver_fn)(void *opaque, const uint8_t *frame,
				      size_t len);

/**
 * uvnic_wire_recv() - read up to @max packets (1 if @max is 0; at most 32)
 * without waiting, and hand each frame to @deliver: super-packets cut into
 * segments, checksums completed, the VLAN tag put back. Frames the
 * interface sent itself are skipped.
 * @return the packets read (0: none waiting, or the interface is down),
 *         or -errno: -ENODEV the interface was removed, another from
 *         recvmmsg(2)
 */
int uvnic_wire_recv(struct uvnic_wire *w, unsigned int max,
		    uvnic_wire_deliver_fn deliver, void *opaque);

/** uvnic_wire_more() - whether the last uvnic_wire_recv() filled its batch. */
bool uvnic_wire_more(const struct uvnic_wire *w);

/**
 * uvnic_wire_send() - send one frame as it is (no offload asked of the
 * kernel). @return 0, or -errno from sendmsg(2) (the frame is lost).
 */
int uvnic_wire_send(struct uvnic_wire *w, const void *frame, size_t len);

/** uvnic_wire_stats() - the counters; reads the socket's drop count too. */
void uvnic_wire_stats(struct uvnic_wire *w, struct uvnic_wire_stats *st);

/**
 * uvnic_wire_parse_mac() - a station address "XX:XX:XX:XX:XX:XX" into @mac.
 * @return 0, -EINVAL (not six hex bytes), -EADDRNOTAVAIL (multicast or
 *         all zeros: not a station address)
 */
int uvnic_wire_parse_mac(const char *s, uint8_t mac[6]);

/**
 * uvnic_wire_default_mac() - a station address for a device named @name:
 * 02:75:76 ("uv", locally administered) and 24 bits of FNV-1a of @name,
 * so that the same name always gets the same address.
 */
void uvnic_wire_default_mac(const char *name, uint8_t mac[6]);

#ifdef __cplusplus
}
#endif

#endif /* UVNIC_WIRE_H */
