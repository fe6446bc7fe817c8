#include "config/display.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/defaults.h"
#include "config/dump.h"
#include "config/out.h"
#include "core/ctx.h"
#include "ike/ike.h"

#define LABEL_WIDTH 24

static const char *const state_names[] = {
    [VTUN_STATE_ADMIN_DOWN] = "Administratively DOWN",
    [VTUN_STATE_DOWN] = "DOWN",
    [VTUN_STATE_IDLE] = "IDLE",
    [VTUN_STATE_NEGOTIATING] = "NEGOTIATING",
    [VTUN_STATE_UP] = "UP",
};

static const char *disp_state(int state) {
  if (state < 0 || state > VTUN_STATE_UP)
    return "UNKNOWN";
  return state_names[state];
}

/* "  Label                 : value\n" */
static void disp_row(struct vtun__cfg_out *o, const char *label,
                     const char *value) {
  size_t n = strlen(label);

  vtun__cfg_out_printf(o, "  %s", label);
  vtun__cfg_out_pad(o, n < LABEL_WIDTH ? LABEL_WIDTH - n : 1);
  vtun__cfg_out_printf(o, ": %s\n", value);
}

static void disp_address(struct vtun__cfg_out *o, const vtun_tunnel *t) {
  static const char *const how[] = {"", "static", "borrowed from ",
                                    "negotiated through IKEv2"};
  char a[VTUN_ADDRSTRLEN], line[160];
  unsigned prefix = 0;
  int mode = vtun_tunnel_get_address_mode(t);

  if (mode == VTUN_ADDR_NONE) {
    disp_row(o, "Internet address", "none");
    return;
  }
  if (vtun_tunnel_get_address(t, a, sizeof(a), &prefix) < 0)
    snprintf(a, sizeof(a), "none yet");
  else
    snprintf(a + strlen(a), sizeof(a) - strlen(a), "/%u", prefix);
  snprintf(line, sizeof(line), "%s (%s%s)", a, how[mode],
           mode == VTUN_ADDR_UNNUMBERED ? t->unnumbered->name : "");
  disp_row(o, "Internet address", line);
}

static void disp_source(struct vtun__cfg_out *o, const vtun_tunnel *t) {
  char a[VTUN_ADDRSTRLEN], line[160];
  vtun_endpoint local;

  if (!vtun__tunnel_local(t, &local))
    snprintf(a, sizeof(a), "no address");
  else
    vtun__ep_str(&local, a);
  if (t->source_iface != NULL)
    snprintf(line, sizeof(line), "%s (%s)", t->source_iface->name, a);
  else if (t->source_addr.family != VTUN_AF_NONE)
    snprintf(line, sizeof(line), "%s", a);
  else
    snprintf(line, sizeof(line), "not set");
  disp_row(o, "Source", line);
}

static void disp_destination(struct vtun__cfg_out *o, const vtun_tunnel *t) {
  char a[VTUN_ADDRSTRLEN], line[160];

  if (t->destination.family == VTUN_AF_NONE) {
    disp_row(o, "Destination", "not set");
    return;
  }
  vtun__ep_str(&t->destination, a);
  if (t->vrf != NULL)
    snprintf(line, sizeof(line), "%s (vpn-instance %s)", a, t->vrf->name);
  else
    snprintf(line, sizeof(line), "%s", a);
  disp_row(o, "Destination", line);
}

static void disp_tunnel(struct vtun__cfg_out *o, vtun_tunnel *t) {
  static const char *const protos[] = {"not set", "ipsec", "gre"};
  char line[64];
  int why = vtun_tunnel_check(t);

  vtun__cfg_out_printf(o, "%s current state : %s\n", t->name,
                       disp_state(vtun_tunnel_get_state(t)));
  if (why != 0)
    disp_row(o, "Down reason", vtun_ctx_last_error(t->ctx));
  disp_row(o, "Tunnel protocol",
           t->protocol >= 0 && t->protocol <= 2 ? protos[t->protocol] : "?");
  disp_address(o, t);
  disp_source(o, t);
  disp_destination(o, t);
  disp_row(o, "IPsec profile", t->profile ? t->profile->name : "none");
  disp_row(o, "Virtual system", vtun_vsys_get_name(t->vsys));
  snprintf(line, sizeof(line), "%u", t->mtu);
  disp_row(o, "MTU", line);
  disp_row(o, "Negotiation", t->on_demand ? "on first traffic" : "at once");
  if (t->tmpl_mode != VTUN_TEMPLATE_NONE)
    disp_row(o, "Template",
             t->tmpl_mode == VTUN_TEMPLATE_KEEP
                 ? "a tunnel per branch, kept when it goes"
                 : "a tunnel per branch, removed when it goes");
  if (t->tmpl != NULL) {
    disp_row(o, "Created by template",
             t->tmpl->tmpl != NULL ? t->tmpl->tmpl->name : "-");
    disp_row(o, "For branch", t->tmpl->id);
  }
  vtun__cfg_out_bytes(o, "\n", 1);
}

static void disp_interfaces(vtun_ctx *ctx, struct vtun__cfg_out *o) {
  vtun_tunnel *t = NULL;
  unsigned n = 0;

  while ((t = vtun_tunnel_next(ctx, t)) != NULL) {
    disp_tunnel(o, t);
    n++;
  }
  vtun__cfg_out_printf(o, "Number of tunnel interfaces : %u\n", n);
}

/* ------------------------------------------------------------ statistics */

struct disp_counter {
  const char *label;
  size_t offset;
};

#define TS(label, field)                                                       \
  { label, offsetof(vtun_tunnel_stats, field) }
static const struct disp_counter tunnel_counters[] = {
    TS("Output packets", tx_packets),
    TS("Output bytes", tx_bytes),
    TS("Input packets", rx_packets),
    TS("Input bytes", rx_bytes),
    TS("Dropped, no SA", drop_no_sa),
    TS("Dropped, replay", drop_replay),
    TS("Dropped, integrity", drop_integrity),
    TS("Dropped, malformed", drop_malformed),
    TS("Dropped, too big", drop_too_big),
    TS("Dropped, lifetime", drop_lifetime),
    TS("Dropped, policy", drop_policy),
    TS("Dropped, no room", drop_no_room),
    TS("Dropped, hook failed", drop_hook),
    TS("GRE keepalives", gre_keepalives_rx),
};
#undef TS

#define CS(label, field)                                                       \
  { label, offsetof(vtun_ctx_stats, field) }
static const struct disp_counter ctx_counters[] = {
    CS("Datagrams received", rx_datagrams),
    CS("Dropped, unknown SPI", drop_unknown_spi),
    CS("Dropped, malformed", drop_malformed),
    CS("Dropped, no tunnel", drop_no_tunnel),
    CS("IKE, no tunnel matched", ike_no_match),
    CS("IKE messages dropped", ike_dropped),
    CS("NAT keepalives", nat_keepalives_rx),
    CS("Pool exhausted", pool_exhausted),
};
#undef CS

static void disp_counters(struct vtun__cfg_out *o, const void *stats,
                          const struct disp_counter *c, size_t n) {
  char value[24];

  for (size_t i = 0; i < n; i++) {
    uint64_t v;

    memcpy(&v, (const char *)stats + c[i].offset, sizeof(v));
    snprintf(value, sizeof(value), "%llu", (unsigned long long)v);
    disp_row(o, c[i].label, value);
  }
}

static void disp_statistics(vtun_ctx *ctx, struct vtun__cfg_out *o) {
  vtun_tunnel_stats ts;
  vtun_ctx_stats cs;
  vtun_tunnel *t = NULL;

  while ((t = vtun_tunnel_next(ctx, t)) != NULL) {
    memset(&ts, 0, sizeof(ts));
    vtun_tunnel_get_stats(t, &ts, sizeof(ts));
    vtun__cfg_out_printf(o, "%s statistics\n", t->name);
    disp_counters(o, &ts, tunnel_counters,
                  sizeof(tunnel_counters) / sizeof(tunnel_counters[0]));
    vtun__cfg_out_bytes(o, "\n", 1);
  }
  memset(&cs, 0, sizeof(cs));
  vtun_ctx_get_stats(ctx, &cs, sizeof(cs));
  vtun__cfg_out_printf(o, "Context statistics\n");
  disp_counters(o, &cs, ctx_counters,
                sizeof(ctx_counters) / sizeof(ctx_counters[0]));
}

/* ------------------------------------------------------------- SA views */

/* The IKE engine writes these views (src/ike/status.c). */
static void disp_sb(vtun_ctx *ctx, struct vtun__cfg_out *o,
                    void (*fn)(vtun_ctx *, struct vtun__sb *)) {
  struct vtun__sb sb;
  char *text;

  vtun__sb_init(&sb, NULL, 0);
  fn(ctx, &sb);
  if ((text = malloc(sb.len + 1)) == NULL) {
    o->err = VTUN_ENOMEM;
    return;
  }
  vtun__sb_init(&sb, text, sb.len + 1);
  fn(ctx, &sb);
  vtun__cfg_out_bytes(o, text, sb.len);
  free(text);
}

static void disp_ike_sa(vtun_ctx *ctx, struct vtun__cfg_out *o) {
  disp_sb(ctx, o, vtun__ike_display_ike_sa);
}

static void disp_ipsec_sa(vtun_ctx *ctx, struct vtun__cfg_out *o) {
  disp_sb(ctx, o, vtun__ike_display_ipsec_sa);
}

static void disp_config(vtun_ctx *ctx, struct vtun__cfg_out *o) {
  struct vtun__cfg_defaults d;
  int rv;

  if ((rv = vtun__cfg_defaults_for(ctx, &d)) != 0) {
    o->err = rv;
    return;
  }
  vtun__cfg_dump(ctx, &d, 0, o);
}

struct disp_view {
  const char *what;
  void (*fn)(vtun_ctx *ctx, struct vtun__cfg_out *o);
};

static const struct disp_view disp_views[] = {
    {"interface tunnel", disp_interfaces},
    {"statistics", disp_statistics},
    {"ike sa", disp_ike_sa},
    {"ipsec sa", disp_ipsec_sa},
    {"current-configuration", disp_config},
};

vtun_ssize vtun_ctx_display(vtun_ctx *ctx, const char *what, char *buf,
                            size_t len) {
  struct vtun__cfg_out o;

  if (ctx == NULL || what == NULL || (buf == NULL && len > 0))
    return VTUN_EINVAL;
  vtun__ok(ctx);
  for (size_t i = 0; i < sizeof(disp_views) / sizeof(disp_views[0]); i++) {
    if (strcmp(what, disp_views[i].what) != 0)
      continue;
    vtun__cfg_out_init(&o, buf, len);
    disp_views[i].fn(ctx, &o);
    vtun__ok(ctx); /* tunnel checks leave reasons that are not refusals */
    return vtun__cfg_out_result(&o);
  }
  return vtun__refuse(ctx, VTUN_EINVAL, "unknown view '%s'", what);
}
