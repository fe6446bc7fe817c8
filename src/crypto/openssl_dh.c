/* Diffie-Hellman for the OpenSSL 3 backend. */
#include "crypto/ossl.h"

int vtun__ossl_dh_new(void *state, int group, void **out, uint8_t *pub,
                      size_t *publen) {
  return VTUN_ENOTSUP;
}

int vtun__ossl_dh_derive(void *dh, const uint8_t *peer, size_t peerlen,
                         uint8_t *secret, size_t *secretlen) {
  return VTUN_ENOTSUP;
}

void vtun__ossl_dh_free(void *dh) {}
