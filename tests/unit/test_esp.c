/* ESP through the public data path between two contexts: round trips for
 * every algorithm, both inner and outer IP versions, raw and in UDP;
 * then what must be dropped, each under its own counter, without moving
 * any SA state. */
#include "test_esp_wire.h"

#include "esp/replay.h"

struct alg {
  int encr, integ;
};

static const struct alg algs[] = {
    {VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE},
    {VTUN_ENCR_AES_GCM_256, VTUN_INTEG_NONE},
    {VTUN_ENCR_CHACHA20_POLY1305, VTUN_INTEG_NONE},
    {VTUN_ENCR_AES_CBC_128, VTUN_INTEG_SHA2_256_128},
    {VTUN_ENCR_AES_CBC_256, VTUN_INTEG_SHA2_256_128},
    {VTUN_ENCR_AES_CBC_128, VTUN_INTEG_SHA2_512_256},
    {VTUN_ENCR_AES_CBC_256, VTUN_INTEG_SHA2_512_256},
    {VTUN_ENCR_AES_CBC_192, VTUN_INTEG_SHA2_384_192},
    {VTUN_ENCR_AES_CBC_128, VTUN_INTEG_SHA1_96},
};
#define NALGS (sizeof(algs) / sizeof(algs[0]))

struct pair {
  struct side a, b;
};

static void pair_open(struct pair *p, int outer, int encr, int integ,
                      unsigned flags) {
  const char *la = outer == 4 ? "192.0.2.1" : "2001:db8::1";
  const char *lb = outer == 4 ? "192.0.2.2" : "2001:db8::2";

  side_open(&p->a, NULL);
  side_open(&p->b, NULL);
  side_tunnel(&p->a, VTUN_TUNNEL_IPSEC, la, lb);
  side_tunnel(&p->b, VTUN_TUNNEL_IPSEC, lb, la);
  wire_manual(&p->a, &p->b, encr, integ, flags);
}

static void pair_close(struct pair *p) {
  side_close(&p->a);
  side_close(&p->b);
}

/* Sends one packet a -> b and checks that b gets the same bytes. */
static void pass_one(struct pair *p, int family, size_t len, uint8_t seed) {
  uint8_t want[WIRE_MAX];
  size_t before = p->b.nrx;
  struct wire_dgram *d;

  inner_packet(want, family, len, seed);
  assert_int_equal(side_send(&p->a, family, len, seed), 0);
  d = &p->a.out[p->a.nout - 1];
  assert_int_equal(wire_input(&p->b, d), 0);
  assert_int_equal(p->b.nrx, before + 1);
  assert_int_equal(p->b.rxlen, len);
  assert_memory_equal(p->b.rx, want, len);
}

static void check_outer(const struct wire_dgram *d, int outer, unsigned flags) {
  bool udp = (flags & VTUN_SA_UDP_ENCAP) != 0;

  assert_int_equal(d->proto, udp ? VTUN_PROTO_UDP : VTUN_PROTO_ESP);
  assert_int_equal(d->local.family, outer == 4 ? VTUN_AF_INET : VTUN_AF_INET6);
  assert_int_equal(d->local.port, udp ? 4500 : 0);
  assert_int_equal(d->remote.port, udp ? 4500 : 0);
  assert_int_equal(d->data[0] << 24 | d->data[1] << 16 | d->data[2] << 8 |
                       d->data[3],
                   0x2002);
}

static void roundtrip(const struct alg *g, int inner, int outer,
                      unsigned flags) {
  static const size_t sizes[] = {40, 41, 99, 576, 1400};
  struct pair p;
  vtun_tunnel_stats st;

  pair_open(&p, outer, g->encr, g->integ, flags);
  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    pass_one(&p, inner, sizes[i], (uint8_t)i);
    check_outer(&p.a.out[p.a.nout - 1], outer, flags);
  }
  st = side_stats(&p.b);
  assert_int_equal(st.rx_packets, 5);
  assert_int_equal(side_stats(&p.a).tx_packets, 5);
  assert_int_equal(st.drop_integrity + st.drop_malformed + st.drop_replay, 0);
  pair_close(&p);
}

static void test_roundtrip_all(void **state) {
  (void)state;
  for (size_t i = 0; i < NALGS; i++)
    for (int inner = 4; inner <= 6; inner += 2)
      for (int outer = 4; outer <= 6; outer += 2)
        for (unsigned udp = 0; udp <= 1; udp++)
          roundtrip(&algs[i], inner, outer, udp ? VTUN_SA_UDP_ENCAP : 0);
}

/* Both directions at once, and with ESN. */
static void test_both_ways_esn(void **state) {
  struct pair p;

  (void)state;
  pair_open(&p, 4, VTUN_ENCR_AES_GCM_256, VTUN_INTEG_NONE, VTUN_SA_ESN);
  for (int i = 0; i < 10; i++) {
    pass_one(&p, 4, 60 + (size_t)i, (uint8_t)i);
    assert_int_equal(side_send(&p.b, 6, 80, 1), 0);
    assert_int_equal(wire_input(&p.a, &p.b.out[p.b.nout - 1]), 0);
  }
  assert_int_equal(side_stats(&p.a).rx_packets, 10);
  pair_close(&p);
}

/* The bytes of the replay window, to see that a drop changed nothing. */
struct window_copy {
  uint64_t top;
  uint64_t blocks[64];
};

static void window_save(const struct side *s, struct window_copy *w) {
  const struct vtun__replay *r = &side_in_sa(s)->replay;

  w->top = r->top;
  memcpy(w->blocks, r->blocks, (r->mask + 1) * sizeof(uint64_t));
}

static void window_same(const struct side *s, const struct window_copy *w) {
  const struct vtun__replay *r = &side_in_sa(s)->replay;

  assert_int_equal(r->top, w->top);
  assert_memory_equal(r->blocks, w->blocks, (r->mask + 1) * sizeof(uint64_t));
}

/* Every byte past the SPI, changed, makes an integrity drop that leaves
 * the window alone; the untouched packet passes afterwards. */
static void tamper_all(int encr, int integ) {
  struct pair p;
  struct wire_dgram d, bad;
  struct window_copy w;
  uint64_t drops = 0;

  pair_open(&p, 4, encr, integ, 0);
  pass_one(&p, 4, 100, 1);
  assert_int_equal(side_send(&p.a, 4, 100, 2), 0);
  d = p.a.out[p.a.nout - 1];
  window_save(&p.b, &w);

  for (size_t i = 4; i < d.len; i++) {
    bad = d;
    bad.data[i] ^= 0x80;
    assert_int_equal(wire_input(&p.b, &bad), VTUN_EINTEGRITY);
    assert_int_equal(side_stats(&p.b).drop_integrity, ++drops);
    window_same(&p.b, &w);
  }
  assert_int_equal(p.b.nrx, 1);
  assert_int_equal(wire_input(&p.b, &d), 0);
  assert_int_equal(p.b.nrx, 2);
  assert_int_equal(side_in_sa(&p.b)->drop.integrity, drops);
  pair_close(&p);
}

static void test_tamper(void **state) {
  (void)state;
  tamper_all(VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE);
  tamper_all(VTUN_ENCR_CHACHA20_POLY1305, VTUN_INTEG_NONE);
  tamper_all(VTUN_ENCR_AES_CBC_256, VTUN_INTEG_SHA2_256_128);
}

static void test_unknown_spi(void **state) {
  struct pair p;
  struct wire_dgram d;

  (void)state;
  pair_open(&p, 4, VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE, 0);
  assert_int_equal(side_send(&p.a, 4, 100, 2), 0);
  d = p.a.out[0];
  d.data[3] ^= 1;
  assert_int_equal(wire_input(&p.b, &d), VTUN_ENOSA);
  assert_int_equal(ctx_stats(&p.b).drop_unknown_spi, 1);

  /* Reserved SPIs are malformed, not unknown. */
  memset(d.data, 0, 4);
  d.data[3] = 7;
  d.proto = VTUN_PROTO_ESP;
  assert_int_equal(wire_input(&p.b, &d), VTUN_EMALFORMED);
  assert_int_equal(ctx_stats(&p.b).drop_malformed, 1);
  pair_close(&p);
}

/* Cut at every length and with lengths off the block size. */
static void short_all(int encr, int integ) {
  struct pair p;
  struct wire_dgram d, bad;
  struct window_copy w;
  vtun_tunnel_stats st;
  vtun_ctx_stats cs;

  pair_open(&p, 4, encr, integ, 0);
  pass_one(&p, 4, 100, 1);
  assert_int_equal(side_send(&p.a, 4, 100, 2), 0);
  d = p.a.out[p.a.nout - 1];
  window_save(&p.b, &w);
  for (size_t n = 0; n < d.len; n++) {
    bad = d;
    bad.len = n;
    assert_true(wire_input(&p.b, &bad) < 0);
  }
  st = side_stats(&p.b);
  cs = ctx_stats(&p.b);
  assert_int_equal(cs.drop_malformed, 8);
  assert_int_equal(st.drop_malformed + st.drop_integrity, d.len - 8);
  assert_true(st.drop_malformed > 0);
  window_same(&p.b, &w);
  assert_int_equal(wire_input(&p.b, &d), 0);
  pair_close(&p);
}

static void test_short(void **state) {
  (void)state;
  short_all(VTUN_ENCR_AES_GCM_256, VTUN_INTEG_NONE);
  short_all(VTUN_ENCR_AES_CBC_128, VTUN_INTEG_SHA2_512_256);
}

static void test_garbled(void **state) {
  struct pair p;
  struct wire_dgram d;
  uint64_t x = 7;

  (void)state;
  pair_open(&p, 6, VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE, 0);
  assert_int_equal(side_send(&p.a, 6, 200, 2), 0);
  d = p.a.out[0];
  for (int k = 0; k < 200; k++) {
    struct wire_dgram g = d;

    for (size_t i = 8; i < g.len; i++) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      g.data[i] = (uint8_t)(x >> 56);
    }
    g.len = 8 + (size_t)(x % (d.len - 8));
    assert_true(wire_input(&p.b, &g) < 0);
  }
  assert_int_equal(p.b.nrx, 0);
  assert_int_equal(side_stats(&p.b).rx_packets, 0);
  assert_int_equal(wire_input(&p.b, &d), 0);
  pair_close(&p);
}

static void test_replay_drop(void **state) {
  struct pair p;
  struct wire_dgram d1, d2;
  struct window_copy w;

  (void)state;
  pair_open(&p, 4, VTUN_ENCR_CHACHA20_POLY1305, VTUN_INTEG_NONE, 0);
  assert_int_equal(side_send(&p.a, 4, 64, 1), 0);
  assert_int_equal(side_send(&p.a, 4, 64, 2), 0);
  d1 = p.a.out[0];
  d2 = p.a.out[1];
  assert_int_equal(wire_input(&p.b, &d2), 0);
  assert_int_equal(wire_input(&p.b, &d1), 0); /* late, in the window */
  window_save(&p.b, &w);

  assert_int_equal(wire_input(&p.b, &d1), VTUN_EREPLAY);
  assert_int_equal(wire_input(&p.b, &d2), VTUN_EREPLAY);
  assert_int_equal(side_stats(&p.b).drop_replay, 2);
  assert_int_equal(side_in_sa(&p.b)->drop.replay, 2);
  window_same(&p.b, &w);
  assert_int_equal(p.b.nrx, 2);
  pass_one(&p, 4, 64, 3);
  pair_close(&p);
}

/* A forged packet far ahead fails its ICV and leaves the window where it
 * was, so the genuine packets after it still pass. */
static void test_forged_ahead(void **state) {
  struct pair p;
  struct wire_dgram d;

  (void)state;
  pair_open(&p, 4, VTUN_ENCR_AES_GCM_256, VTUN_INTEG_NONE, 0);
  assert_int_equal(side_send(&p.a, 4, 64, 1), 0);
  d = p.a.out[0];
  d.data[4] = 0x7f; /* sequence number 0x7f000001 */
  assert_int_equal(wire_input(&p.b, &d), VTUN_EINTEGRITY);
  assert_int_equal(side_in_sa(&p.b)->replay.top, 0);
  assert_int_equal(wire_input(&p.b, &p.a.out[0]), 0);
  pair_close(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roundtrip_all),
      cmocka_unit_test(test_both_ways_esn),
      cmocka_unit_test(test_tamper),
      cmocka_unit_test(test_unknown_spi),
      cmocka_unit_test(test_short),
      cmocka_unit_test(test_garbled),
      cmocka_unit_test(test_replay_drop),
      cmocka_unit_test(test_forged_ahead),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
