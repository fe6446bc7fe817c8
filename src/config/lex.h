/* Splits configuration text into lines and lines into words. A word is a
 * run of characters other than space and tab, or a "double quoted" string
 * in which \" \\ and \xHH stand for a quote, a backslash and any byte. */
#ifndef VTUN_CONFIG_LEX_H
#define VTUN_CONFIG_LEX_H

#include <stdbool.h>
#include <stddef.h>

#define VTUN_CFG_LINE_MAX 1024 /* characters per line, without the end */
#define VTUN_CFG_WORDS_MAX 16  /* words per line */

struct vtun__cfg_word {
  const char *text; /* unescaped and NUL-terminated */
  size_t len;       /* bytes, which may include NUL from \x00 */
  unsigned col;     /* 1-based column of its first character */
  bool quoted;      /* a quoted string is never a keyword */
};

enum vtun__cfg_line_kind {
  VTUN_CFG_LINE_BLANK = 0, /* empty or only spaces */
  VTUN_CFG_LINE_COMMENT,   /* `# text` */
  VTUN_CFG_LINE_SEPARATOR, /* a lone `#`: ends the current view */
  VTUN_CFG_LINE_COMMAND,
};

struct vtun__cfg_line {
  int kind;
  unsigned n; /* words */
  struct vtun__cfg_word w[VTUN_CFG_WORDS_MAX];
  /* Unescaped words, each followed by a NUL; never longer than the
   * line itself plus one NUL per word. */
  char store[VTUN_CFG_LINE_MAX + VTUN_CFG_WORDS_MAX + 1];
};

/* Where a lexing error is and what it is. */
struct vtun__cfg_lex_error {
  unsigned col;
  const char *what; /* static text */
};

/* Splits one line (without its end of line characters) of @p len bytes.
 * @retval 0 done. @retval VTUN_ESYNTAX see @p err. */
int vtun__cfg_lex_line(const char *s, size_t len, struct vtun__cfg_line *out,
                       struct vtun__cfg_lex_error *err);

/* The next line of @p text from @p *pos: its start and length without the
 * "\n" or "\r\n" that ends it; advances *pos. false at the end. */
bool vtun__cfg_next_line(const char *text, size_t len, size_t *pos,
                         const char **line, size_t *line_len);

/* Whether @p word must be quoted to be read back as the same single word
 * (empty, spaces, quotes, backslashes, a leading '#', control bytes). */
bool vtun__cfg_needs_quotes(const char *word, size_t len);

#endif
