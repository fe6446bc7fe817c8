#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>

void vtun__sb_printf(struct vtun__sb *sb, const char *fmt, ...) {
  char *dst = NULL;
  size_t room = 0;
  va_list ap;
  int n;

  if (sb->buf != NULL && sb->len < sb->cap) {
    dst = sb->buf + sb->len;
    room = sb->cap - sb->len;
  }
  va_start(ap, fmt);
  n = vsnprintf(dst, room, fmt, ap);
  va_end(ap);
  if (n > 0)
    sb->len += (size_t)n;
}
