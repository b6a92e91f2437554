#!/usr/bin/env bash
# The fresh-machine check (CI part `fresh`, or `tests/run.sh --fresh`): in a
# minimal Debian 12 root made by `debootstrap --variant=minbase`, with only
# git and ca-certificates added by hand, clone this repository's HEAD and run
# exactly the README's two commands, then its "Using it in a project"
# commands on a small dynamically linked C++ program, with CI=true (see
# inside.sh). It proves that the README's commands install everything they
# need: a package that only this machine has is not there.
#
# Needs root (debootstrap, mounts, chroot), debootstrap, network access to
# the Debian mirror this machine's apt uses, and a Docker daemon on this
# machine (its socket is bound into the root; tests inside use it).
#
# What comes in from this machine is configuration and sockets only: the
# apt sources and apt configuration, resolv.conf, a policy-rc.d that starts
# no service, the dockerd socket and /run/docker (dockerd's containerd), the
# system containerd's socket if any, and /etc/docker/certs.d (where the
# running daemon reads registry CAs). The debootstrap result is cached
# exactly as debootstrap made it (a tar of it, keyed by the mirror) and
# copied for each run; nothing installed into a root is ever cached.
#
# Everything is mounted in a private mount namespace (`unshare -m`), and a
# trap unmounts it in reverse order even when a step fails; the copy of the
# root is deleted afterwards (after checking that nothing is mounted in it).
#
#   OCIPACK_FRESH_CACHE  where the debootstrap tar is kept (/var/cache/ocipack-fresh)
#   OCIPACK_FRESH_WORK   where the root is made (a new directory under /var/tmp)
#   OCIPACK_FRESH_KEEP=1 keep the root afterwards (to look into a failure)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

say() { echo "fresh: $*"; }
die() { echo "fresh: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, mount, chroot); run: sudo tests/run.sh --fresh"
for tool in debootstrap unshare chroot git docker; do
  command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install debootstrap util-linux git docker.io)"
done
docker info >/dev/null 2>&1 || die "no Docker daemon answers on this machine (tests/setup-machine.sh starts one); the tests inside the root use it through its socket"
docker_sock=$(readlink -f /var/run/docker.sock)
[ -S "$docker_sock" ] || die "the Docker daemon's socket is not /var/run/docker.sock; the root can only be given that one"

# ---- The Debian mirror this machine's apt uses (never a name written here) ----
# deb822 (.sources: URIs + Suites) or one-line (.list: deb [opts] URI suite ...).
mirror_of_apt() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      function flush() { if (deb && suite && uri != "") { print uri; found = 1; exit } deb = suite = 0; uri = "" }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]*#/ { next }
      tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
      tolower($1) == "uris:" { uri = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite = 1 }
      tolower($1) == "enabled:" && tolower($2) == "no" { deb = 0 }
      END { if (!found) flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && $3 == "bookworm" { print $2 }'
  done
}
mirror=$(mirror_of_apt | head -n 1)
[ -n "$mirror" ] || die "no 'deb ... bookworm' source in /etc/apt/sources.list or /etc/apt/sources.list.d/: debootstrap needs this machine's Debian mirror"
say "mirror (from this machine's apt sources): $mirror"

# ---- The minimal root, cached exactly as debootstrap made it ------------------
cache_dir=${OCIPACK_FRESH_CACHE:-/var/cache/ocipack-fresh}
mkdir -p "$cache_dir"
cache=$cache_dir/bookworm-minbase-$(printf '%s' "$mirror" | sha256sum | cut -c1-12).tar
work=$(mktemp -d "${OCIPACK_FRESH_WORK:-/var/tmp}/ocipack-fresh.XXXXXX")
root=$work/root
# Processes whose root is the copy (none should outlive the chroot).
kill_root_processes() {
  local p
  for p in /proc/[0-9]*; do
    if [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ]; then kill -9 "${p#/proc/}" 2>/dev/null || true; fi
  done
}
cleanup() {
  local rc=$?
  # The mounts lived in the child's private namespace; make sure none leaked
  # here before anything is deleted.
  if findmnt -rn -o TARGET | grep -F "$root" >/dev/null; then
    echo "fresh: error: mounts left under $root; not deleting it" >&2
    exit 1
  fi
  kill_root_processes
  if [ "${OCIPACK_FRESH_KEEP:-}" = 1 ]; then
    say "kept $root"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT

if [ ! -s "$cache" ]; then
  say "debootstrap --variant=minbase bookworm (cached afterwards in $cache)"
  boot=$work/debootstrap
  debootstrap --variant=minbase bookworm "$boot" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  tar --numeric-owner --xattrs -C "$boot" -cf "$cache.tmp.$$" .
  mv "$cache.tmp.$$" "$cache"
  rm -rf "$boot"
fi
say "copying the minimal root from $cache"
mkdir "$root"
tar --numeric-owner --xattrs -C "$root" -xf "$cache"

# ---- Configuration from this machine (not an install) --------------------------
mkdir -p "$root/etc/apt/sources.list.d" "$root/etc/apt/apt.conf.d" "$root/etc/apt/preferences.d" "$root/etc/apt/trusted.gpg.d"
rm -f "$root/etc/apt/sources.list"
if [ -f /etc/apt/sources.list ]; then cp /etc/apt/sources.list "$root/etc/apt/"; fi
for d in sources.list.d apt.conf.d preferences.d trusted.gpg.d; do
  for f in /etc/apt/$d/*; do
    [ -f "$f" ] || continue
    case $d in sources.list.d) case $f in *.list | *.sources) ;; *) continue ;; esac ;; esac
    cp "$f" "$root/etc/apt/$d/"
  done
done
# Keyrings the sources name (Signed-By) that the minimal root lacks.
{ grep -rhoE '(Signed-By:|signed-by=)[[:space:]]*/[^] ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
  /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } | sed -E 's/^(Signed-By:|signed-by=)[[:space:]]*//' | sort -u |
  while read -r key; do
    if [ -f "$key" ] && [ ! -e "$root$key" ]; then
      mkdir -p "$root$(dirname "$key")" && cp "$key" "$root$key"
    fi
  done
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
printf '#!/bin/sh\n# fresh root: no service starts inside it\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

# The repository: a bare clone of HEAD, from which the inside clones.
git clone -q --bare --no-local "$repo" "$root/srv/ocipack.git"
say "testing commit $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD 2>/dev/null || echo ' (uncommitted changes are not part of it)')"
cp "$repo/tests/fresh/inside.sh" "$root/srv/inside.sh"

# Images the README's commands load into this machine's Docker (on purpose:
# they are the examples) are removed afterwards; the Docker is this machine's.
images_before=$(docker images -aq --no-trunc | sort -u)
remove_new_images() {
  local id
  for id in $(comm -13 <(echo "$images_before") <(docker images -aq --no-trunc | sort -u)); do
    docker rmi -f "$id" >/dev/null 2>&1 || true
  done
}

# ---- Mount, chroot, run: all in a private mount namespace ---------------------
mkdir -p /etc/docker/certs.d
export root docker_sock
start=$SECONDS
rc=0
unshare -m --propagation private bash -euo pipefail -c '
  mounted=()
  unmount_all() {
    local i
    # binfmt_misc, if a test mounted it inside the root, goes first.
    if mountpoint -q "$root/proc/sys/fs/binfmt_misc" 2>/dev/null; then umount "$root/proc/sys/fs/binfmt_misc" || true; fi
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
      umount -R "${mounted[i]}" 2>/dev/null || umount -lR "${mounted[i]}" || true
    done
  }
  trap unmount_all EXIT
  m() { # mount args... target (the last argument)
    mount "$@"
    mounted+=("${!#}")
  }
  m --rbind "$root" "$root"                 # / is a mount point (podman needs it)
  m -t proc proc "$root/proc"
  m --rbind /sys "$root/sys"
  m --rbind /dev "$root/dev"                # dev/pts with it
  mkdir -p "$root/run/docker"
  m --rbind /run/docker "$root/run/docker"  # dockerd state and its containerd socket
  touch "$root/run/docker.sock"
  m --bind "$docker_sock" "$root/run/docker.sock"
  if [ -S /run/containerd/containerd.sock ]; then
    mkdir -p "$root/run/containerd"
    m --bind /run/containerd "$root/run/containerd"
  fi
  mkdir -p "$root/etc/docker/certs.d"
  m --bind /etc/docker/certs.d "$root/etc/docker/certs.d"
  chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    CI=true OCIPACK_FUZZ_SECONDS="${OCIPACK_FUZZ_SECONDS:-}" \
    /bin/bash /srv/inside.sh
' &
# In the background and waited for, so that a SIGTERM or SIGINT (a CI
# timeout, ^C) is handled at once: the processes in the root are killed, the
# namespace's trap unmounts, and cleanup deletes the copy.
child=$!
trap 'kill_root_processes; wait "$child" 2>/dev/null; exit 143' TERM INT
wait "$child" || rc=$?
remove_new_images
if [ "$rc" -eq 0 ]; then
  say "passed in $((SECONDS - start)) s"
else
  say "FAILED (exit $rc) after $((SECONDS - start)) s"
fi
exit "$rc"
