#!/usr/bin/env bash
# Installs dependencies, builds pipefit (Release) and runs the main job on
# the built-in default model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target pipefit
./build/pipefit inspect flux.1-dev
