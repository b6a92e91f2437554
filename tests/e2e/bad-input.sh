#!/usr/bin/env bash
# The bad input table: each row is refused with a non-zero exit, a message
# naming the offending value, and no file left in the output directory.
source "$(dirname "$0")/lib.sh"
# Some rows run the tool as another user (65534), who must be able to reach
# the files and the tool wherever the checkout lives (root's home is 0700):
# everything is under a new directory of /tmp, the tool copied in.
work=$(mktemp -d)
on_exit rm -rf "$work"
mkdir -p "$work/in" "$work/out" "$work/bin"
chmod 755 "$work" "$work/in" "$work/bin"
chmod 777 "$work/out"
cp "$OCIPACK" "$work/bin/ocipack"
OCIPACK=$work/bin/ocipack
printf 'data' > "$work/in/file.txt"
mkfifo "$work/in/fifo"
python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$work/in/socket"
head -c 30 "$OCIPACK" > "$work/in/truncated-elf"
printf '#!/bin/sh\n' > "$work/in/script.sh"
printf 'other' > "$work/other.txt"
mkdir -p "$work/dup" && printf 'different' > "$work/dup/file.txt"

rows=0
row() { # name expected-text spec-json [output] [as-user]
  local name=$1 expected=$2 spec=$work/$1.json out=${4:-$work/out/image.tar} err rc=0
  printf '%s' "$3" > "$spec"
  if [ -n "${5:-}" ]; then
    err=$(setpriv --reuid="$5" --regid="$5" --clear-groups "$OCIPACK" build --spec "$spec" --output "$out" 2>&1) || rc=$?
  else
    err=$("$OCIPACK" build --spec "$spec" --output "$out" 2>&1) || rc=$?
  fi
  [ "$rc" -ne 0 ] || fail "$name: exit status 0"
  grep -qF -- "$expected" <<<"$err" || fail "$name: expected '$expected' in: $err"
  [ -z "$(ls -A "$work/out")" ] || fail "$name: left $(ls -A "$work/out")"
  [ ! -e "$out" ] || fail "$name: $out exists"
  rows=$((rows + 1))
  echo "ok: $name -> $err"
}
spec() { # files-json [config-json] [extra-top-level]
  printf '{"version":1,"image":"bad","tags":["bad:1"],"config":%s,%s"runtime_dependencies":{"mode":"none","libraries":[]},"layers":[{"created_by":"t","files":[%s],"directories":[],"symlinks":[]}]}' \
    "${2:-{\}}" "${3:-}" "$1"
}
f() { printf '{"source":"%s","destination":"%s"%s}' "$1" "${2:-/}" "${3:-}"; }

row missing-file "input file not found: $work/in/nope.txt" "$(spec "$(f "$work/in/nope.txt")")"
chmod 600 "$work/in/file.txt"
row unreadable-file "cannot read $work/in/file.txt: Permission denied" "$(spec "$(f "$work/in/file.txt")")" "" 65534
chmod 644 "$work/in/file.txt"
row directory-as-target "target file $work/in is not a regular file" "$(spec "$(f "$work/in" / ',"elf":true')")"
row fifo "input $work/in/fifo is a FIFO" "$(spec "$(f "$work/in/fifo")")"
row socket "input $work/in/socket is a socket" "$(spec "$(f "$work/in/socket")")"
row device "input /dev/null is a character device" "$(spec "$(f /dev/null)")"
row relative-destination 'destination "usr/bin" is not an absolute path' "$(spec "$(f "$work/in/file.txt" usr/bin)")"
row dotdot-destination 'destination "/usr/../etc" contains a ".." component' "$(spec "$(f "$work/in/file.txt" /usr/../etc)")"
row nul-destination 'contains a NUL byte' "$(spec "$(f "$work/in/file.txt" '/a\u0000b')")"
long=$(printf 'x%.0s' $(seq 300))
row long-component 'has a component longer than 255 bytes' "$(spec "$(f "$work/in/file.txt" "/$long")")"
row too-long-destination 'is longer than 4095 bytes' "$(spec "$(f "$work/in/file.txt" "$(printf '/abcdefghij%.0s' $(seq 420))")")"
row duplicate-destination "duplicate destination /file.txt with different content" \
  "$(spec "$(f "$work/in/file.txt"),$(f "$work/dup/file.txt")")"
row bad-tag '"Bad:1"' '{"version":1,"image":"bad","tags":["Bad:1"],"layers":[]}'
row bad-env 'env "NOEQUALS" is not of the form NAME=value' "$(spec "$(f "$work/in/file.txt")" '{"env":["NOEQUALS"]}')"
row bad-label 'labels entry "nokey" is not of the form key=value' "$(spec "$(f "$work/in/file.txt")" '{"labels":["nokey"]}')"
row bad-expose 'exposed port "99999/tcp"' "$(spec "$(f "$work/in/file.txt")" '{"exposed_ports":["99999"]}')"
row bad-user 'user "a:b:c" is not <user>[:<group>]' "$(spec "$(f "$work/in/file.txt")" '{"user":"a:b:c"}')"
row bad-mode 'mode "0999" is not an octal mode' "$(spec "$(f "$work/in/file.txt" / ',"mode":"0999"')")"
row truncated-spec "the spec is not valid JSON" '{"version":1,"image":"bad","tags":["ba'
row not-json "the spec is not valid JSON" 'version = 1'
row unknown-version "unsupported spec version 7" '{"version":7}'
row not-elf "$work/in/script.sh: not an ELF file" "$(spec "$(f "$work/in/script.sh" / ',"elf":true')")"
row truncated-elf "$work/in/truncated-elf: truncated ELF header" "$(spec "$(f "$work/in/truncated-elf" / ',"elf":true')")"
row missing-output-dir "output directory $work/out/nope does not exist" "$(spec "$(f "$work/in/file.txt")")" "$work/out/nope/image.tar"
mkdir -p "$work/readonly" && chmod 555 "$work/readonly"
row read-only-output-dir "in $work/readonly: Permission denied" \
  "$(spec "$(f "$work/in/file.txt")")" "$work/readonly/image.tar" 65534
[ -z "$(ls -A "$work/readonly")" ] || fail "read-only-output-dir: left files"
echo "$rows passed, 0 failed"
