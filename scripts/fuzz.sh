#!/usr/bin/env bash
# Bounded libFuzzer run of the checks (matcher + Markdown walker + rule families) under ASan.
# Builds with clang++ directly into build-fuzz/; exits non-zero on a crash or a failed invariant.
# GD_FUZZ_SECONDS (default 60) bounds the run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=build-fuzz
mkdir -p "$out/corpus"
cxx=${CLANGXX:-clang++}
if ! command -v "$cxx" >/dev/null; then
  echo "fuzz: $cxx 未安装（scripts/install-deps.sh 会安装 clang）" >&2
  exit 1
fi
core=(status time_util crypto utf8 json_util log)
srcs=(tests/fuzz/checks_fuzz.cc dispatcher/checks/*.cc $(printf "dispatcher/core/%s.cc " "${core[@]}") dispatcher/model/content.cc)
echo "fuzz: building $out/checks_fuzz"
"$cxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$root" -DGD_SOURCE_DIR="\"$root\"" "${srcs[@]}" \
  $(pkg-config --cflags --libs md4c) -lcrypto -lfmt -o "$out/checks_fuzz"

# Seeds: the bodies of the golden cases and a dictionary + text sample.
python3 - "$out/corpus" <<'PY'
import json, glob, os, sys, hashlib
out = sys.argv[1]
for f in sorted(glob.glob('tests/testdata/checks/*.jsonl')):
    for line in open(f, encoding='utf-8'):
        if not line.strip() or line.startswith('#'):
            continue
        body = json.loads(line).get('body', '')
        seed = ('机密\n密\n国家机密\nhe\nshe\n\n' + body).encode()
        open(os.path.join(out, hashlib.sha1(seed).hexdigest()), 'wb').write(seed)
PY

seconds=${GD_FUZZ_SECONDS:-60}
echo "fuzz: running checks_fuzz for ${seconds}s"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  "$out/checks_fuzz" -seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=8192 -print_final_stats=1 -artifact_prefix="$out/" "$out/corpus"
echo "fuzz: checks_fuzz finished without a crash"

# Markdown and raw HTML through the sanitiser and every channel's formatter.
fsrcs=(tests/fuzz/formatters_fuzz.cc channels/builtin_channels.cc channels/channel_limits.cc
  channels/formatter_util.cc channels/short_video_formatter.cc channels/portal/formatter.cc
  channels/wechat_mp/formatter.cc channels/weibo/formatter.cc channels/douyin/formatter.cc
  channels/kuaishou/formatter.cc channels/manual/formatter.cc dispatcher/render/*.cc
  $(printf "dispatcher/core/%s.cc " "${core[@]}") dispatcher/model/content.cc)
echo "fuzz: building $out/formatters_fuzz"
"$cxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$root" -DGD_SOURCE_DIR="\"$root\"" "${fsrcs[@]}" \
  $(pkg-config --cflags --libs md4c-html md4c gumbo) -lcrypto -lfmt -o "$out/formatters_fuzz"
mkdir -p "$out/fcorpus"
cp tests/testdata/articles/*.md "$out/fcorpus/" 2>/dev/null || true
echo "fuzz: running formatters_fuzz for ${seconds}s"
GD_SOURCE_DIR="$root" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  "$out/formatters_fuzz" -seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=8192 -print_final_stats=1 -artifact_prefix="$out/" "$out/fcorpus"
echo "fuzz: formatters_fuzz finished without a crash"
