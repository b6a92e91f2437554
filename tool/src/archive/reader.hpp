// Reads an image tarball (OCI layout + manifest.json) back: every blob is
// hashed and checked against its name, then the documents are parsed.
#pragma once

#include "oci/model.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

struct archive_entry;  // libarchive

namespace ocipack::archive {

struct ImageRecord {
  oci::Descriptor descriptor; // the index entry (annotations, platform)
  oci::Manifest manifest;
  oci::ImageConfig config;
};

struct ReadImage {
  std::vector<ImageRecord> images;     // one per index.json entry
  std::vector<std::string> repo_tags;  // from manifest.json
};

// Throws Error naming the entry or blob that is missing or does not match.
ReadImage read_image(const std::filesystem::path& tarball);

struct LayerFile {
  std::string path;
  char type = '-';  // '-', 'd', 'l' (symlink), 'h' (hard link), '?' other
  unsigned mode = 0;
  std::int64_t uid = 0, gid = 0;
  std::string uname, gname;
  std::int64_t mtime = 0;
  std::uint64_t size = 0;
  std::string link;
};

// The LayerFile of a libarchive entry.
LayerFile layer_file_of(::archive_entry* entry);

// Calls `on_file` for every entry of the layer blob `digest`, in tar order.
void list_layer(const std::filesystem::path& tarball, const oci::Digest& digest,
                const std::function<void(const LayerFile&)>& on_file);

} // namespace ocipack::archive
