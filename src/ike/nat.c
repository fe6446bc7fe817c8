/* NAT detection (RFC 7296 §2.23) and the move to UDP 4500 (RFC 3948),
 * and the small notify builder the exchanges share. */
#include <string.h>

#include "ike/payload.h"
#include "ike/sa.h"
#include "util/mem.h"

#define IKE_NATT_PORT 4500

int vtun__ike_put_n(struct vtun__ike_writer *w, uint16_t type,
                    const uint8_t *data, size_t len) {
  struct vtun__ike_notify n = {.type = type, .data = data, .len = len};

  return vtun__ike_put_notify(w, &n);
}

static int natd_hash(struct vtun__ikesa *sa, uint64_t rspi,
                     const vtun_endpoint *ep, uint8_t out[20]) {
  uint8_t in[VTUN__IKE_NATD_INPUT_MAX];
  size_t n = vtun__ike_natd_input(in, sa->ispi, rspi, ep);

  if (n == 0)
    return VTUN_EINVAL;
  return sa->ctx->crypto->hash(sa->ctx->crypto_state, VTUN_HASH_SHA1, in, n,
                               out, 20);
}

/* NAT_DETECTION_SOURCE_IP and _DESTINATION_IP. With force_udp_encap the
 * source hash is random, so that the peer sees a NAT and encapsulates
 * too. */
int vtun__ike_natd_put(struct vtun__ikesa *sa, struct vtun__ike_writer *w) {
  const vtun_ike_peer *peer =
      sa->tunnel != NULL ? vtun__tunnel_peer(sa->tunnel) : NULL;
  uint64_t rspi = sa->initiator ? 0 : sa->rspi;
  uint8_t src[20], dst[20];
  int rc;

  if (peer != NULL && !peer->nat_traversal)
    return 0;
  rc = natd_hash(sa, rspi, &sa->local, src);
  if (rc == 0 && sa->ctx->settings.force_udp_encap)
    rc = vtun__random(sa->ctx, src, sizeof(src));
  if (rc == 0)
    rc = natd_hash(sa, rspi, &sa->remote, dst);
  if (rc != 0)
    return rc;
  vtun__ike_put_n(w, VTUN__IKE_N_NAT_DETECTION_SOURCE_IP, src, 20);
  return vtun__ike_put_n(w, VTUN__IKE_N_NAT_DETECTION_DESTINATION_IP, dst, 20);
}

/* Whether any NAT_DETECTION_SOURCE_IP payload matches the peer's address
 * as we see it (there may be several, RFC 7296 §2.23). */
static bool natd_src_matches(struct vtun__ikesa *sa, uint64_t rspi,
                             const struct vtun__ike_chain *c) {
  uint8_t h[20];

  if (natd_hash(sa, rspi, &sa->remote, h) != 0)
    return false;
  for (unsigned i = 0; i < c->count; i++) {
    struct vtun__ike_notify n;

    if (c->pl[i].type != VTUN__IKE_PL_NOTIFY ||
        vtun__ike_notify_parse(&c->pl[i], &n) != 0 ||
        n.type != VTUN__IKE_N_NAT_DETECTION_SOURCE_IP || n.len != 20)
      continue;
    if (memcmp(n.data, h, 20) == 0)
      return true;
  }
  return false;
}

void vtun__ike_natd_check(struct vtun__ikesa *sa,
                          const struct vtun__ike_chain *c) {
  struct vtun__ike_notify dst;
  uint64_t rspi = sa->initiator ? 0 : sa->rspi;
  uint8_t h[20];

  /* The request hashes carry SPIr 0; the response's the real one. */
  if (sa->initiator)
    rspi = sa->rspi;
  else
    rspi = 0;
  if (vtun__ike_find_notify(c, VTUN__IKE_N_NAT_DETECTION_DESTINATION_IP,
                            &dst) != 0 ||
      dst.len != 20)
    return; /* the peer does no NAT detection: stay on 500 */
  sa->nat_remote = !natd_src_matches(sa, rspi, c);
  if (natd_hash(sa, rspi, &sa->local, h) == 0)
    sa->nat_local = memcmp(h, dst.data, 20) != 0;
}

/* RFC 7296 §2.23: after a NAT is found (or when asked to always), the
 * initiator moves to port 4500 from its next message on. */
void vtun__ike_nat_switch(struct vtun__ikesa *sa) {
  bool any =
      sa->nat_local || sa->nat_remote || sa->ctx->settings.force_udp_encap;

  if (!any || sa->natt)
    return;
  sa->natt = true;
  if (sa->initiator) {
    sa->local.port = IKE_NATT_PORT;
    sa->remote.port = IKE_NATT_PORT;
  }
}
