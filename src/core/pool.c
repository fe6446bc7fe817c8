/* Address pools served to branches through the IKEv2 configuration
 * payload. Leases are sticky per identity: a released lease is remembered
 * and handed back to the same identity, and given to another identity
 * only when no never-used address is left. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/objects.h"
#include "util/mem.h"

int vtun_pool_new(vtun_ctx *ctx, vtun_vsys *vsys, const char *name,
                  vtun_pool **out) {
  vtun_pool *p;
  int rv;

  vtun__ok(ctx);
  if (out == NULL)
    return VTUN_EINVAL;
  if ((rv = vtun__check_name(ctx, "ip pool", name)) != 0)
    return rv;
  if (vtun_pool_find(ctx, vsys, name) != NULL)
    return vtun__refuse(ctx, VTUN_EEXIST, "ip pool %s exists in %s", name,
                        vtun__vsys_name(vsys));
  if ((p = vtun__zalloc(sizeof(*p))) == NULL)
    return VTUN_ENOMEM;
  p->ctx = ctx;
  p->vsys = vsys;
  strcpy(p->name, name);
  vtun__list_append(&ctx->pools, &p->link);
  *out = p;
  return 0;
}

vtun_pool *vtun_pool_find(vtun_ctx *ctx, vtun_vsys *vsys, const char *name) {
  if (name == NULL)
    return NULL;
  vtun__list_each (p, &ctx->pools, vtun_pool) {
    if (p->vsys == vsys && strcmp(p->name, name) == 0)
      return p;
  }
  return NULL;
}

void vtun__pool_destroy(vtun_pool *pool) {
  free(pool->leases);
  free(pool);
}

int vtun_pool_delete(vtun_pool *pool) {
  if (pool == NULL)
    return VTUN_EINVAL;
  vtun__ok(pool->ctx);
  vtun__list_each (peer, &pool->ctx->ike_peers, vtun_ike_peer) {
    if (peer->pool == pool)
      return vtun__refuse(pool->ctx, VTUN_EBUSY,
                          "ip pool %s is used by ike peer %s", pool->name,
                          peer->name);
  }
  vtun__list_remove(&pool->link);
  vtun__pool_destroy(pool);
  return 0;
}

const char *vtun_pool_get_name(const vtun_pool *pool) {
  return pool->name;
}

vtun_vsys *vtun_pool_get_vsys(const vtun_pool *pool) {
  return pool->vsys;
}

static uint32_t pool_mask(unsigned prefix) {
  return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

static int pool_parse4(vtun_pool *pool, const char *text, uint32_t *out) {
  struct in_addr a;

  if (text == NULL || inet_pton(AF_INET, text, &a) != 1)
    return vtun__refuse(pool->ctx, VTUN_EINVAL,
                        "ip pool %s: '%s' is not an IPv4 address", pool->name,
                        text != NULL ? text : "(null)");
  *out = ntohl(a.s_addr);
  return 0;
}

static size_t pool_active(const vtun_pool *pool) {
  size_t n = 0;

  for (size_t i = 0; i < pool->nleases; i++)
    n += pool->leases[i].active;
  return n;
}

int vtun_pool_set_network(vtun_pool *pool, const char *addr,
                          unsigned prefixlen) {
  uint32_t a = 0;
  int rv;

  vtun__ok(pool->ctx);
  if ((rv = pool_parse4(pool, addr, &a)) != 0)
    return rv;
  if (prefixlen < 8 || prefixlen > 30)
    return vtun__refuse(pool->ctx, VTUN_EINVAL,
                        "ip pool %s: prefix length %u is outside 8-30",
                        pool->name, prefixlen);
  if (pool_active(pool) > 0)
    return vtun__refuse(pool->ctx, VTUN_EBUSY, "ip pool %s has leases out",
                        pool->name);
  pool->network = a & pool_mask(prefixlen);
  pool->prefix = prefixlen;
  pool->nranges = 0;
  pool->nleases = 0;
  return 0;
}

static void pool_fmt(uint32_t a, char buf[16]) {
  struct in_addr in = {.s_addr = htonl(a)};

  inet_ntop(AF_INET, &in, buf, 16);
}

vtun_ssize vtun_pool_get_network(const vtun_pool *pool, char *buf, size_t len,
                                 unsigned *prefixlen) {
  char tmp[16];

  if (pool->prefix == 0)
    return VTUN_ENOENT;
  if (prefixlen != NULL)
    *prefixlen = pool->prefix;
  pool_fmt(pool->network, tmp);
  return vtun__strcopyout(tmp, buf, len);
}

static bool pool_in_network(const vtun_pool *pool, uint32_t a) {
  return (a & pool_mask(pool->prefix)) == pool->network;
}

int vtun_pool_add_range(vtun_pool *pool, const char *first, const char *last) {
  uint32_t a = 0, b = 0;
  int rv;

  vtun__ok(pool->ctx);
  if (pool->prefix == 0)
    return vtun__refuse(pool->ctx, VTUN_ESTATE,
                        "ip pool %s: set its network first", pool->name);
  if ((rv = pool_parse4(pool, first, &a)) != 0 ||
      (rv = pool_parse4(pool, last, &b)) != 0)
    return rv;
  if (a > b || !pool_in_network(pool, a) || !pool_in_network(pool, b))
    return vtun__refuse(pool->ctx, VTUN_EINVAL,
                        "ip pool %s: %s-%s is reversed or outside the "
                        "network",
                        pool->name, first, last);
  for (unsigned i = 0; i < pool->nranges; i++)
    if (a <= pool->ranges[i].last && b >= pool->ranges[i].first)
      return vtun__refuse(pool->ctx, VTUN_EEXIST,
                          "ip pool %s: %s-%s overlaps a range", pool->name,
                          first, last);
  if (pool->nranges == VTUN_POOL_RANGES)
    return vtun__refuse(pool->ctx, VTUN_ENOSPC, "ip pool %s: at most %d ranges",
                        pool->name, VTUN_POOL_RANGES);
  pool->ranges[pool->nranges++] = (struct vtun__pool_range){a, b};
  return 0;
}

unsigned vtun_pool_get_range_count(const vtun_pool *pool) {
  return pool->nranges;
}

vtun_ssize vtun_pool_get_range(const vtun_pool *pool, unsigned index, char *buf,
                               size_t len) {
  char a[16], b[16], tmp[40];

  if (index >= pool->nranges)
    return VTUN_ENOENT;
  pool_fmt(pool->ranges[index].first, a);
  pool_fmt(pool->ranges[index].last, b);
  snprintf(tmp, sizeof(tmp), "%s-%s", a, b);
  return vtun__strcopyout(tmp, buf, len);
}

/* Whether @p a may be leased: inside a range (or the network when there
 * are none), never the network or broadcast address. */
static bool pool_usable(const vtun_pool *pool, uint32_t a) {
  uint32_t bcast = pool->network | ~pool_mask(pool->prefix);

  if (a == pool->network || a == bcast)
    return false;
  if (pool->nranges == 0)
    return pool_in_network(pool, a);
  for (unsigned i = 0; i < pool->nranges; i++)
    if (a >= pool->ranges[i].first && a <= pool->ranges[i].last)
      return true;
  return false;
}

static struct vtun__lease *pool_lease_of(vtun_pool *pool, const char *id) {
  for (size_t i = 0; i < pool->nleases; i++)
    if (strcmp(pool->leases[i].id, id) == 0)
      return &pool->leases[i];
  return NULL;
}

static bool pool_taken(const vtun_pool *pool, uint32_t a) {
  for (size_t i = 0; i < pool->nleases; i++)
    if (pool->leases[i].addr == a)
      return true;
  return false;
}

/* A never-leased address, scanning from the lowest. */
static bool pool_fresh(const vtun_pool *pool, uint32_t *out) {
  uint32_t first = pool->network + 1;
  uint32_t last = pool->network | ~pool_mask(pool->prefix);

  for (uint32_t a = first; a < last; a++)
    if (pool_usable(pool, a) && !pool_taken(pool, a)) {
      *out = a;
      return true;
    }
  return false;
}

static struct vtun__lease *pool_new_lease(vtun_pool *pool) {
  if (pool->nleases == pool->cap_leases) {
    size_t cap = pool->cap_leases ? pool->cap_leases * 2 : 16;
    struct vtun__lease *l = realloc(pool->leases, cap * sizeof(*l));

    if (l == NULL)
      return NULL;
    pool->leases = l;
    pool->cap_leases = cap;
  }
  return &pool->leases[pool->nleases++];
}

/* A remembered (inactive) lease of another identity, to take over. */
static struct vtun__lease *pool_reclaim(vtun_pool *pool) {
  for (size_t i = 0; i < pool->nleases; i++)
    if (!pool->leases[i].active)
      return &pool->leases[i];
  return NULL;
}

static int pool_exhausted(vtun_pool *pool) {
  pool->exhausted++;
  atomic_fetch_add_explicit(&pool->ctx->dp.cnt.pool_exhausted, 1,
                            memory_order_relaxed);
  return vtun__refuse(pool->ctx, VTUN_EPOOLEMPTY,
                      "ip pool %s is exhausted (%zu leases out)", pool->name,
                      pool_active(pool));
}

int vtun_pool_lease(vtun_pool *pool, const char *id, char *buf, size_t len) {
  struct vtun__lease *l;
  uint32_t a = 0;
  char tmp[16];

  vtun__ok(pool->ctx);
  if (id == NULL || id[0] == '\0' || strlen(id) >= VTUN_ID_MAX)
    return vtun__refuse(pool->ctx, VTUN_EINVAL,
                        "ip pool %s: a lease needs an identity", pool->name);
  if (pool->prefix == 0)
    return pool_exhausted(pool);
  if ((l = pool_lease_of(pool, id)) == NULL) {
    if (pool_fresh(pool, &a))
      l = pool_new_lease(pool);
    else if ((l = pool_reclaim(pool)) != NULL)
      a = l->addr;
    else
      return pool_exhausted(pool);
    if (l == NULL)
      return VTUN_ENOMEM;
    snprintf(l->id, sizeof(l->id), "%s", id);
    l->addr = a;
  }
  l->active = true;
  pool_fmt(l->addr, tmp);
  vtun__strcopyout(tmp, buf, len);
  return 0;
}

int vtun_pool_release(vtun_pool *pool, const char *id) {
  struct vtun__lease *l;

  vtun__ok(pool->ctx);
  if (id == NULL || (l = pool_lease_of(pool, id)) == NULL || !l->active)
    return vtun__refuse(pool->ctx, VTUN_ENOENT,
                        "ip pool %s: no lease for that identity", pool->name);
  l->active = false;
  return 0;
}

void vtun_pool_get_usage(const vtun_pool *pool, uint32_t *size,
                         uint32_t *leased, uint64_t *exhausted) {
  uint32_t n = 0;

  if (size != NULL) {
    uint32_t last = pool->network | ~pool_mask(pool->prefix);

    for (uint32_t a = pool->network; pool->prefix && a <= last; a++)
      n += pool_usable(pool, a);
    *size = n;
  }
  if (leased != NULL)
    *leased = (uint32_t)pool_active(pool);
  if (exhausted != NULL)
    *exhausted = pool->exhausted;
}

void vtun_pool_set_user_data(vtun_pool *pool, void *ud) {
  pool->user_data = ud;
}

void *vtun_pool_get_user_data(const vtun_pool *pool) {
  return pool->user_data;
}
