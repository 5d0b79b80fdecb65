// pipefit web front end: one plain ES module, no imports, no dependencies.
//
// It runs in two modes, decided once on load:
//
//  * App mode (`pipefit serve`): index.html is served with this file and
//    style.css. The page loads /api/catalog, /api/gpus and /api/hw to fill the
//    form, runs a first plan with the form's defaults, and talks to the JSON API
//    (POST /api/plan, /api/doctor, /api/check, /api/apply). Every document is
//    exactly the CLI's `--json` output; errors come back as pipefit.error/1.
//
//  * Report mode (`pipefit plan --html FILE`): the same body markup, this file
//    and style.css are inlined into one HTML file together with a JSON script
//    element (type application/json, id "pipefit-report-data") holding the
//    plan document. When that element exists the page parses it, hides the form, the tabs and
//    the triage panel, renders the plan results and makes no network request.
//
// Rules kept throughout: every string that comes from a document is inserted
// with textContent (never innerHTML); charts are SVG built with createElementNS.
// This file is inlined into an inline module script in report mode, so it must
// never contain the closing tag of a script element (or an HTML comment opener).

const GIB = 1024 ** 3;
const SVG_NS = "http://www.w3.org/2000/svg";
const PREFERENCES = ["balanced", "quality", "speed", "memory"];
const DEFAULT_MODEL = "flux.1-dev";

/** Everything the page knows; rendering reads from here. */
const state = {
  report: false,   // true in report mode: no network, no form
  plan: null,      // the last pipefit.plan/1 document
  selectedId: null,
  planSeq: 0,      // increases per plan request; stale answers are dropped
  busy: 0,         // requests in flight
};

// ---------------------------------------------------------------------------
// Small DOM helpers
// ---------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

/**
 * Creates an HTML element. `attrs` keys: "class", "text" (textContent),
 * "dataset" (object), "on*" (event listener), anything else is an attribute.
 * Children may be nodes or strings (strings become text nodes).
 */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  applyAttrs(node, attrs);
  for (const child of children) appendChild(node, child);
  return node;
}

/** Same as el() but in the SVG namespace. */
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  applyAttrs(node, attrs);
  for (const child of children) appendChild(node, child);
  return node;
}

function applyAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    // Styles go through the CSSOM: the server's Content-Security-Policy
    // (style-src 'self') ignores inline style attributes, not node.style.
    else if (key === "style") Object.assign(node.style, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

function appendChild(node, child) {
  if (child === null || child === undefined || child === false) return;
  node.append(typeof child === "string" ? document.createTextNode(child) : child);
}

/** Removes every child of an element (or of the element with that id). */
function clear(target) {
  const node = typeof target === "string" ? $(target) : target;
  if (node) node.replaceChildren();
  return node;
}

function setText(id, text) {
  const node = $(id);
  if (node) node.textContent = text === null || text === undefined ? "" : String(text);
}

function show(id, visible) {
  const node = typeof id === "string" ? $(id) : id;
  if (node) node.hidden = !visible;
}

// ---------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------

/** Bytes as GiB with two decimals, "—" when unknown. */
function gib(bytes) {
  if (bytes === null || bytes === undefined || !Number.isFinite(Number(bytes))) return "—";
  return (Number(bytes) / GIB).toFixed(2) + " GiB";
}

/** A card's size for option labels: "24 GiB", "5.7 GiB". */
function cardSize(bytes) {
  const value = Number(bytes) / GIB;
  const rounded = Math.round(value);
  return (Math.abs(value - rounded) < 0.05 ? String(rounded) : value.toFixed(1)) + " GiB";
}

function seconds(value) {
  if (value === null || value === undefined) return "—";
  const n = Number(value);
  return (n >= 100 ? n.toFixed(0) : n.toFixed(2)) + " s";
}

// ---------------------------------------------------------------------------
// JSON documents. Numbers are kept as the document wrote them (for data-*
// attributes) when the browser supports JSON.parse source text access.
// ---------------------------------------------------------------------------

const rawNumbers = new WeakMap();
const RAW_KEYS = new Set(["seconds", "vram", "ram"]);

function parseDocument(text) {
  return JSON.parse(text, function keepRaw(key, value, context) {
    if (typeof value === "number" && RAW_KEYS.has(key) && context && typeof context.source === "string") {
      let raw = rawNumbers.get(this);
      if (!raw) rawNumbers.set(this, (raw = {}));
      raw[key] = context.source;
    }
    return value;
  });
}

/** The number as written in the JSON document (falls back to String()). */
function rawNumber(object, key) {
  const raw = rawNumbers.get(object);
  return raw && raw[key] !== undefined ? raw[key] : String(object[key]);
}

// ---------------------------------------------------------------------------
// Network, status and errors
// ---------------------------------------------------------------------------

/** Calls the API; resolves to the parsed document, rejects with an Error whose message is for the user. */
async function api(path, body) {
  if (state.report) throw new Error("no network in report mode");
  const init = body === undefined
    ? { method: "GET" }
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  let response;
  try {
    response = await fetch("api/" + path, init);
  } catch (err) {
    throw new Error("cannot reach the pipefit server (" + err.message + ")");
  }
  const text = await response.text();
  let doc = null;
  try {
    doc = parseDocument(text);
  } catch {
    // not JSON: handled below
  }
  if (doc && typeof doc === "object" && (doc.schema === "pipefit.error/1" || (!response.ok && doc.error))) {
    throw new Error(String(doc.error || "error"));
  }
  if (!response.ok) throw new Error("HTTP " + response.status + " " + response.statusText + (doc ? "" : ": " + text.slice(0, 300)));
  if (!doc) throw new Error("the server did not answer with JSON");
  return doc;
}

function setStatus(text) {
  setText("status", text);
  const node = $("status");
  if (node) node.dataset.state = text === "ready" ? "ready" : text === "error" ? "error" : "busy";
}

function showError(message) {
  const box = $("error");
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
}

function clearError() {
  const box = $("error");
  if (!box) return;
  box.textContent = "";
  box.hidden = true;
}

/**
 * Runs one user action: status shows `busyText` while it runs, "ready" after,
 * "error" (and the message in #error) when it fails. Never throws.
 */
async function runTask(busyText, task) {
  state.busy += 1;
  clearError();
  setStatus(busyText);
  let failed = false;
  try {
    await task();
  } catch (err) {
    failed = true;
    showError(err && err.message ? err.message : String(err));
  } finally {
    state.busy -= 1;
  }
  if (failed) setStatus("error");
  else if (state.busy === 0) setStatus("ready");
}

// ---------------------------------------------------------------------------
// Tabs
// ---------------------------------------------------------------------------

function selectTab(name) {
  for (const tab of ["plan", "triage"]) {
    const button = $("tab-" + tab);
    const panel = $("panel-" + tab);
    const active = tab === name;
    if (button) {
      button.setAttribute("aria-selected", String(active));
      button.classList.toggle("active", active);
    }
    if (panel) panel.hidden = !active;
  }
}

function wireTabs() {
  $("tab-plan")?.addEventListener("click", () => selectTab("plan"));
  $("tab-triage")?.addEventListener("click", () => selectTab("triage"));
}

// ---------------------------------------------------------------------------
// Plan form: filling it from catalog / gpus / hw, reading it into a request
// ---------------------------------------------------------------------------

function fillModels(catalog) {
  const list = clear("model-list");
  let defaultModel = null;
  for (const entry of catalog.entries || []) {
    list.append(el("option", { value: entry.repo, label: entry.pipeline_class || "" }));
    for (const alias of entry.aliases || []) list.append(el("option", { value: alias, label: entry.repo }));
    if (entry.default && !defaultModel) defaultModel = (entry.aliases && entry.aliases[0]) || entry.repo;
  }
  if (typeof catalog.default === "string") defaultModel = catalog.default;
  $("model").value = defaultModel || DEFAULT_MODEL;
}

function fillGpus(gpus, hw) {
  const select = clear("gpu");
  select.append(el("option", { value: "", text: detectedLabel(hw) }));
  for (const gpu of (gpus && gpus.gpus) || []) {
    select.append(el("option", { value: gpu.id || gpu.name, text: gpu.name + " — " + cardSize(gpu.vram) }));
  }
  select.value = "";
}

function detectedLabel(hw) {
  const first = hw && hw.gpus && hw.gpus[0];
  if (!first) return hw ? "Detected: none" : "Detected: unknown";
  return "Detected: " + first.name + " (" + gib(first.vram_total) + ")";
}

/** The plan request from the form; empty fields are left out. */
function readPlanRequest() {
  const request = { model: $("model").value.trim() || DEFAULT_MODEL };
  for (const key of ["gpu", "vram", "ram"]) {
    const value = $(key).value.trim();
    if (value) request[key] = value;
  }
  // Several cards of the chosen kind: the CLI's --gpu NxNAME.
  const count = Number($("gpu-count").value.trim() || "1");
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new Error("GPUs must be a whole number from 1 to 64");
  if (count > 1) {
    if (!request.gpu) throw new Error("choose a GPU from the list to plan for several of them");
    request.gpu = count + "x" + request.gpu;
  }
  for (const key of ["height", "width", "frames", "batch", "steps"]) {
    const text = $(key).value.trim();
    if (!text) continue;
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new Error(key + " must be a positive whole number");
    request[key] = value;
  }
  request.dtype = $("dtype").value;
  request.prefer = $("prefer").value;
  if ($("quality").value) request.quality = $("quality").value;
  if ($("show-all").checked) request.all = true;
  return request;
}

/** Runs a plan with the form's values and renders it (as one status task). */
function planFromForm() {
  return runTask("planning…", planRequest);
}

/** Plans with the form's values; an answer to an older request than the latest is dropped. */
async function planRequest() {
  const request = readPlanRequest();
  const seq = ++state.planSeq;
  let doc;
  try {
    doc = await api("plan", request);
  } catch (err) {
    if (seq === state.planSeq) throw err;
    return; // a newer plan was started: its outcome is what counts
  }
  if (seq === state.planSeq) renderPlan(doc);
}

function wirePlanForm() {
  $("plan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    planFromForm();
  });
  $("show-all").addEventListener("change", () => planFromForm());
}

// ---------------------------------------------------------------------------
// Plan results
// ---------------------------------------------------------------------------

function renderPlan(plan) {
  state.plan = plan;
  const candidates = plan.candidates || [];
  show("plan-results", true);
  renderSummary(plan);
  renderShortfall(plan);
  renderChoice(plan);
  renderCandidateTable(plan);
  renderRejected(plan.rejected || []);
  renderPlanNotes(plan);
  fillStrategyList(candidates);
  // Charts, code and notes only make sense with something to select.
  for (const node of document.querySelectorAll("#plan-results .needs-candidates")) node.hidden = candidates.length === 0;
  const first = candidates.find((c) => c.id === plan.chosen) || candidates[0];
  selectCandidate(first ? first.id : null, true);
}

/** Model, pipeline, hardware and workload as a definition list. */
function renderSummary(plan) {
  const box = clear("summary");
  const hw = plan.hardware || {};
  const wl = plan.workload || {};
  const item = (label, ...values) =>
    box.append(el("div", { class: "summary-item" }, el("span", { class: "label", text: label }), el("span", { class: "value" }, ...values)));

  item("Model", el("strong", { text: plan.model || "?" }), " ", el("span", { class: "muted", text: [plan.pipeline_class, plan.load_dtype].filter(Boolean).join(" · ") }));
  item("GPU", el("strong", { text: hw.gpu || "none" }), hw.source ? el("span", { class: "muted", text: " (" + hw.source + ")" }) : null);
  item("VRAM", el("span", { class: "num", text: gib(hw.vram) }));
  item("RAM", el("span", { class: "num", text: gib(hw.ram) }));
  item("Workload", el("span", { class: "num", text: workloadText(wl) }), wl.from_defaults ? el("span", { class: "muted", text: " (pipeline defaults)" }) : null);
  for (const note of hw.notes || []) box.append(el("p", { class: "hw-note", text: note }));
}

function workloadText(wl) {
  const parts = [];
  if (wl.width && wl.height) parts.push(wl.width + "×" + wl.height);
  if (wl.frames && wl.frames > 1) parts.push(wl.frames + " frames");
  if (wl.batch) parts.push("batch " + wl.batch);
  if (wl.steps) parts.push(wl.steps + " steps");
  return parts.join(" · ") || "—";
}

/** When nothing fits, say what the plan would need. */
function renderShortfall(plan) {
  const box = clear("shortfall");
  const s = plan.shortfall;
  show(box, !!s);
  if (!s) return;
  box.append(el("strong", { text: "Nothing fits this hardware. " }));
  box.append("The least VRAM any candidate needs is ", el("span", { class: "num", text: gib(s.min_vram) }));
  if (s.min_vram_candidate) box.append(" (", el("code", { text: s.min_vram_candidate }), ", with ", el("span", { class: "num", text: gib(s.ram_at_min_vram) }), " RAM)");
  box.append("; the least RAM is ", el("span", { class: "num", text: gib(s.min_ram) }));
  if (s.min_ram_candidate) box.append(" (", el("code", { text: s.min_ram_candidate }), ")");
  box.append(". ");
  if (!state.report) box.append("Pick a GPU, set VRAM/RAM overrides, or tick “all candidates”.");
}

/** The chosen id and one badge per preference. */
function renderChoice(plan) {
  setText("chosen-id", plan.chosen || ""); // empty when nothing fits (CSS shows "none")
  setText("chosen-prefer", plan.prefer || "balanced");
  const list = clear("recommended");
  const recommended = plan.recommended || {};
  for (const pref of PREFERENCES) {
    const id = recommended[pref];
    const button = el("button", {
      type: "button",
      class: "badge" + (pref === plan.prefer ? " current" : ""),
      disabled: !id,
      title: id ? "select " + id : "nothing fits",
      onclick: () => id && selectCandidate(id, true),
    }, el("span", { class: "pref", text: pref }), el("code", { text: id || "none" }));
    list.append(el("li", { dataset: { prefer: pref } }, button));
  }
}

function renderCandidateTable(plan) {
  const candidates = plan.candidates || [];
  const hw = plan.hardware || {};
  const tbody = clear($("candidates").tBodies[0]);
  const vramScale = scaleFor(hw.vram, candidates.map((c) => c.vram));
  const ramScale = scaleFor(hw.ram, candidates.map((c) => c.ram));
  for (const c of candidates) tbody.append(candidateRow(c, plan, vramScale, ramScale));
  setText("candidate-count", candidates.length + " listed");
  const hidden = plan.hidden_candidates || 0;
  const note = $("hidden-note");
  note.textContent = hidden > 0
    ? hidden + " more candidate" + (hidden === 1 ? " does" : "s do") + " not fit" + (state.report ? " (not listed)." : ": tick “all candidates” to list them.")
    : "";
  show(note, hidden > 0);
  renderPareto(plan);
}

/** Bars are drawn against the capacity; with no capacity, against the largest value. */
function scaleFor(capacity, values) {
  const cap = Number(capacity) || 0;
  const max = Math.max(0, ...values.map(Number).filter(Number.isFinite));
  return { cap, max: cap > 0 ? Math.max(cap, max) : max || 1 };
}

function candidateRow(c, plan, vramScale, ramScale) {
  const row = el("tr", {
    dataset: { id: c.id },
    tabindex: "0",
    class: [c.id === plan.chosen ? "chosen" : "", c.fits === false ? "nofit" : ""].filter(Boolean).join(" ") || null,
    title: c.reason || null,
    onclick: () => selectCandidate(c.id),
    onkeydown: (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        selectCandidate(c.id);
      }
    },
  });
  const idCell = el("td", { class: "id" }, wrappableId(c.id));
  if (c.id === plan.chosen) idCell.append(el("span", { class: "tag chosen-tag", text: "chosen" }));
  if (c.reason) idCell.append(el("div", { class: "reason", text: c.reason }));
  row.append(
    idCell,
    el("td", { class: "group", text: c.group || "" }),
    el("td", { class: "quality" }, el("span", { class: "quality-badge q-" + String(c.quality || "").replace(/[^a-z0-9]/gi, ""), text: c.quality || "" })),
    barCell("vram", c, vramScale, "allocated (max_memory_allocated): " + gib(c.vram_allocated)),
    barCell("ram", c, ramScale, "peak host RAM"),
    el("td", { class: "seconds", dataset: { seconds: rawNumber(c, "seconds") } },
      el("span", { class: "num", text: seconds(c.seconds) }),
      c.relative_time !== undefined && c.relative_time !== null ? el("span", { class: "rel", text: " ×" + Number(c.relative_time).toFixed(2) }) : null),
    el("td", { class: "stage", text: c.peak_stage || "" }),
  );
  return row;
}

/** A <code> with the id that may break after each "+" (<wbr> adds no text). */
function wrappableId(id) {
  const code = el("code");
  id.split("+").forEach((part, i) => {
    if (i > 0) code.append("+", el("wbr"));
    code.append(part);
  });
  return code;
}

/** A <td class="vram|ram" data-bytes> with a bar against the capacity (red when over). */
function barCell(key, c, scale, tip) {
  const bytes = Number(c[key]);
  const over = scale.cap > 0 && bytes > scale.cap;
  const fill = el("span", { class: "fill", style: { width: Math.min(100, (bytes / scale.max) * 100).toFixed(1) + "%" } });
  const bar = el("span", { class: "bar" + (over ? " over" : "") }, fill);
  if (scale.cap > 0 && scale.max > scale.cap) {
    bar.append(el("span", { class: "cap", style: { left: ((scale.cap / scale.max) * 100).toFixed(1) + "%" } }));
  }
  return el("td", { class: key + (over ? " over" : ""), dataset: { bytes: rawNumber(c, key) }, title: tip },
    bar, el("span", { class: "num", text: gib(bytes) }));
}

function renderRejected(rejected) {
  const list = clear("rejected");
  for (const r of rejected) {
    list.append(el("li", { dataset: { id: r.id } },
      el("code", { text: r.id }), " ", el("span", { class: "tag", text: r.rule || "" }), " ", el("span", { text: r.reason || "" })));
  }
  if (!rejected.length) list.append(el("li", { class: "muted", text: "none" }));
}

function renderPlanNotes(plan) {
  const list = clear("plan-notes");
  for (const note of plan.notes || []) list.append(el("li", { text: note }));
  if (!(plan.notes || []).length) list.append(el("li", { class: "muted", text: "none" }));
  const basis = clear("basis");
  const add = (label, text) => text && basis.append(el("dt", { text: label }), el("dd", { text }));
  add("time", plan.time && plan.time.basis);
  add("activations", plan.activation && plan.activation.basis);
  if (plan.measurements) add("denoiser", plan.measurements.denoiser);
}

function fillStrategyList(candidates) {
  const list = clear("strategy-list");
  if (!list) return;
  for (const c of candidates) list.append(el("option", { value: c.id }));
}

// ---------------------------------------------------------------------------
// Selection: table row, Pareto point, code, timeline, facts, notes
// ---------------------------------------------------------------------------

function findCandidate(id) {
  return ((state.plan && state.plan.candidates) || []).find((c) => c.id === id) || null;
}

/** Selects a candidate everywhere; `reveal` scrolls its table row into view (for clicks outside the table). */
function selectCandidate(id, reveal = false) {
  const c = findCandidate(id);
  state.selectedId = c ? c.id : null;
  for (const row of $("candidates").tBodies[0].rows) {
    const selected = row.dataset.id === state.selectedId;
    row.classList.toggle("selected", selected);
    row.setAttribute("aria-selected", String(selected));
    if (selected && reveal) revealRow(row);
  }
  for (const point of $("pareto").querySelectorAll(".point")) {
    point.classList.toggle("selected", point.dataset.id === state.selectedId);
  }
  setText("selected-id", c ? c.id : "—");
  setText("timeline-id", c ? c.id : "—");
  setText("code-text", c ? c.code || "" : "");
  renderFacts(c);
  renderCandidateNotes(c);
  renderTimeline(c, state.plan);
}

/** Scrolls only the table's own scroll box (never the page) so the row is visible. */
function revealRow(row) {
  const wrap = row.closest(".table-wrap");
  if (!wrap) return;
  const top = row.offsetTop;
  if (top < wrap.scrollTop + 30 || top + row.offsetHeight > wrap.scrollTop + wrap.clientHeight) {
    wrap.scrollTop = Math.max(0, top - wrap.clientHeight / 2);
  }
}

function renderFacts(c) {
  const box = clear("candidate-facts");
  if (!c) return;
  const add = (label, value) => box.append(el("div", {}, el("dt", { text: label }), el("dd", { text: value })));
  add("weights", c.weights || "—");
  add("placement", c.placement || "—");
  add("quantized", (c.quantized_components || []).join(", ") || "—");
  add("VRAM peak / allocated", gib(c.vram) + " / " + gib(c.vram_allocated));
  add("RAM peak", gib(c.ram));
  add("time", seconds(c.seconds) + (c.relative_time != null ? " (×" + Number(c.relative_time).toFixed(2) + ")" : ""));
  const vae = [c.vae_tiling ? "tiling" : "", c.vae_slicing ? "slicing" : ""].filter(Boolean).join(" + ");
  if (vae) add("VAE", vae);
  if (c.num_blocks_per_group != null) add("blocks per group", String(c.num_blocks_per_group));
  if ((c.group_offload_exclude || []).length) add("kept on GPU", c.group_offload_exclude.join(", "));
  if (c.parallel) {
    const names = { ulysses: "context parallel (Ulysses)", ring: "context parallel (Ring)", tp: "tensor parallel", balanced: 'device_map="balanced"' };
    add("layout", (names[c.parallel.kind] || c.parallel.kind) + " over " + c.parallel.degree + " GPUs");
    for (const share of c.gpus || []) {
      add("GPU " + share.index, gib(share.vram) + " — " + ((share.holds || []).join(", ") || "nothing"));
    }
    if (c.communication_seconds) add("communication", seconds(c.communication_seconds));
  }
  if (c.reason) add("does not fit", c.reason);
}

function renderCandidateNotes(c) {
  const list = clear("candidate-notes");
  const notes = (c && c.notes) || [];
  for (const note of notes) list.append(el("li", { text: note }));
  if (!notes.length) list.append(el("li", { class: "muted", text: c ? "no notes" : "no candidate" }));
}

// ---------------------------------------------------------------------------
// Charts
// ---------------------------------------------------------------------------

/** A "nice" tick step for an axis from 0 to max. */
function tickStep(max, count = 5) {
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
}

function ticks(max) {
  const step = tickStep(max);
  const out = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(10)));
  return out;
}

/** A linear scale from 0..max onto [from, to] (pixels). */
function linearScale(max, from, to) {
  return { map: (v) => from + (v / max) * (to - from), ticks: ticks(max), log: false };
}

/** A log10 scale from min..max onto [from, to], with 1-2-5 ticks. */
function logScale(min, max, from, to) {
  const lo = Math.log10(min), hi = Math.log10(max);
  const out = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min && v <= max) out.push(Number(v.toPrecision(6)));
    }
  }
  return { map: (v) => from + ((Math.log10(v) - lo) / (hi - lo)) * (to - from), ticks: out, log: true };
}

/** Axes, grid, ticks and labels. `xScale` may be null (no x ticks). */
function drawAxes(root, box, xScale, yScale, xLabel, yLabel) {
  const bottom = box.top + box.height;
  const axes = svg("g", { class: "axes" });
  for (const v of yScale.ticks) {
    const y = yScale.map(v);
    axes.append(svg("line", { class: "grid", x1: box.left, x2: box.left + box.width, y1: y, y2: y }));
    axes.append(svg("text", { class: "tick", x: box.left - 6, y: y + 3, "text-anchor": "end", text: formatTick(v) }));
  }
  for (const v of xScale ? xScale.ticks : []) {
    const x = xScale.map(v);
    axes.append(svg("line", { class: "tickmark", x1: x, x2: x, y1: bottom, y2: bottom + 4 }));
    axes.append(svg("text", { class: "tick", x, y: bottom + 15, "text-anchor": "middle", text: formatTick(v) }));
  }
  axes.append(svg("line", { class: "axis", x1: box.left, x2: box.left + box.width, y1: bottom, y2: bottom }));
  axes.append(svg("line", { class: "axis", x1: box.left, x2: box.left, y1: box.top, y2: bottom }));
  if (xLabel) axes.append(svg("text", { class: "label", x: box.left + box.width / 2, y: bottom + 32, "text-anchor": "middle", text: xLabel }));
  const mid = box.top + box.height / 2;
  axes.append(svg("text", { class: "label", x: 12, y: mid, "text-anchor": "middle", transform: "rotate(-90 12 " + mid + ")", text: yLabel + (yScale.log ? " (log scale)" : "") }));
  root.append(axes);
}

function formatTick(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 1 ? 2 : 1);
}

/** Prepares an SVG element: size, viewBox, cleared. */
function resetSvg(id, width, height) {
  const root = clear(id);
  root.setAttribute("viewBox", "0 0 " + width + " " + height);
  root.setAttribute("preserveAspectRatio", "xMidYMid meet");
  return root;
}

function emptyChart(root, width, height, message) {
  root.append(svg("text", { class: "empty", x: width / 2, y: height / 2, "text-anchor": "middle", text: message }));
}

/**
 * Ids on the Pareto front of (vram, seconds): no other candidate needs at
 * most as much VRAM and is at most as slow while being better in one of them.
 * Only fitting candidates compete (all of them when none fits).
 */
/**
 * The Pareto front, by the CLI's rule (src/pipefit/report/pareto.h): VRAM
 * within 1% counts as equal, so a few MiB less do not keep a much slower
 * candidate on the front.
 */
function paretoFront(candidates) {
  const fitting = candidates.filter((c) => c.fits !== false);
  const pool = fitting.length ? fitting : candidates;
  const front = pool.filter((a) => {
    const tolerance = a.vram / 100;
    return !pool.some((b) => b !== a && b.vram <= a.vram + tolerance && b.seconds <= a.seconds &&
      (b.vram < a.vram - tolerance || b.seconds < a.seconds));
  });
  return front.sort((a, b) => a.vram - b.vram || a.seconds - b.seconds);
}

function renderPareto(plan) {
  const W = 560, H = 330;
  const root = resetSvg("pareto", W, H);
  const candidates = (plan.candidates || []).filter((c) => Number.isFinite(c.vram) && Number.isFinite(c.seconds));
  if (!candidates.length) return emptyChart(root, W, H, "no candidates to plot");
  const cardGiB = (Number(plan.hardware && plan.hardware.vram) || 0) / GIB;
  const xMax = Math.max(cardGiB, ...candidates.map((c) => c.vram / GIB)) * 1.08 || 1;
  const box = { left: 52, top: 14, width: W - 68, height: H - 62 };
  const xScale = linearScale(xMax, box.left, box.left + box.width);
  const yScale = secondsScale(candidates.map((c) => c.seconds), box);
  drawAxes(root, box, xScale, yScale, "peak VRAM (GiB)", "seconds per call");
  const x = xScale.map, y = yScale.map;

  if (cardGiB > 0) {
    root.append(svg("line", { class: "capacity", x1: x(cardGiB), x2: x(cardGiB), y1: box.top, y2: box.top + box.height }));
    root.append(svg("text", { class: "capacity-label", x: x(cardGiB) - 4, y: box.top + 10, "text-anchor": "end", text: "card " + gib(cardGiB * GIB) }));
  }

  const front = paretoFront(candidates);
  const onFront = new Set(front.map((c) => c.id));
  if (front.length > 1) {
    root.append(svg("polyline", { class: "front", points: front.map((c) => x(c.vram / GIB) + "," + y(c.seconds)).join(" ") }));
  }
  // Front points last so they are drawn on top.
  const ordered = [...candidates].sort((a, b) => Number(onFront.has(a.id)) - Number(onFront.has(b.id)));
  for (const c of ordered) root.append(paretoPoint(c, plan, onFront.has(c.id), x, y));
}

/** Seconds on a log scale when they spread over more than 8x (one slow outlier would flatten the rest). */
function secondsScale(values, box) {
  const positive = values.filter((v) => v > 0);
  const min = Math.min(...positive), max = Math.max(...positive);
  if (positive.length === values.length && max / min > 8) {
    return logScale(min / 1.25, max * 1.25, box.top + box.height, box.top);
  }
  return linearScale(Math.max(...values) * 1.1 || 1, box.top + box.height, box.top);
}

function paretoPoint(c, plan, onFront, x, y) {
  const classes = ["point", onFront ? "on-front" : "", c.fits === false ? "nofit" : "", c.id === plan.chosen ? "chosen" : ""];
  const point = svg("circle", {
    class: classes.filter(Boolean).join(" "),
    cx: x(c.vram / GIB), cy: y(c.seconds), r: onFront || c.id === plan.chosen ? 5.5 : 4,
    tabindex: "0",
    dataset: { id: c.id },
    onclick: () => selectCandidate(c.id, true),
    onkeydown: (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); selectCandidate(c.id, true); } },
  });
  point.append(svg("title", { text: c.id + "\n" + gib(c.vram) + " VRAM · " + seconds(c.seconds) + (onFront ? " · Pareto front" : "") + (c.fits === false ? " · does not fit" : "") }));
  return point;
}

const STAGE_PARTS = [["weights", "weights"], ["activations", "activations"], ["transient", "transient"]];

/** One stacked bar per stages[] entry (weights, activations, transient), card capacity and the candidate's peak as lines. */
function renderTimeline(c, plan) {
  const W = 560, H = 330;
  const root = resetSvg("timeline", W, H);
  const stages = (c && c.stages) || [];
  if (!stages.length) return emptyChart(root, W, H, c ? "no stage data" : "no candidate selected");
  const totals = stages.map((s) => STAGE_PARTS.reduce((sum, [key]) => sum + (Number(s[key]) || 0), 0));
  const card = Number(plan && plan.hardware && plan.hardware.vram) || 0;
  const yMax = Math.max(card, Number(c.vram) || 0, ...totals) / GIB * 1.12 || 1;
  const box = { left: 52, top: 14, width: W - 68, height: H - 72 };
  const yScale = linearScale(yMax, box.top + box.height, box.top);
  drawAxes(root, box, null, yScale, null, "VRAM (GiB)");
  const y = yScale.map;
  const band = box.width / stages.length;
  const barWidth = Math.min(64, band * 0.62);
  const peak = Math.max(...totals);

  stages.forEach((stage, i) => {
    const cx = box.left + band * (i + 0.5);
    root.append(stageBar(stage, totals[i], totals[i] === peak, cx, barWidth, y, box));
  });
  const lines = [];
  if (card > 0) lines.push(["capacity", "card " + gib(card), card]);
  if (c.vram) lines.push(["peak-line", "peak incl. slack " + gib(c.vram), c.vram]);
  for (const [cls, , bytes] of lines) {
    root.append(svg("line", { class: cls, x1: box.left, x2: box.left + box.width, y1: y(bytes / GIB), y2: y(bytes / GIB) }));
  }
  root.append(timelineLegend(H, lines));
}

function stageBar(stage, total, isPeak, cx, barWidth, y, box) {
  const group = svg("g", { class: "stage" + (isPeak ? " peak" : ""), dataset: { stage: stage.stage || "" } });
  let base = 0;
  for (const [key] of STAGE_PARTS) {
    const value = (Number(stage[key]) || 0) / GIB;
    if (value <= 0) continue;
    group.append(svg("rect", { class: "part " + key, x: cx - barWidth / 2, width: barWidth, y: y(base + value), height: Math.max(0.5, y(base) - y(base + value)) }));
    base += value;
  }
  group.append(svg("text", { class: "value", x: cx, y: y(base) - 4, "text-anchor": "middle", text: (total / GIB).toFixed(2) }));
  group.append(svg("text", { class: "stage-name", x: cx, y: box.top + box.height + 14, "text-anchor": "middle", text: stage.stage || "" }));
  group.append(svg("text", { class: "component", x: cx, y: box.top + box.height + 26, "text-anchor": "middle", text: stage.component || "" }));
  group.append(svg("title", { text: (stage.stage || "") + " · " + (stage.component || "") + "\nweights " + gib(stage.weights) + "\nactivations " + gib(stage.activations) + "\ntransient " + gib(stage.transient) + "\ntotal " + gib(total) }));
  return group;
}

/** Legend under the timeline: the three bar parts, then the horizontal lines (class, label). */
function timelineLegend(H, lines) {
  const legend = svg("g", { class: "legend" });
  const y = H - 7;
  let x = 8;
  for (const [key, label] of STAGE_PARTS) {
    legend.append(svg("rect", { class: "part " + key, x, y: y - 9, width: 10, height: 10 }));
    legend.append(svg("text", { x: x + 14, y, text: label }));
    x += 24 + label.length * 6;
  }
  for (const [cls, label] of lines) {
    legend.append(svg("line", { class: cls, x1: x, x2: x + 18, y1: y - 4, y2: y - 4 }));
    legend.append(svg("text", { class: cls + "-label", x: x + 22, y, text: label }));
    x += 36 + label.length * 6.2;
  }
  return legend;
}

// ---------------------------------------------------------------------------
// Copy button
// ---------------------------------------------------------------------------

async function copyCode() {
  const code = $("code-text");
  const text = code.textContent;
  let ok = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      ok = true;
    }
  } catch {
    ok = false;
  }
  if (!ok) ok = copyBySelection(code);
  flashButton($("copy-code"), ok ? "copied" : "select and copy by hand");
}

/** Fallback: select the element's text and use execCommand("copy"). */
function copyBySelection(node) {
  try {
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

function flashButton(button, text) {
  const original = button.dataset.label || button.textContent;
  button.dataset.label = original;
  button.textContent = text;
  clearTimeout(button._timer);
  button._timer = setTimeout(() => { button.textContent = original; }, 1600);
}

// ---------------------------------------------------------------------------
// Triage: doctor, check, apply
// ---------------------------------------------------------------------------

function optionalText(id) {
  const node = $(id);
  const value = node ? node.value.trim() : "";
  return value || undefined;
}

function runDoctor() {
  return runTask("diagnosing…", async () => {
    const log = $("log-input").value;
    if (!log.trim()) throw new Error("paste a log first");
    const body = { log };
    const model = optionalText("doctor-model");
    if (model) body.model = model;
    // doctor --script: the script's lines are tied to the failure.
    const script = $("script-input")?.value || "";
    if ($("doctor-with-script")?.checked && script.trim()) body.script = script;
    renderDoctor(await api("doctor", body));
  });
}

const DOCTOR_NUMBERS = [
  ["requested", "requested"],
  ["gpu_total", "GPU total"],
  ["gpu_free", "GPU free"],
  ["process_in_use", "this process in use"],
  ["allocated_by_pytorch", "allocated by PyTorch"],
  ["reserved_unallocated", "reserved, unallocated"],
  ["reserved_total", "reserved in total"],
  ["other_allocations", "other allocations"],
];

function renderDoctor(doc) {
  show("doctor-result", true);
  setText("doctor-kind", doc.kind);
  setText("doctor-stage", doc.stage);
  setText("doctor-vae", doc.vae_call ? "(vae." + doc.vae_call + ")" : "");
  const message = doc.message ? (doc.line ? "line " + doc.line + ": " : "") + doc.message : "";
  setText("doctor-message", message);
  setText("doctor-evidence", doc.stage_evidence ? "stage from: " + doc.stage_evidence : "");
  renderDoctorNumbers(doc);
  const card = doc.gpu_class;
  setText("doctor-gpu-class", card ? "GPU from the capacity: a " + card.nominal_gb + " GB card" + ((card.examples || []).length ? " (" + card.examples.join(", ") + ")" : "") : "");
  renderScriptLines(doc);
  fillList("doctor-advice", doc.advice || [], "no advice");
  renderDoctorPlan(doc.plan);
  const notes = [...(doc.notes || [])];
  if (doc.oom_messages > 1) notes.push(doc.oom_messages + " out-of-memory messages in the log; the last one is shown");
  if (doc.truncated) notes.push("the log was truncated");
  if ((doc.model_ids || []).length) notes.push("models in the log: " + doc.model_ids.join(", "));
  fillList("doctor-notes", notes, null);
}

function renderDoctorNumbers(doc) {
  const tbody = clear($("doctor-numbers").tBodies[0]);
  for (const [key, label] of DOCTOR_NUMBERS) {
    if (doc[key] === null || doc[key] === undefined) continue;
    tbody.append(el("tr", { dataset: { key } }, el("th", { scope: "row", text: label }), el("td", { class: "num", dataset: { bytes: String(doc[key]) }, text: gib(doc[key]) })));
  }
  for (const p of doc.other_processes || []) {
    tbody.append(el("tr", {}, el("th", { scope: "row", text: "process " + p.pid }), el("td", { class: "num", text: gib(p.bytes) })));
  }
}

function renderScriptLines(doc) {
  const lines = doc.script_lines || [];
  show("doctor-script-box", lines.length > 0);
  const list = clear("doctor-script-lines");
  for (const t of lines) {
    list.append(el("li", { dataset: { rule: t.rule || "" } }, el("span", { class: "num", text: "line " + t.line + " " }), el("span", { text: t.text || "" })));
  }
}

/** doctor's plan: {model, vram, ram, recommended, candidates[{id, vram, ram, seconds}]}. */
function renderDoctorPlan(plan) {
  show("doctor-plan-box", !!plan);
  if (!plan) return;
  setText("doctor-plan-title", "What fits " + (plan.model || "the model") + " in " + gib(plan.vram) + " VRAM and " + gib(plan.ram) + " RAM");
  const badges = clear("doctor-recommended");
  for (const pref of PREFERENCES) {
    const id = plan.recommended && plan.recommended[pref];
    badges.append(el("li", { dataset: { prefer: pref } }, el("span", { class: "badge static" }, el("span", { class: "pref", text: pref }), el("code", { text: id || "none" }))));
  }
  const tbody = clear($("doctor-plan").tBodies[0]);
  for (const c of plan.candidates || []) {
    tbody.append(el("tr", { dataset: { id: c.id } }, el("td", {}, el("code", { text: c.id })),
      el("td", { class: "num", text: gib(c.vram) }), el("td", { class: "num", text: gib(c.ram) }), el("td", { class: "num", text: seconds(c.seconds) })));
  }
  if (!(plan.candidates || []).length) tbody.append(el("tr", {}, el("td", { colspan: "4", class: "muted", text: "nothing fits" })));
}

function fillList(id, items, emptyText) {
  const list = clear(id);
  for (const item of items) list.append(el("li", { text: item }));
  if (!items.length && emptyText) list.append(el("li", { class: "muted", text: emptyText }));
}

function readScript() {
  const script = $("script-input").value;
  if (!script.trim()) throw new Error("paste a script first");
  return script;
}

function runCheck() {
  return runTask("checking…", async () => {
    const body = { script: readScript() };
    const model = optionalText("check-model");
    if (model) body.model = model;
    renderCheck(await api("check", body));
  });
}

function renderCheck(doc) {
  const findings = doc.findings || [];
  const list = clear("check-findings");
  for (const f of findings) list.append(findingItem(f));
  const summary = $("check-summary");
  summary.textContent = findings.length ? findings.length + " finding" + (findings.length === 1 ? "" : "s") : "No findings: the script looks fine.";
  show(summary, true);
  fillList("check-notes", doc.notes || [], null);
}

function findingItem(f) {
  const where = f.line ? "line " + f.line + (f.related_line ? " (see line " + f.related_line + ")" : "") : "";
  return el("li", { dataset: { rule: f.rule || "" }, class: "finding sev-" + String(f.severity || "info").replace(/[^a-z]/gi, "") },
    el("div", { class: "finding-head" },
      el("span", { class: "severity", text: f.severity || "" }), " ",
      el("code", { class: "rule", text: f.rule || "" }), " ",
      el("span", { class: "num muted", text: where })),
    el("div", { class: "finding-message", text: f.message || "" }),
    f.fix ? el("div", { class: "finding-fix" }, el("strong", { text: "fix: " }), f.fix) : null);
}

function runApply() {
  return runTask("applying…", async () => {
    const body = { script: readScript() };
    const strategy = optionalText("apply-strategy");
    if (strategy) body.strategy = strategy;
    else body.prefer = $("apply-prefer").value;
    for (const key of ["gpu", "vram", "ram"]) {
      const value = optionalText(key);
      if (value) body[key] = value;
    }
    renderApply(await api("apply", body));
  });
}

function renderApply(doc) {
  show("apply-result", true);
  setText("apply-strategy-out", doc.strategy || "");
  setText("apply-changed", doc.changed ? "(" + (doc.script || "script") + " changed)" : "(no change needed)");
  const pre = clear("apply-diff");
  const text = doc.diff || "";
  const lines = text.split("\n");
  if (text.endsWith("\n")) lines.pop();  // the final newline ends the last line; it is no line of its own
  for (const line of lines) pre.append(el("span", { class: diffClass(line), text: line + "\n" }));
  if (!text) pre.append(el("span", { class: "meta", text: "(empty diff)\n" }));
  fillList("apply-notes", doc.notes || [], null);
}

function diffClass(line) {
  if (line.startsWith("+++") || line.startsWith("---")) return "meta";
  if (line.startsWith("@@")) return "hunk";
  if (line.startsWith("+")) return "add";
  if (line.startsWith("-")) return "del";
  return "ctx";
}

function wireTriage() {
  $("doctor-button")?.addEventListener("click", runDoctor);
  $("check-button")?.addEventListener("click", runCheck);
  $("apply-button")?.addEventListener("click", runApply);
}

// ---------------------------------------------------------------------------
// Start-up
// ---------------------------------------------------------------------------

/** Report mode: render the embedded plan, hide everything interactive, no network. */
function startReport(dataNode) {
  state.report = true;
  document.body.classList.add("report");
  for (const id of ["plan-form", "panel-triage"]) show(id, false);
  document.querySelector(".tabs")?.setAttribute("hidden", "");
  for (const node of document.querySelectorAll(".app-only")) node.hidden = true;
  show("status", false);
  try {
    renderPlan(parseDocument(dataNode.textContent));
    setStatus("ready");
  } catch (err) {
    setStatus("error");
    showError("cannot read the embedded plan: " + err.message);
  }
}

/**
 * App mode: load the form's lists, then plan with the defaults. One status
 * task, so #status reads "ready" only once the first plan is shown.
 */
async function startApp() {
  wireTabs();
  wirePlanForm();
  wireTriage();
  selectTab("plan");
  await runTask("loading…", async () => {
    const loadError = await loadFormLists();
    setStatus("planning…");
    await planRequest();
    if (loadError) throw loadError;
  });
}

/** Fills the model list and the GPU select; returns an Error naming what failed (or null). */
async function loadFormLists() {
  const [catalog, gpus, hw] = await Promise.allSettled([api("catalog"), api("gpus"), api("hw")]);
  if (catalog.status === "fulfilled") fillModels(catalog.value);
  fillGpus(gpus.status === "fulfilled" ? gpus.value : null, hw.status === "fulfilled" ? hw.value : null);
  const failed = [catalog, gpus, hw].filter((r) => r.status === "rejected");
  return failed.length ? new Error(failed.map((r) => r.reason.message).join("; ")) : null;
}

function start() {
  $("copy-code")?.addEventListener("click", copyCode);
  const data = document.getElementById("pipefit-report-data");
  if (data) startReport(data);
  else startApp();
}

start();
