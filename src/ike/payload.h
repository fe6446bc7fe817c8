/* IKEv2 payloads: one validate and one parse function per payload type,
 * driven by a table (RFC 7296 §3.3 to §3.16). A validator checks every
 * length and count of a payload body and sets a static reason on failure;
 * a parser validates first, then fills a small struct that points into
 * the body. Nothing is allocated. The larger payloads have their own
 * files: payload_sa.h, payload_ts.h, payload_cp.h. Builders append to a
 * writer (writer.h). */
#ifndef VTUN_IKE_PAYLOAD_H
#define VTUN_IKE_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/msg.h"
#include "ike/writer.h"
#include "vtun/vtun.h"

/* Checks a payload body; 0 or VTUN_EMALFORMED with *why set. */
typedef int (*vtun__ike_validate_fn)(const uint8_t *body, size_t len,
                                     const char **why);

/* What the codec knows of a payload type. */
struct vtun__ike_pl_info {
  uint8_t type;
  const char *name;
  vtun__ike_validate_fn validate;
};

/* The table entry of @type, or NULL when the codec does not understand
 * the type (RFC 7296 §2.5: then only its critical bit matters). */
const struct vtun__ike_pl_info *vtun__ike_pl_info(uint8_t type);

/* Short name of a payload type for logs ("SA", "N"); "?" when unknown. */
const char *vtun__ike_payload_name(uint8_t type);

/* Validates @len bytes of a body of payload @type. Unknown types pass.
 * Returns 0 or VTUN_EMALFORMED with *why set. */
int vtun__ike_payload_validate(uint8_t type, const uint8_t *body, size_t len,
                               const char **why);

/* The start of every parser: VTUN_EINVAL unless @pl has type @type or
 * @alt, else the result of its validator. */
int vtun__ike_pl_check(const struct vtun__ike_payload *pl, uint8_t type,
                       uint8_t alt);

/* Validators end with this: sets *why to @text, returns VTUN_EMALFORMED. */
static inline int vtun__ike_bad(const char **why, const char *text) {
  *why = text;
  return VTUN_EMALFORMED;
}

/* KE (RFC 7296 §3.4). The data length must match the group when the
 * group is one the library knows. */
struct vtun__ike_ke {
  uint16_t group; /* enum vtun__ike_dh */
  const uint8_t *data;
  size_t len;
};

/* IDi or IDr (RFC 7296 §3.5). */
struct vtun__ike_id {
  uint8_t type; /* enum vtun__ike_id_type */
  const uint8_t *data;
  size_t len;
};

/* AUTH (RFC 7296 §3.8). */
struct vtun__ike_auth {
  uint8_t method; /* enum vtun__ike_auth_method */
  const uint8_t *data;
  size_t len;
};

/* Nonce (RFC 7296 §3.9), Vendor ID (§3.12), or any opaque body. */
struct vtun__ike_blob {
  const uint8_t *data;
  size_t len;
};

/* Notify (RFC 7296 §3.10). */
struct vtun__ike_notify {
  uint8_t proto;   /* enum vtun__ike_proto; 0 when there is no SPI */
  uint8_t spi_len; /* 0, 4 or 8 */
  uint16_t type;   /* enum vtun__ike_notify_error / _status */
  const uint8_t *spi;
  const uint8_t *data;
  size_t len;
};

/* Delete (RFC 7296 §3.11): no SPI for the IKE SA, 4-byte SPIs for AH and
 * ESP. */
struct vtun__ike_delete {
  uint8_t proto;
  uint8_t spi_len;
  uint16_t count;
  const uint8_t *spis; /* count * spi_len bytes */
};

/* Encrypted fragment header (RFC 7383 §2.5). */
struct vtun__ike_skf {
  uint16_t num;
  uint16_t total;
  const uint8_t *data; /* IV | encrypted data | ICV */
  size_t len;
};

/* Parsers: each validates @pl (a payload of the matching type) and fills
 * @out with pointers into pl->body. They return 0, VTUN_EMALFORMED for a
 * bad body, or VTUN_EINVAL when @pl has another type. */
int vtun__ike_ke_parse(const struct vtun__ike_payload *pl,
                       struct vtun__ike_ke *out);
int vtun__ike_id_parse(const struct vtun__ike_payload *pl,
                       struct vtun__ike_id *out);
int vtun__ike_auth_parse(const struct vtun__ike_payload *pl,
                         struct vtun__ike_auth *out);
int vtun__ike_nonce_parse(const struct vtun__ike_payload *pl,
                          struct vtun__ike_blob *out);
int vtun__ike_vendor_parse(const struct vtun__ike_payload *pl,
                           struct vtun__ike_blob *out);
int vtun__ike_notify_parse(const struct vtun__ike_payload *pl,
                           struct vtun__ike_notify *out);
int vtun__ike_delete_parse(const struct vtun__ike_payload *pl,
                           struct vtun__ike_delete *out);
int vtun__ike_skf_parse(const struct vtun__ike_payload *pl,
                        struct vtun__ike_skf *out);

/* The @i-th SPI of a Delete payload of AH or ESP; @i < d->count. */
uint32_t vtun__ike_delete_spi(const struct vtun__ike_delete *d, unsigned i);

/* Finds the first Notify of @type in @c and parses it into @out.
 * Returns 0, or VTUN_ENOENT when there is none. */
int vtun__ike_find_notify(const struct vtun__ike_chain *c, uint16_t type,
                          struct vtun__ike_notify *out);

/* Validators, for the table and for the fuzz target. */
int vtun__ike_ke_validate(const uint8_t *b, size_t n, const char **why);
int vtun__ike_id_validate(const uint8_t *b, size_t n, const char **why);
int vtun__ike_cert_validate(const uint8_t *b, size_t n, const char **why);
int vtun__ike_auth_validate(const uint8_t *b, size_t n, const char **why);
int vtun__ike_nonce_validate(const uint8_t *b, size_t n, const char **why);
int vtun__ike_notify_validate(const uint8_t *b, size_t n, const char **why);
int vtun__ike_delete_validate(const uint8_t *b, size_t n, const char **why);
int vtun__ike_vendor_validate(const uint8_t *b, size_t n, const char **why);
int vtun__ike_eap_validate(const uint8_t *b, size_t n, const char **why);
int vtun__ike_sk_validate(const uint8_t *b, size_t n, const char **why);
int vtun__ike_skf_validate(const uint8_t *b, size_t n, const char **why);

/* Builders: each appends one payload to @w and links it to the previous
 * one. They return 0, VTUN_ENOSPC when the buffer is full, or VTUN_EINVAL
 * for arguments the wire cannot carry; after an error the writer stays
 * failed (writer.h). @type of put_id is VTUN__IKE_PL_IDI or _IDR. */
int vtun__ike_put_ke(struct vtun__ike_writer *w, uint16_t group,
                     const uint8_t *data, size_t len);
int vtun__ike_put_nonce(struct vtun__ike_writer *w, const uint8_t *data,
                        size_t len);
int vtun__ike_put_id(struct vtun__ike_writer *w, uint8_t type, uint8_t id_type,
                     const uint8_t *data, size_t len);
int vtun__ike_put_auth(struct vtun__ike_writer *w, uint8_t method,
                       const uint8_t *data, size_t len);
int vtun__ike_put_notify(struct vtun__ike_writer *w,
                         const struct vtun__ike_notify *n);
int vtun__ike_put_delete(struct vtun__ike_writer *w,
                         const struct vtun__ike_delete *d);
int vtun__ike_put_vendor(struct vtun__ike_writer *w, const uint8_t *data,
                         size_t len);

/* Longest input of the NAT detection hash. */
#define VTUN__IKE_NATD_INPUT_MAX (8 + 8 + 16 + 2)

/* Lays out the input of a NAT_DETECTION_*_IP hash (RFC 7296 §2.23):
 * SPIi | SPIr | address | port, all in network order. @rspi is 0 in the
 * IKE_SA_INIT request. The SHA-1 itself is the engine's job. Returns the
 * number of bytes written, or 0 for an endpoint of no known family. */
size_t vtun__ike_natd_input(uint8_t out[VTUN__IKE_NATD_INPUT_MAX],
                            uint64_t ispi, uint64_t rspi,
                            const vtun_endpoint *ep);

#endif
