/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uvnic-offload.h - what a NIC does to a frame's headers, in libuvnic:
 * find the L3/L4 headers, compute Internet checksums, cut a TCP
 * super-packet into segments. The uvNIC model uses it for its TX offloads
 * (uvnic(4): DESC_CSUM, DESC_TSO), uvnic-bridge for the super-packets and
 * unfinished checksums a packet socket hands it.
 *
 * Frames are Ethernet, at most one 802.1Q tag, then IPv4 (no fragment) or
 * IPv6 with TCP or UDP as its next header (no extension headers). Pure
 * functions on caller buffers: no allocation, no I/O.
 */
#ifndef UVNIC_OFFLOAD_H
#define UVNIC_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UVNIC_ETH_HLEN		14
#define UVNIC_ETH_P_IP		0x0800
#define UVNIC_ETH_P_IPV6	0x86dd
#define UVNIC_ETH_P_8021Q	0x8100
#define UVNIC_IPPROTO_TCP	6
#define UVNIC_IPPROTO_UDP	17

/* TCP flags (byte 13 of the header) */
#define UVNIC_TCP_FIN		0x01
#define UVNIC_TCP_PSH		0x08
#define UVNIC_TCP_CWR		0x80

/**
 * struct uvnic_frame_info - where a frame's headers are.
 * @l3:      offset of the IP header
 * @l4:      offset of the TCP/UDP header (csum_start)
 * @hdr_len: offset of the L4 payload (all headers)
 * @ip_end:  end of the IP packet as its header says (IPv4 total length,
 *           IPv6 payload length), when that is from @hdr_len to the
 *           frame's length; else the frame's length. What follows it is
 *           Ethernet padding, in no checksum nor segment.
 * @proto:   UVNIC_IPPROTO_TCP or UVNIC_IPPROTO_UDP
 * @ipv6:    IPv6, else IPv4
 */
struct uvnic_frame_info {
	uint16_t l3;
	uint16_t l4;
	uint16_t hdr_len;
	uint32_t ip_end;
	uint8_t proto;
	bool ipv6;
};

static inline uint16_t uvnic_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t uvnic_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void uvnic_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = (uint8_t)v;
}

static inline void uvnic_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/**
 * uvnic_frame_parse() - find the headers of @len bytes of @frame.
 * @return 0 (@fi filled), -EPROTONOSUPPORT (not TCP/UDP over IPv4/IPv6 as
 *         above: ARP, IPv6 extension headers, ICMP...), -EOPNOTSUPP (an
 *         IPv4 fragment), or -EBADMSG (a header cut short or malformed).
 */
int uvnic_frame_parse(const void *frame, size_t len, struct uvnic_frame_info *fi);

/**
 * uvnic_csum_sum() - the 16-bit one's complement sum of @len bytes read as
 * big-endian words (an odd last byte padded with 0), folded, not
 * complemented. Sums of several calls add up (at even offsets) and are
 * finished by uvnic_csum_final().
 */
uint32_t uvnic_csum_sum(const void *p, size_t len);

/** uvnic_csum_final() - fold a sum of sums and small values; complement. */
uint16_t uvnic_csum_final(uint64_t sum);

/**
 * uvnic_csum_pseudo() - the sum of the TCP/UDP pseudo-header of @frame
 * (addresses, protocol, @l4_len), for uvnic_csum_final().
 */
uint64_t uvnic_csum_pseudo(const uint8_t *frame, const struct uvnic_frame_info *fi,
			   size_t l4_len);

/**
 * uvnic_l4_csum_fill() - compute the TCP/UDP checksum of @frame (@len
 * bytes, normally @fi->ip_end: the L4 length is @len - @fi->l4) and store
 * it, whatever the field held; a UDP checksum of 0 is sent as 0xffff.
 */
void uvnic_l4_csum_fill(uint8_t *frame, size_t len, const struct uvnic_frame_info *fi);

/**
 * uvnic_tso_segments() - how many segments uvnic_tso_segment() cuts a TCP
 * frame with @payload bytes after its headers into (1 if none).
 */
unsigned int uvnic_tso_segments(size_t payload, unsigned int mss);

/**
 * uvnic_tso_segment() - build segment @i of the TCP super-packet @frame
 * (@len bytes, normally @fi->ip_end; headers @fi) in @seg: the headers, then payload bytes
 * [@i * @mss, +@mss); IPv4 total length, ID + @i and header checksum, or
 * IPv6 payload length; sequence number + offset; FIN and PSH on the last
 * segment only, CWR on the first only; TCP checksum computed. @seg holds
 * @fi->hdr_len + @mss bytes.
 * @return the segment's length, or 0 when @i is past the last segment.
 */
size_t uvnic_tso_segment(const uint8_t *frame, size_t len,
			 const struct uvnic_frame_info *fi, unsigned int mss,
			 unsigned int i, uint8_t *seg);

#ifdef __cplusplus
}
#endif

#endif /* UVNIC_OFFLOAD_H */
