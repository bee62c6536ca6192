/* SPDX-License-Identifier: BSD-3-Clause
 * Shared helpers of the in-process PMD tests: namespaces and veth pairs
 * made with iproute2, raw peer sockets, port setup and teardown, frame
 * builders. Assertions: test/common/tpk_check.h (CHECK goes on, REQUIRE
 * jumps to the label it names; cases end at an "out:" teardown).
 */
#ifndef TPK_PMD_TEST_H
#define TPK_PMD_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/virtio_net.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "tpk_check.h"

#define TEST_ETHERTYPE 0x88b5	/* IEEE local experimental */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5	/* linux 4.18 headers and older */
#endif
#define TEST_SKIP 77		/* what a case returns to be skipped */

extern struct rte_mempool *test_mp;
extern char test_ns[64];	/* the namespace this process runs in */
extern const char *test_devargs; /* appended to every port (--devargs) */

int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Record why the case is skipped; returns TEST_SKIP for the case. */
int test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A peer namespace with a veth pair: local end in test_ns, peer in ns. */
struct peer {
	char ns[64];
	char local[16];		/* interface the PMD attaches to */
	char remote[16];	/* its peer, in ns */
	int fd;			/* raw socket on remote, or -1 */
	int ns_fd;
	uint8_t local_mac[6], remote_mac[6];
};

int peer_create(struct peer *p, const char *tag, uint32_t mtu);
void peer_destroy(struct peer *p);
/* Run the calling thread in the peer's namespace (or back: NULL). */
int peer_enter(const struct peer *p);
void ns_leave(void);

/* Open a raw socket in the peer namespace bound to the remote end. */
int peer_raw_open(struct peer *p);
int peer_send(struct peer *p, const void *frame, size_t len);
/* Receive one frame of ethertype etype (0: any) within timeout_ms. */
int peer_recv(struct peer *p, void *buf, size_t cap, uint16_t etype,
	      int timeout_ms);
/* A send-only raw socket on the peer end (protocol 0: it receives
 * nothing). With vnet, PACKET_VNET_HDR: what it sends starts with a
 * struct virtio_net_hdr (a peer with GSO frames). Or -1. */
int peer_tx_open(const struct peer *p, bool vnet);

/* What a port is opened with; NULL or zeros: one queue each way. */
struct port_cfg {
	const char *devargs_extra;	/* appended after iface= */
	uint16_t nb_rxq, nb_txq;	/* 0: 1 */
	uint64_t rx_offloads, tx_offloads;
	struct rte_mempool *mp;		/* NULL: test_mp */
	bool lsc, rmv, rxq_intr;	/* intr_conf */
	bool rx_deferred;		/* queue 1 and up: deferred start */
	const char *ethtool_k;		/* "ethtool -K <local> ..." first */
	uint32_t mtu;			/* rxmode.mtu (0: ethdev's default) */
};

/* Probe, configure and start a port on p->local. Returns port id or -1. */
int port_open(const struct peer *p, const struct port_cfg *cfg);
void port_close(int port);

/*
 * The topology most cases use: a peer namespace with a veth pair, a raw
 * socket on the peer end (PEER_RAW), and a started port on the local end.
 * Returns the port id, or -1 with the failure recorded; either way
 * peer_port_close() undoes whatever was made.
 */
#define PEER_RAW 0x1
int peer_port_open(struct peer *p, const char *tag, uint32_t mtu,
		   unsigned int flags, const struct port_cfg *cfg);
void peer_port_close(struct peer *p, int port);

/* Poll every RX queue of port until n frames of etype came or timeout. */
int port_rx_collect(int port, struct rte_mbuf **out, int n, uint16_t etype,
		    int timeout_ms, uint16_t *queue_of);
/* Send all of bufs, retrying short bursts for up to timeout_ms. */
int port_tx_all(int port, uint16_t q, struct rte_mbuf **bufs, int n,
		int timeout_ms);

/* One extended statistic by name; 0 or -1. */
int port_xstat(int port, const char *name, uint64_t *v);

/* Frame with ethertype TEST_ETHERTYPE, seq in the first payload bytes. */
size_t frame_make(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6],
		  uint32_t seq, size_t len);
struct rte_mbuf *mbuf_from(const void *data, size_t len);

/* Ethernet + IPv4/IPv6 + TCP/UDP headers of a test frame. IPv6 frames go
 * from fd00::1 to fd00::2; TTL and hop limit are 64; TCP headers have no
 * options. Fields left zero are zero in the frame. */
struct l4_hdr_spec {
	const uint8_t *dst, *src;	/* MAC addresses */
	bool v6, udp;
	uint32_t saddr, daddr;		/* IPv4, host order */
	uint32_t flow_label;		/* IPv6 */
	uint16_t ip_id, frag_off;	/* IPv4, host order (with DF/MF) */
	bool ip_cksum;			/* fill in the IPv4 header checksum */
	uint16_t sport, dport;
	uint32_t seq, ack;		/* TCP */
	uint8_t tcp_flags;
	uint16_t win;
	uint32_t payload;		/* L4 payload bytes: the IP/UDP lengths */
};

/* Write the headers at f; returns their length (14 + L3 + L4). */
size_t l4_hdr_make(uint8_t *f, const struct l4_hdr_spec *s);
/* The full TCP/UDP checksum of a frame l4_hdr_make() began, with its
 * payload in place. */
void l4_cksum_fill(uint8_t *f, const struct l4_hdr_spec *s);
/* A GSO super-frame as a peer's PACKET_VNET_HDR socket sends it: a
 * virtio-net header (GSO type of the spec, gso_size, NEEDS_CSUM at the L4
 * checksum) and the frame with a partial (pseudo-header) L4 checksum and
 * payload byte i = i * 7. Returns the bytes to send. */
size_t gso_frame_make(uint8_t *buf, const struct l4_hdr_spec *s,
		      uint16_t gso_size);
/* Ones' complement sum of len bytes onto s, folded, not inverted. */
uint16_t sum16(const uint8_t *p, size_t len, uint32_t s);
/* Does the L4 checksum of an Ethernet IPv4/IPv6 frame verify over the L4
 * length its IP header gives (independently of the driver)? */
bool l4_csum_ok(const uint8_t *f, size_t len);

static inline uint32_t
rd_u32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

int count_fds(void);
long mapped_kb(void);
uint64_t now_ms(void);

#endif
