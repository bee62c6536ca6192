/* SPDX-License-Identifier: BSD-3-Clause */
#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <net/if_arp.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/netlink.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <linux/net_tstamp.h>

#include "tpk_netif.h"

/* Attribute numbers newer than Debian 12's 6.1 UAPI headers. */
#define TPK_IFLA_GSO_IPV4_MAX_SIZE 63	/* v6.3 */
#define TPK_IFLA_GRO_IPV4_MAX_SIZE 64	/* v6.3 */

static int
ctl_sock(void)
{
	return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

static int
ifreq_ioctl(const char *name, unsigned long req, struct ifreq *ifr)
{
	int fd = ctl_sock(), ret;

	if (fd < 0)
		return -errno;
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	ret = ioctl(fd, req, ifr) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

int
tpk_netif_parse_link(const struct nlmsghdr *nh, struct tpk_link_msg *lm)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	const struct rtattr *rta;
	int alen;

	if ((nh->nlmsg_type != RTM_NEWLINK && nh->nlmsg_type != RTM_DELLINK) ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EINVAL;
	memset(lm, 0, sizeof(*lm));
	lm->type = nh->nlmsg_type;
	lm->hw_type = ifi->ifi_type;
	lm->ifindex = ifi->ifi_index;
	lm->flags = ifi->ifi_flags;
	lm->carrier = -1;
	alen = IFLA_PAYLOAD(nh);
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
		uint32_t v = 0;
		size_t n = RTA_PAYLOAD(rta);

		if (n >= 4)
			memcpy(&v, RTA_DATA(rta), 4);
		switch (rta->rta_type) {
		case IFLA_IFNAME:
			if (n > 0 && n <= IF_NAMESIZE &&
			    memchr(RTA_DATA(rta), 0, n) != NULL)
				memcpy(lm->name, RTA_DATA(rta), n);
			break;
		case IFLA_MTU:
			lm->mtu = v;
			break;
		case IFLA_MIN_MTU:
			lm->min_mtu = v;
			break;
		case IFLA_MAX_MTU:
			lm->max_mtu = v;
			break;
		case IFLA_CARRIER:
			if (n >= 1)
				lm->carrier = *(const uint8_t *)RTA_DATA(rta);
			break;
		case IFLA_GSO_MAX_SIZE:
		case IFLA_GRO_MAX_SIZE:
		case TPK_IFLA_GSO_IPV4_MAX_SIZE:
		case TPK_IFLA_GRO_IPV4_MAX_SIZE:
			if (v > lm->gso_max_size)
				lm->gso_max_size = v;
			break;
		}
	}
	return 0;
}

/* One RTM_GETLINK round trip; fills the attributes ioctl cannot give. */
static int
rtnl_getlink(struct tpk_netif *ni)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req;
	char buf[16384];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, len;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = ni->ifindex;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		len = -errno;
		close(fd);
		return len;
	}
	len = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (len < 0)
		return -errno;

	for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned)len);
	     nh = NLMSG_NEXT(nh, len)) {
		struct tpk_link_msg lm;

		if (nh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(nh);

			return e->error ? e->error : -EIO;
		}
		if (nh->nlmsg_type != RTM_NEWLINK ||
		    tpk_netif_parse_link(nh, &lm) < 0)
			continue;
		ni->hw_type = lm.hw_type;
		/*
		 * 0 is "no limit" (lo, some virtual devices): the largest
		 * IP datagram, which is also what an ethdev MTU can hold.
		 */
		ni->min_mtu = lm.min_mtu ? lm.min_mtu : 68;
		ni->max_mtu = lm.max_mtu && lm.max_mtu < TPK_NETIF_MTU_MAX ?
			lm.max_mtu : TPK_NETIF_MTU_MAX;
		if (lm.carrier >= 0)
			ni->carrier = (uint8_t)lm.carrier;
		ni->gso_max_size = lm.gso_max_size;
		return 0;
	}
	return -ENODEV;
}

static void
ethtool_link(struct tpk_netif *ni)
{
	struct ethtool_cmd ecmd = { .cmd = ETHTOOL_GSET };
	struct ifreq ifr;
	uint32_t speed;

	ni->speed_mbps = 0;
	ni->full_duplex = 1;
	ni->autoneg = 0;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_data = (void *)&ecmd;
	if (ifreq_ioctl(ni->name, SIOCETHTOOL, &ifr) < 0)
		return;
	speed = ethtool_cmd_speed(&ecmd);
	if (speed != (uint32_t)SPEED_UNKNOWN && speed != 0xffff)
		ni->speed_mbps = speed;
	ni->full_duplex = ecmd.duplex == DUPLEX_FULL || ecmd.duplex == 0xff;
	ni->autoneg = ecmd.autoneg == AUTONEG_ENABLE;
}

int
tpk_netif_refresh(struct tpk_netif *ni)
{
	struct ifreq ifr;
	int ret;

	memset(&ifr, 0, sizeof(ifr));
	ret = ifreq_ioctl(ni->name, SIOCGIFINDEX, &ifr);
	if (ret < 0)
		return ret;
	if (ifr.ifr_ifindex != ni->ifindex)
		return -ENODEV;	/* the name now belongs to another device */
	ret = ifreq_ioctl(ni->name, SIOCGIFFLAGS, &ifr);
	if (ret < 0)
		return ret;
	ni->flags = (uint16_t)ifr.ifr_flags;
	ret = ifreq_ioctl(ni->name, SIOCGIFMTU, &ifr);
	if (ret < 0)
		return ret;
	ni->mtu = ifr.ifr_mtu;
	ni->carrier = !!(ni->flags & IFF_RUNNING);
	ethtool_link(ni);
	return 0;
}

int
tpk_netif_get(const char *name, struct tpk_netif *ni)
{
	struct ifreq ifr;
	int ret;

	memset(ni, 0, sizeof(*ni));
	if (strlen(name) >= sizeof(ni->name))
		return -EINVAL;
	strcpy(ni->name, name);
	memset(&ifr, 0, sizeof(ifr));
	ret = ifreq_ioctl(name, SIOCGIFINDEX, &ifr);
	if (ret < 0)
		return ret;
	ni->ifindex = ifr.ifr_ifindex;
	ret = ifreq_ioctl(name, SIOCGIFHWADDR, &ifr);
	if (ret < 0)
		return ret;
	memcpy(ni->mac, ifr.ifr_hwaddr.sa_data, 6);
	ret = tpk_netif_refresh(ni);
	if (ret < 0)
		return ret;
	ni->min_mtu = 68;
	ni->max_mtu = ni->mtu < TPK_NETIF_MTU_MAX ? ni->mtu : TPK_NETIF_MTU_MAX;
	ni->gso_max_size = 65536;
	(void)rtnl_getlink(ni);	/* best effort: keeps the defaults above */
	if (ni->gso_max_size < 65536)
		ni->gso_max_size = 65536;
	return 0;
}

bool
tpk_netif_hw_rx_timestamp(const char *name)
{
	struct ethtool_ts_info ti = { .cmd = ETHTOOL_GET_TS_INFO };
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_data = (void *)&ti;
	if (ifreq_ioctl(name, SIOCETHTOOL, &ifr) < 0)
		return false;
	return (ti.so_timestamping & SOF_TIMESTAMPING_RAW_HARDWARE) &&
		(ti.rx_filters & (1u << HWTSTAMP_FILTER_ALL));
}

int
tpk_netif_set_up(const char *name, bool up)
{
	struct ifreq ifr;
	int ret;

	memset(&ifr, 0, sizeof(ifr));
	ret = ifreq_ioctl(name, SIOCGIFFLAGS, &ifr);
	if (ret < 0)
		return ret;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	return ifreq_ioctl(name, SIOCSIFFLAGS, &ifr);
}

int
tpk_netif_set_mtu(const char *name, uint32_t mtu)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_mtu = (int)mtu;
	return ifreq_ioctl(name, SIOCSIFMTU, &ifr);
}

int
tpk_netif_set_mac(const char *name, const uint8_t mac[6])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	return ifreq_ioctl(name, SIOCSIFHWADDR, &ifr);
}

uint32_t
tpk_kernel_version(void)
{
	struct utsname u;
	unsigned int a = 0, b = 0, c = 0;

	if (uname(&u) < 0)
		return 0;
	sscanf(u.release, "%u.%u.%u", &a, &b, &c);
	return TPK_KVER(a, b, c > 255 ? 255 : c);
}
