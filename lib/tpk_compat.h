/* SPDX-License-Identifier: BSD-3-Clause
 * Kernel UAPI constants newer than the build host's headers.
 *
 * Debian 12 ships linux-libc-dev 6.1, while the driver runs on whatever
 * kernel the user has. Every value here is probed at run time before use;
 * defining it only lets the code compile against older headers.
 */
#ifndef TPK_COMPAT_H
#define TPK_COMPAT_H

#include <linux/if_packet.h>
#include <linux/virtio_net.h>

#ifndef PACKET_VNET_HDR_SZ
#define PACKET_VNET_HDR_SZ 24			/* v6.4 */
#endif
#ifndef PACKET_FANOUT_FLAG_IGNORE_OUTGOING
#define PACKET_FANOUT_FLAG_IGNORE_OUTGOING 0x4000	/* v6.2 */
#endif
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23		/* v4.20 */
#endif
#ifndef TP_STATUS_GSO_TCP
#define TP_STATUS_GSO_TCP (1 << 8)		/* v6.3 */
#endif
#ifndef TP_STATUS_CSUM_VALID
#define TP_STATUS_CSUM_VALID (1 << 7)
#endif
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5		/* v6.2 */
#endif
#ifndef PACKET_FANOUT_QM
#define PACKET_FANOUT_QM 5
#endif

#endif /* TPK_COMPAT_H */
