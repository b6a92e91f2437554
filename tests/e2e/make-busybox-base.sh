#!/usr/bin/env bash
# Fixture: a busybox base image made with Docker (from Debian's
# busybox-static), saved with `docker save` (Docker 20.10's layout), and
# converted with skopeo to an OCI archive and an OCI layout directory.
source "$(dirname "$0")/lib.sh"
need_docker
need skopeo
busybox=/bin/busybox   # Debian's busybox-static: no shared libraries
[ -x "$busybox" ] || missing "busybox-static is not installed (tests/setup-machine.sh installs it)"
dir=$E2E_WORK/busybox
rm -rf "$dir" && mkdir -p "$dir/ctx"
cp "$busybox" "$dir/ctx/busybox"
cat > "$dir/ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV BASE_VAR=busybox PATH=/bin
LABEL org.example.base=busybox
WORKDIR /home
CMD ["/bin/sh"]
DOCKERFILE
docker_cleanup ocipack-test/busybox:1
docker build -q -t ocipack-test/busybox:1 "$dir/ctx"
docker save ocipack-test/busybox:1 -o "$dir/busybox-legacy.tar"
docker rmi ocipack-test/busybox:1 >/dev/null
skopeo copy -q "docker-archive:$dir/busybox-legacy.tar" "oci-archive:$dir/busybox-oci.tar:1"
skopeo copy -q "docker-archive:$dir/busybox-legacy.tar" "oci:$dir/busybox-layout:1"
# Name the layout's entry as containerd does, so BASE_TAG can use the full name.
jq '.manifests[0].annotations["io.containerd.image.name"] = "docker.io/ocipack-test/busybox:1"' \
  "$dir/busybox-layout/index.json" > "$dir/index.json" && mv "$dir/index.json" "$dir/busybox-layout/index.json"
tar -tf "$dir/busybox-legacy.tar" | grep "layer.tar" >/dev/null || fail "docker save did not write the 20.10 layout"
ls -l "$dir"
