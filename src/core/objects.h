/* Internal helpers shared by the configuration objects of src/core. */
#ifndef VTUN_CORE_OBJECTS_H
#define VTUN_CORE_OBJECTS_H

#include "core/ctx.h"

/* Frees every object of the context (tunnels first), wiping secrets. */
void vtun__objects_free_all(vtun_ctx *ctx);

/* A description of the first object using a legacy algorithm, or NULL. */
const char *vtun__objects_legacy_in_use(vtun_ctx *ctx);

/* Names: 1-63 printable characters without space, quote or '#'. */
int vtun__check_name(vtun_ctx *ctx, const char *what, const char *name);

/* Parses an address; refuses with VTUN_EINVAL naming @p what. */
int vtun__parse_addr(vtun_ctx *ctx, const char *what, const char *text,
                     vtun_endpoint *out);

/* A name for messages: "vsys V1" or "root". */
const char *vtun__vsys_name(const vtun_vsys *vsys);

/* The IKE peer / IPsec proposal a profile names, if they exist (R2). */
vtun_ike_peer *vtun__profile_peer(const vtun_ipsec_profile *prof);
vtun_ipsec_proposal *vtun__profile_proposal(const vtun_ipsec_profile *prof);

/* R14: refuses @p id of @p kind when it is legacy and the switch is off. */
int vtun__check_legacy(vtun_ctx *ctx, int kind, int id, const char *owner);

/* R6 and R7 for a tunnel's destination against a peer's remote
 * addresses (either may be proposed, not yet stored). */
int vtun__check_dest_remotes(vtun_ctx *ctx, const vtun_tunnel *t,
                             const vtun_endpoint *dest,
                             const vtun_ike_peer *peer,
                             const vtun_endpoint *remotes, unsigned nremotes);

/* R11 over every proposal (commit). */
int vtun__check_proposals_r11(vtun_ctx *ctx);

/* Frees helpers used by vtun__objects_free_all. */
void vtun__tunnel_destroy(vtun_tunnel *t);
void vtun__peer_destroy(vtun_ike_peer *peer);
void vtun__pool_destroy(vtun_pool *pool);

/* The index of tunnels by name (vtun_tunnel_find in constant expected
 * time): add fails only with VTUN_ENOMEM; remove is harmless for a
 * tunnel not in it. */
int vtun__tunnel_name_add(vtun_tunnel *t);
void vtun__tunnel_name_remove(vtun_tunnel *t);

/* Sets the tunnel's operational state and tells the host. */
void vtun__tunnel_set_state(vtun_tunnel *t, int state, int error);

#endif
