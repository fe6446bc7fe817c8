/* The OpenSSL 3 backend, split by primitive: openssl.c has the table,
 * AEAD, CBC, random and hash; openssl_mac.c HMAC; openssl_dh.c DH. */
#ifndef VTUN_CRYPTO_OSSL_H
#define VTUN_CRYPTO_OSSL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "vtun/vtun_crypto.h"

/* AEAD algorithms with keyed contexts kept in the state (openssl.c), and
 * how many contexts each keeps. */
#define VTUN__OSSL_AEADS 3
#define VTUN__OSSL_SLOTS 8

/* One keyed AEAD context of the state; see openssl.c. owner and ctx are
 * read and written only by the thread that set busy. */
struct vtun__ossl_slot {
  atomic_bool busy;
  const void *owner; /* the AEAD object whose key ctx holds, or NULL */
  EVP_CIPHER_CTX *ctx;
};

/* The keyed contexts of one algorithm. */
struct vtun__ossl_group {
  atomic_uint next; /* where the next key goes */
  struct vtun__ossl_slot slot[VTUN__OSSL_SLOTS];
};

/* What init makes: the library context every fetch uses (the host's, or
 * NULL for OpenSSL's default one), and the AEAD contexts. */
struct vtun__ossl {
  OSSL_LIB_CTX *libctx;
  struct vtun__ossl_group aead[VTUN__OSSL_AEADS];
};

int vtun__ossl_mac_new(void *state, int alg, int is_prf, const uint8_t *key,
                       size_t keylen, void **out);
int vtun__ossl_mac_run(void *mac, const uint8_t *const *data,
                       const size_t *lens, size_t n, uint8_t *out,
                       size_t outlen);
void vtun__ossl_mac_free(void *mac);

int vtun__ossl_dh_new(void *state, int group, void **out, uint8_t *pub,
                      size_t *publen);
int vtun__ossl_dh_derive(void *dh, const uint8_t *peer, size_t peerlen,
                         uint8_t *secret, size_t *secretlen);
void vtun__ossl_dh_free(void *dh);

/* For known-answer tests only: a DH object holding a given private key
 * instead of a fresh one (ECP: scalar @p priv and its point x || y
 * @p pubin; X25519: the 32-byte scalar, @p pubin unused). Its public value
 * is written as dh_new writes it. VTUN_ENOTSUP for MODP groups. */
int vtun__ossl_dh_import(void *state, int group, const uint8_t *priv,
                         size_t privlen, const uint8_t *pubin, void **out,
                         uint8_t *pub, size_t *publen);

#endif
