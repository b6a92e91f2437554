#!/usr/bin/env bash
# A rebuild with nothing changed runs no ocipack step; a changed executable,
# added file or new file in an added directory repacks the images using it.
source "$(dirname "$0")/lib.sh"
need jq
E2E_GENERATOR=${1:-$E2E_GENERATOR}
case $E2E_GENERATOR in
  Ninja) need ninja ;;
  "Unix Makefiles") need make ;;
esac
work=$E2E_WORK/incremental-${E2E_GENERATOR// /-}
rm -rf "$work" && mkdir -p "$work"
cp -a "$OCIPACK_SOURCE_DIR/tests/projects/basic" "$work/src"
build_project "$work/src" "$work/build" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null

rebuild() { cmake --build "$work/build" 2>&1 | tee "$work/log"; }
packed() { grep -o "Packing container image [a-z-]*" "$work/log" | awk '{print $4}' | sort | tr '\n' ' '; }
digest() { sha256sum < "$work/build/$1.tar"; }

rebuild >/dev/null
expect_eq "images packed by a no-op rebuild" "$(packed)" ""

before=$(digest full-image)
sed -i 's/"uid="/"user id="/' "$work/src/probe.cpp"
rebuild >/dev/null
expect_eq "images packed after the executable changed" "$(packed)" "full-image plain-image uncompressed-image zstd-image "
[ "$(digest full-image)" != "$before" ] || fail "full-image.tar did not change with the executable"

echo "changed" >> "$work/src/assets/message.txt"
rebuild >/dev/null
expect_eq "images packed after an added file changed" "$(packed)" "full-image "

echo "new" > "$work/src/assets/new-file.txt"
rebuild >/dev/null
expect_eq "images packed after a file appeared in an added directory" "$(packed)" "full-image "
"$OCIPACK" inspect "$work/build/full-image.tar" | grep "/etc/basic/assets/new-file.txt" >/dev/null \
  || fail "new-file.txt is not in the image"

rebuild >/dev/null
expect_eq "images packed by a second no-op rebuild" "$(packed)" ""
