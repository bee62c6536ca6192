/* SPDX-License-Identifier: BSD-3-Clause
 * Flow rules: pattern compiler, table builder and the user-space matcher.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/icmp.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "tpk_flow.h"

_Static_assert(sizeof(struct tpk_flow_key) == TPK_FLOW_KEY_WORDS * 8,
	       "the key is eight 64-bit words");
_Static_assert(offsetof(struct tpk_flow_key, ip_src) % 8 == 0,
	       "addresses start on a word");

/* ------------------------------------------------------------- the key */

/* Read the first four bytes of L4 (ports, or ICMP type and code). */
static void
tpk_flow_key_l4(struct tpk_flow_key *k, const uint8_t *l4, uint32_t left)
{
	if (left < 4)
		return;
	memcpy(&k->sport, l4, 2);
	memcpy(&k->dport, l4 + 2, 2);
	k->l4 = 1;
}

static void
tpk_flow_key_ip4(struct tpk_flow_key *k, const uint8_t *p, uint32_t left)
{
	struct iphdr ip;
	uint32_t ihl;

	if (left < sizeof(ip))
		return;
	memcpy(&ip, p, sizeof(ip));
	ihl = (uint32_t)ip.ihl * 4;
	if (ip.version != 4 || ihl < sizeof(ip))
		return;
	k->l3 = 4;
	k->tos = ip.tos;
	k->proto = ip.protocol;
	memcpy(k->ip_src, &ip.saddr, 4);
	memcpy(k->ip_dst, &ip.daddr, 4);
	/* Only a fragment at offset 0 carries the L4 header. */
	if ((ntohs(ip.frag_off) & 0x1fff) == 0 && left >= ihl)
		tpk_flow_key_l4(k, p + ihl, left - ihl);
}

static void
tpk_flow_key_ip6(struct tpk_flow_key *k, const uint8_t *p, uint32_t left)
{
	struct ipv6hdr ip6;

	if (left < sizeof(ip6))
		return;
	memcpy(&ip6, p, sizeof(ip6));
	k->l3 = 6;
	k->tos = (uint8_t)((ip6.priority << 4) | (ip6.flow_lbl[0] >> 4));
	k->proto = ip6.nexthdr;
	memcpy(k->ip_src, &ip6.saddr, 16);
	memcpy(k->ip_dst, &ip6.daddr, 16);
	tpk_flow_key_l4(k, p + sizeof(ip6), left - sizeof(ip6));
}

void
tpk_flow_key_frame(struct tpk_flow_key *k, const uint8_t *frame, uint32_t len,
		   bool tagged, uint16_t tpid, uint16_t tci)
{
	struct ethhdr eth;

	memset(k, 0, sizeof(*k));
	if (len < sizeof(eth))
		return;
	memcpy(&eth, frame, sizeof(eth));
	memcpy(k->dst, eth.h_dest, 6);
	memcpy(k->src, eth.h_source, 6);
	k->inner_type = eth.h_proto;
	if (tagged) {
		k->tagged = 1;
		k->eth_type = htons(tpid != 0 ? tpid : ETH_P_8021Q);
		k->tci = htons(tci);
	} else {
		k->eth_type = eth.h_proto;
	}
	if (eth.h_proto == htons(ETH_P_IP))
		tpk_flow_key_ip4(k, frame + sizeof(eth), len - sizeof(eth));
	else if (eth.h_proto == htons(ETH_P_IPV6))
		tpk_flow_key_ip6(k, frame + sizeof(eth), len - sizeof(eth));
}

/* A 32-bit mix step (multiply-rotate). */
static inline uint32_t
tpk_hash_step(uint32_t h, uint32_t w)
{
	w *= 0xcc9e2d51u;
	w = (w << 15) | (w >> 17);
	h ^= w * 0x1b873593u;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64u;
}

uint32_t
tpk_flow_frame_hash(const uint8_t *frame, uint32_t len)
{
	struct tpk_flow_key k;
	const tpk_flow_word32_t *w;
	uint32_t h = 0x9747b28cu, i;

	tpk_flow_key_frame(&k, frame, len, false, 0, 0);
	if (k.l3 != 0) {
		/* Addresses, protocol and (not for fragments) ports. */
		w = (const tpk_flow_word32_t *)k.ip_src;
		for (i = 0; i < (k.l3 == 4 ? 1u : 4u); i++)
			h = tpk_hash_step(h, w[i]);
		w = (const tpk_flow_word32_t *)k.ip_dst;
		for (i = 0; i < (k.l3 == 4 ? 1u : 4u); i++)
			h = tpk_hash_step(h, w[i]);
		h = tpk_hash_step(h, (uint32_t)k.proto << 16 | k.l4);
		if (k.l4)
			h = tpk_hash_step(h, (uint32_t)k.sport << 16 | k.dport);
	} else {
		/* Not IP: the MAC addresses and the EtherType. */
		w = (const tpk_flow_word32_t *)k.dst;
		for (i = 0; i < 3; i++)
			h = tpk_hash_step(h, w[i]);
		h = tpk_hash_step(h, k.eth_type);
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h != 0 ? h : 1;	/* 0 reads as "no hash" */
}

/* ------------------------------------------------------------ patterns */

/* A header field an item may match: where it is and where it goes. */
struct tpk_fi_field {
	uint8_t off;		/* in the item's header bytes */
	uint8_t len;
	uint8_t key_off;	/* in struct tpk_flow_key */
	uint8_t range;		/* spec..last accepted (ports) */
};

#define KO(f) ((uint8_t)offsetof(struct tpk_flow_key, f))
#define HO(t, f) ((uint8_t)offsetof(struct t, f))

static const struct tpk_fi_field tpk_fi_eth[] = {
	{ HO(ethhdr, h_dest), 6, KO(dst), 0 },
	{ HO(ethhdr, h_source), 6, KO(src), 0 },
	{ HO(ethhdr, h_proto), 2, KO(eth_type), 0 },
};
static const struct tpk_fi_field tpk_fi_vlan[] = {
	{ 0, 2, KO(tci), 0 },
	{ 2, 2, KO(inner_type), 0 },
};
static const struct tpk_fi_field tpk_fi_ip4[] = {
	{ HO(iphdr, tos), 1, KO(tos), 0 },
	{ HO(iphdr, protocol), 1, KO(proto), 0 },
	{ HO(iphdr, saddr), 4, KO(ip_src), 0 },
	{ HO(iphdr, daddr), 4, KO(ip_dst), 0 },
};
/* The IPv6 traffic class straddles bytes 0-1: handled apart. */
static const struct tpk_fi_field tpk_fi_ip6[] = {
	{ HO(ipv6hdr, nexthdr), 1, KO(proto), 0 },
	{ HO(ipv6hdr, saddr), 16, KO(ip_src), 0 },
	{ HO(ipv6hdr, daddr), 16, KO(ip_dst), 0 },
};
/* TCP, UDP and SCTP all start with the two ports. */
static const struct tpk_fi_field tpk_fi_ports[] = {
	{ 0, 2, KO(sport), 1 },
	{ 2, 2, KO(dport), 1 },
};
static const struct tpk_fi_field tpk_fi_icmp[] = {
	{ 0, 1, KO(sport), 0 },
	{ 1, 1, KO(sport) + 1, 0 },
};

struct tpk_fi_desc {
	const char *name;
	uint8_t len;
	uint8_t layer;		/* 1 L2, 2 VLAN, 3 L3, 4 L4: items go upwards */
	uint8_t proto;		/* L4: the IP protocol it implies */
	uint8_t l3;		/* 4/6: the L3 it implies, 0 either */
	const struct tpk_fi_field *f;
	uint8_t nb_f;
	const char *fields;	/* for the error text */
	uint8_t dflt[40];	/* rte_flow's default mask */
};

#define NF(a) (uint8_t)(sizeof(a) / sizeof((a)[0]))
static const struct tpk_fi_desc tpk_fi[TPK_FI_MAX] = {
	[TPK_FI_ETH] = { "eth", 14, 1, 0, 0, tpk_fi_eth, NF(tpk_fi_eth),
		"dst, src, type, has_vlan",
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff } },
	[TPK_FI_VLAN] = { "vlan", 4, 2, 0, 0, tpk_fi_vlan, NF(tpk_fi_vlan),
		"tci, inner_type", { 0x0f, 0xff } },
	[TPK_FI_IPV4] = { "ipv4", 20, 3, 0, 4, tpk_fi_ip4, NF(tpk_fi_ip4),
		"type_of_service, next_proto_id, src_addr, dst_addr",
		{ [12] = 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
	[TPK_FI_IPV6] = { "ipv6", 40, 3, 0, 6, tpk_fi_ip6, NF(tpk_fi_ip6),
		"traffic class, proto, src_addr, dst_addr",
		{ [8] = 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
	[TPK_FI_TCP] = { "tcp", 20, 4, IPPROTO_TCP, 0, tpk_fi_ports,
		NF(tpk_fi_ports), "src_port, dst_port", { 0xff, 0xff, 0xff, 0xff } },
	[TPK_FI_UDP] = { "udp", 8, 4, IPPROTO_UDP, 0, tpk_fi_ports,
		NF(tpk_fi_ports), "src_port, dst_port", { 0xff, 0xff, 0xff, 0xff } },
	[TPK_FI_SCTP] = { "sctp", 12, 4, IPPROTO_SCTP, 0, tpk_fi_ports,
		NF(tpk_fi_ports), "src_port, dst_port", { 0xff, 0xff, 0xff, 0xff } },
	[TPK_FI_ICMP] = { "icmp", 8, 4, IPPROTO_ICMP, 4, tpk_fi_icmp,
		NF(tpk_fi_icmp), "icmp_type, icmp_code", { 0xff, 0xff } },
	[TPK_FI_ICMP6] = { "icmp6", 4, 4, IPPROTO_ICMPV6, 6, tpk_fi_icmp,
		NF(tpk_fi_icmp), "type, code", { 0xff, 0xff } },
};

uint32_t
tpk_flow_item_len(uint32_t type)
{
	return type < TPK_FI_MAX ? tpk_fi[type].len : 0;
}

const char *
tpk_flow_item_name(uint32_t type)
{
	if (type == TPK_FI_END)
		return "end";
	if (type == TPK_FI_VOID)
		return "void";
	return type < TPK_FI_MAX && tpk_fi[type].name ? tpk_fi[type].name : "unknown";
}

static int
tpk_flow_refuse(struct tpk_flow_err *err, int index, const char *msg, int ret)
{
	if (err != NULL) {
		err->index = index;
		err->msg = msg;
	}
	return ret;
}

/* Set a key byte: the value under its mask, both ORed in (items add up). */
static void
tpk_key_set(struct tpk_flow_key *val, struct tpk_flow_key *mask, uint32_t off,
	    uint8_t v, uint8_t m)
{
	((uint8_t *)val)[off] |= v & m;
	((uint8_t *)mask)[off] |= m;
}

/* Require key byte off to equal v: fails if an earlier item said otherwise. */
static bool
tpk_key_need(struct tpk_flow_key *val, struct tpk_flow_key *mask, uint32_t off,
	     uint8_t v)
{
	uint8_t *vb = (uint8_t *)val, *mb = (uint8_t *)mask;

	if ((vb[off] & mb[off]) != (v & mb[off]))
		return false;
	vb[off] = v;
	mb[off] = 0xff;
	return true;
}

/* A port range, per direction: [lo, hi], or none. */
struct tpk_port_range {
	bool on;
	uint16_t lo, hi;
};

/* Which bytes of the header the item's fields cover. */
static void
tpk_fi_covered(const struct tpk_fi_desc *d, uint32_t type, uint8_t *cov)
{
	uint8_t i, j;

	memset(cov, 0, 40);
	for (i = 0; i < d->nb_f; i++)
		for (j = 0; j < d->f[i].len; j++)
			cov[d->f[i].off + j] = 0xff;
	if (type == TPK_FI_IPV6) {
		cov[0] = 0x0f;	/* traffic class: low nibble of byte 0 */
		cov[1] = 0xf0;	/* and the high nibble of byte 1 */
	}
}

static int
tpk_fi_ranges(const struct tpk_fi_desc *d, const uint8_t *spec, const uint8_t *last,
	      const uint8_t *mask, struct tpk_port_range pr[2], int idx,
	      struct tpk_flow_err *err)
{
	uint32_t i;

	for (i = 0; i < d->len; i++) {
		uint8_t s = spec[i] & mask[i], l = last[i] & mask[i];
		uint8_t f;
		bool is_port = false;

		if (l == 0 || l == s)
			continue;
		for (f = 0; f < d->nb_f; f++)
			if (d->f[f].range && i >= d->f[f].off &&
			    i < d->f[f].off + d->f[f].len)
				is_port = true;
		if (!is_port)
			return tpk_flow_refuse(err, idx,
				"ranges (last) are supported on L4 ports only", -ENOTSUP);
	}
	for (i = 0; i < 2 && d->f == tpk_fi_ports; i++) {
		uint16_t s = (uint16_t)((spec[2 * i] << 8) | spec[2 * i + 1]);
		uint16_t l = (uint16_t)((last[2 * i] << 8) | last[2 * i + 1]);
		uint16_t m = (uint16_t)((mask[2 * i] << 8) | mask[2 * i + 1]);

		if ((l & m) == 0 || (l & m) == (s & m))
			continue;
		if (m != 0xffff)
			return tpk_flow_refuse(err, idx,
				"a port range needs the full port mask", -ENOTSUP);
		if (l < s)
			return tpk_flow_refuse(err, idx,
				"port range: last is below spec", -EINVAL);
		pr[i].on = true;
		pr[i].lo = s;
		pr[i].hi = l;
	}
	return 0;
}

/* A 16-bit key field under its mask, host order. */
static uint16_t
tpk_key_u16(const struct tpk_flow_key *k, uint32_t off)
{
	const uint8_t *b = (const uint8_t *)k + off;

	return (uint16_t)((b[0] << 8) | b[1]);
}

/*
 * Could a frame with the EtherTypes matched so far carry this L3? A
 * contradiction (eth type 0x86dd / ipv4) would validate but never match.
 */
static bool
tpk_fi_type_fits(const struct tpk_flow_key *val, const struct tpk_flow_key *mask,
		 uint8_t l3)
{
	uint16_t want = l3 == 4 ? ETH_P_IP : ETH_P_IPV6;
	uint16_t et = tpk_key_u16(val, KO(eth_type));
	uint16_t em = tpk_key_u16(mask, KO(eth_type));
	uint16_t it = tpk_key_u16(val, KO(inner_type));
	uint16_t im = tpk_key_u16(mask, KO(inner_type));
	bool tpid = (et & em) == (ETH_P_8021Q & em) || (et & em) == (ETH_P_8021AD & em);

	if ((it & im) != (want & im))
		return false;
	/* The outer type is the TPID when tagged, else the L3's EtherType. */
	return (et & em) == (want & em) || tpid;
}

/* Compile one item into val/mask. */
static int
tpk_fi_compile(const struct tpk_flow_item *it, int idx, struct tpk_flow_key *val,
	       struct tpk_flow_key *mask, struct tpk_port_range pr[2],
	       struct tpk_flow_err *err)
{
	const struct tpk_fi_desc *d = &tpk_fi[it->type];
	const uint8_t *spec = it->spec, *m = it->mask ? it->mask : d->dflt;
	uint8_t cov[40];
	uint32_t i, j;
	int ret;

	if (it->len != d->len)
		return tpk_flow_refuse(err, idx, "item size does not match its header",
				       -EINVAL);
	/* The layer's presence, implied by the item itself. */
	if (it->type == TPK_FI_VLAN && !tpk_key_need(val, mask, KO(tagged), 1))
		return tpk_flow_refuse(err, idx, "vlan after eth has_vlan 0",
				       -EINVAL);
	if (d->l3 != 0 && !tpk_key_need(val, mask, KO(l3), d->l3))
		return tpk_flow_refuse(err, idx, "item does not fit the L3 before it",
				       -EINVAL);
	if (d->layer == 3 && !tpk_fi_type_fits(val, mask, d->l3))
		return tpk_flow_refuse(err, idx,
			"L3 item conflicts with the EtherType matched before it",
			-EINVAL);
	if (d->proto != 0 && !tpk_key_need(val, mask, KO(proto), d->proto))
		return tpk_flow_refuse(err, idx,
			"L4 item conflicts with the IP protocol matched before it",
			-EINVAL);
	if (it->type == TPK_FI_ETH && (it->flags_mask & TPK_FI_HAS_VLAN))
		tpk_key_set(val, mask, KO(tagged),
			    (it->flags_spec & TPK_FI_HAS_VLAN) ? 1 : 0, 0xff);
	if (it->type == TPK_FI_VLAN && (it->flags_mask & TPK_FI_HAS_MORE_VLAN) &&
	    (it->flags_spec & TPK_FI_HAS_MORE_VLAN))
		return tpk_flow_refuse(err, idx, "only one VLAN tag can be matched",
				       -ENOTSUP);
	if (spec == NULL) {
		if (it->last != NULL)
			return tpk_flow_refuse(err, idx, "last without spec", -EINVAL);
		return 0;	/* any packet of this layer */
	}
	tpk_fi_covered(d, it->type, cov);
	for (i = 0; i < d->len; i++)
		if (m[i] & ~cov[i])
			return tpk_flow_refuse(err, idx, d->fields, -ENOTSUP);
	if (it->last != NULL) {
		ret = tpk_fi_ranges(d, spec, it->last, m, pr, idx, err);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < d->nb_f; i++) {
		const struct tpk_fi_field *f = &d->f[i];
		uint8_t *vb = (uint8_t *)val, *mb = (uint8_t *)mask;

		for (j = 0; j < f->len; j++) {
			uint8_t s = spec[f->off + j], mm = m[f->off + j];

			/* Two items matching one key byte must agree. */
			if ((mb[f->key_off + j] & mm) &&
			    ((vb[f->key_off + j] ^ s) & mb[f->key_off + j] & mm))
				return tpk_flow_refuse(err, idx,
					"item conflicts with an earlier item", -EINVAL);
			tpk_key_set(val, mask, f->key_off + j, s, mm);
		}
	}
	if (it->type == TPK_FI_IPV6) {
		uint8_t tc = (uint8_t)(((spec[0] & 0x0f) << 4) | (spec[1] >> 4));
		uint8_t tcm = (uint8_t)(((m[0] & 0x0f) << 4) | (m[1] >> 4));

		tpk_key_set(val, mask, KO(tos), tc, tcm);
	}
	/* Ports (or ICMP type/code) are only there when L4 was read. */
	if (d->layer == 4)
		for (i = 0; i < 4; i++)
			if (m[i] != 0)
				tpk_key_set(val, mask, KO(l4), 1, 0xff);
	return 0;
}

/* Split [lo, hi] into aligned prefix blocks: at most 32 for 16 bits. */
static uint32_t
tpk_range_prefixes(uint16_t lo, uint16_t hi, uint16_t *vals, uint16_t *masks,
		   uint32_t max)
{
	uint32_t a = lo, b = hi, n = 0;

	while (a <= b && n < max) {
		uint32_t size = 1;

		while ((a & (size * 2 - 1)) == 0 && a + size * 2 - 1 <= b &&
		       size < 0x10000)
			size *= 2;
		vals[n] = (uint16_t)a;
		masks[n] = (uint16_t)(0x10000 - size);
		n++;
		a += size;
	}
	return a <= b ? max + 1 : n;
}

static int
tpk_flow_expand(struct tpk_flow_match *m, const struct tpk_flow_key *val,
		const struct tpk_flow_key *mask, const struct tpk_port_range pr[2],
		struct tpk_flow_err *err)
{
	uint16_t v[2][TPK_FLOW_MAX_EXPAND], mk[2][TPK_FLOW_MAX_EXPAND];
	uint32_t n[2] = { 1, 1 }, i, j, d;

	for (d = 0; d < 2; d++) {
		if (!pr[d].on) {
			v[d][0] = 0;
			mk[d][0] = 0;
			continue;
		}
		n[d] = tpk_range_prefixes(pr[d].lo, pr[d].hi, v[d], mk[d],
					  TPK_FLOW_MAX_EXPAND);
	}
	if (n[0] * n[1] > TPK_FLOW_MAX_EXPAND)
		return tpk_flow_refuse(err, -1,
			"port ranges need more than 32 prefix rules", -ENOTSUP);
	m->nb = 0;
	for (i = 0; i < n[0]; i++) {
		for (j = 0; j < n[1]; j++) {
			struct tpk_flow_key *kv = &m->val[m->nb];
			struct tpk_flow_key *km = &m->mask[m->nb];

			*kv = *val;
			*km = *mask;
			if (pr[0].on) {
				km->sport = htons(mk[0][i]);
				kv->sport = htons(v[0][i]);
			}
			if (pr[1].on) {
				km->dport = htons(mk[1][j]);
				kv->dport = htons(v[1][j]);
			}
			m->nb++;
		}
	}
	return 0;
}

int
tpk_flow_pattern(struct tpk_flow_match *m, const struct tpk_flow_item *items,
		 uint32_t n, struct tpk_flow_err *err)
{
	struct tpk_port_range pr[2] = { { false, 0, 0 }, { false, 0, 0 } };
	struct tpk_flow_key val, mask;
	uint32_t i, nb = 0;
	uint8_t layer = 0;
	int ret;

	memset(&val, 0, sizeof(val));
	memset(&mask, 0, sizeof(mask));
	for (i = 0; i < n && items[i].type != TPK_FI_END; i++) {
		const struct tpk_flow_item *it = &items[i];

		if (it->type == TPK_FI_VOID)
			continue;
		if (it->type >= TPK_FI_MAX || tpk_fi[it->type].name == NULL)
			return tpk_flow_refuse(err, (int)i, "item type not supported",
					       -ENOTSUP);
		if (++nb > TPK_FLOW_MAX_ITEMS)
			return tpk_flow_refuse(err, (int)i, "too many items", -ENOTSUP);
		if (tpk_fi[it->type].layer <= layer)
			return tpk_flow_refuse(err, (int)i,
				"items must go up the stack, one per layer", -ENOTSUP);
		layer = tpk_fi[it->type].layer;
		ret = tpk_fi_compile(it, (int)i, &val, &mask, pr, err);
		if (ret < 0)
			return ret;
	}
	/* Keep the value inside its mask: the matcher compares them as is. */
	for (i = 0; i < sizeof(val); i++)
		((uint8_t *)&val)[i] &= ((uint8_t *)&mask)[i];
	return tpk_flow_expand(m, &val, &mask, pr, err);
}

/* ---------------------------------------------------------- rule table */

static bool
tpk_rule_before(const struct tpk_flow_rule *a, const struct tpk_flow_rule *b)
{
	return a->prio != b->prio ? a->prio < b->prio : a->seq < b->seq;
}

static uint16_t
tpk_member_identity(void *arg, uint16_t queue)
{
	(void)arg;
	return queue;
}

int
tpk_flow_table_build(struct tpk_flow_table *t, const struct tpk_flow_rule *rules,
		     uint32_t n, bool isolate,
		     uint16_t (*member_of)(void *arg, uint16_t queue), void *arg)
{
	uint16_t order[TPK_FLOW_MAX_RULES];
	uint32_t i, j, e;

	if (member_of == NULL)
		member_of = tpk_member_identity;
	if (n > TPK_FLOW_MAX_RULES)
		return -ENOSPC;
	/* Insertion sort: stable, and n is small. */
	for (i = 0; i < n; i++) {
		for (j = i; j > 0 && tpk_rule_before(&rules[i], &rules[order[j - 1]]); j--)
			order[j] = order[j - 1];
		order[j] = (uint16_t)i;
	}
	memset(t, 0, sizeof(*t));
	for (i = 0; i < n; i++) {
		const struct tpk_flow_rule *r = &rules[order[i]];

		for (e = 0; e < r->match->nb; e++) {
			struct tpk_flow_brule *b = &t->br[t->nb];

			if (t->nb == TPK_FLOW_MAX_RULES)
				return -ENOSPC;
			b->val = r->match->val[e];
			b->mask = r->match->mask[e];
			b->fate = r->fate;
			b->cnt = r->cnt;
			if (r->fate == TPK_FLOW_F_QUEUE)
				b->member = member_of(arg, r->queue);
			/* Clamped: the kernel program indexes rss[] by it. */
			b->nb_rss = r->nb_rss < TPK_FLOW_RSS_MAX ? r->nb_rss : TPK_FLOW_RSS_MAX;
			for (j = 0; j < b->nb_rss; j++)
				b->rss[j] = member_of(arg, r->rss[j]);
			t->has_mark[t->nb] = r->has_mark;
			t->mark[t->nb] = r->mark;
			t->rule[t->nb] = order[i];
			t->nb_marks += r->has_mark;
			t->nb++;
		}
	}
	t->isolate = isolate;
	t->br[t->nb].fate = isolate ? TPK_FLOW_F_END_DROP : TPK_FLOW_F_END;
	t->br[t->nb].cnt = TPK_FLOW_CNT_ISOLATE;
	return 0;
}

uint32_t
tpk_flow_table_walk(const struct tpk_flow_table *t, const struct tpk_flow_key *k,
		    bool *has_mark, uint32_t *mark)
{
	uint32_t i;

	*has_mark = false;
	for (i = 0; i < t->nb; i++) {
		const struct tpk_flow_brule *b = &t->br[i];

		if (!tpk_flow_key_match(k, &b->val, &b->mask))
			continue;
		if (t->has_mark[i] && !*has_mark) {
			*has_mark = true;
			*mark = t->mark[i];
		}
		if (b->fate != TPK_FLOW_F_PASS)
			return i;
	}
	return t->nb;
}
