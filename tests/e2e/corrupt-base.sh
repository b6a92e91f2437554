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

# A decompression bomb: a small xz stream that expands to 300 MiB of zeros,
# in a layout whose digests and sizes are all right.
need python3
cp -a "$work/good" "$work/bomb"
python3 -c "import lzma,sys; sys.stdout.buffer.write(lzma.compress(b'\0' * (300 << 20), preset=9))" > "$work/bomb.xz"
bomb=$(sha256sum < "$work/bomb.xz" | cut -d' ' -f1)
cp "$work/bomb.xz" "$work/bomb/blobs/sha256/$bomb"
jq --arg d "sha256:$bomb" --argjson s "$(stat -c %s "$work/bomb.xz")" '.layers[0].digest = $d | .layers[0].size = $s' \
  "$work/good/blobs/sha256/$manifest" > "$work/bomb-manifest.json"
new_manifest=$(sha256sum < "$work/bomb-manifest.json" | cut -d' ' -f1)
cp "$work/bomb-manifest.json" "$work/bomb/blobs/sha256/$new_manifest"
jq --arg d "sha256:$new_manifest" --argjson s "$(stat -c %s "$work/bomb-manifest.json")" \
  '.manifests[0].digest = $d | .manifests[0].size = $s' "$work/good/index.json" > "$work/bomb/index.json"
try_base decompression-bomb "$work/bomb" "decompresses to more than [0-9]+ bytes: refused as a decompression bomb"

# JSON nested past any real document.
cp -a "$work/good" "$work/deep"
python3 -c "print('{\"manifests\":' + '[' * 100000 + ']' * 100000 + '}')" > "$work/deep/index.json"
try_base deep-json "$work/deep" "index.json is nested more than 64 levels deep"

# The same entry twice in a tarball.
tar -cf "$work/twice.tar" -C "$work/good" .
tar -rf "$work/twice.tar" -C "$work/good" ./index.json
try_base duplicate-entry "$work/twice.tar" "has index.json twice"
err=$("$OCIPACK" inspect "$work/twice.tar" 2>&1) && fail "inspect accepted a duplicate entry"
grep -q "ocipack: error: $work/twice.tar: the tarball has index.json twice" <<<"$err" || fail "inspect: $err"
