/* SPDX-License-Identifier: BSD-3-Clause
 * Helpers shared by the libFuzzer targets: a fatal assertion, a reader
 * that makes ASan look at every byte of a buffer, and the software GSO
 * cut of the RX datapath (tpk_gso_emit) with each segment checked by the
 * naive checksum of test/unit/tpk_test_pkt.h.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "tpk_pkt.h"
#include "tpk_test_pkt.h"

#define FUZZ_ASSERT(c) do { \
	if (!(c)) { \
		fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, \
			__LINE__, #c); \
		abort(); \
	} \
} while (0)

static volatile uint32_t fuzz_sink;

/* Read every byte (ASan reports an out-of-bounds range). */
static inline void
fuzz_touch(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += b[i];
	fuzz_sink += s;
}

/* Cap on segments per super-frame, to keep executions fast. */
#define FUZZ_MAX_SEGS 256

/*
 * Cut frame (len bytes, headers pi as tpk_pkt_parse found them, no VLAN
 * tag in the data) into gso_size payloads the way tpk_gso_emit does,
 * optionally re-inserting a VLAN tag (tpid != 0), and check each segment.
 * The caller guarantees pi describes a TCP or UDP header inside frame.
 */
static inline void
fuzz_gso_cut(const uint8_t *frame, uint32_t len, const struct tpk_pkt_info *fpi,
	     uint16_t gso_size, uint16_t tpid, uint16_t tci, bool full)
{
	struct tpk_pkt_info pi = *fpi;
	uint32_t hdr = pi.l2_len + pi.l3_len + pi.l4_len;
	uint32_t ins = tpid ? 4 : 0, done = 0, idx = 0;
	uint32_t payload;
	int v = pi.l3 == TPK_L3_IPV4 ? 4 : 6;

	FUZZ_ASSERT(pi.l3 == TPK_L3_IPV4 || pi.l3 == TPK_L3_IPV6);
	FUZZ_ASSERT(pi.l4_proto == IPPROTO_TCP || pi.l4_proto == IPPROTO_UDP);
	FUZZ_ASSERT(hdr < len && gso_size > 0 && hdr >= 12);
	payload = len - hdr;
	pi.l2_len += ins;
	while (done < payload && idx < FUZZ_MAX_SEGS) {
		uint32_t plen = payload - done < gso_size ? payload - done :
			gso_size;
		bool last = done + plen == payload;
		uint32_t l4tot = pi.l4_len + plen;
		uint8_t *seg = malloc(hdr + ins + plen), *ip, *l4;

		FUZZ_ASSERT(seg != NULL);
		if (ins) {
			memcpy(seg, frame, 12);
			put16(seg + 12, tpid);
			put16(seg + 14, tci);
			memcpy(seg + 16, frame + 12, hdr - 12);
		} else {
			memcpy(seg, frame, hdr);
		}
		memcpy(seg + hdr + ins, frame + hdr + done, plen);
		tpk_gso_fix_segment(seg, &pi, idx, done, plen, last, full);
		ip = seg + pi.l2_len;
		l4 = ip + pi.l3_len;
		if (v == 4) {
			FUZZ_ASSERT(naive_fold(naive_sum(0, ip, pi.l3_len)) ==
				    0xffff);
			FUZZ_ASSERT(be16(ip + 2) ==
				    (uint16_t)(pi.l3_len + l4tot));
		} else {
			FUZZ_ASSERT(be16(ip + 4) ==
				    (uint16_t)(pi.l3_len - 40 + l4tot));
		}
		if (pi.l4_proto == IPPROTO_TCP) {
			FUZZ_ASSERT(be32(l4 + 4) ==
				    be32(frame + hdr - pi.l4_len + 4) + done);
			if (!last)
				FUZZ_ASSERT(!(l4[13] & 0x09));
			if (idx)
				FUZZ_ASSERT(!(l4[13] & 0x80));
		} else {
			FUZZ_ASSERT(be16(l4 + 4) == (uint16_t)l4tot);
		}
		if (full)
			FUZZ_ASSERT(naive_l4_ok(ip, v, pi.l4_proto, l4, l4tot));
		else
			FUZZ_ASSERT(be16(l4 + (pi.l4_proto == IPPROTO_TCP ?
					       16 : 6)) ==
				    naive_pseudo(ip, v, pi.l4_proto, l4tot));
		FUZZ_ASSERT(memcmp(seg + hdr + ins, frame + hdr + done,
				   plen) == 0);
		free(seg);
		done += plen;
		idx++;
	}
}

/* tpk_csum_add/fold against the naive sum, any length and alignment. */
#include "tpk_csum.h"
static inline void
fuzz_csum_oracle(const uint8_t *p, size_t n)
{
	uint8_t b[2];
	uint16_t t, v;

	if (n > 65536)
		n = 65536;
	t = tpk_csum_fold(tpk_csum_add(0, p, n));
	memcpy(b, &t, 2);
	t = be16(b);
	v = naive_fold(naive_sum(0, p, n));
	/* 0 and 0xffff are both zero in ones' complement. */
	FUZZ_ASSERT(t == v || (t == 0 && v == 0xffff) ||
		    (t == 0xffff && v == 0));
}

#endif /* FUZZ_COMMON_H */
