#include "archive/base.hpp"

#include "archive/blob_source.hpp"

#include "oci/annotations.hpp"
#include "oci/json.hpp"
#include "oci/reference.hpp"
#include "util/archive_ptr.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

#include <fcntl.h>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ocipack::archive {

namespace {
constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr const char* kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
constexpr const char* kDockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar";

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};
} // namespace

namespace {

constexpr std::uint64_t kMaxExpansion = 2048;     // uncompressed : compressed
constexpr std::size_t kMaxLayerEntries = 1000000;  // files listed per base layer

std::string blob_path(const oci::Digest& d) { return "blobs/sha256/" + d.hex; }

// The bytes of a blob, checked against its descriptor.
void verify_blob(const BlobSource& src, const oci::Descriptor& d, const char* what) {
  const std::string path = blob_path(d.digest);
  if (!src.has(path)) throw Error("missing " + std::string(what) + " blob " + d.digest.str());
  if (src.size(path) != d.size) {
    throw Error(std::string(what) + " blob " + d.digest.str() + " has " + std::to_string(src.size(path)) +
                " bytes, its descriptor says " + std::to_string(d.size));
  }
  std::string actual = src.sha256(path);
  if (actual != d.digest.hex) {
    throw Error(std::string(what) + " blob " + d.digest.str() + " does not match its digest (its content hashes to sha256:" +
                actual + ")");
  }
}

// sha256 of the uncompressed content (gzip, zstd, bzip2, xz or plain).
std::string uncompressed_sha256(const BlobSource& src, const std::string& path) {
  Fd f{src.open(path)};
  util::ArchiveReader a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_fd(a.get(), f.fd, 1 << 16) != ARCHIVE_OK) {
    throw Error("cannot read layer " + path + ": " + util::archive_message(a.get()));
  }
  archive_entry* e = nullptr;
  util::Sha256 hash;
  // gzip expands at most ~1032:1; other formats far more. A layer that
  // expands beyond this is refused as a decompression bomb.
  const std::uint64_t limit = src.size(path) * kMaxExpansion + (64u << 20);
  std::uint64_t total = 0;
  if (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
    std::vector<char> buffer(1 << 20);
    la_ssize_t n;
    while ((n = archive_read_data(a.get(), buffer.data(), buffer.size())) > 0) {
      hash.update(buffer.data(), static_cast<std::size_t>(n));
      total += static_cast<std::uint64_t>(n);
      if (total > limit) {
        throw Error("layer " + path + " decompresses to more than " + std::to_string(limit) +
                    " bytes: refused as a decompression bomb");
      }
    }
    if (n < 0) throw Error("cannot decompress layer " + path + ": " + util::archive_message(a.get()));
  }
  return hash.finish_hex();
}

std::string magic_media_type(const BlobSource& src, const std::string& path) {
  Fd f{src.open(path)};
  unsigned char m[4] = {};
  ssize_t n = ::read(f.fd, m, sizeof m);
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

bool platform_matches(const oci::Platform& have, const oci::Platform& want) {
  return have.architecture == want.architecture && have.os == want.os &&
         (have.variant.empty() || want.variant.empty() || have.variant == want.variant);
}

std::string tag_list(const oci::Index& index) {
  std::set<std::string> names;
  for (const auto& d : index.manifests) {
    for (const char* key : {oci::annotation::kImageName, oci::annotation::kRefName}) {
      auto it = d.annotations.find(key);
      if (it != d.annotations.end()) {
        names.insert(it->second);
        break;
      }
    }
  }
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "(no tags)" : out;
}

bool tag_matches(const oci::Descriptor& d, const std::string& tag) {
  auto ann = [&](const char* key) {
    auto it = d.annotations.find(key);
    return it == d.annotations.end() ? std::string() : it->second;
  };
  const std::string ref_name = ann(oci::annotation::kRefName);
  const std::string image_name = ann(oci::annotation::kImageName);
  if (tag == ref_name || tag == image_name) return true;
  try {
    oci::Reference r = oci::Reference::parse_tag(tag);
    if (!image_name.empty()) return r.full() == oci::Reference::parse_tag(image_name).full();
    return ref_name == r.tag && tag.find(':') != std::string::npos;
  } catch (const Error&) {
    return false;
  }
}

void fill_layers(BaseImage& image, const BlobSource& src, const std::vector<std::pair<oci::Descriptor, std::string>>& layers) {
  const auto& diff_ids = image.config.diff_ids;
  if (layers.size() != diff_ids.size()) {
    throw Error("the manifest has " + std::to_string(layers.size()) + " layers, the config " +
                std::to_string(diff_ids.size()) + " diff_ids");
  }
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& [d, path] = layers[i];
    std::string actual = uncompressed_sha256(src, path);
    if (actual != diff_ids[i].hex) {
      throw Error("layer " + std::to_string(i + 1) + " (" + d.digest.str() + ") uncompresses to sha256:" + actual +
                  ", but the config's diff_id is " + diff_ids[i].str());
    }
    image.layers.push_back({d, diff_ids[i], path});
  }
}

BaseImage read_oci(std::shared_ptr<const BlobSource> src, const std::string& tag, const oci::Platform& platform) {
  oci::Index index = with_context("index.json", [&] {
    return oci::index_from_json(oci::parse_json(src->read_document("index.json"), "index.json"));
  });
  std::vector<const oci::Descriptor*> picked;
  std::set<std::string> digests;
  for (const auto& d : index.manifests) {
    if (tag.empty() || tag_matches(d, tag)) {
      if (digests.insert(d.digest.hex).second) picked.push_back(&d);
    }
  }
  if (picked.empty()) throw Error("no image tagged \"" + tag + "\"; it holds " + tag_list(index));
  if (picked.size() > 1) {
    throw Error("it holds several images (" + tag_list(index) + "); pick one with BASE_TAG");
  }
  oci::Descriptor chosen = *picked.front();
  std::string name = tag.empty() ? tag_list(index) : tag;
  for (int depth = 0; chosen.media_type == oci::media_type::kIndex || chosen.media_type == kDockerList; ++depth) {
    if (depth > 4) throw Error("image indexes nested too deeply");
    verify_blob(*src, chosen, "index");
    oci::Index nested = with_context("index " + chosen.digest.str(), [&] {
      return oci::index_from_json(oci::parse_json(src->read_document(blob_path(chosen.digest)), "the index"));
    });
    const oci::Descriptor* match = nullptr;
    std::string have;
    for (const auto& d : nested.manifests) {
      if (!d.platform) continue;
      have += (have.empty() ? "" : ", ") + d.platform->str();
      if (match == nullptr && platform_matches(*d.platform, platform)) match = &d;
    }
    if (match == nullptr) throw Error("no image for " + platform.str() + " in it (it has " + have + ")");
    chosen = *match;
  }
  if (chosen.media_type != oci::media_type::kManifest && chosen.media_type != kDockerManifest) {
    throw Error("unsupported manifest media type " + chosen.media_type);
  }
  verify_blob(*src, chosen, "manifest");
  oci::Manifest manifest = with_context("manifest " + chosen.digest.str(), [&] {
    return oci::manifest_from_json(oci::parse_json(src->read_document(blob_path(chosen.digest)), "the manifest"));
  });
  verify_blob(*src, manifest.config, "config");
  BaseImage image;
  image.name = name;
  image.config = with_context("config " + manifest.config.digest.str(), [&] {
    return oci::config_from_json(oci::parse_json(src->read_document(blob_path(manifest.config.digest)), "the config"));
  });
  std::vector<std::pair<oci::Descriptor, std::string>> layers;
  for (auto d : manifest.layers) {
    verify_blob(*src, d, "layer");
    d.media_type = oci_layer_type(d.media_type, d.digest);
    d.annotations.clear();
    d.platform.reset();
    layers.emplace_back(d, blob_path(d.digest));
  }
  fill_layers(image, *src, layers);
  image.source = std::move(src);
  return image;
}

// Docker 20.10's `docker save`: manifest.json, <id>.json configs and
// <id>/layer.tar layers (uncompressed).
BaseImage read_docker_legacy(std::shared_ptr<const BlobSource> src, const std::string& tag) {
  json m = oci::parse_json(src->read_document("manifest.json"), "manifest.json");
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
        } catch (const Error&) {
        }
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
  if (!src->has(config_path)) throw Error("missing config " + config_path);
  const std::string config_sha = src->sha256(config_path);
  // The config's file name is its own digest: check it. (By hand: a
  // std::regex "(?:.*/)?..." recursed once per character of the path and a
  // long path overflowed the stack; found by tests/fuzz/image_fuzzer.)
  std::string named = config_path.substr(config_path.rfind('/') + 1);  // npos + 1 == 0
  if (named.size() == 64 + 5 && named.compare(64, 5, ".json") == 0) named.resize(64);
  const bool is_digest = named.size() == 64 && named.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (is_digest && named != config_sha) {
    throw Error("config " + config_path + " does not match its digest (its content hashes to sha256:" + config_sha + ")");
  }
  BaseImage image;
  image.name = tag.empty() ? all : tag;
  image.config = with_context("config " + config_path, [&] {
    return oci::config_from_json(oci::parse_json(src->read_document(config_path), "the config"));
  });
  auto layer_paths = picked->find("Layers");
  if (layer_paths == picked->end() || !layer_paths->is_array()) throw Error("manifest.json: missing \"Layers\"");
  std::vector<std::pair<oci::Descriptor, std::string>> layers;
  for (const auto& l : *layer_paths) {
    if (!l.is_string()) throw Error("manifest.json: a layer is not a path");
    std::string path = clean_path(l.get<std::string>());
    if (!src->has(path)) throw Error("missing layer " + path);
    oci::Descriptor d;
    d.digest = oci::Digest{src->sha256(path)};
    d.size = src->size(path);
    d.media_type = magic_media_type(*src, path);
    layers.emplace_back(d, path);
  }
  fill_layers(image, *src, layers);
  image.source = std::move(src);
  return image;
}

} // namespace

BaseImage read_base(const fs::path& path, const std::string& tag, const oci::Platform& platform,
                    const fs::path& scratch_dir) {
  return with_context("base image " + path.string(), [&] {
    std::shared_ptr<const BlobSource> src = open_blob_source(path, scratch_dir);
    if (src->has("index.json")) return read_oci(std::move(src), tag, platform);
    if (src->has("manifest.json")) return read_docker_legacy(std::move(src), tag);
    throw Error("is not an image: it has neither index.json (OCI) nor manifest.json (docker save)");
  });
}

Blob base_layer_blob(const BaseImage& base, const BaseLayer& layer) {
  std::shared_ptr<const BlobSource> source = base.source;
  std::string path = layer.path;
  return {layer.descriptor.digest, layer.descriptor.size, {}, [source, path] { return source->open(path); }};
}

void list_base_layer(const BaseImage& base, const BaseLayer& layer,
                     const std::function<void(const LayerFile&)>& on_file) {
  with_context("base layer " + layer.descriptor.digest.str(), [&] {
    Fd f{base.source->open(layer.path)};
    util::ArchiveReader a(archive_read_new());
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    if (archive_read_open_fd(a.get(), f.fd, 1 << 16) != ARCHIVE_OK) throw Error(util::archive_message(a.get()));
    archive_entry* e = nullptr;
    int rc;
    std::size_t entries = 0;
    while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
      if (++entries > kMaxLayerEntries) throw Error("more than " + std::to_string(kMaxLayerEntries) + " files");
      on_file(layer_file_of(e));
    }
    if (rc != ARCHIVE_EOF) throw Error(util::archive_message(a.get()));
  });
}

} // namespace ocipack::archive
