#include "config/parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/args.h"
#include "config/cmd_ike.h"
#include "util/mem.h"

static const struct vtun__cfg_cmd *const parser_tables[] = {
    [VTUN_CFG_VIEW_SYSTEM] = vtun__cfg_system_cmds,
    [VTUN_CFG_VIEW_VRF] = vtun__cfg_vrf_cmds,
    [VTUN_CFG_VIEW_IFACE] = vtun__cfg_iface_cmds,
    [VTUN_CFG_VIEW_TUNNEL] = vtun__cfg_tunnel_cmds,
    [VTUN_CFG_VIEW_IKE_PROPOSAL] = vtun__cfg_ike_proposal_cmds,
    [VTUN_CFG_VIEW_IKE_PEER] = vtun__cfg_ike_peer_cmds,
    [VTUN_CFG_VIEW_IPSEC_PROPOSAL] = vtun__cfg_ipsec_proposal_cmds,
    [VTUN_CFG_VIEW_PROFILE] = vtun__cfg_profile_cmds,
    [VTUN_CFG_VIEW_POOL] = vtun__cfg_pool_cmds,
};

int vtun__cfg_syntax(struct vtun__cfg_parser *p, const struct vtun__cfg_word *w,
                     const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
  va_end(ap);
  p->blame = w;
  return VTUN_ESYNTAX;
}

int vtun__cfg_refuse(struct vtun__cfg_parser *p, const struct vtun__cfg_word *w,
                     int code, const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
  va_end(ap);
  p->blame = w;
  return code;
}

int vtun__cfg_blame(struct vtun__cfg_parser *p, const struct vtun__cfg_word *w,
                    int rv) {
  if (rv != 0 && p->blame == NULL)
    p->blame = w;
  return rv;
}

void vtun__cfg_enter(struct vtun__cfg_parser *p, int view, void *obj) {
  p->view = view;
  p->obj = obj;
}

/* How many keywords of @p cmd match words from @p start on; *full tells
 * whether all of them did. Keywords match case-insensitively and never a
 * quoted word. */
static unsigned parser_match_one(const struct vtun__cfg_cmd *cmd,
                                 const struct vtun__cfg_line *ln,
                                 unsigned start, bool *full) {
  const char *k = cmd->words;
  unsigned i = start;

  for (;;) {
    size_t klen = strcspn(k, " ");
    const struct vtun__cfg_word *w = &ln->w[i];

    if (i >= ln->n || w->quoted || w->len != klen ||
        strncasecmp(w->text, k, klen) != 0) {
      *full = false;
      return i - start;
    }
    i++;
    if (k[klen] == '\0')
      break;
    k += klen + 1;
  }
  *full = true;
  return i - start;
}

/* The entry of @p table with the most keywords matching in full, or NULL;
 * *depth grows to the most keywords any entry matched. */
static const struct vtun__cfg_cmd *
parser_match(const struct vtun__cfg_cmd *table, const struct vtun__cfg_line *ln,
             unsigned start, unsigned *nkw, unsigned *depth) {
  const struct vtun__cfg_cmd *best = NULL;

  *nkw = 0;
  for (const struct vtun__cfg_cmd *c = table; c->words != NULL; c++) {
    bool full;
    unsigned k = parser_match_one(c, ln, start, &full);

    if (k > *depth)
      *depth = k;
    if (full && k > *nkw) {
      best = c;
      *nkw = k;
    }
  }
  return best;
}

/* Looks in the current view, then in the system view. */
static const struct vtun__cfg_cmd *parser_find(struct vtun__cfg_parser *p,
                                               unsigned start, unsigned *nkw) {
  const struct vtun__cfg_line *ln = p->line;
  const struct vtun__cfg_cmd *c;
  unsigned depth = 0;

  c = parser_match(parser_tables[p->view], ln, start, nkw, &depth);
  if (c != NULL || p->view == VTUN_CFG_VIEW_SYSTEM)
    goto check;
  c = parser_match(vtun__cfg_system_cmds, ln, start, nkw, &depth);
  if (c != NULL)
    vtun__cfg_enter(p, VTUN_CFG_VIEW_SYSTEM, NULL);

check:
  if (c != NULL)
    return c;
  if (start + depth >= ln->n)
    vtun__cfg_syntax(p, &ln->w[ln->n - 1], "incomplete command after '%s'",
                     ln->w[ln->n - 1].text);
  else
    vtun__cfg_syntax(p, &ln->w[start + depth], "unknown command word '%s'",
                     ln->w[start + depth].text);
  return NULL;
}

static int parser_check_count(struct vtun__cfg_parser *p,
                              const struct vtun__cfg_cmd *c,
                              const struct vtun__cfg_args *a) {
  const struct vtun__cfg_word *last = &p->line->w[p->line->n - 1];
  unsigned min = c->min;

  if (a->undo && c->undo == VTUN_CFG_UNDO_NO)
    return vtun__cfg_syntax(p, &p->line->w[0], "'%s' has no undo form",
                            c->words);
  if (a->undo && c->undo == VTUN_CFG_UNDO_ANY)
    min = 0;
  if (a->n > c->max)
    return vtun__cfg_syntax(p, &a->v[c->max], "unexpected word '%s'",
                            a->v[c->max].text);
  if (a->n < min)
    return vtun__cfg_syntax(p, last, "'%s' needs %s argument%s", c->words,
                            min - a->n == 1 ? "another" : "more",
                            min - a->n == 1 ? "" : "s");
  return 0;
}

/* `quit` leaves the view; `return` also leaves any virtual system. */
static bool parser_builtin(struct vtun__cfg_parser *p) {
  const struct vtun__cfg_word *w = &p->line->w[0];

  if (p->line->n != 1 || w->quoted)
    return false;
  if (strcasecmp(w->text, "quit") == 0) {
    vtun__cfg_enter(p, VTUN_CFG_VIEW_SYSTEM, NULL);
    return true;
  }
  if (strcasecmp(w->text, "return") == 0) {
    vtun__cfg_enter(p, VTUN_CFG_VIEW_SYSTEM, NULL);
    p->vsys = NULL;
    return true;
  }
  return false;
}

static int parser_command(struct vtun__cfg_parser *p) {
  const struct vtun__cfg_line *ln = p->line;
  const struct vtun__cfg_cmd *c;
  struct vtun__cfg_args a;
  unsigned start, nkw;
  int rv;

  if (parser_builtin(p))
    return 0;
  a.undo = !ln->w[0].quoted && strcasecmp(ln->w[0].text, "undo") == 0;
  start = a.undo ? 1 : 0;
  if (start >= ln->n)
    return vtun__cfg_syntax(p, &ln->w[0], "'undo' of what?");
  if ((c = parser_find(p, start, &nkw)) == NULL)
    return VTUN_ESYNTAX;

  p->cmd = c;
  a.v = &ln->w[start + nkw];
  a.n = ln->n - start - nkw;
  if ((rv = parser_check_count(p, c, &a)) != 0)
    return rv;
  return vtun__cfg_blame(p, &ln->w[start], c->fn(p, &a));
}

/* "ip address 10.1.1.1 24" for messages; secrets stay out. */
static void parser_echo(const struct vtun__cfg_parser *p, char *buf,
                        size_t len) {
  const struct vtun__cfg_line *ln = p->line;
  bool secret = p->cmd != NULL && p->cmd->secret;
  size_t pos = 0;

  buf[0] = '\0';
  for (unsigned i = 0; i < ln->n && pos + 1 < len; i++) {
    const char *t = ln->w[i].text;

    if (secret && i > 0)
      t = "******";
    pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", i ? " " : "", t);
  }
  if (pos >= len && len > 4)
    memcpy(buf + len - 4, "...", 4);
}

/* Fills @p st for a failure at the current line. The core's message is
 * kept whole: it names the rule and the objects. */
static void parser_report(struct vtun__cfg_parser *p, unsigned lineno, int rv,
                          struct vtun__cfg_status *st) {
  const char *why = p->msg[0] ? p->msg : vtun_ctx_last_error(p->ctx);
  char echo[96];

  st->line = lineno;
  st->col = p->blame != NULL ? p->blame->col : 1;
  if (why[0] == '\0')
    why = vtun_strerror(rv);
  if (p->msg[0] != '\0' || p->cmd == NULL) {
    snprintf(st->msg, sizeof(st->msg), "line %u, column %u: %s", st->line,
             st->col, why);
    return;
  }
  parser_echo(p, echo, sizeof(echo));
  snprintf(st->msg, sizeof(st->msg), "line %u, column %u: '%s' refused: %s",
           st->line, st->col, echo, why);
}

static int parser_line(struct vtun__cfg_parser *p, const char *s, size_t len,
                       struct vtun__cfg_line *ln, unsigned lineno,
                       struct vtun__cfg_status *st) {
  struct vtun__cfg_lex_error le;
  int rv;

  p->line = ln;
  p->cmd = NULL;
  p->blame = NULL;
  p->msg[0] = '\0';
  if (memchr(s, '\0', len) != NULL) {
    le.col = (unsigned)((const char *)memchr(s, '\0', len) - s) + 1;
    le.what = "a NUL byte";
    goto fail_lex;
  }
  if (vtun__cfg_lex_line(s, len, ln, &le) != 0)
    goto fail_lex;
  if (ln->kind == VTUN_CFG_LINE_SEPARATOR)
    vtun__cfg_enter(p, VTUN_CFG_VIEW_SYSTEM, NULL);
  if (ln->kind != VTUN_CFG_LINE_COMMAND)
    return 0;
  if ((rv = parser_command(p)) != 0)
    parser_report(p, lineno, rv, st);
  return rv;

fail_lex:
  st->line = lineno;
  st->col = le.col;
  snprintf(st->msg, sizeof(st->msg), "line %u, column %u: %s", lineno, le.col,
           le.what);
  return VTUN_ESYNTAX;
}

/* A `local-id-type` / `remote-id-type` still waiting for its value when
 * its view is left (or the text ends) is an error on its own line. */
static int parser_check_pending(struct vtun__cfg_parser *p, bool end,
                                struct vtun__cfg_status *st) {
  if (p->pend.peer == NULL || (!end && p->obj == p->pend.peer))
    return 0;
  st->line = p->pend.line;
  st->col = p->pend.col;
  snprintf(st->msg, sizeof(st->msg),
           "line %u, column %u: %s-id-type %s needs a %s-id line after it",
           st->line, st->col, p->pend.set[0] ? "local" : "remote",
           vtun__cfg_enum_name(vtun__cfg_id_types,
                               p->pend.type[p->pend.set[0] ? 0 : 1]),
           p->pend.set[0] ? "local" : "remote");
  return VTUN_ESYNTAX;
}

int vtun__cfg_apply(vtun_ctx *ctx, const struct vtun__cfg_defaults *def,
                    const char *text, size_t len, struct vtun__cfg_status *st) {
  struct vtun__cfg_parser p = {.ctx = ctx, .def = def};
  struct vtun__cfg_line *ln;
  const char *s;
  size_t pos = 0, n;
  unsigned lineno = 0;
  int rv = 0;

  /* The line holds unescaped keys: on the heap, wiped after use. */
  if ((ln = vtun__zalloc(sizeof(*ln))) == NULL) {
    snprintf(st->msg, sizeof(st->msg), "line 1, column 1: out of memory");
    return VTUN_ENOMEM;
  }
  while (rv == 0 && vtun__cfg_next_line(text, len, &pos, &s, &n)) {
    p.lineno = ++lineno;
    if ((rv = parser_line(&p, s, n, ln, lineno, st)) == 0)
      rv = parser_check_pending(&p, false, st);
  }
  if (rv == 0)
    rv = parser_check_pending(&p, true, st);
  vtun__free_secret(ln, sizeof(*ln));
  return rv;
}
