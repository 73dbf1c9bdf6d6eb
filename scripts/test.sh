#!/usr/bin/env bash
# Second command of the README: build and run every test — the normal build, then the
# ASan+UBSan build, then the fuzz targets for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

echo "== build (RelWithDebInfo) =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== tests =="
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600

if [ "${GD_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== build (ASan+UBSan) =="
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGD_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  echo "== tests under ASan+UBSan =="
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 1200
fi

if [ -x scripts/fuzz.sh ] && [ "${GD_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzz (bounded) =="
  scripts/fuzz.sh
fi
echo "== all tests passed =="
