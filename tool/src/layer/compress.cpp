#include "layer/compress.hpp"

#include "oci/model.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <libdeflate.h>
#include <zstd.h>

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

// The fixed 10-byte header of every gzip member (RFC 1952): deflate, no flags
// (no file name, comment or extra field), MTIME 0 (no time stamp), XFL 0,
// OS 255 ("unknown"): the same on every builder, so a member depends on its
// bytes only.
constexpr unsigned char kGzipHeader[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255};
constexpr std::size_t kGzipTrailerSize = 8;  // CRC-32 and ISIZE, little-endian

void put_le32(unsigned char* p, std::uint32_t v) {
  p[0] = static_cast<unsigned char>(v);
  p[1] = static_cast<unsigned char>(v >> 8);
  p[2] = static_cast<unsigned char>(v >> 16);
  p[3] = static_cast<unsigned char>(v >> 24);
}

// A chunk of the stream: its uncompressed bytes, then its gzip member.
struct Slot {
  // Allocated on first use and left uninitialised: a page costs memory only
  // once it is written, so a small layer never touches most of the ring.
  std::unique_ptr<unsigned char[]> in;
  std::unique_ptr<unsigned char[]> out;
  std::size_t in_size = 0;
  std::size_t out_size = 0;
  bool done = false;  // guarded by the compressor's mutex
  std::exception_ptr failure;
};

// Turns one chunk into one self-contained piece of the output (a gzip
// member, a zstd frame). One per worker thread.
class ChunkCodec {
public:
  virtual ~ChunkCodec() = default;
  virtual std::size_t compress(const unsigned char* in, std::size_t in_size, unsigned char* out,
                               std::size_t out_capacity) = 0;
};

class GzipCodec final : public ChunkCodec {
public:
  explicit GzipCodec(int level) : m_c(libdeflate_alloc_compressor(level), libdeflate_free_compressor) {
    if (!m_c) throw Error("cannot allocate a gzip compressor (libdeflate)");
  }
  static std::size_t bound(std::size_t chunk) {
    return libdeflate_deflate_compress_bound(nullptr, chunk) + sizeof kGzipHeader + kGzipTrailerSize;
  }
  // One complete gzip member.
  std::size_t compress(const unsigned char* in, std::size_t in_size, unsigned char* out,
                       std::size_t out_capacity) override {
    std::memcpy(out, kGzipHeader, sizeof kGzipHeader);
    std::size_t n = libdeflate_deflate_compress(m_c.get(), in, in_size, out + sizeof kGzipHeader,
                                                out_capacity - sizeof kGzipHeader - kGzipTrailerSize);
    if (n == 0) throw Error("gzip compression failed (libdeflate)");
    unsigned char* trailer = out + sizeof kGzipHeader + n;
    put_le32(trailer, libdeflate_crc32(0, in, in_size));
    put_le32(trailer + 4, static_cast<std::uint32_t>(in_size));  // ISIZE: size mod 2^32
    return sizeof kGzipHeader + n + kGzipTrailerSize;
  }

private:
  std::unique_ptr<libdeflate_compressor, void (*)(libdeflate_compressor*)> m_c;
};

class ZstdCodec final : public ChunkCodec {
public:
  explicit ZstdCodec(int level) : m_c(ZSTD_createCCtx(), ZSTD_freeCCtx) {
    if (!m_c) throw Error("cannot allocate a zstd compressor (libzstd)");
    // The level and a checksum of the content in each frame; the frame
    // header records the chunk's size (ZSTD_compress2 knows it).
    check(ZSTD_CCtx_setParameter(m_c.get(), ZSTD_c_compressionLevel, level));
    check(ZSTD_CCtx_setParameter(m_c.get(), ZSTD_c_checksumFlag, 1));
  }
  static std::size_t bound(std::size_t chunk) { return ZSTD_compressBound(chunk); }
  // One complete zstd frame; consecutive frames are one zstd stream
  // (RFC 8878, section 3.1).
  std::size_t compress(const unsigned char* in, std::size_t in_size, unsigned char* out,
                       std::size_t out_capacity) override {
    return check(ZSTD_compress2(m_c.get(), out, out_capacity, in, in_size));
  }

private:
  static std::size_t check(std::size_t rc) {
    if (ZSTD_isError(rc)) throw Error(std::string("zstd compression failed: ") + ZSTD_getErrorName(rc));
    return rc;
  }
  std::unique_ptr<ZSTD_CCtx, std::size_t (*)(ZSTD_CCtx*)> m_c;
};

using CodecFactory = std::function<std::unique_ptr<ChunkCodec>()>;

// gzip or zstd on a small thread pool. The caller's thread fills chunks,
// workers turn them into gzip members or zstd frames, and the caller's thread hands them to
// the sink strictly in stream order. A ring of 2 x threads slots (at most
// kMaxChunksInFlight) bounds the memory: the caller waits for the oldest
// chunk when the ring is full.
class ParallelChunks final : public Compressor {
public:
  ParallelChunks(Sink sink, unsigned threads, CodecFactory codec, std::size_t chunk, std::size_t out_capacity)
      : m_sink(std::move(sink)),
        m_threads(threads),
        m_codec(std::move(codec)),
        m_chunk(chunk),
        m_ring(std::min(2 * std::size_t{threads}, kMaxChunksInFlight)),
        m_out_capacity(out_capacity) {}

  ~ParallelChunks() override { stop(); }

  void write(const void* data, std::size_t size) override {
    const auto* p = static_cast<const unsigned char*>(data);
    while (size > 0) {
      Slot& s = filling();
      std::size_t n = std::min(size, m_chunk - s.in_size);
      std::memcpy(s.in.get() + s.in_size, p, n);
      s.in_size += n;
      p += n;
      size -= n;
      if (s.in_size == m_chunk) submit();
    }
  }

  void finish() override {
    // A partial last chunk; or, for an empty stream, one empty member: a
    // gzip file has at least one.
    if (m_filling || m_submitted == 0) {
      filling();
      submit();
    }
    while (m_emitted < m_submitted) emit_oldest();
    stop();
  }

private:
  Slot& slot(std::uint64_t seq) { return m_ring[seq % m_ring.size()]; }

  // The slot being filled, made ready if needed (waiting for its previous
  // chunk to be written out when the ring is full).
  Slot& filling() {
    Slot& s = slot(m_submitted);
    if (m_filling) return s;
    while (m_submitted - m_emitted >= m_ring.size()) emit_oldest();
    if (!s.in) {
      s.in.reset(new unsigned char[m_chunk]);
      s.out.reset(new unsigned char[m_out_capacity]);
    }
    s.in_size = 0;
    s.out_size = 0;
    s.done = false;
    s.failure = nullptr;
    m_filling = true;
    return s;
  }

  void submit() {
    if (m_workers.empty()) start();
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      ++m_submitted;
    }
    m_filling = false;
    m_work.notify_one();
    // Write out whatever is already finished, without waiting.
    while (m_emitted < m_submitted && is_done(slot(m_emitted))) emit_oldest();
  }

  bool is_done(const Slot& s) {
    std::lock_guard<std::mutex> lock(m_mutex);
    return s.done;
  }

  void emit_oldest() {
    Slot& s = slot(m_emitted);
    {
      std::unique_lock<std::mutex> lock(m_mutex);
      m_finished.wait(lock, [&] { return s.done; });
    }
    if (s.failure) std::rethrow_exception(s.failure);
    m_sink(s.out.get(), s.out_size);
    ++m_emitted;
  }

  void start() {
    m_workers.reserve(m_threads);
    for (unsigned i = 0; i < m_threads; ++i) m_workers.emplace_back([this] { work(); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_stop = true;
    }
    m_work.notify_all();
    for (auto& t : m_workers) t.join();
    m_workers.clear();
  }

  void work() {
    std::unique_ptr<ChunkCodec> codec;
    std::exception_ptr no_codec;
    try {
      codec = m_codec();
    } catch (...) {
      no_codec = std::current_exception();
    }
    for (;;) {
      std::uint64_t seq = 0;
      {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_work.wait(lock, [&] { return m_stop || m_taken < m_submitted; });
        if (m_stop) return;
        seq = m_taken++;
      }
      Slot& s = slot(seq);
      try {
        if (no_codec) std::rethrow_exception(no_codec);
        s.out_size = codec->compress(s.in.get(), s.in_size, s.out.get(), m_out_capacity);
      } catch (...) {
        s.failure = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(m_mutex);
        s.done = true;
      }
      m_finished.notify_one();
    }
  }

  Sink m_sink;
  const unsigned m_threads;
  const CodecFactory m_codec;
  const std::size_t m_chunk;
  std::vector<Slot> m_ring;
  const std::size_t m_out_capacity;

  // Caller's thread only.
  bool m_filling = false;       // slot(m_submitted) holds a partial chunk
  std::uint64_t m_emitted = 0;  // chunks handed to the sink

  std::mutex m_mutex;
  std::condition_variable m_work;      // a chunk was submitted, or stop
  std::condition_variable m_finished;  // a chunk was compressed
  std::uint64_t m_submitted = 0;       // written by the caller under the mutex
  std::uint64_t m_taken = 0;           // chunks picked up by workers
  bool m_stop = false;
  std::vector<std::thread> m_workers;
};

}  // namespace

unsigned compression_threads(unsigned wanted) {
  const unsigned n = wanted != 0 ? wanted : std::max(1u, std::thread::hardware_concurrency());
  return std::min(n, kMaxCompressionThreads);
}

std::size_t gzip_chunk_size(std::uint64_t expected_input) {
  std::size_t chunk = kGzipChunkSize;
  while (chunk > kMinGzipChunkSize && expected_input / chunk < 16) chunk /= 2;
  return chunk;
}

std::unique_ptr<Compressor> make_compressor(const CompressionOptions& c, Sink sink, unsigned threads,
                                            std::size_t chunk_size) {
  if (c.method == Compression::None) return std::make_unique<Passthrough>(std::move(sink));
  if (chunk_size == 0) throw Error("compression chunk size 0");
  threads = compression_threads(threads);
  const int level = effective_level(c);
  if (c.method == Compression::Zstd) {
    return std::make_unique<ParallelChunks>(
        std::move(sink), threads, [level] { return std::make_unique<ZstdCodec>(level); }, chunk_size,
        ZstdCodec::bound(chunk_size));
  }
  return std::make_unique<ParallelChunks>(
      std::move(sink), threads, [level] { return std::make_unique<GzipCodec>(level); }, chunk_size,
      GzipCodec::bound(chunk_size));
}

std::string compressor_identity(const CompressionOptions& c) {
  const std::string chunks =
      " chunks " + std::to_string(kMinGzipChunkSize) + ".." + std::to_string(kGzipChunkSize) + " by 16";
  switch (c.method) {
    case Compression::None: return "none";
    case Compression::Gzip:
      return std::string("libdeflate ") + LIBDEFLATE_VERSION_STRING + " level " + std::to_string(effective_level(c)) +
             chunks;
    case Compression::Zstd:
      return std::string("zstd ") + ZSTD_versionString() + " level " + std::to_string(effective_level(c)) +
             " checksum" + chunks;
  }
  return "unknown";
}

const char* layer_media_type(const CompressionOptions& c) {
  switch (c.method) {
    case Compression::Gzip: return oci::media_type::kLayerGzip;
    case Compression::Zstd: return oci::media_type::kLayerZstd;
    case Compression::None: break;
  }
  return oci::media_type::kLayerTar;
}

}  // namespace ocipack::layer
