#!/usr/bin/env python3
"""Generate pipefit's built-in catalog (data/catalog/) from the entry specs in
tools/catalog/entries/*.json, the source configs in tools/catalog/sources/ and
the layout functions in tools/catalog/arch_*.py.

For every entry it writes

    data/catalog/<id>/entry.json          repo, aliases, family, description,
                                          per-component dtype, config source,
                                          published size and shared manifest
    data/catalog/<id>/model_index.json    byte copy of the source
    data/catalog/<id>/<path>              byte copies of the entry's other files
                                          (scheduler config, ...)
    data/catalog/<id>/<comp>/config.json  byte copy of the component config
    data/catalog/<id>/<comp>/tensors.tsv  tensor manifest (own components)
    data/catalog/shared/<name>/tensors.tsv  manifests reused by several entries
                                          (CLIP-L, T5-XXL, UMT5, VAEs), written
                                          once in BF16; an entry's `dtype` is
                                          applied when pipefit loads it

Tensor names and shapes come from each component's config.json through the
layout function registered for its class (LAYOUTS in an arch_*.py module).
Every check below must pass before anything is written:

  * the class named in model_index.json has a layout;
  * when the spec names a published safetensors index, the derived names
    equal its weight_map keys and the byte total equals metadata.total_size;
  * the derived byte total (or parameter count) agrees with the published
    figure in `published` (see check_published for the kinds);
  * a shared manifest is derived identically by every entry that uses it.

Standard library only; output is deterministic. Usage (repository root):

    python3 tools/catalog/gen.py            # regenerate data/catalog
    python3 tools/catalog/gen.py --check    # verify only, write nothing
"""

import argparse
import glob
import importlib
import json
import os
import shutil
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from layout import DTYPE_BYTES, numel  # noqa: E402

# A safetensors file is 8 bytes + a JSON header + the tensor data. Published
# file sizes therefore exceed the data bytes by the header, which is at most
# a few hundred bytes per tensor; this bound is used when a published figure
# is a file size rather than an index total.
HEADER_BYTES_PER_TENSOR = 256
HEADER_BYTES_FIXED = 64 * 1024


def load_json(path):
    with open(path, "r", encoding="utf-8") as f:
        return json.load(f)


def fail(msg):
    raise SystemExit("gen.py: " + msg)


def load_layouts():
    layouts = {}
    for path in sorted(glob.glob(os.path.join(HERE, "arch_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        module = importlib.import_module(name)
        for cls, fn in getattr(module, "LAYOUTS", {}).items():
            if cls in layouts:
                fail("layout for %s defined twice (%s)" % (cls, name))
            layouts[cls] = fn
    return layouts


def byte_total(tensors, dtype):
    return sum(numel(s) for s in tensors.values()) * DTYPE_BYTES[dtype]


def check_index(label, tensors, dtype, index):
    names = list(index["weight_map"].keys())
    missing = sorted(set(names) - set(tensors))
    extra = sorted(set(tensors) - set(names))
    if missing or extra:
        fail("%s: layout does not match the index weight_map\n  missing: %s\n  extra: %s"
             % (label, missing[:20], extra[:20]))
    total = byte_total(tensors, dtype)
    expected = int(index["metadata"]["total_size"])
    if total != expected:
        fail("%s: %s byte total %d != index metadata.total_size %d" % (label, dtype, total, expected))


def check_published(label, tensors, dtype, published):
    """Kinds:
      total_size  {"bytes": N}: data bytes == N exactly (an index total).
      params      {"params": N}: parameter count == N exactly.
      file_size   {"bytes": N, "files": k}: k exact file sizes summed; data
                  bytes <= N <= data + header bound.
      size        {"value": "5.14", "unit": "GB"|"MB", "files": k}: a size
                  rounded as printed (decimal units); [data, data + header
                  bound] must meet the interval the printed figure stands
                  for, widened by half a unit per file when k files were
                  summed.
      params_rounded {"value": "2567.46", "unit": "M"}: parameter count
                  rounds to the printed figure.
    Returns a one-line description of the check for the manifest header."""
    kind = published["kind"]
    data = byte_total(tensors, dtype)
    params = sum(numel(s) for s in tensors.values())
    header = HEADER_BYTES_FIXED + HEADER_BYTES_PER_TENSOR * len(tensors)
    if kind == "total_size":
        if data != published["bytes"]:
            fail("%s: %s data bytes %d != published total_size %d" % (label, dtype, data, published["bytes"]))
        return "equals published total_size %d" % data
    if kind == "params":
        if params != published["params"]:
            fail("%s: %d parameters != published %d" % (label, params, published["params"]))
        return "parameter count equals published %d" % params
    files = int(published.get("files", 1))
    if kind == "file_size":
        n = published["bytes"]
        if not (data <= n <= data + files * header):
            fail("%s: %s data bytes %d do not fit published file size %d (header bound %d)"
                 % (label, dtype, data, n, files * header))
        return "data bytes %d fit published file size %d" % (data, n)
    if kind == "size":
        text = published["value"]
        unit = {"GB": Decimal(10) ** 9, "MB": Decimal(10) ** 6}[published["unit"]]
        value = Decimal(text)
        half = Decimal(1).scaleb(value.as_tuple().exponent) / 2
        lo = (value - half * files) * unit
        hi = (value + half * files) * unit
        if Decimal(data + files * header) < lo or Decimal(data) >= hi:
            fail("%s: %s data bytes %d (%.4f %s) do not round to published %s %s (%d file(s))"
                 % (label, dtype, data, float(Decimal(data) / unit), published["unit"], text,
                    published["unit"], files))
        return "data bytes %d agree with published %s %s (%d file(s), rounded)" % (
            data, text, published["unit"], files)
    if kind == "params_rounded":
        text = published["value"]
        unit = {"M": Decimal(10) ** 6, "B": Decimal(10) ** 9}[published["unit"]]
        value = Decimal(text)
        got = (Decimal(params) / unit).quantize(Decimal(1).scaleb(value.as_tuple().exponent))
        if got != value:
            fail("%s: %d parameters = %s%s, published %s%s" % (label, params, got, published["unit"], text,
                                                              published["unit"]))
        return "parameter count %d rounds to published %s%s" % (params, text, published["unit"])
    fail("%s: unknown published kind %r" % (label, kind))


def manifest_text(tensors, dtype, source_lines):
    lines = ["# pipefit tensor manifest v1"] + ["# " + s for s in source_lines]
    for name in sorted(tensors, key=lambda s: s.encode("utf-8")):
        lines.append("%s\t%s\t%s" % (name, dtype, ",".join(str(d) for d in tensors[name])))
    return "\n".join(lines) + "\n"


def plan_entry(spec, layouts, shared):
    """Derives and checks one entry. Returns the list of files to write
    (relative path under data/catalog -> bytes or source path)."""
    eid = spec["id"]
    src = lambda rel: os.path.join(HERE, "sources", rel)  # noqa: E731
    out = {}
    model_index = load_json(src(spec["model_index"]["file"]))
    out["%s/model_index.json" % eid] = ("copy", src(spec["model_index"]["file"]))
    for extra in spec.get("files", []):
        out["%s/%s" % (eid, extra["path"])] = ("copy", src(extra["file"]))

    entry = {k: spec[k] for k in ("repo", "aliases", "family", "description", "revision") if k in spec}
    entry["default"] = bool(spec.get("default", False))
    entry["model_index_source"] = spec["model_index"]["source"]
    for key in ("workload", "workload_source"):
        if key in spec:
            entry[key] = spec[key]
    entry["components"] = {}
    report = []
    for comp, c in sorted(spec["components"].items()):
        label = "%s/%s" % (eid, comp)
        declared = model_index.get(comp)
        if not isinstance(declared, list) or len(declared) != 2:
            fail("%s: not a component in model_index.json" % label)
        cls = c.get("layout", declared[1])
        if cls not in layouts:
            fail("%s: no layout for class %s (add one to an arch_*.py)" % (label, cls))
        config = load_json(src(c["config"]))
        tensors = layouts[cls](config)
        dtype = c["dtype"]
        checks = []
        if "index" in c:
            check_index(label, tensors, dtype, load_json(src(c["index"])))
            checks.append("names equal the published index weight_map")
        checks.append(check_published(label, tensors, dtype, c["published"]))
        out["%s/%s/config.json" % (eid, comp)] = ("copy", src(c["config"]))
        derivation = "names and shapes derived from %s/config.json per %s %s" % (comp, declared[0], cls)
        record = {
            "class": declared[1],
            "dtype": dtype,
            "config_source": c["config_source"],
            "published": c["published"],
            "checked": checks,
        }
        if "weights" in c:
            record["weights"] = c["weights"]
        if "shared" in c:
            name = c["shared"]
            record["manifest"] = "shared/" + name
            bf16 = manifest_text(tensors, "BF16", [
                "source: names and shapes derived from the component's config.json per %s %s (shared "
                "manifest, stored as BF16; each entry applies its dtype)" % (declared[0], cls)])
            if name in shared and shared[name] != bf16:
                fail("%s: shared manifest %s differs from another entry's derivation" % (label, name))
            shared[name] = bf16
        else:
            out["%s/%s/tensors.tsv" % (eid, comp)] = ("text", manifest_text(
                tensors, dtype, ["source: " + derivation + "; " + "; ".join(checks)]))
        entry["components"][comp] = record
        report.append((comp, len(tensors), sum(numel(s) for s in tensors.values()), byte_total(tensors, dtype),
                       dtype, checks[-1]))
    out["%s/entry.json" % eid] = ("text", json.dumps(entry, indent=2) + "\n")
    return out, report


def main(argv=None):
    repo_root = os.path.dirname(os.path.dirname(HERE))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(repo_root, "data", "catalog"))
    ap.add_argument("--check", action="store_true", help="verify every entry, write nothing")
    ap.add_argument("--only", action="append", default=[], help="only these entry ids (repeatable)")
    args = ap.parse_args(argv)

    layouts = load_layouts()
    specs = [load_json(p) for p in sorted(glob.glob(os.path.join(HERE, "entries", "*.json")))]
    if args.only:
        specs = [s for s in specs if s["id"] in args.only]
    ids = [s["id"] for s in specs]
    if len(ids) != len(set(ids)) or "shared" in ids:
        fail("entry ids must be unique and not 'shared'")
    shared = {}
    files = {}
    for spec in specs:
        out, report = plan_entry(spec, layouts, shared)
        files.update(out)
        print("%s (%s)" % (spec["id"], spec["repo"]))
        for comp, n, params, nbytes, dtype, check in report:
            print("  %-15s %5d tensors %15s params %16s B %-4s %s" % (comp, n, format(params, ","),
                                                                      format(nbytes, ","), dtype, check))
    for name, text in shared.items():
        files["shared/%s/tensors.tsv" % name] = ("text", text)
    if args.check:
        print("all %d entries check out" % len(specs))
        return 0
    if not args.only and os.path.isdir(args.out):
        shutil.rmtree(args.out)
    for rel, (kind, payload) in sorted(files.items()):
        path = os.path.join(args.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if kind == "copy":
            shutil.copyfile(payload, path)
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(payload)
    print("wrote %d files for %d entries under %s" % (len(files), len(specs), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
