/* SPDX-License-Identifier: BSD-3-Clause
 * Sockets and queues, from setup to release. The sockets of a port are
 * created at dev_start (or queue start), in queue order, and closed at
 * dev_stop, so that a stopped port holds no kernel resources apart from
 * one control socket that carries the promiscuous/allmulticast
 * memberships (which the kernel drops by itself if the process dies).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>

#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_errno.h>
#include <ethdev_driver.h>

#include "tpacket_ethdev.h"
#include "tpk_fdpass.h"

/* SO_SNDBUF for TX sockets: room for a burst of 64 KB super-frames. */
#define TPK_SNDBUF (4 << 20)

static void
tpk_rxq_close(struct tpk_rxq *rxq)
{
	tpk_sock_close(&rxq->ring);
	rxq->gso.active = false;
	/* cur.ring NULL: stopped, in every process. Counters stay. */
	tpk_v3_reset(&rxq->cur, NULL, 0, 0, 0);
}

static void
tpk_txq_close(struct tpk_txq *txq)
{
	tpk_sock_close(&txq->ring);
	txq->fd = -1;
	txq->head = 0;
}

void
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
 * needs no CAP_NET_RAW. Every adopted fd is checked before use. *fd is -1
 * (and 0 returned) without fd_helper=.
 */
int
tpk_helper_socket(const struct tpk_devargs *da, const struct tpk_netif *ni,
		  int *fd, char *err, size_t errlen)
{
	int ret;

	*fd = -1;
	if (da->fd_helper[0] == '\0')
		return 0;
	ret = tpk_fdpass_request(da->fd_helper, ni->name, err, errlen);
	if (ret < 0)
		return ret;
	if (tpk_sock_adopt_check(ret, ni->ifindex, err, errlen) < 0) {
		close(ret);
		return -EINVAL;
	}
	*fd = ret;
	return 0;
}

static int
tpk_get_socket(struct pmd_internals *pmd, bool *adopt, int *fd)
{
	char err[256];
	int ret;

	ret = tpk_helper_socket(&pmd->da, &pmd->ni, fd, err, sizeof(err));
	if (ret < 0) {
		TPK_LOG(ERR, "%s: %s", pmd->ni.name, err);
		return ret;
	}
	*adopt = *fd >= 0;
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

	if (rxq->frames) {
		/*
		 * Slots for a plain frame of the MTU, in blocks of the V3
		 * ring's size (page-aligned, whole slots): the same memory.
		 * Longer frames wait whole in the socket buffer, sized alike.
		 */
		uint64_t rb = (uint64_t)pmd->blocksz * pmd->blocks;
		uint32_t fs = tpk_v2_frame_size(tpk_frame_len(pmd->ni.mtu, 2));
		uint32_t bs = tpk_v2_block_size(fs, pmd->blocksz);

		cfg.rx_frame_size = fs;
		cfg.block_size = bs;
		cfg.nb_blocks = (uint32_t)RTE_MAX(rb / bs, (uint64_t)2);
		cfg.rcvbuf = (int)RTE_MIN(rb, (uint64_t)INT32_MAX / 2);
	} else if (rxq->rcv != NULL) {
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
	rxq->gso.in_ovf = false;
	if (rxq->frames) {
		tpk_v2_reset(&rxq->v2, rxq->ring.rx_frame_size, rxq->ring.rx_frames,
			     pmd->vnet_len);
		/* cur.ring says the queue has a ring (started). */
		tpk_v3_reset(&rxq->cur, rxq->ring.map, 0, 0, pmd->vnet_len);
		return 0;
	}
	if (rxq->rcv != NULL) {
		/* Nothing pending; GSO state keeps offsets from the arena. */
		rxq->rcv->count = 0;
		rxq->rcv->next = 0;
		tpk_v3_reset(&rxq->cur, rxq->rcv->arena, 0, 0, pmd->vnet_len);
		return 0;
	}
	tpk_v3_reset(&rxq->cur, rxq->ring.map, pmd->blocksz, pmd->blocks,
		     pmd->vnet_len);
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

		cfg.tx_frame_size = tpk_tx_slot_size(big);
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

int
tpk_rxq_start(struct rte_eth_dev *dev, uint16_t qid)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct tpk_rxq *rxq = dev->data->rx_queues[qid];
	int ret;

	if (rxq->ring.fd >= 0)
		return 0;
	ret = tpk_rxq_open(pmd, rxq, dev->data->nb_rx_queues == 1);
	if (ret == 0)
		ret = tpk_flow_attach(pmd, rxq->ring.fd);
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

int
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

int
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

int
tpk_txq_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	tpk_txq_close(dev->data->tx_queues[qid]);
	dev->data->tx_queue_state[qid] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

/* Open the rings first, then join in queue order so member i is queue i. */
static int
tpk_rxqs_open_join(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t i, n = dev->data->nb_rx_queues;
	int ret;

	pmd->fanout_id = -1;
	pmd->nb_members = 0;
	for (i = 0; i < n; i++) {
		struct tpk_rxq *rxq = dev->data->rx_queues[i];

		if (rxq->deferred_start)
			continue;
		ret = tpk_rxq_open(pmd, rxq, n == 1);
		if (ret == 0)
			ret = tpk_flow_attach(pmd, rxq->ring.fd);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < n; i++) {
		struct tpk_rxq *rxq = dev->data->rx_queues[i];

		if (rxq->ring.fd < 0)
			continue;
		ret = tpk_rxq_join(dev, rxq);
		if (ret < 0)
			return ret;
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	if (pmd->reta_fd >= 0 && pmd->fanout_id >= 0) {
		ret = tpk_rss_sync(pmd);
		if (ret < 0) {
			TPK_LOG(ERR, "%s: write the RSS table: %s",
				dev->data->name, strerror(-ret));
			return ret;
		}
	}
	if (pmd->fanout_id >= 0)
		TPK_LOG(DEBUG, "%s: RX queues in fanout group %d (%s)",
			dev->data->name, pmd->fanout_id,
			tpk_fanout_name(pmd->da.fanout));
	return 0;
}

/*
 * Open every queue's socket (not the deferred ones), join the fanout
 * group, install the RX vectors. Used by dev_start and by a re-attach.
 */
int
tpk_queues_start(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t i;
	int ret;

	/* The RETA may name queues that no longer exist after a reconfigure. */
	if (pmd->reta_fd >= 0) {
		for (i = 0; i < TPK_RETA_SIZE && pmd->reta_set; i++)
			if (pmd->reta[i] >= dev->data->nb_rx_queues)
				pmd->reta_set = false;
		if (!pmd->reta_set)
			tpk_rss_default(pmd, dev->data->nb_rx_queues);
	}
	ret = tpk_rxqs_open_join(dev);
	if (ret < 0)
		goto fail;
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

int
tpk_dev_start(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
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
	return tpk_queues_start(dev);
}

int
tpk_dev_stop(struct rte_eth_dev *dev)
{
	tpk_rx_intr_uninstall(dev);
	tpk_close_sockets(dev);
	dev->data->dev_started = 0;
	return 0;
}

/* Keep a released queue's counters for the next queue of its index. */
static void
tpk_rxq_save(struct pmd_internals *pmd, const struct tpk_rxq *q)
{
	struct tpk_rxq_saved *sv;

	if (q->queue_id >= TPK_MAX_QUEUES)
		return;
	sv = &pmd->rx_saved[q->queue_id];
	sv->st = q->st;
	sv->base = q->base;
	sv->k_packets = q->k_packets;
	sv->k_drops = q->k_drops;
	sv->k_freezes = q->k_freezes;
	sv->k_drops_base = q->k_drops_base;
	sv->k_freezes_base = q->k_freezes_base;
	sv->bad_blocks = q->cur.bad_blocks + q->v2.bad_frames;
	sv->blocks_full = q->cur.blocks_full;
	sv->blocks_tmo = q->cur.blocks_tmo;
	sv->bad_blocks_base = q->bad_blocks_base;
	sv->blocks_full_base = q->blocks_full_base;
	sv->blocks_tmo_base = q->blocks_tmo_base;
	sv->live_frames = q->cur.live_frames;
	sv->live_base = q->live_base;
	sv->valid = true;
}

static void
tpk_rxq_restore(const struct pmd_internals *pmd, struct tpk_rxq *q)
{
	const struct tpk_rxq_saved *sv;

	if (q->queue_id >= TPK_MAX_QUEUES || !pmd->rx_saved[q->queue_id].valid)
		return;
	sv = &pmd->rx_saved[q->queue_id];
	q->st = sv->st;
	q->base = sv->base;
	q->k_packets = sv->k_packets;
	q->k_drops = sv->k_drops;
	q->k_freezes = sv->k_freezes;
	q->k_drops_base = sv->k_drops_base;
	q->k_freezes_base = sv->k_freezes_base;
	q->cur.bad_blocks = sv->bad_blocks;
	q->cur.blocks_full = sv->blocks_full;
	q->cur.blocks_tmo = sv->blocks_tmo;
	q->bad_blocks_base = sv->bad_blocks_base;
	q->blocks_full_base = sv->blocks_full_base;
	q->blocks_tmo_base = sv->blocks_tmo_base;
	q->cur.live_frames = sv->live_frames;
	q->live_base = sv->live_base;
}

void
tpk_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct tpk_rxq *rxq = dev->data->rx_queues[qid];

	if (rxq == NULL)
		return;
	tpk_rxq_close(rxq);
	tpk_rxq_save(dev->data->dev_private, rxq);
	if (rxq->rcv != NULL) {
		rte_free(rxq->rcv->arena);
		rte_free(rxq->rcv);
	}
	rte_free(rxq->ovf);
	rte_free(rxq);
	dev->data->rx_queues[qid] = NULL;
}

void
tpk_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct tpk_txq *txq = dev->data->tx_queues[qid];

	if (txq == NULL)
		return;
	tpk_txq_close(txq);
	if (qid < TPK_MAX_QUEUES) {
		struct tpk_txq_saved *sv =
			&((struct pmd_internals *)dev->data->dev_private)->tx_saved[qid];

		sv->st = txq->st;
		sv->base = txq->base;
		sv->valid = true;
	}
	rte_free(txq);
	dev->data->tx_queues[qid] = NULL;
}

/* Which packet types the queue fills (rte_eth_dev_set_ptypes). */
void
tpk_rxq_ptypes(struct tpk_rxq *rxq, uint32_t mask)
{
	/* Plain stores read by the polling lcore at its next frame. */
	rxq->ptype_mask = mask | RTE_PTYPE_L2_MASK;
	rxq->parse = mask & (RTE_PTYPE_L3_MASK | RTE_PTYPE_L4_MASK);
}

/* recvmmsg mode: the arena of slots the frames are received into. */
static int
tpk_rxq_rcv_setup(struct rte_eth_dev *dev, struct tpk_rxq *rxq,
		  unsigned int socket_id)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint32_t slot = tpk_rcv_slot_size(tpk_dev_frame_max(pmd->ni.max_mtu,
							    pmd->ni.gso_max_size));
	uint8_t *arena;

	rxq->rcv = rte_zmalloc_socket("tpacket_rcv", sizeof(*rxq->rcv),
				      RTE_CACHE_LINE_SIZE, socket_id);
	arena = rte_malloc_socket("tpacket_rcv_arena",
				  (size_t)slot * TPK_RCV_BATCH,
				  RTE_CACHE_LINE_SIZE, socket_id);
	if (rxq->rcv == NULL || arena == NULL) {
		TPK_LOG(ERR, "%s: RX queue %u: no memory for %u recvmmsg slots of %u B",
			dev->data->name, rxq->queue_id, TPK_RCV_BATCH, slot);
		rte_free(arena);
		rte_free(rxq->rcv);
		rxq->rcv = NULL;
		return -ENOMEM;
	}
	tpk_rcv_init(rxq->rcv, arena, slot, pmd->vnet_len);
	/*
	 * The kernel turns arrival stamping on some time after the first
	 * socket asks (a deferred static key); until then a frame gets the
	 * time it is read. Ask now, well before the queue starts, on a
	 * socket that lives as long as the port.
	 */
	if (rxq->timestamp && pmd->ctl_fd >= 0) {
		int one = 1;

		(void)setsockopt(pmd->ctl_fd, SOL_SOCKET, SO_TIMESTAMPNS,
				 &one, sizeof(one));
	}
	return 0;
}

int
tpk_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
		   uint16_t nb_desc __rte_unused, unsigned int socket_id,
		   const struct rte_eth_rxconf *conf, struct rte_mempool *mp)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint64_t off = conf->offloads | dev->data->dev_conf.rxmode.offloads;
	enum tpk_rx_mode mode;
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
	/*
	 * A partial checksum goes up unfinished (L4_CKSUM_NONE) only to an
	 * application that takes RX checksum flags and has TX checksum
	 * offload on: it forwards frames as they came and our TX has the
	 * kernel finish them. Any other application gets it finished here
	 * (L4_CKSUM_GOOD): one that edits or fragments payloads
	 * (ip_fragmentation) would otherwise send a wrong checksum on.
	 */
	rxq->l4_cksum = (off & (RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
				RTE_ETH_RX_OFFLOAD_UDP_CKSUM)) &&
		(dev->data->dev_conf.txmode.offloads &
		 (RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM));
	rxq->ip_cksum = off & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	rxq->rss_hash = off & RTE_ETH_RX_OFFLOAD_RSS_HASH;
	rxq->deferred_start = conf->rx_deferred_start;
	tpk_rxq_ptypes(rxq, pmd->ptype_mask);
	tpk_rxq_restore(pmd, rxq);
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
	rxq->flow_tbl = &pmd->flow.mark_tbl;
	rxq->flow_hp = NULL;
	mode = tpk_rx_mode_of(pmd->da.rx_mode, rxq->lro);
	if (mode == TPK_RX_RECVMMSG &&
	    tpk_rxq_rcv_setup(dev, rxq, socket_id) < 0) {
		rte_free(rxq);
		return -ENOMEM;
	}
	if (mode == TPK_RX_FRAMES) {
		/* Where a frame longer than a slot is received whole. */
		rxq->frames = true;
		rxq->v2_holdoff = rte_get_tsc_hz() * TPK_V2_HOLDOFF_US / 1000000;
		rxq->ovf_size = tpk_rcv_slot_size(tpk_dev_frame_max(pmd->ni.max_mtu,
								    pmd->ni.gso_max_size));
		rxq->ovf = rte_malloc_socket("tpacket_rx_ovf", rxq->ovf_size,
					     RTE_CACHE_LINE_SIZE, socket_id);
		if (rxq->ovf == NULL) {
			TPK_LOG(ERR, "%s: RX queue %u: no memory for a %u-byte frame buffer",
				dev->data->name, qid, rxq->ovf_size);
			rte_free(rxq);
			return -ENOMEM;
		}
	}
	if (!rxq->scatter && !rxq->lro &&
	    rxq->data_room < tpk_frame_len(pmd->ni.mtu, 1))
		TPK_LOG(WARNING, "%s: RX queue %u: %u-byte mbufs hold less than the MTU (%u); larger frames are dropped (enable scatter)",
			dev->data->name, qid, rxq->data_room, pmd->ni.mtu);
	dev->data->rx_queues[qid] = rxq;
	return 0;
}

int
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
	txq->max_frame = tpk_frame_len(pmd->ni.mtu, 1);
	txq->deferred_start = conf->tx_deferred_start;
	if (qid < TPK_MAX_QUEUES && pmd->tx_saved[qid].valid) {
		txq->st = pmd->tx_saved[qid].st;
		txq->base = pmd->tx_saved[qid].base;
	}
	txq->nb_desc = nb_desc;
	txq->gone = &pmd->gone;
	dev->data->tx_queues[qid] = txq;
	return 0;
}

/* Ring geometry: blocks must hold the largest frame the device makes. */
int
tpk_ring_geometry(struct pmd_internals *pmd)
{
	uint32_t frame = tpk_dev_frame_max(pmd->ni.max_mtu,
					   pmd->ni.gso_max_size);
	struct tpk_geom g;

	if (tpk_ring_geom(frame, pmd->da.blocksz, pmd->da.blocks, TPK_RING_MAX,
			  &g) < 0) {
		TPK_LOG(ERR, "invalid devargs blocksz=%u blocks=%u: the ring would take more than 2 GiB per queue",
			pmd->da.blocksz, pmd->da.blocks);
		return -EINVAL;
	}
	if (g.short_blocks)
		TPK_LOG(WARNING, "%s: blocksz=%u is below the largest frame the interface can deliver (%u B with GSO/GRO): longer frames are dropped and counted as truncated",
			pmd->ni.name, g.block_size,
			frame + TPK_V3_FRAME_OVERHEAD);
	pmd->blocksz = g.block_size;
	pmd->blocks = g.nb_blocks;
	return 0;
}

/* A new MTU: the largest plain frame each TX queue may send. */
void
tpk_queues_set_mtu(struct rte_eth_dev *dev, uint32_t mtu)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t i;

	pmd->ni.mtu = mtu;
	dev->data->mtu = (uint16_t)RTE_MIN(mtu, (uint32_t)UINT16_MAX);
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct tpk_txq *txq = dev->data->tx_queues[i];

		if (txq != NULL)
			__atomic_store_n(&txq->max_frame, tpk_frame_len(mtu, 1),
					 __ATOMIC_RELAXED);
	}
}
