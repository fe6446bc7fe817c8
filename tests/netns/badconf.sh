#!/usr/bin/env bash
# Bad configuration files: vtund refuses them naming the line, exits
# non-zero, and creates no TUN device.
. "$(dirname "$0")/lib.sh"

vt_add_ns hq
bad() {
  local name=$1 line=$2 text=$3 rc=0
  printf '%s' "$text" >"$VT_WORK/$name.conf"
  timeout 10 ip netns exec "$(vt_ns hq)" "$VT_VTUND" -c "$VT_WORK/$name.conf" \
    -s "$VT_WORK/bad.sock" -n bad >"$VT_WORK/$name.out" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
    fail "$name: vtund did not refuse it (exit $rc)"
  elif ! grep -q "line $line" "$VT_WORK/$name.out"; then
    fail "$name: no 'line $line' in: $(cat "$VT_WORK/$name.out")"
  else
    ok "$name refused: $(grep -o 'line [0-9]*.*' "$VT_WORK/$name.out" | head -1)"
  fi
  if vt_exec hq ip -o link | grep -q tun; then
    fail "$name: a TUN device was created"
  fi
}

bad typo 3 $'interface Tunnel1\n tunnel-protocol ipsec\n ip adress 10.0.0.1 24\n'
bad unknown-profile 2 $'interface Tunnel1\n ipsec profile nowhere\n tunnel-protocol ipsec\n'
bad bad-route 4 $'interface Tunnel1\n tunnel-protocol ipsec\n#\nip route-static 10.0.0.0 255.0.255.0 Tunnel1\n'
bad legacy 2 $'ike proposal 5\n encryption-algorithm des\n'
