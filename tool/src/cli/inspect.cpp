#include "cli/inspect.hpp"

#include "archive/reader.hpp"
#include "oci/annotations.hpp"
#include "oci/json.hpp"
#include "sbom/dpkg.hpp"
#include "util/error.hpp"

#include <cstdio>
#include <map>
#include <ostream>

namespace ocipack::cli {

using nlohmann::json;

namespace {

std::string human(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buffer;
}

std::string mode_string(char type, unsigned mode) {
  std::string s(1, type == 'h' ? '-' : type);
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i) s += (mode & (0400u >> i)) ? rwx[i] : '-';
  if (mode & 01000) s[9] = s[9] == 'x' ? 't' : 'T';
  if (mode & 04000) s[3] = s[3] == 'x' ? 's' : 'S';
  if (mode & 02000) s[6] = s[6] == 'x' ? 's' : 'S';
  return s;
}

json file_json(const archive::LayerFile& f) {
  json j = {{"path", f.path},   {"type", std::string(1, f.type)},
            {"mode", f.mode},   {"uid", f.uid},
            {"gid", f.gid},     {"uname", f.uname},
            {"gname", f.gname}, {"mtime", f.mtime},
            {"size", f.size}};
  if (!f.link.empty()) j["link"] = f.link;
  return j;
}

// The origins annotation of a layer: "<path> <- <origin>" per line.
std::map<std::string, std::string> origins_of(const oci::Descriptor& layer) {
  std::map<std::string, std::string> out;
  auto it = layer.annotations.find(oci::annotation::kOrigins);
  if (it == layer.annotations.end()) return out;
  std::size_t i = 0;
  const std::string& text = it->second;
  while (i < text.size()) {
    std::size_t end = text.find('\n', i);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(i, end - i);
    std::size_t arrow = line.find(" <- ");
    if (arrow != std::string::npos) out[line.substr(0, arrow)] = line.substr(arrow + 4);
    i = end + 1;
  }
  return out;
}

std::string join_args(const std::vector<std::string>& v) { return json(v).dump(); }

// The packages the layers' status.d files list, as the merged file system
// has them (a file of a higher layer replaces one below; a whiteout removes
// it), by name; a damaged file lists none.
std::map<std::string, sbom::Package> packages_of(const std::vector<const std::vector<archive::LayerFile>*>& layers) {
  std::map<std::string, std::string> status;  // path -> content
  for (const auto* files : layers) {
    for (const auto& f : *files) {
      const std::string path = archive::layer_path(f.path);
      const std::size_t slash = path.rfind('/');
      const std::string name = path.substr(slash + 1);
      if (name.rfind(".wh.", 0) == 0) status.erase(path.substr(0, slash + 1) + name.substr(4));
      if (f.type == '-' && sbom::is_status_file(path)) status[path] = f.content;
    }
  }
  std::map<std::string, sbom::Package> out;
  for (const auto& [path, text] : status) {
    try {
      for (auto& p : sbom::parse_status(text, path)) out[p.name] = std::move(p);
    } catch (const Error&) {
      // Not a package's paragraph: scanners skip it too.
    }
  }
  return out;
}

}  // namespace

void inspect(const std::filesystem::path& tarball, bool as_json, std::ostream& out) {
  archive::ReadImage image = archive::read_image(tarball, sbom::is_status_file);
  // One index entry per tag: show each distinct manifest once, with its names.
  std::vector<const archive::ImageRecord*> records;
  std::map<std::string, std::vector<std::string>> names;
  for (const auto& record : image.images) {
    auto& n = names[record.descriptor.digest.hex];
    if (n.empty()) records.push_back(&record);
    auto name = record.descriptor.annotations.find(oci::annotation::kImageName);
    if (name != record.descriptor.annotations.end()) n.push_back(name->second);
  }
  json all = json::array();
  bool first = true;
  for (const archive::ImageRecord* r : records) {
    const archive::ImageRecord& record = *r;
    const std::vector<std::string>& tags = names[record.descriptor.digest.hex];
    const oci::ImageConfig& c = record.config;
    std::vector<const std::vector<archive::LayerFile>*> files;
    std::vector<std::uint64_t> unpacked;
    for (const auto& l : record.manifest.layers) {
      files.push_back(&image.layer_files.at(l.digest));
      std::uint64_t total = 0;
      for (const auto& f : *files.back()) total += f.size;
      unpacked.push_back(total);
    }

    // History entries that made no layer (ENV, CMD, ...) are skipped.
    std::vector<std::string> created_by;
    for (const auto& h : c.history) {
      if (!h.empty_layer) created_by.push_back(h.created_by);
    }
    if (as_json) {
      json layers = json::array();
      for (std::size_t i = 0; i < record.manifest.layers.size(); ++i) {
        json l = oci::to_json(record.manifest.layers[i]);
        if (i < c.diff_ids.size()) l["diff_id"] = c.diff_ids[i].str();
        if (i < created_by.size()) l["created_by"] = created_by[i];
        l["files_size"] = unpacked[i];
        json fl = json::array();
        auto origins = origins_of(record.manifest.layers[i]);
        for (const auto& f : *files[i]) {
          json fj = file_json(f);
          std::string key = "/" + f.path;
          if (!key.empty() && key.back() == '/') key.pop_back();
          if (auto o = origins.find(key); o != origins.end()) fj["origin"] = o->second;
          fl.push_back(fj);
        }
        l["files"] = fl;
        layers.push_back(l);
      }
      oci::Descriptor manifest = record.descriptor;
      manifest.annotations.clear();
      json j = {{"tags", tags},
                {"repo_tags", image.repo_tags},
                {"manifest", oci::to_json(manifest)},
                {"annotations", record.manifest.annotations},
                {"config_descriptor", oci::to_json(record.manifest.config)},
                {"config", oci::to_json(c)},
                {"layers", layers},
                {"packages", json::array()}};
      for (const auto& [name, p] : packages_of(files)) {
        j["packages"].push_back({{"name", p.name},
                                 {"version", p.version},
                                 {"architecture", p.architecture},
                                 {"source", p.source_name + " " + p.source_version}});
      }
      all.push_back(j);
      continue;
    }

    if (!first) out << "\n";
    first = false;
    out << "tags      ";
    for (std::size_t i = 0; i < tags.size(); ++i) out << (i ? ", " : "") << tags[i];
    out << (tags.empty() ? "(none)\n" : "\n");
    out << "platform  " << c.platform.str() << "\n";
    out << "manifest  " << record.descriptor.digest.str() << " (" << record.descriptor.size << " bytes)\n";
    out << "config    " << record.manifest.config.digest.str() << " (" << record.manifest.config.size
        << " bytes) = the image ID Docker shows\n";
    out << "created   " << c.created << "\n";
    const oci::ContainerConfig& cc = c.config;
    if (cc.entrypoint) out << "entrypoint " << join_args(*cc.entrypoint) << "\n";
    if (cc.cmd) out << "cmd       " << join_args(*cc.cmd) << "\n";
    for (const auto& e : cc.env) out << "env       " << e << "\n";
    if (!cc.working_dir.empty()) out << "workdir   " << cc.working_dir << "\n";
    if (!cc.user.empty()) out << "user      " << cc.user << "\n";
    for (const auto& p : cc.exposed_ports) out << "expose    " << p << "\n";
    for (const auto& [k, v] : cc.labels) out << "label     " << k << "=" << v << "\n";
    for (const auto& [k, v] : record.manifest.annotations) out << "annotation " << k << "=" << v << "\n";
    out << "layers    " << record.manifest.layers.size() << "\n";
    for (std::size_t i = 0; i < record.manifest.layers.size(); ++i) {
      const auto& l = record.manifest.layers[i];
      out << "  [" << i + 1 << "] " << l.digest.str() << "\n";
      out << "      " << l.media_type << ", " << human(l.size) << " compressed, " << human(unpacked[i])
          << " of files\n";
      if (i < c.diff_ids.size()) out << "      diff_id " << c.diff_ids[i].str() << "\n";
      if (i < created_by.size()) out << "      created_by " << created_by[i] << "\n";
      auto origins = origins_of(l);
      for (const auto& f : *files[i]) {
        char size[24];
        std::snprintf(size, sizeof size, "%10llu", static_cast<unsigned long long>(f.size));
        out << "      " << mode_string(f.type, f.mode) << " " << f.uid << "/" << f.gid << " " << size << " /" << f.path;
        if (f.type == 'l') out << " -> " << f.link;
        if (f.type == 'h') out << " link to /" << f.link;
        if (auto o = origins.find("/" + f.path); o != origins.end()) out << "   <- " << o->second;
        out << "\n";
      }
    }
    const std::map<std::string, sbom::Package> packages = packages_of(files);
    if (!packages.empty()) out << "packages  " << packages.size() << " (/" << sbom::kStatusDir << ")\n";
    for (const auto& [name, p] : packages) out << "  " << p.name << " " << p.version << " " << p.architecture << "\n";
  }
  // A file name that is not UTF-8 is shown with U+FFFD in its place.
  if (as_json) out << all.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  if (!as_json && !image.repo_tags.empty()) {
    out << "\ndocker load names it ";
    for (std::size_t i = 0; i < image.repo_tags.size(); ++i) out << (i ? ", " : "") << image.repo_tags[i];
    out << "\n";
  }
}

}  // namespace ocipack::cli
