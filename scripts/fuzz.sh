#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz and runs
# every target for SECONDS (default 60) on its seed corpus, with its
# dictionary when it has one. A crash stops the script with the target's
# exit status and leaves the input as build-fuzz/artifacts/<target>/crash-*.
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
  cmake --build build-fuzz -j"$(nproc)" >build-fuzz/build.log 2>&1 || { tail -40 build-fuzz/build.log >&2; exit 1; }
fi
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for target in safetensors_header sharded_index gguf_header pipeline_config python_script oom_log size_parse hub_listing api_request nvidia_smi; do
  [ -n "$only" ] && [ "$only" != "$target" ] && continue
  corpus="build-fuzz/corpus/$target"
  artifacts="build-fuzz/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  dict=()
  [ -f "fuzz/dict/$target.dict" ] && dict=(-dict="fuzz/dict/$target.dict")
  echo "fuzz: $target for ${seconds}s" >&2
  "build-fuzz/${target}_fuzz" "$corpus" "fuzz/seeds/$target" "${dict[@]}" -max_total_time="$seconds" \
    -max_len=1048576 -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$artifacts/" -print_final_stats=1 \
    2> "build-fuzz/$target.log" || { tail -40 "build-fuzz/$target.log" >&2; exit 1; }
  grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec' "build-fuzz/$target.log" | tr '\n' ' ' >&2
  echo >&2
done
