#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK, only when missing (safe to run again).
# Later issues add Redis, Azurite and the Node MongoDB driver here.
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
