#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz and runs
# every target for SECONDS (default 60) on its seed corpus, with its
# dictionary when it has one, as many at once as there are cores. A crash
# fails the run (exit 123), prints the end of that target's log and leaves
# the input as build-fuzz/artifacts/<target>/crash-*.
#   bash scripts/fuzz.sh            # 60 s per target
#   bash scripts/fuzz.sh 600        # the 10-minute runs docs/fuzzing.md reports
#   bash scripts/fuzz.sh 10 oom_log # one target
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
only="${2:-}"
if [ -z "${FUZZ_NO_BUILD:-}" ]; then  # FUZZ_NO_BUILD=1: reuse build-fuzz (parallel runs)
  PIPEFIT_SETUP_FUZZ=1 bash scripts/setup.sh  # the build's packages, clang and libFuzzer's runtime
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPIPEFIT_FUZZ=ON \
    -DPIPEFIT_BUILD_TESTS=OFF -DPIPEFIT_BUILD_BENCH=OFF -DPIPEFIT_WERROR=ON >/dev/null
fi
targets=(safetensors_header sharded_index gguf_header pipeline_config python_script oom_log size_parse hub_listing api_request nvidia_smi measurement)
if [ -n "$only" ]; then
  printf '%s\n' "${targets[@]}" | grep -qx "$only" || { echo "fuzz: no target '$only'" >&2; exit 2; }
  targets=("$only")
fi
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  # Only the fuzz targets: the CLI and the server are not fuzzed.
  cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/%/_fuzz}" >build-fuzz/build.log 2>&1 ||
    { tail -40 build-fuzz/build.log >&2; exit 1; }
fi
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# One target: its stats on stderr, or the tail of its log and its exit status.
run_target() {
  local target="$1" corpus="build-fuzz/corpus/$1" artifacts="build-fuzz/artifacts/$1" dict=()
  mkdir -p "$corpus" "$artifacts"
  [ -f "fuzz/dict/$target.dict" ] && dict=(-dict="fuzz/dict/$target.dict")
  if ! "build-fuzz/${target}_fuzz" "$corpus" "fuzz/seeds/$target" "${dict[@]}" -max_total_time="$seconds" \
    -max_len=1048576 -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$artifacts/" -print_final_stats=1 \
    2> "build-fuzz/$target.log"; then
    local status=$?
    echo "fuzz: $target FAILED (exit $status); build-fuzz/$target.log ends:" >&2
    tail -40 "build-fuzz/$target.log" >&2
    return "$status"
  fi
  echo "fuzz: $target for ${seconds}s: $(grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec' \
    "build-fuzz/$target.log" | tr '\n' ' ')" >&2
}
export -f run_target
export seconds
# As many targets at once as there are cores; any failure fails the run.
printf '%s\n' "${targets[@]}" | xargs -P "$(nproc)" -I{} bash -c 'run_target "$1"' _ {}
