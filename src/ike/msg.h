/* IKEv2 message codec, parsing side: the IKE header and the chain of
 * generic payloads (RFC 7296 §3.1, §3.2). Bytes only: no state, no crypto.
 * The parsed form points into the caller's buffer and allocates nothing;
 * it stays valid as long as that buffer does. Every payload of a type the
 * codec knows is validated (payload.h) while the chain is walked, so a
 * parsed chain only holds well-formed payloads. */
#ifndef VTUN_IKE_MSG_H
#define VTUN_IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ikev2_wire.h"

/* LIMITATION: a message or decrypted chain with more than 32 payloads is
 * refused as malformed (INVALID_SYNTAX); no peer we know sends as many. */
#define VTUN__IKE_MAX_PAYLOADS 32

/* The IKE header (RFC 7296 §3.1), fields in host order. */
struct vtun__ike_hdr {
  uint64_t ispi;    /* initiator's SPI */
  uint64_t rspi;    /* responder's SPI, 0 in a first IKE_SA_INIT */
  uint8_t next;     /* type of the first payload */
  uint8_t version;  /* major << 4 | minor */
  uint8_t exchange; /* enum vtun__ike_exchange */
  uint8_t flags;    /* VTUN__IKE_FLAG_* */
  uint32_t msgid;
  uint32_t length; /* whole message, header included */
};

/* One payload of a chain. @body and @len exclude the 4-byte generic
 * header; for IDi/IDr the body is what RFC 7296 §2.15 calls
 * RestOfInitIDPayload. */
struct vtun__ike_payload {
  uint8_t type;
  bool critical;
  const uint8_t *body;
  size_t len;
};

/* Why a parse failed, for the log line and for the error notification
 * the engine may send back. */
struct vtun__ike_fail {
  const char *why; /* static text, never NULL after a failure */
  uint16_t notify; /* INVALID_SYNTAX, UNSUPPORTED_CRITICAL_PAYLOAD,
                      INVALID_MAJOR_VERSION, or 0 to stay silent */
  uint8_t payload; /* type of the failing payload, 0 for the header; the
                      type to report in UNSUPPORTED_CRITICAL_PAYLOAD */
  uint8_t index;   /* its position in the chain */
  size_t offset;   /* byte offset of its generic header in the buffer */
};

/* A parsed chain of payloads. */
struct vtun__ike_chain {
  struct vtun__ike_payload pl[VTUN__IKE_MAX_PAYLOADS];
  unsigned count;
  struct vtun__ike_fail fail;
};

/* The encrypted payload closing a message (SK, or SKF of RFC 7383), left
 * encrypted. @aad_len bytes from the message start are what AEAD ciphers
 * authenticate (RFC 5282 §5.1, RFC 7383 §2.5); the integrity of other
 * ciphers covers the message up to the ICV (RFC 7296 §3.14). */
struct vtun__ike_sk {
  uint8_t type;        /* VTUN__IKE_PL_SK or _SKF; 0 when absent */
  uint8_t first;       /* first inner payload; 0 in later fragments */
  uint16_t frag_num;   /* SKF: this fragment, from 1; SK: 1 */
  uint16_t frag_total; /* SKF: number of fragments; SK: 1 */
  const uint8_t *data; /* IV | encrypted data | ICV */
  size_t len;
  size_t aad_len;
};

/* A parsed message: header, payloads, encrypted payload if any. */
struct vtun__ike_msg {
  struct vtun__ike_hdr hdr;
  const uint8_t *raw; /* the whole message, for AUTH (RFC 7296 §2.15) */
  size_t raw_len;
  struct vtun__ike_chain chain; /* the SK/SKF payload is its last entry */
  struct vtun__ike_sk sk;
};

/* Parses the IKE header of @buf into @out. Only checks what the header
 * itself can tell: at least 28 bytes, major version 2, a length field
 * equal to @len, a nonzero initiator SPI. Flags other than I, V and R and
 * the minor version are ignored (RFC 7296 §3.1). Returns 0 or
 * VTUN_EMALFORMED, with @fail filled. */
int vtun__ike_hdr_parse(const uint8_t *buf, size_t len,
                        struct vtun__ike_hdr *out, struct vtun__ike_fail *fail);

/* Parses and validates a whole datagram (without the non-ESP marker):
 * header, then every payload (RFC 7296 §3.2). Unknown payloads are
 * skipped unless critical (RFC 7296 §2.5). An SK or SKF payload must be
 * last; it is recorded in out->sk, not decrypted. Returns 0 or
 * VTUN_EMALFORMED with out->chain.fail saying why. */
int vtun__ike_msg_parse(const uint8_t *buf, size_t len,
                        struct vtun__ike_msg *out);

/* Parses a chain that starts with a payload of type @first and fills
 * exactly @len bytes, such as the decrypted content of an SK payload
 * (padding removed, see vtun__ike_sk_unpad). An SK or SKF payload inside
 * is malformed. Returns 0 or VTUN_EMALFORMED with out->fail set; offsets
 * count from @buf. */
int vtun__ike_chain_parse(uint8_t first, const uint8_t *buf, size_t len,
                          struct vtun__ike_chain *out);

/* The first payload of @type at position @from or later, or NULL. */
const struct vtun__ike_payload *
vtun__ike_chain_find(const struct vtun__ike_chain *c, uint8_t type,
                     unsigned from);

/* Number of payloads of @type in @c. */
unsigned vtun__ike_chain_count(const struct vtun__ike_chain *c, uint8_t type);

/* Removes the padding and pad length byte from decrypted SK content
 * (RFC 7296 §3.14) and stores the length of the inner chain in
 * @inner_len. Returns 0 or VTUN_EMALFORMED when the pad length claims
 * more than there is. */
int vtun__ike_sk_unpad(const uint8_t *plain, size_t len, size_t *inner_len);

/* Short name of an exchange type for logs ("IKE_AUTH"); "?" when
 * unknown. Payload names are in payload.h. */
const char *vtun__ike_exchange_name(uint8_t exchange);

#endif
