// How layers are compressed: the method, its level, the levels each method
// accepts and its default. Plain values: the spec reads them, the
// compressor uses them.
#pragma once

namespace ocipack::layer {

enum class Compression { Gzip, None, Zstd };

// The method and its level (COMPRESSION_LEVEL; 0: the method's default).
// Converts from a bare method.
struct CompressionOptions {
  Compression method = Compression::Gzip;
  int level = 0;
  CompressionOptions() = default;
  CompressionOptions(Compression m, int l = 0) : method(m), level(l) {}  // NOLINT: implicit on purpose
};

// Levels, 1 fastest ... smallest: gzip's (libdeflate's) and zstd's.
inline constexpr int kMinGzipLevel = 1;
inline constexpr int kMaxGzipLevel = 12;
inline constexpr int kMinZstdLevel = 1;
inline constexpr int kMaxZstdLevel = 19;

// libdeflate's default level for gzip layers (COMPRESSION_LEVEL changes
// it). 5 compresses real binaries as small as `gzip -6` does (the size
// target is 1.02 times that) in a quarter of its time; see README
// "Performance".
inline constexpr int kDefaultGzipLevel = 5;

// zstd's default level for zstd layers (zstd's own default).
inline constexpr int kDefaultZstdLevel = 3;

// The level used: the options' level, or the method's default (0 for none).
constexpr int effective_level(const CompressionOptions& c) {
  if (c.level != 0) return c.level;
  switch (c.method) {
    case Compression::Gzip: return kDefaultGzipLevel;
    case Compression::Zstd: return kDefaultZstdLevel;
    case Compression::None: break;
  }
  return 0;
}

}  // namespace ocipack::layer
