#!/usr/bin/env bash
# tests/references.tsv against the real `docker tag`: every row the table
# calls a valid tag is taken, every other one refused, and Docker lists each
# one it took under the table's familiar form. A tiny image (an empty tar,
# imported) gets every tag; both go at exit.
. "$(dirname "$0")/lib.sh"
need_docker
# The grammar is Docker 20.10's, client and daemon: its client sends the
# short name (docker.io/library/ dropped) and its daemon parses that, so a
# newer client on PATH (which sends the full name) would accept more. Debian
# 12's docker.io (tests/setup-machine.sh installs it) is 20.10.
docker() { "$docker_cli" "$@"; }
docker_cli=$(command -v docker)
[ ! -x /usr/bin/docker ] || docker_cli=/usr/bin/docker
client=$(docker version -f '{{.Client.Version}}')
case $client in
  20.10.*) echo "docker client $client ($docker_cli)" ;;
  *) missing "the Docker client is $client ($docker_cli), not 20.10: the table is Docker 20.10's grammar (tests/setup-machine.sh installs Debian's docker.io)" ;;
esac

table=$OCIPACK_SOURCE_DIR/tests/references.tsv
work=$(mktemp -d "$E2E_WORK/references.XXXXXX")
on_exit rm -rf "$work"
tar cf "$work/empty.tar" -T /dev/null
id=$(docker import --message "ocipack references test" "$work/empty.tar")
docker_cleanup "$id"

made=()
untag_all() { local r; for r in "${made[@]}"; do docker rmi "$r" || true; done; }
on_exit untag_all

refs=() valids=() familiars=()
while IFS=$'\t' read -r ref valid _ _ familiar _; do
  case $ref in "#"*) continue ;; esac
  refs+=("$ref") valids+=("$valid") familiars+=("$familiar")
done <"$table"
# Several rows name the same image (ocipackref, docker.io/ocipackref): all
# are checked before the first tag. (Only the tags: "sha256:1" would match
# any image whose ID starts with 1.)
for i in "${!refs[@]}"; do
  [ "${valids[i]}" = yes ] || continue
  if docker image inspect "${refs[i]}" >/dev/null 2>&1; then
    fail "\"${refs[i]}\" already names an image in Docker; this test would change it"
  fi
done

wrong=()
for i in "${!refs[@]}"; do
  ref=${refs[i]} valid=${valids[i]}
  if out=$(docker tag "$id" "$ref" 2>&1); then
    made+=("$ref")
    [ "$valid" = yes ] || wrong+=("docker tag accepts \"$ref\"; the table says it is no tag")
  else
    [ "$valid" = no ] || wrong+=("docker tag refuses \"$ref\" ($out); the table says it is a tag")
  fi
done

listed=$(docker image inspect -f '{{join .RepoTags "\n"}}' "$id")
for i in "${!refs[@]}"; do
  [ "${valids[i]}" = yes ] || continue
  grep -qxF "${familiars[i]}" <<<"$listed" || wrong+=("Docker does not list \"${familiars[i]}\" for \"${refs[i]}\"")
done

[ "${#wrong[@]}" -eq 0 ] || fail "$(printf '\n  %s' "${wrong[@]}")"
echo "ok: docker tag agrees with all ${#refs[@]} rows (${#made[@]} tags taken)"
