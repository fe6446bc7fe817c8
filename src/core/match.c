#include "core/match.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/objects.h"

#define MATCH_MAX_LIST 8 /* candidates named in an explanation line */

bool vtun__peer_id_capable(const vtun_ike_peer *peer) {
  if (peer->remote_id_type == VTUN_ID_NONE)
    return false;
  if ((peer->versions & VTUN_IKEV1) &&
      peer->exchange_mode != VTUN_MODE_AGGRESSIVE)
    return false;
  if ((peer->versions & VTUN_IKEV2) && !peer->ikev2_id_match)
    return false;
  return true;
}

static bool local_is(const vtun_tunnel *t, const vtun_endpoint *l) {
  const vtun_iface *i = t->source_iface;

  if (t->source_addr.family != VTUN_AF_NONE)
    return vtun__ep_addr_eq(&t->source_addr, l);
  return i != NULL &&
         (vtun__ep_addr_eq(&i->addr4, l) || vtun__ep_addr_eq(&i->addr6, l));
}

static bool exchange_ok(const vtun_ike_peer *peer, int exchange) {
  switch (exchange) {
  case VTUN_MATCH_IKEV2:
    return peer->versions & VTUN_IKEV2;
  case VTUN_MATCH_IKEV1_MAIN:
    return (peer->versions & VTUN_IKEV1) &&
           peer->exchange_mode == VTUN_MODE_MAIN;
  case VTUN_MATCH_IKEV1_AGGRESSIVE:
    return (peer->versions & VTUN_IKEV1) &&
           peer->exchange_mode == VTUN_MODE_AGGRESSIVE;
  }
  return false;
}

/* Step 1: tunnels in ipsec mode with a profile, up administratively,
 * whose local address is L in the same vpn-instance, and whose peer
 * accepts this kind of exchange. */
static bool candidate(const vtun_tunnel *t, const struct vtun__match_query *q) {
  const vtun_ike_peer *peer = vtun__tunnel_peer(t);

  return t->enabled && t->protocol == VTUN_TUNNEL_IPSEC && peer != NULL &&
         t->vrf == q->vrf && local_is(t, &q->local) &&
         exchange_ok(peer, q->exchange);
}

/* Templates and their instances take no part in steps 2-5: instances are
 * found through their template, by the branch's identity. */
static bool configured(const vtun_tunnel *t) {
  return t->tmpl_mode == VTUN_TEMPLATE_NONE && t->tmpl == NULL;
}

static bool addr_constrained(const vtun_tunnel *t) {
  const vtun_ike_peer *peer = vtun__tunnel_peer(t);

  return t->destination.family != VTUN_AF_NONE || peer->nremotes > 0;
}

static bool peer_lists(const vtun_ike_peer *peer, const vtun_endpoint *r) {
  for (unsigned i = 0; i < peer->nremotes; i++)
    if (vtun__ep_addr_eq(&peer->remotes[i], r))
      return true;
  return false;
}

/* Whether the ID step applies to @p t for this exchange. */
static bool id_usable(const vtun_tunnel *t, int exchange) {
  const vtun_ike_peer *peer = vtun__tunnel_peer(t);

  if (peer->remote_id_type == VTUN_ID_NONE)
    return false;
  if (exchange == VTUN_MATCH_IKEV1_AGGRESSIVE)
    return true;
  return exchange == VTUN_MATCH_IKEV2 && peer->ikev2_id_match;
}

static bool id_equal(const vtun_ike_peer *peer, int type, const char *id) {
  vtun_endpoint a, b;

  if (id == NULL || peer->remote_id_type != type)
    return false;
  if (type == VTUN_ID_FQDN || type == VTUN_ID_USER_FQDN)
    return strcasecmp(peer->remote_id, id) == 0;
  if (type == VTUN_ID_IP)
    return vtun_endpoint_parse(&a, peer->remote_id, 0) == 0 &&
           vtun_endpoint_parse(&b, id, 0) == 0 && vtun__ep_addr_eq(&a, &b);
  return strcmp(peer->remote_id, id) == 0;
}

enum match_step {
  STEP_DESTINATION = 2,
  STEP_REMOTE_ADDRESS = 3,
  STEP_PEER_ID = 4,
  STEP_UNCONSTRAINED = 5,
  STEP_REFUSED = 6,
  STEP_TEMPLATE = 7, /* after 5: a template takes the branch */
};

/* Whether @p t belongs to the set a step selects. */
static bool in_step(const vtun_tunnel *t, int step,
                    const struct vtun__match_query *q) {
  const vtun_ike_peer *peer = vtun__tunnel_peer(t);

  if (step == STEP_TEMPLATE)
    return t->tmpl_mode != VTUN_TEMPLATE_NONE;
  if (!configured(t))
    return false;
  switch (step) {
  case STEP_DESTINATION:
    return vtun__ep_addr_eq(&t->destination, &q->remote);
  case STEP_REMOTE_ADDRESS:
    return t->destination.family == VTUN_AF_NONE &&
           peer_lists(peer, &q->remote);
  case STEP_PEER_ID:
    return !addr_constrained(t) && id_usable(t, q->exchange) &&
           id_equal(peer, q->id_type, q->id);
  case STEP_UNCONSTRAINED:
    return !addr_constrained(t) && !id_usable(t, q->exchange);
  }
  return false;
}

static const char *step_text(int step) {
  switch (step) {
  case STEP_DESTINATION:
    return "tunnel destination equals the remote address";
  case STEP_REMOTE_ADDRESS:
    return "ike peer lists the remote address";
  case STEP_PEER_ID:
    return "ike peer's remote ID equals the received ID";
  case STEP_UNCONSTRAINED:
    return "the only responder-only tunnel without remote constraint";
  case STEP_TEMPLATE:
    return "a template creates the branch's tunnel";
  }
  return "refused";
}

struct match_set {
  vtun_tunnel *first;
  unsigned n;
  struct vtun__sb *why;
};

typedef void (*match_fn)(vtun_tunnel *t, void *arg);

/* Calls @p fn for every tunnel of @p step: the index narrows the search
 * to the tunnels keyed by the remote address or ID; without an index
 * (no memory for it) every tunnel is looked at. */
static void each_in_step(vtun_ctx *ctx, const struct vtun__match_query *q,
                         int step, match_fn fn, void *arg) {
  const struct vtun__match_index *mi = vtun__match_index(ctx);
  const struct vtun__mi_entry *b = NULL, *e = NULL;

  if (mi == NULL) {
    vtun__list_each (t, &ctx->tunnels, vtun_tunnel) {
      if (candidate(t, q) && in_step(t, step, q))
        fn(t, arg);
    }
    return;
  }
  if (step == STEP_DESTINATION)
    b = vtun__mi_find(&mi->dest, vtun__mi_addr_key(&q->remote), &e);
  else if (step == STEP_REMOTE_ADDRESS)
    b = vtun__mi_find(&mi->remote, vtun__mi_addr_key(&q->remote), &e);
  else if (step == STEP_PEER_ID && q->id != NULL)
    b = vtun__mi_find(&mi->id, vtun__mi_id_key(q->id_type, q->id), &e);
  else if (step == STEP_UNCONSTRAINED) {
    b = mi->loose[q->exchange - 1].e;
    e = b + mi->loose[q->exchange - 1].n;
  } else if (step == STEP_TEMPLATE) {
    b = mi->tmpl.e;
    e = b + mi->tmpl.n;
  }
  for (; b != NULL && b < e; b++)
    if (candidate(b->t, q) && in_step(b->t, step, q))
      fn(b->t, arg);
}

static void set_add(vtun_tunnel *t, void *arg) {
  struct match_set *s = arg;

  if (s->n == 0)
    s->first = t;
  if (s->why != NULL && s->n < MATCH_MAX_LIST)
    vtun__sb_printf(s->why, "%s%s", s->n ? ", " : " ", t->name);
  s->n++;
}

/* Collects the tunnels of @p step. */
static void collect(vtun_ctx *ctx, const struct vtun__match_query *q, int step,
                    struct match_set *s) {
  s->first = NULL;
  s->n = 0;
  if (s->why != NULL)
    vtun__sb_printf(s->why, "step %d (%s):", step, step_text(step));
  each_in_step(ctx, q, step, set_add, s);
  if (s->why != NULL)
    vtun__sb_printf(s->why, "%s\n", s->n ? "" : " none");
}

struct id_pick {
  const struct vtun__match_query *q;
  vtun_tunnel *winner;
  unsigned n;
};

static void id_add(vtun_tunnel *t, void *arg) {
  struct id_pick *p = arg;

  if (id_usable(t, p->q->exchange) &&
      id_equal(vtun__tunnel_peer(t), p->q->id_type, p->q->id)) {
    p->winner = t;
    p->n++;
  }
}

/* With several tunnels at one step, the peer ID may still decide. */
static int narrow_by_id(vtun_ctx *ctx, const struct vtun__match_query *q,
                        int step, struct match_set *s) {
  struct id_pick pick = {.q = q};

  each_in_step(ctx, q, step, id_add, &pick);
  if (s->why != NULL)
    vtun__sb_printf(s->why, "  %u tunnels compete; peer ID %s %s\n", s->n,
                    q->id != NULL ? q->id : "(not known yet)",
                    pick.n == 1 ? "decides" : "does not decide");
  if (pick.n != 1)
    return VTUN_ENOMATCH;
  s->first = pick.winner;
  return 0;
}

static void count_candidates(vtun_ctx *ctx, const struct vtun__match_query *q,
                             struct vtun__sb *why) {
  unsigned n = 0;

  if (why == NULL)
    return;
  vtun__sb_printf(why, "step 1 (ipsec tunnels on this local address):");
  vtun__list_each (t, &ctx->tunnels, vtun_tunnel) {
    if (candidate(t, q) && n++ < MATCH_MAX_LIST)
      vtun__sb_printf(why, " %s", t->name);
  }
  vtun__sb_printf(why, "%s\n", n ? "" : " none");
}

/* Whether a refusal would turn into a match once the peer's ID is known
 * (an IKEv2 responder learns IDi only in IKE_AUTH). */
static bool id_pending(vtun_ctx *ctx, const struct vtun__match_query *q) {
  const struct vtun__match_index *mi;

  if (q->id != NULL)
    return false;
  if ((mi = vtun__match_index(ctx)) != NULL) {
    for (size_t i = 0; i < mi->id.n; i++)
      if (candidate(mi->id.e[i].t, q) && id_usable(mi->id.e[i].t, q->exchange))
        return true;
    return false;
  }
  vtun__list_each (t, &ctx->tunnels, vtun_tunnel) {
    if (candidate(t, q) && !addr_constrained(t) && id_usable(t, q->exchange))
      return true;
  }
  return false;
}

static int decide(vtun_ctx *ctx, const struct vtun__match_query *q,
                  struct vtun__match_result *res, struct vtun__sb *why) {
  static const int steps[] = {STEP_DESTINATION, STEP_REMOTE_ADDRESS,
                              STEP_PEER_ID, STEP_UNCONSTRAINED, STEP_TEMPLATE};
  struct match_set s = {.why = why};

  for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
    collect(ctx, q, steps[i], &s);
    if (s.n == 0)
      continue;
    if (steps[i] == STEP_TEMPLATE &&
        (s.n > 1 || q->exchange != VTUN_MATCH_IKEV2))
      break;
    if (steps[i] == STEP_TEMPLATE && q->id == NULL) {
      /* The branch's tunnel is made once it has authenticated. */
      res->step = STEP_REFUSED;
      res->needs_id = true;
      return VTUN_ENOMATCH;
    }
    if (s.n > 1 && narrow_by_id(ctx, q, steps[i], &s) != 0) {
      res->step = STEP_REFUSED;
      return VTUN_ENOMATCH;
    }
    res->tunnel = s.first;
    res->step = steps[i];
    return 0;
  }
  res->step = STEP_REFUSED;
  res->needs_id = id_pending(ctx, q);
  return VTUN_ENOMATCH;
}

int vtun__match(vtun_ctx *ctx, const struct vtun__match_query *q,
                struct vtun__match_result *res, struct vtun__sb *why) {
  char a[VTUN_ADDRSTRLEN], b[VTUN_ADDRSTRLEN];
  int rv;

  memset(res, 0, sizeof(*res));
  if (why != NULL)
    vtun__sb_printf(why, "negotiation from %s to %s%s%s:\n",
                    vtun__ep_str(&q->remote, a), vtun__ep_str(&q->local, b),
                    q->id != NULL ? ", peer ID " : "",
                    q->id != NULL ? q->id : "");
  count_candidates(ctx, q, why);
  rv = decide(ctx, q, res, why);
  if (why == NULL)
    return rv;
  if (rv == 0 && res->step == STEP_TEMPLATE)
    vtun__sb_printf(why, "chosen: template %s (the branch's own tunnel)\n",
                    res->tunnel->name);
  else if (rv == 0)
    vtun__sb_printf(why, "chosen: %s (step %d)\n", res->tunnel->name,
                    res->step);
  else
    vtun__sb_printf(why, "refused: %s\n",
                    res->needs_id ? "the peer ID is needed to decide"
                                  : "no single tunnel matches");
  return rv;
}

static int match_query(vtun_ctx *ctx, vtun_vpn_instance *vrf, const char *local,
                       const char *remote, int exchange, int id_type,
                       const char *id, struct vtun__match_query *q) {
  int rv;

  if ((rv = vtun__parse_addr(ctx, "local address", local, &q->local)) != 0 ||
      (rv = vtun__parse_addr(ctx, "remote address", remote, &q->remote)))
    return rv;
  if (exchange < VTUN_MATCH_IKEV2 || exchange > VTUN_MATCH_IKEV1_AGGRESSIVE)
    return vtun__refuse(ctx, VTUN_EINVAL, "unknown exchange %d", exchange);
  q->vrf = vrf;
  q->exchange = exchange;
  q->id_type = id != NULL ? id_type : VTUN_ID_NONE;
  q->id = id_type != VTUN_ID_NONE ? id : NULL;
  return 0;
}

int vtun_ctx_match(vtun_ctx *ctx, vtun_vpn_instance *vrf, const char *local,
                   const char *remote, int exchange, int id_type,
                   const char *id, vtun_tunnel **out) {
  struct vtun__match_query q;
  struct vtun__match_result res;
  char why[VTUN_ERRMSG_MAX];
  struct vtun__sb sb;
  int rv;

  vtun__ok(ctx);
  if (out == NULL)
    return VTUN_EINVAL;
  *out = NULL;
  if ((rv = match_query(ctx, vrf, local, remote, exchange, id_type, id, &q)) !=
      0)
    return rv;
  vtun__sb_init(&sb, why, sizeof(why));
  if ((rv = vtun__match(ctx, &q, &res, &sb)) != 0)
    return vtun__refuse(ctx, rv, "%s", why);
  *out = res.tunnel;
  return 0;
}

vtun_ssize vtun_ctx_explain_match(vtun_ctx *ctx, vtun_vpn_instance *vrf,
                                  const char *local, const char *remote,
                                  int exchange, int id_type, const char *id,
                                  char *buf, size_t len) {
  struct vtun__match_query q;
  struct vtun__match_result res;
  struct vtun__sb sb;
  int rv;

  vtun__ok(ctx);
  if ((rv = match_query(ctx, vrf, local, remote, exchange, id_type, id, &q)) !=
      0)
    return rv;
  vtun__sb_init(&sb, buf, len);
  vtun__match(ctx, &q, &res, &sb);
  return vtun__sb_result(&sb);
}
