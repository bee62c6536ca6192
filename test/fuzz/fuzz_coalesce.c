/* SPDX-License-Identifier: BSD-3-Clause
 * TX coalescing (lib/tpk_coalesce.c). Whatever run tpk_coal_start/add
 * accept, the merged frame that tpk_coal_finish describes, cut again the
 * way TSO cuts it (tpk_gso_fix_segment, full checksums), must give back
 * the accepted segments byte for byte: that is the promise that
 * tx_coalesce=1 is invisible on the wire.
 *
 * Valid runs are too rare to find from random bytes (checksums), so by
 * default the input is a template frame that the target cuts into
 * segments itself, then damages as the input says. Input layout:
 *   0  u8  mode: bit 0 raw (the rest is [u16 len][frame]... segments)
 *   1  u16 mss (little-endian; 0 -> 1)
 *   3  u8  number of damages (at most 8), each 5 bytes:
 *          u8 segment, u16 offset, u8 xor, u8 flags (1: fix the IPv4
 *          and TCP checksums afterwards)
 *   ..     template frame (headers parsed by tpk_pkt_parse)
 */
#include "tpk_coalesce.h"
#include "tpk_csum.h"
#include "tpk_pkt.h"
#include "tpk_vnet.h"
#include "fuzz_common.h"

#define MAX_SEGS 96

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *seg[MAX_SEGS];
static uint32_t seg_len[MAX_SEGS];
static uint32_t nb_seg;

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void
add_seg(const uint8_t *p, uint32_t len)
{
	seg[nb_seg] = malloc(len ? len : 1);	/* exact size for ASan */
	FUZZ_ASSERT(seg[nb_seg] != NULL);
	memcpy(seg[nb_seg], p, len);
	seg_len[nb_seg++] = len;
}

/*
 * Recompute the checksums of a segment (if it parses): after a damage
 * (all), or where an offload request asks the kernel to (TPK_COAL_*).
 */
static void
fix_csums(uint8_t *f, uint32_t len, unsigned int which)
{
	struct tpk_pkt_info pi;
	uint8_t *ip, *th;
	uint32_t l4tot;
	uint16_t c;

	if (tpk_pkt_parse(f, len, &pi) < 0 || pi.l4_proto != IPPROTO_TCP ||
	    pi.ip_frag || pi.l4_len < 20)
		return;
	ip = f + pi.l2_len;
	th = ip + pi.l3_len;
	if (pi.l3 == TPK_L3_IPV4 && (which & TPK_COAL_IP_CSUM))
		tpk_ipv4_csum_set(ip, pi.l3_len);
	if (!(which & TPK_COAL_L4_CSUM))
		return;
	l4tot = len - pi.l2_len - pi.l3_len;
	th[16] = th[17] = 0;
	c = tpk_l4_pseudo(f, &pi, l4tot);
	memcpy(th + 16, &c, 2);
	c = (uint16_t)~tpk_csum_fold(tpk_csum_add(0, th, l4tot));
	memcpy(th + 16, &c, 2);
}

/* Cut the template like TSO into mss-sized segments. */
static void
cut(const uint8_t *t, uint32_t len, uint32_t mss)
{
	struct tpk_pkt_info pi;
	uint32_t hdr, pay, off = 0, idx = 0;
	static uint8_t buf[70000];

	if (tpk_pkt_parse(t, len, &pi) < 0 || pi.l4_proto != IPPROTO_TCP ||
	    pi.ip_frag || pi.l4_len < 20)
		return;
	hdr = pi.l2_len + pi.l3_len + pi.l4_len;
	if (len <= hdr)
		return;
	pay = len - hdr;
	while (off < pay && nb_seg < MAX_SEGS) {
		uint32_t plen = pay - off < mss ? pay - off : mss;

		memcpy(buf, t, hdr);
		memcpy(buf + hdr, t + hdr + off, plen);
		tpk_gso_fix_segment(buf, &pi, idx, off, plen, off + plen == pay,
				    true);
		add_seg(buf, hdr + plen);
		off += plen;
		idx++;
	}
}

/*
 * Re-cut the merged frame and compare with the accepted segments, their
 * offloaded checksums (off) computed first.
 */
static void
check_run(const struct tpk_coal *c, uint32_t n, unsigned int off)
{
	static uint8_t out[256], buf[70000], want[70000];
	struct tpk_tx_req r;
	struct virtio_net_hdr vh;
	uint32_t done = 0, i;

	FUZZ_ASSERT(c->nb == n && c->hdr_len <= sizeof(out));
	tpk_coal_finish(c, seg[0], out, &r);
	FUZZ_ASSERT(r.pkt_len == c->hdr_len + c->payload);
	FUZZ_ASSERT(r.pkt_len - r.l2_len <= 0xffff);
	if (n > 1)
		FUZZ_ASSERT(tpk_vnet_tx_fill(&r, &vh, false) == TPK_TX_OK);
	for (i = 0; i < n; i++) {
		uint32_t plen = seg_len[i] - c->hdr_len;

		FUZZ_ASSERT(plen <= c->mss && (plen == c->mss || i == n - 1));
		memcpy(buf, out, c->hdr_len);
		memcpy(buf + c->hdr_len, seg[i] + c->hdr_len, plen);
		tpk_gso_fix_segment(buf, &c->pi, i, done, plen, i == n - 1,
				    true);
		FUZZ_ASSERT(seg_len[i] <= sizeof(want));
		memcpy(want, seg[i], seg_len[i]);
		if (off)
			fix_csums(want, seg_len[i], off);
		if (memcmp(buf, want, seg_len[i]) != 0) {
			fprintf(stderr, "segment %u of %u differs after re-cut\n",
				i, n);
			abort();
		}
		done += plen;
	}
	FUZZ_ASSERT(done == c->payload);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tpk_coal c;
	uint32_t n, i, nd;
	unsigned int csum_off;
	size_t at;

	if (size < 4)
		return 0;
	nb_seg = 0;
	if (data[0] & 1) {
		for (at = 1; at + 2 <= size && nb_seg < MAX_SEGS;) {
			uint32_t len = le16(data + at);

			at += 2;
			if (len > size - at)
				len = (uint32_t)(size - at);
			add_seg(data + at, len);
			at += len;
		}
	} else {
		uint32_t mss = le16(data + 1) ? le16(data + 1) : 1;

		nd = data[3] > 8 ? 8 : data[3];
		at = 4 + (size_t)nd * 5;
		if (at > size)
			return 0;
		cut(data + at, (uint32_t)(size - at), mss);
		for (i = 0; i < nd && nb_seg; i++) {
			const uint8_t *d = data + 4 + i * 5;
			uint32_t s = d[0] % nb_seg, off = le16(d + 1);

			if (off < seg_len[s])
				seg[s][off] ^= d[3];
			if (d[4] & 1)
				fix_csums(seg[s], seg_len[s],
					  TPK_COAL_IP_CSUM | TPK_COAL_L4_CSUM);
		}
	}
	csum_off = (data[0] & 2 ? TPK_COAL_L4_CSUM : 0) |
		(data[0] & 4 ? TPK_COAL_IP_CSUM : 0);
	if (nb_seg && tpk_coal_start(&c, seg[0], seg_len[0], csum_off) == 0) {
		for (n = 1; n < nb_seg; n++)
			if (tpk_coal_add(&c, seg[0], seg[n], seg_len[n],
					 csum_off) < 0)
				break;
		check_run(&c, n, csum_off);
	}
	for (i = 0; i < nb_seg; i++)
		free(seg[i]);
	return 0;
}
