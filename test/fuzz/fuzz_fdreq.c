/* SPDX-License-Identifier: BSD-3-Clause
 * tpk_fdreq_parse on arbitrary messages (what any local client can send
 * to tpacket-fdhelper): no crash, a known status, and an accepted request
 * names a valid interface and is exactly its own encoding.
 */
#include <string.h>

#include "tpk_fdreq.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_accepted(const struct tpk_fdreq *req, const uint8_t *data, size_t size)
{
	char buf[TPK_FDREQ_MSG_MAX];
	struct tpk_fdreq again;
	size_t l, i;
	int n;

	FUZZ_ASSERT(memchr(req->ifname, '\0', sizeof(req->ifname)) != NULL);
	l = strlen(req->ifname);
	FUZZ_ASSERT(l > 0 && l < IFNAMSIZ);
	for (i = 0; i < l; i++) {
		unsigned char c = (unsigned char)req->ifname[i];

		FUZZ_ASSERT(c > ' ' && c < 0x7f);
		FUZZ_ASSERT(c != '/' && c != ':' && c != ',');
	}
	FUZZ_ASSERT(strcmp(req->ifname, ".") != 0 &&
		    strcmp(req->ifname, "..") != 0);
	FUZZ_ASSERT(size <= TPK_FDREQ_MSG_MAX);

	/* Re-encoded, it is the same bytes and parses to the same request. */
	n = tpk_fdreq_encode(req->ifname, buf, sizeof(buf));
	FUZZ_ASSERT(n > 0 && (size_t)n == size);
	FUZZ_ASSERT(memcmp(buf, data, size) == 0);
	FUZZ_ASSERT(tpk_fdreq_parse(buf, (size_t)n, &again) == TPK_FDREQ_OK);
	FUZZ_ASSERT(memcmp(&again, req, sizeof(again)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tpk_fdreq req, req2;
	enum tpk_fdreq_status st, st2;
	const char *why;
	uint8_t *copy;

	/* An exactly-sized copy, so that ASan sees a read past the end. */
	copy = malloc(size ? size : 1);
	FUZZ_ASSERT(copy != NULL);
	memcpy(copy, data, size);
	memset(&req, 0x55, sizeof(req));
	st = tpk_fdreq_parse(copy, size, &req);
	FUZZ_ASSERT((unsigned int)st < TPK_FDREQ_STATUS_MAX);
	why = tpk_fdreq_strerror(st);
	FUZZ_ASSERT(why != NULL && why[0] != '\0');
	fuzz_touch(why, strlen(why));
	if (st == TPK_FDREQ_OK) {
		check_accepted(&req, copy, size);
	} else {
		static const struct tpk_fdreq zero;

		FUZZ_ASSERT(memcmp(&req, &zero, sizeof(req)) == 0);
	}
	/* Pure: the same bytes give the same verdict. */
	st2 = tpk_fdreq_parse(copy, size, &req2);
	FUZZ_ASSERT(st2 == st && memcmp(&req, &req2, sizeof(req)) == 0);
	/* The list matcher on whatever was accepted (ASan, no crash). */
	if (st == TPK_FDREQ_OK)
		FUZZ_ASSERT(tpk_fdreq_allowed(req.ifname, req.ifname));
	free(copy);
	return 0;
}
