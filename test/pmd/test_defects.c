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

/* Ones' complement sum of len bytes, folded, not inverted. */
static uint16_t
sum16(const uint8_t *p, size_t len, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Does the L4 checksum of an Ethernet IPv4/IPv6 frame verify, over the
 * L4 length the IP header gives (independently of the driver)? */
static bool
l4_csum_ok(const uint8_t *f, size_t len)
{
	uint32_t s = 0;
	size_t l4off, l4len, i;
	uint8_t proto;

	if (f[12] == 0x08) {
		size_t ihl = (f[14] & 0xf) * 4u;

		l4len = ((size_t)f[16] << 8 | f[17]) - ihl;
		l4off = 14 + ihl;
		proto = f[23];
		for (i = 26; i < 34; i += 2)
			s += (uint32_t)f[i] << 8 | f[i + 1];
	} else {
		l4len = (size_t)f[18] << 8 | f[19];
		l4off = 54;
		proto = f[20];
		for (i = 22; i < 54; i += 2)
			s += (uint32_t)f[i] << 8 | f[i + 1];
	}
	if (l4off + l4len > len)
		return false;
	s += proto + (uint32_t)l4len;
	return sum16(f + l4off, l4len, s) == 0xffff;
}

/* A minimum-size frame: headers, plen payload bytes, then Ethernet
 * padding of non-zero bytes up to 60 (or pad bytes, if more). */
static size_t
padded_frame(uint8_t *f, const struct peer *p, bool v6, bool udp,
	     size_t plen, size_t pad)
{
	size_t l4 = udp ? 8 : 20, l3 = v6 ? 40 : 20, n;

	memset(f, 0, 128);
	memcpy(f, p->remote_mac, 6);
	memcpy(f + 6, p->local_mac, 6);
	if (v6) {
		struct rte_ipv6_hdr *ip = (void *)(f + 14);

		f[12] = 0x86; f[13] = 0xdd;
		ip->vtc_flow = htonl(6u << 28);
		ip->payload_len = htons(l4 + plen);
		ip->proto = udp ? IPPROTO_UDP : IPPROTO_TCP;
		ip->hop_limits = 64;
		((uint8_t *)&ip->src_addr)[0] = 0xfd; ((uint8_t *)&ip->src_addr)[15] = 1;
		((uint8_t *)&ip->dst_addr)[0] = 0xfd; ((uint8_t *)&ip->dst_addr)[15] = 2;
	} else {
		struct rte_ipv4_hdr *ip = (void *)(f + 14);

		f[12] = 0x08; f[13] = 0x00;
		ip->version_ihl = 0x45;
		ip->total_length = htons(l3 + l4 + plen);
		ip->time_to_live = 64;
		ip->next_proto_id = udp ? IPPROTO_UDP : IPPROTO_TCP;
		ip->src_addr = htonl(0x0a000001);
		ip->dst_addr = htonl(0x0a000002);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	if (udp) {
		struct rte_udp_hdr *u = (void *)(f + 14 + l3);

		u->src_port = htons(1000);
		u->dst_port = htons(2000);
		u->dgram_len = htons(l4 + plen);
		u->dgram_cksum = 0x1234;	/* garbage: offload fills it */
	} else {
		struct rte_tcp_hdr *t = (void *)(f + 14 + l3);

		t->src_port = htons(1000);
		t->dst_port = htons(2000);
		t->sent_seq = htonl(7);
		t->data_off = 5 << 4;
		t->tcp_flags = RTE_TCP_ACK_FLAG;
		t->rx_win = htons(1000);
		t->cksum = 0x1234;
	}
	n = 14 + l3 + l4;
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
	struct port_cfg cfg = { .nb_rxq = 1, .nb_txq = 1,
		.tx_offloads = RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_TX_OFFLOAD_UDP_CKSUM };
	uint8_t f[128], got[256];
	uint64_t padded = 0;
	int port = -1;
	unsigned int i;

	if (peer_create(&p, "pd", 1500) < 0 || peer_raw_open(&p) < 0)
		return 1;
	port = port_open(&p, &cfg);
	CHECK(port >= 0, "port");
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
		CHECK(rte_eth_tx_prepare(port, 0, &m, 1) == 1, "prepare %u", i);
		CHECK(port_tx_all(port, 0, &m, 1, 2000) == 1, "tx %u", i);
		n = peer_recv(&p, got, sizeof(got), cases[i].v6 ? 0x86dd : 0x0800, 2000);
		CHECK(n == (int)len, "case %u: received %d bytes, sent %zu", i, n, len);
		CHECK(l4_csum_ok(got, n), "case %u: L4 checksum wrong at the receiver", i);
		/* Every byte but the checksum as the mbuf had it, padding included. */
		CHECK(memcmp(got, f, ck) == 0 && memcmp(got + ck + 2, f + ck + 2,
							len - ck - 2) == 0,
		      "case %u: bytes changed", i);
	}
	CHECK(port_xstat(port, "tx_sw_l4_checksum_padded", &padded) == 0 &&
	      padded == RTE_DIM(cases), "tx_sw_l4_checksum_padded %lu", padded);
out:
	if (port >= 0)
		port_close(port);
	peer_destroy(&p);
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
	struct port_cfg cfg = { .nb_rxq = 1, .nb_txq = 1 };
	struct rte_mbuf *m[RTE_DIM(b)];
	uint64_t rej = 99, full = 99, bad = 99;
	uint8_t got[2048];
	unsigned int i, want = 0;
	int port = -1, n;

	if (peer_create(&p, "mb", 1500) < 0 || peer_raw_open(&p) < 0)
		return 1;
	/* The peer takes jumbo frames: only the port's MTU may refuse. */
	CHECK(sh("ip -n %s link set %s mtu 9000", p.ns, p.remote) == 0, "mtu");
	port = port_open(&p, &cfg);
	CHECK(port >= 0, "port");
	for (i = 0; i < RTE_DIM(b); i++) {
		m[i] = sized(&p, i, b[i].len, b[i].tag);
		want += b[i].ok;
	}
	CHECK(rte_eth_tx_burst(port, 0, m, RTE_DIM(b)) == RTE_DIM(b),
	      "frames handed back");
	for (i = 0; i < RTE_DIM(b); i++) {
		if (!b[i].ok)
			continue;
		n = peer_recv(&p, got, sizeof(got), TEST_ETHERTYPE, 2000);
		/* The receiving veth strips the tag into metadata. */
		CHECK(n == (int)(b[i].len - (b[i].tag ? 4 : 0)) &&
		      rd_u32(got + 14) == i, "frame %u: got %d bytes", i, n);
	}
	CHECK(peer_recv(&p, got, sizeof(got), TEST_ETHERTYPE, 300) < 0,
	      "a refused frame arrived");
	CHECK(port_xstat(port, "tx_kernel_rejected_errors", &rej) == 0 &&
	      port_xstat(port, "tx_socket_full_bursts", &full) == 0 &&
	      port_xstat(port, "tx_malformed_errors", &bad) == 0 &&
	      rej == RTE_DIM(b) - want && full == 0 && bad == 0,
	      "rejected %lu socket_full %lu malformed %lu", rej, full, bad);
out:
	if (port >= 0)
		port_close(port);
	peer_destroy(&p);
	return 0;
}

/* n consecutive TCP segments of plen payload bytes, valid checksums. */
static void
tcp_run(const struct peer *p, struct rte_mbuf **m, int n, size_t plen)
{
	uint8_t f[2048];
	int i;

	for (i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip = (void *)(f + 14);
		struct rte_tcp_hdr *t = (void *)(f + 34);

		memset(f, 0, 54);
		memcpy(f, p->remote_mac, 6);
		memcpy(f + 6, p->local_mac, 6);
		f[12] = 0x08;
		ip->version_ihl = 0x45;
		ip->total_length = htons(40 + plen);
		ip->packet_id = htons(100 + i);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		ip->src_addr = htonl(0x0a000001);
		ip->dst_addr = htonl(0x0a000002);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		t->src_port = htons(1000);
		t->dst_port = htons(2000);
		t->sent_seq = htonl(1 + i * plen);
		t->data_off = 5 << 4;
		t->tcp_flags = RTE_TCP_ACK_FLAG;
		t->rx_win = htons(1000);
		memset(f + 54, 'a' + i, plen);
		t->cksum = rte_ipv4_udptcp_cksum(ip, t);
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
	struct port_cfg cfg = { .nb_rxq = 1, .nb_txq = 1 };
	struct rte_mbuf *m[6];
	uint64_t coal = 99, rej = 99;
	uint8_t got[2048];
	int port = -1, n, i;

	if (peer_create(&p, "cm", 1500) < 0 || peer_raw_open(&p) < 0)
		return 1;
	CHECK(sh("ip -n %s link set %s mtu 9000", p.ns, p.remote) == 0, "mtu");
	/* The port's kernel side segments in software (what the wire sees). */
	sh("ethtool -K %s tso off gso off >/dev/null 2>&1", p.local);
	port = port_open(&p, &cfg);
	CHECK(port >= 0, "port");
	tcp_run(&p, m, 6, 1461);	/* 1515-byte frames */
	CHECK(port_tx_all(port, 0, m, 6, 2000) == 6, "tx");
	CHECK(peer_recv(&p, got, sizeof(got), 0x0800, 300) < 0,
	      "a segment above the MTU arrived");
	CHECK(port_xstat(port, "tx_coalesced_frames", &coal) == 0 && coal == 0 &&
	      port_xstat(port, "tx_kernel_rejected_errors", &rej) == 0 && rej == 6,
	      "coalesced %lu rejected %lu", coal, rej);
	tcp_run(&p, m, 6, 1460);	/* 1514: fits */
	CHECK(port_tx_all(port, 0, m, 6, 2000) == 6, "tx");
	for (i = 0; i < 6; i++) {
		n = peer_recv(&p, got, sizeof(got), 0x0800, 2000);
		CHECK(n == 1514 && got[54] == 'a' + i, "segment %d: %d bytes", i, n);
	}
	CHECK(port_xstat(port, "tx_coalesced_frames", &coal) == 0 && coal == 1,
	      "coalesced %lu", coal);
out:
	if (port >= 0)
		port_close(port);
	peer_destroy(&p);
	return 0;
}

/* A PACKET_VNET_HDR socket on the peer end (a peer with GSO frames). */
static int
vnet_sock(const struct peer *p)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int one = 1, fd;

	if (peer_enter(p) < 0)
		return -1;
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	sll.sll_ifindex = (int)if_nametoindex(p->remote);
	if (fd >= 0 && (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one,
				   sizeof(one)) < 0 ||
			bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)) {
		close(fd);
		fd = -1;
	}
	ns_leave();
	return fd;
}

/* Defect 3 (RX): a TCP super-frame whose gso_size exceeds the port's MTU
 * is cut at the MTU in software; the payload arrives whole and in order. */
int
test_rx_gso_mtu(void)
{
	enum { PAY = 3 * 1461 };
	static uint8_t f[sizeof(struct virtio_net_hdr) + 54 + PAY];
	struct virtio_net_hdr *vh = (void *)f;
	uint8_t *e = f + sizeof(*vh), got_pay[PAY];
	struct rte_ipv4_hdr *ip = (void *)(e + 14);
	struct rte_tcp_hdr *t = (void *)(e + 34);
	struct peer p;
	struct port_cfg cfg = { .nb_rxq = 1, .nb_txq = 1 };
	struct rte_mbuf *m[16];
	uint64_t cut = 99;
	size_t off = 0;
	int port = -1, fd = -1, n = 0, i;

	if (peer_create(&p, "rg", 1500) < 0)
		return 1;
	port = port_open(&p, &cfg);
	CHECK(port >= 0, "port");
	fd = vnet_sock(&p);
	CHECK(fd >= 0, "vnet socket");
	memset(f, 0, sizeof(f));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh->gso_size = 1461;
	vh->hdr_len = 54;
	vh->csum_start = 34;
	vh->csum_offset = 16;
	memcpy(e, p.local_mac, 6);
	memcpy(e + 6, p.remote_mac, 6);
	e[12] = 0x08;
	ip->version_ihl = 0x45;
	ip->total_length = htons(40 + PAY);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = htonl(0x0a000002);
	ip->dst_addr = htonl(0x0a000001);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	t->src_port = htons(5);
	t->dst_port = htons(6);
	t->sent_seq = htonl(1000);
	t->data_off = 5 << 4;
	t->tcp_flags = RTE_TCP_ACK_FLAG;
	t->rx_win = htons(100);
	for (i = 0; i < PAY; i++)
		e[54 + i] = (uint8_t)(i * 7);
	/* Partial checksum: the pseudo-header sum with the L4 length. */
	t->cksum = htons(sum16((const uint8_t *)&ip->src_addr, 8,
			       IPPROTO_TCP + 20 + PAY));
	CHECK(send(fd, f, sizeof(f), 0) == (ssize_t)sizeof(f), "send: %s",
	      strerror(errno));
	n = port_rx_collect(port, m, 4, 0, 3000, NULL);
	CHECK(n == 4, "%d segments, want 4 (1446 bytes each but the last)", n);
	for (i = 0; i < n; i++) {
		const uint8_t *s = rte_pktmbuf_mtod(m[i], const uint8_t *);
		uint32_t pl = m[i]->pkt_len - 54;

		CHECK(m[i]->pkt_len <= 1514, "segment %d: %u bytes", i, m[i]->pkt_len);
		CHECK(l4_csum_ok(s, m[i]->pkt_len), "segment %d checksum", i);
		CHECK(off + pl <= PAY, "too much payload");
		memcpy(got_pay + off, s + 54, pl);
		off += pl;
	}
	CHECK(off == PAY && memcmp(got_pay, e + 54, PAY) == 0, "payload differs");
	CHECK(port_xstat(port, "rx_sw_gso_mss_lowered", &cut) == 0 && cut == 1,
	      "rx_sw_gso_mss_lowered %lu", cut);
out:
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
	if (fd >= 0)
		close(fd);
	if (port >= 0)
		port_close(port);
	peer_destroy(&p);
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

	if (peer_create(&p, "fr", 1500) < 0 || peer_raw_open(&p) < 0)
		return 1;
	port = port_open(&p, &cfg);
	CHECK(port >= 0, "port");
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
			CHECK(peer_send(&p, f, 34 + plen) == 0, "send");
		}
	}
	n = port_rx_collect(port, m, 5, 0x0800, 3000, qof);
	CHECK(n == 5, "%d of 5 fragments delivered", n);
	for (i = 0; i < n; i++) {
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m[i],
			const struct rte_ipv4_hdr *, 14);
		int s = ntohs(ip->packet_id) - 77;

		CHECK(s == 0 || s == 1, "unexpected frame");
		CHECK(m[i]->pkt_len == 14u + ntohs(ip->total_length), "length");
		if (q[s] < 0)
			q[s] = qof[i];
		CHECK(q[s] == qof[i], "set %d spread over queues %d and %u", s,
		      q[s], qof[i]);
	}
	CHECK(port_xstat(port, "rx_oversize_errors", &over) == 0 && over == 0,
	      "oversize %lu", over);
out:
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
	if (port >= 0)
		port_close(port);
	peer_destroy(&p);
	return 0;
}
