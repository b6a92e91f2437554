#!/usr/bin/env bash
# BASE docker://...@sha256: from a loopback registry (tests/e2e/registry.sh):
# the busybox base copied there with skopeo, pinned with `ocipack resolve`
# (a reference without a digest refused at configure time, with the digest
# to pin), built and run under Docker with a shell command of the base; the
# push of the result mounts the base's layers; rebuilt from the cache with
# the registry stopped, in another build directory; a damaged cache entry
# fetched again; a document that does not match its digest refused naming
# both digests; a Docker schema 2 base; a token registry (unauthorized
# without a login, then through a credential helper); htpasswd over TLS
# (certificate not trusted, then trusted through certs.d); an arm64/amd64 index
# base giving each build of examples/multi-arch its own platform.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry.sh"
need jq
need skopeo
need_docker
busybox=$E2E_WORK/busybox
work=$E2E_WORK/base-registry
rm -rf "$work" && mkdir -p "$work"
export OCIPACK_CACHE_DIR=$work/cache
cache_blobs() { find "$OCIPACK_CACHE_DIR/blobs/sha256" -type f ! -name '.*' 2>/dev/null | wc -l; }

start_registry plain
skopeo copy -q --dest-tls-verify=false "oci-archive:$busybox/busybox-oci.tar:1" "docker://$REGISTRY_PLAIN/base/busybox:1"
ref=docker://$REGISTRY_PLAIN/base/busybox:1
logged "$OCIPACK" resolve "$ref" || fail "$out"
pinned=$out
digest=${pinned#*@}
expect_eq "resolve" "$digest" "$(skopeo inspect --tls-verify=false "docker://$REGISTRY_PLAIN/base/busybox:1" | jq -r .Digest)"

# A reference without a digest: refused at configure time, with the digest to pin.
expect_refusal "names no digest; pin it" \
  cmake -S "$OCIPACK_SOURCE_DIR/tests/projects/pulled" -B "$work/unpinned" -DCMAKE_PREFIX_PATH="$PREFIX" -DPULLED_BASE="$ref"
tr -s ' \n' ' ' <<<"$out" | grep -F "its tag names $pinned now" >/dev/null || fail "no digest to pin in: $out"

# Pinned: pulled at build time into the cache, run under Docker.
build_project "$OCIPACK_SOURCE_DIR/tests/projects/pulled" "$work/one" -DCMAKE_PREFIX_PATH="$PREFIX" -DPULLED_BASE="$pinned"
image=$work/one/pulled-image.tar
json=$("$OCIPACK" inspect --json "$image")
base_layers=$(skopeo inspect --tls-verify=false "docker://$REGISTRY_PLAIN/base/busybox:1" | jq '.Layers | length')
expect_eq "base layers first" "$(jq -r '[.[0].layers[].digest][0:'"$base_layers"'] | join(",")' <<<"$json")" \
  "$(skopeo inspect --tls-verify=false "docker://$REGISTRY_PLAIN/base/busybox:1" | jq -r '.Layers | join(",")')"
expect_eq "base.name" "$(jq -r '.[0].annotations["org.opencontainers.image.base.name"]' <<<"$json")" \
  "$REGISTRY_PLAIN/base/busybox:1"
expect_eq "base.digest" "$(jq -r '.[0].annotations["org.opencontainers.image.base.digest"]' <<<"$json")" "$digest"
docker_load "$image" >/dev/null
expect_eq "docker run: a shell of the base runs the program" "$(docker run --rm pulled-image:latest)" \
  "shell on busybox: app says hi as uid=0 in /home"
blobs=$(cache_blobs)
[ "$blobs" -ge $((base_layers + 2)) ] || fail "the cache holds $blobs blobs"
logged "$OCIPACK" cache || fail "$out"
grep -F "$OCIPACK_CACHE_DIR: $blobs blob(s)" <<<"$out" >/dev/null || fail "ocipack cache: $out"

# Pushed to the same registry: the base's layers are mounted, not sent.
logged "$OCIPACK" push "$image" "$REGISTRY_PLAIN/team/pulled:1" || fail "$out"
grep -F ", $base_layers mounted," <<<"$out" >/dev/null || fail "base layers not mounted: $out"

# A damaged cache entry is found and fetched again.
layer=$(jq -r '.[0].layers[0].digest | sub("sha256:"; "")' <<<"$json")
printf 'damage' | dd of="$OCIPACK_CACHE_DIR/blobs/sha256/$layer" bs=1 seek=10 conv=notrunc 2>/dev/null
build_project "$OCIPACK_SOURCE_DIR/tests/projects/pulled" "$work/two" -DCMAKE_PREFIX_PATH="$PREFIX" -DPULLED_BASE="$pinned"
expect_eq "damaged entry fetched again" "$(sha256sum "$OCIPACK_CACHE_DIR/blobs/sha256/$layer" | cut -d' ' -f1)" "$layer"
cmp "$image" "$work/two/pulled-image.tar" || fail "another build directory gave other bytes"

# With the registry stopped: from the cache alone, in a third build directory.
registry_stop_all
build_project "$OCIPACK_SOURCE_DIR/tests/projects/pulled" "$work/three" -DCMAKE_PREFIX_PATH="$PREFIX" -DPULLED_BASE="$pinned"
cmp "$image" "$work/three/pulled-image.tar" || fail "the build from the cache gave other bytes"
echo "ok: rebuilt with no registry, from the cache"

# A registry that sends a document that does not match the digest asked for;
# one that has no such manifest.
start_registry again
skopeo copy -q --dest-tls-verify=false "oci-archive:$busybox/busybox-oci.tar:1" "docker://$REGISTRY_AGAIN/base/busybox:1"
fault_proxy "$REGISTRY_AGAIN" --method GET --path /manifests/ --corrupt-first 1
spec_dir=$work/specs && mkdir -p "$spec_dir"
write_spec() { # FILE REFERENCE
  printf '{"version": 1, "image": "p", "tags": ["p:1"], "config": {"cmd": ["/bin/sh"]}, "annotations": [],
 "base": {"reference": "%s"}, "runtime_dependencies": {"mode": "none"}, "layers": []}\n' "$2" >"$1"
}
write_spec "$spec_dir/corrupt.json" "docker://$FAULT_PROXY/base/busybox@$digest"
export OCIPACK_CACHE_DIR=$work/cache-corrupt
expect_refusal "hashes to sha256:" "$OCIPACK" build --spec "$spec_dir/corrupt.json" --output "$work/corrupt.tar"
grep -F "not the $digest asked for" <<<"$out" >/dev/null || fail "the digest asked for is not named: $out"
expect_eq "the corrupt answer" "$(fault_count corrupted)" 1
[ ! -e "$work/corrupt.tar" ] || fail "a tarball was written"
expect_eq "nothing cached from it" "$(cache_blobs)" 0
wrong=sha256:$(printf '%064d' 0)
write_spec "$spec_dir/wrong.json" "docker://$REGISTRY_AGAIN/base/busybox@$wrong"
expect_refusal "there is no manifest $wrong; check the digest" \
  "$OCIPACK" build --spec "$spec_dir/wrong.json" --output "$work/wrong.tar"

# Two builds at once into one empty cache: both get whole blobs.
write_spec "$spec_dir/again.json" "docker://$REGISTRY_AGAIN/base/busybox@$digest"
export OCIPACK_CACHE_DIR=$work/cache-concurrent
"$OCIPACK" build --spec "$spec_dir/again.json" --output "$work/concurrent-1.tar" >"$work/concurrent-1.log" 2>&1 &
first=$!
"$OCIPACK" build --spec "$spec_dir/again.json" --output "$work/concurrent-2.tar" >"$work/concurrent-2.log" 2>&1 \
  || fail "the second of two concurrent builds: $(cat "$work/concurrent-2.log")"
wait "$first" || fail "the first of two concurrent builds: $(cat "$work/concurrent-1.log")"
cmp "$work/concurrent-1.tar" "$work/concurrent-2.tar" || fail "two concurrent builds differ"
for blob in "$OCIPACK_CACHE_DIR"/blobs/sha256/*; do
  [ "$(sha256sum "$blob" | cut -d' ' -f1)" = "$(basename "$blob")" ] || fail "a cache entry does not match its name: $blob"
done
echo "ok: two concurrent builds, one cache"

# Docker schema 2 (what Docker Hub serves): a docker save copied as it is.
skopeo copy -q --dest-tls-verify=false "docker-archive:$busybox/busybox-legacy.tar" "docker://$REGISTRY_AGAIN/v2s2/busybox:1"
expect_eq "schema 2 manifest" "$(skopeo inspect --raw --tls-verify=false "docker://$REGISTRY_AGAIN/v2s2/busybox:1" | jq -r .mediaType)" \
  application/vnd.docker.distribution.manifest.v2+json
logged "$OCIPACK" resolve "docker://$REGISTRY_AGAIN/v2s2/busybox:1" || fail "$out"
build_project "$OCIPACK_SOURCE_DIR/tests/projects/pulled" "$work/v2s2" -DCMAKE_PREFIX_PATH="$PREFIX" -DPULLED_BASE="$out"
docker_load "$work/v2s2/pulled-image.tar" >/dev/null
expect_eq "docker run on a schema 2 base" "$(docker run --rm pulled-image:latest)" \
  "shell on busybox: app says hi as uid=0 in /home"

# A registry that wants a login (Bearer tokens): unauthorized without one,
# pulled through a credential helper.
start_registry tokens token
password=$(cat "$REGISTRY_TOKENS_PASSWORD_FILE")
skopeo copy -q --dest-tls-verify=false --dest-creds "tester:$password" \
  "oci-archive:$busybox/busybox-oci.tar:1" "docker://$REGISTRY_TOKENS/base/busybox:1"
write_spec "$spec_dir/tokens.json" "docker://$REGISTRY_TOKENS/base/busybox@$digest"
export OCIPACK_CACHE_DIR=$work/cache-tokens
expect_refusal "docker login $REGISTRY_TOKENS" "$OCIPACK" build --spec "$spec_dir/tokens.json" --output "$work/tokens.tar"
credential_helper test tester "$password" "$REGISTRY_TOKENS"
logged "$OCIPACK" build --spec "$spec_dir/tokens.json" --output "$work/tokens.tar" || fail "$out"
grep "granted" "$REGISTRY_TOKENS_TOKEN_LOG" | grep -F "base/busybox" | grep -F pull >/dev/null || fail "no pull token"

# Over TLS with htpasswd Basic credentials: the certificate not trusted
# (named, with the certs.d path to put its CA in), then trusted through
# /etc/docker/certs.d as Docker reads it, with `docker login`'s credentials.
start_registry secure htpasswd tls
skopeo copy -q --dest-cert-dir "$REGISTRY_SECURE_CERTS_D/$REGISTRY_SECURE" \
  --dest-creds "tester:$(cat "$REGISTRY_SECURE_PASSWORD_FILE")" \
  "oci-archive:$busybox/busybox-oci.tar:1" "docker://$REGISTRY_SECURE/base/busybox:1"
write_spec "$spec_dir/secure.json" "docker://$REGISTRY_SECURE/base/busybox@$digest"
export OCIPACK_CACHE_DIR=$work/cache-secure
expect_refusal "/etc/docker/certs.d/$REGISTRY_SECURE/ca.crt" \
  "$OCIPACK" build --spec "$spec_dir/secure.json" --output "$work/secure.tar"
trust_in_docker secure
expect_refusal "docker login $REGISTRY_SECURE" "$OCIPACK" build --spec "$spec_dir/secure.json" --output "$work/secure.tar"
docker_config_auth "$REGISTRY_SECURE" tester "$(cat "$REGISTRY_SECURE_PASSWORD_FILE")"
logged "$OCIPACK" build --spec "$spec_dir/secure.json" --output "$work/secure.tar" || fail "$out"
echo "ok: pulled over TLS with Basic credentials"

# An arm64/amd64 index as the base of both builds of examples/multi-arch:
# each gets its own platform's image.
if command -v aarch64-linux-gnu-g++ >/dev/null; then
  export OCIPACK_CACHE_DIR=$work/cache
  build_project "$OCIPACK_SOURCE_DIR/examples/multi-arch" "$work/multi" -DCMAKE_PREFIX_PATH="$PREFIX"
  skopeo copy -q --all --dest-tls-verify=false "oci-archive:$work/multi/hello-arch.tar:1" \
    "docker://$REGISTRY_AGAIN/multi/hello-arch:1"
  logged "$OCIPACK" resolve "docker://$REGISTRY_AGAIN/multi/hello-arch:1" || fail "$out"
  index_ref=$out
  build_project "$OCIPACK_SOURCE_DIR/examples/multi-arch" "$work/on-index" -DCMAKE_PREFIX_PATH="$PREFIX" \
    -DHELLO_ARCH_BASE="$index_ref"
  raw=$(skopeo inspect --raw --tls-verify=false "docker://$REGISTRY_AGAIN/multi/hello-arch:1")
  for arch in amd64 arm64; do
    dir=$([ $arch = amd64 ] && echo native || echo arm64)
    j=$("$OCIPACK" inspect --json "$work/on-index/$dir/hello-arch-image.tar")
    expect_eq "$arch build: platform" "$(jq -r '.[0].config.architecture' <<<"$j")" $arch
    expect_eq "$arch build: the $arch base" \
      "$(jq -r '.[0].annotations["org.opencontainers.image.base.digest"]' <<<"$j")" \
      "$(jq -r --arg a $arch '.manifests[] | select(.platform.architecture == $a) | .digest' <<<"$raw")"
  done
else
  [ "${CI:-}" != true ] || fail "aarch64-linux-gnu-g++ is missing (tests/setup-machine.sh --cross installs it)"
  echo "skip: the index base (aarch64-linux-gnu-g++ is missing)"
fi

assert_secrets_absent "$REGISTRY_OUTPUT"
registry_stop_all
assert_registries_gone
echo "ok: base-registry"
