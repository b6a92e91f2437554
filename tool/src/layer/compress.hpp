// Layer compressors: bytes in, compressed bytes out to a sink.
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

std::unique_ptr<Compressor> make_compressor(spec::Compression c, Sink sink);

// The media type of a layer compressed that way.
const char* layer_media_type(spec::Compression c);

} // namespace ocipack::layer
