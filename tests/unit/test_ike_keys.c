/* The IKEv2 key schedule of the engine (SKEYSEED, the SK_* split of
 * prf+, the rekey SKEYSEED, Child SA KEYMAT) against the NIST CAVP IKEv2
 * KDF sample vectors (SP 800-135 §4.1.2), the same ones the crypto KATs
 * use for prf and prf+ alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "crypto/prf.h"
#include "core/ctx.h"
#include "ike/payload.h"
#include "ike/sa.h"
#include "util/bytes.h"
#include "util/alg.h"

static size_t unhex(uint8_t *out, size_t cap, const char *h) {
  size_t n = strlen(h) / 2;

  assert_true(n <= cap);
  for (size_t i = 0; i < n; i++) {
    unsigned v;

    assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
  return n;
}

struct vec {
  int prf, encr, integ;
  const char *ni, *nr, *gir, *gir_new, *spii, *spir, *skeyseed, *dkm, *rekey;
};

static const struct vec vecs[] = {
    {VTUN_PRF_SHA1, VTUN_ENCR_AES_CBC_128, VTUN_INTEG_SHA1_96,
     "32b50d5f4a3763f3", "9206a04b26564cb1",
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
    {VTUN_PRF_SHA2_256, VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE,
     "3f302be1abcb28e1", "8c332ee006064c9b",
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

/* Compares @p n bytes of @p key with the DKM at *off, moving *off on and
 * stopping at the end of the published DKM. */
static void check_part(const uint8_t *dkm, size_t dlen, size_t *off,
                       const uint8_t *key, size_t n) {
  size_t take = *off >= dlen ? 0 : (dlen - *off < n ? dlen - *off : n);

  assert_memory_equal(dkm + *off, key, take);
  *off += n;
}

static void run_vec(const struct vec *v) {
  vtun_ctx *ctx;
  struct vtun__ikesa *sa;
  uint8_t gir[64], girn[64], spi[8], seed[64], want[64], dkm[256];
  size_t glen, gnlen, dlen, off = 0, hlen = vtun__prf_info(v->prf)->outlen;

  assert_int_equal(vtun_ctx_new(&ctx, NULL, NULL, NULL), 0);
  sa = vtun__ike_sa_new(ctx, NULL, true);
  assert_non_null(sa);
  sa->k.prf = v->prf, sa->k.encr = v->encr, sa->k.integ = v->integ;
  sa->ni_len = unhex(sa->ni, IKE_NONCE_MAX, v->ni);
  sa->nr_len = unhex(sa->nr, IKE_NONCE_MAX, v->nr);
  glen = unhex(gir, sizeof(gir), v->gir);
  gnlen = unhex(girn, sizeof(girn), v->gir_new);
  unhex(spi, 8, v->spii), sa->ispi = vtun__be64(spi);
  unhex(spi, 8, v->spir), sa->rspi = vtun__be64(spi);
  dlen = unhex(dkm, sizeof(dkm), v->dkm);

  /* SKEYSEED = prf(Ni | Nr, g^ir) */
  assert_int_equal(vtun__ike_skeyseed(sa, gir, glen, NULL, 0, seed), 0);
  unhex(want, sizeof(want), v->skeyseed);
  assert_memory_equal(seed, want, hlen);

  /* SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr = prf+(...) */
  assert_int_equal(vtun__ike_keys_derive(sa, seed, hlen), 0);
  check_part(dkm, dlen, &off, sa->k.sk_d, sa->k.prf_len);
  check_part(dkm, dlen, &off, sa->k.sk_ai, sa->k.akey_len);
  check_part(dkm, dlen, &off, sa->k.sk_ar, sa->k.akey_len);
  check_part(dkm, dlen, &off, sa->k.sk_ei, sa->k.ekey_len);
  check_part(dkm, dlen, &off, sa->k.sk_er, sa->k.ekey_len);
  check_part(dkm, dlen, &off, sa->neg->sk_pi, sa->k.prf_len);
  check_part(dkm, dlen, &off, sa->neg->sk_pr, sa->k.prf_len);

  /* Rekey: SKEYSEED = prf(SK_d, g^ir (new) | Ni | Nr) with the SK_d the
   * vectors take from the start of DKM. */
  assert_int_equal(vtun__ike_skeyseed(sa, girn, gnlen, dkm, v->prf, seed), 0);
  unhex(want, sizeof(want), v->rekey);
  assert_memory_equal(seed, want, hlen);
  vtun__ike_sa_free(sa);
  vtun_ctx_free(ctx);
}

static void test_cavp_sha1(void **state) {
  (void)state;
  run_vec(&vecs[0]);
}

static void test_cavp_sha256(void **state) {
  (void)state;
  run_vec(&vecs[1]);
}

/* Child SA KEYMAT (RFC 7296 §2.17) is prf+(SK_d, Ni | Nr): the
 * initiator-to-responder key first, each key encryption key, salt, then
 * integrity key. */
static void test_child_keymat(void **state) {
  vtun_ctx *ctx;
  struct vtun__ikesa *sa;
  struct vtun__child c = {.encr = VTUN_ENCR_AES_CBC_256,
                          .integ = VTUN_INTEG_SHA2_256_128};
  uint8_t ki[128], kr[128], seed[64], want[128];
  size_t klen = 0;

  (void)state;
  assert_int_equal(vtun_ctx_new(&ctx, NULL, NULL, NULL), 0);
  sa = vtun__ike_sa_new(ctx, NULL, true);
  sa->k.prf = VTUN_PRF_SHA2_256;
  sa->k.prf_len = 32;
  memset(sa->k.sk_d, 0x11, 32);
  memset(seed, 0x22, 16);
  memset(seed + 16, 0x33, 16);
  assert_int_equal(vtun__ike_child_keys(sa, &c, NULL, 0, seed, 16, seed + 16,
                                        16, ki, kr, &klen),
                   0);
  assert_int_equal(klen, 64);
  assert_int_equal(vtun__prf_plus(ctx->crypto, ctx->crypto_state,
                                  VTUN_PRF_SHA2_256, sa->k.sk_d, 32, seed, 32,
                                  want, 128),
                   0);
  assert_memory_equal(ki, want, 64);
  assert_memory_equal(kr, want + 64, 64);
  vtun__ike_sa_free(sa);
  vtun_ctx_free(ctx);
}

/* What only the negotiation needs goes once the SA is established; the
 * functions that need it then refuse instead of reading freed memory. */
static void test_neg_freed(void **state) {
  vtun_ctx *ctx;
  struct vtun__ikesa *sa;
  uint8_t seed[32] = {0}, auth[64];
  size_t alen = 0;

  (void)state;
  assert_int_equal(vtun_ctx_new(&ctx, NULL, NULL, NULL), 0);
  sa = vtun__ike_sa_new(ctx, NULL, true);
  assert_non_null(sa);
  assert_non_null(sa->neg);
  assert_ptr_equal(sa->ni, sa->neg->ni);
  assert_ptr_equal(sa->nr, sa->neg->nr);
  vtun__ike_sa_neg_free(sa);
  assert_null(sa->neg);
  assert_null(sa->ni);
  assert_null(sa->nr);
  assert_int_equal(sa->ni_len + sa->nr_len, 0);
  sa->k.prf = VTUN_PRF_SHA2_256;
  sa->k.encr = VTUN_ENCR_AES_GCM_256;
  assert_int_equal(vtun__ike_keys_derive(sa, seed, 32), VTUN_ESTATE);
  assert_int_equal(vtun__ike_psk_auth(sa, true, seed, 4, seed, 8, auth, &alen),
                   VTUN_ESTATE);
  vtun__ike_sa_free(sa);
  vtun_ctx_free(ctx);
}

/* Gives @p sa the keys both ends of an IKE SA share. */
static void sk_keys(struct vtun__ikesa *sa, int encr, int integ) {
  const struct vtun__encr_info *e = vtun__encr_info(encr);
  struct vtun__ike_keys *k = &sa->k;

  k->encr = encr;
  k->integ = integ;
  k->prf = VTUN_PRF_SHA2_256;
  k->prf_len = 32;
  k->ekey_len = e->keylen + e->saltlen;
  k->akey_len = integ != 0 ? vtun__integ_info(integ)->keylen : 0;
  memset(k->sk_ei, 0x11, sizeof(k->sk_ei));
  memset(k->sk_er, 0x22, sizeof(k->sk_er));
  memset(k->sk_ai, 0x33, sizeof(k->sk_ai));
  memset(k->sk_ar, 0x44, sizeof(k->sk_ar));
  sa->ispi = 0x0102030405060708ull;
  sa->rspi = 0x1112131415161718ull;
}

/* An SK message sealed by one end opens at the other with the objects
 * each makes for the message, in both directions; a changed byte or the
 * sender's own keys do not open it. */
static void sk_roundtrip(int encr, int integ) {
  static const uint8_t data[] = {1, 2, 3, 4, 5};
  vtun_ctx *ctx;
  struct vtun__ikesa *i, *r, *from, *to;
  struct vtun__ike_writer w;
  struct vtun__ike_notify n;
  struct vtun__ike_chain c;
  struct vtun__ike_msg m;
  uint8_t inner[64], msg[512];
  size_t len;

  assert_int_equal(vtun_ctx_new(&ctx, NULL, NULL, NULL), 0);
  i = vtun__ike_sa_new(ctx, NULL, true);
  r = vtun__ike_sa_new(ctx, NULL, false);
  assert_non_null(i);
  assert_non_null(r);
  sk_keys(i, encr, integ);
  sk_keys(r, encr, integ);
  for (int dir = 0; dir < 2; dir++) {
    from = dir == 0 ? i : r;
    to = dir == 0 ? r : i;
    vtun__ike_writer_init(&w, inner, sizeof(inner));
    assert_int_equal(vtun__ike_put_n(&w, VTUN__IKE_N_COOKIE, data, 5), 0);
    assert_int_equal(
        vtun__ike_send_sk(from, VTUN__IKE_X_INFORMATIONAL, false, 7, &w), 0);
    len = from->req.len;
    assert_true(len <= sizeof(msg));
    memcpy(msg, from->req.buf, len);

    assert_int_equal(vtun__ike_msg_parse(msg, len, &m), 0);
    assert_int_equal(vtun__ike_open_sk(to, &m, &c), 0);
    assert_int_equal(vtun__ike_find_notify(&c, VTUN__IKE_N_COOKIE, &n), 0);
    assert_int_equal(n.len, 5);
    assert_memory_equal(n.data, data, 5);
    assert_int_not_equal(vtun__ike_open_sk(from, &m, &c), 0);

    msg[len - 1] ^= 1;
    assert_int_equal(vtun__ike_msg_parse(msg, len, &m), 0);
    assert_int_equal(vtun__ike_open_sk(to, &m, &c), VTUN_EINTEGRITY);
  }
  vtun__ike_sa_free(i);
  vtun__ike_sa_free(r);
  vtun_ctx_free(ctx);
}

static void test_sk_gcm(void **state) {
  (void)state;
  sk_roundtrip(VTUN_ENCR_AES_GCM_256, 0);
}

static void test_sk_cbc(void **state) {
  (void)state;
  sk_roundtrip(VTUN_ENCR_AES_CBC_128, VTUN_INTEG_SHA2_256_128);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cavp_sha1),    cmocka_unit_test(test_cavp_sha256),
      cmocka_unit_test(test_child_keymat), cmocka_unit_test(test_neg_freed),
      cmocka_unit_test(test_sk_gcm),       cmocka_unit_test(test_sk_cbc),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
