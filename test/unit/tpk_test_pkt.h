/* SPDX-License-Identifier: BSD-3-Clause
 * Test helpers shared by the unit tests and the fuzz targets: frame
 * builders and a deliberately naive Internet checksum (byte by byte,
 * big-endian 16-bit words) that shares no code with lib/tpk_csum.h, so
 * that the two can check each other.
 */
#ifndef TPK_TEST_PKT_H
#define TPK_TEST_PKT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* ---- naive checksum ---------------------------------------------------- */

static inline uint64_t
naive_sum(uint64_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

/* Ones' complement fold to 16 bits, host order, not inverted. */
static inline uint16_t
naive_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline uint16_t
naive_csum(const uint8_t *p, size_t n)
{
	return (uint16_t)~naive_fold(naive_sum(0, p, n));
}

/*
 * Pseudo-header sum (not inverted, host order) for an L4 segment of
 * l4_total bytes. ip points at the IPv4 or IPv6 header (v = 4 or 6).
 */
static inline uint16_t
naive_pseudo(const uint8_t *ip, int v, uint8_t proto, uint32_t l4_total)
{
	uint64_t s;

	if (v == 4)
		s = naive_sum(0, ip + 12, 8);
	else
		s = naive_sum(0, ip + 8, 32);
	s += proto;
	s += l4_total >> 16;
	s += l4_total & 0xffff;
	return naive_fold(s);
}

/* Does the L4 checksum of l4_total bytes at l4 verify? */
static inline bool
naive_l4_ok(const uint8_t *ip, int v, uint8_t proto, const uint8_t *l4,
	    uint32_t l4_total)
{
	uint64_t s = naive_pseudo(ip, v, proto, l4_total);

	s = naive_sum(s, l4, l4_total);
	return naive_fold(s) == 0xffff;
}

static inline uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* ---- frame builders: each writes at p and returns its length --------- */

static const uint8_t tb_mac_dst[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t tb_mac_src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t tb_v4_src[4] = { 10, 0, 0, 1 };
static const uint8_t tb_v4_dst[4] = { 10, 0, 0, 2 };
static const uint8_t tb_v6_src[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
				       0, 0, 0, 0, 0, 0, 0x12, 0x01 };
static const uint8_t tb_v6_dst[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
				       0, 0, 0, 0, 0, 0, 0xab, 0x02 };

static inline uint32_t
tb_eth(uint8_t *p, uint16_t type)
{
	memcpy(p, tb_mac_dst, 6);
	memcpy(p + 6, tb_mac_src, 6);
	put16(p + 12, type);
	return 14;
}

/* A tag after the TPID the previous header named: TCI, then next type. */
static inline uint32_t
tb_vlan(uint8_t *p, uint16_t tci, uint16_t next_type)
{
	put16(p, tci);
	put16(p + 2, next_type);
	return 4;
}

/* IPv4 header of ihl 32-bit words (options: NOP), valid checksum. */
static inline uint32_t
tb_ipv4(uint8_t *p, unsigned int ihl, uint16_t tot_len, uint16_t id,
	uint16_t frag, uint8_t proto)
{
	uint32_t n = ihl * 4, i;

	p[0] = 0x40 | (ihl & 0xf);
	p[1] = 0x02;		/* ECT(0) */
	put16(p + 2, tot_len);
	put16(p + 4, id);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	p[10] = p[11] = 0;
	memcpy(p + 12, tb_v4_src, 4);
	memcpy(p + 16, tb_v4_dst, 4);
	for (i = 20; i < n; i++)
		p[i] = 0x01;
	put16(p + 10, naive_csum(p, n));
	return n;
}

static inline uint32_t
tb_ipv6(uint8_t *p, uint16_t plen, uint8_t nh)
{
	p[0] = 0x60;
	p[1] = 0x01;		/* flow label bits */
	p[2] = 0x23;
	p[3] = 0x45;
	put16(p + 4, plen);
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, tb_v6_src, 16);
	memcpy(p + 24, tb_v6_dst, 16);
	return 40;
}

/* An IPv6 extension header of (len8 + 1) * 8 bytes (PadN contents). */
static inline uint32_t
tb_v6ext(uint8_t *p, uint8_t nh, uint8_t len8)
{
	uint32_t n = (len8 + 1u) * 8, i;

	p[0] = nh;
	p[1] = len8;
	p[2] = 1;		/* PadN */
	p[3] = (uint8_t)(n - 4);
	for (i = 4; i < n; i++)
		p[i] = 0;
	return n;
}

#define TB_FIN 0x01
#define TB_SYN 0x02
#define TB_RST 0x04
#define TB_PSH 0x08
#define TB_ACK 0x10
#define TB_URG 0x20
#define TB_ECE 0x40
#define TB_CWR 0x80

/* TCP header of doff words; options are a timestamp then NOPs. */
static inline uint32_t
tb_tcp(uint8_t *p, uint32_t seq, unsigned int doff, uint8_t flags)
{
	uint32_t n = doff * 4, i;

	put16(p, 40000);
	put16(p + 2, 5201);
	put32(p + 4, seq);
	put32(p + 8, 0x01020304);
	p[12] = (uint8_t)(doff << 4);
	p[13] = flags;
	put16(p + 14, 502);
	p[16] = p[17] = 0;
	put16(p + 18, 0);
	for (i = 20; i < n; i++)
		p[i] = 0x01;
	if (n >= 32) {
		p[20] = 1;
		p[21] = 1;
		p[22] = 8;	/* timestamp */
		p[23] = 10;
		put32(p + 24, 0x11223344);
		put32(p + 28, 0x55667788);
	}
	return n;
}

static inline uint32_t
tb_udp(uint8_t *p, uint16_t len)
{
	put16(p, 40001);
	put16(p + 2, 4789);
	put16(p + 4, len);
	p[6] = p[7] = 0;
	return 8;
}

/* Deterministic filler (xorshift), different per seed. */
static inline void
tb_fill(uint8_t *p, uint32_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1, i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

#endif /* TPK_TEST_PKT_H */
