#!/usr/bin/env bash
# Builds the web console into web/dist: npm ci (only when web/node_modules does not match
# web/package-lock.json), then vite build. Safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/../web"
command -v npm >/dev/null || { echo "web-build: npm is required (apt-get install nodejs npm)" >&2; exit 1; }
stamp=node_modules/.gd-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "== web: npm ci =="
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
echo "== web: vite build =="
node_modules/.bin/vite build --logLevel warn
test -f dist/index.html && test -f dist/vditor/dist/js/lute/lute.min.js
echo "web console built into web/dist"
