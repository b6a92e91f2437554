#!/usr/bin/env bash
# Installs what ocipack's build, example and tests need on Debian 12 (only
# what is missing), and starts a Docker daemon if none answers.
#
#   tests/setup-machine.sh            everything the test suite uses
#   tests/setup-machine.sh --example  only what examples/hello needs
set -euo pipefail

mode=${1:---all}

build_packages=(cmake g++ ninja-build pkg-config libarchive-dev libssl-dev libdeflate-dev
                zlib1g-dev nlohmann-json3-dev libcxxopts-dev)
example_packages=(docker.io)
test_packages=(libgtest-dev jq curl busybox-static docker.io podman skopeo umoci oci-image-tool containerd)

packages=("${build_packages[@]}" "${example_packages[@]}")
[ "$mode" = "--example" ] || packages+=("${test_packages[@]}")

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-machine: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
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
