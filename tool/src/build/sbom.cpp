#include "build/sbom.hpp"

#include "oci/model.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "version.hpp"

#include <map>
#include <set>

namespace fs = std::filesystem;

namespace ocipack::build {

namespace {

constexpr std::uint64_t kMaxStatus = std::uint64_t{64} << 20;

// The files of `entries` each package owns, by package name (sorted: the
// layer's bytes must not depend on the database's order).
std::map<std::string, std::pair<const sbom::Package*, std::vector<const layer::Entry*>>> by_package(
    const std::vector<layer::Entry>& entries, const sbom::SysrootPackages& packages) {
  std::map<std::string, std::pair<const sbom::Package*, std::vector<const layer::Entry*>>> out;
  for (const auto& e : entries) {
    if (e.type != layer::Entry::Type::File || e.source.empty()) continue;
    if (const sbom::Package* p = packages.owner(e.source)) {
      auto& slot = out[p->name];
      slot.first = p;
      slot.second.push_back(&e);
    }
  }
  return out;
}

// A dependency edge's ends as the image's regular files (through its
// symlinks: a base's library is reached as /lib/..., a file of /usr/lib).
std::set<deps::Dependency> real_paths(const std::set<deps::Dependency>& edges, const RootFs& files) {
  std::set<deps::Dependency> out;
  auto real = [&](const std::string& path) {
    const layer::Entry* e = files.find(path);
    return e != nullptr && e->type == layer::Entry::Type::File ? "/" + e->path : path;
  };
  for (const auto& d : edges) out.insert({real(d.from), real(d.to), d.through});
  return out;
}

// The project's package: its targets, in the layers that hold them.
std::optional<sbom::Project> project_of(const spec::SbomSpec& s, const std::vector<layer::ElfFile>& targets,
                                        const std::vector<const std::vector<layer::Entry>*>& layers,
                                        std::size_t first) {
  if (s.project_name.empty()) return std::nullopt;
  sbom::Project p{s.project_name, s.project_version, s.project_homepage, s.project_revision, {}};
  std::set<std::string> wanted;
  for (const auto& t : targets) wanted.insert(t.image_path.substr(1));
  for (std::size_t i = 0; i < layers.size(); ++i) {
    for (const auto& e : *layers[i]) {
      if (e.type == layer::Entry::Type::File && wanted.count(e.path)) p.files.emplace_back(first + i, e.path);
    }
  }
  return p;
}

}  // namespace

std::vector<layer::Entry> package_metadata(const std::vector<layer::Entry>& bundled,
                                           const sbom::SysrootPackages& packages, const fs::path& sysroot,
                                           const RootFs& files) {
  std::vector<layer::Entry> out;
  const sbom::Database* db = packages.database();
  if (db == nullptr) return out;
  for (const auto& [name, owned] : by_package(bundled, packages)) {
    out.push_back(layer::generated_file(sbom::kStatusDir + name, owned.first->stanza));
    std::set<std::string> paths;
    for (const layer::Entry* e : owned.second) paths.insert(packages.database_path(e->source));
    std::string md5sums;
    for (const auto& line : db->md5sums(*owned.first, paths)) md5sums += line + "\n";
    out.push_back(layer::generated_file(sbom::kStatusDir + name + ".md5sums", md5sums));
  }
  // Scanners take the distribution from /etc/os-release; a base's own is
  // the truth about the base's packages, so it is never replaced.
  if (!out.empty() && files.find("/etc/os-release") == nullptr) {
    for (const char* release : {"etc/os-release", "usr/lib/os-release"}) {
      if (util::is_file(sysroot / release)) {
        out.push_back(layer::generated_file("etc/os-release", util::read_file(sysroot / release)));
        break;
      }
    }
  }
  return out;
}

std::vector<sbom::ImagePackage> base_packages(const archive::BaseImage& base, const RootFs& files,
                                              std::vector<std::string>& notes) {
  // distroless bases list one status.d file per package; Debian's a status.
  std::set<std::string> status_files;
  for (const auto& layer : base.layers) {
    for (const auto& f : layer.files) {
      const std::string path = archive::layer_path(f.path);
      if (path == "var/lib/dpkg/status" || sbom::is_status_file(path)) {
        status_files.insert("/" + path);
      }
    }
  }
  std::vector<sbom::ImagePackage> out;
  if (status_files.empty()) return out;
  const std::optional<std::string> release = files.read("/etc/os-release", 1 << 16);
  const sbom::Distro distro = release ? sbom::parse_os_release(*release) : sbom::Distro{};
  try {
    for (const auto& path : status_files) {
      const std::optional<std::string> text = files.read(path, kMaxStatus);
      if (!text) continue;  // removed by a layer above
      for (auto& p : sbom::parse_status(*text, "the base image's " + path)) {
        sbom::ImagePackage ip;
        ip.purl = sbom::purl(p, distro);
        ip.package = std::move(p);
        ip.base = true;
        out.push_back(std::move(ip));
      }
    }
  } catch (const Error& e) {
    notes.push_back(std::string("the base image's dpkg database is damaged: its packages are not in the SBOM: ") +
                    e.what());
    out.clear();
  }
  return out;
}

std::vector<sbom::ImagePackage> bundled_packages(const std::vector<const std::vector<layer::Entry>*>& layers,
                                                 std::size_t first, const sbom::SysrootPackages& packages) {
  std::map<std::string, sbom::ImagePackage> found;
  const sbom::Database* db = packages.database();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    for (const auto& [name, owned] : by_package(*layers[i], packages)) {
      auto [it, fresh] = found.try_emplace(name);
      sbom::ImagePackage& ip = it->second;
      if (fresh) {
        ip.package = *owned.first;
        ip.package.license = db->read_license(ip.package);
        ip.purl = sbom::purl(ip.package, db->distro());
      }
      for (const layer::Entry* e : owned.second) ip.files.emplace_back(first + i, e->path);
    }
  }
  std::vector<sbom::ImagePackage> out;
  for (auto& [name, ip] : found) out.push_back(std::move(ip));
  return out;
}

void write_sboms(SbomInputs& in, std::vector<std::string>& notes) {
  sbom::Document doc;
  doc.image = in.spec.image;
  doc.tags = in.spec.tag_texts;
  doc.manifest = in.manifest;
  doc.platform = in.platform;
  // SOURCE_DATE_EPOCH, else 1970: the same inputs give the same bytes.
  doc.created = oci::rfc3339(in.source_date_epoch);
  doc.tool_version = OCIPACK_VERSION;
  if (in.base) {
    for (const auto& l : in.base->layers) {
      sbom::LayerFiles lf{l.descriptor.digest, true, {}};
      for (const auto& f : l.files) {
        if (f.type == '-') lf.files.push_back({archive::trim_layer_path(f.path), f.digests});
      }
      doc.layers.push_back(std::move(lf));
    }
    doc.packages = base_packages(*in.base, in.files, notes);
  }
  const std::size_t first = doc.layers.size();
  std::vector<const std::vector<layer::Entry>*> ours;
  for (std::size_t i = 0; i < in.layers.size(); ++i) {
    doc.layers.push_back({in.manifest_layers[first + i].digest, false, std::move(*in.layers[i].second)});
    ours.push_back(in.layers[i].first);
  }
  std::vector<sbom::ImagePackage> bundled = bundled_packages(ours, first, *in.packages);
  doc.packages.insert(doc.packages.end(), bundled.begin(), bundled.end());
  doc.project = project_of(in.spec.sbom, *in.targets, ours, first);
  doc.dependencies = real_paths(*in.dependencies, in.files);
  for (const auto format : in.spec.sbom.formats) {
    const std::filesystem::path path = sbom_path(in.output, format);
    with_context("writing the SBOM " + path.string(), [&] {
      sbom::write(doc, format == spec::SbomSpec::Format::Spdx ? sbom::Format::Spdx : sbom::Format::CycloneDx, path);
    });
  }
}

std::filesystem::path sbom_path(const std::filesystem::path& output, spec::SbomSpec::Format format) {
  std::string stem = output.filename().string();
  if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".tar") == 0) stem.resize(stem.size() - 4);
  return output.parent_path() / (stem + (format == spec::SbomSpec::Format::Spdx ? ".spdx.json" : ".cdx.json"));
}

}  // namespace ocipack::build
