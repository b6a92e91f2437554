#!/usr/bin/env bash
# Builds ocipack, installs it into build/example/prefix, builds this example
# against the installed package, loads hello-image.tar into Docker and runs it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build/example

"$root/examples/build.sh" hello

docker load -i "$build/hello/hello-image.tar"
docker run --rm hello-image:latest
