/* Shared set-up of the IKE state machine fuzz targets: one context with
 * the null crypto backend (fast and deterministic, so that recorded
 * negotiations replay) configured as a branch (initiator, address from
 * HQ) or as a headquarters (responder with an address pool), fed with a
 * sequence of datagrams taken from the input. Record format, repeated:
 * one flag byte (bit 0: UDP 4500; bits 1-3: seconds to let pass first),
 * a 16-bit big-endian length, the datagram. An all-zero SPI in a record
 * is replaced by the one of the context's first IKE SA, so that inputs
 * reach past the SPI lookup. The responder reads bit 4 of the first flag
 * byte once, before anything: set, its tunnel is a template, so that
 * the branch's own tunnel is made at IKE_AUTH. */
#ifndef VTUN_FUZZ_IKE_H
#define VTUN_FUZZ_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "crypto/null.h"
#include "ike/ike.h"
#include "ike/sa.h"
#include "util/bytes.h"

struct fz_ike {
  vtun_ctx *ctx;
  vtun_tstamp now;
  bool hq;
  /* Optional capture of what the context sends (seed generation). */
  void (*capture)(void *arg, const uint8_t *data, size_t len, int port);
  void *capture_arg;
};

static int fz_send(void *ud, vtun_vpn_instance *vrf, int proto,
                   const vtun_endpoint *local, const vtun_endpoint *remote,
                   const uint8_t *data, size_t len) {
  struct fz_ike *f = ud;

  (void)vrf;
  (void)remote;
  if (f->capture != NULL && proto == VTUN_PROTO_UDP &&
      (local->port == 500 || local->port == 4500))
    f->capture(f->capture_arg, data, len, local->port);
  return 0;
}

static vtun_tstamp fz_now(void *ud) {
  return ((struct fz_ike *)ud)->now;
}

static int fz_config(vtun_ctx *c, bool hq, bool tmpl) {
  vtun_iface *ge1;
  vtun_ike_proposal *ikep;
  vtun_ike_peer *peer;
  vtun_ipsec_proposal *ipp;
  vtun_ipsec_profile *prof;
  vtun_pool *pool;
  vtun_tunnel *t;

  if (vtun_iface_new(c, "GE1", VTUN_LAYER3, &ge1) ||
      vtun_iface_set_address(ge1, hq ? "10.0.0.1" : "10.0.0.2", 24) ||
      vtun_ike_proposal_new(c, NULL, 10, &ikep) ||
      vtun_ike_peer_new(c, NULL, "P1", &peer) ||
      vtun_ike_peer_set_psk(peer, (const uint8_t *)"fuzz", 4) ||
      vtun_ike_peer_add_proposal(peer, ikep) ||
      vtun_ipsec_proposal_new(c, NULL, "IP1", &ipp) ||
      vtun_ipsec_profile_new(c, NULL, "PR1", &prof) ||
      vtun_ipsec_profile_set_ike_peer(prof, "P1") ||
      vtun_ipsec_profile_set_proposal(prof, "IP1") ||
      vtun_ipsec_profile_set_pfs(prof, VTUN_DH_X25519) ||
      vtun_tunnel_new(c, "Tunnel1", &t) ||
      vtun_tunnel_set_protocol(t, VTUN_TUNNEL_IPSEC) ||
      vtun_tunnel_set_source_iface(t, ge1) || vtun_tunnel_set_profile(t, prof))
    return -1;
  if (hq)
    return vtun_pool_new(c, NULL, "POOL", &pool) ||
           vtun_pool_set_network(pool, "172.16.0.0", 24) ||
           vtun_ike_peer_set_pool(peer, pool) ||
           (tmpl && vtun_tunnel_set_template(t, VTUN_TEMPLATE_REMOVE));
  return vtun_tunnel_set_destination(t, "10.0.0.1", NULL) ||
         vtun_tunnel_set_address_negotiated(t);
}

/* Makes the context; the branch sends its IKE_SA_INIT on commit. */
static int fz_ike_setup(struct fz_ike *f, bool hq, bool tmpl) {
  vtun_hooks h = {.send_datagram = fz_send, .now = fz_now};
  vtun_settings s;

  f->hq = hq;
  f->now = VTUN_SECONDS;
  vtun_settings_default(&s);
  s.crypto = vtun__crypto_null();
  s.cookie_threshold = 4;
  if (vtun_ctx_new(&f->ctx, &h, &s, f) != 0)
    return -1;
  if (fz_config(f->ctx, hq, tmpl) != 0 || vtun_ctx_commit(f->ctx) != 0) {
    vtun_ctx_free(f->ctx);
    return -1;
  }
  return 0;
}

static void fz_patch_spis(struct fz_ike *f, uint8_t *m, size_t len) {
  struct vtun__ike_engine *eng = f->ctx->ike;
  struct vtun__ikesa *sa;
  static const uint8_t zero[8];

  if (len < 28 || vtun__list_empty(&eng->sas))
    return;
  sa = vtun__container_of(eng->sas.next, struct vtun__ikesa, link);
  if (memcmp(m, zero, 8) == 0)
    vtun__put64(m, sa->ispi);
  if (memcmp(m + 8, zero, 8) == 0)
    vtun__put64(m + 8, sa->rspi);
}

static void fz_ike_feed(struct fz_ike *f, const uint8_t *data, size_t size) {
  vtun_endpoint local, remote;
  uint8_t *buf = malloc(65536);

  if (buf == NULL)
    return;
  vtun_endpoint_parse(&local, f->hq ? "10.0.0.1" : "10.0.0.2", 500);
  vtun_endpoint_parse(&remote, f->hq ? "10.0.0.2" : "10.0.0.1", 500);
  while (size >= 3) {
    uint8_t flags = data[0];
    size_t len = vtun__be16(data + 1);

    data += 3, size -= 3;
    if (len > size)
      len = size;
    if (flags & 0x0e) {
      f->now += ((flags >> 1) & 7) * 4 * VTUN_SECONDS;
      vtun_ctx_expire_timers(f->ctx, f->now);
    }
    local.port = remote.port = (flags & 1) ? 4500 : 500;
    memcpy(buf, data, len);
    fz_patch_spis(f, buf, len);
    vtun__ike_input(f->ctx, NULL, &local, &remote, buf, len);
    data += len, size -= len;
  }
  free(buf);
}

#endif
