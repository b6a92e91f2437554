#!/usr/bin/env python3
"""ocipack's benchmark workloads; run through bench/run.sh, which installs
what they need, builds the tool and installs it under a prefix.

Every run measures ocipack and its baselines one after the other (A B A B
...), so that each figure sits beside a baseline measured in the same
conditions; the table shows the median of each figure over the runs and the
ratio of the medians. The figures of issue 18 go through the build step a
user runs: a CMake project configured with Ninja against the installed
ocipack (find_package), timed as `cmake --build` (W1, W5) or `ninja` (W2),
with the defaults (the SBOM on, the checks on). The older rows (other
compressions, W3, W4) drive the tool with the build spec the module wrote
for W1, edited.
"""

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import time

MB = 1000 * 1000
MIB = 1024 * 1024
WORKLOADS = ("W1", "W2", "W3", "W4", "W5", "W7")
# W5's trees: what they are made of, in this order, and how many files.
TREE_SOURCES = (("include", "/usr/include"), ("locale", "/usr/share/locale"), ("doc", "/usr/share/doc"))
TREE_SIZES = (1000, 10000, 20000, 50000, 100000)
TREE_MAIN = 20000  # the tree of the W5 rows: real copies only, no hard links
W7_IMAGES = 200


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


class Failed(Exception):
    pass


class Timing:
    def __init__(self, wall, rss, cpu, output):
        self.wall = wall      # seconds
        self.rss = rss        # KiB: the largest process among those waited for
        self.cpu = cpu        # user + system seconds of them all
        self.output = output  # what it printed, both streams


def timed(cmd, work, env=None, cwd=None):
    """Runs cmd (a list, or a string for bash) and measures it; raises Failed
    when it fails. os.wait4 gives the peak RSS of the largest process in the
    tree it waited for (ru_maxrss of the children), not their sum."""
    argv = ["bash", "-o", "pipefail", "-c", cmd] if isinstance(cmd, str) else cmd
    log_path = os.path.join(work, "last.log")
    with open(log_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    with open(log_path, errors="replace") as f:
        output = f.read()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise Failed("%s exited with %d: %s" % (" ".join(map(shlex.quote, argv)), code, output[-2000:]))
    return Timing(wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, output)


def sh(cmd):
    return subprocess.run(cmd, shell=True, check=True, capture_output=True, text=True).stdout.strip()


def works(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True).returncode == 0


def rm(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def largest_blob(image_tar):
    with tarfile.open(image_tar) as t:
        return max(m.size for m in t.getmembers() if m.name.startswith("blobs/sha256/"))


def env_with(**values):
    env = dict(os.environ)
    env.update(values)
    return env


class Results:
    def __init__(self):
        self.samples = {}

    def add(self, key, value):
        self.samples.setdefault(key, []).append(value)

    def median(self, key):
        return statistics.median(self.samples[key]) if key in self.samples else None


class Project:
    """A CMake project using the installed ocipack, configured with Ninja."""

    def __init__(self, bench, name, body, languages="NONE", sources=None):
        self.bench = bench
        self.root = os.path.join(bench.work, name)
        self.src = os.path.join(self.root, "src")
        self.build = os.path.join(self.root, "build")
        rm(self.root)
        os.makedirs(self.src)
        for file_name, text in (sources or {}).items():
            with open(os.path.join(self.src, file_name), "w") as f:
                f.write(text)
        with open(os.path.join(self.src, "CMakeLists.txt"), "w") as f:
            f.write("cmake_minimum_required(VERSION 3.20)\nproject(%s LANGUAGES %s)\n"
                    "find_package(ocipack CONFIG REQUIRED)\n%s" % (name, languages, body))
        timed(["cmake", "-S", self.src, "-B", self.build, "-G", "Ninja",
               "-DCMAKE_PREFIX_PATH=" + bench.prefix], bench.work)

    def tarball(self, image):
        return os.path.join(self.build, image + ".tar")

    def spec(self, image):
        return os.path.join(self.build, "ocipack", image + ".spec.json")

    def clean(self, image):
        """Removes what a first build of the image writes: the tarball, its
        SBOMs, the layer cache and the depfile (which ninja would read first:
        see the W5 no-op row)."""
        for path in (self.tarball(image), os.path.join(self.build, image + ".spdx.json"),
                     os.path.join(self.build, image + ".cdx.json"),
                     os.path.join(self.build, "ocipack", image + ".layers"),
                     os.path.join(self.build, "ocipack", image + ".d")):
            rm(path)

    def first_build(self, image, env=None):
        """`cmake --build` after clean(): every layer compressed again."""
        self.clean(image)
        return timed(["cmake", "--build", self.build], self.bench.work, env)

    def pack_argv(self, image):
        """pack_command() as (directory, argv): run without a shell."""
        parts = self.pack_command(image).split(" && ")
        cwd = None
        if parts[0].startswith("cd "):
            cwd = shlex.split(parts.pop(0))[1]
        if len(parts) != 1:
            raise Failed("the image's command is more than `cd` and `ocipack build`: %s" % " && ".join(parts))
        return cwd, shlex.split(parts[0])

    def pack_command(self, image):
        """The image's command as build.ninja has it, up to `ocipack build`
        (without what CMake adds after it): `ocipack build` alone."""
        last = sh("ninja -C %s -t commands %s" % (shlex.quote(self.build),
                                                  shlex.quote(self.tarball(image)))).splitlines()[-1]
        parts = last.split(" && ")
        end = next(i for i, p in enumerate(parts) if " build --spec " in p)
        return " && ".join(parts[:end + 1])


def timing_phase(output, phase):
    """A phase's seconds from OCIPACK_TIMINGS=1's lines, None without them."""
    found = re.search(r"^ocipack: timing: %s ([0-9.]+) s" % re.escape(phase), output, re.M)
    return float(found.group(1)) if found else None


class Bench:
    def __init__(self, a):
        self.tool = os.path.abspath(a.tool)
        self.prefix = os.path.abspath(a.prefix)
        self.big = os.path.abspath(a.big)
        self.work = os.path.abspath(a.work)
        self.runs = a.runs
        self.samples_path = a.samples
        self.only = set(a.only.split(",")) if a.only else set(WORKLOADS)
        unknown = self.only - set(WORKLOADS)
        if unknown:
            raise Failed("unknown workloads %s (known: %s)" % (", ".join(sorted(unknown)), ", ".join(WORKLOADS)))
        self.cores = os.cpu_count()
        self.r = Results()
        self.rows = []
        self.notes = []
        self.above = []  # what the inputs are made of, printed above the table
        self.growth = []
        self.template = None  # W1's spec, as the module wrote it
        self.has_docker = works("docker info")
        self.has_umoci = shutil.which("umoci") is not None
        self.has_buildah = works("c=$(buildah from scratch) && buildah rm \"$c\"")

    # ---- the table ----

    def row(self, work_name, what, value, fmt, base_name=None, base=None, target=None, ok=None):
        ratio = "" if base is None or value is None else "%.4f" % (value / base)
        self.rows.append((work_name, what, fmt(value) if value is not None else "skipped",
                          base_name or "", fmt(base) if base is not None else "",
                          ratio, target or "", "" if ok is None else ("yes" if ok else "NO")))

    def ratio_row(self, work_name, what, key, fmt, base_name, base_key, target, limit, strict=False):
        """A row with a target ratio: met when value / base <= limit (< with strict)."""
        m = self.r.median
        value, base = m(key), m(base_key)
        ratio = value / base
        self.row(work_name, what, value, fmt, base_name, base, target, ratio < limit if strict else ratio <= limit)

    def skipped(self, work_name, what, base_name, reason, target=""):
        self.rows.append((work_name, what, "SKIPPED", base_name, reason, "", target, ""))

    def docker_build(self, ctx, tag, saved):
        return "docker build -q --no-cache -t %s %s && docker save -o %s %s" % (
            tag, shlex.quote(ctx), shlex.quote(saved), tag)

    def umoci_insert(self, layout, source, dest):
        q = shlex.quote
        return ("umoci init --layout {l} && umoci new --image {l}:b && "
                "umoci insert --image {l}:b {s} {d}").format(l=q(layout), s=q(source), d=q(dest))

    def docker_context(self, name, files, dockerfile):
        """A build context holding only `files` (hard links, or copies) and the Dockerfile."""
        ctx = os.path.join(self.work, name)
        rm(ctx)
        os.makedirs(ctx)
        for src in files:
            try:
                os.link(src, os.path.join(ctx, os.path.basename(src)))
            except OSError:
                shutil.copyfile(src, os.path.join(ctx, os.path.basename(src)))
        with open(os.path.join(ctx, "Dockerfile"), "w") as f:
            f.write(dockerfile)
        return ctx

    # ---- W1: one file of 100 MB or more ----

    def w1(self):
        r, work, q = self.r, self.work, shlex.quote
        big, big_name = self.big, os.path.basename(self.big)
        add = "container_image_add_files(big-image %s DESTINATION /)\n" % self.big
        w1 = Project(self, "w1", "add_container_image(big-image RUNTIME_DEPENDENCIES NONE)\n" + add)
        w1_nosbom = Project(self, "w1-nosbom",
                            "add_container_image(big-image RUNTIME_DEPENDENCIES NONE SBOM NONE)\n" + add)
        w1.first_build("big-image")
        self.template = w1.spec("big-image")
        alone = w1.pack_command("big-image")
        variants = {name: self.spec_variant(name, compression, level)
                    for name, compression, level in (("w1.fast", "gzip", 1), ("w1.zstd", "zstd", None),
                                                     ("w1.none", "none", None))}
        out = os.path.join(work, "image.tar")
        floor = "libdeflate-gzip -5 -c %s >/dev/null" % q(big)
        naive = "tar -cf - -C %s %s | gzip -6 -n | sha256sum" % (q(os.path.dirname(big)), q(big_name))
        layout = os.path.join(work, "umoci-layout")
        ctx = self.docker_context("w1-context", [big], "FROM scratch\nCOPY %s /\n" % big_name)
        docker_tar = os.path.join(work, "docker.tar")
        buildah_tar = os.path.join(work, "buildah.tar")
        buildah = ('c=$(buildah from scratch) && buildah copy -q "$c" %s / && '
                   'buildah commit -q "$c" oci-archive:%s && buildah rm "$c"') % (q(big), q(buildah_tar))
        copy_dest = os.path.join(work, "copy")
        self.gzip6_size = int(sh("tar -cf - -C %s %s | gzip -6 -n | wc -c" % (q(os.path.dirname(big)), q(big_name))))
        r.add("gzip6", self.gzip6_size)

        for run in range(self.runs):
            log("W1 run %d of %d" % (run + 1, self.runs))
            t = w1.first_build("big-image")
            r.add("w1", t.wall)
            r.add("w1.cpu", t.cpu)
            r.add("w1.rss", t.rss)
            r.add("w1.size", largest_blob(w1.tarball("big-image")))
            r.add("w1.nosbom", w1_nosbom.first_build("big-image").wall)
            r.add("w1.floor", timed(floor, work).wall / self.cores)
            w1.clean("big-image")
            t = timed(alone, work)
            r.add("w1.alone", t.wall)
            r.add("w1.alone.cpu", t.cpu)
            t = timed(naive, work)
            r.add("naive", t.wall)
            r.add("naive.cpu", t.cpu)
            if self.has_umoci:
                rm(layout)
                r.add("umoci", timed(self.umoci_insert(layout, big, "/" + big_name), work).wall)
                blobs = os.path.join(layout, "blobs", "sha256")
                r.add("umoci.size", max(os.path.getsize(os.path.join(blobs, b)) for b in os.listdir(blobs)))
            if self.has_docker:
                rm(docker_tar)
                r.add("docker", timed(self.docker_build(ctx, "ocipack-bench:w1", docker_tar), work).wall)
                works("docker rmi -f ocipack-bench:w1")
            if self.has_buildah:
                rm(buildah_tar)
                r.add("buildah", timed(buildah, work).wall)
            for key, spec in variants.items():
                rm(out)
                r.add(key, timed([self.tool, "build", "--spec", spec, "--output", out], work).wall)
                r.add(key + ".size", largest_blob(out))
            rm(copy_dest)
            r.add("cp", timed(["cp", big, copy_dest], work).wall)
            rm(copy_dest)
        rm(layout)
        rm(docker_tar)
        rm(buildah_tar)
        rm(out)
        rm(ctx)
        if self.has_buildah:
            works("buildah rm --all")
        self.same_bytes = self.same_bytes_for_threads(w1, (1, 2, 4))
        self.w1_rows()

    def same_bytes_for_threads(self, project, counts):
        """Whether builds with OCIPACK_THREADS=each count write the same tarball."""
        log("W1 builds with OCIPACK_THREADS=%s" % ", ".join(map(str, counts)))
        copies = []
        for n in counts:
            project.first_build("big-image", env_with(OCIPACK_THREADS=str(n)))
            copies.append(os.path.join(self.work, "threads-%d.tar" % n))
            shutil.copyfile(project.tarball("big-image"), copies[-1])
        same = all(works("cmp -s %s %s" % (shlex.quote(copies[0]), shlex.quote(c))) for c in copies[1:])
        for c in copies:
            rm(c)
        return same

    def spec_variant(self, name, compression="gzip", level=None, layers=None):
        """W1's spec as the module wrote it, with another compression or other layers."""
        with open(self.template) as f:
            doc = json.load(f)
        doc["compression"] = compression
        if level is not None:
            doc["compression_level"] = level
        if layers is not None:
            shape = doc["layers"][0]
            doc["layers"] = [dict(shape, created_by="bench layer %d" % (i + 1),
                                  files=[{"source": s, "destination": d} for s, d in files])
                             for i, files in enumerate(layers)]
        path = os.path.join(self.work, name + ".json")
        with open(path, "w") as f:
            json.dump(doc, f)
        return path

    def w1_rows(self):
        m = self.r.median
        sec = lambda v: "%.3f s" % v
        mb = lambda v: "%.2f MB" % (v / MB)
        mib = lambda v: "%.1f MiB" % (v / 1024)
        floor = "libdeflate-gzip -5 / %d cores" % self.cores
        self.ratio_row("W1 large", "build step (SBOM on)", "w1", sec, floor, "w1.floor", "<= 1.25", 1.25)
        self.ratio_row("W1 large", "build step, SBOM NONE", "w1.nosbom", sec, floor, "w1.floor", "<= 1.15", 1.15)
        self.row("W1 large", "ocipack build alone", m("w1.alone"), sec, floor, m("w1.floor"))
        self.ratio_row("W1 large", "layer size", "w1.size", mb, "gzip -6 -n", "gzip6", "<= 1.02", 1.02)
        self.rows.append(("W1 large", "same bytes, 1/2/4 threads", "yes" if self.same_bytes else "NO",
                          "OCIPACK_THREADS=1, 2, 4", "cmp", "", "yes", "yes" if self.same_bytes else "NO"))
        if self.has_umoci:
            self.ratio_row("W1 large", "build step (SBOM on)", "w1", sec, "umoci init + new + insert", "umoci",
                           "< 1", 1, strict=True)
            self.row("W1 large", "layer size", m("w1.size"), mb, "umoci's layer", m("umoci.size"))
        else:
            self.skipped("W1 large", "build step (SBOM on)", "umoci init + new + insert", "umoci is missing", "< 1")
        if self.has_docker:
            self.ratio_row("W1 large", "build step (SBOM on)", "w1", sec, "docker build + docker save", "docker",
                           "< 1", 1, strict=True)
        else:
            self.skipped("W1 large", "build step (SBOM on)", "docker build + docker save",
                         "no Docker daemon answers", "< 1")
        if self.has_buildah:
            self.row("W1 large", "build step (SBOM on)", m("w1"), sec, "buildah from + copy + commit", m("buildah"))
        self.ratio_row("W1 large", "ocipack build alone", "w1.alone", sec, "tar | gzip -6 -n | sha256sum", "naive",
                       "<= 0.15", 0.15)
        self.row("W1 large", "CPU time, build step", m("w1.cpu"), sec, "tar | gzip -6 -n | sha256sum",
                 m("naive.cpu"))
        self.row("W1 large", "CPU time, build alone", m("w1.alone.cpu"), sec, "tar | gzip -6 -n | sha256sum",
                 m("naive.cpu"))
        self.row("W1 large", "peak RSS, build step", m("w1.rss"), mib)
        self.row("W1 level 1", "build alone, level 1", m("w1.fast"), sec, floor, m("w1.floor"))
        self.row("W1 level 1", "layer size, level 1", m("w1.fast.size"), mb, "gzip -6 -n", self.gzip6_size)
        self.row("W1 zstd", "build alone, zstd 3", m("w1.zstd"), sec, floor, m("w1.floor"))
        self.row("W1 zstd", "layer size, zstd", m("w1.zstd.size"), mb, "gzip -6 -n", self.gzip6_size)
        self.row("W1 none", "build alone, none", m("w1.none"), sec, "cp FILE (one copy)", m("cp"))
        size = os.path.getsize(self.big)
        gbps, cp_gbps = size / m("w1.none") / 1e9, size / m("cp") / 1e9
        self.rows.append(("W1 none", "throughput, none", "%.2f GB/s" % gbps, "cp FILE (one copy)",
                          "%.2f GB/s" % cp_gbps, "%.4f" % (gbps / cp_gbps), ">= 1 GB/s", "yes" if gbps >= 1 else "NO"))
        self.notes.append("W1: RUNTIME_DEPENDENCIES NONE, so that the image is the one file; every build step is "
                          "a first build (tarball, SBOM and %s removed before it); floor = one "
                          "`libdeflate-gzip -5` of the file divided by os.cpu_count()."
                          % "<build>/ocipack/big-image.layers")

    # ---- W2: a static C hello ----

    def w2(self):
        r, work = self.r, self.work
        hello_c = "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n"
        w2 = Project(self, "w2", "add_executable(hello hello.c)\ntarget_link_options(hello PRIVATE -static)\n"
                                 "add_container_image(hello-image TARGETS hello)\n",
                     languages="C", sources={"hello.c": hello_c})
        timed(["cmake", "--build", w2.build], work)
        hello = os.path.join(w2.build, "hello")
        self.hello = hello
        touch = "touch %s && " % shlex.quote(hello)
        # What ninja runs once the program changed: the touch (the change)
        # is made before the clock starts, and ninja and the tool are
        # started directly, without a shell (a bash and a touch are 3-4 ms,
        # a fifth of the pack step).
        pack_step = ["ninja", "-C", w2.build]
        self.check_pack_step(w2, touch)
        alone_cwd, alone = w2.pack_argv("hello-image")
        zstd = self.spec_variant("w2-zstd", "zstd", layers=[[(hello, "/")]]) if self.template else None
        out = os.path.join(work, "image.tar")
        ctx = self.docker_context("w2-context", [hello], "FROM scratch\nCOPY hello /\nCMD [\"/hello\"]\n")
        docker_tar = os.path.join(work, "docker.tar")
        runs = max(self.runs, 9)
        for run in range(runs):
            log("W2 run %d of %d" % (run + 1, runs))
            os.utime(hello)
            t = timed(pack_step, work)
            r.add("w2", t.wall)
            r.add("w2.rss", t.rss)
            os.utime(hello)
            r.add("w2.alone", timed(alone, work, cwd=alone_cwd).wall)
            if zstd:
                rm(out)
                r.add("w2.zstd", timed([self.tool, "build", "--spec", zstd, "--output", out], work).wall)
            if self.has_docker:
                rm(docker_tar)
                r.add("w2.docker", timed(self.docker_build(ctx, "ocipack-bench:w2", docker_tar), work).wall)
                works("docker rmi -f ocipack-bench:w2")
        rm(out)
        rm(docker_tar)
        rm(ctx)
        self.w2_rows(runs)

    def check_pack_step(self, project, touch):
        """After the program changed, ninja must rerun the image's command
        alone: otherwise the pack step would time a link too."""
        sh(touch.rstrip("& "))
        plan = sh("ninja -C %s -n -d explain 2>&1" % shlex.quote(project.build))
        edges = [line for line in plan.splitlines() if re.match(r"^\[\d+/\d+\]", line)]
        if len(edges) != 1 or "hello-image" not in edges[0]:
            raise Failed("W2: after touching hello, ninja would run more than the image's command:\n" + plan)
        self.notes.append("W2: after `touch hello`, `ninja -n -d explain` runs one edge: %s" % edges[0])
        timed(["ninja", "-C", project.build], self.work)

    def w2_rows(self, runs):
        m = self.r.median
        ms = lambda v: "%.1f ms" % (v * 1000)
        mib = lambda v: "%.1f MiB" % (v / 1024)
        size = os.path.getsize(self.hello)
        what = "pack step (ninja, program changed)"
        if self.has_docker:
            self.ratio_row("W2 hello", what, "w2", ms, "docker build --no-cache + save", "w2.docker",
                           "<= 0.06", 0.06)
            self.row("W2 hello", "ocipack build alone", m("w2.alone"), ms, "docker build --no-cache + save",
                     m("w2.docker"))
        else:
            self.skipped("W2 hello", what, "docker build --no-cache + save", "no Docker daemon answers", "<= 0.06")
            self.row("W2 hello", what, m("w2"), ms)
            self.row("W2 hello", "ocipack build alone", m("w2.alone"), ms)
        self.row("W2 hello", "peak RSS, pack step", m("w2.rss"), mib)
        if m("w2.zstd") is not None:
            self.row("W2 hello", "build alone, zstd", m("w2.zstd"), ms, "pack step (gzip)", m("w2"))
        self.notes.append("W2: a static C hello, %d bytes (gcc -static); %d runs; the pack step is `ninja` after "
                          "`touch hello` (the touch not timed, no shell); 'ocipack build alone' is the image's "
                          "command from build.ninja, run the same way."
                          % (size, runs))

    # ---- W3 and W4: the tool driven with W1's spec, edited ----

    def w3(self):
        r, work = self.r, self.work
        # W1 plus a small executable in a layer of its own, which each run
        # changes (a byte appended: still a valid ELF file) before rebuilding.
        app = os.path.join(work, "app")
        shutil.copyfile(self.hello, app)
        os.chmod(app, 0o755)
        spec = self.spec_variant("w3", layers=[[(self.big, "/usr/lib")], [(app, "/")]])
        out = os.path.join(work, "w3.tar")
        cache = os.path.join(work, "layer-cache")
        for run in range(self.runs):
            log("W3 run %d of %d" % (run + 1, self.runs))
            with open(app, "ab") as f:
                f.write(b"%08d" % run)
            rm(out)
            r.add("w3.full", timed([self.tool, "build", "--spec", spec, "--output", out], work).wall)
            with open(app, "ab") as f:
                f.write(b"changed")
            r.add("w3.rebuild", timed([self.tool, "build", "--spec", spec, "--output", out], work).wall)
            rm(cache)
            rm(out)
            cached = [self.tool, "build", "--spec", spec, "--output", out, "--cache-dir", cache]
            r.add("w3.cache.full", timed(cached, work).wall)
            with open(app, "ab") as f:
                f.write(b"again")
            r.add("w3.cache.rebuild", timed(cached, work).wall)
        rm(cache)
        rm(out)
        sec = lambda v: "%.3f s" % v
        self.ratio_row("W3 rebuild", "rebuild, no cache", "w3.rebuild", sec, "W3 full build", "w3.full",
                       "<= 0.1", 0.1)
        self.ratio_row("W3 rebuild", "rebuild, --cache-dir", "w3.cache.rebuild", sec, "W3 full build, empty cache",
                       "w3.cache.full", "<= 0.1", 0.1)
        self.notes.append("W3: the CMake module always passes --cache-dir (unchanged layers are reused); "
                          "'no cache' rewrites every layer.")

    def w4(self):
        r, work = self.r, self.work
        big_size = os.path.getsize(self.big)
        copies = -(-1024 * MIB // big_size)
        spec = self.spec_variant("w4", layers=[[(self.big, "/d%d" % i) for i in range(copies)]])
        out = os.path.join(work, "image.tar")
        for run in range(self.runs):
            log("W4 run %d of %d" % (run + 1, self.runs))
            rm(out)
            t = timed([self.tool, "build", "--spec", spec, "--output", out], work)
            r.add("w4", t.wall)
            r.add("w4.rss", t.rss)
        rm(out)
        m = self.r.median
        mib = lambda v: "%.1f MiB" % (v / 1024)
        self.row("W4 memory", "peak RSS, %.2f GiB" % (copies * big_size / 1024 ** 3), m("w4.rss"), mib,
                 "W1 peak RSS, build step", m("w1.rss"), "<= 32 MiB", m("w4.rss") <= 32 * 1024)
        self.row("W4 memory", "build alone, gzip", m("w4"), lambda v: "%.3f s" % v, "W1 build alone", m("w1.alone"))

    # ---- W5: many files ----

    def tree_files(self):
        """The real files W5's trees are made of: (label, source path,
        relative path), regular files only, in path order."""
        files = []
        for label, top in TREE_SOURCES:
            for d, dirs, names in os.walk(top):
                dirs.sort()
                for n in sorted(names):
                    p = os.path.join(d, n)
                    if os.path.isfile(p) and not os.path.islink(p) and os.access(p, os.R_OK):
                        files.append((label, p, os.path.relpath(p, top)))
        return files

    def make_tree(self, root, count, base, pool):
        """A tree of `count` files: file i is base[i % len(base)] under
        copy<i // len(base)>/<label>/. Without a pool, real copies; with one,
        hard links to the pool's first copy."""
        rm(root)
        made = set()
        total = 0
        for i in range(count):
            label, src, rel = base[i % len(base)]
            dest = os.path.join(root, "copy%d" % (i // len(base)), label, rel)
            parent = os.path.dirname(dest)
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            if pool:
                os.link(os.path.join(pool, "copy0", label, rel), dest)
            else:
                shutil.copyfile(src, dest)
            total += os.path.getsize(dest)
        return total

    def w5(self):
        r, work, q = self.r, self.work, shlex.quote
        free = shutil.disk_usage(work).free
        if free < 3 * 1000 * MB:
            raise Failed("W5 needs about 3 GB of free disk under %s, %.1f GB are free" % (work, free / 1e9))
        log("W5: %.1f GB free under %s" % (free / 1e9, work))
        base = self.tree_files()
        ctx = os.path.join(work, "w5-context")
        rm(ctx)
        main = os.path.join(ctx, "tree")
        log("W5: copying %d files into %s" % (TREE_MAIN, main))
        main_bytes = self.make_tree(main, TREE_MAIN, base, None)
        with open(os.path.join(ctx, "Dockerfile"), "w") as f:
            f.write("FROM scratch\nCOPY tree /data\n")
        self.describe_trees(base, main_bytes)
        tree_tar = os.path.join(work, "tree.tar")
        sh("tar -cf %s -C %s tree" % (q(tree_tar), q(ctx)))
        # The copies' writeback must not run beside the first runs.
        os.sync()
        floor = "libdeflate-gzip -5 -c %s >/dev/null" % q(tree_tar)
        body = "add_container_image(tree-image RUNTIME_DEPENDENCIES NONE)\n" \
               "container_image_add_files(tree-image %s/ DESTINATION /data)\n"
        main_project = Project(self, "w5-%d" % TREE_MAIN, body % main)
        layout = os.path.join(work, "umoci-layout")
        docker_tar = os.path.join(work, "docker.tar")
        timings = env_with(OCIPACK_TIMINGS="1")
        main_project.first_build("tree-image")  # the files in the page cache, as for the baselines
        for run in range(self.runs):
            log("W5 run %d of %d (%d files)" % (run + 1, self.runs, TREE_MAIN))
            self.add_tree_build(main_project, TREE_MAIN, timings)
            r.add("w5.floor", timed(floor, work).wall / self.cores)
            if self.has_umoci:
                rm(layout)
                r.add("w5.umoci", timed(self.umoci_insert(layout, main, "/data"), work).wall)
                rm(layout)
            if self.has_docker:
                rm(docker_tar)
                r.add("w5.docker", timed(self.docker_build(ctx, "ocipack-bench:w5", docker_tar), work).wall)
                rm(docker_tar)
                works("docker rmi -f ocipack-bench:w5")
        rm(main_project.root)
        rm(tree_tar)
        self.growth_table(base, main, main_bytes, body, timings)
        rm(ctx)
        self.w5_rows()

    def add_tree_build(self, project, count, env):
        t = project.first_build("tree-image", env)
        key = "w5.%d" % count
        self.r.add(key, t.wall)
        self.r.add(key + ".rss", t.rss)
        plan = timing_phase(t.output, "plan")
        if plan is not None:
            self.r.add(key + ".plan", plan)

    def growth_table(self, base, main, main_bytes, body, env):
        """Build step, planning time and peak RSS from 1k to 100k files; the
        trees other than the main one are hard links to its files."""
        for count in TREE_SIZES:
            if count == TREE_MAIN:
                self.growth.append((count, main_bytes))
                continue
            tree = os.path.join(self.work, "tree-%d" % count)
            size = self.make_tree(tree, count, base, main)
            # No warm-up build: the files are the main tree's, just read.
            project = Project(self, "w5-%d" % count, body % tree)
            for run in range(self.runs):
                log("W5 growth: %d files, run %d of %d" % (count, run + 1, self.runs))
                self.add_tree_build(project, count, env)
            if count == max(TREE_SIZES):
                # Whose peak RSS the build step's is: the tool's alone, beside it.
                project.clean("tree-image")
                self.r.add("w5.alone.rss", timed(project.pack_command("tree-image"), self.work, env).rss)
                # Nothing to do: ninja only reads the image's depfile (one
                # path per file) and stats what it names. The first run
                # brings ninja's log up to date with the run above.
                timed(["cmake", "--build", project.build], self.work)
                for run in range(self.runs):
                    t = timed(["cmake", "--build", project.build], self.work)
                    self.r.add("w5.noop", t.wall)
                    self.r.add("w5.noop.rss", t.rss)
            project.clean("tree-image")
            rm(project.root)
            rm(tree)
            self.growth.append((count, size))

    def describe_trees(self, base, main_bytes):
        counts = {}
        for label, src, _ in base:
            n, b = counts.get(label, (0, 0))
            counts[label] = (n + 1, b + os.path.getsize(src))
        made_of = ", ".join("%s: %d files, %.1f MB" % (top, counts[label][0], counts[label][1] / MB)
                            for label, top in TREE_SOURCES if label in counts)
        self.above.append("W5 trees: the regular files of %s (%d in all), in path order, repeated under "
                          "copy0/, copy1/, ... until the tree has its number of files" % (made_of, len(base)))
        self.above.append("W5 rows: the tree of %d files, %.1f MB (real copies); the other trees of the growth "
                          "table are hard links to its files (cp -al style: each path's bytes are packed, "
                          "the disk holds them once)" % (TREE_MAIN, main_bytes / MB))

    def w5_rows(self):
        m = self.r.median
        sec = lambda v: "%.3f s" % v
        mib = lambda v: "%.1f MiB" % (v / 1024)
        key = "w5.%d" % TREE_MAIN
        what = "build step, %dk files" % (TREE_MAIN // 1000)
        self.ratio_row("W5 files", what, key, sec, "libdeflate-gzip -5 / %d cores" % self.cores, "w5.floor",
                       "<= 1.25", 1.25)
        if self.has_umoci:
            self.ratio_row("W5 files", what, key, sec, "umoci init + new + insert", "w5.umoci", "< 1", 1,
                           strict=True)
        else:
            self.skipped("W5 files", what, "umoci init + new + insert", "umoci is missing", "< 1")
        if self.has_docker:
            self.ratio_row("W5 files", what, key, sec, "docker build --no-cache + save", "w5.docker", "< 1", 1,
                           strict=True)
        else:
            self.skipped("W5 files", what, "docker build --no-cache + save", "no Docker daemon answers", "< 1")
        biggest = max(TREE_SIZES)
        rss = m("w5.%d.rss" % biggest)
        self.row("W5 files", "peak RSS, build step, %dk" % (biggest // 1000), rss, mib,
                 "ocipack build alone", m("w5.alone.rss"), "<= 64 MiB", rss <= 64 * 1024)
        self.row("W5 files", "no-op build step, %dk" % (biggest // 1000), m("w5.noop"), sec,
                 "first build step, %dk" % (biggest // 1000), m("w5.%d" % biggest))
        self.row("W5 files", "peak RSS, no-op build, %dk" % (biggest // 1000), m("w5.noop.rss"), mib)
        self.notes.append("W5 no-op: ninja 1.11 reads the image's depfile (one path per file) on every run and "
                          "drops duplicates with a linear search per path: quadratic, about 3.4 s and 68 MiB at "
                          "114,000 paths (`ninja -d stats`: depfile load); CMake gives custom commands no "
                          "`deps = gcc`, which would keep them in .ninja_deps instead.")
        self.notes.append("W5: container_image_add_files(tree-image <tree>/ DESTINATION /data), "
                          "RUNTIME_DEPENDENCIES NONE; first builds; floor = one `libdeflate-gzip -5` of a tar "
                          "of the tree (made once, not timed) divided by os.cpu_count(); peak RSS = the largest "
                          "process of the build step (os.wait4), beside the tool's own run alone.")

    def growth_text(self):
        m = self.r.median
        header = ("files", "bytes", "build step", "planning", "peak RSS")
        lines = []
        for count, size in self.growth:
            key = "w5.%d" % count
            plan = m(key + ".plan")
            lines.append(("%d" % count, "%.1f MB" % (size / MB), "%.3f s" % m(key),
                          "n/a" if plan is None else "%.3f s" % plan, "%.1f MiB" % (m(key + ".rss") / 1024)))
        return table_text(header, lines)

    # ---- W7: configure ----

    def w7(self):
        r, work = self.r, self.work
        src = os.path.join(work, "w7", "src")
        rm(os.path.dirname(src))
        os.makedirs(src)
        with open(os.path.join(src, "main.c"), "w") as f:
            f.write("int main(void) { return 0; }\n")
        with open(os.path.join(src, "CMakeLists.txt"), "w") as f:
            f.write("cmake_minimum_required(VERSION 3.20)\n"
                    "project(w7 LANGUAGES C)\n"
                    "option(IMAGES \"one image per executable\" ON)\n"
                    "if(IMAGES)\n"
                    "  find_package(ocipack CONFIG REQUIRED)\n"
                    "endif()\n"
                    "foreach(i RANGE 1 %d)\n"
                    "  add_executable(app${i} main.c)\n"
                    "  if(IMAGES)\n"
                    "    add_container_image(app${i}-image TARGETS app${i})\n"
                    "  endif()\n"
                    "endforeach()\n" % W7_IMAGES)
        builds = {"with": ["-DCMAKE_PREFIX_PATH=" + self.prefix], "without": ["-DIMAGES=OFF"]}
        for run in range(self.runs):
            log("W7 run %d of %d" % (run + 1, self.runs))
            for name, args in builds.items():
                build = os.path.join(work, "w7", name)
                rm(build)
                r.add("w7.first." + name, timed(["cmake", "-S", src, "-B", build, "-G", "Ninja"] + args, work).wall)
            for name in builds:
                r.add("w7.again." + name, timed(["cmake", os.path.join(work, "w7", name)], work).wall)
        rm(os.path.dirname(src))
        sec = lambda v: "%.3f s" % v
        self.ratio_row("W7 configure", "first configure, %d images" % W7_IMAGES, "w7.first.with", sec,
                       "the same without images", "w7.first.without", "<= 1.5", 1.5)
        self.ratio_row("W7 configure", "re-configure, %d images" % W7_IMAGES, "w7.again.with", sec,
                       "the same without images", "w7.again.without", "<= 1.5", 1.5)

    # ---- the whole ----

    def run(self):
        rm(self.work)
        os.makedirs(self.work)
        load_before = os.getloadavg()[0]
        log("%d runs of %s; W1 file %s (%.1f MB)" % (self.runs, ", ".join(sorted(self.only)), self.big,
                                                    os.path.getsize(self.big) / MB))
        # W1's spec and figures feed W3 and W4, W2's hello W3.
        needed = set(self.only)
        needed |= {"W1"} if needed & {"W3", "W4"} else set()
        needed |= {"W2"} if "W3" in needed else set()
        for name, step in (("W1", self.w1), ("W2", self.w2), ("W3", self.w3), ("W4", self.w4), ("W5", self.w5),
                           ("W7", self.w7)):
            if name in needed:
                step()
        if not self.has_docker:
            self.notes.append("docker build + docker save: SKIPPED, no Docker daemon answers (`docker info` fails)")
        if not self.has_umoci:
            self.notes.append("umoci: SKIPPED, umoci is not installed")
        self.notes.append("Docker writes uncompressed layers (docker save); umoci, buildah (oci-archive) and "
                          "ocipack gzip (zstd and none where the row says so).")
        print(machine_text(self.tool, self.cores))
        # Other work on the machine slows the parallel compressor more than
        # the one-thread baselines: a load above ~1 before or after says the
        # ratios are pessimistic.
        print("load average (1 min) before the runs %.2f, after %.2f" % (load_before, os.getloadavg()[0]))
        print("W1 input: %s, %.1f MB; medians of %d runs (W2: %d), baselines measured in the same runs"
              % (self.big, os.path.getsize(self.big) / MB, self.runs, max(self.runs, 9)))
        for line in self.above:
            print(line)
        print()
        header = ("workload", "figure", "ocipack", "baseline", "baseline value", "ratio", "target", "met")
        print(table_text(header, self.rows))
        if self.growth:
            print()
            print("W5 growth (build step through cmake --build, OCIPACK_TIMINGS=1 for the planning time):")
            print(self.growth_text())
        print()
        for n in self.notes:
            print("note: " + n)
        if self.samples_path:
            with open(self.samples_path, "w") as f:
                json.dump(self.r.samples, f, indent=1, sort_keys=True)
        # A failed run keeps it (last.log says what failed).
        rm(self.work)


def table_text(header, rows):
    widths = [max(len(str(x[i])) for x in list(rows) + [header]) for i in range(len(header))]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(x) for x in rows])


def machine_text(tool, cores):
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.machine())
    mem = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    debian = open("/etc/debian_version").read().strip() if os.path.exists("/etc/debian_version") else "?"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    commit = sh("git -C %s describe --always --dirty 2>/dev/null || echo unknown" % shlex.quote(root))
    deflate = sh("dpkg-query -W -f='${Version}' libdeflate0 2>/dev/null || echo ?")
    threads = os.environ.get("OCIPACK_THREADS", "%d (one per core)" % cores)
    return ("machine: %s, %d CPUs, %.0f GiB RAM, Debian %s, Linux %s\n"
            "ocipack: %s (commit %s), libdeflate %s, %s compression threads"
            % (cpu, cores, mem / 1024 / 1024, debian, platform.release(),
               sh(shlex.quote(tool) + " --version"), commit, deflate, threads))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True, help="the installed ocipack")
    ap.add_argument("--prefix", required=True, help="where ocipack is installed (CMAKE_PREFIX_PATH)")
    ap.add_argument("--big", required=True, help="a real ELF file of 100 MB or more")
    ap.add_argument("--work", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--samples", help="where to write every run's figures (JSON), beside the medians")
    ap.add_argument("--only", default="", help="workloads to run, comma-separated: " + ",".join(WORKLOADS))
    Bench(ap.parse_args()).run()


if __name__ == "__main__":
    try:
        main()
    except Failed as e:
        log(str(e))
        sys.exit(1)
