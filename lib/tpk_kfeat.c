/* SPDX-License-Identifier: BSD-3-Clause
 * Kernel feature probes (see tpk_kfeat.h).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/virtio_net.h>

#include "tpk_compat.h"
#include "tpk_csum.h"
#include "tpk_kfeat.h"
#include "tpk_netif.h"

#define KF_ETHERTYPE	0x88b5		/* IEEE local experimental */
/* Not lo's address (all zeros): the frame is PACKET_OTHERHOST there. */
static const uint8_t kf_dst[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t kf_src[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };

/* Outcome of one probe: the feature is there, is not, or untried. */
enum kf_result { KF_NO, KF_YES, KF_UNKNOWN };

static int
kf_tx_socket(int lo, bool vnet)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = lo,
	};
	int one = 1, fd;

	/* Protocol 0: a TX-only socket hooks no receive path. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if ((vnet && setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one,
				sizeof(one)) < 0) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static enum kf_result
kf_vnet_hdr_sz(void)
{
	int fd, sz = sizeof(struct virtio_net_hdr_mrg_rxbuf), r;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return KF_UNKNOWN;
	r = setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR_SZ, &sz, sizeof(sz));
	close(fd);
	if (r == 0)
		return KF_YES;
	return errno == ENOPROTOOPT || errno == EINVAL ? KF_NO : KF_UNKNOWN;
}

/*
 * A UDP_L4 GSO request whose payload fits one segment: a kernel that
 * knows the type sends it as a plain frame, an older one refuses the
 * unknown gso_type with EINVAL before anything is sent.
 */
static enum kf_result
kf_udp_l4_gso(int lo)
{
	struct {
		struct virtio_net_hdr vh;
		struct ethhdr eth;
		struct iphdr ip;
		struct udphdr udp;
		uint8_t payload[8];
	} __attribute__((packed)) f;
	uint32_t l4 = sizeof(f.udp) + sizeof(f.payload);
	enum kf_result res;
	int fd;

	fd = kf_tx_socket(lo, true);
	if (fd < 0)
		return KF_UNKNOWN;
	memset(&f, 0, sizeof(f));
	f.vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	f.vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	f.vh.gso_size = 64;
	f.vh.hdr_len = sizeof(f) - sizeof(f.vh) - sizeof(f.payload);
	f.vh.csum_start = sizeof(f.eth) + sizeof(f.ip);
	f.vh.csum_offset = offsetof(struct udphdr, check);
	memcpy(f.eth.h_dest, kf_dst, ETH_ALEN);
	memcpy(f.eth.h_source, kf_src, ETH_ALEN);
	f.eth.h_proto = htons(ETH_P_IP);
	f.ip.version = 4;
	f.ip.ihl = 5;
	f.ip.ttl = 1;
	f.ip.protocol = IPPROTO_UDP;
	f.ip.tot_len = htons(sizeof(f.ip) + l4);
	f.ip.saddr = f.ip.daddr = htonl(INADDR_LOOPBACK);
	f.ip.check = ~tpk_csum_fold(tpk_csum_add(0, &f.ip, sizeof(f.ip)));
	f.udp.source = f.udp.dest = htons(9);	/* discard */
	f.udp.len = htons(l4);
	f.udp.check = tpk_csum_pseudo(&f.ip.saddr, 4, IPPROTO_UDP, l4);
	if (send(fd, &f, sizeof(f), MSG_DONTWAIT) == (ssize_t)sizeof(f))
		res = KF_YES;
	else
		res = errno == EINVAL ? KF_NO : KF_UNKNOWN;
	close(fd);
	return res;
}

static uint64_t
kf_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * On lo a transmitted frame is seen twice by an ETH_P_ALL tap: as
 * outgoing (dev_queue_xmit_nit) and again as incoming (loopback). A
 * fanout group with IGNORE_OUTGOING honoured sees it once; a kernel that
 * does not know the flag accepts it silently and delivers both copies.
 */
static enum kf_result
kf_ignore_outgoing(int lo)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = lo,
	};
	struct {
		struct ethhdr eth;
		uint8_t magic[16];
	} __attribute__((packed)) f;
	uint8_t buf[256];
	enum kf_result res = KF_UNKNOWN;
	int rx = -1, tx = -1, arg, seen = 0, i;
	uint64_t end;

	rx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (rx < 0 || bind(rx, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto out;
	arg = (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID |
	       PACKET_FANOUT_FLAG_IGNORE_OUTGOING) << 16;
	if (setsockopt(rx, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0)
		goto out;
	tx = kf_tx_socket(lo, false);
	if (tx < 0)
		goto out;
	memcpy(f.eth.h_dest, kf_dst, ETH_ALEN);
	memcpy(f.eth.h_source, kf_src, ETH_ALEN);
	f.eth.h_proto = htons(KF_ETHERTYPE);
	for (i = 0; i < (int)sizeof(f.magic); i++)
		f.magic[i] = (uint8_t)(getpid() * 31 + i * 7 + kf_now_ms());
	if (send(tx, &f, sizeof(f), MSG_DONTWAIT) != (ssize_t)sizeof(f))
		goto out;
	/* The loopback copy comes from the backlog softirq: wait a little
	 * for the first, then a short while for a second one. */
	end = kf_now_ms() + 50;
	while (kf_now_ms() < end) {
		struct pollfd p = { .fd = rx, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 10) <= 0)
			continue;
		n = recv(rx, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == (ssize_t)sizeof(f) && memcmp(buf, &f, sizeof(f)) == 0 &&
		    ++seen == 1)
			end = kf_now_ms() + 10;
	}
	if (seen == 1)
		res = KF_YES;
	else if (seen >= 2)
		res = KF_NO;
out:
	if (tx >= 0)
		close(tx);
	if (rx >= 0)
		close(rx);
	return res;
}

static void
kf_set(struct tpk_kfeat *kf, uint32_t bit, enum kf_result r, uint32_t since)
{
	if (r == KF_UNKNOWN) {
		if (kf->kver >= since)
			kf->have |= bit;
		return;
	}
	kf->probed |= bit;
	if (r == KF_YES)
		kf->have |= bit;
}

int
tpk_kfeat_probe(struct tpk_kfeat *kf)
{
	int lo = (int)if_nametoindex("lo");
	int saved = errno;

	memset(kf, 0, sizeof(*kf));
	kf->kver = tpk_kernel_version();
	kf_set(kf, TPK_KF_VNET_HDR_SZ, kf_vnet_hdr_sz(), TPK_KVER(6, 4, 0));
	kf_set(kf, TPK_KF_UDP_L4_GSO, lo > 0 ? kf_udp_l4_gso(lo) : KF_UNKNOWN,
	       TPK_KVER(6, 2, 0));
	kf_set(kf, TPK_KF_IGNORE_OUTGOING,
	       lo > 0 ? kf_ignore_outgoing(lo) : KF_UNKNOWN, TPK_KVER(6, 2, 0));
	errno = saved;
	return 0;
}

static struct tpk_kfeat kf_once;
static pthread_once_t kf_once_ctl = PTHREAD_ONCE_INIT;

static void
kf_once_run(void)
{
	tpk_kfeat_probe(&kf_once);
}

const struct tpk_kfeat *
tpk_kfeat_get(void)
{
	pthread_once(&kf_once_ctl, kf_once_run);
	return &kf_once;
}

int
tpk_kfeat_str(const struct tpk_kfeat *kf, bool brief, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name, *brief;
	} names[] = {
		{ TPK_KF_UDP_L4_GSO, "udp-gso", "uso" },
		{ TPK_KF_IGNORE_OUTGOING, "ignore-outgoing", "igo" },
		{ TPK_KF_VNET_HDR_SZ, "vnet-hdr-sz", "vsz" },
	};
	size_t off = 0, i;
	int n, pass;

	if (len > 0)
		buf[0] = '\0';
	if (brief) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (!(kf->have & names[i].bit))
				continue;
			n = snprintf(buf + off, off < len ? len - off : 0, "%s%s%s",
				     off ? " " : "", names[i].brief,
				     kf->probed & names[i].bit ? "" : "?");
			if (n < 0)
				return n;
			off += n;
		}
		return (int)off;
	}
	/* First what was probed, then what is only guessed. */
	for (pass = 0; pass < 2; pass++) {
		bool opened = false;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			bool probed = kf->probed & names[i].bit;

			if (!(kf->have & names[i].bit) || probed != (pass == 0))
				continue;
			n = snprintf(buf + off, off < len ? len - off : 0, "%s%s%s",
				     off ? " " : "", pass && !opened ? "(guessed: " : "",
				     names[i].name);
			if (n < 0)
				return n;
			off += n;
			opened = true;
		}
		if (opened && pass) {
			n = snprintf(buf + off, off < len ? len - off : 0, ")");
			off += n > 0 ? n : 0;
		}
	}
	return (int)off;
}
