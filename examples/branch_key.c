/* vtun-branch-key: prints the pre-shared key a branch configures when its
 * headquarters derives branch keys from one master secret
 * (`pre-shared-key derived SECRET`, vtun_ike_peer_set_psk_master()).
 * The secret is read from standard input, so that it shows neither in
 * the process list nor in the shell history; a final newline is not
 * part of it.
 * Usage: vtun-branch-key ip|fqdn|user-fqdn|key-id IDENTITY < secret */
#include <stdio.h>
#include <string.h>
#include <vtun/vtun.h>

static int id_type(const char *name) {
  static const struct {
    const char *name;
    int type;
  } types[] = {{"ip", VTUN_ID_IP},
               {"fqdn", VTUN_ID_FQDN},
               {"user-fqdn", VTUN_ID_USER_FQDN},
               {"key-id", VTUN_ID_KEY_ID}};

  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
    if (strcmp(types[i].name, name) == 0)
      return types[i].type;
  return -1;
}

int main(int argc, char **argv) {
  unsigned char secret[257];
  char key[65];
  size_t len;
  vtun_ssize n;
  int type;

  if (argc != 3 || (type = id_type(argv[1])) < 0) {
    fprintf(stderr, "usage: %s ip|fqdn|user-fqdn|key-id IDENTITY < secret\n",
            argv[0]);
    return 2;
  }
  len = fread(secret, 1, sizeof(secret), stdin);
  if (len > 0 && secret[len - 1] == '\n')
    len--;
  if (len == 0 || len > 256) {
    fprintf(stderr, "%s: the secret on standard input has 1-256 bytes\n",
            argv[0]);
    return 2;
  }
  n = vtun_derive_branch_psk(secret, len, type, argv[2], key, sizeof(key));
  memset(secret, 0, sizeof(secret));
  if (n < 0) {
    fprintf(stderr, "%s: %s\n", argv[0], vtun_strerror((int)n));
    return 1;
  }
  printf("%s\n", key);
  return 0;
}
