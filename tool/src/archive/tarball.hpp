// The image tarball: one uncompressed tar that is both an OCI image layout
// (oci-layout, index.json, blobs/sha256/...) and a `docker save` archive
// (manifest.json), the shape Docker 25+ itself writes.
#pragma once

#include "oci/model.hpp"
#include "util/file.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ocipack::archive {

// A blob to store: either bytes in memory or a scratch file.
struct Blob {
  oci::Digest digest;
  std::uint64_t size = 0;
  std::string bytes;                     // used when `file` is null
  util::ScratchFile* file = nullptr;
};

struct Image {
  oci::Manifest manifest;         // already serialised into a blob
  oci::Descriptor manifest_desc;  // its descriptor (digest, size, platform)
  std::vector<oci::Reference> tags;
  std::vector<Blob> blobs;        // config, layers and manifest
};

// index.json: one entry per tag, all pointing at the same manifest.
oci::Index make_index(const Image& image);
// manifest.json, Docker's `docker save` form.
std::string docker_manifest_json(const Image& image);

// Writes the tarball to `output` atomically; `mtime` stamps every entry.
void write_tarball(const std::filesystem::path& output, const Image& image, std::int64_t mtime);

} // namespace ocipack::archive
