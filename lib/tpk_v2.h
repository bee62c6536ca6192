/* SPDX-License-Identifier: BSD-3-Clause
 * TPACKET_V2 RX frame cursor (rx_mode=frames).
 *
 * Every slot of a V2 ring is handed over on its own: the kernel sets
 * TP_STATUS_USER in the slot's tp_status as soon as the frame is copied,
 * so a frame is visible at once, with no block retire timer. Slots are
 * sized for a plain frame of the MTU; a longer one (a GSO/GRO super-frame)
 * arrives with TP_STATUS_COPY: the slot holds its head, and with
 * PACKET_COPY_THRESH the kernel also queues the whole frame on the socket,
 * in ring order, where tpk_v2_copy() takes it with one recv(). So no frame
 * is truncated and none is reordered. Everything read from the ring is
 * untrusted and bounds-checked against its slot. DPDK-free.
 */
#ifndef TPK_V2_H
#define TPK_V2_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/if_packet.h>

#include "tpk_v3.h"

/* Room before the MAC header in a slot: tpacket2_hdr, sockaddr_ll, vnet. */
#define TPK_V2_SLOT_OVERHEAD 128u
/*
 * Under sustained traffic a queue waits for this many frames (or the
 * holdoff) before it delivers: fewer system calls per frame downstream,
 * and the ring's slot headers are not read while the kernel writes them.
 */
#define TPK_V2_BATCH 32u

struct tpk_v2_cursor {
	uint32_t frame_size;	/* slot size (a power of two) */
	uint32_t nb_frames;
	uint32_t idx;		/* next slot to read */
	uint16_t vnet_len;
	bool held;		/* slot held_idx is consumed but not returned */
	bool copied;		/* slot idx's whole frame is in the overflow buffer */
	uint32_t held_idx;
	uint32_t copy_len;	/* bytes recv() returned for it */
	/* Counters: kept across tpk_v2_reset(). */
	uint64_t bad_frames;	/* slots with an out-of-range header */
	uint64_t copy_lost;	/* TP_STATUS_COPY with nothing queued */
};

enum tpk_v2_next {
	TPK_V2_FRAME = 0,	/* *f describes the frame, in its slot */
	TPK_V2_END = 1,		/* the next slot is the kernel's */
	TPK_V2_COPY = 2,	/* *f is the slot's head: tpk_v2_copy() the rest */
	TPK_V2_BAD = -1,	/* the slot is malformed: commit (drop) it */
};

/*
 * Slot size for plain frames of up to frame bytes (MAC header on): an odd
 * number of cache lines, so that the slot headers a burst reads do not
 * all fall into the same few cache sets (a power-of-two stride would).
 */
static inline uint32_t
tpk_v2_frame_size(uint32_t frame)
{
	uint32_t lines = (frame + TPK_V2_SLOT_OVERHEAD + 63) / 64;

	return (lines | 1) * 64;
}

/*
 * Bytes per ring block for slots of frame_size: whole slots and whole
 * pages, so that slot i is at i * frame_size across blocks too; about
 * want bytes (at least one such unit).
 */
static inline uint32_t
tpk_v2_block_size(uint32_t frame_size, uint32_t want)
{
	/* frame_size is 64 x odd and a page 64 x 64: the lcm is 64 x both. */
	uint32_t unit = frame_size * 64;

	if (frame_size % 4096 == 0)
		unit = frame_size;
	return want > unit ? want / unit * unit : unit;
}

static inline struct tpacket2_hdr *
tpk_v2_slot(uint8_t *ring, const struct tpk_v2_cursor *c, uint32_t idx)
{
	return (struct tpacket2_hdr *)(ring + (size_t)idx * c->frame_size);
}

/* Point c at a ring of nb_frames slots with nothing read; counters stay. */
static inline void
tpk_v2_reset(struct tpk_v2_cursor *c, uint32_t frame_size, uint32_t nb_frames,
	     uint16_t vnet_len)
{
	c->frame_size = frame_size;
	c->nb_frames = nb_frames;
	c->vnet_len = vnet_len;
	c->idx = 0;
	c->held = false;
	c->copied = false;
	c->copy_len = 0;
}

/* Is the frame ahead slots after the next one there? (acquire) */
static inline bool
tpk_v2_ready(uint8_t *ring, const struct tpk_v2_cursor *c, uint32_t ahead)
{
	uint32_t i = c->idx + ahead;

	if (i >= c->nb_frames)
		i -= c->nb_frames;
	return __atomic_load_n(&tpk_v2_slot(ring, c, i)->tp_status,
			       __ATOMIC_ACQUIRE) & TP_STATUS_USER;
}

/* The status word the next frame will be announced in (power monitor). */
static inline volatile void *
tpk_v2_status_addr(uint8_t *ring, const struct tpk_v2_cursor *c)
{
	return &tpk_v2_slot(ring, c, c->idx)->tp_status;
}

/*
 * The frame in the next slot, without consuming it; the slot stays the
 * next one until tpk_v2_commit() or tpk_v2_hold().
 */
static inline enum tpk_v2_next
tpk_v2_peek(uint8_t *ring, struct tpk_v2_cursor *c, struct tpk_v3_frame *f)
{
	const struct tpacket2_hdr *h = tpk_v2_slot(ring, c, c->idx);
	uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
	uint32_t mac, snap;

	if (!(st & TP_STATUS_USER))
		return TPK_V2_END;
	mac = h->tp_mac;
	snap = h->tp_snaplen;
	/* The vnet header sits right before the MAC header. */
	if (mac < sizeof(*h) + c->vnet_len || mac > c->frame_size ||
	    snap > c->frame_size - mac || ((mac - c->vnet_len) & 1)) {
		c->bad_frames++;
		return TPK_V2_BAD;
	}
	f->data = (const uint8_t *)h + mac;
	f->snaplen = snap;
	f->len = h->tp_len;
	f->status = st;
	f->sec = h->tp_sec;
	f->nsec = h->tp_nsec;
	f->rxhash = 0;		/* V2 has no room for the flow hash */
	if (st & TP_STATUS_VLAN_VALID) {
		f->vlan_tci = h->tp_vlan_tci;
		f->vlan_tpid = (st & TP_STATUS_VLAN_TPID_VALID) ?
			h->tp_vlan_tpid : 0x8100;
	} else {
		f->vlan_tci = 0;
		f->vlan_tpid = 0;
	}
	f->vnet = c->vnet_len ? (const struct virtio_net_hdr *)
		(f->data - c->vnet_len) : NULL;
	return (st & TP_STATUS_COPY) ? TPK_V2_COPY : TPK_V2_FRAME;
}

/*
 * The whole frame of a TP_STATUS_COPY slot, received into buf (size
 * bytes, vnet header first) once: a retry after a failed allocation finds
 * it there. On return *f describes it; 0, or -errno when the socket had
 * nothing (*f is then the slot's truncated head, and says so: snaplen <
 * len).
 */
static inline int
tpk_v2_copy(struct tpk_v2_cursor *c, int fd, uint8_t *buf, uint32_t size,
	    struct tpk_v3_frame *f)
{
	uint32_t got;

	if (!c->copied) {
		ssize_t n = recv(fd, buf, size, MSG_DONTWAIT | MSG_TRUNC);

		if (n < (ssize_t)c->vnet_len) {
			c->copy_lost++;
			return n < 0 ? -errno : -EBADMSG;
		}
		c->copied = true;
		c->copy_len = (uint32_t)n;
	}
	got = c->copy_len < size ? c->copy_len : size;
	f->data = buf + c->vnet_len;
	f->snaplen = got - c->vnet_len;
	f->len = c->copy_len - c->vnet_len;
	f->vnet = c->vnet_len ? (const struct virtio_net_hdr *)buf : NULL;
	return 0;
}

static inline void
tpk_v2_release(uint8_t *ring, const struct tpk_v2_cursor *c, uint32_t idx)
{
	__atomic_store_n(&tpk_v2_slot(ring, c, idx)->tp_status, TP_STATUS_KERNEL,
			 __ATOMIC_RELEASE);
}

/* Consume the peeked frame and give its slot back. */
static inline void
tpk_v2_commit(uint8_t *ring, struct tpk_v2_cursor *c)
{
	tpk_v2_release(ring, c, c->idx);
	c->copied = false;
	if (++c->idx == c->nb_frames)
		c->idx = 0;
}

/*
 * Consume the peeked frame but keep its slot (a GSO cut still reads it)
 * until tpk_v2_unhold().
 */
static inline void
tpk_v2_hold(struct tpk_v2_cursor *c)
{
	c->held = true;
	c->held_idx = c->idx;
	c->copied = false;
	if (++c->idx == c->nb_frames)
		c->idx = 0;
}

static inline void
tpk_v2_unhold(uint8_t *ring, struct tpk_v2_cursor *c)
{
	if (c->held) {
		tpk_v2_release(ring, c, c->held_idx);
		c->held = false;
	}
}

#endif /* TPK_V2_H */
