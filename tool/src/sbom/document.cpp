#include "sbom/document.hpp"

#include "util/error.hpp"
#include "util/escape.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

#include <cctype>
#include <map>
#include <set>
#include <string_view>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ocipack::sbom {

namespace {

// A JSON array written an element at a time.
class ArrayWriter {
public:
  ArrayWriter(util::FdWriter& out, const char* key) : m_out(out) { raw(std::string(",\"") + key + "\":["); }
  void finish() { raw("]"); }
  void add(const json& element) {
    // Paths that are not UTF-8 are written with U+FFFD: JSON holds text.
    raw((m_first ? "" : ",") + element.dump(-1, ' ', false, json::error_handler_t::replace));
    m_first = false;
  }

private:
  void raw(const std::string& s) { m_out.write(s.data(), s.size()); }
  util::FdWriter& m_out;
  bool m_first = true;
};

using FileRef = std::pair<std::size_t, std::string>;  // layer index, path

std::string file_id(std::size_t layer, std::string_view path) {
  return element_id("SPDXRef-File-" + std::to_string(layer) + "-", path);
}
std::string layer_id(std::size_t layer) { return "SPDXRef-Layer-" + std::to_string(layer); }
std::string package_id(const ImagePackage& p) {
  return element_id(p.base ? "SPDXRef-BasePackage-deb-" : "SPDXRef-Package-deb-",
                    p.package.name + ":" + p.package.architecture);
}
std::string project_id(const Project& p) { return element_id("SPDXRef-Project-", p.name); }
constexpr const char* kImageId = "SPDXRef-Image";

// pkg:oci/<name>@sha256%3A<hex>?arch=<arch>: the image itself.
std::string image_purl(const Document& doc) {
  std::string name = doc.image.substr(doc.image.rfind('/') + 1);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "pkg:oci/" + name + "@sha256%3A" + doc.manifest.hex + "?arch=" + doc.platform.architecture;
}

// The layer whose regular file each dependency's end is (the topmost
// holding that path); edges to anything else (a symlink) are left.
std::map<std::string, std::size_t> dependency_files(const Document& doc) {
  std::set<std::string, std::less<>> where;
  for (const auto& d : doc.dependencies) where.insert(d.from.substr(1)), where.insert(d.to.substr(1));
  std::map<std::string, std::size_t> found;
  for (std::size_t i = 0; i < doc.layers.size(); ++i) {
    for (const auto& f : doc.layers[i].files) {
      if (where.count(f.path)) found[std::string(f.path)] = i;
    }
  }
  return found;
}

// The edges whose ends are files of the image, by file id.
// Two edges between the same files (DT_NEEDED and RUNTIME_LIBRARIES) are one.
std::set<std::pair<std::string, std::string>> dependency_ids(const Document& doc) {
  const std::map<std::string, std::size_t> files = dependency_files(doc);
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& d : doc.dependencies) {
    auto from = files.find(d.from.substr(1)), to = files.find(d.to.substr(1));
    if (from != files.end() && to != files.end()) {
      out.emplace(file_id(from->second, from->first), file_id(to->second, to->first));
    }
  }
  return out;
}

// ---- SPDX 2.3 ----

json spdx_package(const std::string& id, const std::string& name, const std::string& version) {
  json p = {{"SPDXID", id}, {"name", name}, {"downloadLocation", "NOASSERTION"}, {"filesAnalyzed", false}};
  if (!version.empty()) p["versionInfo"] = version;
  return p;
}

json purl_ref(const std::string& purl) {
  return json::array(
      {{{"referenceCategory", "PACKAGE-MANAGER"}, {"referenceType", "purl"}, {"referenceLocator", purl}}});
}

json relationship(const std::string& from, const char* type, const std::string& to) {
  return {{"spdxElementId", from}, {"relationshipType", type}, {"relatedSpdxElement", to}};
}

void write_spdx(const Document& doc, util::FdWriter& out) {
  const json head = {
      {"spdxVersion", "SPDX-2.3"},
      {"dataLicense", "CC0-1.0"},
      {"SPDXID", "SPDXRef-DOCUMENT"},
      {"name", doc.image + "@" + doc.manifest.str()},
      // Derived from the image digest, never random: the same
      // image gives the same document.
      {"documentNamespace", "https://ocipack.invalid/spdxdocs/" + element_id("", doc.image) + "/" + doc.manifest.hex},
      {"creationInfo", {{"created", doc.created}, {"creators", {"Tool: ocipack-" + doc.tool_version}}}}};
  std::string text = head.dump();
  text.pop_back();  // the closing brace: the arrays follow
  out.write(text.data(), text.size());
  {
    ArrayWriter packages(out, "packages");
    json image = spdx_package(kImageId, doc.image, doc.manifest.str());
    image["primaryPackagePurpose"] = "CONTAINER";
    image["externalRefs"] = purl_ref(image_purl(doc));
    std::string tags;
    for (const auto& t : doc.tags) tags += (tags.empty() ? "" : " ") + t;
    image["comment"] = "platform " + doc.platform.str() + "; tags " + tags;
    packages.add(image);
    for (std::size_t i = 0; i < doc.layers.size(); ++i) {
      json l = spdx_package(layer_id(i), doc.layers[i].digest.str(), "");
      l["comment"] = doc.layers[i].base ? "a layer of the base image" : "a layer ocipack wrote";
      packages.add(l);
    }
    if (doc.project) {
      json p = spdx_package(project_id(*doc.project), doc.project->name, doc.project->version);
      if (!doc.project->homepage.empty()) p["homepage"] = doc.project->homepage;
      if (!doc.project->revision.empty()) p["sourceInfo"] = "git revision " + doc.project->revision;
      p["primaryPackagePurpose"] = "APPLICATION";
      packages.add(p);
    }
    for (const auto& ip : doc.packages) {
      json p = spdx_package(package_id(ip), ip.package.name, ip.package.version);
      p["licenseDeclared"] = ip.package.license;
      p["licenseConcluded"] = "NOASSERTION";
      p["sourceInfo"] = "Debian source package " + ip.package.source_name + " " + ip.package.source_version;
      p["externalRefs"] = purl_ref(ip.purl);
      p["primaryPackagePurpose"] = "LIBRARY";
      packages.add(p);
    }
    packages.finish();
  }
  {
    ArrayWriter files(out, "files");
    for (std::size_t i = 0; i < doc.layers.size(); ++i) {
      for (const auto& f : doc.layers[i].files) {
        files.add({{"SPDXID", file_id(i, f.path)},
                   {"fileName", std::string("./").append(f.path)},
                   {"checksums",
                    {{{"algorithm", "SHA1"}, {"checksumValue", f.digests.sha1_hex()}},
                     {{"algorithm", "SHA256"}, {"checksumValue", f.digests.sha256_hex()}}}}});
      }
    }
    files.finish();
  }
  {
    ArrayWriter relationships(out, "relationships");
    relationships.add(relationship("SPDXRef-DOCUMENT", "DESCRIBES", kImageId));
    for (std::size_t i = 0; i < doc.layers.size(); ++i) {
      relationships.add(relationship(kImageId, "CONTAINS", layer_id(i)));
      for (const auto& f : doc.layers[i].files)
        relationships.add(relationship(layer_id(i), "CONTAINS", file_id(i, f.path)));
    }
    auto contains = [&](const std::string& owner, const std::vector<FileRef>& owned) {
      relationships.add(relationship(kImageId, "CONTAINS", owner));
      for (const auto& [layer, path] : owned) relationships.add(relationship(owner, "CONTAINS", file_id(layer, path)));
    };
    if (doc.project) contains(project_id(*doc.project), doc.project->files);
    for (const auto& ip : doc.packages) contains(package_id(ip), ip.files);
    for (const auto& [from, to] : dependency_ids(doc)) relationships.add(relationship(from, "DEPENDS_ON", to));
    relationships.finish();
  }
  out.write("}\n", 2);
}

// ---- CycloneDX 1.6 ----

// A UUID (version 5 form) from the image digest: the same image, the same
// serial number.
std::string serial_number(const Document& doc) {
  std::string h = util::Sha256::hex_of("ocipack CycloneDX " + doc.manifest.str()).substr(0, 32);
  h[12] = '5';
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return "urn:uuid:" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20);
}

json property(const std::string& name, const std::string& value) { return {{"name", name}, {"value", value}}; }

json cdx_file(const Document& doc, std::size_t layer, const layer::HashedFile& f) {
  return {{"type", "file"},
          {"bom-ref", file_id(layer, f.path)},
          {"name", std::string("/").append(f.path)},
          {"hashes",
           {{{"alg", "SHA-1"}, {"content", f.digests.sha1_hex()}},
            {{"alg", "SHA-256"}, {"content", f.digests.sha256_hex()}}}},
          {"properties", {property("ocipack:layer", doc.layers[layer].digest.str())}}};
}

// A licence as CycloneDX takes it: an SPDX id, or an expression.
json cdx_licenses(const std::string& license) {
  if (license == "NOASSERTION") return json::array();
  if (license.find(' ') == std::string::npos && license.rfind("LicenseRef-", 0) != 0) {
    return json::array({{{"license", {{"id", license}}}}});
  }
  return json::array({{{"expression", license}}});
}

// The files of an owner (a package, the project), nested under it.
json cdx_owned(const Document& doc, const std::vector<FileRef>& owned,
               const std::map<FileRef, const layer::HashedFile*>& index) {
  json files = json::array();
  for (const auto& ref : owned) {
    if (auto it = index.find(ref); it != index.end()) files.push_back(cdx_file(doc, ref.first, *it->second));
  }
  return files;
}

void write_cyclonedx(const Document& doc, util::FdWriter& out) {
  std::vector<json> tags;
  for (const auto& t : doc.tags) tags.push_back(property("ocipack:tag", t));
  tags.push_back(property("ocipack:platform", doc.platform.str()));
  const json head = {
      {"bomFormat", "CycloneDX"},
      {"specVersion", "1.6"},
      {"serialNumber", serial_number(doc)},
      {"version", 1},
      {"metadata",
       {{"timestamp", doc.created},
        {"tools", {{"components", {{{"type", "application"}, {"name", "ocipack"}, {"version", doc.tool_version}}}}}},
        {"component",
         {{"type", "container"},
          {"bom-ref", kImageId},
          {"name", doc.image},
          {"version", doc.manifest.str()},
          {"purl", image_purl(doc)},
          {"properties", tags}}}}}};
  std::string text = head.dump();
  text.pop_back();
  out.write(text.data(), text.size());

  // The files a package or the project owns are nested under it; the
  // others are listed at the top, layer by layer.
  std::map<FileRef, const layer::HashedFile*> owned;
  auto own = [&](const std::vector<FileRef>& refs) {
    for (const auto& r : refs) owned[r] = nullptr;
  };
  if (doc.project) own(doc.project->files);
  for (const auto& ip : doc.packages) own(ip.files);
  for (std::size_t i = 0; i < doc.layers.size(); ++i) {
    for (const auto& f : doc.layers[i].files) {
      if (auto it = owned.find({i, std::string(f.path)}); it != owned.end()) it->second = &f;
    }
  }
  {
    ArrayWriter components(out, "components");
    if (doc.project) {
      json p = {{"type", "application"},
                {"bom-ref", project_id(*doc.project)},
                {"name", doc.project->name},
                {"components", cdx_owned(doc, doc.project->files, owned)}};
      if (!doc.project->version.empty()) p["version"] = doc.project->version;
      if (!doc.project->homepage.empty())
        p["externalReferences"] = {{{"type", "website"}, {"url", doc.project->homepage}}};
      if (!doc.project->revision.empty()) p["properties"] = {property("ocipack:git-revision", doc.project->revision)};
      components.add(p);
    }
    for (const auto& ip : doc.packages) {
      json p = {{"type", "library"},
                {"bom-ref", package_id(ip)},
                {"name", ip.package.name},
                {"version", ip.package.version},
                {"purl", ip.purl},
                {"properties",
                 {property("ocipack:deb:architecture", ip.package.architecture),
                  property("ocipack:deb:source", ip.package.source_name + " " + ip.package.source_version)}}};
      if (json l = cdx_licenses(ip.package.license); !l.empty()) p["licenses"] = l;
      if (!ip.files.empty()) p["components"] = cdx_owned(doc, ip.files, owned);
      components.add(p);
    }
    for (std::size_t i = 0; i < doc.layers.size(); ++i) {
      for (const auto& f : doc.layers[i].files) {
        if (!owned.count({i, std::string(f.path)})) components.add(cdx_file(doc, i, f));
      }
    }
    components.finish();
  }
  {
    ArrayWriter dependencies(out, "dependencies");
    std::map<std::string, json> on;  // sorted: the edges' order, grouped by their start
    for (const auto& [from, to] : dependency_ids(doc)) on[from].push_back(to);
    for (const auto& [from, to] : on) dependencies.add({{"ref", from}, {"dependsOn", to}});
    dependencies.finish();
  }
  out.write("}\n", 2);
}

}  // namespace

std::string element_id(const std::string& prefix, std::string_view name) {
  return prefix + util::escape_bytes(
                      name, [](unsigned char c) { return std::isalnum(c) != 0 || c == '.'; }, '-');
}

void write(const Document& doc, Format format, const fs::path& path) {
  util::OutputFile out(path);
  if (format == Format::Spdx) {
    write_spdx(doc, out);
  } else {
    write_cyclonedx(doc, out);
  }
  out.commit();
}

}  // namespace ocipack::sbom
