/* A tunnel's data path state on the config thread: the snapshot of its
 * configuration, its SAs in the SPI table, its timer. Everything here
 * runs on the config thread; what it replaces is retired through the
 * context's read-copy scheme (esp/rcu.h). */
#include <stdlib.h>
#include <string.h>

#include "core/objects.h"
#include "esp/dp.h"
#include "esp/esp.h"
#include "esp/sadb.h"
#include "ike/ike.h"
#include "util/mem.h"

#define NAT_KEEPALIVE_PERIOD (20 * VTUN_SECONDS) /* RFC 3948 §4 */

vtun_tstamp vtun__dp_now(vtun_ctx *ctx) {
  if (ctx->hooks.now != NULL)
    return ctx->hooks.now(ctx->user_data);
  return ctx->now;
}

/* ------------------------------------------------------------- context */

int vtun__dp_ctx_init(vtun_ctx *ctx) {
  uint64_t seed = 0;

  vtun__rcu_init(&ctx->dp.rcu);
  /* Without a generator the table still works, with a guessable layout:
   * that only lets a flood of bad SPIs probe a little longer. */
  if (vtun__random(ctx, (uint8_t *)&seed, sizeof(seed)) != 0)
    seed = (uint64_t)(uintptr_t)ctx * 0x9e3779b97f4a7c15ull;
  return vtun__sadb_new(seed, &ctx->dp.sadb);
}

void vtun__dp_ctx_fini(vtun_ctx *ctx) {
  vtun__rcu_fini(&ctx->dp.rcu);
  vtun__sadb_free(ctx->dp.sadb);
  ctx->dp.sadb = NULL;
}

/* ------------------------------------------------------------ snapshot */

static void tun_conf_fill(vtun_tunnel *t, struct vtun__dp_conf *c) {
  memset(c, 0, sizeof(*c));
  c->tunnel = t;
  c->protocol = t->protocol;
  c->enabled = t->enabled;
  c->vrf = t->vrf;
  if (!vtun__tunnel_local(t, &c->local))
    memset(&c->local, 0, sizeof(c->local));
  if (!vtun__tunnel_remote(t, 0, &c->remote))
    memset(&c->remote, 0, sizeof(c->remote));
  c->local.port = c->remote.port = 0;

  /* Once SAs were installed on a GRE tunnel, its traffic never falls
   * back to plain GRE, even when they expire. */
  c->protect = t->profile != NULL || t->dp.esp_installed;
  c->gre_key_present = t->gre_key_present;
  c->gre_key = t->gre_key;
  c->gre_seq = t->gre_seq;
  c->ka_period = t->keepalive_period;
  c->ka_retries = t->keepalive_retries;
  c->mtu = t->mtu;
}

static bool tun_conf_same(const struct vtun__dp_conf *a,
                          const struct vtun__dp_conf *b) {
  size_t from = offsetof(struct vtun__dp_conf, tunnel);

  return memcmp((const char *)a + from, (const char *)b + from,
                sizeof(*a) - from) == 0;
}

static void tun_conf_free(struct vtun__rcu_head *h) {
  free(vtun__container_of(h, struct vtun__dp_conf, rcu));
}

/* Rebuilds the GRE table from every GRE tunnel but @p skip. */
static int tun_gre_rebuild(vtun_ctx *ctx, const vtun_tunnel *skip) {
  struct vtun__dp_conf **confs;
  size_t n = 0;
  int rc;

  vtun__list_each (t, &ctx->tunnels, vtun_tunnel)
    n++;
  confs = malloc((n + 1) * sizeof(*confs));
  if (confs == NULL)
    return VTUN_ENOMEM;
  n = 0;
  vtun__list_each (t, &ctx->tunnels, vtun_tunnel) {
    struct vtun__dp_conf *c = atomic_load(&t->dp.conf);

    if (t != skip && c != NULL && c->protocol == VTUN_TUNNEL_GRE &&
        c->remote.family != VTUN_AF_NONE)
      confs[n++] = c;
  }
  rc = vtun__sadb_gre_set(ctx->dp.sadb, &ctx->dp.rcu, confs, n);
  free(confs);
  return rc;
}

static void tun_kick(vtun_tunnel *t) {
  vtun__timer_arm(&t->ctx->timers, &t->dp.timer, vtun__dp_now(t->ctx));
}

/* Only GRE tunnels send packets of their own (keepalives and their
 * answers) through their outbound SA: those get its control objects
 * before a snapshot saying GRE can reach the data path. Without memory
 * now, the next update (each timer run) tries again; until then such
 * packets are refused with VTUN_ENOSA. */
static int tun_ctl_ready(vtun_tunnel *t, struct vtun__esp_sa *out) {
  if (out == NULL || t->protocol != VTUN_TUNNEL_GRE)
    return 0;
  return vtun__esp_sa_ctl_ready(out);
}

int vtun__dp_tunnel_update(vtun_tunnel *t) {
  struct vtun__dp_conf *cur = atomic_load(&t->dp.conf);
  struct vtun__dp_conf tmp, *c;
  bool gre;

  (void)tun_ctl_ready(t, atomic_load(&t->dp.out_sa));
  tun_conf_fill(t, &tmp);
  if (cur != NULL && tun_conf_same(cur, &tmp))
    return 0;
  if ((c = malloc(sizeof(*c))) == NULL)
    return VTUN_ENOMEM;
  *c = tmp;

  /* The GRE table must stop pointing at the old snapshot before it is
   * retired. */
  atomic_store_explicit(&t->dp.conf, c, memory_order_release);
  atomic_store_explicit(&t->dp.hot, vtun__dp_hot_of(c), memory_order_release);
  gre = c->protocol == VTUN_TUNNEL_GRE ||
        (cur != NULL && cur->protocol == VTUN_TUNNEL_GRE);
  if (gre && tun_gre_rebuild(t->ctx, NULL) != 0) {
    atomic_store_explicit(&t->dp.conf, cur, memory_order_release);
    atomic_store_explicit(&t->dp.hot, vtun__dp_hot_of(cur),
                          memory_order_release);
    free(c);
    return VTUN_ENOMEM;
  }
  if (cur != NULL)
    vtun__rcu_retire(&t->ctx->dp.rcu, &cur->rcu, tun_conf_free);
  tun_kick(t);
  return 0;
}

/* ------------------------------------------------------------- tunnels */

static void tun_timer(void *arg, struct vtun__timer *tm, vtun_tstamp now);

void vtun__dp_tunnel_init(vtun_tunnel *t) {
  struct vtun__tunnel_dp *d = &t->dp;

  memset(d, 0, sizeof(*d));
  atomic_init(&d->conf, NULL);
  atomic_init(&d->out_sa, NULL);
  atomic_init(&d->out_crypt, NULL);
  atomic_init(&d->hot, 0);
  vtun__timer_init(&d->timer, tun_timer, t);

  /* Best effort: without memory now, the first timer run retries. */
  vtun__dp_tunnel_update(t);
  tun_kick(t);
}

void vtun__dp_tunnel_fini(vtun_tunnel *t) {
  vtun_ctx *ctx = t->ctx;
  struct vtun__dp_conf *c = atomic_load(&t->dp.conf);

  vtun__timer_cancel(&ctx->timers, &t->dp.timer);
  vtun__dp_remove_sas(t);
  t->dp.esp_installed = false;
  atomic_store(&t->dp.conf, NULL);
  atomic_store(&t->dp.hot, 0);
  if (c != NULL) {
    /* Without memory for a new GRE table, an empty one (which needs
     * none) takes its place until the next update. */
    if (c->protocol == VTUN_TUNNEL_GRE && tun_gre_rebuild(ctx, t) != 0)
      vtun__sadb_gre_set(ctx->dp.sadb, &ctx->dp.rcu, NULL, 0);
    vtun__rcu_retire(&ctx->dp.rcu, &c->rcu, tun_conf_free);
  }

  /* The core frees the tunnel next: no data path call may still be
   * using it. */
  vtun__rcu_synchronize(&ctx->dp.rcu);
}

/* ----------------------------------------------------------------- SAs */

static void tun_sa_drop(vtun_tunnel *t, struct vtun__esp_sa **slot) {
  vtun_ctx *ctx = t->ctx;

  if (*slot == NULL)
    return;
  vtun__sadb_remove(ctx->dp.sadb, *slot);
  vtun__esp_sa_retire(&ctx->dp.rcu, *slot);
  *slot = NULL;
}

void vtun__dp_remove_sas(vtun_tunnel *t) {
  struct vtun__esp_sa *out = atomic_exchange(&t->dp.out_sa, NULL);

  atomic_store_explicit(&t->dp.out_crypt, NULL, memory_order_relaxed);

  tun_sa_drop(t, &t->dp.old_in_sa);
  tun_sa_drop(t, &t->dp.in_sa);
  vtun__esp_sa_retire(&t->ctx->dp.rcu, out);
}

/* Makes room for @p in: the oldest inbound SA leaves first when it holds
 * the same SPI, and comes back if the insertion fails. */
static int tun_insert_in(vtun_tunnel *t, struct vtun__esp_sa *in) {
  struct vtun__sadb *db = t->ctx->dp.sadb;
  struct vtun__esp_sa *old = t->dp.old_in_sa;
  bool same = old != NULL && old->spi == in->spi;
  int rc;

  if (same)
    vtun__sadb_remove(db, old);
  rc = vtun__sadb_insert(db, &t->ctx->dp.rcu, in);
  if (rc != 0 && same)
    vtun__sadb_insert(db, &t->ctx->dp.rcu, old);
  return rc;
}

int vtun__dp_install_sa(vtun_tunnel *t, struct vtun__esp_sa *in,
                        struct vtun__esp_sa *out) {
  struct vtun__esp_sa *prev_out;
  int rc = tun_insert_in(t, in);

  if (rc != 0) {
    vtun__esp_sa_free(in);
    vtun__esp_sa_free(out);
    return rc;
  }

  /* Make-before-break: the previous inbound SA stays findable for
   * packets in flight until the next swap. */
  tun_sa_drop(t, &t->dp.old_in_sa);
  t->dp.old_in_sa = t->dp.in_sa;
  t->dp.in_sa = in;
  (void)tun_ctl_ready(t, out);
  atomic_store_explicit(&t->dp.out_crypt, out->xf.crypt, memory_order_relaxed);
  prev_out = atomic_exchange(&t->dp.out_sa, out);
  vtun__esp_sa_retire(&t->ctx->dp.rcu, prev_out);
  t->dp.esp_installed = true;
  t->dp.nat_ka_next = 0;
  vtun__dp_tunnel_update(t);
  tun_kick(t);
  return 0;
}

bool vtun__dp_take_sa_wanted(vtun_tunnel *t) {
  return atomic_exchange(&t->dp.sa_wanted, false);
}

/* -------------------------------------------------------------- timers */

static void tun_sa_event(vtun_tunnel *t, int type, uint32_t spi_in,
                         uint32_t spi_out, int error) {
  vtun_event ev = {.type = (uint32_t)type,
                   .tunnel = t,
                   .error = error,
                   .spi_in = spi_in,
                   .spi_out = spi_out};

  vtun__event(t->ctx, &ev);
}

static vtun_tstamp tun_min(vtun_tstamp a, vtun_tstamp b) {
  return a < b ? a : b;
}

static int tun_life(struct vtun__esp_sa *sa, vtun_tstamp now) {
  if (sa == NULL)
    return VTUN__SA_LIVE;
  vtun__esp_sa_rebase(sa, now);
  return vtun__esp_sa_expired(sa, now);
}

static void tun_soft(vtun_tunnel *t, struct vtun__esp_sa *sa, bool in) {
  if (vtun__esp_sa_soft_once(sa))
    tun_sa_event(t, VTUN_EVENT_SA_SOFT_EXPIRED, in ? sa->spi : 0,
                 in ? 0 : sa->spi, 0);
}

/* SA lifetimes (RFC 4301 §4.4.2.1): soft tells the host once, hard
 * removes the pair; an old inbound SA past its limit just goes. */
static vtun_tstamp tun_tick_sas(vtun_tunnel *t, vtun_tstamp now) {
  struct vtun__esp_sa *out = atomic_load(&t->dp.out_sa);
  struct vtun__esp_sa *in = t->dp.in_sa;
  int lo = tun_life(out, now), li = tun_life(in, now);

  if (tun_life(t->dp.old_in_sa, now) == VTUN__SA_HARD)
    tun_sa_drop(t, &t->dp.old_in_sa);
  if (lo == VTUN__SA_HARD || li == VTUN__SA_HARD) {
    uint32_t spi_in = in != NULL ? in->spi : 0;
    uint32_t spi_out = out != NULL ? out->spi : 0;

    vtun__dp_remove_sas(t);
    tun_sa_event(t, VTUN_EVENT_SA_HARD_EXPIRED, spi_in, spi_out,
                 VTUN_ELIFETIME);
    vtun__tunnel_set_state(t, VTUN_STATE_DOWN, VTUN_ELIFETIME);
    vtun__ike_child_expired(t);
    return VTUN_TSTAMP_MAX;
  }
  if (li == VTUN__SA_SOFT)
    tun_soft(t, in, true);
  if (lo == VTUN__SA_SOFT)
    tun_soft(t, out, false);
  return tun_min(in != NULL ? vtun__esp_sa_deadline(in) : VTUN_TSTAMP_MAX,
                 out != NULL ? vtun__esp_sa_deadline(out) : VTUN_TSTAMP_MAX);
}

int vtun__esp_send_keepalive(vtun_tunnel *t) {
  static const uint8_t ka = 0xff;
  struct vtun__esp_sa *sa = atomic_load(&t->dp.out_sa);

  if (sa == NULL || (sa->flags & VTUN_SA_UDP_ENCAP) == 0)
    return VTUN_ENOSA;
  return vtun__dp_emit(t->ctx, sa->vrf, VTUN_PROTO_UDP, &sa->local, &sa->remote,
                       &ka, 1);
}

static vtun_tstamp tun_tick_nat(vtun_tunnel *t, vtun_tstamp now, int *rc) {
  struct vtun__esp_sa *sa = atomic_load(&t->dp.out_sa);

  if (sa == NULL || (sa->flags & VTUN_SA_UDP_ENCAP) == 0)
    return VTUN_TSTAMP_MAX;
  if (now >= t->dp.nat_ka_next) {
    *rc = vtun__esp_send_keepalive(t);
    t->dp.nat_ka_next = now + NAT_KEEPALIVE_PERIOD;
  }
  return t->dp.nat_ka_next;
}

int vtun__dp_tunnel_tick(vtun_tunnel *t, vtun_tstamp now, vtun_tstamp *next) {
  vtun_tstamp when, ka;
  int rc = 0, krc;

  vtun__dp_tunnel_update(t);
  when = tun_tick_sas(t, now);
  when = tun_min(when, tun_tick_nat(t, now, &rc));
  krc = vtun__gre_keepalive_tick(t, now, &ka);
  vtun__rcu_poll(&t->ctx->dp.rcu);
  *next = tun_min(when, ka);
  return krc != 0 ? krc : rc;
}

/* Keepalives move the tunnel down and, once the peer answers, up. */
static void tun_keepalive_state(vtun_tunnel *t, int rc) {
  if (rc == VTUN_ETIMEOUT && !t->dp.ka_down) {
    t->dp.ka_down = true;
    vtun__tunnel_set_state(t, VTUN_STATE_DOWN, VTUN_ETIMEOUT);
  } else if (t->dp.ka_down && vtun__gre_keepalive_alive(t)) {
    t->dp.ka_down = false;
    vtun__tunnel_set_state(t, VTUN_STATE_UP, 0);
  }
}

static void tun_timer(void *arg, struct vtun__timer *tm, vtun_tstamp now) {
  vtun_tunnel *t = arg;
  vtun_tstamp next;
  int rc = vtun__dp_tunnel_tick(t, now, &next);

  tun_keepalive_state(t, rc);
  if (next != VTUN_TSTAMP_MAX)
    vtun__timer_arm(&t->ctx->timers, tm, next);
}
