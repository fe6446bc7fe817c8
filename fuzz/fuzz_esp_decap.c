/* ESP input: datagrams as they come (raw ESP or in UDP 4500, NAT
 * keepalives, garbage) and, to get past the integrity check, payloads the
 * sending side seals into authentic packets with any next header and
 * sequence number. Every SA is fresh for each input.
 *
 * Input: byte 0 picks the tunnel (bits 0-1: AES-GCM, AES-CBC with HMAC,
 * ChaCha20-Poly1305 with ESN, GRE inside AES-GCM), the mode (bits 2-3:
 * raw ESP, raw UDP, sealed ESP, sealed UDP) and failing hooks (bit 4:
 * deliver, bit 5: send); byte 1 is the next header, bytes 2-5 the
 * sequence number of a sealed packet; the rest is the datagram or the
 * payload. */
#include "fuzz_dp.h"

static vtun_tunnel *rx_t[4], *tx_t[4];

static const struct {
  int encr, integ;
  unsigned flags;
} algs[4] = {
    {VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE, 0},
    {VTUN_ENCR_AES_CBC_256, VTUN_INTEG_SHA2_256_128, VTUN_SA_UDP_ENCAP},
    {VTUN_ENCR_CHACHA20_POLY1305, VTUN_INTEG_NONE, VTUN_SA_ESN},
    {VTUN_ENCR_AES_GCM_256, VTUN_INTEG_NONE, 0},
};

static void setup(void) {
  static const char *names[4] = {"Tunnel1", "Tunnel2", "Tunnel3", "Tunnel4"};
  static const char *rx_addr[4] = {"192.0.2.1", "192.0.2.1", "2001:db8::1",
                                   "192.0.2.1"};
  static const char *tx_addr[4] = {"192.0.2.2", "192.0.2.3", "2001:db8::2",
                                   "192.0.2.4"};

  fuzz_open(&fuzz_rx);
  fuzz_open(&fuzz_tx);
  for (int i = 0; i < 4; i++) {
    int proto = i == 3 ? VTUN_TUNNEL_GRE : VTUN_TUNNEL_IPSEC;

    rx_t[i] = fuzz_tunnel(&fuzz_rx, names[i], proto, rx_addr[i], tx_addr[i]);
    tx_t[i] = fuzz_tunnel(&fuzz_tx, names[i], proto, tx_addr[i], rx_addr[i]);
  }
  fuzz_need(vtun_tunnel_set_gre_key(rx_t[3], 1, 77));
  fuzz_need(vtun_tunnel_set_gre_key(tx_t[3], 1, 77));
}

static void feed(vtun_tunnel *t, int proto, uint8_t *p, size_t n) {
  const struct vtun__esp_sa *sa = atomic_load(&t->dp.out_sa);
  vtun_endpoint local = sa->local, remote = sa->remote;

  if (proto == VTUN_PROTO_UDP)
    local.port = remote.port = 4500;
  (void)vtun_ctx_input(fuzz_rx.ctx, NULL, proto, &local, &remote, p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static uint8_t buf[FUZZ_ROOM];
  static bool ready;
  unsigned k, mode;
  size_t off, len;
  uint64_t seq;

  if (!ready) {
    setup();
    ready = true;
  }
  if (size < 6 || size > FUZZ_ROOM - 512)
    return 0;
  k = data[0] & 3;
  mode = (data[0] >> 2) & 3;
  fuzz_rx.fail_deliver = (data[0] & 0x10) != 0;
  fuzz_rx.fail_send = (data[0] & 0x20) != 0;
  fuzz_pair(rx_t[k], tx_t[k], k, algs[k].encr, algs[k].integ, algs[k].flags);
  seq = (uint64_t)data[2] << 24 | (uint64_t)data[3] << 16 |
        (uint64_t)data[4] << 8 | data[5];

  if (mode < 2) {
    memcpy(buf, data + 6, size - 6);
    feed(rx_t[k], mode == 0 ? VTUN_PROTO_ESP : VTUN_PROTO_UDP, buf, size - 6);
  } else {
    off = fuzz_seal(tx_t[k], buf, data + 6, size - 6, data[1], seq, &len);
    if (off != 0) {
      feed(rx_t[k], mode == 2 ? VTUN_PROTO_ESP : VTUN_PROTO_UDP, buf + off,
           len);
      /* The same packet again: a replay, dropped with the state kept. */
      off = fuzz_seal(tx_t[k], buf, data + 6, size - 6, data[1], seq, &len);
      feed(rx_t[k], VTUN_PROTO_ESP, buf + off, len);
    }
  }
  fuzz_send_inner(rx_t[k], data + 6, size - 6);
  return 0;
}
