/* The OpenSSL 3 backend: the operations table, AEAD (AES-GCM and
 * ChaCha20-Poly1305), AES-CBC, random bytes and hashes. Algorithms are
 * fetched and CBC contexts keyed once when their object is made; a packet
 * only sets the nonce or IV, so the data path neither fetches nor
 * allocates.
 *
 * AEAD objects hold their key, not an OpenSSL context. A keyed AES-GCM
 * context is about 1.2 KB in two allocations that OpenSSL places where it
 * likes (the EVP_CIPHER_CTX and the provider's key schedule and GHASH
 * table behind it): with thousands of SAs, the first packet of a burst
 * waited for two dependent cache misses and some twenty lines per
 * context. Instead the state keeps a few keyed contexts per algorithm
 * (slots). An object remembers the slot its key went into; while no other
 * key has taken that slot a packet only sets the nonce, otherwise its key
 * goes into the next slot in turn, which costs a key expansion (about
 * 160 ns for AES-256-GCM) instead of those misses. A thread takes a slot
 * with an atomic flag for the length of one message, so objects used
 * from different threads never share a context at the same time. Freeing
 * an object overwrites the key in every slot that holds it. */
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
  int group; /* AEAD: its slots in struct vtun__ossl */
};

/* An AEAD object: the algorithm and the key, and the slot the key was
 * last put in (a hint: another key may have taken it since). One cache
 * line, aligned: a packet of an SA whose object is not in the caches
 * waits for one miss here. */
struct ossl_aead {
  uint8_t key[32];
  EVP_CIPHER *cipher;
  struct vtun__ossl_group *group; /* the contexts of its algorithm */
  atomic_uint hint;
  int encr;
};

#define OSSL_AEAD_ALIGN 64
_Static_assert(sizeof(struct ossl_aead) <= OSSL_AEAD_ALIGN,
               "an AEAD object fits one cache line");

/* LIMITATION: 3DES-CBC (SHOULD NOT in RFC 8221) is not implemented: its
 * 8-byte blocks and IV do not fit cipher_run, which takes a 16-byte IV;
 * cipher_new answers VTUN_ENOTSUP for it. */
static const struct ossl_encr ossl_encrs[] = {
    {VTUN_ENCR_AES_CBC_128, "AES-128-CBC", 16, false, -1},
    {VTUN_ENCR_AES_CBC_192, "AES-192-CBC", 24, false, -1},
    {VTUN_ENCR_AES_CBC_256, "AES-256-CBC", 32, false, -1},
    {VTUN_ENCR_AES_GCM_128, "AES-128-GCM", 16, true, 0},
    {VTUN_ENCR_AES_GCM_256, "AES-256-GCM", 32, true, 1},
    {VTUN_ENCR_CHACHA20_POLY1305, "ChaCha20-Poly1305", 32, true, 2},
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

/* Every AEAD object is freed before the state. */
static void ossl_fini(void *state) {
  struct vtun__ossl *st = state;

  for (int g = 0; g < VTUN__OSSL_AEADS; g++)
    for (int i = 0; i < VTUN__OSSL_SLOTS; i++)
      EVP_CIPHER_CTX_free(st->aead[g].slot[i].ctx); /* wipes the schedule */
  free(st);
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
  struct vtun__ossl *st = state;
  const struct ossl_encr *e = ossl_encr_find(encr);
  struct ossl_aead *a;

  if (e == NULL || !e->aead)
    return VTUN_ENOTSUP;
  if (keylen != e->keylen || keylen > sizeof(a->key))
    return VTUN_EINVAL;
  if ((a = vtun__zalloc_aligned(OSSL_AEAD_ALIGN, sizeof(*a))) == NULL)
    return VTUN_ENOMEM;
  a->cipher = EVP_CIPHER_fetch(st->libctx, e->name, NULL);
  if (a->cipher == NULL) {
    free(a);
    return VTUN_ENOTSUP;
  }
  a->group = &st->aead[e->group];
  a->encr = e->id;
  atomic_init(&a->hint, 0);
  memcpy(a->key, key, keylen);
  *out = a;
  return 0;
}

static bool ossl_slot_try(struct vtun__ossl_slot *s) {
  return !atomic_exchange_explicit(&s->busy, true, memory_order_acquire);
}

static void ossl_slot_put(struct vtun__ossl_slot *s) {
  atomic_store_explicit(&s->busy, false, memory_order_release);
}

/* Takes a slot holding @p a's key, set up for one message with @p nonce
 * in direction @p enc; the caller puts it back. NULL if OpenSSL fails
 * (the slot is put back then). */
static struct vtun__ossl_slot *ossl_slot_get(struct ossl_aead *a,
                                             const uint8_t *nonce, int enc) {
  struct vtun__ossl_slot *group = a->group->slot;
  unsigned i = atomic_load_explicit(&a->hint, memory_order_relaxed);
  struct vtun__ossl_slot *s = &group[i % VTUN__OSSL_SLOTS];
  int ok;

  if (ossl_slot_try(s)) {
    if (s->owner == a) {
      if (EVP_CipherInit_ex(s->ctx, NULL, NULL, NULL, nonce, enc) == 1)
        return s;
      ossl_slot_put(s);
      return NULL;
    }
    ossl_slot_put(s);
  }

  /* The key is not in a slot: it goes into the next one in turn that no
   * other thread holds. */
  for (;;) {
    i = atomic_fetch_add_explicit(&a->group->next, 1, memory_order_relaxed) %
        VTUN__OSSL_SLOTS;
    s = &group[i];
    if (ossl_slot_try(s))
      break;
  }
  if (s->ctx == NULL) {
    s->ctx = EVP_CIPHER_CTX_new();
    ok = s->ctx != NULL &&
         EVP_CipherInit_ex2(s->ctx, a->cipher, a->key, nonce, enc, NULL);
  } else {
    ok = EVP_CipherInit_ex(s->ctx, NULL, NULL, a->key, nonce, enc);
  }
  if (ok != 1) {
    /* The context may still hold the previous key, which no object would
     * wipe any more: it goes (freeing wipes the key schedule). */
    EVP_CIPHER_CTX_free(s->ctx);
    s->ctx = NULL;
    s->owner = NULL;
    ossl_slot_put(s);
    return NULL;
  }
  s->owner = a;
  atomic_store_explicit(&a->hint, i, memory_order_relaxed);
  return s;
}

/* RFC 4106 §8.1 allows 8, 12 and 16-byte ICVs for GCM; RFC 7634 §2 fixes
 * 16 for ChaCha20-Poly1305. */
static bool ossl_taglen_ok(int encr, size_t taglen) {
  if (encr == VTUN_ENCR_CHACHA20_POLY1305)
    return taglen == 16;
  return taglen == 8 || taglen == 12 || taglen == 16;
}

static bool ossl_aead_args_ok(const struct ossl_aead *a, size_t aadlen,
                              size_t len, size_t taglen) {
  return ossl_taglen_ok(a->encr, taglen) && len <= INT_MAX && aadlen <= INT_MAX;
}

/* LIMITATION: OpenSSL 3.0 looks up parameters by name (strcmp) when a
 * nonce is set and a tag is read or set, about a fifth of a 64-byte
 * packet's cost, and the public interface has no cheaper way; the
 * shared contexts add an atomic exchange per message. bench/run esp
 * measures 0.76-0.80 of a raw EVP loop at 64 bytes and 0.87-0.89 at
 * 1400 bytes for AES-GCM on a 2-core VM (goals 0.80 and 0.90). */
static int ossl_aead_seal(void *obj, const uint8_t nonce[12],
                          const uint8_t *aad, size_t aadlen, const uint8_t *in,
                          size_t len, uint8_t *out, uint8_t *tag,
                          size_t taglen) {
  struct ossl_aead *a = obj;
  struct vtun__ossl_slot *s;
  uint8_t scratch[OSSL_BLOCK];
  int n = 0, rc = VTUN_ECRYPTO;

  if (!ossl_aead_args_ok(a, aadlen, len, taglen))
    return VTUN_EINVAL;
  if ((s = ossl_slot_get(a, nonce, 1)) == NULL)
    return VTUN_ECRYPTO;

  /* A stream mode has nothing left for the final call to write; the
   * scratch block only keeps a NULL @p out (len 0) away from pointer
   * arithmetic. */
  if ((aadlen == 0 ||
       EVP_CipherUpdate(s->ctx, NULL, &n, aad, (int)aadlen) == 1) &&
      (len == 0 || EVP_CipherUpdate(s->ctx, out, &n, in, (int)len) == 1) &&
      EVP_CipherFinal_ex(s->ctx, scratch, &n) == 1 && n == 0 &&
      EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_AEAD_GET_TAG, (int)taglen, tag) == 1)
    rc = 0;
  ossl_slot_put(s);
  return rc;
}

static int ossl_aead_open(void *obj, const uint8_t nonce[12],
                          const uint8_t *aad, size_t aadlen, const uint8_t *in,
                          size_t len, uint8_t *out, const uint8_t *tag,
                          size_t taglen) {
  struct ossl_aead *a = obj;
  struct vtun__ossl_slot *s;
  uint8_t scratch[OSSL_BLOCK], want[OSSL_TAG_MAX];
  int n = 0, rc = VTUN_ECRYPTO;

  if (!ossl_aead_args_ok(a, aadlen, len, taglen))
    return VTUN_EINVAL;
  if ((s = ossl_slot_get(a, nonce, 0)) == NULL)
    return VTUN_ECRYPTO;
  memcpy(want, tag, taglen);
  if ((aadlen == 0 ||
       EVP_CipherUpdate(s->ctx, NULL, &n, aad, (int)aadlen) == 1) &&
      EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_AEAD_SET_TAG, (int)taglen, want) ==
          1 &&
      (len == 0 || EVP_CipherUpdate(s->ctx, out, &n, in, (int)len) == 1)) {
    /* OpenSSL writes the plaintext before it checks the tag: wipe it so
     * that no unauthenticated byte leaves this function. */
    rc = 0;
    if (EVP_CipherFinal_ex(s->ctx, scratch, &n) != 1) {
      vtun__wipe(out, len);
      rc = VTUN_EINTEGRITY;
    }
  }
  ossl_slot_put(s);
  return rc;
}

/* Overwrites @p a's key wherever a slot holds it, with a zero key of the
 * same algorithm (the context stays for the next key), then frees @p a.
 * No thread uses @p a any more; another may hold a slot for a moment. */
static void ossl_aead_free(void *obj) {
  static const uint8_t zero[32];
  struct ossl_aead *a = obj;
  struct vtun__ossl_slot *group;

  if (a == NULL)
    return;
  group = a->group->slot;
  for (int i = 0; i < VTUN__OSSL_SLOTS; i++) {
    struct vtun__ossl_slot *s = &group[i];

    while (!ossl_slot_try(s))
      ;
    if (s->owner == a) {
      if (EVP_CipherInit_ex(s->ctx, NULL, NULL, zero, NULL, 1) != 1) {
        EVP_CIPHER_CTX_free(s->ctx); /* wipes the key schedule */
        s->ctx = NULL;
      }
      s->owner = NULL;
    }
    ossl_slot_put(s);
  }
  EVP_CIPHER_free(a->cipher);
  vtun__free_secret(a, sizeof(*a));
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
