// Layer compressors: bytes in, compressed bytes out to a sink, in order.
#pragma once

#include "spec/spec.hpp"

#include <cstddef>
#include <functional>
#include <memory>

namespace ocipack::layer {

using Sink = std::function<void(const void* data, std::size_t size)>;

class Compressor {
public:
  virtual ~Compressor() = default;
  virtual void write(const void* data, std::size_t size) = 0;
  // Flushes the end of the stream to the sink.
  virtual void finish() = 0;
};

// gzip layers are cut into chunks of this many uncompressed bytes, each
// compressed on its own into a complete gzip member; the members, in order,
// are one valid gzip file (RFC 1952, section 2.2). The size is fixed, never
// derived from the thread count: the bytes must not depend on the machine's
// number of cores.
inline constexpr std::size_t kGzipChunkSize = std::size_t{1} << 20;

// libdeflate's level for gzip layers. Fixed: the level decides the bytes.
// 5 compresses real binaries as small as `gzip -6` does (the size target is
// 1.02 times that) in a quarter of its time; see README "Performance".
inline constexpr int kGzipLevel = 5;

// At most this many chunks are in flight (being filled, compressed, or
// waiting for their turn to be written), two per thread up to this bound:
// with their compressed copies they are most of the memory used, which must
// stay far below 32 MiB whatever the input size and the number of cores.
inline constexpr std::size_t kMaxChunksInFlight = 8;
inline constexpr unsigned kMaxCompressionThreads = 8;

// The number of compression threads: the environment variable
// OCIPACK_THREADS if set (a number from 1), else the hardware's concurrency;
// at most kMaxCompressionThreads. Throws Error for a malformed variable.
unsigned compression_threads();

// A compressor writing to `sink`. The sink is always called on the thread
// that calls write() and finish(), so it needs no locking. `threads` is the
// number of compression threads for gzip; 0 means compression_threads().
std::unique_ptr<Compressor> make_compressor(spec::Compression c, Sink sink, unsigned threads = 0);

// The media type of a layer compressed that way.
const char* layer_media_type(spec::Compression c);

// What decides the compressed bytes besides the input: the library and its
// version, the level and the chunk size ("libdeflate 1.14 level 5 chunk
// 1048576"). Part of the layer cache's key.
std::string compressor_identity(spec::Compression c);

} // namespace ocipack::layer
