#include "config/cmd_ipsec.h"

#include <stdio.h>
#include <string.h>

#include "config/args.h"

const struct vtun__cfg_enum vtun__cfg_encap_modes[] = {
    {"tunnel", VTUN_ENCAP_TUNNEL},
    {"transport", VTUN_ENCAP_TRANSPORT},
    {NULL, 0},
};

/* ------------------------------------------------------ IPsec proposal */

/* `transform esp`: ESP is the only transform; AH is refused by name. */
static int ipp_transform(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a) {
  static const struct vtun__cfg_enum transforms[] = {
      {"esp", 1}, {"ah", 2}, {"ah-esp", 3}, {NULL, 0}};
  int t = 1;
  int rv;

  if (!a->undo && (rv = vtun__cfg_arg_enum(p, &a->v[0], transforms, &t)) != 0)
    return rv;
  if (t != 1)
    return vtun__cfg_refuse(p, &a->v[0], VTUN_ENOTSUP,
                            "only the esp transform is supported");
  return 0;
}

static int ipp_encr(struct vtun__cfg_parser *p,
                    const struct vtun__cfg_args *a) {
  int v = p->def->ipp_encr;
  int rv;

  if (!a->undo && (rv = vtun__cfg_arg_alg(p, &a->v[0], VTUN_ALG_ENCR, &v)) != 0)
    return rv;
  return vtun_ipsec_proposal_set_encr(p->obj, v);
}

static int ipp_integ(struct vtun__cfg_parser *p,
                     const struct vtun__cfg_args *a) {
  int v = p->def->ipp_integ;
  int rv;

  if (!a->undo &&
      (rv = vtun__cfg_arg_alg(p, &a->v[0], VTUN_ALG_INTEG, &v)) != 0)
    return rv;
  return vtun_ipsec_proposal_set_integ(p->obj, v);
}

static int ipp_encap(struct vtun__cfg_parser *p,
                     const struct vtun__cfg_args *a) {
  int v = p->def->ipp_encap;
  int rv;

  if (!a->undo &&
      (rv = vtun__cfg_arg_enum(p, &a->v[0], vtun__cfg_encap_modes, &v)) != 0)
    return rv;
  return vtun_ipsec_proposal_set_encap_mode(p->obj, v);
}

/* -------------------------------------------------------- IPsec profile */

/* `ike-peer N` and `proposal N` name objects that may come later (R2 is
 * checked when the profile is applied). Naming the same one again is no
 * change, so that a file loads twice even while the profile is applied. */
static int prof_ref(struct vtun__cfg_parser *p, const struct vtun__cfg_args *a,
                    bool peer) {
  vtun_ipsec_profile *prof = p->obj;
  const char *cur = peer ? vtun_ipsec_profile_get_ike_peer(prof)
                         : vtun_ipsec_profile_get_proposal(prof);
  const char *name = NULL;
  int rv;

  if (!a->undo && (rv = vtun__cfg_arg_text(p, &a->v[0], &name)) != 0)
    return rv;
  if (cur == name || (cur != NULL && name != NULL && strcmp(cur, name) == 0))
    return 0;
  return peer ? vtun_ipsec_profile_set_ike_peer(prof, name)
              : vtun_ipsec_profile_set_proposal(prof, name);
}

static int prof_peer(struct vtun__cfg_parser *p,
                     const struct vtun__cfg_args *a) {
  return prof_ref(p, a, true);
}

static int prof_proposal(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a) {
  return prof_ref(p, a, false);
}

static int prof_pfs(struct vtun__cfg_parser *p,
                    const struct vtun__cfg_args *a) {
  int v = p->def->pfs;
  int rv;

  if (!a->undo && (rv = vtun__cfg_arg_dh(p, &a->v[0], &v)) != 0)
    return rv;
  return vtun_ipsec_profile_set_pfs(p->obj, v);
}

static int prof_life_time(struct vtun__cfg_parser *p,
                          const struct vtun__cfg_args *a) {
  uint32_t s = p->def->life_s;
  uint64_t kb;
  int rv;

  if (!a->undo && (rv = vtun__cfg_arg_u32(p, &a->v[0], &s)) != 0)
    return rv;
  vtun_ipsec_profile_get_lifetime(p->obj, NULL, &kb);
  return vtun_ipsec_profile_set_lifetime(p->obj, s, kb);
}

static int prof_life_traffic(struct vtun__cfg_parser *p,
                             const struct vtun__cfg_args *a) {
  uint64_t kb = p->def->life_kb;
  uint32_t s;
  int rv;

  if (!a->undo && (rv = vtun__cfg_arg_u64(p, &a->v[0], &kb)) != 0)
    return rv;
  vtun_ipsec_profile_get_lifetime(p->obj, &s, NULL);
  return vtun_ipsec_profile_set_lifetime(p->obj, s, kb);
}

static int prof_replay(struct vtun__cfg_parser *p,
                       const struct vtun__cfg_args *a) {
  uint32_t v = p->def->replay_window;
  int rv;

  if (!a->undo && (rv = vtun__cfg_arg_u32(p, &a->v[0], &v)) != 0)
    return rv;
  return vtun_ipsec_profile_set_replay_window(p->obj, v);
}

static int prof_esn(struct vtun__cfg_parser *p,
                    const struct vtun__cfg_args *a) {
  return vtun_ipsec_profile_set_esn(p->obj, !a->undo);
}

/* ----------------------------------------------------------------- pool */

/* `network A mask M`, `network A M` or `network A/len`. Setting the
 * network the pool has already is no change (the core would drop the
 * ranges). */
static int pool_network(struct vtun__cfg_parser *p,
                        const struct vtun__cfg_args *a) {
  struct vtun__cfg_word two[2];
  struct vtun__cfg_args rest = *a;
  char want[VTUN_ADDRSTRLEN], have[VTUN_ADDRSTRLEN];
  vtun_endpoint ep;
  unsigned prefix, used, cur = 0;
  int rv;

  if (a->undo)
    /* LIMITATION: a pool's network cannot be removed (the core has no
     * call for it); delete the pool instead. */
    return vtun__cfg_refuse(p, &p->line->w[0], VTUN_ENOTSUP,
                            "a pool's network can be changed but not "
                            "removed");
  if (a->n == 3 && (rv = vtun__cfg_arg_keyword(p, &a->v[1], "mask")) != 0)
    return rv;
  if (a->n == 3) {
    two[0] = a->v[0];
    two[1] = a->v[2];
    rest.v = two;
    rest.n = 2;
  }
  rv = vtun__cfg_arg_prefix(p, &rest, 0, VTUN_AF_INET, &ep, &prefix, &used);
  if (rv != 0 && rest.v == two) /* blame the line's word, not the copy */
    p->blame = p->blame == &two[1] ? &a->v[2] : &a->v[0];
  if (rv != 0)
    return rv;
  if (used != rest.n)
    return vtun__cfg_syntax(p, &a->v[a->n - 1], "unexpected word '%s'",
                            a->v[a->n - 1].text);

  /* The core keeps the network address itself: compare that. */
  for (unsigned i = 0; i < 4; i++) {
    unsigned bits = prefix > 8 * i ? prefix - 8 * i : 0;

    ep.addr[i] &= bits >= 8 ? 0xff : (uint8_t)(0xff00u >> bits);
  }
  vtun__ep_str(&ep, want);
  if (vtun_pool_get_network(p->obj, have, sizeof(have), &cur) > 0 &&
      cur == prefix && strcmp(have, want) == 0)
    return 0;
  return vtun_pool_set_network(p->obj, want, prefix);
}

/* The text of a range as the core writes it, "first-last". */
static int pool_range_text(struct vtun__cfg_parser *p,
                           const struct vtun__cfg_args *a, char *buf,
                           size_t len) {
  char first[VTUN_ADDRSTRLEN], last[VTUN_ADDRSTRLEN];
  vtun_endpoint e1, e2;
  int rv;

  if ((rv = vtun__cfg_arg_addr(p, &a->v[1], VTUN_AF_INET, &e1)) != 0 ||
      (rv = vtun__cfg_arg_addr(p, &a->v[2], VTUN_AF_INET, &e2)) != 0)
    return rv;
  snprintf(buf, len, "%s-%s", vtun__ep_str(&e1, first),
           vtun__ep_str(&e2, last));
  return 0;
}

/* Removes range @p index by setting the network again (which drops every
 * range and the remembered leases) and adding the others back; the core
 * refuses while leases are out. */
static int pool_remove_range(struct vtun__cfg_parser *p, unsigned index) {
  char ranges[VTUN_POOL_RANGES][2 * VTUN_ADDRSTRLEN], net[VTUN_ADDRSTRLEN];
  unsigned n = vtun_pool_get_range_count(p->obj), prefix;
  int rv;

  for (unsigned i = 0; i < n && i < VTUN_POOL_RANGES; i++)
    vtun_pool_get_range(p->obj, i, ranges[i], sizeof(ranges[i]));
  if (vtun_pool_get_network(p->obj, net, sizeof(net), &prefix) < 0 ||
      (rv = vtun_pool_set_network(p->obj, net, prefix)) != 0)
    return rv;
  for (unsigned i = 0; i < n && i < VTUN_POOL_RANGES; i++) {
    char *dash = strchr(ranges[i], '-');

    if (i == index || dash == NULL)
      continue;
    *dash = '\0';
    if ((rv = vtun_pool_add_range(p->obj, ranges[i], dash + 1)) != 0)
      return rv;
  }
  return 0;
}

/* `section N first last`: sections are numbered from 0 in order; giving
 * an existing section again with the same range is no change. */
static int pool_section(struct vtun__cfg_parser *p,
                        const struct vtun__cfg_args *a) {
  char want[2 * VTUN_ADDRSTRLEN], have[2 * VTUN_ADDRSTRLEN];
  unsigned n = vtun_pool_get_range_count(p->obj);
  uint32_t index;
  int rv;

  if ((rv = vtun__cfg_arg_u32(p, &a->v[0], &index)) != 0)
    return rv;
  if (index > n || (a->undo && index == n))
    return vtun__cfg_refuse(p, &a->v[0], VTUN_ENOENT,
                            "section %u: the pool has sections 0-%u, "
                            "numbered in order",
                            index, n);
  if (a->undo)
    return pool_remove_range(p, index);
  if (a->n < 3)
    return vtun__cfg_syntax(p, &a->v[a->n - 1],
                            "a section needs its first "
                            "and last address");
  if ((rv = pool_range_text(p, a, want, sizeof(want))) != 0)
    return rv;
  if (index == n)
    return vtun_pool_add_range(p->obj, a->v[1].text, a->v[2].text);
  vtun_pool_get_range(p->obj, index, have, sizeof(have));
  if (strcmp(have, want) == 0)
    return 0;
  return vtun__cfg_refuse(p, &a->v[0], VTUN_EEXIST,
                          "section %u is %s already (undo it first)", index,
                          have);
}

/* clang-format off */
const struct vtun__cfg_cmd vtun__cfg_ipsec_proposal_cmds[] = {
  {"transform", 1, 1, VTUN_CFG_UNDO_ANY, false, ipp_transform},
  {"esp encryption-algorithm", 1, 1, VTUN_CFG_UNDO_ANY, false, ipp_encr},
  {"esp authentication-algorithm", 1, 1, VTUN_CFG_UNDO_ANY, false,
   ipp_integ},
  {"encapsulation-mode", 1, 1, VTUN_CFG_UNDO_ANY, false, ipp_encap},
  {NULL, 0, 0, 0, false, NULL},
};

const struct vtun__cfg_cmd vtun__cfg_profile_cmds[] = {
  {"ike-peer", 1, 1, VTUN_CFG_UNDO_ANY, false, prof_peer},
  {"proposal", 1, 1, VTUN_CFG_UNDO_ANY, false, prof_proposal},
  {"pfs", 1, 1, VTUN_CFG_UNDO_ANY, false, prof_pfs},
  {"sa duration time-based", 1, 1, VTUN_CFG_UNDO_ANY, false,
   prof_life_time},
  {"sa duration traffic-based", 1, 1, VTUN_CFG_UNDO_ANY, false,
   prof_life_traffic},
  {"anti-replay window", 1, 1, VTUN_CFG_UNDO_ANY, false, prof_replay},
  {"esn enable", 0, 0, VTUN_CFG_UNDO_ANY, false, prof_esn},
  {NULL, 0, 0, 0, false, NULL},
};

const struct vtun__cfg_cmd vtun__cfg_pool_cmds[] = {
  {"network", 1, 3, VTUN_CFG_UNDO_ANY, false, pool_network},
  {"section", 1, 3, VTUN_CFG_UNDO_SAME, false, pool_section},
  {NULL, 0, 0, 0, false, NULL},
};
/* clang-format on */
