#include "ike/payload_sa.h"

#include "ike/payload.h"
#include "util/bytes.h"

/* Header sizes of proposal, transform and attribute (RFC 7296 §3.3). */
enum { SA_PROP_HDR = 8, SA_XF_HDR = 8, SA_ATTR_HDR = 4 };

/* What one substructure walk needs: where it is, how far it goes. */
struct sa_cursor {
  const uint8_t *p;
  size_t off;
  size_t end;
};

/* Reads the length of the substructure at the cursor (header of @hdr
 * bytes, length at byte 2) and checks that it fits. 0 when it does not. */
static size_t sa_sub_len(const struct sa_cursor *c, size_t hdr) {
  size_t len;

  if (c->off > c->end || c->end - c->off < hdr)
    return 0;
  len = vtun__be16(c->p + c->off + 2);
  return len >= hdr && len <= c->end - c->off ? len : 0;
}

/* Checks the attributes of one transform (RFC 7296 §3.3.5). */
static int sa_attrs_check(const uint8_t *p, size_t n, const char **why) {
  bool keylen = false;
  size_t off = 0;

  while (off < n) {
    uint16_t type, val;

    if (n - off < SA_ATTR_HDR)
      return vtun__ike_bad(why, "truncated transform attribute");
    type = vtun__be16(p + off);
    val = vtun__be16(p + off + 2);
    if (!(type & VTUN__IKE_ATTR_TV) && val > n - off - SA_ATTR_HDR)
      return vtun__ike_bad(why, "attribute length beyond its transform");

    if ((type & ~VTUN__IKE_ATTR_TV) == VTUN__IKE_ATTR_KEY_LENGTH) {
      if (!(type & VTUN__IKE_ATTR_TV) || keylen || val == 0)
        return vtun__ike_bad(why, "bad or repeated key length attribute");
      keylen = true;
    }
    off += SA_ATTR_HDR + (type & VTUN__IKE_ATTR_TV ? 0 : val);
  }
  return 0;
}

/* Checks the transforms of one proposal and that there are @nxf. */
static int sa_xforms_check(const uint8_t *p, size_t n, unsigned nxf,
                           const char **why) {
  struct sa_cursor c = {p, 0, n};
  unsigned count = 0;

  while (c.off < n) {
    size_t len = sa_sub_len(&c, SA_XF_HDR);
    uint8_t mark = p[c.off];

    if (len == 0)
      return vtun__ike_bad(why, "bad transform length");
    if (sa_attrs_check(p + c.off + SA_XF_HDR, len - SA_XF_HDR, why) != 0)
      return VTUN_EMALFORMED;

    /* RFC 7296 §3.3.2: 3 while more follow, 0 on the last. */
    c.off += len;
    if (mark != (c.off < n ? VTUN__IKE_MORE_TRANSFORMS : VTUN__IKE_LAST))
      return vtun__ike_bad(why, "wrong last-transform marker");
    count++;
  }

  if (count != nxf)
    return vtun__ike_bad(why, "transform count does not match");
  return 0;
}

/* RFC 7296 §3.3.1: an IKE proposal has no SPI in IKE_SA_INIT and an
 * 8-byte one when rekeying; AH and ESP have 4 bytes. */
static bool sa_spi_ok(uint8_t proto, uint8_t spi_len) {
  if (proto == VTUN__IKE_PROTO_IKE)
    return spi_len == 0 || spi_len == VTUN__IKE_SPI_LEN;
  if (proto == VTUN__IKE_PROTO_AH || proto == VTUN__IKE_PROTO_ESP)
    return spi_len == VTUN__IKE_CHILD_SPI_LEN;
  return false;
}

/* Checks the proposal at the cursor and stores its length in *len. */
static int sa_prop_check(const struct sa_cursor *c, size_t *len,
                         const char **why) {
  const uint8_t *p = c->p + c->off;
  size_t xf_off;

  *len = sa_sub_len(c, SA_PROP_HDR);
  if (*len == 0)
    return vtun__ike_bad(why, "bad proposal length");
  if (!sa_spi_ok(p[5], p[6]))
    return vtun__ike_bad(why, "proposal protocol or SPI size wrong");
  if (p[4] == 0 || p[7] == 0)
    return vtun__ike_bad(why, "proposal number or transforms zero");

  xf_off = SA_PROP_HDR + p[6];
  if (xf_off > *len)
    return vtun__ike_bad(why, "proposal SPI beyond its length");
  return sa_xforms_check(p + xf_off, *len - xf_off, p[7], why);
}

/* Checks how proposal @p relates to the one before (@prev) and the
 * first (@first): with several, numbers go up by one from 1 (RFC 7296
 * §3.3.1), and IKE proposals never share a payload with Child SA ones. */
static int sa_prop_order(const uint8_t *first, const uint8_t *prev,
                         const uint8_t *p, const char **why) {
  if (prev == NULL)
    return 0;
  if (first[4] != 1 || prev[4] + 1 != p[4])
    return vtun__ike_bad(why, "proposal numbers not consecutive from 1");
  if ((prev[5] == VTUN__IKE_PROTO_IKE) != (p[5] == VTUN__IKE_PROTO_IKE))
    return vtun__ike_bad(why, "IKE and Child SA proposals mixed");
  return 0;
}

int vtun__ike_sa_pl_validate(const uint8_t *b, size_t n, const char **why) {
  struct sa_cursor c = {b, 0, n};
  const uint8_t *prev = NULL;

  if (n == 0)
    return vtun__ike_bad(why, "SA without proposals");
  while (c.off < n) {
    const uint8_t *p = b + c.off;
    size_t len;

    if (sa_prop_check(&c, &len, why) != 0 ||
        sa_prop_order(b, prev, p, why) != 0)
      return VTUN_EMALFORMED;

    /* RFC 7296 §3.3.1: 2 while more follow, 0 on the last. */
    c.off += len;
    if (p[0] != (c.off < n ? VTUN__IKE_MORE_PROPOSALS : VTUN__IKE_LAST))
      return vtun__ike_bad(why, "wrong last-proposal marker");
    prev = p;
  }
  return 0;
}

int vtun__ike_sa_pl_parse(const struct vtun__ike_payload *pl,
                          struct vtun__ike_sa_pl *out) {
  struct vtun__ike_prop prop;
  size_t pos = 0;
  int rc = vtun__ike_pl_check(pl, VTUN__IKE_PL_SA, VTUN__IKE_PL_SA);

  if (rc != 0)
    return rc;
  out->body = pl->body;
  out->len = pl->len;
  out->nprop = 0;
  while (vtun__ike_sa_pl_next(out, &pos, &prop))
    out->nprop++;
  return 0;
}

bool vtun__ike_sa_pl_next(const struct vtun__ike_sa_pl *sa, size_t *pos,
                          struct vtun__ike_prop *out) {
  struct sa_cursor c = {sa->body, *pos, sa->len};
  size_t len = sa_sub_len(&c, SA_PROP_HDR);
  const uint8_t *p = sa->body + *pos;

  /* Validated already; the checks only keep a misuse in bounds. */
  if (len == 0 || SA_PROP_HDR + (size_t)p[6] > len)
    return false;
  out->num = p[4];
  out->proto = p[5];
  out->spi_len = p[6];
  out->nxf = p[7];
  out->spi = p + SA_PROP_HDR;
  out->xf = out->spi + out->spi_len;
  out->xf_len = len - SA_PROP_HDR - out->spi_len;
  *pos += len;
  return true;
}

/* Reads the attributes of a validated transform into @out. */
static void sa_attrs_read(const uint8_t *p, size_t n,
                          struct vtun__ike_xform *out) {
  size_t off = 0;

  out->keylen = 0;
  out->unknown_attr = false;
  while (off <= n && n - off >= SA_ATTR_HDR) {
    uint16_t type = vtun__be16(p + off);
    uint16_t val = vtun__be16(p + off + 2);

    if (type == (VTUN__IKE_ATTR_TV | VTUN__IKE_ATTR_KEY_LENGTH))
      out->keylen = val;
    else
      out->unknown_attr = true;
    off += SA_ATTR_HDR + (type & VTUN__IKE_ATTR_TV ? 0 : val);
  }
}

bool vtun__ike_prop_next(const struct vtun__ike_prop *prop, size_t *pos,
                         struct vtun__ike_xform *out) {
  struct sa_cursor c = {prop->xf, *pos, prop->xf_len};
  size_t len = sa_sub_len(&c, SA_XF_HDR);
  const uint8_t *p = prop->xf + *pos;

  if (len == 0)
    return false;
  out->type = p[4];
  out->id = vtun__be16(p + 6);
  sa_attrs_read(p + SA_XF_HDR, len - SA_XF_HDR, out);
  *pos += len;
  return true;
}

/* --------------------------------------------------------------- builder */

static int sa_put_xform(struct vtun__ike_writer *w,
                        const struct vtun__ike_xform *xf, bool last) {
  uint16_t len = xf->keylen != 0 ? SA_XF_HDR + SA_ATTR_HDR : SA_XF_HDR;
  uint8_t mark = last ? VTUN__IKE_LAST : VTUN__IKE_MORE_TRANSFORMS;
  uint16_t attr = VTUN__IKE_ATTR_TV | VTUN__IKE_ATTR_KEY_LENGTH;

  if (vtun__ike_w_u8(w, mark) != 0 || vtun__ike_w_u8(w, 0) != 0 ||
      vtun__ike_w_u16(w, len) != 0 || vtun__ike_w_u8(w, xf->type) != 0 ||
      vtun__ike_w_u8(w, 0) != 0 || vtun__ike_w_u16(w, xf->id) != 0)
    return w->err;
  if (xf->keylen == 0)
    return 0;
  if (vtun__ike_w_u16(w, attr) != 0 || vtun__ike_w_u16(w, xf->keylen) != 0)
    return w->err;
  return 0;
}

static int sa_put_prop(struct vtun__ike_writer *w,
                       const struct vtun__ike_prop_spec *p, bool last) {
  uint8_t mark = last ? VTUN__IKE_LAST : VTUN__IKE_MORE_PROPOSALS;
  size_t start = w->len;

  if (p->nxf == 0 || p->nxf > 255)
    return vtun__ike_w_fail(w, VTUN_EINVAL);
  if (vtun__ike_w_u8(w, mark) != 0 || vtun__ike_w_u8(w, 0) != 0 ||
      vtun__ike_w_u16(w, 0) != 0 || vtun__ike_w_u8(w, p->num) != 0 ||
      vtun__ike_w_u8(w, p->proto) != 0 || vtun__ike_w_u8(w, p->spi_len) != 0 ||
      vtun__ike_w_u8(w, (uint8_t)p->nxf) != 0 ||
      vtun__ike_w_bytes(w, p->spi, p->spi_len) != 0)
    return w->err;

  for (unsigned i = 0; i < p->nxf; i++)
    if (sa_put_xform(w, &p->xf[i], i + 1 == p->nxf) != 0)
      return w->err;

  /* The payload's own length check (65535) bounds this one too. */
  if (w->len - start > 0xffff)
    return vtun__ike_w_fail(w, VTUN_EINVAL);
  vtun__ike_w_patch16(w, start + 2, (uint16_t)(w->len - start));
  return 0;
}

int vtun__ike_put_sa(struct vtun__ike_writer *w,
                     const struct vtun__ike_prop_spec *props, unsigned n) {
  size_t start;

  if (n == 0)
    return vtun__ike_w_fail(w, VTUN_EINVAL);
  if (vtun__ike_w_open(w, VTUN__IKE_PL_SA, &start) != 0)
    return w->err;
  for (unsigned i = 0; i < n; i++)
    if (sa_put_prop(w, &props[i], i + 1 == n) != 0)
      return w->err;
  return vtun__ike_w_close(w, start);
}
