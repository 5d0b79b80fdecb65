#!/usr/bin/env bash
# Fails when a tracked C/C++ file differs from .clang-format (CI runs it).
# `bash scripts/check_format.sh --fix` rewrites them instead. Wide data tables
# keep their one-row-per-line layout between `// clang-format off/on`.
# The layout is clang-format 14's (Debian 12); another version may disagree
# on details, so CI pins the one scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check_format: clang-format not installed (scripts/setup.sh installs it)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cc' '*.h' '*.c')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/pipefit-format.$$; then
  grep -E '^[^ ].*: (error|warning):' /tmp/pipefit-format.$$ | cut -d: -f1 | sort -u | sed 's/$/: not formatted (bash scripts\/check_format.sh --fix)/'
  rm -f /tmp/pipefit-format.$$
  exit 1
fi
rm -f /tmp/pipefit-format.$$
echo "check_format: ${#files[@]} files match .clang-format ($(clang-format --version | sed 's/.*version \([0-9.]*\).*/clang-format \1/'))"
