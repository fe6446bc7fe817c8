/* IKE_SA_INIT in both roles (RFC 7296 §1.2): proposal selection from the
 * peer's configured IKE proposals (RFC 8247), INVALID_KE_PAYLOAD and the
 * retry with the responder's group (§1.2, §2.7), cookies (§2.6), NAT
 * detection (§2.23) and the fragmentation notify (RFC 7383). The
 * responder keeps no state before a message passes the cookie check and
 * the matching of REQUIREMENTS section 4. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/match.h"
#include "ike/payload.h"
#include "ike/payload_sa.h"
#include "ike/sa.h"
#include "util/alg.h"
#include "util/bytes.h"
#include "util/mem.h"

#define IKE_HALFOPEN_LIFE (30 * VTUN_SECONDS)
#define IKE_INIT_RESTARTS 5
#define IKE_HALFOPEN_MIN 64    /* half-open SAs allowed with cookies... */
#define IKE_HALFOPEN_MAX 16384 /* ...and never more than this */
#define IKE_SUITES_MAX 64

struct ike_suite {
  int encr, integ, prf, dh;
  uint32_t lifetime;
};

static const struct ike_suite default_suites[] = {
    {VTUN_ENCR_AES_GCM_256, VTUN_INTEG_NONE, VTUN_PRF_SHA2_256, VTUN_DH_X25519,
     86400},
    {VTUN_ENCR_AES_CBC_256, VTUN_INTEG_SHA2_256_128, VTUN_PRF_SHA2_256,
     VTUN_DH_MODP2048, 86400},
};

/* The suites a peer accepts, in its order: its proposals, or the
 * defaults when it lists none. */
static unsigned suites_of(const vtun_ike_peer *peer, struct ike_suite *out,
                          unsigned max) {
  unsigned n = 0;

  for (unsigned i = 0; peer != NULL && i < peer->nproposals && n < max; i++) {
    const vtun_ike_proposal *p = peer->proposals[i];

    out[n++] =
        (struct ike_suite){p->encr, p->integ, p->prf, p->dh, p->lifetime};
  }
  for (unsigned i = 0; n == 0 && i < 2; i++)
    out[i] = default_suites[i];
  return n ? n : 2;
}

/* A responder that waits for the IDi to pick its tunnel accepts the
 * suites of every IKE proposal in the context, and the defaults; the
 * tunnel's own list is checked once it is known (vtun__ike_suite_ok). */
static unsigned suites_any(vtun_ctx *ctx, struct ike_suite *out, unsigned max) {
  unsigned n = 0;

  vtun__list_each (p, &ctx->ike_proposals, vtun_ike_proposal) {
    if (n < max - 2)
      out[n++] =
          (struct ike_suite){p->encr, p->integ, p->prf, p->dh, p->lifetime};
  }
  out[n++] = default_suites[0];
  out[n++] = default_suites[1];
  return n;
}

bool vtun__ike_suite_ok(const struct vtun__ikesa *sa,
                        const vtun_ike_peer *peer) {
  struct ike_suite s[VTUN_MAX_PEER_PROPOSALS + 2] = {{0}};
  unsigned n = suites_of(peer, s, VTUN_MAX_PEER_PROPOSALS);

  for (unsigned i = 0; i < n; i++)
    if (s[i].encr == sa->k.encr && s[i].prf == sa->k.prf &&
        s[i].dh == sa->k.dh &&
        (vtun__encr_info(s[i].encr)->aead || s[i].integ == sa->k.integ))
      return true;
  return false;
}

/* Transforms of one suite (RFC 7296 §3.3.2); returns their number. */
static unsigned suite_xforms(const struct ike_suite *s,
                             struct vtun__ike_xform *xf) {
  const struct vtun__encr_info *e = vtun__encr_info(s->encr);
  unsigned n = 0;

  xf[n++] = (struct vtun__ike_xform){VTUN__IKE_XF_ENCR, (uint16_t)e->iana,
                                     (uint16_t)e->iana_bits, false};
  xf[n++] = (struct vtun__ike_xform){
      VTUN__IKE_XF_PRF, (uint16_t)vtun__prf_info(s->prf)->iana, 0, false};
  if (!e->aead)
    xf[n++] = (struct vtun__ike_xform){
        VTUN__IKE_XF_INTEG, (uint16_t)vtun__integ_info(s->integ)->iana, 0,
        false};
  xf[n++] =
      (struct vtun__ike_xform){VTUN__IKE_XF_DH, (uint16_t)s->dh, 0, false};
  return n;
}

static int put_suites(struct vtun__ike_writer *w, const struct ike_suite *s,
                      unsigned n, uint8_t first_num) {
  struct vtun__ike_xform xf[VTUN_MAX_PEER_PROPOSALS + 2][4];
  struct vtun__ike_prop_spec ps[VTUN_MAX_PEER_PROPOSALS + 2];

  for (unsigned i = 0; i < n; i++) {
    ps[i] = (struct vtun__ike_prop_spec){.num = (uint8_t)(first_num + i),
                                         .proto = VTUN__IKE_PROTO_IKE,
                                         .xf = xf[i]};
    ps[i].nxf = suite_xforms(&s[i], xf[i]);
  }
  return vtun__ike_put_sa(w, ps, n);
}

int vtun__ike_put_ike_prop(struct vtun__ikesa *sa, struct vtun__ike_writer *w,
                           const uint8_t spi[8]) {
  struct ike_suite s = {sa->k.encr, sa->k.integ, sa->k.prf, sa->k.dh, 0};
  struct vtun__ike_xform xf[4];
  struct vtun__ike_prop_spec ps = {1, VTUN__IKE_PROTO_IKE, 8, spi, xf, 0};

  ps.nxf = suite_xforms(&s, xf);
  return vtun__ike_put_sa(w, &ps, 1);
}

static bool prop_has(const struct vtun__ike_prop *p, const struct ike_suite *s);

int vtun__ike_take_ike_prop(struct vtun__ikesa *sa,
                            const struct vtun__ike_chain *c, uint64_t *spi) {
  const struct vtun__ike_payload *pl =
      vtun__ike_chain_find(c, VTUN__IKE_PL_SA, 0);
  struct ike_suite s = {sa->k.encr, sa->k.integ, sa->k.prf, sa->k.dh, 0};
  struct vtun__ike_prop p;
  struct vtun__ike_sa_pl body;

  if (pl == NULL || vtun__ike_sa_pl_parse(pl, &body) != 0)
    return VTUN_EMALFORMED;
  for (size_t pos = 0; vtun__ike_sa_pl_next(&body, &pos, &p);)
    if (p.proto == VTUN__IKE_PROTO_IKE && p.spi_len == 8 && prop_has(&p, &s)) {
      *spi = vtun__be64(p.spi);
      return *spi != 0 ? 0 : VTUN_EMALFORMED;
    }
  return VTUN_ENOPROPOSAL;
}

/* Whether proposal @p p offers every transform of @p s. */
static bool prop_has(const struct vtun__ike_prop *p,
                     const struct ike_suite *s) {
  struct vtun__ike_xform want[4], x;
  unsigned n = suite_xforms(s, want), found = 0;
  bool integ_seen = false;

  for (size_t pos = 0; vtun__ike_prop_next(p, &pos, &x);) {
    if (x.unknown_attr)
      return false; /* RFC 7296 §3.3.6 */
    if (x.type == VTUN__IKE_XF_INTEG && x.id != 0)
      integ_seen = true;
    for (unsigned i = 0; i < n; i++)
      if (want[i].type == x.type && want[i].id == x.id &&
          want[i].keylen == x.keylen)
        found |= 1u << i;
  }
  /* An AEAD suite takes no integrity transform (RFC 5282 §8). */
  if (vtun__encr_info(s->encr)->aead && integ_seen)
    return false;
  return found == (1u << n) - 1;
}

/* Picks the first of the initiator's proposals that one of ours covers. */
static int select_suite(const struct vtun__ike_payload *pl,
                        const struct ike_suite *ours, unsigned n,
                        struct ike_suite *out, uint8_t *num) {
  struct vtun__ike_sa_pl sa;
  struct vtun__ike_prop p;

  if (vtun__ike_sa_pl_parse(pl, &sa) != 0)
    return VTUN_EMALFORMED;
  for (size_t pos = 0; vtun__ike_sa_pl_next(&sa, &pos, &p);) {
    if (p.proto != VTUN__IKE_PROTO_IKE || p.spi_len != 0)
      continue;
    for (unsigned i = 0; i < n; i++)
      if (prop_has(&p, &ours[i])) {
        *out = ours[i];
        *num = p.num;
        return 0;
      }
  }
  return VTUN_ENOPROPOSAL;
}

static void sa_take_suite(struct vtun__ikesa *sa, const struct ike_suite *s) {
  sa->k.encr = s->encr;
  sa->k.integ = vtun__encr_info(s->encr)->aead ? VTUN_INTEG_NONE : s->integ;
  sa->k.prf = s->prf;
  sa->k.dh = s->dh;
  sa->lifetime_s = s->lifetime ? s->lifetime : 86400;
}

/* The shared secret with the peer's KE payload of @p group. */
int vtun__ike_dh_secret(struct vtun__ikesa *sa, void *dh, int group,
                        const struct vtun__ike_chain *c, uint8_t *secret,
                        size_t *slen) {
  const struct vtun__ike_payload *pl =
      vtun__ike_chain_find(c, VTUN__IKE_PL_KE, 0);
  struct vtun__ike_ke ke;

  if (pl == NULL || vtun__ike_ke_parse(pl, &ke) != 0 || ke.group != group)
    return VTUN_EMALFORMED;
  *slen = VTUN_DH_MAX_BYTES;
  return sa->ctx->crypto->dh_derive(dh, ke.data, ke.len, secret, slen);
}

/* Derives every SK_* key of a new IKE SA from the DH result. */
static int init_keys(struct vtun__ikesa *sa, const struct vtun__ike_chain *c) {
  uint8_t secret[VTUN_DH_MAX_BYTES], seed[VTUN_MAC_MAX_BYTES];
  size_t slen = 0;
  int rc;

  rc = vtun__ike_dh_secret(sa, sa->dh, sa->k.dh, c, secret, &slen);
  if (rc == 0)
    rc = vtun__ike_skeyseed(sa, secret, slen, NULL, 0, seed);
  if (rc == 0)
    rc = vtun__ike_keys_derive(sa, seed, vtun__prf_info(sa->k.prf)->outlen);
  vtun__wipe(secret, sizeof(secret));
  vtun__wipe(seed, sizeof(seed));
  sa->ctx->crypto->dh_free(sa->dh);
  sa->dh = NULL;
  if (rc == 0)
    vtun__ike_export_ike(sa);
  return rc;
}

static int take_nonce(const struct vtun__ike_chain *c, uint8_t *out,
                      size_t *len) {
  const struct vtun__ike_payload *pl =
      vtun__ike_chain_find(c, VTUN__IKE_PL_NONCE, 0);
  struct vtun__ike_blob b;

  if (pl == NULL || vtun__ike_nonce_parse(pl, &b) != 0 ||
      b.len > IKE_NONCE_LEN * 8)
    return VTUN_EMALFORMED;
  memcpy(out, b.data, b.len);
  *len = b.len;
  return 0;
}

static int keep_copy(uint8_t **dst, size_t *dlen, const uint8_t *src,
                     size_t len) {
  free(*dst);
  if ((*dst = malloc(len)) == NULL)
    return VTUN_ENOMEM;
  memcpy(*dst, src, len);
  *dlen = len;
  return 0;
}

/* Stores a finished plain message as the flight @p f and sends it. */
static int send_plain(struct vtun__ikesa *sa, struct vtun__ike_flight *f,
                      const uint8_t *msg, size_t len) {
  vtun__ike_flight_clear(f);
  if ((f->buf = malloc(len)) == NULL)
    return VTUN_ENOMEM;
  memcpy(f->buf, msg, len);
  f->len = len;
  f->lens[0] = (uint16_t)len;
  f->n = 1;
  return vtun__ike_send_flight(sa, f);
}

/* ---------------------------------------------------------- initiator */

static int init_build(struct vtun__ikesa *sa, uint8_t *buf, size_t cap,
                      size_t *len) {
  const vtun_ike_peer *peer = vtun__tunnel_peer(sa->tunnel);
  struct ike_suite s[VTUN_MAX_PEER_PROPOSALS + 2] = {{0}};
  unsigned n = suites_of(peer, s, VTUN_MAX_PEER_PROPOSALS);
  uint8_t pub[VTUN_DH_MAX_BYTES];
  size_t publen = sizeof(pub);
  struct vtun__ike_hdr h = {.ispi = sa->ispi,
                            .exchange = VTUN__IKE_X_IKE_SA_INIT,
                            .flags = VTUN__IKE_FLAG_INITIATOR};
  struct vtun__ike_writer w;
  vtun_ssize out;
  int rc;

  sa->ctx->crypto->dh_free(sa->dh);
  sa->dh = NULL;
  rc = sa->ctx->crypto->dh_new(sa->ctx->crypto_state, sa->k.dh, &sa->dh, pub,
                               &publen);
  if (rc != 0)
    return rc;
  vtun__ike_writer_init(&w, buf, cap);
  vtun__ike_writer_hdr(&w, &h);
  if (sa->neg->cookie_len > 0)
    vtun__ike_put_n(&w, VTUN__IKE_N_COOKIE, sa->neg->cookie,
                    sa->neg->cookie_len);
  put_suites(&w, s, n, 1);
  vtun__ike_put_ke(&w, (uint16_t)sa->k.dh, pub, publen);
  vtun__ike_put_nonce(&w, sa->ni, sa->ni_len);
  vtun__ike_natd_put(sa, &w);
  vtun__ike_put_n(&w, VTUN__IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
  if ((out = vtun__ike_writer_finish(&w)) < 0)
    return (int)out;
  *len = (size_t)out;
  return 0;
}

static int init_send(struct vtun__ikesa *sa) {
  uint8_t *buf = vtun__ike_eng(sa->ctx)->scratch + 8;
  size_t len = 0;
  int rc;

  if ((rc = init_build(sa, buf, IKE_MSG_MAX - 8, &len)) != 0 ||
      (rc = keep_copy(&sa->init_req, &sa->init_req_len, buf, len)) != 0)
    return rc;
  vtun__ike_sa_set_state(sa, IKE_S_INIT_SENT, 0);
  rc = send_plain(sa, &sa->req, buf, len);
  vtun__ike_request_sent(sa, IKE_REQ_INIT);
  return rc;
}

int vtun__ike_init_start(struct vtun__ikesa *sa) {
  struct ike_suite s[VTUN_MAX_PEER_PROPOSALS + 2] = {{0}};
  int rc;

  suites_of(vtun__tunnel_peer(sa->tunnel), s, VTUN_MAX_PEER_PROPOSALS);
  sa_take_suite(sa, &s[0]);
  sa->ni_len = IKE_NONCE_LEN;
  do {
    rc = vtun__random(sa->ctx, (uint8_t *)&sa->ispi, sizeof(sa->ispi));
  } while (rc == 0 && sa->ispi == 0);
  vtun__ike_sa_index(sa);
  if (rc == 0)
    rc = vtun__random(sa->ctx, sa->ni, sa->ni_len);
  return rc != 0 ? rc : init_send(sa);
}

/* RFC 7296 §1.2: the responder wants another group, which must be one
 * of ours; restart with it. */
static int init_retry_group(struct vtun__ikesa *sa,
                            const struct vtun__ike_notify *n) {
  struct ike_suite s[VTUN_MAX_PEER_PROPOSALS + 2] = {{0}};
  unsigned cnt =
      suites_of(vtun__tunnel_peer(sa->tunnel), s, VTUN_MAX_PEER_PROPOSALS);
  uint16_t group;

  if (n->len != 2 || sa->init_tries++ >= IKE_INIT_RESTARTS)
    return VTUN_EPEER;
  group = vtun__be16(n->data);
  for (unsigned i = 0; i < cnt; i++)
    if (s[i].dh == group && group != sa->k.dh) {
      sa->k.dh = group;
      vtun__timer_cancel(&sa->ctx->timers, &sa->t_retx);
      return init_send(sa);
    }
  return VTUN_ENOPROPOSAL;
}

static int init_retry_cookie(struct vtun__ikesa *sa,
                             const struct vtun__ike_notify *n) {
  if (n->len == 0 || n->len > VTUN__IKE_COOKIE_MAX ||
      sa->init_tries++ >= IKE_INIT_RESTARTS)
    return VTUN_EPEER;
  memcpy(sa->neg->cookie, n->data, n->len);
  sa->neg->cookie_len = n->len;
  vtun__timer_cancel(&sa->ctx->timers, &sa->t_retx);
  return init_send(sa);
}

/* The response names the one proposal chosen; it must be one we sent. */
static int init_check_choice(struct vtun__ikesa *sa,
                             const struct vtun__ike_chain *c) {
  const struct vtun__ike_payload *pl =
      vtun__ike_chain_find(c, VTUN__IKE_PL_SA, 0);
  struct ike_suite s[VTUN_MAX_PEER_PROPOSALS + 2], got;
  unsigned n =
      suites_of(vtun__tunnel_peer(sa->tunnel), s, VTUN_MAX_PEER_PROPOSALS);
  uint8_t num;
  int rc;

  if (pl == NULL)
    return VTUN_EMALFORMED;
  if ((rc = select_suite(pl, s, n, &got, &num)) != 0)
    return rc;
  if (got.dh != sa->k.dh)
    return VTUN_ENOPROPOSAL;
  sa_take_suite(sa, &got);
  return 0;
}

/* LIMITATION: an error notify in the IKE_SA_INIT response, which is not
 * authenticated, ends the attempt at once instead of waiting for another
 * answer (RFC 7296 §2.21.1); the tunnel tries again after a pause. */
static int init_errors(struct vtun__ikesa *sa, const struct vtun__ike_chain *c,
                       bool *restarted) {
  struct vtun__ike_notify n;

  *restarted = true;
  if (vtun__ike_find_notify(c, VTUN__IKE_N_COOKIE, &n) == 0)
    return init_retry_cookie(sa, &n);
  if (vtun__ike_find_notify(c, VTUN__IKE_N_INVALID_KE_PAYLOAD, &n) == 0)
    return init_retry_group(sa, &n);
  *restarted = false;
  for (unsigned i = 0; i < c->count; i++)
    if (c->pl[i].type == VTUN__IKE_PL_NOTIFY &&
        vtun__ike_notify_parse(&c->pl[i], &n) == 0 &&
        n.type < VTUN__IKE_N_STATUS_MIN)
      return n.type == VTUN__IKE_N_NO_PROPOSAL_CHOSEN ? VTUN_ENOPROPOSAL
                                                      : VTUN_EPEER;
  return 0;
}

int vtun__ike_init_response(struct vtun__ikesa *sa,
                            const struct vtun__ike_msg *m) {
  const struct vtun__ike_chain *c = &m->chain;
  bool restarted;
  int rc;

  rc = init_errors(sa, c, &restarted);
  if (restarted || rc == VTUN_EMALFORMED)
    return rc;
  if (rc != 0 || m->hdr.rspi == 0)
    goto fail;
  sa->rspi = m->hdr.rspi;
  if ((rc = init_check_choice(sa, c)) != 0 ||
      (rc = take_nonce(c, sa->nr, &sa->nr_len)) != 0 ||
      (rc = init_keys(sa, c)) != 0 ||
      (rc = keep_copy(&sa->init_resp, &sa->init_resp_len, m->raw,
                      m->raw_len)) != 0)
    goto fail;
  vtun__ike_request_done(sa);
  sa->frag_ok =
      vtun__ike_find_notify(c, VTUN__IKE_N_IKEV2_FRAGMENTATION_SUPPORTED,
                            &(struct vtun__ike_notify){0}) == 0;
  vtun__ike_natd_check(sa, c);
  vtun__ike_nat_switch(sa);
  if ((rc = vtun__ike_auth_start(sa)) != 0)
    goto fail;
  return 0;
fail:
  vtun__ike_sa_fail(sa, rc ? rc : VTUN_EPEER);
  return 0;
}

/* ---------------------------------------------------------- responder */

/* An answer that keeps no state: COOKIE, INVALID_KE_PAYLOAD or an error
 * (RFC 7296 §2.6, §1.2, §2.21.1). */
static int answer_stateless(vtun_ctx *ctx, vtun_vpn_instance *vrf,
                            const vtun_endpoint *local,
                            const vtun_endpoint *remote,
                            const struct vtun__ike_hdr *req, uint16_t type,
                            const uint8_t *data, size_t len) {
  uint8_t buf[128];
  struct vtun__ike_hdr h = {.ispi = req->ispi,
                            .exchange = VTUN__IKE_X_IKE_SA_INIT,
                            .flags = VTUN__IKE_FLAG_RESPONSE};
  struct vtun__ike_writer w;
  vtun_ssize n;

  vtun__ike_writer_init(&w, buf, sizeof(buf));
  vtun__ike_writer_hdr(&w, &h);
  vtun__ike_put_n(&w, type, data, len);
  if ((n = vtun__ike_writer_finish(&w)) < 0)
    return (int)n;
  return vtun__ike_send_raw(ctx, vrf, local, remote, buf, (size_t)n);
}

struct init_req {
  vtun_ctx *ctx;
  vtun_vpn_instance *vrf;
  const vtun_endpoint *local, *remote;
  const struct vtun__ike_msg *m;
  struct vtun__ike_blob ni;
  struct vtun__ike_ke ke;
  vtun_tunnel *tunnel; /* NULL: deferred to IKE_AUTH */
  struct ike_suite suite;
};

static int req_parse(struct init_req *r) {
  const struct vtun__ike_chain *c = &r->m->chain;
  const struct vtun__ike_payload *ni, *ke;

  ni = vtun__ike_chain_find(c, VTUN__IKE_PL_NONCE, 0);
  ke = vtun__ike_chain_find(c, VTUN__IKE_PL_KE, 0);
  if (r->m->hdr.rspi != 0 || r->m->hdr.msgid != 0 || ni == NULL || ke == NULL ||
      vtun__ike_chain_find(c, VTUN__IKE_PL_SA, 0) == NULL ||
      vtun__ike_nonce_parse(ni, &r->ni) != 0 ||
      vtun__ike_ke_parse(ke, &r->ke) != 0 || r->ni.len > IKE_NONCE_LEN * 8)
    return VTUN_EMALFORMED;
  return 0;
}

/* Under load, only an initiator that returns our cookie gets state. */
static int req_cookie(struct init_req *r) {
  struct vtun__ike_notify n;
  uint8_t ck[64];
  size_t cklen;
  int rc;

  if (!vtun__ike_cookie_needed(r->ctx))
    return 0;
  if (vtun__ike_find_notify(&r->m->chain, VTUN__IKE_N_COOKIE, &n) == 0 &&
      vtun__ike_cookie_check(r->ctx, &r->m->hdr, r->ni.data, r->ni.len,
                             r->remote, n.data, n.len))
    return 0;
  rc = vtun__ike_cookie_make(r->ctx, 0, &r->m->hdr, r->ni.data, r->ni.len,
                             r->remote, ck, &cklen);
  if (rc == 0)
    rc = answer_stateless(r->ctx, r->vrf, r->local, r->remote, &r->m->hdr,
                          VTUN__IKE_N_COOKIE, ck, cklen);
  return rc != 0 ? rc : 1;
}

static void req_log_nomatch(struct init_req *r) {
  char why[512], rem[VTUN_ADDRSTRLEN];
  struct vtun__match_query q = {r->vrf,           *r->local,    *r->remote,
                                VTUN_MATCH_IKEV2, VTUN_ID_NONE, NULL};
  struct vtun__match_result res;
  struct vtun__sb sb;

  atomic_fetch_add_explicit(&r->ctx->dp.cnt.ike_no_match, 1,
                            memory_order_relaxed);
  if (!vtun__log_on(&r->ctx->log, VTUN_LOG_DEBUG, VTUN_TOPIC_IKE) ||
      !vtun__ike_ratelimit(r->ctx))
    return;
  q.local.port = q.remote.port = 0;
  vtun__sb_init(&sb, why, sizeof(why));
  vtun__match(r->ctx, &q, &res, &sb);
  VTUN_LOG(&r->ctx->log, VTUN_LOG_DEBUG, VTUN_TOPIC_IKE,
           "IKE_SA_INIT from %s matches no tunnel: %s",
           vtun__ep_str(r->remote, rem), why);
}

static int req_match(struct init_req *r) {
  struct vtun__match_query q = {r->vrf,           *r->local,    *r->remote,
                                VTUN_MATCH_IKEV2, VTUN_ID_NONE, NULL};
  struct vtun__match_result res;

  q.local.port = q.remote.port = 0;
  if (vtun__match(r->ctx, &q, &res, NULL) == 0) {
    r->tunnel = res.tunnel;
    return 0;
  }
  if (res.needs_id)
    return 0;
  req_log_nomatch(r);
  return VTUN_ENOMATCH;
}

static int req_select(struct init_req *r) {
  struct ike_suite s[IKE_SUITES_MAX];
  unsigned n;
  uint8_t num;

  n = r->tunnel != NULL
          ? suites_of(vtun__tunnel_peer(r->tunnel), s, VTUN_MAX_PEER_PROPOSALS)
          : suites_any(r->ctx, s, IKE_SUITES_MAX);
  return select_suite(vtun__ike_chain_find(&r->m->chain, VTUN__IKE_PL_SA, 0), s,
                      n, &r->suite, &num);
}

static int resp_build(struct vtun__ikesa *sa, uint8_t *buf, size_t cap,
                      size_t *len) {
  struct vtun__ike_hdr h = {.ispi = sa->ispi,
                            .rspi = sa->rspi,
                            .exchange = VTUN__IKE_X_IKE_SA_INIT,
                            .flags = VTUN__IKE_FLAG_RESPONSE};
  struct ike_suite s = {sa->k.encr, sa->k.integ, sa->k.prf, sa->k.dh, 0};
  uint8_t pub[VTUN_DH_MAX_BYTES];
  size_t publen = sizeof(pub);
  struct vtun__ike_writer w;
  vtun_ssize n;
  int rc;

  rc = sa->ctx->crypto->dh_new(sa->ctx->crypto_state, sa->k.dh, &sa->dh, pub,
                               &publen);
  if (rc != 0)
    return rc;
  vtun__ike_writer_init(&w, buf, cap);
  vtun__ike_writer_hdr(&w, &h);
  put_suites(&w, &s, 1, 1);
  vtun__ike_put_ke(&w, (uint16_t)sa->k.dh, pub, publen);
  vtun__ike_put_nonce(&w, sa->nr, sa->nr_len);
  vtun__ike_natd_put(sa, &w);
  if (sa->frag_ok)
    vtun__ike_put_n(&w, VTUN__IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
  if ((n = vtun__ike_writer_finish(&w)) < 0)
    return (int)n;
  *len = (size_t)n;
  return 0;
}

static int resp_new_sa(struct init_req *r, struct vtun__ikesa **out) {
  struct vtun__ikesa *sa = vtun__ike_sa_new(r->ctx, r->tunnel, false);
  int rc;

  if (sa == NULL)
    return VTUN_ENOMEM;
  *out = sa;
  sa->ispi = r->m->hdr.ispi;
  vtun__ike_sa_index(sa);
  sa->vrf = r->vrf;
  sa->local = *r->local;
  sa->remote = *r->remote;
  sa_take_suite(sa, &r->suite);
  memcpy(sa->ni, r->ni.data, r->ni.len);
  sa->ni_len = r->ni.len;
  sa->nr_len = IKE_NONCE_LEN;
  sa->peer_next = 1;
  sa->counted_half_open = true;
  vtun__ike_eng(r->ctx)->half_open++;
  sa->frag_ok = vtun__ike_find_notify(&r->m->chain,
                                      VTUN__IKE_N_IKEV2_FRAGMENTATION_SUPPORTED,
                                      &(struct vtun__ike_notify){0}) == 0;
  do {
    rc = vtun__random(r->ctx, (uint8_t *)&sa->rspi, sizeof(sa->rspi));
  } while (rc == 0 && sa->rspi == 0);
  if (rc == 0)
    rc = vtun__random(r->ctx, sa->nr, sa->nr_len);
  return rc;
}

static int resp_answer(struct init_req *r) {
  struct vtun__ikesa *sa = NULL;
  uint8_t *buf = vtun__ike_eng(r->ctx)->scratch + 8;
  size_t len = 0;
  int rc;

  if ((rc = resp_new_sa(r, &sa)) != 0 ||
      (rc = keep_copy(&sa->init_req, &sa->init_req_len, r->m->raw,
                      r->m->raw_len)) != 0 ||
      (rc = resp_build(sa, buf, IKE_MSG_MAX - 8, &len)) != 0 ||
      (rc = init_keys(sa, &r->m->chain)) != 0 ||
      (rc = keep_copy(&sa->init_resp, &sa->init_resp_len, buf, len)) != 0)
    goto fail;
  if (r->tunnel != NULL)
    vtun__ike_sa_attach(sa, r->tunnel);
  vtun__ike_natd_check(sa, &r->m->chain);
  vtun__ike_nat_switch(sa);
  vtun__ike_sa_set_state(sa, IKE_S_INIT_DONE, 0);
  vtun__ike_sa_arm(sa, &sa->t_halfopen, IKE_HALFOPEN_LIFE);
  sa->resp_msgid = 0;
  sa->resp_valid = true;
  return send_plain(sa, &sa->resp, buf, len);
fail:
  if (sa != NULL) {
    vtun__ike_sa_set_state(sa, IKE_S_DEAD, rc);
    vtun__ike_sa_free(sa);
  }
  return rc;
}

int vtun__ike_init_request(vtun_ctx *ctx, vtun_vpn_instance *vrf,
                           const vtun_endpoint *local,
                           const vtun_endpoint *remote,
                           const struct vtun__ike_msg *m) {
  struct init_req r = {
      .ctx = ctx, .vrf = vrf, .local = local, .remote = remote, .m = m};
  struct vtun__ikesa *old = vtun__ike_sa_find_half(ctx, m->hdr.ispi, remote);
  uint8_t grp[2];
  int rc;

  if (old != NULL) {
    /* A retransmitted first message gets the same answer. */
    if (old->state == IKE_S_INIT_DONE && old->resp_valid)
      vtun__ike_send_flight(old, &old->resp);
    return 0;
  }
  if ((rc = req_parse(&r)) != 0)
    return rc;
  if ((rc = req_cookie(&r)) != 0)
    return rc < 0 ? rc : 0;

  /* Even initiators that return cookies get no more than a bounded
   * number of half-open SAs; beyond it they are dropped unanswered. */
  if (vtun__ike_eng(ctx)->half_open >= IKE_HALFOPEN_MAX ||
      vtun__ike_eng(ctx)->half_open >=
          16ull * ctx->settings.cookie_threshold + IKE_HALFOPEN_MIN)
    return VTUN_EBUSY;
  if ((rc = req_match(&r)) != 0 || (rc = req_select(&r)) != 0)
    return answer_stateless(ctx, vrf, local, remote, &m->hdr,
                            VTUN__IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
  if (r.ke.group != r.suite.dh) {
    vtun__put16(grp, (uint16_t)r.suite.dh);
    return answer_stateless(ctx, vrf, local, remote, &m->hdr,
                            VTUN__IKE_N_INVALID_KE_PAYLOAD, grp, 2);
  }
  return resp_answer(&r);
}
