/* Small helpers shared by the configuration tests. */
#ifndef VTUN_TEST_FIXTURE_H
#define VTUN_TEST_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "vtun/vtun.h"

/* Asserts that @p call fails with @p code and that the refusal message
 * contains @p needle (the rule's name, usually). */
#define assert_refused(ctx, call, code, needle)                                \
  do {                                                                         \
    int rv_ = (call);                                                          \
    if (rv_ != (code))                                                         \
      fail_msg("%s returned %d (%s), expected %s; message: %s", #call, rv_,    \
               vtun_err_name(rv_) ? vtun_err_name(rv_) : "?", #code,           \
               vtun_ctx_last_error(ctx));                                      \
    if (strstr(vtun_ctx_last_error(ctx), (needle)) == NULL)                    \
      fail_msg("message '%s' lacks '%s'", vtun_ctx_last_error(ctx), (needle)); \
  } while (0)

#define assert_ok(ctx, call)                                                   \
  do {                                                                         \
    int rv_ = (call);                                                          \
    if (rv_ != 0)                                                              \
      fail_msg("%s returned %d (%s): %s", #call, rv_,                          \
               vtun_err_name(rv_) ? vtun_err_name(rv_) : "?",                  \
               vtun_ctx_last_error(ctx));                                      \
  } while (0)

/* A context with one Layer 3 interface GE1 (192.0.2.1/24), ike proposal
 * 10, ike peer p1 (PSK), ipsec proposal prop1 and profile prof1 naming
 * them, and an ipsec tunnel Tunnel1 with source GE1 and no profile. */
struct fixture {
  vtun_ctx *ctx;
  vtun_iface *ge1;
  vtun_ike_proposal *ikeprop;
  vtun_ike_peer *peer;
  vtun_ipsec_proposal *prop;
  vtun_ipsec_profile *prof;
  vtun_tunnel *t1;
};

static inline void fixture_make(struct fixture *f) {
  memset(f, 0, sizeof(*f));
  assert_int_equal(vtun_ctx_new(&f->ctx, NULL, NULL, NULL), 0);
  assert_ok(f->ctx, vtun_iface_new(f->ctx, "GE1", VTUN_LAYER3, &f->ge1));
  assert_ok(f->ctx, vtun_iface_set_address(f->ge1, "192.0.2.1", 24));
  assert_ok(f->ctx, vtun_ike_proposal_new(f->ctx, NULL, 10, &f->ikeprop));
  assert_ok(f->ctx, vtun_ike_peer_new(f->ctx, NULL, "p1", &f->peer));
  assert_ok(f->ctx, vtun_ike_peer_set_psk(f->peer, (const uint8_t *)"k", 1));
  assert_ok(f->ctx, vtun_ike_peer_add_proposal(f->peer, f->ikeprop));
  assert_ok(f->ctx, vtun_ipsec_proposal_new(f->ctx, NULL, "prop1", &f->prop));
  assert_ok(f->ctx, vtun_ipsec_profile_new(f->ctx, NULL, "prof1", &f->prof));
  assert_ok(f->ctx, vtun_ipsec_profile_set_ike_peer(f->prof, "p1"));
  assert_ok(f->ctx, vtun_ipsec_profile_set_proposal(f->prof, "prop1"));
  assert_ok(f->ctx, vtun_tunnel_new(f->ctx, "Tunnel1", &f->t1));
  assert_ok(f->ctx, vtun_tunnel_set_protocol(f->t1, VTUN_TUNNEL_IPSEC));
  assert_ok(f->ctx, vtun_tunnel_set_source_iface(f->t1, f->ge1));
}

static inline int fixture_setup(void **state) {
  static struct fixture f;

  fixture_make(&f);
  *state = &f;
  return 0;
}

static inline int fixture_teardown(void **state) {
  struct fixture *f = *state;

  vtun_ctx_free(f->ctx);
  return 0;
}

/* Adds ipsec tunnel @p name on GE1 with a fresh peer/proposal/profile
 * (named after the tunnel), returning the tunnel and its peer. */
static inline vtun_tunnel *fixture_tunnel(struct fixture *f, const char *name,
                                          vtun_ike_peer **peer_out) {
  char pn[64], prn[64];
  vtun_ike_peer *peer;
  vtun_ipsec_proposal *prop;
  vtun_ipsec_profile *prof;
  vtun_tunnel *t;

  snprintf(pn, sizeof(pn), "peer-%s", name);
  snprintf(prn, sizeof(prn), "prof-%s", name);
  assert_ok(f->ctx, vtun_ike_peer_new(f->ctx, NULL, pn, &peer));
  assert_ok(f->ctx, vtun_ike_peer_add_proposal(peer, f->ikeprop));
  assert_ok(f->ctx, vtun_ipsec_proposal_new(f->ctx, NULL, prn, &prop));
  assert_ok(f->ctx, vtun_ipsec_profile_new(f->ctx, NULL, prn, &prof));
  assert_ok(f->ctx, vtun_ipsec_profile_set_ike_peer(prof, pn));
  assert_ok(f->ctx, vtun_ipsec_profile_set_proposal(prof, prn));
  assert_ok(f->ctx, vtun_tunnel_new(f->ctx, name, &t));
  assert_ok(f->ctx, vtun_tunnel_set_protocol(t, VTUN_TUNNEL_IPSEC));
  assert_ok(f->ctx, vtun_tunnel_set_unnumbered(t, f->ge1));
  assert_ok(f->ctx, vtun_tunnel_set_source_iface(t, f->ge1));
  assert_ok(f->ctx, vtun_tunnel_set_profile(t, prof));
  if (peer_out != NULL)
    *peer_out = peer;
  return t;
}

#endif
