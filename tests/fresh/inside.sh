#!/usr/bin/env bash
# Runs inside the minimal Debian 12 root that tests/fresh/run.sh made, as a
# new user would: git and ca-certificates by hand, a clone of the
# repository, then exactly the README's commands, with CI=true.
#
# The commands are read from the README itself, from the fenced blocks that
# follow these markers, so that what is tested is what the README says:
#   <!-- fresh: commands -->        the two opening commands (run in the clone)
#   <!-- fresh: install -->         "Using it in a project": install ocipack (in the clone)
#   <!-- fresh: project-cmake -->   the project's CMakeLists.txt
#   <!-- fresh: project -->         the project's commands (in the project)
set -euo pipefail
export CI=true DEBIAN_FRONTEND=noninteractive

step() { echo "=== fresh: $*"; }
die() { echo "fresh: error: $*" >&2; exit 1; }

step "apt-get install git ca-certificates (the only packages installed by hand)"
apt-get update -qq
apt-get install -y -qq --no-install-recommends git ca-certificates >/dev/null

step "git clone"
git clone -q /srv/ocipack.git /root/ocipack
cd /root/ocipack
git log -1 --format='commit %h %s'

# readme_block MARKER: the body of the fenced block that follows the marker.
readme_block() {
  awk -v marker="<!-- fresh: $1 -->" '
    $0 == marker { armed = 1; next }
    armed && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' /root/ocipack/README.md
}
for marker in commands install project-cmake project; do
  [ -n "$(readme_block "$marker")" ] || die "README.md has no fenced block after <!-- fresh: $marker -->"
done

run_block() { # marker directory
  step "README <!-- fresh: $1 --> in $2:"
  readme_block "$1" | sed 's/^/    /'
  (cd "$2" && bash -euxo pipefail -c "$(readme_block "$1")")
}

start=$SECONDS
run_block commands /root/ocipack
step "the README's two commands passed in $((SECONDS - start)) s"

# "Using it in a project": install ocipack, then a small dynamically linked
# C++ program with the README's CMakeLists.txt, configured with CMake's
# default generator.
start=$SECONDS
run_block install /root/ocipack
project=/root/my-project
mkdir -p "$project"
readme_block project-cmake > "$project/CMakeLists.txt"
cat > "$project/hello.cpp" <<'EOF'
#include <iostream>
#include <string>

int main() {
  std::string greeting = "hello from a project on a fresh machine";
  std::cout << greeting << '\n';
}
EOF
out=$(run_block project "$project" 2>&1) || { echo "$out"; die "the README's project commands failed"; }
echo "$out"
grep -x "hello from a project on a fresh machine" <<<"$out" >/dev/null ||
  die "the project's image did not print its greeting"
generator=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$project/build/CMakeCache.txt")
step "the project was configured with CMake's default generator: $generator"
readelf -l "$project/build/hello" | grep 'program interpreter' >/dev/null ||
  die "the project's program is not dynamically linked; the check proves nothing"
step "'Using it in a project' passed in $((SECONDS - start)) s"
