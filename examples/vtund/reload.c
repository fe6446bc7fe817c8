/* Loading the configuration, and reloading it on SIGHUP without touching
 * the tunnels that did not change.
 *
 * The new file is first loaded into a scratch context: a file the
 * library refuses changes nothing. Then each tunnel's signature (the
 * dumped sections of the tunnel, its profile, IKE peer, proposals, pool
 * and interfaces) is compared between the running and the new
 * configuration. Changed and removed tunnels are deleted (their SAs are
 * deleted at the peer), objects that only they used and that changed are
 * deleted, and the changed and new sections are loaded into the running
 * context. Unchanged tunnels keep their SAs and TUN devices. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtund.h"

#define SIG_MAX 16

/* The file, the dumps and the host lines hold pre-shared and manual keys:
 * wiped before they are freed. */
void vtund_free_text(char *text) {
  if (text != NULL)
    explicit_bzero(text, strlen(text));
  free(text);
}

static void rl_free_host(struct vtund_hostcfg *h) {
  if (h != NULL)
    explicit_bzero(h, sizeof(*h));
  free(h);
}

static char *rl_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long n;

  if (f == NULL)
    return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
  }
  fclose(f);
  return buf;
}

static char *rl_dump(vtun_ctx *ctx) {
  vtun_ssize n = vtun_config_dump(ctx, VTUN_DUMP_SECRETS, NULL, 0);
  char *buf;

  if (n < 0 || (buf = malloc((size_t)n + 1)) == NULL)
    return NULL;
  vtun_config_dump(ctx, VTUN_DUMP_SECRETS, buf, (size_t)n + 1);
  return buf;
}

/* ------------------------------------------------------------ sections */

/* The section of @p dump whose first line is @p key: from that line to
 * the next line that starts a section or is "#". */
static const char *rl_section(const char *dump, const char *key, size_t *len) {
  size_t klen = strlen(key);

  for (const char *p = dump; p != NULL && *p; p = strchr(p, '\n')) {
    const char *end;

    if (*p == '\n')
      p++;
    if (strncmp(p, key, klen) != 0 || (p[klen] != '\n' && p[klen] != '\0'))
      continue;
    end = strchr(p, '\n');
    while (end != NULL && end[1] == ' ')
      end = strchr(end + 1, '\n');
    *len = end ? (size_t)(end - p) + 1 : strlen(p);
    return p;
  }
  *len = 0;
  return NULL;
}

/* The section keys a tunnel depends on, in @p ctx. */
static unsigned rl_keys(vtun_ctx *ctx, vtun_tunnel *t, char keys[SIG_MAX][96]) {
  vtun_ipsec_profile *prof = vtun_tunnel_get_profile(t);
  vtun_iface *src = vtun_tunnel_get_source_iface(t);
  vtun_iface *unn = vtun_tunnel_get_unnumbered(t);
  vtun_ike_peer *peer = NULL;
  unsigned n = 0;

  snprintf(keys[n++], 96, "interface %s", vtun_tunnel_get_name(t));
  if (src != NULL)
    snprintf(keys[n++], 96, "interface %s", vtun_iface_get_name(src));
  if (unn != NULL && unn != src)
    snprintf(keys[n++], 96, "interface %s", vtun_iface_get_name(unn));
  if (prof == NULL)
    return n;
  snprintf(keys[n++], 96, "ipsec profile %s",
           vtun_ipsec_profile_get_name(prof));
  if (vtun_ipsec_profile_get_proposal(prof) != NULL)
    snprintf(keys[n++], 96, "ipsec proposal %s",
             vtun_ipsec_profile_get_proposal(prof));
  if (vtun_ipsec_profile_get_ike_peer(prof) != NULL) {
    snprintf(keys[n++], 96, "ike peer %s",
             vtun_ipsec_profile_get_ike_peer(prof));
    peer = vtun_ike_peer_find(ctx, vtun_ipsec_profile_get_vsys(prof),
                              vtun_ipsec_profile_get_ike_peer(prof));
  }
  if (peer == NULL)
    return n;
  if (vtun_ike_peer_get_pool(peer) != NULL)
    snprintf(keys[n++], 96, "ip pool %s",
             vtun_pool_get_name(vtun_ike_peer_get_pool(peer)));
  for (unsigned i = 0;
       i < vtun_ike_peer_get_proposal_count(peer) && n < SIG_MAX; i++)
    snprintf(keys[n++], 96, "ike proposal %u",
             vtun_ike_proposal_get_number(vtun_ike_peer_get_proposal(peer, i)));
  return n;
}

/* Whether tunnel @p name depends on the same text in both configs. */
static bool rl_same(vtun_ctx *a, const char *da, vtun_ctx *b, const char *db,
                    const char *name) {
  vtun_tunnel *ta = vtun_tunnel_find(a, name);
  vtun_tunnel *tb = vtun_tunnel_find(b, name);
  char ka[SIG_MAX][96], kb[SIG_MAX][96];
  unsigned na, nb;

  if (ta == NULL || tb == NULL)
    return false;
  na = rl_keys(a, ta, ka);
  nb = rl_keys(b, tb, kb);
  if (na != nb)
    return false;
  for (unsigned i = 0; i < na; i++) {
    size_t la, lb;
    const char *sa = rl_section(da, ka[i], &la);
    const char *sb = rl_section(db, kb[i], &lb);

    if (strcmp(ka[i], kb[i]) != 0 || la != lb ||
        (la > 0 && memcmp(sa, sb, la) != 0))
      return false;
  }
  return true;
}

/* ----------------------------------------------------------- applying */

/* Deletes the running object a section names, when nothing uses it.
 * LIMITATION: a reload compares and applies the sections of the root
 * system only; changes to virtual systems, vpn-instances or global
 * commands (sysname, legacy algorithms) need a restart of vtund. */
static void rl_delete_object(vtun_ctx *ctx, const char *key) {
  unsigned num;

  if (strncmp(key, "ipsec profile ", 14) == 0) {
    vtun_ipsec_profile *o = vtun_ipsec_profile_find(ctx, NULL, key + 14);

    if (o != NULL)
      vtun_ipsec_profile_delete(o);
  } else if (strncmp(key, "ike peer ", 9) == 0) {
    vtun_ike_peer *o = vtun_ike_peer_find(ctx, NULL, key + 9);

    if (o != NULL)
      vtun_ike_peer_delete(o);
  } else if (strncmp(key, "ipsec proposal ", 15) == 0) {
    vtun_ipsec_proposal *o = vtun_ipsec_proposal_find(ctx, NULL, key + 15);

    if (o != NULL)
      vtun_ipsec_proposal_delete(o);
  } else if (sscanf(key, "ike proposal %u", &num) == 1) {
    vtun_ike_proposal *o = vtun_ike_proposal_find(ctx, NULL, num);

    if (o != NULL)
      vtun_ike_proposal_delete(o);
  } else if (strncmp(key, "ip pool ", 8) == 0) {
    vtun_pool *o = vtun_pool_find(ctx, NULL, key + 8);

    if (o != NULL)
      vtun_pool_delete(o);
  }
}

static bool rl_is_header(const char *line) {
  return line[0] != ' ' && line[0] != '#' && line[0] != '\n' &&
         strncmp(line, "return", 6) != 0;
}

/* Appends to @p out every section of the new dump that differs from the
 * running one, and deletes the running objects those sections replace.
 * Objects still used by unchanged tunnels are equal by construction,
 * so a delete refused with VTUN_EBUSY only concerns objects left as they
 * were. */
static size_t rl_delta(vtun_ctx *ctx, const char *dold, const char *dnew,
                       char *out) {
  size_t pos = 0;

  for (const char *p = dnew; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
    char key[96];
    size_t lnew, lold;
    const char *snew, *sold;

    if (!rl_is_header(p))
      continue;
    snprintf(key, sizeof(key), "%.*s", (int)strcspn(p, "\n"), p);
    snew = rl_section(dnew, key, &lnew);
    sold = rl_section(dold, key, &lold);
    if (snew == NULL ||
        (sold != NULL && lold == lnew && memcmp(sold, snew, lnew) == 0))
      continue;
    rl_delete_object(ctx, key);
    memcpy(out + pos, snew, lnew);
    pos += lnew;
    memcpy(out + pos, "#\n", 2);
    pos += 2;
  }
  out[pos] = '\0';
  return pos;
}

/* The configured tunnel after @p t: template instances are skipped, as
 * deleting their template frees them. */
static vtun_tunnel *rl_next_configured(vtun_ctx *ctx, vtun_tunnel *t) {
  do
    t = vtun_tunnel_next(ctx, t);
  while (t != NULL && vtun_tunnel_get_template(t) != NULL);
  return t;
}

static void rl_delete_changed(struct vtund *d, vtun_ctx *next,
                              const char *dnew) {
  vtun_tunnel *t = rl_next_configured(d->ctx, NULL);

  while (t != NULL) {
    vtun_tunnel *after = rl_next_configured(d->ctx, t);
    const char *name = vtun_tunnel_get_name(t);
    struct vtund_tun *tun = vtund_tun_find(d, name);

    if (!rl_same(d->ctx, d->dump, next, dnew, name)) {
      vtund_log(d, VTUN_LOG_INFO, "reload: %s changed or removed: rebuilt",
                name);
      if (tun != NULL)
        vtund_tun_close(tun);
      vtun_tunnel_delete(t);
    }
    t = after;
  }
}

/* Applies a new configuration to the running context. */
static int rl_apply(struct vtund *d, vtun_ctx *next, const char *dnew,
                    struct vtund_hostcfg *host) {
  char *delta = malloc(strlen(dnew) + 64);
  int rv;

  if (delta == NULL)
    return -ENOMEM;
  vtund_routes_retire(d, host);
  rl_delete_changed(d, next, dnew);
  rl_delta(d->ctx, d->dump, dnew, delta);
  rv = vtun_config_load(d->ctx, delta, strlen(delta));
  if (rv != 0)
    vtund_log(d, VTUN_LOG_ERROR, "reload: applying the changes: %s",
              vtun_ctx_last_error(d->ctx));
  vtund_free_text(delta);
  return rv;
}

/* ------------------------------------------------------------- loading */

/* Reads, strips the host lines, and checks the file in a scratch
 * context. On success *scratch holds the loaded configuration. */
static int rl_check(struct vtund *d, const char *path, char **text,
                    struct vtund_hostcfg *host, vtun_ctx **scratch) {
  size_t len = 0;
  char err[600];
  int rv;

  if ((*text = rl_read_file(path, &len)) == NULL) {
    vtund_log(d, VTUN_LOG_ERROR, "%s: %s", path, strerror(errno));
    return -1;
  }
  if (vtund_host_parse(host, *text, err, sizeof(err)) != 0) {
    vtund_log(d, VTUN_LOG_ERROR, "%s: %s", path, err);
    return -1;
  }
  if ((rv = vtun_ctx_new(scratch, NULL, NULL, NULL)) != 0)
    return rv;
  if ((rv = vtun_config_load(*scratch, *text, len)) != 0) {
    vtund_log(d, VTUN_LOG_ERROR, "%s: %s (%s)", path,
              vtun_ctx_last_error(*scratch), vtun_err_name(rv));
    vtun_ctx_free(*scratch);
    *scratch = NULL;
    return rv;
  }
  return 0;
}

static void rl_map_vrfs(struct vtund *d) {
  for (unsigned i = 0; i < d->host.nmaps; i++) {
    const struct vtund_map *m = &d->host.maps[i];
    int rv;

    if (strcmp(m->kind, "netns") != 0 && strcmp(m->kind, "device") != 0)
      continue;
    rv = vtun_uv_add_vpn_instance(d->uvh, m->name,
                                  m->kind[0] == 'n' ? m->value : NULL,
                                  m->kind[0] == 'd' ? m->value : NULL);
    if (rv != 0 && rv != VTUN_EEXIST)
      vtund_log(d, VTUN_LOG_ERROR, "vpn-instance %s: %s", m->name,
                vtun_uv_last_error(d->uvh));
  }
}

/* The first load: sockets open before the configuration goes in, so that
 * the first IKE messages leave at once. */
static int rl_initial(struct vtund *d, const struct vtund_hostcfg *host,
                      const char *text) {
  int rv;

  d->host = *host;
  rl_map_vrfs(d);
  if ((rv = vtun_uv_start(d->uvh)) != 0) {
    vtund_log(d, VTUN_LOG_ERROR, "sockets: %s", vtun_uv_last_error(d->uvh));
    return rv;
  }
  rv = vtun_config_load(d->ctx, text, strlen(text));
  if (rv != 0)
    vtund_log(d, VTUN_LOG_ERROR, "%s: %s", d->conf_path,
              vtun_ctx_last_error(d->ctx));
  return rv;
}

int vtund_load(struct vtund *d, const char *path, bool initial) {
  struct vtund_hostcfg *host = calloc(1, sizeof(*host));
  vtun_ctx *scratch = NULL;
  char *text = NULL, *dnew = NULL;
  int rv = -1;

  if (host == NULL || rl_check(d, path, &text, host, &scratch) != 0)
    goto out;
  if ((dnew = rl_dump(scratch)) == NULL)
    goto out;
  if (!initial) {
    rv = rl_apply(d, scratch, dnew, host);
    d->host = *host;
    rl_map_vrfs(d);
  } else if ((rv = rl_initial(d, host, text)) != 0) {
    goto out;
  }
  vtund_free_text(d->dump);
  d->dump = rl_dump(d->ctx);
  vtund_ifaces_sync(d);
  vtund_tuns_sync(d);
  vtund_routes_apply(d);
  vtund_manual_apply(d);
  vtun_uv_schedule(d->uvh);
  if (rv == 0 && !initial)
    vtund_log(d, VTUN_LOG_INFO, "reloaded %s", path);

out:
  vtun_ctx_free(scratch);
  vtund_free_text(dnew);
  vtund_free_text(text);
  rl_free_host(host);
  return rv;
}

/* One TUN device per tunnel; devices of deleted tunnels go away. */
int vtund_tuns_sync(struct vtund *d) {
  vtun_tunnel *t = NULL;
  int failed = 0;

  while ((t = vtun_tunnel_next(d->ctx, t)) != NULL) {
    struct vtund_tun *tun = vtun_tunnel_get_user_data(t);

    if (tun == NULL && vtund_tun_open(d, t, &tun) != 0)
      failed++;
  }
  return failed ? -1 : 0;
}

/* `vtund -t`: the file is checked in a scratch context only. */
int vtund_check(struct vtund *d, const char *path) {
  struct vtund_hostcfg *host = calloc(1, sizeof(*host));
  vtun_ctx *scratch = NULL;
  char *text = NULL;
  int rv = host != NULL ? rl_check(d, path, &text, host, &scratch) : -1;

  if (rv == 0)
    vtund_log(d, VTUN_LOG_INFO, "%s: configuration accepted", path);
  vtun_ctx_free(scratch);
  vtund_free_text(text);
  rl_free_host(host);
  return rv;
}
