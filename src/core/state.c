/* What a tunnel can do now: why it is down, who starts the negotiation
 * and from where to where (REQUIREMENTS section 3), and the context's
 * timers. */
#include <stdio.h>
#include <string.h>

#include "core/objects.h"
#include "util/strbuf.h"

/* The source interface's current address, preferring @p family. */
static bool iface_addr(const vtun_iface *i, int family, vtun_endpoint *out) {
  const vtun_endpoint *first = family == VTUN_AF_INET6 ? &i->addr6 : &i->addr4;
  const vtun_endpoint *second = family == VTUN_AF_INET6 ? &i->addr4 : &i->addr6;

  if (first->family != VTUN_AF_NONE)
    *out = *first;
  else if (second->family != VTUN_AF_NONE)
    *out = *second;
  else
    return false;
  return true;
}

bool vtun__tunnel_local(const vtun_tunnel *t, vtun_endpoint *out) {
  if (t->source_addr.family != VTUN_AF_NONE) {
    *out = t->source_addr;
    return true;
  }
  if (t->source_iface == NULL)
    return false;
  return iface_addr(t->source_iface, t->destination.family, out);
}

bool vtun__tunnel_remote(const vtun_tunnel *t, unsigned index,
                         vtun_endpoint *out) {
  const vtun_ike_peer *peer;

  if (t->destination.family != VTUN_AF_NONE) {
    if (index != 0)
      return false;
    *out = t->destination;
    return true;
  }
  peer = vtun__tunnel_peer(t);
  if (peer == NULL || index >= peer->nremotes)
    return false;
  *out = peer->remotes[index];
  return true;
}

/* The reason the tunnel cannot work, as a code and a sentence; 0 when it
 * can. Does not touch the context, so const queries can use it. */
static int tunnel_why(const vtun_tunnel *t, char *msg, size_t n) {
  vtun_endpoint local;

  if (!t->enabled)
    return snprintf(msg, n, "%s is shut down", t->name), VTUN_ESTATE;
  if (t->protocol == VTUN_TUNNEL_NONE)
    return snprintf(msg, n, "%s has no tunnel-protocol", t->name), VTUN_ESTATE;
  if (t->protocol == VTUN_TUNNEL_GRE && t->destination.family == VTUN_AF_NONE)
    return snprintf(msg, n,
                    "R5: %s is in gre mode and has no destination; both "
                    "ends of a gre tunnel need one",
                    t->name),
           VTUN_ER5_GRE_DESTINATION;
  if (t->protocol == VTUN_TUNNEL_IPSEC && t->profile == NULL)
    return snprintf(msg, n, "%s has no ipsec profile applied", t->name),
           VTUN_ESTATE;
  if (!vtun__tunnel_local(t, &local))
    return snprintf(msg, n, "%s has no local address: %s", t->name,
                    t->source_iface != NULL
                        ? "its source interface has no address"
                        : "no source is set"),
           VTUN_ESTATE;
  return 0;
}

int vtun_tunnel_check(vtun_tunnel *t) {
  char msg[VTUN_ERRMSG_MAX];
  int rv;

  vtun__ok(t->ctx);
  if ((rv = tunnel_why(t, msg, sizeof(msg))) != 0)
    return vtun__refuse(t->ctx, rv, "%s", msg);
  return 0;
}

int vtun_tunnel_get_state(const vtun_tunnel *t) {
  char msg[VTUN_ERRMSG_MAX];

  if (!t->enabled)
    return VTUN_STATE_ADMIN_DOWN;
  if (tunnel_why(t, msg, sizeof(msg)) != 0)
    return VTUN_STATE_DOWN;
  return t->state;
}

int vtun_tunnel_get_initiation(vtun_tunnel *t, unsigned index, int *role,
                               char *remote, size_t remote_len, char *local,
                               size_t local_len) {
  vtun_endpoint l, r;
  int rv;

  vtun__strcopyout("", remote, remote_len);
  vtun__strcopyout("", local, local_len);
  if (role != NULL)
    *role = VTUN_ROLE_NONE;
  if ((rv = vtun_tunnel_check(t)) != 0)
    return rv;
  vtun__tunnel_local(t, &l);
  vtun__ep_copyout(&l, local, local_len);
  if (!vtun__tunnel_remote(t, index, &r)) {
    if (index > 0)
      return VTUN_ENOENT;
    if (role != NULL && t->profile != NULL)
      *role = VTUN_ROLE_RESPONDER;
    return 0;
  }
  vtun__ep_copyout(&r, remote, remote_len);
  if (role != NULL && t->profile != NULL)
    *role = VTUN_ROLE_INITIATOR;
  return 0;
}

static void explain_local(const vtun_tunnel *t, struct vtun__sb *sb) {
  char a[VTUN_ADDRSTRLEN];
  vtun_endpoint l;

  vtun__tunnel_local(t, &l);
  if (t->source_iface != NULL)
    vtun__sb_printf(sb,
                    "local address %s: current address of source "
                    "interface %s\n",
                    vtun__ep_str(&l, a), t->source_iface->name);
  else
    vtun__sb_printf(sb, "local address %s: the configured source\n",
                    vtun__ep_str(&l, a));
}

static void explain_remotes(const vtun_tunnel *t, struct vtun__sb *sb) {
  const vtun_ike_peer *peer = vtun__tunnel_peer(t);
  char a[VTUN_ADDRSTRLEN];

  if (t->destination.family != VTUN_AF_NONE) {
    vtun__sb_printf(sb, "initiates to %s: the tunnel destination\n",
                    vtun__ep_str(&t->destination, a));
    return;
  }
  if (peer != NULL && peer->nremotes > 0) {
    for (unsigned i = 0; i < peer->nremotes; i++)
      vtun__sb_printf(sb,
                      "initiates to %s: remote address %u of ike peer "
                      "%s\n",
                      vtun__ep_str(&peer->remotes[i], a), i + 1, peer->name);
    return;
  }
  vtun__sb_printf(sb,
                  "only responds: no destination and ike peer %s has "
                  "no remote address\n",
                  peer != NULL ? peer->name : "(none)");
}

vtun_ssize vtun_tunnel_explain_initiation(vtun_tunnel *t, char *buf,
                                          size_t len) {
  char msg[VTUN_ERRMSG_MAX];
  struct vtun__sb sb;

  vtun__sb_init(&sb, buf, len);
  vtun__sb_printf(&sb, "%s:\n", t->name);
  if (tunnel_why(t, msg, sizeof(msg)) != 0) {
    vtun__sb_printf(&sb, "does not negotiate: %s\n", msg);
    return vtun__sb_result(&sb);
  }
  explain_local(t, &sb);
  if (t->profile == NULL) {
    vtun__sb_printf(&sb, "gre without ipsec profile: no IKE negotiation\n");
    return vtun__sb_result(&sb);
  }
  if (t->tmpl_mode != VTUN_TEMPLATE_NONE) {
    vtun__sb_printf(&sb,
                    "template: only responds; each branch no other tunnel "
                    "takes gets a tunnel %s-<n> once authenticated, %s when "
                    "its IKE SA goes\n",
                    t->name,
                    t->tmpl_mode == VTUN_TEMPLATE_KEEP ? "kept" : "removed");
    return vtun__sb_result(&sb);
  }
  explain_remotes(t, &sb);
  if (t->tmpl != NULL) {
    vtun__sb_printf(&sb, "instance of template %s for branch %s\n",
                    t->tmpl->tmpl != NULL ? t->tmpl->tmpl->name : "-",
                    t->tmpl->id);
    return vtun__sb_result(&sb);
  }
  vtun__sb_printf(&sb, "negotiation starts %s\n",
                  t->on_demand ? "on first traffic" : "when enabled");
  return vtun__sb_result(&sb);
}

vtun_tstamp vtun_ctx_next_deadline(const vtun_ctx *ctx) {
  return vtun__timers_next(&ctx->timers);
}

int vtun_ctx_expire_timers(vtun_ctx *ctx, vtun_tstamp now) {
  ctx->now = now;
  vtun__timers_run(&ctx->timers, now);
  return 0;
}
