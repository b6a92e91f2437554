#!/usr/bin/env bash
# The engines fixture: `record` (FIXTURES_SETUP) notes what the user's
# Docker, podman and containerd hold before the end-to-end tests; `check`
# (FIXTURES_CLEANUP) compares after them. What the tests created and left
# (images, tagged or not, containers, containerd namespaces and their
# images) is named, removed, and fails the check; what was there before,
# the user's own, is never touched and never fails it.
source "$(dirname "$0")/lib.sh"
state=$E2E_WORK/engine-state
mode=${1:?usage: engine-state.sh record|check}

containerd_socks=()
for s in /var/run/docker/containerd/containerd.sock /run/containerd/containerd.sock; do
  [ -S "$s" ] && containerd_socks+=("$s")
done

snapshot() { # -> lines "<engine> <kind> <id>"
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    docker images -aq --no-trunc | sed 's/^/docker image /'
    docker images --no-trunc --format '{{.Repository}}:{{.Tag}}' | { grep -v '^<none>:<none>$' || true; } | sed 's/^/docker tag /'
    docker ps -aq --no-trunc | sed 's/^/docker container /'
  fi
  if command -v podman >/dev/null; then
    podman images -aq --no-trunc 2>/dev/null | sed 's/^/podman image /'
    podman ps -aq --no-trunc 2>/dev/null | sed 's/^/podman container /'
  fi
  if command -v ctr >/dev/null; then
    local sock ns
    for sock in "${containerd_socks[@]}"; do
      for ns in $(ctr -a "$sock" namespaces ls -q 2>/dev/null); do
        # dockerd makes "moby" in its own containerd at its first `docker
        # run`: the daemon's, not a test's (its images are still listed).
        [ "$sock:$ns" = /var/run/docker/containerd/containerd.sock:moby ] ||
          echo "ctr:$sock namespace $ns"
        ctr -a "$sock" -n "$ns" images ls -q 2>/dev/null | sed "s|^|ctr:$sock image $ns/|"
      done
    done
  fi
  true
}

remove() { # engine kind id
  case $1:$2 in
    docker:container) docker rm -f "$3" ;;
    docker:tag) docker rmi "$3" ;;
    docker:image) docker rmi -f "$3" ;;
    podman:container) podman rm -f "$3" ;;
    podman:image) podman rmi -f "$3" ;;
    ctr:*:image) ctr -a "${1#ctr:}" -n "${3%%/*}" images rm --sync "${3#*/}" ;;
    ctr:*:namespace) ctr -a "${1#ctr:}" namespaces rm "$3" ;;
  esac
}

case $mode in
  record)
    mkdir -p "$state"
    snapshot | sort -u > "$state/before"
    echo "recorded $(wc -l < "$state/before") engine objects that were there before the tests"
    ;;
  check)
    [ -f "$state/before" ] || fail "no record of the engines before the tests ($state/before)"
    left=$(comm -13 "$state/before" <(snapshot | sort -u))
    if [ -z "$left" ]; then
      echo "ok: the tests left nothing in Docker, podman or containerd"
      exit 0
    fi
    echo "the tests left these in the user's engines (removed now):" >&2
    echo "$left" | sed 's/^/  /' >&2
    # Containers, then tags, images, containerd images, namespaces last.
    for kind in container tag image namespace; do
      while read -r engine k id; do
        [ "$k" = "$kind" ] || continue
        if [ "$kind" = namespace ]; then
          sock=${engine#ctr:}
          images=$(ctr -a "$sock" -n "$id" images ls -q 2>/dev/null) || true
          [ -z "$images" ] || ctr -a "$sock" -n "$id" images rm --sync $images >/dev/null 2>&1 || true
        fi
        remove "$engine" "$k" "$id" >/dev/null 2>&1 || true
      done <<<"$left"
    done
    fail "the end-to-end tests left $(wc -l <<<"$left") objects in Docker, podman or containerd (listed above)"
    ;;
  *) fail "usage: engine-state.sh record|check" ;;
esac
