/* SPDX-License-Identifier: BSD-3-Clause
 * What the applications people run expect of a port (issue 14): honest
 * packet types, the MTU and the queue counts of rte_eth_dev_configure,
 * counters that outlive a reconfiguration, a port that re-attaches to a
 * re-created interface, one interrupt vector per RX queue, the SCTP
 * checksum, sane limits on an interface without a maximum MTU.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <rte_ethdev.h>
#include <rte_epoll.h>
#include <rte_interrupts.h>
#include <rte_bus_vdev.h>

#include "tpk_pmd_test.h"
#include "test_cases.h"

/* The interface's MTU as the kernel has it (this netns: test_ns). */
static int
kernel_mtu(const char *ifname)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), mtu = -1;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		mtu = ifr.ifr_mtu;
	if (fd >= 0)
		close(fd);
	return mtu;
}

/* An mbuf chain holding len bytes of data (mbuf_from takes one segment). */
static struct rte_mbuf *
chain_from(const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *head = NULL;

	while (len) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(test_mp);
		uint32_t n;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		n = RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, n), data, n);
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
		data += n;
		len -= n;
	}
	return head;
}

/* A UDP or TCP frame from the peer to the port, in f; returns its length. */
static size_t
peer_l4_frame(const struct peer *p, uint8_t *f, bool v6, bool udp,
	      uint32_t payload)
{
	struct l4_hdr_spec s = { .dst = p->local_mac, .src = p->remote_mac,
		.v6 = v6, .udp = udp, .saddr = 0x0a3a0002, .daddr = 0x0a3a0001,
		.ip_cksum = true, .sport = 4000, .dport = 5000, .seq = 1,
		.tcp_flags = 0x10, .win = 100, .payload = payload };
	size_t n = l4_hdr_make(f, &s);

	memset(f + n, 0x5a, payload);
	l4_cksum_fill(f, &s);
	return n + payload;
}

/* Every advertised type is filled by default; a narrowed set is honoured. */
int
test_ptypes_honest(void)
{
	static const struct { bool v6, udp; uint32_t want; } kinds[] = {
		{ false, true, RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP },
		{ false, false, RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_TCP },
		{ true, true, RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_UDP },
	};
	struct peer p;
	struct rte_mbuf *m[4];
	uint32_t adv[32];
	uint8_t f[256];
	int port = -1, n, i;

	port = peer_port_open(&p, "pt", 1500, PEER_RAW, NULL);
	REQUIRE(port >= 0, out);
	n = rte_eth_dev_get_supported_ptypes(port, RTE_PTYPE_ALL_MASK, adv, 32);
	REQUIRE(n >= 9, out, "%d packet types advertised", n);
	/* No offload asked: nothing forces a parse, the types must come. */
	for (i = 0; i < 3; i++) {
		peer_send(&p, f, peer_l4_frame(&p, f, kinds[i].v6, kinds[i].udp, 40));
		REQUIRE(port_rx_collect(port, m, 1, kinds[i].v6 ? 0x86dd : 0x0800,
					2000, NULL) == 1, out, "frame %d not received", i);
		CHECK(m[0]->packet_type == kinds[i].want, "frame %d: ptype %#x, want %#x",
		      i, m[0]->packet_type, kinds[i].want);
		CHECK(m[0]->l2_len == 14 && m[0]->l3_len == (kinds[i].v6 ? 40 : 20),
		      "frame %d: l2 %u l3 %u", i, m[0]->l2_len, m[0]->l3_len);
		rte_pktmbuf_free(m[0]);
	}
	/* The application wants L2 only: the driver skips the rest. */
	REQUIRE(rte_eth_dev_set_ptypes(port, RTE_PTYPE_L2_MASK, NULL, 0) == 0,
		out, "set_ptypes L2");
	peer_send(&p, f, peer_l4_frame(&p, f, false, true, 40));
	REQUIRE(port_rx_collect(port, m, 1, 0x0800, 2000, NULL) == 1, out, "L2 frame");
	CHECK(m[0]->packet_type == RTE_PTYPE_L2_ETHER, "L2 only: %#x", m[0]->packet_type);
	rte_pktmbuf_free(m[0]);
	REQUIRE(rte_eth_dev_set_ptypes(port, RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK,
				       NULL, 0) == 0, out, "set_ptypes L3");
	peer_send(&p, f, peer_l4_frame(&p, f, false, true, 40));
	REQUIRE(port_rx_collect(port, m, 1, 0x0800, 2000, NULL) == 1, out, "L3 frame");
	CHECK(m[0]->packet_type == (RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4),
	      "L3: %#x", m[0]->packet_type);
	rte_pktmbuf_free(m[0]);
out:
	peer_port_close(&p, port);
	return 0;
}

/* rxmode.mtu reaches the interface; ethdev's default 1500 leaves it. */
int
test_configure_mtu(void)
{
	struct peer p;
	struct port_cfg cfg = { .mtu = 4000,
		.tx_offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS };
	uint16_t mtu = 0;
	uint8_t f[4200];
	struct rte_mbuf *m;
	int port = -1;

	port = peer_port_open(&p, "mtu", 9000, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	CHECK_EQ(kernel_mtu(p.local), 4000);
	CHECK(rte_eth_dev_get_mtu(port, &mtu) == 0 && mtu == 4000, "ethdev MTU %u", mtu);
	/* A 4014-byte frame goes; ip_reassembly's case. */
	m = chain_from(f, frame_make(f, p.remote_mac, p.local_mac, 1, 4014));
	REQUIRE(m != NULL, out, "mbuf chain");
	REQUIRE(port_tx_all(port, 0, &m, 1, 1000) == 1, out, "tx 4014 B");
	CHECK(peer_recv(&p, f, sizeof(f), TEST_ETHERTYPE, 2000) == 4014,
	      "4014-byte frame not delivered");
	port_close(port);
	port = -1;
	CHECK_EQ(kernel_mtu(p.local), 9000);	/* restored at close */
	/* No MTU asked (ethdev fills in 1500): the jumbo interface stays. */
	cfg.mtu = 0;
	port = port_open(&p, &cfg);
	REQUIRE(port >= 0, out, "second port");
	CHECK_EQ(kernel_mtu(p.local), 9000);
	CHECK(rte_eth_dev_get_mtu(port, &mtu) == 0 && mtu == 9000, "ethdev MTU %u", mtu);
out:
	peer_port_close(&p, port);
	return 0;
}

/* Queue counts are the application's: many TX queues, RX != TX. */
int
test_queues_from_configure(void)
{
	struct peer p;
	struct port_cfg cfg = { .nb_rxq = 3, .nb_txq = 5 };
	struct rte_eth_dev_info info;
	struct rte_mbuf *m;
	uint8_t f[256];
	int port = -1;

	port = peer_port_open(&p, "nq", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	REQUIRE(rte_eth_dev_info_get(port, &info) == 0, out);
	CHECK(info.max_rx_queues == 64 && info.max_tx_queues == 64,
	      "max queues %u/%u", info.max_rx_queues, info.max_tx_queues);
	CHECK(info.nb_rx_queues == 3 && info.nb_tx_queues == 5, "queues %u/%u",
	      info.nb_rx_queues, info.nb_tx_queues);
	m = mbuf_from(f, frame_make(f, p.remote_mac, p.local_mac, 7, 200));
	REQUIRE(port_tx_all(port, 4, &m, 1, 1000) == 1, out, "tx on queue 4");
	CHECK(peer_recv(&p, f, sizeof(f), TEST_ETHERTYPE, 2000) == 200,
	      "frame from TX queue 4 not delivered");
	port_close(port);
	/* queues= is an upper bound still. */
	cfg.devargs_extra = "queues=2";
	port = port_open(&p, &cfg);
	CHECK(port < 0, "5 TX queues accepted with queues=2");
out:
	peer_port_close(&p, port);
	return 0;
}

/* Counters survive re-setup, reconfigure and restart; reset clears. */
int
test_counters_survive(void)
{
	struct peer p;
	struct rte_eth_stats st;
	struct rte_eth_rxconf rc = { 0 };
	struct rte_mbuf *m[16];
	uint8_t f[256];
	int port = -1, i;

	port = peer_port_open(&p, "cs", 1500, PEER_RAW, NULL);
	REQUIRE(port >= 0, out);
	for (i = 0; i < 10; i++)
		peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, i, 100));
	REQUIRE(port_rx_collect(port, m, 10, TEST_ETHERTYPE, 2000, NULL) == 10,
		out, "10 frames");
	rte_pktmbuf_free_bulk(m, 10);
	REQUIRE(rte_eth_dev_stop(port) == 0, out);
	/* What OVS does on an MTU or n_rxq change. */
	REQUIRE(rte_eth_dev_configure(port, 1, 1, &(struct rte_eth_conf){ 0 }) == 0,
		out, "reconfigure");
	REQUIRE(rte_eth_rx_queue_setup(port, 0, 512, rte_socket_id(), &rc,
				       test_mp) == 0, out, "rxq setup");
	REQUIRE(rte_eth_tx_queue_setup(port, 0, 512, rte_socket_id(), NULL) == 0,
		out, "txq setup");
	REQUIRE(rte_eth_dev_start(port) == 0, out, "restart");
	REQUIRE(rte_eth_stats_get(port, &st) == 0, out);
	CHECK_EQ(st.ipackets, 10);
	CHECK_EQ(st.ibytes, 1000);
	for (i = 0; i < 5; i++)
		peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, i, 100));
	REQUIRE(port_rx_collect(port, m, 5, TEST_ETHERTYPE, 2000, NULL) == 5,
		out, "5 more frames");
	rte_pktmbuf_free_bulk(m, 5);
	REQUIRE(rte_eth_stats_get(port, &st) == 0, out);
	CHECK_EQ(st.ipackets, 15);
	REQUIRE(rte_eth_stats_reset(port) == 0, out);
	REQUIRE(rte_eth_stats_get(port, &st) == 0, out);
	CHECK_EQ(st.ipackets, 0);
out:
	peer_port_close(&p, port);
	return 0;
}

static int
rmv_cb(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	(void)port;
	(void)ret;
	__atomic_add_fetch((int *)arg + (type == RTE_ETH_EVENT_INTR_RMV ? 0 : 1),
			   1, __ATOMIC_RELEASE);
	return 0;
}

/* The veth is deleted and created again by name: the port comes back. */
int
test_reattach_same_name(void)
{
	struct peer p;
	struct port_cfg cfg = { .lsc = true, .rmv = true, .nb_rxq = 2,
		.nb_txq = 2 };
	struct rte_mbuf *m[8];
	uint64_t n = 0, end;
	uint8_t f[256];
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	int ev[2] = { 0, 0 };
	int port = -1, got, lsc;

	port = peer_port_open(&p, "ra", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	REQUIRE(rte_eth_promiscuous_enable(port) == 0, out, "promisc");
	rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_RMV, rmv_cb, ev);
	rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC, rmv_cb, ev);
	sh("ip link del %s", p.local);
	end = now_ms() + 2000;
	while (__atomic_load_n(&ev[0], __ATOMIC_ACQUIRE) == 0 && now_ms() < end)
		usleep(5000);
	REQUIRE(ev[0] == 1, out, "no RMV event");
	lsc = __atomic_load_n(&ev[1], __ATOMIC_ACQUIRE);
	/* A container restarts: the same names, a new ifindex and MAC. */
	close(p.fd);
	p.fd = -1;
	REQUIRE(sh("ip link add %s netns %s mtu 1500 type veth peer name %s netns %s mtu 1500 && "
		   "ip -n %s link set %s up && ip -n %s link set %s up",
		   p.local, test_ns, p.remote, p.ns, test_ns, p.local, p.ns,
		   p.remote) == 0, out, "re-create the veth pair");
	REQUIRE(peer_raw_open(&p) >= 0, out, "raw socket");
	/* A frame to another MAC: promiscuous mode must be back too. */
	end = now_ms() + 5000;
	got = 0;
	while (got == 0 && now_ms() < end) {
		static const uint8_t other[6] = { 0x02, 0, 0, 0, 0x99, 0x99 };

		peer_send(&p, f, frame_make(f, other, p.remote_mac, 1, 120));
		got = port_rx_collect(port, m, 1, TEST_ETHERTYPE, 100, NULL);
	}
	REQUIRE(got == 1, out, "no frame after the interface came back");
	rte_pktmbuf_free(m[0]);
	/* The new pair has new MAC addresses: broadcast. */
	m[0] = mbuf_from(f, frame_make(f, bcast, p.local_mac, 2, 150));
	REQUIRE(port_tx_all(port, 1, m, 1, 1000) == 1, out, "tx after re-attach");
	CHECK(peer_recv(&p, f, sizeof(f), TEST_ETHERTYPE, 2000) == 150,
	      "frame sent after re-attach not delivered");
	CHECK(port_xstat(port, "iface_reattaches", &n) == 0 && n == 1,
	      "iface_reattaches %lu", (unsigned long)n);
	/* The LSC callback runs after the datapath is back: wait for it. */
	end = now_ms() + 2000;
	while (__atomic_load_n(&ev[1], __ATOMIC_ACQUIRE) <= lsc && now_ms() < end)
		usleep(5000);
	CHECK(__atomic_load_n(&ev[1], __ATOMIC_ACQUIRE) > lsc,
	      "no LSC event within 2 s of the re-attach");
	rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_RMV, rmv_cb, ev);
	rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_LSC, rmv_cb, ev);
out:
	peer_port_close(&p, port);
	return 0;
}

/* One vector (event fd) per RX queue, usable through rte_epoll. */
int
test_rx_intr_vectors(void)
{
	struct peer p;
	struct port_cfg cfg = { .nb_rxq = 2, .rxq_intr = true,
		.devargs_extra = "fanout=lb" };
	struct rte_epoll_event ev[2];
	struct rte_mbuf *m[8];
	uint8_t f[256];
	int port = -1, n, q;

	port = peer_port_open(&p, "iv", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	for (q = 0; q < 2; q++) {
		REQUIRE(rte_eth_dev_rx_intr_ctl_q(port, q, RTE_EPOLL_PER_THREAD,
						  RTE_INTR_EVENT_ADD,
						  (void *)(uintptr_t)q) == 0,
			out, "rx_intr_ctl_q %d", q);
		REQUIRE(rte_eth_dev_rx_intr_ctl_q_get_fd(port, q) >= 0, out,
			"no event fd for queue %d", q);
		REQUIRE(rte_eth_dev_rx_intr_enable(port, q) == 0, out);
	}
	CHECK(rte_eth_dev_rx_intr_ctl_q_get_fd(port, 0) !=
	      rte_eth_dev_rx_intr_ctl_q_get_fd(port, 1), "queues share an fd");
	for (q = 0; q < 4; q++)
		peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, q, 100));
	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, 2, 2000);
	CHECK(n >= 1, "no RX interrupt within 2 s (%d)", n);
	CHECK(port_rx_collect(port, m, 4, TEST_ETHERTYPE, 2000, NULL) == 4, "frames");
	rte_pktmbuf_free_bulk(m, 4);
	for (q = 0; q < 2; q++)
		rte_eth_dev_rx_intr_ctl_q(port, q, RTE_EPOLL_PER_THREAD,
					  RTE_INTR_EVENT_DEL, NULL);
out:
	peer_port_close(&p, port);
	return 0;
}

/* CRC32c (Castagnoli), bit by bit: independent of the driver's. */
static uint32_t
crc32c_ref(const uint8_t *p, size_t n)
{
	uint32_t c = ~0u;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & -(c & 1));
	}
	return ~c;
}

/* TX SCTP checksum offload: computed in software, right on the wire. */
int
test_tx_sctp_crc(void)
{
	struct peer p;
	struct port_cfg cfg = { .tx_offloads = RTE_ETH_TX_OFFLOAD_SCTP_CKSUM |
		RTE_ETH_TX_OFFLOAD_IPV4_CKSUM };
	struct l4_hdr_spec s;
	struct rte_mbuf *m;
	uint8_t f[512], g[512];
	uint32_t crc, want;
	size_t n;
	int port = -1, len;

	port = peer_port_open(&p, "sc", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	memset(&s, 0, sizeof(s));
	s.dst = p.remote_mac;
	s.src = p.local_mac;
	s.udp = true;		/* an 8-byte L4 header, made SCTP below */
	s.saddr = 0x0a3b0001;
	s.daddr = 0x0a3b0002;
	s.payload = 100;
	n = l4_hdr_make(f, &s);
	f[14 + 9] = IPPROTO_SCTP;	/* common header: ports, vtag, crc */
	memset(f + 14 + 20 + 4, 0x11, 4);
	memset(f + 14 + 20 + 8, 0xee, 4);	/* garbage CRC: rewritten */
	for (size_t i = n; i < n + 100; i++)
		f[i] = (uint8_t)i;
	m = mbuf_from(f, n + 100);
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
		RTE_MBUF_F_TX_SCTP_CKSUM;
	m->l2_len = 14;
	m->l3_len = 20;
	REQUIRE(port_tx_all(port, 0, &m, 1, 1000) == 1, out, "tx");
	len = peer_recv(&p, g, sizeof(g), 0x0800, 2000);
	REQUIRE(len == (int)(n + 100), out, "received %d", len);
	memcpy(&crc, g + 14 + 20 + 8, 4);
	memset(g + 14 + 20 + 8, 0, 4);
	want = crc32c_ref(g + 14 + 20, 8 + 100);	/* the SCTP packet */
	CHECK(crc == want, "SCTP CRC %#x, want %#x", crc, want);
	CHECK(sum16(g + 14, 20, 0) == 0xffff, "IPv4 header checksum");
	CHECK(memcmp(g + 14 + 20 + 12, f + 14 + 20 + 12, 100 - 4) == 0,
	      "payload changed");
out:
	peer_port_close(&p, port);
	return 0;
}

/* lo has no maximum MTU (0) and MTU 65536: limits stay usable. */
int
test_lo_limits(void)
{
	struct rte_eth_dev_info info;
	uint16_t port, mtu = 0;
	int ret;

	sh("ip link set lo up");
	ret = rte_vdev_init("net_tpacket_lo", "iface=lo");
	REQUIRE(ret == 0, out, "probe on lo: %d", ret);
	REQUIRE(rte_eth_dev_get_port_by_name("net_tpacket_lo", &port) == 0, out);
	REQUIRE(rte_eth_dev_info_get(port, &info) == 0, out);
	CHECK(info.max_mtu >= 9000, "max_mtu %u", info.max_mtu);
	CHECK(info.max_rx_pktlen >= 9018, "max_rx_pktlen %u", info.max_rx_pktlen);
	CHECK(rte_eth_dev_get_mtu(port, &mtu) == 0 && mtu >= 1500, "mtu %u", mtu);
	CHECK(rte_eth_dev_configure(port, 1, 1, &(struct rte_eth_conf){ 0 }) == 0,
	      "configure on lo");
	rte_eth_dev_close(port);
	rte_vdev_uninit("net_tpacket_lo");
out:
	return 0;
}
