/* Template tunnels (beyond comparable products). A headquarters with
 * thousands of branches configures one template instead of one tunnel
 * per branch: the matching of core/match.c falls back to it when no
 * configured tunnel takes a negotiation, the IKE engine authenticates the
 * branch with the template's peer, and only then asks here for the
 * branch's own tunnel, found again by the same identity next time. */
#include "core/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/match_index.h"
#include "core/objects.h"
#include "ike/ike.h"
#include "util/mem.h"

/* `<template>-<n>` stays a valid name with n up to 10 digits. */
#define TMPL_NAME_MAX (VTUN_NAME_MAX - 12)

int vtun_tunnel_set_template(vtun_tunnel *t, int mode) {
  vtun__ok(t->ctx);
  if (mode < VTUN_TEMPLATE_NONE || mode > VTUN_TEMPLATE_REMOVE)
    return vtun__refuse(t->ctx, VTUN_EINVAL, "%s: unknown template mode %d",
                        t->name, mode);
  if (t->tmpl != NULL)
    return vtun__refuse(t->ctx, VTUN_ESTATE,
                        "%s is an instance of template %s and cannot be a "
                        "template itself",
                        t->name, t->tmpl->tmpl ? t->tmpl->tmpl->name : "-");
  if (mode != VTUN_TEMPLATE_NONE && strlen(t->name) > TMPL_NAME_MAX)
    return vtun__refuse(t->ctx, VTUN_EINVAL,
                        "%s: a template's name has at most %d characters "
                        "(its instances add -<n>)",
                        t->name, TMPL_NAME_MAX);
  if (mode == t->tmpl_mode)
    return 0;
  if (mode == VTUN_TEMPLATE_NONE) {
    while (!vtun__list_empty(&t->tmpl_instances)) {
      struct vtun__tmpl_inst *in = vtun__container_of(
          t->tmpl_instances.next, struct vtun__tmpl_inst, link);
      vtun_event ev = {.type = VTUN_EVENT_TUNNEL_REMOVED, .tunnel = in->self};

      vtun__event(t->ctx, &ev);
      vtun_tunnel_delete(in->self);
    }
  } else if (t->tmpl_mode == VTUN_TEMPLATE_NONE) {
    /* A template only stands for its instances: whatever it had runs
     * no longer. */
    vtun__ike_tunnel_stop(t, 1);
  }
  t->tmpl_mode = mode;
  vtun__match_changed(t->ctx);
  return 0;
}

int vtun_tunnel_get_template_mode(const vtun_tunnel *t) {
  return t->tmpl_mode;
}

vtun_tunnel *vtun_tunnel_get_template(const vtun_tunnel *t) {
  return t->tmpl != NULL ? t->tmpl->tmpl : NULL;
}

vtun_ssize vtun_tunnel_get_branch_id(const vtun_tunnel *t, int *type, char *buf,
                                     size_t len) {
  if (t->tmpl == NULL)
    return VTUN_ENOENT;
  if (type != NULL)
    *type = t->tmpl->id_type;
  return vtun__strcopyout(t->tmpl->id, buf, len);
}

/* ------------------------------------------------------------ rules */

static int tmpl_refuse(vtun_ctx *ctx, const vtun_tunnel *t, const char *why) {
  return vtun__refuse(ctx, VTUN_ETEMPLATE, "template %s: %s", t->name, why);
}

static int tmpl_check_one(vtun_ctx *ctx, const vtun_tunnel *t) {
  const vtun_ike_peer *peer = vtun__tunnel_peer(t);

  if (t->protocol != VTUN_TUNNEL_IPSEC)
    return tmpl_refuse(ctx, t, "a template needs tunnel-protocol ipsec");
  if (peer == NULL || vtun__tunnel_proposal(t) == NULL)
    return tmpl_refuse(ctx, t, "a template needs a complete ipsec profile");
  if (t->destination.family != VTUN_AF_NONE)
    return tmpl_refuse(ctx, t,
                       "a template has no destination: it answers "
                       "branches from any address");
  if (t->addr_mode == VTUN_ADDR_NEGOTIATED)
    return tmpl_refuse(ctx, t,
                       "a template serves branches and cannot request its "
                       "own address");
  if (!(peer->versions & VTUN_IKEV2))
    return vtun__refuse(ctx, VTUN_ETEMPLATE,
                        "template %s: ike peer %s must accept IKEv2 (the "
                        "branch is keyed by its IKEv2 IDi)",
                        t->name, peer->name);
  if (peer->nremotes > 0 || peer->remote_id_type != VTUN_ID_NONE)
    return vtun__refuse(ctx, VTUN_ETEMPLATE,
                        "template %s: ike peer %s names a remote %s; a "
                        "template's peer accepts any branch",
                        t->name, peer->name,
                        peer->nremotes > 0 ? "address" : "ID");
  return 0;
}

int vtun__template_check(vtun_ctx *ctx) {
  int rv;

  vtun__list_each (t, &ctx->tunnels, vtun_tunnel) {
    if (t->tmpl_mode != VTUN_TEMPLATE_NONE && t->enabled &&
        (rv = tmpl_check_one(ctx, t)) != 0)
      return rv;
  }
  return 0;
}

/* -------------------------------------------------------- instances */

static bool tmpl_id_eq(const struct vtun__tmpl_inst *in, int type,
                       const char *id) {
  if (in->id_type != type)
    return false;
  if (type == VTUN_ID_FQDN || type == VTUN_ID_USER_FQDN)
    return strcasecmp(in->id, id) == 0;
  return strcmp(in->id, id) == 0;
}

static void tmpl_reap(void *arg, struct vtun__timer *tm, vtun_tstamp now) {
  struct vtun__tmpl_inst *in = arg;
  vtun_tunnel *t = in->self;
  vtun_event ev = {.type = VTUN_EVENT_TUNNEL_REMOVED, .tunnel = t};

  (void)tm;
  (void)now;
  /* The branch came back in the meantime. */
  if (t->state != VTUN_STATE_IDLE && t->state != VTUN_STATE_ADMIN_DOWN)
    return;
  VTUN_LOG(&t->ctx->log, VTUN_LOG_INFO, VTUN_TOPIC_CTX,
           "%s: branch %s gone; template %s removes the tunnel", t->name,
           in->id, in->tmpl != NULL ? in->tmpl->name : "-");
  vtun__event(t->ctx, &ev);
  vtun_tunnel_delete(t);
}

/* Instances by identity: chained buckets, doubled when they hold more
 * than two instances each on average, so a returning branch is found in
 * constant expected time. */
static struct vtun__tmpl_inst **tmpl_bucket(vtun_tunnel *tmpl, uint64_t key) {
  return &tmpl->tmpl_buckets[key & (tmpl->tmpl_nbuckets - 1)];
}

static int tmpl_grow(vtun_tunnel *tmpl) {
  uint32_t n = tmpl->tmpl_nbuckets ? tmpl->tmpl_nbuckets * 2 : 16;
  struct vtun__tmpl_inst **b = calloc(n, sizeof(*b));

  if (b == NULL)
    return VTUN_ENOMEM;
  free(tmpl->tmpl_buckets);
  tmpl->tmpl_buckets = b;
  tmpl->tmpl_nbuckets = n;
  vtun__list_each (in, &tmpl->tmpl_instances, struct vtun__tmpl_inst) {
    struct vtun__tmpl_inst **head = tmpl_bucket(tmpl, in->key);

    in->chain = *head;
    *head = in;
  }
  return 0;
}

static void tmpl_unhash(vtun_tunnel *tmpl, struct vtun__tmpl_inst *in) {
  struct vtun__tmpl_inst **pp;

  if (tmpl->tmpl_buckets == NULL)
    return;
  for (pp = tmpl_bucket(tmpl, in->key); *pp != NULL; pp = &(*pp)->chain)
    if (*pp == in) {
      *pp = in->chain;
      tmpl->tmpl_count--;
      return;
    }
}

/* A free name `<template>-<n>`. */
static int tmpl_name(vtun_tunnel *tmpl, char name[VTUN_NAME_MAX]) {
  vtun_ctx *ctx = tmpl->ctx;

  char buf[VTUN_NAME_MAX + 16];

  for (unsigned tries = 0; tries < 1000; tries++) {
    int n = snprintf(buf, sizeof(buf), "%s-%u", tmpl->name, ++tmpl->tmpl_seq);

    if (n <= 0 || n >= VTUN_NAME_MAX)
      return VTUN_ENOSPC;
    memcpy(name, buf, (size_t)n + 1);
    if (vtun_tunnel_find(ctx, name) == NULL &&
        vtun_iface_find(ctx, name) == NULL)
      return 0;
  }
  return VTUN_ENOSPC;
}

static int tmpl_create(vtun_tunnel *tmpl, int id_type, const char *id,
                       vtun_tunnel **out) {
  size_t idlen = strlen(id);
  struct vtun__tmpl_inst *in;
  vtun_event ev = {.type = VTUN_EVENT_TUNNEL_CREATED};
  vtun_tunnel *t;
  char name[VTUN_NAME_MAX];
  int rv;

  if ((rv = tmpl_name(tmpl, name)) != 0)
    return rv;
  if ((t = vtun__zalloc(sizeof(*t))) == NULL)
    return VTUN_ENOMEM;
  if ((in = vtun__zalloc(sizeof(*in) + idlen + 1)) == NULL) {
    free(t);
    return VTUN_ENOMEM;
  }
  in->tmpl = tmpl;
  in->self = t;
  in->id_type = id_type;
  in->key = vtun__mi_id_key(id_type, id);
  memcpy(in->id, id, idlen + 1);
  if (tmpl->tmpl_count + 1 > 2 * tmpl->tmpl_nbuckets && tmpl_grow(tmpl) != 0) {
    free(in);
    free(t);
    return VTUN_ENOMEM;
  }
  vtun__timer_init(&in->reap, tmpl_reap, in);

  /* What the template gives; the profile is shared, not applied (R1
   * binds it to the template). */
  t->ctx = tmpl->ctx;
  strcpy(t->name, name);
  t->protocol = tmpl->protocol;
  t->vsys = tmpl->vsys;
  t->enabled = true;
  t->addr_mode = tmpl->addr_mode;
  t->addr = tmpl->addr;
  t->addr_prefix = tmpl->addr_prefix;
  t->unnumbered = tmpl->unnumbered;
  t->source_addr = tmpl->source_addr;
  t->source_iface = tmpl->source_iface;
  t->vrf = tmpl->vrf;
  t->profile = tmpl->profile;
  t->gre_key_present = tmpl->gre_key_present;
  t->gre_seq = tmpl->gre_seq;
  t->gre_key = tmpl->gre_key;
  t->keepalive_period = tmpl->keepalive_period;
  t->keepalive_retries = tmpl->keepalive_retries;
  t->mtu = tmpl->mtu;
  t->state = VTUN_STATE_IDLE;
  vtun__list_init(&t->tmpl_instances);
  t->tmpl = in;
  vtun__dp_tunnel_init(t);
  vtun__list_append(&tmpl->ctx->tunnels, &t->link);
  if (vtun__tunnel_name_add(t) != 0) {
    vtun__list_remove(&t->link);
    vtun__dp_tunnel_fini(t);
    free(in);
    free(t);
    return VTUN_ENOMEM;
  }
  vtun__list_append(&tmpl->tmpl_instances, &in->link);
  in->chain = *tmpl_bucket(tmpl, in->key);
  *tmpl_bucket(tmpl, in->key) = in;
  tmpl->tmpl_count++;
  VTUN_LOG(&t->ctx->log, VTUN_LOG_INFO, VTUN_TOPIC_CTX,
           "%s: created by template %s for branch %s", t->name, tmpl->name,
           in->id);
  ev.tunnel = t;
  vtun__event(t->ctx, &ev);
  *out = t;
  return 0;
}

int vtun__template_instance(vtun_tunnel *tmpl, int id_type, const char *id,
                            vtun_tunnel **out) {
  uint64_t key = vtun__mi_id_key(id_type, id);

  for (struct vtun__tmpl_inst *in = tmpl->tmpl_buckets ? *tmpl_bucket(tmpl, key)
                                                       : NULL;
       in != NULL; in = in->chain) {
    if (in->key == key && tmpl_id_eq(in, id_type, id)) {
      vtun__timer_cancel(&tmpl->ctx->timers, &in->reap);
      *out = in->self;
      return 0;
    }
  }
  return tmpl_create(tmpl, id_type, id, out);
}

void vtun__template_state(vtun_tunnel *t) {
  struct vtun__tmpl_inst *in = t->tmpl;

  /* Idle is what a tunnel is once its IKE SA went; down (a Child SA at
   * its hard lifetime) passes while the IKE SA makes a new pair. */
  if (in == NULL || in->tmpl == NULL ||
      in->tmpl->tmpl_mode != VTUN_TEMPLATE_REMOVE ||
      (t->state != VTUN_STATE_IDLE && t->state != VTUN_STATE_ADMIN_DOWN))
    return;
  (void)vtun__timer_arm(&t->ctx->timers, &in->reap, t->ctx->now);
}

void vtun__template_detach(vtun_tunnel *t) {
  struct vtun__tmpl_inst *in = t->tmpl;

  if (in != NULL) {
    vtun__timer_cancel(&t->ctx->timers, &in->reap);
    if (in->tmpl != NULL) {
      tmpl_unhash(in->tmpl, in);
      vtun__list_remove(&in->link);
    }
    free(in);
    t->tmpl = NULL;
    return;
  }
  vtun__list_each_safe (i, nx, &t->tmpl_instances, struct vtun__tmpl_inst) {
    vtun__list_remove(&i->link);
    i->tmpl = NULL;
  }
  free(t->tmpl_buckets);
  t->tmpl_buckets = NULL;
  t->tmpl_nbuckets = t->tmpl_count = 0;
}
