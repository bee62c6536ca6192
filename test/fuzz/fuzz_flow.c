/* SPDX-License-Identifier: BSD-3-Clause
 * The rte_flow compiler on arbitrary patterns (what an application may
 * pass to validate/create), and the user-space matcher on arbitrary
 * frames. Input: item count, then per item a type byte, a flags byte and
 * spec/mask/last presence bits with their header bytes; the rest is a
 * frame. Oracles: a compiled pattern has 1..TPK_FLOW_MAX_EXPAND matches
 * whose values lie inside their masks and which match a key equal to the
 * value; a refusal names why; the table builds and walks.
 */
#include <string.h>

#include "tpk_flow.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tpk_flow_match m;
static struct tpk_flow_table t;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tpk_flow_item items[TPK_FLOW_MAX_ITEMS + 2];
	uint8_t hdr[TPK_FLOW_MAX_ITEMS + 2][3][40];
	struct tpk_flow_err err = { -1, NULL };
	struct tpk_flow_rule rule;
	struct tpk_flow_key k;
	size_t off = 1;
	uint32_t n, i, e;
	bool hm;
	uint32_t mark;
	int ret;

	if (size < 1)
		return 0;
	n = data[0] % (TPK_FLOW_MAX_ITEMS + 2);
	memset(items, 0, sizeof(items));
	memset(hdr, 0, sizeof(hdr));
	for (i = 0; i < n && off + 3 <= size; i++) {
		uint8_t type = data[off], flags = data[off + 1], pres = data[off + 2];
		uint32_t len, p;

		off += 3;
		items[i].type = type % (TPK_FI_MAX + 1);
		len = tpk_flow_item_len(items[i].type);
		/* Mostly the right size; sometimes not. */
		items[i].len = (pres & 0x80) ? (uint32_t)(pres & 0x3f) : len;
		items[i].flags_spec = flags & 3;
		items[i].flags_mask = (flags >> 2) & 3;
		for (p = 0; p < 3; p++) {
			if (!(pres & (1u << p)))
				continue;
			if (off + len > size)
				break;
			memcpy(hdr[i][p], data + off, len);
			off += len;
			if (p == 0)
				items[i].spec = hdr[i][0];
			else if (p == 1)
				items[i].mask = hdr[i][1];
			else
				items[i].last = hdr[i][2];
		}
	}
	ret = tpk_flow_pattern(&m, items, i, &err);
	if (ret < 0) {
		FUZZ_ASSERT(err.msg != NULL && err.msg[0] != '\0');
		return 0;
	}
	FUZZ_ASSERT(m.nb >= 1 && m.nb <= TPK_FLOW_MAX_EXPAND);
	for (e = 0; e < m.nb; e++) {
		const uint8_t *v = (const uint8_t *)&m.val[e];
		const uint8_t *mk = (const uint8_t *)&m.mask[e];
		size_t b;

		for (b = 0; b < sizeof(struct tpk_flow_key); b++)
			FUZZ_ASSERT((v[b] & ~mk[b]) == 0);
		FUZZ_ASSERT(tpk_flow_key_match(&m.val[e], &m.val[e], &m.mask[e]));
	}
	/* One rule of it in a table, walked by the key of the rest. */
	memset(&rule, 0, sizeof(rule));
	rule.fate = TPK_FLOW_F_QUEUE;
	rule.has_mark = 1;
	rule.mark = 7;
	rule.match = &m;
	FUZZ_ASSERT(tpk_flow_table_build(&t, &rule, 1, (data[0] & 0x80) != 0,
					 NULL, NULL) == 0);
	FUZZ_ASSERT(t.nb == m.nb);
	tpk_flow_key_frame(&k, data + off, (uint32_t)(size - off),
			   (data[0] & 0x40) != 0, 0x8100, 0x123);
	e = tpk_flow_table_walk(&t, &k, &hm, &mark);
	FUZZ_ASSERT(e <= t.nb);
	FUZZ_ASSERT(e == t.nb ? !hm : (hm && mark == 7));
	/* The value itself, as a packet key, takes the first entry. */
	e = tpk_flow_table_walk(&t, &m.val[0], &hm, &mark);
	FUZZ_ASSERT(e == 0);
	return 0;
}
