/* Deferred freeing for what data path threads read without a lock: SAs,
 * the SPI table and the tunnels' snapshots. A reader brackets its work
 * with vtun__rcu_enter() and vtun__rcu_exit(); the config thread unpublishes
 * an object (swaps the pointer that led to it), then retires it, and the
 * object is freed once every reader that might still hold it has left.
 *
 * Readers announce themselves in one of two counters chosen by the parity
 * of an epoch. Flipping the epoch sends new readers to the other counter,
 * so the old one can only drain: when it reads zero, nothing retired
 * before the flip is in use any more. Readers never wait; the config
 * thread waits only in vtun__rcu_synchronize(). */
#ifndef VTUN_ESP_RCU_H
#define VTUN_ESP_RCU_H

#include <stdatomic.h>

struct vtun__rcu_head {
  struct vtun__rcu_head *next;
  void (*free)(struct vtun__rcu_head *head);
};

struct vtun__rcu {
  _Atomic unsigned epoch;
  _Atomic unsigned long active[2];
  struct vtun__rcu_head *pending; /* retired since the last flip */
  struct vtun__rcu_head *waiting; /* retired before it */
  unsigned waiting_slot;          /* the counter they wait for */
};

/* Enters a read-side section; returns the slot to pass to exit. Any
 * thread; never blocks. */
static inline unsigned vtun__rcu_enter(struct vtun__rcu *r) {
  for (;;) {
    unsigned slot = atomic_load(&r->epoch) & 1u;

    atomic_fetch_add(&r->active[slot], 1);
    /* A flip between the two loads may have missed this reader: step
     * back and use the new slot. */
    if ((atomic_load(&r->epoch) & 1u) == slot)
      return slot;
    atomic_fetch_sub_explicit(&r->active[slot], 1, memory_order_release);
  }
}

/* Leaves the section entered with @p slot. */
static inline void vtun__rcu_exit(struct vtun__rcu *r, unsigned slot) {
  atomic_fetch_sub_explicit(&r->active[slot], 1, memory_order_release);
}

void vtun__rcu_init(struct vtun__rcu *r);

/* Queues @p head (already unreachable for new readers) to be freed with
 * @p fn, and frees whatever is safe now. Config thread. */
void vtun__rcu_retire(struct vtun__rcu *r, struct vtun__rcu_head *head,
                      void (*fn)(struct vtun__rcu_head *head));

/* Frees what no reader can hold any more, without waiting. Config
 * thread. */
void vtun__rcu_poll(struct vtun__rcu *r);

/* Waits until every reader that entered before the call has left, then
 * frees everything retired. Config thread; it busy-waits, so it must not
 * run from inside a read-side section (a data path hook). */
void vtun__rcu_synchronize(struct vtun__rcu *r);

/* Frees everything retired; no reader may be left. */
void vtun__rcu_fini(struct vtun__rcu *r);

#endif
