#!/usr/bin/env bash
# BASE in every format: a project binary on a busybox base made with
# Docker, run with a shell command that uses both; config inherited as
# FROM does; ocipack's own output as a base; SKELETON and friends.
source "$(dirname "$0")/lib.sh"
need jq
need_docker
base=$E2E_WORK/busybox
work=$E2E_WORK/based
rm -rf "$work"
build_project "$OCIPACK_SOURCE_DIR/tests/projects/based" "$work" -DCMAKE_PREFIX_PATH="$PREFIX" -DBASE_DIR="$base"
images=(legacy-image:latest oci-archive-image:latest layout-image:latest chained-image:latest skeleton-image:latest)
cleanup() { docker rmi -f "${images[@]}" >/dev/null 2>&1 || true; }
cleanup
on_exit cleanup

legacy_layer=$(tar -xOf "$base/busybox-legacy.tar" manifest.json | jq -r '.[0].Layers[0]')
base_layers=$(tar -xOf "$base/busybox-legacy.tar" manifest.json | jq -r '.[0].Layers | length')
base_digest=sha256:$(tar -xOf "$base/busybox-legacy.tar" "$legacy_layer" | sha256sum | cut -d' ' -f1)
for image in legacy-image oci-archive-image layout-image; do
  json=$("$OCIPACK" inspect --json "$work/$image.tar")
  # Base layers pass through byte for byte (skopeo may have compressed the
  # uncompressed docker-save layer; its diff_id is the same either way).
  expect_eq "$image: first diff_id is the base layer's" "$(jq -r '.[0].config.rootfs.diff_ids[0]' <<<"$json")" "$base_digest"
  expect_eq "$image: layers" "$(jq -r '.[0].layers | length' <<<"$json")" $((base_layers + 2))
  expect_eq "$image: Env" "$(jq -c '.[0].config.config.Env' <<<"$json" | tr -d '[]"' | tr ',' '\n' | sort | tr '\n' ' ')" \
    "$( [ $image = legacy-image ] && echo "APP_VAR=ours ")BASE_VAR=busybox PATH=/bin "
  expect_eq "$image: base label kept" "$(jq -r '.[0].config.config.Labels["org.example.base"]' <<<"$json")" busybox
  expect_eq "$image: WorkingDir kept" "$(jq -r '.[0].config.config.WorkingDir' <<<"$json")" /home
  expect_eq "$image: base history kept" "$(jq -r '[.[0].config.history[].created_by] | map(select(test("busybox --install|busybox\",\"--install"))) | length' <<<"$json")" 1
  docker_load "$work/$image.tar" >/dev/null
  expect_eq "$image: shell from the base runs the program" "$(docker run --rm "$image:latest")" \
    "shell on busybox: app says hi as uid=0 in /home"
done
expect_eq "legacy-image: base layer digest" "$("$OCIPACK" inspect --json "$work/legacy-image.tar" | jq -r '.[0].layers[0].digest')" "$base_digest"

# ocipack's own (Docker 25+ shaped) output as a base.
json=$("$OCIPACK" inspect --json "$work/chained-image.tar")
expect_eq "chained: layers" "$(jq -r '.[0].layers | length' <<<"$json")" $((base_layers + 3))
expect_eq "chained: ours on top" "$(jq -r '[.[0].layers[] | .created_by] | .[-3:] | join(",")' <<<"$json")" \
  "ocipack: runtime dependencies,ocipack: add_container_image TARGETS app,ocipack: add_container_image TARGETS app2"
expect_eq "chained: libraries from the base, none bundled again" \
  "$(jq -r '[.[0].config.history[].created_by | select(. == "ocipack: runtime dependencies")] | length' <<<"$json")" 1
expect_eq "chained: new ENTRYPOINT drops the inherited CMD" "$(jq -c '[.[0].config.config.Entrypoint, .[0].config.config.Cmd]' <<<"$json")" \
  '[["/usr/local/bin/app2"],null]'
docker_load "$work/chained-image.tar" >/dev/null
expect_eq "chained-image output" "$(docker run --rm chained-image:latest)" "app2 says hi as uid=0 in /home"

# SKELETON, USER by name, OWNER, MODE, directories, symlinks, VOLUMES, STOPSIGNAL.
json=$("$OCIPACK" inspect --json "$work/skeleton-image.tar")
files() { jq -r '.[0].layers[].files[] | "\(.type) \(.mode) \(.uid):\(.gid) /\(.path)\(if .link then " -> " + .link else "" end)"' <<<"$json"; }
files | grep -x -- "- 420 0:0 /etc/passwd" >/dev/null || fail "skeleton /etc/passwd"
files | grep -x "d 1023 0:0 /tmp/" >/dev/null || fail "skeleton /tmp 1777"
files | grep -x "d 448 65532:65532 /data/" >/dev/null || fail "directory /data 0700 65532"
files | grep -x -- "- 384 65532:65532 /srv/app.cpp" >/dev/null || fail "OWNER and MODE of an added file"
files | grep -x "l 511 0:0 /usr/bin/app-link -> /usr/local/bin/app" >/dev/null || fail "symlink"
expect_eq "Volumes" "$(jq -c '.[0].config.config.Volumes' <<<"$json")" '{"/data":{}}'
expect_eq "StopSignal" "$(jq -r '.[0].config.config.StopSignal' <<<"$json")" SIGINT
expect_eq "annotations from project()" \
  "$(jq -r '.[0].annotations | [.["org.opencontainers.image.version"], .["org.opencontainers.image.description"], .["org.opencontainers.image.url"]] | join("|")' <<<"$json")" \
  "3.1.4|ocipack base image test|https://example.com/based"
expect_eq "skeleton layer order" "$(jq -r '[.[0].layers[].created_by] | join(",")' <<<"$json")" \
  "ocipack: skeleton (SKELETON),ocipack: runtime dependencies,ocipack: container_image_add_files,ocipack: add_container_image TARGETS app"
docker_load "$work/skeleton-image.tar" >/dev/null
expect_eq "USER nonroot by name" "$(docker run --rm skeleton-image:latest)" "app says hi as uid=65532 in /data"
expect_eq "/etc/passwd in the container" "$(docker run --rm --entrypoint /usr/bin/app-link skeleton-image:latest)" \
  "app says hi as uid=65532 in /data"

# <name>-load: docker load through the build.
docker rmi -f skeleton-image:latest >/dev/null
docker_cleanup skeleton-image:latest
cmake --build "$work" --target skeleton-image-load
docker image inspect skeleton-image:latest >/dev/null || fail "skeleton-image-load did not load the image"
echo "ok: base images"
