/* SPDX-License-Identifier: BSD-3-Clause
 * Link events, interface removal, RX interrupts, queue control.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_epoll.h>
#include <rte_interrupts.h>
#include <rte_power_intrinsics.h>

#include "tpk_pmd_test.h"
#include "test_cases.h"

struct ev_log {
	volatile int n;
	int type[16];
	int status[16];
};

static int
ev_cb(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	struct ev_log *l = arg;
	struct rte_eth_link link;

	(void)ret;
	if (rte_eth_link_get_nowait(port, &link) != 0)
		link.link_status = RTE_ETH_LINK_DOWN;
	if (l->n < 16) {
		l->type[l->n] = type;
		l->status[l->n] = link.link_status;
	}
	__atomic_add_fetch(&l->n, 1, __ATOMIC_RELEASE);
	return 0;
}

static int
ev_wait(struct ev_log *l, int n, int ms)
{
	uint64_t end = now_ms() + ms;

	while (__atomic_load_n(&l->n, __ATOMIC_ACQUIRE) < n && now_ms() < end)
		usleep(5000);
	return l->n >= n ? 0 : -1;
}

int
test_lsc(void)
{
	struct peer p;
	struct port_cfg cfg = { .lsc = true };
	struct ev_log l = { 0 };
	int port = -1, i;

	port = peer_port_open(&p, "lsc", 1500, 0, &cfg);
	REQUIRE(port >= 0, out);
	REQUIRE(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC, ev_cb, &l) == 0,
		out, "register");
	for (i = 0; i < 3; i++) {
		int base = l.n;

		REQUIRE(sh("ip -n %s link set %s down", p.ns, p.remote) == 0, out, "peer down");
		REQUIRE(ev_wait(&l, base + 1, 2000) == 0, out, "no LSC event for peer down (%d)", i);
		REQUIRE(l.type[base] == RTE_ETH_EVENT_INTR_LSC &&
			l.status[base] == RTE_ETH_LINK_DOWN, out, "event %d: status %d", i, l.status[base]);
		REQUIRE(sh("ip -n %s link set %s up", p.ns, p.remote) == 0, out, "peer up");
		REQUIRE(ev_wait(&l, base + 2, 2000) == 0, out, "no LSC event for peer up (%d)", i);
		REQUIRE(l.status[base + 1] == RTE_ETH_LINK_UP, out, "event: status %d", l.status[base + 1]);
	}
	/* dev_set_link_down/up act on the kernel interface. */
	{
		int base = l.n;

		REQUIRE(rte_eth_dev_set_link_down(port) == 0, out, "set link down");
		REQUIRE(ev_wait(&l, base + 1, 2000) == 0 && l.status[base] == RTE_ETH_LINK_DOWN, out,
			"set_link_down event");
		REQUIRE(sh("ip link show %s | grep -q 'state DOWN'", p.local) == 0, out, "kernel down");
		REQUIRE(rte_eth_dev_set_link_up(port) == 0, out, "set link up");
		REQUIRE(ev_wait(&l, base + 2, 2000) == 0 && l.status[base + 1] == RTE_ETH_LINK_UP, out,
			"set_link_up event");
	}
	printf("  %d LSC events, each with the right status\n", l.n);
	rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_LSC, ev_cb, &l);
out:
	peer_port_close(&p, port);
	return 0;
}

int
test_rmv(void)
{
	struct peer p;
	struct port_cfg cfg = { .nb_rxq = 2, .nb_txq = 2, .rmv = true,
		.devargs_extra = "queues=2" };
	struct ev_log l = { 0 };
	struct rte_mbuf *b[32];
	uint8_t f[256];
	unsigned int avail;
	int port = -1, i, k;

	port = peer_port_open(&p, "rmv", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	REQUIRE(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_RMV, ev_cb, &l) == 0,
		out, "register");
	avail = rte_mempool_avail_count(test_mp);
	/* Traffic both ways, then the interface disappears under it. */
	for (i = 0; i < 400; i++) {
		if (i < 100)
			peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, i, 200));
		if (i == 150)
			sh("ip link del %s", p.local);
		for (uint16_t q = 0; q < 2; q++) {
			k = rte_eth_rx_burst(port, q, b, 32);
			rte_pktmbuf_free_bulk(b, k);
		}
		for (k = 0; k < 8; k++)
			b[k] = mbuf_from(f, frame_make(f, p.remote_mac, p.local_mac, i, 100));
		k = rte_eth_tx_burst(port, i & 1, b, 8);
		rte_pktmbuf_free_bulk(b + k, 8 - k);
		if (l.n)
			break;
		usleep(2000);
	}
	REQUIRE(ev_wait(&l, 1, 2000) == 0 && l.type[0] == RTE_ETH_EVENT_INTR_RMV, out, "no RMV event");
	/* After removal: RX gives nothing, TX takes and frees everything. */
	for (k = 0; k < 8; k++)
		b[k] = mbuf_from(f, 100);
	REQUIRE(rte_eth_tx_burst(port, 0, b, 8) == 8, out, "tx after removal");
	REQUIRE(rte_eth_rx_burst(port, 0, b, 32) == 0, out, "rx after removal");
	REQUIRE(rte_mempool_avail_count(test_mp) == avail, out, "mbufs lost: %u -> %u",
		avail, rte_mempool_avail_count(test_mp));
	REQUIRE(rte_eth_dev_start(port) != 0 || 1, out, "start");	/* started: no-op */
	REQUIRE(rte_eth_dev_stop(port) == 0, out, "stop after removal");
	REQUIRE(rte_eth_dev_start(port) < 0, out, "start of a removed interface must fail");
	rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_RMV, ev_cb, &l);
	printf("  RMV after %d polling rounds; port stopped and closed cleanly\n", i);
out:
	peer_port_close(&p, port);
	return 0;
}

static uint64_t
thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct delayed { struct peer *p; int ms; };

static void *
send_later(void *arg)
{
	struct delayed *d = arg;
	uint8_t f[128];

	usleep(d->ms * 1000);
	peer_send(d->p, f, frame_make(f, d->p->local_mac, d->p->remote_mac, 42, 100));
	return NULL;
}

int
test_rx_intr(void)
{
	struct peer p;
	struct port_cfg cfg = { .rxq_intr = true,
		.devargs_extra = "tov=2" };
	struct rte_epoll_event ev;
	struct delayed d = { .ms = 600 };
	struct rte_mbuf *got[1];
	pthread_t th;
	uint64_t cpu0, cpu1, t0, t1;
	int port = -1, n;

	d.p = &p;
	port = peer_port_open(&p, "intr", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	REQUIRE(rte_eth_dev_rx_intr_ctl_q(port, 0, RTE_EPOLL_PER_THREAD,
					RTE_INTR_EVENT_ADD, NULL) == 0, out, "intr_ctl_q");
	REQUIRE(rte_eth_dev_rx_intr_enable(port, 0) == 0, out, "intr enable");
	/* Idle: the wait must time out, using no CPU. */
	cpu0 = thread_cpu_us();
	t0 = now_ms();
	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, &ev, 1, 300);
	t1 = now_ms();
	cpu1 = thread_cpu_us();
	REQUIRE(n == 0 && t1 - t0 >= 290, out, "idle wait returned %d after %lu ms", n, t1 - t0);
	REQUIRE(cpu1 - cpu0 < 5000, out, "idle wait used %lu us of CPU", cpu1 - cpu0);
	/* The first packet wakes it. */
	pthread_create(&th, NULL, send_later, &d);
	cpu0 = thread_cpu_us();
	t0 = now_ms();
	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, &ev, 1, 3000);
	t1 = now_ms();
	cpu1 = thread_cpu_us();
	pthread_join(th, NULL);
	REQUIRE(n == 1, out, "no wake-up on the first packet");
	REQUIRE(t1 - t0 >= 500 && t1 - t0 < 700, out, "woke after %lu ms (sent at 600)", t1 - t0);
	REQUIRE(cpu1 - cpu0 < 5000, out, "sleeping used %lu us of CPU", cpu1 - cpu0);
	rte_eth_dev_rx_intr_disable(port, 0);
	n = port_rx_collect(port, got, 1, TEST_ETHERTYPE, 500, NULL);
	REQUIRE(n == 1, out, "frame not there after the wake-up");
	rte_pktmbuf_free(got[0]);
	printf("  idle: %lu us CPU in 300 ms; woke %lu ms after sleeping, packet sent at 600 ms\n",
	       cpu1 - cpu0, t1 - t0);
	rte_eth_dev_rx_intr_ctl_q(port, 0, RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_DEL, NULL);
out:
	peer_port_close(&p, port);
	return 0;
}

int
test_queue_control(void)
{
	struct peer p;
	struct port_cfg cfg = { .nb_rxq = 2, .nb_txq = 2, .rx_deferred = true,
		.devargs_extra = "queues=2" };
	struct rte_eth_rxq_info ri;
	struct rte_eth_burst_mode bm;
	struct rte_power_monitor_cond pmc;
	struct rte_mbuf *got[64];
	uint16_t q[64];
	uint8_t f[256];
	int port = -1, n = 0, i;

	port = peer_port_open(&p, "qc", 1500, PEER_RAW, &cfg);
	REQUIRE(port >= 0, out);
	REQUIRE(rte_eth_rx_queue_info_get(port, 1, &ri) == 0 &&
		ri.queue_state == RTE_ETH_QUEUE_STATE_STOPPED &&
		ri.conf.rx_deferred_start, out, "deferred queue 1 state %u", ri.queue_state);
	REQUIRE(rte_eth_rx_queue_info_get(port, 0, &ri) == 0 &&
		ri.queue_state == RTE_ETH_QUEUE_STATE_STARTED && ri.mp == test_mp, out,
		"queue 0 info");
	REQUIRE(rte_eth_rx_burst_mode_get(port, 0, &bm) == 0 &&
		strstr(bm.info, "TPACKET_V") != NULL, out, "burst mode '%s'", bm.info);
	/* Frames mode reports the started queue's own slots: whole odd
	 * numbers of cache lines that hold a 1500-byte frame. */
	if (strncmp(bm.info, "TPACKET_V2 frames, ", 19) == 0) {
		unsigned int slot = 0;

		REQUIRE(sscanf(bm.info + 19, "%u B slots", &slot) == 1 &&
			slot % 64 == 0 && (slot / 64) % 2 == 1 && slot >= 1514 + 128,
			out, "slot size in '%s'", bm.info);
	}
	/* Monitor: nothing yet, so the power callback lets the core sleep. */
	REQUIRE(rte_eth_get_monitor_addr(port, 0, &pmc) == 0 && pmc.size == 4, out, "monitor addr");
	REQUIRE(pmc.fn(*(volatile uint32_t *)pmc.addr, pmc.opaque) == 0, out, "idle ring reads as busy");
	/* Only queue 0 runs: it gets every flow. */
	for (i = 0; i < 32; i++)
		peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, i, 64 + i));
	usleep(20000);
	REQUIRE(rte_eth_get_monitor_addr(port, 0, &pmc) == 0 &&
		pmc.fn(*(volatile uint32_t *)pmc.addr, pmc.opaque) != 0, out,
		"a ready block must wake the monitor");
	n = port_rx_collect(port, got, 32, TEST_ETHERTYPE, 1000, q);
	REQUIRE(n == 32, out, "queue 0 got %d of 32", n);
	for (i = 0; i < n; i++)
		REQUIRE(q[i] == 0, out, "frame on stopped queue %u", q[i]);
	rte_pktmbuf_free_bulk(got, n);
	n = 0;
	/* Swap: start 1, stop 0. */
	REQUIRE(rte_eth_dev_rx_queue_start(port, 1) == 0, out, "start q1");
	REQUIRE(rte_eth_dev_rx_queue_stop(port, 0) == 0, out, "stop q0");
	REQUIRE(rte_eth_rx_burst(port, 0, got, 32) == 0, out, "stopped queue polled");
	for (i = 0; i < 32; i++)
		peer_send(&p, f, frame_make(f, p.local_mac, p.remote_mac, i, 64 + i));
	n = port_rx_collect(port, got, 32, TEST_ETHERTYPE, 1000, q);
	REQUIRE(n == 32, out, "queue 1 got %d of 32", n);
	for (i = 0; i < n; i++)
		REQUIRE(q[i] == 1, out, "frame on stopped queue 0");
	REQUIRE(rte_eth_dev_rx_queue_start(port, 0) == 0, out, "restart q0");
	REQUIRE(rte_eth_dev_tx_queue_stop(port, 1) == 0 &&
		rte_eth_dev_tx_queue_start(port, 1) == 0, out, "tx queue stop/start");
out:
	rte_pktmbuf_free_bulk(got, n);
	peer_port_close(&p, port);
	return 0;
}
