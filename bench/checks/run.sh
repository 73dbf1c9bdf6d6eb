#!/usr/bin/env bash
# Checks matcher benchmark, one command: bench/checks/run.sh
# Installs what it needs (Debian packages), builds the corpus and the dictionaries once under
# build-bench/checks-data/ (cached), builds checks_bench, then per dictionary measures
# pyahocorasick, ours and Hyperscan in rounds, one scan of each per round. Exit status 2 if any
# match count differs from the reference.
# Environment: RUNS (scan rounds, default 5), PY_RUNS (rounds that include a pyahocorasick scan,
# default RUNS), BUILD_RUNS (default 3),
# CORPUS_MB (default 50), BUILD_DIR (default build-bench).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/bench/checks
BUILD=${BUILD_DIR:-$ROOT/build-bench}
DATA=$BUILD/checks-data
RUNS=${RUNS:-5}
PY_RUNS=${PY_RUNS:-$RUNS}
BUILD_RUNS=${BUILD_RUNS:-3}
CORPUS_MB=${CORPUS_MB:-50}
PY=/usr/bin/python3  # Debian's interpreter: python3-ahocorasick and python3-jieba live there

PACKAGES=(libhyperscan-dev python3-ahocorasick python3-jieba libreoffice-help-zh-cn
  debian-reference-zh-cn gimp-help-zh-cn debian-handbook manpages-zh debian-edu-doc-zh-cn
  maint-guide-zh-cn debian-faq-zh-cn cmake ninja-build g++ pkg-config)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=
  [[ $(id -u) -eq 0 ]] || SUDO=sudo
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

mkdir -p "$DATA"
stamp="$(sha256sum "$HERE/make_corpus.py" "$HERE/make_dicts.py" | sha256sum | cut -c1-16)-$CORPUS_MB"
if [[ ! -f $DATA/stamp || $(cat "$DATA/stamp") != "$stamp" ]]; then
  "$PY" "$HERE/make_corpus.py" "$DATA/corpus.txt" "$CORPUS_MB" >&2
  # pyahocorasick's slice: the first 4 MiB (unique prose), cut at a line end.
  head -c $((4 * 1024 * 1024)) "$DATA/corpus.txt" | sed '$d' >"$DATA/corpus_py.txt"
  "$PY" "$HERE/make_dicts.py" "$DATA" >&2
  echo "$stamp" >"$DATA/stamp"
fi
DICTS=()
for size in 1k 10k 100k; do
  for kind in dense sparse; do DICTS+=("$DATA/${kind}_${size}.txt"); done
done

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DGD_BENCH=ON >/dev/null
ninja -C "$BUILD" checks_bench >&2

exec "$BUILD/bin/checks_bench" --corpus "$DATA/corpus.txt" --py-corpus "$DATA/corpus_py.txt" \
  --py-bench "$PY $HERE/py_bench.py" --py-runs "$PY_RUNS" --runs "$RUNS" \
  --build-runs "$BUILD_RUNS" --markdown "$DATA/report.md" "${DICTS[@]}"
