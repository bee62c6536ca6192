/* SPDX-License-Identifier: BSD-3-Clause
 * net_tpacket internals shared by the control path and the datapath.
 */
#ifndef TPACKET_ETHDEV_H
#define TPACKET_ETHDEV_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_ethdev.h>

#include "tpk_devargs.h"
#include "tpk_flow.h"
#include "tpk_geom.h"
#include "tpk_kfeat.h"
#include "tpk_netif.h"
#include "tpk_pkt.h"
#include "tpk_rcv.h"
#include "tpk_v2.h"
#include "tpk_sock.h"
#include "tpk_v3.h"
#include "tpk_vnet.h"

extern int tpk_logtype;
/* The vdev driver name: a port is ours if its driver has it. */
#define TPK_DRIVER_NAME "net_tpacket"

#define TPK_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, tpk_logtype, "%s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

/* Redirection table entries (a power of two, see bpf/tpk_rss.bpf.c). */
#define TPK_RETA_SIZE		128

/* rx_mode=frames: how long a queue under sustained traffic may hold
 * frames back to deliver them in bursts (tpk_rx_slots). */
#define TPK_V2_HOLDOFF_US	20

/* Messages per sendmmsg() call and iovecs shared by them. */
#define TPK_TX_BATCH		64
#define TPK_TX_IOV		256
/* Calls in a row a frame may fail with ENOBUFS before it is dropped. */
#define TPK_TX_NOBUFS_RETRIES	32
/* Most segments one TX mbuf chain may have (advertised nb_seg_max). */
#define TPK_TX_MAX_SEGS		64
/* Room for L2 (+ inserted VLAN tag) + L3 + L4 headers we rewrite. */
#define TPK_TX_HDR_MAX		256

#define TPK_TX_OFFLOAD_VNET (RTE_ETH_TX_OFFLOAD_TCP_TSO | \
	RTE_ETH_TX_OFFLOAD_UDP_TSO | RTE_ETH_TX_OFFLOAD_TCP_CKSUM | \
	RTE_ETH_TX_OFFLOAD_UDP_CKSUM)

/* Counters of an RX queue: written by its polling lcore only. */
struct tpk_rxq_stats {
	uint64_t pkts;
	uint64_t bytes;
	uint64_t nombuf;	/* mbuf allocation failures (frame kept) */
	uint64_t truncated;	/* tp_snaplen < tp_len: dropped */
	uint64_t oversize;	/* larger than the mbuf and no scatter */
	uint64_t bad_vnet;	/* vnet header inconsistent with the frame */
	uint64_t csum_sw;	/* partial checksums completed in software */
	uint64_t gso_sw;	/* super-frames segmented in software */
	uint64_t gso_segs;	/* segments those produced */
	uint64_t gso_mss_cut;	/* TCP super-frames cut below gso_size (MTU) */
	uint64_t gso_refused;	/* more than TPK_RX_GSO_MAX_SEGS segments */
	uint64_t lro;		/* super-frames delivered whole (LRO) */
	uint64_t long_frames;	/* rx_mode=frames: longer than a slot, recv()ed */
};

/* A GSO super-frame being cut into segments over one or more bursts. */
struct tpk_gso_state {
	size_t frame_off;	/* untagged frame, as an offset in the ring */
	struct tpk_pkt_info pi;	/* its headers, as found in the ring */
	uint32_t hdr_len;
	uint32_t payload_len;
	uint32_t done;		/* payload bytes already emitted */
	uint32_t idx;		/* next segment number */
	uint16_t gso_size;
	uint16_t vlan_tci;
	uint16_t vlan_tpid;	/* non-zero: insert this tag */
	uint32_t rxhash;
	uint64_t ts;
	uint32_t mark;		/* hash.fdir.hi of every segment */
	bool has_mark;
	bool active;
	bool in_ovf;		/* frame_off is in the overflow buffer, not the ring */
};

/* A port's rte_flow state (tpacket_flow.c). */
struct rte_flow;
struct tpk_flow_table;
struct tpk_flow_port {
	/*
	 * Held by every rte_flow op and by the xstats that read the rules.
	 * A mutex, not a spinlock: an op holds it across bpf() calls (a
	 * program load runs the verifier), and the threads that wait
	 * (telemetry, the MP channel, the link event thread) should sleep.
	 * No burst takes it. Process-shared: it lives in dev_private.
	 */
	pthread_mutex_t lock;
	TAILQ_HEAD(, rte_flow) list;
	uint16_t port_id;
	uint32_t nb;		/* rules */
	uint32_t seq;		/* creation order */
	bool isolate;
	bool filter_on;		/* the socket filter is on the RX sockets */
	int rules_fd;		/* outer map: the live rule array */
	int cnt_fd;		/* per-CPU counters */
	int filter_fd;		/* the socket filter program */
	uint8_t cnt_used[TPK_FLOW_CNT_SLOTS];
	uint64_t drops_gone;	/* DROP rule hits of destroyed rules */
	/* What RX matches for MARK: NULL when no rule marks. */
	const struct tpk_flow_table *mark_tbl;
};

struct tpk_rxq {
	/*
	 * Hot: read on every burst. The cursor's position is shared by the
	 * processes polling the queue; cur.ring is the primary's mapping
	 * (recvmmsg mode: the arena), NULL while the queue is stopped.
	 */
	struct tpk_v3_cursor cur;
	struct tpk_rcv *rcv;		/* recvmmsg mode, else NULL */
	bool frames;			/* rx_mode=frames: a V2 ring of slots */
	bool v2_hot;			/* frames keep coming: batch them */
	uint64_t v2_last;		/* TSC of the last delivery */
	uint64_t v2_holdoff;		/* TSC cycles a hot queue may wait */
	struct tpk_v2_cursor v2;	/* its position (shared by processes) */
	uint8_t *ovf;			/* frames longer than a slot, whole */
	uint32_t ovf_size;
	const int *gone;	/* the interface was removed */
	const uint32_t *mtu;	/* the interface's MTU (shared) */
	/* MARK rules (the port's flow.mark_tbl), and the one this burst
	 * reads: a hazard pointer the control path waits on. */
	const struct tpk_flow_table *const *flow_tbl;
	const struct tpk_flow_table *flow_hp;
	bool vlan_strip;
	bool scatter;
	bool lro;
	bool l4_cksum;		/* the application takes checksum flags */
	bool ip_cksum;
	bool rss_hash;
	bool timestamp;
	bool parse;		/* fill L3/L4 packet types (ptypes set) */
	uint32_t ptype_mask;	/* the packet types the application wants */
	uint16_t data_room;	/* bytes per mbuf after the headroom */
	int ts_offset;		/* mbuf timestamp dynfield */
	uint64_t ts_flag;
	struct rte_mempool *mp;
	struct tpk_gso_state gso;
	struct tpk_rxq_stats st;
	/* Cold: control path. */
	struct tpk_ring ring;
	uint16_t port_id;
	uint16_t queue_id;
	int socket_id;
	uint64_t offloads;
	bool deferred_start;
	uint64_t k_packets;	/* PACKET_STATISTICS, accumulated */
	uint64_t k_drops;
	uint64_t k_freezes;
	struct tpk_rxq_stats base;	/* snapshot at the last stats reset */
	uint64_t k_drops_base, k_freezes_base;
	/* The cursor's counters at the last stats reset. */
	uint64_t bad_blocks_base, blocks_full_base, blocks_tmo_base, live_base;
} __rte_cache_aligned;

struct tpk_txq_stats {
	uint64_t pkts;
	uint64_t bytes;
	uint64_t rejected;	/* refused by the kernel: freed */
	uint64_t malformed;	/* refused by us before the kernel: freed */
	uint64_t eagain;	/* bursts cut short by a full socket */
	uint64_t syscalls;
	uint64_t csum_sw;	/* IPv4 header checksums computed */
	uint64_t l4_sw;		/* L4 checksums of padded frames computed */
	uint64_t tso;		/* super-frames handed to the kernel */
	uint64_t coal_frames;	/* GSO frames merged from segment runs */
	uint64_t coal_segs;	/* mbufs sent inside them */
};

/* Per-message scratch: the vnet header and rewritten packet headers. */
struct tpk_txhdr {
	struct virtio_net_hdr vh;
	uint8_t pad[6];
	uint8_t hdr[TPK_TX_HDR_MAX];
};

struct tpk_txq {
	/* Hot. The primary's socket and mapping (see tpk_proc_txq). */
	int fd;
	const int *gone;
	uint16_t vnet_len;
	uint8_t mode;		/* enum tpk_tx_mode */
	bool udp_gso;
	bool coalesce;		/* merge TCP segment runs (tx_coalesce) */
	uint16_t nobufs;	/* calls in a row that ended in ENOBUFS */
	uint32_t max_frame;	/* largest non-GSO frame: MTU + L2 + tag */
	uint32_t head;		/* next TX ring slot */
	struct tpk_txq_stats st;
	struct tpk_ring ring;
	/* Cold. */
	uint16_t port_id;
	uint16_t queue_id;
	int socket_id;
	uint64_t offloads;
	bool deferred_start;
	uint16_t nb_desc;
	struct tpk_txq_stats base;
	/* sendmmsg scratch. */
	uint16_t idx[TPK_TX_BATCH];	/* first mbuf of each message */
	uint16_t cnt[TPK_TX_BATCH];	/* mbufs in each message */
	struct mmsghdr msg[TPK_TX_BATCH];
	struct iovec iov[TPK_TX_IOV];
	struct tpk_txhdr hdr[TPK_TX_BATCH];
} __rte_cache_aligned;

/*
 * What a queue has counted, kept by the port across the queue's release:
 * a re-setup or a reconfigure gives the new queue of that index the same
 * totals, so that only stats_reset clears them.
 */
struct tpk_rxq_saved {
	struct tpk_rxq_stats st, base;
	uint64_t k_packets, k_drops, k_freezes, k_drops_base, k_freezes_base;
	uint64_t bad_blocks, blocks_full, blocks_tmo, live_frames;
	uint64_t bad_blocks_base, blocks_full_base, blocks_tmo_base, live_base;
	bool valid;
};

struct tpk_txq_saved {
	struct tpk_txq_stats st, base;
	bool valid;
};

struct pmd_internals {
	struct tpk_devargs da;
	struct tpk_netif ni;
	uint32_t kver;
	struct tpk_kfeat kf;	/* what the kernel was found to have */
	uint16_t vnet_len;
	uint32_t blocksz;
	uint32_t blocks;
	int fanout_id;		/* the group id in use, -1 when none */
	uint16_t fanout_flags;
	bool has_ignore_outgoing;
	bool has_udp_gso;
	bool hw_rx_timestamp;	/* the NIC stamps received frames */
	int ctl_fd;		/* holds PACKET_MR_* memberships */
	bool promisc, allmulti;
	uint32_t ptype_mask;	/* rte_eth_dev_set_ptypes(), all by default */
	uint32_t orig_mtu;	/* to restore on close, 0 if untouched */
	uint8_t orig_mac[6];
	bool mac_changed;
	struct rte_ether_addr mac;
	int gone;		/* RTM_DELLINK seen: datapath is a sink */
	uint64_t reattaches;	/* re-bound to a re-created interface */
	/* RSS over PACKET_FANOUT_EBPF (tpacket_rss.c). */
	void *rss_obj;
	int rss_prog_fd;
	int reta_fd;		/* -1: no RETA (eBPF not allowed) */
	bool rss_tried;		/* tpk_rss_init ran (once per port) */
	bool reta_set;		/* the application wrote the table */
	uint32_t reta[TPK_RETA_SIZE];	/* queue ids */
	/*
	 * The kernel indexes group members by join order and fills a hole
	 * with the last member: members[] mirrors that, so a RETA entry
	 * (a queue id) can be written to the map as a member index.
	 */
	uint16_t members[TPK_MAX_QUEUES];
	uint16_t nb_members;
	/* rte_flow (tpacket_flow.c): rules, in the same eBPF object. */
	struct tpk_flow_port flow;
	int nl_fd;		/* link events */
	struct rte_intr_handle *lsc_intr;
	struct tpk_rxq_saved rx_saved[TPK_MAX_QUEUES];
	struct tpk_txq_saved tx_saved[TPK_MAX_QUEUES];
};

/* tpacket_config.c: configuration and what the port reports. */
int tpk_dev_configure(struct rte_eth_dev *dev);
int tpk_dev_info(struct rte_eth_dev *dev, struct rte_eth_dev_info *info);
int tpk_promisc_enable(struct rte_eth_dev *dev);
int tpk_promisc_disable(struct rte_eth_dev *dev);
int tpk_allmulti_enable(struct rte_eth_dev *dev);
int tpk_allmulti_disable(struct rte_eth_dev *dev);
int tpk_mtu_set(struct rte_eth_dev *dev, uint16_t mtu);
int tpk_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr);
const uint32_t *tpk_ptypes(struct rte_eth_dev *dev, size_t *n);
int tpk_ptypes_set(struct rte_eth_dev *dev, uint32_t ptype_mask);
int tpk_rx_burst_mode(struct rte_eth_dev *dev, uint16_t qid,
		      struct rte_eth_burst_mode *mode);
int tpk_tx_burst_mode(struct rte_eth_dev *dev, uint16_t qid,
		      struct rte_eth_burst_mode *mode);
int tpk_fw_version(struct rte_eth_dev *dev, char *fw, size_t len);
int tpk_read_clock(struct rte_eth_dev *dev, uint64_t *clock);
void tpk_rxq_info(struct rte_eth_dev *dev, uint16_t qid,
		  struct rte_eth_rxq_info *qi);
void tpk_txq_info(struct rte_eth_dev *dev, uint16_t qid,
		  struct rte_eth_txq_info *qi);

/* tpacket_queue.c: sockets and queues, from setup to release. */
int tpk_helper_socket(const struct tpk_devargs *da, const struct tpk_netif *ni,
		      int *fd, char *err, size_t errlen);
int tpk_ring_geometry(struct pmd_internals *pmd);
int tpk_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		       unsigned int socket_id, const struct rte_eth_rxconf *conf,
		       struct rte_mempool *mp);
int tpk_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		       unsigned int socket_id, const struct rte_eth_txconf *conf);
void tpk_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
void tpk_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
int tpk_rxq_start(struct rte_eth_dev *dev, uint16_t qid);
int tpk_rxq_stop(struct rte_eth_dev *dev, uint16_t qid);
int tpk_txq_start(struct rte_eth_dev *dev, uint16_t qid);
int tpk_txq_stop(struct rte_eth_dev *dev, uint16_t qid);
int tpk_dev_start(struct rte_eth_dev *dev);
int tpk_queues_start(struct rte_eth_dev *dev);
int tpk_dev_stop(struct rte_eth_dev *dev);
void tpk_close_sockets(struct rte_eth_dev *dev);
void tpk_queues_set_mtu(struct rte_eth_dev *dev, uint32_t mtu);
void tpk_rxq_ptypes(struct tpk_rxq *rxq, uint32_t mask);

/* tpacket_link.c: link state, link events, interface removal. */
int tpk_link_update(struct rte_eth_dev *dev, int wait);
int tpk_set_link_up(struct rte_eth_dev *dev);
int tpk_set_link_down(struct rte_eth_dev *dev);
int tpk_dev_reset(struct rte_eth_dev *dev);
int tpk_events_init(struct rte_eth_dev *dev);
void tpk_events_uninit(struct rte_eth_dev *dev);

/* tpacket_stats.c: basic stats, the kernel's counters, xstats. */
#ifdef TPK_QSTATS_PARAM	/* tpacket_compat.h: the signature differs */
int tpk_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *s
		  TPK_QSTATS_PARAM);
#endif
int tpk_stats_reset(struct rte_eth_dev *dev);
int tpk_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
		   unsigned int size);
int tpk_xstats_get_names(struct rte_eth_dev *dev,
			 struct rte_eth_xstat_name *names, unsigned int size);

/* tpacket_intr.c: RX interrupts and the power-monitor address. */
int tpk_rx_intr_install(struct rte_eth_dev *dev);
void tpk_rx_intr_uninstall(struct rte_eth_dev *dev);
int tpk_rx_intr_enable(struct rte_eth_dev *dev, uint16_t qid);
int tpk_rx_intr_disable(struct rte_eth_dev *dev, uint16_t qid);
struct rte_power_monitor_cond;
int tpk_get_monitor_addr(void *q, struct rte_power_monitor_cond *pmc);

/* Per-process view of a port's sockets, for secondary processes. */
struct tpk_proc {
	int rx_fd[TPK_MAX_QUEUES];
	int tx_fd[TPK_MAX_QUEUES];
	uint8_t *rx_map[TPK_MAX_QUEUES];
	uint8_t *tx_map[TPK_MAX_QUEUES];
	size_t rx_len[TPK_MAX_QUEUES];
	size_t tx_len[TPK_MAX_QUEUES];
};

/* tpacket_flow.c: rte_flow rules in the eBPF programs. */
struct rte_flow_ops;
int tpk_flow_ops_get(struct rte_eth_dev *dev, const struct rte_flow_ops **ops);
void tpk_flow_init(struct rte_eth_dev *dev);
void tpk_flow_uninit(struct rte_eth_dev *dev);
int tpk_flow_attach(struct pmd_internals *pmd, int fd);
void tpk_flow_resync(struct pmd_internals *pmd);
void tpk_flow_xstats(struct pmd_internals *pmd, uint64_t *drops,
		     uint64_t *isolate_drops);
void tpk_rx_mark(const struct tpk_flow_table *t, const uint8_t *frame,
		 uint32_t len, uint16_t tpid, uint16_t tci, bool *has_mark,
		 uint32_t *mark);

/* tpacket_rss.c: the eBPF fanout program and its redirection table. */
struct rte_eth_rss_reta_entry64;
struct rte_eth_rss_conf;
int tpk_rss_init(struct pmd_internals *pmd);
void tpk_rss_uninit(struct pmd_internals *pmd);
int tpk_rss_sync(struct pmd_internals *pmd);
int tpk_rss_attach(struct pmd_internals *pmd, int fd);
void tpk_rss_member_add(struct pmd_internals *pmd, uint16_t qid);
void tpk_rss_member_del(struct pmd_internals *pmd, uint16_t qid);
void tpk_rss_default(struct pmd_internals *pmd, uint16_t nb_rxq);
int tpk_reta_update(struct rte_eth_dev *dev,
		    struct rte_eth_rss_reta_entry64 *conf, uint16_t size);
int tpk_reta_query(struct rte_eth_dev *dev,
		   struct rte_eth_rss_reta_entry64 *conf, uint16_t size);
int tpk_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *rc);

/* tpacket_mp.c: secondary processes. */
bool tpk_dev_is_ours(const struct rte_eth_dev *dev);
int tpk_mp_init_primary(void);
void tpk_mp_uninit_primary(void);
int tpk_mp_attach(struct rte_eth_dev *dev);
int tpk_mp_flow_xstats(struct rte_eth_dev *dev, uint64_t *drops,
		       uint64_t *isolate_drops);
void tpk_proc_free(struct rte_eth_dev *dev);
int tpk_proc_rxq(const struct tpk_rxq *rxq, int *fd, uint8_t **ring);
int tpk_proc_txq(const struct tpk_txq *txq, int *fd, uint8_t **map);

/* tpacket_rx.c, tpacket_tx.c: the datapath. */
uint16_t tpk_rx_burst(void *q, struct rte_mbuf **bufs, uint16_t nb);
uint16_t tpk_rx_burst_secondary(void *q, struct rte_mbuf **bufs, uint16_t nb);
uint16_t tpk_tx_burst(void *q, struct rte_mbuf **bufs, uint16_t nb);
uint16_t tpk_tx_burst_secondary(void *q, struct rte_mbuf **bufs, uint16_t nb);
uint16_t tpk_tx_prepare(void *q, struct rte_mbuf **bufs, uint16_t nb);

#endif /* TPACKET_ETHDEV_H */
