#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK, only when missing (safe to run again).
# Later issues add Redis, Azurite and the Node MongoDB driver here; the Cosmos test server's Node
# packages are installed at the end.
set -euo pipefail
need=()
command -v python3 >/dev/null || need+=(python3)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing: ${need[*]}. Install them (or run this script as root)." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

# Node packages of the Cosmos gateway test server (tests/cosmos-test-server): `npm ci` only when
# node_modules is missing or package-lock.json changed since the last install (a stamp holds its
# hash). No audit, no funding message, no update check.
cosmos_server="$(cd "$(dirname "$0")/.." && pwd)/tests/cosmos-test-server"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing: node and npm (Node.js 20+) for tests/cosmos-test-server. Install them (or run this script as root)." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
  echo "tests/cosmos-test-server needs Node.js 20 or later (found $(node --version))." >&2
  exit 1
fi
lock_hash=$(sha256sum "$cosmos_server/package-lock.json" | cut -d' ' -f1)
stamp="$cosmos_server/node_modules/.installed-lock.sha256"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_hash" ]]; then
  (cd "$cosmos_server" && NPM_CONFIG_UPDATE_NOTIFIER=false npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" >"$stamp"
fi
