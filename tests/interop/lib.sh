# Shared pieces of the strongSwan interop suite: a switch namespace with a
# bridge, hosts attached to it, strongSwan daemons in private mount
# namespaces, libvtun's vtund, and cleanup of everything started here.
# Every address is a documentation address inside these namespaces.

IO=vio            # namespace prefix: vio-sw, vio-hq, vio-b1, vio-b2, ...
WORK=${WORK:-$(mktemp -d /tmp/vtun-interop.XXXXXX)}
PIDS=()

log() { printf '%s %s\n' "$(date +%T)" "$*"; }

ns() { echo "$IO-$1"; }

# Removes what a previous, interrupted run of this suite left behind.
net_clean() {
  local n
  for n in $(ip netns list | awk '{print $1}' | grep "^$IO-"); do
    ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$n" 2>/dev/null
  done
}

# Switch namespace with a bridge; hosts join with net_host.
net_up() {
  net_clean
  ip netns add "$(ns sw)"
  ip -n "$(ns sw)" link add br0 type bridge
  ip -n "$(ns sw)" link set br0 up
}

# net_host NAME ADDR: a host namespace with eth0 on the bridge.
net_host() {
  local n=$(ns "$1")
  ip netns add "$n"
  ip -n "$n" link set lo up
  ip -n "$n" link add eth0 type veth peer name "p-$1" netns "$(ns sw)"
  ip -n "$(ns sw)" link set "p-$1" master br0 up
  ip -n "$n" addr add "$2/24" dev eth0
  ip -n "$n" link set eth0 up
}

# Stops what this suite started, by PID, then removes the namespaces.
net_down() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.5
  for p in "${PIDS[@]}"; do
    # Killed daemons can linger as zombies: look at their state.
    if [ -r "/proc/$p/stat" ] && ! awk '{exit $3 != "Z"}' "/proc/$p/stat"
    then kill -9 "$p" 2>/dev/null; fi
  done
  PIDS=()
  net_clean
}

# charon_conf NAME: writes the daemon's strongswan.conf for NAME.
charon_conf() {
  local dir=$WORK/$1
  mkdir -p "$dir/run"
  cat >"$dir/strongswan.conf" <<EOC
charon {
  load = random nonce openssl kdf kernel-libipsec kernel-netlink socket-default vici
  i_dont_care_about_security_and_use_aggressive_mode_psk = yes
  install_routes = yes
  install_virtual_ip = yes
  plugins {
    vici { socket = unix:///run/charon.vici }
    socket-default { fwmark = 0x42 }
    kernel-netlink { fwmark = !0x42 }
  }
  filelog {
    charon {
      path = /run/charon.log
      time_format = %T
      default = 1
      ike = ${CHARON_IKE_LOG:-1}
      chd = ${CHARON_IKE_LOG:-1}
      flush_line = yes
    }
  }
  syslog { daemon { default = -1 } }
}
swanctl { load = random nonce openssl }
EOC
}

# charon_start NAME HOST SWANCTL_CONF: runs charon in HOST's namespace and
# loads the connections; sets CHARON_PID.
charon_start() {
  local name=$1 host=$2 conf=$3 dir=$WORK/$1 i
  # A socket or pid file left by an earlier daemon of the same name would
  # look like a ready daemon.
  rm -rf "$dir/run"
  charon_conf "$name"
  cp "$conf" "$dir/swanctl.conf"
  STRONGSWAN_CONF=$dir/strongswan.conf ip netns exec "$(ns "$host")" \
    unshare -m --propagation private sh -c \
    "mount --bind '$dir/run' /run && exec /usr/lib/ipsec/charon" \
    >"$dir/charon.out" 2>&1 &
  CHARON_PID=$!
  PIDS+=("$CHARON_PID")
  for i in $(seq 100); do
    swan "$name" --stats >/dev/null 2>&1 && break
    sleep 0.1
  done
  swan "$name" --load-all --file "$dir/swanctl.conf" >"$dir/load.out" 2>&1
}

# swan NAME COMMAND ARGS...: swanctl COMMAND against daemon NAME.
swan() {
  local name=$1 cmd=$2
  shift 2
  STRONGSWAN_CONF=$WORK/$name/strongswan.conf swanctl "$cmd" \
    --uri "unix://$WORK/$name/run/charon.vici" "$@"
}

charon_log() { cat "$WORK/$1/run/charon.log" 2>/dev/null; }

# vtund_start NAME HOST CONF [ARGS...]: runs libvtun's host program in
# HOST's namespace; sets VTUND_PID. Its control socket is $WORK/NAME.sock.
vtund_start() {
  local name=$1 host=$2 conf=$3
  shift 3
  mkdir -p "$WORK/$name"
  cp "$conf" "$WORK/$name/vtund.conf"
  ip netns exec "$(ns "$host")" "$BUILD/examples/vtund" \
    -c "$WORK/$name/vtund.conf" -s "$WORK/$name.sock" "$@" \
    >"$WORK/$name/vtund.log" 2>&1 &
  VTUND_PID=$!
  PIDS+=("$VTUND_PID")
}

vtunctl() {
  local name=$1
  shift
  "$BUILD/examples/vtunctl" -s "$WORK/$name.sock" "$@"
}

# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds.
wait_for() {
  local limit=$1 i
  shift
  for i in $(seq $((limit * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

# in_ns HOST CMD...: runs CMD in HOST's namespace.
in_ns() {
  local host=$1
  shift
  ip netns exec "$(ns "$host")" "$@"
}

# ping_ok HOST SRC DST [COUNT]: every ping answered.
ping_ok() {
  in_ns "$1" ping -q -n -c "${4:-3}" -i 0.2 -W 2 -I "$2" "$3" >/dev/null
}
