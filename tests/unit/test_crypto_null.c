/* The test-only null backend keeps the shapes and checks of real crypto:
 * tampering is detected, both DH ends agree, lengths match the algorithms.
 * Also prf+ over it, and the completeness check of crypto.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/crypto.h"
#include "crypto/null.h"
#include "crypto/prf.h"

static const vtun_crypto_ops *ops;

static void test_complete(void **state) {
  vtun_crypto_ops partial = *vtun__crypto_null();

  (void)state;
  assert_true(vtun__crypto_ops_complete(vtun__crypto_null()));
  assert_string_equal(vtun__crypto_null()->name, "null");
  partial.dh_free = NULL;
  assert_false(vtun__crypto_ops_complete(&partial));
  assert_false(vtun__crypto_ops_complete(NULL));
  if (vtun_crypto_openssl() != NULL) /* NULL when built without it */
    assert_true(vtun__crypto_ops_complete(vtun_crypto_openssl()));
}

static void test_aead(void **state) {
  uint8_t key[16] = {1}, nonce[12] = {2}, aad[8] = {3}, buf[64], tag[16];
  uint8_t pt[64];
  void *a = NULL;

  for (size_t i = 0; i < sizeof(pt); i++)
    pt[i] = (uint8_t)i;
  assert_int_equal(ops->aead_new(*state, VTUN_ENCR_AES_GCM_128, key, 32, &a),
                   VTUN_EINVAL);
  assert_int_equal(ops->aead_new(*state, VTUN_ENCR_AES_CBC_128, key, 16, &a),
                   VTUN_ENOTSUP);
  assert_int_equal(ops->aead_new(*state, VTUN_ENCR_AES_GCM_128, key, 16, &a),
                   0);

  memcpy(buf, pt, sizeof(pt));
  assert_int_equal(ops->aead_seal(a, nonce, aad, 8, buf, 64, buf, tag, 16), 0);
  assert_int_equal(ops->aead_open(a, nonce, aad, 8, buf, 64, buf, tag, 16), 0);
  assert_memory_equal(buf, pt, 64);
  buf[5] ^= 1;
  assert_int_equal(ops->aead_open(a, nonce, aad, 8, buf, 64, buf, tag, 16),
                   VTUN_EINTEGRITY);
  buf[5] ^= 1;
  nonce[0] ^= 1;
  assert_int_equal(ops->aead_open(a, nonce, aad, 8, buf, 64, buf, tag, 16),
                   VTUN_EINTEGRITY);
  nonce[0] ^= 1;
  tag[15] ^= 1;
  assert_int_equal(ops->aead_open(a, nonce, aad, 8, buf, 64, buf, tag, 16),
                   VTUN_EINTEGRITY);
  assert_int_equal(ops->aead_open(a, nonce, aad, 8, buf, 64, buf, tag, 8), 0);
  ops->aead_free(a);
}

static void test_cipher(void **state) {
  uint8_t key[32] = {7}, iv[16] = {9}, pt[48], buf[48];
  void *enc = NULL, *dec = NULL;

  memset(pt, 0x5a, sizeof(pt));
  assert_int_equal(
      ops->cipher_new(*state, VTUN_ENCR_AES_CBC_256, 1, key, 32, &enc), 0);
  assert_int_equal(
      ops->cipher_new(*state, VTUN_ENCR_AES_CBC_256, 0, key, 32, &dec), 0);
  assert_int_equal(ops->cipher_run(enc, iv, pt, buf, 48), 0);
  assert_memory_not_equal(buf, pt, 48);
  assert_int_equal(ops->cipher_run(dec, iv, buf, buf, 48), 0);
  assert_memory_equal(buf, pt, 48);
  assert_int_equal(ops->cipher_run(enc, iv, pt, buf, 47), VTUN_EINVAL);
  ops->cipher_free(enc);
  ops->cipher_free(dec);
}

static void test_mac_and_prf(void **state) {
  uint8_t k1[20] = {1}, k2[20] = {2}, o1[64], o2[64], big[100];
  void *m1 = NULL, *m2 = NULL;

  assert_int_equal(
      ops->mac_new(*state, VTUN_INTEG_SHA2_256_128, 0, k1, 20, &m1), 0);
  assert_int_equal(
      ops->mac_new(*state, VTUN_INTEG_SHA2_256_128, 0, k2, 20, &m2), 0);
  assert_int_equal(vtun__mac1(ops, m1, k2, 20, o1, 16), 0);
  assert_int_equal(vtun__mac2(ops, m1, k2, 5, k2 + 5, 15, o2, 16), 0);
  assert_memory_equal(o1, o2, 16);
  assert_int_equal(vtun__mac1(ops, m2, k2, 20, o2, 16), 0);
  assert_memory_not_equal(o1, o2, 16);
  assert_int_equal(vtun__mac1(ops, m1, k2, 20, o1, 33), VTUN_EINVAL);
  ops->mac_free(m1);
  ops->mac_free(m2);

  assert_int_equal(
      vtun__prf_plus(ops, *state, VTUN_PRF_SHA2_256, k1, 20, k2, 20, big, 100),
      0);
  assert_int_equal(
      vtun__prf(ops, *state, VTUN_PRF_SHA2_256, k1, 20, k2, 20, o1), 0);
  assert_memory_not_equal(big, o1, 32); /* T1 = prf(K, S | 0x01) */
}

static void test_dh(void **state) {
  uint8_t pa[VTUN_DH_MAX_BYTES], pb[VTUN_DH_MAX_BYTES];
  uint8_t sa[VTUN_DH_MAX_BYTES], sb[VTUN_DH_MAX_BYTES];
  uint8_t zero[32] = {0};
  size_t la, lb, lsa, lsb;
  void *a = NULL, *b = NULL;

  assert_int_equal(ops->dh_new(*state, VTUN_DH_MODP4096, &a, pa, &la), 0);
  assert_int_equal(ops->dh_new(*state, VTUN_DH_MODP4096, &b, pb, &lb), 0);
  assert_int_equal(la, 512);
  assert_int_equal(ops->dh_derive(a, pb, lb, sa, &lsa), 0);
  assert_int_equal(ops->dh_derive(b, pa, la, sb, &lsb), 0);
  assert_int_equal(lsa, lsb);
  assert_memory_equal(sa, sb, lsa);
  assert_int_equal(ops->dh_derive(a, pb, 32, sa, &lsa), VTUN_EINVAL);
  ops->dh_free(a);
  ops->dh_free(b);

  assert_int_equal(ops->dh_new(*state, VTUN_DH_X25519, &a, pa, &la), 0);
  assert_int_equal(la, 32);
  assert_int_equal(ops->dh_derive(a, zero, 32, sa, &lsa), VTUN_EINVAL);
  ops->dh_free(a);
  assert_int_equal(ops->dh_new(*state, 99, &a, pa, &la), VTUN_ENOTSUP);
}

/* The same seed gives the same bytes: loopback runs are reproducible. */
static void test_random_seeded(void **state) {
  uint64_t seed = 42;
  uint8_t a[24], b[24], h[32];
  void *s1 = NULL, *s2 = NULL;

  assert_int_equal(ops->init(&seed, &s1), 0);
  assert_int_equal(ops->init(&seed, &s2), 0);
  assert_int_equal(ops->random(s1, a, sizeof(a)), 0);
  assert_int_equal(ops->random(s2, b, sizeof(b)), 0);
  assert_memory_equal(a, b, sizeof(a));
  assert_int_equal(ops->random(s1, a, sizeof(a)), 0);
  assert_memory_not_equal(a, b, sizeof(a));
  assert_int_equal(ops->hash(s1, VTUN_HASH_SHA1, a, 24, h, 20), 0);
  assert_int_equal(ops->hash(s1, VTUN_HASH_SHA1, a, 24, h, 21), VTUN_EINVAL);
  assert_int_equal(ops->hash(s1, 7, a, 24, h, 20), VTUN_ENOTSUP);
  ops->fini(s1);
  ops->fini(s2);
  (void)state;
}

static int setup(void **state) {
  ops = vtun__crypto_null();
  return ops->init(NULL, state);
}

static int teardown(void **state) {
  ops->fini(*state);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_complete), cmocka_unit_test(test_aead),
      cmocka_unit_test(test_cipher),   cmocka_unit_test(test_mac_and_prf),
      cmocka_unit_test(test_dh),       cmocka_unit_test(test_random_seeded),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
