#!/usr/bin/env bash
# Installs what is needed, builds the release and asan presets, and runs every test:
# all labels (unit, integration, slow, lint) on the release build, and the unit and
# integration tests again under AddressSanitizer + UndefinedBehaviorSanitizer (the
# integration tests then drive the sanitized server, which must exit cleanly).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="$(nproc)"

"$ROOT/scripts/bootstrap.sh" release
"$ROOT/scripts/build.sh" asan

echo "== release: every test =="
ctest --preset release -j "$JOBS"
echo "== asan: unit and integration tests =="
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --preset asan -L "unit|integration" -j "$JOBS"
