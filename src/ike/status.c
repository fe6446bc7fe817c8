/* The operator's view: `display ike sa` and `display ipsec sa`. */
#include <inttypes.h>

#include "ike/sa.h"
#include "util/alg.h"

static const char *status_state(int s) {
  switch (s) {
  case IKE_S_ESTABLISHED: return "RD";
  case IKE_S_REKEYED: return "RD|ST";
  case IKE_S_DELETING: return "DEL";
  default: return "NEG";
  }
}

static vtun_tstamp status_left(vtun_tstamp born, uint32_t life,
                               vtun_tstamp now) {
  vtun_tstamp end = born + (vtun_tstamp)life * VTUN_SECONDS;

  return life == 0 || end <= now ? 0 : (end - now) / VTUN_SECONDS;
}

static const char *alg(int kind, int id) {
  const char *n = vtun_alg_name(kind, id);

  return n != NULL ? n : "-";
}

void vtun__ike_display_ike_sa(vtun_ctx *ctx, struct vtun__sb *sb) {
  vtun_tstamp now = vtun__ike_now(ctx);
  char r[VTUN_ADDRSTRLEN];

  vtun__sb_printf(sb, "%-12s %-20s %-6s %-33s %s\n", "Tunnel", "Peer",
                  "Flag", "SPI (initiator/responder)", "Algorithms");
  if (ctx->ike == NULL)
    return;
  vtun__list_each(sa, &vtun__ike_eng(ctx)->sas, struct vtun__ikesa) {
    vtun__sb_printf(
        sb,
        "%-12s %-20s %-6s %016" PRIx64 "/%016" PRIx64
        " %s/%s/%s/dh%d%s life %" PRIu64 "s rx %" PRIu64 " tx %" PRIu64
        " retx %" PRIu64 "\n",
        vtun__ike_sa_name(sa), vtun__ep_str(&sa->remote, r),
        status_state(sa->state), sa->ispi, sa->rspi,
        alg(VTUN_ALG_ENCR, sa->k.encr), alg(VTUN_ALG_INTEG, sa->k.integ),
        alg(VTUN_ALG_PRF, sa->k.prf), sa->k.dh, sa->natt ? " nat-t" : "",
        status_left(sa->born, sa->lifetime_s, now), sa->rx_msgs, sa->tx_msgs,
        sa->retx);
  }
}

void vtun__ike_display_ipsec_sa(vtun_ctx *ctx, struct vtun__sb *sb) {
  vtun_tstamp now = vtun__ike_now(ctx);
  char l[VTUN_ADDRSTRLEN], r[VTUN_ADDRSTRLEN];

  if (ctx->ike == NULL)
    return;
  vtun__list_each(sa, &vtun__ike_eng(ctx)->sas, struct vtun__ikesa) {
    const struct vtun__child *c = &sa->child;
    vtun_tunnel_stats st = {0};

    if (sa->state != IKE_S_ESTABLISHED || c->spi_in == 0)
      continue;
    vtun_tunnel_get_stats(sa->tunnel, &st, sizeof(st));
    vtun__sb_printf(
        sb,
        "Interface: %s\n  local %s remote %s%s\n"
        "  inbound  spi 0x%08x  outbound spi 0x%08x\n"
        "  %s %s esn %s, lifetime left %" PRIu64 "s\n"
        "  packets in %" PRIu64 " out %" PRIu64 ", bytes in %" PRIu64
        " out %" PRIu64 ", drops replay %" PRIu64 " integrity %" PRIu64
        " no-sa %" PRIu64 "\n",
        sa->tunnel->name, vtun__ep_str(&sa->local, l),
        vtun__ep_str(&sa->remote, r), sa->natt ? " (udp 4500)" : "",
        c->spi_in, c->spi_out, alg(VTUN_ALG_ENCR, c->encr),
        alg(VTUN_ALG_INTEG, c->integ), c->esn ? "on" : "off",
        status_left(c->born, c->lifetime_s, now), st.rx_packets,
        st.tx_packets, st.rx_bytes, st.tx_bytes, st.drop_replay,
        st.drop_integrity, st.drop_no_sa);
  }
}
