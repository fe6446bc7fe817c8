#include "config/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/dump.h"
#include "config/parser.h"
#include "util/mem.h"

/* The number of lines of @p text, for commit errors. */
static unsigned load_count_lines(const char *text, size_t len) {
  const char *line;
  size_t pos = 0, n;
  unsigned count = 0;

  while (vtun__cfg_next_line(text, len, &pos, &line, &n))
    count++;
  return count > 0 ? count : 1;
}

/* Commit after the last line: R10, R11 and R13 look at several objects,
 * so the message names them and the position is the end of the text. */
static int load_commit(vtun_ctx *target, vtun_ctx *report, const char *text,
                       size_t len) {
  char why[VTUN_ERRMSG_MAX];
  int rv = vtun_ctx_commit(target);

  if (rv == 0)
    return 0;
  snprintf(why, sizeof(why), "%s", vtun_ctx_last_error(target));
  return vtun__refuse(report, rv, "line %u, column 1: commit refused: %s",
                      load_count_lines(text, len), why);
}

/* Builds the scratch copy: the current configuration (with its keys),
 * then the new text, then commit. */
static int load_trial(vtun_ctx *ctx, vtun_ctx *scratch,
                      const struct vtun__cfg_defaults *d, const char *text,
                      size_t len, struct vtun__cfg_status *st) {
  char *cur = NULL;
  size_t curlen = 0;
  int rv;

  if ((rv = vtun__cfg_dump_alloc(ctx, d, &cur, &curlen)) != 0)
    return vtun__refuse(ctx, rv, "the current configuration: %s",
                        vtun_strerror(rv));
  rv = vtun__cfg_apply(scratch, d, cur, curlen, st);
  vtun__free_secret(cur, curlen + 1);
  if (rv != 0)
    /* The dump failed to load back: a bug of ours, not of the text. */
    return vtun__refuse(ctx, VTUN_EINTERNAL,
                        "the current configuration does not load back: %s",
                        st->msg);
  if ((rv = vtun__cfg_apply(scratch, d, text, len, st)) != 0)
    return vtun__refuse(ctx, rv, "%s", st->msg);
  return load_commit(scratch, ctx, text, len);
}

static int load_check_input(vtun_ctx *ctx, const char *text, size_t len) {
  if (text == NULL && len > 0)
    return vtun__refuse(ctx, VTUN_EINVAL, "no text given");
  if (len > VTUN_CFG_TEXT_MAX)
    return vtun__refuse(ctx, VTUN_EINVAL,
                        "configuration text of %zu bytes exceeds the "
                        "limit of %u bytes",
                        len, VTUN_CFG_TEXT_MAX);
  return 0;
}

int vtun_config_load(vtun_ctx *ctx, const char *text, size_t len) {
  struct vtun__cfg_defaults d;
  struct vtun__cfg_status *st;
  vtun_ctx *scratch;
  int rv;

  if (ctx == NULL)
    return VTUN_EINVAL;
  vtun__ok(ctx);
  if ((rv = load_check_input(ctx, text, len)) != 0)
    return rv;
  if ((st = vtun__zalloc(sizeof(*st))) == NULL)
    return VTUN_ENOMEM;
  if ((rv = vtun__cfg_scratch_new(ctx, &scratch)) != 0)
    goto fail_free_status;
  if ((rv = vtun__cfg_defaults_read(scratch, &d)) == 0)
    rv = load_trial(ctx, scratch, &d, text, len, st);
  vtun_ctx_free(scratch);
  if (rv != 0)
    goto fail_free_status;

  /* The trial passed on an identical copy, so the same commands pass
   * here. LIMITATION: a hook that fails while the text is applied to the
   * real context (when a profile is removed from a negotiating tunnel,
   * say) leaves the commands before it applied. */
  if ((rv = vtun__cfg_apply(ctx, &d, text, len, st)) != 0)
    rv = vtun__refuse(ctx, rv, "%s (applied up to this line)", st->msg);
  else if ((rv = load_commit(ctx, ctx, text, len)) == 0)
    vtun__ok(ctx);

fail_free_status:
  free(st);
  return rv;
}
