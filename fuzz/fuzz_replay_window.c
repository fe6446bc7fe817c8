/* The anti-replay window against a naive reference on sequences the
 * fuzzer chooses: the first byte picks the window size, then each 3-byte
 * step moves the sequence number (forward, back, or far ahead), says
 * whether the packet's ICV "verified", and checks, then maybe updates,
 * both. Any disagreement aborts. ESN inference is checked against its
 * closed form on the same steps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp/replay.h"

#define MAX_STEPS 4096

struct ref {
  uint64_t top;
  uint32_t window;
  uint64_t seen[MAX_STEPS];
  size_t nseen;
};

static bool ref_seen(const struct ref *f, uint64_t seq) {
  for (size_t i = 0; i < f->nseen; i++)
    if (f->seen[i] == seq)
      return true;
  return false;
}

static bool ref_check(const struct ref *f, uint64_t seq) {
  if (seq == 0)
    return false;
  if (f->window == 0 || seq > f->top)
    return true;
  return f->top - seq < f->window && !ref_seen(f, seq);
}

static void ref_take(struct ref *f, uint64_t seq) {
  if (f->window != 0)
    f->seen[f->nseen++] = seq;
  if (seq > f->top)
    f->top = seq;
}

/* RFC 4303 Appendix A2.2 in closed form. */
static uint64_t infer_ref(uint64_t top, uint64_t w, uint32_t lo) {
  uint64_t bottom = top >= w - 1 ? top - (w - 1) : 0;

  return bottom + (uint32_t)(lo - (uint32_t)bottom);
}

static uint32_t window_of(uint8_t b) {
  static const uint32_t sizes[] = {0, 32, 64, 96, 128, 1024, 4096, 65536};

  return sizes[b % 8];
}

/* The next sequence number from a 2-byte move. */
static uint64_t step(uint64_t cur, uint8_t kind, uint8_t amount) {
  switch (kind % 4) {
  case 0:
    return cur + amount;
  case 1:
    return cur > amount ? cur - amount : 0;
  case 2:
    return cur + ((uint64_t)amount << 8);
  }
  return cur > ((uint64_t)amount << 6) ? cur - ((uint64_t)amount << 6) : 0;
}

static void run(struct vtun__replay *r, struct ref *f, uint64_t cur,
                const uint8_t *data, size_t size) {
  uint64_t w = f->window != 0 ? f->window : (uint64_t)1 << 31;

  for (size_t i = 0; i + 3 <= size && f->nseen < MAX_STEPS; i += 3) {
    bool ok;

    cur = step(cur, data[i], data[i + 1]);
    if (vtun__replay_infer(r, (uint32_t)cur) !=
        infer_ref(r->top, w, (uint32_t)cur))
      abort();
    ok = ref_check(f, cur);
    if ((vtun__replay_check(r, cur) == 0) != ok)
      abort();
    if (!ok || (data[i + 2] & 1) == 0) /* the ICV "failed" */
      continue;
    if (vtun__replay_update(r, cur) != 0)
      abort();
    ref_take(f, cur);
    if (f->window != 0 && vtun__replay_check(r, cur) == 0)
      abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct ref f;
  struct vtun__replay r;
  uint64_t start;

  if (size < 2)
    return 0;
  memset(&f, 0, sizeof(f));
  f.window = window_of(data[0]);
  if (vtun__replay_init(&r, f.window) != 0)
    abort();

  /* Start near 0, near 2^32 (ESN wrap) or far up. */
  start = data[1] % 3 == 0   ? 0
          : data[1] % 3 == 1 ? ((uint64_t)1 << 32) - 64
                             : (uint64_t)data[1] << 40;
  r.top = f.top = start;
  run(&r, &f, start, data + 2, size - 2);
  vtun__replay_fini(&r);
  return 0;
}
