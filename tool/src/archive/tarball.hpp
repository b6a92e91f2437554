// The image tarball: one uncompressed tar that is both an OCI image layout
// (oci-layout, index.json, blobs/sha256/...) and a `docker save` archive
// (manifest.json), the shape Docker 25+ itself writes.
#pragma once

#include "oci/model.hpp"
#include "util/file.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ocipack::archive {

// Streams a blob's bytes to a sink.
using ByteSink = std::function<void(const char* data, std::size_t size)>;
using ByteStream = std::function<void(const ByteSink& sink)>;

// A blob to store: bytes in memory, or a stream (a scratch or cache file,
// a base image's layer) that must give exactly `size` bytes.
struct Blob {
  oci::Digest digest;
  std::uint64_t size = 0;
  std::string bytes;     // used when `stream` is empty
  ByteStream stream;
};

// A stream over a file on disk.
ByteStream file_stream(const std::filesystem::path& path);

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
std::string docker_manifest_json(const oci::Manifest& manifest, const std::vector<oci::Reference>& tags);

// Writes the tarball of one image to `output` atomically; `mtime` stamps
// every entry.
void write_tarball(const std::filesystem::path& output, const Image& image, std::int64_t mtime);

// The general form: any blobs, this index.json and this manifest.json.
void write_layout_tarball(const std::filesystem::path& output, const std::vector<Blob>& blobs,
                          const oci::Index& index, const std::string& docker_manifest, std::int64_t mtime);

} // namespace ocipack::archive
