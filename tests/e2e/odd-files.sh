#!/usr/bin/env bash
# Odd but valid input round-trips: file names longer than 100 and 255
# bytes, non-ASCII and non-UTF-8 names, empty files, symlinks, hard links,
# and a file larger than 8 GiB (sparse on disk).
source "$(dirname "$0")/lib.sh"
need umoci
need jq
work=$E2E_WORK/odd-files
rm -rf "$work" && mkdir -p "$work/in" "$work/out"
in=$work/in
long=$(printf 'L%.0s' $(seq 200))
mkdir -p "$in/$long/$long"
echo deep > "$in/$long/$long/file-$(printf 'n%.0s' $(seq 120)).txt"   # a path of 500+ bytes
echo "not utf-8" > "$in/$(printf 'bad-\xff\xfe-name')"
echo "utf-8" > "$in/héllo-ünïcode-文字.txt"
: > "$in/empty"
ln "$in/empty" "$in/hard-link"
ln -s héllo-ünïcode-文字.txt "$in/sym-link"
mkdir "$in/empty-dir"

spec() { # name source [extra]
  cat > "$work/$1.json" <<SPEC
{"version":1,"image":"odd","tags":["ocipack-test/odd:$1"],"config":{},"runtime_dependencies":{"mode":"none","libraries":[]},
 "layers":[{"created_by":"files","files":[{"source":"$2","destination":"/data"}],"directories":[],"symlinks":[]}]}
SPEC
}
spec names "$in/"
"$OCIPACK" build --spec "$work/names.json" --output "$work/out/names.tar"
"$OCIPACK" inspect --json "$work/out/names.tar" > "$work/names.inspect.json"

mkdir -p "$work/layout" && tar -xf "$work/out/names.tar" -C "$work/layout"
umoci unpack --rootless --image "$work/layout:names" "$work/bundle" >/dev/null
diff -r --no-dereference "$in" "$work/bundle/rootfs/data" || fail "umoci's unpacked tree differs from the input"
echo "ok: umoci unpack gives back every name and byte"

if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  docker_load "$work/out/names.tar" >/dev/null
  id=$(docker create ocipack-test/odd:names /none)
  on_exit docker rm -f "$id"
  mkdir -p "$work/exported"
  docker export "$id" | tar -x -C "$work/exported"
  docker rm "$id" >/dev/null && docker rmi ocipack-test/odd:names >/dev/null
  diff -r --no-dereference "$in" "$work/exported/data" || fail "docker's container tree differs from the input"
  echo "ok: docker load + export gives back every name and byte"
else
  [ "${CI:-}" != true ] || fail "no Docker daemon answers (required when CI=true)"
fi

# Larger than 8 GiB: past the ustar size field, so a pax size record.
truncate -s 9G "$work/big.bin"
printf 'end' | dd of="$work/big.bin" bs=1 seek=$((9 * 1024 * 1024 * 1024 - 3)) conv=notrunc status=none
spec big "$work/big.bin"
"$OCIPACK" build --spec "$work/big.json" --output "$work/out/big.tar"
layer=$(tar -xOf "$work/out/big.tar" manifest.json | jq -r '.[0].Layers[0]')
# One pass through an independent reader (gzip + GNU tar): the listing
# and the file's last bytes.
tail=$(tar -xOf "$work/out/big.tar" "$layer" | gzip -dc |
  tee >(tar -tvf - --numeric-owner > "$work/big.listing") | tar -xOf - data/big.bin | tail -c 3)
sleep 1  # the listing's tar finishes after the pipeline
cat "$work/big.listing"
grep -q " 9663676416 .* data/big.bin$" "$work/big.listing" || fail "the 9 GiB file is not in the layer with its size"
expect_eq "last bytes of the 9 GiB file" "$tail" end
