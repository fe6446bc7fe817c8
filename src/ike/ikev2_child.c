/* Child SAs: the ESP proposal from the profile's IPsec proposal, any to
 * any traffic selectors, KEYMAT and installation in the data path
 * (RFC 7296 §2.17), and CREATE_CHILD_SA for the rekey of Child SAs
 * (§1.3.3) and of the IKE SA (§1.3.2, §2.18), make-before-break, with PFS
 * when the profile asks for it. Rekey collisions are answered with
 * TEMPORARY_FAILURE and retried after a random pause (§2.25). */
#include <stdlib.h>
#include <string.h>

#include "core/objects.h"
#include "esp/dp.h"
#include "esp/sa.h"
#include "ike/payload.h"
#include "ike/payload_sa.h"
#include "ike/payload_ts.h"
#include "ike/sa.h"
#include "util/alg.h"
#include "util/bytes.h"
#include "util/mem.h"

#define IKE_NATT_PORT 4500

uint32_t vtun__ike_child_spi(vtun_ctx *ctx) {
  uint32_t spi = 0;

  /* SPIs 0-255 are reserved (RFC 4303 §2.1). */
  while (spi < 256 && vtun__random(ctx, (uint8_t *)&spi, sizeof(spi)) == 0)
    ;
  return spi;
}

static int child_pfs(const struct vtun__ikesa *sa) {
  return sa->tunnel != NULL && sa->tunnel->profile != NULL
             ? sa->tunnel->profile->pfs
             : 0;
}

static bool child_esn(const struct vtun__ikesa *sa) {
  return sa->tunnel != NULL && sa->tunnel->profile != NULL &&
         sa->tunnel->profile->esn;
}

/* The ESP proposal: the tunnel's IPsec proposal, ESN as the profile says,
 * and the PFS group when @p dh is not 0. */
static int child_put_prop(struct vtun__ikesa *sa, struct vtun__ike_writer *w,
                          uint32_t spi, int encr, int integ, bool esn, int dh,
                          uint8_t num) {
  const struct vtun__encr_info *e = vtun__encr_info(encr);
  struct vtun__ike_xform xf[4];
  uint8_t spib[4];
  unsigned n = 0;

  (void)sa;
  if (e == NULL)
    return VTUN_EINVAL;
  vtun__put32(spib, spi);
  xf[n++] = (struct vtun__ike_xform){VTUN__IKE_XF_ENCR, (uint16_t)e->iana,
                                     (uint16_t)e->iana_bits, false};
  if (!e->aead && vtun__integ_info(integ) != NULL)
    xf[n++] = (struct vtun__ike_xform){
        VTUN__IKE_XF_INTEG, (uint16_t)vtun__integ_info(integ)->iana, 0, false};
  if (dh != 0)
    xf[n++] = (struct vtun__ike_xform){VTUN__IKE_XF_DH, (uint16_t)dh, 0, false};
  xf[n++] = (struct vtun__ike_xform){VTUN__IKE_XF_ESN, esn ? 1 : 0, 0, false};
  return vtun__ike_put_sa(
      w,
      &(struct vtun__ike_prop_spec){num, VTUN__IKE_PROTO_ESP, 4, spib, xf, n},
      1);
}

int vtun__ike_child_put_sa(struct vtun__ikesa *sa, struct vtun__ike_writer *w,
                           uint32_t spi) {
  const vtun_ipsec_proposal *p = vtun__tunnel_proposal(sa->tunnel);

  /* A responder answers with what it chose; an initiator offers its
   * configured proposal. */
  if (sa->child.encr != 0)
    return child_put_prop(sa, w, spi, sa->child.encr, sa->child.integ,
                          sa->child.esn, 0, 1);
  if (p == NULL)
    return VTUN_ESTATE;
  return child_put_prop(sa, w, spi, p->encr, p->integ, child_esn(sa), 0, 1);
}

int vtun__ike_child_put_ts(struct vtun__ike_writer *w) {
  struct vtun__ike_ts ts[2] = {
      {.type = VTUN__IKE_TS_IPV4_ADDR_RANGE, .end_port = 0xffff},
      {.type = VTUN__IKE_TS_IPV6_ADDR_RANGE, .end_port = 0xffff},
  };

  memset(ts[0].end, 0xff, 4);
  memset(ts[1].end, 0xff, 16);
  vtun__ike_put_ts(w, VTUN__IKE_PL_TSI, ts, 2);
  return vtun__ike_put_ts(w, VTUN__IKE_PL_TSR, ts, 2);
}

/* Whether ESP proposal @p p carries our algorithms, ESN choice and (when
 * @p dh) PFS group. */
static bool child_prop_ok(const struct vtun__ike_prop *p, int encr, int integ,
                          bool esn, int dh) {
  const struct vtun__encr_info *e = vtun__encr_info(encr);
  const struct vtun__integ_info *ii = vtun__integ_info(integ);
  bool enc_ok = false, int_ok = e->aead, esn_ok = !esn, dh_ok = dh == 0;
  bool esn_seen = false;
  struct vtun__ike_xform x;

  for (size_t pos = 0; vtun__ike_prop_next(p, &pos, &x);) {
    if (x.unknown_attr)
      return false;
    if (x.type == VTUN__IKE_XF_ENCR && x.id == e->iana &&
        x.keylen == e->iana_bits)
      enc_ok = true;
    if (x.type == VTUN__IKE_XF_INTEG && !e->aead && ii != NULL &&
        x.id == ii->iana)
      int_ok = true;
    if (x.type == VTUN__IKE_XF_ESN) {
      esn_seen = true;
      if (x.id == (esn ? 1 : 0))
        esn_ok = true;
    }
    if (x.type == VTUN__IKE_XF_DH && x.id == dh)
      dh_ok = true;
  }
  if (!esn && esn_seen && !esn_ok)
    return false;
  return enc_ok && int_ok && (esn_ok || (!esn && !esn_seen)) && dh_ok;
}

/* Picks the ESP proposal of the peer's SA payload that matches ours and
 * takes its SPI as our outbound SPI. */
static int child_select_from(struct vtun__ikesa *sa,
                             const struct vtun__ike_chain *c,
                             struct vtun__child *out, int dh) {
  const vtun_ipsec_proposal *mine = vtun__tunnel_proposal(sa->tunnel);
  const struct vtun__ike_payload *pl =
      vtun__ike_chain_find(c, VTUN__IKE_PL_SA, 0);
  bool esn = child_esn(sa);
  struct vtun__ike_prop p;
  struct vtun__ike_sa_pl s;

  if (mine == NULL)
    return VTUN_ESTATE;
  if (pl == NULL || vtun__ike_sa_pl_parse(pl, &s) != 0)
    return VTUN_EMALFORMED;
  for (size_t pos = 0; vtun__ike_sa_pl_next(&s, &pos, &p);) {
    if (p.proto != VTUN__IKE_PROTO_ESP || p.spi_len != 4)
      continue;
    for (int tryesn = esn; tryesn >= 0; tryesn--)
      if (child_prop_ok(&p, mine->encr, mine->integ, tryesn, dh)) {
        out->encr = mine->encr;
        out->integ =
            vtun__encr_info(mine->encr)->aead ? VTUN_INTEG_NONE : mine->integ;
        out->esn = tryesn;
        out->spi_out = vtun__be32(p.spi);
        return out->spi_out < 256 ? VTUN_EMALFORMED : 0;
      }
  }
  return VTUN_ENOPROPOSAL;
}

int vtun__ike_child_select(struct vtun__ikesa *sa,
                           const struct vtun__ike_chain *c,
                           struct vtun__child *out, bool response) {
  (void)response;
  return child_select_from(sa, c, out, 0);
}

/* Makes the two ESP SAs and hands them to the data path. */
static int child_dp_install(struct vtun__ikesa *sa, const struct vtun__child *c,
                            const uint8_t *kin, const uint8_t *kout,
                            size_t klen) {
  vtun_tunnel *t = sa->tunnel;
  const vtun_ipsec_profile *prof = t->profile;
  struct vtun__esp_sa *in = NULL, *out = NULL;
  struct vtun__sa_params p = {
      .encr = c->encr,
      .integ = c->integ,
      .keylen = klen,
      .flags = (c->esn ? VTUN_SA_ESN : 0) | (sa->natt ? VTUN_SA_UDP_ENCAP : 0),
      .replay_window = prof != NULL && prof->replay_window
                           ? prof->replay_window
                           : sa->ctx->settings.replay_window,
      .local = sa->local,
      .remote = sa->remote,
      .vrf = sa->vrf,
      .tunnel = t,
      .now = vtun__ike_now(sa->ctx)};
  int rc;

  if (prof != NULL) {
    p.life.hard_time = (vtun_tstamp)prof->lifetime_s * VTUN_SECONDS;
    p.life.hard_bytes = prof->lifetime_kb * 1024;
  }
  if (!sa->natt)
    p.local.port = p.remote.port = 0;
  p.spi = c->spi_in, p.dir = VTUN__SA_IN, p.key = kin;
  if ((rc = vtun__esp_sa_new(sa->ctx, &p, &in)) != 0)
    return rc;
  p.spi = c->spi_out, p.dir = VTUN__SA_OUT, p.key = kout;
  if ((rc = vtun__esp_sa_new(sa->ctx, &p, &out)) != 0) {
    vtun__esp_sa_free(in);
    return rc;
  }
  return vtun__dp_install_sa(t, in, out);
}

int vtun__ike_child_install(struct vtun__ikesa *sa, struct vtun__child *c,
                            const uint8_t *gir, size_t girlen,
                            const uint8_t *ni, size_t nilen, const uint8_t *nr,
                            size_t nrlen, bool we_init) {
  uint8_t ki[128], kr[128];
  size_t klen = 0;
  vtun_event ev = {
      .tunnel = sa->tunnel, .spi_in = c->spi_in, .spi_out = c->spi_out};
  bool rekey = sa->child.born != 0 && c != &sa->child;
  int rc;

  rc = vtun__ike_child_keys(sa, c, gir, girlen, ni, nilen, nr, nrlen, ki, kr,
                            &klen);
  if (rc == 0)
    rc = child_dp_install(sa, c, we_init ? kr : ki, we_init ? ki : kr, klen);
  if (rc == 0)
    vtun__ike_export_child(sa, c, we_init, ki, kr, klen);
  vtun__wipe(ki, sizeof(ki));
  vtun__wipe(kr, sizeof(kr));
  if (rc != 0)
    return rc;
  c->born = vtun__ike_now(sa->ctx);
  c->lifetime_s = sa->tunnel->profile ? sa->tunnel->profile->lifetime_s : 0;
  VTUN_LOG(&sa->ctx->log, VTUN_LOG_INFO, VTUN_TOPIC_IKE,
           "%s: Child SA in 0x%08x out 0x%08x %s", sa->tunnel->name, c->spi_in,
           c->spi_out, rekey ? "rekeyed" : "installed");
  ev.type = rekey ? VTUN_EVENT_SA_REKEYED : VTUN_EVENT_SA_INSTALLED;
  vtun__event(sa->ctx, &ev);
  /* A new pair after the last one expired brings the tunnel back. */
  if (sa->state == IKE_S_ESTABLISHED && sa->tunnel->state != VTUN_STATE_UP &&
      vtun__ike_tun(sa->tunnel) != NULL && vtun__ike_tun(sa->tunnel)->sa == sa)
    vtun__tunnel_set_state(sa->tunnel, VTUN_STATE_UP, 0);
  return 0;
}

/* ------------------------------------------------------------ timers */

/* The original initiator rekeys first; the responder waits a little
 * longer, so that both rarely start at once.
 */
static vtun_tstamp child_soft(const struct vtun__ikesa *sa, uint32_t life) {
  vtun_tstamp l = (vtun_tstamp)life * VTUN_SECONDS;

  return sa->initiator ? l - l / 6 : l - l / 12;
}

/* The share of the hard byte limit the busier direction of the Child SA
 * pair has used, in percent (0 without a byte limit). */
static unsigned child_bytes_used(const struct vtun__ikesa *sa) {
  const struct vtun__tunnel_dp *dp = &sa->tunnel->dp;
  const struct vtun__esp_sa *s[2] = {
      atomic_load_explicit(&dp->out_sa, memory_order_acquire), dp->in_sa};
  unsigned most = 0;

  for (int i = 0; i < 2; i++) {
    uint64_t b;

    if (s[i] == NULL || s[i]->hard_bytes == 0 || s[i]->hard_bytes == UINT64_MAX)
      continue;
    b = atomic_load_explicit(&s[i]->cnt.bytes, memory_order_relaxed);
    if (b / (s[i]->hard_bytes / 100 + 1) > most)
      most = (unsigned)(b / (s[i]->hard_bytes / 100 + 1));
  }
  return most;
}

/* The fastest a tunnel is assumed to carry, bytes per second (20 Gbit/s):
 * the byte counters are looked at before such a tunnel could reach 75%
 * of its byte limit. */
#define CHILD_RATE_MAX 2500000000ull

/* Traffic-based lifetimes (RFC 4301 §4.4.2.1): the pair is rekeyed once
 * either direction used 75% of its byte limit. The counters are looked
 * at again before a tunnel at CHILD_RATE_MAX could get there (at least
 * every 10 s, at most every 100 ms), so that even a fast tunnel rekeys
 * well before the data path's hard limit. Returns the delay until the
 * next look. */
static vtun_tstamp child_bytes_poll(const struct vtun__ikesa *sa) {
  const struct vtun__tunnel_dp *dp = &sa->tunnel->dp;
  const struct vtun__esp_sa *s[2] = {
      atomic_load_explicit(&dp->out_sa, memory_order_acquire), dp->in_sa};
  uint64_t left = UINT64_MAX;
  vtun_tstamp delay;

  for (int i = 0; i < 2; i++) {
    uint64_t b, mark;

    if (s[i] == NULL || s[i]->hard_bytes == 0 || s[i]->hard_bytes == UINT64_MAX)
      continue;
    b = atomic_load_explicit(&s[i]->cnt.bytes, memory_order_relaxed);
    mark = s[i]->hard_bytes / 4 * 3;
    if (b >= mark)
      return 0;
    if (mark - b < left)
      left = mark - b;
  }
  if (left == UINT64_MAX)
    return 10 * VTUN_SECONDS;
  delay = (vtun_tstamp)(left / (CHILD_RATE_MAX / 1000)) * (VTUN_SECONDS / 1000);
  if (delay < VTUN_SECONDS / 10)
    return VTUN_SECONDS / 10;
  return delay < 10 * VTUN_SECONDS ? delay : 10 * VTUN_SECONDS;
}

/* Arms the Child SA timer: the time-based soft lifetime, or an earlier
 * look at the byte counters. */
static void child_timer_arm(struct vtun__ikesa *sa) {
  const vtun_ipsec_profile *prof = sa->tunnel->profile;
  vtun_tstamp now = vtun__ike_now(sa->ctx), at, delay;

  /* The Child SA may be older than its IKE SA (an IKE rekey moved it). */
  if (prof == NULL || prof->lifetime_s == 0)
    return;
  at = sa->child.born + child_soft(sa, prof->lifetime_s);
  delay = at > now ? at - now : 0;
  if (prof->lifetime_kb != 0 && child_bytes_poll(sa) < delay)
    delay = child_bytes_poll(sa);
  vtun__ike_sa_arm(sa, &sa->t_rekey_child, delay);
}

void vtun__ike_child_timers(struct vtun__ikesa *sa) {
  vtun_tstamp now = vtun__ike_now(sa->ctx), at;

  child_timer_arm(sa);

  /* The IKE SA's rekey counts from its own birth, not from the last
   * Child SA rekey, which calls this again; a retry already planned
   * stays. */
  if (sa->rk_ike_due && vtun__timer_armed(&sa->t_rekey_ike))
    return;
  if (sa->lifetime_s) {
    at = sa->born + child_soft(sa, sa->lifetime_s);
    vtun__ike_sa_arm(sa, &sa->t_rekey_ike, at > now ? at - now : 0);
  } else {
    vtun__timer_cancel(&sa->ctx->timers, &sa->t_rekey_ike);
  }
}

/* A rekey that cannot start now (another request is out) tries again. */
static int child_later(struct vtun__ikesa *sa, struct vtun__timer *tm) {
  uint8_t r = 0;

  (void)vtun__random(sa->ctx, &r, 1);
  vtun__ike_sa_arm(sa, tm, VTUN_SECONDS + (vtun_tstamp)r * 8000000u);
  return 0;
}

/* -------------------------------------------------- rekey, initiating */

static int child_new_dh(struct vtun__ikesa *sa, int group, uint8_t *pub,
                        size_t *publen) {
  sa->ctx->crypto->dh_free(sa->rk_dh);
  sa->rk_dh = NULL;
  *publen = VTUN_DH_MAX_BYTES;
  return sa->ctx->crypto->dh_new(sa->ctx->crypto_state, group, &sa->rk_dh, pub,
                                 publen);
}

void vtun__ike_on_child_timer(struct vtun__ikesa *sa) {
  if (sa->state == IKE_S_ESTABLISHED && sa->child.spi_out == 0) {
    (void)vtun__ike_new_child_start(sa);
    return;
  }
  /* A look at the byte counters that finds the pair young: not yet. */
  if (sa->state == IKE_S_ESTABLISHED && !sa->rk_child_due &&
      vtun__ike_now(sa->ctx) <
          sa->child.born + child_soft(sa, sa->child.lifetime_s) &&
      child_bytes_used(sa) < 75) {
    child_timer_arm(sa);
    return;
  }
  (void)vtun__ike_rekey_child_start(sa);
}

int vtun__ike_rekey_child_start(struct vtun__ikesa *sa) {
  uint8_t *buf = vtun__ike_eng(sa->ctx)->scratch + 2048;
  uint8_t pub[VTUN_DH_MAX_BYTES], spi[4];
  struct vtun__ike_writer w;
  size_t publen = 0;
  int pfs = child_pfs(sa), rc;

  if (sa->state != IKE_S_ESTABLISHED)
    return 0;

  /* Past its hard lifetime the data path removed the pair: start over. */
  if (sa->child.lifetime_s != 0 && sa->child.born != 0 &&
      vtun__ike_now(sa->ctx) - sa->child.born >=
          (vtun_tstamp)sa->child.lifetime_s * VTUN_SECONDS) {
    (void)vtun__ike_send_delete(sa, false);
    vtun__ike_sa_fail(sa, VTUN_ELIFETIME);
    return 0;
  }
  sa->rk_child_due = true;
  if (sa->req_kind != IKE_REQ_NONE)
    return child_later(sa, &sa->t_rekey_child);

  sa->rk_kind = IKE_REQ_CHILD_REKEY;
  sa->rk_spi = vtun__ike_child_spi(sa->ctx);
  sa->rk_group = pfs;
  if ((rc = vtun__random(sa->ctx, sa->rk_nonce, IKE_NONCE_LEN)) != 0 ||
      (pfs && (rc = child_new_dh(sa, pfs, pub, &publen)) != 0))
    return rc;
  vtun__put32(spi, sa->child.spi_in);
  vtun__ike_writer_init(&w, buf, IKE_MSG_MAX - 2048);
  vtun__ike_put_notify(&w,
                       &(struct vtun__ike_notify){.proto = VTUN__IKE_PROTO_ESP,
                                                  .spi_len = 4,
                                                  .type = VTUN__IKE_N_REKEY_SA,
                                                  .spi = spi});
  child_put_prop(sa, &w, sa->rk_spi, sa->child.encr, sa->child.integ,
                 sa->child.esn, pfs, 1);
  vtun__ike_put_nonce(&w, sa->rk_nonce, IKE_NONCE_LEN);
  if (pfs)
    vtun__ike_put_ke(&w, (uint16_t)pfs, pub, publen);
  vtun__ike_child_put_ts(&w);
  rc = vtun__ike_send_sk(sa, VTUN__IKE_X_CREATE_CHILD_SA, false, sa->next_req,
                         &w);
  return rc != 0 ? rc : vtun__ike_request_sent(sa, IKE_REQ_CHILD_REKEY);
}

/* How long a responder whose Child SA pair the peer deleted waits for the
 * initiator to make a new one before it does so itself. */
#define CHILD_GONE_WAIT (5 * VTUN_SECONDS)

void vtun__ike_child_gone(struct vtun__ikesa *sa) {
  vtun_event ev = {.type = VTUN_EVENT_SA_DELETED,
                   .tunnel = sa->tunnel,
                   .spi_in = sa->child.spi_in,
                   .spi_out = sa->child.spi_out};

  if (sa->tunnel == NULL)
    return;
  vtun__dp_remove_sas(sa->tunnel);
  VTUN_LOG(&sa->ctx->log, VTUN_LOG_INFO, VTUN_TOPIC_IKE,
           "%s: peer deleted Child SA in 0x%08x out 0x%08x; making a new "
           "one over the IKE SA",
           sa->tunnel->name, sa->child.spi_in, sa->child.spi_out);
  vtun__event(sa->ctx, &ev);
  sa->child.spi_in = sa->child.spi_out = 0;
  sa->child.born = 0;
  sa->old_spi_in = 0;
  sa->rk_child_due = false;
  vtun__ike_sa_arm(sa, &sa->t_rekey_child, sa->initiator ? 0 : CHILD_GONE_WAIT);
}

void vtun__ike_child_expired(vtun_tunnel *t) {
  struct vtun__ike_tun *tt = t->ike;
  struct vtun__ikesa *sa = tt != NULL ? tt->sa : NULL;

  if (sa == NULL || sa->state != IKE_S_ESTABLISHED || sa->child.spi_out == 0)
    return;
  VTUN_LOG(&sa->ctx->log, VTUN_LOG_INFO, VTUN_TOPIC_IKE,
           "%s: Child SA in 0x%08x out 0x%08x reached its hard lifetime; "
           "making a new one over the IKE SA",
           t->name, sa->child.spi_in, sa->child.spi_out);
  /* The peer hears that the pair is gone (RFC 7296 §1.4.1). */
  sa->old_spi_in = sa->child.spi_in;
  (void)vtun__ike_send_delete(sa, true);
  sa->old_spi_in = 0;
  sa->child.spi_in = sa->child.spi_out = 0;
  sa->child.born = 0;
  sa->rk_child_due = false;
  vtun__ike_sa_arm(sa, &sa->t_rekey_child, 0);
}

int vtun__ike_new_child_start(struct vtun__ikesa *sa) {
  uint8_t *buf = vtun__ike_eng(sa->ctx)->scratch + 2048;
  uint8_t pub[VTUN_DH_MAX_BYTES];
  struct vtun__ike_writer w;
  size_t publen = 0;
  int pfs = child_pfs(sa), rc;

  if (sa->state != IKE_S_ESTABLISHED || sa->child.spi_out != 0)
    return 0;
  if (sa->req_kind != IKE_REQ_NONE)
    return child_later(sa, &sa->t_rekey_child);
  sa->rk_kind = IKE_REQ_CHILD_NEW;
  sa->rk_spi = vtun__ike_child_spi(sa->ctx);
  sa->rk_group = pfs;
  if ((rc = vtun__random(sa->ctx, sa->rk_nonce, IKE_NONCE_LEN)) != 0 ||
      (pfs && (rc = child_new_dh(sa, pfs, pub, &publen)) != 0))
    return rc;
  /* The algorithms the deleted pair had: both ends agreed on them. */
  vtun__ike_writer_init(&w, buf, IKE_MSG_MAX - 2048);
  child_put_prop(sa, &w, sa->rk_spi, sa->child.encr, sa->child.integ,
                 sa->child.esn, pfs, 1);
  vtun__ike_put_nonce(&w, sa->rk_nonce, IKE_NONCE_LEN);
  if (pfs)
    vtun__ike_put_ke(&w, (uint16_t)pfs, pub, publen);
  vtun__ike_child_put_ts(&w);
  rc = vtun__ike_send_sk(sa, VTUN__IKE_X_CREATE_CHILD_SA, false, sa->next_req,
                         &w);
  return rc != 0 ? rc : vtun__ike_request_sent(sa, IKE_REQ_CHILD_NEW);
}

int vtun__ike_rekey_ike_start(struct vtun__ikesa *sa) {
  uint8_t *buf = vtun__ike_eng(sa->ctx)->scratch + 2048;
  uint8_t pub[VTUN_DH_MAX_BYTES], spi[8];
  struct vtun__ike_writer w;
  size_t publen = 0;
  int rc;

  if (sa->state != IKE_S_ESTABLISHED)
    return 0;
  if (sa->req_kind != IKE_REQ_NONE)
    return child_later(sa, &sa->t_rekey_ike);
  sa->rk_kind = IKE_REQ_IKE_REKEY;
  sa->rk_ike_due = true;
  if ((rc = vtun__random(sa->ctx, (uint8_t *)&sa->rk_ike_spi, 8)) != 0 ||
      (rc = vtun__random(sa->ctx, sa->rk_nonce, IKE_NONCE_LEN)) != 0 ||
      (rc = child_new_dh(sa, sa->k.dh, pub, &publen)) != 0)
    return rc;
  sa->rk_ike_spi |= 1;
  vtun__put64(spi, sa->rk_ike_spi);
  vtun__ike_writer_init(&w, buf, IKE_MSG_MAX - 2048);
  vtun__ike_put_ike_prop(sa, &w, spi);
  vtun__ike_put_nonce(&w, sa->rk_nonce, IKE_NONCE_LEN);
  vtun__ike_put_ke(&w, (uint16_t)sa->k.dh, pub, publen);
  rc = vtun__ike_send_sk(sa, VTUN__IKE_X_CREATE_CHILD_SA, false, sa->next_req,
                         &w);
  return rc != 0 ? rc : vtun__ike_request_sent(sa, IKE_REQ_IKE_REKEY);
}

/* ------------------------------------------------- rekey, responding */

static int child_answer_error(struct vtun__ikesa *sa, uint16_t type) {
  return vtun__ike_send_error(sa, VTUN__IKE_X_CREATE_CHILD_SA,
                              sa->peer_next - 1, type);
}

/* The peer's nonce, its KE of @p group when @p group is set, and our DH
 * result in @p gir. */
static int child_peer_material(struct vtun__ikesa *sa,
                               const struct vtun__ike_chain *c, int group,
                               void *dh, struct vtun__ike_blob *nonce,
                               uint8_t *gir, size_t *girlen) {
  const struct vtun__ike_payload *np =
      vtun__ike_chain_find(c, VTUN__IKE_PL_NONCE, 0);

  *girlen = 0;
  if (np == NULL || vtun__ike_nonce_parse(np, nonce) != 0 ||
      nonce->len > IKE_NONCE_LEN * 8)
    return VTUN_EMALFORMED;
  if (group == 0)
    return 0;
  return vtun__ike_dh_secret(sa, dh, group, c, gir, girlen);
}

static int child_rekey_answer(struct vtun__ikesa *sa,
                              const struct vtun__ike_chain *c,
                              struct vtun__child *n, int pfs) {
  uint8_t *buf = vtun__ike_eng(sa->ctx)->scratch + 2048;
  uint8_t nr[IKE_NONCE_LEN], pub[VTUN_DH_MAX_BYTES];
  uint8_t gir[VTUN_DH_MAX_BYTES];
  struct vtun__ike_blob ni;
  struct vtun__ike_writer w;
  size_t publen = 0, girlen = 0;
  int rc;

  n->spi_in = vtun__ike_child_spi(sa->ctx);
  if ((rc = vtun__random(sa->ctx, nr, sizeof(nr))) != 0 ||
      (pfs && (rc = child_new_dh(sa, pfs, pub, &publen)) != 0) ||
      (rc = child_peer_material(sa, c, pfs, sa->rk_dh, &ni, gir, &girlen)))
    return rc;
  vtun__ike_writer_init(&w, buf, IKE_MSG_MAX - 2048);
  child_put_prop(sa, &w, n->spi_in, n->encr, n->integ, n->esn, pfs, 1);
  vtun__ike_put_nonce(&w, nr, sizeof(nr));
  if (pfs)
    vtun__ike_put_ke(&w, (uint16_t)pfs, pub, publen);
  vtun__ike_put_raw(&w, VTUN__IKE_PL_TSI,
                    vtun__ike_chain_find(c, VTUN__IKE_PL_TSI, 0)->body,
                    vtun__ike_chain_find(c, VTUN__IKE_PL_TSI, 0)->len);
  vtun__ike_put_raw(&w, VTUN__IKE_PL_TSR,
                    vtun__ike_chain_find(c, VTUN__IKE_PL_TSR, 0)->body,
                    vtun__ike_chain_find(c, VTUN__IKE_PL_TSR, 0)->len);
  rc = vtun__ike_send_sk(sa, VTUN__IKE_X_CREATE_CHILD_SA, true,
                         sa->peer_next - 1, &w);
  if (rc == 0)
    rc = vtun__ike_child_install(sa, n, gir, girlen, ni.data, ni.len, nr,
                                 sizeof(nr), false);
  vtun__wipe(gir, sizeof(gir));
  return rc;
}

/* The PFS group of a rekey: ours when the profile has one (a KE of
 * another group gets INVALID_KE_PAYLOAD, RFC 7296 §1.3), else the
 * initiator's when it sent a KE payload, which we then honour. */
static int child_rekey_group(struct vtun__ikesa *sa,
                             const struct vtun__ike_chain *c, int *group) {
  const struct vtun__ike_payload *pl =
      vtun__ike_chain_find(c, VTUN__IKE_PL_KE, 0);
  struct vtun__ike_ke ke = {0};
  uint8_t grp[2];

  *group = child_pfs(sa);
  if (pl != NULL && vtun__ike_ke_parse(pl, &ke) != 0) {
    (void)child_answer_error(sa, VTUN__IKE_N_INVALID_SYNTAX);
    return 1;
  }
  if (*group == 0 && pl != NULL &&
      (vtun__dh_info(ke.group) == NULL ||
       (vtun__dh_info(ke.group)->legacy && !sa->ctx->settings.allow_legacy))) {
    (void)child_answer_error(sa, VTUN__IKE_N_NO_PROPOSAL_CHOSEN);
    return 1;
  }
  if (*group == 0) {
    *group = pl != NULL ? ke.group : 0;
    return 0;
  }
  if (pl != NULL && ke.group == *group)
    return 0;
  vtun__put16(grp, (uint16_t)*group);
  (void)vtun__ike_send_error_data(sa, VTUN__IKE_X_CREATE_CHILD_SA,
                                  sa->peer_next - 1,
                                  VTUN__IKE_N_INVALID_KE_PAYLOAD, grp, 2);
  return 1;
}

static int child_rekey_request(struct vtun__ikesa *sa,
                               const struct vtun__ike_chain *c,
                               const struct vtun__ike_notify *rk) {
  struct vtun__child n = {0};
  int rc, group = 0;

  /* Without REKEY_SA (@p rk NULL) the peer makes a new pair after ours
   * was deleted. */
  if (rk != NULL && (rk->proto != VTUN__IKE_PROTO_ESP || rk->spi_len != 4 ||
                     vtun__be32(rk->spi) != sa->child.spi_out))
    return child_answer_error(sa, VTUN__IKE_N_CHILD_SA_NOT_FOUND);
  if (vtun__ike_chain_find(c, VTUN__IKE_PL_TSI, 0) == NULL ||
      vtun__ike_chain_find(c, VTUN__IKE_PL_TSR, 0) == NULL)
    return child_answer_error(sa, VTUN__IKE_N_INVALID_SYNTAX);
  if ((rc = child_rekey_group(sa, c, &group)) != 0)
    return rc;
  rc = child_select_from(sa, c, &n, group);
  if (rc != 0)
    return child_answer_error(sa, rc == VTUN_ENOPROPOSAL
                                      ? VTUN__IKE_N_NO_PROPOSAL_CHOSEN
                                      : VTUN__IKE_N_INVALID_SYNTAX);
  if ((rc = child_rekey_answer(sa, c, &n, group)) != 0)
    return rc;
  sa->old_spi_in = rk != NULL ? sa->child.spi_in : 0;
  sa->child = n;
  sa->rk_child_due = false;
  vtun__ike_eng(sa->ctx)->child_rekeys++;
  vtun__ike_child_timers(sa);
  return 0;
}

/* Moves what the old IKE SA carried to its successor (RFC 7296 §2.18). */
static void ike_transfer(struct vtun__ikesa *old, struct vtun__ikesa *n) {
  n->vrf = old->vrf;
  n->local = old->local;
  n->remote = old->remote;
  n->natt = old->natt;
  n->nat_local = old->nat_local;
  n->nat_remote = old->nat_remote;
  n->frag_ok = old->frag_ok;
  n->child = old->child;
  n->old_spi_in = old->old_spi_in;
  memcpy(n->peer_id, old->peer_id, sizeof(n->peer_id));
  n->peer_id_type = old->peer_id_type;
  n->leased = old->leased, old->leased = false;
  n->pool = old->pool;
  n->assigned = old->assigned, old->assigned = 0;
  n->lifetime_s = old->lifetime_s;
  n->k.encr = old->k.encr, n->k.integ = old->k.integ;
  n->k.prf = old->k.prf, n->k.dh = old->k.dh;
  vtun__timer_cancel(&old->ctx->timers, &old->t_dpd);
  vtun__timer_cancel(&old->ctx->timers, &old->t_rekey_child);
  vtun__timer_cancel(&old->ctx->timers, &old->t_rekey_ike);
  old->replaced_by = n;
}

/* Keys of the new IKE SA: SKEYSEED = prf(SK_d (old), g^ir | Ni | Nr). */
static int ike_new_keys(struct vtun__ikesa *old, struct vtun__ikesa *n,
                        void *dh, const struct vtun__ike_chain *c) {
  uint8_t gir[VTUN_DH_MAX_BYTES], seed[VTUN_MAC_MAX_BYTES];
  size_t girlen = 0;
  int rc;

  rc = vtun__ike_dh_secret(old, dh, old->k.dh, c, gir, &girlen);
  if (rc == 0)
    rc = vtun__ike_skeyseed(n, gir, girlen, old->k.sk_d, old->k.prf, seed);
  if (rc == 0)
    rc = vtun__ike_keys_derive(n, seed, old->k.prf_len);
  if (rc == 0)
    vtun__ike_export_ike(n);
  vtun__wipe(gir, sizeof(gir));
  vtun__wipe(seed, sizeof(seed));
  return rc;
}

static struct vtun__ikesa *ike_successor(struct vtun__ikesa *old,
                                         bool initiator,
                                         const struct vtun__ike_blob *ni,
                                         const uint8_t *nr, size_t nrlen) {
  struct vtun__ikesa *n = vtun__ike_sa_new(old->ctx, old->tunnel, initiator);

  if (n == NULL)
    return NULL;
  ike_transfer(old, n);
  memcpy(n->ni, ni->data, ni->len);
  n->ni_len = ni->len;
  memcpy(n->nr, nr, nrlen);
  n->nr_len = nrlen;
  return n;
}

static int ike_rekey_answer(struct vtun__ikesa *sa,
                            const struct vtun__ike_chain *c, uint64_t ispi) {
  uint8_t *buf = vtun__ike_eng(sa->ctx)->scratch + 2048;
  uint8_t nr[IKE_NONCE_LEN], pub[VTUN_DH_MAX_BYTES], spi[8];
  struct vtun__ikesa *n = NULL;
  struct vtun__ike_blob ni;
  struct vtun__ike_writer w;
  size_t publen = 0;
  int rc;

  if ((rc = vtun__random(sa->ctx, nr, sizeof(nr))) != 0 ||
      (rc = child_peer_material(sa, c, 0, NULL, &ni, NULL, &publen)) != 0 ||
      (rc = child_new_dh(sa, sa->k.dh, pub, &publen)) != 0)
    return rc;
  if ((n = ike_successor(sa, false, &ni, nr, sizeof(nr))) == NULL)
    return VTUN_ENOMEM;
  n->ispi = ispi;
  vtun__ike_sa_index(n);
  (void)vtun__random(sa->ctx, (uint8_t *)&n->rspi, 8);
  n->rspi |= 1;
  if ((rc = ike_new_keys(sa, n, sa->rk_dh, c)) != 0)
    goto fail;
  vtun__put64(spi, n->rspi);
  vtun__ike_writer_init(&w, buf, IKE_MSG_MAX - 2048);
  vtun__ike_put_ike_prop(sa, &w, spi);
  vtun__ike_put_nonce(&w, nr, sizeof(nr));
  vtun__ike_put_ke(&w, (uint16_t)sa->k.dh, pub, publen);
  rc = vtun__ike_send_sk(sa, VTUN__IKE_X_CREATE_CHILD_SA, true,
                         sa->peer_next - 1, &w);
  if (rc != 0)
    goto fail;
  vtun__ike_eng(sa->ctx)->ike_rekeys++;
  vtun__ike_sa_established(n);
  vtun__ike_sa_set_state(sa, IKE_S_REKEYED, 0);
  vtun__ike_sa_arm(sa, &sa->t_expire, 30 * VTUN_SECONDS);
  return 0;
fail:
  vtun__ike_sa_free(n);
  return rc;
}

static int ike_rekey_request(struct vtun__ikesa *sa,
                             const struct vtun__ike_chain *c) {
  const struct vtun__ike_payload *ke =
      vtun__ike_chain_find(c, VTUN__IKE_PL_KE, 0);
  struct vtun__ike_ke k;
  uint64_t ispi = 0;
  uint8_t grp[2];
  int rc;

  if ((rc = vtun__ike_take_ike_prop(sa, c, &ispi)) != 0)
    return child_answer_error(sa, VTUN__IKE_N_NO_PROPOSAL_CHOSEN);
  if (ke == NULL || vtun__ike_ke_parse(ke, &k) != 0)
    return child_answer_error(sa, VTUN__IKE_N_INVALID_SYNTAX);
  if (k.group != sa->k.dh) {
    vtun__put16(grp, (uint16_t)sa->k.dh);
    return vtun__ike_send_error_data(sa, VTUN__IKE_X_CREATE_CHILD_SA,
                                     sa->peer_next - 1,
                                     VTUN__IKE_N_INVALID_KE_PAYLOAD, grp, 2);
  }
  return ike_rekey_answer(sa, c, ispi);
}

int vtun__ike_create_child_request(struct vtun__ikesa *sa,
                                   const struct vtun__ike_hdr *h,
                                   const struct vtun__ike_chain *c) {
  struct vtun__ike_notify rk;

  (void)h;
  /* RFC 7296 §2.25: a rekey while ours is out, or on an SA on its way
   * out, is refused for now; the peer tries again later. */
  if (sa->state != IKE_S_ESTABLISHED || sa->req_kind == IKE_REQ_IKE_REKEY ||
      sa->req_kind == IKE_REQ_CHILD_REKEY || sa->req_kind == IKE_REQ_CHILD_NEW)
    return child_answer_error(sa, VTUN__IKE_N_TEMPORARY_FAILURE);
  if (vtun__ike_find_notify(c, VTUN__IKE_N_REKEY_SA, &rk) == 0)
    return child_rekey_request(sa, c, &rk);
  if (vtun__ike_chain_find(c, VTUN__IKE_PL_TSI, 0) == NULL)
    return ike_rekey_request(sa, c);
  if (sa->child.spi_out == 0) {
    vtun__timer_cancel(&sa->ctx->timers, &sa->t_rekey_child);
    return child_rekey_request(sa, c, NULL);
  }

  /* One tunnel carries one Child SA pair (REQUIREMENTS section 3). */
  return child_answer_error(sa, VTUN__IKE_N_NO_ADDITIONAL_SAS);
}

/* -------------------------------------------------- rekey, responses */

static int child_rekey_done(struct vtun__ikesa *sa,
                            const struct vtun__ike_chain *c) {
  struct vtun__child n = {0};
  struct vtun__ike_blob nr;
  uint8_t gir[VTUN_DH_MAX_BYTES];
  size_t girlen = 0;
  int rc;

  rc = child_select_from(sa, c, &n, sa->rk_group);
  if (rc == 0)
    rc = child_peer_material(sa, c, sa->rk_group, sa->rk_dh, &nr, gir, &girlen);
  n.spi_in = sa->rk_spi;
  if (rc == 0)
    rc = vtun__ike_child_install(sa, &n, gir, girlen, sa->rk_nonce,
                                 IKE_NONCE_LEN, nr.data, nr.len, true);
  vtun__wipe(gir, sizeof(gir));
  if (rc != 0)
    return child_later(sa, &sa->t_rekey_child);
  if (sa->rk_kind == IKE_REQ_CHILD_NEW) {
    /* A new pair after ours was deleted: nothing old to retire. */
    sa->child = n;
    vtun__ike_child_timers(sa);
    return 0;
  }
  sa->old_spi_in = sa->child.spi_in;
  sa->child = n;
  sa->rk_child_due = false;
  vtun__ike_eng(sa->ctx)->child_rekeys++;
  vtun__ike_child_timers(sa);
  return vtun__ike_send_delete(sa, true);
}

/* LIMITATION: the IKE SA is rekeyed with the DH group it was made with;
 * a peer that wants another one (INVALID_KE_PAYLOAD) is asked again
 * later with the same group. */
static int ike_rekey_done(struct vtun__ikesa *sa,
                          const struct vtun__ike_chain *c) {
  struct vtun__ike_blob nr, ni = {sa->rk_nonce, IKE_NONCE_LEN};
  struct vtun__ikesa *n;
  uint64_t rspi = 0;
  int rc;

  if ((rc = vtun__ike_take_ike_prop(sa, c, &rspi)) != 0 ||
      (rc = child_peer_material(sa, c, 0, NULL, &nr, NULL, &(size_t){0})))
    return child_later(sa, &sa->t_rekey_ike);
  if ((n = ike_successor(sa, true, &ni, nr.data, nr.len)) == NULL)
    return VTUN_ENOMEM;
  n->ispi = sa->rk_ike_spi;
  vtun__ike_sa_index(n);
  n->rspi = rspi;
  if ((rc = ike_new_keys(sa, n, sa->rk_dh, c)) != 0) {
    vtun__ike_sa_free(n);
    return child_later(sa, &sa->t_rekey_ike);
  }
  vtun__ike_eng(sa->ctx)->ike_rekeys++;
  vtun__ike_sa_established(n);
  vtun__ike_sa_set_state(sa, IKE_S_REKEYED, 0);
  return vtun__ike_send_delete(sa, false);
}

int vtun__ike_create_child_response(struct vtun__ikesa *sa,
                                    const struct vtun__ike_chain *c) {
  struct vtun__ike_notify n;

  for (unsigned i = 0; i < c->count; i++)
    if (c->pl[i].type == VTUN__IKE_PL_NOTIFY &&
        vtun__ike_notify_parse(&c->pl[i], &n) == 0 &&
        n.type < VTUN__IKE_N_STATUS_MIN)
      return child_later(sa, sa->rk_kind == IKE_REQ_IKE_REKEY
                                 ? &sa->t_rekey_ike
                                 : &sa->t_rekey_child);
  if (sa->rk_kind == IKE_REQ_IKE_REKEY)
    return ike_rekey_done(sa, c);
  return child_rekey_done(sa, c);
}
