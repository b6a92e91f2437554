#!/usr/bin/env bash
# examples/tiny, built from a copy against the installed package: an image
# smaller than Docker's first hello-world (its layers' files total at most
# 1,840 bytes), which runs. x86-64 only, as the example is.
source "$(dirname "$0")/lib.sh"
[ "$(uname -m)" = x86_64 ] || { echo "SKIP: examples/tiny makes x86-64 system calls"; exit 77; }
need jq
work=$E2E_WORK/tiny
rm -rf "$work"
mkdir -p "$work"
cp -R "$OCIPACK_SOURCE_DIR/examples/tiny" "$work/src"
build_project "$work/src" "$work/build" -DCMAKE_PREFIX_PATH="$PREFIX"
tarball=$work/build/tiny-image.tar

json=$("$OCIPACK" inspect --json "$tarball")
expect_eq "files in the image" "$(jq -r '[.[0].layers[].files[] | "\(.type) \(.path)"] | join(",")' <<<"$json")" "- tiny"
total=$(jq '[.[0].layers[].files[].size] | add' <<<"$json")
echo "the layers' files: $total bytes; the tarball: $(stat -c %s "$tarball") bytes"
[ "$total" -le 1840 ] || fail "the layers' files total $total bytes, more than hello-world's first 1,840"

need_docker
docker_load "$tarball"
out=$(docker run --rm tiny-image:latest)
echo "$out"
expect_eq "the greeting" "$out" "Hello from an image under 1 kB!"
