/* SPDX-License-Identifier: BSD-3-Clause
 * Secondary process for test/e2e/mp_stress.sh, against a primary that owns
 * net_tpacket ports with their queues started:
 *
 *   test_mp_stress <EAL args> -- fwd <portA> <portB> <seconds> <burst>
 *	forward queue 0 of A to queue 0 of B and back (io forwarding) with
 *	bursts of at most <burst> frames, until <seconds> pass or SIGTERM;
 *	prints the probe lines of its own fds (see probe), then "ready",
 *	and at the end per-direction frame and burst counts.
 *   test_mp_stress <EAL args> -- probe <port>...
 *	attach only: check the fds the primary handed over: every AF_PACKET
 *	socket of this process is bound to the interface of one of the
 *	ports, one per queue of each port; one line per socket with its
 *	inode, so that the caller can compare attaches.
 *
 * Lines: "PASS: ...", "FAIL: ...", "fwd: ...", "probe: ...".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_packet.h>

#include <dirent.h>
#include <arpa/inet.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "rte_pmd_tpacket.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/*
 * The AF_PACKET sockets this process holds: a secondary opens none itself,
 * so these are the fds the primary handed over. Found in /proc/self/fd
 * rather than in the driver's per-process state, whose layout is the
 * driver's business.
 */
struct psock {
	int fd;
	unsigned long ino;
	int ifindex;
	unsigned int proto;
};

static int
packet_sockets(struct psock *ps, int max)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (dir == NULL)
		return -1;
	while ((e = readdir(dir)) != NULL && n < max) {
		struct sockaddr_ll sll;
		socklen_t len = sizeof(sll), dl = sizeof(int);
		struct stat st;
		int fd, dom;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		fd = atoi(e->d_name);
		if (fd == dirfd(dir) || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &dl) < 0 ||
		    dom != AF_PACKET)
			continue;
		memset(&sll, 0, sizeof(sll));
		if (getsockname(fd, (struct sockaddr *)&sll, &len) < 0)
			continue;
		ps[n].fd = fd;
		ps[n].ino = st.st_ino;
		ps[n].ifindex = sll.sll_ifindex;
		ps[n].proto = ntohs(sll.sll_protocol);
		n++;
	}
	closedir(dir);
	return n;
}

/*
 * Every AF_PACKET socket must be bound to the interface of one of the
 * ports, and each port must hold one socket per queue (RX and TX).
 * Prints "probe: <port> sock fd <fd> ino <ino> ifindex <i> proto <p> ok".
 */
static int
probe(int argc, char **argv)
{
	struct psock ps[64];
	int used[64] = { 0 };
	int ok = 1, a, n, i;

	n = packet_sockets(ps, RTE_DIM(ps));
	if (n < 0) {
		printf("FAIL: probe: /proc/self/fd: %s\n", strerror(errno));
		return 1;
	}
	for (a = 0; a < argc; a++) {
		struct rte_pmd_tpacket_info ti;
		struct rte_eth_dev_info di;
		uint16_t port;
		int have = 0;

		if (rte_eth_dev_get_port_by_name(argv[a], &port) != 0) {
			printf("FAIL: probe: no port %s (attach failed)\n", argv[a]);
			ok = 0;
			continue;
		}
		if (rte_pmd_tpacket_get_info(port, &ti) != 0 ||
		    rte_eth_dev_info_get(port, &di) != 0) {
			printf("FAIL: probe: %s: no port info\n", argv[a]);
			ok = 0;
			continue;
		}
		for (i = 0; i < n; i++) {
			if (ps[i].ifindex != (int)ti.ifindex)
				continue;
			used[i] = 1;
			have++;
			printf("probe: %s sock fd %d ino %lu ifindex %d proto 0x%04x ok\n",
			       argv[a], ps[i].fd, ps[i].ino, ps[i].ifindex,
			       ps[i].proto);
		}
		if (have != di.nb_rx_queues + di.nb_tx_queues) {
			printf("probe: %s (ifindex %u): %d AF_PACKET sockets for %u RX + %u TX queues: BAD\n",
			       argv[a], ti.ifindex, have, di.nb_rx_queues,
			       di.nb_tx_queues);
			ok = 0;
		}
	}
	for (i = 0; i < n; i++)
		if (!used[i]) {
			printf("probe: sock fd %d ino %lu ifindex %d proto 0x%04x: bound to no probed port: BAD\n",
			       ps[i].fd, ps[i].ino, ps[i].ifindex, ps[i].proto);
			ok = 0;
		}
	printf("%s: probe (fds handed over by the primary)\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}

struct dir {
	uint16_t from, to;
	uint64_t rx_calls, rx_bursts, rx_pkts, tx_calls, tx_pkts, unsent;
};

static int
fwd(char **argv)
{
	struct rte_mempool *mp;
	struct dir d[2];
	uint16_t pa, pb, burst;
	uint64_t end;
	int i, secs;

	if (rte_eth_dev_get_port_by_name(argv[0], &pa) != 0 ||
	    rte_eth_dev_get_port_by_name(argv[1], &pb) != 0) {
		printf("FAIL: fwd: no port %s or %s\n", argv[0], argv[1]);
		return 1;
	}
	secs = atoi(argv[2]);
	burst = (uint16_t)atoi(argv[3]);
	if (burst < 1 || burst > 64)
		burst = 32;
	/* The mbufs: RX allocates from this process's pool. */
	mp = rte_pktmbuf_pool_create("stress_mp", 8191, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (mp == NULL) {
		printf("FAIL: fwd: mempool\n");
		return 1;
	}
	/* The fds this process got, as a reference for later attaches. */
	if (probe(2, argv) != 0)
		printf("fwd: the fds this process got are not sound\n");
	memset(d, 0, sizeof(d));
	d[0].from = pa, d[0].to = pb;
	d[1].from = pb, d[1].to = pa;
	printf("ready\n");
	fflush(stdout);
	end = now_ms() + secs * 1000ull;
	while (!stop && now_ms() < end) {
		for (i = 0; i < 2; i++) {
			struct rte_mbuf *b[64];
			uint16_t n, s;

			d[i].rx_calls++;
			n = rte_eth_rx_burst(d[i].from, 0, b, burst);
			if (n == 0)
				continue;
			d[i].rx_bursts++;
			d[i].rx_pkts += n;
			d[i].tx_calls++;
			s = rte_eth_tx_burst(d[i].to, 0, b, n);
			d[i].tx_pkts += s;
			if (s < n) {
				d[i].unsent += n - s;
				rte_pktmbuf_free_bulk(b + s, n - s);
			}
		}
	}
	for (i = 0; i < 2; i++)
		printf("fwd: port %u -> %u rx_calls %lu rx_bursts %lu rx_pkts %lu tx_calls %lu tx_pkts %lu unsent %lu\n",
		       d[i].from, d[i].to, d[i].rx_calls, d[i].rx_bursts,
		       d[i].rx_pkts, d[i].tx_calls, d[i].tx_pkts, d[i].unsent);
	printf("PASS: fwd\n");
	fflush(stdout);
	rte_mempool_free(mp);
	return 0;
}

int
main(int argc, char **argv)
{
	int used, ret;

	used = rte_eal_init(argc, argv);
	if (used < 0 || rte_eal_process_type() != RTE_PROC_SECONDARY) {
		printf("FAIL: secondary: EAL init\n");
		return 1;
	}
	argc -= used;
	argv += used;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (argc >= 3 && strcmp(argv[1], "probe") == 0)
		ret = probe(argc - 2, argv + 2);
	else if (argc >= 6 && strcmp(argv[1], "fwd") == 0)
		ret = fwd(argv + 2);
	else {
		printf("FAIL: usage: fwd A B SECONDS BURST | probe PORT...\n");
		ret = 1;
	}
	fflush(stdout);
	rte_eal_cleanup();
	return ret;
}
