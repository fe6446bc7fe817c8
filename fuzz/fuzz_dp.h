/* Shared set-up of the data path fuzz targets: a receiving context whose
 * tunnels the input is fed to, and a sending context with the mirror SAs,
 * so that inputs can also be sealed into authentic ESP packets and reach
 * everything behind the integrity check. Hooks fail when the input says
 * so. */
#ifndef VTUN_FUZZ_DP_H
#define VTUN_FUZZ_DP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "esp/esp.h"
#include "esp/sa.h"
#include "vtun/vtun.h"

#define FUZZ_ROOM 4096

struct fuzz_side {
  vtun_ctx *ctx;
  bool fail_send, fail_deliver;
};

static struct fuzz_side fuzz_rx, fuzz_tx;

static int fuzz_send(void *ud, vtun_vpn_instance *vrf, int proto,
                     const vtun_endpoint *local, const vtun_endpoint *remote,
                     const uint8_t *data, size_t len) {
  struct fuzz_side *s = ud;

  (void)vrf;
  (void)proto;
  (void)local;
  (void)remote;
  (void)data;
  (void)len;
  return s->fail_send ? VTUN_ECALLBACK : 0;
}

static int fuzz_deliver(void *ud, vtun_tunnel *t, const uint8_t *pkt,
                        size_t len) {
  struct fuzz_side *s = ud;
  volatile uint8_t sink = 0;

  (void)t;
  for (size_t i = 0; i < len; i++) /* every byte must be readable */
    sink ^= pkt[i];
  (void)sink;
  return s->fail_deliver ? VTUN_ECALLBACK : 0;
}

static void fuzz_need(int rc) {
  if (rc != 0)
    abort();
}

static void fuzz_open(struct fuzz_side *s) {
  vtun_hooks hooks = {.send_datagram = fuzz_send, .deliver = fuzz_deliver};

  fuzz_need(vtun_ctx_new(&s->ctx, &hooks, NULL, s));
}

static vtun_tunnel *fuzz_tunnel(struct fuzz_side *s, const char *name,
                                int protocol, const char *local,
                                const char *remote) {
  vtun_tunnel *t;

  fuzz_need(vtun_tunnel_new(s->ctx, name, &t));
  fuzz_need(vtun_tunnel_set_protocol(t, protocol));
  fuzz_need(vtun_tunnel_set_source_address(t, local));
  fuzz_need(vtun_tunnel_set_destination(t, remote, NULL));
  return t;
}

/* (Re)installs manual pair @p k between @p rx and its mirror @p tx,
 * fresh: empty replay window, zero counters. */
static void fuzz_pair(vtun_tunnel *rx, vtun_tunnel *tx, unsigned k, int encr,
                      int integ, unsigned flags) {
  uint8_t k1[128], k2[128];
  int n = vtun__esp_key_length(encr, integ);

  if (n <= 0)
    abort();
  for (int i = 0; i < n; i++) {
    k1[i] = (uint8_t)(i * 5 + 1);
    k2[i] = (uint8_t)(i * 3 + 7);
  }
  vtun__dp_remove_sas(rx);
  vtun__dp_remove_sas(tx);
  fuzz_need(vtun_tunnel_set_manual_sa(rx, 0x1000 + k, 0x2000 + k, encr, integ,
                                      k1, (size_t)n, k2, (size_t)n, flags));
  fuzz_need(vtun_tunnel_set_manual_sa(tx, 0x2000 + k, 0x1000 + k, encr, integ,
                                      k2, (size_t)n, k1, (size_t)n, flags));
}

/* Seals p[0, n) with next header @p nh and sequence number @p seq into
 * an authentic ESP packet of @p tx's outbound SA at buf; returns its
 * offset and sets *len, or returns 0 when it does not fit. */
static size_t fuzz_seal(vtun_tunnel *tx, uint8_t *buf, const uint8_t *p,
                        size_t n, uint8_t nh, uint64_t seq, size_t *len) {
  struct vtun__esp_sa *sa = atomic_load(&tx->dp.out_sa);
  uint8_t iv[16];
  size_t off = 256;

  if (n > FUZZ_ROOM - 512)
    return 0;
  for (int i = 0; i < 16; i++)
    iv[i] = (uint8_t)(seq >> (i % 8));
  memcpy(buf + off, p, n);
  *len = n;
  if (vtun__esp_seal(sa, VTUN__ESP_DATA, buf, &off, len, FUZZ_ROOM, nh, seq,
                     iv) != 0)
    abort();
  return off;
}

/* The inner packet path too: whatever the input is, sending it must only
 * ever be refused or sent. */
static void fuzz_send_inner(vtun_tunnel *t, const uint8_t *p, size_t n) {
  static uint8_t buf[FUZZ_ROOM];

  if (n > FUZZ_ROOM - 256)
    n = FUZZ_ROOM - 256;
  memcpy(buf + 128, p, n);
  (void)vtun_tunnel_send(t, buf, 128, n, sizeof(buf));
}

#endif
