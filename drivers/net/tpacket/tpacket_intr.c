/* SPDX-License-Identifier: BSD-3-Clause
 * Events and interrupts.
 *
 * Link changes: one NETLINK_ROUTE socket per port, subscribed to link
 * messages and registered with EAL's interrupt thread, so that nothing
 * polls. A RTM_NEWLINK for our ifindex updates the link and raises
 * RTE_ETH_EVENT_INTR_LSC; RTM_DELLINK raises RTE_ETH_EVENT_INTR_RMV and
 * turns the datapath into a sink.
 *
 * RX interrupts: the queue's AF_PACKET socket is itself the event fd. It
 * polls readable once a ring block is handed to user space, that is when
 * a block fills or its retire timer (tov) fires.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <rte_interrupts.h>
#include <ethdev_driver.h>

#include "tpacket_ethdev.h"

/* Follow MTU changes made outside the application (ip link set mtu). */
static void
tpk_nl_mtu(struct rte_eth_dev *dev, const struct nlmsghdr *nh)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	const struct rtattr *rta = IFLA_RTA(ifi);
	int len = IFLA_PAYLOAD(nh);
	uint32_t mtu = 0;
	uint16_t i;

	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == IFLA_MTU && RTA_PAYLOAD(rta) >= 4)
			memcpy(&mtu, RTA_DATA(rta), 4);
	if (mtu == 0 || mtu == pmd->ni.mtu)
		return;
	TPK_LOG(INFO, "%s: MTU of %s changed from %u to %u", dev->data->name,
		pmd->ni.name, pmd->ni.mtu, mtu);
	pmd->ni.mtu = mtu;
	dev->data->mtu = (uint16_t)RTE_MIN(mtu, (uint32_t)UINT16_MAX);
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct tpk_txq *txq = dev->data->tx_queues[i];

		if (txq != NULL)
			__atomic_store_n(&txq->max_frame,
					 mtu + RTE_ETHER_HDR_LEN + 4,
					 __ATOMIC_RELAXED);
	}
}

static void
tpk_nl_handle(struct rte_eth_dev *dev, const struct nlmsghdr *nh)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	struct rte_eth_link old, link;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) ||
	    ifi->ifi_index != pmd->ni.ifindex)
		return;

	if (nh->nlmsg_type == RTM_DELLINK) {
		if (__atomic_exchange_n(&pmd->gone, 1, __ATOMIC_RELEASE))
			return;
		TPK_LOG(ERR, "%s: interface %s (ifindex %d) was removed",
			dev->data->name, pmd->ni.name, pmd->ni.ifindex);
		memset(&link, 0, sizeof(link));
		rte_eth_linkstatus_set(dev, &link);
		if (dev->data->dev_conf.intr_conf.lsc)
			rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC,
						     NULL);
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RMV, NULL);
		return;
	}
	if (nh->nlmsg_type != RTM_NEWLINK)
		return;
	tpk_nl_mtu(dev, nh);
	rte_eth_linkstatus_get(dev, &old);
	pmd->ni.flags = ifi->ifi_flags;
	link = old;
	link.link_status = (ifi->ifi_flags & IFF_UP) &&
		(ifi->ifi_flags & IFF_RUNNING) && dev->data->dev_started ?
		RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	if (link.link_status == old.link_status)
		return;
	if (link.link_status) {
		/* Speed may have changed with the carrier. */
		if (tpk_netif_refresh(&pmd->ni) == 0 && pmd->ni.speed_mbps)
			link.link_speed = pmd->ni.speed_mbps;
	}
	rte_eth_linkstatus_set(dev, &link);
	TPK_LOG(INFO, "%s: link %s", dev->data->name,
		link.link_status ? "up" : "down");
	if (dev->data->dev_conf.intr_conf.lsc)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

/* Runs in the EAL interrupt thread. */
static void
tpk_nl_cb(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct pmd_internals *pmd = dev->data->dev_private;
	char buf[8192] __rte_aligned(NLMSG_ALIGNTO);

	for (;;) {
		ssize_t len = recv(pmd->nl_fd, buf, sizeof(buf), MSG_DONTWAIT);
		const struct nlmsghdr *nh;

		if (len <= 0) {
			if (len < 0 && errno == ENOBUFS) {
				/* Events were lost: re-read the state. */
				tpk_link_resync(dev);
				continue;
			}
			break;
		}
		for (nh = (const void *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len))
			tpk_nl_handle(dev, nh);
	}
}

int
tpk_events_init(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK,
	};
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	pmd->lsc_intr = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (pmd->lsc_intr == NULL)
		goto fail;
	if (rte_intr_fd_set(pmd->lsc_intr, fd) ||
	    rte_intr_type_set(pmd->lsc_intr, RTE_INTR_HANDLE_EXT) ||
	    rte_intr_callback_register(pmd->lsc_intr, tpk_nl_cb, dev) < 0)
		goto fail;
	pmd->nl_fd = fd;
	return 0;
fail:
	rte_intr_instance_free(pmd->lsc_intr);
	pmd->lsc_intr = NULL;
	close(fd);
	return -errno ? -errno : -EIO;
}

void
tpk_events_uninit(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int i;

	if (pmd->lsc_intr == NULL)
		return;
	/* The callback may be running: retry while it is busy. */
	for (i = 0; i < 1000; i++) {
		int r = rte_intr_callback_unregister(pmd->lsc_intr, tpk_nl_cb,
						     dev);

		if (r != -EAGAIN)
			break;
		usleep(1000);
	}
	rte_intr_instance_free(pmd->lsc_intr);
	pmd->lsc_intr = NULL;
	close(pmd->nl_fd);
	pmd->nl_fd = -1;
}

/* Map RX queue i to vector RTE_INTR_VEC_RXTX_OFFSET + i, fd = its socket. */
int
tpk_rx_intr_install(struct rte_eth_dev *dev)
{
	struct rte_intr_handle *h = dev->intr_handle;
	uint16_t n = dev->data->nb_rx_queues, i;

	if (!dev->data->dev_conf.intr_conf.rxq || h == NULL)
		return 0;
	if (n > RTE_MAX_RXTX_INTR_VEC_ID) {
		TPK_LOG(ERR, "%s: at most %d RX interrupt vectors",
			dev->data->name, RTE_MAX_RXTX_INTR_VEC_ID);
		return -ENOTSUP;
	}
	if (rte_intr_vec_list_alloc(h, NULL, n) != 0)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct tpk_rxq *rxq = dev->data->rx_queues[i];

		if (rte_intr_vec_list_index_set(h, i,
				RTE_INTR_VEC_RXTX_OFFSET + i) ||
		    rte_intr_efds_index_set(h, i, rxq->ring.fd))
			return -EINVAL;
	}
	rte_intr_type_set(h, RTE_INTR_HANDLE_EXT);
	rte_intr_nb_efd_set(h, n);
	rte_intr_max_intr_set(h, n + 1);
	return 0;
}

void
tpk_rx_intr_uninstall(struct rte_eth_dev *dev)
{
	struct rte_intr_handle *h = dev->intr_handle;

	if (h == NULL)
		return;
	rte_intr_vec_list_free(h);
	rte_intr_nb_efd_set(h, 0);
}

/*
 * The socket is level-readable while a block is user-owned, so there is
 * nothing to arm or mask: the application stops waiting on the fd when it
 * polls. Both ops exist so that ethdev accepts interrupt mode.
 */
int
tpk_rx_intr_enable(struct rte_eth_dev *dev __rte_unused,
		   uint16_t qid __rte_unused)
{
	return 0;
}

int
tpk_rx_intr_disable(struct rte_eth_dev *dev __rte_unused,
		    uint16_t qid __rte_unused)
{
	return 0;
}

/* Power management: sleep until the kernel hands over the next block. */
static int
tpk_monitor_cb(const uint64_t val,
	       const uint64_t opaque[RTE_POWER_MONITOR_OPAQUE_SZ] __rte_unused)
{
	return (val & TP_STATUS_USER) ? -1 : 0;
}

int
tpk_get_monitor_addr(void *q, struct rte_power_monitor_cond *pmc)
{
	struct tpk_rxq *rxq = q;

	/* recvmmsg mode: no memory word announces a frame. */
	if (rxq->rcv != NULL)
		return -ENOTSUP;
	if (rxq->ring.map == NULL)
		return -ENODEV;
	pmc->addr = &tpk_v3_block(&rxq->cur, rxq->cur.blk)->hdr.bh1.block_status;
	pmc->size = sizeof(uint32_t);
	pmc->fn = tpk_monitor_cb;
	return 0;
}
