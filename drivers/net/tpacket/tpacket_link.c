/* SPDX-License-Identifier: BSD-3-Clause
 * Link state and link events.
 *
 * One NETLINK_ROUTE socket per port, subscribed to link messages and
 * registered with EAL's interrupt thread, so that nothing polls. A
 * RTM_NEWLINK for our ifindex updates the link (and follows MTU changes
 * made outside the application) and raises RTE_ETH_EVENT_INTR_LSC;
 * RTM_DELLINK raises RTE_ETH_EVENT_INTR_RMV and turns the datapath into
 * a sink until dev_reset finds the interface again. Messages are parsed
 * by lib's one link-message parser (tpk_netif_parse_link).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <rte_interrupts.h>
#include <ethdev_driver.h>

#include "tpacket_ethdev.h"

int
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

/* Netlink lost events (ENOBUFS): read the link state again. */
static void
tpk_link_resync(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	if (tpk_netif_refresh(&pmd->ni) == -ENODEV &&
	    !__atomic_exchange_n(&pmd->gone, 1, __ATOMIC_RELEASE)) {
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RMV, NULL);
		return;
	}
	/*
	 * The application last heard "down" (at the removal); starting the
	 * queues may already have marked the link up, so tell it whatever
	 * the state is now rather than only on a change.
	 */
	tpk_link_update(dev, 0);
	if (dev->data->dev_conf.intr_conf.lsc)
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

int
tpk_set_link_up(struct rte_eth_dev *dev)
{
	return tpk_set_link(dev, true);
}

int
tpk_set_link_down(struct rte_eth_dev *dev)
{
	return tpk_set_link(dev, false);
}

/*
 * After RMV: find the interface again by name (it may have been re-created
 * with a new index) so that the application can configure and start anew.
 */
int
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
	dev->data->mtu = (uint16_t)RTE_MIN(ni.mtu, TPK_NETIF_MTU_MAX);
	__atomic_store_n(&pmd->gone, 0, __ATOMIC_RELEASE);
	return 0;
}

/* Follow MTU changes made outside the application (ip link set mtu). */
static void
tpk_nl_mtu(struct rte_eth_dev *dev, const struct tpk_link_msg *lm)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	if (lm->mtu == 0 || lm->mtu == pmd->ni.mtu)
		return;
	TPK_LOG(INFO, "%s: MTU of %s changed from %u to %u", dev->data->name,
		pmd->ni.name, pmd->ni.mtu, lm->mtu);
	tpk_queues_set_mtu(dev, lm->mtu);
}

/* RTM_DELLINK: the datapath becomes a sink, the application is told. */
static void
tpk_nl_removed(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct rte_eth_link link;

	if (__atomic_exchange_n(&pmd->gone, 1, __ATOMIC_RELEASE))
		return;
	TPK_LOG(ERR, "%s: interface %s (ifindex %d) was removed",
		dev->data->name, pmd->ni.name, pmd->ni.ifindex);
	memset(&link, 0, sizeof(link));
	rte_eth_linkstatus_set(dev, &link);
	if (dev->data->dev_conf.intr_conf.lsc)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
	rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RMV, NULL);
}

/*
 * What the port had set on the interface, set again on its successor:
 * memberships (they went with the old ifindex), the MTU, an application
 * MAC address (else the new interface's is the port's).
 */
static int
tpk_reattach_restore(struct rte_eth_dev *dev, uint32_t mtu)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int ret;

	if (pmd->promisc && (ret = tpk_sock_membership(pmd->ctl_fd,
			pmd->ni.ifindex, PACKET_MR_PROMISC, true)) < 0)
		return ret;
	if (pmd->allmulti && (ret = tpk_sock_membership(pmd->ctl_fd,
			pmd->ni.ifindex, PACKET_MR_ALLMULTI, true)) < 0)
		return ret;
	if (mtu != pmd->ni.mtu) {
		ret = tpk_netif_set_mtu(pmd->ni.name, mtu);
		if (ret < 0)
			return ret;
		tpk_queues_set_mtu(dev, mtu);
	}
	if (pmd->mac_changed)
		return tpk_netif_set_mac(pmd->ni.name, pmd->mac.addr_bytes);
	memcpy(pmd->mac.addr_bytes, pmd->ni.mac, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&pmd->mac, dev->data->mac_addrs);
	return 0;
}

/*
 * An interface of our name appeared after ours was removed (reattach=1):
 * bind to it. Runs in the interrupt thread while the datapath is a sink
 * (gone: every burst returns at once without touching a socket or ring),
 * so the sockets can be replaced under it; clearing gone (release)
 * publishes the new ones to the polling lcores.
 */
static void
tpk_reattach(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint32_t mtu = pmd->ni.mtu;
	struct tpk_netif ni;
	int ret;

	ret = tpk_netif_get(pmd->da.iface, &ni);
	if (ret < 0)
		return;		/* gone again already: the next event tells */
	tpk_rx_intr_uninstall(dev);
	tpk_close_sockets(dev);
	pmd->ni = ni;
	ret = tpk_reattach_restore(dev, mtu);
	if (ret == 0 && dev->data->dev_started)
		ret = tpk_queues_start(dev);
	if (ret < 0) {
		TPK_LOG(ERR, "%s: re-attach to %s (ifindex %d): %s; the port stays down (rte_eth_dev_reset retries)",
			dev->data->name, ni.name, ni.ifindex, strerror(-ret));
		return;
	}
	pmd->reattaches++;
	__atomic_store_n(&pmd->gone, 0, __ATOMIC_RELEASE);
	TPK_LOG(NOTICE, "%s: interface %s is back (ifindex %d): re-attached",
		dev->data->name, ni.name, ni.ifindex);
	/*
	 * The application last heard "down" (at the removal); starting the
	 * queues may already have marked the link up, so tell it whatever
	 * the state is now rather than only on a change.
	 */
	tpk_link_update(dev, 0);
	if (dev->data->dev_conf.intr_conf.lsc)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

static void
tpk_nl_handle(struct rte_eth_dev *dev, const struct nlmsghdr *nh)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct rte_eth_link old, link;
	struct tpk_link_msg lm;

	if (tpk_netif_parse_link(nh, &lm) < 0)
		return;
	if (lm.type == RTM_NEWLINK && pmd->da.reattach &&
	    __atomic_load_n(&pmd->gone, __ATOMIC_ACQUIRE) &&
	    strcmp(lm.name, pmd->da.iface) == 0) {
		tpk_reattach(dev);
		return;
	}
	if (lm.ifindex != pmd->ni.ifindex)
		return;
	if (lm.type == RTM_DELLINK) {
		tpk_nl_removed(dev);
		return;
	}
	tpk_nl_mtu(dev, &lm);
	rte_eth_linkstatus_get(dev, &old);
	pmd->ni.flags = lm.flags;
	link = old;
	link.link_status = (lm.flags & IFF_UP) && (lm.flags & IFF_RUNNING) &&
		dev->data->dev_started ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
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
