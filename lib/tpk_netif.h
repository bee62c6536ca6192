/* SPDX-License-Identifier: BSD-3-Clause
 * Kernel network interface queries and changes (ioctl, rtnetlink,
 * ethtool). DPDK-free.
 */
#ifndef TPK_NETIF_H
#define TPK_NETIF_H

#include <stdint.h>
#include <stdbool.h>
#include <net/if.h>

/* Largest MTU reported: an IP datagram's limit, and ethdev's (uint16_t). */
#define TPK_NETIF_MTU_MAX 65535u

struct tpk_netif {
	char name[IF_NAMESIZE];
	int ifindex;
	uint32_t flags;		/* IFF_* */
	uint32_t mtu, min_mtu, max_mtu;
	uint32_t gso_max_size;	/* largest GSO/GRO frame the device makes */
	uint8_t mac[6];
	uint16_t hw_type;	/* ARPHRD_* */
	/* Link, from ethtool; speed 0 when the device does not say. */
	uint32_t speed_mbps;
	uint8_t full_duplex;
	uint8_t autoneg;
	uint8_t carrier;
};

/* What one rtnetlink link message (RTM_NEWLINK, RTM_DELLINK) says. */
struct tpk_link_msg {
	uint16_t type;		/* RTM_NEWLINK or RTM_DELLINK */
	uint16_t hw_type;	/* ARPHRD_* */
	int ifindex;
	uint32_t flags;		/* IFF_* */
	/* 0 (carrier -1) when the message does not carry the attribute. */
	uint32_t mtu, min_mtu, max_mtu;
	uint32_t gso_max_size;	/* largest of the GSO/GRO size limits */
	int carrier;
	char name[IF_NAMESIZE];	/* "" when absent */
};

struct nlmsghdr;
/*
 * Parse one link message (nh and its nlmsg_len bytes, already checked by
 * NLMSG_OK). -EINVAL: not a complete link message; the one parser of
 * link attributes for queries and for events.
 */
int tpk_netif_parse_link(const struct nlmsghdr *nh, struct tpk_link_msg *lm);

/* Fill ni for the interface called name (in the caller's netns). */
int tpk_netif_get(const char *name, struct tpk_netif *ni);
/* Refresh flags, carrier, MTU and link speed of ni. */
int tpk_netif_refresh(struct tpk_netif *ni);

/* Does the device stamp received frames in hardware (ETHTOOL_GET_TS_INFO)? */
bool tpk_netif_hw_rx_timestamp(const char *name);

int tpk_netif_set_up(const char *name, bool up);
int tpk_netif_set_mtu(const char *name, uint32_t mtu);
int tpk_netif_set_mac(const char *name, const uint8_t mac[6]);

/* Running kernel version as (major << 16 | minor << 8 | min(patch,255)). */
uint32_t tpk_kernel_version(void);
#define TPK_KVER(a, b, c) ((uint32_t)(a) << 16 | (b) << 8 | (c))

#endif /* TPK_NETIF_H */
