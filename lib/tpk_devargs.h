/* SPDX-License-Identifier: BSD-3-Clause
 * Strict parser for the net_tpacket device arguments. DPDK-free so that
 * it can be unit-tested and fuzzed on its own.
 */
#ifndef TPK_DEVARGS_H
#define TPK_DEVARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <net/if.h>

#define TPK_MAX_QUEUES		64
#define TPK_BLOCKSZ_MIN		4096u
#define TPK_BLOCKSZ_MAX		(64u << 20)
#define TPK_BLOCKS_MIN		2u
#define TPK_BLOCKS_MAX		65536u
#define TPK_RING_MAX		(1ull << 31)	/* bytes per queue ring */
#define TPK_TOV_MAX		65535u		/* ms; was unsigned short before 6.18 */

enum tpk_fanout_mode {
	TPK_FANOUT_HASH = 0,
	TPK_FANOUT_LB,
	TPK_FANOUT_CPU,
	TPK_FANOUT_ROLLOVER,
	TPK_FANOUT_RND,
	TPK_FANOUT_QM,
	TPK_FANOUT_RSS,		/* eBPF + RETA, else HASH */
};

enum tpk_rx_mode {
	TPK_RX_RING = 0,	/* TPACKET_V3 ring */
	TPK_RX_RECVMMSG,	/* no ring: recvmmsg() per burst */
	TPK_RX_FRAMES,		/* TPACKET_V2 ring: each frame visible at once */
	TPK_RX_AUTO,		/* per queue: RING, or FRAMES with LRO (tpk_rx_mode_of) */
};

enum tpk_tx_mode {
	TPK_TX_SENDMMSG = 0,
	TPK_TX_RING,
};

struct tpk_devargs {
	char iface[IF_NAMESIZE];
	uint32_t queues;
	uint32_t blocksz;	/* 0: derived from the interface's GSO size */
	uint32_t blocks;	/* 0: derived from blocksz */
	uint32_t tov;		/* block retire timeout, ms */
	uint32_t fanout;	/* enum tpk_fanout_mode */
	int32_t fanout_id;	/* -1: unique id chosen by the kernel */
	uint32_t qdisc_bypass;
	uint32_t vnet_hdr;
	uint32_t rx_mode;	/* enum tpk_rx_mode */
	uint32_t tx_mode;	/* enum tpk_tx_mode */
	uint32_t txframes;	/* TX ring slots, ring mode */
	uint32_t tx_coalesce;	/* merge TCP segment runs into GSO frames */
	uint32_t reattach;	/* re-bind to a re-created interface */
	char fd_helper[108];	/* unix socket of tpacket-fdhelper, or "" */
};

/* Names in the order of RTE_PMD_REGISTER_PARAM_STRING. */
#define TPK_DEVARGS_HELP \
	"iface=<ifname> queues=<1-64> blocksz=<bytes> blocks=<int> " \
	"tov=<ms> fanout=rss|hash|lb|cpu|rollover|rnd|qm fanout_id=<0-65535> " \
	"qdisc_bypass=<0|1> vnet_hdr=<0|1> rx_mode=auto|ring|recvmmsg|frames " \
	"tx_mode=sendmmsg|ring txframes=<int> tx_coalesce=<0|1> " \
	"reattach=<0|1> fd_helper=<unix socket path>"

void tpk_devargs_defaults(struct tpk_devargs *da);

/*
 * Parse "key=value,key=value". Every key may appear once; iface is
 * required. On error returns -1 and writes one line naming the key, the
 * value and what is allowed into err.
 */
int tpk_devargs_parse(const char *args, struct tpk_devargs *da,
		      char *err, size_t errlen);

const char *tpk_fanout_name(uint32_t mode);

/*
 * The RX mode a queue gets: rx_mode=auto resolves to the V3 ring, which
 * the kernel fills on the sender's CPU and the driver reads live (x86),
 * unless the queue takes LRO: super-frames then cross whole and are
 * cheaper copied by the polling lcore (one recv() from the V2 slots'
 * socket queue) than by the sender's CPU into the ring. Without live
 * reading (not x86) auto is the V2 slots, whose frames are visible one
 * by one.
 */
enum tpk_rx_mode tpk_rx_mode_of(uint32_t rx_mode, bool lro);

#endif /* TPK_DEVARGS_H */
