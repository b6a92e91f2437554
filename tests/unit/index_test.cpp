#include "archive/layout.hpp"
#include "archive/reader.hpp"
#include "build/index.hpp"
#include "image_builder.hpp"
#include "util/file.hpp"

#include <gtest/gtest.h>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

namespace {

class IndexTest : public ::testing::Test {
protected:
  // A single-platform image tarball named `name`, with one layer of its own.
  std::filesystem::path input(const std::string& name, const std::string& arch, const std::string& tag = "") {
    LayoutDir layout(dir / name);
    m_manifests[arch] = layout.image(arch, {make_tar({{"arch", '-', arch}})});
    layout.index({tag.empty() ? m_manifests[arch] : tagged(m_manifests[arch], "docker.io/acme/app:" + tag, tag)});
    return layout.tarball(dir / (name + ".tar"));
  }
  build::IndexOptions options(std::vector<std::filesystem::path> inputs, std::vector<std::string> tags = {}) {
    build::IndexOptions o;
    o.inputs = std::move(inputs);
    o.output = dir / "out/multi.tar";
    o.tags = std::move(tags);
    std::filesystem::create_directories(dir / "out");
    return o;
  }
  // The platforms of the output's one image index, in order.
  std::vector<std::string> platforms(const archive::Layout& l) {
    std::vector<std::string> out;
    for (const auto& d : l.nested_index(l.index().manifests.at(0)).manifests) out.push_back(d.platform->str());
    return out;
  }
  TempDir dir;
  std::map<std::string, oci::Descriptor> m_manifests;  // by architecture
};

}  // namespace

TEST_F(IndexTest, WritesOneIndexOfAllPlatforms) {
  build::run_index(options({input("a", "amd64", "1"), input("b", "arm64", "arm")}));
  const auto l = archive::Layout::open(dir / "out/multi.tar");
  const oci::Index top = l.index();
  ASSERT_EQ(top.manifests.size(), 1u);  // the first input's names
  const oci::Descriptor& entry = top.manifests[0];
  EXPECT_EQ(entry.media_type, oci::media_type::kIndex);
  EXPECT_EQ(entry.annotations.at("io.containerd.image.name"), "docker.io/acme/app:1");
  EXPECT_EQ(entry.annotations.at("org.opencontainers.image.ref.name"), "1");
  EXPECT_EQ(platforms(l), (std::vector<std::string>{"linux/amd64", "linux/arm64"}));
  const oci::Index nested = l.nested_index(entry);
  EXPECT_EQ(nested.manifests[0].digest, m_manifests["amd64"].digest);
  EXPECT_EQ(nested.manifests[1].digest, m_manifests["arm64"].digest);
  EXPECT_TRUE(nested.manifests[0].annotations.empty());

  // Every blob is there and whole; Docker gets one image, named by the tags.
  const archive::ReadImage read = archive::read_image(dir / "out/multi.tar");
  ASSERT_EQ(read.images.size(), 2u);
  EXPECT_EQ(read.images[1].config.platform.architecture, "arm64");
  EXPECT_EQ(read.repo_tags, std::vector<std::string>{"acme/app:1"});

  build::run_index(options({dir / "a.tar", dir / "b.tar"}, {"acme/app:2", "registry.example:5000/app:3"}));
  const oci::Index retagged = archive::Layout::open(dir / "out/multi.tar").index();
  ASSERT_EQ(retagged.manifests.size(), 2u);
  EXPECT_EQ(retagged.manifests[0].digest, entry.digest);  // the same index, other names
  EXPECT_EQ(retagged.manifests[1].annotations.at("io.containerd.image.name"), "registry.example:5000/app:3");
  EXPECT_EQ(retagged.manifests[1].annotations.at("org.opencontainers.image.ref.name"), "3");
}

TEST_F(IndexTest, RefusesDuplicatePlatforms) {
  const auto a = input("a", "amd64", "1");
  input("a2", "amd64", "2");
  EXPECT_EQ(error_of([&] {
              build::run_index(options({a, dir / "a2.tar"}));
            }),
            "platform linux/amd64 is in both " + a.string() + " and " + (dir / "a2.tar").string());
  EXPECT_EQ(error_of([&] {
              build::run_index(options({a, a}));
            }),
            "platform linux/amd64 is in both " + a.string() + " and " + a.string());
  EXPECT_TRUE(std::filesystem::is_empty(dir / "out"));
}

TEST_F(IndexTest, ReadsNestedIndexes) {
  build::run_index(options({input("a", "amd64", "1"), input("b", "arm64")}));
  std::filesystem::rename(dir / "out/multi.tar", dir / "first.tar");
  build::run_index(options({dir / "first.tar", input("c", "s390x")}));
  EXPECT_EQ(platforms(archive::Layout::open(dir / "out/multi.tar")),
            (std::vector<std::string>{"linux/amd64", "linux/arm64", "linux/s390x"}));
  EXPECT_NE(error_of([&] {
              build::run_index(options({dir / "first.tar", dir / "b.tar"}));
            }).find("platform linux/arm64 is in both"),
            std::string::npos);
}

TEST_F(IndexTest, RefusesWhatItCannotName) {
  EXPECT_EQ(error_of([&] { build::run_index(options({})); }), "index: give at least one image tarball");
  EXPECT_EQ(error_of([&] { build::run_index(options({input("a", "amd64")})); }),
            "index: no tags given and the first image has none; use --tag");
  EXPECT_TRUE(std::filesystem::is_empty(dir / "out"));
}

TEST_F(IndexTest, RefusesACorruptedLayer) {
  const auto a = input("a", "amd64", "1");
  std::string bytes = util::read_file(a);
  const std::size_t at = bytes.find(make_tar({{"arch", '-', "amd64"}}));  // the layer blob
  ASSERT_NE(at, std::string::npos);
  bytes[at + 512] = 'A';  // its one file's first byte
  ocipack::testing::write(a, bytes);
  const std::string err = error_of([&] { build::run_index(options({a})); });
  EXPECT_NE(err.find(a.string() + ": layer blob sha256:"), std::string::npos) << err;
  EXPECT_NE(err.find("does not match its digest"), std::string::npos) << err;
  EXPECT_TRUE(std::filesystem::is_empty(dir / "out"));
}
