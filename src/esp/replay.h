/* Anti-replay window (RFC 4303 §3.4.3) kept as a ring of 64-bit blocks in
 * the manner of RFC 6479: moving the window forward clears only the blocks
 * it enters, so no packet shifts the whole bitmap. The check and the update
 * are separate calls so that the window moves only for a packet whose ICV
 * verified. A window is used by one thread at a time. */
#ifndef VTUN_ESP_REPLAY_H
#define VTUN_ESP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtun/vtun.h"

/* Window sizes accepted by vtun__replay_init(), in packets. */
#define VTUN_REPLAY_MIN 32u
#define VTUN_REPLAY_MAX 65536u

struct vtun__replay {
  uint64_t top;     /* highest sequence number accepted, 0 before any */
  uint32_t window;  /* packets; 0 turns the check off */
  uint32_t mask;    /* number of blocks - 1 (a power of two - 1) */
  uint64_t *blocks; /* one bit per sequence number, ring of blocks */
};

/* Whether @p window is 0 or a multiple of 32 from 32 to 65536. */
bool vtun__replay_window_valid(uint32_t window);

/* Sets up an empty window of @p window packets (0: no replay check).
 * Returns 0, VTUN_EINVAL for a size vtun__replay_window_valid() refuses,
 * or VTUN_ENOMEM. */
int vtun__replay_init(struct vtun__replay *r, uint32_t window);

/* Frees the bitmap; the struct may be initialised again. */
void vtun__replay_fini(struct vtun__replay *r);

/* The bytes of bitmap a window of @p window packets needs (0 for 0), for
 * callers that keep it themselves: see vtun__replay_init_at(). */
size_t vtun__replay_bytes(uint32_t window);

/* As vtun__replay_init(), with the bitmap in @p blocks, which holds
 * vtun__replay_bytes(window) zero bytes and outlives the window (no
 * vtun__replay_fini() then). VTUN_EINVAL only. */
int vtun__replay_init_at(struct vtun__replay *r, uint32_t window,
                         uint64_t *blocks);

/* The full 64-bit sequence number of a packet that carries the low 32
 * bits @p seq_lo, inferred from the window (RFC 4303 Appendix A2.2). */
uint64_t vtun__replay_infer(const struct vtun__replay *r, uint32_t seq_lo);

#define VTUN__REPLAY_BITS 64u /* bits per block */

/* The block that holds the bit of a packet carrying the low 32 bits
 * @p seq_lo (the mask keeps the index within them, ESN or not). */
static inline const uint64_t *vtun__replay_block(const struct vtun__replay *r,
                                                 uint32_t seq_lo) {
  return &r->blocks[(seq_lo / VTUN__REPLAY_BITS) & r->mask];
}

/* Moves the top of the window to @p seq (> top), clearing the blocks it
 * enters: at most every block once, however far the jump. */
void vtun__replay_advance(struct vtun__replay *r, uint64_t seq);

/* 0 when @p seq may be accepted: new, or inside the window and not seen.
 * VTUN_EREPLAY for 0, a number seen already, or one older than the
 * window. Changes nothing. Inline: it runs for every packet. */
static inline int vtun__replay_check(const struct vtun__replay *r,
                                     uint64_t seq) {
  uint64_t block;

  /* Sequence number 0 is never sent (RFC 4303 §3.3.3). */
  if (seq == 0)
    return VTUN_EREPLAY;
  if (r->window == 0 || seq > r->top)
    return 0;
  if (r->top - seq >= r->window)
    return VTUN_EREPLAY;
  block = r->blocks[(seq / VTUN__REPLAY_BITS) & r->mask];
  return (block >> (seq % VTUN__REPLAY_BITS)) & 1u ? VTUN_EREPLAY : 0;
}

/* Marks @p seq as received, moving the window forward when @p seq is
 * new. Call only after the packet's ICV verified. Returns VTUN_EREPLAY
 * (changing nothing) when vtun__replay_check() would refuse @p seq. */
static inline int vtun__replay_update(struct vtun__replay *r, uint64_t seq) {
  if (vtun__replay_check(r, seq) != 0)
    return VTUN_EREPLAY;
  if (r->window == 0) {
    if (seq > r->top)
      r->top = seq;
    return 0;
  }

  if (seq > r->top)
    vtun__replay_advance(r, seq);
  r->blocks[(seq / VTUN__REPLAY_BITS) & r->mask] |=
      (uint64_t)1 << (seq % VTUN__REPLAY_BITS);
  return 0;
}

#endif
