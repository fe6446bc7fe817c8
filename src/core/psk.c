/* Per-branch pre-shared keys. A headquarters that serves thousands of
 * branches should neither share one key among them nor keep thousands of
 * keys: it keeps one secret and derives each branch's key from the
 * identity the branch presents in IKE_AUTH. */
#include "core/psk.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/prf.h"
#include "util/mem.h"

static const char psk_salt[] = "libvtun branch psk v1";

int vtun__hkdf_sha256(const vtun_crypto_ops *ops, void *state,
                      const uint8_t *salt, size_t saltlen, const uint8_t *ikm,
                      size_t ikmlen, const uint8_t *info, size_t infolen,
                      uint8_t *out, size_t outlen) {
  uint8_t prk[32], t[32 + 256 + 1];
  size_t tlen = 0, done = 0;
  int rv;

  if (outlen > 255 * 32 || infolen > 256)
    return VTUN_EINVAL;
  rv =
      vtun__prf(ops, state, VTUN_PRF_SHA2_256, salt, saltlen, ikm, ikmlen, prk);
  for (uint8_t n = 1; rv == 0 && done < outlen; n++) {
    /* T(n) = HMAC(PRK, T(n-1) | info | n), RFC 5869 §2.3. */
    if (infolen > 0)
      memcpy(t + tlen, info, infolen);
    t[tlen + infolen] = n;
    rv = vtun__prf(ops, state, VTUN_PRF_SHA2_256, prk, sizeof(prk), t,
                   tlen + infolen + 1, t);
    tlen = 32;
    memcpy(out + done, t, outlen - done < 32 ? outlen - done : 32);
    done += 32;
  }
  vtun__wipe(prk, sizeof(prk));
  vtun__wipe(t, sizeof(t));
  return rv;
}

/* The 64 hex characters of a branch key. */
static int psk_derive(const vtun_crypto_ops *ops, void *state,
                      const uint8_t *secret, size_t len, int id_type,
                      const char *id, char out[VTUN_DERIVED_PSK_LEN]) {
  static const char hex[] = "0123456789abcdef";
  uint8_t info[1 + VTUN_ID_MAX], key[32];
  size_t idlen = strlen(id);
  int rv;

  if (idlen == 0 || idlen >= VTUN_ID_MAX || id_type < 0 || id_type > 255)
    return VTUN_EINVAL;
  info[0] = (uint8_t)id_type;
  memcpy(info + 1, id, idlen);
  rv = vtun__hkdf_sha256(ops, state, (const uint8_t *)psk_salt,
                         sizeof(psk_salt) - 1, secret, len, info, idlen + 1,
                         key, sizeof(key));
  for (size_t i = 0; rv == 0 && i < sizeof(key); i++) {
    out[2 * i] = hex[key[i] >> 4];
    out[2 * i + 1] = hex[key[i] & 15];
  }
  vtun__wipe(key, sizeof(key));
  return rv;
}

vtun_ssize vtun_derive_branch_psk(const uint8_t *secret, size_t len,
                                  int id_type, const char *id, char *buf,
                                  size_t buflen) {
  const vtun_crypto_ops *ops = vtun_crypto_openssl();
  char key[VTUN_DERIVED_PSK_LEN + 1];
  void *state = NULL;
  int rv;

  if (secret == NULL || len == 0 || id == NULL)
    return VTUN_EINVAL;
  if (ops == NULL)
    return VTUN_ENOTSUP;
  if (ops->init != NULL && ops->init(NULL, &state) != 0)
    return VTUN_ECRYPTO;
  rv = psk_derive(ops, state, secret, len, id_type, id, key);
  if (ops->fini != NULL)
    ops->fini(state);
  if (rv != 0)
    return rv;
  key[VTUN_DERIVED_PSK_LEN] = '\0';
  rv = (int)vtun__strcopyout(key, buf, buflen);
  vtun__wipe(key, sizeof(key));
  return rv;
}

int vtun__peer_psk(vtun_ctx *ctx, const vtun_ike_peer *peer, int id_type,
                   const char *id, uint8_t *out, size_t *len) {
  char key[VTUN_DERIVED_PSK_LEN];
  int rv;

  if (peer->psk == NULL)
    return VTUN_ENOENT;
  if (!peer->psk_derived) {
    memcpy(out, peer->psk, peer->psk_len);
    *len = peer->psk_len;
    return 0;
  }
  if (id == NULL)
    return VTUN_ENOENT;
  rv = psk_derive(ctx->crypto, ctx->crypto_state, peer->psk, peer->psk_len,
                  id_type, id, key);
  if (rv == 0) {
    memcpy(out, key, sizeof(key));
    *len = sizeof(key);
  }
  vtun__wipe(key, sizeof(key));
  return rv;
}

int vtun_ike_peer_set_psk_master(vtun_ike_peer *peer, const uint8_t *secret,
                                 size_t len) {
  int rv = vtun_ike_peer_set_psk(peer, secret, len);

  if (rv == 0)
    peer->psk_derived = true;
  return rv;
}

int vtun_ike_peer_get_psk_derived(const vtun_ike_peer *peer) {
  return peer->psk_derived;
}
