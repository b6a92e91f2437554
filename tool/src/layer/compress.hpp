// Layer compressors: bytes in, compressed bytes out to a sink, in order.
#pragma once

#include "layer/compression.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace ocipack::layer {

using Sink = std::function<void(const void* data, std::size_t size)>;

class Compressor {
public:
  virtual ~Compressor() = default;
  virtual void write(const void* data, std::size_t size) = 0;
  // Flushes the end of the stream to the sink.
  virtual void finish() = 0;
};

// gzip and zstd layers are cut into chunks of uncompressed bytes, each
// compressed on its own into a complete gzip member or zstd frame; in order,
// they are one valid gzip file (RFC 1952, section 2.2) or zstd stream
// (RFC 8878, section 3.1). The chunk size follows from the
// layer's expected size only, never from the thread count: the bytes must
// not depend on the machine's number of cores. A large layer uses 1 MiB
// chunks; a small one smaller chunks, down to 128 KiB, so that even a 2 MB
// program keeps every core busy (about 16 chunks; each costs ~0.5% in size).
inline constexpr std::size_t kGzipChunkSize = std::size_t{1} << 20;
inline constexpr std::size_t kMinGzipChunkSize = std::size_t{128} << 10;
std::size_t gzip_chunk_size(std::uint64_t expected_input);

// At most this many chunks are in flight (being filled, compressed, or
// waiting for their turn to be written), two per thread up to this bound:
// with their compressed copies they are most of the memory used, which must
// stay far below 32 MiB whatever the input size and the number of cores.
inline constexpr std::size_t kMaxChunksInFlight = 8;
inline constexpr unsigned kMaxCompressionThreads = 8;

// The number of compression threads for `wanted` (OCIPACK_THREADS, read by
// cli; 0: the hardware's concurrency), at most kMaxCompressionThreads.
unsigned compression_threads(unsigned wanted);

// A compressor writing to `sink`. The sink is always called on the thread
// that calls write() and finish(), so it needs no locking. `threads` is the
// number of compression threads for gzip and zstd, as compression_threads()
// takes it. `chunk_size` cuts the stream (gzip_chunk_size() of the expected
// input).
std::unique_ptr<Compressor> make_compressor(const CompressionOptions& c, Sink sink, unsigned threads = 0,
                                            std::size_t chunk_size = kGzipChunkSize);

// The media type of a layer compressed that way.
const char* layer_media_type(const CompressionOptions& c);

// What decides the compressed bytes besides the input: the library and its
// version, the level and the chunk size rule ("libdeflate 1.14 level 5
// chunks 131072..1048576 by 16"). Part of the layer cache's key.
std::string compressor_identity(const CompressionOptions& c);

}  // namespace ocipack::layer
