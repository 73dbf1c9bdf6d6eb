#!/usr/bin/env bash
# Second command of the README: build and run every test —
#   1. formatting (clang-format), the layers (every #include against docs/architecture.md) and
#      the sizes (no .cc of 600 lines or more, no function over 120 lines),
#   2. the normal build and its tests, 3. the ASan+UBSan build and the same tests,
#   4. the ThreadSanitizer build of the concurrent parts (store, dispatch, channels) and their
#      tests, 5. the fuzz targets, coverage-guided, for a bounded time,
#   6. the console's end-to-end tests in a real browser (Debian's chromium) against this build's
#      `dispatcher demo` (GD_SKIP_E2E=1 skips them).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)
started=$SECONDS
# A stage's banner, with the minutes spent so far (CI keeps a full run under 60 minutes).
stage() { echo "== $* [$(((SECONDS - started) / 60)) min] =="; }

stage "format (clang-format)"
scripts/format.sh --check
stage "layers and sizes (scripts/check-includes.py, scripts/check-sizes.py)"
python3 scripts/check-includes.py
python3 scripts/check-sizes.py

stage "build (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
stage "tests"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 900

if [ "${GD_SKIP_SANITIZE:-0}" != 1 ]; then
  stage "build (ASan+UBSan)"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGD_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  stage "tests under ASan+UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 1800
fi

if [ "${GD_SKIP_TSAN:-0}" != 1 ]; then
  # The store's group commit and readers, the dispatch workers, leases and token cache, the
  # channel clients and the sandboxes: the code that runs on several threads at once. Left out:
  # the two tests that assert timing (a group commit actually shared by queued writes; the fault
  # test's token refreshes per expiry window and rate-limit counts), which ThreadSanitizer's 5-15x
  # slowdown changes; their code paths run here through the other tests.
  tsan_tests=(store_test dispatch_test rate_limiter_test channel_clients_test channel_sandbox_test)
  stage "build (ThreadSanitizer: ${tsan_tests[*]})"
  # -O1 -g1: ThreadSanitizer's usual trade (fast enough, line numbers in reports), and the
  # cheapest build of the four.
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
    -DCMAKE_C_FLAGS_DEBUG="-O1 -g1" -DGD_TSAN=ON >/dev/null
  cmake --build build-tsan -j"$jobs" --target "${tsan_tests[@]}"
  stage "tests under ThreadSanitizer"
  printf '%s\n' "${tsan_tests[@]}" | GD_SOURCE_DIR=$(pwd) \
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4 suppressions=$(pwd)/tests/tsan.supp" \
    GTEST_FILTER=-StoreWriteTest.QueuedWritesShareOneCommit \
    xargs -P"$jobs" -I{} sh -c 'build-tsan/bin/{} --gtest_brief=1 >build-tsan/{}.log 2>&1 \
      && echo "tsan: {} passed" || { cat build-tsan/{}.log; echo "tsan: {} FAILED"; exit 1; }'
fi

if [ "${GD_SKIP_FUZZ:-0}" != 1 ]; then
  stage "fuzz (bounded)"
  scripts/fuzz.sh
fi

if [ "${GD_SKIP_E2E:-0}" != 1 ]; then
  stage "console end-to-end (Chromium)"
  E2E_DISPATCHER=build/bin/dispatcher scripts/e2e.sh
fi
stage "all tests passed"
