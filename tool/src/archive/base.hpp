// Reads a base image (BASE): a `docker save` tarball (Docker 20.10's layout
// or Docker 25+'s), an OCI archive tarball, or an OCI layout directory.
// Every blob used is checked against its digest and size, and every layer
// against its diff_id; a mismatch is an Error naming the blob.
#pragma once

#include "archive/blob_source.hpp"
#include "archive/tarball.hpp"
#include "archive/reader.hpp"
#include "oci/model.hpp"
#include "util/file.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ocipack::archive {


struct BaseLayer {
  oci::Descriptor descriptor;  // OCI media type, digest, size: passed through byte for byte
  oci::Digest diff_id;
  std::string path;            // within the source
};

struct BaseImage {
  std::string name;            // what was picked, for messages
  oci::ImageConfig config;
  std::vector<BaseLayer> layers;
  std::shared_ptr<const BlobSource> source;  // where the layer bytes are
};

// `tag`: BASE_TAG (empty: the base must hold one image). `platform`: the
// platform to pick from a multi-platform index. Layers of a tarball are
// copied once into unnamed scratch files in `scratch_dir`.
BaseImage read_base(const std::filesystem::path& path, const std::string& tag,
                    const oci::Platform& platform, const std::filesystem::path& scratch_dir);

// A base layer's stored (possibly compressed) bytes, as a blob of the image
// tarball: the same bytes, the same digest.
Blob base_layer_blob(const BaseImage& base, const BaseLayer& layer);

// Lists the entries of a base layer, in tar order (whiteouts included).
void list_base_layer(const BaseImage& base, const BaseLayer& layer,
                     const std::function<void(const LayerFile&)>& on_file);

} // namespace ocipack::archive
