/* Known-answer tests of prf and prf+ (RFC 7296 §2.13, §2.14, §2.18) over
 * the OpenSSL backend, against the NIST CAVP IKEv2 KDF sample vectors
 * (SP 800-135 §4.1.2) for HMAC-SHA-1 and HMAC-SHA-256. */
#include "test_crypto_hex.h"

#include "crypto/prf.h"
#include "vtun/vtun_crypto.h"

static const vtun_crypto_ops *ops;

struct kdf_vec {
  const char *name;
  int prf;
  size_t hlen;
  const char *ni, *nr, *gir, *gir_new, *spii, *spir;
  const char *skeyseed, *dkm, *skeyseed_rekey;
};

static const struct kdf_vec kdf_vecs[] = {
    {"CAVP IKEv2 SHA-1", VTUN_PRF_SHA1, 20, "32b50d5f4a3763f3",
     "9206a04b26564cb1",
     "4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52",
     "863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330",
     "34c9e7c188868785", "3ff77d760d2b2199",
     "a9a7b222b59f8f48645f28a1db5b5f5d7479cba7",
     "a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002"
     "a2a63080e514a062768b76606f9fa5e992204fc5a670bde3f10d6b027113936a"
     "5c55b648a194ae587b0088d52204b702c979fa280870d2ed41efa9c549fd1119"
     "8af1670b143d384bd275c5f594cf266b05ebadca855e4249520a441a81157435"
     "a7a56cc4",
     "63e81194946ebd05df7df5ebf5d8750056bf1f1d"},
    {"CAVP IKEv2 SHA-256", VTUN_PRF_SHA2_256, 32, "3f302be1abcb28e1",
     "8c332ee006064c9b",
     "0f4d257d7a58fc4545c7d7a88119eee5d5c9690c5b4c989171d3abbfd99d1d29",
     "25f3b12d6f282739256e39bf54eda53b60ffcf379bb7bcc90c27b4c4c578616c",
     "40dac39e1e1a8640", "8619a1cf9a6e4c07",
     "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe",
     "0b137d669b0947d7d026d593f0305ad401ff0c471357d695778a9c7f4b4869ec"
     "e98aca531188d16041b3bb936d2dbb3b4993a6e768a809160de45d0283f273a6"
     "cdf6854379e31be72b8d3d1fa990cf9c5b015ca9f918a7df6253c958114a09d4"
     "e1c19bdcd4db14b29d98db1a74ad405c588662c14a04d0d36aa4ab55e90f8986"
     "d12d4aad",
     "2d63f6debc92048b4fef3889c4c99ca67d6496e0fac14a2bca9a2d6566ff2398"},
};

struct kdf_bytes {
  uint8_t ni[64], nr[64], gir[64], gir_new[64], spii[8], spir[8];
  uint8_t skeyseed[64], dkm[256], rekey[64];
  size_t nilen, nrlen, girlen, newlen, dkmlen;
};

static void kdf_decode(const struct kdf_vec *v, struct kdf_bytes *b) {
  b->nilen = kat_unhex(b->ni, sizeof(b->ni), v->ni);
  b->nrlen = kat_unhex(b->nr, sizeof(b->nr), v->nr);
  b->girlen = kat_unhex(b->gir, sizeof(b->gir), v->gir);
  b->newlen = kat_unhex(b->gir_new, sizeof(b->gir_new), v->gir_new);
  assert_int_equal(kat_unhex(b->spii, 8, v->spii), 8);
  assert_int_equal(kat_unhex(b->spir, 8, v->spir), 8);
  assert_int_equal(kat_unhex(b->skeyseed, 64, v->skeyseed), v->hlen);
  b->dkmlen = kat_unhex(b->dkm, sizeof(b->dkm), v->dkm);
  assert_int_equal(kat_unhex(b->rekey, 64, v->skeyseed_rekey), v->hlen);
}

/* SKEYSEED = prf(Ni | Nr, g^ir) and
 * DKM = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), RFC 7296 §2.14. */
static void kdf_initial(void *st, const struct kdf_vec *v,
                        const struct kdf_bytes *b) {
  uint8_t nonces[128], seed[144], skeyseed[64], dkm[256];
  size_t nlen = b->nilen + b->nrlen;

  memcpy(nonces, b->ni, b->nilen);
  memcpy(nonces + b->nilen, b->nr, b->nrlen);
  assert_int_equal(
      vtun__prf(ops, st, v->prf, nonces, nlen, b->gir, b->girlen, skeyseed), 0);
  assert_memory_equal(skeyseed, b->skeyseed, v->hlen);

  memcpy(seed, nonces, nlen);
  memcpy(seed + nlen, b->spii, 8);
  memcpy(seed + nlen + 8, b->spir, 8);
  assert_int_equal(vtun__prf_plus(ops, st, v->prf, skeyseed, v->hlen, seed,
                                  nlen + 16, dkm, b->dkmlen),
                   0);
  assert_memory_equal(dkm, b->dkm, b->dkmlen);

  /* A shorter output is a prefix: prf+ does not depend on the length. */
  memset(dkm, 0, sizeof(dkm));
  assert_int_equal(vtun__prf_plus(ops, st, v->prf, skeyseed, v->hlen, seed,
                                  nlen + 16, dkm, 40),
                   0);
  assert_memory_equal(dkm, b->dkm, 40);
}

/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), RFC 7296 §2.18, with
 * SK_d the first PRF-length bytes of the DKM. */
static void kdf_rekey(void *st, const struct kdf_vec *v,
                      const struct kdf_bytes *b) {
  uint8_t data[192], out[64];
  size_t len = 0;

  memcpy(data, b->gir_new, b->newlen);
  len += b->newlen;
  memcpy(data + len, b->ni, b->nilen);
  len += b->nilen;
  memcpy(data + len, b->nr, b->nrlen);
  len += b->nrlen;
  assert_int_equal(vtun__prf(ops, st, v->prf, b->dkm, v->hlen, data, len, out),
                   0);
  assert_memory_equal(out, b->rekey, v->hlen);
}

static void test_cavp_ikev2_kdf(void **state) {
  for (size_t i = 0; i < sizeof(kdf_vecs) / sizeof(kdf_vecs[0]); i++) {
    struct kdf_bytes b;

    print_message("%s\n", kdf_vecs[i].name);
    kdf_decode(&kdf_vecs[i], &b);
    kdf_initial(*state, &kdf_vecs[i], &b);
    kdf_rekey(*state, &kdf_vecs[i], &b);
  }
}

/* RFC 7296 §2.13: the one-octet counter limits prf+ to 255 blocks. */
static void test_prf_plus_limits(void **state) {
  static uint8_t out[255 * 32 + 1];
  uint8_t key[32] = {1}, seed[4] = {2};

  assert_int_equal(vtun__prf_plus(ops, *state, VTUN_PRF_SHA2_256, key, 32, seed,
                                  4, out, 255 * 32),
                   0);
  assert_int_equal(vtun__prf_plus(ops, *state, VTUN_PRF_SHA2_256, key, 32, seed,
                                  4, out, 255 * 32 + 1),
                   VTUN_EINVAL);
  assert_int_equal(vtun__prf_plus(ops, *state, 42, key, 32, seed, 4, out, 32),
                   VTUN_ENOTSUP);
  assert_int_equal(vtun__prf(ops, *state, 42, key, 32, seed, 4, out),
                   VTUN_ENOTSUP);
  assert_int_equal(
      vtun__prf_plus(ops, *state, VTUN_PRF_SHA2_256, key, 32, seed, 4, out, 0),
      0);
}

static int setup(void **state) {
  ops = vtun_crypto_openssl();
  assert_non_null(ops);
  return ops->init(NULL, state);
}

static int teardown(void **state) {
  ops->fini(*state);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cavp_ikev2_kdf),
      cmocka_unit_test(test_prf_plus_limits),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
