/* SPDX-License-Identifier: BSD-3-Clause
 * RSS for net_tpacket: a PACKET_FANOUT_EBPF program that hashes each
 * frame's flow and looks the queue up in a redirection table (an array
 * map the PMD writes on rss_reta_update). The kernel takes the return
 * value modulo the number of group members, i.e. the RX queue index.
 *
 * The hash is symmetric (both directions of a flow share a queue): XOR of
 * the addresses and of the ports, then a finalizer to spread the bits.
 * At fanout time skb->data points at the network header.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "tpk_flow.bpf.h"

#define TPK_RETA_SIZE 128

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TPK_RETA_SIZE);
	__type(key, __u32);
	__type(value, __u32);
} tpk_reta SEC(".maps");

static __always_inline __u32
tpk_mix(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

static __always_inline __u32
tpk_ports(struct __sk_buff *skb, __u32 off)
{
	__u16 p[2];

	if (bpf_skb_load_bytes_relative(skb, off, p, sizeof(p),
					BPF_HDR_START_NET))
		return 0;
	return (__u32)(p[0] ^ p[1]);
}

SEC("socket")
int
tpk_rss(struct __sk_buff *skb)
{
	__u32 h = 0, key, *q;
	int m;

	/* rte_flow rules first; no table costs one map lookup. */
	m = tpk_flow_steer(skb);
	if (m >= 0)
		return m;
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;

		if (bpf_skb_load_bytes_relative(skb, 0, &ip, sizeof(ip),
						BPF_HDR_START_NET))
			goto lookup;
		h = ip.saddr ^ ip.daddr ^ ip.protocol;
		if (!(ip.frag_off & bpf_htons(0x3fff)) &&
		    (ip.protocol == IPPROTO_TCP || ip.protocol == IPPROTO_UDP))
			h ^= tpk_ports(skb, (ip.ihl & 0xf) * 4) << 8;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;
		int i;

		if (bpf_skb_load_bytes_relative(skb, 0, &ip6, sizeof(ip6),
						BPF_HDR_START_NET))
			goto lookup;
		for (i = 0; i < 4; i++)
			h ^= ip6.saddr.in6_u.u6_addr32[i] ^
				ip6.daddr.in6_u.u6_addr32[i];
		h ^= ip6.nexthdr;
		if (ip6.nexthdr == IPPROTO_TCP || ip6.nexthdr == IPPROTO_UDP)
			h ^= tpk_ports(skb, sizeof(ip6)) << 8;
	}
	h = tpk_mix(h);
lookup:
	key = h & (TPK_RETA_SIZE - 1);
	q = bpf_map_lookup_elem(&tpk_reta, &key);
	return q ? *q : 0;
}

char _license[] SEC("license") = "Dual BSD/GPL";
