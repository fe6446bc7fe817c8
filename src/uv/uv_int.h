/* libvtun-uv internals: the handle, its routing domains and sockets, the
 * send queue. Built on the public API only (vtun/vtun.h). */
#ifndef VTUN_UV_INT_H
#define VTUN_UV_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "vtun/vtun_uv.h"

#define UVB_MAX_BATCH 256
#define UVB_MAX_DOMAINS 17 /* the public one and 16 vpn-instances */
#define UVB_MAX_GSO_SEGS 64
#define UVB_BUF_SIZE 65536 /* one GRO read or one GSO send */
#define UVB_ERR_MAX 256

/* The sockets of one routing domain, in this order. */
enum uvb_sock_kind {
  UVB_UDP4_IKE,
  UVB_UDP4_NATT,
  UVB_UDP6_IKE,
  UVB_UDP6_NATT,
  UVB_RAW4_ESP,
  UVB_RAW4_GRE,
  UVB_NSOCKS,
};

struct vtun__uv_sock {
  uv_poll_t poll;
  struct vtun_uv *uvh;
  int fd; /* -1 when closed */
  int kind, family, proto;
  uint16_t port;
  unsigned domain;
  bool gro; /* UDP_GRO accepted by the kernel */
};

struct vtun__uv_domain {
  bool used;
  char name[64];   /* vpn-instance; "" for the public domain */
  char netns[256]; /* "" for the current namespace */
  char device[16]; /* "" for none */
  struct vtun__uv_sock socks[UVB_NSOCKS];
};

/* One queued outgoing message: one datagram, or a run of equal-size
 * datagrams to one destination sent as one UDP GSO write. */
struct vtun__uv_txmsg {
  struct vtun__uv_sock *sock;
  vtun_endpoint local, remote;
  size_t off, len; /* bytes in the send area */
  size_t seg;      /* size of each segment but the last */
  unsigned nsegs;
};

struct vtun_uv {
  uv_loop_t *loop;
  vtun_ctx *ctx;
  vtun_hooks user_hooks;
  void *user_data;
  vtun_uv_settings settings;
  bool started, closing;

  struct vtun__uv_domain domains[UVB_MAX_DOMAINS];
  uv_timer_t timer;
  unsigned open_handles;
  vtun_uv_close_cb close_cb;
  void *close_arg;

  uint8_t *rx_area; /* batch buffers of UVB_BUF_SIZE */
  struct mmsghdr *rx_msgs;
  struct iovec *rx_iov;
  struct sockaddr_storage *rx_names;
  uint8_t *rx_ctrl;
  vtun_pkt *rx_pkts;

  uint8_t *tx_area; /* batch buffers of UVB_BUF_SIZE */
  struct vtun__uv_txmsg *txq;
  unsigned ntx;
  struct mmsghdr *tx_msgs;
  struct iovec *tx_iov;
  struct sockaddr_storage *tx_names;
  uint8_t *tx_ctrl;

  bool gso_ok; /* cleared when the kernel refuses UDP_SEGMENT */
  vtun_uv_stats stats;
  char errmsg[UVB_ERR_MAX];
};

#define UVB_CTRL_SIZE 128 /* control bytes per message */

/* Records a failure message and returns @p code. */
int vtun__uv_fail(vtun_uv *uvh, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Maps an errno value to a VTUN_E* code. */
int vtun__uv_errno(int err);

/* Opens the sockets of domain @p d; on failure none stays open. */
int vtun__uv_domain_open(vtun_uv *uvh, unsigned d);

/* Starts libuv polling on every open socket of domain @p d. */
int vtun__uv_domain_poll(vtun_uv *uvh, unsigned d);

/* Closes the sockets of domain @p d through libuv. */
void vtun__uv_domain_close(vtun_uv *uvh, unsigned d);

/* Reads what is waiting on a socket and gives it to the context. */
void vtun__uv_rx(struct vtun__uv_sock *s);

/* The send_datagram hook. */
int vtun__uv_send_hook(void *user_data, vtun_vpn_instance *vrf, int proto,
                       const vtun_endpoint *local, const vtun_endpoint *remote,
                       const uint8_t *data, size_t len);

/* Writes the send queue; returns how many datagrams were refused. */
size_t vtun__uv_tx_flush(vtun_uv *uvh);

/* Fills a sockaddr from an endpoint; returns its length or 0. */
socklen_t vtun__uv_sockaddr(const vtun_endpoint *ep,
                            struct sockaddr_storage *ss);

/* Fills an endpoint from a sockaddr. */
void vtun__uv_endpoint(const struct sockaddr_storage *ss, vtun_endpoint *ep);

/* The port the library knows a socket by: 500 or 4500 whatever the
 * settings bind (RFC 7296 §2.23 and RFC 3948 name those), 0 for raw. */
uint16_t vtun__uv_lib_port(const struct vtun__uv_sock *s);

/* Called once per libuv handle that finished closing. */
void vtun__uv_handle_closed(uv_handle_t *h);

#endif
