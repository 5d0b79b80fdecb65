#!/usr/bin/env bash
# `pipefit plan ENTRY --offline` for every built-in catalog entry, as a
# ratio against `pipefit inspect ENTRY --offline` of the same entry timed in
# the same run (the measurement alone: parsing the embedded manifests), and
# in milliseconds per call. Target (issue 13): every plan under 50 ms.
# See docs/benchmarks.md.
#
#   bash bench/plan_bench.sh                 (RUNS=N per command, default 20)
#   PIPEFIT=/path/to/pipefit bash bench/plan_bench.sh
#
# Fixed hardware (--gpu rtx-4090 --ram 64GiB) so the run does not probe the
# machine; HOME and the caches point into a temp dir, nothing goes online.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-20}
source bench/bench_env.sh
pipefit_binary
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
isolated_env "$WORK"

# Milliseconds per run of "$@" (wall clock, RUNS runs, output discarded).
time_ms() {
  local start end
  start=$(date +%s%N)
  for ((i = 0; i < RUNS; i++)); do "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; done
  end=$(date +%s%N)
  echo $(((end - start) / RUNS / 1000))
}

mapfile -t REPOS < <("$PIPEFIT" catalog --json | python3 -c 'import json,sys; [print(e["repo"]) for e in json.load(sys.stdin)["entries"]]')
printf '%-52s %12s %12s %7s\n' "catalog entry" "inspect ms" "plan ms" "ratio"
worst=0
for repo in "${REPOS[@]}"; do
  inspect_us=$(time_ms "$PIPEFIT" inspect "$repo" --offline)
  plan_us=$(time_ms "$PIPEFIT" plan "$repo" --offline --gpu rtx-4090 --ram 64GiB)
  ratio=$(python3 -c "print(f'{$plan_us / max($inspect_us, 1):.2f}')")
  printf '%-52s %12.1f %12.1f %6sx\n' "$repo" "$(python3 -c "print($inspect_us/1000)")" "$(python3 -c "print($plan_us/1000)")" "$ratio"
  (( plan_us > worst )) && worst=$plan_us
done
printf '\nslowest plan: %.1f ms (target: under 50 ms)\n' "$(python3 -c "print($worst/1000)")"
