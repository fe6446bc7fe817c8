/* The test-only null backend (see null.h). Everything rests on one keyed
 * 64-bit checksum expanded into as many bytes as needed: AEAD copies the
 * data and appends a keyed checksum of nonce, AAD and data as the tag;
 * CBC XORs with key and IV bytes; HMAC, PRF and hashes are the checksum;
 * DH publishes random bytes and adds the two public values together, which
 * both ends compute alike. */
#include "crypto/null.h"

#include <stdlib.h>
#include <string.h>

#include "util/alg.h"
#include "util/mem.h"

#define NULL_KEY_MAX VTUN_DH_MAX_BYTES /* also PRF keys: Ni | Nr */

struct null_state {
  uint64_t rng;
};

struct null_key {
  size_t keylen, outlen; /* outlen: tag, MAC or DH value bytes */
  int encrypt;
  uint8_t key[NULL_KEY_MAX];
};

static uint64_t null_mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15u;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
  return x ^ (x >> 31);
}

/* FNV-1a over @p len bytes, continuing from @p h. */
static uint64_t null_absorb(uint64_t h, const uint8_t *p, size_t len) {
  for (size_t i = 0; i < len; i++)
    h = (h ^ p[i]) * 0x100000001b3u;
  return h;
}

/* Absorbs one field and its length, so fields cannot trade bytes. */
static uint64_t null_field(uint64_t h, const uint8_t *p, size_t len) {
  return null_mix(null_absorb(h, p, len) ^ len);
}

/* Expands checksum @p h into @p len bytes. */
static void null_expand(uint64_t h, uint8_t *out, size_t len) {
  for (size_t i = 0; i < len; i++)
    out[i] = (uint8_t)(null_mix(h + i / 8) >> (8 * (i % 8)));
}

static int null_init(void *arg, void **state) {
  struct null_state *st = vtun__zalloc(sizeof(*st));

  if (st == NULL)
    return VTUN_ENOMEM;
  st->rng = arg != NULL ? *(const uint64_t *)arg : 0x766e756cu;
  *state = st;
  return 0;
}

static void null_fini(void *state) {
  free(state);
}

static int null_random(void *state, uint8_t *buf, size_t len) {
  struct null_state *st = state;

  for (size_t i = 0; i < len; i++) {
    if (i % 8 == 0)
      st->rng = null_mix(st->rng);
    buf[i] = (uint8_t)(st->rng >> (8 * (i % 8)));
  }
  return 0;
}

static int null_key_new(const uint8_t *key, size_t keylen, size_t outlen,
                        int encrypt, void **out) {
  struct null_key *k;

  if (keylen > NULL_KEY_MAX)
    return VTUN_EINVAL;
  k = vtun__zalloc(sizeof(*k));
  if (k == NULL)
    return VTUN_ENOMEM;
  if (keylen > 0)
    memcpy(k->key, key, keylen);
  k->keylen = keylen;
  k->outlen = outlen;
  k->encrypt = encrypt;
  *out = k;
  return 0;
}

static void null_key_free(void *obj) {
  vtun__free_secret(obj, sizeof(struct null_key));
}

static int null_aead_new(void *state, int encr, const uint8_t *key,
                         size_t keylen, void **out) {
  const struct vtun__encr_info *ei = vtun__encr_info(encr);

  if (ei == NULL || !ei->aead)
    return VTUN_ENOTSUP;
  if (keylen != ei->keylen)
    return VTUN_EINVAL;
  return null_key_new(key, keylen, 16, 1, out);
}

static void null_aead_tag(const struct null_key *k, const uint8_t *nonce,
                          const uint8_t *aad, size_t aadlen, const uint8_t *ct,
                          size_t len, uint8_t tag[16]) {
  uint64_t h = null_field(0xcbf29ce484222325u, k->key, k->keylen);

  h = null_field(h, nonce, 12);
  h = null_field(h, aad, aadlen);
  h = null_field(h, ct, len);
  null_expand(h, tag, 16);
}

static int null_aead_seal(void *obj, const uint8_t nonce[12],
                          const uint8_t *aad, size_t aadlen, const uint8_t *in,
                          size_t len, uint8_t *out, uint8_t *tag,
                          size_t taglen) {
  uint8_t full[16];

  if (taglen == 0 || taglen > sizeof(full))
    return VTUN_EINVAL;
  if (len > 0 && in != out)
    memmove(out, in, len);
  null_aead_tag(obj, nonce, aad, aadlen, out, len, full);
  memcpy(tag, full, taglen);
  return 0;
}

static int null_aead_open(void *obj, const uint8_t nonce[12],
                          const uint8_t *aad, size_t aadlen, const uint8_t *in,
                          size_t len, uint8_t *out, const uint8_t *tag,
                          size_t taglen) {
  uint8_t full[16];

  if (taglen == 0 || taglen > sizeof(full))
    return VTUN_EINVAL;
  null_aead_tag(obj, nonce, aad, aadlen, in, len, full);
  if (vtun__memeq_ct(full, tag, taglen) != 0)
    return VTUN_EINTEGRITY;
  if (len > 0 && in != out)
    memmove(out, in, len);
  return 0;
}

static int null_cipher_new(void *state, int encr, int encrypt,
                           const uint8_t *key, size_t keylen, void **out) {
  const struct vtun__encr_info *ei = vtun__encr_info(encr);

  if (ei == NULL || ei->aead || ei->blocklen != 16)
    return VTUN_ENOTSUP;
  if (keylen != ei->keylen)
    return VTUN_EINVAL;
  return null_key_new(key, keylen, 0, encrypt, out);
}

/* XOR with key and IV bytes: its own inverse, and a wrong key or IV on
 * the receiving side still garbles the data as a real cipher would. */
static int null_cipher_run(void *obj, const uint8_t iv[16], const uint8_t *in,
                           uint8_t *out, size_t len) {
  const struct null_key *k = obj;

  if (len % 16 != 0)
    return VTUN_EINVAL;
  for (size_t i = 0; i < len; i++)
    out[i] = (uint8_t)(in[i] ^ k->key[i % k->keylen] ^ iv[i % 16]);
  return 0;
}

static int null_mac_new(void *state, int alg, int is_prf, const uint8_t *key,
                        size_t keylen, void **out) {
  const struct vtun__prf_info *pi = is_prf ? vtun__prf_info(alg) : NULL;
  const struct vtun__integ_info *ii = is_prf ? NULL : vtun__integ_info(alg);

  if (pi == NULL && ii == NULL)
    return VTUN_ENOTSUP;
  return null_key_new(key, keylen, pi != NULL ? pi->outlen : ii->keylen, 0,
                      out);
}

static int null_mac_run(void *obj, const uint8_t *const *data,
                        const size_t *lens, size_t n, uint8_t *out,
                        size_t outlen) {
  const struct null_key *k = obj;
  uint64_t h = null_field(0x84222325cbf29ce4u, k->key, k->keylen);
  size_t total = 0;

  if (outlen > k->outlen)
    return VTUN_EINVAL;

  /* Over the concatenation: how it is split does not matter. */
  for (size_t i = 0; i < n; i++) {
    h = null_absorb(h, data[i], lens[i]);
    total += lens[i];
  }
  null_expand(null_mix(h ^ total), out, outlen);
  return 0;
}

static int null_hash(void *state, int alg, const uint8_t *data, size_t len,
                     uint8_t *out, size_t outlen) {
  size_t mdlen = 0;

  if (alg == VTUN_HASH_SHA1)
    mdlen = 20;
  else if (alg == VTUN_HASH_SHA2_256)
    mdlen = 32;

  if (mdlen == 0)
    return VTUN_ENOTSUP;
  if (outlen > mdlen)
    return VTUN_EINVAL;
  null_expand(null_field((uint64_t)alg, data, len), out, outlen);
  return 0;
}

static int null_dh_new(void *state, int group, void **out, uint8_t *pub,
                       size_t *publen) {
  const struct vtun__dh_info *di = vtun__dh_info(group);
  struct null_key *k;
  int rc;

  if (di == NULL || di->publen > NULL_KEY_MAX)
    return VTUN_ENOTSUP;
  rc = null_key_new(NULL, 0, di->publen, 0, out);
  if (rc != 0)
    return rc;
  k = *out;
  null_random(state, k->key, di->publen);
  memcpy(pub, k->key, di->publen);
  *publen = di->publen;
  return 0;
}

/* The byte-wise sum of both public values: the same at both ends. An
 * all-zero or wrong-length peer value is refused like an invalid one. */
static int null_dh_derive(void *obj, const uint8_t *peer, size_t peerlen,
                          uint8_t *secret, size_t *secretlen) {
  const struct null_key *k = obj;
  uint8_t any = 0;

  if (peerlen != k->outlen)
    return VTUN_EINVAL;
  for (size_t i = 0; i < peerlen; i++)
    any |= peer[i];
  if (any == 0)
    return VTUN_EINVAL;
  for (size_t i = 0; i < peerlen; i++)
    secret[i] = (uint8_t)(k->key[i] + peer[i]);
  *secretlen = peerlen;
  return 0;
}

static const vtun_crypto_ops null_ops = {
    .version = VTUN_CRYPTO_OPS_VERSION,
    .name = "null",
    .init = null_init,
    .fini = null_fini,
    .random = null_random,
    .aead_new = null_aead_new,
    .aead_seal = null_aead_seal,
    .aead_open = null_aead_open,
    .aead_free = null_key_free,
    .cipher_new = null_cipher_new,
    .cipher_run = null_cipher_run,
    .cipher_free = null_key_free,
    .mac_new = null_mac_new,
    .mac_run = null_mac_run,
    .mac_free = null_key_free,
    .hash = null_hash,
    .dh_new = null_dh_new,
    .dh_derive = null_dh_derive,
    .dh_free = null_key_free,
};

const vtun_crypto_ops *vtun__crypto_null(void) {
  return &null_ops;
}
