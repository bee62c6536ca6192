/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <stdlib.h>

#include "tpk_devargs.h"
#include "tpk_v3.h"

static const char *const fanout_names[] = {
	[TPK_FANOUT_HASH] = "hash",
	[TPK_FANOUT_LB] = "lb",
	[TPK_FANOUT_CPU] = "cpu",
	[TPK_FANOUT_ROLLOVER] = "rollover",
	[TPK_FANOUT_RND] = "rnd",
	[TPK_FANOUT_QM] = "qm",
	[TPK_FANOUT_RSS] = "rss",
};

static const char *const rx_mode_names[] = {
	[TPK_RX_RING] = "ring",
	[TPK_RX_RECVMMSG] = "recvmmsg",
	[TPK_RX_FRAMES] = "frames",
	[TPK_RX_AUTO] = "auto",
};

static const char *const tx_mode_names[] = {
	[TPK_TX_SENDMMSG] = "sendmmsg",
	[TPK_TX_RING] = "ring",
};

const char *
tpk_fanout_name(uint32_t mode)
{
	return mode < sizeof(fanout_names) / sizeof(fanout_names[0]) ?
		fanout_names[mode] : "?";
}

void
tpk_devargs_defaults(struct tpk_devargs *da)
{
	memset(da, 0, sizeof(*da));
	da->queues = 64;	/* TPK_MAX_QUEUES: an upper bound only */
	da->tov = 1;
	da->fanout = TPK_FANOUT_RSS;
	da->fanout_id = -1;
	da->vnet_hdr = 1;
	da->rx_mode = TPK_RX_AUTO;
	da->tx_mode = TPK_TX_SENDMMSG;
	da->tx_coalesce = 1;
	da->reattach = 1;
}

enum kind { K_IFACE, K_UINT, K_ENUM, K_PATH };

struct key {
	const char *name;
	enum kind kind;
	size_t off;
	uint64_t min, max;
	const char *const *names;
	unsigned int nb_names;
	const char *allowed;	/* for the error message */
};

#define OFF(f) offsetof(struct tpk_devargs, f)
static const struct key keys[] = {
	{ "iface", K_IFACE, OFF(iface), 0, 0, NULL, 0,
	  "an existing interface name, at most 15 characters" },
	{ "queues", K_UINT, OFF(queues), 1, TPK_MAX_QUEUES, NULL, 0,
	  "an integer in [1, 64]" },
	{ "blocksz", K_UINT, OFF(blocksz), TPK_BLOCKSZ_MIN, TPK_BLOCKSZ_MAX,
	  NULL, 0, "a power of two in [4096, 67108864] bytes" },
	{ "blocks", K_UINT, OFF(blocks), TPK_BLOCKS_MIN, TPK_BLOCKS_MAX,
	  NULL, 0, "an integer in [2, 65536]" },
	{ "tov", K_UINT, OFF(tov), 0, TPK_TOV_MAX, NULL, 0,
	  "milliseconds in [0, 65535] (0: kernel default)" },
	{ "fanout", K_ENUM, OFF(fanout), 0, 0, fanout_names, 7,
	  "rss, hash, lb, cpu, rollover, rnd or qm" },
	{ "fanout_id", K_UINT, OFF(fanout_id), 0, 65535, NULL, 0,
	  "an integer in [0, 65535]" },
	{ "qdisc_bypass", K_UINT, OFF(qdisc_bypass), 0, 1, NULL, 0, "0 or 1" },
	{ "reattach", K_UINT, OFF(reattach), 0, 1, NULL, 0, "0 or 1" },
	{ "vnet_hdr", K_UINT, OFF(vnet_hdr), 0, 1, NULL, 0, "0 or 1" },
	{ "rx_mode", K_ENUM, OFF(rx_mode), 0, 0, rx_mode_names, 4,
	  "auto, ring, recvmmsg or frames" },
	{ "tx_mode", K_ENUM, OFF(tx_mode), 0, 0, tx_mode_names, 2,
	  "sendmmsg or ring" },
	{ "txframes", K_UINT, OFF(txframes), 16, 65536, NULL, 0,
	  "an integer in [16, 65536]" },
	{ "tx_coalesce", K_UINT, OFF(tx_coalesce), 0, 1, NULL, 0, "0 or 1" },
	{ "fd_helper", K_PATH, OFF(fd_helper), 0, 0, NULL, 0,
	  "an absolute path of a unix socket, at most 107 characters" },
};
#define NB_KEYS (sizeof(keys) / sizeof(keys[0]))

static int
parse_uint(const char *s, uint64_t *v)
{
	char *end;

	/* Digits only: no sign, no spaces, no hex, no empty value. */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return (errno || *end) ? -1 : 0;
}

static int
parse_one(const struct key *k, const char *val, struct tpk_devargs *da,
	  char *err, size_t errlen)
{
	char *field = (char *)da + k->off;
	uint64_t v;
	unsigned int i;

	switch (k->kind) {
	case K_IFACE:
		if (val[0] == '\0' || strlen(val) >= IF_NAMESIZE ||
		    strpbrk(val, "/ \t:"))
			goto bad;
		strcpy(field, val);
		return 0;
	case K_PATH:
		if (val[0] != '/' || strlen(val) >= sizeof(da->fd_helper))
			goto bad;
		strcpy(field, val);
		return 0;
	case K_UINT:
		if (parse_uint(val, &v) || v < k->min || v > k->max)
			goto bad;
		if (k->off == OFF(blocksz) && (v & (v - 1)))
			goto bad;
		if (k->off == OFF(fanout_id))
			da->fanout_id = (int32_t)v;
		else
			*(uint32_t *)field = (uint32_t)v;
		return 0;
	case K_ENUM:
		for (i = 0; i < k->nb_names; i++) {
			if (strcmp(val, k->names[i]) == 0) {
				*(uint32_t *)field = i;
				return 0;
			}
		}
		goto bad;
	}
bad:
	snprintf(err, errlen, "invalid devarg %s=%s: expected %s",
		 k->name, val, k->allowed);
	return -1;
}

int
tpk_devargs_parse(const char *args, struct tpk_devargs *da, char *err,
		  size_t errlen)
{
	char buf[512];
	char *save = NULL, *tok;
	uint32_t seen = 0;
	unsigned int i;

	tpk_devargs_defaults(da);
	if (args == NULL)
		args = "";
	if (strlen(args) >= sizeof(buf)) {
		snprintf(err, errlen, "devargs too long (%zu bytes, max %zu)",
			 strlen(args), sizeof(buf) - 1);
		return -1;
	}
	strcpy(buf, args);

	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const struct key *k = NULL;

		if (eq == NULL) {
			snprintf(err, errlen,
				 "invalid devarg '%s': expected key=value", tok);
			return -1;
		}
		*eq = '\0';
		for (i = 0; i < NB_KEYS; i++) {
			if (strcmp(tok, keys[i].name) == 0) {
				k = &keys[i];
				break;
			}
		}
		if (k == NULL) {
			snprintf(err, errlen,
				 "unknown devarg %s=%s: allowed keys are %s",
				 tok, eq + 1, TPK_DEVARGS_HELP);
			return -1;
		}
		if (seen & (1u << i)) {
			snprintf(err, errlen,
				 "devarg %s=%s given twice: each key at most once",
				 tok, eq + 1);
			return -1;
		}
		seen |= 1u << i;
		if (parse_one(k, eq + 1, da, err, errlen))
			return -1;
	}
	if (!(seen & 1u)) {
		snprintf(err, errlen,
			 "missing devarg iface=<ifname>: the interface to attach to");
		return -1;
	}
	return 0;
}

enum tpk_rx_mode
tpk_rx_mode_of(uint32_t rx_mode, bool lro)
{
	if (rx_mode != TPK_RX_AUTO)
		return (enum tpk_rx_mode)rx_mode;
	return TPK_V3_LIVE && !lro ? TPK_RX_RING : TPK_RX_FRAMES;
}
