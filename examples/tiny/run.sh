#!/usr/bin/env bash
# Builds ocipack, installs it into build/example/prefix, builds this example
# against the installed package, loads tiny-image.tar into Docker, runs it
# and shows its size beside hello-world's. x86-64 only.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build/example

"$root/examples/build.sh" tiny

echo "the program: $(stat -c %s "$build/tiny/tiny") bytes"
docker load -i "$build/tiny/tiny-image.tar"
docker run --rm tiny-image:latest
docker images tiny-image
