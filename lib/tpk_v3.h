/* SPDX-License-Identifier: BSD-3-Clause
 * TPACKET_V3 RX block cursor.
 *
 * The kernel fills the ring's blocks strictly in order and hands a block to
 * user space by setting TP_STATUS_USER in its block_status once the block
 * is full or its retire timer fired. Frames inside a block are chained by
 * tp_next_offset. Everything read from the ring is treated as untrusted:
 * every offset is bounds-checked against the block so that a corrupt or
 * hostile block can never make us read outside the mapping.
 */
#ifndef TPK_V3_H
#define TPK_V3_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>

#include "tpk_compat.h"

/* Byte offset of the first frame when no private area is requested. */
#define TPK_V3_BLK_HDR_LEN 48u

struct tpk_v3_cursor {
	uint8_t *ring;		/* start of the mmap'ed RX ring */
	uint32_t block_size;
	uint32_t nb_blocks;
	uint32_t blk;		/* block being read, or to be read next */
	uint32_t left;		/* frames left in the open block, 0 = none open */
	uint32_t off;		/* offset of the next frame in the open block */
	uint16_t vnet_len;	/* 0, 10 or 12 */
	bool open;		/* block blk is ours (tpk_v3_peek opened it) */
	/* Where tpk_v3_commit() moves to: the position after the peeked frame. */
	uint32_t peek_left, peek_off;
	uint64_t peek_bad;
	/* Counters: kept across tpk_v3_reset(). */
	uint64_t bad_blocks;	/* blocks cut short by a corrupt header */
	uint64_t blocks_full;	/* blocks handed over full */
	uint64_t blocks_tmo;	/* blocks handed over by the retire timer */
};

/* One frame as the kernel described it, after validation. */
struct tpk_v3_frame {
	const uint8_t *data;	/* first byte of the Ethernet header */
	uint32_t snaplen;	/* bytes present in the ring */
	uint32_t len;		/* bytes on the wire (or in the GSO skb) */
	uint32_t status;	/* TP_STATUS_* bits of the frame */
	uint32_t rxhash;
	uint32_t sec, nsec;
	uint16_t vlan_tci;
	uint16_t vlan_tpid;	/* 0 when the kernel did not report a tag */
	const struct virtio_net_hdr *vnet; /* NULL when vnet_len == 0 */
};

enum tpk_v3_next {
	TPK_V3_FRAME = 0,	/* *f describes a frame */
	TPK_V3_END = 1,		/* open block exhausted: release it */
	TPK_V3_BAD = -1,	/* block is malformed: release it */
};

static inline struct tpacket_block_desc *
tpk_v3_block(const struct tpk_v3_cursor *c, uint32_t idx)
{
	return (struct tpacket_block_desc *)(c->ring + (size_t)idx * c->block_size);
}

/* Is the block at the cursor owned by user space? (acquire) */
static inline int
tpk_v3_block_ready(const struct tpk_v3_cursor *c)
{
	const struct tpacket_block_desc *b = tpk_v3_block(c, c->blk);

	return __atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) &
		TP_STATUS_USER;
}

/*
 * Open a ready block: returns the number of frames it claims, or -1 when
 * its header is out of range. A block with zero frames is legal: the kernel
 * closes the current block early to make room for a maximum-size frame.
 */
static inline int
tpk_v3_block_open(struct tpk_v3_cursor *c)
{
	const struct tpacket_hdr_v1 *h = &tpk_v3_block(c, c->blk)->hdr.bh1;
	uint32_t first = h->offset_to_first_pkt;
	uint32_t n = h->num_pkts;

	if (n == 0) {
		c->left = 0;
		return 0;
	}
	/* The kernel aligns frames to 8 bytes; anything else is corrupt. */
	if (first < TPK_V3_BLK_HDR_LEN || first >= c->block_size || (first & 7) ||
	    n > c->block_size / sizeof(struct tpacket3_hdr))
		return -1;
	c->off = first;
	c->left = n;
	return (int)n;
}

/* Hand the block back to the kernel and move to the next one (release). */
static inline void
tpk_v3_block_release(struct tpk_v3_cursor *c)
{
	struct tpacket_block_desc *b = tpk_v3_block(c, c->blk);

	c->left = 0;
	__atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL,
			 __ATOMIC_RELEASE);
	if (++c->blk == c->nb_blocks)
		c->blk = 0;
}

/* Decode the next frame of the open block into *f. */
static inline enum tpk_v3_next
tpk_v3_next(struct tpk_v3_cursor *c, struct tpk_v3_frame *f)
{
	const uint8_t *base = (const uint8_t *)tpk_v3_block(c, c->blk);
	const struct tpacket3_hdr *h;
	uint32_t room, mac, snap;

	if (c->left == 0)
		return TPK_V3_END;
	if (c->off > c->block_size - sizeof(*h)) {
		c->bad_blocks++;
		return TPK_V3_BAD;
	}
	h = (const struct tpacket3_hdr *)(base + c->off);
	room = c->block_size - c->off;
	mac = h->tp_mac;
	snap = h->tp_snaplen;
	/* The vnet header sits right before the MAC header, after tpacket3_hdr. */
	/* An odd tp_mac would leave the vnet header misaligned. */
	if (mac < sizeof(*h) + c->vnet_len || mac > room ||
	    snap > room - mac || ((mac - c->vnet_len) & 1)) {
		c->bad_blocks++;
		return TPK_V3_BAD;
	}

	f->data = (const uint8_t *)h + mac;
	f->snaplen = snap;
	f->len = h->tp_len;
	f->status = h->tp_status;
	f->sec = h->tp_sec;
	f->nsec = h->tp_nsec;
	f->rxhash = h->hv1.tp_rxhash;
	if (h->tp_status & TP_STATUS_VLAN_VALID) {
		f->vlan_tci = h->hv1.tp_vlan_tci;
		f->vlan_tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ?
			h->hv1.tp_vlan_tpid : 0x8100;
	} else {
		f->vlan_tci = 0;
		f->vlan_tpid = 0;
	}
	f->vnet = c->vnet_len ? (const struct virtio_net_hdr *)
		(f->data - c->vnet_len) : NULL;

	if (--c->left) {
		uint32_t next = h->tp_next_offset;

		/* Frames are 8-byte aligned and must not overlap. */
		if (next < sizeof(*h) || (next & 7) || next >= room) {
			/* Deliver this frame, drop the rest of the block. */
			c->left = 0;
			c->bad_blocks++;
		} else {
			c->off += next;
		}
	}
	return TPK_V3_FRAME;
}

/*
 * Point c at a ring (block_size x nb_blocks at ring, frames with vnet_len
 * bytes of virtio-net header) with nothing read yet. The counters stay:
 * a queue's totals outlive its sockets.
 */
static inline void
tpk_v3_reset(struct tpk_v3_cursor *c, uint8_t *ring, uint32_t block_size,
	     uint32_t nb_blocks, uint16_t vnet_len)
{
	c->ring = ring;
	c->block_size = block_size;
	c->nb_blocks = nb_blocks;
	c->vnet_len = vnet_len;
	c->blk = 0;
	c->left = 0;
	c->off = 0;
	c->open = false;
}

/*
 * A process's own view of a cursor kept in memory shared between
 * processes: the position is copied in and out, the ring address (which
 * differs per process) is the caller's and is never stored back.
 */
static inline void
tpk_v3_load(struct tpk_v3_cursor *view, const struct tpk_v3_cursor *shared,
	    uint8_t *ring)
{
	*view = *shared;
	view->ring = ring;
}

static inline void
tpk_v3_store(struct tpk_v3_cursor *shared, const struct tpk_v3_cursor *view)
{
	uint8_t *ring = shared->ring;

	*shared = *view;
	shared->ring = ring;
}

/*
 * The next frame, without consuming it: releases a used-up block, opens
 * the next ready one (counting how it was handed over) and skips what a
 * corrupt block header hides. TPK_V3_END: nothing ready. The frame stays
 * the next one until tpk_v3_commit(), so a caller that cannot take it now
 * (no mbuf) finds it again on the next call.
 */
static inline enum tpk_v3_next
tpk_v3_peek(struct tpk_v3_cursor *c, struct tpk_v3_frame *f)
{
	for (;;) {
		uint32_t left, off;
		uint64_t bad;

		if (c->left == 0) {
			const struct tpacket_block_desc *b;

			if (c->open) {
				tpk_v3_block_release(c);
				c->open = false;
			}
			if (!tpk_v3_block_ready(c))
				return TPK_V3_END;
			c->open = true;
			b = tpk_v3_block(c, c->blk);
			if (b->hdr.bh1.block_status & TP_STATUS_BLK_TMO)
				c->blocks_tmo++;
			else
				c->blocks_full++;
			if (tpk_v3_block_open(c) < 0)
				c->bad_blocks++;
			continue;
		}
		left = c->left;
		off = c->off;
		bad = c->bad_blocks;
		if (tpk_v3_next(c, f) != TPK_V3_FRAME) {
			c->left = 0;	/* the rest of the block is unreadable */
			continue;
		}
		c->peek_left = c->left;
		c->peek_off = c->off;
		c->peek_bad = c->bad_blocks;
		c->left = left;
		c->off = off;
		c->bad_blocks = bad;
		return TPK_V3_FRAME;
	}
}

/* Consume the frame tpk_v3_peek() returned last. */
static inline void
tpk_v3_commit(struct tpk_v3_cursor *c)
{
	c->left = c->peek_left;
	c->off = c->peek_off;
	c->bad_blocks = c->peek_bad;
}

/* Give the open block back now if every frame in it was consumed. */
static inline void
tpk_v3_flush(struct tpk_v3_cursor *c)
{
	if (c->open && c->left == 0) {
		tpk_v3_block_release(c);
		c->open = false;
	}
}

#endif /* TPK_V3_H */
