/* ESP encapsulation plus decapsulation through libvtun against a raw
 * OpenSSL EVP loop doing the same crypto work, in the same run.
 *
 * "Raw" is OpenSSL used well: contexts keyed once and kept, only the
 * nonce or IV set per packet; per packet it seals and then opens the same
 * number of bytes libvtun encrypts (the inner packet, padding and ESP
 * trailer) with the same 8-byte AAD (AEAD), or runs AES-CBC, HMAC over
 * header, IV and ciphertext, HMAC again to verify, and AES-CBC back. The
 * raw CBC IV is a plain counter, cheaper than the unpredictable IVs
 * libvtun must make, so that cost counts against libvtun. The ratio
 * libvtun/raw is thus the cost of libvtun's framing, checks, SA lookup,
 * replay window, counters and hooks.
 *
 * libvtun runs two contexts in one thread: A's tunnel sends, its
 * send_datagram hook notes where the ESP packet is, and the loop gives
 * that packet to B's vtun_ctx_input, in place. Both loops leave the
 * plaintext where it started, so no copy is made per packet.
 *
 * The machine may be shared and noisy. Raw and libvtun run in short
 * slices, alternately, measured in the thread's own CPU time (time other
 * processes take is not counted against either); each pair of adjacent
 * slices gives one ratio, and the median of these ratios is reported,
 * with the median rates. Adjacent slices see the same conditions, so
 * their ratio is far steadier than two long runs would be.
 *
 * usage: bench_esp [seconds per slice (0.02)] [pairs (61)] [alg] [bytes]
 * (the last two pick one case, for profiling). */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vtun/vtun.h"

#define HEAD 128
#define BUFSZ 2048

struct alg {
  const char *name;   /* as printed */
  int encr, integ;    /* libvtun */
  const char *cipher; /* OpenSSL */
  bool aead;
  size_t keylen, block, icv;
};

static const struct alg algs[] = {
    {"aes-256-gcm", VTUN_ENCR_AES_GCM_256, VTUN_INTEG_NONE, "AES-256-GCM", true,
     32, 4, 16},
    {"aes-128-gcm", VTUN_ENCR_AES_GCM_128, VTUN_INTEG_NONE, "AES-128-GCM", true,
     16, 4, 16},
    {"chacha20-poly1305", VTUN_ENCR_CHACHA20_POLY1305, VTUN_INTEG_NONE,
     "ChaCha20-Poly1305", true, 32, 4, 16},
    {"aes-cbc-sha256", VTUN_ENCR_AES_CBC_256, VTUN_INTEG_SHA2_256_128,
     "AES-256-CBC", false, 32, 16, 16},
};
static const size_t sizes[] = {64, 512, 1400};
#define NALGS (sizeof(algs) / sizeof(algs[0]))
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static double secs_per_run = 0.02;
static int rounds = 61;

static double now_s(void) {
  struct timespec ts;

  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "bench_esp: %s failed\n", what);
  exit(1);
}

static void inner_packet(uint8_t *p, size_t len) {
  for (size_t i = 0; i < len; i++)
    p[i] = (uint8_t)i;
  p[0] = 0x45;
  p[2] = (uint8_t)(len >> 8);
  p[3] = (uint8_t)len;
  p[9] = 17;
}

/* The bytes ESP encrypts for an inner packet of @p len. */
static size_t esp_ctlen(const struct alg *g, size_t len) {
  return (len + 2 + g->block - 1) / g->block * g->block;
}

/* --------------------------------------------------------------- raw */

struct raw {
  const struct alg *g;
  EVP_CIPHER_CTX *enc, *dec;
  EVP_MAC_CTX *mac;
  uint8_t buf[BUFSZ];
  size_t len;
  uint64_t seq;
};

static void raw_open(struct raw *r, const struct alg *g, size_t inner) {
  uint8_t key[32] = {1, 2, 3};
  EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, g->cipher, NULL);
  EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                          (char *)"SHA256", 0),
                         OSSL_PARAM_construct_end()};

  memset(r, 0, sizeof(*r));
  r->g = g;
  r->len = esp_ctlen(g, inner);
  r->enc = EVP_CIPHER_CTX_new();
  r->dec = EVP_CIPHER_CTX_new();
  if (c == NULL || m == NULL || r->enc == NULL || r->dec == NULL ||
      EVP_EncryptInit_ex2(r->enc, c, key, NULL, NULL) != 1 ||
      EVP_DecryptInit_ex2(r->dec, c, key, NULL, NULL) != 1)
    die("raw setup");
  if (!g->aead) {
    EVP_CIPHER_CTX_set_padding(r->enc, 0);
    EVP_CIPHER_CTX_set_padding(r->dec, 0);
    r->mac = EVP_MAC_CTX_new(m);
    if (r->mac == NULL || EVP_MAC_init(r->mac, key, 32, params) != 1)
      die("raw hmac");
  }
  EVP_CIPHER_free(c);
  EVP_MAC_free(m);
  inner_packet(r->buf + HEAD, r->len);
}

static void raw_close(struct raw *r) {
  EVP_CIPHER_CTX_free(r->enc);
  EVP_CIPHER_CTX_free(r->dec);
  EVP_MAC_CTX_free(r->mac);
}

static void put64(uint8_t *p, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8)
    p[i] = (uint8_t)v;
}

static void raw_aead(struct raw *r) {
  uint8_t *hdr = r->buf + HEAD - 16, *pt = r->buf + HEAD;
  uint8_t nonce[12] = {9, 9, 9, 9}, tmp[16];
  int n;

  put64(hdr + 4, ++r->seq);
  put64(nonce + 4, r->seq);
  if (EVP_EncryptInit_ex(r->enc, NULL, NULL, NULL, nonce) != 1 ||
      EVP_EncryptUpdate(r->enc, NULL, &n, hdr, 8) != 1 ||
      EVP_EncryptUpdate(r->enc, pt, &n, pt, (int)r->len) != 1 ||
      EVP_EncryptFinal_ex(r->enc, tmp, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(r->enc, EVP_CTRL_AEAD_GET_TAG, 16, pt + r->len) != 1)
    die("raw seal");
  if (EVP_DecryptInit_ex(r->dec, NULL, NULL, NULL, nonce) != 1 ||
      EVP_CIPHER_CTX_ctrl(r->dec, EVP_CTRL_AEAD_SET_TAG, 16, pt + r->len) !=
          1 ||
      EVP_DecryptUpdate(r->dec, NULL, &n, hdr, 8) != 1 ||
      EVP_DecryptUpdate(r->dec, pt, &n, pt, (int)r->len) != 1 ||
      EVP_DecryptFinal_ex(r->dec, tmp, &n) != 1)
    die("raw open");
}

static void raw_hmac(struct raw *r, const uint8_t *p, size_t n, uint8_t *out) {
  uint8_t md[32];
  size_t mdlen;

  if (EVP_MAC_init(r->mac, NULL, 0, NULL) != 1 ||
      EVP_MAC_update(r->mac, p, n) != 1 ||
      EVP_MAC_final(r->mac, md, &mdlen, sizeof(md)) != 1)
    die("raw hmac");
  memcpy(out, md, 16);
}

static void raw_cbc(struct raw *r) {
  uint8_t *hdr = r->buf + HEAD - 24, *pt = r->buf + HEAD;
  uint8_t icv[16];
  int n;

  put64(hdr + 4, ++r->seq);
  put64(hdr + 16, r->seq); /* IV */
  if (EVP_EncryptInit_ex(r->enc, NULL, NULL, NULL, hdr + 8) != 1 ||
      EVP_EncryptUpdate(r->enc, pt, &n, pt, (int)r->len) != 1)
    die("raw cbc");
  raw_hmac(r, hdr, 24 + r->len, pt + r->len);

  raw_hmac(r, hdr, 24 + r->len, icv);
  if (CRYPTO_memcmp(icv, pt + r->len, 16) != 0 ||
      EVP_DecryptInit_ex(r->dec, NULL, NULL, NULL, hdr + 8) != 1 ||
      EVP_DecryptUpdate(r->dec, pt, &n, pt, (int)r->len) != 1)
    die("raw cbc open");
}

static double raw_run(struct raw *r) {
  double t0 = now_s(), t;
  uint64_t n = 0;

  do {
    for (int i = 0; i < 256; i++)
      r->g->aead ? raw_aead(r) : raw_cbc(r);
    n += 256;
    t = now_s() - t0;
  } while (t < secs_per_run);
  return (double)n / t;
}

/* ----------------------------------------------------------- libvtun */

struct lib {
  vtun_ctx *a, *b;
  vtun_tunnel *ta, *tb;
  uint8_t buf[BUFSZ];
  size_t inner;
  /* What A's hook saw: the ESP packet, in buf. */
  int proto;
  vtun_endpoint local, remote;
  const uint8_t *pkt;
  size_t pktlen;
  uint64_t delivered;
};

static int lib_send(void *ud, vtun_vpn_instance *vrf, int proto,
                    const vtun_endpoint *local, const vtun_endpoint *remote,
                    const uint8_t *data, size_t len) {
  struct lib *l = ud;

  (void)vrf;
  l->proto = proto;
  l->local = *local;
  l->remote = *remote;
  l->pkt = data;
  l->pktlen = len;
  return 0;
}

static int lib_deliver(void *ud, vtun_tunnel *t, const uint8_t *pkt,
                       size_t len) {
  struct lib *l = ud;

  (void)t;
  (void)pkt;
  l->delivered += len == l->inner;
  return 0;
}

static vtun_tunnel *lib_tunnel(vtun_ctx *ctx, const char *local,
                               const char *remote) {
  vtun_tunnel *t;

  if (vtun_tunnel_new(ctx, "Tunnel1", &t) != 0 ||
      vtun_tunnel_set_protocol(t, VTUN_TUNNEL_IPSEC) != 0 ||
      vtun_tunnel_set_source_address(t, local) != 0 ||
      vtun_tunnel_set_destination(t, remote, NULL) != 0 ||
      vtun_tunnel_set_mtu(t, 1500) != 0)
    die("tunnel setup");
  return t;
}

static void lib_open(struct lib *l, const struct alg *g, size_t inner) {
  vtun_hooks hooks = {.send_datagram = lib_send, .deliver = lib_deliver};
  uint8_t key[128];
  size_t n = g->keylen + (g->aead ? 4 : 32);

  memset(l, 0, sizeof(*l));
  for (size_t i = 0; i < sizeof(key); i++)
    key[i] = (uint8_t)(i * 13 + 1);
  if (vtun_ctx_new(&l->a, &hooks, NULL, l) != 0 ||
      vtun_ctx_new(&l->b, &hooks, NULL, l) != 0)
    die("context");
  l->ta = lib_tunnel(l->a, "192.0.2.1", "192.0.2.2");
  l->tb = lib_tunnel(l->b, "192.0.2.2", "192.0.2.1");
  if (vtun_tunnel_set_manual_sa(l->ta, 0x1001, 0x2002, g->encr, g->integ, key,
                                n, key, n, 0) != 0 ||
      vtun_tunnel_set_manual_sa(l->tb, 0x2002, 0x1001, g->encr, g->integ, key,
                                n, key, n, 0) != 0)
    die("manual SA");
  l->inner = inner;
  inner_packet(l->buf + HEAD, inner);
}

static void lib_close(struct lib *l) {
  vtun_ctx_free(l->a);
  vtun_ctx_free(l->b);
}

static void lib_one(struct lib *l) {
  if (vtun_tunnel_send(l->ta, l->buf, HEAD, l->inner, sizeof(l->buf)) != 0)
    die("vtun_tunnel_send");
  if (vtun_ctx_input(l->b, NULL, l->proto, &l->remote, &l->local,
                     (uint8_t *)l->pkt, l->pktlen) != 0)
    die("vtun_ctx_input");
}

static double lib_run(struct lib *l) {
  double t0 = now_s(), t;
  uint64_t n = 0, before = l->delivered;

  do {
    for (int i = 0; i < 256; i++)
      lib_one(l);
    n += 256;
    t = now_s() - t0;
  } while (t < secs_per_run);
  if (l->delivered - before != n)
    die("delivery");
  return (double)n / t;
}

/* -------------------------------------------------------------- main */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof(*v), cmp_double);
  return v[n / 2];
}

/* One pair of slices, in alternating order so neither always runs on a
 * cache the other just warmed. */
static void bench_pair(struct raw *r, struct lib *l, int i, double *raw,
                       double *lib) {
  if (i % 2 == 0) {
    *raw = raw_run(r);
    *lib = lib_run(l);
  } else {
    *lib = lib_run(l);
    *raw = raw_run(r);
  }
}

static double bench_case(const struct alg *g, size_t inner) {
  double *raw = calloc((size_t)rounds, sizeof(double));
  double *lib = calloc((size_t)rounds, sizeof(double));
  double *ratio = calloc((size_t)rounds, sizeof(double));
  double mr, ml, mq;
  struct raw r;
  struct lib l;

  if (raw == NULL || lib == NULL || ratio == NULL)
    die("memory");
  raw_open(&r, g, inner);
  lib_open(&l, g, inner);
  raw_run(&r); /* warm up */
  lib_run(&l);
  for (int i = 0; i < rounds; i++) {
    bench_pair(&r, &l, i, &raw[i], &lib[i]);
    ratio[i] = lib[i] / raw[i];
  }
  raw_close(&r);
  lib_close(&l);
  mr = median(raw, rounds);
  ml = median(lib, rounds);
  mq = median(ratio, rounds);
  printf("esp %-17s %4zu bytes: raw %9.0f pkt/s  libvtun %9.0f pkt/s  "
         "(%.0f vs %.0f ns per packet)\n",
         g->name, inner, mr, ml, 1e9 / mr, 1e9 / ml);
  fflush(stdout);
  free(raw);
  free(lib);
  free(ratio);
  return mq;
}

int main(int argc, char **argv) {
  double ratio[NALGS][NSIZES] = {{0}};
  const char *only_alg = argc > 3 ? argv[3] : NULL;
  size_t only_size = argc > 4 ? (size_t)atol(argv[4]) : 0;

  if (argc > 1)
    secs_per_run = atof(argv[1]);
  if (argc > 2)
    rounds = atoi(argv[2]);
  if (secs_per_run <= 0 || rounds <= 0) {
    fprintf(stderr, "usage: bench_esp [seconds per slice] [pairs]\n");
    return 2;
  }
  printf("bench esp: encapsulation + decapsulation, median of %d pairs "
         "of %.3f s slices of thread CPU time, %s\n",
         rounds, secs_per_run, OpenSSL_version(OPENSSL_VERSION));
  for (size_t a = 0; a < NALGS; a++)
    for (size_t s = 0; s < NSIZES; s++)
      if ((only_alg == NULL || strcmp(only_alg, algs[a].name) == 0) &&
          (only_size == 0 || only_size == sizes[s]))
        ratio[a][s] = bench_case(&algs[a], sizes[s]);
  for (size_t a = 0; a < NALGS; a++)
    for (size_t s = 0; s < NSIZES; s++)
      if (ratio[a][s] > 0)
        printf("ratio esp %s %zu %.2f\n", algs[a].name, sizes[s], ratio[a][s]);
  return 0;
}
