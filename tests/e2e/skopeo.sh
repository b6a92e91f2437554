#!/usr/bin/env bash
# skopeo reads the tarball both as an OCI archive and as a docker archive.
source "$(dirname "$0")/lib.sh"
need jq
need skopeo
tar=$BUILD_INSTALLED/full-image.tar
manifest=$("$OCIPACK" inspect --json "$tar" | jq -r '.[0].manifest.digest')

oci=$(skopeo inspect "oci-archive:$tar:1.2.3")
expect_eq "oci-archive digest" "$(jq -r '.Digest' <<<"$oci")" "$manifest"
expect_eq "oci-archive architecture" "$(jq -r '.Architecture' <<<"$oci")" "$(dpkg --print-architecture)"
expect_eq "oci-archive layers" "$(jq -r '.Layers | length' <<<"$oci")" 2
expect_eq "oci-archive labels" "$(jq -c '.Labels' <<<"$oci")" '{"org.example.note":"two words","org.example.team":"core"}'
expect_eq "oci-archive raw manifest" "$(skopeo inspect --raw "oci-archive:$tar:1.2.3" | sha256sum | cut -d' ' -f1)" "${manifest#sha256:}"
expect_eq "oci-archive config" "sha256:$(skopeo inspect --config --raw "oci-archive:$tar:1.2.3" | sha256sum | cut -d' ' -f1)" \
  "$(config_digest "$tar")"

docker_archive=$(skopeo inspect "docker-archive:$tar:ocipack-test/full:1.2.3")
expect_eq "docker-archive architecture" "$(jq -r '.Architecture' <<<"$docker_archive")" "$(dpkg --print-architecture)"
expect_eq "docker-archive layers" "$(jq -r '.Layers | length' <<<"$docker_archive")" 2
expect_eq "docker-archive env" "$(jq -r '.Env[1]' <<<"$docker_archive")" APP_MODE=production
