/* The IKEv2 engine as the rest of the library sees it: set up and tear
 * down per context, start and stop a tunnel's negotiation, take an IKE
 * datagram, and describe the SAs for the operator. The engine does no
 * I/O: it sends through the send_datagram hook and keeps its timers in
 * the context. Config thread only. */
#ifndef VTUN_IKE_IKE_H
#define VTUN_IKE_IKE_H

#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"
#include "vtun/vtun.h"

/* Creates and frees the engine state of @p ctx (ctx->ike). Fini deletes
 * every IKE SA without sending anything. */
int vtun__ike_ctx_init(vtun_ctx *ctx);
void vtun__ike_ctx_fini(vtun_ctx *ctx);

/* Starts negotiating @p t when it is an initiator (responders only wait).
 * Harmless when it is negotiating or up already. */
int vtun__ike_tunnel_start(vtun_tunnel *t);

/* Stops @p t: sends a Delete when an IKE SA is up (@p notify), removes
 * its SAs and timers. Harmless when nothing runs. */
void vtun__ike_tunnel_stop(vtun_tunnel *t, int notify);

/* Stops @p t (with a Delete) and frees its IKE state: the tunnel goes. */
void vtun__ike_tunnel_free(vtun_tunnel *t);

/* Starts every enabled ipsec tunnel that can work and is not on demand
 * (after a commit). */
void vtun__ike_start_all(vtun_ctx *ctx);

/* The data path removed @p t's SA pair at its hard lifetime: when the
 * tunnel's IKE SA is up, the peer is told (Delete) and a new pair is
 * made over it. */
void vtun__ike_child_expired(vtun_tunnel *t);
/* The data path found no SA for @p t: start an on-demand tunnel. */
void vtun__ike_on_traffic(vtun_tunnel *t);

/* One IKE datagram (UDP 500, or 4500 with the non-ESP marker removed by
 * the data path) from @p remote to @p local; declared for the data path
 * in core/datapath.h too. */
int vtun__ike_input(vtun_ctx *ctx, vtun_vpn_instance *vrf,
                    const vtun_endpoint *local, const vtun_endpoint *remote,
                    uint8_t *buf, size_t len);

/* `display ike sa` and `display ipsec sa`. */
void vtun__ike_display_ike_sa(vtun_ctx *ctx, struct vtun__sb *sb);
void vtun__ike_display_ipsec_sa(vtun_ctx *ctx, struct vtun__sb *sb);

/* Test knob: the largest IKE datagram before fragmenting (RFC 7383),
 * 0 restores the default. */
void vtun__ike_set_fragment_size(vtun_ctx *ctx, size_t size);

#endif
