#!/usr/bin/env bash
# Faults end in a clear error or a correct result, never in a tarball with
# wrong digests or a file left behind: a full disk, a killed build, an input
# that changes while it is read, and the same build run twice at once.
source "$(dirname "$0")/lib.sh"
need jq
work=$E2E_WORK/faults
[ -d "$work/small" ] && umount "$work/small" 2>/dev/null || true
rm -rf "$work" && mkdir -p "$work/out"
head -c 400M /dev/urandom > "$work/big.bin"   # incompressible: compressing takes a while
spec() { # name source
  cat > "$work/$1.json" <<SPEC
{"version":1,"image":"f","tags":["f:$1"],"config":{},"runtime_dependencies":{"mode":"none","libraries":[]},
 "layers":[{"created_by":"files","files":[{"source":"$2","destination":"/"}],"directories":[],"symlinks":[]}]}
SPEC
}
# Every blob of a tarball matches its digest (inspect checks them) and every
# layer its diff_id.
verify() {
  local tar=$1 json i
  json=$("$OCIPACK" inspect --json "$tar")
  for i in $(seq 0 $(($(jq '.[0].layers | length' <<<"$json") - 1))); do
    local digest diff_id
    digest=$(jq -r ".[0].layers[$i].digest" <<<"$json")
    diff_id=$(jq -r ".[0].layers[$i].diff_id" <<<"$json")
    [ "sha256:$(tar -xOf "$tar" "blobs/sha256/${digest#sha256:}" | gzip -dc | sha256sum | cut -d' ' -f1)" = "$diff_id" ] ||
      fail "$tar: layer $digest does not match its diff_id"
  done
}
spec big "$work/big.bin"

# A full disk: a 64 MiB file system for a 400 MiB layer.
if mount -t tmpfs -o size=64m tmpfs "$work/out" 2>/dev/null; then
  rc=0
  err=$("$OCIPACK" build --spec "$work/big.json" --output "$work/out/image.tar" 2>&1) || rc=$?
  [ "$rc" -ne 0 ] || fail "disk full: the build succeeded"
  grep -q "No space left on device" <<<"$err" || fail "disk full: $err"
  [ -z "$(ls -A "$work/out")" ] || fail "disk full: left $(ls -A "$work/out")"
  [ "$(df --output=used -k "$work/out" | tail -1 | tr -d ' ')" -lt 1024 ] || fail "disk full: space still used (an open unnamed file?)"
  umount "$work/out"
  echo "ok: disk full -> $err"
else
  [ "$(id -u)" -ne 0 ] || fail "cannot mount a tmpfs as root"
  missing "mounting a small tmpfs needs root"
fi

# A killed build: SIGTERM, SIGINT and SIGKILL mid-write leave the previous
# tarball as it was and no temporary file.
spec small "$OCIPACK_SOURCE_DIR/README.md"
"$OCIPACK" build --spec "$work/small.json" --output "$work/out/image.tar"
before=$(sha256sum < "$work/out/image.tar")
for signal in TERM INT KILL; do
  # (a background job of a script ignores SIGINT unless told otherwise)
  env --default-signal=INT "$OCIPACK" build --spec "$work/big.json" --output "$work/out/image.tar" 2>/dev/null &
  pid=$!
  sleep 0.5
  kill -"$signal" "$pid"
  rc=0
  wait "$pid" || rc=$?
  [ "$rc" -ne 0 ] || fail "SIG$signal: the build was not interrupted (make big.bin bigger)"
  expect_eq "SIG$signal: the previous tarball is untouched" "$(sha256sum < "$work/out/image.tar")" "$before"
  expect_eq "SIG$signal: files in the output directory" "$(ls -A "$work/out")" image.tar
done

# An input that changes while it is read: truncated mid-read. Either a
# clear error, or (if the read won the race) a tarball whose digests hold.
cp "$work/big.bin" "$work/changing.bin"
spec changing "$work/changing.bin"
rm -f "$work/out/image.tar"
rc=0
( sleep 0.3; truncate -s 100M "$work/changing.bin" ) &
err=$("$OCIPACK" build --spec "$work/changing.json" --output "$work/out/image.tar" 2>&1) || rc=$?
wait
if [ "$rc" -ne 0 ]; then
  grep -q "$work/changing.bin changed size while being read" <<<"$err" || fail "changing input: $err"
  [ -z "$(ls -A "$work/out")" ] || fail "changing input: left $(ls -A "$work/out")"
  echo "ok: changing input -> $err"
else
  verify "$work/out/image.tar"
  echo "ok: changing input: the read finished first and the tarball is consistent"
fi

# The same build twice at once, with one layer cache: both succeed and the
# result is the tarball a lone build writes.
spec twice "$OCIPACK_SOURCE_DIR/tests"
rm -rf "$work/out"/* "$work/cache"
"$OCIPACK" build --spec "$work/twice.json" --output "$work/out/a.tar" --cache-dir "$work/cache" &
"$OCIPACK" build --spec "$work/twice.json" --output "$work/out/a.tar" --cache-dir "$work/cache" &
wait %1 || fail "first concurrent build failed"
wait %2 || fail "second concurrent build failed"
"$OCIPACK" build --spec "$work/twice.json" --output "$work/out/lone.tar"
cmp "$work/out/a.tar" "$work/out/lone.tar" || fail "concurrent builds gave another tarball"
verify "$work/out/a.tar"
expect_eq "files after concurrent builds" "$(ls -A "$work/out" | tr '\n' ' ')" "a.tar lone.tar "
rm -f "$work/big.bin" "$work/changing.bin"
