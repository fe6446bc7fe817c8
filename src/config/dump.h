/* Configuration text from the objects: `display current-configuration`.
 * The order is canonical (globals, virtual systems, vpn-instances,
 * interfaces, IKE proposals, pools, IKE peers, IPsec proposals, profiles,
 * tunnels; each kind in creation order) and only what differs from a
 * fresh object is written, so that loading a dump and dumping again gives
 * the same text. */
#ifndef VTUN_CONFIG_DUMP_H
#define VTUN_CONFIG_DUMP_H

#include <stdbool.h>

#include "config/defaults.h"
#include "config/out.h"

void vtun__cfg_dump(vtun_ctx *ctx, const struct vtun__cfg_defaults *d,
                    unsigned flags, struct vtun__cfg_out *o);

/* The dump with secrets into a new buffer, for trial loads; the caller
 * frees it with vtun__free_secret(*text, *len + 1). */
int vtun__cfg_dump_alloc(vtun_ctx *ctx, const struct vtun__cfg_defaults *d,
                         char **text, size_t *len);

/* Writes @p word as one word: plain, or quoted and escaped when needed
 * (@p force_quotes quotes it in any case). */
void vtun__cfg_put_word(struct vtun__cfg_out *o, const char *word, size_t len,
                        bool force_quotes);

#endif
