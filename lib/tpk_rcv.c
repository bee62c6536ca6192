/* SPDX-License-Identifier: BSD-3-Clause
 * recvmmsg() RX: arena slots, message arrays and the conversion of each
 * message (vnet header, frame, control messages) to a frame descriptor.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <linux/if_packet.h>

#include "tpk_compat.h"
#include "tpk_rcv.h"

uint32_t
tpk_rcv_slot_size(uint32_t max_frame)
{
	return (TPK_RCV_HEAD + max_frame + 63) & ~63u;
}

void
tpk_rcv_init(struct tpk_rcv *r, uint8_t *arena, uint32_t slot_size,
	     uint16_t vnet_len)
{
	unsigned int i;

	r->arena = arena;
	r->slot_size = slot_size;
	r->vnet_len = vnet_len;
	r->count = 0;
	r->next = 0;
	for (i = 0; i < TPK_RCV_BATCH; i++) {
		struct msghdr *mh = &r->msg[i].msg_hdr;

		/* The vnet header lands right before the aligned frame. */
		r->iov[i].iov_base = arena + (size_t)i * slot_size +
			TPK_RCV_HEAD - vnet_len;
		r->iov[i].iov_len = slot_size - TPK_RCV_HEAD + vnet_len;
		memset(mh, 0, sizeof(*mh));
		mh->msg_iov = &r->iov[i];
		mh->msg_iovlen = 1;
		mh->msg_control = r->ctl[i];
	}
}

int
tpk_rcv_fill(struct tpk_rcv *r, int fd, unsigned int max)
{
	unsigned int i;
	int n;

	if (r->next < r->count)
		return -EBUSY;
	if (max > TPK_RCV_BATCH)
		max = TPK_RCV_BATCH;
	/* The kernel rewrites these on every call. */
	for (i = 0; i < max; i++) {
		r->msg[i].msg_hdr.msg_controllen = TPK_RCV_CTL;
		r->msg[i].msg_hdr.msg_flags = 0;
	}
	r->count = 0;
	r->next = 0;
	n = recvmmsg(fd, r->msg, max, MSG_DONTWAIT, NULL);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ||
			errno == EINTR ? 0 : -errno;
	r->count = (uint16_t)n;
	return n;
}

enum tpk_rcv_rc
tpk_rcv_frame(const struct tpk_rcv *r, unsigned int i, struct tpk_v3_frame *f)
{
	const struct msghdr *mh = &r->msg[i].msg_hdr;
	const uint8_t *slot = r->arena + (size_t)i * r->slot_size;
	uint32_t got = r->msg[i].msg_len;
	struct cmsghdr *cm;

	if (got < r->vnet_len)
		return TPK_RCV_RUNT;
	memset(f, 0, sizeof(*f));
	f->data = slot + TPK_RCV_HEAD;
	f->snaplen = got - r->vnet_len;
	f->len = f->snaplen;
	f->vnet = r->vnet_len ? (const struct virtio_net_hdr *)
		(slot + TPK_RCV_HEAD - r->vnet_len) : NULL;
	for (cm = CMSG_FIRSTHDR((struct msghdr *)(uintptr_t)mh); cm != NULL;
	     cm = CMSG_NXTHDR((struct msghdr *)(uintptr_t)mh, cm)) {
		if (cm->cmsg_level == SOL_PACKET &&
		    cm->cmsg_type == PACKET_AUXDATA &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct tpacket_auxdata))) {
			struct tpacket_auxdata aux;

			memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
			f->status = aux.tp_status;
			if (aux.tp_len > f->len)
				f->len = aux.tp_len;
			if (aux.tp_status & TP_STATUS_VLAN_VALID) {
				f->vlan_tci = aux.tp_vlan_tci;
				f->vlan_tpid = (aux.tp_status &
						TP_STATUS_VLAN_TPID_VALID) ?
					aux.tp_vlan_tpid : 0x8100;
			}
		} else if (cm->cmsg_level == SOL_SOCKET &&
			   cm->cmsg_type == SCM_TIMESTAMPNS &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			f->sec = (uint32_t)ts.tv_sec;
			f->nsec = (uint32_t)ts.tv_nsec;
		}
	}
	/* Cut to fit the slot: make it look clamped, whatever aux said. */
	if ((mh->msg_flags & MSG_TRUNC) && f->len <= f->snaplen)
		f->len = f->snaplen + 1;
	return TPK_RCV_OK;
}
