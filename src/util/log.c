#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>

void vtun__log_emit(const struct vtun__logger *lg, int level, unsigned topic,
                    const char *fmt, ...) {
  char msg[512];
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n >= sizeof(msg))
    n = sizeof(msg) - 1;
  lg->hook(lg->user_data, level, topic, msg, (size_t)n);
}

int vtun__ratelimit_ok(struct vtun__ratelimit *rl, vtun_tstamp now,
                       vtun_tstamp interval, unsigned burst) {
  if (rl->last == 0 || now - rl->last >= interval) {
    rl->tokens = burst;
    rl->last = now;
  }
  if (rl->tokens > 0) {
    rl->tokens--;
    return 1;
  }
  rl->suppressed++;
  return 0;
}
