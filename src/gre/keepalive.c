/* GRE keepalives, the vendor kind: we send the peer a GRE packet whose
 * payload is an IP packet from the peer back to us, carrying a GRE header
 * of protocol type 0. The peer decapsulates it and routes it back, and
 * the returned packet proves the path works both ways. Answering the
 * peer's keepalives is in the input path (core/datapath.c). */
#include "esp/dp.h"
#include "esp/esp.h"
#include "gre/gre.h"

static bool ka_on(const struct vtun__dp_conf *c) {
  return c != NULL && c->protocol == VTUN_TUNNEL_GRE && c->ka_period != 0 &&
         c->local.family != VTUN_AF_NONE && c->local.family == c->remote.family;
}

static int ka_send(vtun_tunnel *t, const struct vtun__dp_conf *c) {
  uint8_t b[VTUN_HEADROOM + VTUN__GRE_KEEPALIVE_MAX + VTUN_TAILROOM];
  struct vtun__esp_sa *used = NULL;
  size_t n = vtun__gre_keepalive_build(b + VTUN_HEADROOM, &c->local, &c->remote,
                                       c->gre_key_present, c->gre_key);
  uint16_t proto = c->local.family == VTUN_AF_INET ? VTUN__GRE_PROTO_IPV4
                                                   : VTUN__GRE_PROTO_IPV6;

  return vtun__dp_send_gre(t, c, VTUN__ESP_CTL, &used, b, VTUN_HEADROOM, n,
                           sizeof(b), proto);
}

bool vtun__gre_keepalive_alive(const vtun_tunnel *t) {
  const struct vtun__dp_conf *c = atomic_load(&t->dp.conf);

  if (!ka_on(c))
    return true;
  return atomic_load(&t->dp.ka_missed) <= c->ka_retries;
}

int vtun__gre_keepalive_tick(vtun_tunnel *t, vtun_tstamp now,
                             vtun_tstamp *next) {
  const struct vtun__dp_conf *c = atomic_load(&t->dp.conf);
  uint32_t missed;
  int rc;

  if (!ka_on(c)) {
    atomic_store(&t->dp.ka_missed, 0);
    *next = VTUN_TSTAMP_MAX;
    return 0;
  }
  if (t->dp.ka_next != 0 && now < t->dp.ka_next) {
    *next = t->dp.ka_next;
    return vtun__gre_keepalive_alive(t) ? 0 : VTUN_ETIMEOUT;
  }

  /* The count goes up before the send and back to 0 on each reply, so
   * it is the number of keepalives in a row left unanswered. */
  missed = atomic_fetch_add(&t->dp.ka_missed, 1);
  rc = ka_send(t, c);
  t->dp.ka_next = now + (vtun_tstamp)c->ka_period * VTUN_SECONDS;
  *next = t->dp.ka_next;
  return missed >= c->ka_retries ? VTUN_ETIMEOUT : rc;
}
