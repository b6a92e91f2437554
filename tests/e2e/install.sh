#!/usr/bin/env bash
# Fixture: installs the main build into $E2E_WORK/prefix, as a user would.
source "$(dirname "$0")/lib.sh"
rm -rf "$PREFIX"
cmake --install "$OCIPACK_BINARY_DIR" --prefix "$PREFIX"
test -x "$PREFIX/bin/ocipack" || fail "ocipack not installed"
ls "$PREFIX"/lib*/cmake/ocipack/ocipackConfig.cmake "$PREFIX"/lib*/cmake/ocipack/ocipackConfigVersion.cmake \
   "$PREFIX"/lib*/cmake/ocipack/Ocipack.cmake
"$PREFIX/bin/ocipack" --version | grep "^ocipack 1\." >/dev/null || fail "--version"
