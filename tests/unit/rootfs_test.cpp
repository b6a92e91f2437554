#include "build/rootfs.hpp"
#include "image_builder.hpp"

#include <gtest/gtest.h>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

namespace {

const std::string kPasswd = "root:x:0:0:root:/root:/bin/sh\n";

layer::Entry symlink_entry(const std::string& path, const std::string& target) {
  layer::Entry e;
  e.path = path;
  e.type = layer::Entry::Type::Symlink;
  e.mode = 0777;
  e.text = target;
  return e;
}

// A base of two layers, the second gzip-compressed, over which ocipack's
// layers go.
class RootFsTest : public ::testing::Test {
protected:
  void SetUp() override {
    LayoutDir layout(dir / "base");
    const std::string lower = make_tar({{"etc/", 'd'},
                                        {"etc/passwd", '-', kPasswd},
                                        {"etc/group", '-', "root:x:0:\n"},
                                        {"etc/motd", 'h', "", "etc/passwd"},
                                        {"bin/", 'd'},
                                        {"bin/sh", '-', "#!", "", 0755},
                                        {"./usr/lib/libc.so.6", '-', "libc"},  // no entries for its directories
                                        {"lib", 'l', "", "usr/lib"},
                                        {"var/cache/a", '-', "a"},
                                        {"var/cache/b", '-', "b"},
                                        {"var/log/", 'd'}});
    const std::string upper = make_tar({{"etc/.wh.group", '-'},
                                        {"var/cache/c", '-', "c"},  // before the opaque marker, in its layer
                                        {"var/cache/.wh..wh..opq", '-'},
                                        {"var/.wh.log", '-'},
                                        {"usr/local/bin/tool", 'l', "", "../../../bin/sh"},
                                        {"etc/alt", 'l', "", "/etc/passwd"},
                                        {"etc/loop", 'l', "", "loop"},
                                        {"etc/escape", 'l', "", "../../../../../etc/passwd"}});
    oci::ImageConfig c;
    c.platform = {"amd64", "linux", ""};
    c.diff_ids = {oci::Digest{util::Sha256::hex_of(lower)}, oci::Digest{util::Sha256::hex_of(upper)}};
    layout.index({layout.manifest(c, {layout.blob(lower, oci::media_type::kLayerTar),
                                      layout.blob(ocipack::testing::filtered(upper, archive_write_add_filter_gzip),
                                                  oci::media_type::kLayerGzip)})});
    base.emplace(archive::read_base(layout.tarball(dir / "base.tar"), "", c.platform));
    files.add_base(*base);
  }
  bool has(const std::string& path) const { return files.find(path) != nullptr; }

  TempDir dir;
  std::optional<archive::BaseImage> base;
  build::RootFs files;
};

}  // namespace

TEST_F(RootFsTest, WhiteoutsHideLowerLayers) {
  EXPECT_TRUE(has("/etc/passwd"));
  EXPECT_FALSE(has("/etc/group"));    // .wh.group
  EXPECT_FALSE(has("/var/cache/a"));  // the opaque directory hides the lower layer's files
  EXPECT_FALSE(has("/var/cache/b"));
  EXPECT_TRUE(has("/var/cache/c"));        // but not its own layer's
  EXPECT_FALSE(has("/var/log"));           // a whited-out directory
  EXPECT_TRUE(has("/usr/lib/libc.so.6"));  // under directories the layer only implies
}

TEST_F(RootFsTest, FollowsSymlinksInTheMergedView) {
  const layer::Entry* sh = files.find("/usr/local/bin/tool");  // relative, across layers
  ASSERT_NE(sh, nullptr);
  EXPECT_EQ(sh->path, "bin/sh");
  EXPECT_EQ(sh->mode, 0755u);
  EXPECT_EQ(files.find("/lib/libc.so.6")->path, "usr/lib/libc.so.6");
  EXPECT_EQ(files.find("etc/alt")->path, "etc/passwd");      // absolute
  EXPECT_EQ(files.find("/etc/escape")->path, "etc/passwd");  // ".." stops at the root
  EXPECT_FALSE(has("/etc/loop"));
  files.add({symlink_entry("a", "b"), symlink_entry("b", "/a")});
  EXPECT_FALSE(has("/a/x"));
  EXPECT_FALSE(has("/etc/passwd/x"));
}

TEST_F(RootFsTest, ReadsFilesFromTheLayerThatHasThem) {
  EXPECT_EQ(files.read("/etc/passwd", 1024), kPasswd);
  EXPECT_EQ(files.read("/etc/alt", 1024), kPasswd);   // through a symlink of another layer
  EXPECT_EQ(files.read("/etc/motd", 1024), kPasswd);  // a hard link
  EXPECT_EQ(files.read("/var/cache/c", 1024), "c");   // from the gzip layer
  EXPECT_EQ(files.read("/etc/group", 1024), std::nullopt);
  EXPECT_EQ(files.read("/bin", 1024), std::nullopt);
  EXPECT_EQ(files.read("/etc/loop", 1024), std::nullopt);
  EXPECT_NE(error_of([&] { files.read("/etc/passwd", 4); }).find("more than the 4"), std::string::npos);

  // Ours over the base: generated content, and a file of the build machine.
  ocipack::testing::write(dir / "host.txt", "from the host");
  layer::Entry host = layer::generated_file("srv/host.txt", "");
  host.source = dir / "host.txt";
  files.add({layer::generated_file("etc/passwd", "ours\n"), host});
  EXPECT_EQ(files.read("/etc/alt", 1024), "ours\n");
  EXPECT_EQ(files.read("/srv/host.txt", 1024), "from the host");
  EXPECT_NE(error_of([&] { files.read("/srv/host.txt", 4); }).find("more than the 4"), std::string::npos);
  // The bytes the layer holds: patched, the source unchanged.
  host.path = "srv/patched.txt";
  host.patches = {{5, "    "}, {13, ""}};
  files.add({host});
  EXPECT_EQ(files.read("/srv/patched.txt", 1024), "from     host");
}

TEST(RootFs, WithoutABase) {
  build::RootFs files;
  files.add({layer::generated_file("app", "x", 0755), symlink_entry("usr/bin/app", "/app")});
  EXPECT_EQ(files.find("/usr/bin/app")->path, "app");
  EXPECT_EQ(files.find("/usr/bin"), nullptr);  // implied: a directory, but no entry
  EXPECT_EQ(files.read("/usr/bin/app", 1), "x");
}
