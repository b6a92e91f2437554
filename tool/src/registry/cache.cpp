#include "registry/cache.hpp"

#include "util/error.hpp"

#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <system_error>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ocipack::registry {

namespace {

// What identifies a file's content without reading it: when any of these
// changed since the file was hashed, it is hashed again.
std::string identity_of(const struct stat& st) {
  return std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + " " +
         std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ino) + "\n";
}

std::optional<std::string> read_small(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string hash_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  util::Sha256 hash;
  std::array<char, 1 << 16> buffer;
  ssize_t n;
  while ((n = ::read(fd, buffer.data(), buffer.size())) > 0) hash.update(buffer.data(), static_cast<std::size_t>(n));
  ::close(fd);
  return n < 0 ? std::string() : hash.finish_hex();
}

void make_dirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("cannot create the cache directory " + dir.string() + ": " + ec.message());
}

}  // namespace

BlobCache::BlobCache(fs::path dir) : m_dir(std::move(dir)) {}

fs::path BlobCache::path_of(const oci::Digest& digest) const { return m_dir / "blobs" / "sha256" / digest.hex; }

fs::path BlobCache::record_of(const oci::Digest& digest) const { return m_dir / "verified" / "sha256" / digest.hex; }

void BlobCache::record(const oci::Digest& digest) const {
  struct stat st {};
  if (::stat(path_of(digest).c_str(), &st) != 0) return;
  make_dirs(record_of(digest).parent_path());
  util::write_file_atomically(record_of(digest), identity_of(st));
}

std::optional<fs::path> BlobCache::find(const oci::Digest& digest) const {
  const fs::path path = path_of(digest);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  if (read_small(record_of(digest)) != identity_of(st)) {
    if (hash_file(path) != digest.hex) {
      // Damaged (or cut short by a crash before this cache checked sizes):
      // gone, so that it is fetched again.
      ::unlink(path.c_str());
      ::unlink(record_of(digest).c_str());
      return std::nullopt;
    }
    record(digest);
  } else {
    ::utimensat(AT_FDCWD, record_of(digest).c_str(), nullptr, 0);  // used now, for prune
  }
  return path;
}

BlobCache::Incoming::Incoming(const BlobCache& cache, oci::Digest digest)
    : m_cache(cache), m_digest(std::move(digest)) {
  make_dirs(m_cache.path_of(m_digest).parent_path());
  m_file = std::make_unique<util::OutputFile>(m_cache.path_of(m_digest));
  m_hash = std::make_unique<util::Sha256>();
}

void BlobCache::Incoming::write(const char* data, std::size_t size) {
  m_file->write(data, size);
  m_hash->update(data, size);
  m_size += size;
}

void BlobCache::Incoming::restart() {
  m_file->truncate_to(0);
  m_hash = std::make_unique<util::Sha256>();
  m_size = 0;
}

fs::path BlobCache::Incoming::commit(std::optional<std::uint64_t> expected_size) {
  if (expected_size && *expected_size != m_size) {
    throw Error("the registry sent " + std::to_string(m_size) + " bytes for " + m_digest.str() + ", which has " +
                std::to_string(*expected_size));
  }
  const std::string got = m_hash->finish_hex();
  if (got != m_digest.hex) {
    throw Error("the registry sent content that hashes to sha256:" + got + ", not the " + m_digest.str() +
                " asked for");
  }
  m_file->commit();
  m_cache.record(m_digest);
  return m_cache.path_of(m_digest);
}

CacheUsage BlobCache::usage() const {
  CacheUsage u;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(m_dir / "blobs" / "sha256", ec)) {
    if (e.path().filename().string().front() == '.') continue;
    std::error_code size_ec;
    const auto size = e.file_size(size_ec);
    if (size_ec) continue;
    ++u.blobs;
    u.bytes += size;
  }
  return u;
}

CacheUsage BlobCache::prune(unsigned unused_days) const {
  const auto now = fs::file_time_type::clock::now();
  const auto keep = std::chrono::hours(24) * unused_days;
  CacheUsage removed;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(m_dir / "blobs" / "sha256", ec)) {
    const std::string name = e.path().filename().string();
    std::error_code e_ec;
    const auto size = e.file_size(e_ec);
    if (e_ec) continue;
    if (name.front() == '.') {
      // A download that never finished (its process was killed), if old.
      const auto written = fs::last_write_time(e.path(), e_ec);
      if (!e_ec && now - written > std::chrono::hours(1)) fs::remove(e.path(), e_ec);
      continue;
    }
    const fs::path record = m_dir / "verified" / "sha256" / name;
    const auto used = fs::last_write_time(fs::exists(record, e_ec) ? record : e.path(), e_ec);
    if (unused_days > 0 && !e_ec && now - used < keep) continue;
    fs::remove(record, e_ec);
    if (fs::remove(e.path(), e_ec)) {
      ++removed.blobs;
      removed.bytes += size;
    }
  }
  return removed;
}

}  // namespace ocipack::registry
