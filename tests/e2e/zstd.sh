#!/usr/bin/env bash
# COMPRESSION zstd: the layer is a zstd stream of checksummed frames whose
# content is the same tar as the gzip image's (same diff_id), and the
# consumers that read zstd layers take it: zstd itself, podman, skopeo,
# containerd (which unpacks it into a snapshot). Docker 20.10 and umoci
# 0.4.7 (Debian 12's) do not read zstd layers: they are not asked to.
source "$(dirname "$0")/lib.sh"
need jq
need zstd
b=$BUILD_INSTALLED
work=$E2E_WORK/zstd
rm -rf "$work" && mkdir -p "$work"
json=$("$OCIPACK" inspect --json "$b/zstd-image.tar")
layer=$(jq -c '.[0].layers[0]' <<<"$json")
expect_eq "media type" "$(jq -r .mediaType <<<"$layer")" application/vnd.oci.image.layer.v1.tar+zstd
expect_eq "same content as the gzip image" "$(jq -r .diff_id <<<"$layer")" \
  "$("$OCIPACK" inspect --json "$b/plain-image.tar" | jq -r '.[0].layers[0].diff_id')"
blob=blobs/sha256/$(jq -r '.digest | sub("sha256:"; "")' <<<"$layer")
tar -xOf "$b/zstd-image.tar" "$blob" >"$work/layer.zst"
zstd -t -q "$work/layer.zst" || fail "zstd -t refuses the layer"
expect_eq "zstd -dc | sha256sum = diff_id" "sha256:$(zstd -dc "$work/layer.zst" | sha256sum | cut -d' ' -f1)" \
  "$(jq -r .diff_id <<<"$layer")"

# podman
need podman
podman_rm() { podman rmi -f localhost/ocipack-test/zstd:1 docker.io/ocipack-test/zstd:1 >/dev/null 2>&1 || true; }
podman_rm
podman_load "$b/zstd-image.tar" >"$work/podman.log" 2>&1 || { cat "$work/podman.log"; fail "podman load"; }
loaded=$(sed -n 's/^Loaded image[^:]*: *//p' "$work/podman.log" | head -n 1)
case "$loaded" in */ocipack-test/zstd:1) ;; *) cat "$work/podman.log"; fail "podman load did not name the image" ;; esac
expect_eq "podman image ID" "sha256:$(podman image inspect "$loaded" | jq -r '.[0].Id')" \
  "$(config_digest "$b/zstd-image.tar")"
podman_rm

# skopeo: a copy out of the archive keeps the zstd layer as it is.
need skopeo
skopeo copy -q "oci-archive:$b/zstd-image.tar:1" "dir:$work/dir"
cmp "$work/dir/$(jq -r '.digest | sub("sha256:"; "")' <<<"$layer")" "$work/layer.zst" ||
  fail "skopeo's copy of the layer differs"
expect_eq "skopeo sees the zstd layer" \
  "$(skopeo inspect --raw "oci-archive:$b/zstd-image.tar:1" | jq -r '.layers[0].mediaType')" \
  application/vnd.oci.image.layer.v1.tar+zstd

# containerd: imports and unpacks (decompresses) the layer into a snapshot.
need_containerd
ctr_namespace zstd
c images import "$b/zstd-image.tar" >/dev/null
c images check | grep "ocipack-test/zstd:1" | grep complete >/dev/null || fail "containerd reports the image incomplete"
c images rm docker.io/ocipack-test/zstd:1 >/dev/null 2>&1 || true
echo "ok: zstd"
