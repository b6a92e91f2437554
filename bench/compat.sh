#!/usr/bin/env bash
# The consumers on a W1-sized image: one gzip layer of many 1 MiB members.
#
#   bench/compat.sh [OCIPACK] [FILE]
#   COMPRESSION=zstd bench/compat.sh     the same with one zstd layer
#   STRICT=1 bench/compat.sh             a missing consumer is a failure
#
# tests/e2e/large-image.sh runs it in the test suite on a generated file of
# W1's size.
# OCIPACK defaults to build/bench/tool/ocipack (bench/run.sh builds it),
# FILE to the largest libLLVM under /usr/lib. Checks that gzip, zcat, Python
# and libarchive (bsdtar) read the layer as one stream whose sha256 is the
# diff_id, and that docker load, podman load, skopeo, umoci and containerd
# accept the image, with the file inside it byte-identical to FILE. A
# consumer that is missing or has no daemon is skipped with a note; so are
# those that do not read zstd layers (Docker before 23, umoci 0.4.7).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tool=${1:-$root/build/bench/tool/ocipack}
file=${2:-$(find /usr/lib -xdev -type f -name 'libLLVM*.so*' -size +100M -printf '%s %p\n' 2>/dev/null |
            sort -n | tail -n 1 | cut -d' ' -f2-)}
[ -x "$tool" ] || { echo "compat: no ocipack at $tool (run bench/run.sh first)" >&2; exit 1; }
[ -f "$file" ] || { echo "compat: no input file" >&2; exit 1; }

work=$(mktemp -d)
# Nothing is left in Docker, podman or containerd: what was loaded, the
# container, the containerd namespace of this run.
cid= ns=ocipack-compat-$$ sock=/var/run/docker/containerd/containerd.sock
cleanup() {
  [ -z "$cid" ] || docker rm -f "$cid" >/dev/null 2>&1 || true
  docker rmi -f ocipack-compat:1 >/dev/null 2>&1 || true
  podman rmi -f localhost/ocipack-compat:1 docker.io/library/ocipack-compat:1 >/dev/null 2>&1 || true
  if [ -S "$sock" ] && command -v ctr >/dev/null; then
    ctr -a "$sock" -n "$ns" images rm --sync docker.io/library/ocipack-compat:1 >/dev/null 2>&1 || true
    ctr -a "$sock" namespaces rm "$ns" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
name=$(basename "$file")
want=$(sha256sum <"$file" | cut -d' ' -f1)
failures=0
compression=${COMPRESSION:-gzip}
case "$compression" in gzip|zstd) ;; *) echo "compat: COMPRESSION must be gzip or zstd" >&2; exit 1 ;; esac
ok() { echo "ok    $*"; }
bad() { echo "FAIL  $*"; failures=$((failures + 1)); }
# A consumer that is missing: skipped, or a failure with STRICT=1 (the test
# suite under CI=true). Consumers that cannot read zstd by design: skipped.
missing() { if [ "${STRICT:-0}" = 1 ]; then bad "$* (STRICT=1)"; else echo "skip  $*"; fi; }
skip() { echo "skip  $*"; }

cat >"$work/spec.json" <<EOF
{"version":1,"image":"compat","tags":["ocipack-compat:1"],"compression":"$compression","config":{},
 "runtime_dependencies":{"mode":"none","libraries":[]},
 "layers":[{"created_by":"compat","files":[{"source":"$file","destination":"/"}]}]}
EOF
"$tool" build --spec "$work/spec.json" --output "$work/image.tar"
mkdir "$work/x"
tar -xf "$work/image.tar" -C "$work/x"
config=$work/x/$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Config"])' "$work/x/manifest.json")
layer=$work/x/$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Layers"][0])' "$work/x/manifest.json")
diff_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rootfs"]["diff_ids"][0][7:])' "$config")
echo "layer: $(stat -c %s "$layer") bytes, $(python3 - "$layer" "$compression" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
if sys.argv[2] == "gzip":
    print(data.count(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"), "gzip member headers")
else:
    print(data.count(b"\x28\xb5\x2f\xfd"), "zstd frame magics")
EOF
)"

if [ "$compression" = gzip ]; then
  gzip -t "$layer" && ok "gzip -t" || bad "gzip -t"
  [ "$(zcat "$layer" | sha256sum | cut -d' ' -f1)" = "$diff_id" ] && ok "zcat | sha256sum = diff_id" ||
    bad "zcat | sha256sum != diff_id"
  [ "$(python3 -c 'import gzip,hashlib,sys; print(hashlib.sha256(gzip.open(sys.argv[1]).read()).hexdigest())' \
       "$layer")" = "$diff_id" ] && ok "python gzip = diff_id" || bad "python gzip != diff_id"
else
  zstd -q -t "$layer" && ok "zstd -t" || bad "zstd -t"
  [ "$(zstd -q -dc "$layer" | sha256sum | cut -d' ' -f1)" = "$diff_id" ] && ok "zstd -dc | sha256sum = diff_id" ||
    bad "zstd -dc | sha256sum != diff_id"
fi
if command -v bsdtar >/dev/null; then
  [ "$(bsdtar -xOf "$layer" | sha256sum | cut -d' ' -f1)" = "$want" ] && ok "bsdtar (libarchive): file intact" ||
    bad "bsdtar: file differs"
else
  [ "$(tar -xOf "$layer" --"$compression" | sha256sum | cut -d' ' -f1)" = "$want" ] && ok "tar --$compression: file intact" ||
    bad "tar --$compression: file differs"
fi
if "$tool" inspect "$work/image.tar" >/dev/null 2>&1; then ok "ocipack inspect"; else bad "ocipack inspect"; fi

docker_major=$(docker version -f '{{.Server.Version}}' 2>/dev/null | cut -d. -f1 || true)
if [ "$compression" = zstd ] && [ -n "$docker_major" ] && [ "$docker_major" -lt 23 ]; then
  skip "docker load: Docker $docker_major does not read zstd layers (23 and newer do)"
elif docker info >/dev/null 2>&1; then
  docker rmi -f ocipack-compat:1 >/dev/null 2>&1 || true
  if docker load -q -i "$work/image.tar" >/dev/null; then
    cid=$(docker create ocipack-compat:1 /none)
    got=$(docker cp "$cid:/$name" - | tar -xOf - | sha256sum | cut -d' ' -f1)
    docker rm "$cid" >/dev/null && cid=
    [ "$got" = "$want" ] && ok "docker load; file in the container = original" || bad "docker: file differs"
    [ "$(docker image inspect -f '{{json .RootFS.Layers}}' ocipack-compat:1)" = "[\"sha256:$diff_id\"]" ] &&
      ok "docker: diff_id" || bad "docker: diff_id differs"
    docker rmi -f ocipack-compat:1 >/dev/null
  else
    bad "docker load"
  fi
else
  missing "docker: no Docker daemon answers"
fi
if [ -S "$sock" ]; then
  if command -v ctr >/dev/null; then
    if ctr -a "$sock" -n "$ns" images import "$work/image.tar" >/dev/null 2>&1; then
      ok "ctr images import"
    else
      bad "ctr images import"
    fi
  else
    missing "containerd: no ctr"
  fi
else
  missing "containerd: no socket (dockerd's containerd is not running)"
fi
if command -v podman >/dev/null; then
  podman load -q -i "$work/image.tar" >/dev/null 2>&1 && ok "podman load" || bad "podman load"
  podman rmi -f localhost/ocipack-compat:1 docker.io/library/ocipack-compat:1 >/dev/null 2>&1 || true
else
  missing "podman: not installed"
fi
if command -v skopeo >/dev/null; then
  skopeo inspect "oci-archive:$work/image.tar:1" >/dev/null && ok "skopeo oci-archive:" || bad "skopeo oci-archive:"
  skopeo inspect "docker-archive:$work/image.tar:ocipack-compat:1" >/dev/null && ok "skopeo docker-archive:" ||
    bad "skopeo docker-archive:"
else
  missing "skopeo: not installed"
fi
if [ "$compression" = zstd ] && umoci --version 2>/dev/null | grep -q "version 0\.4\.[0-7]"; then
  skip "umoci: $(umoci --version | cut -d' ' -f3) does not read zstd layers"
elif command -v umoci >/dev/null; then
  if umoci unpack --rootless --image "$work/x:1" "$work/bundle" >/dev/null 2>&1; then
    [ "$(sha256sum <"$work/bundle/rootfs/$name" | cut -d' ' -f1)" = "$want" ] &&
      ok "umoci unpack; file = original" || bad "umoci: file differs"
  else
    bad "umoci unpack"
  fi
else
  missing "umoci: not installed"
fi

echo "compat: $failures failure(s)"
[ "$failures" -eq 0 ]
