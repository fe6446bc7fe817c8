/* Diffie-Hellman for the OpenSSL 3 backend: MODP groups (RFC 2409,
 * RFC 3526), NIST ECP groups (RFC 5903) and Curve25519 (RFC 8031).
 *
 * The peer's value gets the checks of RFC 6989 and nothing more: OpenSSL's
 * full public key validation (y^q mod p for MODP) costs about ten times
 * the derivation itself, and it is switched off by importing the peer
 * without validation and checking the range here. */
#include "crypto/ossl.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "util/mem.h"

enum ossl_dh_kind { DH_MODP, DH_ECP, DH_X25519 };

#define SEC1_UNCOMPRESSED 0x04 /* SEC 1 §2.3.3 point format byte */
#define ECP_MAX_COORD 66       /* P-521 */

struct ossl_group {
  int id;                     /* IANA number (enum vtun_dh) */
  int kind;                   /* enum ossl_dh_kind */
  const char *name;           /* curve name; NULL for MODP */
  size_t len;                 /* public value bytes */
  size_t seclen;              /* shared secret bytes (ECP: the x coordinate) */
  BIGNUM *(*prime)(BIGNUM *); /* MODP only */
};

static const struct ossl_group ossl_groups[] = {
    {VTUN_DH_MODP768, DH_MODP, NULL, 96, 96, BN_get_rfc2409_prime_768},
    {VTUN_DH_MODP1024, DH_MODP, NULL, 128, 128, BN_get_rfc2409_prime_1024},
    {VTUN_DH_MODP1536, DH_MODP, NULL, 192, 192, BN_get_rfc3526_prime_1536},
    {VTUN_DH_MODP2048, DH_MODP, NULL, 256, 256, BN_get_rfc3526_prime_2048},
    {VTUN_DH_MODP3072, DH_MODP, NULL, 384, 384, BN_get_rfc3526_prime_3072},
    {VTUN_DH_MODP4096, DH_MODP, NULL, 512, 512, BN_get_rfc3526_prime_4096},
    {VTUN_DH_ECP256, DH_ECP, "P-256", 64, 32, NULL},
    {VTUN_DH_ECP384, DH_ECP, "P-384", 96, 48, NULL},
    {VTUN_DH_ECP521, DH_ECP, "P-521", 132, 66, NULL},
    {VTUN_DH_X25519, DH_X25519, "X25519", 32, 32, NULL},
};

struct ossl_dh {
  const struct ossl_group *grp;
  OSSL_LIB_CTX *libctx;
  EVP_PKEY *key; /* our ephemeral key pair */
  BIGNUM *p;     /* MODP: the prime */
};

static const struct ossl_group *ossl_group_find(int id) {
  for (size_t i = 0; i < sizeof(ossl_groups) / sizeof(ossl_groups[0]); i++)
    if (ossl_groups[i].id == id)
      return &ossl_groups[i];
  return NULL;
}

/* Imports a DH key from @p p, generator 2 and, when given, public value
 * @p y. OpenSSL recognises the RFC 3526 primes and then picks a short
 * private exponent of twice the group's strength. */
static EVP_PKEY *ossl_modp_import(OSSL_LIB_CTX *libctx, const BIGNUM *p,
                                  const BIGNUM *y) {
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(libctx, "DH", NULL);
  OSSL_PARAM *params = NULL;
  EVP_PKEY *pkey = NULL;
  int sel = y != NULL ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEY_PARAMETERS;

  if (bld == NULL || ctx == NULL ||
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) != 1 ||
      OSSL_PARAM_BLD_push_uint(bld, OSSL_PKEY_PARAM_FFC_G, 2) != 1 ||
      (y != NULL &&
       OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y) != 1))
    goto out;
  params = OSSL_PARAM_BLD_to_param(bld);
  if (params == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
      EVP_PKEY_fromdata(ctx, &pkey, sel, params) != 1)
    pkey = NULL;

out:
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  EVP_PKEY_CTX_free(ctx);
  return pkey;
}

static EVP_PKEY *ossl_modp_keygen(struct ossl_dh *dh) {
  EVP_PKEY *params = ossl_modp_import(dh->libctx, dh->p, NULL);
  EVP_PKEY_CTX *ctx = NULL;
  EVP_PKEY *key = NULL;

  if (params != NULL)
    ctx = EVP_PKEY_CTX_new_from_pkey(dh->libctx, params, NULL);
  if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 ||
      EVP_PKEY_generate(ctx, &key) != 1)
    key = NULL;
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(params);
  return key;
}

static int ossl_dh_keygen(struct ossl_dh *dh) {
  const struct ossl_group *g = dh->grp;

  if (g->kind == DH_MODP) {
    dh->p = g->prime(NULL);
    if (dh->p == NULL)
      return VTUN_ENOMEM;
    dh->key = ossl_modp_keygen(dh);
  } else if (g->kind == DH_ECP) {
    dh->key = EVP_PKEY_Q_keygen(dh->libctx, NULL, "EC", g->name);
  } else {
    dh->key = EVP_PKEY_Q_keygen(dh->libctx, NULL, g->name);
  }
  return dh->key != NULL ? 0 : VTUN_ECRYPTO;
}

/* The public value as IKEv2 carries it: MODP y left-padded to the prime
 * length (RFC 7296 §3.4), ECP x || y without the 0x04 point format byte
 * (RFC 5903 §7), X25519 the 32-byte u-coordinate (RFC 8031 §2). */
static int ossl_dh_public(const struct ossl_dh *dh, uint8_t *pub) {
  uint8_t point[1 + 2 * ECP_MAX_COORD];
  BIGNUM *y = NULL;
  size_t n = 0;
  int ok;

  switch (dh->grp->kind) {
  case DH_MODP:
    ok = EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &y) == 1 &&
         BN_bn2binpad(y, pub, (int)dh->grp->len) == (int)dh->grp->len;
    BN_free(y);
    return ok ? 0 : VTUN_ECRYPTO;
  case DH_ECP:
    ok = EVP_PKEY_get_octet_string_param(dh->key,
                                         OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                         point, sizeof(point), &n) == 1 &&
         n == 1 + dh->grp->len && point[0] == SEC1_UNCOMPRESSED;
    if (ok)
      memcpy(pub, point + 1, dh->grp->len);
    return ok ? 0 : VTUN_ECRYPTO;
  default:
    n = dh->grp->len;
    ok =
        EVP_PKEY_get_raw_public_key(dh->key, pub, &n) == 1 && n == dh->grp->len;
    return ok ? 0 : VTUN_ECRYPTO;
  }
}

int vtun__ossl_dh_new(void *state, int group, void **out, uint8_t *pub,
                      size_t *publen) {
  const struct ossl_group *g = ossl_group_find(group);
  struct vtun__ossl *st = state;
  struct ossl_dh *dh;
  int rc;

  if (g == NULL)
    return VTUN_ENOTSUP;
  dh = vtun__zalloc(sizeof(*dh));
  if (dh == NULL)
    return VTUN_ENOMEM;
  dh->grp = g;
  dh->libctx = st->libctx;

  rc = ossl_dh_keygen(dh);
  if (rc == 0)
    rc = ossl_dh_public(dh, pub);
  if (rc != 0) {
    vtun__ossl_dh_free(dh);
    return rc;
  }
  *publen = g->len;
  *out = dh;
  return 0;
}

/* ECP key pair from the scalar @p priv and the point x || y @p pub. */
static EVP_PKEY *ossl_ecp_import(const struct ossl_dh *dh, const uint8_t *priv,
                                 size_t privlen, const uint8_t *pub) {
  uint8_t point[1 + 2 * ECP_MAX_COORD];
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(dh->libctx, "EC", NULL);
  BIGNUM *d = BN_bin2bn(priv, (int)privlen, NULL);
  OSSL_PARAM *params = NULL;
  EVP_PKEY *key = NULL;

  point[0] = SEC1_UNCOMPRESSED;
  memcpy(point + 1, pub, dh->grp->len);
  if (bld != NULL && ctx != NULL && d != NULL &&
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                      dh->grp->name, 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
                                       1 + dh->grp->len) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) == 1)
    params = OSSL_PARAM_BLD_to_param(bld);
  if (params == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
      EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params) != 1)
    key = NULL;

  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  EVP_PKEY_CTX_free(ctx);
  BN_clear_free(d);
  return key;
}

int vtun__ossl_dh_import(void *state, int group, const uint8_t *priv,
                         size_t privlen, const uint8_t *pubin, void **out,
                         uint8_t *pub, size_t *publen) {
  const struct ossl_group *g = ossl_group_find(group);
  struct vtun__ossl *st = state;
  struct ossl_dh *dh;
  int rc;

  if (g == NULL || g->kind == DH_MODP)
    return VTUN_ENOTSUP;
  dh = vtun__zalloc(sizeof(*dh));
  if (dh == NULL)
    return VTUN_ENOMEM;
  dh->grp = g;
  dh->libctx = st->libctx;

  if (g->kind == DH_ECP)
    dh->key = ossl_ecp_import(dh, priv, privlen, pubin);
  else
    dh->key = EVP_PKEY_new_raw_private_key_ex(dh->libctx, g->name, NULL, priv,
                                              privlen);
  rc = dh->key != NULL ? ossl_dh_public(dh, pub) : VTUN_EINVAL;
  if (rc != 0) {
    vtun__ossl_dh_free(dh);
    return rc;
  }
  *publen = g->len;
  *out = dh;
  return 0;
}

/* RFC 6989 §2.1: 1 < y < p-1, so that neither 0, 1 nor p-1 (which would
 * confine the secret to a tiny subgroup) nor anything out of range gets
 * through. */
static EVP_PKEY *ossl_modp_peer(const struct ossl_dh *dh, const uint8_t *v,
                                size_t len) {
  BIGNUM *y = BN_bin2bn(v, (int)len, NULL);
  BIGNUM *pm1 = BN_dup(dh->p);
  EVP_PKEY *peer = NULL;

  if (y != NULL && pm1 != NULL && BN_sub_word(pm1, 1) == 1 &&
      BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, pm1) < 0)
    peer = ossl_modp_import(dh->libctx, dh->p, y);
  BN_free(pm1);
  BN_free(y);
  return peer;
}

/* RFC 6989 §2.3: the point must be on the curve. OpenSSL refuses to
 * import one that is not (or whose coordinates are not below p); the
 * curves have cofactor 1, so nothing else is needed. */
static EVP_PKEY *ossl_ecp_peer(const struct ossl_dh *dh, const uint8_t *v,
                               size_t len) {
  uint8_t point[1 + 2 * ECP_MAX_COORD];
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(dh->libctx, "EC", NULL);
  EVP_PKEY *peer = NULL;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                       (char *)dh->grp->name, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point,
                                        1 + len),
      OSSL_PARAM_construct_end(),
  };

  point[0] = SEC1_UNCOMPRESSED;
  memcpy(point + 1, v, len);
  if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
      EVP_PKEY_fromdata(ctx, &peer, EVP_PKEY_PUBLIC_KEY, params) != 1)
    peer = NULL;
  EVP_PKEY_CTX_free(ctx);
  return peer;
}

static EVP_PKEY *ossl_dh_peer(const struct ossl_dh *dh, const uint8_t *v,
                              size_t len) {
  switch (dh->grp->kind) {
  case DH_MODP:
    return ossl_modp_peer(dh, v, len);
  case DH_ECP:
    return ossl_ecp_peer(dh, v, len);
  default:
    return EVP_PKEY_new_raw_public_key_ex(dh->libctx, dh->grp->name, NULL, v,
                                          len);
  }
}

/* Derives into @p secret. The peer was checked above: its validation by
 * OpenSSL is skipped (the 0 of set_peer_ex). MODP secrets keep their
 * leading zeros (RFC 7296 §2.14). */
static int ossl_dh_run(struct ossl_dh *dh, EVP_PKEY *peer, uint8_t *secret) {
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(dh->libctx, dh->key, NULL);
  size_t n = dh->grp->seclen;
  int ok;

  ok = ctx != NULL && EVP_PKEY_derive_init(ctx) == 1 &&
       (dh->grp->kind != DH_MODP || EVP_PKEY_CTX_set_dh_pad(ctx, 1) == 1) &&
       EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) == 1;
  if (ok && EVP_PKEY_derive(ctx, secret, &n) != 1)
    ok = -1;
  EVP_PKEY_CTX_free(ctx);
  if (ok == -1)
    return dh->grp->kind == DH_X25519 ? VTUN_EINVAL : VTUN_ECRYPTO;
  return ok && n == dh->grp->seclen ? 0 : VTUN_ECRYPTO;
}

/* RFC 8031 §2: an all-zero X25519 result means a low-order peer value. */
static int ossl_all_zero(const uint8_t *p, size_t len) {
  uint8_t acc = 0;

  for (size_t i = 0; i < len; i++)
    acc |= p[i];
  return acc == 0;
}

int vtun__ossl_dh_derive(void *obj, const uint8_t *peer, size_t peerlen,
                         uint8_t *secret, size_t *secretlen) {
  struct ossl_dh *dh = obj;
  EVP_PKEY *pk;
  int rc;

  if (peerlen != dh->grp->len)
    return VTUN_EINVAL;
  pk = ossl_dh_peer(dh, peer, peerlen);
  if (pk == NULL)
    return VTUN_EINVAL;

  rc = ossl_dh_run(dh, pk, secret);
  EVP_PKEY_free(pk);
  if (rc == 0 && dh->grp->kind == DH_X25519 &&
      ossl_all_zero(secret, dh->grp->seclen))
    rc = VTUN_EINVAL;
  if (rc != 0) {
    vtun__wipe(secret, dh->grp->seclen);
    return rc;
  }
  *secretlen = dh->grp->seclen;
  return 0;
}

void vtun__ossl_dh_free(void *obj) {
  struct ossl_dh *dh = obj;

  if (dh == NULL)
    return;
  EVP_PKEY_free(dh->key); /* the providers clear private key material */
  BN_free(dh->p);
  free(dh);
}
