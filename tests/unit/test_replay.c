/* The anti-replay window against a naive reference (every accepted number
 * kept in a plain bitmap) on random seeded sequences, and the ESN
 * inference of RFC 4303 Appendix A2.2 against its closed form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp/replay.h"
#include "vtun/vtun.h"

/* A small deterministic generator (xorshift64*), so failures repeat. */
static uint64_t rng_state;

static uint64_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rng_below(uint64_t n) {
  return rng() % n;
}

/* The reference: the highest number taken, and one bit per number. */
#define REF_BITS (1u << 26)

struct ref {
  uint64_t base, top;
  uint32_t window;
  uint8_t *seen;
};

static bool ref_seen(const struct ref *f, uint64_t seq) {
  uint64_t i = seq - f->base;

  return (f->seen[i / 8] >> (i % 8)) & 1u;
}

static bool ref_check(const struct ref *f, uint64_t seq) {
  if (seq == 0 || seq < f->base)
    return false;
  if (seq > f->top)
    return true;
  return f->top - seq < f->window && !ref_seen(f, seq);
}

static void ref_take(struct ref *f, uint64_t seq) {
  uint64_t i = seq - f->base;

  f->seen[i / 8] |= (uint8_t)(1u << (i % 8));
  if (seq > f->top)
    f->top = seq;
}

/* The next number a sender and a lossy, reordering network produce:
 * mostly a little ahead, sometimes behind, sometimes a replay of the
 * same, now and then far ahead. */
static uint64_t next_seq(const struct ref *f) {
  uint64_t top = f->top < f->base ? f->base : f->top;
  uint64_t w = f->window;
  uint64_t r = rng_below(100);

  if (r < 55)
    return top + 1 + rng_below(3);
  if (r < 85) {
    uint64_t back = rng_below(w + w / 2 + 2);
    return back < top - f->base ? top - back : top;
  }
  if (r < 98)
    return top;
  return top + rng_below(2 * w);
}

static void run_window(uint32_t window, uint64_t seed, unsigned steps) {
  struct vtun__replay r;
  struct ref f = {0};

  rng_state = seed;
  assert_int_equal(vtun__replay_init(&r, window), 0);
  f.window = window;
  f.base = 1 + rng_below((uint64_t)1 << 40);
  f.top = f.base - 1;
  f.seen = calloc(REF_BITS / 8, 1);
  assert_non_null(f.seen);
  r.top = f.top;

  for (unsigned i = 0; i < steps; i++) {
    uint64_t seq = next_seq(&f);
    bool ok = ref_check(&f, seq);

    assert_true(seq - f.base < REF_BITS);
    assert_int_equal(vtun__replay_check(&r, seq) == 0, ok);
    /* One packet in ten fails its ICV: checked, never taken. */
    if (!ok || rng_below(10) == 0)
      continue;
    assert_int_equal(vtun__replay_update(&r, seq), 0);
    ref_take(&f, seq);
    assert_int_equal(vtun__replay_update(&r, seq), VTUN_EREPLAY);
  }
  free(f.seen);
  vtun__replay_fini(&r);
}

static void test_against_reference(void **state) {
  static const uint32_t windows[] = {32, 64, 96, 1024, 4096, 65536};

  (void)state;
  for (size_t i = 0; i < sizeof(windows) / sizeof(windows[0]); i++)
    for (uint64_t seed = 1; seed <= 4; seed++)
      run_window(windows[i], seed * 0x9e3779b97f4a7c15ull + i, 25000);
}

static void test_window_edges(void **state) {
  struct vtun__replay r;

  (void)state;
  assert_int_equal(vtun__replay_init(&r, 32), 0);
  assert_int_equal(vtun__replay_check(&r, 0), VTUN_EREPLAY);
  assert_int_equal(vtun__replay_update(&r, 1000), 0);
  assert_int_equal(vtun__replay_check(&r, 969), 0);
  assert_int_equal(vtun__replay_check(&r, 968), VTUN_EREPLAY);
  assert_int_equal(vtun__replay_check(&r, 1000), VTUN_EREPLAY);
  assert_int_equal(vtun__replay_check(&r, 1001), 0);

  /* A jump far ahead clears every block once, and leaves nothing old. */
  assert_int_equal(vtun__replay_update(&r, 1000000), 0);
  assert_int_equal(vtun__replay_check(&r, 999999), 0);
  assert_int_equal(vtun__replay_check(&r, 999969), 0);
  assert_int_equal(vtun__replay_check(&r, 999968), VTUN_EREPLAY);
  vtun__replay_fini(&r);
}

static void test_sizes(void **state) {
  struct vtun__replay r;

  (void)state;
  assert_int_equal(vtun__replay_init(&r, 16), VTUN_EINVAL);
  assert_int_equal(vtun__replay_init(&r, 33), VTUN_EINVAL);
  assert_int_equal(vtun__replay_init(&r, 65568), VTUN_EINVAL);
  assert_int_equal(vtun__replay_init(&r, 65536), 0);
  vtun__replay_fini(&r);

  /* A bitmap the caller keeps: one block more than the window, rounded
   * up to a power of two. */
  {
    uint64_t blocks[32] = {0};

    assert_int_equal(vtun__replay_bytes(0), 0);
    assert_int_equal(vtun__replay_bytes(32), 2 * 8);
    assert_int_equal(vtun__replay_bytes(1024), 32 * 8);
    assert_int_equal(vtun__replay_init_at(&r, 33, blocks), VTUN_EINVAL);
    assert_int_equal(vtun__replay_init_at(&r, 1024, blocks), 0);
    assert_ptr_equal(r.blocks, blocks);
    assert_int_equal(vtun__replay_update(&r, 700), 0);
    assert_int_equal(vtun__replay_check(&r, 700), VTUN_EREPLAY);
    assert_int_equal(blocks[700 / 64 % 32], (uint64_t)1 << (700 % 64));
  }

  /* Window 0: no check but 0, the top still moves for ESN. */
  assert_int_equal(vtun__replay_init(&r, 0), 0);
  assert_int_equal(vtun__replay_update(&r, 5), 0);
  assert_int_equal(vtun__replay_update(&r, 5), 0);
  assert_int_equal(vtun__replay_check(&r, 0), VTUN_EREPLAY);
  assert_int_equal(r.top, 5);
  vtun__replay_fini(&r);
}

/* RFC 4303 A2.2 in closed form: the number whose low half is @p lo in
 * the 2^32 numbers that start at the bottom of the window. */
static uint64_t infer_ref(uint64_t top, uint64_t w, uint32_t lo) {
  uint64_t bottom = top >= w - 1 ? top - (w - 1) : 0;

  return bottom + (uint32_t)(lo - (uint32_t)bottom);
}

static void test_esn_inference(void **state) {
  static const uint32_t windows[] = {32, 64, 1024, 4096, 65536};
  struct vtun__replay r;

  (void)state;
  rng_state = 42;
  for (size_t i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
    uint64_t w = windows[i];

    assert_int_equal(vtun__replay_init(&r, windows[i]), 0);
    for (unsigned k = 0; k < 20000; k++) {
      uint64_t hi = rng_below(4) == 0 ? 0 : rng_below(1000);
      uint32_t tl =
          rng_below(3) == 0 ? (uint32_t)rng_below(2 * w) : (uint32_t)rng();
      uint32_t lo =
          rng_below(2) == 0 ? tl - (uint32_t)rng_below(2 * w) : (uint32_t)rng();

      r.top = hi << 32 | tl;
      assert_int_equal(vtun__replay_infer(&r, lo), infer_ref(r.top, w, lo));
    }
    vtun__replay_fini(&r);
  }
}

/* A stream that crosses 2^32 with reordering: every packet is inferred
 * right and taken once. */
static void test_esn_wrap(void **state) {
  struct vtun__replay r;
  uint64_t start = ((uint64_t)1 << 32) - 200;

  (void)state;
  assert_int_equal(vtun__replay_init(&r, 64), 0);
  r.top = start;
  for (uint64_t s = start + 1; s < start + 400; s += 2) {
    uint64_t late = s;

    assert_int_equal(vtun__replay_infer(&r, (uint32_t)(s + 1)), s + 1);
    assert_int_equal(vtun__replay_update(&r, s + 1), 0);
    assert_int_equal(vtun__replay_infer(&r, (uint32_t)late), late);
    assert_int_equal(vtun__replay_update(&r, late), 0);
    assert_int_equal(vtun__replay_check(&r, late), VTUN_EREPLAY);
  }
  assert_true(r.top > (uint64_t)1 << 32);
  vtun__replay_fini(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_against_reference),
      cmocka_unit_test(test_window_edges),
      cmocka_unit_test(test_sizes),
      cmocka_unit_test(test_esn_inference),
      cmocka_unit_test(test_esn_wrap),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
