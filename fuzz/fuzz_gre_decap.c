/* GRE input: datagrams from a tunnel's peer as they come, and payloads
 * the peer seals into authentic ESP for the GRE-over-IPsec tunnel. The
 * keepalive timer runs at a time the input picks.
 *
 * Input: byte 0 picks the tunnel (bits 0-1: no key; key and sequence
 * numbers; IPv6 with keepalives; GRE inside ESP), whether to seal (bit 2)
 * and failing hooks (bit 3: deliver, bit 4: send); byte 1 is the next
 * header of a sealed packet, byte 2 the time in seconds for the timer;
 * the rest is the datagram or the payload. */
#include "fuzz_dp.h"

static vtun_tunnel *rx_t[4], *tx_t[4];

static void setup(void) {
  static const char *names[4] = {"Tunnel1", "Tunnel2", "Tunnel3", "Tunnel4"};
  static const char *rx_addr[4] = {"192.0.2.1", "192.0.2.1", "2001:db8::1",
                                   "192.0.2.1"};
  static const char *tx_addr[4] = {"192.0.2.2", "192.0.2.3", "2001:db8::2",
                                   "192.0.2.4"};

  fuzz_open(&fuzz_rx);
  fuzz_open(&fuzz_tx);
  for (int i = 0; i < 4; i++) {
    rx_t[i] = fuzz_tunnel(&fuzz_rx, names[i], VTUN_TUNNEL_GRE, rx_addr[i],
                          tx_addr[i]);
    tx_t[i] = fuzz_tunnel(&fuzz_tx, names[i], VTUN_TUNNEL_GRE, tx_addr[i],
                          rx_addr[i]);
  }
  fuzz_need(vtun_tunnel_set_gre_key(rx_t[1], 1, 0x1234));
  fuzz_need(vtun_tunnel_set_gre_sequence(rx_t[1], 1));
  fuzz_need(vtun_tunnel_set_keepalive(rx_t[2], 10, 3));
  fuzz_need(vtun_tunnel_set_gre_key(rx_t[3], 1, 9));
  fuzz_need(vtun_tunnel_set_gre_key(tx_t[3], 1, 9));
  for (int i = 0; i < 4; i++)
    fuzz_need(vtun__dp_tunnel_update(rx_t[i]));
}

/* Back to the state after set-up: sequence numbers and keepalives
 * forgotten, fresh SAs on the protected tunnel. */
static void reset(void) {
  for (int i = 0; i < 3; i++) {
    atomic_store(&rx_t[i]->dp.gre_seq_any, false);
    atomic_store(&rx_t[i]->dp.ka_missed, 0);
    rx_t[i]->dp.ka_next = 0;
  }
  fuzz_pair(rx_t[3], tx_t[3], 3, VTUN_ENCR_AES_GCM_256, VTUN_INTEG_NONE, 0);
}

static void feed(vtun_tunnel *t, int proto, uint8_t *p, size_t n) {
  const struct vtun__dp_conf *c = atomic_load(&t->dp.conf);

  (void)vtun_ctx_input(fuzz_rx.ctx, NULL, proto, &c->local, &c->remote, p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static uint8_t buf[FUZZ_ROOM];
  static bool ready;
  vtun_tstamp next;
  size_t off, len;
  unsigned k;

  if (!ready) {
    setup();
    ready = true;
  }
  if (size < 3 || size > FUZZ_ROOM - 512)
    return 0;
  k = data[0] & 3;
  fuzz_rx.fail_deliver = (data[0] & 0x08) != 0;
  fuzz_rx.fail_send = (data[0] & 0x10) != 0;
  reset();

  if ((data[0] & 0x04) != 0 && k == 3) {
    off = fuzz_seal(tx_t[3], buf, data + 3, size - 3, data[1], 1, &len);
    if (off != 0)
      feed(rx_t[3], VTUN_PROTO_ESP, buf + off, len);
  } else {
    memcpy(buf, data + 3, size - 3);
    feed(rx_t[k], VTUN_PROTO_GRE, buf, size - 3);
    memcpy(buf, data + 3, size - 3);
    feed(rx_t[k], VTUN_PROTO_GRE, buf, size - 3);
  }
  (void)vtun__dp_tunnel_tick(rx_t[k], (vtun_tstamp)data[2] * VTUN_SECONDS,
                             &next);
  fuzz_send_inner(rx_t[k], data + 3, size - 3);
  return 0;
}
