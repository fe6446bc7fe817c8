/* The "null" crypto backend, for tests only: fast and deterministic, and
 * NOT secure. It keeps the shapes of the real algorithms (key, tag, MAC
 * and public value lengths) and still detects tampering, so that the
 * loopback and fuzz tests exercise every check without the cost of real
 * cryptography. Never reachable through the public API. */
#ifndef VTUN_CRYPTO_NULL_H
#define VTUN_CRYPTO_NULL_H

#include "vtun/vtun_crypto.h"

/* The table. Its init takes an optional `const uint64_t *` seed for the
 * deterministic random generator (NULL: a fixed seed). */
const vtun_crypto_ops *vtun__crypto_null(void);

#endif
