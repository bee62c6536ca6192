/* SPDX-License-Identifier: BSD-3-Clause
 * Flow rules: the match key, the rule compiler and the matcher. DPDK-free.
 *
 * A packet is reduced to one 64-byte key (struct tpk_flow_key); a rule is
 * a value and a mask over that key, so matching is eight masked 64-bit
 * compares whatever the pattern. The same key is built by the eBPF
 * programs in the kernel (drivers/net/tpacket/bpf/tpk_flow.bpf.h, from
 * skb metadata) and by tpk_flow_key_frame() in user space (from a
 * received frame and its ring metadata), so both see the same rules the
 * same way. Layout changes must be made in both places: the BPF side
 * includes this header.
 *
 * Pattern items arrive as the wire bytes of their header (struct iphdr,
 * udphdr, ...): spec, mask and last each point at `len` bytes in that
 * layout, which is how rte_flow items are laid out as well.
 */
#ifndef TPK_FLOW_H
#define TPK_FLOW_H

#ifdef __BPF__
#include <linux/types.h>
typedef __u8 uint8_t;
typedef __u16 uint16_t;
typedef __u32 uint32_t;
typedef __u64 uint64_t;
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

#define TPK_FLOW_MAX_RULES	128	/* compiled rules per port, ranges expanded */
#define TPK_FLOW_MAX_ITEMS	8	/* items in one pattern, VOID excluded */
#define TPK_FLOW_RSS_MAX	16	/* queues in one RSS action */
#define TPK_FLOW_PRIO_MAX	65535
#define TPK_FLOW_KEY_WORDS	8

/*
 * Keys are compared as words; the word type may alias the key's bytes, or
 * the compiler may assume a store to a key field cannot change a word read
 * (it hoisted the read out of a loop and matched every port).
 */
typedef uint64_t __attribute__((__may_alias__)) tpk_flow_word_t;
typedef uint32_t __attribute__((__may_alias__)) tpk_flow_word32_t;
/* Entries of the kernel's rule map: the rules and the terminator. */
#define TPK_FLOW_MAP_ENTRIES	(TPK_FLOW_MAX_RULES + 1)

/*
 * What a packet looks like to a rule. All multi-byte fields are in network
 * order. An absent layer leaves its fields zero, and the presence bytes
 * (tagged, l3, l4) say which layers were parsed.
 */
struct tpk_flow_key {
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t eth_type;	/* the TPID when tagged, else the EtherType */
	uint16_t inner_type;	/* the EtherType after the tag (untagged: = eth_type) */
	uint16_t tci;		/* 0 when untagged */
	uint8_t tagged;		/* 1: a VLAN tag (the kernel moves it to metadata) */
	uint8_t l3;		/* 4, 6, or 0 when neither */
	uint8_t proto;		/* IPv4 protocol / IPv6 next header */
	uint8_t tos;		/* IPv4 TOS / IPv6 traffic class */
	uint8_t l4;		/* 1: the first 4 bytes of L4 were read */
	uint8_t pad0;
	uint8_t ip_src[16];	/* IPv4: the first 4 bytes */
	uint8_t ip_dst[16];
	uint16_t sport;		/* TCP/UDP/SCTP ports; ICMP: type, code */
	uint16_t dport;
	uint32_t pad1;
} __attribute__((aligned(8)));	/* compared as 64-bit words */

/* Fate of a compiled rule, as the kernel programs read it. */
enum tpk_flow_fate {
	TPK_FLOW_F_END = 0,	/* end of the table: no rule matched */
	TPK_FLOW_F_END_DROP,	/* end of the table in isolated mode */
	TPK_FLOW_F_PASS,	/* count (and mark), then go on matching */
	TPK_FLOW_F_QUEUE,
	TPK_FLOW_F_RSS,
	TPK_FLOW_F_DROP,
	TPK_FLOW_F_DEFAULT,	/* terminate here with the default RSS spread */
};

/*
 * One compiled rule as the kernel's programs read it (the value of the
 * rule array map). Queue actions hold fanout member indexes, which the
 * driver derives from queue ids whenever group membership changes.
 */
struct tpk_flow_brule {
	struct tpk_flow_key val;	/* already masked */
	struct tpk_flow_key mask;
	uint16_t fate;			/* enum tpk_flow_fate */
	uint16_t cnt;			/* counter slot */
	uint16_t member;		/* QUEUE: member index */
	uint16_t nb_rss;		/* RSS: members in rss[] */
	uint16_t rss[TPK_FLOW_RSS_MAX];
};

/* Per-CPU counter slot in the kernel; the last slot counts isolate drops. */
struct tpk_flow_cnt {
	uint64_t hits;
	uint64_t bytes;
};
#define TPK_FLOW_CNT_SLOTS	(TPK_FLOW_MAX_RULES + 1)
#define TPK_FLOW_CNT_ISOLATE	TPK_FLOW_MAX_RULES

#ifndef __BPF__

/* Does the key match the rule? Eight masked compares. */
static inline bool
tpk_flow_key_match(const struct tpk_flow_key *k, const struct tpk_flow_key *val,
		   const struct tpk_flow_key *mask)
{
	const tpk_flow_word_t *kw = (const tpk_flow_word_t *)k;
	const tpk_flow_word_t *vw = (const tpk_flow_word_t *)val;
	const tpk_flow_word_t *mw = (const tpk_flow_word_t *)mask;
	uint64_t d = 0;
	int i;

	for (i = 0; i < TPK_FLOW_KEY_WORDS; i++)
		d |= (kw[i] & mw[i]) ^ vw[i];
	return d == 0;
}

/*
 * The key of a received frame: frame starts at the MAC header and has len
 * bytes; tagged/tpid/tci are the ring's VLAN metadata (the kernel strips
 * the outer tag before it hands a frame to a packet socket).
 */
void tpk_flow_key_frame(struct tpk_flow_key *k, const uint8_t *frame,
			uint32_t len, bool tagged, uint16_t tpid, uint16_t tci);

/*
 * A flow hash of a frame for RTE_ETH_RX_OFFLOAD_RSS_HASH where the kernel
 * reports none (rx_mode=frames and recvmmsg): IP addresses, protocol and
 * ports (MACs and EtherType when not IP); the same for every frame of a
 * flow, never 0. Not the kernel's skb hash.
 */
uint32_t tpk_flow_frame_hash(const uint8_t *frame, uint32_t len);

/* ------------------------------------------------------------ patterns */

enum tpk_flow_item_type {
	TPK_FI_END = 0,
	TPK_FI_VOID,
	TPK_FI_ETH,	/* struct ethhdr (14 bytes) */
	TPK_FI_VLAN,	/* TCI, inner EtherType (4 bytes, network order) */
	TPK_FI_IPV4,	/* struct iphdr (20 bytes) */
	TPK_FI_IPV6,	/* struct ipv6hdr (40 bytes) */
	TPK_FI_TCP,	/* struct tcphdr (20 bytes) */
	TPK_FI_UDP,	/* struct udphdr (8 bytes) */
	TPK_FI_SCTP,	/* struct sctphdr (12 bytes) */
	TPK_FI_ICMP,	/* struct icmphdr (8 bytes) */
	TPK_FI_ICMP6,	/* type, code, checksum (4 bytes) */
	TPK_FI_MAX
};

/* Item flags beyond the header bytes (rte_flow's has_vlan and friends). */
#define TPK_FI_HAS_VLAN		0x1	/* ETH: the packet carries a tag */
#define TPK_FI_HAS_MORE_VLAN	0x2	/* VLAN: another tag follows */

struct tpk_flow_item {
	uint32_t type;		/* enum tpk_flow_item_type */
	uint32_t len;		/* bytes at spec/last/mask: the header size */
	const void *spec;	/* NULL: match any of this layer */
	const void *last;	/* NULL: no range */
	const void *mask;	/* NULL: the caller's default mask */
	uint32_t flags_spec;	/* TPK_FI_* values */
	uint32_t flags_mask;	/* TPK_FI_* bits that must match */
};

/* Why a pattern or an action list was refused. */
struct tpk_flow_err {
	int index;		/* item (or action) index, -1 for the whole rule */
	const char *msg;	/* static text */
};

/* Header size an item's spec/mask/last must have, 0 for END/VOID. */
uint32_t tpk_flow_item_len(uint32_t type);
const char *tpk_flow_item_name(uint32_t type);

/*
 * A pattern compiled to key matches: one value/mask pair, or several when
 * a port range had to be split into prefixes.
 */
#define TPK_FLOW_MAX_EXPAND	32
struct tpk_flow_match {
	uint16_t nb;
	struct tpk_flow_key val[TPK_FLOW_MAX_EXPAND];
	struct tpk_flow_key mask[TPK_FLOW_MAX_EXPAND];
};

/*
 * Compile n items. Returns 0 and fills m, or -EINVAL / -ENOTSUP with
 * err naming the item and why. Ranges (last) are accepted on the L4
 * ports only, split into at most TPK_FLOW_MAX_EXPAND prefix matches.
 */
int tpk_flow_pattern(struct tpk_flow_match *m, const struct tpk_flow_item *items,
		     uint32_t n, struct tpk_flow_err *err);

/* ---------------------------------------------------------- rule table */

/* A rule as the user gave it, reduced to what the datapath needs. */
struct tpk_flow_rule {
	uint32_t prio;		/* lower first */
	uint32_t seq;		/* creation order: ties keep it */
	uint16_t cnt;		/* counter slot */
	uint16_t fate;		/* PASS, QUEUE, RSS, DROP */
	uint16_t queue;		/* QUEUE */
	uint16_t nb_rss;
	uint16_t rss[TPK_FLOW_RSS_MAX];	/* queue ids */
	uint8_t has_mark;
	uint32_t mark;
	const struct tpk_flow_match *match;
};

/* The compiled table: what the kernel and the user-space matcher walk. */
struct tpk_flow_table {
	uint32_t nb;		/* entries in use, terminator excluded */
	uint32_t nb_marks;	/* entries with a mark: 0 lets RX skip matching */
	uint8_t isolate;
	struct tpk_flow_brule br[TPK_FLOW_MAX_RULES + 1];	/* + terminator */
	uint32_t mark[TPK_FLOW_MAX_RULES];
	uint8_t has_mark[TPK_FLOW_MAX_RULES];
	uint16_t rule[TPK_FLOW_MAX_RULES];	/* index into the rule list */
};

/*
 * Sort n rules by (prio, seq) and expand them into t. member_of maps a
 * queue id to its fanout member index (NULL: identity). Returns 0, or
 * -ENOSPC when the expanded rules exceed TPK_FLOW_MAX_RULES.
 */
int tpk_flow_table_build(struct tpk_flow_table *t, const struct tpk_flow_rule *rules,
			 uint32_t n, bool isolate,
			 uint16_t (*member_of)(void *arg, uint16_t queue), void *arg);


/*
 * Walk t for a packet key as the kernel does. Returns the terminating
 * entry's index (t->nb when none matched) and sets *mark / *has_mark from
 * the first matching entry that carries a mark.
 */
uint32_t tpk_flow_table_walk(const struct tpk_flow_table *t,
			     const struct tpk_flow_key *k, bool *has_mark,
			     uint32_t *mark);

#endif /* !__BPF__ */
#endif /* TPK_FLOW_H */
