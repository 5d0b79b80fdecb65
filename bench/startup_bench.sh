#!/usr/bin/env bash
# Start-up cost of commands that stay offline, as a ratio against a trivial C
# program (`int main(void) { return 0; }`) compiled and timed in the same run:
# what is left is pipefit's own start-up (dynamic loading, static
# initialisers, the command's work), not the machine's fork/exec cost.
# See docs/benchmarks.md; target: <= 2x for --version and offline inspect.
#
#   bash bench/startup_bench.sh              (RUNS=N, default 300; ROUNDS=N, default 10)
#   PIPEFIT=/path/to/pipefit bash bench/startup_bench.sh
#                                            (time another build without
#                                             building this one)
#   BASELINE=/path/to/old/pipefit bash bench/startup_bench.sh
#                                            (adds an older build's rows to
#                                             the same run)
#
# Uses hyperfine (apt install hyperfine) with --shell=none when it is
# installed; otherwise a bash loop around `date +%s%N`, which adds the
# shell's fork/exec to every command alike and so understates the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-300}

source bench/bench_env.sh
pipefit_binary

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
printf 'int main(void) { return 0; }\n' >"$WORK/trivial.c"
${CC:-cc} -O2 -o "$WORK/trivial" "$WORK/trivial.c"
# The floor for any C++ program linked like pipefit: libstdc++ is shared
# (fmt and simdjson, shared in Debian, need it), and its loading and
# initialisation alone cost about as much again as the trivial program.
printf '#include <iostream>\nint main() { std::cout.flush(); return 0; }\n' >"$WORK/trivial.cc"
${CXX:-c++} -O2 -o "$WORK/trivial_cxx" "$WORK/trivial.cc"

# Nothing outside the temp dir is read or written, and nothing goes online.
isolated_env "$WORK"
NAMES=("trivial C program" "trivial C++ program (shared libstdc++)" "pipefit --version"
       "pipefit inspect flux.1-dev --offline" "pipefit hw")
COMMANDS=("$WORK/trivial" "$WORK/trivial_cxx" "$PIPEFIT --version" "$PIPEFIT inspect flux.1-dev --offline"
          "$PIPEFIT hw")
# BASELINE=/path/to/another/pipefit adds its rows to the same run (the
# before/after figures in docs/benchmarks.md).
if [[ -n "${BASELINE:-}" ]]; then
  NAMES+=("baseline --version" "baseline inspect flux.1-dev --offline")
  COMMANDS+=("$BASELINE --version" "$BASELINE inspect flux.1-dev --offline")
fi
for command in "${COMMANDS[@]}"; do
  $command >/dev/null || { echo "startup_bench: '$command' failed" >&2; exit 1; }
done

# Interleaved: ROUNDS rounds, each timing every command RUNS/ROUNDS times,
# so a build starting on a shared machine slows all of them alike instead of
# whichever command happened to be running.
ROUNDS=${ROUNDS:-10}
PER_ROUND=$(( (RUNS + ROUNDS - 1) / ROUNDS ))
: >"$WORK/times"
if command -v hyperfine >/dev/null; then
  METHOD="hyperfine --shell=none"
  for round in $(seq "$ROUNDS"); do
    hyperfine --shell=none --warmup 3 --runs "$PER_ROUND" --style none --export-json "$WORK/round.json" \
      "${COMMANDS[@]}" >/dev/null 2>"$WORK/hyperfine.err" || { cat "$WORK/hyperfine.err" >&2; exit 1; }
    python3 -c '
import json, sys
for i, r in enumerate(json.load(open(sys.argv[1]))["results"]):
    for t in r["times"]:
        print(i, t * 1e3)' "$WORK/round.json" >>"$WORK/times"
  done
else
  METHOD="bash loop with date +%s%N (adds the shell's fork/exec to every command, so ratios are understated)"
  for round in $(seq "$ROUNDS"); do
    for i in "${!COMMANDS[@]}"; do
      for _ in $(seq "$PER_ROUND"); do
        start=$(date +%s%N)
        ${COMMANDS[$i]} >/dev/null
        end=$(date +%s%N)
        echo "$i $(( end - start ))" | awk '{ print $1, $2 / 1e6 }'
      done
    done
  done >>"$WORK/times"
fi

echo "start-up: $METHOD, $((ROUNDS * PER_ROUND)) runs each in $ROUNDS interleaved rounds; $(nproc) CPUs, $(uname -m)"
python3 - "$WORK/times" "${NAMES[@]}" <<'PY'
import statistics, sys
names = sys.argv[2:]
times = [[] for _ in names]
for line in open(sys.argv[1]):
    i, ms = line.split()
    times[int(i)].append(float(ms))
stats = [(statistics.mean(t), statistics.stdev(t), statistics.median(t), min(t)) for t in times]
base = stats[0]
print(f"{'command':<40} {'mean ms':>8} {'± ms':>6} {'ratio':>6}   {'median ms':>9} {'ratio':>6}   {'min ms':>6}")
for name, (mean, sd, median, low) in zip(names, stats):
    print(f"{name:<40} {mean:8.2f} {sd:6.2f} {mean / base[0]:5.2f}x   {median:9.2f} {median / base[2]:5.2f}x   {low:6.2f}")
PY
