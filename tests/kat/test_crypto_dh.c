/* Known-answer and refusal tests of the OpenSSL backend's Diffie-Hellman:
 * RFC 7748 (X25519), RFC 5903 §8 (ECP), MODP round trips, and the peer
 * value checks of RFC 6989. */
#include "test_crypto_hex.h"

#include <openssl/bn.h>

#include "crypto/ossl.h"
#include "vtun/vtun_crypto.h"

static const vtun_crypto_ops *ops;

struct dh_vec {
  const char *name;
  int group;
  const char *i, *gi, *r, *gr, *gir; /* gi, gr: x || y for ECP */
};

/* RFC 7748 §6.1, RFC 5903 §8.1 and §8.2. */
static const struct dh_vec dh_vecs[] = {
    {"RFC 7748 6.1", VTUN_DH_X25519,
     "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
     "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
     "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
     "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
     "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"},
    {"RFC 5903 8.1", VTUN_DH_ECP256,
     "C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433",
     "DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180"
     "5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3",
     "C6EF9C5D 78AE012A 011164AC B397CE20 88685D8F 06BF9BE0 B283AB46 476BEE53",
     "D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63"
     "56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB",
     "D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE"},
    {"RFC 5903 8.2", VTUN_DH_ECP384,
     "099F3C70 34D4A2C6 99884D73 A375A67F 7624EF7C 6B3C0F16 0647B674 14DCE655"
     "E35B5380 41E649EE 3FAEF896 783AB194",
     "667842D7 D180AC2C DE6F74F3 7551F557 55C7645C 20EF73E3 1634FE72 B4C55EE6"
     "DE3AC808 ACB4BDB4 C88732AE E95F41AA"
     "9482ED1F C0EEB9CA FC498462 5CCFC23F 65032149 E0E144AD A0241815 35A0F38E"
     "EB9FCFF3 C2C947DA E69B4C63 4573A81C",
     "41CB0779 B4BDB85D 47846725 FBEC3C94 30FAB46C C8DC5060 855CC9BD A0AA2942"
     "E0308312 916B8ED2 960E4BD5 5A7448FC",
     "E558DBEF 53EECDE3 D3FCCFC1 AEA08A89 A987475D 12FD950D 83CFA417 32BC509D"
     "0D1AC43A 0336DEF9 6FDA41D0 774A3571"
     "DCFBEC7A ACF31964 72169E83 8430367F 66EEBE3C 6E70C416 DD5F0C68 759DD1FF"
     "F83FA401 42209DFF 5EAAD96D B9E6386C",
     "11187331 C279962D 93D60424 3FD592CB 9D0A926F 422E4718 7521287E 7156C5C4"
     "D6031355 69B9E9D0 9CF5D4A2 70F59746"},
};

/* Imports @p priv (with @p pubhex, its public value) and checks that the
 * backend publishes that value and derives @p gir with @p peerhex. */
static void dh_side(void *st, int group, const char *priv, const char *pubhex,
                    const char *peerhex, const char *gir) {
  uint8_t k[80], pub[200], want[200], peer[200], sec[200], exp[80];
  size_t klen = kat_unhex(k, sizeof(k), priv);
  size_t wlen = kat_unhex(want, sizeof(want), pubhex);
  size_t plen = kat_unhex(peer, sizeof(peer), peerhex);
  size_t elen = kat_unhex(exp, sizeof(exp), gir);
  size_t publen = 0, seclen = 0;
  void *dh = NULL;

  assert_int_equal(
      vtun__ossl_dh_import(st, group, k, klen, want, &dh, pub, &publen), 0);
  assert_int_equal(publen, wlen);
  assert_memory_equal(pub, want, wlen);
  assert_int_equal(ops->dh_derive(dh, peer, plen, sec, &seclen), 0);
  assert_int_equal(seclen, elen);
  assert_memory_equal(sec, exp, elen);
  ops->dh_free(dh);
}

static void test_dh_vectors(void **state) {
  for (size_t i = 0; i < sizeof(dh_vecs) / sizeof(dh_vecs[0]); i++) {
    const struct dh_vec *v = &dh_vecs[i];

    print_message("%s\n", v->name);
    dh_side(*state, v->group, v->i, v->gi, v->gr, v->gir);
    dh_side(*state, v->group, v->r, v->gr, v->gi, v->gir);
  }
}

/* RFC 7748 §5.2: scalar times an arbitrary u-coordinate (the second one
 * has its top bit set, which X25519 ignores). */
static void test_x25519_scalar_mult(void **state) {
  static const char *const vec[2][3] = {
      {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
       "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
       "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
      {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
       "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
       "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
  };

  for (int i = 0; i < 2; i++) {
    uint8_t k[32], u[32], want[32], pub[32], sec[32];
    size_t publen, seclen;
    void *dh = NULL;

    kat_unhex(k, sizeof(k), vec[i][0]);
    kat_unhex(u, sizeof(u), vec[i][1]);
    kat_unhex(want, sizeof(want), vec[i][2]);
    assert_int_equal(vtun__ossl_dh_import(*state, VTUN_DH_X25519, k, 32, NULL,
                                          &dh, pub, &publen),
                     0);
    assert_int_equal(ops->dh_derive(dh, u, 32, sec, &seclen), 0);
    assert_memory_equal(sec, want, 32);
    ops->dh_free(dh);
  }
}

/* Two fresh keys of every group agree, and the values have the lengths
 * IKEv2 carries (RFC 7296 §3.4, RFC 5903 §7, RFC 8031 §2). */
static void test_dh_round_trip(void **state) {
  static const struct {
    int group;
    size_t len;
  } groups[] = {{VTUN_DH_MODP768, 96},   {VTUN_DH_MODP1024, 128},
                {VTUN_DH_MODP1536, 192}, {VTUN_DH_MODP2048, 256},
                {VTUN_DH_MODP3072, 384}, {VTUN_DH_MODP4096, 512},
                {VTUN_DH_ECP256, 64},    {VTUN_DH_ECP384, 96},
                {VTUN_DH_ECP521, 132},   {VTUN_DH_X25519, 32}};

  for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
    uint8_t pa[VTUN_DH_MAX_BYTES], pb[VTUN_DH_MAX_BYTES];
    uint8_t sa[VTUN_DH_MAX_BYTES], sb[VTUN_DH_MAX_BYTES];
    size_t la, lb, lsa, lsb;
    void *a = NULL, *b = NULL;

    assert_int_equal(ops->dh_new(*state, groups[g].group, &a, pa, &la), 0);
    assert_int_equal(ops->dh_new(*state, groups[g].group, &b, pb, &lb), 0);
    assert_int_equal(la, groups[g].len);
    assert_int_equal(lb, groups[g].len);
    assert_memory_not_equal(pa, pb, la);
    assert_int_equal(ops->dh_derive(a, pb, lb, sa, &lsa), 0);
    assert_int_equal(ops->dh_derive(b, pa, la, sb, &lsb), 0);
    assert_int_equal(lsa, lsb);
    assert_memory_equal(sa, sb, lsa);
    ops->dh_free(a);
    ops->dh_free(b);
  }
}

/* With the generator 2 as the peer's value, the shared secret is our own
 * public value: both must be left-padded to the prime length (RFC 7296
 * §2.14, §3.4). Keys are drawn until one has a leading zero byte. */
static void test_modp_padding(void **state) {
  uint8_t two[256] = {0}, pub[256], sec[256];
  size_t publen, seclen;
  int padded = 0;

  two[255] = 2;
  for (int i = 0; i < 5000 && !padded; i++) {
    void *dh = NULL;

    assert_int_equal(ops->dh_new(*state, VTUN_DH_MODP2048, &dh, pub, &publen),
                     0);
    assert_int_equal(ops->dh_derive(dh, two, 256, sec, &seclen), 0);
    assert_int_equal(seclen, 256);
    assert_memory_equal(sec, pub, 256);
    padded = pub[0] == 0;
    ops->dh_free(dh);
  }
  assert_true(padded);
}

static void modp_refuse(void *dh, const BIGNUM *y) {
  uint8_t v[256], sec[256];
  size_t seclen = 0;

  assert_int_equal(BN_bn2binpad(y, v, 256), 256);
  assert_int_equal(ops->dh_derive(dh, v, 256, sec, &seclen), VTUN_EINVAL);
}

/* RFC 6989 §2.1: 0, 1, p-1 and p (and a value of the wrong length) are
 * refused; 2 and p-2 are accepted. */
static void test_modp_refusals(void **state) {
  BIGNUM *p = BN_get_rfc3526_prime_2048(NULL), *y = BN_new();
  uint8_t pub[256], v[256], sec[256];
  size_t publen, seclen;
  void *dh = NULL;

  assert_non_null(p);
  assert_non_null(y);
  assert_int_equal(ops->dh_new(*state, VTUN_DH_MODP2048, &dh, pub, &publen), 0);
  BN_zero(y);
  modp_refuse(dh, y);
  assert_int_equal(BN_one(y), 1);
  modp_refuse(dh, y);
  assert_non_null(BN_copy(y, p));
  modp_refuse(dh, y);
  assert_int_equal(BN_sub_word(y, 1), 1);
  modp_refuse(dh, y);

  assert_int_equal(BN_sub_word(y, 1), 1); /* p-2 */
  assert_int_equal(BN_bn2binpad(y, v, 256), 256);
  assert_int_equal(ops->dh_derive(dh, v, 256, sec, &seclen), 0);
  assert_int_equal(ops->dh_derive(dh, pub, 255, sec, &seclen), VTUN_EINVAL);
  ops->dh_free(dh);
  BN_free(y);
  BN_free(p);
}

/* The P-256 prime (FIPS 186-4 D.1.2.3) and a point with x = 0 on the
 * curve: y = sqrt(b) mod p. */
#define P256_P                                                                 \
  "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
#define P256_X0_Y                                                              \
  "0000000000000000000000000000000000000000000000000000000000000000"           \
  "66485c780e2f83d72433bd5d84a06bb6541c2af31dae871728bf856a174f93f4"

/* RFC 6989 §2.3: a point off the curve, or the all-zero encoding, is
 * refused. The RFC 5903 §8.1 responder value with one bit of y flipped is
 * not on the curve. */
static void test_ecp_refusals(void **state) {
  uint8_t pub[64], peer[64], sec[64];
  size_t publen, seclen;
  void *dh = NULL;

  kat_unhex(peer, sizeof(peer), dh_vecs[1].gr);
  assert_int_equal(ops->dh_new(*state, VTUN_DH_ECP256, &dh, pub, &publen), 0);
  assert_int_equal(ops->dh_derive(dh, peer, 64, sec, &seclen), 0);
  peer[63] ^= 0x01;
  assert_int_equal(ops->dh_derive(dh, peer, 64, sec, &seclen), VTUN_EINVAL);
  memset(peer, 0, sizeof(peer));
  assert_int_equal(ops->dh_derive(dh, peer, 64, sec, &seclen), VTUN_EINVAL);

  /* (0, sqrt(b)) is on P-256; the same point with x written as p is not a
   * valid encoding (SEC 1 §2.3.4: coordinates below p). */
  kat_unhex(peer, sizeof(peer), P256_X0_Y);
  assert_int_equal(ops->dh_derive(dh, peer, 64, sec, &seclen), 0);
  kat_unhex(peer, 32, P256_P);
  assert_int_equal(ops->dh_derive(dh, peer, 64, sec, &seclen), VTUN_EINVAL);
  assert_int_equal(ops->dh_derive(dh, pub, 65, sec, &seclen), VTUN_EINVAL);
  ops->dh_free(dh);
}

/* RFC 8031 §2 and RFC 7748 §6.1: the low-order points u = 0 and u = 1
 * give an all-zero result, which is refused. */
static void test_x25519_refusals(void **state) {
  uint8_t pub[32], u[32] = {0}, sec[32];
  size_t publen, seclen;
  void *dh = NULL;

  assert_int_equal(ops->dh_new(*state, VTUN_DH_X25519, &dh, pub, &publen), 0);
  assert_int_equal(ops->dh_derive(dh, u, 32, sec, &seclen), VTUN_EINVAL);
  u[0] = 1;
  assert_int_equal(ops->dh_derive(dh, u, 32, sec, &seclen), VTUN_EINVAL);
  assert_int_equal(ops->dh_derive(dh, pub, 31, sec, &seclen), VTUN_EINVAL);
  ops->dh_free(dh);
}

static void test_dh_unknown(void **state) {
  uint8_t pub[VTUN_DH_MAX_BYTES];
  size_t publen;
  void *dh = NULL;

  assert_int_equal(ops->dh_new(*state, 22, &dh, pub, &publen), VTUN_ENOTSUP);
  assert_int_equal(ops->dh_new(*state, VTUN_DH_NONE, &dh, pub, &publen),
                   VTUN_ENOTSUP);
  assert_null(dh);
  ops->dh_free(NULL);
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
      cmocka_unit_test(test_dh_vectors),
      cmocka_unit_test(test_x25519_scalar_mult),
      cmocka_unit_test(test_dh_round_trip),
      cmocka_unit_test(test_modp_padding),
      cmocka_unit_test(test_modp_refusals),
      cmocka_unit_test(test_ecp_refusals),
      cmocka_unit_test(test_x25519_refusals),
      cmocka_unit_test(test_dh_unknown),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
