#!/usr/bin/env bash
# clang-format over the project's C++ sources. `--check` fails (listing the files) on any diff.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.h' '*.cc' | grep -vE '^(web|tests/e2e)/')
if [ "${1:-}" = "--check" ]; then
  bad=()
  for f in "${files[@]}"; do
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
  done
  if [ ${#bad[@]} -gt 0 ]; then
    echo "这些文件的格式与 .clang-format 不一致（运行 scripts/format.sh 修正）/ not clang-formatted:" >&2
    printf '  %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "format: ${#files[@]} files ok"
else
  clang-format -i "${files[@]}"
fi
