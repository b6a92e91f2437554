#!/usr/bin/env bash
# Same project, two build directories, different times, a different umask
# and touched sources: byte-identical tarballs. SOURCE_DATE_EPOCH moves
# `created` and every mtime.
source "$(dirname "$0")/lib.sh"
need jq
unset SOURCE_DATE_EPOCH
work=$E2E_WORK/reproducible
rm -rf "$work" && mkdir -p "$work"
cp -a "$OCIPACK_SOURCE_DIR/tests/projects/basic" "$work/src"

(umask 022 && build_project "$work/src" "$work/a" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null)
sleep 2
find "$work/src" -exec touch {} +
(umask 077 && build_project "$work/src" "$work/b" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null)

for image in plain-image full-image uncompressed-image; do
  cmp "$work/a/$image.tar" "$work/b/$image.tar" || fail "$image.tar differs between two builds"
  echo "ok: $image.tar identical ($(sha256sum < "$work/a/$image.tar" | cut -c1-16)...)"
done

(export SOURCE_DATE_EPOCH=1700000000 && build_project "$work/src" "$work/c" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null)
json=$("$OCIPACK" inspect --json "$work/c/full-image.tar")
expect_eq "created from SOURCE_DATE_EPOCH" "$(jq -r '.[0].config.created' <<<"$json")" 2023-11-14T22:13:20Z
expect_eq "history created" "$(jq -r '[.[0].config.history[].created] | unique | join(",")' <<<"$json")" 2023-11-14T22:13:20Z
expect_eq "file mtimes" "$(jq -r '[.[0].layers[].files[].mtime] | unique | join(",")' <<<"$json")" 1700000000
expect_eq "tarball mtimes" "$(tar -tvf "$work/c/full-image.tar" --numeric-owner --full-time | awk '{print $4 "T" $5}' | sort -u)" "2023-11-14T22:13:20"
cmp -s "$work/a/full-image.tar" "$work/c/full-image.tar" && fail "SOURCE_DATE_EPOCH did not change the tarball"
echo "ok: reproducible"
