/* IKE SA objects: creation, lookup, the one state transition function,
 * and freeing (keys wiped, timers cancelled, lease released). */
#include "ike/sa.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/objects.h"
#include "util/mem.h"

static const char *const sa_state_names[] = {
    [IKE_S_NEW] = "new",
    [IKE_S_INIT_SENT] = "init-sent",
    [IKE_S_INIT_DONE] = "init-done",
    [IKE_S_AUTH_SENT] = "auth-sent",
    [IKE_S_ESTABLISHED] = "established",
    [IKE_S_REKEYED] = "rekeyed",
    [IKE_S_DELETING] = "deleting",
    [IKE_S_DEAD] = "dead",
};

vtun_tstamp vtun__ike_now(vtun_ctx *ctx) {
  if (ctx->hooks.now != NULL)
    ctx->now = ctx->hooks.now(ctx->user_data);
  return ctx->now;
}

struct vtun__ike_tun *vtun__ike_tun(vtun_tunnel *t) {
  return t->ike;
}

const char *vtun__ike_sa_name(const struct vtun__ikesa *sa) {
  return sa->tunnel != NULL ? sa->tunnel->name : "(unmatched)";
}

void vtun__ike_flight_clear(struct vtun__ike_flight *f) {
  free(f->buf);
  f->buf = NULL;
  f->len = 0;
  f->n = 0;
}

static void sa_timer_cb(void *arg, struct vtun__timer *tm, vtun_tstamp now);
static void sa_unindex(struct vtun__ikesa *sa);

struct vtun__ikesa *vtun__ike_sa_new(vtun_ctx *ctx, vtun_tunnel *t,
                                     bool initiator) {
  struct vtun__ike_engine *eng = vtun__ike_eng(ctx);
  struct vtun__ikesa *sa = vtun__zalloc(sizeof(*sa));

  if (sa == NULL)
    return NULL;
  if ((sa->neg = vtun__zalloc(sizeof(*sa->neg))) == NULL) {
    free(sa);
    return NULL;
  }
  sa->ni = sa->neg->ni;
  sa->nr = sa->neg->nr;
  sa->ctx = ctx;
  vtun__list_init(&sa->tlink);
  vtun__ike_sa_set_tunnel(sa, t);
  sa->initiator = initiator;
  sa->born = vtun__ike_now(ctx);
  sa->last_rx = sa->born;
  vtun__timer_init(&sa->t_retx, sa_timer_cb, sa);
  vtun__timer_init(&sa->t_dpd, sa_timer_cb, sa);
  vtun__timer_init(&sa->t_rekey_child, sa_timer_cb, sa);
  vtun__timer_init(&sa->t_rekey_ike, sa_timer_cb, sa);
  vtun__timer_init(&sa->t_expire, sa_timer_cb, sa);
  vtun__timer_init(&sa->t_halfopen, sa_timer_cb, sa);
  vtun__list_append(&eng->sas, &sa->link);
  return sa;
}

void vtun__ike_sa_arm(struct vtun__ikesa *sa, struct vtun__timer *tm,
                      vtun_tstamp delay) {
  /* A heap that cannot grow leaves the timer unarmed; the SA then relies
   * on the peer or on the next event, which is all that can be done. */
  (void)vtun__timer_arm(&sa->ctx->timers, tm, vtun__ike_now(sa->ctx) + delay);
}

static void sa_timers_cancel(struct vtun__ikesa *sa) {
  struct vtun__timers *ts = &sa->ctx->timers;

  vtun__timer_cancel(ts, &sa->t_retx);
  vtun__timer_cancel(ts, &sa->t_dpd);
  vtun__timer_cancel(ts, &sa->t_rekey_child);
  vtun__timer_cancel(ts, &sa->t_rekey_ike);
  vtun__timer_cancel(ts, &sa->t_expire);
  vtun__timer_cancel(ts, &sa->t_halfopen);
}

void vtun__ike_sa_reasm_free(struct vtun__ikesa *sa) {
  struct vtun__ike_reasm *r = sa->reasm;

  if (r == NULL)
    return;
  for (unsigned i = 0; i < IKE_MAX_FRAGS; i++)
    free(r->parts[i]);
  free(r);
  sa->reasm = NULL;
}

void vtun__ike_sa_neg_free(struct vtun__ikesa *sa) {
  if (sa->ctx->crypto != NULL)
    sa->ctx->crypto->dh_free(sa->dh);
  sa->dh = NULL;
  vtun__free_secret(sa->neg, sizeof(*sa->neg));
  sa->neg = NULL;
  sa->ni = sa->nr = NULL;
  sa->ni_len = sa->nr_len = 0;
  free(sa->init_req), sa->init_req = NULL;
  free(sa->init_resp), sa->init_resp = NULL;
  sa->init_req_len = sa->init_resp_len = 0;
}

void vtun__ike_sa_free(struct vtun__ikesa *sa) {
  vtun_ctx *ctx = sa->ctx;

  if (sa->counted_half_open)
    vtun__ike_eng(ctx)->half_open--;
  sa_timers_cancel(sa);
  vtun__ike_cfg_release(sa);
  if (sa->tunnel != NULL && vtun__ike_tun(sa->tunnel) != NULL &&
      vtun__ike_tun(sa->tunnel)->sa == sa)
    vtun__ike_tun(sa->tunnel)->sa = NULL;
  sa_unindex(sa);
  vtun__list_remove(&sa->link);
  vtun__list_remove(&sa->tlink);
  vtun__ike_keys_free(&sa->k);
  vtun__ike_sa_neg_free(sa);
  if (ctx->crypto != NULL)
    ctx->crypto->dh_free(sa->rk_dh);
  vtun__ike_flight_clear(&sa->req);
  vtun__ike_flight_clear(&sa->resp);
  vtun__ike_sa_reasm_free(sa);
  vtun__wipe(sa, sizeof(*sa));
  free(sa);
}

/* ------------------------------------------------ SAs by initiator SPI */

static size_t sa_bucket(const struct vtun__ike_engine *eng, uint64_t spi) {
  return (size_t)((spi * 0x9e3779b97f4a7c15ull) >> (64 - eng->hbits));
}

static void sa_unindex(struct vtun__ikesa *sa) {
  struct vtun__ike_engine *eng = vtun__ike_eng(sa->ctx);
  struct vtun__ikesa **pp;

  if (!sa->hashed)
    return;
  for (pp = &eng->buckets[sa_bucket(eng, sa->hkey)]; *pp != NULL;
       pp = &(*pp)->hnext)
    if (*pp == sa) {
      *pp = sa->hnext;
      break;
    }
  sa->hashed = false;
  eng->hcount--;
}

static void sa_link(struct vtun__ike_engine *eng, struct vtun__ikesa *sa) {
  size_t b = sa_bucket(eng, sa->ispi);

  sa->hkey = sa->ispi;
  sa->hnext = eng->buckets[b];
  eng->buckets[b] = sa;
  sa->hashed = true;
  eng->hcount++;
}

/* Doubles the buckets (from 16) and files every hashed SA again. */
static int sa_grow(struct vtun__ike_engine *eng) {
  unsigned bits = eng->hbits ? eng->hbits + 1 : 4;
  struct vtun__ikesa **nb = calloc((size_t)1 << bits, sizeof(*nb));

  if (nb == NULL)
    return VTUN_ENOMEM;
  free(eng->buckets);
  eng->buckets = nb;
  eng->hbits = bits;
  eng->hcount = 0;
  vtun__list_each (s, &eng->sas, struct vtun__ikesa) {
    if (s->hashed)
      sa_link(eng, s);
  }
  return 0;
}

void vtun__ike_sa_index(struct vtun__ikesa *sa) {
  struct vtun__ike_engine *eng = vtun__ike_eng(sa->ctx);

  sa_unindex(sa);
  if (eng->buckets == NULL || eng->hcount + 1 > ((size_t)2 << eng->hbits)) {
    sa->hashed = true; /* sa_grow files it with the others */
    if (sa_grow(eng) != 0)
      sa->hashed = false;
    return;
  }
  sa_link(eng, sa);
}

/* The chain that holds the SAs of initiator SPI @p ispi, if any. */
static struct vtun__ikesa *sa_chain(vtun_ctx *ctx, uint64_t ispi) {
  struct vtun__ike_engine *eng = vtun__ike_eng(ctx);

  return eng->buckets != NULL ? eng->buckets[sa_bucket(eng, ispi)] : NULL;
}

struct vtun__ikesa *vtun__ike_sa_find(vtun_ctx *ctx, uint64_t ispi,
                                      uint64_t rspi, bool init_resp) {
  for (struct vtun__ikesa *sa = sa_chain(ctx, ispi); sa; sa = sa->hnext) {
    if (sa->ispi != ispi || sa->state == IKE_S_DEAD)
      continue;
    if (sa->rspi == rspi || (init_resp && sa->rspi == 0 && sa->initiator))
      return sa;
  }
  return NULL;
}

struct vtun__ikesa *vtun__ike_sa_find_half(vtun_ctx *ctx, uint64_t ispi,
                                           const vtun_endpoint *remote) {
  for (struct vtun__ikesa *sa = sa_chain(ctx, ispi); sa; sa = sa->hnext) {
    if (!sa->initiator && sa->ispi == ispi &&
        vtun__ep_eq(&sa->remote, remote) && sa->state != IKE_S_DEAD)
      return sa;
  }
  return NULL;
}

void vtun__ike_sa_set_tunnel(struct vtun__ikesa *sa, vtun_tunnel *t) {
  struct vtun__ike_tun *tt = t != NULL ? vtun__ike_tun_get(t) : NULL;

  vtun__list_remove(&sa->tlink);
  sa->tunnel = t;
  if (tt != NULL)
    vtun__list_append(&tt->sas, &sa->tlink);
}

void vtun__ike_sa_attach(struct vtun__ikesa *sa, vtun_tunnel *t) {
  struct vtun__ike_tun *tt = vtun__ike_tun_get(t);

  vtun__ike_sa_set_tunnel(sa, t);
  if (tt != NULL && tt->sa == NULL)
    tt->sa = sa;
}

/* The tunnel's state follows the SA that carries it. */
static void sa_tunnel_state(struct vtun__ikesa *sa, int state, int error) {
  vtun_tunnel *t = sa->tunnel;
  struct vtun__ike_tun *tt = t != NULL ? vtun__ike_tun(t) : NULL;

  if (tt == NULL || (tt->sa != sa && tt->sa != NULL))
    return;
  if (state == IKE_S_ESTABLISHED)
    vtun__tunnel_set_state(t, VTUN_STATE_UP, 0);
  else if (state == IKE_S_DEAD || state == IKE_S_DELETING)
    vtun__tunnel_set_state(
        t, t->enabled ? VTUN_STATE_IDLE : VTUN_STATE_ADMIN_DOWN, error);
  else if (state != IKE_S_REKEYED)
    vtun__tunnel_set_state(t, VTUN_STATE_NEGOTIATING, 0);
}

void vtun__ike_sa_set_state(struct vtun__ikesa *sa, int state, int error) {
  struct vtun__ike_engine *eng = vtun__ike_eng(sa->ctx);
  vtun_event ev = {.tunnel = sa->tunnel};

  if (sa->state == state)
    return;
  VTUN_LOG(&sa->ctx->log, VTUN_LOG_INFO, VTUN_TOPIC_IKE,
           "%s: IKE SA %016" PRIx64 "/%016" PRIx64 " %s -> %s%s%s",
           vtun__ike_sa_name(sa), sa->ispi, sa->rspi, sa_state_names[sa->state],
           sa_state_names[state], error ? ": " : "",
           error ? vtun_strerror(error) : "");
  if (state == IKE_S_ESTABLISHED && sa->state < IKE_S_ESTABLISHED) {
    eng->sa_up++;
    ev.type = VTUN_EVENT_IKE_SA_UP;
    vtun__event(sa->ctx, &ev);
  }
  if (state == IKE_S_DEAD && sa->state >= IKE_S_ESTABLISHED) {
    eng->sa_deleted++;
    ev.type = VTUN_EVENT_IKE_SA_DOWN;
    ev.error = error;
    vtun__event(sa->ctx, &ev);
  } else if (state == IKE_S_DEAD) {
    eng->sa_failed++;
  }
  if (sa->counted_half_open && state >= IKE_S_ESTABLISHED) {
    sa->counted_half_open = false;
    eng->half_open--;
  }
  sa->state = state;
  sa_tunnel_state(sa, state, error);
}

/* Timer dispatch: each timer of an SA has one job. */

static void sa_timer_cb(void *arg, struct vtun__timer *tm, vtun_tstamp now) {
  struct vtun__ikesa *sa = arg;

  (void)now;
  if (tm == &sa->t_retx)
    vtun__ike_on_retx(sa);
  else if (tm == &sa->t_dpd)
    vtun__ike_on_dpd(sa);
  else if (tm == &sa->t_rekey_child)
    vtun__ike_on_child_timer(sa);
  else if (tm == &sa->t_rekey_ike)
    (void)vtun__ike_rekey_ike_start(sa);
  else
    vtun__ike_on_expire(sa);
}
