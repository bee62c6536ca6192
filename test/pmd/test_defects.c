/* SPDX-License-Identifier: BSD-3-Clause
 * The defects a hostile peer found (padded frames, mid-batch refusals,
 * segments above the MTU, fragments), each shown fixed over a veth pair
 * with real packet bytes checked at a raw receiver or at the port.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "tpk_pmd_test.h"
#include "test_cases.h"

/* A minimum-size frame: headers, plen payload bytes, then Ethernet
 * padding of non-zero bytes up to 60 (or pad bytes, if more). */
static size_t
padded_frame(uint8_t *f, const struct peer *p, bool v6, bool udp,
	     size_t plen, size_t pad)
{
	const struct l4_hdr_spec hs = { .dst = p->remote_mac,
		.src = p->local_mac, .v6 = v6, .udp = udp, .saddr = 0x0a000001,
		.daddr = 0x0a000002, .ip_cksum = true, .sport = 1000,
		.dport = 2000, .seq = 7, .tcp_flags = RTE_TCP_ACK_FLAG,
		.win = 1000, .payload = plen };
	size_t n = l4_hdr_make(f, &hs);

	/* Garbage in the L4 checksum: the offload fills it. */
	f[n - (udp ? 2 : 4)] = 0x34;
	f[n - (udp ? 1 : 3)] = 0x12;
	memset(f + n, 0x5a, plen);
	n += plen;
	if (pad == 0 && n < 60)
		pad = 60 - n;
	memset(f + n, 0xaa, pad);	/* padding that is not zeros */
	return n + pad;
}

/* Defect 1: checksum offload on padded frames (TCP/UDP, IPv4/IPv6). */
int
test_tx_padded_csum(void)
{
	static const struct { bool v6, udp; size_t plen, pad; } cases[] = {
		{ false, false, 0, 0 }, { false, true, 4, 0 },
		{ true, false, 6, 6 }, { true, true, 0, 9 },
	};
	struct peer p;
	struct port_cfg cfg = { .tx_offloads = RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_TX_OFFLOAD_UDP_CKSUM };
	uint8_t f[128], got[256];
	uint64_t padded = 0;
	int port = -1;
	unsigned int i;

	port = peer_port_open(&p, "pd", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	for (i = 0; i < RTE_DIM(cases); i++) {
		size_t len = padded_frame(f, &p, cases[i].v6, cases[i].udp,
					  cases[i].plen, cases[i].pad);
		size_t ck = 14 + (cases[i].v6 ? 40 : 20) + (cases[i].udp ? 6 : 16);
		struct rte_mbuf *m = mbuf_from(f, len);
		int n;

		m->l2_len = 14;
		m->l3_len = cases[i].v6 ? 40 : 20;
		m->l4_len = cases[i].udp ? 8 : 20;
		m->ol_flags = (cases[i].v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4) |
			(cases[i].udp ? RTE_MBUF_F_TX_UDP_CKSUM : RTE_MBUF_F_TX_TCP_CKSUM);
		REQUIRE(rte_eth_tx_prepare(port, 0, &m, 1) == 1, out, "prepare %u", i);
		REQUIRE(port_tx_all(port, 0, &m, 1, 2000) == 1, out, "tx %u", i);
		n = peer_recv(&p, got, sizeof(got), cases[i].v6 ? 0x86dd : 0x0800, 2000);
		REQUIRE(n == (int)len, out, "case %u: received %d bytes, sent %zu", i, n, len);
		REQUIRE(l4_csum_ok(got, n), out, "case %u: L4 checksum wrong at the receiver", i);
		/* Every byte but the checksum as the mbuf had it, padding included. */
		REQUIRE(memcmp(got, f, ck) == 0 && memcmp(got + ck + 2, f + ck + 2,
							len - ck - 2) == 0, out,
			"case %u: bytes changed", i);
	}
	REQUIRE(port_xstat(port, "tx_sw_l4_checksum_padded", &padded) == 0 &&
		padded == RTE_DIM(cases), out, "tx_sw_l4_checksum_padded %lu", padded);
out:
	peer_port_close(&p, port);
	return 0;
}

/* A TEST_ETHERTYPE frame of len bytes, VLAN-tagged if tag. */
static struct rte_mbuf *
sized(const struct peer *p, uint32_t seq, size_t len, bool tag)
{
	uint8_t f[2048];

	frame_make(f, p->remote_mac, p->local_mac, seq, len);
	if (tag) {
		memmove(f + 16, f + 12, len - 16);
		f[12] = 0x81; f[13] = 0x00; f[14] = 0x00; f[15] = 0x05;
	}
	return mbuf_from(f, len);
}

/* Defect 2: frames over the MTU in the middle of a burst are refused and
 * counted; the others go out, in order; nothing is handed back. */
int
test_tx_mtu_mid_burst(void)
{
	static const struct { size_t len; bool tag, ok; } b[] = {
		{ 1000, false, true }, { 1515, false, false },
		{ 1514, false, true }, { 1518, false, false },
		{ 1518, true, true }, { 1519, true, false }, { 200, false, true },
	};
	struct peer p;
	struct rte_mbuf *m[RTE_DIM(b)];
	uint64_t rej = 99, full = 99, bad = 99;
	uint8_t got[2048];
	unsigned int i, want = 0;
	int port = -1, n;

	port = peer_port_open(&p, "mb", 1500, PEER_RAW, NULL);
	REQUIRE(port >= 0, out);
	/* The peer takes jumbo frames: only the port's MTU may refuse. */
	REQUIRE(sh("ip -n %s link set %s mtu 9000", p.ns, p.remote) == 0, out, "mtu");
	for (i = 0; i < RTE_DIM(b); i++) {
		m[i] = sized(&p, i, b[i].len, b[i].tag);
		want += b[i].ok;
	}
	REQUIRE(rte_eth_tx_burst(port, 0, m, RTE_DIM(b)) == RTE_DIM(b), out,
		"frames handed back");
	for (i = 0; i < RTE_DIM(b); i++) {
		if (!b[i].ok)
			continue;
		n = peer_recv(&p, got, sizeof(got), TEST_ETHERTYPE, 2000);
		/* The receiving veth strips the tag into metadata. */
		REQUIRE(n == (int)(b[i].len - (b[i].tag ? 4 : 0)) &&
			rd_u32(got + 14) == i, out, "frame %u: got %d bytes", i, n);
	}
	REQUIRE(peer_recv(&p, got, sizeof(got), TEST_ETHERTYPE, 300) < 0, out,
		"a refused frame arrived");
	REQUIRE(port_xstat(port, "tx_kernel_rejected_errors", &rej) == 0 &&
		port_xstat(port, "tx_socket_full_bursts", &full) == 0 &&
		port_xstat(port, "tx_malformed_errors", &bad) == 0 &&
		rej == RTE_DIM(b) - want && full == 0 && bad == 0, out,
		"rejected %lu socket_full %lu malformed %lu", rej, full, bad);
out:
	peer_port_close(&p, port);
	return 0;
}

/* n consecutive TCP segments of plen payload bytes, valid checksums. */
static void
tcp_run(const struct peer *p, struct rte_mbuf **m, int n, size_t plen)
{
	struct l4_hdr_spec hs = { .dst = p->remote_mac, .src = p->local_mac,
		.saddr = 0x0a000001, .daddr = 0x0a000002, .ip_cksum = true,
		.sport = 1000, .dport = 2000, .tcp_flags = RTE_TCP_ACK_FLAG,
		.win = 1000, .payload = plen };
	uint8_t f[2048];
	int i;

	for (i = 0; i < n; i++) {
		hs.ip_id = 100 + i;
		hs.seq = 1 + i * plen;
		l4_hdr_make(f, &hs);
		memset(f + 54, 'a' + i, plen);
		l4_cksum_fill(f, &hs);
		m[i] = mbuf_from(f, 54 + plen);
	}
}

/* Defect 3: a run of segments above the MTU is not coalesced into a GSO
 * frame the kernel would cut into segments above the MTU; a run that
 * fits still is. */
int
test_tx_coalesce_mtu(void)
{
	struct peer p;
	/* The port's kernel side segments in software (what the wire sees). */
	struct port_cfg cfg = { .ethtool_k = "tso off gso off" };
	struct rte_mbuf *m[6];
	uint64_t coal = 99, rej = 99;
	uint8_t got[2048];
	int port = -1, n, i;

	port = peer_port_open(&p, "cm", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	REQUIRE(sh("ip -n %s link set %s mtu 9000", p.ns, p.remote) == 0, out, "mtu");
	tcp_run(&p, m, 6, 1461);	/* 1515-byte frames */
	REQUIRE(port_tx_all(port, 0, m, 6, 2000) == 6, out, "tx");
	REQUIRE(peer_recv(&p, got, sizeof(got), 0x0800, 300) < 0, out,
		"a segment above the MTU arrived");
	REQUIRE(port_xstat(port, "tx_coalesced_frames", &coal) == 0 && coal == 0 &&
		port_xstat(port, "tx_kernel_rejected_errors", &rej) == 0 && rej == 6, out,
		"coalesced %lu rejected %lu", coal, rej);
	tcp_run(&p, m, 6, 1460);	/* 1514: fits */
	REQUIRE(port_tx_all(port, 0, m, 6, 2000) == 6, out, "tx");
	for (i = 0; i < 6; i++) {
		n = peer_recv(&p, got, sizeof(got), 0x0800, 2000);
		REQUIRE(n == 1514 && got[54] == 'a' + i, out, "segment %d: %d bytes", i, n);
	}
	REQUIRE(port_xstat(port, "tx_coalesced_frames", &coal) == 0 && coal == 1, out,
		"coalesced %lu", coal);
out:
	peer_port_close(&p, port);
	return 0;
}

/* Defect 3 (RX): a TCP super-frame whose gso_size exceeds the port's MTU
 * is cut at the MTU in software; the payload arrives whole and in order. */
int
test_rx_gso_mtu(void)
{
	enum { PAY = 3 * 1461 };
	static uint8_t f[sizeof(struct virtio_net_hdr) + 54 + PAY];
	uint8_t *e = f + sizeof(struct virtio_net_hdr), got_pay[PAY];
	struct peer p;
	struct rte_mbuf *m[16];
	uint64_t cut = 99;
	size_t off = 0;
	int port = -1, fd = -1, n = 0, i;

	port = peer_port_open(&p, "rg", 1500, 0, NULL);
	REQUIRE(port >= 0, out);
	fd = peer_tx_open(&p, true);
	REQUIRE(fd >= 0, out, "vnet socket");
	{
		const struct l4_hdr_spec hs = { .dst = p.local_mac,
			.src = p.remote_mac, .saddr = 0x0a000002,
			.daddr = 0x0a000001, .ip_cksum = true, .sport = 5,
			.dport = 6, .seq = 1000, .tcp_flags = RTE_TCP_ACK_FLAG,
			.win = 100, .payload = PAY };

		gso_frame_make(f, &hs, 1461);
	}
	REQUIRE(send(fd, f, sizeof(f), 0) == (ssize_t)sizeof(f), out, "send: %s",
		strerror(errno));
	n = port_rx_collect(port, m, 4, 0, 3000, NULL);
	REQUIRE(n == 4, out, "%d segments, want 4 (1446 bytes each but the last)", n);
	for (i = 0; i < n; i++) {
		const uint8_t *s = rte_pktmbuf_mtod(m[i], const uint8_t *);
		uint32_t pl = m[i]->pkt_len - 54;

		REQUIRE(m[i]->pkt_len <= 1514, out, "segment %d: %u bytes", i, m[i]->pkt_len);
		REQUIRE(l4_csum_ok(s, m[i]->pkt_len), out, "segment %d checksum", i);
		REQUIRE(off + pl <= PAY, out, "too much payload");
		memcpy(got_pay + off, s + 54, pl);
		off += pl;
	}
	REQUIRE(off == PAY && memcmp(got_pay, e + 54, PAY) == 0, out, "payload differs");
	REQUIRE(port_xstat(port, "rx_sw_gso_mss_lowered", &cut) == 0 && cut == 1, out,
		"rx_sw_gso_mss_lowered %lu", cut);
out:
	rte_pktmbuf_free_bulk(m, n);
	if (fd >= 0)
		close(fd);
	peer_port_close(&p, port);
	return 0;
}

/* Defect 4: IPv4 fragments with two queues are delivered as they are,
 * complete and incomplete sets alike, each set on one queue. */
int
test_rx_fragments(void)
{
	struct peer p;
	struct port_cfg cfg = { .nb_rxq = 2, .nb_txq = 2,
		.devargs_extra = "queues=2" };
	struct rte_mbuf *m[16];
	uint16_t qof[16];
	uint8_t f[1600];
	int port = -1, n = 0, i, set, q[2] = { -1, -1 };
	uint64_t over = 99;

	port = peer_port_open(&p, "fr", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	/* Set 0: three fragments of a 3000-byte datagram; set 1: two of
	 * three (incomplete). */
	for (set = 0; set < 2; set++) {
		for (i = 0; i < 3 - set; i++) {
			struct rte_ipv4_hdr *ip = (void *)(f + 14);
			size_t plen = i < 2 ? 1480 : 48;

			memset(f, 0, sizeof(f));
			memcpy(f, p.local_mac, 6);
			memcpy(f + 6, p.remote_mac, 6);
			f[12] = 0x08;
			ip->version_ihl = 0x45;
			ip->total_length = htons(20 + plen);
			ip->packet_id = htons(77 + set);
			ip->fragment_offset = htons((i < 2 ? RTE_IPV4_HDR_MF_FLAG : 0) |
						    (i * 1480 / 8));
			ip->time_to_live = 64;
			ip->next_proto_id = IPPROTO_UDP;
			ip->src_addr = htonl(0x0a000002 + set);
			ip->dst_addr = htonl(0x0a000001);
			ip->hdr_checksum = rte_ipv4_cksum(ip);
			memset(f + 34, 'A' + i, plen);
			REQUIRE(peer_send(&p, f, 34 + plen) == 0, out, "send");
		}
	}
	n = port_rx_collect(port, m, 5, 0x0800, 3000, qof);
	REQUIRE(n == 5, out, "%d of 5 fragments delivered", n);
	for (i = 0; i < n; i++) {
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m[i],
			const struct rte_ipv4_hdr *, 14);
		int s = ntohs(ip->packet_id) - 77;

		REQUIRE(s == 0 || s == 1, out, "unexpected frame");
		REQUIRE(m[i]->pkt_len == 14u + ntohs(ip->total_length), out, "length");
		if (q[s] < 0)
			q[s] = qof[i];
		REQUIRE(q[s] == qof[i], out, "set %d spread over queues %d and %u", s,
			q[s], qof[i]);
	}
	REQUIRE(port_xstat(port, "rx_oversize_errors", &over) == 0 && over == 0, out,
		"oversize %lu", over);
out:
	rte_pktmbuf_free_bulk(m, n);
	peer_port_close(&p, port);
	return 0;
}
