/* IKE proposals and IPsec proposals: algorithm choices, with R11 and R14
 * checked on every change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/objects.h"
#include "util/alg.h"
#include "util/mem.h"

static bool encr_is_aead(int encr) {
  const struct vtun__encr_info *e = vtun__encr_info(encr);

  return e != NULL && e->aead;
}

/* ---------------------------------------------------- IKE proposals */

int vtun_ike_proposal_new(vtun_ctx *ctx, vtun_vsys *vsys, unsigned number,
                          vtun_ike_proposal **out) {
  vtun_ike_proposal *p;

  vtun__ok(ctx);
  if (out == NULL)
    return VTUN_EINVAL;
  if (number < 1 || number > 99)
    return vtun__refuse(ctx, VTUN_EINVAL,
                        "ike proposal number %u is outside 1-99", number);
  if (vtun_ike_proposal_find(ctx, vsys, number) != NULL)
    return vtun__refuse(ctx, VTUN_EEXIST, "ike proposal %u exists in %s",
                        number, vtun__vsys_name(vsys));
  if ((p = vtun__zalloc(sizeof(*p))) == NULL)
    return VTUN_ENOMEM;
  *p = (vtun_ike_proposal){.ctx = ctx,
                           .vsys = vsys,
                           .number = number,
                           .auth = VTUN_AUTH_PSK,
                           .encr = VTUN_ENCR_AES_GCM_256,
                           .integ = VTUN_INTEG_NONE,
                           .prf = VTUN_PRF_SHA2_256,
                           .dh = VTUN_DH_X25519,
                           .lifetime = 86400};
  vtun__list_append(&ctx->ike_proposals, &p->link);
  *out = p;
  return 0;
}

vtun_ike_proposal *vtun_ike_proposal_find(vtun_ctx *ctx, vtun_vsys *vsys,
                                          unsigned number) {
  vtun__list_each (p, &ctx->ike_proposals, vtun_ike_proposal) {
    if (p->vsys == vsys && p->number == number)
      return p;
  }
  return NULL;
}

int vtun_ike_proposal_delete(vtun_ike_proposal *p) {
  vtun_ctx *ctx;

  if (p == NULL)
    return VTUN_EINVAL;
  ctx = p->ctx;
  vtun__ok(ctx);
  vtun__list_each (peer, &ctx->ike_peers, vtun_ike_peer) {
    for (unsigned i = 0; i < peer->nproposals; i++)
      if (peer->proposals[i] == p)
        return vtun__refuse(ctx, VTUN_EBUSY,
                            "ike proposal %u is used by ike peer %s", p->number,
                            peer->name);
  }
  vtun__list_remove(&p->link);
  free(p);
  return 0;
}

unsigned vtun_ike_proposal_get_number(const vtun_ike_proposal *p) {
  return p->number;
}

vtun_vsys *vtun_ike_proposal_get_vsys(const vtun_ike_proposal *p) {
  return p->vsys;
}

int vtun_ike_proposal_set_auth(vtun_ike_proposal *p, int auth) {
  vtun__ok(p->ctx);
  if (auth != VTUN_AUTH_PSK)
    return vtun__refuse(p->ctx, VTUN_EINVAL,
                        "ike proposal %u: unknown authentication method %d",
                        p->number, auth);
  p->auth = auth;
  return 0;
}

int vtun_ike_proposal_get_auth(const vtun_ike_proposal *p) {
  return p->auth;
}

static int ike_prop_owner(const vtun_ike_proposal *p, char *buf, size_t n) {
  return snprintf(buf, n, "ike proposal %u", p->number);
}

int vtun_ike_proposal_set_encr(vtun_ike_proposal *p, int encr) {
  char owner[32];
  int rv;

  vtun__ok(p->ctx);
  ike_prop_owner(p, owner, sizeof(owner));
  if (vtun__encr_info(encr) == NULL)
    return vtun__refuse(p->ctx, VTUN_EINVAL, "%s: unknown encryption %d", owner,
                        encr);
  if ((rv = vtun__check_legacy(p->ctx, VTUN_ALG_ENCR, encr, owner)) != 0)
    return rv;
  p->encr = encr;
  if (encr_is_aead(encr))
    p->integ = VTUN_INTEG_NONE; /* R11: an AEAD brings its own integrity */
  return 0;
}

int vtun_ike_proposal_get_encr(const vtun_ike_proposal *p) {
  return p->encr;
}

/* R11 for one proposal: refusal text names the owner and algorithm. */
static int check_r11(vtun_ctx *ctx, const char *owner, int encr, int integ) {
  if (encr_is_aead(encr) && integ != VTUN_INTEG_NONE)
    return vtun__refuse(ctx, VTUN_ER11_INTEGRITY,
                        "R11: %s: %s is AEAD and takes no integrity "
                        "algorithm (%s given)",
                        owner, vtun_alg_name(VTUN_ALG_ENCR, encr),
                        vtun_alg_name(VTUN_ALG_INTEG, integ));
  if (!encr_is_aead(encr) && integ == VTUN_INTEG_NONE)
    return vtun__refuse(ctx, VTUN_ER11_INTEGRITY,
                        "R11: %s: %s needs an integrity algorithm", owner,
                        vtun_alg_name(VTUN_ALG_ENCR, encr));
  return 0;
}

int vtun_ike_proposal_set_integ(vtun_ike_proposal *p, int integ) {
  char owner[32];
  int rv;

  vtun__ok(p->ctx);
  ike_prop_owner(p, owner, sizeof(owner));
  if (integ != VTUN_INTEG_NONE && vtun__integ_info(integ) == NULL)
    return vtun__refuse(p->ctx, VTUN_EINVAL, "%s: unknown integrity %d", owner,
                        integ);
  if ((rv = check_r11(p->ctx, owner, p->encr, integ)) != 0)
    return rv;
  if ((rv = vtun__check_legacy(p->ctx, VTUN_ALG_INTEG, integ, owner)) != 0)
    return rv;
  p->integ = integ;
  return 0;
}

int vtun_ike_proposal_get_integ(const vtun_ike_proposal *p) {
  return p->integ;
}

int vtun_ike_proposal_set_prf(vtun_ike_proposal *p, int prf) {
  char owner[32];
  int rv;

  vtun__ok(p->ctx);
  ike_prop_owner(p, owner, sizeof(owner));
  if (vtun__prf_info(prf) == NULL)
    return vtun__refuse(p->ctx, VTUN_EINVAL, "%s: unknown PRF %d", owner, prf);
  if ((rv = vtun__check_legacy(p->ctx, VTUN_ALG_PRF, prf, owner)) != 0)
    return rv;
  p->prf = prf;
  return 0;
}

int vtun_ike_proposal_get_prf(const vtun_ike_proposal *p) {
  return p->prf;
}

int vtun_ike_proposal_set_dh(vtun_ike_proposal *p, int group) {
  char owner[32];
  int rv;

  vtun__ok(p->ctx);
  ike_prop_owner(p, owner, sizeof(owner));
  if (vtun__dh_info(group) == NULL)
    return vtun__refuse(p->ctx, VTUN_EINVAL, "%s: unknown DH group %d", owner,
                        group);
  if ((rv = vtun__check_legacy(p->ctx, VTUN_ALG_DH, group, owner)) != 0)
    return rv;
  p->dh = group;
  return 0;
}

int vtun_ike_proposal_get_dh(const vtun_ike_proposal *p) {
  return p->dh;
}

int vtun_ike_proposal_set_lifetime(vtun_ike_proposal *p, uint32_t seconds) {
  vtun__ok(p->ctx);
  if (seconds < 60 || seconds > 604800)
    return vtun__refuse(p->ctx, VTUN_ER12_RANGE,
                        "R12: ike proposal %u: lifetime %u s is outside "
                        "60-604800",
                        p->number, seconds);
  p->lifetime = seconds;
  return 0;
}

uint32_t vtun_ike_proposal_get_lifetime(const vtun_ike_proposal *p) {
  return p->lifetime;
}

void vtun_ike_proposal_set_user_data(vtun_ike_proposal *p, void *ud) {
  p->user_data = ud;
}

void *vtun_ike_proposal_get_user_data(const vtun_ike_proposal *p) {
  return p->user_data;
}

/* -------------------------------------------------- IPsec proposals */

int vtun_ipsec_proposal_new(vtun_ctx *ctx, vtun_vsys *vsys, const char *name,
                            vtun_ipsec_proposal **out) {
  vtun_ipsec_proposal *p;
  int rv;

  vtun__ok(ctx);
  if (out == NULL)
    return VTUN_EINVAL;
  if ((rv = vtun__check_name(ctx, "ipsec proposal", name)) != 0)
    return rv;
  if (vtun_ipsec_proposal_find(ctx, vsys, name) != NULL)
    return vtun__refuse(ctx, VTUN_EEXIST, "ipsec proposal %s exists in %s",
                        name, vtun__vsys_name(vsys));
  if ((p = vtun__zalloc(sizeof(*p))) == NULL)
    return VTUN_ENOMEM;
  p->ctx = ctx;
  p->vsys = vsys;
  strcpy(p->name, name);
  p->encr = VTUN_ENCR_AES_CBC_256;
  p->integ = VTUN_INTEG_SHA2_256_128;
  p->encap_mode = VTUN_ENCAP_TUNNEL;
  vtun__list_append(&ctx->ipsec_proposals, &p->link);
  *out = p;
  return 0;
}

vtun_ipsec_proposal *vtun_ipsec_proposal_find(vtun_ctx *ctx, vtun_vsys *vsys,
                                              const char *name) {
  if (name == NULL)
    return NULL;
  vtun__list_each (p, &ctx->ipsec_proposals, vtun_ipsec_proposal) {
    if (p->vsys == vsys && strcmp(p->name, name) == 0)
      return p;
  }
  return NULL;
}

int vtun_ipsec_proposal_delete(vtun_ipsec_proposal *p) {
  vtun_ctx *ctx;

  if (p == NULL)
    return VTUN_EINVAL;
  ctx = p->ctx;
  vtun__ok(ctx);
  vtun__list_each (prof, &ctx->profiles, vtun_ipsec_profile) {
    if (prof->tunnel != NULL && vtun__profile_proposal(prof) == p)
      return vtun__refuse(ctx, VTUN_EBUSY,
                          "ipsec proposal %s is used by profile %s applied "
                          "to %s",
                          p->name, prof->name, prof->tunnel->name);
  }
  vtun__list_remove(&p->link);
  free(p);
  return 0;
}

const char *vtun_ipsec_proposal_get_name(const vtun_ipsec_proposal *p) {
  return p->name;
}

vtun_vsys *vtun_ipsec_proposal_get_vsys(const vtun_ipsec_proposal *p) {
  return p->vsys;
}

int vtun_ipsec_proposal_set_encr(vtun_ipsec_proposal *p, int encr) {
  char owner[96];
  int rv;

  vtun__ok(p->ctx);
  snprintf(owner, sizeof(owner), "ipsec proposal %s", p->name);
  if (vtun__encr_info(encr) == NULL)
    return vtun__refuse(p->ctx, VTUN_EINVAL, "%s: unknown encryption %d", owner,
                        encr);
  if ((rv = vtun__check_legacy(p->ctx, VTUN_ALG_ENCR, encr, owner)) != 0)
    return rv;
  p->encr = encr;
  if (encr_is_aead(encr))
    p->integ = VTUN_INTEG_NONE; /* R11 */
  return 0;
}

int vtun_ipsec_proposal_get_encr(const vtun_ipsec_proposal *p) {
  return p->encr;
}

int vtun_ipsec_proposal_set_integ(vtun_ipsec_proposal *p, int integ) {
  char owner[96];
  int rv;

  vtun__ok(p->ctx);
  snprintf(owner, sizeof(owner), "ipsec proposal %s", p->name);
  if (integ != VTUN_INTEG_NONE && vtun__integ_info(integ) == NULL)
    return vtun__refuse(p->ctx, VTUN_EINVAL, "%s: unknown integrity %d", owner,
                        integ);
  if ((rv = check_r11(p->ctx, owner, p->encr, integ)) != 0)
    return rv;
  if ((rv = vtun__check_legacy(p->ctx, VTUN_ALG_INTEG, integ, owner)) != 0)
    return rv;
  p->integ = integ;
  return 0;
}

int vtun_ipsec_proposal_get_integ(const vtun_ipsec_proposal *p) {
  return p->integ;
}

int vtun_ipsec_proposal_set_encap_mode(vtun_ipsec_proposal *p, int mode) {
  vtun__ok(p->ctx);
  if (mode == VTUN_ENCAP_TRANSPORT)
    /* LIMITATION: transport mode is refused; every tunnel interface uses
     * ESP tunnel mode (GRE over IPsec carries its outer header inside). */
    return vtun__refuse(p->ctx, VTUN_ENOTSUP,
                        "ipsec proposal %s: transport mode is not "
                        "supported; use tunnel mode",
                        p->name);
  if (mode != VTUN_ENCAP_TUNNEL)
    return vtun__refuse(p->ctx, VTUN_EINVAL,
                        "ipsec proposal %s: unknown mode %d", p->name, mode);
  p->encap_mode = mode;
  return 0;
}

int vtun_ipsec_proposal_get_encap_mode(const vtun_ipsec_proposal *p) {
  return p->encap_mode;
}

void vtun_ipsec_proposal_set_user_data(vtun_ipsec_proposal *p, void *ud) {
  p->user_data = ud;
}

void *vtun_ipsec_proposal_get_user_data(const vtun_ipsec_proposal *p) {
  return p->user_data;
}

/* R11 across proposals, for commit: a sequence of single changes may
 * leave a CBC proposal without integrity for a moment. */
int vtun__check_proposals_r11(vtun_ctx *ctx) {
  char owner[96];
  int rv;

  vtun__list_each (p, &ctx->ike_proposals, vtun_ike_proposal) {
    snprintf(owner, sizeof(owner), "ike proposal %u", p->number);
    if ((rv = check_r11(ctx, owner, p->encr, p->integ)) != 0)
      return rv;
  }
  vtun__list_each (p, &ctx->ipsec_proposals, vtun_ipsec_proposal) {
    snprintf(owner, sizeof(owner), "ipsec proposal %s", p->name);
    if ((rv = check_r11(ctx, owner, p->encr, p->integ)) != 0)
      return rv;
  }
  return 0;
}

const char *vtun__objects_legacy_in_use(vtun_ctx *ctx) {
  vtun__list_each (p, &ctx->ike_proposals, vtun_ike_proposal) {
    if (vtun__alg_is_legacy(VTUN_ALG_ENCR, p->encr) ||
        vtun__alg_is_legacy(VTUN_ALG_INTEG, p->integ) ||
        vtun__alg_is_legacy(VTUN_ALG_PRF, p->prf) ||
        vtun__alg_is_legacy(VTUN_ALG_DH, p->dh))
      return "an ike proposal";
  }
  vtun__list_each (p, &ctx->ipsec_proposals, vtun_ipsec_proposal) {
    if (vtun__alg_is_legacy(VTUN_ALG_ENCR, p->encr) ||
        vtun__alg_is_legacy(VTUN_ALG_INTEG, p->integ))
      return p->name;
  }
  vtun__list_each (p, &ctx->profiles, vtun_ipsec_profile) {
    if (vtun__alg_is_legacy(VTUN_ALG_DH, p->pfs))
      return p->name;
  }
  return NULL;
}
