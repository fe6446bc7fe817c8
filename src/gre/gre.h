/* GRE headers (RFC 2784, with the key and sequence number of RFC 2890)
 * and the vendor keepalive: a GRE packet whose payload is an IP packet
 * addressed back to the sender, carrying a GRE header of protocol type 0,
 * which the peer simply routes back. */
#ifndef VTUN_GRE_GRE_H
#define VTUN_GRE_GRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtun/vtun.h"

#define VTUN__GRE_PROTO_KEEPALIVE 0x0000 /* a returned keepalive */
#define VTUN__GRE_PROTO_IPV4 0x0800
#define VTUN__GRE_PROTO_IPV6 0x86dd
#define VTUN__GRE_HDR_MAX 16

struct vtun__gre_hdr {
  uint16_t proto; /* protocol type (an EtherType) */
  bool has_csum, has_key, has_seq;
  uint32_t key, seq;
  size_t len; /* header bytes */
};

/* Header bytes with the optional fields chosen. */
size_t vtun__gre_hdr_len(bool has_key, bool has_seq);

/* Writes @p h (checksum not supported on output) at @p p; returns its
 * length. */
size_t vtun__gre_write(uint8_t *p, const struct vtun__gre_hdr *h);

/* Parses the header of the GRE packet p[0, len), verifying the checksum
 * when present. VTUN_EMALFORMED for a short packet, version other than 0
 * or a bit RFC 2784 §2.3 says to drop on; VTUN_EINTEGRITY for a wrong
 * checksum. */
int vtun__gre_parse(const uint8_t *p, size_t len, struct vtun__gre_hdr *h);

/* Writes at @p p the inner IP packet of a keepalive from @p local to
 * @p remote: IP from @p remote to @p local, protocol GRE, then a GRE
 * header of protocol type 0 (with the key when @p has_key). Returns its
 * length (at most VTUN__GRE_KEEPALIVE_MAX). */
#define VTUN__GRE_KEEPALIVE_MAX 48
size_t vtun__gre_keepalive_build(uint8_t *p, const vtun_endpoint *local,
                                 const vtun_endpoint *remote, bool has_key,
                                 uint32_t key);

#endif
