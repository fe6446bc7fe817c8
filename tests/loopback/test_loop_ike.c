/* IKEv2 between libvtun contexts in memory: real negotiations with the
 * OpenSSL backend under a fake clock, then ESP through the data path. */
#include "loop.h"

#include "core/ctx.h"
#include "ike/ike.h"
#include "ike/sa.h"

struct side {
  struct lb_node *n;
  vtun_iface *ge1;
  vtun_ike_proposal *ikep;
  vtun_ike_peer *peer;
  vtun_ipsec_proposal *ipp;
  vtun_ipsec_profile *prof;
  vtun_tunnel *t;
};

#define OK(ctx, call)                                                          \
  do {                                                                         \
    int rv_ = (call);                                                          \
    if (rv_ != 0)                                                              \
      fail_msg("%s: %s: %s", #call, vtun_strerror(rv_),                        \
               vtun_ctx_last_error(ctx));                                      \
  } while (0)

/* One end: interface GE1 with the node's address, IKE proposal 10 (X25519
 * unless @p dh), peer P1 with a PSK, IPsec proposal and profile, and
 * Tunnel1 sourced from GE1 with @p dest (NULL: none). */
static void side_make(struct side *s, struct lb_node *n, const char *dest,
                      int dh) {
  vtun_ctx *c = n->ctx;
  char a[64];

  memset(s, 0, sizeof(*s));
  s->n = n;
  vtun_endpoint_format(&n->addr, a, sizeof(a));
  OK(c, vtun_iface_new(c, "GE1", VTUN_LAYER3, &s->ge1));
  OK(c, vtun_iface_set_address(s->ge1, a, 24));
  OK(c, vtun_ike_proposal_new(c, NULL, 10, &s->ikep));
  if (dh != 0)
    OK(c, vtun_ike_proposal_set_dh(s->ikep, dh));
  OK(c, vtun_ike_peer_new(c, NULL, "P1", &s->peer));
  OK(c, vtun_ike_peer_set_psk(s->peer, (const uint8_t *)"s3cret", 6));
  OK(c, vtun_ike_peer_add_proposal(s->peer, s->ikep));
  OK(c, vtun_ipsec_proposal_new(c, NULL, "IP1", &s->ipp));
  OK(c, vtun_ipsec_profile_new(c, NULL, "PR1", &s->prof));
  OK(c, vtun_ipsec_profile_set_ike_peer(s->prof, "P1"));
  OK(c, vtun_ipsec_profile_set_proposal(s->prof, "IP1"));
  OK(c, vtun_tunnel_new(c, "Tunnel1", &s->t));
  OK(c, vtun_tunnel_set_protocol(s->t, VTUN_TUNNEL_IPSEC));
  OK(c, vtun_tunnel_set_source_iface(s->t, s->ge1));
  if (dest != NULL)
    OK(c, vtun_tunnel_set_destination(s->t, dest, NULL));
  OK(c, vtun_tunnel_set_profile(s->t, s->prof));
}

static struct lb_net net;
static struct side br, hq;

static bool both_up(struct lb_net *n) {
  (void)n;
  return vtun_tunnel_get_state(br.t) == VTUN_STATE_UP &&
         vtun_tunnel_get_state(hq.t) == VTUN_STATE_UP;
}

/* Branch 10.0.0.2 initiates to HQ 10.0.0.1, which only answers. */
static void pair_make(uint64_t seed, int br_dh, int hq_dh) {
  lb_init(&net, seed);
  side_make(&br, lb_node_new(&net, "10.0.0.2", NULL), "10.0.0.1", br_dh);
  side_make(&hq, lb_node_new(&net, "10.0.0.1", NULL), NULL, hq_dh);
}

static void pair_commit(void) {
  OK(hq.n->ctx, vtun_ctx_commit(hq.n->ctx));
  OK(br.n->ctx, vtun_ctx_commit(br.n->ctx));
}

static void assert_esp_both_ways(void) {
  uint64_t b = br.n->delivered, h = hq.n->delivered;

  assert_int_equal(lb_ping(br.t), 0);
  assert_int_equal(lb_ping(hq.t), 0);
  lb_run(&net, 0, NULL);
  assert_int_equal(hq.n->delivered, h + 1);
  assert_int_equal(br.n->delivered, b + 1);
}

static void test_establish(void **state) {
  (void)state;
  pair_make(1, 0, 0);
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  assert_int_equal(br.n->events[VTUN_EVENT_IKE_SA_UP], 1);
  assert_int_equal(hq.n->events[VTUN_EVENT_SA_INSTALLED], 1);
  assert_esp_both_ways();
  lb_free(&net);
}

/* RFC 7296 §1.2: the branch offers X25519 first, HQ wants MODP-2048. */
static void test_invalid_ke(void **state) {
  vtun_ike_proposal *p2;

  (void)state;
  pair_make(2, 0, VTUN_DH_MODP2048);
  OK(br.n->ctx, vtun_ike_proposal_new(br.n->ctx, NULL, 20, &p2));
  OK(br.n->ctx, vtun_ike_proposal_set_dh(p2, VTUN_DH_MODP2048));
  OK(br.n->ctx, vtun_ike_peer_add_proposal(br.peer, p2));
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  assert_esp_both_ways();
  lb_free(&net);
}

/* RFC 7296 §2.6: with a threshold of 0 every first message gets a
 * cookie, and the initiator comes back with it. */
static void test_cookie(void **state) {
  vtun_settings s;

  (void)state;
  vtun_settings_default(&s);
  s.cookie_threshold = 0;
  lb_init(&net, 3);
  side_make(&br, lb_node_new(&net, "10.0.0.2", NULL), "10.0.0.1", 0);
  side_make(&hq, lb_node_new(&net, "10.0.0.1", &s), NULL, 0);
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  assert_true(br.n->ike_sent >= 3); /* init, init with cookie, auth */
  assert_esp_both_ways();
  lb_free(&net);
}

/* RFC 7383: a small fragment size splits IKE_AUTH into SKF payloads. */
static void test_fragmentation(void **state) {
  (void)state;
  pair_make(4, 0, 0);
  vtun__ike_set_fragment_size(br.n->ctx, 160);
  vtun__ike_set_fragment_size(hq.n->ctx, 160);
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  assert_true(br.n->ike_sent >= 4);
  assert_esp_both_ways();
  lb_free(&net);
}

/* Branch asks for its address; HQ leases it from the peer's pool and
 * releases it with the IKE SA; an exhausted pool refuses. */
static void test_pool(void **state) {
  vtun_pool *pool;
  uint32_t size = 0, leased = 0;
  vtun_ctx_stats st;

  (void)state;
  pair_make(5, 0, 0);
  OK(hq.n->ctx, vtun_pool_new(hq.n->ctx, NULL, "POOL", &pool));
  OK(hq.n->ctx, vtun_pool_set_network(pool, "172.16.9.0", 30));
  OK(hq.n->ctx, vtun_ike_peer_set_pool(hq.peer, pool));
  OK(br.n->ctx, vtun_tunnel_set_address_negotiated(br.t));
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  assert_string_equal(br.n->address, "172.16.9.1/30");
  vtun_pool_get_usage(pool, &size, &leased, NULL);
  assert_int_equal(leased, 1);
  assert_esp_both_ways();

  /* The branch goes away with a Delete: the lease is released. */
  OK(br.n->ctx, vtun_tunnel_set_enabled(br.t, 0));
  lb_run(&net, VTUN_SECONDS, NULL);
  vtun_pool_get_usage(pool, &size, &leased, NULL);
  assert_int_equal(leased, 0);
  assert_int_not_equal(vtun_tunnel_get_state(hq.t), VTUN_STATE_UP);

  /* Another identity takes the only address; the branch is refused. */
  assert_int_equal(vtun_pool_lease(pool, "someone", NULL, 0), 0);
  assert_int_equal(vtun_pool_lease(pool, "other", NULL, 0), 0);
  OK(br.n->ctx, vtun_tunnel_set_enabled(br.t, 1));
  lb_run(&net, 3 * VTUN_SECONDS, NULL);
  assert_int_not_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  vtun_ctx_get_stats(hq.n->ctx, &st, sizeof(st));
  assert_true(st.pool_exhausted >= 1);
  lb_free(&net);
}

/* Child SA rekeys every ~25 s of a 30 s lifetime while packets flow each
 * 100 ms both ways: none is lost. */
static void test_child_rekey_under_traffic(void **state) {
  vtun_tunnel_stats sb, sh;
  uint64_t sent = 0;

  (void)state;
  pair_make(6, 0, 0);
  OK(br.n->ctx, vtun_ipsec_profile_set_lifetime(br.prof, 30, 0));
  OK(hq.n->ctx, vtun_ipsec_profile_set_lifetime(hq.prof, 30, 0));
  OK(br.n->ctx, vtun_ipsec_profile_set_pfs(br.prof, VTUN_DH_X25519));
  OK(hq.n->ctx, vtun_ipsec_profile_set_pfs(hq.prof, VTUN_DH_X25519));
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  for (int i = 0; i < 1200; i++) {
    assert_int_equal(lb_ping(br.t), 0);
    assert_int_equal(lb_ping(hq.t), 0);
    sent++;
    lb_run(&net, VTUN_SECONDS / 10, NULL);
  }
  assert_true(br.n->events[VTUN_EVENT_SA_REKEYED] >= 3);
  assert_int_equal(hq.n->delivered, sent);
  assert_int_equal(br.n->delivered, sent);
  vtun_tunnel_get_stats(br.t, &sb, sizeof(sb));
  vtun_tunnel_get_stats(hq.t, &sh, sizeof(sh));
  assert_int_equal(sb.drop_no_sa + sb.drop_replay + sb.drop_integrity, 0);
  assert_int_equal(sh.drop_no_sa + sh.drop_replay + sh.drop_integrity, 0);
  lb_free(&net);
}

/* RFC 7296 §2.18: the IKE SA is rekeyed; the tunnel stays up and the
 * Child SA keeps working through the new IKE SA. */
static void test_ike_rekey(void **state) {
  (void)state;
  pair_make(7, 0, 0);
  OK(br.n->ctx, vtun_ike_proposal_set_lifetime(br.ikep, 60));
  OK(hq.n->ctx, vtun_ike_proposal_set_lifetime(hq.ikep, 60));
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  lb_run(&net, 200 * VTUN_SECONDS, NULL);
  assert_true(br.n->events[VTUN_EVENT_IKE_SA_UP] >= 3);
  assert_int_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  assert_int_equal(vtun_tunnel_get_state(hq.t), VTUN_STATE_UP);
  assert_esp_both_ways();

  /* A Child SA rekey still works on the new IKE SA. */
  lb_run(&net, 3600 * VTUN_SECONDS, NULL);
  assert_true(br.n->events[VTUN_EVENT_SA_REKEYED] >= 1);
  assert_esp_both_ways();
  lb_free(&net);
}

/* The HQ goes silent: DPD gives up after its retries and the branch goes
 * down, then tries again and comes back up once HQ answers. */
static void test_dpd_failure_and_recovery(void **state) {
  (void)state;
  pair_make(8, 0, 0);
  OK(br.n->ctx, vtun_ike_peer_set_dpd(br.peer, VTUN_DPD_PERIODIC, 10, 2, 3));
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  hq.n->silent = true;
  lb_run(&net, 30 * VTUN_SECONDS, NULL);
  assert_int_not_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  assert_true(br.n->events[VTUN_EVENT_IKE_SA_DOWN] >= 1);
  hq.n->silent = false;
  assert_true(lb_run(&net, 120 * VTUN_SECONDS, both_up));
  assert_esp_both_ways();
  lb_free(&net);
}

/* A tunnel shut down sends a Delete: the peer's tunnel leaves UP. */
static void test_delete(void **state) {
  (void)state;
  pair_make(9, 0, 0);
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  OK(hq.n->ctx, vtun_tunnel_set_enabled(hq.t, 0));
  lb_run(&net, VTUN_SECONDS, NULL);
  assert_int_equal(vtun_tunnel_get_state(hq.t), VTUN_STATE_ADMIN_DOWN);
  assert_int_not_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  assert_true(br.n->events[VTUN_EVENT_IKE_SA_DOWN] >= 1);
  lb_free(&net);
}

/* The peer deletes the only Child SA pair but keeps the IKE SA (what
 * strongSwan does when its own Child SA rekey fails): a new pair is made
 * over the same IKE SA, no new IKE_SA_INIT. */
static void test_child_deleted_by_peer(void **state) {
  struct vtun__ikesa *h, *b;
  uint32_t old_in;

  (void)state;
  pair_make(40, 0, 0);
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  h = ((struct vtun__ike_tun *)hq.t->ike)->sa;
  b = ((struct vtun__ike_tun *)br.t->ike)->sa;
  old_in = b->child.spi_in;

  /* HQ drops its pair and tells the branch. */
  h->old_spi_in = h->child.spi_in;
  assert_int_equal(vtun__ike_send_delete(h, true), 0);
  vtun__ike_child_gone(h);
  lb_run(&net, 3 * VTUN_SECONDS, NULL);

  assert_int_equal(br.n->events[VTUN_EVENT_SA_DELETED], 1);
  assert_int_equal(br.n->events[VTUN_EVENT_IKE_SA_UP], 1);
  assert_int_equal(br.n->events[VTUN_EVENT_SA_INSTALLED], 2);
  assert_ptr_equal(((struct vtun__ike_tun *)br.t->ike)->sa, b);
  assert_ptr_equal(((struct vtun__ike_tun *)hq.t->ike)->sa, h);
  assert_int_not_equal(b->child.spi_in, 0);
  assert_int_not_equal(b->child.spi_in, old_in);
  assert_int_equal(b->child.spi_out, h->child.spi_in);
  assert_int_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  assert_esp_both_ways();

  /* The other way round: the branch drops its pair; HQ, the responder,
   * leaves the new pair to the branch. */
  b->old_spi_in = b->child.spi_in;
  assert_int_equal(vtun__ike_send_delete(b, true), 0);
  vtun__ike_child_gone(b);
  lb_run(&net, 10 * VTUN_SECONDS, NULL);
  assert_int_equal(hq.n->events[VTUN_EVENT_SA_DELETED], 2);
  assert_int_equal(hq.n->events[VTUN_EVENT_IKE_SA_UP], 1);
  assert_int_equal(hq.n->events[VTUN_EVENT_SA_INSTALLED], 3);
  assert_int_equal(br.n->events[VTUN_EVENT_SA_INSTALLED], 3);
  assert_int_equal(h->child.spi_out, b->child.spi_in);
  assert_esp_both_ways();
  lb_free(&net);
}

/* UDP encapsulation when asked (and what a NAT would cause). */
static void test_nat_t(void **state) {
  vtun_settings s;

  (void)state;
  vtun_settings_default(&s);
  s.force_udp_encap = 1;
  lb_init(&net, 10);
  side_make(&br, lb_node_new(&net, "10.0.0.2", &s), "10.0.0.1", 0);
  side_make(&hq, lb_node_new(&net, "10.0.0.1", NULL), NULL, 0);
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  assert_esp_both_ways();
  lb_free(&net);
}

/* A branch behind a NAT (10.0.0.2 seen as 198.51.100.7 with other
 * ports) moves to 4500 and its ESP goes in UDP through the NAT. */
static void test_nat_detected(void **state) {
  (void)state;
  pair_make(11, 0, 0);
  vtun_endpoint_parse(&br.n->nat, "198.51.100.7", 0);
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  assert_esp_both_ways();
  lb_free(&net);
}

/* 1000 seeded trials with 10% loss, duplication and reordering: every
 * one establishes and passes traffic. */
static void test_lossy_trials(void **state) {
  unsigned ok = 0,
           trials = getenv("LB_TRIALS") ? atoi(getenv("LB_TRIALS")) : 1000;

  (void)state;
  for (unsigned i = 0; i < trials; i++) {
    pair_make(1000 + i, 0, 0);
    net.loss = net.dup = net.reorder = 10;
    pair_commit();
    if (lb_run(&net, 120 * VTUN_SECONDS, both_up)) {
      net.loss = net.dup = net.reorder = 0;
      lb_run(&net, VTUN_SECONDS, NULL);
      assert_esp_both_ways();
      ok++;
    } else {
      print_message("trial %u did not establish\n", i);
    }
    lb_free(&net);
  }
  print_message("lossy trials: %u of %u established\n", ok, trials);
  assert_int_equal(ok, trials);
}

/* A second HQ tunnel on the same borrowed address, for peer @p name with
 * remote address @p remote (NULL: none) or remote FQDN @p id. */
static vtun_tunnel *hq_tunnel(struct side *h, const char *tname,
                              const char *name, const char *psk,
                              const char *remote, const char *id) {
  vtun_ctx *c = h->n->ctx;
  vtun_ike_peer *peer;
  vtun_ipsec_profile *prof;
  vtun_tunnel *t;
  char pr[32];

  snprintf(pr, sizeof(pr), "PR-%s", name);
  OK(c, vtun_ike_peer_new(c, NULL, name, &peer));
  OK(c, vtun_ike_peer_set_psk(peer, (const uint8_t *)psk, strlen(psk)));
  if (remote != NULL)
    OK(c, vtun_ike_peer_add_remote_address(peer, remote));
  if (id != NULL) {
    OK(c, vtun_ike_peer_set_remote_id(peer, VTUN_ID_FQDN, id));
    OK(c, vtun_ike_peer_set_ikev2_id_match(peer, 1));
  }
  OK(c, vtun_ipsec_profile_new(c, NULL, pr, &prof));
  OK(c, vtun_ipsec_profile_set_ike_peer(prof, name));
  OK(c, vtun_ipsec_profile_set_proposal(prof, "IP1"));
  OK(c, vtun_tunnel_new(c, tname, &t));
  OK(c, vtun_tunnel_set_protocol(t, VTUN_TUNNEL_IPSEC));
  OK(c, vtun_tunnel_set_source_iface(t, h->ge1));
  OK(c, vtun_tunnel_set_profile(t, prof));
  return t;
}

static struct side br2;
static vtun_tunnel *hq_a, *hq_b;

static bool three_up(struct lb_net *n) {
  (void)n;
  return vtun_tunnel_get_state(br.t) == VTUN_STATE_UP &&
         vtun_tunnel_get_state(br2.t) == VTUN_STATE_UP &&
         vtun_tunnel_get_state(hq_a) == VTUN_STATE_UP &&
         vtun_tunnel_get_state(hq_b) == VTUN_STATE_UP;
}

/* Two branches from different addresses land on their own HQ tunnels,
 * which share HQ's one address (REQUIREMENTS section 4, step 3). Each
 * branch's PSK differs, so a wrong pick could not authenticate. */
static void test_match_by_address(void **state) {
  (void)state;
  lb_init(&net, 12);
  side_make(&br, lb_node_new(&net, "10.0.0.2", NULL), "10.0.0.1", 0);
  side_make(&br2, lb_node_new(&net, "10.0.0.3", NULL), "10.0.0.1", 0);
  side_make(&hq, lb_node_new(&net, "10.0.0.1", NULL), NULL, 0);
  OK(br2.n->ctx, vtun_ike_peer_set_psk(br2.peer, (const uint8_t *)"k2", 2));
  OK(hq.n->ctx, vtun_tunnel_delete(hq.t));
  hq_a = hq_tunnel(&hq, "Tunnel10", "PA", "s3cret", "10.0.0.2", NULL);
  hq_b = hq_tunnel(&hq, "Tunnel11", "PB", "k2", "10.0.0.3", NULL);
  OK(hq.n->ctx, vtun_ctx_commit(hq.n->ctx));
  OK(br.n->ctx, vtun_ctx_commit(br.n->ctx));
  OK(br2.n->ctx, vtun_ctx_commit(br2.n->ctx));
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, three_up));
  lb_free(&net);
}

/* Two branches told apart only by their IDi (the IKEv2 peer-ID
 * extension, R10): HQ defers the choice to IKE_AUTH. */
static void test_match_by_id(void **state) {
  (void)state;
  lb_init(&net, 13);
  side_make(&br, lb_node_new(&net, "10.0.0.2", NULL), "10.0.0.1", 0);
  side_make(&br2, lb_node_new(&net, "10.0.0.3", NULL), "10.0.0.1", 0);
  side_make(&hq, lb_node_new(&net, "10.0.0.1", NULL), NULL, 0);
  OK(br.n->ctx, vtun_ike_peer_set_local_id(br.peer, VTUN_ID_FQDN, "a.example"));
  OK(br2.n->ctx,
     vtun_ike_peer_set_local_id(br2.peer, VTUN_ID_FQDN, "b.example"));
  OK(br2.n->ctx, vtun_ike_peer_set_psk(br2.peer, (const uint8_t *)"k2", 2));
  OK(hq.n->ctx, vtun_tunnel_delete(hq.t));
  hq_a = hq_tunnel(&hq, "Tunnel10", "PA", "s3cret", NULL, "a.example");
  hq_b = hq_tunnel(&hq, "Tunnel11", "PB", "k2", NULL, "b.example");
  OK(hq.n->ctx, vtun_ctx_commit(hq.n->ctx));
  OK(br.n->ctx, vtun_ctx_commit(br.n->ctx));
  OK(br2.n->ctx, vtun_ctx_commit(br2.n->ctx));
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, three_up));
  lb_free(&net);
}

/* HQ keeps one master secret; each branch configures the key derived
 * from it and its own identity. A branch that presents another branch's
 * key under its own identity fails authentication. */
static void derived_make(uint64_t seed, const char *key_a, const char *key_b) {
  static const uint8_t master[] = "hq master secret";

  lb_init(&net, seed);
  side_make(&br, lb_node_new(&net, "10.0.0.2", NULL), "10.0.0.1", 0);
  side_make(&br2, lb_node_new(&net, "10.0.0.3", NULL), "10.0.0.1", 0);
  side_make(&hq, lb_node_new(&net, "10.0.0.1", NULL), NULL, 0);
  OK(br.n->ctx, vtun_ike_peer_set_local_id(br.peer, VTUN_ID_FQDN, "a.example"));
  OK(br2.n->ctx,
     vtun_ike_peer_set_local_id(br2.peer, VTUN_ID_FQDN, "b.example"));
  OK(br.n->ctx, vtun_ike_peer_set_psk(br.peer, (const uint8_t *)key_a, 64));
  OK(br2.n->ctx, vtun_ike_peer_set_psk(br2.peer, (const uint8_t *)key_b, 64));
  OK(hq.n->ctx, vtun_tunnel_delete(hq.t));
  hq_a = hq_tunnel(&hq, "Tunnel10", "PA", "unused", "10.0.0.2", NULL);
  hq_b = hq_tunnel(&hq, "Tunnel11", "PB", "unused", "10.0.0.3", NULL);
  OK(hq.n->ctx,
     vtun_ike_peer_set_psk_master(vtun_ike_peer_find(hq.n->ctx, NULL, "PA"),
                                  master, sizeof(master) - 1));
  OK(hq.n->ctx,
     vtun_ike_peer_set_psk_master(vtun_ike_peer_find(hq.n->ctx, NULL, "PB"),
                                  master, sizeof(master) - 1));
  OK(hq.n->ctx, vtun_ctx_commit(hq.n->ctx));
  OK(br.n->ctx, vtun_ctx_commit(br.n->ctx));
  OK(br2.n->ctx, vtun_ctx_commit(br2.n->ctx));
}

static void derived_key(const char *id, char key[65]) {
  static const uint8_t master[] = "hq master secret";

  assert_int_equal(vtun_derive_branch_psk(master, sizeof(master) - 1,
                                          VTUN_ID_FQDN, id, key, 65),
                   64);
}

static void test_derived_psk(void **state) {
  char ka[65], kb[65];
  uint64_t h;

  (void)state;
  derived_key("a.example", ka);
  derived_key("b.example", kb);
  assert_string_not_equal(ka, kb);
  derived_make(30, ka, kb);
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, three_up));
  h = hq.n->delivered;
  assert_int_equal(lb_ping(br.t), 0);
  assert_int_equal(lb_ping(br2.t), 0);
  lb_run(&net, 0, NULL);
  assert_int_equal(hq.n->delivered, h + 2);
  lb_free(&net);

  /* b.example signs with a.example's key: only a comes up. */
  derived_make(31, ka, ka);
  lb_run(&net, 5 * VTUN_SECONDS, NULL);
  assert_int_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  assert_int_equal(vtun_tunnel_get_state(hq_a), VTUN_STATE_UP);
  assert_int_not_equal(vtun_tunnel_get_state(br2.t), VTUN_STATE_UP);
  assert_int_not_equal(vtun_tunnel_get_state(hq_b), VTUN_STATE_UP);
  lb_free(&net);
}

/* HQ with one template and a master secret instead of a tunnel per
 * branch: each branch that authenticates gets its own tunnel. */
static vtun_tunnel *tmpl;

static void template_make(uint64_t seed, int mode, const char *key_b) {
  static const uint8_t master[] = "hq master secret";
  vtun_ctx *c;
  char ka[65], kb[65];

  derived_key("a.example", ka);
  derived_key("b.example", kb);
  lb_init(&net, seed);
  side_make(&br, lb_node_new(&net, "10.0.0.2", NULL), "10.0.0.1", 0);
  side_make(&br2, lb_node_new(&net, "10.0.0.3", NULL), "10.0.0.1", 0);
  side_make(&hq, lb_node_new(&net, "10.0.0.1", NULL), NULL, 0);
  c = hq.n->ctx;
  OK(br.n->ctx, vtun_ike_peer_set_local_id(br.peer, VTUN_ID_FQDN, "a.example"));
  OK(br2.n->ctx,
     vtun_ike_peer_set_local_id(br2.peer, VTUN_ID_FQDN, "b.example"));
  OK(br.n->ctx, vtun_ike_peer_set_psk(br.peer, (const uint8_t *)ka, 64));
  OK(br2.n->ctx, vtun_ike_peer_set_psk(
                     br2.peer, (const uint8_t *)(key_b ? key_b : kb), 64));
  OK(c, vtun_ike_peer_set_psk_master(hq.peer, master, sizeof(master) - 1));
  OK(c, vtun_tunnel_set_template(hq.t, mode));
  tmpl = hq.t;
  OK(c, vtun_ctx_commit(c));
  OK(br.n->ctx, vtun_ctx_commit(br.n->ctx));
  OK(br2.n->ctx, vtun_ctx_commit(br2.n->ctx));
}

static vtun_tunnel *instance_of(const char *id) {
  vtun_tunnel *t = NULL;
  char buf[64];
  int type;

  while ((t = vtun_tunnel_next(hq.n->ctx, t)) != NULL)
    if (vtun_tunnel_get_template(t) == tmpl &&
        vtun_tunnel_get_branch_id(t, &type, buf, sizeof(buf)) > 0 &&
        strcmp(buf, id) == 0)
      return t;
  return NULL;
}

static bool branches_up(struct lb_net *n) {
  (void)n;
  return vtun_tunnel_get_state(br.t) == VTUN_STATE_UP &&
         vtun_tunnel_get_state(br2.t) == VTUN_STATE_UP;
}

static void test_template(void **state) {
  vtun_tunnel *ia, *ib;
  uint64_t b;
  static char dump[16384];

  (void)state;
  template_make(32, VTUN_TEMPLATE_REMOVE, NULL);
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, branches_up));
  assert_int_equal(hq.n->events[VTUN_EVENT_TUNNEL_CREATED], 2);
  ia = instance_of("a.example");
  ib = instance_of("b.example");
  assert_non_null(ia);
  assert_non_null(ib);
  assert_ptr_not_equal(ia, ib);
  assert_int_equal(vtun_tunnel_get_state(ia), VTUN_STATE_UP);
  assert_int_equal(vtun_tunnel_get_state(ib), VTUN_STATE_UP);
  assert_int_equal(vtun_tunnel_get_state(tmpl), VTUN_STATE_IDLE);
  assert_null(vtun_tunnel_get_template(tmpl));
  assert_int_equal(strncmp(vtun_tunnel_get_name(ia), "Tunnel1-", 8), 0);

  /* ESP both ways through the instance. */
  b = br.n->delivered;
  assert_int_equal(lb_ping(ia), 0);
  assert_int_equal(lb_ping(br2.t), 0);
  lb_run(&net, 0, NULL);
  assert_int_equal(br.n->delivered, b + 1);

  /* Instances are state, not configuration. */
  assert_true(vtun_config_dump(hq.n->ctx, 0, dump, sizeof(dump)) > 0);
  assert_null(strstr(dump, "Tunnel1-"));
  assert_non_null(strstr(dump, " template remove\n"));
  assert_true(
      vtun_ctx_display(hq.n->ctx, "interface tunnel", dump, sizeof(dump)) > 0);
  assert_non_null(strstr(dump, "Created by template"));
  assert_non_null(strstr(dump, "b.example"));
  assert_true(vtun_tunnel_explain_initiation(ia, dump, sizeof(dump)) > 0);
  assert_non_null(strstr(dump, "instance of template Tunnel1 for branch "
                               "a.example"));
  assert_true(vtun_tunnel_explain_initiation(tmpl, dump, sizeof(dump)) > 0);
  assert_non_null(strstr(dump, "template: only responds"));

  /* Branch a goes: its tunnel goes; when it returns it gets a new one. */
  OK(br.n->ctx, vtun_tunnel_set_enabled(br.t, 0));
  lb_run(&net, VTUN_SECONDS, NULL);
  assert_null(instance_of("a.example"));
  assert_int_equal(hq.n->events[VTUN_EVENT_TUNNEL_REMOVED], 1);
  assert_ptr_equal(instance_of("b.example"), ib);
  OK(br.n->ctx, vtun_tunnel_set_enabled(br.t, 1));
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, branches_up));
  assert_non_null(instance_of("a.example"));
  assert_int_equal(hq.n->events[VTUN_EVENT_TUNNEL_CREATED], 3);

  /* Deleting the template frees its instances. */
  OK(hq.n->ctx, vtun_tunnel_delete(tmpl));
  assert_null(vtun_tunnel_next(hq.n->ctx, NULL));
  lb_free(&net);
}

/* KEEP: the instance outlives its SA and serves the branch again. */
static void test_template_keep(void **state) {
  vtun_tunnel *ia;

  (void)state;
  template_make(33, VTUN_TEMPLATE_KEEP, NULL);
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, branches_up));
  ia = instance_of("a.example");
  assert_non_null(ia);
  OK(br.n->ctx, vtun_tunnel_set_enabled(br.t, 0));
  lb_run(&net, VTUN_SECONDS, NULL);
  assert_ptr_equal(instance_of("a.example"), ia);
  assert_int_equal(vtun_tunnel_get_state(ia), VTUN_STATE_IDLE);
  OK(br.n->ctx, vtun_tunnel_set_enabled(br.t, 1));
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, branches_up));
  assert_ptr_equal(instance_of("a.example"), ia);
  assert_int_equal(vtun_tunnel_get_state(ia), VTUN_STATE_UP);
  assert_int_equal(hq.n->events[VTUN_EVENT_TUNNEL_CREATED], 2);
  lb_free(&net);
}

/* A branch that fails authentication leaves no tunnel behind. */
static void test_template_unauthenticated(void **state) {
  char ka[65];

  (void)state;
  derived_key("a.example", ka);
  template_make(34, VTUN_TEMPLATE_REMOVE, ka);
  lb_run(&net, 5 * VTUN_SECONDS, NULL);
  assert_int_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  assert_int_not_equal(vtun_tunnel_get_state(br2.t), VTUN_STATE_UP);
  assert_null(instance_of("b.example"));
  assert_int_equal(hq.n->events[VTUN_EVENT_TUNNEL_CREATED], 1);
  lb_free(&net);
}

/* The template rules at commit. */
static void test_template_rules(void **state) {
  vtun_tunnel *t2;
  vtun_ctx *c;

  (void)state;
  template_make(35, VTUN_TEMPLATE_KEEP, NULL);
  c = hq.n->ctx;
  OK(c, vtun_ike_peer_set_remote_id(hq.peer, VTUN_ID_FQDN, "a.example"));
  assert_int_equal(vtun_ctx_commit(c), VTUN_ETEMPLATE);
  assert_non_null(strstr(vtun_ctx_last_error(c), "template Tunnel1"));
  OK(c, vtun_ike_peer_set_remote_id(hq.peer, VTUN_ID_NONE, NULL));
  OK(c, vtun_ctx_commit(c));
  /* A second template on the same address is ambiguous (R13). */
  t2 = hq_tunnel(&hq, "Tunnel2", "P2", "k", NULL, NULL);
  OK(c, vtun_tunnel_set_template(t2, VTUN_TEMPLATE_KEEP));
  assert_int_equal(vtun_ctx_commit(c), VTUN_ER13_AMBIGUOUS);
  OK(c, vtun_tunnel_delete(t2));
  OK(c, vtun_ctx_commit(c));
  assert_int_equal(vtun_tunnel_set_template(tmpl, 7), VTUN_EINVAL);
  lb_free(&net);
}

/* No HQ tunnel matches: the negotiation is refused and counted. */
static void test_no_match(void **state) {
  vtun_ctx_stats st;

  (void)state;
  pair_make(14, 0, 0);
  OK(hq.n->ctx, vtun_tunnel_set_destination(hq.t, "10.0.0.9", NULL));
  pair_commit();
  lb_run(&net, 3 * VTUN_SECONDS, NULL);
  assert_int_not_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  vtun_ctx_get_stats(hq.n->ctx, &st, sizeof(st));
  assert_true(st.ike_no_match >= 1);
  lb_free(&net);
}

/* A wrong PSK fails authentication on both ends. */
static void test_wrong_psk(void **state) {
  (void)state;
  pair_make(15, 0, 0);
  OK(hq.n->ctx, vtun_ike_peer_set_psk(hq.peer, (const uint8_t *)"x", 1));
  pair_commit();
  lb_run(&net, 3 * VTUN_SECONDS, NULL);
  assert_int_not_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  assert_int_not_equal(vtun_tunnel_get_state(hq.t), VTUN_STATE_UP);
  lb_free(&net);
}

/* An on-demand tunnel starts on its first packet. */
static void test_on_demand(void **state) {
  (void)state;
  pair_make(16, 0, 0);
  OK(br.n->ctx, vtun_tunnel_set_on_demand(br.t, 1));
  pair_commit();
  lb_run(&net, 5 * VTUN_SECONDS, NULL);
  assert_int_not_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  assert_int_equal(lb_ping(br.t), VTUN_ENOSA);
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  assert_esp_both_ways();
  lb_free(&net);
}

/* The operator's views and the key export lines. */
static void test_display_and_export(void **state) {
  struct vtun__sb sb;
  char buf[4096];
  vtun_settings s;

  (void)state;
  vtun_settings_default(&s);
  s.key_export = 1;
  lb_init(&net, 17);
  side_make(&br, lb_node_new(&net, "10.0.0.2", &s), "10.0.0.1", 0);
  side_make(&hq, lb_node_new(&net, "10.0.0.1", NULL), NULL, 0);
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  assert_int_equal(br.n->key_lines, 3); /* IKE SA, ESP in, ESP out */
  assert_int_equal(hq.n->key_lines, 0);

  /* tshark's formats: bare hex SPIs and keys, quoted algorithm names;
   * every esp_sa field quoted. */
  assert_int_equal(strspn(br.n->key_line[0], "0123456789abcdef"), 16);
  assert_non_null(strstr(br.n->key_line[0],
                         ",\"AES-GCM-256 with 16 octet ICV [RFC5282]\","));
  assert_non_null(strstr(br.n->key_line[0], ",\"NONE [RFC4306]\""));
  assert_memory_equal(br.n->key_line[1], "\"IPv4\",\"10.0.0.2\",\"10.0.0.1\"",
                      28);
  assert_non_null(strstr(br.n->key_line[1], "\"AES-CBC [RFC3602]\",\"0x"));
  assert_non_null(
      strstr(br.n->key_line[1], "\"HMAC-SHA-256-128 [RFC4868]\",\"0x"));
  vtun__sb_init(&sb, buf, sizeof(buf));
  vtun__ike_display_ike_sa(br.n->ctx, &sb);
  assert_non_null(strstr(buf, "Tunnel1"));
  assert_non_null(strstr(buf, "RD"));
  vtun__sb_init(&sb, buf, sizeof(buf));
  vtun__ike_display_ipsec_sa(hq.n->ctx, &sb);
  assert_non_null(strstr(buf, "outbound"));
  lb_free(&net);
}

/* RFC 7296 §2.25: both ends start a Child SA rekey at once; each answers
 * the other with TEMPORARY_FAILURE, tries again after a random pause,
 * and one rekey goes through. The same for the IKE SA. */
static void test_rekey_collision(void **state) {
  struct vtun__ikesa *a, *b;

  (void)state;
  pair_make(18, 0, 0);
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  a = ((struct vtun__ike_tun *)br.t->ike)->sa;
  b = ((struct vtun__ike_tun *)hq.t->ike)->sa;
  assert_int_equal(vtun__ike_rekey_child_start(a), 0);
  assert_int_equal(vtun__ike_rekey_child_start(b), 0);
  lb_run(&net, 10 * VTUN_SECONDS, NULL);
  assert_true(br.n->events[VTUN_EVENT_SA_REKEYED] >= 1);
  assert_true(hq.n->events[VTUN_EVENT_SA_REKEYED] >= 1);
  assert_esp_both_ways();

  a = ((struct vtun__ike_tun *)br.t->ike)->sa;
  b = ((struct vtun__ike_tun *)hq.t->ike)->sa;
  assert_int_equal(vtun__ike_rekey_ike_start(a), 0);
  assert_int_equal(vtun__ike_rekey_ike_start(b), 0);
  lb_run(&net, 10 * VTUN_SECONDS, NULL);
  assert_true(br.n->events[VTUN_EVENT_IKE_SA_UP] >= 2);
  assert_int_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  assert_int_equal(vtun_tunnel_get_state(hq.t), VTUN_STATE_UP);
  assert_esp_both_ways();

  /* Liveness still works on the surviving IKE SAs. */
  lb_run(&net, 120 * VTUN_SECONDS, NULL);
  assert_int_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  assert_esp_both_ways();
  lb_free(&net);
}

/* PFS asked by the branch only: HQ honours the branch's KE (strongSwan
 * with PFS against a profile without it). */
static void test_pfs_one_side(void **state) {
  (void)state;
  pair_make(19, 0, 0);
  OK(br.n->ctx, vtun_ipsec_profile_set_lifetime(br.prof, 30, 0));
  OK(hq.n->ctx, vtun_ipsec_profile_set_lifetime(hq.prof, 30, 0));
  OK(br.n->ctx, vtun_ipsec_profile_set_pfs(br.prof, VTUN_DH_MODP2048));
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  lb_run(&net, 60 * VTUN_SECONDS, NULL);
  assert_true(br.n->events[VTUN_EVENT_SA_REKEYED] >= 2);
  assert_esp_both_ways();
  lb_free(&net);
}

/* Every identity type of the configuration model, checked by the HQ
 * against its remote ID; a mismatching ID is refused. */
static void test_identity_types(void **state) {
  static const struct {
    int type;
    const char *mine, *expected;
    bool ok;
  } cases[] = {
      {VTUN_ID_IP, "10.0.0.2", "10.0.0.2", true},
      {VTUN_ID_FQDN, "br.example.net", "BR.example.net", true},
      {VTUN_ID_USER_FQDN, "ops@example.net", "ops@example.net", true},
      {VTUN_ID_KEY_ID, "key-7", "key-7", true},
      {VTUN_ID_KEY_ID, "key-7", "key-8", false},
      {VTUN_ID_FQDN, "a.example", "b.example", false},
  };

  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    pair_make(30 + i, 0, 0);
    OK(br.n->ctx,
       vtun_ike_peer_set_local_id(br.peer, cases[i].type, cases[i].mine));
    OK(hq.n->ctx,
       vtun_ike_peer_set_remote_id(hq.peer, cases[i].type, cases[i].expected));
    pair_commit();
    assert_int_equal(lb_run(&net, 5 * VTUN_SECONDS, both_up), cases[i].ok);
    lb_free(&net);
  }
}

/* What strongSwan sends after IKE_AUTH (MOBIKE's NO_ADDITIONAL_ADDRESSES,
 * COOKIE2) is answered and changes nothing. */
static void test_mobike_notifies(void **state) {
  struct vtun__ikesa *h;
  struct vtun__ike_writer w;
  uint8_t buf[64];

  (void)state;
  pair_make(40, 0, 0);
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  h = ((struct vtun__ike_tun *)hq.t->ike)->sa;
  vtun__ike_writer_init(&w, buf, sizeof(buf));
  vtun__ike_put_n(&w, VTUN__IKE_N_NO_ADDITIONAL_ADDRESSES, NULL, 0);
  vtun__ike_put_n(&w, VTUN__IKE_N_COOKIE2, (const uint8_t *)"12345678", 8);
  assert_int_equal(
      vtun__ike_send_sk(h, VTUN__IKE_X_INFORMATIONAL, false, h->next_req, &w),
      0);
  vtun__ike_request_sent(h, IKE_REQ_DPD);
  lb_run(&net, VTUN_SECONDS, NULL);
  assert_int_equal(h->req_kind, IKE_REQ_NONE);
  assert_true(both_up(&net));
  assert_esp_both_ways();
  lb_free(&net);
}

/* Both ends have a destination and start at once: two IKE SAs cross;
 * the tunnels settle on working SAs and stay up through DPD. */
static void test_both_initiate(void **state) {
  (void)state;
  lb_init(&net, 41);
  side_make(&br, lb_node_new(&net, "10.0.0.2", NULL), "10.0.0.1", 0);
  side_make(&hq, lb_node_new(&net, "10.0.0.1", NULL), "10.0.0.2", 0);
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  lb_run(&net, 5 * VTUN_SECONDS, NULL);
  assert_esp_both_ways();
  lb_run(&net, 300 * VTUN_SECONDS, NULL);
  assert_true(both_up(&net));
  assert_esp_both_ways();
  lb_free(&net);
}

/* The IKE SA is rekeyed on time even when Child SA rekeys come more
 * often (a bug seen against strongSwan: each Child SA rekey pushed the
 * IKE SA rekey back until the IKE SA expired). The tunnel never leaves
 * UP. */
static void test_ike_rekey_with_short_child(void **state) {
  uint64_t states;

  (void)state;
  pair_make(42, 0, 0);
  OK(br.n->ctx, vtun_ike_proposal_set_lifetime(br.ikep, 90));
  OK(hq.n->ctx, vtun_ike_proposal_set_lifetime(hq.ikep, 90));
  OK(br.n->ctx, vtun_ipsec_profile_set_lifetime(br.prof, 45, 0));
  OK(hq.n->ctx, vtun_ipsec_profile_set_lifetime(hq.prof, 45, 0));
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  states = br.n->events[VTUN_EVENT_TUNNEL_STATE];
  for (int i = 0; i < 300; i++) {
    assert_esp_both_ways();
    lb_run(&net, VTUN_SECONDS, NULL);
  }
  assert_true(br.n->events[VTUN_EVENT_IKE_SA_UP] >= 4);
  assert_int_equal(br.n->events[VTUN_EVENT_TUNNEL_STATE], states);
  lb_free(&net);
}

/* Traffic-based lifetimes: with the smallest byte limit the Child SA
 * pair is rekeyed by volume, under traffic, and no packet is lost to the
 * data path's hard limit. */
/* Traffic faster than any rekey reaches the hard byte limit: the data
 * path removes the pair, and a new one is made over the same IKE SA. */
static void test_hard_limit_new_pair(void **state) {
  vtun_tunnel_stats st;

  (void)state;
  pair_make(44, 0, 0);
  OK(br.n->ctx, vtun_ipsec_profile_set_lifetime(br.prof, 3600, 2560));
  OK(hq.n->ctx, vtun_ipsec_profile_set_lifetime(hq.prof, 3600, 2560));
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  /* 2.8 MB at once, no time for a look at the counters. */
  for (int i = 0; i < 2000; i++)
    (void)lb_ping_len(br.t, 1400);
  vtun_tunnel_get_stats(br.t, &st, sizeof(st));
  assert_true(st.drop_lifetime > 0);
  assert_true(lb_run(&net, 5 * VTUN_SECONDS, both_up));
  lb_run(&net, 5 * VTUN_SECONDS, NULL);
  assert_true(br.n->events[VTUN_EVENT_SA_HARD_EXPIRED] >= 1);
  assert_int_equal(br.n->events[VTUN_EVENT_IKE_SA_UP], 1);
  assert_int_equal(hq.n->events[VTUN_EVENT_IKE_SA_UP], 1);
  assert_true(br.n->events[VTUN_EVENT_SA_INSTALLED] >= 2);
  assert_int_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  assert_int_equal(vtun_tunnel_get_state(hq.t), VTUN_STATE_UP);
  assert_esp_both_ways();
  lb_free(&net);
}

static void test_rekey_by_volume(void **state) {
  vtun_tunnel_stats sb, sh;
  uint64_t sent = 0;

  (void)state;
  pair_make(43, 0, 0);
  OK(br.n->ctx, vtun_ipsec_profile_set_lifetime(br.prof, 3600, 2560));
  OK(hq.n->ctx, vtun_ipsec_profile_set_lifetime(hq.prof, 3600, 2560));
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  for (int i = 0; i < 6000; i++) {
    assert_int_equal(lb_ping_len(br.t, 1400), 0);
    assert_int_equal(lb_ping_len(hq.t, 1400), 0);
    sent++;
    lb_run(&net, VTUN_SECONDS / 100, NULL);
  }
  assert_true(br.n->events[VTUN_EVENT_SA_REKEYED] >= 2);
  assert_int_equal(hq.n->delivered, sent);
  assert_int_equal(br.n->delivered, sent);
  vtun_tunnel_get_stats(br.t, &sb, sizeof(sb));
  vtun_tunnel_get_stats(hq.t, &sh, sizeof(sh));
  assert_int_equal(sb.drop_lifetime + sh.drop_lifetime, 0);
  lb_free(&net);
}

/* The branch's uplink gets a new address (DHCP, PPPoE): the tunnel
 * negotiates again from it, and HQ, which only answers, takes the branch
 * back on the same tunnel. */
static void test_source_moves(void **state) {
  (void)state;
  pair_make(31, 0, 0);
  pair_commit();
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  assert_int_equal(vtun_endpoint_parse(&br.n->addr, "10.0.0.22", 0), 0);
  OK(br.n->ctx, vtun_iface_set_address(br.ge1, "10.0.0.22", 24));
  assert_int_not_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  assert_true(lb_run(&net, 10 * VTUN_SECONDS, both_up));
  assert_int_equal(br.n->events[VTUN_EVENT_IKE_SA_UP], 2);
  assert_esp_both_ways();
  /* The same address again changes nothing. */
  OK(br.n->ctx, vtun_iface_set_address(br.ge1, "10.0.0.22", 24));
  assert_int_equal(vtun_tunnel_get_state(br.t), VTUN_STATE_UP);
  lb_free(&net);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_establish),
      cmocka_unit_test(test_invalid_ke),
      cmocka_unit_test(test_cookie),
      cmocka_unit_test(test_fragmentation),
      cmocka_unit_test(test_pool),
      cmocka_unit_test(test_child_rekey_under_traffic),
      cmocka_unit_test(test_ike_rekey),
      cmocka_unit_test(test_dpd_failure_and_recovery),
      cmocka_unit_test(test_delete),
      cmocka_unit_test(test_child_deleted_by_peer),
      cmocka_unit_test(test_nat_t),
      cmocka_unit_test(test_nat_detected),
      cmocka_unit_test(test_match_by_address),
      cmocka_unit_test(test_match_by_id),
      cmocka_unit_test(test_derived_psk),
      cmocka_unit_test(test_template),
      cmocka_unit_test(test_template_keep),
      cmocka_unit_test(test_template_unauthenticated),
      cmocka_unit_test(test_template_rules),
      cmocka_unit_test(test_no_match),
      cmocka_unit_test(test_wrong_psk),
      cmocka_unit_test(test_on_demand),
      cmocka_unit_test(test_display_and_export),
      cmocka_unit_test(test_rekey_collision),
      cmocka_unit_test(test_identity_types),
      cmocka_unit_test(test_mobike_notifies),
      cmocka_unit_test(test_both_initiate),
      cmocka_unit_test(test_ike_rekey_with_short_child),
      cmocka_unit_test(test_rekey_by_volume),
      cmocka_unit_test(test_hard_limit_new_pair),
      cmocka_unit_test(test_pfs_one_side),
      cmocka_unit_test(test_source_moves),
      cmocka_unit_test(test_lossy_trials),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
