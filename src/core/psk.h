/* Pre-shared keys of IKE peers: a plain key, or one derived per branch
 * from a master secret and the branch's identity. */
#ifndef VTUN_CORE_PSK_H
#define VTUN_CORE_PSK_H

#include "core/ctx.h"

/* Bytes of a derived branch key as the branch configures it (hex). */
#define VTUN_DERIVED_PSK_LEN 64

/* HKDF-SHA-256 (RFC 5869) of @p ikm with @p salt and @p info into
 * @p outlen bytes (at most 255 * 32). */
int vtun__hkdf_sha256(const vtun_crypto_ops *ops, void *state,
                      const uint8_t *salt, size_t saltlen, const uint8_t *ikm,
                      size_t ikmlen, const uint8_t *info, size_t infolen,
                      uint8_t *out, size_t outlen);

/* The key the peer uses with a remote of identity @p id_type / @p id:
 * the plain key, or the derived one. @p out holds VTUN_PSK_MAX bytes;
 * *len receives the length. VTUN_ENOENT when the peer has no key, or a
 * derived key is asked for without an identity. */
int vtun__peer_psk(vtun_ctx *ctx, const vtun_ike_peer *peer, int id_type,
                   const char *id, uint8_t *out, size_t *len);

#endif
