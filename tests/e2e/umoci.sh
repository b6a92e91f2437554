#!/usr/bin/env bash
# umoci lists the tags of the extracted layout and unpacks the image: the
# files, modes and runtime config are the ones that were asked for.
source "$(dirname "$0")/lib.sh"
need jq
need umoci
work=$E2E_WORK/umoci
rm -rf "$work" && mkdir -p "$work/layout"
tar -xf "$BUILD_INSTALLED/full-image.tar" -C "$work/layout"
expect_eq "umoci ls" "$(umoci ls --layout "$work/layout" | sort | tr '\n' ' ')" "1.2.3 latest "
umoci unpack --rootless --image "$work/layout:1.2.3" "$work/bundle"
root=$work/bundle/rootfs
cmp "$root/usr/local/bin/probe" "$BUILD_INSTALLED/probe" || fail "probe differs from the built target"
expect_eq "probe mode" "$(stat -c %a "$root/usr/local/bin/probe")" 755
expect_eq "conf mode" "$(stat -c %a "$root/srv/app/conf/app.conf")" 600
expect_eq "message mode" "$(stat -c %a "$root/etc/basic/assets/message.txt")" 644
expect_eq "symlink kept" "$(readlink "$root/etc/basic/assets/readme")" message.txt
expect_eq "parent dir mode" "$(stat -c %a "$root/usr/local")" 755
expect_eq "process args" "$(jq -c '.process.args' "$work/bundle/config.json")" \
  '["/usr/local/bin/probe","--greeting","hello world","second"]'
expect_eq "process cwd" "$(jq -r '.process.cwd' "$work/bundle/config.json")" /srv/app
expect_eq "process user" "$(jq -c '[.process.user.uid, .process.user.gid]' "$work/bundle/config.json")" '[1234,5678]'
