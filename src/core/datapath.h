/* The tunnel's and the context's data path state: Child SAs, the SPI
 * table, counters. The configuration core calls only the functions below;
 * the rest belongs to the data path (src/core/datapath.c, src/esp,
 * src/gre). */
#ifndef VTUN_CORE_DATAPATH_H
#define VTUN_CORE_DATAPATH_H

#include <stdatomic.h>
#include <stdint.h>

#include "vtun/vtun.h"

struct vtun__esp_sa;
struct vtun__sadb;

/* Counters, updated with relaxed atomics from data path threads. */
struct vtun__tunnel_counters {
  _Atomic uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes;
  _Atomic uint64_t drop_no_sa, drop_replay, drop_integrity, drop_malformed;
  _Atomic uint64_t drop_too_big, drop_lifetime, drop_policy, drop_no_room;
  _Atomic uint64_t drop_hook, gre_keepalives_rx;
};

struct vtun__tunnel_dp {
  struct vtun__esp_sa *_Atomic out_sa; /* current outbound SA */
  struct vtun__esp_sa *in_sa, *old_in_sa;
  struct vtun__esp_sa *old_out_sa;
  _Atomic uint32_t gre_seq_out;
  struct vtun__tunnel_counters cnt;
};

struct vtun__ctx_counters {
  _Atomic uint64_t rx_datagrams, drop_unknown_spi, drop_malformed;
  _Atomic uint64_t drop_no_tunnel, ike_no_match, ike_dropped;
  _Atomic uint64_t nat_keepalives_rx, pool_exhausted;
};

struct vtun__ctx_dp {
  struct vtun__sadb *sadb;
  struct vtun__ctx_counters cnt;
};

/* Set up and tear down the context's data path (the SPI table). */
int vtun__dp_ctx_init(vtun_ctx *ctx);
void vtun__dp_ctx_fini(vtun_ctx *ctx);

/* Set up a new tunnel's data path; remove all its SAs (wiping keys). */
void vtun__dp_tunnel_init(vtun_tunnel *t);
void vtun__dp_tunnel_fini(vtun_tunnel *t);

#endif
