/* Argument converters for command handlers. Each checks the form of one
 * or two words and refuses with VTUN_ESYNTAX naming the word; ranges that
 * are rules (R12) are left to the core, which checks them with its own
 * code and message. */
#ifndef VTUN_CONFIG_ARGS_H
#define VTUN_CONFIG_ARGS_H

#include <stdint.h>

#include "config/parser.h"

/* A name and its value, for keyword arguments; tables end with NULL. */
struct vtun__cfg_enum {
  const char *name;
  int value;
};

int vtun__cfg_arg_u32(struct vtun__cfg_parser *p,
                      const struct vtun__cfg_word *w, uint32_t *out);
int vtun__cfg_arg_u64(struct vtun__cfg_parser *p,
                      const struct vtun__cfg_word *w, uint64_t *out);

/* Text without NUL bytes (names, identities). */
int vtun__cfg_arg_text(struct vtun__cfg_parser *p,
                       const struct vtun__cfg_word *w, const char **out);

/* An address of @p family (VTUN_AF_NONE: either). */
int vtun__cfg_arg_addr(struct vtun__cfg_parser *p,
                       const struct vtun__cfg_word *w, int family,
                       vtun_endpoint *out);

/* An address with its prefix length, in arguments @p i (and @p i + 1):
 * "A/len", "A len", or for IPv4 "A M" with a dotted mask; also
 * "A mask M" when @p allow_mask_word. *used is the number of words. */
int vtun__cfg_arg_prefix(struct vtun__cfg_parser *p,
                         const struct vtun__cfg_args *a, unsigned i, int family,
                         vtun_endpoint *addr, unsigned *prefix, unsigned *used);

int vtun__cfg_arg_enum(struct vtun__cfg_parser *p,
                       const struct vtun__cfg_word *w,
                       const struct vtun__cfg_enum *table, int *out);

/* The word must be @p keyword (such as `enable`). */
int vtun__cfg_arg_keyword(struct vtun__cfg_parser *p,
                          const struct vtun__cfg_word *w, const char *keyword);

/* An algorithm of enum vtun_alg_kind by its configuration name. */
int vtun__cfg_arg_alg(struct vtun__cfg_parser *p,
                      const struct vtun__cfg_word *w, int kind, int *out);

/* A DH group as "groupN" or "dh-groupN". */
int vtun__cfg_arg_dh(struct vtun__cfg_parser *p, const struct vtun__cfg_word *w,
                     int *out);

/* The name of @p value in @p table, or "?". */
const char *vtun__cfg_enum_name(const struct vtun__cfg_enum *table, int value);

/* Prefix length of a dotted IPv4 mask, or -1 when not contiguous. */
int vtun__cfg_mask_prefix(const char *mask);

#endif
