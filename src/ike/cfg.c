/* The configuration payload (RFC 7296 §2.19, §3.15). A branch tunnel
 * whose address is negotiated asks for INTERNAL_IP4_ADDRESS in IKE_AUTH
 * and takes the answer as its address; the headquarters leases one from
 * the IKE peer's pool, sticky per peer ID, and releases it when the IKE
 * SA goes. */
#include <stdio.h>
#include <string.h>

#include "ike/payload.h"
#include "ike/payload_cp.h"
#include "ike/sa.h"
#include "util/bytes.h"

int vtun__ike_cfg_put_request(struct vtun__ikesa *sa,
                              struct vtun__ike_writer *w) {
  struct vtun__ike_cp_attr a = {VTUN__IKE_CP_INTERNAL_IP4_ADDRESS, 0, NULL};

  /* LIMITATION: only an IPv4 address is requested; a tunnel never asks
   * for INTERNAL_IP6_ADDRESS. */
  if (sa->tunnel->addr_mode != VTUN_ADDR_NEGOTIATED)
    return 0;
  return vtun__ike_put_cp(w, VTUN__IKE_CFG_REQUEST, &a, 1);
}

static bool cfg_find(const struct vtun__ike_chain *c, uint8_t type,
                     uint16_t attr, struct vtun__ike_cp_attr *out) {
  const struct vtun__ike_payload *pl =
      vtun__ike_chain_find(c, VTUN__IKE_PL_CP, 0);
  struct vtun__ike_cp cp;

  if (pl == NULL || vtun__ike_cp_parse(pl, &cp) != 0 || cp.type != type)
    return false;
  for (size_t pos = 0; vtun__ike_cp_next(&cp, &pos, out);)
    if (out->type == attr)
      return true;
  return false;
}

/* Tells the HQ host which address its peer got, so that it routes it
 * into the tunnel (and stops when the lease goes). */
static void cfg_peer_event(struct vtun__ikesa *sa, uint32_t type) {
  vtun_event ev = {.type = type, .tunnel = sa->tunnel, .prefixlen = 32};
  char text[VTUN_ADDRSTRLEN];

  if (sa->tunnel == NULL)
    return;
  ev.address = vtun__ep_str(&sa->lease, text);
  vtun__event(sa->ctx, &ev);
}

int vtun__ike_cfg_reply(struct vtun__ikesa *sa, const struct vtun__ike_chain *c,
                        struct vtun__ike_writer *w) {
  vtun_pool *pool = vtun__tunnel_peer(sa->tunnel)->pool;
  struct vtun__ike_cp_attr a;
  char text[VTUN_ADDRSTRLEN];
  vtun_endpoint ep;
  uint8_t mask[4];

  if (!cfg_find(c, VTUN__IKE_CFG_REQUEST, VTUN__IKE_CP_INTERNAL_IP4_ADDRESS,
                &a) ||
      pool == NULL)
    return 0;
  if (vtun_pool_lease(pool, sa->peer_id, text, sizeof(text)) != 0 ||
      vtun_endpoint_parse(&ep, text, 0) != 0) {
    atomic_fetch_add_explicit(&sa->ctx->dp.cnt.pool_exhausted, 1,
                              memory_order_relaxed);
    VTUN_LOG(&sa->ctx->log, VTUN_LOG_WARN, VTUN_TOPIC_IKE,
             "%s: ip pool %s has no address left for %s", sa->tunnel->name,
             pool->name, sa->peer_id);
    return VTUN_EPOOLEMPTY;
  }
  sa->leased = true;
  sa->pool = pool;
  sa->lease = ep;
  cfg_peer_event(sa, VTUN_EVENT_PEER_ADDRESS_ASSIGNED);
  vtun__put32(mask, pool->prefix ? ~0u << (32 - pool->prefix) : 0);
  return vtun__ike_put_cp(w, VTUN__IKE_CFG_REPLY,
                          (struct vtun__ike_cp_attr[]){
                              {VTUN__IKE_CP_INTERNAL_IP4_ADDRESS, 4, ep.addr},
                              {VTUN__IKE_CP_INTERNAL_IP4_NETMASK, 4, mask}},
                          2);
}

static unsigned cfg_prefix(const uint8_t *mask) {
  uint32_t m = vtun__be32(mask);
  unsigned n = 0;

  while (n < 32 && (m & (0x80000000u >> n)))
    n++;
  return n;
}

void vtun__ike_cfg_take(struct vtun__ikesa *sa,
                        const struct vtun__ike_chain *c) {
  vtun_tunnel *t = sa->tunnel;
  struct vtun__ike_cp_attr a, m;
  char text[VTUN_ADDRSTRLEN];
  vtun_event ev = {.type = VTUN_EVENT_ADDRESS_ASSIGNED, .tunnel = t};

  if (t->addr_mode != VTUN_ADDR_NEGOTIATED ||
      !cfg_find(c, VTUN__IKE_CFG_REPLY, VTUN__IKE_CP_INTERNAL_IP4_ADDRESS,
                &a) ||
      a.len != 4)
    return;
  memset(&t->addr, 0, sizeof(t->addr));
  t->addr.family = VTUN_AF_INET;
  memcpy(t->addr.addr, a.value, 4);
  t->addr_prefix = 32;
  if (cfg_find(c, VTUN__IKE_CFG_REPLY, VTUN__IKE_CP_INTERNAL_IP4_NETMASK, &m) &&
      m.len == 4)
    t->addr_prefix = cfg_prefix(m.value);
  sa->assigned = vtun__be32(a.value);
  ev.address = vtun__ep_str(&t->addr, text);
  ev.prefixlen = t->addr_prefix;
  vtun__event(sa->ctx, &ev);
}

void vtun__ike_cfg_release(struct vtun__ikesa *sa) {
  vtun_tunnel *t = sa->tunnel;
  char text[VTUN_ADDRSTRLEN];
  vtun_event ev = {.type = VTUN_EVENT_ADDRESS_RELEASED, .tunnel = t};

  if (sa->leased && sa->pool != NULL) {
    (void)vtun_pool_release(sa->pool, sa->peer_id);
    cfg_peer_event(sa, VTUN_EVENT_PEER_ADDRESS_RELEASED);
  }
  sa->leased = false;
  if (sa->assigned == 0 || t == NULL)
    return;
  ev.address = vtun__ep_str(&t->addr, text);
  ev.prefixlen = t->addr_prefix;
  vtun__event(sa->ctx, &ev);
  memset(&t->addr, 0, sizeof(t->addr));
  t->addr_prefix = 0;
  sa->assigned = 0;
}
