/* SPDX-License-Identifier: BSD-3-Clause
 * The fd-helper request parser (lib/tpk_fdreq.c): what the helper accepts
 * and, for everything else, which refusal it gives.
 */
#include <errno.h>
#include <string.h>

#include "tpk_fdreq.h"
#include "tpk_check.h"

/* Parse a message of exactly len bytes (no terminator beyond them). */
static enum tpk_fdreq_status
parse_n(const char *m, size_t len, struct tpk_fdreq *req)
{
	char *copy = malloc(len ? len : 1);
	enum tpk_fdreq_status st;

	memcpy(copy, m, len);
	st = tpk_fdreq_parse(copy, len, req);
	free(copy);
	return st;
}

/* A C string with its NUL, the way tpk_fdpass_request sends it. */
static enum tpk_fdreq_status
parse_s(const char *s, struct tpk_fdreq *req)
{
	return parse_n(s, strlen(s) + 1, req);
}

static void
t_valid(void)
{
	struct tpk_fdreq req;

	CHECK_EQ(parse_s("SOCK eth0", &req), TPK_FDREQ_OK);
	CHECK(strcmp(req.ifname, "eth0") == 0);
	CHECK_EQ(parse_s("SOCK veth-a.1_b@x", &req), TPK_FDREQ_OK);
	CHECK(strcmp(req.ifname, "veth-a.1_b@x") == 0);
	/* IFNAMSIZ - 1 characters is the longest name */
	CHECK_EQ(parse_s("SOCK abcdefghijklmno", &req), TPK_FDREQ_OK);
	CHECK_EQ(strlen(req.ifname), IFNAMSIZ - 1);
	CHECK_EQ(parse_s("SOCK ...", &req), TPK_FDREQ_OK);
}

static void
t_empty(void)
{
	struct tpk_fdreq req;

	memset(&req, 0x55, sizeof(req));
	CHECK_EQ(parse_n("", 0, &req), TPK_FDREQ_EMPTY);
	CHECK_EQ(req.ifname[0], 0);
	CHECK_EQ(parse_n("", 1, &req), TPK_FDREQ_BAD_VERB);
	CHECK_EQ(parse_s("SOCK ", &req), TPK_FDREQ_NAME_EMPTY);
	CHECK_EQ(parse_s("SOCK", &req), TPK_FDREQ_BAD_VERB);
}

static void
t_over_long(void)
{
	char m[TPK_FDREQ_MSG_MAX + 2];
	struct tpk_fdreq req;

	memset(m, 'a', sizeof(m));
	memcpy(m, "SOCK ", 5);
	m[TPK_FDREQ_MSG_MAX] = '\0';
	CHECK_EQ(parse_n(m, TPK_FDREQ_MSG_MAX + 1, &req), TPK_FDREQ_TOO_LONG);
	m[TPK_FDREQ_MSG_MAX - 1] = '\0';
	/* at the bound the message is read, and its name is too long */
	CHECK_EQ(parse_n(m, TPK_FDREQ_MSG_MAX, &req), TPK_FDREQ_NAME_TOO_LONG);
	/* the length alone decides: no byte is read */
	CHECK_EQ(tpk_fdreq_parse(m, SIZE_MAX, &req), TPK_FDREQ_TOO_LONG);
}

static void
t_name_too_long(void)
{
	struct tpk_fdreq req;

	CHECK_EQ(parse_s("SOCK abcdefghijklmnop", &req),
		 TPK_FDREQ_NAME_TOO_LONG);
	CHECK_EQ(req.ifname[0], 0);
	CHECK_EQ(parse_s("SOCK averyveryverylongname", &req),
		 TPK_FDREQ_NAME_TOO_LONG);
}

static void
t_missing_nul(void)
{
	struct tpk_fdreq req;

	CHECK_EQ(parse_n("SOCK eth0", 9, &req), TPK_FDREQ_NO_NUL);
	CHECK_EQ(parse_n("S", 1, &req), TPK_FDREQ_NO_NUL);
}

static void
t_embedded_nul(void)
{
	struct tpk_fdreq req;

	CHECK_EQ(parse_n("SOCK eth0\0x", 12, &req), TPK_FDREQ_EMBEDDED_NUL);
	CHECK_EQ(parse_n("SOCK eth\0" "0", 11, &req), TPK_FDREQ_EMBEDDED_NUL);
	CHECK_EQ(parse_n("SOCK eth0\0", 11, &req), TPK_FDREQ_EMBEDDED_NUL);
	CHECK_EQ(parse_n("\0\0", 2, &req), TPK_FDREQ_EMBEDDED_NUL);
}

static void
t_non_printable(void)
{
	static const char *const bad[] = {
		"SOCK eth 0", "SOCK eth\t0", "SOCK eth\n", "SOCK \001a",
		"SOCK a\x7f", "SOCK \xc3\xa9th0", "SOCK a/b", "SOCK a:1",
		"SOCK a,b", "SOCK  eth0",
	};
	struct tpk_fdreq req;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(parse_s(bad[i], &req) == TPK_FDREQ_NAME_CHARS,
		       "case %zu not refused for its characters", i);
	CHECK_EQ(parse_s("SOCK .", &req), TPK_FDREQ_NAME_RESERVED);
	CHECK_EQ(parse_s("SOCK ..", &req), TPK_FDREQ_NAME_RESERVED);
}

/* The protocol's "magic" is its verb: exact, upper case, one space. */
static void
t_wrong_verb(void)
{
	struct tpk_fdreq req;

	CHECK_EQ(parse_s("sock eth0", &req), TPK_FDREQ_BAD_VERB);
	CHECK_EQ(parse_s("SOCKeth0", &req), TPK_FDREQ_BAD_VERB);
	CHECK_EQ(parse_s("GIVE eth0", &req), TPK_FDREQ_BAD_VERB);
	CHECK_EQ(parse_s("SOCK\teth0", &req), TPK_FDREQ_BAD_VERB);
	CHECK_EQ(parse_n("\xff\xfe\xfd", 3, &req), TPK_FDREQ_NO_NUL);
}

static void
t_encode_roundtrip(void)
{
	char buf[TPK_FDREQ_MSG_MAX];
	struct tpk_fdreq req;
	int n;

	n = tpk_fdreq_encode("fc", buf, sizeof(buf));
	REQUIRE_EQ(n, 8, out);
	CHECK_MEM(buf, "SOCK fc", 8);
	CHECK_EQ(tpk_fdreq_parse(buf, (size_t)n, &req), TPK_FDREQ_OK);
	CHECK(strcmp(req.ifname, "fc") == 0);
	CHECK_EQ(tpk_fdreq_encode("fc", buf, 7), -EMSGSIZE);
	CHECK_EQ(tpk_fdreq_encode("fc", buf, 8), 8);
out:
	return;
}

static void
t_strerror(void)
{
	int st;

	for (st = 0; st < TPK_FDREQ_STATUS_MAX; st++)
		CHECK(tpk_fdreq_strerror(st) != NULL &&
		       tpk_fdreq_strerror(st)[0] != '\0', "status %d", st);
	CHECK(strcmp(tpk_fdreq_strerror(TPK_FDREQ_STATUS_MAX),
		     "unknown status") == 0);
}

static void
t_allowed(void)
{
	CHECK(tpk_fdreq_allowed("fc,fs", "fc"));
	CHECK(tpk_fdreq_allowed("fc,fs", "fs"));
	CHECK(tpk_fdreq_allowed("eth0", "eth0"));
	CHECK(!tpk_fdreq_allowed("fc,fs", "f"));
	CHECK(!tpk_fdreq_allowed("fc,fs", "fcs"));
	CHECK(!tpk_fdreq_allowed("eth01", "eth0"));
	CHECK(!tpk_fdreq_allowed("fc,fs", ""));
	CHECK(!tpk_fdreq_allowed("", "fc"));
	CHECK(!tpk_fdreq_allowed("fc,fs", "fc,fs"));
}

int
main(void)
{
	TEST(t_valid);
	TEST(t_empty);
	TEST(t_over_long);
	TEST(t_name_too_long);
	TEST(t_missing_nul);
	TEST(t_embedded_nul);
	TEST(t_non_printable);
	TEST(t_wrong_verb);
	TEST(t_encode_roundtrip);
	TEST(t_strerror);
	TEST(t_allowed);
	return tpk_test_done();
}
