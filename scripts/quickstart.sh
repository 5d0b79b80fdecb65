#!/usr/bin/env bash
# Installs dependencies, builds pipefit (Release) and runs the main job: a
# plan for the built-in default model (FLUX.1-dev) on this machine's
# hardware, then the same plan as a what-if for a GeForce RTX 4090.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target pipefit
./build/pipefit plan flux.1-dev
echo
echo '--- what-if: the same plan for another GPU (pipefit plan flux.1-dev --gpu "RTX 4090") ---'
./build/pipefit plan flux.1-dev --gpu "RTX 4090"
