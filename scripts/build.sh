#!/usr/bin/env bash
# Configures (once) and builds one CMake preset: build.sh [release|debug|asan|tsan].
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESET="${1:-release}"
cd "$ROOT"
# Share ccache hits between clones in different folders (CI builds a fresh clone).
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=true
if [[ ! -f "build/$PRESET/build.ninja" ]]; then
  cmake --preset "$PRESET" >/dev/null
fi
cmake --build --preset "$PRESET"
