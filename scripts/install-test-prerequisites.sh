#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK, only when missing (safe to run again).
# Later issues add Redis and Azurite here.
set -euo pipefail
need=()
command -v python3 >/dev/null || need+=(python3)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing: ${need[*]}. Install them (or run this script as root)." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

# The Node MongoDB driver for the cross-check of the Mongo wire-protocol test server (tests/mongo-crosscheck).
# npm ci runs only when node_modules is missing or older than the lock file, so a second run is instant.
root="$(cd "$(dirname "$0")/.." && pwd)"
crosscheck="$root/tests/mongo-crosscheck"
node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
  echo "Node.js $(node --version) is too old for the MongoDB cross-check: it needs Node 20.19 or later." >&2
  exit 1
fi
if [[ ! -f "$crosscheck/node_modules/.package-lock.json" || "$crosscheck/package-lock.json" -nt "$crosscheck/node_modules/.package-lock.json" ]]; then
  (cd "$crosscheck" && npm ci --no-audit --no-fund --loglevel=error)
fi
