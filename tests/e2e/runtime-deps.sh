#!/usr/bin/env bash
# Dynamically linked programs run FROM scratch: the project's own SHARED
# library (found through the build tree's RUNPATH) and an IMPORTED system
# program with a large closure (curl); the libraries layer stays the same
# when only the program changes.
source "$(dirname "$0")/lib.sh"
need jq
need_docker
triplet=$(gcc -print-multiarch)
work=$E2E_WORK/runtime-deps
rm -rf "$work" && mkdir -p "$work"
cp -a "$OCIPACK_SOURCE_DIR/tests/projects/dynamic" "$work/src"
build_project "$work/src" "$work/build" -DCMAKE_PREFIX_PATH="$PREFIX"
cleanup() { docker rmi -f greet-image:latest curl-image:latest >/dev/null 2>&1 || true; }
cleanup
on_exit cleanup

json=$("$OCIPACK" inspect --json "$work/build/greet-image.tar")
# The system's libraries, then the project's own (libgreet), then the program.
expect_eq "layers" "$(jq -r '[.[0].layers[].created_by] | join(",")' <<<"$json")" \
  "ocipack: runtime dependencies,ocipack: project libraries,ocipack: add_container_image TARGETS hello-dyn"
libs() { jq -r '.[0].layers[0,1].files[] | "\(.type) /\(.path)\(if .link then " -> " + .link else "" end)"' <<<"$json"; }
project_libs=$(jq -r '[.[0].layers[1].files[] | select(.type != "d") | .path | split("/") | last] | join(" ")' <<<"$json")
expect_eq "the project libraries layer" "$project_libs" "libgreet.so.1 libgreet.so.1.2.3"
libs
libs | grep -E "^l /(usr/)?lib/$triplet/libgreet.so.1 -> libgreet.so.1.2.3$" >/dev/null || fail "libgreet.so.1 symlink missing"
libs | grep -E "^- /(usr/)?lib/$triplet/libgreet.so.1.2.3$" >/dev/null || fail "libgreet.so.1.2.3 missing"
libs | grep -E "^- /(usr/)?lib/$triplet/libstdc\+\+.so.6" >/dev/null || fail "libstdc++ missing"
libs | grep -E "^- /(usr/)?lib/$triplet/libnss_dns.so.2$" >/dev/null || fail "RUNTIME_LIBRARIES libnss_dns.so.2 missing"
interp=$(readelf -l "$work/build/hello-dyn" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
libs | grep "^- .*/$(basename "$interp")$" >/dev/null || fail "interpreter $interp missing"
origin=$(jq -r '.[0].layers[1].files[] | select(.path | endswith("libgreet.so.1.2.3")) | .origin' <<<"$json")
echo "origin: $origin"
# A build output is named relative to the build tree, never by its absolute path.
grep -q "^libgreet.so.1.2.3 (needed by /hello-dyn, found in RUNPATH" <<<"$origin" || fail "origin of libgreet"
case $origin in *"$work"*) fail "the origin names the build directory: $origin" ;; esac
expect_eq "no LD_LIBRARY_PATH" "$(jq -r '.[0].config.config.Env | map(select(startswith("LD_"))) | length' <<<"$json")" 0

docker_load "$work/build/greet-image.tar"
expect_eq "greet-image output" "$(docker run --rm greet-image:latest)" "greeting from libgreet.so.1.2.3 (version A)"

# The closure is reproducible: another build directory, same libraries layer.
build_project "$work/src" "$work/build2" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
for image in greet-image curl-image; do
  expect_eq "$image libraries layer in a second build" \
    "$("$OCIPACK" inspect --json "$work/build2/$image.tar" | jq -r '.[0].layers[0].digest')" \
    "$("$OCIPACK" inspect --json "$work/build/$image.tar" | jq -r '.[0].layers[0].digest')"
done

# Changing the program changes only the program's layer, and only that
# layer is written again: the others come from the layer cache untouched.
digests() { "$OCIPACK" inspect --json "$work/build/greet-image.tar" | jq -r '[.[0].layers[].digest] | join(" ")'; }
layer() { cut -d' ' -f"$1" <<<"$2"; }
before=$(digests)
cache=$work/build/ocipack/greet-image.layers
blobs() { (cd "$cache" && stat -c '%n %i %Y' *.blob | sort); }
blobs_before=$(blobs)
expect_eq "cached layers" "$(wc -l <<<"$blobs_before")" 3
sed -i 's/version A/version B/' "$work/src/main.cpp"
cmake --build "$work/build" | tee "$work/rebuild.log"
grep -q "greet-image.tar: 3 layer(s) of ours, 2 reused from the cache, 1 written" "$work/rebuild.log" \
  || fail "the rebuild did not report 2 reused and 1 written layers"
blobs_after=$(blobs)
expect_eq "layer blobs kept untouched" "$(comm -12 <(echo "$blobs_before") <(echo "$blobs_after") | wc -l)" 2
expect_eq "layer blobs written" "$(comm -13 <(echo "$blobs_before") <(echo "$blobs_after") | wc -l)" 1
expect_eq "stale layer blobs pruned" "$(ls "$cache"/*.blob | wc -l)" 3
after=$(digests)
expect_eq "system libraries layer after a program change" "$(layer 1 "$after")" "$(layer 1 "$before")"
expect_eq "project libraries layer after a program change" "$(layer 2 "$after")" "$(layer 2 "$before")"
[ "$(layer 3 "$after")" != "$(layer 3 "$before")" ] || fail "the program layer did not change"
docker_load "$work/build/greet-image.tar"
expect_eq "rebuilt output" "$(docker run --rm greet-image:latest)" "greeting from libgreet.so.1.2.3 (version B)"

# Changing the project's library rewrites its own layer only: the system's
# libraries keep their layer (and the program, unchanged, its own).
before=$after
sed -i 's/greeting from/a greeting from/' "$work/src/greet.cpp"
cmake --build "$work/build" | tee "$work/rebuild2.log"
# (The build tool relinks the program against the new library: the same
# bytes, so its layer is written again with the same digest.)
after=$(digests)
expect_eq "system libraries layer after a library change" "$(layer 1 "$after")" "$(layer 1 "$before")"
[ "$(layer 2 "$after")" != "$(layer 2 "$before")" ] || fail "the project libraries layer did not change"
expect_eq "program layer after a library change" "$(layer 3 "$after")" "$(layer 3 "$before")"
docker_load "$work/build/greet-image.tar"
expect_eq "output after the library change" "$(docker run --rm greet-image:latest)" \
  "a greeting from libgreet.so.1.2.3 (version B)"

# A system program with a large closure, as an IMPORTED target.
count=$("$OCIPACK" inspect --json "$work/build/curl-image.tar" | jq '[.[0].layers[0].files[] | select(.type == "-")] | length')
echo "curl-image: $count library files"
[ "$count" -ge 20 ] || fail "curl's closure has only $count files"
docker_load "$work/build/curl-image.tar"
out=$(docker run --rm curl-image:latest)
echo "$out" | head -3
grep -q "^curl [0-9]" <<<"$out" || fail "curl did not run"
grep -q "OpenSSL" <<<"$out" || fail "curl does not report its TLS library"
