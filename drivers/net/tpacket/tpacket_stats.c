/* SPDX-License-Identifier: BSD-3-Clause
 * Statistics: the basic ethdev counters, the kernel's per-socket counters
 * (PACKET_STATISTICS, clear-on-read, accumulated here) and the extended
 * statistics, per queue ("rx_q<N>_<name>", "tx_q<N>_<name>") and port
 * totals ("rx_<name>", "tx_<name>"). The generic per-queue packet and
 * byte counters come from RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS.
 *
 * Values are "counter - snapshot at the last reset": the counters belong
 * to the polling lcores and are never written by the control path.
 */
#include <stdio.h>
#include <string.h>

#include <ethdev_driver.h>

#include "tpacket_compat.h"
#include "tpacket_ethdev.h"

/* Pull the kernel's clear-on-read counters into the queue's totals. */
static void
tpk_kstats_pull(struct rte_eth_dev *dev)
{
	bool primary = rte_eal_process_type() == RTE_PROC_PRIMARY;
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct tpk_rxq *rxq = dev->data->rx_queues[i];
		uint8_t *ring;
		int fd = -1;

		/*
		 * fd numbers are per process: the queue holds the primary's,
		 * a secondary asks for its own. rxq->ring.fd < 0: stopped.
		 */
		if (rxq == NULL || rxq->ring.fd < 0)
			continue;
		if (primary)
			fd = rxq->ring.fd;
		else if (tpk_proc_rxq(rxq, &fd, &ring) < 0)
			continue;
		tpk_sock_stats(fd, &rxq->k_packets, &rxq->k_drops,
			       &rxq->k_freezes);
	}
}

/* Frames the queue received and dropped, since the last reset. */
static uint64_t
tpk_rxq_errors(const struct tpk_rxq *q)
{
	return (q->st.truncated - q->base.truncated) +
		(q->st.oversize - q->base.oversize) +
		(q->st.bad_vnet - q->base.bad_vnet) +
		(q->st.gso_refused - q->base.gso_refused);
}

int
tpk_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *s TPK_QSTATS_PARAM)
{
	/* Where the per-queue counters go (NULL: totals only). */
	__typeof__(TPK_QSTATS(s)) qs = TPK_QSTATS(s);
	uint16_t i;

	tpk_kstats_pull(dev);
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct tpk_rxq *q = dev->data->rx_queues[i];
		uint64_t p, b;

		if (q == NULL)
			continue;
		p = q->st.pkts - q->base.pkts;
		b = q->st.bytes - q->base.bytes;
		s->ipackets += p;
		s->ibytes += b;
		s->imissed += q->k_drops - q->k_drops_base;
		s->rx_nombuf += q->st.nombuf - q->base.nombuf;
		s->ierrors += tpk_rxq_errors(q);
		if (qs != NULL && i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			qs->q_ipackets[i] = p;
			qs->q_ibytes[i] = b;
			/* ethdev: frames received on the queue and dropped. */
			qs->q_errors[i] = tpk_rxq_errors(q);
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct tpk_txq *q = dev->data->tx_queues[i];
		uint64_t p, b;

		if (q == NULL)
			continue;
		p = q->st.pkts - q->base.pkts;
		b = q->st.bytes - q->base.bytes;
		s->opackets += p;
		s->obytes += b;
		s->oerrors += (q->st.rejected - q->base.rejected) +
			(q->st.malformed - q->base.malformed);
		if (qs != NULL && i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			qs->q_opackets[i] = p;
			qs->q_obytes[i] = b;
		}
	}
	return 0;
}

/*
 * Counters belong to the polling lcores: a reset snapshots them instead
 * of writing to memory another core is updating.
 */
int
tpk_stats_reset(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t i;

	tpk_kstats_pull(dev);
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct tpk_rxq *q = dev->data->rx_queues[i];

		if (q == NULL)
			continue;
		q->base = q->st;
		q->k_drops_base = q->k_drops;
		q->k_freezes_base = q->k_freezes;
		q->bad_blocks_base = q->cur.bad_blocks + q->v2.bad_frames;
		q->blocks_full_base = q->cur.blocks_full;
		q->blocks_tmo_base = q->cur.blocks_tmo;
		q->live_base = q->cur.live_frames;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct tpk_txq *q = dev->data->tx_queues[i];

		if (q != NULL)
			q->base = q->st;
	}
	/* Queues configured away: their totals start again from zero. */
	for (i = dev->data->nb_rx_queues; i < TPK_MAX_QUEUES; i++)
		pmd->rx_saved[i].valid = false;
	for (i = dev->data->nb_tx_queues; i < TPK_MAX_QUEUES; i++)
		pmd->tx_saved[i].valid = false;
	return 0;
}

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
	RXS("sw_gso_refused_errors", gso_refused),
	RXS("lro_frames", lro),
	RXS("long_frames", long_frames),
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

/* Counters kept outside the lcore stats struct: the kernel's, the ring's. */
static const char *const rx_extra[] = {
	"kernel_drops", "ring_freezes", "bad_blocks", "blocks_full",
	"blocks_timeout", "blocks_live_frames",
};

/* Port counters, after every queue's: the interface itself. */
static const char *const port_extra[] = {
	"iface_reattaches",
	"rx_flow_drops",		/* dropped in the kernel by DROP rules */
	"rx_flow_isolate_drops",	/* ... by isolated mode */
};

#define NB_RX (RTE_DIM(rx_xstats) + RTE_DIM(rx_extra))
#define NB_TX RTE_DIM(tx_xstats)

static unsigned int
tpk_xstats_count(const struct rte_eth_dev *dev)
{
	return (dev->data->nb_rx_queues + 1) * NB_RX +
		(dev->data->nb_tx_queues + 1) * NB_TX + RTE_DIM(port_extra);
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
	case 2: return q->cur.bad_blocks + q->v2.bad_frames - q->bad_blocks_base;
	case 3: return q->cur.blocks_full - q->blocks_full_base;
	case 4: return q->cur.blocks_tmo - q->blocks_tmo_base;
	default: return q->cur.live_frames - q->live_base;
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
	for (i = 0; i < RTE_DIM(port_extra); i++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s",
			 port_extra[i]);
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
	/*
	 * Port counters are not reset: a re-attach is an event, not a rate;
	 * the flow drops are the kernel's, read from the rules' counters.
	 */
	xs[k].value = ((const struct pmd_internals *)
		       dev->data->dev_private)->reattaches;
	/* The counter maps are the primary's descriptors: a secondary asks. */
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		tpk_flow_xstats(dev->data->dev_private, &xs[k + 1].value,
				&xs[k + 2].value);
	else if (tpk_mp_flow_xstats(dev, &xs[k + 1].value, &xs[k + 2].value) < 0)
		TPK_LOG(DEBUG, "%s: flow drops not available from the primary",
			dev->data->name);
	return n;
}
