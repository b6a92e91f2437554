// Writes a layer: a deterministic tar stream, hashed (diff_id), compressed
// and hashed again (digest) in one pass, to wherever the caller says: in
// place in the image tarball, or a scratch file.
#pragma once

#include "layer/compress.hpp"
#include "layer/plan.hpp"
#include "oci/model.hpp"
#include "util/sha256.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ocipack::layer {

// A regular file of a layer with the checksums of the bytes the layer has
// (patches applied), for the SBOM.
struct HashedFile {
  // In-image, without the leading '/': a view of the path of the entry (or
  // the base layer's file) it is, which outlives it. 100,000 files would
  // otherwise hold every path twice.
  std::string_view path;
  util::FileDigests digests;
};

// What a written layer is.
struct Written {
  oci::Descriptor descriptor;  // media type, digest, size (compressed)
  oci::Digest diff_id;         // sha256 of the uncompressed tar
  std::uint64_t uncompressed_size = 0;
  std::vector<HashedFile> files;  // its regular files, in layer order, hashed as they streamed in
  bool files_hashed = false;      // `files` was filled (write_layer with hash_files)
};

// Writes the layer's blob to `out`, in order. `out` is called from this
// thread or from one helper thread, never twice at the same time.
// `mtime` is the time stamp of every entry (SOURCE_DATE_EPOCH or 0);
// `threads` the compression threads, as compression_threads() takes them
// (the bytes are the same for any number). `hash_files`: the SHA-256 and
// SHA-1 of every regular file, for the SBOM (two more hashes of every
// byte: left out when no SBOM is written).
Written write_layer(const Plan& plan, const CompressionOptions& compression, std::int64_t mtime, const Sink& out,
                    unsigned threads = 0, bool hash_files = true);

// Writes the parts of `patches` that fall in the `n` bytes at offset `at`
// of a file over `data`, the bytes read there.
void apply_patches(const std::vector<Patch>& patches, std::uint64_t at, char* data, std::size_t n);

// A bound on the size of the layer's blob, known before writing it: the
// image tarball uses it to reserve the blob's tar header.
std::uint64_t max_blob_size(const Plan& plan, const CompressionOptions& compression);

}  // namespace ocipack::layer
