#include "util/timer.h"

#include <stdlib.h>

void vtun__timer_init(struct vtun__timer *tm, vtun__timer_fn fn, void *arg) {
  tm->when = 0;
  tm->fn = fn;
  tm->arg = arg;
  tm->slot = 0;
}

static void heap_set(struct vtun__timers *ts, size_t i,
                     struct vtun__timer *tm) {
  ts->heap[i] = tm;
  tm->slot = i + 1;
}

static void heap_up(struct vtun__timers *ts, size_t i) {
  struct vtun__timer *tm = ts->heap[i];

  while (i > 0) {
    size_t parent = (i - 1) / 2;

    if (ts->heap[parent]->when <= tm->when)
      break;
    heap_set(ts, i, ts->heap[parent]);
    i = parent;
  }
  heap_set(ts, i, tm);
}

static void heap_down(struct vtun__timers *ts, size_t i) {
  struct vtun__timer *tm = ts->heap[i];

  for (;;) {
    size_t c = 2 * i + 1;

    if (c >= ts->n)
      break;
    if (c + 1 < ts->n && ts->heap[c + 1]->when < ts->heap[c]->when)
      c++;
    if (tm->when <= ts->heap[c]->when)
      break;
    heap_set(ts, i, ts->heap[c]);
    i = c;
  }
  heap_set(ts, i, tm);
}

static int heap_reserve(struct vtun__timers *ts) {
  struct vtun__timer **h;
  size_t cap;

  if (ts->n < ts->cap)
    return 0;
  cap = ts->cap ? ts->cap * 2 : 16;
  h = realloc(ts->heap, cap * sizeof(*h));
  if (h == NULL)
    return VTUN_ENOMEM;
  ts->heap = h;
  ts->cap = cap;
  return 0;
}

int vtun__timer_arm(struct vtun__timers *ts, struct vtun__timer *tm,
                    vtun_tstamp when) {
  if (tm->slot != 0) {
    vtun_tstamp old = tm->when;

    tm->when = when;
    if (when < old)
      heap_up(ts, tm->slot - 1);
    else
      heap_down(ts, tm->slot - 1);
    return 0;
  }
  if (heap_reserve(ts) != 0)
    return VTUN_ENOMEM;
  tm->when = when;
  ts->heap[ts->n++] = tm;
  heap_up(ts, ts->n - 1);
  return 0;
}

void vtun__timer_cancel(struct vtun__timers *ts, struct vtun__timer *tm) {
  size_t i;
  struct vtun__timer *last;

  if (tm->slot == 0)
    return;
  i = tm->slot - 1;
  tm->slot = 0;
  last = ts->heap[--ts->n];
  if (i == ts->n)
    return;
  heap_set(ts, i, last);
  heap_up(ts, i);
  heap_down(ts, last->slot - 1);
}

vtun_tstamp vtun__timers_next(const struct vtun__timers *ts) {
  return ts->n > 0 ? ts->heap[0]->when : VTUN_TSTAMP_MAX;
}

void vtun__timers_run(struct vtun__timers *ts, vtun_tstamp now) {
  while (ts->n > 0 && ts->heap[0]->when <= now) {
    struct vtun__timer *tm = ts->heap[0];

    vtun__timer_cancel(ts, tm);
    tm->fn(tm->arg, tm, now);
  }
}

void vtun__timers_free(struct vtun__timers *ts) {
  for (size_t i = 0; i < ts->n; i++)
    ts->heap[i]->slot = 0;
  free(ts->heap);
  ts->heap = NULL;
  ts->n = ts->cap = 0;
}
