/* SPDX-License-Identifier: BSD-3-Clause
 * A secondary process that uses a net_tpacket port of a running primary:
 *   test_mp_secondary <EAL args> -- <port name> rx <n> | tx <n> | flow 0
 * rx: receive n frames of ethertype 0x88b5 on queue 0 and check that they
 * carry sequence numbers 0..n-1 in order; tx: send n such frames (seq
 * 1000..) on queue 0; flow: rte_flow is the primary's (its rules live in
 * eBPF maps behind the primary's descriptors), so validating and creating
 * a rule here must fail: ENOSYS, the secondary's port has no flow ops.
 * Prints PASS/FAIL lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_mbuf.h>

#include "rte_pmd_tpacket.h"

static uint64_t
ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

int
main(int argc, char **argv)
{
	struct rte_mempool *mp;
	struct rte_eth_stats st;
	uint16_t port;
	int used, n, i, ok = 1;
	const char *mode;

	used = rte_eal_init(argc, argv);
	if (used < 0 || rte_eal_process_type() != RTE_PROC_SECONDARY) {
		printf("FAIL: secondary: EAL init\n");
		return 1;
	}
	argc -= used;
	argv += used;
	if (argc < 4) {
		printf("FAIL: secondary: usage\n");
		return 1;
	}
	if (rte_eth_dev_get_port_by_name(argv[1], &port) != 0) {
		printf("FAIL: secondary: no port %s\n", argv[1]);
		return 1;
	}
	{
		struct rte_pmd_tpacket_info ti;

		if (rte_pmd_tpacket_get_info(port, &ti) == 0)
			printf("secondary: port %s on %s, ring %ux%u\n", argv[1],
			       ti.iface, ti.nb_blocks, ti.block_size);
	}
	mode = argv[2];
	n = atoi(argv[3]);
	mp = rte_pktmbuf_pool_create("sec_mp", 1023, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (mp == NULL) {
		printf("FAIL: secondary: mempool\n");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	if (strcmp(mode, "flow") == 0) {
		const struct rte_flow_attr attr = { .ingress = 1 };
		const struct rte_flow_item pattern[] = {
			{ .type = RTE_FLOW_ITEM_TYPE_ETH },
			{ .type = RTE_FLOW_ITEM_TYPE_END },
		};
		const struct rte_flow_action actions[] = {
			{ .type = RTE_FLOW_ACTION_TYPE_DROP },
			{ .type = RTE_FLOW_ACTION_TYPE_END },
		};
		struct rte_flow_error err;
		struct rte_flow *f;
		int rv;

		rv = rte_flow_validate(port, &attr, pattern, actions, &err);
		f = rte_flow_create(port, &attr, pattern, actions, &err);
		ok = rv == -ENOSYS && f == NULL && rte_errno == ENOSYS;
		printf("%s: secondary_flow (validate %d, create %s, errno %d)\n",
		       ok ? "PASS" : "FAIL", rv, f == NULL ? "refused" : "accepted",
		       rte_errno);
		if (f != NULL)
			rte_flow_destroy(port, f, &err);
	} else if (strcmp(mode, "rx") == 0) {
		uint64_t end = ms() + 5000;
		int got = 0;

		while (got < n && ms() < end) {
			struct rte_mbuf *b[32];
			uint16_t k = rte_eth_rx_burst(port, 0, b, 32);

			for (i = 0; i < k; i++) {
				const uint8_t *d = rte_pktmbuf_mtod(b[i], const uint8_t *);
				uint32_t seq;

				if (d[12] == 0x88 && d[13] == 0xb5) {
					memcpy(&seq, d + 14, 4);
					if (seq != (uint32_t)got)
						ok = 0;
					got++;
				}
			}
			rte_pktmbuf_free_bulk(b, k);
		}
		printf("%s: secondary_rx (%d of %d frames, in order: %s)\n",
		       got == n && ok ? "PASS" : "FAIL", got, n, ok ? "yes" : "no");
		ok = ok && got == n;
	} else {
		int sent = 0;
		uint64_t end = ms() + 5000;

		while (sent < n && ms() < end) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
			uint8_t *d;
			uint32_t seq = 1000 + sent;

			if (m == NULL)
				break;
			d = (uint8_t *)rte_pktmbuf_append(m, 100);
			if (d == NULL) {
				rte_pktmbuf_free(m);
				break;
			}
			memset(d, 0xff, 6);
			memset(d + 6, 0x02, 6);
			d[12] = 0x88;
			d[13] = 0xb5;
			memcpy(d + 14, &seq, 4);
			memset(d + 18, 0x5a, 82);
			if (rte_eth_tx_burst(port, 0, &m, 1) == 1)
				sent++;
			else
				rte_pktmbuf_free(m);
		}
		printf("%s: secondary_tx (%d of %d frames taken)\n",
		       sent == n ? "PASS" : "FAIL", sent, n);
		ok = sent == n;
	}
	if (rte_eth_stats_get(port, &st) == 0)
		printf("secondary sees stats: ipackets %lu opackets %lu\n",
		       st.ipackets, st.opackets);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ok ? 0 : 1;
}
