/* Pieces of the data path shared by core/datapath.c (send and input) and
 * esp/tunnel.c (SA installation, snapshots, timers). */
#ifndef VTUN_ESP_DP_H
#define VTUN_ESP_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "esp/sa.h"

/* Counts a drop of reason @p rc (a VTUN_E* code) on the tunnel and, when
 * given, the SA; returns @p rc. */
int vtun__dp_drop(vtun_tunnel *t, struct vtun__esp_sa *sa, int rc, bool rx);

/* Passes a datagram to send_datagram: VTUN_ECALLBACK when it fails, 0
 * (nothing sent) without the hook. */
int vtun__dp_emit(vtun_ctx *ctx, vtun_vpn_instance *vrf, int proto,
                  const vtun_endpoint *local, const vtun_endpoint *remote,
                  const uint8_t *data, size_t len);

/* ESP-encapsulates buf[off, off + len) with next header @p nh and sends
 * it (raw ESP, or in UDP for a UDP-encapsulated SA). */
int vtun__dp_send_sa(vtun_ctx *ctx, struct vtun__esp_sa *sa, int user,
                     uint8_t *buf, size_t off, size_t len, size_t cap,
                     uint8_t nh);

/* GRE-encapsulates buf[off, off + len) as protocol type @p proto and
 * sends it as plain GRE, or inside ESP when the tunnel has an outbound
 * SA; *used is the SA it went through, if any. */
int vtun__dp_send_gre(vtun_tunnel *t, const struct vtun__dp_conf *c, int user,
                      struct vtun__esp_sa **used, uint8_t *buf, size_t off,
                      size_t len, size_t cap, uint16_t proto);

/* Current time for the context: the now hook, else the last time the
 * host gave. */
vtun_tstamp vtun__dp_now(vtun_ctx *ctx);

#endif
