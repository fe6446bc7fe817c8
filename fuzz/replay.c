/* Runs a fuzz target over every file of the corpus directories named on
 * the command line, so the normal test suite replays the corpora without
 * libFuzzer. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf;
  long n;

  if (f == NULL)
    return -1;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc(n > 0 ? (size_t)n : 1);
  if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    fclose(f);
    return -1;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(buf, (size_t)n);
  free(buf);
  return 0;
}

static int replay_dir(const char *dir, unsigned *count) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[4096];
  struct stat st;

  if (d == NULL)
    return replay_file(dir) == 0 ? (++*count, 0) : -1;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
      if (replay_file(path) != 0) {
        closedir(d);
        return -1;
      }
      ++*count;
    }
  }
  closedir(d);
  return 0;
}

int main(int argc, char **argv) {
  unsigned count = 0;

  for (int i = 1; i < argc; i++)
    if (replay_dir(argv[i], &count) != 0) {
      fprintf(stderr, "cannot read %s\n", argv[i]);
      return 1;
    }
  printf("replayed %u inputs\n", count);
  return count > 0 ? 0 : 1;
}
