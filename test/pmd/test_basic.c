/* SPDX-License-Identifier: BSD-3-Clause
 * Basic datapath and control-path cases.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_version.h>

#include "tpk_v3.h"
#include "rte_pmd_tpacket.h"
#include "tpk_pmd_test.h"
#include "test_cases.h"

#define N_FRAMES 300

static size_t
size_of(int i)
{
	return 60 + (size_t)(i * 97) % (1514 - 60 + 1);
}

int
test_rx_byte_exact(void)
{
	struct peer p;
	struct rte_mbuf *got[N_FRAMES];
	uint8_t f[2048];
	int port = -1, n = 0, i;

	port = peer_port_open(&p, "rx", 1500, PEER_RAW, NULL);
	REQUIRE(port >= 0, out);
	for (i = 0; i < N_FRAMES; i++) {
		size_t len = frame_make(f, p.local_mac, p.remote_mac, i, size_of(i));

		REQUIRE(peer_send(&p, f, len) == 0, out, "send %d", i);
	}
	n = port_rx_collect(port, got, N_FRAMES, TEST_ETHERTYPE, 3000, NULL);
	REQUIRE(n == N_FRAMES, out, "received %d of %d", n, N_FRAMES);
	for (i = 0; i < n; i++) {
		size_t len = frame_make(f, p.local_mac, p.remote_mac, i, size_of(i));

		REQUIRE(got[i]->pkt_len == len && got[i]->nb_segs == 1, out,
			"frame %d: len %u want %zu", i, got[i]->pkt_len, len);
		REQUIRE(memcmp(rte_pktmbuf_mtod(got[i], void *), f, len) == 0, out,
			"frame %d differs (order or content)", i);
		REQUIRE(got[i]->port == port, out, "mbuf port");
	}
out:
	rte_pktmbuf_free_bulk(got, n);
	peer_port_close(&p, port);
	return 0;
}

int
test_tx_byte_exact(void)
{
	struct peer p;
	struct rte_mbuf *m[N_FRAMES];
	struct rte_eth_stats st;
	uint8_t f[2048], r[4096];
	uint64_t bytes = 0;
	int port = -1, i, sent;

	port = peer_port_open(&p, "tx", 1500, PEER_RAW, NULL);
	REQUIRE(port >= 0, out);
	for (i = 0; i < N_FRAMES; i++) {
		size_t len = frame_make(f, p.remote_mac, p.local_mac, i, size_of(i));

		m[i] = mbuf_from(f, len);
		bytes += len;
	}
	sent = port_tx_all(port, 0, m, N_FRAMES, 3000);
	REQUIRE(sent == N_FRAMES, out, "sent %d", sent);
	for (i = 0; i < N_FRAMES; i++) {
		size_t len = frame_make(f, p.remote_mac, p.local_mac, i, size_of(i));
		int n = peer_recv(&p, r, sizeof(r), TEST_ETHERTYPE, 2000);

		REQUIRE(n == (int)len, out, "frame %d: got %d bytes, want %zu", i, n, len);
		REQUIRE(memcmp(r, f, len) == 0, out, "frame %d differs", i);
	}
	REQUIRE(rte_eth_stats_get(port, &st) == 0, out, "stats");
	REQUIRE(st.opackets == N_FRAMES && st.obytes == bytes && st.oerrors == 0, out,
		"opackets %lu obytes %lu (want %d %lu) oerrors %lu",
		st.opackets, st.obytes, N_FRAMES, bytes, st.oerrors);
out:
	peer_port_close(&p, port);
	return 0;
}

/* IPv4/UDP frame of flow f (source port), packet k. */
static size_t
udp_frame(uint8_t *buf, const struct peer *p, int f, int k, size_t payload)
{
	const struct l4_hdr_spec hs = { .dst = p->local_mac,
		.src = p->remote_mac, .udp = true, .saddr = 0x0a420001,
		.daddr = 0x0a420002, .ip_cksum = true, .sport = 10000 + f,
		.dport = 9, .payload = payload };
	size_t hl = l4_hdr_make(buf, &hs);

	memset(buf + hl, k, payload);
	l4_cksum_fill(buf, &hs);
	return hl + payload;
}

int
test_fanout_4q(void)
{
	enum { FLOWS = 64, PER = 8 };
	struct peer p;
	struct port_cfg cfg = { .devargs_extra = "queues=4", .nb_rxq = 4,
		.nb_txq = 4 };
	static struct rte_mbuf *got[FLOWS * PER];
	static uint16_t q[FLOWS * PER];
	int flow_q[FLOWS], used[4] = { 0 };
	uint8_t f[256];
	int port = -1, n = 0, i, k, nused = 0;

	port = peer_port_open(&p, "fan", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	for (k = 0; k < PER; k++)
		for (i = 0; i < FLOWS; i++)
			REQUIRE(peer_send(&p, f, udp_frame(f, &p, i, k, 32)) == 0, out,
				"send");
	n = port_rx_collect(port, got, FLOWS * PER, 0x0800, 3000, q);
	REQUIRE(n == FLOWS * PER, out, "received %d of %d", n, FLOWS * PER);
	for (i = 0; i < FLOWS; i++)
		flow_q[i] = -1;
	for (i = 0; i < n; i++) {
		const struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(got[i],
			const struct rte_udp_hdr *, 34);
		int fl = ntohs(u->src_port) - 10000;

		REQUIRE(fl >= 0 && fl < FLOWS, out, "flow id");
		if (flow_q[fl] < 0)
			flow_q[fl] = q[i];
		REQUIRE(flow_q[fl] == q[i], out, "flow %d on queues %d and %u", fl,
			flow_q[fl], q[i]);
		used[q[i]]++;
	}
	for (i = 0; i < 4; i++) {
		printf("  queue %d: %d frames\n", i, used[i]);
		nused += used[i] > 0;
	}
	REQUIRE(nused > 1, out, "only %d queue used", nused);
out:
	rte_pktmbuf_free_bulk(got, n);
	peer_port_close(&p, port);
	return 0;
}

int
test_stats(void)
{
	struct peer p;
	struct port_cfg cfg = { .nb_rxq = 2, .nb_txq = 2,
		.devargs_extra = "queues=2" };
	struct rte_mbuf *got[100], *m[50];
	struct rte_eth_stats st;
	uint8_t f[2048];
	uint64_t rbytes = 0, tbytes = 0, q[6];
	int port = -1, n = 0, i;

	port = peer_port_open(&p, "st", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	for (i = 0; i < 100; i++) {
		size_t len = frame_make(f, p.local_mac, p.remote_mac, i, 100 + i);

		rbytes += len;
		REQUIRE(peer_send(&p, f, len) == 0, out, "send");
	}
	n = port_rx_collect(port, got, 100, TEST_ETHERTYPE, 3000, NULL);
	REQUIRE(n == 100, out, "received %d", n);
	for (i = 0; i < 50; i++) {
		size_t len = frame_make(f, p.remote_mac, p.local_mac, i, 200 + i);

		m[i] = mbuf_from(f, len);
		tbytes += len;
	}
	REQUIRE(port_tx_all(port, 1, m, 50, 2000) == 50, out, "tx");
	REQUIRE(rte_eth_stats_get(port, &st) == 0, out, "stats");
	REQUIRE(st.ipackets == 100 && st.ibytes == rbytes, out, "ipackets %lu ibytes %lu want 100 %lu",
		st.ipackets, st.ibytes, rbytes);
	REQUIRE(st.opackets == 50 && st.obytes == tbytes, out, "opackets %lu obytes %lu",
		st.opackets, st.obytes);
	/* Per-queue counters: xstats on every DPDK version (25.11 has
	 * them nowhere else), and rte_eth_stats where it still has them. */
	REQUIRE(port_xstat(port, "rx_q0_packets", &q[0]) == 0 &&
		port_xstat(port, "rx_q1_packets", &q[1]) == 0 &&
		q[0] + q[1] == 100, out, "per-queue rx %lu + %lu", q[0], q[1]);
	REQUIRE(port_xstat(port, "tx_q0_packets", &q[2]) == 0 &&
		port_xstat(port, "tx_q1_packets", &q[3]) == 0 &&
		q[3] == 50 && q[2] == 0, out, "per-queue tx %lu %lu", q[2], q[3]);
	REQUIRE(port_xstat(port, "rx_q0_bytes", &q[4]) == 0 &&
		port_xstat(port, "rx_q1_bytes", &q[5]) == 0 &&
		q[4] + q[5] == rbytes, out, "per-queue rx bytes");
#if RTE_VERSION < RTE_VERSION_NUM(25, 11, 0, 0)
	REQUIRE(st.q_ipackets[0] == q[0] && st.q_ipackets[1] == q[1] &&
		st.q_opackets[1] == 50 && st.q_opackets[0] == 0, out, "per-queue stats");
#endif
	REQUIRE(st.ierrors == 0 && st.oerrors == 0 && st.imissed == 0 &&
		st.rx_nombuf == 0, out, "errors");
	REQUIRE(rte_eth_stats_reset(port) == 0, out, "reset");
	REQUIRE(rte_eth_stats_get(port, &st) == 0 && st.ipackets == 0 &&
		st.opackets == 0 && st.ibytes == 0, out, "after reset: %lu", st.ipackets);
out:
	rte_pktmbuf_free_bulk(got, n);
	peer_port_close(&p, port);
	return 0;
}

int
test_restart_leak(void)
{
	struct peer p;
	struct port_cfg cfg = { .nb_rxq = 2, .nb_txq = 2,
		.devargs_extra = "queues=2" };
	int fds0, fds1, port = -1, i, cycles = 1000;
	long kb0, kb1;
	unsigned int avail0;
	uint8_t f[256];

	/* Warm up once so lazily-allocated EAL state is not counted. */
	port = peer_port_open(&p, "rs", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	port_close(port);
	port = -1;
	fds0 = count_fds();
	kb0 = mapped_kb();
	avail0 = rte_mempool_avail_count(test_mp);

	port = port_open(&p, &cfg);
	REQUIRE(port >= 0, out, "port");
	for (i = 0; i < cycles; i++) {
		struct rte_mbuf *b[32];
		uint16_t q, k;

		if (i % 10 == 0)
			peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac,
						    i, 64));
		for (q = 0; q < 2; q++) {
			k = rte_eth_rx_burst(port, q, b, 32);
			rte_pktmbuf_free_bulk(b, k);
		}
		REQUIRE(rte_eth_dev_stop(port) == 0, out, "stop %d", i);
		REQUIRE(rte_eth_dev_start(port) == 0, out, "start %d", i);
	}
	port_close(port);
	port = -1;
	fds1 = count_fds();
	kb1 = mapped_kb();
	printf("  %d stop/start cycles: fds %d -> %d, VmSize %ld -> %ld kB\n",
	       cycles, fds0, fds1, kb0, kb1);
	REQUIRE(fds1 == fds0, out, "fd leak: %d -> %d", fds0, fds1);
	REQUIRE(kb1 == kb0, out, "mapping leak: %ld -> %ld kB", kb0, kb1);
	REQUIRE(rte_mempool_avail_count(test_mp) == avail0, out, "mbuf leak");
out:
	peer_port_close(&p, port);
	return 0;
}

/*
 * Wait up to 2 s for a link state: the kernel's linkwatch reports a
 * carrier change up to a second late when the previous one was recent
 * (the veth pair was just created).
 */
static bool
link_wait(int port, uint16_t status, struct rte_eth_link *link)
{
	uint64_t end = now_ms() + 2000;

	do {
		if (rte_eth_link_get_nowait(port, link) == 0 &&
		    link->link_status == status)
			return true;
		usleep(10000);
	} while (now_ms() < end);
	return false;
}

int
test_dev_info(void)
{
	struct peer p;
	struct port_cfg cfg = { .nb_rxq = 3, .nb_txq = 3,
		.devargs_extra = "queues=3" };
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	struct rte_eth_link link;
	char fw[64];
	int port = -1;

	port = peer_port_open(&p, "di", 1500, 0, &cfg);
	REQUIRE(port >= 0, out);
	REQUIRE(rte_eth_dev_info_get(port, &info) == 0, out, "info");
	REQUIRE(strcmp(info.driver_name, "net_tpacket") == 0, out, "driver %s",
		info.driver_name);
	REQUIRE(info.max_rx_queues == 3 && info.max_tx_queues == 3, out, "queues");
	REQUIRE(info.if_index == if_nametoindex(p.local), out, "if_index");
	REQUIRE(info.max_mtu >= 1500 && info.min_mtu == 68, out, "mtu %u..%u",
		info.min_mtu, info.max_mtu);
	REQUIRE(info.max_rx_pktlen >= 1518, out, "max_rx_pktlen %u", info.max_rx_pktlen);
	REQUIRE(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO, out, "tso");
	REQUIRE(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS, out, "multiseg");
	REQUIRE(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_SCTP_CKSUM, out, "sctp");
	REQUIRE(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_LRO, out, "lro");
	if (test_devargs && strstr(test_devargs, "rx_mode=recvmmsg")) {
		struct rte_power_monitor_cond pmc;

		/* No word to monitor; the flow hash is the driver's own. */
		REQUIRE(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH, out,
			"RSS_HASH");
		REQUIRE(rte_eth_get_monitor_addr(port, 0, &pmc) == -ENOTSUP, out,
			"monitor address without a ring");
	} else if (test_devargs && strstr(test_devargs, "rx_mode=frames")) {
		struct rte_power_monitor_cond pmc;

		/* The next slot's status is monitored; the hash is our own. */
		REQUIRE(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH, out,
			"RSS_HASH");
		REQUIRE(rte_eth_dev_start(port) == 0 &&
			rte_eth_get_monitor_addr(port, 0, &pmc) == 0 &&
			pmc.size == sizeof(uint32_t), out, "no monitor address");
	} else {
		REQUIRE(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH, out,
			"RSS_HASH");
	}
	REQUIRE(rte_eth_macaddr_get(port, &mac) == 0 &&
		memcmp(mac.addr_bytes, p.local_mac, 6) == 0, out, "port MAC is the interface MAC");
	REQUIRE(rte_eth_link_get_nowait(port, &link) == 0 &&
		link.link_status == RTE_ETH_LINK_UP, out, "link up");
	REQUIRE(link.link_speed == 10000, out, "veth speed %u", link.link_speed);
	{
		struct rte_pmd_tpacket_info ti;

		REQUIRE(rte_pmd_tpacket_get_info(port, &ti) == 0, out, "get_info");
		REQUIRE(strcmp(ti.iface, p.local) == 0 && ti.fanout_id >= 0 &&
			ti.vnet_hdr == 1 && ti.block_size >= 65536, out,
			"info: %s fanout %d vnet %u block %u", ti.iface,
			ti.fanout_id, ti.vnet_hdr, ti.block_size);
		REQUIRE(rte_pmd_tpacket_get_info(RTE_MAX_ETHPORTS - 1, &ti) == -EINVAL, out,
			"invalid port");
	}
	REQUIRE(rte_eth_dev_fw_version_get(port, fw, sizeof(fw)) == 0 &&
		strncmp(fw, "linux ", 6) == 0, out, "fw version %s", fw);
	/* A kernel-side link change is seen by link_update. */
	REQUIRE(sh("ip -n %s link set %s down", p.ns, p.remote) == 0, out, "peer down");
	REQUIRE(link_wait(port, RTE_ETH_LINK_DOWN, &link), out,
		"link down after peer down");
	REQUIRE(sh("ip -n %s link set %s up", p.ns, p.remote) == 0, out, "peer up");
	REQUIRE(link_wait(port, RTE_ETH_LINK_UP, &link), out, "link up again");
	/* mtu_set goes to the kernel and is undone on close. */
	REQUIRE(rte_eth_dev_set_mtu(port, 1400) == 0, out, "set mtu");
	REQUIRE(sh("ip link show %s | grep -q 'mtu 1400'", p.local) == 0, out, "kernel mtu 1400");
	port_close(port);
	port = -1;
	REQUIRE(sh("ip link show %s | grep -q 'mtu 1500'", p.local) == 0, out, "mtu restored");
	/* A veth is not attached with more queues than the devargs allow. */
	cfg.nb_rxq = 4;
	cfg.nb_txq = 4;
	port = port_open(&p, &cfg);
	REQUIRE(port < 0, out, "4 queues accepted with queues=3");
out:
	peer_port_close(&p, port);
	return 0;
}

int
test_rx_scatter(void)
{
	const struct port_cfg scatter = {
		.rx_offloads = RTE_ETH_RX_OFFLOAD_SCATTER };
	struct peer p;
	struct rte_mbuf *got[1] = { NULL };
	struct rte_eth_stats st;
	static uint8_t f[9100], buf[9100];
	size_t len = 8000;
	int port = -1, n;

	/* No scatter: dropped and counted, never delivered cut short. */
	port = peer_port_open(&p, "sc", 9000, PEER_RAW, NULL);
	REQUIRE(port >= 0, out);
	frame_make(f, p.local_mac, p.remote_mac, 7, len);
	REQUIRE(peer_send(&p, f, len) == 0, out, "send");
	n = port_rx_collect(port, got, 1, TEST_ETHERTYPE, 500, NULL);
	REQUIRE(n == 0, out, "oversize frame delivered without scatter");
	REQUIRE(rte_eth_stats_get(port, &st) == 0 && st.ierrors == 1, out,
		"ierrors %lu", st.ierrors);
	port_close(port);

	port = port_open(&p, &scatter);
	REQUIRE(port >= 0, out, "port scatter");
	REQUIRE(peer_send(&p, f, len) == 0, out, "send");
	n = port_rx_collect(port, got, 1, TEST_ETHERTYPE, 2000, NULL);
	REQUIRE(n == 1, out, "scattered frame not received");
	REQUIRE(got[0]->pkt_len == len && got[0]->nb_segs >= 4, out,
		"pkt_len %u nb_segs %u", got[0]->pkt_len, got[0]->nb_segs);
	REQUIRE(rte_pktmbuf_read(got[0], 0, len, buf) != NULL &&
		memcmp(rte_pktmbuf_read(got[0], 0, len, buf), f, len) == 0, out,
		"chain content differs");
out:
	rte_pktmbuf_free(got[0]);
	peer_port_close(&p, port);
	return 0;
}

int
test_rx_truncated(void)
{
	struct peer p;
	/* The V3 ring clamps; rx_mode=frames would take the frame whole. */
	struct port_cfg cfg = { .devargs_extra = "rx_mode=ring,blocksz=8192,blocks=16",
		.rx_offloads = RTE_ETH_RX_OFFLOAD_SCATTER };
	struct rte_mbuf *got[2] = { NULL, NULL };
	struct rte_eth_stats st;
	static uint8_t f[9100];
	int port = -1, n = 0;

	port = peer_port_open(&p, "tr", 9000, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	/* 8500 bytes cannot fit an 8 KiB block: the kernel clamps it. */
	REQUIRE(peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, 1, 8500)) == 0, out, "send big");
	REQUIRE(peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, 2, 100)) == 0,
		out, "send small");
	n = port_rx_collect(port, got, 2, TEST_ETHERTYPE, 1500, NULL);
	REQUIRE(n == 1, out, "got %d frames, want only the small one", n);
	REQUIRE(got[0]->pkt_len == 100, out, "len %u", got[0]->pkt_len);
	REQUIRE(rte_eth_stats_get(port, &st) == 0 && st.ierrors == 1, out,
		"truncated frame not counted: ierrors %lu", st.ierrors);
out:
	rte_pktmbuf_free_bulk(got, n);
	peer_port_close(&p, port);
	return 0;
}

int
test_rx_vlan(void)
{
	const struct port_cfg strip = {
		.rx_offloads = RTE_ETH_RX_OFFLOAD_VLAN_STRIP };
	struct peer p;
	struct rte_mbuf *got[1] = { NULL };
	uint8_t f[256], t[260];
	size_t len;
	int port = -1, n;

	/* Without VLAN_STRIP the tag the kernel took out is put back. */
	port = peer_port_open(&p, "vl", 1500, PEER_RAW, NULL);
	REQUIRE(port >= 0, out);
	len = frame_make(f, p.local_mac, p.remote_mac, 3, 100);
	memcpy(t, f, 12);
	t[12] = 0x81; t[13] = 0x00; t[14] = 0x20; t[15] = 0x64;	/* pcp 1, vid 100 */
	memcpy(t + 16, f + 12, len - 12);
	REQUIRE(peer_send(&p, t, len + 4) == 0, out, "send");
	n = port_rx_collect(port, got, 1, 0x8100, 2000, NULL);
	REQUIRE(n == 1, out, "tagged frame not received");
	REQUIRE(got[0]->pkt_len == len + 4 &&
		memcmp(rte_pktmbuf_mtod(got[0], void *), t, len + 4) == 0, out,
		"tag not re-inserted byte-exact");
	REQUIRE((got[0]->ol_flags & RTE_MBUF_F_RX_VLAN) &&
		!(got[0]->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) &&
		got[0]->vlan_tci == 0x2064, out, "flags");
	rte_pktmbuf_free(got[0]);
	got[0] = NULL;
	port_close(port);

	port = port_open(&p, &strip);
	REQUIRE(port >= 0, out, "port strip");
	REQUIRE(peer_send(&p, t, len + 4) == 0, out, "send");
	n = port_rx_collect(port, got, 1, TEST_ETHERTYPE, 2000, NULL);
	REQUIRE(n == 1, out, "stripped frame not received");
	REQUIRE(got[0]->pkt_len == len &&
		memcmp(rte_pktmbuf_mtod(got[0], void *), f, len) == 0, out, "content");
	REQUIRE((got[0]->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) &&
		got[0]->vlan_tci == 0x2064, out, "strip flags / tci %x", got[0]->vlan_tci);
out:
	rte_pktmbuf_free(got[0]);
	peer_port_close(&p, port);
	return 0;
}

int
test_rx_nombuf(void)
{
	struct peer p;
	struct rte_mempool *small = rte_pktmbuf_pool_create("nombuf", 63, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	struct port_cfg cfg = { .mp = small };
	struct rte_mbuf *held[64], *got[100];
	struct rte_eth_stats st;
	uint8_t f[256];
	int port = -1, nheld = 0, n = 0, i;

	if (small == NULL)
		return 1;
	port = peer_port_open(&p, "nm", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	/* Take every mbuf: RX must keep frames in the ring, not lose them. */
	while (nheld < 64 && (held[nheld] = rte_pktmbuf_alloc(small)) != NULL)
		nheld++;
	for (i = 0; i < 40; i++)
		REQUIRE(peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, i, 80)) == 0, out, "send");
	usleep(20000);
	for (i = 0; i < 10; i++)
		REQUIRE(rte_eth_rx_burst(port, 0, got, 32) == 0, out, "rx without mbufs");
	REQUIRE(rte_eth_stats_get(port, &st) == 0 && st.rx_nombuf > 0, out,
		"rx_nombuf %lu", st.rx_nombuf);
	rte_pktmbuf_free_bulk(held, nheld);
	nheld = 0;
	n = port_rx_collect(port, got, 40, TEST_ETHERTYPE, 2000, NULL);
	REQUIRE(n == 40, out, "after mbufs came back: %d of 40", n);
	for (i = 0; i < n; i++)
		REQUIRE(rd_u32(rte_pktmbuf_mtod_offset(got[i], uint8_t *, 14)) == (uint32_t)i, out,
			"order after recovery");
out:
	rte_pktmbuf_free_bulk(held, nheld);
	rte_pktmbuf_free_bulk(got, n);
	peer_port_close(&p, port);
	rte_mempool_free(small);
	return 0;
}

static int
promisc_count(const char *ifname)
{
	/* /sys promiscuity counter: the kernel's refcount of promisc users. */
	char cmd[128];
	FILE *f;
	int v = -1;

	snprintf(cmd, sizeof(cmd), "ip -d link show %s", ifname);
	f = popen(cmd, "r");
	if (f == NULL)
		return -1;
	while (fgets(cmd, sizeof(cmd), f))
		if (strstr(cmd, "promiscuity "))
			sscanf(strstr(cmd, "promiscuity "), "promiscuity %d", &v);
	pclose(f);
	return v;
}

int
test_promisc(void)
{
	struct peer p;
	int port = -1, base;

	if (peer_create(&p, "pm", 1500) < 0)
		return 1;
	base = promisc_count(p.local);
	port = port_open(&p, NULL);
	REQUIRE(port >= 0, out, "port");
	REQUIRE(rte_eth_promiscuous_enable(port) == 0, out, "enable");
	REQUIRE(promisc_count(p.local) == base + 1, out, "promiscuity %d", promisc_count(p.local));
	REQUIRE(rte_eth_allmulticast_enable(port) == 0, out, "allmulti");
	REQUIRE(rte_eth_promiscuous_disable(port) == 0, out, "disable");
	REQUIRE(promisc_count(p.local) == base, out, "promiscuity after disable");
	REQUIRE(rte_eth_promiscuous_enable(port) == 0, out, "enable again");
	port_close(port);
	port = -1;
	/* Closing the port drops the membership with its socket. */
	REQUIRE(promisc_count(p.local) == base, out, "promiscuity left on after close");
	REQUIRE(sh("ip link show %s | grep -q ALLMULTI", p.local) != 0, out, "allmulti left on");
out:
	peer_port_close(&p, port);
	return 0;
}

int
test_bad_devargs(void)
{
	static const char *const bad[] = {
		"iface=nonexistent0", "iface=lo,queues=0", "iface=lo,queues=65",
		"iface=lo,foo=1", "iface=lo,blocksz=5000", "iface=lo,fanout=bogus",
		"queues=2", "iface=lo,tov=70000", "iface=lo,iface=lo",
		"iface=lo,blocksz=67108864,blocks=65536",
	};
	unsigned int i, before = rte_eth_dev_count_avail();
	int fds = count_fds();

	for (i = 0; i < RTE_DIM(bad); i++) {
		char name[32];

		snprintf(name, sizeof(name), "net_tpacket_bad%u", i);
		REQUIRE(rte_vdev_init(name, bad[i]) != 0, out, "accepted: %s", bad[i]);
	}
	REQUIRE(rte_eth_dev_count_avail() == before, out, "port left behind");
	REQUIRE(count_fds() == fds, out, "fd leaked by failed probes");
out:
	return 0;
}

int
test_xstats(void)
{
	struct peer p;
	/* The block counters are the V3 ring's. */
	struct port_cfg cfg = { .devargs_extra = "rx_mode=ring,blocksz=65536,blocks=2,tov=20" };
	struct rte_eth_stats st;
	struct rte_mbuf *got[32], *bad;
	uint64_t drops = 0, freezes = 0, tmo = 0, full = 0, mal = 0, live = 0, v;
	uint8_t f[1100];
	int port = -1, i, n, total = 0;

	port = peer_port_open(&p, "xs", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	/*
	 * A trickle: each frame's block is retired by the timer (25 ms
	 * apart, tov 20). On x86 the frames come out before that, taken
	 * from the block the kernel is still filling.
	 */
	for (i = 0; i < 5; i++) {
		REQUIRE(peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, i, 64)) == 0, out, "send");
		n = port_rx_collect(port, got, 1, TEST_ETHERTYPE, 500, NULL);
		REQUIRE(n == 1, out, "trickle frame %d", i);
		rte_pktmbuf_free(got[0]);
		usleep(25000);
		REQUIRE(rte_eth_rx_burst(port, 0, got, 32) == 0, out, "trickle: extra frame");
	}
	REQUIRE(port_xstat(port, "rx_q0_blocks_timeout", &tmo) == 0 && tmo >= 5, out,
		"blocks_timeout %lu", tmo);
	REQUIRE(port_xstat(port, "rx_q0_blocks_live_frames", &live) == 0, out,
		"no rx_q0_blocks_live_frames");
	REQUIRE(live == (TPK_V3_LIVE ? 5 : 0), out,
		"blocks_live_frames %lu of 5 sparse frames (live reading %s)", live,
		TPK_V3_LIVE ? "on" : "off");
	/* Stop polling: a 2-block ring freezes and the kernel drops. */
	for (i = 0; i < 1000; i++)
		peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, i, 1000));
	REQUIRE(rte_eth_stats_get(port, &st) == 0 && st.imissed > 0, out,
		"imissed %lu", st.imissed);
	REQUIRE(port_xstat(port, "rx_kernel_drops", &drops) == 0 && drops == st.imissed, out,
		"rx_kernel_drops %lu vs imissed %lu", drops, st.imissed);
	REQUIRE(port_xstat(port, "rx_q0_ring_freezes", &freezes) == 0 && freezes > 0, out,
		"ring_freezes %lu", freezes);
	/* PACKET_STATISTICS clears on read: the totals must not. */
	REQUIRE(port_xstat(port, "rx_kernel_drops", &v) == 0 && v == drops, out,
		"drops went from %lu to %lu on a second read", drops, v);
	while ((n = rte_eth_rx_burst(port, 0, got, 32)) > 0) {
		total += n;
		rte_pktmbuf_free_bulk(got, n);
	}
	REQUIRE(port_xstat(port, "rx_q0_blocks_full", &full) == 0 && full >= 1, out,
		"blocks_full %lu", full);
	printf("  drained %d frames; imissed %lu, freezes %lu, blocks full %lu, timeout %lu, live %lu\n",
	       total, st.imissed, freezes, full, tmo, live);
	/* And the port recovers. */
	for (i = 0; i < 10; i++)
		peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, 5000 + i, 100));
	n = port_rx_collect(port, got, 10, TEST_ETHERTYPE, 2000, NULL);
	rte_pktmbuf_free_bulk(got, n);
	REQUIRE(n == 10, out, "after the freeze: %d of 10", n);
	/* A malformed TX request is counted where it was refused. */
	bad = mbuf_from(f, 64);
	bad->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG;
	bad->tso_segsz = 0;
	REQUIRE(rte_eth_tx_burst(port, 0, &bad, 1) == 1, out, "tx bad");
	REQUIRE(port_xstat(port, "tx_q0_malformed_errors", &mal) == 0 && mal == 1, out,
		"malformed %lu", mal);
	REQUIRE(rte_eth_xstats_reset(port) == 0 &&
		port_xstat(port, "rx_kernel_drops", &v) == 0 && v == 0 &&
		port_xstat(port, "tx_malformed_errors", &v) == 0 && v == 0, out, "reset");
out:
	peer_port_close(&p, port);
	return 0;
}
