// The layer compressors: parallel gzip gives one valid gzip stream of the
// input, the same bytes for any thread count and any write pattern.
#include "cli/environment.hpp"
#include "layer/compress.hpp"
#include "test_util.hpp"
#include "util/archive_ptr.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>
#include <zstd.h>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

namespace {

constexpr std::size_t kChunk = layer::kGzipChunkSize;

// Compresses `input`, written in pieces of the given sizes (cycled).
std::string compress(const std::string& input, unsigned threads, std::vector<std::size_t> pieces = {65536},
                     layer::CompressionOptions c = layer::Compression::Gzip) {
  std::string out;
  auto z = layer::make_compressor(
      c, [&](const void* p, std::size_t n) { out.append(static_cast<const char*>(p), n); }, threads);
  std::size_t at = 0;
  for (std::size_t i = 0; at < input.size(); ++i) {
    std::size_t n = std::min(pieces[i % pieces.size()], input.size() - at);
    z->write(input.data() + at, n);
    at += n;
  }
  z->finish();
  return out;
}

// Decompresses with libarchive's gzip filter: what `ocipack inspect` uses.
std::string gunzip_libarchive(const std::string& gz) {
  util::ArchiveReader a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_raw(a.get());
  EXPECT_EQ(archive_read_open_memory(a.get(), gz.data(), gz.size()), ARCHIVE_OK);
  archive_entry* e = nullptr;
  EXPECT_EQ(archive_read_next_header(a.get(), &e), ARCHIVE_OK);
  std::string out;
  std::vector<char> buf(1 << 16);
  la_ssize_t n;
  while ((n = archive_read_data(a.get(), buf.data(), buf.size())) > 0) out.append(buf.data(), n);
  EXPECT_EQ(n, 0) << archive_error_string(a.get());
  return out;
}

}  // namespace

TEST(CompressTest, GzipIsOneStreamOfTheInputInFixedSizeMembers) {
  const std::string input = sample(5 * kChunk + 12345);
  const std::string gz = compress(input, 4);
  Gunzipped g = gunzip_all(gz);
  ASSERT_TRUE(g.ok);
  EXPECT_EQ(g.data, input);
  EXPECT_LT(gz.size(), input.size());
  // One member per chunk; each starts with the same fixed header: no name
  // flag, mtime 0, XFL 0, OS 255.
  ASSERT_EQ(g.member_offsets.size(), 6u);
  const std::string header("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  for (std::size_t at : g.member_offsets) EXPECT_EQ(gz.substr(at, 10), header) << "member at " << at;
  EXPECT_EQ(gunzip_libarchive(gz), input);
}

TEST(CompressTest, SameBytesForAnyThreadCount) {
  const std::string input = sample(3 * kChunk + 777, 7);
  const std::string one = compress(input, 1);
  for (unsigned threads : {2u, 3u, 4u, 8u}) {
    EXPECT_EQ(compress(input, threads), one) << threads << " threads";
  }
  // The same through OCIPACK_THREADS, as the tool runs.
  std::string by_env[2];
  const char* values[2] = {"1", "4"};
  for (int i = 0; i < 2; ++i) {
    ScopedEnv env("OCIPACK_THREADS", values[i]);
    EXPECT_EQ(layer::compression_threads(cli::threads_from_env()), i == 0 ? 1u : 4u);
    by_env[i] = compress(input, cli::threads_from_env());
  }
  EXPECT_EQ(by_env[0], one);
  EXPECT_EQ(by_env[1], one);
  EXPECT_EQ(gunzip_all(one).data, input);
}

TEST(CompressTest, SameBytesForAnyWritePattern) {
  const std::string input = sample(2 * kChunk + 99, 3);
  const std::string whole = compress(input, 2, {input.size()});
  EXPECT_EQ(compress(input, 2, {1, 7, 512, 4096, 3 * kChunk / 2}), whole);
  EXPECT_EQ(compress(input, 2, {kChunk}), whole);
  EXPECT_EQ(compress(input, 2, {kChunk - 1, 2}), whole);
}

TEST(CompressTest, SizesAroundChunkBoundaries) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, kChunk - 1, kChunk, kChunk + 1, 2 * kChunk}) {
    const std::string input = sample(size, static_cast<std::uint32_t>(size));
    const std::string gz = compress(input, 2);
    Gunzipped g = gunzip_all(gz);
    EXPECT_TRUE(g.ok) << size;
    EXPECT_EQ(g.data, input) << size;
    // An empty stream is still a gzip file: one empty member.
    std::size_t members = size == 0 ? 1 : (size + kChunk - 1) / kChunk;
    EXPECT_EQ(g.member_offsets.size(), members) << size;
  }
}

TEST(CompressTest, NoneIsTheInputUnchanged) {
  const std::string input = sample(kChunk + 5);
  EXPECT_EQ(compress(input, 2, {1000}, layer::Compression::None), input);
}

TEST(CompressTest, SinkFailureReachesTheCaller) {
  const std::string input = sample(6 * kChunk);
  int calls = 0;
  auto z = layer::make_compressor(
      layer::Compression::Gzip,
      [&](const void*, std::size_t) {
        if (++calls == 2) throw Error("disk full");
      },
      2);
  try {
    z->write(input.data(), input.size());
    z->finish();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "disk full");
  }
  z.reset();  // stops the workers; must not hang
  EXPECT_EQ(calls, 2);
}

TEST(CompressTest, ChunkSizeFollowsTheLayerSizeOnly) {
  // Large layers: 1 MiB chunks; small ones: about 16 chunks, at least 128 KiB.
  EXPECT_EQ(layer::gzip_chunk_size(117'000'000), layer::kGzipChunkSize);
  EXPECT_EQ(layer::gzip_chunk_size(16 * kChunk), layer::kGzipChunkSize);
  EXPECT_EQ(layer::gzip_chunk_size(16 * kChunk - 1), kChunk / 2);
  EXPECT_EQ(layer::gzip_chunk_size(2'200'000), layer::kMinGzipChunkSize);
  EXPECT_EQ(layer::gzip_chunk_size(0), layer::kMinGzipChunkSize);
  // A small layer is cut into 128 KiB members, whatever the thread count.
  const std::string input = sample(2'200'000, 5);
  std::string one;
  for (unsigned threads : {1u, 2u, 8u}) {
    std::string out;
    auto z = layer::make_compressor(
        layer::Compression::Gzip, [&](const void* p, std::size_t n) { out.append(static_cast<const char*>(p), n); },
        threads, layer::gzip_chunk_size(input.size()));
    z->write(input.data(), input.size());
    z->finish();
    Gunzipped g = gunzip_all(out);
    ASSERT_TRUE(g.ok);
    EXPECT_EQ(g.data, input);
    EXPECT_EQ(g.member_offsets.size(), (input.size() + layer::kMinGzipChunkSize - 1) / layer::kMinGzipChunkSize);
    if (one.empty()) one = out;
    EXPECT_EQ(out, one) << threads << " threads";
  }
}

TEST(CompressTest, LevelChoosesSpeedVersusSize) {
  const std::string input = sample(3 * kChunk, 9);
  auto at = [&](int level) {
    return compress(input, 2, {65536}, layer::CompressionOptions(layer::Compression::Gzip, level));
  };
  const std::string fast = at(1), standard = at(0), small = at(12);
  EXPECT_EQ(standard, at(layer::kDefaultGzipLevel));
  EXPECT_NE(fast, standard);
  EXPECT_GT(fast.size(), small.size());
  for (const auto* out : {&fast, &standard, &small}) EXPECT_EQ(gunzip_all(*out).data, input);
  // The level decides the bytes, so it is part of the cache's key.
  EXPECT_NE(layer::compressor_identity({layer::Compression::Gzip, 1}),
            layer::compressor_identity(layer::Compression::Gzip));
  EXPECT_EQ(layer::compressor_identity({layer::Compression::Gzip, layer::kDefaultGzipLevel}),
            layer::compressor_identity(layer::Compression::Gzip));
}

TEST(CompressTest, ZstdIsOneStreamOfChecksummedFramesWhateverTheThreads) {
  const std::string input = sample(3 * kChunk + 999, 17);
  const layer::CompressionOptions zstd(layer::Compression::Zstd);
  const std::string one = compress(input, 1, {65536}, zstd);
  EXPECT_LT(one.size(), input.size());
  for (unsigned threads : {2u, 4u}) EXPECT_EQ(compress(input, threads, {1000, 3 * kChunk}, zstd), one) << threads;
  // One frame per chunk; the stream as a whole decodes to the input too.
  auto frames = zstd_frames(one);
  ASSERT_EQ(frames.size(), 4u);
  std::string joined;
  for (const auto& f : frames) joined += f;
  EXPECT_EQ(joined, input);
  std::string whole(input.size(), '\0');
  EXPECT_EQ(ZSTD_decompress(whole.data(), whole.size(), one.data(), one.size()), input.size());
  EXPECT_EQ(whole, input);
  // Every frame carries a checksum: a flipped byte is caught.
  std::string bad = one;
  bad[bad.size() / 2] ^= 0x40;
  EXPECT_TRUE(ZSTD_isError(ZSTD_decompress(whole.data(), whole.size(), bad.data(), bad.size())));
  // Levels: 1 is larger than 19; the default is 3.
  EXPECT_EQ(compress(input, 2, {65536}, {layer::Compression::Zstd, layer::kDefaultZstdLevel}), one);
  EXPECT_GT(compress(input, 2, {65536}, {layer::Compression::Zstd, 1}).size(),
            compress(input, 2, {65536}, {layer::Compression::Zstd, 19}).size());
  EXPECT_EQ(std::string(layer::layer_media_type(zstd)), "application/vnd.oci.image.layer.v1.tar+zstd");
  EXPECT_NE(layer::compressor_identity(zstd).find("zstd "), std::string::npos);
  EXPECT_NE(layer::compressor_identity(zstd), layer::compressor_identity({layer::Compression::Zstd, 4}));
}
