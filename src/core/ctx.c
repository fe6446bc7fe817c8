/* The context: settings, hooks, the refusal message, events, and the
 * lifetime of everything the context owns. */
#include "core/ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/objects.h"
#include "ike/ike.h"
#include "util/mem.h"

const char *vtun_version(void) {
  return VTUN_VERSION;
}

void vtun_settings_default(vtun_settings *s) {
  if (s == NULL)
    return;
  memset(s, 0, sizeof(*s));
  s->log_level = VTUN_LOG_INFO;
  s->log_topics = VTUN_TOPIC_ALL;
  s->replay_window = 1024;
  s->cookie_threshold = 64;
}

static int ctx_check_settings(const vtun_settings *s) {
  if (s->replay_window != 0 &&
      (s->replay_window < 32 || s->replay_window > 65536 ||
       s->replay_window % 32 != 0))
    return VTUN_EINVAL;
  if (s->crypto != NULL && s->crypto->version > VTUN_CRYPTO_OPS_VERSION)
    return VTUN_EVERSION;
  return 0;
}

/* Older struct versions are copied into a zero-filled current layout, so
 * members appended later read as zero (or their default). Version 1 is the
 * only one so far. */
static int ctx_copy_inputs(vtun_ctx *ctx, int hooks_version,
                           const vtun_hooks *hooks, int settings_version,
                           const vtun_settings *settings) {
  if (hooks_version < 1 || hooks_version > VTUN_HOOKS_VERSION ||
      settings_version < 1 || settings_version > VTUN_SETTINGS_VERSION)
    return VTUN_EVERSION;
  if (hooks != NULL)
    ctx->hooks = *hooks;
  vtun_settings_default(&ctx->settings);
  if (settings != NULL)
    ctx->settings = *settings;
  return ctx_check_settings(&ctx->settings);
}

static void ctx_init_lists(vtun_ctx *ctx) {
  vtun__list_init(&ctx->vsyses);
  vtun__list_init(&ctx->vrfs);
  vtun__list_init(&ctx->ifaces);
  vtun__list_init(&ctx->tunnels);
  vtun__list_init(&ctx->ike_proposals);
  vtun__list_init(&ctx->ike_peers);
  vtun__list_init(&ctx->ipsec_proposals);
  vtun__list_init(&ctx->profiles);
  vtun__list_init(&ctx->pools);
}

static int ctx_start_crypto(vtun_ctx *ctx) {
  ctx->crypto = ctx->settings.crypto != NULL ? ctx->settings.crypto
                                             : vtun_crypto_openssl();
  if (ctx->crypto == NULL)
    return 0; /* a build without crypto still does configuration */
  if (ctx->crypto->init == NULL)
    return 0;
  return ctx->crypto->init(ctx->settings.crypto_arg, &ctx->crypto_state) == 0
             ? 0
             : VTUN_ECRYPTO;
}

int vtun_ctx_new_versioned(vtun_ctx **out, int hooks_version,
                           const vtun_hooks *hooks, int settings_version,
                           const vtun_settings *settings, void *user_data) {
  vtun_ctx *ctx;
  int rv;

  if (out == NULL)
    return VTUN_EINVAL;
  ctx = vtun__zalloc(sizeof(*ctx));
  if (ctx == NULL)
    return VTUN_ENOMEM;
  rv = ctx_copy_inputs(ctx, hooks_version, hooks, settings_version, settings);
  if (rv != 0)
    goto fail_free_ctx;

  ctx->user_data = user_data;
  ctx->log =
      (struct vtun__logger){ctx->hooks.log, user_data, ctx->settings.log_level,
                            ctx->settings.log_topics};
  ctx_init_lists(ctx);
  rv = ctx_start_crypto(ctx);
  if (rv != 0)
    goto fail_free_ctx;
  rv = vtun__dp_ctx_init(ctx);
  if (rv != 0)
    goto fail_stop_crypto;
  rv = vtun__ike_ctx_init(ctx);
  if (rv != 0)
    goto fail_dp_fini;
  *out = ctx;
  return 0;

fail_dp_fini:
  vtun__dp_ctx_fini(ctx);
fail_stop_crypto:
  if (ctx->crypto != NULL && ctx->crypto->fini != NULL)
    ctx->crypto->fini(ctx->crypto_state);
fail_free_ctx:
  free(ctx);
  return rv;
}

void vtun_ctx_free(vtun_ctx *ctx) {
  if (ctx == NULL)
    return;
  vtun__ike_ctx_fini(ctx);
  vtun__objects_free_all(ctx);
  vtun__match_index_free(&ctx->match_index);
  vtun__timers_free(&ctx->timers);
  vtun__dp_ctx_fini(ctx);
  if (ctx->crypto != NULL && ctx->crypto->fini != NULL)
    ctx->crypto->fini(ctx->crypto_state);
  vtun__wipe(ctx, sizeof(*ctx));
  free(ctx);
}

const char *vtun_ctx_last_error(const vtun_ctx *ctx) {
  return ctx != NULL ? ctx->errmsg : "";
}

void vtun_ctx_set_user_data(vtun_ctx *ctx, void *user_data) {
  ctx->user_data = user_data;
  ctx->log.user_data = user_data;
}

void *vtun_ctx_get_user_data(const vtun_ctx *ctx) {
  return ctx->user_data;
}

int vtun__refuse(vtun_ctx *ctx, int code, const char *fmt, ...) {
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
  va_end(ap);
  if (n < 0)
    ctx->errmsg[0] = '\0';
  VTUN_LOG(&ctx->log, VTUN_LOG_DEBUG, VTUN_TOPIC_CFG, "refused: %s",
           ctx->errmsg);
  return code;
}

void vtun__event(vtun_ctx *ctx, const vtun_event *ev) {
  if (ctx->hooks.event != NULL)
    ctx->hooks.event(ctx->user_data, ev);
}

int vtun__random(vtun_ctx *ctx, uint8_t *buf, size_t len) {
  if (ctx->hooks.random != NULL)
    return ctx->hooks.random(ctx->user_data, buf, len) == 0 ? 0
                                                            : VTUN_ECALLBACK;
  if (ctx->crypto == NULL || ctx->crypto->random == NULL)
    return VTUN_ENOTSUP;
  return ctx->crypto->random(ctx->crypto_state, buf, len) == 0 ? 0
                                                               : VTUN_ECRYPTO;
}

int vtun_ctx_get_allow_legacy(const vtun_ctx *ctx) {
  return ctx->settings.allow_legacy;
}

int vtun_ctx_set_allow_legacy(vtun_ctx *ctx, int on) {
  const char *what;

  vtun__ok(ctx);
  if (!on && (what = vtun__objects_legacy_in_use(ctx)) != NULL)
    return vtun__refuse(ctx, VTUN_ER14_LEGACY_ALGORITHM,
                        "R14: cannot switch legacy algorithms off: %s "
                        "uses one",
                        what);
  ctx->settings.allow_legacy = on ? 1 : 0;
  return 0;
}
