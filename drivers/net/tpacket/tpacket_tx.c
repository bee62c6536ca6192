/* SPDX-License-Identifier: BSD-3-Clause
 * TX datapath. Each mbuf becomes one frame prefixed by a virtio-net
 * header that asks the kernel for the checksum and segmentation the mbuf
 * requests. Default mode: one sendmmsg() per burst with iovecs pointing
 * into the mbuf segments (one copy, done by the kernel). Ring mode: copy
 * into the V3 TX ring and kick it with one sendto() per burst.
 *
 * Packet headers that must change (pseudo-header sum, IPv4 checksum and
 * length, an inserted VLAN tag) are rewritten in a per-message scratch
 * copy, never in the mbuf, so shared and read-only mbufs are safe.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_branch_prediction.h>
#include <rte_net.h>

#include "tpacket_ethdev.h"
#include "tpk_coalesce.h"
#include "tpk_csum.h"

#define TPK_TX_OFFLOAD_MASK (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6 | \
	RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK | \
	RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG | RTE_MBUF_F_TX_VLAN)

#define TPK_TX_HDR_FLAGS (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK | \
	RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG)

/* What tx_burst will do with one mbuf. */
struct tpk_tx_plan {
	struct virtio_net_hdr vh;
	uint64_t ol;		/* TX offload flags in effect */
	uint32_t hdr_len;	/* bytes of the mbuf covered by the scratch */
	uint32_t out_hdr_len;	/* scratch bytes (hdr_len + inserted tag) */
	uint32_t wire_len;	/* frame bytes as sent */
	bool scratch;		/* headers are rewritten in a copy */
	/*
	 * A checksum request on a frame with Ethernet padding: the kernel
	 * would sum the padding too, so the L4 checksum (sw_l4_len bytes
	 * from sw_start, the field at sw_start + sw_off) is computed here
	 * and no NEEDS_CSUM goes to the kernel. 0: not such a frame.
	 */
	uint32_t sw_l4_len;
	uint16_t sw_start, sw_off;
};

/*
 * Largest frame m may be without a GSO request: the MTU plus the
 * Ethernet header, plus the tag when it has one (inserted or in the data).
 * The kernel refuses anything longer with EMSGSIZE.
 */
static inline uint32_t
tpk_tx_frame_max(const struct tpk_txq *txq, const struct rte_mbuf *m,
		 uint32_t ins)
{
	uint32_t tagged_max = __atomic_load_n(&txq->max_frame, __ATOMIC_RELAXED);
	uint8_t buf[14];
	const uint8_t *eth;

	if (ins)
		return tagged_max;
	eth = rte_pktmbuf_read(m, 0, sizeof(buf), buf);
	return eth != NULL && tpk_eth_tagged(eth) ? tagged_max : tagged_max - 4;
}

/*
 * TX offload flags a frame needs because of how it was received: a frame
 * that our RX delivered with its checksum unfinished (L4_CKSUM_NONE, the
 * application enabled RX checksum offload) or whole (LRO) still carries
 * the kernel's pseudo-header sum. Forwarded as is, it would leave with a
 * wrong checksum, so the kernel is asked to finish (and segment) it.
 */
static inline uint64_t
tpk_tx_flags(const struct rte_mbuf *m)
{
	uint64_t ol = m->ol_flags, tx;
	uint32_t pt = m->packet_type;

	if (likely(!(ol & RTE_MBUF_F_RX_LRO) &&
		   (ol & RTE_MBUF_F_RX_L4_CKSUM_MASK) !=
		   RTE_MBUF_F_RX_L4_CKSUM_NONE))
		return ol;
	if (ol & TPK_TX_HDR_FLAGS)
		return ol;	/* the application said what it wants */
	if (RTE_ETH_IS_IPV4_HDR(pt))
		tx = RTE_MBUF_F_TX_IPV4;
	else if (RTE_ETH_IS_IPV6_HDR(pt))
		tx = RTE_MBUF_F_TX_IPV6;
	else
		return ol;
	switch (pt & RTE_PTYPE_L4_MASK) {
	case RTE_PTYPE_L4_TCP:
		tx |= (ol & RTE_MBUF_F_RX_LRO) ? RTE_MBUF_F_TX_TCP_SEG :
			RTE_MBUF_F_TX_TCP_CKSUM;
		break;
	case RTE_PTYPE_L4_UDP:
		tx |= (ol & RTE_MBUF_F_RX_LRO) ? RTE_MBUF_F_TX_UDP_SEG :
			RTE_MBUF_F_TX_UDP_CKSUM;
		break;
	default:
		return ol;
	}
	return ol | tx;
}

/*
 * Validate m against what the kernel and this queue accept and describe
 * how to send it. Returns 0 or a negative errno (rte_errno style).
 */
static inline int
tpk_tx_plan(const struct tpk_txq *txq, const struct rte_mbuf *m,
	    struct tpk_tx_plan *p)
{
	uint64_t ol = tpk_tx_flags(m);
	uint32_t ins = (ol & RTE_MBUF_F_TX_VLAN) ? 4 : 0;
	struct tpk_tx_req r;

	if (unlikely(ol & (RTE_MBUF_F_TX_OFFLOAD_MASK & ~TPK_TX_OFFLOAD_MASK)))
		return -ENOTSUP;
	/* A VLAN tag goes in after the MAC addresses, read from segment 0. */
	if (unlikely(m->nb_segs > TPK_TX_MAX_SEGS || m->pkt_len < 14 ||
		     (ins && m->data_len < 12)))
		return -EINVAL;
	p->ol = ol;
	p->wire_len = m->pkt_len + ins;
	p->scratch = ins != 0;
	p->hdr_len = ins ? 12 : 0;
	memset(&p->vh, 0, sizeof(p->vh));

	p->sw_l4_len = 0;
	if (likely(!(ol & TPK_TX_HDR_FLAGS))) {
		if (unlikely(p->wire_len > tpk_tx_frame_max(txq, m, ins)))
			return -EMSGSIZE;
		p->out_hdr_len = p->hdr_len + ins;
		return 0;
	}

	/* Offloads: the headers must be where the lengths say they are. */
	r.l2_len = m->l2_len + ins;
	r.l3_len = m->l3_len;
	r.l4_len = m->l4_len;
	r.pkt_len = p->wire_len;
	r.segsz = m->tso_segsz;
	r.l3 = (ol & RTE_MBUF_F_TX_IPV4) ? TPK_L3_IPV4 :
		(ol & RTE_MBUF_F_TX_IPV6) ? TPK_L3_IPV6 : TPK_L3_NONE;
	if ((ol & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)) ==
	    (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6))
		return -EINVAL;
	if ((ol & RTE_MBUF_F_TX_IP_CKSUM) && r.l3 != TPK_L3_IPV4)
		return -EINVAL;
	r.gso = ol & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG);
	if ((ol & RTE_MBUF_F_TX_TCP_SEG) && (ol & RTE_MBUF_F_TX_UDP_SEG))
		return -EINVAL;
	if (ol & RTE_MBUF_F_TX_TCP_SEG)
		r.l4_proto = IPPROTO_TCP;
	else if (ol & RTE_MBUF_F_TX_UDP_SEG)
		r.l4_proto = IPPROTO_UDP;
	else if ((ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM)
		r.l4_proto = IPPROTO_TCP;
	else if ((ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_UDP_CKSUM)
		r.l4_proto = IPPROTO_UDP;
	else if ((ol & RTE_MBUF_F_TX_L4_MASK) != 0)
		return -ENOTSUP;	/* SCTP */
	else
		r.l4_proto = 0;
	r.l4_csum = r.l4_proto != 0;
	r.ecn = false;
	/* DPDK does not require l4_len for checksum-only requests. */
	if (r.l4_csum && !r.gso && r.l4_len == 0)
		r.l4_len = r.l4_proto == IPPROTO_TCP ? 20 : 8;

	if (!r.l4_csum) {
		/* IPv4 header checksum only. */
		if (r.l3 != TPK_L3_IPV4 || m->l2_len < 14 || r.l3_len < 20 ||
		    (uint32_t)m->l2_len + r.l3_len > m->data_len)
			return -EINVAL;
		if (p->wire_len > tpk_tx_frame_max(txq, m, ins))
			return -EMSGSIZE;
		p->hdr_len = m->l2_len + r.l3_len;
	} else {
		if (tpk_vnet_tx_fill(&r, &p->vh, txq->udp_gso) != TPK_TX_OK)
			return r.gso && r.l4_proto == IPPROTO_UDP &&
				!txq->udp_gso ? -ENOTSUP : -EINVAL;
		p->hdr_len = m->l2_len + r.l3_len + r.l4_len;
		if (p->hdr_len > m->data_len)
			return -EINVAL;	/* headers split over segments */
		if (!r.gso && p->wire_len > tpk_tx_frame_max(txq, m, ins))
			return -EMSGSIZE;
		if (!r.gso) {
			/* The IP header, not the frame, says where L4 ends. */
			struct tpk_pkt_info pi = { .l2_len = m->l2_len,
				.l3_len = r.l3_len, .l4_len = r.l4_len,
				.l3 = r.l3 };
			uint32_t end = tpk_l3_end(rte_pktmbuf_mtod(m,
						const uint8_t *), m->pkt_len, &pi);

			if (unlikely(end < m->pkt_len)) {
				p->sw_l4_len = end - m->l2_len - r.l3_len;
				p->sw_start = p->vh.csum_start;
				p->sw_off = p->vh.csum_offset;
				memset(&p->vh, 0, sizeof(p->vh));
			}
		}
		if (r.gso && r.l4_proto == IPPROTO_TCP &&
		    (rte_pktmbuf_mtod_offset(m, const uint8_t *,
					     p->hdr_len - r.l4_len)[13] & 0x80))
			p->vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	}
	if (p->hdr_len + ins > TPK_TX_HDR_MAX)
		return -EINVAL;
	if (!txq->vnet_len && (p->vh.flags || p->vh.gso_type))
		return -ENOTSUP;	/* vnet_hdr=0: no kernel offloads */
	p->out_hdr_len = p->hdr_len + ins;
	p->scratch = true;
	return 0;
}

/*
 * The L4 checksum of a padded frame, in software: its header part is in
 * out (the rewritten copy), its payload in m after hdr_len, up to where
 * the IP header says the packet ends. TCP and UDP headers have even
 * lengths, so the payload's sum lines up with the header's.
 */
static void
tpk_tx_sw_l4_csum(const struct rte_mbuf *m, const struct tpk_tx_plan *p,
		  uint8_t *out, struct tpk_pkt_info *pi)
{
	uint32_t in_hdr = p->out_hdr_len - p->sw_start;
	uint16_t pay = 0, c;
	uint64_t sum;

	pi->l4_proto = p->sw_off == 16 ? IPPROTO_TCP : IPPROTO_UDP;
	out[p->sw_start + p->sw_off] = out[p->sw_start + p->sw_off + 1] = 0;
	sum = tpk_csum_add(0, out + p->sw_start, in_hdr);
	if (p->sw_l4_len > in_hdr)
		rte_raw_cksum_mbuf(m, p->hdr_len, p->sw_l4_len - in_hdr, &pay);
	c = tpk_l4_pseudo(out, pi, p->sw_l4_len);
	sum = tpk_csum_add(sum, &c, 2);
	sum = tpk_csum_add(sum, &pay, 2);
	c = (uint16_t)~tpk_csum_fold(sum);
	if (c == 0 && pi->l4_proto == IPPROTO_UDP)
		c = 0xffff;
	memcpy(out + p->sw_start + p->sw_off, &c, 2);
}

/*
 * Build the rewritten headers of m in out: copy (inserting the VLAN tag),
 * then the IPv4 length and checksum and the L4 pseudo-header sum in the
 * kernel's convention (with the L4 length).
 */
static inline void
tpk_tx_headers(const struct rte_mbuf *m, const struct tpk_tx_plan *p,
	       uint8_t *out, struct tpk_txq_stats *st)
{
	const uint8_t *src = rte_pktmbuf_mtod(m, const uint8_t *);
	uint64_t ol = p->ol;
	uint32_t ins = p->out_hdr_len - p->hdr_len;
	struct tpk_pkt_info pi;
	uint8_t *ip;

	if (ins) {
		memcpy(out, src, 12);
		out[12] = 0x81;
		out[13] = 0x00;
		out[14] = m->vlan_tci >> 8;
		out[15] = m->vlan_tci & 0xff;
		memcpy(out + 16, src + 12, p->hdr_len - 12);
	} else {
		memcpy(out, src, p->hdr_len);
	}
	if (!(ol & TPK_TX_HDR_FLAGS))
		return;

	pi.l2_len = m->l2_len + ins;
	pi.l3_len = m->l3_len;
	pi.l4_len = m->l4_len;
	pi.l3 = (ol & RTE_MBUF_F_TX_IPV4) ? TPK_L3_IPV4 : TPK_L3_IPV6;
	ip = out + pi.l2_len;
	if (ol & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG)) {
		/* A super-frame the peer may get unsegmented: true lengths. */
		uint32_t l3_total = p->wire_len - pi.l2_len;

		if (pi.l3 == TPK_L3_IPV4) {
			ip[2] = l3_total >> 8;
			ip[3] = l3_total & 0xff;
		} else {
			ip[4] = (l3_total - 40) >> 8;
			ip[5] = (l3_total - 40) & 0xff;
		}
		st->tso++;
	}
	if (pi.l3 == TPK_L3_IPV4 &&
	    (ol & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_SEG |
		   RTE_MBUF_F_TX_UDP_SEG))) {
		tpk_ipv4_csum_set(ip, pi.l3_len);
		st->csum_sw++;
	}
	if (p->vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		uint16_t c;

		pi.l4_proto = p->vh.csum_offset == 16 ? IPPROTO_TCP :
			IPPROTO_UDP;
		/* The L4 length of the pseudo-header from the IP header (GSO
		 * frames: just rewritten to the frame's length). */
		c = tpk_l4_pseudo(out, &pi, tpk_l3_end(out, p->wire_len, &pi) -
				  p->vh.csum_start);
		memcpy(out + p->vh.csum_start + p->vh.csum_offset, &c, 2);
	} else if (unlikely(p->sw_l4_len != 0)) {
		tpk_tx_sw_l4_csum(m, p, out, &pi);
		st->l4_sw++;
	}
}

uint16_t
tpk_tx_prepare(void *q, struct rte_mbuf **bufs, uint16_t nb)
{
	struct tpk_txq *txq = q;
	struct tpk_tx_plan p;
	uint16_t i;
	int ret;

	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = bufs[i];

		ret = tpk_tx_plan(txq, m, &p);
		if (ret == 0 && (m->ol_flags & TPK_TX_HDR_FLAGS)) {
#ifdef RTE_LIBRTE_ETHDEV_DEBUG
			ret = rte_validate_tx_offload(m);
#endif
			/*
			 * Put the kernel's pseudo-header convention into the
			 * mbuf as well, for applications that read it back;
			 * tx_burst recomputes it in its scratch copy anyway.
			 */
			if (ret == 0 && p.vh.flags && !(m->ol_flags & RTE_MBUF_F_TX_VLAN) &&
			    rte_mbuf_refcnt_read(m) == 1 && RTE_MBUF_DIRECT(m)) {
				struct tpk_txq_stats st;
				uint8_t *h = rte_pktmbuf_mtod(m, uint8_t *);
				uint8_t tmp[TPK_TX_HDR_MAX];

				tpk_tx_headers(m, &p, tmp, &st);
				memcpy(h, tmp, p.hdr_len);
			}
		}
		if (ret != 0) {
			rte_errno = -ret;
			return i;
		}
	}
	return i;
}

static inline void
tpk_txq_drop(struct tpk_txq *txq, struct rte_mbuf *m)
{
	txq->st.malformed++;
	rte_pktmbuf_free(m);
}

/*
 * Whether the message that got err may succeed if sent again later. A
 * full socket (EAGAIN) or an interrupted call may; ENOBUFS (a full qdisc,
 * or a frame that a direct transmit always drops, such as a GSO frame on
 * a device without TSO under qdisc_bypass=1) is retried a bounded number
 * of calls in a row, so that a frame the kernel will never take cannot
 * stall the queue.
 */
static inline bool
tpk_tx_retryable(struct tpk_txq *txq, int err)
{
	if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR)
		return true;
	if (err == ENOBUFS && ++txq->nobufs < TPK_TX_NOBUFS_RETRIES)
		return true;
	txq->nobufs = 0;
	return false;
}

/*
 * TX flags a segment of a coalesced run may carry: checksums it wants
 * computed (the kernel computes them for every segment it cuts from the
 * merged frame) and a TSO request that would not cut it.
 */
#define TPK_TX_COAL_FLAGS (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6 | \
	RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_TCP_SEG)

/*
 * Cheap test that m could be part of a coalesced run: one segment, no
 * offload but the above (asked explicitly or by how it was received), an
 * Ethernet IPv4/IPv6 TCP frame that fits the MTU. Sets *off to the
 * checksums not to check (TPK_COAL_*). The full checks, checksums
 * included, are tpk_coal_start/add's and tpk_tx_coal_lens_ok's.
 */
static inline bool
tpk_tx_coal_cand(const struct tpk_txq *txq, const struct rte_mbuf *m,
		 unsigned int *off)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint64_t ol;

	/* Untagged frames only (below): the MTU limit without a tag. */
	if (m->nb_segs != 1 || m->pkt_len > txq->max_frame - 4 ||
	    m->pkt_len < 14 + 40 + 20 + 1)
		return false;
	ol = tpk_tx_flags(m) & RTE_MBUF_F_TX_OFFLOAD_MASK;
	*off = 0;
	if (unlikely(ol != 0)) {
		if (ol & ~TPK_TX_COAL_FLAGS)
			return false;
		/* TSO rewrites the IPv4 checksum too (tpk_tx_headers). */
		if (ol & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_SEG))
			*off |= TPK_COAL_IP_CSUM;
		if (ol & (RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_TCP_SEG))
			*off |= TPK_COAL_L4_CSUM;
	}
	if (d[12] == 0x08 && d[13] == 0x00)
		return d[14 + 9] == IPPROTO_TCP;
	return d[12] == 0x86 && d[13] == 0xdd && d[14 + 6] == IPPROTO_TCP;
}

/*
 * With offload flags (only then: *off of tpk_tx_coal_cand is non-zero
 * exactly when m carries one), merging must not change what the request
 * meant:
 * the headers are where m's lengths put them, the IP version is the one
 * flagged, and a TSO request would have sent the frame uncut.
 */
static inline bool
tpk_tx_coal_lens_ok(const struct tpk_coal *c, const struct rte_mbuf *m)
{
	uint64_t ol = tpk_tx_flags(m);

	if (likely(!(ol & TPK_TX_HDR_FLAGS)))
		return true;
	if (m->l2_len != c->pi.l2_len || m->l3_len != c->pi.l3_len ||
	    !(ol & (c->pi.l3 == TPK_L3_IPV4 ? RTE_MBUF_F_TX_IPV4 :
		    RTE_MBUF_F_TX_IPV6)) ||
	    (ol & RTE_MBUF_F_TX_IPV4 && ol & RTE_MBUF_F_TX_IPV6))
		return false;
	if (ol & RTE_MBUF_F_TX_IP_CKSUM && c->pi.l3 != TPK_L3_IPV4)
		return false;
	return !(ol & RTE_MBUF_F_TX_TCP_SEG) ||
		(m->l4_len == c->pi.l4_len &&
		 m->pkt_len - c->hdr_len <= m->tso_segsz);
}

/* Same L3 addresses and L4 ports as the candidate head h, cheaply. */
static inline bool
tpk_tx_coal_same_flow(const struct rte_mbuf *h, const struct rte_mbuf *m)
{
	const uint8_t *a = rte_pktmbuf_mtod(h, const uint8_t *);
	const uint8_t *b = rte_pktmbuf_mtod(m, const uint8_t *);

	if (a[12] != b[12] || a[13] != b[13])
		return false;
	if (a[12] == 0x08)	/* IPv4 without options: addresses, ports */
		return a[14] == 0x45 && b[14] == 0x45 &&
			memcmp(a + 26, b + 26, 12) == 0;
	return memcmp(a + 22, b + 22, 36) == 0;
}

/*
 * Merge the run of TCP segments starting at bufs[i] (at most lim mbufs)
 * into one GSO frame whose vnet header and headers go to th. Returns the
 * number of mbufs merged, or 0 when there is no run of two or more.
 */
static inline uint16_t
tpk_tx_coalesce(struct tpk_txq *txq, struct rte_mbuf **bufs, uint16_t i,
		uint16_t lim, struct tpk_txhdr *th, struct tpk_coal *c)
{
	struct rte_mbuf *h = bufs[i];
	const uint8_t *hd = rte_pktmbuf_mtod(h, const uint8_t *);
	unsigned int off, off1;
	struct tpk_tx_req r;
	uint16_t n;

	if (lim < 2 || !tpk_tx_coal_cand(txq, h, &off) ||
	    !tpk_tx_coal_cand(txq, bufs[i + 1], &off1) ||
	    !tpk_tx_coal_same_flow(h, bufs[i + 1]))
		return 0;
	if (tpk_coal_start(c, hd, h->data_len, off) < 0 ||
	    (off && !tpk_tx_coal_lens_ok(c, h)))
		return 0;
	for (n = 1; n < lim; n++) {
		struct rte_mbuf *m = bufs[i + n];

		/* bufs[i + 1] passed the cheap test above already. */
		if ((n > 1 && !tpk_tx_coal_cand(txq, m, &off1)) ||
		    (off1 && !tpk_tx_coal_lens_ok(c, m)) ||
		    tpk_coal_add(c, hd, rte_pktmbuf_mtod(m, const uint8_t *),
				 m->data_len, off1) < 0)
			break;
	}
	if (n < 2)
		return 0;
	tpk_coal_finish(c, hd, th->hdr, &r);
	memset(&th->vh, 0, sizeof(th->vh));
	if (tpk_vnet_tx_fill(&r, &th->vh, txq->udp_gso) != TPK_TX_OK)
		return 0;
	return n;
}

/*
 * sendmmsg mode. Messages are built for the mbufs in [done, end); the
 * kernel takes a prefix of them. Anything after the first message it
 * could not take (full socket) stays with the caller, in order.
 */
static uint16_t
tpk_tx_sendmmsg(struct tpk_txq *txq, struct rte_mbuf **bufs, uint16_t nb)
{
	struct rte_mbuf *to_free[TPK_TX_BATCH * 2];
	uint16_t done = 0;

	while (done < nb) {
		uint16_t nmsg = 0, niov = 0, nfree = 0, i, k;
		uint16_t bad[TPK_TX_BATCH];
		bool big[TPK_TX_BATCH];
		uint16_t nbad = 0, end, lim;
		bool full = false;

		/* At most 2 * TPK_TX_BATCH mbufs per round: the size of to_free. */
		lim = RTE_MIN(nb, done + 2 * TPK_TX_BATCH);
		for (i = done; i < lim && nmsg < TPK_TX_BATCH &&
		     nbad < TPK_TX_BATCH; i++) {
			struct rte_mbuf *m = bufs[i], *s;
			struct tpk_txhdr *th = &txq->hdr[nmsg];
			struct msghdr *mh = &txq->msg[nmsg].msg_hdr;
			struct iovec *iov = &txq->iov[niov];
			struct tpk_tx_plan p;
			struct tpk_coal c;
			uint32_t skip, nio = 0;
			uint16_t run;

			if (niov + m->nb_segs + 2 > TPK_TX_IOV)
				break;
			run = txq->coalesce ? tpk_tx_coalesce(txq, bufs, i,
				RTE_MIN(lim - i, TPK_TX_IOV - niov - 2),
				th, &c) : 0;
			if (run) {
				/* vnet header, merged headers, each payload. */
				iov[nio].iov_base = &th->vh;
				iov[nio++].iov_len = txq->vnet_len;
				iov[nio].iov_base = th->hdr;
				iov[nio++].iov_len = c.hdr_len;
				for (uint16_t j = 0; j < run; j++) {
					s = bufs[i + j];
					iov[nio].iov_base = rte_pktmbuf_mtod_offset(
						s, void *, c.hdr_len);
					iov[nio++].iov_len = s->data_len -
						c.hdr_len;
				}
			} else {
				int rc = tpk_tx_plan(txq, m, &p);

				if (unlikely(rc != 0)) {
					/* Too long for the interface: what the
					 * kernel would refuse, counted so. */
					big[nbad] = rc == -EMSGSIZE;
					bad[nbad++] = i;
					continue;
				}
				if (txq->vnet_len) {
					th->vh = p.vh;
					iov[nio].iov_base = &th->vh;
					iov[nio++].iov_len = txq->vnet_len;
				}
				skip = 0;
				if (p.scratch) {
					tpk_tx_headers(m, &p, th->hdr, &txq->st);
					iov[nio].iov_base = th->hdr;
					iov[nio++].iov_len = p.out_hdr_len;
					skip = p.hdr_len;
				}
				for (s = m; s != NULL; s = s->next) {
					if (skip >= s->data_len) {
						skip -= s->data_len;
						continue;
					}
					iov[nio].iov_base = rte_pktmbuf_mtod_offset(
						s, void *, skip);
					iov[nio++].iov_len = s->data_len - skip;
					skip = 0;
				}
				run = 1;
			}
			memset(mh, 0, sizeof(*mh));
			mh->msg_iov = iov;
			mh->msg_iovlen = nio;
			txq->cnt[nmsg] = run;
			txq->idx[nmsg++] = i;
			niov += nio;
			i += run - 1;
		}
		end = i;

		/* Hand the messages to the kernel: one call when all goes well. */
		k = 0;
		while (k < nmsg) {
			int r = sendmmsg(txq->fd, &txq->msg[k], nmsg - k,
					 MSG_DONTWAIT);
			int err;

			txq->st.syscalls++;
			if (r > 0) {
				txq->nobufs = 0;
				for (int j = k; j < k + r; j++) {
					for (int x = 0; x < txq->cnt[j]; x++)
						txq->st.bytes += bufs[txq->idx[j] +
							x]->pkt_len;
					txq->st.pkts += txq->cnt[j];
					if (txq->cnt[j] > 1) {
						txq->st.coal_frames++;
						txq->st.coal_segs += txq->cnt[j];
					}
				}
				k += r;
				if (k == nmsg)
					break;
				/*
				 * A short count is either a full socket or a
				 * message the kernel refused; the latter's
				 * error is parked in SO_ERROR.
				 */
				socklen_t sl = sizeof(err);

				err = 0;
				getsockopt(txq->fd, SOL_SOCKET, SO_ERROR, &err,
					   &sl);
				/*
				 * No parked error (sendmmsg drops a mid-batch
				 * one): send again from message k, which then
				 * fails alone with its own errno, or with
				 * EAGAIN if the socket is what is full.
				 */
				if (err == 0)
					continue;
				if (tpk_tx_retryable(txq, err)) {
					full = true;
					break;
				}
			} else {
				err = errno;
				if (tpk_tx_retryable(txq, err)) {
					full = true;
					break;
				}
			}
			if (err == ENXIO || err == ENODEV || err == ENETDOWN) {
				/* No device: refuse the whole batch at once. */
				for (; k < nmsg; k++)
					txq->st.rejected += txq->cnt[k];
				break;
			}
			/* Message k was refused: drop it, go on after it. */
			txq->st.rejected += txq->cnt[k];
			k++;
		}
		if (full) {
			txq->st.eagain++;
			end = txq->idx[k];
		}
		for (i = 0; i < k; i++)
			for (uint16_t x = 0; x < txq->cnt[i]; x++)
				to_free[nfree++] = bufs[txq->idx[i] + x];
		for (i = 0; i < nbad && bad[i] < end; i++) {
			if (big[i])
				txq->st.rejected++;
			else
				txq->st.malformed++;
			to_free[nfree++] = bufs[bad[i]];
		}
		rte_pktmbuf_free_bulk(to_free, nfree);
		done = end;
		if (full)
			break;
	}
	return done;
}

/* TX ring mode: copy into slots, one kick per burst. */
static uint16_t
tpk_tx_ring(struct tpk_txq *txq, struct rte_mbuf **bufs, uint16_t nb)
{
	struct tpk_ring *r = &txq->ring;
	uint32_t cap = r->frame_size - TPACKET_ALIGN(sizeof(struct tpacket3_hdr));
	uint8_t *tx_base = r->map + (size_t)r->block_size * r->nb_blocks;
	uint16_t i, queued = 0;

	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = bufs[i], *s;
		struct tpacket3_hdr *h = (struct tpacket3_hdr *)
			(tx_base + (size_t)txq->head * r->frame_size);
		uint8_t *d = (uint8_t *)h + TPACKET_ALIGN(sizeof(*h));
		struct tpk_tx_plan p;
		uint32_t st, off, skip;
		int ret;

		st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
		if (st & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING)) {
			txq->st.eagain++;
			break;
		}
		ret = tpk_tx_plan(txq, m, &p);
		if (unlikely(ret != 0 || p.wire_len + txq->vnet_len > cap)) {
			if (ret == -EMSGSIZE) {
				/* The TX ring has no MTU check of its own. */
				txq->st.rejected++;
				rte_pktmbuf_free(m);
			} else {
				tpk_txq_drop(txq, m);
			}
			continue;
		}
		off = 0;
		if (txq->vnet_len) {
			memcpy(d, &p.vh, txq->vnet_len);
			off = txq->vnet_len;
		}
		skip = 0;
		if (p.scratch) {
			tpk_tx_headers(m, &p, d + off, &txq->st);
			off += p.out_hdr_len;
			skip = p.hdr_len;
		}
		for (s = m; s != NULL; s = s->next) {
			if (skip >= s->data_len) {
				skip -= s->data_len;
				continue;
			}
			rte_memcpy(d + off, rte_pktmbuf_mtod_offset(s, void *,
								    skip),
				   s->data_len - skip);
			off += s->data_len - skip;
			skip = 0;
		}
		h->tp_len = off;
		h->tp_snaplen = off;
		h->tp_next_offset = 0;
		/* The frame must be complete before the kernel may read it. */
		__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST,
				 __ATOMIC_RELEASE);
		if (++txq->head == r->nb_frames)
			txq->head = 0;
		txq->st.pkts++;
		txq->st.bytes += m->pkt_len;
		rte_pktmbuf_free(m);
		queued++;
	}
	if (queued) {
		txq->st.syscalls++;
		/*
		 * EAGAIN leaves frames queued; the next kick sends them. Other
		 * errors (device down) lose the queued frames, which are
		 * already counted as sent: PACKET_LOSS skips them silently.
		 */
		(void)sendto(txq->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
	}
	return i;
}

uint16_t
tpk_tx_burst(void *q, struct rte_mbuf **bufs, uint16_t nb)
{
	struct tpk_txq *txq = q;

	if (unlikely(nb == 0 || txq->fd < 0))
		return 0;
	if (unlikely(*txq->gone)) {
		/* Nowhere to send to: take the frames so the app never spins. */
		txq->st.rejected += nb;
		rte_pktmbuf_free_bulk(bufs, nb);
		return nb;
	}
	if (txq->mode == TPK_TX_RING)
		return tpk_tx_ring(txq, bufs, nb);
	return tpk_tx_sendmmsg(txq, bufs, nb);
}
