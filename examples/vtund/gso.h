/* Cutting TUN super-packets (IFF_VNET_HDR with TSO) into packets. */
#ifndef VTUND_GSO_H
#define VTUND_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Size of the virtio-net header before each packet on the device. */
#define VTUND_VNET_HDR_LEN 10

/* Returns where a packet of @p len bytes goes, or NULL when there is no
 * room left. */
typedef uint8_t *(*vtund_gso_slot)(void *arg, size_t len);

/* Copies the packet read after the virtio-net header @p vnet into slots:
 * as it is (its partial checksum completed), or cut into TCP segments.
 * Returns how many packets were written; 0 for one it cannot handle
 * (dropped: the device only produces what TUNSETOFFLOAD allowed). */
size_t vtund_gso_split(const uint8_t *vnet, const uint8_t *pkt, size_t len,
                       vtund_gso_slot slot, void *arg);

#endif
