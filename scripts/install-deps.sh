#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs (only those missing). Needs root or sudo.
set -euo pipefail
pkgs=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libcpp-httplib-dev libssl-dev nlohmann-json3-dev libsqlitecpp-dev libsqlite3-dev sqlite3
  libfmt-dev libgtest-dev libkainjow-mustache-dev libmd4c-dev libmd4c-html0-dev libgumbo-dev
  libxlsxwriter-dev libcli11-dev zlib1g-dev
  clang clang-format libclang-rt-14-dev
)
pkgs+=(nodejs npm)  # the console is built with npm packages
if [ "${GD_WITH_BROWSER:-1}" = 1 ]; then
  pkgs+=(chromium fonts-noto-cjk)  # browser tests; CJK fonts for readable screenshots
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm may come from elsewhere on the machine; accept them if present.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "安装缺少的软件包 / installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
