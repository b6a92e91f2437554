#!/usr/bin/env bash
# Reads the layers of full-image.tar back and checks the rules of DESIGN.md:
# sorted, explicit parents, uid/gid 0, no user/group names, fixed modes and
# mtimes, symlinks kept; and the config/manifest fields that were asked for.
source "$(dirname "$0")/lib.sh"
need jq
json=$("$OCIPACK" inspect --json "$BUILD_INSTALLED/full-image.tar")
img() { jq -r "$1" <<<"$json"; }

expect_eq "layer count" "$(img '.[0].layers | length')" 2
expect_eq "layer 1 media type" "$(img '.[0].layers[0].mediaType')" application/vnd.oci.image.layer.v1.tar+gzip
expect_eq "layer 1 files" "$(img '[.[0].layers[0].files[] | "\(.type) \(.mode) \(.path) \(.link // "")"] | join("\n")')" \
"d 493 etc/ 
d 493 etc/basic/ 
d 493 etc/basic/assets/ 
d 493 etc/basic/assets/conf/ 
- 420 etc/basic/assets/conf/app.conf 
- 420 etc/basic/assets/message.txt 
l 511 etc/basic/assets/readme message.txt
- 493 etc/basic/assets/tool.sh 
d 493 srv/ 
d 493 srv/app/ 
d 493 srv/app/conf/ 
- 384 srv/app/conf/app.conf 
- 420 srv/app/probe.txt "
expect_eq "layer 2 files" "$(img '[.[0].layers[1].files[] | "\(.type) \(.mode) \(.path)"] | join(",")')" \
  "d 493 usr/,d 493 usr/local/,d 493 usr/local/bin/,- 493 usr/local/bin/probe"

for l in 0 1; do
  expect_eq "layer $l sorted bytewise" "$(img "[.[0].layers[$l].files[].path] == ([.[0].layers[$l].files[].path] | sort)")" true
  expect_eq "layer $l owners" "$(img "[.[0].layers[$l].files[] | select(.uid != 0 or .gid != 0 or .uname != \"\" or .gname != \"\")] | length")" 0
  expect_eq "layer $l mtimes" "$(img "[.[0].layers[$l].files[] | select(.mtime != 0)] | length")" 0
  # Every entry's parent directory is an explicit entry before it.
  expect_eq "layer $l parents" "$(img "[.[0].layers[$l].files[].path] as \$p | [\$p[] | rtrimstr(\"/\") | select(contains(\"/\")) | sub(\"/[^/]*$\"; \"/\") | select(. as \$d | \$p | index(\$d) | not)] | length")" 0
done

# Config: exactly what was asked, history one per layer, diff_ids in order.
expect_eq "platform" "$(img '.[0].config | "\(.os)/\(.architecture)"')" "linux/$(dpkg --print-architecture)"
expect_eq "created" "$(img '.[0].config.created')" 1970-01-01T00:00:00Z
expect_eq "history" "$(img '[.[0].config.history[].created_by] | join(",")')" \
  "ocipack: container_image_add_files,ocipack: add_container_image TARGETS probe"
expect_eq "diff_ids match layers" "$(img '[.[0].layers[].diff_id] == .[0].config.rootfs.diff_ids')" true
expect_eq "Entrypoint" "$(img '.[0].config.config.Entrypoint | tojson')" '["/usr/local/bin/probe","--greeting"]'
expect_eq "Cmd" "$(img '.[0].config.config.Cmd | tojson')" '["hello world","second"]'
expect_eq "Env" "$(img '.[0].config.config.Env | tojson')" \
  '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","APP_MODE=production","GREETING=hi there","EMPTY="]'
expect_eq "WorkingDir" "$(img '.[0].config.config.WorkingDir')" /srv/app
expect_eq "User" "$(img '.[0].config.config.User')" 1234:5678
expect_eq "ExposedPorts" "$(img '.[0].config.config.ExposedPorts | keys | join(",")')" "53/udp,8080/tcp"
expect_eq "Labels" "$(img '.[0].config.config.Labels | tojson')" '{"org.example.note":"two words","org.example.team":"core"}'
expect_eq "annotation from ANNOTATIONS" "$(img '.[0].annotations["org.opencontainers.image.version"]')" 1.2.3
# The project is built inside ocipack's source tree: in a git checkout its
# commit is recorded, in an export without .git nothing is.
expect_eq "annotation from git" "$(img '.[0].annotations["org.opencontainers.image.revision"] // "none"')" \
  "$(git -C "$OCIPACK_SOURCE_DIR" rev-parse HEAD 2>/dev/null || echo none)"
expect_eq "tags" "$(img '.[0].tags | join(",")')" "docker.io/ocipack-test/full:1.2.3,docker.io/ocipack-test/full:latest"
expect_eq "RepoTags" "$(img '.[0].repo_tags | join(",")')" "ocipack-test/full:1.2.3,ocipack-test/full:latest"

# Defaults: CMD is the first executable, tag <name>:latest, PATH only.
plain=$("$OCIPACK" inspect --json "$BUILD_INSTALLED/plain-image.tar")
expect_eq "default Cmd" "$(jq -c '.[0].config.config.Cmd' <<<"$plain")" '["/probe"]'
expect_eq "default Entrypoint" "$(jq -c '.[0].config.config.Entrypoint' <<<"$plain")" null
expect_eq "default tag" "$(jq -r '.[0].tags | join(",")' <<<"$plain")" docker.io/library/plain-image:latest
expect_eq "default Env" "$(jq -c '.[0].config.config.Env' <<<"$plain")" '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]'
expect_eq "no WorkingDir/User" "$(jq -c '[.[0].config.config.WorkingDir, .[0].config.config.User]' <<<"$plain")" '[null,null]'

# COMPRESSION none: an uncompressed layer whose digest is its diff_id.
none=$("$OCIPACK" inspect --json "$BUILD_INSTALLED/uncompressed-image.tar")
expect_eq "none media type" "$(jq -r '.[0].layers[0].mediaType' <<<"$none")" application/vnd.oci.image.layer.v1.tar
expect_eq "none digest = diff_id" "$(jq -r '.[0].layers[0].digest == .[0].layers[0].diff_id' <<<"$none")" true

# The outer tarball: explicit directories, then the blobs in a fixed order
# (layers from the bottom, config, manifest), then the documents;
# root-owned, mtime 0.
expect_eq "tarball entries" "$(tar -tf "$BUILD_INSTALLED/plain-image.tar" | sed 's/[0-9a-f]\{64\}/H/' | tr '\n' ' ')" \
  "blobs/ blobs/sha256/ blobs/sha256/H blobs/sha256/H blobs/sha256/H index.json manifest.json oci-layout "
expect_eq "tarball blob order" "$(tar -tf "$BUILD_INSTALLED/plain-image.tar" | sed -n 's|^blobs/sha256/\(.\)|sha256:\1|p' | tr '\n' ' ')" \
  "$(jq -r '.[0] | [.layers[].digest, .config_descriptor.digest, .manifest.digest] | join(" ")' <<<"$plain") "
expect_eq "tarball owners and times" "$(tar -tvf "$BUILD_INSTALLED/plain-image.tar" --numeric-owner | awk '{print $2, $4, $5}' | sort -u | tr '\n' ' ')" \
  "0/0 1970-01-01 00:00 "
expect_eq "oci-layout" "$(tar -xOf "$BUILD_INSTALLED/plain-image.tar" oci-layout)" '{"imageLayoutVersion":"1.0.0"}'

# COMPRESSION_LEVEL (compression_level in the spec): the same tar, other
# gzip bytes; level 1 larger than the default, 12 smaller; all valid gzip.
spec="$BUILD_INSTALLED/ocipack/plain-image.spec.json"
[ -f "$spec" ] || fail "no spec at $spec"
levels="$E2E_WORK/levels"
rm -rf "$levels"; mkdir -p "$levels"
for level in 1 12; do
  jq --argjson l "$level" '. + {compression_level: $l}' "$spec" >"$levels/$level.json"
  "$OCIPACK" build --spec "$levels/$level.json" --output "$levels/$level.tar" >/dev/null
done
plain_layer=$(jq -c '.[0].layers[-1] | {digest, diff_id, size}' <<<"$plain")
for level in 1 12; do
  l=$("$OCIPACK" inspect --json "$levels/$level.tar" | jq -c '.[0].layers[-1] | {digest, diff_id, size}')
  expect_eq "level $level: same diff_id" "$(jq -r .diff_id <<<"$l")" "$(jq -r .diff_id <<<"$plain_layer")"
  [ "$(jq -r .digest <<<"$l")" != "$(jq -r .digest <<<"$plain_layer")" ] || fail "level $level: same bytes as the default level"
  tar -xOf "$levels/$level.tar" "blobs/sha256/$(jq -r '.digest | sub("sha256:"; "")' <<<"$l")" | gzip -t ||
    fail "level $level: not a valid gzip stream"
  eval "size_$level=$(jq -r .size <<<"$l")"
done
default_size=$(jq -r .size <<<"$plain_layer")
[ "$size_1" -gt "$default_size" ] || fail "level 1 ($size_1 bytes) is not larger than the default ($default_size)"
[ "$size_12" -lt "$default_size" ] || fail "level 12 ($size_12 bytes) is not smaller than the default ($default_size)"
