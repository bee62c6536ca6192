/* SPDX-License-Identifier: BSD-3-Clause
 * AF_PACKET sockets and their mmap rings, in the order the kernel needs:
 * version, vnet header and loss options before the ring, the ring before
 * bind, bind before joining a fanout group. DPDK-free.
 */
#ifndef TPK_SOCK_H
#define TPK_SOCK_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct tpk_ring {
	int fd;
	uint8_t *map;		/* NULL when the socket has no ring */
	size_t map_len;
	uint32_t block_size;
	uint32_t nb_blocks;
	uint32_t rx_frame_size;	/* V2 RX ring slot size, 0: V3 blocks */
	uint32_t rx_frames;
	uint32_t frame_size;	/* TX ring slot size */
	uint32_t nb_frames;
};

struct tpk_sock_cfg {
	int ifindex;
	uint16_t vnet_len;	/* 0 or 10 */
	int numa_node;		/* ring memory node, -1 for any */
	/* RX ring (block_size == 0: no RX ring, TX-only socket) */
	uint32_t block_size;
	uint32_t nb_blocks;
	uint32_t tov_ms;
	/* Non-zero: a TPACKET_V2 ring of such slots instead (rx_mode=frames),
	 * longer frames also queued whole on the socket (PACKET_COPY_THRESH). */
	uint32_t rx_frame_size;
	bool rxhash;		/* ask for tp_rxhash */
	bool ignore_outgoing;	/* PACKET_IGNORE_OUTGOING on this socket */
	bool hw_timestamp;	/* ask for raw hardware RX timestamps */
	/* RX without a ring (recvmmsg): bound to ETH_P_ALL all the same */
	bool rx;
	bool auxdata;		/* PACKET_AUXDATA: status and VLAN per frame */
	bool sw_timestamp;	/* SO_TIMESTAMPNS on every frame */
	int rcvbuf;		/* SO_RCVBUFFORCE, 0: leave */
	/* TX */
	bool qdisc_bypass;
	uint32_t tx_frame_size;	/* TX ring slot, 0: no TX ring */
	uint32_t tx_frames;
	int sndbuf;		/* SO_SNDBUFFORCE, 0: leave */
	bool adopt;		/* use fd instead of opening a socket */
	int fd;			/* an unconfigured AF_PACKET socket */
};

/*
 * Open a socket as described by cfg. RX sockets are bound to ETH_P_ALL,
 * TX-only sockets to protocol 0 so that the kernel installs no receive
 * hook for them. Returns 0 or -errno with a reason in err.
 */
int tpk_sock_open(const struct tpk_sock_cfg *cfg, struct tpk_ring *r,
		  char *err, size_t errlen);
void tpk_sock_close(struct tpk_ring *r);

/*
 * Join fanout group *id (mode | flags). With *id < 0 the kernel picks an
 * unused id (PACKET_FANOUT_FLAG_UNIQUEID), returned in *id.
 */
int tpk_fanout_join(int fd, int *id, uint16_t mode, uint16_t flags);

/* PACKET_STATISTICS, which the kernel clears on every read. */
int tpk_sock_stats(int fd, uint64_t *packets, uint64_t *drops,
		   uint64_t *freezes);

/* PACKET_ADD/DROP_MEMBERSHIP of type PACKET_MR_* for ifindex. */
int tpk_sock_membership(int fd, int ifindex, int type, bool add);

#endif /* TPK_SOCK_H */
