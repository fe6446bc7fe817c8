#include "ike/payload.h"

#include <string.h>

#include "ike/payload_cp.h"
#include "ike/payload_sa.h"
#include "ike/payload_ts.h"
#include "util/addr.h"
#include "util/alg.h"
#include "util/bytes.h"

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

/* Every payload type the codec understands. RFC 7296 §2.5: the critical
 * bit of these is ignored; any other type is skipped unless critical. */
static const struct vtun__ike_pl_info pl_table[] = {
    {VTUN__IKE_PL_SA, "SA", vtun__ike_sa_pl_validate},
    {VTUN__IKE_PL_KE, "KE", vtun__ike_ke_validate},
    {VTUN__IKE_PL_IDI, "IDi", vtun__ike_id_validate},
    {VTUN__IKE_PL_IDR, "IDr", vtun__ike_id_validate},
    {VTUN__IKE_PL_CERT, "CERT", vtun__ike_cert_validate},
    {VTUN__IKE_PL_CERTREQ, "CERTREQ", vtun__ike_cert_validate},
    {VTUN__IKE_PL_AUTH, "AUTH", vtun__ike_auth_validate},
    {VTUN__IKE_PL_NONCE, "No", vtun__ike_nonce_validate},
    {VTUN__IKE_PL_NOTIFY, "N", vtun__ike_notify_validate},
    {VTUN__IKE_PL_DELETE, "D", vtun__ike_delete_validate},
    {VTUN__IKE_PL_VENDOR, "V", vtun__ike_vendor_validate},
    {VTUN__IKE_PL_TSI, "TSi", vtun__ike_ts_validate},
    {VTUN__IKE_PL_TSR, "TSr", vtun__ike_ts_validate},
    {VTUN__IKE_PL_SK, "SK", vtun__ike_sk_validate},
    {VTUN__IKE_PL_CP, "CP", vtun__ike_cp_validate},
    {VTUN__IKE_PL_EAP, "EAP", vtun__ike_eap_validate},
    {VTUN__IKE_PL_SKF, "SKF", vtun__ike_skf_validate},
};

const struct vtun__ike_pl_info *vtun__ike_pl_info(uint8_t type) {
  for (size_t i = 0; i < COUNT(pl_table); i++)
    if (pl_table[i].type == type)
      return &pl_table[i];
  return NULL;
}

const char *vtun__ike_payload_name(uint8_t type) {
  const struct vtun__ike_pl_info *info = vtun__ike_pl_info(type);

  return info != NULL ? info->name : "?";
}

int vtun__ike_payload_validate(uint8_t type, const uint8_t *body, size_t len,
                               const char **why) {
  const struct vtun__ike_pl_info *info = vtun__ike_pl_info(type);

  return info != NULL ? info->validate(body, len, why) : 0;
}

int vtun__ike_pl_check(const struct vtun__ike_payload *pl, uint8_t type,
                       uint8_t alt) {
  const char *why;

  if (pl->type != type && pl->type != alt)
    return VTUN_EINVAL;
  return vtun__ike_payload_validate(pl->type, pl->body, pl->len, &why);
}

/* ------------------------------------------------------------ validators */

int vtun__ike_ke_validate(const uint8_t *b, size_t n, const char **why) {
  const struct vtun__dh_info *dh;

  if (n < 5)
    return vtun__ike_bad(why, "KE without key exchange data");

  /* RFC 7296 §3.4: the public value has the group's exact length. */
  dh = vtun__dh_info(vtun__be16(b));
  if (dh != NULL && n - 4 != dh->publen)
    return vtun__ike_bad(why, "KE data length does not fit its group");
  return 0;
}

int vtun__ike_id_validate(const uint8_t *b, size_t n, const char **why) {
  if (n < 4)
    return vtun__ike_bad(why, "ID shorter than its header");

  /* RFC 7296 §3.5 fixes the address lengths; RFC 7619 §3 lets ID_NULL
   * be empty; every other type carries something. */
  switch (b[0]) {
  case VTUN__IKE_ID_IPV4_ADDR:
    return n == 8 ? 0 : vtun__ike_bad(why, "ID_IPV4_ADDR not 4 bytes");
  case VTUN__IKE_ID_IPV6_ADDR:
    return n == 20 ? 0 : vtun__ike_bad(why, "ID_IPV6_ADDR not 16 bytes");
  case VTUN__IKE_ID_NULL:
    return 0;
  default:
    return n > 4 ? 0 : vtun__ike_bad(why, "ID without data");
  }
}

int vtun__ike_cert_validate(const uint8_t *b, size_t n, const char **why) {
  (void)b;
  return n >= 1 ? 0 : vtun__ike_bad(why, "CERT without encoding");
}

int vtun__ike_auth_validate(const uint8_t *b, size_t n, const char **why) {
  (void)b;
  return n > 4 ? 0 : vtun__ike_bad(why, "AUTH without data");
}

int vtun__ike_nonce_validate(const uint8_t *b, size_t n, const char **why) {
  (void)b;
  if (n < VTUN__IKE_NONCE_MIN || n > VTUN__IKE_NONCE_MAX)
    return vtun__ike_bad(why, "nonce not 16 to 256 bytes");
  return 0;
}

int vtun__ike_vendor_validate(const uint8_t *b, size_t n, const char **why) {
  (void)b;
  return n >= 1 ? 0 : vtun__ike_bad(why, "empty vendor ID");
}

int vtun__ike_eap_validate(const uint8_t *b, size_t n, const char **why) {
  /* RFC 3748 §4: the EAP length covers the whole EAP message. */
  if (n < 4 || vtun__be16(b + 2) != n)
    return vtun__ike_bad(why, "EAP length does not match");
  return 0;
}

int vtun__ike_sk_validate(const uint8_t *b, size_t n, const char **why) {
  /* The IV and ICV sizes depend on the negotiated cipher, so only the
   * engine can check them. */
  (void)b;
  (void)n;
  (void)why;
  return 0;
}

int vtun__ike_skf_validate(const uint8_t *b, size_t n, const char **why) {
  uint16_t num, total;

  if (n < 4)
    return vtun__ike_bad(why, "SKF shorter than its header");

  /* RFC 7383 §2.5: numbers start at 1 and never pass the total. */
  num = vtun__be16(b);
  total = vtun__be16(b + 2);
  if (num == 0 || total == 0 || num > total)
    return vtun__ike_bad(why, "bad fragment number");
  return 0;
}

int vtun__ike_delete_validate(const uint8_t *b, size_t n, const char **why) {
  size_t count;

  if (n < 4)
    return vtun__ike_bad(why, "Delete shorter than its header");
  count = vtun__be16(b + 2);

  /* RFC 7296 §3.11: the IKE SA is deleted without SPIs, Child SAs by
   * their 4-byte inbound SPIs. */
  if (b[0] == VTUN__IKE_PROTO_IKE)
    return b[1] == 0 && count == 0 && n == 4
               ? 0
               : vtun__ike_bad(why, "Delete of IKE SA with SPIs");
  if (b[0] != VTUN__IKE_PROTO_AH && b[0] != VTUN__IKE_PROTO_ESP)
    return vtun__ike_bad(why, "Delete of an unknown protocol");
  if (b[1] != VTUN__IKE_CHILD_SPI_LEN || count == 0 || n != 4 + 4 * count)
    return vtun__ike_bad(why, "Delete SPI size or count wrong");
  return 0;
}

/* Data lengths of the notifications the library reads or sends; others
 * are not checked, since RFC 7296 §3.10.1 has unknown status types
 * ignored. @step 2 asks for an even length. @spi is the required SPI
 * size, or 0xff for any. */
struct pl_notify_rule {
  uint16_t type;
  uint8_t spi;
  uint8_t step;
  uint16_t min, max;
};

static const struct pl_notify_rule pl_notify_rules[] = {
    {VTUN__IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, 0xff, 1, 1, 1},
    {VTUN__IKE_N_INVALID_MAJOR_VERSION, 0xff, 1, 1, 1},
    {VTUN__IKE_N_INVALID_MESSAGE_ID, 0xff, 1, 4, 4},
    {VTUN__IKE_N_INVALID_KE_PAYLOAD, 0xff, 1, 2, 2},
    {VTUN__IKE_N_INITIAL_CONTACT, 0xff, 1, 0, 0},
    {VTUN__IKE_N_SET_WINDOW_SIZE, 0xff, 1, 4, 4},
    {VTUN__IKE_N_NAT_DETECTION_SOURCE_IP, 0xff, 1, 20, 20},
    {VTUN__IKE_N_NAT_DETECTION_DESTINATION_IP, 0xff, 1, 20, 20},
    {VTUN__IKE_N_COOKIE, 0xff, 1, 1, VTUN__IKE_COOKIE_MAX},
    {VTUN__IKE_N_USE_TRANSPORT_MODE, 0xff, 1, 0, 0},
    {VTUN__IKE_N_REKEY_SA, VTUN__IKE_CHILD_SPI_LEN, 1, 0, 0},
    {VTUN__IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED, 0xff, 1, 0, 0},
    {VTUN__IKE_N_NON_FIRST_FRAGMENTS_ALSO, 0xff, 1, 0, 0},
    {VTUN__IKE_N_MOBIKE_SUPPORTED, 0xff, 1, 0, 0},
    {VTUN__IKE_N_ADDITIONAL_IP4_ADDRESS, 0xff, 1, 4, 4},
    {VTUN__IKE_N_ADDITIONAL_IP6_ADDRESS, 0xff, 1, 16, 16},
    {VTUN__IKE_N_NO_ADDITIONAL_ADDRESSES, 0xff, 1, 0, 0},
    {VTUN__IKE_N_UPDATE_SA_ADDRESSES, 0xff, 1, 0, 0},
    {VTUN__IKE_N_COOKIE2, 0xff, 1, 8, 64},
    {VTUN__IKE_N_AUTH_LIFETIME, 0xff, 1, 4, 4},
    {VTUN__IKE_N_CHILDLESS_IKEV2_SUPPORTED, 0xff, 1, 0, 0},
    {VTUN__IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, 0xff, 1, 0, 0},
    {VTUN__IKE_N_SIGNATURE_HASH_ALGORITHMS, 0xff, 2, 2, 0xffff},
    {VTUN__IKE_N_INTERMEDIATE_EXCHANGE_SUPPORTED, 0xff, 1, 0, 0},
};

static int pl_notify_data(uint16_t type, uint8_t spi_len, size_t len,
                          const char **why) {
  for (size_t i = 0; i < COUNT(pl_notify_rules); i++) {
    const struct pl_notify_rule *r = &pl_notify_rules[i];

    if (r->type != type)
      continue;
    if (r->spi != 0xff && r->spi != spi_len)
      return vtun__ike_bad(why, "notify SPI size wrong for its type");
    if (len < r->min || len > r->max || len % r->step != 0)
      return vtun__ike_bad(why, "notify data length wrong for its type");
    return 0;
  }
  return 0;
}

int vtun__ike_notify_validate(const uint8_t *b, size_t n, const char **why) {
  uint8_t spi_len;

  if (n < 4)
    return vtun__ike_bad(why, "Notify shorter than its header");
  spi_len = b[1];
  if (spi_len > n - 4)
    return vtun__ike_bad(why, "Notify SPI beyond the payload");

  /* RFC 7296 §3.10: no SPI, a Child SA's, or (in old peers) an IKE
   * SA's. */
  if (spi_len == VTUN__IKE_CHILD_SPI_LEN && b[0] != VTUN__IKE_PROTO_AH &&
      b[0] != VTUN__IKE_PROTO_ESP)
    return vtun__ike_bad(why, "Notify SPI size wrong for its protocol");
  if (spi_len == VTUN__IKE_SPI_LEN && b[0] != VTUN__IKE_PROTO_IKE)
    return vtun__ike_bad(why, "Notify SPI size wrong for its protocol");
  if (spi_len != 0 && spi_len != VTUN__IKE_CHILD_SPI_LEN &&
      spi_len != VTUN__IKE_SPI_LEN)
    return vtun__ike_bad(why, "Notify SPI size not 0, 4 or 8");
  return pl_notify_data(vtun__be16(b + 2), spi_len, n - 4 - spi_len, why);
}

/* --------------------------------------------------------------- parsers */

int vtun__ike_ke_parse(const struct vtun__ike_payload *pl,
                       struct vtun__ike_ke *out) {
  int rc = vtun__ike_pl_check(pl, VTUN__IKE_PL_KE, VTUN__IKE_PL_KE);

  if (rc != 0)
    return rc;
  out->group = vtun__be16(pl->body);
  out->data = pl->body + 4;
  out->len = pl->len - 4;
  return 0;
}

int vtun__ike_id_parse(const struct vtun__ike_payload *pl,
                       struct vtun__ike_id *out) {
  int rc = vtun__ike_pl_check(pl, VTUN__IKE_PL_IDI, VTUN__IKE_PL_IDR);

  if (rc != 0)
    return rc;
  out->type = pl->body[0];
  out->data = pl->body + 4;
  out->len = pl->len - 4;
  return 0;
}

int vtun__ike_auth_parse(const struct vtun__ike_payload *pl,
                         struct vtun__ike_auth *out) {
  int rc = vtun__ike_pl_check(pl, VTUN__IKE_PL_AUTH, VTUN__IKE_PL_AUTH);

  if (rc != 0)
    return rc;
  out->method = pl->body[0];
  out->data = pl->body + 4;
  out->len = pl->len - 4;
  return 0;
}

static int pl_blob(const struct vtun__ike_payload *pl, uint8_t type,
                   struct vtun__ike_blob *out) {
  int rc = vtun__ike_pl_check(pl, type, type);

  if (rc != 0)
    return rc;
  out->data = pl->body;
  out->len = pl->len;
  return 0;
}

int vtun__ike_nonce_parse(const struct vtun__ike_payload *pl,
                          struct vtun__ike_blob *out) {
  return pl_blob(pl, VTUN__IKE_PL_NONCE, out);
}

int vtun__ike_vendor_parse(const struct vtun__ike_payload *pl,
                           struct vtun__ike_blob *out) {
  return pl_blob(pl, VTUN__IKE_PL_VENDOR, out);
}

int vtun__ike_notify_parse(const struct vtun__ike_payload *pl,
                           struct vtun__ike_notify *out) {
  int rc = vtun__ike_pl_check(pl, VTUN__IKE_PL_NOTIFY, VTUN__IKE_PL_NOTIFY);

  if (rc != 0)
    return rc;
  out->proto = pl->body[0];
  out->spi_len = pl->body[1];
  out->type = vtun__be16(pl->body + 2);
  out->spi = pl->body + 4;
  out->data = out->spi + out->spi_len;
  out->len = pl->len - 4 - out->spi_len;
  return 0;
}

int vtun__ike_delete_parse(const struct vtun__ike_payload *pl,
                           struct vtun__ike_delete *out) {
  int rc = vtun__ike_pl_check(pl, VTUN__IKE_PL_DELETE, VTUN__IKE_PL_DELETE);

  if (rc != 0)
    return rc;
  out->proto = pl->body[0];
  out->spi_len = pl->body[1];
  out->count = vtun__be16(pl->body + 2);
  out->spis = pl->body + 4;
  return 0;
}

uint32_t vtun__ike_delete_spi(const struct vtun__ike_delete *d, unsigned i) {
  if (d->spi_len != VTUN__IKE_CHILD_SPI_LEN || i >= d->count)
    return 0;
  return vtun__be32(d->spis + 4 * (size_t)i);
}

int vtun__ike_skf_parse(const struct vtun__ike_payload *pl,
                        struct vtun__ike_skf *out) {
  int rc = vtun__ike_pl_check(pl, VTUN__IKE_PL_SKF, VTUN__IKE_PL_SKF);

  if (rc != 0)
    return rc;
  out->num = vtun__be16(pl->body);
  out->total = vtun__be16(pl->body + 2);
  out->data = pl->body + 4;
  out->len = pl->len - 4;
  return 0;
}

int vtun__ike_find_notify(const struct vtun__ike_chain *c, uint16_t type,
                          struct vtun__ike_notify *out) {
  for (unsigned i = 0; i < c->count; i++) {
    if (c->pl[i].type != VTUN__IKE_PL_NOTIFY)
      continue;
    if (vtun__ike_notify_parse(&c->pl[i], out) == 0 && out->type == type)
      return 0;
  }
  return VTUN_ENOENT;
}

/* -------------------------------------------------------------- builders */

int vtun__ike_put_ke(struct vtun__ike_writer *w, uint16_t group,
                     const uint8_t *data, size_t len) {
  size_t start;

  if (vtun__ike_w_open(w, VTUN__IKE_PL_KE, &start) != 0 ||
      vtun__ike_w_u16(w, group) != 0 || vtun__ike_w_u16(w, 0) != 0 ||
      vtun__ike_w_bytes(w, data, len) != 0)
    return w->err;
  return vtun__ike_w_close(w, start);
}

int vtun__ike_put_nonce(struct vtun__ike_writer *w, const uint8_t *data,
                        size_t len) {
  if (len < VTUN__IKE_NONCE_MIN || len > VTUN__IKE_NONCE_MAX)
    return vtun__ike_w_fail(w, VTUN_EINVAL);
  return vtun__ike_put_raw(w, VTUN__IKE_PL_NONCE, data, len);
}

/* Appends the 1-byte type, 3 reserved bytes and data of ID and AUTH. */
static int pl_put_typed(struct vtun__ike_writer *w, uint8_t pl_type,
                        uint8_t sub, const uint8_t *data, size_t len) {
  size_t start;

  if (vtun__ike_w_open(w, pl_type, &start) != 0 ||
      vtun__ike_w_u32(w, (uint32_t)sub << 24) != 0 ||
      vtun__ike_w_bytes(w, data, len) != 0)
    return w->err;
  return vtun__ike_w_close(w, start);
}

int vtun__ike_put_id(struct vtun__ike_writer *w, uint8_t type, uint8_t id_type,
                     const uint8_t *data, size_t len) {
  if (type != VTUN__IKE_PL_IDI && type != VTUN__IKE_PL_IDR)
    return vtun__ike_w_fail(w, VTUN_EINVAL);
  return pl_put_typed(w, type, id_type, data, len);
}

int vtun__ike_put_auth(struct vtun__ike_writer *w, uint8_t method,
                       const uint8_t *data, size_t len) {
  return pl_put_typed(w, VTUN__IKE_PL_AUTH, method, data, len);
}

int vtun__ike_put_notify(struct vtun__ike_writer *w,
                         const struct vtun__ike_notify *n) {
  size_t start;

  if (vtun__ike_w_open(w, VTUN__IKE_PL_NOTIFY, &start) != 0 ||
      vtun__ike_w_u8(w, n->proto) != 0 || vtun__ike_w_u8(w, n->spi_len) != 0 ||
      vtun__ike_w_u16(w, n->type) != 0 ||
      vtun__ike_w_bytes(w, n->spi, n->spi_len) != 0 ||
      vtun__ike_w_bytes(w, n->data, n->len) != 0)
    return w->err;
  return vtun__ike_w_close(w, start);
}

int vtun__ike_put_delete(struct vtun__ike_writer *w,
                         const struct vtun__ike_delete *d) {
  size_t start;

  if (vtun__ike_w_open(w, VTUN__IKE_PL_DELETE, &start) != 0 ||
      vtun__ike_w_u8(w, d->proto) != 0 || vtun__ike_w_u8(w, d->spi_len) != 0 ||
      vtun__ike_w_u16(w, d->count) != 0 ||
      vtun__ike_w_bytes(w, d->spis, (size_t)d->count * d->spi_len) != 0)
    return w->err;
  return vtun__ike_w_close(w, start);
}

int vtun__ike_put_vendor(struct vtun__ike_writer *w, const uint8_t *data,
                         size_t len) {
  if (len == 0)
    return vtun__ike_w_fail(w, VTUN_EINVAL);
  return vtun__ike_put_raw(w, VTUN__IKE_PL_VENDOR, data, len);
}

size_t vtun__ike_natd_input(uint8_t out[VTUN__IKE_NATD_INPUT_MAX],
                            uint64_t ispi, uint64_t rspi,
                            const vtun_endpoint *ep) {
  size_t alen = vtun__ep_len(ep);

  if (alen == 0)
    return 0;
  vtun__put64(out, ispi);
  vtun__put64(out + 8, rspi);
  memcpy(out + 16, ep->addr, alen);
  vtun__put16(out + 16 + alen, ep->port);
  return 16 + alen + 2;
}
