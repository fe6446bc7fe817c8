#include "config/args.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int args_digits(const struct vtun__cfg_word *w) {
  if (w->len == 0 || w->len > 20)
    return 0;
  for (size_t i = 0; i < w->len; i++)
    if (w->text[i] < '0' || w->text[i] > '9')
      return 0;
  return 1;
}

int vtun__cfg_arg_u64(struct vtun__cfg_parser *p,
                      const struct vtun__cfg_word *w, uint64_t *out) {
  uint64_t v = 0;

  if (!args_digits(w))
    return vtun__cfg_syntax(p, w, "'%s' is not a number", w->text);
  for (size_t i = 0; i < w->len; i++) {
    unsigned d = (unsigned)(w->text[i] - '0');

    if (v > (UINT64_MAX - d) / 10)
      return vtun__cfg_syntax(p, w, "'%s' is too large", w->text);
    v = v * 10 + d;
  }
  *out = v;
  return 0;
}

int vtun__cfg_arg_u32(struct vtun__cfg_parser *p,
                      const struct vtun__cfg_word *w, uint32_t *out) {
  uint64_t v;
  int rv;

  if ((rv = vtun__cfg_arg_u64(p, w, &v)) != 0)
    return rv;
  if (v > UINT32_MAX)
    return vtun__cfg_syntax(p, w, "'%s' is too large", w->text);
  *out = (uint32_t)v;
  return 0;
}

int vtun__cfg_arg_text(struct vtun__cfg_parser *p,
                       const struct vtun__cfg_word *w, const char **out) {
  if (strlen(w->text) != w->len)
    return vtun__cfg_syntax(p, w, "a NUL byte where text is expected");
  *out = w->text;
  return 0;
}

static const char *args_family_name(int family) {
  return family == VTUN_AF_INET    ? "an IPv4 address"
         : family == VTUN_AF_INET6 ? "an IPv6 address"
                                   : "an IP address";
}

int vtun__cfg_arg_addr(struct vtun__cfg_parser *p,
                       const struct vtun__cfg_word *w, int family,
                       vtun_endpoint *out) {
  if (w->quoted || vtun_endpoint_parse(out, w->text, 0) != 0 ||
      (family != VTUN_AF_NONE && out->family != family))
    return vtun__cfg_syntax(p, w, "'%s' is not %s", w->text,
                            args_family_name(family));
  return 0;
}

int vtun__cfg_mask_prefix(const char *mask) {
  vtun_endpoint ep;
  uint32_t m;
  int n = 0;

  if (vtun_endpoint_parse(&ep, mask, 0) != 0 || ep.family != VTUN_AF_INET)
    return -1;
  m = (uint32_t)ep.addr[0] << 24 | (uint32_t)ep.addr[1] << 16 |
      (uint32_t)ep.addr[2] << 8 | ep.addr[3];
  while (m & 0x80000000u) {
    m <<= 1;
    n++;
  }
  return m == 0 ? n : -1;
}

/* A prefix length given as a number or, for IPv4, as a dotted mask. */
static int args_len_or_mask(struct vtun__cfg_parser *p,
                            const struct vtun__cfg_word *w,
                            const vtun_endpoint *addr, unsigned *prefix) {
  unsigned max = addr->family == VTUN_AF_INET ? 32 : 128;
  uint32_t v = 0;
  int m;

  if (addr->family == VTUN_AF_INET && strchr(w->text, '.') != NULL) {
    if ((m = vtun__cfg_mask_prefix(w->text)) < 0)
      return vtun__cfg_syntax(p, w, "'%s' is not a contiguous mask", w->text);
    *prefix = (unsigned)m;
    return 0;
  }
  if (!args_digits(w) || vtun__cfg_arg_u32(p, w, &v) != 0 || v > max)
    return vtun__cfg_syntax(p, w, "'%s' is not a prefix length (0-%u)", w->text,
                            max);
  *prefix = v;
  return 0;
}

/* "A/len" in one word. */
static int args_slash(struct vtun__cfg_parser *p,
                      const struct vtun__cfg_word *w, int family,
                      vtun_endpoint *addr, unsigned *prefix) {
  struct vtun__cfg_word part = *w;
  char text[VTUN_CFG_LINE_MAX + 1];
  const char *slash = strchr(w->text, '/');
  size_t n = (size_t)(slash - w->text);
  int rv;

  memcpy(text, w->text, n);
  text[n] = '\0';
  part.text = text;
  part.len = n;
  if ((rv = vtun__cfg_arg_addr(p, &part, family, addr)) != 0) {
    p->blame = w; /* the word, not a copy on this stack */
    return rv;
  }
  part.text = slash + 1;
  part.len = w->len - n - 1;
  part.col = w->col + (unsigned)n + 1;
  if ((rv = args_len_or_mask(p, &part, addr, prefix)) != 0)
    p->blame = w; /* the word, not a copy on this stack */
  return rv;
}

int vtun__cfg_arg_prefix(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a, unsigned i, int family,
                         vtun_endpoint *addr, unsigned *prefix,
                         unsigned *used) {
  const struct vtun__cfg_word *w = &a->v[i];
  int rv;

  if (strchr(w->text, '/') != NULL && !w->quoted) {
    *used = 1;
    return args_slash(p, w, family, addr, prefix);
  }
  if ((rv = vtun__cfg_arg_addr(p, w, family, addr)) != 0)
    return rv;
  if (i + 1 >= a->n)
    return vtun__cfg_syntax(p, w, "'%s' needs a mask or prefix length",
                            w->text);
  *used = 2;
  return args_len_or_mask(p, &a->v[i + 1], addr, prefix);
}

int vtun__cfg_arg_enum(struct vtun__cfg_parser *p,
                       const struct vtun__cfg_word *w,
                       const struct vtun__cfg_enum *table, int *out) {
  char list[256];
  size_t pos = 0;

  for (const struct vtun__cfg_enum *e = table; e->name != NULL; e++)
    if (!w->quoted && strcasecmp(w->text, e->name) == 0) {
      *out = e->value;
      return 0;
    }
  list[0] = '\0';
  for (const struct vtun__cfg_enum *e = table; e->name && pos < 200; e++)
    pos += (size_t)snprintf(list + pos, sizeof(list) - pos, "%s%s",
                            e == table ? "" : ", ", e->name);
  return vtun__cfg_syntax(p, w, "'%s' is not one of: %s", w->text, list);
}

int vtun__cfg_arg_keyword(struct vtun__cfg_parser *p,
                          const struct vtun__cfg_word *w, const char *keyword) {
  if (w->quoted || strcasecmp(w->text, keyword) != 0)
    return vtun__cfg_syntax(p, w, "'%s' where '%s' is expected", w->text,
                            keyword);
  return 0;
}

/* The names of every algorithm of @p kind, for messages. */
static void args_alg_list(int kind, char *buf, size_t len) {
  size_t pos = 0;

  buf[0] = '\0';
  for (int id = 1; id < 64 && pos < len; id++) {
    const char *name = vtun_alg_name(kind, id);

    if (name != NULL)
      pos +=
          (size_t)snprintf(buf + pos, len - pos, "%s%s", pos ? ", " : "", name);
  }
}

int vtun__cfg_arg_alg(struct vtun__cfg_parser *p,
                      const struct vtun__cfg_word *w, int kind, int *out) {
  char list[256], lower[32];
  int id = VTUN_EINVAL;

  /* Keywords are case-insensitive; the algorithm table is lower case. */
  if (!w->quoted && w->len < sizeof(lower)) {
    for (size_t i = 0; i <= w->len; i++)
      lower[i] = (char)tolower((unsigned char)w->text[i]);
    id = vtun_alg_from_name(kind, lower);
  }
  if (id > 0) {
    *out = id;
    return 0;
  }
  args_alg_list(kind, list, sizeof(list));
  return vtun__cfg_syntax(p, w, "'%s' is not one of: %s", w->text, list);
}

int vtun__cfg_arg_dh(struct vtun__cfg_parser *p, const struct vtun__cfg_word *w,
                     int *out) {
  struct vtun__cfg_word full = *w;
  char text[32];

  /* The vendor writes `dh group14` in IKE proposals and `pfs dh-group14`
   * in profiles; both spellings are accepted in both places. */
  if (!w->quoted && strncasecmp(w->text, "group", 5) == 0 && w->len < 20) {
    snprintf(text, sizeof(text), "dh-%s", w->text);
    full.text = text;
    full.len = strlen(text);
  }
  if (vtun__cfg_arg_alg(p, &full, VTUN_ALG_DH, out) == 0)
    return 0;
  return vtun__cfg_syntax(p, w,
                          "'%s' is not a DH group (group14, group15, "
                          "group16, group19, group20, group21, group31, "
                          "group1, group2, group5)",
                          w->text);
}

const char *vtun__cfg_enum_name(const struct vtun__cfg_enum *table, int value) {
  for (const struct vtun__cfg_enum *e = table; e->name != NULL; e++)
    if (e->value == value)
      return e->name;
  return "?";
}
