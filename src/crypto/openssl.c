/* The OpenSSL 3 backend: the operations table, AEAD (AES-GCM and
 * ChaCha20-Poly1305), AES-CBC, random bytes and hashes. Each cipher
 * context is fetched and keyed once when its object is made; a packet only
 * sets the nonce or IV, so the data path neither fetches nor allocates.
 * An AEAD or CBC object is the keyed EVP_CIPHER_CTX itself, with no
 * wrapper: a packet follows one pointer less, and many SAs take less
 * memory. An AEAD context's app data names its algorithm. */
#include "crypto/ossl.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "util/mem.h"

#define OSSL_BLOCK 16
#define OSSL_TAG_MAX 16

struct ossl_encr {
  int id;           /* enum vtun_encr */
  const char *name; /* OpenSSL algorithm name */
  size_t keylen;
  bool aead;
};

/* LIMITATION: 3DES-CBC (SHOULD NOT in RFC 8221) is not implemented: its
 * 8-byte blocks and IV do not fit cipher_run, which takes a 16-byte IV;
 * cipher_new answers VTUN_ENOTSUP for it. */
static const struct ossl_encr ossl_encrs[] = {
    {VTUN_ENCR_AES_CBC_128, "AES-128-CBC", 16, false},
    {VTUN_ENCR_AES_CBC_192, "AES-192-CBC", 24, false},
    {VTUN_ENCR_AES_CBC_256, "AES-256-CBC", 32, false},
    {VTUN_ENCR_AES_GCM_128, "AES-128-GCM", 16, true},
    {VTUN_ENCR_AES_GCM_256, "AES-256-GCM", 32, true},
    {VTUN_ENCR_CHACHA20_POLY1305, "ChaCha20-Poly1305", 32, true},
};

/* @p arg is vtun_settings.crypto_arg: an OSSL_LIB_CTX * to fetch from (for
 * example one with the FIPS provider loaded), or NULL for the default. */
static int ossl_init(void *arg, void **state) {
  struct vtun__ossl *st = vtun__zalloc(sizeof(*st));

  if (st == NULL)
    return VTUN_ENOMEM;
  st->libctx = arg;
  *state = st;
  return 0;
}

static void ossl_fini(void *state) {
  free(state);
}

static int ossl_random(void *state, uint8_t *buf, size_t len) {
  struct vtun__ossl *st = state;

  if (len == 0)
    return 0;
  return RAND_bytes_ex(st->libctx, buf, len, 0) == 1 ? 0 : VTUN_ECRYPTO;
}

static int ossl_hash(void *state, int alg, const uint8_t *data, size_t len,
                     uint8_t *out, size_t outlen) {
  struct vtun__ossl *st = state;
  const char *name = alg == VTUN_HASH_SHA1       ? "SHA1"
                     : alg == VTUN_HASH_SHA2_256 ? "SHA2-256"
                                                 : NULL;
  uint8_t md[EVP_MAX_MD_SIZE];
  size_t mdlen = 0;

  if (name == NULL)
    return VTUN_ENOTSUP;
  if (EVP_Q_digest(st->libctx, name, NULL, data, len, md, &mdlen) != 1)
    return VTUN_ECRYPTO;
  if (outlen > mdlen)
    return VTUN_EINVAL;
  memcpy(out, md, outlen);
  return 0;
}

static const struct ossl_encr *ossl_encr_find(int encr) {
  for (size_t i = 0; i < sizeof(ossl_encrs) / sizeof(ossl_encrs[0]); i++)
    if (ossl_encrs[i].id == encr)
      return &ossl_encrs[i];
  return NULL;
}

/* Fetches @p e and returns a context holding @p key for direction
 * @p enc; the context keeps its own reference to the algorithm. */
static int ossl_keyed_ctx(struct vtun__ossl *st, const struct ossl_encr *e,
                          const uint8_t *key, int enc, EVP_CIPHER_CTX **out) {
  EVP_CIPHER *c = EVP_CIPHER_fetch(st->libctx, e->name, NULL);
  EVP_CIPHER_CTX *ctx = NULL;

  if (c == NULL)
    return VTUN_ENOTSUP;
  ctx = EVP_CIPHER_CTX_new();
  if (ctx == NULL || EVP_CipherInit_ex2(ctx, c, key, NULL, enc, NULL) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    return VTUN_ECRYPTO;
  }

  EVP_CIPHER_free(c);
  *out = ctx;
  return 0;
}

static int ossl_aead_new(void *state, int encr, const uint8_t *key,
                         size_t keylen, void **out) {
  const struct ossl_encr *e = ossl_encr_find(encr);
  EVP_CIPHER_CTX *ctx = NULL;
  int rc;

  if (e == NULL || !e->aead)
    return VTUN_ENOTSUP;
  if (keylen != e->keylen)
    return VTUN_EINVAL;

  /* Keyed for encryption; each message sets its own direction. */
  rc = ossl_keyed_ctx(state, e, key, 1, &ctx);
  if (rc != 0)
    return rc;
  EVP_CIPHER_CTX_set_app_data(ctx, (void *)e);
  *out = ctx;
  return 0;
}

/* RFC 4106 §8.1 allows 8, 12 and 16-byte ICVs for GCM; RFC 7634 §2 fixes
 * 16 for ChaCha20-Poly1305. */
static bool ossl_taglen_ok(int encr, size_t taglen) {
  if (encr == VTUN_ENCR_CHACHA20_POLY1305)
    return taglen == 16;
  return taglen == 8 || taglen == 12 || taglen == 16;
}

/* Sets the nonce of the next message and feeds its AAD. */
static int ossl_aead_start(EVP_CIPHER_CTX *ctx, const uint8_t *nonce,
                           const uint8_t *aad, size_t aadlen, size_t len,
                           size_t taglen, int enc) {
  const struct ossl_encr *e = EVP_CIPHER_CTX_get_app_data(ctx);
  int n = 0;

  if (!ossl_taglen_ok(e->id, taglen) || len > INT_MAX || aadlen > INT_MAX)
    return VTUN_EINVAL;
  if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, enc) != 1)
    return VTUN_ECRYPTO;
  if (aadlen > 0 && EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1)
    return VTUN_ECRYPTO;
  return 0;
}

static int ossl_aead_seal(void *obj, const uint8_t nonce[12],
                          const uint8_t *aad, size_t aadlen, const uint8_t *in,
                          size_t len, uint8_t *out, uint8_t *tag,
                          size_t taglen) {
  EVP_CIPHER_CTX *ctx = obj;
  uint8_t scratch[OSSL_BLOCK];
  int n = 0;
  int rc = ossl_aead_start(ctx, nonce, aad, aadlen, len, taglen, 1);

  if (rc != 0)
    return rc;
  if (len > 0 && EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1)
    return VTUN_ECRYPTO;

  /* A stream mode has nothing left to write; the scratch block only
   * keeps a NULL @p out (len 0) away from pointer arithmetic. */
  if (EVP_CipherFinal_ex(ctx, scratch, &n) != 1 || n != 0)
    return VTUN_ECRYPTO;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)taglen, tag) != 1)
    return VTUN_ECRYPTO;
  return 0;
}

static int ossl_aead_open(void *obj, const uint8_t nonce[12],
                          const uint8_t *aad, size_t aadlen, const uint8_t *in,
                          size_t len, uint8_t *out, const uint8_t *tag,
                          size_t taglen) {
  EVP_CIPHER_CTX *ctx = obj;
  uint8_t scratch[OSSL_BLOCK], want[OSSL_TAG_MAX];
  int n = 0;
  int rc = ossl_aead_start(ctx, nonce, aad, aadlen, len, taglen, 0);

  if (rc != 0)
    return rc;
  memcpy(want, tag, taglen);
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)taglen, want) != 1)
    return VTUN_ECRYPTO;
  if (len > 0 && EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1)
    return VTUN_ECRYPTO;

  /* OpenSSL writes the plaintext before it checks the tag: wipe it so
   * that no unauthenticated byte leaves this function. */
  if (EVP_CipherFinal_ex(ctx, scratch, &n) != 1) {
    vtun__wipe(out, len);
    return VTUN_EINTEGRITY;
  }
  return 0;
}

static void ossl_aead_free(void *obj) {
  EVP_CIPHER_CTX_free(obj); /* the provider wipes the key schedule */
}

static int ossl_cipher_new(void *state, int encr, int encrypt,
                           const uint8_t *key, size_t keylen, void **out) {
  const struct ossl_encr *e = ossl_encr_find(encr);
  EVP_CIPHER_CTX *ctx = NULL;
  int rc;

  if (e == NULL || e->aead)
    return VTUN_ENOTSUP;
  if (keylen != e->keylen)
    return VTUN_EINVAL;

  /* Keyed for one direction, without padding. */
  rc = ossl_keyed_ctx(state, e, key, encrypt ? 1 : 0, &ctx);
  if (rc == 0 && EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
    rc = VTUN_ECRYPTO;
  if (rc != 0) {
    EVP_CIPHER_CTX_free(ctx);
    return rc;
  }
  *out = ctx;
  return 0;
}

static int ossl_cipher_run(void *obj, const uint8_t iv[16], const uint8_t *in,
                           uint8_t *out, size_t len) {
  EVP_CIPHER_CTX *ctx = obj;
  int n = 0;

  if (len % OSSL_BLOCK != 0 || len > INT_MAX)
    return VTUN_EINVAL;
  if (len == 0)
    return 0;

  /* Direction -1 keeps the one the object was made for. Without padding
   * every whole block comes out of the update call: no final needed. */
  if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, -1) != 1)
    return VTUN_ECRYPTO;
  if (EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1 || n != (int)len)
    return VTUN_ECRYPTO;
  return 0;
}

static void ossl_cipher_free(void *obj) {
  EVP_CIPHER_CTX_free(obj);
}

static const vtun_crypto_ops ossl_ops = {
    .version = VTUN_CRYPTO_OPS_VERSION,
    .name = "openssl",
    .init = ossl_init,
    .fini = ossl_fini,
    .random = ossl_random,
    .aead_new = ossl_aead_new,
    .aead_seal = ossl_aead_seal,
    .aead_open = ossl_aead_open,
    .aead_free = ossl_aead_free,
    .cipher_new = ossl_cipher_new,
    .cipher_run = ossl_cipher_run,
    .cipher_free = ossl_cipher_free,
    .mac_new = vtun__ossl_mac_new,
    .mac_run = vtun__ossl_mac_run,
    .mac_free = vtun__ossl_mac_free,
    .hash = ossl_hash,
    .dh_new = vtun__ossl_dh_new,
    .dh_derive = vtun__ossl_dh_derive,
    .dh_free = vtun__ossl_dh_free,
};

const vtun_crypto_ops *vtun_crypto_openssl(void) {
  return &ossl_ops;
}
