/* TUN offloads: with IFF_VNET_HDR and TSO on, one read brings a TCP
 * super-packet of up to 64 KB; it is cut here into MSS-sized packets with
 * their own IP and TCP headers and checksums before encryption, which
 * replaces dozens of read calls by one. Packets the kernel left with a
 * partial checksum get it completed. */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <string.h>

#include "gso.h"

/* The ones' complement sum of @p len bytes (as big-endian 16-bit words),
 * added to @p sum. The sum does not depend on byte order (RFC 1071
 * §2(B)): on a little-endian host the words are added as loaded, eight
 * bytes at a time, and the folded result is swapped once. */
static uint32_t gso_sum(const uint8_t *p, size_t len, uint32_t sum) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint64_t acc = 0;
  uint16_t w;

  for (; len >= 8; p += 8, len -= 8) {
    uint64_t v;

    memcpy(&v, p, 8);
    acc += (v & 0xffffffffu) + (v >> 32);
  }
  for (; len >= 2; p += 2, len -= 2) {
    memcpy(&w, p, 2);
    acc += w;
  }
  if (len == 1)
    acc += *p;
  while (acc >> 16)
    acc = (acc & 0xffff) + (acc >> 16);
  w = (uint16_t)acc;
  return sum + (uint16_t)(w << 8 | w >> 8);
#else
  for (; len > 1; p += 2, len -= 2)
    sum += (uint32_t)p[0] << 8 | p[1];
  if (len == 1)
    sum += (uint32_t)p[0] << 8;
  return sum;
#endif
}

static uint16_t gso_fold(uint32_t sum) {
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static void gso_put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

/* The TCP checksum over the pseudo-header of @p ip and the segment. */
static void gso_tcp_csum(uint8_t *ip, bool v6, uint8_t *tcp, size_t tlen) {
  uint32_t sum;

  gso_put16(tcp + 16, 0);
  if (v6)
    sum = gso_sum(ip + 8, 32, 0);
  else
    sum = gso_sum(ip + 12, 8, 0);
  sum += 6 + (uint32_t)tlen;
  gso_put16(tcp + 16, gso_fold(gso_sum(tcp, tlen, sum)));
}

/* Completes a CHECKSUM_PARTIAL packet: the field holds the
 * pseudo-header sum, the rest is summed from csum_start. */
static void gso_complete(const struct virtio_net_hdr *vh, uint8_t *pkt,
                         size_t len) {
  size_t start = vh->csum_start, field = start + vh->csum_offset;

  if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || field + 2 > len)
    return;
  gso_put16(pkt + field, gso_fold(gso_sum(pkt + start, len - start, 0)));
}

/* One segment: headers copied, then lengths, IDs, sequence, flags and
 * checksums fixed. */
static void gso_fix(uint8_t *seg, bool v6, size_t iphl, size_t hl, size_t plen,
                    uint32_t seq, unsigned i, bool last) {
  uint8_t *tcp = seg + iphl;

  if (v6) {
    gso_put16(seg + 4, (uint16_t)(hl - iphl + plen));
  } else {
    uint16_t id = (uint16_t)(seg[4] << 8 | seg[5]);

    gso_put16(seg + 2, (uint16_t)(hl + plen));
    gso_put16(seg + 4, (uint16_t)(id + i));
    gso_put16(seg + 10, 0);
    gso_put16(seg + 10, gso_fold(gso_sum(seg, iphl, 0)));
  }
  tcp[4] = (uint8_t)(seq >> 24);
  tcp[5] = (uint8_t)(seq >> 16);
  tcp[6] = (uint8_t)(seq >> 8);
  tcp[7] = (uint8_t)seq;
  if (!last)
    tcp[13] &= (uint8_t)~0x09; /* FIN and PSH only on the last */
  if (i > 0)
    tcp[13] &= (uint8_t)~0x80; /* CWR only on the first */
  gso_tcp_csum(seg, v6, tcp, hl - iphl + plen);
}

/* Header lengths of a TCP packet: IP, and IP + TCP. */
static bool gso_tcp_headers(const uint8_t *p, size_t len, bool *v6,
                            size_t *iphl, size_t *hl) {
  if (len < 20)
    return false;
  *v6 = (p[0] >> 4) == 6;
  if (*v6 && (len < 60 || p[6] != 6))
    return false; /* extension headers are not cut here */
  if (!*v6 && ((p[0] >> 4) != 4 || p[9] != 6))
    return false;
  *iphl = *v6 ? 40 : (size_t)(p[0] & 0x0f) * 4;
  if (*iphl < 20 || *iphl + 20 > len)
    return false;
  *hl = *iphl + (size_t)(p[*iphl + 12] >> 4) * 4;
  return *hl <= len;
}

size_t vtund_gso_split(const uint8_t *vnet, const uint8_t *pkt, size_t len,
                       vtund_gso_slot slot, void *arg) {
  struct virtio_net_hdr vh;
  size_t iphl, hl, off, n = 0;
  uint32_t seq;
  uint8_t *seg;
  bool v6;

  memcpy(&vh, vnet, sizeof(vh));
  if (vh.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
    if ((seg = slot(arg, len)) == NULL)
      return 0;
    memcpy(seg, pkt, len);
    gso_complete(&vh, seg, len);
    return 1;
  }
  if ((vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_TCPV4 &&
      (vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_TCPV6)
    return 0;
  if (vh.gso_size == 0 || !gso_tcp_headers(pkt, len, &v6, &iphl, &hl))
    return 0;

  seq = (uint32_t)pkt[iphl + 4] << 24 | (uint32_t)pkt[iphl + 5] << 16 |
        (uint32_t)pkt[iphl + 6] << 8 | pkt[iphl + 7];
  for (off = hl; off < len; n++) {
    size_t plen = len - off < vh.gso_size ? len - off : vh.gso_size;

    if ((seg = slot(arg, hl + plen)) == NULL)
      break;
    memcpy(seg, pkt, hl);
    memcpy(seg + hl, pkt + off, plen);
    gso_fix(seg, v6, iphl, hl, plen, seq + (uint32_t)(off - hl), (unsigned)n,
            off + plen == len);
    off += plen;
  }
  return n;
}

/* ------------------------------------------------- receive coalescing */

static uint32_t gro_get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* A TCP/IPv4 segment without IP options or fragments, carrying data,
 * with no flag but ACK and PSH. */
static bool gro_eligible(const uint8_t *p, size_t len, size_t *hl) {
  if (len < 40 || p[0] != 0x45 || p[9] != 6 || (p[6] & 0x3f) || p[7])
    return false;
  if ((size_t)(p[2] << 8 | p[3]) != len)
    return false;
  *hl = 20 + (size_t)(p[32] >> 4) * 4;
  return *hl >= 40 && *hl < len && (p[33] & ~0x18) == 0 && (p[33] & 0x10);
}

bool vtund_gro_start(struct vtund_gro *g, const uint8_t *pkt, size_t len) {
  size_t hl;

  g->len = 0;
  g->segs = 0;
  if (!gro_eligible(pkt, len, &hl))
    return false;
  memcpy(g->buf + VTUND_VNET_HDR_LEN, pkt, len);
  g->len = len;
  g->hl = hl;
  g->seg = len - hl;
  g->segs = 1;
  g->next_seq = gro_get32(pkt + 24) + (uint32_t)g->seg;
  g->closed = (pkt[33] & 0x08) != 0; /* PSH ends a run */
  return true;
}

/* Same addresses, ports, ACK, window and TCP options as the run. */
static bool gro_same_flow(const struct vtund_gro *g, const uint8_t *p) {
  const uint8_t *h = g->buf + VTUND_VNET_HDR_LEN;

  return memcmp(h + 12, p + 12, 8) == 0 && memcmp(h + 20, p + 20, 4) == 0 &&
         memcmp(h + 28, p + 28, 6) == 0 &&
         memcmp(h + 40, p + 40, g->hl - 40) == 0 && h[8] == p[8] &&
         h[1] == p[1];
}

bool vtund_gro_add(struct vtund_gro *g, const uint8_t *pkt, size_t len) {
  size_t hl;

  if (g->segs == 0 || g->closed || !gro_eligible(pkt, len, &hl) ||
      hl != g->hl || len - hl > g->seg || g->len + len - hl > VTUND_GRO_MAX)
    return false;
  if (gro_get32(pkt + 24) != g->next_seq || !gro_same_flow(g, pkt))
    return false;
  memcpy(g->buf + VTUND_VNET_HDR_LEN + g->len, pkt + hl, len - hl);
  g->len += len - hl;
  g->segs++;
  g->next_seq += (uint32_t)(len - hl);
  g->buf[VTUND_VNET_HDR_LEN + 33] |= pkt[33] & 0x08;
  g->closed = len - hl < g->seg || (pkt[33] & 0x08);
  return true;
}

size_t vtund_gro_finish(struct vtund_gro *g) {
  struct virtio_net_hdr vh;
  uint8_t *ip = g->buf + VTUND_VNET_HDR_LEN;
  size_t len = g->len;

  memset(&vh, 0, sizeof(vh));
  g->len = 0;
  if (len == 0)
    return 0;
  if (g->segs > 1) {
    /* The kernel cuts or delivers it as one; the TCP checksum field
     * holds the pseudo-header sum (CHECKSUM_PARTIAL). */
    gso_put16(ip + 2, (uint16_t)len);
    gso_put16(ip + 10, 0);
    gso_put16(ip + 10, gso_fold(gso_sum(ip, 20, 0)));
    gso_put16(ip + 36, (uint16_t)~gso_fold(gso_sum(ip + 12, 8, 0) + 6 +
                                           (uint32_t)(len - 20)));
    vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
    vh.hdr_len = (uint16_t)g->hl;
    vh.gso_size = (uint16_t)g->seg;
    vh.csum_start = 20;
    vh.csum_offset = 16;
  }
  g->segs = 0;
  memcpy(g->buf, &vh, sizeof(vh));
  return len + VTUND_VNET_HDR_LEN;
}
