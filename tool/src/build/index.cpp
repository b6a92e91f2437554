#include "build/index.hpp"

#include "archive/blob_source.hpp"
#include "archive/tarball.hpp"
#include "elf/elf.hpp"
#include "oci/annotations.hpp"
#include "oci/json.hpp"
#include "oci/reference.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

#include <fcntl.h>
#include <map>
#include <memory>
#include <set>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ocipack::build {

namespace {

struct Input {
  fs::path path;
  std::shared_ptr<const archive::BlobSource> source;
};

struct PlatformImage {
  oci::Descriptor descriptor;  // with its platform
  oci::Manifest manifest;
  const Input* input;
};

std::string blob_path(const oci::Digest& d) { return "blobs/sha256/" + d.hex; }

void verify(const archive::BlobSource& src, const oci::Descriptor& d) {
  const std::string path = blob_path(d.digest);
  if (!src.has(path)) throw Error("missing blob " + d.digest.str());
  if (src.size(path) != d.size) throw Error("blob " + d.digest.str() + " does not have the size its descriptor says");
  if (src.sha256(path) != d.digest.hex) throw Error("blob " + d.digest.str() + " does not match its digest");
}

archive::Blob blob_of(const Input& in, const oci::Descriptor& d) {
  std::shared_ptr<const archive::BlobSource> src = in.source;
  const std::string path = blob_path(d.digest);
  return {d.digest, d.size, {}, [src, path] { return src->open(path); }};
}

// Every platform image of an input: its index.json entries, with nested
// indexes flattened.
void collect(const Input& in, std::vector<PlatformImage>& out, std::vector<std::string>& names) {
  oci::Index index = oci::index_from_json(oci::parse_json(in.source->read_document("index.json"), "index.json"));
  std::set<std::string> seen;
  std::vector<oci::Descriptor> todo = index.manifests;
  for (const auto& d : index.manifests) {
    auto name = d.annotations.find(oci::annotation::kImageName);
    if (name != d.annotations.end()) names.push_back(name->second);
  }
  for (std::size_t i = 0; i < todo.size(); ++i) {
    oci::Descriptor d = todo[i];
    if (!seen.insert(d.digest.hex).second) continue;
    verify(*in.source, d);
    const std::string text = in.source->read_document(blob_path(d.digest));
    if (d.media_type == oci::media_type::kIndex) {
      if (todo.size() > 1024) throw Error("too many nested image indexes");
      for (const auto& m : oci::index_from_json(oci::parse_json(text, "an index")).manifests) todo.push_back(m);
      continue;
    }
    if (d.media_type != oci::media_type::kManifest) throw Error("unsupported media type " + d.media_type);
    PlatformImage p;
    p.manifest = with_context("manifest " + d.digest.str(), [&] {
      return oci::manifest_from_json(oci::parse_json(text, "the manifest"));
    });
    verify(*in.source, p.manifest.config);
    oci::ImageConfig config = with_context("config " + p.manifest.config.digest.str(), [&] {
      return oci::config_from_json(
          oci::parse_json(in.source->read_document(blob_path(p.manifest.config.digest)), "the config"));
    });
    for (const auto& l : p.manifest.layers) verify(*in.source, l);
    p.descriptor.media_type = d.media_type;
    p.descriptor.digest = d.digest;
    p.descriptor.size = d.size;
    p.descriptor.platform = config.platform;
    p.input = &in;
    out.push_back(std::move(p));
  }
}

} // namespace

void run_index(const IndexOptions& options) {
  if (options.inputs.empty()) throw Error("index: give at least one image tarball");
  fs::path scratch_dir = options.output.parent_path();
  if (scratch_dir.empty()) scratch_dir = ".";
  if (!fs::is_directory(scratch_dir)) throw Error("output directory " + scratch_dir.string() + " does not exist");

  std::vector<std::unique_ptr<Input>> inputs;
  std::vector<PlatformImage> images;
  std::vector<std::string> first_names;
  for (const auto& path : options.inputs) {
    inputs.push_back(std::make_unique<Input>(Input{path, nullptr}));
    std::vector<std::string> names;
    with_context(path.string(), [&] {
      inputs.back()->source = archive::open_blob_source(path, scratch_dir);
      collect(*inputs.back(), images, names);
    });
    if (first_names.empty()) first_names = names;
  }
  // One image per platform: the platform is what a client picks by.
  std::map<std::string, const PlatformImage*> by_platform;
  for (const auto& img : images) {
    auto [it, inserted] = by_platform.emplace(img.descriptor.platform->str(), &img);
    if (!inserted) {
      throw Error("platform " + img.descriptor.platform->str() + " is in both " + it->second->input->path.string() +
                  " and " + img.input->path.string());
    }
  }

  std::vector<oci::Reference> tags;
  for (const auto& t : options.tags.empty() ? first_names : options.tags) tags.push_back(oci::Reference::parse_tag(t));
  if (tags.empty()) throw Error("index: no tags given and the first image has none; use --tag");

  std::vector<archive::Blob> blobs;
  oci::Index platforms;
  for (const auto& img : images) {
    platforms.manifests.push_back(img.descriptor);
    blobs.push_back(blob_of(*img.input, img.descriptor));
    blobs.push_back(blob_of(*img.input, img.manifest.config));
    for (const auto& l : img.manifest.layers) blobs.push_back(blob_of(*img.input, l));
  }
  const std::string index_bytes = oci::canonical(oci::to_json(platforms));
  oci::Descriptor index_desc{oci::media_type::kIndex, oci::Digest{util::Sha256::hex_of(index_bytes)}, index_bytes.size(), {}, {}};
  blobs.push_back({index_desc.digest, index_desc.size, index_bytes, {}});

  oci::Index top;
  for (const auto& tag : tags) {
    oci::Descriptor d = index_desc;
    d.annotations[oci::annotation::kImageName] = tag.full();
    d.annotations[oci::annotation::kRefName] = tag.tag;
    top.manifests.push_back(d);
  }
  // `docker load` reads manifest.json only: it gets the build machine's
  // platform (or the first image when that platform is not there).
  const PlatformImage* for_docker = &images.front();
  auto host = by_platform.find(elf::host_platform().str());
  if (host != by_platform.end()) for_docker = host->second;
  archive::write_layout_tarball(options.output, blobs, top,
                                archive::docker_manifest_json(for_docker->manifest, tags), options.source_date_epoch);
}

} // namespace ocipack::build
