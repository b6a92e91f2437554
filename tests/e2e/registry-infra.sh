#!/usr/bin/env bash
# The registries of the push tests (registry.sh), proven with skopeo alone:
# anonymous over HTTP; htpasswd over TLS with a certs.d-style CA directory,
# with credentials given, from a credential helper and from config.json
# auths; tokens (a push, a refresh token, and "denied" from a pull-only
# grant); 503s and a dropped connection from the fault proxy. Afterwards no
# secret is in the output or the logs, nothing listens outside loopback and
# every process started is gone.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry.sh"
need skopeo
need jq
# All this test prints also goes to test.log, checked for secrets at the end.
exec 3>&1 4>&2 > >(tee "$REGISTRY_WORK/test.log") 2>&1
tee_pid=$!

tar=$BUILD_INSTALLED/plain-image.tar
src=oci-archive:$tar:latest
digest=$("$OCIPACK" inspect --json "$tar" | jq -r '.[0].manifest.digest')
skopeo_copy() { skopeo copy -q --retry-times 0 "$@"; }
# read_back WHAT REF SKOPEO-OPTIONS...: the registry serves the local manifest.
read_back() {
  expect_eq "$1: digest" "$(skopeo inspect "${@:3}" "docker://$2" | jq -r .Digest)" "$digest"
  expect_eq "$1: raw manifest" \
    "sha256:$(skopeo inspect --raw "${@:3}" "docker://$2" | sha256sum | cut -d' ' -f1)" "$digest"
}
# expect_failure WHAT PATTERN CMD...: CMD fails saying PATTERN (grep -E).
expect_failure() {
  local out
  if out=$("${@:3}" 2>&1); then
    fail "$1: succeeded"
  fi
  grep -Eq "$2" <<<"$out" || fail "$1: failed without [$2]: $out"
  echo "ok: $1 fails: $(tail -1 <<<"$out")"
}

# ---- anonymous, plain HTTP ----
start_registry plain
ref=$REGISTRY_PLAIN/infra/plain:1
skopeo_copy --dest-tls-verify=false "$src" "docker://$ref"
read_back "anonymous" "$ref" --tls-verify=false
expect_failure "anonymous over HTTPS" "http: server gave HTTP response to HTTPS client" \
  skopeo inspect "docker://$ref"
assert_loopback_only

# ---- htpasswd over TLS ----
start_registry secure htpasswd tls
ref=$REGISTRY_SECURE/infra/secure:1
certs=$REGISTRY_SECURE_CERTS_D/$REGISTRY_SECURE
test -s "$certs/ca.crt" || fail "no $certs/ca.crt"
creds="$REGISTRY_SECURE_USER:$(<"$REGISTRY_SECURE_PASSWORD_FILE")"
expect_failure "htpasswd: no CA" "certificate signed by unknown authority" \
  skopeo_copy --dest-creds "$creds" "$src" "docker://$ref"
expect_failure "htpasswd: no credentials" "authentication required|unauthorized" \
  skopeo_copy --dest-cert-dir "$certs" "$src" "docker://$ref"
expect_failure "htpasswd: a wrong password" "authentication required|unauthorized" \
  skopeo_copy --dest-cert-dir "$certs" --dest-creds "tester:wrong" "$src" "docker://$ref"
skopeo_copy --dest-cert-dir "$certs" --dest-creds "$creds" "$src" "docker://$ref"
read_back "htpasswd over TLS" "$ref" --cert-dir "$certs" --creds "$creds"
expect_failure "htpasswd: reading without credentials" "authentication required|unauthorized" \
  skopeo inspect --cert-dir "$certs" "docker://$ref"

# A credential helper named in $DOCKER_CONFIG/config.json, then auths.
credential_helper infra "$REGISTRY_SECURE_USER" "$(<"$REGISTRY_SECURE_PASSWORD_FILE")" "$REGISTRY_SECURE"
read_back "credential helper" "$ref" --cert-dir "$certs" --authfile "$DOCKER_CONFIG/config.json"
grep -qxF "get $REGISTRY_SECURE" "$CREDENTIAL_HELPER_CALLS" || fail "the helper was not asked: $(cat "$CREDENTIAL_HELPER_CALLS")"
expect_eq "helper: unknown host" "$(echo "127.0.0.1:1" | docker-credential-infra get || echo "exit $?")" \
  $'credentials not found in native keychain\nexit 1'
expect_eq "helper: list" "$(docker-credential-infra list </dev/null)" "{\"$REGISTRY_SECURE\": \"tester\"}"
echo '{}' >"$DOCKER_CONFIG/config.json"
docker_config_auth "$REGISTRY_SECURE" "$REGISTRY_SECURE_USER" "$(<"$REGISTRY_SECURE_PASSWORD_FILE")"
read_back "config.json auths" "$ref" --cert-dir "$certs" --authfile "$DOCKER_CONFIG/config.json"
echo '{}' >"$DOCKER_CONFIG/config.json"

# ---- tokens ----
start_registry tokens token
ref=$REGISTRY_TOKENS/infra/tokens:1
creds="$REGISTRY_TOKENS_USER:$(<"$REGISTRY_TOKENS_PASSWORD_FILE")"
expect_failure "token: no credentials" "authentication required|unauthorized" \
  skopeo_copy --dest-tls-verify=false "$src" "docker://$ref"
skopeo_copy --dest-tls-verify=false --dest-creds "$creds" "$src" "docker://$ref"
grep -q 'GET granted .*"name": "infra/tokens", "actions": \["pull", "push"\]' "$REGISTRY_TOKENS_TOKEN_LOG" ||
  fail "token: no pull,push grant logged: $(cat "$REGISTRY_TOKENS_TOKEN_LOG")"
read_back "token" "$ref" --tls-verify=false --creds "$creds"
docker_config_identity_token "$REGISTRY_TOKENS" "$REGISTRY_TOKENS_USER" "$(<"$REGISTRY_TOKENS_REFRESH_TOKEN_FILE")"
read_back "identity token" "$ref" --tls-verify=false --authfile "$DOCKER_CONFIG/config.json"
grep -q 'POST granted' "$REGISTRY_TOKENS_TOKEN_LOG" || fail "token: the identity token was not POSTed"
echo '{}' >"$DOCKER_CONFIG/config.json"

start_registry pullonly token pull-only
ref=$REGISTRY_PULLONLY/infra/denied:1
creds="$REGISTRY_PULLONLY_USER:$(<"$REGISTRY_PULLONLY_PASSWORD_FILE")"
expect_failure "token: pull-only grant" "denied|authentication required|unauthorized" \
  skopeo_copy --dest-tls-verify=false --dest-creds "$creds" "$src" "docker://$ref"
grep -q 'GET granted .*"name": "infra/denied", "actions": \["pull"\]' "$REGISTRY_PULLONLY_TOKEN_LOG" ||
  fail "token: no pull-only grant logged: $(cat "$REGISTRY_PULLONLY_TOKEN_LOG")"
expect_failure "token: nothing tagged after a denied push" "manifest unknown" \
  skopeo inspect --tls-verify=false --creds "$creds" "docker://$ref"

# ---- faults: 503s, then a dropped connection, on blob uploads ----
uploads=(--method 'PATCH|PUT' --path '/blobs/uploads/')
start_registry flaky
fault_proxy "$REGISTRY_FLAKY" "${uploads[@]}" --fail-first 2 --status 503
ref=$FAULT_PROXY/infra/flaky:1
expect_failure "503 without retries" "503|Service Unavailable|UNAVAILABLE" \
  skopeo_copy --dest-tls-verify=false "$src" "docker://$ref"
expect_eq "503s injected" "$(fault_count failed)" 1
# skopeo (containers/common 0.50) does not retry an upload's 503, even
# with --retry-times: a second copy meets the second 503, the third passes.
expect_failure "503 with --retry-times 3" "503 Service Unavailable" \
  skopeo copy -q --retry-times 3 --dest-tls-verify=false "$src" "docker://$ref"
expect_eq "503s injected" "$(fault_count failed)" 2
skopeo_copy --dest-tls-verify=false "$src" "docker://$ref"
expect_eq "503s injected" "$(fault_count failed)" 2
read_back "after 503s, through the proxy" "$ref" --tls-verify=false
read_back "after 503s, direct" "$REGISTRY_FLAKY/infra/flaky:1" --tls-verify=false

start_registry dropped
fault_proxy "$REGISTRY_DROPPED" "${uploads[@]}" --drop-first 1
ref=$FAULT_PROXY/infra/dropped:1
# skopeo retries a dropped connection (--retry-times) when Go reports EOF or
# a reset, and gives up when its writer saw the socket closed first (timing).
if out=$(skopeo copy -q --retry-times 3 --dest-tls-verify=false "$src" "docker://$ref" 2>&1); then
  grep -q "Failed, retrying" <<<"$out" || fail "skopeo did not retry: $out"
  echo "ok: skopeo retried the dropped connection"
else
  grep -Eq "EOF|connection reset|closed network connection|broken pipe" <<<"$out" ||
    fail "skopeo failed, not on the dropped connection: $out"
  echo "ok: skopeo failed on the dropped connection: $(tail -1 <<<"$out")"
  skopeo_copy --dest-tls-verify=false "$src" "docker://$ref"
fi
expect_eq "connections dropped" "$(fault_count dropped)" 1
read_back "after a dropped connection" "$REGISTRY_DROPPED/infra/dropped:1" --tls-verify=false
[ "$(fault_count forwarded)" -gt 0 ] || fail "the proxy forwarded nothing"

# ---- afterwards ----
registry_stop_all
assert_registries_gone
exec >&3 2>&4 3>&- 4>&-
wait "$tee_pid"
assert_secrets_absent "$REGISTRY_WORK/test.log"
echo "ok: registry-infra"
