/* Memory helpers: zeroed allocation, wiping of secrets, constant-time
 * comparison. */
#ifndef VTUN_UTIL_MEM_H
#define VTUN_UTIL_MEM_H

#include <stddef.h>
#include <stdint.h>

/* calloc(1, size); NULL on failure. */
void *vtun__zalloc(size_t size);

/* Zeroed memory of at least @p size bytes at a multiple of @p align (a
 * power of two), for free(); NULL on failure. */
void *vtun__zalloc_aligned(size_t align, size_t size);

/* Overwrites @p len bytes at @p p with zeros in a way the compiler keeps. */
void vtun__wipe(void *p, size_t len);

/* Wipes then frees @p len bytes at @p p; NULL is accepted. */
void vtun__free_secret(void *p, size_t len);

/* 0 when equal; time depends only on @p len. */
int vtun__memeq_ct(const void *a, const void *b, size_t len);

/* Asks the CPU to start loading the cache line of @p p for a read soon.
 * It never faults, so @p p may be stale; without compiler support it
 * does nothing. The data path uses it to overlap the misses of a packet
 * whose SA and tunnel are not in the caches. */
static inline void vtun__prefetch(const void *p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p);
#else
  (void)p;
#endif
}

/* strdup that returns NULL on failure. */
char *vtun__strdup(const char *s);

#endif
