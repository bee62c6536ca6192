/* SPDX-License-Identifier: BSD-3-Clause
 * rte_flow in the kernel: the rule table both programs of the object walk.
 *
 * tpk_rules holds one inner array of compiled rules (struct
 * tpk_flow_brule, sorted, ending with a terminator). The driver builds a
 * new inner map for every change and swaps it in with one update of the
 * outer slot, so a packet sees the old rule set or the new one, never a
 * mix; an empty slot means no rules and costs one lookup.
 *
 * The fanout program (tpk_rss) uses a terminating rule to pick the queue;
 * the socket filter (tpk_flow_filter, on every RX socket of the port)
 * walks the same table again on the chosen socket to count matches and
 * to drop before the frame is copied into the ring.
 */
#ifndef TPK_FLOW_BPF_H
#define TPK_FLOW_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "tpk_flow.h"

struct tpk_rule_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TPK_FLOW_MAP_ENTRIES);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct tpk_flow_brule));
} tpk_rule_tmpl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct tpk_rule_array);
} tpk_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TPK_FLOW_CNT_SLOTS);
	__type(key, __u32);
	__type(value, struct tpk_flow_cnt);
} tpk_flow_cnt SEC(".maps");

/* The first four bytes of L4 (ports, or ICMP type and code). */
static __always_inline void
tpk_key_l4(struct __sk_buff *skb, struct tpk_flow_key *k, __u32 off)
{
	__u16 p[2];

	if (bpf_skb_load_bytes_relative(skb, off, p, sizeof(p), BPF_HDR_START_NET))
		return;
	k->sport = p[0];
	k->dport = p[1];
	k->l4 = 1;
}

/* The same key as tpk_flow_key_frame() builds from a ring frame. */
static __always_inline void
tpk_key_skb(struct __sk_buff *skb, struct tpk_flow_key *k)
{
	struct ethhdr eth;

	__builtin_memset(k, 0, sizeof(*k));
	if (bpf_skb_load_bytes_relative(skb, 0, &eth, sizeof(eth), BPF_HDR_START_MAC))
		return;
	__builtin_memcpy(k->dst, eth.h_dest, 6);
	__builtin_memcpy(k->src, eth.h_source, 6);
	k->inner_type = eth.h_proto;
	if (skb->vlan_present) {
		k->tagged = 1;
		k->eth_type = skb->vlan_proto ? (__u16)skb->vlan_proto :
			bpf_htons(ETH_P_8021Q);
		k->tci = bpf_htons((__u16)skb->vlan_tci);
	} else {
		k->eth_type = eth.h_proto;
	}
	if (eth.h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;
		__u32 ihl;

		if (bpf_skb_load_bytes_relative(skb, 0, &ip, sizeof(ip),
						BPF_HDR_START_NET))
			return;
		ihl = (__u32)ip.ihl * 4;
		if (ip.version != 4 || ihl < sizeof(ip))
			return;
		k->l3 = 4;
		k->tos = ip.tos;
		k->proto = ip.protocol;
		__builtin_memcpy(k->ip_src, &ip.saddr, 4);
		__builtin_memcpy(k->ip_dst, &ip.daddr, 4);
		if ((bpf_ntohs(ip.frag_off) & 0x1fff) == 0)
			tpk_key_l4(skb, k, ihl);
	} else if (eth.h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes_relative(skb, 0, &ip6, sizeof(ip6),
						BPF_HDR_START_NET))
			return;
		k->l3 = 6;
		k->tos = (__u8)((ip6.priority << 4) | (ip6.flow_lbl[0] >> 4));
		k->proto = ip6.nexthdr;
		__builtin_memcpy(k->ip_src, &ip6.saddr, 16);
		__builtin_memcpy(k->ip_dst, &ip6.daddr, 16);
		tpk_key_l4(skb, k, sizeof(ip6));
	}
}

static __always_inline int
tpk_key_match(const struct tpk_flow_key *k, const struct tpk_flow_brule *b)
{
	const tpk_flow_word_t *kw = (const tpk_flow_word_t *)k;
	const tpk_flow_word_t *vw = (const tpk_flow_word_t *)&b->val;
	const tpk_flow_word_t *mw = (const tpk_flow_word_t *)&b->mask;
	__u64 d = 0;
	int w;

#pragma unroll
	for (w = 0; w < TPK_FLOW_KEY_WORDS; w++)
		d |= (kw[w] & mw[w]) ^ vw[w];
	return d == 0;
}

static __always_inline void
tpk_flow_count(__u32 slot, __u32 len)
{
	struct tpk_flow_cnt *c = bpf_map_lookup_elem(&tpk_flow_cnt, &slot);

	if (c != NULL) {
		__sync_fetch_and_add(&c->hits, 1);
		__sync_fetch_and_add(&c->bytes, len);
	}
}

/*
 * The terminating entry for key k (a rule, or the terminator), or NULL
 * when there is no rule table. count: add every matched entry, PASS ones
 * included, to its counter.
 */
static __always_inline const struct tpk_flow_brule *
tpk_flow_walk(struct __sk_buff *skb, void *tbl, const struct tpk_flow_key *k,
	      int count)
{
	__u32 i;

	for (i = 0; i < TPK_FLOW_MAP_ENTRIES; i++) {
		const struct tpk_flow_brule *b = bpf_map_lookup_elem(tbl, &i);

		if (b == NULL)
			return NULL;
		if (b->fate == TPK_FLOW_F_END || b->fate == TPK_FLOW_F_END_DROP) {
			if (count && b->fate == TPK_FLOW_F_END_DROP)
				tpk_flow_count(b->cnt, skb->len);
			return b;
		}
		if (!tpk_key_match(k, b))
			continue;
		if (count)
			tpk_flow_count(b->cnt, skb->len);
		if (b->fate != TPK_FLOW_F_PASS)
			return b;
	}
	return NULL;
}

/* The RSS action's hash: symmetric over addresses and ports. */
static __always_inline __u32
tpk_flow_hash(const struct tpk_flow_key *k)
{
	const tpk_flow_word32_t *s = (const tpk_flow_word32_t *)k->ip_src;
	const tpk_flow_word32_t *d = (const tpk_flow_word32_t *)k->ip_dst;
	__u32 h = k->proto;
	int i;

#pragma unroll
	for (i = 0; i < 4; i++)
		h ^= s[i] ^ d[i];
	if (k->l4)
		h ^= (__u32)(k->sport ^ k->dport) << 8;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

/*
 * Fanout: the member index a rule steers k to, or -1 to use the
 * redirection table (no table, no terminating rule, PASS-only matches).
 * DROP goes to member 0, whose socket filter drops it.
 */
static __always_inline int
tpk_flow_steer(struct __sk_buff *skb)
{
	const struct tpk_flow_brule *b;
	struct tpk_flow_key k;
	__u32 zero = 0, idx;
	void *tbl;

	tbl = bpf_map_lookup_elem(&tpk_rules, &zero);
	if (tbl == NULL)
		return -1;
	tpk_key_skb(skb, &k);
	b = tpk_flow_walk(skb, tbl, &k, 0);
	if (b == NULL)
		return -1;
	switch (b->fate) {
	case TPK_FLOW_F_QUEUE:
		return b->member;
	case TPK_FLOW_F_RSS:
		if (b->nb_rss == 0 || b->nb_rss > TPK_FLOW_RSS_MAX)
			return -1;
		idx = tpk_flow_hash(&k) % b->nb_rss;
		/* The verifier wants the bound it cannot derive from a
		 * modulo; hide idx so the compiler keeps the mask. */
		asm volatile("" : "+r"(idx));
		idx &= TPK_FLOW_RSS_MAX - 1;
		return b->rss[idx];
	case TPK_FLOW_F_DROP:
		return 0;
	default:
		return -1;
	}
}

/* The socket filter: count, and drop what a rule (or isolation) drops. */
SEC("socket")
int
tpk_flow_filter(struct __sk_buff *skb)
{
	const struct tpk_flow_brule *b;
	struct tpk_flow_key k;
	__u32 zero = 0;
	void *tbl;

	tbl = bpf_map_lookup_elem(&tpk_rules, &zero);
	if (tbl == NULL)
		return -1;
	tpk_key_skb(skb, &k);
	b = tpk_flow_walk(skb, tbl, &k, 1);
	if (b != NULL &&
	    (b->fate == TPK_FLOW_F_DROP || b->fate == TPK_FLOW_F_END_DROP))
		return 0;
	return -1;	/* keep the whole frame */
}

#endif /* TPK_FLOW_BPF_H */
