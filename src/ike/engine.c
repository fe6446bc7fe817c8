/* The engine's doors: context set-up, tunnel start and stop, the input
 * dispatcher (header checks, message ID windows, duplicate requests
 * answered from the cache), sending with the non-ESP marker on UDP 4500,
 * retransmission with back-off, liveness checks and SA expiry. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/objects.h"
#include "esp/dp.h"
#include "ike/ike.h"
#include "ike/payload.h"
#include "ike/sa.h"
#include "util/mem.h"

#define IKE_RETX_FIRST (VTUN_SECONDS / 2)
#define IKE_RETX_TRIES 7 /* 0.5 s doubling: about a minute in all */
#define IKE_RESTART_DELAY (5 * VTUN_SECONDS)
#define IKE_PORT 500
#define IKE_NATT_PORT 4500

int vtun__ike_ctx_init(vtun_ctx *ctx) {
  struct vtun__ike_engine *eng = vtun__zalloc(sizeof(*eng));

  if (eng == NULL)
    return VTUN_ENOMEM;
  eng->ctx = ctx;
  eng->frag_size = IKE_FRAG_DEFAULT;
  vtun__list_init(&eng->sas);
  ctx->ike = eng;
  return 0;
}

void vtun__ike_ctx_fini(vtun_ctx *ctx) {
  struct vtun__ike_engine *eng = ctx->ike;

  if (eng == NULL)
    return;
  vtun__list_each_safe (sa, nx, &eng->sas, struct vtun__ikesa)
    vtun__ike_sa_free(sa);
  vtun__list_each (t, &ctx->tunnels, vtun_tunnel) {
    struct vtun__ike_tun *tt = t->ike;

    if (tt != NULL) {
      vtun__timer_cancel(&ctx->timers, &tt->t_restart);
      free(tt);
      t->ike = NULL;
    }
  }
  free(eng->buckets);
  vtun__wipe(eng, sizeof(*eng));
  free(eng);
  ctx->ike = NULL;
}

void vtun__ike_set_fragment_size(vtun_ctx *ctx, size_t size) {
  vtun__ike_eng(ctx)->frag_size = size ? size : IKE_FRAG_DEFAULT;
}

bool vtun__ike_ratelimit(vtun_ctx *ctx) {
  return vtun__ratelimit_ok(&vtun__ike_eng(ctx)->rl, vtun__ike_now(ctx),
                            VTUN_SECONDS, 10) != 0;
}

/* ------------------------------------------------------------ sending */

int vtun__ike_send_raw(vtun_ctx *ctx, vtun_vpn_instance *vrf,
                       const vtun_endpoint *local, const vtun_endpoint *remote,
                       const uint8_t *data, size_t len) {
  uint8_t *buf = vtun__ike_eng(ctx)->scratch;
  size_t off = 0;

  if (ctx->hooks.send_datagram == NULL)
    return 0;

  /* RFC 3948 §2.2: on 4500, IKE goes after four zero bytes. */
  if (local->port == IKE_NATT_PORT && len + 4 <= IKE_MSG_MAX && data != buf) {
    memset(buf, 0, 4);
    memmove(buf + 4, data, len);
    data = buf;
    off = 4;
  }
  return ctx->hooks.send_datagram(ctx->user_data, vrf, VTUN_PROTO_UDP, local,
                                  remote, data, len + off) == 0
             ? 0
             : VTUN_ECALLBACK;
}

int vtun__ike_send_flight(struct vtun__ikesa *sa,
                          const struct vtun__ike_flight *f) {
  size_t off = 0;
  int rc = 0;

  for (unsigned i = 0; i < f->n && rc == 0; i++) {
    rc = vtun__ike_send_raw(sa->ctx, sa->vrf, &sa->local, &sa->remote,
                            f->buf + off, f->lens[i]);
    off += f->lens[i];
  }
  sa->tx_msgs++;
  return rc;
}

static vtun_tstamp retx_delay(const struct vtun__ikesa *sa) {
  const vtun_ike_peer *peer =
      sa->tunnel != NULL ? vtun__tunnel_peer(sa->tunnel) : NULL;

  /* Liveness checks follow the peer's DPD timers; everything else backs
   * off exponentially (RFC 7296 §2.1). */
  if (sa->req_kind == IKE_REQ_DPD && peer != NULL && peer->dpd_retransmit)
    return (vtun_tstamp)peer->dpd_retransmit * VTUN_SECONDS;
  return IKE_RETX_FIRST << (sa->req_tries < 6 ? sa->req_tries : 6);
}

static unsigned retx_max(const struct vtun__ikesa *sa) {
  const vtun_ike_peer *peer =
      sa->tunnel != NULL ? vtun__tunnel_peer(sa->tunnel) : NULL;

  if (sa->req_kind == IKE_REQ_DPD && peer != NULL && peer->dpd_retries)
    return peer->dpd_retries;
  return IKE_RETX_TRIES;
}

int vtun__ike_request_sent(struct vtun__ikesa *sa, int kind) {
  sa->req_kind = kind;
  sa->req_tries = 0;
  vtun__ike_sa_arm(sa, &sa->t_retx, retx_delay(sa));
  return 0;
}

void vtun__ike_request_done(struct vtun__ikesa *sa) {
  vtun__timer_cancel(&sa->ctx->timers, &sa->t_retx);
  vtun__ike_flight_clear(&sa->req);
  sa->req_kind = IKE_REQ_NONE;
  sa->next_req++;
}

void vtun__ike_on_retx(struct vtun__ikesa *sa) {
  if (sa->req_kind == IKE_REQ_NONE)
    return;
  if (sa->req_tries >= retx_max(sa)) {
    VTUN_LOG(&sa->ctx->log, VTUN_LOG_INFO, VTUN_TOPIC_IKE,
             "%s: peer %s did not answer after %u retransmissions",
             vtun__ike_sa_name(sa), "request", sa->req_tries);
    vtun__ike_sa_fail(sa, VTUN_ETIMEOUT);
    return;
  }
  sa->req_tries++;
  sa->retx++;
  (void)vtun__ike_send_flight(sa, &sa->req);
  vtun__ike_sa_arm(sa, &sa->t_retx, retx_delay(sa));
}

/* ------------------------------------------------- tunnel life cycle */

#define IKE_DEMAND_POLL (VTUN_SECONDS / 4)

/* An on-demand tunnel without an SA looks for traffic the data path could
 * not send (vtun__dp_take_sa_wanted) a few times a second. */
static void tun_restart_cb(void *arg, struct vtun__timer *tm, vtun_tstamp now) {
  struct vtun__ike_tun *tt = arg;
  vtun_tunnel *t = tt->t;

  if (t->on_demand && tt->sa == NULL && !vtun__dp_take_sa_wanted(t)) {
    (void)vtun__timer_arm(&t->ctx->timers, tm, now + IKE_DEMAND_POLL);
    return;
  }
  (void)vtun__ike_tunnel_start(t);
}

struct vtun__ike_tun *vtun__ike_tun_get(vtun_tunnel *t) {
  struct vtun__ike_tun *tt = t->ike;

  if (tt == NULL && (tt = vtun__zalloc(sizeof(*tt))) != NULL) {
    tt->t = t;
    vtun__list_init(&tt->sas);
    vtun__timer_init(&tt->t_restart, tun_restart_cb, tt);
    t->ike = tt;
  }
  return tt;
}

/* An SA that fails or dies: the tunnel of an initiator tries again with
 * the next remote address after a pause (REQUIREMENTS section 3). */
void vtun__ike_sa_fail(struct vtun__ikesa *sa, int error) {
  vtun_tunnel *t = sa->tunnel;
  struct vtun__ike_tun *tt = t != NULL ? t->ike : NULL;
  bool carried = tt != NULL && tt->sa == sa;

  vtun__ike_sa_set_state(sa, IKE_S_DEAD, error);
  vtun__ike_sa_free(sa);
  if (!carried || !tt->active || !t->enabled)
    return;
  tt->failures++;
  tt->remote_index++;
  if (!vtun__tunnel_remote(t, tt->remote_index, &(vtun_endpoint){0}))
    tt->remote_index = 0;
  (void)vtun__timer_arm(&t->ctx->timers, &tt->t_restart,
                        vtun__ike_now(t->ctx) + IKE_RESTART_DELAY);
}

/* LIMITATION: a configuration change to a tunnel whose SAs are up (its
 * destination, peer, keys or proposals) takes effect at its next
 * negotiation; the SAs up keep running until a rekey, a failure or a
 * shutdown of the tunnel. */
int vtun__ike_tunnel_start(vtun_tunnel *t) {
  struct vtun__ike_tun *tt = vtun__ike_tun_get(t);
  struct vtun__ikesa *sa;
  int role = 0, rc;

  if (tt == NULL)
    return VTUN_ENOMEM;
  tt->active = true;
  if (tt->sa != NULL || !t->enabled || t->protocol != VTUN_TUNNEL_IPSEC ||
      vtun_tunnel_check(t) != 0)
    return 0;
  rc = vtun_tunnel_get_initiation(t, 0, &role, NULL, 0, NULL, 0);
  if (rc != 0 || role != VTUN_ROLE_INITIATOR) {
    vtun__tunnel_set_state(t, VTUN_STATE_IDLE, 0);
    return 0;
  }
  if ((sa = vtun__ike_sa_new(t->ctx, t, true)) == NULL)
    return VTUN_ENOMEM;
  tt->sa = sa;
  if (!vtun__tunnel_remote(t, tt->remote_index, &sa->remote))
    vtun__tunnel_remote(t, tt->remote_index = 0, &sa->remote);
  vtun__tunnel_local(t, &sa->local);
  sa->vrf = t->vrf;
  sa->local.port = sa->remote.port = IKE_PORT;
  if ((rc = vtun__ike_init_start(sa)) != 0)
    vtun__ike_sa_fail(sa, rc);
  return rc;
}

static void tun_drop_sas(vtun_tunnel *t, bool notify) {
  vtun__list_each_safe (sa, nx, &vtun__ike_eng(t->ctx)->sas,
                        struct vtun__ikesa) {
    if (sa->tunnel != t)
      continue;
    if (notify && sa->state == IKE_S_ESTABLISHED)
      (void)vtun__ike_send_delete(sa, false);
    vtun__ike_sa_set_state(sa, IKE_S_DEAD, 0);
    vtun__ike_sa_free(sa);
  }
}

void vtun__ike_tunnel_stop(vtun_tunnel *t, int notify) {
  struct vtun__ike_tun *tt = t->ike;

  if (t->ctx->ike == NULL)
    return;
  tun_drop_sas(t, notify != 0);
  if (tt != NULL) {
    vtun__timer_cancel(&t->ctx->timers, &tt->t_restart);
    tt->active = false;
    tt->sa = NULL;
    tt->remote_index = 0;
  }
  vtun__dp_remove_sas(t);
}

void vtun__ike_tunnel_free(vtun_tunnel *t) {
  vtun__ike_tunnel_stop(t, 1);
  if (t->ike != NULL) {
    free(t->ike);
    t->ike = NULL;
  }
}

void vtun__ike_on_traffic(vtun_tunnel *t) {
  struct vtun__ike_tun *tt = vtun__ike_tun_get(t);

  if (tt != NULL && tt->sa == NULL && !vtun__timer_armed(&tt->t_restart))
    (void)vtun__timer_arm(&t->ctx->timers, &tt->t_restart,
                          vtun__ike_now(t->ctx) + IKE_DEMAND_POLL);
}

void vtun__ike_start_all(vtun_ctx *ctx) {
  vtun__list_each (t, &ctx->tunnels, vtun_tunnel) {
    if (!t->enabled || t->protocol != VTUN_TUNNEL_IPSEC ||
        vtun_tunnel_check(t) != 0)
      continue;
    if (t->on_demand)
      vtun__ike_on_traffic(t);
    else
      (void)vtun__ike_tunnel_start(t);
  }
}

/* ---------------------------------------------------- liveness, expiry */

void vtun__ike_on_dpd(struct vtun__ikesa *sa) {
  const vtun_ike_peer *peer =
      sa->tunnel != NULL ? vtun__tunnel_peer(sa->tunnel) : NULL;
  vtun_tstamp idle, now = vtun__ike_now(sa->ctx);

  if (peer == NULL || peer->dpd_type == VTUN_DPD_NONE ||
      sa->state != IKE_S_ESTABLISHED)
    return;
  idle = (vtun_tstamp)peer->dpd_idle * VTUN_SECONDS;

  /* LIMITATION: on-demand DPD probes like periodic DPD, after an idle
   * period without any IKE message from the peer, because the engine does
   * not see per-SA ESP counters. */
  if (now - sa->last_rx >= idle && sa->req_kind == IKE_REQ_NONE) {
    (void)vtun__ike_send_dpd(sa);
    vtun__ike_sa_arm(sa, &sa->t_dpd, idle);
    return;
  }
  vtun__ike_sa_arm(sa, &sa->t_dpd,
                   now - sa->last_rx < idle ? idle - (now - sa->last_rx)
                                            : idle);
}

void vtun__ike_on_expire(struct vtun__ikesa *sa) {
  if (sa->state == IKE_S_ESTABLISHED)
    (void)vtun__ike_send_delete(sa, false);
  vtun__ike_sa_fail(sa, sa->state < IKE_S_ESTABLISHED ? VTUN_ETIMEOUT
                                                      : VTUN_ELIFETIME);
}

void vtun__ike_sa_established(struct vtun__ikesa *sa) {
  const vtun_ike_peer *peer = vtun__tunnel_peer(sa->tunnel);
  struct vtun__ike_tun *tt = vtun__ike_tun(sa->tunnel);

  vtun__timer_cancel(&sa->ctx->timers, &sa->t_halfopen);
  if (tt != NULL) {
    tt->failures = 0;
    tt->sa = sa;
  }
  vtun__ike_sa_neg_free(sa);
  vtun__ike_sa_set_state(sa, IKE_S_ESTABLISHED, 0);
  if (peer != NULL && peer->dpd_type != VTUN_DPD_NONE && peer->dpd_idle)
    vtun__ike_sa_arm(sa, &sa->t_dpd,
                     (vtun_tstamp)peer->dpd_idle * VTUN_SECONDS);

  /* The hard end of the IKE SA, should every rekey fail until then. */
  if (sa->lifetime_s)
    vtun__ike_sa_arm(sa, &sa->t_expire,
                     (vtun_tstamp)sa->lifetime_s * VTUN_SECONDS);
  vtun__ike_child_timers(sa);
}

/* -------------------------------------------------------------- input */

static int input_drop(vtun_ctx *ctx, const char *why,
                      const vtun_endpoint *remote) {
  char r[VTUN_ADDRSTRLEN];

  atomic_fetch_add_explicit(&ctx->dp.cnt.ike_dropped, 1, memory_order_relaxed);
  if (vtun__log_on(&ctx->log, VTUN_LOG_DEBUG, VTUN_TOPIC_IKE) &&
      vtun__ike_ratelimit(ctx))
    VTUN_LOG(&ctx->log, VTUN_LOG_DEBUG, VTUN_TOPIC_IKE,
             "IKE message from %s dropped: %s", vtun__ep_str(remote, r), why);
  return VTUN_EMALFORMED;
}

/* A response to our outstanding request. */
static int input_response(struct vtun__ikesa *sa, const struct vtun__ike_msg *m,
                          const struct vtun__ike_chain *c) {
  int kind = sa->req_kind;

  vtun__ike_request_done(sa);
  switch (kind) {
  case IKE_REQ_AUTH:
    return vtun__ike_auth_response(sa, c);
  case IKE_REQ_CHILD_REKEY:
  case IKE_REQ_CHILD_NEW:
  case IKE_REQ_IKE_REKEY:
    return vtun__ike_create_child_response(sa, c);
  default:
    (void)m;
    return vtun__ike_info_response(sa, c);
  }
}

static int input_request(struct vtun__ikesa *sa, const struct vtun__ike_msg *m,
                         const struct vtun__ike_chain *c) {
  switch (m->hdr.exchange) {
  case VTUN__IKE_X_IKE_AUTH:
    return vtun__ike_auth_request(sa, m, c);
  case VTUN__IKE_X_CREATE_CHILD_SA:
    return vtun__ike_create_child_request(sa, &m->hdr, c);
  case VTUN__IKE_X_INFORMATIONAL:
    return vtun__ike_info_request(sa, &m->hdr, c);
  default:
    return VTUN_EMALFORMED;
  }
}

/* RFC 7296 §2.3: one request at a time each way. A retransmitted request
 * gets the cached response again; anything else out of window is
 * dropped. */
static int input_window(struct vtun__ikesa *sa, const struct vtun__ike_msg *m,
                        bool *handled) {
  bool resp = (m->hdr.flags & VTUN__IKE_FLAG_RESPONSE) != 0;

  *handled = true;
  if (resp) {
    if (sa->req_kind == IKE_REQ_NONE || m->hdr.msgid != sa->next_req)
      return VTUN_EMALFORMED;
    *handled = false;
    return 0;
  }
  if (m->hdr.msgid + 1 == sa->peer_next && sa->resp_valid &&
      sa->resp_msgid == m->hdr.msgid) {
    /* Resend the cached answer once per complete request: for a
     * fragmented request only its first fragment triggers it. */
    if (m->sk.type != VTUN__IKE_PL_SKF || m->sk.frag_num == 1)
      (void)vtun__ike_send_flight(sa, &sa->resp);
    return 0;
  }
  if (m->hdr.msgid != sa->peer_next)
    return VTUN_EMALFORMED;
  *handled = false;
  return 0;
}

/* RFC 7296 §2.23: an authenticated message on port 4500 moves the SA
 * there, and behind a NAT the peer's address and port are taken from the
 * latest such message. */
/* LIMITATION: when a NAT changes the peer's address or port after the
 * Child SA is installed, IKE follows but the ESP SAs keep the old outer
 * address until the next Child SA rekey. */
static void input_follow(struct vtun__ikesa *sa, const vtun_endpoint *local,
                         const vtun_endpoint *remote) {
  if (local->port != IKE_NATT_PORT)
    return;
  if (sa->local.port == IKE_NATT_PORT &&
      (!sa->nat_remote || vtun__ep_eq(&sa->remote, remote)))
    return;
  sa->local = *local;
  sa->remote = *remote;
  sa->natt = true;
}

static int input_sa(struct vtun__ikesa *sa, const struct vtun__ike_msg *m,
                    const vtun_endpoint *local, const vtun_endpoint *remote) {
  struct vtun__ike_chain *c = malloc(sizeof(*c));
  bool handled, resp = (m->hdr.flags & VTUN__IKE_FLAG_RESPONSE) != 0;
  int rc;

  if (c == NULL)
    return VTUN_ENOMEM;
  if ((rc = input_window(sa, m, &handled)) != 0 || handled)
    goto out;
  rc = vtun__ike_open_sk(sa, m, c);
  if (rc == 2 && !resp) {
    /* RFC 7296 §2.21.1, §2.5: an authentic request we cannot parse is
     * answered, so that the peer does not retransmit it forever. */
    sa->peer_next++;
    rc = vtun__ike_send_error(sa, m->hdr.exchange, m->hdr.msgid,
                              c->fail.notify ? c->fail.notify
                                             : VTUN__IKE_N_INVALID_SYNTAX);
    rc = rc == 0 ? VTUN_EMALFORMED : rc;
    goto out;
  }
  if (rc != 0)
    goto out; /* 1: a fragment was kept */
  sa->last_rx = vtun__ike_now(sa->ctx);
  sa->rx_msgs++;
  input_follow(sa, local, remote);
  if (resp) {
    rc = input_response(sa, m, c);
  } else {
    sa->peer_next++;
    rc = input_request(sa, m, c);
  }
out:
  free(c);
  return rc < 0 ? rc : 0;
}

int vtun__ike_input(vtun_ctx *ctx, vtun_vpn_instance *vrf,
                    const vtun_endpoint *local, const vtun_endpoint *remote,
                    uint8_t *buf, size_t len) {
  struct vtun__ike_msg *m;
  struct vtun__ikesa *sa;
  bool resp;
  int rc;

  /* The data path removed the non-ESP marker of UDP 4500 already. */
  if (ctx->ike == NULL)
    return input_drop(ctx, "no engine", remote);
  if ((m = malloc(sizeof(*m))) == NULL)
    return VTUN_ENOMEM;
  if (vtun__ike_msg_parse(buf, len, m) != 0) {
    rc = input_drop(ctx, m->chain.fail.why ? m->chain.fail.why : "parse",
                    remote);
    goto out;
  }
  resp = (m->hdr.flags & VTUN__IKE_FLAG_RESPONSE) != 0;
  if (m->hdr.exchange == VTUN__IKE_X_IKE_SA_INIT && !resp) {
    rc = vtun__ike_init_request(ctx, vrf, local, remote, m);
    if (rc < 0 && rc != VTUN_ENOMEM)
      input_drop(ctx, vtun_strerror(rc), remote);
    goto out;
  }
  sa = vtun__ike_sa_find(ctx, m->hdr.ispi, m->hdr.rspi,
                         m->hdr.exchange == VTUN__IKE_X_IKE_SA_INIT);
  if (sa == NULL) {
    rc = input_drop(ctx, "no IKE SA for the SPIs", remote);
    goto out;
  }
  if (m->hdr.exchange == VTUN__IKE_X_IKE_SA_INIT)
    rc = sa->state == IKE_S_INIT_SENT && m->hdr.msgid == 0
             ? vtun__ike_init_response(sa, m)
             : VTUN_EMALFORMED;
  else
    rc = input_sa(sa, m, local, remote);
  if (rc != 0 && rc != VTUN_ENOMEM)
    input_drop(ctx, vtun_strerror(rc), remote);
out:
  free(m);
  return rc;
}
