/* libvtun-uv sockets: one wildcard UDP socket per port and family and raw
 * ESP/GRE sockets per routing domain, created in the domain's network
 * namespace and bound to its device. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "uv_int.h"

#ifndef UDP_GRO
#define UDP_GRO 104
#endif

static const char *const sock_names[UVB_NSOCKS] = {
    "udp4 ike", "udp4 nat-t", "udp6 ike", "udp6 nat-t", "raw esp", "raw gre",
};

socklen_t vtun__uv_sockaddr(const vtun_endpoint *ep,
                            struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof(*ss));
  if (ep->family == VTUN_AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;

    sin->sin_family = AF_INET;
    sin->sin_port = htons(ep->port);
    memcpy(&sin->sin_addr, ep->addr, 4);
    return sizeof(*sin);
  }
  if (ep->family == VTUN_AF_INET6) {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(ep->port);
    memcpy(&sin6->sin6_addr, ep->addr, 16);
    return sizeof(*sin6);
  }
  return 0;
}

void vtun__uv_endpoint(const struct sockaddr_storage *ss, vtun_endpoint *ep) {
  memset(ep, 0, sizeof(*ep));
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

    ep->family = VTUN_AF_INET;
    ep->port = ntohs(sin->sin_port);
    memcpy(ep->addr, &sin->sin_addr, 4);
  } else if (ss->ss_family == AF_INET6) {
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

    ep->family = VTUN_AF_INET6;
    ep->port = ntohs(sin6->sin6_port);
    memcpy(ep->addr, &sin6->sin6_addr, 16);
  }
}

uint16_t vtun__uv_lib_port(const struct vtun__uv_sock *s) {
  switch (s->kind) {
  case UVB_UDP4_IKE:
  case UVB_UDP6_IKE:
    return 500;
  case UVB_UDP4_NATT:
  case UVB_UDP6_NATT:
    return 4500;
  default:
    return 0;
  }
}

static void sock_describe(const vtun_uv *uvh, unsigned d, int kind, char *buf,
                          size_t len) {
  const struct vtun__uv_domain *dom = &uvh->domains[d];

  snprintf(buf, len, "%s%s%s", sock_names[kind],
           dom->name[0] ? " in vpn-instance " : "", dom->name);
}

static int sock_opt(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof(value));
}

/* Receive the local address of every datagram; send from a chosen one. */
static int sock_pktinfo(int fd, int family) {
  if (family == AF_INET6)
    return sock_opt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) ||
           sock_opt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
  return sock_opt(fd, IPPROTO_IP, IP_PKTINFO, 1);
}

static int sock_bind(int fd, int family, uint16_t port) {
  struct sockaddr_storage ss;
  vtun_endpoint any;

  memset(&any, 0, sizeof(any));
  any.family = family == AF_INET6 ? VTUN_AF_INET6 : VTUN_AF_INET;
  any.port = port;
  return bind(fd, (struct sockaddr *)&ss, vtun__uv_sockaddr(&any, &ss));
}

static void sock_kind_params(const vtun_uv *uvh, int kind, int *family,
                             int *type, int *proto, uint16_t *port) {
  bool v6 = kind == UVB_UDP6_IKE || kind == UVB_UDP6_NATT;
  bool natt = kind == UVB_UDP4_NATT || kind == UVB_UDP6_NATT;

  *family = v6 ? AF_INET6 : AF_INET;
  *type = kind >= UVB_RAW4_ESP ? SOCK_RAW : SOCK_DGRAM;
  *proto = kind == UVB_RAW4_ESP   ? VTUN_PROTO_ESP
           : kind == UVB_RAW4_GRE ? VTUN_PROTO_GRE
                                  : IPPROTO_UDP;
  *port = kind >= UVB_RAW4_ESP ? 0
          : natt               ? uvh->settings.natt_port
                               : uvh->settings.ike_port;
}

/* LIMITATION: raw ESP and GRE sockets are IPv4 only; over IPv6, ESP
 * travels in UDP 4500 (settings.force_udp_encap) or is not sent. */
static bool sock_wanted(const vtun_uv *uvh, int kind) {
  if (kind >= UVB_RAW4_ESP)
    return uvh->settings.raw_sockets;
  if (kind == UVB_UDP6_IKE || kind == UVB_UDP6_NATT)
    return uvh->settings.ipv6;
  return true;
}

static int sock_setup(vtun_uv *uvh, struct vtun__uv_sock *s, int type,
                      const char *device) {
  if (device[0] != '\0' && setsockopt(s->fd, SOL_SOCKET, SO_BINDTODEVICE,
                                      device, strlen(device) + 1) < 0)
    return -1;
  if (sock_pktinfo(s->fd, s->family) < 0)
    return -1;
  if (type == SOCK_RAW)
    return 0;
  if (sock_opt(s->fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0 ||
      sock_bind(s->fd, s->family, s->port) < 0)
    return -1;

  /* GRO is an offer: an older kernel refuses it and we read one datagram
   * per message. */
  if (uvh->settings.udp_gro && sock_opt(s->fd, IPPROTO_UDP, UDP_GRO, 1) == 0)
    s->gro = true;
  uvh->stats.udp_gro |= s->gro;
  return 0;
}

/* Bigger socket buffers absorb bursts between two loop iterations. */
static void sock_buffers(int fd) {
  sock_opt(fd, SOL_SOCKET, SO_RCVBUF, 4 << 20);
  sock_opt(fd, SOL_SOCKET, SO_SNDBUF, 4 << 20);
}

static int sock_open(vtun_uv *uvh, unsigned d, int kind) {
  struct vtun__uv_domain *dom = &uvh->domains[d];
  struct vtun__uv_sock *s = &dom->socks[kind];
  int type, err;
  char what[128];

  sock_kind_params(uvh, kind, &s->family, &type, &s->proto, &s->port);
  s->kind = kind;
  s->domain = d;
  s->uvh = uvh;
  s->fd = socket(s->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
                 type == SOCK_RAW ? s->proto : IPPROTO_UDP);
  if (s->fd >= 0 && sock_setup(uvh, s, type, dom->device) == 0) {
    sock_buffers(s->fd);
    return 0;
  }

  err = errno;
  if (s->fd >= 0)
    close(s->fd);
  s->fd = -1;
  sock_describe(uvh, d, kind, what, sizeof(what));
  return vtun__uv_fail(uvh, vtun__uv_errno(err), "%s socket (port %u): %s",
                       what, (unsigned)s->port, strerror(err));
}

static void sock_close_fds(struct vtun__uv_domain *dom) {
  for (unsigned k = 0; k < UVB_NSOCKS; k++) {
    if (dom->socks[k].fd >= 0)
      close(dom->socks[k].fd);
    dom->socks[k].fd = -1;
  }
}

static int sock_open_all(vtun_uv *uvh, unsigned d) {
  struct vtun__uv_domain *dom = &uvh->domains[d];
  int rv;

  for (int k = 0; k < UVB_NSOCKS; k++) {
    if (!sock_wanted(uvh, k))
      continue;
    rv = sock_open(uvh, d, k);

    /* A host without IPv6 still runs IPv4 tunnels. */
    if (rv == VTUN_ENOTSUP && (k == UVB_UDP6_IKE || k == UVB_UDP6_NATT)) {
      uvh->errmsg[0] = '\0';
      continue;
    }
    if (rv != 0) {
      sock_close_fds(dom);
      return rv;
    }
  }
  return 0;
}

/* Enters the domain's namespace for the socket calls, then returns. */
int vtun__uv_domain_open(vtun_uv *uvh, unsigned d) {
  struct vtun__uv_domain *dom = &uvh->domains[d];
  int self, target, rv, err;

  if (dom->netns[0] == '\0')
    return sock_open_all(uvh, d);
  self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  target = open(dom->netns, O_RDONLY | O_CLOEXEC);
  if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) < 0) {
    err = errno;
    rv = vtun__uv_fail(uvh, vtun__uv_errno(err), "network namespace %s: %s",
                       dom->netns, strerror(err));
    goto out_close;
  }
  rv = sock_open_all(uvh, d);
  if (setns(self, CLONE_NEWNET) < 0) {
    /* Running on in a foreign namespace would misroute everything else. */
    rv = vtun__uv_fail(uvh, VTUN_EFATAL, "cannot return from %s: %s",
                       dom->netns, strerror(errno));
  }

out_close:
  if (self >= 0)
    close(self);
  if (target >= 0)
    close(target);
  return rv;
}

static void sock_poll_cb(uv_poll_t *p, int status, int events) {
  struct vtun__uv_sock *s = p->data;

  if (status == 0 && (events & UV_READABLE))
    vtun__uv_rx(s);
}

int vtun__uv_domain_poll(vtun_uv *uvh, unsigned d) {
  struct vtun__uv_domain *dom = &uvh->domains[d];
  int rv;

  for (unsigned k = 0; k < UVB_NSOCKS; k++) {
    struct vtun__uv_sock *s = &dom->socks[k];

    if (s->fd < 0)
      continue;
    if ((rv = uv_poll_init(uvh->loop, &s->poll, s->fd)) != 0)
      return vtun__uv_fail(uvh, VTUN_ECALLBACK, "uv_poll_init: %s",
                           uv_strerror(rv));
    s->poll.data = s;
    uvh->open_handles++;
    uv_poll_start(&s->poll, UV_READABLE, sock_poll_cb);
  }
  return 0;
}

static void sock_closed(uv_handle_t *h) {
  struct vtun__uv_sock *s = h->data;
  vtun_uv *uvh = s->uvh;

  close(s->fd);
  s->fd = -1;
  h->data = uvh;
  vtun__uv_handle_closed(h);
}

void vtun__uv_domain_close(vtun_uv *uvh, unsigned d) {
  struct vtun__uv_domain *dom = &uvh->domains[d];

  for (unsigned k = 0; k < UVB_NSOCKS; k++) {
    struct vtun__uv_sock *s = &dom->socks[k];

    if (s->fd < 0)
      continue;
    if (s->poll.data != s) {
      /* Opened but never polled. */
      close(s->fd);
      s->fd = -1;
      continue;
    }
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, sock_closed);
  }
}
