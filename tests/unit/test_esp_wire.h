/* Two contexts joined by an in-memory wire, for the data path tests: each
 * side's send_datagram hook queues what it sends, deliver keeps what it
 * receives, event counts events. A side is one context with one tunnel
 * that has manual SAs (or plain GRE) towards the other side. */
#ifndef VTUN_TEST_ESP_WIRE_H
#define VTUN_TEST_ESP_WIRE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "esp/esp.h"
#include "esp/sa.h"
#include "vtun/vtun.h"

#define WIRE_QUEUE 64
#define WIRE_MAX 2048
#define WIRE_OFF 128 /* where packets start in test buffers */

struct wire_dgram {
  int proto;
  vtun_endpoint local, remote;
  size_t len;
  uint8_t data[WIRE_MAX];
};

struct side {
  vtun_ctx *ctx;
  vtun_tunnel *t;
  struct wire_dgram out[WIRE_QUEUE]; /* what this side sent */
  size_t nout;
  uint8_t rx[WIRE_MAX]; /* the last packet delivered */
  size_t rxlen, nrx;
  unsigned events[16]; /* count per event type */
  int fail_deliver;
};

static inline int wire_send(void *ud, vtun_vpn_instance *vrf, int proto,
                            const vtun_endpoint *local,
                            const vtun_endpoint *remote, const uint8_t *data,
                            size_t len) {
  struct side *s = ud;
  struct wire_dgram *d;

  (void)vrf;
  assert_true(s->nout < WIRE_QUEUE);
  assert_true(len <= WIRE_MAX);
  d = &s->out[s->nout++];
  d->proto = proto;
  d->local = *local;
  d->remote = *remote;
  d->len = len;
  memcpy(d->data, data, len);
  return 0;
}

static inline int wire_deliver(void *ud, vtun_tunnel *t, const uint8_t *pkt,
                               size_t len) {
  struct side *s = ud;

  assert_ptr_equal(t, s->t);
  if (s->fail_deliver)
    return VTUN_ECALLBACK;
  assert_true(len <= WIRE_MAX);
  memcpy(s->rx, pkt, len);
  s->rxlen = len;
  s->nrx++;
  return 0;
}

static inline void wire_event(void *ud, const vtun_event *ev) {
  struct side *s = ud;

  if (ev->type < 16)
    s->events[ev->type]++;
}

static inline void side_open(struct side *s, vtun_settings *settings) {
  vtun_hooks hooks = {0};

  memset(s, 0, sizeof(*s));
  hooks.send_datagram = wire_send;
  hooks.deliver = wire_deliver;
  hooks.event = wire_event;
  assert_int_equal(vtun_ctx_new(&s->ctx, &hooks, settings, s), 0);
}

/* Tunnel1 from @p local to @p remote in @p protocol mode. */
static inline void side_tunnel(struct side *s, int protocol, const char *local,
                               const char *remote) {
  assert_int_equal(vtun_tunnel_new(s->ctx, "Tunnel1", &s->t), 0);
  assert_int_equal(vtun_tunnel_set_protocol(s->t, protocol), 0);
  assert_int_equal(vtun_tunnel_set_source_address(s->t, local), 0);
  assert_int_equal(vtun_tunnel_set_destination(s->t, remote, NULL), 0);
  assert_int_equal(vtun__dp_tunnel_update(s->t), 0);
}

static inline void side_close(struct side *s) {
  vtun_ctx_free(s->ctx);
  s->ctx = NULL;
}

/* A key for @p encr/@p integ, filled from @p seed. */
static inline size_t wire_key(int encr, int integ, uint8_t seed, uint8_t *key) {
  int n = vtun__esp_key_length(encr, integ);

  assert_true(n > 0);
  for (int i = 0; i < n; i++)
    key[i] = (uint8_t)(seed + i * 7);
  return (size_t)n;
}

/* Manual SAs on both sides: a's inbound is b's outbound and back. */
static inline void wire_manual(struct side *a, struct side *b, int encr,
                               int integ, unsigned flags) {
  uint8_t k1[128], k2[128];
  size_t n = wire_key(encr, integ, 1, k1);

  wire_key(encr, integ, 99, k2);
  assert_int_equal(vtun_tunnel_set_manual_sa(a->t, 0x1001, 0x2002, encr, integ,
                                             k1, n, k2, n, flags),
                   0);
  assert_int_equal(vtun_tunnel_set_manual_sa(b->t, 0x2002, 0x1001, encr, integ,
                                             k2, n, k1, n, flags),
                   0);
}

/* Hands datagram @p d (sent by the other side) to @p s. */
static inline int wire_input(struct side *s, const struct wire_dgram *d) {
  static uint8_t buf[WIRE_MAX];

  memcpy(buf, d->data, d->len);
  return vtun_ctx_input(s->ctx, NULL, d->proto, &d->remote, &d->local, buf,
                        d->len);
}

/* Writes an inner packet of @p len bytes (family 4 or 6) at buf + off. */
static inline void inner_packet(uint8_t *p, int family, size_t len,
                                uint8_t seed) {
  memset(p, 0, len);
  for (size_t i = 0; i < len; i++)
    p[i] = (uint8_t)(seed + i);
  if (family == 4) {
    p[0] = 0x45;
    p[1] = 0;
    p[2] = (uint8_t)(len >> 8);
    p[3] = (uint8_t)len;
    p[9] = 17;
    memcpy(p + 12, "\x0a\x00\x00\x01\x0a\x00\x01\x01", 8);
  } else {
    p[0] = 0x60;
    p[4] = (uint8_t)((len - 40) >> 8);
    p[5] = (uint8_t)(len - 40);
    p[6] = 17;
    p[7] = 64;
  }
}

/* Sends an inner packet from @p s; returns the result of the send. */
static inline int side_send(struct side *s, int family, size_t len,
                            uint8_t seed) {
  static uint8_t buf[WIRE_MAX + 256];

  inner_packet(buf + WIRE_OFF, family, len, seed);
  return vtun_tunnel_send(s->t, buf, WIRE_OFF, len, sizeof(buf));
}

static inline vtun_tunnel_stats side_stats(const struct side *s) {
  vtun_tunnel_stats st;

  assert_int_equal(vtun_tunnel_get_stats(s->t, &st, sizeof(st)), 0);
  return st;
}

static inline vtun_ctx_stats ctx_stats(const struct side *s) {
  vtun_ctx_stats st;

  assert_int_equal(vtun_ctx_get_stats(s->ctx, &st, sizeof(st)), 0);
  return st;
}

static inline struct vtun__esp_sa *side_out_sa(const struct side *s) {
  return atomic_load(&s->t->dp.out_sa);
}

static inline struct vtun__esp_sa *side_in_sa(const struct side *s) {
  return s->t->dp.in_sa;
}

#endif
