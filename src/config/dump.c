#include "config/dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cmd_ike.h"
#include "config/cmd_iface.h"
#include "config/cmd_ipsec.h"
#include "config/lex.h"
#include "core/ctx.h"
#include "util/alg.h"
#include "util/mem.h"

/* What the writer knows while it walks the objects. */
struct dump {
  vtun_ctx *ctx;
  const struct vtun__cfg_defaults *d;
  unsigned flags;
  struct vtun__cfg_out *o;
  vtun_vsys *vsys; /* the virtual system `switch vsys` last named */
};

void vtun__cfg_put_word(struct vtun__cfg_out *o, const char *word, size_t len,
                        bool force_quotes) {
  static const char hex[] = "0123456789abcdef";

  if (!force_quotes && !vtun__cfg_needs_quotes(word, len)) {
    vtun__cfg_out_bytes(o, word, len);
    return;
  }
  vtun__cfg_out_bytes(o, "\"", 1);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)word[i];
    char esc[4] = {'\\', (char)c, 0, 0};

    if (c == '"' || c == '\\')
      vtun__cfg_out_bytes(o, esc, 2);
    else if (c < 0x20 || c >= 0x7f) {
      esc[1] = 'x';
      esc[2] = hex[c >> 4];
      esc[3] = hex[c & 15];
      vtun__cfg_out_bytes(o, esc, 4);
    } else
      vtun__cfg_out_bytes(o, (const char *)&c, 1);
  }
  vtun__cfg_out_bytes(o, "\"", 1);
}

/* " keywords word\n": one command with one argument that may need
 * quoting; @p arg NULL writes the keywords alone. */
static void dump_cmd(struct dump *w, const char *keywords, const char *arg) {
  vtun__cfg_out_printf(w->o, " %s", keywords);
  if (arg != NULL) {
    vtun__cfg_out_bytes(w->o, " ", 1);
    vtun__cfg_put_word(w->o, arg, strlen(arg), false);
  }
  vtun__cfg_out_bytes(w->o, "\n", 1);
}

static void dump_u64(struct dump *w, const char *keywords, uint64_t v) {
  vtun__cfg_out_printf(w->o, " %s %llu\n", keywords, (unsigned long long)v);
}

/* A view line such as "ike peer hq", preceded by `switch vsys` when the
 * object belongs to another virtual system than the previous one. */
static void dump_view(struct dump *w, vtun_vsys *vsys, const char *keywords,
                      const char *name) {
  if (vsys != w->vsys) {
    vtun__cfg_out_printf(w->o, "switch vsys %s\n", vtun_vsys_get_name(vsys));
    w->vsys = vsys;
  }
  vtun__cfg_out_printf(w->o, "%s ", keywords);
  vtun__cfg_put_word(w->o, name, strlen(name), false);
  vtun__cfg_out_bytes(w->o, "\n", 1);
}

static void dump_end_view(struct dump *w) {
  vtun__cfg_out_bytes(w->o, "#\n", 2);
}

static bool dump_is_aead(int encr) {
  const struct vtun__encr_info *e = vtun__encr_info(encr);

  return e != NULL && e->aead;
}

/* Encryption, then integrity, written so that loading them onto a fresh
 * object gives @p encr and @p integ: choosing an AEAD clears integrity,
 * and a non-AEAD without integrity (refused at commit when in use, R11)
 * is reached only through an AEAD, so the dump takes that way. */
static void dump_encr_integ(struct dump *w, const char *encr_cmd,
                            const char *integ_cmd, int encr, int integ,
                            int def_encr, int def_integ) {
  bool through_aead = !dump_is_aead(encr) && integ == VTUN_INTEG_NONE &&
                      def_integ != VTUN_INTEG_NONE;
  bool emitted = encr != def_encr || through_aead;
  int expect = emitted && dump_is_aead(encr) ? VTUN_INTEG_NONE : def_integ;

  if (through_aead)
    dump_cmd(w, encr_cmd, vtun_alg_name(VTUN_ALG_ENCR, VTUN_ENCR_AES_GCM_256));
  if (emitted)
    dump_cmd(w, encr_cmd, vtun_alg_name(VTUN_ALG_ENCR, encr));
  if (integ != expect && !through_aead)
    dump_cmd(w, integ_cmd, vtun_alg_name(VTUN_ALG_INTEG, integ));
}

/* ------------------------------------------------------ global objects */

static void dump_globals(struct dump *w) {
  vtun__cfg_out_bytes(w->o, "#\n", 2);
  if (vtun_ctx_get_allow_legacy(w->ctx))
    vtun__cfg_out_printf(w->o, "ike legacy-algorithms enable\n#\n");
  vtun__list_each (v, &w->ctx->vsyses, vtun_vsys) {
    vtun__cfg_out_printf(w->o, "vsys name ");
    vtun__cfg_put_word(w->o, v->name, strlen(v->name), false);
    vtun__cfg_out_bytes(w->o, "\n#\n", 3);
  }
  vtun__list_each (v, &w->ctx->vrfs, vtun_vpn_instance) {
    dump_view(w, NULL, "ip vpn-instance", v->name);
    dump_end_view(w);
  }
}

/* "255.255.255.0" for 24. */
static void dump_mask(unsigned prefix, char buf[VTUN_ADDRSTRLEN]) {
  uint32_t m = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
  vtun_endpoint ep = {.family = VTUN_AF_INET};

  ep.addr[0] = (uint8_t)(m >> 24);
  ep.addr[1] = (uint8_t)(m >> 16);
  ep.addr[2] = (uint8_t)(m >> 8);
  ep.addr[3] = (uint8_t)m;
  vtun__ep_str(&ep, buf);
}

/* `ip address A M` for IPv4, `ipv6 address A/len` for IPv6. */
static void dump_address(struct dump *w, const vtun_endpoint *ep,
                         unsigned prefix) {
  char a[VTUN_ADDRSTRLEN], m[VTUN_ADDRSTRLEN];

  vtun__ep_str(ep, a);
  if (ep->family == VTUN_AF_INET) {
    dump_mask(prefix, m);
    vtun__cfg_out_printf(w->o, " ip address %s %s\n", a, m);
  } else {
    vtun__cfg_out_printf(w->o, " ipv6 address %s/%u\n", a, prefix);
  }
}

static void dump_ifaces(struct dump *w) {
  vtun__list_each (i, &w->ctx->ifaces, vtun_iface) {
    dump_view(w, NULL, "interface", i->name);
    if (i->layer == VTUN_LAYER2)
      dump_cmd(w, "portswitch", NULL);
    if (i->addr4.family != VTUN_AF_NONE)
      dump_address(w, &i->addr4, i->prefix4);
    if (i->addr6.family != VTUN_AF_NONE)
      dump_address(w, &i->addr6, i->prefix6);
    dump_end_view(w);
  }
}

/* ------------------------------------------------------------------ IKE */

static void dump_ike_proposal(struct dump *w, const vtun_ike_proposal *p) {
  const struct vtun__cfg_defaults *d = w->d;
  char num[16], dh[24];

  snprintf(num, sizeof(num), "%u", p->number);
  dump_view(w, p->vsys, "ike proposal", num);
  if (p->auth != d->ikp_auth)
    dump_cmd(w, "authentication-method",
             vtun__cfg_enum_name(vtun__cfg_auth_methods, p->auth));
  dump_encr_integ(w, "encryption-algorithm", "authentication-algorithm",
                  p->encr, p->integ, d->ikp_encr, d->ikp_integ);
  if (p->prf != d->ikp_prf)
    dump_cmd(w, "integrity-algorithm", vtun_alg_name(VTUN_ALG_PRF, p->prf));
  if (p->dh != d->ikp_dh) {
    snprintf(dh, sizeof(dh), "group%d", p->dh); /* the vendor's spelling */
    dump_cmd(w, "dh", dh);
  }
  if (p->lifetime != d->ikp_lifetime)
    dump_u64(w, "sa duration", p->lifetime);
  dump_end_view(w);
}

/* Versions as additions to, then removals from, the default set, so the
 * set is never empty on the way. */
static void dump_versions(struct dump *w, unsigned have) {
  static const unsigned bits[] = {VTUN_IKEV1, VTUN_IKEV2};
  unsigned def = w->d->peer_versions;

  for (unsigned i = 0; i < 2; i++)
    if ((have & bits[i]) && !(def & bits[i]))
      vtun__cfg_out_printf(w->o, " version %u\n", i + 1);
  for (unsigned i = 0; i < 2; i++)
    if (!(have & bits[i]) && (def & bits[i]))
      vtun__cfg_out_printf(w->o, " undo version %u\n", i + 1);
}

static void dump_psk(struct dump *w, const vtun_ike_peer *p) {
  const char *cmd =
      p->psk_derived ? "pre-shared-key derived" : "pre-shared-key";

  if (p->psk == NULL)
    return;
  if (!(w->flags & VTUN_DUMP_SECRETS)) {
    dump_cmd(w, cmd, "******");
    return;
  }

  /* A key that reads like the mask or like the keyword `derived` is
   * quoted so that it loads back as it was. */
  vtun__cfg_out_printf(w->o, " %s ", cmd);
  vtun__cfg_put_word(
      w->o, (const char *)p->psk, p->psk_len,
      (p->psk_len == 6 && memcmp(p->psk, "******", 6) == 0) ||
          (!p->psk_derived && p->psk_len == 7 &&
           strncasecmp((const char *)p->psk, "derived", 7) == 0));
  vtun__cfg_out_bytes(w->o, "\n", 1);
}

/* `local-id-type` when not the default, then `local-id` when set. */
static void dump_id(struct dump *w, const char *what, int type, int def,
                    const char *value) {
  char cmd[32];

  snprintf(cmd, sizeof(cmd), "%s-id-type", what);
  if (type != def)
    dump_cmd(w, cmd, vtun__cfg_enum_name(vtun__cfg_id_types, type));
  snprintf(cmd, sizeof(cmd), "%s-id", what);
  if (value[0] != '\0')
    dump_cmd(w, cmd, value);
}

static void dump_dpd(struct dump *w, const vtun_ike_peer *p) {
  const struct vtun__cfg_defaults *d = w->d;

  if (p->dpd_type != d->dpd_type)
    dump_cmd(w, "dpd type",
             vtun__cfg_enum_name(vtun__cfg_dpd_types, p->dpd_type));
  if (p->dpd_idle != d->dpd_idle)
    dump_u64(w, "dpd idle-time", p->dpd_idle);
  if (p->dpd_retransmit != d->dpd_retransmit)
    dump_u64(w, "dpd retransmit-interval", p->dpd_retransmit);
  if (p->dpd_retries != d->dpd_retries)
    dump_u64(w, "dpd retry-limit", p->dpd_retries);
}

static void dump_ike_peer(struct dump *w, const vtun_ike_peer *p) {
  const struct vtun__cfg_defaults *d = w->d;
  char text[VTUN_ADDRSTRLEN];

  dump_view(w, p->vsys, "ike peer", p->name);
  dump_versions(w, p->versions);
  if (p->exchange_mode != d->peer_mode)
    dump_cmd(w, "exchange-mode",
             vtun__cfg_enum_name(vtun__cfg_exchange_modes, p->exchange_mode));
  dump_psk(w, p);
  for (unsigned i = 0; i < p->nproposals; i++)
    dump_u64(w, "ike-proposal", p->proposals[i]->number);
  dump_id(w, "local", p->local_id_type, d->peer_local_id_type, p->local_id);
  dump_id(w, "remote", p->remote_id_type, d->peer_remote_id_type, p->remote_id);
  for (unsigned i = 0; i < p->nremotes; i++)
    dump_cmd(w, "remote-address", vtun__ep_str(&p->remotes[i], text));
  dump_dpd(w, p);
  if ((int)p->nat_traversal != d->nat_traversal)
    dump_cmd(w, p->nat_traversal ? "nat traversal" : "undo nat traversal",
             NULL);
  if (p->pool != NULL)
    dump_cmd(w, "ip-pool", p->pool->name);
  if ((int)p->ikev2_id_match != d->ikev2_id_match)
    dump_cmd(w,
             p->ikev2_id_match ? "ikev2 peer-id-match enable"
                               : "undo ikev2 peer-id-match enable",
             NULL);
  dump_end_view(w);
}

/* ---------------------------------------------------------------- IPsec */

static void dump_ipsec_proposal(struct dump *w, const vtun_ipsec_proposal *p) {
  const struct vtun__cfg_defaults *d = w->d;

  dump_view(w, p->vsys, "ipsec proposal", p->name);
  dump_encr_integ(w, "esp encryption-algorithm", "esp authentication-algorithm",
                  p->encr, p->integ, d->ipp_encr, d->ipp_integ);
  if (p->encap_mode != d->ipp_encap)
    dump_cmd(w, "encapsulation-mode",
             vtun__cfg_enum_name(vtun__cfg_encap_modes, p->encap_mode));
  dump_end_view(w);
}

static void dump_profile(struct dump *w, const vtun_ipsec_profile *p) {
  const struct vtun__cfg_defaults *d = w->d;

  dump_view(w, p->vsys, "ipsec profile", p->name);
  if (p->peer_name[0] != '\0')
    dump_cmd(w, "ike-peer", p->peer_name);
  if (p->proposal_name[0] != '\0')
    dump_cmd(w, "proposal", p->proposal_name);
  if (p->pfs != d->pfs)
    dump_cmd(w, "pfs", vtun_alg_name(VTUN_ALG_DH, p->pfs));
  if (p->lifetime_s != d->life_s)
    dump_u64(w, "sa duration time-based", p->lifetime_s);
  if (p->lifetime_kb != d->life_kb)
    dump_u64(w, "sa duration traffic-based", p->lifetime_kb);
  if (p->replay_window != d->replay_window)
    dump_u64(w, "anti-replay window", p->replay_window);
  if ((int)p->esn != d->esn)
    dump_cmd(w, p->esn ? "esn enable" : "undo esn enable", NULL);
  dump_end_view(w);
}

static void dump_pool(struct dump *w, const vtun_pool *p) {
  char net[VTUN_ADDRSTRLEN], mask[VTUN_ADDRSTRLEN], range[2 * VTUN_ADDRSTRLEN];
  unsigned prefix;

  dump_view(w, p->vsys, "ip pool", p->name);
  if (vtun_pool_get_network(p, net, sizeof(net), &prefix) > 0) {
    dump_mask(prefix, mask);
    vtun__cfg_out_printf(w->o, " network %s mask %s\n", net, mask);
  }
  for (unsigned i = 0; i < p->nranges; i++) {
    char *dash;

    vtun_pool_get_range(p, i, range, sizeof(range));
    if ((dash = strchr(range, '-')) != NULL)
      *dash = ' ';
    vtun__cfg_out_printf(w->o, " section %u %s\n", i, range);
  }
  dump_end_view(w);
}

/* -------------------------------------------------------------- tunnels */

static void dump_tunnel_address(struct dump *w, const vtun_tunnel *t) {
  switch (t->addr_mode) {
  case VTUN_ADDR_STATIC:
    dump_address(w, &t->addr, t->addr_prefix);
    break;
  case VTUN_ADDR_UNNUMBERED:
    dump_cmd(w, "ip address unnumbered interface", t->unnumbered->name);
    break;
  case VTUN_ADDR_NEGOTIATED:
    dump_cmd(w, "ip address ike-negotiated", NULL);
    break;
  }
}

static void dump_tunnel_ends(struct dump *w, const vtun_tunnel *t) {
  char a[VTUN_ADDRSTRLEN];

  if (t->source_iface != NULL)
    dump_cmd(w, "source", t->source_iface->name);
  else if (t->source_addr.family != VTUN_AF_NONE)
    dump_cmd(w, "source", vtun__ep_str(&t->source_addr, a));
  if (t->destination.family == VTUN_AF_NONE)
    return;
  vtun__ep_str(&t->destination, a);
  if (t->vrf == NULL) {
    dump_cmd(w, "destination", a);
    return;
  }
  vtun__cfg_out_printf(w->o, " destination vpn-instance ");
  vtun__cfg_put_word(w->o, t->vrf->name, strlen(t->vrf->name), false);
  vtun__cfg_out_printf(w->o, " %s\n", a);
}

static void dump_tunnel_gre(struct dump *w, const vtun_tunnel *t) {
  const struct vtun__cfg_defaults *d = w->d;

  if (t->gre_key_present)
    dump_u64(w, "gre key", t->gre_key);
  if ((int)t->gre_seq != d->tun_gre_seq)
    dump_cmd(w, t->gre_seq ? "gre sequence" : "undo gre sequence", NULL);
  if (t->keepalive_period != d->tun_ka_period ||
      t->keepalive_retries != d->tun_ka_retries)
    vtun__cfg_out_printf(w->o, " keepalive period %u retry-times %u\n",
                         t->keepalive_period, t->keepalive_retries);
}

static void dump_tunnel(struct dump *w, const vtun_tunnel *t) {
  const struct vtun__cfg_defaults *d = w->d;

  dump_view(w, NULL, "interface", t->name);
  if (t->protocol != d->tun_protocol)
    dump_cmd(w, "tunnel-protocol",
             vtun__cfg_enum_name(vtun__cfg_tunnel_protocols, t->protocol));
  if (t->vsys != NULL)
    dump_cmd(w, "assign vsys", t->vsys->name);
  dump_tunnel_address(w, t);
  dump_tunnel_ends(w, t);
  if (t->profile != NULL)
    dump_cmd(w, "ipsec profile", t->profile->name);
  if (t->tmpl_mode != VTUN_TEMPLATE_NONE)
    dump_cmd(w, "template",
             vtun__cfg_enum_name(vtun__cfg_template_modes, t->tmpl_mode));
  dump_tunnel_gre(w, t);
  if (t->mtu != d->tun_mtu)
    dump_u64(w, "mtu", t->mtu);
  if ((int)t->on_demand != d->tun_on_demand)
    dump_cmd(w,
             t->on_demand ? "negotiate on-demand" : "undo negotiate on-demand",
             NULL);
  if ((int)t->enabled != d->tun_enabled)
    dump_cmd(w, t->enabled ? "undo shutdown" : "shutdown", NULL);
  dump_end_view(w);
}

/* ------------------------------------------------------------- entries */

void vtun__cfg_dump(vtun_ctx *ctx, const struct vtun__cfg_defaults *d,
                    unsigned flags, struct vtun__cfg_out *o) {
  struct dump w = {.ctx = ctx, .d = d, .flags = flags, .o = o};

  dump_globals(&w);
  dump_ifaces(&w);
  vtun__list_each (p, &ctx->ike_proposals, vtun_ike_proposal)
    dump_ike_proposal(&w, p);
  vtun__list_each (p, &ctx->pools, vtun_pool)
    dump_pool(&w, p);
  vtun__list_each (p, &ctx->ike_peers, vtun_ike_peer)
    dump_ike_peer(&w, p);
  vtun__list_each (p, &ctx->ipsec_proposals, vtun_ipsec_proposal)
    dump_ipsec_proposal(&w, p);
  vtun__list_each (p, &ctx->profiles, vtun_ipsec_profile)
    dump_profile(&w, p);

  /* Interfaces belong to the root system: go back before the tunnels. */
  if (w.vsys != NULL && !vtun__list_empty(&ctx->tunnels)) {
    vtun__cfg_out_printf(o, "switch vsys root\n");
    w.vsys = NULL;
  }
  /* Template instances are state, not configuration. */
  vtun__list_each (t, &ctx->tunnels, vtun_tunnel) {
    if (t->tmpl == NULL)
      dump_tunnel(&w, t);
  }
  vtun__cfg_out_printf(o, "return\n");
}

int vtun__cfg_dump_alloc(vtun_ctx *ctx, const struct vtun__cfg_defaults *d,
                         char **text, size_t *len) {
  struct vtun__cfg_out o;
  size_t need;
  char *buf;

  vtun__cfg_out_init(&o, NULL, 0);
  vtun__cfg_dump(ctx, d, VTUN_DUMP_SECRETS, &o);
  if (o.err != 0)
    return o.err;
  need = o.pos + 1;
  if ((buf = malloc(need)) == NULL)
    return VTUN_ENOMEM;
  vtun__cfg_out_init(&o, buf, need);
  vtun__cfg_dump(ctx, d, VTUN_DUMP_SECRETS, &o);
  *text = buf;
  *len = o.pos;
  return 0;
}

vtun_ssize vtun_config_dump(vtun_ctx *ctx, unsigned flags, char *buf,
                            size_t len) {
  struct vtun__cfg_defaults d;
  struct vtun__cfg_out o;
  int rv;

  if (ctx == NULL || (buf == NULL && len > 0))
    return VTUN_EINVAL;
  vtun__ok(ctx);
  if ((rv = vtun__cfg_defaults_for(ctx, &d)) != 0)
    return rv;
  vtun__cfg_out_init(&o, buf, len);
  vtun__cfg_dump(ctx, &d, flags, &o);
  return vtun__cfg_out_result(&o);
}
