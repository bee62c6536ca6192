/* SPDX-License-Identifier: BSD-3-Clause
 * rte_flow: ingress rules compiled into the port's eBPF programs.
 *
 * lib/tpk_flow.c compiles a pattern into key matches and sorts the rules
 * into a table; this file turns rte_flow items and actions into lib's
 * form, keeps the rule list, and pushes the table into the kernel:
 *
 *  - the fanout program (bpf/tpk_rss.bpf.c) steers QUEUE and RSS;
 *  - a socket filter on every RX socket counts and drops (DROP, isolated
 *    mode) before the frame is copied into the ring;
 *  - MARK has no per-packet channel from the kernel, so RX matches the
 *    same compiled table on received frames, only while a rule marks.
 *
 * A change builds a new inner rule map and swaps it in with one update,
 * so no packet sees half a rule set.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_flow.h>
#include <rte_flow_driver.h>
#include <rte_malloc.h>
#include <ethdev_driver.h>

#include "tpacket_ethdev.h"

static inline void
tpk_flow_lock(struct pmd_internals *pmd)
{
	pthread_mutex_lock(&pmd->flow.lock);
}

static inline void
tpk_flow_unlock(struct pmd_internals *pmd)
{
	pthread_mutex_unlock(&pmd->flow.lock);
}

struct rte_flow {
	TAILQ_ENTRY(rte_flow) next;
	struct tpk_flow_rule rule;	/* rule.match points at m */
	struct tpk_flow_match m;
	bool count;			/* has a COUNT action */
	struct tpk_flow_cnt base;	/* at the last query reset */
};

#ifdef TPK_HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int
tpk_flow_fail(struct rte_flow_error *error, int code,
	      enum rte_flow_error_type type, const void *cause, const char *msg)
{
	return rte_flow_error_set(error, code, type, cause, msg);
}

/* ------------------------------------------------- items to lib items */

/* rte_flow items start with their header in wire layout, as lib wants. */
static const struct {
	enum rte_flow_item_type rte;
	uint32_t tpk;
	const void *dflt;	/* rte_flow's default mask */
	size_t size;		/* the whole rte_flow item struct */
} tpk_item_map[] = {
	{ RTE_FLOW_ITEM_TYPE_ETH, TPK_FI_ETH, &rte_flow_item_eth_mask,
	  sizeof(struct rte_flow_item_eth) },
	{ RTE_FLOW_ITEM_TYPE_VLAN, TPK_FI_VLAN, &rte_flow_item_vlan_mask,
	  sizeof(struct rte_flow_item_vlan) },
	{ RTE_FLOW_ITEM_TYPE_IPV4, TPK_FI_IPV4, &rte_flow_item_ipv4_mask,
	  sizeof(struct rte_flow_item_ipv4) },
	{ RTE_FLOW_ITEM_TYPE_IPV6, TPK_FI_IPV6, &rte_flow_item_ipv6_mask,
	  sizeof(struct rte_flow_item_ipv6) },
	{ RTE_FLOW_ITEM_TYPE_TCP, TPK_FI_TCP, &rte_flow_item_tcp_mask,
	  sizeof(struct rte_flow_item_tcp) },
	{ RTE_FLOW_ITEM_TYPE_UDP, TPK_FI_UDP, &rte_flow_item_udp_mask,
	  sizeof(struct rte_flow_item_udp) },
	{ RTE_FLOW_ITEM_TYPE_SCTP, TPK_FI_SCTP, &rte_flow_item_sctp_mask,
	  sizeof(struct rte_flow_item_sctp) },
	{ RTE_FLOW_ITEM_TYPE_ICMP, TPK_FI_ICMP, &rte_flow_item_icmp_mask,
	  sizeof(struct rte_flow_item_icmp) },
	{ RTE_FLOW_ITEM_TYPE_ICMP6, TPK_FI_ICMP6, &rte_flow_item_icmp6_mask,
	  sizeof(struct rte_flow_item_icmp6) },
};

/* Are bytes [from, to) of p zero? (the bit-fields after a header) */
static bool
tpk_zero_tail(const void *p, size_t from, size_t to)
{
	const uint8_t *b = p;

	for (; p != NULL && from < to; from++)
		if (b[from] != 0)
			return false;
	return true;
}

/* The flags rte_flow keeps after the ETH and VLAN headers. */
static void
tpk_item_flags(const struct rte_flow_item *it, const void *mask,
	       struct tpk_flow_item *ti)
{
	if (it->type == RTE_FLOW_ITEM_TYPE_ETH) {
		const struct rte_flow_item_eth *s = it->spec, *m = mask;

		ti->flags_spec = s->has_vlan ? TPK_FI_HAS_VLAN : 0;
		ti->flags_mask = m->has_vlan ? TPK_FI_HAS_VLAN : 0;
	} else if (it->type == RTE_FLOW_ITEM_TYPE_VLAN) {
		const struct rte_flow_item_vlan *s = it->spec, *m = mask;

		ti->flags_spec = s->has_more_vlan ? TPK_FI_HAS_MORE_VLAN : 0;
		ti->flags_mask = m->has_more_vlan ? TPK_FI_HAS_MORE_VLAN : 0;
	}
}

static int
tpk_flow_items(const struct rte_flow_item pattern[], struct tpk_flow_match *m,
	       struct rte_flow_error *error)
{
	struct tpk_flow_item ti[TPK_FLOW_MAX_ITEMS + 1];
	const struct rte_flow_item *at[TPK_FLOW_MAX_ITEMS + 1];
	struct tpk_flow_err err = { -1, NULL };
	uint32_t n = 0, k;
	int ret;

	if (pattern == NULL)
		return tpk_flow_fail(error, EINVAL, RTE_FLOW_ERROR_TYPE_ITEM_NUM,
				     NULL, "no pattern");
	for (; pattern->type != RTE_FLOW_ITEM_TYPE_END; pattern++) {
		const void *mask;

		if (pattern->type == RTE_FLOW_ITEM_TYPE_VOID)
			continue;
		if (n == TPK_FLOW_MAX_ITEMS)
			return tpk_flow_fail(error, ENOTSUP,
				RTE_FLOW_ERROR_TYPE_ITEM, pattern,
				"more than 8 items in the pattern");
		for (k = 0; k < RTE_DIM(tpk_item_map); k++)
			if (tpk_item_map[k].rte == pattern->type)
				break;
		if (k == RTE_DIM(tpk_item_map)) {
			static __thread char text[128];	/* rte_flow_error keeps a pointer */
			const char *name = NULL;

			if (rte_flow_conv(RTE_FLOW_CONV_OP_ITEM_NAME_PTR, &name,
					  sizeof(name), (void *)(uintptr_t)pattern->type,
					  NULL) < 0 || name == NULL)
				name = "?";
			snprintf(text, sizeof(text),
				 "item %s not supported (eth, vlan, ipv4, ipv6, tcp, udp, sctp, icmp, icmp6 are)",
				 name);
			return tpk_flow_fail(error, ENOTSUP,
				RTE_FLOW_ERROR_TYPE_ITEM, pattern, text);
		}
		mask = pattern->mask != NULL ? pattern->mask : tpk_item_map[k].dflt;
		memset(&ti[n], 0, sizeof(ti[n]));
		ti[n].type = tpk_item_map[k].tpk;
		ti[n].len = tpk_flow_item_len(ti[n].type);
		if (pattern->spec != NULL) {
			ti[n].spec = pattern->spec;
			ti[n].last = pattern->last;
			ti[n].mask = mask;
			tpk_item_flags(pattern, mask, &ti[n]);
			/* IPv6 extension-header bits and other tails. */
			if (pattern->type != RTE_FLOW_ITEM_TYPE_ETH &&
			    pattern->type != RTE_FLOW_ITEM_TYPE_VLAN &&
			    !tpk_zero_tail(mask, ti[n].len, tpk_item_map[k].size))
				return tpk_flow_fail(error, ENOTSUP,
					RTE_FLOW_ERROR_TYPE_ITEM_MASK, pattern,
					"extension-header bits cannot be matched");
		} else if (pattern->last != NULL) {
			return tpk_flow_fail(error, EINVAL,
				RTE_FLOW_ERROR_TYPE_ITEM_LAST, pattern,
				"last without spec");
		}
		at[n++] = pattern;
	}
	ret = tpk_flow_pattern(m, ti, n, &err);
	if (ret < 0) {
		char msg[160];
		const void *cause = err.index >= 0 ? at[err.index] : NULL;
		static __thread char text[160];	/* rte_flow_error keeps a pointer */

		snprintf(msg, sizeof(msg), "%s: %s",
			 err.index >= 0 ? tpk_flow_item_name(ti[err.index].type) :
			 "pattern", err.msg);
		memcpy(text, msg, sizeof(text));
		return tpk_flow_fail(error, -ret, RTE_FLOW_ERROR_TYPE_ITEM,
				     cause, text);
	}
	return 0;
}

/* ---------------------------------------------------------- actions */

/* Do QUEUE and RSS actions steer? Only the eBPF fanout (or one queue). */
static bool
tpk_flow_can_steer(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;

	return dev->data->nb_rx_queues <= 1 ||
		(pmd->da.fanout == TPK_FANOUT_RSS && pmd->rss_prog_fd >= 0);
}

static int
tpk_flow_rss(struct rte_eth_dev *dev, const struct rte_flow_action *a,
	     struct tpk_flow_rule *r, struct rte_flow_error *error)
{
	const struct rte_flow_action_rss *rss = a->conf;
	uint32_t i;

	if (rss == NULL)
		return tpk_flow_fail(error, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
				     a, "rss: no configuration");
	if (rss->func != RTE_ETH_HASH_FUNCTION_DEFAULT)
		return tpk_flow_fail(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
				     a, "rss: only the default hash function");
	if (rss->key_len != 0)
		return tpk_flow_fail(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
				     a, "rss: key_len must be 0 (the in-kernel hash takes no key)");
	if (rss->level > 1)
		return tpk_flow_fail(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
				     a, "rss: level must be 0 or 1 (outer headers only)");
	if (rss->queue_num > TPK_FLOW_RSS_MAX)
		return tpk_flow_fail(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
				     a, "rss: at most 16 queues");
	for (i = 0; i < rss->queue_num; i++) {
		if (rss->queue[i] >= dev->data->nb_rx_queues)
			return tpk_flow_fail(error, EINVAL,
				RTE_FLOW_ERROR_TYPE_ACTION_CONF, a,
				"rss: queue index beyond the RX queues");
		r->rss[i] = rss->queue[i];
	}
	r->nb_rss = (uint16_t)rss->queue_num;
	/* No queue list: the port's own spread (the RETA). */
	r->fate = rss->queue_num ? TPK_FLOW_F_RSS : TPK_FLOW_F_DEFAULT;
	return 0;
}

static int
tpk_flow_actions(struct rte_eth_dev *dev, const struct rte_flow_action actions[],
		 struct rte_flow *f, struct rte_flow_error *error)
{
	struct tpk_flow_rule *r = &f->rule;
	bool fate = false;
	int ret;

	if (actions == NULL)
		return tpk_flow_fail(error, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_NUM,
				     NULL, "no actions");
	r->fate = TPK_FLOW_F_PASS;	/* no fate action: go on matching */
	for (; actions->type != RTE_FLOW_ACTION_TYPE_END; actions++) {
		const struct rte_flow_action *a = actions;
		bool is_fate = true;

		switch (a->type) {
		case RTE_FLOW_ACTION_TYPE_VOID:
			is_fate = false;
			break;
		case RTE_FLOW_ACTION_TYPE_QUEUE: {
			const struct rte_flow_action_queue *q = a->conf;

			if (q == NULL || q->index >= dev->data->nb_rx_queues)
				return tpk_flow_fail(error, EINVAL,
					RTE_FLOW_ERROR_TYPE_ACTION_CONF, a,
					"queue: index beyond the RX queues");
			r->fate = TPK_FLOW_F_QUEUE;
			r->queue = q->index;
			break;
		}
		case RTE_FLOW_ACTION_TYPE_RSS:
			ret = tpk_flow_rss(dev, a, r, error);
			if (ret < 0)
				return ret;
			break;
		case RTE_FLOW_ACTION_TYPE_DROP:
			r->fate = TPK_FLOW_F_DROP;
			break;
		case RTE_FLOW_ACTION_TYPE_PASSTHRU:
			r->fate = TPK_FLOW_F_PASS;
			break;
		case RTE_FLOW_ACTION_TYPE_MARK: {
			const struct rte_flow_action_mark *mk = a->conf;

			if (mk == NULL)
				return tpk_flow_fail(error, EINVAL,
					RTE_FLOW_ERROR_TYPE_ACTION_CONF, a,
					"mark: no id");
			if (r->has_mark)
				return tpk_flow_fail(error, EINVAL,
					RTE_FLOW_ERROR_TYPE_ACTION, a,
					"mark: more than one");
			r->has_mark = 1;
			r->mark = mk->id;
			is_fate = false;
			break;
		}
		case RTE_FLOW_ACTION_TYPE_COUNT:
			f->count = true;
			is_fate = false;
			break;
		default: {
			static __thread char text[128];
			const char *name = NULL;

			if (rte_flow_conv(RTE_FLOW_CONV_OP_ACTION_NAME_PTR, &name,
					  sizeof(name), (void *)(uintptr_t)a->type,
					  NULL) < 0 || name == NULL)
				name = "?";
			snprintf(text, sizeof(text),
				 "action %s not supported (queue, rss, drop, mark, count, passthru are)",
				 name);
			return tpk_flow_fail(error, ENOTSUP,
				RTE_FLOW_ERROR_TYPE_ACTION, a, text);
		}
		}
		if (is_fate && fate)
			return tpk_flow_fail(error, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION,
					     a, "more than one fate action");
		fate |= is_fate;
		if ((r->fate == TPK_FLOW_F_QUEUE && r->queue != 0) ||
		    r->fate == TPK_FLOW_F_RSS) {
			if (!tpk_flow_can_steer(dev))
				return tpk_flow_fail(error, ENOTSUP,
					RTE_FLOW_ERROR_TYPE_ACTION, a,
					"queue and rss actions need the eBPF fanout (fanout=rss and CAP_BPF)");
		}
	}
	return 0;
}

static int
tpk_flow_attr(const struct rte_flow_attr *attr, struct tpk_flow_rule *r,
	      struct rte_flow_error *error)
{
	if (attr == NULL)
		return tpk_flow_fail(error, EINVAL, RTE_FLOW_ERROR_TYPE_ATTR,
				     NULL, "no attributes");
	if (attr->group != 0)
		return tpk_flow_fail(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR_GROUP,
				     attr, "only group 0");
	if (attr->egress || attr->transfer || !attr->ingress)
		return tpk_flow_fail(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR,
				     attr, "ingress rules only");
	if (attr->priority > TPK_FLOW_PRIO_MAX)
		return tpk_flow_fail(error, ENOTSUP,
			RTE_FLOW_ERROR_TYPE_ATTR_PRIORITY, attr,
			"priority above 65535");
	r->prio = attr->priority;
	return 0;
}

/* ------------------------------------------------------ kernel maps */

/*
 * The rule maps and the socket filter live in the RSS object: load it
 * when the first rule needs it (a one-queue port never loaded it).
 */
static int
tpk_flow_maps(struct rte_eth_dev *dev, struct rte_flow_error *error)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *rules, *cnt;
	int ret;

	if (pmd->flow.rules_fd >= 0)
		return 0;
	if (pmd->rss_obj == NULL) {
		ret = tpk_rss_init(pmd);
		if (ret < 0) {
			TPK_LOG(ERR, "%s: rte_flow needs eBPF (CAP_BPF): %s",
				dev->data->name, strerror(-ret));
			return tpk_flow_fail(error, ENOTSUP,
				RTE_FLOW_ERROR_TYPE_UNSPECIFIED, NULL,
				"rte_flow needs eBPF, which the kernel refused (CAP_BPF or CAP_SYS_ADMIN)");
		}
	}
	obj = pmd->rss_obj;
	rules = bpf_object__find_map_by_name(obj, "tpk_rules");
	cnt = bpf_object__find_map_by_name(obj, "tpk_flow_cnt");
	prog = bpf_object__find_program_by_name(obj, "tpk_flow_filter");
	if (rules == NULL || cnt == NULL || prog == NULL)
		return tpk_flow_fail(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				     NULL, "eBPF object without flow maps");
	pmd->flow.rules_fd = bpf_map__fd(rules);
	pmd->flow.cnt_fd = bpf_map__fd(cnt);
	pmd->flow.filter_fd = bpf_program__fd(prog);
	return 0;
}

static int
tpk_flow_attach_locked(struct pmd_internals *pmd, int fd)
{
	if (!pmd->flow.filter_on || fd < 0)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &pmd->flow.filter_fd,
		       sizeof(pmd->flow.filter_fd)) < 0)
		return -errno;
	return 0;
}

/* A queue's new socket gets the filter (queue start, re-attach). */
int
tpk_flow_attach(struct pmd_internals *pmd, int fd)
{
	int ret;

	tpk_flow_lock(pmd);
	ret = tpk_flow_attach_locked(pmd, fd);
	tpk_flow_unlock(pmd);
	return ret;
}

/* The filter goes on every open RX socket once a rule or isolation exists. */
static int
tpk_flow_filter_all(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	uint16_t i;
	int ret;

	if (pmd->flow.filter_on)
		return 0;
	pmd->flow.filter_on = true;
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct tpk_rxq *rxq = dev->data->rx_queues[i];

		if (rxq == NULL)
			continue;
		ret = tpk_flow_attach_locked(pmd, rxq->ring.fd);
		if (ret < 0) {
			TPK_LOG(ERR, "%s: RX queue %u: SO_ATTACH_BPF: %s",
				dev->data->name, i, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static uint16_t
tpk_flow_member(void *arg, uint16_t queue)
{
	struct pmd_internals *pmd = arg;
	uint16_t k;

	for (k = 0; k < pmd->nb_members; k++)
		if (pmd->members[k] == queue)
			return k;
	/* A stopped queue: like the RETA, spread over the others. */
	return pmd->nb_members ? queue % pmd->nb_members : 0;
}

/* Write t into a new inner map and swap it in (one update). */
static int
tpk_flow_swap(struct pmd_internals *pmd, const struct tpk_flow_table *t)
{
	uint32_t keys[TPK_FLOW_MAP_ENTRIES], n = t->nb + 1, i;
	uint32_t zero = 0;
	int inner, ret = 0;

	if (t->nb == 0 && !t->isolate) {
		/* No rules: an empty slot, one lookup per packet. */
		if (bpf_map_delete_elem(pmd->flow.rules_fd, &zero) < 0 &&
		    errno != ENOENT)
			return -errno;
		return 0;
	}
	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tpk_rules_in", sizeof(uint32_t),
			       sizeof(struct tpk_flow_brule), TPK_FLOW_MAP_ENTRIES,
			       NULL);
	if (inner < 0)
		return -errno;
	for (i = 0; i < n; i++)
		keys[i] = i;
	if (bpf_map_update_batch(inner, keys, t->br, &n, NULL) < 0 ||
	    n != t->nb + 1) {
		for (i = 0; i < t->nb + 1; i++) {
			if (bpf_map_update_elem(inner, &keys[i], &t->br[i],
						BPF_ANY) < 0) {
				ret = -errno;
				break;
			}
		}
	}
	if (ret == 0 && bpf_map_update_elem(pmd->flow.rules_fd, &zero, &inner,
					    BPF_ANY) < 0)
		ret = -errno;
	close(inner);	/* the outer map holds it */
	return ret;
}

/*
 * Publish the table RX matches for MARK, and free the old one once no
 * RX burst reads it: each queue's hazard pointer says which it holds.
 */
static void
tpk_flow_publish_marks(struct rte_eth_dev *dev, const struct tpk_flow_table *t)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	const struct tpk_flow_table *old = pmd->flow.mark_tbl;
	struct tpk_flow_table *copy = NULL;
	uint64_t deadline;
	uint16_t i;

	if (t->nb_marks > 0) {
		copy = rte_malloc_socket("tpk_flow_marks", sizeof(*copy), 0,
					 dev->data->numa_node);
		if (copy == NULL)
			TPK_LOG(ERR, "%s: no memory for the MARK table: marks stay as they were",
				dev->data->name);
		else
			memcpy(copy, t, sizeof(*copy));
		if (copy == NULL)
			return;
	}
	__atomic_store_n(&pmd->flow.mark_tbl, copy, __ATOMIC_SEQ_CST);
	if (old == NULL)
		return;
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() / 10;
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct tpk_rxq *rxq = dev->data->rx_queues[i];

		if (rxq == NULL)
			continue;
		while (__atomic_load_n(&rxq->flow_hp, __ATOMIC_SEQ_CST) == old) {
			if (rte_get_timer_cycles() > deadline) {
				/* A burst stalled mid-way: leave the table. */
				TPK_LOG(WARNING, "%s: RX queue %u still reads the old MARK table: not freed",
					dev->data->name, i);
				return;
			}
			rte_pause();
		}
	}
	rte_free((void *)(uintptr_t)old);
}

/* Rebuild the table from the rule list and push it everywhere. */
static int
tpk_flow_push(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct tpk_flow_rule rules[TPK_FLOW_MAX_RULES];
	struct tpk_flow_table *t;
	struct rte_flow *f;
	uint32_t n = 0;
	int ret;

	TAILQ_FOREACH(f, &pmd->flow.list, next) {
		if (n == TPK_FLOW_MAX_RULES)
			return -ENOSPC;
		rules[n++] = f->rule;
	}
	t = rte_malloc("tpk_flow_table", sizeof(*t), 0);
	if (t == NULL)
		return -ENOMEM;
	ret = tpk_flow_table_build(t, rules, n, pmd->flow.isolate,
				   tpk_flow_member, pmd);
	if (ret == 0 && (n > 0 || pmd->flow.isolate))
		ret = tpk_flow_filter_all(dev);
	if (ret == 0)
		ret = tpk_flow_swap(pmd, t);
	if (ret == 0)
		tpk_flow_publish_marks(dev, t);
	rte_free(t);
	return ret;
}

void
tpk_flow_resync(struct pmd_internals *pmd)
{
	struct rte_eth_dev *dev;
	int ret;

	tpk_flow_lock(pmd);
	if (pmd->flow.rules_fd < 0 || (pmd->flow.nb == 0 && !pmd->flow.isolate)) {
		tpk_flow_unlock(pmd);
		return;
	}
	dev = &rte_eth_devices[pmd->flow.port_id];
	ret = tpk_flow_push(dev);
	tpk_flow_unlock(pmd);
	if (ret < 0)
		TPK_LOG(ERR, "%s: flow rules not updated for new queue membership: %s",
			dev->data->name, strerror(-ret));
}

/* Sum a counter slot over the CPUs. */
static int
tpk_flow_cnt_read(struct pmd_internals *pmd, uint16_t slot,
		  struct tpk_flow_cnt *sum)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint32_t key = slot;
	struct tpk_flow_cnt *v;

	memset(sum, 0, sizeof(*sum));
	if (pmd->flow.cnt_fd < 0 || ncpu <= 0)
		return -ENOTSUP;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	if (bpf_map_lookup_elem(pmd->flow.cnt_fd, &key, v) < 0) {
		free(v);
		return -errno;
	}
	for (i = 0; i < ncpu; i++) {
		sum->hits += v[i].hits;
		sum->bytes += v[i].bytes;
	}
	free(v);
	return 0;
}

/* A fresh slot for a new rule, zeroed in the kernel. */
static int
tpk_flow_cnt_alloc(struct pmd_internals *pmd, uint16_t *slot)
{
	int ncpu = libbpf_num_possible_cpus();
	struct tpk_flow_cnt *zero;
	uint32_t i, key;
	int ret = 0;

	for (i = 0; i < TPK_FLOW_MAX_RULES && pmd->flow.cnt_used[i]; i++)
		;
	if (i == TPK_FLOW_MAX_RULES)
		return -ENOSPC;
	if (ncpu <= 0)
		return -ENOTSUP;
	zero = calloc((size_t)ncpu, sizeof(*zero));
	if (zero == NULL)
		return -ENOMEM;
	key = i;
	if (bpf_map_update_elem(pmd->flow.cnt_fd, &key, zero, BPF_ANY) < 0)
		ret = -errno;
	free(zero);
	if (ret == 0) {
		pmd->flow.cnt_used[i] = 1;
		*slot = (uint16_t)i;
	}
	return ret;
}

/* ------------------------------------------------------------ ops */

/* Entries of the port's compiled table taken by the rules. */
static uint32_t
tpk_flow_entries(struct pmd_internals *pmd)
{
	struct rte_flow *g;
	uint32_t used = 0;

	TAILQ_FOREACH(g, &pmd->flow.list, next)
		used += g->m.nb;
	return used;
}

static int
tpk_flow_build(struct rte_eth_dev *dev, const struct rte_flow_attr *attr,
	       const struct rte_flow_item pattern[],
	       const struct rte_flow_action actions[], struct rte_flow *f,
	       struct rte_flow_error *error)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int ret;

	memset(f, 0, sizeof(*f));
	f->rule.match = &f->m;
	ret = tpk_flow_attr(attr, &f->rule, error);
	if (ret == 0)
		ret = tpk_flow_items(pattern, &f->m, error);
	if (ret == 0)
		ret = tpk_flow_actions(dev, actions, f, error);
	if (ret == 0 && tpk_flow_entries(pmd) + f->m.nb > TPK_FLOW_MAX_RULES)
		ret = tpk_flow_fail(error, ENOSPC, RTE_FLOW_ERROR_TYPE_HANDLE,
			NULL, "the port holds at most 128 compiled rules (a port range takes one per prefix)");
	if (ret == 0)
		ret = tpk_flow_maps(dev, error);
	return ret;
}

static int
tpk_flow_validate_locked(struct rte_eth_dev *dev, const struct rte_flow_attr *attr,
			 const struct rte_flow_item pattern[],
			 const struct rte_flow_action actions[],
			 struct rte_flow_error *error)
{
	struct rte_flow *f = rte_malloc("tpk_flow", sizeof(*f), 0);
	int ret;

	if (f == NULL)
		return tpk_flow_fail(error, ENOMEM, RTE_FLOW_ERROR_TYPE_HANDLE,
				     NULL, "no memory");
	ret = tpk_flow_build(dev, attr, pattern, actions, f, error);
	rte_free(f);
	return ret;
}

static struct rte_flow *
tpk_flow_create_locked(struct rte_eth_dev *dev, const struct rte_flow_attr *attr,
		       const struct rte_flow_item pattern[],
		       const struct rte_flow_action actions[],
		       struct rte_flow_error *error)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct rte_flow *f;
	int ret;

	f = rte_malloc_socket("tpk_flow", sizeof(*f), 0, dev->data->numa_node);
	if (f == NULL) {
		tpk_flow_fail(error, ENOMEM, RTE_FLOW_ERROR_TYPE_HANDLE, NULL,
			      "no memory");
		return NULL;
	}
	ret = tpk_flow_build(dev, attr, pattern, actions, f, error);
	if (ret == 0) {
		ret = tpk_flow_cnt_alloc(pmd, &f->rule.cnt);
		if (ret < 0)
			tpk_flow_fail(error, -ret, RTE_FLOW_ERROR_TYPE_HANDLE, NULL,
				      "no counter slot");
	}
	if (ret < 0) {
		rte_free(f);
		return NULL;
	}
	f->rule.seq = pmd->flow.seq++;
	TAILQ_INSERT_TAIL(&pmd->flow.list, f, next);
	pmd->flow.nb++;
	ret = tpk_flow_push(dev);
	if (ret < 0) {
		TAILQ_REMOVE(&pmd->flow.list, f, next);
		pmd->flow.nb--;
		pmd->flow.cnt_used[f->rule.cnt] = 0;
		rte_free(f);
		tpk_flow_push(dev);
		tpk_flow_fail(error, -ret, RTE_FLOW_ERROR_TYPE_HANDLE, NULL,
			      "the kernel refused the rule table");
		return NULL;
	}
	return f;
}

/* Remove f from the list; its DROP hits stay in the port's xstat. */
static void
tpk_flow_forget(struct pmd_internals *pmd, struct rte_flow *f)
{
	struct tpk_flow_cnt c;

	if (f->rule.fate == TPK_FLOW_F_DROP &&
	    tpk_flow_cnt_read(pmd, f->rule.cnt, &c) == 0)
		pmd->flow.drops_gone += c.hits;
	TAILQ_REMOVE(&pmd->flow.list, f, next);
	pmd->flow.nb--;
	pmd->flow.cnt_used[f->rule.cnt] = 0;
	rte_free(f);
}

static bool
tpk_flow_known(struct pmd_internals *pmd, const struct rte_flow *flow)
{
	struct rte_flow *f;

	TAILQ_FOREACH(f, &pmd->flow.list, next)
		if (f == flow)
			return true;
	return false;
}

static int
tpk_flow_destroy_locked(struct rte_eth_dev *dev, struct rte_flow *flow,
			struct rte_flow_error *error)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int ret;

	if (flow == NULL || !tpk_flow_known(pmd, flow))
		return tpk_flow_fail(error, EINVAL, RTE_FLOW_ERROR_TYPE_HANDLE,
				     flow, "not a rule of this port");
	tpk_flow_forget(pmd, flow);
	ret = tpk_flow_push(dev);
	if (ret < 0)
		return tpk_flow_fail(error, -ret, RTE_FLOW_ERROR_TYPE_HANDLE, NULL,
				     "the kernel refused the rule table");
	return 0;
}

static int
tpk_flow_flush_locked(struct rte_eth_dev *dev, struct rte_flow_error *error)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int ret;

	while (!TAILQ_EMPTY(&pmd->flow.list))
		tpk_flow_forget(pmd, TAILQ_FIRST(&pmd->flow.list));
	if (pmd->flow.rules_fd < 0)
		return 0;
	ret = tpk_flow_push(dev);
	if (ret < 0)
		return tpk_flow_fail(error, -ret, RTE_FLOW_ERROR_TYPE_HANDLE, NULL,
				     "the kernel refused the rule table");
	return 0;
}

static int
tpk_flow_query_locked(struct rte_eth_dev *dev, struct rte_flow *flow,
		      const struct rte_flow_action *action, void *data,
		      struct rte_flow_error *error)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct rte_flow_query_count *qc = data;
	struct tpk_flow_cnt c;
	int ret;

	if (flow == NULL || !tpk_flow_known(pmd, flow))
		return tpk_flow_fail(error, EINVAL, RTE_FLOW_ERROR_TYPE_HANDLE,
				     flow, "not a rule of this port");
	if (action == NULL || action->type != RTE_FLOW_ACTION_TYPE_COUNT)
		return tpk_flow_fail(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION,
				     action, "only COUNT can be queried");
	if (!flow->count)
		return tpk_flow_fail(error, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION,
				     action, "the rule has no COUNT action");
	ret = tpk_flow_cnt_read(pmd, flow->rule.cnt, &c);
	if (ret < 0)
		return tpk_flow_fail(error, -ret, RTE_FLOW_ERROR_TYPE_HANDLE,
				     flow, "counter unreadable");
	qc->hits_set = 1;
	qc->bytes_set = 1;
	qc->hits = c.hits - flow->base.hits;
	qc->bytes = c.bytes - flow->base.bytes;
	if (qc->reset)
		flow->base = c;
	return 0;
}

static int
tpk_flow_isolate_locked(struct rte_eth_dev *dev, int set, struct rte_flow_error *error)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	bool was = pmd->flow.isolate;
	int ret;

	if (!!set == was)
		return 0;
	ret = tpk_flow_maps(dev, error);
	if (ret < 0)
		return ret;
	pmd->flow.isolate = !!set;
	ret = tpk_flow_push(dev);
	if (ret < 0) {
		pmd->flow.isolate = was;
		return tpk_flow_fail(error, -ret, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				     NULL, "the kernel refused the rule table");
	}
	return 0;
}

/*
 * The rule list, the counter slots and the map fds are also read by the
 * xstats of other threads (telemetry, and the multi-process channel that
 * serves a secondary's xstats): every rte_flow op holds the flow lock.
 */
static int
tpk_flow_validate(struct rte_eth_dev *dev, const struct rte_flow_attr *attr,
		  const struct rte_flow_item pattern[],
		  const struct rte_flow_action actions[],
		  struct rte_flow_error *error)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int ret;

	tpk_flow_lock(pmd);
	ret = tpk_flow_validate_locked(dev, attr, pattern, actions, error);
	tpk_flow_unlock(pmd);
	return ret;
}

static struct rte_flow *
tpk_flow_create(struct rte_eth_dev *dev, const struct rte_flow_attr *attr,
		const struct rte_flow_item pattern[],
		const struct rte_flow_action actions[],
		struct rte_flow_error *error)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct rte_flow *f;

	tpk_flow_lock(pmd);
	f = tpk_flow_create_locked(dev, attr, pattern, actions, error);
	tpk_flow_unlock(pmd);
	return f;
}

static int
tpk_flow_destroy(struct rte_eth_dev *dev, struct rte_flow *flow,
		 struct rte_flow_error *error)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int ret;

	tpk_flow_lock(pmd);
	ret = tpk_flow_destroy_locked(dev, flow, error);
	tpk_flow_unlock(pmd);
	return ret;
}

static int
tpk_flow_flush(struct rte_eth_dev *dev, struct rte_flow_error *error)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int ret;

	tpk_flow_lock(pmd);
	ret = tpk_flow_flush_locked(dev, error);
	tpk_flow_unlock(pmd);
	return ret;
}

static int
tpk_flow_query(struct rte_eth_dev *dev, struct rte_flow *flow,
	       const struct rte_flow_action *action, void *data,
	       struct rte_flow_error *error)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int ret;

	tpk_flow_lock(pmd);
	ret = tpk_flow_query_locked(dev, flow, action, data, error);
	tpk_flow_unlock(pmd);
	return ret;
}

static int
tpk_flow_isolate(struct rte_eth_dev *dev, int set, struct rte_flow_error *error)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	int ret;

	tpk_flow_lock(pmd);
	ret = tpk_flow_isolate_locked(dev, set, error);
	tpk_flow_unlock(pmd);
	return ret;
}

static const struct rte_flow_ops tpk_flow_ops = {
	.validate = tpk_flow_validate,
	.create = tpk_flow_create,
	.destroy = tpk_flow_destroy,
	.flush = tpk_flow_flush,
	.query = tpk_flow_query,
	.isolate = tpk_flow_isolate,
};

int
tpk_flow_ops_get(struct rte_eth_dev *dev __rte_unused,
		 const struct rte_flow_ops **ops)
{
	*ops = &tpk_flow_ops;
	return 0;
}

void
tpk_flow_xstats(struct pmd_internals *pmd, uint64_t *drops,
		uint64_t *isolate_drops)
{
	struct tpk_flow_cnt c;
	struct rte_flow *f;

	tpk_flow_lock(pmd);
	*drops = pmd->flow.drops_gone;
	*isolate_drops = 0;
	if (pmd->flow.cnt_fd >= 0) {
		TAILQ_FOREACH(f, &pmd->flow.list, next)
			if (f->rule.fate == TPK_FLOW_F_DROP &&
			    tpk_flow_cnt_read(pmd, f->rule.cnt, &c) == 0)
				*drops += c.hits;
		if (tpk_flow_cnt_read(pmd, TPK_FLOW_CNT_ISOLATE, &c) == 0)
			*isolate_drops = c.hits;
	}
	tpk_flow_unlock(pmd);
}

#else
static int
tpk_flow_none(struct rte_flow_error *error)
{
	return rte_flow_error_set(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				  NULL, "built without libbpf: no rte_flow");
}

static int
tpk_flow_validate(struct rte_eth_dev *dev __rte_unused,
		  const struct rte_flow_attr *attr __rte_unused,
		  const struct rte_flow_item pattern[] __rte_unused,
		  const struct rte_flow_action actions[] __rte_unused,
		  struct rte_flow_error *error)
{
	return tpk_flow_none(error);
}

static const struct rte_flow_ops tpk_flow_ops = {
	.validate = tpk_flow_validate,
};

int
tpk_flow_ops_get(struct rte_eth_dev *dev __rte_unused,
		 const struct rte_flow_ops **ops)
{
	*ops = &tpk_flow_ops;
	return 0;
}

int tpk_flow_attach(struct pmd_internals *pmd __rte_unused, int fd __rte_unused)
{
	return 0;
}

void tpk_flow_resync(struct pmd_internals *pmd __rte_unused) {}

void
tpk_flow_xstats(struct pmd_internals *pmd __rte_unused, uint64_t *drops,
		uint64_t *isolate_drops)
{
	*drops = 0;
	*isolate_drops = 0;
}

#endif

void
tpk_flow_init(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	pthread_mutexattr_t ma;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&pmd->flow.lock, &ma);
	pthread_mutexattr_destroy(&ma);
	TAILQ_INIT(&pmd->flow.list);
	pmd->flow.port_id = dev->data->port_id;
	pmd->flow.rules_fd = -1;
	pmd->flow.cnt_fd = -1;
	pmd->flow.filter_fd = -1;
}

/* At close: the rules go (the maps go with the object, after this). */
void
tpk_flow_uninit(struct rte_eth_dev *dev)
{
	struct pmd_internals *pmd = dev->data->dev_private;
	struct rte_flow *f;

	tpk_flow_lock(pmd);
	while ((f = TAILQ_FIRST(&pmd->flow.list)) != NULL) {
		TAILQ_REMOVE(&pmd->flow.list, f, next);
		rte_free(f);
	}
	pmd->flow.nb = 0;
	pmd->flow.isolate = false;
	pmd->flow.filter_on = false;
	pmd->flow.rules_fd = -1;
	pmd->flow.cnt_fd = -1;
	pmd->flow.filter_fd = -1;
	tpk_flow_unlock(pmd);
	/* No burst runs at close. */
	rte_free((void *)(uintptr_t)pmd->flow.mark_tbl);
	pmd->flow.mark_tbl = NULL;
	pthread_mutex_destroy(&pmd->flow.lock);
}

/* MARK: the first marking rule a received frame matches, as the kernel's
 * walk would find it. */
void
tpk_rx_mark(const struct tpk_flow_table *t, const uint8_t *frame, uint32_t len,
	    uint16_t tpid, uint16_t tci, bool *has_mark, uint32_t *mark)
{
	struct tpk_flow_key k;

	tpk_flow_key_frame(&k, frame, len, tpid != 0, tpid, tci);
	tpk_flow_table_walk(t, &k, has_mark, mark);
}
