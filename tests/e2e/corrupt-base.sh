#!/usr/bin/env bash
# Corrupted or lying base images are refused with an error naming the
# blob, and leave no tarball: a flipped byte, a missing blob, a size that
# lies, a wrong diff_id.
source "$(dirname "$0")/lib.sh"
need jq
base=$E2E_WORK/busybox
[ -d "$base/busybox-layout" ] || fail "the busybox base fixture is missing"
work=$E2E_WORK/corrupt-base
rm -rf "$work" && mkdir -p "$work/out"
echo "payload" > "$work/payload.txt"

try_base() { # name base-path expected-regex
  local spec=$work/$1.json out=$work/out/$1.tar err rc=0
  cat > "$spec" <<SPEC
{"version":1,"image":"c","tags":["c:1"],"config":{},"base":{"path":"$2"},
 "runtime_dependencies":{"mode":"none","libraries":[]},
 "layers":[{"created_by":"files","files":[{"source":"$work/payload.txt","destination":"/"}],"directories":[],"symlinks":[]}]}
SPEC
  err=$("$OCIPACK" build --spec "$spec" --output "$out" 2>&1) || rc=$?
  [ "$rc" -ne 0 ] || fail "$1: the build succeeded"
  grep -Eq "$3" <<<"$err" || fail "$1: expected /$3/, got: $err"
  [ -z "$(ls -A "$work/out")" ] || fail "$1: left $(ls -A "$work/out")"
  echo "ok: $1: $err"
}

# The intact layout builds (the corruptions below are what fails).
cp -a "$base/busybox-layout" "$work/good"
try_base_ok() {
  cat > "$work/ok.json" <<SPEC
{"version":1,"image":"c","tags":["c:1"],"config":{},"base":{"path":"$work/good"},
 "runtime_dependencies":{"mode":"none","libraries":[]},
 "layers":[{"created_by":"files","files":[{"source":"$work/payload.txt","destination":"/"}],"directories":[],"symlinks":[]}]}
SPEC
  "$OCIPACK" build --spec "$work/ok.json" --output "$work/ok.tar"
  rm -f "$work/ok.tar"
}
try_base_ok

manifest=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$work/good/index.json")
layer=$(jq -r '.layers[0].digest | sub("sha256:"; "")' "$work/good/blobs/sha256/$manifest")

cp -a "$work/good" "$work/flipped"
printf '\xff' | dd of="$work/flipped/blobs/sha256/$layer" bs=1 seek=100 conv=notrunc status=none
try_base flipped-byte "$work/flipped" "layer blob sha256:$layer does not match its digest"

cp -a "$work/good" "$work/missing"
rm "$work/missing/blobs/sha256/$layer"
try_base missing-blob "$work/missing" "missing layer blob sha256:$layer"

cp -a "$work/good" "$work/lying"
jq '.manifests[0].size += 1' "$work/good/index.json" > "$work/lying/index.json"
try_base lying-size "$work/lying" "manifest blob sha256:$manifest has [0-9]+ bytes, its descriptor says [0-9]+"

try_base not-an-image "$work/payload.txt" "payload.txt: is not an image: not a tar archive"
try_base no-such-base "$work/nope.tar" "base image $work/nope.tar: cannot open"

# docker save (20.10) with a config whose diff_id is wrong, renamed to its
# new digest so that only the diff_id is wrong.
mkdir -p "$work/legacy" && tar -xf "$base/busybox-legacy.tar" -C "$work/legacy"
config=$(jq -r '.[0].Config' "$work/legacy/manifest.json")
jq '.rootfs.diff_ids[0] = "sha256:0000000000000000000000000000000000000000000000000000000000000000"' \
  "$work/legacy/$config" > "$work/config.json"
new=$(sha256sum < "$work/config.json" | cut -d' ' -f1).json
rm "$work/legacy/$config" && mv "$work/config.json" "$work/legacy/$new"
jq --arg c "$new" '.[0].Config = $c' "$work/legacy/manifest.json" > "$work/m.json" && mv "$work/m.json" "$work/legacy/manifest.json"
tar -cf "$work/wrong-diff-id.tar" -C "$work/legacy" .
try_base wrong-diff-id "$work/wrong-diff-id.tar" \
  "layer 1 \(sha256:[0-9a-f]{64}\) uncompresses to sha256:[0-9a-f]{64}, but the config's diff_id is sha256:0{64}"
