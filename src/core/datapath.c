/* The data path: tunnel send, datagram input and statistics. SA
 * installation, snapshots and timers are in esp/tunnel.c. See datapath.h
 * for the threading scheme. */
#include "core/datapath.h"

#include <stdlib.h>
#include <string.h>

#include "esp/dp.h"
#include "esp/esp.h"
#include "esp/sadb.h"
#include "gre/gre.h"
#include "gre/ip.h"
#include "util/bytes.h"
#include "util/mem.h"

#define IKE_PORT 500
#define KA_ANSWER_MAX 128 /* the largest keepalive we return */

/* ------------------------------------------------------------ counters */

/* LIMITATION: the context-wide counters (datagrams received, unknown
 * SPIs...) are single atomics that every data path thread updates, so
 * many threads on many cores contend for their cache line. */

static void dp_inc(_Atomic uint64_t *c, uint64_t n) {
  atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* For counters only one thread at a time writes (a tunnel's transmit
 * counters: sends on one tunnel do not overlap): no locked instruction,
 * and readers still see whole values. */
static void dp_inc_single(_Atomic uint64_t *c, uint64_t n) {
  atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                        memory_order_relaxed);
}

/* The tunnel counter of a drop reason. A backend failure counts as an
 * integrity failure on input (nothing verified) and with the hook
 * failures on output (the packet was lost past our checks). */
static _Atomic uint64_t *dp_tunnel_counter(struct vtun__tunnel_counters *k,
                                           int rc, bool rx) {
  switch (rc) {
  case VTUN_ENOSA:
    return &k->drop_no_sa;
  case VTUN_EREPLAY:
    return &k->drop_replay;
  case VTUN_EINTEGRITY:
    return &k->drop_integrity;
  case VTUN_EMALFORMED:
    return &k->drop_malformed;
  case VTUN_ETOOBIG:
    return &k->drop_too_big;
  case VTUN_ELIFETIME:
    return &k->drop_lifetime;
  case VTUN_EPOLICY:
    return &k->drop_policy;
  case VTUN_ENOBUFS:
    return &k->drop_no_room;
  case VTUN_ECRYPTO:
    return rx ? &k->drop_integrity : &k->drop_hook;
  }
  return &k->drop_hook;
}

static _Atomic uint64_t *dp_sa_counter(struct vtun__sa_drops *k, int rc) {
  switch (rc) {
  case VTUN_EREPLAY:
    return &k->replay;
  case VTUN_EINTEGRITY:
  case VTUN_ECRYPTO:
    return &k->integrity;
  case VTUN_EMALFORMED:
    return &k->malformed;
  case VTUN_EPOLICY:
    return &k->policy;
  case VTUN_ELIFETIME:
    return NULL; /* counted by the SA code, which saw it first */
  }
  return &k->hook;
}

int vtun__dp_drop(vtun_tunnel *t, struct vtun__esp_sa *sa, int rc, bool rx) {
  _Atomic uint64_t *c;

  dp_inc(dp_tunnel_counter(&t->dp.cnt, rc, rx), 1);
  if (sa != NULL && (c = dp_sa_counter(&sa->drop, rc)) != NULL)
    dp_inc(c, 1);
  return rc;
}

/* ---------------------------------------------------------------- send */

int vtun__dp_emit(vtun_ctx *ctx, vtun_vpn_instance *vrf, int proto,
                  const vtun_endpoint *local, const vtun_endpoint *remote,
                  const uint8_t *data, size_t len) {
  if (ctx->hooks.send_datagram == NULL)
    return 0;
  if (ctx->hooks.send_datagram(ctx->user_data, vrf, proto, local, remote, data,
                               len) != 0)
    return VTUN_ECALLBACK;
  return 0;
}

/* ESP around buf[off, off + len), then out: raw ESP, or UDP 4500 without
 * a non-ESP marker (RFC 3948 §2.2). */
int vtun__dp_send_sa(vtun_ctx *ctx, struct vtun__esp_sa *sa, int user,
                     uint8_t *buf, size_t off, size_t len, size_t cap,
                     uint8_t nh) {
  int proto =
      (sa->flags & VTUN_SA_UDP_ENCAP) != 0 ? VTUN_PROTO_UDP : VTUN_PROTO_ESP;
  int rc = vtun__esp_encap(sa, user, buf, &off, &len, cap, nh);

  if (rc != 0)
    return rc;
  return vtun__dp_emit(ctx, sa->vrf, proto, &sa->local, &sa->remote, buf + off,
                       len);
}

/* Starts loading what a packet reads of a tunnel (struct vtun__tunnel_dp
 * puts it first): one or two cache lines, as the tunnel falls.
 * LIMITATION: with 10,000 tunnels a burst's first packet still waits for
 * a few dependent cache misses (tunnel, then SA and key; SPI table slot,
 * then SA and key) and puts its SAs' keys into the backend's keyed
 * contexts: bench/run scale measures 1.08 to 1.12 times the one-tunnel
 * cost per packet in bursts of 16 on a 2-core VM, around the goal of
 * 1.1. */
static void dp_prefetch_tunnel(const vtun_tunnel *t) {
  vtun__prefetch(&t->dp);
  vtun__prefetch(&t->dp.cnt.rx_bytes);
}

static struct vtun__esp_sa *dp_out_sa(vtun_tunnel *t) {
  return atomic_load_explicit(&t->dp.out_sa, memory_order_acquire);
}

static int dp_send_ipsec(vtun_tunnel *t, struct vtun__esp_sa **used,
                         uint8_t *buf, size_t off, size_t len, size_t cap,
                         uint8_t nh) {
  struct vtun__esp_sa *sa = dp_out_sa(t);
  int rc;

  /* The SA and its cipher context load together. */
  vtun__esp_prefetch_crypt(
      atomic_load_explicit(&t->dp.out_crypt, memory_order_relaxed));

  if (sa == NULL) {
    atomic_store_explicit(&t->dp.sa_wanted, true, memory_order_relaxed);
    return VTUN_ENOSA;
  }
  *used = sa;
  vtun__prefetch((const char *)sa + 64);
  vtun__prefetch((const char *)sa + 128);
  rc = vtun__esp_sa_account(sa, 1, len);
  if (rc != 0)
    return rc;
  return vtun__dp_send_sa(t->ctx, sa, VTUN__ESP_DATA, buf, off, len, cap, nh);
}

/* The GRE header of RFC 2784 with the key and sequence number of RFC
 * 2890 as configured, in front of buf[*off, *off + *len). */
static void dp_gre_push(vtun_tunnel *t, const struct vtun__dp_conf *c,
                        uint8_t *buf, size_t *off, size_t *len,
                        uint16_t proto) {
  struct vtun__gre_hdr h = {.proto = proto,
                            .has_key = c->gre_key_present,
                            .key = c->gre_key,
                            .has_seq = c->gre_seq};
  size_t n = vtun__gre_hdr_len(h.has_key, h.has_seq);

  if (h.has_seq)
    h.seq =
        atomic_fetch_add_explicit(&t->dp.gre_seq_out, 1, memory_order_relaxed);
  *off -= n;
  *len += n;
  vtun__gre_write(buf + *off, &h);
}

/* GRE inside ESP: an IP header from the tunnel's local to its remote
 * address says GRE, and ESP carries that packet in tunnel mode. */
static int dp_send_gre_esp(vtun_tunnel *t, const struct vtun__dp_conf *c,
                           struct vtun__esp_sa *sa, int user, uint8_t *buf,
                           size_t off, size_t len, size_t cap) {
  size_t hl = vtun__ip_hdr_len(c->local.family);
  uint8_t nh =
      c->local.family == VTUN_AF_INET ? VTUN__IPPROTO_IPIP : VTUN__IPPROTO_IPV6;

  off -= hl;
  vtun__ip_write(buf + off, &c->local, &c->remote, VTUN__IPPROTO_GRE, len);
  return vtun__dp_send_sa(t->ctx, sa, user, buf, off, len + hl, cap, nh);
}

int vtun__dp_send_gre(vtun_tunnel *t, const struct vtun__dp_conf *c, int user,
                      struct vtun__esp_sa **used, uint8_t *buf, size_t off,
                      size_t len, size_t cap, uint16_t proto) {
  struct vtun__esp_sa *sa = dp_out_sa(t);
  size_t inner = len;
  int rc;

  if (c->local.family == VTUN_AF_NONE || c->local.family != c->remote.family)
    return VTUN_ENOSA;
  if (sa == NULL && c->protect)
    return VTUN_ENOSA;
  dp_gre_push(t, c, buf, &off, &len, proto);
  if (sa == NULL)
    return vtun__dp_emit(t->ctx, c->vrf, VTUN_PROTO_GRE, &c->local, &c->remote,
                         buf + off, len);

  *used = sa;
  if (user == VTUN__ESP_DATA && (rc = vtun__esp_sa_account(sa, 1, inner)))
    return rc;
  return dp_send_gre_esp(t, c, sa, user, buf, off, len, cap);
}

static const struct vtun__dp_conf *dp_conf(const vtun_tunnel *t) {
  return atomic_load_explicit(&t->dp.conf, memory_order_acquire);
}

/* The packed snapshot members (vtun__dp_hot_of()); a GRE packet reads
 * the snapshot after them, which is at least as new. */
static uint64_t dp_hot(const vtun_tunnel *t) {
  return atomic_load_explicit(&t->dp.hot, memory_order_acquire);
}

static int dp_send_check(uint64_t hot, const uint8_t *buf, size_t off,
                         size_t len, size_t cap) {
  unsigned version;

  /* A shut-down tunnel carries nothing, as if it had no SA. */
  if (vtun__dp_hot_protocol(hot) == VTUN_TUNNEL_NONE ||
      !vtun__dp_hot_enabled(hot))
    return VTUN_ENOSA;
  if (buf == NULL || off < VTUN_HEADROOM || cap < off || cap - off < len ||
      cap - off - len < VTUN_TAILROOM)
    return VTUN_ENOBUFS;
  if (len > vtun__dp_hot_mtu(hot))
    return VTUN_ETOOBIG;
  version = len > 0 ? buf[off] >> 4 : 0;
  if ((version == 4 && len >= VTUN__IP4_HDR) ||
      (version == 6 && len >= VTUN__IP6_HDR))
    return 0;
  return VTUN_EMALFORMED;
}

/* One packet; the caller is in a read-side section. */
static int dp_send_one(vtun_tunnel *t, uint8_t *buf, size_t off, size_t len,
                       size_t cap) {
  uint64_t hot = dp_hot(t);
  const struct vtun__dp_conf *c;
  struct vtun__esp_sa *sa = NULL;
  int rc = dp_send_check(hot, buf, off, len, cap);
  bool v4;

  if (rc != 0)
    return vtun__dp_drop(t, NULL, rc, false);
  v4 = buf[off] >> 4 == 4;
  if (vtun__dp_hot_protocol(hot) == VTUN_TUNNEL_IPSEC)
    rc = dp_send_ipsec(t, &sa, buf, off, len, cap,
                       v4 ? VTUN__IPPROTO_IPIP : VTUN__IPPROTO_IPV6);
  else if ((c = dp_conf(t)) == NULL)
    rc = VTUN_ENOSA;
  else
    rc = vtun__dp_send_gre(t, c, VTUN__ESP_DATA, &sa, buf, off, len, cap,
                           v4 ? VTUN__GRE_PROTO_IPV4 : VTUN__GRE_PROTO_IPV6);
  if (rc != 0)
    return vtun__dp_drop(t, sa, rc, false);

  dp_inc_single(&t->dp.cnt.tx_packets, 1);
  dp_inc_single(&t->dp.cnt.tx_bytes, len);
  return 0;
}

int vtun_tunnel_send(vtun_tunnel *t, uint8_t *buf, size_t off, size_t len,
                     size_t cap) {
  struct vtun__rcu *rcu;
  unsigned slot;
  int rc;

  if (t == NULL)
    return VTUN_EINVAL;
  /* The tunnel's data path members, in flight before the fence that
   * entering the read-side section is. */
  dp_prefetch_tunnel(t);
  rcu = &t->ctx->dp.rcu;
  slot = vtun__rcu_enter(rcu);
  rc = dp_send_one(t, buf, off, len, cap);
  vtun__rcu_exit(rcu, slot);
  return rc;
}

vtun_ssize vtun_tunnel_send_batch(vtun_tunnel *t, vtun_pkt *pkts, size_t n) {
  struct vtun__rcu *rcu;
  vtun_ssize sent = 0;
  unsigned slot;

  if (t == NULL || (pkts == NULL && n > 0))
    return VTUN_EINVAL;
  dp_prefetch_tunnel(t);
  rcu = &t->ctx->dp.rcu;
  slot = vtun__rcu_enter(rcu);
  for (size_t i = 0; i < n; i++) {
    vtun_pkt *p = &pkts[i];

    p->result = dp_send_one(t, p->buf, p->off, p->len, p->cap);
    sent += p->result == 0;
  }
  vtun__rcu_exit(rcu, slot);
  return sent;
}

/* --------------------------------------------------------------- input */

/* What an inbound packet turned out to be, once checked. */
enum dp_kind {
  DP_DELIVER,    /* an inner packet for the host */
  DP_KA_REQUEST, /* a peer's GRE keepalive to return */
  DP_KA_REPLY,   /* our own GRE keepalive, returned */
  DP_DUMMY,      /* ESP next header 59 (RFC 4303 §2.6) */
};

struct dp_rx {
  vtun_ctx *ctx;
  vtun_tunnel *t;
  const struct vtun__dp_conf *c; /* NULL for an IPsec tunnel */
  bool enabled;
  struct vtun__esp_sa *sa; /* NULL for plain GRE */
  struct vtun__esp_rx esp;
  uint8_t *pkt; /* the inner packet, or the keepalive's IP packet */
  size_t len;
  int kind;
  bool gre_seq_valid;
  uint32_t gre_seq;
};

/* RFC 2890 §2.2: sequenced packets arriving out of order are dropped;
 * numbers compare in serial arithmetic. */
static bool dp_gre_seq_ok(const vtun_tunnel *t, uint32_t seq) {
  uint32_t last;

  if (!atomic_load_explicit(&t->dp.gre_seq_any, memory_order_relaxed))
    return true;
  last = atomic_load_explicit(&t->dp.gre_seq_in, memory_order_relaxed);
  return (int32_t)(seq - last) > 0;
}

/* A peer's keepalive: GRE in IP from our address back to the peer. */
static bool dp_is_keepalive(const struct vtun__dp_conf *c,
                            const struct vtun__ip_info *ip) {
  return ip->proto == VTUN__IPPROTO_GRE && ip->len <= KA_ANSWER_MAX &&
         vtun__ip_addr_is(ip->family, ip->src, &c->local) &&
         vtun__ip_addr_is(ip->family, ip->dst, &c->remote);
}

static int dp_gre_payload(struct dp_rx *rx, uint16_t proto, uint8_t *p,
                          size_t n) {
  struct vtun__ip_info ip;

  if (proto == VTUN__GRE_PROTO_KEEPALIVE) {
    rx->kind = DP_KA_REPLY;
    return 0;
  }
  if (proto != VTUN__GRE_PROTO_IPV4 && proto != VTUN__GRE_PROTO_IPV6)
    return VTUN_EPOLICY;
  if (vtun__ip_parse(p, n, &ip) != 0 ||
      (proto == VTUN__GRE_PROTO_IPV4) != (ip.family == VTUN_AF_INET))
    return VTUN_EMALFORMED;
  rx->pkt = p;
  rx->len = ip.len;
  rx->kind = dp_is_keepalive(rx->c, &ip) ? DP_KA_REQUEST : DP_DELIVER;
  return 0;
}

static int dp_gre_classify(struct dp_rx *rx, uint8_t *p, size_t n) {
  const struct vtun__dp_conf *c = rx->c;
  struct vtun__gre_hdr h;
  int rc = vtun__gre_parse(p, n, &h);

  if (rc != 0)
    return rc;
  if (h.has_key != c->gre_key_present || (h.has_key && h.key != c->gre_key))
    return VTUN_EPOLICY;
  if (c->gre_seq && h.has_seq) {
    if (!dp_gre_seq_ok(rx->t, h.seq))
      return VTUN_EREPLAY;
    rx->gre_seq_valid = true;
    rx->gre_seq = h.seq;
  }
  return dp_gre_payload(rx, h.proto, p + h.len, n - h.len);
}

/* Tunnel mode: next header 4 or 41 is an IP packet; for a GRE tunnel it
 * is the IP header that carries GRE. Next header 47 is GRE without
 * one, as transport-mode GRE over IPsec sends it.
 * LIMITATION: IPv6 extension headers between that IP header and GRE are
 * not walked; such packets are dropped by policy. */
static int dp_esp_classify(struct dp_rx *rx, uint8_t *pkt) {
  uint8_t *p = pkt + rx->esp.off;
  bool gre = rx->c != NULL && rx->c->protocol == VTUN_TUNNEL_GRE;
  struct vtun__ip_info ip;

  if (!rx->enabled)
    return VTUN_EPOLICY;
  if (rx->esp.nh == VTUN__IPPROTO_NONE) {
    rx->kind = DP_DUMMY;
    return 0;
  }
  if (rx->esp.nh == VTUN__IPPROTO_GRE)
    return gre ? dp_gre_classify(rx, p, rx->esp.len) : VTUN_EPOLICY;
  if (rx->esp.nh != VTUN__IPPROTO_IPIP && rx->esp.nh != VTUN__IPPROTO_IPV6)
    return VTUN_EPOLICY;

  if (vtun__ip_parse(p, rx->esp.len, &ip) != 0 ||
      (rx->esp.nh == VTUN__IPPROTO_IPIP) != (ip.family == VTUN_AF_INET))
    return VTUN_EMALFORMED;
  if (gre)
    return ip.proto == VTUN__IPPROTO_GRE
               ? dp_gre_classify(rx, p + ip.hlen, ip.len - ip.hlen)
               : VTUN_EPOLICY;
  rx->pkt = p;
  rx->len = ip.len; /* what follows is TFC padding (RFC 4303 §2.7) */
  rx->kind = DP_DELIVER;
  return 0;
}

/* The packet is good: only now do the replay window and the GRE sequence
 * number move. */
static int dp_commit(struct dp_rx *rx) {
  int rc;

  if (rx->sa != NULL &&
      (rc = vtun__esp_accept(rx->sa, &rx->esp,
                             rx->kind == DP_DUMMY ? 0 : rx->len)) != 0)
    return rc;
  if (rx->gre_seq_valid) {
    atomic_store_explicit(&rx->t->dp.gre_seq_in, rx->gre_seq,
                          memory_order_relaxed);
    atomic_store_explicit(&rx->t->dp.gre_seq_any, true, memory_order_relaxed);
  }
  return 0;
}

/* Returns a peer's keepalive the way a router would route it: plain GRE
 * to its destination, or through our ESP SA with the objects kept for
 * the library's own packets. */
static int dp_ka_answer(struct dp_rx *rx) {
  uint8_t b[VTUN_HEADROOM + KA_ANSWER_MAX + VTUN_TAILROOM];
  struct vtun__esp_sa *sa = dp_out_sa(rx->t);
  const struct vtun__dp_conf *c = rx->c;
  size_t hl = vtun__ip_hdr_len(c->local.family);
  uint8_t nh =
      c->local.family == VTUN_AF_INET ? VTUN__IPPROTO_IPIP : VTUN__IPPROTO_IPV6;

  dp_inc(&rx->t->dp.cnt.gre_keepalives_rx, 1);
  if (sa == NULL)
    return vtun__dp_emit(rx->ctx, c->vrf, VTUN_PROTO_GRE, &c->local, &c->remote,
                         rx->pkt + hl, rx->len - hl);
  memcpy(b + VTUN_HEADROOM, rx->pkt, rx->len);
  return vtun__dp_send_sa(rx->ctx, sa, VTUN__ESP_CTL, b, VTUN_HEADROOM, rx->len,
                          sizeof(b), nh);
}

static int dp_deliver(struct dp_rx *rx) {
  vtun_ctx *ctx = rx->ctx;

  if (ctx->hooks.deliver == NULL ||
      ctx->hooks.deliver(ctx->user_data, rx->t, rx->pkt, rx->len) != 0)
    return VTUN_ECALLBACK;
  dp_inc(&rx->t->dp.cnt.rx_packets, 1);
  dp_inc(&rx->t->dp.cnt.rx_bytes, rx->len);
  return 0;
}

static int dp_act(struct dp_rx *rx) {
  switch (rx->kind) {
  case DP_DUMMY:
    return VTUN_EPOLICY;
  case DP_KA_REPLY:
    atomic_store_explicit(&rx->t->dp.ka_missed, 0, memory_order_relaxed);
    dp_inc(&rx->t->dp.cnt.gre_keepalive_replies, 1);
    return 0;
  case DP_KA_REQUEST:
    return dp_ka_answer(rx);
  }
  return dp_deliver(rx);
}

/* Classified, committed, acted on; any failure is a counted drop. */
static int dp_finish(struct dp_rx *rx, int rc) {
  if (rc == 0)
    rc = dp_commit(rx);
  if (rc == 0)
    rc = dp_act(rx);
  if (rc != 0)
    vtun__dp_drop(rx->t, rx->sa, rc, true);
  return rc;
}

static int dp_ctx_drop(_Atomic uint64_t *counter, int rc) {
  dp_inc(counter, 1);
  return rc;
}

/* Only what every path reads; the rest is set where it is known. */
static void dp_rx_init(struct dp_rx *rx, vtun_ctx *ctx) {
  rx->ctx = ctx;
  rx->sa = NULL;
  rx->gre_seq_valid = false;
}

/* The tunnel's snapshot, read only when it is not an IPsec tunnel (whose
 * packets need just the packed members). */
static void dp_rx_conf(struct dp_rx *rx) {
  uint64_t hot = dp_hot(rx->t);

  rx->c = NULL;
  rx->enabled = true;
  if (vtun__dp_hot_protocol(hot) == VTUN_TUNNEL_IPSEC)
    rx->enabled = vtun__dp_hot_enabled(hot);
  else if ((rx->c = dp_conf(rx->t)) != NULL)
    rx->enabled = rx->c->enabled;
}

static int dp_input_esp(vtun_ctx *ctx, uint8_t *buf, size_t len) {
  struct vtun__ctx_counters *k = &ctx->dp.cnt;
  struct dp_rx rx;
  uint32_t spi;
  int rc;

  /* SPIs 1-255 are reserved and 0 is the non-ESP marker (RFC 4303 §2.1,
   * RFC 3948 §2.2): never ours. */
  if (len < VTUN__ESP_HDR || (spi = vtun__esp_spi(buf)) < 256)
    return dp_ctx_drop(&k->drop_malformed, VTUN_EMALFORMED);
  dp_rx_init(&rx, ctx);
  rx.sa = vtun__sadb_lookup(ctx->dp.sadb, spi);
  if (rx.sa == NULL)
    return dp_ctx_drop(&k->drop_unknown_spi, VTUN_ENOSA);

  /* The SA's first line leads to the replay window's block and the
   * tunnel: their misses overlap with the other lines of the SA and with
   * the cipher context's (the lookup started those) when they all load
   * at once, rather than one after the other as decryption and delivery
   * reach them. */
  rx.t = rx.sa->tunnel;
  vtun__prefetch((const char *)rx.sa + 64);
  vtun__prefetch((const char *)rx.sa + 128);
  dp_prefetch_tunnel(rx.t);
  if (rx.sa->replay.window != 0)
    vtun__prefetch(vtun__replay_block(&rx.sa->replay, vtun__be32(buf + 4)));
  rc = vtun__esp_decap(rx.sa, buf, len, &rx.esp);
  dp_rx_conf(&rx);
  if (rc == 0)
    rc = dp_esp_classify(&rx, buf);
  return dp_finish(&rx, rc);
}

static int dp_input_gre(vtun_ctx *ctx, vtun_vpn_instance *vrf,
                        const vtun_endpoint *local, const vtun_endpoint *remote,
                        uint8_t *buf, size_t len) {
  struct vtun__ctx_counters *k = &ctx->dp.cnt;
  struct dp_rx rx;
  struct vtun__gre_hdr h;

  dp_rx_init(&rx, ctx);
  if (vtun__gre_parse(buf, len, &h) != 0)
    return dp_ctx_drop(&k->drop_malformed, VTUN_EMALFORMED);
  rx.c =
      vtun__sadb_gre_lookup(ctx->dp.sadb, vrf, local, remote, h.has_key, h.key);
  if (rx.c == NULL)
    return dp_ctx_drop(&k->drop_no_tunnel, VTUN_ENOSA);

  /* A protected or shut-down tunnel takes no plain GRE. */
  rx.t = rx.c->tunnel;
  rx.enabled = rx.c->enabled;
  return dp_finish(&rx, rx.c->protect || !rx.c->enabled
                            ? VTUN_EPOLICY
                            : dp_gre_classify(&rx, buf, len));
}

static int dp_input(vtun_ctx *ctx, vtun_vpn_instance *vrf, int proto,
                    const vtun_endpoint *local, const vtun_endpoint *remote,
                    uint8_t *buf, size_t len) {
  switch (proto) {
  case VTUN_PROTO_UDP:
    /* RFC 3948 §2.3: a NAT keepalive is one 0xFF byte. */
    if (len == 1 && buf[0] == 0xff)
      return dp_ctx_drop(&ctx->dp.cnt.nat_keepalives_rx, 0);
    return dp_input_esp(ctx, buf, len);
  case VTUN_PROTO_ESP:
    return dp_input_esp(ctx, buf, len);
  case VTUN_PROTO_GRE:
    return dp_input_gre(ctx, vrf, local, remote, buf, len);
  }
  return dp_ctx_drop(&ctx->dp.cnt.drop_malformed, VTUN_EINVAL);
}

/* IKE on UDP 500, or on 4500 behind the four zero bytes of the non-ESP
 * marker (RFC 3948 §2.2). */
static bool dp_is_ike(int proto, const vtun_endpoint *local, const uint8_t *buf,
                      size_t len) {
  if (proto != VTUN_PROTO_UDP)
    return false;
  return local->port == IKE_PORT || (len >= 4 && vtun__be32(buf) == 0);
}

static int dp_ike(vtun_ctx *ctx, vtun_vpn_instance *vrf,
                  const vtun_endpoint *local, const vtun_endpoint *remote,
                  uint8_t *buf, size_t len) {
  if (local->port != IKE_PORT) {
    buf += 4;
    len -= 4;
  }
  return vtun__ike_input(ctx, vrf, local, remote, buf, len);
}

int vtun_ctx_input(vtun_ctx *ctx, vtun_vpn_instance *vrf, int proto,
                   const vtun_endpoint *local, const vtun_endpoint *remote,
                   uint8_t *buf, size_t len) {
  unsigned slot;
  int rc;

  if (ctx == NULL || local == NULL || remote == NULL ||
      (buf == NULL && len > 0))
    return VTUN_EINVAL;
  dp_inc(&ctx->dp.cnt.rx_datagrams, 1);

  /* IKE is config thread work and may delete tunnels, which waits for
   * read-side sections: it runs outside one. */
  if (dp_is_ike(proto, local, buf, len))
    return dp_ike(ctx, vrf, local, remote, buf, len);
  slot = vtun__rcu_enter(&ctx->dp.rcu);
  rc = dp_input(ctx, vrf, proto, local, remote, buf, len);
  vtun__rcu_exit(&ctx->dp.rcu, slot);
  return rc;
}

vtun_ssize vtun_ctx_input_batch(vtun_ctx *ctx, vtun_vpn_instance *vrf,
                                int proto, const vtun_endpoint *local,
                                vtun_pkt *pkts, size_t n) {
  vtun_ssize done = 0;
  unsigned slot;

  if (ctx == NULL || local == NULL || (pkts == NULL && n > 0))
    return VTUN_EINVAL;
  slot = vtun__rcu_enter(&ctx->dp.rcu);
  for (size_t i = 0; i < n; i++) {
    vtun_pkt *p = &pkts[i];
    uint8_t *b = p->buf != NULL ? p->buf + p->off : NULL;

    dp_inc(&ctx->dp.cnt.rx_datagrams, 1);
    if (b == NULL && p->len > 0) {
      p->result = VTUN_EINVAL;
    } else if (dp_is_ike(proto, local, b, p->len)) {
      vtun__rcu_exit(&ctx->dp.rcu, slot);
      p->result = dp_ike(ctx, vrf, local, &p->remote, b, p->len);
      slot = vtun__rcu_enter(&ctx->dp.rcu);
    } else {
      p->result = dp_input(ctx, vrf, proto, local, &p->remote, b, p->len);
    }
    done += p->result == 0;
  }
  vtun__rcu_exit(&ctx->dp.rcu, slot);
  return done;
}

/* vtun__ike_input() is the IKE engine's (src/ike/engine.c). */

/* ---------------------------------------------------------- statistics */

/* Sizes of the first published layouts: callers built against them keep
 * working. */
#define TUNNEL_STATS_V1 (offsetof(vtun_tunnel_stats, gre_keepalives_rx) + 8)
#define CTX_STATS_V1 (offsetof(vtun_ctx_stats, pool_exhausted) + 8)

static uint64_t dp_get(const _Atomic uint64_t *c) {
  return atomic_load_explicit(c, memory_order_relaxed);
}

int vtun_tunnel_get_stats(const vtun_tunnel *t, vtun_tunnel_stats *out,
                          size_t size) {
  const struct vtun__tunnel_counters *k;
  vtun_tunnel_stats s;

  if (t == NULL || out == NULL || size < TUNNEL_STATS_V1)
    return VTUN_EINVAL;
  k = &t->dp.cnt;
  s = (vtun_tunnel_stats){
      dp_get(&k->tx_packets),     dp_get(&k->tx_bytes),
      dp_get(&k->rx_packets),     dp_get(&k->rx_bytes),
      dp_get(&k->drop_no_sa),     dp_get(&k->drop_replay),
      dp_get(&k->drop_integrity), dp_get(&k->drop_malformed),
      dp_get(&k->drop_too_big),   dp_get(&k->drop_lifetime),
      dp_get(&k->drop_policy),    dp_get(&k->drop_no_room),
      dp_get(&k->drop_hook),      dp_get(&k->gre_keepalives_rx)};
  memcpy(out, &s, size < sizeof(s) ? size : sizeof(s));
  return 0;
}

int vtun_ctx_get_stats(const vtun_ctx *ctx, vtun_ctx_stats *out, size_t size) {
  const struct vtun__ctx_counters *k;
  vtun_ctx_stats s;

  if (ctx == NULL || out == NULL || size < CTX_STATS_V1)
    return VTUN_EINVAL;
  k = &ctx->dp.cnt;
  s = (vtun_ctx_stats){
      dp_get(&k->rx_datagrams),      dp_get(&k->drop_unknown_spi),
      dp_get(&k->drop_malformed),    dp_get(&k->drop_no_tunnel),
      dp_get(&k->ike_no_match),      dp_get(&k->ike_dropped),
      dp_get(&k->nat_keepalives_rx), dp_get(&k->pool_exhausted)};
  memcpy(out, &s, size < sizeof(s) ? size : sizeof(s));
  return 0;
}
