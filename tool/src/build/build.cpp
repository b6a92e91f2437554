#include "build/build.hpp"

#include "archive/base.hpp"
#include "archive/tarball.hpp"
#include "build/accounts.hpp"
#include "build/cache.hpp"
#include "build/command_check.hpp"
#include "build/rootfs.hpp"
#include "build/runtime_data.hpp"
#include "build/sbom.hpp"
#include "build/search_paths.hpp"
#include "build/strip.hpp"
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

#include <chrono>
#include <cstdio>
#include <algorithm>
#include <map>
#include <string_view>
#include <memory>
#include <set>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ocipack::build {

namespace {

// Writes the make-style depfile "<output>: <input> <input> ...", spaces
// escaped: `inputs` and every entry's source, each once, in bytewise order,
// streamed (a layer may have 100,000 files).
void write_depfile(const fs::path& depfile, const std::string& output, const std::set<std::string>& inputs,
                   const std::vector<const std::vector<layer::Entry>*>& layers) {
  std::vector<std::string_view> paths(inputs.begin(), inputs.end());
  for (const auto* entries : layers) {
    for (const auto& e : *entries) {
      if (!e.source.empty()) paths.push_back(e.source);
    }
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  util::OutputFile out(depfile);
  std::string text;
  auto add_escaped = [&text](std::string_view s) {
    for (char c : s) {
      if (c == ' ' || c == '#' || c == '\\') text += '\\';
      if (c == '$') text += '$';
      text += c;
    }
  };
  add_escaped(output);
  text += ":";
  for (std::string_view in : paths) {
    text += " \\\n  ";
    add_escaped(in);
    if (text.size() >= 65536) {
      out.write(text.data(), text.size());
      text.clear();
    }
  }
  text += "\n";
  out.write(text.data(), text.size());
  out.commit();
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
      throw Error("targets of different architectures in one image: " + first.string() + " is " + platform->str() +
                  ", " + f.string() + " is " + p.str());
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

// Where OpenSSL, GnuTLS and curl read the trust store on Debian.
constexpr const char* kCaBundle = "/etc/ssl/certs/ca-certificates.crt";

// The first TLS library of the closure (libssl, libgnutls, libcurl), if any.
std::optional<std::string> tls_library(const deps::Closure& closure) {
  for (const auto* part : {&closure.entries, &closure.project_entries}) {
    for (const auto& e : *part) {
      const std::string name = fs::path(e.path).filename().string();
      for (const char* prefix : {"libssl.so", "libgnutls.so", "libcurl.so", "libcurl-gnutls.so"}) {
        if (e.type == layer::Entry::Type::File && name.rfind(prefix, 0) == 0) return "/" + e.path;
      }
    }
  }
  return std::nullopt;
}

// The origins of the files of one layer, a line each.
std::string origins_text(const std::map<std::string, std::string>& origins, const std::vector<layer::Entry>& entries) {
  std::string text;
  for (const auto& e : entries) {
    if (auto it = origins.find("/" + e.path); it != origins.end()) text += it->first + " <- " + it->second + "\n";
  }
  return text;
}

// One of our layers into the tarball: from the cache when it has it; else
// written in place (and, with a cache, into a new cache entry at the same
// time). A layer that might outgrow a one-block tar header goes through a
// scratch file, then into the tarball.
layer::Written put_layer(const layer::Plan& plan, const layer::CompressionOptions& compression, const Options& options,
                         archive::TarballWriter& tarball, LayerCache* cache, const fs::path& scratch_dir,
                         bool hash_files, std::size_t& reused) {
  const std::int64_t mtime = options.source_date_epoch;
  std::string key;
  if (cache != nullptr) {
    key = LayerCache::key(plan, compression, mtime);
    if (std::optional<CachedLayer> hit = cache->find(key, plan, hash_files)) {
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
        options.threads, hash_files);
    tarball.end_blob(written.descriptor.digest);
  } else {
    std::unique_ptr<util::ScratchFile> aside = kept ? nullptr : std::make_unique<util::ScratchFile>(scratch_dir);
    util::ScratchFile& file = kept ? *kept : *aside;
    written = layer::write_layer(
        plan, compression, mtime, [&file](const void* data, std::size_t size) { file.write(data, size); },
        options.threads, hash_files);
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

// Records how long each phase took, for OCIPACK_TIMINGS.
class PhaseClock {
public:
  explicit PhaseClock(std::vector<Report::Phase>& out) : m_out(out) {}
  void mark(const char* phase) {
    const auto now = std::chrono::steady_clock::now();
    m_out.push_back({phase, std::chrono::duration<double>(now - m_last).count(), peak_rss_kib()});
    m_last = now;
  }
  void total() {
    m_out.push_back(
        {"total", std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count(), peak_rss_kib()});
  }

private:
  static long peak_rss_kib() {
    struct rusage usage {};
    return ::getrusage(RUSAGE_SELF, &usage) == 0 ? usage.ru_maxrss : 0;
  }
  std::vector<Report::Phase>& m_out;
  const std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point m_last = m_start;
};

}  // namespace

Report run(const Options& options) {
  Report report;
  PhaseClock clock(report.timings);
  const spec::BuildSpec spec = spec::load(options.spec);
  // SOURCE_DATE_EPOCH wins over every other choice; then CREATED.
  const std::string created = options.source_date_epoch_given ? oci::rfc3339(options.source_date_epoch)
                              : spec.created_epoch            ? oci::rfc3339(*spec.created_epoch)
                              : !spec.created_text.empty()    ? spec.created_text
                                                              : oci::rfc3339(0);
  fs::path scratch_dir = options.output.parent_path();
  if (scratch_dir.empty()) scratch_dir = ".";
  if (!fs::is_directory(scratch_dir)) {
    throw Error("output directory " + scratch_dir.string() + " does not exist");
  }

  // ---- What goes in: ocipack's layers, planned ----
  std::set<std::string> inputs;
  std::vector<LayerJob> jobs;
  std::vector<layer::ElfFile> elf_files, added_elf_files;
  // The added files' layer and the targets' (spec order: added first).
  std::size_t targets_job = std::string::npos;
  if (spec.skeleton) jobs.push_back({layer::skeleton(), "ocipack: skeleton (SKELETON)", {}});
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const spec::LayerSpec& l = spec.layers[i];
    jobs.push_back({with_context("layer " + std::to_string(i + 1) + " (" + l.created_by + ")",
                                 [&] { return layer::plan_layer(l, inputs); }),
                    l.created_by,
                    {}});
    const layer::Plan& plan = jobs.back().plan;
    if (!plan.elf_files.empty() && targets_job == std::string::npos) targets_job = jobs.size() - 1;
    elf_files.insert(elf_files.end(), plan.elf_files.begin(), plan.elf_files.end());
    added_elf_files.insert(added_elf_files.end(), plan.added_elf_files.begin(), plan.added_elf_files.end());
  }
  // The targets say what the image runs on; without any, the ELF files added.
  std::optional<oci::Platform> target_platform;
  if (!elf_files.empty()) {
    target_platform = image_platform(elf_files);
  } else if (!added_elf_files.empty()) {
    target_platform = image_platform({added_elf_files.front()});
  }

  // ---- What the programs read at run time: the lowest of our layers, it
  // changes least ----
  RuntimeData data;
  if (spec.runtime_data.wanted()) {
    const fs::path first = !elf_files.empty()         ? elf_files.front().source
                           : !added_elf_files.empty() ? added_elf_files.front().source
                                                      : fs::path("/proc/self/exe");  // this machine's
    data = with_context("run-time data", [&] {
      return collect_runtime_data(spec.runtime_data, spec.runtime.sysroot, elf::read_header(first), inputs);
    });
    LayerJob job;
    job.plan.entries = std::move(data.entries);
    layer::finalize(job.plan.entries);
    job.created_by = "ocipack: run-time data";
    jobs.insert(jobs.begin() + (spec.skeleton ? 1 : 0), std::move(job));
    if (targets_job != std::string::npos) ++targets_job;
  }

  clock.mark("plan");

  // ---- The base, checked blob by blob ----
  std::optional<archive::BaseImage> base;
  RootFs files;
  std::optional<oci::Reference> base_reference;
  if (spec.base) {
    const oci::Platform wanted = target_platform.value_or(elf::host_platform());
    if (!spec.base->reference.empty()) {
      // Named by digest: its content cannot change, so it is no input to watch.
      base_reference = with_context("base image", [&] { return registry::pull_reference(spec.base->reference); });
      base = with_context("base image " + spec.base->reference, [&] {
        return archive::read_base(registry::open_pulled(*base_reference, options.pull), wanted);
      });
    } else {
      inputs.insert(spec.base->path);
      base = archive::read_base(spec.base->path, spec.base->tag, wanted);
    }
    const oci::Platform& bp = base->config.platform;
    if (target_platform && (bp.architecture != target_platform->architecture || bp.os != target_platform->os)) {
      throw Error("base image " + (base_reference ? spec.base->reference : spec.base->path.string()) + " (" +
                  base->name + ") is " + bp.str() + ", the targets are " + target_platform->str());
    }
    files.add_base(*base);
  }
  const oci::Platform platform = target_platform ? *target_platform
                                 : base          ? base->config.platform
                                                 : elf::host_platform();
  for (const auto& job : jobs) files.add(job.plan.entries);
  if (spec.base) clock.mark("base");

  // ---- Accounts: appended to what the layers below have, under the targets ----
  if (!spec.users.empty()) {
    LayerJob accounts;
    accounts.plan.entries = add_users(spec.users, files, spec.image);
    layer::finalize(accounts.plan.entries);
    std::string names;
    for (const auto& u : spec.users) names += " " + u.name;
    accounts.created_by = "ocipack: container_image_add_user" + names;
    files.add(accounts.plan.entries);
    jobs.insert(targets_job == std::string::npos ? jobs.end() : jobs.begin() + targets_job, std::move(accounts));
  }
  report.notes = data.notes;
  // The Debian packages of the files bundled from the sysroot: for the
  // SBOM and the scanners' metadata.
  std::optional<sbom::SysrootPackages> packages;
  if (!spec.sbom.formats.empty() || spec.sbom.package_metadata) {
    // With a layer cache, the owners found are remembered beside it: a
    // rebuild reads neither the dpkg status nor its file lists.
    packages.emplace(spec.runtime.sysroot, options.cache_dir ? *options.cache_dir / "dpkg-owners.json" : fs::path());
  }
  // Every file the image takes from the host, so that the package lists are
  // read once, for all of them.
  const auto want_owners = [&packages](const std::vector<const std::vector<layer::Entry>*>& lists) {
    if (!packages) return;
    std::vector<std::string_view> sources;  // views: the entries outlive the lookups
    for (const auto* entries : lists) {
      for (const auto& e : *entries) {
        if (e.type == layer::Entry::Type::File && !e.source.empty()) sources.push_back(e.source);
      }
    }
    packages->want(sources);
  };
  const auto job_entries = [&jobs] {
    std::vector<const std::vector<layer::Entry>*> lists;
    for (const auto& job : jobs) lists.push_back(&job.plan.entries);
    return lists;
  };
  std::set<deps::Dependency> dependencies;

  // ---- Runtime dependencies: what the base or the layers lack ----
  // The ELF files that are the build's, not the system's (in-image paths
  // without the leading '/'): their copies lose build-machine search paths.
  std::set<std::string> build_elf_files;
  for (const auto* list : {&elf_files, &added_elf_files}) {
    for (const auto& e : *list) build_elf_files.insert(e.image_path.substr(1));
  }
  if (spec.runtime.automatic) {
    deps::Options deps_options;
    deps_options.sysroot = spec.runtime.sysroot;
    deps_options.libraries = spec.runtime.libraries;
    deps_options.library_files = spec.runtime.library_files;
    deps_options.build_dir = spec.runtime.build_dir;
    deps_options.dlopen_note = spec.dlopen_note;
    deps_options.iconv_note = spec.runtime_data.iconv.empty();
    deps_options.data_objects = data.modules;
    deps_options.provided = [&files](const std::string& path) {
      const layer::Entry* e = files.find(path);
      return e != nullptr && e->type == layer::Entry::Type::File;
    };
    deps::Closure closure = with_context(
        "runtime dependencies", [&] { return deps::resolve(elf_files, added_elf_files, deps_options, inputs); });
    report.notes.insert(report.notes.end(), closure.notes.begin(), closure.notes.end());
    if (std::optional<std::string> tls = tls_library(closure); tls && files.find(kCaBundle) == nullptr) {
      report.notes.push_back("the image has " + *tls + " but no CA certificates (" + kCaBundle +
                             "): TLS connections cannot verify their peers; add CA_CERTIFICATES");
    }
    for (const auto& path : closure.relocated) build_elf_files.insert(path.substr(1));
    dependencies = closure.dependencies;
    if (spec.sbom.package_metadata && packages) {
      std::vector<const std::vector<layer::Entry>*> lists = job_entries();
      lists.push_back(&closure.entries);
      lists.push_back(&closure.project_entries);
      want_owners(lists);
      std::vector<layer::Entry> metadata = package_metadata(closure.entries, *packages, spec.runtime.sysroot, files);
      closure.entries.insert(closure.entries.end(), metadata.begin(), metadata.end());
    }
    // Below the files and the targets: a change to the program leaves
    // these (usually largest) layers and their digests as they were; the
    // system's libraries lowest, since a project library changes more often.
    std::vector<LayerJob> libraries;
    for (auto* part : {&closure.entries, &closure.project_entries}) {
      if (part->empty()) continue;
      LayerJob job;
      job.plan.entries = std::move(*part);
      layer::finalize(job.plan.entries);
      job.created_by = part == &closure.entries ? "ocipack: runtime dependencies" : "ocipack: project libraries";
      job.annotations[oci::annotation::kOrigins] = origins_text(closure.origins, job.plan.entries);
      files.add(job.plan.entries);
      libraries.push_back(std::move(job));
    }
    const std::size_t below = (spec.skeleton ? 1 : 0) + (spec.runtime_data.wanted() ? 1 : 0);
    jobs.insert(jobs.begin() + below, std::make_move_iterator(libraries.begin()),
                std::make_move_iterator(libraries.end()));
  } else if (!spec.runtime.libraries.empty() || !spec.runtime.library_files.empty()) {
    throw Error("runtime libraries are given but runtime dependencies are off");
  }
  if (jobs.empty() && !base) throw Error("image " + spec.image + " has no content: give it TARGETS or files");
  // The build's ELF files: stripped (STRIP), then without the build
  // machine's search paths, in the layers' copies only.
  std::optional<Stripper> stripper;
  if (!spec.strip.empty() && options.cache_dir) {
    // Beside the layer cache (ocipack/<name>.layers -> <name>.stripped), so
    // that a rebuild reuses them.
    stripper.emplace(spec.strip, options.cache_dir->parent_path() / (options.cache_dir->stem().string() + ".stripped"));
  } else if (!spec.strip.empty()) {
    stripper.emplace(Stripper::for_this_build(spec.strip, scratch_dir));
  }
  for (auto& job : jobs) {
    for (auto& entry : job.plan.entries) {
      if (build_elf_files.count(entry.path) == 0) continue;
      with_context("/" + entry.path, [&] {
        if (stripper) {
          inputs.insert(entry.source);  // the depfile names what was built, not its stripped copy
          stripper->strip(entry);
        }
        drop_foreign_search_paths(entry, files);
      });
    }
  }

  clock.mark("dependencies");
#ifdef __GLIBC__
  // Planning's temporary lists and maps leave free pages inside the heap,
  // which glibc keeps: given back before the layers' buffers are taken (3
  // of 67 MiB at 100,000 files).
  ::malloc_trim(0);
#endif

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
  // The image's own USER: an inherited one is the base's business.
  check_user(spec.config.user, files, spec.image);

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
  report.output = options.output;
  report.cached = cache.has_value();
  report.layers = jobs.size();
  if (base) report.base_layers = base->layers.size();
  std::vector<layer::Written> written_layers;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    layer::Written written;
    with_context("writing layer " + std::to_string(i + 1) + " (" + jobs[i].created_by + ")", [&] {
      written = put_layer(jobs[i].plan, spec.compression, options, *tarball, cache ? &*cache : nullptr, scratch_dir,
                          !spec.sbom.formats.empty(), report.reused);
    });
    oci::Descriptor descriptor = written.descriptor;
    descriptor.annotations = jobs[i].annotations;
    report.compressed_size += descriptor.size;
    config.diff_ids.push_back(written.diff_id);
    config.history.push_back({created, jobs[i].created_by, false});
    manifest.layers.push_back(descriptor);
    written_layers.push_back(std::move(written));
  }

  oci::Digest manifest_digest;
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
    if (base_reference && base->manifest) {
      // Where the base came from, as OCI says to record it: a push to the
      // same registry mounts its layers from there instead of sending them.
      const oci::Reference& r = *base_reference;
      manifest.annotations.emplace(oci::annotation::kBaseName, r.name() + (r.tag.empty() ? "" : ":" + r.tag));
      manifest.annotations.emplace(oci::annotation::kBaseDigest, base->manifest->str());
    }
    oci::Descriptor manifest_desc = add_json_blob(oci::canonical(oci::to_json(manifest)), oci::media_type::kManifest);
    manifest_desc.platform = platform;
    manifest_digest = manifest_desc.digest;
    tarball->finish(archive::make_index(manifest_desc, spec.tags), archive::docker_manifest_json(manifest, spec.tags));
  });
  clock.mark("layers");
  if (!spec.sbom.formats.empty()) {
    SbomInputs in{
        spec, options.output, manifest_digest, platform, options.source_date_epoch, base ? &*base : nullptr, files, {},
        {}};
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      in.layers.push_back({&jobs[i].plan.entries, &written_layers[i].files});
    }
    in.manifest_layers = manifest.layers;
    in.targets = &elf_files;
    in.dependencies = &dependencies;
    in.packages = &*packages;
    want_owners(job_entries());
    write_sboms(in, report.notes);
  }
  if (packages) {
    packages->save_answers();
    const std::vector<std::string> notes = packages->notes();
    report.notes.insert(report.notes.end(), notes.begin(), notes.end());
  }
  if (options.depfile) {
    with_context("writing depfile", [&] {
      write_depfile(*options.depfile, options.depfile_target.empty() ? options.output.string() : options.depfile_target,
                    inputs, job_entries());
    });
  }
  if (cache) cache->prune();
  clock.mark("sbom and depfile");
  clock.total();
  return report;
}

}  // namespace ocipack::build
