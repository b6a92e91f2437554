# Shared by the end-to-end tests. (Pipelines end in `grep PATTERN >/dev/null`,
# not `grep -q`: with pipefail, a writer killed by SIGPIPE after an early
# `grep -q` match would fail the test.) CTest passes, in the environment:
#   OCIPACK_SOURCE_DIR  the ocipack source tree
#   OCIPACK             the ocipack tool of the main build
#   E2E_WORK            the scratch directory of the end-to-end tests
#   E2E_GENERATOR       the CMake generator to build sample projects with
set -euo pipefail

# Cleanup at exit, whatever the outcome: `on_exit CMD...` registers a
# command; they run last registered first. (A test never sets its own EXIT
# trap: it would replace this one.)
_on_exit=()
on_exit() { _on_exit+=("$(printf '%q ' "$@")"); }
_run_on_exit() {
  local rc=$? i
  for ((i = ${#_on_exit[@]} - 1; i >= 0; i--)); do
    eval "${_on_exit[i]}" >/dev/null 2>&1 || true
  done
  exit "$rc"
}
trap _run_on_exit EXIT

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

# Tests leave nothing in the user's Docker, podman or containerd: what they
# load goes through these helpers, which undo it at exit (the engines
# fixture, engine-state.sh, checks that nothing was left).
#
# docker_load TARBALL, podman_load TARBALL: `docker|podman load -i`,
# printing what it prints; at exit the images it loaded (tagged or not) are
# removed, unless they were in that engine before this test.
docker_load() { _engine_load docker "$1"; }
podman_load() { _engine_load podman "$1"; }
declare -A _engine_before=()  # engine -> the image IDs it held before (sha256: dropped)
_engine_loaded=()             # engine, name, image ID: three items per image loaded
_engine_load() {
  local engine=$1 out line ref
  if [ -z "${_engine_before[$engine]:-}" ]; then
    [ ${#_engine_before[@]} -gt 0 ] || on_exit _engine_unload
    _engine_before[$engine]="$("$engine" images -aq --no-trunc | sed 's/^sha256://' | sort -u) "
  fi
  out=$("$engine" load -i "$2" 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  while IFS= read -r line; do
    case $line in
      "Loaded image ID: "*) line=${line#Loaded image ID: } ;;  # docker, an untagged image
      "Loaded image: "*) line=${line#Loaded image: } ;;
      "Loaded image(s): "*) line=${line#Loaded image(s): } ;;  # podman, names joined by ','
      *) continue ;;
    esac
    for ref in ${line//,/ }; do
      _engine_loaded+=("$engine" "$ref" "$("$engine" image inspect -f '{{.Id}}' "$ref")")
    done
  done <<<"$out"
}
_engine_unload() {
  local i engine ref id
  for ((i = 0; i < ${#_engine_loaded[@]}; i += 3)); do
    engine=${_engine_loaded[i]} ref=${_engine_loaded[i + 1]} id=${_engine_loaded[i + 2]}
    grep -qxF "${id#sha256:}" <<<"${_engine_before[$engine]}" && continue
    [ "$ref" = "$id" ] || "$engine" rmi "$ref" >/dev/null 2>&1 || true
    "$engine" rmi -f "$id" >/dev/null 2>&1 || true
  done
}
# docker_cleanup REF...: images a test made another way (docker build),
# removed at exit.
docker_cleanup() { on_exit docker rmi -f "$@"; }

# ctr_namespace NAME: after need_containerd, sets $ns to a containerd
# namespace of this test's own (ocipack-test-NAME-<pid>) and defines c()
# (ctr in it); at exit its images are removed and the namespace deleted.
ctr_namespace() {
  ns=ocipack-test-$1-$$
  c() { ctr -a "$containerd_sock" -n "$ns" "$@"; }
  on_exit _ctr_drop_namespace
}
_ctr_drop_namespace() {
  local images i
  images=$(c images ls -q 2>/dev/null) || true
  [ -z "$images" ] || c images rm --sync $images >/dev/null 2>&1 || true
  for i in $(seq 20); do
    ctr -a "$containerd_sock" namespaces rm "$ns" >/dev/null 2>&1 && return 0
    ctr -a "$containerd_sock" namespaces ls -q | grep -qxF "$ns" || return 0
    sleep 0.5
  done
}

# Configures and builds a sample project; extra arguments go to cmake.
build_project() {
  local src=$1 bin=$2
  shift 2
  cmake -S "$src" -B "$bin" -G "$E2E_GENERATOR" "$@"
  cmake --build "$bin"
}

# image_lines TEXT: the lines of `ocipack push` output about images, without
# its "SBOM ... attached" lines.
image_lines() { grep -v ': SBOM ' <<<"$1" || true; }

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
  [ "$2" = "$3" ] || fail "$1: expected [$3], got [$2]"
  echo "ok: $1 = $3"
}

config_digest() { # tarball -> sha256:... of its config
  "$OCIPACK" inspect --json "$1" | jq -r '.[0].config_descriptor.digest'
}
