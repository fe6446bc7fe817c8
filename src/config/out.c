#include "config/out.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void vtun__cfg_out_init(struct vtun__cfg_out *o, char *buf, size_t len) {
  o->buf = len > 0 ? buf : NULL;
  o->len = o->buf != NULL ? len : 0;
  o->pos = 0;
  o->err = 0;
  if (o->len > 0)
    o->buf[0] = '\0';
}

/* Copies what fits, keeping the buffer NUL-terminated. */
void vtun__cfg_out_bytes(struct vtun__cfg_out *o, const char *s, size_t n) {
  if (o->pos < o->len) {
    size_t room = o->len - 1 - o->pos;
    size_t k = n < room ? n : room;

    memcpy(o->buf + o->pos, s, k);
    o->buf[o->pos + k] = '\0';
  }
  o->pos += n;
}

void vtun__cfg_out_printf(struct vtun__cfg_out *o, const char *fmt, ...) {
  va_list ap;
  int n;

  /* vsnprintf keeps the text cut short and NUL-terminated, like the
   * public calls promise; past the end it only counts. */
  va_start(ap, fmt);
  if (o->pos < o->len)
    n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
  else
    n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    o->err = VTUN_EINVAL;
    return;
  }
  o->pos += (size_t)n;
}

void vtun__cfg_out_pad(struct vtun__cfg_out *o, size_t n) {
  static const char spaces[] = "                                ";

  while (n > 0) {
    size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

    vtun__cfg_out_bytes(o, spaces, k);
    n -= k;
  }
}

vtun_ssize vtun__cfg_out_result(const struct vtun__cfg_out *o) {
  return o->err != 0 ? o->err : (vtun_ssize)o->pos;
}
