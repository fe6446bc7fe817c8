/* IKE SA and Child SA state shared by the exchange handlers of src/ike.
 * One function, vtun__ike_sa_set_state(), makes every IKE SA state
 * change: it logs it, counts it and moves the tunnel's state. */
#ifndef VTUN_IKE_SA_H
#define VTUN_IKE_SA_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ctx.h"
#include "ike/ike.h"
#include "ike/msg.h"
#include "ike/writer.h"
#include "util/log.h"
#include "util/timer.h"

#define IKE_NONCE_LEN 32
#define IKE_NONCE_MAX (IKE_NONCE_LEN * 8) /* largest nonce taken */
#define IKE_KEY_MAX 64                    /* SK_* of the largest algorithms */
#define IKE_MAX_FRAGS 16 /* fragments of one message, both ways */
#define IKE_MSG_MAX 8192 /* largest reassembled message */
#define IKE_FRAG_DEFAULT 1280

enum vtun__ike_state {
  IKE_S_NEW = 0,     /* created, nothing sent */
  IKE_S_INIT_SENT,   /* initiator: IKE_SA_INIT sent */
  IKE_S_INIT_DONE,   /* responder: IKE_SA_INIT answered */
  IKE_S_AUTH_SENT,   /* initiator: IKE_AUTH sent */
  IKE_S_ESTABLISHED, /* authenticated, Child SA installed */
  IKE_S_REKEYED,     /* replaced by a rekey, waiting for its Delete */
  IKE_S_DELETING,    /* Delete sent */
  IKE_S_DEAD,        /* to be freed */
};

/* What the outstanding request is, for the response handler. */
enum vtun__ike_req {
  IKE_REQ_NONE = 0,
  IKE_REQ_INIT,
  IKE_REQ_AUTH,
  IKE_REQ_CHILD_REKEY,
  IKE_REQ_IKE_REKEY,
  IKE_REQ_DPD,
  IKE_REQ_DELETE,
  IKE_REQ_DELETE_CHILD,
  IKE_REQ_CHILD_NEW, /* a Child SA pair after the peer deleted ours */
};

/* One or more datagrams (fragments) sent as one message. */
struct vtun__ike_flight {
  uint8_t *buf;
  size_t len;
  uint16_t lens[IKE_MAX_FRAGS];
  unsigned n;
};

/* Keys protecting one IKE SA (RFC 7296 §2.14). SK_pi and SK_pr, needed
 * only for AUTH, are in struct vtun__ike_neg. The crypto objects of a
 * message are made from these keys when it is sealed or opened and freed
 * right after (crypt.c): an established SA sends few messages, and keeps
 * no cipher contexts between them. */
struct vtun__ike_keys {
  int encr, integ, prf, dh; /* enum vtun_encr, vtun_integ, vtun_prf, IANA */
  size_t prf_len, ekey_len, akey_len;
  uint8_t sk_d[IKE_KEY_MAX];
  uint8_t sk_ei[IKE_KEY_MAX], sk_er[IKE_KEY_MAX]; /* salt last for AEAD */
  uint8_t sk_ai[IKE_KEY_MAX], sk_ar[IKE_KEY_MAX];
};

/* What an IKE SA needs only until it is established (RFC 7296 §2.15):
 * the nonces, SK_pi and SK_pr for AUTH, and an initiator's cookie. It
 * is made with the SA and freed, wiped, once the SA is established. */
struct vtun__ike_neg {
  uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
  uint8_t sk_pi[IKE_KEY_MAX], sk_pr[IKE_KEY_MAX];
  uint8_t cookie[VTUN__IKE_COOKIE_MAX];
  size_t cookie_len;
};

/* A Child SA pair as negotiated. */
struct vtun__child {
  uint32_t spi_in, spi_out; /* host order; 0 when none */
  int encr, integ;
  bool esn;
  vtun_tstamp born;
  uint32_t lifetime_s;
};

/* Reassembly of one fragmented message (RFC 7383 §2.6). */
struct vtun__ike_reasm {
  uint32_t msgid;
  bool response;
  uint16_t total;
  uint8_t first;
  uint16_t have;
  uint16_t lens[IKE_MAX_FRAGS];
  uint8_t *parts[IKE_MAX_FRAGS];
};

struct vtun__ikesa {
  struct vtun__list link;
  struct vtun__list tlink;   /* in its tunnel's sas; self-linked if none */
  struct vtun__ikesa *hnext; /* chain of its bucket (vtun__ike_sa_index) */
  uint64_t hkey;             /* the SPI it is filed under */
  bool hashed;
  vtun_ctx *ctx;
  vtun_tunnel *tunnel; /* NULL while a responder waits for the IDi */
  int state;
  bool initiator; /* we are the original initiator of this IKE SA */
  bool counted_half_open;
  uint64_t ispi, rspi;

  vtun_vpn_instance *vrf;
  vtun_endpoint local, remote; /* current ports included */
  bool natt;                   /* on UDP 4500 */
  bool nat_local, nat_remote;
  bool frag_ok; /* both ends announced RFC 7383 */

  struct vtun__ike_keys k;
  uint32_t lifetime_s;
  vtun_tstamp born;

  /* IKE_SA_INIT material kept for AUTH (RFC 7296 §2.15), all released
   * once the SA is established (vtun__ike_sa_established()): ni and nr
   * point into neg, NULL after. */
  struct vtun__ike_neg *neg;
  uint8_t *ni, *nr;
  size_t ni_len, nr_len;
  uint8_t *init_req, *init_resp;
  size_t init_req_len, init_resp_len;
  void *dh;
  unsigned init_tries; /* INVALID_KE and COOKIE restarts */

  /* Message IDs (RFC 7296 §2.3, window of one). */
  uint32_t next_req;  /* our next request */
  uint32_t peer_next; /* the peer's next request */
  int req_kind;       /* enum vtun__ike_req */
  struct vtun__ike_flight req;
  unsigned req_tries;
  struct vtun__ike_flight resp; /* last response, for duplicates */
  uint32_t resp_msgid;
  bool resp_valid;
  struct vtun__ike_reasm *reasm; /* made by the first fragment */

  /* Pending exchange state of CREATE_CHILD_SA. */
  uint8_t rk_nonce[IKE_NONCE_LEN];
  void *rk_dh;
  uint32_t rk_spi;     /* new inbound Child SPI */
  uint64_t rk_ike_spi; /* new IKE SPI of ours */
  int rk_group;
  int rk_kind;       /* IKE_REQ_CHILD_REKEY or _IKE_REKEY */
  bool rk_child_due; /* a Child SA rekey was started, not yet done */
  bool rk_ike_due;   /* an IKE SA rekey was started, not yet done */

  struct vtun__child child;
  uint32_t old_spi_in; /* the Child SA a rekey replaced */
  struct vtun__ikesa *replaced_by;

  /* Configuration payload. */
  char peer_id[VTUN_ID_MAX]; /* IDi/IDr as text */
  int peer_id_type;          /* its VTUN_ID_* type */
  bool leased;
  vtun_pool *pool;
  uint32_t assigned;   /* address received from HQ, host order */
  vtun_endpoint lease; /* HQ: the address leased to the peer */

  vtun_tstamp last_rx;
  struct vtun__timer t_retx, t_dpd, t_rekey_child, t_rekey_ike;
  struct vtun__timer t_expire, t_halfopen;

  uint64_t rx_msgs, tx_msgs, retx;
};

/* Per-tunnel IKE state (t->ike). */
struct vtun__ike_tun {
  vtun_tunnel *t;
  struct vtun__ikesa *sa; /* the SA carrying the tunnel */
  struct vtun__list sas;  /* every IKE SA of the tunnel, through tlink */
  unsigned remote_index;  /* next remote address to try */
  unsigned failures;
  struct vtun__timer t_restart;
  bool active; /* started by enable/commit/traffic */
};

/* The context's engine state (ctx->ike). */
struct vtun__ike_engine {
  vtun_ctx *ctx;
  struct vtun__list sas;
  /* SAs by initiator SPI: chained buckets, 2^hbits of them, grown as
   * SAs come, so a lookup does not walk every SA of a headquarters. */
  struct vtun__ikesa **buckets;
  unsigned hbits;
  size_t hcount;
  unsigned half_open;
  uint8_t cookie_secret[32], cookie_prev[32];
  uint8_t cookie_version;
  vtun_tstamp cookie_rotated;
  size_t frag_size;
  struct vtun__ratelimit rl;
  uint8_t scratch[IKE_MSG_MAX];
  uint8_t plain[IKE_MSG_MAX];
  uint64_t sa_up, sa_failed, sa_deleted, child_rekeys, ike_rekeys;
};

static inline struct vtun__ike_engine *vtun__ike_eng(vtun_ctx *ctx) {
  return ctx->ike;
}

/* The current time: the host's clock when it has one, else the last time
 * it gave. */
vtun_tstamp vtun__ike_now(vtun_ctx *ctx);

/* ------------------------------------------------------------- sa.c */

struct vtun__ikesa *vtun__ike_sa_new(vtun_ctx *ctx, vtun_tunnel *t,
                                     bool initiator);
void vtun__ike_sa_free(struct vtun__ikesa *sa);
/* Frees, wiped, what only the negotiation of @p sa needed. */
void vtun__ike_sa_neg_free(struct vtun__ikesa *sa);
/* Frees the fragments of @p sa being reassembled, if any. */
void vtun__ike_sa_reasm_free(struct vtun__ikesa *sa);
/* Files @p sa under its current initiator SPI; call after setting it. */
void vtun__ike_sa_index(struct vtun__ikesa *sa);
void vtun__ike_sa_set_state(struct vtun__ikesa *sa, int state, int error);
struct vtun__ikesa *vtun__ike_sa_find(vtun_ctx *ctx, uint64_t ispi,
                                      uint64_t rspi, bool init_resp);
struct vtun__ikesa *vtun__ike_sa_find_half(vtun_ctx *ctx, uint64_t ispi,
                                           const vtun_endpoint *remote);
/* Moves @p sa to tunnel @p t (NULL: none), keeping the tunnel's list of
 * SAs. */
void vtun__ike_sa_set_tunnel(struct vtun__ikesa *sa, vtun_tunnel *t);
void vtun__ike_sa_attach(struct vtun__ikesa *sa, vtun_tunnel *t);
struct vtun__ike_tun *vtun__ike_tun(vtun_tunnel *t);
/* The tunnel's IKE state, made when missing (NULL without memory). */
struct vtun__ike_tun *vtun__ike_tun_get(vtun_tunnel *t);
const char *vtun__ike_sa_name(const struct vtun__ikesa *sa);
void vtun__ike_flight_clear(struct vtun__ike_flight *f);
void vtun__ike_sa_arm(struct vtun__ikesa *sa, struct vtun__timer *tm,
                      vtun_tstamp delay);

/* ----------------------------------------------------------- keys.c */

int vtun__ike_keys_derive(struct vtun__ikesa *sa, const uint8_t *skeyseed,
                          size_t sklen);
int vtun__ike_skeyseed(struct vtun__ikesa *sa, const uint8_t *secret,
                       size_t slen, const uint8_t *old_skd, int old_prf,
                       uint8_t *out);
int vtun__ike_child_keys(struct vtun__ikesa *sa, const struct vtun__child *c,
                         const uint8_t *gir, size_t girlen, const uint8_t *ni,
                         size_t nilen, const uint8_t *nr, size_t nrlen,
                         uint8_t *key_i, uint8_t *key_r, size_t *klen);
int vtun__ike_psk_auth(struct vtun__ikesa *sa, bool for_initiator,
                       const uint8_t *id_body, size_t id_len,
                       const uint8_t *psk, size_t psk_len, uint8_t *out,
                       size_t *outlen);
void vtun__ike_keys_free(struct vtun__ike_keys *k);
void vtun__ike_export_ike(struct vtun__ikesa *sa);
void vtun__ike_export_child(struct vtun__ikesa *sa, const struct vtun__child *c,
                            bool we_init, const uint8_t *ki, const uint8_t *kr,
                            size_t klen);

/* ---------------------------------------------------------- crypt.c */

/* Builds, encrypts and sends (or caches) an encrypted message whose inner
 * chain is in @p w. @p response selects the flags and message ID. */
int vtun__ike_send_sk(struct vtun__ikesa *sa, uint8_t exchange, bool response,
                      uint32_t msgid, struct vtun__ike_writer *inner);

/* Decrypts the SK/SKF payload of @p m into the engine's plain buffer and
 * parses the inner chain into @p chain. Returns 0, 1 when a fragment was
 * stored and more are needed, 2 when the message is authentic but its
 * inner chain is malformed (chain->fail says why), or an error. */
int vtun__ike_open_sk(struct vtun__ikesa *sa, const struct vtun__ike_msg *m,
                      struct vtun__ike_chain *chain);

/* -------------------------------------------------------- engine.c */

int vtun__ike_send_flight(struct vtun__ikesa *sa,
                          const struct vtun__ike_flight *f);
int vtun__ike_send_raw(vtun_ctx *ctx, vtun_vpn_instance *vrf,
                       const vtun_endpoint *local, const vtun_endpoint *remote,
                       const uint8_t *data, size_t len);
/* Stores the built request datagrams of @p kind and starts retransmits. */
int vtun__ike_request_sent(struct vtun__ikesa *sa, int kind);
void vtun__ike_request_done(struct vtun__ikesa *sa);
void vtun__ike_sa_fail(struct vtun__ikesa *sa, int error);
/* Timer jobs of an SA. */
void vtun__ike_on_retx(struct vtun__ikesa *sa);
void vtun__ike_on_dpd(struct vtun__ikesa *sa);
void vtun__ike_on_expire(struct vtun__ikesa *sa);
void vtun__ike_sa_established(struct vtun__ikesa *sa);
bool vtun__ike_ratelimit(vtun_ctx *ctx);

/* ---------------------------------------------------- ikev2_init.c */

int vtun__ike_init_start(struct vtun__ikesa *sa);
int vtun__ike_init_request(vtun_ctx *ctx, vtun_vpn_instance *vrf,
                           const vtun_endpoint *local,
                           const vtun_endpoint *remote,
                           const struct vtun__ike_msg *m);
int vtun__ike_init_response(struct vtun__ikesa *sa,
                            const struct vtun__ike_msg *m);
int vtun__ike_dh_secret(struct vtun__ikesa *sa, void *dh, int group,
                        const struct vtun__ike_chain *c, uint8_t *secret,
                        size_t *slen);
int vtun__ike_put_ike_prop(struct vtun__ikesa *sa, struct vtun__ike_writer *w,
                           const uint8_t spi[8]);
/* The peer's IKE proposal of a rekey must offer the current suite; its
 * SPI goes to *spi. */
int vtun__ike_take_ike_prop(struct vtun__ikesa *sa,
                            const struct vtun__ike_chain *c, uint64_t *spi);
bool vtun__ike_suite_ok(const struct vtun__ikesa *sa,
                        const vtun_ike_peer *peer);

/* ---------------------------------------------------- ikev2_auth.c */

int vtun__ike_auth_start(struct vtun__ikesa *sa);
int vtun__ike_auth_request(struct vtun__ikesa *sa,
                           const struct vtun__ike_msg *m,
                           const struct vtun__ike_chain *c);
int vtun__ike_auth_response(struct vtun__ikesa *sa,
                            const struct vtun__ike_chain *c);

/* --------------------------------------------------- ikev2_child.c */

int vtun__ike_child_put_sa(struct vtun__ikesa *sa, struct vtun__ike_writer *w,
                           uint32_t spi);
int vtun__ike_child_put_ts(struct vtun__ike_writer *w);
int vtun__ike_child_select(struct vtun__ikesa *sa,
                           const struct vtun__ike_chain *c,
                           struct vtun__child *out, bool response);
int vtun__ike_child_install(struct vtun__ikesa *sa, struct vtun__child *c,
                            const uint8_t *gir, size_t girlen,
                            const uint8_t *ni, size_t nilen, const uint8_t *nr,
                            size_t nrlen, bool we_init);
uint32_t vtun__ike_child_spi(vtun_ctx *ctx);
/* The peer deleted the Child SA pair while the IKE SA lives on: the pair
 * leaves the data path and a new one is made over the same IKE SA
 * (vtun__ike_new_child_start), at once by the IKE SA's original
 * initiator, after a pause by the responder if nothing came by then. */
void vtun__ike_child_gone(struct vtun__ikesa *sa);
int vtun__ike_new_child_start(struct vtun__ikesa *sa);
int vtun__ike_rekey_child_start(struct vtun__ikesa *sa);
/* The Child SA timer: a rekey when the pair is old or used enough. */
void vtun__ike_on_child_timer(struct vtun__ikesa *sa);
int vtun__ike_rekey_ike_start(struct vtun__ikesa *sa);
int vtun__ike_create_child_request(struct vtun__ikesa *sa,
                                   const struct vtun__ike_hdr *h,
                                   const struct vtun__ike_chain *c);
int vtun__ike_create_child_response(struct vtun__ikesa *sa,
                                    const struct vtun__ike_chain *c);
void vtun__ike_child_timers(struct vtun__ikesa *sa);

/* ---------------------------------------------------- ikev2_info.c */

int vtun__ike_info_request(struct vtun__ikesa *sa,
                           const struct vtun__ike_hdr *h,
                           const struct vtun__ike_chain *c);
int vtun__ike_info_response(struct vtun__ikesa *sa,
                            const struct vtun__ike_chain *c);
int vtun__ike_send_delete(struct vtun__ikesa *sa, bool child_only);
int vtun__ike_send_dpd(struct vtun__ikesa *sa);
int vtun__ike_send_error(struct vtun__ikesa *sa, uint8_t exchange,
                         uint32_t msgid, uint16_t notify);
int vtun__ike_send_error_data(struct vtun__ikesa *sa, uint8_t exchange,
                              uint32_t msgid, uint16_t notify,
                              const uint8_t *data, size_t len);

/* ----------------------------------------------------- cookie.c, nat.c */

bool vtun__ike_cookie_needed(vtun_ctx *ctx);
int vtun__ike_cookie_make(vtun_ctx *ctx, uint8_t version,
                          const struct vtun__ike_hdr *h, const uint8_t *ni,
                          size_t nilen, const vtun_endpoint *remote,
                          uint8_t *out, size_t *outlen);
bool vtun__ike_cookie_check(vtun_ctx *ctx, const struct vtun__ike_hdr *h,
                            const uint8_t *ni, size_t nilen,
                            const vtun_endpoint *remote, const uint8_t *cookie,
                            size_t len);
int vtun__ike_put_n(struct vtun__ike_writer *w, uint16_t type,
                    const uint8_t *data, size_t len);
int vtun__ike_natd_put(struct vtun__ikesa *sa, struct vtun__ike_writer *w);
void vtun__ike_natd_check(struct vtun__ikesa *sa,
                          const struct vtun__ike_chain *c);
void vtun__ike_nat_switch(struct vtun__ikesa *sa);

/* ------------------------------------------------------------ cfg.c */

int vtun__ike_cfg_put_request(struct vtun__ikesa *sa,
                              struct vtun__ike_writer *w);
/* Responder: answers a CFG_REQUEST; VTUN_EPOOLEMPTY when none left. */
int vtun__ike_cfg_reply(struct vtun__ikesa *sa, const struct vtun__ike_chain *c,
                        struct vtun__ike_writer *w);
void vtun__ike_cfg_take(struct vtun__ikesa *sa,
                        const struct vtun__ike_chain *c);
void vtun__ike_cfg_release(struct vtun__ikesa *sa);

#endif
