#!/usr/bin/env bash
# Builds ocipack and this example, shows what went into the image, runs it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build/example

"$root/tests/setup-machine.sh" --example

(cd "$root" && cmake --preset release && cmake --build --preset release)
cmake --install "$root/build/release" --prefix "$build/prefix"

cmake -S "$root/examples/openssl-app" -B "$build/openssl-app" -G Ninja -DCMAKE_PREFIX_PATH="$build/prefix"
cmake --build "$build/openssl-app"

"$build/prefix/bin/ocipack" inspect "$build/openssl-app/digest-image.tar"
docker load -i "$build/openssl-app/digest-image.tar"
docker run --rm ocipack-example/digest:1 hello world
