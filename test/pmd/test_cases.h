/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TEST_CASES_H
#define TEST_CASES_H

#define TEST_SKIP 77

struct test_case {
	const char *name;
	int (*fn)(void);
};

int test_rx_byte_exact(void);
int test_tx_byte_exact(void);
int test_fanout_4q(void);
int test_stats(void);
int test_xstats(void);
int test_restart_leak(void);
int test_dev_info(void);
int test_rx_scatter(void);
int test_rx_truncated(void);
int test_rx_vlan(void);
int test_rx_nombuf(void);
int test_promisc(void);
int test_bad_devargs(void);
int test_tx_tso_v4(void);
int test_tx_tso_v6(void);
int test_tx_uso(void);
int test_tx_csum(void);
int test_tx_coalesce(void);
int test_tx_bypass_gso(void);
int test_tx_prepare(void);
int test_rx_tcp_plain(void);
int test_rx_tcp_cksum(void);
int test_rx_tcp_lro(void);
int test_rx_udp_gso(void);
int test_tx_ring_mode(void);
int test_lsc(void);
int test_rmv(void);
int test_rx_intr(void);
int test_queue_control(void);
int test_link_flap(void);
int test_mtu_change(void);
int test_tx_full(void);
int test_two_ports_one_iface(void);
int test_hotplug_cycles(void);
int test_no_cap_net_raw(void);
int test_adopt_check(void);
int test_rss_hash(void);
int test_rx_timestamp(void);
int test_reta(void);
int test_tx_padded_csum(void);
int test_tx_mtu_mid_burst(void);
int test_tx_coalesce_mtu(void);
int test_rx_gso_mtu(void);
int test_rx_fragments(void);

#endif
