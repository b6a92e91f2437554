#include "archive/reader.hpp"

#include "archive/layout.hpp"
#include "oci/json.hpp"
#include "util/error.hpp"

namespace ocipack::archive {

namespace {

// The names `docker load` gives the images: manifest.json's RepoTags.
std::vector<std::string> repo_tags_of(const BlobSource& source) {
  std::vector<std::string> out;
  if (!source.size("manifest.json")) return out;
  nlohmann::json m = oci::parse_json(source.read_document("manifest.json"), "manifest.json");
  if (!m.is_array()) return out;
  for (const auto& entry : m) {
    if (!entry.is_object()) continue;
    auto tags = entry.find("RepoTags");
    if (tags == entry.end() || !tags->is_array()) continue;
    for (const auto& t : *tags) {
      if (t.is_string()) out.push_back(t.get<std::string>());
    }
  }
  return out;
}

}  // namespace

ReadImage read_image(const std::filesystem::path& path, const KeepContent& keep) {
  return with_context(path.string(), [&] {
    const Layout layout = Layout::open(path);
    ReadImage result;
    // A multi-platform image: an entry pointing at an image index, whose
    // manifests each become a record carrying the entry's names.
    for (const auto& entry : layout.index().manifests) {
      for (const auto& d : layout.manifests_under(entry)) {
        ImageRecord r;
        r.descriptor = d;
        r.manifest = layout.manifest(d);
        r.config = layout.config(r.manifest.config);
        for (const auto& l : r.manifest.layers) {
          if (result.layer_files.count(l.digest) != 0) continue;  // shared by several images
          std::vector<LayerFile>& files = result.layer_files[l.digest];
          layout.stream_blob(l, "layer",
                             [&](ByteReader& in) { files = list_layer(in, l.size, blob_path(l.digest), keep); });
        }
        result.images.push_back(std::move(r));
      }
    }
    result.repo_tags = repo_tags_of(layout.source());
    return result;
  });
}

}  // namespace ocipack::archive
