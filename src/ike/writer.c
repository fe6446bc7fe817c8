#include "ike/writer.h"

#include <string.h>

#include "util/bytes.h"

/* No Next Payload byte waits for a type. */
#define WRITER_NO_LINK SIZE_MAX

/* Largest payload, generic header included (RFC 7296 §3.2). */
#define WRITER_PAYLOAD_MAX 0xffff

int vtun__ike_w_fail(struct vtun__ike_writer *w, int err) {
  if (w->err == 0)
    w->err = err;
  return w->err;
}

void vtun__ike_writer_init(struct vtun__ike_writer *w, uint8_t *buf,
                           size_t cap) {
  memset(w, 0, sizeof(*w));
  w->buf = buf;
  w->cap = buf != NULL ? cap : 0;
  w->link = WRITER_NO_LINK;
}

uint8_t *vtun__ike_w_reserve(struct vtun__ike_writer *w, size_t n) {
  uint8_t *p;

  if (w->err != 0)
    return NULL;
  if (w->buf == NULL || n > w->cap - w->len) {
    vtun__ike_w_fail(w, VTUN_ENOSPC);
    return NULL;
  }

  p = w->buf + w->len;
  memset(p, 0, n);
  w->len += n;
  return p;
}

int vtun__ike_w_bytes(struct vtun__ike_writer *w, const void *p, size_t n) {
  uint8_t *dst;

  if (n == 0)
    return w->err;
  if (p == NULL)
    return vtun__ike_w_fail(w, VTUN_EINVAL);
  dst = vtun__ike_w_reserve(w, n);
  if (dst == NULL)
    return w->err;
  memcpy(dst, p, n);
  return 0;
}

int vtun__ike_w_u8(struct vtun__ike_writer *w, uint8_t v) {
  return vtun__ike_w_bytes(w, &v, 1);
}

int vtun__ike_w_u16(struct vtun__ike_writer *w, uint16_t v) {
  uint8_t b[2];

  vtun__put16(b, v);
  return vtun__ike_w_bytes(w, b, sizeof(b));
}

int vtun__ike_w_u32(struct vtun__ike_writer *w, uint32_t v) {
  uint8_t b[4];

  vtun__put32(b, v);
  return vtun__ike_w_bytes(w, b, sizeof(b));
}

void vtun__ike_w_patch16(struct vtun__ike_writer *w, size_t off, uint16_t v) {
  if (w->err == 0 && off + 2 <= w->len)
    vtun__put16(w->buf + off, v);
}

int vtun__ike_writer_hdr(struct vtun__ike_writer *w,
                         const struct vtun__ike_hdr *h) {
  uint8_t *p;

  if (w->len != 0 || w->has_hdr)
    return vtun__ike_w_fail(w, VTUN_EINVAL);
  p = vtun__ike_w_reserve(w, VTUN__IKE_HDR_LEN);
  if (p == NULL)
    return w->err;

  vtun__put64(p, h->ispi);
  vtun__put64(p + 8, h->rspi);
  p[17] = VTUN__IKE_VERSION;
  p[18] = h->exchange;
  p[19] = h->flags;
  vtun__put32(p + 20, h->msgid);
  w->has_hdr = true;
  w->link = 16;
  return 0;
}

vtun_ssize vtun__ike_writer_finish(struct vtun__ike_writer *w) {
  if (w->err != 0)
    return w->err;
  if (w->has_hdr)
    vtun__put32(w->buf + 24, (uint32_t)w->len);
  return (vtun_ssize)w->len;
}

uint8_t vtun__ike_writer_first(const struct vtun__ike_writer *w) {
  return w->first;
}

int vtun__ike_w_open(struct vtun__ike_writer *w, uint8_t type, size_t *start) {
  uint8_t *p;

  if (w->sealed)
    return vtun__ike_w_fail(w, VTUN_EINVAL);
  *start = w->len;
  p = vtun__ike_w_reserve(w, VTUN__IKE_GEN_HDR_LEN);
  if (p == NULL)
    return w->err;

  /* The previous payload (or the header) names this one; this one says
   * "none" until another follows. The critical bit stays clear: every
   * payload we send is one RFC 7296 defines. */
  if (w->link != WRITER_NO_LINK)
    w->buf[w->link] = type;
  if (w->first == VTUN__IKE_PL_NONE)
    w->first = type;
  w->link = *start;
  return 0;
}

int vtun__ike_w_close(struct vtun__ike_writer *w, size_t start) {
  size_t n;

  if (w->err != 0)
    return w->err;
  n = w->len - start;
  if (n > WRITER_PAYLOAD_MAX)
    return vtun__ike_w_fail(w, VTUN_EINVAL);
  vtun__ike_w_patch16(w, start + 2, (uint16_t)n);
  return 0;
}

int vtun__ike_put_raw(struct vtun__ike_writer *w, uint8_t type,
                      const uint8_t *body, size_t len) {
  size_t start;

  if (vtun__ike_w_open(w, type, &start) != 0 ||
      vtun__ike_w_bytes(w, body, len) != 0)
    return w->err;
  return vtun__ike_w_close(w, start);
}

size_t vtun__ike_sk_padlen(size_t len, size_t block) {
  if (block <= 1)
    return 0;
  return (block - (len + 1) % block) % block;
}

/* Lays out IV | inner chain | padding | pad length | ICV after the
 * payload header (and fragment fields) already written. */
static int writer_sk_body(struct vtun__ike_writer *w, const uint8_t *inner,
                          size_t len, const struct vtun__ike_sk_params *p,
                          struct vtun__ike_sk_layout *out) {
  size_t pad = vtun__ike_sk_padlen(len, p->block);
  size_t plain_len = len + pad + 1;
  uint8_t *body;

  out->aad_len = w->len;
  body = vtun__ike_w_reserve(w, p->iv_len + plain_len + p->icv_len);
  if (body == NULL)
    return w->err;

  out->iv = body;
  out->plain = body + p->iv_len;
  out->plain_len = plain_len;
  out->icv = out->plain + plain_len;
  if (len > 0)
    memcpy(out->plain, inner, len);
  out->plain[plain_len - 1] = (uint8_t)pad;
  return 0;
}

/* Opens an SK or SKF payload whose Next Payload field is @first, the
 * inner type, and closes the chain behind it (RFC 7296 §3.14). */
static int writer_seal(struct vtun__ike_writer *w, uint8_t type, uint8_t first,
                       size_t *start) {
  if (vtun__ike_w_open(w, type, start) != 0)
    return w->err;
  w->buf[*start] = first;
  w->link = WRITER_NO_LINK;
  w->sealed = true;
  return 0;
}

/* Rejects sizes that cannot fit one payload, before any arithmetic. */
static bool writer_sk_sane(size_t len, const struct vtun__ike_sk_params *p) {
  return len <= WRITER_PAYLOAD_MAX && p->iv_len <= WRITER_PAYLOAD_MAX &&
         p->icv_len <= WRITER_PAYLOAD_MAX && p->block <= 256;
}

int vtun__ike_put_sk(struct vtun__ike_writer *w, uint8_t first,
                     const uint8_t *inner, size_t len,
                     const struct vtun__ike_sk_params *p,
                     struct vtun__ike_sk_layout *out) {
  size_t start;

  if (!writer_sk_sane(len, p))
    return vtun__ike_w_fail(w, VTUN_EINVAL);
  if (writer_seal(w, VTUN__IKE_PL_SK, first, &start) != 0 ||
      writer_sk_body(w, inner, len, p, out) != 0)
    return w->err;
  return vtun__ike_w_close(w, start);
}

int vtun__ike_put_skf(struct vtun__ike_writer *w, uint8_t first, uint16_t num,
                      uint16_t total, const uint8_t *inner, size_t len,
                      const struct vtun__ike_sk_params *p,
                      struct vtun__ike_sk_layout *out) {
  size_t start;

  /* RFC 7383 §2.5: fragments count from 1, and only the first one names
   * the inner payload. */
  if (!writer_sk_sane(len, p) || num == 0 || num > total ||
      (num > 1 && first != VTUN__IKE_PL_NONE))
    return vtun__ike_w_fail(w, VTUN_EINVAL);
  if (writer_seal(w, VTUN__IKE_PL_SKF, first, &start) != 0 ||
      vtun__ike_w_u16(w, num) != 0 || vtun__ike_w_u16(w, total) != 0 ||
      writer_sk_body(w, inner, len, p, out) != 0)
    return w->err;
  return vtun__ike_w_close(w, start);
}
