/* prf and prf+ of RFC 7296 §2.13, built on any backend's MAC objects so
 * that the IKE engine never depends on one crypto library. */
#include "crypto/prf.h"

#include <string.h>

#include "util/alg.h"
#include "util/mem.h"

int vtun__prf(const vtun_crypto_ops *ops, void *state, int prf,
              const uint8_t *key, size_t keylen, const uint8_t *data,
              size_t datalen, uint8_t *out) {
  const struct vtun__prf_info *pi = vtun__prf_info(prf);
  const uint8_t *parts[] = {data};
  size_t lens[] = {datalen};
  void *mac = NULL;
  int rc;

  if (pi == NULL)
    return VTUN_ENOTSUP;
  rc = ops->mac_new(state, prf, 1, key, keylen, &mac);
  if (rc != 0)
    return rc;
  rc = ops->mac_run(mac, parts, lens, 1, out, pi->outlen);
  ops->mac_free(mac);
  return rc;
}

/* Writes the first @p outlen bytes of T1 | T2 | ... to @p out. */
static int prf_plus_blocks(const vtun_crypto_ops *ops, void *mac, size_t hlen,
                           const uint8_t *seed, size_t seedlen, uint8_t *out,
                           size_t outlen) {
  uint8_t t[VTUN_MAC_MAX_BYTES], next[VTUN_MAC_MAX_BYTES];
  size_t tlen = 0, done = 0;
  int rc = 0;

  for (uint8_t n = 1; done < outlen && rc == 0; n++) {
    const uint8_t *parts[] = {t, seed, &n};
    size_t lens[] = {tlen, seedlen, 1};
    size_t take = outlen - done < hlen ? outlen - done : hlen;

    rc = ops->mac_run(mac, parts, lens, 3, next, hlen);
    memcpy(t, next, hlen);
    tlen = hlen;
    memcpy(out + done, t, take);
    done += take;
  }
  vtun__wipe(t, sizeof(t));
  vtun__wipe(next, sizeof(next));
  return rc;
}

int vtun__prf_plus(const vtun_crypto_ops *ops, void *state, int prf,
                   const uint8_t *key, size_t keylen, const uint8_t *seed,
                   size_t seedlen, uint8_t *out, size_t outlen) {
  const struct vtun__prf_info *pi = vtun__prf_info(prf);
  void *mac = NULL;
  int rc;

  if (pi == NULL)
    return VTUN_ENOTSUP;

  /* RFC 7296 §2.13: the counter is one octet, so at most 255 blocks. */
  if (pi->outlen > VTUN_MAC_MAX_BYTES || outlen > 255u * pi->outlen)
    return VTUN_EINVAL;
  rc = ops->mac_new(state, prf, 1, key, keylen, &mac);
  if (rc != 0)
    return rc;

  rc = prf_plus_blocks(ops, mac, pi->outlen, seed, seedlen, out, outlen);
  ops->mac_free(mac);
  if (rc != 0)
    vtun__wipe(out, outlen);
  return rc;
}
