// Reads a layer blob (a tar: plain, gzip, zstd, bzip2 or xz) as a stream:
// its entries and its diff_id in one pass, or one file's content.
#pragma once

#include "archive/blob_source.hpp"
#include "oci/model.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ocipack::archive {

struct LayerFile {
  std::string path;  // as the tar names it: "usr/bin/", "./etc/passwd"
  char type = '-';   // '-', 'd', 'l' (symlink), 'h' (hard link), '?' other
  unsigned mode = 0;
  std::int64_t uid = 0, gid = 0;
  std::string uname, gname;
  std::int64_t mtime = 0;
  std::uint64_t size = 0;
  std::string link;
};

// Files listed per layer: more is refused.
inline constexpr std::size_t kMaxLayerEntries = 1000000;

struct LayerScan {
  std::vector<LayerFile> files;  // in tar order (whiteouts included)
  oci::Digest diff_id;           // sha256 of the whole uncompressed stream
};

// Reads the layer once from `stored` (its `stored_size` stored bytes; the
// caller checks those against the layer's digest). `name` names the layer
// in errors. Refuses a decompression bomb and more than kMaxLayerEntries
// entries.
LayerScan scan_layer(ByteReader& stored, std::uint64_t stored_size, const std::string& name);
// The same without the diff_id (left empty): one hash less, for `inspect`.
std::vector<LayerFile> list_layer(ByteReader& stored, std::uint64_t stored_size, const std::string& name);

// The content of the regular file `path` (as layer_path() gives it) in the
// layer, or nullopt when the layer has none; more than `max_bytes` is an
// Error. Stops reading the layer there.
std::optional<std::string> read_layer_file(ByteReader& stored, std::uint64_t stored_size, const std::string& name,
                                           const std::string& path, std::uint64_t max_bytes);

// A tar entry's name as an in-image path without leading "./" or trailing
// '/': "./usr/bin/" -> "usr/bin".
std::string layer_path(const std::string& entry_name);

}  // namespace ocipack::archive
