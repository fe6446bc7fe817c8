/* IKEv2 between libvtun contexts in memory: real negotiations with the
 * OpenSSL backend under a fake clock, then ESP through the data path. */
#include "loop.h"

#include "core/ctx.h"
#include "ike/ike.h"

struct side {
  struct lb_node *n;
  vtun_iface *ge1;
  vtun_ike_proposal *ikep;
  vtun_ike_peer *peer;
  vtun_ipsec_proposal *ipp;
  vtun_ipsec_profile *prof;
  vtun_tunnel *t;
};

#define OK(ctx, call)                                                         \
  do {                                                                        \
    int rv_ = (call);                                                         \
    if (rv_ != 0)                                                             \
      fail_msg("%s: %s: %s", #call, vtun_strerror(rv_),                       \
               vtun_ctx_last_error(ctx));                                     \
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_establish),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
