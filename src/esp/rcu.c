#include "esp/rcu.h"

#include <stddef.h>

static void rcu_free_list(struct vtun__rcu_head *h) {
  while (h != NULL) {
    struct vtun__rcu_head *next = h->next;

    h->free(h);
    h = next;
  }
}

static void rcu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static void rcu_wait_slot(struct vtun__rcu *r, unsigned slot) {
  while (atomic_load(&r->active[slot]) != 0)
    rcu_relax();
}

/* Sends new readers to the other counter; returns the one to drain. */
static unsigned rcu_flip(struct vtun__rcu *r) {
  return atomic_fetch_add(&r->epoch, 1) & 1u;
}

void vtun__rcu_init(struct vtun__rcu *r) {
  atomic_init(&r->epoch, 0);
  atomic_init(&r->active[0], 0);
  atomic_init(&r->active[1], 0);
  r->pending = r->waiting = NULL;
  r->waiting_slot = 0;
}

void vtun__rcu_retire(struct vtun__rcu *r, struct vtun__rcu_head *head,
                      void (*fn)(struct vtun__rcu_head *head)) {
  head->free = fn;
  head->next = r->pending;
  r->pending = head;
  vtun__rcu_poll(r);
}

void vtun__rcu_poll(struct vtun__rcu *r) {
  if (r->waiting != NULL && atomic_load(&r->active[r->waiting_slot]) == 0) {
    rcu_free_list(r->waiting);
    r->waiting = NULL;
  }

  /* One batch waits at a time: flipping again before the previous slot
   * drained would send new readers into it. */
  if (r->waiting != NULL || r->pending == NULL)
    return;
  r->waiting = r->pending;
  r->pending = NULL;
  r->waiting_slot = rcu_flip(r);
  if (atomic_load(&r->active[r->waiting_slot]) == 0) {
    rcu_free_list(r->waiting);
    r->waiting = NULL;
  }
}

void vtun__rcu_synchronize(struct vtun__rcu *r) {
  if (r->waiting != NULL) {
    rcu_wait_slot(r, r->waiting_slot);
    rcu_free_list(r->waiting);
    r->waiting = NULL;
  }

  rcu_wait_slot(r, rcu_flip(r));
  rcu_free_list(r->pending);
  r->pending = NULL;
}

void vtun__rcu_fini(struct vtun__rcu *r) {
  rcu_free_list(r->waiting);
  rcu_free_list(r->pending);
  r->waiting = r->pending = NULL;
}
