/* SPDX-License-Identifier: BSD-3-Clause
 * tpk_devargs_parse on arbitrary NUL-terminated input: no crash, no
 * overflow of the error buffer, and whatever it accepts is in range.
 */
#include <string.h>

#include "tpk_devargs.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_accepted(const struct tpk_devargs *da, const char *s)
{
	size_t l = strnlen(da->iface, sizeof(da->iface));

	FUZZ_ASSERT(strlen(s) < 512);
	FUZZ_ASSERT(l > 0 && l < sizeof(da->iface));
	FUZZ_ASSERT(strpbrk(da->iface, "/ \t:,") == NULL);
	FUZZ_ASSERT(strstr(s, "iface=") != NULL);
	FUZZ_ASSERT(da->queues >= 1 && da->queues <= TPK_MAX_QUEUES);
	FUZZ_ASSERT(da->blocksz == 0 ||
		    (da->blocksz >= TPK_BLOCKSZ_MIN &&
		     da->blocksz <= TPK_BLOCKSZ_MAX &&
		     (da->blocksz & (da->blocksz - 1)) == 0));
	FUZZ_ASSERT(da->blocks == 0 ||
		    (da->blocks >= TPK_BLOCKS_MIN &&
		     da->blocks <= TPK_BLOCKS_MAX));
	FUZZ_ASSERT(da->tov <= TPK_TOV_MAX);
	FUZZ_ASSERT(da->fd_helper[0] == '\0' ||
		    (da->fd_helper[0] == '/' &&
		     memchr(da->fd_helper, '\0', sizeof(da->fd_helper))));
	FUZZ_ASSERT(da->fanout_id >= -1 && da->fanout_id <= 65535);
	FUZZ_ASSERT(da->qdisc_bypass <= 1 && da->vnet_hdr <= 1);
	FUZZ_ASSERT(da->tx_mode <= TPK_TX_RING);
	FUZZ_ASSERT(da->txframes == 0 ||
		    (da->txframes >= 16 && da->txframes <= 65536));
	FUZZ_ASSERT(strcmp(tpk_fanout_name(da->fanout), "?") != 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tpk_devargs da, db;
	char err[256], *s, *tight;
	size_t tl;
	int r, r2;

	s = malloc(size + 1);
	FUZZ_ASSERT(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';

	memset(err, 0x55, sizeof(err));
	r = tpk_devargs_parse(s, &da, err, sizeof(err));
	FUZZ_ASSERT(r == 0 || r == -1);
	if (r == 0) {
		check_accepted(&da, s);
	} else {
		FUZZ_ASSERT(memchr(err, '\0', sizeof(err)) != NULL);
		FUZZ_ASSERT(err[0] != '\0');
	}

	/* Same verdict with an exactly-sized small error buffer (ASan). */
	tl = size % 17;
	tight = tl ? malloc(tl) : NULL;
	r2 = tpk_devargs_parse(s, &db, tight, tl);
	FUZZ_ASSERT(r2 == r);
	if (r == 0)
		FUZZ_ASSERT(memcmp(&da, &db, sizeof(da)) == 0);
	else if (tl)
		FUZZ_ASSERT(memchr(tight, '\0', tl) != NULL);
	free(tight);
	free(s);
	return 0;
}
