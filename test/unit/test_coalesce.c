/* SPDX-License-Identifier: BSD-3-Clause
 * TX coalescing (tpk_coalesce.c). The main check is a round trip: a
 * super-frame as the kernel builds it is cut by the RX software GSO
 * (tpk_gso_fix_segment), the segments are coalesced again, and the
 * merged headers must equal the super-frame's byte for byte, with a
 * GSO request that reproduces the segments. Then every rule that must
 * stop a run (or refuse its head) is broken on purpose, one at a time.
 */
#include <stdlib.h>
#include <netinet/in.h>

#include "tpk_coalesce.h"
#include "tpk_csum.h"
#include "tpk_pkt.h"
#include "tpk_vnet.h"
#include "tpk_check.h"
#include "tpk_test_pkt.h"

#define MAXSEG 80

static uint8_t sf[70000];		/* the super-frame */
static uint32_t sf_len, sf_hdr;
static struct tpk_pkt_info sf_pi;
static uint8_t *seg[MAXSEG];		/* its segments, each malloc'ed */
static uint32_t seg_len[MAXSEG];
static uint32_t nb_seg;

/* Super-frame: IPv4 (id0, DF) or IPv6, TCP with timestamps, pay bytes. */
static void
build(int v, uint32_t pay, uint16_t id0, uint32_t seq0, uint8_t flags)
{
	uint32_t n, l3, l4;

	n = tb_eth(sf, v == 4 ? 0x0800 : 0x86dd);
	l3 = n;
	if (v == 4)
		n += tb_ipv4(sf + n, 5, (uint16_t)(20 + 32 + pay), id0, 0x4000,
			     IPPROTO_TCP);
	else
		n += tb_ipv6(sf + n, (uint16_t)(32 + pay), IPPROTO_TCP);
	l4 = n;
	n += tb_tcp(sf + n, seq0, 8, flags);
	tb_fill(sf + n, pay, seq0 + pay);
	n += pay;
	put16(sf + l4 + 16, naive_pseudo(sf + l3, v, IPPROTO_TCP, 32 + pay));
	sf_len = n;
	if (!CHECK(tpk_pkt_parse(sf, n, &sf_pi) == 0))
		return;
	sf_hdr = sf_pi.l2_len + sf_pi.l3_len + sf_pi.l4_len;
}

static void
free_segs(void)
{
	for (uint32_t i = 0; i < nb_seg; i++)
		free(seg[i]);
	nb_seg = 0;
}

/* Cut the super-frame into mss-sized segments with full checksums. */
static void
cut(uint32_t mss)
{
	uint32_t pay = sf_len - sf_hdr, off = 0;

	free_segs();
	while (off < pay) {
		uint32_t plen = pay - off < mss ? pay - off : mss;

		if (!CHECK(nb_seg < MAXSEG))
			return;
		seg_len[nb_seg] = sf_hdr + plen;
		seg[nb_seg] = malloc(seg_len[nb_seg]);	/* exact, for ASan */
		if (!CHECK(seg[nb_seg] != NULL))
			return;
		memcpy(seg[nb_seg], sf, sf_hdr);
		memcpy(seg[nb_seg] + sf_hdr, sf + sf_hdr + off, plen);
		tpk_gso_fix_segment(seg[nb_seg], &sf_pi, nb_seg, off, plen,
				    off + plen == pay, true);
		nb_seg++;
		off += plen;
	}
}

/* Coalesce segments from 0; returns how many were merged. */
static uint32_t
run(struct tpk_coal *c)
{
	uint32_t n;

	if (tpk_coal_start(c, seg[0], seg_len[0], 0) < 0)
		return 0;
	for (n = 1; n < nb_seg; n++)
		if (tpk_coal_add(c, seg[0], seg[n], seg_len[n], 0) < 0)
			break;
	return n;
}

/* Recompute the L4 checksum field of segment i after a change. */
static void
refresh_csum(uint32_t i)
{
	uint8_t *ip = seg[i] + sf_pi.l2_len, *l4 = ip + sf_pi.l3_len;
	uint32_t l4tot = seg_len[i] - sf_pi.l2_len - sf_pi.l3_len;
	uint16_t c;

	if (sf_pi.l3 == TPK_L3_IPV4) {
		put16(ip + 10, 0);
		put16(ip + 10, naive_csum(ip, sf_pi.l3_len));
	}
	put16(l4 + 16, 0);
	c = naive_pseudo(ip, sf_pi.l3 == TPK_L3_IPV4 ? 4 : 6, IPPROTO_TCP,
			 l4tot);
	put16(l4 + 16, (uint16_t)~naive_fold(naive_sum(c, l4, l4tot)));
}

static void
round_trip(int v, uint32_t pay, uint32_t mss, uint16_t id0, uint32_t seq0,
	   uint8_t flags)
{
	struct tpk_coal c;
	struct tpk_tx_req r;
	struct virtio_net_hdr vh;
	uint8_t out[256];
	uint32_t n;

	build(v, pay, id0, seq0, flags);
	cut(mss);
	n = run(&c);
	CHECK(n == nb_seg, "merged %u of %u segments", n, nb_seg);
	CHECK_EQ(c.nb, nb_seg);
	CHECK_EQ(c.payload, pay);
	CHECK_EQ(c.mss, mss < pay ? mss : pay);
	CHECK_EQ(c.hdr_len, sf_hdr);
	tpk_coal_finish(&c, seg[0], out, &r);
	/* The super-frame's headers exactly, pseudo-header sum included. */
	CHECK_MEM(out, sf, sf_hdr);
	CHECK_EQ(r.pkt_len, sf_len);
	CHECK_EQ(r.l2_len, 14);
	CHECK_EQ(r.l3_len, v == 4 ? 20 : 40);
	CHECK_EQ(r.l4_len, 32);
	CHECK_EQ(r.segsz, c.mss);
	CHECK(r.gso && r.l4_csum && r.l4_proto == IPPROTO_TCP);
	CHECK_EQ(r.ecn, (flags & TB_CWR) != 0);
	if (!CHECK_EQ(tpk_vnet_tx_fill(&r, &vh, false), TPK_TX_OK))
		return;
	CHECK_EQ(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(vh.gso_type, (v == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 :
			       VIRTIO_NET_HDR_GSO_TCPV6) |
		 ((flags & TB_CWR) ? VIRTIO_NET_HDR_GSO_ECN : 0));
	CHECK_EQ(vh.gso_size, c.mss);
	CHECK_EQ(vh.csum_start, 14 + (v == 4 ? 20 : 40));
	CHECK_EQ(vh.csum_offset, 16);
	CHECK_EQ(vh.hdr_len, sf_hdr);
}

static void t_rt_tcp4(void) { round_trip(4, 10 * 1448, 1448, 7, 1000, TB_ACK); }
static void t_rt_tcp4_psh_tail(void)
{ round_trip(4, 10 * 1448 + 777, 1448, 0xfffe, 0xfffffff0u, TB_ACK | TB_PSH); }
static void t_rt_tcp4_cwr(void)
{ round_trip(4, 5 * 1448, 1448, 3, 5, TB_ACK | TB_CWR | TB_PSH); }
static void t_rt_tcp6(void) { round_trip(6, 20 * 1428 + 1, 1428, 0, 9, TB_ACK); }
static void t_rt_two(void) { round_trip(6, 1500, 1000, 0, 9, TB_ACK | TB_PSH); }
static void t_rt_max_segs(void)
{ round_trip(4, TPK_COAL_MAX_SEGS * 100, 100, 1, 1, TB_ACK); }

/* Ends of a run: merging stops before segment k (or merges up to k). */
static void
expect_stop(uint32_t want, const char *why)
{
	struct tpk_coal c;
	uint32_t n = run(&c);

	CHECK(n == want, "%s: merged %u, want %u", why, n, want);
}

/* Give segment k a new buffer of len bytes (exact, for ASan). */
static bool
seg_resize(uint32_t k, uint32_t len)
{
	free(seg[k]);
	seg_len[k] = len;
	seg[k] = malloc(len);
	return CHECK(seg[k] != NULL, "malloc %u", len);
}

static void
t_stop_cases(void)
{
	static const struct { int v; } vs[] = { { 4 }, { 6 } };

	for (unsigned int i = 0; i < 2; i++) {
		int v = vs[i].v;
		uint32_t l3 = v == 4 ? 20 : 40, th = 14 + l3;

		build(v, 8 * 1000, 100, 5000, TB_ACK);
		cut(1000);
		seg[3][seg_len[3] - 1] ^= 0x40;
		expect_stop(3, "payload corrupted");

		cut(1000);
		seg[3][th + 17] ^= 1;
		expect_stop(3, "TCP checksum wrong");

		cut(1000);
		seg[4][0] ^= 1;		/* destination MAC */
		refresh_csum(4);
		expect_stop(4, "other MAC");

		cut(1000);
		seg[2][th + 1] ^= 1;	/* destination port */
		refresh_csum(2);
		expect_stop(2, "other port");

		cut(1000);
		put32(seg[5] + th + 4, be32(seg[5] + th + 4) + 1);
		refresh_csum(5);
		expect_stop(5, "sequence gap");

		cut(1000);
		put32(seg[5] + th + 8, 7);	/* ack */
		refresh_csum(5);
		expect_stop(5, "other ack");

		cut(1000);
		put16(seg[5] + th + 14, 1);	/* window */
		refresh_csum(5);
		expect_stop(5, "other window");

		cut(1000);
		seg[5][th + 27] ^= 1;		/* timestamp value */
		refresh_csum(5);
		expect_stop(5, "other TCP option");

		cut(1000);
		seg[2][th + 13] |= TB_PSH;	/* PSH ends the run after it */
		refresh_csum(2);
		expect_stop(3, "PSH in the middle");

		cut(1000);
		seg[2][th + 13] |= TB_FIN;
		refresh_csum(2);
		expect_stop(2, "FIN");

		cut(1000);
		seg[2][th + 13] |= TB_CWR;
		refresh_csum(2);
		expect_stop(2, "CWR after the first");

		cut(1000);
		seg[2][th + 13] |= TB_URG;
		refresh_csum(2);
		expect_stop(2, "URG");

		cut(1000);
		seg[1][14 + 1] ^= 0x03;		/* IP ECN / traffic class */
		refresh_csum(1);
		expect_stop(1, "other ToS");

		/* A shorter segment is the last one of a run. */
		build(v, 3 * 1000 + 500 + 3 * 1000, 100, 5000, TB_ACK);
		cut(1000);
		if (!seg_resize(3, th + 32 + 500))
			return;
		memcpy(seg[3], seg[2], seg_len[3]);
		put32(seg[3] + th + 4, be32(seg[2] + th + 4) + 1000);
		if (v == 4) {
			put16(seg[3] + 14 + 2, (uint16_t)(seg_len[3] - 14));
			put16(seg[3] + 14 + 4, be16(seg[2] + 14 + 4) + 1);
		} else {
			put16(seg[3] + 14 + 4, (uint16_t)(seg_len[3] - 54));
		}
		refresh_csum(3);
		expect_stop(4, "short segment closes the run");

		/* A larger segment than the first cannot follow it. */
		build(v, 1000 + 1200, 100, 5000, TB_ACK);
		cut(1000);
		free_segs();
		build(v, 2200, 100, 5000, TB_ACK);
		{
			struct tpk_coal c;
			uint32_t a = th + 32 + 1000;

			/* seg 0: 1000 bytes; seg 1: 1200 bytes after it. */
			cut(1000);
			if (!seg_resize(1, th + 32 + 1200))
				return;
			memcpy(seg[1], seg[0], th + 32);
			memcpy(seg[1] + th + 32, sf + sf_hdr + 1000, 1200);
			tpk_gso_fix_segment(seg[1], &sf_pi, 1, 1000, 1200, true,
					    true);
			if (!CHECK(tpk_coal_start(&c, seg[0], a, 0) == 0))
				return;
			CHECK(tpk_coal_add(&c, seg[0], seg[1], seg_len[1], 0) < 0);
		}
	}
	free_segs();
}

static void
t_ipv4_id_rules(void)
{
	build(4, 4 * 1000, 0xffff, 1, TB_ACK);
	cut(1000);
	expect_stop(4, "id wraps");
	put16(seg[2] + 14 + 4, be16(seg[1] + 14 + 4));	/* same id */
	refresh_csum(2);
	expect_stop(2, "id not incremented");
	cut(1000);
	put16(seg[2] + 14 + 10, be16(seg[2] + 14 + 10) ^ 1);
	expect_stop(2, "IPv4 header checksum wrong");
	cut(1000);
	seg[3][14 + 8]--;				/* TTL */
	refresh_csum(3);
	expect_stop(3, "other TTL");
	free_segs();
}

/* Frames that cannot head a run. */
static void
t_start_refused(void)
{
	struct tpk_coal c;
	uint8_t f[2000];
	uint32_t n, l4;

	build(4, 1000, 1, 1, TB_ACK);
	CHECK(tpk_coal_start(&c, sf, sf_len, 0) < 0);	/* pseudo sum only */
	cut(1000);
	CHECK(tpk_coal_start(&c, seg[0], seg_len[0], 0) == 0);
	CHECK(tpk_coal_start(&c, seg[0], seg_len[0] - 1, 0) < 0);
	CHECK(tpk_coal_start(&c, seg[0], sf_hdr, 0) < 0);	/* no payload */

	static const uint8_t bad_flags[] = { TB_ACK | TB_PSH, TB_ACK | TB_FIN,
		TB_SYN | TB_ACK, TB_RST | TB_ACK, 0, TB_ACK | TB_URG,
		TB_ACK | TB_ECE };
	for (unsigned int i = 0; i < sizeof(bad_flags); i++) {
		seg[0][14 + 20 + 13] = bad_flags[i];
		refresh_csum(0);
		CHECK(tpk_coal_start(&c, seg[0], seg_len[0], 0) < 0,
		       "flags 0x%02x accepted", bad_flags[i]);
	}
	free_segs();

	/* IPv4 options, VLAN tag, IPv6 extension header, UDP, padding. */
	n = tb_eth(f, 0x0800);
	n += tb_ipv4(f + n, 6, 24 + 20 + 100, 1, 0x4000, IPPROTO_TCP);
	l4 = n;
	n += tb_tcp(f + n, 1, 5, TB_ACK);
	n += 100;
	put16(f + l4 + 16, 0);
	CHECK(tpk_coal_start(&c, f, n, 0) < 0);

	n = tb_eth(f, 0x8100);
	n += tb_vlan(f + n, 5, 0x0800);
	n += tb_ipv4(f + n, 5, 20 + 20 + 100, 1, 0x4000, IPPROTO_TCP);
	n += tb_tcp(f + n, 1, 5, TB_ACK);
	CHECK(tpk_coal_start(&c, f, n + 100, 0) < 0);

	n = tb_eth(f, 0x86dd);
	n += tb_ipv6(f + n, 8 + 20 + 100, 0);
	n += tb_v6ext(f + n, IPPROTO_TCP, 0);
	n += tb_tcp(f + n, 1, 5, TB_ACK);
	CHECK(tpk_coal_start(&c, f, n + 100, 0) < 0);

	n = tb_eth(f, 0x0800);
	n += tb_ipv4(f + n, 5, 20 + 8 + 100, 1, 0x4000, IPPROTO_UDP);
	n += tb_udp(f + n, 108);
	CHECK(tpk_coal_start(&c, f, n + 100, 0) < 0);

	/* Ethernet padding after a short segment: lengths disagree. */
	build(4, 4, 1, 1, TB_ACK);
	cut(4);
	memcpy(f, seg[0], seg_len[0]);
	memset(f + seg_len[0], 0, 8);
	CHECK(tpk_coal_start(&c, f, seg_len[0], 0) == 0);
	CHECK(tpk_coal_start(&c, f, seg_len[0] + 8, 0) < 0);
	free_segs();

	/* Garbage and truncations never read out of bounds (ASan run). */
	build(6, 3000, 1, 1, TB_ACK);
	cut(1000);
	for (uint32_t len = 0; len < seg_len[0]; len += 7) {
		uint8_t *t = malloc(len ? len : 1);

		if (!CHECK(t != NULL))
			return;
		memcpy(t, seg[0], len);
		CHECK(tpk_coal_start(&c, t, len, 0) < 0);
		free(t);
	}
	if (!CHECK(tpk_coal_start(&c, seg[0], seg_len[0], 0) == 0))
		return;
	for (uint32_t len = 0; len < seg_len[1]; len += 7) {
		uint8_t *t = malloc(len ? len : 1);

		if (!CHECK(t != NULL))
			return;
		memcpy(t, seg[1], len);
		CHECK(tpk_coal_add(&c, seg[0], t, len, 0) < 0);
		free(t);
	}
	free_segs();
}

/*
 * 0xffff verifies like 0x0000 but is never what a recomputation writes:
 * such a segment is not merged, so that the wire stays byte-identical.
 */
static void
t_csum_ffff(void)
{
	uint32_t th = 14 + 20, w, c;
	uint8_t *l4;

	build(4, 4 * 1000, 1, 1, TB_ACK);
	cut(1000);
	/* Make segment 1's true TCP checksum 0x0000 via a payload word. */
	l4 = seg[1] + th;
	c = be16(l4 + 16);
	w = be16(l4 + 32) + c;
	put16(l4 + 32, (uint16_t)((w & 0xffff) + (w >> 16)));
	put16(l4 + 16, 0);
	CHECK(naive_fold(naive_sum(naive_pseudo(seg[1] + 14, 4, IPPROTO_TCP,
						 seg_len[1] - th),
				    l4, seg_len[1] - th)) == 0xffff,
	       "test setup: checksum 0 does not verify");
	expect_stop(4, "checksum 0x0000");
	put16(l4 + 16, 0xffff);
	expect_stop(1, "checksum 0xffff");
	free_segs();
}

/* The merged IPv4 total length must fit 16 bits. */
static void
t_64k_limit(void)
{
	struct tpk_coal c;
	uint32_t n;

	build(4, 65535 - 20 - 32, 1, 1, TB_ACK);
	cut(8000);
	n = run(&c);
	CHECK_EQ(n, nb_seg);
	CHECK_EQ(c.payload, 65535u - 52);
	/* One more byte in the last segment would overflow tot_len. */
	build(4, 65535 - 20 - 32 + 1, 1, 1, TB_ACK);
	cut(8000);
	n = run(&c);
	CHECK_EQ(n, nb_seg - 1);
	free_segs();
}

/*
 * Checksums the sender asked to have computed (TX checksum offload) hold
 * no data: with TPK_COAL_* they are not checked, without they stop the
 * run. The merged headers are the super-frame's all the same (the kernel
 * writes every segment's checksums from them).
 */
static void
t_csum_offloaded(void)
{
	static const unsigned int offs[] = { TPK_COAL_L4_CSUM,
		TPK_COAL_L4_CSUM | TPK_COAL_IP_CSUM };
	struct tpk_coal c;
	struct tpk_tx_req r;
	uint8_t out[256];

	for (unsigned int k = 0; k < 2; k++) {
		unsigned int off = offs[k];
		uint32_t n;

		build(4, 6 * 1000 + 10, 40, 7, TB_ACK | TB_PSH);
		cut(1000);
		/* What an application leaves there: 0 or a pseudo sum. */
		for (uint32_t i = 0; i < nb_seg; i++) {
			put16(seg[i] + 14 + 20 + 16, i & 1 ? 0 : 0x1234);
			if (off & TPK_COAL_IP_CSUM)
				put16(seg[i] + 14 + 10, 0);
		}
		CHECK(tpk_coal_start(&c, seg[0], seg_len[0], 0) < 0);
		if (!CHECK(tpk_coal_start(&c, seg[0], seg_len[0], off) == 0))
			return;
		for (n = 1; n < nb_seg; n++)
			if (tpk_coal_add(&c, seg[0], seg[n], seg_len[n],
					 off) < 0)
				break;
		CHECK(n == nb_seg, "off %#x: merged %u of %u", off, n, nb_seg);
		tpk_coal_finish(&c, seg[0], out, &r);
		CHECK_MEM(out, sf, sf_hdr);
		CHECK_EQ(r.pkt_len, sf_len);
		/* A segment without the request must carry valid checksums. */
		if (!CHECK(tpk_coal_start(&c, seg[0], seg_len[0], off) == 0))
			return;
		CHECK(tpk_coal_add(&c, seg[0], seg[1], seg_len[1],
				   off & ~TPK_COAL_L4_CSUM) < 0);
		if (off & TPK_COAL_IP_CSUM) {
			refresh_csum(1);	/* both valid again */
			put16(seg[1] + 14 + 10, 0);
			CHECK(tpk_coal_add(&c, seg[0], seg[1], seg_len[1],
					   TPK_COAL_L4_CSUM) < 0);
			CHECK(tpk_coal_add(&c, seg[0], seg[1], seg_len[1],
					   off) == 0);
		}
		/* Offloaded checksums do not relax any other rule. */
		if (!CHECK(tpk_coal_start(&c, seg[0], seg_len[0], off) == 0))
			return;
		seg[1][14 + 8]--;	/* TTL */
		CHECK(tpk_coal_add(&c, seg[0], seg[1], seg_len[1], off) < 0);
		free_segs();
	}
}

int
main(void)
{
	TEST(t_rt_tcp4);
	TEST(t_rt_tcp4_psh_tail);
	TEST(t_rt_tcp4_cwr);
	TEST(t_rt_tcp6);
	TEST(t_rt_two);
	TEST(t_rt_max_segs);
	TEST(t_stop_cases);
	TEST(t_ipv4_id_rules);
	TEST(t_start_refused);
	TEST(t_64k_limit);
	TEST(t_csum_ffff);
	TEST(t_csum_offloaded);
	return tpk_test_done();
}
