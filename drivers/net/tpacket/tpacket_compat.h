/* SPDX-License-Identifier: BSD-3-Clause
 * The differences between the DPDK LTS releases net_tpacket builds
 * against (22.11, 23.11, 24.11, 25.11), in one place. The driver is
 * written to the newest interface; older releases get a thin adapter.
 */
#ifndef TPACKET_COMPAT_H
#define TPACKET_COMPAT_H

#include <stddef.h>
#include <rte_version.h>
#include <ethdev_driver.h>

/*
 * 24.03: dev_supported_ptypes_get returns the array length through
 * no_of_elements; before, ethdev read up to a RTE_PTYPE_UNKNOWN
 * terminator. The driver's arrays keep the terminator and report the
 * length without it, which is correct for both.
 */
#if RTE_VERSION >= RTE_VERSION_NUM(24, 3, 0, 0)
#define TPK_PTYPES_GET_DEFINE(name, impl) \
	static const uint32_t * \
	name(struct rte_eth_dev *dev, size_t *no_of_elements) \
	{ \
		return impl(dev, no_of_elements); \
	}
#else
#define TPK_PTYPES_GET_DEFINE(name, impl) \
	static const uint32_t * \
	name(struct rte_eth_dev *dev) \
	{ \
		size_t n; \
		return impl(dev, &n); \
	}
#endif

/*
 * 25.11: the per-queue counters left struct rte_eth_stats for a separate
 * struct eth_queue_stats that ethdev passes to stats_get (NULL when the
 * caller wants only the totals) and reads back through xstats. Before,
 * they were fields of rte_eth_stats itself.
 */
#if RTE_VERSION >= RTE_VERSION_NUM(25, 11, 0, 0)
#define TPK_QSTATS_PARAM , struct eth_queue_stats *qstats
#define TPK_QSTATS(s) (qstats)
#else
struct eth_queue_stats;
#define TPK_QSTATS_PARAM
#define TPK_QSTATS(s) (s)
#endif

#endif /* TPACKET_COMPAT_H */
