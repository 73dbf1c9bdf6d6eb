#!/usr/bin/env bash
# The dispatch benchmark of issue 5, one command: builds dispatch_bench (Release -O2, own build
# directory) and runs it. Extra arguments go to dispatch_bench
# (--runs N --latency-ms MS --tickets N --rate N; defaults 3, 200, 1000, 25).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD_DIR:-build-bench-dispatch}
# -O2: at -O3 g++ 12 raises false -Wrestrict errors (GCC bug 105651) in code built with -Werror.
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DGD_BENCH=ON >/dev/null
cmake --build "$BUILD" --target dispatch_bench >/dev/null
exec "$BUILD/bin/dispatch_bench" "$@"
