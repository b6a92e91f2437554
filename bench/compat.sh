#!/usr/bin/env bash
# The consumers on a W1-sized image: one gzip layer of many 1 MiB members.
#
#   bench/compat.sh [OCIPACK] [FILE]
#
# OCIPACK defaults to build/bench/tool/ocipack (bench/run.sh builds it),
# FILE to the largest libLLVM under /usr/lib. Checks that gzip, zcat, Python
# and libarchive (bsdtar) read the layer as one stream whose sha256 is the
# diff_id, and that docker load, podman load, skopeo, umoci and containerd
# accept the image, with the file inside it byte-identical to FILE. A
# consumer that is missing or has no daemon is skipped with a note.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tool=${1:-$root/build/bench/tool/ocipack}
file=${2:-$(find /usr/lib -xdev -type f -name 'libLLVM*.so*' -size +100M -printf '%s %p\n' 2>/dev/null |
            sort -n | tail -n 1 | cut -d' ' -f2-)}
[ -x "$tool" ] || { echo "compat: no ocipack at $tool (run bench/run.sh first)" >&2; exit 1; }
[ -f "$file" ] || { echo "compat: no input file" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
name=$(basename "$file")
want=$(sha256sum <"$file" | cut -d' ' -f1)
failures=0
ok() { echo "ok    $*"; }
bad() { echo "FAIL  $*"; failures=$((failures + 1)); }
skip() { echo "skip  $*"; }

cat >"$work/spec.json" <<EOF
{"version":1,"image":"compat","tags":["ocipack-compat:1"],"compression":"gzip","config":{},
 "runtime_dependencies":{"mode":"none","libraries":[]},
 "layers":[{"created_by":"compat","files":[{"source":"$file","destination":"/"}]}]}
EOF
"$tool" build --spec "$work/spec.json" --output "$work/image.tar"
mkdir "$work/x"
tar -xf "$work/image.tar" -C "$work/x"
config=$work/x/$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Config"])' "$work/x/manifest.json")
layer=$work/x/$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Layers"][0])' "$work/x/manifest.json")
diff_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rootfs"]["diff_ids"][0][7:])' "$config")
echo "layer: $(stat -c %s "$layer") bytes, $(python3 - "$layer" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
print(data.count(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"), "gzip member headers")
EOF
)"

gzip -t "$layer" && ok "gzip -t" || bad "gzip -t"
[ "$(zcat "$layer" | sha256sum | cut -d' ' -f1)" = "$diff_id" ] && ok "zcat | sha256sum = diff_id" ||
  bad "zcat | sha256sum != diff_id"
[ "$(python3 -c 'import gzip,hashlib,sys; print(hashlib.sha256(gzip.open(sys.argv[1]).read()).hexdigest())' \
     "$layer")" = "$diff_id" ] && ok "python gzip = diff_id" || bad "python gzip != diff_id"
if command -v bsdtar >/dev/null; then
  [ "$(bsdtar -xOf "$layer" | sha256sum | cut -d' ' -f1)" = "$want" ] && ok "bsdtar (libarchive): file intact" ||
    bad "bsdtar: file differs"
else
  [ "$(tar -xzOf "$layer" | sha256sum | cut -d' ' -f1)" = "$want" ] && ok "tar -z: file intact" ||
    bad "tar -z: file differs"
fi
if "$tool" inspect "$work/image.tar" >/dev/null 2>&1; then ok "ocipack inspect"; else bad "ocipack inspect"; fi

if docker info >/dev/null 2>&1; then
  docker rmi -f ocipack-compat:1 >/dev/null 2>&1 || true
  if docker load -q -i "$work/image.tar" >/dev/null; then
    cid=$(docker create ocipack-compat:1 /none)
    got=$(docker cp "$cid:/$name" - | tar -xOf - | sha256sum | cut -d' ' -f1)
    docker rm "$cid" >/dev/null
    [ "$got" = "$want" ] && ok "docker load; file in the container = original" || bad "docker: file differs"
    [ "$(docker image inspect -f '{{json .RootFS.Layers}}' ocipack-compat:1)" = "[\"sha256:$diff_id\"]" ] &&
      ok "docker: diff_id" || bad "docker: diff_id differs"
    docker rmi -f ocipack-compat:1 >/dev/null
  else
    bad "docker load"
  fi
  if command -v ctr >/dev/null; then
    sock=/var/run/docker/containerd/containerd.sock
    if ctr -a "$sock" -n ocipack-compat images import "$work/image.tar" >/dev/null 2>&1; then
      ok "ctr images import"
      ctr -a "$sock" -n ocipack-compat images rm docker.io/library/ocipack-compat:1 >/dev/null 2>&1 || true
    else
      bad "ctr images import"
    fi
  else
    skip "containerd: no ctr"
  fi
else
  skip "docker, containerd: no Docker daemon answers"
fi
if command -v podman >/dev/null; then
  podman load -q -i "$work/image.tar" >/dev/null 2>&1 && ok "podman load" || bad "podman load"
  podman rmi -f localhost/ocipack-compat:1 >/dev/null 2>&1 || true
else
  skip "podman: not installed"
fi
if command -v skopeo >/dev/null; then
  skopeo inspect "oci-archive:$work/image.tar:1" >/dev/null && ok "skopeo oci-archive:" || bad "skopeo oci-archive:"
  skopeo inspect "docker-archive:$work/image.tar:ocipack-compat:1" >/dev/null && ok "skopeo docker-archive:" ||
    bad "skopeo docker-archive:"
else
  skip "skopeo: not installed"
fi
if command -v umoci >/dev/null; then
  if umoci unpack --rootless --image "$work/x:1" "$work/bundle" >/dev/null 2>&1; then
    [ "$(sha256sum <"$work/bundle/rootfs/$name" | cut -d' ' -f1)" = "$want" ] &&
      ok "umoci unpack; file = original" || bad "umoci: file differs"
  else
    bad "umoci unpack"
  fi
else
  skip "umoci: not installed"
fi

echo "compat: $failures failure(s)"
[ "$failures" -eq 0 ]
