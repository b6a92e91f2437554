#!/usr/bin/env bash
# Installs what ocipack's build, example and tests need on Debian 12 (only
# what is missing), and starts a Docker daemon if none answers.
#
#   tests/setup-machine.sh            everything the test suite uses
#   tests/setup-machine.sh --build    only what building ocipack and using it in
#                                     a project needs (no Docker, no daemon)
#   tests/setup-machine.sh --example  that, plus Docker (examples/hello)
#   tests/setup-machine.sh --cross    that, plus the arm64 cross toolchain and qemu
#   tests/setup-machine.sh --fresh    everything, plus debootstrap (tests/run.sh --fresh)
#
# Every package is here because a command of the build, the README or a test
# uses it; a minimal Debian root (debootstrap --variant=minbase) has none of
# them. tests/run.sh --fresh proves the list complete.
set -euo pipefail

mode=${1:---all}
case $mode in
  --all | --build | --example | --cross | --fresh) ;;
  *) echo "setup-machine: unknown mode $mode (--build, --example, --cross, --fresh, or none for everything)" >&2; exit 2 ;;
esac

# make: CMake's default generator on Linux is Unix Makefiles (a user's own
# project, the incremental.make test); ninja-build: the presets use Ninja;
# libcurl4-openssl-dev: `ocipack push` speaks HTTP and TLS through libcurl (the same OpenSSL).
build_packages=(cmake g++ make ninja-build pkg-config libarchive-dev libssl-dev libdeflate-dev libzstd-dev
                zlib1g-dev nlohmann-json3-dev libcxxopts-dev libcurl4-openssl-dev)
example_packages=(docker.io)
test_packages=(libgtest-dev jq curl zstd busybox-static docker.io podman skopeo umoci oci-image-tool containerd
               python3                      # tests: sockets, xz bombs, deep JSON, checks of gzip members
               python3-jsonschema           # e2e.sbom: the SBOMs against the SPDX 2.3 and CycloneDX 1.6 schemas
               openssl                      # e2e.tls-server, e2e.runtime-data, registry.sh: certificates of their own
               docker-registry              # registry.sh: real registries (distribution 2.8) for the push tests
               apache2-utils                # registry.sh: htpasswd -B, the registries' bcrypt passwords
               tzdata ca-certificates       # e2e.runtime-data: TZDATA and CA_CERTIFICATES read them
               clang-format-14              # the format test: the code follows .clang-format
               clang-14 libclang-rt-14-dev) # the fuzzers (tests/fuzz, tests/run.sh --fuzz)

cross_packages=(g++-aarch64-linux-gnu qemu-user-static binfmt-support)

packages=("${build_packages[@]}")
case $mode in
  --build) ;;
  --example) packages+=("${example_packages[@]}") ;;
  --cross) packages+=("${example_packages[@]}" "${cross_packages[@]}") ;;
  --all) packages+=("${example_packages[@]}" "${test_packages[@]}" "${cross_packages[@]}") ;;
  --fresh) packages+=("${example_packages[@]}" "${test_packages[@]}" "${cross_packages[@]}" debootstrap) ;;
esac

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
apt_install() {
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "$@" >/dev/null
}
# docker-registry's postinst starts a registry on port 5000 on every
# interface; the tests start their own, on 127.0.0.1 only. So it installs
# under a policy-rc.d that lets no service start (invoke-rc.d and
# deb-systemd-invoke ask it), and the one there before, if any (tests/fresh
# has one), is put back.
policy=/usr/sbin/policy-rc.d
apt_install_no_service() {
  local saved rc=0
  saved=$(mktemp)
  if [ -e "$policy" ]; then "${sudo_cmd[@]}" cp -p "$policy" "$saved"; else rm -f "$saved"; fi
  printf '#!/bin/sh\n# tests/setup-machine.sh: no service starts while it installs\nexit 101\n' |
    "${sudo_cmd[@]}" sh -c "cat > $policy && chmod 755 $policy"
  apt_install "$@" || rc=$?
  if [ -e "$saved" ]; then "${sudo_cmd[@]}" mv "$saved" "$policy"; else "${sudo_cmd[@]}" rm -f "$policy"; fi
  return "$rc"
}
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-machine: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  no_service=() others=()
  for p in "${missing[@]}"; do
    if [ "$p" = docker-registry ]; then no_service+=("$p"); else others+=("$p"); fi
  done
  [ ${#others[@]} -eq 0 ] || apt_install "${others[@]}"
  [ ${#no_service[@]} -eq 0 ] || apt_install_no_service "${no_service[@]}"
fi

[ "$mode" = --build ] && exit 0

# The docker-registry service never runs, now or at boot (installed earlier
# by hand, or by an older version of this script, it may).
if dpkg-query -W -f='${Status}\n' docker-registry 2>/dev/null | grep -q "install ok installed"; then
  if [ -d /run/systemd/system ]; then # systemd is the init (the postinst's own test)
    "${sudo_cmd[@]}" systemctl disable --now --quiet docker-registry.service
  else
    "${sudo_cmd[@]}" update-rc.d docker-registry disable >/dev/null 2>&1 || true
    pidfile=/var/run/docker-registry.pid
    if [ -s "$pidfile" ] && "${sudo_cmd[@]}" kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "setup-machine: stopping the docker-registry service (the tests run their own registries)"
      "${sudo_cmd[@]}" /etc/init.d/docker-registry stop >/dev/null
    fi
  fi
fi

# Docker: the daemon is a service; start one when none answers.
if ! docker info >/dev/null 2>&1; then
  if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
    "${sudo_cmd[@]}" systemctl start docker
  elif [ "$(id -u)" -eq 0 ]; then
    echo "setup-machine: starting dockerd (log: /var/log/ocipack-dockerd.log)"
    setsid dockerd >/var/log/ocipack-dockerd.log 2>&1 < /dev/null &
  else
    "${sudo_cmd[@]}" sh -c 'setsid dockerd >/var/log/ocipack-dockerd.log 2>&1 < /dev/null &'
  fi
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "setup-machine: the Docker daemon did not start; see /var/log/ocipack-dockerd.log" >&2
    exit 1
  fi
fi

# Foreign binaries (arm64 images) run under qemu through binfmt_misc.
if [ "$mode" != --example ] && [ -x /usr/sbin/update-binfmts ]; then
  if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    "${sudo_cmd[@]}" mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
  fi
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    "${sudo_cmd[@]}" update-binfmts --enable qemu-aarch64 2>/dev/null || true
  fi
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] ||
    echo "setup-machine: could not enable qemu-aarch64 in binfmt_misc; arm64 images will not run here" >&2
fi
