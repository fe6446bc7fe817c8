#!/usr/bin/env bash
# bench/run scale [branches]: one HQ and N branch contexts (10,000 by
# default) negotiating in memory; see bench/bench_scale.c.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build-bench/build.ninja ]; then
  meson setup build-bench -Dbuildtype=release -Dtests=false \
    -Dexamples=false >/dev/null
fi
ninja -C build-bench -j2 bench/bench_scale >/dev/null
exec ./build-bench/bench/bench_scale "$@"
