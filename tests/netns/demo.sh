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
