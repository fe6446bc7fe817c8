/* The few IPv4 and IPv6 header operations the data path needs: checking an
 * inner packet, and writing the IP header that carries GRE inside ESP. */
#ifndef VTUN_GRE_IP_H
#define VTUN_GRE_IP_H

#include <stdbool.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtun/vtun.h"

#define VTUN__IP4_HDR 20
#define VTUN__IP6_HDR 40

/* What vtun__ip_parse() found. */
struct vtun__ip_info {
  int family;               /* VTUN_AF_INET or VTUN_AF_INET6 */
  size_t hlen;              /* header bytes (IPv6: the fixed header) */
  size_t len;               /* packet bytes by its own length field */
  uint8_t proto;            /* protocol, or the fixed header's next header */
  const uint8_t *src, *dst; /* the addresses, in the packet */
};

/* Whether @p a (4 or 16 bytes by @p family) is the address of @p ep. */
bool vtun__ip_addr_is(int family, const uint8_t *a, const vtun_endpoint *ep);

/* Checks the IP packet at p[0, len): version, header length and total
 * length, which may be shorter than @p len (what follows is padding,
 * RFC 4303 §2.7). VTUN_EMALFORMED otherwise. */
int vtun__ip_parse(const uint8_t *p, size_t len, struct vtun__ip_info *ip);

/* The header length for addresses of @p family, 0 for none. */
size_t vtun__ip_hdr_len(int family);

/* Writes an IP header from @p src to @p dst (same family) carrying
 * @p paylen bytes of protocol @p proto; returns its length. */
size_t vtun__ip_write(uint8_t *p, const vtun_endpoint *src,
                      const vtun_endpoint *dst, uint8_t proto, size_t paylen);

/* The Internet checksum (RFC 1071) of p[0, len): the one's complement of
 * the one's complement sum, so 0 over data that carries a valid one. */
uint16_t vtun__inet_csum(const uint8_t *p, size_t len);

#endif
