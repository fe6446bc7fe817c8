/* Commit: the rules a sequence of single changes may pass through on its
 * way (R11 across proposals, R10 and R13 across tunnels). R13 is found by
 * sorting what tells tunnels apart, so a headquarters with thousands of
 * tunnels commits in O(n log n). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/match.h"
#include "core/objects.h"
#include "core/template.h"
#include "ike/ike.h"

enum r13_kind {
  R13_ADDR = 1, /* an address the tunnel's peer is expected at */
  R13_ID = 2,   /* unconstrained by address, picked by peer ID */
  R13_ANY = 3,  /* unconstrained: takes whatever else comes */
};

struct r13_item {
  const vtun_tunnel *t;
  vtun_endpoint local;
  int kind;
  vtun_endpoint addr; /* R13_ADDR */
  const char *id;     /* R13_ID */
  int id_type;
};

static int r13_cmp(const void *a, const void *b) {
  const struct r13_item *x = a, *y = b;
  int c;

  if (x->t->vrf != y->t->vrf)
    return x->t->vrf < y->t->vrf ? -1 : 1;
  if ((c = memcmp(&x->local, &y->local, sizeof(x->local))) != 0)
    return c;
  if (x->kind != y->kind)
    return x->kind - y->kind;
  if (x->kind == R13_ADDR)
    return memcmp(&x->addr, &y->addr, sizeof(x->addr));
  if (x->kind == R13_ID) {
    if (x->id_type != y->id_type)
      return x->id_type - y->id_type;
    return strcasecmp(x->id, y->id);
  }
  return 0;
}

static bool r13_candidate(const vtun_tunnel *t, vtun_endpoint *local) {
  return t->enabled && t->protocol == VTUN_TUNNEL_IPSEC && t->tmpl == NULL &&
         vtun__tunnel_peer(t) != NULL && vtun__tunnel_local(t, local);
}

/* Appends the items of one tunnel; returns how many. */
static size_t r13_items(const vtun_tunnel *t, struct r13_item *out) {
  const vtun_ike_peer *peer = vtun__tunnel_peer(t);
  struct r13_item base = {.t = t};
  size_t n = 0;

  vtun__tunnel_local(t, &base.local);
  base.local.port = 0;
  if (t->destination.family != VTUN_AF_NONE) {
    out[n] = base;
    out[n].kind = R13_ADDR;
    out[n++].addr = t->destination;
    return n;
  }
  for (unsigned i = 0; i < peer->nremotes; i++) {
    out[n] = base;
    out[n].kind = R13_ADDR;
    out[n++].addr = peer->remotes[i];
  }
  if (n > 0)
    return n;
  out[0] = base;
  out[0].kind = vtun__peer_id_capable(peer) ? R13_ID : R13_ANY;
  out[0].id = peer->remote_id;
  out[0].id_type = peer->remote_id_type;
  return 1;
}

static const char *r13_borrow(const vtun_tunnel *t) {
  return t->unnumbered != NULL ? t->unnumbered->name : NULL;
}

static int r13_refuse(vtun_ctx *ctx, const struct r13_item *a,
                      const struct r13_item *b) {
  const vtun_ike_peer *pa = vtun__tunnel_peer(a->t);
  const vtun_ike_peer *pb = vtun__tunnel_peer(b->t);
  char l[VTUN_ADDRSTRLEN], r[VTUN_ADDRSTRLEN];
  const char *borrow = r13_borrow(a->t);

  vtun__ep_str(&a->local, l);
  if (a->kind == R13_ANY && pa->remote_id_type != VTUN_ID_NONE &&
      pb->remote_id_type != VTUN_ID_NONE &&
      strcasecmp(pa->remote_id, pb->remote_id) != 0)
    return vtun__refuse(ctx, VTUN_ER10_PEER_ID_MODE,
                        "R10: %s and %s on local address %s are told apart "
                        "only by peer ID (ike peers %s and %s); that needs "
                        "IKEv1 aggressive mode or the IKEv2 peer-ID "
                        "extension on both peers",
                        a->t->name, b->t->name, l, pa->name, pb->name);
  return vtun__refuse(
      ctx, VTUN_ER13_AMBIGUOUS,
      "R13: %s and %s share local address %s%s%s and nothing tells their "
      "peers apart: %s%s",
      a->t->name, b->t->name, l, borrow ? " borrowed from " : "",
      borrow ? borrow : "",
      a->kind == R13_ADDR ? "both expect their peer at "
      : a->kind == R13_ID ? "both expect peer ID "
                          : "neither has a destination, a remote address "
                            "or a usable peer ID",
      a->kind == R13_ADDR ? vtun__ep_str(&a->addr, r)
      : a->kind == R13_ID ? a->id
                          : "");
}

/* Two tunnels expecting their peers at the same address are told apart
 * only when both can be picked by distinct peer IDs. */
static bool r13_apart(const struct r13_item *a, const struct r13_item *b) {
  const vtun_ike_peer *pa = vtun__tunnel_peer(a->t);
  const vtun_ike_peer *pb = vtun__tunnel_peer(b->t);

  if (a->kind != R13_ADDR)
    return false;
  return vtun__peer_id_capable(pa) && vtun__peer_id_capable(pb) &&
         (pa->remote_id_type != pb->remote_id_type ||
          strcasecmp(pa->remote_id, pb->remote_id) != 0);
}

/* Checks one run of items with equal keys, all pairs. */
static int r13_run(vtun_ctx *ctx, const struct r13_item *it, size_t n) {
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (it[i].t != it[j].t && !r13_apart(&it[i], &it[j]))
        return r13_refuse(ctx, &it[i], &it[j]);
  return 0;
}

static int check_r13(vtun_ctx *ctx) {
  struct r13_item *items;
  size_t n = 0, cap = 0, i, j;
  vtun_endpoint local;
  int rv = 0;

  vtun__list_each (t, &ctx->tunnels, vtun_tunnel) {
    if (r13_candidate(t, &local))
      cap += VTUN_MAX_REMOTE_ADDRS;
  }
  if (cap == 0)
    return 0;
  if ((items = calloc(cap, sizeof(*items))) == NULL)
    return VTUN_ENOMEM;
  vtun__list_each (t, &ctx->tunnels, vtun_tunnel) {
    if (r13_candidate(t, &local))
      n += r13_items(t, &items[n]);
  }
  qsort(items, n, sizeof(*items), r13_cmp);
  for (i = 0; i < n && rv == 0; i = j) {
    for (j = i + 1; j < n && r13_cmp(&items[i], &items[j]) == 0; j++)
      ;
    rv = r13_run(ctx, &items[i], j - i);
  }
  free(items);
  return rv;
}

int vtun_ctx_commit(vtun_ctx *ctx) {
  int rv;

  vtun__ok(ctx);
  if ((rv = vtun__check_proposals_r11(ctx)) != 0 ||
      (rv = vtun__template_check(ctx)) != 0 || (rv = check_r13(ctx)) != 0)
    return rv;
  ctx->committed = true;
  vtun__ike_start_all(ctx);
  return 0;
}
