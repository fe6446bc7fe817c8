/*
 * libvtun crypto backend interface.
 *
 * The core reaches cryptography only through this table. A backend keeps
 * its objects behind `void *`; the core creates one object per SA and key
 * (never per packet) and changes only the nonce or IV per packet. The
 * built-in backend uses OpenSSL 3 (vtun_crypto_openssl()).
 *
 * Threads: an object made by a backend is used by one thread at a time;
 * different objects may be used concurrently.
 */
#ifndef VTUN_CRYPTO_H
#define VTUN_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "vtun.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Current version of vtun_crypto_ops. @since 0.1 */
#define VTUN_CRYPTO_OPS_VERSION 1

/** Hash functions for vtun_crypto_ops.hash (NAT detection). @since 0.1 */
enum vtun_hash {
  VTUN_HASH_SHA1 = 1,
  VTUN_HASH_SHA2_256 = 2,
};

/** Largest DH public value or shared secret (MODP-4096). @since 0.1 */
#define VTUN_DH_MAX_BYTES 512
/** Largest MAC or PRF output (SHA-512). @since 0.1 */
#define VTUN_MAC_MAX_BYTES 64

/**
 * A crypto backend. Functions return 0 or a negative VTUN_E* code
 * (VTUN_ECRYPTO for a backend failure, VTUN_ENOTSUP for an algorithm it
 * lacks, VTUN_EINVAL for a bad length, VTUN_EINTEGRITY for a tag that does
 * not verify). Members are only appended, each with its `@since`.
 * @since 0.1
 */
typedef struct vtun_crypto_ops {
  /** Version of this table: VTUN_CRYPTO_OPS_VERSION. */
  uint32_t version;
  /** Backend name for logs ("openssl"). */
  const char *name;

  /** Starts the backend for one context; *state is passed to the rest. */
  int (*init)(void *arg, void **state);
  /** Stops it; frees what init made. */
  void (*fini)(void *state);
  /** Fills @p buf with @p len random bytes from a CSPRNG. */
  int (*random)(void *state, uint8_t *buf, size_t len);

  /**
   * Makes an AEAD object (enum vtun_encr: AES-GCM or ChaCha20-Poly1305)
   * holding @p key (without salt). The caller owns *out.
   */
  int (*aead_new)(void *state, int encr, const uint8_t *key, size_t keylen,
                  void **out);
  /**
   * Encrypts @p len bytes from @p in to @p out (may be equal) with a
   * 12-byte @p nonce and @p aad, writing @p taglen bytes of tag to @p tag.
   */
  int (*aead_seal)(void *aead, const uint8_t nonce[12], const uint8_t *aad,
                   size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
                   uint8_t *tag, size_t taglen);
  /** Decrypts and verifies; VTUN_EINTEGRITY if the tag is wrong. */
  int (*aead_open)(void *aead, const uint8_t nonce[12], const uint8_t *aad,
                   size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
                   const uint8_t *tag, size_t taglen);
  /** Frees the AEAD object and wipes its key. NULL is accepted. */
  void (*aead_free)(void *aead);

  /**
   * Makes a CBC cipher object (enum vtun_encr: AES-CBC) for one
   * direction: @p encrypt 1 encrypts, 0 decrypts.
   */
  int (*cipher_new)(void *state, int encr, int encrypt, const uint8_t *key,
                    size_t keylen, void **out);
  /**
   * Runs the cipher over @p len bytes (a multiple of the block size) with
   * a 16-byte @p iv; @p in and @p out may be equal. No padding.
   */
  int (*cipher_run)(void *cipher, const uint8_t iv[16], const uint8_t *in,
                    uint8_t *out, size_t len);
  /** Frees the cipher object and wipes its key. NULL is accepted. */
  void (*cipher_free)(void *cipher);

  /** Makes an HMAC object (enum vtun_integ or vtun_prf by @p is_prf). */
  int (*mac_new)(void *state, int alg, int is_prf, const uint8_t *key,
                 size_t keylen, void **out);
  /**
   * Computes the MAC of the concatenation of @p n buffers and writes its
   * first @p outlen bytes to @p out.
   */
  int (*mac_run)(void *mac, const uint8_t *const *data, const size_t *lens,
                 size_t n, uint8_t *out, size_t outlen);
  /** Frees the MAC object and wipes its key. NULL is accepted. */
  void (*mac_free)(void *mac);

  /** One-shot hash (enum vtun_hash) of @p len bytes into @p out. */
  int (*hash)(void *state, int alg, const uint8_t *data, size_t len,
              uint8_t *out, size_t outlen);

  /**
   * Makes an ephemeral DH key of @p group (IANA number) and writes its
   * public value as IKEv2 carries it (RFC 7296 §3.4, RFC 5903, RFC 8031)
   * to @p pub, its length to *publen.
   */
  int (*dh_new)(void *state, int group, void **out, uint8_t *pub,
                size_t *publen);
  /**
   * Computes the shared secret with the peer's public value after the
   * checks of RFC 6989 (MODP: 1 < y < p-1; ECP: point on the curve;
   * X25519: result not all zero); VTUN_EINVAL when they fail.
   */
  int (*dh_derive)(void *dh, const uint8_t *peer, size_t peerlen,
                   uint8_t *secret, size_t *secretlen);
  /** Frees the DH key and wipes it. NULL is accepted. */
  void (*dh_free)(void *dh);
} vtun_crypto_ops;

/**
 * The OpenSSL 3 backend, or NULL when the library was built without it.
 * Static table, any thread. @since 0.1
 */
VTUN_EXTERN const vtun_crypto_ops *vtun_crypto_openssl(void);

#ifdef __cplusplus
}
#endif

#endif /* VTUN_CRYPTO_H */
