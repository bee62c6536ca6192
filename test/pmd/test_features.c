/* SPDX-License-Identifier: BSD-3-Clause
 * RSS hash and RX timestamps.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf_dyn.h>
#include <rte_udp.h>

#include "tpk_pmd_test.h"
#include "test_cases.h"

static size_t
flow_frame(uint8_t *buf, const struct peer *p, int flow)
{
	const struct l4_hdr_spec hs = { .dst = p->local_mac,
		.src = p->remote_mac, .udp = true, .saddr = 0x0a450001 + flow,
		.daddr = 0x0a450101, .ip_cksum = true, .sport = 2000 + flow,
		.dport = 53, .payload = 22 };
	size_t hl = l4_hdr_make(buf, &hs);

	memset(buf + hl, 0xab, 22);
	return hl + 22;
}

int
test_rss_hash(void)
{
	enum { FLOWS = 16, PER = 4 };
	struct peer p;
	struct port_cfg cfg = { .nb_rxq = 2, .nb_txq = 1, .devargs_extra = "queues=2",
		.rx_offloads = RTE_ETH_RX_OFFLOAD_RSS_HASH };
	struct rte_mbuf *got[FLOWS * PER];
	uint32_t h[FLOWS] = { 0 };
	uint8_t f[128];
	int port = -1, n = 0, i, k, distinct = 0;

	port = peer_port_open(&p, "rss", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	for (k = 0; k < PER; k++)
		for (i = 0; i < FLOWS; i++)
			peer_send(&p, f, flow_frame(f, &p, i));
	n = port_rx_collect(port, got, FLOWS * PER, 0x0800, 2000, NULL);
	REQUIRE(n == FLOWS * PER, out, "got %d", n);
	for (i = 0; i < n; i++) {
		const struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(got[i],
			const struct rte_udp_hdr *, 34);
		int fl = ntohs(u->src_port) - 2000;

		REQUIRE(got[i]->ol_flags & RTE_MBUF_F_RX_RSS_HASH, out, "no RSS flag");
		REQUIRE(got[i]->hash.rss != 0, out, "zero hash");
		if (h[fl] == 0)
			h[fl] = got[i]->hash.rss;
		REQUIRE(h[fl] == got[i]->hash.rss, out, "flow %d hash changed", fl);
	}
	for (i = 0; i < FLOWS; i++) {
		bool dup = false;

		for (k = 0; k < i; k++)
			dup |= h[k] == h[i];
		distinct += !dup;
	}
	REQUIRE(distinct >= FLOWS - 1, out, "only %d distinct hashes for %d flows", distinct, FLOWS);
	printf("  %d flows, %d distinct non-zero hashes, stable per flow\n", FLOWS, distinct);
out:
	rte_pktmbuf_free_bulk(got, n);
	peer_port_close(&p, port);
	return 0;
}

int
test_rx_timestamp(void)
{
	struct peer p;
	struct port_cfg cfg = { .rx_offloads = RTE_ETH_RX_OFFLOAD_TIMESTAMP };
	struct rte_mbuf *got[200];
	struct timespec ts;
	uint64_t wall, prev = 0, clk;
	uint8_t f[256];
	int port = -1, n = 0, i, off;
	uint64_t flag;

	port = peer_port_open(&p, "ts", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	if (test_devargs && strstr(test_devargs, "rx_mode=recvmmsg")) {
		/*
		 * Without a ring the frames carry the kernel's arrival stamp,
		 * which the kernel switches on asynchronously (a deferred
		 * static key) when the first socket asks; until then a frame
		 * gets the time it is read. Wait until one frame comes back.
		 */
		struct rte_mbuf *w = NULL;

		usleep(20000);
		peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, 999, 100));
		REQUIRE(port_rx_collect(port, &w, 1, TEST_ETHERTYPE, 2000, NULL) == 1, out,
			"warm-up frame");
		rte_pktmbuf_free(w);
	}
	off = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, NULL);
	REQUIRE(off >= 0, out, "timestamp dynfield not registered");
	flag = 1ull << rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, NULL);
	for (i = 0; i < 200; i++) {
		peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, i, 100));
		if (i % 50 == 0)
			usleep(2000);
	}
	n = port_rx_collect(port, got, 200, TEST_ETHERTYPE, 2000, NULL);
	clock_gettime(CLOCK_REALTIME, &ts);
	wall = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	REQUIRE(n == 200, out, "got %d", n);
	for (i = 0; i < n; i++) {
		uint64_t t = *RTE_MBUF_DYNFIELD(got[i], off, rte_mbuf_timestamp_t *);

		REQUIRE(got[i]->ol_flags & flag, out, "no timestamp flag on frame %d", i);
		REQUIRE(t >= prev, out, "frame %d: timestamp went back %lu -> %lu", i, prev, t);
		REQUIRE(t <= wall && wall - t < 2000000000ull, out,
			"frame %d: %.3f ms from the wall clock", i, (double)(wall - t) / 1e6);
		prev = t;
	}
	REQUIRE(rte_eth_read_clock(port, &clk) == 0 && clk >= prev &&
		clk - prev < 2000000000ull, out, "read_clock");
	printf("  200 timestamps monotonic; the last was %.3f ms before the wall clock\n",
	       (double)(wall - prev) / 1e6);
out:
	rte_pktmbuf_free_bulk(got, n);
	peer_port_close(&p, port);
	return 0;
}

static int
send_flows_collect(struct peer *p, int port, int flows, uint16_t *flow_q)
{
	struct rte_mbuf *got[256];
	uint16_t q[256];
	uint8_t f[128];
	int n, i;

	for (i = 0; i < flows; i++)
		peer_send(p, f, flow_frame(f, p, i));
	n = port_rx_collect(port, got, flows, 0x0800, 2000, q);
	for (i = 0; i < n; i++) {
		const struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(got[i],
			const struct rte_udp_hdr *, 34);

		flow_q[ntohs(u->src_port) - 2000] = q[i];
	}
	rte_pktmbuf_free_bulk(got, n);
	return n;
}

static int
reta_all(int port, uint16_t queue)
{
	struct rte_eth_rss_reta_entry64 conf[2];
	int i;

	memset(conf, 0, sizeof(conf));
	for (i = 0; i < 128; i++) {
		conf[i / 64].mask |= 1ull << (i % 64);
		conf[i / 64].reta[i % 64] = queue;
	}
	return rte_eth_dev_rss_reta_update(port, conf, 128);
}

int
test_reta(void)
{
	enum { FLOWS = 32 };
	struct peer p;
	struct port_cfg cfg = { .nb_rxq = 4, .nb_txq = 1, .devargs_extra = "queues=4",
		.rx_offloads = RTE_ETH_RX_OFFLOAD_RSS_HASH };
	struct rte_eth_rss_reta_entry64 conf[2];
	struct rte_eth_dev_info info;
	uint16_t fq[FLOWS], fq2[FLOWS];
	int port = -1, i, used = 0, mask = 0;

	port = peer_port_open(&p, "reta", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	REQUIRE(rte_eth_dev_info_get(port, &info) == 0, out, "info");
	if (info.reta_size == 0) {
		peer_port_close(&p, port);
		return test_skip("no RETA: eBPF not permitted here");
	}
	REQUIRE(info.reta_size == 128, out, "reta_size %u", info.reta_size);
	/* Default table: flows spread, each on one queue. */
	REQUIRE(send_flows_collect(&p, port, FLOWS, fq) == FLOWS, out, "flows");
	REQUIRE(send_flows_collect(&p, port, FLOWS, fq2) == FLOWS, out, "flows again");
	for (i = 0; i < FLOWS; i++) {
		REQUIRE(fq[i] == fq2[i], out, "flow %d moved between queues %u and %u", i, fq[i], fq2[i]);
		mask |= 1 << fq[i];
	}
	for (i = 0; i < 4; i++)
		used += (mask >> i) & 1;
	REQUIRE(used >= 3, out, "default RETA used %d queues", used);
	memset(conf, 0, sizeof(conf));
	conf[0].mask = conf[1].mask = ~0ull;
	REQUIRE(rte_eth_dev_rss_reta_query(port, conf, 128) == 0, out, "query");
	for (i = 0; i < 128; i++)
		REQUIRE(conf[i / 64].reta[i % 64] == i % 4, out, "default entry %d = %u", i,
			conf[i / 64].reta[i % 64]);
	/* Every entry to queue 2: every flow moves there. */
	REQUIRE(reta_all(port, 2) == 0, out, "reta update");
	REQUIRE(send_flows_collect(&p, port, FLOWS, fq) == FLOWS, out, "flows after update");
	for (i = 0; i < FLOWS; i++)
		REQUIRE(fq[i] == 2, out, "flow %d on queue %u, RETA says 2", i, fq[i]);
	REQUIRE(reta_all(port, 1) == 0, out, "reta update 2");
	REQUIRE(send_flows_collect(&p, port, FLOWS, fq) == FLOWS, out, "flows after update 2");
	for (i = 0; i < FLOWS; i++)
		REQUIRE(fq[i] == 1, out, "flow %d on queue %u, RETA says 1", i, fq[i]);
	memset(conf, 0, sizeof(conf));
	conf[0].mask = conf[1].mask = ~0ull;
	REQUIRE(rte_eth_dev_rss_reta_query(port, conf, 128) == 0 &&
		conf[1].reta[63] == 1 && conf[0].reta[0] == 1, out, "query after update");
	/* A queue restart reorders the kernel's members: entries still hold. */
	REQUIRE(rte_eth_dev_rx_queue_stop(port, 1) == 0 &&
		rte_eth_dev_rx_queue_start(port, 1) == 0, out, "queue 1 restart");
	for (int w = 0; w < 2; w++) {
		uint16_t want = w == 0 ? 3 : 1;

		REQUIRE(reta_all(port, want) == 0, out, "reta update %u", want);
		REQUIRE(send_flows_collect(&p, port, FLOWS, fq) == FLOWS, out, "flows");
		for (i = 0; i < FLOWS; i++)
			REQUIRE(fq[i] == want, out, "after a queue restart: flow %d on queue %u, RETA says %u",
				i, fq[i], want);
	}
	/* A queue that does not exist is refused. */
	REQUIRE(reta_all(port, 9) != 0, out, "RETA to queue 9 accepted");
	printf("  default RETA spreads %d flows over %d queues; updates moved all of them\n",
	       FLOWS, used);
out:
	peer_port_close(&p, port);
	return 0;
}
