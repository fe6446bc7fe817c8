/* The operator's view: `display ike sa` and `display ipsec sa`, in the
 * vendor's table layout, each SA with a detail line (SPIs, algorithms,
 * lifetime left, counters). */
#include <inttypes.h>
#include <stdio.h>

#include "ike/sa.h"
#include "util/alg.h"

static const char *status_flag(int s) {
  switch (s) {
  case IKE_S_ESTABLISHED:
    return "RD";
  case IKE_S_REKEYED:
    return "RD|ST";
  case IKE_S_DELETING:
    return "DEL";
  default:
    return "NEG";
  }
}

static uint64_t status_left(vtun_tstamp born, uint32_t life, vtun_tstamp now) {
  vtun_tstamp end = born + (vtun_tstamp)life * VTUN_SECONDS;

  return life == 0 || end <= now ? 0 : (end - now) / VTUN_SECONDS;
}

static const char *alg(int kind, int id) {
  const char *n = vtun_alg_name(kind, id);

  return n != NULL ? n : "none";
}

static const char *status_peer(const struct vtun__ikesa *sa, char *buf) {
  char a[VTUN_ADDRSTRLEN];

  snprintf(buf, 64, "%s:%u", vtun__ep_str(&sa->remote, a),
           (unsigned)sa->remote.port);
  return buf;
}

static void status_ike_one(const struct vtun__ikesa *sa, unsigned id,
                           vtun_tstamp now, struct vtun__sb *sb) {
  char peer[64];

  vtun__sb_printf(sb, "  %-8u %-24s %-6s %-8s %-6s %-11s %s\n", id,
                  status_peer(sa, peer), "-", status_flag(sa->state), "v2",
                  sa->peer_id[0] ? "ID" : "-",
                  sa->peer_id[0] ? sa->peer_id : "-");
  vtun__sb_printf(
      sb,
      "           %s spi %016" PRIx64 "/%016" PRIx64
      " %s/%s/%s/dh%d%s life left %" PRIu64 "s msgs rx %" PRIu64 " tx %" PRIu64
      " retx %" PRIu64 "\n",
      vtun__ike_sa_name(sa), sa->ispi, sa->rspi, alg(VTUN_ALG_ENCR, sa->k.encr),
      alg(VTUN_ALG_INTEG, sa->k.integ), alg(VTUN_ALG_PRF, sa->k.prf), sa->k.dh,
      sa->natt ? " nat-t" : "", status_left(sa->born, sa->lifetime_s, now),
      sa->rx_msgs, sa->tx_msgs, sa->retx);
}

void vtun__ike_display_ike_sa(vtun_ctx *ctx, struct vtun__sb *sb) {
  vtun_tstamp now = vtun__ike_now(ctx);
  unsigned n = 0;

  vtun__sb_printf(sb, "IKE SA information :\n"
                      "  Conn-ID  Peer                     VPN    Flag(s)  "
                      "Phase  RemoteType  RemoteID\n"
                      "  --------------------------------------------------"
                      "------------------------------\n");
  if (ctx->ike != NULL)
    vtun__list_each (sa, &vtun__ike_eng(ctx)->sas, struct vtun__ikesa)
      status_ike_one(sa, ++n, now, sb);
  vtun__sb_printf(sb, "  Number of IKE SA : %u\n", n);
}

static void status_child(const struct vtun__ikesa *sa, bool in, vtun_tstamp now,
                         struct vtun__sb *sb) {
  const struct vtun__child *c = &sa->child;
  char peer[64], prop[64];

  snprintf(prop, sizeof(prop), "%s%s%s", alg(VTUN_ALG_ENCR, c->encr),
           c->integ ? "/" : "", c->integ ? alg(VTUN_ALG_INTEG, c->integ) : "");
  vtun__sb_printf(sb,
                  "  %-10s %-24s %-10s 0x%08" PRIx32 "  %-12s %" PRIu64 "s\n",
                  sa->tunnel->name, status_peer(sa, peer),
                  in ? "inbound" : "outbound", in ? c->spi_in : c->spi_out,
                  prop, status_left(c->born, c->lifetime_s, now));
}

static void status_counters(const struct vtun__ikesa *sa, struct vtun__sb *sb) {
  vtun_tunnel_stats st = {0};

  vtun_tunnel_get_stats(sa->tunnel, &st, sizeof(st));
  vtun__sb_printf(
      sb,
      "             esn %s, packets in %" PRIu64 " out %" PRIu64
      ", bytes in %" PRIu64 " out %" PRIu64 ", drops replay %" PRIu64
      " integrity %" PRIu64 " no-sa %" PRIu64 "\n",
      sa->child.esn ? "on" : "off", st.rx_packets, st.tx_packets, st.rx_bytes,
      st.tx_bytes, st.drop_replay, st.drop_integrity, st.drop_no_sa);
}

void vtun__ike_display_ipsec_sa(vtun_ctx *ctx, struct vtun__sb *sb) {
  vtun_tstamp now = vtun__ike_now(ctx);
  unsigned n = 0;

  vtun__sb_printf(sb, "IPSec SA information :\n"
                      "  Interface  Peer                     Direction  SPI"
                      "         Proposal     Lifetime left\n"
                      "  --------------------------------------------------"
                      "---------------------------------\n");
  if (ctx->ike != NULL)
    vtun__list_each (sa, &vtun__ike_eng(ctx)->sas, struct vtun__ikesa) {
      if (sa->state != IKE_S_ESTABLISHED || sa->child.spi_in == 0)
        continue;
      status_child(sa, true, now, sb);
      status_child(sa, false, now, sb);
      status_counters(sa, sb);
      n += 2;
    }
  vtun__sb_printf(sb, "  Number of IPSec SA : %u\n", n);
}
