#!/usr/bin/env python3
"""A reverse proxy that injects faults, for the e2e tests of registry clients.

Forwards every request to --upstream (plain HTTP) and streams bodies both
ways. Requests whose method and path match --method and --path (regular
expressions, searched) are, in turn: answered --status (503), with each
--header "Name: value" given, for the first --fail-first N of them, then cut (the connection closed after part of the
body, with no answer) for the next --drop-first M, then forwarded with one
byte of the answer's body changed for the next --corrupt-first K (a
registry that sends what was not asked for); the rest go through.
--counts FILE holds {"requests", "failed", "dropped", "corrupted", "forwarded"} after
every request, for the test to assert; one line per request goes to stderr.
Listens on 127.0.0.1 and a free port, written to --port-file. Serves until
killed.
"""
import argparse, http.client, json, os, re, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

p = argparse.ArgumentParser()
p.add_argument("--upstream", required=True)
p.add_argument("--port-file", required=True)
p.add_argument("--counts", required=True)
p.add_argument("--method", default=".")
p.add_argument("--path", default=".")
p.add_argument("--fail-first", type=int, default=0)
p.add_argument("--status", type=int, default=503)
p.add_argument("--header", action="append", default=[])
p.add_argument("--drop-first", type=int, default=0)
p.add_argument("--corrupt-first", type=int, default=0)
args = p.parse_args()
CHUNK = 1 << 16
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-authorization", "proxy-authenticate"}
lock = threading.Lock()
counts = {"requests": 0, "failed": 0, "dropped": 0, "corrupted": 0, "forwarded": 0}
matched = 0


def count(kind):
    with lock:
        counts["requests"] += 1
        counts[kind] += 1
        with open(args.counts + ".tmp", "w") as f:
            json.dump(counts, f)
        os.replace(args.counts + ".tmp", args.counts)


def fault(method, path):
    """What to do with this request: 'fail', 'drop', 'corrupt' or None (forward)."""
    global matched
    if not (re.search(args.method, method) and re.search(args.path, path)):
        return None
    with lock:
        matched += 1
        n = matched
    if n <= args.fail_first:
        return "fail"
    if n <= args.fail_first + args.drop_first:
        return "drop"
    return "corrupt" if n <= args.fail_first + args.drop_first + args.corrupt_first else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def body(self, limit=None):
        """The request body in pieces, at most about limit bytes."""
        sent = 0
        for left in self.chunk_sizes():
            while left:
                piece = self.rfile.read(min(CHUNK, left))
                if not piece:
                    return
                left -= len(piece)
                sent += len(piece)
                yield piece
                if limit is not None and sent >= limit:
                    return

    def chunk_sizes(self):
        """The body's size (Content-Length), or each chunk's (chunked)."""
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            yield int(self.headers.get("Content-Length", "0") or 0)
            return
        while size := int(self.rfile.readline().split(b";")[0], 16):
            yield size
            self.rfile.readline()  # the CRLF after the chunk
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass  # trailers

    def handle_any(self):
        action = fault(self.command, self.path)
        self.log_message("%s %s: %s", self.command, self.path, action or "forward")
        if action == "drop":  # part of the body, then the connection goes
            length = int(self.headers.get("Content-Length", "0") or 0)
            for _ in self.body(limit=max(1, length // 2)):
                pass
            count("dropped")
            self.close_connection = True
            return
        if action == "fail":
            for _ in self.body():
                pass
            count("failed")
            code = b"UNAUTHORIZED" if args.status == 401 else b"UNAVAILABLE"
            data = b'{"errors":[{"code":"%s","message":"injected by fault-proxy"}]}' % code
            self.send_response(args.status)
            for h in args.header:
                name, _, value = h.partition(":")
                self.send_header(name.strip(), value.strip())
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True
            return
        self.forward(corrupt=action == "corrupt")
        count("corrupted" if action == "corrupt" else "forwarded")

    def forward(self, corrupt=False):
        up = http.client.HTTPConnection(args.upstream, timeout=300)
        has_body = "Content-Length" in self.headers or "Transfer-Encoding" in self.headers
        up.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            if k.lower() not in HOP and k.lower() != "content-length":
                up.putheader(k, v)
        length = self.headers.get("Content-Length")
        if length is not None:
            up.putheader("Content-Length", length)
        elif has_body:
            up.putheader("Transfer-Encoding", "chunked")
        up.endheaders()
        if has_body:
            for piece in self.body():
                up.send(piece if length is not None else b"%x\r\n%s\r\n" % (len(piece), piece))
            if length is None:
                up.send(b"0\r\n\r\n")
        resp = up.getresponse()
        self.send_response_only(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        no_length = resp.getheader("Content-Length") is None and self.command != "HEAD"
        if no_length and resp.status not in (204, 304):
            self.send_header("Connection", "close")  # the body ends when the connection does
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            flip = corrupt
            while piece := resp.read(CHUNK):
                if flip and piece:  # the last byte of the first piece: same size, other digest
                    piece = piece[:-1] + bytes([piece[-1] ^ 1])
                    flip = False
                self.wfile.write(piece)
        up.close()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    def log_message(self, fmt, *a):  # escaped: clients try TLS first, and bytes are logged
        print("fault-proxy: " + (fmt % a).encode("ascii", "backslashreplace").decode(), flush=True)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(args.counts, "w") as f:
    json.dump(counts, f)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(args.port_file + ".tmp", args.port_file)  # the port appears whole
server.serve_forever()
