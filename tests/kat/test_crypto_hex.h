/* Helpers for the crypto known-answer tests: vectors are kept as the hex
 * text of the documents they come from and decoded at run time. */
#ifndef VTUN_TESTS_KAT_CRYPTO_HEX_H
#define VTUN_TESTS_KAT_CRYPTO_HEX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static inline int kat_nibble(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decodes @p hex (spaces allowed) into @p out; returns the byte count. */
static inline size_t kat_unhex(uint8_t *out, size_t cap, const char *hex) {
  size_t n = 0;

  while (*hex != '\0') {
    int hi, lo;

    if (*hex == ' ') {
      hex++;
      continue;
    }
    hi = kat_nibble(hex[0]);
    lo = hi < 0 ? -1 : kat_nibble(hex[1]);
    assert_true(hi >= 0 && lo >= 0);
    assert_true(n < cap);
    out[n++] = (uint8_t)(hi << 4 | lo);
    hex += 2;
  }
  return n;
}

#endif
