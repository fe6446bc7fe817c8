#include "ike/msg.h"

#include <string.h>

#include "ike/payload.h"
#include "util/bytes.h"
#include "vtun/vtun.h"

/* State of one walk over a chain of generic payloads. Offsets count from
 * @buf, which is the message start or the start of a bare chain. */
struct msg_walk {
  const uint8_t *buf;
  size_t off;
  size_t end;
  uint8_t next;
  bool allow_sk;
  struct vtun__ike_sk *sk;
};

static int msg_fail(struct vtun__ike_fail *f, const char *why, uint16_t notify,
                    uint8_t type, size_t off) {
  f->why = why;
  f->notify = notify;
  f->payload = type;
  f->offset = off;
  return VTUN_EMALFORMED;
}

static int msg_bad(struct vtun__ike_chain *c, const struct msg_walk *mw,
                   uint8_t type, const char *why) {
  c->fail.index = (uint8_t)c->count;
  return msg_fail(&c->fail, why, VTUN__IKE_N_INVALID_SYNTAX, type, mw->off);
}

int vtun__ike_hdr_parse(const uint8_t *buf, size_t len,
                        struct vtun__ike_hdr *out,
                        struct vtun__ike_fail *fail) {
  if (len < VTUN__IKE_HDR_LEN)
    return msg_fail(fail, "shorter than an IKE header", 0, 0, 0);

  out->ispi = vtun__be64(buf);
  out->rspi = vtun__be64(buf + 8);
  out->next = buf[16];
  out->version = buf[17];
  out->exchange = buf[18];
  out->flags = buf[19];
  out->msgid = vtun__be32(buf + 20);
  out->length = vtun__be32(buf + 24);

  /* RFC 7296 §2.5: a higher major version earns INVALID_MAJOR_VERSION;
   * the minor version is ignored. */
  if (out->version >> 4 > 2)
    return msg_fail(fail, "major version above 2",
                    VTUN__IKE_N_INVALID_MAJOR_VERSION, 0, 17);
  /* LIMITATION: IKEv1 is not implemented; an IKEv1 message (major
   * version 1) is dropped without an answer, so a peer that allows only
   * IKEv1 never negotiates. */
  if (out->version >> 4 != 2)
    return msg_fail(fail, "not an IKEv2 message", 0, 0, 17);
  if (out->length != len)
    return msg_fail(fail, "length field differs from the datagram", 0, 0, 24);

  /* RFC 7296 §3.1: the initiator's SPI is never zero. */
  if (out->ispi == 0)
    return msg_fail(fail, "initiator SPI is zero", 0, 0, 0);
  return 0;
}

/* Records the SK or SKF payload @pl that closes the chain. Its Next
 * Payload field names the first inner payload, not a following one, so
 * it must reach the end of the message (RFC 7296 §3.14). */
static int msg_seal(struct msg_walk *mw, struct vtun__ike_chain *c,
                    const struct vtun__ike_payload *pl, uint8_t first) {
  struct vtun__ike_sk *sk = mw->sk;
  size_t hdr = pl->type == VTUN__IKE_PL_SKF ? 4 : 0;

  if (!mw->allow_sk)
    return msg_bad(c, mw, pl->type, "encrypted payload inside SK");
  if ((size_t)(pl->body - mw->buf) + pl->len != mw->end)
    return msg_bad(c, mw, pl->type, "encrypted payload is not last");

  sk->type = pl->type;
  sk->first = first;
  sk->frag_num = hdr ? vtun__be16(pl->body) : 1;
  sk->frag_total = hdr ? vtun__be16(pl->body + 2) : 1;
  sk->data = pl->body + hdr;
  sk->len = pl->len - hdr;
  sk->aad_len = (size_t)(sk->data - mw->buf);

  /* RFC 7383 §2.5: only the first fragment names the inner payload. */
  if (sk->frag_num > 1 && first != VTUN__IKE_PL_NONE)
    return msg_bad(c, mw, pl->type, "later fragment names a payload");
  mw->next = VTUN__IKE_PL_NONE;
  return 0;
}

/* Checks the body of @pl: with its validator when the type is known,
 * else by its critical bit (RFC 7296 §2.5). Sets *keep when the payload
 * belongs in the parsed chain. */
static int msg_check(struct msg_walk *mw, struct vtun__ike_chain *c,
                     const struct vtun__ike_payload *pl, bool *keep) {
  const struct vtun__ike_pl_info *info = vtun__ike_pl_info(pl->type);
  const char *why = NULL;

  *keep = info != NULL;
  if (info == NULL && !pl->critical)
    return 0;
  if (info == NULL) {
    c->fail.index = (uint8_t)c->count;
    return msg_fail(&c->fail, "unknown critical payload",
                    VTUN__IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, pl->type,
                    mw->off);
  }
  if (info->validate(pl->body, pl->len, &why) != 0)
    return msg_bad(c, mw, pl->type, why);
  return 0;
}

/* Reads the generic header at the walk's offset and moves past it. */
static int msg_step(struct msg_walk *mw, struct vtun__ike_chain *c) {
  const uint8_t *p = mw->buf + mw->off;
  struct vtun__ike_payload pl = {.type = mw->next};
  size_t plen;
  bool keep;
  int rc;

  if (mw->end - mw->off < VTUN__IKE_GEN_HDR_LEN)
    return msg_bad(c, mw, pl.type, "truncated payload header");
  plen = vtun__be16(p + 2);
  if (plen < VTUN__IKE_GEN_HDR_LEN || plen > mw->end - mw->off)
    return msg_bad(c, mw, pl.type, "bad payload length");

  /* RFC 7296 §3.2: the seven reserved bits are ignored on receipt. */
  pl.critical = (p[1] & VTUN__IKE_CRITICAL) != 0;
  pl.body = p + VTUN__IKE_GEN_HDR_LEN;
  pl.len = plen - VTUN__IKE_GEN_HDR_LEN;
  mw->next = p[0];

  rc = msg_check(mw, c, &pl, &keep);
  if (rc == 0 && keep && c->count == VTUN__IKE_MAX_PAYLOADS)
    rc = msg_bad(c, mw, pl.type, "too many payloads");
  if (rc == 0 && (pl.type == VTUN__IKE_PL_SK || pl.type == VTUN__IKE_PL_SKF))
    rc = msg_seal(mw, c, &pl, p[0]);
  if (rc != 0)
    return rc;

  if (keep)
    c->pl[c->count++] = pl;
  mw->off += plen;
  return 0;
}

static int msg_walk_all(struct msg_walk *mw, struct vtun__ike_chain *c) {
  memset(c, 0, sizeof(*c));
  while (mw->next != VTUN__IKE_PL_NONE) {
    int rc = msg_step(mw, c);

    if (rc != 0)
      return rc;
  }

  /* The last payload says "none"; nothing may follow it. */
  if (mw->off != mw->end)
    return msg_bad(c, mw, 0, "bytes after the last payload");
  return 0;
}

int vtun__ike_msg_parse(const uint8_t *buf, size_t len,
                        struct vtun__ike_msg *out) {
  struct msg_walk mw = {.buf = buf,
                        .off = VTUN__IKE_HDR_LEN,
                        .end = len,
                        .allow_sk = true,
                        .sk = &out->sk};

  memset(out, 0, sizeof(*out));
  out->raw = buf;
  out->raw_len = len;
  if (vtun__ike_hdr_parse(buf, len, &out->hdr, &out->chain.fail) != 0)
    return VTUN_EMALFORMED;

  mw.next = out->hdr.next;
  return msg_walk_all(&mw, &out->chain);
}

int vtun__ike_chain_parse(uint8_t first, const uint8_t *buf, size_t len,
                          struct vtun__ike_chain *out) {
  struct vtun__ike_sk none;
  struct msg_walk mw = {.buf = buf,
                        .off = 0,
                        .end = len,
                        .next = first,
                        .allow_sk = false,
                        .sk = &none};

  return msg_walk_all(&mw, out);
}

const struct vtun__ike_payload *
vtun__ike_chain_find(const struct vtun__ike_chain *c, uint8_t type,
                     unsigned from) {
  for (unsigned i = from; i < c->count; i++)
    if (c->pl[i].type == type)
      return &c->pl[i];
  return NULL;
}

unsigned vtun__ike_chain_count(const struct vtun__ike_chain *c, uint8_t type) {
  unsigned n = 0;

  for (unsigned i = 0; i < c->count; i++)
    n += c->pl[i].type == type;
  return n;
}

int vtun__ike_sk_unpad(const uint8_t *plain, size_t len, size_t *inner_len) {
  size_t pad;

  /* RFC 7296 §3.14: the last byte counts the padding before it; the
   * padding's content is not checked. */
  if (len == 0)
    return VTUN_EMALFORMED;
  pad = plain[len - 1];
  if (pad + 1 > len)
    return VTUN_EMALFORMED;
  *inner_len = len - pad - 1;
  return 0;
}

const char *vtun__ike_exchange_name(uint8_t exchange) {
  static const char *const names[] = {
      "IKE_SA_INIT",   "IKE_AUTH",           "CREATE_CHILD_SA",
      "INFORMATIONAL", "IKE_SESSION_RESUME",
  };

  if (exchange >= VTUN__IKE_X_IKE_SA_INIT &&
      exchange <= VTUN__IKE_X_IKE_SESSION_RESUME)
    return names[exchange - VTUN__IKE_X_IKE_SA_INIT];
  if (exchange == VTUN__IKE_X_IKE_INTERMEDIATE)
    return "IKE_INTERMEDIATE";
  if (exchange == VTUN__IKE_X_IKE_FOLLOWUP_KE)
    return "IKE_FOLLOWUP_KE";
  return "?";
}
