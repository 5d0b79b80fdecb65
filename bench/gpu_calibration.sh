#!/usr/bin/env bash
# The prepared GPU calibration run (issue 18; docs/measure.md "A calibration
# run"). On a GPU machine with torch, transformers and accelerate but no
# diffusers and no internet, it
#   1. installs the diffusers source tree brought along with the build
#      (build/diffusers-src, or --diffusers-src DIR) with
#      pip install --no-deps --no-build-isolation, unless diffusers imports;
#   2. writes random-weight probes (`pipefit measure --random-weights`, no
#      download) for FLUX.1-dev on the single-GPU placements and weights kinds
#      below, plus Wan 2.1 1.3B (a video family), planned for this machine's
#      GPU, and runs each under a time limit;
#   3. says which strategies could not run and why (bitsandbytes or torchao
#      not installed, out of memory, an error), and
#   4. writes every result, with its environment, into the calibration set
#      (bench/gpu-results/<gpu>/, or --out DIR), and a summary table.
# Then `./build/calibration_report bench/gpu-results` prints predicted
# against measured per stage, and `pipefit calibrate --ingest FILE...`
# feeds the results to this machine's plans.
#
# Usage: bench/gpu_calibration.sh [--diffusers-src DIR] [--out DIR] [--steps N]
#          [--timeout SECONDS] [--only SUBSTRING] [--gpu NAME] [--dry-run | --probes DIR]
# --dry-run writes and compiles the probes without running them (no torch
# needed); with --gpu NAME they are planned for that catalog GPU. --probes
# DIR runs probes written that way on a machine where pipefit was not built
# (the device machines): bench/gpu_calibration.sh --dry-run --gpu H100 --out
# build/gpu-probes here, then bench/gpu_calibration.sh --probes
# build/gpu-probes/probes there.
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
pipefit="${PIPEFIT:-$root/build/pipefit}"
diffusers_src="$root/build/diffusers-src"
out=""
steps=4
limit=900
only=""
dry_run=0
gpu_flag=()
probes=""
while [ $# -gt 0 ]; do
  case "$1" in
    --diffusers-src) diffusers_src="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --timeout) limit="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    --gpu) gpu_flag=(--gpu "$2"); shift 2 ;;
    --probes) probes="$2"; shift 2 ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "gpu_calibration: unknown argument $1" >&2; exit 2 ;;
  esac
done

python="${PYTHON:-python3}"
say() { printf 'gpu_calibration: %s\n' "$*" >&2; }

if [ -z "$probes" ] && [ ! -x "$pipefit" ]; then
  say "no pipefit binary at $pipefit (build it first, set PIPEFIT, or run written probes with --probes DIR)"; exit 2
fi
if [ "$dry_run" = 0 ] && ! "$python" -c 'import torch, transformers, accelerate' 2>/dev/null; then
  say "needs torch, transformers and accelerate importable by $python"; exit 2
fi

# 1. diffusers from the source tree that came with the build.
if [ "$dry_run" = 0 ] && ! "$python" -c 'import diffusers' 2>/dev/null; then
  if [ ! -f "$diffusers_src/setup.py" ] && [ ! -f "$diffusers_src/pyproject.toml" ]; then
    say "diffusers is not importable and $diffusers_src is not a diffusers source tree (--diffusers-src DIR)"
    exit 2
  fi
  say "installing diffusers from $diffusers_src (no dependencies, no build isolation, no network)"
  "$python" -m pip install --no-deps --no-build-isolation --no-index "$diffusers_src" >&2 || {
    say "pip could not install $diffusers_src"; exit 2; }
  "$python" -c 'import diffusers' || { say "diffusers still does not import (a missing dependency above?)"; exit 2; }
fi

has() { "$python" -c "import $1" 2>/dev/null; }
gpu_name="$("$python" -c 'import torch; print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")' 2>/dev/null || true)"
if [ -z "$gpu_name" ] && [ "$dry_run" = 0 ]; then say "torch sees no CUDA GPU"; exit 2; fi
slug="$(printf '%s' "${gpu_name:-dry-run}" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9.\n' '-')"
out="${out:-$root/bench/gpu-results/$slug}"
mkdir -p "$out/probes"
scratch="${PIPEFIT_SCRATCH:-$out/scratch}"

# 2. What is measured: "MODEL|STRATEGY|extra plan flags".
runs=(
  "black-forest-labs/FLUX.1-dev|full+gpu|"
  "black-forest-labs/FLUX.1-dev|full+model_offload|"
  "black-forest-labs/FLUX.1-dev|full+group_block|"
  "black-forest-labs/FLUX.1-dev|full+group_block_stream|"
  "black-forest-labs/FLUX.1-dev|full+group_leaf|"
  "black-forest-labs/FLUX.1-dev|full+group_leaf_stream|"
  "black-forest-labs/FLUX.1-dev|fp8_layerwise+gpu|"
  "black-forest-labs/FLUX.1-dev|fp8_layerwise+model_offload|"
  "black-forest-labs/FLUX.1-dev|full+sequential_offload|"
  # Partial residency (docs/partial-residency.md): never run on a GPU yet.
  "black-forest-labs/FLUX.1-dev|full+resident30|"
  "black-forest-labs/FLUX.1-dev|fp8_layerwise+resident44|"
  "black-forest-labs/FLUX.1-dev|bnb_nf4+gpu|"
  "black-forest-labs/FLUX.1-dev|bnb_int8+gpu|"
  "black-forest-labs/FLUX.1-dev|torchao_int8wo+gpu|"
  "Wan-AI/Wan2.1-T2V-1.3B-Diffusers|full+gpu|--height 480 --width 832 --frames 33"
  "Wan-AI/Wan2.1-T2V-1.3B-Diffusers|full+model_offload|--height 480 --width 832 --frames 33"
)

summary="$out/summary.tsv"
printf 'model\tstrategy\tstatus\tdetail\n' > "$summary"
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$summary"; say "$2 ($1): $3${4:+ -- $4}"; }

for run in "${runs[@]}"; do
  IFS='|' read -r model strategy extra <<< "$run"
  case "$model $strategy" in *"$only"*) ;; *) continue ;; esac
  name="$(printf '%s--%s' "${model##*/}" "$strategy" | tr -c 'A-Za-z0-9.+\n-' '-')"
  case "$strategy" in
    bnb_*) if [ "$dry_run" = 0 ] && ! has bitsandbytes; then record "$model" "$strategy" "not run" "bitsandbytes is not installed"; continue; fi ;;
    torchao_*) if [ "$dry_run" = 0 ] && ! has torchao; then record "$model" "$strategy" "not run" "torchao is not installed"; continue; fi ;;
  esac
  # Planned for this machine's GPU and RAM (detected), so the probe's
  # prediction is the one the user's plan shows; --strategy forces the
  # candidate even where the plan says it does not fit (the OOM is data).
  if [ -n "$probes" ]; then
    if [ ! -f "$probes/$name.py" ]; then record "$model" "$strategy" "not run" "no probe $probes/$name.py"; continue; fi
    cp "$probes/$name.py" "$out/probes/$name.py"
  # shellcheck disable=SC2086
  elif ! "$pipefit" measure "$model" --strategy "$strategy" --random-weights --steps "$steps" --calls 2 \
      "${gpu_flag[@]}" $extra --force --emit "$out/probes/$name.py" 2> "$out/probes/$name.log"; then
    record "$model" "$strategy" "not run" "pipefit measure: $(tail -1 "$out/probes/$name.log")"
    continue
  fi
  if [ "$dry_run" = 1 ]; then
    if "$python" -m py_compile "$out/probes/$name.py"; then
      record "$model" "$strategy" "probe written" "probes/$name.py"
    else
      record "$model" "$strategy" "error" "the probe does not compile"
    fi
    continue
  fi
  result="$out/$name.json"
  timeout "$limit" "$python" "$out/probes/$name.py" --out "$result" --scratch "$scratch" \
    >> "$out/probes/$name.log" 2>&1
  code=$?
  if [ "$code" = 124 ]; then
    record "$model" "$strategy" "timeout" "over ${limit}s"
  elif [ -f "$result" ]; then
    status="$("$python" -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d.get("error") or {}; print(d["status"] + "\t" + (e.get("type","") + ": " + e.get("message","") if e else ""))' "$result")"
    record "$model" "$strategy" "${status%%$'\t'*}" "${status#*$'\t'}"
  else
    record "$model" "$strategy" "error" "no result written (exit $code; see probes/$name.log)"
  fi
done

[ "$dry_run" = 1 ] && { cat "$summary" >&2; exit 0; }

# 4. The environment, once, beside the results.
"$python" - "$out/environment.json" <<'PY'
import importlib.metadata, json, platform, sys
versions = {}
for name in ("torch", "diffusers", "transformers", "accelerate", "bitsandbytes", "torchao"):
    try:
        versions[name] = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        versions[name] = None
env = {"python": platform.python_version(), "platform": platform.platform(), "packages": versions}
try:
    import torch
    if torch.cuda.is_available():
        p = torch.cuda.get_device_properties(0)
        env["gpu"] = {"name": torch.cuda.get_device_name(0), "total_memory": p.total_memory,
                      "capability": "%d.%d" % (p.major, p.minor), "cuda_runtime": torch.version.cuda}
except Exception as error:  # the summary still gets written
    env["gpu_error"] = str(error)
json.dump(env, open(sys.argv[1], "w"), indent=1)
PY
rm -rf "$scratch"
say "results in $out (summary: $summary); feed them to this machine's plans with: pipefit calibrate --ingest $out"
column -t -s $'\t' "$summary" >&2 2>/dev/null || cat "$summary" >&2
