/* Template tunnels: a headquarters tunnel that stands for every branch
 * no configured tunnel matches, and creates one tunnel per branch
 * identity once that branch has authenticated. */
#ifndef VTUN_CORE_TEMPLATE_H
#define VTUN_CORE_TEMPLATE_H

#include "core/ctx.h"

/* The template rules over every tunnel (commit): VTUN_ETEMPLATE naming
 * the tunnel and what is wrong. */
int vtun__template_check(vtun_ctx *ctx);

/* The instance of template @p tmpl for the branch with identity
 * @p id_type / @p id: the existing one, or a new one (then the host hears
 * VTUN_EVENT_TUNNEL_CREATED). VTUN_ENOMEM, or VTUN_ENOSPC when no name is
 * left. Config thread (the IKE engine's). */
int vtun__template_instance(vtun_tunnel *tmpl, int id_type, const char *id,
                            vtun_tunnel **out);

/* @p t changed state: an instance of a REMOVE-mode template that went
 * idle (its IKE SA is gone) is freed from a timer soon after. */
void vtun__template_state(vtun_tunnel *t);

/* Called when @p t is destroyed: an instance leaves its template; a
 * template lets its instances go (they are freed on their own). */
void vtun__template_detach(vtun_tunnel *t);

#endif
