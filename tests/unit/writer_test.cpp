// The layer writer: a deterministic tar stream, hashed, compressed and
// hashed again; the same bytes for the same inputs.
#include "layer/plan.hpp"
#include "layer/writer.hpp"
#include "test_util.hpp"
#include "util/archive_ptr.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

namespace {

constexpr std::size_t kChunk = layer::kGzipChunkSize;

// The plan of a layer of one file, dir/big.bin with `content`, put at `destination`.
layer::Plan big_file_plan(const TempDir& dir, const std::string& content, const char* destination) {
  write(dir / "big.bin", content, 0644);
  std::set<std::string> inputs;
  return layer::plan_layer(layer_of({{(dir / "big.bin").string(), destination, std::nullopt, false}}), inputs);
}

struct TarEntry {
  std::string path;
  unsigned type, mode;
  la_int64_t uid, gid, mtime, size;
  bool has_uname, has_gname, has_atime, has_ctime;
  std::string link, data;
};

bool has_text(const char* s) { return s != nullptr && *s != '\0'; }

std::vector<TarEntry> read_tar(const std::string& bytes) {
  util::ArchiveReader a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  EXPECT_EQ(archive_read_open_memory(a.get(), bytes.data(), bytes.size()), ARCHIVE_OK);
  std::vector<TarEntry> out;
  archive_entry* e;
  while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
    TarEntry t{archive_entry_pathname(e),
               archive_entry_filetype(e),
               archive_entry_perm(e),
               archive_entry_uid(e),
               archive_entry_gid(e),
               archive_entry_mtime(e),
               archive_entry_size(e),
               has_text(archive_entry_uname(e)),
               has_text(archive_entry_gname(e)),
               archive_entry_atime_is_set(e) != 0,
               archive_entry_ctime_is_set(e) != 0,
               archive_entry_symlink(e) ? archive_entry_symlink(e) : "",
               ""};
    char buf[4096];
    la_ssize_t n;
    while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) t.data.append(buf, n);
    out.push_back(t);
  }
  return out;
}

std::string gunzip(const std::string& in) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char buf[65536];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&z);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

}  // namespace

TEST_F(LayerTest, TarFollowsTheReproducibilityRules) {
  auto plan = layer::plan_layer(layer_of({{(dir / "assets").string(), "/data", std::nullopt, false},
                                          {(dir / "app").string(), "/", std::nullopt, true}}),
                                inputs);
  ocipack::testing::Blob blob = ocipack::testing::write_layer(plan, layer::Compression::Gzip, 1700000000);
  std::string gz = blob.bytes;
  ASSERT_GT(gz.size(), 18u);
  // gzip header: no name flag, mtime 0.
  EXPECT_EQ(gz[3], 0);
  EXPECT_EQ(gz.substr(4, 4), std::string(4, '\0'));
  EXPECT_EQ(blob.descriptor.digest.hex, util::Sha256::hex_of(gz));
  EXPECT_EQ(blob.descriptor.size, gz.size());
  EXPECT_EQ(blob.descriptor.media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  std::string tar = gunzip(gz);
  EXPECT_EQ(blob.diff_id.hex, util::Sha256::hex_of(tar));
  EXPECT_EQ(blob.uncompressed_size, tar.size());

  auto entries = read_tar(tar);
  ASSERT_EQ(entries.size(), plan.entries.size());
  std::string previous;
  for (const auto& e : entries) {
    EXPECT_LT(previous, e.path);
    previous = e.path;
    EXPECT_EQ(e.uid, 0);
    EXPECT_EQ(e.gid, 0);
    EXPECT_FALSE(e.has_uname) << e.path;
    EXPECT_FALSE(e.has_gname) << e.path;
    EXPECT_FALSE(e.has_atime) << e.path;
    EXPECT_FALSE(e.has_ctime) << e.path;
    EXPECT_EQ(e.mtime, 1700000000) << e.path;
  }
  EXPECT_EQ(entries[0].path, "app");
  EXPECT_EQ(entries[0].mode, 0755u);
  EXPECT_EQ(entries[0].data,
            "\x7f"
            "ELF binary");
  EXPECT_EQ(entries[1].path, "data/");
  EXPECT_EQ(entries[1].type, static_cast<unsigned>(AE_IFDIR));
  EXPECT_EQ(entries[5].link, "a.txt");
}

TEST_F(LayerTest, SameInputsSameBytesWhateverTheUmaskAndTimes) {
  auto plan = [&] {
    return layer::plan_layer(layer_of({{(dir / "assets").string(), "/data", std::nullopt, false}}), inputs);
  };
  ocipack::testing::Blob first = ocipack::testing::write_layer(plan(), layer::Compression::Gzip, 0);
  // Touch the sources and change their permission bits within the same class.
  ::chmod((dir / "assets/a.txt").c_str(), 0600);
  struct timespec times[2] = {{12345, 0}, {12345, 0}};
  ::utimensat(AT_FDCWD, (dir / "assets/b.txt").c_str(), times, 0);
  mode_t old = ::umask(077);
  ocipack::testing::Blob second = ocipack::testing::write_layer(plan(), layer::Compression::Gzip, 0);
  ::umask(old);
  EXPECT_EQ(first.descriptor.digest, second.descriptor.digest);
  EXPECT_EQ(first.diff_id, second.diff_id);

  ocipack::testing::Blob plain = ocipack::testing::write_layer(plan(), layer::Compression::None, 0);
  EXPECT_EQ(plain.diff_id, first.diff_id);
  EXPECT_EQ(plain.descriptor.digest, plain.diff_id);
  EXPECT_EQ(plain.descriptor.media_type, "application/vnd.oci.image.layer.v1.tar");
}

TEST_F(LayerTest, ChangedSizeWhileReadingIsAnError) {
  auto plan = layer::plan_layer(layer_of({{(dir / "app").string(), "/", std::nullopt, true}}), inputs);
  write(dir / "app", "grown since planning", 0755);
  try {
    ocipack::testing::write_layer(plan, layer::Compression::Gzip, 0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("changed size"), std::string::npos) << e.what();
  }
}

TEST(CompressTest, LayerDigestsOverSeveralChunks) {
  TempDir dir;
  // Larger than a few chunks, so that the layer is several gzip members.
  layer::Plan plan = big_file_plan(dir, sample(3 * kChunk + 4321, 11), "/data");

  ocipack::testing::Blob gz = ocipack::testing::write_layer(plan, layer::Compression::Gzip, 0);
  const std::string& gz_bytes = gz.bytes;
  Gunzipped tar = gunzip_all(gz_bytes);
  ASSERT_TRUE(tar.ok);
  EXPECT_GT(tar.member_offsets.size(), 3u);
  EXPECT_EQ(gz.descriptor.digest.hex, util::Sha256::hex_of(gz_bytes));
  EXPECT_EQ(gz.descriptor.size, gz_bytes.size());
  EXPECT_EQ(gz.diff_id.hex, util::Sha256::hex_of(tar.data));
  EXPECT_EQ(gz.uncompressed_size, tar.data.size());

  // Uncompressed, the blob is the tar: hashed once, its digest is the diff_id.
  ocipack::testing::Blob plain = ocipack::testing::write_layer(plan, layer::Compression::None, 0);
  const std::string& plain_bytes = plain.bytes;
  EXPECT_EQ(plain_bytes, tar.data);
  EXPECT_EQ(plain.descriptor.digest.hex, util::Sha256::hex_of(plain_bytes));
  EXPECT_EQ(plain.diff_id, gz.diff_id);
}

TEST(CompressTest, MaxBlobSizeBoundsTheBlob) {
  TempDir dir;
  // Incompressible data, long names: the worst case for the bound.
  write(dir / "noise.bin", sample(2 * kChunk + 17, 21) + std::string(1000, '\0'), 0644);
  std::string random(300000, '\0');
  std::uint32_t x = 99;
  for (char& c : random) c = static_cast<char>((x = x * 1664525u + 1013904223u) >> 24);
  write(dir / "random.bin", random, 0644);
  std::set<std::string> inputs;
  spec::LayerSpec spec_layer;
  spec_layer.files = {{(dir / "noise.bin").string(), "/" + std::string(150, 'd'), std::nullopt, false},
                      {(dir / "random.bin").string(), "/r", std::nullopt, false}};
  layer::Plan plan = layer::plan_layer(spec_layer, inputs);
  for (layer::Compression c : {layer::Compression::Gzip, layer::Compression::None}) {
    std::uint64_t written = 0;
    layer::Written w = layer::write_layer(plan, c, 0, [&](const void*, std::size_t n) { written += n; });
    EXPECT_EQ(w.descriptor.size, written);
    EXPECT_LE(written, layer::max_blob_size(plan, c));
    EXPECT_LE(layer::max_blob_size(plan, c), 2 * written + (2u << 20));  // not absurdly loose either
  }
}

TEST(CompressTest, LargeFileThatChangedSizeIsAnError) {
  // Read ahead in pieces on a helper thread: growth and shrinkage are still seen.
  TempDir dir;
  const std::string content = sample(3 * kChunk + 10, 13);
  layer::Plan plan = big_file_plan(dir, content, "/");
  for (const std::string& now : {content + "more", content.substr(0, 2 * kChunk + 5), content.substr(0, kChunk)}) {
    write(dir / "big.bin", now, 0644);
    for (layer::Compression c : {layer::Compression::Gzip, layer::Compression::None}) {
      try {
        layer::write_layer(plan, c, 0, [](const void*, std::size_t) {});
        ADD_FAILURE() << "no error for " << now.size() << " bytes";
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("changed size while being read"), std::string::npos) << e.what();
      }
    }
  }
}

TEST(CompressTest, ZstdLayerHasTheSameDiffIdAsGzip) {
  TempDir dir;
  layer::Plan plan = big_file_plan(dir, sample(2 * kChunk + 4321, 23), "/data");
  std::string z;
  layer::Written zw = layer::write_layer(plan, layer::Compression::Zstd, 0, [&](const void* p, std::size_t n) {
    z.append(static_cast<const char*>(p), n);
  });
  layer::Written gw = layer::write_layer(plan, layer::Compression::Gzip, 0, [](const void*, std::size_t) {});
  EXPECT_EQ(zw.diff_id, gw.diff_id);
  EXPECT_EQ(zw.descriptor.digest.hex, util::Sha256::hex_of(z));
  EXPECT_EQ(zw.descriptor.media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
  std::string tar;
  for (const auto& f : zstd_frames(z)) tar += f;
  EXPECT_EQ(util::Sha256::hex_of(tar), zw.diff_id.hex);
  EXPECT_LE(z.size(), layer::max_blob_size(plan, layer::Compression::Zstd));
}

TEST(CompressTest, PatchesReachTheTarNotTheSource) {
  TempDir dir;
  const std::string content = sample(2 * kChunk + 100, 31);
  layer::Plan plan = big_file_plan(dir, content, "/");
  layer::Entry& e = plan.entries.back();
  // At the start, across a boundary of the pieces the file is read in (1 MiB: a multiple of the piece size), at the
  // end.
  const std::uint64_t piece = std::uint64_t{1} << 20;
  e.patches = {{0, "AB"}, {piece - 3, "straddle"}, {content.size() - 4, std::string("\0\0\0\0", 4)}};
  std::string want = content;
  for (const auto& patch : e.patches) want.replace(patch.offset, patch.bytes.size(), patch.bytes);
  for (layer::Compression c : {layer::Compression::Gzip, layer::Compression::None}) {
    ocipack::testing::Blob blob = ocipack::testing::write_layer(plan, c, 0);
    const std::string tar = c == layer::Compression::None ? blob.bytes : gunzip_all(blob.bytes).data;
    auto entries = read_tar(tar);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_TRUE(entries[0].data == want);
    EXPECT_EQ(blob.diff_id.hex, util::Sha256::hex_of(tar));
  }
  EXPECT_TRUE(util::read_file(dir / "big.bin") == content);
}

TEST_F(LayerTest, PatchesOfGeneratedFilesToo) {
  layer::Plan plan;
  layer::Entry e;
  e.path = "etc/motd";
  e.text = "hello world";
  e.size = e.text.size();
  e.patches = {{6, "there"}};
  plan.entries = {e};
  auto entries = read_tar(ocipack::testing::write_layer(plan, layer::Compression::None, 0).bytes);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].data, "hello there");
}

TEST_F(LayerTest, PatchOutsideTheFileOrOverlappingIsAnError) {
  auto plan = layer::plan_layer(layer_of({{(dir / "app").string(), "/", std::nullopt, true}}), inputs);
  const std::uint64_t size = plan.entries.back().size;
  const std::vector<std::vector<layer::Patch>> bad = {
      {{size - 1, "xy"}}, {{size + 1, ""}}, {{0, "abc"}, {2, "d"}}, {{4, "a"}, {1, "b"}}};
  for (const auto& patches : bad) {
    plan.entries.back().patches = patches;
    try {
      ocipack::testing::write_layer(plan, layer::Compression::Gzip, 0);
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("/app: a patch of"), std::string::npos) << e.what();
    }
  }
}
