#include "archive/layout.hpp"
#include "image_builder.hpp"
#include "util/file.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

namespace {

std::string read_all(archive::ByteReader& in) {
  std::string out;
  char buffer[100];  // small: many reads
  while (std::size_t n = in.read(buffer, sizeof buffer)) out.append(buffer, n);
  return out;
}

// Where `bytes` sits in `file` (a blob in a tarball).
std::size_t offset_of(const std::filesystem::path& file, const std::string& bytes) {
  const std::size_t at = util::read_file(file).find(bytes);
  EXPECT_NE(at, std::string::npos);
  return at;
}

// An OCI archive of one image whose one layer holds one file of `size` bytes.
class OneLayerTarball : public ::testing::Test {
protected:
  void make(std::size_t size) {
    LayoutDir layout(dir / "l");
    layer = ocipack::testing::make_tar({{"file", '-', std::string(size, 'y')}});
    image = layout.image("amd64", {layer});
    layout.index({image});
    tarball = layout.tarball(dir / "l.tar");
  }
  TempDir dir;
  std::string layer;
  oci::Descriptor image;
  std::filesystem::path tarball;
};

}  // namespace

TEST(Layout, ResolvesTagsAndPlatformsThroughNestedIndexes) {
  TempDir dir;
  LayoutDir layout(dir / "l");
  const oci::Descriptor amd = layout.image("amd64"), arm = layout.image("arm64"), s390x = layout.image("s390x");
  oci::Descriptor arm_v8 = arm;
  arm_v8.platform->variant = "v8";
  oci::Descriptor inner = layout.index_blob({arm_v8, s390x});
  inner.platform = arm.platform;                                  // an index is picked by platform too
  const oci::Descriptor outer = layout.index_blob({amd, inner});  // an index within an index
  layout.index({tagged(outer, "docker.io/acme/multi:1", "1"), tagged(amd, "docker.io/acme/single:2", "2")});

  for (const auto& path : {layout.path(), layout.tarball(dir / "l.tar")}) {
    SCOPED_TRACE(path);
    const auto l = archive::Layout::open(path);
    EXPECT_EQ(l.select("acme/multi:1").digest, outer.digest);
    EXPECT_EQ(l.select("docker.io/acme/single:2").digest, amd.digest);
    EXPECT_EQ(l.select("2").digest, amd.digest);  // the ref.name
    EXPECT_NE(error_of([&] {
                l.select("acme/other:3");
              }).find("no image tagged \"acme/other:3\"; it holds docker.io/acme/multi:1, docker.io/acme/single:2"),
              std::string::npos);
    EXPECT_NE(error_of([&] { l.select(""); }).find("holds several images"), std::string::npos);

    const oci::Descriptor entry = l.select("acme/multi:1");
    EXPECT_EQ(l.for_platform(entry, {"amd64", "linux", ""}).digest, amd.digest);
    EXPECT_EQ(l.for_platform(entry, {"arm64", "linux", ""}).digest, arm.digest);  // any variant will do
    EXPECT_EQ(l.for_platform(entry, {"arm64", "linux", "v8"}).digest, arm.digest);
    EXPECT_NE(error_of([&] {
                l.for_platform(entry, {"arm64", "linux", "v7"});
              }).find("no image for linux/arm64/v7 in it (it has linux/arm64/v8, linux/s390x)"),
              std::string::npos);
    EXPECT_EQ(l.for_platform(amd, {"riscv64", "linux", ""}).digest, amd.digest);  // a manifest is itself

    // Flattened for inspect and index, once each, with the entry's names.
    const auto all = l.manifests_under(l.index().manifests[0]);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].digest, amd.digest);
    EXPECT_EQ(all[1].digest, arm.digest);
    EXPECT_EQ(all[2].digest, s390x.digest);
    EXPECT_EQ(all[2].annotations.at("io.containerd.image.name"), "docker.io/acme/multi:1");
  }
}

TEST(Layout, NestedIndexesHaveOneLimit) {
  TempDir dir;
  LayoutDir layout(dir / "l");
  oci::Descriptor d = layout.image("amd64");
  const oci::Platform amd64{"amd64", "linux", ""};
  auto index_of = [&](const oci::Descriptor& entry) {
    oci::Descriptor i = layout.index_blob({entry});
    i.platform = amd64;
    return i;
  };
  for (int i = 0; i < archive::kMaxNestedIndexes; ++i) d = index_of(d);
  const oci::Descriptor too_deep = index_of(d);
  layout.index({tagged(d, "docker.io/x/ok:1", "1"), tagged(too_deep, "docker.io/x/deep:1", "1")});
  const auto l = archive::Layout::open(layout.path());
  EXPECT_EQ(l.for_platform(l.select("x/ok:1"), amd64).platform->architecture, "amd64");
  EXPECT_EQ(l.manifests_under(l.select("x/ok:1")).size(), 1u);
  const std::string limit = "image indexes nested more than " + std::to_string(archive::kMaxNestedIndexes) + " deep";
  EXPECT_NE(error_of([&] { l.for_platform(l.select("x/deep:1"), amd64); }).find(limit), std::string::npos);
  EXPECT_NE(error_of([&] { l.manifests_under(l.select("x/deep:1")); }).find(limit), std::string::npos);
}

TEST(Layout, DocumentsAreCheckedBeforeTheyAreParsed) {
  TempDir dir;
  LayoutDir layout(dir / "l");
  const oci::Descriptor good = layout.image("amd64");
  const auto l = archive::Layout::open(layout.path());
  EXPECT_EQ(l.manifest(good).layers.size(), 1u);

  oci::Descriptor lying = good;
  lying.size += 1;
  EXPECT_NE(error_of([&] { l.manifest(lying); })
                .find("manifest blob " + good.digest.str() + " has " + std::to_string(good.size) +
                      " bytes, its descriptor says " + std::to_string(lying.size)),
            std::string::npos);
  const oci::Descriptor missing = layout.index_blob({});
  std::filesystem::remove(layout.path() / "blobs/sha256" / missing.digest.hex);
  EXPECT_EQ(error_of([&] { l.nested_index(missing); }), "missing index blob " + missing.digest.str());

  const oci::Manifest m = l.manifest(good);
  ocipack::testing::write(layout.path() / "blobs/sha256" / m.config.digest.hex,
                          std::string(m.config.size, ' '));  // same size, other bytes
  EXPECT_NE(
      error_of([&] { l.config(m.config); })
          .find("config blob " + m.config.digest.str() + " does not match its digest (its content hashes to sha256:" +
                util::Sha256::hex_of(std::string(m.config.size, ' ')) + ")"),
      std::string::npos);

  oci::Descriptor helm = good;
  helm.media_type = "application/vnd.cncf.helm.config.v1+json";
  EXPECT_EQ(error_of([&] { l.manifest(helm); }), "unsupported manifest media type " + helm.media_type);
}

TEST_F(OneLayerTarball, ReadsTarEntriesInPlace) {
  make(300000);
  const auto l = archive::Layout::open(tarball);
  const oci::Descriptor d = l.manifest(image).layers[0];

  EXPECT_EQ(read_all(*l.source().open(archive::blob_path(d.digest))), layer);
  EXPECT_EQ(read_all(*l.source().open(archive::blob_path(d.digest), 1000)), layer.substr(1000));
  std::string streamed;
  l.stream_blob(d, "layer", [&](archive::ByteReader& in) {
    char first[10];
    streamed.assign(first, in.read(first, sizeof first));  // reads the start only: the rest is checked anyway
  });
  EXPECT_EQ(streamed, layer.substr(0, 10));
  const archive::StreamSum sum = l.stream_file(archive::blob_path(d.digest), [](archive::ByteReader&) {});
  EXPECT_EQ(sum.digest, d.digest);
  EXPECT_EQ(sum.size, layer.size());

  // Copied into another tarball from where it is.
  archive::write_layout_tarball(dir / "copy.tar", {l.tarball_blob(d)}, {}, "[]", 0);
  EXPECT_EQ(read_all(*archive::Layout::open(dir / "copy.tar").source().open(archive::blob_path(d.digest))), layer);
}

TEST_F(OneLayerTarball, ACorruptedBlobIsRefusedWhenReadInPlace) {
  make(5000);
  const std::size_t at = offset_of(tarball, layer) + 2000;
  std::string bytes = util::read_file(tarball);
  bytes[at] = 'z';
  ocipack::testing::write(tarball, bytes);

  const auto l = archive::Layout::open(tarball);
  const oci::Descriptor d = l.manifest(image).layers[0];
  const std::string err =
      error_of([&] { l.stream_blob(d, "layer", [](archive::ByteReader&) { throw Error("the consumer gave up"); }); });
  EXPECT_NE(err.find("layer blob " + d.digest.str() + " does not match its digest"), std::string::npos) << err;
  // An intact blob lets the consumer's own error through.
  EXPECT_EQ(error_of([&] {
              l.stream_blob(l.manifest(image).config, "config",
                            [](archive::ByteReader&) { throw Error("the consumer gave up"); });
            }),
            "the consumer gave up");
}

TEST_F(OneLayerTarball, ATruncatedTarballIsRefused) {
  make(50000);
  ASSERT_EQ(::truncate(tarball.c_str(), static_cast<off_t>(offset_of(tarball, layer) + 1000)), 0);
  const std::string err = error_of([&] { archive::Layout::open(tarball); });
  EXPECT_NE(err.find("runcated"), std::string::npos) << err;  // libarchive says "Truncated"
  EXPECT_NE(error_of([&] { archive::Layout::open(dir / "none.tar"); }).find("cannot open"), std::string::npos);
  ocipack::testing::write(dir / "junk.tar", "not a tarball");
  EXPECT_NE(error_of([&] { archive::Layout::open(dir / "junk.tar"); }).find("is not an image: not a tar archive"),
            std::string::npos);
}

TEST(Layout, ATarballWithAnEntryTwiceIsRefused) {
  TempDir dir;
  LayoutDir layout(dir / "l");
  layout.index({layout.image("amd64")});
  const auto tarball = layout.tarball(dir / "l.tar");
  const std::string append = "tar -C '" + layout.path().string() + "' -rf '" + tarball.string() + "' ./index.json";
  ASSERT_EQ(std::system(append.c_str()), 0);
  EXPECT_EQ(error_of([&] { archive::Layout::open(tarball); }), "the tarball has index.json twice");
}
