/* SPDX-License-Identifier: BSD-3-Clause
 * Kernel feature probes (lib/tpk_kfeat.c) against what the kernel does.
 * Runs in a network namespace of its own (unshare), so its loopback can
 * be taken down and up; without root the cases are skipped.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/virtio_net.h>

#include "tpk_compat.h"
#include "tpk_csum.h"
#include "tpk_kfeat.h"
#include "tpk_netif.h"
#include "tpk_check.h"

static int
lo_updown(bool up)
{
	return tpk_netif_set_up("lo", up);
}

static void
t_release_matches_uname(void)
{
	struct tpk_kfeat kf;
	struct utsname u;
	unsigned int a = 0, b = 0;

	if (!CHECK(tpk_kfeat_probe(&kf) == 0))
		return;
	if (!CHECK(uname(&u) == 0))
		return;
	if (!CHECK(sscanf(u.release, "%u.%u", &a, &b) == 2))
		return;
	CHECK_EQ(kf.kver >> 8, TPK_KVER(a, b, 0) >> 8);
	CHECK_EQ(kf.have & ~(uint32_t)(TPK_KF_VNET_HDR_SZ | TPK_KF_IGNORE_OUTGOING | TPK_KF_UDP_L4_GSO), 0u);
}

/* PACKET_VNET_HDR_SZ: the probe says what a setsockopt of each size does. */
static void
t_vnet_hdr_sz_matches(void)
{
	struct tpk_kfeat kf;
	int fd, sz = 12, r;

	if (!CHECK(tpk_kfeat_probe(&kf) == 0))
		return;
	if (!CHECK(kf.probed & TPK_KF_VNET_HDR_SZ))
		return;
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (!CHECK(fd >= 0))
		return;
	r = setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR_SZ, &sz, sizeof(sz));
	CHECK_EQ(r == 0, !!(kf.have & TPK_KF_VNET_HDR_SZ));
	if (r == 0) {
		sz = 11;	/* only 0, 10 and 12 exist */
		CHECK(setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR_SZ, &sz,
				 sizeof(sz)) < 0 && errno == EINVAL);
	}
	close(fd);
}

/*
 * USO: a real 3-segment UDP GSO frame sent on lo, with lo's own UDP
 * segmentation offload turned off so that the kernel cuts it in software
 * before the wire, shows up as three 100-byte segments at a tap exactly
 * when the probe says the kernel has it.
 */
static void
t_udp_gso_matches(void)
{
	struct {
		struct virtio_net_hdr vh;
		struct ethhdr eth;
		struct iphdr ip;
		struct udphdr udp;
		uint8_t payload[300];
	} __attribute__((packed)) f;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL) };
	const size_t seg_len = sizeof(f.eth) + sizeof(f.ip) + sizeof(f.udp) + 100;
	uint16_t port = htons((uint16_t)(40000 + getpid() % 20000));
	struct tpk_kfeat kf;
	uint32_t l4 = sizeof(f.udp) + sizeof(f.payload);
	int one = 1, tx, rx, got = 0;
	uint8_t buf[512];

	if (!CHECK(tpk_kfeat_probe(&kf) == 0))
		return;
	if (!CHECK(kf.probed & TPK_KF_UDP_L4_GSO))
		return;
	if (!CHECK(system("ethtool -K lo tx-udp-segmentation off >/dev/null 2>&1") == 0))
		return;
	sll.sll_ifindex = (int)if_nametoindex("lo");
	rx = socket(AF_PACKET, SOCK_RAW, 0);
	if (!CHECK(rx >= 0))
		return;
	if (!CHECK(bind(rx, (struct sockaddr *)&sll, sizeof(sll)) == 0))
		return;
	tx = socket(AF_PACKET, SOCK_RAW, 0);
	if (!CHECK(tx >= 0))
		return;
	sll.sll_protocol = 0;
	if (!CHECK(setsockopt(tx, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) == 0))
		return;
	if (!CHECK(bind(tx, (struct sockaddr *)&sll, sizeof(sll)) == 0))
		return;
	memset(&f, 0, sizeof(f));
	f.vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	f.vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	f.vh.gso_size = 100;
	f.vh.hdr_len = 42;
	f.vh.csum_start = 34;
	f.vh.csum_offset = 6;
	f.eth.h_dest[0] = 0x02;	/* another host: lo drops it after the tap */
	f.eth.h_proto = htons(ETH_P_IP);
	f.ip.version = 4;
	f.ip.ihl = 5;
	f.ip.ttl = 8;
	f.ip.protocol = IPPROTO_UDP;
	f.ip.tot_len = htons(sizeof(f.ip) + l4);
	f.ip.saddr = f.ip.daddr = htonl(INADDR_LOOPBACK);
	f.ip.check = ~tpk_csum_fold(tpk_csum_add(0, &f.ip, sizeof(f.ip)));
	f.udp.source = htons(9);
	f.udp.dest = port;
	f.udp.len = htons(l4);
	f.udp.check = tpk_csum_pseudo(&f.ip.saddr, 4, IPPROTO_UDP, l4);
	memset(f.payload, 0x5a, sizeof(f.payload));
	if (send(tx, &f, sizeof(f), 0) == (ssize_t)sizeof(f)) {
		for (;;) {
			struct pollfd p = { .fd = rx, .events = POLLIN };
			const struct udphdr *u = (const void *)(buf + 34);
			ssize_t n;

			if (poll(&p, 1, 100) <= 0)
				break;
			n = recv(rx, buf, sizeof(buf), MSG_DONTWAIT);
			if (n == (ssize_t)seg_len && u->dest == port)
				got++;
		}
	} else {
		CHECK(errno == EINVAL, "send: %s", strerror(errno));
	}
	/* Each segment is seen going out and coming back on lo. */
	CHECK((got == 6) == !!(kf.have & TPK_KF_UDP_L4_GSO),
	       "%d segments at the tap, probe says %s", got,
	       kf.have & TPK_KF_UDP_L4_GSO ? "yes" : "no");
	close(tx);
	close(rx);
}

/* The premise of the IGNORE_OUTGOING probe: a tap on lo sees a frame it
 * did not send twice (outgoing and looped back). */
static void
t_lo_delivers_twice(void)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL) };
	uint8_t f[60] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x88, 0xb5, 'k', 'f' };
	uint8_t buf[128];
	int rx, tx, seen = 0;

	sll.sll_ifindex = (int)if_nametoindex("lo");
	rx = socket(AF_PACKET, SOCK_RAW, 0);
	if (!CHECK(rx >= 0))
		return;
	if (!CHECK(bind(rx, (struct sockaddr *)&sll, sizeof(sll)) == 0))
		return;
	tx = socket(AF_PACKET, SOCK_RAW, 0);
	if (!CHECK(tx >= 0))
		return;
	sll.sll_protocol = 0;
	if (!CHECK(bind(tx, (struct sockaddr *)&sll, sizeof(sll)) == 0))
		return;
	f[20] = (uint8_t)getpid();
	if (!CHECK(send(tx, f, sizeof(f), 0) == (ssize_t)sizeof(f)))
		return;
	for (;;) {
		struct pollfd p = { .fd = rx, .events = POLLIN };

		if (poll(&p, 1, 100) <= 0)
			break;
		if (recv(rx, buf, sizeof(buf), MSG_DONTWAIT) == (ssize_t)sizeof(f) &&
		    memcmp(buf, f, sizeof(f)) == 0)
			seen++;
	}
	CHECK_EQ(seen, 2);
	close(rx);
	close(tx);
}

/* With lo down nothing can be tried on it: those features are guessed
 * from the release, and said to be. */
static void
t_lo_down_guesses(void)
{
	struct tpk_kfeat kf;
	char s[128];

	if (!CHECK(lo_updown(false) == 0))
		return;
	if (!CHECK(tpk_kfeat_probe(&kf) == 0))
		return;
	CHECK(!(kf.probed & TPK_KF_UDP_L4_GSO));
	CHECK(!(kf.probed & TPK_KF_IGNORE_OUTGOING));
	CHECK(kf.probed & TPK_KF_VNET_HDR_SZ);
	CHECK_EQ(!!(kf.have & TPK_KF_UDP_L4_GSO), kf.kver >= TPK_KVER(6, 2, 0));
	tpk_kfeat_str(&kf, false, s, sizeof(s));
	CHECK(kf.kver < TPK_KVER(6, 2, 0) || strstr(s, "(guessed: ") != NULL, "%s", s);
	tpk_kfeat_str(&kf, true, s, sizeof(s));
	CHECK(kf.kver < TPK_KVER(6, 2, 0) || strstr(s, "uso?") != NULL, "%s", s);
	if (!CHECK(lo_updown(true) == 0))
		return;
	if (!CHECK(tpk_kfeat_probe(&kf) == 0))
		return;
	CHECK(kf.probed & TPK_KF_UDP_L4_GSO);
	CHECK(kf.probed & TPK_KF_IGNORE_OUTGOING);
}

/* The short form fits ethdev's 32-byte firmware version string. */
static void
t_brief_fits_fw_version(void)
{
	struct tpk_kfeat kf = { .have = ~0u, .probed = 0,
		.kver = TPK_KVER(6, 18, 255) };
	char s[64], fw[96];

	tpk_kfeat_str(&kf, true, s, sizeof(s));
	CHECK(strcmp(s, "uso? igo? vsz?") == 0);
	snprintf(fw, sizeof(fw), "linux 6.18.255 %s", s);
	CHECK(strlen(fw) < 32, "%s", fw);
	kf.probed = ~0u;
	tpk_kfeat_str(&kf, false, s, sizeof(s));
	CHECK(strcmp(s, "udp-gso ignore-outgoing vnet-hdr-sz") == 0);
	kf.have = 0;
	CHECK_EQ(tpk_kfeat_str(&kf, false, s, sizeof(s)), 0);
}

int
main(void)
{
	int fd;

	TEST(t_brief_fits_fw_version);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || unshare(CLONE_NEWNET) < 0 || lo_updown(true) < 0) {
		printf("SKIP: kfeat probes: need root (AF_PACKET, a network namespace)\n");
		return tpk_test_done();
	}
	close(fd);
	TEST(t_release_matches_uname);
	TEST(t_vnet_hdr_sz_matches);
	TEST(t_udp_gso_matches);
	TEST(t_lo_delivers_twice);
	TEST(t_lo_down_guesses);
	return tpk_test_done();
}
