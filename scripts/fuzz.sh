#!/usr/bin/env bash
# Bounded libFuzzer runs under ASan+UBSan, coverage-guided: the checks (matcher + Markdown walker
# + rule families), the sanitiser and every channel's formatter, and the HTTP router (every API
# route in-process, as every role). CMake builds the targets (GD_FUZZ=ON, clang) into build-fuzz/
# from the product's own libraries (tests/fuzz/CMakeLists.txt), so the fuzzers test exactly the
# sources the product ships. Exits non-zero on a crash or a broken invariant.
# GD_FUZZ_SECONDS (default 60) bounds each target's run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=build-fuzz
cc=${CLANG:-clang}
cxx=${CLANGXX:-clang++}
if ! command -v "$cxx" >/dev/null; then
  echo "fuzz: $cxx 未安装（scripts/install-deps.sh 会安装 clang）" >&2
  exit 1
fi
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
echo "fuzz: building checks_fuzz formatters_fuzz router_fuzz in $out"
# -O1 with line tables only: the usual libFuzzer trade between speed and readable stacks, at the
# least compile time.
cmake -S . -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" \
  -DCMAKE_C_FLAGS_DEBUG="-O1 -gline-tables-only" -DGD_FUZZ=ON -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_CXX_COMPILER="$cxx" "${launcher[@]}" >/dev/null
cmake --build "$out" -j"$(nproc)" --target checks_fuzz formatters_fuzz router_fuzz
bin=$out/bin
mkdir -p "$out/corpus" "$out/fcorpus" "$out/rcorpus"

# Seeds. Checks: the bodies of the golden cases after a dictionary + text sample. Formatters: the
# test articles. Router: 4 selector bytes (route, user, path ids, query) before each body of
# tests/fuzz/router_seed_bodies.txt, as tests/fuzz/replay_main.cc does.
python3 - "$out" <<'PY'
import json, glob, os, sys, hashlib
out = sys.argv[1]
def put(d, seed):
    open(os.path.join(out, d, hashlib.sha1(seed).hexdigest()), 'wb').write(seed)
for f in sorted(glob.glob('tests/testdata/checks/*.jsonl')):
    for line in open(f, encoding='utf-8'):
        if not line.strip() or line.startswith('#'):
            continue
        body = json.loads(line).get('body', '')
        put('corpus', ('机密\n密\n国家机密\nhe\nshe\n\n' + body).encode())
for f in glob.glob('tests/testdata/articles/*.md'):
    put('fcorpus', open(f, 'rb').read())
bodies = open('tests/fuzz/router_seed_bodies.txt', 'rb').read().split(b'\n')[:-1]
for route in range(0, 256, 3):
    for b, body in enumerate(bodies):
        put('rcorpus', bytes([route, b % 10, b % 256, b % 256]) + body)
PY

seconds=${GD_FUZZ_SECONDS:-60}
run() {
  local name=$1 corpus=$2 max_len=$3
  echo "fuzz: running $name for ${seconds}s"
  GD_SOURCE_DIR="$root" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin/$name" -seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$out/" "$corpus"
  echo "fuzz: $name finished without a crash"
}
run checks_fuzz "$out/corpus" 8192
run formatters_fuzz "$out/fcorpus" 8192
run router_fuzz "$out/rcorpus" 4096
