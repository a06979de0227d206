// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * uvnic-offload.c - header parsing, Internet checksums (RFC 1071) and TCP
 * segmentation, as a NIC's TX offloads do them. See uvnic-offload.h.
 */
#include <errno.h>
#include <string.h>

#include "uvnic-offload.h"

int uvnic_frame_parse(const void *frame, size_t len, struct uvnic_frame_info *fi)
{
	const uint8_t *f = frame;
	size_t l3 = UVNIC_ETH_HLEN, l4, hdr, end;
	uint16_t type;
	uint8_t proto;

	if (len < l3)
		return -EBADMSG;
	type = uvnic_get_be16(f + 12);
	if (type == UVNIC_ETH_P_8021Q) {
		l3 += 4;
		if (len < l3)
			return -EBADMSG;
		type = uvnic_get_be16(f + 16);
	}
	if (type == UVNIC_ETH_P_IP) {
		if (len < l3 + 20 || (f[l3] >> 4) != 4 || (f[l3] & 0xf) < 5)
			return -EBADMSG;
		l4 = l3 + (f[l3] & 0xf) * 4u;
		if (len < l4)
			return -EBADMSG;
		/* MF or a fragment offset: the L4 header is not all here. */
		if (uvnic_get_be16(f + l3 + 6) & 0x3fff)
			return -EOPNOTSUPP;
		proto = f[l3 + 9];
		end = l3 + uvnic_get_be16(f + l3 + 2);
	} else if (type == UVNIC_ETH_P_IPV6) {
		if (len < l3 + 40 || (f[l3] >> 4) != 6)
			return -EBADMSG;
		l4 = l3 + 40;
		proto = f[l3 + 6];	/* an extension header is "not TCP/UDP" */
		end = l4 + uvnic_get_be16(f + l3 + 4);
	} else {
		return -EPROTONOSUPPORT;
	}
	if (proto == UVNIC_IPPROTO_TCP) {
		if (len < l4 + 20 || (f[l4 + 12] >> 4) < 5)
			return -EBADMSG;
		hdr = l4 + (f[l4 + 12] >> 4) * 4u;
	} else if (proto == UVNIC_IPPROTO_UDP) {
		hdr = l4 + 8;
	} else {
		return -EPROTONOSUPPORT;
	}
	if (len < hdr)
		return -EBADMSG;
	fi->l3 = (uint16_t)l3;
	fi->l4 = (uint16_t)l4;
	fi->hdr_len = (uint16_t)hdr;
	/* A short frame may come padded: the IP length says where it ends. */
	fi->ip_end = (uint32_t)(end >= hdr && end <= len ? end : len);
	fi->proto = proto;
	fi->ipv6 = type == UVNIC_ETH_P_IPV6;
	return 0;
}

/*
 * Sums native 32-bit words (RFC 1071: the sum is byte-order independent
 * up to a final swap), so a super-packet's 64 KiB cost few additions.
 */
uint32_t uvnic_csum_sum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t s = 0;
	uint32_t w;
	uint16_t h;

	while (len >= 4) {
		memcpy(&w, p, 4);
		s += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		s += h;
		p += 2;
		len -= 2;
	}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (len)
		s += *p;
#else
	if (len)
		s += (uint32_t)*p << 8;
#endif
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = (s >> 8 | s << 8) & 0xffff;
#endif
	return (uint32_t)s;
}

uint16_t uvnic_csum_final(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

uint64_t uvnic_csum_pseudo(const uint8_t *f, const struct uvnic_frame_info *fi,
			   size_t l4_len)
{
	/* IPv4: source and destination at 12; IPv6: at 8. */
	if (fi->ipv6)
		return (uint64_t)uvnic_csum_sum(f + fi->l3 + 8, 32) + fi->proto +
		       (l4_len >> 16) + (l4_len & 0xffff);
	return (uint64_t)uvnic_csum_sum(f + fi->l3 + 12, 8) + fi->proto + l4_len;
}

void uvnic_l4_csum_fill(uint8_t *f, size_t len, const struct uvnic_frame_info *fi)
{
	size_t l4_len = len - fi->l4;
	uint8_t *field = f + fi->l4 + (fi->proto == UVNIC_IPPROTO_TCP ? 16 : 6);
	uint16_t c;

	uvnic_put_be16(field, 0);
	c = uvnic_csum_final(uvnic_csum_pseudo(f, fi, l4_len) +
			     uvnic_csum_sum(f + fi->l4, l4_len));
	/* UDP: 0 means "no checksum"; its one's complement twin is sent. */
	if (!c && fi->proto == UVNIC_IPPROTO_UDP)
		c = 0xffff;
	uvnic_put_be16(field, c);
}

unsigned int uvnic_tso_segments(size_t payload, unsigned int mss)
{
	if (!payload || !mss)
		return 1;
	return (unsigned int)((payload + mss - 1) / mss);
}

size_t uvnic_tso_segment(const uint8_t *f, size_t len,
			 const struct uvnic_frame_info *fi, unsigned int mss,
			 unsigned int i, uint8_t *s)
{
	size_t hdr = fi->hdr_len, l3 = fi->l3, l4 = fi->l4;
	size_t payload = len - hdr, off = (size_t)i * mss, n, total;
	uint8_t flags = f[l4 + 13];

	if (i >= uvnic_tso_segments(payload, mss))
		return 0;
	n = payload - off < mss ? payload - off : mss;
	total = hdr + n;
	memcpy(s, f, hdr);
	memcpy(s + hdr, f + hdr + off, n);
	if (fi->ipv6) {
		uvnic_put_be16(s + l3 + 4, (uint16_t)(total - l3 - 40));
	} else {
		uvnic_put_be16(s + l3 + 2, (uint16_t)(total - l3));
		uvnic_put_be16(s + l3 + 4, (uint16_t)(uvnic_get_be16(f + l3 + 4) + i));
		uvnic_put_be16(s + l3 + 10, 0);
		uvnic_put_be16(s + l3 + 10, uvnic_csum_final(uvnic_csum_sum(s + l3, l4 - l3)));
	}
	uvnic_put_be32(s + l4 + 4, uvnic_get_be32(f + l4 + 4) + (uint32_t)off);
	if (off + n < payload)
		flags &= ~(UVNIC_TCP_FIN | UVNIC_TCP_PSH);
	if (i)
		flags &= ~UVNIC_TCP_CWR;
	s[l4 + 13] = flags;
	uvnic_l4_csum_fill(s, total, fi);
	return total;
}
