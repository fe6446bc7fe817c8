#include "core/match_index.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/objects.h"

/* FNV-1a, 64 bits: keys only narrow the search, so collisions cost a
 * check, never a wrong answer. */
static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

uint64_t vtun__mi_addr_key(const vtun_endpoint *ep) {
  uint64_t h = fnv(0xcbf29ce484222325ull, &ep->family, 1);

  return fnv(h, ep->addr, vtun__ep_len(ep));
}

uint64_t vtun__mi_id_key(int type, const char *id) {
  uint8_t t = (uint8_t)type;
  uint64_t h = fnv(0xcbf29ce484222325ull, &t, 1);

  /* FQDNs compare without case, so they hash without it. */
  for (; *id != '\0'; id++) {
    uint8_t c = (uint8_t)tolower((unsigned char)*id);

    h = fnv(h, &c, 1);
  }
  return h;
}

static int mi_cmp(const void *a, const void *b) {
  const struct vtun__mi_entry *x = a, *y = b;

  return x->key < y->key ? -1 : x->key > y->key;
}

const struct vtun__mi_entry *vtun__mi_find(const struct vtun__mi_map *map,
                                           uint64_t key,
                                           const struct vtun__mi_entry **end) {
  size_t lo = 0, hi = map->n;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;

    if (map->e[mid].key < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == map->n || map->e[lo].key != key)
    return NULL;
  for (hi = lo; hi < map->n && map->e[hi].key == key; hi++)
    ;
  *end = &map->e[hi];
  return &map->e[lo];
}

static void mi_map_free(struct vtun__mi_map *m) {
  free(m->e);
  m->e = NULL;
  m->n = 0;
}

void vtun__match_index_free(struct vtun__match_index *mi) {
  mi_map_free(&mi->dest);
  mi_map_free(&mi->remote);
  mi_map_free(&mi->id);
  for (int i = 0; i < 3; i++)
    mi_map_free(&mi->loose[i]);
  mi_map_free(&mi->tmpl);
  mi->valid = false;
}

void vtun__match_changed(vtun_ctx *ctx) {
  ctx->match_index.valid = false;
}

static void mi_add(struct vtun__mi_map *m, uint64_t key, vtun_tunnel *t) {
  m->e[m->n].key = key;
  m->e[m->n++].t = t;
}

/* Whether the peer's remote ID can pick the tunnel in @p exchange; the
 * same rule as match.c's id_usable. */
static bool mi_id_usable(const vtun_ike_peer *peer, int exchange) {
  if (peer->remote_id_type == VTUN_ID_NONE)
    return false;
  return exchange == VTUN_MATCH_IKEV1_AGGRESSIVE ||
         (exchange == VTUN_MATCH_IKEV2 && peer->ikev2_id_match);
}

static void mi_add_tunnel(struct vtun__match_index *mi, vtun_tunnel *t) {
  const vtun_ike_peer *peer = vtun__tunnel_peer(t);

  if (peer == NULL || t->tmpl != NULL)
    return;
  if (t->tmpl_mode != VTUN_TEMPLATE_NONE) {
    mi_add(&mi->tmpl, 0, t);
    return;
  }
  if (t->destination.family != VTUN_AF_NONE) {
    mi_add(&mi->dest, vtun__mi_addr_key(&t->destination), t);
    return;
  }
  for (unsigned i = 0; i < peer->nremotes; i++)
    mi_add(&mi->remote, vtun__mi_addr_key(&peer->remotes[i]), t);
  if (peer->nremotes > 0)
    return;
  if (peer->remote_id_type != VTUN_ID_NONE)
    mi_add(&mi->id, vtun__mi_id_key(peer->remote_id_type, peer->remote_id), t);
  for (int x = 0; x < 3; x++)
    if (!mi_id_usable(peer, x + 1))
      mi_add(&mi->loose[x], 0, t);
}

static int mi_alloc(struct vtun__mi_map *m, size_t n) {
  m->n = 0;
  m->e = malloc((n ? n : 1) * sizeof(*m->e));
  return m->e != NULL ? 0 : VTUN_ENOMEM;
}

static int mi_build(vtun_ctx *ctx, struct vtun__match_index *mi) {
  size_t n = 0;
  int rv = 0;

  vtun__list_each (t, &ctx->tunnels, vtun_tunnel) {
    n++;
  }
  rv |= mi_alloc(&mi->dest, n);
  rv |= mi_alloc(&mi->remote, n * VTUN_MAX_REMOTE_ADDRS);
  rv |= mi_alloc(&mi->id, n);
  for (int x = 0; x < 3; x++)
    rv |= mi_alloc(&mi->loose[x], n);
  rv |= mi_alloc(&mi->tmpl, n);
  if (rv != 0)
    return VTUN_ENOMEM;
  vtun__list_each (t, &ctx->tunnels, vtun_tunnel) {
    mi_add_tunnel(mi, t);
  }
  qsort(mi->dest.e, mi->dest.n, sizeof(*mi->dest.e), mi_cmp);
  qsort(mi->remote.e, mi->remote.n, sizeof(*mi->remote.e), mi_cmp);
  qsort(mi->id.e, mi->id.n, sizeof(*mi->id.e), mi_cmp);
  return 0;
}

const struct vtun__match_index *vtun__match_index(vtun_ctx *ctx) {
  struct vtun__match_index *mi = &ctx->match_index;

  if (mi->valid)
    return mi;
  vtun__match_index_free(mi);
  if (mi_build(ctx, mi) != 0) {
    vtun__match_index_free(mi);
    return NULL;
  }
  mi->valid = true;
  return mi;
}
