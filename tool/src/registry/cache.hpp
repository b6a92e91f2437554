// The cache of what was pulled from registries (manifests, indexes,
// configs, layers), shared by every build on the machine and named by
// content: <dir>/blobs/sha256/<hex>, the layout of an OCI image directory.
// An entry is verified against its digest when stored, and checked before
// use: a file whose size, modification time or inode differs from the
// record written when it was verified (<dir>/verified/sha256/<hex>) is
// hashed again, and removed when it no longer matches, to be fetched again.
// Entries appear by rename, whole: concurrent builds never see a partial
// blob, and two that fetch the same blob store the same bytes.
#pragma once

#include "oci/model.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace ocipack::registry {

struct CacheUsage {
  std::uint64_t blobs = 0;
  std::uint64_t bytes = 0;
};

class BlobCache {
public:
  explicit BlobCache(std::filesystem::path dir);

  const std::filesystem::path& dir() const { return m_dir; }
  std::filesystem::path path_of(const oci::Digest& digest) const;

  // The entry's path when it is there and whole (hashed again only when its
  // file changed since it was verified; a damaged one is removed). Marks
  // it used now, for prune().
  std::optional<std::filesystem::path> find(const oci::Digest& digest) const;

  // A blob being stored: write() its bytes, restart() for a new attempt,
  // commit() checks size and digest and puts it in place.
  class Incoming {
  public:
    Incoming(const BlobCache& cache, oci::Digest digest);
    void write(const char* data, std::size_t size);
    void restart();
    std::uint64_t size() const { return m_size; }
    // Throws Error saying what the bytes hash to when they are not `digest`.
    std::filesystem::path commit(std::optional<std::uint64_t> expected_size);

  private:
    const BlobCache& m_cache;
    oci::Digest m_digest;
    std::unique_ptr<util::OutputFile> m_file;
    std::unique_ptr<util::Sha256> m_hash;
    std::uint64_t m_size = 0;
  };

  CacheUsage usage() const;
  // Removes the entries not used for `unused_days` days (all with 0), and
  // temporary files of downloads that never finished. Returns what went.
  CacheUsage prune(unsigned unused_days) const;

private:
  void record(const oci::Digest& digest) const;
  std::filesystem::path record_of(const oci::Digest& digest) const;

  std::filesystem::path m_dir;
};

}  // namespace ocipack::registry
