/* SPDX-License-Identifier: BSD-3-Clause
 * Faults over real veths: link flaps and MTU changes under traffic, a full
 * TX socket, two ports on one interface, hot-plug cycles, no CAP_NET_RAW.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <linux/capability.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "tpk_fdpass.h"
#include "tpk_pmd_test.h"
#include "test_cases.h"

struct pump {
	struct peer *p;
	volatile int stop;
	uint64_t sent;
	size_t len;
	pthread_t th;
	bool running;
};

/* Peer-side sender running until told to stop. */
static void *
pump_thread(void *arg)
{
	struct pump *pu = arg;
	uint8_t f[9100];

	while (!pu->stop) {
		frame_make(f, pu->p->local_mac, pu->p->remote_mac, pu->sent,
			   pu->len);
		if (send(pu->p->fd, f, pu->len, MSG_DONTWAIT) == (ssize_t)pu->len)
			pu->sent++;
		if ((pu->sent & 63) == 0)
			usleep(500);
	}
	return NULL;
}

/* Start pu's sender on p's raw socket. */
static int
pump_start(struct pump *pu, struct peer *p)
{
	pu->p = p;
	pu->stop = 0;
	pu->running = pthread_create(&pu->th, NULL, pump_thread, pu) == 0;
	return pu->running ? 0 : -1;
}

/* Stop it, if it runs (teardown calls it whatever happened). */
static void
pump_stop(struct pump *pu)
{
	if (!pu->running)
		return;
	pu->stop = 1;
	pthread_join(pu->th, NULL);
	pu->running = false;
}

/* Poll RX and send a few frames for ms; returns frames received. */
static uint64_t
churn(int port, struct peer *p, int ms)
{
	uint64_t end = now_ms() + ms, got = 0;
	uint8_t f[256];

	while (now_ms() < end) {
		struct rte_mbuf *b[32];
		uint16_t n = rte_eth_rx_burst(port, 0, b, 32), k;

		got += n;
		rte_pktmbuf_free_bulk(b, n);
		for (k = 0; k < 4; k++)
			b[k] = mbuf_from(f, frame_make(f, p->remote_mac,
						       p->local_mac, k, 64));
		n = rte_eth_tx_burst(port, 0, b, 4);
		rte_pktmbuf_free_bulk(b + n, 4 - n);
	}
	return got;
}

int
test_link_flap(void)
{
	struct peer p;
	struct pump pu = { .len = 200 };
	int port = -1, i;

	port = peer_port_open(&p, "flap", 1500, PEER_RAW, NULL);
	REQUIRE(port >= 0, out);
	REQUIRE(pump_start(&pu, &p) == 0, out, "pump thread");
	for (i = 0; i < 5; i++) {
		REQUIRE(churn(port, &p, 150) > 0, out, "no traffic before flap %d", i);
		sh("ip link set %s down", p.local);
		churn(port, &p, 100);
		sh("ip link set %s up", p.local);
		/* Traffic must resume by itself, without a port restart. */
		REQUIRE(churn(port, &p, 400) > 0, out, "traffic did not resume after flap %d", i);
	}
	printf("  5 local link flaps under traffic, traffic resumed after each\n");
out:
	pump_stop(&pu);
	peer_port_close(&p, port);
	return 0;
}

int
test_mtu_change(void)
{
	struct peer p;
	struct port_cfg cfg = { .rx_offloads = RTE_ETH_RX_OFFLOAD_SCATTER };
	struct pump pu = { .len = 200 };
	struct rte_mbuf *m, *got[4];
	struct rte_eth_stats st;
	static uint8_t f[9100];
	uint16_t mtu;
	int port = -1, n = 0;

	port = peer_port_open(&p, "mtu", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	REQUIRE(pump_start(&pu, &p) == 0, out, "pump thread");
	churn(port, &p, 100);
	sh("ip link set %s mtu 9000 && ip -n %s link set %s mtu 9000", p.local, p.ns, p.remote);
	churn(port, &p, 200);
	pump_stop(&pu);
	churn(port, &p, 50);
	/* Empty the peer's receive queue that churn() filled. */
	{
		uint8_t r[256];

		while (peer_recv(&p, r, sizeof(r), 0, 50) >= 0)
			;
	}
	/* The port follows the kernel's MTU: 8000-byte frames now pass. */
	REQUIRE(rte_eth_dev_get_mtu(port, &mtu) == 0 && mtu == 9000, out, "port MTU %u", mtu);
	m = mbuf_from(f, 1000);
	{
		/* An 8000-byte frame as a 4-segment chain. */
		frame_make(f, p.remote_mac, p.local_mac, 77, 8000);
		rte_pktmbuf_free(m);
		m = mbuf_from(f, 2000);
		for (int s = 1; s < 4; s++)
			rte_pktmbuf_chain(m, mbuf_from(f + s * 2000, 2000));
	}
	REQUIRE(rte_eth_tx_burst(port, 0, &m, 1) == 1, out, "tx 8000");
	REQUIRE(rte_eth_stats_get(port, &st) == 0 && st.oerrors == 0, out,
		"8000-byte frame refused: oerrors %lu", st.oerrors);
	{
		uint8_t r[9100];
		int len;

		/* Skip the small frames churn() left in flight. */
		do
			len = peer_recv(&p, r, sizeof(r), TEST_ETHERTYPE, 1000);
		while (len > 0 && len != 8000);
		REQUIRE(len == 8000 && memcmp(r, f, 8000) == 0, out, "8000-byte frame: %d", len);
	}
	REQUIRE(peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, 78, 8000)) == 0,
		out, "send 8000");
	n = port_rx_collect(port, got, 1, TEST_ETHERTYPE, 1000, NULL);
	REQUIRE(n == 1 && got[0]->pkt_len == 8000, out, "8000-byte frame not received");
	/* Back to 1500: an oversize frame is refused, the queue goes on. */
	sh("ip link set %s mtu 1500 && ip -n %s link set %s mtu 1500", p.local, p.ns, p.remote);
	usleep(100000);
	rte_eth_stats_reset(port);
	m = mbuf_from(f, 2000);
	REQUIRE(rte_eth_tx_burst(port, 0, &m, 1) == 1, out, "tx oversize consumed");
	m = mbuf_from(f, frame_make(f, p.remote_mac, p.local_mac, 79, 100));
	REQUIRE(rte_eth_tx_burst(port, 0, &m, 1) == 1, out, "tx after oversize");
	REQUIRE(rte_eth_stats_get(port, &st) == 0 && st.oerrors == 1 && st.opackets == 1, out,
		"oerrors %lu opackets %lu", st.oerrors, st.opackets);
out:
	pump_stop(&pu);
	rte_pktmbuf_free_bulk(got, n);
	peer_port_close(&p, port);
	return 0;
}

int
test_tx_full(void)
{
	struct peer p;
	struct rte_mbuf *b[32];
	struct rte_eth_stats st;
	uint8_t f[1600];
	uint64_t offered = 0, taken = 0, t0, worst = 0;
	int port = -1, shorts = 0, i;

	if (peer_create(&p, "full", 1500) < 0)
		return 1;
	/* A slow qdisc holds frames, so the socket's send buffer fills up. */
	REQUIRE(sh("tc qdisc add dev %s root tbf rate 1mbit burst 16k limit 100m", p.local) == 0,
		out, "tbf");
	port = port_open(&p, NULL);
	REQUIRE(port >= 0, out, "port");
	for (i = 0; i < 3000 && shorts < 50; i++) {
		uint16_t k, n;

		for (k = 0; k < 32; k++)
			b[k] = mbuf_from(f, frame_make(f, p.remote_mac, p.local_mac, i, 1500));
		t0 = now_ms();
		n = rte_eth_tx_burst(port, 0, b, 32);
		if (now_ms() - t0 > worst)
			worst = now_ms() - t0;
		offered += 32;
		taken += n;
		if (n < 32)
			shorts++;
		/* What the PMD did not take is still ours. */
		rte_pktmbuf_free_bulk(b + n, 32 - n);
	}
	REQUIRE(shorts > 0, out, "socket never filled (%lu frames taken)", taken);
	REQUIRE(worst < 50, out, "a burst on a full socket took %lu ms", worst);
	REQUIRE(rte_eth_stats_get(port, &st) == 0 && st.opackets == taken &&
		st.oerrors == 0, out, "opackets %lu vs taken %lu, oerrors %lu",
		st.opackets, taken, st.oerrors);
	printf("  %lu offered, %lu taken, %d short bursts, slowest burst %lu ms, nothing dropped\n",
	       offered, taken, shorts, worst);
out:
	peer_port_close(&p, port);
	return 0;
}

int
test_two_ports_one_iface(void)
{
	struct peer p;
	struct port_cfg cfg = { .nb_rxq = 2, .nb_txq = 1, .devargs_extra = "queues=2" };
	struct rte_mbuf *g1[64], *g2[64];
	uint8_t f[256];
	int p1 = -1, p2 = -1, n1 = 0, n2 = 0, i;

	p1 = peer_port_open(&p, "two", 1500, PEER_RAW, &cfg);
	p2 = port_open(&p, &cfg);
	REQUIRE(p1 >= 0 && p2 >= 0, out, "ports");
	for (i = 0; i < 64; i++)
		peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, i, 80));
	/* Each port is a tap of its own: both see every frame. */
	n1 = port_rx_collect(p1, g1, 64, TEST_ETHERTYPE, 2000, NULL);
	n2 = port_rx_collect(p2, g2, 64, TEST_ETHERTYPE, 2000, NULL);
	REQUIRE(n1 == 64 && n2 == 64, out, "port 1 got %d, port 2 got %d of 64", n1, n2);
out:
	rte_pktmbuf_free_bulk(g1, n1);
	rte_pktmbuf_free_bulk(g2, n2);
	port_close(p2);
	peer_port_close(&p, p1);
	return 0;
}

int
test_hotplug_cycles(void)
{
	struct peer p;
	struct port_cfg cfg = { .nb_rxq = 2, .nb_txq = 2, .devargs_extra = "queues=2" };
	unsigned int avail0;
	long kb0, kb1;
	int fds0, fds1, i, port;
	uint8_t f[256];

	port = peer_port_open(&p, "hp", 1500, PEER_RAW, &cfg);	/* warm-up */
	REQUIRE(port >= 0, out);
	port_close(port);
	port = -1;
	fds0 = count_fds();
	kb0 = mapped_kb();
	avail0 = rte_mempool_avail_count(test_mp);
	for (i = 0; i < 100; i++) {
		struct rte_mbuf *b[32];
		int n;

		port = port_open(&p, &cfg);
		REQUIRE(port >= 0, out, "probe %d", i);
		peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, i, 64));
		n = port_rx_collect(port, b, 1, TEST_ETHERTYPE, 500, NULL);
		rte_pktmbuf_free_bulk(b, n);
		REQUIRE(n == 1, out, "cycle %d: no traffic", i);
		port_close(port);	/* stop, close, rte_vdev_uninit */
		port = -1;
	}
	fds1 = count_fds();
	kb1 = mapped_kb();
	printf("  100 probe/remove cycles: fds %d -> %d, VmSize %ld -> %ld kB\n",
	       fds0, fds1, kb0, kb1);
	REQUIRE(fds1 == fds0 && kb1 == kb0, out, "leak");
	REQUIRE(rte_mempool_avail_count(test_mp) == avail0, out, "mbuf leak");
out:
	peer_port_close(&p, port);
	return 0;
}

/* Drop CAP_NET_RAW from the effective set only (permitted keeps it). */
static int
cap_net_raw(bool on)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	if (on)
		d[0].effective |= 1u << CAP_NET_RAW;
	else
		d[0].effective &= ~(1u << CAP_NET_RAW);
	return (int)syscall(SYS_capset, &h, d);
}

int
test_no_cap_net_raw(void)
{
	struct peer p;
	int fds, before = rte_eth_dev_count_avail(), rc;
	char args[64];

	if (peer_create(&p, "cap", 1500) < 0)
		return 1;
	fds = count_fds();
	REQUIRE(cap_net_raw(false) == 0, out, "capset");
	snprintf(args, sizeof(args), "iface=%s", p.local);
	rc = rte_vdev_init("net_tpacket_nocap", args);
	cap_net_raw(true);
	REQUIRE(rc != 0, out, "probe succeeded without CAP_NET_RAW");
	REQUIRE(rte_eth_dev_count_avail() == before && count_fds() == fds, out,
		"failed probe left a port or an fd");
out:
	cap_net_raw(true);
	peer_destroy(&p);
	return 0;
}

int
test_adopt_check(void)
{
	struct peer p;
	char err[256];
	int udp = -1, pk = -1, v3 = -1, ok = -1, v = TPACKET_V3;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };

	if (peer_create(&p, "adopt", 1500) < 0)
		return 1;
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	pk = socket(AF_PACKET, SOCK_RAW, 0);
	v3 = socket(AF_PACKET, SOCK_RAW, 0);
	ok = socket(AF_PACKET, SOCK_RAW, 0);
	REQUIRE(tpk_sock_adopt_check(udp, if_nametoindex(p.local), err, sizeof(err)) == -EBADF, out,
		"UDP socket accepted");
	printf("  %s\n", err);
	sll.sll_ifindex = if_nametoindex("lo");
	REQUIRE(bind(pk, (struct sockaddr *)&sll, sizeof(sll)) == 0, out, "bind lo");
	REQUIRE(tpk_sock_adopt_check(pk, if_nametoindex(p.local), err, sizeof(err)) == -EINVAL, out,
		"socket bound to lo accepted");
	printf("  %s\n", err);
	REQUIRE(setsockopt(v3, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) == 0, out, "V3");
	REQUIRE(tpk_sock_adopt_check(v3, if_nametoindex(p.local), err, sizeof(err)) == -EBUSY, out,
		"configured socket accepted");
	printf("  %s\n", err);
	sll.sll_ifindex = if_nametoindex(p.local);
	REQUIRE(bind(ok, (struct sockaddr *)&sll, sizeof(sll)) == 0, out, "bind");
	REQUIRE(tpk_sock_adopt_check(ok, sll.sll_ifindex, err, sizeof(err)) == 0, out,
		"good socket refused: %s", err);
out:
	close(udp);
	close(pk);
	close(v3);
	close(ok);
	peer_destroy(&p);
	return 0;
}
