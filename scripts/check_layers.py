#!/usr/bin/env python3
"""Fails when a library file includes a module above its own layer.

The layer order is read from docs/architecture.md (the line starting with
"Layer order:"), lowest first. A non-test file in src/pipefit/<layer>/ may
include headers of its own layer and of layers below it; src/pipefit/testing/
(test-only fakes) may include any library layer; tests (*_test.cc, tests/,
fuzz/, bench/) and the CLI (src/cli/) may include anything. Library files
never include src/pipefit/testing/. Third-party headers that the design
confines to one file (DESIGN.md: "the real implementation is the only file
that includes the third-party header") are checked too.

Usage: scripts/check_layers.py [REPO_ROOT]   (exit 1 and one line per violation)
"""
import pathlib
import re
import sys

# Third-party headers allowed in exactly these files (relative to the root).
CONFINED_HEADERS = {
    "curl/curl.h": {"src/pipefit/net/curl_transport.cc"},
    "tree_sitter/api.h": {"src/pipefit/codegen/python_script.cc"},
    "httplib.h": {"src/pipefit/serve/web_server.cc"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)


def layer_order(root):
    text = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    match = re.search(r"^Layer order:\s*(.+)$", text, re.M)
    if not match:
        sys.exit("check_layers: docs/architecture.md has no 'Layer order:' line")
    return [name.strip(" `") for name in re.split(r"\s*(?:<|,)\s*", match.group(1).strip().rstrip("."))]


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    order = layer_order(root)
    rank = {name: i for i, name in enumerate(order)}
    library = root / "src" / "pipefit"
    violations = []
    folders = {p.name for p in library.iterdir() if p.is_dir()}
    for missing in sorted(folders - set(order) - {"testing"}):
        violations.append(f"src/pipefit/{missing}/: folder not in the layer order of docs/architecture.md")
    for path in sorted(root.glob("src/**/*")):
        if path.suffix not in (".h", ".cc") or not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        includes = [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in INCLUDE.finditer(text)]
        for line, header in includes:
            allowed = CONFINED_HEADERS.get(header)
            if allowed is not None and rel not in allowed:
                violations.append(f"{rel}:{line}: includes <{header}>, confined to {', '.join(sorted(allowed))}")
        parts = path.relative_to(root).parts
        if parts[1] != "pipefit" or path.name.endswith("_test.cc"):
            continue  # the CLI and tests may include anything
        layer = parts[2]
        for line, header in includes:
            m = re.match(r"pipefit/([a-z_]+)/", header)
            if not m:
                continue
            target = m.group(1)
            if target == "testing":
                if layer != "testing":
                    violations.append(f"{rel}:{line}: library code includes test-only {header}")
                continue
            if layer == "testing" or target == layer:
                continue
            if layer not in rank or target not in rank:
                violations.append(f"{rel}:{line}: {header}: layer '{target}' or '{layer}' is not in the layer order")
            elif rank[target] > rank[layer]:
                violations.append(f"{rel}:{line}: {layer}/ includes {header}, a higher layer "
                                  f"(order: {' < '.join(order)})")
    for v in violations:
        print(v)
    if violations:
        print(f"check_layers: {len(violations)} violation(s)", file=sys.stderr)
        return 1
    print(f"check_layers: {len(order)} layers, no upward include")
    return 0


if __name__ == "__main__":
    sys.exit(main())
