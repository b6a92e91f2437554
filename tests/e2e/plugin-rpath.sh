#!/usr/bin/env bash
# A program, a project SHARED library and a MODULE plugin with its own SHARED
# library, built in Release in two build directories of different depth and
# name length: byte-identical tarballs, and no build directory path in any
# of their bytes (CMake's build-tree RPATH, the origins annotation).
source "$(dirname "$0")/lib.sh"
unset SOURCE_DATE_EPOCH
work=$E2E_WORK/plugin-rpath
rm -rf "$work" && mkdir -p "$work"
cp -a "$OCIPACK_SOURCE_DIR/tests/projects/plugin-rpath" "$work/src"

a=$work/build
b=$work/x/build-release-long-name
for dir in "$a" "$b"; do
  build_project "$work/src" "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
done

# ocipack made the build-tree RUNPATHs relative to $ORIGIN, except where
# the project set BUILD_RPATH_USE_ORIGIN itself.
need readelf
runpath() { readelf -d "$1" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]$/\1/p'; }
expect_eq "RUNPATH of demo" "$(runpath "$a/bin/demo")" '$ORIGIN/../lib'
expect_eq "RUNPATH of the plugin" "$(runpath "$a/lib/libplugin.so")" '$ORIGIN'
expect_eq "RUNPATH of own-rpath (BUILD_RPATH_USE_ORIGIN OFF)" "$(runpath "$a/bin/own-rpath")" "$a/lib"

# No build directory path anywhere: the outer tarball's JSON (config,
# manifest, index) and every file of every layer.
leaks() { # tarball -> how many files name $work
  local out=$work/extract-$(basename "$(dirname "$1")")
  rm -rf "$out" && mkdir -p "$out/outer" "$out/layers"
  tar -xf "$1" -C "$out/outer"
  local blob
  for blob in "$out"/outer/blobs/sha256/*; do
    # Layers unpack (gzip or zstd, detected by tar); the JSON blobs do not.
    tar -xf "$blob" -C "$out/layers" 2>/dev/null || true
  done
  grep -rlF --binary-files=text "$work" "$out/outer" "$out/layers" | wc -l
}
for dir in "$a" "$b"; do
  expect_eq "files naming the build directory in $dir/demo-image.tar" "$(leaks "$dir/demo-image.tar")" 0
done

cmp "$a/demo-image.tar" "$b/demo-image.tar" || fail "demo-image.tar differs between $a and $b"

# A binary that names the build directory in its RUNPATH (the project set
# BUILD_RPATH_USE_ORIGIN OFF, as a prebuilt file would have it): the copy in
# the image loses that entry, in place; the source file keeps it.
cmake --build "$a" --target own-rpath-image >/dev/null
expect_eq "files naming the build directory in own-rpath-image.tar" "$(leaks "$a/own-rpath-image.tar")" 0
expect_eq "RUNPATH of own-rpath in the build tree, after the image" "$(runpath "$a/bin/own-rpath")" "$a/lib"
extracted=$work/extract-$(basename "$a")/layers/own-rpath
expect_eq "RUNPATH of own-rpath in the image" "$(runpath "$extracted")" ""
expect_eq "size of own-rpath in the image" "$(stat -c %s "$extracted")" "$(stat -c %s "$a/bin/own-rpath")"
echo "ok: demo-image.tar identical ($(sha256sum <"$a/demo-image.tar" | cut -c1-16)...)"
