#!/usr/bin/env bash
# First command of the README: install what is missing, build, start the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
GD_WITH_BROWSER=0 scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target dispatcher -j"$(nproc)"
scripts/web-build.sh
exec build/bin/dispatcher demo "$@"
