#!/usr/bin/env bash
# Builds ocipack and this example, shows what went into the image, runs it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build/example

"$root/examples/build.sh" openssl-app

"$build/prefix/bin/ocipack" inspect "$build/openssl-app/digest-image.tar"
docker load -i "$build/openssl-app/digest-image.tar"
docker run --rm ocipack-example/digest:1 hello world
