#include "build/build.hpp"

#include "archive/tarball.hpp"
#include "elf/elf.hpp"
#include "layer/plan.hpp"
#include "layer/writer.hpp"
#include "oci/json.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

#include <cstdlib>
#include <regex>
#include <set>

namespace fs = std::filesystem;

namespace ocipack::build {

std::int64_t source_date_epoch_from_env() {
  const char* value = std::getenv("SOURCE_DATE_EPOCH");
  if (value == nullptr || *value == '\0') return 0;
  static const std::regex re("[0-9]{1,12}");
  if (!std::regex_match(value, re)) {
    throw Error(std::string("SOURCE_DATE_EPOCH \"") + value +
                "\" is not a non-negative number of seconds");
  }
  return std::stoll(value);
}

namespace {

// Make-style depfile: "<output>: <input> <input> ...", spaces escaped.
std::string depfile_text(const fs::path& output, const std::set<fs::path>& inputs) {
  auto escape = [](const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == ' ' || c == '#' || c == '\\') out += '\\';
      if (c == '$') out += '$';
      out += c;
    }
    return out;
  };
  std::string text = escape(output.string()) + ":";
  for (const auto& in : inputs) text += " \\\n  " + escape(in.string());
  return text + "\n";
}

oci::Platform image_platform(const std::vector<fs::path>& elf_files) {
  std::optional<oci::Platform> platform;
  fs::path first;
  for (const auto& f : elf_files) {
    oci::Platform p = with_context("target " + f.string(), [&] {
      return elf::platform_of(elf::read_header(f));
    });
    if (!platform) {
      platform = p;
      first = f;
    } else if (p != *platform) {
      throw Error("targets of different architectures in one image: " + first.string() + " is " +
                  platform->str() + ", " + f.string() + " is " + p.str());
    }
  }
  // An image of plain files only runs wherever its user runs it: it is
  // labelled with the platform this tool was built for.
  return platform ? *platform : oci::host_platform();
}

} // namespace

void run(const Options& options) {
  const spec::BuildSpec spec = spec::load(options.spec);
  const std::string created = oci::rfc3339(options.source_date_epoch);
  fs::path scratch_dir = options.output.parent_path();
  if (scratch_dir.empty()) scratch_dir = ".";
  if (!fs::is_directory(scratch_dir)) {
    throw Error("output directory " + scratch_dir.string() + " does not exist");
  }

  std::set<fs::path> inputs;
  std::vector<layer::Plan> plans;
  std::vector<fs::path> elf_files;
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    plans.push_back(with_context("layer " + std::to_string(i + 1) + " (" + spec.layers[i].created_by + ")",
                                 [&] { return layer::plan_layer(spec.layers[i], inputs); }));
    elf_files.insert(elf_files.end(), plans.back().elf_files.begin(), plans.back().elf_files.end());
  }
  if (plans.empty()) throw Error("image " + spec.image + " has no content: give it TARGETS or files");
  const oci::Platform platform = image_platform(elf_files);

  oci::ImageConfig config;
  config.platform = platform;
  config.created = created;
  config.config = spec.config;

  archive::Image image;
  image.tags = spec.tags;
  std::vector<layer::Blob> layers;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    layers.push_back(with_context("writing layer " + std::to_string(i + 1), [&] {
      return layer::write_layer(plans[i], spec.compression, options.source_date_epoch, scratch_dir);
    }));
    config.diff_ids.push_back(layers.back().diff_id);
    config.history.push_back({created, spec.layers[i].created_by, false});
    image.manifest.layers.push_back(layers.back().descriptor);
    image.blobs.push_back({layers.back().descriptor.digest, layers.back().descriptor.size, {},
                           layers.back().file.get()});
  }

  auto add_json_blob = [&](const std::string& bytes, const char* media_type) {
    oci::Descriptor d;
    d.media_type = media_type;
    d.digest = oci::Digest{util::Sha256::hex_of(bytes)};
    d.size = bytes.size();
    image.blobs.push_back({d.digest, d.size, bytes, nullptr});
    return d;
  };
  image.manifest.config = add_json_blob(oci::canonical(oci::to_json(config)), oci::media_type::kConfig);
  image.manifest.annotations = spec.annotations;
  image.manifest_desc = add_json_blob(oci::canonical(oci::to_json(image.manifest)), oci::media_type::kManifest);
  image.manifest_desc.platform = platform;

  with_context("writing " + options.output.string(),
               [&] { archive::write_tarball(options.output, image, options.source_date_epoch); });
  if (options.depfile) {
    with_context("writing depfile", [&] {
      util::write_file_atomically(*options.depfile, depfile_text(options.output, inputs));
    });
  }
}

} // namespace ocipack::build
