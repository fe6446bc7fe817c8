/* The configuration payload CP (RFC 7296 §3.15): a type and a list of
 * attributes. Attributes of known types must have one of the lengths of
 * RFC 7296 §3.15.1; others are well-formed when they fit. */
#ifndef VTUN_IKE_PAYLOAD_CP_H
#define VTUN_IKE_PAYLOAD_CP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/msg.h"
#include "ike/writer.h"

/* A validated CP body. */
struct vtun__ike_cp {
  uint8_t type; /* enum vtun__ike_cfg_type */
  const uint8_t *attrs;
  size_t len;
};

/* One attribute; @type without the reserved bit. */
struct vtun__ike_cp_attr {
  uint16_t type; /* enum vtun__ike_cp_attr_type */
  uint16_t len;
  const uint8_t *value;
};

/* Validates a CP body: a known CFG type, attributes within the payload,
 * known attributes with their lengths. Returns 0 or VTUN_EMALFORMED with
 * *why set. */
int vtun__ike_cp_validate(const uint8_t *b, size_t n, const char **why);

/* Validates the CP payload @pl and fills @out. Returns 0,
 * VTUN_EMALFORMED, or VTUN_EINVAL for another payload type. */
int vtun__ike_cp_parse(const struct vtun__ike_payload *pl,
                       struct vtun__ike_cp *out);

/* Iterates over the attributes: set *pos to 0 first; returns false after
 * the last one. */
bool vtun__ike_cp_next(const struct vtun__ike_cp *cp, size_t *pos,
                       struct vtun__ike_cp_attr *out);

/* Appends a CP payload of @cfg_type with the @n attributes at @attrs (a
 * NULL value with a length of 0 is an empty attribute, as in requests).
 * Returns 0, VTUN_ENOSPC, or VTUN_EINVAL beyond 65535 bytes. */
int vtun__ike_put_cp(struct vtun__ike_writer *w, uint8_t cfg_type,
                     const struct vtun__ike_cp_attr *attrs, unsigned n);

#endif
