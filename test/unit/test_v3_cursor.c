/* SPDX-License-Identifier: BSD-3-Clause
 * TPACKET_V3 RX cursor (lib/tpk_v3.h) over synthetic blocks laid out the
 * way the kernel writes them (see tpk_test_v3.h). Corrupt blocks are put
 * in the last block of an exactly-sized heap ring, so that an overread
 * also shows up under ASan (build-fuzz / build-asan builds of this test).
 */
#include <stdbool.h>

#include "tpk_v3.h"
#include "tpk_check.h"
#include "tpk_test_pkt.h"
#include "tpk_test_v3.h"

static volatile uint32_t sink;

static void
cur_init(struct tpk_v3_cursor *c, const struct rb *r)
{
	memset(c, 0, sizeof(*c));
	c->ring = r->ring;
	c->block_size = r->bs;
	c->nb_blocks = r->nb;
	c->vnet_len = r->vnet_len;
}

/* A delivered frame must lie inside its block; read all of it. */
static bool
frame_in_block(const struct tpk_v3_cursor *c, const struct tpk_v3_frame *f)
{
	const uint8_t *b = (const uint8_t *)tpk_v3_block(c, c->blk);
	uint32_t i, s = 0;

	if (f->data < b + sizeof(struct tpacket3_hdr) ||
	    f->data > b + c->block_size ||
	    f->snaplen > (size_t)(b + c->block_size - f->data))
		return false;
	if (c->vnet_len) {
		const uint8_t *v = (const uint8_t *)f->vnet;

		if (v == NULL || v + c->vnet_len != f->data ||
		    v < b + sizeof(struct tpacket3_hdr))
			return false;
		for (i = 0; i < c->vnet_len; i++)
			s += v[i];
	} else if (f->vnet != NULL) {
		return false;
	}
	for (i = 0; i < f->snaplen; i++)
		s += f->data[i];
	sink += s;
	return true;
}

static void
make_frame(uint8_t *p, uint32_t n, uint32_t seed)
{
	tb_fill(p, n, seed);
	if (n >= 14) {
		tb_eth(p, 0x0800);
		put32(p + n - 4, seed);	/* a sequence mark at the end */
	}
}

static struct virtio_net_hdr
vh_for(uint32_t i)
{
	struct virtio_net_hdr v = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = (uint8_t)(i & 1 ? VIRTIO_NET_HDR_GSO_TCPV4 : 0),
		.hdr_len = (uint16_t)(66 + i),
		.gso_size = (uint16_t)(i & 1 ? 1448 : 0),
		.csum_start = 34,
		.csum_offset = 16,
	};
	return v;
}

/* Several frames of one block come back byte-exact, in order. */
static void
several_frames(uint16_t vnet_len)
{
	static const uint32_t sizes[] = { 60, 61, 1514, 14, 9000, 63, 0 };
	uint8_t data[9000];
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	uint32_t offs[7], i, nf = sizeof(sizes) / sizeof(sizes[0]);
	struct rb r;

	if (!CHECK(rb_init(&r, 16384, 2, vnet_len) == 0))
		return;
	rb_begin(&r, 0);
	for (i = 0; i < nf; i++) {
		struct virtio_net_hdr v = vh_for(i);

		make_frame(data, sizes[i], i);
		offs[i] = rb_add(&r, data, sizes[i], sizes[i] + (i == 3),
				 i == 2 ? TP_STATUS_CSUMNOTREADY : 0, &v);
		if (!CHECK(offs[i] != 0))
			return;
	}
	rb_end(&r, 0);
	cur_init(&c, &r);

	if (!CHECK(tpk_v3_block_ready(&c)))
		return;
	if (!CHECK_EQ(tpk_v3_block_open(&c), (int)nf))
		return;
	CHECK_EQ(c.off, 48);
	for (i = 0; i < nf; i++) {
		struct virtio_net_hdr v = vh_for(i);

		memset(&f, 0xcc, sizeof(f));
		if (!CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_FRAME))
			return;
		if (!CHECK(frame_in_block(&c, &f)))
			return;
		make_frame(data, sizes[i], i);
		CHECK_EQ(f.data - r.ring, offs[i] + rb_mac(vnet_len));
		CHECK_EQ(f.snaplen, sizes[i]);
		CHECK_EQ(f.len, sizes[i] + (i == 3));
		CHECK_MEM(f.data, data, sizes[i]);
		CHECK_EQ(f.status, TP_STATUS_USER |
			 (i == 2 ? TP_STATUS_CSUMNOTREADY : 0));
		CHECK_EQ(f.rxhash, 0x9e3779b9u * (i + 1));
		CHECK_EQ(f.sec, 1700000000u + i);
		CHECK_EQ(f.nsec, 1000u * i);
		CHECK_EQ(f.vlan_tci, 0);
		CHECK_EQ(f.vlan_tpid, 0);
		if (vnet_len)
			CHECK_MEM(f.vnet, &v, sizeof(v));
		else
			CHECK(f.vnet == NULL);
	}
	CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_END);
	CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_END);
	CHECK_EQ(c.bad_blocks, 0);
	rb_free(&r);
}

static void t_frames_in_order_vnet10(void) { several_frames(10); }
static void t_frames_in_order_vnet0(void) { several_frames(0); }
static void t_frames_in_order_vnet12(void) { several_frames(12); }

static void
t_kernel_mac_offsets(void)
{
	/* Measured on 6.18: mac/net = 82/96, 92/106, 94/108. */
	CHECK_EQ(rb_mac(0), 82);
	CHECK_EQ(rb_mac(10), 92);
	CHECK_EQ(rb_mac(12), 94);
	CHECK_EQ(sizeof(struct tpacket3_hdr), 48);
	CHECK_EQ(sizeof(struct tpacket_block_desc) <= 48, 1);
	CHECK_EQ(TPK_V3_BLK_HDR_LEN, 48);
}

static void
t_zero_pkt_block(void)
{
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	struct rb r;

	if (!CHECK(rb_init(&r, 4096, 2, 10) == 0))
		return;
	rb_begin(&r, 0);
	rb_end(&r, 0);		/* closed early for a max-size frame */
	cur_init(&c, &r);
	if (!CHECK(tpk_v3_block_ready(&c)))
		return;
	CHECK_EQ(tpk_v3_block_open(&c), 0);
	CHECK_EQ(c.left, 0);
	CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_END);
	CHECK_EQ(c.bad_blocks, 0);
	tpk_v3_block_release(&c);
	CHECK_EQ(rb_desc(&r, 0)->hdr.bh1.block_status, TP_STATUS_KERNEL);
	CHECK_EQ(c.blk, 1);
	CHECK(!tpk_v3_block_ready(&c));
	rb_free(&r);
}

static void
t_zero_pkt_block_garbage_offset(void)
{
	/* num_pkts = 0 is legal whatever the rest of the header says. */
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	struct rb r;

	if (!CHECK(rb_init(&r, 4096, 1, 10) == 0))
		return;
	rb_begin(&r, 0);
	rb_end(&r, TP_STATUS_BLK_TMO);
	rb_desc(&r, 0)->hdr.bh1.offset_to_first_pkt = 0xffffffff;
	cur_init(&c, &r);
	CHECK_EQ(tpk_v3_block_open(&c), 0);
	CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_END);
	rb_free(&r);
}

static void
t_release_and_wrap(void)
{
	struct tpk_v3_cursor c;
	uint8_t data[64];
	uint32_t i;
	struct rb r;

	if (!CHECK(rb_init(&r, 4096, 3, 10) == 0))
		return;
	make_frame(data, sizeof(data), 1);
	for (i = 0; i < 3; i++) {
		rb_begin(&r, i);
		if (!CHECK(rb_add(&r, data, sizeof(data), sizeof(data), 0, NULL)))
			return;
		rb_end(&r, i == 1 ? TP_STATUS_BLK_TMO | TP_STATUS_LOSING : 0);
	}
	cur_init(&c, &r);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(c.blk, i);
		CHECK(tpk_v3_block_ready(&c));
		CHECK_EQ(tpk_v3_block_open(&c), 1);
		tpk_v3_block_release(&c);
		CHECK_EQ(c.left, 0);
		CHECK_EQ(rb_desc(&r, i)->hdr.bh1.block_status,
			 TP_STATUS_KERNEL);
	}
	CHECK_EQ(c.blk, 0);	/* wrapped */
	CHECK(!tpk_v3_block_ready(&c));
	/* The kernel fills block 0 again: it becomes ready. */
	rb_begin(&r, 0);
	rb_end(&r, 0);
	CHECK(tpk_v3_block_ready(&c));
	rb_free(&r);
}

static void
t_release_mid_block(void)
{
	/* Releasing with frames left drops them and moves on. */
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	uint8_t data[100];
	uint32_t i;
	struct rb r;

	if (!CHECK(rb_init(&r, 4096, 2, 0) == 0))
		return;
	for (i = 0; i < 2; i++) {
		rb_begin(&r, i);
		make_frame(data, sizeof(data), 10 * i);
		if (!CHECK(rb_add(&r, data, 100, 100, 0, NULL)))
			return;
		make_frame(data, sizeof(data), 10 * i + 1);
		if (!CHECK(rb_add(&r, data, 100, 100, 0, NULL)))
			return;
		rb_end(&r, 0);
	}
	cur_init(&c, &r);
	if (!CHECK_EQ(tpk_v3_block_open(&c), 2))
		return;
	if (!CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_FRAME))
		return;
	tpk_v3_block_release(&c);
	CHECK_EQ(c.blk, 1);
	if (!CHECK_EQ(tpk_v3_block_open(&c), 2))
		return;
	if (!CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_FRAME))
		return;
	CHECK_EQ(be32(f.data + 96), 10);
	if (!CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_FRAME))
		return;
	CHECK_EQ(be32(f.data + 96), 11);
	rb_free(&r);
}

/* The rx_burst loop over a ring, twice around: every frame, in order. */
static void
t_walk_ring_twice(void)
{
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	uint8_t data[2000];
	uint32_t seq = 0, got = 0, round, b, k;
	struct rb r;

	if (!CHECK(rb_init(&r, 8192, 4, 10) == 0))
		return;
	cur_init(&c, &r);
	for (round = 0; round < 2; round++) {
		for (b = 0; b < 4; b++) {
			uint32_t n = (b * 3 + round) % 5;	/* 0..4 frames */

			rb_begin(&r, b);
			for (k = 0; k < n; k++) {
				uint32_t len = 60 + (seq * 397) % 1900;

				make_frame(data, len, seq++);
				if (!CHECK(rb_add(&r, data, len, len, 0, NULL)))
					return;
			}
			rb_end(&r, 0);
		}
		while (tpk_v3_block_ready(&c)) {
			enum tpk_v3_next rc;

			if (!CHECK(tpk_v3_block_open(&c) >= 0))
				return;
			while ((rc = tpk_v3_next(&c, &f)) == TPK_V3_FRAME) {
				uint32_t len = 60 + (got * 397) % 1900;

				if (!CHECK(frame_in_block(&c, &f)))
					return;
				if (!CHECK_EQ(f.snaplen, len))
					return;
				make_frame(data, len, got);
				CHECK_MEM(f.data, data, len);
				got++;
			}
			CHECK_EQ(rc, TPK_V3_END);
			tpk_v3_block_release(&c);
		}
		CHECK_EQ(c.blk, 0);
	}
	CHECK_EQ(got, seq);
	CHECK_EQ(c.bad_blocks, 0);
	rb_free(&r);
}

static void
t_truncated_frame_reported(void)
{
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	uint8_t data[3000];
	struct virtio_net_hdr v = { .flags = 1, .gso_type = 1,
				    .gso_size = 1448, .csum_start = 34,
				    .csum_offset = 16, .hdr_len = 66 };
	struct rb r;

	if (!CHECK(rb_init(&r, 4096, 1, 10) == 0))
		return;
	rb_begin(&r, 0);
	make_frame(data, 3000, 5);
	/* Clamped: 3000 bytes present of a 20054-byte GSO frame. */
	if (!CHECK(rb_add(&r, data, 3000, 20054,
		       TP_STATUS_CSUMNOTREADY | TP_STATUS_GSO_TCP, &v)))
		return;
	rb_end(&r, 0);
	cur_init(&c, &r);
	if (!CHECK_EQ(tpk_v3_block_open(&c), 1))
		return;
	if (!CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_FRAME))
		return;
	if (!CHECK(frame_in_block(&c, &f)))
		return;
	CHECK_EQ(f.snaplen, 3000);
	CHECK_EQ(f.len, 20054);
	CHECK(f.snaplen < f.len);
	CHECK_MEM(f.data, data, 3000);
	CHECK_EQ(c.bad_blocks, 0);
	rb_free(&r);
}

static void
t_vlan_tpid_valid(void)
{
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	uint8_t data[60];
	uint32_t off;
	struct rb r;

	if (!CHECK(rb_init(&r, 4096, 1, 10) == 0))
		return;
	rb_begin(&r, 0);
	make_frame(data, 60, 1);
	if (!CHECK((off = rb_add(&r, data, 60, 60, 0, NULL)) != 0))
		return;
	rb_vlan(&r, off, 100, 0x88a8, 1);
	if (!CHECK((off = rb_add(&r, data, 60, 60, 0, NULL)) != 0))
		return;
	rb_vlan(&r, off, 0xefff, 0x8100, 1);
	rb_end(&r, 0);
	cur_init(&c, &r);
	if (!CHECK_EQ(tpk_v3_block_open(&c), 2))
		return;
	if (!CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_FRAME))
		return;
	CHECK_EQ(f.vlan_tci, 100);
	CHECK_EQ(f.vlan_tpid, 0x88a8);
	CHECK(f.status & TP_STATUS_VLAN_VALID);
	if (!CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_FRAME))
		return;
	CHECK_EQ(f.vlan_tci, 0xefff);
	CHECK_EQ(f.vlan_tpid, 0x8100);
	rb_free(&r);
}

static void
t_vlan_default_tpid(void)
{
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	uint8_t data[60];
	uint32_t off;
	struct rb r;

	if (!CHECK(rb_init(&r, 4096, 1, 10) == 0))
		return;
	rb_begin(&r, 0);
	make_frame(data, 60, 1);
	if (!CHECK((off = rb_add(&r, data, 60, 60, 0, NULL)) != 0))
		return;
	/* No TPID_VALID: whatever is in tp_vlan_tpid is not a TPID. */
	rb_vlan(&r, off, 7, 0x1234, 0);
	rb_end(&r, 0);
	cur_init(&c, &r);
	if (!CHECK_EQ(tpk_v3_block_open(&c), 1))
		return;
	if (!CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_FRAME))
		return;
	CHECK_EQ(f.vlan_tci, 7);
	CHECK_EQ(f.vlan_tpid, 0x8100);
	rb_free(&r);
}

static void
t_vlan_fields_ignored_without_valid(void)
{
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	uint8_t data[60];
	uint32_t off;
	struct rb r;

	if (!CHECK(rb_init(&r, 4096, 1, 0) == 0))
		return;
	rb_begin(&r, 0);
	make_frame(data, 60, 1);
	if (!CHECK((off = rb_add(&r, data, 60, 60, 0, NULL)) != 0))
		return;
	rb_hdr(&r, off)->hv1.tp_vlan_tci = 55;
	rb_hdr(&r, off)->hv1.tp_vlan_tpid = 0x88a8;
	rb_hdr(&r, off)->tp_status |= TP_STATUS_VLAN_TPID_VALID;
	rb_end(&r, 0);
	cur_init(&c, &r);
	if (!CHECK_EQ(tpk_v3_block_open(&c), 1))
		return;
	if (!CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_FRAME))
		return;
	CHECK_EQ(f.vlan_tci, 0);
	CHECK_EQ(f.vlan_tpid, 0);
	rb_free(&r);
}

/* A frame that ends exactly at the end of the block is fine. */
static void
t_frame_to_block_end(void)
{
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	uint8_t data[4096];
	uint32_t off, room;
	struct rb r;

	if (!CHECK(rb_init(&r, 4096, 1, 10) == 0))
		return;
	rb_begin(&r, 0);
	make_frame(data, 100, 1);
	if (!CHECK((off = rb_add(&r, data, 100, 100, 0, NULL)) != 0))
		return;
	rb_end(&r, 0);
	room = 4096 - off;
	rb_hdr(&r, off)->tp_snaplen = room - 92;
	rb_hdr(&r, off)->tp_len = room - 92;
	cur_init(&c, &r);
	if (!CHECK_EQ(tpk_v3_block_open(&c), 1))
		return;
	if (!CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_FRAME))
		return;
	CHECK(frame_in_block(&c, &f));
	CHECK_EQ(f.data + f.snaplen, r.ring + 4096);
	CHECK_EQ(c.bad_blocks, 0);
	rb_free(&r);
}

/* ---- corrupt blocks ---------------------------------------------------- */

/*
 * Ring of 2 blocks; block 1 (the last, touching the end of the heap
 * allocation) holds frames a, b, c of 200 bytes. mutate() corrupts it.
 * Returns frames delivered before the walk stopped and the final code.
 */
struct walk { uint32_t frames; enum tpk_v3_next rc; int open; uint64_t bad; };

static struct walk
walk_corrupt(uint16_t vnet_len, void (*mutate)(struct rb *r, uint32_t *offs))
{
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	uint8_t data[200];
	uint32_t offs[3], i;
	struct walk w = { 0, TPK_V3_END, 0, 0 };
	struct rb r;

	if (rb_init(&r, 4096, 2, vnet_len) != 0) {
		RECORD_FAILURE("malloc");
		return w;
	}
	rb_begin(&r, 1);
	for (i = 0; i < 3; i++) {
		make_frame(data, 200, i);
		offs[i] = rb_add(&r, data, 200, 200, 0, NULL);
	}
	rb_end(&r, 0);
	mutate(&r, offs);
	cur_init(&c, &r);
	c.blk = 1;
	w.open = tpk_v3_block_open(&c);
	if (w.open > 0) {
		for (i = 0; i < 4096; i++) {	/* bounded: a hang fails */
			w.rc = tpk_v3_next(&c, &f);
			if (w.rc != TPK_V3_FRAME)
				break;
			CHECK(frame_in_block(&c, &f),
			       "frame %u outside its block", w.frames);
			w.frames++;
		}
		CHECK(i < 4096, "walk did not end");
	}
	w.bad = c.bad_blocks;
	tpk_v3_block_release(&c);
	CHECK_EQ(c.blk, 0);
	rb_free(&r);
	return w;
}

static void m_none(struct rb *r, uint32_t *o) { (void)r; (void)o; }

static void
t_corrupt_baseline(void)
{
	struct walk w = walk_corrupt(10, m_none);

	CHECK_EQ(w.open, 3);
	CHECK_EQ(w.frames, 3);
	CHECK_EQ(w.rc, TPK_V3_END);
	CHECK_EQ(w.bad, 0);
}

/* Expect: frames delivered, then BAD and bad_blocks == 1. */
#define EXPECT_BAD_AFTER(w, n) do { \
	CHECK_EQ((w).open, 3); \
	CHECK_EQ((w).frames, n); \
	CHECK_EQ((w).rc, TPK_V3_BAD); \
	CHECK_EQ((w).bad, 1); \
} while (0)

/* Expect: frames delivered, then the block is cut short (END, counted). */
#define EXPECT_CUT_AFTER(w, n) do { \
	CHECK_EQ((w).open, 3); \
	CHECK_EQ((w).frames, n); \
	CHECK_EQ((w).rc, TPK_V3_END); \
	CHECK_EQ((w).bad, 1); \
} while (0)

static void m_mac_beyond(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[0])->tp_mac = (uint16_t)(4096 - o[0] + 1); }
static void m_mac_max(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[0])->tp_mac = 0xffff; }
static void m_mac_zero(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[0])->tp_mac = 0; }
static void m_mac_in_hdr(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[1])->tp_mac = 47; }
static void m_mac_over_vnet(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[1])->tp_mac = 48 + 10 - 1; }	/* vnet would overlap */
static void m_mac_last_frame_beyond(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[2])->tp_mac = (uint16_t)(4096 - o[2] + 8); }
static void m_snap_beyond(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[0])->tp_snaplen = 4096 - o[0] - 92 + 1; }
static void m_snap_huge(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[1])->tp_snaplen = 0xffffffff; }
static void m_snap_wrap(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[2])->tp_snaplen = 0xffffffff - 91; }	/* mac+snap wraps */

static void t_bad_mac_beyond_block(void)
{ struct walk w = walk_corrupt(10, m_mac_beyond); EXPECT_BAD_AFTER(w, 0); }
static void t_bad_mac_0xffff(void)
{ struct walk w = walk_corrupt(10, m_mac_max); EXPECT_BAD_AFTER(w, 0); }
static void t_bad_mac_zero(void)
{ struct walk w = walk_corrupt(0, m_mac_zero); EXPECT_BAD_AFTER(w, 0); }
static void t_bad_mac_inside_frame_hdr(void)
{ struct walk w = walk_corrupt(0, m_mac_in_hdr); EXPECT_BAD_AFTER(w, 1); }
static void t_bad_mac_vnet_overlaps_hdr(void)
{ struct walk w = walk_corrupt(10, m_mac_over_vnet); EXPECT_BAD_AFTER(w, 1); }
static void t_bad_mac_last_frame(void)
{ struct walk w = walk_corrupt(10, m_mac_last_frame_beyond); EXPECT_BAD_AFTER(w, 2); }
static void t_bad_snaplen_beyond_block(void)
{ struct walk w = walk_corrupt(10, m_snap_beyond); EXPECT_BAD_AFTER(w, 0); }
static void t_bad_snaplen_0xffffffff(void)
{ struct walk w = walk_corrupt(10, m_snap_huge); EXPECT_BAD_AFTER(w, 1); }
static void t_bad_snaplen_wraps(void)
{ struct walk w = walk_corrupt(0, m_snap_wrap); EXPECT_BAD_AFTER(w, 2); }

static void m_next_zero(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[0])->tp_next_offset = 0; }
static void m_next_unaligned(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[0])->tp_next_offset += 4; }
static void m_next_small(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[1])->tp_next_offset = 40; }
static void m_next_to_end(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[0])->tp_next_offset = 4096 - o[0]; }
static void m_next_huge(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[0])->tp_next_offset = 0xfffffff8; }
/* Aligned and inside the block, but no room for a tpacket3_hdr there. */
static void m_next_into_tail(struct rb *r, uint32_t *o)
{ rb_hdr(r, o[0])->tp_next_offset = 4096 - 40 - o[0]; }
/* The block claims 3 frames but the kernel chained only 2. */
static void m_num_pkts_more(struct rb *r, uint32_t *o)
{ (void)o; rb_hdr(r, o[1])->tp_next_offset = 0; }

static void t_bad_next_offset_zero(void)
{ struct walk w = walk_corrupt(10, m_next_zero); EXPECT_CUT_AFTER(w, 1); }
static void t_bad_next_offset_unaligned(void)
{ struct walk w = walk_corrupt(10, m_next_unaligned); EXPECT_CUT_AFTER(w, 1); }
static void t_bad_next_offset_below_hdr(void)
{ struct walk w = walk_corrupt(10, m_next_small); EXPECT_CUT_AFTER(w, 2); }
static void t_bad_next_offset_to_block_end(void)
{ struct walk w = walk_corrupt(10, m_next_to_end); EXPECT_CUT_AFTER(w, 1); }
static void t_bad_next_offset_huge(void)
{ struct walk w = walk_corrupt(10, m_next_huge); EXPECT_CUT_AFTER(w, 1); }
static void t_bad_next_offset_into_tail(void)
{ struct walk w = walk_corrupt(10, m_next_into_tail); EXPECT_BAD_AFTER(w, 1); }
static void t_bad_num_pkts_more_than_chained(void)
{ struct walk w = walk_corrupt(10, m_num_pkts_more); EXPECT_CUT_AFTER(w, 2); }

/* offset_to_first_pkt / num_pkts out of range: open refuses the block. */
static void
bad_open(uint32_t first, uint32_t num)
{
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	uint8_t data[100];
	struct rb r;
	int n;

	if (!CHECK(rb_init(&r, 4096, 1, 10) == 0))
		return;
	rb_begin(&r, 0);
	make_frame(data, 100, 1);
	if (!CHECK(rb_add(&r, data, 100, 100, 0, NULL)))
		return;
	rb_end(&r, 0);
	rb_desc(&r, 0)->hdr.bh1.offset_to_first_pkt = first;
	rb_desc(&r, 0)->hdr.bh1.num_pkts = num;
	cur_init(&c, &r);
	n = tpk_v3_block_open(&c);
	if (n > 0) {
		/* Accepted by open: the first next() must refuse it. */
		CHECK(tpk_v3_next(&c, &f) == TPK_V3_BAD,
		       "first=%u num=%u: open %d and next did not fail",
		       first, num, n);
		CHECK_EQ(c.bad_blocks, 1);
	} else {
		CHECK(n == -1, "first=%u num=%u: open returned %d", first,
		       num, n);
	}
	rb_free(&r);
}

static void t_bad_first_offset_0(void) { bad_open(0, 1); }
static void t_bad_first_offset_47(void) { bad_open(47, 1); }
static void t_bad_first_offset_block_size(void) { bad_open(4096, 1); }
static void t_bad_first_offset_last_byte(void) { bad_open(4095, 1); }
static void t_bad_first_offset_no_room(void) { bad_open(4096 - 40, 1); }
static void t_bad_first_offset_hdr_only(void) { bad_open(4096 - 48, 1); }
static void t_bad_first_offset_max(void) { bad_open(0xffffffff, 1); }
static void t_bad_num_pkts_max(void) { bad_open(48, 0xffffffff); }
static void t_bad_num_pkts_over_capacity(void) { bad_open(48, 4096 / 48 + 1); }

static void
t_bad_open_exact(void)
{
	/* These must be refused by open itself, not later. */
	static const uint32_t v[][2] = { { 0, 1 }, { 47, 1 }, { 4096, 1 },
		{ 0xffffffff, 1 }, { 48, 0xffffffff }, { 48, 86 } };
	struct tpk_v3_cursor c;
	struct rb r;
	uint32_t i;

	if (!CHECK(rb_init(&r, 4096, 1, 10) == 0))
		return;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		rb_begin(&r, 0);
		rb_end(&r, 0);
		rb_desc(&r, 0)->hdr.bh1.offset_to_first_pkt = v[i][0];
		rb_desc(&r, 0)->hdr.bh1.num_pkts = v[i][1];
		cur_init(&c, &r);
		CHECK(tpk_v3_block_open(&c) == -1, "first=%u num=%u accepted",
		       v[i][0], v[i][1]);
	}
	rb_free(&r);
}

/* A block of many tiny overlapping-but-in-bounds frames still ends. */
static void
t_walk_bounded_by_num_pkts(void)
{
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	uint32_t i, n = 4096 / 48, got = 0;
	struct rb r;

	if (!CHECK(rb_init(&r, 4096, 1, 0) == 0))
		return;
	rb_begin(&r, 0);
	rb_end(&r, 0);
	/* Frames 48 bytes apart, empty, all in bounds. */
	for (i = 0; 48 + 48 * (i + 1) <= 4096; i++) {
		struct tpacket3_hdr *h = rb_hdr(&r, 48 + 48 * i);

		h->tp_next_offset = 48;
		h->tp_mac = 48;
		h->tp_snaplen = 0;
	}
	rb_desc(&r, 0)->hdr.bh1.num_pkts = n;
	cur_init(&c, &r);
	if (!CHECK_EQ(tpk_v3_block_open(&c), (int)n))
		return;
	for (i = 0; i < 10000; i++) {
		enum tpk_v3_next rc = tpk_v3_next(&c, &f);

		if (rc != TPK_V3_FRAME)
			break;
		if (!CHECK(frame_in_block(&c, &f)))
			return;
		got++;
	}
	CHECK(i < 10000);
	CHECK(got <= n);
	rb_free(&r);
}

static void
t_bad_then_next_block_ok(void)
{
	/* After a BAD, releasing the block lets the next one read fine. */
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	uint8_t data[100];
	struct rb r;

	if (!CHECK(rb_init(&r, 4096, 2, 10) == 0))
		return;
	make_frame(data, 100, 3);
	rb_begin(&r, 0);
	if (!CHECK(rb_add(&r, data, 100, 100, 0, NULL)))
		return;
	rb_end(&r, 0);
	rb_hdr(&r, 48)->tp_mac = 0xffff;
	rb_begin(&r, 1);
	if (!CHECK(rb_add(&r, data, 100, 100, 0, NULL)))
		return;
	rb_end(&r, 0);
	cur_init(&c, &r);
	if (!CHECK_EQ(tpk_v3_block_open(&c), 1))
		return;
	CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_BAD);
	tpk_v3_block_release(&c);
	if (!CHECK_EQ(tpk_v3_block_open(&c), 1))
		return;
	if (!CHECK_EQ(tpk_v3_next(&c, &f), TPK_V3_FRAME))
		return;
	CHECK_MEM(f.data, data, 100);
	CHECK_EQ(c.bad_blocks, 1);
	rb_free(&r);
}

/*
 * BUG (lib/tpk_v3.h, tpk_v3_block_open): offset_to_first_pkt is not
 * checked for alignment, while tp_next_offset must be 8-byte aligned and
 * the kernel always aligns both. With first = 49 tpk_v3_next reads a
 * struct tpacket3_hdr at a misaligned address (UBSan: "member access
 * within misaligned address"). Expected: the block is refused (open -1,
 * or next() returns TPK_V3_BAD) like any other corrupt header.
 */
static void
t_regress_v3_first_offset_unaligned(void)
{
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	struct rb r;
	int n;

	if (!CHECK(rb_init(&r, 4096, 1, 0) == 0))
		return;
	rb_begin(&r, 0);
	rb_end(&r, 0);
	rb_desc(&r, 0)->hdr.bh1.num_pkts = 1;
	rb_desc(&r, 0)->hdr.bh1.offset_to_first_pkt = 49;
	/* A frame header that would otherwise be valid at 49 (bytewise). */
	{
		struct tpacket3_hdr h = { 0 };
		h.tp_mac = 82;
		h.tp_snaplen = 60;
		h.tp_len = 60;
		h.tp_status = TP_STATUS_USER;
		memcpy(r.ring + 49, &h, sizeof(h));
	}
	cur_init(&c, &r);
	n = tpk_v3_block_open(&c);
	if (n > 0) {
		/* Do not call tpk_v3_next: that is the misaligned read. */
		RECORD_FAILURE("offset_to_first_pkt=49 accepted by tpk_v3_block_open "
		      "(next() would read a misaligned tpacket3_hdr)");
		(void)f;
	}
	rb_free(&r);
}

/*
 * BUG (lib/tpk_v3.h, tpk_v3_next): with vnet_len 10 or 12, an odd tp_mac
 * makes f->vnet a misaligned struct virtio_net_hdr * (2-byte fields),
 * which tpk_vnet_rx_parse then dereferences (UBSan: misaligned access).
 * The kernel's tp_mac is always even (82/92/94). Expected: an odd
 * tp_mac - vnet_len is refused (TPK_V3_BAD) or f->vnet is aligned.
 */
static void
t_regress_v3_vnet_hdr_unaligned(void)
{
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	uint8_t data[100];
	struct rb r;
	enum tpk_v3_next rc;

	if (!CHECK(rb_init(&r, 4096, 1, 10) == 0))
		return;
	rb_begin(&r, 0);
	make_frame(data, 100, 1);
	if (!CHECK(rb_add(&r, data, 100, 100, 0, NULL)))
		return;
	rb_end(&r, 0);
	rb_hdr(&r, 48)->tp_mac = 93;
	cur_init(&c, &r);
	if (!CHECK_EQ(tpk_v3_block_open(&c), 1))
		return;
	rc = tpk_v3_next(&c, &f);
	CHECK(rc == TPK_V3_BAD || ((uintptr_t)f.vnet & 1) == 0,
	       "tp_mac=93, vnet_len=10: frame accepted with f->vnet at a "
	       "misaligned address (offset %u in block)",
	       (unsigned)((const uint8_t *)f.vnet - r.ring));
	rb_free(&r);
}

/*
 * Live reading (x86 only): a kernel that fills block 0 step by step, as
 * net/packet/af_packet.c does it: allocation (tp_next_offset, num_pkts,
 * status reset; hv1 filled), then the data and the header fields, the
 * padding last. k_open is prb_open_block (frame headers untouched).
 */
struct kfill {
	struct rb *r;
	uint32_t blk, off, n, prev;
};

static void
k_open(struct kfill *k, struct rb *r, uint32_t blk)
{
	struct tpacket_block_desc *d = rb_desc(r, blk);

	k->r = r;
	k->blk = blk;
	k->off = RB_BLK_HDR;
	k->n = 0;
	k->prev = 0;
	d->hdr.bh1.num_pkts = 0;
	d->hdr.bh1.offset_to_first_pkt = RB_BLK_HDR;
	d->hdr.bh1.block_status = TP_STATUS_KERNEL;
}

static struct tpacket3_hdr *
k_hdr(const struct kfill *k, uint32_t off)
{
	return (struct tpacket3_hdr *)(k->r->ring + (size_t)k->blk * k->r->bs +
				       off);
}

/* Allocate the next frame of snaplen bytes; returns its offset. */
static uint32_t
k_alloc(struct kfill *k, uint32_t snaplen)
{
	uint32_t off = k->off, tot = RB_ALIGN8(rb_mac(k->r->vnet_len) + snaplen);
	struct tpacket3_hdr *h = k_hdr(k, off);

	h->tp_next_offset = tot;
	k->prev = off;
	k->off += tot;
	rb_desc(k->r, k->blk)->hdr.bh1.num_pkts = ++k->n;
	h->hv1.tp_rxhash = 0;
	h->hv1.tp_vlan_tci = 0;
	h->hv1.tp_vlan_tpid = 0;
	h->tp_status = TP_STATUS_KERNEL;
	return off;
}

static void
k_complete(struct kfill *k, uint32_t off, const uint8_t *data, uint32_t snaplen)
{
	struct tpacket3_hdr *h = k_hdr(k, off);
	uint16_t mac = rb_mac(k->r->vnet_len);

	struct sockaddr_ll *sll = (struct sockaddr_ll *)
		((uint8_t *)h + TPACKET_ALIGN(sizeof(*h)));

	memcpy((uint8_t *)h + mac, data, snaplen);
	h->tp_status |= TP_STATUS_USER;
	h->tp_len = snaplen;
	h->tp_snaplen = snaplen;
	h->tp_mac = mac;
	h->tp_net = mac + ETH_HLEN;
	memset(h->tp_padding, 0, sizeof(h->tp_padding));
	/* After header_ops->parse: the sockaddr_ll, last. */
	sll->sll_family = AF_PACKET;
	sll->sll_ifindex = 7;
}

/* The mark the cursor watches at off of block blk. */
static int32_t
k_mark(const struct kfill *k, uint32_t blk, uint32_t off)
{
	const uint8_t *h = k->r->ring + (size_t)blk * k->r->bs + off;
	const struct sockaddr_ll *sll = (const struct sockaddr_ll *)
		(h + TPACKET_ALIGN(sizeof(struct tpacket3_hdr)));

	return sll->sll_ifindex;
}

/* prb_close_block: the last frame's next offset 0, the block handed over. */
static void
k_retire(struct kfill *k, uint32_t status)
{
	if (k->n)
		k_hdr(k, k->prev)->tp_next_offset = 0;
	rb_desc(k->r, k->blk)->hdr.bh1.block_status = TP_STATUS_USER | status;
}

/* Old bytes all over the ring, block headers as a new ring has them. */
static void
k_dirty(struct rb *r)
{
	uint32_t i;

	memset(r->ring, 0xff, (size_t)r->bs * r->nb);
	for (i = 0; i < r->nb; i++)
		memset(rb_desc(r, i), 0, RB_BLK_HDR);
}

/* A ring of nb blocks of bs bytes, dirty, under a cursor reset on it. */
static bool
live_ring(struct rb *r, struct tpk_v3_cursor *c, uint32_t bs, uint32_t nb,
	  uint16_t vnet_len)
{
	if (!CHECK(rb_init(r, bs, nb, vnet_len) == 0))
		return false;
	k_dirty(r);
	tpk_v3_reset(c, r->ring, r->bs, r->nb, vnet_len);
	return true;
}

static bool
live_got(struct tpk_v3_cursor *c, uint32_t seed, uint32_t len)
{
	struct tpk_v3_frame f = { 0 };
	uint8_t want[2048];

	if (!CHECK_EQ(tpk_v3_peek(c, &f), TPK_V3_FRAME))
		return false;
	make_frame(want, len, seed);
	if (!CHECK_EQ(f.snaplen, len) || !CHECK_MEM(f.data, want, len))
		return false;
	tpk_v3_commit(c);
	return true;
}

static bool
live_none(struct tpk_v3_cursor *c)
{
	struct tpk_v3_frame f = { 0 };

	return CHECK_EQ(tpk_v3_peek(c, &f), TPK_V3_END);
}

/* Frames come out as soon as the kernel finished each, not at the retire. */
static void
t_live_frames_before_retire(void)
{
	struct tpk_v3_cursor c = { 0 };
	uint8_t d[3][300];
	struct kfill k;
	uint32_t o[3], i;
	struct rb r;

	/* Old bytes all over the ring: any mark would look written. */
	if (!live_ring(&r, &c, 16384, 2, 10))
		return;
	if (!TPK_V3_LIVE) {
		CHECK(!c.live);
		rb_free(&r);
		return;
	}
	CHECK(c.live);
	k_open(&k, &r, 0);
	for (i = 0; i < 3; i++)
		make_frame(d[i], 100 + 50 * i, 10 + i);
	live_none(&c);
	o[0] = k_alloc(&k, 100);
	live_none(&c);			/* allocated, not written */
	k_complete(&k, o[0], d[0], 100);
	live_got(&c, 10, 100);
	live_none(&c);
	o[1] = k_alloc(&k, 150);
	live_none(&c);
	k_complete(&k, o[1], d[1], 150);
	live_got(&c, 11, 150);
	o[2] = k_alloc(&k, 200);
	live_none(&c);
	k_complete(&k, o[2], d[2], 200);
	k_retire(&k, TP_STATUS_BLK_TMO);
	/* The retired block: nothing twice, then released and primed. */
	live_got(&c, 12, 200);
	CHECK_EQ(c.live_frames, 2);
	live_none(&c);
	CHECK_EQ(c.blk, 1);
	CHECK_EQ(rb_desc(&r, 0)->hdr.bh1.block_status, TP_STATUS_KERNEL);
	CHECK_EQ(rb_desc(&r, 0)->hdr.bh1.num_pkts, 0);
	CHECK_EQ(k_mark(&k, 0, RB_BLK_HDR), TPK_V3_POISON);
	CHECK_EQ(c.bad_blocks, 0);
	/* Block 1 was poisoned by the reset: its first frame comes live. */
	k_open(&k, &r, 1);
	o[0] = k_alloc(&k, 100);
	k_complete(&k, o[0], d[0], 100);
	live_got(&c, 10, 100);
	CHECK_EQ(c.live_frames, 3);
	rb_free(&r);
}

/*
 * The kernel ahead of the cursor: the next frame was allocated before the
 * cursor could poison it, so its stale padding proves nothing and the
 * cursor waits for the retire, which hands the frame over.
 */
static void
t_live_kernel_ahead_waits(void)
{
	struct tpk_v3_cursor c = { 0 };
	uint8_t d0[100], d1[120];
	struct kfill k;
	uint32_t o0, o1;
	struct rb r;

	if (!TPK_V3_LIVE || !live_ring(&r, &c, 16384, 2, 0))
		return;
	k_open(&k, &r, 0);
	make_frame(d0, 100, 1);
	make_frame(d1, 120, 2);
	o0 = k_alloc(&k, 100);
	k_complete(&k, o0, d0, 100);
	o1 = k_alloc(&k, 120);		/* its mark: 0xff.. from the memset */
	live_got(&c, 1, 100);
	CHECK(!c.live_armed);
	live_none(&c);			/* allocated, not complete: not taken */
	k_complete(&k, o1, d1, 120);
	live_none(&c);			/* complete, but not provably: wait */
	k_retire(&k, 0);
	live_got(&c, 2, 120);
	CHECK_EQ(c.live_frames, 1);
	CHECK_EQ(c.blocks_full, 1);
	live_none(&c);
	rb_free(&r);
}

/*
 * A block reused with another layout: the data of the previous round
 * holds non-zero bytes where the new frames' marks go. Only positions the
 * cursor poisoned count.
 */
static void
t_live_stale_zeros_ignored(void)
{
	struct tpk_v3_cursor c = { 0 };
	uint8_t big[1500], d[64];
	struct kfill k;
	uint32_t o, i;
	struct rb r;

	if (!TPK_V3_LIVE || !live_ring(&r, &c, 8192, 1, 0))
		return;
	/* Round 1: one big frame, retired, consumed, released. */
	k_open(&k, &r, 0);
	make_frame(big, 1500, 7);
	memset(big + 14, 0x5a, 1400);	/* bytes where round 2's headers go */
	o = k_alloc(&k, 1500);
	k_complete(&k, o, big, 1500);
	k_retire(&k, 0);
	if (!CHECK_EQ(tpk_v3_peek(&c, &(struct tpk_v3_frame){ 0 }), TPK_V3_FRAME))
		return;
	tpk_v3_commit(&c);
	live_none(&c);			/* releases block 0 */
	/* Round 2: small frames; each is allocated before it is written. */
	k_open(&k, &r, 0);
	for (i = 0; i < 5; i++) {
		make_frame(d, 64, 20 + i);
		o = k_alloc(&k, 64);
		live_none(&c);		/* stale zeros must not pass */
		k_complete(&k, o, d, 64);
		live_got(&c, 20 + i, 64);
	}
	CHECK_EQ(c.live_frames, 5);
	k_retire(&k, TP_STATUS_BLK_TMO);
	live_none(&c);
	CHECK_EQ(c.blocks_tmo, 1);
	CHECK_EQ(c.bad_blocks, 0);
	rb_free(&r);
}

/*
 * The header's own fields prove nothing: the compiler may store them, the
 * padding included, in any order. Only the sockaddr_ll, stored after the
 * call to header_ops->parse, does.
 */
static void
t_live_header_fields_not_a_mark(void)
{
	struct tpk_v3_cursor c = { 0 };
	struct tpacket3_hdr *h;
	struct sockaddr_ll *sll;
	uint8_t d[90];
	struct kfill k;
	uint32_t o;
	struct rb r;

	if (!TPK_V3_LIVE || !live_ring(&r, &c, 8192, 2, 10))
		return;
	k_open(&k, &r, 0);
	make_frame(d, 90, 4);
	o = k_alloc(&k, 90);
	h = k_hdr(&k, o);
	sll = (struct sockaddr_ll *)((uint8_t *)h + TPACKET_ALIGN(sizeof(*h)));
	memset(h->tp_padding, 0, sizeof(h->tp_padding));
	h->tp_status |= TP_STATUS_USER;
	h->tp_mac = rb_mac(10);
	h->tp_snaplen = 90;
	h->tp_len = 90;
	live_none(&c);			/* data and sockaddr_ll not there yet */
	sll->sll_family = AF_PACKET;	/* part of it: still not the mark */
	live_none(&c);
	k_complete(&k, o, d, 90);
	live_got(&c, 4, 90);
	rb_free(&r);
}

/* The retired block contradicts what was taken live: a bad block. */
static void
t_live_retired_fewer_frames(void)
{
	struct tpk_v3_cursor c = { 0 };
	uint8_t d[80];
	struct kfill k;
	uint32_t o;
	struct rb r;

	if (!TPK_V3_LIVE || !live_ring(&r, &c, 8192, 2, 0))
		return;
	k_open(&k, &r, 0);
	make_frame(d, 80, 3);
	o = k_alloc(&k, 80);
	k_complete(&k, o, d, 80);
	live_got(&c, 3, 80);
	o = k_alloc(&k, 80);
	k_complete(&k, o, d, 80);
	live_got(&c, 3, 80);
	k_retire(&k, 0);
	rb_desc(&r, 0)->hdr.bh1.num_pkts = 1;	/* corrupt: fewer than taken */
	live_none(&c);
	CHECK_EQ(c.bad_blocks, 1);
	CHECK_EQ(c.blk, 1);
	rb_free(&r);
}

/* No live reading without a ring of real blocks (recvmmsg arena, frames). */
static void
t_live_off_without_blocks(void)
{
	struct tpk_v3_cursor c = { 0 };
	uint8_t arena[64];

	tpk_v3_reset(&c, arena, 0, 0, 10);
	CHECK(!c.live);
	tpk_v3_reset(&c, NULL, 16384, 2, 10);
	CHECK(!c.live);
}

int
main(void)
{
	TEST(t_kernel_mac_offsets);
	TEST(t_frames_in_order_vnet10);
	TEST(t_frames_in_order_vnet0);
	TEST(t_frames_in_order_vnet12);
	TEST(t_zero_pkt_block);
	TEST(t_zero_pkt_block_garbage_offset);
	TEST(t_release_and_wrap);
	TEST(t_release_mid_block);
	TEST(t_walk_ring_twice);
	TEST(t_truncated_frame_reported);
	TEST(t_vlan_tpid_valid);
	TEST(t_vlan_default_tpid);
	TEST(t_vlan_fields_ignored_without_valid);
	TEST(t_frame_to_block_end);
	TEST(t_corrupt_baseline);
	TEST(t_bad_mac_beyond_block);
	TEST(t_bad_mac_0xffff);
	TEST(t_bad_mac_zero);
	TEST(t_bad_mac_inside_frame_hdr);
	TEST(t_bad_mac_vnet_overlaps_hdr);
	TEST(t_bad_mac_last_frame);
	TEST(t_bad_snaplen_beyond_block);
	TEST(t_bad_snaplen_0xffffffff);
	TEST(t_bad_snaplen_wraps);
	TEST(t_bad_next_offset_zero);
	TEST(t_bad_next_offset_unaligned);
	TEST(t_bad_next_offset_below_hdr);
	TEST(t_bad_next_offset_to_block_end);
	TEST(t_bad_next_offset_huge);
	TEST(t_bad_next_offset_into_tail);
	TEST(t_bad_num_pkts_more_than_chained);
	TEST(t_bad_first_offset_0);
	TEST(t_bad_first_offset_47);
	TEST(t_bad_first_offset_block_size);
	TEST(t_bad_first_offset_last_byte);
	TEST(t_bad_first_offset_no_room);
	TEST(t_bad_first_offset_hdr_only);
	TEST(t_bad_first_offset_max);
	TEST(t_bad_num_pkts_max);
	TEST(t_bad_num_pkts_over_capacity);
	TEST(t_bad_open_exact);
	TEST(t_walk_bounded_by_num_pkts);
	TEST(t_bad_then_next_block_ok);
	TEST(t_regress_v3_first_offset_unaligned);
	TEST(t_regress_v3_vnet_hdr_unaligned);
	TEST(t_live_frames_before_retire);
	TEST(t_live_kernel_ahead_waits);
	TEST(t_live_stale_zeros_ignored);
	TEST(t_live_header_fields_not_a_mark);
	TEST(t_live_retired_fewer_frames);
	TEST(t_live_off_without_blocks);
	return tpk_test_done();
}
