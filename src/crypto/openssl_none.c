/* Built without OpenSSL (-Dcrypto=none): the host brings its own backend
 * through vtun_settings.crypto. */
#include <stddef.h>

#include "vtun/vtun_crypto.h"

const vtun_crypto_ops *vtun_crypto_openssl(void) {
  return NULL;
}
