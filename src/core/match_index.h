/* An index over the tunnels for headquarters matching, so that a new
 * negotiation costs O(log n) instead of a walk over every tunnel. It is
 * rebuilt lazily, on the first match after a change to anything it keys
 * on (vtun__match_changed), and only narrows the search: every tunnel it
 * returns is checked again with the full rules of match.c. */
#ifndef VTUN_CORE_MATCH_INDEX_H
#define VTUN_CORE_MATCH_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "vtun/vtun.h"

struct vtun__mi_entry {
  uint64_t key;
  vtun_tunnel *t;
};

/* One sorted multi-map: entries with equal keys are adjacent. */
struct vtun__mi_map {
  struct vtun__mi_entry *e;
  size_t n;
};

struct vtun__match_index {
  bool valid;
  struct vtun__mi_map dest;   /* tunnel destination */
  struct vtun__mi_map remote; /* peer remote addresses (no destination) */
  struct vtun__mi_map id;     /* unconstrained, by peer remote ID */
  /* Unconstrained tunnels whose ID cannot pick them, per exchange
   * (enum vtun_match_exchange - 1): step 5's candidates. */
  struct vtun__mi_map loose[3];
  struct vtun__mi_map tmpl; /* template tunnels (key 0) */
};

/* Marks the index stale; the next match rebuilds it. */
void vtun__match_changed(vtun_ctx *ctx);

/* Frees the index. */
void vtun__match_index_free(struct vtun__match_index *mi);

/* The index, rebuilt when stale; NULL when memory ran out (callers then
 * fall back to walking every tunnel). */
const struct vtun__match_index *vtun__match_index(vtun_ctx *ctx);

/* Keys. */
uint64_t vtun__mi_addr_key(const vtun_endpoint *ep);
uint64_t vtun__mi_id_key(int type, const char *id);

/* The first entry with @p key in @p map and the end of the run through
 * *end; NULL when there is none. */
const struct vtun__mi_entry *vtun__mi_find(const struct vtun__mi_map *map,
                                           uint64_t key,
                                           const struct vtun__mi_entry **end);

#endif
