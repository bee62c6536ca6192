/* SPDX-License-Identifier: BSD-3-Clause
 * libFuzzer target: lib's flow rules (lib/tpk_flow.h) - the pattern
 * compiler on arbitrary item lists, the key of arbitrary frames, and the
 * rule table built from what compiled, walked with that key.
 *
 * Input:
 *   [0]    item count (mod 10)
 *   [1]    control: bit 0 the frame is tagged, bit 1 isolate, bit 2 no
 *          err struct, bits 3-4 rules - 1
 *   [2..3] TPID, [4..5] TCI (the ring's VLAN metadata, big-endian)
 *   items: type (mod TPK_FI_MAX + 2: END, VOID, ..., two unknown ones),
 *          a byte of bits (0 spec, 1 last, 2 mask, 3 a length of its
 *          own in the next byte (mod 64) instead of the header's, 4-5
 *          flags_spec, 6-7 flags_mask), then len bytes of each of spec,
 *          last and mask that are present (each in a buffer of exactly
 *          len bytes, so that ASan sees any read past it)
 *   rules: 4 bytes each: priority, fate, mark (0: none), queue
 *   the rest: the frame.
 * Missing input bytes read as zero.
 *
 * Oracles: a refusal is -EINVAL or -ENOTSUP with a message and an index
 * inside the list (or -1); a compiled pattern has 1..TPK_FLOW_MAX_EXPAND
 * value/mask pairs, each value inside its mask, each value (as a key)
 * matching its own pair and no other (prefix splits are disjoint), and
 * no longer matching once a masked bit is flipped; the ports it accepts
 * are those of the L4 item (its range, or its spec under its mask),
 * probed at the range's edges and elsewhere. The frame's key equals
 * the one a naive parser here builds. The table holds the expanded rules
 * in (prio, seq) order ending in the right terminator, and its walk
 * agrees with a reference walk written here.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "tpk_flow.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ITEMS 9
#define MAX_RULES 4

struct cur {
	const uint8_t *p;
	size_t left;
};

static uint8_t
get8(struct cur *c)
{
	uint8_t v = 0;

	if (c->left) {
		v = *c->p++;
		c->left--;
	}
	return v;
}

/* n bytes into a new buffer of exactly n bytes (NULL for 0: malloc(0)
 * may return a pointer ASan flags on any read, which is what we want,
 * but an item of length 0 with a spec is refused before it is read). */
static uint8_t *
get_buf(struct cur *c, uint32_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	uint32_t i;

	FUZZ_ASSERT(b != NULL);
	for (i = 0; i < n; i++)
		b[i] = get8(c);
	return b;
}

/* The key a frame should give, parsed the plain way (RFC offsets). */
static void
ref_key(struct tpk_flow_key *k, const uint8_t *f, uint32_t len, bool tagged,
	uint16_t tpid, uint16_t tci)
{
	uint32_t l4 = 0, ihl;
	uint16_t et;

	memset(k, 0, sizeof(*k));
	if (len < 14)
		return;
	memcpy(k->dst, f, 6);
	memcpy(k->src, f + 6, 6);
	et = be16(f + 12);
	put16((uint8_t *)&k->inner_type, et);
	if (tagged) {
		k->tagged = 1;
		put16((uint8_t *)&k->eth_type, tpid ? tpid : 0x8100);
		put16((uint8_t *)&k->tci, tci);
	} else {
		put16((uint8_t *)&k->eth_type, et);
	}
	f += 14;
	len -= 14;
	if (et == 0x0800) {
		if (len < 20 || (f[0] >> 4) != 4 || (f[0] & 0xf) < 5)
			return;
		ihl = (f[0] & 0xfu) * 4;
		k->l3 = 4;
		k->tos = f[1];
		k->proto = f[9];
		memcpy(k->ip_src, f + 12, 4);
		memcpy(k->ip_dst, f + 16, 4);
		if ((be16(f + 6) & 0x1fff) != 0)
			return;
		l4 = ihl;
	} else if (et == 0x86dd) {
		if (len < 40)
			return;
		k->l3 = 6;
		k->tos = (uint8_t)(f[0] << 4 | f[1] >> 4);
		k->proto = f[6];
		memcpy(k->ip_src, f + 8, 16);
		memcpy(k->ip_dst, f + 24, 16);
		l4 = 40;
	} else {
		return;
	}
	if (len >= l4 + 4) {
		memcpy(&k->sport, f + l4, 2);
		memcpy(&k->dport, f + l4 + 2, 2);
		k->l4 = 1;
	}
}

/* Byte-wise masked compare: the matcher's meaning, without its words. */
static bool
ref_match(const struct tpk_flow_key *k, const struct tpk_flow_key *v,
	  const struct tpk_flow_key *m)
{
	const uint8_t *kb = (const uint8_t *)k, *vb = (const uint8_t *)v;
	const uint8_t *mb = (const uint8_t *)m;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		if ((kb[i] & mb[i]) != vb[i])
			return false;
	return true;
}

/*
 * tpk_flow_key_match() on copies: it reads keys as uint64_t words, and
 * a key written field by field just before an inlined call is a strict
 * aliasing hazard (reported; see BUG_key_match_strict_aliasing in
 * test/unit/test_flow.c). memcpy'd copies keep this target about the
 * other oracles.
 */
static bool
lib_match(const struct tpk_flow_key *k, const struct tpk_flow_key *v,
	  const struct tpk_flow_key *m)
{
	struct tpk_flow_key kk, vv, mm;

	memcpy(&kk, k, sizeof(kk));
	memcpy(&vv, v, sizeof(vv));
	memcpy(&mm, m, sizeof(mm));
	return tpk_flow_key_match(&kk, &vv, &mm);
}

static void
check_match(const struct tpk_flow_match *m, uint32_t flip)
{
	uint32_t i, j;

	FUZZ_ASSERT(m->nb >= 1 && m->nb <= TPK_FLOW_MAX_EXPAND);
	for (i = 0; i < m->nb; i++) {
		const uint8_t *vb = (const uint8_t *)&m->val[i];
		const uint8_t *mb = (const uint8_t *)&m->mask[i];
		struct tpk_flow_key k;
		uint8_t *kb = (uint8_t *)&k;
		uint32_t b, nbits = 0;

		for (b = 0; b < sizeof(k); b++)
			FUZZ_ASSERT((vb[b] & ~mb[b]) == 0);
		/* The value, as a key, matches its pair and no other. */
		memcpy(&k, &m->val[i], sizeof(k));
		for (j = 0; j < m->nb; j++) {
			bool lm = lib_match(&k, &m->val[j], &m->mask[j]);

			FUZZ_ASSERT(lm == ref_match(&k, &m->val[j], &m->mask[j]));
			FUZZ_ASSERT(lm == (i == j));
		}
		/* Any bit outside the mask is free; one inside is not. */
		for (b = 0; b < sizeof(k); b++)
			kb[b] = (uint8_t)(vb[b] | (~mb[b] & (uint8_t)(flip >> (b % 24))));
		FUZZ_ASSERT(lib_match(&k, &m->val[i], &m->mask[i]));
		for (b = 0; b < sizeof(k) * 8; b++)
			nbits += (mb[b / 8] >> (b % 8)) & 1;
		if (nbits) {
			uint32_t pick = flip % nbits;

			for (b = 0; b < sizeof(k) * 8; b++) {
				if (!((mb[b / 8] >> (b % 8)) & 1))
					continue;
				if (pick-- == 0) {
					kb[b / 8] ^= (uint8_t)(1u << (b % 8));
					break;
				}
			}
			FUZZ_ASSERT(!lib_match(&k, &m->val[i], &m->mask[i]));
		}
	}
}

/*
 * The ports the compiled pattern accepts are exactly those the L4 item
 * asked for: spec..last when it gives a range, else spec under its mask.
 * Checked by moving one port of a value key (the other port stays in
 * its range) over the range's edges and a few more ports.
 */
static void
check_ports(const struct tpk_flow_match *m, const struct tpk_flow_item *items,
	    uint32_t n, uint32_t seed)
{
	static const uint8_t full[4] = { 0xff, 0xff, 0xff, 0xff };
	const struct tpk_flow_item *l4 = NULL;
	uint32_t i, d, t;

	for (i = 0; i < n && items[i].type != TPK_FI_END; i++)
		if (items[i].type == TPK_FI_TCP || items[i].type == TPK_FI_UDP ||
		    items[i].type == TPK_FI_SCTP)
			l4 = &items[i];
	if (l4 == NULL || l4->spec == NULL)
		return;
	for (d = 0; d < 2; d++) {
		const uint8_t *sp = (const uint8_t *)l4->spec + 2 * d;
		const uint8_t *mp = (l4->mask ? (const uint8_t *)l4->mask : full) + 2 * d;
		uint16_t s = be16(sp), mk = be16(mp), l = s, lo, hi;
		uint32_t probe[12];
		bool range;

		if (l4->last != NULL)
			l = be16((const uint8_t *)l4->last + 2 * d);
		range = (l & mk) != 0 && (l & mk) != (s & mk);
		lo = range ? s : 0;
		hi = range ? l : 0;
		probe[0] = lo - 1u;
		probe[1] = lo;
		probe[2] = lo + 1u;
		probe[3] = hi - 1u;
		probe[4] = hi;
		probe[5] = hi + 1u;
		probe[6] = 0;
		probe[7] = 0xffff;
		probe[8] = s;
		probe[9] = seed & 0xffff;
		probe[10] = seed >> 16;
		probe[11] = (s ^ seed) & 0xffff;
		for (t = 0; t < 12; t++) {
			uint16_t p = (uint16_t)probe[t];
			bool want = range ? p >= lo && p <= hi : (p & mk) == (s & mk);
			struct tpk_flow_key k;
			uint32_t e, hits = 0;

			memcpy(&k, &m->val[0], sizeof(k));
			if (d == 0)
				put16((uint8_t *)&k.sport, p);
			else
				put16((uint8_t *)&k.dport, p);
			for (e = 0; e < m->nb; e++)
				hits += ref_match(&k, &m->val[e], &m->mask[e]);
			FUZZ_ASSERT(hits == (want ? 1u : 0u));
		}
	}
}

static uint16_t
member_xor(void *arg, uint16_t q)
{
	return (uint16_t)(q ^ *(uint16_t *)arg);
}

static struct tpk_flow_table tbl;
static struct tpk_flow_match any;

static void
check_table(const struct tpk_flow_match *m, struct cur *c, bool isolate,
	    uint32_t nr, const struct tpk_flow_key *k)
{
	struct tpk_flow_rule r[MAX_RULES];
	uint32_t i, j, e, nb = 0, mark = 0, rmark = 0, want;
	uint16_t xr = 0x5a5a;
	bool hm, rhm = false;
	int ret;

	memset(r, 0, sizeof(r));
	for (i = 0; i < nr; i++) {
		uint8_t prio = get8(c), fate = get8(c), mk = get8(c), q = get8(c);

		r[i].prio = prio % 4;
		r[i].seq = nr - i;	/* reversed: the sort must use it */
		r[i].cnt = (uint16_t)i;
		r[i].fate = (uint16_t)(TPK_FLOW_F_PASS + fate % 5);
		r[i].queue = q;
		r[i].nb_rss = (uint16_t)(q % (TPK_FLOW_RSS_MAX + 1));
		for (j = 0; j < r[i].nb_rss; j++)
			r[i].rss[j] = (uint16_t)(q + j);
		r[i].has_mark = mk != 0;
		r[i].mark = mk;
		/* Odd rules catch everything, even ones the pattern. */
		r[i].match = (i & 1) ? &any : m;
		nb += r[i].match->nb;
	}
	ret = tpk_flow_table_build(&tbl, r, nr, isolate, member_xor, &xr);
	if (nb > TPK_FLOW_MAX_RULES) {
		FUZZ_ASSERT(ret == -ENOSPC);
		return;
	}
	FUZZ_ASSERT(ret == 0);
	FUZZ_ASSERT(tbl.nb == nb);
	FUZZ_ASSERT(tbl.isolate == isolate);
	FUZZ_ASSERT(tbl.br[nb].fate == (isolate ? TPK_FLOW_F_END_DROP : TPK_FLOW_F_END));
	for (e = 0; e < nb; e++) {
		const struct tpk_flow_rule *ru = &r[tbl.rule[e]];

		FUZZ_ASSERT(tbl.rule[e] < nr);
		if (e > 0) {
			const struct tpk_flow_rule *pr = &r[tbl.rule[e - 1]];

			FUZZ_ASSERT(pr->prio < ru->prio ||
				    (pr->prio == ru->prio && pr->seq <= ru->seq));
		}
		FUZZ_ASSERT(tbl.br[e].fate == ru->fate);
		FUZZ_ASSERT(tbl.has_mark[e] == ru->has_mark);
		if (ru->fate == TPK_FLOW_F_QUEUE)
			FUZZ_ASSERT(tbl.br[e].member == (uint16_t)(ru->queue ^ xr));
		for (j = 0; j < ru->nb_rss; j++)
			FUZZ_ASSERT(tbl.br[e].rss[j] == (uint16_t)(ru->rss[j] ^ xr));
	}
	/* The reference walk. */
	want = nb;
	for (e = 0; e < nb; e++) {
		if (!ref_match(k, &tbl.br[e].val, &tbl.br[e].mask))
			continue;
		if (tbl.has_mark[e] && !rhm) {
			rhm = true;
			rmark = tbl.mark[e];
		}
		if (tbl.br[e].fate != TPK_FLOW_F_PASS) {
			want = e;
			break;
		}
	}
	e = tpk_flow_table_walk(&tbl, k, &hm, &mark);
	FUZZ_ASSERT(e == want);
	FUZZ_ASSERT(hm == rhm);
	if (hm)
		FUZZ_ASSERT(mark == rmark);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tpk_flow_match m;
	struct tpk_flow_item items[MAX_ITEMS];
	uint8_t *bufs[MAX_ITEMS][3];
	struct tpk_flow_err err = { 12345, NULL };
	struct cur c = { data, size };
	struct tpk_flow_key k, rk;
	uint32_t n, i, nr, flip;
	uint16_t tpid, tci;
	uint8_t ctl;
	bool compiled;
	int ret;

	memset(bufs, 0, sizeof(bufs));
	n = get8(&c) % 10;
	ctl = get8(&c);
	tpid = (uint16_t)(get8(&c) << 8);
	tpid |= get8(&c);
	tci = (uint16_t)(get8(&c) << 8);
	tci |= get8(&c);
	nr = 1 + ((ctl >> 3) & 3);
	if (n > MAX_ITEMS)
		n = MAX_ITEMS;
	for (i = 0; i < n; i++) {
		struct tpk_flow_item *it = &items[i];
		uint8_t bits;

		memset(it, 0, sizeof(*it));
		it->type = get8(&c) % (TPK_FI_MAX + 2);
		bits = get8(&c);
		it->len = tpk_flow_item_len(it->type);
		if (bits & 8)
			it->len = get8(&c) % 64;
		it->flags_spec = (bits >> 4) & 3;
		it->flags_mask = (bits >> 6) & 3;
		if (bits & 1)
			it->spec = bufs[i][0] = get_buf(&c, it->len);
		if (bits & 2)
			it->last = bufs[i][1] = get_buf(&c, it->len);
		if (bits & 4)
			it->mask = bufs[i][2] = get_buf(&c, it->len);
	}
	memset(&m, 0xee, sizeof(m));
	ret = tpk_flow_pattern(&m, items, n, (ctl & 4) ? NULL : &err);
	compiled = ret == 0;
	if (compiled) {
		flip = (uint32_t)size * 2654435761u ^ ctl;
		check_match(&m, flip);
		check_ports(&m, items, n, flip);
	} else {
		FUZZ_ASSERT(ret == -EINVAL || ret == -ENOTSUP);
		if (!(ctl & 4)) {
			FUZZ_ASSERT(err.msg != NULL && err.msg[0] != '\0');
			fuzz_touch(err.msg, strlen(err.msg));
			FUZZ_ASSERT(err.index >= -1 && err.index < (int)n);
		}
	}
	for (i = 0; i < n; i++) {
		free(bufs[i][0]);
		free(bufs[i][1]);
		free(bufs[i][2]);
	}

	/* Rules, then the frame. */
	{
		struct cur rc = c;
		uint32_t skip = nr * 4;

		c.p += skip < c.left ? skip : c.left;
		c.left -= skip < c.left ? skip : c.left;
		/* The frame in a buffer of its exact size. */
		{
			uint8_t *f = malloc(c.left ? c.left : 1);
			struct tpk_flow_item end = { .type = TPK_FI_END };

			FUZZ_ASSERT(f != NULL);
			memcpy(f, c.p, c.left);
			memset(&k, 0xee, sizeof(k));
			tpk_flow_key_frame(&k, f, (uint32_t)c.left, ctl & 1, tpid, tci);
			ref_key(&rk, f, (uint32_t)c.left, ctl & 1, tpid, tci);
			FUZZ_ASSERT(memcmp(&k, &rk, sizeof(k)) == 0);
			free(f);
			if (any.nb == 0)
				FUZZ_ASSERT(tpk_flow_pattern(&any, &end, 1, NULL) == 0);
		}
		check_table(compiled ? &m : &any, &rc, ctl & 2, nr, &k);
	}
	return 0;
}
