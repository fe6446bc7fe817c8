/* The values of freshly created objects, read once from the core rather
 * than written down a second time here: `undo` restores them and the dump
 * leaves out what equals them. */
#ifndef VTUN_CONFIG_DEFAULTS_H
#define VTUN_CONFIG_DEFAULTS_H

#include <stdint.h>

#include "vtun/vtun.h"

struct vtun__cfg_defaults {
  int ikp_auth, ikp_encr, ikp_integ, ikp_prf, ikp_dh;
  uint32_t ikp_lifetime;

  unsigned peer_versions;
  int peer_mode, peer_local_id_type, peer_remote_id_type;
  int dpd_type;
  uint32_t dpd_idle, dpd_retransmit, dpd_retries;
  int nat_traversal, ikev2_id_match;

  int ipp_encr, ipp_integ, ipp_encap;

  int pfs, esn;
  uint32_t life_s, replay_window;
  uint64_t life_kb;

  int tun_protocol, tun_enabled, tun_on_demand, tun_gre_seq;
  uint32_t tun_mtu, tun_ka_period, tun_ka_retries;
};

/* Reads the defaults by creating one object of each kind in @p scratch
 * (a context of the same settings that holds nothing of interest) and
 * deleting them again. */
int vtun__cfg_defaults_read(vtun_ctx *scratch, struct vtun__cfg_defaults *d);

/* The defaults for objects of @p ctx, read from a scratch context. */
int vtun__cfg_defaults_for(vtun_ctx *ctx, struct vtun__cfg_defaults *d);

/* Makes an empty context with the settings of @p ctx and no hooks, for
 * trial loads and for reading defaults. */
int vtun__cfg_scratch_new(vtun_ctx *ctx, vtun_ctx **out);

#endif
