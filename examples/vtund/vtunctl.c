/* vtunctl [-s SOCKET] COMMAND...: sends one command line to vtund's
 * control socket and prints the answer. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int ctl_connect(const char *path) {
  struct sockaddr_un sa;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return -1;
  memset(&sa, 0, sizeof(sa));
  sa.sun_family = AF_UNIX;
  snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
  if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static int ctl_send(int fd, int argc, char **argv) {
  char line[512];
  size_t pos = 0;

  for (int i = 0; i < argc && pos < sizeof(line); i++)
    pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "%s%s",
                            i ? " " : "", argv[i]);
  if (pos >= sizeof(line) - 1)
    return -1;
  line[pos++] = '\n';
  return write(fd, line, pos) == (ssize_t)pos ? 0 : -1;
}

int main(int argc, char **argv) {
  const char *path = "/run/vtund.sock";
  char buf[4096];
  ssize_t n;
  int fd, i = 1, failed = 0;

  if (argc > 2 && strcmp(argv[1], "-s") == 0) {
    path = argv[2];
    i = 3;
  }
  if (i >= argc) {
    fprintf(stderr, "usage: vtunctl [-s SOCKET] display ike sa|ipsec sa|"
                    "interface tunnel|statistics|current-configuration\n"
                    "       vtunctl [-s SOCKET] explain match LOCAL REMOTE "
                    "[ID] | explain tunnel NAME | reload\n");
    return 2;
  }
  if ((fd = ctl_connect(path)) < 0) {
    perror(path);
    return 1;
  }
  if (ctl_send(fd, argc - i, argv + i) != 0) {
    fprintf(stderr, "vtunctl: command too long\n");
    close(fd);
    return 2;
  }
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    fwrite(buf, 1, (size_t)n, stdout);
    if (strncmp(buf, "error:", 6) == 0)
      failed = 1;
  }
  close(fd);
  return failed;
}
