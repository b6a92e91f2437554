#!/usr/bin/env bash
# Regenerates the seed corpora of the ELF and image fuzzers (the spec seeds
# are the specs tests/configure-errors/valid-usage.cmake generates, with its paths
# replaced by /src/project). Not run by the tests: the seeds are committed.
#
#   tests/fuzz/make-corpus.sh <ocipack>     e.g. build/fuzz/tool/ocipack
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ocipack=$(realpath "${1:?usage: make-corpus.sh <path to ocipack>}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
elf=$here/corpus/elf
image=$here/corpus/image
mkdir -p "$elf" "$image"

# ---- ELF: crafted objects (the unit tests' builder) and two real programs ----
cat > "$work/gen.cpp" <<'CPP'
#include "elf_builder.hpp"
#include <fstream>
using ocipack::testing::ElfSpec;
using ocipack::testing::make_elf;
static void put(const char* path, const ElfSpec& s) {
  std::ofstream(path, std::ios::binary) << make_elf(s);
}
int main() {
  ElfSpec s;
  s.interpreter = "/lib64/ld-linux-x86-64.so.2";
  s.needed = {"libc.so.6", "libm.so.6"};
  s.rpath = "$ORIGIN/../lib";
  s.runpath = "/opt/lib:$LIB";
  s.type = 2;
  put("crafted-x86_64-exec", s);
  ElfSpec lib;
  lib.soname = "libanswer.so.1";
  lib.needed = {"libc.so.6"};
  put("crafted-x86_64-lib", lib);
  ElfSpec be;
  be.is64 = false;
  be.little_endian = false;
  be.machine = 8;  // MIPS
  be.interpreter = "/lib/ld.so.1";
  be.needed = {"libc.so.6"};
  be.runpath = "/usr/lib";
  put("crafted-mips32-be", be);
  ElfSpec arm;
  arm.is64 = false;
  arm.machine = 40;  // ARM
  arm.interpreter = "/lib/ld-linux-armhf.so.3";
  arm.needed = {"libstdc++.so.6"};
  put("crafted-arm32-le", arm);
  ElfSpec ppc;
  ppc.little_endian = false;
  ppc.machine = 21;  // PPC64, big endian
  ppc.dynamic = false;
  put("crafted-ppc64-be-static", ppc);
  ElfSpec a64;
  a64.machine = 183;
  a64.interpreter = "/lib/ld-linux-aarch64.so.1";
  a64.needed = {"libc.so.6"};
  put("crafted-aarch64", a64);
}
CPP
g++ -std=c++17 -I"$here/../unit" "$work/gen.cpp" -o "$work/gen"
(cd "$elf" && "$work/gen")
cat > "$work/tiny.c" <<'C'
void _start(void) { for (;;) __asm__ volatile("mov $60, %%eax; xor %%edi, %%edi; syscall" ::: "memory"); }
C
gcc -Os -static -nostdlib -s -o "$elf/real-static-nostdlib" "$work/tiny.c"
printf '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n' > "$work/hello.c"
gcc -Os -s -o "$elf/real-dynamic-pie" "$work/hello.c"

# ---- Images: written by ocipack itself, plus the other formats read_base takes ----
mkdir -p "$work/in/dir"
echo hello > "$work/in/hello.txt"
echo nested > "$work/in/dir/file"
ln -s hello.txt "$work/in/link"
cp "$elf/real-static-nostdlib" "$work/prog"
cp "$elf/crafted-aarch64" "$work/prog-arm64"
spec() { # name compression source elf(true|false) [config]
  cat > "$work/$1.json" <<SPEC
{"version":1,"image":"$1","tags":["ocipack-fuzz/$1:1"],"compression":"$2","config":${5:-{\}},
 "annotations":["org.opencontainers.image.version=1"],
 "runtime_dependencies":{"mode":"none","libraries":[]},
 "layers":[{"created_by":"files","files":[{"source":"$3","destination":"/data"}],
            "directories":[{"path":"/tmp","mode":"1777"}],"symlinks":[{"path":"/bin/sh","target":"/data/prog"}]},
           {"created_by":"targets","files":[{"source":"$work/prog","destination":"/","elf":$4}],"directories":[],"symlinks":[]}]}
SPEC
  "$ocipack" build --spec "$work/$1.json" --output "$work/$1.tar"
}
spec plain none "$work/in/" true '{"cmd":["/prog"],"env":["A=b"],"exposed_ports":["80/tcp"],"labels":["k=v"],"volumes":["/v"],"stop_signal":"SIGINT","user":"1:1","workdir":"/w"}'
spec gzip gzip "$work/in/hello.txt" true
cp "$work/plain.tar" "$image/ocipack-none.tar"
cp "$work/gzip.tar" "$image/ocipack-gzip.tar"
# A multi-platform index (amd64 + arm64, both uncompressed).
cp "$work/prog-arm64" "$work/prog"
spec arm64 none "$work/in/hello.txt" true
cp "$elf/real-static-nostdlib" "$work/prog"
spec amd64 none "$work/in/hello.txt" true
"$ocipack" index --output "$image/ocipack-index.tar" --tag ocipack-fuzz/multi:1 "$work/amd64.tar" "$work/arm64.tar"
# An OCI archive (no manifest.json), and Docker 20.10's `docker save` layout
# (<id>.json config, <id>/layer.tar, a repeated layer as a symlink).
python3 - "$work/plain.tar" "$image" <<'PY'
import hashlib, io, json, sys, tarfile
src, out = sys.argv[1], sys.argv[2]
with tarfile.open(src) as t:
    members = [(m, t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()]
def write(path, entries):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        for m, data in entries:
            t.addfile(m, io.BytesIO(data) if data is not None else None)
write(out + "/oci-archive.tar", [(m, d) for m, d in members if m.name != "manifest.json"])

blobs = {m.name: d for m, d in members if m.isfile()}
index = json.loads(blobs["index.json"])
manifest = json.loads(blobs["blobs/sha256/" + index["manifests"][0]["digest"][7:]])
config = blobs["blobs/sha256/" + manifest["config"]["digest"][7:]]
config_id = hashlib.sha256(config).hexdigest()
entries = []
def add(name, data=None, link=None):
    info = tarfile.TarInfo(name)
    if link is not None:
        info.type, info.linkname = tarfile.SYMTYPE, link
    elif data is None:
        info.type, info.mode = tarfile.DIRTYPE, 0o755
    else:
        info.size = len(data)
    entries.append((info, data))
layers = []
for i, l in enumerate(manifest["layers"]):
    data = blobs["blobs/sha256/" + l["digest"][7:]]
    lid = hashlib.sha256(data + bytes([i])).hexdigest()
    add(lid)
    add(lid + "/layer.tar", data)
    layers.append(lid + "/layer.tar")
# The first layer once more, as docker save writes a layer it already wrote.
dup = hashlib.sha256(b"dup").hexdigest()
add(dup)
add(dup + "/layer.tar", link="../" + layers[0])
cfg = json.loads(config)
cfg["rootfs"]["diff_ids"].append(cfg["rootfs"]["diff_ids"][0])
config = json.dumps(cfg, separators=(",", ":")).encode()
config_id = hashlib.sha256(config).hexdigest()
add(config_id + ".json", config)
add("manifest.json", json.dumps([{"Config": config_id + ".json", "RepoTags": ["ocipack-fuzz/legacy:1"],
                                  "Layers": layers + [dup + "/layer.tar"]}]).encode())
add("repositories", json.dumps({"ocipack-fuzz/legacy": {"1": layers[-1].split("/")[0]}}).encode())
write(out + "/docker-save-20.10.tar", entries)
PY
ls -l "$elf" "$image"
