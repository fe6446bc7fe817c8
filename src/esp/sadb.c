#include "esp/sadb.h"

#include <stdlib.h>

#include "core/ctx.h"
#include "util/addr.h"
#include "util/bytes.h"
#include "util/mem.h"

#define SADB_MIN 16u

/* An SA and its cipher context: the lookup starts loading the context
 * together with the SA instead of after it, which saves a packet whose
 * SA is out of the caches one wait. The context pointer is only used to
 * prefetch (which never faults), so it may lag behind. */
struct sadb_slot {
  struct vtun__esp_sa *_Atomic sa;
  void *_Atomic crypt;
};

struct sadb_tab {
  struct vtun__rcu_head rcu;
  uint32_t mask;
  struct sadb_slot slot[];
};

struct gre_tab {
  struct vtun__rcu_head rcu;
  uint32_t mask;
  struct vtun__dp_conf *slot[];
};

struct vtun__sadb {
  struct sadb_tab *_Atomic tab;
  struct gre_tab *_Atomic gre;
  uint64_t seed;
  size_t used, removed;
};

/* A removed slot: lookups probe past it, insertions may reuse it. */
static char sadb_removed_mark;
#define REMOVED ((struct vtun__esp_sa *)(void *)&sadb_removed_mark)

/* Multiplicative mixing: our SPIs are random, but probing SPIs come from
 * anyone; the seed keeps their slots unknown to them. */
static uint32_t sadb_hash(uint64_t seed, uint64_t key) {
  uint64_t x = (key ^ seed) * 0x9e3779b97f4a7c15ull;

  return (uint32_t)((x ^ (x >> 29)) >> 32);
}

static struct sadb_tab *sadb_tab_new(uint32_t size) {
  struct sadb_tab *t = vtun__zalloc(sizeof(*t) + size * sizeof(t->slot[0]));

  if (t != NULL)
    t->mask = size - 1;
  return t;
}

static void sadb_tab_free(struct vtun__rcu_head *h) {
  free(vtun__container_of(h, struct sadb_tab, rcu));
}

static void gre_tab_free(struct vtun__rcu_head *h) {
  free(vtun__container_of(h, struct gre_tab, rcu));
}

int vtun__sadb_new(uint64_t seed, struct vtun__sadb **out) {
  struct vtun__sadb *db = vtun__zalloc(sizeof(*db));
  struct sadb_tab *t = sadb_tab_new(SADB_MIN);

  if (db == NULL || t == NULL) {
    free(db);
    free(t);
    return VTUN_ENOMEM;
  }
  db->seed = seed;
  atomic_init(&db->tab, t);
  atomic_init(&db->gre, NULL);
  *out = db;
  return 0;
}

void vtun__sadb_free(struct vtun__sadb *db) {
  if (db == NULL)
    return;
  free(atomic_load(&db->tab));
  free(atomic_load(&db->gre));
  free(db);
}

struct vtun__esp_sa *vtun__sadb_lookup(const struct vtun__sadb *db,
                                       uint32_t spi) {
  const struct sadb_tab *t =
      atomic_load_explicit(&db->tab, memory_order_acquire);
  uint32_t i = sadb_hash(db->seed, spi) & t->mask;

  /* The table always keeps free slots, so the probe ends. */
  for (;; i = (i + 1) & t->mask) {
    struct vtun__esp_sa *sa =
        atomic_load_explicit(&t->slot[i].sa, memory_order_acquire);

    if (sa == NULL)
      return NULL;
    if (sa == REMOVED)
      continue;
    vtun__esp_prefetch_crypt(
        atomic_load_explicit(&t->slot[i].crypt, memory_order_relaxed));
    if (sa->spi == spi)
      return sa;
  }
}

/* Puts @p sa in the first free or removed slot of its probe sequence. */
static bool sadb_place(struct sadb_tab *t, uint64_t seed,
                       struct vtun__esp_sa *sa) {
  uint32_t i = sadb_hash(seed, sa->spi) & t->mask;

  for (;; i = (i + 1) & t->mask) {
    struct vtun__esp_sa *cur =
        atomic_load_explicit(&t->slot[i].sa, memory_order_relaxed);

    if (cur == NULL || cur == REMOVED) {
      atomic_store_explicit(&t->slot[i].crypt, sa->xf.crypt,
                            memory_order_relaxed);
      atomic_store_explicit(&t->slot[i].sa, sa, memory_order_release);
      return cur == REMOVED;
    }
  }
}

/* Publishes a table sized for twice the live entries plus one, without
 * removed slots; the old one is freed when no reader holds it. */
static int sadb_rebuild(struct vtun__sadb *db, struct vtun__rcu *rcu) {
  struct sadb_tab *old = atomic_load(&db->tab);
  uint32_t size = SADB_MIN;
  struct sadb_tab *t;

  while (size < (db->used + 1) * 4)
    size <<= 1;
  t = sadb_tab_new(size);
  if (t == NULL)
    return VTUN_ENOMEM;
  for (uint32_t i = 0; i <= old->mask; i++) {
    struct vtun__esp_sa *sa = atomic_load(&old->slot[i].sa);

    if (sa != NULL && sa != REMOVED)
      sadb_place(t, db->seed, sa);
  }

  atomic_store_explicit(&db->tab, t, memory_order_release);
  db->removed = 0;
  vtun__rcu_retire(rcu, &old->rcu, sadb_tab_free);
  return 0;
}

int vtun__sadb_insert(struct vtun__sadb *db, struct vtun__rcu *rcu,
                      struct vtun__esp_sa *sa) {
  struct sadb_tab *t;
  int rc;

  if (vtun__sadb_lookup(db, sa->spi) != NULL)
    return VTUN_EEXIST;
  t = atomic_load(&db->tab);
  if ((db->used + db->removed + 1) * 2 > (size_t)t->mask + 1) {
    rc = sadb_rebuild(db, rcu);
    if (rc != 0)
      return rc;
    t = atomic_load(&db->tab);
  }

  if (sadb_place(t, db->seed, sa))
    db->removed--;
  db->used++;
  return 0;
}

void vtun__sadb_remove(struct vtun__sadb *db, struct vtun__esp_sa *sa) {
  struct sadb_tab *t = atomic_load(&db->tab);
  uint32_t i = sadb_hash(db->seed, sa->spi) & t->mask;

  for (;; i = (i + 1) & t->mask) {
    struct vtun__esp_sa *cur = atomic_load(&t->slot[i].sa);

    if (cur == NULL)
      return;
    if (cur == sa) {
      atomic_store_explicit(&t->slot[i].sa, REMOVED, memory_order_release);
      db->used--;
      db->removed++;
      return;
    }
  }
}

size_t vtun__sadb_count(const struct vtun__sadb *db) {
  return db->used;
}

/* GRE tunnels are found by the remote address and the key. */
static uint32_t gre_hash(uint64_t seed, const vtun_endpoint *remote,
                         bool has_key, uint32_t key) {
  uint64_t h = has_key ? (uint64_t)key << 1 | 1u : 0;

  for (size_t i = 0; i < vtun__ep_len(remote); i += 4)
    h = h * 0x100000001b3ull + vtun__be32(remote->addr + i);
  return sadb_hash(seed, h);
}

int vtun__sadb_gre_set(struct vtun__sadb *db, struct vtun__rcu *rcu,
                       struct vtun__dp_conf *const *confs, size_t n) {
  struct gre_tab *old = atomic_load(&db->gre);
  struct gre_tab *t = NULL;
  uint32_t size = 8;

  if (n == 0)
    goto publish; /* no table: cannot fail */
  while (size < n * 2 + 1)
    size <<= 1;
  t = vtun__zalloc(sizeof(*t) + size * sizeof(t->slot[0]));
  if (t == NULL)
    return VTUN_ENOMEM;
  t->mask = size - 1;
  for (size_t k = 0; k < n; k++) {
    const struct vtun__dp_conf *c = confs[k];
    uint32_t i =
        gre_hash(db->seed, &c->remote, c->gre_key_present, c->gre_key) &
        t->mask;

    while (t->slot[i] != NULL)
      i = (i + 1) & t->mask;
    t->slot[i] = confs[k];
  }

publish:
  atomic_store_explicit(&db->gre, t, memory_order_release);
  if (old != NULL)
    vtun__rcu_retire(rcu, &old->rcu, gre_tab_free);
  return 0;
}

static bool gre_match(const struct vtun__dp_conf *c,
                      const vtun_vpn_instance *vrf, const vtun_endpoint *local,
                      const vtun_endpoint *remote, bool has_key, uint32_t key) {
  if (c->vrf != vrf || c->gre_key_present != has_key)
    return false;
  if (has_key && c->gre_key != key)
    return false;
  return vtun__ep_addr_eq(&c->remote, remote) &&
         vtun__ep_addr_eq(&c->local, local);
}

const struct vtun__dp_conf *vtun__sadb_gre_lookup(const struct vtun__sadb *db,
                                                  const vtun_vpn_instance *vrf,
                                                  const vtun_endpoint *local,
                                                  const vtun_endpoint *remote,
                                                  bool has_key, uint32_t key) {
  const struct gre_tab *t =
      atomic_load_explicit(&db->gre, memory_order_acquire);
  uint32_t i;

  if (t == NULL)
    return NULL;
  i = gre_hash(db->seed, remote, has_key, key) & t->mask;
  for (; t->slot[i] != NULL; i = (i + 1) & t->mask)
    if (gre_match(t->slot[i], vrf, local, remote, has_key, key))
      return t->slot[i];
  return NULL;
}
