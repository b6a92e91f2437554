// Layer blobs kept between builds (--cache-dir): a layer whose entries and
// sources did not change is reused as it is, not read and compressed again.
#pragma once

#include "layer/plan.hpp"
#include "layer/writer.hpp"

#include <filesystem>
#include <optional>
#include <set>
#include <string>

namespace ocipack::build {

struct CachedLayer {
  oci::Descriptor descriptor;
  oci::Digest diff_id;
  std::filesystem::path blob;  // the compressed bytes
  bool reused = false;
};

class LayerCache {
public:
  explicit LayerCache(std::filesystem::path dir);

  // The layer for `plan`: from the cache when its key is there, else
  // written (layer::write_layer) and stored.
  CachedLayer get(const layer::Plan& plan, spec::Compression compression, std::int64_t mtime);

  // Removes the entries this build did not use.
  void prune();

  // What identifies a layer's bytes: the tool itself, the compression, the
  // mtime, every entry, and each source file's identity (device, inode,
  // size, mtime and ctime, as make and ccache's direct mode trust them).
  static std::string key(const layer::Plan& plan, spec::Compression compression, std::int64_t mtime);

private:
  std::filesystem::path m_dir;
  std::set<std::string> m_used;
};

} // namespace ocipack::build
