// Helpers shared by the unit tests: a temporary directory and small files,
// sample bytes, an environment variable set for a while, the plan fixture
// of the layer tests, and independent readers of gzip and zstd streams.
#pragma once

#include "layer/plan.hpp"
#include "layer/writer.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>
#include <zlib.h>
#include <zstd.h>

namespace ocipack::testing {

// Runs `f`, which must throw an Error whose message contains `text`.
template <typename F>
void expect_error_contains(F f, const std::string& text) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one containing: " << text;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

class TempDir {
public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "ocipack-test-XXXXXX").string();
    m_path = ::mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  const std::filesystem::path& path() const { return m_path; }
  std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
  std::filesystem::path m_path;
};

inline void write(const std::filesystem::path& p, const std::string& content, unsigned mode = 0644) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
  ::chmod(p.c_str(), mode);
}

// Bytes that compress like real binaries do, partly: runs of pseudo-random
// bytes (incompressible) alternating with repeated text (very compressible).
inline std::string sample(std::size_t size, std::uint32_t seed = 1) {
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
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  const char* m_name;
  std::optional<std::string> m_old;
};

// A layer written to memory: what write_layer says of it, and its bytes.
struct Blob : layer::Written {
  std::string bytes;
};

inline Blob write_layer(const layer::Plan& plan, const layer::CompressionOptions& compression, std::int64_t mtime) {
  Blob blob;
  static_cast<layer::Written&>(blob) =
      layer::write_layer(plan, compression, mtime,
                         [&blob](const void* p, std::size_t n) { blob.bytes.append(static_cast<const char*>(p), n); });
  return blob;
}

// A layer of some files (created_by "test").
inline spec::LayerSpec layer_of(std::vector<spec::FileSpec> files) {
  spec::LayerSpec l;
  l.created_by = "test";
  l.files = std::move(files);
  return l;
}

// A program, a directory of files with various modes and a symlink.
class LayerTest : public ::testing::Test {
protected:
  void SetUp() override {
    write(dir / "app",
          "\x7f"
          "ELF binary",
          0700);                               // any x bit -> 0755
    write(dir / "assets/b.txt", "bee", 0600);  // no x bit -> 0644
    write(dir / "assets/a.txt", "ay", 0666);
    write(dir / "assets/sub/c.txt", "sea", 0640);
    ::symlink("a.txt", (dir / "assets/link").c_str());
  }
  TempDir dir;
  std::set<std::string> inputs;
};

struct Gunzipped {
  std::string data;
  std::vector<std::size_t> member_offsets;  // where each gzip member starts
  bool ok = false;                          // every member complete, nothing after the last
};

// Decompresses every member in turn with zlib, an implementation
// independent of the compressor's.
inline Gunzipped gunzip_all(const std::string& gz) {
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

// The frames of a zstd stream, each decompressed on its own (which also
// checks each frame's content checksum and size).
inline std::vector<std::string> zstd_frames(const std::string& z) {
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

}  // namespace ocipack::testing
