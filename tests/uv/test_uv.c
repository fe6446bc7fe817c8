/* libvtun-uv through its public API on the loopback interface, without
 * privileges: high local ports stand for 500 and 4500, no raw sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <vtun/vtun.h>
#include <vtun/vtun_uv.h>

struct fixture {
  uv_loop_t loop;
  vtun_uv *uvh;
  uint16_t ike, natt;
  int closed;
};

static void on_closed(void *arg) {
  ((struct fixture *)arg)->closed = 1;
}

/* Ports from the process ID, so that parallel runs do not collide. */
static void pick_ports(struct fixture *f) {
  f->ike = (uint16_t)(20000 + (getpid() % 10000) * 2);
  f->natt = (uint16_t)(f->ike + 1);
}

static int setup(void **state) {
  static struct fixture f;
  vtun_uv_settings s;

  memset(&f, 0, sizeof(f));
  uv_loop_init(&f.loop);
  pick_ports(&f);
  vtun_uv_settings_default(&s);
  s.ike_port = f.ike;
  s.natt_port = f.natt;
  s.raw_sockets = 0;
  if (vtun_uv_new(&f.loop, &s, NULL, NULL, &f.uvh) != 0)
    return -1;
  *state = &f;
  return 0;
}

static int teardown(void **state) {
  struct fixture *f = *state;

  vtun_uv_close(f->uvh, on_closed, f);
  uv_run(&f->loop, UV_RUN_DEFAULT);
  uv_loop_close(&f->loop);
  return f->closed ? 0 : -1;
}

static void test_settings(void **state) {
  vtun_uv_settings s;
  uv_loop_t *loop = &((struct fixture *)*state)->loop;
  vtun_uv *uvh = NULL;

  (void)state;
  vtun_uv_settings_default(&s);
  assert_int_equal(s.ike_port, 500);
  assert_int_equal(s.natt_port, 4500);
  assert_int_equal(s.batch, 64);
  s.batch = 0;
  assert_int_equal(vtun_uv_new(loop, &s, NULL, NULL, &uvh), VTUN_EINVAL);
  vtun_uv_settings_default(&s);
  assert_int_equal(vtun_uv_new_versioned(loop, 99, &s, NULL, NULL, &uvh),
                   VTUN_EVERSION);
  assert_int_equal(vtun_uv_new(NULL, &s, NULL, NULL, &uvh), VTUN_EINVAL);
  assert_null(uvh);
}

static void test_start_twice(void **state) {
  struct fixture *f = *state;

  assert_int_equal(vtun_uv_start(f->uvh), 0);
  assert_int_equal(vtun_uv_start(f->uvh), VTUN_ESTATE);
  assert_string_equal(vtun_uv_last_error(f->uvh), "started already");
}

static int udp_socket(uint16_t port) {
  struct sockaddr_in sin;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);

  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && port != 0 &&
      bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static void send_to(int fd, uint16_t port, const void *buf, size_t len) {
  struct sockaddr_in sin;

  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(
      sendto(fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin)),
      (ssize_t)len);
}

/* A NAT keepalive (RFC 3948 §2.3) on the NAT-T port reaches the library
 * as a datagram on 4500. */
static void test_receive_keepalive(void **state) {
  struct fixture *f = *state;
  vtun_ctx_stats cs;
  vtun_uv_stats us;
  uint8_t ka = 0xff;
  int fd = udp_socket(0);

  assert_true(fd >= 0);
  assert_int_equal(vtun_uv_start(f->uvh), 0);
  send_to(fd, f->natt, &ka, 1);
  for (int i = 0; i < 50; i++) {
    uv_run(&f->loop, UV_RUN_NOWAIT);
    vtun_uv_get_stats(f->uvh, &us, sizeof(us));
    if (us.rx_datagrams > 0)
      break;
    usleep(10000);
  }
  close(fd);
  assert_int_equal(us.rx_datagrams, 1);
  assert_int_equal(vtun_ctx_get_stats(vtun_uv_get_ctx(f->uvh), &cs, sizeof(cs)),
                   0);
  assert_int_equal(cs.nat_keepalives_rx, 1);
}

static void manual_tunnel(vtun_ctx *ctx, vtun_tunnel **out) {
  static const uint8_t key[36] = {1, 2, 3};
  vtun_iface *ifc;
  vtun_tunnel *t;

  assert_int_equal(vtun_iface_new(ctx, "lo", VTUN_LAYER3, &ifc), 0);
  assert_int_equal(vtun_iface_set_address(ifc, "127.0.0.1", 8), 0);
  assert_int_equal(vtun_tunnel_new(ctx, "Tunnel1", &t), 0);
  assert_int_equal(vtun_tunnel_set_protocol(t, VTUN_TUNNEL_IPSEC), 0);
  assert_int_equal(vtun_tunnel_set_source_iface(t, ifc), 0);
  assert_int_equal(vtun_tunnel_set_destination(t, "127.0.0.1", NULL), 0);
  assert_int_equal(vtun_tunnel_set_on_demand(t, 1), 0);
  assert_int_equal(vtun_tunnel_set_manual_sa(
                       t, 0x1000, 0x2000, VTUN_ENCR_AES_GCM_256,
                       VTUN_INTEG_NONE, key, 36, key, 36, VTUN_SA_UDP_ENCAP),
                   0);
  *out = t;
}

/* Eight equal packets leave as ESP in UDP to port 4500, from the bound
 * NAT-T port, in one flush. */
static void test_send_batch(void **state) {
  struct fixture *f = *state;
  static uint8_t bufs[8][512];
  vtun_pkt pkts[8];
  vtun_tunnel *t;
  vtun_uv_stats us;
  uint8_t rx[2048];
  struct sockaddr_in from;
  socklen_t flen = sizeof(from);
  int fd = udp_socket(4500), got = 0;

  if (fd < 0)
    skip(); /* port 4500 is taken on this machine */
  assert_int_equal(vtun_uv_start(f->uvh), 0);
  manual_tunnel(vtun_uv_get_ctx(f->uvh), &t);
  for (int i = 0; i < 8; i++) {
    uint8_t *ip = bufs[i] + VTUN_HEADROOM;

    memset(bufs[i], 0, sizeof(bufs[i]));
    ip[0] = 0x45;
    ip[3] = 100; /* total length */
    ip[8] = 64;
    ip[9] = 17;
    pkts[i] = (vtun_pkt){.buf = bufs[i],
                         .off = VTUN_HEADROOM,
                         .len = 100,
                         .cap = sizeof(bufs[i])};
  }
  assert_int_equal(vtun_tunnel_send_batch(t, pkts, 8), 8);
  assert_int_equal(vtun_uv_flush(f->uvh), 0);

  while (got < 8 && recvfrom(fd, rx, sizeof(rx), MSG_DONTWAIT,
                             (struct sockaddr *)&from, &flen) > 0) {
    assert_int_equal(ntohs(from.sin_port), f->natt);
    got++;
  }
  close(fd);
  vtun_uv_get_stats(f->uvh, &us, sizeof(us));
  assert_int_equal(got, 8);
  assert_int_equal(us.tx_datagrams, 8);
  assert_true(us.tx_syscalls <= 8);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
      cmocka_unit_test_setup_teardown(test_start_twice, setup, teardown),
      cmocka_unit_test_setup_teardown(test_receive_keepalive, setup, teardown),
      cmocka_unit_test_setup_teardown(test_send_batch, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
