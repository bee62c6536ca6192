/* SPDX-License-Identifier: BSD-3-Clause
 * recvmmsg() RX (tpk_rcv.c) on a unix datagram socket pair, which has the
 * same message semantics (one datagram per message, MSG_TRUNC per
 * message) without needing root, and on hand-built control messages for
 * what only AF_PACKET sends (PACKET_AUXDATA).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "tpk_compat.h"
#include "tpk_rcv.h"
#include "tpk_check.h"

static struct tpk_rcv r;
static uint8_t *arena;
static int sv[2] = { -1, -1 };

static void
setup(uint32_t max_frame, uint16_t vnet_len)
{
	uint32_t slot = tpk_rcv_slot_size(max_frame);

	free(arena);
	/* Cache-line aligned like rte_malloc; exact size, for ASan. */
	arena = aligned_alloc(64, (size_t)slot * TPK_RCV_BATCH);
	if (!CHECK(arena != NULL))
		return;
	tpk_rcv_init(&r, arena, slot, vnet_len);
	if (sv[0] < 0)
		if (!CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) == 0))
			return;
}

static void
send_dgram(size_t len, uint8_t seed)
{
	uint8_t b[4096];

	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(seed + i);
	if (!CHECK(send(sv[1], b, len, 0) == (ssize_t)len))
		return;
}

static void
t_slot_size(void)
{
	CHECK_EQ(tpk_rcv_slot_size(1514) % 64, 0);
	CHECK(tpk_rcv_slot_size(1514) >= TPK_RCV_HEAD + 1514);
	CHECK(tpk_rcv_slot_size(65540) >= TPK_RCV_HEAD + 65540);
}

static void
t_empty(void)
{
	setup(1514, 10);
	CHECK_EQ(tpk_rcv_fill(&r, sv[0], TPK_RCV_BATCH), 0);
	CHECK_EQ(r.count, 0);
	CHECK_EQ(tpk_rcv_fill(&r, -1, 4), -EBADF);
}

static void
t_frames_in_order(void)
{
	struct tpk_v3_frame f;
	unsigned int i;

	setup(1514, 10);
	for (i = 0; i < 3; i++)
		send_dgram(10 + 60 + i * 100, (uint8_t)i);
	CHECK_EQ(tpk_rcv_fill(&r, sv[0], TPK_RCV_BATCH), 3);
	/* Not refilled while frames are left. */
	CHECK_EQ(tpk_rcv_fill(&r, sv[0], TPK_RCV_BATCH), -EBUSY);
	for (i = 0; i < 3; i++) {
		if (!CHECK_EQ(tpk_rcv_frame(&r, i, &f), TPK_RCV_OK))
			return;
		CHECK(f.data == arena + (size_t)i * r.slot_size + TPK_RCV_HEAD);
		CHECK_EQ((uintptr_t)f.data % 64, 0);
		CHECK_EQ(f.snaplen, 60 + i * 100);
		CHECK_EQ(f.len, f.snaplen);
		CHECK(f.vnet == (const void *)(f.data - 10));
		/* The first 10 bytes of the datagram are the vnet header. */
		CHECK_EQ(((const uint8_t *)f.vnet)[0], (uint8_t)i);
		CHECK_EQ(f.data[0], (uint8_t)(i + 10));
		CHECK_EQ(f.data[f.snaplen - 1], (uint8_t)(i + 10 + f.snaplen - 1));
		CHECK_EQ(f.status, 0);
		CHECK_EQ(f.vlan_tpid, 0);
		CHECK_EQ(f.rxhash, 0);
	}
	r.next = r.count;
	CHECK_EQ(tpk_rcv_fill(&r, sv[0], TPK_RCV_BATCH), 0);
}

static void
t_max_and_batch(void)
{
	unsigned int i;

	setup(64, 0);
	for (i = 0; i < TPK_RCV_BATCH + 5; i++)
		send_dgram(60, (uint8_t)i);
	CHECK_EQ(tpk_rcv_fill(&r, sv[0], 4), 4);
	r.next = r.count;
	CHECK_EQ(tpk_rcv_fill(&r, sv[0], 1000), TPK_RCV_BATCH);
	r.next = r.count;
	CHECK_EQ(tpk_rcv_fill(&r, sv[0], TPK_RCV_BATCH), 1);
	r.next = r.count;
}

static void
t_truncated_and_runt(void)
{
	struct tpk_v3_frame f;
	uint32_t cap;

	setup(100, 10);
	cap = r.slot_size - TPK_RCV_HEAD;
	send_dgram(10 + cap + 50, 1);	/* does not fit its slot */
	send_dgram(10 + cap, 2);	/* fits exactly */
	send_dgram(5, 3);		/* shorter than the vnet header */
	CHECK_EQ(tpk_rcv_fill(&r, sv[0], TPK_RCV_BATCH), 3);
	if (!CHECK_EQ(tpk_rcv_frame(&r, 0, &f), TPK_RCV_OK))
		return;
	CHECK_EQ(f.snaplen, cap);
	CHECK(f.len > f.snaplen);	/* looks clamped: counted truncated */
	if (!CHECK_EQ(tpk_rcv_frame(&r, 1, &f), TPK_RCV_OK))
		return;
	CHECK_EQ(f.snaplen, cap);
	CHECK_EQ(f.len, cap);
	CHECK_EQ(tpk_rcv_frame(&r, 2, &f), TPK_RCV_RUNT);
	r.next = r.count;
}

/* Fill control message cm (if there is room for it); false if not. */
static bool
put_cmsg(struct cmsghdr *cm, int level, int type, const void *data,
	 size_t len)
{
	if (!CHECK(cm != NULL, "no room for control message %d", type))
		return false;
	cm->cmsg_level = level;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), data, len);
	return true;
}

/* Control messages as AF_PACKET and SO_TIMESTAMPNS write them. */
static void
put_cmsgs(unsigned int i, const struct tpacket_auxdata *aux,
	  const struct timespec *ts)
{
	struct msghdr *mh = &r.msg[i].msg_hdr;
	struct cmsghdr *cm;

	mh->msg_controllen = TPK_RCV_CTL;
	cm = CMSG_FIRSTHDR(mh);
	if (!put_cmsg(cm, SOL_PACKET, PACKET_AUXDATA, aux, sizeof(*aux)))
		return;
	if (ts != NULL) {
		cm = CMSG_NXTHDR(mh, cm);
		if (!put_cmsg(cm, SOL_SOCKET, SCM_TIMESTAMPNS, ts, sizeof(*ts)))
			return;
		mh->msg_controllen = CMSG_SPACE(sizeof(*aux)) +
			CMSG_SPACE(sizeof(*ts));
	} else {
		mh->msg_controllen = CMSG_SPACE(sizeof(*aux));
	}
	mh->msg_flags = 0;
}

static void
t_auxdata(void)
{
	struct tpacket_auxdata aux;
	struct timespec ts = { .tv_sec = 1700000000, .tv_nsec = 123456789 };
	struct tpk_v3_frame f;

	if (!CHECK(TPK_RCV_CTL >= CMSG_SPACE(sizeof(aux)) +
		CMSG_SPACE(sizeof(ts))))
		return;
	setup(1514, 10);
	r.count = 3;
	r.msg[0].msg_len = r.msg[1].msg_len = r.msg[2].msg_len = 10 + 100;

	memset(&aux, 0, sizeof(aux));
	aux.tp_status = TP_STATUS_USER | TP_STATUS_CSUMNOTREADY |
		TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID;
	aux.tp_len = 100;
	aux.tp_snaplen = 100;
	aux.tp_vlan_tci = 0x2064;
	aux.tp_vlan_tpid = 0x88a8;
	put_cmsgs(0, &aux, &ts);
	if (!CHECK_EQ(tpk_rcv_frame(&r, 0, &f), TPK_RCV_OK))
		return;
	CHECK_EQ(f.status, aux.tp_status);
	CHECK_EQ(f.vlan_tci, 0x2064);
	CHECK_EQ(f.vlan_tpid, 0x88a8);
	CHECK_EQ(f.sec, 1700000000u);
	CHECK_EQ(f.nsec, 123456789u);
	CHECK_EQ(f.len, 100);

	/* A tag without its TPID is 802.1Q; the kernel's length wins. */
	aux.tp_status = TP_STATUS_USER | TP_STATUS_VLAN_VALID |
		TP_STATUS_CSUM_VALID;
	aux.tp_len = 1500;
	put_cmsgs(1, &aux, NULL);
	if (!CHECK_EQ(tpk_rcv_frame(&r, 1, &f), TPK_RCV_OK))
		return;
	CHECK_EQ(f.vlan_tpid, 0x8100);
	CHECK_EQ(f.snaplen, 100);
	CHECK_EQ(f.len, 1500);	/* clamped by a filter: counted truncated */
	CHECK_EQ(f.sec, 0);

	/* No tag. */
	aux.tp_status = TP_STATUS_USER;
	aux.tp_len = 100;
	put_cmsgs(2, &aux, NULL);
	if (!CHECK_EQ(tpk_rcv_frame(&r, 2, &f), TPK_RCV_OK))
		return;
	CHECK_EQ(f.vlan_tpid, 0);
	CHECK_EQ(f.vlan_tci, 0);
	r.count = r.next = 0;
}

int
main(void)
{
	TEST(t_slot_size);
	TEST(t_empty);
	TEST(t_frames_in_order);
	TEST(t_max_and_batch);
	TEST(t_truncated_and_runt);
	TEST(t_auxdata);
	free(arena);
	close(sv[0]);
	close(sv[1]);
	return tpk_test_done();
}
