/* SPDX-License-Identifier: BSD-3-Clause
 * RX datapath: walk TPACKET_V3 blocks, copy frames into mbufs, finish
 * partial checksums and cut GSO super-frames the application did not ask
 * to receive whole. No system call: the kernel is told a block is free by
 * a store to its status word. rx_mode=recvmmsg takes the frames from one
 * recvmmsg() per burst instead and converts them the same way.
 */
#include <string.h>
#include <netinet/in.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_prefetch.h>

#include "tpacket_ethdev.h"
#include "tpk_csum.h"

static inline uint32_t
tpk_ptype(const struct tpk_pkt_info *pi, bool tagged)
{
	uint32_t pt = tagged || pi->nb_vlans ? RTE_PTYPE_L2_ETHER_VLAN :
		RTE_PTYPE_L2_ETHER;

	if (pi->l3 == TPK_L3_IPV4)
		pt |= pi->l3_len == 20 ? RTE_PTYPE_L3_IPV4 :
			RTE_PTYPE_L3_IPV4_EXT;
	else if (pi->l3 == TPK_L3_IPV6)
		pt |= pi->l3_len == 40 ? RTE_PTYPE_L3_IPV6 :
			RTE_PTYPE_L3_IPV6_EXT;
	if (pi->ip_frag)
		pt |= RTE_PTYPE_L4_FRAG;
	else if (pi->l4_proto == IPPROTO_TCP)
		pt |= RTE_PTYPE_L4_TCP;
	else if (pi->l4_proto == IPPROTO_UDP)
		pt |= RTE_PTYPE_L4_UDP;
	return pt;
}

/* Copy len bytes from src into the chain starting at m (already sized). */
static inline void
tpk_copy_to_chain(struct rte_mbuf *m, uint32_t at, const uint8_t *src,
		  uint32_t len)
{
	while (len) {
		uint32_t room, n;

		while (at >= m->data_len) {
			at -= m->data_len;
			m = m->next;
		}
		room = m->data_len - at;
		n = RTE_MIN(room, len);
		rte_memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, at), src, n);
		src += n;
		len -= n;
		at += n;
	}
}

/* Allocate an mbuf chain for len bytes; NULL if the pool is empty. */
static inline struct rte_mbuf *
tpk_alloc_chain(struct tpk_rxq *rxq, uint32_t len)
{
	struct rte_mbuf *head, *m, *prev;
	uint32_t left = len;

	head = rte_pktmbuf_alloc(rxq->mp);
	if (unlikely(head == NULL))
		return NULL;
	head->data_len = RTE_MIN(left, rxq->data_room);
	head->pkt_len = len;
	left -= head->data_len;
	prev = head;
	while (left) {
		m = rte_pktmbuf_alloc(rxq->mp);
		if (unlikely(m == NULL)) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		m->data_len = RTE_MIN(left, rxq->data_room);
		left -= m->data_len;
		prev->next = m;
		prev = m;
		head->nb_segs++;
	}
	return head;
}

/* Copy a frame, re-inserting the VLAN tag the kernel moved out of it. */
static inline void
tpk_copy_frame(struct rte_mbuf *m, const uint8_t *data, uint32_t len,
	       uint16_t tpid, uint16_t tci)
{
	if (likely(tpid == 0)) {
		if (likely(m->next == NULL))
			rte_memcpy(rte_pktmbuf_mtod(m, void *), data, len);
		else
			tpk_copy_to_chain(m, 0, data, len);
		return;
	}
	uint8_t tag[TPK_VLAN_HLEN];

	tpk_vlan_tag(tag, tpid, tci);
	tpk_copy_to_chain(m, 0, data, 12);
	tpk_copy_to_chain(m, 12, tag, TPK_VLAN_HLEN);
	tpk_copy_to_chain(m, 12 + TPK_VLAN_HLEN, data + 12, len - 12);
}

static inline void
tpk_set_ts(const struct tpk_rxq *rxq, struct rte_mbuf *m, uint64_t ns)
{
	*RTE_MBUF_DYNFIELD(m, rxq->ts_offset, rte_mbuf_timestamp_t *) = ns;
	m->ol_flags |= rxq->ts_flag;
}

static inline uint64_t
tpk_frame_ns(const struct tpk_v3_frame *f)
{
	return (uint64_t)f->sec * 1000000000ull + f->nsec;
}

static inline void
tpk_set_vlan(const struct tpk_rxq *rxq, struct rte_mbuf *m, uint16_t tpid,
	     uint16_t tci)
{
	if (tpid == 0)
		return;
	m->vlan_tci = tci;
	m->ol_flags |= RTE_MBUF_F_RX_VLAN;
	if (rxq->vlan_strip)
		m->ol_flags |= RTE_MBUF_F_RX_VLAN_STRIPPED;
}

/*
 * Emit segments of the super-frame in rxq->gso into bufs. Returns how
 * many; the state stays active while payload is left (mbufs ran out or
 * bufs is full) and the frame's block is kept until it is done.
 */
static uint16_t
tpk_gso_emit(struct tpk_rxq *rxq, const uint8_t *ring, struct rte_mbuf **bufs,
	     uint16_t nb)
{
	struct tpk_gso_state *g = &rxq->gso;
	/* An offset, not a pointer: each process maps the ring elsewhere. */
	const uint8_t *frame = ring + g->frame_off;
	struct tpk_pkt_info pi = g->pi;
	uint32_t ins = (g->vlan_tpid && !rxq->vlan_strip) ? TPK_VLAN_HLEN : 0;
	bool full = !rxq->l4_cksum;
	uint64_t flags;
	uint32_t ptype;
	uint16_t n = 0;

	pi.l2_len += ins;
	ptype = tpk_ptype(&pi, ins != 0) & rxq->ptype_mask;
	flags = (full ? RTE_MBUF_F_RX_L4_CKSUM_GOOD : RTE_MBUF_F_RX_L4_CKSUM_NONE) |
		(pi.l3 == TPK_L3_IPV4 ? RTE_MBUF_F_RX_IP_CKSUM_GOOD : 0);
	if (rxq->rss_hash)
		flags |= RTE_MBUF_F_RX_RSS_HASH;

	while (n < nb && g->done < g->payload_len) {
		uint32_t plen = RTE_MIN((uint32_t)g->gso_size,
					g->payload_len - g->done);
		bool last = g->done + plen == g->payload_len;
		struct rte_mbuf *m = rte_pktmbuf_alloc(rxq->mp);
		uint8_t *p;

		if (unlikely(m == NULL)) {
			rxq->st.nombuf++;
			break;
		}
		p = rte_pktmbuf_mtod(m, uint8_t *);
		if (ins)
			tpk_vlan_insert(p, frame, g->hdr_len, g->vlan_tpid,
					g->vlan_tci);
		else
			rte_memcpy(p, frame, g->hdr_len);
		rte_memcpy(p + g->hdr_len + ins, frame + g->hdr_len + g->done,
			   plen);
		tpk_gso_fix_segment(p, &pi, g->idx, g->done, plen, last, full);
		m->data_len = m->pkt_len = g->hdr_len + ins + plen;
		m->port = rxq->port_id;
		m->packet_type = ptype;
		m->l2_len = pi.l2_len;
		m->l3_len = pi.l3_len;
		m->l4_len = pi.l4_len;
		m->ol_flags |= flags;
		m->hash.rss = g->rxhash;
		if (g->has_mark) {
			m->hash.fdir.hi = g->mark;
			m->ol_flags |= RTE_MBUF_F_RX_FDIR | RTE_MBUF_F_RX_FDIR_ID;
		}
		tpk_set_vlan(rxq, m, g->vlan_tpid, g->vlan_tci);
		if (rxq->timestamp)
			tpk_set_ts(rxq, m, g->ts);
		rxq->st.bytes += m->pkt_len;
		bufs[n++] = m;
		g->done += plen;
		g->idx++;
	}
	rxq->st.gso_segs += n;
	rxq->st.pkts += n;
	if (g->done == g->payload_len)
		g->active = false;
	return n;
}

/*
 * The flow hash of a frame that is delivered: the kernel's (V3 blocks
 * carry it) or, where the kernel reports none (V2 slots, recvmmsg), one
 * of our own, computed only once the frame has its mbuf, so that a retry
 * after a failed allocation does not hash it again.
 */
static inline uint32_t
tpk_rx_hash(const struct tpk_rxq *rxq, const struct tpk_v3_frame *f)
{
	return (rxq->frames || rxq->rcv != NULL) ?
		tpk_flow_frame_hash(f->data, f->snaplen) : f->rxhash;
}

/*
 * Check that a super-frame can be segmented and arm rxq->gso for it.
 * Returns false (frame dropped and counted) when it cannot.
 */
static bool
tpk_gso_start(struct tpk_rxq *rxq, const uint8_t *ring,
	      const struct tpk_v3_frame *f, const struct tpk_rx_meta *vm)
{
	struct tpk_gso_state *g = &rxq->gso;
	uint32_t ins, end, seg_max, mss;

	if (tpk_pkt_parse(f->data, f->snaplen, &g->pi) < 0 || g->pi.ip_frag ||
	    g->pi.nb_vlans || g->pi.l4_len == 0)
		goto bad;
	if ((vm->gso == VIRTIO_NET_HDR_GSO_UDP_L4) !=
	    (g->pi.l4_proto == IPPROTO_UDP))
		goto bad;
	if (vm->gso == VIRTIO_NET_HDR_GSO_UDP) /* UFO: IP fragmentation */
		goto bad;
	g->hdr_len = g->pi.l2_len + g->pi.l3_len + g->pi.l4_len;
	/* Payload ends where IP says (padding is not payload). */
	end = tpk_l3_end(f->data, f->snaplen, &g->pi);
	if (g->hdr_len >= end)
		goto bad;
	/*
	 * No segment above the port's MTU (the tag, if any, is on top):
	 * TCP may be cut at any size, so a larger gso_size is lowered to
	 * fit; a UDP datagram may not, so it is dropped and counted.
	 */
	seg_max = __atomic_load_n(rxq->mtu, __ATOMIC_RELAXED) + RTE_ETHER_HDR_LEN;
	mss = vm->gso_size;
	if (g->hdr_len + mss > seg_max) {
		if (g->pi.l4_proto != IPPROTO_TCP || g->hdr_len + 8 > seg_max) {
			rxq->st.oversize++;
			return false;
		}
		mss = seg_max - g->hdr_len;
		rxq->st.gso_mss_cut++;
	}
	ins = (f->vlan_tpid && !rxq->vlan_strip) ? TPK_VLAN_HLEN : 0;
	if (g->hdr_len + ins + mss > rxq->data_room) {
		rxq->st.oversize++;
		return false;
	}
	/*
	 * Bounded work per frame: a peer may ask for a 64 KB frame cut into
	 * 1-byte segments. Past TPK_RX_GSO_MAX_SEGS it is dropped, so that
	 * the frames behind it are not starved (with LRO it goes up whole).
	 */
	if (tpk_gso_segments(end - g->hdr_len, mss) > TPK_RX_GSO_MAX_SEGS) {
		rxq->st.gso_refused++;
		return false;
	}
	g->frame_off = (size_t)(f->data - ring);
	g->payload_len = end - g->hdr_len;
	g->done = 0;
	g->idx = 0;
	g->gso_size = mss;
	g->vlan_tci = f->vlan_tci;
	g->vlan_tpid = f->vlan_tpid;
	g->rxhash = rxq->rss_hash ? tpk_rx_hash(rxq, f) : 0;
	g->ts = tpk_frame_ns(f);
	g->has_mark = false;
	if (unlikely(rxq->flow_hp != NULL))
		tpk_rx_mark(rxq->flow_hp, f->data, f->snaplen, f->vlan_tpid,
			    f->vlan_tci, &g->has_mark, &g->mark);
	g->active = true;
	rxq->st.gso_sw++;
	return true;
bad:
	rxq->st.bad_vnet++;
	return false;
}

enum tpk_rx_rc { TPK_RX_OK, TPK_RX_DROP, TPK_RX_NOMBUF, TPK_RX_GSO };

/* Per-process view of a queue: its socket and ring in this process. */
struct tpk_rx_ctx {
	int fd;
	uint8_t *ring;		/* the V3 ring, or the recvmmsg arena */
};

/*
 * What the kernel says about the checksum and segmentation of f, into
 * *vm; a frame without a vnet header may still need its checksum finished
 * (TP_STATUS_CSUMNOTREADY): lib finds where from the headers (*pi then
 * holds them, *have_pi set). Returns TPK_RX_OK, TPK_RX_DROP or TPK_RX_GSO.
 */
static inline enum tpk_rx_rc
tpk_rx_meta(struct tpk_rxq *rxq, const uint8_t *ring,
	    const struct tpk_v3_frame *f, struct tpk_rx_meta *vm,
	    struct tpk_pkt_info *pi, bool *have_pi)
{
	if (f->vnet != NULL) {
		if (unlikely(tpk_vnet_rx_parse(f->vnet, f->snaplen, vm) < 0)) {
			rxq->st.bad_vnet++;
			return TPK_RX_DROP;
		}
		if (vm->gso != VIRTIO_NET_HDR_GSO_NONE && !rxq->lro)
			return tpk_gso_start(rxq, ring, f, vm) ? TPK_RX_GSO :
				TPK_RX_DROP;
		return TPK_RX_OK;
	}
	memset(vm, 0, sizeof(*vm));
	if (f->status & TP_STATUS_CSUMNOTREADY) {
		if (tpk_pkt_csum_loc(f->data, f->snaplen, pi, &vm->csum_start,
				     &vm->csum_offset) < 0) {
			rxq->st.bad_vnet++;
			return TPK_RX_DROP;
		}
		*have_pi = true;
		vm->needs_csum = true;
	}
	return TPK_RX_OK;
}

/* Checksum flags of f (finishing a partial sum when the app wants it). */
static inline uint64_t
tpk_rx_csum(struct tpk_rxq *rxq, const struct tpk_v3_frame *f,
	    const struct tpk_rx_meta *vm, struct tpk_pkt_info *pi,
	    bool *have_pi, struct rte_mbuf *m)
{
	uint64_t flags = 0;

	if (!(vm->needs_csum || vm->gso))
		return (vm->data_valid || (f->status & TP_STATUS_CSUM_VALID)) ?
			RTE_MBUF_F_RX_L4_CKSUM_GOOD : 0;
	if (!*have_pi && tpk_pkt_parse(f->data, f->snaplen, pi) == 0)
		*have_pi = true;
	if (vm->needs_csum && !rxq->l4_cksum) {
		/* The ring block is ours until we release it. The sum
		 * stops where IP says: padding is not L4. */
		tpk_csum_complete((uint8_t *)(uintptr_t)f->data,
				  *have_pi ? tpk_l3_end(f->data, f->snaplen, pi) :
				  f->snaplen, vm->csum_start, vm->csum_offset);
		rxq->st.csum_sw++;
		flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	} else if (vm->needs_csum) {
		flags |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
	}
	if (vm->gso) {
		flags |= RTE_MBUF_F_RX_LRO;
		m->tso_segsz = vm->gso_size;
		rxq->st.lro++;
	}
	return flags;
}

/* Turn one frame into one mbuf (chain). */
static inline enum tpk_rx_rc
tpk_rx_frame(struct tpk_rxq *rxq, const uint8_t *ring,
	     const struct tpk_v3_frame *f, struct rte_mbuf **out)
{
	struct tpk_rx_meta vm;
	struct rte_mbuf *m;
	uint16_t tpid = rxq->vlan_strip ? 0 : f->vlan_tpid;
	uint32_t len = f->snaplen + (tpid ? TPK_VLAN_HLEN : 0);
	uint64_t flags;
	struct tpk_pkt_info pi;
	bool have_pi = false;
	enum tpk_rx_rc rc;

	/* A clamped frame: the rest of it never reached the ring. */
	if (unlikely(f->snaplen < f->len)) {
		rxq->st.truncated++;
		return TPK_RX_DROP;
	}
	/* Shorter than an Ethernet header: nothing to deliver (or tag). */
	if (unlikely(f->snaplen < RTE_ETHER_HDR_LEN)) {
		rxq->st.bad_vnet++;
		return TPK_RX_DROP;
	}
	rc = tpk_rx_meta(rxq, ring, f, &vm, &pi, &have_pi);
	if (rc != TPK_RX_OK)
		return rc;
	if (unlikely(len > rxq->data_room && !rxq->scatter && !rxq->lro)) {
		rxq->st.oversize++;
		return TPK_RX_DROP;
	}
	/* Allocate before touching the frame, so a retry sees it intact. */
	m = tpk_alloc_chain(rxq, len);
	if (unlikely(m == NULL)) {
		rxq->st.nombuf++;
		return TPK_RX_NOMBUF;
	}
	flags = tpk_rx_csum(rxq, f, &vm, &pi, &have_pi, m);
	/* Every advertised packet type is filled unless the app said less. */
	if ((rxq->ip_cksum || rxq->parse) && !have_pi &&
	    tpk_pkt_parse(f->data, f->snaplen, &pi) == 0)
		have_pi = true;
	if (have_pi) {
		if (rxq->ip_cksum && pi.l3 == TPK_L3_IPV4)
			flags |= tpk_ipv4_csum_ok(f->data + pi.l2_len,
						  pi.l3_len) ?
				RTE_MBUF_F_RX_IP_CKSUM_GOOD :
				RTE_MBUF_F_RX_IP_CKSUM_BAD;
		m->packet_type = tpk_ptype(&pi, tpid != 0) & rxq->ptype_mask;
		m->l2_len = pi.l2_len + (tpid ? TPK_VLAN_HLEN : 0);
		m->l3_len = pi.l3_len;
		m->l4_len = pi.l4_len;
	} else {
		m->packet_type = tpid ? RTE_PTYPE_L2_ETHER_VLAN :
			RTE_PTYPE_L2_ETHER;
	}
	tpk_copy_frame(m, f->data, f->snaplen, tpid, f->vlan_tci);
	m->port = rxq->port_id;
	m->ol_flags |= flags;
	tpk_set_vlan(rxq, m, f->vlan_tpid, f->vlan_tci);
	if (rxq->rss_hash) {
		m->hash.rss = tpk_rx_hash(rxq, f);
		m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
	}
	if (rxq->timestamp)
		tpk_set_ts(rxq, m, tpk_frame_ns(f));
	if (unlikely(rxq->flow_hp != NULL)) {
		bool has_mark;
		uint32_t mark;

		tpk_rx_mark(rxq->flow_hp, f->data, f->snaplen, f->vlan_tpid,
			    f->vlan_tci, &has_mark, &mark);
		if (has_mark) {
			m->hash.fdir.hi = mark;
			m->ol_flags |= RTE_MBUF_F_RX_FDIR | RTE_MBUF_F_RX_FDIR_ID;
		}
	}
	rxq->st.bytes += len;
	rxq->st.pkts++;
	*out = m;
	return TPK_RX_OK;
}

/*
 * recvmmsg mode: convert what the last call brought (the arena is only
 * refilled when all of it was taken), at most one call per burst.
 */
static uint16_t
tpk_rx_recv(struct tpk_rxq *rxq, const struct tpk_rx_ctx *ctx,
	    struct rte_mbuf **bufs, uint16_t nb, uint16_t n)
{
	struct tpk_rcv *r = rxq->rcv;
	struct tpk_v3_frame f;
	bool called = false;

	while (n < nb) {
		enum tpk_rx_rc rc;

		if (r->next == r->count) {
			int got;

			if (called)
				break;
			called = true;
			got = tpk_rcv_fill(r, ctx->fd, RTE_MIN(nb - n,
							       TPK_RCV_BATCH));
			if (got <= 0)
				break;
		}
		if (unlikely(tpk_rcv_frame(r, r->next, &f) != TPK_RCV_OK)) {
			rxq->st.bad_vnet++;
			r->next++;
			continue;
		}
		rc = tpk_rx_frame(rxq, ctx->ring, &f, &bufs[n]);
		if (unlikely(rc == TPK_RX_NOMBUF))
			break;		/* the frame stays for the next burst */
		r->next++;
		if (likely(rc == TPK_RX_OK)) {
			n++;
		} else if (rc == TPK_RX_GSO) {
			/* Its slot is not reused before the cut is done. */
			n += tpk_gso_emit(rxq, ctx->ring, bufs + n, nb - n);
			if (rxq->gso.active)
				break;
		}
	}
	return n;
}

/*
 * Ring mode, on this process's view of the shared cursor (the ring
 * address differs per process and never goes into shared memory).
 */
static uint16_t
tpk_rx_ring(struct tpk_rxq *rxq, const struct tpk_rx_ctx *ctx,
	    struct rte_mbuf **bufs, uint16_t nb, uint16_t n)
{
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;

	tpk_v3_load(&c, &rxq->cur, ctx->ring);
	while (n < nb && tpk_v3_peek(&c, &f) == TPK_V3_FRAME) {
		enum tpk_rx_rc rc = tpk_rx_frame(rxq, ctx->ring, &f, &bufs[n]);

		/* No mbuf: the frame stays in the ring for the next burst. */
		if (unlikely(rc == TPK_RX_NOMBUF))
			break;
		tpk_v3_commit(&c);
		if (likely(rc == TPK_RX_OK)) {
			n++;
			/* A handed-over block used up: the next one is due. */
			if (unlikely(c.left == 0 && c.open))
				rte_prefetch0(tpk_v3_block(&c, (c.blk + 1) %
							   c.nb_blocks));
		} else if (rc == TPK_RX_GSO) {
			n += tpk_gso_emit(rxq, ctx->ring, bufs + n, nb - n);
			if (rxq->gso.active)
				break;	/* keep the block until done */
		}
	}
	/* Give a consumed block back now rather than on the next burst. */
	if (!rxq->gso.active)
		tpk_v3_flush(&c);
	tpk_v3_store(&rxq->cur, &c);
	return n;
}

/*
 * Frames mode (TPACKET_V2): every slot on its own, visible at once. A
 * frame longer than its slot is taken whole from the socket. A GSO cut of
 * a frame still in its slot keeps the slot until the cut is done.
 */
static uint16_t
tpk_rx_slots(struct tpk_rxq *rxq, const struct tpk_rx_ctx *ctx,
	     struct rte_mbuf **bufs, uint16_t nb, uint16_t n)
{
	struct tpk_v2_cursor *c = &rxq->v2;
	uint64_t now = rte_rdtsc();
	struct tpk_v3_frame f;
	uint16_t n0 = n;

	tpk_v2_unhold(ctx->ring, c);
	/*
	 * Sustained traffic: deliver a full batch, or what came within the
	 * holdoff. A lone frame (sparse traffic) goes at once.
	 */
	if (rxq->v2_hot && n == 0 && now - rxq->v2_last < rxq->v2_holdoff &&
	    !tpk_v2_ready(ctx->ring, c, RTE_MIN(RTE_MIN((uint32_t)nb, TPK_V2_BATCH),
						c->nb_frames) - 1))
		return 0;
	while (n < nb) {
		enum tpk_v2_next nx = tpk_v2_peek(ctx->ring, c, &f);
		const uint8_t *base = ctx->ring;
		enum tpk_rx_rc rc;

		if (nx == TPK_V2_END)
			break;
		/* Slots are far apart (no hardware stream): fetch the next. */
		if (rxq->v2_hot) {
			const uint8_t *nx1 = (const uint8_t *)tpk_v2_slot(ctx->ring, c,
				c->idx + 1 == c->nb_frames ? 0 : c->idx + 1);

			rte_prefetch0(nx1);
			rte_prefetch0(nx1 + RTE_CACHE_LINE_SIZE);
		}
		if (unlikely(nx == TPK_V2_BAD)) {
			rxq->st.bad_vnet++;
			tpk_v2_commit(ctx->ring, c);
			continue;
		}
		if (unlikely(nx == TPK_V2_COPY)) {
			bool again = c->copied;

			/* Nothing queued: f stays the clamped head (truncated). */
			if (tpk_v2_copy(c, ctx->fd, rxq->ovf, rxq->ovf_size, &f) == 0) {
				base = rxq->ovf;
				rxq->st.long_frames += !again;
			}
		}
		rc = tpk_rx_frame(rxq, base, &f, &bufs[n]);
		/* No mbuf: the frame (or its copy) stays for the next burst. */
		if (unlikely(rc == TPK_RX_NOMBUF))
			break;
		if (likely(rc == TPK_RX_OK)) {
			tpk_v2_commit(ctx->ring, c);
			n++;
		} else if (rc == TPK_RX_GSO) {
			rxq->gso.in_ovf = base != ctx->ring;
			if (rxq->gso.in_ovf)
				tpk_v2_commit(ctx->ring, c);
			else
				tpk_v2_hold(c);
			n += tpk_gso_emit(rxq, base, bufs + n, nb - n);
			if (rxq->gso.active)
				break;
			tpk_v2_unhold(ctx->ring, c);
		} else {
			tpk_v2_commit(ctx->ring, c);
		}
	}
	if (n > n0) {
		/* Hot when deliveries come at most two holdoffs apart. */
		rxq->v2_hot = now - rxq->v2_last < 2 * rxq->v2_holdoff;
		rxq->v2_last = now;
	} else if (now - rxq->v2_last >= rxq->v2_holdoff) {
		rxq->v2_hot = false;
	}
	return n;
}

static __rte_always_inline uint16_t
tpk_rx_burst_frames(struct tpk_rxq *rxq, const struct tpk_rx_ctx *ctx,
		    struct rte_mbuf **bufs, uint16_t nb)
{
	uint16_t n = 0;

	if (unlikely(rxq->gso.active)) {
		n = tpk_gso_emit(rxq, rxq->gso.in_ovf ? rxq->ovf : ctx->ring,
				 bufs, nb);
		if (rxq->gso.active)
			return n;
	}
	if (rxq->frames)
		return tpk_rx_slots(rxq, ctx, bufs, nb, n);
	if (rxq->rcv != NULL)
		return tpk_rx_recv(rxq, ctx, bufs, nb, n);
	return tpk_rx_ring(rxq, ctx, bufs, nb, n);
}

/*
 * Hold the MARK table for this burst: announce it in the hazard pointer,
 * then check it is still the published one (the control path frees a
 * table only when no queue announces it).
 */
static __rte_noinline uint16_t
tpk_rx_burst_marked(struct tpk_rxq *rxq, const struct tpk_rx_ctx *ctx,
		    struct rte_mbuf **bufs, uint16_t nb,
		    const struct tpk_flow_table *t)
{
	uint16_t n;

	for (;;) {
		__atomic_store_n(&rxq->flow_hp, t, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(rxq->flow_tbl, __ATOMIC_SEQ_CST) == t)
			break;
		t = __atomic_load_n(rxq->flow_tbl, __ATOMIC_ACQUIRE);
	}
	n = tpk_rx_burst_frames(rxq, ctx, bufs, nb);
	__atomic_store_n(&rxq->flow_hp, NULL, __ATOMIC_RELEASE);
	return n;
}

static __rte_always_inline uint16_t
tpk_rx_burst_ctx(struct tpk_rxq *rxq, const struct tpk_rx_ctx *ctx,
		 struct rte_mbuf **bufs, uint16_t nb)
{
	const struct tpk_flow_table *t;

	/* A stopped queue has no ring; a removed interface sends nothing. */
	if (unlikely(ctx->ring == NULL ||
		     __atomic_load_n(rxq->gone, __ATOMIC_ACQUIRE)))
		return 0;
	t = __atomic_load_n(rxq->flow_tbl, __ATOMIC_ACQUIRE);
	if (unlikely(t != NULL))
		return tpk_rx_burst_marked(rxq, ctx, bufs, nb, t);
	return tpk_rx_burst_frames(rxq, ctx, bufs, nb);
}

/* The primary's queues: the socket and ring are in the queue itself. */
uint16_t
tpk_rx_burst(void *q, struct rte_mbuf **bufs, uint16_t nb)
{
	struct tpk_rxq *rxq = q;
	const struct tpk_rx_ctx ctx = { rxq->ring.fd, rxq->cur.ring };

	return tpk_rx_burst_ctx(rxq, &ctx, bufs, nb);
}

/* A secondary's: its own descriptors and mapping (tpacket_mp.c). */
uint16_t
tpk_rx_burst_secondary(void *q, struct rte_mbuf **bufs, uint16_t nb)
{
	struct tpk_rxq *rxq = q;
	struct tpk_rx_ctx ctx;

	/* The primary stopped the queue: its ring is gone. */
	if (unlikely(rxq->cur.ring == NULL ||
		     tpk_proc_rxq(rxq, &ctx.fd, &ctx.ring) < 0))
		return 0;
	return tpk_rx_burst_ctx(rxq, &ctx, bufs, nb);
}
