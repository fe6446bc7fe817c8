/* Logging through the host's hook. The level and topic are checked before
 * anything is formatted, so a disabled message costs one comparison. */
#ifndef VTUN_UTIL_LOG_H
#define VTUN_UTIL_LOG_H

#include "vtun/vtun.h"

struct vtun__logger {
  void (*hook)(void *user_data, int level, unsigned topic, const char *msg,
               size_t len);
  void *user_data;
  int level;
  unsigned topics;
};

void vtun__log_emit(const struct vtun__logger *lg, int level, unsigned topic,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static inline int vtun__log_on(const struct vtun__logger *lg, int level,
                               unsigned topic) {
  return lg->hook != NULL && level <= lg->level && (lg->topics & topic);
}

#define VTUN_LOG(lg, level, topic, ...)                                        \
  do {                                                                         \
    if (vtun__log_on((lg), (level), (topic)))                                  \
      vtun__log_emit((lg), (level), (topic), __VA_ARGS__);                     \
  } while (0)

/* A token bucket for messages a peer can trigger: at most @p burst at once
 * and one per @p interval nanoseconds after that. */
struct vtun__ratelimit {
  vtun_tstamp last;
  unsigned tokens;
  unsigned suppressed;
};

/* 1 when a message may be logged at @p now; counts what it suppresses. */
int vtun__ratelimit_ok(struct vtun__ratelimit *rl, vtun_tstamp now,
                       vtun_tstamp interval, unsigned burst);

#endif
