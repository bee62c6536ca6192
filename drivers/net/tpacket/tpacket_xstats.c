/* SPDX-License-Identifier: BSD-3-Clause
 * Extended statistics: per queue ("rx_q<N>_<name>", "tx_q<N>_<name>") and
 * port totals ("rx_<name>", "tx_<name>"). The generic per-queue packet and
 * byte counters come from RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS.
 *
 * Values are "counter - snapshot at the last reset": the counters belong
 * to the polling lcores and are never written by the control path.
 */
#include <stdio.h>
#include <string.h>

#include <ethdev_driver.h>

#include "tpacket_ethdev.h"

struct tpk_xstat {
	const char *name;
	size_t off;
};

#define RXS(n, f) { n, offsetof(struct tpk_rxq_stats, f) }
#define TXS(n, f) { n, offsetof(struct tpk_txq_stats, f) }

static const struct tpk_xstat rx_xstats[] = {
	RXS("mbuf_alloc_fails", nombuf),
	RXS("truncated_errors", truncated),
	RXS("oversize_errors", oversize),
	RXS("bad_vnet_hdr_errors", bad_vnet),
	RXS("sw_checksum_completed", csum_sw),
	RXS("sw_gso_frames", gso_sw),
	RXS("sw_gso_segments", gso_segs),
	RXS("sw_gso_mss_lowered", gso_mss_cut),
	RXS("lro_frames", lro),
	RXS("blocks_full", blk_full),
	RXS("blocks_timeout", blk_tmo),
};

static const struct tpk_xstat tx_xstats[] = {
	TXS("kernel_rejected_errors", rejected),
	TXS("malformed_errors", malformed),
	TXS("socket_full_bursts", eagain),
	TXS("syscalls", syscalls),
	TXS("sw_ipv4_checksum", csum_sw),
	TXS("sw_l4_checksum_padded", l4_sw),
	TXS("tso_frames", tso),
	TXS("coalesced_frames", coal_frames),
	TXS("coalesced_segments", coal_segs),
};

/* Counters kept outside the lcore stats struct. */
static const char *const rx_extra[] = {
	"kernel_drops", "ring_freezes", "bad_blocks",
};

#define NB_RX (RTE_DIM(rx_xstats) + RTE_DIM(rx_extra))
#define NB_TX RTE_DIM(tx_xstats)

static unsigned int
tpk_xstats_count(const struct rte_eth_dev *dev)
{
	return (dev->data->nb_rx_queues + 1) * NB_RX +
		(dev->data->nb_tx_queues + 1) * NB_TX;
}

static uint64_t
rx_value(const struct tpk_rxq *q, unsigned int i)
{
	if (i < RTE_DIM(rx_xstats))
		return *(const uint64_t *)((const uint8_t *)&q->st + rx_xstats[i].off) -
			*(const uint64_t *)((const uint8_t *)&q->base + rx_xstats[i].off);
	switch (i - RTE_DIM(rx_xstats)) {
	case 0: return q->k_drops - q->k_drops_base;
	case 1: return q->k_freezes - q->k_freezes_base;
	default: return q->bad_blocks_total + q->cur.bad_blocks - q->bad_blocks_base;
	}
}

static uint64_t
tx_value(const struct tpk_txq *q, unsigned int i)
{
	return *(const uint64_t *)((const uint8_t *)&q->st + tx_xstats[i].off) -
		*(const uint64_t *)((const uint8_t *)&q->base + tx_xstats[i].off);
}

static const char *
rx_name(unsigned int i)
{
	return i < RTE_DIM(rx_xstats) ? rx_xstats[i].name :
		rx_extra[i - RTE_DIM(rx_xstats)];
}

int
tpk_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
		     unsigned int size)
{
	unsigned int n = tpk_xstats_count(dev), k = 0, i;
	uint16_t q;

	if (names == NULL || size < n)
		return n;
	for (i = 0; i < NB_RX; i++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "rx_%s",
			 rx_name(i));
	for (i = 0; i < NB_TX; i++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "tx_%s",
			 tx_xstats[i].name);
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		for (i = 0; i < NB_RX; i++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE,
				 "rx_q%u_%s", q, rx_name(i));
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		for (i = 0; i < NB_TX; i++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE,
				 "tx_q%u_%s", q, tx_xstats[i].name);
	return k;
}

int
tpk_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
	       unsigned int size)
{
	unsigned int n = tpk_xstats_count(dev), k, i;
	uint16_t q;

	if (xs == NULL || size < n)
		return n;
	tpk_kstats_pull(dev);
	memset(xs, 0, sizeof(*xs) * n);
	for (k = 0; k < n; k++)
		xs[k].id = k;
	k = NB_RX + NB_TX;
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct tpk_rxq *rxq = dev->data->rx_queues[q];

		for (i = 0; i < NB_RX; i++, k++) {
			uint64_t v = rxq ? rx_value(rxq, i) : 0;

			xs[k].value = v;
			xs[i].value += v;	/* port total */
		}
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct tpk_txq *txq = dev->data->tx_queues[q];

		for (i = 0; i < NB_TX; i++, k++) {
			uint64_t v = txq ? tx_value(txq, i) : 0;

			xs[k].value = v;
			xs[NB_RX + i].value += v;
		}
	}
	return n;
}
