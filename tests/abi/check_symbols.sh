#!/bin/sh
# Compares three lists: the functions the library's public headers
# declare (with its export macro), the symbols its version script lists,
# and what the shared library exports.
# usage: check_symbols.sh LIB MAP MACRO HEADER...
set -eu
lib=$1 map=$2 macro=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

grep -hv "^#define $macro" "$@" | tr '\n' ' ' | grep -o "$macro"'[^(;]*(' |
  sed 's/.*[ *]\([a-z_0-9]*\)($/\1/' | sort -u >"$tmp/declared"
grep -o '^[[:space:]]*vtun_[a-z0-9_]*;' "$map" | tr -d ' \t;' |
  sort -u >"$tmp/mapped"
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRW]$/ {print $3}' |
  sed 's/@.*//' | sort -u >"$tmp/exported"

status=0
bad=$(grep -v '^vtun_[a-z0-9]' "$tmp/exported" || true)
if [ -n "$bad" ]; then
  echo "exported symbols outside the vtun_ namespace:"; echo "$bad"; status=1
fi
inner=$(grep '^vtun__' "$tmp/exported" || true)
if [ -n "$inner" ]; then
  echo "internal vtun__ symbols exported:"; echo "$inner"; status=1
fi
if ! diff -u "$tmp/declared" "$tmp/mapped" >"$tmp/d1"; then
  echo "declared in headers vs listed in the version script:"
  cat "$tmp/d1"; status=1
fi
if ! diff -u "$tmp/mapped" "$tmp/exported" >"$tmp/d2"; then
  echo "listed in the version script vs exported:"; cat "$tmp/d2"; status=1
fi
n=$(wc -l <"$tmp/exported")
[ "$status" = 0 ] && echo "ok: $n exported symbols, all declared and listed"
exit $status
