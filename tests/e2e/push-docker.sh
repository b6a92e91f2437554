#!/usr/bin/env bash
# A second, independent client reads what `ocipack push` sent: Docker pulls
# the image from a loopback registry (127.0.0.0/8 is insecure to Docker, so
# plain HTTP) and runs the program; the image's own -push target does the
# same through CMake with a tag chosen at build time (OCIPACK_PUSH_TAGS).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry.sh"
need jq
need_docker
start_registry plain
image=$BUILD_INSTALLED/plain-image.tar
digest=$("$OCIPACK" inspect --json "$image" | jq -r '.[0].manifest.digest')

ref=$REGISTRY_PLAIN/team/probe:1
"$OCIPACK" push "$image" "$ref"
docker_cleanup "$ref"
docker pull -q "$ref"
expect_eq "pulled digest" "$(docker image inspect -f '{{index .RepoDigests 0}}' "$ref")" "$REGISTRY_PLAIN/team/probe@$digest"
out=$(docker run --rm "$ref")
grep -qx "arg0=/probe" <<<"$out" || fail "the pulled image does not run the program: $out"
echo "ok: docker pull + run"

# The -push target of the project, to a tag given when it runs (its own,
# plain-image:latest, would mean Docker Hub: refused).
if err=$(cmake --build "$BUILD_INSTALLED" --target plain-image-push 2>&1); then fail "plain-image-push pushed plain-image:latest"; fi
grep -q "docker.io/library/plain-image:latest" <<<"$err" || fail "plain-image-push: no hint to write docker.io/...: $err"
OCIPACK_PUSH_TAGS="$REGISTRY_PLAIN/team/probe:from-cmake" cmake --build "$BUILD_INSTALLED" --target plain-image-push \
  | tee "$REGISTRY_WORK/push-target.log"
grep -q "$REGISTRY_PLAIN/team/probe:from-cmake@$digest" "$REGISTRY_WORK/push-target.log" || fail "plain-image-push did not push"
expect_eq "the target's digest file" "$(jq -r '.[0].digest' "$BUILD_INSTALLED/ocipack/plain-image.pushed.json")" "$digest"
docker_cleanup "$REGISTRY_PLAIN/team/probe:from-cmake"
docker pull -q "$REGISTRY_PLAIN/team/probe:from-cmake"
grep -qx "arg0=/probe" <<<"$(docker run --rm "$REGISTRY_PLAIN/team/probe:from-cmake")" || fail "from-cmake does not run"
registry_stop_all
assert_registries_gone
echo "ok: push-docker"
