#!/usr/bin/env bash
# What programs read at run time, FROM scratch under Docker: an HTTPS client
# verifies a server (openssl s_server on 127.0.0.1, host network) whose
# certificate a test CA given to CA_CERTIFICATES signed; iconv to UTF-16LE
# and std::locale("C.UTF-8") with ICONV and LOCALES; Europe/Paris with
# TZDATA; STRIP makes the program smaller and it still runs.
source "$(dirname "$0")/lib.sh"
need jq
need openssl
need python3
need_docker
work=$E2E_WORK/runtime-data
rm -rf "$work" && mkdir -p "$work/pki"
cp -a "$OCIPACK_SOURCE_DIR/tests/projects/runtime-data" "$work/src"

# A CA of the tests' own and a server certificate for localhost it signs.
pki=$work/pki
openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=ocipack test CA" -days 1 \
  -keyout "$pki/ca.key" -out "$pki/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$pki/server.key" -out "$pki/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' >"$pki/ext.cnf"
openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial -days 1 \
  -extfile "$pki/ext.cnf" -out "$pki/server.pem" 2>/dev/null

build_project "$work/src" "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$PREFIX" \
  -DTEST_CA="$pki/ca.pem" | tee "$work/build.log"
files() { "$OCIPACK" inspect --json "$work/build/$1.tar" | jq -r '.[0].layers[].files[] | "\(.type) /\(.path)"'; }

# The trust store where OpenSSL, GnuTLS and curl look on Debian.
files tlsclient-image | grep -qx -- "- /etc/ssl/certs/ca-certificates.crt" || fail "no CA bundle"
files tlsclient-image | grep -qx -- "l /usr/lib/ssl/cert.pem" || fail "no /usr/lib/ssl/cert.pem"
grep -q "no CA certificates" "$work/build.log" && fail "a CA note although CA_CERTIFICATES is given"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout 60 openssl s_server -accept "127.0.0.1:$port" -cert "$pki/server.pem" -key "$pki/server.key" \
  -www -naccept 1 -quiet >"$work/s_server.log" 2>&1 &
server=$!
on_exit kill "$server"
# Listening once the port can no longer be bound (a probe connection would
# use the one connection it accepts); at most 10 s.
for _ in $(seq 50); do
  python3 -c "import socket; socket.socket().bind(('127.0.0.1', $port))" 2>/dev/null || break
  sleep 0.2
done
docker_load "$work/build/tlsclient-image.tar"
expect_eq "tlsclient" "$(timeout 60 docker run --rm --network host tlsclient-image:latest /tlsclient "$port")" \
  "verified localhost, issued by ocipack test CA"

docker_load "$work/build/text-image.tar"
expect_eq "text-image" "$(docker run --rm text-image:latest)" \
  "UTF-16LE: 68 00 e9 00 6c 00 6c 00 6f 00
locale C.UTF-8"
docker_load "$work/build/paris-image.tar"
expect_eq "paris-image" "$(docker run --rm paris-image:latest)" "Europe/Paris: 2023-11-14 23:13:20 CET"

# STRIP: a smaller program, same output.
size_of() { "$OCIPACK" inspect --json "$work/build/$1.tar" | jq '[.[0].layers[-1].files[] | select(.path == "text") | .size] | add'; }
plain=$(size_of text-image) stripped=$(size_of stripped-image)
echo "text: $plain bytes, stripped: $stripped bytes"
[ "$stripped" -lt "$plain" ] || fail "STRIP did not make the program smaller ($stripped >= $plain)"
expect_eq "the build output is untouched" "$(stat -c %s "$work/build/text")" "$plain"
docker_load "$work/build/stripped-image.tar"
expect_eq "stripped-image" "$(docker run --rm stripped-image:latest)" "$(docker run --rm text-image:latest)"
# iconv_open() without ICONV: a note naming the program and the keyword.
grep -q "calls iconv_open" "$work/build.log" && fail "an iconv note although ICONV is given"
cmake --build "$work/build" --target text-noted-image | tee "$work/noted.log"
grep -Eq "ocipack: note: /text \(.*\) calls iconv_open\(\).*ICONV <charset>" "$work/noted.log" \
  || fail "no iconv_open note for text-noted-image"
echo "ok: runtime-data"
