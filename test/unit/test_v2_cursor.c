/* SPDX-License-Identifier: BSD-3-Clause
 * TPACKET_V2 slot cursor (lib/tpk_v2.h, rx_mode=frames) over a heap ring
 * whose slots are written the way the kernel writes them, and a real
 * datagram socket pair standing in for the socket queue a TP_STATUS_COPY
 * frame waits on. The ring is exactly sized, so that an overread of the
 * last slot shows up under ASan.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>

#include "tpk_v2.h"
#include "tpk_check.h"
#include "tpk_test_pkt.h"

#define NB 8u
#define VNET 10u

struct ring {
	uint8_t *mem;
	struct tpk_v2_cursor c;
};

static void
ring_init(struct ring *r, uint16_t vnet_len)
{
	uint32_t fs = tpk_v2_frame_size(1518);

	r->mem = calloc(NB, fs);
	memset(&r->c, 0, sizeof(r->c));
	tpk_v2_reset(&r->c, fs, NB, vnet_len);
}

/* Slot i as the kernel fills it: MAC header at mac, snap bytes, status. */
static uint8_t *
slot_put(struct ring *r, uint32_t i, uint32_t mac, uint32_t snap, uint32_t len,
	 uint32_t status, uint32_t seed)
{
	struct tpacket2_hdr *h = tpk_v2_slot(r->mem, &r->c, i);
	uint8_t *d = (uint8_t *)h + mac;

	h->tp_mac = (uint16_t)mac;
	h->tp_snaplen = snap;
	h->tp_len = len;
	h->tp_sec = 1000 + i;
	h->tp_nsec = seed;
	if (mac + snap <= r->c.frame_size) {
		tb_fill(d, snap, seed);
		if (snap >= 14)
			tb_eth(d, 0x0800);
	}
	__atomic_store_n(&h->tp_status, status, __ATOMIC_RELEASE);
	return d;
}

static uint32_t
status_of(struct ring *r, uint32_t i)
{
	return tpk_v2_slot(r->mem, &r->c, i)->tp_status;
}

static void
t_geometry(void)
{
	uint32_t mtu[] = { 68, 1500, 1514, 4000, 9000 };
	unsigned int i;

	for (i = 0; i < sizeof(mtu) / sizeof(mtu[0]); i++) {
		uint32_t fs = tpk_v2_frame_size(mtu[i] + 22);
		uint32_t bs = tpk_v2_block_size(fs, 1 << 20);

		CHECK(fs >= mtu[i] + 22 + TPK_V2_SLOT_OVERHEAD, "fs %u", fs);
		CHECK(fs % 64 == 0 && (fs / 64) % 2 == 1, "fs %u: not 64 x odd", fs);
		CHECK(bs % 4096 == 0 && bs % fs == 0, "bs %u fs %u", bs, fs);
		CHECK(bs <= (1u << 20) || bs == fs * 64, "bs %u", bs);
	}
	/* Smaller than one unit: one unit. */
	CHECK_EQ(tpk_v2_block_size(1728, 4096), 1728u * 64);
}

static void
t_empty_then_frame(void)
{
	struct ring r;
	struct tpk_v3_frame f;
	uint8_t *d;

	ring_init(&r, 0);
	CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_END);
	d = slot_put(&r, 0, 80, 60, 60, TP_STATUS_USER | TP_STATUS_CSUM_VALID, 7);
	if (!CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_FRAME))
		goto out;
	CHECK(f.data == d && f.snaplen == 60 && f.len == 60);
	CHECK(f.status & TP_STATUS_CSUM_VALID);
	CHECK(f.sec == 1000 && f.nsec == 7 && f.vnet == NULL && f.vlan_tpid == 0);
	/* Peek again: the same frame until committed. */
	CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_FRAME);
	CHECK(f.data == d);
	tpk_v2_commit(r.mem, &r.c);
	CHECK_EQ(status_of(&r, 0), (uint32_t)TP_STATUS_KERNEL);
	CHECK_EQ(r.c.idx, 1u);
	CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_END);
out:
	free(r.mem);
}

static void
t_vlan_vnet(void)
{
	struct ring r;
	struct tpk_v3_frame f;
	struct tpacket2_hdr *h;
	uint8_t *d;

	ring_init(&r, VNET);
	h = tpk_v2_slot(r.mem, &r.c, 0);
	h->tp_vlan_tci = 100;
	h->tp_vlan_tpid = 0x88a8;
	d = slot_put(&r, 0, 90, 64, 64, TP_STATUS_USER | TP_STATUS_VLAN_VALID |
		     TP_STATUS_VLAN_TPID_VALID, 1);
	if (CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_FRAME)) {
		CHECK(f.vlan_tci == 100 && f.vlan_tpid == 0x88a8);
		CHECK((const uint8_t *)f.vnet == d - VNET);
	}
	/* VLAN valid without a TPID: 802.1Q. */
	d = slot_put(&r, 0, 90, 64, 64, TP_STATUS_USER | TP_STATUS_VLAN_VALID, 1);
	if (CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_FRAME))
		CHECK_EQ(f.vlan_tpid, 0x8100);
	free(r.mem);
}

/* Headers pointing outside the slot are refused, never followed. */
static void
t_bad_slots(void)
{
	struct ring r;
	struct tpk_v3_frame f;
	uint32_t last = NB - 1, fs;

	ring_init(&r, VNET);
	fs = r.c.frame_size;
	r.c.idx = last;
	slot_put(&r, last, fs, 10, 10, TP_STATUS_USER, 1);	/* mac at the end */
	CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_BAD);
	slot_put(&r, last, 80, fs, fs, TP_STATUS_USER, 1);	/* snap too long */
	CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_BAD);
	slot_put(&r, last, 20, 60, 60, TP_STATUS_USER, 1);	/* over the header */
	CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_BAD);
	slot_put(&r, last, 91, 60, 60, TP_STATUS_USER, 1);	/* odd vnet header */
	CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_BAD);
	CHECK_EQ(r.c.bad_frames, 4u);
	/* Commit drops it and wraps to slot 0. */
	tpk_v2_commit(r.mem, &r.c);
	CHECK_EQ(r.c.idx, 0u);
	CHECK_EQ(status_of(&r, last), (uint32_t)TP_STATUS_KERNEL);
	free(r.mem);
}

/* A frame longer than its slot: the head in the ring, the whole on the socket. */
static void
t_copy(void)
{
	static uint8_t whole[VNET + 9000], buf[VNET + 9000];
	struct ring r;
	struct tpk_v3_frame f;
	int sv[2];
	uint32_t i;

	ring_init(&r, VNET);
	if (!CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0))
		goto out;
	for (i = 0; i < sizeof(whole); i++)
		whole[i] = (uint8_t)(i * 13);
	slot_put(&r, 0, 90, r.c.frame_size - 90, 9000,
		 TP_STATUS_USER | TP_STATUS_COPY | TP_STATUS_CSUMNOTREADY, 3);
	CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_COPY);
	CHECK(f.snaplen < f.len);	/* the head alone is a truncated frame */
	/* Nothing queued yet: an error, the frame stays truncated. */
	CHECK_EQ(tpk_v2_copy(&r.c, sv[1], buf, sizeof(buf), &f), -EAGAIN);
	CHECK(f.snaplen < f.len);
	CHECK_EQ(r.c.copy_lost, 1u);
	CHECK(send(sv[0], whole, sizeof(whole), 0) == (ssize_t)sizeof(whole));
	if (CHECK_EQ(tpk_v2_copy(&r.c, sv[1], buf, sizeof(buf), &f), 0)) {
		CHECK(f.data == buf + VNET && f.snaplen == 9000 && f.len == 9000);
		CHECK((const uint8_t *)f.vnet == buf);
		CHECK(f.status & TP_STATUS_CSUMNOTREADY);	/* the slot's status */
		CHECK_MEM(buf, whole, sizeof(whole));
	}
	/* A retry (no mbuf) finds the copy again, without a second recv. */
	memset(&f, 0, sizeof(f));
	CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_COPY);
	CHECK_EQ(tpk_v2_copy(&r.c, sv[1], buf, sizeof(buf), &f), 0);
	CHECK(f.snaplen == 9000 && f.len == 9000);
	CHECK_EQ(r.c.copy_lost, 1u);	/* a second recv() would have found nothing */
	tpk_v2_commit(r.mem, &r.c);
	CHECK(!r.c.copied);
	/* A frame longer than the buffer is reported clamped (snap < len). */
	slot_put(&r, 1, 90, 100, 9000, TP_STATUS_USER | TP_STATUS_COPY, 4);
	CHECK(send(sv[0], whole, sizeof(whole), 0) == (ssize_t)sizeof(whole));
	CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_COPY);
	if (CHECK_EQ(tpk_v2_copy(&r.c, sv[1], buf, 4000, &f), 0))
		CHECK(f.snaplen == 4000 - VNET && f.len == 9000);
	close(sv[0]);
	close(sv[1]);
out:
	free(r.mem);
}

/* A held slot stays the user's until unhold; the cursor moves on. */
static void
t_hold(void)
{
	struct ring r;
	struct tpk_v3_frame f;

	ring_init(&r, 0);
	slot_put(&r, 0, 80, 60, 60, TP_STATUS_USER, 1);
	slot_put(&r, 1, 80, 60, 60, TP_STATUS_USER, 2);
	CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_FRAME);
	tpk_v2_hold(&r.c);
	CHECK(status_of(&r, 0) & TP_STATUS_USER);
	CHECK_EQ(tpk_v2_peek(r.mem, &r.c, &f), TPK_V2_FRAME);
	CHECK_EQ(f.nsec, 2u);
	tpk_v2_unhold(r.mem, &r.c);
	CHECK_EQ(status_of(&r, 0), (uint32_t)TP_STATUS_KERNEL);
	CHECK(status_of(&r, 1) & TP_STATUS_USER);
	tpk_v2_unhold(r.mem, &r.c);	/* nothing held: no-op */
	CHECK(status_of(&r, 1) & TP_STATUS_USER);
	free(r.mem);
}

/* ready() looks ahead across the end of the ring. */
static void
t_ready_wraps(void)
{
	struct ring r;

	ring_init(&r, 0);
	r.c.idx = NB - 2;
	CHECK(!tpk_v2_ready(r.mem, &r.c, 3));
	slot_put(&r, 1, 80, 60, 60, TP_STATUS_USER, 1);
	CHECK(tpk_v2_ready(r.mem, &r.c, 3));
	CHECK(!tpk_v2_ready(r.mem, &r.c, 0));
	free(r.mem);
}

int
main(void)
{
	TEST(t_geometry);
	TEST(t_empty_then_frame);
	TEST(t_vlan_vnet);
	TEST(t_bad_slots);
	TEST(t_copy);
	TEST(t_hold);
	TEST(t_ready_wraps);
	return tpk_test_done();
}
