/* SPDX-License-Identifier: BSD-3-Clause
 * net_tpacket: an ethdev on top of an existing Linux interface, through
 * AF_PACKET sockets with TPACKET_V3 RX rings and virtio-net headers.
 *
 * Control path: probe, devargs, dev_ops. The sockets of a port are
 * created at dev_start, in queue order, and closed at dev_stop, so that a
 * stopped port holds no kernel resources apart from one control socket
 * that carries the promiscuous/allmulticast memberships (which the kernel
 * drops by itself if the process dies).
 */
#include <net/if.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>

#include <rte_version.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_errno.h>
#include <time.h>
#include <rte_kvargs.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <bus_vdev_driver.h>

#include "tpacket_compat.h"
#include "tpacket_ethdev.h"
#include "tpk_fdpass.h"
#include "rte_pmd_tpacket.h"

RTE_LOG_REGISTER(tpk_logtype, pmd.net.tpacket, NOTICE);

#define TPK_DRIVER_NAME "net_tpacket"
/* Default RX ring memory per queue when blocks= is not given. */
#define TPK_RING_DEFAULT (4u << 20)
/* SO_SNDBUF for TX sockets: room for a burst of 64 KB super-frames. */
#define TPK_SNDBUF (4 << 20)

static uint32_t
roundup_pow2(uint32_t v)
{
	return v <= 1 ? 1 : 1u << (32 - __builtin_clz(v - 1));
}

/* Largest frame the interface can hand us: a full GSO/GRO super-frame. */
static uint32_t
tpk_max_frame(const struct pmd_internals *pmd)
{
	uint32_t mtu_frame = pmd->ni.max_mtu + RTE_ETHER_HDR_LEN + 2 * 4;

	return RTE_MAX(pmd->ni.gso_max_size + 4, mtu_frame);
}

static uint64_t
tpk_rx_capa(const struct pmd_internals *pmd)
{
	uint64_t c = RTE_ETH_RX_OFFLOAD_VLAN_STRIP | RTE_ETH_RX_OFFLOAD_SCATTER |
		RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_RSS_HASH |
		RTE_ETH_RX_OFFLOAD_TIMESTAMP;

	if (pmd->vnet_len)
		c |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
			RTE_ETH_RX_OFFLOAD_TCP_LRO;
	/* recvmsg() does not report the kernel's flow hash. */
	if (pmd->da.rx_mode == TPK_RX_RECVMMSG)
		c &= ~RTE_ETH_RX_OFFLOAD_RSS_HASH;
	return c;
}

static uint64_t
tpk_tx_capa(const struct pmd_internals *pmd)
{
	uint64_t c = RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
		RTE_ETH_TX_OFFLOAD_VLAN_INSERT | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;

	if (pmd->vnet_len) {
		c |= RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
		if (pmd->has_udp_gso)
			c |= RTE_ETH_TX_OFFLOAD_UDP_TSO;
	}
	return c;
}

static int
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
	return 0;
}

static int
tpk_dev_info(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint32_t ring_frame = pmd->blocksz - TPK_V3_FRAME_OVERHEAD;

	info->if_index = pmd->ni.ifindex;
	info->max_mac_addrs = 1;
	info->max_rx_queues = pmd->da.queues;
	info->max_tx_queues = pmd->da.queues;
	/* A frame must fit one ring block; beyond the MTU it is a GRO frame. */
	info->max_rx_pktlen = RTE_MIN(ring_frame, pmd->ni.max_mtu +
				      RTE_ETHER_HDR_LEN + 2 * 4);
	info->min_rx_bufsize = RTE_ETHER_MIN_LEN;
	info->min_mtu = pmd->ni.min_mtu;
	info->max_mtu = RTE_MIN(pmd->ni.max_mtu, ring_frame -
				RTE_ETHER_HDR_LEN - 2 * 4);
	info->max_lro_pkt_size = ring_frame;
	info->rx_offload_capa = tpk_rx_capa(pmd);
	info->rx_queue_offload_capa = info->rx_offload_capa;
	info->tx_offload_capa = tpk_tx_capa(pmd);
	info->tx_queue_offload_capa = info->tx_offload_capa;
	info->rx_desc_lim.nb_max = UINT16_MAX;
	info->rx_desc_lim.nb_min = 1;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_max = UINT16_MAX;
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
	 * addresses and ports; its key is the kernel's and not settable, and
	 * there is no redirection table.
	 */
	info->flow_type_rss_offloads = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP |
		RTE_ETH_RSS_UDP;
	info->hash_key_size = 0;
	info->reta_size = pmd->reta_fd >= 0 ? TPK_RETA_SIZE : 0;
	info->dev_capa &= ~RTE_ETH_DEV_CAPA_FLOW_RULE_KEEP;
	return 0;
}

static void
tpk_rxq_close(struct tpk_rxq *rxq)
{
	tpk_sock_close(&rxq->ring);
	rxq->gso.active = false;
	rxq->blk_open = false;
	rxq->bad_blocks_total += rxq->cur.bad_blocks;
	memset(&rxq->cur, 0, sizeof(rxq->cur));
}

static void
tpk_txq_close(struct tpk_txq *txq)
{
	tpk_sock_close(&txq->ring);
	txq->fd = -1;
	txq->head = 0;
}

static void
tpk_close_sockets(struct rte_eth_dev *dev)
{
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct tpk_rxq *rxq = dev->data->rx_queues[i];

		if (rxq != NULL) {
			/* Keep what the kernel counted before the socket goes. */
			if (rxq->ring.fd >= 0)
				tpk_sock_stats(rxq->ring.fd, &rxq->k_packets,
					       &rxq->k_drops, &rxq->k_freezes);
			tpk_rxq_close(rxq);
		}
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		if (dev->data->tx_queues[i] != NULL)
			tpk_txq_close(dev->data->tx_queues[i]);
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
}

/*
 * With fd_helper=, sockets come from the privileged helper: this process
 * needs no CAP_NET_RAW. Every adopted fd is checked before use.
 */
static int
tpk_get_socket(struct pmd_internals *pmd, bool *adopt, int *fd)
{
	char err[256];
	int ret;

	*adopt = false;
	*fd = -1;
	if (pmd->da.fd_helper[0] == '\0')
		return 0;
	ret = tpk_fdpass_request(pmd->da.fd_helper, pmd->ni.name, err,
				 sizeof(err));
	if (ret >= 0) {
		*fd = ret;
		ret = tpk_sock_adopt_check(*fd, pmd->ni.ifindex, err,
					   sizeof(err));
		if (ret < 0) {
			close(*fd);
			*fd = -1;
		}
	}
	if (ret < 0) {
		TPK_LOG(ERR, "%s: %s", pmd->ni.name, err);
		return ret;
	}
	*adopt = true;
	return 0;
}

static int
tpk_rxq_open(struct pmd_internals *pmd, struct tpk_rxq *rxq, bool alone)
{
	struct tpk_sock_cfg cfg = {
		.ifindex = pmd->ni.ifindex,
		.vnet_len = pmd->vnet_len,
		.numa_node = rxq->socket_id == SOCKET_ID_ANY ? -1 : rxq->socket_id,
		.block_size = pmd->blocksz,
		.nb_blocks = pmd->blocks,
		.tov_ms = pmd->da.tov,
		.rxhash = rxq->rss_hash,
		.hw_timestamp = rxq->timestamp && pmd->hw_rx_timestamp,
		/*
		 * A lone socket ignores outgoing frames itself; in a fanout
		 * group only the group flag (6.2+) can do it.
		 */
		.ignore_outgoing = alone,
	};
	char err[128];
	int ret;

	if (rxq->rcv != NULL) {
		/* No ring: the same memory budget as socket buffer. */
		uint64_t rb = (uint64_t)pmd->blocksz * pmd->blocks;

		cfg.block_size = 0;
		cfg.rx = true;
		cfg.auxdata = true;
		cfg.sw_timestamp = rxq->timestamp;
		cfg.rcvbuf = (int)RTE_MIN(rb, (uint64_t)INT32_MAX / 2);
	}
	ret = tpk_get_socket(pmd, &cfg.adopt, &cfg.fd);
	if (ret < 0)
		return ret;
	ret = tpk_sock_open(&cfg, &rxq->ring, err, sizeof(err));
	if (ret < 0) {
		TPK_LOG(ERR, "%s: RX queue %u: %s", pmd->ni.name, rxq->queue_id,
			err);
		return ret;
	}
	rxq->gso.active = false;
	rxq->blk_open = false;
	memset(&rxq->cur, 0, sizeof(rxq->cur));
	rxq->cur.vnet_len = pmd->vnet_len;
	if (rxq->rcv != NULL) {
		/* Nothing pending; GSO state keeps offsets from the arena. */
		rxq->rcv->count = 0;
		rxq->rcv->next = 0;
		rxq->cur.ring = rxq->rcv->arena;
		return 0;
	}
	rxq->cur.ring = rxq->ring.map;
	rxq->cur.block_size = pmd->blocksz;
	rxq->cur.nb_blocks = pmd->blocks;
	return 0;
}

static int
tpk_txq_open(struct pmd_internals *pmd, struct tpk_txq *txq)
{
	struct tpk_sock_cfg cfg = {
		.ifindex = pmd->ni.ifindex,
		.vnet_len = pmd->vnet_len,
		.numa_node = txq->socket_id == SOCKET_ID_ANY ? -1 : txq->socket_id,
		.qdisc_bypass = pmd->da.qdisc_bypass,
		.sndbuf = TPK_SNDBUF,
	};
	char err[128];
	int ret;

	if (pmd->da.tx_mode == TPK_TX_RING) {
		/*
		 * With virtio-net headers a slot may have to hold a super-frame:
		 * TSO asked by the application, or an LRO frame re-offloaded.
		 */
		uint32_t big = pmd->vnet_len || (txq->offloads &
			RTE_ETH_TX_OFFLOAD_MULTI_SEGS) ? 65536 + 256 :
			txq->max_frame + 64;

		/* Slots hold [tpacket3_hdr][vnet hdr][frame]. */
		cfg.tx_frame_size = roundup_pow2(big + TPACKET_ALIGN(
			sizeof(struct tpacket3_hdr)) + 16);
		cfg.tx_frames = pmd->da.txframes ? pmd->da.txframes :
			(big > 4096 ? 128 : 1024);
	}
	ret = tpk_get_socket(pmd, &cfg.adopt, &cfg.fd);
	if (ret < 0)
		return ret;
	ret = tpk_sock_open(&cfg, &txq->ring, err, sizeof(err));
	if (ret < 0) {
		TPK_LOG(ERR, "%s: TX queue %u: %s", pmd->ni.name, txq->queue_id,
			err);
		return ret;
	}
	txq->fd = txq->ring.fd;
	txq->head = 0;
	txq->mode = pmd->da.tx_mode;
	txq->vnet_len = pmd->vnet_len;
	txq->udp_gso = pmd->has_udp_gso;
	/*
	 * Not with qdisc_bypass: a direct transmit drops GSO frames that the
	 * device cannot take whole (TSO off) instead of segmenting them.
	 */
	txq->coalesce = pmd->da.tx_coalesce && pmd->vnet_len &&
		pmd->da.tx_mode == TPK_TX_SENDMMSG && !pmd->da.qdisc_bypass;
	txq->nobufs = 0;
	return 0;
}

static const uint16_t tpk_fanout_modes[] = {
	[TPK_FANOUT_HASH] = PACKET_FANOUT_HASH,
	[TPK_FANOUT_LB] = PACKET_FANOUT_LB,
	[TPK_FANOUT_CPU] = PACKET_FANOUT_CPU,
	[TPK_FANOUT_ROLLOVER] = PACKET_FANOUT_ROLLOVER,
	[TPK_FANOUT_RND] = PACKET_FANOUT_RND,
	[TPK_FANOUT_QM] = PACKET_FANOUT_QM,
	[TPK_FANOUT_RSS] = PACKET_FANOUT_EBPF,
};

/* Add an open RX socket to the port's fanout group (made on first use). */
static int
tpk_rxq_join(struct rte_eth_dev *dev, struct tpk_rxq *rxq)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int id = pmd->fanout_id >= 0 ? pmd->fanout_id : pmd->da.fanout_id;
	int ret;

	uint16_t mode = tpk_fanout_modes[pmd->da.fanout];
	bool first = pmd->fanout_id < 0;

	if (dev->data->nb_rx_queues < 2)
		return 0;
	if (mode == PACKET_FANOUT_EBPF && pmd->rss_prog_fd < 0)
		mode = PACKET_FANOUT_HASH;	/* no eBPF: the kernel's hash */
	ret = tpk_fanout_join(rxq->ring.fd, &id, mode, pmd->fanout_flags);
	if (ret == 0 && first && mode == PACKET_FANOUT_EBPF) {
		ret = tpk_rss_attach(pmd, rxq->ring.fd);
		if (ret < 0)
			TPK_LOG(ERR, "%s: attach the RSS program: %s",
				dev->data->name, strerror(-ret));
	}
	if (ret < 0) {
		TPK_LOG(ERR, "%s: RX queue %u cannot join fanout group %d (%s): %s%s",
			dev->data->name, rxq->queue_id, id,
			tpk_fanout_name(pmd->da.fanout), strerror(-ret),
			ret == -EINVAL ? " (interface down, or the id is used by a group of another mode or device)" : "");
		return ret;
	}
	pmd->fanout_id = id;
	tpk_rss_member_add(pmd, rxq->queue_id);
	return 0;
}

static int
tpk_rxq_start(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct tpk_rxq *rxq = dev->data->rx_queues[qid];
	int ret;

	if (rxq->ring.fd >= 0)
		return 0;
	ret = tpk_rxq_open(pmd, rxq, dev->data->nb_rx_queues == 1);
	if (ret == 0)
		ret = tpk_rxq_join(dev, rxq);
	if (ret < 0) {
		tpk_rxq_close(rxq);
		return ret;
	}
	if (dev->intr_handle != NULL && rte_intr_nb_efd_get(dev->intr_handle) > qid)
		rte_intr_efds_index_set(dev->intr_handle, qid, rxq->ring.fd);
	if (pmd->reta_fd >= 0)
		tpk_rss_sync(pmd);	/* member indexes moved */
	dev->data->rx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STARTED;
	return 0;
}

static int
tpk_rxq_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	struct tpk_rxq *rxq = dev->data->rx_queues[qid];

	if (rxq->ring.fd >= 0)
		tpk_sock_stats(rxq->ring.fd, &rxq->k_packets, &rxq->k_drops,
			       &rxq->k_freezes);
	/* Leaving the group moves this queue's flows to the others. */
	tpk_rxq_close(rxq);
	if (dev->data->nb_rx_queues > 1) {
		struct pmd_internals *pmd = dev->data->dev_private;

		tpk_rss_member_del(pmd, qid);
		if (pmd->reta_fd >= 0)
			tpk_rss_sync(pmd);
	}
	dev->data->rx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

static int
tpk_txq_start(struct rte_eth_dev *dev, uint16_t qid)
{
	struct tpk_txq *txq = dev->data->tx_queues[qid];
	int ret;

	if (txq->fd >= 0)
		return 0;
	ret = tpk_txq_open(dev->data->dev_private, txq);
	if (ret < 0)
		return ret;
	dev->data->tx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STARTED;
	return 0;
}

static int
tpk_txq_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	tpk_txq_close(dev->data->tx_queues[qid]);
	dev->data->tx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

static int
tpk_dev_start(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t i;
	int ret;

	if (pmd->gone) {
		TPK_LOG(ERR, "%s: interface %s was removed: reset or close the port",
			dev->data->name, pmd->ni.name);
		return -ENODEV;
	}
	ret = tpk_netif_refresh(&pmd->ni);
	if (ret < 0) {
		TPK_LOG(ERR, "%s: interface %s is gone: %s", dev->data->name,
			pmd->ni.name, strerror(-ret));
		return ret;
	}
	/* The RETA may name queues that no longer exist after a reconfigure. */
	if (pmd->reta_fd >= 0) {
		for (i = 0; i < TPK_RETA_SIZE && pmd->reta_set; i++)
			if (pmd->reta[i] >= dev->data->nb_rx_queues)
				pmd->reta_set = false;
		if (!pmd->reta_set)
			tpk_rss_default(pmd, dev->data->nb_rx_queues);
	}
	/* Rings first, then join in queue order so member i is queue i. */
	pmd->fanout_id = -1;
	pmd->nb_members = 0;
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct tpk_rxq *rxq = dev->data->rx_queues[i];

		if (rxq->deferred_start)
			continue;
		ret = tpk_rxq_open(pmd, rxq, dev->data->nb_rx_queues == 1);
		if (ret < 0)
			goto fail;
	}
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct tpk_rxq *rxq = dev->data->rx_queues[i];

		if (rxq->ring.fd < 0)
			continue;
		ret = tpk_rxq_join(dev, rxq);
		if (ret < 0)
			goto fail;
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	if (pmd->reta_fd >= 0 && pmd->fanout_id >= 0) {
		ret = tpk_rss_sync(pmd);
		if (ret < 0) {
			TPK_LOG(ERR, "%s: write the RSS table: %s",
				dev->data->name, strerror(-ret));
			goto fail;
		}
	}
	if (pmd->fanout_id >= 0)
		TPK_LOG(DEBUG, "%s: RX queues in fanout group %d (%s)",
			dev->data->name, pmd->fanout_id,
			tpk_fanout_name(pmd->da.fanout));
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		if (((struct tpk_txq *)dev->data->tx_queues[i])->deferred_start)
			continue;
		ret = tpk_txq_start(dev, i);
		if (ret < 0)
			goto fail;
	}
	ret = tpk_rx_intr_install(dev);
	if (ret < 0)
		goto fail;
	dev->data->dev_link.link_status =
		(pmd->ni.flags & IFF_UP) && (pmd->ni.flags & IFF_RUNNING) ?
		RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	return 0;
fail:
	tpk_close_sockets(dev);
	return ret;
}

static int
tpk_dev_stop(struct rte_eth_dev *dev)
{
	tpk_rx_intr_uninstall(dev);
	tpk_close_sockets(dev);
	dev->data->dev_started = 0;
	return 0;
}

static void
tpk_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct tpk_rxq *rxq = dev->data->rx_queues[qid];

	if (rxq == NULL)
		return;
	tpk_rxq_close(rxq);
	if (rxq->rcv != NULL) {
		rte_free(rxq->rcv->arena);
		rte_free(rxq->rcv);
	}
	rte_free(rxq);
	dev->data->rx_queues[qid] = NULL;
}

static void
tpk_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct tpk_txq *txq = dev->data->tx_queues[qid];

	if (txq == NULL)
		return;
	tpk_txq_close(txq);
	rte_free(txq);
	dev->data->tx_queues[qid] = NULL;
}

static int
tpk_dev_close(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		tpk_proc_free(dev);
		return 0;
	}
	tpk_events_uninit(dev);
	tpk_mp_uninit_primary();
	tpk_rss_uninit(pmd);
	tpk_rx_intr_uninstall(dev);
	tpk_close_sockets(dev);
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		tpk_rx_queue_release(dev, i);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		tpk_tx_queue_release(dev, i);
	/* Memberships (promisc, allmulti) go with the socket. */
	if (pmd->ctl_fd >= 0) {
		close(pmd->ctl_fd);
		pmd->ctl_fd = -1;
	}
	/* Undo what this port changed on the interface. */
	if (!pmd->gone && pmd->orig_mtu && pmd->orig_mtu != pmd->ni.mtu &&
	    tpk_netif_set_mtu(pmd->ni.name, pmd->orig_mtu) < 0)
		TPK_LOG(WARNING, "%s: could not restore MTU %u", pmd->ni.name,
			pmd->orig_mtu);
	if (!pmd->gone && pmd->mac_changed &&
	    tpk_netif_set_mac(pmd->ni.name, pmd->orig_mac) < 0)
		TPK_LOG(WARNING, "%s: could not restore the MAC address",
			pmd->ni.name);
	pmd->orig_mtu = 0;
	pmd->mac_changed = false;
	rte_intr_instance_free(dev->intr_handle);
	dev->intr_handle = NULL;
	return 0;
}

static int
tpk_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
		   uint16_t nb_desc __rte_unused, unsigned int socket_id,
		   const struct rte_eth_rxconf *conf, struct rte_mempool *mp)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint64_t off = conf->offloads | dev->data->dev_conf.rxmode.offloads;
	struct tpk_rxq *rxq;
	uint32_t room;

	tpk_rx_queue_release(dev, qid);
	rxq = rte_zmalloc_socket("tpacket_rxq", sizeof(*rxq),
				 RTE_CACHE_LINE_SIZE, socket_id);
	if (rxq == NULL)
		return -ENOMEM;
	room = rte_pktmbuf_data_room_size(mp);
	if (room <= RTE_PKTMBUF_HEADROOM) {
		TPK_LOG(ERR, "%s: mempool %s has no data room", dev->data->name,
			mp->name);
		rte_free(rxq);
		return -EINVAL;
	}
	rxq->ring.fd = -1;
	rxq->mp = mp;
	rxq->data_room = (uint16_t)(room - RTE_PKTMBUF_HEADROOM);
	rxq->port_id = dev->data->port_id;
	rxq->queue_id = qid;
	rxq->socket_id = (int)socket_id;
	rxq->offloads = off;
	rxq->vlan_strip = off & RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
	rxq->scatter = off & RTE_ETH_RX_OFFLOAD_SCATTER;
	rxq->lro = off & RTE_ETH_RX_OFFLOAD_TCP_LRO;
	rxq->l4_cksum = off & (RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
			       RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
	rxq->ip_cksum = off & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	rxq->rss_hash = off & RTE_ETH_RX_OFFLOAD_RSS_HASH;
	rxq->deferred_start = conf->rx_deferred_start;
	if (off & RTE_ETH_RX_OFFLOAD_TIMESTAMP) {
		if (rte_mbuf_dyn_rx_timestamp_register(&rxq->ts_offset,
						       &rxq->ts_flag) < 0) {
			TPK_LOG(ERR, "%s: cannot register the mbuf timestamp field",
				dev->data->name);
			rte_free(rxq);
			return -rte_errno;
		}
		rxq->timestamp = true;
	}
	rxq->gone = &pmd->gone;
	rxq->mtu = &pmd->ni.mtu;
	if (pmd->da.rx_mode == TPK_RX_RECVMMSG) {
		uint32_t slot = tpk_rcv_slot_size(tpk_max_frame(pmd));
		uint8_t *arena;

		rxq->rcv = rte_zmalloc_socket("tpacket_rcv", sizeof(*rxq->rcv),
					      RTE_CACHE_LINE_SIZE, socket_id);
		arena = rte_malloc_socket("tpacket_rcv_arena",
					  (size_t)slot * TPK_RCV_BATCH,
					  RTE_CACHE_LINE_SIZE, socket_id);
		if (rxq->rcv == NULL || arena == NULL) {
			TPK_LOG(ERR, "%s: RX queue %u: no memory for %u recvmmsg slots of %u B",
				dev->data->name, qid, TPK_RCV_BATCH, slot);
			rte_free(arena);
			rte_free(rxq->rcv);
			rte_free(rxq);
			return -ENOMEM;
		}
		tpk_rcv_init(rxq->rcv, arena, slot, pmd->vnet_len);
		/*
		 * The kernel turns arrival stamping on some time after the
		 * first socket asks (a deferred static key); until then a
		 * frame gets the time it is read. Ask now, well before the
		 * queue starts, on a socket that lives as long as the port.
		 */
		if (rxq->timestamp && pmd->ctl_fd >= 0) {
			int one = 1;

			(void)setsockopt(pmd->ctl_fd, SOL_SOCKET, SO_TIMESTAMPNS,
					 &one, sizeof(one));
		}
	}
	if (!rxq->scatter && !rxq->lro &&
	    rxq->data_room < pmd->ni.mtu + RTE_ETHER_HDR_LEN + 4)
		TPK_LOG(WARNING, "%s: RX queue %u: %u-byte mbufs hold less than the MTU (%u); larger frames are dropped (enable scatter)",
			dev->data->name, qid, rxq->data_room, pmd->ni.mtu);
	dev->data->rx_queues[qid] = rxq;
	return 0;
}

static int
tpk_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
		   uint16_t nb_desc, unsigned int socket_id,
		   const struct rte_eth_txconf *conf)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct tpk_txq *txq;

	tpk_tx_queue_release(dev, qid);
	txq = rte_zmalloc_socket("tpacket_txq", sizeof(*txq),
				 RTE_CACHE_LINE_SIZE, socket_id);
	if (txq == NULL)
		return -ENOMEM;
	txq->fd = -1;
	txq->ring.fd = -1;
	txq->port_id = dev->data->port_id;
	txq->queue_id = qid;
	txq->socket_id = (int)socket_id;
	txq->offloads = conf->offloads | dev->data->dev_conf.txmode.offloads;
	txq->max_frame = pmd->ni.mtu + RTE_ETHER_HDR_LEN + 4;
	txq->deferred_start = conf->tx_deferred_start;
	txq->nb_desc = nb_desc;
	txq->gone = &pmd->gone;
	dev->data->tx_queues[qid] = txq;
	return 0;
}

static int
tpk_link_update(struct rte_eth_dev *dev, int wait __rte_unused)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct rte_eth_link link;

	memset(&link, 0, sizeof(link));
	if (!pmd->gone && tpk_netif_refresh(&pmd->ni) == 0) {
		link.link_status = (pmd->ni.flags & IFF_UP) &&
			(pmd->ni.flags & IFF_RUNNING) && dev->data->dev_started ?
			RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
		link.link_speed = pmd->ni.speed_mbps ? pmd->ni.speed_mbps :
			RTE_ETH_SPEED_NUM_UNKNOWN;
		link.link_duplex = pmd->ni.full_duplex ?
			RTE_ETH_LINK_FULL_DUPLEX : RTE_ETH_LINK_HALF_DUPLEX;
		link.link_autoneg = pmd->ni.autoneg ? RTE_ETH_LINK_AUTONEG :
			RTE_ETH_LINK_FIXED;
	} else {
		link.link_status = RTE_ETH_LINK_DOWN;
		link.link_speed = RTE_ETH_SPEED_NUM_NONE;
	}
	return rte_eth_linkstatus_set(dev, &link);
}

/* Pull the kernel's clear-on-read counters into the queue's totals. */
void
tpk_kstats_pull(struct rte_eth_dev *dev)
{
	const struct tpk_proc *pp = dev->process_private;
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct tpk_rxq *rxq = dev->data->rx_queues[i];
		/* fd numbers are per process: a secondary uses its own. */
		int fd = pp == NULL ? (rxq ? rxq->ring.fd : -1) :
			(i < TPK_MAX_QUEUES ? pp->rx_fd[i] : -1);

		if (rxq != NULL && fd >= 0 && rxq->ring.fd >= 0)
			tpk_sock_stats(fd, &rxq->k_packets, &rxq->k_drops,
				       &rxq->k_freezes);
	}
}

static int
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
		s->ierrors += (q->st.truncated - q->base.truncated) +
			(q->st.oversize - q->base.oversize) +
			(q->st.bad_vnet - q->base.bad_vnet);
		if (qs != NULL && i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			qs->q_ipackets[i] = p;
			qs->q_ibytes[i] = b;
			/* ethdev: frames received on the queue and dropped. */
			qs->q_errors[i] = (q->st.truncated - q->base.truncated) +
				(q->st.oversize - q->base.oversize) +
				(q->st.bad_vnet - q->base.bad_vnet);
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
static int
tpk_stats_reset(struct rte_eth_dev *dev)
{
	uint16_t i;

	tpk_kstats_pull(dev);
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct tpk_rxq *q = dev->data->rx_queues[i];

		if (q == NULL)
			continue;
		q->base = q->st;
		q->k_drops_base = q->k_drops;
		q->k_freezes_base = q->k_freezes;
		q->bad_blocks_base = q->bad_blocks_total + q->cur.bad_blocks;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct tpk_txq *q = dev->data->tx_queues[i];

		if (q != NULL)
			q->base = q->st;
	}
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

static int
tpk_promisc_enable(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	return tpk_membership(dev, PACKET_MR_PROMISC, true, &pmd->promisc);
}

static int
tpk_promisc_disable(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	return tpk_membership(dev, PACKET_MR_PROMISC, false, &pmd->promisc);
}

static int
tpk_allmulti_enable(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	return tpk_membership(dev, PACKET_MR_ALLMULTI, true, &pmd->allmulti);
}

static int
tpk_allmulti_disable(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	return tpk_membership(dev, PACKET_MR_ALLMULTI, false, &pmd->allmulti);
}

static int
tpk_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint32_t old = pmd->ni.mtu;
	uint16_t i;
	int ret;

	if (mtu == old)
		return 0;
	ret = tpk_netif_set_mtu(pmd->ni.name, mtu);
	if (ret < 0) {
		TPK_LOG(ERR, "%s: set MTU %u on %s: %s", dev->data->name, mtu,
			pmd->ni.name, strerror(-ret));
		return ret;
	}
	if (pmd->orig_mtu == 0)
		pmd->orig_mtu = old;
	pmd->ni.mtu = mtu;
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct tpk_txq *txq = dev->data->tx_queues[i];

		if (txq != NULL)
			__atomic_store_n(&txq->max_frame,
					 mtu + RTE_ETHER_HDR_LEN + 4,
					 __ATOMIC_RELAXED);
	}
	return 0;
}

static int
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

static const uint32_t *
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
TPK_PTYPES_GET_DEFINE(tpk_ptypes_get, tpk_ptypes)

static int
tpk_rx_burst_mode(struct rte_eth_dev *dev, uint16_t qid __rte_unused,
		  struct rte_eth_burst_mode *mode)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	if (pmd->da.rx_mode == TPK_RX_RECVMMSG)
		snprintf(mode->info, sizeof(mode->info),
			 "recvmmsg, %u slots of %u B%s", TPK_RCV_BATCH,
			 tpk_rcv_slot_size(tpk_max_frame(pmd)),
			 pmd->vnet_len ? ", vnet hdr" : "");
	else
		snprintf(mode->info, sizeof(mode->info),
			 "TPACKET_V3 ring %ux%u B, tov %u ms%s", pmd->blocks,
			 pmd->blocksz, pmd->da.tov,
			 pmd->vnet_len ? ", vnet hdr" : "");
	return 0;
}

static int
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

static int
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


/* Netlink lost events (ENOBUFS): read the link state again. */
void
tpk_link_resync(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	if (tpk_netif_refresh(&pmd->ni) == -ENODEV &&
	    !__atomic_exchange_n(&pmd->gone, 1, __ATOMIC_RELEASE)) {
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RMV, NULL);
		return;
	}
	if (tpk_link_update(dev, 0) == 0 && dev->data->dev_conf.intr_conf.lsc)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

static int
tpk_set_link(struct rte_eth_dev *dev, bool up)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int ret = tpk_netif_set_up(pmd->ni.name, up);

	if (ret < 0)
		TPK_LOG(ERR, "%s: set %s %s: %s", dev->data->name, pmd->ni.name,
			up ? "up" : "down", strerror(-ret));
	return ret;
}

static int
tpk_set_link_up(struct rte_eth_dev *dev)
{
	return tpk_set_link(dev, true);
}

static int
tpk_set_link_down(struct rte_eth_dev *dev)
{
	return tpk_set_link(dev, false);
}

static void
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

static void
tpk_txq_info(struct rte_eth_dev *dev, uint16_t qid,
	     struct rte_eth_txq_info *qi)
{
	struct tpk_txq *txq = dev->data->tx_queues[qid];

	qi->nb_desc = txq->nb_desc;
	qi->queue_state = dev->data->tx_queue_state[qid];
	qi->conf.offloads = txq->offloads;
	qi->conf.tx_deferred_start = txq->deferred_start;
}

/*
 * After RMV: find the interface again by name (it may have been re-created
 * with a new index) so that the application can configure and start anew.
 */
static int
tpk_dev_reset(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct tpk_netif ni;
	int ret;

	tpk_rx_intr_uninstall(dev);
	tpk_close_sockets(dev);
	ret = tpk_netif_get(pmd->da.iface, &ni);
	if (ret < 0) {
		TPK_LOG(ERR, "%s: reset: interface %s: %s", dev->data->name,
			pmd->da.iface, strerror(-ret));
		return ret;
	}
	pmd->ni = ni;
	memcpy(pmd->mac.addr_bytes, ni.mac, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&pmd->mac, dev->data->mac_addrs);
	dev->data->mtu = ni.mtu;
	__atomic_store_n(&pmd->gone, 0, __ATOMIC_RELEASE);
	return 0;
}


/* Timestamps are the kernel's (CLOCK_REALTIME, ns) unless hardware ones. */
static int
tpk_read_clock(struct rte_eth_dev *dev __rte_unused, uint64_t *clock)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*clock = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	return 0;
}

static const struct eth_dev_ops tpk_ops = {
	.dev_configure = tpk_dev_configure,
	.dev_infos_get = tpk_dev_info,
	.dev_start = tpk_dev_start,
	.dev_stop = tpk_dev_stop,
	.dev_close = tpk_dev_close,
	.rx_queue_setup = tpk_rx_queue_setup,
	.tx_queue_setup = tpk_tx_queue_setup,
	.rx_queue_release = tpk_rx_queue_release,
	.tx_queue_release = tpk_tx_queue_release,
	.link_update = tpk_link_update,
	.stats_get = tpk_stats_get,
	.stats_reset = tpk_stats_reset,
	.xstats_get = tpk_xstats_get,
	.xstats_get_names = tpk_xstats_get_names,
	.xstats_reset = tpk_stats_reset,
	.promiscuous_enable = tpk_promisc_enable,
	.promiscuous_disable = tpk_promisc_disable,
	.allmulticast_enable = tpk_allmulti_enable,
	.allmulticast_disable = tpk_allmulti_disable,
	.mtu_set = tpk_mtu_set,
	.mac_addr_set = tpk_mac_addr_set,
	.dev_supported_ptypes_get = tpk_ptypes_get,
	.rx_burst_mode_get = tpk_rx_burst_mode,
	.tx_burst_mode_get = tpk_tx_burst_mode,
	.fw_version_get = tpk_fw_version,
	.dev_set_link_up = tpk_set_link_up,
	.dev_set_link_down = tpk_set_link_down,
	.rx_queue_start = tpk_rxq_start,
	.rx_queue_stop = tpk_rxq_stop,
	.tx_queue_start = tpk_txq_start,
	.tx_queue_stop = tpk_txq_stop,
	.rxq_info_get = tpk_rxq_info,
	.txq_info_get = tpk_txq_info,
	.dev_reset = tpk_dev_reset,
	.rx_queue_intr_enable = tpk_rx_intr_enable,
	.rx_queue_intr_disable = tpk_rx_intr_disable,
	.get_monitor_addr = tpk_get_monitor_addr,
	.read_clock = tpk_read_clock,
	.reta_update = tpk_reta_update,
	.reta_query = tpk_reta_query,
	.rss_hash_conf_get = tpk_rss_hash_conf_get,
};

/* What a secondary process may do: observe, and use the datapath. */
static const struct eth_dev_ops tpk_ops_secondary = {
	.dev_infos_get = tpk_dev_info,
	.dev_close = tpk_dev_close,
	.link_update = tpk_link_update,
	.stats_get = tpk_stats_get,
	.xstats_get = tpk_xstats_get,
	.xstats_get_names = tpk_xstats_get_names,
	.dev_supported_ptypes_get = tpk_ptypes_get,
	.rx_burst_mode_get = tpk_rx_burst_mode,
	.tx_burst_mode_get = tpk_tx_burst_mode,
	.rxq_info_get = tpk_rxq_info,
	.txq_info_get = tpk_txq_info,
	.fw_version_get = tpk_fw_version,
	.read_clock = tpk_read_clock,
};

/* Ring geometry: blocks must hold the largest frame the device makes. */
static int
tpk_ring_geometry(struct pmd_internals *pmd)
{
	uint32_t need = tpk_max_frame(pmd) + TPK_V3_FRAME_OVERHEAD;

	if (pmd->da.blocksz) {
		pmd->blocksz = pmd->da.blocksz;
		if (pmd->blocksz < need)
			TPK_LOG(WARNING, "%s: blocksz=%u is below the largest frame the interface can deliver (%u B with GSO/GRO): longer frames are dropped and counted as truncated",
				pmd->ni.name, pmd->blocksz, need);
	} else {
		pmd->blocksz = RTE_MAX(roundup_pow2(need), 65536u);
	}
	pmd->blocks = pmd->da.blocks ? pmd->da.blocks :
		RTE_MAX(TPK_RING_DEFAULT / pmd->blocksz, 8u);
	if ((uint64_t)pmd->blocksz * pmd->blocks > TPK_RING_MAX) {
		TPK_LOG(ERR, "invalid devargs blocksz=%u blocks=%u: the ring would take more than 2 GiB per queue",
			pmd->blocksz, pmd->blocks);
		return -EINVAL;
	}
	return 0;
}

static int
tpk_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	const char *args = rte_vdev_device_args(vdev);
	struct pmd_internals *pmd;
	struct rte_eth_dev *dev;
	struct tpk_devargs da;
	struct tpk_netif ni;
	const struct tpk_kfeat *kf;
	char err[512], rxdesc[64], kfdesc[96];
	int ret, fd;

	if (rte_eal_process_type() == RTE_PROC_SECONDARY) {
		dev = rte_eth_dev_attach_secondary(name);
		if (dev == NULL) {
			TPK_LOG(ERR, "%s: cannot attach to the primary's port",
				name);
			return -ENODEV;
		}
		dev->dev_ops = &tpk_ops_secondary;
		dev->device = &vdev->device;
		dev->rx_pkt_burst = tpk_rx_burst_secondary;
		dev->tx_pkt_burst = tpk_tx_burst_secondary;
		dev->tx_pkt_prepare = tpk_tx_prepare;
		ret = tpk_mp_attach(dev);
		if (ret < 0) {
			TPK_LOG(ERR, "%s: cannot use the primary's sockets: %s",
				name, strerror(-ret));
			tpk_proc_free(dev);
			rte_eth_dev_release_port(dev);
			return ret;
		}
		rte_eth_dev_probing_finish(dev);
		return 0;
	}

	if (tpk_devargs_parse(args, &da, err, sizeof(err)) < 0) {
		TPK_LOG(ERR, "%s: %s", name, err);
		return -EINVAL;
	}
	ret = tpk_netif_get(da.iface, &ni);
	if (ret < 0) {
		TPK_LOG(ERR, "%s: invalid devarg iface=%s: %s%s", name, da.iface,
			strerror(-ret), ret == -ENODEV ?
			" (no such interface in this network namespace)" : "");
		return ret;
	}
	if (ni.hw_type != ARPHRD_ETHER && ni.hw_type != ARPHRD_LOOPBACK) {
		TPK_LOG(ERR, "%s: invalid devarg iface=%s: link type %u has no Ethernet header",
			name, da.iface, ni.hw_type);
		return -ENOTSUP;
	}
	if (da.fd_helper[0]) {
		char e[256];

		fd = tpk_fdpass_request(da.fd_helper, ni.name, e, sizeof(e));
		if (fd >= 0 && tpk_sock_adopt_check(fd, ni.ifindex, e,
						     sizeof(e)) < 0) {
			close(fd);
			fd = -EINVAL;
		}
		if (fd < 0) {
			TPK_LOG(ERR, "%s: invalid devarg fd_helper=%s: %s", name,
				da.fd_helper, e);
			return fd;
		}
	} else {
		fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	}
	if (fd < 0) {
		ret = -errno;
		TPK_LOG(ERR, "%s: cannot open an AF_PACKET socket: %s%s", name,
			strerror(errno),
			errno == EPERM ? " (run as root, with CAP_NET_RAW, or with fd_helper=)" : "");
		return ret;
	}

	dev = rte_eth_vdev_allocate(vdev, sizeof(*pmd));
	if (dev == NULL) {
		close(fd);
		return -ENOMEM;
	}
	pmd = dev->data->dev_private;
	pmd->da = da;
	pmd->ni = ni;
	pmd->ctl_fd = fd;
	pmd->nl_fd = -1;
	pmd->fanout_id = -1;
	/* Features are tried on throw-away sockets, not read from uname. */
	kf = tpk_kfeat_get();
	pmd->kf = *kf;
	pmd->kver = kf->kver;
	pmd->vnet_len = da.vnet_hdr ? sizeof(struct virtio_net_hdr) : 0;
	pmd->has_udp_gso = kf->have & TPK_KF_UDP_L4_GSO;
	pmd->has_ignore_outgoing = kf->have & TPK_KF_IGNORE_OUTGOING;
	pmd->hw_rx_timestamp = tpk_netif_hw_rx_timestamp(ni.name);
	/*
	 * No PACKET_FANOUT_FLAG_DEFRAG: reassembly in the fanout hook drops
	 * incomplete sets where no counter of ours sees them and turns
	 * complete ones into frames above the MTU. Fragments are delivered as
	 * a NIC delivers them (ip_reassembly does the rest); every mode that
	 * keeps flows on a queue hashes them by addresses and protocol, so
	 * all fragments of a datagram still reach one queue.
	 */
	pmd->fanout_flags = pmd->has_ignore_outgoing ?
		PACKET_FANOUT_FLAG_IGNORE_OUTGOING : 0;
	ret = tpk_ring_geometry(pmd);
	if (ret < 0)
		goto fail;
	memcpy(pmd->mac.addr_bytes, ni.mac, RTE_ETHER_ADDR_LEN);

	dev->data->mac_addrs = rte_zmalloc_socket(name, RTE_ETHER_ADDR_LEN, 0,
						  vdev->device.numa_node);
	if (dev->data->mac_addrs == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	rte_ether_addr_copy(&pmd->mac, dev->data->mac_addrs);
	dev->data->mtu = ni.mtu;
	dev->data->dev_link.link_speed = ni.speed_mbps ? ni.speed_mbps :
		RTE_ETH_SPEED_NUM_UNKNOWN;
	dev->data->dev_link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	dev->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS |
		RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_INTR_RMV;
	pmd->nl_fd = -1;
	ret = tpk_events_init(dev);
	if (ret < 0) {
		TPK_LOG(ERR, "%s: link event socket: %s", name, strerror(-ret));
		goto fail;
	}
	dev->intr_handle = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (dev->intr_handle == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	pmd->rss_prog_fd = -1;
	pmd->reta_fd = -1;
	if (da.fanout == TPK_FANOUT_RSS && da.queues > 1) {
		ret = tpk_rss_init(pmd);
		if (ret < 0)
			TPK_LOG(NOTICE, "%s: eBPF fanout unavailable (%s): RSS uses the kernel's flow hash, without a redirection table",
				name, strerror(-ret));
	}
	ret = tpk_mp_init_primary();
	if (ret < 0) {
		TPK_LOG(ERR, "%s: multi-process action: %s", name, strerror(-ret));
		goto fail;
	}
	dev->dev_ops = &tpk_ops;
	dev->rx_pkt_burst = tpk_rx_burst;
	dev->tx_pkt_burst = tpk_tx_burst;
	dev->tx_pkt_prepare = tpk_tx_prepare;
	rte_eth_dev_probing_finish(dev);

	/* The ring geometry sizes the socket buffer in recvmmsg mode. */
	if (da.rx_mode == TPK_RX_RECVMMSG)
		snprintf(rxdesc, sizeof(rxdesc), "recvmmsg, socket buffer %" PRIu64 " B",
			 (uint64_t)pmd->blocks * pmd->blocksz);
	else
		snprintf(rxdesc, sizeof(rxdesc), "ring %ux%u B, tov %u ms",
			 pmd->blocks, pmd->blocksz, da.tov);
	tpk_kfeat_str(kf, false, kfdesc, sizeof(kfdesc));
	TPK_LOG(INFO, "%s: iface %s (ifindex %d), %u queues, RX %s, vnet hdr %s, TX %s, linux %u.%u, kernel features: %s",
		name, ni.name, ni.ifindex, da.queues, rxdesc,
		pmd->vnet_len ? "on" : "off",
		da.tx_mode == TPK_TX_RING ? "ring" : "sendmmsg",
		pmd->kver >> 16, (pmd->kver >> 8) & 0xff,
		kfdesc[0] ? kfdesc : "none");
	return 0;
fail:
	tpk_rss_uninit(pmd);
	tpk_events_uninit(dev);
	rte_intr_instance_free(dev->intr_handle);
	dev->intr_handle = NULL;
	close(fd);
	rte_eth_dev_release_port(dev);
	return ret;
}

static int
tpk_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev;

	dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	if (dev == NULL)
		return 0;
	/* Not closed yet by the application: close now (no-op if it was). */
	if (dev->state != RTE_ETH_DEV_UNUSED && dev->dev_ops != NULL)
		tpk_dev_close(dev);
	rte_eth_dev_release_port(dev);
	return 0;
}

int
rte_pmd_tpacket_get_info(uint16_t port_id, struct rte_pmd_tpacket_info *info)
{
	struct rte_eth_dev *dev;
	struct pmd_internals *pmd;

	if (info == NULL || !rte_eth_dev_is_valid_port(port_id))
		return -EINVAL;
	dev = &rte_eth_devices[port_id];
	if (dev->device == NULL || dev->device->driver == NULL ||
	    strcmp(dev->device->driver->name, TPK_DRIVER_NAME) != 0)
		return -ENOTSUP;
	pmd = dev->data->dev_private;
	memset(info, 0, sizeof(*info));
	snprintf(info->iface, sizeof(info->iface), "%s", pmd->ni.name);
	info->ifindex = pmd->ni.ifindex;
	info->fanout_id = pmd->fanout_id;
	info->block_size = pmd->blocksz;
	info->nb_blocks = pmd->blocks;
	info->tov_ms = pmd->da.tov;
	info->vnet_hdr = pmd->vnet_len != 0;
	info->tx_ring = pmd->da.tx_mode == TPK_TX_RING;
	return 0;
}

static struct rte_vdev_driver tpk_vdev_drv = {
	.probe = tpk_probe,
	.remove = tpk_remove,
};

RTE_PMD_REGISTER_VDEV(net_tpacket, tpk_vdev_drv);
RTE_PMD_REGISTER_ALIAS(net_tpacket, eth_tpacket);
RTE_PMD_REGISTER_PARAM_STRING(net_tpacket, TPK_DEVARGS_HELP);
