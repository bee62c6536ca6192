/* SPDX-License-Identifier: BSD-3-Clause
 * RX without a ring (rx_mode=recvmmsg): one recvmmsg() per burst into a
 * per-queue arena of slots, each frame then described like a ring frame
 * (struct tpk_v3_frame), so that the same conversion to mbufs serves both
 * modes. A frame is visible as soon as the kernel queued it: no block
 * retire timer, at the cost of a system call per burst. DPDK-free.
 */
#ifndef TPK_RCV_H
#define TPK_RCV_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "tpk_v3.h"

/* Messages per recvmmsg() call. */
#define TPK_RCV_BATCH 32
/* Frames start this far into their slot (cache-line aligned). */
#define TPK_RCV_HEAD 64
/* Control buffer per message: PACKET_AUXDATA and SCM_TIMESTAMPNS. */
#define TPK_RCV_CTL 96

struct tpk_rcv {
	uint8_t *arena;		/* TPK_RCV_BATCH slots of slot_size bytes */
	uint32_t slot_size;
	uint16_t vnet_len;
	uint16_t count;		/* messages the last call returned */
	uint16_t next;		/* next of them to convert */
	struct mmsghdr msg[TPK_RCV_BATCH];
	struct iovec iov[TPK_RCV_BATCH];
	uint8_t ctl[TPK_RCV_BATCH][TPK_RCV_CTL] __attribute__((aligned(8)));
};

/* Bytes of arena needed for frames of up to max_frame bytes. */
uint32_t tpk_rcv_slot_size(uint32_t max_frame);

/* Point r at arena (TPK_RCV_BATCH * slot_size bytes); nothing pending. */
void tpk_rcv_init(struct tpk_rcv *r, uint8_t *arena, uint32_t slot_size,
		  uint16_t vnet_len);

/*
 * Receive up to max (<= TPK_RCV_BATCH) frames without blocking; only
 * when the previous ones are all converted. Returns how many, 0 when
 * none is queued, or -errno.
 */
int tpk_rcv_fill(struct tpk_rcv *r, int fd, unsigned int max);

enum tpk_rcv_rc {
	TPK_RCV_OK = 0,
	TPK_RCV_RUNT = -1,	/* shorter than the vnet header: drop */
};

/*
 * Describe message i as a frame: data, lengths (a frame that did not fit
 * its slot has snaplen < len, like a clamped ring frame), checksum and
 * VLAN status from PACKET_AUXDATA, the time from SCM_TIMESTAMPNS, the
 * vnet header. rxhash is 0: the kernel does not report it here.
 */
enum tpk_rcv_rc tpk_rcv_frame(const struct tpk_rcv *r, unsigned int i,
			      struct tpk_v3_frame *f);

#endif /* TPK_RCV_H */
