#!/usr/bin/env bash
# The consumers on an image of W1's size (issue 6): one layer of a 110 MB
# file, so many gzip members (and zstd frames), through bench/compat.sh:
# gzip, zcat, Python, libarchive, zstd, docker load (the file copied out of
# the container has the original's sha256), containerd, podman, skopeo and
# umoci. Under CI=true a missing consumer fails the test.
source "$(dirname "$0")/lib.sh"
need python3
need zstd
need_docker
work=$E2E_WORK/large-image
rm -rf "$work" && mkdir -p "$work"
# Real machine code and data, the same bytes on every run on this machine:
# the system's shared libraries, cut at 110 MB.
# (cat is cut off by head: SIGPIPE, which pipefail must not see.)
(find /usr/lib/x86_64-linux-gnu /usr/lib -maxdepth 1 -name '*.so*' -type f -size +1M -print0 2>/dev/null |
  sort -z | xargs -0 cat 2>/dev/null || true) | head -c 110M >"$work/big.bin"
[ "$(stat -c %s "$work/big.bin")" -eq $((110 * 1024 * 1024)) ] || fail "could not gather 110 MB of libraries"
strict=0
[ "${CI:-}" = "true" ] && strict=1
for compression in gzip zstd; do
  echo "== $compression"
  COMPRESSION=$compression STRICT=$strict bash "$OCIPACK_SOURCE_DIR/bench/compat.sh" "$OCIPACK" "$work/big.bin" ||
    fail "$compression: a consumer refused the large image"
done
rm -rf "$work"
