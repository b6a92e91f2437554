#!/usr/bin/env python3
"""ocipack's benchmark workloads; run through bench/run.sh, which installs
what they need and builds the tool.

Every run measures ocipack and its baselines one after the other (A B A B
...), so that each figure sits beside a baseline measured in the same
conditions; the table shows the median of each figure over the runs and the
ratio of the medians. The tool is driven by hand-written build specs (the
JSON the CMake module writes), so no CMake project is configured per run.
"""

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import time

MB = 1000 * 1000
MIB = 1024 * 1024


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


class Failed(Exception):
    pass


def timed(cmd, work, env=None):
    """Runs cmd (a list, or a string for bash), returns (wall seconds, peak
    RSS in KiB of the process: for a bash pipeline, of its largest member,
    CPU seconds of the process and all it waited for)."""
    argv = ["bash", "-o", "pipefail", "-c", cmd] if isinstance(cmd, str) else cmd
    with open(os.path.join(work, "last.log"), "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        with open(os.path.join(work, "last.log"), errors="replace") as f:
            raise Failed("%s exited with %d: %s" % (" ".join(map(shlex.quote, argv)), proc.returncode,
                                                    f.read()[-2000:]))
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def sh(cmd):
    return subprocess.run(cmd, shell=True, check=True, capture_output=True, text=True).stdout.strip()


def works(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True).returncode == 0


def spec(path, layers, compression="gzip", level=None):
    doc = {
        "version": 1, "image": "bench", "tags": ["ocipack-bench:1"], "compression": compression,
        "config": {}, "runtime_dependencies": {"mode": "none", "libraries": []},
        "layers": [{"created_by": "bench layer %d" % (i + 1),
                    "files": [{"source": src, "destination": dest} for src, dest in files]}
                   for i, files in enumerate(layers)],
    }
    if level is not None:
        doc["compression_level"] = level
    # The SBOM is on by default (SPDX): measured with it, as users build.
    doc["sbom"] = {"outputs": [{"format": "spdx", "path": os.path.abspath(path) + ".spdx.json"}]}
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def largest_blob(image_tar):
    with tarfile.open(image_tar) as t:
        return max(m.size for m in t.getmembers() if m.name.startswith("blobs/sha256/"))


def rm(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


class Results:
    def __init__(self):
        self.samples = {}

    def add(self, key, value):
        self.samples.setdefault(key, []).append(value)

    def median(self, key):
        return statistics.median(self.samples[key]) if key in self.samples else None


def machine_text(tool, threads):
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.machine())
    mem = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    debian = open("/etc/debian_version").read().strip() if os.path.exists("/etc/debian_version") else "?"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    commit = sh("git -C %s describe --always --dirty 2>/dev/null || echo unknown" % shlex.quote(root))
    deflate = sh("dpkg-query -W -f='${Version}' libdeflate0 2>/dev/null || echo ?")
    return ("machine: %s, %d CPUs, %.0f GiB RAM, Debian %s, Linux %s\n"
            "ocipack: %s (%s), libdeflate %s, %s compression threads"
            % (cpu, os.cpu_count(), mem / 1024 / 1024, debian, platform.release(),
               sh(shlex.quote(tool) + " --version"), commit, deflate, threads))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--big", required=True, help="a real ELF file of 100 MB or more")
    ap.add_argument("--hello", required=True, help="a small static executable")
    ap.add_argument("--work", required=True)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    tool, big, work = os.path.abspath(a.tool), os.path.abspath(a.big), os.path.abspath(a.work)
    rm(work)
    os.makedirs(work)
    big_size = os.path.getsize(big)
    big_name = os.path.basename(big)
    notes = []

    # ---- Inputs ----
    w1_gzip = spec(os.path.join(work, "w1.json"), [[(big, "/")]])
    w1_none = spec(os.path.join(work, "w1-none.json"), [[(big, "/")]], "none")
    w1_fast = spec(os.path.join(work, "w1-level1.json"), [[(big, "/")]], "gzip", 1)
    w1_zstd = spec(os.path.join(work, "w1-zstd.json"), [[(big, "/")]], "zstd")
    w2_zstd = spec(os.path.join(work, "w2-zstd.json"), [[(os.path.abspath(a.hello), "/")]], "zstd")
    w2 = spec(os.path.join(work, "w2.json"), [[(os.path.abspath(a.hello), "/")]])
    # W3: W1 plus a small executable in a layer of its own, which each run
    # changes (a byte appended: still a valid ELF file) before rebuilding.
    app = os.path.join(work, "app")
    shutil.copyfile(a.hello, app)
    os.chmod(app, 0o755)
    w3 = spec(os.path.join(work, "w3.json"), [[(big, "/usr/lib")], [(app, "/")]])
    # W4: 1 GiB or more of input in one layer: copies of the big file.
    copies = -(-1024 * MIB // big_size)
    w4 = spec(os.path.join(work, "w4.json"), [[(big, "/d%d" % i) for i in range(copies)]])
    w4_bytes = copies * big_size

    # Docker build context: only the file and the Dockerfile.
    ctx = os.path.join(work, "docker-context")
    os.makedirs(ctx)
    try:
        os.link(big, os.path.join(ctx, big_name))
    except OSError:
        shutil.copyfile(big, os.path.join(ctx, big_name))
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write("FROM scratch\nCOPY %s /\n" % big_name)

    has_docker = works("docker info")
    if not has_docker:
        notes.append("docker build + docker save: SKIPPED, no Docker daemon answers (`docker info` fails)")
    has_buildah = works("c=$(buildah from scratch) && buildah rm \"$c\"")
    if not has_buildah:
        notes.append("buildah: SKIPPED, `buildah from scratch` does not run here")
    has_cache = "--cache-dir" in sh(shlex.quote(tool) + " build --help")

    q = shlex.quote
    out = os.path.join(work, "image.tar")
    naive_big = "tar -cf - -C %s %s | gzip -6 -n | sha256sum" % (q(os.path.dirname(big)), q(big_name))
    naive_hello = "tar -cf - -C %s %s | gzip -6 -n | sha256sum" % (
        q(os.path.dirname(os.path.abspath(a.hello))), q(os.path.basename(a.hello)))
    layout = os.path.join(work, "umoci-layout")
    umoci = ("umoci init --layout {l} && umoci new --image {l}:b && "
             "umoci insert --image {l}:b {f} /{n}").format(l=q(layout), f=q(big), n=q(big_name))
    docker_tar = os.path.join(work, "docker.tar")
    docker = "docker build -q --no-cache -t ocipack-bench:w1 %s && docker save -o %s ocipack-bench:w1" % (
        q(ctx), q(docker_tar))
    buildah_tar = os.path.join(work, "buildah.tar")
    buildah = ('c=$(buildah from scratch) && buildah copy -q "$c" %s / && '
               'buildah commit -q "$c" oci-archive:%s && buildah rm "$c"') % (q(big), q(buildah_tar))
    copy_dest = os.path.join(work, "copy")

    load_before = os.getloadavg()[0]
    r = Results()
    threads = os.environ.get("OCIPACK_THREADS", str(os.cpu_count()))
    log("W1 file %s (%.1f MB), W4 %d copies (%.2f GiB); %d runs" % (
        big, big_size / MB, copies, w4_bytes / 1024 ** 3, a.runs))
    gzip6_size = int(sh("tar -cf - -C %s %s | gzip -6 -n | wc -c" % (q(os.path.dirname(big)), q(big_name))))

    for run in range(a.runs):
        log("run %d of %d" % (run + 1, a.runs))
        # ---- W1 large: gzip, beside each baseline ----
        rm(out)
        t, rss, cpu = timed([tool, "build", "--spec", w1_gzip, "--output", out], work)
        r.add("w1", t)
        r.add("w1.rss", rss)
        r.add("w1.cpu", cpu)
        r.add("w1.size", largest_blob(out))
        t, _, cpu = timed(naive_big, work)
        r.add("naive", t)
        r.add("naive.cpu", cpu)
        rm(layout)
        r.add("umoci", timed(umoci, work)[0])
        umoci_blobs = os.path.join(layout, "blobs", "sha256")
        r.add("umoci.size", max(os.path.getsize(os.path.join(umoci_blobs, b)) for b in os.listdir(umoci_blobs)))
        if has_docker:
            rm(docker_tar)
            r.add("docker", timed(docker, work)[0])
            works("docker rmi -f ocipack-bench:w1")
        if has_buildah:
            rm(buildah_tar)
            r.add("buildah", timed(buildah, work)[0])
        # COMPRESSION_LEVEL 1: the fast end of the speed/size trade-off.
        rm(out)
        r.add("w1.fast", timed([tool, "build", "--spec", w1_fast, "--output", out], work)[0])
        r.add("w1.fast.size", largest_blob(out))
        # COMPRESSION zstd (level 3).
        rm(out)
        r.add("w1.zstd", timed([tool, "build", "--spec", w1_zstd, "--output", out], work)[0])
        r.add("w1.zstd.size", largest_blob(out))
        # COMPRESSION none beside copying the bytes once.
        rm(out)
        r.add("w1.none", timed([tool, "build", "--spec", w1_none, "--output", out], work)[0])
        rm(copy_dest)
        r.add("cp", timed(["cp", big, copy_dest], work)[0])
        rm(copy_dest)

        # ---- W2 small ----
        rm(out)
        t, rss, _ = timed([tool, "build", "--spec", w2, "--output", out], work)
        r.add("w2", t)
        r.add("w2.rss", rss)
        r.add("w2.naive", timed(naive_hello, work)[0])
        rm(out)
        r.add("w2.zstd", timed([tool, "build", "--spec", w2_zstd, "--output", out], work)[0])

        # ---- W3 rebuild: full build, change the executable, build again ----
        with open(app, "ab") as f:
            f.write(b"%08d" % run)
        w3_out = os.path.join(work, "w3.tar")
        rm(w3_out)
        r.add("w3.full", timed([tool, "build", "--spec", w3, "--output", w3_out], work)[0])
        with open(app, "ab") as f:
            f.write(b"changed")
        r.add("w3.rebuild", timed([tool, "build", "--spec", w3, "--output", w3_out], work)[0])
        if has_cache:
            cache = os.path.join(work, "layer-cache")
            rm(cache)
            rm(w3_out)
            cached = [tool, "build", "--spec", w3, "--output", w3_out, "--cache-dir", cache]
            r.add("w3.cache.full", timed(cached, work)[0])
            with open(app, "ab") as f:
                f.write(b"again")
            r.add("w3.cache.rebuild", timed(cached, work)[0])
            rm(cache)

        # ---- W4 memory: 1 GiB in one layer ----
        rm(out)
        t, rss, _ = timed([tool, "build", "--spec", w4, "--output", out], work)
        r.add("w4", t)
        r.add("w4.rss", rss)
        rm(out)

    if has_buildah:
        works("buildah rm --all")
    rm(ctx)

    # ---- The table ----
    m = r.median
    rows = []

    def row(work_name, what, value, fmt, base_name=None, base=None, target=None, ok=None):
        ratio = "" if base is None or value is None else "%.4f" % (value / base)
        rows.append((work_name, what, fmt(value) if value is not None else "skipped",
                     base_name or "", fmt(base) if base is not None else "",
                     ratio, target or "", "" if ok is None else ("yes" if ok else "NO")))

    sec = lambda v: "%.3f s" % v
    ms = lambda v: "%.1f ms" % (v * 1000)
    mb = lambda v: "%.2f MB" % (v / MB)
    mib = lambda v: "%.1f MiB" % (v / 1024)

    w1 = m("w1")
    row("W1 large", "build, gzip", w1, sec, "tar | gzip -6 -n | sha256sum", m("naive"), "<= 0.15",
        w1 / m("naive") <= 0.15)
    row("W1 large", "build, gzip", w1, sec, "umoci init + new + insert", m("umoci"), "< 1", w1 < m("umoci"))
    if has_docker:
        row("W1 large", "build, gzip", w1, sec, "docker build + docker save", m("docker"), "< 1",
            w1 < m("docker"))
    if has_buildah:
        row("W1 large", "build, gzip", w1, sec, "buildah from + copy + commit", m("buildah"))
    row("W1 large", "CPU time, gzip", m("w1.cpu"), sec, "tar | gzip -6 -n | sha256sum", m("naive.cpu"))
    row("W1 large", "layer size", m("w1.size"), mb, "gzip -6 -n", gzip6_size, "<= 1.02",
        m("w1.size") / gzip6_size <= 1.02)
    row("W1 large", "layer size", m("w1.size"), mb, "umoci's layer", m("umoci.size"))
    row("W1 large", "peak RSS, gzip", m("w1.rss"), mib)
    row("W1 level 1", "build, gzip level 1", m("w1.fast"), sec, "tar | gzip -6 -n | sha256sum", m("naive"))
    row("W1 level 1", "layer size, level 1", m("w1.fast.size"), mb, "gzip -6 -n", gzip6_size)
    row("W1 zstd", "build, zstd level 3", m("w1.zstd"), sec, "tar | gzip -6 -n | sha256sum", m("naive"))
    row("W1 zstd", "layer size, zstd", m("w1.zstd.size"), mb, "gzip -6 -n", gzip6_size)
    row("W1 none", "build, none", m("w1.none"), sec, "cp FILE (one copy)", m("cp"))
    gbps = big_size / m("w1.none") / 1e9
    rows.append(("W1 none", "throughput, none", "%.2f GB/s" % gbps, "cp FILE (one copy)",
                 "%.2f GB/s" % (big_size / m("cp") / 1e9), "%.4f" % (gbps / (big_size / m("cp") / 1e9)),
                 ">= 1 GB/s", "yes" if gbps >= 1 else "NO"))
    row("W2 small", "build, hello", m("w2"), ms, "tar | gzip -6 -n | sha256sum", m("w2.naive"), "<= 10 ms",
        m("w2") <= 0.010)
    row("W2 small", "peak RSS", m("w2.rss"), mib)
    row("W2 small", "build, hello, zstd", m("w2.zstd"), ms, "tar | gzip -6 -n | sha256sum", m("w2.naive"), "<= 10 ms",
        m("w2.zstd") <= 0.010)
    row("W3 rebuild", "rebuild, no cache", m("w3.rebuild"), sec, "W3 full build", m("w3.full"), "<= 0.1",
        m("w3.rebuild") / m("w3.full") <= 0.1)
    if has_cache:
        row("W3 rebuild", "rebuild, --cache-dir", m("w3.cache.rebuild"), sec, "W3 full build, empty cache",
            m("w3.cache.full"), "<= 0.1", m("w3.cache.rebuild") / m("w3.cache.full") <= 0.1)
    row("W4 memory", "peak RSS, %.2f GiB" % (w4_bytes / 1024 ** 3), m("w4.rss"), mib,
        "W1 peak RSS (%.2f GiB)" % (big_size / 1024 ** 3), m("w1.rss"), "<= 32 MiB", m("w4.rss") <= 32 * 1024)
    row("W4 memory", "build, gzip", m("w4"), sec, "W1 build, gzip", w1)

    print(machine_text(tool, threads))
    # Other work on the machine slows the parallel compressor more than the
    # one-thread baselines: a load above ~1 before or after says the ratios
    # are pessimistic.
    print("load average (1 min) before the runs %.2f, after %.2f" % (load_before, os.getloadavg()[0]))
    print("W1 input: %s, %.1f MB; medians of %d runs, baselines measured in the same runs"
          % (big, big_size / MB, a.runs))
    print()
    header = ("workload", "figure", "ocipack", "baseline", "baseline value", "ratio", "target", "met")
    widths = [max(len(str(x[i])) for x in rows + [header]) for i in range(len(header))]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    print(line(header))
    print(line(["-" * w for w in widths]))
    for x in rows:
        print(line(x))
    print()
    print("Docker and buildah write uncompressed layers (docker save, buildah commit's default); "
          "umoci and ocipack gzip (zstd and none where the row says so).")
    if not has_cache:
        print("W3: this ocipack has no --cache-dir: every build rewrites every layer.")
    else:
        print("W3: the CMake module always passes --cache-dir (unchanged layers are reused); "
              "'no cache' rewrites every layer.")
    for n in notes:
        print("note: " + n)


if __name__ == "__main__":
    try:
        main()
    except Failed as e:
        log(str(e))
        sys.exit(1)
