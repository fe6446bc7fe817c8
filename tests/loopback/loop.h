/* Two or more contexts wired to each other in memory: every datagram a
 * context sends is queued and handed to the context owning the
 * destination address, under a fake clock, with seeded loss, duplication
 * and reordering, and an optional NAT in front of a node. */
#ifndef VTUN_TEST_LOOP_H
#define VTUN_TEST_LOOP_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtun/vtun.h"

#define LB_NODES 4
#define LB_PKT_MAX 4096

struct lb_pkt {
  int to;
  int proto;
  vtun_endpoint local, remote; /* as the receiver sees them */
  size_t len;
  uint8_t data[LB_PKT_MAX];
};

struct lb_net;

struct lb_node {
  struct lb_net *net;
  vtun_ctx *ctx;
  vtun_endpoint addr; /* its own outer address */
  vtun_endpoint nat;  /* public address when behind a NAT, else NONE */
  bool silent;        /* drops everything it would send or receive */
  uint64_t delivered, sent, ike_sent, max_ike;
  uint64_t events[16]; /* by vtun_event_type */
  int last_state;
  char address[64]; /* the last ADDRESS_ASSIGNED */
  unsigned key_lines;
  char key_line[2][512]; /* the first two lines exported */
};

struct lb_net {
  struct lb_node nodes[LB_NODES];
  int n;
  struct lb_pkt *q;
  size_t qn, qcap;
  vtun_tstamp now;
  uint64_t rng;
  unsigned loss, dup, reorder; /* percent */
  uint64_t dropped;
};

static inline uint64_t lb_rand(struct lb_net *net) {
  net->rng ^= net->rng << 13;
  net->rng ^= net->rng >> 7;
  net->rng ^= net->rng << 17;
  return net->rng;
}

static inline bool lb_chance(struct lb_net *net, unsigned pct) {
  return pct != 0 && lb_rand(net) % 100 < pct;
}

static inline int lb_find(struct lb_net *net, const vtun_endpoint *ep) {
  for (int i = 0; i < net->n; i++) {
    const vtun_endpoint *a = net->nodes[i].nat.family != VTUN_AF_NONE
                                 ? &net->nodes[i].nat
                                 : &net->nodes[i].addr;
    if (a->family == ep->family && memcmp(a->addr, ep->addr, 4) == 0)
      return i;
  }
  return -1;
}

static inline void lb_push(struct lb_net *net, const struct lb_pkt *p) {
  size_t at = net->qn;

  if (net->qn == net->qcap) {
    net->qcap = net->qcap ? 2 * net->qcap : 64;
    net->q = realloc(net->q, net->qcap * sizeof(*net->q));
    assert_non_null(net->q);
  }
  if (lb_chance(net, net->reorder) && net->qn > 0)
    at = lb_rand(net) % (net->qn + 1);
  memmove(&net->q[at + 1], &net->q[at], (net->qn - at) * sizeof(*net->q));
  net->q[at] = *p;
  net->qn++;
}

static inline int lb_send(void *ud, vtun_vpn_instance *vrf, int proto,
                          const vtun_endpoint *local,
                          const vtun_endpoint *remote, const uint8_t *data,
                          size_t len) {
  struct lb_node *me = ud;
  struct lb_net *net = me->net;
  struct lb_pkt *p = malloc(sizeof(*p));

  (void)vrf;
  assert_non_null(p);
  assert_true(len <= LB_PKT_MAX);
  me->sent++;
  if (proto == VTUN_PROTO_UDP && (local->port == 500 || local->port == 4500) &&
      (len < 4 || memcmp(data, "\0\0\0\0", 4) == 0 || local->port == 500)) {
    me->ike_sent++;
    if (len > me->max_ike)
      me->max_ike = len;
  }
  p->proto = proto;
  p->to = lb_find(net, remote);
  p->local = *remote;
  p->remote = *local;
  if (me->nat.family != VTUN_AF_NONE) {
    memcpy(p->remote.addr, me->nat.addr, 4);
    if (p->remote.port != 0)
      p->remote.port = (uint16_t)(p->remote.port + 40000);
  }
  p->len = len;
  memcpy(p->data, data, len);
  if (p->to < 0 || me->silent || lb_chance(net, net->loss)) {
    net->dropped++;
    free(p);
    return 0;
  }
  lb_push(net, p);
  if (lb_chance(net, net->dup))
    lb_push(net, p);
  free(p);
  return 0;
}

static inline int lb_deliver(void *ud, vtun_tunnel *t, const uint8_t *pkt,
                             size_t len) {
  (void)t;
  (void)pkt;
  (void)len;
  ((struct lb_node *)ud)->delivered++;
  return 0;
}

static inline void lb_event(void *ud, const vtun_event *ev) {
  struct lb_node *me = ud;

  if (ev->type < 16)
    me->events[ev->type]++;
  if (ev->type == VTUN_EVENT_TUNNEL_STATE)
    me->last_state = ev->state;
  if (ev->type == VTUN_EVENT_ADDRESS_ASSIGNED && ev->address)
    snprintf(me->address, sizeof(me->address), "%s/%u", ev->address,
             ev->prefixlen);
}

static inline vtun_tstamp lb_now(void *ud) {
  return ((struct lb_node *)ud)->net->now;
}

static inline void lb_keys(void *ud, const char *line, size_t len) {
  struct lb_node *me = ud;

  if (me->key_lines < 2)
    snprintf(me->key_line[me->key_lines], sizeof(me->key_line[0]), "%.*s",
             (int)len, line);
  me->key_lines++;
}

static inline void lb_log(void *ud, int level, unsigned topic, const char *msg,
                          size_t len) {
  (void)ud;
  (void)topic;
  if (getenv("LB_LOG") != NULL)
    fprintf(stderr, "[%d] %.*s\n", level, (int)len, msg);
}

/* Adds a node with outer address @p addr; settings may be NULL. */
static inline struct lb_node *lb_node_new(struct lb_net *net, const char *addr,
                                          const vtun_settings *s) {
  struct lb_node *n = &net->nodes[net->n++];
  vtun_hooks h = {.send_datagram = lb_send,
                  .deliver = lb_deliver,
                  .event = lb_event,
                  .now = lb_now,
                  .key_export = lb_keys,
                  .log = lb_log};
  vtun_settings st;

  memset(n, 0, sizeof(*n));
  n->net = net;
  vtun_settings_default(&st);
  if (s != NULL)
    st = *s;
  if (getenv("LB_LOG") != NULL)
    st.log_level = VTUN_LOG_DEBUG;
  assert_int_equal(vtun_endpoint_parse(&n->addr, addr, 0), 0);
  assert_int_equal(vtun_ctx_new(&n->ctx, &h, &st, n), 0);
  return n;
}

static inline void lb_init(struct lb_net *net, uint64_t seed) {
  memset(net, 0, sizeof(*net));
  net->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
  net->now = VTUN_SECONDS;
}

static inline void lb_free(struct lb_net *net) {
  for (int i = 0; i < net->n; i++)
    vtun_ctx_free(net->nodes[i].ctx);
  free(net->q);
  net->q = NULL;
}

/* Delivers one queued datagram; false when the queue is empty. */
static inline bool lb_step(struct lb_net *net) {
  struct lb_pkt *p;
  struct lb_node *to;

  if (net->qn == 0)
    return false;
  p = malloc(sizeof(*p));
  assert_non_null(p);
  *p = net->q[0];
  memmove(&net->q[0], &net->q[1], (net->qn - 1) * sizeof(*net->q));
  net->qn--;
  to = &net->nodes[p->to];
  if (to->nat.family != VTUN_AF_NONE) {
    memcpy(p->local.addr, to->addr.addr, 4);
    if (p->local.port > 40000)
      p->local.port = (uint16_t)(p->local.port - 40000);
  }
  if (!to->silent)
    (void)vtun_ctx_input(to->ctx, NULL, p->proto, &p->local, &p->remote,
                         p->data, p->len);
  free(p);
  return true;
}

/* Runs the network: queued datagrams first, then the clock jumps to the
 * next deadline; stops when @p done says so or @p limit has passed. */
static inline bool lb_run(struct lb_net *net, vtun_tstamp limit,
                          bool (*done)(struct lb_net *)) {
  vtun_tstamp end = net->now + limit;

  for (;;) {
    vtun_tstamp next = VTUN_TSTAMP_MAX;

    while (lb_step(net))
      if (done != NULL && done(net))
        return true;
    if (done != NULL && done(net))
      return true;
    for (int i = 0; i < net->n; i++) {
      vtun_tstamp d = vtun_ctx_next_deadline(net->nodes[i].ctx);
      if (d < next)
        next = d;
    }
    if (next == VTUN_TSTAMP_MAX || next > end) {
      net->now = end;
      return done == NULL;
    }
    if (next > net->now)
      net->now = next;
    for (int i = 0; i < net->n; i++)
      vtun_ctx_expire_timers(net->nodes[i].ctx, net->now);
  }
}

/* Sends one IPv4 packet of @p len bytes (20-1400) into @p t; returns
 * vtun_tunnel_send's result. */
static inline int lb_ping_len(vtun_tunnel *t, size_t len) {
  uint8_t buf[VTUN_HEADROOM + 1400 + VTUN_TAILROOM];
  uint8_t *ip = buf + VTUN_HEADROOM;

  memset(buf, 0, sizeof(buf));
  ip[0] = 0x45;
  ip[2] = (uint8_t)(len >> 8);
  ip[3] = (uint8_t)len;
  ip[8] = 64;
  ip[9] = 17;
  ip[12] = 172, ip[13] = 16, ip[15] = 1;
  ip[16] = 172, ip[17] = 16, ip[19] = 2;
  return vtun_tunnel_send(t, buf, VTUN_HEADROOM, len, sizeof(buf));
}

/* One small IPv4 packet. */
static inline int lb_ping(vtun_tunnel *t) {
  return lb_ping_len(t, 64);
}

#endif
