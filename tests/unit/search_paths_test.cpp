#include "build/search_paths.hpp"
#include "elf/dynamic.hpp"
#include "elf_builder.hpp"
#include "layer/writer.hpp"
#include "test_util.hpp"

#include <gtest/gtest.h>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, elf_builder.hpp

namespace {

layer::Entry directory(const std::string& path) {
  layer::Entry e;
  e.path = path;
  e.type = layer::Entry::Type::Directory;
  e.mode = 0755;
  return e;
}

// The entry's bytes as the layer will hold them.
std::string patched(const layer::Entry& e, std::string bytes) {
  layer::apply_patches(e.patches, 0, bytes.data(), bytes.size());
  return bytes;
}

}  // namespace

TEST(SearchPaths, AbsoluteEntriesTheImageLacksAreDroppedInPlace) {
  TempDir dir;
  ElfSpec s;
  s.needed = {"libc.so.6"};
  s.rpath = "/home/ci/prebuilt/lib:$ORIGIN";
  s.runpath = "/home/ci/prebuilt/lib:$ORIGIN/../lib:/usr/lib/x86_64-linux-gnu:lib:/opt/missing";
  const std::string bytes = make_elf(s);
  write(dir / "libprebuilt.so", bytes);
  layer::Entry e;
  e.path = "usr/lib/libprebuilt.so";
  e.type = layer::Entry::Type::File;
  e.source = dir / "libprebuilt.so";
  e.size = bytes.size();
  build::RootFs files;
  files.add({directory("usr"), directory("usr/lib"), directory("usr/lib/x86_64-linux-gnu")});

  build::drop_foreign_search_paths(e, files);
  ASSERT_EQ(e.patches.size(), 2u);
  const std::string out = patched(e, bytes);
  ASSERT_EQ(out.size(), bytes.size());  // nothing moves
  const elf::Object o = elf::parse_object(elf::MemorySource(out));
  EXPECT_EQ(o.rpath, "$ORIGIN");
  EXPECT_EQ(o.runpath, "$ORIGIN/../lib:/usr/lib/x86_64-linux-gnu:lib");
  EXPECT_EQ(o.needed, std::vector<std::string>{"libc.so.6"});
  EXPECT_EQ(util::read_file(dir / "libprebuilt.so"), bytes);  // the source is never touched
}

TEST(SearchPaths, NothingToDropNoPatch) {
  TempDir dir;
  ElfSpec s;
  s.runpath = "$ORIGIN/../lib";
  write(dir / "app", make_elf(s));
  layer::Entry e;
  e.path = "app";
  e.source = dir / "app";
  build::drop_foreign_search_paths(e, build::RootFs{});
  EXPECT_TRUE(e.patches.empty());

  write(dir / "plain", make_elf(ElfSpec{}));  // no search path at all
  e.source = dir / "plain";
  build::drop_foreign_search_paths(e, build::RootFs{});
  EXPECT_TRUE(e.patches.empty());
}
