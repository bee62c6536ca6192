/* SPDX-License-Identifier: BSD-3-Clause
 * Public API of the net_tpacket PMD.
 */
#ifndef RTE_PMD_TPACKET_H
#define RTE_PMD_TPACKET_H

#include <stdint.h>
#include <net/if.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a net_tpacket port is attached to and how. */
struct rte_pmd_tpacket_info {
	char iface[IF_NAMESIZE];	/**< kernel interface name */
	int ifindex;			/**< its index in the port's netns */
	int fanout_id;			/**< PACKET_FANOUT group, -1 if none */
	uint32_t block_size;		/**< RX ring block size, bytes */
	uint32_t nb_blocks;		/**< RX ring blocks per queue */
	uint32_t tov_ms;		/**< block retire timeout */
	uint8_t vnet_hdr;		/**< virtio-net headers in use */
	uint8_t tx_ring;		/**< TX through the mmap ring */
};

/**
 * Describe a net_tpacket port.
 *
 * @return 0, -EINVAL for a bad port or NULL info, -ENOTSUP when the port
 *   is not driven by net_tpacket.
 */
int rte_pmd_tpacket_get_info(uint16_t port_id,
			     struct rte_pmd_tpacket_info *info);

#ifdef __cplusplus
}
#endif

#endif /* RTE_PMD_TPACKET_H */
