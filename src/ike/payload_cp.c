#include "ike/payload_cp.h"

#include "ike/payload.h"
#include "util/bytes.h"

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

/* Lengths RFC 7296 §3.15.1 (and RFC 5739 for the prefix) allow for the
 * attributes the library reads: @a or @b bytes, or a multiple of @step
 * when @step is set. Empty attributes are requests. */
struct cp_rule {
  uint16_t type;
  uint8_t a, b, step;
};

static const struct cp_rule cp_rules[] = {
    {VTUN__IKE_CP_INTERNAL_IP4_ADDRESS, 0, 4, 0},
    {VTUN__IKE_CP_INTERNAL_IP4_NETMASK, 0, 4, 0},
    {VTUN__IKE_CP_INTERNAL_IP4_DNS, 0, 4, 0},
    {VTUN__IKE_CP_INTERNAL_IP4_NBNS, 0, 4, 0},
    {VTUN__IKE_CP_INTERNAL_IP4_DHCP, 0, 4, 0},
    {VTUN__IKE_CP_INTERNAL_IP6_ADDRESS, 0, 17, 0},
    {VTUN__IKE_CP_INTERNAL_IP6_DNS, 0, 16, 0},
    {VTUN__IKE_CP_INTERNAL_IP6_DHCP, 0, 16, 0},
    {VTUN__IKE_CP_INTERNAL_IP4_SUBNET, 0, 8, 0},
    {VTUN__IKE_CP_SUPPORTED_ATTRIBUTES, 0, 0, 2},
    {VTUN__IKE_CP_INTERNAL_IP6_SUBNET, 0, 17, 0},
    {VTUN__IKE_CP_INTERNAL_IP6_PREFIX, 0, 17, 0},
};

static bool cp_len_ok(uint16_t type, uint16_t len) {
  for (size_t i = 0; i < COUNT(cp_rules); i++) {
    const struct cp_rule *r = &cp_rules[i];

    if (r->type != type)
      continue;
    if (r->step != 0)
      return len % r->step == 0;
    return len == r->a || len == r->b;
  }
  return true;
}

int vtun__ike_cp_validate(const uint8_t *b, size_t n, const char **why) {
  size_t off = 4;

  if (n < 4)
    return vtun__ike_bad(why, "CP shorter than its header");
  if (b[0] < VTUN__IKE_CFG_REQUEST || b[0] > VTUN__IKE_CFG_ACK)
    return vtun__ike_bad(why, "unknown CFG type");

  while (off < n) {
    uint16_t type, len;

    if (n - off < 4)
      return vtun__ike_bad(why, "truncated CP attribute");
    type = vtun__be16(b + off) & VTUN__IKE_CP_TYPE_MASK;
    len = vtun__be16(b + off + 2);
    if (len > n - off - 4)
      return vtun__ike_bad(why, "CP attribute beyond the payload");
    if (!cp_len_ok(type, len))
      return vtun__ike_bad(why, "CP attribute length wrong for its type");
    off += 4 + (size_t)len;
  }
  return 0;
}

int vtun__ike_cp_parse(const struct vtun__ike_payload *pl,
                       struct vtun__ike_cp *out) {
  int rc = vtun__ike_pl_check(pl, VTUN__IKE_PL_CP, VTUN__IKE_PL_CP);

  if (rc != 0)
    return rc;
  out->type = pl->body[0];
  out->attrs = pl->body + 4;
  out->len = pl->len - 4;
  return 0;
}

bool vtun__ike_cp_next(const struct vtun__ike_cp *cp, size_t *pos,
                       struct vtun__ike_cp_attr *out) {
  const uint8_t *p = cp->attrs + *pos;

  /* Validated already; the checks only keep a misuse in bounds. */
  if (*pos > cp->len || cp->len - *pos < 4)
    return false;
  out->type = vtun__be16(p) & VTUN__IKE_CP_TYPE_MASK;
  out->len = vtun__be16(p + 2);
  if (out->len > cp->len - *pos - 4)
    return false;
  out->value = p + 4;
  *pos += 4 + (size_t)out->len;
  return true;
}

int vtun__ike_put_cp(struct vtun__ike_writer *w, uint8_t cfg_type,
                     const struct vtun__ike_cp_attr *attrs, unsigned n) {
  size_t start;

  if (vtun__ike_w_open(w, VTUN__IKE_PL_CP, &start) != 0 ||
      vtun__ike_w_u32(w, (uint32_t)cfg_type << 24) != 0)
    return w->err;

  for (unsigned i = 0; i < n; i++) {
    const struct vtun__ike_cp_attr *a = &attrs[i];

    if (vtun__ike_w_u16(w, a->type & VTUN__IKE_CP_TYPE_MASK) != 0 ||
        vtun__ike_w_u16(w, a->len) != 0 ||
        vtun__ike_w_bytes(w, a->value, a->len) != 0)
      return w->err;
  }
  return vtun__ike_w_close(w, start);
}
