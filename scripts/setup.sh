#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages pipefit's build and tests need, and
# fetches the pinned tree-sitter Python grammar from the npm registry once.
# Idempotent: prints nothing and changes nothing when all are present.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config python3
  libsimdjson-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libtree-sitter-dev
  libcurl4-openssl-dev
  libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev
  ca-certificates
  clang-format
)
# The fuzzers (scripts/fuzz.sh) need clang and libFuzzer's runtime.
if [ -n "${PIPEFIT_SETUP_FUZZ:-}" ]; then
  packages+=(clang libclang-rt-dev)
fi
# The browser test of `pipefit serve` (tests/browser/serve_e2e.py) drives
# headless Chromium; scripts/test.sh asks for it, the quick start does not.
if [ -n "${PIPEFIT_SETUP_BROWSER:-}" ]; then
  packages+=(chromium fonts-dejavu-core)
fi
# npm fetches the grammar; a machine may already have it from Node.js's own
# packages (which conflict with Debian's npm package), so only the command
# is required.
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "pipefit setup: installing ${missing[*]}" >&2
  run=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "pipefit setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    run=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${run[@]}" apt-get update -qq
  "${run[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The tree-sitter Python grammar (version and SHA-256 pinned in
# cmake/python_grammar.cmake, which checks the hash), into the build cache.
grammar_version=$(sed -n 's/^set(PIPEFIT_PYTHON_GRAMMAR_VERSION \(.*\))$/\1/p' cmake/python_grammar.cmake)
cache="${PIPEFIT_GRAMMAR_CACHE:-$HOME/.cache/pipefit-build}"
if [ ! -f "$cache/tree-sitter-python-$grammar_version.tgz" ]; then
  mkdir -p "$cache"
  (cd "$cache" && npm pack --silent "tree-sitter-python@$grammar_version" >/dev/null)
fi
