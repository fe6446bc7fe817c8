/* IKEv2 key schedule (RFC 7296 §2.13, §2.14, §2.17, §2.18), the PSK
 * authentication value (§2.15), and the key export lines for tshark's
 * decryption tables. Every intermediate secret is wiped before the
 * function returns. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "crypto/prf.h"
#include "ike/sa.h"
#include "util/alg.h"
#include "util/bytes.h"
#include "util/mem.h"

/* SKEYSEED = prf(Ni | Nr, g^ir) for a new IKE SA, or
 * prf(SK_d (old), g^ir (new) | Ni | Nr) for a rekey (RFC 7296 §2.18). */
int vtun__ike_skeyseed(struct vtun__ikesa *sa, const uint8_t *secret,
                       size_t slen, const uint8_t *old_skd, int old_prf,
                       uint8_t *out) {
  vtun_ctx *ctx = sa->ctx;
  uint8_t buf[VTUN_DH_MAX_BYTES + 2 * IKE_NONCE_MAX];
  size_t n = 0;
  int rc;

  if (old_skd == NULL) {
    memcpy(buf, sa->ni, sa->ni_len);
    memcpy(buf + sa->ni_len, sa->nr, sa->nr_len);
    rc = vtun__prf(ctx->crypto, ctx->crypto_state, sa->k.prf, buf,
                   sa->ni_len + sa->nr_len, secret, slen, out);
  } else {
    memcpy(buf, secret, slen);
    n = slen;
    memcpy(buf + n, sa->ni, sa->ni_len);
    n += sa->ni_len;
    memcpy(buf + n, sa->nr, sa->nr_len);
    n += sa->nr_len;
    rc = vtun__prf(ctx->crypto, ctx->crypto_state, old_prf, old_skd,
                   vtun__prf_info(old_prf)->outlen, buf, n, out);
  }
  vtun__wipe(buf, sizeof(buf));
  return rc;
}

/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *   = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)   (RFC 7296 §2.14) */
int vtun__ike_keys_derive(struct vtun__ikesa *sa, const uint8_t *skeyseed,
                          size_t sklen) {
  struct vtun__ike_keys *k = &sa->k;
  const struct vtun__encr_info *e = vtun__encr_info(k->encr);
  uint8_t seed[2 * IKE_NONCE_MAX + 16], km[7 * IKE_KEY_MAX];
  size_t n, p = 0, total;
  int rc;

  if (sa->neg == NULL)
    return VTUN_ESTATE;
  k->prf_len = vtun__prf_info(k->prf)->outlen;
  k->ekey_len = e->keylen + e->saltlen;
  k->akey_len = e->aead ? 0 : vtun__integ_info(k->integ)->keylen;
  total = 3 * k->prf_len + 2 * k->ekey_len + 2 * k->akey_len;
  memcpy(seed, sa->ni, sa->ni_len);
  memcpy(seed + sa->ni_len, sa->nr, sa->nr_len);
  n = sa->ni_len + sa->nr_len;
  vtun__put64(seed + n, sa->ispi);
  vtun__put64(seed + n + 8, sa->rspi);
  rc = vtun__prf_plus(sa->ctx->crypto, sa->ctx->crypto_state, k->prf, skeyseed,
                      sklen, seed, n + 16, km, total);
  if (rc == 0) {
    memcpy(k->sk_d, km, k->prf_len), p = k->prf_len;
    memcpy(k->sk_ai, km + p, k->akey_len), p += k->akey_len;
    memcpy(k->sk_ar, km + p, k->akey_len), p += k->akey_len;
    memcpy(k->sk_ei, km + p, k->ekey_len), p += k->ekey_len;
    memcpy(k->sk_er, km + p, k->ekey_len), p += k->ekey_len;
    memcpy(sa->neg->sk_pi, km + p, k->prf_len), p += k->prf_len;
    memcpy(sa->neg->sk_pr, km + p, k->prf_len);
  }
  vtun__wipe(km, sizeof(km));
  return rc;
}

/* KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) (RFC 7296 §2.17): the
 * initiator-to-responder keys first, each encryption key with its salt,
 * then the integrity key. */
int vtun__ike_child_keys(struct vtun__ikesa *sa, const struct vtun__child *c,
                         const uint8_t *gir, size_t girlen, const uint8_t *ni,
                         size_t nilen, const uint8_t *nr, size_t nrlen,
                         uint8_t *key_i, uint8_t *key_r, size_t *klen) {
  const struct vtun__encr_info *e = vtun__encr_info(c->encr);
  const struct vtun__integ_info *ii = vtun__integ_info(c->integ);
  uint8_t seed[VTUN_DH_MAX_BYTES + 2 * IKE_NONCE_MAX], km[2 * 128];
  size_t one = e->keylen + e->saltlen + (ii != NULL ? ii->keylen : 0);
  size_t n = 0;
  int rc;

  if (girlen > 0)
    memcpy(seed, gir, girlen), n = girlen;
  memcpy(seed + n, ni, nilen), n += nilen;
  memcpy(seed + n, nr, nrlen), n += nrlen;
  rc = vtun__prf_plus(sa->ctx->crypto, sa->ctx->crypto_state, sa->k.prf,
                      sa->k.sk_d, sa->k.prf_len, seed, n, km, 2 * one);
  if (rc == 0) {
    /* The ESP key layout is encryption key, salt, integrity key, which is
     * the order KEYMAT is taken in. */
    memcpy(key_i, km, one);
    memcpy(key_r, km + one, one);
    *klen = one;
  }
  vtun__wipe(seed, sizeof(seed));
  vtun__wipe(km, sizeof(km));
  return rc;
}

/* AUTH = prf(prf(PSK, "Key Pad for IKEv2"), <SignedOctets>) where the
 * signed octets are the sender's IKE_SA_INIT message, the other's nonce
 * and prf(SK_px, RestOfIDPayload) (RFC 7296 §2.15). */
int vtun__ike_psk_auth(struct vtun__ikesa *sa, bool for_initiator,
                       const uint8_t *id_body, size_t id_len,
                       const uint8_t *psk, size_t psk_len, uint8_t *out,
                       size_t *outlen) {
  static const char pad[] = "Key Pad for IKEv2";
  const vtun_crypto_ops *ops = sa->ctx->crypto;
  void *st = sa->ctx->crypto_state;
  const uint8_t *msg = for_initiator ? sa->init_req : sa->init_resp;
  size_t mlen = for_initiator ? sa->init_req_len : sa->init_resp_len;
  const uint8_t *nonce = for_initiator ? sa->nr : sa->ni;
  size_t nlen = for_initiator ? sa->nr_len : sa->ni_len;
  uint8_t macid[VTUN_MAC_MAX_BYTES], kpad[VTUN_MAC_MAX_BYTES];
  void *mac = NULL;
  int rc;

  if (msg == NULL || sa->neg == NULL)
    return VTUN_ESTATE;
  rc = vtun__prf(ops, st, sa->k.prf,
                 for_initiator ? sa->neg->sk_pi : sa->neg->sk_pr, sa->k.prf_len,
                 id_body, id_len, macid);
  if (rc == 0)
    rc = vtun__prf(ops, st, sa->k.prf, psk, psk_len, (const uint8_t *)pad,
                   sizeof(pad) - 1, kpad);
  if (rc == 0)
    rc = ops->mac_new(st, sa->k.prf, 1, kpad, sa->k.prf_len, &mac);
  if (rc == 0) {
    const uint8_t *parts[] = {msg, nonce, macid};
    size_t lens[] = {mlen, nlen, sa->k.prf_len};

    rc = ops->mac_run(mac, parts, lens, 3, out, sa->k.prf_len);
    *outlen = sa->k.prf_len;
  }
  ops->mac_free(mac);
  vtun__wipe(macid, sizeof(macid));
  vtun__wipe(kpad, sizeof(kpad));
  return rc;
}

void vtun__ike_keys_free(struct vtun__ike_keys *k) {
  vtun__wipe(k, sizeof(*k));
}

/* ------------------------------------------------------- key export */

static void hex(char *out, const uint8_t *p, size_t n) {
  static const char d[] = "0123456789abcdef";

  for (size_t i = 0; i < n; i++) {
    out[2 * i] = d[p[i] >> 4];
    out[2 * i + 1] = d[p[i] & 15];
  }
  out[2 * n] = '\0';
}

/* Names as tshark's IKEv2 decryption table spells them. */
static const char *export_ike_encr(int encr) {
  switch (encr) {
  case VTUN_ENCR_3DES:
    return "3DES [RFC2451]";
  case VTUN_ENCR_AES_CBC_128:
    return "AES-CBC-128 [RFC3602]";
  case VTUN_ENCR_AES_CBC_192:
    return "AES-CBC-192 [RFC3602]";
  case VTUN_ENCR_AES_CBC_256:
    return "AES-CBC-256 [RFC3602]";
  case VTUN_ENCR_AES_GCM_128:
    return "AES-GCM-128 with 16 octet ICV [RFC5282]";
  case VTUN_ENCR_AES_GCM_256:
    return "AES-GCM-256 with 16 octet ICV [RFC5282]";
  default:
    return "NONE [RFC4306]";
  }
}

static const char *export_ike_integ(int integ) {
  switch (integ) {
  case VTUN_INTEG_MD5_96:
    return "HMAC_MD5_96 [RFC2403]";
  case VTUN_INTEG_SHA1_96:
    return "HMAC_SHA1_96 [RFC2404]";
  case VTUN_INTEG_SHA2_256_128:
    return "HMAC_SHA2_256_128 [RFC4868]";
  case VTUN_INTEG_SHA2_384_192:
    return "HMAC_SHA2_384_192 [RFC4868]";
  case VTUN_INTEG_SHA2_512_256:
    return "HMAC_SHA2_512_256 [RFC4868]";
  default:
    return "NONE [RFC4306]";
  }
}

static void export_line(vtun_ctx *ctx, const char *line) {
  if (ctx->settings.key_export && ctx->hooks.key_export != NULL)
    ctx->hooks.key_export(ctx->user_data, line, strlen(line));
}

/* One line of tshark's ikev2_decryption_table: SPIi, SPIr, SK_ei, SK_er
 * as bare hex, the cipher's name quoted, SK_ai, SK_ar, the integrity
 * algorithm's name quoted. */
void vtun__ike_export_ike(struct vtun__ikesa *sa) {
  struct vtun__ike_keys *k = &sa->k;
  char ei[2 * IKE_KEY_MAX + 1], er[sizeof(ei)], ai[sizeof(ei)];
  char ar[sizeof(ei)], line[1024];

  if (!sa->ctx->settings.key_export || sa->ctx->hooks.key_export == NULL)
    return;
  hex(ei, k->sk_ei, k->ekey_len);
  hex(er, k->sk_er, k->ekey_len);
  hex(ai, k->sk_ai, k->akey_len);
  hex(ar, k->sk_ar, k->akey_len);
  snprintf(line, sizeof(line),
           "%016" PRIx64 ",%016" PRIx64 ",%s,%s,\"%s\",%s,%s,\"%s\"", sa->ispi,
           sa->rspi, ei, er, export_ike_encr(k->encr), ai, ar,
           export_ike_integ(k->integ));
  export_line(sa->ctx, line);
  vtun__wipe(ei, sizeof(ei)), vtun__wipe(er, sizeof(er));
  vtun__wipe(ai, sizeof(ai)), vtun__wipe(ar, sizeof(ar));
  vtun__wipe(line, sizeof(line));
}

static const char *export_esp_encr(int encr) {
  switch (encr) {
  case VTUN_ENCR_AES_CBC_128:
  case VTUN_ENCR_AES_CBC_192:
  case VTUN_ENCR_AES_CBC_256:
    return "AES-CBC [RFC3602]";
  case VTUN_ENCR_AES_GCM_128:
  case VTUN_ENCR_AES_GCM_256:
    return "AES-GCM with 16 octet ICV [RFC4106]";
  case VTUN_ENCR_CHACHA20_POLY1305:
    return "ChaCha20 with Poly1305 [RFC7634]";
  case VTUN_ENCR_3DES:
    return "TripleDES-CBC [RFC2451]";
  default:
    return "NULL";
  }
}

static const char *export_esp_integ(int integ) {
  switch (integ) {
  case VTUN_INTEG_SHA1_96:
    return "HMAC-SHA-1-96 [RFC2404]";
  case VTUN_INTEG_SHA2_256_128:
    return "HMAC-SHA-256-128 [RFC4868]";
  case VTUN_INTEG_SHA2_384_192:
    return "HMAC-SHA-384-192 [RFC4868]";
  case VTUN_INTEG_SHA2_512_256:
    return "HMAC-SHA-512-256 [RFC4868]";
  case VTUN_INTEG_MD5_96:
    return "HMAC-MD5-96 [RFC2403]";
  default:
    return "NULL";
  }
}

/* One line of tshark's esp_sa table, every field quoted: protocol,
 * source, destination, SPI, cipher, key (with its salt for AES-GCM),
 * integrity algorithm, key. */
static void export_esp_one(struct vtun__ikesa *sa, const struct vtun__child *c,
                           bool out, const uint8_t *key, size_t klen) {
  const struct vtun__encr_info *e = vtun__encr_info(c->encr);
  const struct vtun__integ_info *ii = vtun__integ_info(c->integ);
  char src[VTUN_ADDRSTRLEN], dst[VTUN_ADDRSTRLEN];
  char ek[2 * 128 + 1], ak[2 * 128 + 1], line[1024];
  size_t elen = e->keylen + e->saltlen;

  vtun__ep_str(out ? &sa->local : &sa->remote, src);
  vtun__ep_str(out ? &sa->remote : &sa->local, dst);
  hex(ek, key, elen);
  hex(ak, key + elen, klen - elen);
  snprintf(line, sizeof(line),
           "\"%s\",\"%s\",\"%s\",\"0x%08" PRIx32 "\",\"%s\",\"0x%s\","
           "\"%s\",\"%s%s\"",
           sa->local.family == VTUN_AF_INET6 ? "IPv6" : "IPv4", src, dst,
           out ? c->spi_out : c->spi_in, export_esp_encr(c->encr), ek,
           export_esp_integ(ii != NULL ? ii->id : 0), ii ? "0x" : "",
           ii ? ak : "");
  export_line(sa->ctx, line);
  vtun__wipe(ek, sizeof(ek)), vtun__wipe(ak, sizeof(ak));
  vtun__wipe(line, sizeof(line));
}

void vtun__ike_export_child(struct vtun__ikesa *sa, const struct vtun__child *c,
                            bool we_init, const uint8_t *ki, const uint8_t *kr,
                            size_t klen) {
  if (!sa->ctx->settings.key_export || sa->ctx->hooks.key_export == NULL)
    return;
  export_esp_one(sa, c, true, we_init ? ki : kr, klen);
  export_esp_one(sa, c, false, we_init ? kr : ki, klen);
}
