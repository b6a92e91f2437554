#!/usr/bin/env bash
# The whole test suite: unit tests, CMake module tests (configure errors,
# sample projects via add_subdirectory and via the installed package) and
# the real consumers (Docker, podman, skopeo, umoci, oci-image-tool,
# containerd). Installs what is missing and starts dockerd if needed.
# Extra arguments go to ctest (e.g. -L unit, -R docker).
#
#   tests/run.sh [ctest args]          the dev preset (build/dev)
#   tests/run.sh --asan [ctest args]   the same suite, everything built with
#                                      AddressSanitizer + UBSan (build/asan)
#   tests/run.sh --fuzz [ctest args]   the libFuzzer targets (clang 14, build/fuzz):
#                                      each fuzzes for OCIPACK_FUZZ_SECONDS (default
#                                      60), then every seed and regression input runs once
#   tests/run.sh --fresh               the README's commands (these two, and "Using it in
#                                      a project") in a new minimal Debian 12 root, as a new
#                                      user would run them (tests/fresh/run.sh; needs root)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

preset=dev
case ${1:-} in
  --asan) preset=asan; shift ;;
  --fuzz) preset=fuzz; shift ;;
  --fresh)
    tests/setup-machine.sh --fresh
    exec tests/fresh/run.sh
    ;;
esac

tests/setup-machine.sh

configure_args=()
if [ "$preset" = fuzz ] && [ -n "${OCIPACK_FUZZ_SECONDS:-}" ]; then
  configure_args+=("-DOCIPACK_FUZZ_SECONDS=$OCIPACK_FUZZ_SECONDS")
fi
cmake --preset "$preset" "${configure_args[@]}"
cmake --build --preset "$preset"
ctest --preset "$preset" "$@"
