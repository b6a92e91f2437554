#include "archive/reader.hpp"
#include "archive/tarball.hpp"
#include "oci/json.hpp"
#include "test_util.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

#include <gtest/gtest.h>

using namespace ocipack;
using ocipack::testing::TempDir;

namespace {

// A tiny image with an empty (but well-formed) tar layer, all in memory.
archive::Image tiny_image() {
  archive::Image img;
  std::string layer(1024, '\0');  // an empty tar: two zero blocks
  oci::ImageConfig cfg;
  cfg.platform = oci::host_platform();
  cfg.created = oci::rfc3339(0);
  cfg.diff_ids.push_back(oci::Digest{util::Sha256::hex_of(layer)});
  cfg.history.push_back({cfg.created, "test", false});
  std::string cfg_bytes = oci::canonical(oci::to_json(cfg));
  auto add = [&](const std::string& bytes, const char* mt) {
    oci::Descriptor d{mt, oci::Digest{util::Sha256::hex_of(bytes)}, bytes.size(), {}, {}};
    img.blobs.push_back({d.digest, d.size, bytes, {}});
    return d;
  };
  img.manifest.layers.push_back(add(layer, oci::media_type::kLayerTar));
  img.manifest.config = add(cfg_bytes, oci::media_type::kConfig);
  img.manifest_desc = add(oci::canonical(oci::to_json(img.manifest)), oci::media_type::kManifest);
  img.manifest_desc.platform = cfg.platform;
  img.tags = {oci::Reference::parse("tiny:1")};
  return img;
}

} // namespace

TEST(Tarball, LayoutAndDockerManifest) {
  TempDir dir;
  archive::Image img = tiny_image();
  archive::write_tarball(dir / "t.tar", img, 0);
  auto read = archive::read_image(dir / "t.tar");
  ASSERT_EQ(read.images.size(), 1u);
  EXPECT_EQ(read.images[0].manifest.config.digest, img.manifest.config.digest);
  EXPECT_EQ(read.repo_tags, std::vector<std::string>{"tiny:1"});
  EXPECT_EQ(archive::docker_manifest_json(img),
            "[{\"Config\":\"blobs/sha256/" + img.manifest.config.digest.hex +
                "\",\"Layers\":[\"blobs/sha256/" + img.manifest.layers[0].digest.hex +
                "\"],\"RepoTags\":[\"tiny:1\"]}]");
  auto index = oci::canonical(oci::to_json(archive::make_index(img)));
  EXPECT_NE(index.find("\"org.opencontainers.image.ref.name\":\"1\""), std::string::npos);
  EXPECT_NE(index.find("\"io.containerd.image.name\":\"docker.io/library/tiny:1\""), std::string::npos);
  EXPECT_NE(index.find("\"platform\":{"), std::string::npos);
}

TEST(Tarball, ReaderRefusesBlobsThatDoNotMatchTheirNames) {
  TempDir dir;
  archive::Image img = tiny_image();
  img.blobs[0].bytes[0] = 'X';  // layer bytes no longer hash to their digest
  archive::write_tarball(dir / "t.tar", img, 0);
  try {
    archive::read_image(dir / "t.tar");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not match its digest"), std::string::npos) << e.what();
  }
}

TEST(OutputFile, NothingAppearsUntilCommit) {
  TempDir dir;
  {
    util::OutputFile out(dir / "x");
    out.write("abc", 3);
    out.flush();
    EXPECT_FALSE(std::filesystem::exists(dir / "x"));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));  // temp file removed too
  util::OutputFile out(dir / "x");
  out.write("abc", 3);
  out.commit();
  EXPECT_EQ(util::read_file(dir / "x"), "abc");
}
