// The npm baseline of bench/hub_bench.sh: reads the safetensors headers of one
// diffusers pipeline on a fake Hub with @huggingface/hub's
// parseSafetensorsMetadata, one call per component with weights, and prints
// one JSON line: {mode, requests, body_bytes, ms, components: {...}}.
//
//   node bench/hub_bench.mjs --modules DIR --endpoint URL --repo ORG/NAME
//        [--sequential] [--warm N] [--trace] [--cdn-etag-shim] PATH...
//
// DIR is the npm prefix that holds node_modules/@huggingface/hub; each PATH is
// a component's weights file inside the repo (its *.safetensors.index.json
// when sharded, else its *.safetensors). Requests and body bytes are the fake
// Hub's own counts (GET /__stats after POST /__reset), both hosts included, so
// every redirect and probe is counted as it is for pipefit. The time covers
// the calls only (performance.now() around them), not node's start-up nor the
// module import. --warm N first makes N unmeasured runs in the same process
// (warm JIT, fetch loaded, connections kept alive); the default, 0, measures
// the first call, as a command-line tool would make it. --trace prints each
// fetch the library issues on stderr.
//
// --cdn-etag-shim: @huggingface/hub needs an ETag on the response it ends up
// with after following the LFS redirect (the real Hub's CDN sends one); a fake
// CDN that sends none makes every shard read fail with "Expected ETag". The
// shim follows the redirect by hand and, only where the CDN's answer has no
// ETag, copies the hub's X-Linked-Etag onto it. It issues exactly the requests
// fetch's own redirect handling would (the 302, then the CDN GET without
// Authorization), so the counts do not change; bench/hub_bench.sh turns it on
// only when the fake CDN lacks ETag, and says so.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";

function usage(message) {
  process.stderr.write(`hub_bench.mjs: ${message}\n`);
  process.exit(2);
}

const args = { paths: [], sequential: false, trace: false, cdnEtagShim: false, warm: 0 };
for (let i = 2; i < process.argv.length; ++i) {
  const arg = process.argv[i];
  if (arg === "--modules" || arg === "--endpoint" || arg === "--repo" || arg === "--warm") {
    if (i + 1 >= process.argv.length) usage(`${arg} needs a value`);
    args[arg.slice(2)] = process.argv[++i];
  } else if (arg === "--sequential") {
    args.sequential = true;
  } else if (arg === "--trace") {
    args.trace = true;
  } else if (arg === "--cdn-etag-shim") {
    args.cdnEtagShim = true;
  } else if (arg.startsWith("--")) {
    usage(`unknown option ${arg}`);
  } else {
    args.paths.push(arg);
  }
}
if (!args.modules || !args.endpoint || !args.repo || args.paths.length === 0) {
  usage("usage: --modules DIR --endpoint URL --repo ORG/NAME [--sequential] [--warm N] [--trace] [--cdn-etag-shim] PATH...");
}
args.warm = Number(args.warm ?? 0);
if (!Number.isInteger(args.warm) || args.warm < 0) {
  usage("--warm needs a count >= 0");
}

// Imported from the npm prefix outside the repository (bench/hub_bench.sh
// installs it there), through the package's own "import" entry.
const packageDir = join(args.modules, "node_modules", "@huggingface", "hub");
const packageJson = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
const entry = packageJson.exports?.["."]?.import ?? packageJson.module;
const { parseSafetensorsMetadata } = await import(pathToFileURL(join(packageDir, entry)).href);

async function cdnEtagFetch(input, init) {
  const first = await fetch(input, { ...init, redirect: "manual" });
  const location = first.headers.get("location");
  if (first.status < 300 || first.status > 399 || !location) return first;
  await first.arrayBuffer();
  const headers = new Headers(init?.headers);
  const target = new URL(location, input);
  if (target.origin !== new URL(input).origin) headers.delete("authorization");
  const second = await fetch(target, { ...init, headers });
  if (second.headers.get("etag")) return second;
  const linked = first.headers.get("x-linked-etag") ?? first.headers.get("etag");
  const patched = new Headers(second.headers);
  if (linked) patched.set("etag", linked);
  return new Response(second.body, { status: second.status, statusText: second.statusText, headers: patched });
}
const baseFetch = args.cdnEtagShim ? cdnEtagFetch : fetch;

// --trace: what the library asks for. Redirects are followed inside fetch, so
// one line here can be two requests on the server (302 from the hub, then the
// CDN's answer); the line shows where it ended up.
const tracedFetch = async (input, init) => {
  const response = await baseFetch(input, init);
  const headers = new Headers(init?.headers);
  const range = headers.get("range");
  const hops = response.redirected ? ` -> ${response.url}` : "";
  process.stderr.write(
    `${init?.method ?? "GET"} ${input}${range ? ` Range: ${range}` : ""}${hops} => ${response.status}\n`,
  );
  return response;
};

// The fake Hub's own routes: POST /__reset answers an empty body.
async function hub(path, init) {
  const response = await fetch(`${args.endpoint}${path}`, init);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

function summarize(result) {
  const headers = result.sharded ? Object.values(result.headers) : [result.header];
  let tensors = 0;
  for (const header of headers) {
    tensors += Object.keys(header).filter((name) => name !== "__metadata__").length;
  }
  const params = Object.values(result.parameterCount ?? {}).reduce((a, b) => a + b, 0);
  return { files: result.filepaths.length, tensors, params, parameterTotal: result.parameterTotal ?? null };
}

const call = (path) =>
  parseSafetensorsMetadata({
    repo: { type: "model", name: args.repo },
    path,
    hubUrl: args.endpoint,
    computeParametersCount: true,
    ...(args.trace ? { fetch: tracedFetch } : args.cdnEtagShim && { fetch: cdnEtagFetch }),
  });
// One measured run: every component's call, counted from a reset log.
async function measure() {
  await hub("/__reset", { method: "POST" });
  const start = performance.now();
  let results;
  if (args.sequential) {
    results = [];
    for (const path of args.paths) results.push(await call(path));
  } else {
    results = await Promise.all(args.paths.map(call));
  }
  const ms = performance.now() - start;
  const stats = await hub("/__stats");
  return { results, ms, stats };
}
// The first run pays for node's lazily loaded fetch (undici), cold JIT and new
// connections, as a command-line tool would; --warm N first does N unmeasured
// runs in the same process, as a long-lived server would.
for (let i = 0; i < args.warm; ++i) await measure();
const { results, ms, stats } = await measure();

const components = {};
args.paths.forEach((path, i) => {
  const name = path.includes("/") ? path.slice(0, path.indexOf("/")) : "";
  components[name] = { path, ...summarize(results[i]) };
});
process.stdout.write(
  JSON.stringify({
    mode: args.sequential ? "sequential" : "concurrent",
    warm: args.warm,
    requests: stats.requests,
    body_bytes: stats.body_bytes,
    ms,
    components,
  }) + "\n",
);
