#!/usr/bin/env bash
# Builds ocipack, installs it into build/example/prefix, builds this example
# against the installed package, loads hello-image.tar into Docker and runs it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build/example

"$root/tests/setup-machine.sh" --example

(cd "$root" && cmake --preset release && cmake --build --preset release)
cmake --install "$root/build/release" --prefix "$build/prefix"

cmake -S "$root/examples/hello" -B "$build/hello" -G Ninja -DCMAKE_PREFIX_PATH="$build/prefix"
cmake --build "$build/hello"

docker load -i "$build/hello/hello-image.tar"
docker run --rm hello-image:latest
