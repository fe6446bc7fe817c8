#include "config/cmd_iface.h"

#include <string.h>

#include "config/args.h"

const struct vtun__cfg_enum vtun__cfg_tunnel_protocols[] = {
    {"ipsec", VTUN_TUNNEL_IPSEC},
    {"gre", VTUN_TUNNEL_GRE},
    {NULL, 0},
};

/* ------------------------------------------------------ interface view */

static int if_portswitch(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a) {
  return vtun_iface_set_layer(p->obj, a->undo ? VTUN_LAYER3 : VTUN_LAYER2);
}

/* `ip address A M` and `ipv6 address A/len` on an interface; the undo
 * form takes the address or not and clears the family. */
static int if_address(struct vtun__cfg_parser *p,
                      const struct vtun__cfg_args *a, int family) {
  char text[VTUN_ADDRSTRLEN];
  vtun_endpoint ep;
  unsigned prefix, used;
  int rv;

  if (a->n > 0 &&
      (rv = vtun__cfg_arg_prefix(p, a, 0, family, &ep, &prefix, &used)) != 0)
    return rv;
  if (a->n > 0 && used != a->n)
    return vtun__cfg_syntax(p, &a->v[used], "unexpected word '%s'",
                            a->v[used].text);
  if (a->undo)
    return vtun_iface_clear_address(p->obj, family);
  if (a->n == 0)
    return vtun__cfg_syntax(p, &p->line->w[p->line->n - 1],
                            "an address is needed");
  vtun__ep_str(&ep, text);
  return vtun_iface_set_address(p->obj, text, prefix);
}

static int if_ip_address(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a) {
  return if_address(p, a, VTUN_AF_INET);
}

static int if_ipv6_address(struct vtun__cfg_parser *p,
                           const struct vtun__cfg_args *a) {
  return if_address(p, a, VTUN_AF_INET6);
}

/* --------------------------------------------------------- tunnel view */

static int tun_protocol(struct vtun__cfg_parser *p,
                        const struct vtun__cfg_args *a) {
  int proto = p->def->tun_protocol;
  int rv;

  if (!a->undo && (rv = vtun__cfg_arg_enum(
                       p, &a->v[0], vtun__cfg_tunnel_protocols, &proto)) != 0)
    return rv;
  return vtun_tunnel_set_protocol(p->obj, proto);
}

static int tun_address(struct vtun__cfg_parser *p,
                       const struct vtun__cfg_args *a, int family) {
  char text[VTUN_ADDRSTRLEN];
  vtun_endpoint ep;
  unsigned prefix, used;
  int rv;

  if (a->undo)
    return vtun_tunnel_clear_address(p->obj);
  if ((rv = vtun__cfg_arg_prefix(p, a, 0, family, &ep, &prefix, &used)) != 0)
    return rv;
  if (used != a->n)
    return vtun__cfg_syntax(p, &a->v[used], "unexpected word '%s'",
                            a->v[used].text);
  vtun__ep_str(&ep, text);
  return vtun_tunnel_set_address(p->obj, text, prefix);
}

static int tun_ip_address(struct vtun__cfg_parser *p,
                          const struct vtun__cfg_args *a) {
  return tun_address(p, a, VTUN_AF_INET);
}

static int tun_ipv6_address(struct vtun__cfg_parser *p,
                            const struct vtun__cfg_args *a) {
  return tun_address(p, a, VTUN_AF_INET6);
}

static int tun_unnumbered(struct vtun__cfg_parser *p,
                          const struct vtun__cfg_args *a) {
  vtun_iface *i;

  if (a->undo)
    return vtun_tunnel_clear_address(p->obj);
  if ((i = vtun_iface_find(p->ctx, a->v[0].text)) == NULL)
    return vtun__cfg_refuse(p, &a->v[0], VTUN_ENOENT,
                            "interface %s does not exist", a->v[0].text);
  return vtun_tunnel_set_unnumbered(p->obj, i);
}

static int tun_negotiated(struct vtun__cfg_parser *p,
                          const struct vtun__cfg_args *a) {
  if (a->undo)
    return vtun_tunnel_clear_address(p->obj);
  return vtun_tunnel_set_address_negotiated(p->obj);
}

/* `source A` or `source IFACE`: an address if it reads as one. */
static int tun_source(struct vtun__cfg_parser *p,
                      const struct vtun__cfg_args *a) {
  const struct vtun__cfg_word *w = &a->v[0];
  vtun_endpoint ep;
  vtun_iface *i;

  if (a->undo)
    return vtun_tunnel_clear_source(p->obj);
  if (!w->quoted && vtun_endpoint_parse(&ep, w->text, 0) == 0)
    return vtun_tunnel_set_source_address(p->obj, w->text);
  if ((i = vtun_iface_find(p->ctx, w->text)) == NULL)
    return vtun__cfg_refuse(p, w, VTUN_ENOENT,
                            "'%s' is neither an address nor an interface",
                            w->text);
  return vtun_tunnel_set_source_iface(p->obj, i);
}

static int tun_destination(struct vtun__cfg_parser *p,
                           const struct vtun__cfg_args *a) {
  vtun_endpoint ep;
  int rv;

  if (a->undo)
    return vtun_tunnel_clear_destination(p->obj);
  if ((rv = vtun__cfg_arg_addr(p, &a->v[0], VTUN_AF_NONE, &ep)) != 0)
    return rv;
  return vtun_tunnel_set_destination(p->obj, a->v[0].text, NULL);
}

static int tun_destination_vrf(struct vtun__cfg_parser *p,
                               const struct vtun__cfg_args *a) {
  vtun_vpn_instance *vrf;
  vtun_endpoint ep;
  int rv;

  if (a->undo)
    return vtun_tunnel_clear_destination(p->obj);
  if ((vrf = vtun_vpn_instance_find(p->ctx, a->v[0].text)) == NULL)
    return vtun__cfg_refuse(p, &a->v[0], VTUN_ENOENT,
                            "vpn-instance %s does not exist", a->v[0].text);
  if ((rv = vtun__cfg_arg_addr(p, &a->v[1], VTUN_AF_NONE, &ep)) != 0)
    return rv;
  return vtun__cfg_blame(
      p, &a->v[0], vtun_tunnel_set_destination(p->obj, a->v[1].text, vrf));
}

/* The profile is looked up in the tunnel's virtual system: a tunnel
 * assigned to V1 takes V1's profiles (R8). */
static int tun_profile(struct vtun__cfg_parser *p,
                       const struct vtun__cfg_args *a) {
  vtun_tunnel *t = p->obj;
  vtun_vsys *vsys = vtun_tunnel_get_vsys(t);
  vtun_ipsec_profile *prof;

  if (a->undo)
    return vtun_tunnel_get_profile(t) != NULL ? vtun_tunnel_set_profile(t, NULL)
                                              : 0;
  prof = vtun_ipsec_profile_find(p->ctx, vsys, a->v[0].text);
  if (prof == NULL)
    return vtun__cfg_refuse(p, &a->v[0], VTUN_ENOENT,
                            "ipsec profile %s does not exist in %s",
                            a->v[0].text, vtun_vsys_get_name(vsys));
  if (vtun_tunnel_get_profile(t) == prof)
    return 0; /* loading the same line twice changes nothing */
  return vtun__cfg_blame(p, &a->v[0], vtun_tunnel_set_profile(t, prof));
}

static int tun_vsys(struct vtun__cfg_parser *p,
                    const struct vtun__cfg_args *a) {
  vtun_vsys *v = NULL;

  if (!a->undo && strcmp(a->v[0].text, "root") != 0 &&
      (v = vtun_vsys_find(p->ctx, a->v[0].text)) == NULL)
    return vtun__cfg_refuse(p, &a->v[0], VTUN_ENOENT,
                            "virtual system %s does not exist", a->v[0].text);
  if (vtun_tunnel_get_vsys(p->obj) == v)
    return 0;
  return vtun_tunnel_set_vsys(p->obj, v);
}

static int tun_gre_key(struct vtun__cfg_parser *p,
                       const struct vtun__cfg_args *a) {
  uint32_t key = 0;
  int rv;

  if (!a->undo && (rv = vtun__cfg_arg_u32(p, &a->v[0], &key)) != 0)
    return rv;
  return vtun_tunnel_set_gre_key(p->obj, !a->undo, key);
}

static int tun_gre_sequence(struct vtun__cfg_parser *p,
                            const struct vtun__cfg_args *a) {
  return vtun_tunnel_set_gre_sequence(p->obj, !a->undo);
}

/* The vendor's retry count for `keepalive period N` without
 * `retry-times`: a fresh tunnel has keepalives off and no count to copy. */
#define TUN_KEEPALIVE_RETRIES 3

/* `keepalive period N [retry-times M]`; without M the current count is
 * kept when there is one. */
static int tun_keepalive(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a) {
  uint32_t period = p->def->tun_ka_period, retries = p->def->tun_ka_retries;
  int rv;

  if (a->undo)
    return vtun_tunnel_set_keepalive(p->obj, period, retries);
  vtun_tunnel_get_keepalive(p->obj, NULL, &retries);
  if (retries == 0)
    retries = TUN_KEEPALIVE_RETRIES;
  if ((rv = vtun__cfg_arg_u32(p, &a->v[0], &period)) != 0)
    return rv;
  if (a->n == 2)
    return vtun__cfg_syntax(p, &a->v[1], "'%s' needs a number after it",
                            a->v[1].text);
  if (a->n == 3 &&
      ((rv = vtun__cfg_arg_keyword(p, &a->v[1], "retry-times")) != 0 ||
       (rv = vtun__cfg_arg_u32(p, &a->v[2], &retries)) != 0))
    return rv;
  return vtun_tunnel_set_keepalive(p->obj, period, retries);
}

/* A bare `keepalive` only has an undo form: the period must be given. */
static int tun_keepalive_bare(struct vtun__cfg_parser *p,
                              const struct vtun__cfg_args *a) {
  if (!a->undo)
    return vtun__cfg_syntax(p, &p->line->w[p->line->n - 1],
                            "'keepalive' needs 'period N'");
  return vtun_tunnel_set_keepalive(p->obj, p->def->tun_ka_period,
                                   p->def->tun_ka_retries);
}

static int tun_mtu(struct vtun__cfg_parser *p, const struct vtun__cfg_args *a) {
  uint32_t mtu = p->def->tun_mtu;
  int rv;

  if (!a->undo && (rv = vtun__cfg_arg_u32(p, &a->v[0], &mtu)) != 0)
    return rv;
  return vtun__cfg_blame(p, a->n ? &a->v[0] : NULL,
                         vtun_tunnel_set_mtu(p->obj, mtu));
}

static int tun_shutdown(struct vtun__cfg_parser *p,
                        const struct vtun__cfg_args *a) {
  return vtun_tunnel_set_enabled(p->obj, a->undo);
}

static int tun_on_demand(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a) {
  return vtun_tunnel_set_on_demand(p->obj, !a->undo);
}

const struct vtun__cfg_enum vtun__cfg_template_modes[] = {
    {"keep", VTUN_TEMPLATE_KEEP},
    {"remove", VTUN_TEMPLATE_REMOVE},
    {NULL, 0},
};

/* `template keep|remove`: a tunnel per branch, kept or removed when the
 * branch goes; `undo template` makes it an ordinary tunnel again. */
static int tun_template(struct vtun__cfg_parser *p,
                        const struct vtun__cfg_args *a) {
  int mode = VTUN_TEMPLATE_NONE, rv;

  if (!a->undo && (rv = vtun__cfg_arg_enum(
                       p, &a->v[0], vtun__cfg_template_modes, &mode)) != 0)
    return rv;
  return vtun_tunnel_set_template(p->obj, mode);
}

/* clang-format off */
const struct vtun__cfg_cmd vtun__cfg_iface_cmds[] = {
  {"portswitch", 0, 0, VTUN_CFG_UNDO_ANY, false, if_portswitch},
  {"ip address", 1, 2, VTUN_CFG_UNDO_ANY, false, if_ip_address},
  {"ipv6 address", 1, 2, VTUN_CFG_UNDO_ANY, false, if_ipv6_address},
  {NULL, 0, 0, 0, false, NULL},
};

const struct vtun__cfg_cmd vtun__cfg_tunnel_cmds[] = {
  {"tunnel-protocol", 1, 1, VTUN_CFG_UNDO_ANY, false, tun_protocol},
  {"ip address", 1, 2, VTUN_CFG_UNDO_ANY, false, tun_ip_address},
  {"ip address unnumbered interface", 1, 1, VTUN_CFG_UNDO_ANY, false,
   tun_unnumbered},
  {"ip address ike-negotiated", 0, 0, VTUN_CFG_UNDO_ANY, false,
   tun_negotiated},
  {"ipv6 address", 1, 2, VTUN_CFG_UNDO_ANY, false, tun_ipv6_address},
  {"source", 1, 1, VTUN_CFG_UNDO_ANY, false, tun_source},
  {"destination", 1, 1, VTUN_CFG_UNDO_ANY, false, tun_destination},
  {"destination vpn-instance", 2, 2, VTUN_CFG_UNDO_ANY, false,
   tun_destination_vrf},
  {"ipsec profile", 1, 1, VTUN_CFG_UNDO_ANY, false, tun_profile},
  {"assign vsys", 1, 1, VTUN_CFG_UNDO_ANY, false, tun_vsys},
  {"gre key", 1, 1, VTUN_CFG_UNDO_ANY, false, tun_gre_key},
  {"gre sequence", 0, 0, VTUN_CFG_UNDO_ANY, false, tun_gre_sequence},
  {"keepalive", 0, 0, VTUN_CFG_UNDO_ANY, false, tun_keepalive_bare},
  {"keepalive period", 1, 3, VTUN_CFG_UNDO_ANY, false, tun_keepalive},
  {"mtu", 1, 1, VTUN_CFG_UNDO_ANY, false, tun_mtu},
  {"shutdown", 0, 0, VTUN_CFG_UNDO_ANY, false, tun_shutdown},
  {"negotiate on-demand", 0, 0, VTUN_CFG_UNDO_ANY, false, tun_on_demand},
  {"template", 1, 1, VTUN_CFG_UNDO_ANY, false, tun_template},
  {NULL, 0, 0, 0, false, NULL},
};
/* clang-format on */
