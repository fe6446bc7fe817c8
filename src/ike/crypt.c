/* The encrypted payload: building SK and SKF messages (RFC 7296 §3.14,
 * RFC 5282, RFC 7383 §2.5) and opening them, with the reassembly of
 * fragments. Each fragment is authenticated on its own before it is
 * kept (RFC 7383 §2.6).
 *
 * The crypto objects are made from the SA's keys for each message and
 * freed after it: an IKE SA exchanges a message every few seconds at
 * most once established, and keeping a cipher context per direction and
 * SA would cost a headquarters more memory than the rest of its SAs. */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "ike/payload.h"
#include "ike/sa.h"
#include "util/alg.h"
#include "util/mem.h"

static struct vtun__ike_sk_params crypt_params(const struct vtun__ikesa *sa) {
  const struct vtun__encr_info *e = vtun__encr_info(sa->k.encr);

  if (e->aead)
    return (struct vtun__ike_sk_params){8, 1, e->icvlen};
  return (struct vtun__ike_sk_params){e->blocklen, e->blocklen,
                                      vtun__integ_info(sa->k.integ)->icvlen};
}

/* The objects of one direction, made for one message. */
struct crypt_objs {
  void *aead;
  void *cipher, *mac; /* CBC */
  uint8_t salt[4];
};

/* Makes the objects protecting what we send (@p out) or what the peer
 * sends, from SK_e and SK_a of that direction's sender. */
static int crypt_objs_new(struct vtun__ikesa *sa, bool out,
                          struct crypt_objs *o) {
  const vtun_crypto_ops *ops = sa->ctx->crypto;
  void *st = sa->ctx->crypto_state;
  const struct vtun__ike_keys *k = &sa->k;
  const struct vtun__encr_info *e = vtun__encr_info(k->encr);
  bool by_initiator = out == sa->initiator;
  const uint8_t *ek = by_initiator ? k->sk_ei : k->sk_er;
  const uint8_t *ak = by_initiator ? k->sk_ai : k->sk_ar;
  int rc;

  memset(o, 0, sizeof(*o));
  if (e->aead) {
    memcpy(o->salt, ek + e->keylen, 4);
    return ops->aead_new(st, k->encr, ek, e->keylen, &o->aead);
  }
  if ((rc = ops->cipher_new(st, k->encr, out, ek, e->keylen, &o->cipher)) != 0)
    return rc;
  return ops->mac_new(st, k->integ, 0, ak, k->akey_len, &o->mac);
}

static void crypt_objs_free(struct vtun__ikesa *sa, struct crypt_objs *o) {
  const vtun_crypto_ops *ops = sa->ctx->crypto;

  ops->aead_free(o->aead);
  ops->cipher_free(o->cipher);
  ops->mac_free(o->mac);
  vtun__wipe(o, sizeof(*o));
}

/* Encrypts one finished datagram in place and writes its ICV. */
static int crypt_seal(struct vtun__ikesa *sa, uint8_t *msg, size_t len,
                      const struct vtun__ike_sk_layout *l,
                      const struct vtun__ike_sk_params *p) {
  const vtun_crypto_ops *ops = sa->ctx->crypto;
  struct crypt_objs o = {0};
  int rc;

  if ((rc = vtun__random(sa->ctx, l->iv, p->iv_len)) != 0 ||
      (rc = crypt_objs_new(sa, true, &o)) != 0)
    goto out;
  if (o.aead != NULL) {
    uint8_t nonce[12];

    memcpy(nonce, o.salt, 4);
    memcpy(nonce + 4, l->iv, 8);
    rc = ops->aead_seal(o.aead, nonce, msg, l->aad_len, l->plain, l->plain_len,
                        l->plain, l->icv, p->icv_len);
    goto out;
  }
  rc = ops->cipher_run(o.cipher, l->iv, l->plain, l->plain, l->plain_len);
  if (rc == 0)
    rc = vtun__mac1(ops, o.mac, msg, len - p->icv_len, l->icv, p->icv_len);
out:
  crypt_objs_free(sa, &o);
  return rc;
}

/* Builds datagram @p num of @p total (0: an unfragmented SK message). */
static int crypt_one(struct vtun__ikesa *sa, const struct vtun__ike_hdr *h,
                     uint8_t first, uint16_t num, uint16_t total,
                     const uint8_t *inner, size_t len, uint8_t *out, size_t cap,
                     size_t *outlen) {
  struct vtun__ike_sk_params p = crypt_params(sa);
  struct vtun__ike_sk_layout l;
  struct vtun__ike_writer w;
  vtun_ssize n;
  int rc;

  vtun__ike_writer_init(&w, out, cap);
  (void)vtun__ike_writer_hdr(&w, h);
  if (total == 0)
    rc = vtun__ike_put_sk(&w, first, inner, len, &p, &l);
  else
    rc = vtun__ike_put_skf(&w, num == 1 ? first : 0, num, total, inner, len, &p,
                           &l);
  if (rc != 0)
    return rc;
  if ((n = vtun__ike_writer_finish(&w)) < 0)
    return (int)n;
  *outlen = (size_t)n;
  return crypt_seal(sa, out, (size_t)n, &l, &p);
}

/* Per-datagram overhead: header, SK(F) header, IV, padding, ICV. */
static size_t crypt_overhead(const struct vtun__ikesa *sa, bool frag) {
  struct vtun__ike_sk_params p = crypt_params(sa);

  return VTUN__IKE_HDR_LEN + 4 + (frag ? 4 : 0) + p.iv_len + p.block + 1 +
         p.icv_len;
}

static int crypt_fill(struct vtun__ikesa *sa, const struct vtun__ike_hdr *h,
                      const struct vtun__ike_writer *in,
                      struct vtun__ike_flight *f, size_t chunk,
                      unsigned total) {
  size_t cap = (chunk + crypt_overhead(sa, true)) * (total ? total : 1);
  uint8_t first = vtun__ike_writer_first(in);
  size_t off = 0;

  if ((f->buf = malloc(cap)) == NULL)
    return VTUN_ENOMEM;
  for (unsigned i = 0; i < (total ? total : 1); i++) {
    size_t part = in->len - i * chunk < chunk ? in->len - i * chunk : chunk;
    size_t n = 0;
    int rc = crypt_one(sa, h, first, (uint16_t)(i + 1), (uint16_t)total,
                       in->buf + i * chunk, total ? part : in->len,
                       f->buf + off, cap - off, &n);

    if (rc != 0)
      return rc;
    f->lens[i] = (uint16_t)n;
    off += n;
  }
  f->n = total ? total : 1;
  f->len = off;
  return 0;
}

int vtun__ike_send_sk(struct vtun__ikesa *sa, uint8_t exchange, bool response,
                      uint32_t msgid, struct vtun__ike_writer *inner) {
  struct vtun__ike_flight *f = response ? &sa->resp : &sa->req;
  size_t fsz = vtun__ike_eng(sa->ctx)->frag_size;
  struct vtun__ike_hdr h = {
      .ispi = sa->ispi,
      .rspi = sa->rspi,
      .exchange = exchange,
      .msgid = msgid,
      .flags = (uint8_t)((sa->initiator ? VTUN__IKE_FLAG_INITIATOR : 0) |
                         (response ? VTUN__IKE_FLAG_RESPONSE : 0))};
  size_t chunk = inner->len + 1;
  unsigned total = 0;
  int rc;

  if (inner->err != 0)
    return inner->err;
  vtun__ike_flight_clear(f);

  /* RFC 7383 §2.5: fragment only when both ends said they can. */
  if (sa->frag_ok && inner->len + crypt_overhead(sa, false) > fsz &&
      fsz > crypt_overhead(sa, true) + 16) {
    chunk = fsz - crypt_overhead(sa, true);
    total = (unsigned)((inner->len + chunk - 1) / chunk);
    if (total > IKE_MAX_FRAGS)
      return VTUN_ETOOBIG;
  }
  if ((rc = crypt_fill(sa, &h, inner, f, chunk, total)) != 0) {
    vtun__ike_flight_clear(f);
    return rc;
  }
  if (response) {
    sa->resp_msgid = msgid;
    sa->resp_valid = true;
  }
  return vtun__ike_send_flight(sa, f);
}

/* ------------------------------------------------------------ open */

/* Verifies and decrypts @p sk into @p out; sets *outlen to the inner
 * chain's length (padding removed). */
static int crypt_open(struct vtun__ikesa *sa, const struct vtun__ike_msg *m,
                      uint8_t *out, size_t cap, size_t *outlen) {
  struct vtun__ike_sk_params p = crypt_params(sa);
  const vtun_crypto_ops *ops = sa->ctx->crypto;
  const uint8_t *d = m->sk.data;
  struct crypt_objs o;
  size_t clen;
  int rc;

  if (sa->k.prf == 0 || m->sk.len < p.iv_len + p.icv_len + 1)
    return VTUN_EMALFORMED;
  clen = m->sk.len - p.iv_len - p.icv_len;
  if (clen > cap || (p.block > 1 && clen % p.block != 0))
    return VTUN_EMALFORMED;
  rc = crypt_objs_new(sa, false, &o);
  if (rc == 0 && o.aead != NULL) {
    uint8_t nonce[12];

    memcpy(nonce, o.salt, 4);
    memcpy(nonce + 4, d, 8);
    rc = ops->aead_open(o.aead, nonce, m->raw, m->sk.aad_len, d + p.iv_len,
                        clen, out, d + p.iv_len + clen, p.icv_len);
  } else if (rc == 0) {
    uint8_t icv[VTUN_MAC_MAX_BYTES];

    rc = vtun__mac1(ops, o.mac, m->raw, m->raw_len - p.icv_len, icv, p.icv_len);
    if (rc == 0 && vtun__memeq_ct(icv, d + p.iv_len + clen, p.icv_len) != 0)
      rc = VTUN_EINTEGRITY;
    if (rc == 0)
      rc = ops->cipher_run(o.cipher, d, d + p.iv_len, out, clen);
  }
  crypt_objs_free(sa, &o);
  if (rc != 0)
    return rc == VTUN_EINTEGRITY ? rc : VTUN_EINTEGRITY;
  return vtun__ike_sk_unpad(out, clen, outlen);
}

/* Empties @p r for message @p msgid of @p total fragments. */
static void reasm_reset(struct vtun__ike_reasm *r, uint32_t msgid,
                        bool response, uint16_t total) {
  for (unsigned i = 0; i < IKE_MAX_FRAGS; i++) {
    free(r->parts[i]);
    r->parts[i] = NULL;
    r->lens[i] = 0;
  }
  r->msgid = msgid;
  r->response = response;
  r->total = total;
  r->have = 0;
  r->first = 0;
}

/* Keeps one authenticated fragment; 1 while more are needed, 0 when the
 * message is whole in @p out. */
static int reasm_add(struct vtun__ikesa *sa, const struct vtun__ike_msg *m,
                     const uint8_t *plain, size_t len, uint8_t *out,
                     size_t *outlen) {
  struct vtun__ike_reasm *r = sa->reasm;
  bool resp = (m->hdr.flags & VTUN__IKE_FLAG_RESPONSE) != 0;
  unsigned i = m->sk.frag_num - 1;
  size_t off = 0;

  if (r == NULL && (r = sa->reasm = vtun__zalloc(sizeof(*r))) == NULL)
    return VTUN_ENOMEM;
  if (r->total == 0 || r->msgid != m->hdr.msgid || r->response != resp ||
      r->total != m->sk.frag_total)
    reasm_reset(r, m->hdr.msgid, resp, m->sk.frag_total);
  if (r->parts[i] != NULL)
    return 1; /* a duplicate fragment */
  if ((r->parts[i] = malloc(len ? len : 1)) == NULL)
    return VTUN_ENOMEM;
  memcpy(r->parts[i], plain, len);
  r->lens[i] = (uint16_t)len;
  if (i == 0)
    r->first = m->sk.first;
  if (++r->have < r->total)
    return 1;
  for (i = 0; i < r->total; i++) {
    if (off + r->lens[i] > IKE_MSG_MAX)
      return VTUN_EMALFORMED;
    memcpy(out + off, r->parts[i], r->lens[i]);
    off += r->lens[i];
  }
  *outlen = off;
  return 0;
}

int vtun__ike_open_sk(struct vtun__ikesa *sa, const struct vtun__ike_msg *m,
                      struct vtun__ike_chain *chain) {
  struct vtun__ike_engine *eng = vtun__ike_eng(sa->ctx);
  uint8_t first = m->sk.first;
  size_t len = 0;
  int rc;

  if (m->sk.type == 0)
    return VTUN_EMALFORMED;
  if (m->sk.type == VTUN__IKE_PL_SKF &&
      (m->sk.frag_total > IKE_MAX_FRAGS || m->sk.frag_num == 0 ||
       m->sk.frag_num > m->sk.frag_total))
    return VTUN_EMALFORMED;
  if ((rc = crypt_open(sa, m, eng->plain, sizeof(eng->plain), &len)) != 0)
    return rc;
  if (m->sk.type == VTUN__IKE_PL_SKF) {
    rc = reasm_add(sa, m, eng->plain, len, eng->plain, &len);
    if (rc != 0)
      return rc;
    first = sa->reasm->first;
    vtun__ike_sa_reasm_free(sa);
  }
  /* Authentic but malformed inside: the caller may answer it. */
  return vtun__ike_chain_parse(first, eng->plain, len, chain) == 0 ? 0 : 2;
}
