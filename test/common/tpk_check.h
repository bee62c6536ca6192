/* SPDX-License-Identifier: BSD-3-Clause
 * The one assertion harness of the unit and PMD tests. Each case prints
 * exactly one line, which test/run-tests.sh counts:
 *
 *	PASS: <name>
 *	FAIL: <name>: <file>:<line>: <why of the first failure> [(+N more)]
 *	SKIP: <name>: <why>
 *
 * Assertions never jump by themselves; what happens after a failure is
 * written at the call site:
 *
 *	CHECK(cond[, fmt, ...])		record a failure if !cond, go on.
 *					Its value is cond, so a case can
 *					stop where it must:
 *					if (!CHECK(p != NULL)) return;
 *	CHECK_EQ(a, b)			CHECK(a == b), both values reported
 *	CHECK_MEM(a, b, n)		CHECK(memcmp(a, b, n) == 0), first
 *					differing byte reported
 *	RECORD_FAILURE(fmt, ...)		record a failure, go on
 *	REQUIRE(cond, label[, fmt, ...])	record and goto label if !cond
 *	REQUIRE_EQ(a, b, label)		the same for CHECK_EQ
 *
 * A case runs between tpk_case_begin() and tpk_case_end(); TEST(fn) does
 * both around a void function. tpk_case_skip() makes the case a SKIP
 * (failures recorded before it still make it a FAIL).
 *
 * Cases named "BUG_..." assert behaviour that lib/ or the driver does not
 * have yet: they are known bugs reported to the maintainers and fail until
 * the code is fixed.
 */
#ifndef TPK_CHECK_H
#define TPK_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CHECK(cond) without a message passes "" as its format. */
#pragma GCC diagnostic ignored "-Wformat-zero-length"

/* Detail lines printed per case (every failure, up to this many). */
#define TPK_CHECK_DETAILS 8

struct tpk_check_state {
	char name[160];
	char why[512];
	char skip_why[256];
	int failed;		/* failures of the current case */
	bool skipped;
	int nb_pass, nb_fail, nb_skip;
};

/* One state for the whole program, whichever of its files record into it
 * (a weak definition: every file that includes this header shares it). */
struct tpk_check_state tpk_cs __attribute__((weak));

static inline void __attribute__((format(printf, 1, 2)))
tpk_case_begin(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tpk_cs.name, sizeof(tpk_cs.name), fmt, ap);
	va_end(ap);
	tpk_cs.failed = 0;
	tpk_cs.skipped = false;
	tpk_cs.why[0] = '\0';
	tpk_cs.skip_why[0] = '\0';
}

/* Record a failure; the first one is the reason on the FAIL line. */
static inline void
tpk_case_vfail(const char *file, int line, const char *expr,
	       const char *fmt, va_list ap)
{
	char msg[400];

	const char *sep;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	sep = expr[0] && msg[0] ? ": " : "";
	if (tpk_cs.failed++ < TPK_CHECK_DETAILS)
		printf("  failed at %s:%d: %s%s%s\n", file, line, expr, sep, msg);
	if (tpk_cs.failed == 1)
		snprintf(tpk_cs.why, sizeof(tpk_cs.why), "%s:%d: %s%s%s", file,
			 line, expr, sep, msg);
}

static inline void __attribute__((format(printf, 4, 5)))
tpk_case_fail(const char *file, int line, const char *expr,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tpk_case_vfail(file, line, expr, fmt, ap);
	va_end(ap);
}

/* The value of a CHECK: ok, with the failure recorded when it is false. */
static inline bool __attribute__((format(printf, 5, 6)))
tpk_check(bool ok, const char *file, int line, const char *expr,
	  const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	va_start(ap, fmt);
	tpk_case_vfail(file, line, expr, fmt, ap);
	va_end(ap);
	return false;
}

static inline bool
tpk_check_eq(unsigned long long a, unsigned long long b, const char *file,
	     int line, const char *ea, const char *eb)
{
	return tpk_check(a == b, file, line, "",
			 "%s == %s: got %llu (0x%llx), want %llu (0x%llx)",
			 ea, eb, a, a, b, b);
}

static inline bool
tpk_check_mem(const void *pa, const void *pb, size_t n, const char *file,
	      int line, const char *ea, const char *eb)
{
	const uint8_t *a = pa, *b = pb;
	size_t i;

	for (i = 0; i < n && a[i] == b[i]; i++)
		;
	return tpk_check(i == n, file, line, "",
			 "%s == %s: differ at byte %zu of %zu (0x%02x vs 0x%02x)",
			 ea, eb, i, n, i < n ? a[i] : 0, i < n ? b[i] : 0);
}

/* Make the current case a SKIP, for a reason. */
static inline void
tpk_case_skip(const char *why)
{
	snprintf(tpk_cs.skip_why, sizeof(tpk_cs.skip_why), "%s", why);
	tpk_cs.skipped = true;
}

/* Print the case's line; returns 0 (pass or skip) or 1 (fail). */
static inline int
tpk_case_end(void)
{
	if (tpk_cs.failed) {
		tpk_cs.nb_fail++;
		printf("FAIL: %s: %s", tpk_cs.name, tpk_cs.why);
		if (tpk_cs.failed > 1)
			printf(" (+%d more)", tpk_cs.failed - 1);
		printf("\n");
	} else if (tpk_cs.skipped) {
		tpk_cs.nb_skip++;
		printf("SKIP: %s: %s\n", tpk_cs.name, tpk_cs.skip_why);
	} else {
		tpk_cs.nb_pass++;
		printf("PASS: %s\n", tpk_cs.name);
	}
	fflush(stdout);
	return tpk_cs.failed ? 1 : 0;
}

/* Totals on stderr; the exit status: 1 if any case failed. */
static inline int
tpk_test_done(void)
{
	fprintf(stderr, "%d passed, %d failed, %d skipped\n", tpk_cs.nb_pass,
		tpk_cs.nb_fail, tpk_cs.nb_skip);
	return tpk_cs.nb_fail ? 1 : 0;
}

#define CHECK(cond, ...) \
	tpk_check(!!(cond), __FILE__, __LINE__, #cond, "" __VA_ARGS__)

/* Record a failure found otherwise than by a condition; go on. */
#define RECORD_FAILURE(...) \
	tpk_case_fail(__FILE__, __LINE__, "", __VA_ARGS__)

#define CHECK_EQ(a, b) \
	tpk_check_eq((unsigned long long)(a), (unsigned long long)(b), \
		     __FILE__, __LINE__, #a, #b)

#define CHECK_MEM(a, b, n) \
	tpk_check_mem((a), (b), (n), __FILE__, __LINE__, #a, #b)

#define REQUIRE(cond, label, ...) do { \
	if (!CHECK(cond, __VA_ARGS__)) \
		goto label; \
} while (0)

#define REQUIRE_EQ(a, b, label) do { \
	if (!CHECK_EQ(a, b)) \
		goto label; \
} while (0)

/* Run a void case function, named after it without its "t_" prefix. */
#define TEST(fn) do { \
	tpk_case_begin("%s", &(#fn)[sizeof(#fn) > 2 && #fn[0] == 't' && \
				    #fn[1] == '_' ? 2 : 0]); \
	fn(); \
	tpk_case_end(); \
} while (0)

#endif /* TPK_CHECK_H */
