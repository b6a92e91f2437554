// Reads a base image (BASE): a `docker save` tarball (Docker 20.10's layout
// or Docker 25+'s), an OCI archive tarball, or an OCI layout directory,
// through the layout reader (archive/layout.hpp), in place. Every blob used
// is checked against its digest and size, and every layer against its
// diff_id; a mismatch is an Error naming the blob.
#pragma once

#include "archive/layer_reader.hpp"
#include "archive/layout.hpp"
#include "archive/tarball.hpp"
#include "oci/model.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ocipack::archive {

struct BaseLayer {
  oci::Descriptor descriptor;  // OCI media type, digest, size: passed through byte for byte
  oci::Digest diff_id;
  std::string path;              // within the source
  std::vector<LayerFile> files;  // in tar order, whiteouts included
};

struct BaseImage {
  std::string name;                     // what was picked, for messages
  std::optional<oci::Digest> manifest;  // the image manifest picked, when the base has one (OCI layouts)
  oci::ImageConfig config;
  std::vector<BaseLayer> layers;
  Layout layout;  // where the layer bytes are
};

// `tag`: BASE_TAG (empty: the base must hold one image). `platform`: the
// platform to pick from a multi-platform index. Each layer is read once
// (digest, diff_id and file list in one pass).
BaseImage read_base(const std::filesystem::path& path, const std::string& tag, const oci::Platform& platform);

// The same for the one image of an OCI layout read from elsewhere (a
// registry: registry/pull.hpp); errors say nothing of where it is.
BaseImage read_base(const Layout& layout, const oci::Platform& platform);
// A base layer's stored (possibly compressed) bytes, as a blob of the image
// tarball: the same bytes, the same digest.
Blob base_layer_blob(const BaseImage& base, const BaseLayer& layer);

// The content of the regular file `path` (layer_path() form) of a base
// layer, at most `max_bytes`; nullopt when the layer has none. The layer's
// bytes were checked by read_base.
std::optional<std::string> read_base_file(const BaseImage& base, const BaseLayer& layer, const std::string& path,
                                          std::uint64_t max_bytes);

}  // namespace ocipack::archive
