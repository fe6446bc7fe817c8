/* Small helpers over a crypto backend table (include/vtun/vtun_crypto.h)
 * for the layers that use it: a completeness check for host-supplied
 * tables and one-call forms of the multi-buffer MAC. */
#ifndef VTUN_CRYPTO_CRYPTO_H
#define VTUN_CRYPTO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtun/vtun_crypto.h"

/* Whether every operation of @p ops is present, so that no layer has to
 * test a member before calling it. */
static inline bool vtun__crypto_ops_complete(const vtun_crypto_ops *ops) {
  return ops != NULL && ops->init != NULL && ops->fini != NULL &&
         ops->random != NULL && ops->aead_new != NULL &&
         ops->aead_seal != NULL && ops->aead_open != NULL &&
         ops->aead_free != NULL && ops->cipher_new != NULL &&
         ops->cipher_run != NULL && ops->cipher_free != NULL &&
         ops->mac_new != NULL && ops->mac_run != NULL &&
         ops->mac_free != NULL && ops->hash != NULL && ops->dh_new != NULL &&
         ops->dh_derive != NULL && ops->dh_free != NULL;
}

/* The MAC of one buffer, truncated to @p outlen. */
static inline int vtun__mac1(const vtun_crypto_ops *ops, void *mac,
                             const uint8_t *data, size_t len, uint8_t *out,
                             size_t outlen) {
  const uint8_t *parts[] = {data};
  size_t lens[] = {len};

  return ops->mac_run(mac, parts, lens, 1, out, outlen);
}

/* The MAC of @p a followed by @p b, truncated to @p outlen. */
static inline int vtun__mac2(const vtun_crypto_ops *ops, void *mac,
                             const uint8_t *a, size_t alen, const uint8_t *b,
                             size_t blen, uint8_t *out, size_t outlen) {
  const uint8_t *parts[] = {a, b};
  size_t lens[] = {alen, blen};

  return ops->mac_run(mac, parts, lens, 2, out, outlen);
}

#endif
