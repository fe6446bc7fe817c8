/* Known-answer tests of the OpenSSL backend's symmetric primitives: AEAD,
 * AES-CBC, HMAC and hashes, each against the published vectors named at
 * its table, plus tampering, in-place use, key reuse, many keys taking
 * turns in the backend's keyed contexts (from one thread and from two),
 * and the absence of allocations on the data path. */
#include "test_crypto_hex.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "vtun/vtun_crypto.h"

static const vtun_crypto_ops *ops;
static long allocs; /* OpenSSL allocations seen since the program began */

struct aead_vec {
  const char *name;
  int encr;
  const char *key, *nonce, *aad, *pt, *ct, *tag;
};

/* The GCM specification's test cases 1-4 and 16 (McGrew and Viega,
 * reused in draft-mcgrew-gcm-test-01), RFC 8439 §2.8.2 and the ESP
 * example of RFC 7634 Appendix A. */
#define GCM_K128 "feffe9928665731c6d6a8f9467308308"
#define GCM_PT60                                                               \
  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"           \
  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define GCM_AAD "feedfacedeadbeeffeedfacedeadbeefabaddad2"
static const struct aead_vec aead_vecs[] = {
    {"GCM TC1", VTUN_ENCR_AES_GCM_128, "00000000000000000000000000000000",
     "000000000000000000000000", "", "", "",
     "58e2fccefa7e3061367f1d57a4e7455a"},
    {"GCM TC2", VTUN_ENCR_AES_GCM_128, "00000000000000000000000000000000",
     "000000000000000000000000", "", "00000000000000000000000000000000",
     "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"},
    {"GCM TC3", VTUN_ENCR_AES_GCM_128, GCM_K128, "cafebabefacedbaddecaf888", "",
     GCM_PT60 "1aafd255",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"GCM TC4", VTUN_ENCR_AES_GCM_128, GCM_K128, "cafebabefacedbaddecaf888",
     GCM_AAD, GCM_PT60,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {"GCM TC16", VTUN_ENCR_AES_GCM_256, GCM_K128 GCM_K128,
     "cafebabefacedbaddecaf888", GCM_AAD, GCM_PT60,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    {"RFC 8439 2.8.2", VTUN_ENCR_CHACHA20_POLY1305,
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
     "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
     /* "Ladies and Gentlemen of the class of '99: If I could offer you
      * only one tip for the future, sunscreen would be it." */
     "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
     "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
     "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
     "637265656e20776f756c642062652069742e",
     "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
     "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
     "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
     "3ff4def08e4b7a9de576d26586cec64b6116",
     "1ae10b594f09e26a7e902ecbd0600691"},
    /* RFC 7634 Appendix A: nonce = salt | IV, AAD = SPI | sequence number,
     * plaintext = the IPv4 packet, padding 01 02, pad length 2, next
     * header 4. */
    {"RFC 7634 A", VTUN_ENCR_CHACHA20_POLY1305,
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
     "a0a1a2a3"
     "1011121314151617",
     "01020304"
     "00000005",
     "45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec10"
     "0007362708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
     "2425262728292a2b2c2d2e2f3031323334353637"
     "01020204",
     "24039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c6"
     "14ee8099d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3"
     "cbec163fac469b502773f6fb94e664da9165b82829f641e0",
     "76aaa8266b7fb0f7b11b369907e1ad43"},
};

struct bytes {
  uint8_t key[64], nonce[12], aad[64], pt[256], ct[256], tag[16];
  size_t keylen, aadlen, len, taglen;
};

static void aead_decode(const struct aead_vec *v, struct bytes *b) {
  size_t n;

  b->keylen = kat_unhex(b->key, sizeof(b->key), v->key);
  n = kat_unhex(b->nonce, sizeof(b->nonce), v->nonce);
  assert_int_equal(n, 12);
  b->aadlen = kat_unhex(b->aad, sizeof(b->aad), v->aad);
  b->len = kat_unhex(b->pt, sizeof(b->pt), v->pt);
  n = kat_unhex(b->ct, sizeof(b->ct), v->ct);
  assert_int_equal(n, b->len);
  b->taglen = kat_unhex(b->tag, sizeof(b->tag), v->tag);
}

static void *aead_make(void *st, int encr, const struct bytes *b) {
  void *a = NULL;

  assert_int_equal(ops->aead_new(st, encr, b->key, b->keylen, &a), 0);
  assert_non_null(a);
  return a;
}

/* Seal and open, out of place then in place, against one vector. */
static void aead_check(void *st, const struct aead_vec *v) {
  struct bytes b;
  uint8_t buf[256], tag[16];
  void *a;

  aead_decode(v, &b);
  a = aead_make(st, v->encr, &b);
  assert_int_equal(ops->aead_seal(a, b.nonce, b.aad, b.aadlen, b.pt, b.len, buf,
                                  tag, b.taglen),
                   0);
  assert_memory_equal(buf, b.ct, b.len);
  assert_memory_equal(tag, b.tag, b.taglen);

  assert_int_equal(ops->aead_open(a, b.nonce, b.aad, b.aadlen, b.ct, b.len, buf,
                                  b.tag, b.taglen),
                   0);
  assert_memory_equal(buf, b.pt, b.len);

  memcpy(buf, b.pt, b.len);
  assert_int_equal(ops->aead_seal(a, b.nonce, b.aad, b.aadlen, buf, b.len, buf,
                                  tag, b.taglen),
                   0);
  assert_memory_equal(buf, b.ct, b.len);
  assert_int_equal(ops->aead_open(a, b.nonce, b.aad, b.aadlen, buf, b.len, buf,
                                  tag, b.taglen),
                   0);
  assert_memory_equal(buf, b.pt, b.len);
  ops->aead_free(a);
}

static void test_aead_vectors(void **state) {
  for (size_t i = 0; i < sizeof(aead_vecs) / sizeof(aead_vecs[0]); i++) {
    print_message("%s\n", aead_vecs[i].name);
    aead_check(*state, &aead_vecs[i]);
  }
}

/* One flipped bit anywhere (ciphertext, tag, AAD, nonce) is refused, and
 * nothing of the forged plaintext is left in the output. */
static void test_aead_tamper(void **state) {
  const struct aead_vec *v = &aead_vecs[3];
  struct bytes b;
  uint8_t buf[256], zero[256] = {0};
  void *a;

  aead_decode(v, &b);
  a = aead_make(*state, v->encr, &b);
  b.ct[7] ^= 0x01;
  assert_int_equal(
      ops->aead_open(a, b.nonce, b.aad, b.aadlen, b.ct, b.len, buf, b.tag, 16),
      VTUN_EINTEGRITY);
  assert_memory_equal(buf, zero, b.len);
  b.ct[7] ^= 0x01;

  b.tag[15] ^= 0x80;
  assert_int_equal(
      ops->aead_open(a, b.nonce, b.aad, b.aadlen, b.ct, b.len, buf, b.tag, 16),
      VTUN_EINTEGRITY);
  b.tag[15] ^= 0x80;
  b.aad[0] ^= 0x01;
  assert_int_equal(
      ops->aead_open(a, b.nonce, b.aad, b.aadlen, b.ct, b.len, buf, b.tag, 16),
      VTUN_EINTEGRITY);
  b.aad[0] ^= 0x01;
  b.nonce[11] ^= 0x01;
  assert_int_equal(
      ops->aead_open(a, b.nonce, b.aad, b.aadlen, b.ct, b.len, buf, b.tag, 16),
      VTUN_EINTEGRITY);
  b.nonce[11] ^= 0x01;

  /* The object still works after refusals. */
  assert_int_equal(
      ops->aead_open(a, b.nonce, b.aad, b.aadlen, b.ct, b.len, buf, b.tag, 16),
      0);
  assert_memory_equal(buf, b.pt, b.len);
  ops->aead_free(a);
}

/* RFC 4106 §8.1: the 8 and 12-byte ICVs are the leading bytes of the full
 * tag; ChaCha20-Poly1305 only has 16 (RFC 7634 §2). */
static void test_aead_short_tags(void **state) {
  struct bytes b, c;
  uint8_t buf[256], tag[16];
  void *a, *cc;

  aead_decode(&aead_vecs[4], &b);
  a = aead_make(*state, aead_vecs[4].encr, &b);
  for (size_t t = 8; t <= 12; t += 4) {
    assert_int_equal(
        ops->aead_seal(a, b.nonce, b.aad, b.aadlen, b.pt, b.len, buf, tag, t),
        0);
    assert_memory_equal(tag, b.tag, t);
    assert_int_equal(
        ops->aead_open(a, b.nonce, b.aad, b.aadlen, b.ct, b.len, buf, b.tag, t),
        0);
    tag[t - 1] ^= 1;
    assert_int_equal(
        ops->aead_open(a, b.nonce, b.aad, b.aadlen, b.ct, b.len, buf, tag, t),
        VTUN_EINTEGRITY);
  }
  assert_int_equal(
      ops->aead_seal(a, b.nonce, b.aad, b.aadlen, b.pt, b.len, buf, tag, 4),
      VTUN_EINVAL);
  ops->aead_free(a);

  aead_decode(&aead_vecs[5], &c);
  cc = aead_make(*state, aead_vecs[5].encr, &c);
  assert_int_equal(
      ops->aead_seal(cc, c.nonce, c.aad, c.aadlen, c.pt, c.len, buf, tag, 12),
      VTUN_EINVAL);
  ops->aead_free(cc);
}

static void test_aead_bad_args(void **state) {
  uint8_t key[32] = {0};
  void *a = NULL;

  assert_int_equal(ops->aead_new(*state, VTUN_ENCR_AES_GCM_128, key, 32, &a),
                   VTUN_EINVAL);
  assert_int_equal(ops->aead_new(*state, VTUN_ENCR_AES_CBC_128, key, 16, &a),
                   VTUN_ENOTSUP);
  assert_int_equal(ops->aead_new(*state, VTUN_ENCR_3DES, key, 24, &a),
                   VTUN_ENOTSUP);
  assert_null(a);
  ops->aead_free(NULL);
}

/* Packet after packet on one object, each with its own nonce, gives what a
 * fresh object gives for that packet alone. */
static void test_aead_key_reuse(void **state) {
  static const int encrs[] = {VTUN_ENCR_AES_GCM_128, VTUN_ENCR_AES_GCM_256,
                              VTUN_ENCR_CHACHA20_POLY1305};
  uint8_t key[32], nonce[12] = {0}, aad[8], pt[300], c1[300], c2[300];
  uint8_t t1[16], t2[16];

  for (size_t i = 0; i < sizeof(key); i++)
    key[i] = (uint8_t)(i * 7 + 1);
  for (size_t i = 0; i < sizeof(pt); i++)
    pt[i] = (uint8_t)i;
  memset(aad, 0xa5, sizeof(aad));
  for (size_t e = 0; e < 3; e++) {
    size_t klen = encrs[e] == VTUN_ENCR_AES_GCM_128 ? 16 : 32;
    void *kept = NULL;

    assert_int_equal(ops->aead_new(*state, encrs[e], key, klen, &kept), 0);
    for (uint32_t seq = 1; seq <= 200; seq++) {
      size_t len = seq % sizeof(pt);
      void *fresh = NULL;

      memcpy(nonce + 8, &seq, 4);
      assert_int_equal(ops->aead_new(*state, encrs[e], key, klen, &fresh), 0);
      assert_int_equal(
          ops->aead_seal(fresh, nonce, aad, 8, pt, len, c1, t1, 16), 0);
      assert_int_equal(ops->aead_seal(kept, nonce, aad, 8, pt, len, c2, t2, 16),
                       0);
      assert_memory_equal(c1, c2, len);
      assert_memory_equal(t1, t2, 16);
      assert_int_equal(ops->aead_open(kept, nonce, aad, 8, c2, len, c2, t2, 16),
                       0);
      assert_memory_equal(c2, pt, len);
      ops->aead_free(fresh);
    }
    ops->aead_free(kept);
  }
}

/* Many keys of one algorithm: an object's message comes out the same
 * whether its key is still in one of the backend's keyed contexts or has
 * to be put in again, also after objects were freed and others made with
 * other keys; once every context exists, nothing allocates. */
#define MANY 40

static void many_keys(int encr, size_t klen, uint8_t key[MANY][32]) {
  for (int k = 0; k < MANY; k++)
    for (size_t i = 0; i < klen; i++)
      key[k][i] = (uint8_t)(k * 31 + i * 7 + encr);
}

static void test_aead_many_keys(void **state) {
  static const int encrs[] = {VTUN_ENCR_AES_GCM_128, VTUN_ENCR_AES_GCM_256,
                              VTUN_ENCR_CHACHA20_POLY1305};
  uint8_t key[MANY][32], nonce[12] = {1, 2, 3}, pt[100], ct[MANY][100];
  uint8_t tag[MANY][16], buf[100], t[16];
  void *a[MANY];
  int has[MANY]; /* which key a[k] holds */
  long before;

  for (size_t i = 0; i < sizeof(pt); i++)
    pt[i] = (uint8_t)(i ^ 0x5a);
  for (size_t e = 0; e < 3; e++) {
    size_t klen = encrs[e] == VTUN_ENCR_AES_GCM_128 ? 16 : 32;

    /* The reference: each key alone, in a fresh object. */
    many_keys(encrs[e], klen, key);
    for (int k = 0; k < MANY; k++) {
      assert_int_equal(ops->aead_new(*state, encrs[e], key[k], klen, &a[k]), 0);
      assert_int_equal(
          ops->aead_seal(a[k], nonce, NULL, 0, pt, 100, ct[k], tag[k], 16), 0);
      ops->aead_free(a[k]);
    }

    for (int k = 0; k < MANY; k++) {
      assert_int_equal(ops->aead_new(*state, encrs[e], key[k], klen, &a[k]), 0);
      has[k] = k;
    }
    before = allocs;
    for (int round = 0; round < 20; round++) {
      int old = round % MANY, swap = (round + MANY / 2) % MANY;

      /* Forwards, backwards, and the same key twice in a row. */
      for (int j = 0; j < MANY; j++) {
        int k = round % 2 == 0 ? j : MANY - 1 - j;

        assert_int_equal(
            ops->aead_seal(a[k], nonce, NULL, 0, pt, 100, buf, t, 16), 0);
        assert_memory_equal(buf, ct[has[k]], 100);
        assert_memory_equal(t, tag[has[k]], 16);
        assert_int_equal(
            ops->aead_open(a[k], nonce, NULL, 0, buf, 100, buf, t, 16), 0);
        assert_memory_equal(buf, pt, 100);
      }
      /* Every context of the algorithm exists after the first round. */
      if (round > 0)
        assert_int_equal(allocs - before, 0);
      /* An object freed and one made in its place with another key:
       * the new one encrypts with its own key. */
      assert_int_equal(
          ops->aead_seal(a[old], nonce, NULL, 0, pt, 100, buf, t, 16), 0);
      ops->aead_free(a[old]);
      has[old] = has[swap];
      assert_int_equal(
          ops->aead_new(*state, encrs[e], key[has[old]], klen, &a[old]), 0);
      assert_int_equal(
          ops->aead_seal(a[old], nonce, NULL, 0, pt, 100, buf, t, 16), 0);
      assert_memory_equal(buf, ct[has[old]], 100);
      before = allocs;
    }
    for (int k = 0; k < MANY; k++)
      ops->aead_free(a[k]);
  }
}

/* Two threads sealing and opening with different objects of one
 * algorithm at the same time share the backend's keyed contexts without
 * mixing their keys. */
struct race {
  void *a[4];
  uint8_t (*ct)[64];
  int bad;
};

static void *race_run(void *arg) {
  struct race *r = arg;
  uint8_t nonce[12] = {9}, pt[64] = {0}, buf[64], tag[16];

  for (int i = 0; i < 20000; i++) {
    int k = i % 4;

    if (r->a[k] == NULL)
      continue;
    if (ops->aead_seal(r->a[k], nonce, NULL, 0, pt, 64, buf, tag, 16) != 0 ||
        memcmp(buf, r->ct[k], 64) != 0 ||
        ops->aead_open(r->a[k], nonce, NULL, 0, buf, 64, buf, tag, 16) != 0)
      r->bad++;
  }
  return NULL;
}

static void test_aead_threads(void **state) {
  uint8_t key[MANY][32], nonce[12] = {9}, pt[64] = {0}, ct[8][64], tag[16];
  struct race r1 = {{NULL}, ct, 0}, r2 = {{NULL}, ct + 4, 0};
  pthread_t th;

  many_keys(VTUN_ENCR_AES_GCM_256, 32, key);
  for (int k = 0; k < 8; k++) {
    void **a = k < 4 ? &r1.a[k] : &r2.a[k - 4];

    assert_int_equal(
        ops->aead_new(*state, VTUN_ENCR_AES_GCM_256, key[k], 32, a), 0);
    assert_int_equal(ops->aead_seal(*a, nonce, NULL, 0, pt, 64, ct[k], tag, 16),
                     0);
  }
  assert_int_equal(pthread_create(&th, NULL, race_run, &r2), 0);
  race_run(&r1);
  assert_int_equal(pthread_join(th, NULL), 0);
  assert_int_equal(r1.bad, 0);
  assert_int_equal(r2.bad, 0);
  for (int k = 0; k < 4; k++) {
    ops->aead_free(r1.a[k]);
    ops->aead_free(r2.a[k]);
  }
}

struct cbc_vec {
  const char *name;
  int encr;
  const char *key, *iv, *pt, *ct;
};

/* RFC 3602 §4 cases 1-3 and NIST SP 800-38A F.2.3 and F.2.5. */
#define SP800_38A_PT                                                           \
  "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"           \
  "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"
static const struct cbc_vec cbc_vecs[] = {
    {"RFC 3602 case 1", VTUN_ENCR_AES_CBC_128,
     "06a9214036b8a15b512e03d534120006", "3dafba429d9eb430b422da802c9fac41",
     "53696e676c6520626c6f636b206d7367", /* "Single block msg" */
     "e353779c1079aeb82708942dbe77181a"},
    {"RFC 3602 case 2", VTUN_ENCR_AES_CBC_128,
     "c286696d887c9aa0611bbb3e2025a45a", "562e17996d093d28ddb3ba695a2e6f58",
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1"},
    {"RFC 3602 case 3", VTUN_ENCR_AES_CBC_128,
     "6c3ea0477630ce21a2ce334aa746c2cd", "c782dc4c098c66cbd9cd27d825682c81",
     /* "This is a 48-byte message (exactly 3 AES blocks)" */
     "5468697320697320612034382d62797465206d657373616765202865786163746c"
     "7920332041455320626c6f636b7329",
     "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5"
     "021c19216bad525c8579695d83ba2684"},
    {"SP 800-38A F.2.3", VTUN_ENCR_AES_CBC_192,
     "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
     "000102030405060708090a0b0c0d0e0f", SP800_38A_PT,
     "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a"
     "571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd"},
    {"SP 800-38A F.2.5", VTUN_ENCR_AES_CBC_256,
     "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "000102030405060708090a0b0c0d0e0f", SP800_38A_PT,
     "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
     "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"},
};

static void cbc_check(void *st, const struct cbc_vec *v) {
  uint8_t key[32], iv[16], pt[64], ct[64], buf[64];
  size_t klen = kat_unhex(key, sizeof(key), v->key);
  size_t len = kat_unhex(pt, sizeof(pt), v->pt);
  void *enc = NULL, *dec = NULL;

  assert_int_equal(kat_unhex(iv, sizeof(iv), v->iv), 16);
  assert_int_equal(kat_unhex(ct, sizeof(ct), v->ct), len);
  assert_int_equal(ops->cipher_new(st, v->encr, 1, key, klen, &enc), 0);
  assert_int_equal(ops->cipher_new(st, v->encr, 0, key, klen, &dec), 0);

  assert_int_equal(ops->cipher_run(enc, iv, pt, buf, len), 0);
  assert_memory_equal(buf, ct, len);
  assert_int_equal(ops->cipher_run(dec, iv, buf, buf, len), 0);
  assert_memory_equal(buf, pt, len);
  assert_int_equal(ops->cipher_run(enc, iv, buf, buf, len), 0);
  assert_memory_equal(buf, ct, len);
  assert_int_equal(ops->cipher_run(dec, iv, ct, buf, len), 0);
  assert_memory_equal(buf, pt, len);

  assert_int_equal(ops->cipher_run(enc, iv, pt, buf, 15), VTUN_EINVAL);
  ops->cipher_free(enc);
  ops->cipher_free(dec);
}

static void test_cbc_vectors(void **state) {
  uint8_t key[16] = {0};
  void *c = NULL;

  for (size_t i = 0; i < sizeof(cbc_vecs) / sizeof(cbc_vecs[0]); i++) {
    print_message("%s\n", cbc_vecs[i].name);
    cbc_check(*state, &cbc_vecs[i]);
  }
  assert_int_equal(
      ops->cipher_new(*state, VTUN_ENCR_AES_CBC_256, 1, key, 16, &c),
      VTUN_EINVAL);
  assert_int_equal(
      ops->cipher_new(*state, VTUN_ENCR_AES_GCM_128, 1, key, 16, &c),
      VTUN_ENOTSUP);
  ops->cipher_free(NULL);
}

struct mac_vec {
  const char *name;
  int alg, is_prf;
  const char *key, *data, *mac; /* mac: the expected, truncated output */
};

/* RFC 2202 §3 cases 1 and 5, RFC 4868 §2.7.1 (PRF-1, PRF-2, which are
 * RFC 4231's cases 1 and 2) and §2.7.2 (AUTH256-1, AUTH384-1,
 * AUTH512-1), and RFC 4231 §4.7 (a key longer than the block). */
#define HI_THERE "4869205468657265"
static const struct mac_vec mac_vecs[] = {
    {"RFC 2202 SHA1 1", VTUN_PRF_SHA1, 1,
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", HI_THERE,
     "b617318655057264e28bc0b6fb378c8ef146be00"},
    {"RFC 2202 SHA1-96 5", VTUN_INTEG_SHA1_96, 0,
     "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c",
     "546573742057697468205472756e636174696f6e", /* Test With Truncation */
     "4c1a03424b55e07fe7f27be1"},
    {"RFC 4868 PRF-1 SHA256", VTUN_PRF_SHA2_256, 1,
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", HI_THERE,
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"RFC 4868 PRF-1 SHA384", VTUN_PRF_SHA2_384, 1,
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", HI_THERE,
     "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
     "faea9ea9076ede7f4af152e8b2fa9cb6"},
    {"RFC 4868 PRF-1 SHA512", VTUN_PRF_SHA2_512, 1,
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", HI_THERE,
     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
     "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
    {"RFC 4868 PRF-2 SHA256", VTUN_PRF_SHA2_256, 1, "4a656665", /* Jefe */
     /* "what do ya want for nothing?" */
     "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"RFC 4868 AUTH256-1", VTUN_INTEG_SHA2_256_128, 0,
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     HI_THERE, "198a607eb44bfbc69903a0f1cf2bbdc5"},
    {"RFC 4868 AUTH384-1", VTUN_INTEG_SHA2_384_192, 0,
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     HI_THERE, "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973"},
    {"RFC 4868 AUTH512-1", VTUN_INTEG_SHA2_512_256, 0,
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     HI_THERE,
     "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8"},
    {"RFC 4231 4.7 SHA256", VTUN_PRF_SHA2_256, 1, /* 131 bytes of 0xaa */
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaa",
     /* "Test Using Larger Than Block-Size Key - Hash Key First" */
     "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
     "65204b6579202d2048617368204b6579204669727374",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
};

/* Runs the vector twice (the re-keyed context must give the same) and
 * once split over three buffers. */
static void mac_check(void *st, const struct mac_vec *v) {
  uint8_t key[160], data[128], want[64], out[64];
  size_t klen = kat_unhex(key, sizeof(key), v->key);
  size_t dlen = kat_unhex(data, sizeof(data), v->data);
  size_t mlen = kat_unhex(want, sizeof(want), v->mac);
  const uint8_t *one[] = {data};
  const uint8_t *three[] = {data, data + 1, data + 3};
  size_t lens1[] = {dlen}, lens3[] = {1, 2, dlen - 3};
  void *m = NULL;

  assert_int_equal(ops->mac_new(st, v->alg, v->is_prf, key, klen, &m), 0);
  for (int i = 0; i < 2; i++) {
    memset(out, 0, sizeof(out));
    assert_int_equal(ops->mac_run(m, one, lens1, 1, out, mlen), 0);
    assert_memory_equal(out, want, mlen);
  }
  memset(out, 0, sizeof(out));
  assert_int_equal(ops->mac_run(m, three, lens3, 3, out, mlen), 0);
  assert_memory_equal(out, want, mlen);
  ops->mac_free(m);
}

static void test_mac_vectors(void **state) {
  uint8_t key[20] = {0}, out[65];
  const uint8_t *d[] = {key};
  size_t l[] = {1};
  void *m = NULL;

  for (size_t i = 0; i < sizeof(mac_vecs) / sizeof(mac_vecs[0]); i++) {
    print_message("%s\n", mac_vecs[i].name);
    mac_check(*state, &mac_vecs[i]);
  }

  assert_int_equal(ops->mac_new(*state, VTUN_PRF_SHA2_256, 1, key, 20, &m), 0);
  assert_int_equal(ops->mac_run(m, d, l, 1, out, 33), VTUN_EINVAL);
  ops->mac_free(m);
  assert_int_equal(ops->mac_new(*state, 99, 0, key, 20, &m), VTUN_ENOTSUP);
  ops->mac_free(NULL);
}

/* FIPS 180-2 Appendix A/B: the digests of "abc". */
static void test_hash(void **state) {
  static const uint8_t abc[] = {'a', 'b', 'c'};
  uint8_t out[32], want[32];

  kat_unhex(want, sizeof(want), "a9993e364706816aba3e25717850c26c9cd0d89d");
  assert_int_equal(ops->hash(*state, VTUN_HASH_SHA1, abc, 3, out, 20), 0);
  assert_memory_equal(out, want, 20);
  kat_unhex(want, sizeof(want),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert_int_equal(ops->hash(*state, VTUN_HASH_SHA2_256, abc, 3, out, 32), 0);
  assert_memory_equal(out, want, 32);
  assert_int_equal(ops->hash(*state, VTUN_HASH_SHA1, abc, 3, out, 21),
                   VTUN_EINVAL);
  assert_int_equal(ops->hash(*state, 9, abc, 3, out, 20), VTUN_ENOTSUP);
}

static void test_random(void **state) {
  uint8_t a[32] = {0}, b[32] = {0};

  assert_int_equal(ops->random(*state, a, sizeof(a)), 0);
  assert_int_equal(ops->random(*state, b, sizeof(b)), 0);
  assert_memory_not_equal(a, b, sizeof(a));
  assert_int_equal(ops->random(*state, a, 0), 0);
}

/* DESIGN.md: no allocation per packet. AEAD and CBC keep their context and
 * only set the nonce, so OpenSSL allocates nothing per call. */
static void test_data_path_allocates_nothing(void **state) {
  const struct aead_vec *v = &aead_vecs[3];
  struct bytes b;
  uint8_t buf[256], tag[16], iv[16] = {0};
  const uint8_t *parts[] = {b.pt};
  size_t lens[] = {60};
  void *gcm, *cha = NULL, *cbc = NULL, *mac = NULL;
  long before;

  aead_decode(v, &b);
  gcm = aead_make(*state, v->encr, &b);
  assert_int_equal(
      ops->aead_new(*state, VTUN_ENCR_CHACHA20_POLY1305, buf, 32, &cha), 0);
  assert_int_equal(
      ops->cipher_new(*state, VTUN_ENCR_AES_CBC_128, 0, b.key, 16, &cbc), 0);
  assert_int_equal(
      ops->mac_new(*state, VTUN_INTEG_SHA2_256_128, 0, b.key, 16, &mac), 0);

  /* The first message of an algorithm may make the backend's keyed
   * context for it; later ones never allocate. */
  assert_int_equal(
      ops->aead_seal(gcm, b.nonce, b.aad, b.aadlen, b.pt, b.len, buf, tag, 16),
      0);
  assert_int_equal(
      ops->aead_seal(cha, b.nonce, b.aad, b.aadlen, b.pt, b.len, buf, tag, 16),
      0);
  before = allocs;
  for (int i = 0; i < 100; i++) {
    assert_int_equal(ops->aead_seal(gcm, b.nonce, b.aad, b.aadlen, b.pt, b.len,
                                    buf, tag, 16),
                     0);
    assert_int_equal(
        ops->aead_open(gcm, b.nonce, b.aad, b.aadlen, buf, b.len, buf, tag, 16),
        0);
    assert_int_equal(ops->aead_seal(cha, b.nonce, b.aad, b.aadlen, b.pt, b.len,
                                    buf, tag, 16),
                     0);
    assert_int_equal(ops->cipher_run(cbc, iv, b.pt, buf, 48), 0);
  }
  assert_int_equal(allocs, before);

  /* HMAC: OpenSSL 3.0 recreates the digest state per re-init (see the
   * known limitation noted in openssl_mac.c); it must not grow further. */
  before = allocs;
  for (int i = 0; i < 100; i++)
    assert_int_equal(ops->mac_run(mac, parts, lens, 1, buf, 16), 0);
  print_message("HMAC allocations per call: %ld\n", (allocs - before) / 100);
  assert_true(allocs - before <= 2 * 100);
  ops->mac_free(mac);
  ops->aead_free(gcm);
  ops->aead_free(cha);
  ops->cipher_free(cbc);
}

static int setup(void **state) {
  ops = vtun_crypto_openssl();
  assert_non_null(ops);
  assert_int_equal(ops->version, VTUN_CRYPTO_OPS_VERSION);
  return ops->init(NULL, state);
}

static int teardown(void **state) {
  ops->fini(*state);
  return 0;
}

static void *count_malloc(size_t n, const char *file, int line) {
  (void)file;
  (void)line;
  allocs++;
  return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line) {
  (void)file;
  (void)line;
  allocs++;
  return realloc(p, n);
}

static void count_free(void *p, const char *file, int line) {
  (void)file;
  (void)line;
  free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_aead_vectors),
      cmocka_unit_test(test_aead_tamper),
      cmocka_unit_test(test_aead_short_tags),
      cmocka_unit_test(test_aead_bad_args),
      cmocka_unit_test(test_aead_key_reuse),
      cmocka_unit_test(test_aead_many_keys),
      cmocka_unit_test(test_aead_threads),
      cmocka_unit_test(test_cbc_vectors),
      cmocka_unit_test(test_mac_vectors),
      cmocka_unit_test(test_hash),
      cmocka_unit_test(test_random),
      cmocka_unit_test(test_data_path_allocates_nothing),
  };

  /* Must come before OpenSSL allocates anything. */
  if (CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free) != 1)
    return 1;
  return cmocka_run_group_tests(tests, setup, teardown);
}
