/* SPDX-License-Identifier: BSD-3-Clause
 * Minimal unit-test harness: one "PASS: <name>" or "FAIL: <name>: <why>"
 * line per case (test/run-tests.sh counts them), exit status 1 if any
 * case failed.
 *
 *	static void t_something(void) { CHECK(x == 1); CHECK_EQ(a, b); }
 *	int main(void) { TEST(t_something); return tpk_test_done(); }
 *
 * CHECK* record the first failure of the case and go on; REQUIRE* also
 * return from the case function (use them before dereferencing).
 *
 * Cases named "BUG_..." assert behaviour that lib/ or the driver does not
 * have yet: they are known bugs reported to the maintainers and fail until
 * the code is fixed.
 */
#ifndef TPK_TEST_H
#define TPK_TEST_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char tpk_t_name[160];
static char tpk_t_why[512];
static int tpk_t_failed;	/* current case */
static int tpk_t_nb_fail, tpk_t_nb_pass;

static inline void
tpk_t_begin(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tpk_t_name, sizeof(tpk_t_name), fmt, ap);
	va_end(ap);
	tpk_t_failed = 0;
	tpk_t_why[0] = '\0';
}

static inline void
tpk_t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (tpk_t_failed++)
		return;		/* keep the first reason */
	n = snprintf(tpk_t_why, sizeof(tpk_t_why), "%s:%d: ", file, line);
	if (n < 0 || (size_t)n >= sizeof(tpk_t_why))
		return;
	va_start(ap, fmt);
	vsnprintf(tpk_t_why + n, sizeof(tpk_t_why) - n, fmt, ap);
	va_end(ap);
}

static inline void
tpk_t_end(void)
{
	if (tpk_t_failed) {
		tpk_t_nb_fail++;
		printf("FAIL: %s: %s", tpk_t_name, tpk_t_why);
		if (tpk_t_failed > 1)
			printf(" (+%d more)", tpk_t_failed - 1);
		printf("\n");
	} else {
		tpk_t_nb_pass++;
		printf("PASS: %s\n", tpk_t_name);
	}
	fflush(stdout);
}

static inline int
tpk_test_done(void)
{
	fprintf(stderr, "%d passed, %d failed\n", tpk_t_nb_pass, tpk_t_nb_fail);
	return tpk_t_nb_fail ? 1 : 0;
}

#define FAILF(...) tpk_t_fail(__FILE__, __LINE__, __VA_ARGS__)

#define CHECK(c) do { \
	if (!(c)) \
		FAILF("CHECK(%s)", #c); \
} while (0)

#define CHECKF(c, ...) do { \
	if (!(c)) \
		FAILF(__VA_ARGS__); \
} while (0)

#define CHECK_EQ(a, b) do { \
	unsigned long long a_ = (unsigned long long)(a); \
	unsigned long long b_ = (unsigned long long)(b); \
	if (a_ != b_) \
		FAILF("%s == %s: got %llu (0x%llx), want %llu (0x%llx)", \
		      #a, #b, a_, a_, b_, b_); \
} while (0)

#define CHECK_MEM(a, b, n) do { \
	const uint8_t *a_ = (const uint8_t *)(a); \
	const uint8_t *b_ = (const uint8_t *)(b); \
	size_t n_ = (n), i_; \
	for (i_ = 0; i_ < n_ && a_[i_] == b_[i_]; i_++) \
		; \
	if (i_ < n_) \
		FAILF("%s == %s: differ at byte %zu of %zu (0x%02x vs 0x%02x)", \
		      #a, #b, i_, n_, a_[i_], b_[i_]); \
} while (0)

#define REQUIRE(c) do { \
	if (!(c)) { \
		FAILF("REQUIRE(%s)", #c); \
		return; \
	} \
} while (0)

#define REQUIRE_EQ(a, b) do { \
	unsigned long long a_ = (unsigned long long)(a); \
	unsigned long long b_ = (unsigned long long)(b); \
	if (a_ != b_) { \
		FAILF("%s == %s: got %llu (0x%llx), want %llu (0x%llx)", \
		      #a, #b, a_, a_, b_, b_); \
		return; \
	} \
} while (0)

/* Run a case function: the case is named after the function. */
#define TEST(fn) do { \
	tpk_t_begin("%s", &(#fn)[sizeof(#fn) > 2 && #fn[0] == 't' && \
				 #fn[1] == '_' ? 2 : 0]); \
	fn(); \
	tpk_t_end(); \
} while (0)

#endif /* TPK_TEST_H */
