/* SPDX-License-Identifier: BSD-3-Clause
 * TX datapath. Each mbuf becomes one frame prefixed by a virtio-net
 * header that asks the kernel for the checksum and segmentation the mbuf
 * requests. Default mode: one sendmmsg() per burst with iovecs pointing
 * into the mbuf segments (one copy, done by the kernel). Ring mode: copy
 * into the V3 TX ring and kick it with one sendto() per burst.
 *
 * Packet headers that must change (pseudo-header sum, IPv4 checksum and
 * length, an inserted VLAN tag) are written by lib's TX header builder
 * (tpk_txhdr.h) into a per-message scratch copy, never into the mbuf
 * during tx_burst, so shared and read-only mbufs are safe. This file
 * only translates mbuf flags into a builder request.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_branch_prediction.h>
#include <rte_ip.h>
#include <rte_sctp.h>

#include "tpacket_ethdev.h"
#include "tpk_coalesce.h"
#include "tpk_crc32c.h"
#include "tpk_txhdr.h"

#define TPK_TX_OFFLOAD_MASK (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6 | \
	RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK | \
	RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG | RTE_MBUF_F_TX_VLAN)

#define TPK_TX_HDR_FLAGS (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK | \
	RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG)

/* What tx_burst will do with one mbuf. */
struct tpk_tx_plan {
	struct virtio_net_hdr vh;
	struct tpk_txh_req h;	/* the headers in the scratch copy */
	uint64_t ol;		/* TX offload flags in effect */
	uint32_t wire_len;	/* frame bytes as sent */
	bool scratch;		/* headers are rewritten in a copy */
	/*
	 * A checksum request on a frame with Ethernet padding: the kernel
	 * would sum the padding too, so the L4 checksum (sw_l4_len bytes
	 * from h.csum_start) is computed here and no NEEDS_CSUM goes to the
	 * kernel. 0: not such a frame.
	 */
	uint32_t sw_l4_len;
	bool sctp;		/* CRC32c of the SCTP packet, in software */
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
 * A frame our RX delivered with its checksum unfinished (L4_CKSUM_NONE:
 * the application enabled RX checksum offload) or whole (LRO) still
 * carries the kernel's pseudo-header sum. Forwarded as is, it would leave
 * with a wrong checksum, so unless the application asked for offloads
 * itself, the kernel is asked to finish (and segment) it.
 */
static inline bool
tpk_tx_reoffload(uint64_t ol)
{
	return unlikely((ol & RTE_MBUF_F_RX_LRO) ||
			(ol & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
			RTE_MBUF_F_RX_L4_CKSUM_NONE) && !(ol & TPK_TX_HDR_FLAGS);
}

/*
 * The TX offload flags m needs, and its header lengths. For a re-offload
 * both come from the packet bytes (lib's parser), never from packet_type
 * or the l2/l3/l4_len fields: an application owns those and may rewrite
 * them (l3fwd --parse-ptype keeps L2/L3 only) while forwarding the bytes.
 * Otherwise the lengths are the application's, with the flags it set.
 */
static inline uint64_t
tpk_tx_flags(const struct rte_mbuf *m, struct tpk_pkt_info *pi)
{
	uint64_t ol = m->ol_flags;
	uint8_t buf[TPK_TX_HDR_MAX];
	const uint8_t *hdr;
	uint32_t n;

	pi->l2_len = m->l2_len;
	pi->l3_len = m->l3_len;
	pi->l4_len = m->l4_len;
	if (likely(!tpk_tx_reoffload(ol)))
		return ol;
	n = RTE_MIN(m->pkt_len, (uint32_t)sizeof(buf));
	hdr = rte_pktmbuf_read(m, 0, n, buf);
	if (hdr == NULL || tpk_pkt_parse(hdr, n, pi) < 0 || pi->ip_frag ||
	    (pi->l4_proto != IPPROTO_TCP && pi->l4_proto != IPPROTO_UDP)) {
		pi->l2_len = m->l2_len;
		pi->l3_len = m->l3_len;
		pi->l4_len = m->l4_len;
		return ol;	/* nothing the kernel could finish */
	}
	ol |= pi->l3 == TPK_L3_IPV4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6;
	if (pi->l4_proto == IPPROTO_TCP)
		ol |= (ol & RTE_MBUF_F_RX_LRO) ? RTE_MBUF_F_TX_TCP_SEG :
			RTE_MBUF_F_TX_TCP_CKSUM;
	else
		ol |= (ol & RTE_MBUF_F_RX_LRO) ? RTE_MBUF_F_TX_UDP_SEG :
			RTE_MBUF_F_TX_UDP_CKSUM;
	return ol;
}

/*
 * The L4 request of an offload: protocol and whether segmentation is
 * asked, from the flags. -ENOTSUP for SCTP, -EINVAL for contradictions.
 */
static inline int
tpk_tx_l4_req(uint64_t ol, struct tpk_tx_req *r)
{
	if ((ol & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)) ==
	    (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6))
		return -EINVAL;
	r->l3 = (ol & RTE_MBUF_F_TX_IPV4) ? TPK_L3_IPV4 :
		(ol & RTE_MBUF_F_TX_IPV6) ? TPK_L3_IPV6 : TPK_L3_NONE;
	if ((ol & RTE_MBUF_F_TX_IP_CKSUM) && r->l3 != TPK_L3_IPV4)
		return -EINVAL;
	if ((ol & RTE_MBUF_F_TX_TCP_SEG) && (ol & RTE_MBUF_F_TX_UDP_SEG))
		return -EINVAL;
	r->gso = ol & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG);
	if (ol & RTE_MBUF_F_TX_TCP_SEG)
		r->l4_proto = IPPROTO_TCP;
	else if (ol & RTE_MBUF_F_TX_UDP_SEG)
		r->l4_proto = IPPROTO_UDP;
	else if ((ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM)
		r->l4_proto = IPPROTO_TCP;
	else if ((ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_UDP_CKSUM)
		r->l4_proto = IPPROTO_UDP;
	else if ((ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_SCTP_CKSUM &&
		 !r->gso)
		r->l4_proto = IPPROTO_SCTP;	/* tpk_tx_plan_sctp */
	else if ((ol & RTE_MBUF_F_TX_L4_MASK) != 0)
		return -EINVAL;
	else
		r->l4_proto = 0;
	r->l4_csum = r->l4_proto == IPPROTO_TCP || r->l4_proto == IPPROTO_UDP;
	r->ecn = false;
	return 0;
}

/*
 * SCTP checksum: no kernel offload exists for it through a vnet header,
 * so the CRC32c is computed here (tpk_tx_headers) over the SCTP packet;
 * the common header goes into the scratch copy with the result.
 */
static inline int
tpk_tx_plan_sctp(const struct tpk_txq *txq, const struct rte_mbuf *m,
		 const struct tpk_tx_req *r, struct tpk_tx_plan *p,
		 uint32_t ins)
{
	struct tpk_txh_req *h = &p->h;
	uint16_t l2 = r->l2_len - ins;

	if (r->l3 == TPK_L3_NONE || l2 < 14 || r->l3_len < 20)
		return -EINVAL;
	h->src_len = l2 + r->l3_len + sizeof(struct rte_sctp_hdr);
	if (h->src_len > m->data_len)
		return -EINVAL;
	if (p->wire_len > tpk_tx_frame_max(txq, m, ins))
		return -EMSGSIZE;
	h->pi.l4_proto = IPPROTO_SCTP;
	h->pi.l4_len = sizeof(struct rte_sctp_hdr);
	h->ip_csum = r->l3 == TPK_L3_IPV4 && (p->ol & RTE_MBUF_F_TX_IP_CKSUM);
	h->csum_start = r->l2_len + r->l3_len;
	h->csum_offset = offsetof(struct rte_sctp_hdr, cksum);
	p->sctp = true;
	return 0;
}

/*
 * An L4 checksum or segmentation request: the vnet header for the kernel
 * and the header rewrites for lib's builder.
 */
static inline int
tpk_tx_plan_l4(const struct tpk_txq *txq, const struct rte_mbuf *m,
	       struct tpk_tx_req *r, struct tpk_tx_plan *p, uint32_t ins)
{
	struct tpk_txh_req *h = &p->h;
	uint16_t l2 = r->l2_len - ins;	/* in the mbuf */

	if (tpk_vnet_tx_fill(r, &p->vh, txq->udp_gso) != TPK_TX_OK)
		return r->gso && r->l4_proto == IPPROTO_UDP &&
			!txq->udp_gso ? -ENOTSUP : -EINVAL;
	h->src_len = l2 + r->l3_len + r->l4_len;
	if (h->src_len > m->data_len)
		return -EINVAL;	/* headers split over segments */
	if (!r->gso && p->wire_len > tpk_tx_frame_max(txq, m, ins))
		return -EMSGSIZE;
	h->pi.l4_len = r->l4_len;
	h->pi.l4_proto = r->l4_proto;
	h->set_len = r->gso;
	h->ip_csum = r->l3 == TPK_L3_IPV4 &&
		(r->gso || (p->ol & RTE_MBUF_F_TX_IP_CKSUM));
	h->csum_start = p->vh.csum_start;
	h->csum_offset = p->vh.csum_offset;
	h->l4_pseudo = true;
	if (!r->gso) {
		/* The IP header, not the frame, says where L4 ends. */
		struct tpk_pkt_info pi = { .l2_len = l2,
			.l3_len = r->l3_len, .l4_len = r->l4_len, .l3 = r->l3 };
		uint32_t end = tpk_l3_end(rte_pktmbuf_mtod(m, const uint8_t *),
					  m->pkt_len, &pi);

		if (unlikely(end < m->pkt_len)) {
			p->sw_l4_len = end - l2 - r->l3_len;
			h->l4_pseudo = false;
			memset(&p->vh, 0, sizeof(p->vh));
		}
	}
	if (r->gso && r->l4_proto == IPPROTO_TCP &&
	    (rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *,
				     h->src_len - r->l4_len)->tcp_flags &
	     RTE_TCP_CWR_FLAG))
		p->vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	return 0;
}

/*
 * Validate m against what the kernel and this queue accept and describe
 * how to send it. Returns 0 or a negative errno (rte_errno style).
 */
static inline int
tpk_tx_plan(const struct tpk_txq *txq, const struct rte_mbuf *m,
	    struct tpk_tx_plan *p)
{
	struct tpk_pkt_info lens;
	uint64_t ol = tpk_tx_flags(m, &lens);
	uint32_t ins = (ol & RTE_MBUF_F_TX_VLAN) ? TPK_VLAN_HLEN : 0;
	struct tpk_txh_req *h = &p->h;
	struct tpk_tx_req r;
	int ret;

	if (unlikely(ol & (RTE_MBUF_F_TX_OFFLOAD_MASK & ~TPK_TX_OFFLOAD_MASK)))
		return -ENOTSUP;
	/* A VLAN tag goes in after the MAC addresses, read from segment 0. */
	if (unlikely(m->nb_segs > TPK_TX_MAX_SEGS || m->pkt_len < 14 ||
		     (ins && m->data_len < 12)))
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	p->ol = ol;
	p->wire_len = m->pkt_len + ins;
	p->scratch = ins != 0;
	p->sw_l4_len = 0;
	p->sctp = false;
	h->src_len = ins ? 12 : 0;
	h->vlan_insert = ins != 0;
	h->vlan_tci = m->vlan_tci;
	h->wire_len = p->wire_len;
	memset(&p->vh, 0, sizeof(p->vh));
	if (likely(!(ol & TPK_TX_HDR_FLAGS)))
		return p->wire_len > tpk_tx_frame_max(txq, m, ins) ? -EMSGSIZE : 0;

	/* Offloads: the headers must be where the lengths say they are. */
	r.l2_len = lens.l2_len + ins;
	r.l3_len = lens.l3_len;
	r.l4_len = lens.l4_len;
	r.pkt_len = p->wire_len;
	r.segsz = m->tso_segsz;
	ret = tpk_tx_l4_req(ol, &r);
	if (ret < 0)
		return ret;
	/* DPDK does not require l4_len for checksum-only requests. */
	if (r.l4_csum && !r.gso && r.l4_len == 0)
		r.l4_len = r.l4_proto == IPPROTO_TCP ? 20 : 8;
	h->pi.l2_len = r.l2_len;
	h->pi.l3_len = r.l3_len;
	h->pi.l3 = r.l3;
	if (r.l4_proto == IPPROTO_SCTP) {
		ret = tpk_tx_plan_sctp(txq, m, &r, p, ins);
		if (ret < 0)
			return ret;
	} else if (!r.l4_csum) {
		/* IPv4 header checksum only. */
		if (r.l3 != TPK_L3_IPV4 || lens.l2_len < 14 || r.l3_len < 20 ||
		    (uint32_t)lens.l2_len + r.l3_len > m->data_len)
			return -EINVAL;
		if (p->wire_len > tpk_tx_frame_max(txq, m, ins))
			return -EMSGSIZE;
		h->src_len = lens.l2_len + r.l3_len;
		h->ip_csum = true;
	} else {
		ret = tpk_tx_plan_l4(txq, m, &r, p, ins);
		if (ret < 0)
			return ret;
	}
	if (tpk_txh_len(h) > TPK_TX_HDR_MAX)
		return -EINVAL;
	if (!txq->vnet_len && (p->vh.flags || p->vh.gso_type))
		return -ENOTSUP;	/* vnet_hdr=0: no kernel offloads */
	p->scratch = true;
	return 0;
}

/*
 * The CRC32c of the SCTP packet (RFC 9260): from its common header, with
 * the checksum field zero, to where the IP header says the packet ends;
 * stored in little-endian order. The header part is the scratch copy's.
 */
static void
tpk_tx_sctp_crc(const struct rte_mbuf *m, const struct tpk_tx_plan *p,
		uint8_t *out)
{
	const struct tpk_txh_req *h = &p->h;
	struct tpk_pkt_info pi = h->pi;
	uint32_t hl = tpk_txh_len(h), end, off, left;
	uint8_t *field = out + h->csum_start + h->csum_offset;
	const struct rte_mbuf *s;
	uint32_t crc;

	memset(field, 0, 4);
	crc = tpk_crc32c(~0u, out + h->csum_start, hl - h->csum_start);
	/* The packet's end from the IP header, in mbuf offsets. */
	pi.l2_len -= hl - h->src_len;
	end = tpk_l3_end(rte_pktmbuf_mtod(m, const uint8_t *), m->pkt_len, &pi);
	off = h->src_len;
	left = end > off ? end - off : 0;
	for (s = m; s != NULL && left; s = s->next) {
		uint32_t n;

		if (off >= s->data_len) {
			off -= s->data_len;
			continue;
		}
		n = RTE_MIN(s->data_len - off, left);
		crc = tpk_crc32c(crc, rte_pktmbuf_mtod_offset(s, const uint8_t *,
							       off), n);
		left -= n;
		off = 0;
	}
	crc = rte_cpu_to_le_32(~crc);
	memcpy(field, &crc, 4);
}

/*
 * Write the headers of m as planned into out (lib's builder), finish a
 * padded frame's L4 checksum over the mbuf's payload, count what was
 * computed.
 */
static inline void
tpk_tx_headers(const struct rte_mbuf *m, const struct tpk_tx_plan *p,
	       uint8_t *out, struct tpk_txq_stats *st)
{
	const struct tpk_txh_req *h = &p->h;

	tpk_txh_build(h, rte_pktmbuf_mtod(m, const uint8_t *), out);
	if (!(p->ol & TPK_TX_HDR_FLAGS))
		return;
	if (h->set_len)
		st->tso++;
	if (h->ip_csum)
		st->csum_sw++;
	if (unlikely(p->sctp)) {
		tpk_tx_sctp_crc(m, p, out);
		st->l4_sw++;
		return;
	}
	if (unlikely(p->sw_l4_len != 0)) {
		uint32_t len = tpk_txh_len(h);
		uint32_t in_hdr = len - h->csum_start;
		uint16_t pay = 0;

		if (p->sw_l4_len > in_hdr)
			rte_raw_cksum_mbuf(m, h->src_len, p->sw_l4_len - in_hdr,
					   &pay);
		tpk_txh_l4_csum(h, out, len, p->sw_l4_len, pay);
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
			 * mbuf as well (tx_prepare may write headers; tx_burst
			 * never does and rebuilds them in its scratch copy).
			 */
			if (ret == 0 && p.vh.flags && !p.h.vlan_insert &&
			    rte_mbuf_refcnt_read(m) == 1 && RTE_MBUF_DIRECT(m)) {
				struct tpk_txq_stats st = { 0 };
				uint8_t tmp[TPK_TX_HDR_MAX];

				tpk_tx_headers(m, &p, tmp, &st);
				memcpy(rte_pktmbuf_mtod(m, uint8_t *), tmp,
				       p.h.src_len);
			}
		}
		if (ret != 0) {
			rte_errno = -ret;
			return i;
		}
	}
	return i;
}

/* Per-process view of a queue: its socket and TX ring in this process. */
struct tpk_tx_ctx {
	int fd;
	uint8_t *map;		/* the TX ring mapping, NULL in sendmmsg mode */
};

static inline void
tpk_txq_drop(struct tpk_txq *txq, struct rte_mbuf *m)
{
	txq->st.malformed++;
	rte_pktmbuf_free(m);
}

/*
 * Count a failed send and say whether the message may succeed if sent
 * again later. A full socket (EAGAIN) or an interrupted call may; ENOBUFS
 * (a full qdisc, or a frame that a direct transmit always drops, such as
 * a GSO frame on a device without TSO under qdisc_bypass=1) is retried a
 * bounded number of calls in a row, so that a frame the kernel will
 * never take cannot stall the queue.
 */
static inline bool
tpk_tx_count_failure(struct tpk_txq *txq, int err)
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
 * untagged Ethernet IPv4/IPv6 TCP frame (lib's peek) that fits the MTU.
 * Sets *off to the checksums not to check (TPK_COAL_*). The full checks,
 * checksums included, are tpk_coal_start/add's and tpk_tx_coal_lens_ok's.
 */
static inline bool
tpk_tx_coal_cand(const struct tpk_txq *txq, const struct rte_mbuf *m,
		 unsigned int *off)
{
	uint64_t ol;

	/* Untagged frames only: the MTU limit without a tag. */
	if (m->nb_segs != 1 || m->pkt_len > txq->max_frame - TPK_VLAN_HLEN)
		return false;
	ol = m->ol_flags;
	*off = 0;
	if (tpk_tx_reoffload(ol)) {
		/* The kernel sums every segment of the merged frame (and
		 * segments an LRO one, rewriting the IPv4 checksum). */
		*off = TPK_COAL_L4_CSUM |
			((ol & RTE_MBUF_F_RX_LRO) ? TPK_COAL_IP_CSUM : 0);
		return tpk_coal_peek(rte_pktmbuf_mtod(m, const uint8_t *),
				     m->data_len);
	}
	ol &= RTE_MBUF_F_TX_OFFLOAD_MASK;
	if (unlikely(ol != 0)) {
		if (ol & ~TPK_TX_COAL_FLAGS)
			return false;
		/* TSO rewrites the IPv4 checksum too. */
		if (ol & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_SEG))
			*off |= TPK_COAL_IP_CSUM;
		if (ol & (RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_TCP_SEG))
			*off |= TPK_COAL_L4_CSUM;
	}
	return tpk_coal_peek(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
}

/*
 * With offload flags (only then: *off of tpk_tx_coal_cand is non-zero
 * exactly when m carries one), merging must not change what the request
 * meant: the headers are where m's lengths put them, the IP version is
 * the one flagged, and a TSO request would have sent the frame uncut.
 */
static inline bool
tpk_tx_coal_lens_ok(const struct tpk_coal *c, const struct rte_mbuf *m)
{
	uint64_t ol = m->ol_flags;

	/* Lengths from the bytes (tpk_coal_start's): only TSO may object. */
	if (tpk_tx_reoffload(ol))
		return !(ol & RTE_MBUF_F_RX_LRO) ||
			m->pkt_len - c->hdr_len <= m->tso_segsz;
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
	    !tpk_coal_same_flow(hd, rte_pktmbuf_mtod(bufs[i + 1],
						     const uint8_t *)))
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

/* One sendmmsg() round: the messages built and what became of them. */
struct tpk_tx_round {
	uint16_t nmsg;		/* messages built */
	uint16_t end;		/* first mbuf not in this round */
	uint16_t nbad;		/* mbufs refused before the kernel */
	uint16_t bad[TPK_TX_BATCH];
	bool big[TPK_TX_BATCH];	/* ... because longer than the MTU */
	uint16_t sent;		/* messages the kernel took or refused */
	bool full;		/* the socket is full: stop after sent */
};

/* iovecs of a merged run: vnet header, merged headers, each payload. */
static inline uint32_t
tpk_tx_iov_run(const struct tpk_txq *txq, struct rte_mbuf **bufs,
	       uint16_t run, struct tpk_txhdr *th, const struct tpk_coal *c,
	       struct iovec *iov)
{
	uint32_t nio = 0;

	iov[nio].iov_base = &th->vh;
	iov[nio++].iov_len = txq->vnet_len;
	iov[nio].iov_base = th->hdr;
	iov[nio++].iov_len = c->hdr_len;
	for (uint16_t j = 0; j < run; j++) {
		iov[nio].iov_base = rte_pktmbuf_mtod_offset(bufs[j], void *,
							    c->hdr_len);
		iov[nio++].iov_len = bufs[j]->data_len - c->hdr_len;
	}
	return nio;
}

/* iovecs of one mbuf: vnet header, rewritten headers, the segments. */
static inline uint32_t
tpk_tx_iov_one(struct tpk_txq *txq, struct rte_mbuf *m,
	       const struct tpk_tx_plan *p, struct tpk_txhdr *th,
	       struct iovec *iov)
{
	uint32_t nio = 0, skip = 0;
	struct rte_mbuf *s;

	if (txq->vnet_len) {
		th->vh = p->vh;
		iov[nio].iov_base = &th->vh;
		iov[nio++].iov_len = txq->vnet_len;
	}
	if (p->scratch) {
		tpk_tx_headers(m, p, th->hdr, &txq->st);
		iov[nio].iov_base = th->hdr;
		iov[nio++].iov_len = tpk_txh_len(&p->h);
		skip = p->h.src_len;
	}
	for (s = m; s != NULL; s = s->next) {
		if (skip >= s->data_len) {
			skip -= s->data_len;
			continue;
		}
		iov[nio].iov_base = rte_pktmbuf_mtod_offset(s, void *, skip);
		iov[nio++].iov_len = s->data_len - skip;
		skip = 0;
	}
	return nio;
}

/*
 * Build the messages of one round from bufs[first, lim): merged runs or
 * single frames; mbufs that cannot be sent are noted in rd->bad.
 */
static inline void
tpk_tx_build_round(struct tpk_txq *txq, struct rte_mbuf **bufs,
		   uint16_t first, uint16_t lim, struct tpk_tx_round *rd)
{
	uint16_t niov = 0, i;

	rd->nmsg = rd->nbad = 0;
	for (i = first; i < lim && rd->nmsg < TPK_TX_BATCH &&
	     rd->nbad < TPK_TX_BATCH; i++) {
		struct rte_mbuf *m = bufs[i];
		struct tpk_txhdr *th = &txq->hdr[rd->nmsg];
		struct msghdr *mh = &txq->msg[rd->nmsg].msg_hdr;
		struct iovec *iov = &txq->iov[niov];
		struct tpk_tx_plan p;
		struct tpk_coal c;
		uint32_t nio;
		uint16_t run;
		int rc;

		if (niov + m->nb_segs + 2 > TPK_TX_IOV)
			break;
		run = txq->coalesce ? tpk_tx_coalesce(txq, bufs, i,
			RTE_MIN(lim - i, TPK_TX_IOV - niov - 2), th, &c) : 0;
		if (run) {
			nio = tpk_tx_iov_run(txq, bufs + i, run, th, &c, iov);
		} else {
			rc = tpk_tx_plan(txq, m, &p);
			if (unlikely(rc != 0)) {
				/* Too long for the interface: what the kernel
				 * would refuse, counted so. */
				rd->big[rd->nbad] = rc == -EMSGSIZE;
				rd->bad[rd->nbad++] = i;
				continue;
			}
			nio = tpk_tx_iov_one(txq, m, &p, th, iov);
			run = 1;
		}
		memset(mh, 0, sizeof(*mh));
		mh->msg_iov = iov;
		mh->msg_iovlen = nio;
		txq->cnt[rd->nmsg] = run;
		txq->idx[rd->nmsg++] = i;
		niov += nio;
		i += run - 1;
	}
	rd->end = i;
}

/* Count messages [k, k + r) as sent. */
static inline void
tpk_tx_count_sent(struct tpk_txq *txq, struct rte_mbuf **bufs, int k, int r)
{
	for (int j = k; j < k + r; j++) {
		for (int x = 0; x < txq->cnt[j]; x++)
			txq->st.bytes += bufs[txq->idx[j] + x]->pkt_len;
		txq->st.pkts += txq->cnt[j];
		if (txq->cnt[j] > 1) {
			txq->st.coal_frames++;
			txq->st.coal_segs += txq->cnt[j];
		}
	}
}

/*
 * Hand the round's messages to the kernel: one call when all goes well.
 * Sets rd->sent (messages sent or refused) and rd->full.
 */
static inline void
tpk_tx_send_round(struct tpk_txq *txq, int fd, struct rte_mbuf **bufs,
		  struct tpk_tx_round *rd)
{
	uint16_t k = 0, nmsg = rd->nmsg;

	rd->full = false;
	while (k < nmsg) {
		int r = sendmmsg(fd, &txq->msg[k], nmsg - k, MSG_DONTWAIT);
		int err = 0;

		txq->st.syscalls++;
		if (r > 0) {
			socklen_t sl = sizeof(err);

			txq->nobufs = 0;
			tpk_tx_count_sent(txq, bufs, k, r);
			k += r;
			if (k == nmsg)
				break;
			/*
			 * A short count is a full socket or a message the
			 * kernel refused, whose error is parked in SO_ERROR.
			 * None parked (sendmmsg drops a mid-batch one): send
			 * again from message k, which then fails alone with
			 * its own errno, or EAGAIN if the socket is full.
			 */
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl);
			if (err == 0)
				continue;
		} else {
			err = errno;
		}
		if (tpk_tx_count_failure(txq, err)) {
			rd->full = true;
			break;
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
	rd->sent = k;
	if (rd->full) {
		txq->st.eagain++;
		rd->end = txq->idx[k];
	}
}

/* Free what the round sent, refused or could not send. */
static inline void
tpk_tx_free_round(struct tpk_txq *txq, struct rte_mbuf **bufs,
		  const struct tpk_tx_round *rd)
{
	struct rte_mbuf *to_free[TPK_TX_BATCH * 2];
	uint16_t nfree = 0, i;

	for (i = 0; i < rd->sent; i++)
		for (uint16_t x = 0; x < txq->cnt[i]; x++)
			to_free[nfree++] = bufs[txq->idx[i] + x];
	for (i = 0; i < rd->nbad && rd->bad[i] < rd->end; i++) {
		if (rd->big[i])
			txq->st.rejected++;
		else
			txq->st.malformed++;
		to_free[nfree++] = bufs[rd->bad[i]];
	}
	rte_pktmbuf_free_bulk(to_free, nfree);
}

/*
 * sendmmsg mode. Messages are built for the mbufs in [done, end); the
 * kernel takes a prefix of them. Anything after the first message it
 * could not take (full socket) stays with the caller, in order.
 */
static uint16_t
tpk_tx_sendmmsg(struct tpk_txq *txq, const struct tpk_tx_ctx *ctx,
		struct rte_mbuf **bufs, uint16_t nb)
{
	uint16_t done = 0;

	while (done < nb) {
		struct tpk_tx_round rd;

		/* At most 2 * TPK_TX_BATCH mbufs a round: tpk_tx_free_round's. */
		tpk_tx_build_round(txq, bufs, done,
				   RTE_MIN(nb, done + 2 * TPK_TX_BATCH), &rd);
		tpk_tx_send_round(txq, ctx->fd, bufs, &rd);
		tpk_tx_free_round(txq, bufs, &rd);
		done = rd.end;
		if (rd.full)
			break;
	}
	return done;
}

/* Copy m as planned into a TX ring slot's data d; returns its length. */
static inline uint32_t
tpk_tx_ring_fill(struct tpk_txq *txq, struct rte_mbuf *m,
		 const struct tpk_tx_plan *p, uint8_t *d)
{
	uint32_t off = 0, skip = 0;
	struct rte_mbuf *s;

	if (txq->vnet_len) {
		memcpy(d, &p->vh, txq->vnet_len);
		off = txq->vnet_len;
	}
	if (p->scratch) {
		tpk_tx_headers(m, p, d + off, &txq->st);
		off += tpk_txh_len(&p->h);
		skip = p->h.src_len;
	}
	for (s = m; s != NULL; s = s->next) {
		if (skip >= s->data_len) {
			skip -= s->data_len;
			continue;
		}
		rte_memcpy(d + off, rte_pktmbuf_mtod_offset(s, void *, skip),
			   s->data_len - skip);
		off += s->data_len - skip;
		skip = 0;
	}
	return off;
}

/* TX ring mode: copy into slots, one kick per burst. */
static uint16_t
tpk_tx_ring(struct tpk_txq *txq, const struct tpk_tx_ctx *ctx,
	    struct rte_mbuf **bufs, uint16_t nb)
{
	struct tpk_ring *r = &txq->ring;
	uint32_t cap = r->frame_size - TPACKET_ALIGN(sizeof(struct tpacket3_hdr));
	uint8_t *tx_base = ctx->map + (size_t)r->block_size * r->nb_blocks;
	uint16_t i, queued = 0;

	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = bufs[i];
		struct tpacket3_hdr *h = (struct tpacket3_hdr *)
			(tx_base + (size_t)txq->head * r->frame_size);
		struct tpk_tx_plan p;
		uint32_t len;
		int ret;

		if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) &
		    (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING)) {
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
		len = tpk_tx_ring_fill(txq, m, &p,
				       (uint8_t *)h + TPACKET_ALIGN(sizeof(*h)));
		h->tp_len = len;
		h->tp_snaplen = len;
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
		(void)sendto(ctx->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
	}
	return i;
}

static __rte_always_inline uint16_t
tpk_tx_burst_ctx(struct tpk_txq *txq, const struct tpk_tx_ctx *ctx,
		 struct rte_mbuf **bufs, uint16_t nb)
{
	if (unlikely(nb == 0 || ctx->fd < 0))
		return 0;
	if (unlikely(__atomic_load_n(txq->gone, __ATOMIC_ACQUIRE))) {
		/* Nowhere to send to: take the frames so the app never spins. */
		txq->st.rejected += nb;
		rte_pktmbuf_free_bulk(bufs, nb);
		return nb;
	}
	if (txq->mode == TPK_TX_RING)
		return tpk_tx_ring(txq, ctx, bufs, nb);
	return tpk_tx_sendmmsg(txq, ctx, bufs, nb);
}

/* The primary's queues: the socket and ring are in the queue itself. */
uint16_t
tpk_tx_burst(void *q, struct rte_mbuf **bufs, uint16_t nb)
{
	struct tpk_txq *txq = q;
	const struct tpk_tx_ctx ctx = { txq->fd, txq->ring.map };

	return tpk_tx_burst_ctx(txq, &ctx, bufs, nb);
}

/* A secondary's: its own descriptors and mapping (tpacket_mp.c). */
uint16_t
tpk_tx_burst_secondary(void *q, struct rte_mbuf **bufs, uint16_t nb)
{
	struct tpk_txq *txq = q;
	struct tpk_tx_ctx ctx;

	/* The primary stopped the queue: its socket is gone. */
	if (unlikely(txq->fd < 0 || tpk_proc_txq(txq, &ctx.fd, &ctx.map) < 0))
		return 0;
	return tpk_tx_burst_ctx(txq, &ctx, bufs, nb);
}
