/* SPDX-License-Identifier: BSD-3-Clause
 * The TX header builder: the one writer of the packet headers a frame
 * leaves with when they differ from the application's bytes (an inserted
 * VLAN tag, the IP length of a super-frame, the IPv4 header checksum, the
 * L4 pseudo-header sum the kernel finishes, a software L4 checksum). The
 * plain, offload and coalescing TX paths all describe what they want in a
 * struct tpk_txh_req and let tpk_txh_build() write it into a scratch copy;
 * the original bytes are never modified. DPDK-free.
 */
#ifndef TPK_TXHDR_H
#define TPK_TXHDR_H

#include <stdbool.h>
#include <stdint.h>

#include "tpk_pkt.h"

struct tpk_txh_req {
	/* Headers of the frame as sent (l2_len counts an inserted tag). */
	struct tpk_pkt_info pi;
	uint32_t src_len;	/* header bytes taken from the source */
	uint32_t wire_len;	/* frame bytes as sent */
	uint16_t vlan_tci;
	bool vlan_insert;	/* put an 802.1Q tag after the MAC addresses */
	bool set_len;		/* IP length := wire_len (a super-frame) */
	bool ip_csum;		/* IPv4 header checksum */
	bool l4_pseudo;		/* pseudo-header sum for the kernel to finish */
	uint16_t csum_start;	/* L4 header, from the frame start */
	uint16_t csum_offset;	/* checksum field, from csum_start */
};

/* Bytes tpk_txh_build() writes: src_len plus an inserted tag. */
static inline uint32_t
tpk_txh_len(const struct tpk_txh_req *r)
{
	return r->src_len + (r->vlan_insert ? 4 : 0);
}

/*
 * Write the headers of r into out (tpk_txh_len(r) bytes) from src
 * (src_len bytes of the original frame). The pseudo-header sum covers
 * the L4 length the IP header declares (after set_len), so padding
 * after the IP packet is never counted.
 */
void tpk_txh_build(const struct tpk_txh_req *r, const uint8_t *src,
		   uint8_t *out);

/*
 * Finish an L4 checksum in software: hdr (hdr_len bytes, the built
 * headers) holds the start of the L4 header at r->csum_start; payload_sum
 * is the 16-bit ones'-complement sum (native order, as tpk_csum_add
 * folds it) of the l4_len - (hdr_len - csum_start) bytes after it. Writes
 * the checksum field. TCP and UDP headers have even lengths, so the two
 * sums line up.
 */
void tpk_txh_l4_csum(const struct tpk_txh_req *r, uint8_t *hdr,
		     uint32_t hdr_len, uint32_t l4_len, uint16_t payload_sum);

#endif /* TPK_TXHDR_H */
