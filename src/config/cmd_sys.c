#include "config/cmd_sys.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/args.h"

bool vtun__cfg_is_tunnel_name(const char *name) {
  return strncasecmp(name, "tunnel", 6) == 0;
}

/* Commands that only the root system has. */
static int sys_root_only(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a) {
  if (p->vsys == NULL)
    return 0;
  return vtun__cfg_syntax(p, &p->line->w[0],
                          "'%s' is a command of the root system (use "
                          "'switch vsys root' first)",
                          p->cmd->words);
}

static int sys_missing(struct vtun__cfg_parser *p,
                       const struct vtun__cfg_word *w, const char *what) {
  return vtun__cfg_refuse(p, w, VTUN_ENOENT, "%s %s does not exist in %s", what,
                          w->text, vtun_vsys_get_name(p->vsys));
}

/* `sysname NAME`: accepted for the vendor's files and not kept. */
static int sys_sysname(struct vtun__cfg_parser *p,
                       const struct vtun__cfg_args *a) {
  const char *name;

  return a->n > 0 ? vtun__cfg_arg_text(p, &a->v[0], &name) : 0;
}

static int sys_legacy(struct vtun__cfg_parser *p,
                      const struct vtun__cfg_args *a) {
  int rv = sys_root_only(p, a);

  return rv != 0 ? rv : vtun_ctx_set_allow_legacy(p->ctx, !a->undo);
}

static int sys_vsys(struct vtun__cfg_parser *p,
                    const struct vtun__cfg_args *a) {
  const char *name;
  vtun_vsys *v;
  int rv;

  if ((rv = sys_root_only(p, a)) != 0 ||
      (rv = vtun__cfg_arg_text(p, &a->v[0], &name)) != 0)
    return rv;
  v = vtun_vsys_find(p->ctx, name);
  if (a->undo)
    return v != NULL ? vtun_vsys_delete(v)
                     : sys_missing(p, &a->v[0], "virtual system");
  return v != NULL ? 0 : vtun_vsys_new(p->ctx, name, &v);
}

/* `switch vsys V`: later object definitions belong to V, until
 * `switch vsys root` or `return`. */
static int sys_switch(struct vtun__cfg_parser *p,
                      const struct vtun__cfg_args *a) {
  const char *name;
  vtun_vsys *v;
  int rv;

  if ((rv = vtun__cfg_arg_text(p, &a->v[0], &name)) != 0)
    return rv;
  if (strcmp(name, "root") == 0) {
    p->vsys = NULL;
    return 0;
  }
  if ((v = vtun_vsys_find(p->ctx, name)) == NULL)
    return vtun__cfg_refuse(p, &a->v[0], VTUN_ENOENT,
                            "virtual system %s does not exist", name);
  p->vsys = v;
  return 0;
}

static int sys_vrf(struct vtun__cfg_parser *p, const struct vtun__cfg_args *a) {
  vtun_vpn_instance *v;
  const char *name;
  int rv;

  if ((rv = sys_root_only(p, a)) != 0 ||
      (rv = vtun__cfg_arg_text(p, &a->v[0], &name)) != 0)
    return rv;
  v = vtun_vpn_instance_find(p->ctx, name);
  if (a->undo)
    return v != NULL ? vtun_vpn_instance_delete(v)
                     : sys_missing(p, &a->v[0], "vpn-instance");
  if (v == NULL && (rv = vtun_vpn_instance_new(p->ctx, name, &v)) != 0)
    return rv;
  vtun__cfg_enter(p, VTUN_CFG_VIEW_VRF, v);
  return 0;
}

/* The interface name: "Tunnel1", or "Tunnel 1" as typed on the device
 * (the two words are joined). */
static int sys_iface_name(struct vtun__cfg_parser *p,
                          const struct vtun__cfg_args *a, char *buf,
                          size_t len) {
  const char *first, *second = "";
  int rv;

  if ((rv = vtun__cfg_arg_text(p, &a->v[0], &first)) != 0 ||
      (a->n > 1 && (rv = vtun__cfg_arg_text(p, &a->v[1], &second)) != 0))
    return rv;
  if ((size_t)snprintf(buf, len, "%s%s", first, second) >= len)
    return vtun__cfg_syntax(p, &a->v[0], "interface name too long");
  return 0;
}

static int sys_iface_undo(struct vtun__cfg_parser *p,
                          const struct vtun__cfg_args *a, const char *name) {
  vtun_tunnel *t = vtun_tunnel_find(p->ctx, name);
  vtun_iface *i = vtun_iface_find(p->ctx, name);

  if (t != NULL)
    return vtun_tunnel_delete(t);
  if (i != NULL)
    return vtun_iface_delete(i);
  return vtun__cfg_refuse(p, &a->v[0], VTUN_ENOENT,
                          "interface %s does not exist", name);
}

static int sys_interface(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a) {
  char name[VTUN_NAME_MAX + 8];
  vtun_tunnel *t;
  vtun_iface *i;
  int rv;

  if ((rv = sys_root_only(p, a)) != 0 ||
      (rv = sys_iface_name(p, a, name, sizeof(name))) != 0)
    return rv;
  if (a->undo)
    return sys_iface_undo(p, a, name);
  if ((t = vtun_tunnel_find(p->ctx, name)) != NULL)
    goto enter_tunnel;
  if ((i = vtun_iface_find(p->ctx, name)) != NULL)
    goto enter_iface;

  /* New: a tunnel interface by its name, else a Layer 3 interface. */
  if (vtun__cfg_is_tunnel_name(name)) {
    if ((rv = vtun_tunnel_new(p->ctx, name, &t)) != 0)
      return rv;
    goto enter_tunnel;
  }
  if ((rv = vtun_iface_new(p->ctx, name, VTUN_LAYER3, &i)) != 0)
    return rv;

enter_iface:
  vtun__cfg_enter(p, VTUN_CFG_VIEW_IFACE, i);
  return 0;
enter_tunnel:
  vtun__cfg_enter(p, VTUN_CFG_VIEW_TUNNEL, t);
  return 0;
}

static int sys_ike_proposal(struct vtun__cfg_parser *p,
                            const struct vtun__cfg_args *a) {
  vtun_ike_proposal *o;
  uint32_t number;
  int rv;

  if ((rv = vtun__cfg_arg_u32(p, &a->v[0], &number)) != 0)
    return rv;
  o = vtun_ike_proposal_find(p->ctx, p->vsys, number);
  if (a->undo)
    return o != NULL ? vtun_ike_proposal_delete(o)
                     : sys_missing(p, &a->v[0], "ike proposal");
  if (o == NULL &&
      (rv = vtun_ike_proposal_new(p->ctx, p->vsys, number, &o)) != 0)
    return rv;
  vtun__cfg_enter(p, VTUN_CFG_VIEW_IKE_PROPOSAL, o);
  return 0;
}

static int sys_ike_peer(struct vtun__cfg_parser *p,
                        const struct vtun__cfg_args *a) {
  vtun_ike_peer *o;
  const char *name;
  int rv;

  if ((rv = vtun__cfg_arg_text(p, &a->v[0], &name)) != 0)
    return rv;
  o = vtun_ike_peer_find(p->ctx, p->vsys, name);
  if (a->undo)
    return o != NULL ? vtun_ike_peer_delete(o)
                     : sys_missing(p, &a->v[0], "ike peer");
  if (o == NULL && (rv = vtun_ike_peer_new(p->ctx, p->vsys, name, &o)) != 0)
    return rv;
  vtun__cfg_enter(p, VTUN_CFG_VIEW_IKE_PEER, o);
  return 0;
}

static int sys_ipsec_proposal(struct vtun__cfg_parser *p,
                              const struct vtun__cfg_args *a) {
  vtun_ipsec_proposal *o;
  const char *name;
  int rv;

  if ((rv = vtun__cfg_arg_text(p, &a->v[0], &name)) != 0)
    return rv;
  o = vtun_ipsec_proposal_find(p->ctx, p->vsys, name);
  if (a->undo)
    return o != NULL ? vtun_ipsec_proposal_delete(o)
                     : sys_missing(p, &a->v[0], "ipsec proposal");
  if (o == NULL &&
      (rv = vtun_ipsec_proposal_new(p->ctx, p->vsys, name, &o)) != 0)
    return rv;
  vtun__cfg_enter(p, VTUN_CFG_VIEW_IPSEC_PROPOSAL, o);
  return 0;
}

static int sys_profile(struct vtun__cfg_parser *p,
                       const struct vtun__cfg_args *a) {
  vtun_ipsec_profile *o;
  const char *name;
  int rv;

  if ((rv = vtun__cfg_arg_text(p, &a->v[0], &name)) != 0)
    return rv;
  o = vtun_ipsec_profile_find(p->ctx, p->vsys, name);
  if (a->undo)
    return o != NULL ? vtun_ipsec_profile_delete(o)
                     : sys_missing(p, &a->v[0], "ipsec profile");
  if (o == NULL &&
      (rv = vtun_ipsec_profile_new(p->ctx, p->vsys, name, &o)) != 0)
    return rv;
  vtun__cfg_enter(p, VTUN_CFG_VIEW_PROFILE, o);
  return 0;
}

static int sys_pool(struct vtun__cfg_parser *p,
                    const struct vtun__cfg_args *a) {
  vtun_pool *o;
  const char *name;
  int rv;

  if ((rv = vtun__cfg_arg_text(p, &a->v[0], &name)) != 0)
    return rv;
  o = vtun_pool_find(p->ctx, p->vsys, name);
  if (a->undo)
    return o != NULL ? vtun_pool_delete(o)
                     : sys_missing(p, &a->v[0], "ip pool");
  if (o == NULL && (rv = vtun_pool_new(p->ctx, p->vsys, name, &o)) != 0)
    return rv;
  vtun__cfg_enter(p, VTUN_CFG_VIEW_POOL, o);
  return 0;
}

/* clang-format off */
const struct vtun__cfg_cmd vtun__cfg_system_cmds[] = {
  {"sysname", 1, 1, VTUN_CFG_UNDO_ANY, false, sys_sysname},
  {"ike legacy-algorithms enable", 0, 0, VTUN_CFG_UNDO_ANY, false,
   sys_legacy},
  {"vsys name", 1, 1, VTUN_CFG_UNDO_SAME, false, sys_vsys},
  {"switch vsys", 1, 1, VTUN_CFG_UNDO_NO, false, sys_switch},
  {"ip vpn-instance", 1, 1, VTUN_CFG_UNDO_SAME, false, sys_vrf},
  {"interface", 1, 2, VTUN_CFG_UNDO_SAME, false, sys_interface},
  {"ike proposal", 1, 1, VTUN_CFG_UNDO_SAME, false, sys_ike_proposal},
  {"ike peer", 1, 1, VTUN_CFG_UNDO_SAME, false, sys_ike_peer},
  {"ipsec proposal", 1, 1, VTUN_CFG_UNDO_SAME, false, sys_ipsec_proposal},
  {"ipsec profile", 1, 1, VTUN_CFG_UNDO_SAME, false, sys_profile},
  {"ip pool", 1, 1, VTUN_CFG_UNDO_SAME, false, sys_pool},
  {NULL, 0, 0, 0, false, NULL},
};

/* A vpn-instance view has nothing to set yet: its name is all the core
 * keeps. */
const struct vtun__cfg_cmd vtun__cfg_vrf_cmds[] = {
  {NULL, 0, 0, 0, false, NULL},
};
/* clang-format on */
