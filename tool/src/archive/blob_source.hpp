// The files of an image on disk, by path: the entries of a tarball (copied
// once to unnamed scratch files and hashed on the way) or the files of an
// OCI layout directory (hashed when first asked). Base images and the
// inputs of `ocipack index` are read through it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace ocipack::archive {

class BlobSource {
public:
  virtual ~BlobSource() = default;
  virtual bool has(const std::string& path) const = 0;
  virtual std::uint64_t size(const std::string& path) const = 0;
  virtual std::string sha256(const std::string& path) const = 0;
  // A new read-only descriptor at offset 0 (the caller closes it).
  virtual int open(const std::string& path) const = 0;

  // A small JSON document, read whole (at most 16 MiB).
  std::string read_document(const std::string& path) const;
};

// A tarball or a directory; `scratch_dir` holds a tarball's copies.
std::shared_ptr<const BlobSource> open_blob_source(const std::filesystem::path& path,
                                                   const std::filesystem::path& scratch_dir);

// "./a//b" -> "a/b"; refuses ".." (nothing may point outside the image).
std::string clean_path(const std::string& path);

} // namespace ocipack::archive
