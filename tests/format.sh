#!/usr/bin/env bash
# The code follows .clang-format: clang-format-14 --dry-run -Werror on every
# C++ file of the tool, the unit tests and the fuzzers (a diff fails, and
# names the file and line). A missing clang-format-14 fails under CI=true
# and skips otherwise.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if ! command -v clang-format-14 >/dev/null; then
  [ "${CI:-}" != true ] || { echo "FAIL: clang-format-14 is not installed (required when CI=true)" >&2; exit 1; }
  echo "SKIP: clang-format-14 is not installed (tests/setup-machine.sh installs it)"
  exit 77
fi
mapfile -t files < <(find "$root/tool/src" "$root/tests/unit" "$root/tests/fuzz" -name '*.cpp' -o -name '*.hpp' | sort)
[ "${#files[@]}" -gt 50 ] || { echo "FAIL: only ${#files[@]} C++ files found under $root" >&2; exit 1; }
clang-format-14 --style=file --dry-run -Werror "${files[@]}"
echo "ok: ${#files[@]} files follow .clang-format"
