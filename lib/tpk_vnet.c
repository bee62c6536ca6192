/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <netinet/in.h>

#include "tpk_vnet.h"

const char *
tpk_tx_err_str(enum tpk_tx_err e)
{
	switch (e) {
	case TPK_TX_OK: return "ok";
	case TPK_TX_EHDR: return "header lengths do not fit the frame";
	case TPK_TX_EPROTO: return "not TCP or UDP over IPv4/IPv6";
	case TPK_TX_ESEGSZ: return "segment size out of range";
	case TPK_TX_ETOOBIG: return "larger than one IP datagram";
	case TPK_TX_ENOTSUP: return "segmentation type not supported by the kernel";
	}
	return "?";
}

enum tpk_tx_err
tpk_vnet_tx_fill(const struct tpk_tx_req *r, struct virtio_net_hdr *h,
		 bool udp_gso)
{
	uint32_t hdrs, l4_min, payload;

	memset(h, 0, sizeof(*h));
	if (!r->l4_csum && !r->gso)
		return TPK_TX_OK;

	if (r->l3 == TPK_L3_IPV4) {
		if (r->l3_len < 20 || r->l3_len > 60)
			return TPK_TX_EHDR;
	} else if (r->l3 == TPK_L3_IPV6) {
		if (r->l3_len < 40)
			return TPK_TX_EHDR;
	} else {
		return TPK_TX_EPROTO;
	}
	if (r->l4_proto == IPPROTO_TCP)
		l4_min = 20;
	else if (r->l4_proto == IPPROTO_UDP)
		l4_min = 8;
	else
		return TPK_TX_EPROTO;
	/* The kernel pulls csum_start + the L4 header: it must be there. */
	if (r->l2_len < 14 || r->l4_len < l4_min ||
	    (r->l4_proto == IPPROTO_TCP && r->l4_len > 60) ||
	    (r->l4_proto == IPPROTO_UDP && r->l4_len != 8))
		return TPK_TX_EHDR;
	hdrs = (uint32_t)r->l2_len + r->l3_len + r->l4_len;
	if (hdrs > r->pkt_len || hdrs > 0xffff)
		return TPK_TX_EHDR;

	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->csum_start = r->l2_len + r->l3_len;
	h->csum_offset = r->l4_proto == IPPROTO_TCP ? 16 : 6;
	h->hdr_len = (uint16_t)hdrs;
	if (!r->gso)
		return TPK_TX_OK;

	payload = r->pkt_len - hdrs;
	if (r->segsz == 0 || r->segsz > TPK_GSO_SIZE_MAX)
		return TPK_TX_ESEGSZ;
	/* IP length fields are 16 bits (no jumbograms). */
	if (r->pkt_len - r->l2_len > 0xffff)
		return TPK_TX_ETOOBIG;
	if (r->l4_proto == IPPROTO_TCP) {
		h->gso_type = r->l3 == TPK_L3_IPV4 ? VIRTIO_NET_HDR_GSO_TCPV4 :
			VIRTIO_NET_HDR_GSO_TCPV6;
		if (r->ecn)
			h->gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	} else {
		if (!udp_gso)
			return TPK_TX_ENOTSUP;
		if (payload > (uint32_t)r->segsz * TPK_UDP_MAX_SEGMENTS)
			return TPK_TX_ETOOBIG;
		h->gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	}
	h->gso_size = r->segsz;
	return TPK_TX_OK;
}

int
tpk_vnet_rx_parse(const struct virtio_net_hdr *h, uint32_t len,
		  struct tpk_rx_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->needs_csum = h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;
	m->data_valid = h->flags & VIRTIO_NET_HDR_F_DATA_VALID;
	m->gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	m->ecn = h->gso_type & VIRTIO_NET_HDR_GSO_ECN;
	m->gso_size = h->gso_size;
	m->csum_start = h->csum_start;
	m->csum_offset = h->csum_offset;

	if (m->needs_csum &&
	    ((uint32_t)m->csum_start + m->csum_offset + 2 > len))
		return -1;
	switch (m->gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		if (m->gso_size == 0)
			return -1;
		break;
	default:
		return -1;
	}
	return 0;
}
