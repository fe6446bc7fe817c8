/* The table-driven command interpreter: each view has a table of keyword
 * sequences and handlers (cmd_*.c); the driver finds the longest match in
 * the current view, else in the system view (which leaves the current
 * one, as the vendor's configuration files expect), checks the number of
 * arguments and runs the handler, which calls the public API. */
#ifndef VTUN_CONFIG_PARSER_H
#define VTUN_CONFIG_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#include "config/defaults.h"
#include "config/lex.h"
#include "core/ctx.h"

enum vtun__cfg_view {
  VTUN_CFG_VIEW_SYSTEM = 0,
  VTUN_CFG_VIEW_VRF,
  VTUN_CFG_VIEW_IFACE,
  VTUN_CFG_VIEW_TUNNEL,
  VTUN_CFG_VIEW_IKE_PROPOSAL,
  VTUN_CFG_VIEW_IKE_PEER,
  VTUN_CFG_VIEW_IPSEC_PROPOSAL,
  VTUN_CFG_VIEW_PROFILE,
  VTUN_CFG_VIEW_POOL,
  VTUN_CFG_VIEW_COUNT,
};

/* The words after a command's keywords. */
struct vtun__cfg_args {
  const struct vtun__cfg_word *v;
  unsigned n;
  bool undo; /* the line started with `undo` */
};

struct vtun__cfg_parser;

typedef int (*vtun__cfg_handler)(struct vtun__cfg_parser *p,
                                 const struct vtun__cfg_args *a);

/* What `undo` accepts for a command. */
enum vtun__cfg_undo {
  VTUN_CFG_UNDO_NO = 0,   /* no undo form */
  VTUN_CFG_UNDO_ANY = 1,  /* undo with 0 up to max arguments */
  VTUN_CFG_UNDO_SAME = 2, /* undo with min up to max arguments */
};

struct vtun__cfg_cmd {
  const char *words;      /* keywords separated by one space */
  unsigned char min, max; /* arguments after the keywords */
  unsigned char undo;     /* enum vtun__cfg_undo */
  bool secret;            /* arguments are never echoed in messages */
  vtun__cfg_handler fn;
};

struct vtun__cfg_parser {
  vtun_ctx *ctx;
  const struct vtun__cfg_defaults *def;
  int view;        /* enum vtun__cfg_view */
  vtun_vsys *vsys; /* objects are defined in it (`switch vsys`) */
  void *obj;       /* the object of the current view */
  const struct vtun__cfg_line *line;
  const struct vtun__cfg_cmd *cmd;    /* the command being run */
  const struct vtun__cfg_word *blame; /* the word an error is about */
  char msg[512]; /* the parser's own reason; "" when the core refused */
  unsigned lineno;

  /* `local-id-type T` (slot 0) or `remote-id-type T` (slot 1) of a type
   * that needs a value waits for its `local-id` / `remote-id` line in the
   * same view; leaving the view without it is an error. */
  struct {
    void *peer; /* NULL: nothing waits */
    int type[2];
    bool set[2];
    unsigned line, col;
  } pend;
};

/* Each view's table, ended by an entry with NULL words. */
extern const struct vtun__cfg_cmd vtun__cfg_system_cmds[];
extern const struct vtun__cfg_cmd vtun__cfg_vrf_cmds[];
extern const struct vtun__cfg_cmd vtun__cfg_iface_cmds[];
extern const struct vtun__cfg_cmd vtun__cfg_tunnel_cmds[];
extern const struct vtun__cfg_cmd vtun__cfg_ike_proposal_cmds[];
extern const struct vtun__cfg_cmd vtun__cfg_ike_peer_cmds[];
extern const struct vtun__cfg_cmd vtun__cfg_ipsec_proposal_cmds[];
extern const struct vtun__cfg_cmd vtun__cfg_profile_cmds[];
extern const struct vtun__cfg_cmd vtun__cfg_pool_cmds[];

/* A bad argument or unknown word: records the reason and the word, and
 * returns VTUN_ESYNTAX. */
int vtun__cfg_syntax(struct vtun__cfg_parser *p, const struct vtun__cfg_word *w,
                     const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A refusal found by the parser itself (an object that does not exist):
 * records the reason and the word, and returns @p code. */
int vtun__cfg_refuse(struct vtun__cfg_parser *p, const struct vtun__cfg_word *w,
                     int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Blames @p w for what the core refuses next; returns @p rv. */
int vtun__cfg_blame(struct vtun__cfg_parser *p, const struct vtun__cfg_word *w,
                    int rv);

/* Enters a view for @p obj. */
void vtun__cfg_enter(struct vtun__cfg_parser *p, int view, void *obj);

/* How a failed load is reported. */
struct vtun__cfg_status {
  unsigned line, col;
  char msg[VTUN_ERRMSG_MAX]; /* "line L, column C: ..." */
};

/* Runs @p text against @p ctx command by command (no commit). Stops at
 * the first failure: returns its code and fills @p st. @p def are the
 * defaults `undo` restores. */
int vtun__cfg_apply(vtun_ctx *ctx, const struct vtun__cfg_defaults *def,
                    const char *text, size_t len, struct vtun__cfg_status *st);

#endif
