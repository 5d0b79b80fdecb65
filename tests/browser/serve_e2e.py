#!/usr/bin/env python3
"""End-to-end browser test for `pipefit serve`.

Starts `pipefit serve --port 0` in a hermetic environment (dead Hub endpoint,
temporary HOME and caches), drives headless Chromium over the DevTools
protocol (--remote-debugging-pipe, Python standard library only) through the
plan, triage, check and apply views, and compares what the page shows with
the CLI's --json documents for the same requests.

Usage:
  python3 tests/browser/serve_e2e.py --pipefit build/pipefit \
      [--screenshot OUT.png] [--chromium PATH]

Exit status: 0 all steps passed, 1 a step failed (or the server could not
start), 77 Chromium is missing or cannot start (ctest's skip code).
"""

import argparse
import base64
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
GLOBAL_LIMIT_S = 150   # the whole test stops itself after this long
WAIT_S = 60            # any single wait on the page or the server
CLI_TIMEOUT_S = 60

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOG_FILE = os.path.join(REPO, "tests", "data", "doctor", "cuda_flux_vae_decode.log")
SCRIPT_FILE = os.path.join(REPO, "tests", "data", "scripts", "bnb8_transformer_model_offload.py")
MODEL = "flux.1-dev"
BIG_GPU = "rtx-4090"
RAM = "64GiB"



def stop_process_group(proc, first_signal, timeout):
    """Sends FIRST_SIGNAL, waits up to TIMEOUT seconds, then SIGKILL; and kills
    whatever is left in the process's group (it was started in a new session)."""
    if proc.poll() is None:
        proc.send_signal(first_signal)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass

class GlobalTimeout(BaseException):
    """Raised by SIGALRM when the whole run takes too long."""


class StepFailed(Exception):
    """An assertion of a step did not hold; the message says what differed."""


class BrowserGone(Exception):
    """Chromium exited, closed the pipe, or the page crashed."""


class Skip(Exception):
    """Chromium is missing or does not start: the test is skipped."""


def on_alarm(signum, frame):
    raise GlobalTimeout("the test ran longer than %d s" % GLOBAL_LIMIT_S)


# ---------------------------------------------------------------------------
# Chromium over --remote-debugging-pipe
# ---------------------------------------------------------------------------

class Chromium:
    """Headless Chromium, one page target, CDP messages on fds 3 (in) and 4 (out)."""

    def __init__(self, binary, profile_dir, log_path):
        self.proc = None
        self.wfd = self.rfd = None
        self.buf = b""
        self.next_id = 0
        self.session = None
        self.exceptions = []   # Runtime.exceptionThrown texts
        self.console_errors = []  # console.error / Log error entries
        self.crashed = None
        cmd_r, cmd_w = os.pipe()   # we write commands -> Chromium reads fd 3
        out_r, out_w = os.pipe()   # Chromium writes fd 4 -> we read

        def child_fds():
            # Duplicate first so that dup2 never targets the fd it copies from
            # (dup2(fd, fd) would keep the close-on-exec flag).
            a = os.dup(cmd_r)
            b = os.dup(out_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
            os.close(a)
            os.close(b)

        args = [
            binary, "--headless=new", "--no-sandbox", "--disable-gpu",
            "--no-first-run", "--no-default-browser-check",
            "--user-data-dir=" + profile_dir, "--window-size=1280,1800",
            "--remote-debugging-pipe",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--proxy-server=direct://", "--proxy-bypass-list=*",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--disable-extensions",
            "--disable-features=Translate,MediaRouter,OptimizationHints",
            "--metrics-recording-only", "--mute-audio", "about:blank",
        ]
        self.log = open(log_path, "wb")
        try:
            # Every fd Python opens is non-inheritable (PEP 446), so only the
            # two dup2'd fds and stdio reach Chromium.
            self.proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                preexec_fn=child_fds, close_fds=False, start_new_session=True)
        except OSError as err:
            os.close(cmd_r); os.close(cmd_w); os.close(out_r); os.close(out_w)
            raise Skip("cannot start %s: %s" % (binary, err))
        finally:
            self.log.close()
        os.close(cmd_r)
        os.close(out_w)
        self.wfd, self.rfd = cmd_w, out_r

    # -- transport ----------------------------------------------------------

    def _send(self, method, params, session):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        data = json.dumps(msg).encode() + b"\0"
        try:
            while data:
                n = os.write(self.wfd, data)
                data = data[n:]
        except (BrokenPipeError, OSError) as err:
            raise BrowserGone("cannot write to Chromium: %s" % err)
        return self.next_id

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from Chromium in time")
            ready, _, _ = select.select([self.rfd], [], [], min(left, 1.0))
            if not ready:
                if self.proc.poll() is not None:
                    raise BrowserGone("Chromium exited with status %s" % self.proc.returncode)
                continue
            chunk = os.read(self.rfd, 1 << 20)
            if not chunk:
                raise BrowserGone("Chromium closed the DevTools pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def _event(self, msg):
        method = msg.get("method")
        params = msg.get("params", {})
        if self.session and msg.get("sessionId") not in (None, self.session):
            return
        if method == "Runtime.exceptionThrown":
            d = params.get("exceptionDetails", {})
            exc = d.get("exception", {}) or {}
            self.exceptions.append("%s %s (%s:%s)" % (
                d.get("text", ""), exc.get("description", ""), d.get("url", ""), d.get("lineNumber", "")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            parts = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
            self.console_errors.append("console.%s: %s" % (params.get("type"), " ".join(parts)))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") == "error":
                self.console_errors.append("log(%s): %s %s" % (
                    entry.get("source", ""), entry.get("text", ""), entry.get("url", "")))
        elif method in ("Inspector.targetCrashed",):
            self.crashed = "the page crashed"
        elif method == "Target.detachedFromTarget" and params.get("sessionId") == self.session:
            self.crashed = "the page target was detached"

    def call(self, method, params=None, session=True, timeout=WAIT_S):
        if self.crashed:
            raise BrowserGone(self.crashed)
        msg_id = self._send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            msg = self._read_message(deadline)
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError("%s failed: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self._event(msg)

    def pump(self, seconds):
        """Reads pending events for up to `seconds`."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self._event(self._read_message(deadline))
        except TimeoutError:
            pass

    # -- page ---------------------------------------------------------------

    def open_page(self):
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True}, session=False)["sessionId"]
        for domain in ("Runtime.enable", "Page.enable", "Log.enable"):
            self.call(domain)

    def eval(self, expression, timeout=WAIT_S):
        result = self.call("Runtime.evaluate", {
            "expression": expression, "awaitPromise": True, "returnByValue": True,
            "userGesture": True}, timeout=timeout)
        if "exceptionDetails" in result:
            d = result["exceptionDetails"]
            desc = (d.get("exception") or {}).get("description") or d.get("text")
            raise StepFailed("page script failed: %s\n  in: %s" % (desc, expression[:200]))
        return result.get("result", {}).get("value")

    def close(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self._send("Browser.close", {}, False)
                self.proc.wait(timeout=5)
            except Exception:
                pass
        # Helper processes (renderer, zygote) are in the session we created.
        stop_process_group(self.proc, signal.SIGTERM, 5)
        for fd in (self.wfd, self.rfd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.wfd = self.rfd = None


# ---------------------------------------------------------------------------
# Server and CLI
# ---------------------------------------------------------------------------

def hermetic_env(home):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HF_") and k not in ("HUGGING_FACE_HUB_TOKEN", "PIPEFIT_CACHE")}
    env.update({
        "HF_ENDPOINT": "http://127.0.0.1:9",
        "HOME": home, "XDG_CACHE_HOME": home, "PIPEFIT_CACHE": home, "HF_HOME": home,
        "HF_HUB_DISABLE_TELEMETRY": "1",
    })
    return env


class Server:
    def __init__(self, pipefit, env, workdir):
        self.log_path = os.path.join(workdir, "serve.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([pipefit, "serve", "--port", "0", "--quiet"],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                     env=env, cwd=workdir, start_new_session=True)
        self.log.close()
        self.url = None
        deadline = time.monotonic() + WAIT_S
        prefix = "pipefit serve: listening on "
        while time.monotonic() < deadline:
            with open(self.log_path, "r", errors="replace") as f:
                for line in f:
                    if line.startswith(prefix):
                        self.url = line[len(prefix):].split()[0]
                        return
            if self.proc.poll() is not None:
                raise RuntimeError("pipefit serve exited with status %s:\n%s" % (self.proc.returncode, self.output()))
            time.sleep(0.05)
        raise RuntimeError("pipefit serve printed no 'listening' line in %d s:\n%s" % (WAIT_S, self.output()))

    def output(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def stop(self):
        stop_process_group(self.proc, signal.SIGTERM, 10)


class Cli:
    def __init__(self, pipefit, env, workdir):
        self.pipefit, self.env, self.workdir = pipefit, env, workdir

    def json(self, *args, stdin=None, cwd=None):
        run = subprocess.run([self.pipefit, *args], input=stdin, capture_output=True, env=self.env,
                             cwd=cwd or self.workdir, timeout=CLI_TIMEOUT_S)
        try:
            return json.loads(run.stdout)
        except ValueError:
            raise StepFailed("`pipefit %s` (exit %d) did not print JSON: %s %s" % (
                " ".join(args), run.returncode, run.stdout[:300], run.stderr[:300]))


# ---------------------------------------------------------------------------
# Page helpers
# ---------------------------------------------------------------------------

def js(value):
    """A JS literal for a Python value."""
    return json.dumps(value)


def status(page):
    """#status's text; None while the page (or its #status) is not there yet."""
    return page.eval("document.getElementById('status')?.textContent ?? null")


def wait_ready(page, what):
    """Waits until #status reads "ready"; fails on "error" with #error's text."""
    deadline = time.monotonic() + WAIT_S
    last = None
    while time.monotonic() < deadline:
        last = status(page)
        if last == "ready":
            return
        if last == "error":
            raise StepFailed("%s: #status is 'error': %s" % (what, page.eval("document.getElementById('error').textContent")))
        page.pump(0.05)
    raise StepFailed("%s: #status still %r after %d s" % (what, last, WAIT_S))


def click_and_wait(page, button_id, what):
    """Clicks a button whose handler runs a status task, checks the task started, waits for ready."""
    after = page.eval("(() => { document.getElementById(%s).click();"
                      " return document.getElementById('status').textContent; })()" % js(button_id))
    if after == "ready":
        # runTask sets the busy text synchronously; "ready" here means the click did nothing.
        raise StepFailed("%s: clicking #%s did not start a request (#status stayed 'ready')" % (what, button_id))
    wait_ready(page, what)


def set_field(page, field_id, value):
    got = page.eval("""(() => {
      const node = document.getElementById(%s);
      if (!node) return null;
      node.value = %s;
      node.dispatchEvent(new Event('input', {bubbles: true}));
      node.dispatchEvent(new Event('change', {bubbles: true}));
      return node.value;
    })()""" % (js(field_id), js(value)))
    if got != value:
        raise StepFailed("cannot set #%s to %r (it reads %r; for a select: no such option)" % (field_id, value, got))


MULTI_GPU = "h100-sxm"


def plan_on_page(page, gpu):
    set_field(page, "model", MODEL)
    set_field(page, "gpu", gpu)
    set_field(page, "vram", "")
    set_field(page, "ram", RAM)
    # Mark the current rows so a stale table cannot pass for the new one.
    page.eval("for (const r of document.querySelectorAll('#candidates tbody tr')) r.__stale = true; 1")
    click_and_wait(page, "plan-button", "plan for " + gpu)
    if page.eval("[...document.querySelectorAll('#candidates tbody tr')].some(r => r.__stale)"):
        raise StepFailed("plan for %s: the candidate table was not re-rendered" % gpu)


READ_PLAN = """(() => {
  const q = (s) => [...document.querySelectorAll(s)];
  const rows = q('#candidates tbody tr[data-id]').map(r => ({
    id: r.dataset.id,
    cls: [...r.classList],
    vram: r.querySelector('td.vram')?.dataset.bytes ?? null,
    ram: r.querySelector('td.ram')?.dataset.bytes ?? null,
    seconds: r.querySelector('td.seconds')?.dataset.seconds ?? null,
    // the bars: the style attribute pipefit.js wrote, what the browser applied, the drawn width
    bars: ['vram', 'ram'].map(k => {
      const fill = r.querySelector('td.' + k + ' .bar .fill');
      return fill ? {key: k, attr: fill.getAttribute('style') || '', applied: fill.style.width,
                     px: fill.getBoundingClientRect().width} : {key: k, missing: true};
    }),
  }));
  return {
    rows,
    chosen: document.getElementById('chosen-id').textContent,
    code: document.getElementById('code').textContent,
    rejected: q('#rejected li[data-id]').map(li => li.dataset.id),
    points: q('#pareto circle.point').length,
    front: q('#pareto circle.point.on-front').map(c => c.dataset.id).sort(),
    stages: q('#timeline g.stage').length,
    resultsHidden: document.getElementById('plan-results').hidden,
  };
})()"""


def compare_rows(rows, doc, problems, label):
    cands = doc.get("candidates", [])
    page_ids = [r["id"] for r in rows]
    cli_ids = [c["id"] for c in cands]
    if page_ids != cli_ids:
        problems.append("%s: candidate ids differ\n    page: %s\n    cli:  %s" % (label, page_ids, cli_ids))
        return
    for r, c in zip(rows, cands):
        for key, conv in (("vram", int), ("ram", int), ("seconds", float)):
            try:
                page_value = conv(r[key])
            except (TypeError, ValueError):
                problems.append("%s: row %s %s attribute unreadable: %r" % (label, r["id"], key, r[key]))
                continue
            cli_value = c.get(key)
            same = cli_value is not None and page_value == conv(cli_value)
            if not same:
                problems.append("%s: row %s %s: page %r, cli %r" % (label, r["id"], key, r[key], cli_value))


def check_plan(page, doc, label, full=True, bars=False):
    got = page.eval(READ_PLAN)
    problems = []
    if got["resultsHidden"]:
        problems.append("%s: #plan-results is hidden" % label)
    compare_rows(got["rows"], doc, problems, label)
    chosen = doc.get("chosen") or ""
    if got["chosen"] != chosen:
        problems.append("%s: #chosen-id is %r, cli chosen %r" % (label, got["chosen"], chosen))
    cands = {c["id"]: c for c in doc.get("candidates", [])}
    chosen_rows = [r for r in got["rows"] if r["id"] == chosen]
    if chosen and (not chosen_rows or "chosen" not in chosen_rows[0]["cls"]):
        problems.append("%s: the chosen row %s lacks class 'chosen'" % (label, chosen))
    empty = []
    for r in got["rows"]:
        for bar in r.get("bars", []):
            if bar.get("missing"):
                empty.append("%s %s: no .bar .fill" % (r["id"], bar["key"]))
            elif bar["px"] < 0.5:
                empty.append("%s %s: style=%r applied width=%r drawn %.1f px" % (
                    r["id"], bar["key"], bar["attr"], bar["applied"], bar["px"]))
    if bars and empty:
        problems.append("%s: %d VRAM/RAM bars in #candidates are drawn with no fill (pipefit.js barCell sets a"
                        " style attribute; an empty applied width means the server's CSP style-src 'self'"
                        " blocked it), e.g. %s" % (label, len(empty), "; ".join(empty[:2])))
    others = [r["id"] for r in got["rows"] if r["id"] != chosen and "chosen" in r["cls"]]
    if others:
        problems.append("%s: rows other than the chosen one have class 'chosen': %s" % (label, others))
    if full:
        if chosen in cands and got["code"] != cands[chosen].get("code", ""):
            problems.append("%s: #code differs from the chosen candidate's code\n    page: %r\n    cli:  %r" % (
                label, got["code"][:400], cands[chosen].get("code", "")[:400]))
        cli_rejected = [r["id"] for r in doc.get("rejected", [])]
        if got["rejected"] != cli_rejected:
            problems.append("%s: rejected ids differ\n    page: %s\n    cli:  %s" % (label, got["rejected"], cli_rejected))
        expected_front = sorted(pareto_front(doc.get("candidates", [])))
        if got["front"] != expected_front:
            problems.append("%s: the Pareto chart's front differs\n    page: %s\n    rule: %s" % (
                label, got["front"], expected_front))
        if got["points"] != len(cands):
            problems.append("%s: #pareto has %d circle.point, cli has %d candidates" % (label, got["points"], len(cands)))
        stages = len(cands[chosen].get("stages", [])) if chosen in cands else 0
        if got["stages"] != stages:
            problems.append("%s: #timeline has %d g.stage, the chosen candidate has %d stages" % (label, got["stages"], stages))
    return problems


def pareto_front(candidates):
    """The front by pipefit's rule (src/pipefit/report/pareto.h): no other candidate at most as slow with VRAM
    no more than 1% higher, and better in one of the two (VRAM by more than 1%, or seconds)."""
    fitting = [c for c in candidates if c.get("fits") is not False]
    pool = fitting or candidates
    front = []
    for a in pool:
        tolerance = a["vram"] / 100
        dominated = any(b is not a and b["vram"] <= a["vram"] + tolerance and b["seconds"] <= a["seconds"] and
                        (b["vram"] < a["vram"] - tolerance or b["seconds"] < a["seconds"]) for b in pool)
        if not dominated:
            front.append(a["id"])
    return front


def fail_if(problems):
    if problems:
        raise StepFailed("\n  ".join(problems))


def page_problems(page):
    """JS exceptions and console errors seen so far (and clears them), repeats counted once."""
    page.pump(0.1)
    seen = {}
    for text in ["JS exception: " + e for e in page.exceptions] + ["console error: " + e for e in page.console_errors]:
        key = re.sub(r"'sha256-[^']*'", "'sha256-…'", text)
        seen[key] = seen.get(key, 0) + 1
    page.exceptions.clear()
    page.console_errors.clear()
    out = [(text if n == 1 else "%s (%d times)" % (text, n)) for text, n in seen.items()]
    return out[:6] + (["… and %d more distinct messages" % (len(out) - 6)] if len(out) > 6 else [])


# ---------------------------------------------------------------------------
# The steps
# ---------------------------------------------------------------------------

def run_steps(page, server, cli, workdir, screenshot):
    results = []  # (name, ok, seconds, message)
    ctx = {}

    def step(name, fn):
        start = time.monotonic()
        try:
            detail = fn()
        except StepFailed as err:
            results.append((name, False, time.monotonic() - start, str(err)))
            print("FAIL: %s (%.2f s)\n  %s" % (name, time.monotonic() - start, err), flush=True)
            return False
        except (TimeoutError, RuntimeError, subprocess.TimeoutExpired) as err:
            results.append((name, False, time.monotonic() - start, "%s: %s" % (type(err).__name__, err)))
            print("FAIL: %s (%.2f s)\n  %s: %s" % (name, time.monotonic() - start, type(err).__name__, err), flush=True)
            return False
        elapsed = time.monotonic() - start
        results.append((name, True, elapsed, ""))
        print("ok: %s (%.2f s)%s" % (name, elapsed, (" — " + detail) if detail else ""), flush=True)
        return True

    gpus = cli.json("gpus", "--json").get("gpus", [])
    twelve = [g for g in gpus if abs(g.get("vram", 0) - 12 * 1024 ** 3) < 0.25 * 1024 ** 3]
    twelve.sort(key=lambda g: (not g.get("id", "").startswith("rtx-3060"), g.get("id", "")))
    small_gpu = twelve[0]["id"] if twelve else None

    def load():
        nav = page.call("Page.navigate", {"url": server.url})
        if nav.get("errorText"):
            raise StepFailed("cannot load %s: %s" % (server.url, nav["errorText"]))
        # Page.navigate answers before the new document replaces about:blank.
        deadline = time.monotonic() + WAIT_S
        while page.eval("location.href") != server.url or page.eval("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise StepFailed("the page did not finish loading in %d s (at %s)" % (WAIT_S, page.eval("location.href")))
            page.pump(0.05)
        wait_ready(page, "initial load")
        fail_if(page_problems(page))
        rows = page.eval("document.querySelectorAll('#candidates tbody tr[data-id]').length")
        opts = page.eval("[...document.getElementById('gpu').options].map(o => o.value)")
        if BIG_GPU not in opts:
            raise StepFailed("#gpu has no option %r (options: %s)" % (BIG_GPU, opts[:10]))
        return "status ready, %d rows for the default plan, %d GPU options" % (rows, len(opts))

    def plan_big():
        plan_on_page(page, BIG_GPU)
        doc = cli.json("plan", MODEL, "--gpu", BIG_GPU, "--ram", RAM, "--dtype", "bf16", "--prefer", "balanced", "--json")
        ctx["big"] = doc
        fail_if(check_plan(page, doc, BIG_GPU))
        return "%d candidates, chosen %s" % (len(doc["candidates"]), doc["chosen"])

    def plan_small():
        if not small_gpu:
            raise StepFailed("`pipefit gpus --json` lists no 12 GiB card")
        plan_on_page(page, small_gpu)
        doc = cli.json("plan", MODEL, "--gpu", small_gpu, "--ram", RAM, "--dtype", "bf16", "--prefer", "balanced", "--json")
        ctx["small"] = doc
        problems = check_plan(page, doc, small_gpu)
        big_chosen = (ctx.get("big") or {}).get("chosen")
        if big_chosen is not None and doc.get("chosen") == big_chosen:
            problems.append("the recommendation did not change: %s chosen for both %s and %s" % (big_chosen, BIG_GPU, small_gpu))
        fail_if(problems)
        return "%s: %d candidates, chosen %s (was %s)" % (small_gpu, len(doc["candidates"]), doc["chosen"], big_chosen)

    def select_row():
        doc = ctx.get("small")
        if not doc:
            raise StepFailed("no plan from the previous step")
        pick = next((c for c in doc["candidates"] if c["id"] != doc.get("chosen")), None)
        if not pick:
            raise StepFailed("the plan has no non-chosen candidate to click")
        got = page.eval("""(() => {
          const row = [...document.querySelectorAll('#candidates tbody tr[data-id]')].find(r => r.dataset.id === %s);
          if (!row) return null;
          row.click();
          const selected = [...document.querySelectorAll('#candidates tbody tr.selected')].map(r => r.dataset.id);
          return {code: document.getElementById('code').textContent, cls: [...row.classList], selected,
                  selectedId: document.getElementById('selected-id').textContent};
        })()""" % js(pick["id"]))
        if got is None:
            raise StepFailed("no row for %s" % pick["id"])
        problems = []
        if got["code"] != pick.get("code", ""):
            problems.append("#code after clicking %s differs from its code\n    page: %r\n    cli:  %r" % (
                pick["id"], got["code"][:400], pick.get("code", "")[:400]))
        if "selected" not in got["cls"]:
            problems.append("row %s lacks class 'selected' (classes %s)" % (pick["id"], got["cls"]))
        if got["selected"] != [pick["id"]]:
            problems.append("selected rows are %s, expected only %s" % (got["selected"], pick["id"]))
        if got["selectedId"] != pick["id"]:
            problems.append("#selected-id is %r, expected %r" % (got["selectedId"], pick["id"]))
        fail_if(problems)
        return "selected %s" % pick["id"]

    def doctor():
        with open(LOG_FILE, "r", encoding="utf-8", errors="replace") as f:
            log = f.read()
        page.eval("document.getElementById('tab-triage').click(); 1")
        if page.eval("document.getElementById('panel-triage').hidden"):
            raise StepFailed("#panel-triage is still hidden after clicking #tab-triage")
        set_field(page, "log-input", log)
        set_field(page, "doctor-model", "")
        click_and_wait(page, "doctor-button", "doctor")
        doc = cli.json("doctor", "--json", "-", stdin=log.encode())
        got = page.eval("({stage: document.getElementById('doctor-stage').textContent,"
                        " kind: document.getElementById('doctor-kind').textContent,"
                        " hidden: document.getElementById('doctor-result').hidden})")
        problems = []
        if got["hidden"]:
            problems.append("#doctor-result is hidden")
        if got["stage"] != (doc.get("stage") or ""):
            problems.append("#doctor-stage is %r, cli stage %r" % (got["stage"], doc.get("stage")))
        if got["kind"] != (doc.get("kind") or ""):
            problems.append("#doctor-kind is %r, cli kind %r" % (got["kind"], doc.get("kind")))
        fail_if(problems)
        return "%s during %s" % (got["kind"], got["stage"])

    def doctor_with_script():
        # After check: the script is in #script-input; doctor --script ties its lines.
        with open(LOG_FILE, "r", encoding="utf-8", errors="replace") as f:
            log = f.read()
        text, folder = script_copy()
        page.eval("document.getElementById('doctor-with-script').checked = true; 1")
        click_and_wait(page, "doctor-button", "doctor with the script")
        doc = cli.json("doctor", "--json", "--script", "script.py", "-", stdin=log.encode(), cwd=folder)
        page_lines = page.eval("[...document.querySelectorAll('#doctor-script-lines li')].length")
        cli_lines = len(doc.get("script_lines") or [])
        page.eval("document.getElementById('doctor-with-script').checked = false; 1")
        if page_lines != cli_lines or cli_lines == 0:
            raise StepFailed("#doctor-script-lines has %d lines, cli script_lines %d (expected > 0)" % (
                page_lines, cli_lines))
        return "%d script lines tied, as the CLI" % cli_lines

    def script_copy():
        with open(SCRIPT_FILE, "r", encoding="utf-8") as f:
            text = f.read()
        folder = os.path.join(workdir, "script")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "script.py"), "w", encoding="utf-8") as f:
            f.write(text)
        return text, folder

    def check():
        text, folder = script_copy()
        set_field(page, "script-input", text)
        set_field(page, "check-model", "")
        click_and_wait(page, "check-button", "check")
        doc = cli.json("check", "script.py", "--json", cwd=folder)
        page_rules = page.eval("[...document.querySelectorAll('#check-findings li[data-rule]')].map(li => li.dataset.rule)")
        cli_rules = [f.get("rule") or "" for f in doc.get("findings", [])]
        if page_rules != cli_rules:
            raise StepFailed("check findings differ\n    page: %s\n    cli:  %s" % (page_rules, cli_rules))
        if not cli_rules:
            raise StepFailed("the CLI finds nothing in %s; the step needs a script with findings" % SCRIPT_FILE)
        return "rules %s" % cli_rules

    def apply():
        text, folder = script_copy()
        set_field(page, "apply-strategy", "")
        # Mirror pipefit.js runApply: strategy or prefer, then gpu/vram/ram from the plan form.
        form = page.eval("({prefer: document.getElementById('apply-prefer').value,"
                         " gpu: document.getElementById('gpu').value.trim(),"
                         " vram: document.getElementById('vram').value.trim(),"
                         " ram: document.getElementById('ram').value.trim()})")
        args = ["apply", "script.py", "--json", "--prefer", form["prefer"]]
        for key in ("gpu", "vram", "ram"):
            if form[key]:
                args += ["--" + key, form[key]]
        click_and_wait(page, "apply-button", "apply")
        doc = cli.json(*args, cwd=folder)
        diff = doc.get("diff") or ""
        got = page.eval("({diff: document.getElementById('apply-diff').textContent,"
                        " strategy: document.getElementById('apply-strategy-out').textContent})")
        problems = []
        plus = next((l for l in diff.split("\n") if l.startswith("+") and not l.startswith("+++")), None)
        if plus is None:
            problems.append("the CLI diff has no added line (diff %r)" % diff[:300])
        elif plus not in got["diff"]:
            problems.append("#apply-diff lacks the CLI's first added line %r" % plus)
        expected = diff if diff else "(empty diff)\n"
        if got["diff"] != expected:
            problems.append("#apply-diff differs from the CLI diff\n    page: %r\n    cli:  %r" % (got["diff"][:600], expected[:600]))
        if got["strategy"] != (doc.get("strategy") or ""):
            problems.append("#apply-strategy-out is %r, cli strategy %r" % (got["strategy"], doc.get("strategy")))
        fail_if(problems)
        return "`pipefit %s`: strategy %s, diff of %d lines equal" % (" ".join(args), doc.get("strategy"), diff.count("\n"))

    def no_errors():
        fail_if(page_problems(page))
        return None

    def cross_origin():
        got = page.eval("fetch('/api/plan', {method: 'POST', headers: {'Content-Type': 'text/plain'}, body: '{}'})"
                        ".then(r => r.status)")
        page.pump(0.2)
        # The refused request is logged by Chromium as a network error; that one is expected.
        page.console_errors[:] = [e for e in page.console_errors if not ("403" in e and e.startswith("log(network)"))]
        if got != 403:
            raise StepFailed("a text/plain POST to /api/plan answered %r, expected 403" % got)
        return "HTTP 403"

    def shot():
        page.eval("document.getElementById('tab-plan').click(); 1")
        plan_on_page(page, BIG_GPU)
        if ctx.get("big"):
            fail_if(check_plan(page, ctx["big"], BIG_GPU + " (again)"))
        page.eval("window.scrollTo(0, 0); 1")
        metrics = page.call("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics.get("contentSize")
        width, height = int(size["width"]), int(min(size["height"], 16000))
        data = page.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})["data"]
        png = base64.b64decode(data)
        if not png.startswith(b"\x89PNG\r\n\x1a\n"):
            raise StepFailed("Page.captureScreenshot did not return a PNG")
        if screenshot:
            with open(screenshot, "wb") as f:
                f.write(png)
            return "%dx%d, %d bytes -> %s" % (width, height, len(png), screenshot)
        return "%dx%d, %d bytes (not written: no --screenshot)" % (width, height, len(png))

    step("load the page; #status 'ready'; no JS errors", load)
    step("plan %s on %s, %s RAM equals the CLI" % (MODEL, BIG_GPU, RAM), plan_big)
    def bars():
        if not ctx.get("big"):
            raise StepFailed("no plan from the previous step")
        fail_if(check_plan(page, ctx["big"], BIG_GPU, full=False, bars=True))
        return "%d rows, VRAM and RAM bars have a visible fill" % len(ctx["big"]["candidates"])

    step("the candidate table's VRAM/RAM bars are drawn", bars)
    step("plan on a 12 GiB card (%s) equals the CLI and changes the choice" % small_gpu, plan_small)
    step("clicking a non-chosen row shows its code", select_row)

    def multi_gpu():
        # Two H100s: a context-parallel candidate's facts list each GPU's share as the CLI does.
        set_field(page, "gpu-count", "2")
        try:
            plan_on_page(page, MULTI_GPU)
        finally:
            set_field(page, "gpu-count", "1")
            if small_gpu:
                set_field(page, "gpu", small_gpu)  # the later steps read the form as the 12 GiB plan left it
        doc = cli.json("plan", MODEL, "--gpu", "2x" + MULTI_GPU, "--ram", RAM, "--dtype", "bf16", "--prefer",
                       "balanced", "--json")
        problems = check_plan(page, doc, "2x" + MULTI_GPU, full=False)
        pick = next((c for c in doc["candidates"] if c.get("parallel") and c["parallel"]["kind"] == "ulysses"), None)
        if not pick:
            raise StepFailed("the CLI plan on 2 x %s has no Ulysses candidate" % MULTI_GPU)
        facts = page.eval("""(() => {
          const row = [...document.querySelectorAll('#candidates tbody tr[data-id]')].find(r => r.dataset.id === %s);
          if (!row) return null;
          row.click();
          return [...document.querySelectorAll('#candidate-facts > div')].map(d => [d.querySelector('dt').textContent, d.querySelector('dd').textContent]);
        })()""" % js(pick["id"]))
        if facts is None:
            raise StepFailed("no row for %s" % pick["id"])
        got = dict(facts)
        want = {"layout": "context parallel (Ulysses) over %d GPUs" % pick["parallel"]["degree"]}
        for share in pick["gpus"]:
            want["GPU %d" % share["index"]] = "%.2f GiB — %s" % (share["vram"] / 1024 ** 3, ", ".join(share["holds"]))
        for key, value in want.items():
            if got.get(key) != value:
                problems.append("facts[%r] is %r, the CLI says %r" % (key, got.get(key), value))
        fail_if(problems)
        return "%s: %d GPU rows" % (pick["id"], len(pick["gpus"]))

    step("plan on 2 x %s: a Ulysses candidate's per-GPU share equals the CLI" % MULTI_GPU, multi_gpu)
    step("triage: doctor on %s equals the CLI" % os.path.basename(LOG_FILE), doctor)
    step("check on %s equals the CLI" % os.path.basename(SCRIPT_FILE), check)
    step("apply equals the CLI's diff", apply)
    step("doctor with the pasted script ties its lines as the CLI does", doctor_with_script)
    step("a cross-origin (text/plain) POST is refused with 403", cross_origin)
    step("screenshot of the %s plan" % BIG_GPU, shot)
    step("no JS exceptions or console errors during the run", no_errors)

    def report():
        # `plan --html`: the same view from one file, opened with no server at all.
        path = os.path.join(workdir, "report.html")
        args = ["plan", MODEL, "--gpu", BIG_GPU, "--ram", RAM, "--html", path]
        run = subprocess.run([cli.pipefit, *args], capture_output=True, env=cli.env, cwd=workdir,
                             timeout=CLI_TIMEOUT_S)
        if run.returncode != 0 or not os.path.exists(path):
            raise StepFailed("`pipefit %s` exit %d: %s" % (" ".join(args), run.returncode, run.stderr[:300]))
        url = "file://" + path
        page.call("Page.navigate", {"url": url})
        deadline = time.monotonic() + WAIT_S
        while page.eval("location.href") != url or page.eval("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise StepFailed("the report did not load in %d s" % WAIT_S)
            page.pump(0.05)
        wait_ready(page, "report")
        problems = check_plan(page, ctx.get("big") or {}, "report", bars=True)
        hidden = page.eval("[document.getElementById('plan-form').hidden,"
                           " document.getElementById('panel-triage').hidden]")
        if hidden != [True, True]:
            problems.append("report: the form and the triage panel should be hidden, got %s" % hidden)
        # The report's CSP (default-src 'none') turns any request into a console error.
        problems += page_problems(page)
        fail_if(problems)
        return "%s, %d bytes: rows, chosen, code, charts equal the CLI; no request, no error" % (
            os.path.basename(path), os.path.getsize(path))

    step("plan --html report opened from a file equals the CLI", report)
    return results


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pipefit", required=True, help="the pipefit binary (it execs pipefit-serve)")
    parser.add_argument("--screenshot", help="write a full-page PNG of the plan view here")
    parser.add_argument("--chromium", help="the Chromium binary (default: chromium on PATH)")
    opts = parser.parse_args()

    pipefit = os.path.abspath(opts.pipefit)
    if not os.access(pipefit, os.X_OK):
        print("FAIL: %s is not an executable" % pipefit)
        return 1
    chromium = opts.chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium or not (os.access(chromium, os.X_OK) or shutil.which(chromium)):
        print("SKIP: chromium not found (pass --chromium PATH)")
        return SKIP
    chromium = shutil.which(chromium) or chromium

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(GLOBAL_LIMIT_S)
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="pipefit-e2e-")
    browser = server = None
    results = []
    fatal = None
    try:
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        env = hermetic_env(home)
        cli = Cli(pipefit, env, tmp)

        # Chromium first: it is the part that may be skipped.
        try:
            browser = Chromium(chromium, os.path.join(tmp, "profile"), os.path.join(tmp, "chromium.log"))
            browser.call("Target.getTargets", session=False, timeout=30)
            browser.open_page()
        except (Skip, BrowserGone, TimeoutError, RuntimeError) as err:
            tail = ""
            try:
                with open(os.path.join(tmp, "chromium.log"), "r", errors="replace") as f:
                    tail = f.read()[-600:].strip()
            except OSError:
                pass
            print("SKIP: chromium (%s) cannot start: %s%s" % (chromium, err, ("\n" + tail) if tail else ""))
            return SKIP
        print("setup: chromium started (%.2f s)" % (time.monotonic() - started), flush=True)

        t = time.monotonic()
        server = Server(pipefit, env, tmp)
        print("setup: pipefit serve listening on %s (%.2f s)" % (server.url, time.monotonic() - t), flush=True)

        results = run_steps(browser, server, cli, tmp, opts.screenshot)
    except GlobalTimeout as err:
        fatal = str(err)
    except BrowserGone as err:
        fatal = "Chromium went away: %s" % err
    except (RuntimeError, TimeoutError, StepFailed, OSError, subprocess.TimeoutExpired) as err:
        fatal = "%s: %s" % (type(err).__name__, err)
    finally:
        signal.alarm(0)
        if browser:
            browser.close()
        if server:
            if fatal or any(not ok for _, ok, _, _ in results):
                out = server.output().strip()
                if out:
                    print("server output:\n" + out)
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    passed = sum(1 for _, ok, _, _ in results if ok)
    failures = [(name, msg) for name, ok, _, msg in results if not ok]
    if fatal:
        failures.append(("run aborted", fatal))
        print("FAIL: run aborted: %s" % fatal)
    print("total %.2f s" % (time.monotonic() - started))
    for name, msg in failures:
        print("failed: %s: %s" % (name, msg.splitlines()[0] if msg else ""))
    print("%d passed, %d failed" % (passed, len(failures)))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
