#!/usr/bin/env bash
# An HTTPS server that loads libssl with dlopen(): with RUNTIME_LIBRARIES
# libssl.so.3 the image has libssl and libcrypto and serves TLS under Docker
# (host network, contacted on 127.0.0.1 only); without it, the build says
# so in a note, which NO_DLOPEN_NOTE turns off.
source "$(dirname "$0")/lib.sh"
need jq
need curl
need openssl
need python3
need_docker
work=$E2E_WORK/tls-server
rm -rf "$work" && mkdir -p "$work"
cp -a "$OCIPACK_SOURCE_DIR/tests/projects/tls-server" "$work/src"
build_project "$work/src" "$work/build" -DCMAKE_PREFIX_PATH="$PREFIX" | tee "$work/build.log"
grep -q "calls dlopen" "$work/build.log" && fail "a dlopen note although RUNTIME_LIBRARIES is given"
# libssl without a CA bundle: a note (the server needs none; a client would).
grep -Eq "ocipack: note: the image has /.*/libssl.so.3 but no CA certificates \(/etc/ssl/certs/ca-certificates.crt\).*CA_CERTIFICATES" \
  "$work/build.log" || fail "no note on libssl without CA certificates"

# The note names the binary and the keyword; NO_DLOPEN_NOTE silences it.
cmake --build "$work/build" --target tlsd-noted-image | tee "$work/noted.log"
grep -Eq "ocipack: note: /tlsd \(.*\) calls dlopen\(\).*RUNTIME_LIBRARIES" "$work/noted.log" \
  || fail "no dlopen note for tlsd-noted-image"
cmake --build "$work/build" --target tlsd-quiet-image | tee "$work/quiet.log"
grep -q "calls dlopen" "$work/quiet.log" && fail "a dlopen note despite NO_DLOPEN_NOTE"

image=$work/build/tlsd-image.tar
libs=$("$OCIPACK" inspect --json "$image" | jq -r '.[0].layers[0].files[] | "/\(.path)"')
grep -q '/libssl.so.3$' <<<"$libs" || fail "libssl.so.3 is not in the image"
grep -q '/libcrypto.so.3$' <<<"$libs" || fail "libcrypto.so.3 (libssl's own library) is not in the image"

# A certificate of its own.
mkdir -p "$work/certs"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
  -keyout "$work/certs/key.pem" -out "$work/certs/cert.pem" 2>/dev/null
chmod 0644 "$work/certs/key.pem"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

docker_load "$image"
name=ocipack-e2e-tlsd-$$
on_exit docker rm -f "$name"
# Copied in through the client rather than bind-mounted: the daemon may not
# see this machine's paths (the fresh-root CI run talks to the host's one).
docker create --name "$name" --network host tlsd-image:latest \
  /tlsd "$port" /certs/cert.pem /certs/key.pem 1 >/dev/null
docker cp "$work/certs" "$name:/certs"
docker start "$name" >/dev/null
for _ in $(seq 50); do  # at most 10 s for it to listen
  docker logs "$name" 2>&1 | grep -q "listening on 127.0.0.1:$port" && break
  sleep 0.2
done
docker logs "$name"
body=$(curl -sS --insecure --max-time 10 "https://127.0.0.1:$port/") || fail "no HTTPS answer on 127.0.0.1:$port"
echo "answer: $body"
grep -q "^hello over TLS from OpenSSL 3\." <<<"$body" || fail "unexpected answer: $body"
expect_eq "server exit code" "$(timeout 30 docker wait "$name")" 0
echo "ok: tls-server"
