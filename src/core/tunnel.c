/* Tunnel interfaces: encapsulation, address, source, destination, the
 * applied profile and virtual system, with rules R1-R9 checked on every
 * change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/objects.h"
#include "core/template.h"
#include "ike/ike.h"
#include "util/mem.h"

/* ------------------------------------------------------- by name */

static uint32_t tun_name_hash(const char *s) {
  uint32_t h = 2166136261u;

  for (; *s != '\0'; s++)
    h = (h ^ (uint8_t)*s) * 16777619u;
  return h;
}

static vtun_tunnel **tun_name_bucket(vtun_ctx *ctx, const char *name) {
  return &ctx->tun_names[tun_name_hash(name) & (ctx->tun_nbuckets - 1)];
}

/* Doubles the buckets once they hold two tunnels each on average. */
static int tun_names_grow(vtun_ctx *ctx) {
  uint32_t n = ctx->tun_nbuckets ? ctx->tun_nbuckets * 2 : 64;
  vtun_tunnel **b = calloc(n, sizeof(*b));

  if (b == NULL)
    return VTUN_ENOMEM;
  free(ctx->tun_names);
  ctx->tun_names = b;
  ctx->tun_nbuckets = n;
  vtun__list_each (t, &ctx->tunnels, vtun_tunnel) {
    vtun_tunnel **head = tun_name_bucket(ctx, t->name);

    t->name_next = *head;
    *head = t;
  }
  return 0;
}

/* @p t is on the context's list already. */
int vtun__tunnel_name_add(vtun_tunnel *t) {
  vtun_ctx *ctx = t->ctx;
  vtun_tunnel **head;

  if (ctx->tun_count + 1 > 2 * ctx->tun_nbuckets) {
    /* The rebuild links every listed tunnel, this one included. */
    if (tun_names_grow(ctx) != 0)
      return VTUN_ENOMEM;
    ctx->tun_count++;
    return 0;
  }
  head = tun_name_bucket(ctx, t->name);
  t->name_next = *head;
  *head = t;
  ctx->tun_count++;
  return 0;
}

void vtun__tunnel_name_remove(vtun_tunnel *t) {
  vtun_ctx *ctx = t->ctx;

  if (ctx->tun_names == NULL)
    return;
  for (vtun_tunnel **pp = tun_name_bucket(ctx, t->name); *pp != NULL;
       pp = &(*pp)->name_next)
    if (*pp == t) {
      *pp = t->name_next;
      ctx->tun_count--;
      return;
    }
}

int vtun_tunnel_new(vtun_ctx *ctx, const char *name, vtun_tunnel **out) {
  vtun_tunnel *t;
  int rv;

  vtun__ok(ctx);
  if (out == NULL)
    return VTUN_EINVAL;
  if ((rv = vtun__check_name(ctx, "tunnel", name)) != 0)
    return rv;
  if (vtun_tunnel_find(ctx, name) != NULL || vtun_iface_find(ctx, name))
    return vtun__refuse(ctx, VTUN_EEXIST, "interface %s exists", name);
  if ((t = vtun__zalloc(sizeof(*t))) == NULL)
    return VTUN_ENOMEM;
  t->ctx = ctx;
  strcpy(t->name, name);
  t->enabled = true;
  t->mtu = 1400;
  t->state = VTUN_STATE_IDLE;
  vtun__list_init(&t->tmpl_instances);
  vtun__dp_tunnel_init(t);
  vtun__list_append(&ctx->tunnels, &t->link);
  if (vtun__tunnel_name_add(t) != 0) {
    vtun__list_remove(&t->link);
    vtun__dp_tunnel_fini(t);
    free(t);
    return VTUN_ENOMEM;
  }
  vtun__match_changed(ctx);
  *out = t;
  return 0;
}

vtun_tunnel *vtun_tunnel_find(vtun_ctx *ctx, const char *name) {
  if (name == NULL || ctx->tun_names == NULL)
    return NULL;
  for (vtun_tunnel *t = *tun_name_bucket(ctx, name); t != NULL;
       t = t->name_next)
    if (strcmp(t->name, name) == 0)
      return t;
  return NULL;
}

vtun_tunnel *vtun_tunnel_next(vtun_ctx *ctx, vtun_tunnel *prev) {
  struct vtun__list *next = prev != NULL ? prev->link.next : ctx->tunnels.next;

  if (next == &ctx->tunnels)
    return NULL;
  return vtun__container_of(next, vtun_tunnel, link);
}

void vtun__tunnel_destroy(vtun_tunnel *t) {
  vtun__tunnel_name_remove(t);
  vtun__ike_tunnel_free(t);
  /* An instance shares its template's profile without holding it. */
  if (t->profile != NULL && t->profile->tunnel == t)
    t->profile->tunnel = NULL;
  vtun__template_detach(t);
  vtun__dp_tunnel_fini(t);
  free(t);
}

int vtun_tunnel_delete(vtun_tunnel *t) {
  vtun_ctx *ctx;

  if (t == NULL)
    return VTUN_EINVAL;
  ctx = t->ctx;
  vtun__ok(ctx);
  if (t->tmpl_mode != VTUN_TEMPLATE_NONE)
    vtun_tunnel_set_template(t, VTUN_TEMPLATE_NONE); /* frees instances */
  vtun__list_remove(&t->link);
  vtun__tunnel_destroy(t);
  vtun__match_changed(ctx);
  return 0;
}

const char *vtun_tunnel_get_name(const vtun_tunnel *t) {
  return t->name;
}

vtun_ctx *vtun_tunnel_get_ctx(const vtun_tunnel *t) {
  return t->ctx;
}

vtun_ike_peer *vtun__tunnel_peer(const vtun_tunnel *t) {
  return vtun__profile_peer(t->profile);
}

vtun_ipsec_proposal *vtun__tunnel_proposal(const vtun_tunnel *t) {
  return vtun__profile_proposal(t->profile);
}

void vtun__tunnel_set_state(vtun_tunnel *t, int state, int error) {
  vtun_event ev = {.type = VTUN_EVENT_TUNNEL_STATE,
                   .tunnel = t,
                   .state = state,
                   .error = error};

  if (t->state == state && error == 0)
    return;
  t->state = state;
  VTUN_LOG(&t->ctx->log, VTUN_LOG_INFO, VTUN_TOPIC_CTX, "%s: state %d", t->name,
           state);
  vtun__event(t->ctx, &ev);
  vtun__template_state(t);
}

/* ------------------------------------------------------ protocol */

int vtun_tunnel_set_protocol(vtun_tunnel *t, int protocol) {
  vtun__ok(t->ctx);
  if (protocol != VTUN_TUNNEL_IPSEC && protocol != VTUN_TUNNEL_GRE &&
      protocol != VTUN_TUNNEL_NONE)
    return vtun__refuse(t->ctx, VTUN_EINVAL, "%s: unknown tunnel-protocol %d",
                        t->name, protocol);
  if (protocol != VTUN_TUNNEL_IPSEC && t->vrf != NULL)
    return vtun__refuse(t->ctx, VTUN_ER3_VPN_INSTANCE_MODE,
                        "R3: %s: its destination names vpn-instance %s, "
                        "which only ipsec mode accepts",
                        t->name, t->vrf->name);
  t->protocol = protocol;
  return 0;
}

int vtun_tunnel_get_protocol(const vtun_tunnel *t) {
  return t->protocol;
}

/* ------------------------------------------------------- address */

int vtun_tunnel_set_address(vtun_tunnel *t, const char *addr,
                            unsigned prefixlen) {
  vtun_endpoint ep;
  int rv;

  vtun__ok(t->ctx);
  if ((rv = vtun__parse_addr(t->ctx, "tunnel address", addr, &ep)) != 0)
    return rv;
  if (prefixlen == 0 || prefixlen > vtun__ep_maxprefix(&ep))
    return vtun__refuse(t->ctx, VTUN_EINVAL,
                        "%s: prefix length %u is invalid for %s", t->name,
                        prefixlen, addr);
  t->addr_mode = VTUN_ADDR_STATIC;
  t->addr = ep;
  t->addr_prefix = prefixlen;
  t->unnumbered = NULL;
  return 0;
}

int vtun_tunnel_set_unnumbered(vtun_tunnel *t, vtun_iface *iface) {
  vtun__ok(t->ctx);
  if (iface == NULL)
    return vtun__refuse(t->ctx, VTUN_EINVAL,
                        "%s: unnumbered needs an interface", t->name);
  t->addr_mode = VTUN_ADDR_UNNUMBERED;
  t->unnumbered = iface;
  memset(&t->addr, 0, sizeof(t->addr));
  return 0;
}

int vtun_tunnel_set_address_negotiated(vtun_tunnel *t) {
  vtun_ike_peer *peer = vtun__tunnel_peer(t);

  vtun__ok(t->ctx);
  if (peer != NULL && !(peer->versions & VTUN_IKEV2))
    return vtun__refuse(t->ctx, VTUN_ER9_NEGOTIATED_ADDRESS,
                        "R9: %s: a negotiated address needs IKEv2, and ike "
                        "peer %s of profile %s has only IKEv1",
                        t->name, peer->name, t->profile->name);
  t->addr_mode = VTUN_ADDR_NEGOTIATED;
  t->unnumbered = NULL;
  memset(&t->addr, 0, sizeof(t->addr));
  return 0;
}

int vtun_tunnel_clear_address(vtun_tunnel *t) {
  vtun__ok(t->ctx);
  t->addr_mode = VTUN_ADDR_NONE;
  t->unnumbered = NULL;
  memset(&t->addr, 0, sizeof(t->addr));
  return 0;
}

int vtun_tunnel_get_address_mode(const vtun_tunnel *t) {
  return t->addr_mode;
}

vtun_iface *vtun_tunnel_get_unnumbered(const vtun_tunnel *t) {
  return t->unnumbered;
}

vtun_ssize vtun_tunnel_get_address(const vtun_tunnel *t, char *buf, size_t len,
                                   unsigned *prefixlen) {
  const vtun_endpoint *ep = &t->addr;
  unsigned plen = t->addr_prefix;

  if (t->addr_mode == VTUN_ADDR_UNNUMBERED) {
    ep = &t->unnumbered->addr4;
    plen = t->unnumbered->prefix4;
    if (ep->family == VTUN_AF_NONE) {
      ep = &t->unnumbered->addr6;
      plen = t->unnumbered->prefix6;
    }
  }
  if (ep->family == VTUN_AF_NONE)
    return VTUN_ENOENT;
  if (prefixlen != NULL)
    *prefixlen = plen;
  return vtun__ep_copyout(ep, buf, len);
}

/* -------------------------------------------------------- source */

int vtun_tunnel_set_source_address(vtun_tunnel *t, const char *addr) {
  vtun_endpoint ep;
  int rv;

  vtun__ok(t->ctx);
  if ((rv = vtun__parse_addr(t->ctx, "source", addr, &ep)) != 0)
    return rv;
  t->source_addr = ep;
  t->source_iface = NULL;
  return 0;
}

int vtun_tunnel_set_source_iface(vtun_tunnel *t, vtun_iface *iface) {
  vtun__ok(t->ctx);
  if (iface == NULL)
    return vtun__refuse(t->ctx, VTUN_EINVAL, "%s: no source interface",
                        t->name);
  if (iface->layer != VTUN_LAYER3)
    return vtun__refuse(t->ctx, VTUN_ER4_SOURCE_LAYER,
                        "R4: %s: source interface %s is Layer 2; a source "
                        "must be a Layer 3 interface",
                        t->name, iface->name);
  t->source_iface = iface;
  memset(&t->source_addr, 0, sizeof(t->source_addr));
  return 0;
}

int vtun_tunnel_clear_source(vtun_tunnel *t) {
  vtun__ok(t->ctx);
  t->source_iface = NULL;
  memset(&t->source_addr, 0, sizeof(t->source_addr));
  return 0;
}

vtun_ssize vtun_tunnel_get_source_address(const vtun_tunnel *t, char *buf,
                                          size_t len) {
  if (t->source_addr.family == VTUN_AF_NONE)
    return vtun__strcopyout("", buf, len);
  return vtun__ep_copyout(&t->source_addr, buf, len);
}

vtun_iface *vtun_tunnel_get_source_iface(const vtun_tunnel *t) {
  return t->source_iface;
}

/* --------------------------------------------------- destination */

int vtun__check_dest_remotes(vtun_ctx *ctx, const vtun_tunnel *t,
                             const vtun_endpoint *dest,
                             const vtun_ike_peer *peer,
                             const vtun_endpoint *remotes, unsigned nremotes) {
  char d[VTUN_ADDRSTRLEN], r[VTUN_ADDRSTRLEN];

  if (dest->family == VTUN_AF_NONE || peer == NULL || nremotes == 0)
    return 0;
  if (nremotes > 1)
    return vtun__refuse(ctx, VTUN_ER7_MULTIPLE_REMOTES,
                        "R7: %s has destination %s, so ike peer %s may "
                        "list only one remote address (it would list %u)",
                        t->name, vtun__ep_str(dest, d), peer->name, nremotes);
  if (!vtun__ep_addr_eq(dest, &remotes[0]))
    return vtun__refuse(ctx, VTUN_ER6_DESTINATION_MISMATCH,
                        "R6: %s has destination %s but ike peer %s has "
                        "remote address %s",
                        t->name, vtun__ep_str(dest, d), peer->name,
                        vtun__ep_str(&remotes[0], r));
  return 0;
}

int vtun_tunnel_set_destination(vtun_tunnel *t, const char *addr,
                                vtun_vpn_instance *vrf) {
  vtun_ike_peer *peer = vtun__tunnel_peer(t);
  vtun_endpoint ep;
  int rv;

  vtun__ok(t->ctx);
  if ((rv = vtun__parse_addr(t->ctx, "destination", addr, &ep)) != 0)
    return rv;
  if (vrf != NULL && t->protocol != VTUN_TUNNEL_IPSEC)
    return vtun__refuse(t->ctx, VTUN_ER3_VPN_INSTANCE_MODE,
                        "R3: %s: destination vpn-instance %s is accepted "
                        "only in ipsec mode",
                        t->name, vrf->name);
  if (peer != NULL &&
      (rv = vtun__check_dest_remotes(t->ctx, t, &ep, peer, peer->remotes,
                                     peer->nremotes)) != 0)
    return rv;
  t->destination = ep;
  t->vrf = vrf;
  vtun__match_changed(t->ctx);
  return 0;
}

int vtun_tunnel_clear_destination(vtun_tunnel *t) {
  vtun__ok(t->ctx);
  memset(&t->destination, 0, sizeof(t->destination));
  t->vrf = NULL;
  vtun__match_changed(t->ctx);
  return 0;
}

vtun_ssize vtun_tunnel_get_destination(const vtun_tunnel *t, char *buf,
                                       size_t len) {
  if (t->destination.family == VTUN_AF_NONE)
    return VTUN_ENOENT;
  return vtun__ep_copyout(&t->destination, buf, len);
}

vtun_vpn_instance *vtun_tunnel_get_vpn_instance(const vtun_tunnel *t) {
  return t->vrf;
}

/* ------------------------------------------------------- profile */

/* R1, R2, R6-R9 for applying @p prof to @p t. */
static int tunnel_check_profile(vtun_tunnel *t, vtun_ipsec_profile *prof) {
  vtun_ike_peer *peer;

  if (t->profile != NULL)
    return vtun__refuse(t->ctx, VTUN_ER1_PROFILE_BINDING,
                        "R1: %s has ipsec profile %s applied; remove it "
                        "before applying %s",
                        t->name, t->profile->name, prof->name);
  if (prof->tunnel != NULL)
    return vtun__refuse(t->ctx, VTUN_ER1_PROFILE_BINDING,
                        "R1: ipsec profile %s is applied to %s already and "
                        "cannot also protect %s",
                        prof->name, prof->tunnel->name, t->name);
  if (prof->vsys != t->vsys)
    return vtun__refuse(t->ctx, VTUN_ER8_VSYS_PROFILE,
                        "R8: %s is bound to %s; ipsec profile %s of %s "
                        "cannot be applied to it",
                        t->name, vtun__vsys_name(t->vsys), prof->name,
                        vtun__vsys_name(prof->vsys));
  peer = vtun__profile_peer(prof);
  if (peer == NULL || vtun__profile_proposal(prof) == NULL)
    return vtun__refuse(
        t->ctx, VTUN_ER2_PROFILE_INCOMPLETE,
        "R2: ipsec profile %s names %s %s, which does not "
        "exist in %s",
        prof->name, peer == NULL ? "ike peer" : "proposal",
        peer == NULL
            ? (prof->peer_name[0] ? prof->peer_name : "(none)")
            : (prof->proposal_name[0] ? prof->proposal_name : "(none)"),
        vtun__vsys_name(prof->vsys));
  if (t->addr_mode == VTUN_ADDR_NEGOTIATED && !(peer->versions & VTUN_IKEV2))
    return vtun__refuse(t->ctx, VTUN_ER9_NEGOTIATED_ADDRESS,
                        "R9: %s requests its address through IKEv2 but ike "
                        "peer %s of profile %s has only IKEv1",
                        t->name, peer->name, prof->name);
  return vtun__check_dest_remotes(t->ctx, t, &t->destination, peer,
                                  peer->remotes, peer->nremotes);
}

int vtun_tunnel_set_profile(vtun_tunnel *t, vtun_ipsec_profile *prof) {
  int rv;

  vtun__ok(t->ctx);
  if (prof == t->profile)
    return 0;
  if (prof == NULL) {
    vtun__ike_tunnel_stop(t, 1);
    vtun__dp_tunnel_fini(t);
    vtun__dp_tunnel_init(t);
    t->profile->tunnel = NULL;
    t->profile = NULL;
    vtun__match_changed(t->ctx);
    return 0;
  }
  if ((rv = tunnel_check_profile(t, prof)) != 0)
    return rv;
  prof->peer = vtun__profile_peer(prof);
  prof->proposal = vtun__profile_proposal(prof);
  prof->tunnel = t;
  t->profile = prof;
  vtun__match_changed(t->ctx);
  return 0;
}

vtun_ipsec_profile *vtun_tunnel_get_profile(const vtun_tunnel *t) {
  return t->profile;
}

int vtun_tunnel_set_vsys(vtun_tunnel *t, vtun_vsys *vsys) {
  vtun__ok(t->ctx);
  if (t->profile != NULL && t->profile->vsys != vsys)
    return vtun__refuse(t->ctx, VTUN_ER8_VSYS_PROFILE,
                        "R8: %s has ipsec profile %s of %s applied and "
                        "cannot be bound to %s",
                        t->name, t->profile->name,
                        vtun__vsys_name(t->profile->vsys),
                        vtun__vsys_name(vsys));
  t->vsys = vsys;
  return 0;
}

vtun_vsys *vtun_tunnel_get_vsys(const vtun_tunnel *t) {
  return t->vsys;
}

/* ------------------------------------------------- small settings */

int vtun_tunnel_set_enabled(vtun_tunnel *t, int on) {
  vtun__ok(t->ctx);
  if (!on && t->enabled)
    vtun__ike_tunnel_stop(t, 1);
  t->enabled = on != 0;
  if (on && t->ctx->committed && !t->on_demand)
    (void)vtun__ike_tunnel_start(t);
  return 0;
}

int vtun_tunnel_get_enabled(const vtun_tunnel *t) {
  return t->enabled;
}

int vtun_tunnel_set_on_demand(vtun_tunnel *t, int on) {
  vtun__ok(t->ctx);
  t->on_demand = on != 0;
  return 0;
}

int vtun_tunnel_get_on_demand(const vtun_tunnel *t) {
  return t->on_demand;
}

int vtun_tunnel_set_gre_key(vtun_tunnel *t, int present, uint32_t key) {
  vtun__ok(t->ctx);
  t->gre_key_present = present != 0;
  t->gre_key = present ? key : 0;
  return 0;
}

int vtun_tunnel_get_gre_key(const vtun_tunnel *t, uint32_t *key) {
  if (key != NULL)
    *key = t->gre_key;
  return t->gre_key_present;
}

int vtun_tunnel_set_gre_sequence(vtun_tunnel *t, int on) {
  vtun__ok(t->ctx);
  t->gre_seq = on != 0;
  return 0;
}

int vtun_tunnel_get_gre_sequence(const vtun_tunnel *t) {
  return t->gre_seq;
}

int vtun_tunnel_set_keepalive(vtun_tunnel *t, uint32_t period,
                              uint32_t retries) {
  vtun__ok(t->ctx);
  if (period > 32767 || (period != 0 && (retries < 1 || retries > 255)))
    return vtun__refuse(t->ctx, VTUN_ER12_RANGE,
                        "R12: %s: keepalive period %u (0-32767 s) or "
                        "retries %u (1-255) out of range",
                        t->name, period, retries);
  t->keepalive_period = period;
  t->keepalive_retries = period != 0 ? retries : 0;
  return 0;
}

void vtun_tunnel_get_keepalive(const vtun_tunnel *t, uint32_t *period,
                               uint32_t *retries) {
  if (period != NULL)
    *period = t->keepalive_period;
  if (retries != NULL)
    *retries = t->keepalive_retries;
}

int vtun_tunnel_set_mtu(vtun_tunnel *t, uint32_t mtu) {
  vtun__ok(t->ctx);
  if (mtu < 576 || mtu > 9000)
    return vtun__refuse(t->ctx, VTUN_ER12_RANGE,
                        "R12: %s: MTU %u is outside 576-9000", t->name, mtu);
  t->mtu = mtu;
  return 0;
}

uint32_t vtun_tunnel_get_mtu(const vtun_tunnel *t) {
  return t->mtu;
}

void vtun_tunnel_set_user_data(vtun_tunnel *t, void *ud) {
  t->user_data = ud;
}

void *vtun_tunnel_get_user_data(const vtun_tunnel *t) {
  return t->user_data;
}
