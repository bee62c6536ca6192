/* SPDX-License-Identifier: BSD-3-Clause
 * TPACKET_V3 RX block cursor.
 *
 * The kernel fills the ring's blocks strictly in order and hands a block to
 * user space by setting TP_STATUS_USER in its block_status once the block
 * is full or its retire timer fired. Frames inside a block are chained by
 * tp_next_offset. Everything read from the ring is treated as untrusted:
 * every offset is bounds-checked against the block so that a corrupt or
 * hostile block can never make us read outside the mapping.
 *
 * Live reading: a block the kernel is still filling is not ours, but on a
 * CPU that keeps stores in order (x86) its frames can be taken before the
 * retire timer hands it over, so a lone frame does not wait a whole tov.
 * The kernel writes a frame in this order: allocation (num_pkts + 1, the
 * frame's tp_next_offset and status reset), the virtio-net header, the
 * data, the tpacket3_hdr fields, then, after calling the device's
 * header_ops->parse (a call the compiler cannot move those stores past),
 * the sockaddr_ll behind the header, sll_ifindex included. The cursor
 * zeroes sll_ifindex (an impossible interface index) at the one position
 * the kernel fills next, while the frame there is not allocated yet (the
 * position is known from the previous frame's tp_next_offset, or the
 * block's start): a non-zero value there afterwards can only be the
 * kernel's own, written after everything else of that frame. (The
 * header's own fields are no such mark: the compiler may store them in
 * any order.) If the cursor cannot arm the position in time (the kernel
 * is ahead: the frame is allocated already, or it finished in between),
 * it waits for the retire, as without live reading; a poison can never
 * make it read a frame the kernel has not finished. The block is still
 * released only after the kernel retired it, and frames are consumed in
 * order.
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

/* Stores reach other CPUs in program order (the kernel's rep movs too). */
#if defined(__x86_64__) || defined(__i386__)
#define TPK_V3_LIVE 1
#else
#define TPK_V3_LIVE 0
#endif
/* What the cursor leaves in sll_ifindex where the next frame will go. */
#define TPK_V3_POISON 0
/* A frame's header and sockaddr_ll (the kernel's tp_hdrlen for V3). */
#define TPK_V3_FRAME_HDRS \
	(TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) + sizeof(struct sockaddr_ll))

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
	/* Live reading of block blk while the kernel still fills it. */
	bool live;		/* enabled for this ring */
	bool live_armed;	/* the frame at live_off carries our poison */
	bool peek_live;		/* the peeked frame came from a live block */
	uint32_t live_done;	/* frames of block blk consumed before its retire */
	uint32_t live_off;	/* offset of its next frame; 0: unknown */
	uint32_t peek_next;	/* tp_next_offset of the peeked live frame */
	/* Counters: kept across tpk_v3_reset(). */
	uint64_t bad_blocks;	/* blocks cut short by a corrupt header */
	uint64_t blocks_full;	/* blocks handed over full */
	uint64_t blocks_tmo;	/* blocks handed over by the retire timer */
	uint64_t live_frames;	/* frames taken before their block's retire */
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

/*
 * The sll_ifindex of the frame at off in block blk: the sockaddr_ll
 * follows the header (TPACKET_ALIGN(sizeof(struct tpacket3_hdr))).
 */
static inline int32_t *
tpk_v3_mark(const struct tpk_v3_cursor *c, uint32_t blk, uint32_t off)
{
	uint8_t *h = (uint8_t *)tpk_v3_block(c, blk) + off;

	return (int32_t *)(void *)(h + TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) +
				   offsetof(struct sockaddr_ll, sll_ifindex));
}

/*
 * A block we own (before its release, or a new ring) gets ready for live
 * reading in its next round: no frames, the first position poisoned.
 */
static inline void
tpk_v3_live_prime(struct tpk_v3_cursor *c, uint32_t blk)
{
	struct tpacket_block_desc *b = tpk_v3_block(c, blk);

	__atomic_store_n(&b->hdr.bh1.num_pkts, 0, __ATOMIC_RELAXED);
	__atomic_store_n(tpk_v3_mark(c, blk, TPK_V3_BLK_HDR_LEN), TPK_V3_POISON,
			 __ATOMIC_RELAXED);
}

/* Live state for the block now at the cursor: nothing taken from it. */
static inline void
tpk_v3_live_begin(struct tpk_v3_cursor *c)
{
	c->live_done = 0;
	c->live_off = TPK_V3_BLK_HDR_LEN;
	c->live_armed = c->live;
}

/* Hand the block back to the kernel and move to the next one (release). */
static inline void
tpk_v3_block_release(struct tpk_v3_cursor *c)
{
	struct tpacket_block_desc *b = tpk_v3_block(c, c->blk);

	c->left = 0;
	if (c->live)
		tpk_v3_live_prime(c, c->blk);
	__atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL,
			 __ATOMIC_RELEASE);
	if (++c->blk == c->nb_blocks)
		c->blk = 0;
	tpk_v3_live_begin(c);
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
	uint32_t i;

	c->ring = ring;
	c->block_size = block_size;
	c->nb_blocks = nb_blocks;
	c->vnet_len = vnet_len;
	c->blk = 0;
	c->left = 0;
	c->off = 0;
	c->open = false;
	c->peek_live = false;
	/*
	 * The kernel may fill the new ring already: a first frame poisoned
	 * after it was written is only seen at its block's retire.
	 */
	c->live = TPK_V3_LIVE && ring != NULL && block_size >= 4096 &&
		nb_blocks > 0;
	for (i = 0; c->live && i < nb_blocks; i++)
		__atomic_store_n(tpk_v3_mark(c, i, TPK_V3_BLK_HDR_LEN),
				 TPK_V3_POISON, __ATOMIC_RELAXED);
	tpk_v3_live_begin(c);
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
 * The frame at live_off of the block the kernel is filling, if the
 * kernel finished it: our poison in its sll_ifindex is gone. TPK_V3_END
 * otherwise (also for a frame that does not pass tpk_v3_next's checks:
 * the retire path reads and counts it).
 */
static inline enum tpk_v3_next
tpk_v3_live_peek(struct tpk_v3_cursor *c, struct tpk_v3_frame *f)
{
	const struct tpacket_block_desc *b = tpk_v3_block(c, c->blk);
	const struct tpacket3_hdr *h;
	uint32_t off = c->off, left = c->left;
	uint64_t bad = c->bad_blocks;
	enum tpk_v3_next rc;

	if (!c->live_armed)
		return TPK_V3_END;
	if (__atomic_load_n(tpk_v3_mark(c, c->blk, c->live_off),
			    __ATOMIC_ACQUIRE) == TPK_V3_POISON)
		return TPK_V3_END;
	/* Allocation comes before completion: a finished frame is counted. */
	if (__atomic_load_n(&b->hdr.bh1.num_pkts, __ATOMIC_ACQUIRE) <=
	    c->live_done)
		return TPK_V3_END;
	h = (const struct tpacket3_hdr *)((const uint8_t *)b + c->live_off);
	c->off = c->live_off;
	c->left = 1;
	rc = tpk_v3_next(c, f);
	c->off = off;
	c->left = left;
	c->bad_blocks = bad;
	if (rc != TPK_V3_FRAME) {
		c->live_armed = false;
		return TPK_V3_END;
	}
	c->peek_next = h->tp_next_offset;
	c->peek_live = true;
	return TPK_V3_FRAME;
}

/* Consume the live frame peeked last and arm the position after it. */
static inline void
tpk_v3_live_commit(struct tpk_v3_cursor *c)
{
	const struct tpacket_block_desc *b = tpk_v3_block(c, c->blk);
	uint32_t next = c->peek_next;

	c->peek_live = false;
	c->live_done++;
	c->live_frames++;
	c->live_armed = false;
	/* 0: the kernel closed the block after this frame. */
	if (next < TPK_V3_FRAME_HDRS || (next & 7) ||
	    next > c->block_size - TPK_V3_FRAME_HDRS - c->live_off) {
		c->live_off = 0;
		return;
	}
	c->live_off += next;
	/*
	 * Only a position the kernel has not allocated yet can be armed: an
	 * allocated frame may be complete already, and its mark then says
	 * nothing. Losing that race only means waiting for the retire.
	 */
	if (__atomic_load_n(&b->hdr.bh1.num_pkts, __ATOMIC_ACQUIRE) >
	    c->live_done)
		return;
	/*
	 * Should the kernel allocate and finish the frame before this store
	 * lands, the poison hides it until the retire: late, never wrong.
	 */
	__atomic_store_n(tpk_v3_mark(c, c->blk, c->live_off), TPK_V3_POISON,
			 __ATOMIC_RELAXED);
	c->live_armed = true;
}

/*
 * A retired block of which live_done frames were taken live: the rest
 * starts at live_off. Returns the frames left, or -1 if the block's
 * header contradicts what was read (counted as a bad block).
 */
static inline int
tpk_v3_block_open_rest(struct tpk_v3_cursor *c)
{
	const struct tpacket_hdr_v1 *h = &tpk_v3_block(c, c->blk)->hdr.bh1;
	uint32_t n = h->num_pkts;

	if (n < c->live_done || h->offset_to_first_pkt != TPK_V3_BLK_HDR_LEN ||
	    (n > c->live_done && c->live_off == 0))
		return -1;
	c->left = n - c->live_done;
	c->off = c->live_off;
	return (int)c->left;
}

/*
 * The next frame, without consuming it: releases a used-up block, opens
 * the next ready one (counting how it was handed over) and skips what a
 * corrupt block header hides; with live reading, takes a finished frame
 * of the block the kernel is still filling. TPK_V3_END: nothing ready.
 * The frame stays the next one until tpk_v3_commit(), so a caller that
 * cannot take it now (no mbuf) finds it again on the next call.
 */
static inline enum tpk_v3_next
tpk_v3_peek(struct tpk_v3_cursor *c, struct tpk_v3_frame *f)
{
	c->peek_live = false;
	for (;;) {
		uint32_t left, off;
		uint64_t bad;

		if (c->left == 0) {
			const struct tpacket_block_desc *b;
			int r;

			if (c->open) {
				tpk_v3_block_release(c);
				c->open = false;
			}
			if (!tpk_v3_block_ready(c))
				return c->live ? tpk_v3_live_peek(c, f) :
					TPK_V3_END;
			c->open = true;
			b = tpk_v3_block(c, c->blk);
			if (b->hdr.bh1.block_status & TP_STATUS_BLK_TMO)
				c->blocks_tmo++;
			else
				c->blocks_full++;
			r = c->live_done ? tpk_v3_block_open_rest(c) :
				tpk_v3_block_open(c);
			if (r < 0) {
				c->left = 0;
				c->bad_blocks++;
			}
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
	if (c->peek_live) {
		tpk_v3_live_commit(c);
		return;
	}
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
