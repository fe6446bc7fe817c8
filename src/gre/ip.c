#include "gre/ip.h"

#include <string.h>

#include "util/bytes.h"

#define IP_TTL 64

bool vtun__ip_addr_is(int family, const uint8_t *a, const vtun_endpoint *ep) {
  return ep->family == family &&
         memcmp(a, ep->addr, family == VTUN_AF_INET ? 4 : 16) == 0;
}

static int ip_parse4(const uint8_t *p, size_t len, struct vtun__ip_info *ip) {
  size_t hlen = (size_t)(p[0] & 0x0f) * 4;
  size_t total = vtun__be16(p + 2);

  if (hlen < VTUN__IP4_HDR || total < hlen || total > len)
    return VTUN_EMALFORMED;
  ip->family = VTUN_AF_INET;
  ip->hlen = hlen;
  ip->len = total;
  ip->proto = p[9];
  ip->src = p + 12;
  ip->dst = p + 16;
  return 0;
}

static int ip_parse6(const uint8_t *p, size_t len, struct vtun__ip_info *ip) {
  size_t total = VTUN__IP6_HDR + (size_t)vtun__be16(p + 4);

  if (len < VTUN__IP6_HDR || total > len)
    return VTUN_EMALFORMED;
  ip->family = VTUN_AF_INET6;
  ip->hlen = VTUN__IP6_HDR;
  ip->len = total;
  ip->proto = p[6];
  ip->src = p + 8;
  ip->dst = p + 24;
  return 0;
}

int vtun__ip_parse(const uint8_t *p, size_t len, struct vtun__ip_info *ip) {
  if (len < VTUN__IP4_HDR)
    return VTUN_EMALFORMED;
  switch (p[0] >> 4) {
  case 4:
    return ip_parse4(p, len, ip);
  case 6:
    return ip_parse6(p, len, ip);
  }
  return VTUN_EMALFORMED;
}

size_t vtun__ip_hdr_len(int family) {
  return family == VTUN_AF_INET    ? VTUN__IP4_HDR
         : family == VTUN_AF_INET6 ? VTUN__IP6_HDR
                                   : 0;
}

uint16_t vtun__inet_csum(const uint8_t *p, size_t len) {
  uint32_t sum = 0;
  size_t i;

  for (i = 0; i + 1 < len; i += 2)
    sum += vtun__be16(p + i);
  if (i < len)
    sum += (uint32_t)p[i] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static size_t ip_write4(uint8_t *p, const vtun_endpoint *src,
                        const vtun_endpoint *dst, uint8_t proto,
                        size_t paylen) {
  memset(p, 0, VTUN__IP4_HDR);
  p[0] = 0x45;
  vtun__put16(p + 2, (uint16_t)(VTUN__IP4_HDR + paylen));
  p[8] = IP_TTL;
  p[9] = proto;
  memcpy(p + 12, src->addr, 4);
  memcpy(p + 16, dst->addr, 4);
  vtun__put16(p + 10, vtun__inet_csum(p, VTUN__IP4_HDR));
  return VTUN__IP4_HDR;
}

static size_t ip_write6(uint8_t *p, const vtun_endpoint *src,
                        const vtun_endpoint *dst, uint8_t proto,
                        size_t paylen) {
  memset(p, 0, VTUN__IP6_HDR);
  p[0] = 0x60;
  vtun__put16(p + 4, (uint16_t)paylen);
  p[6] = proto;
  p[7] = IP_TTL;
  memcpy(p + 8, src->addr, 16);
  memcpy(p + 24, dst->addr, 16);
  return VTUN__IP6_HDR;
}

size_t vtun__ip_write(uint8_t *p, const vtun_endpoint *src,
                      const vtun_endpoint *dst, uint8_t proto, size_t paylen) {
  if (src->family == VTUN_AF_INET)
    return ip_write4(p, src, dst, proto, paylen);
  return ip_write6(p, src, dst, proto, paylen);
}
