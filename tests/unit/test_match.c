/* Headquarters matching (REQUIREMENTS section 4), one test per step, and
 * the initiation query (section 3), one test per case. */
#include "fixture.h"

#include "core/template.h"

#define F struct fixture *f = *state
#define HQ "192.0.2.1"

static vtun_tunnel *match(struct fixture *f, const char *remote, int ex,
                          int idt, const char *id, int expect) {
  vtun_tunnel *t = NULL;
  int rv = vtun_ctx_match(f->ctx, NULL, HQ, remote, ex, idt, id, &t);

  if (rv != expect)
    fail_msg("match %s returned %d: %s", remote, rv,
             vtun_ctx_last_error(f->ctx));
  return t;
}

/* Step 2: the destination wins over a peer listing the same address. */
static void step2_destination(void **state) {
  F;
  vtun_tunnel *a = fixture_tunnel(f, "Tunnel2", NULL);
  vtun_ike_peer *pb;
  vtun_tunnel *b = fixture_tunnel(f, "Tunnel3", &pb);
  char why[2048];

  assert_ok(f->ctx, vtun_tunnel_set_destination(a, "198.51.100.2", NULL));
  assert_ok(f->ctx, vtun_ike_peer_add_remote_address(pb, "198.51.100.7"));
  assert_ptr_equal(match(f, "198.51.100.2", VTUN_MATCH_IKEV2, 0, NULL, 0), a);
  assert_ptr_equal(match(f, "198.51.100.7", VTUN_MATCH_IKEV2, 0, NULL, 0), b);
  assert_true(vtun_ctx_explain_match(f->ctx, NULL, HQ, "198.51.100.2",
                                     VTUN_MATCH_IKEV2, 0, NULL, why,
                                     sizeof(why)) > 0);
  assert_non_null(strstr(why, "chosen: Tunnel2 (step 2)"));
  assert_non_null(strstr(why, "step 1 (ipsec tunnels on this local "
                              "address): Tunnel2 Tunnel3"));
}

/* Step 3: the peer's remote addresses, any of several. */
static void step3_remote_address(void **state) {
  F;
  vtun_ike_peer *pa;
  vtun_tunnel *a = fixture_tunnel(f, "Tunnel2", &pa);

  fixture_tunnel(f, "Tunnel3", NULL);
  assert_ok(f->ctx, vtun_ike_peer_add_remote_address(pa, "198.51.100.8"));
  assert_ok(f->ctx, vtun_ike_peer_add_remote_address(pa, "198.51.100.9"));
  assert_ptr_equal(match(f, "198.51.100.9", VTUN_MATCH_IKEV2, 0, NULL, 0), a);
}

/* Step 4: the peer ID, IKEv1 aggressive or IKEv2 with the extension. */
static void step4_peer_id(void **state) {
  F;
  vtun_ike_peer *pa, *pb;
  vtun_tunnel *a = fixture_tunnel(f, "Tunnel2", &pa);
  vtun_tunnel *b = fixture_tunnel(f, "Tunnel3", &pb);
  char why[2048];

  assert_ok(f->ctx, vtun_ike_peer_set_versions(pa, VTUN_IKEV1));
  assert_ok(f->ctx, vtun_ike_peer_set_exchange_mode(pa, VTUN_MODE_AGGRESSIVE));
  assert_ok(f->ctx, vtun_ike_peer_set_remote_id(pa, VTUN_ID_FQDN, "a.net"));
  assert_ok(f->ctx, vtun_ike_peer_set_remote_id(pb, VTUN_ID_FQDN, "b.net"));
  assert_ok(f->ctx, vtun_ike_peer_set_ikev2_id_match(pb, 1));
  assert_ptr_equal(match(f, "203.0.113.5", VTUN_MATCH_IKEV1_AGGRESSIVE,
                         VTUN_ID_FQDN, "A.NET", 0),
                   a);
  assert_ptr_equal(
      match(f, "203.0.113.5", VTUN_MATCH_IKEV2, VTUN_ID_FQDN, "b.net", 0), b);
  /* IKEv1 main mode cannot use the ID: the peer is aggressive only. */
  match(f, "203.0.113.5", VTUN_MATCH_IKEV1_MAIN, VTUN_ID_FQDN, "a.net",
        VTUN_ENOMATCH);
  /* Before IKE_AUTH the IKEv2 responder does not know the ID yet. */
  vtun_ctx_explain_match(f->ctx, NULL, HQ, "203.0.113.5", VTUN_MATCH_IKEV2, 0,
                         NULL, why, sizeof(why));
  assert_non_null(strstr(why, "the peer ID is needed to decide"));
}

/* Step 5: the single responder-only tunnel without constraint. */
static void step5_unconstrained(void **state) {
  F;
  vtun_tunnel *a = fixture_tunnel(f, "Tunnel2", NULL);
  vtun_tunnel *b = fixture_tunnel(f, "Tunnel3", NULL);

  assert_ok(f->ctx, vtun_tunnel_set_destination(a, "198.51.100.2", NULL));
  assert_ptr_equal(match(f, "203.0.113.77", VTUN_MATCH_IKEV2, 0, NULL, 0), b);
}

/* Step 6: refusal, with the competing tunnels named. */
static void step6_refused(void **state) {
  F;
  fixture_tunnel(f, "Tunnel2", NULL);
  fixture_tunnel(f, "Tunnel3", NULL);
  match(f, "203.0.113.77", VTUN_MATCH_IKEV2, 0, NULL, VTUN_ENOMATCH);
  assert_non_null(strstr(vtun_ctx_last_error(f->ctx), "Tunnel2, Tunnel3"));
  /* Nothing on another local address. */
  assert_int_equal(vtun_ctx_match(f->ctx, NULL, "192.0.2.99", "203.0.113.77",
                                  VTUN_MATCH_IKEV2, 0, NULL,
                                  &(vtun_tunnel *){NULL}),
                   VTUN_ENOMATCH);
  assert_int_equal(vtun_ctx_match(f->ctx, NULL, "bad", "203.0.113.77",
                                  VTUN_MATCH_IKEV2, 0, NULL,
                                  &(vtun_tunnel *){NULL}),
                   VTUN_EINVAL);
}

/* A disabled tunnel or another vpn-instance is no candidate. */
static void step1_candidates(void **state) {
  F;
  vtun_tunnel *a = fixture_tunnel(f, "Tunnel2", NULL);
  vtun_tunnel *b = fixture_tunnel(f, "Tunnel3", NULL);
  vtun_vpn_instance *vrf;
  vtun_tunnel *t = NULL;

  assert_ok(f->ctx, vtun_tunnel_set_enabled(a, 0));
  assert_ptr_equal(match(f, "203.0.113.77", VTUN_MATCH_IKEV2, 0, NULL, 0), b);
  assert_ok(f->ctx, vtun_vpn_instance_new(f->ctx, "V", &vrf));
  assert_ok(f->ctx, vtun_tunnel_set_destination(b, "203.0.113.77", vrf));
  match(f, "203.0.113.77", VTUN_MATCH_IKEV2, 0, NULL, VTUN_ENOMATCH);
  assert_ok(f->ctx, vtun_ctx_match(f->ctx, vrf, HQ, "203.0.113.77",
                                   VTUN_MATCH_IKEV2, 0, NULL, &t));
  assert_ptr_equal(t, b);
}

/* Initiation: destination first. */
static void init_destination(void **state) {
  F;
  char r[64], l[64];
  int role;

  assert_ok(f->ctx, vtun_ike_peer_add_remote_address(f->peer, "198.51.100.2"));
  assert_ok(f->ctx, vtun_tunnel_set_destination(f->t1, "198.51.100.2", NULL));
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_ok(f->ctx, vtun_tunnel_get_initiation(f->t1, 0, &role, r, sizeof(r), l,
                                               sizeof(l)));
  assert_int_equal(role, VTUN_ROLE_INITIATOR);
  assert_string_equal(r, "198.51.100.2");
  assert_string_equal(l, "192.0.2.1");
  assert_int_equal(
      vtun_tunnel_get_initiation(f->t1, 1, &role, r, sizeof(r), l, sizeof(l)),
      VTUN_ENOENT);
}

/* Initiation: the peer's remote addresses, tried in order. */
static void init_remote_addresses(void **state) {
  F;
  char r[64], why[1024];
  int role;

  assert_ok(f->ctx, vtun_ike_peer_add_remote_address(f->peer, "198.51.100.2"));
  assert_ok(f->ctx, vtun_ike_peer_add_remote_address(f->peer, "198.51.100.3"));
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_ok(f->ctx,
            vtun_tunnel_get_initiation(f->t1, 1, &role, r, sizeof(r), NULL, 0));
  assert_string_equal(r, "198.51.100.3");
  vtun_tunnel_explain_initiation(f->t1, why, sizeof(why));
  assert_non_null(strstr(why, "initiates to 198.51.100.3: remote address 2 "
                              "of ike peer p1"));
  assert_non_null(strstr(why, "current address of source interface GE1"));
}

/* Initiation: neither: only respond. */
static void init_respond_only(void **state) {
  F;
  char why[1024];
  int role;

  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_ok(f->ctx,
            vtun_tunnel_get_initiation(f->t1, 0, &role, NULL, 0, NULL, 0));
  assert_int_equal(role, VTUN_ROLE_RESPONDER);
  vtun_tunnel_explain_initiation(f->t1, why, sizeof(why));
  assert_non_null(strstr(why, "only responds"));
}

/* Initiation: the local address follows the source interface. */
static void init_source_moves(void **state) {
  F;
  char l[64];
  int role;

  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_ok(f->ctx, vtun_iface_set_address(f->ge1, "192.0.2.55", 24));
  assert_ok(f->ctx,
            vtun_tunnel_get_initiation(f->t1, 0, &role, NULL, 0, l, sizeof(l)));
  assert_string_equal(l, "192.0.2.55");
  assert_ok(f->ctx, vtun_iface_clear_address(f->ge1, VTUN_AF_INET));
  assert_int_equal(
      vtun_tunnel_get_initiation(f->t1, 0, &role, NULL, 0, l, sizeof(l)),
      VTUN_ESTATE);
  assert_int_equal(role, VTUN_ROLE_NONE);
  assert_non_null(strstr(vtun_ctx_last_error(f->ctx), "no local address"));
}

/* Initiation: a tunnel that cannot work says why. */
static void init_down(void **state) {
  F;
  int role;

  assert_int_equal(
      vtun_tunnel_get_initiation(f->t1, 0, &role, NULL, 0, NULL, 0),
      VTUN_ESTATE);
  assert_non_null(strstr(vtun_ctx_last_error(f->ctx), "no ipsec profile"));
  assert_ok(f->ctx, vtun_tunnel_set_enabled(f->t1, 0));
  assert_int_equal(vtun_tunnel_get_state(f->t1), VTUN_STATE_ADMIN_DOWN);
}

/* After step 5: a template takes a branch once its ID is known, and
 * finds each branch's own tunnel again by that ID. */
static void template_step(void **state) {
  F;
  vtun_tunnel *tmpl = fixture_tunnel(f, "Tunnel9", NULL), *got, *again;
  char why[2048], id[64];
  unsigned n = 0;

  assert_ok(f->ctx, vtun_tunnel_set_template(tmpl, VTUN_TEMPLATE_KEEP));
  match(f, "198.51.100.2", VTUN_MATCH_IKEV2, 0, NULL, VTUN_ENOMATCH);
  assert_true(vtun_ctx_explain_match(f->ctx, NULL, HQ, "198.51.100.2",
                                     VTUN_MATCH_IKEV2, 0, NULL, why,
                                     sizeof(why)) > 0);
  assert_non_null(strstr(why, "the peer ID is needed"));
  assert_ptr_equal(
      match(f, "198.51.100.2", VTUN_MATCH_IKEV2, VTUN_ID_FQDN, "br.example", 0),
      tmpl);
  assert_true(vtun_ctx_explain_match(f->ctx, NULL, HQ, "198.51.100.2",
                                     VTUN_MATCH_IKEV2, VTUN_ID_FQDN,
                                     "br.example", why, sizeof(why)) > 0);
  assert_non_null(strstr(why, "chosen: template Tunnel9"));
  /* IKEv1 has no template step. */
  match(f, "198.51.100.2", VTUN_MATCH_IKEV1_MAIN, 0, NULL, VTUN_ENOMATCH);

  /* 1000 branches, each found again (case-insensitively for FQDNs). */
  for (int i = 0; i < 1000; i++) {
    snprintf(id, sizeof(id), "br%d.example", i);
    assert_int_equal(vtun__template_instance(tmpl, VTUN_ID_FQDN, id, &got), 0);
    assert_ptr_equal(vtun_tunnel_get_template(got), tmpl);
  }
  assert_int_equal(
      vtun__template_instance(tmpl, VTUN_ID_FQDN, "BR7.example", &got), 0);
  assert_string_equal(vtun_tunnel_get_name(got), "Tunnel9-8");
  assert_int_equal(
      vtun__template_instance(tmpl, VTUN_ID_KEY_ID, "br7.example", &again), 0);
  assert_ptr_not_equal(got, again);
  assert_ok(f->ctx, vtun_tunnel_delete(got));
  assert_int_equal(
      vtun__template_instance(tmpl, VTUN_ID_FQDN, "br7.example", &again), 0);
  assert_string_equal(vtun_tunnel_get_name(again), "Tunnel9-1002");
  for (vtun_tunnel *t = NULL; (t = vtun_tunnel_next(f->ctx, t)) != NULL;)
    n += vtun_tunnel_get_template(t) == tmpl;
  assert_int_equal(n, 1001);

  /* An ordinary tunnel again: its instances go. */
  assert_ok(f->ctx, vtun_tunnel_set_template(tmpl, VTUN_TEMPLATE_NONE));
  n = 0;
  for (vtun_tunnel *t = NULL; (t = vtun_tunnel_next(f->ctx, t)) != NULL;)
    n++;
  assert_int_equal(n, 2);
}

#define T(name)                                                                \
  cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(step1_candidates),  T(step2_destination),   T(step3_remote_address),
      T(step4_peer_id),     T(step5_unconstrained), T(step6_refused),
      T(template_step),     T(init_destination),    T(init_remote_addresses),
      T(init_respond_only), T(init_source_moves),   T(init_down),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
