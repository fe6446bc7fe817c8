/* IPsec profiles: what a tunnel negotiates with (peer, proposal) and the
 * SA parameters (PFS, lifetimes, replay window, ESN). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/objects.h"
#include "util/mem.h"

int vtun_ipsec_profile_new(vtun_ctx *ctx, vtun_vsys *vsys, const char *name,
                           vtun_ipsec_profile **out) {
  vtun_ipsec_profile *p;
  int rv;

  vtun__ok(ctx);
  if (out == NULL)
    return VTUN_EINVAL;
  if ((rv = vtun__check_name(ctx, "ipsec profile", name)) != 0)
    return rv;
  if (vtun_ipsec_profile_find(ctx, vsys, name) != NULL)
    return vtun__refuse(ctx, VTUN_EEXIST, "ipsec profile %s exists in %s", name,
                        vtun__vsys_name(vsys));
  if ((p = vtun__zalloc(sizeof(*p))) == NULL)
    return VTUN_ENOMEM;
  p->ctx = ctx;
  p->vsys = vsys;
  strcpy(p->name, name);
  p->lifetime_s = 3600;
  p->lifetime_kb = 1843200;
  p->replay_window = ctx->settings.replay_window;
  vtun__list_append(&ctx->profiles, &p->link);
  *out = p;
  return 0;
}

vtun_ipsec_profile *vtun_ipsec_profile_find(vtun_ctx *ctx, vtun_vsys *vsys,
                                            const char *name) {
  if (name == NULL)
    return NULL;
  vtun__list_each (p, &ctx->profiles, vtun_ipsec_profile) {
    if (p->vsys == vsys && strcmp(p->name, name) == 0)
      return p;
  }
  return NULL;
}

int vtun_ipsec_profile_delete(vtun_ipsec_profile *prof) {
  if (prof == NULL)
    return VTUN_EINVAL;
  vtun__ok(prof->ctx);
  if (prof->tunnel != NULL)
    return vtun__refuse(prof->ctx, VTUN_EBUSY,
                        "ipsec profile %s is applied to %s", prof->name,
                        prof->tunnel->name);
  vtun__list_remove(&prof->link);
  free(prof);
  return 0;
}

const char *vtun_ipsec_profile_get_name(const vtun_ipsec_profile *prof) {
  return prof->name;
}

vtun_vsys *vtun_ipsec_profile_get_vsys(const vtun_ipsec_profile *prof) {
  return prof->vsys;
}

vtun_ike_peer *vtun__profile_peer(const vtun_ipsec_profile *prof) {
  if (prof != NULL && prof->tunnel != NULL)
    return prof->peer;
  if (prof == NULL || prof->peer_name[0] == '\0')
    return NULL;
  return vtun_ike_peer_find(prof->ctx, prof->vsys, prof->peer_name);
}

vtun_ipsec_proposal *vtun__profile_proposal(const vtun_ipsec_profile *prof) {
  if (prof != NULL && prof->tunnel != NULL)
    return prof->proposal;
  if (prof == NULL || prof->proposal_name[0] == '\0')
    return NULL;
  return vtun_ipsec_proposal_find(prof->ctx, prof->vsys, prof->proposal_name);
}

/* The names a profile holds may change only while it is not applied:
 * R2 and R6-R9 were checked against what it named when it was applied. */
static int profile_set_ref(vtun_ipsec_profile *prof, char *field,
                           const char *what, const char *name) {
  int rv;

  vtun__ok(prof->ctx);
  if (prof->tunnel != NULL)
    return vtun__refuse(prof->ctx, VTUN_EBUSY,
                        "ipsec profile %s is applied to %s; remove it "
                        "before changing its %s",
                        prof->name, prof->tunnel->name, what);
  if (name == NULL) {
    field[0] = '\0';
    return 0;
  }
  if ((rv = vtun__check_name(prof->ctx, what, name)) != 0)
    return rv;
  strcpy(field, name);
  return 0;
}

int vtun_ipsec_profile_set_ike_peer(vtun_ipsec_profile *prof,
                                    const char *peer_name) {
  return profile_set_ref(prof, prof->peer_name, "ike peer", peer_name);
}

const char *vtun_ipsec_profile_get_ike_peer(const vtun_ipsec_profile *prof) {
  return prof->peer_name[0] != '\0' ? prof->peer_name : NULL;
}

int vtun_ipsec_profile_set_proposal(vtun_ipsec_profile *prof,
                                    const char *proposal_name) {
  return profile_set_ref(prof, prof->proposal_name, "ipsec proposal",
                         proposal_name);
}

const char *vtun_ipsec_profile_get_proposal(const vtun_ipsec_profile *prof) {
  return prof->proposal_name[0] != '\0' ? prof->proposal_name : NULL;
}

int vtun_ipsec_profile_set_pfs(vtun_ipsec_profile *prof, int group) {
  char owner[96];
  int rv;

  vtun__ok(prof->ctx);
  snprintf(owner, sizeof(owner), "ipsec profile %s", prof->name);
  if (group != VTUN_DH_NONE && vtun_alg_name(VTUN_ALG_DH, group) == NULL)
    return vtun__refuse(prof->ctx, VTUN_EINVAL, "%s: unknown DH group %d",
                        owner, group);
  if ((rv = vtun__check_legacy(prof->ctx, VTUN_ALG_DH, group, owner)) != 0)
    return rv;
  prof->pfs = group;
  return 0;
}

int vtun_ipsec_profile_get_pfs(const vtun_ipsec_profile *prof) {
  return prof->pfs;
}

int vtun_ipsec_profile_set_lifetime(vtun_ipsec_profile *prof, uint32_t seconds,
                                    uint64_t kilobytes) {
  vtun__ok(prof->ctx);
  if (seconds < 30 || seconds > 604800 ||
      (kilobytes != 0 && (kilobytes < 2560 || kilobytes > UINT32_MAX)))
    return vtun__refuse(prof->ctx, VTUN_ER12_RANGE,
                        "R12: ipsec profile %s: lifetime %u s (30-604800) "
                        "or %llu KB (0 or 2560-4294967295) out of range",
                        prof->name, seconds, (unsigned long long)kilobytes);
  prof->lifetime_s = seconds;
  prof->lifetime_kb = kilobytes;
  return 0;
}

void vtun_ipsec_profile_get_lifetime(const vtun_ipsec_profile *prof,
                                     uint32_t *seconds, uint64_t *kilobytes) {
  if (seconds != NULL)
    *seconds = prof->lifetime_s;
  if (kilobytes != NULL)
    *kilobytes = prof->lifetime_kb;
}

int vtun_ipsec_profile_set_replay_window(vtun_ipsec_profile *prof,
                                         uint32_t packets) {
  vtun__ok(prof->ctx);
  if (packets != 0 && (packets < 32 || packets > 65536 || packets % 32 != 0))
    return vtun__refuse(prof->ctx, VTUN_ER12_RANGE,
                        "R12: ipsec profile %s: replay window %u must be 0 "
                        "or 32-65536 in steps of 32",
                        prof->name, packets);
  prof->replay_window = packets;
  return 0;
}

uint32_t vtun_ipsec_profile_get_replay_window(const vtun_ipsec_profile *prof) {
  return prof->replay_window;
}

int vtun_ipsec_profile_set_esn(vtun_ipsec_profile *prof, int on) {
  vtun__ok(prof->ctx);
  prof->esn = on != 0;
  return 0;
}

int vtun_ipsec_profile_get_esn(const vtun_ipsec_profile *prof) {
  return prof->esn;
}

vtun_tunnel *vtun_ipsec_profile_get_tunnel(const vtun_ipsec_profile *prof) {
  return prof->tunnel;
}

void vtun_ipsec_profile_set_user_data(vtun_ipsec_profile *prof, void *ud) {
  prof->user_data = ud;
}

void *vtun_ipsec_profile_get_user_data(const vtun_ipsec_profile *prof) {
  return prof->user_data;
}
