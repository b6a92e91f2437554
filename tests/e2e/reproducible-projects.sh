#!/usr/bin/env bash
# Every sample project under tests/projects, built in Release in two build
# directories of different depth and name length: every image tarball is
# byte-identical. (build-errors is left out: its images fail on purpose.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry.sh"
need skopeo
unset SOURCE_DATE_EPOCH
work=$E2E_WORK/reproducible-projects
rm -rf "$work" && mkdir -p "$work"
base=$E2E_WORK/busybox  # made by the busybox fixture (make-busybox-base.sh)
# The pulled project's base, from a registry of this test's own.
start_registry bases
skopeo copy -q --dest-tls-verify=false "oci-archive:$base/busybox-oci.tar:1" "docker://$REGISTRY_BASES/base/busybox:1"
pulled_base=$("$OCIPACK" resolve "docker://$REGISTRY_BASES/base/busybox:1")
export OCIPACK_CACHE_DIR=$work/cache

compared=0
for src in "$OCIPACK_SOURCE_DIR"/tests/projects/*/; do
  project=$(basename "$src")
  [ "$project" = build-errors ] && continue
  cp -a "$src" "$work/$project"
  a=$work/$project-build
  b=$work/x/$project/build-release-long-name
  for dir in "$a" "$b"; do
    mkdir -p "$(dirname "$dir")"
    build_project "$work/$project" "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$PREFIX" \
      -DBASE_DIR="$base" -DPULLED_BASE="$pulled_base" >"$dir.log" 2>&1 || { cat "$dir.log"; fail "$project does not build in $dir"; }
  done
  tarballs=$(cd "$a" && find . -name '*.tar' -not -path '*/ocipack/*' | sort)
  [ -n "$tarballs" ] || fail "$project built no image"
  expect_eq "$project: images in both build directories" "$(cd "$b" && find . -name '*.tar' -not -path '*/ocipack/*' | sort)" "$tarballs"
  for tarball in $tarballs; do
    cmp "$a/$tarball" "$b/$tarball" || fail "$project: $tarball differs between $a and $b"
    echo "ok: $project/${tarball#./} identical ($(sha256sum <"$a/$tarball" | cut -c1-16)...)"
    compared=$((compared + 1))
  done
done
echo "ok: $compared images identical across build directories"
registry_stop_all
assert_registries_gone
