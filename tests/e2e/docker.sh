#!/usr/bin/env bash
# docker load + docker run + docker image inspect: the image does what was
# asked, and its ID is the config digest.
source "$(dirname "$0")/lib.sh"
need jq
need_docker
b=$BUILD_INSTALLED
full=ocipack-test/full:1.2.3
cleanup() { docker rmi -f "$full" ocipack-test/full:latest plain-image:latest ocipack-test/uncompressed:1 >/dev/null 2>&1 || true; }
cleanup
on_exit cleanup

docker_load "$b/full-image.tar" >"$E2E_WORK/docker-load.log"; cat "$E2E_WORK/docker-load.log"
grep -q "Loaded image: $full" "$E2E_WORK/docker-load.log" || fail "docker load did not name $full"
grep -q "Loaded image: ocipack-test/full:latest" "$E2E_WORK/docker-load.log" || fail "second tag missing"

inspect=$(docker image inspect "$full")
expect_eq "image ID = config digest" "$(jq -r '.[0].Id' <<<"$inspect")" "$(config_digest "$b/full-image.tar")"
expect_eq "Architecture" "$(jq -r '.[0].Architecture' <<<"$inspect")" "$(dpkg --print-architecture)"
expect_eq "Entrypoint" "$(jq -c '.[0].Config.Entrypoint' <<<"$inspect")" '["/usr/local/bin/probe","--greeting"]'
expect_eq "Cmd" "$(jq -c '.[0].Config.Cmd' <<<"$inspect")" '["hello world","second"]'
expect_eq "Env" "$(jq -c '.[0].Config.Env' <<<"$inspect")" \
  '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","APP_MODE=production","GREETING=hi there","EMPTY="]'
expect_eq "WorkingDir" "$(jq -r '.[0].Config.WorkingDir' <<<"$inspect")" /srv/app
expect_eq "User" "$(jq -r '.[0].Config.User' <<<"$inspect")" 1234:5678
expect_eq "ExposedPorts" "$(jq -c '.[0].Config.ExposedPorts' <<<"$inspect")" '{"53/udp":{},"8080/tcp":{}}'
expect_eq "Labels" "$(jq -c '.[0].Config.Labels' <<<"$inspect")" '{"org.example.note":"two words","org.example.team":"core"}'
expect_eq "history entries" "$(docker history -q --no-trunc "$full" | wc -l)" 2

out=$(docker run --rm "$full")
echo "$out"
grep -qx "arg0=/usr/local/bin/probe" <<<"$out" || fail "entrypoint not run"
grep -qx "arg1=--greeting" <<<"$out" || fail "entrypoint argument missing"
grep -qx "arg2=hello world" <<<"$out" || fail "CMD argument with a space"
grep -qx "arg3=second" <<<"$out" || fail "CMD second argument"
grep -qx "env APP_MODE=production" <<<"$out" || fail "ENV"
grep -qx "env GREETING=hi there" <<<"$out" || fail "ENV with a space"
grep -qx "cwd=/srv/app" <<<"$out" || fail "WORKDIR"
grep -qx "uid=1234 gid=5678" <<<"$out" || fail "USER"
grep -qx "file /etc/basic/assets/message.txt: assets are copied recursively" <<<"$out" || fail "added directory"
grep -qx "file /srv/app/probe.txt: generated for probe" <<<"$out" || fail "added generated file"

out=$(docker run --rm "$full" replaced args)
grep -qx "arg2=replaced" <<<"$out" && grep -qx "arg3=args" <<<"$out" || fail "docker run args did not replace CMD: $out"
! grep -q "hello world" <<<"$out" || fail "CMD still present after replacement"

docker_load "$b/plain-image.tar"
out=$(docker run --rm plain-image:latest)
grep -qx "arg0=/probe" <<<"$out" || fail "default CMD is not /probe: $out"
grep -qx "env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" <<<"$out" || fail "default PATH"
grep -qx "uid=0 gid=0" <<<"$out" || fail "default user is not root"
out=$(docker run --rm plain-image:latest /probe x)
grep -qx "arg1=x" <<<"$out" || fail "CMD override on plain-image"

docker_load "$b/uncompressed-image.tar"
docker run --rm ocipack-test/uncompressed:1 | grep -x "arg0=/probe" >/dev/null || fail "uncompressed image does not run"
echo "ok: docker"
