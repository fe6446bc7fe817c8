/* libvtun-uv: the handle, the hooks it gives the context, the timer and
 * the shutdown. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uv_int.h"

int vtun__uv_fail(vtun_uv *uvh, int code, const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(uvh->errmsg, sizeof(uvh->errmsg), fmt, ap);
  va_end(ap);
  return code;
}

int vtun__uv_errno(int err) {
  switch (err) {
  case EADDRINUSE:
    return VTUN_EBUSY;
  case EACCES:
  case EPERM:
  case EPROTONOSUPPORT:
  case EAFNOSUPPORT:
    return VTUN_ENOTSUP;
  case ENOMEM:
  case ENOBUFS:
    return VTUN_ENOMEM;
  case EINVAL:
  case ENODEV:
  case ENOENT:
    return VTUN_EINVAL;
  default:
    return VTUN_ECALLBACK;
  }
}

void vtun_uv_settings_default(vtun_uv_settings *s) {
  memset(s, 0, sizeof(*s));
  s->ike_port = 500;
  s->natt_port = 4500;
  s->batch = 64;
  s->udp_gso = 1;
  s->udp_gro = 1;
  s->raw_sockets = 1;
  s->ipv6 = 1;
}

/* ----------------------------------------------------- forwarded hooks */

static int uvh_deliver(void *ud, vtun_tunnel *t, const uint8_t *pkt,
                       size_t len) {
  vtun_uv *uvh = ud;

  if (uvh->user_hooks.deliver == NULL)
    return 0;
  return uvh->user_hooks.deliver(uvh->user_data, t, pkt, len);
}

static void uvh_event(void *ud, const vtun_event *ev) {
  vtun_uv *uvh = ud;

  if (uvh->user_hooks.event != NULL)
    uvh->user_hooks.event(uvh->user_data, ev);
}

static void uvh_log(void *ud, int level, unsigned topic, const char *msg,
                    size_t len) {
  vtun_uv *uvh = ud;

  if (uvh->user_hooks.log != NULL)
    uvh->user_hooks.log(uvh->user_data, level, topic, msg, len);
}

static int uvh_random(void *ud, uint8_t *buf, size_t len) {
  vtun_uv *uvh = ud;

  return uvh->user_hooks.random(uvh->user_data, buf, len);
}

static void uvh_key_export(void *ud, const char *line, size_t len) {
  vtun_uv *uvh = ud;

  if (uvh->user_hooks.key_export != NULL)
    uvh->user_hooks.key_export(uvh->user_data, line, len);
}

/* libuv's clock is monotonic and in nanoseconds, as the library wants. */
static vtun_tstamp uvh_now(void *ud) {
  (void)ud;
  return uv_hrtime();
}

static void uvh_hooks(vtun_uv *uvh, vtun_hooks *h) {
  memset(h, 0, sizeof(*h));
  h->send_datagram = vtun__uv_send_hook;
  h->deliver = uvh_deliver;
  h->event = uvh_event;
  h->log = uvh_log;
  h->now = uvh_now;
  h->random = uvh->user_hooks.random != NULL ? uvh_random : NULL;
  h->key_export = uvh_key_export;
}

/* ------------------------------------------------------------- buffers */

static int uvh_alloc(vtun_uv *uvh) {
  size_t b = uvh->settings.batch;

  uvh->rx_area = malloc(b * UVB_BUF_SIZE);
  uvh->rx_msgs = calloc(b, sizeof(*uvh->rx_msgs));
  uvh->rx_iov = calloc(b, sizeof(*uvh->rx_iov));
  uvh->rx_names = calloc(b, sizeof(*uvh->rx_names));
  uvh->rx_ctrl = calloc(b, UVB_CTRL_SIZE);
  uvh->rx_pkts = calloc(b * UVB_MAX_GSO_SEGS, sizeof(*uvh->rx_pkts));
  uvh->tx_area = malloc(b * UVB_BUF_SIZE);
  uvh->txq = calloc(b, sizeof(*uvh->txq));
  uvh->tx_msgs = calloc(b, sizeof(*uvh->tx_msgs));
  uvh->tx_iov = calloc(b, sizeof(*uvh->tx_iov));
  uvh->tx_names = calloc(b, sizeof(*uvh->tx_names));
  uvh->tx_ctrl = calloc(b, UVB_CTRL_SIZE);
  if (!uvh->rx_area || !uvh->rx_msgs || !uvh->rx_iov || !uvh->rx_names ||
      !uvh->rx_ctrl || !uvh->rx_pkts || !uvh->tx_area || !uvh->txq ||
      !uvh->tx_msgs || !uvh->tx_iov || !uvh->tx_names || !uvh->tx_ctrl)
    return VTUN_ENOMEM;
  return 0;
}

static void uvh_free(vtun_uv *uvh) {
  free(uvh->rx_area);
  free(uvh->rx_msgs);
  free(uvh->rx_iov);
  free(uvh->rx_names);
  free(uvh->rx_ctrl);
  free(uvh->rx_pkts);
  free(uvh->tx_area);
  free(uvh->txq);
  free(uvh->tx_msgs);
  free(uvh->tx_iov);
  free(uvh->tx_names);
  free(uvh->tx_ctrl);
  free(uvh);
}

/* --------------------------------------------------------------- create */

static int uvh_check_settings(const vtun_uv_settings *s) {
  if (s->batch < 1 || s->batch > UVB_MAX_BATCH)
    return VTUN_EINVAL;
  if (s->ike_port == 0 || s->natt_port == 0 || s->ike_port == s->natt_port)
    return VTUN_EINVAL;
  return 0;
}

static void uvh_init_domains(vtun_uv *uvh) {
  for (unsigned d = 0; d < UVB_MAX_DOMAINS; d++)
    for (unsigned k = 0; k < UVB_NSOCKS; k++)
      uvh->domains[d].socks[k].fd = -1;
  uvh->domains[0].used = true;
}

int vtun_uv_new_versioned(uv_loop_t *loop, int settings_version,
                          const vtun_uv_settings *settings,
                          const vtun_hooks *hooks, void *user_data,
                          vtun_uv **out) {
  vtun_uv *uvh;
  vtun_hooks h;
  int rv;

  if (loop == NULL || out == NULL)
    return VTUN_EINVAL;
  if (settings != NULL && settings_version != VTUN_UV_SETTINGS_VERSION)
    return VTUN_EVERSION;
  if ((uvh = calloc(1, sizeof(*uvh))) == NULL)
    return VTUN_ENOMEM;
  uvh->loop = loop;
  uvh->user_data = user_data;
  uvh->gso_ok = true;
  if (hooks != NULL)
    uvh->user_hooks = *hooks;
  if (settings != NULL)
    uvh->settings = *settings;
  else
    vtun_uv_settings_default(&uvh->settings);
  uvh_init_domains(uvh);

  if ((rv = uvh_check_settings(&uvh->settings)) != 0 ||
      (rv = uvh_alloc(uvh)) != 0)
    goto fail_free;
  uvh_hooks(uvh, &h);
  rv = vtun_ctx_new(&uvh->ctx, &h, uvh->settings.ctx_settings, uvh);
  if (rv != 0)
    goto fail_free;
  uv_timer_init(loop, &uvh->timer);
  uvh->timer.data = uvh;
  uvh->open_handles = 1;
  *out = uvh;
  return 0;

fail_free:
  uvh_free(uvh);
  return rv;
}

vtun_ctx *vtun_uv_get_ctx(const vtun_uv *uvh) {
  return uvh->ctx;
}

/* ---------------------------------------------------------------- timer */

static void uvh_timer_cb(uv_timer_t *timer) {
  vtun_uv *uvh = timer->data;

  vtun_ctx_expire_timers(uvh->ctx, uv_hrtime());
  vtun__uv_tx_flush(uvh);
  vtun_uv_schedule(uvh);
}

void vtun_uv_schedule(vtun_uv *uvh) {
  vtun_tstamp when, now;
  uint64_t ms = 0;

  if (!uvh->started || uvh->closing)
    return;
  when = vtun_ctx_next_deadline(uvh->ctx);
  if (when == VTUN_TSTAMP_MAX) {
    uv_timer_stop(&uvh->timer);
    return;
  }

  /* Round up so that the timer never fires before the deadline. */
  now = uv_hrtime();
  if (when > now)
    ms = (when - now + 999999) / 1000000;
  uv_timer_start(&uvh->timer, uvh_timer_cb, ms, 0);
}

/* ---------------------------------------------------------- start, stop */

int vtun_uv_add_vpn_instance(vtun_uv *uvh, const char *name,
                             const char *netns_path, const char *device) {
  struct vtun__uv_domain *dom = NULL;
  unsigned d;
  int rv;

  uvh->errmsg[0] = '\0';
  if (name == NULL || name[0] == '\0' || strlen(name) >= sizeof(dom->name) ||
      (netns_path && strlen(netns_path) >= sizeof(dom->netns)) ||
      (device && strlen(device) >= sizeof(dom->device)))
    return vtun__uv_fail(uvh, VTUN_EINVAL, "bad vpn-instance mapping");
  for (d = 1; d < UVB_MAX_DOMAINS; d++) {
    if (uvh->domains[d].used && strcmp(uvh->domains[d].name, name) == 0)
      return vtun__uv_fail(uvh, VTUN_EEXIST, "%s is mapped already", name);
    if (!uvh->domains[d].used && dom == NULL)
      dom = &uvh->domains[d];
  }
  if (dom == NULL)
    return vtun__uv_fail(uvh, VTUN_ENOSPC, "too many vpn-instances");

  snprintf(dom->name, sizeof(dom->name), "%s", name);
  snprintf(dom->netns, sizeof(dom->netns), "%s", netns_path ? netns_path : "");
  snprintf(dom->device, sizeof(dom->device), "%s", device ? device : "");
  dom->used = true;
  d = (unsigned)(dom - uvh->domains);
  if (!uvh->started)
    return 0;
  if ((rv = vtun__uv_domain_open(uvh, d)) == 0 &&
      (rv = vtun__uv_domain_poll(uvh, d)) == 0)
    return 0;
  dom->used = false;
  return rv;
}

int vtun_uv_start(vtun_uv *uvh) {
  unsigned d;
  int rv = 0;

  uvh->errmsg[0] = '\0';
  if (uvh->started || uvh->closing)
    return vtun__uv_fail(uvh, VTUN_ESTATE, "started already");
  for (d = 0; d < UVB_MAX_DOMAINS && rv == 0; d++)
    if (uvh->domains[d].used)
      rv = vtun__uv_domain_open(uvh, d);
  for (d = 0; d < UVB_MAX_DOMAINS && rv == 0; d++)
    if (uvh->domains[d].used)
      rv = vtun__uv_domain_poll(uvh, d);
  if (rv != 0) {
    for (d = 0; d < UVB_MAX_DOMAINS; d++)
      vtun__uv_domain_close(uvh, d);
    return rv;
  }
  uvh->started = true;
  vtun_uv_schedule(uvh);
  return 0;
}

vtun_ssize vtun_uv_flush(vtun_uv *uvh) {
  return (vtun_ssize)vtun__uv_tx_flush(uvh);
}

int vtun_uv_get_stats(const vtun_uv *uvh, vtun_uv_stats *out, size_t size) {
  if (size < offsetof(vtun_uv_stats, udp_gso))
    return VTUN_EINVAL;
  if (size > sizeof(*out))
    size = sizeof(*out);
  memcpy(out, &uvh->stats, size);
  return 0;
}

const char *vtun_uv_last_error(const vtun_uv *uvh) {
  return uvh->errmsg;
}

void vtun_uv_set_user_data(vtun_uv *uvh, void *user_data) {
  uvh->user_data = user_data;
}

void *vtun_uv_get_user_data(const vtun_uv *uvh) {
  return uvh->user_data;
}

/* The last handle closed: nothing of libuv refers to us any more. */
void vtun__uv_handle_closed(uv_handle_t *h) {
  vtun_uv *uvh = h->data;
  vtun_uv_close_cb cb;
  void *arg;

  if (--uvh->open_handles > 0)
    return;
  cb = uvh->close_cb;
  arg = uvh->close_arg;
  vtun_ctx_free(uvh->ctx);
  uvh_free(uvh);
  if (cb != NULL)
    cb(arg);
}

void vtun_uv_close(vtun_uv *uvh, vtun_uv_close_cb cb, void *arg) {
  if (uvh == NULL || uvh->closing)
    return;
  vtun__uv_tx_flush(uvh);
  uvh->closing = true;
  uvh->close_cb = cb;
  uvh->close_arg = arg;
  for (unsigned d = 0; d < UVB_MAX_DOMAINS; d++)
    vtun__uv_domain_close(uvh, d);
  uv_timer_stop(&uvh->timer);
  uv_close((uv_handle_t *)&uvh->timer, vtun__uv_handle_closed);
}
