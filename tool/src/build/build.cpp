#include "build/build.hpp"

#include "archive/base.hpp"
#include "archive/tarball.hpp"
#include "build/cache.hpp"
#include "deps/resolve.hpp"
#include "elf/elf.hpp"
#include "layer/plan.hpp"
#include "layer/writer.hpp"
#include "oci/annotations.hpp"
#include "oci/json.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ocipack::build {

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
  return platform ? *platform : elf::host_platform();
}

// One layer to write: its entries and what the image history says of it.
struct LayerJob {
  layer::Plan plan;
  std::string created_by;
  std::map<std::string, std::string> annotations;
};

// The image's file system as the container will see it: the base layers
// (whiteouts applied) under ocipack's own layers. For the build-time checks.
class ImageFiles {
public:
  void add_base_layer(const std::vector<archive::LayerFile>& files) {
    for (const auto& f : files) {
      std::string path = f.path;
      while (!path.empty() && path.back() == '/') path.pop_back();
      if (path.rfind("./", 0) == 0) path = path.substr(2);
      const std::size_t slash = path.rfind('/');
      const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
      const std::string name = path.substr(slash == std::string::npos ? 0 : slash + 1);
      if (name == ".wh..wh..opq") {
        erase_under(dir);  // opaque directory: hides what lower layers had in it
        continue;
      }
      if (name.rfind(".wh.", 0) == 0) {
        std::string gone = dir + name.substr(4);
        m_files.erase(gone);
        erase_under(gone + "/");
        continue;
      }
      layer::Entry e;
      e.path = path;
      e.type = f.type == 'd' ? layer::Entry::Type::Directory
               : f.type == 'l' ? layer::Entry::Type::Symlink
                               : layer::Entry::Type::File;
      e.mode = f.mode;
      e.link_target = f.link;
      m_files[path] = e;
    }
  }
  void add(const std::vector<layer::Entry>& entries) {
    for (const auto& e : entries) m_files[e.path] = e;
  }

  // `path` as the kernel would open it, through the image's symlinks.
  const layer::Entry* find(const std::string& path) const {
    std::deque<std::string> todo = split(path);
    std::string cur;
    const layer::Entry* entry = nullptr;
    for (int hops = 0; !todo.empty();) {
      std::string comp = todo.front();
      todo.pop_front();
      if (comp.empty() || comp == ".") continue;
      if (comp == "..") {
        std::size_t slash = cur.rfind('/');
        cur = slash == std::string::npos ? "" : cur.substr(0, slash);
        continue;
      }
      std::string next = cur.empty() ? comp : cur + "/" + comp;
      auto it = m_files.find(next);
      if (it == m_files.end()) return nullptr;
      entry = &it->second;
      if (entry->type == layer::Entry::Type::Symlink) {
        if (++hops > 40) return nullptr;
        const std::string& target = entry->link_target;
        if (!target.empty() && target[0] == '/') cur.clear();
        std::deque<std::string> rest = split(target);
        rest.insert(rest.end(), todo.begin(), todo.end());
        todo = std::move(rest);
        entry = nullptr;
        continue;
      }
      cur = next;
    }
    return entry;
  }

private:
  static std::deque<std::string> split(const std::string& p) {
    std::deque<std::string> parts;
    std::size_t i = 0;
    while (i <= p.size()) {
      std::size_t j = p.find('/', i);
      if (j == std::string::npos) j = p.size();
      parts.push_back(p.substr(i, j - i));
      i = j + 1;
    }
    return parts;
  }
  void erase_under(const std::string& prefix) {
    for (auto it = m_files.lower_bound(prefix); it != m_files.end() && it->first.rfind(prefix, 0) == 0;) {
      it = m_files.erase(it);
    }
  }
  std::map<std::string, layer::Entry> m_files;
};

// A scratch image whose ENTRYPOINT/CMD program is missing fails only when
// the container starts ("exec ... no such file or directory"): say it now.
void check_command(const oci::ContainerConfig& config, const ImageFiles& files) {
  const bool has_entrypoint = config.entrypoint && !config.entrypoint->empty();
  const std::vector<std::string>* argv = has_entrypoint ? &*config.entrypoint : (config.cmd ? &*config.cmd : nullptr);
  if (argv == nullptr || argv->empty()) return;
  const std::string& program = argv->front();
  const char* what = has_entrypoint ? "ENTRYPOINT" : "CMD";
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
    const layer::Entry* e = files.find(c);
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

// One of our layers into the tarball: from the cache when it has it; else
// written in place (and, with a cache, into a new cache entry at the same
// time). A layer that might outgrow a one-block tar header goes through a
// scratch file, then into the tarball.
layer::Written put_layer(const layer::Plan& plan, const layer::CompressionOptions& compression, const Options& options,
                         archive::TarballWriter& tarball, LayerCache* cache, const fs::path& scratch_dir,
                         std::size_t& reused) {
  const std::int64_t mtime = options.source_date_epoch;
  std::string key;
  if (cache != nullptr) {
    key = LayerCache::key(plan, compression, mtime);
    if (std::optional<CachedLayer> hit = cache->find(key)) {
      tarball.add(archive::file_blob(hit->written.descriptor.digest, hit->written.descriptor.size, hit->blob));
      ++reused;
      return hit->written;
    }
  }
  std::unique_ptr<util::ScratchFile> kept = cache != nullptr ? cache->new_file() : nullptr;
  layer::Written written;
  if (layer::max_blob_size(plan, compression) <= archive::kMaxInPlaceBlobSize) {
    util::FdWriter& out = tarball.begin_blob();
    util::ScratchFile* copy = kept.get();
    written = layer::write_layer(
        plan, compression, mtime,
        [&out, copy](const void* data, std::size_t size) {
          out.write(data, size);
          if (copy != nullptr) copy->write(data, size);
        },
        options.threads);
    tarball.end_blob(written.descriptor.digest);
  } else {
    std::unique_ptr<util::ScratchFile> aside = kept ? nullptr : std::make_unique<util::ScratchFile>(scratch_dir);
    util::ScratchFile& file = kept ? *kept : *aside;
    written = layer::write_layer(
        plan, compression, mtime, [&file](const void* data, std::size_t size) { file.write(data, size); },
        options.threads);
    file.flush();
    tarball.add({written.descriptor.digest, written.descriptor.size, {}, [&file] {
                   int fd = ::dup(file.fd());
                   if (fd < 0) throw_errno("cannot read " + file.name());
                   return fd;
                 }});
  }
  if (kept) cache->store(key, *kept, written);
  return written;
}

} // namespace

Report run(const Options& options) {
  const spec::BuildSpec spec = spec::load(options.spec);
  const std::string created = oci::rfc3339(options.source_date_epoch);
  fs::path scratch_dir = options.output.parent_path();
  if (scratch_dir.empty()) scratch_dir = ".";
  if (!fs::is_directory(scratch_dir)) {
    throw Error("output directory " + scratch_dir.string() + " does not exist");
  }

  // ---- What goes in: ocipack's layers, planned ----
  std::set<fs::path> inputs;
  std::vector<LayerJob> jobs;
  std::vector<layer::ElfFile> elf_files;
  if (spec.skeleton) jobs.push_back({layer::skeleton(), "ocipack: skeleton (SKELETON)", {}});
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const spec::LayerSpec& l = spec.layers[i];
    jobs.push_back({with_context("layer " + std::to_string(i + 1) + " (" + l.created_by + ")",
                                 [&] { return layer::plan_layer(l, inputs); }),
                    l.created_by, {}});
    elf_files.insert(elf_files.end(), jobs.back().plan.elf_files.begin(), jobs.back().plan.elf_files.end());
  }
  std::optional<oci::Platform> target_platform;
  if (!elf_files.empty()) target_platform = image_platform(elf_files);

  // ---- The base, checked blob by blob ----
  std::optional<archive::BaseImage> base;
  ImageFiles files;
  if (spec.base) {
    inputs.insert(spec.base->path);
    base = archive::read_base(spec.base->path, spec.base->tag, target_platform.value_or(elf::host_platform()),
                              scratch_dir);
    const oci::Platform& bp = base->config.platform;
    if (target_platform && (bp.architecture != target_platform->architecture || bp.os != target_platform->os)) {
      throw Error("base image " + spec.base->path.string() + " (" + base->name + ") is " + bp.str() +
                  ", the targets are " + target_platform->str());
    }
    for (const auto& l : base->layers) {
      std::vector<archive::LayerFile> listed;
      archive::list_base_layer(*base, l, [&](const archive::LayerFile& f) { listed.push_back(f); });
      files.add_base_layer(listed);
    }
  }
  const oci::Platform platform = target_platform ? *target_platform
                                 : base          ? base->config.platform
                                                 : elf::host_platform();
  for (const auto& job : jobs) files.add(job.plan.entries);

  // ---- Runtime dependencies: what the base or the layers lack ----
  if (spec.runtime.automatic) {
    deps::Options deps_options;
    deps_options.sysroot = spec.runtime.sysroot;
    deps_options.libraries = spec.runtime.libraries;
    deps_options.provided = [&files](const std::string& path) {
      const layer::Entry* e = files.find(path);
      return e != nullptr && e->type == layer::Entry::Type::File;
    };
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
      libs.annotations[oci::annotation::kOrigins] = origins_text(closure.origins);
      files.add(libs.plan.entries);
      jobs.insert(jobs.begin() + (spec.skeleton ? 1 : 0), std::move(libs));
    }
  } else if (!spec.runtime.libraries.empty()) {
    throw Error("runtime libraries are given but runtime dependencies are off");
  }
  if (jobs.empty() && !base) throw Error("image " + spec.image + " has no content: give it TARGETS or files");

  // ---- The config: FROM base, then ours ----
  oci::ImageConfig config;
  config.platform = platform;
  config.created = created;
  config.config = base ? oci::inherit(base->config.config, spec.config) : spec.config;
  oci::add_default_path(config.config.env);
  if (base) {
    config.other_config = base->config.other_config;
    config.diff_ids = base->config.diff_ids;
    config.history = base->config.history;
  }
  check_command(config.config, files);

  // ---- The tarball, written as the layers come: the base's byte for byte,
  // ours from the cache or new, straight into place ----
  std::unique_ptr<archive::TarballWriter> tarball = with_context("writing " + options.output.string(), [&] {
    return std::make_unique<archive::TarballWriter>(options.output, options.source_date_epoch);
  });
  oci::Manifest manifest;
  if (base) {
    for (const auto& l : base->layers) {
      manifest.layers.push_back(l.descriptor);
      with_context("copying base layer " + l.descriptor.digest.str(),
                   [&] { tarball->add(archive::base_layer_blob(*base, l)); });
    }
  }
  std::optional<LayerCache> cache;
  if (options.cache_dir) cache.emplace(*options.cache_dir);
  Report report;
  report.output = options.output;
  report.cached = cache.has_value();
  report.layers = jobs.size();
  if (base) report.base_layers = base->layers.size();
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    layer::Written written;
    with_context("writing layer " + std::to_string(i + 1) + " (" + jobs[i].created_by + ")", [&] {
      written = put_layer(jobs[i].plan, spec.compression, options, *tarball, cache ? &*cache : nullptr, scratch_dir,
                          report.reused);
    });
    oci::Descriptor descriptor = written.descriptor;
    descriptor.annotations = jobs[i].annotations;
    report.compressed_size += descriptor.size;
    config.diff_ids.push_back(written.diff_id);
    config.history.push_back({created, jobs[i].created_by, false});
    manifest.layers.push_back(descriptor);
  }

  with_context("writing " + options.output.string(), [&] {
    auto add_json_blob = [&](const std::string& bytes, const char* media_type) {
      oci::Descriptor d;
      d.media_type = media_type;
      d.digest = oci::Digest{util::Sha256::hex_of(bytes)};
      d.size = bytes.size();
      tarball->add({d.digest, d.size, bytes, {}});
      return d;
    };
    manifest.config = add_json_blob(oci::canonical(oci::to_json(config)), oci::media_type::kConfig);
    manifest.annotations = spec.annotations;
    oci::Descriptor manifest_desc =
        add_json_blob(oci::canonical(oci::to_json(manifest)), oci::media_type::kManifest);
    manifest_desc.platform = platform;
    tarball->finish(archive::make_index(manifest_desc, spec.tags), archive::docker_manifest_json(manifest, spec.tags));
  });
  if (options.depfile) {
    with_context("writing depfile", [&] {
      util::write_file_atomically(*options.depfile, depfile_text(options.output, inputs));
    });
  }
  if (cache) cache->prune();
  return report;
}

} // namespace ocipack::build
