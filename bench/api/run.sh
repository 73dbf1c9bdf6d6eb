#!/usr/bin/env bash
# The API benchmark of issue 2, one command: builds dispatcher and api_bench (Release, own build
# directory) and runs lifecycles at 1, 8 and 32 clients plus both ceilings. Extra arguments go to
# api_bench (e.g. --runs 5 --seconds 4 --keep).
set -euo pipefail
cd "$(dirname "$0")/../.."
# Release at -O2, the optimisation level the default (RelWithDebInfo) build ships with: at -O3
# g++ 12 raises false -Wrestrict errors (GCC bug 105651) in code built with -Werror.
cmake -S . -B build-bench-api -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DGD_BENCH=ON >/dev/null
cmake --build build-bench-api --target dispatcher api_bench -j"$(nproc)" >/dev/null
exec build-bench-api/bin/api_bench --dispatcher build-bench-api/bin/dispatcher "$@"
