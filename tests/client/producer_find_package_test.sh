#!/usr/bin/env bash
# find_package(SluiceProducer) from outside the tree: installs the producer component of a
# sluice build into a temporary prefix, then configures, builds and runs
# find_package_consumer/ against it.
# Usage: producer_find_package_test.sh <build dir> <C++ compiler> [cmake configure args...]
# (the build's generator and flags: a sanitizer build's libraries need them to link).
set -euo pipefail

build_dir="$1"
compiler="$2"
shift 2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" --component producer
# The package needs only what the producer uses: not the server's SQLite or yaml-cpp.
if grep -rlE "SQLite|yaml" "$work/prefix/lib"*/cmake/SluiceProducer; then
  echo "the installed package depends on SQLite or yaml-cpp" >&2
  exit 1
fi
cmake -S "$(dirname "${BASH_SOURCE[0]}")/find_package_consumer" -B "$work/build" \
  -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_PREFIX_PATH="$work/prefix" "$@"
cmake --build "$work/build"
"$work/build/find_package_consumer"
