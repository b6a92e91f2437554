#!/usr/bin/env bash
# The whole test suite: unit tests, CMake module tests (configure errors,
# sample projects via add_subdirectory and via the installed package) and
# the real consumers (Docker, podman, skopeo, umoci, oci-image-tool,
# containerd). Installs what is missing and starts dockerd if needed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${OCIPACK_TEST_BUILD:-$root/build/test}

"$root/tests/setup-machine.sh"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOCIPACK_BUILD_TESTS=ON
cmake --build "$build"
cd "$build"
ctest --output-on-failure "$@"
