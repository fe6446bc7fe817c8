/* IKE_AUTH with pre-shared keys (RFC 7296 §1.2, §2.15) and every
 * identity type of the configuration model, carrying the first Child SA
 * and the configuration payload. A responder that waited for the IDi
 * picks its tunnel here (the IKEv2 peer-ID extension, R10). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/match.h"
#include "core/psk.h"
#include "core/template.h"
#include "ike/payload.h"
#include "ike/payload_ts.h"
#include "ike/sa.h"
#include "util/mem.h"

/* The ID payload of our end: type and value (RFC 7296 §3.5). */
static int auth_local_id(struct vtun__ikesa *sa, uint8_t *type, uint8_t *val,
                         size_t *len) {
  const vtun_ike_peer *peer = vtun__tunnel_peer(sa->tunnel);
  vtun_endpoint ep = sa->local;

  switch (peer->local_id_type) {
  case VTUN_ID_FQDN:
    *type = VTUN__IKE_ID_FQDN;
    break;
  case VTUN_ID_USER_FQDN:
    *type = VTUN__IKE_ID_RFC822_ADDR;
    break;
  case VTUN_ID_KEY_ID:
    *type = VTUN__IKE_ID_KEY_ID;
    break;
  default:
    if (peer->local_id[0] != '\0' &&
        vtun_endpoint_parse(&ep, peer->local_id, 0) != 0)
      return VTUN_EINVAL;
    *type = ep.family == VTUN_AF_INET6 ? VTUN__IKE_ID_IPV6_ADDR
                                       : VTUN__IKE_ID_IPV4_ADDR;
    *len = vtun__ep_len(&ep);
    memcpy(val, ep.addr, *len);
    return 0;
  }
  *len = strlen(peer->local_id);
  memcpy(val, peer->local_id, *len);
  return 0;
}

/* A received ID as the configuration model's type and text. */
static int auth_id_text(const struct vtun__ike_id *id, int *type, char *out,
                        size_t cap) {
  vtun_endpoint ep = {0};

  switch (id->type) {
  case VTUN__IKE_ID_IPV4_ADDR:
  case VTUN__IKE_ID_IPV6_ADDR:
    ep.family =
        id->type == VTUN__IKE_ID_IPV4_ADDR ? VTUN_AF_INET : VTUN_AF_INET6;
    if (id->len != vtun__ep_len(&ep))
      return VTUN_EMALFORMED;
    memcpy(ep.addr, id->data, id->len);
    *type = VTUN_ID_IP;
    return vtun_endpoint_format(&ep, out, cap) < 0 ? VTUN_EMALFORMED : 0;
  case VTUN__IKE_ID_FQDN:
    *type = VTUN_ID_FQDN;
    break;
  case VTUN__IKE_ID_RFC822_ADDR:
    *type = VTUN_ID_USER_FQDN;
    break;
  case VTUN__IKE_ID_KEY_ID:
    *type = VTUN_ID_KEY_ID;
    break;
  default:
    return VTUN_EAUTH;
  }
  if (id->len == 0 || id->len >= cap || memchr(id->data, 0, id->len))
    return VTUN_EMALFORMED;
  memcpy(out, id->data, id->len);
  out[id->len] = '\0';
  return 0;
}

/* The peer's ID must be the configured remote ID when there is one. */
static bool auth_id_ok(const vtun_ike_peer *peer, int type, const char *text) {
  vtun_endpoint a, b;

  if (peer->remote_id_type == VTUN_ID_NONE)
    return true;
  if (peer->remote_id_type != type)
    return false;
  if (type == VTUN_ID_IP)
    return vtun_endpoint_parse(&a, peer->remote_id, 0) == 0 &&
           vtun_endpoint_parse(&b, text, 0) == 0 && vtun__ep_addr_eq(&a, &b);
  if (type == VTUN_ID_KEY_ID)
    return strcmp(peer->remote_id, text) == 0;
  return strcasecmp(peer->remote_id, text) == 0;
}

/* The key both ends sign with. A headquarters peer with a master secret
 * derives it from the branch's identity: the IDi it received as
 * responder, the configured remote ID as initiator. */
static int auth_psk(struct vtun__ikesa *sa, uint8_t key[VTUN_PSK_MAX],
                    size_t *len) {
  const vtun_ike_peer *peer = vtun__tunnel_peer(sa->tunnel);
  int rc;

  if (!peer->psk_derived || !sa->initiator)
    rc = vtun__peer_psk(sa->ctx, peer, sa->peer_id_type, sa->peer_id, key, len);
  else if (peer->remote_id_type == VTUN_ID_NONE)
    rc = VTUN_ENOENT;
  else
    rc = vtun__peer_psk(sa->ctx, peer, peer->remote_id_type, peer->remote_id,
                        key, len);
  return rc == 0 ? 0 : VTUN_EAUTH;
}

static int auth_put_id_auth(struct vtun__ikesa *sa, struct vtun__ike_writer *w,
                            bool initiator) {
  uint8_t body[4 + VTUN_ID_MAX], auth[VTUN_MAC_MAX_BYTES], key[VTUN_PSK_MAX];
  size_t len = 0, alen = 0, klen = 0;
  int rc;

  memset(body, 0, 4);
  if ((rc = auth_local_id(sa, &body[0], body + 4, &len)) != 0 ||
      (rc = auth_psk(sa, key, &klen)) != 0)
    return rc;
  vtun__ike_put_id(w, initiator ? VTUN__IKE_PL_IDI : VTUN__IKE_PL_IDR, body[0],
                   body + 4, len);
  rc = vtun__ike_psk_auth(sa, initiator, body, 4 + len, key, klen, auth, &alen);
  if (rc == 0)
    rc = vtun__ike_put_auth(w, VTUN__IKE_AUTH_PSK, auth, alen);
  vtun__wipe(auth, sizeof(auth));
  vtun__wipe(key, sizeof(key));
  return rc;
}

/* Checks the peer's AUTH payload against what its PSK gives. */
static int auth_verify(struct vtun__ikesa *sa,
                       const struct vtun__ike_payload *idp,
                       const struct vtun__ike_chain *c, bool of_initiator) {
  const struct vtun__ike_payload *ap =
      vtun__ike_chain_find(c, VTUN__IKE_PL_AUTH, 0);
  uint8_t want[VTUN_MAC_MAX_BYTES], key[VTUN_PSK_MAX];
  struct vtun__ike_auth a;
  size_t wlen = 0, klen = 0;
  int rc;

  if (ap == NULL || vtun__ike_auth_parse(ap, &a) != 0)
    return VTUN_EMALFORMED;
  if (a.method != VTUN__IKE_AUTH_PSK || auth_psk(sa, key, &klen) != 0)
    return VTUN_EAUTH;
  rc = vtun__ike_psk_auth(sa, of_initiator, idp->body, idp->len, key, klen,
                          want, &wlen);
  if (rc == 0 && (a.len != wlen || vtun__memeq_ct(want, a.data, wlen) != 0))
    rc = VTUN_EAUTH;
  vtun__wipe(want, sizeof(want));
  vtun__wipe(key, sizeof(key));
  return rc;
}

/* ---------------------------------------------------------- initiator */

int vtun__ike_auth_start(struct vtun__ikesa *sa) {
  uint8_t *buf = vtun__ike_eng(sa->ctx)->scratch + 2048;
  struct vtun__ike_writer w;
  int rc;

  sa->child.spi_in = vtun__ike_child_spi(sa->ctx);
  vtun__ike_writer_init(&w, buf, IKE_MSG_MAX - 2048);
  if ((rc = auth_put_id_auth(sa, &w, true)) != 0)
    return rc;
  vtun__ike_put_n(&w, VTUN__IKE_N_INITIAL_CONTACT, NULL, 0);
  vtun__ike_cfg_put_request(sa, &w);
  vtun__ike_child_put_sa(sa, &w, sa->child.spi_in);
  vtun__ike_child_put_ts(&w);
  vtun__ike_sa_set_state(sa, IKE_S_AUTH_SENT, 0);
  if ((rc = vtun__ike_send_sk(sa, VTUN__IKE_X_IKE_AUTH, false, sa->next_req,
                              &w)) != 0)
    return rc;
  return vtun__ike_request_sent(sa, IKE_REQ_AUTH);
}

static int auth_error(const struct vtun__ike_chain *c) {
  struct vtun__ike_notify n;

  for (unsigned i = 0; i < c->count; i++) {
    if (c->pl[i].type != VTUN__IKE_PL_NOTIFY ||
        vtun__ike_notify_parse(&c->pl[i], &n) != 0 ||
        n.type >= VTUN__IKE_N_STATUS_MIN)
      continue;
    switch (n.type) {
    case VTUN__IKE_N_AUTHENTICATION_FAILED:
      return VTUN_EAUTH;
    case VTUN__IKE_N_INTERNAL_ADDRESS_FAILURE:
      return VTUN_EPOOLEMPTY;
    case VTUN__IKE_N_NO_PROPOSAL_CHOSEN:
      return VTUN_ENOPROPOSAL;
    default:
      return VTUN_EPEER;
    }
  }
  return 0;
}

int vtun__ike_auth_response(struct vtun__ikesa *sa,
                            const struct vtun__ike_chain *c) {
  const struct vtun__ike_payload *idp =
      vtun__ike_chain_find(c, VTUN__IKE_PL_IDR, 0);
  struct vtun__ike_id id;
  int rc;

  if ((rc = auth_error(c)) != 0)
    goto fail;
  rc = VTUN_EMALFORMED;
  if (idp == NULL || vtun__ike_id_parse(idp, &id) != 0 ||
      auth_id_text(&id, &sa->peer_id_type, sa->peer_id, sizeof(sa->peer_id)) !=
          0)
    goto fail;
  rc = VTUN_EAUTH;
  if (!auth_id_ok(vtun__tunnel_peer(sa->tunnel), sa->peer_id_type,
                  sa->peer_id) ||
      (rc = auth_verify(sa, idp, c, false)) != 0)
    goto fail;
  if ((rc = vtun__ike_child_select(sa, c, &sa->child, true)) != 0)
    goto fail;
  vtun__ike_cfg_take(sa, c);
  rc = vtun__ike_child_install(sa, &sa->child, NULL, 0, sa->ni, sa->ni_len,
                               sa->nr, sa->nr_len, true);
  if (rc != 0)
    goto fail;
  vtun__ike_sa_established(sa);
  return 0;
fail:
  vtun__ike_sa_fail(sa, rc);
  return 0;
}

/* ---------------------------------------------------------- responder */

/* Picks the tunnel by IDi when IKE_SA_INIT could not (R10 extension). */
static int auth_match(struct vtun__ikesa *sa, int type, const char *id) {
  struct vtun__match_query q = {sa->vrf,          sa->local, sa->remote,
                                VTUN_MATCH_IKEV2, type,      id};
  struct vtun__match_result res;

  q.local.port = q.remote.port = 0;
  if (vtun__match(sa->ctx, &q, &res, NULL) != 0) {
    atomic_fetch_add_explicit(&sa->ctx->dp.cnt.ike_no_match, 1,
                              memory_order_relaxed);
    return VTUN_ENOMATCH;
  }
  vtun__ike_sa_attach(sa, res.tunnel);
  if (!vtun__ike_suite_ok(sa, vtun__tunnel_peer(res.tunnel)))
    return VTUN_ENOPROPOSAL;
  return 0;
}

/* Another SA of the same tunnel gives way to the new one: the peer
 * restarted, or said INITIAL_CONTACT (RFC 7296 §2.4).
 * LIMITATION: when both ends initiate at the same moment, both IKE SAs
 * stay up (each was still negotiating when the other finished); the
 * Child SA pair installed last carries the traffic and the other pair
 * is only rekeyed alongside it. */
static void auth_replace_old(struct vtun__ikesa *sa) {
  struct vtun__ike_tun *tt = vtun__ike_tun(sa->tunnel);
  struct vtun__list *it, *nx;

  /* Only the tunnel's own SAs: a headquarters bringing up N tunnels does
   * not walk every SA N times. */
  for (it = tt != NULL ? tt->sas.next : NULL; it != NULL && it != &tt->sas;
       it = nx) {
    struct vtun__ikesa *o = vtun__container_of(it, struct vtun__ikesa, tlink);

    nx = it->next;
    if (o != sa && o->state >= IKE_S_ESTABLISHED) {
      if (vtun__ike_tun(o->tunnel) != NULL && vtun__ike_tun(o->tunnel)->sa == o)
        vtun__ike_tun(o->tunnel)->sa = sa;
      vtun__ike_sa_set_state(o, IKE_S_DEAD, 0);
      vtun__ike_sa_free(o);
    }
  }
  if (vtun__ike_tun(sa->tunnel) != NULL)
    vtun__ike_tun(sa->tunnel)->sa = sa;
}

static int auth_answer(struct vtun__ikesa *sa,
                       const struct vtun__ike_chain *c) {
  uint8_t *buf = vtun__ike_eng(sa->ctx)->scratch + 2048;
  struct vtun__ike_writer w;
  int rc;

  sa->child.spi_in = vtun__ike_child_spi(sa->ctx);
  vtun__ike_writer_init(&w, buf, IKE_MSG_MAX - 2048);
  if ((rc = auth_put_id_auth(sa, &w, false)) != 0 ||
      (rc = vtun__ike_cfg_reply(sa, c, &w)) != 0)
    return rc;
  vtun__ike_child_put_sa(sa, &w, sa->child.spi_in);
  vtun__ike_put_raw(&w, VTUN__IKE_PL_TSI,
                    vtun__ike_chain_find(c, VTUN__IKE_PL_TSI, 0)->body,
                    vtun__ike_chain_find(c, VTUN__IKE_PL_TSI, 0)->len);
  vtun__ike_put_raw(&w, VTUN__IKE_PL_TSR,
                    vtun__ike_chain_find(c, VTUN__IKE_PL_TSR, 0)->body,
                    vtun__ike_chain_find(c, VTUN__IKE_PL_TSR, 0)->len);
  return vtun__ike_send_sk(sa, VTUN__IKE_X_IKE_AUTH, true, sa->peer_next - 1,
                           &w);
}

static int auth_check_ts(const struct vtun__ike_chain *c) {
  struct vtun__ike_ts_list l;

  /* Any selectors are accepted (REQUIREMENTS section 3): routing decides
   * what enters the tunnel; they only have to be well-formed. */
  if (vtun__ike_chain_find(c, VTUN__IKE_PL_TSI, 0) == NULL ||
      vtun__ike_chain_find(c, VTUN__IKE_PL_TSR, 0) == NULL ||
      vtun__ike_ts_parse(vtun__ike_chain_find(c, VTUN__IKE_PL_TSI, 0), &l) !=
          0 ||
      vtun__ike_ts_parse(vtun__ike_chain_find(c, VTUN__IKE_PL_TSR, 0), &l) != 0)
    return VTUN_EMALFORMED;
  return 0;
}

static uint16_t auth_notify_of(int rc) {
  switch (rc) {
  case VTUN_EPOOLEMPTY:
    return VTUN__IKE_N_INTERNAL_ADDRESS_FAILURE;
  case VTUN_ENOPROPOSAL:
    return VTUN__IKE_N_NO_PROPOSAL_CHOSEN;
  case VTUN_EMALFORMED:
    return VTUN__IKE_N_INVALID_SYNTAX;
  default:
    return VTUN__IKE_N_AUTHENTICATION_FAILED;
  }
}

/* A branch taken by a template gets its own tunnel only now that it has
 * authenticated with the template's peer: the one it had before under
 * the same identity, or a new one. */
static int auth_instantiate(struct vtun__ikesa *sa) {
  vtun_tunnel *tmpl = sa->tunnel, *inst;
  struct vtun__ike_tun *tt = vtun__ike_tun(tmpl);
  int rc;

  if (tmpl->tmpl_mode == VTUN_TEMPLATE_NONE)
    return 0;
  if (tt != NULL && tt->sa == sa)
    tt->sa = NULL;
  vtun__ike_sa_set_tunnel(sa, NULL);
  if ((rc = vtun__template_instance(tmpl, sa->peer_id_type, sa->peer_id,
                                    &inst)) != 0)
    return rc;
  vtun__ike_sa_attach(sa, inst);
  return 0;
}

static int auth_identify(struct vtun__ikesa *sa,
                         const struct vtun__ike_payload *idp,
                         const struct vtun__ike_chain *c) {
  struct vtun__ike_id id;
  int rc, type = 0;

  if (idp == NULL || vtun__ike_id_parse(idp, &id) != 0 || auth_check_ts(c) != 0)
    return VTUN_EMALFORMED;
  if ((rc = auth_id_text(&id, &type, sa->peer_id, sizeof(sa->peer_id))) != 0)
    return rc == VTUN_EMALFORMED ? VTUN_EAUTH : rc;
  sa->peer_id_type = type;
  if (sa->tunnel == NULL && (rc = auth_match(sa, type, sa->peer_id)) != 0)
    return rc == VTUN_ENOMATCH ? VTUN_EAUTH : rc;
  if (!auth_id_ok(vtun__tunnel_peer(sa->tunnel), type, sa->peer_id))
    return VTUN_EAUTH;
  if ((rc = auth_verify(sa, idp, c, true)) != 0)
    return rc;
  return auth_instantiate(sa);
}

int vtun__ike_auth_request(struct vtun__ikesa *sa,
                           const struct vtun__ike_msg *m,
                           const struct vtun__ike_chain *c) {
  int rc;

  (void)m;
  if (sa->initiator || sa->state != IKE_S_INIT_DONE)
    return VTUN_EMALFORMED;
  rc = auth_identify(sa, vtun__ike_chain_find(c, VTUN__IKE_PL_IDI, 0), c);
  if (rc == 0)
    rc = vtun__ike_child_select(sa, c, &sa->child, false);
  if (rc == 0)
    rc = auth_answer(sa, c);
  if (rc == 0)
    rc = vtun__ike_child_install(sa, &sa->child, NULL, 0, sa->ni, sa->ni_len,
                                 sa->nr, sa->nr_len, false);
  if (rc != 0) {
    vtun__ike_send_error(sa, VTUN__IKE_X_IKE_AUTH, sa->peer_next - 1,
                         auth_notify_of(rc));
    vtun__ike_sa_fail(sa, rc);
    return 0;
  }
  auth_replace_old(sa);
  vtun__ike_sa_established(sa);
  return 0;
}
