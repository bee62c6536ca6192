/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "tpk_bytes.h"
#include "tpk_pkt.h"
#include "tpk_csum.h"

#define ETH_HLEN_ 14
#define VLAN_HLEN_ 4

int
tpk_pkt_parse(const uint8_t *frame, uint32_t len, struct tpk_pkt_info *pi)
{
	uint32_t off = ETH_HLEN_;
	uint16_t type;
	uint8_t proto;

	memset(pi, 0, sizeof(*pi));
	if (len < ETH_HLEN_)
		return -1;
	type = rd16(frame + 12);
	while ((type == 0x8100 || type == 0x88a8) && pi->nb_vlans < 2) {
		if (len < off + VLAN_HLEN_)
			return -1;
		type = rd16(frame + off + 2);
		off += VLAN_HLEN_;
		pi->nb_vlans++;
	}
	pi->l2_len = off;

	if (type == 0x0800) {
		uint32_t ihl;

		if (len < off + 20)
			return -1;
		ihl = (frame[off] & 0xf) * 4u;
		if ((frame[off] >> 4) != 4 || ihl < 20 || len < off + ihl)
			return -1;
		pi->l3 = TPK_L3_IPV4;
		pi->l3_len = ihl;
		proto = frame[off + 9];
		/* More-fragments set or a non-zero offset: no L4 header. */
		if (rd16(frame + off + 6) & 0x3fff) {
			pi->ip_frag = 1;
			return 0;
		}
	} else if (type == 0x86dd) {
		uint32_t l3 = 40;
		int hops = 0;

		if (len < off + 40 || (frame[off] >> 4) != 6)
			return -1;
		pi->l3 = TPK_L3_IPV6;
		proto = frame[off + 6];
		/* Skip the extension headers a TCP/UDP packet may carry. */
		while ((proto == 0 || proto == 43 || proto == 60) && hops++ < 4) {
			if (len < off + l3 + 8)
				return -1;
			proto = frame[off + l3];
			l3 += (frame[off + l3 + 1] + 1u) * 8;
		}
		if (l3 > 0xffff || len < off + l3)
			return -1;
		if (proto == 44) {
			pi->ip_frag = 1;
			pi->l3_len = l3;
			return 0;
		}
		pi->l3_len = l3;
	} else {
		return 0;
	}

	off += pi->l3_len;
	if (proto == IPPROTO_TCP) {
		uint32_t doff;

		if (len < off + 20)
			return -1;
		doff = (frame[off + 12] >> 4) * 4u;
		if (doff < 20 || len < off + doff)
			return -1;
		pi->l4_proto = IPPROTO_TCP;
		pi->l4_len = doff;
	} else if (proto == IPPROTO_UDP) {
		if (len < off + 8)
			return -1;
		pi->l4_proto = IPPROTO_UDP;
		pi->l4_len = 8;
	}
	return 0;
}

uint32_t
tpk_l3_end(const uint8_t *frame, uint32_t len, const struct tpk_pkt_info *pi)
{
	const uint8_t *ip = frame + pi->l2_len;
	uint32_t end;

	if (pi->l3 == TPK_L3_IPV4 && len >= pi->l2_len + 20u) {
		if (rd16(ip + 2) == 0)
			return len;
		end = pi->l2_len + (uint32_t)rd16(ip + 2);
	} else if (pi->l3 == TPK_L3_IPV6 && len >= pi->l2_len + 40u) {
		if (rd16(ip + 4) == 0)
			return len;	/* jumbogram */
		end = pi->l2_len + 40u + rd16(ip + 4);
	} else {
		return len;
	}
	if (end < (uint32_t)pi->l2_len + pi->l3_len + pi->l4_len)
		return len;
	return end < len ? end : len;
}

void
tpk_ipv4_csum_set(uint8_t *ip, uint16_t l3_len)
{
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = (uint16_t)~tpk_csum_fold(tpk_csum_add(0, ip, l3_len));
	memcpy(ip + 10, &c, 2);
}

bool
tpk_ipv4_csum_ok(const uint8_t *ip, uint16_t l3_len)
{
	return tpk_csum_fold(tpk_csum_add(0, ip, l3_len)) == 0xffff;
}

uint16_t
tpk_l4_pseudo(const uint8_t *frame, const struct tpk_pkt_info *pi,
	      uint32_t l4_total)
{
	const uint8_t *ip = frame + pi->l2_len;

	if (pi->l3 == TPK_L3_IPV4)
		return tpk_csum_pseudo(ip + 12, 4, pi->l4_proto, l4_total);
	return tpk_csum_pseudo(ip + 8, 16, pi->l4_proto, l4_total);
}

void
tpk_gso_fix_segment(uint8_t *seg, const struct tpk_pkt_info *pi,
		    uint32_t idx, uint32_t off, uint32_t plen, bool last,
		    bool full_csum)
{
	uint8_t *ip = seg + pi->l2_len;
	uint8_t *l4 = ip + pi->l3_len;
	uint32_t l4_total = pi->l4_len + plen;
	uint16_t c;

	if (pi->l3 == TPK_L3_IPV4) {
		wr16(ip + 2, (uint16_t)(pi->l3_len + l4_total));
		wr16(ip + 4, (uint16_t)(rd16(ip + 4) + idx));
		tpk_ipv4_csum_set(ip, pi->l3_len);
	} else {
		wr16(ip + 4, (uint16_t)(pi->l3_len - 40 + l4_total));
	}

	if (pi->l4_proto == IPPROTO_TCP) {
		wr32(l4 + 4, rd32(l4 + 4) + off);
		if (!last)
			l4[13] &= ~(0x01 | 0x08);	/* FIN, PSH */
		if (idx)
			l4[13] &= ~0x80;		/* CWR only on the first */
		l4[16] = l4[17] = 0;
		c = tpk_l4_pseudo(seg, pi, l4_total);
		memcpy(l4 + 16, &c, 2);
		if (full_csum) {
			c = (uint16_t)~tpk_csum_fold(tpk_csum_add(0, l4,
								   l4_total));
			memcpy(l4 + 16, &c, 2);
		}
	} else {
		wr16(l4 + 4, (uint16_t)l4_total);
		l4[6] = l4[7] = 0;
		c = tpk_l4_pseudo(seg, pi, l4_total);
		memcpy(l4 + 6, &c, 2);
		if (full_csum) {
			c = (uint16_t)~tpk_csum_fold(tpk_csum_add(0, l4,
								   l4_total));
			if (c == 0)
				c = 0xffff;
			memcpy(l4 + 6, &c, 2);
		}
	}
}

void
tpk_vlan_tag(uint8_t tag[4], uint16_t tpid, uint16_t tci)
{
	wr16(tag, tpid);
	wr16(tag + 2, tci);
}

void
tpk_vlan_insert(uint8_t *out, const uint8_t *src, uint32_t len, uint16_t tpid,
		uint16_t tci)
{
	memcpy(out, src, 12);
	tpk_vlan_tag(out + 12, tpid, tci);
	memcpy(out + 16, src + 12, len - 12);
}

int
tpk_pkt_csum_loc(const uint8_t *frame, uint32_t len, struct tpk_pkt_info *pi,
		 uint16_t *start, uint16_t *off)
{
	if (tpk_pkt_parse(frame, len, pi) < 0 || pi->ip_frag ||
	    pi->l4_len == 0)
		return -1;
	*start = pi->l2_len + pi->l3_len;
	*off = pi->l4_proto == IPPROTO_TCP ? 16 : 6;
	return 0;
}
