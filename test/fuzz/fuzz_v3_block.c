/* SPDX-License-Identifier: BSD-3-Clause
 * The input is one TPACKET_V3 block as the kernel would have written it
 * (untrusted): block_size is the input size rounded up to a power of two
 * >= 4096, the block is the only one of its ring, in a heap buffer of
 * exactly block_size bytes, so any read outside it is an ASan report.
 * The walk mirrors tpk_rx_burst / tpk_rx_frame: cursor, vnet header
 * decode, header parse, checksum completion in place and software GSO.
 *
 * Knobs taken from header words the cursor does not read:
 *   version % 3:      0 -> vnet_len 0, 1 -> 12, 2 (TPACKET_V3) -> 10
 *   bh1.seq_num bit 0: RX L4 checksum offload off (1: complete in software)
 *   bh1.seq_num bit 1: VLAN strip on (no tag re-inserted into segments)
 */
#include <linux/if_packet.h>

#include "tpk_v3.h"
#include "tpk_vnet.h"
#include "tpk_pkt.h"
#include "tpk_csum.h"
#include "fuzz_common.h"

#define MAX_BLOCK (1u << 20)
#define DATA_ROOM 2048u		/* RTE_MBUF_DEFAULT_DATAROOM */

static void
frame(struct tpk_v3_cursor *c, const struct tpk_v3_frame *f, bool sw_csum,
      bool vlan_strip)
{
	const uint8_t *blk = (const uint8_t *)tpk_v3_block(c, c->blk);
	struct tpk_rx_meta vm;
	struct tpk_pkt_info pi;
	int pr;

	/* What the cursor hands out lies inside the block. */
	FUZZ_ASSERT(f->data >= blk + sizeof(struct tpacket3_hdr));
	FUZZ_ASSERT(f->data <= blk + c->block_size);
	FUZZ_ASSERT(f->snaplen <= (size_t)(blk + c->block_size - f->data));
	fuzz_touch(f->data, f->snaplen);
	if (c->vnet_len) {
		const uint8_t *v = (const uint8_t *)f->vnet;

		FUZZ_ASSERT(v != NULL && v + c->vnet_len == f->data);
		fuzz_touch(v, c->vnet_len);
	} else {
		FUZZ_ASSERT(f->vnet == NULL);
	}
	/*
	 * With VLAN_VALID the TPID is reported as given (TPID_VALID) or
	 * 0x8100; a hostile tpid of 0 reads as "no tag", which is harmless.
	 */
	if (!(f->status & TP_STATUS_VLAN_VALID))
		FUZZ_ASSERT(f->vlan_tpid == 0 && f->vlan_tci == 0);

	pr = tpk_pkt_parse(f->data, f->snaplen, &pi);
	if (pr == 0)
		FUZZ_ASSERT((uint32_t)pi.l2_len + pi.l3_len + pi.l4_len <=
			    f->snaplen);

	if (f->snaplen < f->len)
		return;			/* truncated: dropped */
	if (f->vnet == NULL)
		return;
	if (tpk_vnet_rx_parse(f->vnet, f->snaplen, &vm) < 0)
		return;			/* bad_vnet */
	if (vm.needs_csum)
		FUZZ_ASSERT((uint32_t)vm.csum_start + vm.csum_offset + 2 <=
			    f->snaplen);
	if (vm.gso != VIRTIO_NET_HDR_GSO_NONE) {
		uint16_t tpid = vlan_strip ? 0 : f->vlan_tpid;
		uint32_t hdr;

		/* tpk_gso_start */
		if (pr < 0 || pi.ip_frag || pi.nb_vlans || pi.l4_len == 0)
			return;
		if ((vm.gso == VIRTIO_NET_HDR_GSO_UDP_L4) !=
		    (pi.l4_proto == IPPROTO_UDP))
			return;
		hdr = pi.l2_len + pi.l3_len + pi.l4_len;
		if (hdr >= f->snaplen)
			return;
		if (hdr + (tpid ? 4 : 0) + vm.gso_size > DATA_ROOM)
			return;
		fuzz_gso_cut(f->data, f->snaplen, &pi, vm.gso_size, tpid,
			     f->vlan_tci, sw_csum);
		return;
	}
	if (vm.needs_csum && sw_csum) {
		/* The ring block is ours until released: done in place. */
		uint8_t *d = (uint8_t *)(uintptr_t)f->data;
		uint16_t was = be16(d + vm.csum_start + vm.csum_offset);

		/*
		 * The field held the pseudo-header sum: with it, it verifies
		 * (the identity needs the field 16-bit aligned from start).
		 */
		FUZZ_ASSERT(tpk_csum_complete(d, f->snaplen, vm.csum_start,
					      vm.csum_offset) == 0);
		FUZZ_ASSERT((vm.csum_offset & 1) || naive_fold(naive_sum(was, d + vm.csum_start,
						 f->snaplen - vm.csum_start)) ==
			    0xffff);
	}
	if (pr == 0 && pi.l3 == TPK_L3_IPV4)
		(void)tpk_ipv4_csum_ok(f->data + pi.l2_len, pi.l3_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t vnet_lens[3] = { 0, 12, 10 };
	struct tpk_v3_cursor c;
	struct tpk_v3_frame f;
	struct tpacket_block_desc *b;
	uint32_t bs = 4096, nf = 0, claimed;
	bool sw_csum, vlan_strip;
	uint8_t *ring;
	int n;

	if (size > MAX_BLOCK)
		return 0;
	while (bs < size)
		bs <<= 1;
	ring = malloc(bs);
	FUZZ_ASSERT(ring != NULL);
	memset(ring, 0, bs);
	memcpy(ring, data, size);
	b = (struct tpacket_block_desc *)ring;
	b->hdr.bh1.block_status |= TP_STATUS_USER;

	memset(&c, 0, sizeof(c));
	c.ring = ring;
	c.block_size = bs;
	c.nb_blocks = 1;
	c.vnet_len = vnet_lens[b->version % 3];
	sw_csum = b->hdr.bh1.seq_num & 1;
	vlan_strip = b->hdr.bh1.seq_num & 2;
	claimed = b->hdr.bh1.num_pkts;

	FUZZ_ASSERT(tpk_v3_block_ready(&c));
	n = tpk_v3_block_open(&c);
	if (n >= 0) {
		enum tpk_v3_next rc;

		FUZZ_ASSERT((uint32_t)n == claimed);
		while ((rc = tpk_v3_next(&c, &f)) == TPK_V3_FRAME) {
			nf++;
			FUZZ_ASSERT(nf <= claimed);
			frame(&c, &f, sw_csum, vlan_strip);
		}
		if (rc == TPK_V3_BAD)
			FUZZ_ASSERT(c.bad_blocks == 1);
		else
			FUZZ_ASSERT(c.bad_blocks <= 1);
	}
	tpk_v3_block_release(&c);
	FUZZ_ASSERT(b->hdr.bh1.block_status == TP_STATUS_KERNEL);
	FUZZ_ASSERT(c.blk == 0 && c.left == 0);
	free(ring);
	return 0;
}
