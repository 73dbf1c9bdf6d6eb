#!/usr/bin/env bash
# Second command of the README: build and run every test —
#   1. formatting (clang-format), 2. the normal build and its tests,
#   3. the ASan+UBSan build and the same tests, 4. the fuzz targets for a bounded time,
#   5. the console's end-to-end tests in a real browser (Debian's chromium) against this build's
#      `dispatcher demo` (GD_SKIP_E2E=1 skips them).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

echo "== format (clang-format) =="
scripts/format.sh --check

echo "== build (RelWithDebInfo) =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== tests =="
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 900

if [ "${GD_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== build (ASan+UBSan) =="
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGD_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  echo "== tests under ASan+UBSan =="
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 1800
fi

if [ "${GD_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzz (bounded) =="
  scripts/fuzz.sh
fi

if [ "${GD_SKIP_E2E:-0}" != 1 ]; then
  echo "== console end-to-end (Chromium) =="
  E2E_DISPATCHER=build/bin/dispatcher scripts/e2e.sh
fi
echo "== all tests passed =="
