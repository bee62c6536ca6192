/* SPDX-License-Identifier: BSD-3-Clause
 * Sizes: frames on an interface, TPACKET_V3 RX ring geometry, TX ring
 * slots. The one place where an MTU becomes a frame length and a frame
 * length becomes a block size. DPDK-free.
 */
#ifndef TPK_GEOM_H
#define TPK_GEOM_H

#include <stdbool.h>
#include <stdint.h>

#include "tpk_v3.h"

/* Bytes a frame costs in a V3 block beyond its data (headers, alignment). */
#define TPK_V3_FRAME_OVERHEAD	(TPK_V3_BLK_HDR_LEN + 128)
/* RX ring memory per queue when the block count is not given. */
#define TPK_RING_DEFAULT	(4u << 20)
/* Fewest blocks a default ring has: room to fill while others are read. */
#define TPK_RING_MIN_BLOCKS	8u
/* Smallest default block: the kernel's GRO frames reach 64 KB. */
#define TPK_RING_MIN_BLOCK	65536u
#define TPK_VLAN_HLEN		4u

/* Smallest power of two >= v (1 for 0). */
static inline uint32_t
tpk_roundup_pow2(uint32_t v)
{
	return v <= 1 ? 1 : 1u << (32 - __builtin_clz(v - 1));
}

/*
 * Largest frame an interface may send without GSO: its MTU, the
 * Ethernet header and the VLAN tags carried in the data (0, 1 or 2).
 */
static inline uint32_t
tpk_frame_len(uint32_t mtu, unsigned int tags)
{
	return mtu + 14 + tags * TPK_VLAN_HLEN;
}

/*
 * Largest frame the interface can hand us: a GSO/GRO super-frame (plus a
 * tag), or a double-tagged frame at the largest MTU the device allows.
 */
static inline uint32_t
tpk_dev_frame_max(uint32_t max_mtu, uint32_t gso_max_size)
{
	uint32_t mtu_frame = tpk_frame_len(max_mtu, 2);
	uint32_t gso_frame = gso_max_size + TPK_VLAN_HLEN;

	return gso_frame > mtu_frame ? gso_frame : mtu_frame;
}

/* Largest frame one block of block_size bytes holds. */
static inline uint32_t
tpk_ring_frame_cap(uint32_t block_size)
{
	return block_size > TPK_V3_FRAME_OVERHEAD ?
		block_size - TPK_V3_FRAME_OVERHEAD : 0;
}

struct tpk_geom {
	uint32_t block_size;
	uint32_t nb_blocks;
	bool short_blocks;	/* a block cannot hold frame_max (asked so) */
};

/*
 * RX ring geometry for frames up to frame_max: block_size and nb_blocks
 * as asked (0: chosen), else the smallest power of two that holds one
 * frame_max frame (at least TPK_RING_MIN_BLOCK) and TPK_RING_DEFAULT of
 * memory (at least TPK_RING_MIN_BLOCKS blocks). -EINVAL when the ring
 * would exceed max_bytes.
 */
int tpk_ring_geom(uint32_t frame_max, uint32_t block_size, uint32_t nb_blocks,
		  uint64_t max_bytes, struct tpk_geom *g);

/*
 * TX ring slot for frames up to frame_max behind a vnet header: a power
 * of two holding [tpacket3_hdr][vnet hdr][frame].
 */
uint32_t tpk_tx_slot_size(uint32_t frame_max);

#endif /* TPK_GEOM_H */
