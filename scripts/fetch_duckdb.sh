#!/usr/bin/env bash
# Fetches DuckDB's shared library and C header, pinned, from the npm registry into
# third_party/duckdb/ (git-ignored). `npm pack` only downloads the tarballs; nothing is
# compiled or installed globally. A second run with the files in place does nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/third_party/duckdb"
LIB_PACKAGE="@duckdb/node-bindings-linux-x64@1.4.4-r.4"
HEADER_PACKAGE="duckdb@1.4.4"
STAMP="$DEST/.pinned"
PINNED="$LIB_PACKAGE $HEADER_PACKAGE"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$PINNED" && -f "$DEST/lib/libduckdb.so" && -f "$DEST/include/duckdb.h" ]]; then
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "bootstrap: fetching $LIB_PACKAGE and $HEADER_PACKAGE"
lib_tgz="$(npm pack --silent "$LIB_PACKAGE")"
header_tgz="$(npm pack --silent "$HEADER_PACKAGE")"
mkdir lib header
tar -xzf "$lib_tgz" -C lib
tar -xzf "$header_tgz" -C header package/src/duckdb/src/include/duckdb.h

mkdir -p "$DEST/lib" "$DEST/include"
so="$(find lib -name 'libduckdb.so' | head -n1)"
[[ -n "$so" ]] || { echo "bootstrap: libduckdb.so not found in $LIB_PACKAGE" >&2; exit 1; }
cp "$so" "$DEST/lib/libduckdb.so"
cp header/package/src/duckdb/src/include/duckdb.h "$DEST/include/duckdb.h"
echo "$PINNED" > "$STAMP"
