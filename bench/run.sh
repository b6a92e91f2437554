#!/usr/bin/env bash
# ocipack's benchmark: packing speed, layer size and memory next to the
# tools people use today (issue 6). Not part of the test suite.
#
#   bench/run.sh               5 runs of every workload
#   RUNS=9 bench/run.sh        more runs
#
# Installs what it needs on Debian 12 (apt-get, through sudo when not root),
# builds ocipack in Release under build/bench, runs the workloads and prints
# the table of medians (also written to build/bench/results.txt).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/build/bench
runs=${RUNS:-5}

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: installing ${missing[*]}" >&2
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
}

# The build, the measuring (python3, GNU time) and the baselines (umoci,
# buildah; Docker is used when a daemon answers, never installed here).
install_missing cmake g++ ninja-build libarchive-dev libssl-dev libdeflate-dev libzstd-dev \
  nlohmann-json3-dev libcxxopts-dev python3 time tar gzip coreutils umoci buildah

# W1 needs one real ELF file of 100 MB or more: the largest libLLVM here.
largest_llvm() {
  find /usr/lib -xdev -type f -name 'libLLVM*.so*' -size +100M -printf '%s %p\n' 2>/dev/null |
    sort -n | tail -n 1 | cut -d' ' -f2-
}
big=$(largest_llvm)
if [ -z "$big" ]; then
  install_missing libllvm15
  big=$(largest_llvm)
fi
[ -n "$big" ] || { echo "bench: no libLLVM of 100 MB or more found" >&2; exit 1; }

echo "bench: building ocipack (Release) in $out" >&2
cmake -S "$root" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOCIPACK_BUILD_TESTS=OFF \
  -DOCIPACK_INSTALL=OFF >/dev/null
cmake --build "$out" --target ocipack >/dev/null
# W2's program: examples/hello, linked statically as the example does.
g++ -O2 -static "$root/examples/hello/hello.cpp" -o "$out/hello"

python3 "$root/bench/bench.py" --tool "$out/tool/ocipack" --big "$big" --hello "$out/hello" \
  --work "$out/work" --runs "$runs" | tee "$out/results.txt"
