#include "archive/base.hpp"
#include "elf/elf.hpp"
#include "image_builder.hpp"
#include "oci/json.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

TEST(Base, PicksThePlatformFromAnIndex) {
  TempDir dir;
  LayoutDir layout(dir / "layout");
  oci::Descriptor amd = layout.image("amd64"), arm = layout.image("arm64");
  oci::Index nested;
  nested.manifests = {arm, amd};
  oci::Descriptor list = layout.blob(oci::canonical(oci::to_json(nested)), oci::media_type::kIndex);
  layout.index({tagged(list, "docker.io/library/multi:1", "1")});

  auto base = archive::read_base(dir / "layout", "", {"amd64", "linux", ""});
  EXPECT_EQ(base.config.platform.architecture, "amd64");
  EXPECT_EQ(base.config.config.env, std::vector<std::string>{"FROM=amd64"});
  ASSERT_EQ(base.layers.size(), 1u);
  EXPECT_EQ(base.layers[0].descriptor.media_type, oci::media_type::kLayerTar);

  base = archive::read_base(dir / "layout", "multi:1", {"arm64", "linux", "v8"});
  EXPECT_EQ(base.config.platform.architecture, "arm64");

  std::string err = error_of([&] { archive::read_base(dir / "layout", "", {"s390x", "linux", ""}); });
  EXPECT_NE(err.find("no image for linux/s390x in it (it has linux/arm64, linux/amd64)"), std::string::npos) << err;
}

TEST(Base, PicksTheImageByTag) {
  TempDir dir;
  LayoutDir layout(dir / "layout");
  oci::Descriptor a = layout.image("amd64");
  oci::Descriptor b = layout.image("arm64");  // another image, same platform would do
  layout.index({tagged(a, "docker.io/acme/a:1", "1"), tagged(b, "docker.io/acme/b:2", "2")});
  const oci::Platform any{"amd64", "linux", ""};

  std::string err = error_of([&] { archive::read_base(dir / "layout", "", any); });
  EXPECT_NE(err.find("holds several images (docker.io/acme/a:1, docker.io/acme/b:2); pick one with BASE_TAG"),
            std::string::npos)
      << err;
  EXPECT_EQ(archive::read_base(dir / "layout", "acme/a:1", any).config.platform.architecture, "amd64");
  EXPECT_EQ(archive::read_base(dir / "layout", "docker.io/acme/b:2", any).config.platform.architecture, "arm64");
  EXPECT_EQ(archive::read_base(dir / "layout", "2", any).config.platform.architecture, "arm64");
  err = error_of([&] { archive::read_base(dir / "layout", "acme/c:3", any); });
  EXPECT_NE(err.find("no image tagged \"acme/c:3\""), std::string::npos) << err;
}

TEST(Base, RefusesPathsThatLeaveTheImage) {
  TempDir dir;
  ocipack::testing::write(dir / "evil/manifest.json",
                          R"([{"Config":"../../etc/passwd","RepoTags":["x:1"],"Layers":[]}])");
  std::string err = error_of([&] { archive::read_base(dir / "evil", "", elf::host_platform()); });
  EXPECT_NE(err.find("leaves the image"), std::string::npos) << err;
}

namespace {
// A `docker save` tarball of Docker 20.10 whose second layer is the first
// one again, written as docker writes it: <id>/layer.tar -> ../<id>/layer.tar.
std::filesystem::path docker_save_with_link(const TempDir& dir, const std::string& link_target) {
  const std::string layer(1024, '\0');  // an empty tar
  const std::string diff_id = "sha256:" + util::Sha256::hex_of(layer);
  const std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[")" +
                             diff_id + R"(",")" + diff_id + R"("]}})";
  const std::string config_name = util::Sha256::hex_of(config) + ".json";
  const std::filesystem::path tree = dir / "save";
  ocipack::testing::write(tree / config_name, config);
  ocipack::testing::write(tree / "aaaa/layer.tar", layer);
  std::filesystem::create_directories(tree / "bbbb");
  std::filesystem::create_symlink(link_target, tree / "bbbb/layer.tar");
  ocipack::testing::write(
      tree / "manifest.json",
      R"([{"Config":")" + config_name + R"(","RepoTags":["x:1"],"Layers":["aaaa/layer.tar","bbbb/layer.tar"]}])");
  const std::filesystem::path tarball = dir / "save.tar";
  const std::string tar = "tar -C '" + tree.string() + "' -cf '" + tarball.string() + "' .";
  EXPECT_EQ(std::system(tar.c_str()), 0) << tar;
  return tarball;
}
}  // namespace

TEST(Base, FollowsDockerSaveRelativeLayerLinks) {
  TempDir dir;
  auto tarball = docker_save_with_link(dir, "../aaaa/layer.tar");
  auto base = archive::read_base(tarball, "", {"amd64", "linux", ""});
  ASSERT_EQ(base.layers.size(), 2u);
  EXPECT_EQ(base.layers[0].descriptor.digest.hex, base.layers[1].descriptor.digest.hex);
}

TEST(Base, RefusesLayerLinksThatLeaveTheImage) {
  TempDir dir;
  auto tarball = docker_save_with_link(dir, "../../aaaa/layer.tar");
  std::string err = error_of([&] { archive::read_base(tarball, "", {"amd64", "linux", ""}); });
  EXPECT_NE(err.find("leaves the image"), std::string::npos) << err;
}

namespace {
const std::vector<ocipack::testing::TarMember> kFiles = {
    {"etc/", 'd'}, {"etc/passwd", '-', "root:x:0:0:root:/root:/bin/sh\n"}, {"etc/motd", 'h', "", "etc/passwd"}};
}  // namespace

TEST(Base, ReadsEachLayerOnceInPlace) {
  TempDir dir;
  LayoutDir layout(dir / "layout");
  const std::string tar = make_tar(kFiles);
  layout.index({layout.image("amd64", {tar}, true)});
  for (const auto& path : {layout.path(), layout.tarball(dir / "base.tar")}) {
    SCOPED_TRACE(path);
    const auto base = archive::read_base(path, "", {"amd64", "linux", ""});
    ASSERT_EQ(base.layers.size(), 1u);
    const archive::BaseLayer& layer = base.layers[0];
    EXPECT_EQ(layer.descriptor.media_type, oci::media_type::kLayerGzip);
    EXPECT_EQ(layer.diff_id.hex, util::Sha256::hex_of(tar));
    std::vector<std::string> names;
    for (const auto& f : layer.files) names.push_back(f.path);
    EXPECT_EQ(names, (std::vector<std::string>{"etc/", "etc/passwd", "etc/motd"}));
    EXPECT_EQ(archive::read_base_file(base, layer, "etc/passwd", 100), kFiles[1].data);
    EXPECT_EQ(archive::read_base_file(base, layer, "etc/shadow", 100), std::nullopt);
    EXPECT_NE(error_of([&] { archive::read_base_file(base, layer, "etc/passwd", 10); }).find("more than the 10"),
              std::string::npos);

    // The layer's stored bytes, copied into a new tarball, are the blob's.
    archive::write_layout_tarball(dir / "copy.tar", {archive::base_layer_blob(base, layer)}, {}, "[]", 0);
    const auto copy = archive::Layout::open(dir / "copy.tar");
    EXPECT_EQ(copy.source().size(archive::blob_path(layer.descriptor.digest)), layer.descriptor.size);
    copy.stream_blob(layer.descriptor, "layer", nullptr);  // the digest holds
  }
}

TEST(Base, ACorruptLayerIsNamedEvenWhenItNoLongerDecompresses) {
  TempDir dir;
  LayoutDir layout(dir / "layout");
  const oci::Descriptor image = layout.image("amd64", {make_tar(kFiles)}, true);
  layout.index({image});
  const nlohmann::json manifest =
      oci::parse_json(util::read_file(layout.path() / "blobs/sha256" / image.digest.hex), "m");
  const std::string layer = manifest["layers"][0]["digest"].get<std::string>();
  const auto blob = layout.path() / "blobs/sha256" / layer.substr(7);
  std::string bytes = util::read_file(blob);
  bytes[bytes.size() / 2] ^= 0x55;
  ocipack::testing::write(blob, bytes);
  const std::string err = error_of([&] {
    archive::read_base(layout.tarball(dir / "bad.tar"), "", {"amd64", "linux", ""});
  });
  EXPECT_NE(err.find("layer blob " + layer + " does not match its digest (its content hashes to sha256:"),
            std::string::npos)
      << err;
}

TEST(Base, ALayerIsCheckedAgainstItsDiffId) {
  TempDir dir;
  LayoutDir layout(dir / "layout");
  oci::ImageConfig c;
  c.platform = {"amd64", "linux", ""};
  c.diff_ids = {oci::Digest{std::string(64, '0')}};
  const oci::Descriptor layer = layout.blob(make_tar(kFiles), oci::media_type::kLayerTar);
  layout.index({layout.manifest(c, {layer})});
  const std::string err = error_of([&] { archive::read_base(layout.path(), "", c.platform); });
  EXPECT_NE(err.find("layer 1 (" + layer.digest.str() + ") uncompresses to sha256:"), std::string::npos) << err;
  EXPECT_NE(err.find("but the config's diff_id is sha256:" + std::string(64, '0')), std::string::npos) << err;
}

TEST(Base, RefusesADecompressionBomb) {
  TempDir dir;
  LayoutDir layout(dir / "layout");
  // 96 MiB of zeros in bzip2: a few hundred bytes, far more than 2048:1
  // (and 64 MiB) of them.
  const std::string bomb = ocipack::testing::filtered(std::string(96u << 20, '\0'), archive_write_add_filter_bzip2);
  oci::ImageConfig c;
  c.platform = {"amd64", "linux", ""};
  c.diff_ids = {oci::Digest{std::string(64, '0')}};
  layout.index({layout.manifest(c, {layout.blob(bomb, oci::media_type::kLayerTar)})});
  const std::string err = error_of([&] { archive::read_base(layout.path(), "", c.platform); });
  EXPECT_NE(err.find("bytes: refused as a decompression bomb"), std::string::npos) << err;
}
