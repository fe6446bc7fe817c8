#include "config/defaults.h"

#include <string.h>

#include "core/ctx.h"

/* Names no configuration uses for long: each object is deleted at once. */
#define DEF_NAME "vtun-defaults"
#define DEF_NUMBER 99

static int def_ike(vtun_ctx *s, struct vtun__cfg_defaults *d) {
  vtun_ike_proposal *p;
  int rv;

  if ((rv = vtun_ike_proposal_new(s, NULL, DEF_NUMBER, &p)) != 0)
    return rv;
  d->ikp_auth = vtun_ike_proposal_get_auth(p);
  d->ikp_encr = vtun_ike_proposal_get_encr(p);
  d->ikp_integ = vtun_ike_proposal_get_integ(p);
  d->ikp_prf = vtun_ike_proposal_get_prf(p);
  d->ikp_dh = vtun_ike_proposal_get_dh(p);
  d->ikp_lifetime = vtun_ike_proposal_get_lifetime(p);
  return vtun_ike_proposal_delete(p);
}

static int def_peer(vtun_ctx *s, struct vtun__cfg_defaults *d) {
  vtun_ike_peer *p;
  int rv;

  if ((rv = vtun_ike_peer_new(s, NULL, DEF_NAME, &p)) != 0)
    return rv;
  d->peer_versions = vtun_ike_peer_get_versions(p);
  d->peer_mode = vtun_ike_peer_get_exchange_mode(p);
  vtun_ike_peer_get_local_id(p, &d->peer_local_id_type, NULL, 0);
  vtun_ike_peer_get_remote_id(p, &d->peer_remote_id_type, NULL, 0);
  vtun_ike_peer_get_dpd(p, &d->dpd_type, &d->dpd_idle, &d->dpd_retransmit,
                        &d->dpd_retries);
  d->nat_traversal = vtun_ike_peer_get_nat_traversal(p);
  d->ikev2_id_match = vtun_ike_peer_get_ikev2_id_match(p);
  return vtun_ike_peer_delete(p);
}

static int def_ipsec(vtun_ctx *s, struct vtun__cfg_defaults *d) {
  vtun_ipsec_proposal *p;
  vtun_ipsec_profile *f;
  int rv;

  if ((rv = vtun_ipsec_proposal_new(s, NULL, DEF_NAME, &p)) != 0)
    return rv;
  d->ipp_encr = vtun_ipsec_proposal_get_encr(p);
  d->ipp_integ = vtun_ipsec_proposal_get_integ(p);
  d->ipp_encap = vtun_ipsec_proposal_get_encap_mode(p);
  if ((rv = vtun_ipsec_proposal_delete(p)) != 0)
    return rv;

  if ((rv = vtun_ipsec_profile_new(s, NULL, DEF_NAME, &f)) != 0)
    return rv;
  d->pfs = vtun_ipsec_profile_get_pfs(f);
  d->esn = vtun_ipsec_profile_get_esn(f);
  vtun_ipsec_profile_get_lifetime(f, &d->life_s, &d->life_kb);
  d->replay_window = vtun_ipsec_profile_get_replay_window(f);
  return vtun_ipsec_profile_delete(f);
}

static int def_tunnel(vtun_ctx *s, struct vtun__cfg_defaults *d) {
  vtun_tunnel *t;
  int rv;

  if ((rv = vtun_tunnel_new(s, DEF_NAME, &t)) != 0)
    return rv;
  d->tun_protocol = vtun_tunnel_get_protocol(t);
  d->tun_enabled = vtun_tunnel_get_enabled(t);
  d->tun_on_demand = vtun_tunnel_get_on_demand(t);
  d->tun_gre_seq = vtun_tunnel_get_gre_sequence(t);
  d->tun_mtu = vtun_tunnel_get_mtu(t);
  vtun_tunnel_get_keepalive(t, &d->tun_ka_period, &d->tun_ka_retries);
  return vtun_tunnel_delete(t);
}

int vtun__cfg_defaults_read(vtun_ctx *scratch, struct vtun__cfg_defaults *d) {
  int rv;

  memset(d, 0, sizeof(*d));
  if ((rv = def_ike(scratch, d)) != 0 || (rv = def_peer(scratch, d)) != 0 ||
      (rv = def_ipsec(scratch, d)) != 0 || (rv = def_tunnel(scratch, d)) != 0)
    return rv;
  return 0;
}

int vtun__cfg_scratch_new(vtun_ctx *ctx, vtun_ctx **out) {
  vtun_ctx *s;
  int rv;

  /* Same settings (replay window default, legacy switch, backend) but no
   * hooks: nothing done in a scratch context reaches the host. */
  rv = vtun_ctx_new(&s, NULL, &ctx->settings, NULL);
  if (rv != 0)
    return rv;
  if ((rv = vtun_ctx_set_allow_legacy(s, vtun_ctx_get_allow_legacy(ctx))) !=
      0) {
    vtun_ctx_free(s);
    return rv;
  }
  *out = s;
  return 0;
}

int vtun__cfg_defaults_for(vtun_ctx *ctx, struct vtun__cfg_defaults *d) {
  vtun_ctx *scratch;
  int rv;

  /* The replay window default comes from the settings, so the scratch
   * context has those of @p ctx. */
  if ((rv = vtun__cfg_scratch_new(ctx, &scratch)) != 0)
    return rv;
  rv = vtun__cfg_defaults_read(scratch, d);
  vtun_ctx_free(scratch);
  return rv;
}
