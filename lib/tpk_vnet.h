/* SPDX-License-Identifier: BSD-3-Clause
 * virtio-net header encode (TX) and decode (RX) for PACKET_VNET_HDR.
 *
 * The TX rules mirror what virtio_net_hdr_to_skb() rejects with EINVAL
 * (kernel 6.12+, backported to stable), so that a request the kernel
 * would refuse never reaches it.
 */
#ifndef TPK_VNET_H
#define TPK_VNET_H

#include <stdint.h>
#include <stdbool.h>
#include <linux/virtio_net.h>

#include "tpk_compat.h"
#include "tpk_pkt.h"

/* Upper bound on UDP segments per GSO request (UDP_MAX_SEGMENTS). */
#define TPK_UDP_MAX_SEGMENTS 128
/* Largest gso_size: GSO_BY_FRAGS (0xffff) is reserved. */
#define TPK_GSO_SIZE_MAX 0xfffe

/* What a transmitted frame asks the kernel to do (DPDK-free). */
struct tpk_tx_req {
	uint32_t pkt_len;	/* bytes of the frame as sent */
	uint16_t l2_len;
	uint16_t l3_len;
	uint16_t l4_len;
	uint16_t segsz;		/* MSS, for gso */
	uint8_t l3;		/* enum tpk_l3 */
	uint8_t l4_proto;	/* IPPROTO_TCP or IPPROTO_UDP */
	bool l4_csum;		/* checksum from l2+l3 to the end */
	bool gso;		/* segment into segsz payloads */
	bool ecn;		/* TCP CWR is set on the super-frame */
};

enum tpk_tx_err {
	TPK_TX_OK = 0,
	TPK_TX_EHDR,		/* header lengths inconsistent with the frame */
	TPK_TX_EPROTO,		/* L3/L4 type not offloadable */
	TPK_TX_ESEGSZ,		/* gso segment size out of range */
	TPK_TX_ETOOBIG,		/* too large for one IP datagram */
	TPK_TX_ENOTSUP,		/* the running kernel lacks the gso type */
};

/*
 * Validate r and fill h. udp_gso says whether the kernel takes
 * VIRTIO_NET_HDR_GSO_UDP_L4. Returns TPK_TX_OK or the reason for refusal.
 */
enum tpk_tx_err tpk_vnet_tx_fill(const struct tpk_tx_req *r,
				 struct virtio_net_hdr *h, bool udp_gso);

const char *tpk_tx_err_str(enum tpk_tx_err e);

/* What an RX frame's virtio-net header says, after validation. */
struct tpk_rx_meta {
	bool needs_csum;	/* checksum not finished: csum_start/offset */
	bool data_valid;	/* checksum verified by the kernel */
	uint8_t gso;		/* VIRTIO_NET_HDR_GSO_* without ECN, 0 none */
	bool ecn;
	uint16_t gso_size;
	uint16_t csum_start;	/* from the untagged MAC header */
	uint16_t csum_offset;
};

/*
 * Decode h for a frame of len bytes. Returns 0, or -1 when the header is
 * inconsistent with the frame (checksum outside it, GSO without a size).
 */
int tpk_vnet_rx_parse(const struct virtio_net_hdr *h, uint32_t len,
		      struct tpk_rx_meta *m);

/*
 * Most segments the RX side cuts one super-frame into. A 64 KB TCP frame
 * at the smallest MSS a Linux sender uses by default (536) makes 123; a
 * crafted header can ask for 65535 1-byte segments. Beyond the bound the
 * frame is refused (counted), so one frame costs bounded work.
 */
#define TPK_RX_GSO_MAX_SEGS 256

/* Segments of gso_size (> 0) bytes that payload bytes make. */
static inline uint32_t
tpk_gso_segments(uint32_t payload, uint32_t gso_size)
{
	return gso_size ? (payload + gso_size - 1) / gso_size : UINT32_MAX;
}

#endif /* TPK_VNET_H */
