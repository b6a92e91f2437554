#!/usr/bin/env bash
# Builds ocipack, installs it into build/example/prefix, builds this example
# against the installed package, loads hello-image.tar into Docker and runs it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${OCIPACK_EXAMPLE_BUILD:-$root/build/example}

"$root/tests/setup-machine.sh" --example

cmake -S "$root" -B "$build/ocipack" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOCIPACK_BUILD_TESTS=OFF
cmake --build "$build/ocipack"
cmake --install "$build/ocipack" --prefix "$build/prefix"

cmake -S "$root/examples/hello" -B "$build/hello" -G Ninja -DCMAKE_PREFIX_PATH="$build/prefix"
cmake --build "$build/hello"

docker load -i "$build/hello/hello-image.tar"
docker run --rm hello-image:latest
