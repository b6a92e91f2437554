#include "build/build.hpp"

#include "archive/tarball.hpp"
#include "deps/resolve.hpp"
#include "elf/elf.hpp"
#include "layer/plan.hpp"
#include "layer/writer.hpp"
#include "oci/json.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
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

oci::Platform image_platform(const std::vector<layer::ElfFile>& elf_files) {
  std::optional<oci::Platform> platform;
  fs::path first;
  for (const auto& e : elf_files) {
    const fs::path& f = e.source;
    const elf::Header header = elf::read_header(f);  // names the file in its errors
    oci::Platform p = with_context(f.string(), [&] { return elf::platform_of(header); });
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

// One layer to write: its entries and what the image history says of it.
struct LayerJob {
  layer::Plan plan;
  std::string created_by;
  std::map<std::string, std::string> annotations;
};

// Finds `path` in the image as the kernel would open it: through the
// symlinks among the image's own files (later layers win). Null if absent.
const layer::Entry* find_in_image(const std::map<std::string, const layer::Entry*>& files,
                                  const std::string& path) {
  std::deque<std::string> todo;
  std::string cur;
  auto push_path = [&](const std::string& p, bool front) {
    std::deque<std::string> parts;
    std::size_t i = 0;
    while (i <= p.size()) {
      std::size_t j = p.find('/', i);
      if (j == std::string::npos) j = p.size();
      parts.push_back(p.substr(i, j - i));
      i = j + 1;
    }
    if (front) parts.insert(parts.end(), todo.begin(), todo.end());
    todo = std::move(parts);
  };
  push_path(path, false);
  const layer::Entry* entry = nullptr;
  for (int hops = 0; !todo.empty();) {
    std::string comp = todo.front();
    todo.pop_front();
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") {
      cur = cur.substr(0, cur.rfind('/') == std::string::npos ? 0 : cur.rfind('/'));
      continue;
    }
    std::string next = cur.empty() ? comp : cur + "/" + comp;
    auto it = files.find(next);
    if (it == files.end()) return nullptr;
    entry = it->second;
    if (entry->type == layer::Entry::Type::Symlink) {
      if (++hops > 40) return nullptr;
      const std::string& target = entry->link_target;
      if (!target.empty() && target[0] == '/') cur.clear();
      push_path(target, true);
      entry = nullptr;
      continue;
    }
    cur = next;
  }
  return entry;
}

// A scratch image whose ENTRYPOINT/CMD program is missing fails only when
// the container starts ("exec ... no such file or directory"): say it now.
void check_command(const oci::ContainerConfig& config, const std::vector<LayerJob>& jobs) {
  const bool has_entrypoint = config.entrypoint && !config.entrypoint->empty();
  const std::vector<std::string>* argv = has_entrypoint ? &*config.entrypoint : (config.cmd ? &*config.cmd : nullptr);
  if (argv == nullptr || argv->empty()) return;
  const std::string& program = argv->front();
  const char* what = has_entrypoint ? "ENTRYPOINT" : "CMD";
  std::map<std::string, const layer::Entry*> files;
  for (const auto& job : jobs) {
    for (const auto& e : job.plan.entries) files[e.path] = &e;
  }
  std::vector<std::string> candidates;
  std::string searched;
  if (program.find('/') != std::string::npos) {
    std::string workdir = config.working_dir.empty() ? "/" : config.working_dir;
    candidates.push_back(program[0] == '/' ? program : workdir + "/" + program);
  } else {
    for (const auto& e : config.env) {
      if (e.rfind("PATH=", 0) != 0) continue;
      searched = e;
      std::string dirs = e.substr(5);
      std::size_t i = 0;
      while (i <= dirs.size()) {
        std::size_t j = dirs.find(':', i);
        if (j == std::string::npos) j = dirs.size();
        std::string dir = dirs.substr(i, j - i);
        if (!dir.empty()) candidates.push_back(dir + "/" + program);
        i = j + 1;
      }
    }
  }
  for (const auto& c : candidates) {
    const layer::Entry* e = find_in_image(files, c);
    if (e == nullptr) continue;
    if (e->type != layer::Entry::Type::File || (e->mode & 0111) == 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", e->mode);
      throw Error(std::string(what) + " program \"" + program + "\" (" + c + ") is not an executable file in the image (" +
                  (e->type == layer::Entry::Type::Directory ? std::string("a directory") : std::string("mode ") + mode) + ")");
    }
    return;
  }
  throw Error(std::string(what) + " program \"" + program + "\" is not in the image" +
              (searched.empty() ? std::string() : " (searched " + searched + ")") +
              "; add it with TARGETS or container_image_add_files()");
}

std::string origins_text(const std::map<std::string, std::string>& origins) {
  std::string text;
  for (const auto& [path, origin] : origins) text += path + " <- " + origin + "\n";
  return text;
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
  std::vector<LayerJob> jobs;
  std::vector<layer::ElfFile> elf_files;
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const spec::LayerSpec& l = spec.layers[i];
    jobs.push_back({with_context("layer " + std::to_string(i + 1) + " (" + l.created_by + ")",
                                 [&] { return layer::plan_layer(l, inputs); }),
                    l.created_by, {}});
    elf_files.insert(elf_files.end(), jobs.back().plan.elf_files.begin(), jobs.back().plan.elf_files.end());
  }
  const oci::Platform platform = image_platform(elf_files);

  if (spec.runtime.automatic) {
    deps::Options deps_options;
    deps_options.sysroot = spec.runtime.sysroot;
    deps_options.libraries = spec.runtime.libraries;
    deps::Closure closure = with_context("runtime dependencies", [&] {
      return deps::resolve(elf_files, deps_options, inputs);
    });
    if (!closure.entries.empty()) {
      // Below the files and the targets: a change to the program leaves
      // this (usually largest) layer and its digest as they were.
      LayerJob libs;
      libs.plan.entries = std::move(closure.entries);
      layer::finalize(libs.plan.entries);
      libs.created_by = "ocipack: runtime dependencies";
      libs.annotations[kOriginsAnnotation] = origins_text(closure.origins);
      jobs.insert(jobs.begin(), std::move(libs));
    }
  } else if (!spec.runtime.libraries.empty()) {
    throw Error("runtime libraries are given but runtime dependencies are off");
  }
  if (jobs.empty()) throw Error("image " + spec.image + " has no content: give it TARGETS or files");
  check_command(spec.config, jobs);

  oci::ImageConfig config;
  config.platform = platform;
  config.created = created;
  config.config = spec.config;

  archive::Image image;
  image.tags = spec.tags;
  std::vector<layer::Blob> layers;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    layers.push_back(with_context("writing layer " + std::to_string(i + 1), [&] {
      return layer::write_layer(jobs[i].plan, spec.compression, options.source_date_epoch, scratch_dir);
    }));
    layer::Blob& blob = layers.back();
    blob.descriptor.annotations = jobs[i].annotations;
    config.diff_ids.push_back(blob.diff_id);
    config.history.push_back({created, jobs[i].created_by, false});
    image.manifest.layers.push_back(blob.descriptor);
    image.blobs.push_back({blob.descriptor.digest, blob.descriptor.size, {}, blob.file.get()});
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
