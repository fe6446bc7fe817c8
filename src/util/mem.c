#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

void *vtun__zalloc(size_t size) {
  return calloc(1, size);
}

void *vtun__zalloc_aligned(size_t align, size_t size) {
  size_t n = (size + align - 1) / align * align;
  void *p;

  if (n < size || (p = aligned_alloc(align, n)) == NULL)
    return NULL;
  memset(p, 0, n);
  return p;
}

void vtun__wipe(void *p, size_t len) {
  /* A volatile function pointer keeps the store from being optimised away
   * as dead, which a plain memset before free would be. */
  static void *(*const volatile wipe)(void *, int, size_t) = memset;

  if (p != NULL && len > 0)
    wipe(p, 0, len);
}

void vtun__free_secret(void *p, size_t len) {
  if (p == NULL)
    return;
  vtun__wipe(p, len);
  free(p);
}

int vtun__memeq_ct(const void *a, const void *b, size_t len) {
  const volatile uint8_t *x = a;
  const volatile uint8_t *y = b;
  uint8_t diff = 0;

  for (size_t i = 0; i < len; i++)
    diff |= (uint8_t)(x[i] ^ y[i]);
  return diff;
}

char *vtun__strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);

  if (d != NULL)
    memcpy(d, s, n);
  return d;
}
