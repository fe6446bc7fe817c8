#include "ike/payload_ts.h"

#include <string.h>

#include "ike/payload.h"
#include "util/bytes.h"

/* Bytes of one address in a range selector of @type, or 0. */
static size_t ts_addr_len(uint8_t type) {
  if (type == VTUN__IKE_TS_IPV4_ADDR_RANGE)
    return 4;
  return type == VTUN__IKE_TS_IPV6_ADDR_RANGE ? 16 : 0;
}

/* Length of the selector at @p, with @avail bytes left, or 0 when it is
 * malformed. Every selector starts with type, one byte, and length
 * (RFC 7296 §3.13.1, RFC 9478 §2). */
static size_t ts_sel_len(const uint8_t *p, size_t avail) {
  size_t alen, len;

  if (avail < 4)
    return 0;
  len = vtun__be16(p + 2);
  alen = ts_addr_len(p[0]);
  if (alen != 0 && len != VTUN__IKE_TS_HDR_LEN + 2 * alen)
    return 0;
  return len >= 4 && len <= avail ? len : 0;
}

int vtun__ike_ts_validate(const uint8_t *b, size_t n, const char **why) {
  size_t off = 4;

  if (n < 4 || b[0] == 0)
    return vtun__ike_bad(why, "TS without selectors");

  for (unsigned i = 0; i < b[0]; i++) {
    size_t len = ts_sel_len(b + off, n - off);

    if (len == 0)
      return vtun__ike_bad(why, "bad traffic selector length");
    off += len;
  }

  if (off != n)
    return vtun__ike_bad(why, "TS count does not match its selectors");
  return 0;
}

int vtun__ike_ts_parse(const struct vtun__ike_payload *pl,
                       struct vtun__ike_ts_list *out) {
  int rc = vtun__ike_pl_check(pl, VTUN__IKE_PL_TSI, VTUN__IKE_PL_TSR);

  if (rc != 0)
    return rc;
  out->count = pl->body[0];
  out->sel = pl->body + 4;
  out->len = pl->len - 4;
  return 0;
}

bool vtun__ike_ts_next(const struct vtun__ike_ts_list *l, size_t *pos,
                       struct vtun__ike_ts *out) {
  const uint8_t *p = l->sel + *pos;
  size_t len, alen;

  if (*pos > l->len)
    return false;
  len = ts_sel_len(p, l->len - *pos);
  if (len == 0)
    return false;

  memset(out, 0, sizeof(*out));
  out->type = p[0];
  alen = ts_addr_len(p[0]);
  if (alen != 0) {
    out->proto = p[1];
    out->start_port = vtun__be16(p + 4);
    out->end_port = vtun__be16(p + 6);
    memcpy(out->start, p + VTUN__IKE_TS_HDR_LEN, alen);
    memcpy(out->end, p + VTUN__IKE_TS_HDR_LEN + alen, alen);
  }
  *pos += len;
  return true;
}

static int ts_put_one(struct vtun__ike_writer *w,
                      const struct vtun__ike_ts *ts) {
  size_t alen = ts_addr_len(ts->type);

  if (alen == 0)
    return vtun__ike_w_fail(w, VTUN_EINVAL);
  if (vtun__ike_w_u8(w, ts->type) != 0 || vtun__ike_w_u8(w, ts->proto) != 0 ||
      vtun__ike_w_u16(w, (uint16_t)(VTUN__IKE_TS_HDR_LEN + 2 * alen)) != 0 ||
      vtun__ike_w_u16(w, ts->start_port) != 0 ||
      vtun__ike_w_u16(w, ts->end_port) != 0 ||
      vtun__ike_w_bytes(w, ts->start, alen) != 0 ||
      vtun__ike_w_bytes(w, ts->end, alen) != 0)
    return w->err;
  return 0;
}

int vtun__ike_put_ts(struct vtun__ike_writer *w, uint8_t type,
                     const struct vtun__ike_ts *ts, unsigned n) {
  size_t start;

  if ((type != VTUN__IKE_PL_TSI && type != VTUN__IKE_PL_TSR) || n == 0 ||
      n > 255)
    return vtun__ike_w_fail(w, VTUN_EINVAL);
  if (vtun__ike_w_open(w, type, &start) != 0 ||
      vtun__ike_w_u32(w, (uint32_t)n << 24) != 0)
    return w->err;
  for (unsigned i = 0; i < n; i++)
    if (ts_put_one(w, &ts[i]) != 0)
      return w->err;
  return vtun__ike_w_close(w, start);
}
