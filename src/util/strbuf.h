/* Text built into a caller's buffer with snprintf semantics: the full
 * length is counted even when the buffer is too small. */
#ifndef VTUN_UTIL_STRBUF_H
#define VTUN_UTIL_STRBUF_H

#include <stddef.h>

#include "vtun/vtun.h"

struct vtun__sb {
  char *buf;  /* may be NULL when only measuring */
  size_t cap; /* bytes available at buf */
  size_t len; /* full length of the text so far */
};

static inline void vtun__sb_init(struct vtun__sb *sb, char *buf, size_t cap) {
  sb->buf = buf;
  sb->cap = cap;
  sb->len = 0;
  if (buf != NULL && cap > 0)
    buf[0] = '\0';
}

void vtun__sb_printf(struct vtun__sb *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The result for a public call: the full length. */
static inline vtun_ssize vtun__sb_result(const struct vtun__sb *sb) {
  return (vtun_ssize)sb->len;
}

#endif
