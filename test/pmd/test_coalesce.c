/* SPDX-License-Identifier: BSD-3-Clause
 * TX coalescing: a burst of ready-made TCP segments (no offload flags,
 * as testpmd's io engine forwards them, or checksum offload requests, as
 * its csum engine sends them) leaves as GSO frames, and the
 * wire must not tell. The local veth has TSO and checksum offload off,
 * so the kernel segments the merged frames in software and the raw
 * receiver in the peer namespace sees every frame as a NIC would send
 * it: each must equal the mbuf we gave, byte for byte, in order.
 */

#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "tpk_pmd_test.h"
#include "test_cases.h"

#define NSEG 20
#define MSS 1000
#define SPORT 4000
#define DPORT 5000

static uint8_t frames[NSEG][14 + 40 + 20 + MSS];
static uint32_t flen[NSEG];

/*
 * Segments k of a flow as its sender's TSO would cut them: payload MSS
 * (the last one 500 bytes, with PSH), contiguous sequence numbers and
 * IPv4 ids, valid checksums. bad: index whose TCP checksum is broken.
 */
static void
build_flow(const struct peer *p, bool v6, uint16_t sport, int bad)
{
	struct l4_hdr_spec hs = { .dst = p->remote_mac, .src = p->local_mac,
		.v6 = v6, .saddr = 0x0a3b0001, .daddr = 0x0a3b0002,
		.flow_label = 0x12345, .frag_off = RTE_IPV4_HDR_DF_FLAG,
		.ip_cksum = true, .sport = sport, .dport = DPORT, .ack = 77,
		.win = 1000, .seq = 0xfffff000u };
	int k;

	for (k = 0; k < NSEG; k++) {
		uint32_t pay = k == NSEG - 1 ? 500 : MSS, i, hl;
		uint8_t *f = frames[k];

		hs.payload = pay;
		hs.ip_id = (uint16_t)(0xfff8 + k);
		hs.tcp_flags = RTE_TCP_ACK_FLAG |
			(k == NSEG - 1 ? RTE_TCP_PSH_FLAG : 0);
		hl = l4_hdr_make(f, &hs);
		for (i = 0; i < pay; i++)
			f[hl + i] = (uint8_t)(k * 31 + i * 7 + sport);
		l4_cksum_fill(f, &hs);
		if (k == bad) {
			/* Break the TCP checksum (bytes 16-17 of the header). */
			f[hl - 4] ^= 0x01;
			f[hl - 3] ^= 0x01;
		}
		flen[k] = hl + pay;
		hs.seq += pay;
	}
}

/*
 * Send frames[order[]] in one burst; the peer must see them unchanged.
 * ol: TX checksum offload flags; the mbufs then carry checksum fields as
 * an application leaves them (zero), and the peer must see the frames
 * with the checksums the kernel computed, equal to frames[]'s.
 */
static int
send_check(struct peer *p, int port, const int *order, int n, uint64_t ol)
{
	struct rte_mbuf *m[NSEG * 2];
	uint8_t got[2048];
	int k;

	for (k = 0; k < n; k++) {
		m[k] = mbuf_from(frames[order[k]], flen[order[k]]);
		if (m[k] == NULL)
			return -1;
		if (ol) {
			uint8_t *d = rte_pktmbuf_mtod(m[k], uint8_t *);
			bool v4 = ol & RTE_MBUF_F_TX_IPV4;

			m[k]->ol_flags = ol;
			m[k]->l2_len = 14;
			m[k]->l3_len = v4 ? 20 : 40;
			m[k]->l4_len = 20;
			m[k]->tso_segsz = MSS;
			memset(d + 14 + m[k]->l3_len + 16, 0, 2);
			/* TSO rewrites the IPv4 checksum as well. */
			if (ol & (RTE_MBUF_F_TX_IP_CKSUM |
				  RTE_MBUF_F_TX_TCP_SEG))
				memset(d + 14 + 10, 0, 2);
		}
	}
	if (ol && rte_eth_tx_prepare(port, 0, m, n) != n) {
		printf("  tx_prepare refused mbuf: %s\n",
		       rte_strerror(rte_errno));
		rte_pktmbuf_free_bulk(m, n);
		return -1;
	}
	if (port_tx_all(port, 0, m, n, 2000) != n)
		return -1;
	for (k = 0; k < n; k++) {
		int len;

		do {
			len = peer_recv(p, got, sizeof(got),
					0, 2000);
			if (len < 0) {
				printf("  frame %d of %d not received\n", k, n);
				return -1;
			}
		} while (len < 14 + 40 + 20 ||
			 !((got[12] == 0x08 && got[14 + 9] == IPPROTO_TCP) ||
			   (got[12] == 0x86 && got[14 + 6] == IPPROTO_TCP)));
		if ((uint32_t)len != flen[order[k]] ||
		    memcmp(got, frames[order[k]], len) != 0) {
			printf("  frame %d (segment %d): %d bytes, not as sent\n",
			       k, order[k], len);
			return -1;
		}
	}
	return 0;
}

static int
coalesce_case(bool enabled)
{
	struct peer p;
	/* The kernel segments (and checksums) in software on the way out. */
	struct port_cfg cfg = { .devargs_extra = enabled ? NULL : "tx_coalesce=0",
		.ethtool_k = "tx off tso off gso off",
		.tx_offloads = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
			RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_TX_OFFLOAD_TCP_TSO };
	struct rte_eth_stats st;
	uint64_t cf = 0, cs = 0, bytes = 0;
	int order[NSEG], k, port = -1, v6;

	port = peer_port_open(&p, enabled ? "coal" : "nocoal", 1500, PEER_RAW,
			      &cfg);
	REQUIRE(port >= 0, out);
	for (k = 0; k < NSEG; k++)
		order[k] = k;

	for (v6 = 0; v6 <= 1; v6++) {
		/* One flow, 20 segments: one GSO frame. */
		build_flow(&p, v6, SPORT, -1);
		REQUIRE(send_check(&p, port, order, NSEG, 0) == 0, out,
			"IPv%d run", v6 ? 6 : 4);
		for (k = 0; k < NSEG; k++)
			bytes += flen[k];
		REQUIRE(port_xstat(port, "tx_coalesced_frames", &cf) == 0 &&
			port_xstat(port, "tx_coalesced_segments", &cs) == 0, out,
			"xstats");
		REQUIRE(cf == (enabled ? 1u + 3 * v6 : 0) &&
			cs == (enabled ? NSEG + (NSEG + 19) * (uint64_t)v6 : 0), out,
			"IPv%d run: %lu frames, %lu segments coalesced",
			v6 ? 6 : 4, cf, cs);

		/*
		 * A broken checksum in the middle: segments 0-6 and 8-19 are
		 * merged, 7 goes alone and arrives still broken (never
		 * "repaired" by a fresh kernel checksum).
		 */
		build_flow(&p, v6, SPORT, 7);
		REQUIRE(send_check(&p, port, order, NSEG, 0) == 0, out,
			"IPv%d run with a bad checksum", v6 ? 6 : 4);
		for (k = 0; k < NSEG; k++)
			bytes += flen[k];
		REQUIRE(port_xstat(port, "tx_coalesced_frames", &cf) == 0 &&
			port_xstat(port, "tx_coalesced_segments", &cs) == 0 &&
			cf == (enabled ? 3u + 3 * v6 : 0) &&
			cs == (enabled ? NSEG + 19 + (NSEG + 19) * (uint64_t)v6 :
			     0), out,
			"bad checksum run: %lu frames, %lu segments", cf, cs);
	}

	/* Two flows interleaved: nothing to merge, order kept. */
	{
		static uint8_t a[NSEG][sizeof(frames[0])];
		static uint32_t alen[NSEG];
		int ord2[NSEG];

		build_flow(&p, false, SPORT + 1, -1);
		memcpy(a, frames, sizeof(a));
		memcpy(alen, flen, sizeof(alen));
		build_flow(&p, false, SPORT + 2, -1);
		/* frames[0..9] <- alternate A0 B0 A1 B1 ... */
		for (k = 0; k < NSEG / 2; k++) {
			memcpy(frames[NSEG / 2 + k], frames[k], sizeof(frames[0]));
			flen[NSEG / 2 + k] = flen[k];
		}
		for (k = 0; k < NSEG / 2; k++) {
			memcpy(frames[2 * k], a[k], sizeof(frames[0]));
			flen[2 * k] = alen[k];
			memcpy(frames[2 * k + 1], frames[NSEG / 2 + k],
			       sizeof(frames[0]));
			flen[2 * k + 1] = flen[NSEG / 2 + k];
		}
		for (k = 0; k < NSEG; k++) {
			ord2[k] = k;
			bytes += flen[k];
		}
		REQUIRE(send_check(&p, port, ord2, NSEG, 0) == 0, out, "interleaved");
		REQUIRE(port_xstat(port, "tx_coalesced_frames", &cf) == 0 &&
			cf == (enabled ? 6u : 0), out, "interleaved flows merged: %lu",
			cf);
	}

	/*
	 * Checksum offload requests, as testpmd's csum engine makes them:
	 * the runs merge all the same (IPv4 with IP and TCP checksums to
	 * compute, IPv6 with TCP, IPv4 with a TSO request at the MSS that
	 * cuts nothing) and every frame arrives with the checksums a NIC
	 * would have written.
	 */
	for (v6 = 0; v6 <= 2; v6++) {
		static const uint64_t ol[] = {
			RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
				RTE_MBUF_F_TX_TCP_CKSUM,
			RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_CKSUM,
			RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG |
				RTE_MBUF_F_TX_TCP_CKSUM,
		};

		build_flow(&p, v6 == 1, SPORT + 3, -1);
		REQUIRE(send_check(&p, port, order, NSEG, ol[v6]) == 0, out,
			"run with offload flags %#lx", ol[v6]);
		for (k = 0; k < NSEG; k++)
			bytes += flen[k];
	}
	REQUIRE(port_xstat(port, "tx_coalesced_frames", &cf) == 0 &&
		port_xstat(port, "tx_coalesced_segments", &cs) == 0 &&
		cf == (enabled ? 9u : 0) &&
		cs == (enabled ? 2 * (NSEG + 19) + 3u * NSEG : 0), out,
		"offloaded runs: %lu frames, %lu segments", cf, cs);
	REQUIRE(rte_eth_stats_get(port, &st) == 0 && st.opackets == 8 * NSEG &&
		st.obytes == bytes && st.oerrors == 0, out,
		"stats: %lu packets %lu bytes, want %d %lu", st.opackets,
		st.obytes, 8 * NSEG, bytes);
	printf("  %lu GSO frames carried %lu of %d segments, all byte-exact\n",
	       cf, cs, 8 * NSEG);
out:
	peer_port_close(&p, port);
	return 0;
}

int
test_tx_coalesce(void)
{
	int r = coalesce_case(true);

	return r ? r : coalesce_case(false);
}

/*
 * qdisc_bypass=1 on a device without TSO: the kernel's direct transmit
 * drops a GSO frame (ENOBUFS) instead of segmenting it, every time. The
 * queue must give up on that frame after a bounded number of calls,
 * count it, and go on sending; coalescing is off in that mode.
 */
int
test_tx_bypass_gso(void)
{
	struct peer p;
	struct port_cfg cfg = { .devargs_extra = "qdisc_bypass=1",
		.ethtool_k = "tx off tso off gso off",
		.tx_offloads = RTE_ETH_TX_OFFLOAD_TCP_TSO |
			RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_TX_OFFLOAD_IPV4_CKSUM };
	struct rte_mbuf *m;
	uint64_t rej = 0, cf = 1;
	int order[NSEG], k, port = -1, sent = 0;
	uint64_t t0;

	port = peer_port_open(&p, "bypass", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);

	/* A TSO request: a 1400-byte payload in two 700-byte segments. */
	build_flow(&p, false, SPORT, -1);
	m = mbuf_from(frames[0], 14 + 20 + 20 + 1400);
	REQUIRE(m != NULL, out, "mbuf");
	m->l2_len = 14;
	m->l3_len = 20;
	m->l4_len = 20;
	m->tso_segsz = 700;
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
		RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM;
	REQUIRE(rte_eth_tx_prepare(port, 0, &m, 1) == 1, out, "tx_prepare");
	t0 = now_ms();
	for (k = 0; k < 1000 && !sent; k++)
		sent = rte_eth_tx_burst(port, 0, &m, 1);
	if (!sent)
		rte_pktmbuf_free(m);
	REQUIRE(sent == 1, out, "a GSO frame the kernel always drops stalled the "
		"queue for %d calls", k);
	REQUIRE(port_xstat(port, "tx_kernel_rejected_errors", &rej) == 0 &&
		rej == 1, out, "rejected %lu", rej);
	printf("  GSO frame dropped by the direct transmit after %d calls "
	       "(%lu ms), counted\n", k, now_ms() - t0);

	/* Plain segments still go, one by one and unchanged. */
	for (k = 0; k < NSEG; k++)
		order[k] = k;
	REQUIRE(send_check(&p, port, order, NSEG, 0) == 0, out, "segments after it");
	REQUIRE(port_xstat(port, "tx_coalesced_frames", &cf) == 0 && cf == 0, out,
		"coalesced under qdisc_bypass: %lu", cf);
out:
	peer_port_close(&p, port);
	return 0;
}
