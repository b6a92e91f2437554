#include "archive/base.hpp"
#include "elf/elf.hpp"
#include "oci/annotations.hpp"
#include "oci/json.hpp"
#include "test_util.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace ocipack;
using ocipack::testing::TempDir;
using nlohmann::json;

namespace {

// An OCI layout directory written by hand: blobs by digest, index.json.
class Layout {
public:
  explicit Layout(const std::filesystem::path& dir) : m_dir(dir) {
    ocipack::testing::write(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  }
  oci::Descriptor blob(const std::string& bytes, const char* media_type) {
    oci::Descriptor d{media_type, oci::Digest{util::Sha256::hex_of(bytes)}, bytes.size(), {}, {}};
    ocipack::testing::write(m_dir / "blobs/sha256" / d.digest.hex, bytes);
    return d;
  }
  // One single-layer image for a platform; returns its manifest descriptor.
  oci::Descriptor image(const std::string& arch) {
    std::string layer(1024, '\0');  // an empty tar
    oci::ImageConfig c;
    c.platform = {arch, "linux", ""};
    c.created = oci::rfc3339(0);
    c.config.env = {"FROM=" + arch};
    c.diff_ids = {oci::Digest{util::Sha256::hex_of(layer)}};
    c.history = {{c.created, "layer of " + arch, false}};
    oci::Manifest m;
    m.layers = {blob(layer, oci::media_type::kLayerTar)};
    m.config = blob(oci::canonical(oci::to_json(c)), oci::media_type::kConfig);
    oci::Descriptor d = blob(oci::canonical(oci::to_json(m)), oci::media_type::kManifest);
    d.platform = c.platform;
    return d;
  }
  void index(const std::vector<oci::Descriptor>& entries) {
    oci::Index i;
    i.manifests = entries;
    ocipack::testing::write(m_dir / "index.json", oci::canonical(oci::to_json(i)));
  }

private:
  std::filesystem::path m_dir;
};

oci::Descriptor tagged(oci::Descriptor d, const std::string& name, const std::string& tag) {
  d.annotations[oci::annotation::kImageName] = name;
  d.annotations[oci::annotation::kRefName] = tag;
  return d;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST(Base, PicksThePlatformFromAnIndex) {
  TempDir dir;
  Layout layout(dir / "layout");
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
  Layout layout(dir / "layout");
  oci::Descriptor a = layout.image("amd64");
  oci::Descriptor b = layout.image("arm64");  // another image, same platform would do
  layout.index({tagged(a, "docker.io/acme/a:1", "1"), tagged(b, "docker.io/acme/b:2", "2")});
  const oci::Platform any{"amd64", "linux", ""};

  std::string err = error_of([&] { archive::read_base(dir / "layout", "", any); });
  EXPECT_NE(err.find("holds several images (docker.io/acme/a:1, docker.io/acme/b:2); pick one with BASE_TAG"),
            std::string::npos) << err;
  EXPECT_EQ(archive::read_base(dir / "layout", "acme/a:1", any).config.platform.architecture, "amd64");
  EXPECT_EQ(archive::read_base(dir / "layout", "docker.io/acme/b:2", any).config.platform.architecture,
            "arm64");
  EXPECT_EQ(archive::read_base(dir / "layout", "2", any).config.platform.architecture, "arm64");
  err = error_of([&] { archive::read_base(dir / "layout", "acme/c:3", any); });
  EXPECT_NE(err.find("no image tagged \"acme/c:3\""), std::string::npos) << err;
}

TEST(Base, RefusesPathsThatLeaveTheImage) {
  TempDir dir;
  ocipack::testing::write(dir / "evil/manifest.json", R"([{"Config":"../../etc/passwd","RepoTags":["x:1"],"Layers":[]}])");
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
  ocipack::testing::write(tree / "manifest.json", R"([{"Config":")" + config_name +
                                                      R"(","RepoTags":["x:1"],"Layers":["aaaa/layer.tar","bbbb/layer.tar"]}])");
  const std::filesystem::path tarball = dir / "save.tar";
  const std::string tar = "tar -C '" + tree.string() + "' -cf '" + tarball.string() + "' .";
  EXPECT_EQ(std::system(tar.c_str()), 0) << tar;
  return tarball;
}
} // namespace

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
