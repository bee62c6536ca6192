/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/if_packet.h>

#include "tpk_fdpass.h"
#include "tpk_fdreq.h"

int
tpk_fdpass_send(int sock, const char *msg, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)(uintptr_t)msg,
			     .iov_len = strlen(msg) + 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

int
tpk_fdpass_recv(int sock, char *msg, size_t len, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = msg, .iov_len = len - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return n < 0 ? -errno : -ECONNRESET;
	msg[n] = '\0';
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (mh.msg_flags & MSG_CTRUNC) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -EMSGSIZE;
	}
	return 0;
}

int
tpk_fdpass_request(const char *path, const char *ifname, char *err,
		   size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char msg[TPK_FDPASS_MSG_MAX];
	int s, fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "helper socket path too long");
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0) {
		ret = -errno;
		snprintf(err, errlen, "socket(AF_UNIX): %s", strerror(errno));
		return ret;
	}
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		snprintf(err, errlen, "connect to fd helper %s: %s", path,
			 strerror(errno));
		close(s);
		return ret;
	}
	ret = tpk_fdreq_encode(ifname, msg, sizeof(msg));
	if (ret >= 0)
		ret = tpk_fdpass_send(s, msg, -1);
	if (ret == 0)
		ret = tpk_fdpass_recv(s, msg, sizeof(msg), &fd);
	close(s);
	if (ret < 0) {
		snprintf(err, errlen, "fd helper %s: %s", path, strerror(-ret));
		return ret;
	}
	if (strncmp(msg, "OK", 2) != 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "fd helper %s refused: %s", path, msg);
		return -EPERM;
	}
	return fd;
}

int
tpk_sock_adopt_check(int fd, int ifindex, char *err, size_t errlen)
{
	struct sockaddr_ll sll;
	socklen_t len = sizeof(int);
	int v = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0 ||
	    v != AF_PACKET) {
		snprintf(err, errlen, "adopted fd %d is not an AF_PACKET socket", fd);
		return -EBADF;
	}
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) < 0 ||
	    v != SOCK_RAW) {
		snprintf(err, errlen, "adopted fd %d is not SOCK_RAW", fd);
		return -EBADF;
	}
	len = sizeof(int);
	if (getsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, &len) < 0 ||
	    v != TPACKET_V1) {
		snprintf(err, errlen,
			 "adopted fd %d is already configured (TPACKET_V%d)",
			 fd, v + 1);
		return -EBUSY;
	}
	len = sizeof(sll);
	memset(&sll, 0, sizeof(sll));
	if (getsockname(fd, (struct sockaddr *)&sll, &len) < 0) {
		snprintf(err, errlen, "getsockname on adopted fd %d: %s", fd,
			 strerror(errno));
		return -EBADF;
	}
	if (sll.sll_ifindex != 0 && sll.sll_ifindex != ifindex) {
		snprintf(err, errlen,
			 "adopted fd %d is bound to ifindex %d, not %d", fd,
			 sll.sll_ifindex, ifindex);
		return -EINVAL;
	}
	return 0;
}
