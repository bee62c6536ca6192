/* SPDX-License-Identifier: BSD-3-Clause
 * Frame and ring sizes (see tpk_geom.h).
 */
#include <errno.h>
#include <linux/if_packet.h>

#include "tpk_geom.h"

int
tpk_ring_geom(uint32_t frame_max, uint32_t block_size, uint32_t nb_blocks,
	      uint64_t max_bytes, struct tpk_geom *g)
{
	uint64_t need = (uint64_t)frame_max + TPK_V3_FRAME_OVERHEAD;

	if (need > (1u << 31))
		return -EINVAL;
	if (block_size) {
		g->block_size = block_size;
		g->short_blocks = block_size < need;
	} else {
		g->block_size = tpk_roundup_pow2((uint32_t)need);
		if (g->block_size < TPK_RING_MIN_BLOCK)
			g->block_size = TPK_RING_MIN_BLOCK;
		g->short_blocks = false;
	}
	if (nb_blocks) {
		g->nb_blocks = nb_blocks;
	} else {
		g->nb_blocks = TPK_RING_DEFAULT / g->block_size;
		if (g->nb_blocks < TPK_RING_MIN_BLOCKS)
			g->nb_blocks = TPK_RING_MIN_BLOCKS;
	}
	if ((uint64_t)g->block_size * g->nb_blocks > max_bytes)
		return -EINVAL;
	return 0;
}

uint32_t
tpk_tx_slot_size(uint32_t frame_max)
{
	/* 16: the largest vnet header (12) rounded up. */
	return tpk_roundup_pow2(frame_max + TPACKET_ALIGN(
		sizeof(struct tpacket3_hdr)) + 16);
}
