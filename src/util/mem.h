/* Memory helpers: zeroed allocation, wiping of secrets, constant-time
 * comparison. */
#ifndef VTUN_UTIL_MEM_H
#define VTUN_UTIL_MEM_H

#include <stddef.h>
#include <stdint.h>

/* calloc(1, size); NULL on failure. */
void *vtun__zalloc(size_t size);

/* Overwrites @p len bytes at @p p with zeros in a way the compiler keeps. */
void vtun__wipe(void *p, size_t len);

/* Wipes then frees @p len bytes at @p p; NULL is accepted. */
void vtun__free_secret(void *p, size_t len);

/* 0 when equal; time depends only on @p len. */
int vtun__memeq_ct(const void *a, const void *b, size_t len);

/* strdup that returns NULL on failure. */
char *vtun__strdup(const char *s);

#endif
