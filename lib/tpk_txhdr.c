/* SPDX-License-Identifier: BSD-3-Clause
 * The TX header builder (see tpk_txhdr.h).
 */
#include <string.h>
#include <netinet/in.h>

#include "tpk_bytes.h"
#include "tpk_csum.h"
#include "tpk_txhdr.h"

/* IPv4 total length or IPv6 payload length for an l3_total-byte packet. */
static void
ip_set_len(uint8_t *ip, uint8_t l3, uint32_t l3_total)
{
	if (l3 == TPK_L3_IPV4)
		wr16(ip + 2, (uint16_t)l3_total);
	else
		wr16(ip + 4, (uint16_t)(l3_total - 40));
}

void
tpk_txh_build(const struct tpk_txh_req *r, const uint8_t *src, uint8_t *out)
{
	const struct tpk_pkt_info *pi = &r->pi;
	uint8_t *ip = out + pi->l2_len;

	if (r->vlan_insert)
		tpk_vlan_insert(out, src, r->src_len, 0x8100, r->vlan_tci);
	else
		memcpy(out, src, r->src_len);
	if (r->set_len)
		ip_set_len(ip, pi->l3, r->wire_len - pi->l2_len);
	if (r->ip_csum && pi->l3 == TPK_L3_IPV4)
		tpk_ipv4_csum_set(ip, pi->l3_len);
	if (r->l4_pseudo) {
		uint32_t end = tpk_l3_end(out, r->wire_len, pi);
		uint16_t c = tpk_l4_pseudo(out, pi, end - r->csum_start);

		memcpy(out + r->csum_start + r->csum_offset, &c, 2);
	}
}

void
tpk_txh_l4_csum(const struct tpk_txh_req *r, uint8_t *hdr, uint32_t hdr_len,
		uint32_t l4_len, uint16_t payload_sum)
{
	uint8_t *field = hdr + r->csum_start + r->csum_offset;
	uint32_t in_hdr = hdr_len - r->csum_start;
	uint16_t ps, c;
	uint64_t sum;

	field[0] = field[1] = 0;
	sum = tpk_csum_add(0, hdr + r->csum_start, in_hdr < l4_len ? in_hdr :
			   l4_len);
	ps = tpk_l4_pseudo(hdr, &r->pi, l4_len);
	sum = tpk_csum_add(sum, &ps, 2);
	sum = tpk_csum_add(sum, &payload_sum, 2);
	c = (uint16_t)~tpk_csum_fold(sum);
	if (c == 0 && r->pi.l4_proto == IPPROTO_UDP)
		c = 0xffff;	/* 0 means "no checksum" in UDP */
	memcpy(field, &c, 2);
}
