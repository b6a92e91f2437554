#!/usr/bin/env bash
# podman load accepts the tarball (podman run does not work on these
# machines, so only the stored image is checked).
source "$(dirname "$0")/lib.sh"
need jq
need podman
b=$BUILD_INSTALLED
cleanup() { podman rmi -f localhost/ocipack-test/full:1.2.3 localhost/ocipack-test/full:latest >/dev/null 2>&1 || true; }
cleanup
on_exit cleanup
podman_load "$b/full-image.tar" >"$E2E_WORK/podman-load.log"; cat "$E2E_WORK/podman-load.log"
grep -q "Loaded image.*ocipack-test/full:1.2.3" "$E2E_WORK/podman-load.log" || fail "podman load did not name the image"
inspect=$(podman image inspect localhost/ocipack-test/full:1.2.3)
expect_eq "podman image ID" "sha256:$(jq -r '.[0].Id' <<<"$inspect")" "$(config_digest "$b/full-image.tar")"
expect_eq "podman Entrypoint" "$(jq -c '.[0].Config.Entrypoint' <<<"$inspect")" '["/usr/local/bin/probe","--greeting"]'
expect_eq "podman User" "$(jq -r '.[0].Config.User' <<<"$inspect")" 1234:5678
