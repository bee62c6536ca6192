/* SPDX-License-Identifier: BSD-3-Clause
 * Builds TPACKET_V3 RX blocks in ordinary memory exactly as the kernel
 * lays them out (net/packet/af_packet.c, SOCK_RAW, Ethernet, no private
 * area, tp_reserve 0):
 *
 *   block: tpacket_block_desc { version, offset_to_priv = 48,
 *          bh1 { block_status, num_pkts, offset_to_first_pkt = 48,
 *                blk_len, seq_num, ts_first_pkt, ts_last_pkt } }
 *   frame at off (8-byte aligned): tpacket3_hdr (48 bytes), sockaddr_ll
 *          at +48, [virtio_net_hdr at tp_mac - vnet_len], data at tp_mac,
 *          tp_mac = TPACKET_ALIGN(68 + 16) + vnet_len - 14
 *          (82, 92 or 94), tp_net = tp_mac + 14,
 *          tp_next_offset = ALIGN8(tp_mac + tp_snaplen), 0 on the last.
 */
#ifndef TPK_TEST_V3_H
#define TPK_TEST_V3_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <linux/virtio_net.h>

#define RB_BLK_HDR	48u
#define RB_ALIGN8(x)	(((x) + 7u) & ~7u)

struct rb {
	uint8_t *ring;		/* nb * bs bytes, malloc'd exactly */
	uint32_t bs, nb;
	uint16_t vnet_len;
	uint32_t blk;		/* block being filled */
	uint32_t off;		/* next free byte in it */
	uint32_t last;		/* offset of the last frame, 0 = none */
	uint32_t n;		/* frames in it */
	uint32_t seq;
};

static inline uint16_t
rb_mac(uint16_t vnet_len)
{
	/* netoff = TPACKET_ALIGN(tp_hdrlen + max(maclen, 16)) + vnet */
	uint32_t hdrlen = TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) +
		sizeof(struct sockaddr_ll);

	return (uint16_t)(TPACKET_ALIGN(hdrlen + 16) + vnet_len - ETH_HLEN);
}

static inline int
rb_init(struct rb *r, uint32_t bs, uint32_t nb, uint16_t vnet_len)
{
	memset(r, 0, sizeof(*r));
	r->ring = malloc((size_t)bs * nb);
	if (r->ring == NULL)
		return -1;
	memset(r->ring, 0, (size_t)bs * nb);
	r->bs = bs;
	r->nb = nb;
	r->vnet_len = vnet_len;
	return 0;
}

static inline void
rb_free(struct rb *r)
{
	free(r->ring);
	r->ring = NULL;
}

static inline struct tpacket_block_desc *
rb_desc(const struct rb *r, uint32_t idx)
{
	return (struct tpacket_block_desc *)(r->ring + (size_t)idx * r->bs);
}

/* Start filling block idx (the kernel's prb_open_block). */
static inline void
rb_begin(struct rb *r, uint32_t idx)
{
	uint8_t *b = r->ring + (size_t)idx * r->bs;

	memset(b, 0, r->bs);
	r->blk = idx;
	r->off = RB_BLK_HDR;
	r->last = 0;
	r->n = 0;
}

static inline struct tpacket3_hdr *
rb_hdr(const struct rb *r, uint32_t off)
{
	return (struct tpacket3_hdr *)(r->ring + (size_t)r->blk * r->bs + off);
}

/*
 * Append a frame of which snaplen bytes are present (len on the wire).
 * Returns its offset in the block, or 0 if it does not fit (the kernel's
 * strict "curr + ALIGN8(len) < end").
 */
static inline uint32_t
rb_add(struct rb *r, const uint8_t *data, uint32_t snaplen, uint32_t len,
       uint32_t status, const struct virtio_net_hdr *vh)
{
	uint8_t *b = r->ring + (size_t)r->blk * r->bs;
	uint16_t mac = rb_mac(r->vnet_len);
	uint32_t tot = RB_ALIGN8((uint32_t)mac + snaplen);
	struct tpacket3_hdr *h;
	struct sockaddr_ll *sll;
	uint32_t off = r->off;

	if ((uint64_t)off + tot >= r->bs)
		return 0;
	h = (struct tpacket3_hdr *)(b + off);
	memset(h, 0, mac);
	h->tp_sec = 1700000000u + r->seq;
	h->tp_nsec = 1000u * r->seq;
	h->tp_snaplen = snaplen;
	h->tp_len = len;
	h->tp_status = TP_STATUS_USER | status;
	h->tp_mac = mac;
	h->tp_net = mac + ETH_HLEN;
	h->hv1.tp_rxhash = 0x9e3779b9u * (r->seq + 1);
	h->tp_next_offset = tot;
	sll = (struct sockaddr_ll *)(b + off + TPACKET_ALIGN(sizeof(*h)));
	sll->sll_family = AF_PACKET;
	sll->sll_protocol = snaplen >= 14 ?
		(uint16_t)(data[12] | data[13] << 8) : 0;
	sll->sll_ifindex = 7;
	sll->sll_hatype = 1;
	sll->sll_halen = 6;
	if (snaplen >= 12)
		memcpy(sll->sll_addr, data + 6, 6);
	if (r->vnet_len && vh)
		memcpy(b + off + mac - r->vnet_len, vh, sizeof(*vh));
	memcpy(b + off + mac, data, snaplen);
	r->last = off;
	r->off = off + tot;
	r->n++;
	r->seq++;
	return off;
}

/* Set VLAN metadata on the frame at off, as prb_run_all_ft_ops does. */
static inline void
rb_vlan(struct rb *r, uint32_t off, uint16_t tci, uint16_t tpid, int tpid_valid)
{
	struct tpacket3_hdr *h = rb_hdr(r, off);

	h->hv1.tp_vlan_tci = tci;
	h->hv1.tp_vlan_tpid = tpid;
	h->tp_status |= TP_STATUS_VLAN_VALID |
		(tpid_valid ? TP_STATUS_VLAN_TPID_VALID : 0);
}

/* Close the block and hand it to user space (prb_close_block). */
static inline void
rb_end(struct rb *r, uint32_t extra_status)
{
	struct tpacket_block_desc *d = rb_desc(r, r->blk);

	if (r->n)
		rb_hdr(r, r->last)->tp_next_offset = 0;
	d->version = TPACKET_V3;
	d->offset_to_priv = RB_BLK_HDR;
	d->hdr.bh1.num_pkts = r->n;
	d->hdr.bh1.offset_to_first_pkt = RB_BLK_HDR;
	d->hdr.bh1.blk_len = r->off;
	d->hdr.bh1.seq_num = r->blk + 1;
	d->hdr.bh1.block_status = TP_STATUS_USER | extra_status;
}

#endif /* TPK_TEST_V3_H */
