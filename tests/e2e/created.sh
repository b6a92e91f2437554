#!/usr/bin/env bash
# CREATED: GIT gives the commit time of the sources' HEAD, and two builds of
# one commit (in two build directories) the same bytes; an explicit time is
# written as given; SOURCE_DATE_EPOCH wins over both; file times in the
# layers stay the epoch.
source "$(dirname "$0")/lib.sh"
need jq
need git
unset SOURCE_DATE_EPOCH
work=$E2E_WORK/created
rm -rf "$work" && mkdir -p "$work/src"
cat >"$work/src/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(created LANGUAGES CXX)
find_package(ocipack 1.0 CONFIG REQUIRED)
add_executable(app app.cpp)
add_container_image(git-image TARGETS app CREATED GIT)
add_container_image(fixed-image TARGETS app CREATED 2026-11-30T09:00:00+01:00)
add_container_image(epoch-image TARGETS app)
CMAKE
echo 'int main() { return 0; }' >"$work/src/app.cpp"
git -C "$work/src" init -q
git -C "$work/src" add .
GIT_COMMITTER_DATE=2026-06-01T12:00:00Z GIT_AUTHOR_DATE=2026-06-01T12:00:00Z \
  git -C "$work/src" -c user.name=test -c user.email=test@example.com commit -qm sources

for dir in a x/build-two; do
  build_project "$work/src" "$work/$dir" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
done
created() { "$OCIPACK" inspect --json "$1" | jq -r '.[0].config.created'; }
expect_eq "CREATED GIT" "$(created "$work/a/git-image.tar")" 2026-06-01T12:00:00Z
expect_eq "history created" "$("$OCIPACK" inspect --json "$work/a/git-image.tar" | jq -r '[.[0].config.history[].created] | unique | join(",")')" \
  2026-06-01T12:00:00Z
expect_eq "file times" "$("$OCIPACK" inspect --json "$work/a/git-image.tar" | jq -r '[.[0].layers[].files[].mtime] | unique | join(",")')" 0
expect_eq "CREATED <time>" "$(created "$work/a/fixed-image.tar")" 2026-11-30T09:00:00+01:00
expect_eq "CREATED EPOCH (the default)" "$(created "$work/a/epoch-image.tar")" 1970-01-01T00:00:00Z
cmp "$work/a/git-image.tar" "$work/x/build-two/git-image.tar" || fail "two builds of one commit differ"
echo "ok: two builds of one commit are identical"

# A new commit re-runs the configure step and moves the time.
echo '// changed' >>"$work/src/app.cpp"
git -C "$work/src" add .
GIT_COMMITTER_DATE=2026-07-01T00:00:00Z git -C "$work/src" -c user.name=test -c user.email=test@example.com commit -qm next
cmake --build "$work/a" >/dev/null
expect_eq "CREATED GIT after a commit" "$(created "$work/a/git-image.tar")" 2026-07-01T00:00:00Z

# SOURCE_DATE_EPOCH wins over every other choice.
(export SOURCE_DATE_EPOCH=86400 && build_project "$work/src" "$work/sde" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null)
expect_eq "SOURCE_DATE_EPOCH over CREATED GIT" "$(created "$work/sde/git-image.tar")" 1970-01-02T00:00:00Z
expect_eq "SOURCE_DATE_EPOCH over CREATED <time>" "$(created "$work/sde/fixed-image.tar")" 1970-01-02T00:00:00Z
echo "ok: created"
