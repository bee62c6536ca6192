/* SPDX-License-Identifier: BSD-3-Clause
 * TX coalescing: recognise consecutive TCP segments of one flow that a
 * kernel TSO of their merged frame would reproduce exactly, and build
 * that merged frame's headers and GSO request. Sending one super-frame
 * instead of N segments saves the kernel N-1 trips through its stack;
 * on a veth the peer even receives it unsegmented, as from a bridge.
 * DPDK-free.
 */
#ifndef TPK_COALESCE_H
#define TPK_COALESCE_H

#include <stdbool.h>
#include <stdint.h>

#include "tpk_pkt.h"
#include "tpk_vnet.h"

/* Segments per merged frame: bounded by the iovecs of one message. */
#define TPK_COAL_MAX_SEGS 64

/*
 * Checksums a segment's sender asked to have computed (DPDK TX checksum
 * offload): their fields hold no data yet, so they are not checked. The
 * kernel computes them for every segment it cuts from the merged frame,
 * which is what a NIC would have sent.
 */
#define TPK_COAL_IP_CSUM 0x1	/* IPv4 header checksum */
#define TPK_COAL_L4_CSUM 0x2	/* TCP checksum */

struct tpk_coal {
	struct tpk_pkt_info pi;
	uint16_t hdr_len;	/* l2 + l3 + l4 */
	uint16_t mss;		/* payload of the first segment */
	uint16_t next_id;	/* IPv4 id the next segment must carry */
	uint8_t flags;		/* TCP flags of the merged frame */
	bool closed;		/* a short or PSH segment ended the run */
	uint32_t next_seq;	/* TCP sequence the next segment must carry */
	uint32_t payload;	/* payload bytes merged so far */
	uint32_t nb;		/* segments merged so far */
};

/*
 * Start a run with the frame seg (len contiguous bytes). Returns 0 if it
 * can head one: an untagged IPv4 (no options) or IPv6 (no extension
 * headers) TCP segment with payload, ACK set and no SYN/FIN/RST/URG/PSH,
 * valid IP and TCP checksums (except those named in off, TPK_COAL_*) and
 * lengths that match len.
 */
int tpk_coal_start(struct tpk_coal *c, const uint8_t *seg, uint32_t len,
		   unsigned int off);

/*
 * Append the frame seg if it continues the run headed by head: same
 * headers except the fields that TSO changes per segment (IP length, id
 * and checksum, TCP sequence, PSH on the last, checksum), the next
 * sequence number and IPv4 id, a payload no larger than the first, valid
 * checksums (except those named in off). Returns 0 if appended, -1 if the
 * run must end before it.
 */
int tpk_coal_add(struct tpk_coal *c, const uint8_t *head, const uint8_t *seg,
		 uint32_t len, unsigned int off);

/*
 * Write the merged frame's headers (c->hdr_len bytes, from head) to out
 * and fill the kernel request that segments it back. The L4 checksum
 * field gets the pseudo-header sum, as the kernel expects with
 * VIRTIO_NET_HDR_F_NEEDS_CSUM.
 */
void tpk_coal_finish(const struct tpk_coal *c, const uint8_t *head,
		     uint8_t *out, struct tpk_tx_req *r);

/*
 * Cheap tests before tpk_coal_start/add: frame (len bytes, contiguous) is
 * an untagged Ethernet IPv4 or IPv6 frame carrying TCP; a and b (each
 * passed tpk_coal_peek) carry the same addresses and ports.
 */
bool tpk_coal_peek(const uint8_t *frame, uint32_t len);
bool tpk_coal_same_flow(const uint8_t *a, const uint8_t *b);

#endif /* TPK_COALESCE_H */
