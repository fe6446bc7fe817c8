/* The smallest embedding of libvtun: a context without I/O, a
 * configuration in the vendor's syntax, and the operator's view of it.
 * Build: cc embed.c $(pkg-config --cflags --libs libvtun) */
#include <stdio.h>
#include <string.h>
#include <vtun/vtun.h>

static const char config[] = "interface GigabitEthernet0/0/1\n"
                             " ip address 192.0.2.1 255.255.255.0\n"
                             "ike peer branch1\n"
                             " pre-shared-key example-key\n"
                             " remote-address 198.51.100.2\n"
                             "ipsec proposal p1\n"
                             " esp encryption-algorithm aes-gcm-256\n"
                             "ipsec profile prof1\n"
                             " ike-peer branch1\n"
                             " proposal p1\n"
                             "interface Tunnel1\n"
                             " tunnel-protocol ipsec\n"
                             " ip address 10.1.1.1 255.255.255.252\n"
                             " source GigabitEthernet0/0/1\n"
                             " ipsec profile prof1\n";

int main(void) {
  char view[4096];
  vtun_ctx *ctx;
  int rv;

  rv = vtun_ctx_new(&ctx, NULL, NULL, NULL);
  if (rv != 0) {
    fprintf(stderr, "vtun_ctx_new: %s\n", vtun_strerror(rv));
    return 1;
  }
  rv = vtun_config_load(ctx, config, strlen(config));
  if (rv != 0) {
    fprintf(stderr, "%s: %s\n", vtun_err_name(rv), vtun_ctx_last_error(ctx));
    vtun_ctx_free(ctx);
    return 1;
  }
  vtun_ctx_display(ctx, "interface tunnel", view, sizeof(view));
  fputs(view, stdout);
  vtun_ctx_free(ctx);
  return 0;
}
