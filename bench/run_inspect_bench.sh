#!/usr/bin/env bash
# Builds the Release benchmark and prints inspect time against the time to
# only read the same header bytes, as a ratio measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target inspect_bench >/dev/null
./build/inspect_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_format=json --benchmark_out=build/inspect_bench.json --benchmark_out_format=json >/dev/null
python3 - <<'PY'
import json
runs = json.load(open("build/inspect_bench.json"))["benchmarks"]
median = {r["run_name"]: r["real_time"] for r in runs if r.get("aggregate_name") == "median"}
read, inspect = median["BM_ReadHeaderBytesOnly"], median["BM_InspectFluxFolder"]
print(f"read header bytes only : {read:8.3f} ms (median of 5)")
print(f"pipefit inspect (bf16) : {inspect:8.3f} ms (median of 5)")
print(f"ratio inspect / read   : {inspect / read:8.2f}x")
PY
