/* Known answers for ESP from published vectors: full ESP packets of
 * draft-mcgrew-gcm-test-01 (AES-GCM, RFC 4106) and RFC 7634 appendix A
 * (ChaCha20-Poly1305), decapsulated and encapsulated byte for byte; the
 * AES-CBC ESP packets of RFC 3602 §4 (cases 5 to 8), with an HMAC-SHA-256
 * ICV computed apart; and the HMAC-SHA-256-128 and HMAC-SHA-512-256
 * vectors of RFC 4868 through the SA's integrity code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "esp/esp.h"
#include "esp/sa.h"

static size_t unhex(const char *h, uint8_t *out) {
  size_t n = strlen(h) / 2;

  for (size_t i = 0; i < n; i++) {
    unsigned v;

    assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
  return n;
}

static vtun_ctx *kat_ctx(void) {
  vtun_ctx *ctx;

  assert_int_equal(vtun_ctx_new(&ctx, NULL, NULL, NULL), 0);
  return ctx;
}

/* An SA of @p dir from the key material; SPIs below 256 (which the
 * library never makes) are set afterwards, for the vector that uses 0. */
static struct vtun__esp_sa *kat_sa(vtun_ctx *ctx, int dir, int encr, int integ,
                                   const uint8_t *key, size_t keylen,
                                   uint32_t spi, bool esn) {
  struct vtun__sa_params p = {.spi = spi < 256 ? 256 : spi,
                              .dir = dir,
                              .encr = encr,
                              .integ = integ,
                              .key = key,
                              .keylen = keylen,
                              .flags = esn ? VTUN_SA_ESN : 0,
                              .replay_window = 64};
  struct vtun__esp_sa *sa;

  assert_int_equal(vtun__esp_sa_new(ctx, &p, &sa), 0);
  sa->spi = spi;
  return sa;
}

/* -------------------------------------------------------------- AEAD */

struct aead_vector {
  const char *name;
  int encr;
  const char *key; /* encryption key, then the 4-byte salt */
  uint32_t spi;
  uint64_t seq;
  bool esn;
  const char *plain;  /* payload, padding, pad length, next header */
  const char *packet; /* SPI, sequence number, IV, ciphertext, ICV */
};

static const struct aead_vector aead[] = {
    {"draft-mcgrew-gcm-test-01: AES-128-GCM, SPI 00004321, seq "
     "0x8765432100000000, ESN",
     VTUN_ENCR_AES_GCM_128, "4c80cdefbb5d10da906ac73c3613a6342e443b68",
     0x00004321, 0x8765432100000000ull, true,
     "45000048699a000080114db7c0a80102c0a801010a9bf15638d3010000010000"
     "00000000045f736970045f756470037369700963796265726369747902646b00"
     "0021000101020201",
     "00004321000000004956ed7e3b244cfefecf537e729d5b07dc30df528dd22b76"
     "8d1b98736696a6fd348509fa13ceac34cfa2436f14a3f3cf65925bf1f4a13c5d"
     "15b21e1884f5ff6247aeabb786b93bce61bc17d768fd9732459018148f6cbe72"
     "2fd04796562dfdb4"},
    {"draft-mcgrew-gcm-test-01: AES-128-GCM, SPI 0000a5f8, seq 0x0000000a",
     VTUN_ENCR_AES_GCM_128, "feffe9928665731c6d6a8f9467308308cafebabe",
     0x0000a5f8, 0x0000000aull, false,
     "4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d00100"
     "0001000000000000037369700963796265726369747902646b00000100010001",
     "0000a5f80000000afacedbaddecaf888deb22cd9b07c72c16e3a65beeb8df304"
     "a5a5897d33ae530f1ba76d5d114d2a5c3de81827c10e9a4f51330d0eec416642"
     "cfbb85a5b47e48a4ec3b9ba95d918bd183b70d3aa8bc6ee4c309e9d85a41ad4a"},
    {"draft-mcgrew-gcm-test-01: AES-256-GCM, SPI 4a2cbfe3, seq 0x00000002",
     VTUN_ENCR_AES_GCM_256,
     "abbccddef00112233445566778899aababbccddef00112233445566778899aab11223344",
     0x4a2cbfe3, 0x00000002ull, false,
     "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee000000000"
     "7002400020bf0000020405b40101040201020201",
     "4a2cbfe3000000020102030405060708ff425c9b724599df7a3bcd510194e00d"
     "6a78107f1b0b1cbf06efae9d65a5d763748a637985771d347f0545659f14e99d"
     "ef842d8eb335f4eecfdbf831824b4c4915956c96"},
    {"draft-mcgrew-gcm-test-01: AES-128-GCM, SPI 00000000, seq 0x00000001",
     VTUN_ENCR_AES_GCM_128, "0000000000000000000000000000000000000000",
     0x00000000, 0x00000001ull, false,
     "4500003c99c500008001cb7a40679318010101010800075c0200440061626364"
     "65666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
     "000000000000000100000000000000004688daf2f973a392732909c331d56d60"
     "f694abaa414b5e7ff5fdcdfff5e9a284456476492719ffb64de7d9dca1e1d894"
     "bc3bd57873ed4d181d19d4d5c8c18af3f821d496eeb096e98ad2b69e4799c71d"},
    {"draft-mcgrew-gcm-test-01: AES-128-GCM, SPI 42f67e3f, seq "
     "0x1010101010101010, ESN",
     VTUN_ENCR_AES_GCM_128, "3de09874b388e6491988d0c3607eae1f57690e43",
     0x42f67e3f, 0x1010101010101010ull, true,
     "4500003c99c300008001cb7c40679318010101010800085c0200430061626364"
     "65666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
     "42f67e3f101010104e280000a2fca1a3fba2caa4853cf9f0f22cb10d86dd83b0"
     "fec75691cf1a04b00d1138ec9c35791765acbd8701ad79845bf9fe3fba487bc9"
     "1755e6662b4c8d0d1f5e22739530320ae0d731cc978ecafaeae88f00e80d6e48"},
    {"draft-mcgrew-gcm-test-01: AES-128-GCM, SPI 42f67e3f, seq "
     "0x1010101010101010, ESN",
     VTUN_ENCR_AES_GCM_128, "3de09874b388e6491988d0c3607eae1f57690e43",
     0x42f67e3f, 0x1010101010101010ull, true,
     "4500001c42a200008001441f406793b6e00000020a00f5ff01020201",
     "42f67e3f101010104e280000a2fca1a3fba2ca845e5df9f0f22c3e6e86dd831e"
     "1fc65792cd1af9130e1379ed369f071f35e034be95f112e4e7d05d35"},
    {"draft-mcgrew-gcm-test-01: AES-128-GCM, SPI 00000100, seq "
     "0x0000000000000001, ESN",
     VTUN_ENCR_AES_GCM_128, "abbccddef00112233445566778899aabdecaf888",
     0x00000100, 0x0000000000000001ull, true,
     "4500004933ba00007f119106c3fb1d10c2b1d326c02831ce0035dd7b800302d5"
     "00004e20001e8c18d75b81dc91baa0476b91b924b280389d92c963bac046ec95"
     "9b6266c04722b14923010101",
     "0000010000000001cafedebaceface7418a6fd42f72cbf4ab2a2ea901f73d814"
     "e3e7f243d95412e1c349c1d2fbec168f9190feebaf2cb01984e65863965d7472"
     "b79da345e0e780191f0d2f0e0f496c226f2127b27db35724e7845d68651f57e6"
     "5f354f75ff17015769623436"},
    {"draft-mcgrew-gcm-test-01: AES-256-GCM, SPI 17405e67, seq "
     "0x156f3126dd0db99b, ESN",
     VTUN_ENCR_AES_GCM_256,
     "abbccddef00112233445566778899aababbccddef00112233445566778899aab73616c74",
     0x17405e67, 0x156f3126dd0db99bull, true,
     "45080028732c00004006e9f90a0106120a01038f06b88023dd6bafbecb712602"
     "50101f646d540001",
     "17405e67dd0db99b616e640169766563f2d69ecdbd5a0d5b8d5ef38bad4da58d"
     "1f278fde98ef67549d524a3018d9a57ff4d3a31ce673119e451626c2415771e3"
     "b7eebca614c89b35"},
    {"draft-mcgrew-gcm-test-01: AES-128-GCM, SPI 42f67e3f, seq "
     "0x1010101010101010, ESN",
     VTUN_ENCR_AES_GCM_128, "3de09874b388e6491988d0c3607eae1f57690e43",
     0x42f67e3f, 0x1010101010101010ull, true,
     "45000049333e00007f119182c3fb1d10c2b1d326c02831ce0035cb458003025b"
     "000001e0001e8c18d65759d52284a0352c71475c8880391c764d6e5ee0496b32"
     "5ae270c03899493915010101",
     "42f67e3f101010104e280000a2fca1a3fba2cad12fc1f9f00d3cebf305410db8"
     "3d7784b607323d220f24b0a97d54182800cadb0f68d99ef0e0c0c89ae9bea888"
     "4e52d65bc1afd0740f742444747b5b39ab533163aad4550ee5160975cdb608c5"
     "769189609763b8e18caa81e2"},
    {"draft-mcgrew-gcm-test-01: AES-256-GCM, SPI 17405e67, seq "
     "0x156f3126dd0db99b, ESN",
     VTUN_ENCR_AES_GCM_256,
     "abbccddef00112233445566778899aababbccddef00112233445566778899aab73616c74",
     0x17405e67, 0x156f3126dd0db99bull, true,
     "636973636f0172756c657301746865016e6574776501646566696e6501746865"
     "746563686e6f6c6f67696573017468617477696c6c01646566696e65746f6d6f"
     "72726f7701020201",
     "17405e67dd0db99b616e640169766563d4b7ed86a1777f2ea13d6973d324c69e"
     "7b43f826fb56831226508bebd2dceb18d0a6df10e5487df074113e14c641024e"
     "3e6773d91a62ee429b043a10e3efe6b012a49363412364f8c0cac587f249e56b"
     "11e24f30e44ccc76"},
    {"draft-mcgrew-gcm-test-01: AES-128-GCM, SPI 335467ae, seq 0xffffffff",
     VTUN_ENCR_AES_GCM_128, "7d773d00c144c525ac619d18c84a3f47d9664267",
     0x335467ae, 0xffffffffull, false, "01020201",
     "335467aeffffffff43457e9182443bc6437f866bcb3f699fe9b0822bac961c45"
     "04bef270"},
    {"draft-mcgrew-gcm-test-01: AES-128-GCM, SPI 00000100, seq "
     "0x0000000000000001, ESN",
     VTUN_ENCR_AES_GCM_128, "abbccddef00112233445566778899aabdecaf888",
     0x00000100, 0x0000000000000001ull, true,
     "746f016265016f72016e6f7401746f0162650001",
     "0000010000000001cafedebaceface7429c9fc69a197d038ccdd14e2ddfcaa05"
     "43332164412503524303ed3c6c5f283843af8c3e"},
    {"draft-mcgrew-gcm-test-01: AES-256-GCM, SPI 796b6963, seq "
     "0xffffffffffffffff, ESN",
     VTUN_ENCR_AES_GCM_256,
     "6c6567616c697a656d6172696a75616e61616e64646f69746265666f726569617475726e",
     0x796b6963, 0xffffffffffffffffull, true,
     "45000030da3a00008001df3bc0a80005c0a800010800c6cd0200070061626364"
     "65666768696a6b6c6d6e6f707172737401020201",
     "796b6963ffffffff333021696765746df97ab2aa356d8edce17644ac8c78e25d"
     "d24dedbb29ebf1b64a274b39b49c3a864cd3d78ca4ae68a32b42458fb57dbe82"
     "1dcc63b9d0937ba2945f669368661a329fb4c053"},
    {"RFC 7634 appendix A: ChaCha20-Poly1305, SPI 01020304, seq 0x00000005",
     VTUN_ENCR_CHACHA20_POLY1305,
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3",
     0x01020304, 0x00000005ull, false,
     "45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec10"
     "0007362708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
     "2425262728292a2b2c2d2e2f303132333435363701020204",
     "0102030400000005101112131415161724039428b97f417e3c13753a4f05087b"
     "67c352e6a7fab1b982d466ef407ae5c614ee8099d52844eb61aa95dfab4c02f7"
     "2aa71e7c4c4f64c9befe2facc638e8f3cbec163fac469b502773f6fb94e664da"
     "9165b82829f641e076aaa8266b7fb0f7b11b369907e1ad43"},
};

static void aead_decap(vtun_ctx *ctx, const struct aead_vector *v) {
  uint8_t key[64], pkt[512], plain[512];
  size_t kl = unhex(v->key, key), n = unhex(v->packet, pkt);
  size_t pl = unhex(v->plain, plain);
  struct vtun__esp_sa *sa = kat_sa(ctx, VTUN__SA_IN, v->encr, VTUN_INTEG_NONE,
                                   key, kl, v->spi, v->esn);
  struct vtun__esp_rx rx;

  assert_int_equal(vtun__esp_open(sa, pkt, n, v->seq, &rx), 0);
  assert_int_equal(rx.off, 16);
  assert_memory_equal(pkt + 16, plain, pl);
  assert_int_equal(rx.nh, plain[pl - 1]);
  assert_int_equal(rx.len, pl - 2 - plain[pl - 2]);

  /* One bit off anywhere after the SPI, and nothing decrypts. */
  unhex(v->packet, pkt);
  pkt[n - 1] ^= 1;
  assert_int_equal(vtun__esp_open(sa, pkt, n, v->seq, &rx), VTUN_EINTEGRITY);
  vtun__esp_sa_free(sa);
}

static void aead_encap(vtun_ctx *ctx, const struct aead_vector *v) {
  uint8_t key[64], buf[1024], plain[512], want[512];
  size_t kl = unhex(v->key, key), pl = unhex(v->plain, plain);
  size_t wl = unhex(v->packet, want);
  size_t body = pl - 2 - plain[pl - 2], off = 256, len = body;
  struct vtun__esp_sa *sa = kat_sa(ctx, VTUN__SA_OUT, v->encr, VTUN_INTEG_NONE,
                                   key, kl, v->spi, v->esn);

  memcpy(buf + off, plain, body);
  assert_int_equal(vtun__esp_seal(sa, VTUN__ESP_DATA, buf, &off, &len,
                                  sizeof(buf), plain[pl - 1], v->seq, want + 8),
                   0);
  assert_int_equal(len, wl);
  assert_memory_equal(buf + off, want, wl);
  vtun__esp_sa_free(sa);
}

static void test_aead_vectors(void **state) {
  vtun_ctx *ctx = kat_ctx();

  (void)state;
  for (size_t i = 0; i < sizeof(aead) / sizeof(aead[0]); i++) {
    print_message("%s\n", aead[i].name);
    aead_decap(ctx, &aead[i]);
    aead_encap(ctx, &aead[i]);
  }
  vtun_ctx_free(ctx);
}

/* ----------------------------------------------------- RFC 3602 CBC */

struct cbc_vector {
  const char *name;
  const char *key;
  uint32_t spi;
  uint32_t seq;
  const char *iv;
  const char *payload; /* before padding */
  uint8_t nh;
  const char *packet; /* without ICV: RFC 3602 has no authentication */
};

static const struct cbc_vector cbc[] = {
    {"RFC 3602 case 5", "90d382b410eeba7ad938c46cec1a82bf", 0x4321, 1,
     "e96e8c08ab465763fd098d45dd3ff893",
     "08000ebda70a00008e9c083db95b0700"
     "08090a0b0c0d0e0f1011121314151617"
     "18191a1b1c1d1e1f2021222324252627"
     "28292a2b2c2d2e2f3031323334353637",
     1,
     "0000432100000001e96e8c08ab465763fd098d45dd3ff893"
     "f663c25d325c18c6a9453e194e120849a4870b66cc6b9965330013b4898dc856"
     "a4699e523a55db080b59ec3a8e4b7e52775b07d1db34ed9c538ab50c551b874a"
     "a269add047ad2d5913ac19b7cfbad4a6"},
    {"RFC 3602 case 6", "90d382b410eeba7ad938c46cec1a82bf", 0x4321, 8,
     "69d08df7d203329db093fc4924e5bd80",
     "0800b5e8a80a0500a69c083d0b660e00777777777777777777777777", 1,
     "000043210000000869d08df7d203329db093fc4924e5bd80"
     "f51995881ec4e0c4488987ce742e8109689bb379d2d750c0d915dca346a89f75"},
    {"RFC 3602 case 7", "0123456789abcdef0123456789abcdef", 0x8765, 2,
     "f4e765244f6407adf13dc1380f673f37",
     "45000054090400004001f988c0a87b03c0a87bc808009f76a90a0100b49c083d"
     "02a2040008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
     "2425262728292a2b2c2d2e2f3031323334353637",
     4,
     "0000876500000002f4e765244f6407adf13dc1380f673f37"
     "773b5241a4c449225e4f3ce5ed611b0c237ca96cf74a93013c1b0ea1a0cf70f8"
     "e4ecaec78ac53aad7a0f022b859243c647752e94a859352b8a4d4d2decd136e5"
     "c177f132ad3fbfb2201ac9904c74ee0a109e0ca1e4dfe9d5a100b842f1c22f0d"},
    {"RFC 3602 case 8", "0123456789abcdef0123456789abcdef", 0x8765, 5,
     "85d47224b5f3dd5d2101d4ea8dffab22",
     "45000044090c00004001f990c0a87b03c0a87bc80800d63caa0a0200c69c083d"
     "a3de0300ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffff",
     4,
     "000087650000000585d47224b5f3dd5d2101d4ea8dffab22"
     "15b92683819596a8047232cc00f7048fe45318e11f8a0f62ede3c3fc61203bb5"
     "0f980a08c9843fd3a1b06d5c07ff9639b7eb7dfb3512e5de435e7207ed971ef3"
     "d2726d9b5ef6affc6d17a0decbb13892"},
};

/* The integrity key the test adds to each RFC 3602 case. */
static void cbc_key(const struct cbc_vector *v, uint8_t key[48]) {
  assert_int_equal(unhex(v->key, key), 16);
  for (int i = 0; i < 32; i++)
    key[16 + i] = (uint8_t)(0xa0 + i);
}

/* HMAC-SHA-256-128 over the packet, from OpenSSL directly. */
static void cbc_icv(const uint8_t key[48], const uint8_t *pkt, size_t n,
                    uint8_t icv[16]) {
  uint8_t md[32];
  unsigned mdlen = 0;

  assert_non_null(HMAC(EVP_sha256(), key + 16, 32, pkt, n, md, &mdlen));
  memcpy(icv, md, 16);
}

static void cbc_one(vtun_ctx *ctx, const struct cbc_vector *v) {
  uint8_t key[48], iv[16], payload[256], want[256], buf[1024], icv[16];
  size_t pl = unhex(v->payload, payload), wl = unhex(v->packet, want);
  size_t off = 256, len = pl;
  struct vtun__esp_sa *out, *in;
  struct vtun__esp_rx rx;

  cbc_key(v, key);
  unhex(v->iv, iv);
  out = kat_sa(ctx, VTUN__SA_OUT, VTUN_ENCR_AES_CBC_128,
               VTUN_INTEG_SHA2_256_128, key, 48, v->spi, false);
  in = kat_sa(ctx, VTUN__SA_IN, VTUN_ENCR_AES_CBC_128, VTUN_INTEG_SHA2_256_128,
              key, 48, v->spi, false);
  memcpy(buf + off, payload, pl);
  assert_int_equal(vtun__esp_seal(out, VTUN__ESP_DATA, buf, &off, &len,
                                  sizeof(buf), v->nh, v->seq, iv),
                   0);
  assert_int_equal(len, wl + 16);
  assert_memory_equal(buf + off, want, wl);
  cbc_icv(key, want, wl, icv);
  assert_memory_equal(buf + off + wl, icv, 16);

  /* The published packet with that ICV decapsulates to the payload. */
  memcpy(want + wl, icv, 16);
  assert_int_equal(vtun__esp_open(in, want, wl + 16, v->seq, &rx), 0);
  assert_int_equal(rx.len, pl);
  assert_int_equal(rx.nh, v->nh);
  assert_memory_equal(want + rx.off, payload, pl);
  vtun__esp_sa_free(out);
  vtun__esp_sa_free(in);
}

static void test_cbc_vectors(void **state) {
  vtun_ctx *ctx = kat_ctx();

  (void)state;
  for (size_t i = 0; i < sizeof(cbc) / sizeof(cbc[0]); i++) {
    print_message("%s\n", cbc[i].name);
    cbc_one(ctx, &cbc[i]);
  }
  vtun_ctx_free(ctx);
}

/* ------------------------------------------------------- RFC 4868 */

struct mac_vector {
  const char *name;
  int integ;
  const char *key, *data, *icv;
};

static const struct mac_vector macs[] = {
    {"RFC 4868 AUTH256-1", VTUN_INTEG_SHA2_256_128,
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     "4869205468657265", "198a607eb44bfbc69903a0f1cf2bbdc5"},
    {"RFC 4868 AUTH256-2", VTUN_INTEG_SHA2_256_128,
     "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665",
     "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "167f928588c5cc2eef8e3093caa0e87c"},
    {"RFC 4868 AUTH512-1", VTUN_INTEG_SHA2_512_256,
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     "4869205468657265",
     "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8"},
    {"RFC 4868 AUTH512-2", VTUN_INTEG_SHA2_512_256,
     "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665"
     "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665",
     "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454"},
};

static void test_mac_vectors(void **state) {
  vtun_ctx *ctx = kat_ctx();

  (void)state;
  for (size_t i = 0; i < sizeof(macs) / sizeof(macs[0]); i++) {
    const struct mac_vector *v = &macs[i];
    uint8_t key[96] = {0}, data[64], want[32], icv[32];
    size_t kl = unhex(v->key, key + 16), dl = unhex(v->data, data);
    size_t wl = unhex(v->icv, want);
    const uint8_t *parts[1] = {data};
    struct vtun__esp_sa *sa = kat_sa(ctx, VTUN__SA_IN, VTUN_ENCR_AES_CBC_128,
                                     v->integ, key, 16 + kl, 0x1000, false);

    print_message("%s\n", v->name);
    assert_int_equal(sa->icvlen, wl);
    assert_int_equal(vtun__esp_mac(sa, VTUN__ESP_DATA, parts, &dl, 1, icv), 0);
    assert_memory_equal(icv, want, wl);
    vtun__esp_sa_free(sa);
  }
  vtun_ctx_free(ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_aead_vectors),
      cmocka_unit_test(test_cbc_vectors),
      cmocka_unit_test(test_mac_vectors),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
