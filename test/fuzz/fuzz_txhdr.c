/* SPDX-License-Identifier: BSD-3-Clause
 * libFuzzer target: lib's TX header builder (tpk_txh_build and the
 * software L4 checksum) on arbitrary frames with arbitrary requests.
 *
 * Input: one control byte (bit 0 insert a tag, 1 rewrite the IP length,
 * 2 IPv4 checksum, 3 pseudo-header sum, 4 software L4 checksum instead),
 * two bytes of extra super-frame length, then the frame. The frame's
 * headers are what tpk_pkt_parse finds (TCP or UDP, not a fragment).
 * Oracle: nothing is written past tpk_txh_len(); every byte but the
 * fields the request names is the source's (after the inserted tag); the
 * IPv4 checksum verifies; the pseudo-header sum covers the L4 length the
 * IP header declares; the software checksum verifies over it.
 *
 * The same input also goes to lib's other parsers of raw bytes that the
 * driver calls: the coalescing peeks, the rtnetlink link-message parser
 * and the ring geometry (its first 12 bytes as sizes).
 */
#include <stdint.h>
#include <string.h>
#include <linux/netlink.h>

#include "tpk_coalesce.h"
#include "tpk_geom.h"
#include "tpk_netif.h"

#include "tpk_csum.h"
#include "tpk_pkt.h"
#include "tpk_txhdr.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CANARY 0xa5
#define HDR_MAX 256

/* Is byte i of out one the request may rewrite? */
static bool
rewritten(const struct tpk_txh_req *r, uint32_t i)
{
	uint32_t ip = r->pi.l2_len, field = r->csum_start + r->csum_offset;

	if (r->set_len && ((r->pi.l3 == TPK_L3_IPV4 && i >= ip + 2 && i < ip + 4) ||
			   (r->pi.l3 == TPK_L3_IPV6 && i >= ip + 4 && i < ip + 6)))
		return true;
	if (r->ip_csum && r->pi.l3 == TPK_L3_IPV4 && i >= ip + 10 && i < ip + 12)
		return true;
	return r->l4_pseudo && i >= field && i < field + 2;
}

/* The L4 checksum of a software request verifies over the IP's L4. */
static void
check_sw_csum(struct tpk_txh_req *r, uint8_t *out, const uint8_t *frame,
	      uint32_t len)
{
	static uint8_t full[65536 + 4];
	uint32_t hl = tpk_txh_len(r), end, l4_len;
	uint16_t pay;

	end = tpk_l3_end(out, len + (r->vlan_insert ? 4 : 0), &r->pi);
	if (end < hl || end - r->csum_start < r->pi.l4_len)
		return;
	l4_len = end - r->csum_start;
	memcpy(full, out, hl);
	memcpy(full + hl, frame + r->src_len, end - hl);
	pay = tpk_csum_fold(tpk_csum_add(0, full + hl, end - hl));
	tpk_txh_l4_csum(r, full, hl, l4_len, pay);
	FUZZ_ASSERT(naive_l4_ok(full + r->pi.l2_len,
				r->pi.l3 == TPK_L3_IPV4 ? 4 : 6,
				r->pi.l4_proto, full + r->csum_start, l4_len) ||
		    (r->pi.l4_proto == IPPROTO_UDP &&
		     be16(full + r->csum_start + 6) == 0xffff));
}

static void
fuzz_others(const uint8_t *data, size_t size)
{
	static union {
		struct nlmsghdr nh;
		uint8_t b[4096];
	} msg;
	struct tpk_link_msg lm;
	struct tpk_geom g;

	if (size >= 2 * 128) {
		if (tpk_coal_peek(data, 128) && tpk_coal_peek(data + 128, 128))
			fuzz_sink += tpk_coal_same_flow(data, data + 128);
	}
	if (size <= sizeof(msg.b)) {
		memcpy(msg.b, data, size);
		if (NLMSG_OK(&msg.nh, size) && tpk_netif_parse_link(&msg.nh, &lm) == 0)
			FUZZ_ASSERT(memchr(lm.name, 0, sizeof(lm.name)) != NULL);
	}
	if (size >= 12) {
		uint32_t frame = be32(data) >> 8, bs = be32(data + 4) >> 4;
		uint32_t nb = be32(data + 8) >> 12;

		if (tpk_ring_geom(frame, bs, nb, 1ull << 31, &g) == 0) {
			FUZZ_ASSERT((uint64_t)g.block_size * g.nb_blocks <= 1ull << 31);
			FUZZ_ASSERT(g.nb_blocks > 0);
			if (bs == 0)
				FUZZ_ASSERT(!(g.block_size & (g.block_size - 1)) &&
					    g.block_size >= frame + TPK_V3_FRAME_OVERHEAD);
			FUZZ_ASSERT(g.short_blocks ==
				    (g.block_size < (uint64_t)frame + TPK_V3_FRAME_OVERHEAD));
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[HDR_MAX + 4 + 64];
	struct tpk_txh_req r;
	struct tpk_pkt_info pi;
	const uint8_t *frame;
	uint32_t len, ins, i, extra, end;
	uint8_t ctl;

	fuzz_others(data, size);
	if (size < 3 || size > 65535 + 3)
		return 0;
	ctl = data[0];
	extra = (uint32_t)data[1] << 8 | data[2];
	frame = data + 3;
	len = (uint32_t)size - 3;
	if (tpk_pkt_parse(frame, len, &pi) < 0 || pi.ip_frag ||
	    pi.l4_len == 0 || pi.l3 == TPK_L3_NONE)
		return 0;
	memset(&r, 0, sizeof(r));
	ins = (ctl & 1) ? 4 : 0;
	r.pi = pi;
	r.pi.l2_len += ins;
	r.src_len = pi.l2_len + pi.l3_len + pi.l4_len;
	if (r.src_len > HDR_MAX)
		return 0;
	r.vlan_insert = ins != 0;
	r.vlan_tci = (uint16_t)extra;
	r.set_len = ctl & 2;
	r.ip_csum = ctl & 4;
	r.csum_start = r.pi.l2_len + pi.l3_len;
	r.csum_offset = pi.l4_proto == IPPROTO_TCP ? 16 : 6;
	r.l4_pseudo = (ctl & 8) && !(ctl & 16);
	/* A super-frame's length fits its IP length field. */
	r.wire_len = len + ins + (r.set_len ? extra : 0);
	if (r.set_len && r.wire_len - r.pi.l2_len - (pi.l3 == TPK_L3_IPV6 ? 40 : 0) > 0xffff)
		return 0;

	memset(out, CANARY, sizeof(out));
	tpk_txh_build(&r, frame, out);
	for (i = tpk_txh_len(&r); i < sizeof(out); i++)
		FUZZ_ASSERT(out[i] == CANARY);
	for (i = 0; i < tpk_txh_len(&r); i++) {
		uint32_t s = i < 12 || !ins ? i : i < 16 ? UINT32_MAX : i - 4;

		if (s == UINT32_MAX || rewritten(&r, i))
			continue;
		FUZZ_ASSERT(out[i] == frame[s]);
	}
	if (ins)
		FUZZ_ASSERT(be16(out + 12) == 0x8100 && be16(out + 14) == r.vlan_tci);
	if (r.ip_csum && pi.l3 == TPK_L3_IPV4)
		FUZZ_ASSERT(tpk_ipv4_csum_ok(out + r.pi.l2_len, pi.l3_len));
	if (r.set_len)
		FUZZ_ASSERT(tpk_l3_end(out, r.wire_len, &r.pi) == r.wire_len);
	if (r.l4_pseudo) {
		end = tpk_l3_end(out, r.wire_len, &r.pi);
		FUZZ_ASSERT(be16(out + r.csum_start + r.csum_offset) ==
			    naive_pseudo(out + r.pi.l2_len,
					 pi.l3 == TPK_L3_IPV4 ? 4 : 6,
					 pi.l4_proto, end - r.csum_start));
	}
	if ((ctl & 16) && !r.set_len)
		check_sw_csum(&r, out, frame, len);
	return 0;
}
