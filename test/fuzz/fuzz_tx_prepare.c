/* SPDX-License-Identifier: BSD-3-Clause
 * The driver's TX path (drivers/net/tpacket/tpacket_tx.c, compiled into
 * this target) on hand-built rte_mbuf chains, without EAL: tpk_tx_prepare
 * and then tpk_tx_burst in sendmmsg or TX-ring mode on an unconnected UDP
 * socket: every send fails with EDESTADDRREQ before the kernel copies
 * anything, which the driver counts as a refusal.
 *
 * Every segment's data lives in its own heap buffer of exactly
 * data_off + data_len bytes, and the TX ring in one of exactly its size,
 * so ASan reports any read or write past a segment or a ring slot. mbufs
 * are handed to tx_burst with refcnt 2 so that its frees only decrement
 * (no mempool needed).
 *
 * After tx_prepare accepts an L4 offload, the headers it rewrote in place
 * must follow the kernel's convention: L4 checksum field = pseudo-header
 * sum including the L4 length, a valid IPv4 header checksum, and the
 * super-frame's true IP length for TSO/USO.
 *
 * Input layout:
 *   0  u16 ol_flags selector (bit i -> flag_tab[i])
 *   2  u8  packet_type selector     3  u8 l2_len      4  u16 l3_len
 *   6  u8  l4_len                   7  u16 tso_segsz  9  u16 vlan_tci
 *   11 u8  queue: bits 0-1 vnet_len {0,10,12,10}, 2 udp_gso, 3 ring mode,
 *          4 refcnt 2 at prepare, 5 big headroom, 6-7 segments - 1 (1..3)
 *   12 u16 max_frame (0: 1514)      14 u8 split 1    15 u8 split 2
 *   16.. packet data
 */
#include <errno.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "tpacket_ethdev.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tpacket_tx.c's secondary entry needs tpacket_mp.c: no secondary here. */
int
tpk_proc_txq(const struct tpk_txq *txq __rte_unused, int *fd __rte_unused,
	     uint8_t **map __rte_unused)
{
	return -ENODEV;
}

static const uint64_t flag_tab[16] = {
	RTE_MBUF_F_TX_IPV4, RTE_MBUF_F_TX_IPV6, RTE_MBUF_F_TX_IP_CKSUM,
	RTE_MBUF_F_TX_TCP_CKSUM, RTE_MBUF_F_TX_UDP_CKSUM,
	RTE_MBUF_F_TX_TCP_SEG, RTE_MBUF_F_TX_UDP_SEG, RTE_MBUF_F_TX_VLAN,
	RTE_MBUF_F_RX_LRO, RTE_MBUF_F_RX_L4_CKSUM_NONE,
	RTE_MBUF_F_TX_SCTP_CKSUM, RTE_MBUF_F_TX_OUTER_IPV4,
	RTE_MBUF_F_INDIRECT, RTE_MBUF_F_RX_L4_CKSUM_GOOD,
	RTE_MBUF_F_TX_IEEE1588_TMST, RTE_MBUF_F_TX_QINQ,
};

static const uint32_t ptype_tab[8] = {
	0,
	RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_TCP,
	RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4_EXT_UNKNOWN | RTE_PTYPE_L4_UDP,
	RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_TCP,
	RTE_PTYPE_L2_ETHER_VLAN | RTE_PTYPE_L3_IPV6_EXT | RTE_PTYPE_L4_UDP,
	RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_FRAG,
	RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_SCTP,
	RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4,
};

#define MAX_SEGS 3

struct chain {
	struct rte_mbuf *m[MAX_SEGS];
	uint8_t *buf[MAX_SEGS];
	unsigned int n;
};

static void
chain_free(struct chain *c)
{
	unsigned int i;

	for (i = 0; i < c->n; i++) {
		free(c->buf[i]);
		free(c->m[i]);
	}
	c->n = 0;
}

static void
chain_refcnt(struct chain *c, uint16_t v)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		rte_mbuf_refcnt_set(c->m[i], v);
}

static void
chain_build(struct chain *c, const uint8_t *d, uint32_t len,
	    unsigned int nsegs, const uint8_t *splits, uint16_t headroom)
{
	uint32_t off = 0;
	unsigned int i;

	c->n = nsegs;
	for (i = 0; i < nsegs; i++) {
		uint32_t left = len - off, l;
		struct rte_mbuf *m;

		l = i + 1 == nsegs ? left : splits[i] % (left + 1);
		m = aligned_alloc(RTE_CACHE_LINE_SIZE,
				  RTE_ALIGN_CEIL(sizeof(*m), RTE_CACHE_LINE_SIZE));
		FUZZ_ASSERT(m != NULL);
		memset(m, 0, sizeof(*m));
		/* Exactly the bytes the mbuf owns (malloc(0) is unique). */
		c->buf[i] = malloc(headroom + l);
		FUZZ_ASSERT(c->buf[i] != NULL);
		if (l)
			memcpy(c->buf[i] + headroom, d + off, l);
		m->buf_addr = c->buf[i];
		m->buf_len = (uint16_t)(headroom + l);
		m->data_off = headroom;
		m->data_len = (uint16_t)l;
		m->nb_segs = 1;
		m->refcnt = 1;
		c->m[i] = m;
		if (i)
			c->m[i - 1]->next = m;
		off += l;
	}
	c->m[0]->nb_segs = (uint16_t)nsegs;
	c->m[0]->pkt_len = len;
}

/* The kernel's header convention after an accepted prepare (see top). */
static void
check_prepared(const struct rte_mbuf *m)
{
	uint64_t ol = m->ol_flags;
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip = p + m->l2_len;
	uint32_t csum_start = m->l2_len + m->l3_len;
	int v = (ol & RTE_MBUF_F_TX_IPV4) ? 4 : 6;
	uint32_t end;
	uint8_t proto;
	uint16_t field;

	if (ol & RTE_MBUF_F_TX_TCP_SEG)
		proto = IPPROTO_TCP;
	else if (ol & RTE_MBUF_F_TX_UDP_SEG)
		proto = IPPROTO_UDP;
	else if ((ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM)
		proto = IPPROTO_TCP;
	else if ((ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_UDP_CKSUM)
		proto = IPPROTO_UDP;
	else
		return;		/* IPv4 header checksum only: not rewritten */
	FUZZ_ASSERT(csum_start + m->l4_len <= m->data_len);
	end = m->pkt_len;
	if (!(ol & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG))) {
		/* L4 ends where the IP header says (0, or less than the
		 * headers: the frame's end). Past it is Ethernet padding. */
		uint32_t declared = v == 4 ? be16(ip + 2) :
			(be16(ip + 4) ? 40u + be16(ip + 4) : 0);

		if (declared && m->l2_len + declared >= csum_start + m->l4_len &&
		    m->l2_len + declared < end)
			return;	/* padded: summed in software by tx_burst,
				 * nothing promised in the mbuf */
	}
	field = be16(p + csum_start + (proto == IPPROTO_TCP ? 16 : 6));
	FUZZ_ASSERT(field == naive_pseudo(ip, v, proto, end - csum_start));
	if (ol & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG)) {
		if (v == 4)
			FUZZ_ASSERT(be16(ip + 2) ==
				    (uint16_t)(m->pkt_len - m->l2_len));
		else
			FUZZ_ASSERT(be16(ip + 4) ==
				    (uint16_t)(m->pkt_len - m->l2_len - 40));
	}
	if (v == 4 && (ol & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_SEG |
			     RTE_MBUF_F_TX_UDP_SEG)))
		FUZZ_ASSERT(naive_fold(naive_sum(0, ip, m->l3_len)) == 0xffff);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tpk_txq *txq;
	static int fd = -1;
	static const int gone;
	static const uint16_t vnet_lens[4] = { 0, 10, 12, 10 };
	struct chain c = { .n = 0 };
	uint16_t sel, headroom, nb;
	uint8_t q, *ring = NULL;
	unsigned int i, nsegs;
	uint64_t ol = 0;
	struct rte_mbuf *m;
	uint32_t len;

	if (size < 16 || size > 65535 + 16)
		return 0;
	if (txq == NULL) {
		txq = aligned_alloc(RTE_CACHE_LINE_SIZE,
				    RTE_ALIGN_CEIL(sizeof(*txq),
						   RTE_CACHE_LINE_SIZE));
		FUZZ_ASSERT(txq != NULL);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		FUZZ_ASSERT(fd >= 0);
	}
	memset(txq, 0, sizeof(*txq));
	q = data[11];
	txq->fd = fd;
	txq->gone = &gone;
	txq->vnet_len = vnet_lens[q & 3];
	txq->udp_gso = q & 4;
	txq->mode = (q & 8) ? TPK_TX_RING : TPK_TX_SENDMMSG;
	txq->max_frame = data[12] | data[13] << 8;
	if (txq->max_frame == 0)
		txq->max_frame = 1514;
	if (txq->mode == TPK_TX_RING) {
		txq->ring.fd = fd;
		txq->ring.frame_size = (q & 32) ? 8192 : 2048;
		txq->ring.nb_frames = 2;
		txq->ring.block_size = txq->ring.frame_size * 2;
		txq->ring.nb_blocks = 0;	/* no RX part */
		txq->ring.map_len = (size_t)txq->ring.frame_size * 2;
		ring = calloc(1, txq->ring.map_len);
		FUZZ_ASSERT(ring != NULL);
		txq->ring.map = ring;
	}

	sel = data[0] | data[1] << 8;
	for (i = 0; i < 16; i++)
		if (sel & (1u << i))
			ol |= flag_tab[i];
	len = (uint32_t)(size - 16);
	nsegs = 1 + ((q >> 6) % MAX_SEGS);
	headroom = (q & 32) ? RTE_PKTMBUF_HEADROOM : 0;
	chain_build(&c, data + 16, len, nsegs, data + 14, headroom);
	m = c.m[0];
	m->ol_flags = ol;
	m->packet_type = ptype_tab[data[2] & 7];
	m->l2_len = data[3];
	m->l3_len = data[4] | data[5] << 8;
	m->l4_len = data[6];
	m->tso_segsz = data[7] | data[8] << 8;
	m->vlan_tci = data[9] | data[10] << 8;
	if (q & 16)
		chain_refcnt(&c, 2);

	rte_errno = 0;
	nb = tpk_tx_prepare(txq, &m, 1);
	FUZZ_ASSERT(nb <= 1);
	if (nb == 0)
		FUZZ_ASSERT(rte_errno == EINVAL || rte_errno == ENOTSUP ||
			    rte_errno == EMSGSIZE);
	else if ((ol & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)) &&
		 !(ol & (RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_INDIRECT)) &&
		 !(q & 16))
		check_prepared(m);

	/* tx_burst: frees are plain decrements with refcnt 2. */
	chain_refcnt(&c, 2);
	nb = tpk_tx_burst(txq, &m, 1);
	FUZZ_ASSERT(nb <= 1);
	if (txq->mode == TPK_TX_RING)
		fuzz_touch(ring, txq->ring.map_len);
	chain_free(&c);
	free(ring);
	return 0;
}
