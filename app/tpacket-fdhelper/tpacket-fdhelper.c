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
 * usage: tpacket-fdhelper --socket PATH --allow IF[,IF...]
 *                         [--owner UID[:GID]] [--mode OCTAL] [--once N]
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <linux/if_packet.h>

#include "tpk_fdpass.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static bool
allowed(const char *list, const char *ifname)
{
	size_t n = strlen(ifname);
	const char *p = list;

	while (p && *p) {
		if (strncmp(p, ifname, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

static void
serve(int c, const char *allow)
{
	char msg[TPK_FDPASS_MSG_MAX], reply[TPK_FDPASS_MSG_MAX];
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct sockaddr_ll sll;
	const char *ifname;
	int fd = -1, in;

	if (tpk_fdpass_recv(c, msg, sizeof(msg), &in) < 0)
		return;
	if (in >= 0)
		close(in);	/* clients send no fds */
	memset(&cred, 0, sizeof(cred));
	getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl);
	if (strncmp(msg, "SOCK ", 5) != 0) {
		tpk_fdpass_send(c, "ERR bad request", -1);
		return;
	}
	ifname = msg + 5;
	if (!allowed(allow, ifname)) {
		snprintf(reply, sizeof(reply), "ERR interface %.32s is not allowed", ifname);
		fprintf(stderr, "tpacket-fdhelper: pid %d uid %d: refused %s\n",
			cred.pid, cred.uid, ifname);
		tpk_fdpass_send(c, reply, -1);
		return;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0) {
		snprintf(reply, sizeof(reply), "ERR no interface %.32s", ifname);
		tpk_fdpass_send(c, reply, -1);
		return;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		snprintf(reply, sizeof(reply), "ERR %s", strerror(errno));
		tpk_fdpass_send(c, reply, -1);
		if (fd >= 0)
			close(fd);
		return;
	}
	tpk_fdpass_send(c, "OK", fd);
	close(fd);
	fprintf(stderr, "tpacket-fdhelper: pid %d uid %d: socket on %s\n",
		cred.pid, cred.uid, ifname);
}

static void
usage(void)
{
	fprintf(stderr, "usage: tpacket-fdhelper --socket PATH --allow IF[,IF...] [--owner UID[:GID]] [--mode OCTAL] [--once N]\n");
	exit(2);
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *allow = NULL, *owner = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long mode = 0600, once = -1;
	int ls, o;

	while ((o = getopt_long(argc, argv, "s:a:o:m:n:h", opts, NULL)) != -1) {
		switch (o) {
		case 's': path = optarg; break;
		case 'a': allow = optarg; break;
		case 'o': owner = optarg; break;
		case 'm': mode = strtol(optarg, NULL, 8); break;
		case 'n': once = strtol(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (path == NULL || allow == NULL || strlen(path) >= sizeof(sa.sun_path))
		usage();
	strcpy(sa.sun_path, path);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	ls = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	unlink(path);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(ls, 16) < 0) {
		perror("tpacket-fdhelper: listen");
		return 1;
	}
	/* Who may ask for sockets is decided by the socket file's owner/mode. */
	if (owner) {
		unsigned int uid = 0, gid = 0;
		int n = sscanf(owner, "%u:%u", &uid, &gid);

		if (n < 1 || chown(path, uid, n == 2 ? gid : (gid_t)-1) < 0) {
			perror("tpacket-fdhelper: chown");
			return 1;
		}
	}
	if (chmod(path, (mode_t)mode) < 0) {
		perror("tpacket-fdhelper: chmod");
		return 1;
	}
	fprintf(stderr, "tpacket-fdhelper: serving %s on %s\n", allow, path);
	while (!stop && once != 0) {
		int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EINTR)
				continue;
			perror("tpacket-fdhelper: accept");
			break;
		}
		serve(c, allow);
		close(c);
		if (once > 0)
			once--;
	}
	close(ls);
	unlink(path);
	return 0;
}
