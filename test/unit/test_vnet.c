/* SPDX-License-Identifier: BSD-3-Clause
 * virtio-net header encode (tpk_vnet_tx_fill) against the kernel's
 * virtio_net_hdr_to_skb rules, and decode (tpk_vnet_rx_parse).
 */
#include <netinet/in.h>

#include "tpk_vnet.h"
#include "tpk_check.h"

static struct virtio_net_hdr h;

/* A valid TCPv4 TSO request: 14 + 20 + 32 header bytes, 3 x 1448. */
static struct tpk_tx_req
tcp4_tso(void)
{
	struct tpk_tx_req r = {
		.pkt_len = 14 + 20 + 32 + 3 * 1448,
		.l2_len = 14, .l3_len = 20, .l4_len = 32,
		.segsz = 1448, .l3 = TPK_L3_IPV4, .l4_proto = IPPROTO_TCP,
		.l4_csum = true, .gso = true,
	};
	return r;
}

static struct tpk_tx_req
tcp6_tso(void)
{
	struct tpk_tx_req r = {
		.pkt_len = 14 + 40 + 20 + 10000,
		.l2_len = 14, .l3_len = 40, .l4_len = 20,
		.segsz = 1440, .l3 = TPK_L3_IPV6, .l4_proto = IPPROTO_TCP,
		.l4_csum = true, .gso = true,
	};
	return r;
}

static struct tpk_tx_req
udp4_csum(void)
{
	struct tpk_tx_req r = {
		.pkt_len = 14 + 20 + 8 + 100,
		.l2_len = 14, .l3_len = 20, .l4_len = 8,
		.l3 = TPK_L3_IPV4, .l4_proto = IPPROTO_UDP, .l4_csum = true,
	};
	return r;
}

static struct tpk_tx_req
udp6_uso(void)
{
	struct tpk_tx_req r = {
		.pkt_len = 18 + 40 + 8 + 20 * 1200,
		.l2_len = 18, .l3_len = 40, .l4_len = 8,
		.segsz = 1200, .l3 = TPK_L3_IPV6, .l4_proto = IPPROTO_UDP,
		.l4_csum = true, .gso = true,
	};
	return r;
}

static enum tpk_tx_err
fill(const struct tpk_tx_req *r, bool udp_gso)
{
	memset(&h, 0xee, sizeof(h));
	return tpk_vnet_tx_fill(r, &h, udp_gso);
}

static void
t_tx_no_offload(void)
{
	struct tpk_tx_req r = { .pkt_len = 60, .l3 = 99, .l4_proto = 99 };

	/* Nothing asked: a zeroed header whatever the other fields say. */
	CHECK_EQ(fill(&r, false), TPK_TX_OK);
	CHECK_EQ(h.flags, 0);
	CHECK_EQ(h.gso_type, 0);
	CHECK_EQ(h.hdr_len, 0);
	CHECK_EQ(h.gso_size, 0);
	CHECK_EQ(h.csum_start, 0);
	CHECK_EQ(h.csum_offset, 0);
}

static void
t_tx_tcp4_tso(void)
{
	struct tpk_tx_req r = tcp4_tso();

	if (!CHECK_EQ(fill(&r, false), TPK_TX_OK))
		return;
	CHECK_EQ(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	CHECK_EQ(h.gso_size, 1448);
	CHECK_EQ(h.hdr_len, 66);
	CHECK_EQ(h.csum_start, 34);
	CHECK_EQ(h.csum_offset, 16);
}

static void
t_tx_tcp4_tso_ecn(void)
{
	struct tpk_tx_req r = tcp4_tso();

	r.ecn = true;
	if (!CHECK_EQ(fill(&r, false), TPK_TX_OK))
		return;
	CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN);
}

static void
t_tx_tcp6_tso(void)
{
	struct tpk_tx_req r = tcp6_tso();

	if (!CHECK_EQ(fill(&r, false), TPK_TX_OK))
		return;
	CHECK_EQ(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
	CHECK_EQ(h.gso_size, 1440);
	CHECK_EQ(h.hdr_len, 74);
	CHECK_EQ(h.csum_start, 54);
	CHECK_EQ(h.csum_offset, 16);
}

static void
t_tx_tcp6_tso_ecn(void)
{
	struct tpk_tx_req r = tcp6_tso();

	r.ecn = true;
	if (!CHECK_EQ(fill(&r, true), TPK_TX_OK))
		return;
	CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN);
}

static void
t_tx_tcp6_ext_hdrs(void)
{
	struct tpk_tx_req r = tcp6_tso();

	r.l3_len = 40 + 8 + 16;	/* hop-by-hop + destination options */
	r.pkt_len += 24;
	if (!CHECK_EQ(fill(&r, false), TPK_TX_OK))
		return;
	CHECK_EQ(h.csum_start, 14 + 64);
	CHECK_EQ(h.hdr_len, 14 + 64 + 20);
}

static void
t_tx_tcp4_vlan_ipopts(void)
{
	struct tpk_tx_req r = tcp4_tso();

	r.l2_len = 22;		/* QinQ */
	r.l3_len = 60;		/* maximal IPv4 options */
	r.l4_len = 60;		/* maximal TCP options */
	r.pkt_len = 22 + 60 + 60 + 5000;
	if (!CHECK_EQ(fill(&r, false), TPK_TX_OK))
		return;
	CHECK_EQ(h.csum_start, 82);
	CHECK_EQ(h.hdr_len, 142);
}

static void
t_tx_tcp_csum_only(void)
{
	struct tpk_tx_req r = tcp4_tso();

	r.gso = false;
	r.segsz = 0;		/* ignored without gso */
	r.pkt_len = 14 + 20 + 32 + 100;
	if (!CHECK_EQ(fill(&r, false), TPK_TX_OK))
		return;
	CHECK_EQ(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	CHECK_EQ(h.gso_size, 0);
	CHECK_EQ(h.csum_start, 34);
	CHECK_EQ(h.csum_offset, 16);
	CHECK_EQ(h.hdr_len, 66);
}

static void
t_tx_udp_csum_only(void)
{
	struct tpk_tx_req r = udp4_csum();

	if (!CHECK_EQ(fill(&r, false), TPK_TX_OK))
		return;
	CHECK_EQ(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	CHECK_EQ(h.csum_start, 34);
	CHECK_EQ(h.csum_offset, 6);
	CHECK_EQ(h.hdr_len, 42);
	CHECK_EQ(h.gso_size, 0);
}

static void
t_tx_udp_csum_headers_only(void)
{
	struct tpk_tx_req r = udp4_csum();

	r.pkt_len = 42;		/* empty payload: still fine */
	CHECK_EQ(fill(&r, false), TPK_TX_OK);
}

static void
t_tx_uso(void)
{
	struct tpk_tx_req r = udp6_uso();

	if (!CHECK_EQ(fill(&r, true), TPK_TX_OK))
		return;
	CHECK_EQ(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
	CHECK_EQ(h.gso_type, 5);
	CHECK_EQ(h.gso_size, 1200);
	CHECK_EQ(h.csum_start, 58);
	CHECK_EQ(h.csum_offset, 6);
	CHECK_EQ(h.hdr_len, 66);
}

static void
t_tx_uso_ecn_not_set(void)
{
	/* The kernel refuses UDP_L4 with the ECN bit: it must not appear. */
	struct tpk_tx_req r = udp6_uso();

	r.ecn = true;
	if (!CHECK_EQ(fill(&r, true), TPK_TX_OK))
		return;
	CHECK_EQ(h.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
}

static void
t_tx_uso_max_segments(void)
{
	struct tpk_tx_req r = udp6_uso();

	r.segsz = 400;
	r.pkt_len = 18 + 40 + 8 + 400 * TPK_UDP_MAX_SEGMENTS;
	CHECK_EQ(fill(&r, true), TPK_TX_OK);
	r.pkt_len++;
	CHECK_EQ(fill(&r, true), TPK_TX_ETOOBIG);
}

static void
t_tx_uso_refused_without_udp_gso(void)
{
	struct tpk_tx_req r = udp6_uso();

	CHECK_EQ(fill(&r, false), TPK_TX_ENOTSUP);
	/* Plain UDP checksum does not need UDP GSO support. */
	r.gso = false;
	CHECK_EQ(fill(&r, false), TPK_TX_OK);
}

static void
t_tx_gso_size_max(void)
{
	struct tpk_tx_req r = tcp4_tso();

	r.segsz = 0xfffe;
	r.pkt_len = 14 + 65535;
	CHECK_EQ(fill(&r, false), TPK_TX_OK);
	CHECK_EQ(h.gso_size, 0xfffe);
}

static void
t_tx_ip_len_boundary(void)
{
	struct tpk_tx_req r = tcp4_tso();

	r.pkt_len = 14 + 65535;	/* tot_len 65535: the largest */
	CHECK_EQ(fill(&r, false), TPK_TX_OK);
	r.l2_len = 18;
	r.pkt_len = 18 + 65535;
	CHECK_EQ(fill(&r, false), TPK_TX_OK);
}

/* Rejected requests: (name, mutation, expected error). */
struct rej {
	const char *name;
	struct tpk_tx_req (*base)(void);
	void (*mut)(struct tpk_tx_req *r);
	bool udp_gso;
	enum tpk_tx_err want;
};

static void m_segsz0(struct tpk_tx_req *r) { r->segsz = 0; }
static void m_segsz_ffff(struct tpk_tx_req *r) { r->segsz = 0xffff; }
static void m_l3_19(struct tpk_tx_req *r) { r->l3_len = 19; }
static void m_l3_0(struct tpk_tx_req *r) { r->l3_len = 0; }
static void m_l3_61(struct tpk_tx_req *r) { r->l3_len = 61; }
static void m_l3_39(struct tpk_tx_req *r) { r->l3_len = 39; }
static void m_l4_19(struct tpk_tx_req *r) { r->l4_len = 19; }
static void m_l4_0(struct tpk_tx_req *r) { r->l4_len = 0; }
static void m_l4_64(struct tpk_tx_req *r) { r->l4_len = 64; }
static void m_l4_7(struct tpk_tx_req *r) { r->l4_len = 7; }
static void m_l4_9(struct tpk_tx_req *r) { r->l4_len = 9; }
static void m_l4_20(struct tpk_tx_req *r) { r->l4_len = 20; }
static void m_l2_13(struct tpk_tx_req *r) { r->l2_len = 13; }
static void m_l2_0(struct tpk_tx_req *r) { r->l2_len = 0; }
static void m_hdrs_gt_pkt(struct tpk_tx_req *r)
{ r->pkt_len = r->l2_len + r->l3_len + r->l4_len - 1; }
static void m_pkt0(struct tpk_tx_req *r) { r->pkt_len = 0; }
static void m_hdrs_gt_64k(struct tpk_tx_req *r)
{ r->l2_len = 65535; r->pkt_len = 200000; }
static void m_ip_65536(struct tpk_tx_req *r) { r->pkt_len = r->l2_len + 65536; }
static void m_ip_huge(struct tpk_tx_req *r) { r->pkt_len = 0xffffffff; }
static void m_uso_too_many(struct tpk_tx_req *r)
{ r->segsz = 100; r->pkt_len = 66 + 100 * 128 + 1; }
static void m_non_ip(struct tpk_tx_req *r) { r->l3 = TPK_L3_NONE; }
static void m_l3_bogus(struct tpk_tx_req *r) { r->l3 = 7; }
static void m_sctp(struct tpk_tx_req *r) { r->l4_proto = 132; }
static void m_icmp(struct tpk_tx_req *r) { r->l4_proto = IPPROTO_ICMP; }
static void m_non_ip_csum(struct tpk_tx_req *r)
{ r->gso = false; r->l3 = TPK_L3_NONE; }

static const struct rej rejs[] = {
	{ "gso_size_0", tcp4_tso, m_segsz0, false, TPK_TX_ESEGSZ },
	{ "gso_size_0xffff", tcp4_tso, m_segsz_ffff, false, TPK_TX_ESEGSZ },
	{ "uso_gso_size_0", udp6_uso, m_segsz0, true, TPK_TX_ESEGSZ },
	{ "uso_gso_size_0xffff", udp6_uso, m_segsz_ffff, true, TPK_TX_ESEGSZ },
	{ "v4_l3_len_19", tcp4_tso, m_l3_19, false, TPK_TX_EHDR },
	{ "v4_l3_len_0", udp4_csum, m_l3_0, false, TPK_TX_EHDR },
	{ "v4_l3_len_61", tcp4_tso, m_l3_61, false, TPK_TX_EHDR },
	{ "v6_l3_len_39", tcp6_tso, m_l3_39, false, TPK_TX_EHDR },
	{ "v6_l3_len_19", tcp6_tso, m_l3_19, false, TPK_TX_EHDR },
	{ "tcp_l4_len_19", tcp4_tso, m_l4_19, false, TPK_TX_EHDR },
	{ "tcp_l4_len_0", tcp6_tso, m_l4_0, false, TPK_TX_EHDR },
	{ "tcp_l4_len_64", tcp4_tso, m_l4_64, false, TPK_TX_EHDR },
	{ "udp_l4_len_7", udp4_csum, m_l4_7, false, TPK_TX_EHDR },
	{ "udp_l4_len_9", udp4_csum, m_l4_9, false, TPK_TX_EHDR },
	{ "udp_l4_len_20", udp6_uso, m_l4_20, true, TPK_TX_EHDR },
	{ "l2_len_13", tcp4_tso, m_l2_13, false, TPK_TX_EHDR },
	{ "l2_len_0", udp4_csum, m_l2_0, false, TPK_TX_EHDR },
	{ "hdrs_longer_than_pkt_tcp", tcp4_tso, m_hdrs_gt_pkt, false, TPK_TX_EHDR },
	{ "hdrs_longer_than_pkt_udp", udp4_csum, m_hdrs_gt_pkt, false, TPK_TX_EHDR },
	{ "hdrs_longer_than_pkt_uso", udp6_uso, m_hdrs_gt_pkt, true, TPK_TX_EHDR },
	{ "pkt_len_0", tcp6_tso, m_pkt0, false, TPK_TX_EHDR },
	{ "hdrs_over_64k", tcp4_tso, m_hdrs_gt_64k, false, TPK_TX_EHDR },
	{ "tso_ip_len_65536", tcp4_tso, m_ip_65536, false, TPK_TX_ETOOBIG },
	{ "tso6_ip_len_huge", tcp6_tso, m_ip_huge, false, TPK_TX_ETOOBIG },
	{ "uso_ip_len_65536", udp6_uso, m_ip_65536, true, TPK_TX_ETOOBIG },
	{ "uso_over_128_segs", udp6_uso, m_uso_too_many, true, TPK_TX_ETOOBIG },
	{ "non_ip_tso", tcp4_tso, m_non_ip, false, TPK_TX_EPROTO },
	{ "non_ip_csum", udp4_csum, m_non_ip_csum, false, TPK_TX_EPROTO },
	{ "l3_bogus", tcp4_tso, m_l3_bogus, false, TPK_TX_EPROTO },
	{ "sctp", tcp4_tso, m_sctp, false, TPK_TX_EPROTO },
	{ "icmp_csum", udp4_csum, m_icmp, false, TPK_TX_EPROTO },
};

static void
run_rej(const struct rej *j)
{
	struct tpk_tx_req r = j->base();
	enum tpk_tx_err e;

	j->mut(&r);
	e = fill(&r, j->udp_gso);
	CHECK(e == j->want, "got %d (%s), want %d (%s)", e,
	       tpk_tx_err_str(e), j->want, tpk_tx_err_str(j->want));
}

static void
t_tx_err_str(void)
{
	int e;

	for (e = TPK_TX_OK; e <= TPK_TX_ENOTSUP; e++) {
		const char *s = tpk_tx_err_str((enum tpk_tx_err)e);

		CHECK(s != NULL && s[0] != '\0' && strcmp(s, "?") != 0);
	}
	CHECK(tpk_tx_err_str((enum tpk_tx_err)99) != NULL);
}

/* Every accepted request satisfies what the kernel will check. */
static void
t_tx_accepted_invariants(void)
{
	static const uint16_t l2s[] = { 14, 18, 22 };
	static const uint16_t l3s[] = { 20, 24, 40, 60, 64, 80 };
	static const uint16_t l4s[] = { 8, 20, 32, 60 };
	static const uint16_t segs[] = { 1, 536, 1448, 9000, 0xfffe };
	static const uint32_t pays[] = { 0, 1, 1448, 2896, 60000, 65000 };
	uint32_t a, b, c, d, e, f, n = 0;

	for (a = 0; a < 3; a++)
	for (b = 0; b < 6; b++)
	for (c = 0; c < 4; c++)
	for (d = 0; d < 5; d++)
	for (e = 0; e < 6; e++)
	for (f = 0; f < 8; f++) {
		struct tpk_tx_req r = {
			.l2_len = l2s[a], .l3_len = l3s[b], .l4_len = l4s[c],
			.segsz = segs[d],
			.l3 = (f & 1) ? TPK_L3_IPV6 : TPK_L3_IPV4,
			.l4_proto = l4s[c] == 8 ? IPPROTO_UDP : IPPROTO_TCP,
			.l4_csum = true, .gso = f & 2, .ecn = f & 4,
		};
		uint32_t hdrs = r.l2_len + r.l3_len + r.l4_len;

		r.pkt_len = hdrs + pays[e];
		if (fill(&r, true) != TPK_TX_OK)
			continue;
		n++;
		CHECK(h.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM);
		CHECK(h.csum_start == r.l2_len + r.l3_len);
		CHECK((uint32_t)h.csum_start + h.csum_offset + 2 <= r.pkt_len);
		CHECK(h.hdr_len == hdrs && h.hdr_len <= r.pkt_len);
		CHECK(h.csum_start >= (r.l3 == TPK_L3_IPV6 ? 54 : 34));
		if (r.l3 == TPK_L3_IPV4)
			CHECK(r.l3_len >= 20 && r.l3_len <= 60);
		if (!r.gso) {
			CHECK(h.gso_type == 0 && h.gso_size == 0);
			continue;
		}
		CHECK(h.gso_size >= 1 && h.gso_size <= 0xfffe);
		CHECK(r.pkt_len - r.l2_len <= 0xffff);
		if (r.l4_proto == IPPROTO_UDP) {
			CHECK(h.gso_type == VIRTIO_NET_HDR_GSO_UDP_L4);
			CHECK(h.csum_offset == 6);
			CHECK(pays[e] <= (uint32_t)h.gso_size * 128);
		} else {
			CHECK((h.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) ==
			      (r.l3 == TPK_L3_IPV4 ? VIRTIO_NET_HDR_GSO_TCPV4 :
			       VIRTIO_NET_HDR_GSO_TCPV6));
			CHECK(!!(h.gso_type & VIRTIO_NET_HDR_GSO_ECN) == r.ecn);
			CHECK(h.csum_offset == 16);
		}
	}
	CHECK(n > 500);
}

/* ---- RX ------------------------------------------------------------------ */

static struct tpk_rx_meta m;

static int
rx(uint8_t flags, uint8_t gso_type, uint16_t gso_size, uint16_t cs,
   uint16_t co, uint32_t len)
{
	struct virtio_net_hdr v = {
		.flags = flags, .gso_type = gso_type, .hdr_len = 66,
		.gso_size = gso_size, .csum_start = cs, .csum_offset = co,
	};

	memset(&m, 0xee, sizeof(m));
	return tpk_vnet_rx_parse(&v, len, &m);
}

static void
t_rx_plain(void)
{
	if (!CHECK_EQ(rx(0, 0, 0, 0, 0, 60), 0))
		return;
	CHECK(!m.needs_csum && !m.data_valid && !m.ecn);
	CHECK_EQ(m.gso, 0);
	CHECK_EQ(m.gso_size, 0);
}

static void
t_rx_csum_partial_tcp(void)
{
	/* Measured: pure ACK over veth. */
	if (!CHECK_EQ(rx(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 16, 66), 0))
		return;
	CHECK(m.needs_csum);
	CHECK(!m.data_valid);
	CHECK_EQ(m.gso, 0);
	CHECK_EQ(m.csum_start, 34);
	CHECK_EQ(m.csum_offset, 16);
}

static void
t_rx_csum_field_at_end(void)
{
	/* csum_start + csum_offset + 2 == len is the last valid spot. */
	CHECK_EQ(rx(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 6, 42), 0);
	CHECK_EQ(rx(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 34, 6, 41), -1);
}

static void
t_rx_data_valid(void)
{
	if (!CHECK_EQ(rx(VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 60), 0))
		return;
	CHECK(m.data_valid);
	CHECK(!m.needs_csum);
}

static void
t_rx_tso4_measured(void)
{
	/* iperf3 over veth: flags=1 gso_type=1 gso_size=1448 cs=34 co=16. */
	if (!CHECK_EQ(rx(1, 1, 1448, 34, 16, 65226), 0))
		return;
	CHECK(m.needs_csum);
	CHECK_EQ(m.gso, VIRTIO_NET_HDR_GSO_TCPV4);
	CHECK_EQ(m.gso_size, 1448);
	CHECK(!m.ecn);
}

static void
t_rx_tso6_ecn(void)
{
	if (!CHECK_EQ(rx(1, VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN,
		      1428, 54, 16, 30000), 0))
		return;
	CHECK_EQ(m.gso, VIRTIO_NET_HDR_GSO_TCPV6);
	CHECK(m.ecn);
}

static void
t_rx_uso(void)
{
	if (!CHECK_EQ(rx(1, VIRTIO_NET_HDR_GSO_UDP_L4, 1200, 34, 6, 12042), 0))
		return;
	CHECK_EQ(m.gso, VIRTIO_NET_HDR_GSO_UDP_L4);
	CHECK_EQ(m.gso_size, 1200);
}

static void
t_rx_gso_without_needs_csum(void)
{
	/* Not produced by the kernel, but harmless: decoded as given. */
	if (!CHECK_EQ(rx(0, VIRTIO_NET_HDR_GSO_TCPV4, 1448, 0, 0, 3000), 0))
		return;
	CHECK_EQ(m.gso, VIRTIO_NET_HDR_GSO_TCPV4);
	CHECK(!m.needs_csum);
}

static void
t_rx_csum_fields_ignored_without_flag(void)
{
	CHECK_EQ(rx(0, 0, 0, 0xffff, 0xffff, 60), 0);
}

static void t_rx_bad_csum_past_len(void)
{ CHECK_EQ(rx(1, 0, 0, 60, 16, 70), -1); }
static void t_rx_bad_csum_start_past_len(void)
{ CHECK_EQ(rx(1, 0, 0, 100, 0, 60), -1); }
static void t_rx_bad_csum_no_wrap(void)
{ CHECK_EQ(rx(1, 0, 0, 0xffff, 0xffff, 0xffffffff), 0);
  CHECK_EQ(rx(1, 0, 0, 0xffff, 0xffff, 0x1fffd), -1); }
static void t_rx_bad_csum_len0(void)
{ CHECK_EQ(rx(1, 0, 0, 0, 0, 0), -1); CHECK_EQ(rx(1, 0, 0, 0, 0, 1), -1); }
static void t_rx_bad_tso4_gso_size_0(void)
{ CHECK_EQ(rx(1, VIRTIO_NET_HDR_GSO_TCPV4, 0, 34, 16, 3000), -1); }
static void t_rx_bad_tso6_gso_size_0(void)
{ CHECK_EQ(rx(1, VIRTIO_NET_HDR_GSO_TCPV6, 0, 54, 16, 3000), -1); }
static void t_rx_bad_uso_gso_size_0(void)
{ CHECK_EQ(rx(1, VIRTIO_NET_HDR_GSO_UDP_L4, 0, 34, 6, 3000), -1); }
static void t_rx_bad_ecn_gso_size_0(void)
{ CHECK_EQ(rx(1, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, 0,
	      34, 16, 3000), -1); }

static void
t_rx_bad_unknown_gso_type(void)
{
	static const uint8_t bad[] = { 2, 3 /* UFO */, 6, 7, 0x7f, 0x82,
				       0x86 };
	unsigned int i, t;

	for (i = 0; i < sizeof(bad); i++)
		CHECK(rx(1, bad[i], 1448, 34, 16, 3000) == -1,
		       "gso_type 0x%x accepted", bad[i]);
	/* Exhaustive: only 0, 1, 4, 5 (each with or without ECN) pass. */
	for (t = 0; t < 256; t++) {
		int want = ((t & 0x7f) == 0 || (t & 0x7f) == 1 ||
			    (t & 0x7f) == 4 || (t & 0x7f) == 5) ? 0 : -1;

		CHECK(rx(1, (uint8_t)t, 1448, 34, 16, 3000) == want,
		       "gso_type 0x%x: want %d", t, want);
	}
}

int
main(void)
{
	size_t i;

	TEST(t_tx_no_offload);
	TEST(t_tx_tcp4_tso);
	TEST(t_tx_tcp4_tso_ecn);
	TEST(t_tx_tcp6_tso);
	TEST(t_tx_tcp6_tso_ecn);
	TEST(t_tx_tcp6_ext_hdrs);
	TEST(t_tx_tcp4_vlan_ipopts);
	TEST(t_tx_tcp_csum_only);
	TEST(t_tx_udp_csum_only);
	TEST(t_tx_udp_csum_headers_only);
	TEST(t_tx_uso);
	TEST(t_tx_uso_ecn_not_set);
	TEST(t_tx_uso_max_segments);
	TEST(t_tx_uso_refused_without_udp_gso);
	TEST(t_tx_gso_size_max);
	TEST(t_tx_ip_len_boundary);
	for (i = 0; i < sizeof(rejs) / sizeof(rejs[0]); i++) {
		tpk_case_begin("tx_reject_%s", rejs[i].name);
		run_rej(&rejs[i]);
		tpk_case_end();
	}
	TEST(t_tx_err_str);
	TEST(t_tx_accepted_invariants);
	TEST(t_rx_plain);
	TEST(t_rx_csum_partial_tcp);
	TEST(t_rx_csum_field_at_end);
	TEST(t_rx_data_valid);
	TEST(t_rx_tso4_measured);
	TEST(t_rx_tso6_ecn);
	TEST(t_rx_uso);
	TEST(t_rx_gso_without_needs_csum);
	TEST(t_rx_csum_fields_ignored_without_flag);
	TEST(t_rx_bad_csum_past_len);
	TEST(t_rx_bad_csum_start_past_len);
	TEST(t_rx_bad_csum_no_wrap);
	TEST(t_rx_bad_csum_len0);
	TEST(t_rx_bad_tso4_gso_size_0);
	TEST(t_rx_bad_tso6_gso_size_0);
	TEST(t_rx_bad_uso_gso_size_0);
	TEST(t_rx_bad_ecn_gso_size_0);
	TEST(t_rx_bad_unknown_gso_type);
	return tpk_test_done();
}
