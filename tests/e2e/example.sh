#!/usr/bin/env bash
# examples/hello, built against the installed package, loads and runs.
source "$(dirname "$0")/lib.sh"
need_docker
work=$E2E_WORK/example
rm -rf "$work"
build_project "$OCIPACK_SOURCE_DIR/examples/hello" "$work" -DCMAKE_PREFIX_PATH="$PREFIX"
docker rmi -f hello-image:latest >/dev/null 2>&1 || true
docker_load "$work/hello-image.tar"
out=$(docker run --rm hello-image:latest)
echo "$out"
grep -q "^Hello from ocipack!" <<<"$out" || fail "the example did not greet"
expect_eq "files in the image" "$("$OCIPACK" inspect --json "$work/hello-image.tar" | jq -r '[.[0].layers[].files[].path] | join(",")')" hello
docker rmi -f hello-image:latest >/dev/null
