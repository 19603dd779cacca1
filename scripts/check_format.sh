#!/usr/bin/env bash
# Fails if any tracked C++ file differs from .clang-format (lists the files).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
files=$(git ls-files '*.cc' '*.h' 2>/dev/null || find src tests bench client -name '*.cc' -o -name '*.h')
unformatted=()
for file in $files; do
  if ! clang-format --dry-run --Werror "$file" >/dev/null 2>&1; then unformatted+=("$file"); fi
done
if (( ${#unformatted[@]} > 0 )); then
  echo "not clang-formatted (run: clang-format -i <file>):"
  printf '  %s\n' "${unformatted[@]}"
  exit 1
fi
echo "all $(echo "$files" | wc -w) C++ files are clang-formatted"
