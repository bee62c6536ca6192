/* SPDX-License-Identifier: BSD-3-Clause
 * A hostile peer on the port's interface: GSO super-frames with crafted
 * virtio-net headers (sent through a PACKET_VNET_HDR socket, as a VM or
 * container would) and malformed L2-L4 frames, interleaved with normal
 * traffic at a steady pace. The driver's RX software segmentation must
 * not let one super-frame with gso_size 1 turn into 64 K segments that
 * starve everything behind it: a super-frame that would make more than
 * HOSTILE_MAX_SEGS segments is refused and counted, normal frames keep
 * arriving byte-identical and on time, and every hostile frame the
 * kernel accepted is accounted for.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "tpk_pmd_test.h"
#include "test_cases.h"

#define HOSTILE_MAX_SEGS 256	/* the driver's bound, per super-frame */
#define NORMAL_FRAMES 2000	/* UDP datagrams and probes */
#define NORMAL_GAP_US 500	/* their pace: 2000 frames a second */
#define PROBE_EVERY 50		/* every 50th normal frame: an ICMP echo */
#define HOSTILE_ROUNDS 2	/* the hostile list is sent this often */
#define LAT_P99_MAX_US 5000	/* normal frames: send to rx_burst */
#define SPAN_SLACK_US 50000	/* receiving may not take longer than this
				 * more than sending did */
#define NORMAL_PAYLOAD 64
#define MAX_HOSTILE 64

/* Normal traffic: 10.77.0.2 -> 10.77.0.1, UDP 7000 -> 9 or ICMP echo. */
#define NORMAL_SRC 0x0a4d0002
#define NORMAL_DST 0x0a4d0001
/* Hostile frame <index>: from 10.66.0.<index> (IPv4) or port 20000 +
 * <index> (IPv6, where every frame is fd00::1 -> fd00::2). */
#define HOSTILE_SRC 0x0a420000

enum hostile_via { VIA_VNET, VIA_RAW };

/* One hostile frame, as sent (see HOSTILE_SRC for its index). */
struct hostile {
	const char *what;
	enum hostile_via via;
	size_t len;
	uint8_t *buf;
	int send_errno;		/* of the last send(), 0 if it was taken */
};

struct hostile_run {
	struct peer p;
	int port, vnet_fd, raw_fd;
	bool lro;
	struct hostile h[MAX_HOSTILE];
	char names[MAX_HOSTILE][48];	/* of the generated ones */
	int nb_h;
	/* Sender side. */
	pthread_t th;
	bool sending;
	uint64_t sent_ns[NORMAL_FRAMES];	/* 0: not sent (yet) */
	int h_accepted, h_refused_by_kernel;
	uint64_t tx_first_ns, tx_last_ns;
	volatile int tx_done;
	/* Receive side. */
	int normal_unsent, normal_got, normal_bad, other;
	bool seen[NORMAL_FRAMES];
	uint32_t lat_us[NORMAL_FRAMES];
	uint64_t rx_first_ns, rx_last_ns;
	uint64_t h_mbufs, h_lro, h_unattributed;
	uint32_t h_segs[MAX_HOSTILE];	/* mbufs seen per hostile frame */
	/* Head-of-line blocking, counted in frames (no clock in it): the
	 * hostile mbufs rx_burst gave since the last normal frame, and the
	 * most of them between two normal frames. */
	uint64_t h_run, h_run_max;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ---- normal traffic ---- */

/* ICMP echo request: an 8-byte header in place of the UDP one. */
static void
icmp_echo_fix(uint8_t *f, uint32_t seq)
{
	struct rte_ipv4_hdr *ip = (void *)(f + 14);
	uint8_t *ic = f + 34;
	uint16_t ck;

	ip->next_proto_id = IPPROTO_ICMP;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic[0] = 8;		/* echo request */
	ic[1] = 0;
	ic[2] = ic[3] = 0;
	ic[4] = 0x77;		/* identifier */
	ic[5] = 0;
	ic[6] = (uint8_t)(seq >> 8);
	ic[7] = (uint8_t)seq;
	ck = htons((uint16_t)~sum16(ic, 8 + NORMAL_PAYLOAD, 0));
	memcpy(ic + 2, &ck, 2);
}

/* Normal frame seq; its payload starts with seq and the send time. */
static size_t
normal_frame(uint8_t *f, const struct peer *p, uint32_t seq, uint64_t ns)
{
	const struct l4_hdr_spec hs = { .dst = p->local_mac,
		.src = p->remote_mac, .udp = true, .saddr = NORMAL_SRC,
		.daddr = NORMAL_DST, .ip_id = (uint16_t)seq, .ip_cksum = true,
		.sport = 7000, .dport = 9, .payload = NORMAL_PAYLOAD };
	size_t hl = l4_hdr_make(f, &hs), i;

	memcpy(f + hl, &seq, 4);
	memcpy(f + hl + 4, &ns, 8);
	for (i = 12; i < NORMAL_PAYLOAD; i++)
		f[hl + i] = (uint8_t)(seq + i);
	if (seq % PROBE_EVERY == 0)
		icmp_echo_fix(f, seq);
	else
		l4_cksum_fill(f, &hs);
	return hl + NORMAL_PAYLOAD;
}

/* ---- hostile frames ---- */

static struct hostile *
hostile_new(struct hostile_run *r, const char *what, enum hostile_via via,
	    size_t cap)
{
	struct hostile *h;

	if (r->nb_h == MAX_HOSTILE)
		return NULL;
	h = &r->h[r->nb_h];
	h->buf = calloc(1, cap);
	if (h->buf == NULL)
		return NULL;
	h->what = what;
	h->via = via;
	r->nb_h++;
	return h;
}

/* The spec of hostile frame idx: TCP or UDP from 10.66.0.idx. */
static struct l4_hdr_spec
hostile_spec(const struct hostile_run *r, bool v6, bool udp, uint32_t pay)
{
	const struct l4_hdr_spec hs = { .dst = r->p.local_mac,
		.src = r->p.remote_mac, .v6 = v6, .udp = udp,
		.saddr = HOSTILE_SRC + r->nb_h, .daddr = NORMAL_DST,
		.ip_cksum = true, .sport = 20000 + r->nb_h, .dport = 80,
		.seq = 1, .tcp_flags = RTE_TCP_ACK_FLAG, .win = 100,
		.payload = pay };

	return hs;
}

/* A GSO super-frame through the vnet socket; returns it for tweaking. */
static struct virtio_net_hdr *
add_gso(struct hostile_run *r, const char *what, bool v6, bool udp,
	uint16_t gso_size, uint32_t pay)
{
	struct l4_hdr_spec hs = hostile_spec(r, v6, udp, pay);
	size_t cap = sizeof(struct virtio_net_hdr) + 14 + 40 + 20 + pay;
	struct hostile *h = hostile_new(r, what, VIA_VNET, cap);

	if (h == NULL)
		return NULL;
	h->len = gso_frame_make(h->buf, &hs, gso_size);
	return (struct virtio_net_hdr *)h->buf;
}

/*
 * A malformed frame through the plain raw socket (no vnet header): a
 * TCP/IPv4 frame of len bytes, then broken by the caller. Returns the
 * Ethernet frame.
 */
static uint8_t *
add_raw(struct hostile_run *r, const char *what, size_t len)
{
	struct l4_hdr_spec hs = hostile_spec(r, false, false, 64);
	struct hostile *h = hostile_new(r, what, VIA_RAW, 14 + 20 + 20 + 64);

	if (h == NULL)
		return NULL;
	l4_hdr_make(h->buf, &hs);
	memset(h->buf + 54, 0xee, 64);
	l4_cksum_fill(h->buf, &hs);
	h->len = len;
	return h->buf;
}

static void
ipv4_recsum(uint8_t *f)
{
	struct rte_ipv4_hdr *ip = (void *)(f + 14);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* The GSO super-frames a hostile peer sends (the kernel takes many). */
static int
hostile_gso_list(struct hostile_run *r)
{
	/*
	 * No skb above 64 KiB: the kernel segments those itself on the
	 * peer's side (and its backlog drops most of the segments), which
	 * is no test of the driver.
	 */
	static const struct { bool v6, udp; uint16_t gso; uint32_t pay; } g[] = {
		{ 0, 0, 1, 65000 }, { 0, 0, 7, 64000 }, { 0, 0, 64, 62000 }, { 0, 0, 1, 60000 },
		{ 1, 0, 1, 65000 }, { 1, 0, 7, 61440 }, { 1, 0, 64, 64000 },
		/* The kernel refuses UDP of more than 128 segments, not these: */
		{ 0, 1, 1, 30000 }, { 0, 1, 8, 60000 }, { 1, 1, 2, 20000 },
		{ 0, 1, 1, 128 }, { 1, 1, 8, 1024 },
		/* Within the bound: 42 segments, delivered, not refused. */
		{ 0, 0, 1448, 60000 },
	};
	struct virtio_net_hdr *vh;
	unsigned int i;

	for (i = 0; i < RTE_DIM(g); i++) {
		snprintf(r->names[i], sizeof(r->names[i]), "%s%s gso_size %u, %u B",
			 g[i].udp ? "UDP_L4" : "TCP", g[i].v6 ? "v6" : "v4",
			 g[i].gso, g[i].pay);
		if (add_gso(r, r->names[i], g[i].v6, g[i].udp, g[i].gso,
			    g[i].pay) == NULL)
			return -1;
	}
	/* Checksum fields at or past the end of the frame. */
	vh = add_gso(r, "csum_start at the frame end", false, false, 1000, 3000);
	if (vh == NULL)
		return -1;
	vh->csum_start = 14 + 40 + 3000;
	vh->csum_offset = 0;
	vh = add_gso(r, "csum_offset past the frame end", false, false, 1000, 3000);
	if (vh == NULL)
		return -1;
	vh->csum_offset = 40000;
	vh = add_gso(r, "gso_size 0 with GSO type TCPv4", false, false, 0, 8000);
	if (vh == NULL)
		return -1;
	vh = add_gso(r, "hdr_len past the headers", false, false, 1, 5000);
	if (vh == NULL)
		return -1;
	vh->hdr_len = 4000;
	return 0;
}

/* GSO frames whose L3/L4 headers are broken, and plain broken frames. */
static int
hostile_malformed_list(struct hostile_run *r)
{
	struct virtio_net_hdr *vh;
	uint8_t *f;

	vh = add_gso(r, "GSO TCPv4, TCP doff 2", false, false, 1, 20000);
	if (vh == NULL)
		return -1;
	((uint8_t *)(vh + 1))[14 + 20 + 12] = 2 << 4;
	vh = add_gso(r, "GSO TCPv4, IP total length 100", false, false, 1, 20000);
	if (vh == NULL)
		return -1;
	f = (uint8_t *)(vh + 1);
	f[14 + 2] = 0;
	f[14 + 3] = 100;
	ipv4_recsum(f);
	f = add_raw(r, "IPv4 header cut at 10 bytes", 14 + 10);
	if (f == NULL)
		return -1;
	f = add_raw(r, "IHL 3", 14 + 20 + 20 + 64);
	if (f == NULL)
		return -1;
	f[14] = 0x43;
	ipv4_recsum(f);
	f = add_raw(r, "IP total length beyond the frame", 14 + 20 + 20 + 64);
	if (f == NULL)
		return -1;
	f[14 + 2] = 0x05;	/* 1280 */
	ipv4_recsum(f);
	f = add_raw(r, "IP total length below the header", 14 + 20 + 20 + 64);
	if (f == NULL)
		return -1;
	f[14 + 2] = 0;
	f[14 + 3] = 12;
	ipv4_recsum(f);
	f = add_raw(r, "TCP doff 3", 14 + 20 + 20 + 64);
	if (f == NULL)
		return -1;
	f[14 + 20 + 12] = 3 << 4;
	return 0;
}

static void
hostile_free(struct hostile_run *r)
{
	int i;

	for (i = 0; i < r->nb_h; i++)
		free(r->h[i].buf);
	r->nb_h = 0;
}

/* ---- the peer: one thread, a fixed schedule ---- */

static void
sleep_until(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ull,
		.tv_nsec = ns % 1000000000ull };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

static void
send_hostile(struct hostile_run *r, int k)
{
	struct hostile *h = &r->h[k];
	int fd = h->via == VIA_VNET ? r->vnet_fd : r->raw_fd;

	if (send(fd, h->buf, h->len, 0) == (ssize_t)h->len) {
		h->send_errno = 0;
		r->h_accepted++;
	} else {
		h->send_errno = errno;
		r->h_refused_by_kernel++;
	}
}

/*
 * Normal frame i leaves at t0 + i * NORMAL_GAP_US; the hostile frames
 * are spread evenly between them, the whole list HOSTILE_ROUNDS times.
 */
static void *
peer_thread(void *arg)
{
	struct hostile_run *r = arg;
	int nb_hostile = r->nb_h * HOSTILE_ROUNDS, k = 0, i;
	int every = NORMAL_FRAMES / (nb_hostile + 1);
	uint64_t t0 = now_ns() + 20000000ull;
	uint8_t f[128];

	for (i = 0; i < NORMAL_FRAMES; i++) {
		uint64_t ns;
		size_t len;

		sleep_until(t0 + (uint64_t)i * NORMAL_GAP_US * 1000);
		ns = now_ns();
		len = normal_frame(f, &r->p, i, ns);
		__atomic_store_n(&r->sent_ns[i], ns, __ATOMIC_RELEASE);
		if (send(r->raw_fd, f, len, 0) != (ssize_t)len)
			r->normal_unsent++;
		if (i == 0)
			r->tx_first_ns = ns;
		r->tx_last_ns = ns;
		if (i % every == every / 2 && k < nb_hostile)
			send_hostile(r, k++ % r->nb_h);
	}
	while (k < nb_hostile)
		send_hostile(r, k++ % r->nb_h);
	__atomic_store_n(&r->tx_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* ---- the port side ---- */

/* A normal frame: right bytes, first time, latency noted. */
static void
rx_normal(struct hostile_run *r, const struct rte_mbuf *m, uint64_t now)
{
	uint8_t want[128];
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t seq;
	uint64_t sent;

	memcpy(&seq, d + 42, 4);
	if (seq >= NORMAL_FRAMES || r->seen[seq]) {
		r->normal_bad++;
		return;
	}
	sent = __atomic_load_n(&r->sent_ns[seq], __ATOMIC_ACQUIRE);
	if (m->pkt_len != normal_frame(want, &r->p, seq, sent) ||
	    m->nb_segs != 1 || memcmp(d, want, m->pkt_len) != 0) {
		r->normal_bad++;
		return;
	}
	r->seen[seq] = true;
	r->lat_us[r->normal_got++] = (uint32_t)((now - sent) / 1000);
	if (r->rx_first_ns == 0)
		r->rx_first_ns = now;
	r->rx_last_ns = now;
}

/* Which hostile frame an mbuf came from (segments keep both). */
static int
hostile_index(const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

	if (d[12] == 0x08 && d[13] == 0x00 && m->data_len >= 14 + 16 &&
	    d[26] == 10 && d[27] == 66)
		return d[29];
	if (d[12] == 0x86 && d[13] == 0xdd && m->data_len >= 14 + 40 + 2)
		return ((d[54] << 8) | d[55]) - 20000;
	return -1;
}

static void
rx_classify(struct hostile_run *r, struct rte_mbuf *m, uint64_t now)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	int k;

	if (m->data_len < 14 || memcmp(d + 6, r->p.remote_mac, 6) != 0) {
		r->other++;	/* not from the peer */
		return;
	}
	if (m->data_len >= 42 + 12 && d[12] == 0x08 &&
	    memcmp(d + 26, (const uint8_t[]){ 10, 77, 0, 2 }, 4) == 0) {
		rx_normal(r, m, now);
		if (r->normal_got > 1 && r->h_run > r->h_run_max)
			r->h_run_max = r->h_run;
		r->h_run = 0;
		return;
	}
	r->h_mbufs++;
	r->h_run++;
	if (m->ol_flags & RTE_MBUF_F_RX_LRO)
		r->h_lro++;
	k = hostile_index(m);
	if (k >= 0 && k < r->nb_h)
		r->h_segs[k]++;
	else
		r->h_unattributed++;
}

/* Poll until the peer is done and nothing came for 300 ms (or 15 s). */
static void
rx_loop(struct hostile_run *r)
{
	uint64_t deadline = now_ns() + 15000000000ull, quiet = 0;

	while (now_ns() < deadline) {
		struct rte_mbuf *b[32];
		uint16_t n = rte_eth_rx_burst(r->port, 0, b, 32), i;
		uint64_t now = now_ns();

		for (i = 0; i < n; i++) {
			rx_classify(r, b[i], now);
			rte_pktmbuf_free(b[i]);
		}
		if (n)
			quiet = now;
		/* The clock is read after tx_done: the peer's last send is
		 * then in the past. */
		else if (__atomic_load_n(&r->tx_done, __ATOMIC_ACQUIRE) &&
			 now_ns() - RTE_MAX(quiet, r->tx_last_ns) > 300000000ull)
			break;
	}
}

/* ---- the verdict ---- */

static const char *const xstat_names[] = {
	"rx_sw_gso_refused_errors", "rx_bad_vnet_hdr_errors",
	"rx_oversize_errors", "rx_truncated_errors", "rx_sw_gso_frames",
	"rx_sw_gso_segments", "rx_lro_frames", "rx_kernel_drops",
};
enum { XS_REFUSED, XS_BAD_VNET, XS_OVERSIZE, XS_TRUNC, XS_GSO_FRAMES,
	XS_GSO_SEGS, XS_LRO, XS_KDROPS, XS_N };

/* The port's xstats by name; a name the port does not have is a FAIL. */
static bool
read_xstats(int port, uint64_t v[XS_N])
{
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *xs = NULL;
	int n = rte_eth_xstats_get_names(port, NULL, 0), i, k;
	bool ok = CHECK(n > 0, "xstats count %d", n);

	if (ok) {
		names = calloc(n, sizeof(*names));
		xs = calloc(n, sizeof(*xs));
		ok = CHECK(names && xs && rte_eth_xstats_get_names(port, names, n) == n &&
			   rte_eth_xstats_get(port, xs, n) == n, "xstats read");
	}
	for (k = 0; ok && k < XS_N; k++) {
		for (i = 0; i < n && strcmp(names[xs[i].id].name, xstat_names[k]); i++)
			;
		v[k] = i < n ? xs[i].value : 0;
		CHECK(i < n, "the port has no xstat %s%s", xstat_names[k],
		      k == XS_REFUSED ? " (the RX segmentation bound is missing)" : "");
	}
	free(names);
	free(xs);
	return ok;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
check_normal(struct hostile_run *r)
{
	uint32_t p50 = 0, p99 = 0, max = 0;
	uint64_t tx_span = r->tx_last_ns - r->tx_first_ns;
	uint64_t rx_span = r->rx_last_ns - r->rx_first_ns;
	int i, shown;

	if (r->normal_got > 0) {
		qsort(r->lat_us, r->normal_got, sizeof(r->lat_us[0]), cmp_u32);
		p50 = r->lat_us[r->normal_got / 2];
		p99 = r->lat_us[r->normal_got * 99 / 100];
		max = r->lat_us[r->normal_got - 1];
	}
	printf("  normal frames: %d of %d byte-identical, %d wrong; latency p50 %u us, p99 %u us, max %u us; sent in %lu ms, received in %lu ms\n",
	       r->normal_got, NORMAL_FRAMES, r->normal_bad, p50, p99, max,
	       tx_span / 1000000, rx_span / 1000000);
	for (i = 0, shown = 0; i < NORMAL_FRAMES && shown < 8; i++)
		if (!r->seen[i] && ++shown)
			printf("  normal frame %d (%s) missing\n", i,
			       i % PROBE_EVERY ? "UDP" : "ICMP echo");
	CHECK(r->normal_unsent == 0, "the peer could not send %d normal frames",
	      r->normal_unsent);
	CHECK(r->normal_got == NORMAL_FRAMES && r->normal_bad == 0,
	      "%d of %d normal frames arrived byte-identical, %d wrong",
	      r->normal_got, NORMAL_FRAMES, r->normal_bad);
	CHECK(p99 < LAT_P99_MAX_US, "normal-traffic latency p99 %u us (max %u us), bound %u us",
	      p99, max, LAT_P99_MAX_US);
	/* Throughput: the frames came as fast as they were sent. */
	/*
	 * The schedule puts at most one hostile frame between two normal
	 * ones: with the bound, no more than HOSTILE_MAX_SEGS mbufs can
	 * come between them, however loaded the machine is.
	 */
	printf("  at most %lu hostile mbufs between two normal frames\n",
	       r->h_run_max);
	CHECK(r->h_run_max <= HOSTILE_MAX_SEGS,
	      "%lu hostile mbufs came between two normal frames (starvation)",
	      r->h_run_max);
	CHECK(rx_span <= tx_span + SPAN_SLACK_US * 1000ull,
	      "normal traffic sent in %lu ms took %lu ms to receive",
	      tx_span / 1000000, rx_span / 1000000);
}

static void
check_hostile(struct hostile_run *r, const uint64_t xs[XS_N])
{
	uint32_t worst = 0, first_gso1 = 0;
	int i, worst_i = 0;
	uint64_t whole, dropped;

	for (i = 0; i < r->nb_h; i++) {
		if (r->h_segs[i] > worst) {
			worst = r->h_segs[i];
			worst_i = i;
		}
	}
	/* h_segs[] sums both rounds of the list. */
	first_gso1 = r->h_segs[0] / HOSTILE_ROUNDS;
	for (i = 0; i < r->nb_h; i++)
		printf("  hostile %2d: %-45s %s, %u mbufs a frame\n", i, r->h[i].what,
		       r->h[i].send_errno ? strerror(r->h[i].send_errno) : "sent",
		       r->h_segs[i] / HOSTILE_ROUNDS);
	printf("  hostile: %d accepted by the kernel, %d refused by it; %lu mbufs (%lu LRO, %lu unattributed); '%s' made %u mbufs a frame\n",
	       r->h_accepted, r->h_refused_by_kernel, r->h_mbufs, r->h_lro,
	       r->h_unattributed, r->h[0].what, first_gso1);
	printf("  xstats: refused %lu bad_vnet %lu oversize %lu truncated %lu gso_frames %lu gso_segments %lu lro %lu kernel_drops %lu\n",
	       xs[XS_REFUSED], xs[XS_BAD_VNET], xs[XS_OVERSIZE], xs[XS_TRUNC],
	       xs[XS_GSO_FRAMES], xs[XS_GSO_SEGS], xs[XS_LRO], xs[XS_KDROPS]);
	CHECK(worst <= HOSTILE_MAX_SEGS * HOSTILE_ROUNDS,
	      "'%s' made %u segments a frame, more than %d", r->h[worst_i].what,
	      worst / HOSTILE_ROUNDS, HOSTILE_MAX_SEGS);
	CHECK(xs[XS_GSO_SEGS] <= (uint64_t)HOSTILE_MAX_SEGS * xs[XS_GSO_FRAMES],
	      "%lu segments from %lu super-frames", xs[XS_GSO_SEGS],
	      xs[XS_GSO_FRAMES]);
	/*
	 * Accounting, over the frames that left the peer (normal frames
	 * all arrived, checked above, so every kernel drop is hostile):
	 *
	 *   hostile accepted by sendto() =
	 *	  (hostile mbufs - rx_sw_gso_segments)	delivered whole
	 *	+ rx_sw_gso_frames			segmented
	 *	+ rx_sw_gso_refused_errors + rx_bad_vnet_hdr_errors
	 *	+ rx_oversize_errors + rx_truncated_errors + rx_kernel_drops
	 *
	 * A segmented super-frame counts once in rx_sw_gso_frames and its
	 * segments once each in rx_sw_gso_segments and in the mbufs.
	 */
	CHECK(r->h_mbufs >= xs[XS_GSO_SEGS], "%lu hostile mbufs, %lu segments",
	      r->h_mbufs, xs[XS_GSO_SEGS]);
	whole = r->h_mbufs - RTE_MIN(r->h_mbufs, xs[XS_GSO_SEGS]);
	dropped = xs[XS_REFUSED] + xs[XS_BAD_VNET] + xs[XS_OVERSIZE] +
		xs[XS_TRUNC] + xs[XS_KDROPS];
	CHECK((uint64_t)r->h_accepted == whole + xs[XS_GSO_FRAMES] + dropped,
	      "%d hostile frames accepted, %lu accounted for (%lu whole + %lu segmented + %lu dropped)",
	      r->h_accepted, whole + xs[XS_GSO_FRAMES] + dropped, whole,
	      xs[XS_GSO_FRAMES], dropped);
	CHECK(r->other == 0, "%d frames from elsewhere", r->other);
	if (r->lro) {
		/* With LRO the super-frames come whole: nothing cut. */
		CHECK(xs[XS_GSO_FRAMES] == 0 && xs[XS_GSO_SEGS] == 0,
		      "LRO on, yet %lu frames cut into %lu segments",
		      xs[XS_GSO_FRAMES], xs[XS_GSO_SEGS]);
		CHECK(r->h_lro == xs[XS_LRO] && r->h_lro > 0,
		      "%lu LRO mbufs seen, rx_lro_frames %lu", r->h_lro,
		      xs[XS_LRO]);
	}
}

/* ---- the cases ---- */

static int
hostile_setup(struct hostile_run *r)
{
	struct port_cfg cfg = {
		.rx_offloads = r->lro ? RTE_ETH_RX_OFFLOAD_TCP_LRO : 0 };

	r->vnet_fd = r->raw_fd = -1;
	r->port = peer_port_open(&r->p, r->lro ? "hlro" : "host", 1500, 0,
				 &cfg);
	if (r->port < 0)
		return -1;
	r->vnet_fd = peer_tx_open(&r->p, true);
	r->raw_fd = peer_tx_open(&r->p, false);
	if (!CHECK(r->vnet_fd >= 0 && r->raw_fd >= 0, "peer sockets"))
		return -1;
	return CHECK(hostile_gso_list(r) == 0 && hostile_malformed_list(r) == 0,
		     "hostile frames") ? 0 : -1;
}

static void
hostile_teardown(struct hostile_run *r)
{
	if (r->sending)
		pthread_join(r->th, NULL);
	if (r->vnet_fd >= 0)
		close(r->vnet_fd);
	if (r->raw_fd >= 0)
		close(r->raw_fd);
	hostile_free(r);
	peer_port_close(&r->p, r->port);
	free(r);
}

static int
hostile_case(bool lro)
{
	struct hostile_run *r = calloc(1, sizeof(*r));
	uint64_t xs[XS_N] = { 0 };

	if (r == NULL)
		return 1;
	r->lro = lro;
	if (hostile_setup(r) == 0 &&
	    CHECK(pthread_create(&r->th, NULL, peer_thread, r) == 0, "peer thread")) {
		r->sending = true;
		rx_loop(r);
		pthread_join(r->th, NULL);
		r->sending = false;
		check_normal(r);
		if (read_xstats(r->port, xs))
			check_hostile(r, xs);
	}
	hostile_teardown(r);
	return 0;
}

int test_rx_hostile_peer(void) { return hostile_case(false); }
int test_rx_hostile_peer_lro(void) { return hostile_case(true); }
