/* SPDX-License-Identifier: BSD-3-Clause
 * lib's byte owners added for the driver: the TX header builder, VLAN
 * insertion, the CSUMNOTREADY checksum location, the coalescing peeks,
 * frame and ring geometry, the rtnetlink link-message parser and the V3
 * cursor's peek/commit and per-process view.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "tpk_coalesce.h"
#include "tpk_crc32c.h"
#include "tpk_geom.h"
#include "tpk_netif.h"
#include "tpk_pkt.h"
#include "tpk_txhdr.h"
#include "tpk_v3.h"
#include "tpk_vnet.h"
#include "tpk_check.h"
#include "tpk_test_pkt.h"
#include "tpk_test_v3.h"

/* Ethernet + IPv4 (ihl 5) + TCP (doff 5) + plen payload bytes. */
static uint32_t
v4_tcp(uint8_t *f, uint32_t plen, uint32_t pad)
{
	uint32_t n = tb_eth(f, 0x0800);

	n += tb_ipv4(f + n, 5, (uint16_t)(20 + 20 + plen), 7, 0, IPPROTO_TCP);
	n += tb_tcp(f + n, 1000, 5, TB_ACK);
	tb_fill(f + n, plen + pad, plen);
	return n + plen + pad;
}

/* A request for the headers v4_tcp() makes: IPv4 (20) + TCP (20). */
static struct tpk_txh_req
v4_tcp_req(uint32_t wire_len)
{
	struct tpk_txh_req r = {
		.pi = { .l2_len = 14, .l3_len = 20, .l4_len = 20,
			.l3 = TPK_L3_IPV4, .l4_proto = IPPROTO_TCP },
		.src_len = 54, .wire_len = wire_len, .csum_start = 34,
		.csum_offset = 16,
	};

	return r;
}

static void
t_vlan_insert(void)
{
	uint8_t src[64], out[68], tag[4];

	tb_fill(src, sizeof(src), 1);
	tpk_vlan_insert(out, src, sizeof(src), 0x8100, 0x0123);
	CHECK(memcmp(out, src, 12) == 0);
	CHECK_EQ(be16(out + 12), 0x8100);
	CHECK_EQ(be16(out + 14), 0x0123);
	CHECK(memcmp(out + 16, src + 12, sizeof(src) - 12) == 0);
	tpk_vlan_tag(tag, 0x88a8, 0xfffe);
	CHECK(tag[0] == 0x88 && tag[1] == 0xa8 && tag[2] == 0xff &&
	      tag[3] == 0xfe);
}

/* VLAN only: the MAC addresses and a tag, nothing else rewritten. */
static void
t_build_vlan_only(void)
{
	uint8_t f[128], out[TPK_VLAN_HLEN + 12 + 8];
	struct tpk_txh_req r = { .src_len = 12, .vlan_insert = true,
				 .vlan_tci = 42 };
	uint32_t n = v4_tcp(f, 20, 0);

	r.wire_len = n + 4;
	memset(out, 0xee, sizeof(out));
	CHECK_EQ(tpk_txh_len(&r), 16);
	tpk_txh_build(&r, f, out);
	CHECK(memcmp(out, f, 12) == 0);
	CHECK_EQ(be16(out + 12), 0x8100);
	CHECK_EQ(be16(out + 14), 42);
	CHECK_EQ(out[16], 0xee);	/* nothing written past the length */
}

/*
 * A TSO request: IP length := frame, IPv4 checksum, pseudo-header sum
 * over the new L4 length; every other byte is the source's.
 */
static void
t_build_tso_v4(void)
{
	uint8_t f[2048], out[128];
	uint32_t n = v4_tcp(f, 1400, 0);
	struct tpk_txh_req r = v4_tcp_req(n + 1000);

	r.set_len = r.ip_csum = r.l4_pseudo = true;

	put16(f + 14 + 2, 1234);	/* wrong on purpose: rewritten */
	tpk_txh_build(&r, f, out);
	CHECK_EQ(be16(out + 14 + 2), n + 1000 - 14);
	CHECK(tpk_ipv4_csum_ok(out + 14, 20));
	/* The pseudo sum is the kernel's convention: not complemented. */
	CHECK_EQ(be16(out + 50), naive_pseudo(out + 14, 4, IPPROTO_TCP,
					       n + 1000 - 34));
	CHECK(memcmp(out, f, 16) == 0);
	CHECK(memcmp(out + 18, f + 18, 6) == 0);	/* id .. ttl, proto */
	CHECK(memcmp(out + 26, f + 26, 50 - 26) == 0);
	CHECK(memcmp(out + 52, f + 52, 2) == 0);
}

/* Padding after the IP packet is not L4: the pseudo length follows IP. */
static void
t_build_padded_pseudo(void)
{
	uint8_t f[128], out[64];
	uint32_t n = v4_tcp(f, 2, 4);	/* 60 bytes, 4 of them padding */
	struct tpk_txh_req r = v4_tcp_req(n);

	r.l4_pseudo = true;

	tpk_txh_build(&r, f, out);
	CHECK_EQ(be16(out + 50), naive_pseudo(out + 14, 4, IPPROTO_TCP, 22));
}

/* A software L4 checksum (padded frame) verifies over the IP length. */
static void
t_l4_csum_sw(void)
{
	uint8_t f[128], out[64];
	uint32_t n = v4_tcp(f, 6, 3);
	struct tpk_txh_req r = v4_tcp_req(n);
	uint16_t pay = (uint16_t)naive_fold(naive_sum(0, f + 54, 6));

	tpk_txh_build(&r, f, out);
	/* naive_fold gives the sum in wire order; the builder takes the
	 * native one, as tpk_csum_add makes it. */
	pay = (uint16_t)((pay >> 8) | (pay << 8));
	tpk_txh_l4_csum(&r, out, 54, 26, pay);
	memcpy(f, out, 54);
	CHECK(naive_l4_ok(f + 14, 4, IPPROTO_TCP, f + 34, 26));
}

static void
t_csum_loc(void)
{
	uint8_t f[256];
	struct tpk_pkt_info pi;
	uint16_t start = 0, off = 0;
	uint32_t n = tb_eth(f, 0x86dd);

	n += tb_ipv6(f + n, 8 + 10, IPPROTO_UDP);
	n += tb_udp(f + n, 18);
	CHECK_EQ(tpk_pkt_csum_loc(f, n + 10, &pi, &start, &off), 0);
	CHECK_EQ(start, 54);
	CHECK_EQ(off, 6);
	n = v4_tcp(f, 10, 0);
	CHECK_EQ(tpk_pkt_csum_loc(f, n, &pi, &start, &off), 0);
	CHECK_EQ(start, 34);
	CHECK_EQ(off, 16);
	put16(f + 14 + 6, 0x2000);	/* more fragments: no L4 to finish */
	CHECK_EQ(tpk_pkt_csum_loc(f, n, &pi, &start, &off), -1);
}

static void
t_coal_peeks(void)
{
	uint8_t a[256], b[256];
	uint32_t na = v4_tcp(a, 100, 0);

	v4_tcp(b, 50, 0);

	CHECK(tpk_coal_peek(a, na));
	CHECK(!tpk_coal_peek(a, 14 + 40 + 20));	/* no payload room */
	CHECK(tpk_coal_same_flow(a, b));
	put16(b + 34 + 2, 5202);		/* another port */
	CHECK(!tpk_coal_same_flow(a, b));
	put16(b + 34 + 2, 5201);
	b[14] = 0x46;				/* options: not compared */
	CHECK(!tpk_coal_same_flow(a, b));
	a[23] = IPPROTO_UDP;
	CHECK(!tpk_coal_peek(a, na));
	put16(a + 12, 0x8100);
	CHECK(!tpk_coal_peek(a, na));
}

static void
t_frame_sizes(void)
{
	CHECK_EQ(tpk_frame_len(1500, 0), 1514);
	CHECK_EQ(tpk_frame_len(1500, 1), 1518);
	CHECK_EQ(tpk_frame_len(9000, 2), 9022);
	CHECK_EQ(tpk_dev_frame_max(1500, 65536), 65540);
	CHECK_EQ(tpk_dev_frame_max(65535, 0), 65557);
	CHECK_EQ(tpk_ring_frame_cap(65536), 65536 - TPK_V3_FRAME_OVERHEAD);
	CHECK_EQ(tpk_ring_frame_cap(16), 0);
	CHECK_EQ(tpk_roundup_pow2(65537), 131072);
	CHECK_EQ(tpk_roundup_pow2(1), 1);
	CHECK_EQ(tpk_tx_slot_size(1518 + 64), 2048);
	CHECK_EQ(tpk_gso_segments(65000, 1), 65000);
	CHECK_EQ(tpk_gso_segments(65000, 1448), 45);
	CHECK(tpk_gso_segments(10, 0) > TPK_RX_GSO_MAX_SEGS);
}

static void
t_ring_geom(void)
{
	struct tpk_geom g;

	/* Defaults: a GRO frame fits a block; 4 MiB of ring. */
	CHECK_EQ(tpk_ring_geom(65540, 0, 0, 1ull << 31, &g), 0);
	CHECK_EQ(g.block_size, 131072);
	CHECK_EQ(g.nb_blocks, 32);
	CHECK(!g.short_blocks);
	/* Small frames: never below 64 KB blocks, at least 8 of them. */
	CHECK_EQ(tpk_ring_geom(1522, 0, 0, 1ull << 31, &g), 0);
	CHECK_EQ(g.block_size, 65536);
	CHECK_EQ(g.nb_blocks, 64);
	/* Big frames: the block grows, the count stays at 8 or more. */
	CHECK_EQ(tpk_ring_geom(512 * 1024, 0, 0, 1ull << 31, &g), 0);
	CHECK_EQ(g.block_size, 1u << 20);
	CHECK_EQ(g.nb_blocks, 8);
	/* Asked: kept, and said when a block cannot hold a frame. */
	CHECK_EQ(tpk_ring_geom(65540, 4096, 3, 1ull << 31, &g), 0);
	CHECK(g.block_size == 4096 && g.nb_blocks == 3 && g.short_blocks);
	/* Over the limit. */
	CHECK_EQ(tpk_ring_geom(65540, 1u << 30, 4, 1ull << 31, &g), -EINVAL);
}

/* A link message as rtnetlink sends it, with the attributes we read. */
static void
t_parse_link(void)
{
	union {
		struct nlmsghdr nh;
		uint8_t b[512];
	} m;
	struct ifinfomsg *ifi;
	struct rtattr *rta;
	struct tpk_link_msg lm;
	uint32_t v;

	memset(&m, 0, sizeof(m));
	m.nh.nlmsg_type = RTM_NEWLINK;
	m.nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	ifi = NLMSG_DATA(&m.nh);
	ifi->ifi_index = 7;
	ifi->ifi_flags = IFF_UP | IFF_RUNNING;
	ifi->ifi_type = 1;
#define ADD_ATTR(t, p, l) do { \
	rta = (struct rtattr *)((uint8_t *)&m + NLMSG_ALIGN(m.nh.nlmsg_len)); \
	rta->rta_type = (t); \
	rta->rta_len = RTA_LENGTH(l); \
	memcpy(RTA_DATA(rta), (p), (l)); \
	m.nh.nlmsg_len = NLMSG_ALIGN(m.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len); \
} while (0)
	v = 9000;
	ADD_ATTR(IFLA_MTU, &v, 4);
	v = 65536;
	ADD_ATTR(IFLA_GSO_MAX_SIZE, &v, 4);
	v = 131072;
	ADD_ATTR(IFLA_GRO_MAX_SIZE, &v, 4);
	ADD_ATTR(IFLA_IFNAME, "veth7", 6);
	ADD_ATTR(IFLA_CARRIER, "\1", 1);
	ADD_ATTR(IFLA_IFNAME + 1000, "junk", 4);	/* unknown: skipped */
	CHECK_EQ(tpk_netif_parse_link(&m.nh, &lm), 0);
	CHECK_EQ(lm.ifindex, 7);
	CHECK_EQ(lm.mtu, 9000);
	CHECK_EQ(lm.gso_max_size, 131072);
	CHECK_EQ(lm.carrier, 1);
	CHECK(strcmp(lm.name, "veth7") == 0);
	CHECK(lm.flags & IFF_RUNNING);
	/* An unterminated name is not copied. */
	ADD_ATTR(IFLA_IFNAME, "0123456789abcdef", 16);
	CHECK_EQ(tpk_netif_parse_link(&m.nh, &lm), 0);
	CHECK(strcmp(lm.name, "veth7") == 0);
#undef ADD_ATTR
	m.nh.nlmsg_type = RTM_NEWADDR;
	CHECK_EQ(tpk_netif_parse_link(&m.nh, &lm), -EINVAL);
	m.nh.nlmsg_type = RTM_DELLINK;
	m.nh.nlmsg_len = NLMSG_LENGTH(4);	/* shorter than ifinfomsg */
	CHECK_EQ(tpk_netif_parse_link(&m.nh, &lm), -EINVAL);
}

/* Peek does not consume; commit does; flush gives a used block back. */
static void
t_v3_peek_commit(void)
{
	struct tpk_v3_cursor c, shared, view;
	struct tpk_v3_frame f, g;
	uint8_t frame[100];
	struct rb r;

	tb_fill(frame, sizeof(frame), 3);
	if (rb_init(&r, 4096, 3, 0) < 0) {
		RECORD_FAILURE("no memory");
		return;
	}
	rb_begin(&r, 0);
	rb_add(&r, frame, 100, 100, 0, NULL);
	rb_add(&r, frame, 60, 60, 0, NULL);
	rb_end(&r, 0);
	memset(&c, 0, sizeof(c));
	tpk_v3_reset(&c, r.ring, r.bs, r.nb, 0);
	CHECK_EQ(tpk_v3_peek(&c, &f), TPK_V3_FRAME);
	CHECK_EQ(tpk_v3_peek(&c, &g), TPK_V3_FRAME);
	CHECK(f.data == g.data);		/* the same frame again */
	CHECK_EQ(c.blocks_full, 1);		/* opened once */
	tpk_v3_commit(&c);
	CHECK_EQ(tpk_v3_peek(&c, &g), TPK_V3_FRAME);
	CHECK(g.data != f.data && g.snaplen == 60);
	tpk_v3_commit(&c);
	CHECK(rb_desc(&r, 0)->hdr.bh1.block_status & TP_STATUS_USER);
	tpk_v3_flush(&c);
	CHECK_EQ(rb_desc(&r, 0)->hdr.bh1.block_status, TP_STATUS_KERNEL);
	CHECK_EQ(tpk_v3_peek(&c, &f), TPK_V3_END);
	/* A view: the shared copy never takes the view's ring address. */
	rb_begin(&r, 1);
	rb_add(&r, frame, 80, 80, 0, NULL);
	rb_end(&r, TP_STATUS_BLK_TMO);
	memset(&shared, 0, sizeof(shared));
	tpk_v3_reset(&shared, NULL, r.bs, r.nb, 0);
	shared.blk = 1;
	tpk_v3_load(&view, &shared, r.ring);
	CHECK_EQ(tpk_v3_peek(&view, &f), TPK_V3_FRAME);
	tpk_v3_commit(&view);
	tpk_v3_flush(&view);
	tpk_v3_store(&shared, &view);
	CHECK(shared.ring == NULL);
	CHECK_EQ(shared.blk, 2);
	CHECK_EQ(shared.blocks_tmo, 1);
	/* Reset keeps the counters. */
	tpk_v3_reset(&shared, r.ring, r.bs, r.nb, 0);
	CHECK_EQ(shared.blk, 0);
	CHECK_EQ(shared.blocks_tmo, 1);
	rb_free(&r);
}

/* RFC 3720 B.4 / the usual check value, and any split of the input. */
static void
t_crc32c(void)
{
	static const char v[] = "123456789";
	uint8_t b[4103];
	uint32_t whole, part;

	CHECK_EQ(~tpk_crc32c(~0u, v, 9), 0xe3069283u);
	tb_fill(b, sizeof(b), 9);
	whole = tpk_crc32c(~0u, b, sizeof(b));
	for (size_t cut = 0; cut < 40; cut += 3) {
		part = tpk_crc32c(tpk_crc32c(~0u, b, cut), b + cut,
				  sizeof(b) - cut);
		CHECK(part == whole, "split at %zu", cut);
	}
	/* Unaligned starts (the SCTP header sits at offset 34 of a frame). */
	CHECK_EQ(tpk_crc32c(~0u, b + 1, 100) ,
		 tpk_crc32c(tpk_crc32c(~0u, b + 1, 7), b + 8, 93));
}

int
main(void)
{
	TEST(t_crc32c);
	TEST(t_vlan_insert);
	TEST(t_build_vlan_only);
	TEST(t_build_tso_v4);
	TEST(t_build_padded_pseudo);
	TEST(t_l4_csum_sw);
	TEST(t_csum_loc);
	TEST(t_coal_peeks);
	TEST(t_frame_sizes);
	TEST(t_ring_geom);
	TEST(t_parse_link);
	TEST(t_v3_peek_commit);
	return tpk_test_done();
}
