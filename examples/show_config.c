/* vtun-show: loads configuration files into one libvtun context each and
 * prints what an operator would see: the configuration, the tunnel
 * interfaces, and for every tunnel who starts the negotiation and why.
 * Usage: vtun-show FILE... */
#include <stdio.h>
#include <stdlib.h>
#include <vtun/vtun.h>

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long n;

  if (f == NULL)
    return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
  }
  fclose(f);
  return buf;
}

static void show(vtun_ctx *ctx, const char *what) {
  static char view[65536];

  vtun_ctx_display(ctx, what, view, sizeof(view));
  printf("<%s> display %s\n%s\n", "vtun", what, view);
}

static int show_file(const char *path) {
  static char text[8192];
  vtun_tunnel *t = NULL;
  vtun_ctx *ctx;
  size_t len = 0;
  char *conf;
  int rv;

  if ((conf = read_file(path, &len)) == NULL) {
    perror(path);
    return 1;
  }
  if ((rv = vtun_ctx_new(&ctx, NULL, NULL, NULL)) == 0)
    rv = vtun_config_load(ctx, conf, len);
  free(conf);
  printf("==== %s\n", path);
  if (rv != 0) {
    fprintf(stderr, "%s: %s: %s\n", path, vtun_err_name(rv),
            ctx ? vtun_ctx_last_error(ctx) : vtun_strerror(rv));
    vtun_ctx_free(ctx);
    return 1;
  }
  show(ctx, "current-configuration");
  show(ctx, "interface tunnel");
  while ((t = vtun_tunnel_next(ctx, t)) != NULL) {
    vtun_tunnel_explain_initiation(t, text, sizeof(text));
    printf("%s\n", text);
  }
  vtun_ctx_free(ctx);
  return 0;
}

int main(int argc, char **argv) {
  int status = 0;

  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++)
    status |= show_file(argv[i]);
  return status;
}
