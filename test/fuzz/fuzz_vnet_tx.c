/* SPDX-License-Identifier: BSD-3-Clause
 * TX side of lib/: tpk_vnet_tx_fill on a request derived from the input,
 * checked against the rules of the kernel's virtio_net_hdr_to_skb; then
 * the rest of the input as a frame: tpk_pkt_parse, a request built from
 * what it found (must be accepted), tpk_csum_complete and a software GSO
 * cut with tpk_gso_fix_segment, every segment verified independently.
 *
 * Input layout (little-endian):
 *   0  u32 pkt_len        4  u16 l2_len     6  u16 l3_len    8  u16 l4_len
 *   10 u16 segsz          12 u8 l3 (% 4)    13 u8 l4_proto selector
 *   14 u8 flags: 1 l4_csum, 2 gso, 4 ecn, 8 udp_gso, 16 full csum,
 *                32 pkt_len = frame length, 64 re-insert a VLAN tag
 *   15 u8 reserved        16.. frame
 */
#include "tpk_vnet.h"
#include "tpk_pkt.h"
#include "tpk_csum.h"
#include "fuzz_common.h"

#define HDR 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

/* What the kernel checks (reference section 3) holds for an accepted r. */
static void
check_fill(const struct tpk_tx_req *r, const struct virtio_net_hdr *h,
	   bool udp_gso, enum tpk_tx_err e)
{
	uint32_t hdrs = (uint32_t)r->l2_len + r->l3_len + r->l4_len;

	FUZZ_ASSERT(e >= TPK_TX_OK && e <= TPK_TX_ENOTSUP);
	FUZZ_ASSERT(tpk_tx_err_str(e) != NULL);
	if (e != TPK_TX_OK)
		return;
	if (!r->l4_csum && !r->gso) {
		FUZZ_ASSERT(h->flags == 0 && h->gso_type == 0 &&
			    h->hdr_len == 0 && h->gso_size == 0 &&
			    h->csum_start == 0 && h->csum_offset == 0);
		return;
	}
	FUZZ_ASSERT(r->l3 == TPK_L3_IPV4 || r->l3 == TPK_L3_IPV6);
	FUZZ_ASSERT(h->flags == VIRTIO_NET_HDR_F_NEEDS_CSUM);
	FUZZ_ASSERT(r->l2_len >= 14);
	FUZZ_ASSERT(r->l3_len >= (r->l3 == TPK_L3_IPV4 ? 20 : 40));
	FUZZ_ASSERT(h->csum_start == r->l2_len + r->l3_len);
	FUZZ_ASSERT((uint32_t)h->csum_start + h->csum_offset + 2 <= r->pkt_len);
	FUZZ_ASSERT(h->hdr_len == hdrs && hdrs <= r->pkt_len);
	if (r->l4_proto == IPPROTO_TCP)
		FUZZ_ASSERT(h->csum_offset == 16 && r->l4_len >= 20 &&
			    r->l4_len <= 60);
	else
		FUZZ_ASSERT(r->l4_proto == IPPROTO_UDP &&
			    h->csum_offset == 6 && r->l4_len == 8);
	if (!r->gso) {
		FUZZ_ASSERT(h->gso_type == 0 && h->gso_size == 0);
		return;
	}
	FUZZ_ASSERT(h->gso_size >= 1 && h->gso_size <= 0xfffe);
	FUZZ_ASSERT(r->pkt_len - r->l2_len <= 0xffff);
	if (r->l4_proto == IPPROTO_UDP) {
		FUZZ_ASSERT(udp_gso);
		FUZZ_ASSERT(h->gso_type == VIRTIO_NET_HDR_GSO_UDP_L4);
		FUZZ_ASSERT(r->pkt_len - hdrs <=
			    (uint32_t)h->gso_size * TPK_UDP_MAX_SEGMENTS);
	} else {
		FUZZ_ASSERT((h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) ==
			    (r->l3 == TPK_L3_IPV4 ? VIRTIO_NET_HDR_GSO_TCPV4 :
			     VIRTIO_NET_HDR_GSO_TCPV6));
		FUZZ_ASSERT(!!(h->gso_type & VIRTIO_NET_HDR_GSO_ECN) == r->ecn);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tpk_tx_req r;
	struct virtio_net_hdr h;
	struct tpk_pkt_info pi;
	const uint8_t *fr;
	uint32_t len, hdr;
	uint8_t fl, sel;
	bool udp_gso, full;
	enum tpk_tx_err e;
	uint8_t *copy;

	if (size < HDR || size > (1u << 18))
		return 0;
	fr = data + HDR;
	len = (uint32_t)(size - HDR);
	fl = data[14];
	sel = data[13];
	udp_gso = fl & 8;
	full = fl & 16;

	memset(&r, 0, sizeof(r));
	r.pkt_len = (fl & 32) ? len : le32(data);
	r.l2_len = le16(data + 4);
	r.l3_len = le16(data + 6);
	r.l4_len = le16(data + 8);
	r.segsz = le16(data + 10);
	r.l3 = data[12] & 3;
	r.l4_proto = (sel & 0x80) ? sel : (sel & 1) ? IPPROTO_UDP :
		IPPROTO_TCP;
	r.l4_csum = fl & 1;
	r.gso = fl & 2;
	r.ecn = fl & 4;
	memset(&h, 0xa5, sizeof(h));
	e = tpk_vnet_tx_fill(&r, &h, udp_gso);
	check_fill(&r, &h, udp_gso, e);

	fuzz_csum_oracle(fr, len);

	/* The frame: parse, and everything parse accepts must be offloadable. */
	if (tpk_pkt_parse(fr, len, &pi) != 0)
		return 0;
	if (pi.l3 == TPK_L3_NONE || pi.ip_frag || pi.l4_len == 0)
		return 0;
	hdr = pi.l2_len + pi.l3_len + pi.l4_len;
	FUZZ_ASSERT(hdr <= len);
	memset(&r, 0, sizeof(r));
	r.pkt_len = len;
	r.l2_len = pi.l2_len;
	r.l3_len = pi.l3_len;
	r.l4_len = pi.l4_len;
	r.l3 = pi.l3;
	r.l4_proto = pi.l4_proto;
	r.l4_csum = true;
	e = tpk_vnet_tx_fill(&r, &h, udp_gso);
	FUZZ_ASSERT(e == TPK_TX_OK);
	check_fill(&r, &h, udp_gso, e);

	copy = malloc(len);
	FUZZ_ASSERT(copy != NULL);
	memcpy(copy, fr, len);
	{
		uint16_t was = be16(copy + h.csum_start + h.csum_offset);

		/* fill accepted these offsets: complete must take them. */
		FUZZ_ASSERT(tpk_csum_complete(copy, len, h.csum_start,
					      h.csum_offset) == 0);
		/* Whatever the field held counts as the pseudo-header sum. */
		FUZZ_ASSERT(naive_fold(naive_sum(was, copy + h.csum_start,
						 len - h.csum_start)) == 0xffff);
	}
	free(copy);

	/* Segment it when the driver would (no tags in the data). */
	if (hdr < len && pi.nb_vlans == 0) {
		uint16_t segsz = le16(data + 10) ? le16(data + 10) : 1;

		fuzz_gso_cut(fr, len, &pi, segsz, (fl & 64) ? 0x8100 : 0,
			     le16(data + 4), full);
	}
	return 0;
}
