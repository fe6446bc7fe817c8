#!/usr/bin/env bash
# Throughput of one iperf3 TCP stream (10 s) between two network
# namespaces, in the same run: over the bare veth, through two vtund hosts
# (libvtun, AES-256-GCM, ESP in UDP), and through two strongSwan charons
# with the kernel-libipsec userspace data plane (AES-256-GCM, ESP in UDP).
# Root only. Prints one line per path, then
#   ratio tunnel-vs-veth <x>
#   ratio tunnel-vs-strongswan <x>
#
# The vtund pair uses static keys (vtund manual-sa lines), so the figure is
# the data path's (TUN, batching, ESP), whatever the state of IKE.
# usage: bench/run tunnel [SECONDS]   (VTUN_BENCH_BUILD: a build directory
# with the examples; default build-bench-tunnel, configured here, release)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VTUN_BENCH_BUILD:-$top/build-bench-tunnel}
SECS=${1:-10}
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" -Dbuildtype=release -Dtests=false >/dev/null
fi
ninja -C "$BUILD" -j2 examples/vtund examples/vtunctl >/dev/null
P=vtbench
WORK=$(mktemp -d /tmp/vtun-bench.XXXXXX)
PIDS=()

# Waits up to 5 s for a process we started to end after SIGTERM, then
# kills it.
stop_pid() {
  local i
  for i in $(seq 25); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

cleanup() {
  local p n
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  PIDS=()
  for n in a b; do ip netns del "$P-$n" 2>/dev/null || true; done
}
trap 'cleanup; rm -rf "$WORK"' EXIT INT TERM

for tool in iperf3 /usr/lib/ipsec/charon swanctl; do
  command -v "$tool" >/dev/null ||
    { echo "bench tunnel: $tool missing (apt-get install iperf3" \
        "strongswan-charon strongswan-swanctl libcharon-extra-plugins" \
        "libstrongswan-extra-plugins libstrongswan-standard-plugins)" >&2
      exit 1; }
done

# Two namespaces joined by one veth pair: 192.0.2.1 and 192.0.2.2.
net_up() {
  cleanup
  ip netns add "$P-a"
  ip netns add "$P-b"
  ip -n "$P-a" link add veth0 type veth peer name veth0 netns "$P-b"
  ip -n "$P-a" addr add 192.0.2.1/24 dev veth0
  ip -n "$P-b" addr add 192.0.2.2/24 dev veth0
  for n in a b; do
    ip -n "$P-$n" link set lo up
    ip -n "$P-$n" link set veth0 up
  done
}

# iperf3 from a to DST (bound to SRC); sets RESULT to the receiver's
# Gbit/s. (No command substitution around it: the PIDs it starts must
# reach this shell's list.)
measure() {
  local dst=$1 src=$2 out
  ip netns exec "$P-b" iperf3 -s -1 -B "$dst" >/dev/null 2>&1 &
  PIDS+=($!)
  sleep 0.5
  out=$(timeout $((SECS + 30)) ip netns exec "$P-a" iperf3 -c "$dst" -B "$src" \
    -t "$SECS" -J)
  RESULT=$(python3 -c 'import json,sys
print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' <<<"$out")
}

wait_for() {
  local limit=$1 i
  shift
  for i in $(seq $((limit * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

# ------------------------------------------------------------- libvtun
vtund_conf() {
  local me=$1 peer=$2 inner=$3 spi_in=$4 spi_out=$5 kin=$6 kout=$7
  cat <<EOC
interface GigabitEthernet0/0/1
 ip address $me 255.255.255.0
#
interface Tunnel1
 tunnel-protocol ipsec
 ip address $inner 255.255.255.252
 source GigabitEthernet0/0/1
 destination $peer
 negotiate on-demand
#
vtund manual-sa Tunnel1 $spi_in $spi_out aes-gcm-256 $kin $kout udp
EOC
}

run_vtun() {
  local k1 k2
  k1=$(head -c 36 /dev/urandom | od -An -tx1 | tr -d ' \n')
  k2=$(head -c 36 /dev/urandom | od -An -tx1 | tr -d ' \n')
  vtund_conf 192.0.2.1 192.0.2.2 198.51.100.1 0x1001 0x2002 "$k1" "$k2" \
    >"$WORK/a.conf"
  vtund_conf 192.0.2.2 192.0.2.1 198.51.100.2 0x2002 0x1001 "$k2" "$k1" \
    >"$WORK/b.conf"
  for n in a b; do
    ip netns exec "$P-$n" "$BUILD/examples/vtund" -c "$WORK/$n.conf" \
      -s "$WORK/$n.sock" -n "$n" ${VTUND_ARGS:-} >"$WORK/vtund-$n.log" 2>&1 &
    PIDS+=($!)
  done
  wait_for 10 ip netns exec "$P-a" ping -c 1 -W 1 198.51.100.2 ||
    { echo "vtund tunnel did not pass traffic" >&2; tail "$WORK"/vtund-*.log >&2; exit 1; }
  measure 198.51.100.2 198.51.100.1
}

# ------------------------------------------------------------ strongSwan
charon_conf() {
  local n=$1
  mkdir -p "$WORK/sw-$n/run"
  cat >"$WORK/sw-$n/strongswan.conf" <<EOC
charon {
  load = random nonce openssl kdf kernel-libipsec kernel-netlink socket-default vici
  plugins {
    vici { socket = unix:///run/charon.vici }
    socket-default { fwmark = 0x42 }
    kernel-netlink { fwmark = !0x42 }
  }
  syslog { daemon { default = -1 } }
}
swanctl { load = random nonce openssl }
EOC
}

swanctl_conf() {
  local me=$1 peer=$2 lin=$3 rin=$4
  cat <<EOC
connections {
  bench {
    version = 2
    local_addrs = $me
    remote_addrs = $peer
    proposals = aes256gcm16-prfsha256-x25519
    local { auth = psk
            id = $me }
    remote { auth = psk
             id = $peer }
    children {
      net {
        local_ts = $lin/32
        remote_ts = $rin/32
        esp_proposals = aes256gcm16
        start_action = none
      }
    }
  }
}
secrets {
  ike { secret = "bench only, not a secret" }
}
EOC
}

charon_start() {
  local n=$1 dir=$WORK/sw-$1 i
  charon_conf "$n"
  STRONGSWAN_CONF=$dir/strongswan.conf ip netns exec "$P-$n" \
    unshare -m --propagation private sh -c \
    "mount --bind '$dir/run' /run && exec /usr/lib/ipsec/charon" \
    >"$dir/charon.out" 2>&1 &
  PIDS+=($!)
  for i in $(seq 50); do
    [ -S "$dir/run/charon.vici" ] && break
    sleep 0.1
  done
  STRONGSWAN_CONF=$dir/strongswan.conf swanctl --load-all \
    --uri "unix://$dir/run/charon.vici" --file "$dir/swanctl.conf" \
    >"$dir/load.out" 2>&1
}

run_strongswan() {
  ip -n "$P-a" addr add 203.0.113.1/32 dev lo
  ip -n "$P-b" addr add 203.0.113.2/32 dev lo
  mkdir -p "$WORK/sw-a" "$WORK/sw-b"
  swanctl_conf 192.0.2.1 192.0.2.2 203.0.113.1 203.0.113.2 \
    >"$WORK/sw-a/swanctl.conf"
  swanctl_conf 192.0.2.2 192.0.2.1 203.0.113.2 203.0.113.1 \
    >"$WORK/sw-b/swanctl.conf"
  charon_start a
  charon_start b
  STRONGSWAN_CONF=$WORK/sw-a/strongswan.conf swanctl --initiate \
    --uri "unix://$WORK/sw-a/run/charon.vici" --child net \
    >/dev/null 2>&1 || true
  wait_for 15 ip netns exec "$P-a" ping -c 1 -W 1 -I 203.0.113.1 203.0.113.2 ||
    { echo "strongSwan tunnel did not pass traffic" >&2; exit 1; }
  measure 203.0.113.2 203.0.113.1
}

net_up
measure 192.0.2.2 192.0.2.1
veth=$RESULT
echo "veth $veth Gbit/s"
net_up
run_vtun
tunnel=$RESULT
echo "tunnel (libvtun vtund, aes-gcm-256) $tunnel Gbit/s"
net_up
run_strongswan
swan=$RESULT
echo "strongswan (kernel-libipsec, aes256gcm16) $swan Gbit/s"
cleanup
python3 -c "import sys
t, v, s = (float(x) for x in sys.argv[1:])
print('ratio tunnel-vs-veth %.3f' % (t / v))
print('ratio tunnel-vs-strongswan %.3f' % (t / s))" "$tunnel" "$veth" "$swan"
