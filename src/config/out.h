/* A caller's text buffer filled with snprintf semantics: writing goes on
 * past the end only to count, so the final length is the full length. */
#ifndef VTUN_CONFIG_OUT_H
#define VTUN_CONFIG_OUT_H

#include <stddef.h>

#include "vtun/vtun.h"

struct vtun__cfg_out {
  char *buf;  /* may be NULL when len is 0 */
  size_t len; /* capacity of buf */
  size_t pos; /* full length written so far */
  int err;    /* 0, or VTUN_EINVAL after a formatting failure */
};

void vtun__cfg_out_init(struct vtun__cfg_out *o, char *buf, size_t len);

/* Appends formatted text. */
void vtun__cfg_out_printf(struct vtun__cfg_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends @p n bytes. */
void vtun__cfg_out_bytes(struct vtun__cfg_out *o, const char *s, size_t n);

/* Appends @p n spaces. */
void vtun__cfg_out_pad(struct vtun__cfg_out *o, size_t n);

/* The result for the public call: the full length or the error. */
vtun_ssize vtun__cfg_out_result(const struct vtun__cfg_out *o);

#endif
