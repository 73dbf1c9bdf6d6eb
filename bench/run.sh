#!/usr/bin/env bash
# bench/run.sh NAME [ARGS...]: runs the benchmark bench/NAME/run.sh.
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
if [[ $# -lt 1 || ! -x $dir/$1/run.sh ]]; then
  echo "usage: bench/run.sh NAME [ARGS...]; NAME is one of:" $(cd "$dir" && ls -d */ | tr -d /) >&2
  exit 1
fi
name=$1
shift
exec "$dir/$name/run.sh" "$@"
