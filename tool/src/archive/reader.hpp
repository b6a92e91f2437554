// Reads an image tarball (or OCI layout directory) back for `ocipack
// inspect`, through the layout reader: every image of index.json, its
// manifest and config checked and parsed, and every layer listed while its
// bytes are checked against its digest.
#pragma once

#include "archive/layer_reader.hpp"
#include "oci/model.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ocipack::archive {

struct ImageRecord {
  oci::Descriptor descriptor;  // the index entry (annotations, platform)
  oci::Manifest manifest;
  oci::ImageConfig config;
};

struct ReadImage {
  std::vector<ImageRecord> images;                            // one per image manifest of each index.json entry
  std::vector<std::string> repo_tags;                         // from manifest.json
  std::map<oci::Digest, std::vector<LayerFile>> layer_files;  // each layer's, in tar order
};

// Throws Error naming the entry or blob that is missing or does not match.
// The content of the files `keep` names is kept in their LayerFile.
ReadImage read_image(const std::filesystem::path& path, const KeepContent& keep = {});

}  // namespace ocipack::archive
