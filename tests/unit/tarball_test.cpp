#include "archive/reader.hpp"
#include "archive/tarball.hpp"
#include "elf/elf.hpp"
#include "oci/json.hpp"
#include "test_util.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

#include <gtest/gtest.h>

#include "util/archive_ptr.hpp"

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

namespace {

// A tiny image with an empty (but well-formed) tar layer, all in memory.
archive::Image tiny_image() {
  archive::Image img;
  std::string layer(1024, '\0');  // an empty tar: two zero blocks
  oci::ImageConfig cfg;
  cfg.platform = elf::host_platform();
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
  img.tags = {oci::Reference::parse_tag("tiny:1")};
  return img;
}

}  // namespace

TEST(Tarball, LayoutAndDockerManifest) {
  TempDir dir;
  archive::Image img = tiny_image();
  archive::write_tarball(dir / "t.tar", img, 0);
  auto read = archive::read_image(dir / "t.tar");
  ASSERT_EQ(read.images.size(), 1u);
  EXPECT_EQ(read.images[0].manifest.config.digest, img.manifest.config.digest);
  EXPECT_EQ(read.repo_tags, std::vector<std::string>{"tiny:1"});
  EXPECT_EQ(archive::docker_manifest_json(img),
            "[{\"Config\":\"blobs/sha256/" + img.manifest.config.digest.hex + "\",\"Layers\":[\"blobs/sha256/" +
                img.manifest.layers[0].digest.hex + "\"],\"RepoTags\":[\"tiny:1\"]}]");
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

namespace {

struct Member {
  std::string path;
  std::string data;
  la_int64_t mtime;
};

// The members of a tar file, in order, read by libarchive (which checks
// every header's checksum).
std::vector<Member> members(const std::filesystem::path& tar) {
  util::ArchiveReader a(archive_read_new());
  archive_read_support_format_tar(a.get());
  EXPECT_EQ(archive_read_open_filename(a.get(), tar.c_str(), 65536), ARCHIVE_OK);
  std::vector<Member> out;
  archive_entry* e;
  int rc;
  while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    Member m{archive_entry_pathname(e), "", archive_entry_mtime(e)};
    char buf[4096];
    la_ssize_t n;
    while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) m.data.append(buf, static_cast<std::size_t>(n));
    out.push_back(m);
  }
  EXPECT_EQ(rc, ARCHIVE_EOF) << util::archive_message(a.get());
  return out;
}

oci::Digest digest_of(const std::string& bytes) { return oci::Digest{util::Sha256::hex_of(bytes)}; }

}  // namespace

TEST(TarballWriter, BlobsInPlaceFromFilesAndMemoryEachOnceInOrder) {
  TempDir dir;
  const std::string layer1 = "first layer, written in place";
  const std::string layer2(3000, 'x');  // more than a block: padding in the middle of the file
  const std::string from_file = "a blob copied from a file";
  ocipack::testing::write(dir / "blob.bin", from_file);
  {
    archive::TarballWriter tar(dir / "out.tar", 1234);
    tar.add(archive::file_blob(digest_of(from_file), from_file.size(), dir / "blob.bin"));
    util::FdWriter& w = tar.begin_blob();
    w.write(layer1.data(), 10);
    w.write(layer1.data() + 10, layer1.size() - 10);
    tar.end_blob(digest_of(layer1));
    util::FdWriter& w2 = tar.begin_blob();
    w2.write(layer2.data(), layer2.size());
    tar.end_blob(digest_of(layer2));
    // The same bytes again, in place or not: one blob, nothing left over.
    util::FdWriter& w3 = tar.begin_blob();
    w3.write(layer1.data(), layer1.size());
    tar.end_blob(digest_of(layer1));
    tar.add({digest_of(from_file), from_file.size(), from_file, {}});
    tar.add({digest_of("config"), 6, "config", {}});
    EXPECT_FALSE(std::filesystem::exists(dir / "out.tar"));
    tar.finish(oci::Index{}, "[]");
  }
  auto m = members(dir / "out.tar");
  std::vector<std::string> paths;
  for (const auto& x : m) paths.push_back(x.path);
  EXPECT_EQ(paths, (std::vector<std::string>{
                       "blobs/", "blobs/sha256/", "blobs/sha256/" + digest_of(from_file).hex,
                       "blobs/sha256/" + digest_of(layer1).hex, "blobs/sha256/" + digest_of(layer2).hex,
                       "blobs/sha256/" + digest_of("config").hex, "index.json", "manifest.json", "oci-layout"}));
  ASSERT_EQ(m.size(), 9u);
  EXPECT_EQ(m[2].data, from_file);
  EXPECT_EQ(m[3].data, layer1);
  EXPECT_EQ(m[4].data, layer2);
  EXPECT_EQ(m[5].data, "config");
  EXPECT_EQ(m[7].data, "[]");
  for (const auto& x : m) EXPECT_EQ(x.mtime, 1234) << x.path;
  // Whole blocks, ending in the two zero blocks right after the last member.
  const std::string bytes = util::read_file(dir / "out.tar");
  EXPECT_EQ(bytes.size() % 512, 0u);
  EXPECT_EQ(bytes.substr(bytes.size() - 1024), std::string(1024, '\0'));
}

TEST(TarballWriter, FailureLeavesNothingAndAFileOfTheWrongSizeIsAnError) {
  TempDir dir;
  ocipack::testing::write(dir / "blob.bin", "12345");
  {
    archive::TarballWriter tar(dir / "out.tar", 0);
    try {
      tar.add(archive::file_blob(digest_of("1234"), 4, dir / "blob.bin"));
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("has 5 bytes, not the 4 expected"), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "out.tar"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);  // only blob.bin
}
