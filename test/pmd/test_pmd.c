/* SPDX-License-Identifier: BSD-3-Clause
 * In-process PMD tests over real veth pairs. The process runs in its own
 * network namespace; each case makes its own peer namespace and veth pair
 * and removes them. Output: one "PASS: name" / "FAIL: name" line a case.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "tpk_pmd_test.h"
#include "test_cases.h"

static const struct test_case cases[] = {
	{ "rx_byte_exact", test_rx_byte_exact },
	{ "tx_byte_exact", test_tx_byte_exact },
	{ "fanout_4q_flows", test_fanout_4q },
	{ "stats_match", test_stats },
	{ "xstats_provoked", test_xstats },
	{ "restart_no_leak", test_restart_leak },
	{ "dev_info_honest", test_dev_info },
	{ "rx_scatter_oversize", test_rx_scatter },
	{ "rx_truncated_dropped", test_rx_truncated },
	{ "rx_vlan", test_rx_vlan },
	{ "rx_nombuf_recovers", test_rx_nombuf },
	{ "promisc_membership", test_promisc },
	{ "bad_devargs", test_bad_devargs },
	{ "tx_tso_ipv4", test_tx_tso_v4 },
	{ "tx_tso_ipv6", test_tx_tso_v6 },
	{ "tx_uso", test_tx_uso },
	{ "tx_csum_only", test_tx_csum },
	{ "tx_coalesce_segments", test_tx_coalesce },
	{ "tx_bypass_gso_not_stuck", test_tx_bypass_gso },
	{ "tx_prepare_rejects", test_tx_prepare },
	{ "rx_kernel_tcp_plain", test_rx_tcp_plain },
	{ "rx_kernel_tcp_cksum", test_rx_tcp_cksum },
	{ "rx_kernel_tcp_lro", test_rx_tcp_lro },
	{ "rx_udp_gso_segmented", test_rx_udp_gso },
	{ "tx_ring_mode", test_tx_ring_mode },
	{ "lsc_events", test_lsc },
	{ "rmv_under_traffic", test_rmv },
	{ "rx_interrupt_sleep_wake", test_rx_intr },
	{ "queue_control", test_queue_control },
	{ "link_flap_under_traffic", test_link_flap },
	{ "mtu_change_under_traffic", test_mtu_change },
	{ "tx_socket_full", test_tx_full },
	{ "two_ports_one_iface", test_two_ports_one_iface },
	{ "hotplug_100_cycles", test_hotplug_cycles },
	{ "no_cap_net_raw", test_no_cap_net_raw },
	{ "adopted_fd_checks", test_adopt_check },
	{ "rss_hash_per_flow", test_rss_hash },
	{ "rx_timestamp", test_rx_timestamp },
	{ "rss_reta_ebpf", test_reta },
	{ "tx_padded_csum", test_tx_padded_csum },
	{ "tx_mtu_mid_burst", test_tx_mtu_mid_burst },
	{ "tx_coalesce_mtu", test_tx_coalesce_mtu },
	{ "rx_gso_mtu", test_rx_gso_mtu },
	{ "rx_fragments_2q", test_rx_fragments },
};

/* Remove every namespace this process made, also when interrupted. */
static void
cleanup_netns(void)
{
	static int done;

	if (done++)
		return;
	ns_leave();
	sh("for n in $(ip netns list | awk '{print $1}' | grep -E '^tpkp-%d-|^%s$'); do ip netns del $n; done",
	   getpid(), test_ns);
	sh("rm -rf /var/run/dpdk/tpkpmd%d", getpid());
}

static void
on_signal(int sig)
{
	(void)sig;
	exit(2);
}

static void
usage(void)
{
	unsigned int i;

	printf("usage: test_pmd [--list] [--devargs K=V[,K=V]] [case...]\n");
	for (i = 0; i < RTE_DIM(cases); i++)
		printf("  %s\n", cases[i].name);
}

int
main(int argc, char **argv)
{
	char prefix[64], nspath[128];
	char *eal[] = { argv[0], "--no-pci", "--no-huge", "-m", "768",
		"--file-prefix", prefix, "-l", "0", "--log-level",
		"pmd.net.tpacket:info", NULL };
	int failed = 0, ran = 0, fd, nb_names = 0;
	const char *names[RTE_DIM(cases)];
	char suffix[80] = "";
	unsigned int i;
	int j;

	for (j = 1; j < argc; j++) {
		if (strcmp(argv[j], "--list") == 0 || strcmp(argv[j], "-h") == 0 ||
		    strcmp(argv[j], "--help") == 0) {
			usage();
			return 0;
		} else if (strcmp(argv[j], "--devargs") == 0 && j + 1 < argc) {
			/* Every port gets these too; case names say so. */
			test_devargs = argv[++j];
			snprintf(suffix, sizeof(suffix), "@%s", test_devargs);
		} else if (nb_names < (int)RTE_DIM(cases)) {
			names[nb_names++] = argv[j];
		}
	}
	if (geteuid() != 0) {
		printf("SKIP: test_pmd: needs root\n");
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* This process gets a namespace of its own: nothing leaks out. */
	snprintf(test_ns, sizeof(test_ns), "tpkpmd-%d", getpid());
	if (sh("ip netns add %s", test_ns))
		return 1;
	snprintf(nspath, sizeof(nspath), "/run/netns/%s", test_ns);
	fd = open(nspath, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		printf("FAIL: setns %s: %s\n", test_ns, strerror(errno));
		sh("ip netns del %s", test_ns);
		return 1;
	}
	close(fd);
	atexit(cleanup_netns);
	/* Also when the output goes to a pipe that closes (| head). */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, on_signal);
	sh("sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1");

	snprintf(prefix, sizeof(prefix), "tpkpmd%d", getpid());
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0) {
		printf("FAIL: rte_eal_init\n");
		sh("ip netns del %s", test_ns);
		return 1;
	}
	test_mp = rte_pktmbuf_pool_create("test_mp", 8191, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  rte_socket_id());
	if (test_mp == NULL) {
		printf("FAIL: mempool\n");
		goto out;
	}

	for (i = 0; i < RTE_DIM(cases); i++) {
		bool want = nb_names == 0;
		unsigned int avail;

		for (j = 0; j < nb_names; j++)
			if (strcmp(names[j], cases[i].name) == 0)
				want = true;
		if (!want)
			continue;
		avail = rte_mempool_avail_count(test_mp);
		test_failed = 0;
		printf("-- %s\n", cases[i].name);
		int rc = cases[i].fn();
		/* Every case must give back every mbuf it took. */
		if (rc == 0 && !test_failed &&
		    rte_mempool_avail_count(test_mp) != avail) {
			printf("  mbuf leak: %u before, %u after\n", avail,
			       rte_mempool_avail_count(test_mp));
			test_failed = 1;
		}
		if (rc == TEST_SKIP)
			printf("SKIP: %s%s\n", cases[i].name, suffix);
		else if (rc != 0 || test_failed)
			printf("FAIL: %s%s\n", cases[i].name, suffix), failed++;
		else
			printf("PASS: %s%s\n", cases[i].name, suffix);
		ran++;
	}
out:
	rte_eal_cleanup();
	cleanup_netns();
	return failed || ran == 0 ? 1 : 0;
}
