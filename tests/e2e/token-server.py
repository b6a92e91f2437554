#!/usr/bin/env python3
"""A registry token server for the e2e tests (Docker's token protocol).

GET /token?service=S&scope=... with Basic credentials, or POST /token with
grant_type=password (username, password) or grant_type=refresh_token: an
RS256 JWT that distribution's auth.token accepts (the signing certificate in
the x5c header; that certificate is the registry's rootcertbundle). Every
requested action is granted, or only pull with --grant pull. Listens on
127.0.0.1 and a free port, written to --port-file; logs what it granted
(never a secret) to stderr. Serves until killed.
"""
import argparse, base64, hmac, json, os, subprocess, time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

p = argparse.ArgumentParser()
for flag in ("--key", "--cert", "--user", "--password-file", "--refresh-token-file",
             "--issuer", "--port-file"):
    p.add_argument(flag, required=True)
p.add_argument("--grant", choices=("all", "pull"), default="all")
args = p.parse_args()
secret = lambda path: open(path).read().strip()
password, refresh_token = secret(args.password_file), secret(args.refresh_token_file)
b64url = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
with open(args.cert) as f:  # x5c: the certificate, DER, standard base64
    x5c = "".join(l.strip() for l in f if not l.startswith("-----"))


def access(scopes):
    """scope values (each may hold several, space separated) -> JWT access."""
    out = []
    for scope in " ".join(scopes).split():
        kind, rest = scope.split(":", 1)
        name, actions = rest.rsplit(":", 1)
        wanted = actions.split(",")
        granted = [a for a in wanted if args.grant == "all" or a == "pull"]
        out.append({"type": kind, "name": name, "actions": granted})
    return out


def jwt(service, scopes):
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
    claims = {"iss": args.issuer, "sub": args.user, "aud": service, "exp": now + 300,
              "nbf": now - 10, "iat": now, "jti": b64url(os.urandom(12)),
              "access": access(scopes)}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", args.key], check=True,
                         input=signing_input.encode(), capture_output=True).stdout
    return signing_input + "." + b64url(sig), claims["access"]


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def grant(self, authorized, q, refresh=False):
        if not authorized:
            self.log_message("%s denied: bad or no credentials (%s)", self.command,
                             q.get("grant_type", ["Basic"])[0])
            return self.answer(401, {"errors": [{"code": "UNAUTHORIZED"}]},
                               [("WWW-Authenticate", 'Basic realm="ocipack-test-token"')])
        token, granted = jwt(q.get("service", [""])[0], q.get("scope", []))
        self.log_message("%s granted %s", self.command, json.dumps(granted))
        body = {"token": token, "access_token": token, "expires_in": 300}
        if refresh:
            body["refresh_token"] = refresh_token
        self.answer(200, body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        basic = "Basic " + base64.b64encode(f"{args.user}:{password}".encode()).decode()
        ok = hmac.compare_digest(self.headers.get("Authorization", ""), basic)
        self.grant(url.path == "/token" and ok, urllib.parse.parse_qs(url.query))

    def body(self):  # Go clients send small forms chunked, too
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            return self.rfile.read(int(self.headers.get("Content-Length", "0")))
        data = b""
        while size := int(self.rfile.readline().split(b";")[0], 16):
            data += self.rfile.read(size)
            self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return data

    def do_POST(self):
        form = urllib.parse.parse_qs(self.body().decode())
        field = lambda k: form.get(k, [""])[0]
        if field("grant_type") == "password":
            ok = field("username") == args.user and hmac.compare_digest(field("password"), password)
        else:
            ok = field("grant_type") == "refresh_token" and hmac.compare_digest(
                field("refresh_token"), refresh_token)
        self.grant(self.path == "/token" and ok, form, refresh=True)

    def log_message(self, fmt, *a):  # the path holds no secret; headers are never logged
        print("token-server: " + (fmt % a), flush=True)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(args.port_file + ".tmp", args.port_file)  # the port appears whole
server.serve_forever()
