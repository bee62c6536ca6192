/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/net_tstamp.h>
#include <numa.h>
#include <numaif.h>

#include "tpk_compat.h"
#include "tpk_sock.h"

/* Describe the failed call what (errno) in err; returns -errno. */
static int
sock_err(const char *what, char *err, size_t errlen)
{
	int e = errno;

	snprintf(err, errlen, "%s: %s", what, strerror(e));
	return -e;
}

static int
setopt_int(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val));
}

/*
 * Rings are allocated by the kernel in the caller's context at
 * PACKET_RX_RING/PACKET_TX_RING time: a preferred-node memory policy
 * around that call places them on the polling lcore's node.
 */
struct numa_save {
	int active;
	int mode;
	unsigned long mask[16];
};

static void
numa_prefer(int node, struct numa_save *s)
{
	unsigned long mask[16] = { 0 };

	s->active = 0;
	if (node < 0 || node >= 1024 || numa_available() < 0 ||
	    node > numa_max_node())
		return;
	if (get_mempolicy(&s->mode, s->mask, 1024, NULL, 0) < 0)
		return;
	mask[node / 64] = 1ul << (node % 64);
	if (set_mempolicy(MPOL_PREFERRED, mask, 1024) == 0)
		s->active = 1;
}

static void
numa_restore(struct numa_save *s)
{
	if (s->active)
		set_mempolicy(s->mode, s->mask, 1024);
}

/* The socket options of cfg; the name of the one that failed, or NULL. */
static const char *
sock_options(int fd, const struct tpk_sock_cfg *cfg)
{
	if (cfg->rx_frame_size) {
		if (setopt_int(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V2) < 0)
			return "PACKET_VERSION TPACKET_V2";
		/* A frame longer than its slot is also queued whole. */
		if (setopt_int(fd, SOL_PACKET, PACKET_COPY_THRESH, 1) < 0)
			return "PACKET_COPY_THRESH";
	} else if (setopt_int(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V3) < 0) {
		return "PACKET_VERSION TPACKET_V3";
	}
	if (cfg->vnet_len && setopt_int(fd, SOL_PACKET, PACKET_VNET_HDR, 1) < 0)
		return "PACKET_VNET_HDR";
	/* Skip a frame the kernel refuses instead of stalling the ring. */
	if (cfg->tx_frame_size && setopt_int(fd, SOL_PACKET, PACKET_LOSS, 1) < 0)
		return "PACKET_LOSS";
	if (cfg->qdisc_bypass &&
	    setopt_int(fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1) < 0)
		return "PACKET_QDISC_BYPASS";
	if (cfg->ignore_outgoing &&
	    setopt_int(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1) < 0)
		return "PACKET_IGNORE_OUTGOING";
	if (cfg->hw_timestamp) {
		int v = SOF_TIMESTAMPING_RAW_HARDWARE;

		/* Falls back to software stamps per frame if none is there. */
		if (setsockopt(fd, SOL_PACKET, PACKET_TIMESTAMP, &v, sizeof(v)) < 0)
			return "PACKET_TIMESTAMP";
	}
	if (cfg->sndbuf &&
	    setopt_int(fd, SOL_SOCKET, SO_SNDBUFFORCE, cfg->sndbuf) < 0 &&
	    setopt_int(fd, SOL_SOCKET, SO_SNDBUF, cfg->sndbuf) < 0)
		return "SO_SNDBUF";
	/* Without CAP_NET_ADMIN the kernel caps the size at rmem_max. */
	if (cfg->rcvbuf &&
	    setopt_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, cfg->rcvbuf) < 0 &&
	    setopt_int(fd, SOL_SOCKET, SO_RCVBUF, cfg->rcvbuf) < 0)
		return "SO_RCVBUF";
	if (cfg->auxdata && setopt_int(fd, SOL_PACKET, PACKET_AUXDATA, 1) < 0)
		return "PACKET_AUXDATA";
	if (cfg->sw_timestamp && setopt_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1) < 0)
		return "SO_TIMESTAMPNS";
	return NULL;
}

/*
 * The RX and TX rings of cfg, with the memory policy of the queue's node
 * (the kernel allocates them in this call); their sizes into *rx_len and
 * *tx_len. The name of the call that failed, or NULL.
 */
static const char *
sock_rings(int fd, const struct tpk_sock_cfg *cfg, struct tpk_ring *r,
	   size_t *rx_len, size_t *tx_len)
{
	struct tpacket_req3 req;
	const char *what = NULL;
	struct numa_save ns;
	int ret;

	numa_prefer(cfg->numa_node, &ns);
	if (cfg->block_size) {
		/* V2 slots, or V3 blocks (which ignore the frame size beyond
		 * a consistency check); V2 takes the leading tpacket_req. */
		uint32_t fsz = cfg->rx_frame_size ? cfg->rx_frame_size : 2048;

		memset(&req, 0, sizeof(req));
		req.tp_block_size = cfg->block_size;
		req.tp_block_nr = cfg->nb_blocks;
		req.tp_frame_size = fsz;
		req.tp_frame_nr = cfg->block_size / fsz * cfg->nb_blocks;
		if (!cfg->rx_frame_size) {
			req.tp_retire_blk_tov = cfg->tov_ms;
			req.tp_feature_req_word = cfg->rxhash ?
				TP_FT_REQ_FILL_RXHASH : 0;
		}
		if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req,
			       cfg->rx_frame_size ? sizeof(struct tpacket_req) :
			       sizeof(req)) < 0) {
			what = "PACKET_RX_RING";
			goto out;
		}
		r->block_size = cfg->block_size;
		r->nb_blocks = cfg->nb_blocks;
		r->rx_frame_size = cfg->rx_frame_size;
		r->rx_frames = cfg->rx_frame_size ? req.tp_frame_nr : 0;
		*rx_len = (size_t)cfg->block_size * cfg->nb_blocks;
	}
	if (cfg->tx_frame_size) {
		uint32_t bs = cfg->tx_frame_size < 4096 ? 4096 : cfg->tx_frame_size;
		uint32_t per = bs / cfg->tx_frame_size;

		memset(&req, 0, sizeof(req));
		req.tp_block_size = bs;
		req.tp_frame_size = cfg->tx_frame_size;
		req.tp_block_nr = (cfg->tx_frames + per - 1) / per;
		req.tp_frame_nr = req.tp_block_nr * per;
		if (setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &req,
			       sizeof(req)) < 0) {
			what = "PACKET_TX_RING";
			goto out;
		}
		r->frame_size = cfg->tx_frame_size;
		r->nb_frames = req.tp_frame_nr;
		*tx_len = (size_t)bs * req.tp_block_nr;
	}
out:
	ret = errno;	/* the failed call's, not the policy restore's */
	numa_restore(&ns);
	errno = ret;
	return what;
}

int
tpk_sock_open(const struct tpk_sock_cfg *cfg, struct tpk_ring *r,
	      char *err, size_t errlen)
{
	struct sockaddr_ll sll;
	size_t rx_len = 0, tx_len = 0;
	const char *what;
	int fd, ret;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	/* Protocol 0: no receive hook until bind() names the device. */
	fd = cfg->adopt ? cfg->fd : socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket(AF_PACKET): %s%s", strerror(errno),
			 errno == EPERM ? " (needs CAP_NET_RAW)" : "");
		return -errno;
	}
	r->fd = fd;
	what = sock_options(fd, cfg);
	if (what == NULL)
		what = sock_rings(fd, cfg, r, &rx_len, &tx_len);
	if (what == NULL && rx_len + tx_len) {
		/* RX ring then TX ring, in one mapping at offset 0. */
		void *m = mmap(NULL, rx_len + tx_len, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_POPULATE, fd, 0);

		if (m == MAP_FAILED) {
			what = "mmap ring";
		} else {
			r->map = m;
			r->map_len = rx_len + tx_len;
		}
	}
	if (what == NULL) {
		memset(&sll, 0, sizeof(sll));
		sll.sll_family = AF_PACKET;
		sll.sll_ifindex = cfg->ifindex;
		sll.sll_protocol = cfg->block_size || cfg->rx ? htons(ETH_P_ALL) : 0;
		if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			what = "bind";
	}
	if (what == NULL)
		return 0;
	ret = sock_err(what, err, errlen);
	tpk_sock_close(r);
	return ret;
}

void
tpk_sock_close(struct tpk_ring *r)
{
	if (r->map != NULL)
		munmap(r->map, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	r->map = NULL;
	r->map_len = 0;
	r->fd = -1;
}

int
tpk_fanout_join(int fd, int *id, uint16_t mode, uint16_t flags)
{
	uint32_t arg;
	socklen_t len = sizeof(arg);

	if (*id < 0) {
		arg = (uint32_t)(mode | flags | PACKET_FANOUT_FLAG_UNIQUEID) << 16;
		if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg,
			       sizeof(arg)) < 0)
			return -errno;
		if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, &len) < 0)
			return -errno;
		*id = arg & 0xffff;
		return 0;
	}
	arg = (uint32_t)*id | (uint32_t)(mode | flags) << 16;
	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0)
		return -errno;
	return 0;
}

int
tpk_sock_stats(int fd, uint64_t *packets, uint64_t *drops, uint64_t *freezes)
{
	struct tpacket_stats_v3 st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
		return -errno;
	*packets += st.tp_packets;
	*drops += st.tp_drops;
	*freezes += st.tp_freeze_q_cnt;
	return 0;
}

int
tpk_sock_membership(int fd, int ifindex, int type, bool add)
{
	struct packet_mreq mr;

	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = ifindex;
	mr.mr_type = type;
	if (setsockopt(fd, SOL_PACKET,
		       add ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP,
		       &mr, sizeof(mr)) < 0)
		return -errno;
	return 0;
}
