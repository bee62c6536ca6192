/* SPDX-License-Identifier: BSD-3-Clause
 * The request of the fd-helper protocol (see tpk_fdpass.h) as bytes:
 * one SOCK_SEQPACKET message "SOCK <ifname>" followed by exactly one NUL,
 * which ends the message. Parsing is a pure function, so that the helper,
 * the unit tests and the fuzzer share it. DPDK-free.
 */
#ifndef TPK_FDREQ_H
#define TPK_FDREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>

/* The verb that opens every request (the protocol has no version). */
#define TPK_FDREQ_VERB "SOCK "
#define TPK_FDREQ_VERB_LEN 5

/*
 * Longest message the helper reads. A valid request is at most
 * TPK_FDREQ_VERB_LEN + IFNAMSIZ bytes; the margin lets a too-long name be
 * told apart from an over-long message.
 */
#define TPK_FDREQ_MSG_MAX 64

/* Why a message is not a request; 0 is a valid request. */
enum tpk_fdreq_status {
	TPK_FDREQ_OK = 0,
	TPK_FDREQ_EMPTY,		/* zero bytes */
	TPK_FDREQ_TOO_LONG,		/* more than TPK_FDREQ_MSG_MAX bytes */
	TPK_FDREQ_NO_NUL,		/* last byte is not NUL */
	TPK_FDREQ_EMBEDDED_NUL,		/* a NUL before the last byte */
	TPK_FDREQ_BAD_VERB,		/* does not start with "SOCK " */
	TPK_FDREQ_NAME_EMPTY,
	TPK_FDREQ_NAME_TOO_LONG,	/* IFNAMSIZ characters or more */
	TPK_FDREQ_NAME_CHARS,		/* not printable, or space / : , */
	TPK_FDREQ_NAME_RESERVED,	/* "." or ".." */
	TPK_FDREQ_STATUS_MAX,
};

struct tpk_fdreq {
	char ifname[IFNAMSIZ];		/* NUL-terminated, valid as above */
};

/*
 * Parse the len bytes of one received message. On TPK_FDREQ_OK req holds
 * the request; otherwise req is zeroed and the status says why.
 */
enum tpk_fdreq_status tpk_fdreq_parse(const void *msg, size_t len,
				      struct tpk_fdreq *req);

/* A short English reason for a status ("ok" for TPK_FDREQ_OK). */
const char *tpk_fdreq_strerror(enum tpk_fdreq_status st);

/*
 * Encode a request for ifname into buf: bytes written (NUL included), or
 * -EMSGSIZE if it does not fit. ifname is not checked (the helper does).
 */
int tpk_fdreq_encode(const char *ifname, char *buf, size_t len);

/* Is ifname one of the comma-separated names in list? */
bool tpk_fdreq_allowed(const char *list, const char *ifname);

#endif /* TPK_FDREQ_H */
