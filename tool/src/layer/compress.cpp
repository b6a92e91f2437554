#include "layer/compress.hpp"

#include "oci/model.hpp"
#include "util/error.hpp"

#include <vector>
#include <zlib.h>

namespace ocipack::layer {

namespace {

class Passthrough final : public Compressor {
public:
  explicit Passthrough(Sink sink) : m_sink(std::move(sink)) {}
  void write(const void* data, std::size_t size) override { m_sink(data, size); }
  void finish() override {}

private:
  Sink m_sink;
};

class Gzip final : public Compressor {
public:
  explicit Gzip(Sink sink) : m_sink(std::move(sink)), m_out(1 << 18) {
    // windowBits 15 + 16 = gzip wrapper. With no deflateSetHeader() zlib
    // writes no file name and mtime 0: the stream depends on the bytes only.
    // Level 6 is fixed (gzip's default) so the output never varies by flags.
    if (deflateInit2(&m_z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw Error("cannot initialise gzip (zlib)");
    }
  }
  ~Gzip() override { deflateEnd(&m_z); }

  void write(const void* data, std::size_t size) override {
    m_z.next_in = static_cast<Bytef*>(const_cast<void*>(data));
    while (size > 0) {
      // zlib's avail_in is 32-bit; feed at most 1 GiB at a time.
      uInt chunk = size > (1u << 30) ? (1u << 30) : static_cast<uInt>(size);
      m_z.avail_in = chunk;
      run(Z_NO_FLUSH);
      size -= chunk;
    }
  }

  void finish() override { run(Z_FINISH); }

private:
  void run(int flush) {
    for (;;) {
      m_z.next_out = m_out.data();
      m_z.avail_out = static_cast<uInt>(m_out.size());
      int rc = deflate(&m_z, flush);
      if (rc == Z_STREAM_ERROR) throw Error("gzip compression failed (zlib)");
      std::size_t produced = m_out.size() - m_z.avail_out;
      if (produced > 0) m_sink(m_out.data(), produced);
      if (flush == Z_FINISH ? rc == Z_STREAM_END : (m_z.avail_in == 0 && m_z.avail_out != 0)) break;
    }
  }

  Sink m_sink;
  z_stream m_z{};
  std::vector<Bytef> m_out;
};

} // namespace

std::unique_ptr<Compressor> make_compressor(spec::Compression c, Sink sink) {
  switch (c) {
    case spec::Compression::Gzip: return std::make_unique<Gzip>(std::move(sink));
    case spec::Compression::None: return std::make_unique<Passthrough>(std::move(sink));
  }
  throw Error("unknown compression");
}

const char* layer_media_type(spec::Compression c) {
  return c == spec::Compression::Gzip ? oci::media_type::kLayerGzip : oci::media_type::kLayerTar;
}

} // namespace ocipack::layer
