/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "tpk_fdreq.h"

static const char *const status_str[TPK_FDREQ_STATUS_MAX] = {
	[TPK_FDREQ_OK] = "ok",
	[TPK_FDREQ_EMPTY] = "empty message",
	[TPK_FDREQ_TOO_LONG] = "message too long",
	[TPK_FDREQ_NO_NUL] = "message not NUL-terminated",
	[TPK_FDREQ_EMBEDDED_NUL] = "NUL inside the message",
	[TPK_FDREQ_BAD_VERB] = "not a SOCK request",
	[TPK_FDREQ_NAME_EMPTY] = "empty interface name",
	[TPK_FDREQ_NAME_TOO_LONG] = "interface name too long",
	[TPK_FDREQ_NAME_CHARS] = "invalid character in interface name",
	[TPK_FDREQ_NAME_RESERVED] = "reserved interface name",
};

const char *
tpk_fdreq_strerror(enum tpk_fdreq_status st)
{
	if ((unsigned int)st >= TPK_FDREQ_STATUS_MAX)
		return "unknown status";
	return status_str[st];
}

/*
 * The kernel's rules for a name (dev_valid_name), narrowed to printable
 * ASCII so that a log line can quote it, and without ',' which separates
 * the names of --allow (and of the driver's devargs).
 */
static enum tpk_fdreq_status
check_name(const char *name, size_t n)
{
	size_t i;

	if (n == 0)
		return TPK_FDREQ_NAME_EMPTY;
	if (n >= IFNAMSIZ)
		return TPK_FDREQ_NAME_TOO_LONG;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c >= 0x7f || c == '/' || c == ':' || c == ',')
			return TPK_FDREQ_NAME_CHARS;
	}
	if ((n == 1 && name[0] == '.') ||
	    (n == 2 && name[0] == '.' && name[1] == '.'))
		return TPK_FDREQ_NAME_RESERVED;
	return TPK_FDREQ_OK;
}

static enum tpk_fdreq_status
parse(const char *m, size_t len)
{
	if (len == 0)
		return TPK_FDREQ_EMPTY;
	if (len > TPK_FDREQ_MSG_MAX)
		return TPK_FDREQ_TOO_LONG;
	if (m[len - 1] != '\0')
		return TPK_FDREQ_NO_NUL;
	if (memchr(m, '\0', len - 1) != NULL)
		return TPK_FDREQ_EMBEDDED_NUL;
	if (len - 1 < TPK_FDREQ_VERB_LEN ||
	    memcmp(m, TPK_FDREQ_VERB, TPK_FDREQ_VERB_LEN) != 0)
		return TPK_FDREQ_BAD_VERB;
	return check_name(m + TPK_FDREQ_VERB_LEN,
			  len - 1 - TPK_FDREQ_VERB_LEN);
}

enum tpk_fdreq_status
tpk_fdreq_parse(const void *msg, size_t len, struct tpk_fdreq *req)
{
	const char *m = msg;
	enum tpk_fdreq_status st;

	memset(req, 0, sizeof(*req));
	st = parse(m, len);
	if (st == TPK_FDREQ_OK)
		memcpy(req->ifname, m + TPK_FDREQ_VERB_LEN,
		       len - 1 - TPK_FDREQ_VERB_LEN);
	return st;
}

int
tpk_fdreq_encode(const char *ifname, char *buf, size_t len)
{
	size_t n = strlen(ifname);

	if (len < TPK_FDREQ_VERB_LEN + n + 1)
		return -EMSGSIZE;
	memcpy(buf, TPK_FDREQ_VERB, TPK_FDREQ_VERB_LEN);
	memcpy(buf + TPK_FDREQ_VERB_LEN, ifname, n + 1);
	return (int)(TPK_FDREQ_VERB_LEN + n + 1);
}

bool
tpk_fdreq_allowed(const char *list, const char *ifname)
{
	size_t n = strlen(ifname);
	const char *p = list;

	/* a ',' would match several entries of the list as one */
	if (n == 0 || strchr(ifname, ',') != NULL)
		return false;
	while (p != NULL && *p != '\0') {
		if (strncmp(p, ifname, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	return false;
}
