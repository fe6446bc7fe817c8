/* What the host adds to the library's configuration: its own lines
 * (static routes into tunnels, interface and vpn-instance mappings),
 * routes on the TUN devices, and the addresses of the physical
 * interfaces, followed through rtnetlink. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vtund.h"

/* ------------------------------------------------------- host lines */

static unsigned host_words(char *line, char **w, unsigned max) {
  unsigned n = 0;

  for (char *tok = strtok(line, " \t\r"); tok && n < max;
       tok = strtok(NULL, " \t\r"))
    w[n++] = tok;
  return n;
}

/* "255.255.255.0" or "24" into a prefix length. */
static int host_prefix(const char *text, unsigned *prefix) {
  struct in_addr m;
  char *end;
  unsigned long v = strtoul(text, &end, 10);
  uint32_t h;

  if (*end == '\0' && end != text && v <= 32) {
    *prefix = (unsigned)v;
    return 0;
  }
  if (inet_pton(AF_INET, text, &m) != 1)
    return -1;
  h = ntohl(m.s_addr);
  if (h != 0 && (~h & (~h + 1)) != 0)
    return -1; /* not contiguous */
  *prefix = (unsigned)__builtin_popcount(h);
  return 0;
}

/* LIMITATION: `ip route-static` takes IPv4 destinations only; IPv6
 * routes into a tunnel are left to the operator. */
static int host_route(struct vtund_hostcfg *h, char **w, unsigned n) {
  struct vtund_route *r;
  struct in_addr a;

  if (n != 5 || h->nroutes == VTUND_MAX_ROUTES)
    return -1;
  r = &h->routes[h->nroutes];
  if (inet_pton(AF_INET, w[2], &a) != 1 || host_prefix(w[3], &r->prefix))
    return -1;
  snprintf(r->dest, sizeof(r->dest), "%s", w[2]);
  snprintf(r->tunnel, sizeof(r->tunnel), "%s", w[4]);
  h->nroutes++;
  return 0;
}

static int host_map(struct vtund_hostcfg *h, char **w, unsigned n) {
  struct vtund_map *m;

  if (h->nmaps == VTUND_MAX_MAPS)
    return -1;
  m = &h->maps[h->nmaps];
  if (n == 4 &&
      (strcmp(w[1], "interface-map") == 0 || strcmp(w[1], "tun-name") == 0)) {
    snprintf(m->kind, sizeof(m->kind), "%s",
             w[1][0] == 'i' ? "interface" : "tun-name");
  } else if (n == 5 && strcmp(w[1], "vpn-instance") == 0 &&
             (strcmp(w[3], "netns") == 0 || strcmp(w[3], "device") == 0)) {
    snprintf(m->kind, sizeof(m->kind), "%s", w[3]);
    w[3] = w[4];
  } else {
    return -1;
  }
  snprintf(m->name, sizeof(m->name), "%s", w[2]);
  snprintf(m->value, sizeof(m->value), "%s", w[3]);
  h->nmaps++;
  return 0;
}

static size_t host_hex(const char *hex, uint8_t *out, size_t max) {
  size_t n = strlen(hex) / 2;

  if (strlen(hex) % 2 != 0 || n > max)
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned v;

    if (sscanf(hex + 2 * i, "%2x", &v) != 1)
      return 0;
    out[i] = (uint8_t)v;
  }
  return n;
}

static int host_manual(struct vtund_hostcfg *h, char **w, unsigned n) {
  struct vtund_manual_sa *m;
  char *end;

  if ((n != 8 && n != 9) || h->nmanual == VTUND_MAX_MANUAL)
    return -1;
  m = &h->manual[h->nmanual];
  snprintf(m->tunnel, sizeof(m->tunnel), "%s", w[2]);
  m->spi_in = (uint32_t)strtoul(w[3], &end, 0);
  m->spi_out = (uint32_t)strtoul(w[4], &end, 0);
  m->encr = vtun_alg_from_name(VTUN_ALG_ENCR, w[5]);
  m->key_len = host_hex(w[6], m->key_in, sizeof(m->key_in));
  if (m->encr < 0 || m->key_len == 0 ||
      host_hex(w[7], m->key_out, sizeof(m->key_out)) != m->key_len)
    return -1;
  m->udp = n == 9 && strcmp(w[8], "udp") == 0;
  if (n == 9 && !m->udp)
    return -1;
  h->nmanual++;
  return 0;
}

void vtund_manual_apply(struct vtund *d) {
  for (unsigned i = 0; i < d->host.nmanual; i++) {
    const struct vtund_manual_sa *m = &d->host.manual[i];
    vtun_tunnel *t = vtun_tunnel_find(d->ctx, m->tunnel);
    int rv = VTUN_ENOENT;

    if (t != NULL)
      rv = vtun_tunnel_set_manual_sa(
          t, m->spi_in, m->spi_out, m->encr, VTUN_INTEG_NONE, m->key_in,
          m->key_len, m->key_out, m->key_len, m->udp ? VTUN_SA_UDP_ENCAP : 0);
    if (rv != 0)
      vtund_log(d, VTUN_LOG_ERROR, "manual SA for %s: %s: %s", m->tunnel,
                vtun_strerror(rv), vtun_ctx_last_error(d->ctx));
    else
      vtund_log(d, VTUN_LOG_INFO, "%s: manual SA in %08x out %08x", m->tunnel,
                m->spi_in, m->spi_out);
  }
}

static int host_dispatch(struct vtund_hostcfg *h, char **w, unsigned n) {
  if (n >= 2 && strcasecmp(w[0], "ip") == 0 &&
      strcasecmp(w[1], "route-static") == 0)
    return host_route(h, w, n) == 0 ? 0 : -1;
  if (n >= 2 && strcmp(w[0], "vtund") == 0 && strcmp(w[1], "manual-sa") == 0)
    return host_manual(h, w, n) == 0 ? 0 : -1;
  if (n >= 1 && strcmp(w[0], "vtund") == 0)
    return host_map(h, w, n) == 0 ? 0 : -1;
  return 1;
}

/* One host line; 1 when it is not one of ours. The copy may hold keys. */
static int host_line(struct vtund_hostcfg *h, const char *line) {
  char copy[512], *w[10];
  int rv;

  snprintf(copy, sizeof(copy), "%s", line);
  rv = host_dispatch(h, w, host_words(copy, w, 10));
  explicit_bzero(copy, sizeof(copy));
  return rv;
}

/* Takes the host's lines out of @p text, leaving them blank so that the
 * library's line numbers stay right. */
int vtund_host_parse(struct vtund_hostcfg *h, char *text, char *err,
                     size_t errlen) {
  unsigned lineno = 1;

  memset(h, 0, sizeof(*h));
  for (char *line = text; *line != '\0'; lineno++) {
    char *eol = strchr(line, '\n');
    size_t len = eol ? (size_t)(eol - line) : strlen(line);
    char buf[512];
    int rv;

    snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
    rv = host_line(h, buf + strspn(buf, " \t"));
    if (rv < 0) {
      /* A manual-sa line is not echoed: it holds keys. */
      snprintf(err, errlen, "line %u: bad host line '%s'", lineno,
               strstr(buf, "manual-sa") ? "vtund manual-sa ..." : buf);
    }
    explicit_bzero(buf, sizeof(buf));
    if (rv < 0)
      return -1;
    if (rv == 0)
      memset(line, ' ', len);
    if (eol == NULL)
      break;
    line = eol + 1;
  }
  return 0;
}

const char *vtund_host_map(const struct vtund_hostcfg *h, const char *kind,
                           const char *name) {
  for (unsigned i = 0; i < h->nmaps; i++)
    if (strcmp(h->maps[i].kind, kind) == 0 &&
        strcasecmp(h->maps[i].name, name) == 0)
      return h->maps[i].value;
  return NULL;
}

/* ------------------------------------------------------------- routes */

static int route_ioctl(unsigned long req, const char *dest, unsigned prefix,
                       const char *dev) {
  struct rtentry rt;
  struct sockaddr_in *sin;
  char devname[IFNAMSIZ];
  int fd, rv;

  memset(&rt, 0, sizeof(rt));
  sin = (struct sockaddr_in *)&rt.rt_dst;
  sin->sin_family = AF_INET;
  inet_pton(AF_INET, dest, &sin->sin_addr);
  sin = (struct sockaddr_in *)&rt.rt_genmask;
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = prefix ? htonl(~0u << (32 - prefix)) : 0;
  rt.rt_flags = RTF_UP | (prefix == 32 ? RTF_HOST : 0);
  snprintf(devname, sizeof(devname), "%s", dev);
  rt.rt_dev = devname;

  if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
    return -1;
  rv = ioctl(fd, req, &rt);
  close(fd);
  return rv;
}

void vtund_routes_apply(struct vtund *d) {
  for (unsigned i = 0; i < d->host.nroutes; i++) {
    struct vtund_route *r = &d->host.routes[i];
    struct vtund_tun *tun = vtund_tun_find(d, r->tunnel);

    if (tun == NULL) {
      /* A route into a tunnel that does not exist stays inactive. */
      continue;
    }
    if (route_ioctl(SIOCADDRT, r->dest, r->prefix, tun->ifname) < 0 &&
        errno != EEXIST) {
      vtund_log(d, VTUN_LOG_WARN, "route %s/%u via %s: %s", r->dest, r->prefix,
                tun->ifname, strerror(errno));
      continue;
    }
    if (!r->installed)
      vtund_log(d, VTUN_LOG_INFO, "route %s/%u via %s", r->dest, r->prefix,
                tun->ifname);
    r->installed = true;
  }
}

static bool route_same(const struct vtund_route *a,
                       const struct vtund_route *b) {
  return strcmp(a->dest, b->dest) == 0 && a->prefix == b->prefix &&
         strcmp(a->tunnel, b->tunnel) == 0;
}

/* Before a reload: removes the routes the new lines no longer name, and
 * marks the kept ones installed in @p next, so that an unchanged route
 * is never removed, even for a moment. */
void vtund_routes_retire(struct vtund *d, struct vtund_hostcfg *next) {
  for (unsigned i = 0; i < d->host.nroutes; i++) {
    struct vtund_route *r = &d->host.routes[i];
    struct vtund_tun *tun = vtund_tun_find(d, r->tunnel);
    bool kept = false;

    for (unsigned j = 0; j < next->nroutes; j++) {
      if (r->installed && route_same(r, &next->routes[j])) {
        next->routes[j].installed = true;
        kept = true;
      }
    }
    if (r->installed && !kept && tun != NULL)
      route_ioctl(SIOCDELRT, r->dest, r->prefix, tun->ifname);
  }
}

/* A host route to a branch's leased address (HQ side). */
int vtund_route_host(struct vtund_tun *tun, const char *addr, bool add) {
  int rv = route_ioctl(add ? SIOCADDRT : SIOCDELRT, addr, 32, tun->ifname);

  if (rv < 0 && !(add && errno == EEXIST))
    vtund_log(tun->d, VTUN_LOG_WARN, "route %s/32 via %s: %s", addr,
              tun->ifname, strerror(errno));
  return rv;
}

/* ---------------------------------------------- interface addresses */

/* The Linux device of a configured interface: the mapped one, else one
 * of the same name. */
static const char *iface_linux(const struct vtund *d, const char *name) {
  const char *m = vtund_host_map(&d->host, "interface", name);

  return m != NULL ? m : name;
}

static int iface_linux_addr(const char *dev, char *buf, size_t len,
                            unsigned *prefix) {
  struct ifaddrs *ifa, *p;
  int rv = -1;

  if (getifaddrs(&ifa) < 0)
    return -1;
  for (p = ifa; p != NULL && rv < 0; p = p->ifa_next) {
    struct sockaddr_in *a = (struct sockaddr_in *)p->ifa_addr;
    struct sockaddr_in *m = (struct sockaddr_in *)p->ifa_netmask;

    if (a == NULL || a->sin_family != AF_INET || strcmp(p->ifa_name, dev))
      continue;
    inet_ntop(AF_INET, &a->sin_addr, buf, (socklen_t)len);
    *prefix = m ? (unsigned)__builtin_popcount(m->sin_addr.s_addr) : 32;
    rv = 0;
  }
  freeifaddrs(ifa);
  return rv;
}

/* Tunnels negotiating from @p ifc start again from its new address:
 * switching them off and on deletes their SAs at the peer and starts a
 * new negotiation (the library does not restart them itself). */
static void iface_restart_tunnels(struct vtund *d, vtun_iface *ifc) {
  vtun_tunnel *t = NULL;

  while ((t = vtun_tunnel_next(d->ctx, t)) != NULL) {
    if (vtun_tunnel_get_source_iface(t) != ifc || !vtun_tunnel_get_enabled(t))
      continue;
    vtun_tunnel_set_enabled(t, 0);
    vtun_tunnel_set_enabled(t, 1);
  }
}

/* The interfaces whose address comes from the system: those the
 * configuration uses without an `ip address`. Marked by user data. */
static void iface_sync_one(struct vtund *d, vtun_iface *ifc) {
  char cur[64], sys[64];
  unsigned cp = 0, sp = 0;
  const char *dev = iface_linux(d, vtun_iface_get_name(ifc));
  vtun_ssize n =
      vtun_iface_get_address(ifc, VTUN_AF_INET, cur, sizeof(cur), &cp);

  if (n >= 0 && vtun_iface_get_user_data(ifc) == NULL)
    return; /* the configuration gives the address */
  vtun_iface_set_user_data(ifc, (void *)dev);
  if (iface_linux_addr(dev, sys, sizeof(sys), &sp) < 0) {
    if (n >= 0) {
      vtund_log(d, VTUN_LOG_INFO, "%s (%s): address %s gone",
                vtun_iface_get_name(ifc), dev, cur);
      vtun_iface_clear_address(ifc, VTUN_AF_INET);
    }
    return;
  }
  if (n >= 0 && strcmp(cur, sys) == 0 && cp == sp)
    return;
  vtund_log(d, VTUN_LOG_INFO, "%s (%s): address %s/%u",
            vtun_iface_get_name(ifc), dev, sys, sp);
  if (vtun_iface_set_address(ifc, sys, sp) != 0) {
    vtund_log(d, VTUN_LOG_WARN, "%s: %s", vtun_iface_get_name(ifc),
              vtun_ctx_last_error(d->ctx));
    return;
  }
  iface_restart_tunnels(d, ifc);
}

int vtund_ifaces_sync(struct vtund *d) {
  vtun_tunnel *t = NULL;

  while ((t = vtun_tunnel_next(d->ctx, t)) != NULL) {
    vtun_iface *src = vtun_tunnel_get_source_iface(t);
    vtun_iface *unn = vtun_tunnel_get_unnumbered(t);

    if (src != NULL)
      iface_sync_one(d, src);
    if (unn != NULL && unn != src)
      iface_sync_one(d, unn);
  }
  for (struct vtund_tun *tun = d->tuns; tun != NULL; tun = tun->next)
    vtund_tun_sync_address(tun);
  vtun_uv_schedule(d->uvh);
  return 0;
}

/* ------------------------------------------------------------ netlink */

static void nl_readable(uv_poll_t *p, int status, int events) {
  struct vtund *d = p->data;
  char buf[8192];
  bool changed = false;

  if (status < 0 || !(events & UV_READABLE))
    return;
  while (recv(d->nl_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
    changed = true;

  /* Any address event: compare every interface we follow. */
  if (changed)
    vtund_ifaces_sync(d);
}

int vtund_netlink_start(struct vtund *d) {
  struct sockaddr_nl sa;

  d->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    NETLINK_ROUTE);
  if (d->nl_fd < 0)
    return -errno;
  memset(&sa, 0, sizeof(sa));
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_LINK;
  if (bind(d->nl_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
    int err = errno;

    close(d->nl_fd);
    d->nl_fd = -1;
    return -err;
  }
  uv_poll_init(d->loop, &d->nl_poll, d->nl_fd);
  d->nl_poll.data = d;
  uv_poll_start(&d->nl_poll, UV_READABLE, nl_readable);
  return 0;
}

static void nl_closed(uv_handle_t *h) {
  struct vtund *d = h->data;

  close(d->nl_fd);
  d->nl_fd = -1;
}

void vtund_netlink_stop(struct vtund *d) {
  if (d->nl_fd < 0)
    return;
  uv_poll_stop(&d->nl_poll);
  uv_close((uv_handle_t *)&d->nl_poll, nl_closed);
}
