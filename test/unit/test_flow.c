/* SPDX-License-Identifier: BSD-3-Clause
 * Flow rules (lib/tpk_flow.h): the key of a received frame, the pattern
 * compiler (items as wire header bytes, port ranges split into prefixes),
 * the rule table and its walk, and all of them end to end on real frames.
 *
 * Item specs are written here as raw bytes at their RFC offsets, not
 * through struct iphdr & co., so that the compiler's header layout is
 * checked against the wire rather than against itself.
 */
#include <errno.h>
#include <stddef.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "tpk_flow.h"
#include "tpk_check.h"
#include "tpk_test_pkt.h"

#define NB_MATCH 8

static struct tpk_flow_match match_mem[NB_MATCH];
static struct tpk_flow_table table_mem;

/* Match slot i, poisoned: what the compiler does not write shows. */
static struct tpk_flow_match *
match_slot(int i)
{
	memset(&match_mem[i], 0xee, sizeof(match_mem[i]));
	return &match_mem[i];
}

static struct tpk_flow_table *
table_slot(void)
{
	return &table_mem;
}

static uint8_t fr[256];

/* ---- items ------------------------------------------------------------ */

static struct tpk_flow_item
item(uint32_t type, const void *spec, const void *last, const void *mask)
{
	struct tpk_flow_item it = {
		.type = type, .len = tpk_flow_item_len(type),
		.spec = spec, .last = last, .mask = mask,
	};

	return it;
}

static const struct tpk_flow_item it_end = { .type = TPK_FI_END };

/* Item header buffers (the largest header is IPv6's 40 bytes). */
struct hb {
	uint8_t s[40], l[40], m[40];
};

static void
hb_clear(struct hb *h)
{
	memset(h, 0, sizeof(*h));
}

/* A key with every byte zero, fields then set by the case. */
static void
key_zero(struct tpk_flow_key *v, struct tpk_flow_key *m)
{
	memset(v, 0, sizeof(*v));
	memset(m, 0, sizeof(*m));
}

/* Is val inside mask, byte for byte? */
static bool
val_in_mask(const struct tpk_flow_key *v, const struct tpk_flow_key *m)
{
	const uint8_t *vb = (const uint8_t *)v, *mb = (const uint8_t *)m;
	size_t i;

	for (i = 0; i < sizeof(*v); i++)
		if (vb[i] & ~mb[i])
			return false;
	return true;
}

/* Compile, check success and a single value/mask equal to ev/em. */
static void
check_single(const struct tpk_flow_item *items, uint32_t n,
	     const struct tpk_flow_key *ev, const struct tpk_flow_key *em)
{
	struct tpk_flow_match *m = match_slot(0);
	struct tpk_flow_err err = { 7, NULL };
	int ret = tpk_flow_pattern(m, items, n, &err);

	if (!CHECK_EQ(ret, 0) || !CHECK_EQ(m->nb, 1)) {
		if (err.msg)
			RECORD_FAILURE("refused at %d: %s", err.index, err.msg);
		return;
	}
	CHECK_MEM(&m->mask[0], em, sizeof(*em));
	CHECK_MEM(&m->val[0], ev, sizeof(*ev));
}

/* Compile, check success only. */
static void
check_single_ok(const struct tpk_flow_item *items, uint32_t n)
{
	struct tpk_flow_match *m = match_slot(0);
	struct tpk_flow_err err = { 7, NULL };

	if (!CHECK_EQ(tpk_flow_pattern(m, items, n, &err), 0) && err.msg)
		RECORD_FAILURE("refused at %d: %s", err.index, err.msg);
}

/* Compile; expect ret, a message and (idx >= -1) the item index. */
static void
check_refused(const struct tpk_flow_item *items, uint32_t n, int want, int idx)
{
	struct tpk_flow_match *m = match_slot(0);
	struct tpk_flow_err err = { 77, NULL };
	int ret = tpk_flow_pattern(m, items, n, &err);

	CHECK_EQ(ret, want);
	CHECK(err.msg != NULL && err.msg[0] != '\0');
	if (idx >= -1)
		CHECK_EQ(err.index, idx);
	/* A NULL err is allowed too. */
	CHECK_EQ(tpk_flow_pattern(m, items, n, NULL), want);
}

/* ---- frames ------------------------------------------------------------ */

static uint32_t
udp4(uint8_t *f, uint16_t frag)
{
	uint32_t n = tb_eth(f, 0x0800);

	n += tb_ipv4(f + n, 5, 28 + 4, 1, frag, IPPROTO_UDP);
	n += tb_udp(f + n, 12);
	memset(f + n, 0x5a, 4);
	return n + 4;
}

static uint32_t
tcp6(uint8_t *f, uint16_t dport)
{
	uint32_t n = tb_eth(f, 0x86dd);

	n += tb_ipv6(f + n, 20, IPPROTO_TCP);
	f[14] = 0x6a;		/* traffic class 0xab: 6a b1 */
	f[15] = 0xb1;
	n += tb_tcp(f + n, 1, 5, TB_SYN);
	put16(f + 14 + 40 + 2, dport);
	return n;
}

static uint32_t
icmp4(uint8_t *f, uint8_t type, uint8_t code)
{
	uint32_t n = tb_eth(f, 0x0800);

	n += tb_ipv4(f + n, 5, 28, 1, 0, IPPROTO_ICMP);
	f[n] = type;
	f[n + 1] = code;
	put16(f + n + 2, 0xbeef);
	memset(f + n + 4, 0, 4);
	return n + 8;
}

/* The key an IPv4 UDP frame from udp4() should give, l4 included. */
static void
key_udp4(struct tpk_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->dst, tb_mac_dst, 6);
	memcpy(k->src, tb_mac_src, 6);
	k->eth_type = k->inner_type = htons(0x0800);
	k->l3 = 4;
	k->proto = IPPROTO_UDP;
	k->tos = 0x02;
	k->l4 = 1;
	memcpy(k->ip_src, tb_v4_src, 4);
	memcpy(k->ip_dst, tb_v4_dst, 4);
	k->sport = htons(40001);
	k->dport = htons(4789);
}

/* ---- the key of a frame ------------------------------------------------- */

static void
t_key_udp4_untagged(void)
{
	struct tpk_flow_key k, want;
	uint32_t n = udp4(fr, 0x4000);	/* DF */

	memset(&k, 0xee, sizeof(k));
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	key_udp4(&want);
	CHECK_MEM(&k, &want, sizeof(k));
	/* tpid/tci are ignored when untagged. */
	tpk_flow_key_frame(&k, fr, n, false, 0x88a8, 0x1234);
	CHECK_MEM(&k, &want, sizeof(k));
}

static void
t_key_udp4_tagged(void)
{
	struct tpk_flow_key k, want;
	uint32_t n = udp4(fr, 0);

	tpk_flow_key_frame(&k, fr, n, true, 0x88a8, 0xe064);
	key_udp4(&want);
	want.tagged = 1;
	want.eth_type = htons(0x88a8);
	want.tci = htons(0xe064);	/* PCP and DEI kept */
	CHECK_MEM(&k, &want, sizeof(k));
	/* No TPID in the metadata: 802.1Q. */
	tpk_flow_key_frame(&k, fr, n, true, 0, 100);
	want.eth_type = htons(0x8100);
	want.tci = htons(100);
	CHECK_MEM(&k, &want, sizeof(k));
	CHECK_EQ(ntohs(k.inner_type), 0x0800);
}

static void
t_key_tcp6(void)
{
	struct tpk_flow_key k, want;
	uint32_t n = tcp6(fr, 5201);

	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	memset(&want, 0, sizeof(want));
	memcpy(want.dst, tb_mac_dst, 6);
	memcpy(want.src, tb_mac_src, 6);
	want.eth_type = want.inner_type = htons(0x86dd);
	want.l3 = 6;
	want.proto = IPPROTO_TCP;
	want.tos = 0xab;
	want.l4 = 1;
	memcpy(want.ip_src, tb_v6_src, 16);
	memcpy(want.ip_dst, tb_v6_dst, 16);
	want.sport = htons(40000);
	want.dport = htons(5201);
	CHECK_MEM(&k, &want, sizeof(k));
	/* 40 bytes of IPv6 and 3 of L4: the L3 but no ports. */
	tpk_flow_key_frame(&k, fr, 14 + 40 + 3, false, 0, 0);
	CHECK_EQ(k.l3, 6);
	CHECK_EQ(k.l4, 0);
	CHECK_EQ(k.sport, 0);
	CHECK_EQ(k.dport, 0);
	/* Exactly 4 bytes of L4 are enough. */
	tpk_flow_key_frame(&k, fr, 14 + 40 + 4, false, 0, 0);
	CHECK_EQ(k.l4, 1);
	CHECK_EQ(ntohs(k.dport), 5201);
}

/* Only the fragment at offset 0 has the L4 header. */
static void
t_key_frag(void)
{
	struct tpk_flow_key k, want;
	uint32_t n = udp4(fr, 0x2000);	/* MF, offset 0: the first */

	key_udp4(&want);
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	CHECK_MEM(&k, &want, sizeof(k));
	n = udp4(fr, 0x2000 | 185);	/* MF, offset 1480 */
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	want.l4 = 0;
	want.sport = want.dport = 0;
	CHECK_MEM(&k, &want, sizeof(k));
	n = udp4(fr, 0x4000 | 1);	/* the last one, offset 8, DF set */
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	CHECK_MEM(&k, &want, sizeof(k));
	CHECK_EQ(k.l3, 4);
}

static void
t_key_icmp(void)
{
	struct tpk_flow_key k;
	uint32_t n = icmp4(fr, 8, 3);
	const uint8_t *sp = (const uint8_t *)&k.sport;

	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	CHECK_EQ(k.l3, 4);
	CHECK_EQ(k.proto, IPPROTO_ICMP);
	CHECK_EQ(k.l4, 1);
	CHECK_EQ(sp[0], 8);	/* type */
	CHECK_EQ(sp[1], 3);	/* code */
	CHECK_EQ(ntohs(k.dport), 0xbeef);	/* the checksum */
}

/* Frames too short for a layer leave it out (and everything above it). */
static void
t_key_short(void)
{
	struct tpk_flow_key k, zero;
	uint32_t n = udp4(fr, 0), len;

	memset(&zero, 0, sizeof(zero));
	for (len = 0; len < 14; len++) {
		memset(&k, 0xee, sizeof(k));
		tpk_flow_key_frame(&k, fr, len, true, 0x8100, 5);
		CHECK(memcmp(&k, &zero, sizeof(k)) == 0, "len %u", len);
	}
	for (len = 14; len < 14 + 20; len++) {
		tpk_flow_key_frame(&k, fr, len, false, 0, 0);
		CHECK(k.l3 == 0 && k.proto == 0 && k.l4 == 0 &&
		      k.ip_src[0] == 0, "len %u", len);
		CHECK_EQ(ntohs(k.eth_type), 0x0800);
		CHECK_MEM(k.dst, tb_mac_dst, 6);
	}
	for (len = 14 + 20; len < 14 + 24; len++) {
		tpk_flow_key_frame(&k, fr, len, false, 0, 0);
		CHECK(k.l3 == 4 && k.l4 == 0 && k.sport == 0 && k.dport == 0,
		      "len %u", len);
	}
	tpk_flow_key_frame(&k, fr, 14 + 24, false, 0, 0);
	CHECK_EQ(k.l4, 1);
	CHECK_EQ(n, 14 + 28 + 4);
	n = tcp6(fr, 80);
	tpk_flow_key_frame(&k, fr, 14 + 39, false, 0, 0);
	CHECK_EQ(k.l3, 0);
	CHECK_EQ(k.ip_src[0], 0);
	/* Neither IPv4 nor IPv6: L2 only. */
	tb_eth(fr, 0x0806);
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	CHECK_EQ(k.l3, 0);
	CHECK_EQ(ntohs(k.inner_type), 0x0806);
}

static void
t_key_bad_ihl(void)
{
	struct tpk_flow_key k;
	uint32_t n;
	unsigned int ihl;

	for (ihl = 0; ihl < 5; ihl++) {
		n = udp4(fr, 0);
		fr[14] = (uint8_t)(0x40 | ihl);
		tpk_flow_key_frame(&k, fr, n, false, 0, 0);
		CHECK(k.l3 == 0 && k.l4 == 0 && k.proto == 0, "ihl %u", ihl);
	}
	/* Version 6 under EtherType IPv4: not IPv4. */
	n = udp4(fr, 0);
	fr[14] = 0x65;
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	CHECK_EQ(k.l3, 0);
	/* ihl 15 past the end of the frame: L3 yes, L4 no. */
	n = udp4(fr, 0);
	fr[14] = 0x4f;
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	CHECK_EQ(k.l3, 4);
	CHECK_EQ(k.l4, 0);
	CHECK_EQ(k.sport, 0);
	/* ihl 6: the ports are after the options. */
	n = tb_eth(fr, 0x0800);
	n += tb_ipv4(fr + n, 6, 32, 1, 0, IPPROTO_UDP);
	n += tb_udp(fr + n, 8);
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	CHECK_EQ(k.l4, 1);
	CHECK_EQ(ntohs(k.sport), 40001);
	CHECK_EQ(ntohs(k.dport), 4789);
}

/* ---- patterns ----------------------------------------------------------- */

static void
t_pat_empty(void)
{
	struct tpk_flow_item items[3] = { { .type = TPK_FI_VOID },
					  { .type = TPK_FI_VOID }, it_end };
	struct tpk_flow_key ev, em;

	key_zero(&ev, &em);
	check_single(items, 0, &ev, &em);
	check_single(items, 3, &ev, &em);
	/* Items after END are not looked at. */
	items[0] = it_end;
	items[1].type = 200;
	check_single(items, 3, &ev, &em);
	CHECK_EQ(tpk_flow_item_len(TPK_FI_END), 0);
	CHECK_EQ(tpk_flow_item_len(TPK_FI_VOID), 0);
	CHECK_EQ(tpk_flow_item_len(TPK_FI_MAX), 0);
	CHECK_EQ(tpk_flow_item_len(TPK_FI_IPV6), 40);
	CHECK(strcmp(tpk_flow_item_name(TPK_FI_UDP), "udp") == 0);
	CHECK(strcmp(tpk_flow_item_name(999), "unknown") == 0);
}

static void
t_pat_eth(void)
{
	static const uint8_t mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	struct hb h;
	struct tpk_flow_item items[2];
	struct tpk_flow_key ev, em;

	hb_clear(&h);
	memcpy(h.s, mac, 6);
	memcpy(h.s + 6, tb_mac_src, 6);	/* masked out */
	put16(h.s + 12, 0x0800);
	memset(h.m, 0xff, 6);
	put16(h.m + 12, 0xffff);
	items[0] = item(TPK_FI_ETH, h.s, NULL, h.m);
	items[1] = it_end;
	key_zero(&ev, &em);
	memcpy(ev.dst, mac, 6);
	memset(em.dst, 0xff, 6);
	ev.eth_type = htons(0x0800);
	em.eth_type = 0xffff;
	check_single(items, 2, &ev, &em);
}

static void
t_pat_vlan(void)
{
	struct hb h;
	struct tpk_flow_item items[3];
	struct tpk_flow_key ev, em;

	hb_clear(&h);
	put16(h.s, 0xe064);		/* PCP 7, VID 100 */
	put16(h.s + 2, 0x86dd);
	items[0] = item(TPK_FI_ETH, NULL, NULL, NULL);
	items[1] = item(TPK_FI_VLAN, h.s, NULL, NULL);	/* default mask */
	items[2] = it_end;
	key_zero(&ev, &em);
	ev.tagged = 1;
	em.tagged = 0xff;
	ev.tci = htons(100);		/* 0x0fff: the VID only */
	em.tci = htons(0x0fff);
	check_single(items, 3, &ev, &em);
	/* Explicit mask: PCP and the inner type. */
	put16(h.m, 0xe000);
	put16(h.m + 2, 0xffff);
	items[1] = item(TPK_FI_VLAN, h.s, NULL, h.m);
	ev.tci = htons(0xe000);
	em.tci = htons(0xe000);
	ev.inner_type = htons(0x86dd);
	em.inner_type = 0xffff;
	check_single(items, 3, &ev, &em);
	/* A second tag cannot be matched. */
	items[1].flags_spec = items[1].flags_mask = TPK_FI_HAS_MORE_VLAN;
	check_refused(items, 3, -ENOTSUP, 1);
	items[1].flags_spec = 0;	/* "no more tags": fine */
	check_single(items, 3, &ev, &em);
}

static void
t_pat_has_vlan(void)
{
	struct tpk_flow_item items[2] = { item(TPK_FI_ETH, NULL, NULL, NULL),
					  it_end };
	struct tpk_flow_key ev, em;

	key_zero(&ev, &em);
	items[0].flags_mask = TPK_FI_HAS_VLAN;
	items[0].flags_spec = TPK_FI_HAS_VLAN;
	ev.tagged = 1;
	em.tagged = 0xff;
	check_single(items, 2, &ev, &em);
	items[0].flags_spec = 0;
	ev.tagged = 0;
	check_single(items, 2, &ev, &em);
	/* Not in the mask: not matched. */
	items[0].flags_mask = 0;
	items[0].flags_spec = TPK_FI_HAS_VLAN;
	em.tagged = 0;
	check_single(items, 2, &ev, &em);
}

/*
 * ETH has_vlan = 0 followed by a VLAN item asks for an untagged packet
 * with a tag: refused (it once compiled to tagged = 1, the opposite of
 * what the ETH item said).
 */
static void
t_pat_has_vlan0_then_vlan(void)
{
	struct tpk_flow_item items[3] = { item(TPK_FI_ETH, NULL, NULL, NULL),
					  item(TPK_FI_VLAN, NULL, NULL, NULL),
					  it_end };

	items[0].flags_mask = TPK_FI_HAS_VLAN;
	items[0].flags_spec = 0;
	check_refused(items, 3, -EINVAL, 1);
}

static void
t_pat_ipv4_prefix(void)
{
	struct hb h;
	struct tpk_flow_item items[3];
	struct tpk_flow_key ev, em;

	hb_clear(&h);
	h.s[1] = 0xb8;			/* TOS, matched with mask 0xfc */
	h.s[9] = IPPROTO_TCP;
	put32(h.s + 12, 0xc0a80a37);	/* 192.168.10.55/24 */
	put32(h.s + 16, 0x0a010203);	/* 10.1.2.3/8 */
	h.s[8] = 64;			/* TTL: not matched (mask 0) */
	h.m[1] = 0xfc;
	h.m[9] = 0xff;
	put32(h.m + 12, 0xffffff00);
	put32(h.m + 16, 0xff000000);
	items[0] = item(TPK_FI_ETH, NULL, NULL, NULL);
	items[1] = item(TPK_FI_IPV4, h.s, NULL, h.m);
	items[2] = it_end;
	key_zero(&ev, &em);
	ev.l3 = 4;
	em.l3 = 0xff;
	ev.tos = 0xb8;
	em.tos = 0xfc;
	ev.proto = IPPROTO_TCP;
	em.proto = 0xff;
	put32(ev.ip_src, 0xc0a80a00);	/* the value is masked */
	put32(em.ip_src, 0xffffff00);
	put32(ev.ip_dst, 0x0a000000);
	put32(em.ip_dst, 0xff000000);
	check_single(items, 3, &ev, &em);
	/* The default mask: both addresses in full, nothing else. */
	items[1] = item(TPK_FI_IPV4, h.s, NULL, NULL);
	ev.tos = em.tos = ev.proto = em.proto = 0;
	put32(ev.ip_src, 0xc0a80a37);
	put32(em.ip_src, 0xffffffff);
	put32(ev.ip_dst, 0x0a010203);
	put32(em.ip_dst, 0xffffffff);
	check_single(items + 1, 2, &ev, &em);
}

static void
t_pat_ipv6(void)
{
	struct hb h;
	struct tpk_flow_item items[2];
	struct tpk_flow_key ev, em;

	hb_clear(&h);
	h.s[0] = 0x6a;			/* version 6, TC 0xab */
	h.s[1] = 0xb1;			/* and flow label bits */
	h.s[6] = IPPROTO_UDP;
	memcpy(h.s + 8, tb_v6_src, 16);
	memcpy(h.s + 24, tb_v6_dst, 16);
	h.m[0] = 0x0f;
	h.m[1] = 0xf0;
	memset(h.m + 8, 0xff, 8);	/* src /64 */
	memset(h.m + 24, 0xff, 16);	/* dst /128 */
	h.m[6] = 0xff;
	items[0] = item(TPK_FI_IPV6, h.s, NULL, h.m);
	items[1] = it_end;
	key_zero(&ev, &em);
	ev.l3 = 6;
	em.l3 = 0xff;
	ev.tos = 0xab;
	em.tos = 0xff;
	ev.proto = IPPROTO_UDP;
	em.proto = 0xff;
	memcpy(ev.ip_src, tb_v6_src, 8);
	memset(em.ip_src, 0xff, 8);
	memcpy(ev.ip_dst, tb_v6_dst, 16);
	memset(em.ip_dst, 0xff, 16);
	check_single(items, 2, &ev, &em);
	/* Half the traffic class (its high nibble: byte 0's low one). */
	h.m[1] = 0;
	ev.tos = 0xa0;
	em.tos = 0xf0;
	check_single(items, 2, &ev, &em);
	/* Version and flow label are not matchable. */
	h.m[0] = 0xff;
	check_refused(items, 2, -ENOTSUP, 0);
	h.m[0] = 0;
	h.m[1] = 0x01;
	check_refused(items, 2, -ENOTSUP, 0);
	h.m[1] = 0;
	h.m[7] = 0xff;			/* hop limit */
	check_refused(items, 2, -ENOTSUP, 0);
}

/* One case per L4 item: TCP, UDP and SCTP all start with the ports. */
static void
pat_ports(uint32_t type, uint8_t proto)
{
	struct hb h;
	struct tpk_flow_item items[3];
	struct tpk_flow_key ev, em;

	hb_clear(&h);
	put16(h.s, 1234);
	put16(h.s + 2, 80);
	put16(h.m + 2, 0xffff);
	items[0] = item(TPK_FI_IPV4, NULL, NULL, NULL);
	items[1] = item(type, h.s, NULL, h.m);
	items[2] = it_end;
	key_zero(&ev, &em);
	ev.l3 = 4;
	em.l3 = 0xff;
	ev.proto = proto;
	em.proto = 0xff;
	ev.l4 = 1;
	em.l4 = 0xff;
	ev.dport = htons(80);
	em.dport = 0xffff;
	check_single(items, 3, &ev, &em);
	/* Default mask: both ports; no L3 item: any L3. */
	items[0] = item(type, h.s, NULL, NULL);
	items[1] = it_end;
	ev.l3 = em.l3 = 0;
	ev.sport = htons(1234);
	em.sport = 0xffff;
	check_single(items, 2, &ev, &em);
	/* A mask of zero on both ports: the protocol only, no l4. */
	memset(h.m, 0, 4);
	items[0] = item(type, h.s, NULL, h.m);
	key_zero(&ev, &em);
	ev.proto = proto;
	em.proto = 0xff;
	check_single(items, 2, &ev, &em);
	/* A header field beyond the ports: refused. */
	h.m[4] = 0x01;
	check_refused(items, 2, -ENOTSUP, 0);
}

static void
t_pat_icmp(void)
{
	struct hb h;
	struct tpk_flow_item items[3];
	struct tpk_flow_key ev, em;
	uint8_t *vb = (uint8_t *)&ev.sport, *mb = (uint8_t *)&em.sport;

	hb_clear(&h);
	h.s[0] = 8;			/* echo request */
	h.s[1] = 0;
	items[0] = item(TPK_FI_IPV4, NULL, NULL, NULL);
	items[1] = item(TPK_FI_ICMP, h.s, NULL, NULL);
	items[2] = it_end;
	key_zero(&ev, &em);
	ev.l3 = 4;
	em.l3 = 0xff;
	ev.proto = IPPROTO_ICMP;
	em.proto = 0xff;
	ev.l4 = 1;
	em.l4 = 0xff;
	vb[0] = 8;
	mb[0] = mb[1] = 0xff;
	check_single(items, 3, &ev, &em);
	/* ICMP alone implies IPv4. */
	check_single(items + 1, 2, &ev, &em);
	/* The code only. */
	h.s[1] = 3;
	h.m[1] = 0xff;
	items[1] = item(TPK_FI_ICMP, h.s, NULL, h.m);
	vb[0] = 0;
	mb[0] = 0;
	vb[1] = 3;
	check_single(items, 3, &ev, &em);
	/* The checksum and the rest are not matchable. */
	h.m[2] = 0xff;
	check_refused(items, 3, -ENOTSUP, 1);
	/* ICMP6 after IPv6. */
	hb_clear(&h);
	h.s[0] = 135;
	items[0] = item(TPK_FI_IPV6, NULL, NULL, NULL);
	items[1] = item(TPK_FI_ICMP6, h.s, NULL, NULL);
	key_zero(&ev, &em);
	ev.l3 = 6;
	em.l3 = 0xff;
	ev.proto = IPPROTO_ICMPV6;
	em.proto = 0xff;
	ev.l4 = 1;
	em.l4 = 0xff;
	vb[0] = 135;
	mb[0] = mb[1] = 0xff;
	check_single(items, 3, &ev, &em);
}

/* No spec: the layer's presence only (l3, proto), never l4. */
static void
t_pat_null_spec(void)
{
	struct hb h;
	struct tpk_flow_item items[4];
	struct tpk_flow_key ev, em;

	hb_clear(&h);
	memset(h.m, 0xff, sizeof(h.m));	/* a mask without a spec: ignored */
	items[0] = item(TPK_FI_ETH, NULL, NULL, h.m);
	items[1] = item(TPK_FI_IPV4, NULL, NULL, NULL);
	items[2] = item(TPK_FI_UDP, NULL, NULL, h.m);
	items[3] = it_end;
	key_zero(&ev, &em);
	ev.l3 = 4;
	em.l3 = 0xff;
	ev.proto = IPPROTO_UDP;
	em.proto = 0xff;
	check_single(items, 4, &ev, &em);
	items[1] = item(TPK_FI_IPV6, NULL, NULL, NULL);
	ev.l3 = 6;
	check_single(items, 4, &ev, &em);
	/* last without spec */
	items[2].last = h.s;
	check_refused(items, 4, -EINVAL, 2);
}

/* No mask: rte_flow's default mask of the item. */
static void
t_pat_null_mask(void)
{
	struct hb h;
	struct tpk_flow_item items[2];
	struct tpk_flow_key ev, em;

	hb_clear(&h);
	memset(h.s, 0x5a, sizeof(h.s));
	items[0] = item(TPK_FI_ETH, h.s, NULL, NULL);
	items[1] = it_end;
	key_zero(&ev, &em);
	memset(ev.dst, 0x5a, 6);
	memset(ev.src, 0x5a, 6);
	memset(em.dst, 0xff, 6);
	memset(em.src, 0xff, 6);	/* the type is not in the default */
	check_single(items, 2, &ev, &em);
	/* A spec full of bits outside the default mask is fine. */
	items[0] = item(TPK_FI_IPV6, h.s, NULL, NULL);
	key_zero(&ev, &em);
	ev.l3 = 6;
	em.l3 = 0xff;
	memset(ev.ip_src, 0x5a, 16);
	memset(ev.ip_dst, 0x5a, 16);
	memset(em.ip_src, 0xff, 16);
	memset(em.ip_dst, 0xff, 16);
	check_single(items, 2, &ev, &em);
}

/* A mask on a field the key does not have: -ENOTSUP naming the item. */
static void
t_pat_unsupported_field(void)
{
	struct hb h;
	struct tpk_flow_item items[4];
	struct tpk_flow_match *m = match_slot(0);
	struct tpk_flow_err err = { 0, NULL };

	hb_clear(&h);
	h.m[8] = 0xff;			/* IPv4 TTL */
	items[0] = item(TPK_FI_ETH, NULL, NULL, NULL);
	items[1] = item(TPK_FI_VOID, NULL, NULL, NULL);
	items[2] = item(TPK_FI_IPV4, h.s, NULL, h.m);
	items[3] = it_end;
	CHECK_EQ(tpk_flow_pattern(m, items, 4, &err), -ENOTSUP);
	CHECK_EQ(err.index, 2);		/* VOID counts in the index */
	if (CHECK(err.msg != NULL))
		CHECK(strstr(err.msg, "src_addr") && strstr(err.msg, "dst_addr") &&
		      strstr(err.msg, "next_proto_id"), "msg '%s'", err.msg);
	/* One bit of the IP id is enough. */
	memset(h.m, 0, sizeof(h.m));
	h.m[5] = 0x01;
	check_refused(items, 4, -ENOTSUP, 2);
	/* The UDP length, the TCP flags. */
	memset(h.m, 0, sizeof(h.m));
	h.m[4] = 0xff;
	items[2] = item(TPK_FI_UDP, h.s, NULL, h.m);
	err.msg = NULL;
	CHECK_EQ(tpk_flow_pattern(m, items, 4, &err), -ENOTSUP);
	CHECK(err.msg && strstr(err.msg, "dst_port"));
	memset(h.m, 0, sizeof(h.m));
	h.m[13] = TB_SYN;
	items[2] = item(TPK_FI_TCP, h.s, NULL, h.m);
	check_refused(items, 4, -ENOTSUP, 2);
	/* Wrong header size; an unknown item type. */
	items[2] = item(TPK_FI_UDP, h.s, NULL, NULL);
	items[2].len = 4;
	check_refused(items, 4, -EINVAL, 2);
	items[2].type = TPK_FI_MAX;
	check_refused(items, 4, -ENOTSUP, 2);
}

static void
t_pat_order(void)
{
	struct tpk_flow_item items[4];

	items[0] = item(TPK_FI_IPV4, NULL, NULL, NULL);
	items[1] = item(TPK_FI_ETH, NULL, NULL, NULL);
	items[2] = it_end;
	check_refused(items, 3, -ENOTSUP, 1);
	items[0] = item(TPK_FI_UDP, NULL, NULL, NULL);
	items[1] = item(TPK_FI_IPV4, NULL, NULL, NULL);
	check_refused(items, 3, -ENOTSUP, 1);
	items[0] = item(TPK_FI_IPV4, NULL, NULL, NULL);
	items[1] = item(TPK_FI_IPV6, NULL, NULL, NULL);
	check_refused(items, 3, -ENOTSUP, 1);
	items[0] = item(TPK_FI_ETH, NULL, NULL, NULL);
	items[1] = item(TPK_FI_VLAN, NULL, NULL, NULL);
	items[2] = item(TPK_FI_VLAN, NULL, NULL, NULL);
	items[3] = it_end;
	check_refused(items, 4, -ENOTSUP, 2);
	items[1] = item(TPK_FI_TCP, NULL, NULL, NULL);
	items[2] = item(TPK_FI_UDP, NULL, NULL, NULL);
	check_refused(items, 4, -ENOTSUP, 2);
	items[0] = item(TPK_FI_ETH, NULL, NULL, NULL);
	items[1] = item(TPK_FI_ETH, NULL, NULL, NULL);
	check_refused(items, 4, -ENOTSUP, 1);
}

static void
t_pat_proto_conflict(void)
{
	struct hb h;
	struct tpk_flow_item items[3];
	struct tpk_flow_key ev, em;

	hb_clear(&h);
	h.s[9] = IPPROTO_UDP;
	h.m[9] = 0xff;
	items[0] = item(TPK_FI_IPV4, h.s, NULL, h.m);
	items[1] = item(TPK_FI_TCP, NULL, NULL, NULL);
	items[2] = it_end;
	check_refused(items, 3, -EINVAL, 1);
	items[1] = item(TPK_FI_ICMP, NULL, NULL, NULL);
	check_refused(items, 3, -EINVAL, 1);
	/* Agreeing: fine. */
	items[1] = item(TPK_FI_UDP, NULL, NULL, NULL);
	key_zero(&ev, &em);
	ev.l3 = 4;
	em.l3 = 0xff;
	ev.proto = IPPROTO_UDP;
	em.proto = 0xff;
	check_single(items, 3, &ev, &em);
	/* IPv6 next header too. */
	hb_clear(&h);
	h.s[6] = IPPROTO_TCP;
	h.m[6] = 0xff;
	items[0] = item(TPK_FI_IPV6, h.s, NULL, h.m);
	check_refused(items, 3, -EINVAL, 1);
	/* A partial protocol mask that the L4's protocol fits. */
	hb_clear(&h);
	h.s[9] = 0x01;
	h.m[9] = 0x0f;			/* 17 = 0x11 fits */
	items[0] = item(TPK_FI_IPV4, h.s, NULL, h.m);
	items[1] = item(TPK_FI_UDP, NULL, NULL, NULL);
	ev.l3 = 4;
	check_single(items, 3, &ev, &em);
	items[1] = item(TPK_FI_TCP, NULL, NULL, NULL);	/* 6: does not */
	check_refused(items, 3, -EINVAL, 1);
}

/* An EtherType that contradicts the L3 item after it is refused. */
static void
t_pat_ethtype_conflict(void)
{
	struct hb e, v;
	struct tpk_flow_item items[4];

	hb_clear(&e);
	put16(e.s + 12, 0x86dd);
	put16(e.m + 12, 0xffff);
	items[0] = item(TPK_FI_ETH, e.s, NULL, e.m);
	items[1] = item(TPK_FI_IPV4, NULL, NULL, NULL);
	items[2] = it_end;
	check_refused(items, 3, -EINVAL, 1);
	items[1] = item(TPK_FI_IPV6, NULL, NULL, NULL);	/* agrees */
	check_single_ok(items, 3);
	/* The TPID as the outer type: the L3 is decided by the tag. */
	put16(e.s + 12, 0x8100);
	items[1] = item(TPK_FI_IPV4, NULL, NULL, NULL);
	check_single_ok(items, 3);
	/* VLAN inner type 0x0800 then IPv6: refused at the IPv6 item. */
	hb_clear(&v);
	put16(v.s + 2, 0x0800);
	put16(v.m + 2, 0xffff);
	items[0] = item(TPK_FI_ETH, NULL, NULL, NULL);
	items[1] = item(TPK_FI_VLAN, v.s, NULL, v.m);
	items[2] = item(TPK_FI_IPV6, NULL, NULL, NULL);
	items[3] = it_end;
	check_refused(items, 4, -EINVAL, 2);
	items[2] = item(TPK_FI_IPV4, NULL, NULL, NULL);
	check_single_ok(items, 4);
}

static void
t_pat_icmp_after_ipv6(void)
{
	struct tpk_flow_item items[3] = { item(TPK_FI_IPV6, NULL, NULL, NULL),
					  item(TPK_FI_ICMP, NULL, NULL, NULL),
					  it_end };

	check_refused(items, 3, -EINVAL, 1);
	items[0] = item(TPK_FI_IPV4, NULL, NULL, NULL);
	items[1] = item(TPK_FI_ICMP6, NULL, NULL, NULL);
	check_refused(items, 3, -EINVAL, 1);
}

/*
 * More than TPK_FLOW_MAX_ITEMS items: refused. (With one item per layer
 * and four layers, a fifth item is refused for its layer before the item
 * count is reached: "too many items" cannot be the reason today.)
 */
static void
t_pat_too_many(void)
{
	struct tpk_flow_item items[TPK_FLOW_MAX_ITEMS + 4];
	struct tpk_flow_match *m = match_slot(0);
	struct tpk_flow_err err = { 0, NULL };
	uint32_t i;

	for (i = 0; i < TPK_FLOW_MAX_ITEMS + 3; i++)
		items[i] = item(TPK_FI_ETH, NULL, NULL, NULL);
	items[i] = it_end;
	CHECK_EQ(tpk_flow_pattern(m, items, i + 1, &err), -ENOTSUP);
	CHECK(err.msg != NULL);
	CHECK(err.index >= 1 && err.index <= TPK_FLOW_MAX_ITEMS);
	/* VOIDs do not count. */
	for (i = 0; i < 20; i++)
		items[i % 12] = item(TPK_FI_VOID, NULL, NULL, NULL);
	items[4] = item(TPK_FI_ETH, NULL, NULL, NULL);
	items[7] = item(TPK_FI_IPV4, NULL, NULL, NULL);
	items[9] = item(TPK_FI_TCP, NULL, NULL, NULL);
	items[11] = it_end;
	CHECK_EQ(tpk_flow_pattern(m, items, 12, &err), 0);
	CHECK_EQ(m->nb, 1);
}

/* The matcher exactly as the driver inlines it. */
static bool
key_match(const struct tpk_flow_key *k, const struct tpk_flow_key *v,
	  const struct tpk_flow_key *m)
{
	return tpk_flow_key_match(k, v, m);
}
/* How many of m's expansions k matches. */
static uint32_t
match_count(const struct tpk_flow_match *m, const struct tpk_flow_key *k)
{
	uint32_t i, c = 0;

	for (i = 0; i < m->nb; i++)
		c += key_match(k, &m->val[i], &m->mask[i]);
	return c;
}

/* A UDP pattern with dport spec..last, full port mask. */
static int
udp_range(struct tpk_flow_match *m, uint16_t lo, uint16_t hi, struct hb *h)
{
	struct tpk_flow_item items[3];

	hb_clear(h);
	put16(h->s + 2, lo);
	put16(h->l + 2, hi);
	put16(h->m + 2, 0xffff);
	items[0] = item(TPK_FI_IPV4, NULL, NULL, NULL);
	items[1] = item(TPK_FI_UDP, h->s, h->l, h->m);
	items[2] = it_end;
	return tpk_flow_pattern(m, items, 3, NULL);
}

/* Every port in [lo, hi] matches exactly one expansion, none outside. */
static void
check_range_exact(const struct tpk_flow_match *m, uint16_t lo, uint16_t hi)
{
	struct tpk_flow_key k;
	uint32_t p, bad = 0;

	key_udp4(&k);
	for (p = 0; p <= 0xffff; p++) {
		uint32_t c;

		k.dport = htons((uint16_t)p);
		c = match_count(m, &k);
		if (c != (p >= lo && p <= hi ? 1u : 0u) && bad++ < 4)
			RECORD_FAILURE("dport %u matches %u expansions", p, c);
	}
	CHECK_EQ(bad, 0);
	for (p = 0; p < m->nb; p++) {
		CHECK(val_in_mask(&m->val[p], &m->mask[p]), "expansion %u", p);
		CHECK_EQ(m->mask[p].sport, 0);
		CHECK_EQ(m->mask[p].l4, 0xff);
		CHECK_EQ(m->mask[p].proto, 0xff);
	}
	/* Not read from L4 (a fragment): no port matches. */
	k.l4 = 0;
	k.dport = htons(lo);
	CHECK_EQ(match_count(m, &k), 0);
}

static void
t_pat_range_1000_1999(void)
{
	struct tpk_flow_match *m = match_slot(0);
	struct hb h;

	if (!CHECK_EQ(udp_range(m, 1000, 1999, &h), 0))
		return;
	/* 1000/13 1008/12 1024/7 1536/8 1792/9 1920/10 1984/12 */
	CHECK_EQ(m->nb, 7);
	check_range_exact(m, 1000, 1999);
}

static void
t_pat_range_edges(void)
{
	static const uint16_t r[][2] = {
		{ 0, 65535 }, { 1, 65534 }, { 0, 1 }, { 65534, 65535 },
		{ 5, 6 }, { 32767, 32768 }, { 1024, 2047 }, { 7, 7 },
	};
	struct tpk_flow_match *m = match_slot(0);
	struct hb h;
	size_t i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		if (!CHECK_EQ(udp_range(m, r[i][0], r[i][1], &h), 0))
			continue;
		CHECK(m->nb >= 1 && m->nb <= TPK_FLOW_MAX_EXPAND, "nb %u", m->nb);
		check_range_exact(m, r[i][0], r[i][1]);
	}
	CHECK_EQ(udp_range(m, 0, 65535, &h), 0);
	CHECK_EQ(m->nb, 1);
	CHECK_EQ(udp_range(m, 1, 65534, &h), 0);
	CHECK_EQ(m->nb, 30);
	CHECK_EQ(udp_range(m, 1024, 2047, &h), 0);
	CHECK_EQ(m->nb, 1);
	CHECK_EQ(ntohs(m->mask[0].dport), 0xfc00);
}

/* Ranges on both ports: the product of the two splits. */
static void
t_pat_range_two(void)
{
	struct tpk_flow_match *m = match_slot(0);
	struct tpk_flow_item items[2];
	struct tpk_flow_err err = { 0, NULL };
	struct hb h;
	struct tpk_flow_key k;
	uint32_t sp, dp;

	hb_clear(&h);
	put16(h.s, 1000);
	put16(h.l, 1002);		/* 1000/15 1002/16: 2 */
	put16(h.s + 2, 6);
	put16(h.l + 2, 17);		/* 6/15 8/13 16/15: 3 */
	items[0] = item(TPK_FI_TCP, h.s, h.l, NULL);
	items[1] = it_end;
	if (!CHECK_EQ(tpk_flow_pattern(m, items, 2, &err), 0))
		return;
	CHECK_EQ(m->nb, 6);
	memset(&k, 0, sizeof(k));
	k.proto = IPPROTO_TCP;
	k.l4 = 1;
	for (sp = 990; sp < 1010; sp++)
		for (dp = 0; dp < 30; dp++) {
			bool in = sp >= 1000 && sp <= 1002 && dp >= 6 && dp <= 17;

			k.sport = htons((uint16_t)sp);
			k.dport = htons((uint16_t)dp);
			CHECK_EQ(match_count(m, &k), in ? 1 : 0);
		}
	/* 30 x 2 > 32: refused for the whole rule. */
	put16(h.s, 1);
	put16(h.l, 65534);
	put16(h.s + 2, 6);
	put16(h.l + 2, 7);		/* 1 prefix: 30 x 1 fits */
	CHECK_EQ(tpk_flow_pattern(m, items, 2, &err), 0);
	CHECK_EQ(m->nb, 30);
	put16(h.l + 2, 8);		/* 6/15 8/16: 2 */
	check_refused(items, 2, -ENOTSUP, -1);
	/* 1..62 is 10 prefixes: 10 x 10 */
	put16(h.s, 1);
	put16(h.l, 62);
	put16(h.s + 2, 1);
	put16(h.l + 2, 62);
	err.msg = NULL;
	CHECK(tpk_flow_pattern(m, items, 2, &err) == -ENOTSUP);
	CHECK(err.msg != NULL);
}

static void
t_pat_range_refused(void)
{
	struct tpk_flow_match *m = match_slot(2);
	struct tpk_flow_item items[2];
	struct hb h;

	hb_clear(&h);
	/* Partial port mask. */
	put16(h.s + 2, 0x0300);
	put16(h.l + 2, 0x0700);
	put16(h.m + 2, 0xff00);
	items[0] = item(TPK_FI_UDP, h.s, h.l, h.m);
	items[1] = it_end;
	check_refused(items, 2, -ENOTSUP, 0);
	/* last < spec */
	put16(h.s + 2, 2000);
	put16(h.l + 2, 1000);
	put16(h.m + 2, 0xffff);
	check_refused(items, 2, -EINVAL, 0);
	/* last == spec, and last == 0: no range, the exact port. */
	put16(h.l + 2, 2000);
	items[0] = item(TPK_FI_UDP, h.s, h.l, h.m);
	CHECK_EQ(tpk_flow_pattern(m, items, 2, NULL), 0);
	CHECK_EQ(m->nb, 1);
	put16(h.l + 2, 0);
	CHECK_EQ(tpk_flow_pattern(m, items, 2, NULL), 0);
	CHECK_EQ(m->nb, 1);
	CHECK_EQ(ntohs(m->val[0].dport), 2000);
	CHECK_EQ(m->mask[0].dport, 0xffff);
	/* A range on something that is not a port. */
	hb_clear(&h);
	put32(h.s + 12, 0x0a000001);
	put32(h.l + 12, 0x0a0000ff);
	items[0] = item(TPK_FI_IPV4, h.s, h.l, NULL);
	check_refused(items, 2, -ENOTSUP, 0);
	hb_clear(&h);
	h.s[0] = 1;
	h.l[0] = 5;
	items[0] = item(TPK_FI_ICMP, h.s, h.l, NULL);
	check_refused(items, 2, -ENOTSUP, 0);
	hb_clear(&h);
	put16(h.s, 10);
	put16(h.l, 20);
	items[0] = item(TPK_FI_VLAN, h.s, h.l, NULL);
	check_refused(items, 2, -ENOTSUP, 0);
}

/* ---- the rule table ------------------------------------------------------ */

/* Every match in slot 0..n-1 is a single "anything" rule. */
static const struct tpk_flow_match *
any_match(int slot)
{
	struct tpk_flow_match *m = match_slot(slot);
	struct tpk_flow_item end = it_end;

	tpk_flow_pattern(m, &end, 1, NULL);
	return m;
}

static struct tpk_flow_rule
rule(uint32_t prio, uint32_t seq, uint16_t fate, const struct tpk_flow_match *m)
{
	struct tpk_flow_rule r;

	memset(&r, 0, sizeof(r));
	r.prio = prio;
	r.seq = seq;
	r.fate = fate;
	r.cnt = (uint16_t)seq;
	r.match = m;
	return r;
}

static void
t_tbl_prio_order(void)
{
	struct tpk_flow_table *t = table_slot();
	const struct tpk_flow_match *any = any_match(0);
	struct tpk_flow_rule r[5];
	static const uint16_t want[5] = { 3, 1, 4, 0, 2 };
	uint32_t i;

	r[0] = rule(10, 0, TPK_FLOW_F_DROP, any);
	r[1] = rule(2, 1, TPK_FLOW_F_QUEUE, any);
	r[2] = rule(TPK_FLOW_PRIO_MAX, 2, TPK_FLOW_F_PASS, any);
	r[3] = rule(0, 3, TPK_FLOW_F_DEFAULT, any);
	r[4] = rule(3, 4, TPK_FLOW_F_RSS, any);
	if (!CHECK_EQ(tpk_flow_table_build(t, r, 5, false, NULL, NULL), 0))
		return;
	CHECK_EQ(t->nb, 5);
	for (i = 0; i < 5; i++) {
		CHECK_EQ(t->rule[i], want[i]);
		CHECK_EQ(t->br[i].fate, r[want[i]].fate);
		CHECK_EQ(t->br[i].cnt, r[want[i]].cnt);
	}
	/* n = 0: the terminator alone. */
	CHECK_EQ(tpk_flow_table_build(t, r, 0, false, NULL, NULL), 0);
	CHECK_EQ(t->nb, 0);
	CHECK_EQ(t->br[0].fate, TPK_FLOW_F_END);
}

/* Equal priorities keep creation order (seq), then the list's order. */
static void
t_tbl_stable_seq(void)
{
	struct tpk_flow_table *t = table_slot();
	const struct tpk_flow_match *any = any_match(0);
	struct tpk_flow_rule r[6];
	uint32_t i;

	r[0] = rule(1, 9, TPK_FLOW_F_DROP, any);
	r[1] = rule(0, 7, TPK_FLOW_F_DROP, any);
	r[2] = rule(1, 5, TPK_FLOW_F_DROP, any);
	r[3] = rule(1, 2, TPK_FLOW_F_DROP, any);
	r[4] = rule(0, 3, TPK_FLOW_F_DROP, any);
	r[5] = rule(1, 2, TPK_FLOW_F_QUEUE, any);	/* same seq as r[3] */
	if (!CHECK_EQ(tpk_flow_table_build(t, r, 6, false, NULL, NULL), 0))
		return;
	/* (0,3) (0,7) (1,2)r3 (1,2)r5 (1,5) (1,9): r3 before r5 (list order) */
	CHECK_EQ(t->rule[0], 4);
	CHECK_EQ(t->rule[1], 1);
	CHECK_EQ(t->rule[2], 3);
	CHECK_EQ(t->rule[3], 5);
	CHECK_EQ(t->rule[4], 2);
	CHECK_EQ(t->rule[5], 0);
	for (i = 0; i < 6; i++)
		CHECK_EQ(t->br[i].cnt, r[t->rule[i]].cnt);
}

static void
t_tbl_expansion(void)
{
	struct tpk_flow_table *t = table_slot();
	struct tpk_flow_match *m7 = match_slot(1);
	const struct tpk_flow_match *any = any_match(0);
	struct tpk_flow_rule r[3];
	struct hb h;
	uint32_t i;

	if (!CHECK_EQ(udp_range(m7, 1000, 1999, &h), 0) || !CHECK_EQ(m7->nb, 7))
		return;
	r[0] = rule(5, 0, TPK_FLOW_F_QUEUE, any);
	r[1] = rule(1, 1, TPK_FLOW_F_DROP, m7);
	r[2] = rule(9, 2, TPK_FLOW_F_PASS, m7);
	r[1].has_mark = 1;
	r[1].mark = 0xabc;
	if (!CHECK_EQ(tpk_flow_table_build(t, r, 3, false, NULL, NULL), 0))
		return;
	CHECK_EQ(t->nb, 15);
	CHECK_EQ(t->nb_marks, 7);
	for (i = 0; i < 7; i++) {
		CHECK_EQ(t->rule[i], 1);
		CHECK_EQ(t->br[i].fate, TPK_FLOW_F_DROP);
		CHECK_EQ(t->has_mark[i], 1);
		CHECK_EQ(t->mark[i], 0xabc);
		CHECK_MEM(&t->br[i].val, &m7->val[i], sizeof(struct tpk_flow_key));
		CHECK_MEM(&t->br[i].mask, &m7->mask[i], sizeof(struct tpk_flow_key));
	}
	CHECK_EQ(t->rule[7], 0);
	CHECK_EQ(t->has_mark[7], 0);
	for (i = 8; i < 15; i++) {
		CHECK_EQ(t->rule[i], 2);
		CHECK_EQ(t->br[i].fate, TPK_FLOW_F_PASS);
	}
	CHECK_EQ(t->br[15].fate, TPK_FLOW_F_END);
}

struct member_map {
	uint32_t calls;
};

static uint16_t
member_plus_100(void *arg, uint16_t q)
{
	struct member_map *mm = arg;

	mm->calls++;
	return (uint16_t)(q + 100);
}

static void
t_tbl_member_of(void)
{
	struct tpk_flow_table *t = table_slot();
	const struct tpk_flow_match *any = any_match(0);
	struct tpk_flow_rule r[3];
	struct member_map mm = { 0 };

	r[0] = rule(0, 0, TPK_FLOW_F_QUEUE, any);
	r[0].queue = 3;
	r[1] = rule(1, 1, TPK_FLOW_F_RSS, any);
	r[1].nb_rss = 3;
	r[1].rss[0] = 5;
	r[1].rss[1] = 0;
	r[1].rss[2] = 7;
	r[2] = rule(2, 2, TPK_FLOW_F_DROP, any);
	r[2].queue = 9;			/* not a QUEUE rule: ignored */
	if (!CHECK_EQ(tpk_flow_table_build(t, r, 3, false, member_plus_100, &mm), 0))
		return;
	CHECK_EQ(mm.calls, 4);
	CHECK_EQ(t->br[0].member, 103);
	CHECK_EQ(t->br[1].nb_rss, 3);
	CHECK_EQ(t->br[1].rss[0], 105);
	CHECK_EQ(t->br[1].rss[1], 100);
	CHECK_EQ(t->br[1].rss[2], 107);
	CHECK_EQ(t->br[2].member, 0);
	/* NULL: identity. */
	CHECK_EQ(tpk_flow_table_build(t, r, 3, false, NULL, NULL), 0);
	CHECK_EQ(t->br[0].member, 3);
	CHECK_EQ(t->br[1].rss[0], 5);
	CHECK_EQ(t->br[1].rss[2], 7);
}

static void
t_tbl_terminator(void)
{
	struct tpk_flow_table *t = table_slot();
	const struct tpk_flow_match *any = any_match(0);
	struct tpk_flow_rule r[2];
	struct tpk_flow_key zero;

	memset(&zero, 0, sizeof(zero));
	r[0] = rule(0, 0, TPK_FLOW_F_PASS, any);
	r[1] = rule(0, 1, TPK_FLOW_F_PASS, any);
	CHECK_EQ(tpk_flow_table_build(t, r, 2, false, NULL, NULL), 0);
	CHECK_EQ(t->isolate, 0);
	CHECK_EQ(t->br[2].fate, TPK_FLOW_F_END);
	CHECK_EQ(t->br[2].cnt, TPK_FLOW_CNT_ISOLATE);
	CHECK_MEM(&t->br[2].mask, &zero, sizeof(zero));	/* matches anything */
	CHECK_EQ(tpk_flow_table_build(t, r, 2, true, NULL, NULL), 0);
	CHECK_EQ(t->isolate, 1);
	CHECK_EQ(t->br[2].fate, TPK_FLOW_F_END_DROP);
	CHECK_EQ(t->br[2].cnt, TPK_FLOW_CNT_ISOLATE);
	CHECK_EQ(tpk_flow_table_build(t, r, 0, true, NULL, NULL), 0);
	CHECK_EQ(t->br[0].fate, TPK_FLOW_F_END_DROP);
}

static void
t_tbl_enospc(void)
{
	static struct tpk_flow_rule r[TPK_FLOW_MAX_RULES + 1];
	struct tpk_flow_table *t = table_slot();
	const struct tpk_flow_match *any = any_match(0);
	struct tpk_flow_match *m32 = match_slot(1);
	struct tpk_flow_item items[2];
	struct hb h;
	uint32_t i;

	for (i = 0; i <= TPK_FLOW_MAX_RULES; i++)
		r[i] = rule(TPK_FLOW_MAX_RULES - i, i, TPK_FLOW_F_DROP, any);
	CHECK_EQ(tpk_flow_table_build(t, r, TPK_FLOW_MAX_RULES + 1, false,
				      NULL, NULL), -ENOSPC);
	CHECK_EQ(tpk_flow_table_build(t, r, TPK_FLOW_MAX_RULES, false, NULL,
				      NULL), 0);
	CHECK_EQ(t->nb, TPK_FLOW_MAX_RULES);
	CHECK_EQ(t->rule[0], TPK_FLOW_MAX_RULES - 1);
	CHECK_EQ(t->br[TPK_FLOW_MAX_RULES].fate, TPK_FLOW_F_END);
	/* 32 expansions: 4 rules fit, 4 and one more do not. sport
	 * 1..510 is 16 prefixes (1, 2-3, ..., 128-255, 256-383, ..., 510),
	 * dport 1..2 two: 16 x 2 = 32, the most one rule may have. */
	hb_clear(&h);
	put16(h.s, 1);
	put16(h.l, 510);
	put16(h.s + 2, 1);
	put16(h.l + 2, 2);
	items[0] = item(TPK_FI_UDP, h.s, h.l, NULL);
	items[1] = it_end;
	if (!CHECK_EQ(tpk_flow_pattern(m32, items, 2, NULL), 0) ||
	    !CHECK_EQ(m32->nb, 32))
		return;
	for (i = 0; i < 5; i++)
		r[i] = rule(0, i, TPK_FLOW_F_DROP, m32);
	CHECK_EQ(tpk_flow_table_build(t, r, 4, false, NULL, NULL), 0);
	CHECK_EQ(t->nb, 128);
	CHECK_EQ(tpk_flow_table_build(t, r, 5, false, NULL, NULL), -ENOSPC);
	r[4] = rule(0, 4, TPK_FLOW_F_DROP, any);
	CHECK_EQ(tpk_flow_table_build(t, r, 5, false, NULL, NULL), -ENOSPC);
}

/* ---- the walk ---------------------------------------------------------- */

/* A match on the UDP destination port only. */
static const struct tpk_flow_match *
dport_match(int slot, uint16_t port)
{
	struct tpk_flow_match *m = match_slot(slot);
	struct tpk_flow_item items[2];
	struct hb h;

	hb_clear(&h);
	put16(h.s + 2, port);
	put16(h.m + 2, 0xffff);
	items[0] = item(TPK_FI_UDP, h.s, NULL, h.m);
	items[1] = it_end;
	if (tpk_flow_pattern(m, items, 2, NULL) != 0)
		RECORD_FAILURE("dport pattern refused");
	return m;
}

static void
t_walk_pass_mark(void)
{
	struct tpk_flow_table *t = table_slot();
	const struct tpk_flow_match *any = any_match(0);
	const struct tpk_flow_match *p4789 = dport_match(1, 4789);
	const struct tpk_flow_match *p53 = dport_match(2, 53);
	struct tpk_flow_rule r[5];
	uint32_t mark = 0;
	bool hm = true;
	struct tpk_flow_key k;

	r[0] = rule(0, 0, TPK_FLOW_F_PASS, p53);	/* does not match */
	r[0].has_mark = 1;
	r[0].mark = 1;
	r[1] = rule(1, 1, TPK_FLOW_F_PASS, any);	/* matches, no mark */
	r[2] = rule(2, 2, TPK_FLOW_F_PASS, p4789);	/* the first mark */
	r[2].has_mark = 1;
	r[2].mark = 22;
	r[3] = rule(3, 3, TPK_FLOW_F_QUEUE, any);	/* terminates */
	r[3].has_mark = 1;
	r[3].mark = 33;
	r[4] = rule(4, 4, TPK_FLOW_F_DROP, any);	/* never reached */
	if (!CHECK_EQ(tpk_flow_table_build(t, r, 5, false, NULL, NULL), 0))
		return;
	CHECK_EQ(t->nb_marks, 3);
	key_udp4(&k);
	CHECK_EQ(tpk_flow_table_walk(t, &k, &hm, &mark), 3);
	CHECK(hm);
	CHECK_EQ(mark, 22);
	/* Not 4789: the terminating rule's own mark. */
	k.dport = htons(4790);
	CHECK_EQ(tpk_flow_table_walk(t, &k, &hm, &mark), 3);
	CHECK(hm);
	CHECK_EQ(mark, 33);
	/* PASS rules only: nothing terminates, t->nb, the mark stays. */
	CHECK_EQ(tpk_flow_table_build(t, r, 3, false, NULL, NULL), 0);
	k.dport = htons(4789);
	CHECK_EQ(tpk_flow_table_walk(t, &k, &hm, &mark), 3);
	CHECK(hm);
	CHECK_EQ(mark, 22);
	k.dport = htons(53);
	CHECK_EQ(tpk_flow_table_walk(t, &k, &hm, &mark), 3);
	CHECK_EQ(mark, 1);
}

static void
t_walk_none(void)
{
	struct tpk_flow_table *t = table_slot();
	struct tpk_flow_rule r[2];
	uint32_t mark = 0x5555;
	bool hm = true;
	struct tpk_flow_key k;

	r[0] = rule(0, 0, TPK_FLOW_F_DROP, dport_match(0, 53));
	r[0].has_mark = 1;
	r[0].mark = 7;
	r[1] = rule(0, 1, TPK_FLOW_F_QUEUE, dport_match(1, 54));
	CHECK_EQ(tpk_flow_table_build(t, r, 2, true, NULL, NULL), 0);
	key_udp4(&k);
	CHECK_EQ(tpk_flow_table_walk(t, &k, &hm, &mark), t->nb);
	CHECK(!hm);
	CHECK_EQ(mark, 0x5555);		/* untouched without a mark */
	k.dport = htons(54);
	CHECK_EQ(tpk_flow_table_walk(t, &k, &hm, &mark), 1);
	CHECK(!hm);
	k.dport = htons(53);
	CHECK_EQ(tpk_flow_table_walk(t, &k, &hm, &mark), 0);
	CHECK(hm);
	CHECK_EQ(mark, 7);
	/* A UDP port rule never matches TCP with that port. */
	k.proto = IPPROTO_TCP;
	CHECK_EQ(tpk_flow_table_walk(t, &k, &hm, &mark), 2);
	/* An empty table. */
	CHECK_EQ(tpk_flow_table_build(t, r, 0, false, NULL, NULL), 0);
	CHECK_EQ(tpk_flow_table_walk(t, &k, &hm, &mark), 0);
	CHECK(!hm);
}

/* ---- end to end: items -> table -> frame key -> walk --------------------- */

static void
t_e2e(void)
{
	struct tpk_flow_table *t = table_slot();
	struct tpk_flow_match *m0 = match_slot(0), *m1 = match_slot(1);
	struct tpk_flow_match *m2 = match_slot(2), *m3 = match_slot(3);
	struct tpk_flow_item items[4];
	struct tpk_flow_rule r[4];
	struct hb a, b, c;
	uint32_t n, mark, e;
	bool hm;
	struct tpk_flow_key k;

	/* 0: eth / ipv4 dst 10.0.0.2 / udp dst 4789 -> queue 3, mark 0x42 */
	hb_clear(&a);
	hb_clear(&b);
	put32(a.s + 16, 0x0a000002);
	put32(a.m + 16, 0xffffffff);
	put16(b.s + 2, 4789);
	put16(b.m + 2, 0xffff);
	items[0] = item(TPK_FI_ETH, NULL, NULL, NULL);
	items[1] = item(TPK_FI_IPV4, a.s, NULL, a.m);
	items[2] = item(TPK_FI_UDP, b.s, NULL, b.m);
	items[3] = it_end;
	REQUIRE_EQ(tpk_flow_pattern(m0, items, 4, NULL), 0, out);
	/* 1: ipv6 tc 0xab / tcp dst 5000..5299 -> drop */
	hb_clear(&a);
	hb_clear(&b);
	a.s[0] = 0x0a;
	a.s[1] = 0xb0;
	a.m[0] = 0x0f;
	a.m[1] = 0xf0;
	put16(b.s + 2, 5000);
	put16(b.l + 2, 5299);
	put16(b.m + 2, 0xffff);
	items[0] = item(TPK_FI_IPV6, a.s, NULL, a.m);
	items[1] = item(TPK_FI_TCP, b.s, b.l, b.m);
	items[2] = it_end;
	REQUIRE_EQ(tpk_flow_pattern(m1, items, 3, NULL), 0, out);
	CHECK(m1->nb > 1);
	/* 2: eth / vlan vid 100 -> rss (prio 0: before rule 0) */
	hb_clear(&c);
	put16(c.s, 100);
	items[0] = item(TPK_FI_ETH, NULL, NULL, NULL);
	items[1] = item(TPK_FI_VLAN, c.s, NULL, NULL);
	items[2] = it_end;
	REQUIRE_EQ(tpk_flow_pattern(m2, items, 3, NULL), 0, out);
	/* 3: icmp type 8 -> pass, mark 0x99 */
	hb_clear(&c);
	c.s[0] = 8;
	c.m[0] = 0xff;
	items[0] = item(TPK_FI_ICMP, c.s, NULL, c.m);
	items[1] = it_end;
	REQUIRE_EQ(tpk_flow_pattern(m3, items, 2, NULL), 0, out);

	r[0] = rule(1, 0, TPK_FLOW_F_QUEUE, m0);
	r[0].queue = 3;
	r[0].has_mark = 1;
	r[0].mark = 0x42;
	r[1] = rule(1, 1, TPK_FLOW_F_DROP, m1);
	r[2] = rule(0, 2, TPK_FLOW_F_RSS, m2);
	r[2].nb_rss = 2;
	r[2].rss[0] = 1;
	r[2].rss[1] = 2;
	r[3] = rule(0, 3, TPK_FLOW_F_PASS, m3);
	r[3].has_mark = 1;
	r[3].mark = 0x99;
	REQUIRE_EQ(tpk_flow_table_build(t, r, 4, true, NULL, NULL), 0, out);
	/* Order: r2 (1 entry), r3 (1), r0 (1), r1 (m1->nb). */
	CHECK_EQ(t->nb, 3 + m1->nb);

	/* Untagged IPv4 UDP 4789 to 10.0.0.2: rule 0, entry 2. */
	n = udp4(fr, 0);
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	e = tpk_flow_table_walk(t, &k, &hm, &mark);
	CHECK_EQ(e, 2);
	CHECK_EQ(t->rule[e], 0);
	CHECK_EQ(t->br[e].fate, TPK_FLOW_F_QUEUE);
	CHECK_EQ(t->br[e].member, 3);
	CHECK(hm && mark == 0x42);
	/* The same, tagged VID 100 (PCP 5): the RSS rule first. */
	tpk_flow_key_frame(&k, fr, n, true, 0x8100, (5 << 13) | 100);
	e = tpk_flow_table_walk(t, &k, &hm, &mark);
	CHECK_EQ(e, 0);
	CHECK_EQ(t->br[e].fate, TPK_FLOW_F_RSS);
	CHECK(!hm);
	/* VID 101: rule 0 again. */
	tpk_flow_key_frame(&k, fr, n, true, 0x8100, 101);
	CHECK_EQ(tpk_flow_table_walk(t, &k, &hm, &mark), 2);
	/* A non-first fragment has no ports: nothing, the terminator. */
	n = udp4(fr, 100);
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	e = tpk_flow_table_walk(t, &k, &hm, &mark);
	CHECK_EQ(e, t->nb);
	CHECK_EQ(t->br[e].fate, TPK_FLOW_F_END_DROP);
	/* IPv6 TCP: dport 5201 with TC 0xab is dropped; 5300 is not; TC
	 * 0xac is not. */
	n = tcp6(fr, 5201);
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	e = tpk_flow_table_walk(t, &k, &hm, &mark);
	CHECK(e >= 3 && e < t->nb, "entry %u", e);
	CHECK_EQ(t->rule[e], 1);
	CHECK_EQ(t->br[e].fate, TPK_FLOW_F_DROP);
	n = tcp6(fr, 5300);
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	CHECK_EQ(tpk_flow_table_walk(t, &k, &hm, &mark), t->nb);
	n = tcp6(fr, 5000);
	fr[15] = 0xc1;			/* TC 0xac */
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	CHECK_EQ(tpk_flow_table_walk(t, &k, &hm, &mark), t->nb);
	fr[15] = 0xb0;			/* TC 0xab, another flow label */
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	CHECK_EQ(t->rule[tpk_flow_table_walk(t, &k, &hm, &mark)], 1);
	/* ICMP echo: PASS with a mark, then nothing terminates. */
	n = icmp4(fr, 8, 0);
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	e = tpk_flow_table_walk(t, &k, &hm, &mark);
	CHECK_EQ(e, t->nb);
	CHECK(hm && mark == 0x99);
	n = icmp4(fr, 0, 0);		/* echo reply: no mark */
	tpk_flow_key_frame(&k, fr, n, false, 0, 0);
	CHECK_EQ(tpk_flow_table_walk(t, &k, &hm, &mark), t->nb);
	CHECK(!hm);
out:
	return;
}

/*
 * tpk_flow_key_match() reads keys as uint64_t words: every key, in a
 * match, a table entry or the map value the kernel reads, must be 8-byte
 * aligned (it once was 4-aligned, with the keys of struct tpk_flow_match
 * at offset 4 and br[] of struct tpk_flow_table at offset 12: misaligned
 * loads, reported by -fsanitize=alignment).
 */
static void
t_key_alignment(void)
{
	CHECK(_Alignof(struct tpk_flow_key) >= 8, "alignof %zu",
	      _Alignof(struct tpk_flow_key));
	CHECK_EQ(sizeof(struct tpk_flow_key), TPK_FLOW_KEY_WORDS * 8);
	CHECK(offsetof(struct tpk_flow_match, val) % 8 == 0, "offset %zu",
	      offsetof(struct tpk_flow_match, val));
	CHECK(offsetof(struct tpk_flow_match, mask) % 8 == 0, "offset %zu",
	      offsetof(struct tpk_flow_match, mask));
	CHECK(offsetof(struct tpk_flow_table, br) % 8 == 0, "offset %zu",
	      offsetof(struct tpk_flow_table, br));
	CHECK(sizeof(struct tpk_flow_brule) % 8 == 0 &&
	      offsetof(struct tpk_flow_brule, mask) % 8 == 0);
}

/*
 * Regression: the matcher reads keys as words while callers store through
 * the key's byte and 16-bit fields. Before the word type was may_alias,
 * gcc -O2 hoisted the loads out of this loop and every port matched a
 * one-port rule.
 */
static void
t_key_match_store_then_match(void)
{
	struct tpk_flow_key k, v, m;
	volatile uint32_t n = 100;
	uint32_t p, hits = 0;

	memset(&v, 0, sizeof(v));
	memset(&m, 0, sizeof(m));
	v.l4 = 1;
	m.l4 = 0xff;
	v.dport = htons(80);
	m.dport = 0xffff;
	memset(&k, 0, sizeof(k));
	k.l4 = 1;
	for (p = 0; p < n; p++) {
		k.dport = htons((uint16_t)p);
		hits += tpk_flow_key_match(&k, &v, &m);
	}
	CHECK_EQ(hits, 1);
}

/* The driver's own flow hash: per flow, ports and addresses count. */
static void
t_frame_hash(void)
{
	uint8_t f[128], g[128];
	uint32_t n = udp4(f, 0), h;

	memcpy(g, f, n);
	h = tpk_flow_frame_hash(f, n);
	CHECK(h != 0);
	CHECK_EQ(tpk_flow_frame_hash(g, n), h);
	put16(g + 14 + 20 + 2, 4790);		/* another dport */
	CHECK(tpk_flow_frame_hash(g, n) != h);
	memcpy(g, f, n);
	g[14 + 12 + 3] ^= 1;			/* another source address */
	CHECK(tpk_flow_frame_hash(g, n) != h);
	memcpy(g, f, n);
	memset(g + 14 + 20 + 8, 0x11, 4);	/* payload: not hashed */
	CHECK_EQ(tpk_flow_frame_hash(g, n), h);
	/* Runts and non-IP frames still get a hash. */
	CHECK(tpk_flow_frame_hash(f, 10) != 0);
	n = tb_eth(g, 0x88b5);
	CHECK(tpk_flow_frame_hash(g, n + 20) != 0);
}

int
main(void)
{
	TEST(t_key_udp4_untagged);
	TEST(t_key_udp4_tagged);
	TEST(t_key_tcp6);
	TEST(t_key_frag);
	TEST(t_key_icmp);
	TEST(t_key_short);
	TEST(t_key_bad_ihl);
	TEST(t_pat_empty);
	TEST(t_pat_eth);
	TEST(t_pat_vlan);
	TEST(t_pat_has_vlan);
	TEST(t_pat_has_vlan0_then_vlan);
	TEST(t_pat_ipv4_prefix);
	TEST(t_pat_ipv6);
	tpk_case_begin("pat_ports_tcp");
	pat_ports(TPK_FI_TCP, IPPROTO_TCP);
	tpk_case_end();
	tpk_case_begin("pat_ports_udp");
	pat_ports(TPK_FI_UDP, IPPROTO_UDP);
	tpk_case_end();
	tpk_case_begin("pat_ports_sctp");
	pat_ports(TPK_FI_SCTP, IPPROTO_SCTP);
	tpk_case_end();
	TEST(t_pat_icmp);
	TEST(t_pat_null_spec);
	TEST(t_pat_null_mask);
	TEST(t_pat_unsupported_field);
	TEST(t_pat_order);
	TEST(t_pat_proto_conflict);
	TEST(t_frame_hash);
	TEST(t_pat_ethtype_conflict);
	TEST(t_pat_icmp_after_ipv6);
	TEST(t_pat_too_many);
	TEST(t_pat_range_1000_1999);
	TEST(t_pat_range_edges);
	TEST(t_pat_range_two);
	TEST(t_pat_range_refused);
	TEST(t_tbl_prio_order);
	TEST(t_tbl_stable_seq);
	TEST(t_tbl_expansion);
	TEST(t_tbl_member_of);
	TEST(t_tbl_terminator);
	TEST(t_tbl_enospc);
	TEST(t_walk_pass_mark);
	TEST(t_walk_none);
	TEST(t_e2e);
	TEST(t_key_alignment);
	TEST(t_key_match_store_then_match);
	return tpk_test_done();
}
