/* vtund -c FILE [-s SOCKET] [-n NAME] [-v] [-u] [-t]
 *
 * Reads a vendor-style configuration, creates the TUN devices of its
 * tunnel interfaces and runs them with libvtun-uv until SIGTERM. SIGHUP
 * reloads the file; unchanged tunnels are not touched. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtund.h"

static const char *level_name(int level) {
  return level <= VTUN_LOG_ERROR  ? "error"
         : level <= VTUN_LOG_WARN ? "warn"
         : level <= VTUN_LOG_INFO ? "info"
                                  : "debug";
}

static const char *topic_name(unsigned topic) {
  static const char *const names[] = {"ctx", "cfg", "ike",
                                      "esp", "gre", "crypto"};

  for (unsigned i = 0; i < 6; i++)
    if (topic & (1u << i))
      return names[i];
  return "host";
}

static void log_line(const struct vtund *d, int level, const char *topic,
                     const char *msg, int len) {
  fprintf(stderr, "vtund[%s] %s %s: %.*s\n", d->name, level_name(level), topic,
          len, msg);
}

void vtund_log(struct vtund *d, int level, const char *fmt, ...) {
  char buf[1024];
  va_list ap;

  if (level > d->log_level)
    return;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  log_line(d, level, "host", buf, (int)strlen(buf));
}

static void hook_log(void *ud, int level, unsigned topic, const char *msg,
                     size_t len) {
  log_line(ud, level, topic_name(topic), msg, (int)len);
}

/* Key material for decrypting captures, only with -k (it is secret). */
static void hook_key_export(void *ud, const char *line, size_t len) {
  struct vtund *d = ud;

  if (d->keys == NULL)
    return;
  fprintf(d->keys, "%.*s\n", (int)len, line);
  fflush(d->keys);
}

/* ------------------------------------------------------------- events */

static const char *state_name(int state) {
  static const char *const names[] = {"admin-down", "down", "idle",
                                      "negotiating", "up"};

  return state >= 0 && state <= 4 ? names[state] : "?";
}

static void ev_address(struct vtund *d, struct vtund_tun *tun,
                       const vtun_event *ev) {
  switch (ev->type) {
  case VTUN_EVENT_ADDRESS_ASSIGNED:
    vtund_tun_set_address(tun, ev->address, ev->prefixlen);
    break;
  case VTUN_EVENT_ADDRESS_RELEASED:
    vtund_tun_set_address(tun, NULL, 0);
    break;
  case VTUN_EVENT_PEER_ADDRESS_ASSIGNED:
    vtund_log(d, VTUN_LOG_INFO, "%s: peer leased %s", tun->tname, ev->address);
    vtund_route_host(tun, ev->address, true);
    break;
  case VTUN_EVENT_PEER_ADDRESS_RELEASED:
    vtund_route_host(tun, ev->address, false);
    break;
  default:
    break;
  }
}

static void hook_event(void *ud, const vtun_event *ev) {
  struct vtund *d = ud;
  struct vtund_tun *tun =
      ev->tunnel ? vtun_tunnel_get_user_data(ev->tunnel) : NULL;
  const char *name = ev->tunnel ? vtun_tunnel_get_name(ev->tunnel) : "-";

  if (ev->type == VTUN_EVENT_TUNNEL_STATE)
    vtund_log(d, VTUN_LOG_INFO, "%s: state %s%s%s", name, state_name(ev->state),
              ev->error ? ", " : "", ev->error ? vtun_strerror(ev->error) : "");
  else if (ev->type == VTUN_EVENT_SA_INSTALLED ||
           ev->type == VTUN_EVENT_SA_REKEYED)
    vtund_log(d, VTUN_LOG_INFO, "%s: child SA %s in %08x out %08x", name,
              ev->type == VTUN_EVENT_SA_REKEYED ? "rekeyed" : "installed",
              ev->spi_in, ev->spi_out);
  else if (ev->type == VTUN_EVENT_TUNNEL_CREATED)
    /* A template made a tunnel for a new branch: it gets a device like
     * a configured one. */
    (void)vtund_tun_open(d, ev->tunnel, &tun);
  else if (ev->type == VTUN_EVENT_TUNNEL_REMOVED && tun != NULL) {
    vtund_tun_close(tun);
    tun = NULL;
  } else
    vtund_log(d, VTUN_LOG_DEBUG, "%s: event %u", name, ev->type);
  if (tun != NULL)
    ev_address(d, tun, ev);
}

/* ------------------------------------------------------------ signals */

static void on_closed(void *arg) {
  struct vtund *d = arg;

  d->uvh = NULL;
  d->ctx = NULL;
}

/* Deletes every tunnel, so that the peers hear of it (IKE Delete), then
 * closes everything; the loop ends when the last handle is closed. */
static void shutdown_all(struct vtund *d) {
  vtun_tunnel *t;

  if (d->stopping)
    return;
  d->stopping = true;
  vtund_log(d, VTUN_LOG_INFO, "stopping: deleting the tunnels' SAs");
  while (d->tuns != NULL)
    vtund_tun_close(d->tuns);
  while ((t = vtun_tunnel_next(d->ctx, NULL)) != NULL)
    if (vtun_tunnel_delete(t) != 0)
      break;
  vtun_uv_flush(d->uvh);
  vtund_ctl_stop(d);
  vtund_netlink_stop(d);
  uv_close((uv_handle_t *)&d->sig_hup, NULL);
  uv_close((uv_handle_t *)&d->sig_term, NULL);
  uv_close((uv_handle_t *)&d->sig_int, NULL);
  uv_close((uv_handle_t *)&d->flush, NULL);
  vtun_uv_close(d->uvh, on_closed, d);
}

static void on_signal(uv_signal_t *s, int signum) {
  struct vtund *d = s->data;

  if (signum == SIGHUP) {
    vtund_log(d, VTUN_LOG_INFO, "SIGHUP: reloading %s", d->conf_path);
    vtund_load(d, d->conf_path, false);
    return;
  }
  shutdown_all(d);
}

static void on_check(uv_check_t *c) {
  vtund_tun_flush_all(c->data);
}

static void signals_start(struct vtund *d) {
  uv_signal_t *sigs[] = {&d->sig_hup, &d->sig_term, &d->sig_int};
  int nums[] = {SIGHUP, SIGTERM, SIGINT};

  for (int i = 0; i < 3; i++) {
    uv_signal_init(d->loop, sigs[i]);
    sigs[i]->data = d;
    uv_signal_start(sigs[i], on_signal, nums[i]);
  }
}

/* ---------------------------------------------------------------- main */

static void usage(void) {
  fprintf(stderr,
          "usage: vtund -c FILE [-s SOCKET] [-n NAME] [-v] [-u] [-O] [-t]\n"
          "  -c FILE    configuration (vendor syntax, plus ip route-static\n"
          "             and vtund lines)\n"
          "  -s SOCKET  control socket for vtunctl (/run/vtund.sock)\n"
          "  -n NAME    name in log lines\n"
          "  -v         debug logging\n"
          "  -u         always encapsulate ESP in UDP 4500\n"
          "  -O         no TUN offloads (IFF_VNET_HDR, TSO)\n"
          "  -t         check the configuration and exit\n"
          "  -k FILE    append key export lines for tshark to FILE (secret)\n");
}

static int parse_args(struct vtund *d, int argc, char **argv, vtun_settings *s,
                      bool *check_only) {
  int c;

  while ((c = getopt(argc, argv, "c:s:n:vutOhk:")) != -1) {
    switch (c) {
    case 'c':
      d->conf_path = optarg;
      break;
    case 's':
      d->ctl_path = optarg;
      break;
    case 'n':
      d->name = optarg;
      break;
    case 'v':
      d->log_level = VTUN_LOG_DEBUG;
      break;
    case 'u':
      s->force_udp_encap = 1;
      break;
    case 't':
      *check_only = true;
      break;
    case 'k':
      d->keys_path = optarg;
      break;
    case 'O':
      d->vnet_hdr = false;
      break;
    default:
      usage();
      return -1;
    }
  }
  if (d->conf_path == NULL || optind != argc) {
    usage();
    return -1;
  }
  s->log_level = d->log_level;
  s->key_export = d->keys_path != NULL;
  return 0;
}

static int run(struct vtund *d, vtun_settings *s, bool check_only) {
  vtun_uv_settings us;
  vtun_hooks h;
  int rv;

  vtun_uv_settings_default(&us);
  us.ctx_settings = s;
  memset(&h, 0, sizeof(h));
  h.deliver = vtund_tun_deliver;
  h.event = hook_event;
  h.log = hook_log;
  h.key_export = hook_key_export;
  if (d->keys_path != NULL && (d->keys = fopen(d->keys_path, "a")) == NULL) {
    vtund_log(d, VTUN_LOG_ERROR, "%s: %s", d->keys_path, strerror(errno));
    return 1;
  }
  if ((rv = vtun_uv_new(d->loop, &us, &h, d, &d->uvh)) != 0) {
    vtund_log(d, VTUN_LOG_ERROR, "vtun_uv_new: %s", vtun_strerror(rv));
    return 1;
  }
  d->ctx = vtun_uv_get_ctx(d->uvh);
  if (check_only) {
    rv = vtund_check(d, d->conf_path);
    vtun_uv_close(d->uvh, on_closed, d);
    uv_run(d->loop, UV_RUN_DEFAULT);
    return rv == 0 ? 0 : 1;
  }
  if (vtund_load(d, d->conf_path, true) != 0) {
    vtun_uv_close(d->uvh, on_closed, d);
    uv_run(d->loop, UV_RUN_DEFAULT);
    return 1;
  }
  vtund_netlink_start(d);
  vtund_ctl_start(d);
  signals_start(d);
  uv_check_init(d->loop, &d->flush);
  d->flush.data = d;
  uv_check_start(&d->flush, on_check);
  vtund_log(d, VTUN_LOG_INFO, "running %s, control socket %s", d->conf_path,
            d->ctl_path);
  uv_run(d->loop, UV_RUN_DEFAULT);
  return d->exit_code;
}

int main(int argc, char **argv) {
  struct vtund d;
  vtun_settings s;
  bool check_only = false;
  int rv;

  memset(&d, 0, sizeof(d));
  d.loop = uv_default_loop();
  d.ctl_path = "/run/vtund.sock";
  d.name = "vtund";
  d.log_level = VTUN_LOG_INFO;
  d.nl_fd = -1;
  d.vnet_hdr = true;
  vtun_settings_default(&s);
  if (parse_args(&d, argc, argv, &s, &check_only) != 0)
    return 2;
  rv = run(&d, &s, check_only);
  vtund_free_text(d.dump);
  explicit_bzero(&d.host, sizeof(d.host));
  uv_loop_close(d.loop);
  return rv;
}
