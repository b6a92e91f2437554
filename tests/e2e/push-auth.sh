#!/usr/bin/env bash
# `ocipack push` against registries that want credentials and TLS
# (tests/e2e/registry.sh): htpasswd Basic over TLS with the test CA through
# --cert-dir; Bearer tokens through a credential helper and an identity
# token; and each error: certificate not trusted, unauthorized, denied (a
# token server that grants pull only), host unreachable; 503s and dropped
# connections retried. No secret reaches the output or the logs.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry.sh"
need skopeo
need jq
image=$BUILD_INSTALLED/plain-image.tar
digest=$("$OCIPACK" inspect --json "$image" | jq -r '.[0].manifest.digest')
push() { logged "$OCIPACK" push "$@"; }
expect_push_error() { expect_refusal "$1" "$OCIPACK" push "${@:2}"; }  # TEXT ARGS...

start_registry secure htpasswd tls
certs=$REGISTRY_SECURE_CERTS_D/$REGISTRY_SECURE
expect_push_error "certificate not trusted" "$image" "$REGISTRY_SECURE/app:1"
expect_push_error "/etc/docker/certs.d/$REGISTRY_SECURE/ca.crt" "$image" "$REGISTRY_SECURE/app:1"
expect_push_error "unauthorized" --cert-dir "$certs" "$image" "$REGISTRY_SECURE/app:1"
expect_push_error "docker login $REGISTRY_SECURE" --cert-dir "$certs" "$image" "$REGISTRY_SECURE/app:1"
docker_config_auth "$REGISTRY_SECURE" tester "$(cat "$REGISTRY_SECURE_PASSWORD_FILE")"
push --cert-dir "$certs" "$image" "$REGISTRY_SECURE/app:1" || fail "$out"
expect_eq "Basic over TLS" "$(image_lines "$out")" "$REGISTRY_SECURE/app:1@$digest: 2 blob(s) uploaded, 0 already there, 0 mounted, $(
  "$OCIPACK" inspect --json "$image" | jq '([.[0].layers[].size] | add) + .[0].config_descriptor.size') bytes"
expect_eq "read back" "$(skopeo inspect --cert-dir "$certs" --creds "tester:$(cat "$REGISTRY_SECURE_PASSWORD_FILE")" \
  "docker://$REGISTRY_SECURE/app:1" | jq -r .Digest)" "$digest"
push --insecure "$image" "$REGISTRY_SECURE/app:2" || fail "$out"
expect_eq "--insecure accepts the certificate" "$(image_lines "$out")" \
  "$REGISTRY_SECURE/app:2@$digest: 0 blob(s) uploaded, 2 already there, 0 mounted, 0 bytes"

start_registry tokens token
expect_push_error "unauthorized" "$image" "$REGISTRY_TOKENS/app:1"
credential_helper test tester "$(cat "$REGISTRY_TOKENS_PASSWORD_FILE")" "$REGISTRY_TOKENS"
push "$image" "$REGISTRY_TOKENS/app:1" "$REGISTRY_TOKENS/team/app:1" || fail "$out"
expect_eq "Bearer through a credential helper, then a mount" "$(image_lines "$out")" \
  "$REGISTRY_TOKENS/app:1@$digest: 2 blob(s) uploaded, 0 already there, 0 mounted, 816897 bytes
$REGISTRY_TOKENS/team/app:1@$digest: 0 blob(s) uploaded, 0 already there, 2 mounted, 0 bytes"
grep -F "get $REGISTRY_TOKENS" "$CREDENTIAL_HELPER_CALLS" >/dev/null || fail "the helper was not asked"
echo '{}' >"$DOCKER_CONFIG/config.json"
docker_config_identity_token "$REGISTRY_TOKENS" tester "$(cat "$REGISTRY_TOKENS_REFRESH_TOKEN_FILE")"
push "$image" "$REGISTRY_TOKENS/idt/app:1" || fail "$out"
expect_eq "an identity token" "$(image_lines "$out")" "$REGISTRY_TOKENS/idt/app:1@$digest: 2 blob(s) uploaded, 0 already there, 0 mounted, 816897 bytes"
grep "POST granted" "$REGISTRY_TOKENS_TOKEN_LOG" >/dev/null || fail "no token was POSTed for the identity token"

# A token that expires during an upload: the registry answers the streamed
# PUT 401 with a new challenge; a new token, then the upload again from a
# new POST.
fault_proxy "$REGISTRY_TOKENS" --method PUT --path /blobs/uploads/ --fail-first 1 --status 401 \
  --header "WWW-Authenticate: Bearer realm=\"$REGISTRY_TOKENS_TOKEN_URL\",service=\"ocipack-test-registry\",error=\"invalid_token\""
docker_config_identity_token "$FAULT_PROXY" tester "$(cat "$REGISTRY_TOKENS_REFRESH_TOKEN_FILE")"
tokens_before=$(grep -c granted "$REGISTRY_TOKENS_TOKEN_LOG")
push "$image" "$FAULT_PROXY/expiry/app:1" || fail "$out"
expect_eq "an upload answered 401, sent again with a new token" "$(fault_count failed)" 1
expect_eq "pushed after the new token" "$(skopeo inspect --tls-verify=false --creds "tester:$(cat "$REGISTRY_TOKENS_PASSWORD_FILE")" \
  "docker://$REGISTRY_TOKENS/expiry/app:1" | jq -r .Digest)" "$digest"
[ "$(grep -c granted "$REGISTRY_TOKENS_TOKEN_LOG")" -ge $((tokens_before + 2)) ] || fail "no new token after the 401"

start_registry readonly token pull-only
credential_helper ro tester "$(cat "$REGISTRY_READONLY_PASSWORD_FILE")" "$REGISTRY_READONLY"
expect_push_error "denied" "$image" "$REGISTRY_READONLY/app:1"

start_registry plain
fault_proxy "$REGISTRY_PLAIN" --method PUT --fail-first 2 --status 503
push "$image" "$FAULT_PROXY/app:1" || fail "$out"
expect_eq "two 503s retried" "$(fault_count failed)" 2
fault_proxy "$REGISTRY_PLAIN" --method 'PUT|POST' --drop-first 2
push "$image" "$FAULT_PROXY/app2:1" || fail "$out"
expect_eq "two dropped connections retried" "$(fault_count dropped)" 2
expect_eq "read back through the faults" "$(skopeo inspect --tls-verify=false "docker://$REGISTRY_PLAIN/app2:1" | jq -r .Digest)" "$digest"
fault_proxy "$REGISTRY_PLAIN" --fail-first 1000 --status 503
expect_push_error "HTTP 503" "$image" "$FAULT_PROXY/app3:1"
expect_eq "503 tried a bounded number of times" "$(fault_count failed)" 4
expect_push_error "host unreachable" "$image" "127.0.0.1:1/app:1"

assert_secrets_absent "$REGISTRY_OUTPUT"
registry_stop_all
assert_registries_gone
echo "ok: push-auth"
