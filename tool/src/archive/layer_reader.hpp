// Reads a layer blob (a tar: plain, gzip, zstd, bzip2 or xz) as a stream:
// its entries and its diff_id in one pass, or one file's content.
#pragma once

#include "archive/blob_source.hpp"
#include "oci/model.hpp"
#include "util/sha256.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
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
  util::FileDigests digests;  // a regular file's checksums: scan_layer() only
  std::string content;        // a regular file's bytes, when the caller asked to keep them
};

// Which regular files' content a listing keeps (by layer_path()), each at
// most kMaxKeptFile bytes.
using KeepContent = std::function<bool(const std::string& path)>;
inline constexpr std::uint64_t kMaxKeptFile = 1 << 20;

// Files listed per layer: more is refused.
inline constexpr std::size_t kMaxLayerEntries = 1000000;

struct LayerScan {
  std::vector<LayerFile> files;  // in tar order (whiteouts included)
  oci::Digest diff_id;           // sha256 of the whole uncompressed stream
};

// Reads the layer once from `stored` (its `stored_size` stored bytes; the
// caller checks those against the layer's digest). `name` names the layer
// in errors. Refuses a decompression bomb and more than kMaxLayerEntries
// entries. Each regular file's checksums are computed in the same pass.
LayerScan scan_layer(ByteReader& stored, std::uint64_t stored_size, const std::string& name);
// The entries without the diff_id and checksums (left empty): less hashing,
// for `inspect`; the content of the files `keep` names is kept.
std::vector<LayerFile> list_layer(ByteReader& stored, std::uint64_t stored_size, const std::string& name,
                                  const KeepContent& keep = {});

// The content of the regular file `path` (as layer_path() gives it) in the
// layer, or nullopt when the layer has none; more than `max_bytes` is an
// Error. Stops reading the layer there.
std::optional<std::string> read_layer_file(ByteReader& stored, std::uint64_t stored_size, const std::string& name,
                                           const std::string& path, std::uint64_t max_bytes);

// A tar entry's name as an in-image path without leading "./" or trailing
// '/': "./usr/bin/" -> "usr/bin".
std::string layer_path(const std::string& entry_name);
// The same as a view of `entry_name`.
std::string_view trim_layer_path(std::string_view entry_name);

}  // namespace ocipack::archive
