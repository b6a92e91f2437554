#include "build/accounts.hpp"
#include "test_util.hpp"

#include <gtest/gtest.h>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp

namespace {

// An image whose layers hold these account files ("" leaves one out).
build::RootFs image_with(const std::string& passwd, const std::string& group) {
  std::vector<layer::Entry> entries;
  if (!passwd.empty()) entries.push_back(layer::generated_file("etc/passwd", passwd));
  if (!group.empty()) entries.push_back(layer::generated_file("etc/group", group));
  build::RootFs files;
  files.add(std::move(entries));
  return files;
}

spec::UserSpec user(const std::string& name) {
  spec::UserSpec u;
  u.name = name;
  return u;
}

const layer::Entry* find(const std::vector<layer::Entry>& entries, const std::string& path) {
  for (const auto& e : entries) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

const std::string kPasswd = "root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n";
const std::string kGroup = "root:x:0:\nstaff:x:50:\nnonroot:x:65532:\n";

}  // namespace

TEST(Accounts, AddsAUserWithDefaultsAfterTheImagesOwnAccounts) {
  auto entries = build::add_users({user("app")}, image_with(kPasswd, kGroup), "img");
  const layer::Entry* passwd = find(entries, "etc/passwd");
  const layer::Entry* group = find(entries, "etc/group");
  ASSERT_NE(passwd, nullptr);
  ASSERT_NE(group, nullptr);
  EXPECT_EQ(passwd->text, kPasswd + "app:x:1000:1000:app:/home/app:/usr/sbin/nologin\n");
  EXPECT_EQ(group->text, kGroup + "app:x:1000:\n");
  EXPECT_EQ(passwd->mode, 0644u);
  const layer::Entry* home = find(entries, "home/app");
  ASSERT_NE(home, nullptr);
  EXPECT_EQ(home->type, layer::Entry::Type::Directory);
  EXPECT_EQ(home->mode, 0700u);
  EXPECT_EQ(home->uid, 1000u);
  EXPECT_EQ(home->gid, 1000u);
}

TEST(Accounts, DefaultIdsAreTheFirstFreeInBothFiles) {
  // uid 1000 is taken, gid 1001 too: 1002 is the first id free in both.
  auto entries =
      build::add_users({user("app"), user("web")},
                       image_with("root:x:0:0::/root:/bin/sh\nold:x:1000:1000::/:/bin/sh",  // no final newline
                                  "root:x:0:\nold:x:1000:\nother:x:1001:\n"),
                       "img");
  EXPECT_EQ(find(entries, "etc/passwd")->text,
            "root:x:0:0::/root:/bin/sh\nold:x:1000:1000::/:/bin/sh\n"
            "app:x:1002:1002:app:/home/app:/usr/sbin/nologin\n"
            "web:x:1003:1003:web:/home/web:/usr/sbin/nologin\n");
  EXPECT_EQ(find(entries, "etc/group")->text, "root:x:0:\nold:x:1000:\nother:x:1001:\napp:x:1002:\nweb:x:1003:\n");
}

TEST(Accounts, GivenIdsGroupHomeAndShell) {
  spec::UserSpec u = user("svc");
  u.uid = 4242;
  u.group = "staff";  // the image has it: its gid
  u.home = "/var/lib/svc";
  u.shell = "/bin/sh";
  auto entries = build::add_users({u}, image_with(kPasswd, kGroup), "img");
  EXPECT_EQ(find(entries, "etc/passwd")->text, kPasswd + "svc:x:4242:50:svc:/var/lib/svc:/bin/sh\n");
  EXPECT_EQ(find(entries, "etc/group")->text, kGroup);
  EXPECT_EQ(find(entries, "var/lib/svc")->uid, 4242u);

  spec::UserSpec n = user("nohome");
  n.home = "/nonexistent";
  n.gid = 777;
  entries = build::add_users({n}, image_with(kPasswd, kGroup), "img");
  EXPECT_EQ(find(entries, "nonexistent"), nullptr);
  EXPECT_EQ(find(entries, "etc/group")->text, kGroup + "nohome:x:777:\n");
}

TEST(Accounts, WorksWithoutAnyAccountFiles) {
  auto entries = build::add_users({user("app")}, build::RootFs{}, "img");
  EXPECT_EQ(find(entries, "etc/passwd")->text, "app:x:1000:1000:app:/home/app:/usr/sbin/nologin\n");
  EXPECT_EQ(find(entries, "etc/group")->text, "app:x:1000:\n");
}

TEST(Accounts, ConflictsAreErrorsNamingTheUser) {
  const build::RootFs files = image_with(kPasswd, kGroup);
  expect_error_contains([&] { build::add_users({user("nonroot")}, files, "img"); },
                        "container_image_add_user(img nonroot): the image's /etc/passwd already has nonroot");
  spec::UserSpec taken = user("app");
  taken.uid = 65532;
  expect_error_contains([&] { build::add_users({taken}, files, "img"); }, "UID 65532 is taken by nonroot");
  spec::UserSpec wrong_gid = user("app");
  wrong_gid.group = "staff";
  wrong_gid.gid = 51;
  expect_error_contains([&] { build::add_users({wrong_gid}, files, "img"); },
                        "GID 51 is not the id of group staff (50)");
  spec::UserSpec gid_taken = user("app");
  gid_taken.gid = 50;
  expect_error_contains([&] { build::add_users({gid_taken}, files, "img"); }, "GID 50 is taken by group staff");
}

TEST(Accounts, UserMustBeInTheImage) {
  const build::RootFs files = image_with(kPasswd, kGroup);
  build::check_user("nonroot", files, "img");
  build::check_user("nonroot:staff", files, "img");
  build::check_user("1234:5678", files, "img");  // numbers need no entry
  build::check_user("", files, "img");
  expect_error_contains([&] { build::check_user("app", files, "img"); },
                        "USER \"app\": app is not in the image's /etc/passwd; add it with "
                        "container_image_add_user(img app)");
  expect_error_contains([&] { build::check_user("nonroot:wheel", files, "img"); },
                        "group wheel is not in the image's /etc/group");
  expect_error_contains([&] { build::check_user("app", build::RootFs{}, "img"); },
                        "the image has no /etc/passwd to find app in");
}
