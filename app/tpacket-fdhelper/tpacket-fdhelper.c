/* SPDX-License-Identifier: BSD-3-Clause
 * tpacket-fdhelper: the privileged half of unprivileged net_tpacket use.
 *
 * It listens on a unix socket and, for each "SOCK <ifname>" request from a
 * process allowed to connect, opens an AF_PACKET socket, binds it to the
 * interface with protocol 0 (so it receives nothing yet) and passes it
 * back. Only the interfaces named with --allow are served. The DPDK
 * process then needs no CAP_NET_RAW: run it with
 *     --vdev=net_tpacket0,iface=eth0,fd_helper=/run/tpacket.sock
 *
 * Clients are served concurrently by one poll() loop on non-blocking
 * sockets: each has --timeout ms from accept to send its one request, at
 * most --max-clients are connected at once (more are accepted and closed
 * at once), and every refusal is logged with the peer's pid and uid.
 *
 * usage: tpacket-fdhelper --socket PATH --allow IF[,IF...]
 *                         [--owner UID[:GID]] [--mode OCTAL] [--once N]
 *                         [--timeout MS] [--max-clients N]
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <linux/if_packet.h>

#include "tpk_fdpass.h"
#include "tpk_fdreq.h"

#define DEF_TIMEOUT_MS 2000
#define DEF_MAX_CLIENTS 64
#define MAX_CLIENTS_LIMIT 1024
/* fds a client may (wrongly) attach that one receive closes at once */
#define MAX_RX_FDS 8
/* after EMFILE & co, the listener rests this long instead of spinning */
#define ACCEPT_PAUSE_MS 100

struct client {
	int fd;			/* -1: free slot */
	int64_t deadline;	/* CLOCK_MONOTONIC ms */
	struct ucred cred;
	bool have_cred;
};

struct helper {
	const char *allow;
	int ls;
	int timeout_ms;
	unsigned int max_clients;
	unsigned int nb_clients;
	long accept_left;	/* --once: connections still to accept, -1: any */
	int64_t accept_resume;	/* listener paused until then (ms) */
	struct client *cl;
	struct pollfd *pfd;	/* [0]: listener, [1 + i]: cl[i] */
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
peer_cred(int fd, struct ucred *cred)
{
	socklen_t cl = sizeof(*cred);

	memset(cred, 0, sizeof(*cred));
	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &cl) == 0 &&
		cl == sizeof(*cred);
}

/* One line per event: "pid P uid U: <what>" ("?" when unknown). */
static void
__attribute__((format(printf, 3, 4)))
log_peer(const struct ucred *cred, bool have, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (have)
		fprintf(stderr, "tpacket-fdhelper: pid %d uid %u: %s\n",
			(int)cred->pid, (unsigned int)cred->uid, what);
	else
		fprintf(stderr, "tpacket-fdhelper: pid ? uid ?: %s\n", what);
}

static void
client_close(struct helper *h, unsigned int i)
{
	close(h->cl[i].fd);
	h->cl[i].fd = -1;
	h->nb_clients--;
}

/* Log why, answer "ERR <reply>" if there is one, and drop the client. */
static void
__attribute__((format(printf, 4, 5)))
client_refuse(struct helper *h, unsigned int i, const char *reply,
	      const char *fmt, ...)
{
	struct client *c = &h->cl[i];
	char why[192], msg[TPK_FDPASS_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_peer(&c->cred, c->have_cred, "refused: %s", why);
	if (reply != NULL) {
		snprintf(msg, sizeof(msg), "ERR %s", reply);
		/* Non-blocking: a peer that does not read cannot stall us. */
		tpk_fdpass_send(c->fd, msg, -1);
	}
	client_close(h, i);
}

static void
serve_request(struct helper *h, unsigned int i, const struct tpk_fdreq *req)
{
	struct client *c = &h->cl[i];
	char reply[TPK_FDPASS_MSG_MAX];
	struct sockaddr_ll sll;
	int fd;

	if (!tpk_fdreq_allowed(h->allow, req->ifname)) {
		snprintf(reply, sizeof(reply), "interface %s is not allowed",
			 req->ifname);
		client_refuse(h, i, reply, "%s", reply);
		return;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(req->ifname);
	if (sll.sll_ifindex == 0) {
		snprintf(reply, sizeof(reply), "no interface %s", req->ifname);
		client_refuse(h, i, reply, "%s", reply);
		return;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		snprintf(reply, sizeof(reply), "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		client_refuse(h, i, reply, "socket on %s: %s", req->ifname,
			      reply);
		return;
	}
	if (tpk_fdpass_send(c->fd, "OK", fd) < 0)
		log_peer(&c->cred, c->have_cred, "reply on %s failed: %s",
			 req->ifname, strerror(errno));
	else
		log_peer(&c->cred, c->have_cred, "socket on %s", req->ifname);
	close(fd);
	client_close(h, i);
}

/* Close every fd that came with a message: clients send none. */
static void
drop_fds(struct msghdr *mh)
{
	struct cmsghdr *cm;
	size_t k, n;
	int fd;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < n; k++) {
			memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
			close(fd);
		}
	}
}

static void
client_read(struct helper *h, unsigned int i, short revents)
{
	char buf[TPK_FDREQ_MSG_MAX];
	char cbuf[CMSG_SPACE(MAX_RX_FDS * sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	enum tpk_fdreq_status st;
	struct tpk_fdreq req;
	ssize_t n;

	/* MSG_TRUNC: n is the message's real length, however long. */
	n = recvmsg(h->cl[i].fd, &mh,
		    MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		client_refuse(h, i, NULL, "receive: %s", strerror(errno));
		return;
	}
	drop_fds(&mh);
	if (n == 0 && (revents & POLLHUP)) {
		client_refuse(h, i, NULL, "closed without a request");
		return;
	}
	if ((mh.msg_flags & MSG_TRUNC) || (size_t)n > sizeof(buf)) {
		client_refuse(h, i, "bad request: message too long",
			      "bad request: message too long (%zd bytes, at most %d)",
			      n, TPK_FDREQ_MSG_MAX);
		return;
	}
	st = tpk_fdreq_parse(buf, (size_t)n, &req);
	if (st != TPK_FDREQ_OK) {
		char reply[TPK_FDPASS_MSG_MAX];

		snprintf(reply, sizeof(reply), "bad request: %s",
			 tpk_fdreq_strerror(st));
		client_refuse(h, i, reply, "%s (%zd bytes)", reply, n);
		return;
	}
	serve_request(h, i, &req);
}

/* Take a new connection into a free slot, or refuse it if there is none. */
static void
client_add(struct helper *h, int fd)
{
	struct ucred cred;
	bool have = peer_cred(fd, &cred);
	unsigned int i;

	if (h->nb_clients >= h->max_clients) {
		log_peer(&cred, have, "refused: too many clients (%u connected)",
			 h->nb_clients);
		close(fd);
		return;
	}
	for (i = 0; h->cl[i].fd >= 0; i++)
		;
	h->cl[i].fd = fd;
	h->cl[i].deadline = now_ms() + h->timeout_ms;
	h->cl[i].cred = cred;
	h->cl[i].have_cred = have;
	h->nb_clients++;
}

/* Accept what is pending (a bounded batch, so clients get their turn). */
static int
accept_clients(struct helper *h)
{
	unsigned int k;
	int fd;

	for (k = 0; k < h->max_clients && h->accept_left != 0; k++) {
		fd = accept4(h->ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			if (errno == ECONNABORTED || errno == EPROTO)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				fprintf(stderr, "tpacket-fdhelper: accept: %s: pausing %d ms\n",
					strerror(errno), ACCEPT_PAUSE_MS);
				h->accept_resume = now_ms() + ACCEPT_PAUSE_MS;
				return 0;
			}
			perror("tpacket-fdhelper: accept");
			return -1;
		}
		if (h->accept_left > 0)
			h->accept_left--;
		client_add(h, fd);
	}
	return 0;
}

/* Drop the clients whose deadline has passed; ms to the next deadline. */
static int
expire_clients(struct helper *h, int64_t now)
{
	int64_t next = INT64_MAX;
	unsigned int i;

	for (i = 0; i < h->max_clients; i++) {
		if (h->cl[i].fd < 0)
			continue;
		if (h->cl[i].deadline <= now)
			client_refuse(h, i, NULL, "no request within %d ms",
				      h->timeout_ms);
		else if (h->cl[i].deadline < next)
			next = h->cl[i].deadline;
	}
	if (h->accept_resume > now && h->accept_resume < next)
		next = h->accept_resume;
	return next == INT64_MAX ? -1 : (int)(next - now);
}

static int
serve_loop(struct helper *h)
{
	unsigned int i;
	int64_t now;
	int tmo, n;

	while (!stop) {
		now = now_ms();
		tmo = expire_clients(h, now);
		/* --once: done when the last client is served or dropped */
		if (h->accept_left == 0 && h->nb_clients == 0)
			break;
		h->pfd[0].fd = h->accept_left != 0 && h->accept_resume <= now ?
			h->ls : -1;
		h->pfd[0].events = POLLIN;
		for (i = 0; i < h->max_clients; i++) {
			h->pfd[1 + i].fd = h->cl[i].fd;
			h->pfd[1 + i].events = POLLIN;
		}
		n = poll(h->pfd, 1 + h->max_clients, tmo);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("tpacket-fdhelper: poll");
			return -1;
		}
		for (i = 0; i < h->max_clients; i++)
			if (h->cl[i].fd >= 0 && h->pfd[1 + i].revents)
				client_read(h, i, h->pfd[1 + i].revents);
		if ((h->pfd[0].revents & POLLIN) && accept_clients(h) < 0)
			return -1;
	}
	return 0;
}

static int
listen_on(const char *path, const char *owner, long mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int ls;

	strcpy(sa.sun_path, path);
	ls = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	unlink(path);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(ls, SOMAXCONN) < 0) {
		perror("tpacket-fdhelper: listen");
		goto fail;
	}
	/* Who may ask for sockets is decided by the socket file's owner/mode. */
	if (owner) {
		unsigned int uid = 0, gid = 0;
		int n = sscanf(owner, "%u:%u", &uid, &gid);

		if (n < 1 || chown(path, uid, n == 2 ? gid : (gid_t)-1) < 0) {
			perror("tpacket-fdhelper: chown");
			goto fail;
		}
	}
	if (chmod(path, (mode_t)mode) < 0) {
		perror("tpacket-fdhelper: chmod");
		goto fail;
	}
	return ls;
fail:
	if (ls >= 0)
		close(ls);
	return -1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: tpacket-fdhelper --socket PATH --allow IF[,IF...] [--owner UID[:GID]] [--mode OCTAL] [--once N] [--timeout MS] [--max-clients N]\n");
	exit(2);
}

static long
num_arg(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

static int
helper_run(struct helper *h, const char *path, const char *owner, long mode)
{
	unsigned int i;
	int ret = 1;

	h->cl = calloc(h->max_clients, sizeof(*h->cl));
	h->pfd = calloc(1 + h->max_clients, sizeof(*h->pfd));
	if (h->cl == NULL || h->pfd == NULL) {
		perror("tpacket-fdhelper: calloc");
		goto out;
	}
	for (i = 0; i < h->max_clients; i++)
		h->cl[i].fd = -1;
	h->ls = listen_on(path, owner, mode);
	if (h->ls < 0)
		goto out;
	fprintf(stderr, "tpacket-fdhelper: serving %s on %s (timeout %d ms, at most %u clients)\n",
		h->allow, path, h->timeout_ms, h->max_clients);
	ret = serve_loop(h) < 0 ? 1 : 0;
	for (i = 0; i < h->max_clients; i++)
		if (h->cl[i].fd >= 0)
			client_close(h, i);
	close(h->ls);
	unlink(path);
out:
	free(h->cl);
	free(h->pfd);
	return ret;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "allow", required_argument, NULL, 'a' },
		{ "owner", required_argument, NULL, 'o' },
		{ "mode", required_argument, NULL, 'm' },
		{ "once", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "max-clients", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct helper h = { .timeout_ms = DEF_TIMEOUT_MS,
			    .max_clients = DEF_MAX_CLIENTS,
			    .accept_left = -1, .ls = -1 };
	const char *path = NULL, *owner = NULL;
	long mode = 0600;
	int o;

	while ((o = getopt_long(argc, argv, "s:a:o:m:n:t:c:h", opts, NULL)) != -1) {
		switch (o) {
		case 's': path = optarg; break;
		case 'a': h.allow = optarg; break;
		case 'o': owner = optarg; break;
		case 'm': mode = strtol(optarg, NULL, 8); break;
		case 'n': h.accept_left = strtol(optarg, NULL, 10); break;
		case 't': h.timeout_ms = (int)num_arg(optarg, 1, 3600000); break;
		case 'c':
			h.max_clients = (unsigned int)num_arg(optarg, 1,
							      MAX_CLIENTS_LIMIT);
			break;
		default: usage();
		}
	}
	if (path == NULL || h.allow == NULL ||
	    strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		usage();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	return helper_run(&h, path, owner, mode);
}
