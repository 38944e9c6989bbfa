#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK, only when missing (safe to run again):
# python3 (test summary), redis-server (cluster membership for the failover tests; the tests start
# their own on loopback, never the system service), chromium (the operator page's headless browser
# test; the test starts it with networking confined to loopback), Node.js 20+ with npm, and the Node packages of the test tree — the
# MongoDB driver for the Mongo test server's cross-check (tests/mongo-crosscheck) and the Cosmos
# gateway test server with its SDK cross-check (tests/cosmos-test-server), and Azurite 3.35.0 for the
# blob export store tests (tests/azurite; started by the tests with --disableTelemetry on loopback).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
need=()
command -v python3 >/dev/null || need+=(python3)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing: ${need[*]}. Install them (or run this script as root)." >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
  echo "The test tree's Node packages need Node.js 20 or later (found $(node --version))." >&2
  exit 1
fi

# `npm ci` in a folder only when node_modules is missing or package-lock.json changed since the
# last install (a stamp holds its hash). No audit, no funding message, no update check.
npm_ci_if_changed() {
  local folder="$1"
  local lock_hash stamp
  lock_hash=$(sha256sum "$folder/package-lock.json" | cut -d' ' -f1)
  stamp="$folder/node_modules/.installed-lock.sha256"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_hash" ]]; then
    (cd "$folder" && NPM_CONFIG_UPDATE_NOTIFIER=false npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_hash" >"$stamp"
  fi
}
npm_ci_if_changed "$root/tests/mongo-crosscheck"
npm_ci_if_changed "$root/tests/cosmos-test-server"
# Azurite 3.35.0 (the Azure Storage emulator) for the blob store conformance and crash tests.
npm_ci_if_changed "$root/tests/azurite"
