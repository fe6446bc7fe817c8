/* Placeholder until the data path lands: no SAs, no traffic. */
#include "core/ctx.h"

int vtun__dp_ctx_init(vtun_ctx *ctx) {
  (void)ctx;
  return 0;
}

void vtun__dp_ctx_fini(vtun_ctx *ctx) { (void)ctx; }

void vtun__dp_tunnel_init(vtun_tunnel *t) { (void)t; }

void vtun__dp_tunnel_fini(vtun_tunnel *t) { (void)t; }
