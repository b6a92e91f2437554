#!/usr/bin/env bash
# `ocipack push` to a real registry (Debian's docker-registry, distribution
# 2.8) of the test's own on 127.0.0.1 and a free port, anonymous over plain
# HTTP: skopeo reads back the local digest; a second push sends nothing; a
# push to another repository mounts every blob, and so does a new run for
# an image whose manifest names its base there; --digest-file; an OCI
# layout directory; an image index (ocipack index) pushed to its own tag; a
# tag without a registry host is refused.
source "$(dirname "$0")/lib.sh"
need docker-registry
need skopeo
need jq
need python3
need curl

work=$E2E_WORK/push-basic
rm -rf "$work"
mkdir -p "$work/docker"
# Nothing of the user's or the machine's: no proxy, no credentials.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
export DOCKER_CONFIG=$work/docker XDG_RUNTIME_DIR=$work
unset OCIPACK_PUSH_TAGS REGISTRY_AUTH_FILE

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
registry=127.0.0.1:$port
cat >"$work/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $work/storage
http:
  addr: $registry
YAML
# (The registry reads REGISTRY_* variables as configuration: none is set.)
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
on_exit kill "$!"
for _ in $(seq 50); do
  curl -fsS "http://$registry/v2/" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://$registry/v2/" >/dev/null || { cat "$work/registry.log"; fail "the registry did not start"; }

image=$BUILD_INSTALLED/plain-image.tar
digest=$("$OCIPACK" inspect --json "$image" | jq -r '.[0].manifest.digest')
blobs=$(("$("$OCIPACK" inspect --json "$image" | jq '.[0].layers | length')" + 1))
remote_digest() { skopeo inspect --tls-verify=false "docker://$1" | jq -r .Digest; }

out=$("$OCIPACK" push "$image" "$registry/team/plain:1" --digest-file "$work/pushed.json")
echo "$out"
expect_eq "first push" "$(image_lines "$out")" "$registry/team/plain:1@$digest: $blobs blob(s) uploaded, 0 already there, 0 mounted, $(
  "$OCIPACK" inspect --json "$image" | jq '([.[0].layers[].size] | add) + .[0].config_descriptor.size') bytes"
expect_eq "pushed digest" "$(remote_digest "$registry/team/plain:1")" "$digest"
expect_eq "digest file" "$(jq -c '[.[] | {digest, reference}]' "$work/pushed.json")" "[{\"digest\":\"$digest\",\"reference\":\"$registry/team/plain:1\"}]"
# The SBOM the build wrote beside the tarball, attached as a referrer of the
# manifest; distribution 2.8 has no referrers API: through the fallback tag.
sbom=${image%.tar}.spdx.json
artifact=$(grep -F "$registry/team/plain:1@$digest: SBOM plain-image.spdx.json attached as " <<<"$out" | sed 's/.* attached as //')
[ -n "$artifact" ] || fail "no SBOM attached: $out"
expect_eq "digest file: the SBOM" "$(jq -r '.[0].sboms[0].artifact' "$work/pushed.json")" "$artifact"
referrers=$(skopeo inspect --raw --tls-verify=false "docker://$registry/team/plain:sha256-${digest#sha256:}")
expect_eq "the fallback tag lists it" "$(jq -r '.manifests[] | "\(.digest) \(.artifactType)"' <<<"$referrers")" \
  "$artifact application/spdx+json"
artifact_manifest=$(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$registry/v2/team/plain/manifests/$artifact")
expect_eq "its subject" "$(jq -r .subject.digest <<<"$artifact_manifest")" "$digest"
expect_eq "its type" "$(jq -r .artifactType <<<"$artifact_manifest")" application/spdx+json
expect_eq "the SBOM read back" \
  "$(curl -fsS "http://$registry/v2/team/plain/blobs/$(jq -r '.layers[0].digest' <<<"$artifact_manifest")" | sha256sum)" \
  "$(sha256sum <"$sbom")"
# A digest file that cannot be written is refused before anything is sent.
if err=$("$OCIPACK" push --digest-file "$work/pushed.json/x.json" "$image" "$registry/unsent/plain:1" 2>&1); then
  fail "pushed with a digest file under a file"
fi
grep -qF -- "--digest-file $work/pushed.json/x.json: cannot create its directory" <<<"$err" || fail "digest file error: $err"
if skopeo inspect --tls-verify=false "docker://$registry/unsent/plain:1" >/dev/null 2>&1; then fail "pushed before the digest file was refused"; fi

out=$("$OCIPACK" push "$image" "$registry/team/plain:1")
expect_eq "second push" "$(image_lines "$out")" "$registry/team/plain:1@$digest: 0 blob(s) uploaded, $blobs already there, 0 mounted, 0 bytes"
grep -qxF "$registry/team/plain:1@$digest: SBOM plain-image.spdx.json attached already as $artifact" <<<"$out" \
  || fail "second push: the SBOM was not found attached: $out"
expect_eq "the fallback tag unchanged" "$(skopeo inspect --raw --tls-verify=false "docker://$registry/team/plain:sha256-${digest#sha256:}")" \
  "$referrers"

out=$(OCIPACK_PUSH_TAGS="$registry/team/plain:2 $registry/other/plain:1" "$OCIPACK" push "$image")
expect_eq "a new tag, then another repository" "$(image_lines "$out")" \
  "$registry/team/plain:2@$digest: 0 blob(s) uploaded, $blobs already there, 0 mounted, 0 bytes
$registry/other/plain:1@$digest: 0 blob(s) uploaded, 0 already there, $blobs mounted, 0 bytes"
expect_eq "mounted digest" "$(remote_digest "$registry/other/plain:1")" "$digest"

"$OCIPACK" index --output "$work/index.tar" --tag "$registry/team/plain:multi" "$image"
index_digest=$(tar -xOf "$work/index.tar" index.json | jq -r '.manifests[0].digest')
out=$("$OCIPACK" push "$work/index.tar")
expect_eq "index push (its own tag)" "$(image_lines "$out")" \
  "$registry/team/plain:multi@$index_digest: 0 blob(s) uploaded, $blobs already there, 0 mounted, 0 bytes"
expect_eq "index read back" "$(remote_digest "$registry/team/plain:multi")" "$index_digest"
expect_eq "index media type" "$(skopeo inspect --raw --tls-verify=false "docker://$registry/team/plain:multi" | jq -r .mediaType)" \
  application/vnd.oci.image.index.v1+json

# An OCI layout directory whose manifest names its base image on this
# registry: a new run mounts the blobs from there.
layout=$work/derived
mkdir -p "$layout"
tar -xf "$image" -C "$layout"
old=$(jq -r '.manifests[0].digest' "$layout/index.json")
jq -c --arg base "$registry/team/plain:1" '.annotations["org.opencontainers.image.base.name"] = $base' \
  "$layout/blobs/sha256/${old#sha256:}" | tr -d '\n' >"$work/manifest.json"
new=sha256:$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
cp "$work/manifest.json" "$layout/blobs/sha256/${new#sha256:}"
jq -c --arg d "$new" --argjson n "$(stat -c %s "$work/manifest.json")" '.manifests[].digest = $d | .manifests[].size = $n' \
  "$layout/index.json" >"$work/index.json"
mv "$work/index.json" "$layout/index.json"
out=$("$OCIPACK" push "$layout" "$registry/derived:1")
expect_eq "mounted from the base" "$(image_lines "$out")" "$registry/derived:1@$new: 0 blob(s) uploaded, 0 already there, $blobs mounted, 0 bytes"
expect_eq "derived read back" "$(remote_digest "$registry/derived:1")" "$new"

if err=$("$OCIPACK" push "$image" plain:1 2>&1); then fail "a tag without a registry host was pushed"; fi
grep -F 'write docker.io/library/plain:1 if Docker Hub is meant' <<<"$err" >/dev/null || fail "no-host message: $err"
# Its own tag, docker.io/library/plain-image:latest, may mean Docker Hub only by default.
if err=$("$OCIPACK" push "$image" 2>&1); then fail "an image tagged without a registry host was pushed"; fi
grep -F 'may mean Docker Hub only by default' <<<"$err" >/dev/null || fail "own-tag message: $err"
echo "ok: push-basic"
