#include "config/cmd_ike.h"

#include <string.h>

#include "config/args.h"

const struct vtun__cfg_enum vtun__cfg_auth_methods[] = {
    {"pre-share", VTUN_AUTH_PSK},
    {NULL, 0},
};

const struct vtun__cfg_enum vtun__cfg_exchange_modes[] = {
    {"main", VTUN_MODE_MAIN},
    {"aggressive", VTUN_MODE_AGGRESSIVE},
    {NULL, 0},
};

const struct vtun__cfg_enum vtun__cfg_id_types[] = {
    {"ip", VTUN_ID_IP},
    {"fqdn", VTUN_ID_FQDN},
    {"user-fqdn", VTUN_ID_USER_FQDN},
    {"key-id", VTUN_ID_KEY_ID},
    {"none", VTUN_ID_NONE},
    {NULL, 0},
};

const struct vtun__cfg_enum vtun__cfg_dpd_types[] = {
    {"periodic", VTUN_DPD_PERIODIC},
    {"on-demand", VTUN_DPD_ON_DEMAND},
    {"none", VTUN_DPD_NONE},
    {NULL, 0},
};

/* -------------------------------------------------------- IKE proposal */

static int ikp_auth(struct vtun__cfg_parser *p,
                    const struct vtun__cfg_args *a) {
  int v = p->def->ikp_auth;
  int rv;

  if (!a->undo &&
      (rv = vtun__cfg_arg_enum(p, &a->v[0], vtun__cfg_auth_methods, &v)) != 0)
    return rv;
  return vtun_ike_proposal_set_auth(p->obj, v);
}

static int ikp_encr(struct vtun__cfg_parser *p,
                    const struct vtun__cfg_args *a) {
  int v = p->def->ikp_encr;
  int rv;

  if (!a->undo && (rv = vtun__cfg_arg_alg(p, &a->v[0], VTUN_ALG_ENCR, &v)) != 0)
    return rv;
  return vtun_ike_proposal_set_encr(p->obj, v);
}

static int ikp_integ(struct vtun__cfg_parser *p,
                     const struct vtun__cfg_args *a) {
  int v = p->def->ikp_integ;
  int rv;

  if (!a->undo &&
      (rv = vtun__cfg_arg_alg(p, &a->v[0], VTUN_ALG_INTEG, &v)) != 0)
    return rv;
  return vtun_ike_proposal_set_integ(p->obj, v);
}

static int ikp_prf(struct vtun__cfg_parser *p, const struct vtun__cfg_args *a) {
  int v = p->def->ikp_prf;
  int rv;

  if (!a->undo && (rv = vtun__cfg_arg_alg(p, &a->v[0], VTUN_ALG_PRF, &v)) != 0)
    return rv;
  return vtun_ike_proposal_set_prf(p->obj, v);
}

static int ikp_dh(struct vtun__cfg_parser *p, const struct vtun__cfg_args *a) {
  int v = p->def->ikp_dh;
  int rv;

  if (!a->undo && (rv = vtun__cfg_arg_dh(p, &a->v[0], &v)) != 0)
    return rv;
  return vtun_ike_proposal_set_dh(p->obj, v);
}

static int ikp_lifetime(struct vtun__cfg_parser *p,
                        const struct vtun__cfg_args *a) {
  uint32_t v = p->def->ikp_lifetime;
  int rv;

  if (!a->undo && (rv = vtun__cfg_arg_u32(p, &a->v[0], &v)) != 0)
    return rv;
  return vtun_ike_proposal_set_lifetime(p->obj, v);
}

/* ------------------------------------------------------------ IKE peer */

/* `version 1|2` adds a version; `undo version N` takes it away. */
static int peer_version(struct vtun__cfg_parser *p,
                        const struct vtun__cfg_args *a) {
  static const struct vtun__cfg_enum versions[] = {
      {"1", VTUN_IKEV1}, {"2", VTUN_IKEV2}, {NULL, 0}};
  unsigned mask = vtun_ike_peer_get_versions(p->obj);
  int bit, rv;

  if ((rv = vtun__cfg_arg_enum(p, &a->v[0], versions, &bit)) != 0)
    return rv;
  mask = a->undo ? mask & ~(unsigned)bit : mask | (unsigned)bit;
  if (mask == vtun_ike_peer_get_versions(p->obj))
    return 0;
  return vtun_ike_peer_set_versions(p->obj, mask);
}

static int peer_mode(struct vtun__cfg_parser *p,
                     const struct vtun__cfg_args *a) {
  int v = p->def->peer_mode;
  int rv;

  if (!a->undo &&
      (rv = vtun__cfg_arg_enum(p, &a->v[0], vtun__cfg_exchange_modes, &v)) != 0)
    return rv;
  return vtun_ike_peer_set_exchange_mode(p->obj, v);
}

/* The key is bytes: a quoted key may hold any byte through \xHH. It is
 * never repeated in a message. */
static int peer_psk(struct vtun__cfg_parser *p,
                    const struct vtun__cfg_args *a) {
  const struct vtun__cfg_word *w = &a->v[0];

  if (a->undo)
    /* LIMITATION: a pre-shared key cannot be removed, only replaced: the
     * core has no call that clears it. */
    return vtun__cfg_refuse(p, &p->line->w[0], VTUN_ENOTSUP,
                            "a pre-shared key can be replaced but not "
                            "removed");
  if (a->n > 1)
    return vtun__cfg_syntax(p, &a->v[1],
                            "a key with spaces must be \"quoted\"");
  if (!w->quoted && strcmp(w->text, "******") == 0)
    return vtun__cfg_syntax(p, w,
                            "a masked key does not load: dump with "
                            "secrets, or give the key");
  return vtun_ike_peer_set_psk(p->obj, (const uint8_t *)w->text, w->len);
}

/* `pre-shared-key derived SECRET`: the master secret from which each
 * branch's key is derived from its identity (vtun_derive_branch_psk). */
static int peer_psk_master(struct vtun__cfg_parser *p,
                           const struct vtun__cfg_args *a) {
  const struct vtun__cfg_word *w = &a->v[0];

  if (a->undo)
    return vtun__cfg_refuse(p, &p->line->w[0], VTUN_ENOTSUP,
                            "a pre-shared key can be replaced but not "
                            "removed");
  if (a->n > 1)
    return vtun__cfg_syntax(p, &a->v[1],
                            "a secret with spaces must be \"quoted\"");
  if (!w->quoted && strcmp(w->text, "******") == 0)
    return vtun__cfg_syntax(p, w,
                            "a masked secret does not load: dump with "
                            "secrets, or give the secret");
  return vtun_ike_peer_set_psk_master(p->obj, (const uint8_t *)w->text, w->len);
}

static int peer_proposal(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a) {
  vtun_ike_peer *peer = p->obj;
  vtun_vsys *vsys = vtun_ike_peer_get_vsys(peer);
  vtun_ike_proposal *prop;
  unsigned i, n = vtun_ike_peer_get_proposal_count(peer);
  uint32_t number;
  int rv;

  if ((rv = vtun__cfg_arg_u32(p, &a->v[0], &number)) != 0)
    return rv;
  if ((prop = vtun_ike_proposal_find(p->ctx, vsys, number)) == NULL)
    return vtun__cfg_refuse(p, &a->v[0], VTUN_ENOENT,
                            "ike proposal %u does not exist in %s", number,
                            vtun_vsys_get_name(vsys));
  for (i = 0; i < n && vtun_ike_peer_get_proposal(peer, i) != prop; i++)
    ;
  if (a->undo)
    return vtun_ike_peer_remove_proposal(peer, prop);
  return i < n ? 0 : vtun_ike_peer_add_proposal(peer, prop);
}

/* The identity of slot 0 (local) or 1 (remote). */
static int peer_get_id(vtun_ike_peer *peer, int slot, int *type, char *buf,
                       size_t len) {
  vtun_ssize n = slot == 0 ? vtun_ike_peer_get_local_id(peer, type, buf, len)
                           : vtun_ike_peer_get_remote_id(peer, type, buf, len);

  return n < 0 || (size_t)n >= len ? VTUN_EINVAL : 0;
}

static int peer_set_id(vtun_ike_peer *peer, int slot, int type,
                       const char *value) {
  return slot == 0 ? vtun_ike_peer_set_local_id(peer, type, value)
                   : vtun_ike_peer_set_remote_id(peer, type, value);
}

/* Whether an identity of @p type may go without a value: the local IP
 * identity is the IKE address, and no remote identity accepts any. */
static bool peer_id_optional(int slot, int type) {
  return slot == 0 ? type == VTUN_ID_IP : type == VTUN_ID_NONE;
}

/* `local-id-type T`: keeps the value when it suits the new type; else a
 * type that needs a value waits for the `local-id` line. */
static int peer_id_type(struct vtun__cfg_parser *p,
                        const struct vtun__cfg_args *a, int slot) {
  int type =
      slot == 0 ? p->def->peer_local_id_type : p->def->peer_remote_id_type;
  char value[VTUN_ID_MAX];
  int cur, rv;

  if (!a->undo &&
      (rv = vtun__cfg_arg_enum(p, &a->v[0], vtun__cfg_id_types, &type)) != 0)
    return rv;
  if ((rv = peer_get_id(p->obj, slot, &cur, value, sizeof(value))) != 0)
    return rv;
  p->pend.set[slot] = false;
  if (value[0] != '\0' && peer_set_id(p->obj, slot, type, value) == 0)
    return 0;
  if (peer_id_optional(slot, type))
    return peer_set_id(p->obj, slot, type, NULL);

  p->pend.peer = p->obj;
  p->pend.type[slot] = type;
  p->pend.set[slot] = true;
  p->pend.line = p->lineno;
  p->pend.col = p->line->w[0].col;
  return 0;
}

static int peer_local_id_type(struct vtun__cfg_parser *p,
                              const struct vtun__cfg_args *a) {
  return peer_id_type(p, a, 0);
}

static int peer_remote_id_type(struct vtun__cfg_parser *p,
                               const struct vtun__cfg_args *a) {
  return peer_id_type(p, a, 1);
}

/* `local-id V` with the waiting type, else the current one. */
static int peer_id(struct vtun__cfg_parser *p, const struct vtun__cfg_args *a,
                   int slot) {
  char value[VTUN_ID_MAX];
  const char *text = NULL;
  int type, rv;

  if ((rv = peer_get_id(p->obj, slot, &type, value, sizeof(value))) != 0 ||
      (!a->undo && (rv = vtun__cfg_arg_text(p, &a->v[0], &text)) != 0))
    return rv;
  if (p->pend.peer == p->obj && p->pend.set[slot])
    type = p->pend.type[slot];
  if (!a->undo && type == VTUN_ID_NONE)
    return vtun__cfg_syntax(p, &p->line->w[0],
                            "give remote-id-type before remote-id");
  if ((rv = peer_set_id(p->obj, slot, type, text)) != 0)
    return vtun__cfg_blame(p, a->n ? &a->v[0] : NULL, rv);
  p->pend.set[slot] = false;
  if (!p->pend.set[0] && !p->pend.set[1])
    p->pend.peer = NULL;
  return 0;
}

static int peer_local_id(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a) {
  return peer_id(p, a, 0);
}

static int peer_remote_id(struct vtun__cfg_parser *p,
                          const struct vtun__cfg_args *a) {
  return peer_id(p, a, 1);
}

/* Whether @p peer lists @p ep. */
static bool peer_lists(vtun_ike_peer *peer, const vtun_endpoint *ep) {
  unsigned n = vtun_ike_peer_get_remote_address_count(peer);
  char text[VTUN_ADDRSTRLEN];
  vtun_endpoint have;

  for (unsigned i = 0; i < n; i++)
    if (vtun_ike_peer_get_remote_address(peer, i, text, sizeof(text)) > 0 &&
        vtun_endpoint_parse(&have, text, 0) == 0 && vtun__ep_addr_eq(&have, ep))
      return true;
  return false;
}

static int peer_remote_address(struct vtun__cfg_parser *p,
                               const struct vtun__cfg_args *a) {
  vtun_endpoint ep;
  int rv;

  if ((rv = vtun__cfg_arg_addr(p, &a->v[0], VTUN_AF_NONE, &ep)) != 0)
    return rv;
  if (a->undo)
    return vtun_ike_peer_remove_remote_address(p->obj, a->v[0].text);
  if (peer_lists(p->obj, &ep))
    return 0;
  return vtun_ike_peer_add_remote_address(p->obj, a->v[0].text);
}

/* One DPD setting changed, the others kept. */
enum peer_dpd_field { DPD_TYPE, DPD_IDLE, DPD_RETRANSMIT, DPD_RETRIES };

static int peer_dpd(struct vtun__cfg_parser *p, const struct vtun__cfg_args *a,
                    int field) {
  const struct vtun__cfg_defaults *d = p->def;
  uint32_t v[4] = {(uint32_t)d->dpd_type, d->dpd_idle, d->dpd_retransmit,
                   d->dpd_retries};
  uint32_t cur[4];
  int type, rv;

  if (!a->undo && field == DPD_TYPE &&
      (rv = vtun__cfg_arg_enum(p, &a->v[0], vtun__cfg_dpd_types, &type)) != 0)
    return rv;
  if (!a->undo && field == DPD_TYPE)
    v[DPD_TYPE] = (uint32_t)type;
  if (!a->undo && field != DPD_TYPE &&
      (rv = vtun__cfg_arg_u32(p, &a->v[0], &v[field])) != 0)
    return rv;

  vtun_ike_peer_get_dpd(p->obj, &type, &cur[1], &cur[2], &cur[3]);
  cur[0] = (uint32_t)type;
  cur[field] = v[field];
  return vtun_ike_peer_set_dpd(p->obj, (int)cur[0], cur[1], cur[2], cur[3]);
}

static int peer_dpd_type(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a) {
  return peer_dpd(p, a, DPD_TYPE);
}

static int peer_dpd_idle(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a) {
  return peer_dpd(p, a, DPD_IDLE);
}

static int peer_dpd_retransmit(struct vtun__cfg_parser *p,
                               const struct vtun__cfg_args *a) {
  return peer_dpd(p, a, DPD_RETRANSMIT);
}

static int peer_dpd_retries(struct vtun__cfg_parser *p,
                            const struct vtun__cfg_args *a) {
  return peer_dpd(p, a, DPD_RETRIES);
}

static int peer_nat(struct vtun__cfg_parser *p,
                    const struct vtun__cfg_args *a) {
  return vtun_ike_peer_set_nat_traversal(p->obj, !a->undo);
}

static int peer_pool(struct vtun__cfg_parser *p,
                     const struct vtun__cfg_args *a) {
  vtun_vsys *vsys = vtun_ike_peer_get_vsys(p->obj);
  vtun_pool *pool;

  if (a->undo)
    return vtun_ike_peer_set_pool(p->obj, NULL);
  if ((pool = vtun_pool_find(p->ctx, vsys, a->v[0].text)) == NULL)
    return vtun__cfg_refuse(p, &a->v[0], VTUN_ENOENT,
                            "ip pool %s does not exist in %s", a->v[0].text,
                            vtun_vsys_get_name(vsys));
  return vtun_ike_peer_set_pool(p->obj, pool);
}

static int peer_id_match(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a) {
  return vtun_ike_peer_set_ikev2_id_match(p->obj, !a->undo);
}

/* clang-format off */
const struct vtun__cfg_cmd vtun__cfg_ike_proposal_cmds[] = {
  {"authentication-method", 1, 1, VTUN_CFG_UNDO_ANY, false, ikp_auth},
  {"encryption-algorithm", 1, 1, VTUN_CFG_UNDO_ANY, false, ikp_encr},
  {"authentication-algorithm", 1, 1, VTUN_CFG_UNDO_ANY, false, ikp_integ},
  {"integrity-algorithm", 1, 1, VTUN_CFG_UNDO_ANY, false, ikp_prf},
  {"dh", 1, 1, VTUN_CFG_UNDO_ANY, false, ikp_dh},
  {"sa duration", 1, 1, VTUN_CFG_UNDO_ANY, false, ikp_lifetime},
  {NULL, 0, 0, 0, false, NULL},
};

const struct vtun__cfg_cmd vtun__cfg_ike_peer_cmds[] = {
  {"version", 1, 1, VTUN_CFG_UNDO_SAME, false, peer_version},
  {"exchange-mode", 1, 1, VTUN_CFG_UNDO_ANY, false, peer_mode},
  {"pre-shared-key", 1, 15, VTUN_CFG_UNDO_ANY, true, peer_psk},
  {"pre-shared-key derived", 1, 15, VTUN_CFG_UNDO_ANY, true, peer_psk_master},
  {"ike-proposal", 1, 1, VTUN_CFG_UNDO_SAME, false, peer_proposal},
  {"local-id-type", 1, 1, VTUN_CFG_UNDO_ANY, false, peer_local_id_type},
  {"local-id", 1, 1, VTUN_CFG_UNDO_ANY, false, peer_local_id},
  {"remote-id-type", 1, 1, VTUN_CFG_UNDO_ANY, false, peer_remote_id_type},
  {"remote-id", 1, 1, VTUN_CFG_UNDO_ANY, false, peer_remote_id},
  {"remote-address", 1, 1, VTUN_CFG_UNDO_SAME, false, peer_remote_address},
  {"dpd type", 1, 1, VTUN_CFG_UNDO_ANY, false, peer_dpd_type},
  {"dpd idle-time", 1, 1, VTUN_CFG_UNDO_ANY, false, peer_dpd_idle},
  {"dpd retransmit-interval", 1, 1, VTUN_CFG_UNDO_ANY, false,
   peer_dpd_retransmit},
  {"dpd retry-limit", 1, 1, VTUN_CFG_UNDO_ANY, false, peer_dpd_retries},
  {"nat traversal", 0, 0, VTUN_CFG_UNDO_ANY, false, peer_nat},
  {"ip-pool", 1, 1, VTUN_CFG_UNDO_ANY, false, peer_pool},
  {"ikev2 peer-id-match enable", 0, 0, VTUN_CFG_UNDO_ANY, false,
   peer_id_match},
  {NULL, 0, 0, 0, false, NULL},
};
/* clang-format on */
