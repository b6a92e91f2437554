#!/usr/bin/env bash
# A daemon that loads a plugin named in its configuration file with
# dlopen(), runs as its own user, and whose plugin has a library of its own:
# it runs first time under Docker, whether the plugin was placed with
# container_image_add_targets() or added as a file.
source "$(dirname "$0")/lib.sh"
need jq
need_docker
work=$E2E_WORK/broker
rm -rf "$work" && mkdir -p "$work"
cp -a "$OCIPACK_SOURCE_DIR/tests/projects/broker" "$work/src"
build_project "$work/src" "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$PREFIX" | tee "$work/build.log"
triplet=$(gcc -print-multiarch)
# The daemon calls dlopen(), and the image has the plugin: no note.
grep -q "ocipack: note" "$work/build.log" && fail "a dlopen note although the images have the plugin"

files() { "$OCIPACK" inspect --json "$1" | jq -r '.[0].layers[].files[] | "\(.type) /\(.path)"'; }
layers() { "$OCIPACK" inspect --json "$1" | jq -r '[.[0].layers[].created_by] | join(" | ")'; }

image=$work/build/broker-image.tar
echo "broker-image layers: $(layers "$image")"
files "$image" | grep -qx -- "- /usr/sbin/broker" || fail "the daemon is not at /usr/sbin/broker"
files "$image" | grep -qx -- "- /usr/lib/broker/libauth.so" || fail "the plugin is not at /usr/lib/broker/libauth.so"
files "$image" | grep -qx -- "- /etc/broker/broker.conf" || fail "RENAME: no /etc/broker/broker.conf"
files "$image" | grep -q -- "broker-default.conf" && fail "RENAME: the file kept its own name too"
# The plugin's own library, found through the plugin's RUNPATH.
files "$image" | grep -Eq -- "^- /(usr/)?lib/$triplet/libauthcore.so.1.0.0$" || fail "the plugin's libauthcore is missing"
passwd=$("$OCIPACK" inspect --json "$image" | jq -r '.[0].layers[].files[] | select(.path == "etc/passwd") | .path')
[ -n "$passwd" ] || fail "no /etc/passwd in the image"

docker_load "$image"
expect_eq "broker-image output" "$(docker run --rm broker-image:latest)" \
  "broker as broker (uid 1000, home /home/broker): /usr/lib/broker/libauth.so: password checks by authcore 1.0"

# The plugin added as a plain file: its DT_NEEDED libraries are resolved too.
image=$work/build/broker-files-image.tar
files "$image" | grep -Eq -- "^- /(usr/)?lib/$triplet/libauthcore.so.1.0.0$" \
  || fail "broker-files-image: the added plugin's libauthcore is missing"
docker_load "$image"
expect_eq "broker-files-image output" "$(docker run --rm broker-files-image:latest)" \
  "broker as broker (uid 1883, home /var/lib/broker): /usr/lib/broker/libauth.so: password checks by authcore 1.0"
echo "ok: broker"
