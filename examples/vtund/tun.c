/* TUN devices: one per tunnel interface, named after it (Tunnel1 is
 * tun1), with the tunnel's MTU and address, up from the start. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "gso.h"
#include "vtund.h"

#define TUN_BIG (65536 + VTUND_VNET_HDR_LEN)

/* The largest inner packet a buffer takes. */
#define TUN_MAX_PKT (VTUND_PKT_ROOM - VTUN_HEADROOM - VTUN_TAILROOM)

int vtund_ifname_index(const char *ifname) {
  return (int)if_nametoindex(ifname);
}

/* "Tunnel1" becomes "tun1"; a name without a number is lower-cased. */
static void tun_ifname(const struct vtund *d, const char *tname, char *out,
                       size_t len) {
  const char *mapped = vtund_host_map(&d->host, "tun-name", tname);
  const char *digits = tname + strcspn(tname, "0123456789");

  if (mapped != NULL) {
    snprintf(out, len, "%s", mapped);
    return;
  }
  if (*digits != '\0' && digits[strspn(digits, "0123456789")] == '\0') {
    snprintf(out, len, "tun%s", digits);
    return;
  }
  snprintf(out, len, "%s", tname);
  for (char *p = out; *p; p++)
    *p = (char)tolower((unsigned char)*p);
}

static int tun_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int rv;

  if (fd < 0)
    return -1;
  snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
  rv = ioctl(fd, req, ifr);
  close(fd);
  return rv;
}

static int tun_set_mtu_up(const char *ifname, unsigned mtu) {
  struct ifreq ifr;

  memset(&ifr, 0, sizeof(ifr));
  ifr.ifr_mtu = (int)mtu;
  if (tun_ioctl(ifname, SIOCSIFMTU, &ifr) < 0)
    return -1;
  memset(&ifr, 0, sizeof(ifr));
  if (tun_ioctl(ifname, SIOCGIFFLAGS, &ifr) < 0)
    return -1;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  return tun_ioctl(ifname, SIOCSIFFLAGS, &ifr);
}

static int tun_set_in4(const char *ifname, unsigned long req, uint32_t addr) {
  struct ifreq ifr;
  struct sockaddr_in sin;

  memset(&ifr, 0, sizeof(ifr));
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = addr;
  memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
  return tun_ioctl(ifname, req, &ifr);
}

/* LIMITATION: only IPv4 tunnel addresses are set on the TUN device; an
 * IPv6 one is logged and left for the operator to add. */
void vtund_tun_set_address(struct vtund_tun *tun, const char *addr,
                           unsigned prefix) {
  struct in_addr a;
  uint32_t mask;

  if (addr == NULL || addr[0] == '\0') {
    if (tun->addr[0] != '\0')
      tun_set_in4(tun->ifname, SIOCSIFADDR, 0);
    tun->addr[0] = '\0';
    return;
  }
  if (inet_pton(AF_INET, addr, &a) != 1 || prefix > 32) {
    vtund_log(tun->d, VTUN_LOG_WARN, "%s: address %s/%u not set (IPv4 only)",
              tun->ifname, addr, prefix);
    return;
  }
  mask = prefix == 0 ? 0 : htonl(~0u << (32 - prefix));
  if (tun_set_in4(tun->ifname, SIOCSIFADDR, a.s_addr) < 0 ||
      tun_set_in4(tun->ifname, SIOCSIFNETMASK, mask) < 0) {
    vtund_log(tun->d, VTUN_LOG_ERROR, "%s: setting %s/%u: %s", tun->ifname,
              addr, prefix, strerror(errno));
    return;
  }
  snprintf(tun->addr, sizeof(tun->addr), "%s", addr);
  tun->prefix = prefix;
  vtund_log(tun->d, VTUN_LOG_INFO, "%s: address %s/%u", tun->ifname, addr,
            prefix);
  vtund_routes_apply(tun->d);
}

/* The address in effect for the tunnel. A borrowed one is set as a host
 * address (/32), so that the borrowed network stays on its interface. */
void vtund_tun_sync_address(struct vtund_tun *tun) {
  char addr[64];
  unsigned prefix = 0;
  vtun_ssize n = vtun_tunnel_get_address(tun->t, addr, sizeof(addr), &prefix);

  if (n < 0 || (size_t)n >= sizeof(addr)) {
    vtund_tun_set_address(tun, NULL, 0);
    return;
  }
  if (vtun_tunnel_get_address_mode(tun->t) == VTUN_ADDR_UNNUMBERED)
    prefix = strchr(addr, ':') ? 128 : 32;
  if (strcmp(addr, tun->addr) == 0 && prefix == tun->prefix)
    return;
  vtund_tun_set_address(tun, addr, prefix);
}

/* ------------------------------------------------------------ packets */

static void tun_write_vnet(struct vtund_tun *tun, const uint8_t *pkt,
                           size_t len) {
  static const uint8_t none[VTUND_VNET_HDR_LEN];
  struct iovec iov[2] = {{(void *)none, sizeof(none)}, {(void *)pkt, len}};

  if (writev(tun->fd, iov, 2) < 0)
    tun->tun_tx_errors++;
  else
    tun->tun_tx++;
}

static void tun_gro_flush(struct vtund_tun *tun) {
  unsigned segs = tun->gro.segs;
  size_t n = vtund_gro_finish(&tun->gro);

  if (n == 0)
    return;
  if (write(tun->fd, tun->gro.buf, n) < 0)
    tun->tun_tx_errors += segs;
  else
    tun->tun_tx += segs;
}

void vtund_tun_flush_all(struct vtund *d) {
  for (struct vtund_tun *tun = d->tuns; tun != NULL; tun = tun->next)
    if (tun->vnet)
      tun_gro_flush(tun);
}

/* A full device queue drops the packet, as a router's would. With
 * IFF_VNET_HDR, TCP segments of one flow are merged and written as one
 * super-packet at the end of the loop pass (vtund_tun_flush_all()). */
int vtund_tun_deliver(void *ud, vtun_tunnel *t, const uint8_t *pkt,
                      size_t len) {
  struct vtund_tun *tun = vtun_tunnel_get_user_data(t);

  (void)ud;
  if (tun == NULL)
    return 0;
  if (tun->vnet) {
    if (vtund_gro_add(&tun->gro, pkt, len))
      return 0;
    tun_gro_flush(tun);
    if (!vtund_gro_start(&tun->gro, pkt, len))
      tun_write_vnet(tun, pkt, len);
    return 0;
  }
  if (write(tun->fd, pkt, len) < 0)
    tun->tun_tx_errors++;
  else
    tun->tun_tx++;
  return 0;
}

/* Hands the waiting packets to the library and the datagrams to the
 * kernel. */
static void tun_send_pending(struct vtund_tun *tun) {
  vtun_ssize sent;
  size_t n = tun->npkts;

  if (n == 0)
    return;
  tun->npkts = 0;
  tun->tun_rx += n;
  sent = vtun_tunnel_send_batch(tun->t, tun->pkts, n);
  if (sent >= 0 && (size_t)sent < n)
    tun->send_errors += n - (size_t)sent;
  vtun_uv_flush(tun->d->uvh);
}

static vtun_pkt *tun_next_pkt(struct vtund_tun *tun) {
  vtun_pkt *p;

  if (tun->npkts == VTUND_BATCH)
    tun_send_pending(tun);
  p = &tun->pkts[tun->npkts];
  p->buf = tun->bufs + tun->npkts * VTUND_PKT_ROOM;
  p->off = VTUN_HEADROOM;
  p->cap = VTUND_PKT_ROOM;
  p->result = 0;
  return p;
}

static uint8_t *tun_slot(void *arg, size_t len) {
  struct vtund_tun *tun = arg;
  vtun_pkt *p;

  if (len > TUN_MAX_PKT)
    return NULL;
  p = tun_next_pkt(tun);
  p->len = len;
  tun->npkts++;
  return p->buf + p->off;
}

/* One read; false when the device has nothing more. */
static bool tun_read_one(struct vtund_tun *tun) {
  vtun_pkt *p;
  ssize_t r;

  if (tun->vnet) {
    r = read(tun->fd, tun->big, TUN_BIG);
    if (r <= VTUND_VNET_HDR_LEN)
      return false;
    vtund_gso_split(tun->big, tun->big + VTUND_VNET_HDR_LEN,
                    (size_t)r - VTUND_VNET_HDR_LEN, tun_slot, tun);
    return true;
  }
  p = tun_next_pkt(tun);
  r = read(tun->fd, p->buf + p->off, TUN_MAX_PKT);
  if (r <= 0)
    return false;
  p->len = (size_t)r;
  tun->npkts++;
  return true;
}

/* LIMITATION: one thread moves every packet of every tunnel (TUN reads,
 * ESP in both directions, UDP batches), so a single stream is bound by
 * one core's AES-GCM. bench/run tunnel measured 3.5-4.1 Gbit/s on a
 * 2-core VM whose OpenSSL does 1.15 GB/s at 1400 bytes: 8.2-9.6 times
 * strongSwan's userspace data plane in the same runs, where the goal is
 * 10 times. */
static void tun_readable(uv_poll_t *p, int status, int events) {
  struct vtund_tun *tun = p->data;

  if (status < 0 || !(events & UV_READABLE))
    return;

  /* A bounded number of reads, so that the sockets get their turn. */
  for (int i = 0; i < 4 * VTUND_BATCH && tun_read_one(tun); i++)
    ;
  tun_send_pending(tun);

  /* Traffic may start a negotiation (on-demand tunnels). */
  vtun_uv_schedule(tun->d->uvh);
}

/* -------------------------------------------------------- open, close */

/* TSO from the stack: TCP super-packets that gso.c cuts. */
static bool tun_offload(int fd) {
  unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
  int hdr = VTUND_VNET_HDR_LEN;

  return ioctl(fd, TUNSETVNETHDRSZ, &hdr) == 0 &&
         ioctl(fd, TUNSETOFFLOAD, off) == 0;
}

static int tun_create(const char *ifname, bool vnet) {
  struct ifreq ifr;
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0)
    return -1;
  memset(&ifr, 0, sizeof(ifr));
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
  snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;

    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

int vtund_tun_open(struct vtund *d, vtun_tunnel *t, struct vtund_tun **out) {
  struct vtund_tun *tun = calloc(1, sizeof(*tun));
  const char *tname = vtun_tunnel_get_name(t);

  if (tun == NULL ||
      (tun->bufs = malloc((size_t)VTUND_BATCH * VTUND_PKT_ROOM)) == NULL) {
    free(tun);
    return -ENOMEM;
  }
  tun->d = d;
  tun->t = t;
  snprintf(tun->tname, sizeof(tun->tname), "%s", tname);
  tun_ifname(d, tname, tun->ifname, sizeof(tun->ifname));
  tun->vnet = d->vnet_hdr && (tun->big = malloc(TUN_BIG)) != NULL &&
              (tun->gro.buf = malloc(TUN_BIG)) != NULL;
  if ((tun->fd = tun_create(tun->ifname, tun->vnet)) >= 0 && tun->vnet &&
      !tun_offload(tun->fd)) {
    vtund_log(d, VTUN_LOG_WARN, "%s: no TUN offloads: %s", tname,
              strerror(errno));
  }
  if (tun->fd < 0 || tun_set_mtu_up(tun->ifname, vtun_tunnel_get_mtu(t)) < 0) {
    int err = errno;

    vtund_log(d, VTUN_LOG_ERROR, "%s: TUN device %s: %s", tname, tun->ifname,
              strerror(err));
    if (tun->fd >= 0)
      close(tun->fd);
    free(tun->gro.buf);
    free(tun->big);
    free(tun->bufs);
    free(tun);
    return -err;
  }

  uv_poll_init(d->loop, &tun->poll, tun->fd);
  tun->poll.data = tun;
  tun->polling = true;
  uv_poll_start(&tun->poll, UV_READABLE, tun_readable);
  vtun_tunnel_set_user_data(t, tun);
  tun->next = d->tuns;
  d->tuns = tun;
  vtund_log(d, VTUN_LOG_INFO, "%s: TUN device %s, mtu %u%s", tname, tun->ifname,
            vtun_tunnel_get_mtu(t), tun->vnet ? ", offloads on" : "");
  vtund_tun_sync_address(tun);
  *out = tun;
  return 0;
}

static void tun_closed(uv_handle_t *h) {
  struct vtund_tun *tun = h->data;

  free(tun->gro.buf);
  free(tun->big);
  free(tun->bufs);
  free(tun);
}

/* Unlinks and closes: the kernel removes the device with its routes. */
void vtund_tun_close(struct vtund_tun *tun) {
  struct vtund_tun **pp = &tun->d->tuns;

  while (*pp != NULL && *pp != tun)
    pp = &(*pp)->next;
  if (*pp == tun)
    *pp = tun->next;
  if (tun->t != NULL)
    vtun_tunnel_set_user_data(tun->t, NULL);
  vtund_log(tun->d, VTUN_LOG_INFO, "%s: TUN device %s removed", tun->tname,
            tun->ifname);
  if (tun->vnet)
    tun_gro_flush(tun);
  uv_poll_stop(&tun->poll);

  /* Closed now, not in the callback: a reload may create the device of
   * the same name again at once. */
  close(tun->fd);
  tun->fd = -1;
  uv_close((uv_handle_t *)&tun->poll, tun_closed);
}

struct vtund_tun *vtund_tun_find(struct vtund *d, const char *tname) {
  for (struct vtund_tun *tun = d->tuns; tun != NULL; tun = tun->next)
    if (strcmp(tun->tname, tname) == 0)
      return tun;
  return NULL;
}
