/* SPDX-License-Identifier: BSD-3-Clause
 * AF_PACKET features of the running kernel, found by trying them rather
 * than by reading the release in uname(): distribution kernels carry
 * back-ports, and a container may report its host's release. DPDK-free.
 */
#ifndef TPK_KFEAT_H
#define TPK_KFEAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	TPK_KF_VNET_HDR_SZ = 1 << 0,	/* PACKET_VNET_HDR_SZ (6.4) */
	TPK_KF_IGNORE_OUTGOING = 1 << 1,	/* fanout flag honoured (6.2) */
	TPK_KF_UDP_L4_GSO = 1 << 2,	/* VIRTIO_NET_HDR_GSO_UDP_L4 TX (6.2) */
};

struct tpk_kfeat {
	uint32_t have;		/* TPK_KF_* the kernel has */
	uint32_t probed;	/* TPK_KF_* found by a probe; the others
				 * could not be tried (no CAP_NET_RAW, lo
				 * down) and are guessed from the release */
	uint32_t kver;		/* release, as TPK_KVER() */
};

/*
 * Try each feature on throw-away sockets on the namespace's loopback
 * device. The probe frames are addressed to another host (lo drops them
 * as PACKET_OTHERHOST) and carry the local-experimental ethertype, so
 * nothing reaches a protocol. Takes at most about 60 ms. Returns 0.
 */
int tpk_kfeat_probe(struct tpk_kfeat *kf);

/* The same, done once per process (the result is kept). */
const struct tpk_kfeat *tpk_kfeat_get(void);

/*
 * What kf has, for a log line: "udp-gso ignore-outgoing vnet-hdr-sz",
 * with "(guessed: ...)" around what was not probed. The short form
 * ("uso igo vsz", a '?' after a guess) fits ethdev's 32-byte firmware
 * version with the kernel release in front. Returns snprintf's result.
 */
int tpk_kfeat_str(const struct tpk_kfeat *kf, bool brief, char *buf,
		  size_t len);

#endif /* TPK_KFEAT_H */
