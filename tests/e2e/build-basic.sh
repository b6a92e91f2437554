#!/usr/bin/env bash
# Fixture: builds tests/projects/basic, either through the installed package
# (find_package) or through add_subdirectory() of the source tree.
source "$(dirname "$0")/lib.sh"
mode=$1
project=$OCIPACK_SOURCE_DIR/tests/projects/basic
case $mode in
  installed)
    bin=$BUILD_INSTALLED
    rm -rf "$bin"
    build_project "$project" "$bin" -DCMAKE_PREFIX_PATH="$PREFIX" | tee "$E2E_WORK/configure-installed.log"
    ;;
  subdir)
    bin=$BUILD_SUBDIR
    rm -rf "$bin"
    build_project "$project" "$bin" -DOCIPACK_SOURCE_DIR="$OCIPACK_SOURCE_DIR"
    ;;
  *) fail "usage: build-basic.sh installed|subdir" ;;
esac
for image in plain-image full-image uncompressed-image zstd-image; do
  test -s "$bin/$image.tar" || fail "$image.tar was not built by the default target"
  "$OCIPACK" inspect "$bin/$image.tar" >/dev/null
done
# EXCLUDE_FROM_ALL: not built by all; its own target builds it at OUTPUT.
test ! -e "$bin/images/lazy.tar" || fail "lazy-image was built by all despite EXCLUDE_FROM_ALL"
cmake --build "$bin" --target lazy-image
test -s "$bin/images/lazy.tar" || fail "lazy-image target did not write images/lazy.tar"
echo "ok: $mode build"
