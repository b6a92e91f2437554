#!/usr/bin/env bash
# Accounts added with container_image_add_user(): a program that starts as
# root, drops to a named user and writes to a volume owned by it; and USER
# by name with the default ids, home and shell.
source "$(dirname "$0")/lib.sh"
need_docker
work=$E2E_WORK/privdrop
rm -rf "$work" && mkdir -p "$work"
cp -a "$OCIPACK_SOURCE_DIR/tests/projects/privdrop" "$work/src"
build_project "$work/src" "$work/build" -DCMAKE_PREFIX_PATH="$PREFIX"

docker_load "$work/build/dropper-image.tar"
volume=ocipack-e2e-privdrop-$$
on_exit docker volume rm -f "$volume"
docker volume create "$volume" >/dev/null
expect_eq "dropper" "$(docker run --rm -v "$volume:/data" dropper-image:latest)" \
  "dropped to worker (uid 2000), wrote /data/hello.txt"
expect_eq "the volume's file" "$(docker run --rm -v "$volume:/data" dropper-image:latest /dropper --show)" \
  "owner 2000:2000: written by worker (uid 2000)"

docker_load "$work/build/whoami-image.tar"
expect_eq "whoami" "$(docker run --rm whoami-image:latest)" \
  "worker 1000:1000 group worker home /home/worker owned by 1000:1000 mode 700 shell /usr/sbin/nologin"
echo "ok: privdrop"
