#!/usr/bin/env bash
# Installs the pinned aws-kinesis-agg, AWS's JavaScript implementation of the KPL aggregated
# record format, into third_party/node (git-ignored) for kpl_interop_test, the way
# bench/kinesis_bench.py installs kinesalite. Run by CTest as the setup of that test; a
# second run with the pinned version in place does nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEST="$ROOT/third_party/node"
PINNED="4.2.8"

installed_version() {
  node -p "require('$DEST/node_modules/aws-kinesis-agg/package.json').version" 2>/dev/null || true
}

[[ "$(installed_version)" == "$PINNED" ]] && exit 0
mkdir -p "$DEST"
# One install at a time (the release and asan runs may overlap on a developer's machine).
exec 9>"$DEST/.aws-kinesis-agg.lock"
flock 9
[[ "$(installed_version)" == "$PINNED" ]] && exit 0
echo "installing aws-kinesis-agg@$PINNED into $DEST"
npm install --no-audit --no-fund --save-exact --prefix "$DEST" "aws-kinesis-agg@$PINNED"
[[ "$(installed_version)" == "$PINNED" ]] || { echo "aws-kinesis-agg@$PINNED did not install" >&2; exit 1; }
