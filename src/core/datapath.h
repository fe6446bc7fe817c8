/* The tunnel's and the context's data path state: Child SAs, the SPI
 * table, counters, and what the data path reads of a tunnel's
 * configuration.
 *
 * Threads. Data path calls (vtun_tunnel_send, vtun_ctx_input and their
 * batch forms) run on any thread and take no lock: they read the SPI
 * table, a tunnel's outbound SA and its configuration snapshot inside a
 * read-side section of ctx->dp.rcu (esp/rcu.h), and the config thread
 * frees what it replaced only when those sections have ended. So the data
 * path never reads the configuration members of struct vtun_tunnel, which
 * the config thread changes at will: it reads the snapshot, which
 * vtun__dp_tunnel_update() republishes.
 *
 * The configuration core calls only the functions below. */
#ifndef VTUN_CORE_DATAPATH_H
#define VTUN_CORE_DATAPATH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "esp/rcu.h"
#include "util/timer.h"
#include "vtun/vtun.h"

struct vtun__esp_sa;
struct vtun__sadb;

/* Counters, updated with relaxed atomics from data path threads. */
struct vtun__tunnel_counters {
  _Atomic uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes;
  _Atomic uint64_t drop_no_sa, drop_replay, drop_integrity, drop_malformed;
  _Atomic uint64_t drop_too_big, drop_lifetime, drop_policy, drop_no_room;
  _Atomic uint64_t drop_hook, gre_keepalives_rx;
  _Atomic uint64_t gre_keepalive_replies; /* answers to our keepalives */
};

/* What the data path needs of a tunnel's configuration, copied on the
 * config thread and published as a whole. */
struct vtun__dp_conf {
  struct vtun__rcu_head rcu;
  vtun_tunnel *tunnel;
  int protocol; /* enum vtun_tunnel_protocol */
  bool enabled; /* administratively up */
  bool protect; /* GRE carried inside ESP */
  vtun_vpn_instance *vrf;
  vtun_endpoint local, remote; /* family NONE when unknown */
  bool gre_key_present, gre_seq;
  uint32_t gre_key;
  uint32_t ka_period, ka_retries; /* GRE keepalive, seconds */
  uint32_t mtu;
};

/* What every packet reads of a tunnel comes first: the snapshot and SA
 * pointers, the packed members of the snapshot (vtun__dp_hot()) and the
 * traffic counters, within 64 bytes. */
struct vtun__tunnel_dp {
  struct vtun__dp_conf *_Atomic conf;  /* never NULL after init */
  struct vtun__esp_sa *_Atomic out_sa; /* current outbound SA */
  /* The crypto object of out_sa, or of one it replaced: only a hint to
   * start loading it together with the SA (a prefetch never faults). */
  void *_Atomic out_crypt;
  _Atomic uint64_t hot; /* vtun__dp_hot_of(conf) */
  struct vtun__tunnel_counters cnt;
  struct vtun__esp_sa *in_sa, *old_in_sa; /* config thread only */
  _Atomic uint32_t gre_seq_out;
  _Atomic uint32_t gre_seq_in; /* last GRE sequence number taken */
  _Atomic bool gre_seq_any;    /* whether one was taken yet */
  _Atomic uint32_t ka_missed;  /* keepalives sent since the last reply */
  _Atomic bool sa_wanted;      /* a send found no SA (on-demand start) */
  /* Config thread only: */
  bool esp_installed; /* SAs were installed: GRE stays inside ESP */
  bool ka_down;       /* keepalives took the tunnel down */
  vtun_tstamp ka_next, nat_ka_next;
  struct vtun__timer timer; /* runs vtun__dp_tunnel_tick() */
};

/* The snapshot's protocol, administrative state and MTU packed in one
 * word, which the config thread stores after the snapshot itself: an
 * IPsec packet needs nothing else of it, so it does not read the
 * snapshot's own cache lines. 0 (protocol NONE) without a snapshot. */
static inline uint64_t vtun__dp_hot_of(const struct vtun__dp_conf *c) {
  if (c == NULL)
    return 0;
  return (uint64_t)(c->enabled ? 1 : 0) << 40 |
         (uint64_t)(uint8_t)c->protocol << 32 | c->mtu;
}

static inline int vtun__dp_hot_protocol(uint64_t hot) {
  return (int)((hot >> 32) & 0xff);
}

static inline bool vtun__dp_hot_enabled(uint64_t hot) {
  return ((hot >> 40) & 1) != 0;
}

static inline uint32_t vtun__dp_hot_mtu(uint64_t hot) {
  return (uint32_t)hot;
}

struct vtun__ctx_counters {
  _Atomic uint64_t rx_datagrams, drop_unknown_spi, drop_malformed;
  _Atomic uint64_t drop_no_tunnel, ike_no_match, ike_dropped;
  _Atomic uint64_t nat_keepalives_rx, pool_exhausted;
};

struct vtun__ctx_dp {
  struct vtun__sadb *sadb;
  struct vtun__rcu rcu;
  struct vtun__ctx_counters cnt;
};

/* Set up and tear down the context's data path (the SPI table). Fini
 * runs after every tunnel's fini. */
int vtun__dp_ctx_init(vtun_ctx *ctx);
void vtun__dp_ctx_fini(vtun_ctx *ctx);

/* Set up a new tunnel's data path; remove all its SAs (wiping keys).
 * Fini waits for data path calls already running to leave (a busy wait,
 * normally of a few microseconds) so that none of them still holds the
 * tunnel when the core frees it.
 * LIMITATION: deleting a tunnel (or removing its profile) from inside a
 * hook that a data path call runs waits forever for that very call; such
 * hooks must hand configuration work to the config thread. */
void vtun__dp_tunnel_init(vtun_tunnel *t);
void vtun__dp_tunnel_fini(vtun_tunnel *t);

/* Republishes the snapshot of @p t's configuration for the data path.
 * The core calls it after every change to a tunnel's protocol, source,
 * destination, vpn-instance, profile, GRE key, GRE sequence, keepalive or
 * MTU, and after an interface address the tunnel uses changes.
 * vtun__dp_tunnel_tick() also refreshes it. Config thread. */
int vtun__dp_tunnel_update(vtun_tunnel *t);

/* Timer work of one tunnel at @p now. The tunnel's own timer in the
 * context runs it, so the host's vtun_ctx_expire_timers() does; tests call
 * it directly. It refreshes the snapshot; handles SA lifetimes by time
 * (soft: VTUN_EVENT_SA_SOFT_EXPIRED once; hard: the pair is removed and
 * VTUN_EVENT_SA_HARD_EXPIRED sent, the same for SAs the data path found
 * past a hard byte or packet limit); sends NAT keepalives every 20 s on
 * UDP-encapsulated SAs (RFC 3948 §2.3) and GRE keepalives; frees retired
 * SAs. Sets *next to the next time it has work (VTUN_TSTAMP_MAX: none).
 * Returns 0, VTUN_ETIMEOUT when GRE keepalives went unanswered `retries`
 * times in a row (the timer takes the tunnel down, and up again once a
 * reply arrives), or VTUN_ECALLBACK when a hook failed. Config thread;
 * runs hooks. */
int vtun__dp_tunnel_tick(vtun_tunnel *t, vtun_tstamp now, vtun_tstamp *next);

/* Sends one GRE keepalive when it is due at @p now (the vendor kind: a
 * GRE packet carrying an IP packet addressed back to us, which the peer
 * returns) and counts it unanswered until a reply comes. *next is the
 * time of the next one. Returns 0, VTUN_ETIMEOUT (see above), or the
 * send's error. Config thread. */
int vtun__gre_keepalive_tick(vtun_tunnel *t, vtun_tstamp now,
                             vtun_tstamp *next);

/* Whether the peer answered within the keepalive retries (always true
 * with keepalives off). Any thread. */
bool vtun__gre_keepalive_alive(const vtun_tunnel *t);

/* Sends one NAT keepalive (RFC 3948 §2.3: a single 0xFF byte in UDP) to
 * the peer of @p t's outbound SA. VTUN_ENOSA without a UDP-encapsulated
 * outbound SA, VTUN_ECALLBACK. Config thread. */
int vtun__esp_send_keepalive(vtun_tunnel *t);

/* Installs an SA pair made elsewhere (by the IKE layer), as
 * vtun_tunnel_set_manual_sa() does: the new inbound SA is added to the
 * SPI table, the previous inbound one stays until the next swap, the
 * outbound pointer switches at once. The tunnel owns both SAs afterwards
 * (also on failure). VTUN_EEXIST, VTUN_ENOMEM. Config thread. */
int vtun__dp_install_sa(vtun_tunnel *t, struct vtun__esp_sa *in,
                        struct vtun__esp_sa *out);

/* Removes all of @p t's SAs (the pair is gone). Config thread. */
void vtun__dp_remove_sas(vtun_tunnel *t);

/* Whether a send found no outbound SA since the last call, clearing the
 * mark: the IKE layer starts an on-demand tunnel on it (the data path
 * itself never runs config thread work). Config thread. */
bool vtun__dp_take_sa_wanted(vtun_tunnel *t);

/* IKE datagrams (UDP 500, or 4500 after the non-ESP marker, which is
 * stripped) go here; the IKE layer implements it. */
int vtun__ike_input(vtun_ctx *ctx, vtun_vpn_instance *vrf,
                    const vtun_endpoint *local, const vtun_endpoint *remote,
                    uint8_t *buf, size_t len);

#endif
