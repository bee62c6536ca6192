/* SPDX-License-Identifier: BSD-3-Clause
 * net_tpacket: an ethdev on top of an existing Linux interface, through
 * AF_PACKET sockets with TPACKET_V3 RX rings and virtio-net headers.
 *
 * This file: the vdev driver (probe, remove), the port's lifetime
 * (dev_close), the ops tables and the public API. Each op lives in the
 * file of its job: tpacket_config.c, tpacket_queue.c, tpacket_link.c,
 * tpacket_stats.c, tpacket_intr.c, tpacket_rss.c; the datapath in
 * tpacket_rx.c and tpacket_tx.c; secondaries in tpacket_mp.c.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <net/if_arp.h>

#include <rte_malloc.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <bus_vdev_driver.h>

#include "tpacket_compat.h"
#include "tpacket_ethdev.h"
#include "rte_pmd_tpacket.h"

RTE_LOG_REGISTER(tpk_logtype, pmd.net.tpacket, NOTICE);

TPK_PTYPES_GET_DEFINE(tpk_ptypes_get, tpk_ptypes)

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
	tpk_flow_uninit(dev);
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
	.dev_ptypes_set = tpk_ptypes_set,
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
	.flow_ops_get = tpk_flow_ops_get,
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

/* A secondary process: attach to the primary's port and sockets. */
static int
tpk_probe_secondary(struct rte_vdev_device *vdev, const char *name)
{
	struct rte_eth_dev *dev;
	int ret;

	dev = rte_eth_dev_attach_secondary(name);
	if (dev == NULL) {
		TPK_LOG(ERR, "%s: cannot attach to the primary's port", name);
		return -ENODEV;
	}
	dev->dev_ops = &tpk_ops_secondary;
	dev->device = &vdev->device;
	dev->rx_pkt_burst = tpk_rx_burst_secondary;
	dev->tx_pkt_burst = tpk_tx_burst_secondary;
	dev->tx_pkt_prepare = tpk_tx_prepare;
	ret = tpk_mp_attach(dev);
	if (ret < 0) {
		TPK_LOG(ERR, "%s: cannot use the primary's sockets: %s", name,
			strerror(-ret));
		tpk_proc_free(dev);
		rte_eth_dev_release_port(dev);
		return ret;
	}
	rte_eth_dev_probing_finish(dev);
	return 0;
}

/*
 * The devargs, the interface and the port's control socket (which holds
 * the memberships): from the fd helper when one is named.
 */
static int
tpk_probe_iface(const char *name, const char *args, struct tpk_devargs *da,
		struct tpk_netif *ni, int *fd)
{
	char err[512];
	int ret;

	if (tpk_devargs_parse(args, da, err, sizeof(err)) < 0) {
		TPK_LOG(ERR, "%s: %s", name, err);
		return -EINVAL;
	}
	ret = tpk_netif_get(da->iface, ni);
	if (ret < 0) {
		TPK_LOG(ERR, "%s: invalid devarg iface=%s: %s%s", name, da->iface,
			strerror(-ret), ret == -ENODEV ?
			" (no such interface in this network namespace)" : "");
		return ret;
	}
	if (ni->hw_type != ARPHRD_ETHER && ni->hw_type != ARPHRD_LOOPBACK) {
		TPK_LOG(ERR, "%s: invalid devarg iface=%s: link type %u has no Ethernet header",
			name, da->iface, ni->hw_type);
		return -ENOTSUP;
	}
	ret = tpk_helper_socket(da, ni, fd, err, sizeof(err));
	if (ret < 0) {
		TPK_LOG(ERR, "%s: invalid devarg fd_helper=%s: %s", name,
			da->fd_helper, err);
		return ret;
	}
	if (*fd >= 0)
		return 0;
	*fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (*fd < 0) {
		ret = -errno;
		TPK_LOG(ERR, "%s: cannot open an AF_PACKET socket: %s%s", name,
			strerror(errno), errno == EPERM ?
			" (run as root, with CAP_NET_RAW, or with fd_helper=)" : "");
		return ret;
	}
	return 0;
}

/* What the kernel can do, tried on throw-away sockets (not uname). */
static void
tpk_probe_features(struct pmd_internals *pmd)
{
	const struct tpk_kfeat *kf = tpk_kfeat_get();

	pmd->kf = *kf;
	pmd->kver = kf->kver;
	pmd->vnet_len = pmd->da.vnet_hdr ? sizeof(struct virtio_net_hdr) : 0;
	pmd->has_udp_gso = kf->have & TPK_KF_UDP_L4_GSO;
	pmd->has_ignore_outgoing = kf->have & TPK_KF_IGNORE_OUTGOING;
	pmd->hw_rx_timestamp = tpk_netif_hw_rx_timestamp(pmd->ni.name);
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
}

/* ethdev's view of the port: MAC, MTU, link, flags, interrupts. */
static int
tpk_probe_dev_data(struct rte_eth_dev *dev, struct rte_vdev_device *vdev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	const struct tpk_netif *ni = &pmd->ni;

	memcpy(pmd->mac.addr_bytes, ni->mac, RTE_ETHER_ADDR_LEN);
	dev->data->mac_addrs = rte_zmalloc_socket(dev->data->name,
						  RTE_ETHER_ADDR_LEN, 0,
						  vdev->device.numa_node);
	if (dev->data->mac_addrs == NULL)
		return -ENOMEM;
	rte_ether_addr_copy(&pmd->mac, dev->data->mac_addrs);
	dev->data->mtu = (uint16_t)RTE_MIN(ni->mtu, TPK_NETIF_MTU_MAX);
	dev->data->dev_link.link_speed = ni->speed_mbps ? ni->speed_mbps :
		RTE_ETH_SPEED_NUM_UNKNOWN;
	dev->data->dev_link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	dev->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS |
		RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_INTR_RMV;
	dev->intr_handle = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	return dev->intr_handle == NULL ? -ENOMEM : 0;
}

static void
tpk_probe_log(const struct rte_eth_dev *dev)
{
	const struct pmd_internals *pmd = dev->data->dev_private;
	char rxdesc[64], kfdesc[96];

	/* The ring geometry sizes the socket buffer in recvmmsg mode. */
	if (pmd->da.rx_mode == TPK_RX_RECVMMSG)
		snprintf(rxdesc, sizeof(rxdesc), "recvmmsg, socket buffer %" PRIu64 " B",
			 (uint64_t)pmd->blocks * pmd->blocksz);
	else if (pmd->da.rx_mode == TPK_RX_FRAMES)
		snprintf(rxdesc, sizeof(rxdesc), "frames (TPACKET_V2) %" PRIu64 " B",
			 (uint64_t)pmd->blocks * pmd->blocksz);
	else if (pmd->da.rx_mode == TPK_RX_AUTO)
		snprintf(rxdesc, sizeof(rxdesc), "%s %ux%u B, tov %u ms",
			 TPK_V3_LIVE ? "ring (frames with LRO)" : "frames",
			 pmd->blocks, pmd->blocksz, pmd->da.tov);
	else
		snprintf(rxdesc, sizeof(rxdesc), "ring %ux%u B, tov %u ms",
			 pmd->blocks, pmd->blocksz, pmd->da.tov);
	tpk_kfeat_str(&pmd->kf, false, kfdesc, sizeof(kfdesc));
	TPK_LOG(INFO, "%s: iface %s (ifindex %d), up to %u queues, RX %s, vnet hdr %s, TX %s, linux %u.%u, kernel features: %s",
		dev->data->name, pmd->ni.name, pmd->ni.ifindex, pmd->da.queues,
		rxdesc, pmd->vnet_len ? "on" : "off",
		pmd->da.tx_mode == TPK_TX_RING ? "ring" : "sendmmsg",
		pmd->kver >> 16, (pmd->kver >> 8) & 0xff,
		kfdesc[0] ? kfdesc : "none");
}

static int
tpk_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct pmd_internals *pmd;
	struct rte_eth_dev *dev;
	struct tpk_devargs da;
	struct tpk_netif ni;
	int ret, fd;

	if (rte_eal_process_type() == RTE_PROC_SECONDARY)
		return tpk_probe_secondary(vdev, name);
	ret = tpk_probe_iface(name, rte_vdev_device_args(vdev), &da, &ni, &fd);
	if (ret < 0)
		return ret;
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
	pmd->rss_prog_fd = -1;
	pmd->reta_fd = -1;
	tpk_flow_init(dev);
	pmd->ptype_mask = RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK |
		RTE_PTYPE_L4_MASK;
	tpk_probe_features(pmd);
	ret = tpk_ring_geometry(pmd);
	if (ret < 0)
		goto fail;
	ret = tpk_probe_dev_data(dev, vdev);
	if (ret < 0)
		goto fail;
	ret = tpk_events_init(dev);
	if (ret < 0) {
		TPK_LOG(ERR, "%s: link event socket: %s", name, strerror(-ret));
		goto fail;
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
	tpk_probe_log(dev);
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

/* Is dev a port of this driver (and its private data ours)? */
bool
tpk_dev_is_ours(const struct rte_eth_dev *dev)
{
	return dev->device != NULL && dev->device->driver != NULL &&
		strcmp(dev->device->driver->name, TPK_DRIVER_NAME) == 0;
}

int
rte_pmd_tpacket_get_info(uint16_t port_id, struct rte_pmd_tpacket_info *info)
{
	struct rte_eth_dev *dev;
	struct pmd_internals *pmd;

	if (info == NULL || !rte_eth_dev_is_valid_port(port_id))
		return -EINVAL;
	dev = &rte_eth_devices[port_id];
	if (!tpk_dev_is_ours(dev))
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
