# Installs the Debian packages libvtun's scripts need, with one
# `apt-get update` and one `apt-get install -y` only when something is
# missing. Sourced by tests/run-all and examples/demo/run.
vtun_install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root to install)" >&2
    return 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What building and the default test suites need.
VTUN_BUILD_PACKAGES=(meson ninja-build pkg-config gcc g++ clang libc6-dev
  libssl-dev libuv1-dev libcmocka-dev libclang-rt-14-dev python3
  clang-format-14 binutils)
# What the root-only suites (network namespaces, strongSwan interop) need.
VTUN_NET_PACKAGES=(iproute2 iputils-ping iperf3 tshark strongswan-charon
  strongswan-swanctl libcharon-extra-plugins libstrongswan-extra-plugins
  libstrongswan-standard-plugins)
