#!/usr/bin/env bash
# HQ's uplink address changes (192.0.2.1 -> 192.0.2.100). vtund follows
# the interface through rtnetlink: the borrowed tunnel addresses and the
# local IKE address move. The branches are told the new destination by a
# configuration reload (SIGHUP), and the tunnels come back.
. "$(dirname "$0")/lib.sh"

for c in branch1 branch2; do cp "$VT_DEMO/$c.conf" "$VT_WORK/$c.conf"; done
VT_BR1_CONF=$VT_WORK/branch1.conf VT_BR2_CONF=$VT_WORK/branch2.conf vt_demo_up

# A reload that changes nothing for a tunnel leaves it alone.
spi() { vt_ctl br1 display ipsec sa | awk '/inbound/ {print $4; exit}'; }
spi_before=$(spi)
echo "ip route-static 198.51.100.64 255.255.255.192 Tunnel1" \
  >>"$VT_WORK/branch1.conf"
kill -HUP "$VT_PID_br1"
check "reload with an unchanged tunnel: reloaded" \
  vt_wait 10 grep -q "reloaded" "$VT_WORK/br1.log"
check "reload with an unchanged tunnel: not rebuilt" \
  sh -c "! grep -q rebuilt '$VT_WORK/br1.log'"
check "reload with an unchanged tunnel: same SA ($spi_before)" \
  test "$(spi)" = "$spi_before"
check "reload: the new route is there" \
  sh -c "ip -n '$(vt_ns br1)' route | grep -q '198.51.100.64/26 dev tun1'"

hq=$(vt_ns hq)
# Deleting first, as a DHCP renewal with a new lease does (a second
# address of the same subnet would go with the primary anyway).
ip -n "$hq" addr del 192.0.2.1/24 dev wan0
ip -n "$hq" addr add 192.0.2.100/24 dev wan0
check "HQ Tunnel1 source follows to 192.0.2.100" \
  vt_wait 10 sh -c "'$VT_CTL' -s '$VT_WORK/hq.sock' display interface tunnel |
                    grep -q 'GigabitEthernet0/0/1 (192.0.2.100)'"
check "HQ tun1 carries the new borrowed address" \
  vt_wait 10 sh -c "ip -n '$hq' -4 -o addr show dev tun1 | grep -q 192.0.2.100/32"

for b in 1 2; do
  sed -i 's/destination 192.0.2.1$/destination 192.0.2.100/' \
    "$VT_WORK/branch$b.conf"
  eval "kill -HUP \$VT_PID_br$b"
done
check "branch1 Tunnel1 up to the new address" \
  vt_wait 40 sh -c "'$VT_CTL' -s '$VT_WORK/br1.sock' display interface tunnel |
                    grep -q 'Destination.*192.0.2.100' && \
                    '$VT_CTL' -s '$VT_WORK/br1.sock' display interface tunnel |
                    grep -q 'current state : UP'"
check "branch2 Tunnel1 up to the new address" vt_wait 40 vt_tunnel_up br2 Tunnel1
check "branch1 -> HQ after the move" vt_ping br1 198.51.100.1
check "branch2 -> HQ after the move" vt_ping br2 198.51.100.1
