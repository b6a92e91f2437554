// Layer blobs kept between builds (--cache-dir): a layer whose entries and
// sources did not change is reused as it is, not read and compressed again.
#pragma once

#include "layer/plan.hpp"
#include "layer/writer.hpp"
#include "util/file.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <cstdint>
#include <set>
#include <string>

namespace ocipack::build {

struct CachedLayer {
  layer::Written written;
  std::filesystem::path blob;  // the blob's bytes
};

class LayerCache {
public:
  explicit LayerCache(std::filesystem::path dir);

  // The layer of `plan` stored under `key` (its key()), if it is there and
  // intact; with `need_files`, only if its files' checksums were kept too
  // (their paths then view the plan's entries).
  std::optional<CachedLayer> find(const std::string& key, const layer::Plan& plan, bool need_files);

  // A scratch file for a new entry's bytes, on the cache's file system (so
  // that store() only has to give it a name).
  std::unique_ptr<util::ScratchFile> new_file() const;
  // Keeps a layer just written into `file` under `key`.
  void store(const std::string& key, util::ScratchFile& file, const layer::Written& written);

  // Removes the entries this build did not use.
  void prune();

  // What identifies a layer's bytes: the tool itself, the compression, the
  // mtime, every entry, and each source file's identity (device, inode,
  // size, mtime and ctime, as make and ccache's direct mode trust them).
  static std::string key(const layer::Plan& plan, const layer::CompressionOptions& compression, std::int64_t mtime);

private:
  std::filesystem::path m_dir;
  std::set<std::string> m_used;
};

}  // namespace ocipack::build
