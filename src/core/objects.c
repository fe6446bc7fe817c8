/* Virtual systems, vpn-instances and interfaces, plus what every object
 * shares: name checks, address parsing and freeing of a whole context. */
#include "core/objects.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike.h"
#include "util/alg.h"
#include "util/mem.h"

int vtun__check_name(vtun_ctx *ctx, const char *what, const char *name) {
  size_t n;

  if (name == NULL)
    return vtun__refuse(ctx, VTUN_EINVAL, "%s: no name given", what);
  n = strlen(name);
  if (n == 0 || n >= VTUN_NAME_MAX)
    return vtun__refuse(ctx, VTUN_EINVAL, "%s name must have 1-%d characters",
                        what, VTUN_NAME_MAX - 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];

    if (!isgraph(c) || c == '"' || c == '#')
      return vtun__refuse(ctx, VTUN_EINVAL,
                          "%s name has a space, quote, '#' or control "
                          "character",
                          what);
  }
  return 0;
}

int vtun__parse_addr(vtun_ctx *ctx, const char *what, const char *text,
                     vtun_endpoint *out) {
  if (vtun_endpoint_parse(out, text, 0) != 0)
    return vtun__refuse(ctx, VTUN_EINVAL, "%s: '%s' is not an IP address", what,
                        text != NULL ? text : "(null)");
  return 0;
}

const char *vtun__vsys_name(const vtun_vsys *vsys) {
  return vsys != NULL ? vsys->name : "root";
}

int vtun__check_legacy(vtun_ctx *ctx, int kind, int id, const char *owner) {
  if (ctx->settings.allow_legacy || !vtun__alg_is_legacy(kind, id))
    return 0;
  return vtun__refuse(ctx, VTUN_ER14_LEGACY_ALGORITHM,
                      "R14: %s: %s is forbidden by RFC 8221/8247; switch "
                      "legacy algorithms on to use it",
                      owner, vtun_alg_name(kind, id));
}

/* ---------------------------------------------------------- vsys */

int vtun_vsys_new(vtun_ctx *ctx, const char *name, vtun_vsys **out) {
  vtun_vsys *v;
  int rv;

  vtun__ok(ctx);
  if (out == NULL)
    return VTUN_EINVAL;
  if ((rv = vtun__check_name(ctx, "virtual system", name)) != 0)
    return rv;
  if (strcmp(name, "root") == 0 || vtun_vsys_find(ctx, name) != NULL)
    return vtun__refuse(ctx, VTUN_EEXIST, "virtual system %s exists", name);
  if ((v = vtun__zalloc(sizeof(*v))) == NULL)
    return VTUN_ENOMEM;
  v->ctx = ctx;
  strcpy(v->name, name);
  vtun__list_append(&ctx->vsyses, &v->link);
  *out = v;
  return 0;
}

vtun_vsys *vtun_vsys_find(vtun_ctx *ctx, const char *name) {
  if (name == NULL)
    return NULL;
  vtun__list_each (v, &ctx->vsyses, vtun_vsys)
    if (strcmp(v->name, name) == 0)
      return v;
  return NULL;
}

/* Whether any object or tunnel belongs to @p vsys. */
static const char *vsys_user(vtun_ctx *ctx, const vtun_vsys *vsys) {
  vtun__list_each (t, &ctx->tunnels, vtun_tunnel)
    if (t->vsys == vsys)
      return t->name;
  vtun__list_each (p, &ctx->ike_peers, vtun_ike_peer)
    if (p->vsys == vsys)
      return p->name;
  vtun__list_each (p, &ctx->profiles, vtun_ipsec_profile)
    if (p->vsys == vsys)
      return p->name;
  vtun__list_each (p, &ctx->ipsec_proposals, vtun_ipsec_proposal)
    if (p->vsys == vsys)
      return p->name;
  vtun__list_each (p, &ctx->ike_proposals, vtun_ike_proposal)
    if (p->vsys == vsys)
      return "ike proposal";
  vtun__list_each (p, &ctx->pools, vtun_pool)
    if (p->vsys == vsys)
      return p->name;
  return NULL;
}

int vtun_vsys_delete(vtun_vsys *vsys) {
  const char *user;

  if (vsys == NULL)
    return VTUN_EINVAL;
  vtun__ok(vsys->ctx);
  if ((user = vsys_user(vsys->ctx, vsys)) != NULL)
    return vtun__refuse(vsys->ctx, VTUN_EBUSY,
                        "virtual system %s still holds %s", vsys->name, user);
  vtun__list_remove(&vsys->link);
  free(vsys);
  return 0;
}

const char *vtun_vsys_get_name(const vtun_vsys *vsys) {
  return vtun__vsys_name(vsys);
}

void vtun_vsys_set_user_data(vtun_vsys *vsys, void *ud) {
  vsys->user_data = ud;
}

void *vtun_vsys_get_user_data(const vtun_vsys *vsys) {
  return vsys->user_data;
}

/* ---------------------------------------------------- vpn-instances */

int vtun_vpn_instance_new(vtun_ctx *ctx, const char *name,
                          vtun_vpn_instance **out) {
  vtun_vpn_instance *v;
  int rv;

  vtun__ok(ctx);
  if (out == NULL)
    return VTUN_EINVAL;
  if ((rv = vtun__check_name(ctx, "vpn-instance", name)) != 0)
    return rv;
  if (vtun_vpn_instance_find(ctx, name) != NULL)
    return vtun__refuse(ctx, VTUN_EEXIST, "vpn-instance %s exists", name);
  if ((v = vtun__zalloc(sizeof(*v))) == NULL)
    return VTUN_ENOMEM;
  v->ctx = ctx;
  strcpy(v->name, name);
  vtun__list_append(&ctx->vrfs, &v->link);
  *out = v;
  return 0;
}

vtun_vpn_instance *vtun_vpn_instance_find(vtun_ctx *ctx, const char *name) {
  if (name == NULL)
    return NULL;
  vtun__list_each (v, &ctx->vrfs, vtun_vpn_instance)
    if (strcmp(v->name, name) == 0)
      return v;
  return NULL;
}

int vtun_vpn_instance_delete(vtun_vpn_instance *vrf) {
  vtun_ctx *ctx;

  if (vrf == NULL)
    return VTUN_EINVAL;
  ctx = vrf->ctx;
  vtun__ok(ctx);
  vtun__list_each (t, &ctx->tunnels, vtun_tunnel)
    if (t->vrf == vrf)
      return vtun__refuse(ctx, VTUN_EBUSY, "vpn-instance %s is used by %s",
                          vrf->name, t->name);
  vtun__list_remove(&vrf->link);
  free(vrf);
  return 0;
}

const char *vtun_vpn_instance_get_name(const vtun_vpn_instance *vrf) {
  return vrf != NULL ? vrf->name : "public";
}

void vtun_vpn_instance_set_user_data(vtun_vpn_instance *vrf, void *ud) {
  vrf->user_data = ud;
}

void *vtun_vpn_instance_get_user_data(const vtun_vpn_instance *vrf) {
  return vrf->user_data;
}

/* ----------------------------------------------------------- ifaces */

int vtun_iface_new(vtun_ctx *ctx, const char *name, int layer,
                   vtun_iface **out) {
  vtun_iface *i;
  int rv;

  vtun__ok(ctx);
  if (out == NULL)
    return VTUN_EINVAL;
  if ((rv = vtun__check_name(ctx, "interface", name)) != 0)
    return rv;
  if (layer != VTUN_LAYER2 && layer != VTUN_LAYER3)
    return vtun__refuse(ctx, VTUN_EINVAL,
                        "interface %s: layer %d is "
                        "neither 2 nor 3",
                        name, layer);
  if (vtun_iface_find(ctx, name) != NULL || vtun_tunnel_find(ctx, name))
    return vtun__refuse(ctx, VTUN_EEXIST, "interface %s exists", name);
  if ((i = vtun__zalloc(sizeof(*i))) == NULL)
    return VTUN_ENOMEM;
  i->ctx = ctx;
  i->layer = layer;
  strcpy(i->name, name);
  vtun__list_append(&ctx->ifaces, &i->link);
  *out = i;
  return 0;
}

vtun_iface *vtun_iface_find(vtun_ctx *ctx, const char *name) {
  if (name == NULL)
    return NULL;
  vtun__list_each (i, &ctx->ifaces, vtun_iface)
    if (strcmp(i->name, name) == 0)
      return i;
  return NULL;
}

static const vtun_tunnel *iface_user(const vtun_iface *iface) {
  vtun__list_each (t, &iface->ctx->tunnels, vtun_tunnel)
    if (t->source_iface == iface || t->unnumbered == iface)
      return t;
  return NULL;
}

int vtun_iface_delete(vtun_iface *iface) {
  const vtun_tunnel *t;

  if (iface == NULL)
    return VTUN_EINVAL;
  vtun__ok(iface->ctx);
  if ((t = iface_user(iface)) != NULL)
    return vtun__refuse(iface->ctx, VTUN_EBUSY, "interface %s is used by %s",
                        iface->name, t->name);
  vtun__list_remove(&iface->link);
  free(iface);
  return 0;
}

const char *vtun_iface_get_name(const vtun_iface *iface) {
  return iface->name;
}

int vtun_iface_set_layer(vtun_iface *iface, int layer) {
  vtun_ctx *ctx = iface->ctx;

  vtun__ok(ctx);
  if (layer != VTUN_LAYER2 && layer != VTUN_LAYER3)
    return vtun__refuse(ctx, VTUN_EINVAL,
                        "interface %s: layer %d is "
                        "neither 2 nor 3",
                        iface->name, layer);
  if (layer == VTUN_LAYER2)
    vtun__list_each (t, &ctx->tunnels, vtun_tunnel)
      if (t->source_iface == iface)
        return vtun__refuse(
            ctx, VTUN_ER4_SOURCE_LAYER,
            "R4: interface %s is the source of %s and must stay "
            "Layer 3",
            iface->name, t->name);
  iface->layer = layer;
  return 0;
}

int vtun_iface_get_layer(const vtun_iface *iface) {
  return iface->layer;
}

/* Tunnels whose local address follows this interface move with it
 * (DHCP, PPPoE): their SAs were made for the old address, so they are
 * dropped without a Delete (the old address may be gone) and initiators
 * negotiate again from the new one; branches of a responder come back
 * through their liveness checks. */
static void iface_moved(vtun_iface *iface) {
  vtun__list_each (t, &iface->ctx->tunnels, vtun_tunnel) {
    if (t->source_iface != iface)
      continue;
    vtun__ike_tunnel_stop(t, 0);
    vtun__match_changed(t->ctx);
    if (t->ctx->committed && t->enabled && !t->on_demand &&
        t->protocol == VTUN_TUNNEL_IPSEC && vtun_tunnel_check(t) == 0)
      (void)vtun__ike_tunnel_start(t);
  }
}

/* Whether @p ep differs from what @p iface has for its family. */
static bool iface_differs(const vtun_iface *iface, const vtun_endpoint *ep,
                          unsigned prefixlen) {
  const vtun_endpoint *cur =
      ep->family == VTUN_AF_INET ? &iface->addr4 : &iface->addr6;
  unsigned plen = ep->family == VTUN_AF_INET ? iface->prefix4 : iface->prefix6;

  return !vtun__ep_addr_eq(cur, ep) || plen != prefixlen;
}

int vtun_iface_set_address(vtun_iface *iface, const char *addr,
                           unsigned prefixlen) {
  vtun_endpoint ep;
  int rv;

  vtun__ok(iface->ctx);
  if ((rv = vtun__parse_addr(iface->ctx, "interface address", addr, &ep)))
    return rv;
  if (prefixlen > vtun__ep_maxprefix(&ep))
    return vtun__refuse(iface->ctx, VTUN_EINVAL,
                        "interface %s: prefix length %u too long", iface->name,
                        prefixlen);
  if (!iface_differs(iface, &ep, prefixlen))
    return 0;
  if (ep.family == VTUN_AF_INET) {
    iface->addr4 = ep;
    iface->prefix4 = prefixlen;
  } else {
    iface->addr6 = ep;
    iface->prefix6 = prefixlen;
  }
  iface_moved(iface);
  return 0;
}

int vtun_iface_clear_address(vtun_iface *iface, int family) {
  vtun__ok(iface->ctx);
  if (family == VTUN_AF_INET)
    memset(&iface->addr4, 0, sizeof(iface->addr4));
  else if (family == VTUN_AF_INET6)
    memset(&iface->addr6, 0, sizeof(iface->addr6));
  else
    return vtun__refuse(iface->ctx, VTUN_EINVAL, "unknown family %d", family);
  iface_moved(iface);
  return 0;
}

vtun_ssize vtun_iface_get_address(const vtun_iface *iface, int family,
                                  char *buf, size_t len, unsigned *prefixlen) {
  const vtun_endpoint *ep =
      family == VTUN_AF_INET6 ? &iface->addr6 : &iface->addr4;

  if (family != VTUN_AF_INET && family != VTUN_AF_INET6)
    return VTUN_EINVAL;
  if (ep->family == VTUN_AF_NONE)
    return VTUN_ENOENT;
  if (prefixlen != NULL)
    *prefixlen = family == VTUN_AF_INET6 ? iface->prefix6 : iface->prefix4;
  return vtun__ep_copyout(ep, buf, len);
}

void vtun_iface_set_user_data(vtun_iface *iface, void *ud) {
  iface->user_data = ud;
}

void *vtun_iface_get_user_data(const vtun_iface *iface) {
  return iface->user_data;
}

/* --------------------------------------------------------- teardown */

#define FREE_LIST(head, type, destroy)                                         \
  vtun__list_each_safe (o, n, head, type) {                                    \
    vtun__list_remove(&o->link);                                               \
    destroy(o);                                                                \
  }

void vtun__objects_free_all(vtun_ctx *ctx) {
  FREE_LIST(&ctx->tunnels, vtun_tunnel, vtun__tunnel_destroy);
  free(ctx->tun_names);
  ctx->tun_names = NULL;
  ctx->tun_nbuckets = ctx->tun_count = 0;
  FREE_LIST(&ctx->profiles, vtun_ipsec_profile, free);
  FREE_LIST(&ctx->ike_peers, vtun_ike_peer, vtun__peer_destroy);
  FREE_LIST(&ctx->ipsec_proposals, vtun_ipsec_proposal, free);
  FREE_LIST(&ctx->ike_proposals, vtun_ike_proposal, free);
  FREE_LIST(&ctx->pools, vtun_pool, vtun__pool_destroy);
  FREE_LIST(&ctx->ifaces, vtun_iface, free);
  FREE_LIST(&ctx->vrfs, vtun_vpn_instance, free);
  FREE_LIST(&ctx->vsyses, vtun_vsys, free);
}
