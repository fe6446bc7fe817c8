/* IKEv2 message codec, building side: a writer appends the IKE header and
 * payloads to a buffer of the caller, links each payload's Next Payload
 * field to the one after it, and fixes the total length at the end
 * (RFC 7296 §3.1, §3.2). Nothing is allocated. The first error (buffer
 * full, argument the wire cannot carry) sticks: every later call returns
 * it and so does the finish call, so a caller may check once at the end.
 *
 * Encrypted messages are built in two writers. The inner chain goes into
 * a bare writer (no header) over a scratch buffer; the outer writer gets
 * the header, then vtun__ike_put_sk() copies the inner chain into an SK
 * payload with room for IV, padding and ICV, and says where they are. The
 * engine finishes the message, then encrypts in place. */
#ifndef VTUN_IKE_WRITER_H
#define VTUN_IKE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/msg.h"
#include "vtun/vtun.h"

struct vtun__ike_writer {
  uint8_t *buf;
  size_t cap;
  size_t len;
  size_t link;   /* offset of the Next Payload byte to patch next */
  uint8_t first; /* type of the first payload, 0 while none */
  bool has_hdr;  /* a message with an IKE header, not a bare chain */
  bool sealed;   /* an SK or SKF payload was added: nothing may follow */
  int err;       /* first error, 0 while none */
};

/* Starts a bare chain (no header) in @buf of @cap bytes. */
void vtun__ike_writer_init(struct vtun__ike_writer *w, uint8_t *buf,
                           size_t cap);

/* Writes the IKE header @h at the start of an empty writer. Its next and
 * length fields are filled in later; version is forced to 2.0. Returns
 * 0, VTUN_ENOSPC, or VTUN_EINVAL when payloads were written already. */
int vtun__ike_writer_hdr(struct vtun__ike_writer *w,
                         const struct vtun__ike_hdr *h);

/* Fixes the length field of a message and returns the number of bytes
 * written, or the writer's first error. */
vtun_ssize vtun__ike_writer_finish(struct vtun__ike_writer *w);

/* Type of the first payload written; what an SK payload carrying this
 * chain puts in its Next Payload field. */
uint8_t vtun__ike_writer_first(const struct vtun__ike_writer *w);

/* Framing for the payload builders of payload*.c: opens a payload of
 * @type (links it, writes a generic header, remembers its offset in
 * *start) and closes it (fills its length). Return 0 or the sticky
 * error; close gives VTUN_EINVAL beyond 65535 bytes. */
int vtun__ike_w_open(struct vtun__ike_writer *w, uint8_t type, size_t *start);
int vtun__ike_w_close(struct vtun__ike_writer *w, size_t start);

/* Appends raw bytes or big-endian integers; 0 or the sticky error
 * (VTUN_EINVAL for @p NULL with @n above 0). */
int vtun__ike_w_bytes(struct vtun__ike_writer *w, const void *p, size_t n);
int vtun__ike_w_u8(struct vtun__ike_writer *w, uint8_t v);
int vtun__ike_w_u16(struct vtun__ike_writer *w, uint16_t v);
int vtun__ike_w_u32(struct vtun__ike_writer *w, uint32_t v);

/* Records @err as the writer's error unless one is there already, and
 * returns the error that sticks. */
int vtun__ike_w_fail(struct vtun__ike_writer *w, int err);

/* Reserves @n bytes and returns where they are, or NULL (with the sticky
 * error set to VTUN_ENOSPC). The bytes are zeroed. */
uint8_t *vtun__ike_w_reserve(struct vtun__ike_writer *w, size_t n);

/* Stores a big-endian 16-bit value at offset @off, written before. */
void vtun__ike_w_patch16(struct vtun__ike_writer *w, size_t off, uint16_t v);

/* Appends a payload of @type whose body is @len opaque bytes. */
int vtun__ike_put_raw(struct vtun__ike_writer *w, uint8_t type,
                      const uint8_t *body, size_t len);

/* Sizes of the cipher protecting an SK payload. @block is the padding
 * boundary (1 or 0 for none); AEAD ciphers of RFC 5282 pad to 1. */
struct vtun__ike_sk_params {
  size_t iv_len;
  size_t block;
  size_t icv_len;
};

/* Where the parts of an SK payload ended up in the writer's buffer. The
 * engine fills @iv, encrypts @plain_len bytes at @plain in place (the
 * inner chain, padding, pad length) and writes the ICV at @icv, after
 * vtun__ike_writer_finish() since the header is authenticated. The
 * first @aad_len bytes of the message are the AEAD associated data
 * (RFC 5282 §5.1, RFC 7383 §2.5). */
struct vtun__ike_sk_layout {
  uint8_t *iv;
  uint8_t *plain;
  size_t plain_len;
  uint8_t *icv;
  size_t aad_len;
};

/* Appends an SK payload carrying the @len bytes of chain at @inner,
 * whose first payload is @first (RFC 7296 §3.14). The padding bytes are
 * zero. Nothing may be added after it. Returns 0, VTUN_ENOSPC or
 * VTUN_EINVAL. */
int vtun__ike_put_sk(struct vtun__ike_writer *w, uint8_t first,
                     const uint8_t *inner, size_t len,
                     const struct vtun__ike_sk_params *p,
                     struct vtun__ike_sk_layout *out);

/* The same for fragment @num of @total of a chain (RFC 7383 §2.5);
 * @first is 0 unless @num is 1. */
int vtun__ike_put_skf(struct vtun__ike_writer *w, uint8_t first, uint16_t num,
                      uint16_t total, const uint8_t *inner, size_t len,
                      const struct vtun__ike_sk_params *p,
                      struct vtun__ike_sk_layout *out);

/* Number of padding bytes (pad length byte excluded) that make @len
 * bytes of chain plus the pad length byte a multiple of @block. */
size_t vtun__ike_sk_padlen(size_t len, size_t block);

#endif
