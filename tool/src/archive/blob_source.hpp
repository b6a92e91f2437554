// The files of an image, by path, wherever they are: the entries of a
// tarball (read in place: the tar is indexed once, each entry read with
// pread at its offset) or the files of an OCI layout directory. Base
// images, `ocipack inspect` and the inputs of `ocipack index` are read
// through it (archive/layout.hpp). A registry is one more BlobSource: its
// reads may fail (an Error naming what), it handles its own credentials and
// retries, and `open(path, offset)` lets a caller resume a broken stream.
#pragma once

#include "archive/tarball.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace ocipack::archive {

// A stream of bytes: a file, a range of a file, later an HTTP body.
class ByteReader {
public:
  virtual ~ByteReader() = default;
  // Up to `size` bytes into `buffer`; 0 only at the end. Throws Error.
  virtual std::size_t read(char* buffer, std::size_t size) = 0;
};

// The bytes of a string.
class StringReader final : public ByteReader {
public:
  explicit StringReader(std::string data) : m_data(std::move(data)) {}
  std::size_t read(char* buffer, std::size_t size) override;

private:
  std::string m_data;
  std::size_t m_at = 0;
};

class BlobSource {
public:
  virtual ~BlobSource() = default;
  // The size of the file at `path` (symlinks and hard links followed), or
  // nullopt when there is none. `path` is clean (clean_path).
  virtual std::optional<std::uint64_t> size(const std::string& path) const = 0;
  // Its bytes from `offset` on. Throws Error when there is no such file.
  virtual std::unique_ptr<ByteReader> open(const std::string& path, std::uint64_t offset = 0) const = 0;
  // The file as a blob of an image tarball with this digest, copied in the
  // kernel where it can (copy_file_range) when it is written.
  virtual Blob blob(const std::string& path, const oci::Digest& digest) const = 0;

  // A small document (index, manifest, config), read whole (at most 16 MiB).
  std::string read_document(const std::string& path) const;
};

// A tarball (regular file) or an OCI layout directory.
std::shared_ptr<const BlobSource> open_blob_source(const std::filesystem::path& path);

// "./a//b" -> "a/b"; refuses ".." (nothing may point outside the image).
std::string clean_path(const std::string& path);

}  // namespace ocipack::archive
