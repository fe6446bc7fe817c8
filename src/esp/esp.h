/* ESP packet processing (RFC 4303) for one SA: encapsulation and
 * decapsulation in place in the caller's buffer, without allocation.
 *
 * Layout: SPI(4) SEQ(4) IV payload padding padlen nexthdr ICV. AES-GCM
 * (RFC 4106) and ChaCha20-Poly1305 (RFC 7634) use the nonce salt || IV with
 * IV = the 64-bit sequence number; AES-CBC (RFC 3602) takes a fresh
 * unpredictable IV per packet and an HMAC over SPI..ciphertext. */
#ifndef VTUN_ESP_ESP_H
#define VTUN_ESP_ESP_H

#include <stddef.h>
#include <stdint.h>

#include "esp/sa.h"

#define VTUN__ESP_HDR 8 /* SPI and sequence number */
#define VTUN__IVLEN_MAX 16

/* IP protocol numbers found in the next header field. */
enum vtun__ipproto {
  VTUN__IPPROTO_IPIP = 4,
  VTUN__IPPROTO_GRE = 47,
  VTUN__IPPROTO_IPV6 = 41,
  VTUN__IPPROTO_NONE = 59, /* dummy packet (RFC 4303 §2.6) */
};

/* Bytes the ESP header adds in front of a payload. */
static inline size_t vtun__esp_head(const struct vtun__esp_sa *sa) {
  return VTUN__ESP_HDR + sa->ivlen;
}

/* Bytes padding, trailer and ICV add behind a payload of @p len. */
size_t vtun__esp_tail(const struct vtun__esp_sa *sa, size_t len);

/* Which crypto objects of an outbound SA to use. */
enum vtun__esp_user {
  VTUN__ESP_DATA = 0, /* the data path thread that owns the SA */
  VTUN__ESP_CTL = 1,  /* anyone else; serialised on the SA */
};

/* Encapsulates the payload buf[*off, *off + *len) with next header @p nh,
 * taking the next sequence number; on success *off and *len describe the
 * ESP packet. VTUN_ENOBUFS when the room before or after (up to @p cap)
 * is short, VTUN_ELIFETIME when the sequence numbers are used up,
 * VTUN_ENOSA when a VTUN__ESP_CTL user finds that the SA has no objects
 * for it (see vtun__esp_sa_ctl_ready()), VTUN_ECRYPTO. */
int vtun__esp_encap(struct vtun__esp_sa *sa, int user, uint8_t *buf,
                    size_t *off, size_t *len, size_t cap, uint8_t nh);

/* The same with an explicit sequence number and IV (@p iv: sa->ivlen
 * bytes), for known-answer tests. */
int vtun__esp_seal(struct vtun__esp_sa *sa, int user, uint8_t *buf, size_t *off,
                   size_t *len, size_t cap, uint8_t nh, uint64_t seq,
                   const uint8_t *iv);

/* What decapsulation found. */
struct vtun__esp_rx {
  uint64_t seq; /* full sequence number */
  size_t off;   /* the payload, from the start of the packet */
  size_t len;
  uint8_t nh; /* next header */
};

/* The SPI of an ESP packet of at least 4 bytes, host order. */
uint32_t vtun__esp_spi(const uint8_t *pkt);

/* Checks and decrypts the ESP packet pkt[0, len) in place: length,
 * replay window (checked only), integrity, padding (RFC 4303 §2.4). The
 * SA is not changed: call vtun__esp_accept() once the payload is taken.
 * VTUN_EMALFORMED, VTUN_EREPLAY, VTUN_ELIFETIME (hard limit reached),
 * VTUN_EINTEGRITY, VTUN_ECRYPTO. */
int vtun__esp_decap(struct vtun__esp_sa *sa, uint8_t *pkt, size_t len,
                    struct vtun__esp_rx *rx);

/* Decryption with a known full sequence number and no replay check, for
 * known-answer tests; returns as vtun__esp_decap(). */
int vtun__esp_open(struct vtun__esp_sa *sa, uint8_t *pkt, size_t len,
                   uint64_t seq, struct vtun__esp_rx *rx);

/* Marks rx->seq as received and counts @p bytes: VTUN_EREPLAY or
 * VTUN_ELIFETIME when the packet must be dropped after all. */
int vtun__esp_accept(struct vtun__esp_sa *sa, const struct vtun__esp_rx *rx,
                     size_t bytes);

/* The truncated HMAC of @p n buffers with the SA's integrity key into
 * @p icv (sa->icvlen bytes). CBC SAs only. */
int vtun__esp_mac(struct vtun__esp_sa *sa, int user, const uint8_t *const *data,
                  const size_t *lens, size_t n, uint8_t *icv);

#endif
