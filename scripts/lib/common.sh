# Shared by scripts/demo and scripts/test: installs what the build needs and configures a build dir.
# shellcheck shell=bash

PRIK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Debian 12 packages the build, the tests and the benchmarks need.
PRIK_PACKAGES=(
  cmake g++ make pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev
  libssl-dev nlohmann-json3-dev libspdlog-dev
  libgtest-dev googletest libsqlite3-dev libstemmer-dev libicu-dev libhowardhinnant-date-dev libjemalloc-dev tzdata
  ca-certificates openssl
)

# Installs the packages that are missing; says nothing when everything is there.
prik_ensure_packages() {
  local missing=()
  local pkg
  for pkg in "${PRIK_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing missing packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# prik_build DIR BUILD_TYPE [extra cmake args...]
prik_build() {
  local dir=$1 type=$2
  shift 2
  cmake -S "$PRIK_ROOT" -B "$PRIK_ROOT/$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  cmake --build "$PRIK_ROOT/$dir" -j2
}
