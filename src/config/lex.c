#include "config/lex.h"

#include <string.h>

#include "vtun/vtun.h"

static bool lex_is_space(char c) {
  return c == ' ' || c == '\t';
}

static bool lex_is_control(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

static int lex_fail(struct vtun__cfg_lex_error *err, size_t at,
                    const char *what) {
  err->col = (unsigned)at + 1;
  err->what = what;
  return VTUN_ESYNTAX;
}

static int lex_hex(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads one escape after a backslash at s[*i]; stores the byte. */
static int lex_escape(const char *s, size_t len, size_t *i, char *dst,
                      struct vtun__cfg_lex_error *err) {
  size_t at = *i;
  int hi, lo;

  if (at + 1 >= len)
    return lex_fail(err, at, "backslash at the end of the line");
  if (s[at + 1] == '"' || s[at + 1] == '\\') {
    *dst = s[at + 1];
    *i = at + 2;
    return 0;
  }
  if (s[at + 1] != 'x' || at + 3 >= len || (hi = lex_hex(s[at + 2])) < 0 ||
      (lo = lex_hex(s[at + 3])) < 0)
    return lex_fail(err, at, "unknown escape (use \\\" \\\\ or \\xHH)");
  *dst = (char)(hi << 4 | lo);
  *i = at + 4;
  return 0;
}

/* A quoted word starting at s[*i] == '"'; unescapes into dst. */
static int lex_quoted(const char *s, size_t len, size_t *i, char *dst,
                      size_t *n, struct vtun__cfg_lex_error *err) {
  size_t start = *i, j = *i + 1;
  int rv;

  *n = 0;
  while (j < len && s[j] != '"') {
    if (s[j] == '\\') {
      if ((rv = lex_escape(s, len, &j, dst + *n, err)) != 0)
        return rv;
    } else {
      dst[*n] = s[j++];
    }
    ++*n;
  }
  if (j >= len)
    return lex_fail(err, start, "unterminated quoted string");
  if (j + 1 < len && !lex_is_space(s[j + 1]))
    return lex_fail(err, j + 1, "no space after a quoted string");
  *i = j + 1;
  return 0;
}

/* A plain word starting at s[*i]. */
static int lex_plain(const char *s, size_t len, size_t *i, char *dst, size_t *n,
                     struct vtun__cfg_lex_error *err) {
  size_t j = *i;

  while (j < len && !lex_is_space(s[j])) {
    if (s[j] == '"')
      return lex_fail(err, j, "a quote inside a word");
    if (lex_is_control((unsigned char)s[j]))
      return lex_fail(err, j, "a control character");
    j++;
  }
  *n = j - *i;
  memcpy(dst, s + *i, *n);
  *i = j;
  return 0;
}

static void lex_classify(const char *s, size_t len,
                         struct vtun__cfg_line *out) {
  size_t i = 0;

  while (i < len && lex_is_space(s[i]))
    i++;
  if (i == len) {
    out->kind = VTUN_CFG_LINE_BLANK;
    return;
  }
  if (s[i] != '#') {
    out->kind = VTUN_CFG_LINE_COMMAND;
    return;
  }
  for (i++; i < len && lex_is_space(s[i]); i++)
    ;
  out->kind = i == len ? VTUN_CFG_LINE_SEPARATOR : VTUN_CFG_LINE_COMMENT;
}

int vtun__cfg_lex_line(const char *s, size_t len, struct vtun__cfg_line *out,
                       struct vtun__cfg_lex_error *err) {
  size_t i = 0, used = 0, n;
  int rv;

  out->n = 0;
  if (len > VTUN_CFG_LINE_MAX)
    return lex_fail(err, VTUN_CFG_LINE_MAX, "line longer than 1024 bytes");
  lex_classify(s, len, out);
  if (out->kind != VTUN_CFG_LINE_COMMAND)
    return 0;

  for (;;) {
    while (i < len && lex_is_space(s[i]))
      i++;
    if (i == len)
      return 0;
    if (out->n == VTUN_CFG_WORDS_MAX)
      return lex_fail(err, i, "more than 16 words on a line");

    struct vtun__cfg_word *w = &out->w[out->n];
    char *dst = out->store + used;

    w->col = (unsigned)i + 1;
    w->quoted = s[i] == '"';
    rv = w->quoted ? lex_quoted(s, len, &i, dst, &n, err)
                   : lex_plain(s, len, &i, dst, &n, err);
    if (rv != 0)
      return rv;
    dst[n] = '\0';
    w->text = dst;
    w->len = n;
    used += n + 1;
    out->n++;
  }
}

bool vtun__cfg_next_line(const char *text, size_t len, size_t *pos,
                         const char **line, size_t *line_len) {
  size_t start = *pos, end;
  const char *nl;

  if (start >= len)
    return false;
  nl = memchr(text + start, '\n', len - start);
  end = nl != NULL ? (size_t)(nl - text) : len;
  *pos = nl != NULL ? end + 1 : len;
  *line = text + start;
  *line_len = end - start;
  if (*line_len > 0 && text[end - 1] == '\r')
    --*line_len;
  return true;
}

bool vtun__cfg_needs_quotes(const char *word, size_t len) {
  if (len == 0 || word[0] == '#')
    return true;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)word[i];

    if (lex_is_space((char)c) || c == '"' || c == '\\' || lex_is_control(c))
      return true;
  }
  return false;
}
