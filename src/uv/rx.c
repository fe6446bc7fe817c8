/* libvtun-uv receive path: recvmmsg, GRO segments split into a batch,
 * runs with the same local endpoint given to vtun_ctx_input_batch(). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <string.h>

#include "uv_int.h"

#ifndef UDP_GRO
#define UDP_GRO 104
#endif

/* A burst is read in a few rounds at most, so that one busy socket does
 * not starve the TUN devices and timers of the same loop. */
#define RX_ROUNDS 8

static void rx_prepare(vtun_uv *uvh) {
  for (unsigned i = 0; i < uvh->settings.batch; i++) {
    struct msghdr *mh = &uvh->rx_msgs[i].msg_hdr;

    uvh->rx_iov[i].iov_base = uvh->rx_area + (size_t)i * UVB_BUF_SIZE;
    uvh->rx_iov[i].iov_len = UVB_BUF_SIZE;
    mh->msg_name = &uvh->rx_names[i];
    mh->msg_namelen = sizeof(uvh->rx_names[i]);
    mh->msg_iov = &uvh->rx_iov[i];
    mh->msg_iovlen = 1;
    mh->msg_control = uvh->rx_ctrl + (size_t)i * UVB_CTRL_SIZE;
    mh->msg_controllen = UVB_CTRL_SIZE;
    mh->msg_flags = 0;
  }
}

/* The local address from the packet info, and the GRO segment size. */
static void rx_control(struct msghdr *mh, vtun_endpoint *local, size_t *seg) {
  struct cmsghdr *c;

  for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo pi;

      memcpy(&pi, CMSG_DATA(c), sizeof(pi));
      local->family = VTUN_AF_INET;
      memcpy(local->addr, &pi.ipi_addr, 4);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      struct in6_pktinfo pi6;

      memcpy(&pi6, CMSG_DATA(c), sizeof(pi6));
      local->family = VTUN_AF_INET6;
      memcpy(local->addr, &pi6.ipi6_addr, 16);
    } else if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO) {
      int v;

      memcpy(&v, CMSG_DATA(c), sizeof(v));
      *seg = v > 0 ? (size_t)v : 0;
    }
  }
}

/* Raw IPv4 sockets hand us the IP header: skip it. */
static bool rx_strip_ip(uint8_t *p, size_t len, size_t *off) {
  size_t hl;

  if (len < 20 || (p[0] >> 4) != 4)
    return false;
  hl = (size_t)(p[0] & 0x0f) * 4;
  if (hl < 20 || hl > len)
    return false;
  *off = hl;
  return true;
}

static vtun_vpn_instance *rx_vrf(vtun_uv *uvh, unsigned d) {
  if (d == 0)
    return NULL;
  return vtun_vpn_instance_find(uvh->ctx, uvh->domains[d].name);
}

static void rx_input(vtun_uv *uvh, struct vtun__uv_sock *s,
                     const vtun_endpoint *local, vtun_pkt *pkts, size_t n) {
  vtun_vpn_instance *vrf = rx_vrf(uvh, s->domain);
  vtun_ssize ok;

  if (s->domain != 0 && vrf == NULL) {
    /* The context has no vpn-instance of that name (any more). */
    uvh->stats.input_errors += n;
    return;
  }
  ok = vtun_ctx_input_batch(uvh->ctx, vrf, s->proto, local, pkts, n);
  if (ok >= 0 && (size_t)ok < n)
    uvh->stats.input_errors += n - (size_t)ok;
  else if (ok < 0)
    uvh->stats.input_errors += n;
}

/* Splits message @p i into packets at pkts[*np...]. */
static void rx_split(vtun_uv *uvh, struct vtun__uv_sock *s, unsigned i,
                     size_t seg, size_t *np) {
  uint8_t *buf = uvh->rx_iov[i].iov_base;
  size_t len = uvh->rx_msgs[i].msg_len, off = 0;

  if (s->proto != IPPROTO_UDP && !rx_strip_ip(buf, len, &off))
    return;
  if (seg == 0 || seg >= len - off)
    seg = len - off;
  if (seg > 0 && (len - off) / seg > 1)
    uvh->stats.rx_gro_batches++;
  while (off < len && *np < uvh->settings.batch * UVB_MAX_GSO_SEGS) {
    vtun_pkt *p = &uvh->rx_pkts[(*np)++];
    size_t l = len - off < seg ? len - off : seg;

    p->buf = buf;
    p->off = off;
    p->len = l;
    p->cap = UVB_BUF_SIZE;
    p->result = 0;
    vtun__uv_endpoint(&uvh->rx_names[i], &p->remote);
    off += l;
  }
}

/* Groups the packets of a read by local endpoint, in arrival order. */
static void rx_dispatch(vtun_uv *uvh, struct vtun__uv_sock *s, int n) {
  vtun_endpoint cur, local;
  size_t np = 0, start = 0;

  memset(&cur, 0, sizeof(cur));
  for (int i = 0; i < n; i++) {
    size_t seg = 0, before = np;

    memset(&local, 0, sizeof(local));
    rx_control(&uvh->rx_msgs[i].msg_hdr, &local, &seg);
    local.port = vtun__uv_lib_port(s);
    rx_split(uvh, s, (unsigned)i, seg, &np);
    if (np == before)
      continue;
    if (before > start && memcmp(&local, &cur, sizeof(local)) != 0) {
      rx_input(uvh, s, &cur, uvh->rx_pkts + start, before - start);
      start = before;
    }
    cur = local;
  }
  if (np > start)
    rx_input(uvh, s, &cur, uvh->rx_pkts + start, np - start);
  uvh->stats.rx_datagrams += np;
}

void vtun__uv_rx(struct vtun__uv_sock *s) {
  vtun_uv *uvh = s->uvh;
  int n;

  for (int round = 0; round < RX_ROUNDS && !uvh->closing; round++) {
    rx_prepare(uvh);
    n = recvmmsg(s->fd, uvh->rx_msgs, uvh->settings.batch, MSG_DONTWAIT, NULL);
    if (n <= 0)
      break;
    uvh->stats.rx_syscalls++;
    rx_dispatch(uvh, s, n);
    if ((unsigned)n < uvh->settings.batch)
      break;
  }
  if (uvh->closing)
    return;
  vtun__uv_tx_flush(uvh);
  vtun_uv_schedule(uvh);
}
