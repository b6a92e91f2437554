#!/usr/bin/env bash
# W7 (issue 18): configure time of a project with 200 executables and one
# add_container_image() each, against the same project without the images,
# first configure and re-configure, Ninja, paired runs with farm-bench.
# Target: at most 1.5 times the project without images, for both.
#
#   bench/configure.sh          5 runs of each
#   RUNS=9 IMAGES=200 bench/configure.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/build/bench
runs=${RUNS:-5}
images=${IMAGES:-200}
command -v farm-bench >/dev/null || { echo "bench/configure: farm-bench is missing" >&2; exit 1; }
cmake -S "$root" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOCIPACK_BUILD_TESTS=OFF -DOCIPACK_INSTALL=ON >/dev/null
cmake --build "$out" --target ocipack >/dev/null
prefix=$out/configure/prefix
cmake --install "$out" --prefix "$prefix" >/dev/null
work=$out/configure
src=$work/src
rm -rf "$src" "$work"/with "$work"/without && mkdir -p "$src"
printf 'int main(void) { return 0; }\n' >"$src/main.c"
cat >"$src/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.20)
project(w7 LANGUAGES C)
option(IMAGES "one image per executable" ON)
if(IMAGES)
  find_package(ocipack CONFIG REQUIRED)
endif()
foreach(i RANGE 1 $images)
  add_executable(app\${i} main.c)
  if(IMAGES)
    add_container_image(app\${i}-image TARGETS app\${i})
  endif()
endforeach()
CMAKE
echo "bench/configure: $images executables, $runs runs" >&2
echo "== first configure: with images (A) vs without (B)"
farm-bench -n "$runs" --timeout 600 \
  --vs "sh -c 'rm -rf $work/without && cmake -S $src -B $work/without -G Ninja -DIMAGES=OFF >/dev/null'" \
  -- sh -c "rm -rf $work/with && cmake -S $src -B $work/with -G Ninja -DCMAKE_PREFIX_PATH=$prefix >/dev/null"
echo "== re-configure: with images (A) vs without (B)"
farm-bench -n "$runs" --timeout 600 --vs "cmake $work/without" -- cmake "$work/with"
