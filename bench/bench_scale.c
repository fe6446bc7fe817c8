/* bench_scale: one headquarters context and N branch contexts (10,000 by
 * default) negotiating IKEv2 in memory through the public API only.
 *
 * It reports, for the HQ context alone:
 *  - the CPU time HQ spent until every branch's tunnel was up;
 *  - the heap bytes HQ holds per established tunnel (configuration, IKE SA,
 *    Child SAs), measured with mallinfo2 after the branch contexts are
 *    freed, against a baseline taken before HQ's tunnels were configured;
 *  - the data path cost per packet (HQ encapsulation + decapsulation)
 *    spread over 1, 100 and N tunnels, measured in the same run,
 *    interleaved, best of several rounds, in two traffic patterns: bursts
 *    of 16 packets per tunnel (what a host sees when it reads batches or
 *    offloaded super-packets from a TUN device), and every packet to
 *    another tunnel picked at random (a worst case: each packet finds its
 *    SAs' keys out of the CPU caches once N tunnels' SAs exceed them).
 * Last lines: `ratio scale-packet-cost-random N/1 <x>`,
 * `ratio scale-packet-cost N/1 <x>` (bursts), `bytes-per-tunnel <n>`,
 * `seconds-all-up N <s>`.
 *
 * `bench_scale N template` configures HQ with one template tunnel and
 * one master secret instead of N tunnels with N peers: each branch uses
 * the key derived for its identity and gets its tunnel from the template
 * at IKE_AUTH. The same figures are printed with `-template` appended to
 * their names (bytes per tunnel then count the instances the template
 * made, configuration being one template).
 *
 * Branches use outer addresses from 198.18.0.0/15 (RFC 2544's benchmark
 * range); nothing leaves the process. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vtun/vtun.h>

#define MAX_DGRAM 2048
#define WAVE 64 /* branches started at once, below the cookie threshold */

struct dgram {
  int to; /* branch index, or -1 for HQ */
  int proto;
  vtun_endpoint local, remote; /* as the receiver sees them */
  size_t len;
  uint8_t data[MAX_DGRAM];
};

struct node {
  int idx; /* -1 for HQ */
  vtun_ctx *ctx;
  vtun_tunnel *tun;
};

static struct dgram *queue;
static size_t q_head, q_tail, q_cap;
static struct node hq, *branches;
static int n_branches;
static int use_template; /* HQ: one template instead of N tunnels */
static const char master[] = "scale-benchmark-master-secret";
static int up_count;
static uint64_t delivered;
static struct dgram capture; /* data path phase: the last datagram */
static int capturing;

static double now_s(clockid_t clk) {
  struct timespec ts;

  clock_gettime(clk, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static vtun_tstamp hook_now(void *ud) {
  (void)ud;
  return (vtun_tstamp)(now_s(CLOCK_MONOTONIC) * 1e9);
}

static int branch_of(const vtun_endpoint *ep) {
  if (ep->family != VTUN_AF_INET || ep->addr[0] != 198 ||
      (ep->addr[1] & 0xfe) != 18)
    return -2;
  return ((ep->addr[1] & 1) << 16 | ep->addr[2] << 8 | ep->addr[3]) - 1;
}

static int hook_send(void *ud, vtun_vpn_instance *vrf, int proto,
                     const vtun_endpoint *local, const vtun_endpoint *remote,
                     const uint8_t *data, size_t len) {
  struct dgram *d;

  (void)ud;
  (void)vrf;
  if (len > MAX_DGRAM)
    return VTUN_ECALLBACK;
  if (capturing) {
    d = &capture;
  } else {
    if (q_tail - q_head == q_cap) {
      fprintf(stderr, "queue full\n");
      return VTUN_ECALLBACK;
    }
    d = &queue[q_tail++ % q_cap];
  }
  d->to = branch_of(remote);
  d->proto = proto;
  d->local = *remote;
  d->remote = *local;
  d->len = len;
  memcpy(d->data, data, len);
  return 0;
}

static int hook_deliver(void *ud, vtun_tunnel *t, const uint8_t *p,
                        size_t len) {
  (void)ud;
  (void)t;
  (void)p;
  (void)len;
  delivered++;
  return 0;
}

static void hook_event(void *ud, const vtun_event *ev) {
  struct node *n = ud;

  if (n->idx >= 0 && ev->type == VTUN_EVENT_TUNNEL_STATE &&
      ev->state == VTUN_STATE_UP)
    up_count++;
}

static const vtun_hooks hooks = {
    .send_datagram = hook_send,
    .deliver = hook_deliver,
    .event = hook_event,
    .now = hook_now,
};

static void die(const char *what, vtun_ctx *ctx, int rv) {
  fprintf(stderr, "%s: %s: %s\n", what, vtun_err_name(rv),
          ctx != NULL ? vtun_ctx_last_error(ctx) : "");
  exit(1);
}

#define CHECK(ctx, call)                                                       \
  do {                                                                         \
    int rv_ = (call);                                                          \
    if (rv_ != 0)                                                              \
      die(#call, ctx, rv_);                                                    \
  } while (0)

static void branch_addr(int i, char *buf, size_t len) {
  int a = i + 1;

  snprintf(buf, len, "198.%d.%d.%d", 18 + (a >> 16), (a >> 8) & 255, a & 255);
}

static const char psk[] = "scale-benchmark-shared-key";

static void hq_tunnel(int i, vtun_iface *up) {
  char name[64], id[64], prof[64];
  vtun_ike_peer *peer;
  vtun_ipsec_profile *p;
  vtun_ipsec_proposal *prop;
  vtun_tunnel *t;

  snprintf(name, sizeof(name), "p%d", i);
  snprintf(id, sizeof(id), "b%d.example.net", i);
  snprintf(prof, sizeof(prof), "prof%d", i);
  prop = vtun_ipsec_proposal_find(hq.ctx, NULL, "esp");
  CHECK(hq.ctx, vtun_ike_peer_new(hq.ctx, NULL, name, &peer));
  CHECK(hq.ctx,
        vtun_ike_peer_set_psk(peer, (const uint8_t *)psk, sizeof(psk) - 1));
  CHECK(hq.ctx, vtun_ike_peer_set_remote_id(peer, VTUN_ID_FQDN, id));
  CHECK(hq.ctx, vtun_ike_peer_set_ikev2_id_match(peer, 1));
  CHECK(hq.ctx, vtun_ipsec_profile_new(hq.ctx, NULL, prof, &p));
  CHECK(hq.ctx, vtun_ipsec_profile_set_ike_peer(p, name));
  CHECK(hq.ctx,
        vtun_ipsec_profile_set_proposal(p, vtun_ipsec_proposal_get_name(prop)));
  snprintf(name, sizeof(name), "Tunnel%d", i);
  CHECK(hq.ctx, vtun_tunnel_new(hq.ctx, name, &t));
  CHECK(hq.ctx, vtun_tunnel_set_protocol(t, VTUN_TUNNEL_IPSEC));
  CHECK(hq.ctx, vtun_tunnel_set_unnumbered(t, up));
  CHECK(hq.ctx, vtun_tunnel_set_source_iface(t, up));
  CHECK(hq.ctx, vtun_tunnel_set_profile(t, p));
}

/* One template for every branch, with keys derived from one secret. */
static void hq_template(vtun_iface *up) {
  vtun_ike_peer *peer;
  vtun_ipsec_profile *p;
  vtun_tunnel *t;

  CHECK(hq.ctx, vtun_ike_peer_new(hq.ctx, NULL, "branches", &peer));
  CHECK(hq.ctx, vtun_ike_peer_set_psk_master(peer, (const uint8_t *)master,
                                             sizeof(master) - 1));
  CHECK(hq.ctx, vtun_ipsec_profile_new(hq.ctx, NULL, "prof", &p));
  CHECK(hq.ctx, vtun_ipsec_profile_set_ike_peer(p, "branches"));
  CHECK(hq.ctx, vtun_ipsec_profile_set_proposal(p, "esp"));
  CHECK(hq.ctx, vtun_tunnel_new(hq.ctx, "Tunnel", &t));
  CHECK(hq.ctx, vtun_tunnel_set_protocol(t, VTUN_TUNNEL_IPSEC));
  CHECK(hq.ctx, vtun_tunnel_set_unnumbered(t, up));
  CHECK(hq.ctx, vtun_tunnel_set_source_iface(t, up));
  CHECK(hq.ctx, vtun_tunnel_set_profile(t, p));
  CHECK(hq.ctx, vtun_tunnel_set_template(t, VTUN_TEMPLATE_KEEP));
}

static void hq_setup(size_t *baseline, size_t *after_config) {
  vtun_ipsec_proposal *prop;
  vtun_iface *up;

  hq.idx = -1;
  CHECK(NULL, vtun_ctx_new(&hq.ctx, &hooks, NULL, &hq));
  CHECK(hq.ctx, vtun_iface_new(hq.ctx, "uplink", VTUN_LAYER3, &up));
  CHECK(hq.ctx, vtun_iface_set_address(up, "192.0.2.1", 24));
  CHECK(hq.ctx, vtun_ipsec_proposal_new(hq.ctx, NULL, "esp", &prop));
  CHECK(hq.ctx, vtun_ipsec_proposal_set_encr(prop, VTUN_ENCR_AES_GCM_256));
  *baseline = mallinfo2().uordblks;
  if (use_template)
    hq_template(up);
  else
    for (int i = 0; i < n_branches; i++)
      hq_tunnel(i, up);
  CHECK(hq.ctx, vtun_ctx_commit(hq.ctx));
  *after_config = mallinfo2().uordblks;
}

static void branch_setup(int i) {
  struct node *b = &branches[i];
  vtun_ipsec_proposal *prop;
  vtun_ipsec_profile *prof;
  vtun_ike_peer *peer;
  vtun_iface *up;
  char addr[32], id[64];

  b->idx = i;
  branch_addr(i, addr, sizeof(addr));
  snprintf(id, sizeof(id), "b%d.example.net", i);
  CHECK(NULL, vtun_ctx_new(&b->ctx, &hooks, NULL, b));
  CHECK(b->ctx, vtun_iface_new(b->ctx, "uplink", VTUN_LAYER3, &up));
  CHECK(b->ctx, vtun_iface_set_address(up, addr, 15));
  CHECK(b->ctx, vtun_ike_peer_new(b->ctx, NULL, "hq", &peer));
  if (use_template) {
    char key[65];

    if (vtun_derive_branch_psk((const uint8_t *)master, sizeof(master) - 1,
                               VTUN_ID_FQDN, id, key, sizeof(key)) != 64)
      die("vtun_derive_branch_psk", NULL, VTUN_EINTERNAL);
    CHECK(b->ctx, vtun_ike_peer_set_psk(peer, (const uint8_t *)key, 64));
  } else {
    CHECK(b->ctx,
          vtun_ike_peer_set_psk(peer, (const uint8_t *)psk, sizeof(psk) - 1));
  }
  CHECK(b->ctx, vtun_ike_peer_set_local_id(peer, VTUN_ID_FQDN, id));
  CHECK(b->ctx, vtun_ike_peer_add_remote_address(peer, "192.0.2.1"));
  CHECK(b->ctx, vtun_ipsec_proposal_new(b->ctx, NULL, "esp", &prop));
  CHECK(b->ctx, vtun_ipsec_proposal_set_encr(prop, VTUN_ENCR_AES_GCM_256));
  CHECK(b->ctx, vtun_ipsec_profile_new(b->ctx, NULL, "prof", &prof));
  CHECK(b->ctx, vtun_ipsec_profile_set_ike_peer(prof, "hq"));
  CHECK(b->ctx, vtun_ipsec_profile_set_proposal(prof, "esp"));
  CHECK(b->ctx, vtun_tunnel_new(b->ctx, "Tunnel1", &b->tun));
  CHECK(b->ctx, vtun_tunnel_set_protocol(b->tun, VTUN_TUNNEL_IPSEC));
  CHECK(b->ctx, vtun_tunnel_set_address_negotiated(b->tun));
  CHECK(b->ctx, vtun_tunnel_set_source_iface(b->tun, up));
  CHECK(b->ctx, vtun_tunnel_set_profile(b->tun, prof));
}

/* Delivers queued datagrams until none is left; HQ's share of the CPU
 * time goes to *hq_cpu. */
static void pump(double *hq_cpu) {
  while (q_head != q_tail) {
    struct dgram *d = &queue[q_head++ % q_cap];
    double t0;

    if (d->to == -2) {
      t0 = now_s(CLOCK_THREAD_CPUTIME_ID);
      vtun_ctx_input(hq.ctx, NULL, d->proto, &d->local, &d->remote, d->data,
                     d->len);
      *hq_cpu += now_s(CLOCK_THREAD_CPUTIME_ID) - t0;
    } else if (d->to >= 0 && d->to < n_branches) {
      vtun_ctx_input(branches[d->to].ctx, NULL, d->proto, &d->local, &d->remote,
                     d->data, d->len);
    }
  }
}

/* The destination index decides: HQ is not in 198.18/15, so -2 there. */
static void negotiate_all(double *hq_cpu, double *wall) {
  double w0 = now_s(CLOCK_MONOTONIC);

  for (int i = 0; i < n_branches; i += WAVE) {
    for (int j = i; j < n_branches && j < i + WAVE; j++) {
      branch_setup(j);
      CHECK(branches[j].ctx, vtun_ctx_commit(branches[j].ctx));
    }
    pump(hq_cpu);
  }
  *wall = now_s(CLOCK_MONOTONIC) - w0;
}

/* HQ's cost per packet spread over the first @p m tunnels: HQ sends one
 * packet into tunnel k (encapsulation) and takes one that branch k sent
 * (decapsulation). */
static double packet_cost(vtun_tunnel **hq_tun, int m, int burst, int packets) {
  static uint8_t buf[VTUN_HEADROOM + 512 + VTUN_TAILROOM];
  static struct dgram in;
  double spent = 0, t0;

  capturing = 1;
  for (int i = 0; i < packets; i++) {
    int k = (int)(((unsigned)(i / burst) * 2654435761u) % (unsigned)m);

    memset(buf + VTUN_HEADROOM, 0x45, 1);
    buf[VTUN_HEADROOM] = 0x45;
    buf[VTUN_HEADROOM + 2] = 512 >> 8;
    buf[VTUN_HEADROOM + 3] = 512 & 255;
    vtun_tunnel_send(branches[k].tun, buf, VTUN_HEADROOM, 512, sizeof(buf));
    in = capture;
    buf[VTUN_HEADROOM] = 0x45;
    t0 = now_s(CLOCK_MONOTONIC);
    vtun_tunnel_send(hq_tun[k], buf, VTUN_HEADROOM, 512, sizeof(buf));
    vtun_ctx_input(hq.ctx, NULL, in.proto, &in.local, &in.remote, in.data,
                   in.len);
    spent += now_s(CLOCK_MONOTONIC) - t0;
  }
  capturing = 0;
  return spent / packets;
}

static void measure_packets(int packets, int burst, double *cost1,
                            double *cost100, double *costn) {
  vtun_tunnel **hq_tun = calloc((size_t)n_branches, sizeof(*hq_tun));
  char name[64];

  for (int i = 0; i < n_branches && !use_template; i++) {
    snprintf(name, sizeof(name), "Tunnel%d", i);
    hq_tun[i] = vtun_tunnel_find(hq.ctx, name);
  }
  /* A template's instances, by the branch identity b<i>.example.net. */
  for (vtun_tunnel *t = NULL;
       use_template && (t = vtun_tunnel_next(hq.ctx, t)) != NULL;) {
    int i;

    if (vtun_tunnel_get_branch_id(t, NULL, name, sizeof(name)) > 0 &&
        sscanf(name, "b%d.", &i) == 1 && i >= 0 && i < n_branches)
      hq_tun[i] = t;
  }
  for (int i = 0; i < n_branches; i++)
    if (hq_tun[i] == NULL)
      die("HQ tunnel of a branch", hq.ctx, VTUN_ENOENT);
  *cost1 = *cost100 = *costn = 1e9;
  for (int round = 0; round < 15; round++) {
    double a = packet_cost(hq_tun, 1, burst, packets);
    double b = packet_cost(hq_tun, n_branches < 100 ? n_branches : 100, burst,
                           packets);
    double c = packet_cost(hq_tun, n_branches, burst, packets);

    *cost1 = a < *cost1 ? a : *cost1;
    *cost100 = b < *cost100 ? b : *cost100;
    *costn = c < *costn ? c : *costn;
  }
  free(hq_tun);
}

int main(int argc, char **argv) {
  size_t baseline, after_config, after_up;
  double hq_cpu = 0, wall = 0, c1, c100, cn, r1, r100, rn;
  uint64_t before;
  const char *sfx;

  n_branches = argc > 1 ? atoi(argv[1]) : 10000;
  use_template = argc > 2 && strcmp(argv[2], "template") == 0;
  if (n_branches < 1 || n_branches > 100000)
    return 2;
  q_cap = (size_t)n_branches * 4 + 1024;
  queue = calloc(q_cap, sizeof(*queue));
  branches = calloc((size_t)n_branches, sizeof(*branches));
  if (queue == NULL || branches == NULL)
    return 1;

  hq_setup(&baseline, &after_config);
  negotiate_all(&hq_cpu, &wall);
  printf("tunnels up: %d of %d (wall %.2f s, HQ CPU %.2f s)\n", up_count,
         n_branches, wall, hq_cpu);
  if (up_count != n_branches)
    return 1;

  before = delivered;
  measure_packets(20000, 16, &c1, &c100, &cn);
  measure_packets(20000, 1, &r1, &r100, &rn);
  printf("packets delivered at HQ: %llu of %d\n",
         (unsigned long long)(delivered - before), 2 * 15 * 3 * 20000);
  printf("HQ ns/packet (encap+decap, 512 B), bursts of 16: 1 tunnel %.0f, "
         "100 tunnels %.0f, %d tunnels %.0f\n",
         c1 * 1e9, c100 * 1e9, n_branches, cn * 1e9);
  printf("HQ ns/packet (encap+decap, 512 B), random: 1 tunnel %.0f, "
         "100 tunnels %.0f, %d tunnels %.0f\n",
         r1 * 1e9, r100 * 1e9, n_branches, rn * 1e9);

  for (int i = 0; i < n_branches; i++)
    vtun_ctx_free(branches[i].ctx);
  free(queue);
  queue = NULL;
  after_up = mallinfo2().uordblks;
  printf("HQ heap: configuration %zu B/tunnel, all %zu B/tunnel\n",
         (after_config - baseline) / (size_t)n_branches,
         (after_up - baseline) / (size_t)n_branches);

  sfx = use_template ? "-template" : "";
  printf("ratio scale-packet-cost-random%s %d/1 %.2f\n", sfx, n_branches,
         rn / r1);
  printf("ratio scale-packet-cost%s %d/1 %.2f\n", sfx, n_branches, cn / c1);
  printf("bytes-per-tunnel%s %zu\n", sfx,
         (after_up - baseline) / (size_t)n_branches);
  printf("seconds-all-up%s %d %.2f\n", sfx, n_branches, hq_cpu);
  vtun_ctx_free(hq.ctx);
  free(branches);
  return 0;
}
