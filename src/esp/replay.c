#include "esp/replay.h"

#include <stdlib.h>

#include "util/mem.h"
#include "vtun/vtun.h"

bool vtun__replay_window_valid(uint32_t window) {
  if (window == 0)
    return true;
  return window >= VTUN_REPLAY_MIN && window <= VTUN_REPLAY_MAX &&
         window % 32 == 0;
}

/* The ring needs one block more than the window covers: the window's
 * oldest and newest packets may sit in partly used blocks at both ends,
 * and every block of the window must have a slot of its own. */
static uint32_t replay_nblocks(uint32_t window) {
  uint32_t need = (window + VTUN__REPLAY_BITS - 1) / VTUN__REPLAY_BITS + 1;
  uint32_t n = 1;

  while (n < need)
    n <<= 1;
  return n;
}

size_t vtun__replay_bytes(uint32_t window) {
  return window != 0 ? replay_nblocks(window) * sizeof(uint64_t) : 0;
}

int vtun__replay_init_at(struct vtun__replay *r, uint32_t window,
                         uint64_t *blocks) {
  if (!vtun__replay_window_valid(window))
    return VTUN_EINVAL;
  r->top = 0;
  r->window = window;
  r->mask = window != 0 ? replay_nblocks(window) - 1 : 0;
  r->blocks = window != 0 ? blocks : NULL;
  return 0;
}

int vtun__replay_init(struct vtun__replay *r, uint32_t window) {
  uint64_t *blocks = NULL;

  if (!vtun__replay_window_valid(window))
    return VTUN_EINVAL;
  if (window != 0 &&
      (blocks = vtun__zalloc(vtun__replay_bytes(window))) == NULL)
    return VTUN_ENOMEM;
  return vtun__replay_init_at(r, window, blocks);
}

void vtun__replay_fini(struct vtun__replay *r) {
  free(r->blocks);
  r->blocks = NULL;
  r->window = 0;
}

uint64_t vtun__replay_infer(const struct vtun__replay *r, uint32_t seq_lo) {
  uint32_t tl = (uint32_t)r->top;
  uint32_t th = (uint32_t)(r->top >> 32);
  /* Without a window, half the number space behind the top counts as
   * old: the widest choice that still tells wrap from reorder. */
  uint64_t w = r->window != 0 ? r->window : (uint64_t)1 << 31;
  uint32_t bottom = tl - (uint32_t)(w - 1); /* Tl - W + 1, modulo 2^32 */

  /* RFC 4303 Appendix A2.2, case A: the window lies in one subspace. */
  if ((uint64_t)tl >= w - 1) {
    if (seq_lo >= bottom || th == UINT32_MAX)
      return ((uint64_t)th << 32) | seq_lo;
    return ((uint64_t)(th + 1) << 32) | seq_lo;
  }

  /* Case B: the window spans two subspaces; the numbers above the
   * bottom belong to the previous one. */
  if (seq_lo >= bottom && th > 0)
    return ((uint64_t)(th - 1) << 32) | seq_lo;
  return ((uint64_t)th << 32) | seq_lo;
}

/* Clears the blocks the window enters when its top moves to @p seq; at
 * most every block once, however far the jump. */
void vtun__replay_advance(struct vtun__replay *r, uint64_t seq) {
  uint64_t from = r->top / VTUN__REPLAY_BITS;
  uint64_t to = seq / VTUN__REPLAY_BITS;
  uint64_t n = to - from;

  if (n > (uint64_t)r->mask + 1)
    n = (uint64_t)r->mask + 1;
  for (uint64_t i = 1; i <= n; i++)
    r->blocks[(from + i) & r->mask] = 0;
  r->top = seq;
}
