#!/usr/bin/env bash
# The whole test suite: unit tests, CMake module tests (configure errors,
# sample projects via add_subdirectory and via the installed package) and
# the real consumers (Docker, podman, skopeo, umoci, oci-image-tool,
# containerd). Installs what is missing and starts dockerd if needed.
# Extra arguments go to ctest (e.g. -L unit, -R docker).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tests/setup-machine.sh

cmake --preset dev
cmake --build --preset dev
ctest --preset dev "$@"
