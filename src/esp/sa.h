/* An ESP security association, one direction: keys and crypto objects made
 * once, sequence numbers, the replay window, lifetimes and counters.
 *
 * Threads: an SA is created and freed on the config thread and freed only
 * after every data path reader left (esp/rcu.h). The outbound sequence
 * number, the counters and the lifetime flags are atomics; the crypto
 * objects and the replay window serve one data path thread at a time (the
 * rule vtun_tunnel_send() and vtun_ctx_input() state in vtun.h).
 *
 * LIMITATION: an SA keeps the outer addresses and UDP ports it was made
 * with; when a NAT between the peers changes its mapping, the outbound SA
 * still sends to the old address until a new SA pair is installed. */
#ifndef VTUN_ESP_SA_H
#define VTUN_ESP_SA_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "esp/rcu.h"
#include "esp/replay.h"
#include "util/alg.h"
#include "util/mem.h"
#include "vtun/vtun.h"
#include "vtun/vtun_crypto.h"

enum vtun__sa_dir {
  VTUN__SA_IN = 0,
  VTUN__SA_OUT = 1,
};

/* Limits of an SA; 0 in a member means "no limit" on input to
 * vtun__esp_sa_new(). Times are relative to the SA's creation. */
struct vtun__lifetime {
  uint64_t soft_bytes, hard_bytes;
  uint64_t soft_packets, hard_packets;
  vtun_tstamp soft_time, hard_time;
};

/* Per-SA counters; relaxed atomics. Traffic is counted per packet, drops
 * apart, away from the members the data path reads. */
struct vtun__sa_counters {
  _Atomic uint64_t packets, bytes; /* inner packets carried */
};

struct vtun__sa_drops {
  _Atomic uint64_t replay, integrity, malformed;
  _Atomic uint64_t policy, lifetime, hook;
};

/* What vtun__esp_sa_expired() reports. */
enum vtun__sa_life {
  VTUN__SA_LIVE = 0,
  VTUN__SA_SOFT = 1, /* rekey is due */
  VTUN__SA_HARD = 2, /* the SA must go */
};

/* One set of crypto objects: an AEAD, or a CBC cipher with its HMAC. */
struct vtun__esp_xform {
  void *crypt; /* the AEAD object, or the CBC cipher */
  void *mac;   /* CBC only */
};

/* Room the CBC IV stream keeps: IVs made per call of the backend. */
#define VTUN__SA_IVPOOL 512

/* The outbound CBC IV stream (data path user only); AEAD SAs have none. */
struct vtun__esp_ivs {
  void *cipher;
  uint64_t counter;
  unsigned pos;
  uint8_t pool[VTUN__SA_IVPOOL];
};

/* The alignment of SAs: the members every packet reads fill the first
 * three cache lines exactly (on LP64), and nothing else. */
#define VTUN__SA_ALIGN 64

/* What every packet reads comes first, in three cache lines, so that an
 * SA costs the data path little cache when many tunnels share it: line
 * one has the SPI the lookup compares and every pointer to another
 * object a packet needs (cipher context, tunnel, replay bitmap), so that
 * those can load together as soon as it is there (see core/datapath.c);
 * lines two and three have the rest. What only drops, timers and the
 * config thread read follows. */
struct vtun__esp_sa {
  uint32_t spi;              /* host order */
  unsigned flags;            /* enum vtun_sa_flags */
  struct vtun__esp_xform xf; /* the data path's crypto objects */
  const vtun_crypto_ops *ops;
  vtun_tunnel *tunnel;
  struct vtun__replay replay; /* inbound */

  uint8_t ivlen, icvlen, block;
  uint8_t salt[4];
  bool aead;
  _Atomic bool soft_hit, hard_hit, soft_told;
  /* Outbound: the last sequence number used. */
  _Atomic uint64_t seq;
  uint64_t seq_max;
  /* Lifetimes: limits with UINT64_MAX for none. */
  uint64_t soft_bytes, hard_bytes, soft_packets, hard_packets;

  struct vtun__sa_counters cnt;
  vtun_vpn_instance *vrf;
  vtun_endpoint local, remote; /* outer addresses; ports when in UDP */

  /* Cold, but for the CBC IV stream. */
  struct vtun__esp_ivs *ivs; /* outbound CBC only */
  struct vtun__sa_drops drop;
  vtun_ctx *ctx;
  struct vtun__rcu_head rcu;
  int dir; /* enum vtun__sa_dir */
  const struct vtun__encr_info *encr;
  const struct vtun__integ_info *integ;  /* NULL for AEAD */
  vtun_tstamp created, soft_at, hard_at; /* absolute times */
  vtun_tstamp soft_rel, hard_rel;        /* the time limits, 0 for none */

  /* Outbound SAs of GRE tunnels also have objects for the rare packets
   * the library sends by itself (GRE keepalives and their answers), so
   * that those never share an object with a data path thread. The config
   * thread makes them from the key kept below when a GRE tunnel gets the
   * SA (vtun__esp_sa_ctl_ready()); users take turns through ctl_busy. */
  struct vtun__esp_xform *_Atomic ctl;
  atomic_flag ctl_busy;
  uint8_t keylen; /* outbound: the key's bytes at the start of tail */
  size_t tail_len;
  /* Outbound: the SA's key, kept for the control objects. Inbound: the
   * replay window's bitmap, next to the SA rather than in an allocation
   * of its own, which would cost each packet one more cache miss. Wiped
   * when the SA is freed. */
  uint64_t tail[];
};
/* What an SA is made from. The key holds the encryption key, the salt and
 * the integrity key, in that order. */
struct vtun__sa_params {
  uint32_t spi;
  int dir;
  int encr, integ;
  const uint8_t *key;
  size_t keylen;
  unsigned flags;
  uint32_t replay_window;
  struct vtun__lifetime life;
  vtun_endpoint local, remote;
  vtun_vpn_instance *vrf;
  vtun_tunnel *tunnel;
  vtun_tstamp now;
};

/* Checks the algorithm pair and returns the key length it needs (> 0),
 * VTUN_EINVAL for a bad pair, or VTUN_ENOTSUP for one ESP here lacks. */
int vtun__esp_key_length(int encr, int integ);

/* Makes an SA; on failure nothing is left allocated. VTUN_EINVAL for bad
 * parameters, VTUN_ENOTSUP, VTUN_ECRYPTO, VTUN_ENOMEM. Config thread. */
int vtun__esp_sa_new(vtun_ctx *ctx, const struct vtun__sa_params *p,
                     struct vtun__esp_sa **out);

/* Gives outbound @p sa the crypto objects of VTUN__ESP_CTL users, made
 * from its kept key, if it has none yet: 0, VTUN_ENOMEM or
 * VTUN_ECRYPTO. Config thread; inbound SAs need none and return 0. */
int vtun__esp_sa_ctl_ready(struct vtun__esp_sa *sa);

/* Frees @p sa now, wiping its keys; NULL is accepted. */
void vtun__esp_sa_free(struct vtun__esp_sa *sa);

/* Retires @p sa: freed once no data path reader can hold it. */
void vtun__esp_sa_retire(struct vtun__rcu *rcu, struct vtun__esp_sa *sa);

/* The lifetime state at @p now, from the time limits and from what the
 * data path recorded for bytes and packets. Any thread. */
int vtun__esp_sa_expired(const struct vtun__esp_sa *sa, vtun_tstamp now);

/* The earliest time at which vtun__esp_sa_expired() may change. */
vtun_tstamp vtun__esp_sa_deadline(const struct vtun__esp_sa *sa);

/* Records that the soft limit was reached; true only for the first
 * caller, which tells the host (VTUN_EVENT_SA_SOFT_EXPIRED). */
bool vtun__esp_sa_soft_once(struct vtun__esp_sa *sa);

/* Sends VTUN_EVENT_SA_SOFT_EXPIRED if nobody did for this SA yet. */
void vtun__esp_sa_tell_soft(struct vtun__esp_sa *sa);

/* One thread at a time counts for an SA direction, so a load and a store
 * do; readers on other threads see whole values. */
static inline uint64_t vtun__sa_add(_Atomic uint64_t *c, uint64_t n) {
  uint64_t v = atomic_load_explicit(c, memory_order_relaxed) + n;

  atomic_store_explicit(c, v, memory_order_relaxed);
  return v;
}

/* Counts @p packets and @p bytes more against the limits; returns
 * VTUN_ELIFETIME (counting the drop) when that passes the hard limit, and
 * emits the soft event the first time the soft limit is passed (from the
 * data path thread: see vtun_tunnel_send()). Inline: it runs for every
 * packet. */
static inline int vtun__esp_sa_account(struct vtun__esp_sa *sa,
                                       uint64_t packets, uint64_t bytes) {
  uint64_t p = atomic_load_explicit(&sa->cnt.packets, memory_order_relaxed);
  uint64_t b = atomic_load_explicit(&sa->cnt.bytes, memory_order_relaxed);

  if (p + packets > sa->hard_packets || b + bytes > sa->hard_bytes) {
    atomic_store_explicit(&sa->hard_hit, true, memory_order_relaxed);
    atomic_fetch_add_explicit(&sa->drop.lifetime, 1, memory_order_relaxed);
    return VTUN_ELIFETIME;
  }

  p = vtun__sa_add(&sa->cnt.packets, packets);
  b = vtun__sa_add(&sa->cnt.bytes, bytes);
  if ((p >= sa->soft_packets || b >= sa->soft_bytes) &&
      !atomic_load_explicit(&sa->soft_told, memory_order_relaxed))
    vtun__esp_sa_tell_soft(sa);
  return 0;
}

/* Starts loading the first cache lines of a data path crypto object (an
 * EVP_CIPHER_CTX for OpenSSL, which reads them all for every packet), so
 * that their misses overlap with the others of a packet. NULL is
 * accepted, and so is a stale pointer: a prefetch never faults. */
static inline void vtun__esp_prefetch_crypt(const void *crypt) {
  /* The object's size is the backend's: addresses as integers, so that
   * none is formed past its end. */
  uintptr_t o = (uintptr_t)crypt;

  if (o == 0)
    return;
  vtun__prefetch(crypt);
  vtun__prefetch((const void *)(o + 64));
  vtun__prefetch((const void *)(o + 128));
}

/* Counts the time limits from @p now when the SA was made before the
 * host gave any time (created 0). Config thread. */
void vtun__esp_sa_rebase(struct vtun__esp_sa *sa, vtun_tstamp now);

/* Overrides the limits (tests, and the IKE layer for negotiated SAs). */
void vtun__esp_sa_set_lifetime(struct vtun__esp_sa *sa,
                               const struct vtun__lifetime *life);

#endif
