// The SBOM of one image as plain values, and its two writers: SPDX 2.3
// JSON and CycloneDX 1.6 JSON, each written as a stream (a file's element
// at a time: an image of 100,000 files is never one JSON tree).
#pragma once

#include "deps/resolve.hpp"
#include "layer/writer.hpp"
#include "oci/model.hpp"
#include "sbom/dpkg.hpp"

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ocipack::sbom {

// One layer of the image and its regular files with their checksums.
struct LayerFiles {
  oci::Digest digest;  // the layer blob's
  bool base = false;   // one of the base image's
  std::vector<layer::HashedFile> files;
};

// A Debian package the image has files of, or that the base lists.
struct ImagePackage {
  Package package;
  std::string purl;
  bool base = false;  // listed by the base image's dpkg database
  // Its files in the image: (layer index, in-image path without '/').
  std::vector<std::pair<std::size_t, std::string>> files;
};

// The project (`project()`): its targets' files are its own.
struct Project {
  std::string name, version, homepage;
  std::string revision;                                    // git commit, when known
  std::vector<std::pair<std::size_t, std::string>> files;  // as ImagePackage::files
};

struct Document {
  std::string image;  // the image's name
  std::vector<std::string> tags;
  oci::Digest manifest;
  oci::Platform platform;
  std::string created;             // RFC 3339
  std::string tool_version;        // ocipack's own
  std::vector<LayerFiles> layers;  // bottom first, the base's included
  std::vector<ImagePackage> packages;
  std::optional<Project> project;
  std::set<deps::Dependency> dependencies;  // in-image absolute paths
};

enum class Format { Spdx, CycloneDx };

// Writes `doc` to `path` (never half-written). The same document gives the
// same bytes.
void write(const Document& doc, Format format, const std::filesystem::path& path);

// An id made of a fixed prefix and a path or name: [A-Za-z0-9.] kept, any
// other byte as -XX (so that two names never give one id).
std::string element_id(const std::string& prefix, std::string_view name);

}  // namespace ocipack::sbom
