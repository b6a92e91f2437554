// The image tarball: one uncompressed tar that is both an OCI image layout
// (oci-layout, index.json, blobs/sha256/...) and a `docker save` archive
// (manifest.json), the shape Docker 25+ itself writes.
#pragma once

#include "oci/model.hpp"
#include "oci/reference.hpp"
#include "util/file.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ocipack::archive {

// A blob whose digest is known: bytes in memory, or a file opened by
// `open` (an fd the writer closes) that must hold exactly `size` bytes, or
// hold them at `offset` (a tar entry read in place).
struct Blob {
  oci::Digest digest;
  std::uint64_t size = 0;
  std::string bytes;  // used when `open` is empty
  std::function<int()> open;
  std::optional<std::uint64_t> offset = std::nullopt;
};

// A blob read from a file on disk.
Blob file_blob(const oci::Digest& digest, std::uint64_t size, const std::filesystem::path& path);

// The largest blob whose tar header is one 512-byte ustar block (pax
// adds a record above this): the most a blob written in place may take.
inline constexpr std::uint64_t kMaxInPlaceBlobSize = (std::uint64_t{1} << 33) - 1;

// Writes an image tarball as its blobs come: each blob once (by digest),
// in the order given, then index.json, manifest.json and oci-layout. The
// file appears at `output` only when finish() succeeds; anything that
// fails before leaves nothing there.
class TarballWriter {
public:
  // `mtime` stamps every entry.
  TarballWriter(const std::filesystem::path& output, std::int64_t mtime);

  void add(const Blob& blob);

  // A blob whose digest is only known once it is written (a layer): its
  // bytes go to the returned writer right after a reserved header, and
  // end_blob() fills the header in. The blob must stay within
  // kMaxInPlaceBlobSize. Nothing else may be added in between.
  util::FdWriter& begin_blob();
  void end_blob(const oci::Digest& digest);

  void finish(const oci::Index& index, const std::string& docker_manifest);

private:
  void entry(const std::string& path, unsigned type, std::uint64_t size);
  void pad();

  util::OutputFile m_out;
  std::int64_t m_mtime;
  std::set<std::string> m_written;  // digests already in the tarball
  std::uint64_t m_reserved = 0;     // where begin_blob() left a header block
  bool m_in_blob = false;
};

struct Image {
  oci::Manifest manifest;         // already serialised into a blob
  oci::Descriptor manifest_desc;  // its descriptor (digest, size, platform)
  std::vector<oci::Reference> tags;
  std::vector<Blob> blobs;  // config, layers and manifest
};

// index.json: one entry per tag, all pointing at the same manifest.
oci::Index make_index(const oci::Descriptor& manifest, const std::vector<oci::Reference>& tags);
oci::Index make_index(const Image& image);
// manifest.json, Docker's `docker save` form.
std::string docker_manifest_json(const Image& image);
std::string docker_manifest_json(const oci::Manifest& manifest, const std::vector<oci::Reference>& tags);

// Writes the tarball of one image to `output` atomically; `mtime` stamps
// every entry.
void write_tarball(const std::filesystem::path& output, const Image& image, std::int64_t mtime);

// The general form: any blobs, this index.json and this manifest.json.
void write_layout_tarball(const std::filesystem::path& output, const std::vector<Blob>& blobs, const oci::Index& index,
                          const std::string& docker_manifest, std::int64_t mtime);

}  // namespace ocipack::archive
