#!/bin/sh
# Each public header must compile on its own, as C11 and as C++.
set -eu
inc=$1 build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for h in "$inc"/vtun/*.h; do
  name=$(basename "$h")
  printf '#include <vtun/%s>\nint vtun_abi_probe;\n' "$name" >"$tmp/t.c"
  if ! cc -std=c11 -Wall -Wextra -Wpedantic -Werror -I"$inc" -I"$build" \
      -c "$tmp/t.c" -o "$tmp/t.o"; then
    echo "$name does not compile alone as C11"; status=1
  fi
  if command -v c++ >/dev/null 2>&1; then
    cp "$tmp/t.c" "$tmp/t.cc"
    if ! c++ -std=c++11 -Wall -Werror -I"$inc" -I"$build" \
        -c "$tmp/t.cc" -o "$tmp/t.o"; then
      echo "$name does not compile alone as C++"; status=1
    fi
  fi
done
[ "$status" = 0 ] && echo "ok: every header compiles alone (C11, C++)"
exit $status
