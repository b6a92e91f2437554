#!/usr/bin/env bash
# Build-time errors name the file, fail the build and leave no tarball (and
# no temporary file) behind; fixing the input makes the next build pass.
source "$(dirname "$0")/lib.sh"
work=$E2E_WORK/build-errors
rm -rf "$work" && mkdir -p "$work"
project=$OCIPACK_SOURCE_DIR/tests/projects/build-errors

expect_build_failure() { # name regex
  local bin=$work/$1
  cmake -S "$project" -B "$bin" -G "$E2E_GENERATOR" -DCMAKE_PREFIX_PATH="$PREFIX" \
    -DCASE="$1" -DOCIPACK_TOOL="$PREFIX/bin/ocipack" >/dev/null
  if cmake --build "$bin" >"$bin/log" 2>&1; then
    cat "$bin/log"
    fail "$1: the build succeeded"
  fi
  cat "$bin/log"
  grep -Eq "$2" "$bin/log" || fail "$1: no error matching /$2/"
  test ! -e "$bin/broken-image.tar" || fail "$1: a tarball was left behind"
  leftovers=$(find "$bin" -maxdepth 1 -name '.broken-image.tar.*')
  [ -z "$leftovers" ] || fail "$1: temporary files left behind: $leftovers"
  echo "ok: $1 fails the build"
}

# The added file is a dependency of the image, so the build tool itself stops
# first, naming it (ninja: "'...later.txt', needed by ..., missing"; make:
# "No rule to make target '...later.txt'").
expect_build_failure missing-file "later.txt.*(missing|needed by)|No rule to make target.*later.txt"
echo "now it exists" > "$work/missing-file/later.txt"
cmake --build "$work/missing-file" || fail "the build still fails once the file exists"
test -s "$work/missing-file/broken-image.tar" || fail "no tarball after the fix"
echo "ok: fixed input builds"

expect_build_failure not-elf "ocipack: error: .*script.sh: not an ELF file"

expect_build_failure missing-library "ocipack: error: runtime dependencies: /asker \\(.*\\) needs libanswer.so, which is not found"
expect_build_failure missing-cmd 'ocipack: error: CMD program "/bin/sh" is not in the image'
# USER names must be in the image: Docker would fail only at `docker run`
# ("unable to find user nonroot: no matching entries in passwd file").
expect_build_failure no-passwd 'ocipack: error: USER "nonroot": the image has no /etc/passwd to find nonroot in; add it with container_image_add_user\(broken-image nonroot\)'
expect_build_failure unknown-user "ocipack: error: USER \"app\": app is not in the image's /etc/passwd; add it with container_image_add_user\(broken-image app\)"
expect_build_failure unknown-group "ocipack: error: USER \"nonroot:staff\": group staff is not in the image's /etc/group"
