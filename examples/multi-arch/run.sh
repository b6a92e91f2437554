#!/usr/bin/env bash
# Builds ocipack, then the example for this machine and for arm64, combines
# both into one multi-platform image, loads it and runs it (the arm64 one
# too, under qemu, where binfmt_misc can be enabled).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build/example

"$root/examples/build.sh" multi-arch --cross

"$build/prefix/bin/ocipack" inspect "$build/multi-arch/hello-arch.tar" | grep -E "^(tags|platform)"
docker load -i "$build/multi-arch/hello-arch.tar"
docker run --rm ocipack-example/hello-arch:1
docker load -i "$build/multi-arch/arm64/hello-arch-image.tar"
docker run --rm --platform linux/arm64 ocipack-example/hello-arch:aarch64
