/* SPDX-License-Identifier: BSD-3-Clause */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>

#include "tpk_pmd_test.h"

struct rte_mempool *test_mp;
char test_ns[64];
const char *test_devargs;
int test_failed;
static int port_seq;

int
sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		printf("  command failed (%d): %s\n", rc, cmd);
	return rc;
}

uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
get_mac(const char *ns, const char *ifname, uint8_t mac[6])
{
	char path[256], buf[64];
	FILE *f;
	unsigned int m[6];
	int i;

	snprintf(path, sizeof(path),
		 "ip netns exec %s cat /sys/class/net/%s/address", ns, ifname);
	f = popen(path, "r");
	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) == NULL ||
	    sscanf(buf, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5]) != 6) {
		pclose(f);
		return -1;
	}
	pclose(f);
	for (i = 0; i < 6; i++)
		mac[i] = m[i];
	return 0;
}

int
peer_create(struct peer *p, const char *tag, uint32_t mtu)
{
	static int n;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->ns_fd = -1;
	n++;
	snprintf(p->ns, sizeof(p->ns), "tpkp-%d-%s", getpid(), tag);
	snprintf(p->local, sizeof(p->local), "tl%d_%d", getpid() % 10000, n);
	snprintf(p->remote, sizeof(p->remote), "tr%d_%d", getpid() % 10000, n);
	if (sh("ip netns add %s", p->ns))
		return -1;
	if (sh("ip netns exec %s sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1", p->ns) ||
	    sh("ip link add %s netns %s mtu %u type veth peer name %s netns %s mtu %u",
	       p->local, test_ns, mtu, p->remote, p->ns, mtu) ||
	    sh("ip -n %s link set %s up && ip -n %s link set %s up && ip -n %s link set lo up",
	       test_ns, p->local, p->ns, p->remote, p->ns)) {
		peer_destroy(p);
		return -1;
	}
	get_mac(test_ns, p->local, p->local_mac);
	get_mac(p->ns, p->remote, p->remote_mac);
	return 0;
}

void
peer_destroy(struct peer *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (p->ns_fd >= 0)
		close(p->ns_fd);
	p->ns_fd = -1;
	if (p->ns[0]) {
		/* Deleting the namespace deletes the veth pair with it. */
		sh("ip netns del %s", p->ns);
		sh("ip -n %s link del %s 2>/dev/null || true", test_ns, p->local);
	}
	p->ns[0] = '\0';
}

static int self_ns_fd = -1;

int
peer_enter(const struct peer *p)
{
	char path[128];
	int fd, rc;

	if (self_ns_fd < 0)
		self_ns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/run/netns/%s", p->ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = setns(fd, CLONE_NEWNET);
	close(fd);
	return rc;
}

void
ns_leave(void)
{
	if (self_ns_fd >= 0)
		setns(self_ns_fd, CLONE_NEWNET);
}

int
peer_raw_open(struct peer *p)
{
	struct sockaddr_ll sll;
	int fd, one = 1 << 22;

	if (peer_enter(p) < 0)
		return -1;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd >= 0) {
		memset(&sll, 0, sizeof(sll));
		sll.sll_family = AF_PACKET;
		sll.sll_protocol = htons(ETH_P_ALL);
		sll.sll_ifindex = if_nametoindex(p->remote);
		setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			close(fd);
			fd = -1;
		}
	}
	ns_leave();
	p->fd = fd;
	return fd;
}

int
peer_send(struct peer *p, const void *frame, size_t len)
{
	return send(p->fd, frame, len, 0) == (ssize_t)len ? 0 : -1;
}

int
peer_recv(struct peer *p, void *buf, size_t cap, uint16_t etype,
	  int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		int64_t left = (int64_t)(end - now_ms());
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		n = recvfrom(p->fd, buf, cap, MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			continue;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;	/* our own sends */
		if (etype && (n < 14 || ((uint8_t *)buf)[12] != etype >> 8 ||
			      ((uint8_t *)buf)[13] != (etype & 0xff)))
			continue;
		return (int)n;
	}
}

int
port_open(const struct peer *p, const struct port_cfg *c)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	char name[64], args[256];
	uint16_t port, q;

	snprintf(name, sizeof(name), "net_tpacket_t%d", port_seq++);
	snprintf(args, sizeof(args), "iface=%s%s%s%s%s", p->local,
		 c->devargs_extra ? "," : "",
		 c->devargs_extra ? c->devargs_extra : "",
		 test_devargs ? "," : "", test_devargs ? test_devargs : "");
	if (rte_vdev_init(name, args) != 0) {
		printf("  rte_vdev_init(%s, %s) failed\n", name, args);
		return -1;
	}
	if (rte_eth_dev_get_port_by_name(name, &port) != 0)
		return -1;
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = c->rx_offloads;
	conf.txmode.offloads = c->tx_offloads;
	if (c->rx_offloads & RTE_ETH_RX_OFFLOAD_RSS_HASH) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP;
	}
	conf.intr_conf.lsc = c->lsc;
	conf.intr_conf.rmv = c->rmv;
	conf.intr_conf.rxq = c->rxq_intr;
	if (rte_eth_dev_info_get(port, &info) != 0)
		goto fail;
	if (rte_eth_dev_configure(port, c->nb_rxq, c->nb_txq, &conf) != 0)
		goto fail;
	for (q = 0; q < c->nb_rxq; q++) {
		struct rte_eth_rxconf rc = info.default_rxconf;

		rc.rx_deferred_start = c->rx_deferred && q > 0;
		if (rte_eth_rx_queue_setup(port, q, 512, rte_socket_id(), &rc,
					   c->mp ? c->mp : test_mp) != 0)
			goto fail;
	}
	for (q = 0; q < c->nb_txq; q++)
		if (rte_eth_tx_queue_setup(port, q, 512, rte_socket_id(),
					   NULL) != 0)
			goto fail;
	if (rte_eth_dev_start(port) != 0)
		goto fail;
	return port;
fail:
	printf("  port %u setup failed\n", port);
	port_close(port);
	return -1;
}

void
port_close(int port)
{
	char name[RTE_ETH_NAME_MAX_LEN];

	if (port < 0)
		return;
	rte_eth_dev_get_name_by_port(port, name);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_vdev_uninit(name);
}

int
port_rx_collect(int port, struct rte_mbuf **out, int n, uint16_t etype,
		int timeout_ms, uint16_t *queue_of)
{
	struct rte_eth_dev_info info;
	uint64_t end = now_ms() + timeout_ms;
	int got = 0;

	if (rte_eth_dev_info_get(port, &info) != 0)
		return -1;
	while (got < n && now_ms() < end) {
		uint16_t nq = info.nb_rx_queues;

		for (uint16_t q = 0; q < nq; q++) {
			struct rte_mbuf *b[32];
			uint16_t k = rte_eth_rx_burst(port, q, b, 32);

			for (uint16_t i = 0; i < k; i++) {
				const uint8_t *d = rte_pktmbuf_mtod(b[i],
							const uint8_t *);

				if (got < n && (etype == 0 ||
				    (b[i]->data_len >= 14 && d[12] == etype >> 8 &&
				     d[13] == (etype & 0xff)))) {
					if (queue_of)
						queue_of[got] = q;
					out[got++] = b[i];
				} else {
					rte_pktmbuf_free(b[i]);
				}
			}
		}
	}
	return got;
}

int
port_tx_all(int port, uint16_t q, struct rte_mbuf **bufs, int n,
	    int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	int sent = 0;

	while (sent < n && now_ms() < end)
		sent += rte_eth_tx_burst(port, q, bufs + sent,
					 RTE_MIN(n - sent, 32));
	return sent;
}

size_t
frame_make(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6],
	   uint32_t seq, size_t len)
{
	size_t i;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = TEST_ETHERTYPE >> 8;
	buf[13] = TEST_ETHERTYPE & 0xff;
	memcpy(buf + 14, &seq, 4);
	for (i = 18; i < len; i++)
		buf[i] = (uint8_t)(seq * 7 + i);
	return len;
}

struct rte_mbuf *
mbuf_from(const void *data, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_mp);

	if (m == NULL)
		return NULL;
	if (len > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(rte_pktmbuf_append(m, len), data, len);
	return m;
}

int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

long
mapped_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

int
port_xstat(int port, const char *name, uint64_t *v)
{
	uint64_t id;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0)
		return -1;
	return rte_eth_xstats_get_by_id(port, &id, v, 1) == 1 ? 0 : -1;
}
