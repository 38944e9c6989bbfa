#!/usr/bin/env bash
# The one test command. On a fresh machine it installs what the tests need (idempotently), builds,
# runs every test project, and ends with one line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
configuration="${CONFIGURATION:-Release}"
results="$(pwd)/TestResults"
rm -rf "$results"
mkdir -p "$results"

./scripts/install-test-prerequisites.sh

dotnet build SnapshotService.sln -c "$configuration" -nologo -clp:ErrorsOnly

status=0
dotnet test SnapshotService.sln -c "$configuration" --no-build -nologo \
  --logger "trx" --results-directory "$results" --blame-hang-timeout 5m "$@" || status=$?

summary=$(python3 scripts/trx-summary.py "$results")
echo "$summary"
if [[ $status -ne 0 ]]; then
  exit "$status"
fi
