/* SPDX-License-Identifier: BSD-3-Clause
 * Secondary processes.
 *
 * Sockets belong to the primary. A secondary asks for them over EAL's
 * multi-process channel, which passes file descriptors (SCM_RIGHTS), and
 * maps each RX ring itself. Queue state (the ring cursor, counters) lives
 * in the port's shared queue structures, so a queue keeps its position
 * whichever process polls it; only the ring address and the fds are per
 * process, kept in dev->process_private and passed to the burst core
 * (tpk_proc_rxq/txq). Shared memory only ever holds the primary's fds and
 * addresses, so the primary's control path (statistics, handing out fds)
 * never sees a number that belongs to another process.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <rte_branch_prediction.h>
#include <rte_eal.h>
#include <ethdev_driver.h>

#include "tpacket_ethdev.h"

#define TPK_MP_ACTION "net_tpacket_fds"
/* A secondary's xstats: the flow drops are read from the primary's maps. */
#define TPK_MP_FLOW_ACTION "net_tpacket_flow_xstats"

struct tpk_mp_param {
	char port[RTE_ETH_NAME_MAX_LEN];
	uint16_t first;		/* index into [rx queues..., tx queues...] */
	uint16_t count;		/* reply: fds in this message */
	uint16_t nb_rx, nb_tx;	/* reply */
	int32_t err;		/* reply */
};

struct tpk_mp_flow_param {
	char port[RTE_ETH_NAME_MAX_LEN];
	int32_t err;		/* reply */
	uint64_t drops;		/* reply: rx_flow_drops */
	uint64_t isolate_drops;	/* reply: rx_flow_isolate_drops */
};

static int mp_users;

/*
 * A port of this driver by name, or NULL: a request may name any port,
 * and only ours have our private data.
 */
static struct rte_eth_dev *
tpk_mp_port(const char *name, size_t len)
{
	struct rte_eth_dev *dev;

	if (strnlen(name, len) == len)
		return NULL;
	dev = rte_eth_dev_allocated(name);
	if (dev == NULL || !tpk_dev_is_ours(dev))
		return NULL;
	return dev;
}

static int
tpk_mp_primary(const struct rte_mp_msg *msg, const void *peer)
{
	const struct tpk_mp_param *rq = (const void *)msg->param;
	struct rte_mp_msg reply;
	struct tpk_mp_param *rp = (void *)reply.param;
	struct rte_eth_dev *dev;
	uint16_t i, total;

	memset(&reply, 0, sizeof(reply));
	snprintf(reply.name, sizeof(reply.name), "%s", TPK_MP_ACTION);
	reply.len_param = sizeof(*rp);
	if (msg->len_param != sizeof(*rq)) {
		rp->err = -EINVAL;
		return rte_mp_reply(&reply, peer);
	}
	*rp = *rq;
	dev = tpk_mp_port(rq->port, sizeof(rq->port));
	if (dev == NULL) {
		rp->err = -ENODEV;
		return rte_mp_reply(&reply, peer);
	}
	rp->nb_rx = dev->data->nb_rx_queues;
	rp->nb_tx = dev->data->nb_tx_queues;
	total = rp->nb_rx + rp->nb_tx;
	rp->count = 0;
	for (i = rq->first; i < total && reply.num_fds < RTE_MP_MAX_FD_NUM; i++) {
		int fd;

		if (i < rp->nb_rx) {
			struct tpk_rxq *q = dev->data->rx_queues[i];

			fd = q ? q->ring.fd : -1;
		} else {
			struct tpk_txq *q = dev->data->tx_queues[i - rp->nb_rx];

			fd = q ? q->fd : -1;
		}
		if (fd < 0) {
			rp->err = -EAGAIN;	/* a queue is not started */
			break;
		}
		reply.fds[reply.num_fds++] = fd;
		rp->count++;
	}
	return rte_mp_reply(&reply, peer);
}

static int
tpk_mp_flow_primary(const struct rte_mp_msg *msg, const void *peer)
{
	const struct tpk_mp_flow_param *rq = (const void *)msg->param;
	struct rte_mp_msg reply;
	struct tpk_mp_flow_param *rp = (void *)reply.param;
	struct rte_eth_dev *dev;

	memset(&reply, 0, sizeof(reply));
	snprintf(reply.name, sizeof(reply.name), "%s", TPK_MP_FLOW_ACTION);
	reply.len_param = sizeof(*rp);
	if (msg->len_param != sizeof(*rq)) {
		rp->err = -EINVAL;
		return rte_mp_reply(&reply, peer);
	}
	memcpy(rp->port, rq->port, sizeof(rp->port));
	dev = tpk_mp_port(rq->port, sizeof(rq->port));
	if (dev == NULL)
		rp->err = -ENODEV;
	else
		tpk_flow_xstats(dev->data->dev_private, &rp->drops,
				&rp->isolate_drops);
	return rte_mp_reply(&reply, peer);
}

int
tpk_mp_init_primary(void)
{
	int ret;

	if (mp_users++ > 0)
		return 0;
	ret = rte_mp_action_register(TPK_MP_ACTION, tpk_mp_primary);
	if (ret < 0 && rte_errno != ENOTSUP && rte_errno != EEXIST) {
		mp_users--;
		return -rte_errno;
	}
	ret = rte_mp_action_register(TPK_MP_FLOW_ACTION, tpk_mp_flow_primary);
	if (ret < 0 && rte_errno != ENOTSUP && rte_errno != EEXIST) {
		ret = -rte_errno;
		rte_mp_action_unregister(TPK_MP_ACTION);
		mp_users--;
		return ret;
	}
	return 0;
}

void
tpk_mp_uninit_primary(void)
{
	if (mp_users > 0 && --mp_users == 0) {
		rte_mp_action_unregister(TPK_MP_FLOW_ACTION);
		rte_mp_action_unregister(TPK_MP_ACTION);
	}
}

/*
 * Secondary: the port's flow drops as the primary reads them (the counter
 * maps are the primary's descriptors). 0 and both set, or -errno.
 */
int
tpk_mp_flow_xstats(struct rte_eth_dev *dev, uint64_t *drops,
		   uint64_t *isolate_drops)
{
	struct rte_mp_msg req;
	struct rte_mp_reply rep;
	struct tpk_mp_flow_param *rq = (void *)req.param;
	const struct tpk_mp_flow_param *rp;
	struct timespec ts = { .tv_sec = 1 };
	int ret = -EIO;

	memset(&req, 0, sizeof(req));
	snprintf(req.name, sizeof(req.name), "%s", TPK_MP_FLOW_ACTION);
	req.len_param = sizeof(*rq);
	snprintf(rq->port, sizeof(rq->port), "%s", dev->data->name);
	if (rte_mp_request_sync(&req, &rep, &ts) < 0)
		return -EIO;
	if (rep.nb_received == 1 && rep.msgs[0].len_param == sizeof(*rp)) {
		rp = (const void *)rep.msgs[0].param;
		ret = rp->err;
		if (ret == 0) {
			*drops = rp->drops;
			*isolate_drops = rp->isolate_drops;
		}
	}
	free(rep.msgs);
	return ret;
}

void
tpk_proc_free(struct rte_eth_dev *dev)
{
	struct tpk_proc *pp = dev->process_private;
	int i;

	if (pp == NULL)
		return;
	for (i = 0; i < TPK_MAX_QUEUES; i++) {
		if (pp->rx_map[i] != NULL)
			munmap(pp->rx_map[i], pp->rx_len[i]);
		if (pp->tx_map[i] != NULL)
			munmap(pp->tx_map[i], pp->tx_len[i]);
		if (pp->rx_fd[i] >= 0)
			close(pp->rx_fd[i]);
		if (pp->tx_fd[i] >= 0)
			close(pp->tx_fd[i]);
	}
	free(pp);
	dev->process_private = NULL;
}

/*
 * Ask the primary for the fds of every queue, in batches of what one
 * message carries. 1: the primary has not started every queue (stats
 * work, no datapath here); 0: all received; negative: error.
 */
static int
tpk_mp_fetch_fds(struct rte_eth_dev *dev, struct tpk_proc *pp)
{
	uint16_t first = 0, total = 1;

	while (first < total) {
		struct rte_mp_msg req;
		struct rte_mp_reply rep;
		struct tpk_mp_param *rq = (void *)req.param, *rp;
		struct timespec ts = { .tv_sec = 5 };
		const struct rte_mp_msg *m;
		int k;

		memset(&req, 0, sizeof(req));
		snprintf(req.name, sizeof(req.name), "%s", TPK_MP_ACTION);
		req.len_param = sizeof(*rq);
		snprintf(rq->port, sizeof(rq->port), "%s", dev->data->name);
		rq->first = first;
		if (rte_mp_request_sync(&req, &rep, &ts) < 0 || rep.nb_received != 1) {
			TPK_LOG(ERR, "%s: no answer from the primary", dev->data->name);
			return -EIO;
		}
		m = &rep.msgs[0];
		rp = (void *)m->param;
		if (rp->err == -ENODEV || (rp->err && rp->count == 0)) {
			int err = rp->err;

			for (k = 0; k < m->num_fds; k++)
				close(m->fds[k]);
			free(rep.msgs);
			return err == -EAGAIN ? 1 : err;
		}
		total = RTE_MIN(rp->nb_rx + rp->nb_tx, 2 * TPK_MAX_QUEUES);
		for (k = 0; k < m->num_fds; k++) {
			uint16_t idx = first + k;

			if (idx < rp->nb_rx)
				pp->rx_fd[idx] = m->fds[k];
			else if (idx - rp->nb_rx < TPK_MAX_QUEUES)
				pp->tx_fd[idx - rp->nb_rx] = m->fds[k];
			else
				close(m->fds[k]);
		}
		first += rp->count;
		free(rep.msgs);
		if (rp->count == 0)
			break;
	}
	return 0;
}

/* Map fd's ring of len bytes (0: none) into *map. */
static int
tpk_mp_map(int fd, size_t len, uint8_t **map, size_t *map_len)
{
	void *m;

	if (fd < 0 || len == 0)
		return 0;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	*map = m;
	*map_len = len;
	return 0;
}

/* Secondary: fetch the primary's sockets and map the rings. */
int
tpk_mp_attach(struct rte_eth_dev *dev)
{
	struct tpk_proc *pp;
	int i, ret;

	pp = calloc(1, sizeof(*pp));
	if (pp == NULL)
		return -ENOMEM;
	for (i = 0; i < TPK_MAX_QUEUES; i++)
		pp->rx_fd[i] = pp->tx_fd[i] = -1;
	dev->process_private = pp;
	ret = tpk_mp_fetch_fds(dev, pp);
	if (ret == 1) {
		TPK_LOG(WARNING, "%s: the primary has not started every queue; no datapath in this process",
			dev->data->name);
		return 0;
	}
	if (ret < 0)
		return ret;
	for (i = 0; i < dev->data->nb_rx_queues && i < TPK_MAX_QUEUES; i++) {
		struct tpk_rxq *rxq = dev->data->rx_queues[i];

		if (rxq != NULL && (ret = tpk_mp_map(pp->rx_fd[i],
				rxq->ring.map_len, &pp->rx_map[i],
				&pp->rx_len[i])) < 0)
			return ret;
	}
	for (i = 0; i < dev->data->nb_tx_queues && i < TPK_MAX_QUEUES; i++) {
		struct tpk_txq *txq = dev->data->tx_queues[i];

		if (txq != NULL && (ret = tpk_mp_map(pp->tx_fd[i],
				txq->ring.map_len, &pp->tx_map[i],
				&pp->tx_len[i])) < 0)
			return ret;
	}
	TPK_LOG(INFO, "%s: attached to %u RX and %u TX queues of the primary",
		dev->data->name, dev->data->nb_rx_queues, dev->data->nb_tx_queues);
	return 0;
}

/*
 * This process's descriptor and mapping of a queue. The queue structs are
 * shared and only ever hold the primary's; a secondary's bursts pass
 * these to the burst core instead of writing them anywhere shared.
 */
int
tpk_proc_rxq(const struct tpk_rxq *rxq, int *fd, uint8_t **ring)
{
	const struct tpk_proc *pp =
		rte_eth_devices[rxq->port_id].process_private;
	uint16_t q = rxq->queue_id;

	if (unlikely(pp == NULL || q >= TPK_MAX_QUEUES || pp->rx_fd[q] < 0))
		return -ENODEV;
	*fd = pp->rx_fd[q];
	/* recvmmsg mode: the arena is hugepage memory, shared at one address. */
	*ring = rxq->rcv != NULL ? rxq->rcv->arena : pp->rx_map[q];
	return *ring != NULL ? 0 : -ENODEV;
}

int
tpk_proc_txq(const struct tpk_txq *txq, int *fd, uint8_t **map)
{
	const struct tpk_proc *pp =
		rte_eth_devices[txq->port_id].process_private;
	uint16_t q = txq->queue_id;

	if (unlikely(pp == NULL || q >= TPK_MAX_QUEUES || pp->tx_fd[q] < 0))
		return -ENODEV;
	*fd = pp->tx_fd[q];
	*map = pp->tx_map[q];
	return 0;
}
