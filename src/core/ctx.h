/* The context and the configuration objects it owns. Every layer may read
 * these structs; only src/core changes configuration members. */
#ifndef VTUN_CORE_CTX_H
#define VTUN_CORE_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/datapath.h"
#include "core/match_index.h"
#include "util/addr.h"
#include "util/list.h"
#include "util/log.h"
#include "util/timer.h"
#include "vtun/vtun.h"
#include "vtun/vtun_crypto.h"

#define VTUN_NAME_MAX 64    /* names: 1-63 characters */
#define VTUN_ID_MAX 256     /* identity values */
#define VTUN_PSK_MAX 256    /* pre-shared keys */
#define VTUN_POOL_RANGES 16 /* ranges per pool */
#define VTUN_ERRMSG_MAX 1024

struct vtun_vsys {
  struct vtun__list link;
  vtun_ctx *ctx;
  char name[VTUN_NAME_MAX];
  void *user_data;
};

struct vtun_vpn_instance {
  struct vtun__list link;
  vtun_ctx *ctx;
  char name[VTUN_NAME_MAX];
  void *user_data;
};

struct vtun_iface {
  struct vtun__list link;
  vtun_ctx *ctx;
  char name[VTUN_NAME_MAX];
  int layer;
  vtun_endpoint addr4, addr6; /* family NONE when unset */
  unsigned prefix4, prefix6;
  void *user_data;
};

struct vtun_ike_proposal {
  struct vtun__list link;
  vtun_ctx *ctx;
  vtun_vsys *vsys;
  unsigned number;
  int auth, encr, integ, prf, dh;
  uint32_t lifetime;
  void *user_data;
};

struct vtun_ike_peer {
  struct vtun__list link;
  vtun_ctx *ctx;
  vtun_vsys *vsys;
  char name[VTUN_NAME_MAX];
  unsigned versions;
  int exchange_mode;
  uint8_t *psk; /* the key, or the master secret when psk_derived */
  size_t psk_len;
  bool psk_derived;
  int local_id_type, remote_id_type;
  char local_id[VTUN_ID_MAX], remote_id[VTUN_ID_MAX];
  vtun_endpoint remotes[VTUN_MAX_REMOTE_ADDRS];
  unsigned nremotes;
  vtun_ike_proposal *proposals[VTUN_MAX_PEER_PROPOSALS];
  unsigned nproposals;
  int dpd_type;
  uint32_t dpd_idle, dpd_retransmit, dpd_retries;
  bool nat_traversal;
  bool ikev2_id_match;
  vtun_pool *pool;
  void *user_data;
};

struct vtun_ipsec_proposal {
  struct vtun__list link;
  vtun_ctx *ctx;
  vtun_vsys *vsys;
  char name[VTUN_NAME_MAX];
  int encr, integ, encap_mode;
  void *user_data;
};

struct vtun_ipsec_profile {
  struct vtun__list link;
  vtun_ctx *ctx;
  vtun_vsys *vsys;
  char name[VTUN_NAME_MAX];
  char peer_name[VTUN_NAME_MAX];     /* "" when unset */
  char proposal_name[VTUN_NAME_MAX]; /* "" when unset */
  int pfs;
  uint32_t lifetime_s;
  uint64_t lifetime_kb;
  uint32_t replay_window;
  bool esn;
  vtun_tunnel *tunnel; /* where it is applied (R1) */
  /* While applied, what the names resolved to; neither can be deleted
   * or renamed then, so the pointers stay valid (matching reads them
   * for every tunnel on every negotiation). */
  vtun_ike_peer *peer;
  vtun_ipsec_proposal *proposal;
  void *user_data;
};

struct vtun__pool_range {
  uint32_t first, last; /* host order */
};

struct vtun__lease {
  char id[VTUN_ID_MAX];
  uint32_t addr; /* host order */
  bool active;
};

struct vtun_pool {
  struct vtun__list link;
  vtun_ctx *ctx;
  vtun_vsys *vsys;
  char name[VTUN_NAME_MAX];
  uint32_t network; /* host order */
  unsigned prefix;  /* 0 when unset */
  struct vtun__pool_range ranges[VTUN_POOL_RANGES];
  unsigned nranges;
  struct vtun__lease *leases;
  size_t nleases, cap_leases;
  uint64_t exhausted;
  void *user_data;
};

/* What an instance of a template knows of its origin. */
struct vtun__tmpl_inst {
  vtun_tunnel *tmpl;             /* the template */
  struct vtun__list link;        /* in tmpl->tmpl_instances */
  struct vtun__tmpl_inst *chain; /* next in the same bucket */
  uint64_t key;                  /* hash of the identity */
  vtun_tunnel *self;
  struct vtun__timer reap; /* frees a REMOVE-mode instance once down */
  int id_type;
  char id[]; /* the branch's identity */
};

struct vtun_tunnel {
  struct vtun__list link;
  vtun_ctx *ctx;
  vtun_tunnel *name_next; /* next in the same name bucket */
  char name[VTUN_NAME_MAX];
  int protocol;
  vtun_vsys *vsys;
  bool enabled, on_demand;

  int addr_mode;
  vtun_endpoint addr; /* static or negotiated address */
  unsigned addr_prefix;
  vtun_iface *unnumbered;

  vtun_endpoint source_addr; /* family NONE when unset */
  vtun_iface *source_iface;

  vtun_endpoint destination; /* family NONE when unset */
  vtun_vpn_instance *vrf;

  vtun_ipsec_profile *profile;

  bool gre_key_present, gre_seq;
  uint32_t gre_key;
  uint32_t keepalive_period, keepalive_retries;
  uint32_t mtu;

  /* Templates (core/template.c): a template's mode and instances, or
   * on an instance, what made it. */
  int tmpl_mode;
  struct vtun__list tmpl_instances;
  struct vtun__tmpl_inst **tmpl_buckets; /* instances by identity */
  uint32_t tmpl_nbuckets, tmpl_count;
  uint32_t tmpl_seq;            /* the last instance number given */
  struct vtun__tmpl_inst *tmpl; /* NULL unless an instance */

  int state;
  struct vtun__tunnel_dp dp; /* data path: SAs, counters (src/core) */
  void *ike;                 /* IKE state, owned by src/ike */
  void *user_data;
};

struct vtun_ctx {
  vtun_hooks hooks;
  vtun_settings settings;
  void *user_data;
  struct vtun__logger log;

  const vtun_crypto_ops *crypto;
  void *crypto_state;

  struct vtun__list vsyses, vrfs, ifaces, tunnels;
  vtun_tunnel **tun_names; /* tunnels by name: chained buckets */
  uint32_t tun_nbuckets, tun_count;
  struct vtun__list ike_proposals, ike_peers, ipsec_proposals, profiles, pools;
  bool committed;
  struct vtun__match_index match_index; /* see match_index.h */

  struct vtun__ctx_dp dp;     /* SPI table and context counters */
  void *ike;                  /* IKE engine state, owned by src/ike */
  struct vtun__timers timers; /* every timer of the context */
  vtun_tstamp now;            /* the latest time the host gave */

  char errmsg[VTUN_ERRMSG_MAX];
};

/* Records the detailed refusal message and returns @p code, so a refusal
 * reads `return vtun__refuse(ctx, VTUN_ER1..., "...", ...);`. */
int vtun__refuse(vtun_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears the last refusal message at the start of a public call. */
static inline void vtun__ok(vtun_ctx *ctx) {
  ctx->errmsg[0] = '\0';
}

/* Sends an event to the host, if it has an event hook. */
void vtun__event(vtun_ctx *ctx, const vtun_event *ev);

/* The address the tunnel negotiates from: the source address, or the
 * source interface's current address of the destination's family (IPv4
 * when unknown). false when there is none. */
bool vtun__tunnel_local(const vtun_tunnel *t, vtun_endpoint *out);

/* The @p index-th remote IKE address: the destination, else the peer's
 * remote addresses in order. false past the last. */
bool vtun__tunnel_remote(const vtun_tunnel *t, unsigned index,
                         vtun_endpoint *out);

/* The IKE peer and IPsec proposal the tunnel's profile names, or NULL. */
vtun_ike_peer *vtun__tunnel_peer(const vtun_tunnel *t);
vtun_ipsec_proposal *vtun__tunnel_proposal(const vtun_tunnel *t);

/* The host's random bytes, or the backend's. */
int vtun__random(vtun_ctx *ctx, uint8_t *buf, size_t len);

#endif
