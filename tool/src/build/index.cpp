#include "build/index.hpp"

#include "archive/layout.hpp"
#include "archive/tarball.hpp"
#include "elf/elf.hpp"
#include "oci/annotations.hpp"
#include "oci/json.hpp"
#include "oci/reference.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

#include <algorithm>

#include <map>
#include <memory>
#include <set>

namespace fs = std::filesystem;

namespace ocipack::build {

namespace {

struct Input {
  fs::path path;
  archive::Layout layout;
};

struct PlatformImage {
  oci::Descriptor descriptor;  // with its platform
  oci::Manifest manifest;
  const Input* input;
};

// Every platform image of an input: its index.json entries, with nested
// indexes flattened; every blob checked.
void collect(const Input& in, std::vector<PlatformImage>& out, std::vector<std::string>& names) {
  const oci::Index index = in.layout.index();
  for (const auto& d : index.manifests) {
    auto name = d.annotations.find(oci::annotation::kImageName);
    if (name != d.annotations.end()) names.push_back(name->second);
  }
  std::set<std::string> seen;
  for (const auto& entry : index.manifests) {
    for (const auto& d : in.layout.manifests_under(entry)) {
      if (!seen.insert(d.digest.hex).second) continue;
      if (d.media_type != oci::media_type::kManifest) throw Error("unsupported media type " + d.media_type);
      PlatformImage p;
      p.manifest = in.layout.manifest(d);
      const oci::ImageConfig config = in.layout.config(p.manifest.config);
      for (const auto& l : p.manifest.layers) in.layout.stream_blob(l, "layer", nullptr);
      p.descriptor = {d.media_type, d.digest, d.size, {}, config.platform};
      p.input = &in;
      out.push_back(std::move(p));
    }
  }
}

}  // namespace

namespace {

std::string without_tar(const fs::path& path) {
  std::string stem = path.filename().string();
  if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".tar") == 0) stem.resize(stem.size() - 4);
  return stem;
}

// Each input's SBOMs (<stem>.spdx.json, <stem>.cdx.json, written by its
// build) beside the output as <out-stem>.<os>-<arch>[-<variant>].<format>,
// for `ocipack push` to attach to that platform's manifest.
void copy_sboms(const std::vector<PlatformImage>& images, const fs::path& output) {
  for (const auto& img : images) {
    const fs::path& in = img.input->path;
    const fs::path dir = in.has_parent_path() ? in.parent_path() : fs::path(".");
    std::string platform = img.descriptor.platform->str();
    std::replace(platform.begin(), platform.end(), '/', '-');
    for (const char* format : {".spdx.json", ".cdx.json"}) {
      const fs::path sbom = dir / (without_tar(in) + format);
      if (!util::is_file(sbom)) continue;
      const fs::path out_dir = output.has_parent_path() ? output.parent_path() : fs::path(".");
      with_context("copying " + sbom.string(), [&] {
        util::write_file_atomically(out_dir / (without_tar(output) + "." + platform + format), util::read_file(sbom));
      });
    }
  }
}

}  // namespace

void run_index(const IndexOptions& options) {
  if (options.inputs.empty()) throw Error("index: give at least one image tarball");
  fs::path output_dir = options.output.parent_path();
  if (output_dir.empty()) output_dir = ".";
  if (!fs::is_directory(output_dir)) throw Error("output directory " + output_dir.string() + " does not exist");

  std::vector<std::unique_ptr<Input>> inputs;
  std::vector<PlatformImage> images;
  std::vector<std::string> first_names;
  for (const auto& path : options.inputs) {
    std::vector<std::string> names;
    with_context(path.string(), [&] {
      inputs.push_back(std::make_unique<Input>(Input{path, archive::Layout::open(path)}));
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
    const archive::Layout& layout = img.input->layout;
    blobs.push_back(layout.tarball_blob(img.descriptor));
    blobs.push_back(layout.tarball_blob(img.manifest.config));
    for (const auto& l : img.manifest.layers) blobs.push_back(layout.tarball_blob(l));
  }
  const std::string index_bytes = oci::canonical(oci::to_json(platforms));
  oci::Descriptor index_desc{
      oci::media_type::kIndex, oci::Digest{util::Sha256::hex_of(index_bytes)}, index_bytes.size(), {}, {}};
  blobs.push_back({index_desc.digest, index_desc.size, index_bytes, {}});

  // `docker load` reads manifest.json only: it gets the build machine's
  // platform (or the first image when that platform is not there).
  const PlatformImage* for_docker = &images.front();
  auto host = by_platform.find(elf::host_platform().str());
  if (host != by_platform.end()) for_docker = host->second;
  archive::write_layout_tarball(options.output, blobs, archive::make_index(index_desc, tags),
                                archive::docker_manifest_json(for_docker->manifest, tags), options.source_date_epoch);
  copy_sboms(images, options.output);
}

}  // namespace ocipack::build
