/* libvtun-uv send path: the send_datagram hook queues a copy, runs of
 * equal-size datagrams to one destination share a UDP GSO message, and
 * the queue leaves with sendmmsg(). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>

#include "uv_int.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

static struct vtun__uv_sock *tx_sock(vtun_uv *uvh, vtun_vpn_instance *vrf,
                                     int proto, const vtun_endpoint *local) {
  unsigned d = 0;
  int kind;

  if (vrf != NULL) {
    const char *name = vtun_vpn_instance_get_name(vrf);

    for (d = 1; d < UVB_MAX_DOMAINS; d++)
      if (uvh->domains[d].used && strcmp(uvh->domains[d].name, name) == 0)
        break;
    if (d == UVB_MAX_DOMAINS)
      return NULL;
  }
  if (proto == VTUN_PROTO_ESP)
    kind = UVB_RAW4_ESP;
  else if (proto == VTUN_PROTO_GRE)
    kind = UVB_RAW4_GRE;
  else if (local->family == VTUN_AF_INET6)
    kind = local->port == 500 ? UVB_UDP6_IKE : UVB_UDP6_NATT;
  else
    kind = local->port == 500 ? UVB_UDP4_IKE : UVB_UDP4_NATT;
  return uvh->domains[d].socks[kind].fd >= 0 ? &uvh->domains[d].socks[kind]
                                             : NULL;
}

/* Whether @p len more bytes can join the last queued message as one more
 * GSO segment: same socket and endpoints, same size as the segments
 * before, and room in the message. */
static bool tx_can_append(const vtun_uv *uvh, const struct vtun__uv_txmsg *m,
                          const struct vtun__uv_sock *s,
                          const vtun_endpoint *local,
                          const vtun_endpoint *remote, size_t len) {
  if (!uvh->settings.udp_gso || !uvh->gso_ok || s->proto != IPPROTO_UDP)
    return false;
  if (m->sock != s || m->nsegs >= UVB_MAX_GSO_SEGS)
    return false;
  if (m->len != (size_t)m->nsegs * m->seg || len > m->seg)
    return false;
  if (m->len + len > UVB_BUF_SIZE - 1024)
    return false;
  return memcmp(&m->local, local, sizeof(*local)) == 0 &&
         memcmp(&m->remote, remote, sizeof(*remote)) == 0;
}

int vtun__uv_send_hook(void *user_data, vtun_vpn_instance *vrf, int proto,
                       const vtun_endpoint *local, const vtun_endpoint *remote,
                       const uint8_t *data, size_t len) {
  vtun_uv *uvh = user_data;
  struct vtun__uv_sock *s = tx_sock(uvh, vrf, proto, local);
  struct vtun__uv_txmsg *m;

  if (s == NULL || len > UVB_BUF_SIZE) {
    uvh->stats.tx_no_socket++;
    return VTUN_ECALLBACK;
  }
  m = uvh->ntx > 0 ? &uvh->txq[uvh->ntx - 1] : NULL;
  if (m != NULL && tx_can_append(uvh, m, s, local, remote, len)) {
    memcpy(uvh->tx_area + m->off + m->len, data, len);
    m->len += len;
    m->nsegs++;
    return 0;
  }

  if (uvh->ntx == uvh->settings.batch)
    vtun__uv_tx_flush(uvh);
  m = &uvh->txq[uvh->ntx];
  m->sock = s;
  m->local = *local;
  m->remote = *remote;
  m->off = (size_t)uvh->ntx * UVB_BUF_SIZE;
  m->len = m->seg = len;
  m->nsegs = 1;
  memcpy(uvh->tx_area + m->off, data, len);
  uvh->ntx++;
  return 0;
}

/* Source address through the packet info; GSO segment size. */
static void tx_control(struct msghdr *mh, const struct vtun__uv_txmsg *m) {
  struct cmsghdr *c;
  size_t used = 0;

  mh->msg_controllen = UVB_CTRL_SIZE;
  c = CMSG_FIRSTHDR(mh);

  if (m->local.family == VTUN_AF_INET) {
    struct in_pktinfo pi;

    memset(&pi, 0, sizeof(pi));
    memcpy(&pi.ipi_spec_dst, m->local.addr, 4);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(pi));
    memcpy(CMSG_DATA(c), &pi, sizeof(pi));
  } else {
    struct in6_pktinfo pi6;

    memset(&pi6, 0, sizeof(pi6));
    memcpy(&pi6.ipi6_addr, m->local.addr, 16);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(pi6));
    memcpy(CMSG_DATA(c), &pi6, sizeof(pi6));
  }
  used += CMSG_SPACE(c->cmsg_len - CMSG_LEN(0));

  if (m->nsegs > 1) {
    uint16_t seg = (uint16_t)m->seg;

    c = (struct cmsghdr *)((uint8_t *)mh->msg_control + used);
    c->cmsg_level = IPPROTO_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof(seg));
    memcpy(CMSG_DATA(c), &seg, sizeof(seg));
    used += CMSG_SPACE(sizeof(seg));
  }
  mh->msg_controllen = used;
}

static void tx_prepare(vtun_uv *uvh, unsigned i) {
  const struct vtun__uv_txmsg *m = &uvh->txq[i];
  struct msghdr *mh = &uvh->tx_msgs[i].msg_hdr;
  vtun_endpoint dst = m->remote;

  /* Raw sockets take no port. */
  if (m->sock->proto != IPPROTO_UDP)
    dst.port = 0;
  uvh->tx_iov[i].iov_base = uvh->tx_area + m->off;
  uvh->tx_iov[i].iov_len = m->len;
  memset(mh, 0, sizeof(*mh));
  mh->msg_name = &uvh->tx_names[i];
  mh->msg_namelen = vtun__uv_sockaddr(&dst, &uvh->tx_names[i]);
  mh->msg_iov = &uvh->tx_iov[i];
  mh->msg_iovlen = 1;
  mh->msg_control = uvh->tx_ctrl + (size_t)i * UVB_CTRL_SIZE;
  memset(mh->msg_control, 0, UVB_CTRL_SIZE);
  tx_control(mh, m);
}

/* The kernel refused a GSO message (a device without checksum offload,
 * say): stop using GSO and send its segments one by one. */
static size_t tx_resend_segments(vtun_uv *uvh, unsigned i) {
  struct vtun__uv_txmsg *m = &uvh->txq[i];
  struct msghdr *mh = &uvh->tx_msgs[i].msg_hdr;
  size_t off = 0, failed = 0;

  uvh->gso_ok = false;
  m->nsegs = 1;
  tx_control(mh, m);
  while (off < m->len) {
    size_t l = m->len - off < m->seg ? m->len - off : m->seg;

    uvh->tx_iov[i].iov_base = uvh->tx_area + m->off + off;
    uvh->tx_iov[i].iov_len = l;
    uvh->stats.tx_syscalls++;
    if (sendmsg(m->sock->fd, mh, 0) < 0)
      failed++;
    else
      uvh->stats.tx_datagrams++;
    off += l;
  }
  uvh->stats.tx_errors += failed;
  return failed;
}

/* Sends messages [i, j), which share one socket. */
static size_t tx_run(vtun_uv *uvh, unsigned i, unsigned j) {
  size_t failed = 0;
  int fd = uvh->txq[i].sock->fd;

  while (i < j) {
    int n = sendmmsg(fd, uvh->tx_msgs + i, j - i, 0);

    uvh->stats.tx_syscalls++;
    if (n > 0) {
      for (int k = 0; k < n; k++) {
        uvh->stats.tx_datagrams += uvh->txq[i + k].nsegs;
        uvh->stats.tx_gso_sends += uvh->txq[i + k].nsegs > 1;
      }
      i += (unsigned)n;
      continue;
    }
    if (uvh->txq[i].nsegs > 1 && (errno == EIO || errno == EINVAL)) {
      failed += tx_resend_segments(uvh, i++);
      continue;
    }

    /* Skip the datagram the kernel refused and go on with the rest. */
    if (errno != EINTR) {
      failed += uvh->txq[i].nsegs;
      uvh->stats.tx_errors += uvh->txq[i].nsegs;
      i++;
    }
  }
  return failed;
}

size_t vtun__uv_tx_flush(vtun_uv *uvh) {
  size_t failed = 0;
  unsigned i = 0, j;

  for (unsigned k = 0; k < uvh->ntx; k++)
    tx_prepare(uvh, k);
  while (i < uvh->ntx) {
    for (j = i + 1; j < uvh->ntx && uvh->txq[j].sock == uvh->txq[i].sock;)
      j++;
    failed += tx_run(uvh, i, j);
    i = j;
  }
  uvh->ntx = 0;
  uvh->stats.udp_gso = uvh->settings.udp_gso && uvh->gso_ok;
  return failed;
}
