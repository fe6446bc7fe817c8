#include "gre/gre.h"

#include "gre/ip.h"
#include "util/addr.h"
#include "util/bytes.h"

#define GRE_C 0x8000u
#define GRE_K 0x2000u
#define GRE_S 0x1000u
/* Bits 1, 4 and 5 (routing, strict source route, recursion): RFC 2784
 * §2.3 drops packets with any of them set. */
#define GRE_DROP_BITS 0x4c00u
#define GRE_VERSION 0x0007u

size_t vtun__gre_hdr_len(bool has_key, bool has_seq) {
  return 4 + (has_key ? 4 : 0) + (has_seq ? 4 : 0);
}

size_t vtun__gre_write(uint8_t *p, const struct vtun__gre_hdr *h) {
  uint16_t flags =
      (uint16_t)((h->has_key ? GRE_K : 0) | (h->has_seq ? GRE_S : 0));
  size_t n = 4;

  vtun__put16(p, flags);
  vtun__put16(p + 2, h->proto);
  if (h->has_key) {
    vtun__put32(p + n, h->key);
    n += 4;
  }
  if (h->has_seq) {
    vtun__put32(p + n, h->seq);
    n += 4;
  }
  return n;
}

/* Reads the optional fields in their RFC 2890 §2 order. */
static int gre_fields(const uint8_t *p, size_t len, uint16_t flags,
                      struct vtun__gre_hdr *h) {
  size_t n = 4;

  h->has_csum = (flags & GRE_C) != 0;
  h->has_key = (flags & GRE_K) != 0;
  h->has_seq = (flags & GRE_S) != 0;
  n += h->has_csum ? 4 : 0;
  n += h->has_key ? 4 : 0;
  n += h->has_seq ? 4 : 0;
  if (len < n)
    return VTUN_EMALFORMED;

  n = h->has_csum ? 8 : 4;
  h->key = h->has_key ? vtun__be32(p + n) : 0;
  n += h->has_key ? 4 : 0;
  h->seq = h->has_seq ? vtun__be32(p + n) : 0;
  h->len = n + (h->has_seq ? 4 : 0);
  return 0;
}

int vtun__gre_parse(const uint8_t *p, size_t len, struct vtun__gre_hdr *h) {
  uint16_t flags;
  int rc;

  if (len < 4)
    return VTUN_EMALFORMED;
  flags = vtun__be16(p);
  if ((flags & (GRE_DROP_BITS | GRE_VERSION)) != 0)
    return VTUN_EMALFORMED;
  h->proto = vtun__be16(p + 2);
  rc = gre_fields(p, len, flags, h);
  if (rc != 0)
    return rc;

  /* RFC 2784 §2.5: the checksum covers the GRE header and payload. */
  if (h->has_csum && vtun__inet_csum(p, len) != 0)
    return VTUN_EINTEGRITY;
  return 0;
}

size_t vtun__gre_keepalive_build(uint8_t *p, const vtun_endpoint *local,
                                 const vtun_endpoint *remote, bool has_key,
                                 uint32_t key) {
  struct vtun__gre_hdr h = {
      .proto = VTUN__GRE_PROTO_KEEPALIVE, .has_key = has_key, .key = key};
  size_t glen = vtun__gre_hdr_len(has_key, false);
  size_t n = vtun__ip_write(p, remote, local, 47, glen);

  return n + vtun__gre_write(p + n, &h);
}
