/* SPDX-License-Identifier: BSD-3-Clause
 * tpk_devargs_parse: accepted inputs, defaults and boundaries; every
 * rejected input fails with a message that names the key and the value.
 */
#include <stdbool.h>

#include "tpk_devargs.h"
#include "tpk_v3.h"
#include "tpk_check.h"

static struct tpk_devargs da;
static char err[512];

static int
parse(const char *s)
{
	memset(&da, 0xa5, sizeof(da));
	memset(err, 0, sizeof(err));
	return tpk_devargs_parse(s, &da, err, sizeof(err));
}

static void
check_defaults_except_iface(void)
{
	CHECK_EQ(da.queues, 64);
	CHECK_EQ(da.blocksz, 0);
	CHECK_EQ(da.blocks, 0);
	CHECK_EQ(da.tov, 1);
	CHECK_EQ(da.fanout, TPK_FANOUT_RSS);
	CHECK(da.fanout_id == -1);
	CHECK_EQ(da.qdisc_bypass, 0);
	CHECK_EQ(da.vnet_hdr, 1);
	CHECK_EQ(da.tx_mode, TPK_TX_SENDMMSG);
	CHECK_EQ(da.txframes, 0);
	CHECK_EQ(da.tx_coalesce, 1);
	CHECK_EQ(da.reattach, 1);
	CHECK_EQ(da.rx_mode, TPK_RX_AUTO);
	CHECK_EQ(tpk_rx_mode_of(da.rx_mode, false), TPK_V3_LIVE ? TPK_RX_RING : TPK_RX_FRAMES);
	CHECK_EQ(tpk_rx_mode_of(da.rx_mode, true), TPK_RX_FRAMES);
	CHECK_EQ(tpk_rx_mode_of(TPK_RX_RING, true), TPK_RX_RING);
	CHECK_EQ(da.fd_helper[0], 0);
}

static void
t_defaults(void)
{
	struct tpk_devargs d;

	memset(&d, 0x5a, sizeof(d));
	tpk_devargs_defaults(&d);
	da = d;
	check_defaults_except_iface();
	CHECK_EQ(d.iface[0], 0);
}

static void
t_iface_only(void)
{
	if (!CHECK_EQ(parse("iface=eth0"), 0))
		return;
	CHECK(strcmp(da.iface, "eth0") == 0);
	check_defaults_except_iface();
}

static void
t_all_keys(void)
{
	int r = parse("iface=veth-a0,queues=4,blocksz=1048576,blocks=64,"
		      "tov=10,fanout=lb,fanout_id=42,qdisc_bypass=1,"
		      "vnet_hdr=0,rx_mode=recvmmsg,tx_mode=ring,txframes=1024,"
		      "tx_coalesce=0,"
		      "fd_helper=/run/tpacket-fdhelper.sock");

	if (!CHECK_EQ(r, 0))
		return;
	CHECK(strcmp(da.iface, "veth-a0") == 0);
	CHECK_EQ(da.queues, 4);
	CHECK_EQ(da.blocksz, 1048576);
	CHECK_EQ(da.blocks, 64);
	CHECK_EQ(da.tov, 10);
	CHECK_EQ(da.fanout, TPK_FANOUT_LB);
	CHECK_EQ(da.fanout_id, 42);
	CHECK_EQ(da.qdisc_bypass, 1);
	CHECK_EQ(da.vnet_hdr, 0);
	CHECK_EQ(da.tx_mode, TPK_TX_RING);
	CHECK_EQ(da.txframes, 1024);
	CHECK_EQ(da.tx_coalesce, 0);
	CHECK_EQ(da.rx_mode, TPK_RX_RECVMMSG);
	CHECK(strcmp(da.fd_helper, "/run/tpacket-fdhelper.sock") == 0);
}

static void
t_iface_last(void)
{
	if (!CHECK_EQ(parse("queues=2,tov=0,iface=lo"), 0))
		return;
	CHECK(strcmp(da.iface, "lo") == 0);
	CHECK_EQ(da.queues, 2);
	CHECK_EQ(da.tov, 0);
}

static void
t_iface_15_chars(void)
{
	if (!CHECK_EQ(parse("iface=abcdefghijklmno"), 0))
		return;
	CHECK(strcmp(da.iface, "abcdefghijklmno") == 0);
}

static void
t_leading_zeros_are_decimal(void)
{
	if (!CHECK_EQ(parse("iface=eth0,queues=010"), 0))
		return;
	CHECK_EQ(da.queues, 10);
}

/* "key=value" accepted: check the field got v. */
struct good { const char *arg; size_t off; long long v; };
#define F(f) offsetof(struct tpk_devargs, f)
static const struct good goods[] = {
	{ "queues=1", F(queues), 1 },
	{ "queues=64", F(queues), 64 },
	{ "blocksz=4096", F(blocksz), 4096 },
	{ "blocksz=67108864", F(blocksz), 67108864 },
	{ "blocksz=131072", F(blocksz), 131072 },
	{ "blocks=2", F(blocks), 2 },
	{ "blocks=65536", F(blocks), 65536 },
	{ "tov=0", F(tov), 0 },
	{ "tov=65535", F(tov), 65535 },
	{ "fanout=hash", F(fanout), TPK_FANOUT_HASH },
	{ "fanout=lb", F(fanout), TPK_FANOUT_LB },
	{ "fanout=cpu", F(fanout), TPK_FANOUT_CPU },
	{ "fanout=rollover", F(fanout), TPK_FANOUT_ROLLOVER },
	{ "fanout=rnd", F(fanout), TPK_FANOUT_RND },
	{ "fanout=qm", F(fanout), TPK_FANOUT_QM },
	{ "fanout=rss", F(fanout), TPK_FANOUT_RSS },
	{ "fanout_id=0", F(fanout_id), 0 },
	{ "fanout_id=65535", F(fanout_id), 65535 },
	{ "qdisc_bypass=0", F(qdisc_bypass), 0 },
	{ "qdisc_bypass=1", F(qdisc_bypass), 1 },
	{ "vnet_hdr=0", F(vnet_hdr), 0 },
	{ "vnet_hdr=1", F(vnet_hdr), 1 },
	{ "tx_mode=sendmmsg", F(tx_mode), TPK_TX_SENDMMSG },
	{ "tx_mode=ring", F(tx_mode), TPK_TX_RING },
	{ "txframes=16", F(txframes), 16 },
	{ "txframes=65536", F(txframes), 65536 },
	{ "tx_coalesce=0", F(tx_coalesce), 0 },
	{ "rx_mode=ring", F(rx_mode), TPK_RX_RING },
	{ "rx_mode=recvmmsg", F(rx_mode), TPK_RX_RECVMMSG },
	{ "rx_mode=frames", F(rx_mode), TPK_RX_FRAMES },
	{ "rx_mode=auto", F(rx_mode), TPK_RX_AUTO },
	{ "tx_coalesce=1", F(tx_coalesce), 1 },
	{ "reattach=0", F(reattach), 0 },
	{ "reattach=1", F(reattach), 1 },
};

static void
run_good(const struct good *g)
{
	char buf[128];
	long long got;

	snprintf(buf, sizeof(buf), "iface=eth0,%s", g->arg);
	if (parse(buf) != 0) {
		RECORD_FAILURE("'%s' rejected: %s", buf, err);
		return;
	}
	if (g->off == F(fanout_id))
		got = da.fanout_id;
	else
		got = *(uint32_t *)((char *)&da + g->off);
	CHECK(got == g->v, "'%s': field is %lld, want %lld", buf, got, g->v);
}

static void
t_fanout_names(void)
{
	static const char *const n[] = { "hash", "lb", "cpu", "rollover",
					  "rnd", "qm", "rss" };
	uint32_t i;

	for (i = 0; i < 7; i++)
		CHECK(strcmp(tpk_fanout_name(i), n[i]) == 0);
	CHECK(strcmp(tpk_fanout_name(7), "?") == 0);
	CHECK(tpk_fanout_name(UINT32_MAX) != NULL);
}

/*
 * Rejected: must fail, leave a NUL-terminated message, and the message
 * must contain each of want[] (the key and the value).
 */
struct bad { const char *name; const char *arg; const char *want[2]; };
static const struct bad bads[] = {
	{ "unknown_key", "iface=eth0,bogus=1", { "bogus", "1" } },
	{ "unknown_key_case", "iface=eth0,Queues=2", { "Queues", "2" } },
	{ "missing_eq", "iface=eth0,queues", { "queues", "key=value" } },
	{ "missing_eq_iface", "eth0", { "eth0", "key=value" } },
	{ "empty_key", "iface=eth0,=5", { "=5", NULL } },
	{ "empty_value_queues", "iface=eth0,queues=", { "queues=", NULL } },
	{ "empty_value_iface", "iface=", { "iface=", NULL } },
	{ "empty_value_fanout", "iface=eth0,fanout=", { "fanout=", NULL } },
	{ "queues_0", "iface=eth0,queues=0", { "queues", "0" } },
	{ "queues_65", "iface=eth0,queues=65", { "queues", "65" } },
	{ "queues_abc", "iface=eth0,queues=abc", { "queues", "abc" } },
	{ "queues_neg1", "iface=eth0,queues=-1", { "queues", "-1" } },
	{ "queues_plus1", "iface=eth0,queues=+1", { "queues", "+1" } },
	{ "queues_space1", "iface=eth0,queues= 1", { "queues", " 1" } },
	{ "queues_1space", "iface=eth0,queues=1 ", { "queues", "1 " } },
	{ "queues_1x", "iface=eth0,queues=1x", { "queues", "1x" } },
	{ "queues_hex", "iface=eth0,queues=0x10", { "queues", "0x10" } },
	{ "queues_overflow", "iface=eth0,queues=18446744073709551617",
	  { "queues", "18446744073709551617" } },
	{ "queues_wrap32", "iface=eth0,queues=4294967297",
	  { "queues", "4294967297" } },
	{ "blocksz_not_pow2", "iface=eth0,blocksz=5000", { "blocksz", "5000" } },
	{ "blocksz_not_pow2_big", "iface=eth0,blocksz=1048577",
	  { "blocksz", "1048577" } },
	{ "blocksz_too_small", "iface=eth0,blocksz=2048", { "blocksz", "2048" } },
	{ "blocksz_zero", "iface=eth0,blocksz=0", { "blocksz", "0" } },
	{ "blocksz_too_big", "iface=eth0,blocksz=134217728",
	  { "blocksz", "134217728" } },
	{ "blocks_1", "iface=eth0,blocks=1", { "blocks", "1" } },
	{ "blocks_65537", "iface=eth0,blocks=65537", { "blocks", "65537" } },
	{ "tov_65536", "iface=eth0,tov=65536", { "tov", "65536" } },
	{ "fanout_bogus", "iface=eth0,fanout=bogus", { "fanout", "bogus" } },
	{ "fanout_upper", "iface=eth0,fanout=HASH", { "fanout", "HASH" } },
	{ "fanout_prefix", "iface=eth0,fanout=has", { "fanout", "has" } },
	{ "fanout_number", "iface=eth0,fanout=0", { "fanout", "0" } },
	{ "fanout_id_65536", "iface=eth0,fanout_id=65536",
	  { "fanout_id", "65536" } },
	{ "fanout_id_neg1", "iface=eth0,fanout_id=-1", { "fanout_id", "-1" } },
	{ "qdisc_bypass_2", "iface=eth0,qdisc_bypass=2", { "qdisc_bypass", "2" } },
	{ "vnet_hdr_2", "iface=eth0,vnet_hdr=2", { "vnet_hdr", "2" } },
	{ "vnet_hdr_yes", "iface=eth0,vnet_hdr=yes", { "vnet_hdr", "yes" } },
	{ "tx_mode_bogus", "iface=eth0,tx_mode=bogus", { "tx_mode", "bogus" } },
	{ "txframes_15", "iface=eth0,txframes=15", { "txframes", "15" } },
	{ "txframes_65537", "iface=eth0,txframes=65537", { "txframes", "65537" } },
	{ "tx_coalesce_2", "iface=eth0,tx_coalesce=2", { "tx_coalesce", "2" } },
	{ "rx_mode_v2", "iface=eth0,rx_mode=v2", { "rx_mode", "v2" } },
	{ "duplicate_key", "iface=eth0,queues=2,queues=3", { "queues", "3" } },
	{ "duplicate_same_value", "iface=eth0,tov=1,tov=1", { "tov", "1" } },
	{ "duplicate_iface", "iface=eth0,iface=eth1", { "iface", "eth1" } },
	{ "missing_iface", "queues=2", { "iface", NULL } },
	{ "missing_iface_empty", "", { "iface", NULL } },
	{ "missing_iface_commas", ",,,", { "iface", NULL } },
	{ "iface_16_chars", "iface=abcdefghijklmnop", { "iface", "abcdefghijklmnop" } },
	{ "iface_long", "iface=a-very-long-interface-name",
	  { "iface", "a-very-long-interface-name" } },
	{ "iface_slash", "iface=a/b", { "iface", "a/b" } },
	{ "iface_colon", "iface=eth0:1", { "iface", "eth0:1" } },
	{ "iface_space", "iface=eth 0", { "iface", "eth 0" } },
	{ "bad_value_after_good", "iface=eth0,queues=2,blocks=0",
	  { "blocks", "0" } },
	{ "fd_helper_relative", "iface=eth0,fd_helper=run/x.sock",
	  { "fd_helper", "run/x.sock" } },
	{ "fd_helper_empty", "iface=eth0,fd_helper=", { "fd_helper=", NULL } },
	{ "fd_helper_108_chars", "iface=eth0,fd_helper=/"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", { "fd_helper", "/aaaa" } },
	{ "fd_helper_twice", "iface=eth0,fd_helper=/a,fd_helper=/b",
	  { "fd_helper", "/b" } },
};

static void
t_fd_helper_107_chars(void)
{
	char buf[200], path[108];

	path[0] = '/';
	memset(path + 1, 'p', 106);
	path[107] = '\0';
	snprintf(buf, sizeof(buf), "iface=eth0,fd_helper=%s", path);
	if (!CHECK_EQ(parse(buf), 0))
		return;
	CHECK(strcmp(da.fd_helper, path) == 0);
}

static void
run_bad(const struct bad *b)
{
	int r = parse(b->arg), i;

	if (r != -1) {
		RECORD_FAILURE("'%s' returned %d, want -1", b->arg, r);
		return;
	}
	CHECK(err[0] != '\0', "'%s': empty error message", b->arg);
	CHECK(memchr(err, '\0', sizeof(err)) != NULL, "unterminated message");
	for (i = 0; i < 2; i++)
		if (b->want[i])
			CHECK(strstr(err, b->want[i]) != NULL,
			       "'%s': message \"%s\" does not name \"%s\"",
			       b->arg, err, b->want[i]);
}

static void
t_null_args(void)
{
	if (!CHECK_EQ(parse(NULL), -1))
		return;
	CHECK(strstr(err, "iface") != NULL);
	/* Defaults are still filled in on failure. */
	check_defaults_except_iface();
}

static void
t_args_511_bytes_ok(void)
{
	char buf[600];
	size_t n;

	strcpy(buf, "iface=eth0,queues=");
	n = strlen(buf);
	memset(buf + n, '0', 511 - n - 1);
	buf[510] = '8';
	buf[511] = '\0';
	if (!CHECK_EQ(strlen(buf), 511))
		return;
	if (!CHECK_EQ(parse(buf), 0))
		return;
	CHECK_EQ(da.queues, 8);
}

static void
t_args_too_long(void)
{
	char buf[600];
	size_t n;

	strcpy(buf, "iface=eth0,queues=");
	n = strlen(buf);
	memset(buf + n, '0', 512 - n - 1);
	buf[511] = '8';
	buf[512] = '\0';
	if (!CHECK_EQ(parse(buf), -1))
		return;
	CHECK(strstr(err, "too long") != NULL);
	CHECK(strstr(err, "512") != NULL);
}

static void
t_args_huge(void)
{
	size_t n = 1 << 20;
	char *buf = malloc(n + 1);

	if (!CHECK(buf != NULL))
		return;
	memset(buf, 'a', n);
	buf[n] = '\0';
	CHECK_EQ(parse(buf), -1);
	CHECK(strstr(err, "too long") != NULL);
	free(buf);
}

static void
t_err_small_buffer(void)
{
	char small[12];
	int r;

	memset(small, 'x', sizeof(small));
	r = tpk_devargs_parse("iface=eth0,queues=999", &da, small, 8);
	CHECK_EQ(r, -1);
	CHECK_EQ(small[7], '\0');	/* truncated and terminated */
	CHECK_EQ(small[8], 'x');	/* nothing written past errlen */
}

static void
t_err_null_buffer(void)
{
	CHECK_EQ(tpk_devargs_parse("iface=eth0,queues=0", &da, NULL, 0), -1);
	CHECK_EQ(tpk_devargs_parse("iface=eth0", &da, NULL, 0), 0);
}

static void
t_input_not_modified(void)
{
	char buf[] = "iface=eth0,queues=3,fanout=cpu";
	char copy[sizeof(buf)];

	memcpy(copy, buf, sizeof(buf));
	if (!CHECK_EQ(parse(buf), 0))
		return;
	CHECK_MEM(buf, copy, sizeof(buf));
}

static void
t_reparse_resets(void)
{
	/* A second parse starts from the defaults, not the last result. */
	if (!CHECK_EQ(parse("iface=eth0,queues=7,tx_mode=ring"), 0))
		return;
	if (!CHECK_EQ(tpk_devargs_parse("iface=eth1", &da, err, sizeof(err)), 0))
		return;
	CHECK_EQ(da.queues, 64);
	CHECK_EQ(da.tx_mode, TPK_TX_SENDMMSG);
	CHECK(strcmp(da.iface, "eth1") == 0);
}

int
main(void)
{
	size_t i;

	TEST(t_defaults);
	TEST(t_iface_only);
	TEST(t_all_keys);
	TEST(t_iface_last);
	TEST(t_iface_15_chars);
	TEST(t_leading_zeros_are_decimal);
	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		tpk_case_begin("good_%s", goods[i].arg);
		run_good(&goods[i]);
		tpk_case_end();
	}
	TEST(t_fanout_names);
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		tpk_case_begin("bad_%s", bads[i].name);
		run_bad(&bads[i]);
		tpk_case_end();
	}
	TEST(t_fd_helper_107_chars);
	TEST(t_null_args);
	TEST(t_args_511_bytes_ok);
	TEST(t_args_too_long);
	TEST(t_args_huge);
	TEST(t_err_small_buffer);
	TEST(t_err_null_buffer);
	TEST(t_input_not_modified);
	TEST(t_reparse_resets);
	return tpk_test_done();
}
