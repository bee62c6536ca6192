/* SPDX-License-Identifier: BSD-3-Clause
 * Shared helpers of the in-process PMD tests: namespaces and veth pairs
 * made with iproute2, raw peer sockets, port setup, frame builders.
 */
#ifndef TPK_PMD_TEST_H
#define TPK_PMD_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define TEST_ETHERTYPE 0x88b5	/* IEEE local experimental */

extern struct rte_mempool *test_mp;
extern char test_ns[64];	/* the namespace this process runs in */
extern const char *test_devargs; /* appended to every port (--devargs) */
extern int test_failed;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		printf("  check failed at %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		printf(__VA_ARGS__); \
		printf("\n"); \
		test_failed = 1; \
		goto out; \
	} \
} while (0)

int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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

struct port_cfg {
	const char *devargs_extra;	/* appended after iface= */
	uint16_t nb_rxq, nb_txq;
	uint64_t rx_offloads, tx_offloads;
	struct rte_mempool *mp;		/* NULL: test_mp */
	bool lsc, rmv, rxq_intr;	/* intr_conf */
	bool rx_deferred;		/* queue 1 and up: deferred start */
};

/* Probe, configure and start a port on p->local. Returns port id or -1. */
int port_open(const struct peer *p, const struct port_cfg *cfg);
void port_close(int port);

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
