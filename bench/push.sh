#!/usr/bin/env bash
# Push benchmark (issue 15): the W1 image (one libLLVM of 100 MB or more, as
# in bench/run.sh) pushed to a docker-registry of its own on 127.0.0.1,
# beside `skopeo copy oci-archive:... docker://...` of the same tarball, in
# turn, with paired ratios (bench/paired.py); then a re-push beside a first push,
# and beside one curl request (its floor).
# Targets: ocipack / skopeo <= 1; re-push / first push <= 0.05.
#
#   bench/push.sh              5 runs of each
#   RUNS=9 bench/push.sh
#
# Every first push goes to a new repository (the registry then has no link
# to the blobs there, so they are sent again), and skopeo's blob-info cache
# is removed before each of its runs (it would mount blobs from the
# repositories of earlier runs instead of sending them).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/build/bench
runs=${RUNS:-5}
for tool in docker-registry skopeo python3; do
  command -v "$tool" >/dev/null || { echo "bench/push: $tool is missing (tests/setup-machine.sh installs it)" >&2; exit 1; }
done
big=$(find /usr/lib -xdev -type f -name 'libLLVM*.so*' -size +100M -printf '%s %p\n' 2>/dev/null | sort -n | tail -n 1 | cut -d' ' -f2-)
[ -n "$big" ] || { echo "bench/push: no libLLVM of 100 MB or more (apt-get install libllvm15)" >&2; exit 1; }

cmake -S "$root" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOCIPACK_BUILD_TESTS=OFF -DOCIPACK_INSTALL=OFF >/dev/null
cmake --build "$out" --target ocipack >/dev/null
tool=$out/tool/ocipack
work=$out/push
rm -rf "$work" && mkdir -p "$work"
cat >"$work/spec.json" <<JSON
{"version": 1, "image": "w1", "tags": ["w1:1"], "config": {}, "annotations": [],
 "runtime_dependencies": {"mode": "none"},
 "layers": [{"created_by": "w1", "files": [{"source": "$big", "destination": "/usr/lib", "elf": true}]}]}
JSON
"$tool" build --spec "$work/spec.json" --output "$work/w1.tar"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
registry=127.0.0.1:$port
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
  "$work/storage" "$registry" >"$work/registry.yml"
env -u REGISTRY_AUTH_FILE docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do python3 -c "import urllib.request; urllib.request.urlopen('http://$registry/v2/')" 2>/dev/null && break; sleep 0.2; done
export DOCKER_CONFIG=$work/docker && mkdir -p "$DOCKER_CONFIG"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

echo "bench/push: $(stat -c %s "$work/w1.tar") bytes ($big), registry $registry, $runs runs" >&2
echo "== first push: ocipack push (A) vs skopeo copy (B), each to a new repository"
paired=$root/bench/paired.py
python3 "$paired" -n "$runs" "exec $tool push $work/w1.tar $registry/ocipack-\$\$:1" \
  "rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb; exec skopeo copy -q --dest-tls-verify=false oci-archive:$work/w1.tar:1 docker://$registry/skopeo-\$\$:1"
"$tool" push "$work/w1.tar" "$registry/again/w1:1" >/dev/null
echo "== re-push (A) vs first push to a new repository (B)"
python3 "$paired" -n "$runs" "$tool push $work/w1.tar $registry/again/w1:1" \
  "exec $tool push $work/w1.tar $registry/first-\$\$:1"
# The floor of a re-push: one process that loads libcurl and sends one
# request (a re-push sends two: the /v2/ ping and the manifest HEAD).
echo "== re-push (A) vs curl's HEAD of the same manifest (B)"
python3 "$paired" -n "$runs" "$tool push $work/w1.tar $registry/again/w1:1" \
  "curl -s -o /dev/null -I -H 'Accept: application/vnd.oci.image.manifest.v1+json' http://$registry/v2/again/w1/manifests/1"
