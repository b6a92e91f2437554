#!/usr/bin/env bash
# containerd (the one dockerd runs) imports the tarball under its full names.
source "$(dirname "$0")/lib.sh"
need_containerd
ctr_namespace containerd
c images import "$BUILD_INSTALLED/full-image.tar"
manifest=$("$OCIPACK" inspect --json "$BUILD_INSTALLED/full-image.tar" | jq -r '.[0].manifest.digest')
list=$(c images ls)
echo "$list"
grep -q "^docker.io/ocipack-test/full:1.2.3 .*$manifest" <<<"$list" || fail "containerd did not import full:1.2.3"
grep -q "^docker.io/ocipack-test/full:latest .*$manifest" <<<"$list" || fail "containerd did not import full:latest"
c images check | grep "ocipack-test/full:1.2.3" | grep complete >/dev/null || fail "containerd reports the image incomplete"
