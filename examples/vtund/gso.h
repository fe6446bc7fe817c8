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

/* Consecutive TCP segments of one IPv4 flow, merged into one write of a
 * super-packet (the receive-side counterpart of vtund_gso_split). */
struct vtund_gro {
  uint8_t *buf; /* virtio-net header, then the merged packet */
  size_t len;   /* bytes of the merged packet */
  size_t hl;    /* IP + TCP header length */
  size_t seg;   /* payload of the first segment */
  unsigned segs;
  uint32_t next_seq;
  bool closed; /* a shorter segment ended the run */
};

#define VTUND_GRO_MAX 65000

/* Adds @p pkt to the run when it continues it: returns true, else false
 * and the caller flushes and starts again (or writes the packet as it
 * is when vtund_gro_start() refuses it too). */
bool vtund_gro_add(struct vtund_gro *g, const uint8_t *pkt, size_t len);

/* Starts a run with @p pkt; false when it is no TCP/IPv4 data segment. */
bool vtund_gro_start(struct vtund_gro *g, const uint8_t *pkt, size_t len);

/* Finishes the virtio-net header and lengths of the run; returns the
 * bytes to write from g->buf (header included), 0 when empty. */
size_t vtund_gro_finish(struct vtund_gro *g);

#endif
