#!/usr/bin/env bash
# bench/run scale [branches]: one HQ and N branch contexts (10,000 by
# default) negotiating in memory, first with one template at HQ, then
# (the last lines) with one configured tunnel per branch; see
# bench/bench_scale.c.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build-bench/build.ninja ]; then
  meson setup build-bench -Dbuildtype=release -Dtests=false \
    -Dexamples=false >/dev/null
fi
ninja -C build-bench -j2 bench/bench_scale >/dev/null
n=${1:-10000}
./build-bench/bench/bench_scale "$n" template
exec ./build-bench/bench/bench_scale "$n"
