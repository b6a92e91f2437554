// Writes a layer: a deterministic tar stream, hashed (diff_id), compressed
// and hashed again (digest) in one pass into an unnamed scratch file.
#pragma once

#include "layer/plan.hpp"
#include "oci/model.hpp"
#include "util/file.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace ocipack::layer {

struct Blob {
  oci::Descriptor descriptor;          // media type, digest, size (compressed)
  oci::Digest diff_id;                 // sha256 of the uncompressed tar
  std::uint64_t uncompressed_size = 0;
  std::unique_ptr<util::ScratchFile> file;
};

// `mtime` is the time stamp of every entry (SOURCE_DATE_EPOCH or 0).
Blob write_layer(const Plan& plan, spec::Compression compression, std::int64_t mtime,
                 const std::filesystem::path& scratch_dir);

} // namespace ocipack::layer
