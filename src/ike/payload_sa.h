/* The SA payload (RFC 7296 §3.3): proposals, each with transforms, each
 * with attributes. The validator walks the whole structure once and
 * checks every length, marker and count; then iterators read it without
 * copying. */
#ifndef VTUN_IKE_PAYLOAD_SA_H
#define VTUN_IKE_PAYLOAD_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/msg.h"
#include "ike/writer.h"

/* A validated SA payload body. */
struct vtun__ike_sa_pl {
  const uint8_t *body;
  size_t len;
  unsigned nprop; /* number of proposals, at least 1 */
};

/* One proposal (RFC 7296 §3.3.1). */
struct vtun__ike_prop {
  uint8_t num;
  uint8_t proto;   /* IKE, AH or ESP */
  uint8_t spi_len; /* IKE: 0 or 8, AH/ESP: 4 */
  uint8_t nxf;     /* number of transforms, at least 1 */
  const uint8_t *spi;
  const uint8_t *xf; /* the transforms */
  size_t xf_len;
};

/* One transform (RFC 7296 §3.3.2) and what its attributes say. When
 * building, @unknown_attr is ignored. */
struct vtun__ike_xform {
  uint8_t type;      /* enum vtun__ike_xform_type */
  uint16_t id;       /* algorithm of that type */
  uint16_t keylen;   /* Key Length attribute in bits, 0 when absent */
  bool unknown_attr; /* RFC 7296 §3.3.6: such a proposal is refused */
};

/* A proposal to build: @nxf transforms at @xf. */
struct vtun__ike_prop_spec {
  uint8_t num;
  uint8_t proto;
  uint8_t spi_len;
  const uint8_t *spi;
  const struct vtun__ike_xform *xf;
  unsigned nxf;
};

/* Validates an SA body: lengths, last-substructure markers, proposal
 * numbers (consecutive, from 1 when there are several), protocol IDs and
 * SPI sizes, transform counts, attribute lengths, one TV Key Length at
 * most and never 0, IKE and Child proposals not mixed (RFC 7296 §3.3).
 * Unknown transform types and attributes are well-formed (§3.3.6).
 * Returns 0 or VTUN_EMALFORMED with *why set. */
int vtun__ike_sa_pl_validate(const uint8_t *b, size_t n, const char **why);

/* Validates the SA payload @pl and fills @out. Returns 0,
 * VTUN_EMALFORMED, or VTUN_EINVAL when @pl is not an SA payload. */
int vtun__ike_sa_pl_parse(const struct vtun__ike_payload *pl,
                          struct vtun__ike_sa_pl *out);

/* Iterators over a parsed SA: set *pos to 0 first; each call fills @out
 * and returns true, or returns false after the last item. */
bool vtun__ike_sa_pl_next(const struct vtun__ike_sa_pl *sa, size_t *pos,
                          struct vtun__ike_prop *out);
bool vtun__ike_prop_next(const struct vtun__ike_prop *prop, size_t *pos,
                         struct vtun__ike_xform *out);

/* Appends an SA payload with the @n proposals at @props. Returns 0,
 * VTUN_ENOSPC, or VTUN_EINVAL for no proposal, no or more than 255
 * transforms, or a payload beyond 65535 bytes. */
int vtun__ike_put_sa(struct vtun__ike_writer *w,
                     const struct vtun__ike_prop_spec *props, unsigned n);

#endif
