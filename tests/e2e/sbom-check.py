#!/usr/bin/env python3
"""Checks of the SBOMs that ocipack writes (tests/e2e/sbom.sh).

  sbom-check.py validate SCHEMA_DIR FILE...   against SPDX 2.3 / CycloneDX 1.6
  sbom-check.py layers IMAGE.tar FILE.spdx.json
      every file of every layer listed with its checksums, and nothing else
  sbom-check.py packages FILE.spdx.json [cross]
      each bundled file's package and version as dpkg-query says
  sbom-check.py status IMAGE.tar
      /var/lib/dpkg/status.d/* field by field against dpkg's own status
"""
import hashlib
import io
import json
import subprocess
import sys
import tarfile

import jsonschema


def validate(schema_dir, files):
    schemas = {}
    for name in ("spdx-2.3.schema.json", "bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"):
        with open(f"{schema_dir}/{name}") as f:
            schemas[name] = json.load(f)
    # The CycloneDX schema refers to the other two by their $id (and by file name).
    store = {}
    for name, schema in schemas.items():
        store[name] = schema
        if "$id" in schema:
            store[schema["$id"]] = schema
    for path in files:
        with open(path) as f:
            doc = json.load(f)
        schema = schemas["spdx-2.3.schema.json" if path.endswith(".spdx.json") else "bom-1.6.schema.json"]
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        jsonschema.Draft7Validator(schema, resolver=resolver).validate(doc)
        print(f"ok: {path} is valid")


def layer_tar(outer, layer):
    """A layer of the image as a tarfile (gzip, zstd through zstd(1), or plain)."""
    blob = outer.extractfile("blobs/sha256/" + layer["digest"].split(":")[1]).read()
    if layer["mediaType"].endswith("+zstd"):
        blob = subprocess.run(["zstd", "-dc"], input=blob, capture_output=True, check=True).stdout
    return tarfile.open(fileobj=io.BytesIO(blob))


def image_manifest(outer):
    index = json.load(outer.extractfile("index.json"))
    return json.load(outer.extractfile("blobs/sha256/" + index["manifests"][0]["digest"].split(":")[1]))


def image_layers(tarball):
    """{layer digest: {path: (sha256, sha1)}} of the image's regular files."""
    out = {}
    with tarfile.open(tarball) as outer:
        for layer in image_manifest(outer)["layers"]:
            files = {}
            with layer_tar(outer, layer) as t:
                for m in t:
                    if m.isreg():
                        data = t.extractfile(m).read()
                        path = m.name[2:] if m.name.startswith("./") else m.name
                        files[path] = (hashlib.sha256(data).hexdigest(), hashlib.sha1(data).hexdigest())
            out[layer["digest"]] = files
    return out


def spdx_layers(doc):
    names = {p["SPDXID"]: p["name"] for p in doc["packages"]}
    files = {f["SPDXID"]: f for f in doc["files"]}
    out = {}
    for r in doc["relationships"]:
        if r["relationshipType"] == "CONTAINS" and r["spdxElementId"].startswith("SPDXRef-Layer-"):
            f = files[r["relatedSpdxElement"]]
            sums = {c["algorithm"]: c["checksumValue"] for c in f["checksums"]}
            out.setdefault(names[r["spdxElementId"]], {})[f["fileName"][2:]] = (sums["SHA256"], sums["SHA1"])
    return out


def layers(tarball, spdx):
    with open(spdx) as f:
        listed = spdx_layers(json.load(f))
    actual = image_layers(tarball)
    for digest, files in actual.items():
        if listed.get(digest, {}) != files:
            missing = set(files.items()) ^ set(listed.get(digest, {}).items())
            sys.exit(f"FAIL: layer {digest}: the SBOM's files differ from the layer's: {sorted(missing)[:5]}")
    if set(listed) - set(actual):
        sys.exit(f"FAIL: layers in the SBOM that the image lacks: {set(listed) - set(actual)}")
    print(f"ok: {sum(len(f) for f in actual.values())} files' checksums in {len(actual)} layers")


def dpkg_owner(path):
    """dpkg-query -S of an in-root path, under either spelling of a merged /usr."""
    spellings = [path]
    if path.startswith("/usr/"):
        spellings.append(path[4:])
    else:
        spellings.append("/usr" + path)
    for p in spellings:
        r = subprocess.run(["dpkg-query", "-S", p], capture_output=True, text=True)
        if r.returncode == 0:
            for line in r.stdout.splitlines():
                owners, _, listed = line.partition(": ")
                if listed == p and "diversion" not in owners:
                    return owners.split(",")[0].strip().split(":")[0]
    return None


def dpkg_version(name):
    return subprocess.run(["dpkg-query", "-W", "-f", "${Version}", name], capture_output=True, text=True,
                          check=True).stdout


def packages(spdx, cross):
    with open(spdx) as f:
        doc = json.load(f)
    files = {f["SPDXID"]: f["fileName"][1:] for f in doc["files"]}
    pkgs = {p["SPDXID"]: p for p in doc["packages"] if p["SPDXID"].startswith("SPDXRef-Package-deb-")}
    checked = 0
    for r in doc["relationships"]:
        if r["relationshipType"] != "CONTAINS" or r["spdxElementId"] not in pkgs:
            continue
        p = pkgs[r["spdxElementId"]]
        path = files[r["relatedSpdxElement"]]
        if cross:
            if not p["name"].endswith("-cross"):
                sys.exit(f"FAIL: {path} of a cross image is in {p['name']}, not a *-cross package")
        else:
            owner = dpkg_owner(path)
            if owner != p["name"]:
                sys.exit(f"FAIL: {path}: the SBOM says {p['name']}, dpkg-query -S says {owner}")
        if dpkg_version(p["name"]) != p["versionInfo"]:
            sys.exit(f"FAIL: {p['name']}: the SBOM says {p['versionInfo']}, dpkg-query -W {dpkg_version(p['name'])}")
        checked += 1
    if checked == 0:
        sys.exit(f"FAIL: {spdx} names no package for any file")
    print(f"ok: {checked} files' packages and versions as dpkg-query says ({len(pkgs)} packages)")


def paragraphs(text):
    """deb822 paragraphs as {field: value with continuation lines}."""
    out = []
    for block in text.split("\n\n"):
        fields, key = {}, None
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if fields:
            out.append(fields)
    return out


def status(tarball):
    with open("/var/lib/dpkg/status") as f:
        installed = {(p["Package"], p.get("Architecture")): p for p in paragraphs(f.read())}
    found = 0
    with tarfile.open(tarball) as outer:
        for layer in image_manifest(outer)["layers"]:
            with layer_tar(outer, layer) as t:
                for m in t:
                    name = m.name[2:] if m.name.startswith("./") else m.name
                    if not m.isreg() or not name.startswith("var/lib/dpkg/status.d/"):
                        continue
                    text = t.extractfile(m).read().decode()
                    if name.endswith(".md5sums"):
                        continue
                    [p] = paragraphs(text)
                    theirs = installed.get((p["Package"], p.get("Architecture")))
                    if theirs != p:
                        sys.exit(f"FAIL: {name} differs from dpkg's status entry:\n{p}\n{theirs}")
                    md5 = t.extractfile(t.getmember(m.name + ".md5sums")).read().decode().splitlines()
                    if not md5:
                        sys.exit(f"FAIL: {name}.md5sums lists no file")
                    for stem in (p["Package"] + ":" + p["Architecture"], p["Package"]):
                        try:
                            with open(f"/var/lib/dpkg/info/{stem}.md5sums") as f:
                                own = set(f.read().splitlines())
                            break
                        except FileNotFoundError:
                            own = set()
                    if not set(md5) <= own:
                        sys.exit(f"FAIL: {name}.md5sums has lines that dpkg's md5sums lacks: {set(md5) - own}")
                    found += 1
    if found == 0:
        sys.exit(f"FAIL: {tarball} has no /var/lib/dpkg/status.d")
    print(f"ok: {found} status.d entries as dpkg's status has them")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "validate":
        validate(args[0], args[1:])
    elif command == "layers":
        layers(*args)
    elif command == "packages":
        packages(args[0], len(args) > 1 and args[1] == "cross")
    elif command == "status":
        status(args[0])
    else:
        sys.exit(f"unknown command {command}")
