/* IKEv2 codec: build and parse round trips for every payload, a real
 * strongSwan IKE_SA_INIT request, and malformed inputs of every kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>

#include "ike/ikev2_wire.h"
#include "ike/msg.h"
#include "ike/payload.h"
#include "ike/payload_cp.h"
#include "ike/payload_sa.h"
#include "ike/payload_ts.h"
#include "ike/writer.h"
#include "util/bytes.h"

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

/* The IKE_SA_INIT request strongSwan 5.9.8 sends for the branch of
 * shared/interop (proposals aes256gcm16-prfsha256-x25519 and
 * aes256-sha256-modp2048), written byte by byte from RFC 7296 §3 and
 * strongSwan's payload order. Key share, nonce and NAT hashes are
 * arbitrary filler. */
/* clang-format off */
static const uint8_t ss_init[] = {
    /* IKE header: SPIi, SPIr 0, next SA, 2.0, IKE_SA_INIT, I, ID 0 */
    0x5a, 0x3c, 0x9e, 0x41, 0x07, 0xd2, 0xb8, 0x16, /* SPIi */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* SPIr */
    0x21, 0x20, 0x22, 0x08, 0x00, 0x00, 0x00, 0x00, /* next..msgid */
    0x00, 0x00, 0x01, 0x0c,                         /* length 268 */
    /* SA: next KE, length 84 */
    0x22, 0x00, 0x00, 0x54,
    /* proposal 1 of IKE, more follow, 36 bytes, no SPI, 3 transforms */
    0x02, 0x00, 0x00, 0x24, 0x01, 0x01, 0x00, 0x03,
    /* ENCR AES_GCM_16, key length 256 */
    0x03, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x14, 0x80, 0x0e, 0x01, 0x00,
    /* PRF HMAC_SHA2_256 */
    0x03, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x05,
    /* DH Curve25519, last */
    0x00, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x1f,
    /* proposal 2 of IKE, last, 44 bytes, no SPI, 4 transforms */
    0x00, 0x00, 0x00, 0x2c, 0x02, 0x01, 0x00, 0x04,
    /* ENCR AES_CBC, key length 256 */
    0x03, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x0c, 0x80, 0x0e, 0x01, 0x00,
    /* INTEG HMAC_SHA2_256_128 */
    0x03, 0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0x0c,
    /* PRF HMAC_SHA2_256 */
    0x03, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x05,
    /* DH MODP2048, last */
    0x00, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x0e,
    /* KE: next Nonce, 40 bytes, group 31, 32 bytes of key share */
    0x28, 0x00, 0x00, 0x28, 0x00, 0x1f, 0x00, 0x00,
    0xe6, 0xdb, 0x68, 0x67, 0x58, 0x30, 0x30, 0xdb, 0x35, 0x94, 0xc1, 0xa4,
    0x24, 0xb1, 0x5f, 0x7c, 0x72, 0x66, 0x24, 0xec, 0x26, 0xb3, 0x35, 0x3b,
    0x10, 0xa9, 0x03, 0xa6, 0xd0, 0xab, 0x1c, 0x4c,
    /* Nonce: next N, 36 bytes, 32 bytes of nonce */
    0x29, 0x00, 0x00, 0x24,
    0x6b, 0x2e, 0x1a, 0x90, 0x4f, 0x3d, 0x77, 0xc2, 0x05, 0x9e, 0x81, 0x36,
    0xd4, 0x6a, 0x0b, 0xf3, 0x58, 0x21, 0xcc, 0x97, 0x3e, 0x60, 0x1f, 0xa8,
    0x72, 0xb5, 0x49, 0x0d, 0xe1, 0x84, 0x2a, 0x5c,
    /* N(NAT_DETECTION_SOURCE_IP): next N, 28 bytes, SHA-1 */
    0x29, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x40, 0x04,
    0x1f, 0x8b, 0x3c, 0x66, 0x02, 0xd9, 0x47, 0xa0, 0x9b, 0x4e,
    0x75, 0x13, 0xc8, 0x2d, 0x61, 0xf0, 0x38, 0xae, 0x5c, 0x07,
    /* N(NAT_DETECTION_DESTINATION_IP): next N, 28 bytes, SHA-1 */
    0x29, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x40, 0x05,
    0xa4, 0x11, 0x6e, 0xd2, 0x3b, 0x90, 0x0c, 0x7f, 0x28, 0xe5,
    0x46, 0x9a, 0xb1, 0x53, 0x0d, 0xc4, 0x87, 0x2f, 0x6a, 0x19,
    /* N(IKEV2_FRAGMENTATION_SUPPORTED): next N, 8 bytes */
    0x29, 0x00, 0x00, 0x08, 0x00, 0x00, 0x40, 0x2e,
    /* N(SIGNATURE_HASH_ALGORITHMS): last, 16 bytes, SHA2-256/384/512,
     * Identity */
    0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x40, 0x2f,
    0x00, 0x02, 0x00, 0x03, 0x00, 0x04, 0x00, 0x05,
};
/* clang-format on */

/* Offsets in ss_init of the payloads' generic headers. */
enum {
  SS_SA = 28,
  SS_KE = SS_SA + 84,
  SS_NONCE = SS_KE + 40,
  SS_NATD_S = SS_NONCE + 36,
  SS_SIGHASH = SS_NATD_S + 28 + 28 + 8,
};

static const struct vtun__ike_hdr test_hdr = {
    .ispi = 0x0102030405060708ull,
    .rspi = 0x1112131415161718ull,
    .exchange = VTUN__IKE_X_IKE_AUTH,
    .flags = VTUN__IKE_FLAG_INITIATOR,
    .msgid = 1,
};

static uint8_t buf[4096];
static struct vtun__ike_msg msg;

/* Builders must succeed, except in the capacity tests, where running out
 * of room is the point. */
static bool strict = true;

#define PUT(call)                                                              \
  do {                                                                         \
    int rc_ = (call);                                                          \
    if (strict)                                                                \
      assert_int_equal(rc_, 0);                                                \
    else                                                                       \
      assert_true(rc_ == 0 || rc_ == VTUN_ENOSPC);                             \
  } while (0)

/* -------------------------------------------------------------- helpers */

typedef void (*add_fn)(struct vtun__ike_writer *w);

/* Builds a message of test_hdr plus what @add appends; returns its
 * length. */
static size_t build(add_fn add) {
  struct vtun__ike_writer w;
  vtun_ssize n;

  vtun__ike_writer_init(&w, buf, sizeof(buf));
  assert_int_equal(vtun__ike_writer_hdr(&w, &test_hdr), 0);
  add(&w);
  n = vtun__ike_writer_finish(&w);
  assert_true(n >= VTUN__IKE_HDR_LEN);
  return (size_t)n;
}

/* Builds, parses, and checks the header survived. */
static void roundtrip(add_fn add) {
  size_t n = build(add);

  assert_int_equal(vtun__ike_msg_parse(buf, n, &msg), 0);
  assert_true(msg.hdr.ispi == test_hdr.ispi);
  assert_true(msg.hdr.rspi == test_hdr.rspi);
  assert_int_equal(msg.hdr.exchange, VTUN__IKE_X_IKE_AUTH);
  assert_int_equal(msg.hdr.flags, VTUN__IKE_FLAG_INITIATOR);
  assert_int_equal(msg.hdr.msgid, 1);
  assert_int_equal(msg.hdr.version, 0x20);
  assert_int_equal(msg.hdr.length, n);
}

/* Parses @len bytes at @p and expects a refusal naming @type. */
static void expect_bad(const uint8_t *p, size_t len, uint8_t type) {
  assert_int_equal(vtun__ike_msg_parse(p, len, &msg), VTUN_EMALFORMED);
  assert_non_null(msg.chain.fail.why);
  assert_int_equal(msg.chain.fail.payload, type);
}

/* Runs the validator of @type over @len bytes and expects a refusal. */
static void expect_invalid(uint8_t type, const uint8_t *b, size_t len) {
  const char *why = NULL;

  assert_int_equal(vtun__ike_payload_validate(type, b, len, &why),
                   VTUN_EMALFORMED);
  assert_non_null(why);
}

static void expect_valid(uint8_t type, const uint8_t *b, size_t len) {
  const char *why = NULL;

  assert_int_equal(vtun__ike_payload_validate(type, b, len, &why), 0);
}

static uint8_t *copy_ss(void) {
  memcpy(buf, ss_init, sizeof(ss_init));
  return buf;
}

/* ------------------------------------------------- a real IKE_SA_INIT */

static void check_ss_proposal1(const struct vtun__ike_prop *p) {
  struct vtun__ike_xform xf;
  size_t pos = 0;

  assert_int_equal(p->num, 1);
  assert_int_equal(p->proto, VTUN__IKE_PROTO_IKE);
  assert_int_equal(p->spi_len, 0);
  assert_int_equal(p->nxf, 3);
  assert_true(vtun__ike_prop_next(p, &pos, &xf));
  assert_int_equal(xf.type, VTUN__IKE_XF_ENCR);
  assert_int_equal(xf.id, VTUN__IKE_ENCR_AES_GCM_16);
  assert_int_equal(xf.keylen, 256);
  assert_false(xf.unknown_attr);
  assert_true(vtun__ike_prop_next(p, &pos, &xf));
  assert_int_equal(xf.type, VTUN__IKE_XF_PRF);
  assert_int_equal(xf.id, VTUN__IKE_PRF_HMAC_SHA2_256);
  assert_int_equal(xf.keylen, 0);
  assert_true(vtun__ike_prop_next(p, &pos, &xf));
  assert_int_equal(xf.type, VTUN__IKE_XF_DH);
  assert_int_equal(xf.id, VTUN__IKE_DH_CURVE25519);
  assert_false(vtun__ike_prop_next(p, &pos, &xf));
}

static void check_ss_proposal2(const struct vtun__ike_prop *p) {
  static const uint8_t want[][2] = {
      {VTUN__IKE_XF_ENCR, VTUN__IKE_ENCR_AES_CBC},
      {VTUN__IKE_XF_INTEG, VTUN__IKE_INTEG_HMAC_SHA2_256_128},
      {VTUN__IKE_XF_PRF, VTUN__IKE_PRF_HMAC_SHA2_256},
      {VTUN__IKE_XF_DH, VTUN__IKE_DH_MODP2048},
  };
  struct vtun__ike_xform xf;
  size_t pos = 0;

  assert_int_equal(p->num, 2);
  assert_int_equal(p->nxf, 4);
  for (size_t i = 0; i < COUNT(want); i++) {
    assert_true(vtun__ike_prop_next(p, &pos, &xf));
    assert_int_equal(xf.type, want[i][0]);
    assert_int_equal(xf.id, want[i][1]);
    assert_int_equal(xf.keylen, i == 0 ? 256 : 0);
  }
  assert_false(vtun__ike_prop_next(p, &pos, &xf));
}

static void check_ss_notifies(void) {
  static const uint8_t hashes[] = {0, 2, 0, 3, 0, 4, 0, 5};
  struct vtun__ike_notify n;

  assert_int_equal(vtun__ike_chain_count(&msg.chain, VTUN__IKE_PL_NOTIFY), 4);
  assert_int_equal(vtun__ike_find_notify(
                       &msg.chain, VTUN__IKE_N_NAT_DETECTION_SOURCE_IP, &n),
                   0);
  assert_int_equal(n.len, 20);
  assert_int_equal(n.data[0], 0x1f);
  assert_int_equal(
      vtun__ike_find_notify(&msg.chain,
                            VTUN__IKE_N_NAT_DETECTION_DESTINATION_IP, &n),
      0);
  assert_int_equal(n.data[19], 0x19);
  assert_int_equal(
      vtun__ike_find_notify(&msg.chain,
                            VTUN__IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, &n),
      0);
  assert_int_equal(n.len, 0);
  assert_int_equal(vtun__ike_find_notify(
                       &msg.chain, VTUN__IKE_N_SIGNATURE_HASH_ALGORITHMS, &n),
                   0);
  assert_int_equal(n.len, sizeof(hashes));
  assert_memory_equal(n.data, hashes, sizeof(hashes));
  assert_int_equal(vtun__ike_find_notify(&msg.chain, VTUN__IKE_N_COOKIE, &n),
                   VTUN_ENOENT);
}

static void test_strongswan_sa_init(void **state) {
  static const uint8_t order[] = {
      VTUN__IKE_PL_SA,     VTUN__IKE_PL_KE,     VTUN__IKE_PL_NONCE,
      VTUN__IKE_PL_NOTIFY, VTUN__IKE_PL_NOTIFY, VTUN__IKE_PL_NOTIFY,
      VTUN__IKE_PL_NOTIFY,
  };
  struct vtun__ike_sa_pl sa;
  struct vtun__ike_prop p;
  struct vtun__ike_ke ke;
  struct vtun__ike_blob nonce;
  size_t pos = 0;

  (void)state;
  assert_int_equal(sizeof(ss_init), 268);
  assert_int_equal(vtun__ike_msg_parse(ss_init, sizeof(ss_init), &msg), 0);
  assert_true(msg.hdr.ispi == 0x5a3c9e4107d2b816ull);
  assert_true(msg.hdr.rspi == 0);
  assert_int_equal(msg.hdr.exchange, VTUN__IKE_X_IKE_SA_INIT);
  assert_int_equal(msg.hdr.flags, VTUN__IKE_FLAG_INITIATOR);
  assert_int_equal(msg.sk.type, 0);
  assert_int_equal(msg.chain.count, COUNT(order));
  for (size_t i = 0; i < COUNT(order); i++)
    assert_int_equal(msg.chain.pl[i].type, order[i]);

  assert_int_equal(vtun__ike_sa_pl_parse(&msg.chain.pl[0], &sa), 0);
  assert_int_equal(sa.nprop, 2);
  assert_true(vtun__ike_sa_pl_next(&sa, &pos, &p));
  check_ss_proposal1(&p);
  assert_true(vtun__ike_sa_pl_next(&sa, &pos, &p));
  check_ss_proposal2(&p);
  assert_false(vtun__ike_sa_pl_next(&sa, &pos, &p));

  assert_int_equal(vtun__ike_ke_parse(&msg.chain.pl[1], &ke), 0);
  assert_int_equal(ke.group, VTUN__IKE_DH_CURVE25519);
  assert_int_equal(ke.len, 32);
  assert_int_equal(ke.data[0], 0xe6);
  assert_int_equal(vtun__ike_nonce_parse(&msg.chain.pl[2], &nonce), 0);
  assert_int_equal(nonce.len, 32);
  assert_int_equal(nonce.data[31], 0x5c);
  check_ss_notifies();
}

/* Building the same request with the writer gives the same bytes. */
static void add_ss_init(struct vtun__ike_writer *w) {
  static const struct vtun__ike_xform p1[] = {
      {VTUN__IKE_XF_ENCR, VTUN__IKE_ENCR_AES_GCM_16, 256, false},
      {VTUN__IKE_XF_PRF, VTUN__IKE_PRF_HMAC_SHA2_256, 0, false},
      {VTUN__IKE_XF_DH, VTUN__IKE_DH_CURVE25519, 0, false},
  };
  static const struct vtun__ike_xform p2[] = {
      {VTUN__IKE_XF_ENCR, VTUN__IKE_ENCR_AES_CBC, 256, false},
      {VTUN__IKE_XF_INTEG, VTUN__IKE_INTEG_HMAC_SHA2_256_128, 0, false},
      {VTUN__IKE_XF_PRF, VTUN__IKE_PRF_HMAC_SHA2_256, 0, false},
      {VTUN__IKE_XF_DH, VTUN__IKE_DH_MODP2048, 0, false},
  };
  const struct vtun__ike_prop_spec props[] = {
      {1, VTUN__IKE_PROTO_IKE, 0, NULL, p1, COUNT(p1)},
      {2, VTUN__IKE_PROTO_IKE, 0, NULL, p2, COUNT(p2)},
  };
  struct vtun__ike_notify n = {0};

  PUT(vtun__ike_put_sa(w, props, COUNT(props)));
  PUT(vtun__ike_put_ke(w, 31, ss_init + SS_KE + 8, 32));
  PUT(vtun__ike_put_nonce(w, ss_init + SS_NONCE + 4, 32));
  for (int i = 0; i < 2; i++) {
    n.type = VTUN__IKE_N_NAT_DETECTION_SOURCE_IP + i;
    n.data = ss_init + SS_NATD_S + 8 + 28 * i;
    n.len = 20;
    PUT(vtun__ike_put_notify(w, &n));
  }
  n.type = VTUN__IKE_N_IKEV2_FRAGMENTATION_SUPPORTED;
  n.len = 0;
  PUT(vtun__ike_put_notify(w, &n));
  n.type = VTUN__IKE_N_SIGNATURE_HASH_ALGORITHMS;
  n.data = ss_init + SS_SIGHASH + 8;
  n.len = 8;
  PUT(vtun__ike_put_notify(w, &n));
}

static void test_strongswan_rebuilt(void **state) {
  const struct vtun__ike_hdr h = {
      .ispi = 0x5a3c9e4107d2b816ull,
      .exchange = VTUN__IKE_X_IKE_SA_INIT,
      .flags = VTUN__IKE_FLAG_INITIATOR,
  };
  struct vtun__ike_writer w;

  (void)state;
  vtun__ike_writer_init(&w, buf, sizeof(buf));
  assert_int_equal(vtun__ike_writer_hdr(&w, &h), 0);
  add_ss_init(&w);
  assert_int_equal(vtun__ike_writer_finish(&w), sizeof(ss_init));
  assert_memory_equal(buf, ss_init, sizeof(ss_init));
}

/* --------------------------------------------------------- round trips */

static const uint8_t esp_spi[4] = {0xc0, 0x01, 0xd0, 0x0d};
static const uint8_t ike_spi[8] = {1, 2, 3, 4, 5, 6, 7, 8};

static void add_sa(struct vtun__ike_writer *w) {
  static const struct vtun__ike_xform esp[] = {
      {VTUN__IKE_XF_ENCR, VTUN__IKE_ENCR_AES_GCM_16, 128, false},
      {VTUN__IKE_XF_ENCR, VTUN__IKE_ENCR_CHACHA20_POLY1305, 0, false},
      {VTUN__IKE_XF_ESN, VTUN__IKE_ESN_NO, 0, false},
  };
  static const struct vtun__ike_xform esp2[] = {
      {VTUN__IKE_XF_ENCR, VTUN__IKE_ENCR_AES_CBC, 128, false},
      {VTUN__IKE_XF_INTEG, VTUN__IKE_INTEG_HMAC_SHA2_256_128, 0, false},
      {VTUN__IKE_XF_DH, VTUN__IKE_DH_ECP256, 0, false},
      {VTUN__IKE_XF_ESN, VTUN__IKE_ESN_YES, 0, false},
  };
  const struct vtun__ike_prop_spec props[] = {
      {1, VTUN__IKE_PROTO_ESP, 4, esp_spi, esp, COUNT(esp)},
      {2, VTUN__IKE_PROTO_ESP, 4, esp_spi, esp2, COUNT(esp2)},
  };

  PUT(vtun__ike_put_sa(w, props, COUNT(props)));
}

static void test_rt_sa(void **state) {
  struct vtun__ike_sa_pl sa;
  struct vtun__ike_prop p;
  struct vtun__ike_xform xf;
  size_t pos = 0, xpos = 0;

  (void)state;
  roundtrip(add_sa);
  assert_int_equal(msg.chain.count, 1);
  assert_int_equal(vtun__ike_sa_pl_parse(&msg.chain.pl[0], &sa), 0);
  assert_int_equal(sa.nprop, 2);
  assert_true(vtun__ike_sa_pl_next(&sa, &pos, &p));
  assert_int_equal(p.proto, VTUN__IKE_PROTO_ESP);
  assert_int_equal(p.spi_len, 4);
  assert_memory_equal(p.spi, esp_spi, 4);
  assert_int_equal(p.nxf, 3);
  assert_true(vtun__ike_prop_next(&p, &xpos, &xf));
  assert_int_equal(xf.keylen, 128);
  assert_true(vtun__ike_prop_next(&p, &xpos, &xf));
  assert_int_equal(xf.id, VTUN__IKE_ENCR_CHACHA20_POLY1305);
  assert_int_equal(xf.keylen, 0);
  assert_true(vtun__ike_prop_next(&p, &xpos, &xf));
  assert_int_equal(xf.type, VTUN__IKE_XF_ESN);
  assert_false(vtun__ike_prop_next(&p, &xpos, &xf));
  assert_true(vtun__ike_sa_pl_next(&sa, &pos, &p));
  assert_int_equal(p.num, 2);
  assert_int_equal(p.nxf, 4);
  assert_false(vtun__ike_sa_pl_next(&sa, &pos, &p));
}

static void add_sa_rekey(struct vtun__ike_writer *w) {
  static const struct vtun__ike_xform xf[] = {
      {VTUN__IKE_XF_ENCR, VTUN__IKE_ENCR_AES_GCM_16, 256, false},
      {VTUN__IKE_XF_PRF, VTUN__IKE_PRF_HMAC_SHA2_512, 0, false},
      {VTUN__IKE_XF_DH, VTUN__IKE_DH_ECP384, 0, false},
  };
  const struct vtun__ike_prop_spec prop = {
      7, VTUN__IKE_PROTO_IKE, 8, ike_spi, xf, COUNT(xf)};

  PUT(vtun__ike_put_sa(w, &prop, 1));
}

/* An IKE rekey proposal has an 8-byte SPI; a lone proposal (as in a
 * response) keeps the number it was chosen under. */
static void test_rt_sa_rekey(void **state) {
  struct vtun__ike_sa_pl sa;
  struct vtun__ike_prop p;
  size_t pos = 0;

  (void)state;
  roundtrip(add_sa_rekey);
  assert_int_equal(vtun__ike_sa_pl_parse(&msg.chain.pl[0], &sa), 0);
  assert_true(vtun__ike_sa_pl_next(&sa, &pos, &p));
  assert_int_equal(p.num, 7);
  assert_int_equal(p.spi_len, 8);
  assert_memory_equal(p.spi, ike_spi, 8);
}

static uint8_t modp2048[256];
static uint8_t nonce64[64];

static void add_ke_nonce(struct vtun__ike_writer *w) {
  memset(modp2048, 0x42, sizeof(modp2048));
  memset(nonce64, 0x17, sizeof(nonce64));
  PUT(vtun__ike_put_ke(w, VTUN__IKE_DH_MODP2048, modp2048, sizeof(modp2048)));
  PUT(vtun__ike_put_nonce(w, nonce64, sizeof(nonce64)));
}

static void test_rt_ke_nonce(void **state) {
  struct vtun__ike_ke ke;
  struct vtun__ike_blob no;

  (void)state;
  roundtrip(add_ke_nonce);
  assert_int_equal(msg.chain.count, 2);
  assert_int_equal(vtun__ike_ke_parse(&msg.chain.pl[0], &ke), 0);
  assert_int_equal(ke.group, 14);
  assert_int_equal(ke.len, 256);
  assert_memory_equal(ke.data, modp2048, 256);
  assert_int_equal(vtun__ike_nonce_parse(&msg.chain.pl[1], &no), 0);
  assert_int_equal(no.len, 64);
  assert_memory_equal(no.data, nonce64, 64);

  /* A parser given the wrong payload says so. */
  assert_int_equal(vtun__ike_nonce_parse(&msg.chain.pl[0], &no), VTUN_EINVAL);
}

static const uint8_t cookie[] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};

static void add_notifies(struct vtun__ike_writer *w) {
  struct vtun__ike_notify rekey = {
      VTUN__IKE_PROTO_ESP, 4, VTUN__IKE_N_REKEY_SA, esp_spi, NULL, 0};
  struct vtun__ike_notify ck = {0,    0,      VTUN__IKE_N_COOKIE,
                                NULL, cookie, sizeof(cookie)};
  uint8_t grp[2] = {0, VTUN__IKE_DH_CURVE25519};
  struct vtun__ike_notify ke = {0,    0,   VTUN__IKE_N_INVALID_KE_PAYLOAD,
                                NULL, grp, 2};

  PUT(vtun__ike_put_notify(w, &ck));
  PUT(vtun__ike_put_notify(w, &rekey));
  PUT(vtun__ike_put_notify(w, &ke));
}

static void test_rt_notify(void **state) {
  struct vtun__ike_notify n;

  (void)state;
  roundtrip(add_notifies);
  assert_int_equal(msg.chain.count, 3);
  assert_int_equal(vtun__ike_notify_parse(&msg.chain.pl[0], &n), 0);
  assert_int_equal(n.type, VTUN__IKE_N_COOKIE);
  assert_int_equal(n.spi_len, 0);
  assert_int_equal(n.len, sizeof(cookie));
  assert_memory_equal(n.data, cookie, sizeof(cookie));
  assert_int_equal(vtun__ike_find_notify(&msg.chain, VTUN__IKE_N_REKEY_SA, &n),
                   0);
  assert_int_equal(n.proto, VTUN__IKE_PROTO_ESP);
  assert_int_equal(n.spi_len, 4);
  assert_memory_equal(n.spi, esp_spi, 4);
  assert_int_equal(n.len, 0);
  assert_int_equal(
      vtun__ike_find_notify(&msg.chain, VTUN__IKE_N_INVALID_KE_PAYLOAD, &n), 0);
  assert_int_equal(vtun__be16(n.data), 31);
}

static const char fqdn[] = "branch.example.net";
static const uint8_t v4[4] = {192, 0, 2, 1};
static uint8_t psk_auth[32];

static void add_id_auth(struct vtun__ike_writer *w) {
  memset(psk_auth, 0xa7, sizeof(psk_auth));
  PUT(vtun__ike_put_id(w, VTUN__IKE_PL_IDI, VTUN__IKE_ID_FQDN,
                       (const uint8_t *)fqdn, strlen(fqdn)));
  PUT(vtun__ike_put_id(w, VTUN__IKE_PL_IDR, VTUN__IKE_ID_IPV4_ADDR, v4, 4));
  PUT(vtun__ike_put_auth(w, VTUN__IKE_AUTH_PSK, psk_auth, sizeof(psk_auth)));
}

static void test_rt_id_auth(void **state) {
  struct vtun__ike_id id;
  struct vtun__ike_auth auth;
  const struct vtun__ike_payload *pl;

  (void)state;
  roundtrip(add_id_auth);
  pl = vtun__ike_chain_find(&msg.chain, VTUN__IKE_PL_IDI, 0);
  assert_non_null(pl);
  assert_int_equal(vtun__ike_id_parse(pl, &id), 0);
  assert_int_equal(id.type, VTUN__IKE_ID_FQDN);
  assert_int_equal(id.len, strlen(fqdn));
  assert_memory_equal(id.data, fqdn, id.len);

  /* The body is RestOfInitIDPayload of RFC 7296 §2.15. */
  assert_int_equal(pl->len, 4 + strlen(fqdn));
  assert_int_equal(pl->body[0], VTUN__IKE_ID_FQDN);

  pl = vtun__ike_chain_find(&msg.chain, VTUN__IKE_PL_IDR, 0);
  assert_int_equal(vtun__ike_id_parse(pl, &id), 0);
  assert_int_equal(id.type, VTUN__IKE_ID_IPV4_ADDR);
  assert_memory_equal(id.data, v4, 4);
  pl = vtun__ike_chain_find(&msg.chain, VTUN__IKE_PL_AUTH, 0);
  assert_int_equal(vtun__ike_auth_parse(pl, &auth), 0);
  assert_int_equal(auth.method, VTUN__IKE_AUTH_PSK);
  assert_int_equal(auth.len, 32);
  assert_null(vtun__ike_chain_find(&msg.chain, VTUN__IKE_PL_AUTH, 3));
}

static const struct vtun__ike_ts ts_in[] = {
    {VTUN__IKE_TS_IPV4_ADDR_RANGE,
     0,
     0,
     65535,
     {198, 51, 100, 0},
     {198, 51, 100, 255}},
    {VTUN__IKE_TS_IPV6_ADDR_RANGE,
     17,
     500,
     4500,
     {0x20, 0x01, 0x0d, 0xb8},
     {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xff, 0xff, 0xff, 0xff}},
};

static void add_ts(struct vtun__ike_writer *w) {
  PUT(vtun__ike_put_ts(w, VTUN__IKE_PL_TSI, ts_in, COUNT(ts_in)));
  PUT(vtun__ike_put_ts(w, VTUN__IKE_PL_TSR, ts_in, 1));
}

static void check_ts(const struct vtun__ike_ts *got,
                     const struct vtun__ike_ts *want) {
  size_t alen = want->type == VTUN__IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;

  assert_int_equal(got->type, want->type);
  assert_int_equal(got->proto, want->proto);
  assert_int_equal(got->start_port, want->start_port);
  assert_int_equal(got->end_port, want->end_port);
  assert_memory_equal(got->start, want->start, alen);
  assert_memory_equal(got->end, want->end, alen);
}

static void test_rt_ts(void **state) {
  struct vtun__ike_ts_list l;
  struct vtun__ike_ts ts;
  size_t pos = 0;

  (void)state;
  roundtrip(add_ts);
  assert_int_equal(msg.chain.count, 2);
  assert_int_equal(vtun__ike_ts_parse(&msg.chain.pl[0], &l), 0);
  assert_int_equal(l.count, 2);
  for (size_t i = 0; i < COUNT(ts_in); i++) {
    assert_true(vtun__ike_ts_next(&l, &pos, &ts));
    check_ts(&ts, &ts_in[i]);
  }
  assert_false(vtun__ike_ts_next(&l, &pos, &ts));
  assert_int_equal(msg.chain.pl[0].len, 4 + 16 + 40);

  pos = 0;
  assert_int_equal(vtun__ike_ts_parse(&msg.chain.pl[1], &l), 0);
  assert_int_equal(l.count, 1);
  assert_true(vtun__ike_ts_next(&l, &pos, &ts));
  check_ts(&ts, &ts_in[0]);
}

static const uint8_t v6_addr[17] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0,
                                    0,    0,    0,    0,    0, 0, 1, 64};

static void add_cp(struct vtun__ike_writer *w) {
  static const struct vtun__ike_cp_attr req[] = {
      {VTUN__IKE_CP_INTERNAL_IP4_ADDRESS, 0, NULL},
      {VTUN__IKE_CP_INTERNAL_IP4_DNS, 0, NULL},
      {VTUN__IKE_CP_INTERNAL_IP6_ADDRESS, 0, NULL},
  };
  const struct vtun__ike_cp_attr reply[] = {
      {VTUN__IKE_CP_INTERNAL_IP4_ADDRESS, 4, v4},
      {VTUN__IKE_CP_INTERNAL_IP6_ADDRESS, 17, v6_addr},
      {VTUN__IKE_CP_APPLICATION_VERSION, 5, (const uint8_t *)"vtun1"},
  };

  PUT(vtun__ike_put_cp(w, VTUN__IKE_CFG_REQUEST, req, COUNT(req)));
  PUT(vtun__ike_put_cp(w, VTUN__IKE_CFG_REPLY, reply, COUNT(reply)));
}

static void test_rt_cp(void **state) {
  struct vtun__ike_cp cp;
  struct vtun__ike_cp_attr a;
  size_t pos = 0;

  (void)state;
  roundtrip(add_cp);
  assert_int_equal(vtun__ike_cp_parse(&msg.chain.pl[0], &cp), 0);
  assert_int_equal(cp.type, VTUN__IKE_CFG_REQUEST);
  assert_true(vtun__ike_cp_next(&cp, &pos, &a));
  assert_int_equal(a.type, VTUN__IKE_CP_INTERNAL_IP4_ADDRESS);
  assert_int_equal(a.len, 0);
  assert_true(vtun__ike_cp_next(&cp, &pos, &a));
  assert_true(vtun__ike_cp_next(&cp, &pos, &a));
  assert_int_equal(a.type, VTUN__IKE_CP_INTERNAL_IP6_ADDRESS);
  assert_false(vtun__ike_cp_next(&cp, &pos, &a));

  pos = 0;
  assert_int_equal(vtun__ike_cp_parse(&msg.chain.pl[1], &cp), 0);
  assert_int_equal(cp.type, VTUN__IKE_CFG_REPLY);
  assert_true(vtun__ike_cp_next(&cp, &pos, &a));
  assert_int_equal(a.len, 4);
  assert_memory_equal(a.value, v4, 4);
  assert_true(vtun__ike_cp_next(&cp, &pos, &a));
  assert_int_equal(a.len, 17);
  assert_memory_equal(a.value, v6_addr, 17);
  assert_true(vtun__ike_cp_next(&cp, &pos, &a));
  assert_int_equal(a.type, VTUN__IKE_CP_APPLICATION_VERSION);
  assert_memory_equal(a.value, "vtun1", 5);
  assert_false(vtun__ike_cp_next(&cp, &pos, &a));
}

static const uint8_t two_spis[8] = {0, 0, 0x10, 0x01, 0xff, 0, 0, 0x02};

static void add_delete_vendor(struct vtun__ike_writer *w) {
  const struct vtun__ike_delete esp = {VTUN__IKE_PROTO_ESP, 4, 2, two_spis};
  const struct vtun__ike_delete ike = {VTUN__IKE_PROTO_IKE, 0, 0, NULL};

  PUT(vtun__ike_put_delete(w, &esp));
  PUT(vtun__ike_put_delete(w, &ike));
  PUT(vtun__ike_put_vendor(w, (const uint8_t *)"libvtun", 7));
}

static void test_rt_delete_vendor(void **state) {
  struct vtun__ike_delete d;
  struct vtun__ike_blob v;

  (void)state;
  roundtrip(add_delete_vendor);
  assert_int_equal(msg.chain.count, 3);
  assert_int_equal(vtun__ike_delete_parse(&msg.chain.pl[0], &d), 0);
  assert_int_equal(d.proto, VTUN__IKE_PROTO_ESP);
  assert_int_equal(d.count, 2);
  assert_int_equal(vtun__ike_delete_spi(&d, 0), 0x1001);
  assert_int_equal(vtun__ike_delete_spi(&d, 1), 0xff000002u);
  assert_int_equal(vtun__ike_delete_spi(&d, 2), 0);
  assert_int_equal(vtun__ike_delete_parse(&msg.chain.pl[1], &d), 0);
  assert_int_equal(d.proto, VTUN__IKE_PROTO_IKE);
  assert_int_equal(d.count, 0);
  assert_int_equal(vtun__ike_vendor_parse(&msg.chain.pl[2], &v), 0);
  assert_int_equal(v.len, 7);
  assert_memory_equal(v.data, "libvtun", 7);
}

/* ------------------------------------------------------- SK and SKF */

static uint8_t inner[1024];

/* Builds the inner chain of an IKE_AUTH request into @inner. */
static size_t build_inner(uint8_t *first) {
  struct vtun__ike_writer w;
  vtun_ssize n;

  vtun__ike_writer_init(&w, inner, sizeof(inner));
  add_id_auth(&w);
  add_cp(&w);
  add_sa(&w);
  add_ts(&w);
  n = vtun__ike_writer_finish(&w);
  assert_true(n > 0);
  *first = vtun__ike_writer_first(&w);
  assert_int_equal(*first, VTUN__IKE_PL_IDI);
  return (size_t)n;
}

static void test_rt_sk(void **state) {
  const struct vtun__ike_sk_params par = {16, 16, 16};
  struct vtun__ike_writer w;
  struct vtun__ike_sk_layout lay;
  struct vtun__ike_chain c;
  uint8_t first;
  size_t ilen = build_inner(&first), plain;
  vtun_ssize n;

  (void)state;
  vtun__ike_writer_init(&w, buf, sizeof(buf));
  assert_int_equal(vtun__ike_writer_hdr(&w, &test_hdr), 0);
  assert_int_equal(vtun__ike_put_sk(&w, first, inner, ilen, &par, &lay), 0);
  n = vtun__ike_writer_finish(&w);
  assert_int_equal(lay.aad_len, VTUN__IKE_HDR_LEN + 4);
  assert_true(lay.iv == buf + lay.aad_len);
  assert_int_equal(lay.plain_len % 16, 0);
  assert_true(lay.icv + 16 == buf + n);

  /* Nothing may follow an SK payload. */
  assert_int_equal(vtun__ike_put_vendor(&w, (const uint8_t *)"x", 1),
                   VTUN_EINVAL);

  assert_int_equal(vtun__ike_msg_parse(buf, (size_t)n, &msg), 0);
  assert_int_equal(msg.sk.type, VTUN__IKE_PL_SK);
  assert_int_equal(msg.sk.first, VTUN__IKE_PL_IDI);
  assert_int_equal(msg.sk.aad_len, lay.aad_len);
  assert_int_equal(msg.sk.len, 16 + lay.plain_len + 16);
  assert_int_equal(msg.chain.count, 1);

  /* The null cipher: the plaintext is where the writer put it. */
  assert_int_equal(vtun__ike_sk_unpad(msg.sk.data + 16, lay.plain_len, &plain),
                   0);
  assert_int_equal(plain, ilen);
  assert_int_equal(
      vtun__ike_chain_parse(msg.sk.first, msg.sk.data + 16, plain, &c), 0);
  assert_int_equal(c.count, 3 + 2 + 1 + 2);
  assert_int_equal(c.pl[0].type, VTUN__IKE_PL_IDI);
  assert_int_equal(c.pl[7].type, VTUN__IKE_PL_TSR);
}

/* An empty INFORMATIONAL request (a liveness check) is an SK payload
 * with nothing inside. */
static void test_rt_sk_empty(void **state) {
  const struct vtun__ike_sk_params par = {8, 1, 16};
  struct vtun__ike_writer w;
  struct vtun__ike_sk_layout lay;
  struct vtun__ike_chain c;
  size_t plain;
  vtun_ssize n;

  (void)state;
  vtun__ike_writer_init(&w, buf, sizeof(buf));
  assert_int_equal(vtun__ike_writer_hdr(&w, &test_hdr), 0);
  assert_int_equal(vtun__ike_put_sk(&w, 0, NULL, 0, &par, &lay), 0);
  n = vtun__ike_writer_finish(&w);
  assert_int_equal(n, 28 + 4 + 8 + 1 + 16);
  assert_int_equal(vtun__ike_msg_parse(buf, (size_t)n, &msg), 0);
  assert_int_equal(msg.sk.first, 0);
  assert_int_equal(vtun__ike_sk_unpad(msg.sk.data + 8, 1, &plain), 0);
  assert_int_equal(plain, 0);
  assert_int_equal(vtun__ike_chain_parse(0, msg.sk.data + 8, 0, &c), 0);
  assert_int_equal(c.count, 0);
}

static void test_rt_skf(void **state) {
  const struct vtun__ike_sk_params par = {8, 1, 16};
  struct vtun__ike_writer w;
  struct vtun__ike_sk_layout lay;
  struct vtun__ike_skf skf;
  uint8_t first;
  size_t ilen = build_inner(&first);
  vtun_ssize n;

  (void)state;
  vtun__ike_writer_init(&w, buf, sizeof(buf));
  assert_int_equal(vtun__ike_writer_hdr(&w, &test_hdr), 0);
  assert_int_equal(vtun__ike_put_skf(&w, 0, 2, 3, inner + 100, 100, &par, &lay),
                   0);
  n = vtun__ike_writer_finish(&w);
  assert_int_equal(vtun__ike_msg_parse(buf, (size_t)n, &msg), 0);
  assert_int_equal(msg.sk.type, VTUN__IKE_PL_SKF);
  assert_int_equal(msg.sk.frag_num, 2);
  assert_int_equal(msg.sk.frag_total, 3);
  assert_int_equal(msg.sk.first, 0);
  assert_int_equal(msg.sk.aad_len, VTUN__IKE_HDR_LEN + 8);
  assert_int_equal(msg.sk.len, 8 + 101 + 16);
  assert_memory_equal(msg.sk.data + 8, inner + 100, 100);
  assert_int_equal(vtun__ike_skf_parse(&msg.chain.pl[0], &skf), 0);
  assert_int_equal(skf.num, 2);
  assert_int_equal(skf.total, 3);

  /* RFC 7383 §2.5: fragment 0, beyond the total, or a later fragment
   * naming a payload cannot be built. */
  vtun__ike_writer_init(&w, buf, sizeof(buf));
  assert_int_equal(vtun__ike_put_skf(&w, first, 2, 3, inner, ilen, &par, &lay),
                   VTUN_EINVAL);
  vtun__ike_writer_init(&w, buf, sizeof(buf));
  assert_int_equal(vtun__ike_put_skf(&w, 0, 4, 3, inner, 1, &par, &lay),
                   VTUN_EINVAL);
}

/* ------------------------------------------------------------- writer */

static void add_everything(struct vtun__ike_writer *w) {
  add_sa(w);
  add_ke_nonce(w);
  add_notifies(w);
  add_id_auth(w);
  add_ts(w);
  add_cp(w);
  add_delete_vendor(w);
}

/* Runs @add over a writer of @cap bytes in a buffer of canaries and
 * checks that no byte past @cap was touched. */
static vtun_ssize build_capped(add_fn add, size_t cap) {
  static uint8_t big[4096];
  struct vtun__ike_writer w;
  vtun_ssize n;

  memset(big, 0xa5, sizeof(big));
  vtun__ike_writer_init(&w, big, cap);
  vtun__ike_writer_hdr(&w, &test_hdr);
  add(&w);
  n = vtun__ike_writer_finish(&w);
  for (size_t i = cap; i < sizeof(big); i++)
    assert_int_equal(big[i], 0xa5);
  return n;
}

/* Every capacity short of what a message needs fails with VTUN_ENOSPC,
 * for each builder alone and for all of them together. */
static void test_writer_enospc(void **state) {
  static const add_fn adds[] = {
      add_sa, add_sa_rekey, add_ke_nonce,      add_notifies, add_id_auth,
      add_ts, add_cp,       add_delete_vendor, add_ss_init,  add_everything,
  };

  (void)state;
  for (size_t a = 0; a < COUNT(adds); a++) {
    vtun_ssize need = build_capped(adds[a], 4096);

    assert_true(need > VTUN__IKE_HDR_LEN);
    strict = false;
    for (size_t cap = 0; cap < (size_t)need; cap++)
      assert_int_equal(build_capped(adds[a], cap), VTUN_ENOSPC);
    strict = true;
    assert_int_equal(build_capped(adds[a], (size_t)need), need);
  }
}

/* The SK payload runs out of room like any other. */
static void test_writer_enospc_sk(void **state) {
  const struct vtun__ike_sk_params par = {16, 16, 16};
  struct vtun__ike_sk_layout lay;
  uint8_t first;
  size_t ilen = build_inner(&first);
  size_t need = VTUN__IKE_HDR_LEN + 4 + 16 + ilen +
                vtun__ike_sk_padlen(ilen, 16) + 1 + 16;

  (void)state;
  for (size_t cap = 0; cap <= need; cap++) {
    struct vtun__ike_writer w;
    int rc;

    vtun__ike_writer_init(&w, buf, cap);
    vtun__ike_writer_hdr(&w, &test_hdr);
    rc = vtun__ike_put_sk(&w, first, inner, ilen, &par, &lay);
    assert_int_equal(rc, cap < need ? VTUN_ENOSPC : 0);
    assert_int_equal(vtun__ike_writer_finish(&w),
                     cap < need ? VTUN_ENOSPC : (vtun_ssize)need);
  }
}

static void test_writer_misuse(void **state) {
  struct vtun__ike_writer w;
  const struct vtun__ike_ts bad = {.type = VTUN__IKE_TS_FC_ADDR_RANGE};
  const struct vtun__ike_xform xf = {VTUN__IKE_XF_ENCR, 20, 128, false};
  const struct vtun__ike_prop_spec none = {1, 1, 0, NULL, &xf, 0};
  uint8_t b[64];

  (void)state;
  vtun__ike_writer_init(&w, b, sizeof(b));
  assert_int_equal(vtun__ike_put_nonce(&w, nonce64, 15), VTUN_EINVAL);
  assert_int_equal(vtun__ike_writer_finish(&w), VTUN_EINVAL);

  vtun__ike_writer_init(&w, b, sizeof(b));
  assert_int_equal(vtun__ike_put_ts(&w, VTUN__IKE_PL_TSI, &bad, 1),
                   VTUN_EINVAL);
  vtun__ike_writer_init(&w, b, sizeof(b));
  assert_int_equal(vtun__ike_put_ts(&w, VTUN__IKE_PL_SA, ts_in, 1),
                   VTUN_EINVAL);
  vtun__ike_writer_init(&w, b, sizeof(b));
  assert_int_equal(vtun__ike_put_sa(&w, &none, 1), VTUN_EINVAL);
  vtun__ike_writer_init(&w, b, sizeof(b));
  assert_int_equal(vtun__ike_put_sa(&w, &none, 0), VTUN_EINVAL);
  vtun__ike_writer_init(&w, b, sizeof(b));
  assert_int_equal(vtun__ike_put_id(&w, VTUN__IKE_PL_AUTH, 2, b, 1),
                   VTUN_EINVAL);
  vtun__ike_writer_init(&w, b, sizeof(b));
  assert_int_equal(vtun__ike_put_vendor(&w, b, 0), VTUN_EINVAL);
  vtun__ike_writer_init(&w, b, sizeof(b));
  assert_int_equal(vtun__ike_put_auth(&w, 2, NULL, 4), VTUN_EINVAL);

  /* A header goes first, once. */
  vtun__ike_writer_init(&w, b, sizeof(b));
  assert_int_equal(vtun__ike_put_vendor(&w, b, 1), 0);
  assert_int_equal(vtun__ike_writer_hdr(&w, &test_hdr), VTUN_EINVAL);

  /* A payload longer than 65535 bytes cannot be described. */
  {
    static uint8_t huge[70000], body[65532];
    struct vtun__ike_writer hw;

    vtun__ike_writer_init(&hw, huge, sizeof(huge));
    assert_int_equal(
        vtun__ike_put_raw(&hw, VTUN__IKE_PL_VENDOR, body, sizeof(body) - 1), 0);
    vtun__ike_writer_init(&hw, huge, sizeof(huge));
    assert_int_equal(
        vtun__ike_put_raw(&hw, VTUN__IKE_PL_VENDOR, body, sizeof(body)),
        VTUN_EINVAL);
  }

  vtun__ike_writer_init(&w, NULL, 100);
  assert_int_equal(vtun__ike_writer_hdr(&w, &test_hdr), VTUN_ENOSPC);
}

/* ------------------------------------------------------------- helpers */

static void test_natd_input(void **state) {
  vtun_endpoint ep4 = {VTUN_AF_INET, 0, 500, {192, 0, 2, 2}};
  vtun_endpoint ep6 = {VTUN_AF_INET6, 0, 4500, {0x20, 0x01, 0x0d, 0xb8}};
  vtun_endpoint none = {0};
  uint8_t out[VTUN__IKE_NATD_INPUT_MAX];
  static const uint8_t want4[] = {
      0x5a, 0x3c, 0x9e, 0x41, 0x07, 0xd2, 0xb8, 0x16, 0, 0,    0,
      0,    0,    0,    0,    0,    192,  0,    2,    2, 0x01, 0xf4};

  (void)state;
  assert_int_equal(vtun__ike_natd_input(out, 0x5a3c9e4107d2b816ull, 0, &ep4),
                   sizeof(want4));
  assert_memory_equal(out, want4, sizeof(want4));
  assert_int_equal(vtun__ike_natd_input(out, 1, 2, &ep6), 34);
  assert_int_equal(out[7], 1);
  assert_int_equal(out[15], 2);
  assert_int_equal(out[16], 0x20);
  assert_int_equal(vtun__be16(out + 32), 4500);
  assert_int_equal(vtun__ike_natd_input(out, 1, 2, &none), 0);
}

static void test_sk_padding(void **state) {
  const uint8_t padded[] = {1, 2, 3, 0, 0, 2};
  size_t n;

  (void)state;
  assert_int_equal(vtun__ike_sk_padlen(0, 16), 15);
  assert_int_equal(vtun__ike_sk_padlen(15, 16), 0);
  assert_int_equal(vtun__ike_sk_padlen(16, 16), 15);
  assert_int_equal(vtun__ike_sk_padlen(100, 1), 0);
  assert_int_equal(vtun__ike_sk_padlen(100, 0), 0);
  assert_int_equal(vtun__ike_sk_unpad(padded, sizeof(padded), &n), 0);
  assert_int_equal(n, 3);
  assert_int_equal(vtun__ike_sk_unpad(padded, 2, &n), VTUN_EMALFORMED);
  assert_int_equal(vtun__ike_sk_unpad(padded, 0, &n), VTUN_EMALFORMED);
}

static void test_names(void **state) {
  (void)state;
  assert_string_equal(vtun__ike_payload_name(VTUN__IKE_PL_SA), "SA");
  assert_string_equal(vtun__ike_payload_name(VTUN__IKE_PL_SKF), "SKF");
  assert_string_equal(vtun__ike_payload_name(99), "?");
  assert_string_equal(vtun__ike_exchange_name(VTUN__IKE_X_IKE_AUTH),
                      "IKE_AUTH");
  assert_string_equal(vtun__ike_exchange_name(VTUN__IKE_X_IKE_INTERMEDIATE),
                      "IKE_INTERMEDIATE");
  assert_string_equal(vtun__ike_exchange_name(33), "?");
}

/* ---------------------------------------------------------- malformed */

static void test_bad_header(void **state) {
  uint8_t *m = copy_ss();
  size_t n = sizeof(ss_init);

  (void)state;
  for (size_t len = 0; len < VTUN__IKE_HDR_LEN; len++)
    expect_bad(m, len, 0);

  /* The length field must equal the datagram's length. */
  expect_bad(m, n - 1, 0);
  vtun__put32(m + 24, (uint32_t)n + 1);
  expect_bad(m, n, 0);
  vtun__put32(m + 24, (uint32_t)n);

  /* RFC 7296 §2.5: a higher major version gets INVALID_MAJOR_VERSION;
   * IKEv1 is not ours; the minor version is ignored. */
  m[17] = 0x30;
  expect_bad(m, n, 0);
  assert_int_equal(msg.chain.fail.notify, VTUN__IKE_N_INVALID_MAJOR_VERSION);
  m[17] = 0x10;
  expect_bad(m, n, 0);
  assert_int_equal(msg.chain.fail.notify, 0);
  m[17] = 0x2f;
  assert_int_equal(vtun__ike_msg_parse(m, n, &msg), 0);
  m[17] = 0x20;

  /* Unknown flags are ignored; a zero initiator SPI is refused. */
  m[19] = 0xff;
  assert_int_equal(vtun__ike_msg_parse(m, n, &msg), 0);
  assert_int_equal(msg.hdr.flags, 0xff);
  memset(m, 0, 8);
  expect_bad(m, n, 0);
}

static void test_bad_payload_length(void **state) {
  uint8_t *m = copy_ss();
  size_t n = sizeof(ss_init);
  static const uint16_t lens[] = {0, 1, 3, 268 - 28 + 1, 0xffff};

  (void)state;
  for (size_t i = 0; i < COUNT(lens); i++) {
    vtun__put16(m + SS_SA + 2, lens[i]);
    expect_bad(m, n, VTUN__IKE_PL_SA);
    assert_int_equal(msg.chain.fail.index, 0);
    assert_int_equal(msg.chain.fail.offset, SS_SA);
    assert_int_equal(msg.chain.fail.notify, VTUN__IKE_N_INVALID_SYNTAX);
  }

  /* The nonce's length overflows the message by one byte. */
  m = copy_ss();
  vtun__put16(m + SS_NONCE + 2, (uint16_t)(n - SS_NONCE + 1));
  expect_bad(m, n, VTUN__IKE_PL_NONCE);
  assert_int_equal(msg.chain.fail.index, 2);
}

/* A chain cut short: the last payload names one more, which is missing
 * or whose header is cut. Bytes after a chain's end are refused too. */
static void test_bad_chain_end(void **state) {
  uint8_t *m = copy_ss();

  (void)state;
  vtun__put32(m + 24, SS_KE);
  expect_bad(m, SS_KE, VTUN__IKE_PL_KE);
  vtun__put32(m + 24, SS_KE + 3);
  expect_bad(m, SS_KE + 3, VTUN__IKE_PL_KE);

  m = copy_ss();
  memset(m + sizeof(ss_init), 0, 4);
  vtun__put32(m + 24, sizeof(ss_init) + 4);
  expect_bad(m, sizeof(ss_init) + 4, 0);
  assert_string_equal(msg.chain.fail.why, "bytes after the last payload");
}

/* Appends a payload of @type with @len bytes of @fill, unknown to the
 * writer's builders; sets the critical bit when @crit. */
static void put_any(struct vtun__ike_writer *w, uint8_t type, size_t len,
                    bool crit) {
  uint8_t body[300];
  size_t start = w->len;

  memset(body, 0x33, sizeof(body));
  assert_int_equal(vtun__ike_put_raw(w, type, body, len), 0);
  if (crit)
    w->buf[start + 1] |= VTUN__IKE_CRITICAL;
}

static size_t build_with_unknown(uint8_t type, bool crit) {
  struct vtun__ike_writer w;

  vtun__ike_writer_init(&w, buf, sizeof(buf));
  vtun__ike_writer_hdr(&w, &test_hdr);
  put_any(&w, VTUN__IKE_PL_VENDOR, 5, false);
  put_any(&w, type, 9, crit);
  put_any(&w, VTUN__IKE_PL_NONCE, 16, true);
  return (size_t)vtun__ike_writer_finish(&w);
}

static void test_critical_unknown(void **state) {
  size_t n;

  (void)state;

  /* RFC 7296 §2.5: an unknown critical payload fails the message and is
   * named in UNSUPPORTED_CRITICAL_PAYLOAD... */
  n = build_with_unknown(60, true);
  expect_bad(buf, n, 60);
  assert_int_equal(msg.chain.fail.notify,
                   VTUN__IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
  assert_int_equal(msg.chain.fail.index, 1);
  assert_int_equal(msg.chain.fail.offset, VTUN__IKE_HDR_LEN + 9);

  /* ...an unknown non-critical one is skipped, and the critical bit of a
   * known one is ignored, as are the reserved bits. */
  n = build_with_unknown(VTUN__IKE_PL_GSPM, false);
  buf[VTUN__IKE_HDR_LEN + 1] = 0x7f;
  assert_int_equal(vtun__ike_msg_parse(buf, n, &msg), 0);
  assert_int_equal(msg.chain.count, 2);
  assert_int_equal(msg.chain.pl[0].type, VTUN__IKE_PL_VENDOR);
  assert_false(msg.chain.pl[0].critical);
  assert_int_equal(msg.chain.pl[1].type, VTUN__IKE_PL_NONCE);
  assert_true(msg.chain.pl[1].critical);
}

static size_t build_empty_sk(void) {
  const struct vtun__ike_sk_params par = {8, 1, 16};
  struct vtun__ike_writer w;
  struct vtun__ike_sk_layout lay;

  vtun__ike_writer_init(&w, buf, sizeof(buf));
  vtun__ike_writer_hdr(&w, &test_hdr);
  vtun__ike_put_sk(&w, 0, NULL, 0, &par, &lay);
  return (size_t)vtun__ike_writer_finish(&w);
}

static void test_sk_not_last(void **state) {
  static const uint8_t sk_inside[] = {0, 0, 0, 8, 1, 2, 3, 4};
  struct vtun__ike_chain c;
  size_t n = build_empty_sk();

  (void)state;

  /* Bytes after the SK payload: it is not last. */
  memcpy(buf + n, "\x00\x00\x00\x04", 4);
  vtun__put32(buf + 24, (uint32_t)n + 4);
  expect_bad(buf, n + 4, VTUN__IKE_PL_SK);
  assert_string_equal(msg.chain.fail.why, "encrypted payload is not last");

  /* An SK or SKF payload inside a decrypted chain. */
  assert_int_equal(
      vtun__ike_chain_parse(VTUN__IKE_PL_SK, sk_inside, sizeof(sk_inside), &c),
      VTUN_EMALFORMED);
  assert_int_equal(c.fail.payload, VTUN__IKE_PL_SK);
  assert_int_equal(
      vtun__ike_chain_parse(VTUN__IKE_PL_SKF, sk_inside, sizeof(sk_inside), &c),
      VTUN_EMALFORMED);
}

static void test_bad_skf(void **state) {
  const struct vtun__ike_sk_params par = {8, 1, 16};
  struct vtun__ike_writer w;
  struct vtun__ike_sk_layout lay;
  size_t n, hdr = VTUN__IKE_HDR_LEN;

  (void)state;
  vtun__ike_writer_init(&w, buf, sizeof(buf));
  vtun__ike_writer_hdr(&w, &test_hdr);
  vtun__ike_put_skf(&w, VTUN__IKE_PL_IDI, 1, 2, inner, 10, &par, &lay);
  n = (size_t)vtun__ike_writer_finish(&w);
  assert_int_equal(vtun__ike_msg_parse(buf, n, &msg), 0);
  assert_int_equal(msg.sk.first, VTUN__IKE_PL_IDI);

  vtun__put16(buf + hdr + 4, 0); /* fragment 0 */
  expect_bad(buf, n, VTUN__IKE_PL_SKF);
  vtun__put16(buf + hdr + 4, 3); /* fragment 3 of 2 */
  expect_bad(buf, n, VTUN__IKE_PL_SKF);
  vtun__put16(buf + hdr + 4, 2); /* fragment 2 names a payload */
  expect_bad(buf, n, VTUN__IKE_PL_SKF);
  buf[hdr] = 0;
  assert_int_equal(vtun__ike_msg_parse(buf, n, &msg), 0);
}

static size_t build_vendors(unsigned count) {
  struct vtun__ike_writer w;

  vtun__ike_writer_init(&w, buf, sizeof(buf));
  vtun__ike_writer_hdr(&w, &test_hdr);
  for (unsigned i = 0; i < count; i++)
    put_any(&w, VTUN__IKE_PL_VENDOR, 1, false);
  return (size_t)vtun__ike_writer_finish(&w);
}

static void test_too_many_payloads(void **state) {
  size_t n;

  (void)state;
  n = build_vendors(VTUN__IKE_MAX_PAYLOADS);
  assert_int_equal(vtun__ike_msg_parse(buf, n, &msg), 0);
  assert_int_equal(msg.chain.count, VTUN__IKE_MAX_PAYLOADS);
  n = build_vendors(VTUN__IKE_MAX_PAYLOADS + 1);
  expect_bad(buf, n, VTUN__IKE_PL_VENDOR);
  assert_string_equal(msg.chain.fail.why, "too many payloads");
  assert_int_equal(msg.chain.fail.index, VTUN__IKE_MAX_PAYLOADS);
}

/* The SA body of ss_init, to break in every way. */
static uint8_t sa_body[80];

static uint8_t *sa_copy(void) {
  memcpy(sa_body, ss_init + SS_SA + 4, sizeof(sa_body));
  return sa_body;
}

static void sa_bad(void) {
  expect_invalid(VTUN__IKE_PL_SA, sa_body, sizeof(sa_body));
}

/* Offsets in sa_body: proposal 2 and the first transforms. */
enum { SA_P2 = 36, SA_P1_T1 = 8, SA_P1_T3 = 28, SA_P2_T1 = 44 };

static void test_bad_sa_counts(void **state) {
  uint8_t *b;

  (void)state;
  expect_valid(VTUN__IKE_PL_SA, sa_copy(), sizeof(sa_body));
  b = sa_copy();
  b[7] = 4; /* 3 transforms, 4 announced */
  sa_bad();
  b = sa_copy();
  b[7] = 2;
  sa_bad();
  b = sa_copy();
  b[7] = 0;
  sa_bad();
  b = sa_copy();
  b[SA_P2 + 4] = 3; /* proposals 1, 3 */
  sa_bad();
  b = sa_copy();
  b[4] = 2; /* proposals 2, 3 */
  b[SA_P2 + 4] = 3;
  sa_bad();
  b = sa_copy();
  b[4] = 0;
  sa_bad();
  expect_invalid(VTUN__IKE_PL_SA, sa_body, 0);
}

static void test_bad_sa_markers(void **state) {
  uint8_t *b;

  (void)state;
  b = sa_copy();
  b[0] = VTUN__IKE_LAST; /* proposal 1 claims to be last */
  sa_bad();
  b = sa_copy();
  b[SA_P2] = VTUN__IKE_MORE_PROPOSALS;
  sa_bad();
  b = sa_copy();
  b[SA_P1_T1] = VTUN__IKE_LAST;
  sa_bad();
  b = sa_copy();
  b[SA_P1_T3] = VTUN__IKE_MORE_TRANSFORMS;
  sa_bad();
}

static void test_bad_sa_lengths(void **state) {
  static const uint8_t spi_out[] = {0, 0, 0, 8, 1, VTUN__IKE_PROTO_ESP, 4, 1};
  uint8_t *b;

  (void)state;
  b = sa_copy();
  vtun__put16(b + SA_P2 + 2, 45); /* proposal overflows the payload */
  sa_bad();
  b = sa_copy();
  vtun__put16(b + 2, 7);
  sa_bad();
  b = sa_copy();
  vtun__put16(b + SA_P1_T1 + 2, 7); /* transform below its header */
  sa_bad();
  b = sa_copy();
  vtun__put16(b + SA_P1_T1 + 2, 13); /* transform overflows proposal */
  sa_bad();
  b = sa_copy();
  b[6] = 40; /* SPI beyond the proposal */
  sa_bad();
  expect_invalid(VTUN__IKE_PL_SA, spi_out, sizeof(spi_out));
  expect_invalid(VTUN__IKE_PL_SA, sa_copy(), 7);
}

static void test_bad_sa_attributes(void **state) {
  /* One proposal, one transform with two Key Length attributes; the
   * first 20 bytes are the same with one, once the lengths say so. */
  uint8_t twice[] = {0, 0, 0, 24, 1,    1,  0, 1,   0,    0,  0, 16,
                     1, 0, 0, 20, 0x80, 14, 0, 128, 0x80, 14, 1, 0};
  uint8_t *b;

  (void)state;

  /* A TLV attribute whose length overflows its transform. */
  b = sa_copy();
  vtun__put16(b + SA_P1_T1 + 8, 0x0001);
  vtun__put16(b + SA_P1_T1 + 10, 1);
  sa_bad();

  /* Key length as TLV, as 0, or twice. */
  b = sa_copy();
  vtun__put16(b + SA_P1_T1 + 8, VTUN__IKE_ATTR_KEY_LENGTH);
  vtun__put16(b + SA_P1_T1 + 10, 0);
  sa_bad();
  b = sa_copy();
  vtun__put16(b + SA_P1_T1 + 10, 0);
  sa_bad();
  expect_invalid(VTUN__IKE_PL_SA, twice, sizeof(twice));
  twice[3] = 20;
  twice[11] = 12;
  expect_valid(VTUN__IKE_PL_SA, twice, 20);

  /* Unknown attributes are well-formed and flagged (RFC 7296 §3.3.6). */
  b = sa_copy();
  vtun__put16(b + SA_P1_T1 + 8, 0x0001);
  vtun__put16(b + SA_P1_T1 + 10, 0);
  expect_valid(VTUN__IKE_PL_SA, b, sizeof(sa_body));
}

static void test_sa_unknown_attr_flagged(void **state) {
  struct vtun__ike_payload pl = {VTUN__IKE_PL_SA, false, sa_body,
                                 sizeof(sa_body)};
  struct vtun__ike_sa_pl sa;
  struct vtun__ike_prop p;
  struct vtun__ike_xform xf;
  size_t pos = 0, xpos = 0;
  uint8_t *b = sa_copy();

  (void)state;
  vtun__put16(b + SA_P1_T1 + 8, 0x8001);
  b[SA_P1_T1 + 4] = 9; /* unknown transform type */
  assert_int_equal(vtun__ike_sa_pl_parse(&pl, &sa), 0);
  assert_true(vtun__ike_sa_pl_next(&sa, &pos, &p));
  assert_true(vtun__ike_prop_next(&p, &xpos, &xf));
  assert_int_equal(xf.type, 9);
  assert_true(xf.unknown_attr);
  assert_int_equal(xf.keylen, 0);
}

/* Builds an SA payload of the proposals at @p into sa_body's place and
 * returns the verdict of the validator. */
static int sa_validate_built(const struct vtun__ike_prop_spec *p, unsigned n) {
  struct vtun__ike_writer w;
  const char *why;

  vtun__ike_writer_init(&w, buf, sizeof(buf));
  assert_int_equal(vtun__ike_put_sa(&w, p, n), 0);
  return vtun__ike_sa_pl_validate(buf + 4, w.len - 4, &why);
}

static void test_bad_sa_protocols(void **state) {
  static const struct vtun__ike_xform xf[] = {
      {VTUN__IKE_XF_ENCR, VTUN__IKE_ENCR_AES_GCM_16, 128, false},
      {VTUN__IKE_XF_ENCR, VTUN__IKE_ENCR_AES_GCM_16, 128, true},
  };
  struct vtun__ike_prop_spec p[2] = {
      {1, VTUN__IKE_PROTO_IKE, 0, NULL, xf, 1},
      {2, VTUN__IKE_PROTO_ESP, 4, esp_spi, xf, 1},
  };

  (void)state;
  assert_int_equal(sa_validate_built(p, 1), 0);
  assert_int_equal(sa_validate_built(p + 1, 1), 0);
  assert_int_equal(sa_validate_built(p, 2), VTUN_EMALFORMED); /* mixed */
  p[0].spi_len = 4;
  p[0].spi = esp_spi;
  assert_int_equal(sa_validate_built(p, 1), VTUN_EMALFORMED);
  p[1].spi_len = 0;
  assert_int_equal(sa_validate_built(p + 1, 1), VTUN_EMALFORMED);
  p[1].spi_len = 8;
  p[1].spi = ike_spi;
  assert_int_equal(sa_validate_built(p + 1, 1), VTUN_EMALFORMED);
  p[1].proto = 4;
  p[1].spi_len = 4;
  assert_int_equal(sa_validate_built(p + 1, 1), VTUN_EMALFORMED);
  p[1].proto = VTUN__IKE_PROTO_AH;
  assert_int_equal(sa_validate_built(p + 1, 1), 0);

  /* The whole message names the SA payload when it fails. */
  p[0] = p[1];
  p[0].num = 1;
  p[1].num = 2;
  p[1].proto = VTUN__IKE_PROTO_IKE;
  p[1].spi_len = 0;
  {
    struct vtun__ike_writer w;
    size_t n;

    vtun__ike_writer_init(&w, buf, sizeof(buf));
    vtun__ike_writer_hdr(&w, &test_hdr);
    vtun__ike_put_sa(&w, p, 2);
    n = (size_t)vtun__ike_writer_finish(&w);
    expect_bad(buf, n, VTUN__IKE_PL_SA);
    assert_string_equal(msg.chain.fail.why, "IKE and Child SA proposals mixed");
  }
}

static void test_bad_ts(void **state) {
  uint8_t b[64] = {1,   0,   0,  0, 7, 6, 0,  16,  0,   0,
                   255, 255, 10, 0, 0, 0, 10, 255, 255, 255};
  static const uint8_t v6_short[] = {1,   0,   0, 0, 8, 0, 0, 16, 0, 0,
                                     255, 255, 1, 2, 3, 4, 5, 6,  7, 8};
  static const uint8_t label[] = {1, 0, 0, 0, 10, 0, 0, 4};
  struct vtun__ike_payload pl = {VTUN__IKE_PL_TSR, false, label, sizeof(label)};
  struct vtun__ike_ts_list l;
  struct vtun__ike_ts ts;
  size_t pos = 0;

  (void)state;
  expect_valid(VTUN__IKE_PL_TSI, b, 20);
  b[7] = 20; /* an IPv4 range of 20 bytes */
  expect_invalid(VTUN__IKE_PL_TSI, b, 24);
  b[7] = 16;
  b[0] = 2; /* two announced, one present */
  expect_invalid(VTUN__IKE_PL_TSI, b, 20);
  b[0] = 0;
  expect_invalid(VTUN__IKE_PL_TSI, b, 20);
  expect_invalid(VTUN__IKE_PL_TSI, b, 4);
  b[0] = 1;
  expect_invalid(VTUN__IKE_PL_TSI, b, 21); /* a byte left over */
  expect_invalid(VTUN__IKE_PL_TSI, b, 19); /* cut short */
  expect_invalid(VTUN__IKE_PL_TSI, b, 3);
  expect_invalid(VTUN__IKE_PL_TSI, v6_short, sizeof(v6_short));

  /* Other selector types are reported, not refused. */
  assert_int_equal(vtun__ike_ts_parse(&pl, &l), 0);
  assert_true(vtun__ike_ts_next(&l, &pos, &ts));
  assert_int_equal(ts.type, VTUN__IKE_TS_SECLABEL);
  assert_false(vtun__ike_ts_next(&l, &pos, &ts));
  expect_invalid(VTUN__IKE_PL_TSR, label, 7);
}

static size_t build_raw(uint8_t type, size_t len) {
  struct vtun__ike_writer w;

  vtun__ike_writer_init(&w, buf, sizeof(buf));
  vtun__ike_writer_hdr(&w, &test_hdr);
  put_any(&w, VTUN__IKE_PL_VENDOR, 3, false);
  put_any(&w, type, len, false);
  return (size_t)vtun__ike_writer_finish(&w);
}

static void test_bad_nonce(void **state) {
  (void)state;
  expect_bad(buf, build_raw(VTUN__IKE_PL_NONCE, 15), VTUN__IKE_PL_NONCE);
  assert_int_equal(msg.chain.fail.index, 1);
  assert_string_equal(msg.chain.fail.why, "nonce not 16 to 256 bytes");
  expect_bad(buf, build_raw(VTUN__IKE_PL_NONCE, 257), VTUN__IKE_PL_NONCE);
  assert_int_equal(
      vtun__ike_msg_parse(buf, build_raw(VTUN__IKE_PL_NONCE, 16), &msg), 0);
  assert_int_equal(
      vtun__ike_msg_parse(buf, build_raw(VTUN__IKE_PL_NONCE, 256), &msg), 0);
}

static void test_bad_notify(void **state) {
  uint8_t b[80] = {0, 0, 0x40, 0x04};

  (void)state;
  expect_valid(VTUN__IKE_PL_NOTIFY, b, 4 + 20);
  expect_invalid(VTUN__IKE_PL_NOTIFY, b, 4 + 19);
  expect_invalid(VTUN__IKE_PL_NOTIFY, b, 4 + 21);
  expect_invalid(VTUN__IKE_PL_NOTIFY, b, 3);

  vtun__put16(b + 2, VTUN__IKE_N_SIGNATURE_HASH_ALGORITHMS);
  expect_valid(VTUN__IKE_PL_NOTIFY, b, 4 + 6);
  expect_invalid(VTUN__IKE_PL_NOTIFY, b, 4 + 5);
  expect_invalid(VTUN__IKE_PL_NOTIFY, b, 4);
  vtun__put16(b + 2, VTUN__IKE_N_COOKIE);
  expect_invalid(VTUN__IKE_PL_NOTIFY, b, 4);
  expect_invalid(VTUN__IKE_PL_NOTIFY, b, 4 + 65);
  expect_valid(VTUN__IKE_PL_NOTIFY, b, 4 + 64);

  /* SPI sizes against protocols. */
  vtun__put16(b + 2, VTUN__IKE_N_REKEY_SA);
  expect_invalid(VTUN__IKE_PL_NOTIFY, b, 4); /* REKEY_SA needs an SPI */
  b[0] = VTUN__IKE_PROTO_ESP;
  b[1] = 4;
  expect_valid(VTUN__IKE_PL_NOTIFY, b, 8);
  expect_invalid(VTUN__IKE_PL_NOTIFY, b, 7); /* SPI beyond the payload */
  b[0] = VTUN__IKE_PROTO_IKE;
  expect_invalid(VTUN__IKE_PL_NOTIFY, b, 8);
  vtun__put16(b + 2, 40000); /* unknown status: data not checked */
  b[1] = 8;
  expect_valid(VTUN__IKE_PL_NOTIFY, b, 4 + 8 + 13);
  b[0] = VTUN__IKE_PROTO_ESP;
  expect_invalid(VTUN__IKE_PL_NOTIFY, b, 4 + 8);
  b[1] = 3;
  expect_invalid(VTUN__IKE_PL_NOTIFY, b, 4 + 8);
}

static void test_bad_ke(void **state) {
  uint8_t b[300] = {0, VTUN__IKE_DH_CURVE25519};

  (void)state;
  expect_valid(VTUN__IKE_PL_KE, b, 4 + 32);
  expect_invalid(VTUN__IKE_PL_KE, b, 4 + 31);
  expect_invalid(VTUN__IKE_PL_KE, b, 4 + 33);
  expect_invalid(VTUN__IKE_PL_KE, b, 4);
  b[1] = VTUN__IKE_DH_MODP2048;
  expect_invalid(VTUN__IKE_PL_KE, b, 4 + 255);
  expect_valid(VTUN__IKE_PL_KE, b, 4 + 256);
  b[1] = 99; /* unknown group: any length */
  expect_valid(VTUN__IKE_PL_KE, b, 4 + 7);
}

static void test_bad_delete(void **state) {
  uint8_t b[16] = {VTUN__IKE_PROTO_ESP, 4, 0, 2};

  (void)state;
  expect_valid(VTUN__IKE_PL_DELETE, b, 12);
  expect_invalid(VTUN__IKE_PL_DELETE, b, 8);
  expect_invalid(VTUN__IKE_PL_DELETE, b, 16);
  b[3] = 0;
  expect_invalid(VTUN__IKE_PL_DELETE, b, 4);
  b[3] = 1;
  b[1] = 8;
  expect_invalid(VTUN__IKE_PL_DELETE, b, 12);
  b[0] = VTUN__IKE_PROTO_IKE;
  b[1] = 0;
  b[3] = 0;
  expect_valid(VTUN__IKE_PL_DELETE, b, 4);
  b[1] = 4;
  expect_invalid(VTUN__IKE_PL_DELETE, b, 4);
  b[0] = 9;
  expect_invalid(VTUN__IKE_PL_DELETE, b, 4);
  expect_invalid(VTUN__IKE_PL_DELETE, b, 3);
}

static void test_bad_id_auth_misc(void **state) {
  uint8_t b[32] = {VTUN__IKE_ID_IPV4_ADDR};

  (void)state;
  expect_valid(VTUN__IKE_PL_IDI, b, 8);
  expect_invalid(VTUN__IKE_PL_IDI, b, 9);
  expect_invalid(VTUN__IKE_PL_IDI, b, 3);
  b[0] = VTUN__IKE_ID_IPV6_ADDR;
  expect_invalid(VTUN__IKE_PL_IDR, b, 19);
  expect_valid(VTUN__IKE_PL_IDR, b, 20);
  b[0] = VTUN__IKE_ID_FQDN;
  expect_invalid(VTUN__IKE_PL_IDR, b, 4);
  b[0] = VTUN__IKE_ID_NULL;
  expect_valid(VTUN__IKE_PL_IDR, b, 4);

  expect_invalid(VTUN__IKE_PL_AUTH, b, 4);
  expect_valid(VTUN__IKE_PL_AUTH, b, 5);
  expect_invalid(VTUN__IKE_PL_CERT, b, 0);
  expect_invalid(VTUN__IKE_PL_CERTREQ, b, 0);
  expect_invalid(VTUN__IKE_PL_VENDOR, b, 0);

  /* EAP is only checked for its own length (RFC 3748 §4). */
  b[0] = 1;
  b[1] = 7;
  vtun__put16(b + 2, 6);
  expect_valid(VTUN__IKE_PL_EAP, b, 6);
  expect_invalid(VTUN__IKE_PL_EAP, b, 7);
  expect_invalid(VTUN__IKE_PL_EAP, b, 3);

  /* An SKF header of fragment numbers. */
  memset(b, 0, 4);
  expect_invalid(VTUN__IKE_PL_SKF, b, 4);
  expect_invalid(VTUN__IKE_PL_SKF, b, 3);
  b[1] = 1;
  b[3] = 1;
  expect_valid(VTUN__IKE_PL_SKF, b, 4);
}

static void test_bad_cp(void **state) {
  uint8_t b[40] = {VTUN__IKE_CFG_REPLY, 0, 0, 0, 0, 1, 0, 4, 10, 0, 0, 1};
  struct vtun__ike_payload pl = {VTUN__IKE_PL_CP, false, b, 12};
  struct vtun__ike_cp cp;
  struct vtun__ike_cp_attr a;
  size_t pos = 0;

  (void)state;
  expect_valid(VTUN__IKE_PL_CP, b, 12);
  expect_invalid(VTUN__IKE_PL_CP, b, 11); /* attribute overflows */
  expect_invalid(VTUN__IKE_PL_CP, b, 6);  /* attribute header cut */
  expect_invalid(VTUN__IKE_PL_CP, b, 3);
  b[7] = 3; /* an IPv4 address of 3 bytes */
  expect_invalid(VTUN__IKE_PL_CP, b, 11);
  b[5] = VTUN__IKE_CP_INTERNAL_IP6_ADDRESS;
  b[7] = 16;
  expect_invalid(VTUN__IKE_PL_CP, b, 24);
  b[5] = VTUN__IKE_CP_SUPPORTED_ATTRIBUTES;
  b[7] = 3;
  expect_invalid(VTUN__IKE_PL_CP, b, 11);
  b[5] = 200; /* unknown attribute: any length */
  expect_valid(VTUN__IKE_PL_CP, b, 11);
  b[0] = 0;
  expect_invalid(VTUN__IKE_PL_CP, b, 11);
  b[0] = 5;
  expect_invalid(VTUN__IKE_PL_CP, b, 11);

  /* The reserved bit of the attribute type is not part of the type. */
  b[0] = VTUN__IKE_CFG_REQUEST;
  b[4] = 0x80;
  b[5] = VTUN__IKE_CP_INTERNAL_IP4_ADDRESS;
  b[7] = 4;
  assert_int_equal(vtun__ike_cp_parse(&pl, &cp), 0);
  assert_true(vtun__ike_cp_next(&cp, &pos, &a));
  assert_int_equal(a.type, VTUN__IKE_CP_INTERNAL_IP4_ADDRESS);
}

static void test_parse_wrong_type(void **state) {
  static const uint8_t body[40] = {0};
  const struct vtun__ike_payload pl = {VTUN__IKE_PL_GSPM, false, body, 40};
  struct vtun__ike_ke ke;
  struct vtun__ike_id id;
  struct vtun__ike_auth au;
  struct vtun__ike_blob bl;
  struct vtun__ike_notify no;
  struct vtun__ike_delete de;
  struct vtun__ike_skf sf;
  struct vtun__ike_sa_pl sa;
  struct vtun__ike_ts_list ts;
  struct vtun__ike_cp cp;

  (void)state;
  assert_int_equal(vtun__ike_ke_parse(&pl, &ke), VTUN_EINVAL);
  assert_int_equal(vtun__ike_id_parse(&pl, &id), VTUN_EINVAL);
  assert_int_equal(vtun__ike_auth_parse(&pl, &au), VTUN_EINVAL);
  assert_int_equal(vtun__ike_nonce_parse(&pl, &bl), VTUN_EINVAL);
  assert_int_equal(vtun__ike_vendor_parse(&pl, &bl), VTUN_EINVAL);
  assert_int_equal(vtun__ike_notify_parse(&pl, &no), VTUN_EINVAL);
  assert_int_equal(vtun__ike_delete_parse(&pl, &de), VTUN_EINVAL);
  assert_int_equal(vtun__ike_skf_parse(&pl, &sf), VTUN_EINVAL);
  assert_int_equal(vtun__ike_sa_pl_parse(&pl, &sa), VTUN_EINVAL);
  assert_int_equal(vtun__ike_ts_parse(&pl, &ts), VTUN_EINVAL);
  assert_int_equal(vtun__ike_cp_parse(&pl, &cp), VTUN_EINVAL);
}

/* Every payload of an accepted chain parses with its own parser, and
 * every iterator runs to the announced count. */
static void deep_check(const struct vtun__ike_chain *c) {
  for (unsigned i = 0; i < c->count; i++) {
    const struct vtun__ike_payload *pl = &c->pl[i];
    union {
      struct vtun__ike_sa_pl sa;
      struct vtun__ike_ts_list ts;
      struct vtun__ike_cp cp;
      struct vtun__ike_notify n;
      struct vtun__ike_ke ke;
    } u;
    size_t pos = 0;
    unsigned k = 0;

    switch (pl->type) {
    case VTUN__IKE_PL_SA:
      assert_int_equal(vtun__ike_sa_pl_parse(pl, &u.sa), 0);
      assert_true(u.sa.nprop >= 1);
      break;
    case VTUN__IKE_PL_TSI:
    case VTUN__IKE_PL_TSR: {
      struct vtun__ike_ts ts;

      assert_int_equal(vtun__ike_ts_parse(pl, &u.ts), 0);
      while (vtun__ike_ts_next(&u.ts, &pos, &ts))
        k++;
      assert_int_equal(k, u.ts.count);
      break;
    }
    case VTUN__IKE_PL_NOTIFY:
      assert_int_equal(vtun__ike_notify_parse(pl, &u.n), 0);
      break;
    case VTUN__IKE_PL_KE:
      assert_int_equal(vtun__ike_ke_parse(pl, &u.ke), 0);
      break;
    default:
      break;
    }
  }
}

/* Flips every byte of the strongSwan request in a few ways: each result
 * is either refused or deeply parseable. */
static void test_mutations(void **state) {
  unsigned ok = 0, bad = 0;

  (void)state;
  for (size_t i = 0; i < sizeof(ss_init); i++) {
    const uint8_t vals[] = {0x00, 0xff, (uint8_t)(ss_init[i] ^ 1),
                            (uint8_t)(ss_init[i] + 1)};

    for (size_t v = 0; v < COUNT(vals); v++) {
      uint8_t *m = copy_ss();

      m[i] = vals[v];
      if (vtun__ike_msg_parse(m, sizeof(ss_init), &msg) == 0) {
        deep_check(&msg.chain);
        ok++;
      } else {
        assert_non_null(msg.chain.fail.why);
        bad++;
      }
    }
  }
  assert_true(ok > 0 && bad > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_strongswan_sa_init),
      cmocka_unit_test(test_strongswan_rebuilt),
      cmocka_unit_test(test_rt_sa),
      cmocka_unit_test(test_rt_sa_rekey),
      cmocka_unit_test(test_rt_ke_nonce),
      cmocka_unit_test(test_rt_notify),
      cmocka_unit_test(test_rt_id_auth),
      cmocka_unit_test(test_rt_ts),
      cmocka_unit_test(test_rt_cp),
      cmocka_unit_test(test_rt_delete_vendor),
      cmocka_unit_test(test_rt_sk),
      cmocka_unit_test(test_rt_sk_empty),
      cmocka_unit_test(test_rt_skf),
      cmocka_unit_test(test_writer_enospc),
      cmocka_unit_test(test_writer_enospc_sk),
      cmocka_unit_test(test_writer_misuse),
      cmocka_unit_test(test_natd_input),
      cmocka_unit_test(test_sk_padding),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_bad_header),
      cmocka_unit_test(test_bad_payload_length),
      cmocka_unit_test(test_bad_chain_end),
      cmocka_unit_test(test_critical_unknown),
      cmocka_unit_test(test_sk_not_last),
      cmocka_unit_test(test_bad_skf),
      cmocka_unit_test(test_too_many_payloads),
      cmocka_unit_test(test_bad_sa_counts),
      cmocka_unit_test(test_bad_sa_markers),
      cmocka_unit_test(test_bad_sa_lengths),
      cmocka_unit_test(test_bad_sa_attributes),
      cmocka_unit_test(test_sa_unknown_attr_flagged),
      cmocka_unit_test(test_bad_sa_protocols),
      cmocka_unit_test(test_bad_ts),
      cmocka_unit_test(test_bad_nonce),
      cmocka_unit_test(test_bad_notify),
      cmocka_unit_test(test_bad_ke),
      cmocka_unit_test(test_bad_delete),
      cmocka_unit_test(test_bad_id_auth_misc),
      cmocka_unit_test(test_bad_cp),
      cmocka_unit_test(test_parse_wrong_type),
      cmocka_unit_test(test_mutations),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
