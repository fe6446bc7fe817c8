# Shared by the demo and the netns tests: HQ and two branches in network
# namespaces, vtund started in each, and cleanup of exactly what was made.
# Outer addresses are from 192.0.2.0/24 and exist only in the namespaces.
#
# Set before sourcing: VT_BUILD (meson build directory), VT_PREFIX (name
# prefix of the namespaces), VT_WORK (a scratch directory).

VT_PIDS=()
VT_NS=()
VT_VTUND="$VT_BUILD/examples/vtund"
VT_CTL="$VT_BUILD/examples/vtunctl"

vt_ns() { echo "${VT_PREFIX}$1"; }

vt_add_ns() {
  local ns
  ns=$(vt_ns "$1")
  ip netns add "$ns"
  VT_NS+=("$ns")
  ip -n "$ns" link set lo up
}

# One uplink per branch, all on a bridge in HQ that carries HQ's one
# address: the HQ tunnels borrow it.
vt_topology() {
  local hq b
  vt_add_ns hq
  vt_add_ns br1
  vt_add_ns br2
  hq=$(vt_ns hq)
  ip -n "$hq" link add wan0 type bridge
  ip -n "$hq" addr add 192.0.2.1/24 dev wan0
  ip -n "$hq" link set wan0 up
  ip -n "$hq" addr add 198.51.100.1/32 dev lo
  for b in 1 2; do
    ip -n "$hq" link add "to-br$b" type veth peer name wan netns "$(vt_ns br$b)"
    ip -n "$hq" link set "to-br$b" master wan0 up
    ip -n "$(vt_ns br$b)" addr add "192.0.2.1$b/24" dev wan
    ip -n "$(vt_ns br$b)" link set wan up
  done
}

# vt_start NODE CONF [vtund options...]: vtund in NODE's namespace.
vt_start() {
  local node=$1 conf=$2
  shift 2
  ip netns exec "$(vt_ns "$node")" "$VT_VTUND" -c "$conf" \
    -s "$VT_WORK/$node.sock" -n "$node" "$@" >>"$VT_WORK/$node.log" 2>&1 &
  VT_PIDS+=($!)
  eval "VT_PID_$node=$!"
}

# vt_stop NODE: SIGTERM to the vtund we started there, and wait.
vt_stop() {
  local var="VT_PID_$1" pid
  pid=${!var:-}
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  vt_reap "$pid"
  eval "VT_PID_$1="
}

vt_ctl() {
  local node=$1
  shift
  "$VT_CTL" -s "$VT_WORK/$node.sock" "$@"
}

vt_exec() {
  local node=$1
  shift
  ip netns exec "$(vt_ns "$node")" "$@"
}

# vt_wait SECONDS COMMAND...: polls until the command succeeds.
vt_wait() {
  local limit=$1 i=0
  shift
  while ! "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -ge $((limit * 5)) ] && return 1
    sleep 0.2
  done
}

vt_tunnel_up() {
  vt_ctl "$1" display interface tunnel 2>/dev/null |
    grep -A0 "^$2 current state" | grep -q UP
}

# Waits up to 5 s for a process we started to end after SIGTERM, then
# kills it (so that a hung vtund cannot block the cleanup).
vt_reap() {
  local i
  for i in $(seq 25); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$1" 2>/dev/null; then
    echo "warning: pid $1 ignored SIGTERM for 5 s: killed" >&2
    kill -KILL "$1" 2>/dev/null || true
  fi
  wait "$1" 2>/dev/null || true
}

vt_cleanup() {
  local pid ns
  for pid in "${VT_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${VT_PIDS[@]}"; do
    vt_reap "$pid"
  done
  for ns in "${VT_NS[@]}"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  VT_PIDS=()
  VT_NS=()
}
