# Shared by the netns tests: the demo topology (examples/demo/topology.sh)
# with assertions. Each test sources this with its build directory as $1,
# and everything it made is removed on exit.
set -euo pipefail
VT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VT_BUILD=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
VT_PREFIX=vtt-
VT_WORK=$(mktemp -d /tmp/vtun-netns.XXXXXX)
VT_DEMO=$VT_TOP/examples/demo
. "$VT_DEMO/topology.sh"
VT_FAILED=0

vt_finish() {
  local rc=$?
  vt_cleanup

  # A sanitizer build reports into the vtund logs: any report fails.
  if grep -lE 'AddressSanitizer|LeakSanitizer|runtime error' \
    "$VT_WORK"/*.log 2>/dev/null; then
    echo "FAIL: sanitizer report in a vtund log"
    VT_FAILED=1
  fi
  if [ "$rc" -ne 0 ] || [ "$VT_FAILED" -ne 0 ]; then
    echo "-- vtund logs"
    tail -n 30 "$VT_WORK"/*.log 2>/dev/null || true
  fi
  [ -n "${VT_KEEP:-}" ] && echo "kept $VT_WORK" || rm -rf "$VT_WORK"
  [ "$VT_FAILED" -eq 0 ] || exit 1
  exit "$rc"
}
trap vt_finish EXIT INT TERM

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }

ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; VT_FAILED=1; }

# check DESCRIPTION COMMAND...: records a failure and goes on.
check() {
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then ok "$what"; else fail "$what"; fi
}

vt_ping() {
  vt_exec "$1" ping -q -n -c "${4:-3}" -i 0.2 -W 2 ${3:+-I "$3"} "$2"
}

# The demo up: HQ and both branches running, tunnels waited for.
vt_demo_up() {
  vt_topology
  vt_start hq "${VT_HQ_CONF:-$VT_DEMO/hq.conf}"
  vt_start br1 "${VT_BR1_CONF:-$VT_DEMO/branch1.conf}"
  vt_start br2 "${VT_BR2_CONF:-$VT_DEMO/branch2.conf}"
  check "branch1 Tunnel1 up" vt_wait 30 vt_tunnel_up br1 Tunnel1
  check "branch2 Tunnel1 up" vt_wait 30 vt_tunnel_up br2 Tunnel1
}

vt_br2_addr() {
  vt_exec br2 ip -4 -o addr show dev tun1 | awk '{print $4}' | cut -d/ -f1
}

[ -x "$VT_VTUND" ] && [ -x "$VT_CTL" ] ||
  { echo "FAIL: $VT_VTUND or $VT_CTL not built"; exit 1; }
