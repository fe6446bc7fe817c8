/* Configuration text: whatever loads must dump to text that loads into a
 * fresh context and dumps the same (the round trip); whatever is refused
 * must leave the context as it was (all or nothing), also when the text
 * is loaded a second time on top of itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtun/vtun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *fz_dump(vtun_ctx *ctx) {
  vtun_ssize n = vtun_config_dump(ctx, VTUN_DUMP_SECRETS, NULL, 0);
  char *buf;

  if (n < 0)
    abort();
  if ((buf = malloc((size_t)n + 1)) == NULL)
    abort();
  if (vtun_config_dump(ctx, VTUN_DUMP_SECRETS, buf, (size_t)n + 1) != n)
    abort();
  return buf;
}

static void fz_expect_same(const char *what, const char *a, const char *b) {
  if (strcmp(a, b) == 0)
    return;
  fprintf(stderr, "%s differs:\n--- first\n%s--- second\n%s", what, a, b);
  abort();
}

/* The dump of @p ctx loads into a fresh context and dumps the same. */
static void fz_round_trip(const char *first) {
  vtun_ctx *copy;
  char *second;

  if (vtun_ctx_new(&copy, NULL, NULL, NULL) != 0)
    return;
  if (vtun_config_load(copy, first, strlen(first)) != 0) {
    fprintf(stderr, "dump does not load: %s\n%s", vtun_ctx_last_error(copy),
            first);
    abort();
  }
  second = fz_dump(copy);
  fz_expect_same("round trip", first, second);
  free(second);
  vtun_ctx_free(copy);
}

static void fz_display(vtun_ctx *ctx) {
  static const char *const views[] = {"interface tunnel", "statistics",
                                      "ike sa", "ipsec sa",
                                      "current-configuration"};
  char buf[512];

  for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
    if (vtun_ctx_display(ctx, views[i], buf, sizeof(buf)) < 0)
      abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  char *empty, *first, *again;
  vtun_ctx *ctx;

  if (vtun_ctx_new(&ctx, NULL, NULL, NULL) != 0)
    return 0;
  empty = fz_dump(ctx);
  if (vtun_config_load(ctx, text, size) != 0) {
    first = fz_dump(ctx);
    fz_expect_same("refused load changed the context:", empty, first);
    goto out;
  }
  first = fz_dump(ctx);
  fz_round_trip(first);
  fz_display(ctx);

  /* The same text again, now on top of what it made. */
  if (vtun_config_load(ctx, text, size) != 0) {
    again = fz_dump(ctx);
    fz_expect_same("refused second load changed the context:", first, again);
    free(again);
  }

out:
  free(empty);
  free(first);
  vtun_ctx_free(ctx);
  return 0;
}
