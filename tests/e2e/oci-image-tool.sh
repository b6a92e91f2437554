#!/usr/bin/env bash
# oci-image-tool validates the extracted image layout (its own tar reader
# fails on every tar file, so the tarball is extracted first).
source "$(dirname "$0")/lib.sh"
need oci-image-tool
work=$E2E_WORK/oci-image-tool
for image in full-image uncompressed-image plain-image; do
  rm -rf "$work" && mkdir -p "$work"
  tar -xf "$BUILD_INSTALLED/$image.tar" -C "$work"
  ref=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$work/index.json")
  out=$(oci-image-tool validate --type image --ref "name=$ref" "$work" 2>&1) || fail "$image: $out"
  echo "$out"
  grep -q "Validation succeeded" <<<"$out" || fail "$image did not validate"
done
