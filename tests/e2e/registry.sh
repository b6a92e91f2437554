# Registries for the end-to-end tests of pushing: real ones (Debian's
# docker-registry, distribution 2.8) on 127.0.0.1 only, each started by the
# test with its own config, storage and port, and stopped at exit. Source
# after lib.sh. Never call these functions in $(...) or a pipeline: what they
# start and register for exit must belong to the test's own shell.
#
# Sourcing it gives the test a world of its own:
#   REGISTRY_WORK   $E2E_WORK/registries/<script name>, emptied first; all
#                   that follows lives there
#   proxy variables cleared (http_proxy, https_proxy, HTTP_PROXY,
#                   HTTPS_PROXY, ALL_PROXY, all_proxy, no_proxy, NO_PROXY)
#   DOCKER_CONFIG   $REGISTRY_WORK/docker-config (config.json: {})
#   REGISTRY_AUTH_FILE  $REGISTRY_WORK/auth.json (absent: no podman logins)
#   PATH            $REGISTRY_WORK/bin first (credential helpers)
#
# start_registry NAME [anonymous|htpasswd|token] [tls] [pull-only]
#   NAME: [a-z][a-z0-9_]*, once per test. Waits (at most ~10 s) until /v2/
#   answers. Sets (not exported), with <N> = NAME in capitals:
#     REGISTRY_<N>          127.0.0.1:<port> (the host of image references)
#     REGISTRY_<N>_URL      http://127.0.0.1:<port> or https://...
#     REGISTRY_<N>_DIR      its directory: config.yml, storage/, registry.log
#     REGISTRY_<N>_LOG      the registry's log
#   htpasswd, token:
#     REGISTRY_<N>_USER     tester
#     REGISTRY_<N>_PASSWORD_FILE  its random password (never print it)
#   token (a token-server.py of its own; pull-only: it grants only pull):
#     REGISTRY_<N>_TOKEN_URL           the realm, http://127.0.0.1:<port>/token
#     REGISTRY_<N>_TOKEN_LOG           one line per request, what it granted
#     REGISTRY_<N>_REFRESH_TOKEN_FILE  the refresh token (identitytoken) it
#                                      accepts, and gives on a POST
#   tls (a test CA and a certificate for IP 127.0.0.1):
#     REGISTRY_<N>_CA       the CA certificate
#     REGISTRY_<N>_CERTS_D  a certs.d-style directory: $REGISTRY_<N>_CERTS_D/
#                           127.0.0.1:<port>/ca.crt (that subdirectory is what
#                           skopeo's --cert-dir takes)
#
# fault_proxy UPSTREAM [fault-proxy.py options: --method RE --path RE
#             --fail-first N --status CODE --header "NAME: VALUE" --drop-first N
#             --corrupt-first N]
#   A fault-injecting HTTP proxy in front of UPSTREAM (host:port, plain
#   HTTP). Sets FAULT_PROXY (127.0.0.1:<port>), FAULT_PROXY_COUNTS (its JSON
#   counts) and FAULT_PROXY_LOG (one line per request) for the last started.
# fault_count KEY [COUNTS_FILE]
#   Prints requests|failed|dropped|corrupted|forwarded of $FAULT_PROXY_COUNTS.
#
# credential_helper NAME USER SECRET HOST...
#   $REGISTRY_WORK/bin/docker-credential-NAME (Docker's credential-helper
#   protocol: get, store, erase, list), knowing USER/SECRET for each HOST,
#   and credHelpers[HOST] = NAME in $DOCKER_CONFIG/config.json. Sets
#   CREDENTIAL_HELPER_CALLS: a file with one line per call ("get <url>").
# docker_config_auth HOST USER SECRET
#   auths[HOST].auth = base64(USER:SECRET) in $DOCKER_CONFIG/config.json.
# docker_config_identity_token HOST USER TOKEN
#   auths[HOST] = {auth: base64(USER:), identitytoken: TOKEN}, as `docker
#   login` leaves a token registry's refresh token.
#
# trust_in_docker NAME
#   Copies a tls registry's CA into /etc/docker/certs.d/127.0.0.1:<port>/
#   for dockerd (which reads it there), removed at exit.
#
# registry_stop_all      stops everything started here now (also at exit)
# assert_registries_gone every process started here is gone, its port closed,
#                        and no listener appeared on a non-loopback address
# assert_loopback_only   no listener appeared on a non-loopback address
#                        since this file was sourced
# assert_secrets_absent FILE...
#   No password, refresh token or helper secret made here (nor tester's
#   Basic credentials in base64) is in FILE..., nor in any *.log under
#   $REGISTRY_WORK (registry, token server, proxy logs).
#
# logged COMMAND...        runs it; its output (both streams) in $out and
#                          appended to $REGISTRY_OUTPUT, for assert_secrets_absent
# expect_refusal TEXT COMMAND...  it fails, saying TEXT

REGISTRY_WORK=$E2E_WORK/registries/$(basename "$0" .sh)
rm -rf "$REGISTRY_WORK"
mkdir -p "$REGISTRY_WORK/bin" "$REGISTRY_WORK/docker-config"
# The tests talk to loopback directly, with their own credentials only.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY
export DOCKER_CONFIG=$REGISTRY_WORK/docker-config
export REGISTRY_AUTH_FILE=$REGISTRY_WORK/auth.json
export PATH=$REGISTRY_WORK/bin:$PATH
echo '{}' >"$DOCKER_CONFIG/config.json"
_registry_e2e_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_registry_pids=()  # what was started here, in order
_registry_ports=() # the ports they listen on

# All TCP listeners as ADDRESS:PORT (ss's form; /proc/net/tcp* without ss).
_registry_listeners() {
  if command -v ss >/dev/null 2>&1; then
    ss -ltnH | awk '{print $4}'
  else
    python3 - <<'EOF'
import ipaddress
for name, width in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
    try:
        rows = open(name).read().splitlines()[1:]
    except OSError:
        continue
    for row in rows:
        local, state = row.split()[1], row.split()[3]
        if state != "0A":  # LISTEN
            continue
        addr, port = local.split(":")
        raw = b"".join(bytes.fromhex(addr[i:i + 8])[::-1] for i in range(0, len(addr), 8))
        ip = ipaddress.ip_address(raw)
        print(f"{ip}:{int(port, 16)}" if width == 4 else f"[{ip}]:{int(port, 16)}")
EOF
  fi
}
_registry_non_loopback() {
  _registry_listeners | grep -Ev '^(127\.|\[::1\]|\[::ffff:127\.)' | sort -u || true
}
_registry_listeners_before=$(_registry_non_loopback)

assert_loopback_only() {
  local new
  new=$(comm -13 <(echo "$_registry_listeners_before") <(_registry_non_loopback) | sed '/^$/d')
  [ -z "$new" ] || fail "listening on a non-loopback address since the test started: $new"
  echo "ok: no new listener outside 127.0.0.1"
}

_registry_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# _registry_spawn LOG CMD...: CMD in the background, its output in LOG, stopped
# at exit; its PID in $_registry_pid.
_registry_spawn() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 </dev/null &
  _registry_pid=$!
  _registry_pids+=("$_registry_pid")
  on_exit _registry_stop "$_registry_pid"
}
_registry_stop() {
  local _
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
REGISTRY_OUTPUT=$REGISTRY_WORK/output.txt
: >"$REGISTRY_OUTPUT"
logged() {
  local rc=0
  out=$("$@" 2>&1) || rc=$?
  printf '%s\n' "$out" >>"$REGISTRY_OUTPUT"
  return "$rc"
}
expect_refusal() {
  local text=$1
  shift
  if logged "$@"; then fail "succeeded: $*"; fi
  grep -F -- "$text" <<<"$out" >/dev/null || fail "expected \"$text\" in: $out"
  echo "ok: refused with \"$text\""
}

registry_stop_all() {
  local i
  for ((i = ${#_registry_pids[@]} - 1; i >= 0; i--)); do
    _registry_stop "${_registry_pids[i]}"
  done
}

# _registry_wait_port_file FILE PID LOG WHAT: the port a helper wrote to FILE
# (at most ~10 s), in $_registry_port.
_registry_wait_port_file() {
  local _
  for _ in $(seq 100); do
    [ -s "$1" ] && break
    kill -0 "$2" 2>/dev/null || fail "$4 exited at start: $(tail -5 "$3")"
    sleep 0.1
  done
  [ -s "$1" ] || fail "$4 did not start within 10 s: $(tail -5 "$3")"
  _registry_port=$(<"$1")
  _registry_ports+=("$_registry_port")
}

# _registry_secret FILE: a random secret, readable by this user only.
_registry_secret() {
  (umask 077 && openssl rand -hex 16 >"$1")
}

_registry_make_tls() { # dir: ca.crt, server.crt/key for IP 127.0.0.1
  local d=$1
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=ocipack test CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=127.0.0.1" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
  printf '%s\n' subjectAltName=IP:127.0.0.1 basicConstraints=CA:FALSE \
    keyUsage=critical,digitalSignature extendedKeyUsage=serverAuth >"$d/server.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -extfile "$d/server.ext" -out "$d/server.crt" 2>/dev/null
}

# _registry_start_token_server DIR GRANT: a token-server.py for the registry
# in DIR; its realm in $_registry_realm.
_registry_start_token_server() {
  local d=$1
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ocipack test token signer" \
    -keyout "$d/token.key" -out "$d/token.crt" 2>/dev/null
  _registry_secret "$d/refresh-token.secret"
  _registry_spawn "$d/token-server.log" python3 "$_registry_e2e_dir/token-server.py" \
    --key "$d/token.key" --cert "$d/token.crt" --user tester \
    --password-file "$d/password.secret" --refresh-token-file "$d/refresh-token.secret" \
    --issuer ocipack-test-token-server --grant "$2" --port-file "$d/token.port"
  _registry_wait_port_file "$d/token.port" "$_registry_pid" "$d/token-server.log" "token-server.py"
  _registry_realm=http://127.0.0.1:$_registry_port/token
}

# _registry_config DIR PORT MODE TLS REALM: DIR/config.yml
_registry_config() {
  local d=$1 port=$2 mode=$3 tls=$4 realm=$5
  cat >"$d/config.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $d/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: $(openssl rand -hex 16)
EOF
  [ -z "$tls" ] || cat >>"$d/config.yml" <<EOF
  tls:
    certificate: $d/server.crt
    key: $d/server.key
EOF
  case $mode in
    htpasswd) cat >>"$d/config.yml" <<EOF
auth:
  htpasswd:
    realm: ocipack-test
    path: $d/htpasswd
EOF
      ;;
    token) cat >>"$d/config.yml" <<EOF
auth:
  token:
    realm: $realm
    service: ocipack-test-registry
    issuer: ocipack-test-token-server
    rootcertbundle: $d/token.crt
EOF
      ;;
  esac
}

# _registry_serve DIR SCHEME PORT: starts the registry of DIR/config.yml and waits
# for /v2/ (200, or 401 with auth); returns 1 when its port was taken.
_registry_serve() {
  local d=$1 scheme=$2 port=$3 code _ tls_args=() v _registry_unset=()
  for v in ${!REGISTRY_@}; do _registry_unset+=(-u "$v"); done
  [ "$scheme" = http ] || tls_args=(--cacert "$d/ca.crt")
  # distribution reads REGISTRY_* variables as settings (REGISTRY_AUTH_FILE
  # would be auth.file): it sees none of the test's.
  _registry_spawn "$d/registry.log" env "${_registry_unset[@]}" docker-registry serve "$d/config.yml"
  for _ in $(seq 50); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "${tls_args[@]}" \
      "$scheme://127.0.0.1:$port/v2/") || true
    case $code in 200 | 401) _registry_ports+=("$port") && return 0 ;; esac
    if ! kill -0 "$_registry_pid" 2>/dev/null; then
      grep -q "address already in use" "$d/registry.log" && return 1
      fail "docker-registry exited at start: $(tail -5 "$d/registry.log")"
    fi
    sleep 0.2
  done
  fail "docker-registry did not answer on $scheme://127.0.0.1:$port/v2/ within 10 s: $(tail -5 "$d/registry.log")"
}

start_registry() {
  local name=$1 mode=${2:-anonymous} tls='' grant=all opt port scheme=http attempt realm='' var
  [[ $name =~ ^[a-z][a-z0-9_]*$ ]] || fail "start_registry: the name [$name] is not [a-z][a-z0-9_]*"
  case $mode in anonymous | htpasswd | token) ;; *) fail "start_registry $name: unknown mode $mode" ;; esac
  for opt in "${@:3}"; do
    case $opt in
      tls) tls=1 scheme=https ;;
      pull-only) grant=pull ;;
      *) fail "start_registry $name: unknown option $opt (tls, pull-only)" ;;
    esac
  done
  [ "$grant" = all ] || [ "$mode" = token ] || fail "start_registry $name: pull-only is for token"
  need docker-registry
  need python3
  need openssl
  need curl
  local d=$REGISTRY_WORK/$name
  var=REGISTRY_${name^^}
  [ ! -e "$d" ] || fail "start_registry: a registry named $name was started already"
  mkdir -p "$d/storage"
  [ -z "$tls" ] || _registry_make_tls "$d"
  if [ "$mode" != anonymous ]; then
    _registry_secret "$d/password.secret"
    declare -g "${var}_USER=tester" "${var}_PASSWORD_FILE=$d/password.secret"
  fi
  if [ "$mode" = htpasswd ]; then
    need htpasswd
    htpasswd -iBc "$d/htpasswd" tester <"$d/password.secret" 2>/dev/null
  fi
  if [ "$mode" = token ]; then
    _registry_start_token_server "$d" "$grant"
    realm=$_registry_realm
    declare -g "${var}_TOKEN_URL=$realm" "${var}_TOKEN_LOG=$d/token-server.log" \
      "${var}_REFRESH_TOKEN_FILE=$d/refresh-token.secret"
  fi
  for attempt in 1 2 3; do # a port picked free can be taken before the registry binds it
    port=$(_registry_free_port)
    _registry_config "$d" "$port" "$mode" "$tls" "$realm"
    _registry_serve "$d" "$scheme" "$port" && break
    [ "$attempt" -lt 3 ] || fail "start_registry $name: no free port in 3 attempts"
  done
  declare -g "$var=127.0.0.1:$port" "${var}_URL=$scheme://127.0.0.1:$port" \
    "${var}_DIR=$d" "${var}_LOG=$d/registry.log"
  if [ -n "$tls" ]; then
    mkdir -p "$d/certs.d/127.0.0.1:$port"
    cp "$d/ca.crt" "$d/certs.d/127.0.0.1:$port/ca.crt"
    declare -g "${var}_CA=$d/ca.crt" "${var}_CERTS_D=$d/certs.d"
  fi
  echo "registry $name ($mode${tls:+, tls}${realm:+, grants $grant}): $scheme://127.0.0.1:$port"
}

_registry_proxies=0
fault_proxy() {
  local upstream=$1 d
  shift
  need python3
  _registry_proxies=$((_registry_proxies + 1))
  d=$REGISTRY_WORK/fault-proxy-$_registry_proxies
  mkdir -p "$d"
  _registry_spawn "$d/fault-proxy.log" python3 "$_registry_e2e_dir/fault-proxy.py" \
    --upstream "$upstream" --port-file "$d/port" --counts "$d/counts.json" "$@"
  _registry_wait_port_file "$d/port" "$_registry_pid" "$d/fault-proxy.log" "fault-proxy.py"
  FAULT_PROXY=127.0.0.1:$_registry_port FAULT_PROXY_COUNTS=$d/counts.json FAULT_PROXY_LOG=$d/fault-proxy.log
  echo "fault proxy $FAULT_PROXY -> $upstream ($*)"
}
fault_count() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
    "${2:-$FAULT_PROXY_COUNTS}" "$1"
}

# _registry_edit_docker_config PYTHON-STATEMENT ARG...: runs it on `c`, the
# parsed $DOCKER_CONFIG/config.json (argv[1:] = ARG...), and writes it back.
_registry_edit_docker_config() {
  local code=$1
  shift
  python3 -c "import base64, json, os, sys
path = os.path.join(os.environ['DOCKER_CONFIG'], 'config.json')
c = json.load(open(path))
$code
json.dump(c, open(path, 'w'), indent=2)" "$@"
}

credential_helper() {
  local name=$1 user=$2 secret=$3 d
  shift 3
  need python3
  d=$REGISTRY_WORK/credential-helper-$name
  mkdir -p "$d"
  (umask 077 && printf '%s' "$secret" >"$d/secret.secret" && : >"$d/store.json")
  python3 - "$d/store.json" "$user" "$d/secret.secret" "$@" <<'EOF'
import json, sys
store, user, secret_file, hosts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
secret = open(secret_file).read()
json.dump({h: {"Username": user, "Secret": secret} for h in hosts}, open(store, "w"))
EOF
  cat >"$REGISTRY_WORK/bin/docker-credential-$name" <<EOF
#!/usr/bin/env python3
# A credential helper of the e2e tests (Docker's protocol: the action as the
# argument, the server URL or credentials as JSON on stdin).
import json, sys
store_path, calls = "$d/store.json", "$d/calls.log"
store = json.load(open(store_path))
action, data = sys.argv[1], sys.stdin.read().strip()
host = lambda url: url.split("://", 1)[-1].split("/", 1)[0]
with open(calls, "a") as f:
    print(action, data if action in ("get", "erase") else "", file=f)
if action == "get":
    entry = store.get(host(data))
    if entry is None:
        print("credentials not found in native keychain")
        sys.exit(1)
    json.dump({"ServerURL": data, **entry}, sys.stdout)
elif action == "list":
    json.dump({h: e["Username"] for h, e in store.items()}, sys.stdout)
elif action in ("store", "erase"):
    if action == "store":
        creds = json.loads(data)
        store[host(creds["ServerURL"])] = {"Username": creds["Username"], "Secret": creds["Secret"]}
    else:
        store.pop(host(data), None)
    json.dump(store, open(store_path, "w"))
else:
    print("unknown action " + action, file=sys.stderr)
    sys.exit(1)
EOF
  chmod 755 "$REGISTRY_WORK/bin/docker-credential-$name"
  _registry_edit_docker_config 'c.setdefault("credHelpers", {}).update({h: sys.argv[1] for h in sys.argv[2:]})' \
    "$name" "$@"
  CREDENTIAL_HELPER_CALLS=$d/calls.log
}

docker_config_auth() {
  _registry_edit_docker_config \
    'c.setdefault("auths", {})[sys.argv[1]] = {"auth": base64.b64encode((sys.argv[2] + ":" + sys.argv[3]).encode()).decode()}' \
    "$@"
}
docker_config_identity_token() { # as `docker login` leaves it: auth is "USER:", no password
  _registry_edit_docker_config \
    'c.setdefault("auths", {})[sys.argv[1]] = {"auth": base64.b64encode((sys.argv[2] + ":").encode()).decode(), "identitytoken": sys.argv[3]}' \
    "$@"
}

trust_in_docker() {
  local var=REGISTRY_${1^^} ca_var=REGISTRY_${1^^}_CA dst
  [ -n "${!ca_var:-}" ] || fail "trust_in_docker: no tls registry named $1"
  dst=/etc/docker/certs.d/${!var}
  [ ! -e "$dst/ca.crt" ] || fail "trust_in_docker: $dst/ca.crt exists already (not this test's)"
  [ -d "$dst" ] || { mkdir -p "$dst" && on_exit rmdir "$dst"; }
  cp "${!ca_var}" "$dst/ca.crt"
  on_exit rm -f "$dst/ca.crt"
}

assert_registries_gone() {
  local pid port listeners
  for pid in "${_registry_pids[@]}"; do
    ! kill -0 "$pid" 2>/dev/null || fail "process $pid started by registry.sh is still running"
  done
  listeners=$(_registry_listeners)
  for port in "${_registry_ports[@]}"; do
    ! grep -q ":$port\$" <<<"$listeners" || fail "port $port is still listening"
  done
  echo "ok: the ${#_registry_pids[@]} processes started are gone, their ${#_registry_ports[@]} ports closed"
  assert_loopback_only
}

assert_secrets_absent() {
  local secret_file file secret basic
  local files=("$@")
  mapfile -t -O ${#files[@]} files < <(find "$REGISTRY_WORK" -name '*.log' -type f)
  while IFS= read -r secret_file; do
    secret=$(<"$secret_file")
    basic=$(printf 'tester:%s' "$secret" | base64 -w0)
    for file in "${files[@]}"; do
      ! grep -qF -e "$secret" -e "$basic" "$file" ||
        fail "the secret of ${secret_file#"$REGISTRY_WORK"/} appears in $file"
    done
  done < <(find "$REGISTRY_WORK" -name '*.secret' -type f)
  echo "ok: no secret in ${#files[@]} files"
}
