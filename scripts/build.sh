#!/usr/bin/env bash
# Configures (once) and builds one CMake preset: build.sh [release|debug|asan|tsan].
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESET="${1:-release}"
cd "$ROOT"
if [[ ! -f "build/$PRESET/build.ninja" ]]; then
  cmake --preset "$PRESET" >/dev/null
fi
cmake --build --preset "$PRESET"
