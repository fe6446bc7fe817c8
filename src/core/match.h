/* Headquarters matching (REQUIREMENTS section 4): which tunnel a new IKE
 * negotiation belongs to. A pure function of the configuration, used by
 * the public query, its explanation, commit's R13 check and the IKE
 * engines. */
#ifndef VTUN_CORE_MATCH_H
#define VTUN_CORE_MATCH_H

#include "core/ctx.h"
#include "util/strbuf.h"

struct vtun__match_query {
  vtun_vpn_instance *vrf;
  vtun_endpoint local, remote;
  int exchange;   /* enum vtun_match_exchange */
  int id_type;    /* VTUN_ID_NONE when not known yet */
  const char *id; /* NULL when not known yet */
};

struct vtun__match_result {
  vtun_tunnel *tunnel; /* the winner, or NULL */
  int step;            /* 2-5: which step decided; 6 refused */
  bool needs_id;       /* refused only because the ID is not known yet */
};

/* Runs the matching; explains each step into @p why when not NULL.
 * Returns 0 with res->tunnel set, or VTUN_ENOMATCH. */
int vtun__match(vtun_ctx *ctx, const struct vtun__match_query *q,
                struct vtun__match_result *res, struct vtun__sb *why);

/* Whether the peer's remote ID can pick its tunnel in every version the
 * peer accepts: IKEv1 aggressive mode, or IKEv2 with the extension (R10). */
bool vtun__peer_id_capable(const vtun_ike_peer *peer);

#endif
