# Shared by the end-to-end tests. (Pipelines end in `grep PATTERN >/dev/null`,
# not `grep -q`: with pipefail, a writer killed by SIGPIPE after an early
# `grep -q` match would fail the test.) CTest passes, in the environment:
#   OCIPACK_SOURCE_DIR  the ocipack source tree
#   OCIPACK             the ocipack tool of the main build
#   E2E_WORK            the scratch directory of the end-to-end tests
#   E2E_GENERATOR       the CMake generator to build sample projects with
set -euo pipefail

PREFIX=$E2E_WORK/prefix                # ocipack installed here (install.sh)
BUILD_INSTALLED=$E2E_WORK/basic-installed
BUILD_SUBDIR=$E2E_WORK/basic-subdir

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# A consumer that is missing fails the test under CI=true, else skips it
# (exit 77, which CTest reports as skipped) with the reason.
missing() {
  if [ "${CI:-}" = "true" ]; then
    fail "$* (required when CI=true)"
  fi
  echo "SKIP: $*"
  exit 77
}

need() {
  command -v "$1" >/dev/null 2>&1 || missing "$1 is not installed (tests/setup-machine.sh installs it)"
}

# ctr and the containerd that dockerd runs (or the system's): its socket in
# $containerd_sock.
need_containerd() {
  need ctr
  need_docker
  containerd_sock=
  for s in /var/run/docker/containerd/containerd.sock /run/containerd/containerd.sock; do
    [ -S "$s" ] && containerd_sock=$s && break
  done
  [ -n "$containerd_sock" ] || missing "no containerd socket found"
}

need_docker() {
  need docker
  docker info >/dev/null 2>&1 || missing "no Docker daemon answers (tests/setup-machine.sh starts one)"
}

# Configures and builds a sample project; extra arguments go to cmake.
build_project() {
  local src=$1 bin=$2
  shift 2
  cmake -S "$src" -B "$bin" -G "$E2E_GENERATOR" "$@"
  cmake --build "$bin"
}

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
  [ "$2" = "$3" ] || fail "$1: expected [$3], got [$2]"
  echo "ok: $1 = $3"
}

config_digest() { # tarball -> sha256:... of its config
  "$OCIPACK" inspect --json "$1" | jq -r '.[0].config_descriptor.digest'
}
