// The layer compressors: parallel gzip gives one valid gzip stream of the
// input, the same bytes for any thread count and any write pattern.
#include "layer/compress.hpp"
#include "layer/plan.hpp"
#include "layer/writer.hpp"
#include "test_util.hpp"
#include "util/archive_ptr.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
#include <zlib.h>
#include <zstd.h>

using namespace ocipack;
using ocipack::testing::TempDir;

namespace {

constexpr std::size_t kChunk = layer::kGzipChunkSize;

// Bytes that compress like real binaries do, partly: runs of pseudo-random
// bytes (incompressible) alternating with repeated text (very compressible).
std::string sample(std::size_t size, std::uint32_t seed = 1) {
  std::string out;
  out.reserve(size);
  std::uint32_t x = seed;
  const std::string text = "mov rax, [rbp-8]; call _ZNSt6vectorIiSaIiEE9push_backERKi; ";
  while (out.size() < size) {
    x = x * 1664525u + 1013904223u;
    std::size_t run = 1 + (x >> 20) % 5000;
    if ((x >> 8) & 1) {
      for (std::size_t i = 0; i < run && out.size() < size; ++i) {
        x = x * 1664525u + 1013904223u;
        out.push_back(static_cast<char>(x >> 24));
      }
    } else {
      for (std::size_t i = 0; i < run && out.size() < size; ++i) out.push_back(text[i % text.size()]);
    }
  }
  return out;
}

// Compresses `input`, written in pieces of the given sizes (cycled).
std::string compress(const std::string& input, unsigned threads, std::vector<std::size_t> pieces = {65536},
                     spec::CompressionOptions c = spec::Compression::Gzip) {
  std::string out;
  auto z = layer::make_compressor(c, [&](const void* p, std::size_t n) {
    out.append(static_cast<const char*>(p), n);
  }, threads);
  std::size_t at = 0;
  for (std::size_t i = 0; at < input.size(); ++i) {
    std::size_t n = std::min(pieces[i % pieces.size()], input.size() - at);
    z->write(input.data() + at, n);
    at += n;
  }
  z->finish();
  return out;
}

struct Gunzipped {
  std::string data;
  std::vector<std::size_t> member_offsets; // where each gzip member starts
  bool ok = false;                         // every member complete, nothing after the last
};

// Decompresses every member in turn with zlib, an implementation
// independent of the compressor's.
Gunzipped gunzip_all(const std::string& gz) {
  Gunzipped g;
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return g;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  std::vector<char> buf(1 << 16);
  g.member_offsets.push_back(0);
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    int rc = inflate(&z, Z_NO_FLUSH);
    g.data.append(buf.data(), buf.size() - z.avail_out);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) {
        g.ok = true;
        break;
      }
      g.member_offsets.push_back(gz.size() - z.avail_in);
      inflateReset(&z);
    } else if (rc != Z_OK) {
      break;
    }
  }
  inflateEnd(&z);
  return g;
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

// Sets an environment variable for the life of the object.
class ScopedEnv {
public:
  ScopedEnv(const char* name, const char* value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (m_old) {
      ::setenv(m_name, m_old->c_str(), 1);
    } else {
      ::unsetenv(m_name);
    }
  }

private:
  const char* m_name;
  std::optional<std::string> m_old;
};

} // namespace

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
    EXPECT_EQ(layer::compression_threads(), i == 0 ? 1u : 4u);
    by_env[i] = compress(input, 0);
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
  EXPECT_EQ(compress(input, 2, {1000}, spec::Compression::None), input);
}

TEST(CompressTest, SinkFailureReachesTheCaller) {
  const std::string input = sample(6 * kChunk);
  int calls = 0;
  auto z = layer::make_compressor(spec::Compression::Gzip, [&](const void*, std::size_t) {
    if (++calls == 2) throw Error("disk full");
  }, 2);
  try {
    z->write(input.data(), input.size());
    z->finish();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "disk full");
  }
  z.reset(); // stops the workers; must not hang
  EXPECT_EQ(calls, 2);
}

TEST(CompressTest, ThreadCountFromTheEnvironment) {
  {
    ScopedEnv env("OCIPACK_THREADS", nullptr);
    unsigned n = layer::compression_threads();
    EXPECT_GE(n, 1u);
    EXPECT_LE(n, layer::kMaxCompressionThreads);
  }
  {
    ScopedEnv env("OCIPACK_THREADS", "3");
    EXPECT_EQ(layer::compression_threads(), 3u);
  }
  {
    ScopedEnv env("OCIPACK_THREADS", "1000");
    EXPECT_EQ(layer::compression_threads(), layer::kMaxCompressionThreads);
  }
  for (const char* bad : {"0", "two", "-1", "2x"}) {
    ScopedEnv env("OCIPACK_THREADS", bad);
    try {
      layer::compression_threads();
      ADD_FAILURE() << bad << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("\"") + bad + "\""), std::string::npos) << e.what();
    }
  }
}

TEST(CompressTest, LayerDigestsOverSeveralChunks) {
  TempDir dir;
  // Larger than a few chunks, so that the layer is several gzip members.
  ocipack::testing::write(dir / "big.bin", sample(3 * kChunk + 4321, 11), 0644);
  std::set<std::filesystem::path> inputs;
  spec::LayerSpec spec_layer;
  spec_layer.created_by = "test";
  spec_layer.files = {{(dir / "big.bin").string(), "/data", std::nullopt, false}};
  layer::Plan plan = layer::plan_layer(spec_layer, inputs);
  auto bytes_of = [](util::ScratchFile& f) {
    std::string out;
    f.read_all([&](const char* p, std::size_t n) { out.append(p, n); });
    return out;
  };

  layer::Blob gz = layer::write_layer(plan, spec::Compression::Gzip, 0, dir.path());
  const std::string gz_bytes = bytes_of(*gz.file);
  Gunzipped tar = gunzip_all(gz_bytes);
  ASSERT_TRUE(tar.ok);
  EXPECT_GT(tar.member_offsets.size(), 3u);
  EXPECT_EQ(gz.descriptor.digest.hex, util::Sha256::hex_of(gz_bytes));
  EXPECT_EQ(gz.descriptor.size, gz_bytes.size());
  EXPECT_EQ(gz.diff_id.hex, util::Sha256::hex_of(tar.data));
  EXPECT_EQ(gz.uncompressed_size, tar.data.size());

  // Uncompressed, the blob is the tar: hashed once, its digest is the diff_id.
  layer::Blob plain = layer::write_layer(plan, spec::Compression::None, 0, dir.path());
  const std::string plain_bytes = bytes_of(*plain.file);
  EXPECT_EQ(plain_bytes, tar.data);
  EXPECT_EQ(plain.descriptor.digest.hex, util::Sha256::hex_of(plain_bytes));
  EXPECT_EQ(plain.diff_id, gz.diff_id);
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
    auto z = layer::make_compressor(spec::Compression::Gzip, [&](const void* p, std::size_t n) {
      out.append(static_cast<const char*>(p), n);
    }, threads, layer::gzip_chunk_size(input.size()));
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
  auto at = [&](int level) { return compress(input, 2, {65536}, spec::CompressionOptions(spec::Compression::Gzip, level)); };
  const std::string fast = at(1), standard = at(0), small = at(12);
  EXPECT_EQ(standard, at(layer::kDefaultGzipLevel));
  EXPECT_NE(fast, standard);
  EXPECT_GT(fast.size(), small.size());
  for (const auto* out : {&fast, &standard, &small}) EXPECT_EQ(gunzip_all(*out).data, input);
  // The level decides the bytes, so it is part of the cache's key.
  EXPECT_NE(layer::compressor_identity({spec::Compression::Gzip, 1}), layer::compressor_identity(spec::Compression::Gzip));
  EXPECT_EQ(layer::compressor_identity({spec::Compression::Gzip, layer::kDefaultGzipLevel}),
            layer::compressor_identity(spec::Compression::Gzip));
}

TEST(CompressTest, MaxBlobSizeBoundsTheBlob) {
  TempDir dir;
  // Incompressible data, long names: the worst case for the bound.
  ocipack::testing::write(dir / "noise.bin", sample(2 * kChunk + 17, 21) + std::string(1000, '\0'), 0644);
  std::string random(300000, '\0');
  std::uint32_t x = 99;
  for (char& c : random) c = static_cast<char>((x = x * 1664525u + 1013904223u) >> 24);
  ocipack::testing::write(dir / "random.bin", random, 0644);
  std::set<std::filesystem::path> inputs;
  spec::LayerSpec spec_layer;
  spec_layer.files = {{(dir / "noise.bin").string(), "/" + std::string(150, 'd'), std::nullopt, false},
                      {(dir / "random.bin").string(), "/r", std::nullopt, false}};
  layer::Plan plan = layer::plan_layer(spec_layer, inputs);
  for (spec::Compression c : {spec::Compression::Gzip, spec::Compression::None}) {
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
  ocipack::testing::write(dir / "big.bin", content, 0644);
  std::set<std::filesystem::path> inputs;
  spec::LayerSpec spec_layer;
  spec_layer.files = {{(dir / "big.bin").string(), "/", std::nullopt, false}};
  layer::Plan plan = layer::plan_layer(spec_layer, inputs);
  for (const std::string& now : {content + "more", content.substr(0, 2 * kChunk + 5), content.substr(0, kChunk)}) {
    ocipack::testing::write(dir / "big.bin", now, 0644);
    for (spec::Compression c : {spec::Compression::Gzip, spec::Compression::None}) {
      try {
        layer::write_layer(plan, c, 0, [](const void*, std::size_t) {});
        ADD_FAILURE() << "no error for " << now.size() << " bytes";
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("changed size while being read"), std::string::npos) << e.what();
      }
    }
  }
}

namespace {
// The frames of a zstd stream, each decompressed on its own (which also
// checks each frame's content checksum and size).
std::vector<std::string> zstd_frames(const std::string& z) {
  std::vector<std::string> frames;
  std::size_t at = 0;
  while (at < z.size()) {
    std::size_t n = ZSTD_findFrameCompressedSize(z.data() + at, z.size() - at);
    EXPECT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
    if (ZSTD_isError(n)) break;
    unsigned long long size = ZSTD_getFrameContentSize(z.data() + at, n);
    EXPECT_NE(size, ZSTD_CONTENTSIZE_UNKNOWN);
    EXPECT_NE(size, ZSTD_CONTENTSIZE_ERROR);
    std::string out(static_cast<std::size_t>(size), '\0');
    std::size_t got = ZSTD_decompress(out.data(), out.size(), z.data() + at, n);
    EXPECT_EQ(got, out.size()) << (ZSTD_isError(got) ? ZSTD_getErrorName(got) : "");
    frames.push_back(out);
    at += n;
  }
  return frames;
}
} // namespace

TEST(CompressTest, ZstdIsOneStreamOfChecksummedFramesWhateverTheThreads) {
  const std::string input = sample(3 * kChunk + 999, 17);
  const spec::CompressionOptions zstd(spec::Compression::Zstd);
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
  EXPECT_EQ(compress(input, 2, {65536}, {spec::Compression::Zstd, layer::kDefaultZstdLevel}), one);
  EXPECT_GT(compress(input, 2, {65536}, {spec::Compression::Zstd, 1}).size(),
            compress(input, 2, {65536}, {spec::Compression::Zstd, 19}).size());
  EXPECT_EQ(std::string(layer::layer_media_type(zstd)), "application/vnd.oci.image.layer.v1.tar+zstd");
  EXPECT_NE(layer::compressor_identity(zstd).find("zstd "), std::string::npos);
  EXPECT_NE(layer::compressor_identity(zstd), layer::compressor_identity({spec::Compression::Zstd, 4}));
}

TEST(CompressTest, ZstdLayerHasTheSameDiffIdAsGzip) {
  TempDir dir;
  ocipack::testing::write(dir / "big.bin", sample(2 * kChunk + 4321, 23), 0644);
  std::set<std::filesystem::path> inputs;
  spec::LayerSpec spec_layer;
  spec_layer.files = {{(dir / "big.bin").string(), "/data", std::nullopt, false}};
  layer::Plan plan = layer::plan_layer(spec_layer, inputs);
  std::string z;
  layer::Written zw = layer::write_layer(plan, spec::Compression::Zstd, 0, [&](const void* p, std::size_t n) {
    z.append(static_cast<const char*>(p), n);
  });
  layer::Written gw = layer::write_layer(plan, spec::Compression::Gzip, 0, [](const void*, std::size_t) {});
  EXPECT_EQ(zw.diff_id, gw.diff_id);
  EXPECT_EQ(zw.descriptor.digest.hex, util::Sha256::hex_of(z));
  EXPECT_EQ(zw.descriptor.media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
  std::string tar;
  for (const auto& f : zstd_frames(z)) tar += f;
  EXPECT_EQ(util::Sha256::hex_of(tar), zw.diff_id.hex);
  EXPECT_LE(z.size(), layer::max_blob_size(plan, spec::Compression::Zstd));
}
