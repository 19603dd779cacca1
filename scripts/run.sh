#!/usr/bin/env bash
# Installs what is needed, builds, and runs sluice's main job on embedded defaults: the
# server on 127.0.0.1:4567 with the data folder ./sluice-data, in the foreground, with the
# demo stream `taxi-trips` (ON_DEMAND) created.
# Extra arguments go to `sluice demo` (the same flags as `sluice serve`).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh" release
exec "$ROOT/build/release/sluice" demo "$@"
