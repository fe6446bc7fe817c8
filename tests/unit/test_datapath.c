/* The data path API between two contexts in memory: batches, GRE alone
 * and inside ESP, NAT keepalives, IKE demultiplexing, every send-side
 * refusal with its counter, statistics, and data path threads running
 * while the config thread replaces SAs and tunnels. */
#include <pthread.h>
#include <time.h>

#include "test_esp_wire.h"

#include "esp/sadb.h"

struct pair {
  struct side a, b;
};

static void pair_open(struct pair *p, int protocol, const char *la,
                      const char *lb) {
  side_open(&p->a, NULL);
  side_open(&p->b, NULL);
  side_tunnel(&p->a, protocol, la, lb);
  side_tunnel(&p->b, protocol, lb, la);
}

static void pair_close(struct pair *p) {
  side_close(&p->a);
  side_close(&p->b);
}

static void test_batch(void **state) {
  static uint8_t bufs[16][WIRE_MAX + 256];
  vtun_pkt pkts[16];
  struct pair p;

  (void)state;
  pair_open(&p, VTUN_TUNNEL_IPSEC, "192.0.2.1", "192.0.2.2");
  wire_manual(&p.a, &p.b, VTUN_ENCR_AES_GCM_256, VTUN_INTEG_NONE, 0);
  for (int i = 0; i < 16; i++) {
    inner_packet(bufs[i] + WIRE_OFF, i % 2 ? 6 : 4, 100 + (size_t)i,
                 (uint8_t)i);
    pkts[i] = (vtun_pkt){.buf = bufs[i],
                         .off = WIRE_OFF,
                         .len = 100 + (size_t)i,
                         .cap = sizeof(bufs[i])};
  }
  pkts[3].off = 8; /* no headroom */
  assert_int_equal(vtun_tunnel_send_batch(p.a.t, pkts, 16), 15);
  assert_int_equal(pkts[3].result, VTUN_ENOBUFS);
  assert_int_equal(pkts[4].result, 0);
  assert_int_equal(p.a.nout, 15);

  for (int i = 0; i < 15; i++) {
    struct wire_dgram *d = &p.a.out[i];

    pkts[i] = (vtun_pkt){
        .buf = d->data, .off = 0, .len = d->len, .cap = sizeof(d->data)};
    pkts[i].remote = d->local;
  }
  pkts[14].len = 3; /* cut short */
  assert_int_equal(vtun_ctx_input_batch(p.b.ctx, NULL, VTUN_PROTO_ESP,
                                        &p.a.out[0].remote, pkts, 15),
                   14);
  assert_int_equal(pkts[14].result, VTUN_EMALFORMED);
  assert_int_equal(p.b.nrx, 14);
  assert_int_equal(side_stats(&p.b).rx_packets, 14);
  assert_int_equal(ctx_stats(&p.b).rx_datagrams, 15);
  assert_int_equal(ctx_stats(&p.b).drop_malformed, 1);
  assert_int_equal(side_stats(&p.a).drop_no_room, 1);
  pair_close(&p);
}

static void gre_roundtrip(struct pair *p, int family, int proto) {
  uint8_t want[WIRE_MAX];
  size_t n = p->a.nout;

  inner_packet(want, family, 300, 9);
  assert_int_equal(side_send(&p->a, family, 300, 9), 0);
  assert_int_equal(p->a.out[n].proto, proto);
  assert_int_equal(wire_input(&p->b, &p->a.out[n]), 0);
  assert_int_equal(p->b.rxlen, 300);
  assert_memory_equal(p->b.rx, want, 300);
}

static void test_gre_plain(void **state) {
  struct pair p;

  (void)state;
  pair_open(&p, VTUN_TUNNEL_GRE, "2001:db8::1", "2001:db8::2");
  assert_int_equal(vtun_tunnel_set_gre_key(p.a.t, 1, 7), 0);
  assert_int_equal(vtun_tunnel_set_gre_key(p.b.t, 1, 7), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.a.t), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.b.t), 0);
  gre_roundtrip(&p, 4, VTUN_PROTO_GRE);
  gre_roundtrip(&p, 6, VTUN_PROTO_GRE);
  assert_int_equal(p.a.out[0].len, 300 + 8);
  pair_close(&p);
}

/* GRE over IPsec: IP and GRE inside ESP; plain GRE is then refused. */
static void test_gre_in_esp(void **state) {
  struct pair p;
  struct wire_dgram plain;

  (void)state;
  pair_open(&p, VTUN_TUNNEL_GRE, "192.0.2.1", "192.0.2.2");
  assert_int_equal(side_send(&p.a, 4, 300, 1), 0);
  plain = p.a.out[0];
  wire_manual(&p.a, &p.b, VTUN_ENCR_CHACHA20_POLY1305, VTUN_INTEG_NONE,
              VTUN_SA_UDP_ENCAP);
  gre_roundtrip(&p, 4, VTUN_PROTO_UDP);
  gre_roundtrip(&p, 6, VTUN_PROTO_UDP);

  /* ESP header and IV, 20 IP + 4 GRE + 300 inner, 2 padding, 2 trailer,
   * 16 ICV. */
  assert_int_equal(p.a.out[1].len, 8 + 8 + 324 + 2 + 2 + 16);
  assert_int_equal(wire_input(&p.b, &plain), VTUN_EPOLICY);
  assert_int_equal(side_stats(&p.b).drop_policy, 1);

  /* Once protected, never plain again, even without SAs. */
  vtun__dp_remove_sas(p.a.t);
  assert_int_equal(side_send(&p.a, 4, 300, 1), VTUN_ENOSA);
  pair_close(&p);
}

/* Keepalives of a GRE-over-IPsec tunnel travel inside ESP both ways. */
static void test_gre_in_esp_keepalive(void **state) {
  struct pair p;
  vtun_tstamp next;

  (void)state;
  pair_open(&p, VTUN_TUNNEL_GRE, "192.0.2.1", "192.0.2.2");
  assert_int_equal(vtun_tunnel_set_keepalive(p.a.t, 10, 3), 0);
  wire_manual(&p.a, &p.b, VTUN_ENCR_AES_CBC_128, VTUN_INTEG_SHA2_256_128, 0);
  assert_int_equal(vtun__gre_keepalive_tick(p.a.t, 1, &next), 0);
  assert_int_equal(p.a.out[0].proto, VTUN_PROTO_ESP);
  assert_int_equal(wire_input(&p.b, &p.a.out[0]), 0);
  assert_int_equal(p.b.out[0].proto, VTUN_PROTO_ESP);
  assert_int_equal(wire_input(&p.a, &p.b.out[0]), 0);
  assert_int_equal(p.a.t->dp.cnt.gre_keepalive_replies, 1);
  assert_int_equal(side_stats(&p.b).gre_keepalives_rx, 1);
  assert_int_equal(p.a.nrx + p.b.nrx, 0);
  pair_close(&p);
}

/* An IPsec tunnel's outbound SA has no objects for the library's own
 * packets; they are made when the tunnel turns to GRE, before a
 * keepalive can need them. */
static void test_ctl_objects_on_demand(void **state) {
  uint8_t buf[WIRE_OFF + 128 + VTUN_TAILROOM];
  size_t off = WIRE_OFF, len = 40;
  struct pair p;
  vtun_tstamp next;

  (void)state;
  pair_open(&p, VTUN_TUNNEL_IPSEC, "192.0.2.1", "192.0.2.2");
  wire_manual(&p.a, &p.b, VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE, 0);
  assert_null(atomic_load(&side_out_sa(&p.a)->ctl));
  assert_null(atomic_load(&side_in_sa(&p.a)->ctl));
  inner_packet(buf + off, 4, len, 1);
  assert_int_equal(vtun__esp_encap(side_out_sa(&p.a), VTUN__ESP_CTL, buf, &off,
                                   &len, sizeof(buf), VTUN__IPPROTO_IPIP),
                   VTUN_ENOSA);

  assert_int_equal(vtun_tunnel_set_protocol(p.a.t, VTUN_TUNNEL_GRE), 0);
  assert_int_equal(vtun_tunnel_set_protocol(p.b.t, VTUN_TUNNEL_GRE), 0);
  assert_int_equal(vtun_tunnel_set_keepalive(p.a.t, 10, 3), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.a.t), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.b.t), 0);
  assert_non_null(atomic_load(&side_out_sa(&p.a)->ctl));
  assert_null(atomic_load(&side_in_sa(&p.a)->ctl));
  assert_int_equal(vtun__gre_keepalive_tick(p.a.t, 1, &next), 0);
  assert_int_equal(p.a.out[0].proto, VTUN_PROTO_ESP);
  assert_int_equal(wire_input(&p.b, &p.a.out[0]), 0);
  assert_int_equal(wire_input(&p.a, &p.b.out[0]), 0);
  assert_int_equal(p.a.t->dp.cnt.gre_keepalive_replies, 1);
  pair_close(&p);
}

static void test_nat_keepalive(void **state) {
  static uint8_t ff = 0xff;
  struct pair p;
  vtun_tstamp next;
  vtun_endpoint l, r;

  (void)state;
  pair_open(&p, VTUN_TUNNEL_IPSEC, "192.0.2.1", "192.0.2.2");
  assert_int_equal(vtun__esp_send_keepalive(p.a.t), VTUN_ENOSA);
  wire_manual(&p.a, &p.b, VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE,
              VTUN_SA_UDP_ENCAP);
  assert_int_equal(vtun__dp_tunnel_tick(p.a.t, 5 * VTUN_SECONDS, &next), 0);
  assert_int_equal(next, 25 * VTUN_SECONDS);
  assert_int_equal(p.a.nout, 1);
  assert_int_equal(p.a.out[0].proto, VTUN_PROTO_UDP);
  assert_int_equal(p.a.out[0].len, 1);
  assert_int_equal(p.a.out[0].data[0], 0xff);
  assert_int_equal(p.a.out[0].remote.port, 4500);
  assert_int_equal(wire_input(&p.b, &p.a.out[0]), 0);
  assert_int_equal(ctx_stats(&p.b).nat_keepalives_rx, 1);

  /* Raw ESP does not take a keepalive byte. */
  assert_int_equal(vtun_endpoint_parse(&l, "192.0.2.2", 0), 0);
  assert_int_equal(vtun_endpoint_parse(&r, "192.0.2.1", 0), 0);
  assert_int_equal(
      vtun_ctx_input(p.b.ctx, NULL, VTUN_PROTO_ESP, &l, &r, &ff, 1),
      VTUN_EMALFORMED);
  pair_close(&p);
}

/* UDP 500, and 4500 behind the non-ESP marker, go to IKE and never to
 * the SPI table. */
static void test_ike_demux(void **state) {
  uint8_t junk[40] = {0};
  vtun_endpoint l, r;
  struct side s;

  (void)state;
  side_open(&s, NULL);
  assert_int_equal(vtun_endpoint_parse(&l, "192.0.2.1", 500), 0);
  assert_int_equal(vtun_endpoint_parse(&r, "192.0.2.2", 500), 0);
  (void)vtun_ctx_input(s.ctx, NULL, VTUN_PROTO_UDP, &l, &r, junk, 40);
  l.port = r.port = 4500;
  (void)vtun_ctx_input(s.ctx, NULL, VTUN_PROTO_UDP, &l, &r, junk, 40);
  assert_int_equal(ctx_stats(&s).drop_unknown_spi, 0);
  assert_int_equal(ctx_stats(&s).rx_datagrams, 2);
  junk[3] = 1; /* SPI 1: reserved */
  assert_int_equal(
      vtun_ctx_input(s.ctx, NULL, VTUN_PROTO_UDP, &l, &r, junk, 40),
      VTUN_EMALFORMED);
  assert_int_equal(vtun_ctx_input(s.ctx, NULL, 99, &l, &r, junk, 40),
                   VTUN_EINVAL);
  assert_int_equal(
      vtun_ctx_input(s.ctx, NULL, VTUN_PROTO_UDP, NULL, &r, junk, 40),
      VTUN_EINVAL);
  side_close(&s);
}

static int fail_send(void *ud, vtun_vpn_instance *vrf, int proto,
                     const vtun_endpoint *local, const vtun_endpoint *remote,
                     const uint8_t *data, size_t len) {
  (void)ud, (void)vrf, (void)proto, (void)local, (void)remote, (void)data;
  (void)len;
  return -1;
}

static void test_send_refusals(void **state) {
  static uint8_t buf[4096];
  struct pair p;
  vtun_tunnel_stats st;

  (void)state;
  pair_open(&p, VTUN_TUNNEL_IPSEC, "192.0.2.1", "192.0.2.2");
  assert_int_equal(side_send(&p.a, 4, 100, 1), VTUN_ENOSA);
  assert_true(vtun__dp_take_sa_wanted(p.a.t));
  assert_false(vtun__dp_take_sa_wanted(p.a.t));
  wire_manual(&p.a, &p.b, VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE, 0);

  inner_packet(buf + 200, 4, 100, 1);
  assert_int_equal(vtun_tunnel_send(p.a.t, buf, 95, 100, sizeof(buf)),
                   VTUN_ENOBUFS);
  assert_int_equal(vtun_tunnel_send(p.a.t, buf, 200, 100, 363), VTUN_ENOBUFS);
  assert_int_equal(vtun_tunnel_send(p.a.t, buf, 200, 100, 364), 0);
  assert_int_equal(side_send(&p.a, 4, 1401, 1), VTUN_ETOOBIG);
  assert_int_equal(vtun_tunnel_set_mtu(p.a.t, 1500), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.a.t), 0);
  assert_int_equal(side_send(&p.a, 4, 1401, 1), 0);
  buf[200] = 0x55;
  assert_int_equal(vtun_tunnel_send(p.a.t, buf, 200, 100, sizeof(buf)),
                   VTUN_EMALFORMED);
  assert_int_equal(side_send(&p.a, 6, 39, 1), VTUN_EMALFORMED);
  p.a.ctx->hooks.send_datagram = fail_send;
  assert_int_equal(side_send(&p.a, 4, 100, 1), VTUN_ECALLBACK);

  st = side_stats(&p.a);
  assert_int_equal(st.drop_no_sa, 1);
  assert_int_equal(st.drop_no_room, 2);
  assert_int_equal(st.drop_too_big, 1);
  assert_int_equal(st.drop_malformed, 2);
  assert_int_equal(st.drop_hook, 1);
  assert_int_equal(st.tx_packets, 2);
  assert_int_equal(st.tx_bytes, 1501);
  assert_int_equal(vtun_tunnel_send(NULL, buf, 200, 100, 400), VTUN_EINVAL);
  pair_close(&p);
}

/* A shut-down tunnel neither sends nor takes packets (shutting an ipsec
 * tunnel down also removes its SAs). */
static void test_shutdown(void **state) {
  struct pair p;

  (void)state;
  pair_open(&p, VTUN_TUNNEL_GRE, "192.0.2.1", "192.0.2.2");
  assert_int_equal(side_send(&p.a, 4, 100, 1), 0);
  assert_int_equal(vtun_tunnel_set_enabled(p.a.t, 0), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.a.t), 0);
  assert_int_equal(side_send(&p.a, 4, 100, 1), VTUN_ENOSA);
  assert_int_equal(vtun_tunnel_set_enabled(p.b.t, 0), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.b.t), 0);
  assert_int_equal(wire_input(&p.b, &p.a.out[0]), VTUN_EPOLICY);
  assert_int_equal(vtun_tunnel_set_enabled(p.b.t, 1), 0);
  assert_int_equal(vtun__dp_tunnel_update(p.b.t), 0);
  assert_int_equal(wire_input(&p.b, &p.a.out[0]), 0);
  pair_close(&p);
}

static void test_deliver_fails(void **state) {
  struct pair p;

  (void)state;
  pair_open(&p, VTUN_TUNNEL_IPSEC, "192.0.2.1", "192.0.2.2");
  wire_manual(&p.a, &p.b, VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE, 0);
  assert_int_equal(side_send(&p.a, 4, 100, 1), 0);
  p.b.fail_deliver = 1;
  assert_int_equal(wire_input(&p.b, &p.a.out[0]), VTUN_ECALLBACK);
  assert_int_equal(side_stats(&p.b).drop_hook, 1);
  assert_int_equal(side_in_sa(&p.b)->drop.hook, 1);
  pair_close(&p);
}

static void test_stats_sizes(void **state) {
  struct side s;
  uint8_t big[sizeof(vtun_tunnel_stats) + 16];
  vtun_ctx_stats cs;

  (void)state;
  side_open(&s, NULL);
  side_tunnel(&s, VTUN_TUNNEL_IPSEC, "192.0.2.1", "192.0.2.2");
  memset(big, 0xee, sizeof(big));
  assert_int_equal(vtun_tunnel_get_stats(s.t, (vtun_tunnel_stats *)big,
                                         sizeof(vtun_tunnel_stats) - 8),
                   VTUN_EINVAL);
  assert_int_equal(
      vtun_tunnel_get_stats(s.t, (vtun_tunnel_stats *)big, sizeof(big)), 0);
  assert_int_equal(big[0], 0);
  assert_int_equal(big[sizeof(vtun_tunnel_stats)], 0xee);
  assert_int_equal(vtun_ctx_get_stats(s.ctx, &cs, 8), VTUN_EINVAL);
  assert_int_equal(vtun_ctx_get_stats(NULL, &cs, sizeof(cs)), VTUN_EINVAL);
  side_close(&s);
}

/* A deleted tunnel is gone from the GRE table; the SPI table keeps the
 * others. */
static void test_delete(void **state) {
  struct pair p;
  vtun_tunnel *t2;

  (void)state;
  pair_open(&p, VTUN_TUNNEL_GRE, "192.0.2.1", "192.0.2.2");
  assert_int_equal(side_send(&p.a, 4, 100, 1), 0);
  assert_int_equal(vtun_tunnel_new(p.b.ctx, "Tunnel2", &t2), 0);
  assert_int_equal(vtun_tunnel_set_protocol(t2, VTUN_TUNNEL_IPSEC), 0);
  assert_int_equal(vtun_tunnel_delete(p.b.t), 0);
  assert_int_equal(wire_input(&p.b, &p.a.out[0]), VTUN_ENOSA);
  assert_int_equal(ctx_stats(&p.b).drop_no_tunnel, 1);
  pair_close(&p);
}

/* ---------------------------------------------------------- threads */

struct race {
  struct pair p;
  _Atomic bool stop;
  _Atomic unsigned long packets;
};

static int race_send(void *ud, vtun_vpn_instance *vrf, int proto,
                     const vtun_endpoint *local, const vtun_endpoint *remote,
                     const uint8_t *data, size_t len) {
  struct race *r = ud;
  static _Thread_local uint8_t buf[WIRE_MAX];

  (void)vrf;
  memcpy(buf, data, len);
  (void)vtun_ctx_input(r->p.b.ctx, NULL, proto, remote, local, buf, len);
  return 0;
}

static int race_deliver(void *ud, vtun_tunnel *t, const uint8_t *pkt,
                        size_t len) {
  struct race *r = ud;

  (void)t, (void)pkt, (void)len;
  atomic_fetch_add(&r->packets, 1);
  return 0;
}

static void *race_data(void *arg) {
  struct race *r = arg;
  static _Thread_local uint8_t buf[WIRE_MAX + 256];

  while (!atomic_load(&r->stop)) {
    inner_packet(buf + WIRE_OFF, 4, 200, 1);
    (void)vtun_tunnel_send(r->p.a.t, buf, WIRE_OFF, 200, sizeof(buf));
  }
  return NULL;
}

static void race_open(struct race *r) {
  vtun_hooks h = {.send_datagram = race_send, .deliver = race_deliver};

  memset(r, 0, sizeof(*r));
  assert_int_equal(vtun_ctx_new(&r->p.a.ctx, &h, NULL, r), 0);
  assert_int_equal(vtun_ctx_new(&r->p.b.ctx, &h, NULL, r), 0);
  side_tunnel(&r->p.a, VTUN_TUNNEL_IPSEC, "192.0.2.1", "192.0.2.2");
  side_tunnel(&r->p.b, VTUN_TUNNEL_IPSEC, "192.0.2.2", "192.0.2.1");
}

static void race_install(struct race *r, uint32_t spi, const uint8_t *k,
                         size_t n) {
  assert_int_equal(vtun_tunnel_set_manual_sa(r->p.a.t, spi, spi + 0x100000,
                                             VTUN_ENCR_AES_GCM_256, 0, k, n, k,
                                             n, 0),
                   0);
  assert_int_equal(vtun_tunnel_set_manual_sa(r->p.b.t, spi + 0x100000, spi,
                                             VTUN_ENCR_AES_GCM_256, 0, k, n, k,
                                             n, 0),
                   0);
}

/* Waits (at most 20 s) until more than @p n packets went through. */
static void race_wait(struct race *r, unsigned long n) {
  struct timespec ms = {0, 1000000};

  for (int i = 0; i < 20000 && atomic_load(&r->packets) <= n; i++)
    nanosleep(&ms, NULL);
  assert_true(atomic_load(&r->packets) > n);
}

/* One thread sends (and, through the hook, receives) all the time while
 * this one installs new SA pairs on both sides, so that the data path
 * keeps meeting SAs and tables that are being replaced and freed. */
static void test_rekey_under_traffic(void **state) {
  uint8_t k[64];
  size_t n = wire_key(VTUN_ENCR_AES_GCM_256, 0, 3, k);
  struct race r;
  pthread_t th;

  (void)state;
  race_open(&r);
  race_install(&r, 0x10000, k, n);
  assert_int_equal(pthread_create(&th, NULL, race_data, &r), 0);
  race_wait(&r, 0);
  for (uint32_t i = 1; i < 300; i++) {
    race_install(&r, 0x10000 + i, k, n);
    assert_int_equal(vtun_ctx_expire_timers(r.p.a.ctx, i), 0);
  }
  race_wait(&r, atomic_load(&r.packets));
  atomic_store(&r.stop, true);
  pthread_join(th, NULL);
  assert_int_equal(vtun__sadb_count(r.p.b.ctx->dp.sadb), 2);
  vtun_ctx_free(r.p.a.ctx);
  vtun_ctx_free(r.p.b.ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_batch),
      cmocka_unit_test(test_gre_plain),
      cmocka_unit_test(test_gre_in_esp),
      cmocka_unit_test(test_gre_in_esp_keepalive),
      cmocka_unit_test(test_ctl_objects_on_demand),
      cmocka_unit_test(test_nat_keepalive),
      cmocka_unit_test(test_ike_demux),
      cmocka_unit_test(test_send_refusals),
      cmocka_unit_test(test_shutdown),
      cmocka_unit_test(test_deliver_fails),
      cmocka_unit_test(test_stats_sizes),
      cmocka_unit_test(test_delete),
      cmocka_unit_test(test_rekey_under_traffic),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
