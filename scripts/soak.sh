#!/usr/bin/env bash
# Soak mode: runs ./test.sh K times while N busy-loop processes keep the CPUs busy, so a test that
# races capture (or assumes anything is fast) fails here before it fails on a loaded CI machine.
#
#   scripts/soak.sh [--hogs N] [--runs K] [-- ARGS FOR test.sh]
#
#   --hogs N   busy-loop processes beside the tests (default 2: as many as CI has cores)
#   --runs K   how many times to run ./test.sh (default 1)
#   -- ARGS    passed to ./test.sh, which passes them to dotnet test, e.g.
#              scripts/soak.sh --runs 10 -- --filter "FullyQualifiedName~ClusterFailover"
#
# Prints one line per run (its "N passed, N failed, N skipped" line, the wall time, the failed
# tests' names) and a last line for all runs; exits non-zero when any run failed. Each run's full
# output and TRX files are kept under the log directory it prints. The hogs are stopped when the
# script ends, however it ends (success, failure, Ctrl-C); they also stop by themselves if this
# script is killed outright, since each one loops only while the script's process exists.
set -euo pipefail
cd "$(dirname "$0")/.."

hogs=2
runs=1
while (($#)); do
  case "$1" in
    --hogs) hogs="${2:?--hogs needs a number}"; shift 2 ;;
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown argument '$1' (test.sh arguments go after --)" >&2; exit 2 ;;
  esac
done
[[ "$hogs" =~ ^[0-9]+$ && "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "soak.sh: --hogs takes 0 or more, --runs 1 or more" >&2; exit 2; }

hog_pids=()
stop_hogs() {
  local pid
  for pid in "${hog_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${hog_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  hog_pids=()
}
trap stop_hogs EXIT
trap 'echo "soak.sh: interrupted" >&2; exit 130' INT TERM

for ((i = 0; i < hogs; i++)); do
  sh -c 'while kill -0 "$1" 2>/dev/null; do :; done' hog $$ &
  hog_pids+=("$!")
done

logs="${SOAK_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX")}"
mkdir -p "$logs"
echo "soak: $runs run(s) of ./test.sh $* beside $hogs busy-loop process(es) on $(nproc) CPU(s); logs in $logs"

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }

failed_runs=0
total_passed=0 total_failed=0 total_skipped=0
soak_started=$(now)
for ((run = 1; run <= runs; run++)); do
  started=$(now)
  status=0
  ./test.sh "$@" >"$logs/run-$run.log" 2>&1 || status=$?
  wall=$(seconds "$started" "$(now)")
  # test.sh clears TestResults/ when it starts: keep this run's TRX files with its log.
  [[ -d TestResults ]] && cp -r TestResults "$logs/run-$run-results"
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$logs/run-$run.log" | tail -n 1 || true)
  if [[ -z "$summary" ]]; then
    summary="no summary line (setup or build failed: see the log)"
    if ((status == 0)); then status=1; fi
  else
    read -r passed _ failed _ skipped _ <<<"${summary//,/}"
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    total_skipped=$((total_skipped + skipped))
  fi
  line="run $run/$runs: $summary in ${wall} s (exit $status)"
  if ((status != 0)); then
    failed_runs=$((failed_runs + 1))
    if [[ -d "$logs/run-$run-results" ]]; then
      names=$(python3 scripts/trx-summary.py "$logs/run-$run-results" --failed | paste -sd ' ' -)
      [[ -n "$names" ]] && line+="; failed: $names"
    fi
    line+="; log: $logs/run-$run.log"
  fi
  echo "$line"
done

echo "soak: all $runs run(s) beside $hogs hog(s): $total_passed passed, $total_failed failed, $total_skipped skipped; $failed_runs run(s) failed; $(seconds "$soak_started" "$(now)") s in all"
((failed_runs == 0))
