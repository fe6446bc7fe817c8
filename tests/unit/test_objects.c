/* Object lifecycles, getters and setters, deletion of objects in use, and
 * the address pool's leases. */
#include "fixture.h"

#define F struct fixture *f = *state

static void names_and_duplicates(void **state) {
  F;
  vtun_tunnel *t;
  vtun_iface *i;
  vtun_ike_peer *p;

  assert_refused(f->ctx, vtun_tunnel_new(f->ctx, "Tunnel1", &t), VTUN_EEXIST,
                 "Tunnel1");
  assert_refused(f->ctx, vtun_iface_new(f->ctx, "Tunnel1", 3, &i), VTUN_EEXIST,
                 "Tunnel1");
  assert_refused(f->ctx, vtun_tunnel_new(f->ctx, "a b", &t), VTUN_EINVAL,
                 "space");
  assert_refused(f->ctx, vtun_tunnel_new(f->ctx, "", &t), VTUN_EINVAL, "1-63");
  assert_refused(f->ctx, vtun_ike_peer_new(f->ctx, NULL, "p1", &p), VTUN_EEXIST,
                 "p1");
  assert_refused(f->ctx, vtun_iface_new(f->ctx, "X", 4, &i), VTUN_EINVAL,
                 "layer");
  assert_ptr_equal(vtun_tunnel_find(f->ctx, "Tunnel1"), f->t1);
  assert_null(vtun_tunnel_find(f->ctx, "Tunnel9"));
  assert_ptr_equal(vtun_tunnel_next(f->ctx, NULL), f->t1);
  assert_null(vtun_tunnel_next(f->ctx, f->t1));
}

static void in_use_refused(void **state) {
  F;
  assert_ok(f->ctx, vtun_tunnel_set_profile(f->t1, f->prof));
  assert_refused(f->ctx, vtun_ipsec_profile_delete(f->prof), VTUN_EBUSY,
                 "applied to Tunnel1");
  assert_refused(f->ctx, vtun_ike_peer_delete(f->peer), VTUN_EBUSY, "p1");
  assert_refused(f->ctx, vtun_ipsec_proposal_delete(f->prop), VTUN_EBUSY,
                 "prop1");
  assert_refused(f->ctx, vtun_ike_proposal_delete(f->ikeprop), VTUN_EBUSY,
                 "ike peer p1");
  assert_refused(f->ctx, vtun_iface_delete(f->ge1), VTUN_EBUSY, "Tunnel1");
  assert_refused(f->ctx, vtun_ipsec_profile_set_ike_peer(f->prof, "x"),
                 VTUN_EBUSY, "remove it");
  assert_ok(f->ctx, vtun_tunnel_delete(f->t1));
  assert_null(vtun_ipsec_profile_get_tunnel(f->prof));
  assert_ok(f->ctx, vtun_ipsec_profile_delete(f->prof));
  assert_ok(f->ctx, vtun_ike_peer_delete(f->peer));
  assert_ok(f->ctx, vtun_ike_proposal_delete(f->ikeprop));
}

static void peer_fields(void **state) {
  F;
  uint8_t key[8];
  char buf[64];
  int type;

  assert_int_equal(vtun_ike_peer_get_psk(f->peer, key, sizeof(key)), 1);
  assert_int_equal(key[0], 'k');
  assert_ok(f->ctx, vtun_ike_peer_set_local_id(f->peer, VTUN_ID_FQDN,
                                               "hq.example.net"));
  vtun_ike_peer_get_local_id(f->peer, &type, buf, sizeof(buf));
  assert_int_equal(type, VTUN_ID_FQDN);
  assert_string_equal(buf, "hq.example.net");
  assert_refused(f->ctx,
                 vtun_ike_peer_set_remote_id(f->peer, VTUN_ID_IP, "not-an-ip"),
                 VTUN_EINVAL, "not an IP");
  assert_refused(f->ctx,
                 vtun_ike_peer_set_remote_id(f->peer, VTUN_ID_USER_FQDN, "x"),
                 VTUN_EINVAL, "@");
  assert_refused(f->ctx, vtun_ike_peer_set_psk(f->peer, key, 0), VTUN_EINVAL,
                 "pre-shared");
  assert_refused(f->ctx, vtun_ike_peer_add_remote_address(f->peer, "x"),
                 VTUN_EINVAL, "not an IP");
  assert_ok(f->ctx, vtun_ike_peer_add_remote_address(f->peer, "2001:db8::2"));
  assert_refused(f->ctx,
                 vtun_ike_peer_add_remote_address(f->peer, "2001:db8:0::2"),
                 VTUN_EEXIST, "already");
  assert_int_equal(
      vtun_ike_peer_get_remote_address(f->peer, 0, buf, sizeof(buf)), 11);
  assert_string_equal(buf, "2001:db8::2");
  assert_ok(f->ctx, vtun_ike_peer_set_nat_traversal(f->peer, 0));
  assert_false(vtun_ike_peer_get_nat_traversal(f->peer));
  assert_ptr_equal(vtun_ike_peer_get_proposal(f->peer, 0), f->ikeprop);
  assert_null(vtun_ike_peer_get_proposal(f->peer, 1));
}

static void tunnel_fields(void **state) {
  F;
  char buf[64];
  unsigned plen;
  uint32_t key, period, retries;

  assert_ok(f->ctx, vtun_tunnel_set_address(f->t1, "10.1.1.1", 30));
  assert_int_equal(vtun_tunnel_get_address(f->t1, buf, sizeof(buf), &plen), 8);
  assert_string_equal(buf, "10.1.1.1");
  assert_int_equal(plen, 30);
  assert_refused(f->ctx, vtun_tunnel_set_address(f->t1, "10.1.1.1", 33),
                 VTUN_EINVAL, "prefix");
  assert_ok(f->ctx, vtun_tunnel_set_unnumbered(f->t1, f->ge1));
  vtun_tunnel_get_address(f->t1, buf, sizeof(buf), &plen);
  assert_string_equal(buf, "192.0.2.1");
  assert_ok(f->ctx, vtun_tunnel_set_gre_key(f->t1, 1, 77));
  assert_true(vtun_tunnel_get_gre_key(f->t1, &key));
  assert_int_equal(key, 77);
  assert_ok(f->ctx, vtun_tunnel_set_keepalive(f->t1, 10, 3));
  vtun_tunnel_get_keepalive(f->t1, &period, &retries);
  assert_int_equal(period * 10 + retries, 103);
  assert_ok(f->ctx, vtun_tunnel_set_source_address(f->t1, "192.0.2.9"));
  assert_null(vtun_tunnel_get_source_iface(f->t1));
  vtun_tunnel_get_source_address(f->t1, buf, sizeof(buf));
  assert_string_equal(buf, "192.0.2.9");
  /* A short buffer is cut and NUL-terminated, the length is full. */
  assert_int_equal(vtun_tunnel_get_source_address(f->t1, buf, 4), 9);
  assert_string_equal(buf, "192");
  vtun_tunnel_set_user_data(f->t1, f);
  assert_ptr_equal(vtun_tunnel_get_user_data(f->t1), f);
}

static void pool_leases(void **state) {
  F;
  vtun_pool *pool;
  char a[32], b[32], c[32];
  uint32_t size, leased;
  uint64_t exhausted;
  vtun_ctx_stats st;

  assert_ok(f->ctx, vtun_pool_new(f->ctx, NULL, "pool", &pool));
  assert_refused(f->ctx,
                 vtun_pool_add_range(pool, "203.0.113.1", "203.0.113.2"),
                 VTUN_ESTATE, "network");
  assert_ok(f->ctx, vtun_pool_set_network(pool, "203.0.113.0", 30));
  vtun_pool_get_usage(pool, &size, NULL, NULL);
  assert_int_equal(size, 2); /* .1 and .2, never .0 or .3 */
  assert_ok(f->ctx, vtun_pool_lease(pool, "br1", a, sizeof(a)));
  assert_ok(f->ctx, vtun_pool_lease(pool, "br2", b, sizeof(b)));
  assert_string_equal(a, "203.0.113.1");
  assert_string_equal(b, "203.0.113.2");
  assert_refused(f->ctx, vtun_pool_lease(pool, "br3", c, sizeof(c)),
                 VTUN_EPOOLEMPTY, "exhausted");
  vtun_pool_get_usage(pool, NULL, &leased, &exhausted);
  assert_int_equal(leased, 2);
  assert_int_equal(exhausted, 1);
  assert_ok(f->ctx, vtun_ctx_get_stats(f->ctx, &st, sizeof(st)));
  assert_int_equal(st.pool_exhausted, 1);

  /* Sticky: br1 gets its address back after a release. */
  assert_ok(f->ctx, vtun_pool_release(pool, "br1"));
  assert_ok(f->ctx, vtun_pool_lease(pool, "br1", c, sizeof(c)));
  assert_string_equal(c, a);
  /* A remembered lease is handed to another identity only when needed. */
  assert_ok(f->ctx, vtun_pool_release(pool, "br2"));
  assert_ok(f->ctx, vtun_pool_lease(pool, "br3", c, sizeof(c)));
  assert_string_equal(c, b);
  assert_refused(f->ctx, vtun_pool_release(pool, "nobody"), VTUN_ENOENT,
                 "no lease");
  assert_refused(f->ctx, vtun_pool_set_network(pool, "203.0.113.0", 24),
                 VTUN_EBUSY, "leases");
}

static void pool_ranges(void **state) {
  F;
  vtun_pool *pool;
  char a[32];
  uint32_t size;

  assert_ok(f->ctx, vtun_pool_new(f->ctx, NULL, "pool", &pool));
  assert_ok(f->ctx, vtun_pool_set_network(pool, "203.0.113.0", 24));
  assert_ok(f->ctx,
            vtun_pool_add_range(pool, "203.0.113.250", "203.0.113.255"));
  assert_refused(f->ctx,
                 vtun_pool_add_range(pool, "203.0.113.251", "203.0.113.252"),
                 VTUN_EEXIST, "overlaps");
  assert_refused(f->ctx,
                 vtun_pool_add_range(pool, "203.0.114.1", "203.0.114.2"),
                 VTUN_EINVAL, "outside");
  vtun_pool_get_usage(pool, &size, NULL, NULL);
  assert_int_equal(size, 5); /* .250-.254; .255 is the broadcast */
  assert_ok(f->ctx, vtun_pool_lease(pool, "x", a, sizeof(a)));
  assert_string_equal(a, "203.0.113.250");
  assert_int_equal(vtun_pool_get_range(pool, 0, a, sizeof(a)), 27);
}

static void ctx_settings(void **state) {
  vtun_settings s;
  vtun_ctx *ctx;

  (void)state;
  vtun_settings_default(&s);
  assert_int_equal(s.replay_window, 1024);
  s.replay_window = 33;
  assert_int_equal(vtun_ctx_new(&ctx, NULL, &s, NULL), VTUN_EINVAL);
  assert_int_equal(vtun_ctx_new_versioned(&ctx, 99, NULL, 1, NULL, NULL),
                   VTUN_EVERSION);
  assert_int_equal(vtun_ctx_new(NULL, NULL, NULL, NULL), VTUN_EINVAL);
  assert_string_equal(vtun_version(), VTUN_VERSION);
  vtun_ctx_free(NULL);
}

#define T(name)                                                                \
  cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(names_and_duplicates),
      T(in_use_refused),
      T(peer_fields),
      T(tunnel_fields),
      T(pool_leases),
      T(pool_ranges),
      cmocka_unit_test(ctx_settings),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
