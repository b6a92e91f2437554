#!/usr/bin/env bash
# The SBOM (issue 17), without any engine: the sample projects and examples
# built with ocipack, then every SBOM written validated against the SPDX 2.3
# and CycloneDX 1.6 schemas (tests/data/schemas, python3-jsonschema); each
# bundled library's package and version as dpkg-query says; every checksum
# as the file in the layer; the same bytes from two builds; the status.d
# files field by field as dpkg's own status; the base's packages; the cross
# example's *-cross packages; a damaged dpkg database: a note, and a build.
source "$(dirname "$0")/lib.sh"
need jq
need python3
need dpkg-query
need zstd
python3 -c 'import jsonschema' 2>/dev/null || missing "python3-jsonschema is not installed (tests/setup-machine.sh installs it)"
check() { python3 "$OCIPACK_SOURCE_DIR/tests/e2e/sbom-check.py" "$@"; }
schemas=$OCIPACK_SOURCE_DIR/tests/data/schemas
work=$E2E_WORK/sbom
rm -rf "$work" && mkdir -p "$work"

# ---- Every sample project and example: valid SBOMs that match their images ----
sboms=()
for project in basic dynamic broker plugin-rpath privdrop runtime-data tls-server; do
  build_project "$OCIPACK_SOURCE_DIR/tests/projects/$project" "$work/$project" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
done
for example in hello openssl-app tiny; do
  build_project "$OCIPACK_SOURCE_DIR/examples/$example" "$work/$example" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
done
while IFS= read -r sbom; do
  sboms+=("$sbom")
  tarball=${sbom%.spdx.json}.tar
  [ -f "$tarball" ] || fail "$sbom: no tarball $tarball beside it"
  check layers "$tarball" "$sbom"
  digest=$("$OCIPACK" inspect --json "$tarball" | jq -r '.[0].manifest.digest')
  expect_eq "$(basename "$sbom") names the manifest" "$(jq -r '.packages[0].versionInfo' "$sbom")" "$digest"
done < <(find "$work" -name '*.spdx.json' -not -path "$work/*/ocipack/*" | sort)
[ ${#sboms[@]} -ge 10 ] || fail "only ${#sboms[@]} SBOMs written"
check validate "$schemas" "${sboms[@]}"

# Bundled system libraries: named as dpkg names them; scanners' metadata too.
for image in dynamic/greet-image dynamic/curl-image openssl-app/digest-image; do
  [ -f "$work/$image.tar" ] || fail "no image $image"
  check packages "$work/$image.spdx.json"
  check status "$work/$image.tar"
done
# The dependency edges: the program needs its libraries.
jq -e '[.relationships[] | select(.relationshipType == "DEPENDS_ON")] | length > 0' \
  "$work/dynamic/greet-image.spdx.json" >/dev/null || fail "no DEPENDS_ON edges"
jq -e '.packages[] | select(.primaryPackagePurpose == "APPLICATION" and .name == "dynamic")' \
  "$work/dynamic/greet-image.spdx.json" >/dev/null || fail "the project is not a package"

# ---- The same spec built to another output: its SBOM beside it, the first one untouched ----
cp "$work/dynamic/greet-image.spdx.json" "$work/greet-before.spdx.json"
mkdir -p "$work/elsewhere"
"$OCIPACK" build --spec "$work/dynamic/ocipack/greet-image.spec.json" --output "$work/elsewhere/greet.tar" >/dev/null
[ -f "$work/elsewhere/greet.spdx.json" ] || fail "no SBOM beside another output"
cmp "$work/greet-before.spdx.json" "$work/dynamic/greet-image.spdx.json" || fail "a build to another output rewrote the first SBOM"
echo "ok: an SBOM beside each output"

# ---- Reproducible: another build directory, the same bytes ----
build_project "$OCIPACK_SOURCE_DIR/tests/projects/dynamic" "$work/dynamic-again" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
cmp "$work/dynamic/greet-image.spdx.json" "$work/dynamic-again/greet-image.spdx.json" \
  || fail "two builds gave different SBOMs"
echo "ok: two builds give the same SBOM bytes"

# ---- Both formats, PACKAGE_METADATA OFF, a base's packages, a damaged database ----
mkdir -p "$work/src" "$work/sysroot/lib64" "$work/sysroot/lib/x86_64-linux-gnu" "$work/sysroot/var/lib/dpkg/info"
cp -L /lib64/ld-linux-x86-64.so.2 "$work/sysroot/lib64/"
cp -L /lib/x86_64-linux-gnu/libc.so.6 "$work/sysroot/lib/x86_64-linux-gnu/"
printf 'Package: libc6\nStatus: install ok installed\nthis is not a field\n' >"$work/sysroot/var/lib/dpkg/status"
printf 'int main(void) { return 0; }\n' >"$work/src/main.c"
cat >"$work/src/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.20)
project(sbomtest VERSION 2.5 HOMEPAGE_URL https://example.org/sbomtest LANGUAGES C)
find_package(ocipack 1.0 CONFIG REQUIRED)
add_executable(prog main.c)
add_container_image(both TARGETS prog SBOM SPDX CYCLONEDX)
add_container_image(plain TARGETS prog PACKAGE_METADATA OFF)
add_container_image(none TARGETS prog SBOM NONE)
get_target_property(greet_tar greet-image CONTAINER_IMAGE_FILE)
add_container_image(on-base TARGETS prog BASE "$work/dynamic/greet-image.tar" DESTINATION /opt)
add_container_image(damaged TARGETS prog SYSROOT "$work/sysroot")
get_target_property(sboms both CONTAINER_IMAGE_SBOM)
message(STATUS "both: \${sboms}")
CMAKE
sed -i '/greet_tar/d' "$work/src/CMakeLists.txt"
build_project "$work/src" "$work/build" -DCMAKE_PREFIX_PATH="$PREFIX" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; fail "the SBOM project does not build"; }
grep -F -- "both: $work/build/both.spdx.json;$work/build/both.cdx.json" "$work/build.log" >/dev/null \
  || fail "CONTAINER_IMAGE_SBOM does not list both SBOMs"
check validate "$schemas" "$work/build/both.spdx.json" "$work/build/both.cdx.json" \
  "$work/build/on-base.spdx.json" "$work/build/damaged.spdx.json"
check layers "$work/build/both.tar" "$work/build/both.spdx.json"
expect_eq "CycloneDX project version" \
  "$(jq -r '.components[] | select(.type == "application") | .version' "$work/build/both.cdx.json")" 2.5
expect_eq "libc6 in CycloneDX" \
  "$(jq -r '.components[] | select(.name == "libc6") | .version' "$work/build/both.cdx.json")" \
  "$(dpkg-query -W -f '${Version}' libc6)"
[ ! -e "$work/build/none.spdx.json" ] || fail "SBOM NONE wrote an SBOM"
"$OCIPACK" inspect --json "$work/build/plain.tar" | jq -e '[.[0].layers[].files[].path | select(startswith("var/lib/dpkg"))] | length == 0' \
  >/dev/null || fail "PACKAGE_METADATA OFF still put status.d into the image"
# The base (an ocipack image with status.d) lists its packages.
jq -e '[.packages[] | select(.SPDXID | startswith("SPDXRef-BasePackage-deb-"))] | length > 0' \
  "$work/build/on-base.spdx.json" >/dev/null || fail "the base image's packages are not in the SBOM"
# /etc/os-release is the base's, never replaced.
"$OCIPACK" inspect --json "$work/build/on-base.tar" | jq -e '[.[0].layers[].files[].path | select(. == "etc/os-release")] | length == 1' \
  >/dev/null || fail "a second /etc/os-release over the base's"
# A damaged database: a note, the image, an SBOM without packages.
grep -F "no Debian packages named for the files of $work/sysroot" "$work/build.log" >/dev/null \
  || fail "no note about the damaged dpkg database"
jq -e '[.packages[] | select(.SPDXID | startswith("SPDXRef-Package-deb-"))] | length == 0' \
  "$work/build/damaged.spdx.json" >/dev/null || fail "packages from a damaged database"
"$OCIPACK" inspect "$work/build/both.tar" | grep -E '^ *libc6 ' >/dev/null || fail "inspect does not list libc6"
echo "ok: both formats, PACKAGE_METADATA OFF, SBOM NONE, a base's packages, a damaged database"

# ---- The cross example: its libraries are Debian's *-cross packages ----
if [ "${CI:-}" = "true" ] || command -v aarch64-linux-gnu-g++ >/dev/null 2>&1; then
  need aarch64-linux-gnu-g++
  build_project "$OCIPACK_SOURCE_DIR/examples/multi-arch" "$work/multi-arch" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
  arm=$work/multi-arch/arm64/hello-arch-image
  check validate "$schemas" "$arm.spdx.json"
  check layers "$arm.tar" "$arm.spdx.json"
  check packages "$arm.spdx.json" cross
  jq -e '.packages[] | select(.name == "libc6-arm64-cross")' "$arm.spdx.json" >/dev/null \
    || fail "libc6-arm64-cross is not named"
fi
echo "ok: sbom"
