/* GRE: the header of RFC 2784 with the key and sequence number of RFC
 * 2890 written and read back, what a receiver must drop, and the vendor
 * keepalive: sent, answered by the peer, and counted. */
#include "test_esp_wire.h"

#include "gre/gre.h"
#include "gre/ip.h"
#include "util/bytes.h"

static void test_write(void **state) {
  static const uint8_t want[] = {0x30, 0x00, 0x08, 0x00, 0x00, 0x00,
                                 0x12, 0x34, 0x00, 0x00, 0x00, 0x07};
  struct vtun__gre_hdr h = {.proto = VTUN__GRE_PROTO_IPV4,
                            .has_key = true,
                            .key = 0x1234,
                            .has_seq = true,
                            .seq = 7};
  uint8_t b[16];

  (void)state;
  assert_int_equal(vtun__gre_write(b, &h), 12);
  assert_memory_equal(b, want, sizeof(want));
  assert_int_equal(vtun__gre_hdr_len(false, false), 4);
  assert_int_equal(vtun__gre_hdr_len(true, false), 8);
  h.has_key = false;
  assert_int_equal(vtun__gre_write(b, &h), 8);
  assert_int_equal(b[0], 0x10); /* S only */
  assert_int_equal(vtun__be32(b + 4), 7);
}

static void test_parse(void **state) {
  uint8_t b[64] = {0x30, 0x00, 0x86, 0xdd, 0, 0, 0, 9, 0, 0, 0, 3};
  struct vtun__gre_hdr h;

  (void)state;
  assert_int_equal(vtun__gre_parse(b, 12, &h), 0);
  assert_true(h.has_key && h.has_seq && !h.has_csum);
  assert_int_equal(h.key, 9);
  assert_int_equal(h.seq, 3);
  assert_int_equal(h.proto, VTUN__GRE_PROTO_IPV6);
  assert_int_equal(h.len, 12);
  assert_int_equal(vtun__gre_parse(b, 11, &h), VTUN_EMALFORMED);
  assert_int_equal(vtun__gre_parse(b, 3, &h), VTUN_EMALFORMED);

  /* Bits 6-12 are ignored; routing, strict source route, recursion and
   * any version but 0 are dropped (RFC 2784 §2.3). */
  b[0] = 0x00;
  b[1] = 0xf8;
  assert_int_equal(vtun__gre_parse(b, 4, &h), 0);
  b[1] = 0;
  for (unsigned bit = 0; bit < 16; bit++) {
    uint16_t f = (uint16_t)(1u << bit);
    bool drop = (f & 0x4c07) != 0;

    b[0] = (uint8_t)(f >> 8);
    b[1] = (uint8_t)f;
    if (drop)
      assert_int_equal(vtun__gre_parse(b, 64, &h), VTUN_EMALFORMED);
  }
}

/* RFC 2784 §2.5: the checksum covers header and payload. */
static void test_checksum(void **state) {
  uint8_t b[24] = {0x80, 0x00, 0x08, 0x00, 0, 0, 0, 0};
  struct vtun__gre_hdr h;
  uint16_t c;

  (void)state;
  for (int i = 8; i < 24; i++)
    b[i] = (uint8_t)(i * 11);
  c = vtun__inet_csum(b, sizeof(b));
  b[4] = (uint8_t)(c >> 8);
  b[5] = (uint8_t)c;
  assert_int_equal(vtun__gre_parse(b, sizeof(b), &h), 0);
  assert_true(h.has_csum);
  assert_int_equal(h.len, 8);
  b[20] ^= 1;
  assert_int_equal(vtun__gre_parse(b, sizeof(b), &h), VTUN_EINTEGRITY);
}

static void test_keepalive_packet(void **state) {
  vtun_endpoint l, r;
  struct vtun__ip_info ip;
  struct vtun__gre_hdr h;
  uint8_t b[VTUN__GRE_KEEPALIVE_MAX];
  size_t n;

  (void)state;
  assert_int_equal(vtun_endpoint_parse(&l, "192.0.2.1", 0), 0);
  assert_int_equal(vtun_endpoint_parse(&r, "192.0.2.2", 0), 0);
  n = vtun__gre_keepalive_build(b, &l, &r, true, 5);
  assert_int_equal(n, 28);
  assert_int_equal(vtun__ip_parse(b, n, &ip), 0);
  assert_int_equal(ip.proto, 47);
  assert_true(vtun__ip_addr_is(VTUN_AF_INET, ip.src, &r));
  assert_true(vtun__ip_addr_is(VTUN_AF_INET, ip.dst, &l));
  assert_int_equal(vtun__inet_csum(b, 20), 0);
  assert_int_equal(vtun__gre_parse(b + 20, n - 20, &h), 0);
  assert_int_equal(h.proto, VTUN__GRE_PROTO_KEEPALIVE);
  assert_int_equal(h.key, 5);
}

struct gre_pair {
  struct side a, b;
};

static void gre_open(struct gre_pair *p, const char *la, const char *lb) {
  side_open(&p->a, NULL);
  side_open(&p->b, NULL);
  side_tunnel(&p->a, VTUN_TUNNEL_GRE, la, lb);
  side_tunnel(&p->b, VTUN_TUNNEL_GRE, lb, la);
}

static void gre_close(struct gre_pair *p) {
  side_close(&p->a);
  side_close(&p->b);
}

/* a sends a keepalive; b returns it; a counts the reply. */
static void keepalive_round(struct gre_pair *p, vtun_tstamp now) {
  vtun_tstamp next;
  size_t na = p->a.nout, nb = p->b.nout;

  assert_int_equal(vtun__gre_keepalive_tick(p->a.t, now, &next), 0);
  assert_int_equal(next, now + 10 * VTUN_SECONDS);
  assert_int_equal(p->a.nout, na + 1);
  assert_int_equal(wire_input(&p->b, &p->a.out[na]), 0);
  assert_int_equal(p->b.nout, nb + 1);
  assert_int_equal(wire_input(&p->a, &p->b.out[nb]), 0);
  assert_int_equal(atomic_load(&p->a.t->dp.ka_missed), 0);
}

static void test_keepalive_answer(void **state) {
  struct gre_pair p;

  (void)state;
  gre_open(&p, "192.0.2.1", "192.0.2.2");
  assert_int_equal(vtun_tunnel_set_keepalive(p.a.t, 10, 3), 0);
  assert_int_equal(vtun_tunnel_set_gre_key(p.a.t, 1, 42), 0);
  assert_int_equal(vtun_tunnel_set_gre_key(p.b.t, 1, 42), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.a.t), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.b.t), 0);

  keepalive_round(&p, VTUN_SECONDS);
  assert_int_equal(p.a.out[0].proto, VTUN_PROTO_GRE);
  assert_int_equal(p.b.out[0].proto, VTUN_PROTO_GRE);
  assert_int_equal(p.b.out[0].len, 8); /* GRE with key, protocol 0 */
  keepalive_round(&p, 11 * VTUN_SECONDS);
  assert_int_equal(side_stats(&p.b).gre_keepalives_rx, 2);
  assert_int_equal(p.a.t->dp.cnt.gre_keepalive_replies, 2);
  assert_int_equal(p.b.nrx + p.a.nrx, 0); /* nothing for the hosts */
  gre_close(&p);
}

/* Without replies the tunnel goes down after `retries` keepalives, and
 * up again when one comes back. */
static void test_keepalive_timeout(void **state) {
  struct gre_pair p;
  vtun_tstamp t = VTUN_SECONDS;

  (void)state;
  gre_open(&p, "2001:db8::1", "2001:db8::2");
  assert_int_equal(vtun_tunnel_set_keepalive(p.a.t, 5, 2), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.a.t), 0);
  for (int i = 0; i < 3; i++, t += 5 * VTUN_SECONDS)
    assert_int_equal(vtun_ctx_expire_timers(p.a.ctx, t), 0);
  assert_int_equal(p.a.nout, 3);
  assert_int_equal(p.a.events[VTUN_EVENT_TUNNEL_STATE], 1);
  assert_int_equal(p.a.t->state, VTUN_STATE_DOWN);
  assert_false(vtun__gre_keepalive_alive(p.a.t));

  /* The peer comes back: it returns the next keepalive. */
  assert_int_equal(vtun_ctx_expire_timers(p.a.ctx, t), 0);
  assert_int_equal(wire_input(&p.b, &p.a.out[3]), 0);
  assert_int_equal(wire_input(&p.a, &p.b.out[0]), 0);
  assert_true(vtun__gre_keepalive_alive(p.a.t));
  t += 5 * VTUN_SECONDS;
  assert_int_equal(vtun_ctx_expire_timers(p.a.ctx, t), 0);
  assert_int_equal(p.a.t->state, VTUN_STATE_UP);
  gre_close(&p);
}

/* RFC 2890 §2.2: out-of-order sequenced packets are dropped. */
static void test_sequence(void **state) {
  struct gre_pair p;

  (void)state;
  gre_open(&p, "192.0.2.1", "192.0.2.2");
  assert_int_equal(vtun_tunnel_set_gre_sequence(p.a.t, 1), 0);
  assert_int_equal(vtun_tunnel_set_gre_sequence(p.b.t, 1), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.a.t), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.b.t), 0);
  for (int i = 0; i < 3; i++)
    assert_int_equal(side_send(&p.a, 4, 60, (uint8_t)i), 0);
  assert_int_equal(vtun__be32(p.a.out[2].data + 4), 2);
  assert_int_equal(wire_input(&p.b, &p.a.out[1]), 0);
  assert_int_equal(wire_input(&p.b, &p.a.out[0]), VTUN_EREPLAY);
  assert_int_equal(wire_input(&p.b, &p.a.out[1]), VTUN_EREPLAY);
  assert_int_equal(wire_input(&p.b, &p.a.out[2]), 0);
  assert_int_equal(side_stats(&p.b).drop_replay, 2);
  assert_int_equal(p.b.nrx, 2);
  gre_close(&p);
}

static void test_key_and_policy(void **state) {
  struct gre_pair p;
  struct wire_dgram d;

  (void)state;
  gre_open(&p, "192.0.2.1", "192.0.2.2");
  assert_int_equal(vtun_tunnel_set_gre_key(p.a.t, 1, 1), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.a.t), 0);
  assert_int_equal(side_send(&p.a, 4, 60, 1), 0);
  assert_int_equal(wire_input(&p.b, &p.a.out[0]), VTUN_ENOSA);
  assert_int_equal(ctx_stats(&p.b).drop_no_tunnel, 1);

  /* Another protocol type is not ours to carry. */
  d = p.a.out[0];
  d.data[2] = 0x88;
  d.data[3] = 0x47;
  assert_int_equal(vtun_tunnel_set_gre_key(p.b.t, 1, 1), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.b.t), 0);
  assert_int_equal(wire_input(&p.b, &d), VTUN_EPOLICY);
  assert_int_equal(wire_input(&p.b, &p.a.out[0]), 0);
  assert_int_equal(side_stats(&p.b).drop_policy, 1);
  gre_close(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_write),
      cmocka_unit_test(test_parse),
      cmocka_unit_test(test_checksum),
      cmocka_unit_test(test_keepalive_packet),
      cmocka_unit_test(test_keepalive_answer),
      cmocka_unit_test(test_keepalive_timeout),
      cmocka_unit_test(test_sequence),
      cmocka_unit_test(test_key_and_policy),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
