/* SPDX-License-Identifier: BSD-3-Clause
 * TX coalescing of TCP segments into one GSO frame. The rules mirror what
 * the kernel's TCP segmentation (tcp_gso_segment, inet_gso_segment and
 * ipv6_gso_segment) writes into each segment, so that segmenting the
 * merged frame gives back the original frames byte for byte:
 *   - every header byte is the first segment's, except the IP length and
 *     checksum, the IPv4 id (first + index), the TCP sequence (first +
 *     payload before it) and the TCP checksum;
 *   - CWR only on the first segment, PSH only on the last;
 *   - every payload is the MSS (the first one's) except the last.
 * A segment whose checksums do not verify is never merged: the kernel
 * would compute fresh ones and hide the corruption. Nor is one whose
 * checksum is 0xffff: it verifies, but a computed checksum is never
 * 0xffff (that needs an all-zero sum), so the kernel would write 0x0000.
 * A checksum the sender asked to have computed (TPK_COAL_*) is no data:
 * it is not checked, and the kernel's is what the sender asked for.
 */
#include <stddef.h>
#include <string.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>

#include "tpk_bytes.h"
#include "tpk_coalesce.h"
#include "tpk_csum.h"
#include "tpk_txhdr.h"

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_CWR 0x80
#define IPV4_MAX_TOTAL 0xffff

/*
 * The TCP checksum of a whole segment verifies (pseudo-header included)
 * and is the value a recomputation writes.
 */
static bool
tcp_csum_ok(const uint8_t *seg, const struct tpk_pkt_info *pi, uint32_t len)
{
	uint32_t l4_total = len - pi->l2_len - pi->l3_len;
	const uint8_t *ip = seg + pi->l2_len;
	uint64_t sum;
	uint32_t v[2];

	if (rd16(ip + pi->l3_len + 16) == 0xffff)
		return false;
	if (pi->l3 == TPK_L3_IPV4)
		sum = tpk_csum_add(0, ip + 12, 8);
	else
		sum = tpk_csum_add(0, ip + 8, 32);
	v[0] = __builtin_bswap32(l4_total);
	v[1] = __builtin_bswap32(IPPROTO_TCP);
	sum = tpk_csum_add(sum, v, sizeof(v));
	sum = tpk_csum_add(sum, ip + pi->l3_len, l4_total);
	return tpk_csum_fold(sum) == 0xffff;
}

/* A valid IPv4 header checksum, as a recomputation writes it. */
static inline bool
ipv4_csum_ok(const uint8_t *ip, uint16_t l3_len)
{
	return rd16(ip + 10) != 0xffff && tpk_ipv4_csum_ok(ip, l3_len);
}

/* IP length field agrees with the frame (no Ethernet padding). */
static inline bool
ip_len_ok(const uint8_t *ip, const struct tpk_pkt_info *pi, uint32_t l3_total)
{
	if (pi->l3 == TPK_L3_IPV4)
		return rd16(ip + 2) == l3_total;
	return rd16(ip + 4) == l3_total - 40;
}

int
tpk_coal_start(struct tpk_coal *c, const uint8_t *seg, uint32_t len,
	       unsigned int off)
{
	struct tpk_pkt_info *pi = &c->pi;
	const uint8_t *ip, *th;
	uint32_t plen;
	uint8_t fl;

	if (tpk_pkt_parse(seg, len, pi) < 0 || pi->l4_proto != IPPROTO_TCP ||
	    pi->ip_frag || pi->nb_vlans || pi->l4_len < 20)
		return -1;
	if (!(pi->l3 == TPK_L3_IPV4 && pi->l3_len == 20) &&
	    !(pi->l3 == TPK_L3_IPV6 && pi->l3_len == 40))
		return -1;
	c->hdr_len = pi->l2_len + pi->l3_len + pi->l4_len;
	if (len <= c->hdr_len)
		return -1;
	plen = len - c->hdr_len;
	if (plen > TPK_GSO_SIZE_MAX)
		return -1;
	ip = seg + pi->l2_len;
	th = ip + pi->l3_len;
	fl = th[13];
	/* ACK, optionally CWR (kept on the first segment only). */
	if ((fl & ~TCP_CWR) != TCP_ACK)
		return -1;
	if (!ip_len_ok(ip, pi, len - pi->l2_len))
		return -1;
	if (pi->l3 == TPK_L3_IPV4 && !(off & TPK_COAL_IP_CSUM) &&
	    !ipv4_csum_ok(ip, pi->l3_len))
		return -1;
	if (!(off & TPK_COAL_L4_CSUM) && !tcp_csum_ok(seg, pi, len))
		return -1;
	c->mss = (uint16_t)plen;
	c->payload = plen;
	c->nb = 1;
	c->flags = fl;
	c->closed = false;
	c->next_seq = rd32(th + 4) + plen;
	c->next_id = pi->l3 == TPK_L3_IPV4 ? (uint16_t)(rd16(ip + 4) + 1) : 0;
	return 0;
}

int
tpk_coal_add(struct tpk_coal *c, const uint8_t *head, const uint8_t *seg,
	     uint32_t len, unsigned int off)
{
	const struct tpk_pkt_info *pi = &c->pi;
	const uint8_t *hip = head + pi->l2_len, *ip = seg + pi->l2_len;
	const uint8_t *hth = hip + pi->l3_len, *th = ip + pi->l3_len;
	uint32_t plen, l3_total;
	uint8_t fl;

	if (c->closed || c->nb >= TPK_COAL_MAX_SEGS || len <= c->hdr_len)
		return -1;
	plen = len - c->hdr_len;
	l3_total = len - pi->l2_len;
	if (plen > c->mss ||
	    (uint64_t)pi->l3_len + pi->l4_len + c->payload + plen >
	    IPV4_MAX_TOTAL)
		return -1;
	/* Same Ethernet header. */
	if (memcmp(head, seg, pi->l2_len) != 0)
		return -1;
	if (pi->l3 == TPK_L3_IPV4) {
		/* Version..TOS, flags/fragment..protocol, addresses. */
		if (memcmp(hip, ip, 2) != 0 || memcmp(hip + 6, ip + 6, 4) != 0 ||
		    memcmp(hip + 12, ip + 12, 8) != 0 ||
		    rd16(ip + 4) != c->next_id)
			return -1;
	} else {
		/* Version..flow label, next header..addresses. */
		if (memcmp(hip, ip, 4) != 0 || memcmp(hip + 6, ip + 6, 34) != 0)
			return -1;
	}
	if (!ip_len_ok(ip, pi, l3_total))
		return -1;
	/* Ports; ack and data offset; window; urgent pointer and options. */
	if (memcmp(hth, th, 4) != 0 || rd32(th + 4) != c->next_seq ||
	    memcmp(hth + 8, th + 8, 5) != 0 ||
	    memcmp(hth + 14, th + 14, 2) != 0 ||
	    memcmp(hth + 18, th + 18, pi->l4_len - 18) != 0)
		return -1;
	fl = th[13];
	if (fl != TCP_ACK && fl != (TCP_ACK | TCP_PSH))
		return -1;
	if (pi->l3 == TPK_L3_IPV4 && !(off & TPK_COAL_IP_CSUM) &&
	    !ipv4_csum_ok(ip, pi->l3_len))
		return -1;
	if (!(off & TPK_COAL_L4_CSUM) && !tcp_csum_ok(seg, pi, len))
		return -1;
	c->payload += plen;
	c->next_seq += plen;
	c->next_id++;
	c->nb++;
	if (fl & TCP_PSH) {
		c->flags |= TCP_PSH;
		c->closed = true;
	}
	if (plen < c->mss)
		c->closed = true;
	return 0;
}

void
tpk_coal_finish(const struct tpk_coal *c, const uint8_t *head, uint8_t *out,
		struct tpk_tx_req *r)
{
	const struct tpk_pkt_info *pi = &c->pi;
	struct tpk_txh_req h = {
		.pi = *pi,
		.src_len = c->hdr_len,
		.wire_len = pi->l2_len + pi->l3_len + pi->l4_len + c->payload,
		.set_len = true,
		.ip_csum = true,
		.l4_pseudo = true,
		.csum_start = pi->l2_len + pi->l3_len,
		.csum_offset = offsetof(struct tcphdr, check),
	};

	tpk_txh_build(&h, head, out);
	/* The merged frame carries the flags of every segment (PSH). */
	out[h.csum_start + 13] = c->flags;

	memset(r, 0, sizeof(*r));
	r->pkt_len = h.wire_len;
	r->l2_len = pi->l2_len;
	r->l3_len = pi->l3_len;
	r->l4_len = pi->l4_len;
	r->segsz = c->mss;
	r->l3 = pi->l3;
	r->l4_proto = IPPROTO_TCP;
	r->l4_csum = true;
	r->gso = true;
	r->ecn = (c->flags & TCP_CWR) != 0;
}

/*
 * The peeks read header fields through the kernel's header structs'
 * offsets, byte-wise: after a 14-byte Ethernet header the IP header is
 * only 2-byte aligned, too little for struct iphdr's own alignment.
 */
#define ETH_LEN		sizeof(struct ether_header)
#define IP4(f)		(ETH_LEN + offsetof(struct iphdr, f))
#define IP6(f)		(ETH_LEN + offsetof(struct ip6_hdr, f))
#define IP4_ADDRS	(ETH_LEN + offsetof(struct iphdr, saddr))
#define IP6_ADDRS	(ETH_LEN + offsetof(struct ip6_hdr, ip6_src))

bool
tpk_coal_peek(const uint8_t *frame, uint32_t len)
{
	uint16_t type;

	if (len <= ETH_LEN + sizeof(struct ip6_hdr) + sizeof(struct tcphdr))
		return false;
	type = rd16(frame + offsetof(struct ether_header, ether_type));
	if (type == ETHERTYPE_IP)
		return frame[IP4(protocol)] == IPPROTO_TCP;
	return type == ETHERTYPE_IPV6 && frame[IP6(ip6_nxt)] == IPPROTO_TCP;
}

bool
tpk_coal_same_flow(const uint8_t *a, const uint8_t *b)
{
	size_t type = offsetof(struct ether_header, ether_type);

	if (memcmp(a + type, b + type, 2) != 0)
		return false;
	if (rd16(a + type) == ETHERTYPE_IP)
		/* Version 4, no options: the ports follow the addresses. */
		return a[ETH_LEN] == 0x45 && b[ETH_LEN] == 0x45 &&
			memcmp(a + IP4_ADDRS, b + IP4_ADDRS, 8 + 4) == 0;
	/* Addresses, then the TCP ports right after the fixed header. */
	return memcmp(a + IP6_ADDRS, b + IP6_ADDRS, 32 + 4) == 0;
}
