/* SPDX-License-Identifier: BSD-3-Clause
 * Offload cases: TX TSO/USO/checksums through virtio-net headers checked
 * segment by segment at a raw receiver, tx_prepare's refusals, and RX of
 * partial checksums and GSO super-frames from the real kernel stack.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include <rte_ethdev.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "tpk_pmd_test.h"
#include "tpk_v3.h"
#include "test_cases.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define TSO_PAYLOAD 64000
#define TSO_MSS 1400

/* Build an Ethernet/IP/TCP (or UDP) packet as an mbuf chain. */
static struct rte_mbuf *
l4_packet(const struct peer *p, bool v6, bool udp, uint32_t payload,
	  uint32_t seg_size, uint8_t *expect)
{
	const struct l4_hdr_spec hs = { .dst = p->remote_mac,
		.src = p->local_mac, .v6 = v6, .udp = udp, .saddr = 0x0a3a0001,
		.daddr = 0x0a3a0002, .ip_id = 0x1234, .sport = 4000,
		.dport = 5000, .seq = 1000000, .ack = 1,
		.tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, .win = 65535,
		.payload = payload };
	uint32_t l3 = v6 ? 40 : 20, l4 = udp ? 8 : 20, hl, i;
	struct rte_mbuf *head, *m;
	uint8_t h[128];

	hl = l4_hdr_make(h, &hs);
	for (i = 0; i < payload; i++)
		expect[i] = (uint8_t)(i * 13 + (i >> 8));

	head = mbuf_from(h, hl);
	if (head == NULL)
		return NULL;
	for (i = 0; i < payload; i += seg_size) {
		uint32_t n = RTE_MIN(seg_size, payload - i);

		m = mbuf_from(expect + i, n);
		if (m == NULL || rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(head);
			return NULL;
		}
	}
	head->l2_len = 14;
	head->l3_len = l3;
	head->l4_len = l4;
	return head;
}

/* Receive segments at the peer and check each and the reassembly. */
static int
check_segments(struct peer *p, bool v6, bool udp, uint32_t payload,
	       uint32_t mss, const uint8_t *expect)
{
	static uint8_t got[TSO_PAYLOAD + 100];
	uint8_t f[4096];
	uint32_t done = 0, nseg = 0, want_seg = (payload + mss - 1) / mss;
	uint32_t l3 = v6 ? 40 : 20, l4 = udp ? 8 : 20;

	while (done < payload) {
		int n = peer_recv(p, f, sizeof(f), v6 ? 0x86dd : 0x0800, 2000);
		uint8_t *ipp = f + 14, *l4p = ipp + l3;
		uint32_t plen, off;

		if (n < 0) {
			printf("  timeout after %u segments, %u bytes\n", nseg, done);
			return -1;
		}
		if ((v6 ? ipp[6] : ipp[9]) != (udp ? IPPROTO_UDP : IPPROTO_TCP) ||
		    ((l4p[2] << 8) | l4p[3]) != 5000)
			continue;
		plen = n - 14 - l3 - l4;
		if (plen > mss) {
			printf("  segment %u: payload %u > mss %u\n", nseg, plen, mss);
			return -1;
		}
		if (v6) {
			if (ntohs(((struct rte_ipv6_hdr *)ipp)->payload_len) != l4 + plen ||
			    rte_ipv6_udptcp_cksum_verify((void *)ipp, l4p) != 0) {
				printf("  segment %u: bad IPv6 length or L4 checksum\n", nseg);
				return -1;
			}
		} else {
			struct rte_ipv4_hdr *ip = (void *)ipp;

			if (ntohs(ip->total_length) != l3 + l4 + plen ||
			    rte_raw_cksum(ip, 20) != 0xffff ||
			    rte_ipv4_udptcp_cksum_verify(ip, l4p) != 0) {
				printf("  segment %u: bad IPv4 length/checksum or L4 checksum\n", nseg);
				return -1;
			}
		}
		if (udp) {
			if (ntohs(((struct rte_udp_hdr *)l4p)->dgram_len) != 8 + plen)
				return -1;
			off = done;	/* UDP segments come in order on a veth */
		} else {
			off = ntohl(((struct rte_tcp_hdr *)l4p)->sent_seq) - 1000000;
			if (off != done) {
				printf("  segment %u: seq offset %u, want %u\n", nseg, off, done);
				return -1;
			}
		}
		memcpy(got + off, l4p + l4, plen);
		done += plen;
		nseg++;
	}
	if (memcmp(got, expect, payload) != 0) {
		printf("  reassembled payload differs\n");
		return -1;
	}
	if (nseg != want_seg) {
		printf("  %u segments, want %u\n", nseg, want_seg);
		return -1;
	}
	printf("  %u segments of <= %u bytes, checksums valid, payload byte-exact\n",
	       nseg, mss);
	return 0;
}

/* The local veth end makes segments and checksums in software, so the
 * raw receiver sees frames exactly as they would leave a NIC. */
static int
tx_segmentation(bool v6, bool udp)
{
	struct peer p;
	struct port_cfg cfg = { .tx_offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
			RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
			(udp ? RTE_ETH_TX_OFFLOAD_UDP_TSO | RTE_ETH_TX_OFFLOAD_UDP_CKSUM :
			 RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_TCP_CKSUM),
		.ethtool_k = "tx off tso off gso off tx-udp-segmentation off" };
	static uint8_t expect[TSO_PAYLOAD];
	struct rte_eth_dev_info info;
	struct rte_eth_stats st;
	struct rte_mbuf *m = NULL;
	uint32_t payload = udp ? 20000 : TSO_PAYLOAD, mss = udp ? 1000 : TSO_MSS;
	int port = -1;

	port = peer_port_open(&p, udp ? "uso" : v6 ? "tso6" : "tso4", 1500,
			      PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	REQUIRE(rte_eth_dev_info_get(port, &info) == 0, out, "info");
	if (udp && !(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_UDP_TSO)) {
		peer_port_close(&p, port);
		return test_skip("no UDP segmentation offload (kernel before 6.2)");
	}
	m = l4_packet(&p, v6, udp, payload, 2000, expect);
	REQUIRE(m != NULL, out, "mbuf chain");
	m->ol_flags = (v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM) |
		(udp ? RTE_MBUF_F_TX_UDP_SEG | RTE_MBUF_F_TX_UDP_CKSUM :
		 RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM);
	m->tso_segsz = mss;
	printf("  one %u-byte payload in %u segments, mss %u\n", payload,
	       m->nb_segs, mss);
	REQUIRE(rte_eth_tx_prepare(port, 0, &m, 1) == 1, out, "tx_prepare: %s",
		rte_strerror(rte_errno));
	REQUIRE(rte_eth_tx_burst(port, 0, &m, 1) == 1, out, "tx_burst");
	m = NULL;
	REQUIRE(check_segments(&p, v6, udp, payload, mss, expect) == 0, out, "segments");
	REQUIRE(rte_eth_stats_get(port, &st) == 0 && st.opackets == 1 &&
		st.oerrors == 0, out, "stats");
out:
	if (m)
		rte_pktmbuf_free(m);
	peer_port_close(&p, port);
	return 0;
}

int test_tx_tso_v4(void) { return tx_segmentation(false, false); }
int test_tx_tso_v6(void) { return tx_segmentation(true, false); }
int test_tx_uso(void) { return tx_segmentation(false, true); }

int
test_tx_csum(void)
{
	struct peer p;
	struct port_cfg cfg = { .tx_offloads = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
			RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM,
		.ethtool_k = "tx off" };
	static uint8_t expect[2000];
	int port = -1, k;

	port = peer_port_open(&p, "csum", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	for (k = 0; k < 6; k++) {
		bool v6 = k & 1, udp = k & 2, nol4 = k & 4;
		uint32_t payload = 100 + k * 211;
		struct rte_mbuf *m = l4_packet(&p, v6, udp, payload, 1000, expect);

		REQUIRE(m != NULL, out, "mbuf");
		/* Garbage in the checksum fields: the PMD must not trust them. */
		if (!v6)
			rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14)->hdr_checksum = 0xbeef;
		m->ol_flags = (v6 ? RTE_MBUF_F_TX_IPV6 :
			       RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM) |
			(udp ? RTE_MBUF_F_TX_UDP_CKSUM : RTE_MBUF_F_TX_TCP_CKSUM);
		if (nol4)
			m->l4_len = 0;	/* DPDK does not need it for csum only */
		REQUIRE(rte_eth_tx_burst(port, 0, &m, 1) == 1, out, "tx");
		REQUIRE(check_segments(&p, v6, udp, payload, 1500, expect) == 0, out,
			"case %d (v6 %d udp %d)", k, v6, udp);
	}
out:
	peer_port_close(&p, port);
	return 0;
}

int
test_tx_prepare(void)
{
	struct peer p;
	struct port_cfg cfg = { .tx_offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
			RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_TSO |
			RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_TSO };
	static uint8_t expect[TSO_PAYLOAD];
	struct rte_eth_stats st;
	uint8_t f[2048];
	int port = -1, k, ncase = 0;
	uint64_t oerr = 0;

	port = peer_port_open(&p, "prep", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	for (k = 0; ; k++) {
		struct rte_mbuf *v[3], *bad = l4_packet(&p, false, false, 3000, 1000, expect);
		const char *what = NULL;
		int want = EINVAL, r;

		REQUIRE(bad != NULL, out, "mbuf");
		bad->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG |
			RTE_MBUF_F_TX_TCP_CKSUM;
		bad->tso_segsz = 1000;
		switch (k) {
		case 0: what = "tso_segsz 0"; bad->tso_segsz = 0; break;
		case 1: what = "l3_len 10"; bad->l3_len = 10; break;
		case 2: what = "IP checksum on IPv6";
			bad->ol_flags = RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_IP_CKSUM; break;
		case 3: what = "SCTP checksum on a frame above the MTU"; want = EMSGSIZE;
			bad->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_SCTP_CKSUM; break;
		case 4: what = "tunnel offload"; want = ENOTSUP;
			bad->ol_flags |= RTE_MBUF_F_TX_OUTER_IP_CKSUM | RTE_MBUF_F_TX_TUNNEL_VXLAN; break;
		case 5: what = "headers beyond the first segment"; bad->l4_len = 60;
			bad->data_len = 40; bad->pkt_len -= 14; bad->next->data_len += 0; break;
		case 6: what = "TSO and UDP segmentation together";
			bad->ol_flags |= RTE_MBUF_F_TX_UDP_SEG; break;
		case 7: what = "frame above the MTU without TSO"; want = EMSGSIZE;
			bad->ol_flags = 0; break;
		case 8: what = "TCP header length 12"; bad->l4_len = 12; break;
		case 9: what = "IPv4 and IPv6 flags";
			bad->ol_flags |= RTE_MBUF_F_TX_IPV6; break;
		default: rte_pktmbuf_free(bad); goto done;
		}
		if (k == 5) {
			/* Rebuild: a 40-byte first segment cannot hold 94 bytes of headers. */
			rte_pktmbuf_free(bad);
			bad = mbuf_from(f, 40);
			struct rte_mbuf *t = mbuf_from(f, 1000);

			rte_pktmbuf_chain(bad, t);
			bad->l2_len = 14; bad->l3_len = 20; bad->l4_len = 60;
			bad->tso_segsz = 500;
			bad->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG |
				RTE_MBUF_F_TX_TCP_CKSUM;
		}
		v[0] = mbuf_from(f, frame_make(f, p.remote_mac, p.local_mac, 2 * k, 80));
		v[1] = bad;
		v[2] = mbuf_from(f, frame_make(f, p.remote_mac, p.local_mac, 2 * k + 1, 90));
		rte_errno = 0;
		r = rte_eth_tx_prepare(port, 0, v, 3);
		if (r != 1 || rte_errno != want) {
			printf("  %s: tx_prepare returned %d errno %d, want 1 errno %d\n",
			       what, r, rte_errno, want);
			rte_pktmbuf_free_bulk(v, 3);
			REQUIRE(0, out, "tx_prepare accepted a malformed mbuf");
		}
		/* tx_burst defends itself: bad freed and counted, the rest sent. */
		r = port_tx_all(port, 0, v, 3, 1000);
		REQUIRE(r == 3, out, "%s: tx_burst took %d of 3", what, r);
		oerr++;
		for (int s = 0; s < 2; s++) {
			uint8_t g[2048];
			int n = peer_recv(&p, g, sizeof(g), TEST_ETHERTYPE, 1000);

			REQUIRE(n > 0 && rd_u32(g + 14) == (uint32_t)(2 * k + s), out,
				"%s: good frame %d not received after the bad one", what, s);
		}
		printf("  rejected: %s (%s)\n", what, strerror(want));
		ncase++;
	}
done:
	REQUIRE(rte_eth_stats_get(port, &st) == 0 && st.oerrors == oerr &&
		st.opackets == 2 * (uint64_t)ncase, out,
		"oerrors %lu (want %lu) opackets %lu", st.oerrors, oerr, st.opackets);
out:
	peer_port_close(&p, port);
	return 0;
}

/* ---- RX from the kernel's own TCP: two ports, the test forwards ---- */

struct xfer {
	const struct peer *p;
	uint32_t ip;		/* server address, host order */
	size_t bytes;
	int ok;
	volatile int done;
};

static uint8_t
pat(size_t i)
{
	return (uint8_t)(i * 31 + (i >> 10));
}

static void *
server_thread(void *arg)
{
	struct xfer *x = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(5201) };
	static uint8_t buf[65536];
	size_t got = 0;
	int ls, s, one = 1;

	peer_enter(x->p);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr.s_addr = htonl(x->ip);
	if (ls < 0 || bind(ls, (void *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0)
		goto out;
	struct timeval tv = { .tv_sec = 15 };
	setsockopt(ls, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	s = accept(ls, NULL, NULL);
	if (s < 0)
		goto out;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	x->ok = 1;
	for (;;) {
		ssize_t n = read(s, buf, sizeof(buf));

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != pat(got + i))
				x->ok = 0;
		got += n;
	}
	if (got != x->bytes)
		x->ok = 0;
	printf("  server received %zu bytes%s\n", got, x->ok ? ", pattern intact" : ", CORRUPT or short");
	close(s);
out:
	if (ls >= 0)
		close(ls);
	x->done = 1;
	return NULL;
}

static void *
client_thread(void *arg)
{
	struct xfer *x = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(5201) };
	static uint8_t buf[65536];
	size_t sent = 0;
	int s, tries;

	peer_enter(x->p);
	sa.sin_addr.s_addr = htonl(x->ip);
	for (tries = 0; tries < 50; tries++) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (void *)&sa, sizeof(sa)) == 0)
			break;
		close(s);
		s = -1;
		usleep(100000);
	}
	if (s >= 0) {
		while (sent < x->bytes) {
			size_t n = RTE_MIN(sizeof(buf), x->bytes - sent);
			ssize_t w;

			for (size_t i = 0; i < n; i++)
				buf[i] = pat(sent + i);
			w = write(s, buf, n);
			if (w <= 0)
				break;
			sent += w;
		}
		close(s);
	}
	x->done = 1;
	return NULL;
}

static long
csum_errors(const char *ns)
{
	char cmd[256];
	FILE *f;
	long v = -1;

	snprintf(cmd, sizeof(cmd),
		 "ip netns exec %s awk '/^Tcp:/ { if (h) print $(NF-1); h = 1 }' /proc/net/snmp", ns);
	f = popen(cmd, "r");
	if (f && fscanf(f, "%ld", &v) != 1)
		v = -1;
	if (f)
		pclose(f);
	return v;
}

enum rx_mode { RX_PLAIN, RX_CKSUM, RX_LRO };


/*
 * Kernel TCP through two ports, the test forwarding between them. With
 * app_meta the "application" rewrites the metadata it owns before
 * forwarding, as l3fwd --parse-ptype does (packet_type: L2/L3 only) and
 * clears the header lengths: the frames must still leave with correct
 * checksums (the driver finds the headers in the bytes).
 */
static int
rx_kernel_tcp_meta(enum rx_mode mode, bool app_meta)
{
	struct peer a, b;
	uint64_t rxo = mode == RX_CKSUM ? RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_IPV4_CKSUM :
		mode == RX_LRO ? RTE_ETH_RX_OFFLOAD_TCP_LRO : 0;
	struct port_cfg cfg = { .rx_offloads = rxo,
		.tx_offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
			RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM };
	struct xfer srv = { .ip = 0x0a380002, .bytes = 8 << 20 };
	struct xfer cli = { .ip = 0x0a380002, .bytes = 8 << 20 };
	pthread_t ts, tc;
	int pa = -1, pb = -1;
	uint64_t fwd = 0, big = 0, lro = 0, none = 0, bad_csum = 0, over = 0;
	uint64_t end;

	pa = peer_port_open(&a, "cli", 1500, 0, &cfg);
	pb = peer_port_open(&b, "srv", 1500, 0, &cfg);
	REQUIRE(pa >= 0 && pb >= 0, out);
	if (test_devargs == NULL) {
		/* rx_mode=auto: the V3 ring (x86), the V2 slots with LRO. */
		struct rte_eth_burst_mode bm;
		bool v2 = mode == RX_LRO || !TPK_V3_LIVE;

		REQUIRE(rte_eth_rx_burst_mode_get(pa, 0, &bm) == 0 &&
			strncmp(bm.info, v2 ? "TPACKET_V2 frames" : "TPACKET_V3 ring",
				v2 ? 17 : 15) == 0, out,
			"rx_mode=auto%s: burst mode '%s'", mode == RX_LRO ? " with LRO" : "",
			bm.info);
	}
	sh("ip -n %s addr add 10.56.0.1/16 dev %s", a.ns, a.remote);
	sh("ip -n %s addr add 10.56.0.2/16 dev %s", b.ns, b.remote);
	srv.p = &b;
	cli.p = &a;
	pthread_create(&ts, NULL, server_thread, &srv);
	usleep(200000);
	pthread_create(&tc, NULL, client_thread, &cli);

	end = now_ms() + 20000;
	while (!(srv.done && cli.done) && now_ms() < end) {
		for (int dir = 0; dir < 2; dir++) {
			int in = dir ? pb : pa, outp = dir ? pa : pb;
			struct rte_mbuf *v[32];
			uint16_t n = rte_eth_rx_burst(in, 0, v, 32), s;

			for (uint16_t i = 0; i < n; i++) {
				struct rte_mbuf *m = v[i];
				const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

				if (m->pkt_len > 1514)
					big++;
				if (m->ol_flags & RTE_MBUF_F_RX_LRO) {
					lro++;
					if (m->tso_segsz == 0 || m->tso_segsz > 1460)
						bad_csum++;
				}
				if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
				    RTE_MBUF_F_RX_L4_CKSUM_NONE)
					none++;
				/* Plain mode: every frame as on a wire. */
				if (mode == RX_PLAIN && d[12] == 0x08 && d[13] == 0 &&
				    d[23] == IPPROTO_TCP && m->nb_segs == 1) {
					const struct rte_ipv4_hdr *ip = (const void *)(d + 14);

					if (rte_ipv4_udptcp_cksum_verify(ip, ip + 1) != 0 ||
					    rte_raw_cksum(ip, 20) != 0xffff)
						bad_csum++;
				}
				if (m->pkt_len > 1514 && mode != RX_LRO)
					over++;
				if (app_meta) {
					m->packet_type = RTE_PTYPE_L2_ETHER |
						RTE_PTYPE_L3_IPV4;
					m->l2_len = m->l3_len = m->l4_len = 0;
				}
			}
			s = port_tx_all(outp, 0, v, n, 1000);
			rte_pktmbuf_free_bulk(v + s, n - s);
			fwd += n;
		}
	}
	pthread_join(tc, NULL);
	pthread_join(ts, NULL);
	printf("  forwarded %lu frames: %lu above 1514 B, %lu LRO, %lu csum-none\n",
	       fwd, big, lro, none);
	REQUIRE(srv.ok, out, "transfer failed or corrupt");
	REQUIRE(bad_csum == 0, out, "%lu frames with a wrong checksum or LRO size", bad_csum);
	REQUIRE(over == 0, out, "%lu super-frames delivered without LRO", over);
	if (mode == RX_LRO)
		REQUIRE(lro > 0 && big > 0, out, "no LRO super-frame delivered");
	if (mode == RX_CKSUM)
		REQUIRE(none > 0, out, "no frame reported with an unfinished checksum");
	if (mode == RX_PLAIN)
		REQUIRE(none == 0 && lro == 0, out, "offload flags without offloads");
	REQUIRE(csum_errors(a.ns) == 0 && csum_errors(b.ns) == 0, out,
		"TCP checksum errors in the namespaces: %ld %ld",
		csum_errors(a.ns), csum_errors(b.ns));
out:
	peer_port_close(&a, pa);
	peer_port_close(&b, pb);
	return 0;
}

int test_rx_tcp_plain(void) { return rx_kernel_tcp_meta(RX_PLAIN, false); }
int test_rx_tcp_cksum(void) { return rx_kernel_tcp_meta(RX_CKSUM, false); }
int test_rx_tcp_lro(void) { return rx_kernel_tcp_meta(RX_LRO, false); }
int test_rx_tcp_cksum_app_meta(void) { return rx_kernel_tcp_meta(RX_CKSUM, true); }
int test_rx_tcp_lro_app_meta(void) { return rx_kernel_tcp_meta(RX_LRO, true); }

int
test_rx_udp_gso(void)
{
	struct peer p;
	struct rte_mbuf *got[32];
	static uint8_t payload[10000], re[10000];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(7777) };
	uint32_t done = 0;
	int port = -1, n = 0, s = -1, gso = 1000, i;

	port = peer_port_open(&p, "ugso", 1500, 0, NULL);
	REQUIRE(port >= 0, out);
	sh("ip -n %s addr add 10.57.0.2/24 dev %s", p.ns, p.remote);
	{
		char mac[32];

		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 p.local_mac[0], p.local_mac[1], p.local_mac[2],
			 p.local_mac[3], p.local_mac[4], p.local_mac[5]);
		sh("ip -n %s neigh add 10.57.0.1 lladdr %s dev %s", p.ns, mac, p.remote);
	}
	for (i = 0; i < (int)sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	peer_enter(&p);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	ns_leave();
	REQUIRE(s >= 0, out, "udp socket");
	REQUIRE(setsockopt(s, SOL_UDP, UDP_SEGMENT, &gso, sizeof(gso)) == 0, out,
		"UDP_SEGMENT: %s", strerror(errno));
	sa.sin_addr.s_addr = htonl(0x0a390001);
	REQUIRE(sendto(s, payload, sizeof(payload), 0, (void *)&sa, sizeof(sa)) ==
		(ssize_t)sizeof(payload), out, "sendto: %s", strerror(errno));
	n = port_rx_collect(port, got, 10, 0x0800, 2000, NULL);
	REQUIRE(n == 10, out, "%d segments, want 10", n);
	for (i = 0; i < n; i++) {
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(got[i],
			const struct rte_ipv4_hdr *, 14);
		const struct rte_udp_hdr *u = (const void *)(ip + 1);
		uint32_t plen = got[i]->pkt_len - 42;

		REQUIRE(plen == 1000 && ntohs(u->dgram_len) == 1008 &&
			ntohs(ip->total_length) == 1028, out, "segment %d lengths", i);
		REQUIRE(rte_raw_cksum(ip, 20) == 0xffff &&
			rte_ipv4_udptcp_cksum_verify(ip, u) == 0, out, "segment %d checksums", i);
		REQUIRE((got[i]->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
			RTE_MBUF_F_RX_L4_CKSUM_GOOD, out, "segment %d flags", i);
		memcpy(re + done, (const uint8_t *)(u + 1), plen);
		done += plen;
	}
	REQUIRE(done == sizeof(payload) && memcmp(re, payload, done) == 0, out,
		"reassembled payload differs");
	if (test_devargs && strstr(test_devargs, "rx_mode=frames")) {
		uint64_t lf = 0, tr = 1;

		/* 10 kB do not fit a 2 kB slot: received whole, not cut off. */
		REQUIRE(port_xstat(port, "rx_q0_long_frames", &lf) == 0 && lf == 1 &&
			port_xstat(port, "rx_q0_truncated_errors", &tr) == 0 && tr == 0,
			out, "long_frames %lu, truncated %lu", lf, tr);
	}
out:
	rte_pktmbuf_free_bulk(got, n);
	if (s >= 0)
		close(s);
	peer_port_close(&p, port);
	return 0;
}

int
test_tx_ring_mode(void)
{
	struct peer p;
	struct port_cfg cfg = { .devargs_extra = "tx_mode=ring",
		.ethtool_k = "tx off tso off gso off",
		.tx_offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
			RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_TX_OFFLOAD_IPV4_CKSUM };
	static uint8_t expect[TSO_PAYLOAD];
	struct rte_mbuf *m;
	uint8_t f[2048], r[2048];
	int port = -1, i;

	port = peer_port_open(&p, "ring", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	for (i = 0; i < 500; i++) {
		size_t len = frame_make(f, p.remote_mac, p.local_mac, i, 60 + i * 3 % 1400);

		m = mbuf_from(f, len);
		REQUIRE(port_tx_all(port, 0, &m, 1, 1000) == 1, out, "tx %d", i);
		REQUIRE(peer_recv(&p, r, sizeof(r), TEST_ETHERTYPE, 1000) == (int)len &&
			memcmp(r, f, len) == 0, out, "frame %d", i);
	}
	m = l4_packet(&p, false, false, 30000, 2000, expect);
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
		RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM;
	m->tso_segsz = TSO_MSS;
	REQUIRE(port_tx_all(port, 0, &m, 1, 1000) == 1, out, "tx tso");
	REQUIRE(check_segments(&p, false, false, 30000, TSO_MSS, expect) == 0, out, "tso via ring");
out:
	peer_port_close(&p, port);
	return 0;
}
