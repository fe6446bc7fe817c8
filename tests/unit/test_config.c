/* The configuration text: every command, the example files, refusals with
 * their line and column, all-or-nothing loads, the round trip through the
 * dump, quoting of keys, line ends and comments, and the display views. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/load.h"
#include "vtun/vtun.h"

/* ------------------------------------------------------------- helpers */

static vtun_ctx *ctx_new(void) {
  vtun_ctx *ctx;

  assert_int_equal(vtun_ctx_new(&ctx, NULL, NULL, NULL), 0);
  return ctx;
}

/* The name of a code, never NULL (for messages). */
static const char *err_name(int code) {
  const char *name = vtun_err_name(code);

  return name != NULL ? name : "?";
}

static int load(vtun_ctx *ctx, const char *text) {
  return vtun_config_load(ctx, text, strlen(text));
}

#define assert_loads(ctx, text)                                                \
  do {                                                                         \
    int rv_ = load((ctx), (text));                                             \
    if (rv_ != 0)                                                              \
      fail_msg("load returned %s: %s", err_name(rv_),                          \
               vtun_ctx_last_error(ctx));                                      \
  } while (0)

/* The dump in a new string (free it). */
static char *dump(vtun_ctx *ctx, unsigned flags) {
  vtun_ssize n = vtun_config_dump(ctx, flags, NULL, 0);
  char *buf;

  assert_true(n > 0);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(vtun_config_dump(ctx, flags, buf, (size_t)n + 1), n);
  assert_int_equal(strlen(buf), (size_t)n);
  return buf;
}

/* Loads the dump with secrets of @p ctx into a fresh context and checks
 * that its dump is the same text. */
static void assert_round_trip(vtun_ctx *ctx) {
  char *first = dump(ctx, VTUN_DUMP_SECRETS), *second;
  vtun_ctx *copy = ctx_new();

  assert_loads(copy, first);
  second = dump(copy, VTUN_DUMP_SECRETS);
  assert_string_equal(first, second);
  free(first);
  free(second);
  vtun_ctx_free(copy);
}

static void assert_contains(const char *hay, const char *needle) {
  assert_non_null(hay);
  assert_non_null(needle);
  if (strstr(hay, needle) == NULL)
    fail_msg("'%s' not found in:\n%s", needle, hay);
}

static void assert_lacks(const char *hay, const char *needle) {
  assert_non_null(hay);
  assert_non_null(needle);
  if (strstr(hay, needle) != NULL)
    fail_msg("'%s' found in:\n%s", needle, hay);
}

/* Loading @p text into @p ctx fails with @p code, the message starts with
 * "line N," and contains @p needle, and the configuration is unchanged. */
static void assert_refused_at(vtun_ctx *ctx, const char *text, int code,
                              unsigned line, const char *needle) {
  assert_non_null(text);
  char *before = dump(ctx, VTUN_DUMP_SECRETS), *after, prefix[32];
  int rv = load(ctx, text);
  const char *msg = vtun_ctx_last_error(ctx);

  if (rv != code)
    fail_msg("'%s': load returned %s, expected %s: %s", text, err_name(rv),
             err_name(code), msg);
  snprintf(prefix, sizeof(prefix), "line %u, column ", line);
  if (strncmp(msg, prefix, strlen(prefix)) != 0)
    fail_msg("'%s': message '%s' does not start with '%s'", text, msg, prefix);
  assert_contains(msg, needle);
  after = dump(ctx, VTUN_DUMP_SECRETS);
  assert_string_equal(before, after);
  free(before);
  free(after);
}

/* From the program: BUILD/tests/unit/test_config, BUILD in the source. */
static FILE *open_near_exe(const char *name) {
  char exe[512], path[1024];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  char *slash;

  if (n <= 0)
    return NULL;
  exe[n] = '\0';
  if ((slash = strrchr(exe, '/')) != NULL)
    *slash = '\0';
  snprintf(path, sizeof(path), "%s/../../../examples/configs/%s", exe, name);
  return fopen(path, "rb");
}

/* Opens examples/configs/@p name: relative to this file as the compiler
 * saw it (meson runs tests in the build directory), or from the source
 * root or a build directory in it. */
static FILE *open_example(const char *name) {
  const char *slash = strrchr(__FILE__, '/');
  int dir = slash != NULL ? (int)(slash - __FILE__) : 0;
  char path[1024];
  FILE *f;

  snprintf(path, sizeof(path), "%.*s/../../examples/configs/%s", dir, __FILE__,
           name);
  if (dir > 0 && (f = fopen(path, "rb")) != NULL)
    return f;
  snprintf(path, sizeof(path), "examples/configs/%s", name);
  if ((f = fopen(path, "rb")) != NULL)
    return f;
  snprintf(path, sizeof(path), "../examples/configs/%s", name);
  if ((f = fopen(path, "rb")) != NULL)
    return f;
  return open_near_exe(name);
}

static char *read_example(const char *name) {
  FILE *f = open_example(name);
  char *buf;
  long n;

  if (f == NULL)
    fail_msg("cannot find examples/configs/%s", name);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = calloc(1, (size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  return buf;
}

/* A base that the single-command tests build on. */
static const char base[] = "interface GE1\n"
                           " ip address 192.0.2.1 255.255.255.0\n"
                           "#\n"
                           "interface GE2\n"
                           " ip address 192.0.2.99 24\n"
                           "#\n"
                           "ip vpn-instance VPN1\n"
                           "#\n"
                           "vsys name V1\n"
                           "#\n"
                           "ike proposal 10\n"
                           "#\n"
                           "ip pool pool1\n"
                           " network 203.0.113.0 mask 255.255.255.0\n"
                           "#\n"
                           "ike peer p1\n"
                           " pre-shared-key k1\n"
                           " ike-proposal 10\n"
                           "#\n"
                           "ipsec proposal prop1\n"
                           "#\n"
                           "ipsec profile prof1\n"
                           " ike-peer p1\n"
                           " proposal prop1\n"
                           "#\n"
                           "interface Tunnel1\n"
                           " tunnel-protocol ipsec\n"
                           " source GE1\n"
                           "#\n";

/* ------------------------------------------------------ every command */

struct cmd_case {
  const char *text;   /* loaded after the base */
  const char *expect; /* a line of the dump it leads to */
};

static const struct cmd_case cmd_cases[] = {
    {"sysname HQ\n", "return\n"},
    {"ike legacy-algorithms enable\n", "ike legacy-algorithms enable\n"},
    {"vsys name V2\n", "vsys name V2\n"},
    {"ip vpn-instance VPN2\n", "ip vpn-instance VPN2\n"},
    {"interface GE3\n", "interface GE3\n"},
    {"interface GE3\n portswitch\n", "interface GE3\n portswitch\n"},
    {"interface GE3\n ip address 10.0.0.1/8\n",
     " ip address 10.0.0.1 255.0.0.0\n"},
    {"interface GE3\n ipv6 address 2001:db8::1/64\n",
     " ipv6 address 2001:db8::1/64\n"},
    {"interface GE3\n ipv6 address 2001:db8::1 64\n",
     " ipv6 address 2001:db8::1/64\n"},
    {"ike proposal 20\n authentication-method pre-share\n",
     "ike proposal 20\n#\n"},
    {"ike proposal 20\n encryption-algorithm aes-256\n"
     " authentication-algorithm sha2-512\n",
     " encryption-algorithm aes-256\n authentication-algorithm sha2-512\n"},
    {"ike proposal 20\n encryption-algorithm chacha20-poly1305\n",
     " encryption-algorithm chacha20-poly1305\n"},
    {"ike proposal 20\n integrity-algorithm hmac-sha2-512\n",
     " integrity-algorithm hmac-sha2-512\n"},
    {"ike proposal 20\n dh group14\n", " dh group14\n"},
    {"ike proposal 20\n dh dh-group20\n", " dh group20\n"},
    {"ike proposal 20\n sa duration 3600\n", " sa duration 3600\n"},
    {"ip pool pool2\n network 198.51.100.0/24\n section 0 198.51.100.10 "
     "198.51.100.20\n section 1 198.51.100.30 198.51.100.40\n",
     " network 198.51.100.0 mask 255.255.255.0\n"
     " section 0 198.51.100.10 198.51.100.20\n"
     " section 1 198.51.100.30 198.51.100.40\n"},
    {"ip pool pool2\n network 198.51.100.0 255.255.255.128\n",
     " network 198.51.100.0 mask 255.255.255.128\n"},
    {"ike peer p1\n version 1\n", " version 1\n"},
    {"ike peer p1\n version 1\n undo version 2\n",
     " version 1\n undo version 2\n"},
    {"ike peer p1\n exchange-mode aggressive\n", " exchange-mode aggressive\n"},
    {"ike proposal 11\n#\nike peer p1\n ike-proposal 11\n",
     " ike-proposal 10\n ike-proposal 11\n"},
    {"ike peer p1\n local-id-type fqdn\n local-id hq.example.net\n",
     " local-id-type fqdn\n local-id hq.example.net\n"},
    {"ike peer p1\n local-id 192.0.2.1\n", " local-id 192.0.2.1\n"},
    {"ike peer p1\n remote-id-type user-fqdn\n remote-id a@example.net\n",
     " remote-id-type user-fqdn\n remote-id a@example.net\n"},
    {"ike peer p1\n remote-id-type key-id\n remote-id \"key one\"\n",
     " remote-id-type key-id\n remote-id \"key one\"\n"},
    {"ike peer p1\n remote-id-type ip\n remote-id 198.51.100.7\n",
     " remote-id-type ip\n remote-id 198.51.100.7\n"},
    {"ike peer p1\n remote-address 198.51.100.1\n remote-address "
     "2001:db8::2\n",
     " remote-address 198.51.100.1\n remote-address 2001:db8::2\n"},
    {"ike peer p1\n dpd type on-demand\n", " dpd type on-demand\n"},
    {"ike peer p1\n dpd type none\n", " dpd type none\n"},
    {"ike peer p1\n dpd idle-time 60\n", " dpd idle-time 60\n"},
    {"ike peer p1\n dpd retransmit-interval 5\n",
     " dpd retransmit-interval 5\n"},
    {"ike peer p1\n dpd retry-limit 5\n", " dpd retry-limit 5\n"},
    {"ike peer p1\n undo nat traversal\n", " undo nat traversal\n"},
    {"ike peer p1\n ip-pool pool1\n", " ip-pool pool1\n"},
    {"ike peer p1\n ikev2 peer-id-match enable\n",
     " ikev2 peer-id-match enable\n"},
    {"ike peer p1\n pre-shared-key \"a b\"\n", " pre-shared-key ******\n"},
    {"ike peer p1\n pre-shared-key derived m4ster\n",
     " pre-shared-key derived ******\n"},
    {"ipsec proposal prop1\n transform esp\n", "ipsec proposal prop1\n#\n"},
    {"ipsec proposal prop1\n esp encryption-algorithm aes-gcm-128\n",
     " esp encryption-algorithm aes-gcm-128\n"},
    {"ipsec proposal prop1\n esp authentication-algorithm sha2-512\n",
     " esp authentication-algorithm sha2-512\n"},
    {"ipsec proposal prop1\n encapsulation-mode tunnel\n",
     "ipsec proposal prop1\n#\n"},
    {"ipsec profile prof1\n pfs dh-group14\n", " pfs dh-group14\n"},
    {"ipsec profile prof1\n pfs group19\n", " pfs dh-group19\n"},
    {"ipsec profile prof1\n sa duration time-based 7200\n",
     " sa duration time-based 7200\n"},
    {"ipsec profile prof1\n sa duration traffic-based 4000000\n",
     " sa duration traffic-based 4000000\n"},
    {"ipsec profile prof1\n anti-replay window 4096\n",
     " anti-replay window 4096\n"},
    {"ipsec profile prof1\n anti-replay window 0\n", " anti-replay window 0\n"},
    {"ipsec profile prof1\n esn enable\n", " esn enable\n"},
    {"interface Tunnel1\n tunnel-protocol gre\n", " tunnel-protocol gre\n"},
    {"interface Tunnel1\n ip address 10.1.1.1 255.255.255.0\n",
     " ip address 10.1.1.1 255.255.255.0\n"},
    {"interface Tunnel1\n ip address 10.1.1.1/30\n",
     " ip address 10.1.1.1 255.255.255.252\n"},
    {"interface Tunnel1\n ipv6 address 2001:db8:1::1/64\n",
     " ipv6 address 2001:db8:1::1/64\n"},
    {"interface Tunnel1\n ip address unnumbered interface GE1\n",
     " ip address unnumbered interface GE1\n"},
    {"interface Tunnel1\n ip address ike-negotiated\n",
     " ip address ike-negotiated\n"},
    {"interface Tunnel1\n source 192.0.2.1\n", " source 192.0.2.1\n"},
    {"interface Tunnel1\n source GE2\n", " source GE2\n"},
    {"interface Tunnel1\n destination 198.51.100.1\n",
     " destination 198.51.100.1\n"},
    {"interface Tunnel1\n destination vpn-instance VPN1 198.51.100.1\n",
     " destination vpn-instance VPN1 198.51.100.1\n"},
    {"interface Tunnel1\n ipsec profile prof1\n", " ipsec profile prof1\n"},
    {"interface Tunnel1\n assign vsys V1\n", " assign vsys V1\n"},
    {"interface Tunnel1\n gre key 1234\n", " gre key 1234\n"},
    {"interface Tunnel1\n gre sequence\n", " gre sequence\n"},
    {"interface Tunnel1\n keepalive period 5 retry-times 3\n",
     " keepalive period 5 retry-times 3\n"},
    {"interface Tunnel1\n keepalive period 10\n", " keepalive period 10 "},
    {"interface Tunnel1\n mtu 1300\n", " mtu 1300\n"},
    {"interface Tunnel1\n shutdown\n", " shutdown\n"},
    {"interface Tunnel1\n negotiate on-demand\n", " negotiate on-demand\n"},
    {"interface Tunnel 7\n", "interface Tunnel7\n"},
    {"INTERFACE Tunnel1\n MTU 1280\n", " mtu 1280\n"},
    {"switch vsys V1\nike proposal 10\n#\nike peer pv\n ike-proposal 10\n"
     "#\nipsec proposal xv\n#\nipsec profile fv\n ike-peer pv\n"
     " proposal xv\n#\nip pool qv\n network 10.0.0.0/8\n#\n"
     "switch vsys root\n",
     "switch vsys V1\nike proposal 10\n"},
};

static void test_every_command(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(cmd_cases) / sizeof(cmd_cases[0]); i++) {
    vtun_ctx *ctx = ctx_new();
    char *text;

    assert_loads(ctx, base);
    if (load(ctx, cmd_cases[i].text) != 0)
      fail_msg("case %zu '%s': %s", i, cmd_cases[i].text,
               vtun_ctx_last_error(ctx));
    text = dump(ctx, 0);
    if (strstr(text, cmd_cases[i].expect) == NULL)
      fail_msg("case %zu: '%s' not in:\n%s", i, cmd_cases[i].expect, text);
    free(text);
    assert_round_trip(ctx);
    vtun_ctx_free(ctx);
  }
}

/* Each undo brings the dump back to the base. */
static const char *const undo_cases[] = {
    "undo sysname\n",
    "ike legacy-algorithms enable\nundo ike legacy-algorithms enable\n",
    "vsys name V2\nundo vsys name V2\n",
    "ip vpn-instance VPN2\nundo ip vpn-instance VPN2\n",
    "interface GE3\n#\nundo interface GE3\n",
    "interface Tunnel9\n#\nundo interface Tunnel9\n",
    "interface GE2\n portswitch\n undo portswitch\n",
    "interface GE2\n ipv6 address 2001:db8::1/64\n undo ipv6 address\n",
    "ike proposal 20\n#\nundo ike proposal 20\n",
    "ike proposal 10\n encryption-algorithm aes-128\n"
    " authentication-algorithm sha1\n undo encryption-algorithm\n",
    "ike proposal 10\n dh group14\n undo dh\n",
    "ike proposal 10\n integrity-algorithm hmac-sha1\n"
    " undo integrity-algorithm\n",
    "ike proposal 10\n sa duration 600\n undo sa duration\n",
    "ike peer p1\n version 1\n undo version 1\n",
    "ike peer p1\n exchange-mode aggressive\n undo exchange-mode\n",
    "ike proposal 11\n#\nike peer p1\n ike-proposal 11\n"
    " undo ike-proposal 11\n#\nundo ike proposal 11\n",
    "ike peer p1\n local-id-type fqdn\n local-id a.example\n"
    " undo local-id-type\n",
    "ike peer p1\n remote-id-type fqdn\n remote-id a.example\n"
    " undo remote-id-type\n",
    "ike peer p1\n remote-address 198.51.100.1\n"
    " undo remote-address 198.51.100.1\n",
    "ike peer p1\n dpd type on-demand\n dpd idle-time 100\n"
    " dpd retransmit-interval 3\n dpd retry-limit 9\n undo dpd type\n"
    " undo dpd idle-time\n undo dpd retransmit-interval\n"
    " undo dpd retry-limit\n",
    "ike peer p1\n undo nat traversal\n nat traversal\n",
    "ike peer p1\n ip-pool pool1\n undo ip-pool\n",
    "ike peer p1\n ikev2 peer-id-match enable\n"
    " undo ikev2 peer-id-match enable\n",
    "ip pool pool1\n section 0 203.0.113.1 203.0.113.9\n"
    " undo section 0\n",
    "ipsec proposal prop1\n esp encryption-algorithm aes-128\n"
    " undo esp encryption-algorithm\n",
    "ipsec proposal prop1\n esp authentication-algorithm sha1\n"
    " undo esp authentication-algorithm\n",
    "ipsec proposal prop1\n encapsulation-mode tunnel\n"
    " undo encapsulation-mode\n",
    "ipsec profile prof1\n undo ike-peer\n ike-peer p1\n",
    "ipsec profile prof1\n undo proposal\n proposal prop1\n",
    "ipsec profile prof1\n pfs dh-group14\n undo pfs\n",
    "ipsec profile prof1\n sa duration time-based 60\n"
    " sa duration traffic-based 9999\n undo sa duration time-based\n"
    " undo sa duration traffic-based\n",
    "ipsec profile prof1\n anti-replay window 64\n undo anti-replay window\n",
    "ipsec profile prof1\n esn enable\n undo esn enable\n",
    "interface Tunnel1\n tunnel-protocol gre\n tunnel-protocol ipsec\n",
    "interface Tunnel1\n ip address 10.1.1.1 24\n undo ip address\n",
    "interface Tunnel1\n ip address ike-negotiated\n"
    " undo ip address ike-negotiated\n",
    "interface Tunnel1\n source GE2\n source GE1\n",
    "interface Tunnel1\n destination 198.51.100.1\n undo destination\n",
    "interface Tunnel1\n ipsec profile prof1\n undo ipsec profile\n",
    "interface Tunnel1\n assign vsys V1\n undo assign vsys\n",
    "interface Tunnel1\n gre key 7\n undo gre key\n",
    "interface Tunnel1\n gre sequence\n undo gre sequence\n",
    "interface Tunnel1\n keepalive period 3 retry-times 2\n"
    " undo keepalive\n",
    "interface Tunnel1\n mtu 1300\n undo mtu\n",
    "interface Tunnel1\n shutdown\n undo shutdown\n",
    "interface Tunnel1\n negotiate on-demand\n undo negotiate on-demand\n",
};

static void test_undo(void **state) {
  vtun_ctx *ctx = ctx_new();
  char *ref;

  (void)state;
  assert_loads(ctx, base);
  ref = dump(ctx, VTUN_DUMP_SECRETS);
  for (size_t i = 0; i < sizeof(undo_cases) / sizeof(undo_cases[0]); i++) {
    char *now;

    if (load(ctx, undo_cases[i]) != 0)
      fail_msg("case %zu '%s': %s", i, undo_cases[i], vtun_ctx_last_error(ctx));
    now = dump(ctx, VTUN_DUMP_SECRETS);
    if (strcmp(ref, now) != 0)
      fail_msg("case %zu '%s' left:\n%s", i, undo_cases[i], now);
    free(now);
  }
  free(ref);
  vtun_ctx_free(ctx);
}

/* --------------------------------------------------------- the examples */

static void test_examples(void **state) {
  static const char *const files[] = {"hq.conf", "branch1.conf", "branch2.conf",
                                      "gre.conf"};

  (void)state;
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    vtun_ctx *ctx = ctx_new();
    char *text = read_example(files[i]);

    if (load(ctx, text) != 0)
      fail_msg("%s: %s", files[i], vtun_ctx_last_error(ctx));
    assert_round_trip(ctx);

    /* Loading the same file again changes nothing. */
    char *before = dump(ctx, VTUN_DUMP_SECRETS), *after;

    assert_loads(ctx, text);
    after = dump(ctx, VTUN_DUMP_SECRETS);
    assert_string_equal(before, after);
    free(before);
    free(after);
    free(text);
    vtun_ctx_free(ctx);
  }
}

/* HQ: the two tunnels share one address and are told apart. */
static void test_example_hq_matching(void **state) {
  vtun_ctx *ctx = ctx_new();
  char *text = read_example("hq.conf");
  vtun_tunnel *t = NULL;

  (void)state;
  assert_loads(ctx, text);
  assert_int_equal(vtun_ctx_match(ctx, NULL, "192.0.2.1", "198.51.100.2",
                                  VTUN_MATCH_IKEV2, VTUN_ID_NONE, NULL, &t),
                   0);
  assert_string_equal(vtun_tunnel_get_name(t), "Tunnel1");
  assert_int_equal(vtun_ctx_match(ctx, NULL, "192.0.2.1", "203.0.113.77",
                                  VTUN_MATCH_IKEV2, VTUN_ID_FQDN,
                                  "branch2.example.net", &t),
                   0);
  assert_string_equal(vtun_tunnel_get_name(t), "Tunnel2");
  free(text);
  vtun_ctx_free(ctx);
}

/* ------------------------------------------------------------- refusals */

struct bad_case {
  const char *text;
  int code;
  unsigned line;
  const char *needle;
};

static const struct bad_case bad_cases[] = {
    {"frobnicate\n", VTUN_ESYNTAX, 1, "'frobnicate'"},
    {"#\ninterface Tunnel1\n ip adress 10.0.0.1 24\n", VTUN_ESYNTAX, 3,
     "'adress'"},
    {"interface Tunnel1\n mtu\n", VTUN_ESYNTAX, 2, "needs"},
    {"interface Tunnel1\n mtu 1400 1500\n", VTUN_ESYNTAX, 2, "'1500'"},
    {"interface Tunnel1\n mtu big\n", VTUN_ESYNTAX, 2, "'big'"},
    {"interface Tunnel1\n mtu 99999999999\n", VTUN_ESYNTAX, 2, "too large"},
    {"interface Tunnel1\n tunnel-protocol mpls\n", VTUN_ESYNTAX, 2,
     "'mpls' is not one of: ipsec, gre"},
    {"interface Tunnel1\n ip address 10.0.0.300 24\n", VTUN_ESYNTAX, 2,
     "'10.0.0.300'"},
    {"interface Tunnel1\n ip address 10.0.0.1 255.0.255.0\n", VTUN_ESYNTAX, 2,
     "contiguous"},
    {"interface Tunnel1\n ip address 10.0.0.1/33\n", VTUN_ESYNTAX, 2,
     "prefix length"},
    {"interface Tunnel1\n source GE9\n", VTUN_ENOENT, 2, "GE9"},
    {"ike proposal 10\n encryption-algorithm rot13\n", VTUN_ESYNTAX, 2,
     "'rot13'"},
    {"ike proposal 10\n dh group99\n", VTUN_ESYNTAX, 2, "'group99'"},
    {"ike proposal 100\n", VTUN_EINVAL, 1, "1-99"},
    {"ike peer p1\n ike-proposal 42\n", VTUN_ENOENT, 2,
     "ike proposal 42 does not exist"},
    {"ike peer p1\n local-id-type fqdn\n#\n", VTUN_ESYNTAX, 2,
     "local-id-type fqdn needs a local-id"},
    {"ike peer p1\n remote-id x\n", VTUN_ESYNTAX, 2, "remote-id-type"},
    {"ike peer p1\n pre-shared-key ******\n", VTUN_ESYNTAX, 2, "masked"},
    {"ike peer p1\n pre-shared-key two words\n", VTUN_ESYNTAX, 2, "quoted"},
    {"ike peer p1\n pre-shared-key \"open\n", VTUN_ESYNTAX, 2, "unterminated"},
    {"ike peer p1\n pre-shared-key \"a\\qb\"\n", VTUN_ESYNTAX, 2,
     "unknown escape"},
    {"ike peer p1\n undo pre-shared-key\n", VTUN_ENOTSUP, 2, "removed"},
    {"undo\n", VTUN_ESYNTAX, 1, "undo"},
    {"switch vsys V9\n", VTUN_ENOENT, 1, "V9"},
    {"vsys name V1\nswitch vsys V1\ninterface GE4\n", VTUN_ESYNTAX, 3,
     "root system"},
    {"ipsec proposal x\n transform ah\n", VTUN_ENOTSUP, 2, "esp"},
    {"ipsec proposal x\n encapsulation-mode transport\n", VTUN_ENOTSUP, 2,
     "transport"},
    {"ip pool q\n section 0 10.0.0.1 10.0.0.2\n", VTUN_ESTATE, 2, "network"},
    {"ip pool q\n network 10.0.0.0/24\n section 1 10.0.0.1 10.0.0.2\n",
     VTUN_ENOENT, 3, "section 1"},
    {"interface Tunnel1\n keepalive\n", VTUN_ESYNTAX, 2, "period"},
    {"interface Tunnel1\n keepalive period 5 retries 3\n", VTUN_ESYNTAX, 2,
     "'retries'"},
    {"interface Tunnel1\n ipsec profile nope\n", VTUN_ENOENT, 2, "nope"},
    {"interface Tunnel1\n destination vpn-instance VPN9 1.2.3.4\n", VTUN_ENOENT,
     2, "VPN9"},
    {"interface Tunnel1\n a b c d e f g h i j k l m n o p q\n", VTUN_ESYNTAX, 2,
     "16 words"},
    {"interface Tunnel1\n mtu 1400\"x\"\n", VTUN_ESYNTAX, 2, "quote"},
    /* Rules, with the core's message. */
    {"ipsec profile prof2\n ike-peer p1\n proposal prop1\n#\n"
     "interface Tunnel1\n ipsec profile prof1\n ipsec profile prof2\n",
     VTUN_ER1_PROFILE_BINDING, 7, "R1"},
    {"interface Tunnel2\n ipsec profile prof1\n#\n"
     "interface Tunnel1\n ipsec profile prof1\n",
     VTUN_ER1_PROFILE_BINDING, 5, "R1"},
    {"ipsec profile prof3\n ike-peer ghost\n proposal prop1\n#\n"
     "interface Tunnel1\n ipsec profile prof3\n",
     VTUN_ER2_PROFILE_INCOMPLETE, 6, "R2"},
    {"interface Tunnel1\n tunnel-protocol gre\n"
     " destination vpn-instance VPN1 198.51.100.1\n",
     VTUN_ER3_VPN_INSTANCE_MODE, 3, "R3"},
    {"interface Tunnel1\n destination vpn-instance VPN1 198.51.100.1\n"
     " tunnel-protocol gre\n",
     VTUN_ER3_VPN_INSTANCE_MODE, 3, "R3"},
    {"interface GE1\n portswitch\n", VTUN_ER4_SOURCE_LAYER, 2, "R4"},
    {"ike peer p1\n remote-address 198.51.100.1\n#\n"
     "interface Tunnel1\n destination 198.51.100.2\n ipsec profile prof1\n",
     VTUN_ER6_DESTINATION_MISMATCH, 6, "R6"},
    {"ike peer p1\n remote-address 198.51.100.1\n"
     " remote-address 198.51.100.3\n#\n"
     "interface Tunnel1\n ipsec profile prof1\n destination 198.51.100.1\n",
     VTUN_ER7_MULTIPLE_REMOTES, 7, "R7"},
    {"switch vsys V1\nipsec profile pv\n#\nswitch vsys root\n"
     "interface Tunnel1\n ipsec profile prof1\n assign vsys V1\n",
     VTUN_ER8_VSYS_PROFILE, 7, "R8"},
    {"ike peer p1\n version 1\n undo version 2\n#\n"
     "interface Tunnel1\n ipsec profile prof1\n ip address ike-negotiated\n",
     VTUN_ER9_NEGOTIATED_ADDRESS, 7, "R9"},
    {"ike peer p1\n undo version 2\n", VTUN_EINVAL, 2, "version"},
    {"ipsec proposal prop1\n esp encryption-algorithm aes-gcm-256\n"
     " esp authentication-algorithm sha2-256\n",
     VTUN_ER11_INTEGRITY, 3, "R11"},
    {"ike peer p1\n dpd idle-time 5\n", VTUN_ER12_RANGE, 2, "R12"},
    {"ipsec profile prof1\n anti-replay window 33\n", VTUN_ER12_RANGE, 2,
     "R12"},
    {"interface Tunnel1\n mtu 100\n", VTUN_ER12_RANGE, 2, "R12"},
    {"ike proposal 10\n encryption-algorithm des\n", VTUN_ER14_LEGACY_ALGORITHM,
     2, "R14"},
    {"ike proposal 10\n dh group1\n", VTUN_ER14_LEGACY_ALGORITHM, 2, "R14"},
    {"ipsec proposal prop1\n esp authentication-algorithm md5\n",
     VTUN_ER14_LEGACY_ALGORITHM, 2, "R14"},
    /* Found at commit: the line is the last one. */
    {"interface Tunnel1\n ip address unnumbered interface GE1\n"
     " ipsec profile prof1\n#\n"
     "ike peer p2\n ike-proposal 10\n#\n"
     "ipsec profile prof2\n ike-peer p2\n proposal prop1\n#\n"
     "interface Tunnel2\n tunnel-protocol ipsec\n"
     " ip address unnumbered interface GE1\n source GE1\n"
     " ipsec profile prof2\n#\n",
     VTUN_ER13_AMBIGUOUS, 17, "R13"},
    {"ipsec proposal prop1\n esp encryption-algorithm aes-gcm-256\n"
     " esp encryption-algorithm aes-128\n#\n"
     "interface Tunnel1\n ipsec profile prof1\n",
     VTUN_ER11_INTEGRITY, 6, "R11"},
};

static void test_refusals(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
    vtun_ctx *ctx = ctx_new();

    assert_loads(ctx, base);
    assert_refused_at(ctx, bad_cases[i].text, bad_cases[i].code,
                      bad_cases[i].line, bad_cases[i].needle);
    vtun_ctx_free(ctx);
  }
}

/* A refusal names the column of the word at fault. */
static void test_column(void **state) {
  vtun_ctx *ctx = ctx_new();

  (void)state;
  assert_int_equal(load(ctx, "interface Tunnel1\n  mtu   lots\n"),
                   VTUN_ESYNTAX);
  assert_contains(vtun_ctx_last_error(ctx), "line 2, column 9:");
  assert_int_equal(load(ctx, "interface Tunnel1\n ip  frob\n"), VTUN_ESYNTAX);
  assert_contains(vtun_ctx_last_error(ctx), "line 2, column 6:");
  vtun_ctx_free(ctx);
}

/* Nothing of a refused file stays, even objects made before the fault. */
static void test_all_or_nothing(void **state) {
  vtun_ctx *ctx = ctx_new();

  (void)state;
  assert_loads(ctx, base);
  assert_refused_at(ctx,
                    "interface Tunnel5\n tunnel-protocol gre\n#\n"
                    "ike peer new\n pre-shared-key x\n#\n"
                    "vsys name V7\n#\nbogus line\n",
                    VTUN_ESYNTAX, 9, "'bogus'");
  assert_null(vtun_tunnel_find(ctx, "Tunnel5"));
  assert_null(vtun_vsys_find(ctx, "V7"));
  vtun_ctx_free(ctx);
}

/* -------------------------------------------------------------- input */

static void test_psk_quoting(void **state) {
  static const char *const keys[] = {
      "plain", "with space", "quote\"inside", "back\\slash",
      "#hash", "******",     "tab\there",     "\xc3\xa9t\xc3\xa9",
  };
  vtun_ctx *ctx = ctx_new();
  uint8_t got[300];

  (void)state;
  assert_loads(ctx, base);
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    vtun_ike_peer *p = vtun_ike_peer_find(ctx, NULL, "p1");
    char *text;

    assert_int_equal(
        vtun_ike_peer_set_psk(p, (const uint8_t *)keys[i], strlen(keys[i])), 0);
    assert_round_trip(ctx);
    text = dump(ctx, 0);
    assert_contains(text, " pre-shared-key ******\n");
    assert_lacks(text, keys[i][0] == '*' ? "\"******\"" : keys[i]);
    free(text);
  }

  /* Escapes in the text, including a NUL byte. */
  assert_loads(ctx, "ike peer p1\n pre-shared-key \"a\\\"b\\\\c\\x00d\"\n");
  vtun_ike_peer *p = vtun_ike_peer_find(ctx, NULL, "p1");
  assert_int_equal(vtun_ike_peer_get_psk(p, got, sizeof(got)), 7);
  assert_memory_equal(got, "a\"b\\c\0d", 7);
  assert_round_trip(ctx);

  /* A master secret, and a plain key that reads like its keyword. */
  assert_loads(ctx, "ike peer p1\n pre-shared-key derived m4ster\n");
  assert_int_equal(vtun_ike_peer_get_psk_derived(p), 1);
  assert_round_trip(ctx);
  assert_loads(ctx, "ike peer p1\n pre-shared-key \"derived\"\n");
  assert_int_equal(vtun_ike_peer_get_psk_derived(p), 0);
  assert_int_equal(vtun_ike_peer_get_psk(p, got, sizeof(got)), 7);
  assert_round_trip(ctx);
  vtun_ctx_free(ctx);
}

/* No key text ever shows in a refusal message. */
static void test_psk_not_echoed(void **state) {
  vtun_ctx *ctx = ctx_new();

  (void)state;
  assert_loads(ctx, base);
  assert_int_equal(load(ctx, "ike peer p1\n pre-shared-key TopSecret x\n"),
                   VTUN_ESYNTAX);
  assert_lacks(vtun_ctx_last_error(ctx), "TopSecret");
  assert_int_equal(load(ctx, "ike peer p1\n pre-shared-key \"\"\n"),
                   VTUN_EINVAL);
  vtun_ctx_free(ctx);
}

static void test_crlf_and_comments(void **state) {
  static const char lf[] = "# a comment\n"
                           "interface GE1\n"
                           " # a comment inside a view does not leave it\n"
                           " ip address 192.0.2.1 24\n"
                           "\n"
                           "   \t\n"
                           "#\n"
                           "interface Tunnel1\n"
                           "\ttunnel-protocol gre\n"
                           "\tdestination 198.51.100.1\n"
                           "return";
  char crlf[sizeof(lf) * 2];
  size_t n = 0;
  vtun_ctx *a = ctx_new(), *b = ctx_new();
  char *da, *db;

  (void)state;
  for (const char *s = lf; *s; s++) {
    if (*s == '\n')
      crlf[n++] = '\r';
    crlf[n++] = *s;
  }
  assert_loads(a, lf);
  assert_int_equal(vtun_config_load(b, crlf, n), 0);
  da = dump(a, 0);
  db = dump(b, 0);
  assert_string_equal(da, db);
  assert_contains(da, " tunnel-protocol gre\n destination 198.51.100.1\n");
  free(da);
  free(db);
  vtun_ctx_free(a);
  vtun_ctx_free(b);
}

/* A lone `#` ends the view: a tunnel command after it is unknown. */
static void test_separator_ends_view(void **state) {
  vtun_ctx *ctx = ctx_new();

  (void)state;
  assert_int_equal(load(ctx, "interface Tunnel1\n#\n mtu 1400\n"),
                   VTUN_ESYNTAX);
  assert_contains(vtun_ctx_last_error(ctx), "line 3,");
  assert_loads(ctx, "interface Tunnel1\n# note\n mtu 1400\nquit\n");
  assert_int_equal(load(ctx, "interface Tunnel1\nquit\n mtu 1400\n"),
                   VTUN_ESYNTAX);
  vtun_ctx_free(ctx);
}

static void test_limits(void **state) {
  vtun_ctx *ctx = ctx_new();
  char line[1100];
  char *big;

  (void)state;
  memset(line, ' ', sizeof(line));
  memcpy(line + 1030, "mtu 1400\n", 10);
  assert_int_equal(vtun_config_load(ctx, line, strlen(line)), VTUN_ESYNTAX);
  assert_contains(vtun_ctx_last_error(ctx), "line 1, column 1025: line "
                                            "longer");

  assert_int_equal(vtun_config_load(ctx, "sysname a\0b\n", 12), VTUN_ESYNTAX);
  assert_contains(vtun_ctx_last_error(ctx), "line 1, column 10: a NUL");

  big = calloc(1, VTUN_CFG_TEXT_MAX + 1);
  assert_non_null(big);
  memset(big, '\n', VTUN_CFG_TEXT_MAX + 1);
  assert_int_equal(vtun_config_load(ctx, big, VTUN_CFG_TEXT_MAX + 1),
                   VTUN_EINVAL);
  assert_int_equal(vtun_config_load(ctx, big, VTUN_CFG_TEXT_MAX), 0);
  free(big);

  assert_int_equal(vtun_config_load(ctx, NULL, 0), 0);
  assert_int_equal(vtun_config_load(ctx, NULL, 3), VTUN_EINVAL);
  assert_int_equal(vtun_config_load(NULL, "", 0), VTUN_EINVAL);
  vtun_ctx_free(ctx);
}

/* ------------------------------------------------- round trip and dump */

/* Every command at once, in several virtual systems. */
static const char large[] =
    "#\n"
    "sysname Big\n"
    "ike legacy-algorithms enable\n"
    "vsys name V1\n"
    "vsys name V2\n"
    "ip vpn-instance VPN1\n"
    "ip vpn-instance VPN2\n"
    "#\n"
    "interface GE1\n ip address 192.0.2.1 24\n ipv6 address 2001:db8::1/64\n"
    "#\n"
    "interface GE2\n ip address 192.0.2.2 255.255.255.0\n"
    "#\n"
    "interface SW1\n portswitch\n"
    "#\n"
    "ike proposal 10\n authentication-method pre-share\n"
    " encryption-algorithm aes-256\n authentication-algorithm sha2-384\n"
    " integrity-algorithm hmac-sha2-384\n dh group20\n sa duration 7200\n"
    "#\n"
    "ike proposal 20\n encryption-algorithm 3des\n"
    " authentication-algorithm md5\n integrity-algorithm hmac-md5\n"
    " dh group2\n"
    "#\n"
    "ip pool pool1\n network 203.0.113.0 mask 255.255.255.0\n"
    " section 0 203.0.113.10 203.0.113.20\n"
    " section 1 203.0.113.30 203.0.113.40\n"
    "#\n"
    "ike peer hq\n version 1\n exchange-mode aggressive\n"
    " pre-shared-key \"a \\\"quoted\\\" key\"\n ike-proposal 20\n"
    " ike-proposal 10\n local-id-type fqdn\n local-id hq.example.net\n"
    " remote-id-type user-fqdn\n remote-id b1@example.net\n"
    " remote-address 198.51.100.1\n remote-address 198.51.100.2\n"
    " dpd type on-demand\n dpd idle-time 40\n dpd retransmit-interval 10\n"
    " dpd retry-limit 4\n undo nat traversal\n ip-pool pool1\n"
    " ikev2 peer-id-match enable\n"
    "#\n"
    "ike peer b2\n version 1\n undo version 2\n pre-shared-key k2\n"
    " ike-proposal 10\n remote-address 198.51.100.9\n"
    "#\n"
    "ipsec proposal p-cbc\n transform esp\n"
    " esp encryption-algorithm aes-128\n"
    " esp authentication-algorithm sha2-512\n encapsulation-mode tunnel\n"
    "#\n"
    "ipsec proposal p-gcm\n esp encryption-algorithm aes-gcm-128\n"
    "#\n"
    "ipsec proposal p-odd\n esp encryption-algorithm chacha20-poly1305\n"
    "#\n"
    "ipsec profile prof1\n ike-peer hq\n proposal p-gcm\n pfs dh-group31\n"
    " sa duration time-based 1800\n sa duration traffic-based 100000\n"
    " anti-replay window 2048\n esn enable\n"
    "#\n"
    "ipsec profile prof2\n ike-peer b2\n proposal p-cbc\n"
    "#\n"
    "ipsec profile unused\n ike-peer nobody\n"
    "#\n"
    "switch vsys V1\n"
    "ike proposal 10\n dh group19\n"
    "#\n"
    "ip pool vpool\n network 10.20.0.0/16\n"
    "#\n"
    "ike peer vp\n pre-shared-key \"vsys key\"\n ike-proposal 10\n"
    " ip-pool vpool\n"
    "#\n"
    "ipsec proposal vprop\n"
    "#\n"
    "ipsec profile vprof\n ike-peer vp\n proposal vprop\n"
    "#\n"
    "switch vsys V2\n"
    "ike proposal 30\n"
    "#\n"
    "switch vsys root\n"
    "ike proposal 40\n sa duration 600\n"
    "#\n"
    "interface Tunnel1\n tunnel-protocol ipsec\n"
    " ip address unnumbered interface GE1\n source GE1\n"
    " ipsec profile prof1\n mtu 1350\n"
    "#\n"
    "interface Tunnel2\n tunnel-protocol ipsec\n ip address 10.5.5.5 24\n"
    " source 192.0.2.2\n destination vpn-instance VPN2 198.51.100.9\n"
    " ipsec profile prof2\n negotiate on-demand\n"
    "#\n"
    "interface Tunnel3\n tunnel-protocol gre\n ip address 172.16.0.1 30\n"
    " source GE2\n destination 198.51.100.50\n gre key 42\n gre sequence\n"
    " keepalive period 10 retry-times 5\n shutdown\n"
    "#\n"
    "interface Tunnel4\n tunnel-protocol ipsec\n assign vsys V1\n"
    " ipv6 address 2001:db8:5::1/64\n source GE1\n ipsec profile vprof\n"
    "#\n"
    "interface Tunnel5\n ip address ike-negotiated\n"
    "#\n"
    "return\n";

static void test_round_trip_large(void **state) {
  vtun_ctx *ctx = ctx_new();
  char *text;

  (void)state;
  assert_loads(ctx, large);
  assert_round_trip(ctx);
  text = dump(ctx, 0);
  assert_contains(text, "vsys name V1\n#\nvsys name V2\n");
  assert_contains(text, "switch vsys V1\nike proposal 10\n dh group19\n");
  assert_contains(text, "switch vsys root\ninterface Tunnel1\n");
  assert_contains(text, " assign vsys V1\n ipv6 address 2001:db8:5::1/64\n");
  assert_contains(text, "ipsec proposal p-odd\n"
                        " esp encryption-algorithm chacha20-poly1305\n#\n");
  assert_lacks(text, "quoted");
  assert_lacks(text, "sysname");
  free(text);
  vtun_ctx_free(ctx);
}

/* The canonical order: globals, vsys, vpn-instances, interfaces, IKE
 * proposals, pools, peers, IPsec proposals, profiles, tunnels. */
static void test_dump_order(void **state) {
  static const char *const order[] = {
      "ike legacy-algorithms",
      "vsys name",
      "ip vpn-instance",
      "interface GE1",
      "ike proposal",
      "ip pool",
      "ike peer",
      "ipsec proposal",
      "ipsec profile",
      "interface Tunnel1",
      "return",
  };
  vtun_ctx *ctx = ctx_new();
  const char *at;
  char *text;

  (void)state;
  assert_loads(ctx, large);
  text = dump(ctx, 0);
  at = text;
  for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
    const char *next = strstr(at, order[i]);

    if (next == NULL)
      fail_msg("'%s' missing or out of order:\n%s", order[i], text);
    at = next;
  }
  free(text);
  vtun_ctx_free(ctx);
}

/* An empty context dumps a frame only; defaults are never written. */
static void test_dump_defaults(void **state) {
  vtun_ctx *ctx = ctx_new();
  char *text;

  (void)state;
  assert_loads(ctx, "ike proposal 10\n#\nike peer p\n#\nipsec proposal x\n"
                    "#\nipsec profile y\n#\ninterface Tunnel1\n");
  text = dump(ctx, 0);
  assert_string_equal(text, "#\nike proposal 10\n#\nike peer p\n#\n"
                            "ipsec proposal x\n#\nipsec profile y\n#\n"
                            "interface Tunnel1\n#\nreturn\n");
  free(text);
  vtun_ctx_free(ctx);
}

/* A non-AEAD cipher without integrity (made through the API, refused at
 * commit) is reached through an AEAD, the only way the commands allow. */
static void test_dump_no_integrity(void **state) {
  vtun_ctx *ctx = ctx_new();
  vtun_ipsec_proposal *p;
  char *text;

  (void)state;
  assert_int_equal(vtun_ipsec_proposal_new(ctx, NULL, "x", &p), 0);
  assert_int_equal(vtun_ipsec_proposal_set_encr(p, VTUN_ENCR_AES_GCM_128), 0);
  assert_int_equal(vtun_ipsec_proposal_set_encr(p, VTUN_ENCR_AES_CBC_192), 0);
  text = dump(ctx, 0);
  assert_contains(text, "ipsec proposal x\n"
                        " esp encryption-algorithm aes-gcm-256\n"
                        " esp encryption-algorithm aes-192\n#\n");
  free(text);

  /* Loading it back fails at commit, naming R11 and the last line. */
  assert_int_equal(vtun_ctx_commit(ctx), VTUN_ER11_INTEGRITY);
  vtun_ctx_free(ctx);
}

/* snprintf semantics: the full length, a terminated prefix. */
static void test_dump_buffer(void **state) {
  vtun_ctx *ctx = ctx_new();
  char small[10], *full;
  vtun_ssize n;

  (void)state;
  assert_loads(ctx, base);
  full = dump(ctx, 0);
  n = vtun_config_dump(ctx, 0, small, sizeof(small));
  assert_int_equal(n, strlen(full));
  assert_int_equal(strlen(small), sizeof(small) - 1);
  assert_memory_equal(small, full, sizeof(small) - 1);
  assert_int_equal(vtun_config_dump(ctx, 0, NULL, 5), VTUN_EINVAL);
  free(full);
  vtun_ctx_free(ctx);
}

/* The replay window default follows the settings. */
static void test_settings_defaults(void **state) {
  vtun_settings s;
  vtun_ctx *ctx;
  char *text;

  (void)state;
  vtun_settings_default(&s);
  s.replay_window = 64;
  assert_int_equal(vtun_ctx_new(&ctx, NULL, &s, NULL), 0);
  assert_loads(ctx, "ipsec profile y\n#\nipsec profile z\n"
                    " undo anti-replay window\n anti-replay window 1024\n");
  text = dump(ctx, 0);
  assert_contains(text, "ipsec profile y\n#\n");
  assert_contains(text, "ipsec profile z\n anti-replay window 1024\n");
  free(text);
  vtun_ctx_free(ctx);
}

/* ---------------------------------------------------------------- display */

static void test_display(void **state) {
  vtun_ctx *ctx = ctx_new();
  char buf[8192];
  vtun_ssize n;

  (void)state;
  assert_loads(ctx, base);
  assert_loads(ctx, "interface Tunnel2\n tunnel-protocol gre\n"
                    " ip address 10.2.2.2 30\n source GE1\n#\n"
                    "interface Tunnel1\n ipsec profile prof1\n"
                    " ip address unnumbered interface GE1\n");

  n = vtun_ctx_display(ctx, "interface tunnel", buf, sizeof(buf));
  assert_true(n > 0 && (size_t)n < sizeof(buf));
  assert_contains(buf, "Tunnel1 current state :");
  assert_contains(buf, "192.0.2.1/24 (borrowed from GE1)");
  assert_contains(buf, "IPsec profile           : prof1");
  assert_contains(buf, "Tunnel2 current state : DOWN");
  assert_contains(buf, "Down reason             : R5");
  assert_contains(buf, "10.2.2.2/30 (static)");
  assert_contains(buf, "Source                  : GE1 (192.0.2.1)");
  assert_contains(buf, "MTU                     : 1400");
  assert_string_equal(vtun_ctx_last_error(ctx), "");

  n = vtun_ctx_display(ctx, "statistics", buf, sizeof(buf));
  assert_true(n > 0 && (size_t)n < sizeof(buf));
  assert_contains(buf, "Tunnel1 statistics\n");
  assert_contains(buf, "Dropped, replay         : 0\n");
  assert_contains(buf, "Dropped, hook failed    : 0\n");
  assert_contains(buf, "Context statistics\n");
  assert_contains(buf, "Pool exhausted          : 0\n");

  assert_true(vtun_ctx_display(ctx, "ike sa", buf, sizeof(buf)) > 0);
  assert_contains(buf, "Number of IKE SA : 0");
  assert_true(vtun_ctx_display(ctx, "ipsec sa", buf, sizeof(buf)) > 0);
  assert_contains(buf, "Number of IPSec SA : 0");

  n = vtun_ctx_display(ctx, "current-configuration", buf, sizeof(buf));
  assert_int_equal(n, vtun_config_dump(ctx, 0, NULL, 0));
  assert_contains(buf, " pre-shared-key ******\n");

  assert_int_equal(vtun_ctx_display(ctx, "bogus", buf, sizeof(buf)),
                   VTUN_EINVAL);
  assert_int_equal(vtun_ctx_display(ctx, "ike sa", buf, 4),
                   vtun_ctx_display(ctx, "ike sa", NULL, 0));
  assert_int_equal(strlen(buf), 3);
  vtun_ctx_free(ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_command),
      cmocka_unit_test(test_undo),
      cmocka_unit_test(test_examples),
      cmocka_unit_test(test_example_hq_matching),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_column),
      cmocka_unit_test(test_all_or_nothing),
      cmocka_unit_test(test_psk_quoting),
      cmocka_unit_test(test_psk_not_echoed),
      cmocka_unit_test(test_crlf_and_comments),
      cmocka_unit_test(test_separator_ends_view),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_round_trip_large),
      cmocka_unit_test(test_dump_order),
      cmocka_unit_test(test_dump_defaults),
      cmocka_unit_test(test_dump_no_integrity),
      cmocka_unit_test(test_dump_buffer),
      cmocka_unit_test(test_settings_defaults),
      cmocka_unit_test(test_display),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
