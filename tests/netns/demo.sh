#!/usr/bin/env bash
# The demo topology with assertions: tunnels up, pings both ways, and
# branch2's tunnel address leased from HQ's pool.
. "$(dirname "$0")/lib.sh"

vt_demo_up
check "HQ shows both tunnels up" \
  sh -c "'$VT_CTL' -s '$VT_WORK/hq.sock' display interface tunnel |
         grep -c 'current state : UP' | grep -qx 2"
check "branch1 -> HQ" vt_ping br1 198.51.100.1
check "HQ -> branch1" vt_ping hq 203.0.113.11 198.51.100.1
addr=$(vt_br2_addr || true)
case "$addr" in
203.0.113.1[0-2][0-9]) ok "branch2 address $addr from the HQ pool" ;;
*) fail "branch2 address '$addr' not from 203.0.113.100-126" ;;
esac
check "branch2 -> HQ" vt_ping br2 198.51.100.1
check "HQ -> branch2" vt_ping hq "${addr:-203.0.113.100}" 198.51.100.1

# A TCP stream through the tunnel exercises the TUN offloads: segments
# cut from super-packets and merged again must carry valid checksums.
if command -v iperf3 >/dev/null; then
  vt_exec hq iperf3 -s -1 -B 198.51.100.1 >/dev/null 2>&1 &
  VT_PIDS+=($!)
  sleep 0.5
  rate=$(vt_exec br1 iperf3 -c 198.51.100.1 -B 203.0.113.11 -t 3 -J |
    python3 -c 'import json,sys
print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))' \
    2>/dev/null || echo 0)
  if [ "$rate" -gt 10000000 ]; then
    ok "TCP stream branch1 -> HQ: $((rate / 1000000)) Mbit/s"
  else
    fail "TCP stream branch1 -> HQ: $rate bit/s"
  fi
fi

# SIGTERM deletes the SAs at the peer: HQ hears of it at once, long
# before dead peer detection would.
vt_stop br1
check "branch1 stopped: HQ Tunnel1 down within 5 s (IKE Delete)" \
  vt_wait 5 sh -c "! '$VT_CTL' -s '$VT_WORK/hq.sock' display interface tunnel |
                   grep -A0 '^Tunnel1 current state' | grep -q UP"
