/* IKE peers: versions, identities, keys, remote addresses, proposals, DPD,
 * NAT traversal and the pool served to branches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/objects.h"
#include "util/mem.h"

int vtun_ike_peer_new(vtun_ctx *ctx, vtun_vsys *vsys, const char *name,
                      vtun_ike_peer **out) {
  vtun_ike_peer *p;
  int rv;

  vtun__ok(ctx);
  if (out == NULL)
    return VTUN_EINVAL;
  if ((rv = vtun__check_name(ctx, "ike peer", name)) != 0)
    return rv;
  if (vtun_ike_peer_find(ctx, vsys, name) != NULL)
    return vtun__refuse(ctx, VTUN_EEXIST, "ike peer %s exists in %s", name,
                        vtun__vsys_name(vsys));
  if ((p = vtun__zalloc(sizeof(*p))) == NULL)
    return VTUN_ENOMEM;
  p->ctx = ctx;
  p->vsys = vsys;
  strcpy(p->name, name);
  p->versions = VTUN_IKEV2;
  p->exchange_mode = VTUN_MODE_MAIN;
  p->local_id_type = VTUN_ID_IP;
  p->remote_id_type = VTUN_ID_NONE;
  p->dpd_type = VTUN_DPD_PERIODIC;
  p->dpd_idle = 30;
  p->dpd_retransmit = 15;
  p->dpd_retries = 3;
  p->nat_traversal = true;
  vtun__list_append(&ctx->ike_peers, &p->link);
  *out = p;
  return 0;
}

vtun_ike_peer *vtun_ike_peer_find(vtun_ctx *ctx, vtun_vsys *vsys,
                                  const char *name) {
  if (name == NULL)
    return NULL;
  vtun__list_each (p, &ctx->ike_peers, vtun_ike_peer) {
    if (p->vsys == vsys && strcmp(p->name, name) == 0)
      return p;
  }
  return NULL;
}

/* The first tunnel whose applied profile uses @p peer, after @p prev. */
static vtun_tunnel *peer_next_tunnel(const vtun_ike_peer *peer,
                                     vtun_tunnel *prev) {
  vtun_tunnel *t = prev;

  while ((t = vtun_tunnel_next(peer->ctx, t)) != NULL)
    if (vtun__tunnel_peer(t) == peer)
      return t;
  return NULL;
}

void vtun__peer_destroy(vtun_ike_peer *peer) {
  vtun__free_secret(peer->psk, peer->psk_len);
  vtun__wipe(peer, sizeof(*peer));
  free(peer);
}

int vtun_ike_peer_delete(vtun_ike_peer *peer) {
  vtun_tunnel *t;

  if (peer == NULL)
    return VTUN_EINVAL;
  vtun__ok(peer->ctx);
  if ((t = peer_next_tunnel(peer, NULL)) != NULL)
    return vtun__refuse(peer->ctx, VTUN_EBUSY,
                        "ike peer %s is used by profile %s applied to %s",
                        peer->name, t->profile->name, t->name);
  vtun__list_remove(&peer->link);
  vtun__peer_destroy(peer);
  return 0;
}

const char *vtun_ike_peer_get_name(const vtun_ike_peer *peer) {
  return peer->name;
}

vtun_vsys *vtun_ike_peer_get_vsys(const vtun_ike_peer *peer) {
  return peer->vsys;
}

int vtun_ike_peer_set_versions(vtun_ike_peer *peer, unsigned mask) {
  vtun_tunnel *t = NULL;

  vtun__ok(peer->ctx);
  if (mask == 0 || (mask & ~(unsigned)(VTUN_IKEV1 | VTUN_IKEV2)) != 0)
    return vtun__refuse(peer->ctx, VTUN_EINVAL,
                        "ike peer %s: version mask %#x is not IKEv1 and/or "
                        "IKEv2",
                        peer->name, mask);
  while (!(mask & VTUN_IKEV2) && (t = peer_next_tunnel(peer, t)) != NULL)
    if (t->addr_mode == VTUN_ADDR_NEGOTIATED)
      return vtun__refuse(peer->ctx, VTUN_ER9_NEGOTIATED_ADDRESS,
                          "R9: %s requests its address through IKEv2 with "
                          "ike peer %s, which must keep IKEv2",
                          t->name, peer->name);
  peer->versions = mask;
  vtun__match_changed(peer->ctx);
  return 0;
}

unsigned vtun_ike_peer_get_versions(const vtun_ike_peer *peer) {
  return peer->versions;
}

int vtun_ike_peer_set_exchange_mode(vtun_ike_peer *peer, int mode) {
  vtun__ok(peer->ctx);
  if (mode != VTUN_MODE_MAIN && mode != VTUN_MODE_AGGRESSIVE)
    return vtun__refuse(peer->ctx, VTUN_EINVAL,
                        "ike peer %s: unknown exchange mode %d", peer->name,
                        mode);
  peer->exchange_mode = mode;
  vtun__match_changed(peer->ctx);
  return 0;
}

int vtun_ike_peer_get_exchange_mode(const vtun_ike_peer *peer) {
  return peer->exchange_mode;
}

int vtun_ike_peer_set_psk(vtun_ike_peer *peer, const uint8_t *key, size_t len) {
  uint8_t *copy;

  vtun__ok(peer->ctx);
  if (key == NULL || len == 0 || len > VTUN_PSK_MAX)
    return vtun__refuse(peer->ctx, VTUN_EINVAL,
                        "ike peer %s: a pre-shared key has 1-%d bytes",
                        peer->name, VTUN_PSK_MAX);
  if ((copy = malloc(len)) == NULL)
    return VTUN_ENOMEM;
  memcpy(copy, key, len);
  vtun__free_secret(peer->psk, peer->psk_len);
  peer->psk = copy;
  peer->psk_len = len;
  peer->psk_derived = false;
  return 0;
}

vtun_ssize vtun_ike_peer_get_psk(const vtun_ike_peer *peer, uint8_t *buf,
                                 size_t len) {
  if (peer->psk == NULL)
    return VTUN_ENOENT;
  if (buf != NULL)
    memcpy(buf, peer->psk, len < peer->psk_len ? len : peer->psk_len);
  return (vtun_ssize)peer->psk_len;
}

/* Checks an identity value against its type. */
static int peer_check_id(vtun_ike_peer *peer, int type, const char *value) {
  vtun_endpoint ep;

  if (type < VTUN_ID_NONE || type > VTUN_ID_KEY_ID)
    return vtun__refuse(peer->ctx, VTUN_EINVAL,
                        "ike peer %s: unknown identity type %d", peer->name,
                        type);
  if (value == NULL)
    return type == VTUN_ID_IP || type == VTUN_ID_NONE
               ? 0
               : vtun__refuse(peer->ctx, VTUN_EINVAL,
                              "ike peer %s: identity needs a value",
                              peer->name);
  if (value[0] == '\0' || strlen(value) >= VTUN_ID_MAX)
    return vtun__refuse(peer->ctx, VTUN_EINVAL,
                        "ike peer %s: identity must have 1-%d characters",
                        peer->name, VTUN_ID_MAX - 1);
  if (type == VTUN_ID_IP && vtun_endpoint_parse(&ep, value, 0) != 0)
    return vtun__refuse(peer->ctx, VTUN_EINVAL,
                        "ike peer %s: identity '%s' is not an IP address",
                        peer->name, value);
  if (type == VTUN_ID_USER_FQDN && strchr(value, '@') == NULL)
    return vtun__refuse(peer->ctx, VTUN_EINVAL,
                        "ike peer %s: user-fqdn '%s' lacks '@'", peer->name,
                        value);
  return 0;
}

int vtun_ike_peer_set_local_id(vtun_ike_peer *peer, int type,
                               const char *value) {
  int rv;

  vtun__ok(peer->ctx);
  if (type == VTUN_ID_NONE)
    type = VTUN_ID_IP;
  if ((rv = peer_check_id(peer, type, value)) != 0)
    return rv;
  peer->local_id_type = type;
  snprintf(peer->local_id, sizeof(peer->local_id), "%s",
           value != NULL ? value : "");
  return 0;
}

vtun_ssize vtun_ike_peer_get_local_id(const vtun_ike_peer *peer, int *type,
                                      char *buf, size_t len) {
  if (type != NULL)
    *type = peer->local_id_type;
  return vtun__strcopyout(peer->local_id, buf, len);
}

int vtun_ike_peer_set_remote_id(vtun_ike_peer *peer, int type,
                                const char *value) {
  int rv;

  vtun__ok(peer->ctx);
  if ((rv = peer_check_id(peer, type, value)) != 0)
    return rv;
  if (type == VTUN_ID_IP && value == NULL)
    return vtun__refuse(peer->ctx, VTUN_EINVAL,
                        "ike peer %s: remote identity of type ip needs a "
                        "value",
                        peer->name);
  peer->remote_id_type = type;
  snprintf(peer->remote_id, sizeof(peer->remote_id), "%s",
           type != VTUN_ID_NONE && value != NULL ? value : "");
  vtun__match_changed(peer->ctx);
  return 0;
}

vtun_ssize vtun_ike_peer_get_remote_id(const vtun_ike_peer *peer, int *type,
                                       char *buf, size_t len) {
  if (type != NULL)
    *type = peer->remote_id_type;
  return vtun__strcopyout(peer->remote_id, buf, len);
}

int vtun_ike_peer_add_remote_address(vtun_ike_peer *peer, const char *addr) {
  vtun_endpoint list[VTUN_MAX_REMOTE_ADDRS];
  vtun_tunnel *t = NULL;
  vtun_endpoint ep;
  int rv;

  vtun__ok(peer->ctx);
  if ((rv = vtun__parse_addr(peer->ctx, "remote-address", addr, &ep)) != 0)
    return rv;
  for (unsigned i = 0; i < peer->nremotes; i++)
    if (vtun__ep_addr_eq(&peer->remotes[i], &ep))
      return vtun__refuse(peer->ctx, VTUN_EEXIST,
                          "ike peer %s lists %s already", peer->name, addr);
  if (peer->nremotes == VTUN_MAX_REMOTE_ADDRS)
    return vtun__refuse(peer->ctx, VTUN_ENOSPC,
                        "ike peer %s: at most %d remote addresses", peer->name,
                        VTUN_MAX_REMOTE_ADDRS);

  memcpy(list, peer->remotes, sizeof(list));
  list[peer->nremotes] = ep;
  while ((t = peer_next_tunnel(peer, t)) != NULL)
    if ((rv = vtun__check_dest_remotes(peer->ctx, t, &t->destination, peer,
                                       list, peer->nremotes + 1)) != 0)
      return rv;
  peer->remotes[peer->nremotes++] = ep;
  vtun__match_changed(peer->ctx);
  return 0;
}

int vtun_ike_peer_remove_remote_address(vtun_ike_peer *peer, const char *addr) {
  vtun_endpoint ep;
  int rv;

  vtun__ok(peer->ctx);
  if ((rv = vtun__parse_addr(peer->ctx, "remote-address", addr, &ep)) != 0)
    return rv;
  for (unsigned i = 0; i < peer->nremotes; i++) {
    if (!vtun__ep_addr_eq(&peer->remotes[i], &ep))
      continue;
    memmove(&peer->remotes[i], &peer->remotes[i + 1],
            (peer->nremotes - i - 1) * sizeof(ep));
    peer->nremotes--;
    vtun__match_changed(peer->ctx);
    return 0;
  }
  return vtun__refuse(peer->ctx, VTUN_ENOENT, "ike peer %s does not list %s",
                      peer->name, addr);
}

unsigned vtun_ike_peer_get_remote_address_count(const vtun_ike_peer *peer) {
  return peer->nremotes;
}

vtun_ssize vtun_ike_peer_get_remote_address(const vtun_ike_peer *peer,
                                            unsigned index, char *buf,
                                            size_t len) {
  if (index >= peer->nremotes)
    return VTUN_ENOENT;
  return vtun__ep_copyout(&peer->remotes[index], buf, len);
}

int vtun_ike_peer_add_proposal(vtun_ike_peer *peer, vtun_ike_proposal *prop) {
  vtun__ok(peer->ctx);
  if (prop == NULL || prop->vsys != peer->vsys)
    return vtun__refuse(peer->ctx, VTUN_EINVAL,
                        "ike peer %s: the proposal must exist in %s",
                        peer->name, vtun__vsys_name(peer->vsys));
  for (unsigned i = 0; i < peer->nproposals; i++)
    if (peer->proposals[i] == prop)
      return vtun__refuse(peer->ctx, VTUN_EEXIST,
                          "ike peer %s lists ike proposal %u already",
                          peer->name, prop->number);
  if (peer->nproposals == VTUN_MAX_PEER_PROPOSALS)
    return vtun__refuse(peer->ctx, VTUN_ENOSPC,
                        "ike peer %s: at most %d proposals", peer->name,
                        VTUN_MAX_PEER_PROPOSALS);
  peer->proposals[peer->nproposals++] = prop;
  return 0;
}

int vtun_ike_peer_remove_proposal(vtun_ike_peer *peer,
                                  vtun_ike_proposal *prop) {
  vtun__ok(peer->ctx);
  for (unsigned i = 0; i < peer->nproposals; i++) {
    if (peer->proposals[i] != prop)
      continue;
    memmove(&peer->proposals[i], &peer->proposals[i + 1],
            (peer->nproposals - i - 1) * sizeof(prop));
    peer->nproposals--;
    return 0;
  }
  return vtun__refuse(peer->ctx, VTUN_ENOENT,
                      "ike peer %s does not list that proposal", peer->name);
}

unsigned vtun_ike_peer_get_proposal_count(const vtun_ike_peer *peer) {
  return peer->nproposals;
}

vtun_ike_proposal *vtun_ike_peer_get_proposal(const vtun_ike_peer *peer,
                                              unsigned index) {
  return index < peer->nproposals ? peer->proposals[index] : NULL;
}

int vtun_ike_peer_set_dpd(vtun_ike_peer *peer, int type, uint32_t idle,
                          uint32_t retransmit, uint32_t retries) {
  vtun__ok(peer->ctx);
  if (type < VTUN_DPD_NONE || type > VTUN_DPD_ON_DEMAND)
    return vtun__refuse(peer->ctx, VTUN_EINVAL,
                        "ike peer %s: unknown DPD type %d", peer->name, type);
  if (idle < 10 || idle > 3600 || retransmit < 2 || retransmit > 60 ||
      retries < 1 || retries > 10)
    return vtun__refuse(peer->ctx, VTUN_ER12_RANGE,
                        "R12: ike peer %s: DPD idle %u (10-3600 s), "
                        "retransmit %u (2-60 s), retries %u (1-10)",
                        peer->name, idle, retransmit, retries);
  peer->dpd_type = type;
  peer->dpd_idle = idle;
  peer->dpd_retransmit = retransmit;
  peer->dpd_retries = retries;
  return 0;
}

void vtun_ike_peer_get_dpd(const vtun_ike_peer *peer, int *type, uint32_t *idle,
                           uint32_t *retransmit, uint32_t *retries) {
  if (type != NULL)
    *type = peer->dpd_type;
  if (idle != NULL)
    *idle = peer->dpd_idle;
  if (retransmit != NULL)
    *retransmit = peer->dpd_retransmit;
  if (retries != NULL)
    *retries = peer->dpd_retries;
}

int vtun_ike_peer_set_nat_traversal(vtun_ike_peer *peer, int on) {
  vtun__ok(peer->ctx);
  peer->nat_traversal = on != 0;
  return 0;
}

int vtun_ike_peer_get_nat_traversal(const vtun_ike_peer *peer) {
  return peer->nat_traversal;
}

int vtun_ike_peer_set_pool(vtun_ike_peer *peer, vtun_pool *pool) {
  vtun__ok(peer->ctx);
  if (pool != NULL && pool->vsys != peer->vsys)
    return vtun__refuse(peer->ctx, VTUN_EINVAL,
                        "ike peer %s: pool %s belongs to %s, not %s",
                        peer->name, pool->name, vtun__vsys_name(pool->vsys),
                        vtun__vsys_name(peer->vsys));
  peer->pool = pool;
  return 0;
}

vtun_pool *vtun_ike_peer_get_pool(const vtun_ike_peer *peer) {
  return peer->pool;
}

int vtun_ike_peer_set_ikev2_id_match(vtun_ike_peer *peer, int on) {
  vtun__ok(peer->ctx);
  if (on && !(peer->versions & VTUN_IKEV2))
    return vtun__refuse(peer->ctx, VTUN_ER10_PEER_ID_MODE,
                        "R10: ike peer %s: the IKEv2 peer-ID extension "
                        "needs IKEv2 on the peer",
                        peer->name);
  peer->ikev2_id_match = on != 0;
  vtun__match_changed(peer->ctx);
  return 0;
}

int vtun_ike_peer_get_ikev2_id_match(const vtun_ike_peer *peer) {
  return peer->ikev2_id_match;
}

void vtun_ike_peer_set_user_data(vtun_ike_peer *peer, void *ud) {
  peer->user_data = ud;
}

void *vtun_ike_peer_get_user_data(const vtun_ike_peer *peer) {
  return peer->user_data;
}
