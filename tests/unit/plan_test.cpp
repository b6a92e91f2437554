// The layer planner: sorted entries with explicit parents and fixed modes,
// and the inputs it refuses.
#include "layer/plan.hpp"
#include "test_util.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

TEST_F(LayerTest, PlanIsSortedWithExplicitParentsAndFixedModes) {
  auto plan = layer::plan_layer(layer_of({{(dir / "assets").string(), "/srv/data", std::nullopt, false},
                                          {(dir / "app").string(), "/usr/local/bin", std::nullopt, true}}),
                                inputs);
  std::vector<std::string> paths;
  for (const auto& e : plan.entries) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"srv", "srv/data", "srv/data/assets", "srv/data/assets/a.txt",
                                             "srv/data/assets/b.txt", "srv/data/assets/link", "srv/data/assets/sub",
                                             "srv/data/assets/sub/c.txt", "usr", "usr/local", "usr/local/bin",
                                             "usr/local/bin/app"}));
  for (const auto& e : plan.entries) {
    if (e.type == layer::Entry::Type::Directory) EXPECT_EQ(e.mode, 0755u) << e.path;
  }
  EXPECT_EQ(plan.entries[3].mode, 0644u);  // a.txt was 0666
  EXPECT_EQ(plan.entries[4].mode, 0644u);  // b.txt was 0600
  EXPECT_EQ(plan.entries[5].type, layer::Entry::Type::Symlink);
  EXPECT_EQ(plan.entries[5].text, "a.txt");
  EXPECT_EQ(plan.entries.back().mode, 0755u);  // app was 0700
  ASSERT_EQ(plan.elf_files.size(), 1u);
  EXPECT_EQ(plan.elf_files[0].source, dir / "app");
  EXPECT_EQ(plan.elf_files[0].image_path, "/usr/local/bin/app");
  // Directories and symlinks looked at are inputs; the files are the
  // entries' sources, which the depfile lists.
  EXPECT_EQ(plan.entries[7].source, (dir / "assets/sub/c.txt").string());
  EXPECT_TRUE(inputs.count(dir / "assets"));
  EXPECT_TRUE(inputs.count(dir / "assets/sub"));
  EXPECT_TRUE(inputs.count(dir / "assets/link"));
}

TEST_F(LayerTest, TrailingSlashCopiesContentsAndModeApplies) {
  auto plan = layer::plan_layer(layer_of({{(dir / "assets").string() + "/", "/data", 0600u, false}}), inputs);
  EXPECT_EQ(plan.entries[0].path, "data");
  EXPECT_EQ(plan.entries[1].path, "data/a.txt");
  EXPECT_EQ(plan.entries[1].mode, 0600u);
}

TEST_F(LayerTest, RenameGivesASingleFileANewName) {
  spec::FileSpec f{(dir / "assets/a.txt").string(), "/etc", std::nullopt, false};
  f.name = "app.conf";
  auto plan = layer::plan_layer(layer_of({f}), inputs);
  EXPECT_EQ(plan.entries.back().path, "etc/app.conf");
  EXPECT_EQ(plan.entries.back().source, dir / "assets/a.txt");
  f.source = (dir / "assets").string();
  expect_error_contains([&] { layer::plan_layer(layer_of({f}), inputs); }, "is a directory; RENAME app.conf");
}

TEST_F(LayerTest, ElfFilesAmongTheAddedFilesAreFound) {
  std::filesystem::create_directories(dir / "plugins/sub");
  write(dir / "plugins/sub/libp.so", std::string("\x7f"
                                                 "ELF") +
                                         std::string(60, '\0'));
  write(dir / "plugins/readme.txt", std::string(100, 'x'));
  write(dir / "plugins/tiny",
        "\x7f"
        "ELF");  // too small to be an object
  auto plan = layer::plan_layer(layer_of({{(dir / "plugins").string(), "/opt", std::nullopt, false}}), inputs);
  ASSERT_EQ(plan.added_elf_files.size(), 1u);
  EXPECT_EQ(plan.added_elf_files[0].source, dir / "plugins/sub/libp.so");
  EXPECT_EQ(plan.added_elf_files[0].image_path, "/opt/plugins/sub/libp.so");
  EXPECT_TRUE(plan.elf_files.empty());
}

TEST_F(LayerTest, RefusesMissingFilesSpecialFilesAndConflicts) {
  auto error_of = [&](std::vector<spec::FileSpec> files) -> std::string {
    try {
      layer::plan_layer(layer_of(std::move(files)), inputs);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(
      error_of({{(dir / "nope").string(), "/", {}, false}}).find("input file not found: " + (dir / "nope").string()),
      std::string::npos);
  ::mkfifo((dir / "fifo").c_str(), 0644);
  EXPECT_NE(error_of({{(dir / "fifo").string(), "/", {}, false}}).find("is a FIFO"), std::string::npos);
  write(dir / "other/a.txt", "different");
  EXPECT_NE(
      error_of({{(dir / "assets/a.txt").string(), "/", {}, false}, {(dir / "other/a.txt").string(), "/", {}, false}})
          .find("duplicate destination /a.txt"),
      std::string::npos);
  write(dir / "same/a.txt", "ay");  // same bytes: not a conflict
  EXPECT_EQ(
      error_of({{(dir / "assets/a.txt").string(), "/", {}, false}, {(dir / "same/a.txt").string(), "/", {}, false}}),
      "");
  EXPECT_NE(error_of({{(dir / "assets").string(), "/", {}, true}}).find("not a regular file"), std::string::npos);
  EXPECT_NE(error_of({{(dir / "app").string() + "/", "/", {}, false}}).find("not a directory"), std::string::npos);
}

TEST(Finalize, TheSameSourceWithOtherPatchesIsAConflict) {
  TempDir dir;
  write(dir / "lib.so", "library bytes");
  layer::Entry a;
  a.path = "usr/lib/lib.so";
  a.source = dir / "lib.so";
  a.size = 13;
  layer::Entry b = a;
  std::vector<layer::Entry> same = {a, b};
  layer::finalize(same);
  EXPECT_EQ(same.size(), 3u);  // usr, usr/lib, the file once
  b.patches = {{0, "L"}};
  std::vector<layer::Entry> patched = {a, b};
  EXPECT_THROW(layer::finalize(patched), Error);
  a.patches = b.patches;
  patched = {a, b};
  EXPECT_NO_THROW(layer::finalize(patched));
}

TEST(Finalize, SortsBytewiseAddsEveryMissingParentAndKeepsAnExplicitDirectory) {
  auto entry = [](std::string path, layer::Entry::Type type, unsigned mode = 0644) {
    layer::Entry e;
    e.path = std::move(path);
    e.type = type;
    e.mode = mode;
    if (type == layer::Entry::Type::File) e.text = "x";
    e.size = e.text.size();
    return e;
  };
  using T = layer::Entry::Type;
  // "a-b" sorts before "a/..." ('-' is 0x2d, '/' 0x2f): bytewise, not by component.
  std::vector<layer::Entry> entries = {entry("a/b/c/file", T::File), entry("a-b", T::File),
                                       entry("a/b", T::Directory, 0700), entry("z/y", T::File),
                                       entry("a/b/c/file", T::File)};
  layer::finalize(entries);
  std::vector<std::string> paths;
  for (const auto& e : entries) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"a", "a-b", "a/b", "a/b/c", "a/b/c/file", "z", "z/y"}));
  EXPECT_TRUE(entries[0].implied);
  EXPECT_EQ(entries[0].mode, 0755u);
  EXPECT_FALSE(entries[2].implied);
  EXPECT_EQ(entries[2].mode, 0700u);  // the directory asked for, not an implied 0755 one
  EXPECT_TRUE(entries[3].implied);

  // Finalizing again changes nothing.
  std::vector<layer::Entry> again = entries;
  layer::finalize(again);
  ASSERT_EQ(again.size(), entries.size());
  for (std::size_t i = 0; i < again.size(); ++i) EXPECT_EQ(again[i].path, entries[i].path);

  std::vector<layer::Entry> file_as_parent = {entry("etc/conf/x", T::File), entry("etc/conf", T::File)};
  try {
    layer::finalize(file_as_parent);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/etc/conf is both a file and the parent directory of /etc/conf/x"),
              std::string::npos)
        << e.what();
  }
}

TEST(Patches, AreCopiedAsValues) {
  layer::Entry a;
  EXPECT_TRUE(a.patches.empty());
  a.patches = {{4, "ab"}, {9, "c"}};
  layer::Entry b = a;  // a copy owns its own list
  a.patches = {{1, "z"}};
  ASSERT_EQ(b.patches.size(), 2u);
  EXPECT_EQ(b.patches.list()[1], (layer::Patch{9, "c"}));
  EXPECT_EQ(a.patches.size(), 1u);
  EXPECT_NE(a.patches, b.patches);
  b = a;
  EXPECT_EQ(a.patches, b.patches);
  a.patches = std::vector<layer::Patch>{};
  EXPECT_TRUE(a.patches.empty());
  EXPECT_EQ(b.patches.size(), 1u);
}
