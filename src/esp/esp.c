#include "esp/esp.h"

#include <string.h>

#include "core/ctx.h"
#include "util/bytes.h"
#include "util/mem.h"

#define TRAILER 2 /* pad length and next header */

/* Big-endian stores and loads as single instructions where the compiler
 * knows the byte order; these run several times per packet. */
static inline void esp_put32(uint8_t *p, uint32_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  v = __builtin_bswap32(v);
  memcpy(p, &v, 4);
#else
  vtun__put32(p, v);
#endif
}

static inline void esp_put64(uint8_t *p, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  v = __builtin_bswap64(v);
  memcpy(p, &v, 8);
#else
  vtun__put64(p, v);
#endif
}

static inline uint32_t esp_get32(const uint8_t *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint32_t v;

  memcpy(&v, p, 4);
  return __builtin_bswap32(v);
#else
  return vtun__be32(p);
#endif
}

/* Block sizes are powers of two (4 for AEAD, 16 for AES-CBC). */
static size_t esp_padded(const struct vtun__esp_sa *sa, size_t len) {
  size_t mask = sa->block - 1;

  return (len + TRAILER + mask) & ~mask;
}

/* The IV is 8 bytes (AEAD) or 16 (CBC): copies of a known size. */
static inline void esp_copy_iv(const struct vtun__esp_sa *sa, uint8_t *dst,
                               const uint8_t *src) {
  if (sa->ivlen == 8)
    memcpy(dst, src, 8);
  else
    memcpy(dst, src, 16);
}

size_t vtun__esp_tail(const struct vtun__esp_sa *sa, size_t len) {
  return esp_padded(sa, len) - len + sa->icvlen;
}

uint32_t vtun__esp_spi(const uint8_t *pkt) {
  return esp_get32(pkt);
}

static bool esp_esn(const struct vtun__esp_sa *sa) {
  return (sa->flags & VTUN_SA_ESN) != 0;
}

/* The AAD of RFC 4106 §5 and RFC 7634 §2.1: SPI and sequence number, or
 * with ESN the SPI and all 64 bits of it, high half first. */
static size_t esp_aad(const struct vtun__esp_sa *sa, const uint8_t *pkt,
                      uint64_t seq, uint8_t aad[12], const uint8_t **out) {
  if (!esp_esn(sa)) {
    *out = pkt;
    return VTUN__ESP_HDR;
  }
  memcpy(aad, pkt, 4);
  esp_put64(aad + 4, seq);
  *out = aad;
  return 12;
}

/* The ICV of RFC 4303 §2.8 covers SPI to the end of the ciphertext; with
 * ESN the high 32 bits of the sequence number follow, implicitly
 * (§2.2.1). */
static int esp_icv(struct vtun__esp_sa *sa, struct vtun__esp_xform *xf,
                   const uint8_t *pkt, size_t len, uint64_t seq, uint8_t *icv) {
  uint8_t hi[4];
  const uint8_t *data[2] = {pkt, hi};
  size_t lens[2] = {len, sizeof(hi)};

  esp_put32(hi, (uint32_t)(seq >> 32));
  return sa->ops->mac_run(xf->mac, data, lens, esp_esn(sa) ? 2 : 1, icv,
                          sa->icvlen);
}

/* The objects of @p user: the data path's, or the control ones, which
 * an SA of a tunnel that never sends control packets lacks (NULL). */
static struct vtun__esp_xform *esp_xform(struct vtun__esp_sa *sa, int user) {
  if (user == VTUN__ESP_DATA)
    return &sa->xf;
  return atomic_load_explicit(&sa->ctl, memory_order_acquire);
}

int vtun__esp_mac(struct vtun__esp_sa *sa, int user, const uint8_t *const *data,
                  const size_t *lens, size_t n, uint8_t *icv) {
  struct vtun__esp_xform *xf = esp_xform(sa, user);

  if (xf == NULL || xf->mac == NULL)
    return VTUN_EINVAL;
  return sa->ops->mac_run(xf->mac, data, lens, n, icv, sa->icvlen);
}

/* Writes padding 1, 2, 3... (RFC 4303 §2.4), pad length, next header. */
static void esp_trailer(uint8_t *pt, size_t len, size_t padded, uint8_t nh) {
  size_t pad = padded - len - TRAILER;

  for (size_t i = 0; i < pad; i++)
    pt[len + i] = (uint8_t)(i + 1);
  pt[padded - 2] = (uint8_t)pad;
  pt[padded - 1] = nh;
}

static int esp_seal_crypto(struct vtun__esp_sa *sa, struct vtun__esp_xform *xf,
                           uint8_t *pkt, size_t ctlen, uint64_t seq) {
  size_t head = vtun__esp_head(sa);
  uint8_t *pt = pkt + head;
  uint8_t nonce[12], aadbuf[12];
  const uint8_t *aad;
  size_t aadlen;
  int rc;

  if (sa->aead) {
    memcpy(nonce, sa->salt, 4);
    memcpy(nonce + 4, pkt + VTUN__ESP_HDR, 8);
    aadlen = esp_aad(sa, pkt, seq, aadbuf, &aad);
    return sa->ops->aead_seal(xf->crypt, nonce, aad, aadlen, pt, ctlen, pt,
                              pt + ctlen, sa->icvlen);
  }

  rc = sa->ops->cipher_run(xf->crypt, pkt + VTUN__ESP_HDR, pt, pt, ctlen);
  if (rc != 0)
    return rc;
  return esp_icv(sa, xf, pkt, head + ctlen, seq, pt + ctlen);
}

/* The body of vtun__esp_seal(), inline in the per-packet path too. */
static inline int esp_seal(struct vtun__esp_sa *sa, struct vtun__esp_xform *xf,
                           uint8_t *buf, size_t *off, size_t *len, size_t cap,
                           uint8_t nh, uint64_t seq, const uint8_t *iv) {
  size_t head = vtun__esp_head(sa);
  size_t padded = esp_padded(sa, *len);
  uint8_t *pkt;
  int rc;

  if (*off < head || cap < *off || cap - *off < padded + sa->icvlen)
    return VTUN_ENOBUFS;

  pkt = buf + *off - head;
  esp_put32(pkt, sa->spi);
  esp_put32(pkt + 4, (uint32_t)seq);
  esp_copy_iv(sa, pkt + VTUN__ESP_HDR, iv);
  esp_trailer(pkt + head, *len, padded, nh);

  rc = esp_seal_crypto(sa, xf, pkt, padded, seq);
  if (rc != 0)
    return rc;
  *off -= head;
  *len = head + padded + sa->icvlen;
  return 0;
}

int vtun__esp_seal(struct vtun__esp_sa *sa, int user, uint8_t *buf, size_t *off,
                   size_t *len, size_t cap, uint8_t nh, uint64_t seq,
                   const uint8_t *iv) {
  struct vtun__esp_xform *xf = esp_xform(sa, user);

  if (xf == NULL)
    return VTUN_ENOSA;
  return esp_seal(sa, xf, buf, off, len, cap, nh, seq, iv);
}

/* The data path's CBC IVs: the SA's secret AES key run in CBC over zero
 * blocks from a fresh counter, so each IV is the encryption of the one
 * before, which nobody without the key can predict (RFC 3602 §2.3). One
 * backend call yields VTUN__SA_IVPOOL / 16 IVs. */
static int esp_next_iv(struct vtun__esp_sa *sa, int user, uint8_t *iv) {
  static const uint8_t zeros[VTUN__SA_IVPOOL];
  struct vtun__esp_ivs *s = sa->ivs;
  uint8_t start[16] = {0};
  int rc;

  if (user != VTUN__ESP_DATA || s == NULL)
    return vtun__random(sa->ctx, iv, 16);
  if (s->pos >= VTUN__SA_IVPOOL) {
    vtun__put64(start + 8, ++s->counter);
    rc = sa->ops->cipher_run(s->cipher, start, zeros, s->pool, VTUN__SA_IVPOOL);
    if (rc != 0)
      return rc;
    s->pos = 0;
  }
  memcpy(iv, s->pool + s->pos, 16);
  s->pos += 16;
  return 0;
}

static int esp_encap_one(struct vtun__esp_sa *sa, int user,
                         struct vtun__esp_xform *xf, uint8_t *buf, size_t *off,
                         size_t *len, size_t cap, uint8_t nh) {
  uint8_t iv[VTUN__IVLEN_MAX];
  uint64_t seq;
  int rc;

  /* Room first, so that a refused packet takes no sequence number. */
  if (*off < vtun__esp_head(sa) || cap < *off ||
      cap - *off < esp_padded(sa, *len) + sa->icvlen)
    return VTUN_ENOBUFS;
  seq = atomic_fetch_add_explicit(&sa->seq, 1, memory_order_relaxed) + 1;
  if (seq > sa->seq_max) {
    atomic_store_explicit(&sa->hard_hit, true, memory_order_relaxed);
    atomic_fetch_add_explicit(&sa->drop.lifetime, 1, memory_order_relaxed);
    return VTUN_ELIFETIME;
  }

  /* AEAD IVs only have to be unique per key: the sequence number is
   * (RFC 4106 §3.1). */
  if (sa->aead)
    esp_put64(iv, seq);
  else if ((rc = esp_next_iv(sa, user, iv)) != 0)
    return rc;
  return esp_seal(sa, xf, buf, off, len, cap, nh, seq, iv);
}

static void esp_ctl_lock(struct vtun__esp_sa *sa) {
  while (atomic_flag_test_and_set_explicit(&sa->ctl_busy, memory_order_acquire))
    ;
}

int vtun__esp_encap(struct vtun__esp_sa *sa, int user, uint8_t *buf,
                    size_t *off, size_t *len, size_t cap, uint8_t nh) {
  struct vtun__esp_xform *xf;
  int rc;

  if (user == VTUN__ESP_DATA)
    return esp_encap_one(sa, user, &sa->xf, buf, off, len, cap, nh);
  if ((xf = esp_xform(sa, user)) == NULL)
    return VTUN_ENOSA;
  esp_ctl_lock(sa);
  rc = esp_encap_one(sa, user, xf, buf, off, len, cap, nh);
  atomic_flag_clear_explicit(&sa->ctl_busy, memory_order_release);
  return rc;
}

static int esp_open_crypto(struct vtun__esp_sa *sa, uint8_t *pkt, size_t ctlen,
                           uint64_t seq) {
  struct vtun__esp_xform *xf = &sa->xf;
  size_t head = vtun__esp_head(sa);
  uint8_t *ct = pkt + head;
  uint8_t nonce[12], aadbuf[12], icv[VTUN_MAC_MAX_BYTES];
  const uint8_t *aad;
  size_t aadlen;
  int rc;

  if (sa->aead) {
    memcpy(nonce, sa->salt, 4);
    memcpy(nonce + 4, pkt + VTUN__ESP_HDR, 8);
    aadlen = esp_aad(sa, pkt, seq, aadbuf, &aad);
    return sa->ops->aead_open(xf->crypt, nonce, aad, aadlen, ct, ctlen, ct,
                              ct + ctlen, sa->icvlen);
  }

  /* Integrity before decryption (RFC 4303 §3.4.4.1). */
  rc = esp_icv(sa, xf, pkt, head + ctlen, seq, icv);
  if (rc != 0)
    return rc;
  if (vtun__memeq_ct(icv, ct + ctlen, sa->icvlen) != 0)
    return VTUN_EINTEGRITY;
  return sa->ops->cipher_run(xf->crypt, pkt + VTUN__ESP_HDR, ct, ct, ctlen);
}

/* RFC 4303 §2.4: the pad length must fit, and the default padding is
 * 1, 2, 3, ... which the receiver checks. */
static int esp_parse_trailer(const uint8_t *pt, size_t ctlen,
                             struct vtun__esp_rx *rx) {
  size_t pad = pt[ctlen - 2];
  uint8_t bad = 0;

  if (pad + TRAILER > ctlen)
    return VTUN_EMALFORMED;
  rx->len = ctlen - TRAILER - pad;
  for (size_t i = 0; i < pad; i++)
    bad |= (uint8_t)(pt[rx->len + i] ^ (uint8_t)(i + 1));
  if (bad != 0)
    return VTUN_EMALFORMED;
  rx->nh = pt[ctlen - 1];
  return 0;
}

/* The body of vtun__esp_open(), inline in vtun__esp_decap(). */
static inline int esp_open(struct vtun__esp_sa *sa, uint8_t *pkt, size_t len,
                           uint64_t seq, struct vtun__esp_rx *rx) {
  size_t head = vtun__esp_head(sa);
  size_t ctlen;
  int rc;

  if (len < head + sa->icvlen + sa->block)
    return VTUN_EMALFORMED;
  ctlen = len - head - sa->icvlen;
  if ((ctlen & (sa->block - 1)) != 0)
    return VTUN_EMALFORMED;

  rc = esp_open_crypto(sa, pkt, ctlen, seq);
  if (rc != 0)
    return rc;
  rx->seq = seq;
  rx->off = head;
  return esp_parse_trailer(pkt + head, ctlen, rx);
}

int vtun__esp_open(struct vtun__esp_sa *sa, uint8_t *pkt, size_t len,
                   uint64_t seq, struct vtun__esp_rx *rx) {
  return esp_open(sa, pkt, len, seq, rx);
}

int vtun__esp_decap(struct vtun__esp_sa *sa, uint8_t *pkt, size_t len,
                    struct vtun__esp_rx *rx) {
  uint32_t lo;
  uint64_t seq;

  if (len < vtun__esp_head(sa) + sa->icvlen + sa->block)
    return VTUN_EMALFORMED;
  lo = esp_get32(pkt + 4);
  seq = esp_esn(sa) ? vtun__replay_infer(&sa->replay, lo) : lo;

  /* A cheap check before the crypto; the window itself moves only in
   * vtun__esp_accept(), after the ICV verified. */
  if (vtun__replay_check(&sa->replay, seq) != 0)
    return VTUN_EREPLAY;
  if (atomic_load_explicit(&sa->hard_hit, memory_order_relaxed)) {
    atomic_fetch_add_explicit(&sa->drop.lifetime, 1, memory_order_relaxed);
    return VTUN_ELIFETIME;
  }
  return esp_open(sa, pkt, len, seq, rx);
}

int vtun__esp_accept(struct vtun__esp_sa *sa, const struct vtun__esp_rx *rx,
                     size_t bytes) {
  int rc = vtun__esp_sa_account(sa, 1, bytes);

  /* The update checks again: under the one-thread-per-SA rule it cannot
   * fail after vtun__esp_decap() passed. */
  if (rc == 0)
    rc = vtun__replay_update(&sa->replay, rx->seq);
  return rc;
}
