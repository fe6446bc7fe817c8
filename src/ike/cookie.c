/* Stateless cookies (RFC 7296 §2.6): once the half-open IKE SAs reach the
 * context's cookie_threshold, a first IKE_SA_INIT is answered with a
 * COOKIE and nothing is kept until the initiator returns it.
 * Cookie = version | SHA-256(Ni | IPi | SPIi | secret[version]). */
#include <string.h>

#include "ike/sa.h"
#include "util/bytes.h"
#include "util/mem.h"

#define COOKIE_LIFE (300 * VTUN_SECONDS)
#define COOKIE_LEN 33

bool vtun__ike_cookie_needed(vtun_ctx *ctx) {
  return vtun__ike_eng(ctx)->half_open >= ctx->settings.cookie_threshold;
}

/* A fresh secret every few minutes; the previous one is still honoured
 * for cookies handed out just before. */
static int cookie_rotate(vtun_ctx *ctx) {
  struct vtun__ike_engine *eng = vtun__ike_eng(ctx);
  vtun_tstamp now = vtun__ike_now(ctx);
  bool fresh = eng->cookie_rotated == 0 && eng->cookie_version == 0;

  if (!fresh && now - eng->cookie_rotated < COOKIE_LIFE)
    return 0;
  memcpy(eng->cookie_prev, eng->cookie_secret, sizeof(eng->cookie_prev));
  eng->cookie_version++;
  eng->cookie_rotated = now ? now : 1;
  return vtun__random(ctx, eng->cookie_secret, sizeof(eng->cookie_secret));
}

int vtun__ike_cookie_make(vtun_ctx *ctx, uint8_t version,
                          const struct vtun__ike_hdr *h, const uint8_t *ni,
                          size_t nilen, const vtun_endpoint *remote,
                          uint8_t *out, size_t *outlen) {
  struct vtun__ike_engine *eng = vtun__ike_eng(ctx);
  uint8_t in[VTUN__IKE_NONCE_MAX + 16 + 8 + 32];
  size_t n = 0, alen = vtun__ep_len(remote);
  const uint8_t *secret;
  int rc;

  if (version == 0 && (rc = cookie_rotate(ctx)) != 0)
    return rc;
  if (version == 0)
    version = eng->cookie_version;
  secret =
      version == eng->cookie_version ? eng->cookie_secret : eng->cookie_prev;
  if (nilen > VTUN__IKE_NONCE_MAX)
    return VTUN_EINVAL;
  memcpy(in, ni, nilen), n = nilen;
  memcpy(in + n, remote->addr, alen), n += alen;
  vtun__put64(in + n, h->ispi), n += 8;
  memcpy(in + n, secret, 32), n += 32;
  out[0] = version;
  *outlen = COOKIE_LEN;
  rc = ctx->crypto->hash(ctx->crypto_state, VTUN_HASH_SHA2_256, in, n, out + 1,
                         32);
  vtun__wipe(in, sizeof(in));
  return rc;
}

bool vtun__ike_cookie_check(vtun_ctx *ctx, const struct vtun__ike_hdr *h,
                            const uint8_t *ni, size_t nilen,
                            const vtun_endpoint *remote, const uint8_t *cookie,
                            size_t len) {
  struct vtun__ike_engine *eng = vtun__ike_eng(ctx);
  uint8_t want[COOKIE_LEN];
  size_t wlen;

  if (len != COOKIE_LEN || eng->cookie_version == 0)
    return false;
  if (cookie[0] != eng->cookie_version &&
      cookie[0] != (uint8_t)(eng->cookie_version - 1))
    return false;
  if (vtun__ike_cookie_make(ctx, cookie[0], h, ni, nilen, remote, want,
                            &wlen) != 0)
    return false;
  return vtun__memeq_ct(want, cookie, COOKIE_LEN) == 0;
}
