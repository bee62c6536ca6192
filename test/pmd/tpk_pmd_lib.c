/* SPDX-License-Identifier: BSD-3-Clause */

#include <dirent.h>
#include <stddef.h>
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
#include <linux/virtio_net.h>

#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>

#include "tpk_pmd_test.h"

struct rte_mempool *test_mp;
char test_ns[64];
const char *test_devargs;
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

int
test_skip(const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	tpk_case_skip(why);
	return TEST_SKIP;
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
peer_tx_open(const struct peer *p, bool vnet)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int one = vnet, fd;

	if (peer_enter(p) < 0)
		return -1;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	sll.sll_ifindex = (int)if_nametoindex(p->remote);
	if (fd >= 0 && (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one,
				   sizeof(one)) < 0 ||
			bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)) {
		close(fd);
		fd = -1;
	}
	ns_leave();
	return fd;
}

int
port_open(const struct peer *p, const struct port_cfg *cfg)
{
	static const struct port_cfg one_queue;
	const struct port_cfg *c = cfg ? cfg : &one_queue;
	uint16_t nb_rxq = c->nb_rxq ? c->nb_rxq : 1;
	uint16_t nb_txq = c->nb_txq ? c->nb_txq : 1;
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
	conf.rxmode.mtu = c->mtu;
	conf.intr_conf.lsc = c->lsc;
	conf.intr_conf.rmv = c->rmv;
	conf.intr_conf.rxq = c->rxq_intr;
	if (rte_eth_dev_info_get(port, &info) != 0)
		goto fail;
	if (rte_eth_dev_configure(port, nb_rxq, nb_txq, &conf) != 0)
		goto fail;
	for (q = 0; q < nb_rxq; q++) {
		struct rte_eth_rxconf rc = info.default_rxconf;

		rc.rx_deferred_start = c->rx_deferred && q > 0;
		if (rte_eth_rx_queue_setup(port, q, 512, rte_socket_id(), &rc,
					   c->mp ? c->mp : test_mp) != 0)
			goto fail;
	}
	for (q = 0; q < nb_txq; q++)
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
peer_port_open(struct peer *p, const char *tag, uint32_t mtu,
	       unsigned int flags, const struct port_cfg *cfg)
{
	int port;

	if (!CHECK(peer_create(p, tag, mtu) == 0, "namespace and veth pair %s",
		   tag))
		return -1;
	if ((flags & PEER_RAW) &&
	    !CHECK(peer_raw_open(p) >= 0, "raw socket on %s", p->remote))
		return -1;
	/* Offload settings of the local end matter to what the probe sees. */
	if (cfg && cfg->ethtool_k)
		sh("ethtool -K %s %s >/dev/null 2>&1", p->local, cfg->ethtool_k);
	port = port_open(p, cfg);
	CHECK(port >= 0, "port on %s", p->local);
	return port;
}

void
peer_port_close(struct peer *p, int port)
{
	port_close(port);
	peer_destroy(p);
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

size_t
l4_hdr_make(uint8_t *f, const struct l4_hdr_spec *s)
{
	uint32_t l3 = s->v6 ? 40 : 20, l4 = s->udp ? 8 : 20;

	memset(f, 0, 14 + l3 + l4);
	memcpy(f, s->dst, 6);
	memcpy(f + 6, s->src, 6);
	if (s->v6) {
		struct rte_ipv6_hdr *ip = (void *)(f + 14);

		f[12] = 0x86; f[13] = 0xdd;
		ip->vtc_flow = htonl(6u << 28 | s->flow_label);
		ip->payload_len = htons(l4 + s->payload);
		ip->proto = s->udp ? IPPROTO_UDP : IPPROTO_TCP;
		ip->hop_limits = 64;
		((uint8_t *)&ip->src_addr)[0] = 0xfd; ((uint8_t *)&ip->src_addr)[15] = 1;
		((uint8_t *)&ip->dst_addr)[0] = 0xfd; ((uint8_t *)&ip->dst_addr)[15] = 2;
	} else {
		struct rte_ipv4_hdr *ip = (void *)(f + 14);

		f[12] = 0x08; f[13] = 0x00;
		ip->version_ihl = 0x45;
		ip->total_length = htons(l3 + l4 + s->payload);
		ip->packet_id = htons(s->ip_id);
		ip->fragment_offset = htons(s->frag_off);
		ip->time_to_live = 64;
		ip->next_proto_id = s->udp ? IPPROTO_UDP : IPPROTO_TCP;
		ip->src_addr = htonl(s->saddr);
		ip->dst_addr = htonl(s->daddr);
		if (s->ip_cksum)
			ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	if (s->udp) {
		struct rte_udp_hdr *u = (void *)(f + 14 + l3);

		u->src_port = htons(s->sport);
		u->dst_port = htons(s->dport);
		u->dgram_len = htons(l4 + s->payload);
	} else {
		struct rte_tcp_hdr *t = (void *)(f + 14 + l3);

		t->src_port = htons(s->sport);
		t->dst_port = htons(s->dport);
		t->sent_seq = htonl(s->seq);
		t->recv_ack = htonl(s->ack);
		t->data_off = 5 << 4;
		t->tcp_flags = s->tcp_flags;
		t->rx_win = htons(s->win);
	}
	return 14 + l3 + l4;
}

void
l4_cksum_fill(uint8_t *f, const struct l4_hdr_spec *s)
{
	void *ip = f + 14;
	uint8_t *l4 = f + 14 + (s->v6 ? 40 : 20);
	size_t off = s->udp ? offsetof(struct rte_udp_hdr, dgram_cksum) :
		offsetof(struct rte_tcp_hdr, cksum);
	uint16_t ck = 0;

	memcpy(l4 + off, &ck, 2);
	ck = s->v6 ? rte_ipv6_udptcp_cksum(ip, l4) :
		rte_ipv4_udptcp_cksum(ip, l4);
	memcpy(l4 + off, &ck, 2);
}

size_t
gso_frame_make(uint8_t *buf, const struct l4_hdr_spec *s, uint16_t gso_size)
{
	struct virtio_net_hdr *vh = (void *)buf;
	uint8_t *e = buf + sizeof(*vh);
	uint32_t l3 = s->v6 ? 40 : 20, l4 = s->udp ? 8 : 20, i;
	size_t hl = l4_hdr_make(e, s);
	uint16_t ck;

	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = s->udp ? VIRTIO_NET_HDR_GSO_UDP_L4 :
		s->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	vh->gso_size = gso_size;
	vh->hdr_len = hl;
	vh->csum_start = 14 + l3;
	vh->csum_offset = s->udp ? 6 : 16;
	for (i = 0; i < s->payload; i++)
		e[hl + i] = (uint8_t)(i * 7);
	/* Partial checksum: the pseudo-header sum with the L4 length. */
	ck = htons(sum16(e + (s->v6 ? 22 : 26), s->v6 ? 32 : 8,
			 (s->udp ? IPPROTO_UDP : IPPROTO_TCP) + l4 + s->payload));
	memcpy(e + vh->csum_start + vh->csum_offset, &ck, 2);
	return sizeof(*vh) + hl + s->payload;
}

uint16_t
sum16(const uint8_t *p, size_t len, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

bool
l4_csum_ok(const uint8_t *f, size_t len)
{
	uint32_t s = 0;
	size_t l4off, l4len, i;
	uint8_t proto;

	if (f[12] == 0x08) {
		size_t ihl = (f[14] & 0xf) * 4u;

		l4len = ((size_t)f[16] << 8 | f[17]) - ihl;
		l4off = 14 + ihl;
		proto = f[23];
		for (i = 26; i < 34; i += 2)
			s += (uint32_t)f[i] << 8 | f[i + 1];
	} else {
		l4len = (size_t)f[18] << 8 | f[19];
		l4off = 54;
		proto = f[20];
		for (i = 22; i < 54; i += 2)
			s += (uint32_t)f[i] << 8 | f[i + 1];
	}
	if (l4off + l4len > len)
		return false;
	s += proto + (uint32_t)l4len;
	return sum16(f + l4off, l4len, s) == 0xffff;
}
