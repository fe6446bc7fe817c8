/* Traffic selector payloads TSi and TSr (RFC 7296 §3.13): a count and
 * that many selectors. IPv4 and IPv6 address ranges are read in full;
 * other selector types are well-formed when their length fits, and only
 * their type is reported, so the engine can refuse them. */
#ifndef VTUN_IKE_PAYLOAD_TS_H
#define VTUN_IKE_PAYLOAD_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/msg.h"
#include "ike/writer.h"

/* One selector. Addresses are in network order: 4 bytes used for IPv4,
 * 16 for IPv6, none for other types. */
struct vtun__ike_ts {
  uint8_t type;  /* enum vtun__ike_ts_type */
  uint8_t proto; /* IP protocol, 0 for any */
  uint16_t start_port;
  uint16_t end_port;
  uint8_t start[16];
  uint8_t end[16];
};

/* A validated TSi or TSr body. */
struct vtun__ike_ts_list {
  const uint8_t *sel; /* the selectors, after the 4-byte header */
  size_t len;
  unsigned count; /* at least 1 */
};

/* Validates a TS body: a nonzero count that matches the selectors,
 * exactly 16 bytes per IPv4 range and 40 per IPv6 range, nothing left
 * over. Returns 0 or VTUN_EMALFORMED with *why set. */
int vtun__ike_ts_validate(const uint8_t *b, size_t n, const char **why);

/* Validates the TSi or TSr payload @pl and fills @out. Returns 0,
 * VTUN_EMALFORMED, or VTUN_EINVAL for another payload type. */
int vtun__ike_ts_parse(const struct vtun__ike_payload *pl,
                       struct vtun__ike_ts_list *out);

/* Iterates over the selectors: set *pos to 0 first; returns false after
 * the last one. */
bool vtun__ike_ts_next(const struct vtun__ike_ts_list *l, size_t *pos,
                       struct vtun__ike_ts *out);

/* Appends a TS payload of @type (VTUN__IKE_PL_TSI or _TSR) with the @n
 * selectors at @ts, each an IPv4 or IPv6 range. Returns 0, VTUN_ENOSPC,
 * or VTUN_EINVAL for another type, @n of 0 or above 255. */
int vtun__ike_put_ts(struct vtun__ike_writer *w, uint8_t type,
                     const struct vtun__ike_ts *ts, unsigned n);

#endif
