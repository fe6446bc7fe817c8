/* One accept and one refuse test per configuration rule R1-R14. Each
 * refusal must name its rule and leave the configuration unchanged. */
#include "fixture.h"

#define F struct fixture *f = *state

/* R1: one profile per tunnel, one tunnel per profile. */
static void r1_accept(void **state) {
  F;
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_ptr_equal(vtun_tunnel_get_profile(f->t1), f->prof);
  assert_ptr_equal(vtun_ipsec_profile_get_tunnel(f->prof), f->t1);
  /* Removing and applying again is fine. */
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, NULL));
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
}

static void r1_refuse(void **state) {
  F;
  vtun_ipsec_profile *prof2;
  vtun_tunnel *t2;

  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_ok(f->ctx, vtun_ipsec_profile_new(f->ctx, NULL, "prof2", &prof2));
  assert_ok(f->ctx, vtun_ipsec_profile_set_ike_peer(prof2, "p1"));
  assert_ok(f->ctx, vtun_ipsec_profile_set_proposal(prof2, "prop1"));
  assert_refused(f->ctx, vtun_tunnel_set_profile(f->t1, prof2),
                 VTUN_ER1_PROFILE_BINDING, "R1: Tunnel1");
  assert_ptr_equal(vtun_tunnel_get_profile(f->t1), f->prof);
  assert_null(vtun_ipsec_profile_get_tunnel(prof2));

  assert_ok(f->ctx, vtun_tunnel_new(f->ctx, "Tunnel2", &t2));
  assert_ok(f->ctx, vtun_tunnel_set_protocol(t2, VTUN_TUNNEL_IPSEC));
  assert_refused(f->ctx, vtun_tunnel_set_profile(t2, f->prof),
                 VTUN_ER1_PROFILE_BINDING, "prof1 is applied to Tunnel1");
  assert_null(vtun_tunnel_get_profile(t2));
}

/* R2: peer and proposal must exist when the profile is applied. */
static void r2_accept(void **state) {
  F;
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
}

static void r2_refuse(void **state) {
  F;
  vtun_ipsec_profile *p;

  assert_ok(f->ctx, vtun_ipsec_profile_new(f->ctx, NULL, "later", &p));
  assert_ok(f->ctx, vtun_ipsec_profile_set_ike_peer(p, "not-yet"));
  assert_ok(f->ctx, vtun_ipsec_profile_set_proposal(p, "prop1"));
  assert_refused(f->ctx, vtun_tunnel_set_profile(f->t1, p),
                 VTUN_ER2_PROFILE_INCOMPLETE, "R2: ipsec profile later");
  assert_non_null(strstr(vtun_ctx_last_error(f->ctx), "not-yet"));
  assert_null(vtun_tunnel_get_profile(f->t1));

  assert_ok(f->ctx, vtun_ipsec_profile_set_ike_peer(p, "p1"));
  assert_ok(f->ctx, vtun_ipsec_profile_set_proposal(p, "missing-prop"));
  assert_refused(f->ctx, vtun_tunnel_set_profile(f->t1, p),
                 VTUN_ER2_PROFILE_INCOMPLETE, "missing-prop");
}

/* R3: vpn-instance on the destination only in ipsec mode. */
static void r3_accept(void **state) {
  F;
  vtun_vpn_instance *vrf;

  assert_ok(f->ctx, vtun_vpn_instance_new(f->ctx, "VPN1", &vrf));
  assert_ok(f->ctx, vtun_tunnel_set_destination(f->t1, "198.51.100.2", vrf));
  assert_ptr_equal(vtun_tunnel_get_vpn_instance(f->t1), vrf);
}

static void r3_refuse(void **state) {
  F;
  vtun_vpn_instance *vrf;
  char buf[64];

  assert_ok(f->ctx, vtun_vpn_instance_new(f->ctx, "VPN1", &vrf));
  assert_ok(f->ctx, vtun_tunnel_set_protocol(f->t1, VTUN_TUNNEL_GRE));
  assert_refused(f->ctx,
                 vtun_tunnel_set_destination(f->t1, "198.51.100.2", vrf),
                 VTUN_ER3_VPN_INSTANCE_MODE, "R3: Tunnel1");
  assert_int_equal(vtun_tunnel_get_destination(f->t1, buf, sizeof(buf)),
                   VTUN_ENOENT);

  /* The other order: switching to gre with a vpn-instance set. */
  assert_ok(f->ctx, vtun_tunnel_set_protocol(f->t1, VTUN_TUNNEL_IPSEC));
  assert_ok(f->ctx, vtun_tunnel_set_destination(f->t1, "198.51.100.2", vrf));
  assert_refused(f->ctx, vtun_tunnel_set_protocol(f->t1, VTUN_TUNNEL_GRE),
                 VTUN_ER3_VPN_INSTANCE_MODE, "VPN1");
  assert_int_equal(vtun_tunnel_get_protocol(f->t1), VTUN_TUNNEL_IPSEC);
}

/* R4: the source interface must be Layer 3. */
static void r4_accept(void **state) {
  F;
  assert_ptr_equal(vtun_tunnel_get_source_iface(f->t1), f->ge1);
}

static void r4_refuse(void **state) {
  F;
  vtun_iface *l2;

  assert_ok(f->ctx, vtun_iface_new(f->ctx, "Eth-L2", VTUN_LAYER2, &l2));
  assert_refused(f->ctx, vtun_tunnel_set_source_iface(f->t1, l2),
                 VTUN_ER4_SOURCE_LAYER, "R4: Tunnel1");
  assert_ptr_equal(vtun_tunnel_get_source_iface(f->t1), f->ge1);
  /* Turning the source into Layer 2 afterwards is refused too. */
  assert_refused(f->ctx, vtun_iface_set_layer(f->ge1, VTUN_LAYER2),
                 VTUN_ER4_SOURCE_LAYER, "GE1");
  assert_int_equal(vtun_iface_get_layer(f->ge1), VTUN_LAYER3);
}

/* R5: gre needs a destination (the tunnel stays down and says why);
 * ipsec does with one end only. */
static void r5_accept(void **state) {
  F;
  assert_ok(f->ctx, vtun_tunnel_set_protocol(f->t1, VTUN_TUNNEL_GRE));
  assert_ok(f->ctx, vtun_tunnel_set_destination(f->t1, "198.51.100.2", NULL));
  assert_ok(f->ctx, vtun_tunnel_check(f->t1));
  assert_int_equal(vtun_tunnel_get_state(f->t1), VTUN_STATE_IDLE);

  /* ipsec without destination is fine: it responds. */
  assert_ok(f->ctx, vtun_tunnel_clear_destination(f->t1));
  assert_ok(f->ctx, vtun_tunnel_set_protocol(f->t1, VTUN_TUNNEL_IPSEC));
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_ok(f->ctx, vtun_tunnel_check(f->t1));
}

static void r5_refuse(void **state) {
  F;
  assert_ok(f->ctx, vtun_tunnel_set_protocol(f->t1, VTUN_TUNNEL_GRE));
  assert_refused(f->ctx, vtun_tunnel_check(f->t1), VTUN_ER5_GRE_DESTINATION,
                 "R5: Tunnel1");
  assert_int_equal(vtun_tunnel_get_state(f->t1), VTUN_STATE_DOWN);
}

/* R6: destination and peer remote address must agree. */
static void r6_accept(void **state) {
  F;
  assert_ok(f->ctx, vtun_ike_peer_add_remote_address(f->peer, "198.51.100.2"));
  assert_ok(f->ctx, vtun_tunnel_set_destination(f->t1, "198.51.100.2", NULL));
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
}

static void r6_refuse(void **state) {
  F;
  char buf[64];

  assert_ok(f->ctx, vtun_ike_peer_add_remote_address(f->peer, "198.51.100.2"));
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_refused(f->ctx,
                 vtun_tunnel_set_destination(f->t1, "198.51.100.9", NULL),
                 VTUN_ER6_DESTINATION_MISMATCH, "R6: Tunnel1");
  assert_int_equal(vtun_tunnel_get_destination(f->t1, buf, sizeof(buf)),
                   VTUN_ENOENT);

  /* Order reversed: destination first, then the peer's address. */
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, NULL));
  assert_ok(f->ctx,
            vtun_ike_peer_remove_remote_address(f->peer, "198.51.100.2"));
  assert_ok(f->ctx, vtun_tunnel_set_destination(f->t1, "198.51.100.9", NULL));
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_refused(f->ctx,
                 vtun_ike_peer_add_remote_address(f->peer, "198.51.100.2"),
                 VTUN_ER6_DESTINATION_MISMATCH, "ike peer p1");
  assert_int_equal(vtun_ike_peer_get_remote_address_count(f->peer), 0);
}

/* R7: several remote addresses only without destination. */
static void r7_accept(void **state) {
  F;
  assert_ok(f->ctx, vtun_ike_peer_add_remote_address(f->peer, "198.51.100.2"));
  assert_ok(f->ctx, vtun_ike_peer_add_remote_address(f->peer, "198.51.100.3"));
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
}

static void r7_refuse(void **state) {
  F;
  assert_ok(f->ctx, vtun_ike_peer_add_remote_address(f->peer, "198.51.100.2"));
  assert_ok(f->ctx, vtun_tunnel_set_destination(f->t1, "198.51.100.2", NULL));
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_refused(f->ctx,
                 vtun_ike_peer_add_remote_address(f->peer, "198.51.100.3"),
                 VTUN_ER7_MULTIPLE_REMOTES, "R7: Tunnel1");
  assert_int_equal(vtun_ike_peer_get_remote_address_count(f->peer), 1);
}

/* R8: a root profile cannot protect a tunnel bound to a virtual system. */
static void r8_accept(void **state) {
  F;
  vtun_vsys *v;
  vtun_ipsec_profile *vp;

  assert_ok(f->ctx, vtun_vsys_new(f->ctx, "V1", &v));
  assert_ok(f->ctx, vtun_ipsec_profile_new(f->ctx, v, "vprof", &vp));
  assert_ok(f->ctx, vtun_ike_peer_new(f->ctx, v, "vpeer", &f->peer));
  assert_ok(f->ctx, vtun_ipsec_proposal_new(f->ctx, v, "vprop", &f->prop));
  assert_ok(f->ctx, vtun_ipsec_profile_set_ike_peer(vp, "vpeer"));
  assert_ok(f->ctx, vtun_ipsec_profile_set_proposal(vp, "vprop"));
  assert_ok(f->ctx, vtun_tunnel_set_vsys(f->t1, v));
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, vp));
}

static void r8_refuse(void **state) {
  F;
  vtun_vsys *v;

  assert_ok(f->ctx, vtun_vsys_new(f->ctx, "V1", &v));
  assert_ok(f->ctx, vtun_tunnel_set_vsys(f->t1, v));
  assert_refused(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof),
                 VTUN_ER8_VSYS_PROFILE, "R8: Tunnel1 is bound to V1");
  assert_null(vtun_tunnel_get_profile(f->t1));

  /* Binding a tunnel that has a root profile to a vsys is refused too. */
  assert_ok(f->ctx, vtun_tunnel_set_vsys(f->t1, NULL));
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_refused(f->ctx, vtun_tunnel_set_vsys(f->t1, v), VTUN_ER8_VSYS_PROFILE,
                 "R8: Tunnel1");
  assert_null(vtun_tunnel_get_vsys(f->t1));
}

/* R9: a negotiated address needs IKEv2. */
static void r9_accept(void **state) {
  F;
  assert_ok(f->ctx, vtun_tunnel_set_address_negotiated(f->t1));
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_int_equal(vtun_tunnel_get_address_mode(f->t1), VTUN_ADDR_NEGOTIATED);
}

static void r9_refuse(void **state) {
  F;
  assert_ok(f->ctx, vtun_ike_peer_set_versions(f->peer, VTUN_IKEV1));
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_refused(f->ctx, vtun_tunnel_set_address_negotiated(f->t1),
                 VTUN_ER9_NEGOTIATED_ADDRESS, "R9: Tunnel1");
  assert_int_equal(vtun_tunnel_get_address_mode(f->t1), VTUN_ADDR_NONE);

  /* Other orders: apply, or drop IKEv2 from the peer. */
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, NULL));
  assert_ok(f->ctx, vtun_ike_peer_set_versions(f->peer, VTUN_IKEV2));
  assert_ok(f->ctx, vtun_tunnel_set_address_negotiated(f->t1));
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_refused(f->ctx, vtun_ike_peer_set_versions(f->peer, VTUN_IKEV1),
                 VTUN_ER9_NEGOTIATED_ADDRESS, "ike peer p1");
  assert_int_equal(vtun_ike_peer_get_versions(f->peer), VTUN_IKEV2);
}

/* R10: telling branches apart by peer ID needs IKEv1 aggressive mode or
 * the IKEv2 extension. */
static void r10_setup_pair(struct fixture *f, vtun_ike_peer **a,
                           vtun_ike_peer **b) {
  fixture_tunnel(f, "Tunnel2", a);
  fixture_tunnel(f, "Tunnel3", b);
  assert_ok(f->ctx,
            vtun_ike_peer_set_remote_id(*a, VTUN_ID_FQDN, "br2.example.net"));
  assert_ok(f->ctx,
            vtun_ike_peer_set_remote_id(*b, VTUN_ID_FQDN, "br3.example.net"));
}

static void r10_accept(void **state) {
  F;
  vtun_ike_peer *a, *b;

  r10_setup_pair(f, &a, &b);
  assert_ok(f->ctx, vtun_ike_peer_set_versions(a, VTUN_IKEV1));
  assert_ok(f->ctx, vtun_ike_peer_set_exchange_mode(a, VTUN_MODE_AGGRESSIVE));
  assert_ok(f->ctx, vtun_ike_peer_set_ikev2_id_match(b, 1));
  assert_ok(f->ctx, vtun_ctx_commit(f->ctx));
}

static void r10_refuse(void **state) {
  F;
  vtun_ike_peer *a, *b;

  r10_setup_pair(f, &a, &b);
  assert_refused(f->ctx, vtun_ctx_commit(f->ctx), VTUN_ER10_PEER_ID_MODE,
                 "R10: Tunnel2 and Tunnel3");
  /* The extension needs IKEv2 on the peer. */
  assert_ok(f->ctx, vtun_ike_peer_set_versions(a, VTUN_IKEV1));
  assert_refused(f->ctx, vtun_ike_peer_set_ikev2_id_match(a, 1),
                 VTUN_ER10_PEER_ID_MODE, "R10: ike peer peer-Tunnel2");
  assert_false(vtun_ike_peer_get_ikev2_id_match(a));
}

/* R11: AEAD takes no integrity; other ciphers need one. */
static void r11_accept(void **state) {
  F;
  assert_ok(f->ctx,
            vtun_ipsec_proposal_set_encr(f->prop, VTUN_ENCR_AES_GCM_256));
  assert_int_equal(vtun_ipsec_proposal_get_integ(f->prop), VTUN_INTEG_NONE);
  assert_ok(f->ctx,
            vtun_ipsec_proposal_set_encr(f->prop, VTUN_ENCR_AES_CBC_128));
  assert_ok(f->ctx,
            vtun_ipsec_proposal_set_integ(f->prop, VTUN_INTEG_SHA2_512_256));
  assert_ok(f->ctx, vtun_ctx_commit(f->ctx));
}

static void r11_refuse(void **state) {
  F;
  assert_ok(f->ctx,
            vtun_ipsec_proposal_set_encr(f->prop, VTUN_ENCR_CHACHA20_POLY1305));
  assert_refused(
      f->ctx, vtun_ipsec_proposal_set_integ(f->prop, VTUN_INTEG_SHA2_256_128),
      VTUN_ER11_INTEGRITY, "R11: ipsec proposal prop1");
  assert_int_equal(vtun_ipsec_proposal_get_integ(f->prop), VTUN_INTEG_NONE);
  /* A CBC proposal left without integrity fails at commit. */
  assert_ok(f->ctx,
            vtun_ike_proposal_set_encr(f->ikeprop, VTUN_ENCR_AES_CBC_256));
  assert_refused(f->ctx, vtun_ctx_commit(f->ctx), VTUN_ER11_INTEGRITY,
                 "R11: ike proposal 10");
  assert_refused(f->ctx,
                 vtun_ike_proposal_set_integ(f->ikeprop, VTUN_INTEG_NONE),
                 VTUN_ER11_INTEGRITY, "needs an integrity");
}

/* R12: ranges. */
static void r12_accept(void **state) {
  F;
  assert_ok(f->ctx, vtun_ipsec_profile_set_lifetime(f->prof, 30, 2560));
  assert_ok(f->ctx, vtun_ipsec_profile_set_replay_window(f->prof, 4096));
  assert_ok(f->ctx,
            vtun_ike_peer_set_dpd(f->peer, VTUN_DPD_PERIODIC, 10, 2, 10));
  assert_ok(f->ctx, vtun_ike_proposal_set_lifetime(f->ikeprop, 604800));
  assert_ok(f->ctx, vtun_tunnel_set_keepalive(f->t1, 5, 3));
  assert_ok(f->ctx, vtun_tunnel_set_mtu(f->t1, 9000));
}

static void r12_refuse(void **state) {
  F;
  uint32_t s, idle;
  uint64_t kb;

  assert_refused(f->ctx, vtun_ipsec_profile_set_lifetime(f->prof, 29, 0),
                 VTUN_ER12_RANGE, "R12: ipsec profile prof1");
  assert_refused(f->ctx, vtun_ipsec_profile_set_lifetime(f->prof, 3600, 100),
                 VTUN_ER12_RANGE, "R12");
  vtun_ipsec_profile_get_lifetime(f->prof, &s, &kb);
  assert_int_equal(s, 3600);
  assert_int_equal(kb, 1843200);
  assert_refused(f->ctx, vtun_ipsec_profile_set_replay_window(f->prof, 33),
                 VTUN_ER12_RANGE, "replay window");
  assert_refused(f->ctx, vtun_ipsec_profile_set_replay_window(f->prof, 65568),
                 VTUN_ER12_RANGE, "replay window");
  assert_refused(f->ctx,
                 vtun_ike_peer_set_dpd(f->peer, VTUN_DPD_PERIODIC, 5, 15, 3),
                 VTUN_ER12_RANGE, "R12: ike peer p1");
  vtun_ike_peer_get_dpd(f->peer, NULL, &idle, NULL, NULL);
  assert_int_equal(idle, 30);
  assert_refused(f->ctx, vtun_ike_proposal_set_lifetime(f->ikeprop, 59),
                 VTUN_ER12_RANGE, "R12: ike proposal 10");
  assert_refused(f->ctx, vtun_tunnel_set_keepalive(f->t1, 5, 0),
                 VTUN_ER12_RANGE, "R12: Tunnel1");
  assert_refused(f->ctx, vtun_tunnel_set_mtu(f->t1, 575), VTUN_ER12_RANGE,
                 "MTU");
}

/* R13: tunnels on one borrowed address that nothing tells apart. */
static void r13_accept(void **state) {
  F;
  vtun_tunnel *a, *b, *c;
  vtun_ike_peer *pc;

  a = fixture_tunnel(f, "Tunnel2", NULL);
  b = fixture_tunnel(f, "Tunnel3", NULL);
  c = fixture_tunnel(f, "Tunnel4", &pc);
  assert_ok(f->ctx, vtun_tunnel_set_destination(a, "198.51.100.2", NULL));
  assert_ok(f->ctx, vtun_tunnel_set_destination(b, "198.51.100.3", NULL));
  assert_ok(f->ctx, vtun_ike_peer_add_remote_address(pc, "198.51.100.4"));
  /* Plus one responder-only tunnel without constraint. */
  fixture_tunnel(f, "Tunnel5", NULL);
  assert_ok(f->ctx, vtun_ctx_commit(f->ctx));
  (void)c;
}

static void r13_refuse(void **state) {
  F;
  vtun_tunnel *a, *b;

  a = fixture_tunnel(f, "Tunnel2", NULL);
  b = fixture_tunnel(f, "Tunnel3", NULL);
  assert_refused(f->ctx, vtun_ctx_commit(f->ctx), VTUN_ER13_AMBIGUOUS,
                 "R13: Tunnel2 and Tunnel3 share local address 192.0.2.1 "
                 "borrowed from GE1");
  /* The same destination on both is ambiguous as well. */
  assert_ok(f->ctx, vtun_tunnel_set_destination(a, "198.51.100.2", NULL));
  assert_ok(f->ctx, vtun_tunnel_set_destination(b, "198.51.100.2", NULL));
  assert_refused(f->ctx, vtun_ctx_commit(f->ctx), VTUN_ER13_AMBIGUOUS,
                 "both expect their peer at 198.51.100.2");
  /* Distinct destinations resolve it. */
  assert_ok(f->ctx, vtun_tunnel_set_destination(b, "198.51.100.3", NULL));
  assert_ok(f->ctx, vtun_ctx_commit(f->ctx));
}

/* R14: MUST NOT algorithms need the legacy switch. */
static void r14_accept(void **state) {
  F;
  assert_ok(f->ctx, vtun_ctx_set_allow_legacy(f->ctx, 1));
  assert_ok(f->ctx, vtun_ike_proposal_set_dh(f->ikeprop, VTUN_DH_MODP768));
  assert_ok(f->ctx, vtun_ipsec_proposal_set_encr(f->prop, VTUN_ENCR_DES));
  assert_ok(f->ctx, vtun_ipsec_proposal_set_integ(f->prop, VTUN_INTEG_MD5_96));
  /* SHOULD NOT is not refused. */
  assert_ok(f->ctx, vtun_ctx_set_allow_legacy(f->ctx, 1));
}

static void r14_refuse(void **state) {
  F;
  assert_refused(f->ctx, vtun_ipsec_proposal_set_encr(f->prop, VTUN_ENCR_DES),
                 VTUN_ER14_LEGACY_ALGORITHM, "R14: ipsec proposal prop1: des");
  assert_int_equal(vtun_ipsec_proposal_get_encr(f->prop),
                   VTUN_ENCR_AES_CBC_256);
  assert_refused(f->ctx, vtun_ike_proposal_set_dh(f->ikeprop, VTUN_DH_MODP768),
                 VTUN_ER14_LEGACY_ALGORITHM, "dh-group1");
  assert_refused(f->ctx, vtun_ike_proposal_set_prf(f->ikeprop, VTUN_PRF_MD5),
                 VTUN_ER14_LEGACY_ALGORITHM, "hmac-md5");
  assert_refused(f->ctx, vtun_ipsec_profile_set_pfs(f->prof, VTUN_DH_MODP768),
                 VTUN_ER14_LEGACY_ALGORITHM, "R14");
  /* With a legacy algorithm in use the switch cannot go off. */
  assert_ok(f->ctx, vtun_ctx_set_allow_legacy(f->ctx, 1));
  assert_ok(f->ctx, vtun_ipsec_proposal_set_integ(f->prop, VTUN_INTEG_MD5_96));
  assert_refused(f->ctx, vtun_ctx_set_allow_legacy(f->ctx, 0),
                 VTUN_ER14_LEGACY_ALGORITHM, "prop1");
  assert_true(vtun_ctx_get_allow_legacy(f->ctx));
}

#define T(name)                                                                \
  cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(r1_accept),  T(r1_refuse),  T(r2_accept),  T(r2_refuse),  T(r3_accept),
      T(r3_refuse),  T(r4_accept),  T(r4_refuse),  T(r5_accept),  T(r5_refuse),
      T(r6_accept),  T(r6_refuse),  T(r7_accept),  T(r7_refuse),  T(r8_accept),
      T(r8_refuse),  T(r9_accept),  T(r9_refuse),  T(r10_accept), T(r10_refuse),
      T(r11_accept), T(r11_refuse), T(r12_accept), T(r12_refuse), T(r13_accept),
      T(r13_refuse), T(r14_accept), T(r14_refuse),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
