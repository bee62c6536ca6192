/* SPDX-License-Identifier: BSD-3-Clause
 * RX interrupts and the power-monitor address.
 *
 * The queue's AF_PACKET socket is itself the event fd. It polls readable
 * once a ring block is handed to user space, that is when a block fills
 * or its retire timer (tov) fires.
 */
#include <errno.h>

#include <rte_interrupts.h>
#include <ethdev_driver.h>

#include "tpacket_ethdev.h"

/* Map RX queue i to vector RTE_INTR_VEC_RXTX_OFFSET + i, fd = its socket. */
int
tpk_rx_intr_install(struct rte_eth_dev *dev)
{
	struct rte_intr_handle *h = dev->intr_handle;
	uint16_t n = dev->data->nb_rx_queues, i;

	if (!dev->data->dev_conf.intr_conf.rxq || h == NULL)
		return 0;
	if (n > RTE_MAX_RXTX_INTR_VEC_ID) {
		TPK_LOG(ERR, "%s: at most %d RX interrupt vectors",
			dev->data->name, RTE_MAX_RXTX_INTR_VEC_ID);
		return -ENOTSUP;
	}
	if (rte_intr_vec_list_alloc(h, NULL, n) != 0)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct tpk_rxq *rxq = dev->data->rx_queues[i];

		if (rte_intr_vec_list_index_set(h, i,
				RTE_INTR_VEC_RXTX_OFFSET + i) ||
		    rte_intr_efds_index_set(h, i, rxq->ring.fd))
			return -EINVAL;
	}
	/*
	 * A virtual device's vectors: one event fd per queue (its socket),
	 * which is what rte_intr_cap_multiple() and the eventdev Rx
	 * interrupt adapter look for. Counter size 0: EAL never reads the
	 * fd (it would consume a frame); the next rx_burst drains it.
	 */
	if (rte_intr_type_set(h, RTE_INTR_HANDLE_VDEV) ||
	    rte_intr_efd_counter_size_set(h, 0))
		return -EINVAL;
	rte_intr_nb_efd_set(h, n);
	rte_intr_max_intr_set(h, n + 1);
	return 0;
}

void
tpk_rx_intr_uninstall(struct rte_eth_dev *dev)
{
	struct rte_intr_handle *h = dev->intr_handle;

	if (h == NULL)
		return;
	rte_intr_vec_list_free(h);
	rte_intr_nb_efd_set(h, 0);
}

/*
 * The socket is level-readable while a block is user-owned, so there is
 * nothing to arm or mask: the application stops waiting on the fd when it
 * polls. Both ops exist so that ethdev accepts interrupt mode.
 */
int
tpk_rx_intr_enable(struct rte_eth_dev *dev __rte_unused,
		   uint16_t qid __rte_unused)
{
	return 0;
}

int
tpk_rx_intr_disable(struct rte_eth_dev *dev __rte_unused,
		    uint16_t qid __rte_unused)
{
	return 0;
}

/* Power management: sleep until the kernel hands over the next block. */
static int
tpk_monitor_cb(const uint64_t val,
	       const uint64_t opaque[RTE_POWER_MONITOR_OPAQUE_SZ] __rte_unused)
{
	return (val & TP_STATUS_USER) ? -1 : 0;
}

int
tpk_get_monitor_addr(void *q, struct rte_power_monitor_cond *pmc)
{
	struct tpk_rxq *rxq = q;
	struct tpk_v3_cursor view;
	uint8_t *ring = rxq->cur.ring;
	int fd;

	/* recvmmsg mode: no memory word announces a frame. */
	if (rxq->rcv != NULL)
		return -ENOTSUP;
	if (rxq->cur.ring == NULL)
		return -ENODEV;
	/* This process's mapping: a secondary's differs from the primary's. */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY &&
	    tpk_proc_rxq(rxq, &fd, &ring) < 0)
		return -ENODEV;
	if (rxq->frames) {
		pmc->addr = tpk_v2_status_addr(ring, &rxq->v2);
		pmc->size = sizeof(uint32_t);
		pmc->fn = tpk_monitor_cb;
		return 0;
	}
	view = rxq->cur;
	view.ring = ring;
	pmc->addr = &tpk_v3_block(&view, view.blk)->hdr.bh1.block_status;
	pmc->size = sizeof(uint32_t);
	pmc->fn = tpk_monitor_cb;
	return 0;
}
