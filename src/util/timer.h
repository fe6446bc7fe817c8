/* Timers kept in the context: a binary min-heap of caller-owned timer
 * structs, so arming and cancelling never allocate once the heap has
 * grown to the number of timers in use. The host asks for the earliest
 * deadline and calls vtun_ctx_expire_timers() when it has passed. */
#ifndef VTUN_UTIL_TIMER_H
#define VTUN_UTIL_TIMER_H

#include <stddef.h>

#include "vtun/vtun.h"

struct vtun__timer;
typedef void (*vtun__timer_fn)(void *arg, struct vtun__timer *timer,
                               vtun_tstamp now);

struct vtun__timer {
  vtun_tstamp when;
  vtun__timer_fn fn;
  void *arg;
  size_t slot; /* index in the heap + 1; 0 when not armed */
};

struct vtun__timers {
  struct vtun__timer **heap;
  size_t n, cap;
};

/* Prepares a timer that calls @p fn(@p arg, timer, now) when due. */
void vtun__timer_init(struct vtun__timer *tm, vtun__timer_fn fn, void *arg);

/* Arms (or re-arms) @p tm for @p when. VTUN_ENOMEM if the heap cannot
 * grow; the timer is then not armed. */
int vtun__timer_arm(struct vtun__timers *ts, struct vtun__timer *tm,
                    vtun_tstamp when);

/* Disarms @p tm; harmless when it is not armed. */
void vtun__timer_cancel(struct vtun__timers *ts, struct vtun__timer *tm);

static inline int vtun__timer_armed(const struct vtun__timer *tm) {
  return tm->slot != 0;
}

/* The earliest deadline, or VTUN_TSTAMP_MAX. */
vtun_tstamp vtun__timers_next(const struct vtun__timers *ts);

/* Runs every timer due at @p now, earliest first. A callback may arm or
 * cancel any timer, itself included. */
void vtun__timers_run(struct vtun__timers *ts, vtun_tstamp now);

void vtun__timers_free(struct vtun__timers *ts);

#endif
