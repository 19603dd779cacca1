#!/usr/bin/env bash
# Installs everything sluice needs on Debian 12 (as root), fetches the pinned DuckDB
# library and header, and builds the given CMake preset (default: release).
# Idempotent: a second run installs nothing and only rebuilds what changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESET="${1:-release}"

DEBIAN_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates clang-format
  libboost1.81-dev libssl-dev libsimdjson-dev libsqlite3-dev
  libsnappy-dev libzstd-dev liblz4-dev zlib1g-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev libexpected-dev libnghttp2-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-boto3 python3-botocore awscli
)

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

install_debian_packages() {
  local missing
  missing="$(missing_packages "${DEBIAN_PACKAGES[@]}")"
  if ! command -v npm >/dev/null 2>&1; then
    missing="$missing nodejs npm"
  fi
  if [[ -n "${missing// /}" ]]; then
    echo "bootstrap: installing Debian packages:" $missing
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
  fi
}

main() {
  install_debian_packages
  "$ROOT/scripts/fetch_duckdb.sh"
  "$ROOT/scripts/build.sh" "$PRESET"
}

main "$@"
