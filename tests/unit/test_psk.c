/* Per-branch pre-shared keys: HKDF against RFC 5869, the documented
 * derivation, and the peer's key selection. */
#include "fixture.h"

#include "core/psk.h"
#include "vtun/vtun_crypto.h"

static void hex(const char *s, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++)
    sscanf(s + 2 * i, "%2hhx", &out[i]);
}

/* RFC 5869 Appendix A, test cases 1 and 3 (SHA-256). */
static void hkdf_rfc5869(void **state) {
  const vtun_crypto_ops *ops = vtun_crypto_openssl();
  uint8_t ikm[22], salt[13], info[10], okm[42], want[42];
  void *st = NULL;

  (void)state;
  memset(ikm, 0x0b, sizeof(ikm));
  for (int i = 0; i < 13; i++)
    salt[i] = (uint8_t)i;
  for (int i = 0; i < 10; i++)
    info[i] = (uint8_t)(0xf0 + i);
  assert_int_equal(ops->init(NULL, &st), 0);
  assert_int_equal(
      vtun__hkdf_sha256(ops, st, salt, 13, ikm, 22, info, 10, okm, 42), 0);
  hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
      "34007208d5b887185865",
      want, 42);
  assert_memory_equal(okm, want, 42);
  assert_int_equal(
      vtun__hkdf_sha256(ops, st, NULL, 0, ikm, 22, NULL, 0, okm, 42), 0);
  hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
      "9d201395faa4b61a96c8",
      want, 42);
  assert_memory_equal(okm, want, 42);
  ops->fini(st);
}

/* The derivation the documentation gives, recomputed with plain HKDF. */
static void branch_key_documented(void **state) {
  const vtun_crypto_ops *ops = vtun_crypto_openssl();
  const char *secret = "hq-master-secret";
  const char *id = "branch7.example.net";
  uint8_t info[64], key[32];
  char text[80], want[65];
  void *st = NULL;

  (void)state;
  assert_int_equal(vtun_derive_branch_psk((const uint8_t *)secret,
                                          strlen(secret), VTUN_ID_FQDN, id,
                                          text, sizeof(text)),
                   64);
  info[0] = VTUN_ID_FQDN;
  memcpy(info + 1, id, strlen(id));
  assert_int_equal(ops->init(NULL, &st), 0);
  assert_int_equal(
      vtun__hkdf_sha256(ops, st, (const uint8_t *)"libvtun branch psk v1", 21,
                        (const uint8_t *)secret, strlen(secret), info,
                        1 + strlen(id), key, 32),
      0);
  ops->fini(st);
  for (int i = 0; i < 32; i++)
    snprintf(want + 2 * i, 3, "%02x", key[i]);
  assert_string_equal(text, want);
  /* Another identity, another key. */
  vtun_derive_branch_psk((const uint8_t *)secret, strlen(secret), VTUN_ID_FQDN,
                         "branch8.example.net", want, sizeof(want));
  assert_string_not_equal(text, want);
  assert_int_equal(
      vtun_derive_branch_psk(NULL, 0, VTUN_ID_FQDN, id, text, sizeof(text)),
      VTUN_EINVAL);
}

/* The peer hands out the plain key, or the derived one per identity. */
static void peer_key_selection(void **state) {
  struct fixture *f = *state;
  uint8_t out[VTUN_PSK_MAX];
  char want[80];
  size_t len;

  assert_int_equal(
      vtun__peer_psk(f->ctx, f->peer, VTUN_ID_FQDN, "x", out, &len), 0);
  assert_int_equal(len, 1);
  assert_ok(f->ctx,
            vtun_ike_peer_set_psk_master(f->peer, (const uint8_t *)"m", 1));
  assert_true(vtun_ike_peer_get_psk_derived(f->peer));
  assert_int_equal(
      vtun__peer_psk(f->ctx, f->peer, VTUN_ID_FQDN, NULL, out, &len),
      VTUN_ENOENT);
  assert_int_equal(
      vtun__peer_psk(f->ctx, f->peer, VTUN_ID_FQDN, "b.net", out, &len), 0);
  vtun_derive_branch_psk((const uint8_t *)"m", 1, VTUN_ID_FQDN, "b.net", want,
                         sizeof(want));
  assert_int_equal(len, 64);
  assert_memory_equal(out, want, 64);
  /* A plain key replaces the derivation. */
  assert_ok(f->ctx, vtun_ike_peer_set_psk(f->peer, (const uint8_t *)"k", 1));
  assert_false(vtun_ike_peer_get_psk_derived(f->peer));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hkdf_rfc5869),
      cmocka_unit_test(branch_key_documented),
      cmocka_unit_test_setup_teardown(peer_key_selection, fixture_setup,
                                      fixture_teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
