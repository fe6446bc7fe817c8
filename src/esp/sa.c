#include "esp/sa.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "util/mem.h"

#define NO_LIMIT UINT64_MAX

static bool sa_encr_implemented(int encr) {
  switch (encr) {
  case VTUN_ENCR_AES_CBC_128:
  case VTUN_ENCR_AES_CBC_192:
  case VTUN_ENCR_AES_CBC_256:
  case VTUN_ENCR_AES_GCM_128:
  case VTUN_ENCR_AES_GCM_256:
  case VTUN_ENCR_CHACHA20_POLY1305:
    return true;
  }
  return false;
}

static bool sa_integ_implemented(int integ) {
  switch (integ) {
  case VTUN_INTEG_SHA1_96:
  case VTUN_INTEG_SHA2_256_128:
  case VTUN_INTEG_SHA2_384_192:
  case VTUN_INTEG_SHA2_512_256:
    return true;
  }
  return false;
}

int vtun__esp_key_length(int encr, int integ) {
  const struct vtun__encr_info *e = vtun__encr_info(encr);
  const struct vtun__integ_info *g = vtun__integ_info(integ);

  if (e == NULL || (integ != VTUN_INTEG_NONE && g == NULL))
    return VTUN_EINVAL;
  /* RFC 4303 §3.2: an AEAD brings its own integrity; anything else
   * needs one (encryption-only ESP is not offered). */
  if (e->aead != (integ == VTUN_INTEG_NONE))
    return VTUN_EINVAL;
  if (!sa_encr_implemented(encr) || (g != NULL && !sa_integ_implemented(integ)))
    return VTUN_ENOTSUP;
  return (int)(e->keylen + e->saltlen + (g != NULL ? g->keylen : 0));
}

static void sa_xform_free(const struct vtun__esp_sa *sa,
                          struct vtun__esp_xform *xf) {
  if (xf->crypt != NULL && sa->aead)
    sa->ops->aead_free(xf->crypt);
  else if (xf->crypt != NULL)
    sa->ops->cipher_free(xf->crypt);
  if (xf->mac != NULL)
    sa->ops->mac_free(xf->mac);
  memset(xf, 0, sizeof(*xf));
}

static void sa_ivs_free(struct vtun__esp_sa *sa) {
  if (sa->ivs == NULL)
    return;
  if (sa->ivs->cipher != NULL)
    sa->ops->cipher_free(sa->ivs->cipher);
  vtun__free_secret(sa->ivs, sizeof(*sa->ivs));
  sa->ivs = NULL;
}

void vtun__esp_sa_free(struct vtun__esp_sa *sa) {
  struct vtun__esp_xform *ctl;

  if (sa == NULL)
    return;
  sa_xform_free(sa, &sa->xf);
  ctl = atomic_load_explicit(&sa->ctl, memory_order_relaxed);
  if (ctl != NULL) {
    sa_xform_free(sa, ctl);
    free(ctl);
  }
  sa_ivs_free(sa);
  vtun__free_secret(sa, sizeof(*sa) + sa->tail_len);
}

static void sa_free_rcu(struct vtun__rcu_head *head) {
  vtun__esp_sa_free(vtun__container_of(head, struct vtun__esp_sa, rcu));
}

void vtun__esp_sa_retire(struct vtun__rcu *rcu, struct vtun__esp_sa *sa) {
  if (sa != NULL)
    vtun__rcu_retire(rcu, &sa->rcu, sa_free_rcu);
}

/* Makes the objects of one xform from the key material; on failure the
 * caller frees what was made. */
static int sa_xform_new(struct vtun__esp_sa *sa, void *state,
                        const uint8_t *key, struct vtun__esp_xform *xf) {
  const vtun_crypto_ops *ops = sa->ops;
  const struct vtun__encr_info *e = sa->encr;
  int rc;

  if (e->aead)
    return ops->aead_new(state, e->id, key, e->keylen, &xf->crypt);
  rc = ops->cipher_new(state, e->id, sa->dir == VTUN__SA_OUT, key, e->keylen,
                       &xf->crypt);
  if (rc != 0)
    return rc;
  return ops->mac_new(state, sa->integ->id, 0, key + e->keylen,
                      sa->integ->keylen, &xf->mac);
}

/* RFC 3602 §2.3 wants CBC IVs that cannot be predicted. They come from an
 * AES key of the SA's own, drawn at random and never sent: see
 * vtun__esp_next_iv(). */
static int sa_iv_stream_new(struct vtun__esp_sa *sa, void *state) {
  uint8_t key[16];
  int rc;

  if ((sa->ivs = vtun__zalloc(sizeof(*sa->ivs))) == NULL)
    return VTUN_ENOMEM;
  rc = vtun__random(sa->ctx, key, sizeof(key));
  if (rc == 0)
    rc = sa->ops->cipher_new(state, VTUN_ENCR_AES_CBC_128, 1, key, sizeof(key),
                             &sa->ivs->cipher);
  vtun__wipe(key, sizeof(key));
  sa->ivs->pos = VTUN__SA_IVPOOL; /* empty: filled on first use */
  return rc;
}

static int sa_crypto_new(struct vtun__esp_sa *sa, const uint8_t *key) {
  void *state = sa->ctx->crypto_state;
  int rc;

  memcpy(sa->salt, key + sa->encr->keylen, sa->encr->saltlen);
  rc = sa_xform_new(sa, state, key, &sa->xf);
  if (rc != 0 || sa->dir != VTUN__SA_OUT)
    return rc;
  memcpy(sa->tail, key, sa->keylen);
  if (!sa->encr->aead)
    rc = sa_iv_stream_new(sa, state);
  return rc;
}

int vtun__esp_sa_ctl_ready(struct vtun__esp_sa *sa) {
  struct vtun__esp_xform *xf;
  int rc;

  if (sa->dir != VTUN__SA_OUT ||
      atomic_load_explicit(&sa->ctl, memory_order_relaxed) != NULL)
    return 0;
  if ((xf = vtun__zalloc(sizeof(*xf))) == NULL)
    return VTUN_ENOMEM;
  rc = sa_xform_new(sa, sa->ctx->crypto_state, (const uint8_t *)sa->tail, xf);
  if (rc != 0) {
    sa_xform_free(sa, xf);
    free(xf);
    return rc;
  }
  atomic_store_explicit(&sa->ctl, xf, memory_order_release);
  return 0;
}

static uint64_t sa_limit(uint64_t v) {
  return v != 0 ? v : NO_LIMIT;
}

/* A soft limit left unset is put at 90% of the hard one, so that a rekey
 * has time to finish before traffic stops. */
static uint64_t sa_soft(uint64_t soft, uint64_t hard) {
  if (soft != 0 || hard == 0)
    return sa_limit(soft);
  return hard - hard / 10;
}

static vtun_tstamp sa_at(vtun_tstamp base, vtun_tstamp rel) {
  if (rel == 0 || rel > VTUN_TSTAMP_MAX - base)
    return VTUN_TSTAMP_MAX;
  return base + rel;
}

void vtun__esp_sa_set_lifetime(struct vtun__esp_sa *sa,
                               const struct vtun__lifetime *l) {
  sa->hard_bytes = sa_limit(l->hard_bytes);
  sa->soft_bytes = sa_soft(l->soft_bytes, l->hard_bytes);
  sa->hard_packets = sa_limit(l->hard_packets);
  sa->soft_packets = sa_soft(l->soft_packets, l->hard_packets);
  sa->hard_rel = l->hard_time;
  sa->soft_rel =
      l->soft_time != 0 ? l->soft_time : l->hard_time - l->hard_time / 10;
  sa->hard_at = sa_at(sa->created, sa->hard_rel);
  sa->soft_at = sa_at(sa->created, sa->soft_rel);
}

void vtun__esp_sa_rebase(struct vtun__esp_sa *sa, vtun_tstamp now) {
  if (sa->created != 0 || now == 0)
    return;
  sa->created = now;
  sa->hard_at = sa_at(now, sa->hard_rel);
  sa->soft_at = sa_at(now, sa->soft_rel);
}

/* RFC 4303 §3.3.3: the counter must not cycle; 32 bits without ESN. A
 * rekey is asked for when 1/8 of the space is left. */
static void sa_seq_limits(struct vtun__esp_sa *sa) {
  bool esn = (sa->flags & VTUN_SA_ESN) != 0;

  sa->seq_max = esn ? UINT64_MAX - 1 : UINT32_MAX;
  if (sa->dir == VTUN__SA_OUT && sa->soft_packets > sa->seq_max / 8 * 7)
    sa->soft_packets = sa->seq_max / 8 * 7;
}

static void sa_fill(struct vtun__esp_sa *sa, vtun_ctx *ctx,
                    const struct vtun__sa_params *p) {
  sa->ctx = ctx;
  sa->ops = ctx->crypto;
  sa->tunnel = p->tunnel;
  sa->vrf = p->vrf;
  sa->spi = p->spi;
  sa->dir = p->dir;
  sa->flags = p->flags;
  sa->encr = vtun__encr_info(p->encr);
  sa->aead = sa->encr->aead;
  sa->integ = vtun__integ_info(p->integ);
  sa->ivlen = (uint8_t)sa->encr->ivlen;
  sa->block = (uint8_t)sa->encr->blocklen;
  assert(sa->block != 0 && (sa->block & (sa->block - 1)) == 0);
  sa->icvlen = (uint8_t)(sa->encr->aead ? sa->encr->icvlen : sa->integ->icvlen);
  sa->local = p->local;
  sa->remote = p->remote;
  sa->created = p->now;
  atomic_init(&sa->ctl, NULL);
  atomic_flag_clear(&sa->ctl_busy);
  vtun__esp_sa_set_lifetime(sa, &p->life);
  sa_seq_limits(sa);
}

int vtun__esp_sa_new(vtun_ctx *ctx, const struct vtun__sa_params *p,
                     struct vtun__esp_sa **out) {
  struct vtun__esp_sa *sa;
  int rc = vtun__esp_key_length(p->encr, p->integ);
  size_t tail;
  uint32_t window;

  if (rc < 0)
    return rc;
  if ((size_t)rc != p->keylen || p->spi < 256)
    return VTUN_EINVAL;
  if (ctx->crypto == NULL)
    return VTUN_ENOTSUP;
  /* An outbound SA keeps its key, for vtun__esp_sa_ctl_ready(); an
   * inbound one its replay bitmap. */
  window = p->dir == VTUN__SA_IN ? p->replay_window : 0;
  if (!vtun__replay_window_valid(window))
    return VTUN_EINVAL;
  tail = p->dir == VTUN__SA_OUT ? p->keylen : vtun__replay_bytes(window);
  sa = vtun__zalloc_aligned(VTUN__SA_ALIGN, sizeof(*sa) + tail);
  if (sa == NULL)
    return VTUN_ENOMEM;

  sa->tail_len = tail;
  sa->keylen = (uint8_t)(p->dir == VTUN__SA_OUT ? p->keylen : 0);
  sa_fill(sa, ctx, p);
  rc = vtun__replay_init_at(&sa->replay, window, sa->tail);
  if (rc == 0)
    rc = sa_crypto_new(sa, p->key);
  if (rc != 0) {
    vtun__esp_sa_free(sa);
    return rc;
  }
  *out = sa;
  return 0;
}

int vtun__esp_sa_expired(const struct vtun__esp_sa *sa, vtun_tstamp now) {
  if (atomic_load_explicit(&sa->hard_hit, memory_order_relaxed) ||
      now >= sa->hard_at)
    return VTUN__SA_HARD;
  if (atomic_load_explicit(&sa->soft_hit, memory_order_relaxed) ||
      now >= sa->soft_at)
    return VTUN__SA_SOFT;
  return VTUN__SA_LIVE;
}

vtun_tstamp vtun__esp_sa_deadline(const struct vtun__esp_sa *sa) {
  if (!atomic_load_explicit(&sa->soft_told, memory_order_relaxed))
    return sa->soft_at;
  return sa->hard_at;
}

bool vtun__esp_sa_soft_once(struct vtun__esp_sa *sa) {
  atomic_store_explicit(&sa->soft_hit, true, memory_order_relaxed);
  return !atomic_exchange(&sa->soft_told, true);
}

void vtun__esp_sa_tell_soft(struct vtun__esp_sa *sa) {
  vtun_event ev;

  if (!vtun__esp_sa_soft_once(sa))
    return;
  memset(&ev, 0, sizeof(ev));
  ev.type = VTUN_EVENT_SA_SOFT_EXPIRED;
  ev.tunnel = sa->tunnel;
  if (sa->dir == VTUN__SA_IN)
    ev.spi_in = sa->spi;
  else
    ev.spi_out = sa->spi;
  vtun__event(sa->ctx, &ev);
}
