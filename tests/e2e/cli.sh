#!/usr/bin/env bash
# The command line: help, version, and usage errors that name what is wrong.
source "$(dirname "$0")/lib.sh"
out=$("$OCIPACK" --help) || fail "--help exited non-zero"
grep -q "ocipack build --spec FILE --output FILE" <<<"$out" || fail "--help does not show build"
grep -q "ocipack inspect" <<<"$out" || fail "--help does not show inspect"
"$OCIPACK" build --help | grep -- "--depfile" >/dev/null || fail "build --help"
expect_eq "version" "$("$OCIPACK" --version | cut -d' ' -f1)" ocipack

check_error() { # expected-message command...
  local expected=$1
  shift
  local err rc=0
  err=$("$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -ne 0 ] || fail "$* exited 0"
  grep -qF "ocipack: error: $expected" <<<"$err" || fail "$*: expected 'ocipack: error: $expected', got: $err"
  echo "ok: $* -> $err"
}
tmp=$(mktemp -d)
on_exit rm -rf "$tmp"
check_error 'unknown command "frobnicate"' "$OCIPACK" frobnicate
check_error "build: --spec is required" "$OCIPACK" build --output "$tmp/x.tar"
check_error "spec $tmp/none.json: cannot open $tmp/none.json" "$OCIPACK" build --spec "$tmp/none.json" --output "$tmp/x.tar"
echo '{"version": 1, "image":' > "$tmp/truncated.json"
check_error "spec $tmp/truncated.json: the spec is not valid JSON" "$OCIPACK" build --spec "$tmp/truncated.json" --output "$tmp/x.tar"
echo '{"version": 99}' > "$tmp/future.json"
check_error "spec $tmp/future.json: unsupported spec version 99" "$OCIPACK" build --spec "$tmp/future.json" --output "$tmp/x.tar"
check_error "inspect: an image tarball is required" "$OCIPACK" inspect
echo "not a tarball" > "$tmp/junk.tar"
check_error "$tmp/junk.tar: " "$OCIPACK" inspect "$tmp/junk.tar"
[ -z "$(ls -A "$tmp" | grep -v -e none -e truncated.json -e future.json -e junk.tar)" ] || fail "files left behind: $(ls -A "$tmp")"
