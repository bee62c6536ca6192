/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TEST_CASES_H
#define TEST_CASES_H

/* test_case.flags */
#define TC_RECVMMSG 0x1	/* in the rx_mode=recvmmsg set too */

struct test_case {
	const char *name;
	int (*fn)(void);
	unsigned int flags;
};

/* A prototype for every case of test_cases.def. */
#define TEST_CASE(name, fn, flags) int fn(void);
#include "test_cases.def"
#undef TEST_CASE

#endif
