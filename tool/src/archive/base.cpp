#include "archive/base.hpp"

#include "oci/json.hpp"
#include "oci/reference.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ocipack::archive {

namespace {

constexpr const char* kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
constexpr const char* kDockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar";

std::string magic_media_type(const BlobSource& src, const std::string& path) {
  unsigned char m[4] = {};
  std::unique_ptr<ByteReader> in = src.open(path);
  std::size_t n = 0;
  while (n < sizeof m) {
    const std::size_t got = in->read(reinterpret_cast<char*>(m) + n, sizeof m - n);
    if (got == 0) break;
    n += got;
  }
  if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) return oci::media_type::kLayerGzip;
  if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) return oci::media_type::kLayerZstd;
  return oci::media_type::kLayerTar;
}

std::string oci_layer_type(const std::string& media_type, const oci::Digest& digest) {
  if (media_type == oci::media_type::kLayerTar || media_type == oci::media_type::kLayerGzip ||
      media_type == oci::media_type::kLayerZstd) {
    return media_type;
  }
  if (media_type == kDockerLayerGzip) return oci::media_type::kLayerGzip;
  if (media_type == kDockerLayerTar) return oci::media_type::kLayerTar;
  throw Error("layer " + digest.str() + " has media type " + media_type + ", which ocipack cannot pass on");
}

void check_layer_count(std::size_t layers, const oci::ImageConfig& config) {
  if (layers != config.diff_ids.size()) {
    throw Error("the manifest has " + std::to_string(layers) + " layers, the config " +
                std::to_string(config.diff_ids.size()) + " diff_ids");
  }
}

// Layer `i` as read, checked against the config's diff_id.
BaseLayer checked_layer(std::size_t i, const oci::Descriptor& d, const std::string& path, LayerScan scan,
                        const oci::ImageConfig& config) {
  const oci::Digest& diff_id = config.diff_ids[i];
  if (!(scan.diff_id == diff_id)) {
    throw Error("layer " + std::to_string(i + 1) + " (" + d.digest.str() + ") uncompresses to " + scan.diff_id.str() +
                ", but the config's diff_id is " + diff_id.str());
  }
  return {d, diff_id, path, std::move(scan.files)};
}

BaseImage read_oci(const Layout& layout, const std::string& tag, const oci::Platform& platform) {
  const oci::Descriptor chosen = layout.for_platform(layout.select(tag), platform);
  const oci::Manifest manifest = layout.manifest(chosen);
  BaseImage image{
      tag.empty() ? tag_list(layout.index()) : tag, chosen.digest, layout.config(manifest.config), {}, layout};
  std::vector<oci::Descriptor> layers;
  for (auto d : manifest.layers) {
    layout.check_present(d, "layer");
    d.media_type = oci_layer_type(d.media_type, d.digest);
    d.annotations.clear();
    d.platform.reset();
    layers.push_back(d);
  }
  check_layer_count(layers.size(), image.config);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const oci::Descriptor& d = layers[i];
    LayerScan scan;
    layout.stream_blob(d, "layer", [&](ByteReader& in) { scan = scan_layer(in, d.size, blob_path(d.digest)); });
    image.layers.push_back(checked_layer(i, d, blob_path(d.digest), std::move(scan), image.config));
  }
  return image;
}

// Docker 20.10's `docker save`: manifest.json, <id>.json configs and
// <id>/layer.tar layers (uncompressed), named by path, not digest.
BaseImage read_docker_legacy(const Layout& layout, const std::string& tag) {
  const BlobSource& src = layout.source();
  json m = oci::parse_json(src.read_document("manifest.json"), "manifest.json");
  if (!m.is_array()) throw Error("manifest.json is not an array");
  const json* picked = nullptr;
  std::string all;
  for (const auto& entry : m) {
    if (!entry.is_object()) throw Error("manifest.json has an entry that is not an object");
    bool match = tag.empty();
    if (auto tags = entry.find("RepoTags"); tags != entry.end() && tags->is_array()) {
      for (const auto& t : *tags) {
        if (!t.is_string()) continue;
        all += (all.empty() ? "" : ", ") + t.get<std::string>();
        if (tag.empty()) continue;
        try {
          match = match || t.get<std::string>() == tag ||
                  oci::Reference::parse_tag(t.get<std::string>()).full() == oci::Reference::parse_tag(tag).full();
        } catch (const Error&) {}
      }
    }
    if (match) {
      if (picked != nullptr) throw Error("it holds several images (" + all + "); pick one with BASE_TAG");
      picked = &entry;
    }
  }
  if (picked == nullptr) throw Error("no image tagged \"" + tag + "\"; it holds " + (all.empty() ? "(no tags)" : all));
  auto string_of = [&](const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) throw Error(std::string("manifest.json: missing \"") + key + "\"");
    return clean_path(it->get<std::string>());
  };
  const std::string config_path = string_of(*picked, "Config");
  if (!src.size(config_path)) throw Error("missing config " + config_path);
  const std::string config_bytes = src.read_document(config_path);
  const std::string config_sha = util::Sha256::hex_of(config_bytes);
  // The config's file name is its own digest: check it. (By hand: a
  // std::regex "(?:.*/)?..." recursed once per character of the path and a
  // long path overflowed the stack; found by tests/fuzz/image_fuzzer.)
  std::string named = config_path.substr(config_path.rfind('/') + 1);  // npos + 1 == 0
  if (named.size() == 64 + 5 && named.compare(64, 5, ".json") == 0) named.resize(64);
  const bool is_digest = named.size() == 64 && named.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (is_digest && named != config_sha) {
    throw Error("config " + config_path + " does not match its digest (its content hashes to sha256:" + config_sha +
                ")");
  }
  BaseImage image{tag.empty() ? all : tag,
                  std::nullopt,
                  with_context("config " + config_path,
                               [&] { return oci::config_from_json(oci::parse_json(config_bytes, "the config")); }),
                  {},
                  layout};
  auto layer_paths = picked->find("Layers");
  if (layer_paths == picked->end() || !layer_paths->is_array()) throw Error("manifest.json: missing \"Layers\"");
  std::vector<std::string> paths;
  for (const auto& l : *layer_paths) {
    if (!l.is_string()) throw Error("manifest.json: a layer is not a path");
    paths.push_back(clean_path(l.get<std::string>()));
    if (!src.size(paths.back())) throw Error("missing layer " + paths.back());
  }
  check_layer_count(paths.size(), image.config);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const std::string& path = paths[i];
    LayerScan scan;
    const StreamSum sum =
        layout.stream_file(path, [&](ByteReader& in) { scan = scan_layer(in, *src.size(path), path); });
    oci::Descriptor d;
    d.digest = sum.digest;
    d.size = sum.size;
    d.media_type = magic_media_type(src, path);
    image.layers.push_back(checked_layer(i, d, path, std::move(scan), image.config));
  }
  return image;
}

}  // namespace

BaseImage read_base(const fs::path& path, const std::string& tag, const oci::Platform& platform) {
  return with_context("base image " + path.string(), [&] {
    const Layout layout = Layout::open(path);
    if (layout.has_index()) return read_oci(layout, tag, platform);
    if (layout.source().size("manifest.json")) return read_docker_legacy(layout, tag);
    throw Error("is not an image: it has neither index.json (OCI) nor manifest.json (docker save)");
  });
}

BaseImage read_base(const Layout& layout, const oci::Platform& platform) { return read_oci(layout, "", platform); }

Blob base_layer_blob(const BaseImage& base, const BaseLayer& layer) {
  return base.layout.source().blob(layer.path, layer.descriptor.digest);
}

std::optional<std::string> read_base_file(const BaseImage& base, const BaseLayer& layer, const std::string& path,
                                          std::uint64_t max_bytes) {
  std::unique_ptr<ByteReader> in = base.layout.source().open(layer.path);
  return read_layer_file(*in, layer.descriptor.size, layer.descriptor.digest.str(), path, max_bytes);
}

}  // namespace ocipack::archive
