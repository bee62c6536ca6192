/* SPDX-License-Identifier: BSD-3-Clause
 * Internet checksum (RFC 1071) helpers, DPDK-free so that lib/ and its
 * unit tests and fuzzers do not need EAL.
 */
#ifndef TPK_CSUM_H
#define TPK_CSUM_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>

/* Add len bytes at buf to a 64-bit ones' complement accumulator. */
static inline uint64_t
tpk_csum_add(uint64_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t w;

	while (len >= 4) {
		memcpy(&w, p, 4);
		sum += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t h;

		memcpy(&h, p, 2);
		sum += h;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint16_t h = 0;

		memcpy(&h, p, 1);	/* pad the odd byte with zero */
		sum += h;
	}
	return sum;
}

/* Fold to 16 bits (not inverted), in network byte order like the input. */
static inline uint16_t
tpk_csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * Pseudo-header sum for TCP/UDP including the L4 length: the Linux
 * CHECKSUM_PARTIAL convention, also DPDK's for non-TSO L4 offload.
 * addr points at the source address, followed by the destination.
 */
static inline uint16_t
tpk_csum_pseudo(const void *addrs, size_t addr_len, uint8_t proto,
		uint32_t l4_len)
{
	uint64_t sum = tpk_csum_add(0, addrs, 2 * addr_len);
	uint32_t v[2];

	/* Big-endian length then protocol, as 32-bit words. */
	v[0] = __builtin_bswap32(l4_len);
	v[1] = __builtin_bswap32(proto);
	sum = tpk_csum_add(sum, v, sizeof(v));
	return tpk_csum_fold(sum);
}

/*
 * Finish a CHECKSUM_PARTIAL frame in place: sum from start to the end of
 * the frame (the checksum field already holds the pseudo-header sum) and
 * store the complement at start + off. 0 becomes 0xffff, which means the
 * same in ones' complement and keeps UDP's "no checksum" value unused.
 */
static inline int
tpk_csum_complete(uint8_t *frame, uint32_t len, uint32_t start, uint32_t off)
{
	uint16_t c;

	if (start >= len || off > len - start || len - start - off < 2)
		return -1;
	c = (uint16_t)~tpk_csum_fold(tpk_csum_add(0, frame + start,
						    len - start));
	if (c == 0)
		c = 0xffff;
	memcpy(frame + start + off, &c, 2);
	return 0;
}

#endif /* TPK_CSUM_H */
