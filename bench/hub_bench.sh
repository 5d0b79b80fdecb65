#!/usr/bin/env bash
# Compares pipefit's remote header reading with @huggingface/hub's
# parseSafetensorsMetadata (npm) on the same fake Hub and the same pipeline
# (FLUX.1-dev's headers, sparse on disk): HTTP requests, response body bytes
# and wall time, median of RUNS runs (default 5), pipefit as ratios against
# the npm baseline measured in the same run. See docs/benchmarks.md.
#
#   bash bench/hub_bench.sh            (RUNS=N to change the run count)
#   DELAY_MS=40 bash bench/hub_bench.sh  (the server waits 40 ms before every
#                                        answer: a latency like a real Hub's)
#
# Needs cmake, ninja, a C++20 compiler, curl, node >= 18 and npm. The npm
# package is installed, at the version pinned in bench/hub_bench/package.json,
# under ${PIPEFIT_BUILD_CACHE:-$HOME/.cache/pipefit-build}/hub-bench, never in
# the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}
export DELAY_MS=${DELAY_MS:-0}
REPO=acme/flux

fail() {
  echo "hub_bench: $*" >&2
  exit 1
}

for tool in cmake curl node npm; do
  command -v "$tool" >/dev/null || fail "'$tool' not found on PATH (the npm baseline needs node >= 18 and npm)"
done
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' ||
  fail "node $(node --version) is too old: @huggingface/hub needs node >= 18 (global fetch)"

# --- build (Release, in build/, reused if configured) -------------------------
if [[ -f build/CMakeCache.txt ]]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
else
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build --target pipefit fake_hub_server write_flux_fixture >/dev/null ||
  fail "building pipefit, fake_hub_server and write_flux_fixture failed (run: cmake --build build --target pipefit)"

# --- the npm baseline, outside the repository ----------------------------------
NPM_DIR=${PIPEFIT_BUILD_CACHE:-$HOME/.cache/pipefit-build}/hub-bench
PINNED=$(node -p 'require(process.argv[1]).dependencies["@huggingface/hub"]' "$ROOT/bench/hub_bench/package.json")
installed() {
  node -p 'try { require(process.argv[1]).version } catch { "" }' \
    "$NPM_DIR/node_modules/@huggingface/hub/package.json"
}
if [[ "$(installed)" != "$PINNED" ]]; then
  mkdir -p "$NPM_DIR"
  cp bench/hub_bench/package.json bench/hub_bench/package-lock.json "$NPM_DIR/"
  echo "hub_bench: installing @huggingface/hub@$PINNED into $NPM_DIR" >&2
  npm ci --prefix "$NPM_DIR" --no-audit --no-fund --loglevel=error >&2 ||
    fail "npm ci failed in $NPM_DIR (is the npm registry reachable?)"
  [[ "$(installed)" == "$PINNED" ]] || fail "npm installed $(installed), not the pinned $PINNED"
fi

# --- fixture and fake Hub ------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hub_bench.XXXXXX")
SERVER_PID=
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

FIXTURE=$WORK/repos/$REPO
build/write_flux_fixture "$FIXTURE" >/dev/null || fail "write_flux_fixture failed"
build/fake_hub_server "$WORK/repos" --delay-ms "$DELAY_MS" --port-file "$WORK/endpoint" >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 100); do
  [[ -s "$WORK/endpoint" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "fake_hub_server exited: $(cat "$WORK/server.err")"
  sleep 0.1
done
[[ -s "$WORK/endpoint" ]] || fail "fake_hub_server wrote no endpoint within 10 s"
ENDPOINT=$(head -n1 "$WORK/endpoint")

# The weights file of each component, as a user of the library would name it:
# the shard index where there is one, else the single .safetensors file.
PATHS=()
for dir in "$FIXTURE"/*/; do
  name=$(basename "$dir")
  shopt -s nullglob
  indexes=("$dir"*.safetensors.index.json)
  singles=("$dir"*.safetensors)
  shopt -u nullglob
  if ((${#indexes[@]} == 1)); then
    PATHS+=("$name/$(basename "${indexes[0]}")")
  elif ((${#singles[@]} == 1)); then
    PATHS+=("$name/$(basename "${singles[0]}")")
  elif ((${#singles[@]} > 1)); then
    fail "$name has several .safetensors files and no index"
  fi
done
((${#PATHS[@]} > 0)) || fail "no component with weights in the fixture"

# @huggingface/hub takes a file's ETag from the response fetch ends with,
# after following the LFS redirect; the real Hub's CDN sends one. If the fake
# CDN does not, hub_bench.mjs adds the redirect's X-Linked-Etag (same requests).
SHIM=()
LFS_PATH=$(printf '%s\n' "${PATHS[@]}" | grep -m1 '\.safetensors$' || true)
if [[ -n "$LFS_PATH" ]] &&
  ! curl -sfL -r 0-0 -o /dev/null -D - "$ENDPOINT/$REPO/resolve/main/$LFS_PATH" |
  tr -d '\r' | awk '{ l = tolower($0) } l ~ /^http\// { e = 0 } l ~ /^etag:/ { e = 1 } END { exit !e }'; then
  SHIM=(--cdn-etag-shim)
  echo "note: the fake CDN sends no ETag after the LFS redirect; @huggingface/hub needs one, so" \
    "hub_bench.mjs copies the redirect's X-Linked-Etag onto the CDN response (same requests, same bytes)"
fi

now_ns() { date +%s%N; }
unset HF_TOKEN HUGGING_FACE_HUB_TOKEN HF_HUB_OFFLINE

# --- npm runs: a fresh node process per run; time measured around the calls --
npm_runs() {  # $1: concurrent|sequential, $2: unmeasured warm-up calls -> $WORK/npm-$1-$2.jsonl
  local mode=$1 warm=$2 flag=() start end
  [[ "$mode" == sequential ]] && flag=(--sequential)
  : >"$WORK/npm-$mode-$warm.jsonl"
  for _ in $(seq "$RUNS"); do
    start=$(now_ns)
    node bench/hub_bench.mjs --modules "$NPM_DIR" --endpoint "$ENDPOINT" --repo "$REPO" --warm "$warm" \
      "${flag[@]}" "${SHIM[@]}" "${PATHS[@]}" >"$WORK/npm.out" 2>"$WORK/npm.err" ||
      fail "node bench/hub_bench.mjs ($mode, --warm $warm) failed: $(tail -n 5 "$WORK/npm.err")"
    end=$(now_ns)
    node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
             r.process_ms = Number(process.argv[2]) / 1e6; console.log(JSON.stringify(r))' \
      "$WORK/npm.out" "$((end - start))" >>"$WORK/npm-$mode-$warm.jsonl"
  done
}
npm_runs concurrent 0
npm_runs sequential 0
npm_runs concurrent 4

# --- pipefit runs: the whole process, timed from outside -----------------------
pipefit_run() {  # $1: cache dir, $2: label -> one JSON line on stdout
  local start end
  mkdir -p "$1" "$WORK/hf-hub-cache"
  curl -sf -X POST "$ENDPOINT/__reset" >/dev/null || fail "POST /__reset failed"
  start=$(now_ns)
  HF_ENDPOINT=$ENDPOINT PIPEFIT_CACHE=$1 HF_HUB_CACHE=$WORK/hf-hub-cache \
    build/pipefit inspect "$REPO" --json >"$WORK/pipefit.json" 2>"$WORK/pipefit.err" ||
    fail "pipefit inspect $REPO ($2) exited with $?: $(tail -n 5 "$WORK/pipefit.err")"
  end=$(now_ns)
  local stats
  stats=$(curl -sf "$ENDPOINT/__stats") || fail "GET /__stats failed"
  node -e 'const [file, stats, ns] = process.argv.slice(1);
           const p = JSON.parse(require("fs").readFileSync(file, "utf8")), s = JSON.parse(stats);
           const components = {};
           for (const c of p.components) if (c.has_weights) components[c.name] = { tensors: c.tensors, params: c.params };
           console.log(JSON.stringify({ requests: s.requests, body_bytes: s.body_bytes, ms: Number(ns) / 1e6,
                                        self_requests: p.source.fetch.requests, self_bytes: p.source.fetch.bytes,
                                        cached_files: p.source.fetch.cached_files, components }))' \
    "$WORK/pipefit.json" "$stats" "$((end - start))"
}
: >"$WORK/pipefit-cold.jsonl"
: >"$WORK/pipefit-cached.jsonl"
for i in $(seq "$RUNS"); do
  pipefit_run "$WORK/pipefit-cache-$i" "fresh cache" >>"$WORK/pipefit-cold.jsonl"
done
for _ in $(seq "$RUNS"); do  # served from the cache the first cold run filled
  pipefit_run "$WORK/pipefit-cache-1" "cached" >>"$WORK/pipefit-cached.jsonl"
done
grep -h . "$WORK"/pipefit.err | tail -n 1 | sed 's/^/last pipefit run: /' >&2 || true

# --- agreement check and table -------------------------------------------------
node - "$WORK" "$PINNED" "$RUNS" <<'JS'
const fs = require("fs");
const [work, version, runs] = process.argv.slice(2);
const read = (name) => fs.readFileSync(`${work}/${name}.jsonl`, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const sets = {
  npmConcurrent: read("npm-concurrent-0"),
  npmSequential: read("npm-sequential-0"),
  npmWarm: read("npm-concurrent-4"),
  cold: read("pipefit-cold"),
  cached: read("pipefit-cached"),
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const summary = (rows, timeKey = "ms") => ({
  requests: median(rows.map((r) => r.requests)),
  bytes: median(rows.map((r) => r.body_bytes)),
  ms: median(rows.map((r) => r[timeKey])),
  spread: new Set(rows.map((r) => `${r.requests}/${r.body_bytes}`)).size > 1,
});

let ok = true;
const problem = (message) => {
  console.error(`hub_bench: ${message}`);
  ok = false;
};
// Both tools must read the same tensors, in every run.
const reference = sets.npmConcurrent[0].components;
for (const [label, rows] of Object.entries(sets)) {
  for (const row of rows) {
    for (const [name, want] of Object.entries(reference)) {
      const got = row.components[name];
      if (!got) problem(`${label}: no component ${name}`);
      else if (got.tensors !== want.tensors || got.params !== want.params) {
        problem(`${label}: ${name} has ${got.tensors} tensors / ${got.params} params, ` +
                `@huggingface/hub read ${want.tensors} / ${want.params}`);
      }
    }
    for (const name of Object.keys(row.components)) {
      if (!(name in reference)) problem(`${label}: ${name} has weights that @huggingface/hub did not read`);
    }
    if ("self_requests" in row && (row.self_requests !== row.requests)) {
      problem(`${label}: pipefit counted ${row.self_requests} requests, the server ${row.requests}`);
    }
  }
}
if (sets.cold.some((r) => r.cached_files !== 0)) problem("a fresh-cache pipefit run used cached files");
if (!ok) process.exit(1);
const names = Object.keys(reference);
const tensors = names.reduce((a, n) => a + reference[n].tensors, 0);
const params = names.reduce((a, n) => a + reference[n].params, 0);
console.log(`agree: both tools read ${names.length} components (${names.join(", ")}): ` +
            `${tensors} tensors, ${params} parameters, equal per component in every run`);

const base = summary(sets.npmConcurrent);
const fmtBytes = (b) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} kB`);
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
const rows = [
  [`@huggingface/hub ${version} parseSafetensorsMetadata, components concurrent (baseline)`, base],
  [`@huggingface/hub ${version} parseSafetensorsMetadata, components sequential`, summary(sets.npmSequential)],
  [`@huggingface/hub ${version}, concurrent, warm (5th call in one node process)`, summary(sets.npmWarm)],
  ["pipefit inspect, fresh cache (whole pipeline, whole process)", summary(sets.cold)],
  ["pipefit inspect, second run from its cache (whole process)", summary(sets.cached)],
];
console.log("");
console.log(`server latency: ${process.env.DELAY_MS || 0} ms before every answer`);
console.log(`| tool | requests | bytes received | wall time (median of ${runs}) | ratio vs @huggingface/hub |`);
console.log("|---|---:|---:|---:|---|");
for (const [label, s] of rows) {
  const r = s === base ? "1.00x / 1.00x / 1.00x"
                       : `${ratio(s.requests, base.requests)} / ${ratio(s.bytes, base.bytes)} / ${ratio(s.ms, base.ms)}`;
  console.log(`| ${label} | ${s.requests} | ${s.bytes} (${fmtBytes(s.bytes)}) | ${s.ms.toFixed(1)} ms | ${r} |`);
}
console.log("");
console.log("ratios are requests / bytes / wall time. npm wall time is around the calls only (the first call in a");
console.log("fresh node process per run, except the warm row); the whole node process (start-up + import + calls) took " +
            `${median(sets.npmConcurrent.map((r) => r.process_ms)).toFixed(1)} ms concurrent, ` +
            `${median(sets.npmSequential.map((r) => r.process_ms)).toFixed(1)} ms sequential (median).`);
for (const [label, s] of rows) if (s.spread) console.log(`note: requests/bytes varied between runs for: ${label}`);
JS
