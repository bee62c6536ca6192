/* SPDX-License-Identifier: BSD-3-Clause
 * The input is a TPACKET_V2 ring as the kernel would have written it
 * (untrusted): slots of tpk_v2_frame_size(1518) bytes, as many as the
 * input fills (at least one), in a heap buffer of exactly that size, so
 * any read outside it is an ASan report. The walk mirrors tpk_rx_slots:
 * peek, a frame inside its slot (or a COPY head), commit or hold, and the
 * batching look-ahead, until the cursor finds a kernel-owned slot.
 *
 * Knobs from the first input byte: bit 0 vnet_len 10 (else 0), bits 1-3
 * the starting slot, bits 4-7 the look-ahead distance.
 */
#include <linux/if_packet.h>

#include "tpk_v2.h"
#include "tpk_pkt.h"
#include "fuzz_common.h"

#define MAX_SLOTS 64u

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t fs = tpk_v2_frame_size(1518), nb, i, steps = 0;
	struct tpk_v2_cursor c;
	struct tpk_v3_frame f;
	struct tpk_pkt_info pi;
	uint8_t *ring, knob;

	if (size < 1)
		return 0;
	knob = data[0];
	data++;
	size--;
	nb = (uint32_t)(size / fs) + 1;
	if (nb > MAX_SLOTS)
		nb = MAX_SLOTS;
	ring = malloc((size_t)nb * fs);
	if (ring == NULL)
		return 0;
	memset(ring, 0, (size_t)nb * fs);
	memcpy(ring, data, size < (size_t)nb * fs ? size : (size_t)nb * fs);
	memset(&c, 0, sizeof(c));
	tpk_v2_reset(&c, fs, nb, (knob & 1) ? 10 : 0);
	c.idx = ((knob >> 1) & 7) % nb;
	(void)tpk_v2_ready(ring, &c, ((uint32_t)knob >> 4) % nb);
	while (steps++ < 2 * nb) {
		const uint8_t *slot = (const uint8_t *)tpk_v2_slot(ring, &c, c.idx);
		enum tpk_v2_next nx = tpk_v2_peek(ring, &c, &f);

		if (nx == TPK_V2_END)
			break;
		if (nx == TPK_V2_BAD) {
			tpk_v2_commit(ring, &c);
			continue;
		}
		/* What the cursor hands out lies inside its slot. */
		FUZZ_ASSERT(f.data >= slot + sizeof(struct tpacket2_hdr));
		FUZZ_ASSERT(f.data + f.snaplen <= slot + fs);
		fuzz_touch(f.data, f.snaplen);
		if (c.vnet_len) {
			FUZZ_ASSERT((const uint8_t *)f.vnet + c.vnet_len == f.data);
			fuzz_touch((const uint8_t *)f.vnet, c.vnet_len);
		} else {
			FUZZ_ASSERT(f.vnet == NULL);
		}
		if (!(f.status & TP_STATUS_VLAN_VALID))
			FUZZ_ASSERT(f.vlan_tpid == 0 && f.vlan_tci == 0);
		if (tpk_pkt_parse(f.data, f.snaplen, &pi) == 0)
			FUZZ_ASSERT((uint32_t)pi.l2_len + pi.l3_len + pi.l4_len <=
				    f.snaplen);
		/* A COPY frame's head (no socket here) is dropped; every
		 * other slot alternately committed and held. */
		if (nx == TPK_V2_FRAME && (steps & 1)) {
			tpk_v2_hold(&c);
			FUZZ_ASSERT(c.held);
			tpk_v2_unhold(ring, &c);
		} else {
			tpk_v2_commit(ring, &c);
		}
		FUZZ_ASSERT(c.idx < nb && !c.held && !c.copied);
	}
	for (i = 0; i < nb; i++)
		fuzz_touch((const uint8_t *)tpk_v2_slot(ring, &c, i),
			   sizeof(struct tpacket2_hdr));
	free(ring);
	return 0;
}
