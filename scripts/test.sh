#!/usr/bin/env bash
# Builds pipefit and its tests with AddressSanitizer + UndefinedBehaviorSanitizer
# and runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
PIPEFIT_SETUP_BROWSER=1 bash scripts/setup.sh  # also Chromium, for the browser test
# The benchmarks are not tests: they build in the release build (quickstart.sh),
# and leaving them out here keeps CI within its time on two cores.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPIPEFIT_SANITIZE=ON -DPIPEFIT_WERROR=ON \
  -DPIPEFIT_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-asan --output-on-failure -j"$(nproc)"
