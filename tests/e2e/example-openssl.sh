#!/usr/bin/env bash
# examples/openssl-app: iostream, threads and OpenSSL, dynamically linked,
# runs FROM scratch with the libraries ocipack found.
source "$(dirname "$0")/lib.sh"
need_docker
work=$E2E_WORK/example-openssl
rm -rf "$work"
build_project "$OCIPACK_SOURCE_DIR/examples/openssl-app" "$work" -DCMAKE_PREFIX_PATH="$PREFIX"
docker rmi -f ocipack-example/digest:1 >/dev/null 2>&1 || true
docker_load "$work/digest-image.tar"
out=$(docker run --rm ocipack-example/digest:1 hello world)
echo "$out"
grep -q "^OpenSSL 3.*, 2 thread(s)$" <<<"$out" || fail "OpenSSL version line"
expect_eq "sha256(hello)" "$(grep '^sha256(hello)' <<<"$out")" "sha256(hello) = $(printf hello | sha256sum | cut -d' ' -f1)"
expect_eq "sha256(world)" "$(grep '^sha256(world)' <<<"$out")" "sha256(world) = $(printf world | sha256sum | cut -d' ' -f1)"
docker rmi -f ocipack-example/digest:1 >/dev/null
