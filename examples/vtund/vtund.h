/* vtund: a Linux host for libvtun. Reads a vendor-style configuration,
 * creates one TUN device per tunnel interface, carries packets between
 * the devices and libvtun-uv, and answers vtunctl on a control socket. */
#ifndef VTUND_H
#define VTUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include <vtun/vtun.h>
#include <vtun/vtun_uv.h>

#include "gso.h"

#define VTUND_BATCH 64
#define VTUND_PKT_ROOM 9400 /* headroom + 9000-byte packet + tailroom */
#define VTUND_MAX_ROUTES 256
#define VTUND_MAX_MAPS 32

/* One TUN device, for one tunnel interface. */
struct vtund_tun {
  struct vtund_tun *next;
  struct vtund *d;
  vtun_tunnel *t;
  char tname[64];  /* the tunnel's name in the configuration */
  char ifname[16]; /* the Linux device */
  int fd;
  uv_poll_t poll;
  bool polling;
  char addr[64]; /* the address set on the device, "" for none */
  unsigned prefix;
  uint8_t *bufs; /* VTUND_BATCH buffers of VTUND_PKT_ROOM */
  vtun_pkt pkts[VTUND_BATCH];
  size_t npkts;         /* packets waiting in pkts */
  bool vnet;            /* IFF_VNET_HDR with TSO: reads bring super-packets */
  uint8_t *big;         /* one super-packet read, with its virtio-net header */
  struct vtund_gro gro; /* decrypted segments waiting to be written */
  uint64_t tun_rx, tun_tx, tun_tx_errors, send_errors;
};

/* `ip route-static DEST MASK TunnelN`, handled by the host. */
struct vtund_route {
  char dest[64];
  unsigned prefix;
  char tunnel[64];
  bool installed;
};

/* `vtund interface-map NAME LINUX` and vpn-instance mappings. */
struct vtund_map {
  char kind[16]; /* "interface", "netns", "device", "tun-name" */
  char name[64];
  char value[256];
};

/* `vtund manual-sa TunnelN SPI-IN SPI-OUT ENCR KEY-IN KEY-OUT [udp]`:
 * static keys (hex: key then salt), for tests and benchmarks. */
struct vtund_manual_sa {
  char tunnel[64];
  uint32_t spi_in, spi_out;
  int encr;
  uint8_t key_in[64], key_out[64];
  size_t key_len;
  bool udp;
};

#define VTUND_MAX_MANUAL 8

struct vtund_hostcfg {
  struct vtund_manual_sa manual[VTUND_MAX_MANUAL];
  unsigned nmanual;
  struct vtund_route routes[VTUND_MAX_ROUTES];
  unsigned nroutes;
  struct vtund_map maps[VTUND_MAX_MAPS];
  unsigned nmaps;
};

struct vtund {
  uv_loop_t *loop;
  vtun_uv *uvh;
  vtun_ctx *ctx;
  const char *conf_path, *ctl_path, *name;
  const char *keys_path; /* -k: key export lines for tshark, or NULL */
  FILE *keys;
  int log_level;
  bool vnet_hdr;
  struct vtund_tun *tuns;
  struct vtund_hostcfg host;
  char *dump; /* the loaded configuration, as dumped with secrets */
  uv_signal_t sig_hup, sig_term, sig_int;
  uv_pipe_t ctl;
  uv_check_t flush; /* writes coalesced packets after each loop pass */
  bool ctl_open;
  int nl_fd;
  uv_poll_t nl_poll;
  bool stopping;
  int exit_code;
};

/* main.c */
void vtund_log(struct vtund *d, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* host.c: the host's own lines, routes, interface addresses. */
int vtund_host_parse(struct vtund_hostcfg *h, char *text, char *err,
                     size_t errlen);
const char *vtund_host_map(const struct vtund_hostcfg *h, const char *kind,
                           const char *name);
void vtund_routes_apply(struct vtund *d);
void vtund_manual_apply(struct vtund *d);
void vtund_routes_retire(struct vtund *d, struct vtund_hostcfg *next);
int vtund_ifaces_sync(struct vtund *d);
int vtund_netlink_start(struct vtund *d);
void vtund_netlink_stop(struct vtund *d);

/* tun.c */
int vtund_tun_open(struct vtund *d, vtun_tunnel *t, struct vtund_tun **out);
void vtund_tun_close(struct vtund_tun *tun);
void vtund_tun_sync_address(struct vtund_tun *tun);
void vtund_tun_set_address(struct vtund_tun *tun, const char *addr,
                           unsigned prefix);
struct vtund_tun *vtund_tun_find(struct vtund *d, const char *tname);
int vtund_tun_deliver(void *ud, vtun_tunnel *t, const uint8_t *pkt, size_t len);
int vtund_ifname_index(const char *ifname);
void vtund_tun_flush_all(struct vtund *d);
int vtund_route_host(struct vtund_tun *tun, const char *addr, bool add);

/* ctl.c */
int vtund_ctl_start(struct vtund *d);
void vtund_ctl_stop(struct vtund *d);

/* reload.c */
int vtund_load(struct vtund *d, const char *path, bool initial);
int vtund_tuns_sync(struct vtund *d);
int vtund_check(struct vtund *d, const char *path);
void vtund_free_text(char *text);

#endif
