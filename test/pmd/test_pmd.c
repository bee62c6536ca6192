/* SPDX-License-Identifier: BSD-3-Clause
 * In-process PMD tests over real veth pairs. The process runs in its own
 * network namespace; each case makes its own peer namespace and veth pair
 * and removes them. Output: one "PASS: name", "FAIL: name: why" or
 * "SKIP: name: why" line a case (test/common/tpk_check.h).
 *
 *	test_pmd [--devargs K=V[,K=V]] [case...]	every case, or those named
 *	test_pmd --recvmmsg-set				the TC_RECVMMSG cases of
 *							test_cases.def, with
 *							rx_mode=recvmmsg
 *	test_pmd --ring-set / --frames-set		the same cases with
 *							rx_mode=ring / frames
 *	test_pmd --other-set				the one of the two that
 *							is not the default
 *							(ring on x86, else
 *							frames)
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "tpk_v3.h"
#include "tpk_pmd_test.h"
#include "test_cases.h"

static const struct test_case cases[] = {
#define TEST_CASE(name, fn, flags) { #name, fn, flags },
#include "test_cases.def"
#undef TEST_CASE
};

/* Remove every namespace this process made, also when interrupted. */
static void
cleanup_netns(void)
{
	static int done;

	if (done++)
		return;
	ns_leave();
	sh("for n in $(ip netns list | awk '{print $1}' | grep -E '^tpkp-%d-|^%s$'); do ip netns del $n; done",
	   getpid(), test_ns);
	sh("rm -rf /var/run/dpdk/tpkpmd%d", getpid());
}

static void
on_signal(int sig)
{
	(void)sig;
	exit(2);
}

static bool
case_wanted(const struct test_case *c, const char *const *names, int nb_names,
	    bool recvmmsg_set)
{
	int j;

	if (recvmmsg_set && !(c->flags & TC_RECVMMSG))
		return false;
	if (nb_names == 0)
		return true;
	for (j = 0; j < nb_names; j++)
		if (strcmp(names[j], c->name) == 0)
			return true;
	return false;
}

/* One case and its line; returns 1 if it failed. */
static int
run_case(const struct test_case *c, const char *suffix)
{
	unsigned int avail = rte_mempool_avail_count(test_mp);
	int rc;

	printf("-- %s\n", c->name);
	tpk_case_begin("%s%s", c->name, suffix);
	rc = c->fn();
	if (rc != 0 && rc != TEST_SKIP)
		RECORD_FAILURE("case returned %d (setup failed)", rc);
	/* Every case must give back every mbuf it took. */
	CHECK(rte_mempool_avail_count(test_mp) == avail,
	      "mbuf leak: %u before, %u after", avail,
	      rte_mempool_avail_count(test_mp));
	if (rc == TEST_SKIP && !tpk_cs.skipped)
		tpk_case_skip("not applicable here");
	return tpk_case_end();
}

static void
usage(void)
{
	unsigned int i;

	printf("usage: test_pmd [--list] [--devargs K=V[,K=V]] [--ring-set|--recvmmsg-set|--frames-set|--other-set] [case...]\n"
	       "cases (R: in the RX-mode sets):\n");
	for (i = 0; i < RTE_DIM(cases); i++)
		printf("  %s%s\n", cases[i].name,
		       cases[i].flags & TC_RECVMMSG ? " R" : "");
}

int
main(int argc, char **argv)
{
	char prefix[64], nspath[128];
	char *eal[] = { argv[0], "--no-pci", "--no-huge", "-m", "768",
		"--file-prefix", prefix, "-l", "0", "--log-level",
		"pmd.net.tpacket:info", NULL };
	int failed = 0, ran = 0, fd, nb_names = 0;
	bool recvmmsg_set = false;
	const char *names[RTE_DIM(cases)];
	char suffix[80] = "";
	unsigned int i;
	int j;

	for (j = 1; j < argc; j++) {
		if (strcmp(argv[j], "--list") == 0 || strcmp(argv[j], "-h") == 0 ||
		    strcmp(argv[j], "--help") == 0) {
			usage();
			return 0;
		} else if (strcmp(argv[j], "--devargs") == 0 && j + 1 < argc) {
			/* Every port gets these too; case names say so. */
			test_devargs = argv[++j];
			snprintf(suffix, sizeof(suffix), "@%s", test_devargs);
		} else if (strcmp(argv[j], "--recvmmsg-set") == 0 ||
			   strcmp(argv[j], "--ring-set") == 0 ||
			   strcmp(argv[j], "--frames-set") == 0 ||
			   strcmp(argv[j], "--other-set") == 0) {
			/*
			 * The RX cases again in another RX mode; --other-set:
			 * the ring mode that is not the default (frames where
			 * the V3 ring is read live, x86; ring elsewhere).
			 */
			recvmmsg_set = true;
			test_devargs = strcmp(argv[j], "--recvmmsg-set") == 0 ?
				"rx_mode=recvmmsg" : strcmp(argv[j], "--ring-set") == 0 ?
				"rx_mode=ring" : strcmp(argv[j], "--frames-set") == 0 ?
				"rx_mode=frames" : TPK_V3_LIVE ? "rx_mode=frames" :
				"rx_mode=ring";
			snprintf(suffix, sizeof(suffix), "@%s", test_devargs);
		} else if (nb_names < (int)RTE_DIM(cases)) {
			names[nb_names++] = argv[j];
		}
	}
	if (geteuid() != 0) {
		printf("SKIP: test_pmd: needs root\n");
		return TEST_SKIP;	/* what meson test calls a skip */
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* This process gets a namespace of its own: nothing leaks out. */
	snprintf(test_ns, sizeof(test_ns), "tpkpmd-%d", getpid());
	if (sh("ip netns add %s", test_ns))
		return 1;
	snprintf(nspath, sizeof(nspath), "/run/netns/%s", test_ns);
	fd = open(nspath, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		printf("FAIL: setns %s: %s\n", test_ns, strerror(errno));
		sh("ip netns del %s", test_ns);
		return 1;
	}
	close(fd);
	atexit(cleanup_netns);
	/* Also when the output goes to a pipe that closes (| head). */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, on_signal);
	sh("sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1");

	snprintf(prefix, sizeof(prefix), "tpkpmd%d", getpid());
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0) {
		printf("FAIL: rte_eal_init\n");
		sh("ip netns del %s", test_ns);
		return 1;
	}
	test_mp = rte_pktmbuf_pool_create("test_mp", 8191, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  rte_socket_id());
	if (test_mp == NULL) {
		printf("FAIL: mempool\n");
		goto out;
	}

	for (i = 0; i < RTE_DIM(cases); i++) {
		if (!case_wanted(&cases[i], names, nb_names, recvmmsg_set))
			continue;
		failed += run_case(&cases[i], suffix);
		ran++;
	}
out:
	rte_eal_cleanup();
	cleanup_netns();
	return failed || ran == 0 ? 1 : 0;
}
