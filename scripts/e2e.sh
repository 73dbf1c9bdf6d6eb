#!/usr/bin/env bash
# End-to-end browser tests of the console: builds the console and the server if needed, starts
# `dispatcher demo` on a free loopback port with a fresh data directory, waits for /healthz,
# runs tests/e2e with node's test runner (playwright-core driving /usr/bin/chromium), stops the
# server. Exits non-zero on any failure. Screenshots land in tests/e2e/artifacts/.
#   E2E_BASE_URL=http://127.0.0.1:8080  test a server that is already running instead
#   E2E_DISPATCHER=path/to/dispatcher  use this binary instead of building build-e2e (e.g. the
#                                       test command's own build/bin/dispatcher)
#   E2E_SERVER=contract                 use tests/e2e/contract-server.mjs (the API contract in
#                                       memory) instead of the dispatcher
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

[ -x /usr/bin/chromium ] || [ -n "${E2E_CHROMIUM:-}" ] || {
  echo "e2e: /usr/bin/chromium is missing (apt-get install -y chromium)" >&2; exit 1; }

scripts/web-build.sh

stamp=tests/e2e/node_modules/.gd-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s tests/e2e/package-lock.json "$stamp"; then
  echo "== e2e: npm ci =="
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  cp tests/e2e/package-lock.json "$stamp"
fi

pid=""
data=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  [ -n "$data" ] && rm -rf "$data"
}
trap cleanup EXIT

base="${E2E_BASE_URL:-}"
if [ -z "$base" ]; then
  port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  data="$(mktemp -d -t gd-e2e.XXXXXX)"
  if [ "${E2E_SERVER:-dispatcher}" = contract ]; then
    echo "== e2e: contract server (in-memory API) on 127.0.0.1:$port =="
    node tests/e2e/contract-server.mjs --listen "127.0.0.1:$port" --web web/dist >"$data/server.log" 2>&1 &
  else
    bin="${E2E_DISPATCHER:-}"
    if [ -n "$bin" ] && [ ! -x "$bin" ]; then
      echo "e2e: E2E_DISPATCHER=$bin is not an executable file" >&2; exit 1
    fi
    if [ -z "$bin" ]; then
      # Its own build directory, so the test command's other builds are not disturbed.
      if [ ! -f build-e2e/build.ninja ]; then
        cmake -S . -B build-e2e -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
      fi
      echo "== e2e: build dispatcher (build-e2e) =="
      cmake --build build-e2e --target dispatcher -j"$(nproc)"
      bin=build-e2e/bin/dispatcher
    fi
    echo "== e2e: $bin demo on 127.0.0.1:$port =="
    # This checkout's templates and policies, also when the binary was built from another tree.
    "$bin" demo --listen "127.0.0.1:$port" --data "$data/var" --web web/dist \
      --templates templates --policies policies >"$data/server.log" 2>&1 &
  fi
  pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 120); do
    if curl -fsS "$base/healthz" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "e2e: the server exited before answering /healthz:" >&2; cat "$data/server.log" >&2; exit 1
    fi
    sleep 0.5
  done
  curl -fsS "$base/healthz" >/dev/null || { echo "e2e: no answer from $base/healthz" >&2; tail -50 "$data/server.log" >&2; exit 1; }
fi

echo "== e2e: browser tests against $base =="
set +e
# Files one after another (they share the demo's data); a hard bound on the whole run.
(cd tests/e2e && E2E_BASE_URL="$base" timeout 600 node --test --test-concurrency=1 --test-timeout=240000 ./*.test.mjs)
rc=$?
set -e
if [ $rc -ne 0 ] && [ -n "$data" ] && [ -f "$data/server.log" ]; then
  echo "---- server log (last 60 lines) ----" >&2; tail -60 "$data/server.log" >&2
fi
echo "screenshots: tests/e2e/artifacts/"
exit $rc
