/* Fuzz target for the IKEv2 codec: parses the input as a whole message,
 * then every payload with its own parser and iterators, then the body of
 * an SK or SKF payload as an inner chain (as if the cipher were null),
 * and finally feeds the raw input to every validator and to the chain
 * parser. Each accepted payload must parse, and each iterator must yield
 * what its count announced; anything else traps. */
#include <stddef.h>
#include <stdint.h>

#include "ike/msg.h"
#include "ike/payload.h"
#include "ike/payload_cp.h"
#include "ike/payload_sa.h"
#include "ike/payload_ts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond)                                                         \
  do {                                                                         \
    if (!(cond))                                                               \
      __builtin_trap();                                                        \
  } while (0)

static void fz_sa(const struct vtun__ike_payload *pl) {
  struct vtun__ike_sa_pl sa;
  struct vtun__ike_prop p;
  struct vtun__ike_xform xf;
  size_t pos = 0;
  unsigned props = 0;

  FZ_CHECK(vtun__ike_sa_pl_parse(pl, &sa) == 0);
  while (vtun__ike_sa_pl_next(&sa, &pos, &p)) {
    size_t xpos = 0;
    unsigned n = 0;

    while (vtun__ike_prop_next(&p, &xpos, &xf))
      n++;
    FZ_CHECK(n == p.nxf);
    props++;
  }
  FZ_CHECK(props == sa.nprop && props > 0);
}

static void fz_ts(const struct vtun__ike_payload *pl) {
  struct vtun__ike_ts_list l;
  struct vtun__ike_ts ts;
  size_t pos = 0;
  unsigned n = 0;

  FZ_CHECK(vtun__ike_ts_parse(pl, &l) == 0);
  while (vtun__ike_ts_next(&l, &pos, &ts))
    n++;
  FZ_CHECK(n == l.count);
}

static void fz_cp(const struct vtun__ike_payload *pl) {
  struct vtun__ike_cp cp;
  struct vtun__ike_cp_attr a;
  size_t pos = 0;

  FZ_CHECK(vtun__ike_cp_parse(pl, &cp) == 0);
  while (vtun__ike_cp_next(&cp, &pos, &a))
    FZ_CHECK(a.value + a.len <= cp.attrs + cp.len);
  FZ_CHECK(pos == cp.len);
}

static void fz_delete(const struct vtun__ike_payload *pl) {
  struct vtun__ike_delete d;
  volatile uint32_t sink = 0;

  FZ_CHECK(vtun__ike_delete_parse(pl, &d) == 0);
  for (unsigned i = 0; i < d.count; i++)
    sink ^= vtun__ike_delete_spi(&d, i);
  (void)sink;
}

/* The typed parse of one payload the chain parser accepted. */
static void fz_payload(const struct vtun__ike_payload *pl) {
  union {
    struct vtun__ike_ke ke;
    struct vtun__ike_id id;
    struct vtun__ike_auth auth;
    struct vtun__ike_blob blob;
    struct vtun__ike_notify n;
    struct vtun__ike_skf skf;
  } u;
  const char *why = NULL;

  FZ_CHECK(vtun__ike_payload_validate(pl->type, pl->body, pl->len, &why) == 0);
  switch (pl->type) {
  case VTUN__IKE_PL_SA:
    fz_sa(pl);
    break;
  case VTUN__IKE_PL_TSI:
  case VTUN__IKE_PL_TSR:
    fz_ts(pl);
    break;
  case VTUN__IKE_PL_CP:
    fz_cp(pl);
    break;
  case VTUN__IKE_PL_DELETE:
    fz_delete(pl);
    break;
  case VTUN__IKE_PL_KE:
    FZ_CHECK(vtun__ike_ke_parse(pl, &u.ke) == 0);
    break;
  case VTUN__IKE_PL_IDI:
  case VTUN__IKE_PL_IDR:
    FZ_CHECK(vtun__ike_id_parse(pl, &u.id) == 0);
    break;
  case VTUN__IKE_PL_AUTH:
    FZ_CHECK(vtun__ike_auth_parse(pl, &u.auth) == 0);
    break;
  case VTUN__IKE_PL_NONCE:
    FZ_CHECK(vtun__ike_nonce_parse(pl, &u.blob) == 0);
    break;
  case VTUN__IKE_PL_VENDOR:
    FZ_CHECK(vtun__ike_vendor_parse(pl, &u.blob) == 0);
    break;
  case VTUN__IKE_PL_NOTIFY:
    FZ_CHECK(vtun__ike_notify_parse(pl, &u.n) == 0);
    FZ_CHECK(u.n.data + u.n.len == pl->body + pl->len);
    break;
  case VTUN__IKE_PL_SKF:
    FZ_CHECK(vtun__ike_skf_parse(pl, &u.skf) == 0);
    break;
  default:
    FZ_CHECK(vtun__ike_pl_info(pl->type) != NULL);
    break;
  }
}

static void fz_chain(const struct vtun__ike_chain *c) {
  FZ_CHECK(c->count <= VTUN__IKE_MAX_PAYLOADS);
  for (unsigned i = 0; i < c->count; i++)
    fz_payload(&c->pl[i]);
}

/* The SK body as a decrypted chain: as is, and with padding removed. */
static void fz_inner(const struct vtun__ike_sk *sk) {
  struct vtun__ike_chain c;
  size_t len;

  if (vtun__ike_chain_parse(sk->first, sk->data, sk->len, &c) == 0)
    fz_chain(&c);
  else
    FZ_CHECK(c.fail.why != NULL);
  if (vtun__ike_sk_unpad(sk->data, sk->len, &len) == 0 &&
      vtun__ike_chain_parse(sk->first, sk->data, len, &c) == 0)
    fz_chain(&c);
}

/* The raw input through every validator and as a bare chain. */
static void fz_raw(const uint8_t *data, size_t size) {
  struct vtun__ike_chain c;
  const char *why;

  for (unsigned t = VTUN__IKE_PL_SA; t <= VTUN__IKE_PL_PS; t++) {
    why = NULL;
    if (vtun__ike_payload_validate((uint8_t)t, data, size, &why) != 0)
      FZ_CHECK(why != NULL);
  }
  if (size > 0 && vtun__ike_chain_parse(data[0], data + 1, size - 1, &c) == 0)
    fz_chain(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct vtun__ike_msg m;

  if (vtun__ike_msg_parse(data, size, &m) == 0) {
    FZ_CHECK(m.hdr.length == size);
    fz_chain(&m.chain);
    if (m.sk.type != VTUN__IKE_PL_NONE) {
      FZ_CHECK(m.sk.aad_len + m.sk.len == size);
      fz_inner(&m.sk);
    }
  } else {
    FZ_CHECK(m.chain.fail.why != NULL);
  }

  fz_raw(data, size);
  return 0;
}
