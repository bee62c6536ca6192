/* SPDX-License-Identifier: BSD-3-Clause
 * RSS redirection table over PACKET_FANOUT_EBPF.
 *
 * The program (bpf/tpk_rss.bpf.c, compiled at build time and embedded)
 * is loaded once per port at probe; its array map is the RETA. Where the
 * kernel refuses eBPF (no CAP_BPF/CAP_SYS_ADMIN), the port falls back to
 * the kernel's HASH fanout and reports no RETA.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <ethdev_driver.h>

#include "tpacket_ethdev.h"

#ifdef TPK_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

extern const unsigned char tpk_rss_bpf_obj[];
extern const size_t tpk_rss_bpf_obj_len;

static int
tpk_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		rte_vlog(RTE_LOG_DEBUG, tpk_logtype, fmt, ap);
	return 0;
}

/*
 * Open and load the embedded object. libbpf's logger is process-wide and
 * may be the application's: ours is installed for the load only and the
 * previous one put back.
 */
static struct bpf_object *
tpk_rss_load(const char *name, int *err)
{
	LIBBPF_OPTS(bpf_object_open_opts, o, .object_name = name);
	libbpf_print_fn_t prev = libbpf_set_print(tpk_libbpf_log);
	struct bpf_object *obj;

	obj = bpf_object__open_mem(tpk_rss_bpf_obj, tpk_rss_bpf_obj_len, &o);
	if (obj == NULL) {
		*err = -EINVAL;
	} else {
		*err = bpf_object__load(obj);
		if (*err < 0) {
			bpf_object__close(obj);
			obj = NULL;
		}
	}
	libbpf_set_print(prev);
	return obj;
}

int
tpk_rss_init(struct pmd_internals *pmd)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	char name[32];
	int ret;

	snprintf(name, sizeof(name), "tpk_rss_%d", pmd->ni.ifindex);
	obj = tpk_rss_load(name, &ret);
	if (obj == NULL)
		return ret;
	prog = bpf_object__find_program_by_name(obj, "tpk_rss");
	map = bpf_object__find_map_by_name(obj, "tpk_reta");
	if (prog == NULL || map == NULL) {
		bpf_object__close(obj);
		return -ENOENT;
	}
	pmd->rss_obj = obj;
	pmd->rss_prog_fd = bpf_program__fd(prog);
	pmd->reta_fd = bpf_map__fd(map);
	return 0;
}

void
tpk_rss_uninit(struct pmd_internals *pmd)
{
	if (pmd->rss_obj != NULL)
		bpf_object__close(pmd->rss_obj);
	pmd->rss_obj = NULL;
	pmd->rss_prog_fd = -1;
	pmd->reta_fd = -1;
}

/* Member index of queue q; a stopped queue's entries are spread. */
static uint32_t
tpk_rss_member(const struct pmd_internals *pmd, uint32_t q, uint32_t entry)
{
	uint16_t k;

	for (k = 0; k < pmd->nb_members; k++)
		if (pmd->members[k] == q)
			return k;
	return pmd->nb_members ? entry % pmd->nb_members : 0;
}

/*
 * Push the shadow table into the map the program reads: one batch update
 * (one system call), or entry by entry where the kernel has no batch
 * operations on arrays (before 5.6).
 */
int
tpk_rss_sync(struct pmd_internals *pmd)
{
	uint32_t keys[TPK_RETA_SIZE], vals[TPK_RETA_SIZE], n = TPK_RETA_SIZE;
	uint32_t i;

	if (pmd->reta_fd < 0)
		return -ENOTSUP;
	for (i = 0; i < TPK_RETA_SIZE; i++) {
		keys[i] = i;
		vals[i] = tpk_rss_member(pmd, pmd->reta[i], i);
	}
	/* Flow rules hold member indexes too. */
	tpk_flow_resync(pmd);
	if (bpf_map_update_batch(pmd->reta_fd, keys, vals, &n, NULL) == 0 &&
	    n == TPK_RETA_SIZE)
		return 0;
	for (i = 0; i < TPK_RETA_SIZE; i++)
		if (bpf_map_update_elem(pmd->reta_fd, &keys[i], &vals[i],
					BPF_ANY) < 0)
			return -errno;
	return 0;
}
#else
int tpk_rss_init(struct pmd_internals *pmd __rte_unused) { return -ENOTSUP; }
void tpk_rss_uninit(struct pmd_internals *pmd __rte_unused) {}
int tpk_rss_sync(struct pmd_internals *pmd __rte_unused) { return -ENOTSUP; }
#endif

void
tpk_rss_member_add(struct pmd_internals *pmd, uint16_t qid)
{
	if (pmd->nb_members < TPK_MAX_QUEUES)
		pmd->members[pmd->nb_members++] = qid;
}

void
tpk_rss_member_del(struct pmd_internals *pmd, uint16_t qid)
{
	uint16_t k;

	for (k = 0; k < pmd->nb_members; k++) {
		if (pmd->members[k] == qid) {
			pmd->members[k] = pmd->members[--pmd->nb_members];
			return;
		}
	}
}

/* Attach the program to the group through its first member. */
int
tpk_rss_attach(struct pmd_internals *pmd, int fd)
{
	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, &pmd->rss_prog_fd,
		       sizeof(pmd->rss_prog_fd)) < 0)
		return -errno;
	return 0;
}

/* The default table spreads entries round-robin, as NICs do. */
void
tpk_rss_default(struct pmd_internals *pmd, uint16_t nb_rxq)
{
	uint32_t i;

	for (i = 0; i < TPK_RETA_SIZE; i++)
		pmd->reta[i] = nb_rxq ? i % nb_rxq : 0;
}

/* Entry i of an ethdev RETA array, or NULL when its mask bit is clear. */
static inline uint16_t *
tpk_reta_entry(struct rte_eth_rss_reta_entry64 *conf, uint16_t i)
{
	struct rte_eth_rss_reta_entry64 *g = &conf[i / RTE_ETH_RETA_GROUP_SIZE];
	uint16_t b = i % RTE_ETH_RETA_GROUP_SIZE;

	return (g->mask >> b) & 1 ? &g->reta[b] : NULL;
}

int
tpk_reta_update(struct rte_eth_dev *dev,
		struct rte_eth_rss_reta_entry64 *conf, uint16_t size)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t i;

	if (pmd->reta_fd < 0)
		return -ENOTSUP;
	if (size != TPK_RETA_SIZE) {
		TPK_LOG(ERR, "%s: RETA size is %u, not %u", dev->data->name,
			TPK_RETA_SIZE, size);
		return -EINVAL;
	}
	/* Check every selected entry before changing any. */
	for (i = 0; i < size; i++) {
		const uint16_t *e = tpk_reta_entry(conf, i);

		if (e != NULL && *e >= dev->data->nb_rx_queues) {
			TPK_LOG(ERR, "%s: RETA entry %u: queue %u of %u",
				dev->data->name, i, *e, dev->data->nb_rx_queues);
			return -EINVAL;
		}
	}
	for (i = 0; i < size; i++) {
		const uint16_t *e = tpk_reta_entry(conf, i);

		if (e != NULL)
			pmd->reta[i] = *e;
	}
	pmd->reta_set = true;
	return tpk_rss_sync(pmd);
}

int
tpk_reta_query(struct rte_eth_dev *dev,
	       struct rte_eth_rss_reta_entry64 *conf, uint16_t size)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t i;

	if (pmd->reta_fd < 0)
		return -ENOTSUP;
	if (size != TPK_RETA_SIZE)
		return -EINVAL;
	for (i = 0; i < size; i++) {
		uint16_t *e = tpk_reta_entry(conf, i);

		if (e != NULL)
			*e = (uint16_t)pmd->reta[i];
	}
	return 0;
}

int
tpk_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *rc)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	rc->rss_key_len = 0;	/* the hash has no key */
	rc->rss_hf = dev->data->nb_rx_queues > 1 && pmd->fanout_id >= 0 ?
		RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP : 0;
	return 0;
}
