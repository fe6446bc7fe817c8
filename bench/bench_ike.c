/* IKE SA setups per second in memory through the public API, against the
 * raw OpenSSL cost of the cryptography one setup needs, in the same run.
 *
 * A setup is a whole negotiation between a branch and a headquarters
 * context: IKE_SA_INIT, IKE_AUTH with PSK, both Child SAs installed in the
 * data path, both tunnels UP, then the branch's Delete. The raw bound for
 * one setup is what both ends must compute at least: two DH key pairs,
 * two shared secrets, and the HMAC work of SKEYSEED, the SK_* keys, both
 * AUTH values (made and checked) and the Child SA KEYMAT, done with
 * OpenSSL directly, used well: the X25519 generator, the group 14
 * parameters and HMAC fetched once, and OpenSSL's own re-validation of
 * the peer's public key skipped (the library does the RFC 6989 checks
 * itself), so that the bound is as high as it can honestly be.
 * The ratio achieved/bound is the share of time libvtun spends on that
 * cryptography; the rest is its own work (parsing, state, SAs, hooks).
 *
 * As in bench_esp, raw and libvtun run in alternating short slices timed
 * in the thread's CPU time; the median of the per-pair ratios is printed.
 *
 * usage: bench_ike [seconds per slice (0.05)] [pairs (21)] */
#include <openssl/core_names.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vtun/vtun.h"

#define QMAX 16

struct dgram {
  int to, proto;
  vtun_endpoint local, remote;
  size_t len;
  uint8_t d[2048];
};

static struct dgram queue[QMAX];
static int qhead, qtail;
static vtun_tstamp fake_now = VTUN_SECONDS;

struct end {
  vtun_ctx *ctx;
  vtun_tunnel *t;
  int idx;
};

static struct end ends[2];

static int hook_send(void *ud, vtun_vpn_instance *vrf, int proto,
                     const vtun_endpoint *local, const vtun_endpoint *remote,
                     const uint8_t *data, size_t len) {
  struct end *me = ud;
  struct dgram *g = &queue[qtail % QMAX];

  (void)vrf;
  if (qtail - qhead >= QMAX || len > sizeof(g->d))
    return 0;
  g->to = 1 - me->idx;
  g->proto = proto;
  g->local = *remote;
  g->remote = *local;
  g->len = len;
  memcpy(g->d, data, len);
  qtail++;
  return 0;
}

static vtun_tstamp hook_now(void *ud) {
  (void)ud;
  return fake_now;
}

static void pump(void) {
  while (qhead < qtail) {
    struct dgram *g = &queue[qhead % QMAX];

    qhead++;
    vtun_ctx_input(ends[g->to].ctx, NULL, g->proto, &g->local, &g->remote, g->d,
                   g->len);
  }
}

static const char *const head[2] = {
    "interface GE1\n ip address 10.0.0.2 24\nike proposal 10\n dh ",
    "interface GE1\n ip address 10.0.0.1 24\nike proposal 10\n dh ",
};

static const char *const config[2] = {
    "\nike peer P1\n pre-shared-key bench-secret\n ike-proposal 10\n"
    "ipsec proposal IP1\n"
    "ipsec profile PR1\n ike-peer P1\n proposal IP1\n"
    "interface Tunnel1\n tunnel-protocol ipsec\n source GE1\n"
    " destination 10.0.0.1\n ipsec profile PR1\n",
    "\nike peer P1\n pre-shared-key bench-secret\n ike-proposal 10\n"
    "ipsec proposal IP1\n"
    "ipsec profile PR1\n ike-peer P1\n proposal IP1\n"
    "interface Tunnel1\n tunnel-protocol ipsec\n source GE1\n"
    " ipsec profile PR1\n",
};

static void setup_ends(const char *dh) {
  vtun_hooks h = {.send_datagram = hook_send, .now = hook_now};
  char text[1024];

  for (int i = 1; i >= 0; i--) {
    ends[i].idx = i;
    if (vtun_ctx_new(&ends[i].ctx, &h, NULL, &ends[i]) != 0)
      exit(1);
    snprintf(text, sizeof(text), "%s%s%s", head[i],
             strcmp(dh, "x25519") == 0 ? "group31" : "group14", config[i]);
    if (vtun_config_load(ends[i].ctx, text, strlen(text)) != 0) {
      fprintf(stderr, "config: %s\n", vtun_ctx_last_error(ends[i].ctx));
      exit(1);
    }
    ends[i].t = vtun_tunnel_find(ends[i].ctx, "Tunnel1");
  }
  pump();
}

static void free_ends(void) {
  vtun_ctx_free(ends[0].ctx);
  vtun_ctx_free(ends[1].ctx);
}

/* One IKE SA setup, then the Delete that ends it. */
static void lib_setup(void) {
  vtun_tunnel_set_enabled(ends[0].t, 0);
  pump();
  vtun_tunnel_set_enabled(ends[0].t, 1);
  pump();
  if (vtun_tunnel_get_state(ends[0].t) != VTUN_STATE_UP ||
      vtun_tunnel_get_state(ends[1].t) != VTUN_STATE_UP) {
    fprintf(stderr, "bench_ike: a setup failed\n");
    exit(1);
  }
}

/* ------------------------------------------------------------- raw */

static EVP_PKEY *raw_modp_params;
static EVP_PKEY_CTX *raw_x25519;
static EVP_MAC *raw_mac;

/* Made once: the X25519 key generator, the RFC 3526 group 14 parameters
 * (p and g = 2, which OpenSSL recognises and then gives short private
 * exponents, as for the library), and HMAC. */
static void raw_init(void) {
  EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
  BIGNUM *prime = BN_get_rfc3526_prime_2048(NULL);
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM *p;

  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, prime);
  OSSL_PARAM_BLD_push_uint(bld, OSSL_PKEY_PARAM_FFC_G, 2);
  p = OSSL_PARAM_BLD_to_param(bld);
  if (c == NULL || p == NULL || EVP_PKEY_fromdata_init(c) != 1 ||
      EVP_PKEY_fromdata(c, &raw_modp_params, EVP_PKEY_KEY_PARAMETERS, p) != 1)
    exit(1);
  OSSL_PARAM_free(p);
  OSSL_PARAM_BLD_free(bld);
  BN_free(prime);
  EVP_PKEY_CTX_free(c);
  raw_x25519 = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
  if (raw_x25519 == NULL || EVP_PKEY_keygen_init(raw_x25519) != 1 ||
      (raw_mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
    exit(1);
}

static EVP_PKEY *raw_keygen(const char *dh) {
  EVP_PKEY *k = NULL;
  EVP_PKEY_CTX *c;

  if (strcmp(dh, "x25519") == 0) {
    if (EVP_PKEY_generate(raw_x25519, &k) != 1)
      exit(1);
    return k;
  }
  c = EVP_PKEY_CTX_new_from_pkey(NULL, raw_modp_params, NULL);
  if (c == NULL || EVP_PKEY_keygen_init(c) != 1 ||
      EVP_PKEY_generate(c, &k) != 1)
    exit(1);
  EVP_PKEY_CTX_free(c);
  return k;
}

static size_t raw_derive(EVP_PKEY *mine, EVP_PKEY *peer, uint8_t *out) {
  EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(mine, NULL);
  size_t n = 512;

  EVP_PKEY_derive_init(c);
  EVP_PKEY_derive_set_peer_ex(c, peer, 0);
  EVP_PKEY_derive(c, out, &n);
  EVP_PKEY_CTX_free(c);
  return n;
}

static uint8_t sink;

static void raw_hmac(const uint8_t *key, size_t klen, const uint8_t *d,
                     size_t n) {
  OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0),
                    OSSL_PARAM_construct_end()};
  EVP_MAC_CTX *c = EVP_MAC_CTX_new(raw_mac);
  uint8_t out[32];
  size_t olen = 0;

  if (c == NULL || EVP_MAC_init(c, key, klen, p) != 1 ||
      EVP_MAC_update(c, d, n) != 1 ||
      EVP_MAC_final(c, out, &olen, sizeof(out)) != 1)
    exit(1);
  EVP_MAC_CTX_free(c);
  sink ^= out[0];
}

/* Both ends: SKEYSEED (1), prf+ for 168 bytes of SK_* (6), AUTH made and
 * checked by each end (3 each, twice), KEYMAT of 72 bytes (3): 16 HMACs
 * per end, over inputs the size IKE uses. */
static void raw_prf_work(const uint8_t *secret, size_t slen) {
  uint8_t key[64] = {1}, msg[400] = {2};

  for (int end = 0; end < 2; end++) {
    raw_hmac(key, 64, secret, slen);
    for (int i = 0; i < 6; i++)
      raw_hmac(key, 32, msg, 32 + 64 + 17);
    for (int i = 0; i < 2; i++) {
      raw_hmac(key, 32, msg, 12);
      raw_hmac(msg, 6, msg, 17);
      raw_hmac(key, 32, msg, 400);
    }
    for (int i = 0; i < 3; i++)
      raw_hmac(key, 32, msg, 32 + 64 + 1);
  }
}

static void raw_setup(const char *dh) {
  EVP_PKEY *a = raw_keygen(dh), *b = raw_keygen(dh);
  uint8_t s1[512], s2[512];
  size_t n1 = raw_derive(a, b, s1), n2 = raw_derive(b, a, s2);

  sink ^= (uint8_t)(n1 + n2);
  raw_prf_work(s1, n1);
  EVP_PKEY_free(a);
  EVP_PKEY_free(b);
}

/* ----------------------------------------------------------- timing */

static double cpu_now(void) {
  struct timespec ts;

  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs @p fn for about @p slice seconds; returns runs per second. */
static double slice_rate(void (*fn)(const char *), const char *dh,
                         double slice) {
  double t0 = cpu_now(), t;
  unsigned n = 0;

  do {
    fn(dh);
    n++;
  } while ((t = cpu_now() - t0) < slice);
  return n / t;
}

static void lib_setup_dh(const char *dh) {
  (void)dh;
  lib_setup();
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static void bench_group(const char *dh, double slice, int pairs,
                        double *ratio) {
  double *r = calloc((size_t)pairs, sizeof(double));
  double *lr = calloc((size_t)pairs, sizeof(double));
  double *rr = calloc((size_t)pairs, sizeof(double));

  setup_ends(dh);
  lib_setup();
  for (int i = 0; i < pairs; i++) {
    rr[i] = slice_rate(raw_setup, dh, slice);
    lr[i] = slice_rate(lib_setup_dh, dh, slice);
    r[i] = lr[i] / rr[i];
  }
  qsort(r, (size_t)pairs, sizeof(double), cmp_double);
  qsort(lr, (size_t)pairs, sizeof(double), cmp_double);
  qsort(rr, (size_t)pairs, sizeof(double), cmp_double);
  printf("ike-setup %-9s libvtun %8.0f setups/s  raw crypto bound %8.0f/s"
         "  ratio %.3f\n",
         dh, lr[pairs / 2], rr[pairs / 2], r[pairs / 2]);
  *ratio = r[pairs / 2];
  free_ends();
  free(r);
  free(lr);
  free(rr);
}

int main(int argc, char **argv) {
  double slice = argc > 1 ? atof(argv[1]) : 0.05;
  int pairs = argc > 2 ? atoi(argv[2]) : 21;
  double rx = 0, rm = 0;

  if (slice <= 0 || pairs <= 0)
    return 2;
  raw_init();
  bench_group("x25519", slice, pairs, &rx);
  bench_group("modp2048", slice, pairs, &rm);
  printf("ratio ike-setup x25519 %.3f\n", rx);
  printf("ratio ike-setup modp2048 %.3f\n", rm);
  return 0;
}
