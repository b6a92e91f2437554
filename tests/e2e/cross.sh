#!/usr/bin/env bash
# examples/multi-arch: a cross build for arm64 (the target's interpreter and
# libraries from /usr/aarch64-linux-gnu, no host file), combined with the
# native build into one multi-platform image, read by skopeo, containerd
# and Docker, and pushed to a loopback registry (every platform, then the
# index) that skopeo and Docker read back; the arm64 image runs under qemu.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry.sh"
need jq
need skopeo
need aarch64-linux-gnu-g++
need_docker
work=$E2E_WORK/multi-arch
rm -rf "$work"
build_project "$OCIPACK_SOURCE_DIR/examples/multi-arch" "$work" -DCMAKE_PREFIX_PATH="$PREFIX"
arm=$work/arm64/hello-arch-image.tar
native=$work/native/hello-arch-image.tar
multi=$work/hello-arch.tar

# The cross image: arm64, the aarch64 interpreter and libstdc++ from the
# sysroot, nothing from the build machine's own libraries.
json=$("$OCIPACK" inspect --json "$arm")
expect_eq "arm64 platform" "$(jq -r '.[0].config | "\(.os)/\(.architecture)"' <<<"$json")" linux/arm64
files=$(jq -r '.[0].layers[].files[] | "/\(.path) \(.origin // "")"' <<<"$json")
echo "$files"
grep -q "^/lib/ld-linux-aarch64.so.1 /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 (ELF interpreter of /hello-arch)" <<<"$files" \
  || fail "the aarch64 interpreter is not at /lib/ld-linux-aarch64.so.1 from the sysroot"
grep -q "^/lib/libstdc++.so.6.0.30 /usr/aarch64-linux-gnu/lib/" <<<"$files" || fail "aarch64 libstdc++ from the sysroot"
host_files=$(jq -r '.[0].layers[].files[] | select(.origin) | .origin | split(" ")[0] | select(startswith("/usr/aarch64-linux-gnu/") | not) | select(startswith("symlink") | not)' <<<"$json")
[ -z "$host_files" ] || fail "files from outside the sysroot: $host_files"
# Every ELF file in the image is 64-bit little-endian AArch64 (e_machine 183).
mkdir -p "$work/rootfs"
for digest in $(jq -r '.[0].layers[].digest | sub("sha256:"; "")' <<<"$json"); do
  tar -xOf "$arm" "blobs/sha256/$digest" | tar -xzf - -C "$work/rootfs"
done
count=0
while IFS= read -r f; do
  header=$(head -c 20 "$f" | od -An -tx1 | tr -d ' \n')
  [ "${header:0:8}" = 7f454c46 ] || continue
  [ "${header:8:6}" = 020101 ] && [ "${header:36:4}" = b700 ] || fail "${f#$work/rootfs} is not an AArch64 ELF file ($header)"
  count=$((count + 1))
done < <(find "$work/rootfs" -type f)
echo "ok: $count ELF files, all AArch64"
[ "$count" -ge 5 ] || fail "only $count ELF files in the arm64 image"

# The index: both platforms, for skopeo, containerd and Docker.
raw=$(skopeo inspect --raw "oci-archive:$multi:1")
expect_eq "index media type" "$(jq -r '.mediaType' <<<"$raw")" application/vnd.oci.image.index.v1+json
expect_eq "index platforms" "$(jq -r '[.manifests[].platform | "\(.os)/\(.architecture)"] | sort | join(",")' <<<"$raw")" \
  "linux/amd64,linux/arm64"
expect_eq "arm64 manifest in the index" \
  "$(jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' <<<"$raw")" \
  "$("$OCIPACK" inspect --json "$arm" | jq -r '.[0].manifest.digest')"

need_containerd
ctr_namespace cross
c images import --all-platforms "$multi"
list=$(c images ls)
echo "$list"
grep "^docker.io/ocipack-example/hello-arch:1 " <<<"$list" | grep -q "linux/amd64,linux/arm64" || fail "containerd does not see both platforms"
c images rm docker.io/ocipack-example/hello-arch:1 >/dev/null

docker rmi -f ocipack-example/hello-arch:1 ocipack-example/hello-arch:aarch64 >/dev/null 2>&1 || true
docker_load "$multi"
expect_eq "docker run of the index (this machine's platform)" "$(docker run --rm ocipack-example/hello-arch:1)" \
  "hello from a C++ program built for amd64, running on x86_64"

# Pushed by the index's own -push target (add_container_image_index), to a
# tag given when it runs: each platform's manifest, then the index, to a
# registry of the test's own; skopeo reads both platforms back, Docker pulls
# this machine's.
start_registry multi
pushed=$REGISTRY_MULTI/example/hello-arch:1
OCIPACK_PUSH_TAGS=$pushed cmake --build "$work" --target hello-arch-push | tee "$work/push.log"
grep -q "$pushed@$(tar -xOf "$multi" index.json | jq -r '.manifests[0].digest')" "$work/push.log" || fail "hello-arch-push: $(cat "$work/push.log")"
expect_eq "the index target's digest file" "$(jq -r '.[0].reference' "$work/ocipack/hello-arch.pushed.json")" "$pushed"
# One SBOM per platform (copied beside the index by `ocipack index`), each
# attached to its own manifest, found through its fallback tag.
for arch in amd64 arm64; do
  manifest=$(jq -r --arg a $arch '.manifests[] | select(.platform.architecture == $a) | .digest' <<<"$raw")
  artifact=$(grep -F "$pushed@$manifest: SBOM hello-arch.linux-$arch.spdx.json attached as " "$work/push.log" | sed 's/.* as //')
  [ -n "$artifact" ] || fail "no $arch SBOM attached: $(cat "$work/push.log")"
  expect_eq "$arch SBOM referrer" \
    "$(skopeo inspect --raw --tls-verify=false "docker://$REGISTRY_MULTI/example/hello-arch:sha256-${manifest#sha256:}" | jq -r '.manifests[].digest')" \
    "$artifact"
done
remote=$(skopeo inspect --raw --tls-verify=false "docker://$pushed")
expect_eq "pushed index" "sha256:$(sha256sum <<<"$remote" | cut -d' ' -f1)" "sha256:$(sha256sum <<<"$raw" | cut -d' ' -f1)"
expect_eq "pushed arm64 image" \
  "$(skopeo inspect --tls-verify=false --override-arch arm64 "docker://$pushed" | jq -r .Digest)" \
  "$(skopeo inspect --tls-verify=false --override-arch arm64 "oci-archive:$multi:1" | jq -r .Digest)"
docker_cleanup "$pushed"
docker pull -q "$pushed"
expect_eq "docker run of the pushed index" "$(docker run --rm "$pushed")" \
  "hello from a C++ program built for amd64, running on x86_64"
registry_stop_all

# Duplicate platforms are refused.
err=$("$OCIPACK" index --output "$work/dup.tar" "$native" "$native" 2>&1) && fail "duplicate platforms accepted"
grep -q "ocipack: error: platform linux/amd64 is in both $native and $native" <<<"$err" || fail "duplicate platforms: $err"
[ ! -e "$work/dup.tar" ] || fail "dup.tar left behind"

# arm64 under qemu, where binfmt_misc runs foreign binaries.
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || missing "qemu-aarch64 is not enabled in binfmt_misc (tests/setup-machine.sh enables it)"
docker_load "$arm"
expect_eq "docker run --platform linux/arm64" "$(docker run --rm --platform linux/arm64 ocipack-example/hello-arch:aarch64)" \
  "hello from a C++ program built for arm64, running on aarch64"
docker rmi -f ocipack-example/hello-arch:1 ocipack-example/hello-arch:aarch64 >/dev/null
