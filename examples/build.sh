#!/usr/bin/env bash
# The start of every example's run.sh: sets the machine up
# (tests/setup-machine.sh <option>, --example by default), builds ocipack,
# installs it into build/example/prefix and builds examples/<example>
# against the installed package, in build/example/<example>.
#
#   examples/build.sh <example> [<setup-machine option>]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build/example

"$root/tests/setup-machine.sh" "${2:---example}"

(cd "$root" && cmake --preset release && cmake --build --preset release)
cmake --install "$root/build/release" --prefix "$build/prefix"

cmake -S "$root/examples/$1" -B "$build/$1" -G Ninja -DCMAKE_PREFIX_PATH="$build/prefix"
cmake --build "$build/$1"
