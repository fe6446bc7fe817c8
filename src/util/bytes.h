/* Byte order helpers for wire formats: loads and stores of big-endian
 * integers at any alignment. */
#ifndef VTUN_UTIL_BYTES_H
#define VTUN_UTIL_BYTES_H

#include <stdint.h>
#include <string.h>

static inline uint16_t vtun__be16(const uint8_t *p) {
  return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t vtun__be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t vtun__be64(const uint8_t *p) {
  return ((uint64_t)vtun__be32(p) << 32) | vtun__be32(p + 4);
}

static inline void vtun__put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static inline void vtun__put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static inline void vtun__put64(uint8_t *p, uint64_t v) {
  vtun__put32(p, (uint32_t)(v >> 32));
  vtun__put32(p + 4, (uint32_t)v);
}

#endif
