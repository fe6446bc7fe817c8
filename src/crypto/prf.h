/* The IKEv2 pseudo-random functions on top of a backend's MAC objects:
 * prf for SKEYSEED and AUTH, prf+ for key material (RFC 7296 §2.13). */
#ifndef VTUN_CRYPTO_PRF_H
#define VTUN_CRYPTO_PRF_H

#include <stddef.h>
#include <stdint.h>

#include "vtun/vtun_crypto.h"

/* prf(@p key, @p data) with @p prf (enum vtun_prf) into @p out, which
 * takes the PRF's full output length (vtun__prf_info()->outlen, at most
 * VTUN_MAC_MAX_BYTES). Returns 0, VTUN_ENOTSUP for an unknown PRF, or the
 * backend's error. */
int vtun__prf(const vtun_crypto_ops *ops, void *state, int prf,
              const uint8_t *key, size_t keylen, const uint8_t *data,
              size_t datalen, uint8_t *out);

/* prf+(@p key, @p seed) of RFC 7296 §2.13: the first @p outlen bytes of
 * T1 | T2 | ... with Tn = prf(K, Tn-1 | S | n). VTUN_EINVAL when
 * @p outlen needs more than 255 blocks. The intermediate blocks are wiped;
 * on failure so is @p out. */
int vtun__prf_plus(const vtun_crypto_ops *ops, void *state, int prf,
                   const uint8_t *key, size_t keylen, const uint8_t *seed,
                   size_t seedlen, uint8_t *out, size_t outlen);

#endif
