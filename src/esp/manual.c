/* Manual keying: an SA pair from explicit keys. Everything is checked
 * before anything is built, and the pair is swapped in make-before-break
 * like a rekey. */
#include <string.h>

#include "core/objects.h"
#include "esp/dp.h"
#include "esp/sadb.h"
#include "util/addr.h"

#define NATT_PORT 4500 /* RFC 3948 §2.1 */
#define KNOWN_FLAGS (VTUN_SA_ESN | VTUN_SA_UDP_ENCAP)

struct manual {
  uint32_t spi_in, spi_out;
  int encr, integ;
  const uint8_t *key_in, *key_out;
  size_t key_in_len, key_out_len;
  unsigned flags;
  vtun_endpoint local, remote;
};

static const char *alg_or(int kind, int id) {
  const char *name = vtun_alg_name(kind, id);

  return name != NULL ? name : "(unknown)";
}

static int manual_check_alg(vtun_tunnel *t, const struct manual *m) {
  int need = vtun__esp_key_length(m->encr, m->integ);

  if (need == VTUN_ENOTSUP)
    return vtun__refuse(t->ctx, VTUN_ENOTSUP,
                        "%s: ESP with %s and %s is not in this build", t->name,
                        alg_or(VTUN_ALG_ENCR, m->encr),
                        alg_or(VTUN_ALG_INTEG, m->integ));
  if (need < 0)
    return vtun__refuse(t->ctx, VTUN_EINVAL,
                        "%s: encryption %s with integrity %s is not an "
                        "ESP transform (an AEAD takes no integrity, "
                        "anything else needs one)",
                        t->name, alg_or(VTUN_ALG_ENCR, m->encr),
                        alg_or(VTUN_ALG_INTEG, m->integ));
  if (m->key_in == NULL || m->key_out == NULL ||
      m->key_in_len != (size_t)need || m->key_out_len != (size_t)need)
    return vtun__refuse(t->ctx, VTUN_EINVAL,
                        "%s: each key must be %d bytes (encryption key, "
                        "salt, integrity key); got %zu and %zu",
                        t->name, need, m->key_in_len, m->key_out_len);
  return 0;
}

static int manual_check_spi(vtun_tunnel *t, const struct manual *m) {
  struct vtun__esp_sa *other;

  if (m->spi_in < 256 || m->spi_out < 256)
    return vtun__refuse(t->ctx, VTUN_EINVAL,
                        "%s: SPIs 0-255 are reserved (RFC 4303 §2.1); got "
                        "0x%08x and 0x%08x",
                        t->name, m->spi_in, m->spi_out);
  if ((m->flags & ~(unsigned)KNOWN_FLAGS) != 0)
    return vtun__refuse(t->ctx, VTUN_EINVAL, "%s: unknown SA flags 0x%x",
                        t->name, m->flags);

  /* The oldest inbound SA of this tunnel leaves with this swap, so its
   * SPI may be used again. */
  other = vtun__sadb_lookup(t->ctx->dp.sadb, m->spi_in);
  if (other != NULL && other != t->dp.old_in_sa)
    return vtun__refuse(t->ctx, VTUN_EEXIST,
                        "%s: inbound SPI 0x%08x is in use by %s", t->name,
                        m->spi_in, other->tunnel->name);
  return 0;
}

static int manual_check_addr(vtun_tunnel *t, struct manual *m) {
  if (!vtun__tunnel_local(t, &m->local) ||
      !vtun__tunnel_remote(t, 0, &m->remote))
    return vtun__refuse(t->ctx, VTUN_ESTATE,
                        "%s: manual SAs need a local and a remote address",
                        t->name);
  if (m->local.family != m->remote.family)
    return vtun__refuse(t->ctx, VTUN_ESTATE,
                        "%s: local and remote addresses differ in family",
                        t->name);
  return 0;
}

/* Replay window and lifetimes from the tunnel's profile, else the
 * context's window and no limits but the sequence numbers. */
static void manual_params(vtun_tunnel *t, const struct manual *m, bool in,
                          struct vtun__sa_params *p) {
  const vtun_ipsec_profile *prof = t->profile;

  memset(p, 0, sizeof(*p));
  p->spi = in ? m->spi_in : m->spi_out;
  p->dir = in ? VTUN__SA_IN : VTUN__SA_OUT;
  p->encr = m->encr;
  p->integ = m->integ;
  p->key = in ? m->key_in : m->key_out;
  p->keylen = in ? m->key_in_len : m->key_out_len;
  p->flags = m->flags;
  p->replay_window =
      prof != NULL ? prof->replay_window : t->ctx->settings.replay_window;
  if (prof != NULL) {
    p->life.hard_time = (vtun_tstamp)prof->lifetime_s * VTUN_SECONDS;
    p->life.hard_bytes = prof->lifetime_kb * 1024;
  }
  p->local = m->local;
  p->remote = m->remote;
  p->vrf = t->vrf;
  p->tunnel = t;
  p->now = vtun__dp_now(t->ctx);
}

static int manual_build(vtun_tunnel *t, const struct manual *m,
                        struct vtun__esp_sa **in, struct vtun__esp_sa **out) {
  struct vtun__sa_params p;
  int rc;

  manual_params(t, m, true, &p);
  rc = vtun__esp_sa_new(t->ctx, &p, in);
  if (rc != 0)
    return rc;
  manual_params(t, m, false, &p);
  rc = vtun__esp_sa_new(t->ctx, &p, out);
  if (rc != 0)
    vtun__esp_sa_free(*in);
  return rc;
}

static int manual_install(vtun_tunnel *t, struct manual *m) {
  struct vtun__esp_sa *in, *out;
  vtun_event ev = {.type = VTUN_EVENT_SA_INSTALLED, .tunnel = t};
  int rc;

  if (m->flags & VTUN_SA_UDP_ENCAP)
    m->local.port = m->remote.port = NATT_PORT;
  rc = manual_build(t, m, &in, &out);
  if (rc == 0)
    rc = vtun__dp_install_sa(t, in, out);
  if (rc != 0)
    return vtun__refuse(t->ctx, rc, "%s: the SA pair could not be made: %s",
                        t->name, vtun_strerror(rc));

  VTUN_LOG(&t->ctx->log, VTUN_LOG_INFO, VTUN_TOPIC_ESP,
           "%s: manual SA pair in 0x%08x out 0x%08x installed", t->name,
           m->spi_in, m->spi_out);
  ev.spi_in = m->spi_in;
  ev.spi_out = m->spi_out;
  vtun__event(t->ctx, &ev);
  vtun__tunnel_set_state(t, VTUN_STATE_UP, 0);
  return 0;
}

int vtun_tunnel_set_manual_sa(vtun_tunnel *t, uint32_t spi_in, uint32_t spi_out,
                              int encr, int integ, const uint8_t *key_in,
                              size_t key_in_len, const uint8_t *key_out,
                              size_t key_out_len, unsigned flags) {
  struct manual m = {spi_in,     spi_out,     encr,  integ, key_in, key_out,
                     key_in_len, key_out_len, flags, {0},   {0}};
  int rc;

  if (t == NULL)
    return VTUN_EINVAL;
  vtun__ok(t->ctx);
  if (t->ctx->settings.force_udp_encap)
    m.flags |= VTUN_SA_UDP_ENCAP;
  if ((rc = manual_check_alg(t, &m)) != 0 ||
      (rc = manual_check_spi(t, &m)) != 0 ||
      (rc = manual_check_addr(t, &m)) != 0)
    return rc;
  return manual_install(t, &m);
}
