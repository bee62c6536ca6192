/* SPDX-License-Identifier: BSD-3-Clause
 * Bounds-checked parsing of Ethernet/IP/L4 headers and the header
 * rewrites used by software segmentation. DPDK-free.
 */
#ifndef TPK_PKT_H
#define TPK_PKT_H

#include <stdint.h>
#include <stdbool.h>

enum tpk_l3 { TPK_L3_NONE = 0, TPK_L3_IPV4, TPK_L3_IPV6 };

struct tpk_pkt_info {
	uint16_t l2_len;	/* Ethernet header plus in-band VLAN tags */
	uint16_t l3_len;	/* IP header, IPv6 extension headers included */
	uint16_t l4_len;	/* TCP header with options, or 8 for UDP */
	uint8_t l3;		/* enum tpk_l3 */
	uint8_t l4_proto;	/* IPPROTO_TCP, IPPROTO_UDP or 0 if unknown */
	uint8_t nb_vlans;	/* tags found in the data */
	uint8_t ip_frag;	/* an IP fragment: no L4 header to trust */
};

/*
 * Parse the headers of a frame of len bytes. Stops at the first layer it
 * does not know; fields of layers it did not reach are zero. Returns 0,
 * or -1 if a header it started to parse runs past len.
 */
int tpk_pkt_parse(const uint8_t *frame, uint32_t len, struct tpk_pkt_info *pi);

/*
 * Where the IP packet of a parsed frame ends by its own length field:
 * l2_len + the IPv4 total length, or l2_len + 40 + the IPv6 payload
 * length, at most len. Bytes past it are Ethernet padding and never part
 * of L4. len when the frame has no IP header or the field is 0 (IPv4 BIG
 * TCP super-frames), or when the field says less than the headers pi
 * describes (a lie the caller must not follow into a header).
 */
uint32_t tpk_l3_end(const uint8_t *frame, uint32_t len,
		    const struct tpk_pkt_info *pi);

/* Does the Ethernet frame (at least 14 bytes) start with a VLAN tag? */
static inline bool
tpk_eth_tagged(const uint8_t *frame)
{
	return (frame[12] == 0x81 && frame[13] == 0x00) ||
		(frame[12] == 0x88 && frame[13] == 0xa8);
}

/* IPv4 header checksum over l3_len bytes at ip, written in place. */
/*
 * Copy len bytes of a frame from src to out with a VLAN tag (tpid, tci)
 * inserted after the MAC addresses (out gets len + 4 bytes; len >= 12).
 */
void tpk_vlan_insert(uint8_t *out, const uint8_t *src, uint32_t len,
		     uint16_t tpid, uint16_t tci);
/* The four bytes of a VLAN tag, in wire order. */
void tpk_vlan_tag(uint8_t tag[4], uint16_t tpid, uint16_t tci);

/*
 * Where the L4 checksum of a frame the kernel left unfinished
 * (TP_STATUS_CSUMNOTREADY without a vnet header) lives: parses frame into
 * *pi and gives the L4 header offset and the field's offset in it.
 * -1 when the frame has no TCP/UDP header to finish (fragment, other).
 */
int tpk_pkt_csum_loc(const uint8_t *frame, uint32_t len,
		     struct tpk_pkt_info *pi, uint16_t *start, uint16_t *off);

void tpk_ipv4_csum_set(uint8_t *ip, uint16_t l3_len);
/* Returns true if the IPv4 header checksum at ip verifies. */
bool tpk_ipv4_csum_ok(const uint8_t *ip, uint16_t l3_len);

/*
 * Pseudo-header sum (with length) for the L4 header of a frame whose
 * headers pi describes, for an L4 segment of l4_total bytes.
 */
uint16_t tpk_l4_pseudo(const uint8_t *frame, const struct tpk_pkt_info *pi,
		       uint32_t l4_total);

/*
 * Rewrite the headers of one segment produced from a GSO frame: seg holds
 * a copy of the super-frame's headers (pi) followed by plen payload bytes
 * taken at payload offset off. idx is the segment number. Sets the IP
 * length (and IPv4 id and checksum), TCP sequence and flags or UDP length,
 * and, if full_csum, the complete L4 checksum over the contiguous segment;
 * otherwise the pseudo-header sum (for a later checksum offload).
 */
void tpk_gso_fix_segment(uint8_t *seg, const struct tpk_pkt_info *pi,
			 uint32_t idx, uint32_t off, uint32_t plen, bool last,
			 bool full_csum);

#endif /* TPK_PKT_H */
