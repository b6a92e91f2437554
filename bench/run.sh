#!/usr/bin/env bash
# ocipack's benchmark: packing speed, layer size, memory and configure time
# next to the tools people use today and the hardware's floor (issues 6 and
# 18). Not part of the test suite.
#
#   bench/run.sh               5 runs of every workload (W2: at least 9)
#   RUNS=9 bench/run.sh        more runs
#   ONLY=W1,W5 bench/run.sh    some workloads (W1 W2 W3 W4 W5 W7)
#
# Installs what it needs on Debian 12 (apt-get, through sudo when not root),
# builds ocipack in Release under build/bench, installs it in
# build/bench/prefix (the CMake projects find it there), runs the workloads
# and prints the table of medians (also written to build/bench/results.txt;
# every run's figures in build/bench/samples.json).
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

# The build, the measuring (python3), the floor (libdeflate-gzip) and the
# baselines (umoci, buildah; Docker is used when a daemon answers, never
# installed here).
install_missing cmake g++ ninja-build libarchive-dev libssl-dev libdeflate-dev libzstd-dev \
  nlohmann-json3-dev libcxxopts-dev python3 tar gzip coreutils libdeflate-tools umoci buildah

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
  -DOCIPACK_INSTALL=ON >/dev/null
cmake --build "$out" --target ocipack >/dev/null
prefix=$out/prefix
rm -rf "$prefix"
cmake --install "$out" --prefix "$prefix" >/dev/null

python3 "$root/bench/bench.py" --tool "$prefix/bin/ocipack" --prefix "$prefix" --big "$big" \
  --work "$out/work" --runs "$runs" --only "${ONLY:-}" --samples "$out/samples.json" | tee "$out/results.txt"
