#!/usr/bin/env bash
# A branch killed without a word (SIGKILL: no IKE Delete) and restarted:
# HQ's dead peer detection clears the old SAs and the branch's new
# negotiation brings the tunnel back; traffic passes again.
. "$(dirname "$0")/lib.sh"

# Short DPD timers on every peer (idle 10 s, retransmit 2 s, 2 retries).
dpd_conf() {
  sed -e '/^ike peer /a\ dpd type periodic\n dpd idle-time 10\n dpd retransmit-interval 2\n dpd retry-limit 2' \
    "$VT_DEMO/$1.conf" >"$VT_WORK/$1.conf"
}
for c in hq branch1 branch2; do dpd_conf "$c"; done
VT_HQ_CONF=$VT_WORK/hq.conf VT_BR1_CONF=$VT_WORK/branch1.conf \
  VT_BR2_CONF=$VT_WORK/branch2.conf vt_demo_up
check "branch1 -> HQ before" vt_ping br1 198.51.100.1

kill -KILL "$VT_PID_br1"
wait "$VT_PID_br1" 2>/dev/null || true
VT_PID_br1=
check "HQ notices branch1 is gone (DPD)" \
  vt_wait 40 sh -c "! '$VT_CTL' -s '$VT_WORK/hq.sock' display interface tunnel |
                    grep -A0 '^Tunnel1 current state' | grep -q UP"

vt_start br1 "$VT_WORK/branch1.conf"
check "branch1 Tunnel1 up again" vt_wait 40 vt_tunnel_up br1 Tunnel1
check "HQ Tunnel1 up again" vt_wait 20 vt_tunnel_up hq Tunnel1
check "branch1 -> HQ after restart" vt_ping br1 198.51.100.1
check "HQ -> branch1 after restart" vt_ping hq 203.0.113.11 198.51.100.1
