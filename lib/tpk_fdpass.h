/* SPDX-License-Identifier: BSD-3-Clause
 * Unprivileged use: AF_PACKET sockets opened by a privileged helper and
 * passed over a unix socket (SCM_RIGHTS), so that the DPDK process needs
 * no CAP_NET_RAW. DPDK-free; app/tpacket-fdhelper is the other side.
 *
 * Protocol (SOCK_SEQPACKET): the client sends "SOCK <ifname>" and its
 * terminating NUL (tpk_fdreq.h parses it); the helper answers "OK" with one
 * fd attached, or "ERR <reason>" without.
 */
#ifndef TPK_FDPASS_H
#define TPK_FDPASS_H

#include <stddef.h>

#define TPK_FDPASS_MSG_MAX 128

/* Ask the helper at path for a packet socket on ifname. fd or -errno. */
int tpk_fdpass_request(const char *path, const char *ifname, char *err,
		       size_t errlen);

/* Send/receive one message with an optional fd (-1: none). */
int tpk_fdpass_send(int sock, const char *msg, int fd);
int tpk_fdpass_recv(int sock, char *msg, size_t len, int *fd);

/*
 * Check that fd is an unconfigured AF_PACKET SOCK_RAW socket, unbound or
 * bound to ifindex. Returns 0 or -errno with the reason in err.
 */
int tpk_sock_adopt_check(int fd, int ifindex, char *err, size_t errlen);

#endif /* TPK_FDPASS_H */
