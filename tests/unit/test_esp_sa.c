/* ESP SA behaviour through the data path: padding and next header checks
 * on authentic packets, extended sequence numbers across 2^32, sequence
 * number exhaustion, lifetimes by packets, bytes and time, manual keying
 * and make-before-break. */
#include "test_esp_wire.h"

#include "util/bytes.h"

struct pair {
  struct side a, b;
};

static void pair_open(struct pair *p, int encr, int integ, unsigned flags) {
  side_open(&p->a, NULL);
  side_open(&p->b, NULL);
  side_tunnel(&p->a, VTUN_TUNNEL_IPSEC, "192.0.2.1", "192.0.2.2");
  side_tunnel(&p->b, VTUN_TUNNEL_IPSEC, "192.0.2.2", "192.0.2.1");
  wire_manual(&p->a, &p->b, encr, integ, flags);
}

static void pair_close(struct pair *p) {
  side_close(&p->a);
  side_close(&p->b);
}

/* An authentic AES-GCM packet of @p sa with sequence number @p seq and
 * the plaintext @p pt as given, trailer included: the sender's own
 * objects, but padding and next header of our choosing. */
static struct wire_dgram forge(struct vtun__esp_sa *sa, uint32_t seq,
                               const uint8_t *pt, size_t n) {
  struct wire_dgram d = {.proto = VTUN_PROTO_ESP};
  uint8_t nonce[12];

  assert_int_equal(n % 4, 0);
  d.local = sa->local;
  d.remote = sa->remote;
  vtun__put32(d.data, sa->spi);
  vtun__put32(d.data + 4, seq);
  vtun__put64(d.data + 8, seq);
  memcpy(nonce, sa->salt, 4);
  memcpy(nonce + 4, d.data + 8, 8);
  assert_int_equal(sa->ops->aead_seal(sa->xf.crypt, nonce, d.data, 8, pt, n,
                                      d.data + 16, d.data + 16 + n, 16),
                   0);
  d.len = 16 + n + 16;
  return d;
}

/* An inner IPv4 packet of @p len bytes, then @p trailer. */
static size_t plain(uint8_t *pt, size_t len, const uint8_t *trailer,
                    size_t tlen) {
  inner_packet(pt, 4, len, 3);
  memcpy(pt + len, trailer, tlen);
  return len + tlen;
}

static void test_padding(void **state) {
  static const uint8_t good[] = {1, 2, 3, 3, 4};
  static const uint8_t bad_byte[] = {1, 2, 4, 3, 4};
  static const uint8_t too_long[] = {23, 4};
  struct pair p;
  struct vtun__esp_sa *sa;
  struct wire_dgram d;
  uint8_t pt[256];

  (void)state;
  pair_open(&p, VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE, 0);
  sa = side_out_sa(&p.a);
  d = forge(sa, 1, pt, plain(pt, 23, bad_byte, sizeof(bad_byte)));
  assert_int_equal(wire_input(&p.b, &d), VTUN_EMALFORMED);
  d = forge(sa, 2, pt, plain(pt, 22, too_long, sizeof(too_long)));
  assert_int_equal(wire_input(&p.b, &d), VTUN_EMALFORMED);
  assert_int_equal(side_stats(&p.b).drop_malformed, 2);
  assert_int_equal(side_in_sa(&p.b)->replay.top, 0);

  d = forge(sa, 3, pt, plain(pt, 23, good, sizeof(good)));
  assert_int_equal(wire_input(&p.b, &d), 0);
  assert_int_equal(p.b.rxlen, 23);
  pair_close(&p);
}

static void test_next_header(void **state) {
  static const uint8_t dummy[] = {0, 0, 0, 59};
  static const uint8_t udp[] = {0, 17};
  static const uint8_t v6[] = {0, 41};
  struct pair p;
  struct vtun__esp_sa *sa;
  struct wire_dgram d;
  uint8_t pt[256];

  (void)state;
  pair_open(&p, VTUN_ENCR_AES_GCM_256, VTUN_INTEG_NONE, 0);
  sa = side_out_sa(&p.a);

  /* A dummy packet (RFC 4303 §2.6) is authentic: dropped by policy, but
   * its sequence number is spent. */
  d = forge(sa, 1, dummy, sizeof(dummy));
  assert_int_equal(wire_input(&p.b, &d), VTUN_EPOLICY);
  assert_int_equal(side_stats(&p.b).drop_policy, 1);
  assert_int_equal(wire_input(&p.b, &d), VTUN_EREPLAY);

  d = forge(sa, 2, pt, plain(pt, 22, udp, sizeof(udp)));
  assert_int_equal(wire_input(&p.b, &d), VTUN_EPOLICY);
  d = forge(sa, 3, pt, plain(pt, 22, v6, sizeof(v6)));
  assert_int_equal(wire_input(&p.b, &d), VTUN_EMALFORMED);
  assert_int_equal(side_stats(&p.b).drop_policy, 2);
  assert_int_equal(p.b.nrx, 0);
  pair_close(&p);
}

/* Bytes after the inner packet's own length are TFC padding (RFC 4303
 * §2.7) and are not delivered. */
static void test_tfc_padding(void **state) {
  static const uint8_t tail[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4};
  struct pair p;
  struct wire_dgram d;
  uint8_t pt[256];

  (void)state;
  pair_open(&p, VTUN_ENCR_AES_GCM_256, VTUN_INTEG_NONE, 0);
  d = forge(side_out_sa(&p.a), 1, pt, plain(pt, 40, tail, sizeof(tail)));
  assert_int_equal(wire_input(&p.b, &d), 0);
  assert_int_equal(p.b.rxlen, 40);
  pair_close(&p);
}

static uint32_t wire_seq(const struct wire_dgram *d) {
  return vtun__be32(d->data + 4);
}

static void test_esn_wrap(void **state) {
  struct pair p;
  uint64_t start = ((uint64_t)1 << 32) - 3;

  (void)state;
  pair_open(&p, VTUN_ENCR_AES_CBC_256, VTUN_INTEG_SHA2_256_128, VTUN_SA_ESN);
  atomic_store(&side_out_sa(&p.a)->seq, start);
  for (int i = 0; i < 6; i++)
    assert_int_equal(side_send(&p.a, 4, 100, (uint8_t)i), 0);
  assert_int_equal(wire_seq(&p.a.out[0]), 0xfffffffe);
  assert_int_equal(wire_seq(&p.a.out[1]), 0xffffffff);
  assert_int_equal(wire_seq(&p.a.out[2]), 0);
  assert_int_equal(wire_seq(&p.a.out[3]), 1);

  /* Out of order across the wrap: 0, 2^32 - 2, 2^32 + 1, 2^32 - 1, ... */
  assert_int_equal(wire_input(&p.b, &p.a.out[0]), 0);
  assert_int_equal(wire_input(&p.b, &p.a.out[3]), 0);
  assert_int_equal(wire_input(&p.b, &p.a.out[1]), 0);
  assert_int_equal(wire_input(&p.b, &p.a.out[2]), 0);
  assert_int_equal(wire_input(&p.b, &p.a.out[5]), 0);
  assert_int_equal(wire_input(&p.b, &p.a.out[4]), 0);
  assert_int_equal(side_in_sa(&p.b)->replay.top, start + 6);
  assert_int_equal(wire_input(&p.b, &p.a.out[2]), VTUN_EREPLAY);
  assert_int_equal(p.b.nrx, 6);
  pair_close(&p);
}

/* Without ESN the counter must not cycle (RFC 4303 §3.3.3). */
static void test_seq_exhausted(void **state) {
  struct pair p;

  (void)state;
  pair_open(&p, VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE, 0);
  atomic_store(&side_out_sa(&p.a)->seq, (uint64_t)UINT32_MAX - 1);
  assert_int_equal(side_send(&p.a, 4, 100, 1), 0);
  assert_int_equal(wire_seq(&p.a.out[0]), UINT32_MAX);
  assert_int_equal(side_send(&p.a, 4, 100, 1), VTUN_ELIFETIME);
  assert_int_equal(side_stats(&p.a).drop_lifetime, 1);
  assert_int_equal(side_out_sa(&p.a)->drop.lifetime, 1);
  assert_int_equal(wire_input(&p.b, &p.a.out[0]), 0);
  pair_close(&p);
}

static void test_lifetime_packets(void **state) {
  struct vtun__lifetime life = {.soft_packets = 3, .hard_packets = 5};
  struct pair p;
  vtun_tstamp next;

  (void)state;
  pair_open(&p, VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE, 0);
  vtun__esp_sa_set_lifetime(side_out_sa(&p.a), &life);
  for (int i = 0; i < 5; i++) {
    assert_int_equal(side_send(&p.a, 4, 60, 1), 0);
    assert_int_equal(p.a.events[VTUN_EVENT_SA_SOFT_EXPIRED], i >= 2);
  }
  assert_int_equal(side_send(&p.a, 4, 60, 1), VTUN_ELIFETIME);
  assert_int_equal(side_stats(&p.a).drop_lifetime, 1);
  assert_int_equal(p.a.events[VTUN_EVENT_SA_SOFT_EXPIRED], 1);

  /* The timer removes the pair and tells the host. */
  assert_int_equal(vtun__dp_tunnel_tick(p.a.t, 1, &next), 0);
  assert_int_equal(p.a.events[VTUN_EVENT_SA_HARD_EXPIRED], 1);
  assert_null(side_out_sa(&p.a));
  assert_int_equal(vtun_tunnel_get_state(p.a.t), VTUN_STATE_DOWN);
  assert_int_equal(side_send(&p.a, 4, 60, 1), VTUN_ENOSA);
  assert_int_equal(side_stats(&p.a).drop_no_sa, 1);
  pair_close(&p);
}

static void test_lifetime_bytes_inbound(void **state) {
  struct vtun__lifetime life = {.soft_bytes = 250, .hard_bytes = 400};
  struct pair p;
  struct vtun__esp_sa *in;
  uint64_t top;

  (void)state;
  pair_open(&p, VTUN_ENCR_CHACHA20_POLY1305, VTUN_INTEG_NONE, 0);
  in = side_in_sa(&p.b);
  vtun__esp_sa_set_lifetime(in, &life);
  for (int i = 0; i < 6; i++)
    assert_int_equal(side_send(&p.a, 4, 100, 1), 0);
  for (int i = 0; i < 4; i++)
    assert_int_equal(wire_input(&p.b, &p.a.out[i]), 0);
  assert_int_equal(p.b.events[VTUN_EVENT_SA_SOFT_EXPIRED], 1);

  /* Past the hard limit nothing more is taken, and the window stays. */
  top = in->replay.top;
  assert_int_equal(wire_input(&p.b, &p.a.out[4]), VTUN_ELIFETIME);
  assert_int_equal(wire_input(&p.b, &p.a.out[5]), VTUN_ELIFETIME);
  assert_int_equal(in->replay.top, top);
  assert_int_equal(side_stats(&p.b).drop_lifetime, 2);
  assert_int_equal(in->drop.lifetime, 2);
  assert_int_equal(p.b.nrx, 4);
  pair_close(&p);
}

static void test_lifetime_time(void **state) {
  struct vtun__lifetime life = {.soft_time = 10 * VTUN_SECONDS,
                                .hard_time = 20 * VTUN_SECONDS};
  struct pair p;

  (void)state;
  side_open(&p.a, NULL);
  side_open(&p.b, NULL);
  assert_int_equal(vtun_ctx_expire_timers(p.a.ctx, VTUN_SECONDS), 0);
  side_tunnel(&p.a, VTUN_TUNNEL_IPSEC, "192.0.2.1", "192.0.2.2");
  side_tunnel(&p.b, VTUN_TUNNEL_IPSEC, "192.0.2.2", "192.0.2.1");
  wire_manual(&p.a, &p.b, VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE, 0);
  vtun__esp_sa_set_lifetime(side_out_sa(&p.a), &life);

  assert_int_equal(vtun_ctx_expire_timers(p.a.ctx, 5 * VTUN_SECONDS), 0);
  assert_int_equal(vtun_ctx_next_deadline(p.a.ctx), 11 * VTUN_SECONDS);
  assert_int_equal(vtun_ctx_expire_timers(p.a.ctx, 11 * VTUN_SECONDS), 0);
  assert_int_equal(p.a.events[VTUN_EVENT_SA_SOFT_EXPIRED], 1);
  assert_int_equal(vtun_ctx_next_deadline(p.a.ctx), 21 * VTUN_SECONDS);
  assert_int_equal(vtun_ctx_expire_timers(p.a.ctx, 15 * VTUN_SECONDS), 0);
  assert_int_equal(p.a.events[VTUN_EVENT_SA_SOFT_EXPIRED], 1);
  assert_int_equal(side_send(&p.a, 4, 60, 1), 0);

  assert_int_equal(vtun_ctx_expire_timers(p.a.ctx, 21 * VTUN_SECONDS), 0);
  assert_int_equal(p.a.events[VTUN_EVENT_SA_HARD_EXPIRED], 1);
  assert_int_equal(side_send(&p.a, 4, 60, 1), VTUN_ENOSA);
  assert_int_equal(vtun_ctx_next_deadline(p.a.ctx), VTUN_TSTAMP_MAX);
  pair_close(&p);
}

static void test_manual_refusals(void **state) {
  uint8_t key[128] = {0};
  struct side s;
  vtun_tunnel *t;
  size_t gcm = 20, cbc = 16 + 32;

  (void)state;
  side_open(&s, NULL);
  side_tunnel(&s, VTUN_TUNNEL_IPSEC, "192.0.2.1", "192.0.2.2");
  t = s.t;
#define SET(spi_in, spi_out, e, i, kl, fl)                                     \
  vtun_tunnel_set_manual_sa(t, spi_in, spi_out, e, i, key, kl, key, kl, fl)
  assert_int_equal(SET(300, 300, 99, 0, gcm, 0), VTUN_EINVAL);
  assert_int_equal(
      SET(300, 300, VTUN_ENCR_AES_GCM_128, VTUN_INTEG_SHA1_96, gcm, 0),
      VTUN_EINVAL);
  assert_int_equal(SET(300, 300, VTUN_ENCR_AES_CBC_128, 0, 16, 0), VTUN_EINVAL);
  assert_int_equal(SET(300, 300, VTUN_ENCR_3DES, VTUN_INTEG_SHA1_96, 44, 0),
                   VTUN_ENOTSUP);
  assert_int_equal(SET(300, 300, VTUN_ENCR_AES_GCM_128, 0, gcm - 1, 0),
                   VTUN_EINVAL);
  assert_int_equal(SET(255, 300, VTUN_ENCR_AES_GCM_128, 0, gcm, 0),
                   VTUN_EINVAL);
  assert_int_equal(SET(300, 3, VTUN_ENCR_AES_GCM_128, 0, gcm, 0), VTUN_EINVAL);
  assert_int_equal(SET(300, 300, VTUN_ENCR_AES_GCM_128, 0, gcm, 0x80),
                   VTUN_EINVAL);
  assert_non_null(strstr(vtun_ctx_last_error(s.ctx), "flags"));
  assert_int_equal(
      SET(300, 301, VTUN_ENCR_AES_CBC_128, VTUN_INTEG_SHA2_256_128, cbc, 0), 0);
  assert_int_equal(s.events[VTUN_EVENT_SA_INSTALLED], 1);

  /* The SPI is in use, by this tunnel or another. */
  assert_int_equal(SET(300, 302, VTUN_ENCR_AES_GCM_128, 0, gcm, 0),
                   VTUN_EEXIST);
  assert_int_equal(vtun_tunnel_new(s.ctx, "Tunnel2", &t), 0);
  assert_int_equal(vtun_tunnel_set_protocol(t, VTUN_TUNNEL_IPSEC), 0);
  assert_int_equal(SET(301, 302, VTUN_ENCR_AES_GCM_128, 0, gcm, 0),
                   VTUN_ESTATE);
  assert_int_equal(SET(300, 302, VTUN_ENCR_AES_GCM_128, 0, gcm, 0),
                   VTUN_EEXIST);
  assert_non_null(strstr(vtun_ctx_last_error(s.ctx), "Tunnel1"));
#undef SET
  assert_int_equal(s.events[VTUN_EVENT_SA_INSTALLED], 1);
  side_close(&s);
}

/* Rekeying by a new manual pair: the previous inbound SA keeps working
 * for packets in flight until the pair after; then its SPI is free. */
static void test_make_before_break(void **state) {
  uint8_t k[64];
  struct pair p;
  struct wire_dgram old;
  size_t n = wire_key(VTUN_ENCR_AES_GCM_256, 0, 5, k);

  (void)state;
  pair_open(&p, VTUN_ENCR_AES_GCM_256, VTUN_INTEG_NONE, 0);
  assert_int_equal(side_send(&p.b, 4, 60, 1), 0);
  old = p.b.out[0];

  assert_int_equal(vtun_tunnel_set_manual_sa(p.a.t, 0x3003, 0x4004,
                                             VTUN_ENCR_AES_GCM_256, 0, k, n, k,
                                             n, 0),
                   0);
  assert_int_equal(wire_input(&p.a, &old), 0);
  assert_int_equal(vtun_tunnel_set_manual_sa(p.a.t, 0x1001, 0x4005,
                                             VTUN_ENCR_AES_GCM_256, 0, k, n, k,
                                             n, 0),
                   0);
  assert_int_equal(p.a.events[VTUN_EVENT_SA_INSTALLED], 3);
  assert_int_equal(wire_input(&p.a, &old), VTUN_EINTEGRITY);
  pair_close(&p);
}

/* What every packet reads of an SA is in its first three cache lines,
 * the SA starts a line, and an inbound SA's replay bitmap follows it in
 * the same allocation. */
static void test_layout(void **state) {
  struct pair p;
  struct vtun__esp_sa *in, *out;

  (void)state;
  if (sizeof(void *) == 8) {
    assert_true(offsetof(struct vtun__esp_sa, replay) +
                    sizeof(struct vtun__replay) <=
                64);
    assert_true(offsetof(struct vtun__esp_sa, remote) + sizeof(vtun_endpoint) <=
                192);
    assert_true(offsetof(struct vtun__esp_sa, ivs) >= 192);
  }
  pair_open(&p, VTUN_ENCR_AES_GCM_256, VTUN_INTEG_NONE, 0);
  in = side_in_sa(&p.a);
  out = side_out_sa(&p.a);
  assert_int_equal((uintptr_t)in % VTUN__SA_ALIGN, 0);
  assert_int_equal((uintptr_t)out % VTUN__SA_ALIGN, 0);
  assert_ptr_equal(in->replay.blocks, in->tail);
  assert_int_equal(in->tail_len, vtun__replay_bytes(in->replay.window));
  assert_int_equal(out->tail_len, out->keylen);
  assert_int_equal(out->keylen, 36);
  pair_close(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_padding),
      cmocka_unit_test(test_next_header),
      cmocka_unit_test(test_tfc_padding),
      cmocka_unit_test(test_esn_wrap),
      cmocka_unit_test(test_seq_exhausted),
      cmocka_unit_test(test_lifetime_packets),
      cmocka_unit_test(test_lifetime_bytes_inbound),
      cmocka_unit_test(test_lifetime_time),
      cmocka_unit_test(test_manual_refusals),
      cmocka_unit_test(test_make_before_break),
      cmocka_unit_test(test_layout),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
