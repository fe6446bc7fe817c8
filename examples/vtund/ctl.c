/* The control socket: vtunctl sends one command line, vtund answers with
 * text and closes the connection. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtund.h"

#define CTL_LINE_MAX 512

struct ctl_conn {
  uv_pipe_t pipe;
  struct vtund *d;
  char line[CTL_LINE_MAX];
  size_t len;
  char *out;
  uv_write_t wr;
};

/* Runs a snprintf-style producer into a buffer that grows to fit. */
typedef vtun_ssize (*ctl_fill)(struct vtund *d, const char *arg, char *buf,
                               size_t len);

static char *ctl_produce(struct vtund *d, ctl_fill fill, const char *arg) {
  size_t cap = 16384;
  char *buf = NULL;

  for (int tries = 0; tries < 6; tries++, cap *= 4) {
    vtun_ssize n;
    char *nb = realloc(buf, cap);

    if (nb == NULL)
      break;
    buf = nb;
    if ((n = fill(d, arg, buf, cap)) < 0) {
      snprintf(buf, cap, "error: %s: %s\n", vtun_strerror((int)n),
               vtun_ctx_last_error(d->ctx));
      return buf;
    }
    if ((size_t)n < cap)
      return buf;
  }
  free(buf);
  return NULL;
}

static vtun_ssize ctl_display(struct vtund *d, const char *what, char *buf,
                              size_t len) {
  return vtun_ctx_display(d->ctx, what, buf, len);
}

/* Host counters after the library's statistics. */
static vtun_ssize ctl_host_stats(struct vtund *d, const char *arg, char *buf,
                                 size_t len) {
  vtun_uv_stats s;
  size_t pos = 0;

  (void)arg;
  memset(&s, 0, sizeof(s));
  vtun_uv_get_stats(d->uvh, &s, sizeof(s));
  pos += (size_t)snprintf(
      buf, len,
      "host sockets: rx %llu datagrams in %llu reads "
      "(%llu GRO), tx %llu datagrams in %llu writes "
      "(%llu GSO), tx errors %llu, no socket %llu, "
      "input refused %llu, GSO %s, GRO %s\n",
      (unsigned long long)s.rx_datagrams, (unsigned long long)s.rx_syscalls,
      (unsigned long long)s.rx_gro_batches, (unsigned long long)s.tx_datagrams,
      (unsigned long long)s.tx_syscalls, (unsigned long long)s.tx_gso_sends,
      (unsigned long long)s.tx_errors, (unsigned long long)s.tx_no_socket,
      (unsigned long long)s.input_errors, s.udp_gso ? "on" : "off",
      s.udp_gro ? "on" : "off");
  for (struct vtund_tun *t = d->tuns; t != NULL; t = t->next) {
    size_t room = pos < len ? len - pos : 0;

    pos += (size_t)snprintf(buf + pos, room,
                            "host %s (%s): read %llu, written %llu, write "
                            "drops %llu, send refused %llu\n",
                            t->ifname, t->tname, (unsigned long long)t->tun_rx,
                            (unsigned long long)t->tun_tx,
                            (unsigned long long)t->tun_tx_errors,
                            (unsigned long long)t->send_errors);
  }
  return (vtun_ssize)pos;
}

/* An identity's type from its form: address, user@fqdn, or fqdn. */
static int ctl_id_type(const char *id) {
  unsigned char tmp[16];

  if (id == NULL)
    return VTUN_ID_NONE;
  if (inet_pton(AF_INET, id, tmp) == 1 || inet_pton(AF_INET6, id, tmp) == 1)
    return VTUN_ID_IP;
  return strchr(id, '@') ? VTUN_ID_USER_FQDN : VTUN_ID_FQDN;
}

static vtun_ssize ctl_explain_match(struct vtund *d, const char *arg, char *buf,
                                    size_t len) {
  char copy[CTL_LINE_MAX], *local, *remote, *id, *save = NULL;

  snprintf(copy, sizeof(copy), "%s", arg);
  local = strtok_r(copy, " ", &save);
  remote = strtok_r(NULL, " ", &save);
  id = strtok_r(NULL, " ", &save);
  if (local == NULL || remote == NULL)
    return snprintf(buf, len, "usage: explain match LOCAL REMOTE [ID]\n");
  return vtun_ctx_explain_match(d->ctx, NULL, local, remote, VTUN_MATCH_IKEV2,
                                ctl_id_type(id), id, buf, len);
}

static vtun_ssize ctl_explain_tunnel(struct vtund *d, const char *arg,
                                     char *buf, size_t len) {
  vtun_tunnel *t = vtun_tunnel_find(d->ctx, arg);

  if (t == NULL)
    return snprintf(buf, len, "error: no tunnel %s\n", arg);
  return vtun_tunnel_explain_initiation(t, buf, len);
}

static vtun_ssize ctl_unknown(struct vtund *d, const char *arg, char *buf,
                              size_t len) {
  (void)d;
  return snprintf(buf, len,
                  "error: unknown command '%s'\n"
                  "commands: display ike sa | display ipsec sa | display "
                  "interface tunnel | display statistics | display "
                  "current-configuration | explain match LOCAL REMOTE [ID] "
                  "| explain tunnel NAME | reload\n",
                  arg);
}

static vtun_ssize ctl_reload(struct vtund *d, const char *arg, char *buf,
                             size_t len) {
  (void)arg;
  if (vtund_load(d, d->conf_path, false) != 0)
    return snprintf(buf, len, "reload refused: see the log\n");
  return snprintf(buf, len, "reloaded\n");
}

static char *ctl_concat(char *a, char *b) {
  size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0;
  char *r = realloc(a, la + lb + 1);

  if (r != NULL) {
    memcpy(r + la, b ? b : "", lb + 1);
  } else {
    free(a);
  }
  free(b);
  return r;
}

static char *ctl_run(struct vtund *d, const char *cmd) {
  static const char disp[] = "display ";
  char *out;

  if (strncmp(cmd, disp, sizeof(disp) - 1) == 0) {
    const char *what = cmd + sizeof(disp) - 1;

    out = ctl_produce(d, ctl_display, what);
    if (strcmp(what, "statistics") == 0)
      out = ctl_concat(out, ctl_produce(d, ctl_host_stats, NULL));
    return out;
  }
  if (strncmp(cmd, "explain match ", 14) == 0)
    return ctl_produce(d, ctl_explain_match, cmd + 14);
  if (strncmp(cmd, "explain tunnel ", 15) == 0)
    return ctl_produce(d, ctl_explain_tunnel, cmd + 15);
  if (strcmp(cmd, "reload") == 0)
    return ctl_produce(d, ctl_reload, NULL);
  return ctl_produce(d, ctl_unknown, cmd);
}

static void ctl_closed(uv_handle_t *h) {
  struct ctl_conn *c = h->data;

  free(c->out);
  free(c);
}

static void ctl_written(uv_write_t *wr, int status) {
  struct ctl_conn *c = wr->data;

  (void)status;
  uv_close((uv_handle_t *)&c->pipe, ctl_closed);
}

static void ctl_answer(struct ctl_conn *c) {
  uv_buf_t b;

  c->line[c->len] = '\0';
  c->line[strcspn(c->line, "\r\n")] = '\0';
  c->out = ctl_run(c->d, c->line);
  if (c->out == NULL)
    c->out = strdup("error: out of memory\n");
  vtun_uv_schedule(c->d->uvh);
  b = uv_buf_init(c->out, c->out ? (unsigned)strlen(c->out) : 0);
  c->wr.data = c;
  uv_read_stop((uv_stream_t *)&c->pipe);
  if (uv_write(&c->wr, (uv_stream_t *)&c->pipe, &b, 1, ctl_written) != 0)
    uv_close((uv_handle_t *)&c->pipe, ctl_closed);
}

static void ctl_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b) {
  struct ctl_conn *c = h->data;

  (void)hint;
  *b = uv_buf_init(c->line + c->len, (unsigned)(CTL_LINE_MAX - 1 - c->len));
}

static void ctl_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  struct ctl_conn *c = s->data;

  (void)b;
  if (n < 0) {
    uv_close((uv_handle_t *)s, ctl_closed);
    return;
  }
  c->len += (size_t)n;
  if (memchr(c->line, '\n', c->len) || c->len >= CTL_LINE_MAX - 1)
    ctl_answer(c);
}

static void ctl_connection(uv_stream_t *server, int status) {
  struct vtund *d = server->data;
  struct ctl_conn *c;

  if (status < 0 || (c = calloc(1, sizeof(*c))) == NULL)
    return;
  c->d = d;
  uv_pipe_init(d->loop, &c->pipe, 0);
  c->pipe.data = c;
  if (uv_accept(server, (uv_stream_t *)&c->pipe) != 0) {
    uv_close((uv_handle_t *)&c->pipe, ctl_closed);
    return;
  }
  uv_read_start((uv_stream_t *)&c->pipe, ctl_alloc, ctl_read);
}

int vtund_ctl_start(struct vtund *d) {
  int rv;

  unlink(d->ctl_path);
  uv_pipe_init(d->loop, &d->ctl, 0);
  d->ctl.data = d;
  d->ctl_open = true;
  if ((rv = uv_pipe_bind(&d->ctl, d->ctl_path)) != 0 ||
      (rv = uv_listen((uv_stream_t *)&d->ctl, 8, ctl_connection)) != 0) {
    vtund_log(d, VTUN_LOG_ERROR, "control socket %s: %s", d->ctl_path,
              uv_strerror(rv));
    return rv;
  }
  return 0;
}

void vtund_ctl_stop(struct vtund *d) {
  if (!d->ctl_open)
    return;
  d->ctl_open = false;
  uv_close((uv_handle_t *)&d->ctl, NULL);
  unlink(d->ctl_path);
}
