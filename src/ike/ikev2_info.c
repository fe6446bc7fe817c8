/* INFORMATIONAL (RFC 7296 §1.4): Delete of the IKE SA or of Child SAs,
 * liveness checks (§2.4), and the notifies strongSwan sends for MOBIKE
 * (RFC 4555), which are answered with an empty response and change
 * nothing (COOKIE2 is echoed as RFC 4555 §3.7 asks).
 * LIMITATION: MOBIKE itself is not supported: the engine never announces
 * MOBIKE_SUPPORTED, and an UPDATE_SA_ADDRESSES from the peer is answered
 * without moving the SAs. */
#include <string.h>

#include "ike/payload.h"
#include "ike/sa.h"
#include "util/bytes.h"

int vtun__ike_send_error_data(struct vtun__ikesa *sa, uint8_t exchange,
                              uint32_t msgid, uint16_t notify,
                              const uint8_t *data, size_t len) {
  uint8_t buf[256];
  struct vtun__ike_writer w;

  vtun__ike_writer_init(&w, buf, sizeof(buf));
  vtun__ike_put_n(&w, notify, data, len);
  return vtun__ike_send_sk(sa, exchange, true, msgid, &w);
}

int vtun__ike_send_error(struct vtun__ikesa *sa, uint8_t exchange,
                         uint32_t msgid, uint16_t notify) {
  return vtun__ike_send_error_data(sa, exchange, msgid, notify, NULL, 0);
}

/* A Delete for the IKE SA, or for the Child SA a rekey replaced. */
int vtun__ike_send_delete(struct vtun__ikesa *sa, bool child_only) {
  uint8_t buf[64], spi[4];
  struct vtun__ike_writer w;
  struct vtun__ike_delete d = {.proto = VTUN__IKE_PROTO_IKE};
  int rc;

  if (sa->req_kind != IKE_REQ_NONE) {
    /* Only one request may be out (RFC 7296 §2.3); the one in flight is
     * dropped in favour of the Delete. */
    vtun__ike_request_done(sa);
  }
  if (child_only) {
    vtun__put32(spi, sa->old_spi_in);
    d = (struct vtun__ike_delete){VTUN__IKE_PROTO_ESP, 4, 1, spi};
  }
  vtun__ike_writer_init(&w, buf, sizeof(buf));
  vtun__ike_put_delete(&w, &d);
  rc =
      vtun__ike_send_sk(sa, VTUN__IKE_X_INFORMATIONAL, false, sa->next_req, &w);
  if (rc != 0)
    return rc;
  if (!child_only && sa->state == IKE_S_ESTABLISHED)
    vtun__ike_sa_set_state(sa, IKE_S_DELETING, 0);
  return vtun__ike_request_sent(sa, child_only ? IKE_REQ_DELETE_CHILD
                                               : IKE_REQ_DELETE);
}

int vtun__ike_send_dpd(struct vtun__ikesa *sa) {
  uint8_t buf[8];
  struct vtun__ike_writer w;
  int rc;

  vtun__ike_writer_init(&w, buf, sizeof(buf));
  rc =
      vtun__ike_send_sk(sa, VTUN__IKE_X_INFORMATIONAL, false, sa->next_req, &w);
  return rc != 0 ? rc : vtun__ike_request_sent(sa, IKE_REQ_DPD);
}

/* The Child SA SPIs of a Delete: our inbound SPI answers the peer's
 * (RFC 7296 §1.4.1). Returns how many were written to @p out. */
static uint16_t info_child_delete(struct vtun__ikesa *sa,
                                  const struct vtun__ike_delete *d,
                                  uint8_t *out, bool *gone) {
  uint16_t n = 0;

  for (unsigned i = 0; i < d->count && n < 2; i++) {
    uint32_t spi = vtun__ike_delete_spi(d, i);

    if (spi == sa->child.spi_out && spi != 0) {
      vtun__put32(out + 4 * n++, sa->child.spi_in);
      *gone = true;
    } else if (sa->old_spi_in != 0) {
      /* The peer retires the pair a rekey replaced. */
      vtun__put32(out + 4 * n++, sa->old_spi_in);
      sa->old_spi_in = 0;
    }
  }
  return n;
}

/* The Delete payloads of a request: the IKE SA, or Child SAs. */
static int info_deletes(struct vtun__ikesa *sa, const struct vtun__ike_chain *c,
                        struct vtun__ike_writer *w, bool *ike_gone,
                        bool *child_gone) {
  uint8_t spis[8];

  for (unsigned i = 0; i < c->count; i++) {
    struct vtun__ike_delete d;
    uint16_t n;

    if (c->pl[i].type != VTUN__IKE_PL_DELETE ||
        vtun__ike_delete_parse(&c->pl[i], &d) != 0)
      continue;
    if (d.proto == VTUN__IKE_PROTO_IKE) {
      *ike_gone = true;
      continue;
    }
    if (d.proto == VTUN__IKE_PROTO_ESP &&
        (n = info_child_delete(sa, &d, spis, child_gone)) > 0)
      vtun__ike_put_delete(
          w, &(struct vtun__ike_delete){VTUN__IKE_PROTO_ESP, 4, n, spis});
  }
  return 0;
}

int vtun__ike_info_request(struct vtun__ikesa *sa,
                           const struct vtun__ike_hdr *h,
                           const struct vtun__ike_chain *c) {
  uint8_t buf[256];
  struct vtun__ike_writer w;
  struct vtun__ike_notify ck2;
  bool ike_gone = false, child_gone = false;
  int rc;

  vtun__ike_writer_init(&w, buf, sizeof(buf));
  info_deletes(sa, c, &w, &ike_gone, &child_gone);
  if (!ike_gone && vtun__ike_find_notify(c, VTUN__IKE_N_COOKIE2, &ck2) == 0)
    vtun__ike_put_n(&w, VTUN__IKE_N_COOKIE2, ck2.data, ck2.len);
  if (ike_gone)
    vtun__ike_writer_init(&w, buf, sizeof(buf));
  rc = vtun__ike_send_sk(sa, VTUN__IKE_X_INFORMATIONAL, true, h->msgid, &w);
  if (ike_gone) {
    /* The successor of a rekey lives on; otherwise the tunnel loses its
     * SA and an initiator starts again. */
    if (sa->state == IKE_S_REKEYED || sa->replaced_by != NULL) {
      vtun__ike_sa_set_state(sa, IKE_S_DEAD, 0);
      vtun__ike_sa_free(sa);
    } else {
      vtun__ike_sa_fail(sa, VTUN_EPEER);
    }
    return 0;
  }
  if (child_gone)
    vtun__ike_child_gone(sa);
  return rc;
}

int vtun__ike_info_response(struct vtun__ikesa *sa,
                            const struct vtun__ike_chain *c) {
  (void)c;
  if (sa->state == IKE_S_DELETING || sa->state == IKE_S_REKEYED) {
    if (sa->replaced_by != NULL || sa->state == IKE_S_REKEYED) {
      vtun__ike_sa_set_state(sa, IKE_S_DEAD, 0);
      vtun__ike_sa_free(sa);
    } else {
      vtun__ike_sa_fail(sa, 0);
    }
  }
  return 0;
}
