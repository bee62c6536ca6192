/* SPDX-License-Identifier: BSD-3-Clause
 * Configuration and what the port reports: dev_configure, dev_info and
 * its capabilities, promiscuous/allmulticast, MTU and MAC address,
 * packet types, burst modes, firmware version, clock, queue info.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <ethdev_driver.h>

#include "tpacket_ethdev.h"

static uint64_t
tpk_rx_capa(const struct pmd_internals *pmd)
{
	uint64_t c = RTE_ETH_RX_OFFLOAD_VLAN_STRIP | RTE_ETH_RX_OFFLOAD_SCATTER |
		RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_RSS_HASH |
		RTE_ETH_RX_OFFLOAD_TIMESTAMP;

	if (pmd->vnet_len)
		c |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
			RTE_ETH_RX_OFFLOAD_TCP_LRO;
	return c;
}

static uint64_t
tpk_tx_capa(const struct pmd_internals *pmd)
{
	uint64_t c = RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
		RTE_ETH_TX_OFFLOAD_VLAN_INSERT | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_TX_OFFLOAD_SCTP_CKSUM;

	if (pmd->vnet_len) {
		c |= RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
		if (pmd->has_udp_gso)
			c |= RTE_ETH_TX_OFFLOAD_UDP_TSO;
	}
	return c;
}

/*
 * The MTU given to rte_eth_dev_configure (rxmode.mtu) goes to the
 * interface, as rte_eth_dev_set_mtu's does. ethdev fills in 1500 when the
 * application gives none, so 1500 is taken as "not asked" and leaves the
 * interface as it is: an application that never spoke of the MTU does not
 * shrink a jumbo interface. ethdev then reports the interface's MTU.
 */
static int
tpk_configure_mtu(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint32_t mtu = dev->data->dev_conf.rxmode.mtu;
	int ret;

	if (mtu != 0 && mtu != RTE_ETHER_MTU && mtu != pmd->ni.mtu) {
		ret = tpk_mtu_set(dev, (uint16_t)mtu);
		if (ret < 0)
			return ret;
	}
	dev->data->mtu = (uint16_t)RTE_MIN(pmd->ni.mtu, TPK_NETIF_MTU_MAX);
	return 0;
}

/*
 * fanout=rss with two or more RX queues: load the eBPF program once, at
 * the first configure that needs it (not at probe: a one-queue port never
 * pays for it, nor logs that the kernel refused it).
 */
static void
tpk_configure_rss(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int ret;

	if (pmd->da.fanout != TPK_FANOUT_RSS || dev->data->nb_rx_queues < 2 ||
	    pmd->rss_obj != NULL || pmd->rss_tried)
		return;
	pmd->rss_tried = true;
	ret = tpk_rss_init(pmd);
	if (ret < 0)
		TPK_LOG(NOTICE, "%s: eBPF fanout unavailable (%s): RSS uses the kernel's flow hash, without a redirection table",
			dev->data->name, strerror(-ret));
}

int
tpk_dev_configure(struct rte_eth_dev *dev)
{
	const struct rte_eth_conf *conf = &dev->data->dev_conf;

	if (conf->rxmode.mq_mode != RTE_ETH_MQ_RX_NONE &&
	    conf->rxmode.mq_mode != RTE_ETH_MQ_RX_RSS) {
		TPK_LOG(ERR, "%s: rx mq_mode %d not supported (none or rss)",
			dev->data->name, conf->rxmode.mq_mode);
		return -ENOTSUP;
	}
	if (dev->data->nb_rx_queues != dev->data->nb_tx_queues)
		TPK_LOG(DEBUG, "%s: %u RX and %u TX queues", dev->data->name,
			dev->data->nb_rx_queues, dev->data->nb_tx_queues);
	tpk_configure_rss(dev);
	return tpk_configure_mtu(dev);
}

int
tpk_dev_info(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint32_t ring_frame = tpk_ring_frame_cap(pmd->blocksz);

	info->if_index = pmd->ni.ifindex;
	info->max_mac_addrs = 1;
	info->max_rx_queues = pmd->da.queues;
	info->max_tx_queues = pmd->da.queues;
	/* A frame must fit one ring block; beyond the MTU it is a GRO frame. */
	info->max_rx_pktlen = RTE_MIN(ring_frame,
				      tpk_frame_len(pmd->ni.max_mtu, 2));
	info->min_rx_bufsize = RTE_ETHER_MIN_LEN;
	info->min_mtu = pmd->ni.min_mtu;
	info->max_mtu = RTE_MIN(pmd->ni.max_mtu, ring_frame -
				tpk_frame_len(0, 2));
	info->max_lro_pkt_size = ring_frame;
	info->rx_offload_capa = tpk_rx_capa(pmd);
	info->rx_queue_offload_capa = info->rx_offload_capa;
	info->tx_offload_capa = tpk_tx_capa(pmd);
	info->tx_queue_offload_capa = info->tx_offload_capa;
	/*
	 * The ring is not made of descriptors; applications size their
	 * mempools from nb_max (ethtool: 2 x nb_max mbufs), so it says what
	 * a burst-and-ring queue needs, not the type's limit.
	 */
	info->rx_desc_lim.nb_max = 4096;
	info->rx_desc_lim.nb_min = 1;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_max = 4096;
	info->tx_desc_lim.nb_min = 1;
	info->tx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_seg_max = TPK_TX_MAX_SEGS;
	info->tx_desc_lim.nb_mtu_seg_max = TPK_TX_MAX_SEGS;
	info->default_rxportconf.burst_size = 32;
	info->default_txportconf.burst_size = 32;
	info->default_rxportconf.ring_size = 1024;
	info->default_txportconf.ring_size = 1024;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED;
	/*
	 * Fanout hash steers by the kernel's symmetric flow hash over the
	 * addresses and ports; its key is the kernel's and not settable. The
	 * redirection table exists when the eBPF fanout program is loaded
	 * (fanout=rss, tpacket_rss.c).
	 */
	info->flow_type_rss_offloads = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP |
		RTE_ETH_RSS_UDP;
	info->hash_key_size = 0;
	info->reta_size = pmd->reta_fd >= 0 ? TPK_RETA_SIZE : 0;
	info->dev_capa &= ~RTE_ETH_DEV_CAPA_FLOW_RULE_KEEP;
	return 0;
}

static int
tpk_membership(struct rte_eth_dev *dev, int type, bool on, bool *state)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int ret;

	if (*state == on)
		return 0;
	ret = tpk_sock_membership(pmd->ctl_fd, pmd->ni.ifindex, type, on);
	if (ret < 0) {
		TPK_LOG(ERR, "%s: %s %s: %s", dev->data->name,
			on ? "enable" : "disable",
			type == PACKET_MR_PROMISC ? "promiscuous" : "allmulticast",
			strerror(-ret));
		return ret;
	}
	*state = on;
	return 0;
}

int
tpk_promisc_enable(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	return tpk_membership(dev, PACKET_MR_PROMISC, true, &pmd->promisc);
}

int
tpk_promisc_disable(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	return tpk_membership(dev, PACKET_MR_PROMISC, false, &pmd->promisc);
}

int
tpk_allmulti_enable(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	return tpk_membership(dev, PACKET_MR_ALLMULTI, true, &pmd->allmulti);
}

int
tpk_allmulti_disable(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	return tpk_membership(dev, PACKET_MR_ALLMULTI, false, &pmd->allmulti);
}

int
tpk_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint32_t old = pmd->ni.mtu;
	int ret;

	if (mtu == old)
		return 0;
	/* Every frame must fit one ring block (double-tagged at most);
	 * the other modes take any frame whole. */
	if (tpk_rx_mode_of(pmd->da.rx_mode, dev->data->dev_conf.rxmode.offloads &
			   RTE_ETH_RX_OFFLOAD_TCP_LRO) == TPK_RX_RING &&
	    tpk_frame_len(mtu, 2) > tpk_ring_frame_cap(pmd->blocksz)) {
		TPK_LOG(ERR, "%s: MTU %u: frames of up to %u B do not fit the ring's %u-byte blocks (devarg blocksz=); at most MTU %u",
			dev->data->name, mtu, tpk_frame_len(mtu, 2),
			pmd->blocksz, tpk_ring_frame_cap(pmd->blocksz) -
			tpk_frame_len(0, 2));
		return -EINVAL;
	}
	ret = tpk_netif_set_mtu(pmd->ni.name, mtu);
	if (ret < 0) {
		TPK_LOG(ERR, "%s: set MTU %u on %s: %s", dev->data->name, mtu,
			pmd->ni.name, strerror(-ret));
		return ret;
	}
	if (pmd->orig_mtu == 0)
		pmd->orig_mtu = old;
	tpk_queues_set_mtu(dev, mtu);
	return 0;
}

int
tpk_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int ret;

	if (rte_is_same_ether_addr(addr, &pmd->mac))
		return 0;
	ret = tpk_netif_set_mac(pmd->ni.name, addr->addr_bytes);
	if (ret < 0) {
		TPK_LOG(ERR, "%s: set MAC on %s: %s", dev->data->name,
			pmd->ni.name, strerror(-ret));
		return ret;
	}
	if (!pmd->mac_changed) {
		memcpy(pmd->orig_mac, pmd->mac.addr_bytes, 6);
		pmd->mac_changed = true;
	}
	rte_ether_addr_copy(addr, &pmd->mac);
	return 0;
}

const uint32_t *
tpk_ptypes(struct rte_eth_dev *dev __rte_unused, size_t *n)
{
	static const uint32_t ptypes[] = {
		RTE_PTYPE_L2_ETHER,
		RTE_PTYPE_L2_ETHER_VLAN,
		RTE_PTYPE_L3_IPV4,
		RTE_PTYPE_L3_IPV4_EXT,
		RTE_PTYPE_L3_IPV6,
		RTE_PTYPE_L3_IPV6_EXT,
		RTE_PTYPE_L4_TCP,
		RTE_PTYPE_L4_UDP,
		RTE_PTYPE_L4_FRAG,
		RTE_PTYPE_UNKNOWN
	};

	*n = RTE_DIM(ptypes) - 1;
	return ptypes;
}

/*
 * The application says which packet types it reads: with no L3/L4 type
 * among them the RX path parses a frame only when a checksum needs it.
 */
int
tpk_ptypes_set(struct rte_eth_dev *dev, uint32_t ptype_mask)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t i;

	pmd->ptype_mask = ptype_mask == RTE_PTYPE_UNKNOWN ? 0 : ptype_mask;
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct tpk_rxq *rxq = dev->data->rx_queues[i];

		if (rxq != NULL)
			tpk_rxq_ptypes(rxq, pmd->ptype_mask);
	}
	return 0;
}

int
tpk_rx_burst_mode(struct rte_eth_dev *dev, uint16_t qid,
		  struct rte_eth_burst_mode *mode)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	const struct tpk_rxq *rxq = qid < dev->data->nb_rx_queues ?
		dev->data->rx_queues[qid] : NULL;
	enum tpk_rx_mode rm;
	uint32_t slot;

	/* A set-up queue says what it has; else what the port would give. */
	if (rxq != NULL)
		rm = rxq->rcv != NULL ? TPK_RX_RECVMMSG :
			rxq->frames ? TPK_RX_FRAMES : TPK_RX_RING;
	else
		rm = tpk_rx_mode_of(pmd->da.rx_mode,
				    dev->data->dev_conf.rxmode.offloads &
				    RTE_ETH_RX_OFFLOAD_TCP_LRO);
	if (rm == TPK_RX_RECVMMSG) {
		/* A started queue says what it has; else what it will get. */
		slot = rxq != NULL && rxq->rcv != NULL ? rxq->rcv->slot_size :
			tpk_rcv_slot_size(tpk_dev_frame_max(pmd->ni.max_mtu,
							    pmd->ni.gso_max_size));
		snprintf(mode->info, sizeof(mode->info),
			 "recvmmsg, %u slots of %u B%s", TPK_RCV_BATCH, slot,
			 pmd->vnet_len ? ", vnet hdr" : "");
	} else if (rm == TPK_RX_FRAMES) {
		uint64_t bytes;

		if (rxq != NULL && rxq->ring.rx_frame_size != 0) {
			slot = rxq->ring.rx_frame_size;
			bytes = (uint64_t)rxq->ring.nb_blocks *
				rxq->ring.block_size;
		} else {
			slot = tpk_v2_frame_size(tpk_frame_len(pmd->ni.mtu, 2));
			bytes = (uint64_t)pmd->blocks * pmd->blocksz;
		}
		snprintf(mode->info, sizeof(mode->info),
			 "TPACKET_V2 frames, %u B slots, %" PRIu64 " B ring%s",
			 slot, bytes, pmd->vnet_len ? ", vnet hdr" : "");
	} else {
		snprintf(mode->info, sizeof(mode->info),
			 "TPACKET_V3 ring %ux%u B, tov %u ms%s", pmd->blocks,
			 pmd->blocksz, pmd->da.tov,
			 pmd->vnet_len ? ", vnet hdr" : "");
	}
	return 0;
}

int
tpk_tx_burst_mode(struct rte_eth_dev *dev, uint16_t qid __rte_unused,
		  struct rte_eth_burst_mode *mode)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	snprintf(mode->info, sizeof(mode->info), "%s%s%s",
		 pmd->da.tx_mode == TPK_TX_RING ? "TPACKET_V3 TX ring + kick" :
		 "sendmmsg", pmd->vnet_len ? ", vnet hdr" : "",
		 pmd->da.qdisc_bypass ? ", qdisc bypass" : "");
	return 0;
}

int
tpk_fw_version(struct rte_eth_dev *dev, char *fw, size_t len)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	char feat[96];
	int n;

	tpk_kfeat_str(&pmd->kf, true, feat, sizeof(feat));
	n = snprintf(fw, len, "linux %u.%u.%u%s%s", pmd->kver >> 16,
		     (pmd->kver >> 8) & 0xff, pmd->kver & 0xff,
		     feat[0] ? " " : "", feat);
	if (n < 0)
		return -EINVAL;
	return (size_t)n + 1 > len ? n + 1 : 0;
}

/* Timestamps are the kernel's (CLOCK_REALTIME, ns) unless hardware ones. */
int
tpk_read_clock(struct rte_eth_dev *dev __rte_unused, uint64_t *clock)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*clock = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	return 0;
}

void
tpk_rxq_info(struct rte_eth_dev *dev, uint16_t qid,
	     struct rte_eth_rxq_info *qi)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct tpk_rxq *rxq = dev->data->rx_queues[qid];

	qi->mp = rxq->mp;
	qi->scattered_rx = rxq->scatter;
	qi->queue_state = dev->data->rx_queue_state[qid];
	/* The ring holds blocks, not descriptors: report its frame capacity. */
	qi->nb_desc = (uint16_t)RTE_MIN((uint64_t)pmd->blocks * pmd->blocksz / 2048,
					(uint64_t)UINT16_MAX);
	qi->rx_buf_size = rxq->data_room;
	qi->conf.offloads = rxq->offloads;
	qi->conf.rx_deferred_start = rxq->deferred_start;
}

void
tpk_txq_info(struct rte_eth_dev *dev, uint16_t qid,
	     struct rte_eth_txq_info *qi)
{
	struct tpk_txq *txq = dev->data->tx_queues[qid];

	qi->nb_desc = txq->nb_desc;
	qi->queue_state = dev->data->tx_queue_state[qid];
	qi->conf.offloads = txq->offloads;
	qi->conf.tx_deferred_start = txq->deferred_start;
}
