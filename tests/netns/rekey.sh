#!/usr/bin/env bash
# Child SAs rekeyed under an iperf3 UDP stream (lifetime 30 s, 45 s of
# traffic): at least one rekey happens, and not one datagram is lost:
# iperf3 counts none missing, and no drop counter of either end grew
# while the stream ran (a loss in the receiving stack outside the tunnel
# would show in the first and not the second).
. "$(dirname "$0")/lib.sh"
command -v iperf3 >/dev/null || { echo "SKIP: iperf3 missing"; exit 77; }

sed -e '/^ipsec profile /a\ sa duration time-based 30' \
  "$VT_DEMO/branch1.conf" >"$VT_WORK/branch1.conf"
sed -e '/^ipsec profile /a\ sa duration time-based 30' \
  "$VT_DEMO/hq.conf" >"$VT_WORK/hq.conf"
VT_HQ_CONF=$VT_WORK/hq.conf VT_BR1_CONF=$VT_WORK/branch1.conf vt_demo_up

drops() {
  { vt_ctl br1 display statistics; vt_ctl hq display statistics; } |
    awk '/Dropped/ {s += $NF} END {print s + 0}'
}
before=$(drops)
vt_exec hq iperf3 -s -1 -B 198.51.100.1 >/dev/null 2>&1 &
VT_PIDS+=($!)
sleep 0.5
vt_exec br1 iperf3 -u -b 20M -l 1200 -w 4M -t 45 -c 198.51.100.1 \
  -B 203.0.113.11 -J >"$VT_WORK/iperf.json" 2>&1 || true
after=$(drops)
if [ "$before" = "$after" ]; then
  ok "no tunnel drop during the stream ($after before and after)"
else
  fail "tunnel drops grew from $before to $after during the stream"
fi
lost=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["end"]["sum"]["lost_packets"], d["end"]["sum"]["packets"])' \
  "$VT_WORK/iperf.json" 2>/dev/null || echo "? ?")
set -- $lost
if [ "$1" = 0 ] && [ "$2" != 0 ]; then
  ok "no datagram lost of $2"
else
  fail "lost $1 of $2 datagrams"
fi
check "a Child SA rekey happened" grep -q "child SA rekeyed" \
  "$VT_WORK/br1.log" "$VT_WORK/hq.log"
